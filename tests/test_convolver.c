/* The zero-latency convolver against a direct convolution in double
 * precision: random IRs of lengths that straddle every partition edge,
 * fed in blocks of fixed and of changing sizes. Bound: rms error within
 * 1e-5 of the output's rms. And a long IR's work spread over time: no
 * call on a block far beyond the mean's cost. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/host_clock.h"
#include "dsp/convolver.h"
#include "harness.h"

static unsigned rng = 12345;
static float frand(void) {
  rng = rng * 1664525u + 1013904223u;
  return (float)((rng >> 8) / 8388608.0 - 1.0);
}

/* A decaying random IR, like a room or a cabinet. */
static float *random_ir(size_t len) {
  float *h = malloc(len * sizeof(float));
  for (size_t i = 0; i < len; i++) h[i] = frand() * expf(-3.0f * (float)i / (float)len);
  return h;
}

static double direct_at(const float *x, const float *h, size_t len, size_t t) {
  double acc = 0.0;
  for (size_t j = 0; j < len && j <= t; j++) acc += (double)h[j] * x[t - j];
  return acc;
}

/* Run x through the convolver in blocks: sizes[] cycled (0 ends). */
static float *convolve(const float *x, size_t n, const float *h, size_t len,
                       const uint32_t *sizes) {
  GsConvolver *c = gs_convolver_new(h, len);
  assert_non_null(c);
  float *y = malloc(n * sizeof(float));
  memcpy(y, x, n * sizeof(float)); /* in place, as the chain does */
  size_t pos = 0, k = 0;
  while (pos < n) {
    uint32_t b = sizes[k++];
    if (!sizes[k]) k = 0;
    if (b > n - pos) b = (uint32_t)(n - pos);
    gs_convolver_process(c, y + pos, y + pos, b);
    pos += b;
  }
  gs_convolver_free(c);
  return y;
}

static double relative_error(const float *x, size_t n, const float *h, size_t len, const float *y,
                             size_t stride) {
  double err = 0.0, sig = 0.0;
  for (size_t t = 0; t < n; t += stride) {
    double d = direct_at(x, h, len, t);
    err += (y[t] - d) * (y[t] - d);
    sig += d * d;
  }
  return sqrt(err / sig);
}

static void against_direct(void **state) {
  (void)state;
  static const size_t lengths[] = {1, 50, 64, 65, 200, 512, 513, 3000, 4096, 4097, 40000, 300000};
  static const uint32_t fixed1[] = {1, 0}, fixed64[] = {64, 0}, fixed1024[] = {1024, 0};
  static const uint32_t changing[] = {7, 1, 300, 64, 1023, 2, 4096, 33, 0};
  const uint32_t *patterns[] = {fixed1, fixed64, fixed1024, changing};
  double worst = 0.0;
  for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
    size_t len = lengths[i], n = len < 5000 ? 20000 : len + 40000;
    size_t stride = len < 5000 ? 1 : 97; /* long IRs: every 97th output */
    float *h = random_ir(len), *x = malloc(n * sizeof(float));
    for (size_t t = 0; t < n; t++) x[t] = frand();
    for (int p = 0; p < 4; p++) {
      if (len > 5000 && p < 2) continue; /* one-sample blocks of long IRs: slow, same path */
      float *y = convolve(x, n, h, len, patterns[p]);
      double e = relative_error(x, n, h, len, y, stride);
      if (e > 1e-5) fail_msg("IR of %zu taps, pattern %d: error %.3g", len, p, e);
      worst = fmax(worst, e);
      free(y);
    }
    free(h);
    free(x);
  }
  h_accuracy("convolver", "vs direct double convolution, 1-300000 taps, any blocks", worst, 1e-5,
             "");
}

/* A 5 s IR (240000 taps) in 64-frame blocks: the longest call against the
 * mean one, in the thread's CPU time, over 4 s after a second's warm-up;
 * the least of 3 passes' longest, so that a stray interrupt in one pass
 * does not count. Levels of 32768 taps run whole at their boundary made
 * it 100 to 270 times the mean here; capped at 4096 and spread, ~15.
 * Bound: 60. Timing means nothing
 * under the sanitizers or valgrind (GS_SANITIZED): skipped there. */
static void long_ir_cost_is_even(void **state) {
  (void)state;
  if (getenv("GS_SANITIZED")) skip();
  enum { TAPS = 240000, BLOCK = 64, RATE = 48000, N = 5 * RATE };
  float *h = random_ir(TAPS), *x = malloc(N * sizeof(float)), y[BLOCK];
  for (int t = 0; t < N; t++) x[t] = frand();
  double least_worst = INFINITY, mean = 0.0;
  for (int pass = 0; pass < 3; pass++) {
    GsConvolver *c = gs_convolver_new(h, TAPS);
    assert_non_null(c);
    double worst = 0.0, sum = 0.0;
    int counted = 0;
    for (int pos = 0; pos + BLOCK <= N; pos += BLOCK) {
      double t0 = host_clock(CLOCK_THREAD_CPUTIME_ID);
      gs_convolver_process(c, x + pos, y, BLOCK);
      double dt = host_clock(CLOCK_THREAD_CPUTIME_ID) - t0;
      if (pos < RATE) continue;
      worst = fmax(worst, dt);
      sum += dt;
      counted++;
    }
    gs_convolver_free(c);
    least_worst = fmin(least_worst, worst);
    mean = sum / counted;
  }
  double ratio = least_worst / mean;
  printf("240000 taps, 64-frame blocks: mean call %.2f us, longest %.1f us (%.0fx)\n", 1e6 * mean,
         1e6 * least_worst, ratio);
  if (ratio > 60.0) fail_msg("the longest call costs %.0f times the mean (bound 60)", ratio);
  free(h);
  free(x);
}

/* An impulse at tap 0 passes the input unchanged, from the first sample. */
static void identity_has_no_latency(void **state) {
  (void)state;
  float h[3000] = {1.0f};
  float x[5000];
  for (int i = 0; i < 5000; i++) x[i] = frand();
  static const uint32_t sizes[] = {13, 0};
  float *y = convolve(x, 5000, h, 3000, sizes);
  for (int i = 0; i < 5000; i++) assert_float_equal(y[i], x[i], 1e-6);
  free(y);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(against_direct),
      cmocka_unit_test(identity_has_no_latency),
      cmocka_unit_test(long_ir_cost_is_even),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
