/* Internal view of a chain, for the plan and tests in the library. */
#ifndef GS_CHAIN_H
#define GS_CHAIN_H

#include <stdatomic.h>

#include "dsp/iir.h"
#include "stage.h"

#define GS_MAX_LANES 64u

typedef struct {
  double current;
  double target;       /* the value asked for (0 for auto) */
  double goal;         /* what it stands for: target, or auto's value */
  uint32_t ticks_left; /* 0: settled */
} GsParamRamp;

typedef struct {
  const GsStageClass *cls;
  char name[96];      /* as messages name it: "crunch.preset:5: preamp" */
  int built_choice;   /* cls->build_choice as built */
  double *values;     /* what the instances currently have */
  char **paths;       /* file-name parameters, copied from the spec */
  GsParamRamp *ramps; /* one per parameter */
  bool ramping;
  void **inst;
  uint32_t n_inst;
  bool merges;
  uint32_t lanes_in, lanes_out;
  GsDomain in_domain, out_domain; /* resolved (never ANY) */
  GsPorts ports;
  /* loading of this stage's output by the next stage's input */
  bool has_junction;
  double jprewarp; /* Hz, chosen when the chain is built */
  GsIirCoefs junction;
  GsIirState *jstate; /* one per output lane */
  float *tap;
} GsNode;

struct GsChain {
  GsChainConfig cfg;
  GsNode *nodes;
  uint32_t n_nodes;
  uint32_t lanes_in, lanes_out;
  float *lane[GS_MAX_LANES];
  float *lane_mem;
  uint64_t frames; /* processed since creation or reset */
  uint32_t ramp_ticks;
  bool ramping;
  bool noise;
  float *tap0;
  atomic_uint_fast64_t nonfinite_in; /* and beyond GS_INPUT_LIMIT */
  uint64_t nonfinite_reported;
};

/* Input samples beyond this (a megavolt, or 120 dB over full scale) are
 * replaced by silence like NaN: no signal is that large, and the stages'
 * arithmetic overflows on ones near float's limit (3e38 came out NaN). */
#define GS_INPUT_LIMIT 1e6f

/* The nominal input level: the first stage's, else 0 dBu for volts and
 * -18 dBFS (EBU R68 alignment) for full scale. [any] */
double gs_chain_nominal_level(const GsChain *chain);

/* What the stages' latency_slack add up to (GsSystem.latency_slack). [any] */
uint32_t gs_chain_latency_slack(const GsChain *chain);

/* Recompute node i's ports and the junctions on both sides. [audio] */
void gs_chain_update_ports(GsChain *chain, uint32_t node);

#endif
