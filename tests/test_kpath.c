/* The tube preamp's K path (src/dsp/dk_k.h: the common sample by tables,
 * nothing solved) against Newton's path on the same circuit. For two,
 * three and four 12AX7 stages (and four 12AU7s), a guitar DI
 * (gs_synth_guitar) at gains that drive the later grids into conduction
 * now and then, run as the preamp runs it and again with the K path off
 * (the solver's k_live cleared: every sample by Newton's method, within
 * -115 dB rms of the converged circuit on such a DI). Asserted: the K path
 * is the one that runs (kmode is the number of stages, and it takes most
 * circuit samples), and its output is within a bound of Newton's, rms and
 * peak, relative to Newton's rms and peak. A K path that reads a wrong
 * entry, a table built for other values or none fails one of the three. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "stages/preamp_tube.h"

#define RATE 48000.0
#define SECONDS 1.5

typedef struct {
  const char *tube;
  int stages;
  double gain_db, amplitude;
  double min_k;           /* the K path's share of the circuit samples, at least */
  double max_rms, max_pk; /* dB from Newton's path */
} Case;

/* Measured (FMA kernels): 2 stages 100 % of the samples, -97.8 dB rms,
 * -92.8 peak; 3 at gain 48 99.7 %, -103.4, -95.6; 3 at 60 95.4 %,
 * -108.6, -103.7; 4 at 60 96.1 %, -111.0, -105.2; 4 at 70 90.5 %,
 * -106.4, -100.2; four 12AU7s at 70 90.7 %, -102.5, -97.1. Four stages by
 * three stages' tables (linear along the plate axis) were -66 dB rms. */
static const Case cases[] = {
    {"12AX7", 2, 50.0, 2.0, 0.95, -92.0, -85.0},  {"12AX7", 3, 48.0, 1.0, 0.95, -97.0, -90.0},
    {"12AX7", 3, 60.0, 1.0, 0.9, -100.0, -95.0},  {"12AX7", 4, 60.0, 1.0, 0.9, -103.0, -97.0},
    {"12AX7", 4, 70.0, 1.0, 0.85, -100.0, -93.0}, {"12AU7", 4, 70.0, 1.0, 0.85, -96.0, -90.0},
};

/* The preamp's output for the DI in, by the K path or not; its K path's
 * mode and share of the circuit samples. */
static float *run(const Case *c, const float *in, size_t n, bool k_path, int *kmode,
                  double *k_share) {
  char why[200] = "";
  GsTubePreamp *tp = gs_tube_preamp_new(gs_triode_model(c->tube), c->stages, 1e6, 1e6, RATE,
                                        c->gain_db, 0, GS_OS_LINEAR_PHASE, why, sizeof why);
  assert_non_null(tp);
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
    double e2 = 0.0, pk = 0.0;
    for (size_t i = 0; i < n; i++) {
      double d = (double)fast[i] - ref[i];
      e2 += d * d;
      pk = fmax(pk, fabs(d));
    }
    double rms_db = h_db(sqrt(e2 / n) / h_rms(ref, n)), pk_db = h_db(pk / h_peak(ref, n));
    printf(
        "%d %s stages, gain %.0f, DI x %.0f: K path %.1f %% of the circuit samples, "
        "%.1f dB rms, %.1f dB peak from Newton's path\n",
        c->stages, c->tube, c->gain_db, c->amplitude, 100.0 * share, rms_db, pk_db);
    char what[160];
    snprintf(what, sizeof what, "%d %s stages, gain %.0f dB, guitar DI: K path vs Newton's, rms",
             c->stages, c->tube, c->gain_db);
    h_accuracy("tube preamp", what, rms_db, c->max_rms, "dB");
    assert_int_equal(kmode, c->stages);
    assert_true(off_share == 0.0);
    assert_true(share >= c->min_k);
    assert_true(rms_db < c->max_rms);
    assert_true(pk_db < c->max_pk);
    free(fast);
    free(ref);
  }
  free(di);
  free(in);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(k_path_matches_newton)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
