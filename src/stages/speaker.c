/* speaker: a moving-coil loudspeaker, electrical and acoustic.
 *
 * Electrical: the impedance the amplifier sees, from Thiele–Small
 * parameters (src/dsp/loudspeaker.c), shifted by a sealed box.
 * Acoustic (output=air): sound pressure at `distance` on axis. The level
 * follows the sensitivity — dB SPL at 1 m for 1 W, i.e. sqrt(1 W x nominal
 * ohms) volts (2.83 V for 8 Ω), referred to 1 kHz — and falls as 1/r
 * (inverse square in power); the shape is Small's sealed or vented
 * high-pass (or the free-air one in an infinite baffle) times the voice
 * coil's inductive roll-off. With output=terminals it passes its terminal
 * voltage on, like a load box.
 * It watches the power it absorbs (100 ms average) against its rating, and
 * cone excursion against xmax (sealed or infinite-baffle mounting). */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/iir.h"
#include "dsp/loudspeaker.h"
#include "stage.h"

enum {
  P_RE,
  P_LE,
  P_FS,
  P_QMS,
  P_QES,
  P_SENSITIVITY,
  P_RATING,
  P_NOMINAL,
  P_VAS,
  P_SD,
  P_XMAX,
  P_BOX,
  P_PORT,
  P_DISTANCE,
  P_OUTPUT,
  N_PARAMS
};
enum { OUT_AIR, OUT_TERMINALS };

static const char *const output_names[] = {"air", "terminals", NULL};

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
                       .help = "SPL at 1 m for 1 W into the nominal impedance, at 1 kHz",
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
    [P_NOMINAL] = {.name = "nominal",
                   .help = "rated impedance (1 W = sqrt(nominal) volts)",
                   .type = GS_PARAM_REAL,
                   .unit = GS_UNIT_OHM,
                   .min = 1,
                   .max = 100,
                   .def = 8,
                   .flags = GS_PARAM_LOG},
    [P_VAS] = {.name = "vas",
               .help = "equivalent compliance volume",
               .type = GS_PARAM_REAL,
               .unit = GS_UNIT_LITRE,
               .min = 0.1,
               .max = 2000,
               .def = 90,
               .flags = GS_PARAM_LOG},
    [P_SD] = {.name = "sd",
              .help = "cone area (for excursion)",
              .unit = GS_UNIT_CM2,
              .type = GS_PARAM_REAL,
              .min = 1,
              .max = 5000,
              .def = 530,
              .flags = GS_PARAM_LOG,
              .zero = "off"},
    [P_XMAX] = {.name = "xmax",
                .help = "linear excursion limit",
                .unit = GS_UNIT_MILLIMETRE,
                .type = GS_PARAM_REAL,
                .min = 0.1,
                .max = 50,
                .def = 2,
                .flags = GS_PARAM_LOG,
                .zero = "off"},
    [P_BOX] = {.name = "box",
               .help = "box volume (off: infinite baffle or open back)",
               .type = GS_PARAM_REAL,
               .unit = GS_UNIT_LITRE,
               .min = 0.5,
               .max = 2000,
               .def = 0,
               .flags = GS_PARAM_LOG,
               .zero = "off"},
    [P_PORT] = {.name = "port",
                .help = "vented-box tuning (off: sealed)",
                .type = GS_PARAM_REAL,
                .unit = GS_UNIT_HZ,
                .min = 5,
                .max = 500,
                .def = 0,
                .flags = GS_PARAM_LOG,
                .zero = "off"},
    [P_DISTANCE] = {.name = "distance",
                    .help = "listening distance (output=air)",
                    .type = GS_PARAM_REAL,
                    .unit = GS_UNIT_METRE,
                    .min = 0.01,
                    .max = 1000,
                    .def = 1,
                    .flags = GS_PARAM_LOG},
    [P_OUTPUT] = {.name = "output",
                  .help = "air: sound pressure at the distance; terminals: its voltage",
                  .type = GS_PARAM_CHOICE,
                  .min = 0,
                  .max = 1,
                  .def = OUT_AIR,
                  .choices = output_names,
                  .flags = GS_PARAM_FIXED},
};

static GsDriver driver_of(const double *v) {
  GsDriver d = {.re = v[P_RE],
                .le = v[P_LE],
                .fs = v[P_FS],
                .qms = v[P_QMS],
                .qes = v[P_QES],
                .vas = v[P_VAS],
                .sd = v[P_SD],
                .box = v[P_BOX],
                .port = v[P_PORT]};
  return d;
}

static void speaker_domains(const double *v, GsDomain *in, GsDomain *out) {
  *in = GS_DOMAIN_ANALOG;
  *out = (int)v[P_OUTPUT] == OUT_AIR ? GS_DOMAIN_ACOUSTIC : GS_DOMAIN_ANALOG;
}

static void speaker_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  GsDriver d = driver_of(v);
  GsRational z = gs_driver_impedance(&d);
  ports->yin = gs_rat_inv(&z);
  ports->distance = v[P_DISTANCE];
}

/* Pascals at the distance per volt at the terminals. */
static GsRational pressure_per_volt(const double *v) {
  GsDriver d = driver_of(v);
  GsRational shape = gs_driver_pressure(&d);
  double at_1k = cabs(gs_rat_at_hz(&shape, 1000.0));
  /* inverse distance far away; close to a cone of known area, less */
  double a = v[P_SD] > 0.0 ? sqrt(v[P_SD] * 1e-4 / M_PI) : 0.0;
  double spread = gs_piston_spreading(v[P_DISTANCE], a) / gs_piston_spreading(1.0, a);
  double k = gs_sensitivity_pa_per_volt(v[P_SENSITIVITY], v[P_NOMINAL]) * spread / at_1k;
  shape.num = gs_poly_scale(&shape.num, k);
  return shape;
}

typedef struct {
  double values[N_PARAMS];
  double rate;
  GsIirCoefs y; /* admittance: current per volt */
  GsIirState st;
  bool air;
  GsIirCoefs p; /* pressure per volt */
  GsIirState pst;
  bool excursion;
  GsIirCoefs x; /* metres per volt */
  GsIirState xst;
  double avg_power, avg_coef;
  double worst_power, worst_x; /* audio thread; poll reads (gs_shared_load) */
  atomic_bool over_power, over_x;
  bool told_power, told_x;
} Speaker;

static void to_iir(const GsRational *r, double rate, GsIirCoefs *out) {
  GsSosCoefs sos;
  double hi = fmin(20000.0, 0.45 * rate);
  if (gs_rat_to_sos(r, rate, gs_rat_feature_hz(r, 10.0, hi), &sos)) {
    gs_iir_from_sos(out, &sos);
  } else {
    gs_iir_identity(out);
    out->gain = cabs(gs_rat_at_hz(r, 1000.0));
  }
}

/* The pressure filter keeps one order (a vented box and the coil need 5)
 * so that a morph between box types has the history it needs. */
#define PRESSURE_ORDER 6

/* live: morph the pressure response from the old one over a tick. */
static void design(Speaker *s, bool live) {
  GsDriver d = driver_of(s->values);
  GsRational z = gs_driver_impedance(&d);
  GsRational y = gs_rat_inv(&z);
  to_iir(&y, s->rate, &s->y);
  GsRational p = pressure_per_volt(s->values);
  GsIirCoefs old = s->p;
  to_iir(&p, s->rate, &s->p);
  if (s->p.order < PRESSURE_ORDER) s->p.order = PRESSURE_ORDER;
  /* live changes: the pressure the listener hears moves smoothly */
  if (live) gs_iir_morph(&s->pst, &old, GS_TICK);
  GsRational x;
  s->excursion = s->values[P_XMAX] > 0.0 && gs_driver_excursion(&d, &x);
  if (s->excursion) to_iir(&x, s->rate, &s->x);
}

static GsStatus speaker_create(const GsStageEnv *env, const double *v, void **self) {
  Speaker *s = calloc(1, sizeof *s);
  if (!s) return GS_ERR_NOMEM;
  memcpy(s->values, v, sizeof s->values);
  s->rate = env->rate;
  s->air = (int)v[P_OUTPUT] == OUT_AIR;
  s->avg_coef = 1.0 - exp(-1.0 / (0.1 * env->rate));
  design(s, false);
  *self = s;
  return GS_OK;
}

static void speaker_destroy(void *self) {
  free(self);
}

static void speaker_set_param(void *self, uint32_t index, double value) {
  Speaker *s = self;
  gs_shared_store(&s->values[index], value);
  if (index != P_RATING) design(s, true);
}

static void speaker_process(void *self, const float *const *in, float *out, uint32_t n) {
  Speaker *s = self;
  const float *x = in[0];
  double avg = s->avg_power, worst = s->worst_power, xpk = s->worst_x;
  for (uint32_t i = 0; i < n; i++) {
    double v = x[i];
    avg += s->avg_coef * (v * gs_iir_tick(&s->y, &s->st, v) - avg);
    if (avg > worst) worst = avg;
    if (s->excursion) xpk = fmax(xpk, fabs(gs_iir_tick(&s->x, &s->xst, v)));
    out[i] = s->air ? (float)gs_iir_step(&s->p, &s->pst, v) : x[i];
  }
  if (!isfinite(avg) || !gs_iir_finite(&s->st) || !gs_iir_finite(&s->pst) ||
      !gs_iir_finite(&s->xst)) {
    avg = worst = xpk = 0.0;
    gs_iir_clear(&s->st);
    gs_iir_clear(&s->pst);
    gs_iir_clear(&s->xst);
  }
  s->avg_power = avg;
  gs_shared_store(&s->worst_power, worst);
  gs_shared_store(&s->worst_x, xpk);
  if (worst > s->values[P_RATING]) atomic_store(&s->over_power, true);
  if (s->excursion && xpk * 1e3 > s->values[P_XMAX]) atomic_store(&s->over_x, true);
}

static void speaker_reset(void *self) {
  Speaker *s = self;
  gs_iir_clear(&s->st);
  gs_iir_clear(&s->pst);
  gs_iir_clear(&s->xst);
  s->avg_power = 0.0;
}

static bool speaker_poll(void *self, char *msg, size_t size) {
  Speaker *s = self;
  if (!s->told_power && atomic_load(&s->over_power)) {
    s->told_power = true;
    return gs_warn_format(msg, size, "received %.0f W (100 ms average), over its %.0f W rating",
                          gs_shared_load(&s->worst_power), gs_shared_load(&s->values[P_RATING]));
  }
  if (!s->told_x && atomic_load(&s->over_x)) {
    s->told_x = true;
    return gs_warn_format(msg, size, "the cone moved %.1f mm, beyond its xmax of %.1f mm",
                          gs_shared_load(&s->worst_x) * 1e3, gs_shared_load(&s->values[P_XMAX]));
  }
  return false;
}

static double speaker_rated(const double *v) {
  return v[P_RATING];
}

/* An infinite baffle is the limit of an ever larger sealed box: a live
 * move into or out of a box ramps through the sizes in between. */
static double speaker_resolve(const double *v, const GsPorts *upstream, uint32_t index) {
  (void)upstream;
  return index == P_BOX ? 1e7 : v[index];
}

static double speaker_spl_1m(const double *v, double vrms) {
  return gs_sensitivity_spl(v[P_SENSITIVITY], v[P_NOMINAL], vrms);
}

const GsStageClass gs_stage_speaker = {
    .info = {.name = "speaker",
             .help = "loudspeaker: impedance from Thiele-Small parameters; sound pressure at a "
                     "distance from its sensitivity, box and distance",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ACOUSTIC},
    .domains = speaker_domains,
    .ports = speaker_ports,
    .create = speaker_create,
    .destroy = speaker_destroy,
    .set_param = speaker_set_param,
    .resolve = speaker_resolve,
    .process = speaker_process,
    .reset = speaker_reset,
    .poll = speaker_poll,
    .is_load = true,
    .rated_watts = speaker_rated,
    .spl_1m = speaker_spl_1m,
};
