/* source: where a file enters the analog world.
 *
 * A sample of the file is the source's internal EMF in full scale; fs_volts
 * says how many volts a full-scale peak is. The output network is the
 * source's own: a series resistance (and, for magnetic pickups and phono
 * cartridges, the coil inductance) then a shunt capacitance (the coil's
 * self-capacitance plus the cable's), so the next stage's input impedance
 * shapes the response as it does with the real thing.
 *
 * The source's resistance adds Johnson noise, sqrt(4 k T R B) at 290 K. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/noise.h"
#include "dsp/ramp.h"
#include "stage.h"
#include "units.h"

enum { P_TYPE, P_FS_VOLTS, P_CABLE, P_IMPEDANCE, P_INDUCTANCE, P_SELFCAP, N_PARAMS };

typedef enum {
  T_GUITAR,
  T_BASS,
  T_DYNAMIC,
  T_CONDENSER,
  T_RIBBON,
  T_LINE,
  T_PHONO,
  T_CD
} SourceType;

static const char *const type_names[] = {
    "guitar", "bass", "mic-dynamic", "mic-condenser", "mic-ribbon", "line", "phono", "cd", NULL};

/* Defaults by type. Pickups: a Strat-like single coil (6.5 kΩ, 2.5 H,
 * 120 pF); a passive bass pickup, heavier. Mics: rated impedances of common
 * dynamic (300 Ω), condenser (150 Ω) and ribbon (300 Ω) types. An MM phono
 * cartridge: 500 Ω, 0.5 H. Line out: 100 Ω. CD players: 2 Vrms at 0 dBFS
 * (IEC 60908 practice). fs_volts for the mics is a preamp-less recording's
 * full scale of some tens of pascals; line's is +18 dBu (EBU R68). */
typedef struct {
  double ohms, henry, farad, fs_volts;
  GsPhantomNeed phantom;
} TypeDefaults;

static const TypeDefaults defaults[] = {
    [T_GUITAR] = {6.5e3, 2.5, 120e-12, 1.0, GS_PHANTOM_NONE},
    [T_BASS] = {7.5e3, 3.7, 150e-12, 1.5, GS_PHANTOM_NONE},
    [T_DYNAMIC] = {300.0, 0.0, 0.0, 0.1, GS_PHANTOM_NONE},
    [T_CONDENSER] = {150.0, 0.0, 0.0, 1.0, GS_PHANTOM_REQUIRED},
    [T_RIBBON] = {300.0, 0.0, 0.0, 0.05, GS_PHANTOM_HARMFUL},
    [T_LINE] = {100.0, 0.0, 0.0, 8.7015, GS_PHANTOM_NONE}, /* +18 dBu */
    [T_PHONO] = {500.0, 0.5, 0.0, 0.05, GS_PHANTOM_NONE},
    [T_CD] = {100.0, 0.0, 0.0, 2.0 * GS_SQRT2, GS_PHANTOM_NONE},
};

static const GsParamInfo params[] = {
    [P_TYPE] = {.name = "type",
                .help = "what is plugged in",
                .type = GS_PARAM_CHOICE,
                .min = 0,
                .max = 7,
                .def = T_GUITAR,
                .choices = type_names,
                .flags = GS_PARAM_FIXED},
    [P_FS_VOLTS] = {.name = "fs_volts",
                    .help = "peak volts of a full-scale sample (auto: by type, "
                            "e.g. guitar 1 V, cd 2.83 V)",
                    .type = GS_PARAM_REAL,
                    .unit = GS_UNIT_VOLT_PEAK,
                    .min = 1e-6,
                    .max = 100,
                    .def = 0,
                    .flags = GS_PARAM_LOG,
                    .zero = "auto"},
    [P_CABLE] = {.name = "cable",
                 .help = "cable capacitance (about 100 pF per metre)",
                 .type = GS_PARAM_REAL,
                 .unit = GS_UNIT_FARAD,
                 .min = 0,
                 .max = 100e-9,
                 .def = 300e-12,
                 .smooth = 0.1},
    [P_IMPEDANCE] = {.name = "impedance",
                     .help = "source resistance: pickup DC resistance or mic "
                             "impedance (auto: by type)",
                     .type = GS_PARAM_REAL,
                     .unit = GS_UNIT_OHM,
                     .min = 1,
                     .max = 1e6,
                     .def = 0,
                     .flags = GS_PARAM_LOG,
                     .zero = "auto"},
    [P_INDUCTANCE] = {.name = "inductance",
                      .help = "pickup or cartridge coil inductance (auto: by "
                              "type; 0 for mics and lines)",
                      .type = GS_PARAM_REAL,
                      .unit = GS_UNIT_HENRY,
                      .min = 1e-3,
                      .max = 20,
                      .def = 0,
                      .flags = GS_PARAM_LOG,
                      .zero = "auto",
                      .smooth = 0.1},
    [P_SELFCAP] = {.name = "selfcap",
                   .help = "the coil's own capacitance (auto: by type)",
                   .type = GS_PARAM_REAL,
                   .unit = GS_UNIT_FARAD,
                   .min = 1e-12,
                   .max = 10e-9,
                   .def = 0,
                   .flags = GS_PARAM_LOG,
                   .zero = "auto",
                   .smooth = 0.1},
};

typedef struct {
  GsRamp scale; /* volts per full-scale unit */
  GsRng rng;
  double noise_rms; /* per sample */
  bool noise;
  double rate;
  double values[N_PARAMS];
} Source;

static const TypeDefaults *type_of(const double *v) {
  return &defaults[(int)v[P_TYPE]];
}

static double pick(double value, double fallback) {
  return value > 0.0 ? value : fallback;
}

static double fs_volts(const double *v) {
  return pick(v[P_FS_VOLTS], type_of(v)->fs_volts);
}

static void source_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  const TypeDefaults *t = type_of(v);
  double r = pick(v[P_IMPEDANCE], t->ohms);
  double l = pick(v[P_INDUCTANCE], t->henry);
  double c = pick(v[P_SELFCAP], t->farad) + v[P_CABLE];
  ports->zs = gs_rat_make(gs_poly_linear(r, l), gs_poly_const(1.0));
  ports->ys = gs_rat_make(gs_poly_linear(0.0, c), gs_poly_const(1.0));
  ports->phantom = t->phantom;
  ports->source_name = type_names[(int)v[P_TYPE]];
}

static void update_noise(Source *s) {
  double r = pick(s->values[P_IMPEDANCE], type_of(s->values)->ohms);
  s->noise_rms = gs_thermal_vrms(r, 0.5 * s->rate);
}

static GsStatus source_create(const GsStageEnv *env, const double *v, void **self) {
  Source *s = calloc(1, sizeof *s);
  if (!s) return GS_ERR_NOMEM;
  memcpy(s->values, v, sizeof s->values);
  s->rate = env->rate;
  s->noise = env->noise;
  gs_rng_seed(&s->rng, env->seed);
  gs_ramp_init(&s->scale, fs_volts(v));
  update_noise(s);
  *self = s;
  return GS_OK;
}

static void source_destroy(void *self) {
  free(self);
}

static void source_set_param(void *self, uint32_t index, double value) {
  Source *s = self;
  s->values[index] = value;
  if (index == P_FS_VOLTS) {
    gs_ramp_to(&s->scale, fs_volts(s->values), gs_smooth_samples(s->rate));
  }
  if (index == P_IMPEDANCE) update_noise(s);
}

static void source_process(void *self, const float *const *in, float *out, uint32_t n) {
  Source *s = self;
  const float *x = in[0];
  if (s->noise) {
    for (uint32_t i = 0; i < n; i++) {
      double g = gs_ramp_next(&s->scale);
      out[i] = (float)(x[i] * g + s->noise_rms * gs_rng_gauss(&s->rng));
    }
  } else {
    for (uint32_t i = 0; i < n; i++) {
      out[i] = (float)(x[i] * gs_ramp_next(&s->scale));
    }
  }
}

static void source_reset(void *self) {
  gs_ramp_finish(&((Source *)self)->scale);
}

static void source_set_noise(void *self, bool on) {
  ((Source *)self)->noise = on;
}

static double source_clip(const double *v) {
  return fs_volts(v);
}

static double source_resolve(const double *v, const GsPorts *upstream, uint32_t index) {
  (void)upstream;
  const TypeDefaults *t = type_of(v);
  switch (index) {
    case P_FS_VOLTS: return t->fs_volts;
    case P_IMPEDANCE: return t->ohms;
    case P_INDUCTANCE: return t->henry;
    case P_SELFCAP: return t->farad;
    default: return v[index];
  }
}

static double source_nominal(const double *v) {
  (void)v;
  return -18.0; /* dBFS: the EBU R68 alignment level */
}

const GsStageClass gs_stage_source = {
    .info = {.name = "source",
             .help = "a file enters as a guitar, bass, mic, line, phono or CD "
                     "source with its own impedance and noise",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_DIGITAL,
             .output = GS_DOMAIN_ANALOG},
    .ports = source_ports,
    .create = source_create,
    .destroy = source_destroy,
    .set_param = source_set_param,
    .process = source_process,
    .reset = source_reset,
    .set_noise = source_set_noise,
    .clip_peak = source_clip,
    .nominal_level = source_nominal,
    .resolve = source_resolve,
};
