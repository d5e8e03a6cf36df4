/* The stage interface: a descriptor (parameter table plus lifecycle hooks)
 * and an opaque instance. Every stage, from a gain to a tube power amp or a
 * convolver, sits behind this; the chain, the CLI, the JACK rig and the LV2
 * wrapper only ever talk to it. Stages know nothing of files, JACK or LV2.
 *
 * Lifecycle (SoX-like): check -> ports -> create -> (set_param | process)*
 * -> destroy. A stage processes one lane (channel) per instance; a stage
 * that merges lanes (a preamp selecting between inputs) gets them all. */
#ifndef GS_STAGE_H
#define GS_STAGE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsp/rational.h"
#include "gainstage/gainstage.h"

/* What a source needs from a preamp's phantom supply. */
typedef enum {
  GS_PHANTOM_NONE,     /* indifferent (dynamic mics, instruments, lines) */
  GS_PHANTOM_REQUIRED, /* silent without +48 V (condenser) */
  GS_PHANTOM_HARMFUL   /* can be damaged by +48 V (ribbon) */
} GsPhantomNeed;

/* A stage's terminals, as linear networks in s:
 *   output: Thevenin-like L-section, series impedance zs then a shunt
 *           admittance ys across the terminals (a pickup's coil, then its
 *           own and the cable's capacitance). The stage's process() writes
 *           the internal voltage before zs.
 *   input:  admittance yin (zero polynomial = infinite impedance).
 * The chain loads neighbours through H(s) = 1 / (1 + zs (ys + yin)). */
typedef struct {
  GsRational zs;
  GsRational ys;
  GsRational yin;
  GsPhantomNeed phantom;
  const char *source_name; /* for messages: "mic-condenser" */
  double distance;         /* metres from an acoustic source to its listener */
} GsPorts;

/* What a stage is told when it is created. */
typedef struct {
  double rate;
  uint32_t n_inputs;         /* lanes merged into this instance (1 = one) */
  uint64_t seed;             /* for this instance's noise */
  bool noise;                /* modelled noise on */
  const GsPorts *upstream;   /* n_inputs ports feeding it, NULL if none */
  const GsPorts *downstream; /* the next stage's ports, NULL if unloaded */
  char *why;                 /* create may explain a failure here */
  size_t why_size;
  const char *const *paths; /* per parameter: file names, or NULL */
} GsStageEnv;

/* Fixed size of a stage's pending-warning text. */
#define GS_WARN_SIZE 256

typedef struct GsStageClass {
  GsStageInfo info;

  /* Cross-parameter checks at build time (e.g. a choice not built yet).
   * Write a reason into why. May be NULL. */
  GsStatus (*check)(const double *values, char *why, size_t why_size);

  /* What makes parameter `param` do nothing with these values ("type=tube"
   * for a tube-only setting on a solid-state amplifier), or NULL if it
   * acts; given in a chain, such a setting is warned of. May be NULL. */
  const char *(*inert)(const double *values, uint32_t param);

  /* Domains for these values when they depend on them (a speaker heard
   * through the air or at its terminals). May be NULL: info's. */
  void (*domains)(const double *values, GsDomain *in, GsDomain *out);

  /* Terminals for these values at rate. May be NULL: ideal terminals
   * (zero output impedance, infinite input impedance). Must be real-time
   * safe: called again when a parameter flagged as changing them moves. */
  void (*ports)(const double *values, double rate, GsPorts *ports);

  /* What the stage fixes when it is built from live settings as well as
   * fixed ones, as a number (quality=auto's oversampling factor, from a
   * tube power amp's feedback and presence) for these values at rate. A
   * live move that changes it plays on in the stage as built; a host that
   * can build anew asks gs_chain_param_rebuilds. May be NULL: nothing. */
  int (*build_choice)(const double *values, double rate);

  /* True if this configuration consumes every incoming lane. May be NULL. */
  bool (*merges)(const double *values);

  GsStatus (*create)(const GsStageEnv *env, const double *values, void **self);
  void (*destroy)(void *self);

  /* [audio] Apply a value (already validated; ramps come from the chain
   * in ticks of GS_TICK samples, and the stage interpolates within). */
  void (*set_param)(void *self, uint32_t index, double value);

  /* [audio] The value this instance realizes for `value` (a tube preamp's
   * gain pot spans 80 dB below its cascade's ceiling): ramps move within
   * it, so one from beyond it does not rush through the part that is
   * reached. May be NULL: every value is. */
  double (*reach)(const void *self, uint32_t index, double value);

  /* [audio] in has n_inputs buffers; out may alias in[0]. n <= GS_MAX_BLOCK.*/
  void (*process)(void *self, const float *const *in, float *out, uint32_t n);

  void (*reset)(void *self);             /* [audio] may be NULL */
  uint32_t (*latency)(const void *self); /* may be NULL: 0 */
  /* How many samples after `latency` the analyzer may find the stage's
   * delay: minimum-phase oversampling filters report their delay at low
   * frequencies, their phase turns near the band's top. May be NULL: 0. */
  uint32_t (*latency_slack)(const void *self);
  void (*set_noise)(void *self, bool on); /* [audio] may be NULL */

  /* [main] Copy one pending warning into msg and clear it; false if none.
   * May be NULL. */
  bool (*poll)(void *self, char *msg, size_t size);

  /* For the level plan: the peak output (volts, or 1.0 full scale) at
   * which this stage clips, INFINITY if it does not. May be NULL. */
  double (*clip_peak)(const double *values);
  /* [main] The same for a built instance at hz, with what it drives (an
   * amplifier's current limit into a low load). May be NULL: clip_peak. */
  double (*clip_peak_loaded)(const void *self, double hz);

  /* For the level plan: the nominal input level in dBu (analog input) or
   * dBFS (digital input). May be NULL: 0 dBu / -18 dBFS. */
  double (*nominal_level)(const double *values);

  /* The stage dissipates the power it receives (a load or a speaker), so
   * the plan reports watts into it. */
  bool is_load;

  /* Its response is not minimum phase by nature (a crossover, paths of
   * different lengths, a recorded impulse response), so the analyzer's
   * latency (the excess phase's peak) is part of the sound, not a delay
   * the stage should report. */
  bool excess_phase;

  /* What an "auto" parameter (value 0) currently stands for, so the chain
   * can ramp into and out of auto without a jump; upstream is what the
   * stage's create saw (may be NULL). May be NULL. */
  double (*resolve)(const double *values, const GsPorts *upstream, uint32_t index);

  /* For the plan's warnings: the power a load is rated for, and the
   * lowest load impedance an amplifier drives. May be NULL. */
  double (*rated_watts)(const double *values);
  double (*min_load_ohms)(const double *values);

  /* A loudspeaker's dB SPL at 1 m on its axis for vrms at its terminals,
   * from its sensitivity (NaN if it has none), for the plan. May be NULL. */
  double (*spl_1m)(const double *values, double vrms);
} GsStageClass;

/* Parameters ramp in ticks of this many samples (fixed from the start of
 * the stream, so output does not depend on block sizes). */
#define GS_TICK 32u

/* The registry. */
const GsStageClass *gs_class_find(const char *name);
const GsStageClass *gs_class_of(const GsStageInfo *info);

/* Every stage class, defined in src/stages/. */
extern const GsStageClass gs_stage_source;
extern const GsStageClass gs_stage_preamp;
extern const GsStageClass gs_stage_tonestack;
extern const GsStageClass gs_stage_eq;
extern const GsStageClass gs_stage_poweramp;
extern const GsStageClass gs_stage_speaker;
extern const GsStageClass gs_stage_load;
extern const GsStageClass gs_stage_gain;
extern const GsStageClass gs_stage_adc;
extern const GsStageClass gs_stage_dac;
extern const GsStageClass gs_stage_mic;
extern const GsStageClass gs_stage_cab;
extern const GsStageClass gs_stage_triode;

/* Helpers for stage implementations. */
void gs_ports_ideal(GsPorts *ports);
/* The resistance a stage's output drives: the next stage's input at
 * 1 kHz, or `fallback` if nothing (or nothing resistive) follows. */
double gs_ports_load_ohms(const GsPorts *downstream, double fallback);
/* Samples a parameter ramp lasts (GS_SMOOTH_SECONDS at rate). */
uint32_t gs_smooth_samples(double rate);
/* [main] Format a warning into msg (for poll hooks). Returns true. */
bool gs_warn_format(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* [main] For a count that only grows (samples that did not converge, ...):
 * if it has passed *seen, "<what> in N samples" (N new ones) into msg and
 * *seen moved up to it; true. False if nothing new. */
bool gs_warn_count(uint64_t count, uint64_t *seen, char *msg, size_t size, const char *what);

/* A double the audio thread writes and a poll hook reads while it runs
 * (the rig polls its chains as they play): the writes through
 * gs_shared_store, the poll's reads through gs_shared_load, so that
 * neither tears nor races. The audio thread reads its own plainly. */
static inline void gs_shared_store(double *slot, double value) {
  __atomic_store(slot, &value, __ATOMIC_RELAXED);
}
static inline double gs_shared_load(const double *slot) {
  double value;
  __atomic_load(slot, &value, __ATOMIC_RELAXED);
  return value;
}

static inline double gs_db_to_gain(double db) {
  return pow(10.0, db / 20.0);
}

#endif
