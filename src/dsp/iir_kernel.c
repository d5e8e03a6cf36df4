/* The IIR filter's block loop (iir.h), built twice and chosen by the CPU
 * like the tube solvers' (src/dsp/kernel.h): with FMA the direct form's
 * products and sums fuse, a clean chain's three third-order filters then
 * cost a quarter less. [audio] */
#include "dsp/iir.h"
#include "dsp/kernel.h"

/* gs_iir_tick over a block for one order N known at compile time: the
 * coefficients and histories in registers, the shifts unrolled (the
 * generic loop's shifts became memmove calls: half a clean chain's time).
 * The gain goes into the feed-forward taps, and y[n-1], the one term the
 * previous sample delays, comes last, by itself: one multiply-add between
 * one sample's output and the next's (the same sum in another order and
 * scaling: results differ in the last bits). */
__attribute__((always_inline)) static inline void run_order(const GsIirCoefs *c, GsIirState *st,
                                                            float *buf, uint32_t n, const int N) {
  double b[GS_IIR_MAX + 1], a[GS_IIR_MAX + 1], xs[GS_IIR_MAX], ys[GS_IIR_MAX];
  for (int k = 0; k <= N; k++) b[k] = c->gain * c->b[k], a[k] = c->a[k];
  for (int k = 0; k < N; k++) xs[k] = st->x[k], ys[k] = st->y[k];
  for (uint32_t i = 0; i < n; i++) {
    double x = buf[i], y = b[0] * x;
    for (int k = 0; k < N; k++) y += b[k + 1] * xs[k];
    for (int k = N - 1; k > 0; k--) y -= a[k + 1] * ys[k];
    if (N > 0) y -= a[1] * ys[0];
    for (int k = N - 1; k > 0; k--) xs[k] = xs[k - 1], ys[k] = ys[k - 1];
    if (N > 0) xs[0] = x, ys[0] = y;
    buf[i] = (float)y;
  }
  for (int k = 0; k < N; k++) st->x[k] = xs[k], st->y[k] = ys[k];
}

void GS_KERNEL(gs_iir_block)(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n) {
  switch (c->order) {
    case 0: run_order(c, st, buf, n, 0); break;
    case 1: run_order(c, st, buf, n, 1); break;
    case 2: run_order(c, st, buf, n, 2); break;
    case 3: run_order(c, st, buf, n, 3); break;
    case 4: run_order(c, st, buf, n, 4); break;
    case 5: run_order(c, st, buf, n, 5); break;
    case 6: run_order(c, st, buf, n, 6); break;
    default:
      for (uint32_t i = 0; i < n; i++) buf[i] = (float)gs_iir_tick(c, st, buf[i]);
  }
}
