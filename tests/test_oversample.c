/* The oversampler (src/dsp/oversample.c), the tube runner
 * (src/dsp/tube_runner.c) and the oversampled clipper (src/dsp/clipper.c):
 * stopband, passband, images and latency measured with sines; block-size
 * independence, bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "dsp/clip.h"
#include "dsp/clipper.h"
#include "dsp/oversample.h"
#include "dsp/tube_circuits.h"
#include "dsp/tube_runner.h"

#define N_BASE 2048 /* base samples a measurement runs */

static const double rates[] = {44100.0, 48000.0, 96000.0};
static const int factors[] = {2, 4, 8};
static const GsOsPhase phases[] = {GS_OS_LINEAR_PHASE, GS_OS_MINIMUM_PHASE};
static const char *const phase_names[] = {"linear", "minimum"};
#define N_PHASES 2

static GsOversampler *os_new(int factor, double rate, GsOsPhase phase) {
  GsOversampler *o = malloc(sizeof *o);
  assert_non_null(o);
  assert_true(gs_os_init(o, factor, rate, phase));
  return o;
}

/* The rms of x[from .. n). */
static double rms(const double *x, int from, int n) {
  double acc = 0.0;
  for (int i = from; i < n; i++) acc += x[i] * x[i];
  return sqrt(acc / (n - from));
}

/* Least squares fit of a sine at `w` (radians per sample) to x[from .. n):
 * the residual's rms. */
static double residual(const double *x, int from, int n, double w, double *amp) {
  double cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
  for (int i = from; i < n; i++) {
    double c = cos(w * i), s = sin(w * i);
    cc += c * c, ss += s * s, cs += c * s, xc += x[i] * c, xs += x[i] * s;
  }
  double det = cc * ss - cs * cs, a = (xc * ss - xs * cs) / det, b = (xs * cc - xc * cs) / det;
  double acc = 0.0;
  for (int i = from; i < n; i++) {
    double e = x[i] - a * cos(w * i) - b * sin(w * i);
    acc += e * e;
  }
  *amp = hypot(a, b);
  return sqrt(acc / (n - from));
}

/* Whatever the decimator lets through from fs/2 up to the high Nyquist
 * folds into the band: at least 100 dB down. */
static void test_stopband(void **state) {
  (void)state;
  double *hi = malloc(N_BASE * GS_OS_MAX_FACTOR * sizeof(double)), y[N_BASE], worst = -300.0;
  for (int ph = 0; ph < N_PHASES * 3 * 3; ph++) {
    int r = ph % 3, f = factors[ph / 3 % 3];
    {
      GsOversampler *o = os_new(f, rates[r], phases[ph / 9]);
      for (int j = 0; j <= 96; j++) { /* fs/2 .. f fs/2 */
        double hz = 0.5 * rates[r] * (1.0 + (f - 1.0) * j / 96.0), w = 2 * PI * hz / (f * rates[r]);
        if (j == 96) w = PI * 0.999;
        for (int i = 0; i < N_BASE * f; i++) hi[i] = sin(w * i);
        gs_os_reset(o);
        gs_os_down(o, hi, N_BASE, y);
        double db = 20 * log10(rms(y, (int)o->latency + 300, N_BASE) * sqrt(2.0) + 1e-30);
        if (db > worst) worst = db;
        if (db > -100.0)
          print_message("%s phase, rate %g factor %d: %g Hz at %.1f dB\n", phase_names[ph / 9],
                        rates[r], f, hz, db);
        assert_true(db <= -100.0);
      }
      free(o);
    }
  }
  print_message("stopband: at most %.1f dB\n", worst);
  free(hi);
}

/* Up and down again: flat to the pass edge (0.01 dB), and no images
 * of the input in the high-rate signal (90 dB down). */
static void test_passband_images(void **state) {
  (void)state;
  double x[N_BASE], y[N_BASE], *hi = malloc(N_BASE * GS_OS_MAX_FACTOR * sizeof(double));
  for (int ph = 0; ph < N_PHASES * 3 * 3; ph++) {
    int r = ph % 3, f = factors[ph / 3 % 3];
    {
      GsOversampler *o = os_new(f, rates[r], phases[ph / 9]);
      for (int j = 1; j <= 40; j++) {
        double hz = o->pass_hz * j / 40.0, w = 2 * PI * hz / rates[r], amp;
        for (int i = 0; i < N_BASE; i++) x[i] = sin(w * i);
        gs_os_reset(o);
        gs_os_up(o, x, N_BASE, hi);
        double image = residual(hi, 400 * f, N_BASE * f, w / f, &amp);
        assert_true(20 * log10(image) < -90.0);
        gs_os_down(o, hi, N_BASE, y);
        residual(y, 400, N_BASE, w, &amp);
        assert_true(fabs(20 * log10(amp)) < 0.01);
      }
      free(o);
    }
  }
  free(hi);
}

/* Linear phase: the output is the input delayed by the reported latency.
 * Minimum phase: a 1 kHz tone is delayed by the latency within half a
 * sample, and an impulse comes out within a sample of it. */
static void test_latency(void **state) {
  (void)state;
  double x[N_BASE], y[N_BASE], *hi = malloc(N_BASE * GS_OS_MAX_FACTOR * sizeof(double));
  for (int ph = 0; ph < N_PHASES; ph++) {
    for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
      for (int f = 1; f <= GS_OS_MAX_FACTOR; f *= 2) {
        GsOversampler *o = os_new(f, rates[r], phases[ph]);
        double w = 2 * PI * 1000.0 / rates[r], err = 0.0, amp;
        for (int i = 0; i < N_BASE; i++) x[i] = sin(w * i);
        gs_os_up(o, x, N_BASE, hi);
        gs_os_down(o, hi, N_BASE, y);
        for (int i = 400; i < N_BASE; i++) err = fmax(err, fabs(y[i] - x[i - (int)o->latency]));
        /* the tone's delay: y is sin(w (i - delay)), the delay taken
         * whole periods from the latency (the impulse tells those) */
        double cc = 0.0, cs = 0.0, period = 2 * PI / w;
        for (int i = 400; i < N_BASE; i++) cc += y[i] * cos(w * i), cs += y[i] * sin(w * i);
        double delay = atan2(-cc, cs) / w;
        delay += period * round((o->latency - delay) / period);
        residual(y, 400, N_BASE, w, &amp);
        memset(x, 0, sizeof x);
        x[100] = 1.0;
        gs_os_reset(o);
        gs_os_up(o, x, N_BASE, hi);
        gs_os_down(o, hi, N_BASE, y);
        int peak = 0;
        for (int i = 0; i < N_BASE; i++) peak = fabs(y[i]) > fabs(y[peak]) ? i : peak;
        print_message("%s phase, rate %g factor %d: latency %u samples, 1 kHz %.2f, impulse %d\n",
                      phase_names[ph], rates[r], f, o->latency, delay, peak - 100);
        if (phases[ph] == GS_OS_LINEAR_PHASE) assert_true(err < 1e-5);
        assert_true(fabs(delay - o->latency) <= 0.5);
        assert_true(abs(peak - 100 - (int)o->latency) <= 1);
        free(o);
      }
    }
  }
  free(hi);
}

/* A nonlinearity between up and down, the signal cut into blocks of
 * 1, 7, 64 and 4096: the same bits out. */
static void test_blocks_oversampler(void **state) {
  (void)state;
  enum { N = 9000 };
  static double x[N], ref[N], y[N], hi[N * GS_OS_MAX_FACTOR];
  const uint32_t blocks[] = {4096, 1, 7, 64};
  for (int i = 0; i < N; i++) x[i] = 3.0 * sin(0.3 * i) * sin(0.0021 * i) + 0.01 * (i % 17);
  for (int f = 2; f <= GS_OS_MAX_FACTOR; f *= 2) {
    GsOversampler *o = os_new(f, 48000.0, GS_OS_MINIMUM_PHASE);
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
      gs_os_reset(o);
      double *out = b == 0 ? ref : y;
      for (uint32_t at = 0; at < N; at += blocks[b]) {
        uint32_t n = N - at < blocks[b] ? N - at : blocks[b];
        gs_os_up(o, x + at, n, hi);
        for (uint32_t k = 0; k < n * (uint32_t)f; k++) hi[k] = tanh(hi[k]);
        gs_os_down(o, hi, n, out + at);
      }
      if (b > 0) assert_memory_equal(ref, y, sizeof ref);
    }
    free(o);
  }
}

/* The tube runner: one 12AX7 stage, driven into grid current. */
static void test_blocks_runner(void **state) {
  (void)state;
  enum { N = 6000 };
  static float x[N], ref[N], y[N];
  const uint32_t blocks[] = {4096, 1, 7, 64};
  GsTriodeStage st = {.tube = gs_triode_model("12AX7"),
                      .bplus = 250,
                      .ra = 100e3,
                      .rk = 1.5e3,
                      .rs = 68e3,
                      .rg = 1e6,
                      .rl = 1e6,
                      .ck = 22e-6,
                      .cout = 22e-9};
  GsDkNetlist *net = malloc(sizeof *net);
  gs_dk_clear(net);
  int in = gs_dk_node(net), bp = gs_dk_node(net);
  gs_dk_source(net, in, 0, 0);
  gs_dk_source(net, bp, 0, 1);
  gs_dk_output(net, gs_tc_common_cathode(net, &st, in, bp));
  double u0[2] = {0.0, st.bplus};
  for (int i = 0; i < N; i++) x[i] = (float)(4.0 * sin(2 * PI * 5000.0 * i / 48000.0));
  GsTubeRunner *run = malloc(sizeof *run);
  for (int f = 1; f <= GS_OS_MAX_FACTOR; f *= 2) {
    assert_true(gs_tube_runner_init(run, net, 48000.0, f, GS_OS_MINIMUM_PHASE, u0));
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
      gs_tube_runner_reset(run);
      float *out = b == 0 ? ref : y;
      memcpy(out, x, sizeof x); /* in place, as the preamp runs it */
      for (uint32_t at = 0; at < N; at += blocks[b]) {
        uint32_t n = N - at < blocks[b] ? N - at : blocks[b];
        gs_tube_runner_process(run, out + at, out + at, n);
      }
      if (b > 0) assert_memory_equal(ref, y, sizeof ref);
    }
  }
  free(run);
  free(net);
}

/* Below the knee the clipper passes its input through, delayed by its
 * latency and otherwise untouched (no filter on the linear part): the
 * same bits. */
static void test_clipper_linear(void **state) {
  (void)state;
  enum { N = 5000 };
  static double x[N], y[N];
  GsClipper *c = malloc(sizeof *c);
  for (int f = 2; f <= GS_OS_MAX_FACTOR; f *= 2) {
    assert_true(gs_clipper_init(c, f, 48000.0));
    uint32_t lat = gs_clipper_latency(c);
    for (int i = 0; i < N; i++) x[i] = y[i] = 0.69 * sin(0.9 * i) * sin(0.001 * i);
    gs_clipper_run(c, y, N, 1.0, 0.7); /* the soft knee at 0.7 */
    for (int i = 0; i < N; i++) assert_true(y[i] == (i < (int)lat ? 0.0 : x[i - (int)lat]));
    print_message("clipper %dx: latency %u, linear part exact\n", f, lat);
  }
  free(c);
}

/* Clipping and quiet stretches (the decimator skipped and resumed), cut
 * into blocks of 1, 7, 64 and 4096: the same bits, and the clipped tone
 * matches the clip of the delayed input to within what the filters pass. */
static void test_clipper_blocks(void **state) {
  (void)state;
  enum { N = 12000 };
  static double x[N], ref[N], y[N];
  const uint32_t blocks[] = {4096, 1, 7, 64};
  for (int i = 0; i < N; i++) {
    double env = (i / 1500) % 2 ? 0.2 : 2.5; /* loud, quiet, loud ... */
    x[i] = env * sin(2 * PI * 1000.0 * i / 48000.0);
  }
  GsClipper *c = malloc(sizeof *c);
  for (int f = 2; f <= GS_OS_MAX_FACTOR; f *= 2) {
    assert_true(gs_clipper_init(c, f, 48000.0));
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
      gs_clipper_reset(c);
      double *out = b == 0 ? ref : y;
      memcpy(out, x, sizeof x);
      for (uint32_t at = 0; at < N; at += blocks[b]) {
        uint32_t n = N - at < blocks[b] ? N - at : blocks[b];
        gs_clipper_run(c, out + at, n, 1.0, 0.0);
      }
      if (b > 0) assert_memory_equal(ref, y, sizeof ref);
    }
    /* a 1 kHz tone hard-clipped: what differs from the clip at the base
     * rate is what the decimator removed above 20 kHz and the aliases */
    int lat = (int)gs_clipper_latency(c);
    double err = 0.0;
    for (int i = 200; i < 1400; i++) err = fmax(err, fabs(ref[i + lat] - gs_clip_hard(x[i], 1.0)));
    print_message("clipper %dx: hard clip of a 1 kHz tone within %.3f of the base-rate clip\n", f,
                  err);
    assert_true(err < 0.1);
  }
  free(c);
}

/* Against the plain way, the whole clip at the high rate (up, clip,
 * down): a 1 kHz tone hard-clipped at 1.5 to 100 times the limit differs
 * by what the filters do to the unclipped signal the clipper leaves
 * alone, about 1e-6 of the input's peak. */
static void test_clipper_reference(void **state) {
  (void)state;
  enum { N = 8000 };
  static double x[N], ref[N], hi[N * 4];
  const double amps[] = {1.5, 10.0, 100.0};
  GsClipper *c = malloc(sizeof *c);
  for (size_t a = 0; a < sizeof amps / sizeof *amps; a++) {
    GsOversampler *o = os_new(4, 48000.0, GS_OS_LINEAR_PHASE);
    assert_true(gs_clipper_init(c, 4, 48000.0));
    for (int i = 0; i < N; i++) x[i] = amps[a] * sin(2 * PI * 1000.0 * i / 48000.0);
    gs_os_up(o, x, N, hi);
    for (int k = 0; k < N * 4; k++) hi[k] = gs_clip_hard(hi[k], 1.0);
    gs_os_down(o, hi, N, ref);
    gs_clipper_run(c, x, N, 1.0, 0.0);
    double acc = 0.0;
    for (int i = 1000; i < N; i++) acc += (x[i] - ref[i]) * (x[i] - ref[i]);
    double rms = sqrt(acc / (N - 1000));
    print_message("clipper 4x, 1 kHz at %g x the limit: %.1f dB re the limit from the plain way\n",
                  amps[a], 20.0 * log10(rms));
    assert_true(rms < 2e-6 * amps[a]);
    free(o);
  }
  free(c);
}

static void test_auto_factor(void **state) {
  (void)state;
  assert_int_equal(gs_tube_factor(0, 44100.0, 1), 2);
  assert_int_equal(gs_tube_factor(0, 48000.0, 1), 2);
  assert_int_equal(gs_tube_factor(3, 48000.0, 1), 4); /* quality=4 */
  assert_int_equal(gs_tube_factor(1, 44100.0, 2), 1); /* quality=1 */
  assert_int_equal(gs_tube_factor(0, 88200.0, 1), 1);
  assert_int_equal(gs_tube_factor(0, 96000.0, 1), 1);
  assert_int_equal(gs_tube_factor(0, 32000.0, 1), 4);
  /* a cascade at 176.4 kHz or more */
  assert_int_equal(gs_tube_factor(0, 44100.0, 2), 4);
  assert_int_equal(gs_tube_factor(0, 48000.0, 2), 4);
  assert_int_equal(gs_tube_factor(0, 96000.0, 2), 2);
  assert_int_equal(gs_tube_factor(0, 192000.0, 4), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stopband),          cmocka_unit_test(test_passband_images),
      cmocka_unit_test(test_latency),           cmocka_unit_test(test_blocks_oversampler),
      cmocka_unit_test(test_blocks_runner),     cmocka_unit_test(test_auto_factor),
      cmocka_unit_test(test_clipper_linear),    cmocka_unit_test(test_clipper_blocks),
      cmocka_unit_test(test_clipper_reference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
