/* The speaker's low-frequency pressure response in a sealed and in a
 * vented box, against ngspice AC analyses of the driver-and-box acoustic
 * circuit (tests/netlists/speaker-*.cir, run by this test): the shape,
 * 10 Hz - 1 kHz, re 500 Hz, within 0.2 dB.
 * argv[1], argv[2]: the sealed and the vented netlist. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define RATE 48000.0

static const char *netlists[2];

static void box_matches_spice(const char *netlist, const char *data, const char *chain,
                              const char *name) {
  HCurve sp;
  h_spice_curve(netlist, data, &sp);
  GsChain *c = h_chain(chain, RATE, 1, false);
  size_t n = 1u << 17; /* 2.7 s: the box's ring has died away */
  float *ir = h_impulse_response(c, n, 1.0);
  double ref = h_response_db(ir, n, 1.0, 500.0, RATE), sref = h_curve_at(&sp, 500.0);
  double worst = 0.0, at = 0.0;
  for (double f = 10.0; f <= 1000.0; f *= pow(2.0, 1.0 / 24.0)) {
    double d = fabs((h_response_db(ir, n, 1.0, f, RATE) - ref) - (h_curve_at(&sp, f) - sref));
    if (d > worst) worst = d, at = f;
  }
  printf("%s: worst %.4f dB (at %.1f Hz) against ngspice, 10 Hz - 1 kHz\n", name, worst, at);
  h_accuracy(name, "pressure response vs ngspice, 10 Hz-1 kHz re 500 Hz", worst, 0.2, "dB");
  assert_true(worst <= 0.2);
  free(ir);
  gs_chain_free(c);
  h_curve_free(&sp);
}

#define DRIVER "speaker re=6.4 le=0 fs=75 qms=5 qes=0.45 vas=90 sd=531 box=60"

static void sealed_box(void **state) {
  (void)state;
  box_matches_spice(netlists[0], "speaker_sealed.txt", DRIVER, "speaker, sealed 60 L");
}

static void vented_box(void **state) {
  (void)state;
  box_matches_spice(netlists[1], "speaker_vented.txt", DRIVER " port=55",
                    "speaker, vented 60 L at 55 Hz");
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: test_speaker_spice SEALED.cir VENTED.cir\n");
    return 2;
  }
  netlists[0] = argv[1];
  netlists[1] = argv[2];
  const struct CMUnitTest tests[] = {cmocka_unit_test(sealed_box), cmocka_unit_test(vented_box)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
