/* The seeded Gaussian generator (src/dsp/noise.h, a ziggurat) against the
 * normal distribution: moments, the tails' probabilities (erfc) and a
 * chi-square over 60 bins of equal probability, on 4 M samples. The same
 * checks must reject a near miss — the sum of four uniforms (exact
 * variance, tails cut at 3.46 sigma) — so they can fail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/noise.h"
#include "harness.h"

#define N 4000000
#define BINS 60

typedef double Draw(GsRng *r);

static double ziggurat(GsRng *r) {
  return gs_rng_gauss(r);
}

static double four_uniforms(GsRng *r) {
  double s = 0.0;
  for (int k = 0; k < 4; k++) s += gs_rng_uniform(r) - 0.5;
  return s * sqrt(3.0);
}

/* The bin of x among BINS of equal probability under N(0, 1). */
static int bin_of(double x) {
  double p = 0.5 * erfc(-x / M_SQRT2);
  int b = (int)(p * BINS);
  return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

typedef struct {
  double mean, var, kurt, tail3, tail4, chi2;
} Stats;

static Stats measure(Draw *draw, uint64_t seed) {
  GsRng r;
  gs_rng_seed(&r, seed);
  double s1 = 0, s2 = 0, s4 = 0;
  long over3 = 0, over4 = 0, bins[BINS] = {0};
  for (long i = 0; i < N; i++) {
    double x = draw(&r);
    s1 += x;
    s2 += x * x;
    s4 += x * x * x * x;
    over3 += fabs(x) > 3.0;
    over4 += fabs(x) > 4.0;
    bins[bin_of(x)]++;
  }
  Stats st = {.mean = s1 / N,
              .var = s2 / N,
              .kurt = s4 / N,
              .tail3 = (double)over3 / N,
              .tail4 = (double)over4 / N};
  double e = (double)N / BINS;
  for (int b = 0; b < BINS; b++) st.chi2 += (bins[b] - e) * (bins[b] - e) / e;
  return st;
}

/* Within about 5 standard errors of N(0, 1) each (chi-square with 59
 * degrees of freedom: below 110 is p > 1e-5). */
static bool normal(const Stats *s, bool print, const char *name) {
  double p3 = erfc(3.0 / M_SQRT2), p4 = erfc(4.0 / M_SQRT2);
  bool ok = fabs(s->mean) < 5 * sqrt(1.0 / N) && fabs(s->var - 1.0) < 5 * sqrt(2.0 / N) &&
            fabs(s->kurt - 3.0) < 5 * sqrt(96.0 / N) && fabs(s->tail3 - p3) < 5 * sqrt(p3 / N) &&
            fabs(s->tail4 - p4) < 5 * sqrt(p4 / N) && s->chi2 < 110.0;
  if (print) {
    printf(
        "%s: mean %.2e, variance %.5f, kurtosis %.4f (3), P(|x|>3) %.3e (%.3e), "
        "P(|x|>4) %.3e (%.3e), chi-square %.1f over %d bins: %s\n",
        name, s->mean, s->var, s->kurt, s->tail3, p3, s->tail4, p4, s->chi2, BINS,
        ok ? "normal" : "not normal");
  }
  return ok;
}

static void ziggurat_is_normal(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 3; seed++) {
    Stats s = measure(ziggurat, seed);
    assert_true(normal(&s, true, "ziggurat"));
  }
}

static void the_checks_reject_a_near_miss(void **state) {
  (void)state;
  Stats s = measure(four_uniforms, 1);
  assert_false(normal(&s, true, "sum of 4 uniforms"));
}

static void seeded_streams_repeat(void **state) {
  (void)state;
  GsRng a, b, c;
  gs_rng_seed(&a, 7);
  gs_rng_seed(&b, 7);
  gs_rng_seed(&c, 8);
  int same = 0, differ = 0;
  for (int i = 0; i < 1000; i++) {
    double x = gs_rng_gauss(&a), y = gs_rng_gauss(&b), z = gs_rng_gauss(&c);
    same += x == y;
    differ += x != z;
  }
  assert_int_equal(same, 1000);
  assert_true(differ > 990);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ziggurat_is_normal),
      cmocka_unit_test(the_checks_reject_a_near_miss),
      cmocka_unit_test(seeded_streams_repeat),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
