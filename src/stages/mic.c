/* mic: sound pressure to volts.
 *
 * Level: `sensitivity` mV per pascal at 1 kHz, on axis, far away.
 * Pattern: a mix of a pressure (omni) part a and a pressure-gradient part
 * 1 - a: omni a = 1, cardioid 0.5, figure-8 0. Off axis the gradient part
 * goes with cos(angle). Close to a source, the gradient part of a
 * spherical wave rises as 1 + c / (j w r): the proximity effect, which
 * is why directional mics boom close up. Each type's mechanics roll the
 * lows off below a corner (dynamic 40 Hz, condenser 20 Hz, ribbon 30 Hz).
 * Off axis a diaphragm of radius d loses highs like a piston: a 2nd-order
 * low-pass at 1.6 c / (2 pi d sin(angle)).
 * Noise: `selfnoise` in dB(A) SPL, as data sheets give it, as white noise
 * whose A-weighted level is that.
 * Terminals: the capsule's output impedance; a condenser needs phantom
 * power, +48 V can harm a ribbon (the preamp acts on both). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/iir.h"
#include "dsp/noise.h"
#include "gainstage/analyze.h"
#include "stage.h"

enum { P_TYPE, P_PATTERN, P_SENSITIVITY, P_SELFNOISE, P_DISTANCE, P_ANGLE, N_PARAMS };
enum { T_DYNAMIC, T_CONDENSER, T_RIBBON };
enum { PAT_AUTO, PAT_OMNI, PAT_CARDIOID, PAT_FIGURE8 };

static const char *const type_names[] = {"dynamic", "condenser", "ribbon", NULL};
static const char *const pattern_names[] = {"auto", "omni", "cardioid", "figure8", NULL};

static const GsParamInfo params[] = {
    [P_TYPE] = {.name = "type",
                .help = "dynamic, condenser (needs phantom) or ribbon",
                .type = GS_PARAM_CHOICE,
                .min = 0,
                .max = 2,
                .def = T_DYNAMIC,
                .choices = type_names,
                .flags = GS_PARAM_FIXED},
    [P_PATTERN] = {.name = "pattern",
                   .help = "polar pattern (auto: dynamic and condenser cardioid, ribbon "
                           "figure-8)",
                   .type = GS_PARAM_CHOICE,
                   .min = 0,
                   .max = 3,
                   .def = PAT_AUTO,
                   .choices = pattern_names},
    [P_SENSITIVITY] = {.name = "sensitivity",
                       .help = "output at 1 kHz for 1 Pa (94 dB SPL) (auto: dynamic 2, "
                               "condenser 20, ribbon 1.5)",
                       .type = GS_PARAM_REAL,
                       .unit = GS_UNIT_MV_PER_PA,
                       .min = 0.01,
                       .max = 200,
                       .def = 0,
                       .flags = GS_PARAM_LOG,
                       .zero = "auto"},
    [P_SELFNOISE] = {.name = "selfnoise",
                     .help = "equivalent noise, A-weighted (auto: dynamic 18, condenser 14, "
                             "ribbon 20)",
                     .type = GS_PARAM_REAL,
                     .unit = GS_UNIT_DB_SPL,
                     .min = 1,
                     .max = 60,
                     .def = 0,
                     .zero = "auto"},
    [P_DISTANCE] = {.name = "distance",
                    .help = "distance to the source, for the proximity effect (auto: the "
                            "speaker's distance, else 1 m)",
                    .type = GS_PARAM_REAL,
                    .unit = GS_UNIT_METRE,
                    .min = 0.005,
                    .max = 100,
                    .def = 0,
                    .flags = GS_PARAM_LOG,
                    .zero = "auto",
                    .smooth = 0.1},
    [P_ANGLE] = {.name = "angle",
                 .help = "angle off the mic's axis",
                 .type = GS_PARAM_REAL,
                 .unit = GS_UNIT_DEGREE,
                 .min = 0,
                 .max = 180,
                 .def = 0},
};

typedef struct {
  double sensitivity, selfnoise, ohms, low_corner, radius;
  int pattern;
  GsPhantomNeed phantom;
} TypeDefaults;

static const TypeDefaults types[] = {
    [T_DYNAMIC] = {2.0, 18.0, 300.0, 40.0, 0.012, PAT_CARDIOID, GS_PHANTOM_NONE},
    [T_CONDENSER] = {20.0, 14.0, 150.0, 20.0, 0.0127, PAT_CARDIOID, GS_PHANTOM_REQUIRED},
    [T_RIBBON] = {1.5, 20.0, 300.0, 30.0, 0.02, PAT_FIGURE8, GS_PHANTOM_HARMFUL},
};

static const TypeDefaults *type_of(const double *v) {
  return &types[(int)v[P_TYPE]];
}

static double pick(double v, double fallback) {
  return v > 0.0 ? v : fallback;
}

static double omni_part(const double *v) {
  int p = (int)v[P_PATTERN] ? (int)v[P_PATTERN] : type_of(v)->pattern;
  return p == PAT_OMNI ? 1.0 : p == PAT_CARDIOID ? 0.5 : 0.0;
}

/* Volts per pascal as a rational function of s (see the top). */
static GsRational response(const double *v, double distance) {
  const double c = 343.0, pi = 3.14159265358979323846;
  const TypeDefaults *t = type_of(v);
  double a = omni_part(v), th = v[P_ANGLE] * pi / 180.0, g = (1.0 - a) * cos(th);
  double k = pick(v[P_SENSITIVITY], t->sensitivity) * 1e-3;
  /* (a s + g (s + c / r)) / s, times s^2 / (s^2 + s w/Q + w^2) */
  double w = 2.0 * pi * t->low_corner;
  GsPoly prox = gs_poly_linear(g * c / distance, a + g);
  GsPoly s1 = gs_poly_linear(0.0, 1.0);
  GsPoly num = gs_poly_mul(&prox, &s1);
  GsPoly den = gs_poly_linear(w * w, w / M_SQRT1_2);
  den.c[2] = 1.0;
  den.deg = 2;
  GsRational r = gs_rat_make(gs_poly_scale(&num, k), den);
  /* off axis: a piston's high-frequency loss. On axis counts as 3 degrees
   * off (under 0.02 dB at 20 kHz) so that the filter keeps one shape as
   * the angle moves. */
  double wc = 1.6 * c / (t->radius * fmax(sin(th), 0.05));
  GsPoly lpd = gs_poly_linear(wc * wc, wc / M_SQRT1_2);
  lpd.c[2] = 1.0;
  lpd.deg = 2;
  GsRational lp = gs_rat_make(gs_poly_const(wc * wc), lpd);
  return gs_rat_mul(&r, &lp);
}

static void mic_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  const TypeDefaults *t = type_of(v);
  ports->zs = gs_rat_const(t->ohms);
  ports->phantom = t->phantom;
  ports->source_name = (int)v[P_TYPE] == T_CONDENSER ? "condenser mic"
                       : (int)v[P_TYPE] == T_RIBBON  ? "ribbon mic"
                                                     : "dynamic mic";
}

typedef struct {
  double values[N_PARAMS];
  double rate, upstream_distance;
  GsIirCoefs h;
  GsIirState st;
  GsRng rng;
  double noise_rms; /* pascals, per sample */
  bool noise;
} Mic;

static double distance_of(const Mic *m) {
  return pick(m->values[P_DISTANCE], m->upstream_distance > 0.0 ? m->upstream_distance : 1.0);
}

/* White noise of A-weighted level L: its unweighted rms is L's over the
 * A-weighting's power average across 20 Hz - 20 kHz. */
static double noise_pascals(const Mic *m) {
  double l = pick(m->values[P_SELFNOISE], type_of(m->values)->selfnoise);
  double acc = 0.0;
  int n = 0;
  for (double f = 20.0; f <= 20000.0; f += 10.0, n++) {
    acc += pow(10.0, gs_a_weighting_db(f) / 10.0);
  }
  double a_rms = 20e-6 * pow(10.0, l / 20.0);
  return gs_white_scale(a_rms / sqrt(acc / n), m->rate);
}

static void design(Mic *m) {
  GsRational r = response(m->values, distance_of(m));
  GsSosCoefs sos;
  GsIirCoefs old = m->h;
  if (gs_rat_to_sos(&r, m->rate, gs_rat_feature_hz(&r, 10.0, fmin(20000.0, 0.45 * m->rate)),
                    &sos)) {
    gs_iir_from_sos(&m->h, &sos);
    if (old.order || old.gain != 0.0) gs_iir_morph(&m->st, &old, GS_TICK);
  }
  m->noise_rms = noise_pascals(m);
}

static GsStatus mic_create(const GsStageEnv *env, const double *v, void **self) {
  Mic *m = calloc(1, sizeof *m);
  if (!m) return GS_ERR_NOMEM;
  memcpy(m->values, v, sizeof m->values);
  m->rate = env->rate;
  m->upstream_distance = env->upstream ? env->upstream[0].distance : 0.0;
  gs_rng_seed(&m->rng, env->seed);
  m->noise = env->noise;
  design(m);
  gs_iir_clear(&m->st);
  *self = m;
  return GS_OK;
}

static void mic_destroy(void *self) {
  free(self);
}

static void mic_set_param(void *self, uint32_t index, double value) {
  Mic *m = self;
  m->values[index] = value;
  design(m);
}

static void mic_process(void *self, const float *const *in, float *out, uint32_t n) {
  Mic *m = self;
  const float *x = in[0];
  for (uint32_t i = 0; i < n; i++) {
    double p = x[i];
    if (m->noise) p += m->noise_rms * gs_rng_gauss(&m->rng);
    out[i] = (float)p;
  }
  gs_iir_run(&m->h, &m->st, out, n);
}

static void mic_reset(void *self) {
  gs_iir_clear(&((Mic *)self)->st);
}

static void mic_set_noise(void *self, bool on) {
  ((Mic *)self)->noise = on;
}

static double mic_resolve(const double *v, const GsPorts *upstream, uint32_t index) {
  switch (index) {
    case P_SENSITIVITY: return type_of(v)->sensitivity;
    case P_SELFNOISE: return type_of(v)->selfnoise;
    case P_DISTANCE: return upstream && upstream->distance > 0.0 ? upstream->distance : 1.0;
    default: return v[index];
  }
}

static double mic_nominal(const double *v) {
  (void)v;
  return 94.0; /* dB SPL: 1 Pa, the sensitivity's reference */
}

const GsStageClass gs_stage_mic = {
    .info = {.name = "mic",
             .help = "microphone: pascals to volts with sensitivity, pattern, proximity effect, "
                     "off-axis loss and self-noise",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ACOUSTIC,
             .output = GS_DOMAIN_ANALOG},
    .ports = mic_ports,
    .create = mic_create,
    .destroy = mic_destroy,
    .set_param = mic_set_param,
    .process = mic_process,
    .reset = mic_reset,
    .set_noise = mic_set_noise,
    .nominal_level = mic_nominal,
    .resolve = mic_resolve,
};
