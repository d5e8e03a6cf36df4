/* The convolver's two inner loops (convolver_kernel.h), written on GCC's
 * vector extension in vectors of 8 floats: one AVX register where the
 * build has AVX (the FMA build of src/dsp/kernel.h), two SSE registers in
 * the baseline build. [audio] */
#include "dsp/convolver_kernel.h"

#include <string.h>

#include "dsp/kernel.h"

#if defined(__GNUC__)
typedef float V8 __attribute__((vector_size(32)));
/* the same at any float's alignment, for loads and stores */
typedef float V8u __attribute__((vector_size(32), aligned(4), may_alias));
#define load(p) (*(const V8u *)(p))
#define store(p, v) (*(V8u *)(p) = (v))

/* Outputs vectorized, 32 at a time: per tap one broadcast and four
 * multiply-adds on inputs loaded at an offset (x has 32 readable floats
 * past the chunk, GS_CONV_PAD). */
void GS_KERNEL(gs_conv_head)(const float *restrict h, const float *restrict x, float *restrict y,
                             uint32_t n) {
  for (uint32_t i0 = 0; i0 < n; i0 += 32) {
    V8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    const float *p = x + i0;
    for (uint32_t k = 0; k < GS_CONV_HEAD; k++, p--) {
      V8 hk = (V8){0} + h[k];
      a0 += hk * load(p);
      a1 += hk * load(p + 8);
      a2 += hk * load(p + 16);
      a3 += hk * load(p + 24);
    }
    float out[32], *to = n - i0 >= 32 ? y + i0 : out; /* a whole 32, or part */
    store(to, a0);
    store(to + 8, a1);
    store(to + 16, a2);
    store(to + 24, a3);
    if (to == out) memcpy(y + i0, out, (n - i0) * sizeof(float));
  }
}

/* Bins outer, partitions inner, the sums in registers: per 16 complex
 * bins and partition, four loads, four swaps and eight multiply-adds. With
 * x = (xr, xi) interleaved and the IR's parts duplicated, hr = (hr, hr)
 * and hi = (hi, hi): r = x hr = (xr hr, xi hr), s = swap(x) hi = (xi hi,
 * xr hi), and x h = r + (-1, 1) s. */
void GS_KERNEL(gs_conv_cmac)(const GsConvMac *m) {
  const V8 sign = {-1, 1, -1, 1, -1, 1, -1, 1};
  const float *const *restrict x = m->x;
  float *restrict acc = m->acc;
  uint32_t floats = m->floats, parts = m->parts;
  for (uint32_t j = m->from; j < m->to; j += 32) {
    V8 r[4] = {{0}}, t[4] = {{0}};
    if (m->base) {
      for (int v = 0; v < 4; v++) r[v] = load(m->base + j + 8 * v);
    }
    const float *restrict pr = m->hr + j, *restrict pi = m->hi + j;
    for (uint32_t k = 0; k < parts; k++, pr += floats, pi += floats) {
      const float *xk = x[k] + j;
      for (int v = 0; v < 4; v++) {
        V8 xv = load(xk + 8 * v);
        r[v] += xv * load(pr + 8 * v);
        t[v] += __builtin_shufflevector(xv, xv, 1, 0, 3, 2, 5, 4, 7, 6) * load(pi + 8 * v);
      }
    }
    for (int v = 0; v < 4; v++) store(acc + j + 8 * v, r[v] + sign * t[v]);
  }
}
#else
void GS_KERNEL(gs_conv_head)(const float *h, const float *x, float *y, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    float a = 0.0f;
    for (uint32_t k = 0; k < GS_CONV_HEAD; k++) a += h[k] * x[(long)i - (long)k];
    y[i] = a;
  }
}

void GS_KERNEL(gs_conv_cmac)(const GsConvMac *m) {
  uint32_t floats = m->floats;
  for (uint32_t j = m->from; j < m->to; j += 2) {
    float re = m->base ? m->base[j] : 0.0f, im = m->base ? m->base[j + 1] : 0.0f;
    for (uint32_t k = 0; k < m->parts; k++) {
      const float *xk = m->x[k] + j, *a = m->hr + (size_t)k * floats + j,
                  *b = m->hi + (size_t)k * floats + j;
      re += xk[0] * a[0] - xk[1] * b[0];
      im += xk[1] * a[1] + xk[0] * b[1];
    }
    m->acc[j] = re;
    m->acc[j + 1] = im;
  }
}
#endif
