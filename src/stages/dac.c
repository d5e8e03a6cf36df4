/* dac: digital to analog conversion, the reverse of adc: full scale maps
 * to the peak of a sine at `ref` dBu; samples beyond full scale (float
 * input) clip there. The output has the line driver's impedance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/ramp.h"
#include "stage.h"
#include "stages/converter.h"
#include "units.h"

enum { P_REF, P_IMPEDANCE, N_PARAMS };

static const GsParamInfo params[] = {
    [P_REF] = GS_CONVERTER_REF_PARAM,
    [P_IMPEDANCE] = {.name = "impedance",
                     .help = "output impedance",
                     .type = GS_PARAM_REAL,
                     .unit = GS_UNIT_OHM,
                     .min = 0,
                     .max = 10e3,
                     .def = 100},
};

static double fs_peak(const double *v) {
  return gs_converter_fs_peak(v[P_REF]);
}

static void dac_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  ports->zs = gs_rat_const(v[P_IMPEDANCE]);
}

typedef struct {
  double values[N_PARAMS];
  GsRamp scale;
  uint32_t fade;
} Dac;

static GsStatus dac_create(const GsStageEnv *env, const double *v, void **self) {
  Dac *d = calloc(1, sizeof *d);
  if (!d) return GS_ERR_NOMEM;
  memcpy(d->values, v, sizeof d->values);
  d->fade = gs_smooth_samples(env->rate);
  gs_ramp_init(&d->scale, fs_peak(v));
  *self = d;
  return GS_OK;
}

static void dac_destroy(void *self) {
  free(self);
}

static void dac_set_param(void *self, uint32_t index, double value) {
  Dac *d = self;
  d->values[index] = value;
  gs_ramp_to(&d->scale, fs_peak(d->values), d->fade);
}

static void dac_process(void *self, const float *const *in, float *out, uint32_t n) {
  Dac *d = self;
  const float *x = in[0];
  for (uint32_t i = 0; i < n; i++) {
    double v = x[i] > 1.0f ? 1.0 : (x[i] < -1.0f ? -1.0 : x[i]);
    out[i] = (float)(v * gs_ramp_next(&d->scale));
  }
}

static void dac_reset(void *self) {
  gs_ramp_finish(&((Dac *)self)->scale);
}

static double dac_clip(const double *v) {
  return fs_peak(v);
}

static double dac_nominal(const double *v) {
  (void)v;
  return -18.0;
}

const GsStageClass gs_stage_dac = {
    .info = {.name = "dac",
             .help = "D/A converter: full scale to volts at a reference level",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_DIGITAL,
             .output = GS_DOMAIN_ANALOG},
    .ports = dac_ports,
    .create = dac_create,
    .destroy = dac_destroy,
    .set_param = dac_set_param,
    .process = dac_process,
    .reset = dac_reset,
    .clip_peak = dac_clip,
    .nominal_level = dac_nominal,
};
