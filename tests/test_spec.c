/* Chain text: every stage separator, comments, and every error path with
 * a message that names what was wrong. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static GsStatus parse(const char *text, HLog *log, GsSpec **spec) {
  GsLog sink = h_log_sink(log);
  *spec = NULL;
  return gs_spec_parse(text, &sink, spec);
}

static void separators_and_comments(void **state) {
  (void)state;
  HLog log;
  GsSpec *spec;
  assert_int_equal(parse("source type=guitar ! preamp gain=30 ! adc", &log, &spec), GS_OK);
  assert_int_equal(gs_spec_length(spec), 3);
  assert_string_equal(gs_spec_stage(spec, 1)->name, "preamp");
  int g = gs_param_find(gs_spec_stage(spec, 1), "gain");
  assert_float_equal(gs_spec_value(spec, 1, (uint32_t)g), 30.0, 0.0);
  gs_spec_free(spec);
  const char *preset =
      "# a comment\n"
      "source type=mic-dynamic   # trailing comment\n"
      "\n"
      "preamp input=mic gain=40 phantom=off\n"
      "gain db=-6 ! adc bits=16\n";
  assert_int_equal(parse(preset, &log, &spec), GS_OK);
  assert_int_equal(gs_spec_length(spec), 4);
  assert_string_equal(gs_spec_stage(spec, 3)->name, "adc");
  gs_spec_free(spec);
}

static void defaults_filled(void **state) {
  (void)state;
  HLog log;
  GsSpec *spec;
  assert_int_equal(parse("poweramp", &log, &spec), GS_OK);
  const GsStageInfo *st = gs_spec_stage(spec, 0);
  for (uint32_t i = 0; i < st->n_params; i++) {
    assert_float_equal(gs_spec_value(spec, 0, i), st->params[i].def, 0.0);
  }
  gs_spec_free(spec);
}

typedef struct {
  const char *text;
  GsStatus status;
  const char *needles[3]; /* all must appear in the message */
} Bad;

static void errors(void **state) {
  (void)state;
  static const Bad cases[] = {
      {"preamq gain=3",
       GS_ERR_UNKNOWN_STAGE,
       {"unknown stage 'preamq'", "did you mean 'preamp'", NULL}},
      {"preamp gian=3",
       GS_ERR_UNKNOWN_PARAM,
       {"stage 1 (preamp)", "'gian'", "did you mean 'gain'"}},
      {"source ! preamp gain=90", GS_ERR_RANGE, {"stage 2 (preamp)", "gain=90", "0 dB to 70 dB"}},
      {"preamp gain=4o", GS_ERR_BAD_VALUE, {"gain=4o", NULL, NULL}},
      {"preamp gain=", GS_ERR_SYNTAX, {"has no value", NULL, NULL}},
      {"preamp gain", GS_ERR_SYNTAX, {"not key=value", NULL, NULL}},
      {"preamp gain=3 gain=4", GS_ERR_SYNTAX, {"given twice", NULL, NULL}},
      {"", GS_ERR_SYNTAX, {"empty", NULL, NULL}},
      {"  # only a comment\n", GS_ERR_SYNTAX, {"empty", NULL, NULL}},
      {"! preamp", GS_ERR_SYNTAX, {"'!' with no stage", NULL, NULL}},
      {"gain=3 preamp", GS_ERR_SYNTAX, {"before any stage", NULL, NULL}},
      {"poweramp type=tube tube=EL84 watts=5000",
       GS_ERR_RANGE,
       {"watts=5000", "out of reach", "EL84 push-pull"}},
      {"tonestack model=mesa", GS_ERR_BAD_VALUE, {"model=mesa", "fender|marshall", NULL}},
      {"gain db=\"3", GS_ERR_SYNTAX, {"unterminated quote", NULL, NULL}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    HLog log;
    GsSpec *spec;
    GsStatus s = parse(cases[i].text, &log, &spec);
    if (s != cases[i].status)
      fail_msg("'%s': status %d, expected %d (%s)", cases[i].text, s, cases[i].status, log.text);
    assert_null(spec);
    assert_true(log.errors >= 1);
    for (int k = 0; k < 3 && cases[i].needles[k]; k++) {
      if (!strstr(log.text, cases[i].needles[k])) {
        fail_msg("'%s': message lacks '%s': %s", cases[i].text, cases[i].needles[k], log.text);
      }
    }
  }
}

static void limits(void **state) {
  (void)state;
  HLog log;
  GsSpec *spec;
  /* 65 stages */
  size_t n = 65 * 8 + 1;
  char *text = calloc(n, 1);
  for (int i = 0; i < 65; i++) strcat(text, "gain ! ");
  assert_int_equal(parse(text, &log, &spec), GS_ERR_RANGE);
  assert_non_null(strstr(log.text, "more than 64 stages"));
  free(text);
  /* a line over 64 KiB */
  text = malloc(70000);
  memset(text, ' ', 69999);
  memcpy(text, "gain", 4);
  text[69999] = '\0';
  assert_int_equal(parse(text, &log, &spec), GS_ERR_SYNTAX);
  assert_non_null(strstr(log.text, "too long"));
  free(text);
}

static void preset_file_errors_name_the_line(void **state) {
  (void)state;
  const char *path = "test_spec_preset.tmp";
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("source\n# fine so far\npreamp gain=99\n", f);
  fclose(f);
  HLog log;
  GsLog sink = h_log_sink(&log);
  GsSpec *spec = NULL;
  assert_int_equal(gs_spec_load(path, &sink, &spec), GS_ERR_RANGE);
  assert_non_null(strstr(log.text, "test_spec_preset.tmp:3:"));
  remove(path);
  assert_int_equal(gs_spec_load("no/such/preset", &sink, &spec), GS_ERR_IO);
  assert_non_null(strstr(log.text, "cannot read preset 'no/such/preset'"));
}

static void to_text_round_trip(void **state) {
  (void)state;
  HLog log;
  GsSpec *spec, *again;
  const char *text =
      "source type=guitar cable=470p ! preamp gain=33.5 hpf=80 "
      "impedance=2.2M ! tonestack model=marshall bass=0.3 ! "
      "poweramp rout=20m watts=1.2k ! speaker le=0.55m output=terminals ! adc bits=16";
  assert_int_equal(parse(text, &log, &spec), GS_OK);
  char *out = gs_spec_to_text(spec);
  assert_non_null(out);
  assert_int_equal(parse(out, &log, &again), GS_OK);
  assert_int_equal(gs_spec_length(again), gs_spec_length(spec));
  for (uint32_t s = 0; s < gs_spec_length(spec); s++) {
    for (uint32_t p = 0; p < gs_spec_stage(spec, s)->n_params; p++) {
      double a = gs_spec_value(spec, s, p), b = gs_spec_value(again, s, p);
      if (fabs(a - b) > 1e-5 * fmax(1.0, fabs(a))) fail_msg("%s: %g vs %g", out, a, b);
    }
  }
  free(out);
  gs_spec_free(spec);
  gs_spec_free(again);
}

/* Values set one by one (as the LV2 plugins do) are checked like parsed
 * ones, and a refused value leaves the spec as it was. */
static void set_value_and_path(void **state) {
  (void)state;
  GsSpec *spec;
  assert_int_equal(gs_spec_parse("preamp ! cab", NULL, &spec), GS_OK);
  const GsStageInfo *pre = gs_spec_stage(spec, 0), *cab = gs_spec_stage(spec, 1);
  uint32_t gain = (uint32_t)gs_param_find(pre, "gain"), hpf = (uint32_t)gs_param_find(pre, "hpf");
  uint32_t voicing = (uint32_t)gs_param_find(pre, "voicing");
  char why[256] = "";
  assert_int_equal(gs_spec_set_value(spec, 0, gain, 35.0, why, sizeof why), GS_OK);
  assert_true(gs_spec_value(spec, 0, gain) == 35.0);
  assert_int_equal(gs_spec_set_value(spec, 0, gain, 71.0, why, sizeof why), GS_ERR_RANGE);
  assert_non_null(strstr(why, "gain"));
  assert_true(gs_spec_value(spec, 0, gain) == 35.0);
  assert_int_equal(gs_spec_set_value(spec, 0, gain, NAN, why, sizeof why), GS_ERR_RANGE);
  assert_int_equal(gs_spec_set_value(spec, 0, hpf, 0.0, why, sizeof why), GS_OK); /* off */
  assert_int_equal(gs_spec_set_value(spec, 0, hpf, 5.0, why, sizeof why), GS_ERR_RANGE);
  assert_int_equal(gs_spec_set_value(spec, 0, voicing, 0.6, why, sizeof why), GS_OK);
  assert_true(gs_spec_value(spec, 0, voicing) == 1.0); /* a choice rounds */
  uint32_t ir = (uint32_t)gs_param_find(cab, "ir");
  assert_int_equal(gs_spec_set_value(spec, 1, ir, 1.0, why, sizeof why), GS_ERR_ARG);
  assert_int_equal(gs_spec_set_path(spec, 1, ir, "/some/ir.wav"), GS_OK);
  assert_string_equal(gs_spec_path(spec, 1, ir), "/some/ir.wav");
  assert_int_equal(gs_spec_set_path(spec, 1, ir, NULL), GS_OK);
  assert_null(gs_spec_path(spec, 1, ir));
  assert_int_equal(gs_spec_set_path(spec, 0, gain, "x"), GS_ERR_ARG);
  assert_int_equal(gs_spec_set_value(spec, 5, gain, 1.0, why, sizeof why), GS_ERR_ARG);
  gs_spec_free(spec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(separators_and_comments),
      cmocka_unit_test(defaults_filled),
      cmocka_unit_test(errors),
      cmocka_unit_test(limits),
      cmocka_unit_test(preset_file_errors_name_the_line),
      cmocka_unit_test(to_text_round_trip),
      cmocka_unit_test(set_value_and_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
