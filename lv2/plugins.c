/* The plugin table and what follows from it (see plugins.h). */
#include "plugins.h"

#include <stdio.h>
#include <string.h>

/* "+18 dBu at 0 dBFS" in and out: a line-level plugin is unity gain. */
#define LINE_IN "type=line fs_volts=18dBu"
#define SOURCE_FIXED "type impedance inductance selfcap cable"

static const GsLv2Slot preamp_slots[] = {
    {"source", "in", "Input", LINE_IN, "impedance inductance selfcap", GS_SLOT_MODEL},
    {"preamp", "pre", "Preamp", "input=line gain=0", "select", GS_SLOT_MODEL},
    {"adc", "out", "Converter", "", "", GS_SLOT_MODEL},
};

static const GsLv2Slot tonestack_slots[] = {
    {"source", "in", "Input", LINE_IN, SOURCE_FIXED, GS_SLOT_MODEL},
    {"tonestack", "tone", "Tone", "", "", GS_SLOT_MODEL},
    {"gain", "rec", "Recovery", "db=14", "", GS_SLOT_MODEL},
    {"adc", "out", "Converter", "", "", GS_SLOT_MODEL},
};

static const GsLv2Slot poweramp_slots[] = {
    {"source", "in", "Input", LINE_IN, SOURCE_FIXED, GS_SLOT_MODEL},
    {"poweramp", "amp", "Power amp", "", "", GS_SLOT_MODEL},
    {"speaker", "spk", "Speaker", "output=terminals", "output distance", GS_SLOT_MODEL},
    {"gain", "box", "Load box", "db=-20", "", GS_SLOT_MODEL},
    {"adc", "out", "Converter", "", "", GS_SLOT_MODEL},
};

/* The input is the speaker terminals: 0 dBFS is 40 V peak, 100 W in 8 ohms. */
static const GsLv2Slot cab_slots[] = {
    {"source", "in", "Input", "type=line fs_volts=40", SOURCE_FIXED, GS_SLOT_MODEL},
    {"cab", "cab", "Cabinet", "", "", GS_SLOT_BOTH},
    {"mic", "mic", "Mic", "", "", GS_SLOT_MODEL},
    {"preamp", "micpre", "Mic preamp", "input=mic", "input select iec", GS_SLOT_MODEL},
    {"adc", "out", "Converter", "", "", GS_SLOT_MODEL},
};

static const GsLv2Slot amp_slots[] = {
    {"source", "in", "Guitar", "type=guitar", "type", GS_SLOT_MODEL},
    {"preamp", "pre", "Preamp", "input=hiz", "input select iec", GS_SLOT_MODEL},
    {"tonestack", "tone", "Tone", "", "", GS_SLOT_MODEL},
    {"gain", "rec", "Recovery", "db=14", "", GS_SLOT_MODEL},
    {"poweramp", "amp", "Power amp", "", "", GS_SLOT_MODEL},
    {"cab", "cab", "Cabinet", "", "normalize trim length mix", GS_SLOT_MODEL},
    {"mic", "mic", "Mic", "", "", GS_SLOT_MODEL},
    {"preamp", "micpre", "Mic preamp", "input=mic", "input select iec", GS_SLOT_MODEL},
    {"adc", "out", "Converter", "", "", GS_SLOT_MODEL},
};

#define SLOTS(a) a, (uint32_t)(sizeof a / sizeof a[0])

const GsLv2Plugin gs_lv2_plugins[] = {
    {"preamp", "gainstage Preamp", "AmplifierPlugin",
     "A mic, instrument, line or phono preamp: gain, pad, phantom, high-pass, polarity, "
     "voicing, with the source's impedance and the converter's calibration.",
     SLOTS(preamp_slots), false},
    {"tonestack", "gainstage Tone Stack", "EQPlugin",
     "Guitar-amp and hi-fi tone circuits from their component values, with a recovery gain.",
     SLOTS(tonestack_slots), false},
    {"poweramp", "gainstage Power Amp + Speaker", "AmplifierPlugin",
     "A power amplifier (watts into ohms, damping, clipping, current limit) driving a "
     "loudspeaker's impedance, heard through a load box.",
     SLOTS(poweramp_slots), false},
    {"cab", "gainstage Cabinet", "SimulatorPlugin",
     "A loudspeaker cabinet and microphone from their physics, or an impulse-response file.",
     SLOTS(cab_slots), true},
    {"amp", "gainstage Amp", "SimulatorPlugin",
     "The whole guitar rig: pickup, preamp, tone stack, power amp, cabinet, mic and "
     "interface.",
     SLOTS(amp_slots), false},
};

const uint32_t gs_lv2_n_plugins = sizeof gs_lv2_plugins / sizeof gs_lv2_plugins[0];

uint32_t gs_lv2_first_control(const GsLv2Plugin *plugin) {
  return plugin->takes_ir ? 4u : 2u;
}

uint32_t gs_lv2_latency_port(const GsLv2Plugin *plugin) {
  GsLv2Port ports[GS_LV2_MAX_PORTS];
  return gs_lv2_first_control(plugin) + gs_lv2_ports(plugin, ports, GS_LV2_MAX_PORTS);
}

static bool word_in(const char *word, const char *list) {
  size_t n = strlen(word);
  for (const char *p = list; (p = strstr(p, word)) != NULL; p += n) {
    bool starts = p == list || p[-1] == ' ', ends = p[n] == '\0' || p[n] == ' ';
    if (starts && ends) return true;
  }
  return false;
}

static double display_scale(GsUnit unit) {
  return unit == GS_UNIT_FARAD ? 1e-12 : unit == GS_UNIT_HENRY ? 1e-3 : 1.0;
}

uint32_t gs_lv2_ports(const GsLv2Plugin *plugin, GsLv2Port *out, uint32_t max) {
  uint32_t n = 0;
  for (uint32_t s = 0; s < plugin->n_slots; s++) {
    const GsStageInfo *info = gs_stage_find(plugin->slots[s].stage);
    for (uint32_t k = 0; info && k < info->n_params; k++) {
      const GsParamInfo *p = &info->params[k];
      if (p->type == GS_PARAM_PATH || word_in(p->name, plugin->slots[s].fixed)) continue;
      if (n < max) out[n] = (GsLv2Port){s, k, p, display_scale(p->unit)};
      n++;
    }
  }
  return n < max ? n : max;
}

void gs_lv2_chain_text(const GsLv2Plugin *plugin, int mode, char *buf, size_t size,
                       uint32_t *slot_stage) {
  size_t used = 0;
  uint32_t stage = 0;
  buf[0] = '\0';
  for (uint32_t s = 0; s < plugin->n_slots; s++) {
    const GsLv2Slot *slot = &plugin->slots[s];
    if (!(slot->modes & mode)) {
      if (slot_stage) slot_stage[s] = UINT32_MAX;
      continue;
    }
    if (slot_stage) slot_stage[s] = stage;
    int w = snprintf(buf + used, size - used, "%s%s %s", stage ? " ! " : "", slot->stage,
                     slot->settings);
    if (w > 0 && (size_t)w < size - used) used += (size_t)w;
    stage++;
  }
}

GsSpec *gs_lv2_spec(const GsLv2Plugin *plugin, int mode, uint32_t *slot_stage) {
  char text[2048];
  gs_lv2_chain_text(plugin, mode, text, sizeof text, slot_stage);
  GsSpec *spec = NULL;
  return gs_spec_parse(text, NULL, &spec) == GS_OK ? spec : NULL;
}
