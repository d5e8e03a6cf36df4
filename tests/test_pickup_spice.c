/* The pickup's resonance with its cable and the amplifier's input, against
 * an ngspice AC analysis of the same network (tests/netlists/pickup.cir),
 * run by this test: peak frequency and height, and the response around it.
 * argv[1]: the netlist. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *netlist;

static void spice_peak(const HCurve *sp, double *hz, double *db) {
  int best = 0;
  for (int i = 1; i < sp->n; i++) {
    if (sp->y[i] > sp->y[best]) best = i;
  }
  *hz = sp->x[best];
  *db = sp->y[best];
}

static void resonance_matches_spice(void **state) {
  (void)state;
  HCurve sp;
  h_spice_curve(netlist, "pickup_ac.txt", &sp);
  double f_ref, db_ref;
  spice_peak(&sp, &f_ref, &db_ref);
  /* bilinear warping away from the prewarped peak: bounds by rate */
  const double rates[] = {48000, 96000}, bounds[] = {0.25, 0.08};
  for (int r = 0; r < 2; r++) {
    double rate = rates[r];
    GsChain *c = h_chain(
        "source type=guitar cable=500p ! "
        "preamp input=hiz impedance=1M gain=0 voicing=transparent",
        rate, 1, false);
    size_t n = (size_t)rate;
    float *ir = h_impulse_response(c, n, 1.0);
    double f_pk = 0.0, db_pk = -INFINITY;
    for (double f = 3000.0; f <= 5000.0; f += 1.0) {
      double d = h_response_db(ir, n, 1.0, f, rate);
      if (d > db_pk) {
        db_pk = d;
        f_pk = f;
      }
    }
    /* and the response below the peak, where the transform is exact-ish */
    double worst = 0.0;
    for (double f = 1000.0; f <= f_ref; f *= 1.05) {
      worst = fmax(worst, fabs(h_response_db(ir, n, 1.0, f, rate) - h_curve_at(&sp, f)));
    }
    char what[128];
    snprintf(what, sizeof what, "peak frequency vs ngspice at %.0f kHz (%.0f Hz)", rate / 1000,
             f_ref);
    h_accuracy("source guitar into hiz", what, 100.0 * (f_pk - f_ref) / f_ref, 0.5, "%");
    snprintf(what, sizeof what, "peak height vs ngspice at %.0f kHz (%.2f dB)", rate / 1000,
             db_ref);
    h_accuracy("source guitar into hiz", what, db_pk - db_ref, 0.05, "dB");
    snprintf(what, sizeof what, "response 1 kHz to the peak vs ngspice at %.0f kHz", rate / 1000);
    h_accuracy("source guitar into hiz", what, worst, bounds[r], "dB");
    assert_true(fabs(f_pk - f_ref) / f_ref < 0.005);
    assert_true(fabs(db_pk - db_ref) < 0.05);
    assert_true(worst < bounds[r]);
    free(ir);
    gs_chain_free(c);
  }
  h_curve_free(&sp);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_pickup_spice NETLIST\n");
    return 2;
  }
  netlist = argv[1];
  const struct CMUnitTest tests[] = {cmocka_unit_test(resonance_matches_spice)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
