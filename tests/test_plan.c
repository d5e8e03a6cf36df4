/* The level plan against hand calculation: levels through gains and
 * dividers, noise from a data-sheet EIN, watts from volts and ohms, and the
 * warnings a demanding user needs. */
#include <math.h>
#include <string.h>

#include "harness.h"

static GsPlan *plan_of(const char *text, double level, bool given, HLog *log) {
  GsLog sink = h_log_sink(log);
  GsSpec *spec;
  assert_int_equal(gs_spec_parse(text, &sink, &spec), GS_OK);
  GsPlanConfig cfg = {.rate = 48000, .level = level, .level_given = given};
  GsPlan *plan = NULL;
  assert_int_equal(gs_plan_new(spec, &cfg, &sink, &plan), GS_OK);
  gs_spec_free(spec);
  return plan;
}

/* -40 dBu + 40 dB = 0 dBu; the amplifier's own noise alone (an ideal
 * source drives it): sqrt(EIN^2 - e150^2) = -131.07 dBu, +40 dB. */
static void levels_and_noise(void **state) {
  (void)state;
  HLog log;
  GsPlan *p = plan_of("preamp input=mic gain=40 ein=-128 voicing=transparent ! gain db=-6", -40.0,
                      true, &log);
  assert_int_equal(gs_plan_length(p), 3);
  const GsPlanNode *pre = gs_plan_node(p, 1), *g = gs_plan_node(p, 2);
  assert_string_equal(pre->stage, "preamp");
  assert_float_equal(pre->level, 0.0, 0.01);
  assert_float_equal(g->level, -6.0, 0.01);
  double e150 = sqrt(4 * 1.380649e-23 * 290 * 150 * 20000);
  double ein = sqrt(0.6) * pow(10, -128.0 / 20);
  double expect = 20 * log10(sqrt(ein * ein - e150 * e150) / sqrt(0.6)) + 40.0;
  h_accuracy("plan", "noise at a preamp's output vs EIN arithmetic", pre->noise - expect, 0.15,
             "dB");
  assert_float_equal(pre->noise, expect, 0.15);
  assert_float_equal(g->noise, expect - 6.0, 0.15);
  assert_float_equal(pre->snr_db, pre->level - pre->noise, 1e-9);
  /* +24 dBu maxout: headroom 24 dB at 0 dBu */
  assert_float_equal(pre->clip, 24.0, 0.01);
  assert_float_equal(pre->headroom_db, 24.0, 0.02);
  assert_true(isinf(g->clip));
  gs_plan_free(p);
}

/* 0 dBu in, 26 dB gain: 15.49 V rms into 8 Ω = 30.0 W; the amplifier clips
 * at 40 V peak = 100 W. */
static void watts_into_a_load(void **state) {
  (void)state;
  HLog log;
  GsPlan *p = plan_of("poweramp watts=100 load=8 gain=26 rout=0 ! load ohms=8", 0.0, true, &log);
  const GsPlanNode *load = gs_plan_node(p, 2);
  double v = sqrt(0.6) * pow(10, 26.0 / 20);
  assert_float_equal(load->watts, v * v / 8.0, 0.01 * v * v / 8.0);
  assert_float_equal(load->watts_clip, 100.0, 1.0);
  gs_plan_free(p);
}

/* A file at -18 dBFS, line source at +18 dBu full scale: 0 dBu; 100 Ω into
 * 10 kΩ loses 0.086 dB; the converter at +18 dBu reads -18.09 dBFS. */
static void digital_nodes_in_dbfs(void **state) {
  (void)state;
  HLog log;
  GsPlan *p = plan_of("source type=line ! preamp input=line gain=0 voicing=transparent ! adc", 0,
                      false, &log);
  assert_int_equal(gs_plan_input_domain(p), GS_DOMAIN_DIGITAL);
  assert_float_equal(gs_plan_input_level(p), -18.0, 1e-9);
  const GsPlanNode *adc = gs_plan_node(p, 3);
  assert_int_equal(adc->domain, GS_DOMAIN_DIGITAL);
  double divider = 20 * log10(10e3 / (10e3 + 100)) + 20 * log10(10e3 / (10e3 + 100));
  assert_float_equal(adc->level, -18.0 + divider, 0.02);
  assert_float_equal(adc->clip, 0.0, 1e-9);
  gs_plan_free(p);
}

static void warnings(void **state) {
  (void)state;
  HLog log;
  GsPlan *p =
      plan_of("poweramp watts=200 load=8 minload=4 ! speaker re=3.2 rating=50", 0, false, &log);
  const char *w = gs_plan_warnings(p);
  assert_non_null(strstr(w, "over its 50 W rating"));
  assert_non_null(strstr(w, "below its minload"));
  gs_plan_free(p);
  p = plan_of("source type=mic-condenser ! preamp input=mic gain=40", 0, false, &log);
  assert_non_null(strstr(gs_plan_warnings(p), "phantom=on"));
  gs_plan_free(p);
  p = plan_of("preamp gain=70 maxout=10", 0.0, true, &log);
  assert_non_null(strstr(gs_plan_warnings(p), "clips at the nominal level"));
  gs_plan_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(levels_and_noise),
      cmocka_unit_test(watts_into_a_load),
      cmocka_unit_test(digital_nodes_in_dbfs),
      cmocka_unit_test(warnings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
