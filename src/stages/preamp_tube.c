#include "stages/preamp_tube.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/tube_circuits.h"
#include "dsp/tube_runner.h"

#define MAX_STAGES 4
#define BPLUS 250.0
#define POT_OHMS 1e6
#define REACH_SLACK_DB 0.05 /* a gain this far past the pot's end is still its end */

/* Each stage's values, after the input stage and gain stages of classic
 * guitar preamps (a Marshall JCM800's V1 and V2, then two cascaded stages
 * of the kind high-gain amps add): V1 fully bypassed, V2 with a small
 * bypass (a bass cut), V3 behind a large grid stopper, V4 like V1. */
static const GsTriodeStage values[MAX_STAGES] = {
    {NULL, BPLUS, 100e3, 1.5e3, 68e3, 1e6, 0, 22e-6, 22e-9},
    {NULL, BPLUS, 100e3, 2.7e3, 10e3, 0, 0, 0.68e-6, 22e-9},
    {NULL, BPLUS, 100e3, 1.5e3, 470e3, 1e6, 0, 1e-6, 22e-9},
    {NULL, BPLUS, 100e3, 1.5e3, 68e3, 1e6, 0, 22e-6, 22e-9},
};

struct GsTubePreamp {
  GsTriodeModel tube;
  int stages;
  double input_ohms, load_ohms, rate, max_gain_db, pot;
  GsDkNetlist net;
  GsDkScratch *scratch;
  GsTubeRunner run;
};

/* The cascade with the pot at `pot` (0..1). */
static void build(GsTubePreamp *tp) {
  GsDkNetlist *n = &tp->net;
  gs_dk_clear(n);
  int in = gs_dk_node(n), bp = gs_dk_node(n);
  gs_dk_source(n, in, 0, 0);
  gs_dk_source(n, bp, 0, 1);
  int node = in;
  for (int k = 0; k < tp->stages; k++) {
    GsTriodeStage v = values[k];
    v.tube = &tp->tube;
    if (k == 0) v.rg = tp->input_ohms;
    bool pot_here = (tp->stages == 1 && k == 0) || k == 1;
    if (pot_here) {
      node = gs_tc_pot(n, node, POT_OHMS, tp->pot);
      v.rg = 0.0;                    /* the pot is the grid leak */
      n->grid_source_moves = k == 0; /* one stage: the K path's tables hold at any gain */
    }
    if (k == tp->stages - 1) v.rl = tp->load_ohms;
    node = gs_tc_common_cathode(n, &v, node, bp);
  }
  gs_dk_output(n, node);
}

/* Small-signal gain at 1 kHz with the pot full up: the circuit linearized
 * at its operating point (a sine run through it, however small, would be
 * compressed by four stages' 140 dB). */
static double max_gain_db(const GsTubePreamp *tp) {
  double rate = tp->rate * tp->run.os.factor;
  return 20.0 * log10(fmax(gs_dk_small_signal(&tp->run.dk, 1000.0, rate), 1e-12));
}

GsTubePreamp *gs_tube_preamp_new(const GsTriodeModel *tube, int stages, double input_ohms,
                                 double load_ohms, double rate, double gain_db, int factor,
                                 GsOsPhase phase, char *why, size_t why_size) {
  GsTubePreamp *tp = calloc(1, sizeof *tp);
  if (!tp) return NULL;
  tp->tube = *tube;
  tp->stages = stages < 1 ? 1 : stages > MAX_STAGES ? MAX_STAGES : stages;
  tp->input_ohms = input_ohms;
  tp->load_ohms = load_ohms;
  tp->rate = rate;
  tp->pot = 1.0;
  tp->scratch = gs_dk_scratch_new();
  build(tp);
  double u0[2] = {0.0, BPLUS};
  if (!factor) factor = gs_tube_factor(0, rate, tp->stages);
  if (!tp->scratch || !gs_tube_runner_init(&tp->run, &tp->net, rate, factor, phase, u0)) {
    snprintf(why, why_size, "the tube preamp has no operating point");
    gs_tube_preamp_free(tp);
    return NULL;
  }
  tp->max_gain_db = max_gain_db(tp);
  gs_tube_preamp_set_gain(tp, gain_db, 0);
  return tp;
}

void gs_tube_preamp_free(GsTubePreamp *tp) {
  if (!tp) return;
  gs_tube_runner_release(&tp->run);
  gs_dk_scratch_free(tp->scratch);
  free(tp);
}

bool gs_tube_preamp_set_gain(GsTubePreamp *tp, double gain_db, uint32_t glide) {
  bool reached = gs_tube_preamp_reaches(tp, gain_db);
  double fraction = fmin(1.0, pow(10.0, (gain_db - tp->max_gain_db) / 20.0));
  double pot = gs_tc_taper_inverse(fraction);
  if (pot == tp->pot) return reached;
  tp->pot = pot;
  build(tp);
  uint32_t f = (uint32_t)tp->run.os.factor;
  gs_dk_update(&tp->run.dk, &tp->net, tp->rate * f, glide * f, tp->scratch);
  return reached;
}

void gs_tube_preamp_process(GsTubePreamp *tp, float *buf, uint32_t n) {
  gs_tube_runner_process(&tp->run, buf, buf, n);
}

void gs_tube_preamp_reset(GsTubePreamp *tp) {
  gs_tube_runner_reset(&tp->run);
}

uint64_t gs_tube_preamp_failures(const GsTubePreamp *tp) {
  return gs_tube_runner_failures(&tp->run);
}

uint32_t gs_tube_preamp_latency(const GsTubePreamp *tp) {
  return tp->run.os.latency;
}

uint32_t gs_tube_preamp_latency_slack(const GsTubePreamp *tp) {
  return gs_os_latency_slack(&tp->run.os);
}

bool gs_tube_preamp_reaches(const GsTubePreamp *tp, double gain_db) {
  double lo, hi;
  gs_tube_preamp_gain_reach(tp, &lo, &hi);
  return gain_db >= lo - REACH_SLACK_DB && gain_db <= hi + REACH_SLACK_DB;
}

GsDkSolver *gs_tube_preamp_solver(GsTubePreamp *tp) {
  return &tp->run.dk;
}

void gs_tube_preamp_gain_reach(const GsTubePreamp *tp, double *lo_db, double *hi_db) {
  *hi_db = tp->max_gain_db;
  *lo_db = tp->max_gain_db + 20.0 * log10(GS_TC_POT_END);
}
