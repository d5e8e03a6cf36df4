/* The level plan: what a 1 kHz sine at a nominal input level becomes at
 * every node, how far each node is from clipping, and the noise floor
 * there (20 Hz – 20 kHz). Levels and noise are not computed from formulas
 * but measured on the chain itself, so any stage — linear or not — is
 * planned the way it processes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "dsp/biquad.h"
#include "log.h"
#include "spec.h"
#include "units.h"

struct GsPlan {
  uint32_t n; /* nodes: input + one per stage */
  GsPlanNode *nodes;
  double input_level;
  GsDomain input_domain;
  char *warnings;
  size_t warn_len, warn_cap;
  const GsLog *log; /* the caller's, for errors */
};

#define FREQ 1000.0

static void add_warning(GsPlan *plan, const char *text) {
  size_t need = plan->warn_len + strlen(text) + 2;
  if (need > plan->warn_cap) {
    size_t cap = need * 2;
    char *grown = realloc(plan->warnings, cap);
    if (!grown) return;
    plan->warnings = grown;
    plan->warn_cap = cap;
  }
  plan->warn_len += (size_t)sprintf(plan->warnings + plan->warn_len, "%s\n", text);
}

/* Warnings become part of the plan; errors go to the caller. */
static void collect(void *handle, GsLogLevel level, const char *msg) {
  GsPlan *plan = handle;
  if (level == GS_LOG_WARNING) {
    add_warning(plan, msg);
  } else if (plan->log && plan->log->func) {
    plan->log->func(plan->log->handle, level, msg);
  }
}

typedef struct {
  GsChain *chain;
  float *taps;  /* (n_nodes) x len */
  float *input; /* len */
  uint32_t len;
} Run;

/* Run `in` through the chain with every node tapped. */
static void run_tapped(Run *r) {
  uint32_t n = r->chain->n_nodes + 1;
  for (uint32_t k = 0; k < n; k++) gs_chain_tap(r->chain, k, r->taps + (size_t)k * r->len);
  float *out = malloc(r->len * sizeof(float));
  if (!out) return;
  const float *in[1] = {r->input};
  float *outs[1] = {out};
  gs_chain_process(r->chain, in, outs, r->len);
  for (uint32_t k = 0; k < n; k++) gs_chain_tap(r->chain, k, NULL);
  free(out);
}

static double rms(const float *x, uint32_t n) {
  double acc = 0.0;
  for (uint32_t i = 0; i < n; i++) acc += (double)x[i] * x[i];
  return sqrt(acc / n);
}

/* rms within 20 Hz – 20 kHz (or 0.45 of the rate): 8th-order Butterworth
 * high-pass and low-pass, whose noise bandwidth exceeds the ideal band's by
 * under 0.5 % (0.02 dB). */
static double band_rms(const float *x, uint32_t n, uint32_t skip, double rate) {
  /* Q of the four sections of an 8th-order Butterworth: 1 / (2 cos(theta)) */
  static const double q[4] = {0.50979557910415918, 0.60134488693504529, 0.89997622313641570,
                              2.5629154477415055};
  GsSosCoefs c;
  gs_sos_identity(&c);
  c.n = 8;
  double top = fmin(20000.0, 0.45 * rate);
  for (int k = 0; k < 4; k++) {
    c.s[k] = gs_biquad_design(GS_BQ_HIGHPASS, 20.0, 0.0, q[k], rate);
    c.s[4 + k] = gs_biquad_design(GS_BQ_LOWPASS, top, 0.0, q[k], rate);
  }
  GsSosState st;
  gs_sos_clear(&st);
  double acc = 0.0;
  for (uint32_t i = 0; i < n; i++) {
    double y = gs_sos_tick(&c, &st, x[i]);
    if (i >= skip) acc += y * y;
  }
  return sqrt(acc / (n - skip));
}

static double to_level(GsDomain d, double vrms) {
  return gs_domain_level(d, vrms);
}

static double from_level(GsDomain d, double level) {
  return gs_domain_rms(d, level);
}

/* The clip point of node k (stage k-1's output), as a sine level at the
 * node: the stage's own clip peak, times its junction's loss at 1 kHz. */
static double clip_level(const GsChain *chain, uint32_t k) {
  if (k == 0) return INFINITY;
  const GsNode *n = &chain->nodes[k - 1];
  if (!n->cls->clip_peak) return INFINITY;
  double peak = n->cls->clip_peak_loaded && n->n_inst ? n->cls->clip_peak_loaded(n->inst[0], FREQ)
                                                      : n->cls->clip_peak(n->values);
  if (!isfinite(peak)) return INFINITY;
  if (n->has_junction) {
    peak *= cabs(gs_iir_response(&n->junction, FREQ, chain->cfg.rate));
  }
  return to_level(n->out_domain, peak / GS_SQRT2);
}

static void measure_levels(GsPlan *plan, GsChain *chain, double rate, double in_vrms) {
  uint32_t settle = (uint32_t)(0.3 * rate), win = (uint32_t)(0.1 * rate);
  Run r = {chain, NULL, NULL, settle + win};
  r.taps = calloc((size_t)plan->n * r.len, sizeof(float));
  r.input = malloc(r.len * sizeof(float));
  if (!r.taps || !r.input) goto done;
  for (uint32_t i = 0; i < r.len; i++) {
    r.input[i] = (float)(in_vrms * GS_SQRT2 * sin(2.0 * M_PI * FREQ * i / rate));
  }
  gs_chain_set_noise(chain, false);
  gs_chain_reset(chain);
  run_tapped(&r);
  for (uint32_t k = 0; k < plan->n; k++) {
    plan->nodes[k].vrms = rms(r.taps + (size_t)k * r.len + settle, win);
  }
done:
  free(r.taps);
  free(r.input);
}

static void measure_noise(GsPlan *plan, GsChain *chain, double rate) {
  uint32_t skip = (uint32_t)(0.25 * rate);
  Run r = {chain, NULL, NULL, skip + (uint32_t)rate};
  r.taps = calloc((size_t)plan->n * r.len, sizeof(float));
  r.input = calloc(r.len, sizeof(float));
  if (!r.taps || !r.input) goto done;
  gs_chain_reset(chain);
  gs_chain_set_noise(chain, true);
  run_tapped(&r);
  for (uint32_t k = 0; k < plan->n; k++) {
    double v = band_rms(r.taps + (size_t)k * r.len, r.len, skip, rate);
    GsDomain d = k == 0 ? plan->input_domain : chain->nodes[k - 1].out_domain;
    plan->nodes[k].noise = to_level(d, v);
  }
done:
  free(r.taps);
  free(r.input);
}

/* Power into a load stage: V^2 Re{Y(j 2 pi 1 kHz)}, at the nominal level
 * and at the level where the first analog stage before it clips (a
 * source's full scale is the file's limit, not a circuit's). */
static void loads(GsPlan *plan, const GsChain *chain) {
  double headroom = INFINITY;
  for (uint32_t k = 1; k < plan->n; k++) {
    GsPlanNode *pn = &plan->nodes[k];
    if (chain->nodes[k - 1].in_domain == GS_DOMAIN_ANALOG) {
      headroom = fmin(headroom, pn->headroom_db);
    }
    const GsNode *n = &chain->nodes[k - 1];
    if (!n->cls->is_load) continue;
    double g = creal(gs_rat_at_hz(&n->ports.yin, FREQ));
    if (!(g > 0.0)) continue;              /* no electrical load (a cab playing an IR file) */
    double v_in = plan->nodes[k - 1].vrms; /* after the junction feeding it */
    pn->watts = v_in * v_in * g;
    pn->watts_clip = isfinite(headroom) ? pn->watts * pow(10.0, headroom / 10.0) : NAN;
  }
}

static void warn_loads(GsPlan *plan, const GsChain *chain) {
  char msg[256];
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    const GsNode *n = &chain->nodes[i];
    const GsPlanNode *pn = &plan->nodes[i + 1];
    if (pn->headroom_db < 0.0) {
      snprintf(msg, sizeof msg, "stage %u (%s) clips at the nominal level (headroom %.1f dB)",
               i + 1, n->cls->info.name, pn->headroom_db);
      add_warning(plan, msg);
    }
    if (n->cls->rated_watts && isfinite(pn->watts_clip) &&
        pn->watts_clip > n->cls->rated_watts(n->values)) {
      snprintf(msg, sizeof msg,
               "stage %u (%s) receives %.0f W at the clip level, over its "
               "%.0f W rating",
               i + 1, n->cls->info.name, pn->watts_clip, n->cls->rated_watts(n->values));
      add_warning(plan, msg);
    }
    if (n->cls->min_load_ohms && i + 1 < chain->n_nodes) {
      const GsRational *y = &chain->nodes[i + 1].ports.yin;
      double worst = INFINITY, at = 0.0;
      for (double f = 20.0; f <= 20000.0; f *= 1.05) {
        double z = 1.0 / cabs(gs_rat_at_hz(y, f));
        if (z < worst) {
          worst = z;
          at = f;
        }
      }
      double min = n->cls->min_load_ohms(n->values);
      if (worst < min) {
        snprintf(msg, sizeof msg,
                 "stage %u (%s) sees %.2f Ω at %.0f Hz, below its minload of "
                 "%.3g Ω: it will limit current",
                 i + 1, n->cls->info.name, worst, at, min);
        add_warning(plan, msg);
      }
    }
  }
}

static void fill_nodes(GsPlan *plan, const GsChain *chain) {
  for (uint32_t k = 0; k < plan->n; k++) {
    GsPlanNode *pn = &plan->nodes[k];
    GsDomain d = k == 0 ? plan->input_domain : chain->nodes[k - 1].out_domain;
    pn->stage = k == 0 ? "input" : chain->nodes[k - 1].cls->info.name;
    pn->domain = d;
    pn->level = k == 0 ? plan->input_level : to_level(d, pn->vrms);
    pn->clip = clip_level(chain, k);
    pn->headroom_db = pn->clip - pn->level;
    pn->snr_db = pn->level - pn->noise;
    pn->watts = NAN;
    pn->watts_clip = NAN;
    pn->spl_1m = pn->distance = NAN;
    const GsNode *n = k ? &chain->nodes[k - 1] : NULL;
    if (n && d == GS_DOMAIN_ACOUSTIC) {
      if (n->ports.distance > 0.0) pn->distance = n->ports.distance;
      /* the drive is the voltage after the junction feeding the node */
      if (n->cls->spl_1m) pn->spl_1m = n->cls->spl_1m(n->values, plan->nodes[k - 1].vrms);
    }
  }
}

GsStatus gs_plan_new(const GsSpec *spec, const GsPlanConfig *config, const GsLog *log,
                     GsPlan **out) {
  if (!spec || !out) return GS_ERR_ARG;
  *out = NULL;
  GsPlan *plan = calloc(1, sizeof *plan);
  if (!plan) return GS_ERR_NOMEM;
  double rate = config && config->rate > 0.0 ? config->rate : 48000.0;
  GsChainConfig cc = {.rate = rate, .channels = 1, .seed = 1, .noise = true};
  plan->log = log;
  GsLog sink = {collect, plan};
  GsChain *chain = NULL;
  GsStatus s = gs_chain_new(spec, &cc, &sink, &chain);
  if (s != GS_OK) {
    gs_plan_free(plan);
    return s;
  }
  plan->n = chain->n_nodes + 1;
  plan->nodes = calloc(plan->n, sizeof(GsPlanNode));
  if (!plan->nodes) {
    gs_chain_free(chain);
    gs_plan_free(plan);
    return GS_ERR_NOMEM;
  }
  plan->input_domain = chain->nodes[0].in_domain;
  double nominal = gs_chain_nominal_level(chain);
  plan->input_level = config && config->level_given ? config->level : nominal;
  measure_levels(plan, chain, rate, from_level(plan->input_domain, plan->input_level));
  measure_noise(plan, chain, rate);
  fill_nodes(plan, chain);
  loads(plan, chain);
  warn_loads(plan, chain);
  gs_chain_free(chain);
  *out = plan;
  return GS_OK;
}

void gs_plan_free(GsPlan *plan) {
  if (!plan) return;
  free(plan->nodes);
  free(plan->warnings);
  free(plan);
}

uint32_t gs_plan_length(const GsPlan *plan) {
  return plan->n;
}
const GsPlanNode *gs_plan_node(const GsPlan *plan, uint32_t index) {
  return index < plan->n ? &plan->nodes[index] : NULL;
}
double gs_plan_input_level(const GsPlan *plan) {
  return plan->input_level;
}
GsDomain gs_plan_input_domain(const GsPlan *plan) {
  return plan->input_domain;
}
const char *gs_plan_warnings(const GsPlan *plan) {
  return plan->warnings ? plan->warnings : "";
}
