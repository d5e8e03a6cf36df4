/* The analyzer's loopback through JACK (see loopback.h).
 *
 * A run hands the player the stimulus and the recorder the output buffer
 * through request fields the main thread writes while both are idle and
 * publishes with a generation number (release/acquire): the player starts
 * in the first cycle that sees a new generation and publishes the frame
 * time it started at; the recorder, in the same cycle (it runs after the
 * system under test, which runs after the player), records from that frame
 * on. Each says when it is done; only then does the run return.
 *
 * The buffers are the loopback's own, made before activation (and grown,
 * should a stimulus be longer, while both clients are idle), touched by
 * the main thread first so the callbacks never fault a page in. If the
 * server stalls, the clients are abandoned rather than closed (closing
 * would wait on the server), with their buffers, until the process ends. */
#include "loopback.h"

#include "log.h" /* libgainstage's message formatting */

#include <jack/jack.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLIENT_PLAY "gainstage-measure-out"
#define CLIENT_RECORD "gainstage-measure-in"
#define LIST_MAX 10          /* ports named in a hint */
#define RING_OUT_S 0.1       /* silence before each run, beyond the latency */
#define TIMEOUT_S 3.0        /* beyond the run's own length */
#define ATTEMPTS 5u          /* runs of one stimulus that xruns may spoil */
#define BUFFER_S 6.0         /* made before activation: the analyzer's longest stimulus is 5.5 s */
#define NOMINAL_DBFS (-18.0) /* the default level: 0 dBu at +18 dBu = 0 dBFS (EBU R68) */

struct GsLoopback {
  jack_client_t *player, *recorder;
  jack_port_t *out, *in;
  const GsLog *log;
  double rate;
  uint32_t latency; /* what JACK's port latencies say of the loop */
  unsigned main_gen;
  bool broken;  /* the server stopped or stalled: every run fails */
  bool stalled; /* the clients are abandoned, not closed */
  /* written by the main thread while both clients are idle */
  float *play_buf, *rec_buf;
  size_t cap, req_n;
  atomic_uint gen; /* published by the main thread after the request */
  /* the player's (its audio thread only) */
  unsigned play_gen;
  const float *play;
  size_t play_n, play_pos;
  jack_nframes_t play_start;
  /* the recorder's (its audio thread only) */
  unsigned rec_gen;
  float *rec;
  size_t rec_n, rec_pos;
  jack_nframes_t rec_start;
  /* between the threads */
  atomic_uint start_frame, started_gen; /* the player's first frame of a run */
  atomic_uint played_gen, recorded_gen; /* done with the caller's buffers */
  atomic_uint cycles, glitches, xruns;
  atomic_bool dead;
};

/* ------------------------------------------------------------ messages */

/* libjack's own messages: none while we probe for a server (we say what
 * failed ourselves), and as libjack's default prints them otherwise. */
static void jack_quiet(const char *msg) {
  (void)msg;
}

static void jack_to_stderr(const char *msg) {
  fprintf(stderr, "%s\n", msg);
}

static void quiet_jack(bool quiet) {
  jack_set_error_function(quiet ? jack_quiet : jack_to_stderr);
  jack_set_info_function(quiet ? jack_quiet : jack_to_stderr);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void sleep_s(double s) {
  struct timespec d = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  nanosleep(&d, NULL);
}

/* ------------------------------------------- the audio threads [audio] */

static void begin_play(GsLoopback *lb, unsigned g, jack_nframes_t now) {
  lb->play_gen = g;
  lb->play = lb->play_buf;
  lb->play_n = lb->req_n;
  lb->play_pos = 0;
  lb->play_start = now;
  atomic_store_explicit(&lb->start_frame, now, memory_order_relaxed);
  atomic_store_explicit(&lb->started_gen, g, memory_order_release);
}

static int play_cb(jack_nframes_t nframes, void *arg) {
  GsLoopback *lb = arg;
  float *buf = jack_port_get_buffer(lb->out, nframes);
  jack_nframes_t now = jack_last_frame_time(lb->player);
  atomic_fetch_add_explicit(&lb->cycles, 1, memory_order_relaxed);
  unsigned g = atomic_load_explicit(&lb->gen, memory_order_acquire);
  if (g != lb->play_gen) begin_play(lb, g, now);
  jack_nframes_t i = 0;
  if (lb->play_pos < lb->play_n) {
    /* a lost cycle would shift the rest of the stimulus */
    if ((size_t)(jack_nframes_t)(now - lb->play_start) != lb->play_pos) {
      atomic_fetch_add_explicit(&lb->glitches, 1, memory_order_relaxed);
    }
    for (; i < nframes && lb->play_pos < lb->play_n; i++) buf[i] = lb->play[lb->play_pos++];
    if (lb->play_pos == lb->play_n) {
      atomic_store_explicit(&lb->played_gen, g, memory_order_release);
    }
  }
  for (; i < nframes; i++) buf[i] = 0.0f;
  return 0;
}

static void begin_record(GsLoopback *lb, unsigned g) {
  lb->rec_gen = g;
  lb->rec = lb->rec_buf;
  lb->rec_n = lb->req_n;
  lb->rec_pos = 0;
  lb->rec_start = atomic_load_explicit(&lb->start_frame, memory_order_relaxed);
}

/* Frames the recorder missed stay zero (the buffer is cleared first).
 * Missing the first period is expected where nothing orders the recorder
 * after the player (a loop through the hardware: the sound cannot be back
 * within that period anyway); any later gap is a lost cycle. */
static int record_cb(jack_nframes_t nframes, void *arg) {
  GsLoopback *lb = arg;
  const float *buf = jack_port_get_buffer(lb->in, nframes);
  jack_nframes_t now = jack_last_frame_time(lb->recorder);
  unsigned g = atomic_load_explicit(&lb->started_gen, memory_order_acquire);
  if (g != lb->rec_gen) begin_record(lb, g);
  if (lb->rec_pos >= lb->rec_n) return 0;
  size_t at = (jack_nframes_t)(now - lb->rec_start); /* the index of buf[0] */
  if (at != lb->rec_pos && !(lb->rec_pos == 0 && at <= nframes)) {
    atomic_fetch_add_explicit(&lb->glitches, 1, memory_order_relaxed);
  }
  if (at > lb->rec_pos) lb->rec_pos = at < lb->rec_n ? at : lb->rec_n;
  for (jack_nframes_t i = 0; i < nframes && lb->rec_pos < lb->rec_n; i++) {
    lb->rec[lb->rec_pos++] = buf[i];
  }
  if (lb->rec_pos == lb->rec_n) {
    atomic_store_explicit(&lb->recorded_gen, g, memory_order_release);
  }
  return 0;
}

/* Called from libjack's threads: only flags. */
static int xrun_cb(void *arg) {
  GsLoopback *lb = arg;
  atomic_fetch_add_explicit(&lb->xruns, 1, memory_order_relaxed);
  return 0;
}

static void shutdown_cb(jack_status_t code, const char *reason, void *arg) {
  (void)code;
  (void)reason;
  GsLoopback *lb = arg;
  atomic_store(&lb->dead, true);
}

/* ------------------------------------------------- opening [main] */

/* Room for n samples each way, made while both clients are idle. */
static GsStatus reserve(GsLoopback *lb, size_t n) {
  if (n <= lb->cap) return GS_OK;
  float *p = realloc(lb->play_buf, n * sizeof *p);
  if (p) lb->play_buf = p;
  float *r = p ? realloc(lb->rec_buf, n * sizeof *r) : NULL;
  if (r) lb->rec_buf = r;
  if (!p || !r) return GS_ERR_NOMEM;
  memset(lb->play_buf, 0, n * sizeof *p);
  memset(lb->rec_buf, 0, n * sizeof *r);
  lb->cap = n;
  return GS_OK;
}

static GsStatus open_clients(GsLoopback *lb) {
  jack_status_t status = 0;
  quiet_jack(true);
  lb->player = jack_client_open(CLIENT_PLAY, JackNoStartServer, &status);
  if (lb->player) lb->recorder = jack_client_open(CLIENT_RECORD, JackNoStartServer, &status);
  quiet_jack(false);
  if (!lb->player || !lb->recorder) {
    const char *server = getenv("JACK_DEFAULT_SERVER");
    gs_log(lb->log, GS_LOG_ERROR,
           "no JACK server running (server '%s', jack_client_open status 0x%x): start jackd or "
           "PipeWire's JACK first",
           server && *server ? server : "default", (unsigned)status);
    return GS_ERR_IO;
  }
  lb->out = jack_port_register(lb->player, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
  lb->in = jack_port_register(lb->recorder, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  if (!lb->out || !lb->in || jack_set_process_callback(lb->player, play_cb, lb) ||
      jack_set_process_callback(lb->recorder, record_cb, lb) ||
      jack_set_xrun_callback(lb->player, xrun_cb, lb)) {
    gs_log(lb->log, GS_LOG_ERROR, "JACK: cannot set up the loopback's ports");
    return GS_ERR_IO;
  }
  jack_on_info_shutdown(lb->player, shutdown_cb, lb);
  jack_on_info_shutdown(lb->recorder, shutdown_cb, lb);
  lb->rate = jack_get_sample_rate(lb->player);
  if (reserve(lb, (size_t)(BUFFER_S * lb->rate)) != GS_OK) return GS_ERR_NOMEM;
  if (jack_activate(lb->player) || jack_activate(lb->recorder)) {
    gs_log(lb->log, GS_LOG_ERROR, "JACK: cannot activate the loopback's clients");
    return GS_ERR_IO;
  }
  return GS_OK;
}

static bool ours(const char *port) {
  return strncmp(port, CLIENT_PLAY ":", strlen(CLIENT_PLAY ":")) == 0 ||
         strncmp(port, CLIENT_RECORD ":", strlen(CLIENT_RECORD ":")) == 0;
}

/* "a, b, c (and 4 more: jack_lsp lists them)" of the audio ports with
 * flags, ours left out. */
static void port_list(jack_client_t *c, unsigned long flags, char *text, size_t size) {
  const char **ports = jack_get_ports(c, NULL, JACK_DEFAULT_AUDIO_TYPE, flags);
  size_t listed = 0, more = 0, len = 0;
  text[0] = '\0';
  for (size_t i = 0; ports && ports[i]; i++) {
    if (ours(ports[i])) continue;
    if (listed == LIST_MAX) {
      more++;
      continue;
    }
    int w = snprintf(text + len, size - len, "%s%s", listed ? ", " : "", ports[i]);
    if (w > 0 && (size_t)w < size - len) len += (size_t)w;
    listed++;
  }
  if (more) snprintf(text + len, size - len, " (and %zu more: jack_lsp lists them)", more);
  if (!listed) snprintf(text, size, "none");
  jack_free(ports);
}

/* The port called name, an audio port with `want` among its flags. */
static GsStatus find_port(GsLoopback *lb, const char *name, unsigned long want, const char *option,
                          jack_port_t **out) {
  const char *role =
      want == JackPortIsInput ? "inputs (ports to play into)" : "outputs (ports to record from)";
  jack_port_t *p = jack_port_by_name(lb->player, name);
  const char *why = NULL;
  if (!p) {
    why = "there is no such port";
  } else if (strcmp(jack_port_type(p), JACK_DEFAULT_AUDIO_TYPE) != 0) {
    why = "it is not an audio port";
  } else if (!(jack_port_flags(p) & want)) {
    why = want == JackPortIsInput ? "it is an output: --jack-out plays into an input"
                                  : "it is an input: --jack-in records an output";
  } else if (ours(jack_port_name(p))) {
    why = "it is the analyzer's own";
  }
  if (!why) {
    *out = p;
    return GS_OK;
  }
  char list[1024];
  port_list(lb->player, want, list, sizeof list);
  gs_log(lb->log, GS_LOG_ERROR, "%s '%s': %s; audio %s: %s", option, name, why, role, list);
  return GS_ERR_BAD_VALUE;
}

static void close_clients(GsLoopback *lb) {
  bool dead = atomic_load(&lb->dead);
  if (dead) quiet_jack(true); /* libjack complains of the lost server */
  if (lb->player) jack_client_close(lb->player);
  if (lb->recorder) jack_client_close(lb->recorder);
  if (dead) quiet_jack(false);
  lb->player = lb->recorder = NULL;
}

/* The server stopped or stalled: every later run fails at once. Clients
 * of a server that stopped are closed; those of one that stalled are
 * abandoned, as closing them would wait on it. */
static void lost(GsLoopback *lb) {
  lb->broken = true;
  if (atomic_load(&lb->dead)) {
    close_clients(lb);
  } else {
    lb->stalled = true;
  }
}

/* Wait until the player has run `cycles` more cycles (the graph is up). */
static GsStatus wait_cycles(GsLoopback *lb, unsigned cycles, double limit_s) {
  unsigned from = atomic_load(&lb->cycles);
  double t0 = now_s();
  while (atomic_load(&lb->cycles) - from < cycles) {
    if (atomic_load(&lb->dead) || now_s() - t0 > limit_s) {
      gs_log(lb->log, GS_LOG_ERROR, "JACK: the server %s",
             atomic_load(&lb->dead) ? "stopped" : "runs no cycles (stalled or freewheeling?)");
      lost(lb);
      return GS_ERR_IO;
    }
    sleep_s(0.002);
  }
  return GS_OK;
}

/* The loop's latency by JACK's port latencies: the capture latency where
 * the recorder takes the sound (through any clients that report theirs),
 * plus, where the player feeds the hardware, that port's playback latency
 * (a path through clients alone is already in the capture latency). */
static uint32_t loop_latency(jack_port_t *to, jack_port_t *from) {
  jack_latency_range_t capture = {0, 0}, playback = {0, 0};
  jack_port_get_latency_range(from, JackCaptureLatency, &capture);
  if (jack_port_flags(to) & (JackPortIsPhysical | JackPortIsTerminal)) {
    jack_port_get_latency_range(to, JackPlaybackLatency, &playback);
  }
  return capture.max + playback.max;
}

static GsStatus connect_loop(GsLoopback *lb, const char *play_to, const char *record_from) {
  jack_port_t *to, *from;
  GsStatus st = find_port(lb, play_to, JackPortIsInput, "--jack-out", &to);
  if (st == GS_OK) st = find_port(lb, record_from, JackPortIsOutput, "--jack-in", &from);
  if (st != GS_OK) return st;
  if (jack_connect(lb->player, jack_port_name(lb->out), play_to) ||
      jack_connect(lb->recorder, record_from, jack_port_name(lb->in))) {
    gs_log(lb->log, GS_LOG_ERROR, "JACK: cannot connect %s -> %s and %s -> %s",
           jack_port_name(lb->out), play_to, record_from, jack_port_name(lb->in));
    return GS_ERR_IO;
  }
  jack_recompute_total_latencies(lb->player);
  /* let the graph reorder and the latencies settle before the first run */
  st = wait_cycles(lb, 8, TIMEOUT_S);
  if (st == GS_OK) sleep_s(0.1);
  lb->latency = loop_latency(to, from);
  return st;
}

GsStatus gs_loopback_new(const char *play_to, const char *record_from, const GsLog *log,
                         GsLoopback **out) {
  *out = NULL;
  if (!play_to || !record_from) return GS_ERR_ARG;
  GsLoopback *lb = calloc(1, sizeof *lb);
  if (!lb) return GS_ERR_NOMEM;
  lb->log = log;
  GsStatus st = open_clients(lb);
  if (st == GS_OK) st = connect_loop(lb, play_to, record_from);
  if (st != GS_OK) {
    gs_loopback_free(lb);
    return st;
  }
  *out = lb;
  return GS_OK;
}

void gs_loopback_free(GsLoopback *lb) {
  if (!lb || lb->stalled) return; /* abandoned: its callbacks may yet run */
  close_clients(lb);
  free(lb->play_buf);
  free(lb->rec_buf);
  free(lb);
}

double gs_loopback_rate(const GsLoopback *lb) {
  return lb->rate;
}

/* --------------------------------------------------- a run [main] */

/* Until both clients are done with the run's buffers, the server stops,
 * or it takes far longer than the stimulus. */
static GsStatus wait_run(GsLoopback *lb, unsigned g, size_t n) {
  double limit = ((double)n + lb->latency) / lb->rate + TIMEOUT_S, t0 = now_s();
  while (atomic_load_explicit(&lb->played_gen, memory_order_acquire) != g ||
         atomic_load_explicit(&lb->recorded_gen, memory_order_acquire) != g) {
    if (atomic_load(&lb->dead)) {
      gs_log(lb->log, GS_LOG_ERROR, "JACK: the server stopped during the measurement");
      return GS_ERR_IO;
    }
    if (now_s() - t0 > limit) {
      gs_log(lb->log, GS_LOG_ERROR,
             "JACK: timed out after %.1f s waiting for the loop (the server stalled?)", limit);
      return GS_ERR_IO;
    }
    sleep_s(0.002);
  }
  return GS_OK;
}

/* A short silence, so the loop rings out before the next run. */
static void loop_reset(void *ctx) {
  GsLoopback *lb = ctx;
  if (!lb->broken) sleep_s(RING_OUT_S + lb->latency / lb->rate);
}

/* One run of the stimulus; *clean is false if the loop lost a cycle or
 * JACK reported an xrun meanwhile (the capture may have a gap). */
static GsStatus run_once(GsLoopback *lb, const float *in, float *out, size_t n, bool *clean) {
  GsStatus st = reserve(lb, n);
  if (st != GS_OK) return st;
  memcpy(lb->play_buf, in, n * sizeof *in);
  memset(lb->rec_buf, 0, n * sizeof *out); /* frames lost stay silent */
  lb->req_n = n;
  atomic_store(&lb->glitches, 0);
  atomic_store(&lb->xruns, 0);
  unsigned g = ++lb->main_gen;
  atomic_store_explicit(&lb->gen, g, memory_order_release);
  st = wait_run(lb, g, n);
  if (st != GS_OK) {
    lost(lb);
    return st;
  }
  /* the xrun notification comes a little after the cycle */
  st = wait_cycles(lb, 2, TIMEOUT_S);
  if (st != GS_OK) return st;
  memcpy(out, lb->rec_buf, n * sizeof *out);
  *clean = !atomic_load(&lb->glitches) && !atomic_load(&lb->xruns);
  return GS_OK;
}

/* The whole stimulus, again after an xrun, up to ATTEMPTS times. */
static GsStatus loop_process_all(void *ctx, const float *in, float *out, size_t n) {
  GsLoopback *lb = ctx;
  if (lb->broken) return GS_ERR_IO;
  if (n == 0) return GS_OK;
  for (unsigned attempt = 1;; attempt++) {
    bool clean = false;
    GsStatus st = run_once(lb, in, out, n, &clean);
    if (st != GS_OK || clean) return st;
    if (attempt == ATTEMPTS) {
      gs_log(lb->log, GS_LOG_ERROR,
             "JACK: xruns in %u runs of the same stimulus; a larger period or a less loaded "
             "machine would help",
             ATTEMPTS);
      return GS_ERR_IO;
    }
    gs_log(lb->log, GS_LOG_INFO, "JACK: an xrun during the measurement: that part again");
    loop_reset(lb);
  }
}

void gs_loopback_system(GsLoopback *lb, GsSystem *out) {
  *out = (GsSystem){
      .ctx = lb,
      .rate = lb->rate,
      .input = GS_DOMAIN_DIGITAL,
      .output = GS_DOMAIN_DIGITAL,
      .process_all = loop_process_all,
      .reset = loop_reset,
      .nominal_level = NOMINAL_DBFS,
      .reported_latency = lb->latency,
  };
}
