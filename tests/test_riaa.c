/* The phono preamp's RIAA de-emphasis against the published RIAA playback
 * table (values to 0.01 dB, re 1 kHz), through the real processing path,
 * at 44.1, 48 and 96 kHz: within 0.05 dB everywhere from 20 Hz to 20 kHz. */
#include <math.h>
#include <stdio.h>

#include "harness.h"

static const struct {
  double hz, db;
} riaa_table[] = {
    {20, 19.27},    {30, 18.59},     {40, 17.79},     {50, 16.95},     {60, 16.10},
    {80, 14.51},    {100, 13.09},    {150, 10.27},    {200, 8.22},     {300, 5.48},
    {400, 3.78},    {500, 2.65},     {800, 0.75},     {1000, 0.00},    {1500, -1.40},
    {2000, -2.59},  {3000, -4.74},   {4000, -6.61},   {5000, -8.21},   {6000, -9.60},
    {8000, -11.89}, {10000, -13.73}, {12000, -15.26}, {15000, -17.16}, {20000, -19.62},
};

static double worst_error(const char *chain, double rate, bool iec) {
  GsChain *c = h_chain(chain, rate, 1, false);
  double worst = 0.0;
  for (size_t i = 0; i < sizeof riaa_table / sizeof riaa_table[0]; i++) {
    double f = riaa_table[i].hz;
    double expect = riaa_table[i].db;
    if (iec) {
      /* IEC 60098 amendment: a 7950 µs high-pass, |jwT / (1 + jwT)| */
      double wt = 2 * PI * f * 7950e-6;
      expect += h_db(wt / sqrt(1 + wt * wt)) -
                h_db(2 * PI * 1000 * 7950e-6 / sqrt(1 + pow(2 * PI * 1000 * 7950e-6, 2)));
    }
    double got = h_db(h_sine_gain(c, f, 0.005, rate));
    worst = fmax(worst, fabs(got - expect));
  }
  gs_chain_free(c);
  return worst;
}

static void riaa_table_all_rates(void **state) {
  (void)state;
  const double rates[] = {44100, 48000, 96000};
  for (int r = 0; r < 3; r++) {
    double e = worst_error("preamp input=phono gain=0 voicing=transparent", rates[r], false);
    char what[96];
    snprintf(what, sizeof what, "RIAA table 20 Hz-20 kHz at %.1f kHz, max error", rates[r] / 1000);
    h_accuracy("preamp phono", what, e, 0.05, "dB");
    assert_true(e < 0.05);
  }
}

static void riaa_iec_amendment(void **state) {
  (void)state;
  double e = worst_error("preamp input=phono gain=0 voicing=transparent iec=on", 48000, true);
  h_accuracy("preamp phono", "RIAA + IEC 7950 µs at 48 kHz, max error", e, 0.05, "dB");
  assert_true(e < 0.05);
}

/* gain is set at 1 kHz */
static void gain_applies_at_1k(void **state) {
  (void)state;
  GsChain *c = h_chain("preamp input=phono gain=40 voicing=transparent", 48000, 1, false);
  assert_float_equal(h_db(h_sine_gain(c, 1000, 0.001, 48000)), 40.0, 0.01);
  gs_chain_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(riaa_table_all_rates),
      cmocka_unit_test(riaa_iec_amendment),
      cmocka_unit_test(gain_applies_at_1k),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
