/* MIDI 1.0 channel voice messages the rig answers: Control Change
 * (0xBn cc value) and Program Change (0xCn program); MIDI 1.0 Detailed
 * Specification, table I. Data bytes are 7-bit; a byte with the top bit
 * set where data belongs makes the message malformed. */
#include "midi.h"

#include <math.h>
#include <string.h>

bool gs_midi_decode(const uint8_t *msg, size_t len, GsMidiAction *out) {
  if (!msg || len < 2) return false;
  uint8_t kind = msg[0] & 0xF0;
  if ((kind != 0xB0 && kind != 0xC0) || (msg[1] & 0x80)) return false;
  out->channel = (uint8_t)((msg[0] & 0x0F) + 1);
  if (kind == 0xC0) {
    if (len != 2) return false;
    out->type = GS_MIDI_PROGRAM;
    out->number = (uint8_t)(msg[1] + 1);
    out->value = 0;
    return true;
  }
  if (len != 3 || (msg[2] & 0x80)) return false;
  out->type = GS_MIDI_CC;
  out->number = msg[1];
  out->value = msg[2];
  return true;
}

double gs_midi_scale(const GsParamInfo *info, double min, double max, uint8_t value) {
  double t = (value > 127 ? 127 : value) / 127.0;
  if (info->type == GS_PARAM_TOGGLE) return value >= 64 ? 1.0 : 0.0;
  double v = (info->flags & GS_PARAM_LOG) && min > 0.0 && max > 0.0 ? min * pow(max / min, t)
                                                                    : min + (max - min) * t;
  if (info->type == GS_PARAM_INT || info->type == GS_PARAM_CHOICE) v = round(v);
  return v;
}

uint32_t gs_midi_learn(GsRigCc *maps, uint32_t *n, uint32_t capacity, uint8_t cc, uint8_t channel,
                       uint32_t control, const GsParamInfo *info) {
  uint32_t slot = *n;
  for (uint32_t i = 0; i < *n; i++) {
    if (maps[i].cc == cc && maps[i].channel == channel) slot = i;
  }
  if (slot == capacity) { /* full: drop the oldest */
    memmove(maps, maps + 1, (capacity - 1) * sizeof *maps);
    slot = capacity - 1;
  } else if (slot == *n) {
    (*n)++;
  }
  maps[slot] = (GsRigCc){
      .cc = cc, .channel = channel, .control = control, .min = info->min, .max = info->max};
  return slot;
}
