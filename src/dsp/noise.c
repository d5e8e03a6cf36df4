#include "dsp/noise.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

/* splitmix64 expands one seed into the generator's state. */
static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void gs_rng_seed(GsRng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
  r->has_spare = 0;
  r->spare = 0.0;
}

uint64_t gs_rng_next(GsRng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double gs_rng_gauss(GsRng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u, v, q;
  do {
    u = 2.0 * gs_rng_uniform(r) - 1.0;
    v = 2.0 * gs_rng_uniform(r) - 1.0;
    q = u * u + v * v;
  } while (q >= 1.0 || q == 0.0);
  double k = sqrt(-2.0 * log(q) / q);
  r->spare = v * k;
  r->has_spare = 1;
  return u * k;
}

double gs_thermal_vrms(double ohms, double bw_hz) {
  const double boltzmann = 1.380649e-23; /* J/K, SI 2019 exact */
  const double kelvin = 290.0;
  return sqrt(4.0 * boltzmann * kelvin * fmax(ohms, 0.0) * bw_hz);
}

double gs_white_scale(double vrms_in_20k, double rate) {
  double band = fmin(20000.0, 0.5 * rate);
  /* white noise spreads evenly over 0 .. rate/2 */
  return vrms_in_20k * sqrt(0.5 * rate / band);
}
