/* MIDI for the rig: messages decoded, CC values scaled onto a control's
 * range, learned maps. Pure functions on caller-owned data, so a fuzzer
 * can drive them. [any] (real-time safe) */
#ifndef GS_JACK_MIDI_H
#define GS_JACK_MIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gainstage/gainstage.h"
#include "rig.h"

typedef enum { GS_MIDI_CC, GS_MIDI_PROGRAM } GsMidiType;

typedef struct {
  GsMidiType type;
  uint8_t channel; /* 1..16 */
  uint8_t number;  /* controller 0..127, or program 1..128 */
  uint8_t value;   /* CC value 0..127 */
} GsMidiAction;

/* A control change or program change in msg[0..len); false for anything
 * else (notes, clock, SysEx, truncated or malformed messages). */
bool gs_midi_decode(const uint8_t *msg, size_t len, GsMidiAction *out);

/* A CC value 0..127 on [min, max] of a control: linear, geometric for
 * GS_PARAM_LOG ranges above 0, rounded for integers and choices; a toggle
 * is on from 64. */
double gs_midi_scale(const GsParamInfo *info, double min, double max, uint8_t value);

/* Bind cc/channel to control over its whole range: replaces a map of the
 * same cc and channel, else appends (the oldest learned map goes if full).
 * Returns the map's index. */
uint32_t gs_midi_learn(GsRigCc *maps, uint32_t *n, uint32_t capacity, uint8_t cc, uint8_t channel,
                       uint32_t control, const GsParamInfo *info);

#endif
