#include "dsp/noise.h"

#include <math.h>

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
}

/* ------------------------------------------------------------ ziggurat */

/* 128 layers of equal area V under f(x) = exp(-x^2 / 2), the base one
 * with the tail beyond R (Marsaglia & Tsang 2000, table for N = 128). */
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

double gs_zig_x[GS_ZIG_LAYERS + 1], gs_zig_ratio[GS_ZIG_LAYERS];

static double zig_f(double x) {
  return exp(-0.5 * x * x);
}

__attribute__((constructor)) static void zig_tables(void) {
  double *x = gs_zig_x;
  x[0] = ZIG_V / zig_f(ZIG_R);
  x[1] = ZIG_R;
  for (int i = 1; i < GS_ZIG_LAYERS - 1; i++)
    x[i + 1] = sqrt(-2.0 * log(ZIG_V / x[i] + zig_f(x[i])));
  x[GS_ZIG_LAYERS] = 0.0;
  for (int i = 0; i < GS_ZIG_LAYERS; i++) gs_zig_ratio[i] = x[i + 1] / x[i];
}

double gs_rng_gauss_edge(GsRng *r, int i, double u) {
  for (;;) {
    if (i == 0) { /* the tail beyond R (Marsaglia 1964) */
      double a, b;
      do {
        a = -log(1.0 - gs_rng_uniform(r)) / ZIG_R;
        b = -log(1.0 - gs_rng_uniform(r));
      } while (b + b < a * a);
      return u < 0.0 ? -(ZIG_R + a) : ZIG_R + a;
    }
    /* the wedge between layer i's rectangle and the curve */
    double x = u * gs_zig_x[i];
    double f0 = exp(-0.5 * (gs_zig_x[i] * gs_zig_x[i] - x * x));
    double f1 = exp(-0.5 * (gs_zig_x[i + 1] * gs_zig_x[i + 1] - x * x));
    if (f1 + gs_rng_uniform(r) * (f0 - f1) < 1.0) return x;
    /* rejected: a new point, through the fast test first */
    uint64_t w = gs_rng_next(r);
    i = (int)(w & (GS_ZIG_LAYERS - 1));
    u = (double)((int64_t)w >> 7) * 0x1.0p-56;
    if (fabs(u) < gs_zig_ratio[i]) return u * gs_zig_x[i];
  }
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
