/* The zero-latency convolver against a direct convolution in double
 * precision: random IRs of lengths that straddle every partition edge,
 * fed in blocks of fixed and of changing sizes. Bound: rms error within
 * 1e-5 of the output's rms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
