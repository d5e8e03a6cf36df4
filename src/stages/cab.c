/* cab: a loudspeaker cabinet and its microphone, as an impulse response
 * played by the zero-latency convolver.
 *
 * ir=FILE: any IR libsndfile reads, at any rate (src/ir_file.c), used as
 *   a filter on whatever comes in (volts or full scale); `mix` blends the
 *   dry signal back.
 * model=...: a cabinet synthesized from its physical description
 *   (src/stages/cab_model.c): its input is the speaker terminals (the
 *   amplifier sees the drivers' impedance), its output the sound pressure
 *   at the microphone position, for a `mic` stage to pick up. Every
 *   physical value is a parameter, "auto" taking the model's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/convolver.h"
#include "dsp/loudspeaker.h"
#include "dsp/ramp.h"
#include "ir_file.h"
#include "stage.h"
#include "stages/cab_model.h"

enum {
  P_MODEL,
  P_IR,
  P_NORMALIZE,
  P_TRIM,
  P_LENGTH,
  P_MIX,
  P_DRIVERS,
  P_RE,
  P_LE,
  P_FS,
  P_QMS,
  P_QES,
  P_VAS,
  P_BOX,
  P_PORT,
  P_DEPTH,
  P_BREAKUP,
  P_BAFFLE,
  P_CROSSOVER,
  P_SENSITIVITY,
  P_DISTANCE,
  P_OFFSET,
  N_PARAMS
};
enum { M_OPEN_1X12, M_CLOSED_2X12, M_CLOSED_4X12, M_BOOKSHELF, M_PA };

static const char *const model_names[] = {"open-1x12", "closed-2x12", "closed-4x12",
                                          "bookshelf", "pa",          NULL};

/* The models' physical descriptions. Guitar drivers are of the order of
 * published 12-inch Celestion and Jensen data; the hi-fi woofer a
 * 6.5-inch, the PA woofer a 15-inch under a compression-driver horn. */
static const GsCabinet models[] = {
    [M_OPEN_1X12] =
        {.driver = {.re = 6.4, .le = 0.6e-3, .fs = 85, .qms = 5.0, .qes = 0.50, .vas = 90},
         .drivers = 1,
         .depth = 0.25,
         .breakup = 2500,
         .baffle = 0.45,
         .radius = 0.12,
         .sensitivity = 98,
         .nominal = 8,
         .distance = 0.03,
         .offset = 0.04},
    [M_CLOSED_2X12] =
        {.driver =
             {.re = 6.4, .le = 0.6e-3, .fs = 80, .qms = 5.0, .qes = 0.45, .vas = 90, .box = 60},
         .drivers = 2,
         .spacing = 0.33,
         .breakup = 2800,
         .baffle = 0.70,
         .radius = 0.12,
         .sensitivity = 101,
         .nominal = 8,
         .distance = 0.03,
         .offset = 0.03},
    [M_CLOSED_4X12] =
        {.driver =
             {.re = 6.4, .le = 0.6e-3, .fs = 75, .qms = 5.0, .qes = 0.45, .vas = 90, .box = 120},
         .drivers = 4,
         .spacing = 0.33,
         .breakup = 2600,
         .baffle = 0.75,
         .radius = 0.12,
         .sensitivity = 102,
         .nominal = 8,
         .distance = 0.03,
         .offset = 0.03},
    [M_BOOKSHELF] = {.driver = {.re = 5.6,
                                .le = 0.4e-3,
                                .fs = 45,
                                .qms = 4.0,
                                .qes = 0.45,
                                .vas = 25,
                                .box = 12,
                                .port = 48},
                     .drivers = 1,
                     .breakup = 6000,
                     .baffle = 0.20,
                     .crossover = 2500,
                     .tweeter_fs = 900,
                     .tweeter_dy = 0.12,
                     .radius = 0.06,
                     .sensitivity = 87,
                     .nominal = 8,
                     .distance = 1.0},
    [M_PA] = {.driver = {.re = 5.2,
                         .le = 1.2e-3,
                         .fs = 40,
                         .qms = 6.0,
                         .qes = 0.35,
                         .vas = 180,
                         .box = 90,
                         .port = 45},
              .drivers = 1,
              .breakup = 2500,
              .baffle = 0.50,
              .crossover = 1600,
              .tweeter_fs = 600,
              .tweeter_dy = 0.35,
              .radius = 0.17,
              .sensitivity = 99,
              .nominal = 8,
              .distance = 1.0},
};

#define AUTO .zero = "auto"
static const GsParamInfo params[] = {
    [P_MODEL] = {.name = "model",
                 .help = "built-in cabinet (ignored when ir is given)",
                 .type = GS_PARAM_CHOICE,
                 .min = 0,
                 .max = 4,
                 .def = M_CLOSED_2X12,
                 .choices = model_names,
                 .flags = GS_PARAM_FIXED},
    [P_IR] = {.name = "ir",
              .help = "an impulse response file to use instead of a model",
              .type = GS_PARAM_PATH,
              .min = 0,
              .max = 1,
              .def = 0,
              .flags = GS_PARAM_FIXED},
    [P_NORMALIZE] = {.name = "normalize",
                     .help = "ir: scale to 0 dB average, 100 Hz-5 kHz",
                     .type = GS_PARAM_TOGGLE,
                     .min = 0,
                     .max = 1,
                     .def = 1,
                     .flags = GS_PARAM_FIXED},
    [P_TRIM] = {.name = "trim",
                .help = "ir: drop leading silence (below -60 dB)",
                .type = GS_PARAM_TOGGLE,
                .min = 0,
                .max = 1,
                .def = 1,
                .flags = GS_PARAM_FIXED},
    [P_LENGTH] = {.name = "length",
                  .help = "ir: truncate to this length, with a fade",
                  .type = GS_PARAM_REAL,
                  .unit = GS_UNIT_SECOND,
                  .min = 0.001,
                  .max = 10,
                  .def = 0,
                  .flags = GS_PARAM_FIXED,
                  .zero = "off"},
    [P_MIX] = {.name = "mix",
               .help = "wet fraction (ir)",
               .type = GS_PARAM_REAL,
               .unit = GS_UNIT_POSITION,
               .min = 0,
               .max = 1,
               .def = 1},
    [P_DRIVERS] = {.name = "drivers",
                   .help = "drivers (auto: by model)",
                   .type = GS_PARAM_INT,
                   .min = 1,
                   .max = 4,
                   .def = 0,
                   .flags = GS_PARAM_FIXED,
                   AUTO},
    [P_RE] = {.name = "re",
              .help = "driver voice-coil resistance",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_OHM,
              .min = 0.5,
              .max = 100,
              .def = 0,
              .flags = GS_PARAM_FIXED,
              AUTO},
    [P_LE] = {.name = "le",
              .help = "driver voice-coil inductance",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_HENRY,
              .min = 1e-6,
              .max = 20e-3,
              .def = 0,
              .flags = GS_PARAM_FIXED,
              AUTO},
    [P_FS] = {.name = "fs",
              .help = "driver free-air resonance",
              .type = GS_PARAM_REAL,
              .unit = GS_UNIT_HZ,
              .min = 10,
              .max = 500,
              .def = 0,
              .flags = GS_PARAM_FIXED,
              AUTO},
    [P_QMS] = {.name = "qms",
               .help = "driver mechanical Q",
               .type = GS_PARAM_REAL,
               .min = 0.3,
               .max = 30,
               .def = 0,
               .flags = GS_PARAM_FIXED,
               AUTO},
    [P_QES] = {.name = "qes",
               .help = "driver electrical Q",
               .type = GS_PARAM_REAL,
               .min = 0.05,
               .max = 10,
               .def = 0,
               .flags = GS_PARAM_FIXED,
               AUTO},
    [P_VAS] = {.name = "vas",
               .help = "driver compliance volume",
               .type = GS_PARAM_REAL,
               .unit = GS_UNIT_LITRE,
               .min = 0.1,
               .max = 2000,
               .def = 0,
               .flags = GS_PARAM_FIXED,
               AUTO},
    [P_BOX] = {.name = "box",
               .help = "box volume (auto: the model's; closes an open back)",
               .type = GS_PARAM_REAL,
               .unit = GS_UNIT_LITRE,
               .min = 0.5,
               .max = 2000,
               .def = 0,
               .flags = GS_PARAM_FIXED,
               AUTO},
    [P_PORT] = {.name = "port",
                .help = "vented tuning (auto: the model's, none for sealed models)",
                .type = GS_PARAM_REAL,
                .unit = GS_UNIT_HZ,
                .min = 5,
                .max = 500,
                .def = 0,
                .flags = GS_PARAM_FIXED,
                AUTO},
    [P_DEPTH] = {.name = "depth",
                 .help = "open back: the rear wave's extra path (opens a closed back)",
                 .type = GS_PARAM_REAL,
                 .unit = GS_UNIT_METRE,
                 .min = 0.01,
                 .max = 2,
                 .def = 0,
                 .flags = GS_PARAM_FIXED,
                 AUTO},
    [P_BREAKUP] = {.name = "breakup",
                   .help = "first cone break-up resonance",
                   .type = GS_PARAM_REAL,
                   .unit = GS_UNIT_HZ,
                   .min = 500,
                   .max = 20000,
                   .def = 0,
                   .flags = GS_PARAM_FIXED,
                   AUTO},
    [P_BAFFLE] = {.name = "baffle",
                  .help = "baffle width (baffle step beyond 0.3 m)",
                  .type = GS_PARAM_REAL,
                  .unit = GS_UNIT_METRE,
                  .min = 0.05,
                  .max = 3,
                  .def = 0,
                  .flags = GS_PARAM_FIXED,
                  AUTO},
    [P_CROSSOVER] = {.name = "crossover",
                     .help = "crossover to a tweeter (auto: the model's, none for one-way models)",
                     .type = GS_PARAM_REAL,
                     .unit = GS_UNIT_HZ,
                     .min = 200,
                     .max = 10000,
                     .def = 0,
                     .flags = GS_PARAM_FIXED,
                     AUTO},
    [P_SENSITIVITY] = {.name = "sensitivity",
                       .help = "1 W, 1 m, on axis, 1 kHz",
                       .type = GS_PARAM_REAL,
                       .unit = GS_UNIT_DB_SPL,
                       .min = 70,
                       .max = 120,
                       .def = 0,
                       .flags = GS_PARAM_FIXED,
                       AUTO},
    [P_DISTANCE] = {.name = "distance",
                    .help = "microphone from the baffle",
                    .type = GS_PARAM_REAL,
                    .unit = GS_UNIT_METRE,
                    .min = 0.005,
                    .max = 100,
                    .def = 0,
                    .flags = GS_PARAM_FIXED | GS_PARAM_LOG,
                    AUTO},
    [P_OFFSET] = {.name = "offset",
                  .help = "microphone across from the cone's centre",
                  .type = GS_PARAM_REAL,
                  .unit = GS_UNIT_METRE,
                  .min = 0.001,
                  .max = 2,
                  .def = 0,
                  .flags = GS_PARAM_FIXED,
                  AUTO},
};
#undef AUTO

static bool file_mode(const double *v) {
  return v[P_IR] != 0.0;
}

static double pick(double v, double fallback) {
  return v > 0.0 ? v : fallback;
}

/* The model with every parameter given in place of its own. */
static GsCabinet cabinet_of(const double *v) {
  GsCabinet c = models[(int)v[P_MODEL]];
  GsDriver *d = &c.driver;
  d->re = pick(v[P_RE], d->re);
  d->le = pick(v[P_LE], d->le);
  d->fs = pick(v[P_FS], d->fs);
  d->qms = pick(v[P_QMS], d->qms);
  d->qes = pick(v[P_QES], d->qes);
  d->vas = pick(v[P_VAS], d->vas);
  d->box = pick(v[P_BOX], d->box);
  d->port = pick(v[P_PORT], d->port);
  /* a box given closes an open back; a depth given opens a closed one */
  if (v[P_BOX] > 0.0 && !(v[P_DEPTH] > 0.0)) c.depth = 0.0;
  if (v[P_DEPTH] > 0.0) d->box = d->port = 0.0;
  c.drivers = (int)pick(v[P_DRIVERS], c.drivers);
  c.depth = pick(v[P_DEPTH], c.depth);
  c.breakup = pick(v[P_BREAKUP], c.breakup);
  c.baffle = pick(v[P_BAFFLE], c.baffle);
  c.crossover = pick(v[P_CROSSOVER], c.crossover);
  c.sensitivity = pick(v[P_SENSITIVITY], c.sensitivity);
  c.distance = pick(v[P_DISTANCE], c.distance);
  c.offset = pick(v[P_OFFSET], c.offset);
  return c;
}

static void cab_domains(const double *v, GsDomain *in, GsDomain *out) {
  *in = file_mode(v) ? GS_DOMAIN_ANY : GS_DOMAIN_ANALOG;
  *out = file_mode(v) ? GS_DOMAIN_ANY : GS_DOMAIN_ACOUSTIC;
}

/* The drivers wired for the nominal impedance: the array looks like one. */
static void cab_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  if (file_mode(v)) return;
  GsCabinet c = cabinet_of(v);
  GsRational z = gs_driver_impedance(&c.driver);
  ports->yin = gs_rat_inv(&z);
  ports->distance = c.distance;
}

typedef struct {
  GsConvolver *conv;
  bool file;
  GsRamp wet;
  float *dry; /* GS_MAX_BLOCK, for mix */
} Cab;

static void cab_destroy(void *self) {
  Cab *c = self;
  if (!c) return;
  gs_convolver_free(c->conv);
  free(c->dry);
  free(c);
}

static float *load(const GsStageEnv *env, const double *v, size_t *len, GsStatus *st) {
  if (!file_mode(v)) {
    GsCabinet cab = cabinet_of(v);
    float *ir = gs_cab_synthesize(&cab, env->rate, len);
    *st = ir ? GS_OK : GS_ERR_NOMEM;
    return ir;
  }
  GsIrOptions opt = {
      .normalize = v[P_NORMALIZE] != 0.0, .trim = v[P_TRIM] != 0.0, .length = v[P_LENGTH]};
  float *ir = NULL;
  *st = gs_ir_load(env->paths[P_IR], env->rate, &opt, &ir, len, env->why, env->why_size);
  return ir;
}

static GsStatus cab_create(const GsStageEnv *env, const double *v, void **self) {
  Cab *c = calloc(1, sizeof *c);
  if (!c) return GS_ERR_NOMEM;
  c->file = file_mode(v);
  size_t len = 0;
  GsStatus st;
  float *ir = load(env, v, &len, &st);
  if (st == GS_OK) {
    c->conv = gs_convolver_new(ir, len);
    c->dry = malloc(GS_MAX_BLOCK * sizeof(float));
    if (!c->conv || !c->dry) st = GS_ERR_NOMEM;
  }
  free(ir);
  if (st != GS_OK) {
    cab_destroy(c);
    return st;
  }
  gs_ramp_init(&c->wet, c->file ? v[P_MIX] : 1.0);
  *self = c;
  return GS_OK;
}

static void cab_set_param(void *self, uint32_t index, double value) {
  Cab *c = self;
  if (index == P_MIX && c->file) gs_ramp_to(&c->wet, value, GS_TICK);
}

static void cab_process(void *self, const float *const *in, float *out, uint32_t n) {
  Cab *c = self;
  bool blend = c->file && (gs_ramp_moving(&c->wet) || c->wet.value != 1.0);
  if (blend) memcpy(c->dry, in[0], n * sizeof(float));
  gs_convolver_process(c->conv, in[0], out, n);
  if (!blend) return;
  for (uint32_t i = 0; i < n; i++) {
    double w = gs_ramp_next(&c->wet);
    out[i] = (float)(w * out[i] + (1.0 - w) * c->dry[i]);
  }
}

static void cab_reset(void *self) {
  Cab *c = self;
  gs_convolver_reset(c->conv);
  gs_ramp_finish(&c->wet);
}

static double cab_spl_1m(const double *v, double vrms) {
  if (file_mode(v)) return NAN;
  GsCabinet c = cabinet_of(v);
  return gs_sensitivity_spl(c.sensitivity, c.nominal, vrms);
}

const GsStageClass gs_stage_cab = {
    .info = {.name = "cab",
             .help = "cabinet and mic position: a built-in model synthesized from its physics, "
                     "or an IR file, by zero-latency convolution",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ACOUSTIC},
    .domains = cab_domains,
    .ports = cab_ports,
    .create = cab_create,
    .destroy = cab_destroy,
    .set_param = cab_set_param,
    .process = cab_process,
    .reset = cab_reset,
    .is_load = true,
    .excess_phase = true,
    .spl_1m = cab_spl_1m,
};
