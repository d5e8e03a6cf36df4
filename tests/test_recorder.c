/* The rig's take recorder (jack/recorder.c): frames handed over by a
 * producer thread come back sample-exact from the file libsndfile reads;
 * a process killed mid-take leaves a readable file missing at most the last
 * second; a full disk and a ring overflow end the take with a message and a
 * readable file, and the next take starts; W64 and RF64, take numbering,
 * refused arguments; the audio thread's call makes no syscall (seccomp) and
 * no allocation. The signal: channel c is a sine of 110 * (c + 1) Hz,
 * computed the same way when written and when checked. An argument is a
 * cmocka filter (glob) of the tests to run: test_recorder 'disk*'. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <pthread.h>
#include <sndfile.h>

#include "harness.h"
#include "recorder.h"

enum { RATE = 48000, BLOCK = 64, MAX_CH = 64 };

static float sig(uint32_t c, uint64_t i) {
  return (float)(0.5 * sin(2.0 * PI * 110.0 * (c + 1) * (double)i / RATE));
}

static void sleep_until(const struct timespec *t0, double seconds) {
  struct timespec t = *t0;
  double s = floor(seconds);
  t.tv_sec += (time_t)s;
  t.tv_nsec += (long)((seconds - s) * 1e9);
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
}

/* Hands frames [0, frames) to r in blocks of BLOCK, each no earlier than
 * its last frame's time at `speed` times real time (0: as fast as can be),
 * as a JACK callback would. `handed` (may be NULL) counts the frames. */
static void produce(GsRecorder *r, uint32_t nch, uint64_t frames, double speed,
                    atomic_ullong *handed) {
  float buf[MAX_CH][BLOCK];
  const float *planes[MAX_CH];
  for (uint32_t c = 0; c < nch; c++) planes[c] = buf[c];
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (uint64_t i = 0; i < frames; i += BLOCK) {
    uint32_t n = frames - i < BLOCK ? (uint32_t)(frames - i) : BLOCK;
    for (uint32_t c = 0; c < nch; c++)
      for (uint32_t k = 0; k < n; k++) buf[c][k] = sig(c, i + k);
    if (speed > 0) sleep_until(&t0, (double)(i + n) / RATE / speed);
    gs_recorder_write(r, planes, n);
    if (handed) atomic_store(handed, i + n);
  }
}

typedef struct {
  bool opened;
  int format, channels, rate;
  sf_count_t frames;    /* frames read */
  sf_count_t first_bad; /* first frame unlike sig(), -1 if none */
} Take;

static Take read_take(const char *path) {
  Take t = {.first_bad = -1};
  SF_INFO info = {0};
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f) return t;
  t.opened = true;
  t.format = info.format;
  t.channels = info.channels;
  t.rate = info.samplerate;
  float *x = malloc((size_t)(info.frames + 1) * (size_t)info.channels * sizeof(float));
  assert_non_null(x);
  t.frames = sf_readf_float(f, x, info.frames);
  for (sf_count_t i = 0; i < t.frames && t.first_bad < 0; i++)
    for (int c = 0; c < info.channels; c++)
      if (x[i * info.channels + c] != sig((uint32_t)c, (uint64_t)i)) t.first_bad = i;
  free(x);
  sf_close(f);
  return t;
}

static void make_dir(char *dir) {
  strcpy(dir, "/tmp/gs-rec-XXXXXX");
  assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  char path[512];
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
}

static GsRecorder *recorder(const char *dir, uint32_t nch, GsRecFormat format, double ring) {
  GsRecorder *r = NULL;
  char why[512] = "";
  GsStatus st = gs_recorder_new(dir, nch, RATE, format, ring, &r, why, sizeof why);
  if (st != GS_OK) fail_msg("gs_recorder_new: %s", why);
  return r;
}

static void start(GsRecorder *r, char *path, size_t size) {
  char why[512] = "";
  if (gs_recorder_start(r, path, size, why, sizeof why) != GS_OK)
    fail_msg("gs_recorder_start: %s", why);
}

/* Waits until the take ends by itself (at most 10 s); gets its message. */
static bool wait_end(GsRecorder *r, char *message, size_t size) {
  for (int i = 0; i < 1000; i++) {
    if (!gs_recorder_poll(r, NULL, message, size)) return true;
    usleep(10000);
  }
  return false;
}

/* --------------------------------------------------- 1: exact, 10 s */

typedef struct {
  GsRecorder *r;
  uint32_t nch;
  uint64_t frames;
  double speed;
} Producer;

static void *producer_main(void *arg) {
  Producer *p = arg;
  produce(p->r, p->nch, p->frames, p->speed, NULL);
  return NULL;
}

/* 10 s of 8 channels from a producer thread at 4x real time through a
 * 4 s ring (it wraps; a 1 s stall of the disk thread is absorbed, as on a
 * loaded CI machine); stop drains; every sample comes back. */
static void ten_seconds_exact(void **state) {
  (void)state;
  char dir[64], path[512], message[512];
  make_dir(dir);
  Producer p = {.r = recorder(dir, 8, GS_REC_W64, 4), .nch = 8, .frames = 10 * RATE, .speed = 4};
  start(p.r, path, sizeof path);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, producer_main, &p), 0);
  pthread_join(t, NULL);
  gs_recorder_stop(p.r);
  double seconds = 0;
  assert_false(gs_recorder_poll(p.r, &seconds, message, sizeof message));
  assert_string_equal(message, "");
  gs_recorder_free(p.r);
  Take k = read_take(path);
  printf("exact: %s: %lld frames of %llu, %d channels, first wrong frame %lld, %.3f s\n", path,
         (long long)k.frames, (unsigned long long)p.frames, k.channels, (long long)k.first_bad,
         seconds);
  assert_true(k.opened);
  assert_int_equal(k.format, SF_FORMAT_W64 | SF_FORMAT_FLOAT);
  assert_int_equal(k.channels, 8);
  assert_int_equal(k.rate, RATE);
  assert_int_equal(k.frames, p.frames);
  assert_int_equal(k.first_bad, -1);
  assert_true(fabs(seconds - 10.0) < 1e-9);
  remove_dir(dir);
}

/* ------------------------------------------------ 2: kill -9 mid-take */

typedef struct {
  atomic_ullong handed; /* frames given to gs_recorder_write */
  char path[512];
} Shared;

/* Zeroed memory a forked child shares with the test. */
static void *shared_new(size_t size) {
  void *s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  assert_true(s != MAP_FAILED);
  memset(s, 0, size);
  return s;
}

/* A child records 4 channels in real time until killed (at most 20 s). */
static void record_until_killed(const char *dir, GsRecFormat format, Shared *s) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  GsRecorder *r = NULL;
  if (gs_recorder_new(dir, 4, RATE, format, 0, &r, NULL, 0) != GS_OK) _exit(2);
  if (gs_recorder_start(r, s->path, sizeof s->path, NULL, 0) != GS_OK) _exit(3);
  produce(r, 4, 20 * RATE, 1.0, &s->handed);
  _exit(4);
}

static unsigned long long le64(const unsigned char *p) {
  unsigned long long v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* The frames the header declares, read from its bytes: libsndfile also
 * finds audio past a stale W64 header, other programs need the header.
 * RF64: the ds64 chunk's data size (EBU Tech 3306, 3.2). W64: the size of
 * the chunk whose GUID begins "data", 24 header bytes included, chunks
 * 8-byte aligned (Sony Wave64 specification). */
static long long header_frames(const char *path, unsigned frame_bytes) {
  unsigned char h[4096];
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  size_t n = fread(h, 1, sizeof h, f);
  fclose(f);
  if (n >= 36 && !memcmp(h, "RF64", 4) && !memcmp(h + 12, "ds64", 4))
    return (long long)(le64(h + 28) / frame_bytes);
  for (size_t at = 40; n >= 40 && !memcmp(h, "riff", 4) && at + 24 <= n;) {
    unsigned long long size = le64(h + at + 16);
    if (!memcmp(h + at, "data", 4)) return (long long)((size - 24) / frame_bytes);
    if (size < 24) break;
    at += (size + 7) & ~7ull;
  }
  return -1;
}

/* Kills a child 3.3 s into a real-time take (not a multiple of the header
 * period); the file must hold all but the last second, per libsndfile and
 * per the header's own bytes. */
static void kill_take(GsRecFormat format, int sf_format) {
  char dir[64];
  make_dir(dir);
  Shared *s = shared_new(sizeof *s);
  fflush(stdout);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) record_until_killed(dir, format, s);
  for (int i = 0; i < 2000 && atomic_load(&s->handed) < 3.3 * RATE; i++) usleep(5000);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  unsigned long long handed = atomic_load(&s->handed);
  Take k = read_take(s->path);
  long long declared = header_frames(s->path, 4 * sizeof(float));
  double missing = ((double)handed - (double)k.frames) / RATE;
  double undeclared = ((double)handed - (double)declared) / RATE;
  printf(
      "kill -9: %llu frames (%.3f s) handed over; %s: libsndfile reads %lld (%.3f s missing), "
      "the header declares %lld (%.3f s missing)\n",
      handed, (double)handed / RATE, s->path, (long long)k.frames, missing, declared, undeclared);
  assert_true(handed >= 3 * RATE);
  assert_true(k.opened);
  assert_int_equal(k.format, sf_format | SF_FORMAT_FLOAT);
  assert_int_equal(k.channels, 4);
  assert_int_equal(k.first_bad, -1);
  assert_true(k.frames <= (sf_count_t)handed + BLOCK); /* one block may be in flight */
  assert_true(missing <= 1.0);
  assert_true(declared <= k.frames && undeclared <= 1.0);
  munmap(s, sizeof *s);
  remove_dir(dir);
}

static void survives_kill(void **state) {
  (void)state;
  kill_take(GS_REC_W64, SF_FORMAT_W64);
  kill_take(GS_REC_RF64, SF_FORMAT_RF64);
}

/* ----------------------------------------------------- 3: disk full */

typedef struct {
  char message[512], path[512], path2[512], why2[512];
  bool recording;
  int restart;
  int allocs; /* test 6 */
} Full;

/* fn(dir, f) in a child process, which it ends with _exit: its wait
 * status. */
static int in_child(void (*fn)(const char *, Full *), const char *dir, Full *f) {
  fflush(stdout);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) fn(dir, f);
  int status = 0;
  waitpid(child, &status, 0);
  return status;
}

/* A child with a 300 kB file size limit records 2 s of 4 channels (1.5 MB)
 * at 4x real time, then starts a second take of 0.1 s (77 kB). */
static void record_past_limit(const char *dir, Full *f) {
  struct rlimit lim = {300000, 300000};
  if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(2);
  signal(SIGXFSZ, SIG_IGN);
  GsRecorder *r = NULL;
  if (gs_recorder_new(dir, 4, RATE, GS_REC_W64, 0, &r, NULL, 0) != GS_OK) _exit(3);
  if (gs_recorder_start(r, f->path, sizeof f->path, NULL, 0) != GS_OK) _exit(4);
  produce(r, 4, 2 * RATE, 4.0, NULL);
  if (!wait_end(r, f->message, sizeof f->message)) _exit(5);
  f->recording = gs_recorder_poll(r, NULL, NULL, 0);
  f->restart = gs_recorder_start(r, f->path2, sizeof f->path2, f->why2, sizeof f->why2);
  produce(r, 4, RATE / 10, 0, NULL);
  gs_recorder_stop(r);
  gs_recorder_free(r);
  _exit(0);
}

static void disk_full_stops_take(void **state) {
  (void)state;
  char dir[64];
  make_dir(dir);
  Full *f = shared_new(sizeof *f);
  int status = in_child(record_past_limit, dir, f);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  Take k = read_take(f->path), k2 = read_take(f->path2);
  printf("disk full: \"%s\"; %s holds %lld frames (%.3f s), exact to frame %lld\n", f->message,
         f->path, (long long)k.frames, (double)k.frames / RATE, (long long)k.first_bad);
  printf("disk full: next take %s (status %d%s%s) holds %lld frames\n", f->path2, f->restart,
         f->why2[0] ? ": " : "", f->why2, (long long)k2.frames);
  assert_non_null(strstr(f->message, "take-001.w64 stopped after"));
  assert_non_null(strstr(f->message, "File too large"));
  assert_false(f->recording);
  assert_true(k.opened);
  assert_true(k.frames > RATE / 10 && k.frames * 16 < 300000);
  assert_int_equal(k.first_bad, -1);
  assert_int_equal(f->restart, GS_OK);
  assert_true(k2.opened);
  assert_int_equal(k2.frames, RATE / 10);
  assert_int_equal(k2.first_bad, -1);
  munmap(f, sizeof *f);
  remove_dir(dir);
}

/* ------------------------------------------------ 4: the disk too slow */

/* 100 s of audio in a tight loop into a 0.1 s ring. */
static void overflow_stops_take(void **state) {
  (void)state;
  char dir[64], path[512], message[512];
  make_dir(dir);
  GsRecorder *r = recorder(dir, 2, GS_REC_W64, 0.1);
  start(r, path, sizeof path);
  produce(r, 2, 100 * RATE, 0, NULL);
  assert_true(wait_end(r, message, sizeof message));
  char again[512];
  assert_false(gs_recorder_poll(r, NULL, again, sizeof again));
  assert_string_equal(again, ""); /* the message comes once */
  gs_recorder_free(r);
  Take k = read_take(path);
  unsigned long long lost = 0;
  const char *at = strstr(message, "could not keep up, ");
  if (at) sscanf(at, "could not keep up, %llu frames lost", &lost);
  printf("overflow: \"%s\"; file holds %lld frames, %llu lost, of %d handed over\n", message,
         (long long)k.frames, lost, 100 * RATE);
  assert_non_null(strstr(message, "take-001.w64 stopped after"));
  assert_non_null(at);
  assert_true(lost >= BLOCK && lost % BLOCK == 0);
  assert_true(k.opened);
  assert_true(k.frames >= RATE / 20);
  assert_true((unsigned long long)k.frames + lost <= 100ull * RATE);
  assert_int_equal(k.first_bad, -1);
  remove_dir(dir);
}

/* ------------------------------------- 5: RF64, numbering, bad input */

static void take_of(GsRecorder *r, double seconds, char *path, size_t size) {
  start(r, path, size);
  produce(r, 2, (uint64_t)(seconds * RATE), 0, NULL);
  gs_recorder_stop(r);
}

static void rf64_and_numbering(void **state) {
  (void)state;
  char dir[64], path[512], keep[512], why[512];
  make_dir(dir);
  snprintf(keep, sizeof keep, "%s/take-002.w64", dir);
  FILE *fp = fopen(keep, "w");
  assert_non_null(fp);
  fputs("not a take\n", fp);
  fclose(fp);
  GsRecorder *r = recorder(dir, 2, GS_REC_W64, 0);
  produce(r, 2, RATE, 0, NULL); /* no take yet: ignored */
  take_of(r, 0.5, path, sizeof path);
  assert_non_null(strstr(path, "/take-001.w64"));
  assert_int_equal(read_take(path).frames, RATE / 2);
  assert_int_equal(read_take(path).first_bad, -1);
  start(r, path, sizeof path);
  assert_non_null(strstr(path, "/take-003.w64"));
  assert_int_equal(gs_recorder_start(r, NULL, 0, why, sizeof why), GS_ERR_ARG);
  assert_non_null(strstr(why, "already recording take-003.w64"));
  gs_recorder_stop(r);
  gs_recorder_stop(r); /* twice is harmless */
  gs_recorder_free(r);
  char text[64] = "";
  fp = fopen(keep, "r");
  assert_non_null(fgets(text, sizeof text, fp));
  fclose(fp);
  assert_string_equal(text, "not a take\n");

  r = recorder(dir, 2, GS_REC_RF64, 0);
  take_of(r, 1.0, path, sizeof path);
  gs_recorder_free(r);
  Take k = read_take(path);
  printf("rf64: %s holds %lld frames, format 0x%x\n", path, (long long)k.frames, k.format);
  assert_non_null(strstr(path, "/take-004.rf64"));
  assert_int_equal(k.format, SF_FORMAT_RF64 | SF_FORMAT_FLOAT);
  assert_int_equal(k.frames, RATE);
  assert_int_equal(k.first_bad, -1);
  remove_dir(dir);
}

static void refused(const char *dir, uint32_t nch, double ring, GsStatus want, const char *words) {
  GsRecorder *r = (GsRecorder *)&r; /* must come back NULL */
  char why[512] = "";
  GsStatus st = gs_recorder_new(dir, nch, RATE, GS_REC_W64, ring, &r, why, sizeof why);
  printf("refused: %s\n", why);
  assert_int_equal(st, want);
  assert_null(r);
  if (!strstr(why, words)) fail_msg("'%s' does not say '%s'", why, words);
}

static void refuses_bad_arguments(void **state) {
  (void)state;
  char dir[64], file[128];
  make_dir(dir);
  refused(dir, 0, 0, GS_ERR_RANGE, "1 to 64 channels, not 0");
  refused(dir, 65, 0, GS_ERR_RANGE, "1 to 64 channels, not 65");
  refused(dir, 2, -1, GS_ERR_RANGE, "ring");
  refused("/nonexistent/takes", 2, 0, GS_ERR_IO, "does not exist");
  snprintf(file, sizeof file, "%s/plain", dir);
  fclose(fopen(file, "w"));
  refused(file, 2, 0, GS_ERR_IO, "not a directory");
  if (geteuid() != 0) { /* root may write anywhere */
    chmod(dir, 0555);
    refused(dir, 2, 0, GS_ERR_IO, "not writable");
    chmod(dir, 0755);
  }
  gs_recorder_free(recorder(dir, 64, GS_REC_W64, 0)); /* 64 is allowed */
  gs_recorder_free(NULL);
  gs_recorder_write(NULL, NULL, 64);
  assert_false(gs_recorder_poll(NULL, NULL, NULL, 0));
  remove_dir(dir);
}

/* ------------------------------------ 6: the audio thread's call, policed */

/* Allocations made while in_audio is set are counted: the executable's
 * malloc family overrides libc's for the whole process (as in test_alloc.c).
 * Syscalls are refused outright by seccomp, below. */
static _Thread_local bool in_audio;
static atomic_int audio_allocs;
/* Sanitizers bring their own malloc: then only the syscall check runs. */
#ifndef GS_SANITIZER_MALLOC
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static void note(void) {
  if (in_audio) atomic_fetch_add(&audio_allocs, 1);
}
void *malloc(size_t n) {
  note();
  return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
  note();
  return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  note();
  return __libc_realloc(p, n);
}
void free(void *p) {
  note();
  __libc_free(p);
}
#endif

typedef struct {
  GsRecorder *r;
  const float *planes[2]; /* 1 s of sig() */
  atomic_int phase;       /* -1: no seccomp; 1: overflowed; 2: go on; 3: done */
} Audio;

/* 1 s in blocks of BLOCK as fast as can be, then a block of 0.5 s, more
 * than the 0.1 s ring holds: the overflow path, surely. */
static void hand_over(Audio *a) {
  for (uint32_t i = 0; i < RATE; i += BLOCK) {
    const float *p[2] = {a->planes[0] + i, a->planes[1] + i};
    gs_recorder_write(a->r, p, BLOCK);
  }
  gs_recorder_write(a->r, a->planes, RATE / 2);
}

/* Under a filter that kills the process at any syscall, the thread hands
 * over frames through the ring and past its end, then, once the take has
 * ended, into no take. It never returns (returning needs syscalls); the
 * child's exit ends it. */
static void *audio_main(void *arg) {
  Audio *a = arg;
  struct sock_filter deny = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  struct sock_fprog prog = {.len = 1, .filter = &deny};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
    atomic_store(&a->phase, -1);
    return NULL;
  }
  in_audio = true;
  hand_over(a);
  atomic_store(&a->phase, 1);
  while (atomic_load(&a->phase) != 2) continue;
  hand_over(a);
  atomic_store(&a->phase, 3);
  for (;;) continue;
}

static void police_audio_thread(const char *dir, Full *f) {
  Audio *a = calloc(1, sizeof *a);
  float *x = malloc(2 * RATE * sizeof(float));
  for (uint32_t c = 0; c < 2; c++) {
    a->planes[c] = x + c * RATE;
    for (uint32_t i = 0; i < RATE; i++) x[c * RATE + i] = sig(c, i);
  }
  if (gs_recorder_new(dir, 2, RATE, GS_REC_W64, 0.1, &a->r, NULL, 0) != GS_OK) _exit(3);
  if (gs_recorder_start(a->r, f->path, sizeof f->path, NULL, 0) != GS_OK) _exit(4);
  pthread_t t;
  if (pthread_create(&t, NULL, audio_main, a) != 0) _exit(5);
  while (atomic_load(&a->phase) == 0) usleep(1000);
  if (atomic_load(&a->phase) < 0) _exit(2);
  if (!wait_end(a->r, f->message, sizeof f->message)) _exit(6);
  atomic_store(&a->phase, 2);
  while (atomic_load(&a->phase) != 3) usleep(1000);
  f->allocs = atomic_load(&audio_allocs);
  _exit(0);
}

static void audio_call_is_realtime_safe(void **state) {
  (void)state;
#ifdef GS_TSAN
  skip(); /* checked on the plain and AddressSanitizer builds */
#endif
  char dir[64];
  make_dir(dir);
  Full *f = shared_new(sizeof *f);
  int status = in_child(police_audio_thread, dir, f);
  Take k = read_take(f->path);
  printf("audio thread under seccomp: %s %d; %d allocations; \"%s\"; file holds %lld frames\n",
         WIFSIGNALED(status) ? "killed by signal" : "exit",
         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), f->allocs, f->message,
         (long long)k.frames);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
    remove_dir(dir);
    skip(); /* no seccomp in this kernel or container */
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
    fail_msg("the audio thread made a syscall");
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(f->allocs, 0);
  assert_non_null(strstr(f->message, "could not keep up"));
  assert_true(k.frames >= RATE / 20);
  assert_int_equal(k.first_bad, -1);
  munmap(f, sizeof *f);
  remove_dir(dir);
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ten_seconds_exact),           cmocka_unit_test(survives_kill),
      cmocka_unit_test(disk_full_stops_take),        cmocka_unit_test(overflow_stops_take),
      cmocka_unit_test(rf64_and_numbering),          cmocka_unit_test(refuses_bad_arguments),
      cmocka_unit_test(audio_call_is_realtime_safe),
  };
  if (argc > 1) cmocka_set_test_filter(argv[1]);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
