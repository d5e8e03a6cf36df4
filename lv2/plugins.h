/* The LV2 plugins as chains of library stages: one table that the plugin
 * binary and the Turtle generator both read, so ports, ranges, defaults
 * and the DSP cannot drift apart.
 *
 * A plugin is a list of slots, each a stage of the library with the
 * values it starts from. Every parameter of a slot becomes a control port
 * `<slot>_<param>` unless the slot fixes it; a plugin that takes an
 * impulse-response file has a second, IR mode whose chain holds only the
 * slots marked for it. */
#ifndef GS_LV2_PLUGINS_H
#define GS_LV2_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gainstage/gainstage.h"

#define GS_LV2_URI "urn:gainstage:lv2"
#define GS_LV2_IR_URI GS_LV2_URI ":ir" /* the patch property of an IR file */
#define GS_LV2_MAX_PORTS 256

/* Which chains a slot is part of. */
enum { GS_SLOT_MODEL = 1, GS_SLOT_IR = 2, GS_SLOT_BOTH = 3 };

typedef struct {
  const char *stage;    /* the library's stage name */
  const char *symbol;   /* port-symbol prefix, unique in the plugin */
  const char *label;    /* port-name prefix */
  const char *settings; /* chain-text values the slot starts from */
  const char *fixed;    /* space-separated parameters the slot does not expose */
  int modes;            /* GS_SLOT_* */
} GsLv2Slot;

typedef struct {
  const char *id;      /* URI suffix: urn:gainstage:lv2:<id> */
  const char *name;    /* shown by hosts */
  const char *klass;   /* an lv2: plugin class */
  const char *comment; /* one sentence for hosts */
  const GsLv2Slot *slots;
  uint32_t n_slots;
  bool takes_ir; /* an IR file through patch messages and state */
} GsLv2Plugin;

/* A control port: a slot's parameter. Frequencies of farads and henries
 * are shown scaled (pF, mH); base = port value * scale. */
typedef struct {
  uint32_t slot, param;
  const GsParamInfo *info;
  double scale;
} GsLv2Port;

/* Audio in, audio out, then (takes_ir) control and notify atom ports,
 * the control ports, and last the latency output port. */
#define GS_LV2_AUDIO_IN 0u
#define GS_LV2_AUDIO_OUT 1u
#define GS_LV2_ATOM_IN 2u
#define GS_LV2_ATOM_OUT 3u

extern const GsLv2Plugin gs_lv2_plugins[];
extern const uint32_t gs_lv2_n_plugins;

/* Index of the first control port. */
uint32_t gs_lv2_first_control(const GsLv2Plugin *plugin);

/* Index of the latency output port (lv2:latency, in frames): after the
 * control ports. */
uint32_t gs_lv2_latency_port(const GsLv2Plugin *plugin);

/* The plugin's control ports in port order; returns how many (at most
 * max). */
uint32_t gs_lv2_ports(const GsLv2Plugin *plugin, GsLv2Port *out, uint32_t max);

/* The chain text of a mode (GS_SLOT_MODEL or GS_SLOT_IR) with every slot's
 * starting values, into buf; *slot_stage[i] receives slot i's stage index
 * in that chain, or UINT32_MAX if the slot is not in it. */
void gs_lv2_chain_text(const GsLv2Plugin *plugin, int mode, char *buf, size_t size,
                       uint32_t *slot_stage);

/* The plugin's starting spec for a mode (for defaults and presets).
 * Caller frees; NULL on failure. */
GsSpec *gs_lv2_spec(const GsLv2Plugin *plugin, int mode, uint32_t *slot_stage);

#endif
