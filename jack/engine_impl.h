/* The engine's state, shared by its setup and control code (engine.c) and
 * its cycle (engine_process.c). */
#ifndef GS_JACK_ENGINE_IMPL_H
#define GS_JACK_ENGINE_IMPL_H

#include <jack/ringbuffer.h>
#include <stdatomic.h>

#include "dsp/ramp.h"
#include "engine.h"

#define GS_ENGINE_CHUNK 256u /* frames per inner step: fixed scratch */

typedef struct {
  _Atomic float peak, rms;
  atomic_bool clip;
  double mean_square; /* audio thread only */
} Meter;

typedef struct {
  GsRamp l, r;
} StereoGain;

typedef struct {
  GsChain *chain;
  uint32_t n_in, n_out, first_input;
  float out[2][GS_ENGINE_CHUNK];
  StereoGain mon;                     /* into the monitor bus */
  StereoGain send[GS_RIG_MAX_PHONES]; /* into each headphone mix */
  double level_db, pan;               /* live values */
  bool mute;
  GsRecordWhat record;
} Strip;

typedef struct {
  double level_db, return_db;
  double send_db[GS_RIG_MAX_STRIPS], send_pan[GS_RIG_MAX_STRIPS];
  GsRamp level, ret;
  float bus[2][GS_ENGINE_CHUNK];
} Phones;

typedef struct {
  uint32_t select;
  double level_db, dim_db, return_db;
  bool dim, mute, mono;
  GsRamp a, b, ret, mono_mix;
  float bus[2][GS_ENGINE_CHUNK];
} Monitor;

typedef enum { CMD_SET, CMD_LEARN, CMD_CLEAR_CLIPS } CommandType;

typedef struct {
  CommandType type;
  uint32_t control;
  double value;
} Command;

struct GsEngine {
  const GsRig *rig;
  double rate;
  uint32_t smooth; /* samples a gain takes to move */
  uint32_t n_strips, n_phones, n_inputs, n_outputs, latency;
  Strip *strip;
  Phones phones[GS_RIG_MAX_PHONES];
  Monitor mon;
  Meter *meter; /* strips, then outputs */
  uint32_t n_meters;
  _Atomic double *value; /* per control, as applied */
  /* MIDI maps (the rig's, then learned ones): audio thread only */
  GsRigCc cc[GS_RIG_MAX_CC];
  uint32_t n_cc;
  int learn; /* control the next CC binds to, or -1 */
  double meter_coeff;
  struct GsRecorder *recorder;
  uint32_t n_record;
  const float **record_ptr; /* per record channel, set each chunk */
  jack_ringbuffer_t *commands, *events;
};

/* Apply a control's value now (ramps start). [audio] */
void gs_engine_apply(GsEngine *e, uint32_t control, double value);
/* Apply the main thread's queued commands (start of a cycle). [audio] */
void gs_engine_commands(GsEngine *e);
/* Push an event to the main thread; dropped if the queue is full. [audio] */
void gs_engine_post(GsEngine *e, GsEngineEventType type, uint32_t a, uint32_t b, uint32_t c);

#endif
