/* A JACK test client: plays a file into ports and records ports back,
 * sample-aligned, sends MIDI at given times, counts xruns and reports
 * the DSP load.
 *
 *   jack_io [--play FILE --to PORT [--to PORT ...]]
 *           [--from PORT [--from PORT ...] --record FILE]
 *           [--midi PORT [--cc T:CH:CC:VALUE ...] [--program T:CH:N ...]]
 *           [--seconds S] [--wait S]
 *
 * The file's channel k plays into the k-th --to port (it needs as many
 * channels); the recording has one channel per --from port. MIDI events
 * go out T seconds after playback starts (CH 1..16, program 1..128).
 *
 * Two clients in one process, a player and a recorder, so that
 * player -> the client under test -> recorder runs in one cycle (one
 * client doing both would close a loop JACK breaks with a period of
 * delay). Recording starts in the cycle playback starts and lasts
 * --seconds (default: the file's length). It waits up to --wait seconds
 * (default 10) for the ports to appear. Prints "xruns N", "dsp_load PCT"
 * (the server's average) and what a probe thread saw of the machine while
 * the file played: "stalls N" (1 ms sleeps that woke half a period late)
 * and "worst_stall_ms X". Exit status 0 ok, 1 failure. */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 32
#define MAX_MIDI 64

typedef struct {
  double seconds; /* after the start of playback */
  size_t frame;   /* the same, once the rate is known */
  uint8_t msg[3], len;
} MidiOut;

typedef struct {
  jack_client_t *player, *recorder;
  jack_port_t *out[MAX_PORTS], *in[MAX_PORTS], *midi;
  int n_out, n_in;
  float *play, *rec; /* interleaved */
  size_t play_len, rec_len;
  size_t play_pos, rec_pos; /* audio threads only */
  MidiOut events[MAX_MIDI];
  int n_events;
  atomic_bool go;
  atomic_llong start_frame; /* frame time of the first cycle that plays */
  atomic_int xruns;
  atomic_bool done, stop_probe;
  double period_s, worst_stall; /* the probe's */
  int stalls;
} Io;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* How late 1 ms sleeps wake while the file plays: a machine that stalls a
 * thread for a period causes xruns whatever the clients do. */
static void *probe(void *arg) {
  Io *io = arg;
  while (!atomic_load(&io->stop_probe)) {
    struct timespec d = {0, 1000000};
    double t0 = now();
    nanosleep(&d, NULL);
    double late = now() - t0 - 1e-3;
    if (!atomic_load(&io->go)) continue;
    if (late > io->worst_stall) io->worst_stall = late;
    if (late >= 0.5 * io->period_s) io->stalls++;
  }
  return NULL;
}

/* MIDI events falling in this cycle, at their frame within it. */
static void send_midi(Io *io, size_t first, jack_nframes_t n) {
  void *buf = jack_port_get_buffer(io->midi, n);
  jack_midi_clear_buffer(buf);
  for (int e = 0; e < io->n_events; e++) {
    const MidiOut *m = &io->events[e];
    if (m->frame < first || m->frame >= first + n) continue;
    jack_midi_event_write(buf, (jack_nframes_t)(m->frame - first), m->msg, m->len);
  }
}

static int play_cb(jack_nframes_t n, void *arg) {
  Io *io = arg;
  float *buf[MAX_PORTS];
  for (int c = 0; c < io->n_out; c++) buf[c] = jack_port_get_buffer(io->out[c], n);
  if (!atomic_load(&io->go)) {
    for (int c = 0; c < io->n_out; c++) memset(buf[c], 0, n * sizeof(float));
    if (io->midi) jack_midi_clear_buffer(jack_port_get_buffer(io->midi, n));
    return 0;
  }
  if (atomic_load(&io->start_frame) < 0) {
    atomic_store(&io->start_frame, (long long)jack_last_frame_time(io->player));
  }
  if (io->midi) send_midi(io, io->play_pos, n);
  for (jack_nframes_t i = 0; i < n; i++, io->play_pos++) {
    for (int c = 0; c < io->n_out; c++) {
      buf[c][i] = io->play_pos < io->play_len ? io->play[io->play_pos * io->n_out + c] : 0.0f;
    }
  }
  return 0;
}

static int record_cb(jack_nframes_t n, void *arg) {
  Io *io = arg;
  long long start = atomic_load(&io->start_frame);
  if (start < 0 || (long long)jack_last_frame_time(io->recorder) < start) return 0;
  const float *buf[MAX_PORTS];
  for (int c = 0; c < io->n_in; c++) buf[c] = jack_port_get_buffer(io->in[c], n);
  for (jack_nframes_t i = 0; i < n && io->rec_pos < io->rec_len; i++, io->rec_pos++) {
    for (int c = 0; c < io->n_in; c++) io->rec[io->rec_pos * io->n_in + c] = buf[c][i];
  }
  if (io->rec_pos == io->rec_len) atomic_store(&io->done, true);
  return 0;
}

/* Only xruns while the file plays count: connecting ports reorders the
 * graph, which the server may report as one. */
static int xrun_cb(void *arg) {
  Io *io = arg;
  if (atomic_load(&io->go)) atomic_fetch_add(&io->xruns, 1);
  return 0;
}

static float *read_file(const char *path, int channels, size_t *len, int *rate) {
  SF_INFO info = {0};
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f || info.channels != channels) return NULL;
  float *buf = malloc((size_t)info.frames * (size_t)channels * sizeof(float));
  *len = (size_t)sf_readf_float(f, buf, info.frames);
  *rate = info.samplerate;
  sf_close(f);
  return buf;
}

static bool wait_port(jack_client_t *c, const char *name, double seconds) {
  for (double t = 0; t < seconds; t += 0.05) {
    jack_port_t *p = jack_port_by_name(c, name);
    if (p) return true;
    usleep(50000);
  }
  fprintf(stderr, "jack_io: no port '%s'\n", name);
  return false;
}

typedef struct {
  const char *play, *record, *midi;
  const char *to[MAX_PORTS], *from[MAX_PORTS];
  int n_to, n_from;
  double seconds, wait;
} Args;

/* "T:CH:CC:VALUE" (cc) or "T:CH:N" (program) into a timed message. */
static int parse_midi(Io *io, const char *v, bool cc) {
  double t;
  int ch, a, b = 0;
  int got = cc ? sscanf(v, "%lf:%d:%d:%d", &t, &ch, &a, &b) : sscanf(v, "%lf:%d:%d", &t, &ch, &a);
  if (io->n_events == MAX_MIDI || got != (cc ? 4 : 3) || ch < 1 || ch > 16 || t < 0) return 1;
  MidiOut *m = &io->events[io->n_events++];
  m->seconds = t;
  m->msg[0] = (uint8_t)((cc ? 0xB0 : 0xC0) | (ch - 1));
  m->msg[1] = (uint8_t)(cc ? a & 0x7F : (a - 1) & 0x7F);
  m->msg[2] = (uint8_t)(b & 0x7F);
  m->len = cc ? 3 : 2;
  return 0;
}

static int parse(int argc, char **argv, Args *a, Io *io) {
  a->wait = 10.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    int bad = 0;
    if (!strcmp(k, "--play"))
      a->play = v;
    else if (!strcmp(k, "--to") && a->n_to < MAX_PORTS)
      a->to[a->n_to++] = v;
    else if (!strcmp(k, "--from") && a->n_from < MAX_PORTS)
      a->from[a->n_from++] = v;
    else if (!strcmp(k, "--record"))
      a->record = v;
    else if (!strcmp(k, "--midi"))
      a->midi = v;
    else if (!strcmp(k, "--cc") || !strcmp(k, "--program"))
      bad = parse_midi(io, v, !strcmp(k, "--cc"));
    else if (!strcmp(k, "--seconds"))
      a->seconds = atof(v);
    else if (!strcmp(k, "--wait"))
      a->wait = atof(v);
    else
      return 1;
    if (bad) return 1;
  }
  return (argc % 2 == 1) && (!a->play == !a->n_to) && (!a->n_from == !a->record) &&
                 (!io->n_events || a->midi)
             ? 0
             : 1;
}

static int open_clients(Io *io, const Args *a) {
  io->player = jack_client_open("gs-test-play", JackNoStartServer, NULL);
  io->recorder = jack_client_open("gs-test-record", JackNoStartServer, NULL);
  if (!io->player || !io->recorder) {
    fprintf(stderr, "jack_io: no JACK server\n");
    return 1;
  }
  char name[32];
  io->n_out = a->n_to ? a->n_to : 1;
  io->n_in = a->n_from ? a->n_from : 1;
  for (int c = 0; c < io->n_out; c++) {
    snprintf(name, sizeof name, c ? "out%d" : "out", c + 1);
    io->out[c] = jack_port_register(io->player, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
  }
  for (int c = 0; c < io->n_in; c++) {
    snprintf(name, sizeof name, c ? "in%d" : "in", c + 1);
    io->in[c] = jack_port_register(io->recorder, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  }
  if (a->midi) {
    io->midi = jack_port_register(io->player, "midi", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  }
  jack_set_process_callback(io->player, play_cb, io);
  jack_set_process_callback(io->recorder, record_cb, io);
  jack_set_xrun_callback(io->player, xrun_cb, io);
  if (jack_activate(io->player) || jack_activate(io->recorder)) {
    fprintf(stderr, "jack_io: cannot activate the clients\n");
    return 1;
  }
  return 0;
}

/* Connect, retrying while the other client is still coming up. */
static int connect_ports(jack_client_t *c, const char *from, const char *to, double seconds) {
  for (double t = 0; t < seconds; t += 0.05) {
    if (jack_connect(c, from, to) == 0) return 0;
    usleep(50000);
  }
  fprintf(stderr, "jack_io: cannot connect %s to %s\n", from, to);
  return 1;
}

static int connect_all(Io *io, const Args *a) {
  for (int c = 0; c < a->n_to; c++) {
    if (!wait_port(io->player, a->to[c], a->wait) ||
        connect_ports(io->player, jack_port_name(io->out[c]), a->to[c], a->wait)) {
      return 1;
    }
  }
  for (int c = 0; c < a->n_from; c++) {
    if (!wait_port(io->recorder, a->from[c], a->wait) ||
        connect_ports(io->recorder, a->from[c], jack_port_name(io->in[c]), a->wait)) {
      return 1;
    }
  }
  if (a->midi && (!wait_port(io->player, a->midi, a->wait) ||
                  connect_ports(io->player, jack_port_name(io->midi), a->midi, a->wait))) {
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  Args a = {0};
  static Io io;
  if (parse(argc, argv, &a, &io)) {
    fprintf(stderr,
            "usage: jack_io [--play FILE --to PORT ...] [--from PORT ... --record FILE] "
            "[--midi PORT --cc T:CH:CC:V ... --program T:CH:N ...] [--seconds S] [--wait S]\n");
    return 2;
  }
  atomic_store(&io.start_frame, -1);
  int rate = 48000;
  if (a.play && !(io.play = read_file(a.play, a.n_to, &io.play_len, &rate))) {
    fprintf(stderr, "jack_io: cannot read %s (%d channels)\n", a.play, a.n_to);
    return 1;
  }
  if (open_clients(&io, &a) || connect_all(&io, &a)) return 1;
  rate = (int)jack_get_sample_rate(io.player);
  for (int e = 0; e < io.n_events; e++) io.events[e].frame = (size_t)(io.events[e].seconds * rate);
  double seconds = a.seconds > 0 ? a.seconds : (double)io.play_len / rate;
  io.rec_len = a.record ? (size_t)(seconds * rate) : 0;
  io.rec = calloc((io.rec_len + 1) * (size_t)io.n_in, sizeof(float));
  io.period_s = (double)jack_get_buffer_size(io.player) / rate;
  pthread_t prober;
  pthread_create(&prober, NULL, probe, &io);
  usleep(200000); /* let the connections settle before the first sample */
  atomic_store(&io.go, true);
  for (double t = 0; t < seconds + 5.0 && !(a.record ? atomic_load(&io.done) : t >= seconds);
       t += 0.01) {
    usleep(10000);
  }
  atomic_store(&io.stop_probe, true);
  pthread_join(prober, NULL);
  printf("xruns %d\ndsp_load %.2f\nstalls %d\nworst_stall_ms %.1f\n", atomic_load(&io.xruns),
         jack_cpu_load(io.player), io.stalls, 1e3 * io.worst_stall);
  jack_client_close(io.player);
  jack_client_close(io.recorder);
  int rc = 0;
  if (a.record) {
    SF_INFO info = {
        .samplerate = rate, .channels = io.n_in, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(a.record, SFM_WRITE, &info);
    rc = !f || sf_writef_float(f, io.rec, (sf_count_t)io.rec_pos) != (sf_count_t)io.rec_pos;
    sf_close(f);
  }
  free(io.play);
  free(io.rec);
  return rc;
}
