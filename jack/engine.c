/* The engine's setup and its controls: chains built at the server's rate,
 * gains as ramps, the command and event queues, MIDI maps and programs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "midi.h"
#include "recorder.h"

#define QUEUE_ITEMS 1024

/* -------------------------------------------------------------- gains */

/* Constant-power pan of a mono signal: each side cos/sin of (p+1)·π/4,
 * so the centre is -3 dB per side and the power is the same anywhere.
 * A stereo strip is balanced instead: the centre is unity, one side fades. */
static void pan_gains(double pan, bool stereo, double *l, double *r) {
  double a = (pan + 1.0) * M_PI / 4.0;
  *l = cos(a);
  *r = sin(a);
  if (stereo) {
    *l = fmin(1.0, M_SQRT2 * *l);
    *r = fmin(1.0, M_SQRT2 * *r);
  }
}

static void stereo_to(StereoGain *g, double gain, double pan, bool stereo, uint32_t n) {
  double l, r;
  pan_gains(pan, stereo, &l, &r);
  gs_ramp_to(&g->l, gain * l, n);
  gs_ramp_to(&g->r, gain * r, n);
}

static void strip_gains(GsEngine *e, uint32_t s, uint32_t n) {
  Strip *st = &e->strip[s];
  double on = st->mute ? 0.0 : 1.0;
  bool stereo = st->n_out > 1;
  stereo_to(&st->mon, on * gs_rig_gain(st->level_db), st->pan, stereo, n);
  for (uint32_t k = 0; k < e->n_phones; k++) {
    const Phones *ph = &e->phones[k];
    stereo_to(&st->send[k], on * gs_rig_gain(ph->send_db[s]), ph->send_pan[s], stereo, n);
  }
}

static void monitor_gains(GsEngine *e, uint32_t n) {
  Monitor *m = &e->mon;
  double g = m->mute ? 0.0 : gs_rig_gain(m->level_db) * (m->dim ? gs_rig_gain(m->dim_db) : 1.0);
  gs_ramp_to(&m->a, m->select == 0 ? g : 0.0, n);
  gs_ramp_to(&m->b, m->select == 1 ? g : 0.0, n);
  gs_ramp_to(&m->ret, gs_rig_gain(m->return_db), n);
  gs_ramp_to(&m->mono_mix, m->mono ? 0.5 : 0.0, n);
}

static void phones_gains(GsEngine *e, uint32_t k, uint32_t n) {
  Phones *ph = &e->phones[k];
  gs_ramp_to(&ph->level, gs_rig_gain(ph->level_db), n);
  gs_ramp_to(&ph->ret, gs_rig_gain(ph->return_db), n);
}

static double clamp_to(const GsParamInfo *info, double v) {
  if (v == 0.0 && info->zero) return 0.0;
  if (!(v >= info->min)) v = info->min; /* NaN too */
  if (v > info->max) v = info->max;
  if (info->type != GS_PARAM_REAL) v = round(v);
  return v;
}

void gs_engine_apply(GsEngine *e, uint32_t control, double value) {
  if (control >= e->rig->n_controls) return;
  const GsControl *c = &e->rig->control[control];
  double v = clamp_to(c->info, value);
  Strip *st = &e->strip[c->strip];
  Monitor *m = &e->mon;
  Phones *ph = &e->phones[c->phones];
  switch (c->kind) {
    case GS_CTL_STRIP_LEVEL: st->level_db = v; break;
    case GS_CTL_STRIP_PAN: st->pan = v; break;
    case GS_CTL_STRIP_MUTE: st->mute = v != 0.0; break;
    case GS_CTL_STAGE: gs_chain_set_param(st->chain, c->stage, c->param, v); break;
    case GS_CTL_MON_SELECT: m->select = (uint32_t)v; break;
    case GS_CTL_MON_LEVEL: m->level_db = v; break;
    case GS_CTL_MON_DIM: m->dim = v != 0.0; break;
    case GS_CTL_MON_MUTE: m->mute = v != 0.0; break;
    case GS_CTL_MON_MONO: m->mono = v != 0.0; break;
    case GS_CTL_MON_RETURN: m->return_db = v; break;
    case GS_CTL_PHONES_LEVEL: ph->level_db = v; break;
    case GS_CTL_PHONES_RETURN: ph->return_db = v; break;
    case GS_CTL_SEND_LEVEL: ph->send_db[c->strip] = v; break;
    case GS_CTL_SEND_PAN: ph->send_pan[c->strip] = v; break;
  }
  if (c->kind <= GS_CTL_STRIP_MUTE || c->kind >= GS_CTL_SEND_LEVEL) {
    strip_gains(e, c->strip, e->smooth);
  } else if (c->kind >= GS_CTL_MON_SELECT && c->kind <= GS_CTL_MON_RETURN) {
    monitor_gains(e, e->smooth);
  } else if (c->kind != GS_CTL_STAGE) {
    phones_gains(e, c->phones, e->smooth);
  }
  atomic_store(&e->value[control], v);
}

/* -------------------------------------------------------------- setup */

static GsStatus build_strips(GsEngine *e, const GsLog *log) {
  uint32_t first = 0;
  for (uint32_t s = 0; s < e->n_strips; s++) {
    const GsRigStrip *rs = &e->rig->strip[s];
    Strip *st = &e->strip[s];
    GsChainConfig config = {
        .rate = e->rate, .channels = rs->n_inputs, .seed = 1 + s, .noise = true};
    GsStatus status = gs_chain_new(rs->chain, &config, log, &st->chain);
    if (status != GS_OK) return status;
    if (gs_chain_out_channels(st->chain) > 2) return GS_ERR_CHAIN;
    st->n_in = rs->n_inputs;
    st->n_out = gs_chain_out_channels(st->chain);
    st->first_input = first;
    st->record = rs->record;
    first += st->n_in;
    uint32_t lat = gs_chain_latency(st->chain);
    if (lat > e->latency) e->latency = lat;
  }
  e->n_inputs = first + 2;
  return GS_OK;
}

/* Every control to the rig file's value, gains at once (no ramp). */
static void initial_values(GsEngine *e) {
  const GsRig *rig = e->rig;
  for (uint32_t i = 0; i < rig->n_controls; i++) {
    if (rig->control[i].kind != GS_CTL_STAGE) gs_engine_apply(e, i, rig->control[i].initial);
    atomic_store(&e->value[i], rig->control[i].initial);
  }
  for (uint32_t s = 0; s < e->n_strips; s++) strip_gains(e, s, 0);
  monitor_gains(e, 0);
  for (uint32_t k = 0; k < e->n_phones; k++) phones_gains(e, k, 0);
}

static GsStatus alloc_all(GsEngine *e) {
  const GsRig *rig = e->rig;
  e->n_strips = rig->n_strips;
  e->n_phones = rig->n_phones;
  e->n_outputs = 4 + 2 * e->n_phones;
  e->n_meters = e->n_strips + e->n_outputs;
  e->strip = calloc(e->n_strips, sizeof *e->strip);
  e->meter = calloc(e->n_meters, sizeof *e->meter);
  e->value = calloc(rig->n_controls ? rig->n_controls : 1, sizeof *e->value);
  e->commands = jack_ringbuffer_create(QUEUE_ITEMS * sizeof(Command));
  e->events = jack_ringbuffer_create(QUEUE_ITEMS * sizeof(GsEngineEvent));
  if (!e->strip || !e->meter || !e->value || !e->commands || !e->events) return GS_ERR_NOMEM;
  jack_ringbuffer_mlock(e->commands);
  jack_ringbuffer_mlock(e->events);
  return GS_OK;
}

GsStatus gs_engine_new(const GsRig *rig, double rate, const GsLog *log, GsEngine **out) {
  *out = NULL;
  GsEngine *e = calloc(1, sizeof *e);
  if (!e) return GS_ERR_NOMEM;
  e->rig = rig;
  e->rate = rate;
  e->smooth = (uint32_t)(GS_SMOOTH_SECONDS * rate);
  e->meter_coeff = 1.0 - exp(-1.0 / (0.3 * rate));
  e->learn = -1;
  GsStatus s = alloc_all(e);
  if (s == GS_OK) s = build_strips(e, log);
  if (s == GS_OK) {
    e->n_cc = rig->n_cc;
    memcpy(e->cc, rig->cc, rig->n_cc * sizeof rig->cc[0]);
    e->mon.dim_db = rig->monitor.dim_db;
    for (uint32_t k = 0; k < e->n_phones; k++) {
      for (uint32_t st = 0; st < e->n_strips; st++) {
        e->phones[k].send_db[st] = rig->phones[k].send[st].level_db;
        e->phones[k].send_pan[st] = rig->phones[k].send[st].pan;
      }
    }
    initial_values(e);
    e->n_record = gs_engine_record_channels(e);
    e->record_ptr = calloc(e->n_record ? e->n_record : 1, sizeof *e->record_ptr);
    if (!e->record_ptr) s = GS_ERR_NOMEM;
  }
  if (s != GS_OK) {
    gs_engine_free(e);
    return s;
  }
  *out = e;
  return GS_OK;
}

typedef struct {
  const GsLog *to;
  const char *strip;
} StripLog;

static void strip_log(void *handle, GsLogLevel level, const char *message) {
  const StripLog *l = handle;
  char line[1024];
  snprintf(line, sizeof line, "strip %s: %s", l->strip, message);
  l->to->func(l->to->handle, level, line);
}

void gs_engine_poll(GsEngine *e, const GsLog *log) {
  for (uint32_t s = 0; s < e->n_strips; s++) {
    StripLog to = {log, e->rig->strip[s].name};
    GsLog prefixed = {log && log->func ? strip_log : NULL, &to};
    gs_chain_poll(e->strip[s].chain, &prefixed);
  }
}

void gs_engine_free(GsEngine *e) {
  if (!e) return;
  for (uint32_t s = 0; e->strip && s < e->n_strips; s++) gs_chain_free(e->strip[s].chain);
  free(e->strip);
  free(e->meter);
  free(e->value);
  free(e->record_ptr);
  if (e->commands) jack_ringbuffer_free(e->commands);
  if (e->events) jack_ringbuffer_free(e->events);
  free(e);
}

uint32_t gs_engine_inputs(const GsEngine *e) {
  return e->n_inputs;
}
uint32_t gs_engine_outputs(const GsEngine *e) {
  return e->n_outputs;
}
uint32_t gs_engine_strip_input(const GsEngine *e, uint32_t strip, uint32_t k) {
  return e->strip[strip].first_input + k;
}
uint32_t gs_engine_latency(const GsEngine *e) {
  return e->latency;
}
double gs_engine_rate(const GsEngine *e) {
  return e->rate;
}

/* ----------------------------------------------------------- recording */

uint32_t gs_engine_record_channels(const GsEngine *e) {
  uint32_t n = 0;
  for (uint32_t s = 0; s < e->n_strips; s++) {
    const Strip *st = &e->strip[s];
    if (st->record == GS_REC_RAW || st->record == GS_REC_BOTH) n += st->n_in;
    if (st->record == GS_REC_PROCESSED || st->record == GS_REC_BOTH) n += st->n_out;
  }
  return n;
}

void gs_engine_set_recorder(GsEngine *e, struct GsRecorder *r) {
  e->recorder = r;
}

void gs_engine_record_channel_name(const GsEngine *e, uint32_t c, char *out, size_t size) {
  uint32_t n = 0;
  snprintf(out, size, "?");
  for (uint32_t s = 0; s < e->n_strips; s++) {
    const Strip *st = &e->strip[s];
    const char *name = e->rig->strip[s].name;
    bool raw = st->record == GS_REC_RAW || st->record == GS_REC_BOTH;
    bool proc = st->record == GS_REC_PROCESSED || st->record == GS_REC_BOTH;
    for (uint32_t k = 0; raw && k < st->n_in; k++, n++) {
      if (n == c) snprintf(out, size, "%s.in%u", name, k + 1);
    }
    for (uint32_t k = 0; proc && k < st->n_out; k++, n++) {
      if (n == c) snprintf(out, size, "%s.out%s", name, st->n_out == 1 ? "" : k ? "R" : "L");
    }
  }
}

/* ------------------------------------------------- commands and events */

static bool command(GsEngine *e, CommandType type, uint32_t control, double value) {
  Command c = {type, control, value};
  if (jack_ringbuffer_write_space(e->commands) < sizeof c) return false;
  jack_ringbuffer_write(e->commands, (const char *)&c, sizeof c);
  return true;
}

bool gs_engine_set(GsEngine *e, uint32_t control, double value) {
  return control < e->rig->n_controls && command(e, CMD_SET, control, value);
}
bool gs_engine_learn(GsEngine *e, uint32_t control) {
  return control < e->rig->n_controls && command(e, CMD_LEARN, control, 0.0);
}
bool gs_engine_clear_clips(GsEngine *e) {
  return command(e, CMD_CLEAR_CLIPS, 0, 0.0);
}
double gs_engine_value(const GsEngine *e, uint32_t control) {
  return control < e->rig->n_controls ? atomic_load(&e->value[control]) : NAN;
}

void gs_engine_post(GsEngine *e, GsEngineEventType type, uint32_t a, uint32_t b, uint32_t c) {
  GsEngineEvent ev = {type, a, b, c};
  if (jack_ringbuffer_write_space(e->events) < sizeof ev) return;
  jack_ringbuffer_write(e->events, (const char *)&ev, sizeof ev);
}

bool gs_engine_event(GsEngine *e, GsEngineEvent *out) {
  if (jack_ringbuffer_read_space(e->events) < sizeof *out) return false;
  jack_ringbuffer_read(e->events, (char *)out, sizeof *out);
  return true;
}

void gs_engine_copy_values(GsEngine *to, const GsEngine *from) {
  for (uint32_t i = 0; i < to->rig->n_controls; i++) {
    gs_engine_apply(to, i, atomic_load(&from->value[i]));
  }
  for (uint32_t s = 0; s < to->n_strips; s++) strip_gains(to, s, 0);
  monitor_gains(to, 0);
  for (uint32_t k = 0; k < to->n_phones; k++) phones_gains(to, k, 0);
}

uint32_t gs_engine_meters(const GsEngine *e) {
  return e->n_meters;
}

void gs_engine_meter(GsEngine *e, uint32_t meter, GsMeterReading *out) {
  if (meter >= e->n_meters) return;
  Meter *m = &e->meter[meter];
  out->peak = atomic_exchange(&m->peak, 0.0f);
  out->rms = atomic_load(&m->rms);
  out->clip = atomic_load(&m->clip);
}

/* --------------------------------------------------------------- MIDI */

void gs_engine_midi(GsEngine *e, const uint8_t *msg, size_t len) {
  GsMidiAction act;
  if (!gs_midi_decode(msg, len, &act)) return;
  if (act.type == GS_MIDI_PROGRAM) {
    const GsRig *rig = e->rig;
    for (uint32_t p = 0; p < rig->n_programs; p++) {
      const GsRigProgram *pr = &rig->program[p];
      if (pr->number != act.number) continue;
      for (uint32_t i = 0; i < pr->n; i++) gs_engine_apply(e, pr->set[i].control, pr->set[i].value);
      gs_engine_post(e, GS_EV_PROGRAM, act.number, act.channel, 0);
      return;
    }
    gs_engine_post(e, GS_EV_UNKNOWN_PROGRAM, act.number, act.channel, 0);
    return;
  }
  gs_engine_post(e, GS_EV_CC, act.number, act.channel, act.value);
  if (e->learn >= 0) {
    uint32_t slot = gs_midi_learn(e->cc, &e->n_cc, GS_RIG_MAX_CC, act.number, act.channel,
                                  (uint32_t)e->learn, e->rig->control[e->learn].info);
    gs_engine_post(e, GS_EV_LEARNED, act.number, act.channel, e->cc[slot].control);
    e->learn = -1;
  }
  for (uint32_t i = 0; i < e->n_cc; i++) {
    const GsRigCc *cc = &e->cc[i];
    if (cc->cc != act.number || (cc->channel && cc->channel != act.channel)) continue;
    const GsParamInfo *info = e->rig->control[cc->control].info;
    gs_engine_apply(e, cc->control, gs_midi_scale(info, cc->min, cc->max, act.value));
  }
}

/* Commands from the main thread, at the start of a cycle. */
void gs_engine_commands(GsEngine *e) {
  Command c;
  while (jack_ringbuffer_read_space(e->commands) >= sizeof c) {
    jack_ringbuffer_read(e->commands, (char *)&c, sizeof c);
    if (c.type == CMD_SET) gs_engine_apply(e, c.control, c.value);
    if (c.type == CMD_LEARN) e->learn = (int)c.control;
    if (c.type == CMD_CLEAR_CLIPS) {
      for (uint32_t m = 0; m < e->n_meters; m++) atomic_store(&e->meter[m].clip, false);
    }
  }
}
