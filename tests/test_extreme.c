/* Extreme parameters: every parameter of every stage (alone, and in the
 * voicings and models its defaults do not reach) at its minimum and its
 * maximum, and every live one jumping across its range while audio runs.
 *
 * Asserted: a chain built at either end of a parameter is either refused
 * with a message or plays normal and full-scale signals with finite output
 * inside its domain's physical bounds, every circuit solved (no stage
 * warning that it did not converge), and falls silent after the signal
 * stops (nothing left oscillating); every jump — to each end and to random
 * values, one parameter at a time and all of them at random — keeps the
 * output finite and within the documented smoothing bound
 * (docs/parameters.md, as in test_smoothing). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RATE 48000.0
#define BLOCK 64
#define HOLD 9600   /* 0.2 s at each setting: 100 ms ramps and filters settle */
#define STEADY 2400 /* the last 0.05 s before a jump is its steady state */
#define CHANGE 7200 /* a jump's ramp and crossfade are over within 0.15 s */
#define N_RANDOM 4  /* random jumps per parameter, after min, max, min */
#define N_MIXED 40  /* random jumps of random parameters, per chain */

/* What no setting may exceed: +24 dBFS, 1 kV, 20 kPa (180 dB SPL), or
 * 60 dB above the input peak (an ideal gain stage at its maximum). */
static double output_limit(const GsChain *c, double in_peak) {
  GsDomain d = gs_chain_output_domain(c);
  double absolute = d == GS_DOMAIN_DIGITAL ? 16.0 : d == GS_DOMAIN_ACOUSTIC ? 2e4 : 1e3;
  return fmax(absolute, 1e3 * in_peak);
}

static double max_step(const float *x, size_t from, size_t to) {
  double m = 0;
  for (size_t i = from + 1; i < to; i++) m = fmax(m, fabs(x[i] - x[i - 1]));
  return m;
}

static uint64_t rng;
static void seed_from(const char *text) { /* the same values however chains are picked */
  rng = 0x9e3779b97f4a7c15u;
  for (const char *c = text; *c; c++) rng = (rng ^ (uint64_t)(unsigned char)*c) * 0x100000001b3u;
}
static double uniform(void) { /* xorshift64*, reproducible from run to run */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (double)((rng * 2685821657736338717u) >> 11) / 9007199254740992.0;
}

/* A random value across a parameter's range (geometric where it is log). */
static double random_value(const GsParamInfo *p) {
  double u = uniform();
  if (p->zero && u < 0.1) return 0.0;
  switch (p->type) {
    case GS_PARAM_REAL:
      if ((p->flags & GS_PARAM_LOG) && p->min > 0) return p->min * pow(p->max / p->min, u);
      return p->min + u * (p->max - p->min);
    default: return floor(p->min + u * (p->max - p->min + 1.0 - 1e-9));
  }
}

static bool testable(const GsParamInfo *p) {
  return p->type != GS_PARAM_PATH;
}

typedef struct {
  int checked, refused, failures;
  double worst_ratio; /* largest step during a jump / its bound */
} Tally;

/* ------------------------------------------------------ the two ends */

/* 0.5 s of a 220 Hz sine at the domain's normal level, 0.25 s at full
 * scale, 0.5 s of silence. */
#define NORMAL 24000
#define LOUD 12000
#define QUIET 24000
static float *ends_signal(GsDomain d, size_t *n) {
  *n = NORMAL + LOUD + QUIET;
  float *x = calloc(*n, sizeof(float));
  for (size_t i = 0; i < NORMAL + LOUD; i++) {
    double a = i < NORMAL ? h_normal_peak(d) : h_full_scale(d);
    x[i] = (float)(a * sin(2 * PI * 220.0 * (double)i / RATE));
  }
  return x;
}

/* The largest step of the chain's output in silence: its own noise
 * (an ADC's dither), which may go on after the signal stops. */
static double floor_step(GsChain *c) {
  size_t n = 4800;
  float *zero = calloc(n, sizeof(float)), *out = malloc(n * sizeof(float));
  h_run(c, zero, out, n, BLOCK);
  double step = max_step(out, n / 2, n);
  gs_chain_reset(c);
  free(zero);
  free(out);
  return step;
}

/* Checks one run: finite, within bounds, and quiet at the end — no
 * step in the last 0.1 s beyond -60 dB of the signal's largest (slow,
 * subsonic settling of coupling capacitors or a supply is allowed). */
static const char *judge_ends(const float *out, size_t n, double limit, double floor) {
  double peak = h_peak(out, n), signal = max_step(out, 0, NORMAL + LOUD);
  double tail = max_step(out, n - 4800, n);
  if (!h_all_finite(out, n)) return "a non-finite output sample";
  if (peak > limit) return "output beyond its physical bound";
  if (tail > 1e-3 * signal + 2 * floor + 1e-9) return "still sounding after the signal stopped";
  return NULL;
}

/* The chain `text` with stage st's parameter p at `value`, built and
 * played; returns a failure's description or NULL. */
static const char *play_at(const char *text, uint32_t st, uint32_t p, double value, Tally *t) {
  GsSpec *spec = NULL;
  assert_int_equal(gs_spec_parse(text, NULL, &spec), GS_OK);
  char why[256] = "";
  HLog log;
  GsLog sink = h_log_sink(&log);
  GsChain *c = NULL;
  GsChainConfig cfg = {.rate = RATE, .channels = 1, .seed = 1, .noise = false};
  if (gs_spec_set_value(spec, st, p, value, why, sizeof why) != GS_OK ||
      gs_chain_new(spec, &cfg, &sink, &c) != GS_OK) {
    gs_spec_free(spec);
    t->refused++;
    return why[0] || log.errors ? NULL : "refused without a message";
  }
  gs_spec_free(spec);
  double floor = floor_step(c);
  size_t n;
  GsDomain d = gs_chain_input_domain(c);
  float *in = ends_signal(d, &n), *out = malloc(n * sizeof(float));
  h_run(c, in, out, n, BLOCK);
  const char *fail = judge_ends(out, n, output_limit(c, h_full_scale(d)), floor);
  gs_chain_poll(c, &sink); /* clipping warnings are expected here; a circuit unsolved is not */
  if (!fail && strstr(log.text, "converge")) fail = "a circuit did not converge";
  gs_chain_free(c);
  free(in);
  free(out);
  t->checked++;
  return fail;
}

static void ends_of_chain(const char *text, Tally *t) {
  GsSpec *spec = NULL;
  assert_int_equal(gs_spec_parse(text, NULL, &spec), GS_OK);
  for (uint32_t st = 0; st < gs_spec_length(spec); st++) {
    const GsStageInfo *info = gs_spec_stage(spec, st);
    for (uint32_t p = 0; p < info->n_params; p++) {
      const GsParamInfo *pi = &info->params[p];
      if (!testable(pi)) continue;
      double ends[3] = {pi->min, pi->max, 0.0};
      for (int e = 0; e < (pi->zero ? 3 : 2); e++) {
        const char *fail = play_at(text, st, p, ends[e], t);
        if (fail) {
          printf("FAIL %s: %s.%s = %g: %s\n", text, info->name, pi->name, ends[e], fail);
          t->failures++;
        }
      }
    }
  }
  gs_spec_free(spec);
}

/* ------------------------------------------------------------- jumps */

typedef struct {
  uint32_t stage, param;
  double value;
  const char *name; /* the parameter's, for messages */
} Jump;

/* Plays a 100 Hz sine (a tenth of the domain's normal level, as in
 * test_smoothing) through the chain, making jump k at sample (k+1)*HOLD;
 * checks each against the smoothing bound. */
static void play_jumps(const char *text, const Jump *jumps, size_t n_jumps, Tally *t) {
  GsChain *c = h_chain(text, RATE, 1, false);
  size_t n = (n_jumps + 1) * HOLD;
  float *in = malloc(n * sizeof(float)), *out = malloc(n * sizeof(float));
  double a = 0.1 * h_normal_peak(gs_chain_input_domain(c));
  for (size_t i = 0; i < n; i++) in[i] = (float)(a * sin(2 * PI * 100.0 * (double)i / RATE));
  for (size_t k = 0; k <= n_jumps; k++) {
    if (k > 0) {
      const Jump *j = &jumps[k - 1];
      assert_int_equal(gs_chain_set_param(c, j->stage, j->param, j->value), GS_OK);
    }
    h_run(c, in + k * HOLD, out + k * HOLD, HOLD, BLOCK);
  }
  double limit = output_limit(c, a);
  gs_chain_free(c);
  for (size_t k = 1; k <= n_jumps; k++) {
    size_t at = k * HOLD;
    double before = 0, after = 0, change = 0, peak = 0;
    for (size_t i = at - STEADY; i < at; i++) before = fmax(before, fabs(out[i] - out[i - 1]));
    for (size_t i = at + HOLD - STEADY; i < at + HOLD; i++) {
      after = fmax(after, fabs(out[i] - out[i - 1]));
    }
    for (size_t i = at - STEADY; i < at + HOLD; i++) peak = fmax(peak, fabs(out[i]));
    for (size_t i = at; i < at + CHANGE; i++) change = fmax(change, fabs(out[i] - out[i - 1]));
    double bound = 1.25 * fmax(before, after) + 0.002 * peak;
    const Jump *j = &jumps[k - 1];
    bool finite = h_all_finite(out + at - HOLD, 2 * HOLD);
    bool click = !(change <= bound);
    bool fails = !finite || peak > limit || click;
    if (fails) {
      const char *what = !finite ? "non-finite" : peak > limit ? "beyond bound" : "click";
      printf("%s %s: jump %zu (stage %u %s -> %g): %s (step %.3g, bound %.3g, peak %.3g)\n", "FAIL",
             text, k, j->stage + 1, j->name, j->value, what, change, bound, peak);
    }
    t->failures += fails;
    if (bound > 0) t->worst_ratio = fmax(t->worst_ratio, change / bound);
    t->checked++;
  }
  free(in);
  free(out);
}

/* Each live parameter alone: to its minimum, maximum, minimum again, then
 * random values; then all live parameters of the chain at random. */
static void jumps_of_chain(const char *text, Tally *t) {
  seed_from(text);
  GsSpec *spec = NULL;
  assert_int_equal(gs_spec_parse(text, NULL, &spec), GS_OK);
  Jump mixed[N_MIXED];
  Jump live[256];
  size_t n_live = 0;
  for (uint32_t st = 0; st < gs_spec_length(spec); st++) {
    const GsStageInfo *info = gs_spec_stage(spec, st);
    for (uint32_t p = 0; p < info->n_params; p++) {
      const GsParamInfo *pi = &info->params[p];
      if (!testable(pi) || (pi->flags & GS_PARAM_FIXED)) continue;
      Jump seq[3 + N_RANDOM] = {
          {st, p, pi->min, pi->name}, {st, p, pi->max, pi->name}, {st, p, pi->min, pi->name}};
      for (int r = 0; r < N_RANDOM; r++) seq[3 + r] = (Jump){st, p, random_value(pi), pi->name};
      play_jumps(text, seq, 3 + N_RANDOM, t);
      if (n_live < 256) live[n_live++] = (Jump){st, p, 0, pi->name};
    }
  }
  for (size_t k = 0; k < N_MIXED && n_live > 0; k++) {
    mixed[k] = live[(size_t)(uniform() * (double)n_live)];
    const GsParamInfo *pi = &gs_spec_stage(spec, mixed[k].stage)->params[mixed[k].param];
    mixed[k].value = random_value(pi);
  }
  if (n_live > 0) play_jumps(text, mixed, N_MIXED, t);
  gs_spec_free(spec);
}

static const char *only; /* argv[1]: the chains whose text holds it */

/* Every stage alone, then the variants. */
static void for_every_chain(void (*visit)(const char *, Tally *), Tally *t) {
  for (uint32_t s = 0; s < gs_stage_count() + h_n_variant_chains; s++) {
    const char *text =
        s < gs_stage_count() ? gs_stage_at(s)->name : h_variant_chains[s - gs_stage_count()];
    if (!only || strstr(text, only)) visit(text, t);
  }
}

static void every_parameter_at_its_ends(void **state) {
  (void)state;
  Tally t = {0};
  for_every_chain(ends_of_chain, &t);
  printf(
      "%d chains built and played at a parameter's end, %d refused with a message: "
      "%d failures\n",
      t.checked, t.refused, t.failures);
  assert_int_equal(t.failures, 0);
}

static void every_live_parameter_jumping(void **state) {
  (void)state;
  Tally t = {0};
  for_every_chain(jumps_of_chain, &t);
  printf(
      "%d jumps (min, max, random; one parameter and all at random): worst step / bound "
      "%.3f, %d failures\n",
      t.checked, t.worst_ratio, t.failures);
  h_accuracy("extreme parameters", "worst step during a jump / documented bound", t.worst_ratio,
             1.0, "");
  assert_int_equal(t.failures, 0);
}

int main(int argc, char **argv) {
  only = argc > 1 ? argv[1] : NULL;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_parameter_at_its_ends),
      cmocka_unit_test(every_live_parameter_jumping),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
