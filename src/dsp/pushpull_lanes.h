/* The push-pull solver's arithmetic on its lanes and its tables
 * (pushpull_step.c's): the two output tubes are the two lanes of a vector
 * (GCC's vector extension, which clang shares; SSE2 and later where
 * there, plain C else), and each tube function a table of intervals'
 * start values and rises (pushpull.h) read by position. [any] */
#ifndef GS_DSP_PUSHPULL_LANES_H
#define GS_DSP_PUSHPULL_LANES_H

#include <stdbool.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "dsp/pushpull.h"

/* ------------------------------------------------------------ the lanes */

typedef double Pair __attribute__((vector_size(16)));
typedef int64_t Mask __attribute__((vector_size(16)));
typedef int32_t Index __attribute__((vector_size(8)));

static inline Pair pair(double x) {
  return (Pair){x, x};
}

/* a < b ? a : b and a > b ? a : b, lane by lane (NaN in a gives b) */
static inline Pair pmin(Pair a, Pair b) {
#if defined(__SSE2__)
  return _mm_min_pd(a, b);
#else
  Mask m = a < b;
  return (Pair)((m & (Mask)a) | (~m & (Mask)b));
#endif
}

static inline Pair pmax(Pair a, Pair b) {
#if defined(__SSE2__)
  return _mm_max_pd(a, b);
#else
  Mask m = a > b;
  return (Pair)((m & (Mask)a) | (~m & (Mask)b));
#endif
}

#if defined(__SSE2__)
/* x as a vector of which only lane 0 is read: GCC's _mm_set_sd would
 * clear the upper lane (a vmovq) before each scalar min and max (clang's
 * backend does not take this cast, nor need it) */
static inline __m128d lane0(double x) {
#if defined(__clang__)
  return _mm_set_sd(x);
#else
  __m128d v;
  __asm__("" : "=x"(v) : "0"(x));
  return v;
#endif
}
#endif

/* the same for one number */
static inline double smin(double a, double b) {
#if defined(__SSE2__)
  return _mm_cvtsd_f64(_mm_min_sd(lane0(a), _mm_set_sd(b)));
#else
  return a < b ? a : b;
#endif
}

static inline double smax(double a, double b) {
#if defined(__SSE2__)
  return _mm_cvtsd_f64(_mm_max_sd(lane0(a), _mm_set_sd(b)));
#else
  return a > b ? a : b;
#endif
}

/* a where m is set, else 0 */
static inline Pair pkeep(Mask m, Pair a) {
  return (Pair)(m & (Mask)a);
}

/* b where m is set, else a */
static inline Pair pchoose(Mask m, Pair a, Pair b) {
#if defined(__SSE4_1__)
  return _mm_blendv_pd(a, b, (Pair)m);
#else
  return (Pair)((m & (Mask)b) | (~m & (Mask)a));
#endif
}

/* neither lane set */
static inline bool neither(Mask m) {
#if defined(__AVX__)
  return _mm_testz_pd((Pair)m, (Pair)m); /* (one instruction, no mask to move) */
#elif defined(__SSE2__)
  return _mm_movemask_pd((Pair)m) == 0;
#else
  return !m[0] && !m[1];
#endif
}

/* ----------------------------------------------------------- the tables */

#define TQ_MAX (GS_PPT_TN - 1e-9)
#define AQ_MAX (GS_PPT_AN - 1e-9)

/* A table (pushpull.h: each interval's start value and rise) at position
 * q, in intervals from its start (0 <= q < its length); *r its slope per
 * interval. */
static inline double lut(const double *at, const double *rise, double q, double *r) {
  int64_t k = (int64_t)q;
#if defined(__SSE4_1__)
  double fk = __builtin_floor(q); /* one instruction, where (double)k is two */
#else
  double fk = (double)k;
#endif
  *r = rise[k];
  return at[k] + (q - fk) * rise[k];
}

/* The same at each lane's q. */
static inline Pair lut2(const double *at, const double *rise, Pair q, Pair *r) {
#if defined(__SSE2__)
  __m128i k = _mm_cvttpd_epi32(q);
  Pair s = q - _mm_cvtepi32_pd(k);
  uint32_t k0 = (uint32_t)_mm_cvtsi128_si32(k);
  uint32_t k1 = (uint32_t)_mm_cvtsi128_si32(_mm_shuffle_epi32(k, 1));
#else
  Index k = __builtin_convertvector(q, Index);
  Pair s = q - __builtin_convertvector(k, Pair);
  uint32_t k0 = (uint32_t)k[0], k1 = (uint32_t)k[1];
#endif
  *r = (Pair){rise[k0], rise[k1]};
  return (Pair){at[k0], at[k1]} + s * *r;
}

#endif
