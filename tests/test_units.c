/* Values with SI prefixes and units, and level conversions, against
 * hand-computed figures. */
#include <math.h>
#include <string.h>

#include "harness.h"

static const GsParamInfo *param(const char *stage, const char *name) {
  const GsStageInfo *s = gs_stage_find(stage);
  assert_non_null(s);
  int i = gs_param_find(s, name);
  assert_true(i >= 0);
  return &s->params[i];
}

static double parse_ok(const char *stage, const char *name, const char *text) {
  double v = NAN;
  char why[256];
  GsStatus st = gs_param_parse(param(stage, name), text, &v, why, sizeof why);
  if (st != GS_OK) fail_msg("%s.%s=%s: %s", stage, name, text, why);
  return v;
}

static GsStatus parse_status(const char *stage, const char *name, const char *text, char *why) {
  double v;
  return gs_param_parse(param(stage, name), text, &v, why, 256);
}

static void si_prefixes(void **state) {
  (void)state;
  assert_float_equal(parse_ok("preamp", "impedance", "2.4k"), 2400.0, 1e-9);
  assert_float_equal(parse_ok("preamp", "impedance", "1M"), 1e6, 1e-6);
  assert_float_equal(parse_ok("preamp", "impedance", "1meg"), 1e6, 1e-6);
  assert_float_equal(parse_ok("preamp", "impedance", "4k7"), 4700.0, 1e-9);
  assert_float_equal(parse_ok("preamp", "impedance", "4k7Ω"), 4700.0, 1e-9);
  assert_float_equal(parse_ok("preamp", "impedance", "1Meg"), 1e6, 1e-6);
  assert_float_equal(parse_ok("preamp", "impedance", "2MEG"), 2e6, 1e-6);
  assert_float_equal(parse_ok("speaker", "xmax", "2mm"), 2.0, 1e-12);
  assert_float_equal(parse_ok("speaker", "xmax", "0.3cm"), 3.0, 1e-12);
  assert_float_equal(parse_ok("speaker", "sd", "530cm²"), 530.0, 1e-9);
  assert_float_equal(parse_ok("speaker", "sd", "0.053m2"), 530.0, 1e-9);
  assert_float_equal(parse_ok("mic", "sensitivity", "-54dBV"), 1000.0 * pow(10.0, -54.0 / 20.0),
                     1e-9);
  assert_float_equal(parse_ok("preamp", "impedance", "68kohm"), 68e3, 1e-9);
  assert_float_equal(parse_ok("preamp", "impedance", "68kΩ"), 68e3, 1e-9);
  assert_float_equal(parse_ok("source", "cable", "22n"), 22e-9, 1e-18);
  assert_float_equal(parse_ok("source", "cable", "470pF"), 470e-12, 1e-20);
  assert_float_equal(parse_ok("source", "cable", "0.5nF"), 0.5e-9, 1e-20);
  assert_float_equal(parse_ok("source", "inductance", "2.5H"), 2.5, 1e-12);
  assert_float_equal(parse_ok("source", "inductance", "500mH"), 0.5, 1e-12);
  assert_float_equal(parse_ok("poweramp", "rout", "20m"), 0.02, 1e-12);
  assert_float_equal(parse_ok("poweramp", "rout", "2R2"), 2.2, 1e-12);
  assert_float_equal(parse_ok("poweramp", "watts", "1.5kW"), 1500.0, 1e-9);
  assert_float_equal(parse_ok("preamp", "hpf", "80Hz"), 80.0, 1e-12);
  assert_float_equal(parse_ok("preamp", "hpf", "off"), 0.0, 0.0);
  assert_float_equal(parse_ok("preamp", "impedance", "auto"), 0.0, 0.0);
}

static void level_units(void **state) {
  (void)state;
  /* +4 dBu as volts: 0.7746 * 10^(4/20) = 1.2277 V rms, *sqrt2 peak */
  assert_float_equal(parse_ok("source", "fs_volts", "4dBu"), 1.736163, 1e-5);
  assert_float_equal(parse_ok("source", "fs_volts", "1Vrms"), sqrt(2.0), 1e-12);
  assert_float_equal(parse_ok("source", "fs_volts", "-20dBV"), 0.1 * sqrt(2.0), 1e-12);
  assert_float_equal(parse_ok("source", "fs_volts", "500mV"), 0.5, 1e-12);
  /* a dBu parameter given in volts: 1.228 Vrms is +4 dBu */
  assert_float_equal(parse_ok("preamp", "maxout", "1.2277Vrms"), 4.0, 1e-3);
  assert_float_equal(parse_ok("preamp", "maxout", "0dBV"), 2.2185, 1e-4);
  assert_float_equal(parse_ok("poweramp", "sensitivity", "1.228Vrms"), 1.228, 1e-12);
  assert_float_equal(parse_ok("poweramp", "sensitivity", "4dBu"), 1.227653, 1e-5);
  assert_float_equal(parse_ok("tonestack", "bass", "75%"), 0.75, 1e-12);
}

static void choices_and_toggles(void **state) {
  (void)state;
  assert_float_equal(parse_ok("tonestack", "model", "marshall"), 1.0, 0.0);
  assert_float_equal(parse_ok("tonestack", "model", "Baxandall"), 3.0, 0.0);
  assert_float_equal(parse_ok("preamp", "phantom", "on"), 1.0, 0.0);
  assert_float_equal(parse_ok("preamp", "phantom", "off"), 0.0, 0.0);
  char why[256];
  assert_int_equal(parse_status("tonestack", "model", "mesa", why), GS_ERR_BAD_VALUE);
  assert_non_null(strstr(why, "fender|marshall|vox|baxandall"));
  assert_int_equal(parse_status("preamp", "phantom", "maybe", why), GS_ERR_BAD_VALUE);
}

static void errors_name_the_range(void **state) {
  (void)state;
  char why[256];
  assert_int_equal(parse_status("preamp", "gain", "90", why), GS_ERR_RANGE);
  assert_non_null(strstr(why, "0 dB to 70 dB"));
  assert_int_equal(parse_status("preamp", "gain", "4x", why), GS_ERR_BAD_VALUE);
  assert_int_equal(parse_status("preamp", "gain", "forty", why), GS_ERR_BAD_VALUE);
  assert_int_equal(parse_status("preamp", "gain", "nan", why), GS_ERR_BAD_VALUE);
  assert_int_equal(parse_status("preamp", "gain", "inf", why), GS_ERR_BAD_VALUE);
  assert_int_equal(parse_status("preamp", "gain", "0x10", why), GS_ERR_BAD_VALUE);
  assert_int_equal(parse_status("preamp", "gain", "1e999", why), GS_ERR_BAD_VALUE);
  assert_int_equal(parse_status("preamp", "gain", "40Hz", why), GS_ERR_BAD_VALUE);
  assert_non_null(strstr(why, "'Hz' is not a unit"));
  assert_int_equal(parse_status("adc", "bits", "16.5", why), GS_ERR_BAD_VALUE);
  assert_int_equal(parse_status("adc", "bits", "4", why), GS_ERR_RANGE);
  assert_int_equal(parse_status("preamp", "impedance", "10", why), GS_ERR_RANGE);
  assert_non_null(strstr(why, "or auto"));
}

static void format_round_trip(void **state) {
  (void)state;
  for (uint32_t s = 0; s < gs_stage_count(); s++) {
    const GsStageInfo *st = gs_stage_at(s);
    for (uint32_t i = 0; i < st->n_params; i++) {
      const GsParamInfo *p = &st->params[i];
      if (p->type == GS_PARAM_PATH) continue; /* text, not a number */
      double vals[3] = {p->min, p->max, p->def};
      for (int k = 0; k < 3; k++) {
        char text[64];
        gs_param_format(p, vals[k], text, sizeof text);
        /* the human form with a space is not chain text; compact it */
        char compact[64];
        size_t j = 0;
        for (const char *c = text; *c && j + 1 < sizeof compact; c++) {
          if (*c != ' ') compact[j++] = *c;
        }
        compact[j] = '\0';
        double back = NAN;
        char why[256];
        GsStatus r = gs_param_parse(p, compact, &back, why, sizeof why);
        if (r != GS_OK)
          fail_msg("%s.%s: '%s' does not parse back: %s", st->name, p->name, compact, why);
        assert_true(fabs(back - vals[k]) <= 1e-5 * fmax(1.0, fabs(vals[k])));
      }
    }
  }
}

static void levels(void **state) {
  (void)state;
  double v;
  GsLevelUnit u;
  assert_int_equal(gs_level_parse("-10dBu", &v, &u), GS_OK);
  assert_int_equal(u, GS_LEVEL_DBU);
  assert_float_equal(gs_level_to_vpk(v, u), 0.774597 * pow(10, -0.5) * sqrt(2), 1e-6);
  assert_int_equal(gs_level_parse("1Vpk", &v, &u), GS_OK);
  assert_float_equal(gs_level_to_vpk(v, u), 1.0, 1e-12);
  assert_int_equal(gs_level_parse("0.5Vrms", &v, &u), GS_OK);
  assert_float_equal(gs_level_to_vpk(v, u), 0.5 * sqrt(2), 1e-12);
  assert_int_equal(gs_level_parse("-20dBV", &v, &u), GS_OK);
  assert_float_equal(gs_level_to_vpk(v, u), 0.1 * sqrt(2), 1e-12);
  assert_int_equal(gs_level_parse("-6dBFS", &v, &u), GS_OK);
  assert_float_equal(gs_level_to_vpk(v, u), pow(10, -6.0 / 20), 1e-12);
  assert_int_equal(gs_level_parse("100mV", &v, &u), GS_OK);
  assert_float_equal(gs_level_to_vpk(v, u), 0.1 * sqrt(2), 1e-12);
  assert_int_not_equal(gs_level_parse("loud", &v, &u), GS_OK);
  assert_int_not_equal(gs_level_parse("3dBX", &v, &u), GS_OK);
  assert_int_not_equal(gs_level_parse("-1Vpk", &v, &u), GS_OK);
  /* 0 dBu is sqrt(0.6) V: 1 mW into 600 ohms */
  assert_float_equal(gs_dbu_to_vrms(0.0), sqrt(0.6), 1e-12);
  assert_float_equal(gs_vrms_to_dbu(sqrt(0.6) * 10.0), 20.0, 1e-9);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(si_prefixes),         cmocka_unit_test(level_units),
      cmocka_unit_test(choices_and_toggles), cmocka_unit_test(errors_name_the_range),
      cmocka_unit_test(format_round_trip),   cmocka_unit_test(levels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
