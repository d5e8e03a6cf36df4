/* LD_PRELOAD interposer for real-time checks of the command-line tool:
 * wraps gs_chain_process and counts, while it runs, every call that has no
 * place on an audio thread: heap allocation, mutex locking, file I/O.
 * A host whose audio code is out of reach (an LV2 plugin's run(), linked
 * into its own binary) brackets it with rt_interpose_enter/leave, which it
 * finds with dlsym when this is preloaded.
 * At exit it writes "process_calls=N host_brackets=B forbidden=M" (and
 * which) to the file
 * named by $RT_INTERPOSE_REPORT. With $RT_INTERPOSE_SELFTEST set it makes
 * one allocation inside on purpose, so a test can see that it counts. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gainstage/gainstage.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static __thread int inside;
static long process_calls, host_brackets;
static long counts[8];
static const char *const names[8] = {"malloc",   "calloc", "realloc",    "free",
                                     "memalign", "mutex",  "read/write", "open"};

#define NOTE(i)              \
  do {                       \
    if (inside) counts[i]++; \
  } while (0)

void *malloc(size_t n) {
  NOTE(0);
  return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
  NOTE(1);
  return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  NOTE(2);
  return __libc_realloc(p, n);
}
void free(void *p) {
  if (p) NOTE(3);
  __libc_free(p);
}
void *aligned_alloc(size_t a, size_t n) {
  NOTE(4);
  return __libc_memalign(a, n);
}
int posix_memalign(void **out, size_t a, size_t n) {
  NOTE(4);
  *out = __libc_memalign(a, n);
  return *out ? 0 : 12;
}

typedef void (*ProcessFn)(GsChain *, const float *const *, float *const *, uint32_t);
typedef int (*LockFn)(pthread_mutex_t *);
typedef ssize_t (*ReadFn)(int, void *, size_t);
typedef ssize_t (*WriteFn)(int, const void *, size_t);
typedef int (*OpenFn)(const char *, int, ...);
typedef FILE *(*FopenFn)(const char *, const char *);

static ProcessFn real_process;
static LockFn real_lock;
static ReadFn real_read;
static WriteFn real_write;
static OpenFn real_open;
static FopenFn real_fopen;

/* dlsym gives an object pointer; POSIX allows this copy into a function
 * pointer, ISO C's pedantic mode does not allow the cast. */
#define RESOLVE(var, name)               \
  do {                                   \
    void *sym_ = dlsym(RTLD_NEXT, name); \
    memcpy(&(var), &sym_, sizeof(var));  \
  } while (0)

__attribute__((constructor)) static void resolve(void) {
  RESOLVE(real_process, "gs_chain_process");
  RESOLVE(real_lock, "pthread_mutex_lock");
  RESOLVE(real_read, "read");
  RESOLVE(real_write, "write");
  RESOLVE(real_open, "open");
  RESOLVE(real_fopen, "fopen");
}

void gs_chain_process(GsChain *c, const float *const *in, float *const *out, uint32_t n) {
  int was = inside; /* a host's bracket may hold chains (the JACK rig's) */
  inside = 1;
  process_calls++;
  /* self-test: prove a forbidden call inside would be counted */
  if (process_calls == 1 && getenv("RT_INTERPOSE_SELFTEST")) {
    void *volatile p = malloc(16); /* volatile: not optimized away */
    free(p);
  }
  real_process(c, in, out, n);
  inside = was;
}

void rt_interpose_enter(void);
void rt_interpose_leave(void);
void rt_interpose_enter(void) {
  inside = 1;
  process_calls++;
  host_brackets++;
  if (process_calls == 1 && getenv("RT_INTERPOSE_SELFTEST")) {
    void *volatile p = malloc(16);
    free(p);
  }
}
void rt_interpose_leave(void) {
  inside = 0;
}

int pthread_mutex_lock(pthread_mutex_t *m) {
  NOTE(5);
  return real_lock(m);
}
ssize_t read(int fd, void *buf, size_t n) {
  NOTE(6);
  return real_read(fd, buf, n);
}
ssize_t write(int fd, const void *buf, size_t n) {
  NOTE(6);
  return real_write(fd, buf, n);
}
int open(const char *path, int flags, ...) {
  NOTE(7);
  va_list ap;
  va_start(ap, flags);
  int mode = va_arg(ap, int);
  va_end(ap);
  return real_open(path, flags, mode);
}
FILE *fopen(const char *path, const char *mode) {
  NOTE(7);
  return real_fopen(path, mode);
}

__attribute__((destructor)) static void report(void) {
  const char *path = getenv("RT_INTERPOSE_REPORT");
  if (!path) return;
  FILE *f = real_fopen(path, "w");
  if (!f) return;
  long total = 0;
  for (int i = 0; i < 8; i++) total += counts[i];
  fprintf(f, "process_calls=%ld host_brackets=%ld forbidden=%ld", process_calls, host_brackets,
          total);
  for (int i = 0; i < 8; i++) {
    if (counts[i]) fprintf(f, " %s=%ld", names[i], counts[i]);
  }
  fprintf(f, "\n");
  fclose(f);
}
