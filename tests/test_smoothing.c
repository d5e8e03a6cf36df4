/* Parameter changes while audio runs, and block-size independence.
 *
 * The documented bound (docs/parameters.md): with a steady sine going
 * through, a change of any live parameter, to either end of its range,
 * moves the output by no more per sample than 1.25 times the larger of the
 * steady slopes before and after the change, plus 0.2 % of the larger
 * steady peak. A click (a step) breaks it by orders of magnitude. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RATE 48000.0
#define HZ 100.0

/* Every stage with live parameters, at levels where the chains are linear. */
static const char *const chain_texts[] = {
    "source type=guitar ! preamp gain=10 hpf=40 ! tonestack ! "
    "eq type1=peak type2=lowshelf type3=hpf freq3=20 ! gain db=0 ! "
    "poweramp gain=20 ! speaker output=terminals ! load ohms=1M ! gain db=-20 ! "
    "adc bits=24 dither=off",
    "poweramp gain=20 ! speaker ! mic type=condenser ! preamp input=mic phantom=on gain=50 ! "
    "adc bits=24 dither=off",
    "poweramp gain=20 ! cab model=open-1x12 ! mic ! preamp input=mic gain=30 ! "
    "adc bits=24 dither=off",
};

typedef struct {
  double before_slope, after_slope, change_slope, before_peak, after_peak;
} Steps;

static void slopes(const float *y, size_t a, size_t b, double *slope, double *peak) {
  *slope = 0.0;
  *peak = 0.0;
  for (size_t i = a + 1; i < b; i++) {
    *slope = fmax(*slope, fabs(y[i] - y[i - 1]));
    *peak = fmax(*peak, fabs(y[i]));
  }
}

static Steps step_param(const char *chain_text, uint32_t stage, uint32_t param, double to) {
  GsChain *c = h_chain(chain_text, RATE, 1, false);
  size_t half = (size_t)(0.5 * RATE), n = 2 * half;
  float *in = h_sine(n, 0.02, HZ, RATE), *out = malloc(n * sizeof(float));
  h_run(c, in, out, half, 100);
  assert_int_equal(gs_chain_set_param(c, stage, param, to), GS_OK);
  h_run(c, in + half, out + half, half, 100);
  Steps s;
  size_t w = (size_t)(0.1 * RATE);
  slopes(out, half - w, half, &s.before_slope, &s.before_peak);
  slopes(out, n - w, n, &s.after_slope, &s.after_peak);
  double unused;
  slopes(out, half - 1, half + 3 * w, &s.change_slope, &unused);
  free(in);
  free(out);
  gs_chain_free(c);
  return s;
}

/* Steps every live parameter of one chain to each end of its range;
 * returns the failures, adds to *checked and *worst_ratio. */
static int check_chain(const char *chain_text, int *checked, double *worst_ratio) {
  GsSpec *spec;
  assert_int_equal(gs_spec_parse(chain_text, NULL, &spec), GS_OK);
  int failures = 0;
  for (uint32_t st = 0; st < gs_spec_length(spec); st++) {
    const GsStageInfo *info = gs_spec_stage(spec, st);
    for (uint32_t p = 0; p < info->n_params; p++) {
      const GsParamInfo *pi = &info->params[p];
      if (pi->flags & GS_PARAM_FIXED) continue;
      double ends[2] = {pi->min, pi->max};
      for (int e = 0; e < 2; e++) {
        if (ends[e] == gs_spec_value(spec, st, p)) continue;
        Steps s = step_param(chain_text, st, p, ends[e]);
        double bound =
            1.25 * fmax(s.before_slope, s.after_slope) + 0.002 * fmax(s.before_peak, s.after_peak);
        if (s.change_slope > bound) {
          printf("stage %u (%s) %s -> %g: step %.3g > bound %.3g (x%.2f)\n", st + 1, info->name,
                 pi->name, ends[e], s.change_slope, bound, s.change_slope / bound);
          failures++;
        }
        if (bound > 0) *worst_ratio = fmax(*worst_ratio, s.change_slope / bound);
        (*checked)++;
      }
    }
  }
  gs_spec_free(spec);
  return failures;
}

static void every_live_parameter(void **state) {
  (void)state;
  double worst_ratio = 0.0;
  int checked = 0, failures = 0;
  for (size_t i = 0; i < sizeof chain_texts / sizeof chain_texts[0]; i++) {
    failures += check_chain(chain_texts[i], &checked, &worst_ratio);
  }
  printf("%d parameter changes checked; worst step / bound = %.3f\n", checked, worst_ratio);
  h_accuracy("parameter smoothing", "worst step during a change / documented bound", worst_ratio,
             1.0, "");
  assert_int_equal(failures, 0);
}

/* A live change at a sample position: stage (in the chain), its
 * parameter by name, the value. */
typedef struct {
  size_t at;
  uint32_t stage;
  const char *type, *param;
  double value;
} Change;

static void set_change(GsChain *c, const Change *ch) {
  int param = gs_param_find(gs_stage_find(ch->type), ch->param);
  assert_true(param >= 0);
  assert_int_equal(gs_chain_set_param(c, ch->stage, (uint32_t)param, ch->value), GS_OK);
}

/* The chain's output for a guitar DI with three live changes, processed
 * in blocks of `block` frames. */
static float *run_in_blocks(const char *text, const Change ch[3], const float *in, size_t n,
                            size_t block) {
  GsChain *c = h_chain(text, RATE, 1, true);
  float *out = malloc(n * sizeof(float));
  size_t pos = 0;
  for (int k = 0; k <= 3; k++) {
    size_t stop = k < 3 ? ch[k].at : n;
    while (pos < stop) {
      size_t len = stop - pos < block ? stop - pos : block;
      const float *ins[1] = {in + pos};
      float *outs[1] = {out + pos};
      gs_chain_process(c, ins, outs, (uint32_t)len);
      pos += len;
    }
    if (k < 3) set_change(c, &ch[k]);
  }
  gs_chain_free(c);
  return out;
}

/* The same stream with live changes at fixed sample positions, processed
 * in blocks of 1, 7, 64 and 4096 frames: identical output, bit for bit. */
static void check_blocks(const char *text, const Change ch[3], double amplitude) {
  size_t n = (size_t)(1.5 * RATE);
  float *in = malloc(n * sizeof(float));
  assert_int_equal(gs_synth_guitar(in, n, RATE, 7), GS_OK);
  for (size_t i = 0; i < n; i++) in[i] *= (float)amplitude;
  const size_t block_sizes[] = {1, 7, 64, 4096};
  float *ref = run_in_blocks(text, ch, in, n, block_sizes[0]);
  for (size_t b = 1; b < 4; b++) {
    float *out = run_in_blocks(text, ch, in, n, block_sizes[b]);
    if (memcmp(ref, out, n * sizeof(float)) != 0) {
      size_t i = 0;
      while (ref[i] == out[i]) i++;
      fail_msg("%s: block size %zu differs from block size 1 at sample %zu", text, block_sizes[b],
               i);
    }
    free(out);
  }
  free(ref);
  free(in);
}

static void block_size_independence(void **state) {
  (void)state;
  const Change ch[3] = {{10007, 1, "preamp", "gain", 40.0},
                        {20011, 2, "tonestack", "bass", 0.9},
                        {33333, 3, "poweramp", "watts", 20.0}};
  check_blocks(
      "source type=guitar ! preamp gain=24 hpf=60 ! tonestack ! "
      "poweramp gain=20 ! speaker output=terminals ! gain db=-24 ! adc",
      ch, 1.0);
}

/* The tube rig's solvers (the preamp's K path and Newton's, the power
 * amp's) and their oversamplers keep state across blocks: the same bits
 * for any block size, through a gain pot's glide (F moving: Newton's path
 * until it ends) and the power amp's gain and feedback changes; the
 * DI at twice its level, so that stage 2's grid conducts at times. Two,
 * three and four preamp stages: each has a K path of its own. */
static void tube_block_size_independence(void **state) {
  (void)state;
  const Change two[3] = {{10007, 0, "preamp", "gain", 35.0},
                         {20011, 2, "poweramp", "gain", 30.0},
                         {33333, 2, "poweramp", "feedback", 12.0}};
  check_blocks(
      "preamp input=hiz voicing=tube stages=2 gain=50 ! tonestack model=marshall ! "
      "poweramp type=tube tube=EL34 watts=50 load=8 gain=26 ! load ohms=8",
      two, 2.0);
  const Change three[3] = {{10007, 0, "preamp", "gain", 60.0},
                           {20011, 0, "preamp", "gain", 30.0},
                           {33333, 1, "poweramp", "presence", 0.8}};
  check_blocks(
      "preamp input=hiz voicing=tube stages=3 gain=48 hpf=120 ! "
      "poweramp type=tube tube=6L6GC watts=50 load=8 gain=26 sag=600 ! "
      "speaker output=terminals",
      three, 1.0);
  const Change four[3] = {{10007, 0, "preamp", "gain", 70.0},
                          {20011, 0, "preamp", "gain", 62.0},
                          {33333, 1, "gain", "db", -20.0}};
  check_blocks("preamp input=hiz voicing=tube stages=4 gain=65 ! gain db=-30", four, 1.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_live_parameter),
      cmocka_unit_test(block_size_independence),
      cmocka_unit_test(tube_block_size_independence),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
