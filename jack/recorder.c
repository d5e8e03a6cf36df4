/* The take recorder (see recorder.h). The shape is JACK's capture_client.c
 * (example-clients/capture_client.c in jack2): the process callback only
 * copies into a jack_ringbuffer_t and a normal thread writes the file with
 * libsndfile. Two differences: the disk thread polls the ring instead of
 * being signalled (a condition variable needs its mutex, and even sem_post
 * may make a syscall in the audio thread), and it rewrites the header every
 * HEADER_PERIOD so that a killed process leaves a valid file. */
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <jack/ringbuffer.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Seconds between header rewrites. A kill loses what came after the last
 * one plus what sat in the ring: at most this + one poll, under 1 s. */
#define HEADER_PERIOD 0.5
#define MAX_RATE 768000u
#define MAX_RING_SECONDS 60.0
#define MAX_RING_BYTES ((size_t)1 << 30)
enum { DISK_BLOCK = 4096, MAX_TAKE = 9999, TAKE_NAME_SIZE = 32 };

enum { TAKE_IDLE, TAKE_RUNNING, TAKE_ENDED };        /* GsRecorder.state */
enum { END_STOPPED, END_OVERFLOW, END_WRITE_ERROR }; /* why a take ended */

/* The audio thread's counters must not take a lock inside the atomics. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "atomic bools must be lock-free");

struct GsRecorder {
  char dir[PATH_MAX];
  uint32_t channels, rate;
  GsRecFormat format;
  size_t frame_bytes;
  jack_ringbuffer_t *ring;
  float *block; /* the disk thread's interleaved frames */
  long poll_ns; /* the disk thread's sleep between drains */

  /* The take. Main sets these while no disk thread runs; the disk thread
   * owns file, write_errno, error_text and ended_why until it is joined. */
  SNDFILE *file;
  char name[TAKE_NAME_SIZE];
  pthread_t thread;
  bool thread_live; /* main only: a disk thread to join */
  int write_errno;
  char error_text[128];
  char ended_why[PATH_MAX]; /* why the take ended, read by main after join */
  char message[PATH_MAX];   /* main only: the message poll hands out once */

  atomic_int state;       /* TAKE_*; the disk thread sets TAKE_ENDED */
  atomic_bool accepting;  /* the audio thread copies frames into the ring */
  atomic_bool busy;       /* the audio thread is inside gs_recorder_write */
  atomic_bool overflowed; /* the audio thread found no room */
  atomic_bool stop_asked; /* main asks the disk thread to finish */
  atomic_ullong lost;     /* frames the audio thread dropped */
  atomic_ullong written;  /* frames on disk */
};

static void say(char *why, size_t size, const char *format, ...) {
  if (!why || !size) return;
  va_list ap;
  va_start(ap, format);
  vsnprintf(why, size, format, ap);
  va_end(ap);
}

/* ------------------------------------------------------------ creation */

static GsStatus check_args(uint32_t channels, uint32_t rate, GsRecFormat format,
                           double ring_seconds, char *why, size_t size) {
  if (channels < 1 || channels > GS_REC_MAX_CHANNELS) {
    say(why, size, "a take holds 1 to %d channels, not %u", GS_REC_MAX_CHANNELS, channels);
    return GS_ERR_RANGE;
  }
  if (rate < 1 || rate > MAX_RATE) {
    say(why, size, "a sample rate of %u Hz cannot be recorded (1 to %u Hz)", rate, MAX_RATE);
    return GS_ERR_RANGE;
  }
  if (format != GS_REC_W64 && format != GS_REC_RF64) {
    say(why, size, "unknown recording format %d", (int)format);
    return GS_ERR_ARG;
  }
  if (!(ring_seconds > 0.0 && ring_seconds <= MAX_RING_SECONDS)) {
    say(why, size, "a ring of %g s: it must hold more than 0 and at most %g s", ring_seconds,
        MAX_RING_SECONDS);
    return GS_ERR_RANGE;
  }
  return GS_OK;
}

/* The directory exists and takes can be created in it. */
static GsStatus check_dir(const char *dir, char *why, size_t size) {
  struct stat st;
  if (strlen(dir) + 1 + TAKE_NAME_SIZE > PATH_MAX) {
    say(why, size, "the recording directory's name is too long");
    return GS_ERR_ARG;
  }
  if (stat(dir, &st) != 0) {
    say(why, size, "recording directory '%s' %s", dir,
        errno == ENOENT ? "does not exist" : strerror(errno));
    return GS_ERR_IO;
  }
  if (!S_ISDIR(st.st_mode)) {
    say(why, size, "'%s' is not a directory to record into", dir);
    return GS_ERR_IO;
  }
  if (access(dir, W_OK | X_OK) != 0) {
    say(why, size, "recording directory '%s' is not writable (%s)", dir, strerror(errno));
    return GS_ERR_IO;
  }
  return GS_OK;
}

/* The ring and the disk block. The ring is locked in memory where the
 * limit allows (RLIMIT_MEMLOCK is often small outside the audio group) and
 * touched either way, so that the audio thread does not fault pages in. */
static GsStatus alloc_buffers(GsRecorder *r, double ring_seconds, char *why, size_t size) {
  size_t bytes = (size_t)(ring_seconds * r->rate + 1.0) * r->frame_bytes;
  if (bytes > MAX_RING_BYTES) {
    say(why, size, "a ring of %.0f MB is too large; ask for fewer seconds", bytes / 1048576.0);
    return GS_ERR_RANGE;
  }
  r->ring = jack_ringbuffer_create(bytes);
  r->block = malloc(DISK_BLOCK * r->frame_bytes);
  if (!r->ring || !r->block) {
    say(why, size, "no memory for a recording ring of %.1f MB", bytes / 1048576.0);
    return GS_ERR_NOMEM;
  }
  (void)jack_ringbuffer_mlock(r->ring);
  memset(r->ring->buf, 0, r->ring->size);
  return GS_OK;
}

GsStatus gs_recorder_new(const char *dir, uint32_t channels, uint32_t rate, GsRecFormat format,
                         double ring_seconds, GsRecorder **out, char *why, size_t why_size) {
  if (!dir || !out) {
    say(why, why_size, "no recording directory or no place for the recorder");
    return GS_ERR_ARG;
  }
  *out = NULL;
  if (ring_seconds == 0.0) ring_seconds = GS_REC_RING_SECONDS;
  GsStatus st = check_args(channels, rate, format, ring_seconds, why, why_size);
  if (st == GS_OK) st = check_dir(dir, why, why_size);
  if (st != GS_OK) return st;
  GsRecorder *r = calloc(1, sizeof *r);
  if (!r) {
    say(why, why_size, "no memory for a recorder");
    return GS_ERR_NOMEM;
  }
  snprintf(r->dir, sizeof r->dir, "%s", dir);
  r->channels = channels;
  r->rate = rate;
  r->format = format;
  r->frame_bytes = channels * sizeof(float);
  /* drain about 8 times per ring length, but at least every 20 ms */
  double poll = ring_seconds / 8.0;
  r->poll_ns = (long)(1e9 * (poll < 0.001 ? 0.001 : poll > 0.02 ? 0.02 : poll));
  st = alloc_buffers(r, ring_seconds, why, why_size);
  if (st != GS_OK) {
    gs_recorder_free(r);
    return st;
  }
  *out = r;
  return GS_OK;
}

void gs_recorder_free(GsRecorder *r) {
  if (!r) return;
  gs_recorder_stop(r);
  if (r->ring) jack_ringbuffer_free(r->ring);
  free(r->block);
  free(r);
}

/* --------------------------------------------------------- audio thread */

/* Copies samples [first, first + count) of the interleaved stream of n
 * frames into dst. The ring's two segments may split a frame, never a
 * sample: the ring is a power of two and every write a multiple of 4. */
static void interleave(float *dst, size_t first, size_t count, const float *const *channels,
                       uint32_t nch) {
  uint32_t c = (uint32_t)(first % nch);
  size_t f = first / nch;
  for (size_t i = 0; i < count; i++) {
    dst[i] = channels[c][f];
    if (++c == nch) {
      c = 0;
      f++;
    }
  }
}

/* The fences make the ring safe on weakly ordered CPUs: the installed
 * libjack advances its pointers with plain stores, no barrier. */
static void push(GsRecorder *r, const float *const *channels, uint32_t n) {
  size_t bytes = (size_t)n * r->frame_bytes;
  if (atomic_load_explicit(&r->overflowed, memory_order_relaxed) ||
      jack_ringbuffer_write_space(r->ring) < bytes) {
    /* once a block is lost, later ones are too: the file stays gapless */
    atomic_fetch_add_explicit(&r->lost, n, memory_order_relaxed);
    atomic_store_explicit(&r->overflowed, true, memory_order_relaxed);
    return;
  }
  atomic_thread_fence(memory_order_acquire);
  jack_ringbuffer_data_t v[2];
  jack_ringbuffer_get_write_vector(r->ring, v);
  size_t total = (size_t)n * r->channels, first = v[0].len / sizeof(float);
  if (first > total) first = total;
  interleave((float *)(void *)v[0].buf, 0, first, channels, r->channels);
  interleave((float *)(void *)v[1].buf, first, total - first, channels, r->channels);
  atomic_thread_fence(memory_order_release);
  jack_ringbuffer_write_advance(r->ring, bytes);
}

/* busy and accepting pair up as in Dekker's algorithm (both sequentially
 * consistent): once close_gate() has seen busy false after clearing
 * accepting, no frame enters the ring until the next take. */
void gs_recorder_write(GsRecorder *r, const float *const *channels, uint32_t n) {
  if (!r || !n) return;
  atomic_store(&r->busy, true);
  if (atomic_load(&r->accepting)) push(r, channels, n);
  atomic_store(&r->busy, false);
}

/* ---------------------------------------------------------- disk thread */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void close_gate(GsRecorder *r) {
  atomic_store(&r->accepting, false);
  while (atomic_load(&r->busy)) sched_yield();
}

/* Writes every whole frame the ring holds. False on a short write, with
 * the reason in write_errno and error_text. */
static bool drain(GsRecorder *r) {
  for (;;) {
    size_t frames = jack_ringbuffer_read_space(r->ring) / r->frame_bytes;
    if (frames == 0) return true;
    if (frames > DISK_BLOCK) frames = DISK_BLOCK;
    atomic_thread_fence(memory_order_acquire);
    jack_ringbuffer_peek(r->ring, (char *)r->block, frames * r->frame_bytes);
    atomic_thread_fence(memory_order_release);
    jack_ringbuffer_read_advance(r->ring, frames * r->frame_bytes);
    errno = 0;
    sf_count_t done = sf_writef_float(r->file, r->block, (sf_count_t)frames);
    if (done > 0) atomic_fetch_add(&r->written, (unsigned long long)done);
    if (done != (sf_count_t)frames) {
      r->write_errno = errno;
      snprintf(r->error_text, sizeof r->error_text, "%s",
               errno ? strerror(errno) : sf_strerror(r->file));
      return false;
    }
  }
}

static void describe_end(GsRecorder *r, int end) {
  double seconds = (double)atomic_load(&r->written) / r->rate;
  int e = r->write_errno;
  r->ended_why[0] = '\0';
  if (end == END_OVERFLOW)
    snprintf(r->ended_why, sizeof r->ended_why,
             "%s stopped after %.1f s: the disk could not keep up, %llu frames lost", r->name,
             seconds, atomic_load(&r->lost));
  else if (end == END_WRITE_ERROR)
    snprintf(r->ended_why, sizeof r->ended_why, "%s stopped after %.1f s: %s (%s)", r->name,
             seconds, e == ENOSPC || e == EDQUOT ? "disk full" : "write error", r->error_text);
}

static void *disk_main(void *arg) {
  GsRecorder *r = arg;
  struct timespec nap = {0, r->poll_ns};
  double header_at = now();
  int end = END_STOPPED;
  for (;;) {
    bool overflowed = atomic_load(&r->overflowed);
    bool last = overflowed || atomic_load(&r->stop_asked);
    if (last) close_gate(r); /* what the ring holds now is the take's end */
    if (!drain(r)) {
      close_gate(r);
      end = END_WRITE_ERROR;
      break;
    }
    if (last) {
      end = overflowed || atomic_load(&r->overflowed) ? END_OVERFLOW : END_STOPPED;
      break;
    }
    if (now() - header_at >= HEADER_PERIOD) {
      sf_command(r->file, SFC_UPDATE_HEADER_NOW, NULL, 0);
      header_at = now();
    }
    nanosleep(&nap, NULL);
  }
  sf_close(r->file); /* rewrites the header for what reached the disk */
  r->file = NULL;
  describe_end(r, end);
  atomic_store(&r->state, TAKE_ENDED);
  return NULL;
}

/* ---------------------------------------------------------------- takes */

/* Creates the first free DIR/take-NNN.ext (O_EXCL: never an existing
 * file). A number used by a take in the other format counts as taken, so
 * that the numbers follow the order of the takes. */
static GsStatus reserve_take(GsRecorder *r, char *path, size_t size, char *why, size_t why_size) {
  static const char *const ext[] = {"w64", "rf64"};
  char other[PATH_MAX + sizeof r->name];
  for (unsigned n = 1; n <= MAX_TAKE; n++) {
    snprintf(other, sizeof other, "%s/take-%03u.%s", r->dir, n, ext[!r->format]);
    if (access(other, F_OK) == 0) continue;
    snprintf(r->name, sizeof r->name, "take-%03u.%s", n, ext[r->format]);
    snprintf(path, size, "%s/%s", r->dir, r->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      close(fd);
      return GS_OK;
    }
    if (errno != EEXIST) {
      say(why, why_size, "cannot create %s: %s", path, strerror(errno));
      return GS_ERR_IO;
    }
  }
  say(why, why_size, "'%s' holds takes 001 to %d already", r->dir, MAX_TAKE);
  return GS_ERR_IO;
}

static GsStatus open_take(GsRecorder *r, const char *path, char *why, size_t why_size) {
  SF_INFO info = {
      .samplerate = (int)r->rate,
      .channels = (int)r->channels,
      .format = (r->format == GS_REC_RF64 ? SF_FORMAT_RF64 : SF_FORMAT_W64) | SF_FORMAT_FLOAT,
  };
  r->file = sf_open(path, SFM_WRITE, &info); /* the empty file reserve_take made */
  if (!r->file) {
    say(why, why_size, "cannot write %s: %s", path, sf_strerror(NULL));
    unlink(path);
    return GS_ERR_IO;
  }
  return GS_OK;
}

/* Joins a disk thread that has ended or been asked to; its message, if
 * any, waits for poll. */
static void reap(GsRecorder *r) {
  pthread_join(r->thread, NULL);
  r->thread_live = false;
  atomic_store(&r->state, TAKE_IDLE);
  if (r->ended_why[0]) snprintf(r->message, sizeof r->message, "%s", r->ended_why);
}

GsStatus gs_recorder_start(GsRecorder *r, char *path, size_t path_size, char *why,
                           size_t why_size) {
  if (!r) return GS_ERR_ARG;
  if (r->thread_live && atomic_load(&r->state) == TAKE_ENDED) reap(r);
  if (r->thread_live) {
    say(why, why_size, "already recording %s", r->name);
    return GS_ERR_ARG;
  }
  char full[PATH_MAX + sizeof r->name];
  GsStatus st = reserve_take(r, full, sizeof full, why, why_size);
  if (st == GS_OK) st = open_take(r, full, why, why_size);
  if (st != GS_OK) return st;
  /* no thread touches the ring now: the gate closed when the last take
   * ended, and its disk thread has been joined */
  jack_ringbuffer_reset(r->ring);
  atomic_store(&r->overflowed, false);
  atomic_store(&r->stop_asked, false);
  atomic_store(&r->lost, 0);
  atomic_store(&r->written, 0);
  r->write_errno = 0;
  atomic_store(&r->state, TAKE_RUNNING);
  int e = pthread_create(&r->thread, NULL, disk_main, r);
  if (e != 0) {
    say(why, why_size, "cannot start the disk thread: %s", strerror(e));
    sf_close(r->file);
    r->file = NULL;
    unlink(full);
    atomic_store(&r->state, TAKE_IDLE);
    return GS_ERR_NOMEM;
  }
  r->thread_live = true;
  atomic_store(&r->accepting, true);
  if (path && path_size) snprintf(path, path_size, "%s", full);
  return GS_OK;
}

void gs_recorder_stop(GsRecorder *r) {
  if (!r || !r->thread_live) return;
  atomic_store(&r->stop_asked, true);
  reap(r);
}

bool gs_recorder_poll(GsRecorder *r, double *seconds, char *message, size_t size) {
  if (message && size) message[0] = '\0';
  if (!r) return false;
  if (r->thread_live && atomic_load(&r->state) == TAKE_ENDED) reap(r);
  if (seconds) *seconds = (double)atomic_load(&r->written) / r->rate;
  if (r->message[0]) {
    if (message && size) snprintf(message, size, "%s", r->message);
    r->message[0] = '\0';
  }
  return r->thread_live;
}
