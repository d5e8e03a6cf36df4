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
      v.rg = 0.0; /* the pot is the grid leak */
    }
    if (k == tp->stages - 1) v.rl = tp->load_ohms;
    node = gs_tc_common_cathode(n, &v, node, bp);
  }
  gs_dk_output(n, node);
}

/* Small-signal gain at 1 kHz with the pot full up, by a short run. */
static double measure_max_gain(GsTubePreamp *tp) {
  const int warm = (int)(0.05 * tp->rate), win = (int)(0.02 * tp->rate);
  const int lat = (int)tp->run.os.latency;
  float *x = malloc((size_t)(warm + win + lat) * sizeof(float));
  if (!x) return 0.0;
  const double a = 1e-4;
  for (int i = 0; i < warm + win + lat; i++)
    x[i] = (float)(a * sin(2 * M_PI * 1000.0 * i / tp->rate));
  gs_tube_runner_process(&tp->run, x, x, (uint32_t)(warm + win + lat));
  double c = 0.0, s = 0.0;
  for (int i = 0; i < win; i++) {
    double w = 2 * M_PI * 1000.0 * (i + warm) / tp->rate;
    c += x[warm + lat + i] * cos(w);
    s += x[warm + lat + i] * sin(w);
  }
  free(x);
  gs_tube_runner_reset(&tp->run);
  return 20.0 * log10(2.0 * hypot(c, s) / win / a);
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
  tp->max_gain_db = measure_max_gain(tp);
  gs_tube_preamp_set_gain(tp, gain_db, 0);
  return tp;
}

void gs_tube_preamp_free(GsTubePreamp *tp) {
  if (!tp) return;
  gs_dk_scratch_free(tp->scratch);
  free(tp);
}

void gs_tube_preamp_set_gain(GsTubePreamp *tp, double gain_db, uint32_t glide) {
  double fraction = fmin(1.0, pow(10.0, (gain_db - tp->max_gain_db) / 20.0));
  double pot = gs_tc_taper_inverse(fraction);
  if (pot == tp->pot) return;
  tp->pot = pot;
  build(tp);
  uint32_t f = (uint32_t)tp->run.os.factor;
  gs_dk_update(&tp->run.dk, &tp->net, tp->rate * f, glide * f, tp->scratch);
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

double gs_tube_preamp_max_gain_db(const GsTubePreamp *tp) {
  return tp->max_gain_db;
}
