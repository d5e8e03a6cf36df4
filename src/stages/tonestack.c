/* tonestack: passive and active tone circuits solved from their component
 * values by nodal analysis (src/dsp/mna.c), then discretized.
 *
 * fender, marshall: the "TMB" stack analysed by D. T. Yeh and J. O. Smith,
 *   "Discretization of the '59 Fender Bassman tone stack", DAFx 2006:
 *   in -C1- treble pot (top) ; treble wiper = out ; treble pot (bottom) -
 *   bass pot (as a variable resistor) - mid pot top ; mid wiper - C3 ;
 *   in -R4- node - C2 to the treble pot bottom, - C3 to the mid wiper.
 *   Bassman 5F6-A: C1 250 pF, C2 = C3 20 nF, R1 250k, R2 1M, R3 25k, R4 56k.
 *   Marshall JCM800 2203: C1 470 pF, C2 = C3 22 nF, R1 220k, R2 1M, R3 22k,
 *   R4 33k.
 * vox: the AC30 Top Boost values (R1 1M treble, R2 1M bass, 10k, R4 100k,
 *   C1 50 pF, C2 = C3 22 nF) in the same topology with the mid pot replaced
 *   by a fixed 10 kΩ, as in the Duncan Tone Stack Calculator; no mid control.
 * baxandall: the active Baxandall (P. J. Baxandall, "Negative-feedback tone
 *   control", Wireless World, Oct. 1952) around an ideal op-amp: bass 10k +
 *   100k lin pot + 10k bridged by 33 nF caps, wiper 10k to the virtual
 *   earth; treble 3.3 nF - 100k lin pot - 3.3 nF, wiper 1k to the virtual
 *   earth: flat at mid positions, about ±15 dB at 50 Hz and ±14 dB at 10 kHz.
 *
 * Pot positions are the linear fraction of the track; a pot end never
 * reaches 0 Ω (0.1 % of the track remains, as with real end resistance).
 * The circuit's input admittance and output impedance are exported, so the
 * chain loads the previous stage and the next stage loads this one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stages/tonestack.h"

#include "dsp/iir.h"
#include "dsp/mna.h"
#include "stage.h"

enum { P_MODEL, P_BASS, P_MID, P_TREBLE, N_PARAMS };
enum { M_FENDER, M_MARSHALL, M_VOX, M_BAXANDALL };

static const char *const model_names[] = {"fender", "marshall", "vox", "baxandall", NULL};

static const GsParamInfo params[] = {
    [P_MODEL] = {.name = "model",
                 .help = "circuit: fender (Bassman 5F6-A), marshall (JCM800), "
                         "vox (AC30 Top Boost), baxandall (active hi-fi)",
                 .type = GS_PARAM_CHOICE,
                 .min = 0,
                 .max = 3,
                 .def = M_FENDER,
                 .choices = model_names,
                 .flags = GS_PARAM_FIXED},
    [P_BASS] = {.name = "bass",
                .help = "bass pot position",
                .type = GS_PARAM_REAL,
                .unit = GS_UNIT_POSITION,
                .min = 0,
                .max = 1,
                .def = 0.5},
    [P_MID] = {.name = "mid",
               .help = "mid pot position (fender, marshall only)",
               .type = GS_PARAM_REAL,
               .unit = GS_UNIT_POSITION,
               .min = 0,
               .max = 1,
               .def = 0.5},
    [P_TREBLE] = {.name = "treble",
                  .help = "treble pot position",
                  .type = GS_PARAM_REAL,
                  .unit = GS_UNIT_POSITION,
                  .min = 0,
                  .max = 1,
                  .def = 0.5},
};

typedef struct {
  double c1, c2, c3, r1, r2, r3, r4;
  bool fixed_mid;
} TmbValues;

static const TmbValues tmb[] = {
    [M_FENDER] = {250e-12, 20e-9, 20e-9, 250e3, 1e6, 25e3, 56e3, false},
    [M_MARSHALL] = {470e-12, 22e-9, 22e-9, 220e3, 1e6, 22e3, 33e3, false},
    [M_VOX] = {50e-12, 22e-9, 22e-9, 1e6, 1e6, 10e3, 100e3, true},
};

/* A pot section of fraction x of track r, never quite 0 Ω. */
static double pot(double x, double r) {
  return fmax(x, 1e-3) * r;
}

static void build_tmb(const TmbValues *k, double t, double m, double l, GsMnaCircuit *c) {
  enum { IN = 1, TOP = 2, OUT = 3, TBOT = 4, MTOP = 5, MWIP = 6, R4N = 7 };
  if (k->fixed_mid) m = 1.0;
  gs_mna_init(c, 8, IN, OUT);
  gs_mna_add(c, GS_MNA_C, IN, TOP, k->c1);
  gs_mna_add(c, GS_MNA_R, TOP, OUT, pot(1.0 - t, k->r1));
  gs_mna_add(c, GS_MNA_R, OUT, TBOT, pot(t, k->r1));
  gs_mna_add(c, GS_MNA_R, TBOT, MTOP, pot(l, k->r2));
  gs_mna_add(c, GS_MNA_R, MTOP, MWIP, pot(1.0 - m, k->r3));
  gs_mna_add(c, GS_MNA_R, MWIP, 0, pot(m, k->r3));
  gs_mna_add(c, GS_MNA_R, IN, R4N, k->r4);
  gs_mna_add(c, GS_MNA_C, R4N, TBOT, k->c2);
  gs_mna_add(c, GS_MNA_C, R4N, MWIP, k->c3);
}

static void build_baxandall(double b, double t, GsMnaCircuit *c) {
  enum { IN = 1, BX = 2, BW = 3, BY = 4, OUT = 5, VG = 6, TX = 7, TW = 8, TY = 9 };
  const double r = 10e3, pb = 100e3, cb = 33e-9, rb = 10e3;
  const double ct = 3.3e-9, pt = 100e3, rt = 1e3;
  gs_mna_init(c, 10, IN, OUT);
  gs_mna_add(c, GS_MNA_R, IN, BX, r);
  gs_mna_add(c, GS_MNA_R, BX, BW, pot(1.0 - b, pb));
  gs_mna_add(c, GS_MNA_R, BW, BY, pot(b, pb));
  gs_mna_add(c, GS_MNA_C, BX, BW, cb);
  gs_mna_add(c, GS_MNA_C, BW, BY, cb);
  gs_mna_add(c, GS_MNA_R, BY, OUT, r);
  gs_mna_add(c, GS_MNA_R, BW, VG, rb);
  gs_mna_add(c, GS_MNA_C, IN, TX, ct);
  gs_mna_add(c, GS_MNA_R, TX, TW, pot(1.0 - t, pt));
  gs_mna_add(c, GS_MNA_R, TW, TY, pot(t, pt));
  gs_mna_add(c, GS_MNA_C, TY, OUT, ct);
  gs_mna_add(c, GS_MNA_R, TW, VG, rt);
  gs_mna_add_opamp(c, 0, VG, OUT);
}

static bool solve(const double *v, GsMnaResult *res) {
  GsMnaCircuit c;
  int model = (int)v[P_MODEL];
  if (model == M_BAXANDALL) {
    build_baxandall(v[P_BASS], v[P_TREBLE], &c);
  } else {
    build_tmb(&tmb[model], v[P_TREBLE], v[P_MID], v[P_BASS], &c);
  }
  return gs_mna_solve(&c, res);
}

static void tonestack_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  GsMnaResult res;
  if (!solve(v, &res)) return;
  ports->yin = res.yin;
  ports->zs = res.zout;
}

typedef struct {
  double values[N_PARAMS];
  double rate;
  GsIirCoefs coefs;
  GsIirState st;
} Tonestack;

bool gs_tonestack_design(const double *values, double rate, GsSosCoefs *out) {
  GsMnaResult res;
  return solve(values, &res) && gs_rat_to_sos_tuned(&res.h, rate, out);
}

/* Live redesigns keep the state (direct form I: it is the signal's own
 * history) and morph from the old coefficients over a tick. */
static void redesign(Tonestack *t) {
  GsSosCoefs next;
  if (gs_tonestack_design(t->values, t->rate, &next)) {
    GsIirCoefs old = t->coefs;
    gs_iir_from_sos(&t->coefs, &next);
    gs_iir_morph(&t->st, &old, GS_TICK);
  }
}

static GsStatus tonestack_create(const GsStageEnv *env, const double *v, void **self) {
  Tonestack *t = calloc(1, sizeof *t);
  if (!t) return GS_ERR_NOMEM;
  memcpy(t->values, v, sizeof t->values);
  t->rate = env->rate;
  GsSosCoefs sos;
  if (gs_tonestack_design(v, t->rate, &sos)) {
    gs_iir_from_sos(&t->coefs, &sos);
  } else {
    gs_iir_identity(&t->coefs);
  }
  *self = t;
  return GS_OK;
}

static void tonestack_destroy(void *self) {
  free(self);
}

static void tonestack_set_param(void *self, uint32_t index, double value) {
  Tonestack *t = self;
  t->values[index] = value;
  redesign(t);
}

static void tonestack_process(void *self, const float *const *in, float *out, uint32_t n) {
  Tonestack *t = self;
  if (in[0] != out) memcpy(out, in[0], n * sizeof(float));
  gs_iir_run(&t->coefs, &t->st, out, n);
}

static void tonestack_reset(void *self) {
  gs_iir_clear(&((Tonestack *)self)->st);
}

static const char *tonestack_inert(const double *v, uint32_t param) {
  int model = (int)v[P_MODEL];
  bool mid = model == M_FENDER || model == M_MARSHALL;
  return param == P_MID && !mid ? "model=fender or model=marshall" : NULL;
}

const GsStageClass gs_stage_tonestack = {
    .info = {.name = "tonestack",
             .help = "guitar-amp and hi-fi tone circuits from component "
                     "values: fender, marshall, vox, baxandall",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ANALOG},
    .ports = tonestack_ports,
    .create = tonestack_create,
    .destroy = tonestack_destroy,
    .set_param = tonestack_set_param,
    .process = tonestack_process,
    .reset = tonestack_reset,
    .inert = tonestack_inert,
};
