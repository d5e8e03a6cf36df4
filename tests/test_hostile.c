/* Hostile audio: every stage alone and every preset chain, fed a burst of
 * NaN, +Inf, -Inf, +-3e38, denormals, a full-scale square wave, DC, or 1e6-unit
 * spikes in the middle of a normal signal. Asserted: every output sample
 * is finite; after a non-finite or denormal burst the next block is no
 * louder than normal output (the chain replaces non-finite input with
 * silence); and nothing stays poisoned: once the stage's memory has
 * decayed, the output equals that of a run without the burst. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs_config.h"
#include "harness.h"

#define RATE 48000.0
#define BLOCK 256
#define BEFORE 24000 /* 0.5 s of normal signal */
#define AFTER 96000  /* 2 s after the burst */
#define TOTAL (BEFORE + BLOCK + AFTER)
#define COMPARE 12000 /* the last 0.25 s must match the clean run */

/* HUGE: +-3e38, finite but beyond any signal (the chain takes it for
 * silence, as it does NaN) */
typedef enum { NAN_, POS_INF, NEG_INF, HUGE, DENORMAL, SQUARE, DC, SPIKES, N_BURSTS } Burst;
static const char *const burst_names[N_BURSTS] = {"NaN",       "+Inf",   "-Inf", "+-3e38",
                                                  "denormals", "square", "DC",   "1e6 spikes"};

static void fill(float *x, GsDomain d, int burst) {
  double a = h_normal_peak(d);
  for (size_t i = 0; i < TOTAL; i++) x[i] = (float)(a * sin(2 * PI * 220.0 * (double)i / RATE));
  if (burst < 0) return;
  float *b = x + BEFORE;
  for (size_t i = 0; i < BLOCK; i++) {
    switch ((Burst)burst) {
      case NAN_: b[i] = NAN; break;
      case POS_INF: b[i] = INFINITY; break;
      case NEG_INF: b[i] = -INFINITY; break;
      case HUGE: b[i] = i % 2 ? 3e38f : -3e38f; break;
      case DENORMAL: b[i] = (i % 2 ? 1 : -1) * 1e-40f; break;
      case SQUARE: b[i] = (float)((i / 24) % 2 ? h_full_scale(d) : -h_full_scale(d)); break;
      case DC: b[i] = (float)(0.5 * h_full_scale(d)); break;
      case SPIKES: b[i] = i % 64 == 0 ? (i % 128 ? -1e6f : 1e6f) : b[i]; break;
      case N_BURSTS: break;
    }
  }
}

/* One chain through every burst; returns the number of failures. */
static int torture(const char *label, const char *text) {
  GsChain *ref_chain = h_chain(text, RATE, 1, false);
  GsDomain d = gs_chain_input_domain(ref_chain);
  float *in = malloc(TOTAL * sizeof(float)), *ref = malloc(TOTAL * sizeof(float)),
        *out = malloc(TOTAL * sizeof(float));
  fill(in, d, -1);
  h_run(ref_chain, in, ref, TOTAL, BLOCK);
  gs_chain_free(ref_chain);
  double ref_peak = h_peak(ref, TOTAL), ref_rms = h_rms(ref + TOTAL - COMPARE, COMPARE);
  int failures = 0;
  for (int b = 0; b < N_BURSTS; b++) {
    GsChain *c = h_chain(text, RATE, 1, false);
    fill(in, d, b);
    h_run(c, in, out, TOTAL, BLOCK);
    gs_chain_free(c);
    const char *why = NULL;
    double err = 0;
    for (size_t i = TOTAL - COMPARE; i < TOTAL; i++) err += pow(out[i] - ref[i], 2);
    err = sqrt(err / COMPARE);
    double next = h_peak(out + BEFORE + BLOCK, BLOCK);
    if (!h_all_finite(out, TOTAL)) {
      why = "a non-finite output sample";
    } else if (b <= DENORMAL && next > 2.0 * ref_peak + 1e-6) {
      why = "the block after the burst is louder than normal output";
    } else if (!(err <= 1e-3 * ref_rms + 1e-7)) {
      why = "the output does not come back to the clean run's";
    }
    if (why) {
      printf("FAIL %s, %s: %s (next block peak %.3g vs %.3g; error %.3g re rms %.3g)\n", label,
             burst_names[b], why, next, ref_peak, err, ref_rms);
      failures++;
    }
  }
  free(in);
  free(ref);
  free(out);
  return failures;
}

static void every_stage(void **state) {
  (void)state;
  int failures = 0, stages = 0;
  for (uint32_t s = 0; s < gs_stage_count(); s++) {
    const GsStageInfo *info = gs_stage_at(s);
    failures += torture(info->name, info->name);
    stages++;
  }
  for (size_t i = 0; i < h_n_variant_chains; i++) {
    failures += torture(h_variant_chains[i], h_variant_chains[i]);
    stages++;
  }
  printf("every stage alone and %zu voicings/models (%d chains), %d bursts each: %d failures\n",
         h_n_variant_chains, stages, N_BURSTS, failures);
  assert_int_equal(failures, 0);
}

static void every_preset(void **state) {
  (void)state;
  static const char *const presets[] = {"jazz-clean", "crunch", "high-gain",      "guitar-clean",
                                        "hifi",       "pa",     "vocal-condenser"};
  int failures = 0;
  for (size_t p = 0; p < sizeof presets / sizeof presets[0]; p++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.preset", GS_SOURCE_PRESET_DIR, presets[p]);
    GsSpec *spec = NULL;
    assert_int_equal(gs_spec_load(path, NULL, &spec), GS_OK);
    char *text = gs_spec_to_text(spec);
    failures += torture(presets[p], text);
    free(text);
    gs_spec_free(spec);
  }
  printf("every preset (7), %d bursts each: %d failures\n", N_BURSTS, failures);
  assert_int_equal(failures, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_stage),
      cmocka_unit_test(every_preset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
