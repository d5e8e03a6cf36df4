/* From the amplifier's terminals to the recorded signal: impulse-response
 * files (resampling, zero latency through the chain), sound pressure from
 * sensitivity and distance, the microphone's level, proximity effect and
 * self-noise, and whole rigs landing at a sensible level in the converter.
 * References are computed here from first principles (DFTs of the IRs,
 * the definitions of dB SPL and of sensitivity), never by the code under
 * test. */
#include <complex.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/response.h"
#include "dsp/biquad.h"
#include "gainstage/analyze.h"
#include "harness.h"
#include "ir_file.h"

#define RATE 48000.0
#define P_REF 20e-6 /* Pa: 0 dB SPL */

static const char *presets_dir;

/* ------------------------------------------------------------ IR files */

/* A cabinet-like minimum-phase IR at rate: 80 Hz high-pass, a 2.5 kHz
 * presence peak, a 6 kHz low-pass (a bilinear cascade of minimum-phase
 * sections); long IRs add a faint room-like tail to fill their length. */
static float *cabinet_ir(size_t len, double rate) {
  GsBiquad q[3] = {gs_biquad_design(GS_BQ_HIGHPASS, 80.0, 0.0, 0.7, rate),
                   gs_biquad_design(GS_BQ_PEAK, 2500.0, 6.0, 2.0, rate),
                   gs_biquad_design(GS_BQ_LOWPASS, 6000.0, 0.0, 0.7, rate)};
  double z[3][4] = {{0}};
  float *h = malloc(len * sizeof(float));
  unsigned seed = 99;
  for (size_t i = 0; i < len; i++) {
    double y = i == 0 ? 0.5 : 0.0;
    for (int k = 0; k < 3; k++) {
      double out = q[k].b0 * y + q[k].b1 * z[k][0] + q[k].b2 * z[k][1] - q[k].a1 * z[k][2] -
                   q[k].a2 * z[k][3];
      z[k][1] = z[k][0];
      z[k][0] = y;
      z[k][3] = z[k][2];
      z[k][2] = out;
      y = out;
    }
    if (len > 4096 && i > 64) {
      seed = seed * 1664525u + 1013904223u;
      y += 3e-4 * ((seed >> 8) / 8388608.0 - 1.0) * exp(-4.0 * (double)i / (double)len);
    }
    h[i] = (float)y;
  }
  return h;
}

static void write_ir(const char *path, const float *h, size_t len, int rate) {
  SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  assert_non_null(f);
  assert_int_equal(sf_writef_float(f, h, (sf_count_t)len), (sf_count_t)len);
  sf_close(f);
}

/* |H| in dB of an IR at hz, by a direct DFT. */
static double ir_db(const float *h, size_t len, double hz, double rate) {
  double complex acc = 0.0;
  for (size_t i = 0; i < len; i++) acc += h[i] * cexp(-I * 2.0 * PI * hz * (double)i / rate);
  return 20.0 * log10(cabs(acc));
}

/* The same IR recorded at another rate and used at 48 kHz responds the
 * same, 20 Hz - 18 kHz, and still starts at once. The IR's onset is at
 * its first sample, the hard case: the resampler rings before it. */
static void ir_resampled_keeps_response(void **state) {
  (void)state;
  const int rates[] = {44100, 88200, 96000};
  for (size_t r = 0; r < 3; r++) {
    size_t len = 4096;
    float *h = cabinet_ir(len, rates[r]);
    write_ir("ir-rate.wav", h, len, rates[r]);
    GsIrOptions opt = {.normalize = false, .trim = false};
    float *g = NULL;
    size_t glen = 0;
    char why[256] = "";
    assert_int_equal(gs_ir_load("ir-rate.wav", RATE, &opt, &g, &glen, why, sizeof why), GS_OK);
    double worst = 0.0, at = 0.0;
    for (double hz = 20.0; hz <= 18000.0; hz *= pow(2.0, 1.0 / 24.0)) {
      double d = fabs(ir_db(g, glen, hz, RATE) - ir_db(h, len, hz, rates[r]));
      if (d > worst) worst = d, at = hz;
    }
    GsChain *c = h_chain("cab ir=ir-rate.wav normalize=off trim=off", RATE, 1, false);
    GsSystem sys;
    assert_int_equal(gs_system_for_chain(c, &sys), GS_OK);
    GsSweepResult sw;
    assert_int_equal(gs_sweep_response(&sys, 0.1, &sw), GS_OK);
    printf("%d Hz IR at 48 kHz: worst %.4f dB (at %.0f Hz), 20 Hz-18 kHz; latency %.0f\n", rates[r],
           worst, at, sw.latency);
    char name[64];
    snprintf(name, sizeof name, "IR resampling %.1f -> 48 kHz", rates[r] / 1000.0);
    h_accuracy(name, "worst response error, 20 Hz-18 kHz", worst, 0.1, "dB");
    assert_true(worst <= 0.1);
    /* down from 88.2 or 96 kHz, what lay above 24 kHz goes out through a
     * linear-phase filter whose ringing before the onset is cut: the
     * excess phase may peak a sample (21 us) late */
    assert_true(sw.latency <= (rates[r] < RATE ? 0.0 : 1.0));
    gs_sweep_free(&sw);
    gs_chain_free(c);
    free(h);
    free(g);
  }
}

/* Through the chain the IR plays from the first sample: the impulse
 * response is the file's, and the analyzer measures no latency. */
static void cab_ir_adds_no_latency(void **state) {
  (void)state;
  const size_t lens[] = {512, 8192, 96000};
  for (size_t k = 0; k < 3; k++) {
    float *h = cabinet_ir(lens[k], RATE);
    write_ir("ir48k.wav", h, lens[k], (int)RATE);
    GsChain *c = h_chain("cab ir=ir48k.wav normalize=off trim=off", RATE, 1, false);
    float *y = h_impulse_response(c, lens[k], 1.0);
    double err = 0.0, ref = 0.0;
    for (size_t i = 0; i < lens[k]; i++) {
      err += (y[i] - h[i]) * (y[i] - h[i]);
      ref += h[i] * h[i];
    }
    GsSystem sys;
    assert_int_equal(gs_system_for_chain(c, &sys), GS_OK);
    GsSweepResult r;
    assert_int_equal(gs_sweep_response(&sys, 0.1, &r), GS_OK);
    printf("%6zu taps: impulse response error %.2e rel, measured latency %.0f samples\n", lens[k],
           sqrt(err / ref), r.latency);
    assert_true(sqrt(err / ref) < 1e-5);
    assert_true(r.latency == 0.0);
    gs_sweep_free(&r);
    gs_chain_free(c);
    free(y);
    free(h);
  }
}

/* ------------------------------------------------------- sound pressure */

/* dB SPL at the output of a chain ending in the air, for a 1 kHz sine
 * of vrms at its input. */
static double spl_for(const char *chain, double vrms) {
  GsChain *c = h_chain(chain, RATE, 1, false);
  double pa_pk = h_sine_gain(c, 1000.0, vrms * sqrt(2.0), RATE) * vrms * sqrt(2.0);
  gs_chain_free(c);
  return 20.0 * log10(pa_pk / sqrt(2.0) / P_REF);
}

/* 1 W (2.83 V into a nominal 8 ohms) into a 90 dB/W/m speaker: 90 dB SPL
 * at 1 m, 6 dB less at 2 m (inverse square), and close to a cone of
 * known area a little less than inverse square says. */
static void speaker_spl_from_sensitivity(void **state) {
  (void)state;
  double v1w = sqrt(8.0);
  double at1 = spl_for("speaker sensitivity=90 nominal=8", v1w);
  double at2 = spl_for("speaker sensitivity=90 nominal=8 distance=2", v1w);
  double at2sd = spl_for("speaker sensitivity=90 nominal=8 distance=2 sd=500", v1w);
  printf("1 W, 90 dB/W/m: %.3f dB SPL at 1 m, %.3f at 2 m (%.3f with Sd = 500 cm^2)\n", at1, at2,
         at2sd);
  h_accuracy("speaker SPL", "1 W into 90 dB/W/m at 1 m, error", fabs(at1 - 90.0), 0.1, "dB");
  h_accuracy("speaker SPL", "same at 2 m, error re 84 dB", fabs(at2 - 84.0), 0.1, "dB");
  assert_true(fabs(at1 - 90.0) <= 0.1);
  assert_true(fabs(at2 - 84.0) <= 0.1);
  assert_true(fabs(at2sd - 84.0) <= 0.1);
}

/* 100 W into a 90 dB/W/m speaker: the plan says 110 dB SPL at 1 m. */
static void plan_gives_spl(void **state) {
  (void)state;
  GsSpec *spec;
  assert_int_equal(
      gs_spec_parse("poweramp watts=100 load=8 sensitivity=1 ! speaker sensitivity=90 distance=4",
                    NULL, &spec),
      GS_OK);
  /* 1 V rms (in dBu) at the amplifier: its rated power */
  GsPlanConfig cfg = {.rate = RATE, .level = 20.0 * log10(1.0 / 0.7745966692), .level_given = true};
  GsPlan *plan;
  assert_int_equal(gs_plan_new(spec, &cfg, NULL, &plan), GS_OK);
  const GsPlanNode *n = gs_plan_node(plan, 2);
  printf("plan: %.3f dB SPL at 1 m, %.3f dB SPL at %.1f m\n", n->spl_1m, n->level, n->distance);
  assert_true(fabs(n->spl_1m - 110.0) <= 0.1);
  assert_true(fabs(n->level - (110.0 - 20.0 * log10(4.0))) <= 0.2);
  assert_true(n->distance == 4.0);
  gs_plan_free(plan);
  gs_spec_free(spec);
}

/* ------------------------------------------------------------ microphone */

/* 94 dB SPL into a 2 mV/Pa mic: 2 mV rms (94 dB SPL is 1.002 Pa). */
static void mic_sensitivity(void **state) {
  (void)state;
  double pa = P_REF * pow(10.0, 94.0 / 20.0);
  GsChain *c = h_chain("mic sensitivity=2 distance=1", RATE, 1, false);
  double mv = h_sine_gain(c, 1000.0, pa * sqrt(2.0), RATE) * pa * 1e3;
  gs_chain_free(c);
  printf("94 dB SPL into 2 mV/Pa: %.4f mV rms\n", mv);
  h_accuracy("mic", "94 dB SPL into 2 mV/Pa, error re 2 mV", fabs(mv / 2.0 - 1.0) * 100.0, 1.0,
             "%");
  assert_true(fabs(mv / 2.0 - 1.0) <= 0.01);
}

/* A cardioid 5 cm from a source gains at 100 Hz what a first-order
 * gradient gains in a spherical wave: |1/2 + 1/2 (1 + c/(j w r))| against
 * the same at 2 m. */
static void mic_proximity_effect(void **state) {
  (void)state;
  const double c = 343.0, w = 2.0 * PI * 100.0;
  double complex near = 0.5 + 0.5 * (1.0 + c / (I * w * 0.05));
  double complex far = 0.5 + 0.5 * (1.0 + c / (I * w * 2.0));
  double want = h_db(cabs(near) / cabs(far));
  GsChain *a = h_chain("mic pattern=cardioid distance=0.05", RATE, 1, false);
  GsChain *b = h_chain("mic pattern=cardioid distance=2", RATE, 1, false);
  double got = h_db(h_sine_gain(a, 100.0, 1.0, RATE) / h_sine_gain(b, 100.0, 1.0, RATE));
  gs_chain_free(a);
  gs_chain_free(b);
  printf("cardioid at 5 cm, 100 Hz: +%.3f dB (spherical-wave gradient: +%.3f dB)\n", got, want);
  assert_true(fabs(got - want) <= 0.1);
}

/* A condenser of 14 dB(A) self-noise, with no sound: its A-weighted
 * output noise, over its sensitivity, is 14 dB SPL. */
static void mic_self_noise(void **state) {
  (void)state;
  size_t n = (size_t)(4.0 * RATE);
  float *x = calloc(n, sizeof(float)), *y = malloc(n * sizeof(float));
  GsChain *c = h_chain("mic type=condenser sensitivity=20 selfnoise=14", RATE, 1, true);
  h_run(c, x, y, n, 1024);
  GsNoiseAnalysis na;
  assert_int_equal(gs_analyze_noise(y, n, RATE, &na), GS_OK);
  double db_a = 20.0 * log10(na.rms_a / 20e-3 / P_REF);
  printf("condenser, 14 dB(A) self-noise: measured %.2f dB(A) SPL\n", db_a);
  h_accuracy("mic", "self-noise, error re 14 dB(A)", fabs(db_a - 14.0), 0.5, "dB");
  assert_true(fabs(db_a - 14.0) <= 0.5);
  gs_chain_free(c);
  free(x);
  free(y);
}

/* ------------------------------------------------------------ whole rigs */

static double peak_dbfs(GsChain *c, const float *in, size_t n) {
  float *y = malloc(n * sizeof(float));
  h_run(c, in, y, n, 256);
  double pk = 0.0;
  for (size_t i = 0; i < n; i++) pk = fmax(pk, fabs(y[i]));
  free(y);
  return 20.0 * log10(pk);
}

/* The demo phrase through every rig that ends in the converter, and
 * through the issue's own chain, peaks between -18 and -3 dBFS. */
static void rigs_land_in_the_converter(void **state) {
  (void)state;
  size_t n = (size_t)(9.0 * RATE);
  float *di = malloc(n * sizeof(float));
  assert_int_equal(gs_synth_guitar(di, n, RATE, 1), GS_OK);
  const char *rigs[] = {"jazz-clean", "crunch", "high-gain", "guitar-clean"};
  for (size_t k = 0; k < 4; k++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.preset", presets_dir, rigs[k]);
    GsSpec *spec;
    assert_int_equal(gs_spec_load(path, NULL, &spec), GS_OK);
    GsChainConfig cfg = {.rate = RATE, .channels = 1, .seed = 1, .noise = true};
    GsChain *c;
    assert_int_equal(gs_chain_new(spec, &cfg, NULL, &c), GS_OK);
    double pk = peak_dbfs(c, di, n);
    printf("%-13s peaks at %6.2f dBFS\n", rigs[k], pk);
    assert_true(pk >= -18.0 && pk <= -3.0);
    gs_chain_free(c);
    gs_spec_free(spec);
  }
  GsChain *c = h_chain(
      "source type=guitar ! preamp ! poweramp ! speaker ! mic ! preamp input=mic gain=40 ! adc",
      RATE, 1, true);
  double pk = peak_dbfs(c, di, n);
  printf("DI ! ... ! speaker ! mic ! preamp gain=40 ! adc peaks at %.2f dBFS\n", pk);
  assert_true(pk >= -18.0 && pk <= -3.0);
  gs_chain_free(c);
  free(di);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  presets_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ir_resampled_keeps_response),
      cmocka_unit_test(cab_ir_adds_no_latency),
      cmocka_unit_test(speaker_spl_from_sensitivity),
      cmocka_unit_test(plan_gives_spl),
      cmocka_unit_test(mic_sensitivity),
      cmocka_unit_test(mic_proximity_effect),
      cmocka_unit_test(mic_self_noise),
      cmocka_unit_test(rigs_land_in_the_converter),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
