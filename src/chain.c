/* The chain: stages in order, the impedance junctions between them,
 * parameter ramps, and block processing.
 *
 * Samples flow through "lanes" (channels). Each stage instance processes
 * one lane, except a stage that merges lanes (a preamp selecting between
 * inputs), which takes all of them and gives one.
 *
 * Parameter changes ramp over GS_SMOOTH_SECONDS in ticks of GS_TICK
 * samples counted from the start of the stream; blocks are split at tick
 * boundaries while anything ramps, so the output does not depend on how
 * the caller blocks the audio. */
#include "chain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/denormal.h"
#include "log.h"
#include "spec.h"

/* ------------------------------------------------------------- helpers */

void gs_ports_ideal(GsPorts *ports) {
  memset(ports, 0, sizeof *ports);
  ports->zs = gs_rat_const(0.0);
  ports->ys = gs_rat_const(0.0);
  ports->yin = gs_rat_const(0.0);
  ports->phantom = GS_PHANTOM_NONE;
}

double gs_ports_load_ohms(const GsPorts *downstream, double fallback) {
  double g = downstream ? creal(gs_rat_at_hz(&downstream->yin, 1000.0)) : 0.0;
  return g > 1e-9 ? 1.0 / g : fallback;
}

uint32_t gs_smooth_samples(double rate) {
  return (uint32_t)lround(GS_SMOOTH_SECONDS * rate);
}

static void node_ports(GsNode *node, double rate) {
  gs_ports_ideal(&node->ports);
  if (node->cls->ports) node->cls->ports(node->values, rate, &node->ports);
}

/* H(s) = 1 / (1 + zs (ys + yin)): the voltage divider between one stage's
 * output network and the next stage's input, bilinear with prewarping at
 * the response's peak (or steepest slope), so a pickup's resonance lands
 * where the analog circuit has it. The prewarp frequency is chosen for the
 * values the chain is built with and then kept, so that coefficients move
 * continuously with live changes (a prewarp that jumped would click). */
static void junction_coefs(GsNode *a, const GsNode *b, double rate) {
  a->has_junction = false;
  gs_iir_identity(&a->junction);
  if (a->out_domain != GS_DOMAIN_ANALOG || !b || b->in_domain != GS_DOMAIN_ANALOG) {
    return;
  }
  if (gs_rat_is_zero(&a->ports.zs)) return;
  GsRational y = gs_rat_add(&a->ports.ys, &b->ports.yin);
  if (gs_rat_is_zero(&y)) return;
  GsRational zy = gs_rat_mul(&a->ports.zs, &y);
  GsRational one = gs_rat_const(1.0);
  GsRational den = gs_rat_add(&one, &zy);
  GsRational h = gs_rat_inv(&den);
  if (a->jprewarp == 0.0) {
    a->jprewarp = gs_rat_feature_hz(&h, 10.0, fmin(20000.0, 0.45 * rate));
  }
  GsSosCoefs sos;
  if (gs_rat_to_sos(&h, rate, a->jprewarp, &sos)) {
    gs_iir_from_sos(&a->junction, &sos);
    a->has_junction = a->junction.order > 0 || a->junction.gain != 1.0;
  } else {
    /* cannot discretize: keep at least the divider's 1 kHz magnitude */
    a->junction.gain = cabs(gs_rat_at_hz(&h, 1000.0));
    a->has_junction = true;
  }
}

static void junction_design(GsNode *a, const GsNode *b, double rate) {
  GsIirCoefs old = a->junction;
  bool had = a->has_junction;
  junction_coefs(a, b, rate);
  /* redesigned while running: keep the state, morph the coefficients */
  if (had && a->has_junction && a->jstate) {
    for (uint32_t k = 0; k < a->lanes_out; k++) {
      gs_iir_morph(&a->jstate[k], &old, GS_TICK);
    }
  }
}

/* Every stage's terminals, then every junction between them. */
static void design_junctions(GsChain *chain) {
  for (uint32_t i = 0; i < chain->n_nodes; i++) node_ports(&chain->nodes[i], chain->cfg.rate);
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    junction_design(&chain->nodes[i], i + 1 < chain->n_nodes ? &chain->nodes[i + 1] : NULL,
                    chain->cfg.rate);
  }
}

void gs_chain_update_ports(GsChain *chain, uint32_t i) {
  double rate = chain->cfg.rate;
  node_ports(&chain->nodes[i], rate);
  if (i > 0) junction_design(&chain->nodes[i - 1], &chain->nodes[i], rate);
  junction_design(&chain->nodes[i], i + 1 < chain->n_nodes ? &chain->nodes[i + 1] : NULL, rate);
}

/* ---------------------------------------------------------- building */

/* The stage that turns `from` into `to`, to suggest where one is missing. */
static const char *bridge(GsDomain from, GsDomain to) {
  if (to == GS_DOMAIN_ACOUSTIC) return "a speaker or cab";
  if (from == GS_DOMAIN_ACOUSTIC) return to == GS_DOMAIN_ANALOG ? "a mic" : "a mic and an adc";
  return to == GS_DOMAIN_ANALOG ? "a dac" : "an adc";
}

static void node_domains(const GsNode *n, GsDomain *in, GsDomain *out) {
  *in = n->cls->info.input;
  *out = n->cls->info.output;
  if (n->cls->domains) n->cls->domains(n->values, in, out);
}

/* Stage i as a message names it: where it is in the spec's file
 * ("crunch.preset:5: preamp"), else its place ("stage 2 (preamp)"). */
static void stage_name(const GsSpec *spec, uint32_t i, char *buf, size_t size) {
  const GsSpecStage *st = &spec->stages[i];
  if (spec->file && st->line) {
    snprintf(buf, size, "%s:%u: %s", spec->file, st->line, st->cls->info.name);
  } else {
    snprintf(buf, size, "stage %u (%s)", i + 1, st->cls->info.name);
  }
}

/* The stage before i, named after stage i's name: "adc (line 2)". */
static void previous_name(const GsSpec *spec, uint32_t i, char *buf, size_t size) {
  const GsSpecStage *st = &spec->stages[i - 1];
  if (spec->file && st->line && spec->stages[i].line) {
    snprintf(buf, size, "%s (line %u)", st->cls->info.name, st->line);
  } else {
    snprintf(buf, size, "stage %u (%s)", i, st->cls->info.name);
  }
}

/* Resolve each stage's domains and refuse impossible neighbours. */
static GsStatus resolve_domains(GsChain *chain, const GsSpec *spec, const GsLog *log) {
  GsDomain cur, out;
  node_domains(&chain->nodes[0], &cur, &out);
  if (cur == GS_DOMAIN_ANY) cur = GS_DOMAIN_DIGITAL;
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    GsNode *n = &chain->nodes[i];
    GsDomain want;
    node_domains(n, &want, &out);
    if (want != GS_DOMAIN_ANY && want != cur) {
      const char *takes = gs_domain_info(want)->words;
      char name[GS_WARN_SIZE], before[GS_WARN_SIZE];
      stage_name(spec, i, name, sizeof name);
      if (i == 0) {
        gs_log(log, GS_LOG_ERROR, "%s takes %s", name, takes);
      } else {
        previous_name(spec, i, before, sizeof before);
        gs_log(log, GS_LOG_ERROR, "%s takes %s, but %s gives %s: put %s between them", name, takes,
               before, gs_domain_info(cur)->words, bridge(cur, want));
      }
      return GS_ERR_CHAIN;
    }
    n->in_domain = cur;
    n->out_domain = out == GS_DOMAIN_ANY ? cur : out;
    cur = n->out_domain;
  }
  return GS_OK;
}

static GsStatus alloc_node(GsNode *node, const GsSpecStage *st, uint32_t lanes) {
  const GsStageInfo *info = &st->cls->info;
  node->cls = st->cls;
  uint32_t np = info->n_params ? info->n_params : 1;
  node->values = calloc(np, sizeof(double));
  node->ramps = calloc(np, sizeof(GsParamRamp));
  node->paths = calloc(np, sizeof(char *));
  if (!node->values || !node->ramps || !node->paths) return GS_ERR_NOMEM;
  for (uint32_t p = 0; p < info->n_params; p++) {
    if (st->paths[p] && !(node->paths[p] = strdup(st->paths[p]))) return GS_ERR_NOMEM;
  }
  for (uint32_t p = 0; p < info->n_params; p++) {
    node->values[p] = st->values[p];
    node->ramps[p].current = node->ramps[p].target = st->values[p];
    node->ramps[p].goal = st->values[p];
  }
  node->merges = st->cls->merges && st->cls->merges(st->values);
  node->lanes_in = lanes;
  node->lanes_out = node->merges ? 1 : lanes;
  node->n_inst = node->merges ? 1 : lanes;
  node->inst = calloc(node->n_inst, sizeof(void *));
  node->jstate = calloc(node->lanes_out, sizeof(GsIirState));
  if (!node->inst || !node->jstate) return GS_ERR_NOMEM;
  return GS_OK;
}

/* The ports a stage sees upstream: an analog source's terminals, or an
 * acoustic source's distance; NULL for the first stage or a digital feed. */
static const GsPorts *upstream_of(const GsChain *chain, uint32_t i) {
  if (i == 0) return NULL;
  GsDomain d = chain->nodes[i - 1].out_domain;
  return d == GS_DOMAIN_ANALOG || d == GS_DOMAIN_ACOUSTIC ? &chain->nodes[i - 1].ports : NULL;
}

static GsStatus create_instances(GsChain *chain, const GsSpec *spec, uint32_t i, const GsLog *log) {
  GsNode *n = &chain->nodes[i];
  GsPorts up[GS_MAX_LANES];
  const GsPorts *upstream = NULL;
  if (upstream_of(chain, i)) {
    for (uint32_t k = 0; k < n->lanes_in && k < GS_MAX_LANES; k++) up[k] = *upstream_of(chain, i);
    upstream = up;
  }
  const GsPorts *down = NULL;
  if (i + 1 < chain->n_nodes && chain->nodes[i + 1].in_domain == GS_DOMAIN_ANALOG &&
      n->out_domain == GS_DOMAIN_ANALOG) {
    down = &chain->nodes[i + 1].ports;
  }
  char why[GS_WARN_SIZE] = "";
  for (uint32_t k = 0; k < n->n_inst; k++) {
    GsStageEnv env = {
        .rate = chain->cfg.rate,
        .n_inputs = n->merges ? n->lanes_in : 1,
        .seed = chain->cfg.seed * 0x9e3779b97f4a7c15ULL + i * 1000003ULL + k,
        .noise = chain->cfg.noise,
        .upstream = upstream,
        .downstream = down,
        .why = why,
        .why_size = sizeof why,
        .paths = (const char *const *)n->paths,
    };
    GsStatus s = n->cls->create(&env, n->values, &n->inst[k]);
    if (s != GS_OK) {
      char name[GS_WARN_SIZE];
      stage_name(spec, i, name, sizeof name);
      gs_log(log, GS_LOG_ERROR, "%s: %s", name, why[0] ? why : gs_strerror(s));
      return s;
    }
  }
  return GS_OK;
}

static GsStatus check_config(const GsChainConfig *cfg, const GsLog *log) {
  if (!(cfg->rate >= GS_RATE_MIN && cfg->rate <= GS_RATE_MAX)) {
    gs_log(log, GS_LOG_ERROR, "sample rate %.0f Hz is outside 8 kHz to 384 kHz", cfg->rate);
    return GS_ERR_RANGE;
  }
  if (cfg->channels < 1 || cfg->channels > GS_MAX_LANES) {
    gs_log(log, GS_LOG_ERROR, "%u channels: 1 to %u are supported", cfg->channels, GS_MAX_LANES);
    return GS_ERR_RANGE;
  }
  return GS_OK;
}

GsStatus gs_chain_new(const GsSpec *spec, const GsChainConfig *config, const GsLog *log,
                      GsChain **out) {
  if (!spec || !config || !out || spec->n == 0) return GS_ERR_ARG;
  *out = NULL;
  GsStatus s = check_config(config, log);
  if (s != GS_OK) return s;
  GsChain *chain = calloc(1, sizeof *chain);
  if (!chain) return GS_ERR_NOMEM;
  chain->cfg = *config;
  chain->noise = config->noise;
  chain->n_nodes = spec->n;
  chain->nodes = calloc(spec->n, sizeof(GsNode));
  chain->lanes_in = config->channels;
  chain->lane_mem = calloc((size_t)config->channels * GS_MAX_BLOCK, sizeof(float));
  if (!chain->nodes || !chain->lane_mem) s = GS_ERR_NOMEM;
  uint32_t lanes = config->channels;
  for (uint32_t i = 0; s == GS_OK && i < spec->n; i++) {
    stage_name(spec, i, chain->nodes[i].name, sizeof chain->nodes[i].name);
    s = alloc_node(&chain->nodes[i], &spec->stages[i], lanes);
    lanes = chain->nodes[i].lanes_out;
  }
  if (s == GS_OK) s = resolve_domains(chain, spec, log);
  if (s == GS_OK) {
    chain->lanes_out = lanes;
    for (uint32_t c = 0; c < config->channels; c++) {
      chain->lane[c] = chain->lane_mem + (size_t)c * GS_MAX_BLOCK;
    }
    design_junctions(chain);
    uint32_t ticks = gs_smooth_samples(config->rate) / GS_TICK;
    chain->ramp_ticks = ticks ? ticks : 1;
  }
  for (uint32_t i = 0; s == GS_OK && i < spec->n; i++) {
    s = create_instances(chain, spec, i, log);
    const GsStageClass *cls = chain->nodes[i].cls;
    if (cls->build_choice)
      chain->nodes[i].built_choice = cls->build_choice(spec->stages[i].values, config->rate);
  }
  if (s != GS_OK) {
    gs_chain_free(chain);
    return s;
  }
  gs_chain_poll(chain, log);
  *out = chain;
  return GS_OK;
}

void gs_chain_free(GsChain *chain) {
  if (!chain) return;
  for (uint32_t i = 0; chain->nodes && i < chain->n_nodes; i++) {
    GsNode *n = &chain->nodes[i];
    for (uint32_t k = 0; n->inst && k < n->n_inst; k++) {
      if (n->inst[k]) n->cls->destroy(n->inst[k]);
    }
    free(n->inst);
    free(n->jstate);
    for (uint32_t p = 0; n->paths && p < n->cls->info.n_params; p++) free(n->paths[p]);
    free(n->paths);
    free(n->values);
    free(n->ramps);
  }
  free(chain->nodes);
  free(chain->lane_mem);
  free(chain);
}

uint32_t gs_chain_out_channels(const GsChain *c) {
  return c->lanes_out;
}
uint32_t gs_chain_in_channels(const GsChain *c) {
  return c->lanes_in;
}
GsDomain gs_chain_input_domain(const GsChain *c) {
  return c->nodes[0].in_domain;
}
GsDomain gs_chain_output_domain(const GsChain *c) {
  return c->nodes[c->n_nodes - 1].out_domain;
}

double gs_chain_nominal_level(const GsChain *chain) {
  const GsNode *first = &chain->nodes[0];
  if (first->cls->nominal_level) return first->cls->nominal_level(first->values);
  return first->in_domain == GS_DOMAIN_ANALOG ? 0.0 : -18.0;
}

/* The sum over the stages of their latency, or of its slack. */
static uint32_t latency_sum(const GsChain *chain, bool slack) {
  uint32_t total = 0;
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    const GsNode *n = &chain->nodes[i];
    uint32_t (*hook)(const void *) = slack ? n->cls->latency_slack : n->cls->latency;
    if (hook) total += hook(n->inst[0]);
  }
  return total;
}

uint32_t gs_chain_latency(const GsChain *chain) {
  return latency_sum(chain, false);
}

uint32_t gs_chain_latency_slack(const GsChain *chain) {
  return latency_sum(chain, true);
}

/* -------------------------------------------------------- parameters */

GsStatus gs_chain_set_param(GsChain *chain, uint32_t stage, uint32_t param, double value) {
  if (!chain || stage >= chain->n_nodes) return GS_ERR_ARG;
  GsNode *n = &chain->nodes[stage];
  const GsStageInfo *info = &n->cls->info;
  if (param >= info->n_params) return GS_ERR_ARG;
  const GsParamInfo *p = &info->params[param];
  if (!isfinite(value)) return GS_ERR_BAD_VALUE;
  bool zero = p->zero && value == 0.0;
  if (!zero && (value < p->min || value > p->max)) return GS_ERR_RANGE;
  if (p->type != GS_PARAM_REAL) value = round(value);
  if (value == n->ramps[param].target) return GS_OK;
  if (p->flags & GS_PARAM_FIXED) return GS_ERR_NOT_REALTIME;
  GsParamRamp *r = &n->ramps[param];
  r->target = value;
  r->goal = value;
  if (n->cls->reach && n->n_inst) { /* ramp from and to what the stage realizes */
    r->goal = n->cls->reach(n->inst[0], param, value);
    r->current = n->cls->reach(n->inst[0], param, r->current);
  }
  /* moves into or out of "auto" ramp between the values auto stands for */
  if (p->zero && n->cls->resolve && (value == 0.0 || r->current == 0.0)) {
    double saved = n->values[param];
    if (r->current == 0.0) {
      n->values[param] = 0.0;
      r->current = n->cls->resolve(n->values, upstream_of(chain, stage), param);
    }
    if (value == 0.0) {
      n->values[param] = 0.0;
      r->goal = n->cls->resolve(n->values, upstream_of(chain, stage), param);
    }
    n->values[param] = saved;
  }
  /* discrete values, and moves to or from "off", jump at the next tick:
   * the stage ramps what they mean */
  bool jump = p->type != GS_PARAM_REAL || (p->zero && (r->goal == 0.0 || r->current == 0.0));
  uint32_t ticks = chain->ramp_ticks;
  if (p->smooth > 0.0) {
    ticks = (uint32_t)lround(p->smooth * chain->cfg.rate / GS_TICK);
    if (ticks == 0) ticks = 1;
  }
  r->ticks_left = jump ? 1 : ticks;
  n->ramping = true;
  chain->ramping = true;
  return GS_OK;
}

bool gs_chain_param_rebuilds(const GsChain *chain, uint32_t stage, uint32_t param, double value) {
  if (!chain || stage >= chain->n_nodes) return false;
  const GsNode *n = &chain->nodes[stage];
  uint32_t np = n->cls->info.n_params;
  if (!n->cls->build_choice || param >= np || np > GS_SPEC_MAX_PARAMS || !isfinite(value)) {
    return false;
  }
  double v[GS_SPEC_MAX_PARAMS];
  for (uint32_t k = 0; k < np; k++) v[k] = n->ramps[k].target;
  v[param] = value;
  return n->cls->build_choice(v, chain->cfg.rate) != n->built_choice;
}

double gs_chain_get_param(const GsChain *chain, uint32_t stage, uint32_t param) {
  if (!chain || stage >= chain->n_nodes || param >= chain->nodes[stage].cls->info.n_params) {
    return NAN;
  }
  return chain->nodes[stage].ramps[param].target;
}

/* The next tick's value: towards goal (what target means), and exactly
 * target on the last tick. */
static double ramp_step(const GsParamInfo *p, GsParamRamp *r) {
  double cur = r->current, tgt = r->goal;
  uint32_t k = r->ticks_left;
  if (k <= 1) return r->target;
  if ((p->flags & GS_PARAM_LOG) && cur > 0.0 && tgt > 0.0) {
    return cur * pow(tgt / cur, 1.0 / k);
  }
  return cur + (tgt - cur) / k;
}

/* One tick of every moving parameter. */
static void advance_ramps(GsChain *chain) {
  bool any = false;
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    GsNode *n = &chain->nodes[i];
    if (!n->ramping) continue;
    bool moving = false, ports_changed = false;
    for (uint32_t p = 0; p < n->cls->info.n_params; p++) {
      GsParamRamp *r = &n->ramps[p];
      if (!r->ticks_left) continue;
      r->current = ramp_step(&n->cls->info.params[p], r);
      r->ticks_left--;
      n->values[p] = r->current;
      for (uint32_t k = 0; k < n->n_inst; k++) {
        n->cls->set_param(n->inst[k], p, r->current);
      }
      ports_changed = ports_changed || n->cls->ports;
      moving = moving || r->ticks_left;
    }
    if (ports_changed) gs_chain_update_ports(chain, i);
    n->ramping = moving;
    any = any || moving;
  }
  chain->ramping = any;
}

void gs_chain_set_noise(GsChain *chain, bool on) {
  chain->noise = on;
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    GsNode *n = &chain->nodes[i];
    if (!n->cls->set_noise) continue;
    for (uint32_t k = 0; k < n->n_inst; k++) n->cls->set_noise(n->inst[k], on);
  }
}

void gs_chain_tap(GsChain *chain, uint32_t node, float *dst) {
  if (node == 0) {
    chain->tap0 = dst;
  } else if (node <= chain->n_nodes) {
    chain->nodes[node - 1].tap = dst;
  }
}

/* -------------------------------------------------------- processing */

static void run_node(GsNode *n, float **lane, uint32_t len) {
  if (n->merges) {
    n->cls->process(n->inst[0], (const float *const *)lane, lane[0], len);
  } else {
    for (uint32_t k = 0; k < n->n_inst; k++) {
      const float *in = lane[k];
      n->cls->process(n->inst[k], &in, lane[k], len);
    }
  }
  if (n->has_junction) {
    for (uint32_t k = 0; k < n->lanes_out; k++) {
      gs_iir_run(&n->junction, &n->jstate[k], lane[k], len);
    }
  }
  if (n->tap) memcpy(n->tap, lane[0], len * sizeof(float));
}

static void run_block(GsChain *chain, const float *const *in, float *const *out, uint32_t off,
                      uint32_t len) {
  uint64_t bad = 0;
  for (uint32_t c = 0; c < chain->lanes_in; c++) {
    const float *src = in[c] + off;
    float *dst = chain->lane[c];
    for (uint32_t i = 0; i < len; i++) {
      float x = src[i];
      if (!(fabsf(x) <= GS_INPUT_LIMIT)) { /* NaN, infinity or absurd */
        x = 0.0f;
        bad++;
      }
      dst[i] = x;
    }
  }
  if (bad) atomic_fetch_add_explicit(&chain->nonfinite_in, bad, memory_order_relaxed);
  if (chain->tap0) memcpy(chain->tap0 + off, chain->lane[0], len * sizeof(float));
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    GsNode *n = &chain->nodes[i];
    float *saved = n->tap;
    if (saved) n->tap = saved + off;
    run_node(n, chain->lane, len);
    n->tap = saved;
  }
  for (uint32_t c = 0; c < chain->lanes_out; c++) {
    memcpy(out[c] + off, chain->lane[c], len * sizeof(float));
  }
}

void gs_chain_process(GsChain *chain, const float *const *in, float *const *out,
                      uint32_t n_frames) {
  GsFpMode fp = gs_denormals_off();
  uint32_t pos = 0;
  while (pos < n_frames) {
    uint32_t len = n_frames - pos;
    if (len > GS_MAX_BLOCK) len = GS_MAX_BLOCK;
    uint32_t phase = (uint32_t)(chain->frames % GS_TICK);
    if (chain->ramping) {
      if (phase == 0) advance_ramps(chain);
      if (chain->ramping || phase != 0) {
        uint32_t to_tick = GS_TICK - phase;
        if (len > to_tick) len = to_tick;
      }
    }
    run_block(chain, in, out, pos, len);
    chain->frames += len;
    pos += len;
  }
  gs_denormals_restore(fp);
}

void gs_chain_reset(GsChain *chain) {
  design_junctions(chain);
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    GsNode *n = &chain->nodes[i];
    for (uint32_t p = 0; p < n->cls->info.n_params; p++) {
      GsParamRamp *r = &n->ramps[p];
      if (r->ticks_left || n->values[p] != r->target) {
        r->current = n->values[p] = r->goal = r->target;
        r->ticks_left = 0;
        for (uint32_t k = 0; k < n->n_inst; k++) {
          n->cls->set_param(n->inst[k], p, r->target);
        }
      }
    }
    n->ramping = false;
    for (uint32_t k = 0; k < n->n_inst; k++) {
      if (n->cls->reset) n->cls->reset(n->inst[k]);
    }
    for (uint32_t k = 0; k < n->lanes_out; k++) gs_iir_clear(&n->jstate[k]);
  }
  chain->ramping = false;
  chain->frames = 0;
}

void gs_chain_poll(GsChain *chain, const GsLog *log) {
  uint64_t bad = atomic_load(&chain->nonfinite_in);
  if (bad > chain->nonfinite_reported) {
    gs_log(log, GS_LOG_WARNING,
           "%llu non-finite input samples (NaN or infinity, or beyond 1e6 in size) were "
           "replaced by silence",
           (unsigned long long)(bad - chain->nonfinite_reported));
    chain->nonfinite_reported = bad;
  }
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    GsNode *n = &chain->nodes[i];
    if (!n->cls->poll) continue;
    char last[GS_WARN_SIZE] = "";
    for (uint32_t k = 0; k < n->n_inst; k++) {
      char msg[GS_WARN_SIZE];
      while (n->cls->poll(n->inst[k], msg, sizeof msg)) {
        if (strcmp(msg, last) == 0) continue;
        gs_log(log, GS_LOG_WARNING, "%s: %s", n->name, msg);
        memcpy(last, msg, sizeof last);
      }
    }
  }
}
