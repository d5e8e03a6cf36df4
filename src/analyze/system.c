/* A built chain as a system the analyzer can drive. */
#include <complex.h>
#include <math.h>

#include "chain.h"
#include "gainstage/analyze.h"

static void chain_process(void *ctx, const float *in, float *out, uint32_t n) {
  const float *ins[1] = {in};
  float *outs[1] = {out};
  gs_chain_process(ctx, ins, outs, n);
}

static void chain_reset(void *ctx) {
  gs_chain_reset(ctx);
}

static void chain_noise(void *ctx, bool on) {
  gs_chain_set_noise(ctx, on);
}

/* Re{Yin} of the last stage, if it is a load. */
static double chain_load(void *ctx, double hz) {
  GsChain *c = ctx;
  const GsNode *last = &c->nodes[c->n_nodes - 1];
  return creal(gs_rat_at_hz(&last->ports.yin, hz));
}

static bool any_excess_phase(const GsChain *chain) {
  for (uint32_t i = 0; i < chain->n_nodes; i++) {
    if (chain->nodes[i].cls->excess_phase) return true;
  }
  return false;
}

GsStatus gs_system_for_chain(GsChain *chain, GsSystem *out) {
  if (!chain || chain->lanes_in != 1 || chain->lanes_out != 1) return GS_ERR_ARG;
  const GsNode *first = &chain->nodes[0], *last = &chain->nodes[chain->n_nodes - 1];
  *out = (GsSystem){
      .ctx = chain,
      .rate = chain->cfg.rate,
      .input = first->in_domain,
      .output = last->out_domain,
      .process = chain_process,
      .reset = chain_reset,
      .set_noise = chain_noise,
      /* watts from the output's volts: not from a speaker's or cab's pascals */
      .load_siemens =
          last->cls->is_load && last->out_domain == GS_DOMAIN_ANALOG ? chain_load : NULL,
      .nominal_level = gs_chain_nominal_level(chain),
      .reported_latency = gs_chain_latency(chain),
      .latency_slack = gs_chain_latency_slack(chain),
      .excess_phase = any_excess_phase(chain),
  };
  return GS_OK;
}
