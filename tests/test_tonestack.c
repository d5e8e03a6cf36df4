/* Tone stacks against D. T. Yeh and J. O. Smith's closed-form transfer
 * function of the TMB stack (DAFx 2006, eq. for b1..b3, a0..a3), typed in
 * here from the paper, independently of the nodal solver in the library.
 *
 * The five settings run end to end (impulse response through the chain,
 * its DTFT) at 48 and 96 kHz over 20 Hz - 20 kHz; every pot position on a
 * 6x6x6 grid is checked on the design itself, with the bounds the docs
 * state for each rate. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "stages/tonestack.h"
#include "yeh.h"

static const double settings[5][3] = {
    /* treble, mid, bass */
    {0.5, 0.5, 0.5}, {1.0, 1.0, 1.0}, {0.2, 0.8, 0.3}, {1.0, 0.0, 1.0}, {0.8, 0.3, 0.1},
};

/* Largest dB error over 20 Hz - 20 kHz, measured through the chain. */
static double chain_error(const char *model, const Tmb *k, const double *set, double rate) {
  char text[160];
  snprintf(text, sizeof text, "tonestack model=%s treble=%g mid=%g bass=%g", model, set[0], set[1],
           set[2]);
  GsChain *c = h_chain(text, rate, 1, false);
  size_t n = (size_t)(2 * rate);
  float *ir = h_impulse_response(c, n, 1.0);
  double worst = 0.0;
  for (double f = 20.0; f <= 20000.0; f *= 1.1) {
    double expect = h_db(cabs(yeh(k, set[0], set[1], set[2], f)));
    worst = fmax(worst, fabs(h_response_db(ir, n, 1.0, f, rate) - expect));
  }
  free(ir);
  gs_chain_free(c);
  return worst;
}

static void five_settings(void **state) {
  (void)state;
  const char *models[] = {"fender", "marshall"};
  const Tmb *values[] = {&bassman, &jcm800};
  const double rates[] = {48000, 96000};
  for (int m = 0; m < 2; m++) {
    for (int r = 0; r < 2; r++) {
      double worst = 0.0;
      for (int s = 0; s < 5; s++)
        worst = fmax(worst, chain_error(models[m], values[m], settings[s], rates[r]));
      char what[128];
      snprintf(what, sizeof what, "vs Yeh & Smith, five settings, 20 Hz-20 kHz at %.0f kHz",
               rates[r] / 1000);
      h_accuracy(models[m], what, worst, 0.1, "dB");
      assert_true(worst < 0.1);
    }
  }
}

/* Every position on a 6x6x6 grid, on the design. */
static double grid_error(int model, const Tmb *k, double rate, double top) {
  double worst = 0.0;
  for (int i = 0; i < 216; i++) {
    double t = (i % 6) / 5.0, m = ((i / 6) % 6) / 5.0, l = (i / 36) / 5.0;
    double v[4] = {model, l, m, t};
    GsSosCoefs c;
    assert_true(gs_tonestack_design(v, rate, &c));
    for (double f = 20.0; f <= top; f *= 1.06) {
      double got = h_db(cabs(gs_sos_response(&c, f, rate)));
      /* the pot ends keep 0.1 % of the track, as in the library */
      double tt = fmin(fmax(t, 1e-3), 1 - 1e-3), mm = fmin(fmax(m, 1e-3), 1 - 1e-3);
      double ll = fmax(l, 1e-3);
      worst = fmax(worst, fabs(got - h_db(cabs(yeh(k, tt, mm, ll, f)))));
    }
  }
  return worst;
}

static void whole_grid(void **state) {
  (void)state;
  const struct {
    double rate, top, bound;
  } cases[] = {
      {96000, 20000, 0.05},
      {48000, 20000, 0.25},
      {48000, 10000, 0.2},
      {44100, 20000, 0.4},
  };
  const Tmb *values[] = {&bassman, &jcm800};
  const char *names[] = {"fender", "marshall"};
  for (int m = 0; m < 2; m++) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      double e = grid_error(m, values[m], cases[i].rate, cases[i].top);
      char what[128];
      snprintf(what, sizeof what,
               "vs Yeh & Smith, all 216 grid positions, 20 Hz-%.0f kHz at %.1f kHz",
               cases[i].top / 1000, cases[i].rate / 1000);
      h_accuracy(names[m], what, e, cases[i].bound, "dB");
      assert_true(e < cases[i].bound);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(five_settings),
      cmocka_unit_test(whole_grid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
