/* speaker: a moving-coil loudspeaker's electrical side from its
 * Thiele–Small parameters (A. N. Thiele 1961; R. H. Small 1972):
 *   Z(s) = Re + s Le + (Res || s Lces || 1/(s Cmes)),
 *   Cmes = Qes / (2π fs Re), Lces = 1 / ((2π fs)^2 Cmes), Res = Re Qms / Qes,
 * so |Z| peaks at Re + Res at fs and rises with Le above. The amplifier
 * sees that impedance (the chain's junction); the stage passes the terminal
 * voltage on and watches the power it absorbs, P = v i with i = Y(z) v,
 * against its rating. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/iir.h"
#include "dsp/rational.h"
#include "stage.h"

enum { P_RE, P_LE, P_FS, P_QMS, P_QES, P_SENSITIVITY, P_RATING, N_PARAMS };

/* Defaults: of the order of a 12-inch, 8 Ω guitar driver. */
static const GsParamInfo params[] = {
    [P_RE] = {.name = "re",
              .help = "voice-coil DC resistance",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_OHM,
              .min = 0.5,
              .max = 100,
              .def = 6.4,
              .flags = GS_PARAM_LOG},
    [P_LE] = {.name = "le",
              .help = "voice-coil inductance",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_HENRY,
              .min = 0,
              .max = 20e-3,
              .def = 0.6e-3},
    [P_FS] = {.name = "fs",
              .help = "free-air resonance",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_HZ,
              .min = 10,
              .max = 2000,
              .def = 75,
              .flags = GS_PARAM_LOG},
    [P_QMS] = {.name = "qms",
               .help = "mechanical Q at fs",
               .type = GS_PARAM_REAL,
               .min = 0.3,
               .max = 30,
               .def = 5,
               .flags = GS_PARAM_LOG},
    [P_QES] = {.name = "qes",
               .help = "electrical Q at fs",
               .type = GS_PARAM_REAL,
               .min = 0.05,
               .max = 10,
               .def = 0.45,
               .flags = GS_PARAM_LOG},
    [P_SENSITIVITY] = {.name = "sensitivity",
                       .help = "SPL at 1 m for 1 W (2.83 V into 8 Ω)",
                       .type = GS_PARAM_REAL,
                       .unit = GS_UNIT_DB_SPL,
                       .min = 60,
                       .max = 120,
                       .def = 97},
    [P_RATING] = {.name = "rating",
                  .help = "power handling",
                  .type = GS_PARAM_REAL,
                  .unit = GS_UNIT_WATT,
                  .min = 0.1,
                  .max = 10000,
                  .def = 100,
                  .flags = GS_PARAM_LOG},
};

/* The electrical impedance as a rational function of s. */
static GsRational impedance(const double *v) {
  const double pi = 3.14159265358979323846;
  double ws = 2.0 * pi * v[P_FS];
  double cmes = v[P_QES] / (ws * v[P_RE]);
  double lces = 1.0 / (ws * ws * cmes);
  double res = v[P_RE] * v[P_QMS] / v[P_QES];
  /* motional: s Lces / (1 + s Lces / Res + s^2 Lces Cmes) */
  GsPoly mn = gs_poly_linear(0.0, lces);
  GsPoly md = gs_poly_linear(1.0, lces / res);
  md.c[2] = lces * cmes;
  md.deg = 2;
  GsRational mot = gs_rat_make(mn, md);
  GsRational coil = gs_rat_make(gs_poly_linear(v[P_RE], v[P_LE]), gs_poly_const(1.0));
  return gs_rat_add(&coil, &mot);
}

static void speaker_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  GsRational z = impedance(v);
  ports->yin = gs_rat_inv(&z);
}

typedef struct {
  double values[N_PARAMS];
  double rate;
  GsIirCoefs y; /* admittance: current per volt */
  GsIirState st;
  double avg_power, avg_coef; /* 100 ms average */
  double worst;               /* highest average power seen (audio thread) */
  atomic_bool over;
  bool reported;
} Speaker;

static void design(Speaker *s) {
  GsRational z = impedance(s->values);
  GsRational y = gs_rat_inv(&z);
  double hi = fmin(20000.0, 0.45 * s->rate);
  GsSosCoefs sos;
  if (gs_rat_to_sos(&y, s->rate, gs_rat_feature_hz(&y, 10.0, hi), &sos)) {
    gs_iir_from_sos(&s->y, &sos);
  } else {
    gs_iir_identity(&s->y);
    s->y.gain = 1.0 / s->values[P_RE];
  }
}

static GsStatus speaker_create(const GsStageEnv *env, const double *v, void **self) {
  Speaker *s = calloc(1, sizeof *s);
  if (!s) return GS_ERR_NOMEM;
  memcpy(s->values, v, sizeof s->values);
  s->rate = env->rate;
  s->avg_coef = 1.0 - exp(-1.0 / (0.1 * env->rate));
  design(s);
  *self = s;
  return GS_OK;
}

static void speaker_destroy(void *self) {
  free(self);
}

static void speaker_set_param(void *self, uint32_t index, double value) {
  Speaker *s = self;
  s->values[index] = value;
  if (index != P_SENSITIVITY && index != P_RATING) design(s);
}

static void speaker_process(void *self, const float *const *in, float *out, uint32_t n) {
  Speaker *s = self;
  const float *x = in[0];
  double avg = s->avg_power, worst = s->worst;
  for (uint32_t i = 0; i < n; i++) {
    double v = x[i];
    double cur = gs_iir_tick(&s->y, &s->st, v);
    avg += s->avg_coef * (v * cur - avg);
    if (avg > worst) worst = avg;
    out[i] = x[i];
  }
  if (!isfinite(avg) || !gs_iir_finite(&s->st)) {
    avg = 0.0;
    gs_iir_clear(&s->st);
  }
  s->avg_power = avg;
  s->worst = isfinite(worst) ? worst : 0.0;
  if (s->worst > s->values[P_RATING]) atomic_store(&s->over, true);
}

static void speaker_reset(void *self) {
  Speaker *s = self;
  gs_iir_clear(&s->st);
  s->avg_power = 0.0;
}

static bool speaker_poll(void *self, char *msg, size_t size) {
  Speaker *s = self;
  if (s->reported || !atomic_load(&s->over)) return false;
  s->reported = true;
  return gs_warn_format(msg, size,
                        "received %.0f W (100 ms average), over its %.0f W "
                        "rating",
                        s->worst, s->values[P_RATING]);
}

static double speaker_rated(const double *v) {
  return v[P_RATING];
}

const GsStageClass gs_stage_speaker = {
    .info = {.name = "speaker",
             .help = "loudspeaker impedance from Thiele-Small parameters; "
                     "passes its terminal voltage on, warns above its rating",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ANALOG},
    .ports = speaker_ports,
    .create = speaker_create,
    .destroy = speaker_destroy,
    .set_param = speaker_set_param,
    .process = speaker_process,
    .reset = speaker_reset,
    .poll = speaker_poll,
    .is_load = true,
    .rated_watts = speaker_rated,
};
