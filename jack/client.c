/* The JACK side of the rig. The process callback only moves audio and MIDI
 * to and from the engine; everything else (connections, the rate, the
 * server going away) is noticed here and acted on by the main loop.
 * JACK API: jack/jack.h (the callback rules), jack/midiport.h.
 * When the test suite's real-time interposer (tests/rt_interpose.c) is
 * preloaded, the callback is bracketed with its enter/leave, so that any
 * allocation, lock or file call inside it is counted. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "client.h"

#include <dlfcn.h>
#include <errno.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PORTS (GS_RIG_MAX_STRIPS * GS_RIG_MAX_CAPTURES + 2)

struct GsRigClient {
  jack_client_t *jack;
  const GsRig *rig;
  _Atomic(GsEngine *) engine;
  atomic_ulong cycles; /* completed process calls */
  jack_port_t *in[MAX_PORTS], *out[4 + 2 * GS_RIG_MAX_PHONES], *midi;
  uint32_t n_in, n_out;
  atomic_uint xruns;
  atomic_uint server_rate; /* as the sample-rate callback last said */
  atomic_bool gone;
  char gone_why[256];
  void (*rt_enter)(void), (*rt_leave)(void); /* the interposer's, if preloaded */
  /* the callback's own time (clock_gettime is a vDSO read, no syscall) */
  atomic_ullong busy_ns, worst_ns;
};

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ------------------------------------------------------------ callbacks */

static void process(GsRigClient *c, jack_nframes_t n);

static int on_process(jack_nframes_t n, void *arg) {
  GsRigClient *c = arg;
  uint64_t t0 = now_ns();
  if (c->rt_enter) c->rt_enter();
  process(c, n);
  if (c->rt_leave) c->rt_leave();
  uint64_t took = now_ns() - t0;
  atomic_fetch_add(&c->busy_ns, took);
  if (took > atomic_load(&c->worst_ns)) atomic_store(&c->worst_ns, took);
  atomic_fetch_add(&c->cycles, 1);
  return 0;
}

static void process(GsRigClient *c, jack_nframes_t n) {
  GsEngine *e = atomic_load(&c->engine);
  const float *in[MAX_PORTS];
  float *out[4 + 2 * GS_RIG_MAX_PHONES];
  for (uint32_t i = 0; i < c->n_out; i++) out[i] = jack_port_get_buffer(c->out[i], n);
  if (atomic_load(&c->server_rate) != (unsigned)gs_engine_rate(e)) {
    for (uint32_t i = 0; i < c->n_out; i++) memset(out[i], 0, n * sizeof(float));
    return; /* the main loop rebuilds the engine at the new rate */
  }
  for (uint32_t i = 0; i < c->n_in; i++) in[i] = jack_port_get_buffer(c->in[i], n);
  void *midi = jack_port_get_buffer(c->midi, n);
  uint32_t events = jack_midi_get_event_count(midi);
  for (uint32_t i = 0; i < events; i++) {
    jack_midi_event_t ev;
    if (jack_midi_event_get(&ev, midi, i) == 0) gs_engine_midi(e, ev.buffer, ev.size);
  }
  gs_engine_process(e, in, out, n);
}

static int on_xrun(void *arg) {
  GsRigClient *c = arg;
  atomic_fetch_add(&c->xruns, 1);
  return 0;
}

static int on_rate(jack_nframes_t rate, void *arg) {
  GsRigClient *c = arg;
  atomic_store(&c->server_rate, rate);
  return 0;
}

/* The engine accepts any block length: nothing to reallocate. */
static int on_buffer_size(jack_nframes_t n, void *arg) {
  (void)n;
  (void)arg;
  return 0;
}

static void on_shutdown(jack_status_t code, const char *reason, void *arg) {
  GsRigClient *c = arg;
  snprintf(c->gone_why, sizeof c->gone_why, "%s (status 0x%x)", reason ? reason : "no reason",
           (unsigned)code);
  atomic_store(&c->gone, true);
}

/* Latency through the rig: what is upstream of our inputs plus the
 * engine's own, for every output; and the reverse. */
static void on_latency(jack_latency_callback_mode_t mode, void *arg) {
  GsRigClient *c = arg;
  uint32_t own = gs_engine_latency(atomic_load(&c->engine));
  jack_latency_range_t range = {0, 0}, r;
  bool capture = mode == JackCaptureLatency;
  jack_port_t **from = capture ? c->in : c->out, **to = capture ? c->out : c->in;
  uint32_t n_from = capture ? c->n_in : c->n_out, n_to = capture ? c->n_out : c->n_in;
  for (uint32_t i = 0; i < n_from; i++) {
    jack_port_get_latency_range(from[i], mode, &r);
    if (r.min > range.min) range.min = r.min;
    if (r.max > range.max) range.max = r.max;
  }
  range.min += own;
  range.max += own;
  for (uint32_t i = 0; i < n_to; i++) jack_port_set_latency_range(to[i], mode, &range);
}

/* -------------------------------------------------------------- ports */

static GsStatus add_port(GsRigClient *c, const char *name, const char *type, unsigned long flags,
                         jack_port_t **out, char *why, size_t why_size) {
  *out = jack_port_register(c->jack, name, type, flags, 0);
  if (*out) return GS_OK;
  snprintf(why, why_size, "cannot register JACK port '%s'", name);
  return GS_ERR_IO;
}

static GsStatus register_ports(GsRigClient *c, char *why, size_t why_size) {
  char name[128];
  GsStatus s = GS_OK;
  const char *audio = JACK_DEFAULT_AUDIO_TYPE;
  for (uint32_t k = 0; s == GS_OK && k < c->rig->n_strips; k++) {
    const GsRigStrip *st = &c->rig->strip[k];
    for (uint32_t i = 0; s == GS_OK && i < st->n_inputs; i++) {
      if (st->n_inputs == 1) snprintf(name, sizeof name, "%s_in", st->name);
      if (st->n_inputs > 1) snprintf(name, sizeof name, "%s_in%u", st->name, i + 1);
      s = add_port(c, name, audio, JackPortIsInput, &c->in[c->n_in++], why, why_size);
    }
  }
  const char *fixed_in[] = {"return_L", "return_R"};
  for (int i = 0; s == GS_OK && i < 2; i++) {
    s = add_port(c, fixed_in[i], audio, JackPortIsInput, &c->in[c->n_in++], why, why_size);
  }
  const char *fixed_out[] = {"monA_L", "monA_R", "monB_L", "monB_R"};
  for (int i = 0; s == GS_OK && i < 4; i++) {
    s = add_port(c, fixed_out[i], audio, JackPortIsOutput, &c->out[c->n_out++], why, why_size);
  }
  for (uint32_t k = 0; s == GS_OK && k < 2 * c->rig->n_phones; k++) {
    snprintf(name, sizeof name, "phones%u_%s", k / 2 + 1, k % 2 ? "R" : "L");
    s = add_port(c, name, audio, JackPortIsOutput, &c->out[c->n_out++], why, why_size);
  }
  if (s == GS_OK) {
    s = add_port(c, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, &c->midi, why, why_size);
  }
  return s;
}

/* ------------------------------------------------------------ lifecycle */

GsStatus gs_client_open(const char *name, const GsRig *rig, const GsLog *log, GsRigClient **out,
                        char *why, size_t why_size) {
  *out = NULL;
  GsRigClient *c = calloc(1, sizeof *c);
  if (!c) return GS_ERR_NOMEM;
  c->rig = rig;
  jack_status_t status;
  c->jack = jack_client_open(name, JackNoStartServer, &status);
  if (!c->jack) {
    snprintf(why, why_size, "%s (JACK status 0x%x)",
             status & JackServerFailed ? "no JACK server running (start jackd or PipeWire's JACK)"
                                       : "cannot connect to the JACK server",
             (unsigned)status);
    free(c);
    return GS_ERR_IO;
  }
  atomic_store(&c->server_rate, jack_get_sample_rate(c->jack));
  GsEngine *e = NULL;
  GsStatus s = gs_engine_new(rig, jack_get_sample_rate(c->jack), log, &e);
  if (s != GS_OK) snprintf(why, why_size, "the rig's chains could not be built");
  atomic_store(&c->engine, e);
  if (s == GS_OK) s = register_ports(c, why, why_size);
  if (s == GS_OK && (jack_set_process_callback(c->jack, on_process, c) ||
                     jack_set_xrun_callback(c->jack, on_xrun, c) ||
                     jack_set_sample_rate_callback(c->jack, on_rate, c) ||
                     jack_set_buffer_size_callback(c->jack, on_buffer_size, c) ||
                     jack_set_latency_callback(c->jack, on_latency, c))) {
    snprintf(why, why_size, "the JACK server refused a callback");
    s = GS_ERR_IO;
  }
  if (s != GS_OK) {
    gs_client_close(c);
    return s;
  }
  jack_on_info_shutdown(c->jack, on_shutdown, c);
  void *enter = dlsym(RTLD_DEFAULT, "rt_interpose_enter"); /* POSIX: object to function */
  void *leave = dlsym(RTLD_DEFAULT, "rt_interpose_leave");
  if (enter && leave) {
    memcpy(&c->rt_enter, &enter, sizeof enter);
    memcpy(&c->rt_leave, &leave, sizeof leave);
  }
  *out = c;
  return GS_OK;
}

static void connect_port(GsRigClient *c, const char *from, const char *to, const GsLog *log) {
  int r = jack_connect(c->jack, from, to);
  if (r == 0 || r == EEXIST) return;
  if (log && log->func) {
    char msg[600];
    snprintf(msg, sizeof msg,
             "cannot connect %s -> %s (is the port name right? 'jack_lsp' lists them)", from, to);
    log->func(log->handle, GS_LOG_WARNING, msg);
  }
}

static const char *own(GsRigClient *c, jack_port_t *p) {
  (void)c;
  return jack_port_name(p);
}

GsStatus gs_client_start(GsRigClient *c, const GsLog *log, char *why, size_t why_size) {
  if (jack_activate(c->jack)) {
    snprintf(why, why_size, "the JACK server would not activate the client");
    return GS_ERR_IO;
  }
  const GsRig *rig = c->rig;
  uint32_t in = 0;
  for (uint32_t k = 0; k < rig->n_strips; k++) {
    const GsRigStrip *st = &rig->strip[k];
    for (uint32_t i = 0; i < st->n_inputs; i++, in++) {
      if (st->capture[i]) connect_port(c, st->capture[i], own(c, c->in[in]), log);
    }
  }
  for (int i = 0; i < 2; i++) {
    const GsRigMonitor *m = &rig->monitor;
    if (m->return_from[i]) connect_port(c, m->return_from[i], own(c, c->in[in + i]), log);
    if (m->a[i]) connect_port(c, own(c, c->out[i]), m->a[i], log);
    if (m->b[i]) connect_port(c, own(c, c->out[2 + i]), m->b[i], log);
  }
  for (uint32_t k = 0; k < rig->n_phones; k++) {
    for (int i = 0; i < 2; i++) {
      const char *to = rig->phones[k].ports[i];
      if (to) connect_port(c, own(c, c->out[4 + 2 * k + i]), to, log);
    }
  }
  return GS_OK;
}

void gs_client_close(GsRigClient *c) {
  if (!c) return;
  if (c->jack) jack_client_close(c->jack);
  gs_engine_free(atomic_load(&c->engine));
  free(c);
}

GsEngine *gs_client_engine(GsRigClient *c) {
  return atomic_load(&c->engine);
}

const char *gs_client_name(const GsRigClient *c) {
  return jack_get_client_name(c->jack);
}

void gs_client_stats(GsRigClient *c, GsClientStats *out) {
  out->xruns = atomic_load(&c->xruns);
  out->dsp_load = jack_cpu_load(c->jack);
  out->rate = jack_get_sample_rate(c->jack);
  out->period = jack_get_buffer_size(c->jack);
  out->latency = gs_engine_latency(atomic_load(&c->engine));
  unsigned long cycles = atomic_load(&c->cycles);
  out->callback_mean_us = cycles ? 1e-3 * (double)atomic_load(&c->busy_ns) / (double)cycles : 0.0;
  out->callback_worst_us = 1e-3 * (double)atomic_load(&c->worst_ns);
}

bool gs_client_alive(GsRigClient *c, char *why, size_t why_size) {
  if (!atomic_load(&c->gone)) return true;
  snprintf(why, why_size, "%s", c->gone_why);
  return false;
}

/* Wait until the audio thread has finished a cycle begun after now. */
static void wait_cycles(GsRigClient *c) {
  unsigned long start = atomic_load(&c->cycles);
  for (int i = 0; i < 2000 && atomic_load(&c->cycles) < start + 2; i++) {
    struct timespec d = {0, 1000000};
    nanosleep(&d, NULL);
  }
}

GsStatus gs_client_follow_rate(GsRigClient *c, const GsLog *log) {
  GsEngine *old = atomic_load(&c->engine);
  unsigned rate = atomic_load(&c->server_rate);
  if (rate == (unsigned)gs_engine_rate(old)) return GS_OK;
  GsEngine *e = NULL;
  GsStatus s = gs_engine_new(c->rig, rate, log, &e);
  if (s != GS_OK) return s;
  gs_engine_copy_values(e, old);
  atomic_store(&c->engine, e);
  wait_cycles(c);
  gs_engine_poll(old, log); /* what the old chains counted since the last report */
  gs_engine_free(old);
  return GS_OK;
}
