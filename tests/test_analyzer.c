/* The analyzer against signals and systems of known content, not against
 * itself: synthesized distortion, white noise of known rms, the IEC 61672
 * A-weighting table, a biquad's exact response, a known delay; then the
 * chain figures the foundation's tests already pin down. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gainstage/analyze.h"
#include "harness.h"
#include "yeh.h"

#define RATE 48000.0

static void thd_of_synthesized_distortion(void **state) {
  (void)state;
  size_t n = 32768;
  double f = gs_coherent_freq(1000.0, n, RATE);
  float *x = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) {
    double w = 2 * PI * f * (double)i / RATE;
    x[i] = (float)(0.5 * sin(w) + 0.5e-4 * sin(2 * w + 0.3) + 0.5e-3 * sin(3 * w + 1.1));
  }
  GsToneAnalysis t;
  assert_int_equal(gs_analyze_tone(x, n, RATE, f, &t), GS_OK);
  double expect = 100.0 * sqrt(1e-6 + 1e-8); /* 0.1005 % */
  h_accuracy("analyzer", "THD of 0.1 % H3 + 0.01 % H2 (0.1005 %), error", 100 * t.thd - expect,
             0.002, "%");
  assert_float_equal(100 * t.thd, expect, 0.002);
  assert_float_equal(h_db(t.harm_rms[1] / t.fund_rms), -80.0, 0.01);
  assert_float_equal(h_db(t.harm_rms[2] / t.fund_rms), -60.0, 0.01);
  assert_float_equal(t.fund_rms, 0.5 / sqrt(2.0), 1e-6);
  free(x);
}

static double gauss(unsigned *s) {
  double u, v, q;
  do {
    *s = *s * 1103515245u + 12345u;
    u = 2.0 * ((*s >> 8) / 16777216.0) - 1.0;
    *s = *s * 1103515245u + 12345u;
    v = 2.0 * ((*s >> 8) / 16777216.0) - 1.0;
    q = u * u + v * v;
  } while (q >= 1.0 || q == 0.0);
  return u * sqrt(-2.0 * log(q) / q);
}

static void white_noise_of_known_rms(void **state) {
  (void)state;
  size_t n = 1 << 20;
  float *x = malloc(n * sizeof(float));
  unsigned seed = 7;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    x[i] = (float)(0.01 * gauss(&seed));
    sum += (double)x[i] * x[i];
  }
  double rms = sqrt(sum / (double)n);
  GsNoiseAnalysis a;
  assert_int_equal(gs_analyze_noise(x, n, RATE, &a), GS_OK);
  double band = rms * sqrt((20000.0 - 20.0) / (RATE / 2));
  h_accuracy("analyzer", "white noise in 20 Hz-20 kHz, error", h_db(a.rms_band / band), 0.1, "dB");
  assert_float_equal(h_db(a.rms_band / band), 0.0, 0.1);
  assert_float_equal(h_db(a.rms_full / rms), 0.0, 0.1);
  free(x);
}

/* IEC 61672-1:2013 table 2, A-weighting (dB), nominal frequencies. */
static const double iec_a[][2] = {
    {10, -70.4},   {12.5, -63.4}, {16, -56.7},   {20, -50.5},   {25, -44.7},  {31.5, -39.4},
    {40, -34.6},   {50, -30.2},   {63, -26.2},   {80, -22.5},   {100, -19.1}, {125, -16.1},
    {160, -13.4},  {200, -10.9},  {250, -8.6},   {315, -6.6},   {400, -4.8},  {500, -3.2},
    {630, -1.9},   {800, -0.8},   {1000, 0.0},   {1250, 0.6},   {1600, 1.0},  {2000, 1.2},
    {2500, 1.3},   {3150, 1.2},   {4000, 1.0},   {5000, 0.5},   {6300, -0.1}, {8000, -1.1},
    {10000, -2.5}, {12500, -4.3}, {16000, -6.6}, {20000, -9.3},
};

/* The table gives nominal frequencies; the standard's exact ones are
 * 1000 * 10^(k/10). */
static double exact_hz(double nominal) {
  return 1000.0 * pow(10.0, round(10.0 * log10(nominal / 1000.0)) / 10.0);
}

static void a_weighting_table(void **state) {
  (void)state;
  double worst = 0.0, worst_measured = 0.0;
  size_t n = 1 << 17;
  float *x = malloc(n * sizeof(float));
  for (size_t i = 0; i < sizeof iec_a / sizeof iec_a[0]; i++) {
    double f = exact_hz(iec_a[i][0]);
    worst = fmax(worst, fabs(gs_a_weighting_db(f) - iec_a[i][1]));
    if (f < 31.0 || f > 16500.0) continue; /* inside the measured band */
    for (size_t k = 0; k < n; k++) x[k] = (float)(0.1 * sin(2 * PI * f * (double)k / RATE));
    GsNoiseAnalysis a;
    assert_int_equal(gs_analyze_noise(x, n, RATE, &a), GS_OK);
    worst_measured = fmax(worst_measured, fabs(h_db(a.rms_a / a.rms_band) - iec_a[i][1]));
  }
  h_accuracy("analyzer", "A-weighting vs IEC 61672 table, 10 Hz-20 kHz", worst, 0.1, "dB");
  h_accuracy("analyzer", "A-weighted sines vs IEC 61672 table, 31.5 Hz-16 kHz", worst_measured, 0.1,
             "dB");
  assert_true(worst < 0.1);
  assert_true(worst_measured < 0.1);
  free(x);
}

/* Systems defined here, independent of the library's stages. */
typedef struct {
  double b0, b1, b2, a1, a2, x1, x2, y1, y2;
  float line[64];
  int pos, delay;
} Toy;

static void biquad_process(void *ctx, const float *in, float *out, uint32_t n) {
  Toy *t = ctx;
  for (uint32_t i = 0; i < n; i++) {
    double y = t->b0 * in[i] + t->b1 * t->x1 + t->b2 * t->x2 - t->a1 * t->y1 - t->a2 * t->y2;
    t->x2 = t->x1;
    t->x1 = in[i];
    t->y2 = t->y1;
    t->y1 = y;
    out[i] = (float)y;
  }
}

static void delay_process(void *ctx, const float *in, float *out, uint32_t n) {
  Toy *t = ctx;
  for (uint32_t i = 0; i < n; i++) {
    out[i] = t->line[(t->pos + 64 - t->delay) % 64];
    t->line[t->pos] = in[i];
    t->pos = (t->pos + 1) % 64;
  }
}

static void toy_reset(void *ctx) {
  Toy *t = ctx;
  t->x1 = t->x2 = t->y1 = t->y2 = 0.0;
  memset(t->line, 0, sizeof t->line);
  t->pos = 0;
}

static GsSystem toy_system(Toy *t, void (*process)(void *, const float *, float *, uint32_t)) {
  GsSystem s = {.ctx = t,
                .rate = RATE,
                .input = GS_DOMAIN_ANALOG,
                .output = GS_DOMAIN_ANALOG,
                .process = process,
                .reset = toy_reset,
                .nominal_level = -10.0};
  return s;
}

static double complex biquad_at(const Toy *t, double hz) {
  double complex z1 = cexp(-I * 2 * PI * hz / RATE), z2 = z1 * z1;
  return (t->b0 + t->b1 * z1 + t->b2 * z2) / (1.0 + t->a1 * z1 + t->a2 * z2);
}

/* A peaking biquad, +6 dB at 2 kHz, Q 1.4 (Audio EQ Cookbook, computed
 * here): the response read within 0.02 dB and 1 degree. */
static void biquad_response(void **state) {
  (void)state;
  double A = pow(10, 6.0 / 40), w0 = 2 * PI * 2000 / RATE, alpha = sin(w0) / (2 * 1.4);
  double a0 = 1 + alpha / A;
  Toy t = {.b0 = (1 + alpha * A) / a0,
           .b1 = -2 * cos(w0) / a0,
           .b2 = (1 - alpha * A) / a0,
           .a1 = -2 * cos(w0) / a0,
           .a2 = (1 - alpha / A) / a0};
  GsSystem s = toy_system(&t, biquad_process);
  GsMeasureConfig c;
  gs_measure_defaults(&c);
  c.noise = c.max_output = false;
  GsMeasurement m;
  assert_int_equal(gs_measure(&s, &c, NULL, &m), GS_OK);
  double worst_db = 0.0, worst_deg = 0.0;
  double ref = cabs(biquad_at(&t, 1000.0));
  for (size_t i = 0; i < m.n_response; i++) {
    double complex h = biquad_at(&t, m.response[i].hz) / ref;
    worst_db = fmax(worst_db, fabs(m.response[i].db - h_db(cabs(h))));
    double d = m.response[i].deg - carg(h) * 180 / PI;
    d = fmod(d + 540.0, 360.0) - 180.0;
    worst_deg = fmax(worst_deg, fabs(d));
  }
  h_accuracy("analyzer", "biquad response magnitude, 10 Hz-20 kHz", worst_db, 0.02, "dB");
  h_accuracy("analyzer", "biquad response phase, 10 Hz-20 kHz", worst_deg, 1.0, "deg");
  assert_true(m.n_response > 100);
  assert_true(worst_db < 0.02);
  assert_true(worst_deg < 1.0);
  assert_float_equal(m.latency_samples, 0.0, 0.0);
  gs_measurement_clear(&m);
}

static void known_delay(void **state) {
  (void)state;
  Toy t = {.delay = 37};
  GsSystem s = toy_system(&t, delay_process);
  s.reported_latency = 37;
  GsMeasureConfig c;
  gs_measure_defaults(&c);
  c.noise = c.max_output = false;
  GsMeasurement m;
  assert_int_equal(gs_measure(&s, &c, NULL, &m), GS_OK);
  h_accuracy("analyzer", "latency of a 37-sample delay", m.latency_samples, 37, "samples");
  assert_float_equal(m.latency_samples, 37.0, 0.0);
  /* the delay's phase is removed: a flat response */
  for (size_t i = 0; i < m.n_response; i++) {
    assert_true(fabs(m.response[i].db) < 0.01);
    assert_true(fabs(m.response[i].deg) < 0.5);
  }
  gs_measurement_clear(&m);
}

/* The warnings measuring a 37-sample delay that reports `reported` with
 * `slack` samples of slack (minimum-phase filters may measure late). */
static int latency_warnings(uint32_t reported, uint32_t slack) {
  Toy t = {.delay = 37};
  GsSystem s = toy_system(&t, delay_process);
  s.reported_latency = reported;
  s.latency_slack = slack;
  GsMeasureConfig c;
  gs_measure_defaults(&c);
  c.noise = c.max_output = false;
  HLog got;
  GsLog log = h_log_sink(&got);
  GsMeasurement m;
  assert_int_equal(gs_measure(&s, &c, &log, &m), GS_OK);
  gs_measurement_clear(&m);
  if (got.warnings) print_message("%s", got.text);
  return got.warnings;
}

static void latency_mismatch_warns(void **state) {
  (void)state;
  assert_int_equal(latency_warnings(37, 0), 0);
  assert_int_equal(latency_warnings(36, 0), 0); /* a sample's rounding */
  assert_int_equal(latency_warnings(34, 0), 1);
  assert_int_equal(latency_warnings(34, 3), 0); /* late within the slack */
  assert_int_equal(latency_warnings(33, 3), 0); /* and a sample's rounding */
  assert_int_equal(latency_warnings(32, 3), 1);
  assert_int_equal(latency_warnings(40, 3), 1); /* never early */
}

/* --------------------------------------------------- chains measured */

static GsMeasurement measure_chain(const char *text, double rate, const GsMeasureConfig *c) {
  GsChain *chain = h_chain(text, rate, 1, true);
  GsSystem s;
  assert_int_equal(gs_system_for_chain(chain, &s), GS_OK);
  GsMeasurement m;
  assert_int_equal(gs_measure(&s, c, NULL, &m), GS_OK);
  gs_chain_free(chain);
  return m;
}

static void mic_into_preamp(void **state) {
  (void)state;
  GsMeasureConfig c;
  gs_measure_defaults(&c);
  c.response = c.max_output = false;
  GsMeasurement m = measure_chain(
      "source type=mic-dynamic impedance=150 cable=0 fs_volts=1 ! preamp input=mic gain=0 "
      "voicing=transparent",
      RATE, &c);
  /* fs_volts=1: a full-scale sine in is 1 V peak at the source */
  double expect = h_db(2400.0 / 2550.0);
  h_accuracy("analyzer on chains", "150 Ω mic into 2.4 kΩ, gain error", m.gain_db - expect, 0.005,
             "dB");
  assert_float_equal(m.gain_db, expect, 0.005);
  gs_measurement_clear(&m);
}

static void tonestack_response(void **state) {
  (void)state;
  GsMeasureConfig c;
  gs_measure_defaults(&c);
  c.noise = c.max_output = false;
  const double rates[] = {48000, 96000};
  const char *models[] = {"fender", "marshall"};
  const Tmb *values[] = {&bassman, &jcm800};
  for (int k = 0; k < 2; k++) {
    for (int r = 0; r < 2; r++) {
      char text[64];
      snprintf(text, sizeof text, "tonestack model=%s", models[k]);
      GsMeasurement m = measure_chain(text, rates[r], &c);
      double worst = 0.0, ref = cabs(yeh(values[k], 0.5, 0.5, 0.5, 1000.0));
      for (size_t i = 0; i < m.n_response; i++) {
        if (m.response[i].hz < 20.0) continue;
        double expect = h_db(cabs(yeh(values[k], 0.5, 0.5, 0.5, m.response[i].hz)) / ref);
        worst = fmax(worst, fabs(m.response[i].db - expect));
      }
      char what[96];
      snprintf(what, sizeof what, "%s stack response vs Yeh, 20 Hz-20 kHz at %.0f kHz", models[k],
               rates[r] / 1000);
      h_accuracy("analyzer on chains", what, worst, 0.1, "dB");
      assert_true(worst < 0.1);
      gs_measurement_clear(&m);
    }
  }
}

static void poweramp_max_output(void **state) {
  (void)state;
  GsMeasureConfig c;
  gs_measure_defaults(&c);
  c.noise = c.response = false;
  c.level = 0.0;
  c.level_given = true;
  GsMeasurement m = measure_chain("poweramp watts=100 load=8 ! load ohms=8", RATE, &c);
  h_accuracy("analyzer on chains", "max output at 1 % THD, 100 W / 8 Ω amplifier", m.max_watts, 100,
             "W");
  assert_float_equal(m.max_watts, 100.0, 3.0);
  gs_measurement_clear(&m);
}

/* TPDF dither of ±1 LSB plus rounding: rms LSB/2, -96.33 dB re a
 * full-scale peak at 16 bits (full band: dither is white to Nyquist). */
static void dithered_16_bit_floor(void **state) {
  (void)state;
  GsMeasureConfig c;
  gs_measure_defaults(&c);
  c.tone = c.response = c.max_output = false;
  GsMeasurement m = measure_chain("adc bits=16 dither=on", RATE, &c);
  double got = h_db(m.noise_rms_full), expect = h_db(ldexp(1.0, -16));
  h_accuracy("analyzer on chains", "16-bit TPDF floor re FS peak (-96.33 dB), error", got - expect,
             0.3, "dB");
  assert_float_equal(got, expect, 0.3);
  gs_measurement_clear(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(thd_of_synthesized_distortion),
      cmocka_unit_test(white_noise_of_known_rms),
      cmocka_unit_test(a_weighting_table),
      cmocka_unit_test(biquad_response),
      cmocka_unit_test(known_delay),
      cmocka_unit_test(latency_mismatch_warns),
      cmocka_unit_test(mic_into_preamp),
      cmocka_unit_test(tonestack_response),
      cmocka_unit_test(poweramp_max_output),
      cmocka_unit_test(dithered_16_bit_floor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
