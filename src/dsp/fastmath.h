/* Elementary functions for inner loops (the tube solver's Newton
 * iterations): branch-light, table-free, inline, within a few units in the
 * last place of libm over the ranges below (tests/test_fastmath.c holds
 * them to it). No errno, no exceptions, no subnormal results. [any]
 *
 * Method (the textbook one, e.g. J.-M. Muller, "Elementary Functions:
 * Algorithms and Implementation", 3rd ed., 2016, ch. 11; the reductions of
 * Sun's fdlibm): reduce the argument exactly to a small interval, then a
 * polynomial fitted there (near-minimax, Chebyshev-fitted with mpmath
 * 1.3's chebyfit by the author; the relative error of each fit is given
 * beside it).
 *
 *   exp:  x = k ln2 + r, |r| <= ln2/2; e^r = 1 + r + r^2 q(r)   (1.2e-15)
 *   log:  x = 2^k m, m in [sqrt(1/2), sqrt(2)); s = (m-1)/(m+1);
 *         ln m = 2 atanh s = 2s + s^3 Q(s^2)                     (6.9e-16)
 *   atan: |x| in [0, tan(pi/8)], (tan(pi/8), tan(3pi/8)], beyond: one
 *         division maps each onto [-tan(pi/8), tan(pi/8)], then
 *         atan y = y + y^3 R(y^2)                                 (1.4e-16)
 */
#ifndef GS_DSP_FASTMATH_H
#define GS_DSP_FASTMATH_H

#include <stdint.h>
#include <string.h>

#define GS_LN2 0x1.62e42fefa39efp-1
#define GS_LN2_HI 0x1.62e42fee00000p-1 /* few bits: k * GS_LN2_HI is exact */
#define GS_LN2_LO 0x1.a39ef35793c76p-33
#define GS_LOG2E 0x1.71547652b82fep0
#define GS_PI_2 0x1.921fb54442d18p0
#define GS_PI_4 0x1.921fb54442d18p-1

static inline uint64_t gs_fm_bits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static inline double gs_fm_double(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* e^x. Saturates: below -708 it is e^-708 (~3e-308), above 709 e^709;
 * NaN gives NaN. */
static inline double gs_exp(double x) {
  x = x < -708.0 ? -708.0 : x > 709.0 ? 709.0 : x;
  const double shift = 0x1.8p52; /* adding it rounds to an integer */
  double shifted = x * GS_LOG2E + shift, k = shifted - shift;
  /* k as an integer from the mantissa bits (2^51 + k): defined for NaN,
   * which a conversion of k would not be */
  int64_t ki = (int64_t)(gs_fm_bits(shifted) & 0xfffffffffffffULL) - (1LL << 51);
  double r = (x - k * GS_LN2_HI) - k * GS_LN2_LO;
  double q = 2.761379555451985871e-7;
  q = q * r + 2.7625102005388106903e-6;
  q = q * r + 2.4801536409064086483e-5;
  q = q * r + 1.9841208756992321041e-4;
  q = q * r + 1.3888888905871345597e-3;
  q = q * r + 8.3333333537171569677e-3;
  q = q * r + 4.1666666666651367274e-2;
  q = q * r + 1.6666666666648302851e-1;
  q = q * r + 0.5;
  double scale = gs_fm_double((uint64_t)(ki + 1023) << 52);
  return (1.0 + r + r * r * q) * scale;
}

/* ln(m) for m in [sqrt(1/2), sqrt(2)]. */
static inline double gs_log_reduced(double m) {
  double f = m - 1.0, s = f / (2.0 + f), z = s * s;
  double q = 0.16621817152858928181;
  q = q * z + 0.1814019380286599109;
  q = q * z + 0.22222862280108715552;
  q = q * z + 0.28571424138324160585;
  q = q * z + 0.40000000011206506321;
  q = q * z + 0.66666666666662083223;
  return 2.0 * s + s * z * q;
}

/* ln(x) for positive normal x (not 0, subnormals, infinities or NaN). */
static inline double gs_log(double x) {
  uint64_t u = gs_fm_bits(x), tmp = u - 0x3fe6a09e667f3bcdULL; /* sqrt(1/2) */
  /* the exponent relative to sqrt(1/2): an arithmetic shift (GCC, Clang
   * and MSVC all shift signed values arithmetically) */
  int64_t k = (int64_t)tmp >> 52;
  double m = gs_fm_double(u - (tmp & 0xfff0000000000000ULL));
  return (double)k * GS_LN2 + gs_log_reduced(m);
}

/* ln(1 + t) for t in [0, 1]: the rounding of 1 + t is added back. */
static inline double gs_log1p_unit(double t) {
  double u = 1.0 + t;
  double c = t - (u - 1.0); /* exact; ln(u + c) = ln u + c/u, u ~ 1 where it matters */
  double big = u > 0x1.6a09e667f3bcdp0 ? 1.0 : 0.0; /* sqrt(2) */
  return big * GS_LN2 + gs_log_reduced(big > 0.0 ? 0.5 * u : u) + c;
}

/* ln(1 + e^a) and its derivative, the logistic 1 / (1 + e^-a); below
 * a = -708 the value is e^-708 rather than e^a. */
static inline double gs_softplus(double a, double *sigmoid) {
  double t = gs_exp(a > 0.0 ? -a : a);
  *sigmoid = (a > 0.0 ? 1.0 : t) / (1.0 + t);
  return (a > 0.0 ? a : 0.0) + gs_log1p_unit(t);
}

/* x^y for positive normal x, as e^(y ln x): the error of ln x, ~1e-16
 * absolute, becomes y times that relative. */
static inline double gs_pow(double x, double y) {
  return gs_exp(y * gs_log(x));
}

/* arctan(x) for finite x. */
static inline double gs_atan(double x) {
  double ax = x < 0.0 ? -x : x;
  int lo = ax <= 0x1.a827999fcef32p-2; /* tan(pi/8) */
  int hi = ax > 0x1.3504f333f9de6p1;   /* tan(3pi/8) */
  double num = lo ? ax : hi ? -1.0 : ax - 1.0;
  double den = lo ? 1.0 : hi ? ax : ax + 1.0;
  double base = lo ? 0.0 : hi ? GS_PI_2 : GS_PI_4;
  double y = num / den, z = y * y;
  double q = 0.022750526993361672084;
  q = q * z - 0.0448333462227288608;
  q = q * z + 0.057363321659076425088;
  q = q * z - 0.066496136952916693446;
  q = q * z + 0.07691055158393149258;
  q = q * z - 0.090908525571760493567;
  q = q * z + 0.11111109636534361442;
  q = q * z - 0.14285714266096617917;
  q = q * z + 0.1999999999989840813;
  q = q * z - 0.3333333333333324625;
  double r = base + (y + y * z * q);
  return x < 0.0 ? -r : r;
}

#endif
