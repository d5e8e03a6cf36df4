/* A JACK test client with a known transfer: y[n] = g x[n - D].
 *
 *   jack_gaindelay NAME GAIN_DB DELAY_SAMPLES
 *
 * Ports NAME:in and NAME:out. The delay is a ring of its own, so it does
 * not depend on the period; the client reports it through JACK's latency
 * API (the capture latency of out and the playback latency of in grow by
 * D), as a plug-in host with a look-ahead would. Runs until SIGINT or
 * SIGTERM; prints "ready" once active. Exit status 0 ok, 1 failure. */
#include <jack/jack.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define RING 8192u /* a power of two above any delay we take */

typedef struct {
  jack_port_t *in, *out;
  float gain;
  unsigned delay, pos; /* pos: the audio thread's */
  float ring[RING];
} GainDelay;

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static int process(jack_nframes_t n, void *arg) {
  GainDelay *gd = arg;
  const float *x = jack_port_get_buffer(gd->in, n);
  float *y = jack_port_get_buffer(gd->out, n);
  for (jack_nframes_t i = 0; i < n; i++) {
    gd->ring[gd->pos & (RING - 1)] = x[i];
    y[i] = gd->gain * gd->ring[(gd->pos - gd->delay) & (RING - 1)];
    gd->pos++;
  }
  return 0;
}

/* Our D on top of what comes in (capture) or goes out (playback). */
static void latency(jack_latency_callback_mode_t mode, void *arg) {
  GainDelay *gd = arg;
  jack_latency_range_t r;
  if (mode == JackCaptureLatency) {
    jack_port_get_latency_range(gd->in, mode, &r);
    r.min += gd->delay;
    r.max += gd->delay;
    jack_port_set_latency_range(gd->out, mode, &r);
  } else {
    jack_port_get_latency_range(gd->out, mode, &r);
    r.min += gd->delay;
    r.max += gd->delay;
    jack_port_set_latency_range(gd->in, mode, &r);
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: jack_gaindelay NAME GAIN_DB DELAY_SAMPLES\n");
    return 1;
  }
  static GainDelay gd; /* the ring is large: not on the stack */
  gd.gain = (float)pow(10.0, atof(argv[2]) / 20.0);
  gd.delay = (unsigned)atoi(argv[3]);
  if (gd.delay >= RING) {
    fprintf(stderr, "jack_gaindelay: delay below %u samples\n", RING);
    return 1;
  }
  jack_client_t *c = jack_client_open(argv[1], JackNoStartServer | JackUseExactName, NULL);
  if (!c) {
    fprintf(stderr, "jack_gaindelay: no JACK server\n");
    return 1;
  }
  gd.in = jack_port_register(c, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  gd.out = jack_port_register(c, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
  jack_set_process_callback(c, process, &gd);
  jack_set_latency_callback(c, latency, &gd);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  if (!gd.in || !gd.out || jack_activate(c)) {
    fprintf(stderr, "jack_gaindelay: cannot activate\n");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  while (!stop) usleep(20000);
  jack_client_close(c);
  return 0;
}
