/* adc: analog to digital conversion. Volts map to full scale with an
 * explicit reference: `ref` is the dBu of a sine whose peaks reach full
 * scale, so that sine reads 0 dBFS (AES17); the default +18 dBu is the EBU
 * R68 alignment. Samples are quantized to `bits` with optional TPDF dither
 * (±1 LSB triangular: makes the error independent of the signal, noise
 * power LSB^2/4 in all, i.e. rms LSB/2, S. Lipshitz et al., JAES 1992)
 * and hard-clip at full scale as a converter does. The dither is part of
 * the conversion, not modelled noise: the chain's noise switch leaves it. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/noise.h"
#include "dsp/ramp.h"
#include "stage.h"
#include "stages/converter.h"
#include "units.h"

enum { P_REF, P_BITS, P_DITHER, P_IMPEDANCE, N_PARAMS };

static const GsParamInfo params[] = {
    [P_REF] = GS_CONVERTER_REF_PARAM,
    [P_BITS] = {.name = "bits",
                .help = "resolution",
                .type = GS_PARAM_INT,
                .unit = GS_UNIT_BITS,
                .min = 8,
                .max = 24,
                .def = 24},
    [P_DITHER] = {.name = "dither",
                  .help = "TPDF dither of ±1 LSB",
                  .type = GS_PARAM_TOGGLE,
                  .min = 0,
                  .max = 1,
                  .def = 1},
    [P_IMPEDANCE] = {.name = "impedance",
                     .help = "input impedance",
                     .type = GS_PARAM_REAL,
                     .unit = GS_UNIT_OHM,
                     .min = 600,
                     .max = 10e6,
                     .def = 10e3,
                     .flags = GS_PARAM_LOG},
};

static double fs_peak(const double *v) {
  return gs_converter_fs_peak(v[P_REF]);
}

static void adc_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  ports->yin = gs_rat_const(1.0 / v[P_IMPEDANCE]);
}

typedef struct {
  double values[N_PARAMS];
  GsRamp inv_fs; /* full scale per volt */
  uint32_t fade;
  double lsb;
  bool dither;
  GsRng rng;
  atomic_uint_fast64_t clipped;
  uint64_t clipped_seen;
} Adc;

static void update(Adc *a) {
  gs_ramp_to(&a->inv_fs, 1.0 / fs_peak(a->values), a->fade);
  a->lsb = ldexp(1.0, 1 - (int)a->values[P_BITS]);
  a->dither = a->values[P_DITHER] != 0.0;
}

static GsStatus adc_create(const GsStageEnv *env, const double *v, void **self) {
  Adc *a = calloc(1, sizeof *a);
  if (!a) return GS_ERR_NOMEM;
  memcpy(a->values, v, sizeof a->values);
  gs_rng_seed(&a->rng, env->seed);
  a->fade = gs_smooth_samples(env->rate);
  gs_ramp_init(&a->inv_fs, 1.0 / fs_peak(v));
  update(a);
  *self = a;
  return GS_OK;
}

static void adc_destroy(void *self) {
  free(self);
}

static void adc_set_param(void *self, uint32_t index, double value) {
  Adc *a = self;
  gs_shared_store(&a->values[index], value);
  update(a);
}

static void adc_process(void *self, const float *const *in, float *out, uint32_t n) {
  Adc *a = self;
  const float *x = in[0];
  const double top = 1.0 - a->lsb;
  uint64_t clipped = 0;
  for (uint32_t i = 0; i < n; i++) {
    double v = x[i] * gs_ramp_next(&a->inv_fs);
    if (a->dither) v += a->lsb * gs_rng_tpdf(&a->rng);
    double q = a->lsb * nearbyint(v / a->lsb);
    if (q > top || q < -1.0) {
      clipped++;
      q = q > top ? top : -1.0;
    }
    out[i] = (float)q;
  }
  if (clipped) atomic_fetch_add_explicit(&a->clipped, clipped, memory_order_relaxed);
}

static void adc_reset(void *self) {
  gs_ramp_finish(&((Adc *)self)->inv_fs);
}

static bool adc_poll(void *self, char *msg, size_t size) {
  Adc *a = self;
  uint64_t c = atomic_load(&a->clipped);
  if (c <= a->clipped_seen) return false;
  uint64_t d = c - a->clipped_seen;
  a->clipped_seen = c;
  return gs_warn_format(msg, size, "clipped at 0 dBFS (%+.1f dBu) in %llu samples",
                        gs_shared_load(&a->values[P_REF]), (unsigned long long)d);
}

static double adc_clip(const double *v) {
  (void)v;
  return 1.0; /* full scale */
}

static double adc_nominal(const double *v) {
  return v[P_REF] - 18.0;
}

const GsStageClass gs_stage_adc = {
    .info = {.name = "adc",
             .help = "A/D converter: volts to full scale at a reference "
                     "level, quantized, dithered, clipping at 0 dBFS",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_DIGITAL},
    .ports = adc_ports,
    .create = adc_create,
    .destroy = adc_destroy,
    .set_param = adc_set_param,
    .process = adc_process,
    .reset = adc_reset,
    .poll = adc_poll,
    .clip_peak = adc_clip,
    .nominal_level = adc_nominal,
};
