/* What lv2/plugin.c and lv2/plugin_state.c share: one plugin instance. */
#ifndef GS_LV2_PLUGIN_PRIVATE_H
#define GS_LV2_PLUGIN_PRIVATE_H

#include <lv2/atom/forge.h>
#include <lv2/log/logger.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <stdbool.h>
#include <stdint.h>

#include "plugins.h"

#define MAX_SLOTS 16
#define PATH_SIZE 4096
#define CONTROL_COPY (PATH_SIZE + 1024) /* bytes: a patch:Set of a path fits */

typedef struct {
  LV2_URID atom_Path, atom_Object, patch_Set, patch_Get, patch_property, patch_value, gs_ir;
} Uris;

/* A chain and where each slot sits in it. */
typedef struct {
  GsChain *chain;
  uint32_t slot_stage[MAX_SLOTS];
} Built;

typedef enum { WORK_BUILD, WORK_FREE, WORK_POLL } WorkKind;
typedef struct {
  WorkKind kind;
  Built *built; /* WORK_FREE: what to free */
} WorkMsg;

/* A chain swapped in starts from rest. Its input fades in over
 * FADE_WAIT_SECONDS, unheard (a signal switched on at once would ring its
 * resonances: a feedback amplifier's, a speaker's); then its output fades
 * in over FADE_SECONDS as the old one's fades out. Both by a raised
 * cosine: a new tube type, voicing or IR comes in without a click. */
#define FADE_WAIT_SECONDS 0.005
#define FADE_SECONDS 0.015
#define FADE_CHUNK 256 /* frames the old chain renders at a time */

/* Seconds of audio between reports of what the running chain's stages
 * counted (as the JACK rig's, once a second). */
#define POLL_SECONDS 1.0

typedef struct {
  const GsLv2Plugin *def;
  double rate;
  uint64_t seed; /* 1 for a process's first instance, 2 for the next... */
  GsLv2Port ports[GS_LV2_MAX_PORTS];
  uint32_t n_ports, first;
  const float *ctl[GS_LV2_MAX_PORTS];
  float applied[GS_LV2_MAX_PORTS]; /* the values the running chain has */
  const float *in;
  float *out;
  float *latency; /* output: the running chain's, in frames */
  const LV2_Atom_Sequence *control;
  LV2_Atom_Sequence *notify;
  uint64_t control_copy[CONTROL_COPY / 8]; /* 8-byte aligned (control_sequence) */
  Built *now;    /* the running chain (atomic where the worker may read it) */
  Built *fading; /* the chain it replaced, while the fade lasts [audio] */
  uint32_t fade_at, fade_wait, fade_len; /* frames into the fade; its parts */
  float fade_buf[FADE_CHUNK];            /* the old chain's output */
  float fade_in[FADE_CHUNK];             /* the new one's input, fading in */
  uint64_t since_poll;                   /* frames run since the last report */
  char path[PATH_SIZE];                  /* its IR file, "" for none */
  /* a build request, the worker's while busy */
  bool busy, want_build, tell_path;
  float req_values[GS_LV2_MAX_PORTS];
  char req_path[PATH_SIZE];
  /* host features (may be absent) */
  LV2_URID_Map *map;
  LV2_Worker_Schedule *schedule;
  LV2_Log_Logger logger;
  LV2_Atom_Forge forge;
  Uris uris;
} Plugin;

/* Build from the ports now and swap in (activate, restore). [main] */
bool gs_lv2_rebuild_now(Plugin *p, const char *path);

/* The state extension (plugin_state.c). */
extern const LV2_State_Interface gs_lv2_state;

#endif
