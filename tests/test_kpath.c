/* The tube preamp's K path (src/dsp/dk_k.h: the common sample by tables,
 * nothing solved) against Newton's path on the same circuit. For one to
 * four 12AX7 stages (one below the pot's end too: its table is the pot's,
 * had at build by gs_dk_k_refit) and 12AT7s and 12AU7s, a guitar DI
 * (gs_synth_guitar) at gains that drive the later grids into conduction
 * now and then, run as the preamp runs it and again with the K path off
 * (the solver's k_live cleared: every sample by Newton's method, within
 * -115 dB rms of the converged circuit on such a DI). Asserted: the K path
 * is the one that runs (kmode is the number of stages, and it takes most
 * circuit samples), and its output is within a bound of Newton's, rms and
 * peak, relative to Newton's rms and peak, past the first 0.25 s (from
 * rest the two settle apart by the tables' rounding of the operating
 * point: within -70 dB of the peak there). A K path that reads a wrong
 * entry, a table built for other values or none fails one of the three.
 * And the tables are given back when a preamp is freed (gs_dk_k_release). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/dk_k.h"
#include "harness.h"
#include "stages/preamp_tube.h"

#define RATE 48000.0
#define SECONDS 1.5
#define SETTLE 0.25        /* seconds */
#define MAX_START_DB -70.0 /* the difference's peak before, re the output's */

typedef struct {
  const char *tube;
  int stages;
  double gain_db, amplitude;
  double min_k;           /* the K path's share of the circuit samples, at least */
  double max_rms, max_pk; /* dB from Newton's path */
} Case;

/* Measured (FMA kernels, past the first 0.25 s): the K path's share, dB
 * rms and peak: one stage at 20 and 35.4 100 %, -100.2, -100.1 / -99.7,
 * -99.9 (the first 0.25 s: -80.6 / -94.5 peak); 2 stages 100 %, -96.5,
 * -97.0; 3 at 48 100 %, -107.1, -108.6; 3 at 60 100 %, -107.6, -102.1;
 * 4 at 60 100 %, -121.4, -105.5; 4 at 70 100 %, -119.5, -103.1; two
 * 12AT7s 100 %, -111.9, -115.7; 12AU7s: one 100 %, -92.8, -92.9, two
 * 100 %, -89.1, -91.4, three 100 %, -113.1, -115.0, four 99.7 %, -109.4,
 * -95.4. Three and four stages' samples where the last grid conducts by
 * Newton's path (before kn_grid, dk_k3step.c) left 95.4 % (3 at 60), 96.1
 * and 90.5 % (4 at 60, 70) to the K path, and the switches between the
 * paths cost: 4 at 60 -110.3 dB rms, at 70 -105.5 (12AU7s -100.7). Four
 * stages by three stages' tables (linear along the plate axis) were -66
 * dB rms. */
static const Case cases[] = {
    {"12AX7", 1, 20.0, 1.0, 0.99, -90.0, -85.0},   {"12AX7", 1, 35.4, 1.0, 0.99, -90.0, -85.0},
    {"12AX7", 2, 50.0, 2.0, 0.95, -92.0, -85.0},   {"12AX7", 3, 48.0, 1.0, 0.99, -100.0, -100.0},
    {"12AX7", 3, 60.0, 1.0, 0.99, -101.0, -95.0},  {"12AX7", 4, 60.0, 1.0, 0.99, -114.0, -99.0},
    {"12AX7", 4, 70.0, 1.0, 0.99, -112.0, -97.0},  {"12AT7", 2, 40.0, 1.0, 0.95, -100.0, -95.0},
    {"12AU7", 1, 20.0, 1.0, 0.99, -85.0, -80.0},   {"12AU7", 2, 30.0, 1.0, 0.95, -85.0, -80.0},
    {"12AU7", 3, 40.0, 1.0, 0.99, -105.0, -100.0}, {"12AU7", 4, 70.0, 1.0, 0.99, -103.0, -90.0},
};

static GsTubePreamp *preamp(const Case *c) {
  char why[200] = "";
  GsTubePreamp *tp = gs_tube_preamp_new(gs_triode_model(c->tube), c->stages, 1e6, 1e6, RATE,
                                        c->gain_db, 0, GS_OS_LINEAR_PHASE, why, sizeof why);
  assert_non_null(tp);
  return tp;
}

/* The preamp's output for the DI in, by the K path or not; its K path's
 * mode and share of the circuit samples. */
static float *run(const Case *c, const float *in, size_t n, bool k_path, int *kmode,
                  double *k_share) {
  GsTubePreamp *tp = preamp(c);
  GsDkSolver *s = gs_tube_preamp_solver(tp);
  if (!k_path) s->k_live = false;
  float *out = malloc(n * sizeof(float));
  memcpy(out, in, n * sizeof(float));
  for (size_t pos = 0; pos < n; pos += 256) {
    gs_tube_preamp_process(tp, out + pos, (uint32_t)(n - pos < 256 ? n - pos : 256));
  }
  assert_true(h_all_finite(out, n));
  assert_int_equal(gs_tube_preamp_failures(tp), 0);
  *kmode = s->kmode;
  *k_share = (double)s->k_samples / (double)(s->k_samples + s->n_samples);
  gs_tube_preamp_free(tp);
  return out;
}

static void k_path_matches_newton(void **state) {
  (void)state;
  size_t n = (size_t)(SECONDS * RATE);
  float *di = malloc(n * sizeof(float)), *in = malloc(n * sizeof(float));
  assert_int_equal(gs_synth_guitar(di, n, RATE, 7), GS_OK);
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const Case *c = &cases[k];
    for (size_t i = 0; i < n; i++) in[i] = (float)(c->amplitude * di[i]);
    int kmode, off_mode;
    double share, off_share;
    float *fast = run(c, in, n, true, &kmode, &share);
    float *ref = run(c, in, n, false, &off_mode, &off_share);
    /* from rest the two settle apart by the tables' rounding of the
     * operating point, a slow step through the coupling caps: apart */
    size_t from = (size_t)(SETTLE * RATE);
    double e2 = 0.0, pk = 0.0, start = 0.0;
    for (size_t i = 0; i < n; i++) {
      double d = fabs((double)fast[i] - ref[i]);
      if (i < from) {
        start = fmax(start, d);
        continue;
      }
      e2 += d * d;
      pk = fmax(pk, d);
    }
    double rms_db = h_db(sqrt(e2 / (n - from)) / h_rms(ref + from, n - from));
    double pk_db = h_db(pk / h_peak(ref + from, n - from)), start_db = h_db(start / h_peak(ref, n));
    printf(
        "%d %s stages, gain %.1f, DI x %.0f: K path %.2f %% of the circuit samples, "
        "%.1f dB rms, %.1f dB peak from Newton's path (the first %.2f s: %.1f dB peak)\n",
        c->stages, c->tube, c->gain_db, c->amplitude, 100.0 * share, rms_db, pk_db, SETTLE,
        start_db);
    char what[160];
    snprintf(what, sizeof what, "stages=%d tube=%s gain=%.1f, guitar DI: K path vs Newton's, rms",
             c->stages, c->tube, c->gain_db);
    h_accuracy("tube preamp", what, rms_db, c->max_rms, "dB");
    assert_int_equal(kmode, c->stages);
    assert_true(off_share == 0.0);
    assert_true(share >= c->min_k);
    assert_true(rms_db < c->max_rms);
    assert_true(pk_db < c->max_pk);
    assert_true(start_db < MAX_START_DB);
    free(fast);
    free(ref);
  }
  free(di);
  free(in);
}

/* More preamps of different settings than the cache holds tables, one
 * after another, each built with its K path (one stage: a table of its
 * own for each gain). */
static void tables_given_back(void **state) {
  (void)state;
  for (int k = 0; k < 2 * GS_K_SLOTS; k++) {
    Case c = {"12AX7", 1, 30.0 - 0.25 * k, 1.0, 0.0, 0.0, 0.0};
    GsTubePreamp *tp = preamp(&c);
    assert_true(gs_tube_preamp_solver(tp)->k_live);
    gs_tube_preamp_free(tp);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(k_path_matches_newton),
                                     cmocka_unit_test(tables_given_back)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
