/* load: a resistor across the terminals, like a dummy load on a test bench.
 * Passes the voltage across it on. */
#include <stdlib.h>
#include <string.h>

#include "stage.h"

static const GsParamInfo params[] = {
    {.name = "ohms",
     .help = "resistance",
     .type = GS_PARAM_REAL,
     .unit = GS_UNIT_OHM,
     .min = 0.1,
     .max = 10e6,
     .def = 8,
     .flags = GS_PARAM_LOG},
};

static void load_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  ports->yin = gs_rat_const(1.0 / v[0]);
}

static GsStatus load_create(const GsStageEnv *env, const double *v, void **self) {
  (void)env;
  (void)v;
  *self = malloc(1);
  return *self ? GS_OK : GS_ERR_NOMEM;
}

static void load_destroy(void *self) {
  free(self);
}

static void load_set_param(void *self, uint32_t index, double value) {
  (void)self;
  (void)index;
  (void)value; /* the chain re-derives the junction from the ports */
}

static void load_process(void *self, const float *const *in, float *out, uint32_t n) {
  (void)self;
  if (in[0] != out) memcpy(out, in[0], n * sizeof(float));
}

const GsStageClass gs_stage_load = {
    .info = {.name = "load",
             .help = "a load resistor (dummy load); passes its voltage on",
             .params = params,
             .n_params = 1,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ANALOG},
    .ports = load_ports,
    .create = load_create,
    .destroy = load_destroy,
    .set_param = load_set_param,
    .process = load_process,
    .is_load = true,
};
