/* The tube preamp's K path (the solver's tables, dk_k.h) against its
 * Newton path on the same circuit: a synthesized guitar DI through
 * stages=1 at a gain below the pot's end (its table then is the pot's,
 * had at build: gs_dk_k_refit), 1 at the end, 2 and 3 at high gain, at
 * 48 kHz, quality auto; 12AX7 stages, and two and three of the others
 * (a 12AU7's tables are spaced as wide as its kp: the least close). Asserted: the share of circuit
 * samples the K path takes, and the rms difference between the two outputs past the first 0.25 s
 * (where both settle from rest the same way but for the tables' rounding of the operating point),
 * against the output's rms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/dk_k.h"
#include "dsp/koren.h"
#include "harness.h"
#include "stages/preamp_tube.h"

#define RATE 48000.0
#define SECONDS 2.0
#define SETTLE 0.25
#define BLOCK 256

typedef struct {
  const char *tube;
  int stages;
  double gain_db;
  double min_share; /* of circuit samples by the K path */
  double max_db;    /* rms difference from Newton's path, re the output */
} Case;

static const Case cases[] = {
    {"12AX7", 1, 20.0, 0.999, -95.0}, {"12AX7", 1, 35.4, 0.999, -95.0},
    {"12AX7", 2, 50.0, 0.98, -90.0},  {"12AX7", 3, 48.0, 0.99, -90.0},
    {"12AT7", 2, 40.0, 0.98, -100.0}, {"12AU7", 1, 20.0, 0.999, -90.0},
    {"12AU7", 2, 30.0, 0.98, -85.0},  {"12AU7", 3, 40.0, 0.98, -100.0},
};

static GsTubePreamp *preamp(const Case *c) {
  char why[256];
  GsTubePreamp *tp = gs_tube_preamp_new(gs_triode_model(c->tube), c->stages, 1e6, 1e6, RATE,
                                        c->gain_db, 0, GS_OS_LINEAR_PHASE, why, sizeof why);
  assert_non_null(tp);
  return tp;
}

static void run(GsTubePreamp *tp, float *x, size_t n) {
  for (size_t i = 0; i < n; i += BLOCK) {
    gs_tube_preamp_process(tp, x + i, (uint32_t)(n - i < BLOCK ? n - i : BLOCK));
  }
}

static void k_path_matches_newton(void **state) {
  (void)state;
  size_t n = (size_t)(SECONDS * RATE), from = (size_t)(SETTLE * RATE);
  float *di = malloc(n * sizeof(float)), *k = malloc(n * sizeof(float)),
        *newton = malloc(n * sizeof(float));
  assert_int_equal(gs_synth_guitar(di, n, RATE, 7), GS_OK);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const Case *cs = &cases[c];
    GsTubePreamp *a = preamp(cs), *b = preamp(cs);
    GsDkSolver *sa = gs_tube_preamp_solver(a), *sb = gs_tube_preamp_solver(b);
    assert_true(sa->k_live);
    sb->k_live = false; /* and it stays off: nothing moves F */
    for (size_t i = 0; i < n; i++) k[i] = newton[i] = di[i];
    run(a, k, n);
    run(b, newton, n);
    double e = 0.0, r = 0.0;
    for (size_t i = from; i < n; i++) {
      e += (k[i] - newton[i]) * (double)(k[i] - newton[i]);
      r += newton[i] * (double)newton[i];
    }
    double share = (double)sa->k_samples / (double)(sa->k_samples + sa->n_samples);
    double db = 10.0 * log10(e / r + 1e-300);
    printf(
        "%s stages=%d gain=%.1f: K path %.2f %% of %llu circuit samples, %.1f dB from Newton's "
        "[%.0f]\n",
        cs->tube, cs->stages, cs->gain_db, 100.0 * share,
        (unsigned long long)(sa->k_samples + sa->n_samples), db, cs->max_db);
    assert_true(sb->k_samples == 0);
    assert_true(share >= cs->min_share);
    assert_true(db <= cs->max_db);
    gs_tube_preamp_free(a);
    gs_tube_preamp_free(b);
  }
  free(di);
  free(k);
  free(newton);
}

/* A preamp's tables are given back when it is freed: more preamps of
 * different settings than the cache holds tables, one after another,
 * each built with its K path (one stage: a table of its own for each
 * gain). */
static void tables_given_back(void **state) {
  (void)state;
  for (int k = 0; k < 2 * GS_K_SLOTS; k++) {
    Case c = {"12AX7", 1, 30.0 - 0.25 * k, 0.0, 0.0};
    GsTubePreamp *tp = preamp(&c);
    assert_true(gs_tube_preamp_solver(tp)->k_live);
    gs_tube_preamp_free(tp);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(k_path_matches_newton),
      cmocka_unit_test(tables_given_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
