/* Seeded noise: a small, fast PRNG (xoshiro256**, Blackman & Vigna 2018)
 * and Gaussian samples (Marsaglia polar method), so every modelled noise
 * source is reproducible from the chain's seed. Real-time safe. */
#ifndef GS_DSP_NOISE_H
#define GS_DSP_NOISE_H

#include <stdint.h>

typedef struct {
  uint64_t s[4];
  double spare;
  int has_spare;
} GsRng;

void gs_rng_seed(GsRng *r, uint64_t seed);
uint64_t gs_rng_next(GsRng *r);

/* Uniform in [0, 1). */
static inline double gs_rng_uniform(GsRng *r) {
  return (double)(gs_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal. */
double gs_rng_gauss(GsRng *r);

/* Triangular (TPDF) in (-1, 1): the sum of two uniforms in [-0.5, 0.5). */
static inline double gs_rng_tpdf(GsRng *r) {
  return gs_rng_uniform(r) + gs_rng_uniform(r) - 1.0;
}

/* Thermal noise of a resistance: rms volts over bandwidth bw_hz at the
 * IEEE reference temperature 290 K: sqrt(4 k T R B) (Johnson 1928). */
double gs_thermal_vrms(double ohms, double bw_hz);

/* Scale for white noise generated at `rate` so that its rms within a
 * 20 kHz audio band is `vrms_in_20k` (the band data sheets quote). */
double gs_white_scale(double vrms_in_20k, double rate);

#endif
