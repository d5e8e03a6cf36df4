/* The LV2 plugins: a library chain behind LV2 ports (see plugins.h).
 *
 * run() [audio]: live parameters go to gs_chain_set_param, which ramps
 * them; a parameter fixed at build time, or an IR file named in a
 * patch:Set message, makes the worker build a new chain from a snapshot of
 * the ports, which run() swaps in, crossfading from the old chain (which
 * it then hands back to be freed) rather than cutting to it. Without a
 * worker (offline hosts) the chain is built in activate() and fixed
 * parameters hold until the next activation.
 *
 * Once a second of audio run() has the worker report what the running
 * chain's stages counted (WORK_POLL); the worker reads which chain runs
 * when it gets there, so no request can hold a chain freed meanwhile: a
 * chain replaced goes to the worker to be freed after any report already
 * under way (the host runs work() one call at a time), and activate(),
 * restore() and cleanup() never run beside work().
 *
 * State (plugin_state.c): the IR file's path beside the control ports. */
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/log/logger.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins.h"

#include "plugin_private.h"

/* ------------------------------------------------------------ building */

static void log_to_lv2(void *ctx, GsLogLevel level, const char *message) {
  Plugin *p = ctx;
  if (level == GS_LOG_ERROR) {
    lv2_log_error(&p->logger, "gainstage: %s\n", message);
  } else {
    lv2_log_warning(&p->logger, "gainstage: %s\n", message);
  }
}

/* A chain retired (replaced, or the plugin freed) first reports what its
 * stages counted as it ran: non-finite inputs, clipping, tube circuits
 * that did not converge (gs_chain_poll). [main] or [worker] */
static void free_built(Plugin *p, Built *b) {
  if (!b) return;
  GsLog log = {log_to_lv2, p};
  gs_chain_poll(b->chain, &log);
  gs_chain_free(b->chain);
  free(b);
}

/* A port's value as its parameter's. Inside the range the TTL declares,
 * every value does something: one between 0 (the parameter's "off" or
 * "auto") and its least real value is that least value; beyond the range
 * (a host's mistake), its end. NaN stays NaN, for the caller to keep what
 * it had. [any] */
static double port_value(const GsLv2Port *port, float v) {
  const GsParamInfo *p = port->info;
  double x = (double)v * port->scale;
  if (isnan(x)) return x;
  if (p->zero && x <= 0.0) return 0.0;
  return fmin(fmax(x, p->min), p->max);
}

/* A chain from port values and an IR path ("" for the model). [main] */
static Built *build(Plugin *p, const float *values, const char *path) {
  Built *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  int mode = p->def->takes_ir && path[0] ? GS_SLOT_IR : GS_SLOT_MODEL;
  GsSpec *spec = gs_lv2_spec(p->def, mode, b->slot_stage);
  if (!spec) {
    free(b);
    return NULL;
  }
  for (uint32_t i = 0; i < p->n_ports; i++) {
    const GsLv2Port *port = &p->ports[i];
    uint32_t stage = b->slot_stage[port->slot];
    if (stage == UINT32_MAX) continue;
    char why[256];
    if (gs_spec_set_value(spec, stage, port->param, port_value(port, values[i]), why, sizeof why) !=
        GS_OK) {
      lv2_log_warning(&p->logger, "gainstage: %s (kept %g)\n", why,
                      gs_spec_value(spec, stage, port->param));
    }
  }
  if (mode == GS_SLOT_IR) {
    for (uint32_t s = 0; s < p->def->n_slots; s++) {
      const GsStageInfo *info = gs_stage_find(p->def->slots[s].stage);
      int k = gs_param_find(info, "ir");
      if (k >= 0 && b->slot_stage[s] != UINT32_MAX) {
        gs_spec_set_path(spec, b->slot_stage[s], (uint32_t)k, path);
      }
    }
  }
  GsChainConfig cfg = {.rate = p->rate, .channels = 1, .seed = p->seed, .noise = true};
  GsLog log = {log_to_lv2, p};
  GsStatus st = gs_chain_new(spec, &cfg, &log, &b->chain);
  gs_spec_free(spec);
  if (st != GS_OK) {
    free(b);
    return NULL;
  }
  return b;
}

static void current_values(const Plugin *p, float *values) {
  for (uint32_t i = 0; i < p->n_ports; i++) {
    values[i] = p->ctl[i] ? *p->ctl[i] : (float)(p->ports[i].info->def / p->ports[i].scale);
  }
}

/* Build from the ports now and swap in (activate, restore). [main] */
bool gs_lv2_rebuild_now(Plugin *p, const char *path) {
  float values[GS_LV2_MAX_PORTS];
  current_values(p, values);
  Built *b = build(p, values, path);
  if (!b) return false;
  free_built(p, p->fading);
  p->fading = NULL;
  free_built(p, p->now);
  __atomic_store_n(&p->now, b, __ATOMIC_RELEASE); /* as work_response() does */
  memcpy(p->applied, values, sizeof values);
  snprintf(p->path, sizeof p->path, "%s", path);
  return true;
}

/* ---------------------------------------------------------- lifecycle */

static const GsLv2Plugin *plugin_for(const char *uri) {
  for (uint32_t i = 0; i < gs_lv2_n_plugins; i++) {
    char want[256];
    snprintf(want, sizeof want, "%s:%s", GS_LV2_URI, gs_lv2_plugins[i].id);
    if (strcmp(uri, want) == 0) return &gs_lv2_plugins[i];
  }
  return NULL;
}

static void map_uris(Plugin *p) {
  LV2_URID_Map *m = p->map;
  Uris *u = &p->uris;
  u->atom_Path = m->map(m->handle, LV2_ATOM__Path);
  u->atom_Object = m->map(m->handle, LV2_ATOM__Object);
  u->patch_Set = m->map(m->handle, LV2_PATCH__Set);
  u->patch_Get = m->map(m->handle, LV2_PATCH__Get);
  u->patch_property = m->map(m->handle, LV2_PATCH__property);
  u->patch_value = m->map(m->handle, LV2_PATCH__value);
  u->gs_ir = m->map(m->handle, GS_LV2_IR_URI);
  lv2_atom_forge_init(&p->forge, m);
}

static LV2_Handle instantiate(const LV2_Descriptor *desc, double rate, const char *bundle,
                              const LV2_Feature *const *features) {
  (void)bundle;
  const GsLv2Plugin *def = plugin_for(desc->URI);
  if (!def || def->n_slots > MAX_SLOTS) return NULL;
  Plugin *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  /* instances' modelled noise is uncorrelated, as two real amps' is; the
   * first in a process matches `gainstage process` (seed 1) */
  static atomic_uint_fast64_t instances;
  p->def = def;
  p->rate = rate;
  p->seed = atomic_fetch_add(&instances, 1) + 1;
  p->fade_wait = (uint32_t)(FADE_WAIT_SECONDS * rate);
  p->fade_len = (uint32_t)(FADE_SECONDS * rate) + 1;
  p->first = gs_lv2_first_control(def);
  p->n_ports = gs_lv2_ports(def, p->ports, GS_LV2_MAX_PORTS);
  LV2_Log_Log *log = NULL;
  for (int i = 0; features && features[i]; i++) {
    if (!strcmp(features[i]->URI, LV2_URID__map)) p->map = features[i]->data;
    if (!strcmp(features[i]->URI, LV2_WORKER__schedule)) p->schedule = features[i]->data;
    if (!strcmp(features[i]->URI, LV2_LOG__log)) log = features[i]->data;
  }
  lv2_log_logger_init(&p->logger, p->map, log);
  if (!(rate >= GS_RATE_MIN && rate <= GS_RATE_MAX)) { /* the host can say it cannot run us */
    lv2_log_error(&p->logger, "gainstage: sample rate %.0f Hz is outside 8 kHz to 384 kHz\n", rate);
    free(p);
    return NULL;
  }
  if (p->map) map_uris(p);
  return p;
}

static void connect_port(LV2_Handle h, uint32_t port, void *data) {
  Plugin *p = h;
  if (port == GS_LV2_AUDIO_IN) {
    p->in = data;
  } else if (port == GS_LV2_AUDIO_OUT) {
    p->out = data;
  } else if (p->def->takes_ir && port == GS_LV2_ATOM_IN) {
    p->control = data;
  } else if (p->def->takes_ir && port == GS_LV2_ATOM_OUT) {
    p->notify = data;
  } else if (port == p->first + p->n_ports) {
    p->latency = data;
  } else if (port >= p->first && port - p->first < p->n_ports) {
    p->ctl[port - p->first] = data;
  }
}

/* The chain is built here from the ports (offline hosts set them first). */
static void activate(LV2_Handle h) {
  Plugin *p = h;
  if (p->busy) return; /* a build is under way; it will arrive */
  if (!gs_lv2_rebuild_now(p, p->path) && p->path[0]) gs_lv2_rebuild_now(p, "");
  if (p->now) gs_chain_reset(p->now->chain);
}

static void cleanup(LV2_Handle h) {
  Plugin *p = h;
  free_built(p, p->fading);
  free_built(p, p->now);
  free(p);
}

/* ------------------------------------------------------------------ run */

static bool is_fixed(const GsLv2Port *port) {
  return port->info->flags & GS_PARAM_FIXED;
}

/* A port's new value v asks for a new chain: a fixed one, or a live one
 * the running chain would have been built otherwise for, when there is a
 * worker to build it (without, the value plays on in the chain as it is). */
static bool needs_build(const Plugin *p, const GsLv2Port *port, uint32_t stage, float v) {
  if (is_fixed(port)) return true;
  if (!(p->map && p->schedule) || stage == UINT32_MAX) return false;
  return gs_chain_param_rebuilds(p->now->chain, stage, port->param, port_value(port, v));
}

/* Live values to the chain; true if a fixed one changed, or a live one
 * that the chain would have been built otherwise for (a tube power amp's
 * feedback past where quality=auto's factor changes): then a new chain
 * comes in for it, fading in. Compared bit for bit: a NaN left on a port
 * is the same NaN next time, kept once (build() says so) rather than
 * rebuilt for at every block. [audio] */
static bool apply_ports(Plugin *p) {
  bool fixed_changed = false;
  for (uint32_t i = 0; i < p->n_ports; i++) {
    if (!p->ctl[i]) continue;
    float v = *p->ctl[i];
    if (!memcmp(&v, &p->applied[i], sizeof v)) continue;
    const GsLv2Port *port = &p->ports[i];
    uint32_t stage = p->now->slot_stage[port->slot];
    if (needs_build(p, port, stage, v)) {
      fixed_changed = true;
      continue;
    }
    if (stage == UINT32_MAX || isnan(v)) {
      p->applied[i] = v; /* not in this mode's chain, or nothing to set */
    } else if (gs_chain_set_param(p->now->chain, stage, port->param, port_value(port, v)) ==
               GS_OK) {
      p->applied[i] = v;
    }
  }
  return fixed_changed;
}

static void request_build(Plugin *p, const char *path) {
  current_values(p, p->req_values);
  snprintf(p->req_path, sizeof p->req_path, "%s", path);
  WorkMsg msg = {WORK_BUILD, NULL};
  p->busy = p->schedule->schedule_work(p->schedule->handle, sizeof msg, &msg) == LV2_WORKER_SUCCESS;
  p->want_build = !p->busy;
}

/* After each POLL_SECONDS of audio, a report from the worker; a request
 * the host's queue refuses is asked again on the next run(). [audio] */
static void request_poll(Plugin *p, uint32_t n) {
  p->since_poll += n;
  if ((double)p->since_poll < POLL_SECONDS * p->rate) return;
  WorkMsg msg = {WORK_POLL, NULL};
  if (p->schedule->schedule_work(p->schedule->handle, sizeof msg, &msg) == LV2_WORKER_SUCCESS) {
    p->since_poll = 0;
  }
}

/* The control port's sequence where the atom macros may read it: events
 * hold 64-bit times, so the LV2 atom spec has hosts align buffers to 8
 * bytes, but not every host does (jalv 1.6's event buffers sit 4 bytes
 * off). A misaligned sequence is read from a copy; one too long for it
 * (only messages: nothing here is audio) is taken as empty. [audio] */
static const LV2_Atom_Sequence *control_sequence(Plugin *p) {
  if (((uintptr_t)p->control & 7) == 0) return p->control;
  LV2_Atom_Sequence *copy = (LV2_Atom_Sequence *)p->control_copy;
  uint32_t size = p->control->atom.size; /* 4-byte fields: aligned enough */
  if (size < sizeof copy->body || size > sizeof p->control_copy - sizeof copy->atom) {
    size = sizeof copy->body;
    memcpy(copy, p->control, sizeof *copy);
    copy->atom.size = size;
    return copy;
  }
  memcpy(copy, p->control, sizeof copy->atom + size);
  return copy;
}

/* patch:Set of the IR file, patch:Get of it. [audio] */
static void read_messages(Plugin *p, const char **new_path) {
  const LV2_Atom_Sequence *control = control_sequence(p);
  LV2_ATOM_SEQUENCE_FOREACH(control, ev) {
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (ev->body.type != p->uris.atom_Object) continue;
    if (obj->body.otype == p->uris.patch_Get) {
      p->tell_path = true;
      continue;
    }
    if (obj->body.otype != p->uris.patch_Set) continue;
    const LV2_Atom *property = NULL, *value = NULL;
    lv2_atom_object_get(obj, p->uris.patch_property, &property, p->uris.patch_value, &value, 0);
    if (!property || property->type != p->forge.URID || !value ||
        ((const LV2_Atom_URID *)property)->body != p->uris.gs_ir ||
        value->type != p->uris.atom_Path) {
      continue;
    }
    *new_path = LV2_ATOM_BODY_CONST(value);
  }
}

/* A patch:Set of the IR file in use, for hosts and UIs, in the notify
 * buffer of `capacity` bytes (what the host said before we wrote). [audio] */
static void tell_path(Plugin *p, uint32_t capacity) {
  lv2_atom_forge_set_buffer(&p->forge, (uint8_t *)p->notify, capacity);
  LV2_Atom_Forge_Frame seq, obj;
  lv2_atom_forge_sequence_head(&p->forge, &seq, 0);
  lv2_atom_forge_frame_time(&p->forge, 0);
  lv2_atom_forge_object(&p->forge, &obj, 0, p->uris.patch_Set);
  lv2_atom_forge_key(&p->forge, p->uris.patch_property);
  lv2_atom_forge_urid(&p->forge, p->uris.gs_ir);
  lv2_atom_forge_key(&p->forge, p->uris.patch_value);
  lv2_atom_forge_path(&p->forge, p->path, (uint32_t)strlen(p->path) + 1);
  lv2_atom_forge_pop(&p->forge, &obj);
  lv2_atom_forge_pop(&p->forge, &seq);
}

static void clear_notify(Plugin *p, uint32_t capacity) {
  if (!p->notify) return;
  lv2_atom_forge_set_buffer(&p->forge, (uint8_t *)p->notify, capacity);
  LV2_Atom_Forge_Frame seq;
  lv2_atom_forge_sequence_head(&p->forge, &seq, 0);
  lv2_atom_forge_pop(&p->forge, &seq);
}

/* 0 to 1 by a raised cosine from `from` over `len` frames, at `at`. */
static float rise(uint32_t at, uint32_t from, uint32_t len) {
  if (at < from) return 0.0f;
  if (at >= from + len) return 1.0f;
  return (float)(0.5 - 0.5 * cos(M_PI * (at - from) / len));
}

/* Both chains while p->fading fades out, a chunk at a time, the old one
 * first: a host may hand the same buffer for input and output. At the
 * fade's end the old chain goes to the worker to be freed (asked again
 * next time if the host's queue is full). [audio] */
static void crossfade(Plugin *p, uint32_t n) {
  uint32_t end = p->fade_wait + p->fade_len;
  float *old[1] = {p->fade_buf};
  for (uint32_t done = 0; done < n;) {
    uint32_t m = n - done < FADE_CHUNK ? n - done : FADE_CHUNK;
    const float *in[1] = {p->in + done};
    float *out[1] = {p->out + done};
    bool fading = p->fade_at < end;
    if (fading) {
      gs_chain_process(p->fading->chain, in, old, m);
      for (uint32_t k = 0; k < m; k++)
        p->fade_in[k] = in[0][k] * rise(p->fade_at + k, 0, p->fade_wait);
      in[0] = p->fade_in;
    }
    gs_chain_process(p->now->chain, in, out, m);
    for (uint32_t k = 0; fading && k < m; k++) {
      float g = rise(p->fade_at++, p->fade_wait, p->fade_len);
      out[0][k] = p->fade_buf[k] + g * (out[0][k] - p->fade_buf[k]);
    }
    done += m;
  }
  if (p->fade_at < end) return;
  WorkMsg msg = {WORK_FREE, p->fading};
  if (p->schedule->schedule_work(p->schedule->handle, sizeof msg, &msg) == LV2_WORKER_SUCCESS) {
    p->fading = NULL;
  }
}

static void run(LV2_Handle h, uint32_t n) {
  Plugin *p = h;
  const char *new_path = NULL;
  bool talk = p->map && p->schedule;
  if (talk && p->control) read_messages(p, &new_path);
  /* the host's capacity, read before clear_notify writes a size there */
  uint32_t capacity = p->notify ? p->notify->atom.size : 0;
  if (talk) clear_notify(p, capacity);
  if (talk && p->notify && p->tell_path) {
    tell_path(p, capacity);
    p->tell_path = false;
  }
  if (p->latency) *p->latency = p->now ? (float)gs_chain_latency(p->now->chain) : 0.0f;
  if (!p->now) {
    memset(p->out, 0, n * sizeof(float));
    return;
  }
  bool fixed_changed = apply_ports(p);
  if (talk && (fixed_changed || new_path || p->want_build) && !p->busy) {
    request_build(p, new_path ? new_path : p->path);
  }
  if (p->fading) {
    crossfade(p, n);
  } else {
    const float *ins[1] = {p->in};
    float *outs[1] = {p->out};
    gs_chain_process(p->now->chain, ins, outs, n);
  }
  if (talk) request_poll(p, n);
}

/* --------------------------------------------------------------- worker */

static LV2_Worker_Status work(LV2_Handle h, LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle handle, uint32_t size, const void *data) {
  Plugin *p = h;
  if (size != sizeof(WorkMsg)) return LV2_WORKER_ERR_UNKNOWN;
  WorkMsg msg; /* copied: a host's ring need not align what it hands back */
  memcpy(&msg, data, sizeof msg);
  if (msg.kind == WORK_FREE) {
    free_built(p, msg.built);
    return LV2_WORKER_SUCCESS;
  }
  if (msg.kind == WORK_POLL) {
    Built *now = __atomic_load_n(&p->now, __ATOMIC_ACQUIRE);
    GsLog log = {log_to_lv2, p};
    if (now) gs_chain_poll(now->chain, &log);
    return LV2_WORKER_SUCCESS;
  }
  WorkMsg reply = {WORK_BUILD, build(p, p->req_values, p->req_path)};
  /* why was said as it failed (or it was memory): say what happens now */
  if (!reply.built)
    lv2_log_error(&p->logger, "gainstage: not applied; the chain before plays on\n");
  return respond(handle, sizeof reply, &reply);
}

/* The new chain replaces the running one, which goes back to be freed. */
static LV2_Worker_Status work_response(LV2_Handle h, uint32_t size, const void *data) {
  Plugin *p = h;
  if (size != sizeof(WorkMsg)) return LV2_WORKER_ERR_UNKNOWN;
  WorkMsg msg; /* copied, as in work() */
  memcpy(&msg, data, sizeof msg);
  p->busy = false;
  if (!msg.built) return LV2_WORKER_SUCCESS; /* keep what runs */
  if (p->fading) {                           /* a fade under way: its old chain goes at once */
    WorkMsg done = {WORK_FREE, p->fading};
    p->schedule->schedule_work(p->schedule->handle, sizeof done, &done);
  }
  p->fading = p->now;
  p->fade_at = 0;
  __atomic_store_n(&p->now, msg.built, __ATOMIC_RELEASE);
  memcpy(p->applied, p->req_values, p->n_ports * sizeof(float));
  memcpy(p->path, p->req_path, sizeof p->path);
  p->tell_path = p->def->takes_ir;
  return LV2_WORKER_SUCCESS;
}

/* -------------------------------------------------------------- entries */

static const void *extension_data(const char *uri) {
  static const LV2_Worker_Interface worker = {work, work_response, NULL};
  if (!strcmp(uri, LV2_WORKER__interface)) return &worker;
  if (!strcmp(uri, LV2_STATE__interface)) return &gs_lv2_state;
  return NULL;
}

/* One descriptor per entry of the plugin table, made on first request. */
LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index) {
  enum { MAX_PLUGINS = 16 };
  static char uris[MAX_PLUGINS][128];
  static LV2_Descriptor descriptors[MAX_PLUGINS];
  if (index >= gs_lv2_n_plugins || index >= MAX_PLUGINS) return NULL;
  if (!descriptors[index].URI) {
    snprintf(uris[index], sizeof uris[index], "%s:%s", GS_LV2_URI, gs_lv2_plugins[index].id);
    descriptors[index] = (LV2_Descriptor){uris[index], instantiate, connect_port, activate,
                                          run,         NULL,        cleanup,      extension_data};
  }
  return &descriptors[index];
}
