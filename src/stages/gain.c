/* gain: an ideal gain (or loss) in dB, for volts or full-scale samples. */
#include <stdlib.h>

#include "dsp/ramp.h"
#include "stage.h"

static const GsParamInfo params[] = {
    {.name = "db",
     .help = "gain (negative: loss)",
     .type = GS_PARAM_REAL,
     .unit = GS_UNIT_DB,
     .min = -120,
     .max = 60,
     .def = 0},
};

typedef struct {
  GsRamp g;
  uint32_t fade;
} Gain;

static GsStatus gain_create(const GsStageEnv *env, const double *v, void **self) {
  Gain *g = calloc(1, sizeof *g);
  if (!g) return GS_ERR_NOMEM;
  g->fade = gs_smooth_samples(env->rate);
  gs_ramp_init(&g->g, gs_db_to_gain(v[0]));
  *self = g;
  return GS_OK;
}

static void gain_destroy(void *self) {
  free(self);
}

static void gain_set_param(void *self, uint32_t index, double value) {
  (void)index;
  Gain *g = self;
  gs_ramp_to(&g->g, gs_db_to_gain(value), g->fade);
}

static void gain_process(void *self, const float *const *in, float *out, uint32_t n) {
  Gain *g = self;
  const float *x = in[0];
  if (!gs_ramp_moving(&g->g)) {
    double k = g->g.value;
    for (uint32_t i = 0; i < n; i++) out[i] = (float)(x[i] * k);
    return;
  }
  for (uint32_t i = 0; i < n; i++) out[i] = (float)(x[i] * gs_ramp_next(&g->g));
}

static void gain_reset(void *self) {
  gs_ramp_finish(&((Gain *)self)->g);
}

const GsStageClass gs_stage_gain = {
    .info = {.name = "gain",
             .help = "ideal gain or loss",
             .params = params,
             .n_params = 1,
             .input = GS_DOMAIN_ANY,
             .output = GS_DOMAIN_ANY},
    .create = gain_create,
    .destroy = gain_destroy,
    .set_param = gain_set_param,
    .process = gain_process,
    .reset = gain_reset,
};
