/* triode: one common-cathode gain stage, solved as a circuit.
 *
 *   in ──┬── rs ── grid             B+ ── ra ──┬── plate ── cout ──┬── out
 *        rg                                    │                   rl
 *        ┴          cathode ── rk ∥ ck ── ┴   tube                 ┴
 *
 * The tube is Koren's (src/dsp/koren.h) with grid current through rgi;
 * the circuit runs by the DK method (src/dsp/dk.h), oversampled by
 * `quality` (auto: at 88.2 kHz or more). rl, the load, defaults to what
 * follows (its input resistance at 1 kHz) or 1 MΩ; the stage then drives
 * it directly (no further loading at the junction). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/noise.h"
#include "dsp/tube_circuits.h"
#include "dsp/tube_runner.h"
#include "stage.h"

enum {
  P_TUBE,
  P_BPLUS,
  P_RA,
  P_RK,
  P_CK,
  P_RS,
  P_RG,
  P_COUT,
  P_RL,
  P_QUALITY,
  P_PHASE,
  P_MU,
  P_EX,
  P_KG1,
  P_KP,
  P_KVB,
  P_RGI,
  N_PARAMS
};
enum { T_12AX7, T_12AT7, T_12AU7, T_ECC83, T_CUSTOM };

static const char *const tube_names[] = {"12AX7", "12AT7", "12AU7", "ECC83", "custom", NULL};

#define FIXED .flags = GS_PARAM_FIXED
static const GsParamInfo params[] = {
    [P_TUBE] = {.name = "tube",
                .help = "the triode (custom: the Koren constants below)",
                .type = GS_PARAM_CHOICE,
                .max = 4,
                .def = T_12AX7,
                .choices = tube_names,
                FIXED},
    [P_BPLUS] = {.name = "bplus",
                 .help = "supply voltage",
                 .type = GS_PARAM_REAL,
                 .unit = GS_UNIT_VOLT,
                 .min = 20,
                 .max = 600,
                 .def = 250,
                 FIXED},
    [P_RA] = {.name = "ra",
              .help = "plate resistor",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_OHM,
              .min = 1e3,
              .max = 1e6,
              .def = 100e3,
              FIXED},
    [P_RK] = {.name = "rk",
              .help = "cathode resistor",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_OHM,
              .min = 10,
              .max = 100e3,
              .def = 1.5e3,
              FIXED},
    [P_CK] = {.name = "ck",
              .help = "cathode bypass capacitor",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_FARAD,
              .min = 1e-9,
              .max = 1e-3,
              .def = 22e-6,
              FIXED,
              .zero = "off"},
    [P_RS] = {.name = "rs",
              .help = "grid stopper",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_OHM,
              .min = 0,
              .max = 1e6,
              .def = 68e3,
              FIXED},
    [P_RG] = {.name = "rg",
              .help = "grid leak (the stage's input resistance)",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_OHM,
              .min = 10e3,
              .max = 10e6,
              .def = 1e6,
              FIXED},
    [P_COUT] = {.name = "cout",
                .help = "output coupling capacitor",
                .type = GS_PARAM_REAL,
                .unit = GS_UNIT_FARAD,
                .min = 100e-12,
                .max = 100e-6,
                .def = 22e-9,
                FIXED},
    [P_RL] = {.name = "rl",
              .help = "load (auto: what follows, else 1 MΩ)",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_OHM,
              .min = 1e3,
              .max = 100e6,
              .def = 0,
              FIXED,
              .zero = "auto"},
    [P_QUALITY] = {.name = "quality",
                   .help = "oversampling (auto: to 88.2 kHz or more)",
                   .type = GS_PARAM_CHOICE,
                   .max = 4,
                   .def = 0,
                   .choices = gs_os_quality_names,
                   FIXED},
    [P_PHASE] = {.name = "phase",
                 .help = GS_OS_PHASE_HELP,
                 .type = GS_PARAM_CHOICE,
                 .max = 1,
                 .def = 0,
                 .choices = gs_os_phase_names,
                 FIXED},
    [P_MU] = {.name = "mu",
              .help = "custom: amplification factor",
              .type = GS_PARAM_REAL,
              .min = 1,
              .max = 300,
              .def = 100,
              FIXED},
    [P_EX] = {.name = "ex",
              .help = "custom: exponent",
              .type = GS_PARAM_REAL,
              .min = 1,
              .max = 2,
              .def = 1.4,
              FIXED},
    [P_KG1] = {.name = "kg1",
               .help = "custom: Koren kg1",
               .type = GS_PARAM_REAL,
               .min = 10,
               .max = 1e5,
               .def = 1060,
               FIXED},
    [P_KP] = {.name = "kp",
              .help = "custom: Koren kp",
              .type = GS_PARAM_REAL,
              .min = 1,
              .max = 5000,
              .def = 600,
              FIXED},
    [P_KVB] = {.name = "kvb",
               .help = "custom: Koren kvb",
               .type = GS_PARAM_REAL,
               .min = 1,
               .max = 1e5,
               .def = 300,
               FIXED},
    [P_RGI] = {.name = "rgi",
               .help = "custom: grid-current resistance",
               .type = GS_PARAM_REAL,
               .unit = GS_UNIT_OHM,
               .min = 100,
               .max = 100e3,
               .def = 2000,
               FIXED},
};
#undef FIXED

typedef struct {
  GsTriodeModel custom; /* the stage's own copy when tube=custom */
  GsTubeRunner run;
  uint64_t failures_seen;
  GsRng rng;
  double noise_rms; /* at the grid, per base-rate sample */
  bool noise;
  float *noisy; /* the input with it, a block */
} Triode;

/* The stage's own noise, referred to the grid: the grid stopper's thermal
 * noise and the tube's shot noise as its equivalent noise resistance, about
 * 2.5 / gm for a triode (F. Langford-Smith, ed., Radiotron Designer's
 * Handbook, 4th ed., 1953, ch. 18), gm at the operating point; white up to
 * the base rate's Nyquist frequency. (Flicker noise is not modelled.) */
static double grid_noise_rms(const GsTubeRunner *run, double rs, double rate) {
  const GsDkSolver *s = &run->dk;
  double J[GS_DK_MAX_PORTS * GS_DK_MAX_PORTS];
  gs_dk_slopes(s, s->v, J);
  double gm = J[1 * s->np + 0]; /* plate current by grid voltage */
  return gs_thermal_vrms(rs + (gm > 1e-9 ? 2.5 / gm : 0.0), 0.5 * rate);
}

static GsTriodeModel model_of(const double *v) {
  if ((int)v[P_TUBE] == T_CUSTOM) {
    return (GsTriodeModel){v[P_MU], v[P_EX], v[P_KG1], v[P_KP], v[P_KVB], v[P_RGI]};
  }
  return *gs_triode_model(tube_names[(int)v[P_TUBE]]);
}

/* What the output drives: rl, else the next stage's input resistance. */
static double load_of(const double *v, const GsPorts *down) {
  return v[P_RL] > 0.0 ? v[P_RL] : gs_ports_load_ohms(down, 1e6);
}

static void triode_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  ports->yin = gs_rat_const(1.0 / v[P_RG]);
}

static GsStatus triode_create(const GsStageEnv *env, const double *v, void **self) {
  Triode *t = calloc(1, sizeof *t);
  if (!t) return GS_ERR_NOMEM;
  t->custom = model_of(v);
  GsTriodeStage st = {.tube = &t->custom,
                      .bplus = v[P_BPLUS],
                      .ra = v[P_RA],
                      .rk = v[P_RK],
                      .rs = v[P_RS],
                      .rg = v[P_RG],
                      .rl = load_of(v, env->downstream),
                      .ck = v[P_CK],
                      .cout = v[P_COUT]};
  GsDkNetlist *n = malloc(sizeof *n);
  bool memory = n != NULL, ok = memory;
  if (ok) {
    gs_dk_clear(n);
    int in = gs_dk_node(n), bp = gs_dk_node(n);
    gs_dk_source(n, in, 0, 0);
    gs_dk_source(n, bp, 0, 1);
    gs_dk_output(n, gs_tc_common_cathode(n, &st, in, bp));
    double u0[2] = {0.0, st.bplus};
    int factor = gs_tube_factor((int)v[P_QUALITY], env->rate, 1);
    ok = gs_tube_runner_init(&t->run, n, env->rate, factor, (GsOsPhase)v[P_PHASE], u0);
  }
  free(n);
  if (ok && !(t->noisy = malloc(GS_MAX_BLOCK * sizeof(float)))) memory = ok = false;
  if (!ok) {
    gs_tube_runner_release(&t->run);
    free(t);
    if (!memory) return GS_ERR_NOMEM;
    snprintf(env->why, env->why_size, "this circuit has no operating point");
    return GS_ERR_BAD_VALUE;
  }
  t->noise = env->noise;
  t->noise_rms = grid_noise_rms(&t->run, v[P_RS], env->rate);
  gs_rng_seed(&t->rng, env->seed);
  *self = t;
  return GS_OK;
}

static void triode_destroy(void *self) {
  Triode *t = self;
  gs_tube_runner_release(&t->run);
  free(t->noisy);
  free(t);
}

static void triode_process(void *self, const float *const *in, float *out, uint32_t n) {
  Triode *t = self;
  const float *x = in[0];
  if (t->noise) { /* the chain's blocks are at most GS_MAX_BLOCK */
    for (uint32_t i = 0; i < n; i++) {
      t->noisy[i] = x[i] + (float)(t->noise_rms * gs_rng_gauss(&t->rng));
    }
    x = t->noisy;
  }
  gs_tube_runner_process(&t->run, x, out, n);
}

static void triode_set_noise(void *self, bool on) {
  ((Triode *)self)->noise = on;
}

static void triode_reset(void *self) {
  gs_tube_runner_reset(&((Triode *)self)->run);
}

static uint32_t triode_latency(const void *self) {
  return ((const Triode *)self)->run.os.latency;
}

static uint32_t triode_latency_slack(const void *self) {
  return gs_os_latency_slack(&((const Triode *)self)->run.os);
}

static bool triode_poll(void *self, char *msg, size_t size) {
  Triode *t = self;
  return gs_warn_count(gs_tube_runner_failures(&t->run), &t->failures_seen, msg, size,
                       "the tube circuit did not converge");
}

/* The plate can swing from near the cathode to B+: the smaller side. */
static double triode_clip(const double *v) {
  return 0.5 * v[P_BPLUS];
}

static const char *triode_inert(const double *v, uint32_t param) {
  return param >= P_MU && (int)v[P_TUBE] != T_CUSTOM ? "tube=custom" : NULL;
}

const GsStageClass gs_stage_triode = {
    .info = {.name = "triode",
             .help = "a common-cathode triode stage (12AX7, 12AT7, 12AU7) solved as a circuit, "
                     "oversampled",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ANALOG},
    .ports = triode_ports,
    .create = triode_create,
    .destroy = triode_destroy,
    .process = triode_process,
    .reset = triode_reset,
    .latency = triode_latency,
    .latency_slack = triode_latency_slack,
    .clip_peak = triode_clip,
    .poll = triode_poll,
    .set_noise = triode_set_noise,
    .inert = triode_inert,
};
