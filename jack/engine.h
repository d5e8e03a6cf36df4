/* The rig's engine: everything the JACK callback does, and nothing of
 * JACK. Each cycle it runs every strip's chain on its input ports, mixes
 * the strips into the monitor bus and every headphone mix in the same
 * cycle (direct monitoring: no added latency), adds the playback return,
 * and writes monitor pairs A and B and the headphone pairs. Meters leave
 * through atomics; control changes arrive through a lock-free queue; MIDI
 * is handled in the cycle it arrives.
 *
 * Ports, in order. Inputs: every strip's inputs (strip 0 input 1, 2, ...,
 * strip 1 ...), then the playback return L, R. Outputs: monitor A L, R,
 * monitor B L, R, then phones 1 L, R, phones 2 L, R, ...
 *
 * Gains: levels in dB (the bottom of the range is off), constant-power pan
 * (centre -3 dB per side) for mono strips, balance for stereo ones; every
 * gain moves over GS_SMOOTH_SECONDS. A strip's mute silences it in every
 * mix. Dim turns the monitors down by dim_level; mono sums L and R at
 * half each. */
#ifndef GS_JACK_ENGINE_H
#define GS_JACK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gainstage/gainstage.h"
#include "rig.h"

typedef struct GsEngine GsEngine;
struct GsRecorder;

typedef struct {
  float peak; /* largest |x| since the last reading (full scale) */
  float rms;  /* 300 ms average */
  bool clip;  /* reached full scale since the clip lights were cleared */
} GsMeterReading;

typedef enum {
  GS_EV_PROGRAM, /* a program change recalled program a */
  GS_EV_LEARNED, /* learn mode bound cc a (channel b) to control c */
  GS_EV_CC,      /* cc a on channel b moved to value c (0..127) */
  GS_EV_UNKNOWN_PROGRAM
} GsEngineEventType;

typedef struct {
  GsEngineEventType type;
  uint32_t a, b, c;
} GsEngineEvent;

/* Build every chain at rate (and the queues); the rig must outlive the
 * engine. [main] */
GsStatus gs_engine_new(const GsRig *rig, double rate, const GsLog *log, GsEngine **out);
void gs_engine_free(GsEngine *e);

uint32_t gs_engine_inputs(const GsEngine *e);
uint32_t gs_engine_outputs(const GsEngine *e);
/* Input port index of strip s's input k (0-based). [any] */
uint32_t gs_engine_strip_input(const GsEngine *e, uint32_t strip, uint32_t k);
/* Samples from input to output (the slowest strip's chain). [any] */
uint32_t gs_engine_latency(const GsEngine *e);
double gs_engine_rate(const GsEngine *e);

/* Record through r (created with gs_engine_record_channels channels):
 * per strip as its `record` says, raw inputs first, then the processed
 * output (1 or 2 channels). Set before processing starts. [main] */
uint32_t gs_engine_record_channels(const GsEngine *e);
void gs_engine_set_recorder(GsEngine *e, struct GsRecorder *r);
/* The name of record channel c ("gtr.in1", "gtr.out", "vox.outL"). [main] */
void gs_engine_record_channel_name(const GsEngine *e, uint32_t c, char *out, size_t size);

/* One cycle: in[gs_engine_inputs], out[gs_engine_outputs], any n. MIDI
 * bytes for this cycle go through gs_engine_midi first. [audio] */
void gs_engine_process(GsEngine *e, const float *const *in, float *const *out, uint32_t n);
/* One complete MIDI message (status byte first). [audio] */
void gs_engine_midi(GsEngine *e, const uint8_t *msg, size_t len);

/* Controls, from any thread but the audio one; false if the queue is
 * full. The value must be in the control's range (it is clamped). [main] */
bool gs_engine_set(GsEngine *e, uint32_t control, double value);
/* The next CC received binds to control. [main] */
bool gs_engine_learn(GsEngine *e, uint32_t control);
bool gs_engine_clear_clips(GsEngine *e);
/* The value the audio thread last applied. [any] */
double gs_engine_value(const GsEngine *e, uint32_t control);

/* Give `to` (not yet processing) every control value of `from`. [main] */
void gs_engine_copy_values(GsEngine *to, const GsEngine *from);

/* Meters: 0 .. n_strips-1 the strips (output; clip also on the raw
 * input), then one per output port. [main] */
uint32_t gs_engine_meters(const GsEngine *e);
void gs_engine_meter(GsEngine *e, uint32_t meter, GsMeterReading *out);

/* The next event from the audio thread; false if none. [main] */
bool gs_engine_event(GsEngine *e, GsEngineEvent *out);

/* Every strip's stage warnings since the last call (gs_chain_poll: inputs
 * not finite, clipping, tube circuits that did not converge, ...) to log,
 * each prefixed "strip NAME: ". [main] */
void gs_engine_poll(GsEngine *e, const GsLog *log);

#endif
