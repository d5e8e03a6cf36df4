/* A minimal offline LADSPA host, to time a LADSPA plugin the way
 * tests/lv2host.c times an LV2 one (for bench/).
 *
 *   ladspahost [--time] [--null] [--block N] [--set NAME=VALUE]... PLUGIN.so LABEL IN.wav OUT.wav
 *
 * The plugin must have exactly one audio input and one audio output port,
 * and IN.wav must be mono. Control inputs start at their LADSPA default
 * and --set overrides them by exact port name. run() gets blocks of N
 * frames (256 unless told); the whole input is read before the first and
 * the output written after the last. OUT.wav is 32-bit float, written to
 * OUT.wav.tmp and renamed only when complete, so a failure leaves no
 * partial file. --time prints the times of bench/host_clock.h; --null
 * instantiates the plugin but copies the input instead of calling run()
 * (the host's own cost, for callgrind).
 * Exit status: 0 ok, 1 runtime failure, 2 bad usage or input. */
#include <dlfcn.h>
#include <errno.h>
#include <ladspa.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host_clock.h"

#define MAX_SETS 64
#define MAX_BLOCK (1L << 20)

enum { OK = 0, FAILED = 1, BAD_INPUT = 2 };

typedef struct {
  bool time, null;
  unsigned long block;
  const char *set_names[MAX_SETS];
  float set_values[MAX_SETS];
  int n_sets;
  const char *so, *label, *in, *out;
} Args;

typedef struct {
  void *lib;
  const LADSPA_Descriptor *desc;
  LADSPA_Handle handle;
  LADSPA_Data *controls; /* one slot per port; control outputs write theirs too */
  LADSPA_Data *in, *out; /* one block each */
  unsigned long in_port, out_port;
  double run_seconds; /* inside run() */
  double loop_cpu;    /* over the loop of blocks, every thread */
  sf_count_t frames;
} Host;

__attribute__((format(printf, 2, 3))) static int fail(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ladspahost: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return status;
}

/* ------------------------------------------------------------ arguments */

static bool parse_float(const char *s, float *value) {
  char *end;
  errno = 0;
  *value = strtof(s, &end);
  return end != s && !*end && !errno && isfinite(*value);
}

static int parse_block(const char *s, unsigned long *block) {
  char *end;
  errno = 0;
  long n = strtol(s, &end, 10);
  if (end == s || *end || errno || n < 1 || n > MAX_BLOCK) {
    return fail(BAD_INPUT, "--block wants a frame count from 1 to %ld, not '%s'", MAX_BLOCK, s);
  }
  *block = (unsigned long)n;
  return OK;
}

/* NAME=VALUE; the name is cut out of argv in place. */
static int parse_set(Args *a, char *arg) {
  char *eq = strchr(arg, '=');
  if (a->n_sets == MAX_SETS) return fail(BAD_INPUT, "more than %d --set options", MAX_SETS);
  if (!eq || eq == arg || !parse_float(eq + 1, &a->set_values[a->n_sets])) {
    return fail(BAD_INPUT, "--set wants NAME=NUMBER, not '%s'", arg);
  }
  *eq = '\0';
  a->set_names[a->n_sets++] = arg;
  return OK;
}

static int parse_args(int argc, char **argv, Args *a) {
  const char **positional[] = {&a->so, &a->label, &a->in, &a->out};
  int pos = 0, rc = OK;
  a->block = 256;
  for (int i = 1; i < argc && !rc; i++) {
    if (!strcmp(argv[i], "--time")) {
      a->time = true;
    } else if (!strcmp(argv[i], "--null")) {
      a->null = true;
    } else if (!strcmp(argv[i], "--block") && i + 1 < argc) {
      rc = parse_block(argv[++i], &a->block);
    } else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
      rc = parse_set(a, argv[++i]);
    } else if (!strncmp(argv[i], "--", 2) || pos == 4) {
      rc = fail(BAD_INPUT, "unexpected argument '%s'", argv[i]);
    } else {
      *positional[pos++] = argv[i];
    }
  }
  if (!rc && pos < 4) rc = BAD_INPUT;
  if (rc) {
    fprintf(stderr,
            "usage: ladspahost [--time] [--null] [--block N] [--set NAME=VALUE]... "
            "PLUGIN.so LABEL IN.wav OUT.wav\n");
  }
  return rc;
}

/* --------------------------------------------------------------- plugin */

static int load_plugin(Host *host, const char *path, const char *label) {
  host->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!host->lib) return fail(BAD_INPUT, "cannot load plugin: %s", dlerror());
  void *sym = dlsym(host->lib, "ladspa_descriptor");
  if (!sym) return fail(BAD_INPUT, "%s: not a LADSPA library (no ladspa_descriptor)", path);
  /* ISO C has no object-to-function pointer conversion; POSIX makes
   * them the same size, so copy the bits (as lv2host does). */
  LADSPA_Descriptor_Function descriptor;
  memcpy(&descriptor, &sym, sizeof descriptor);
  for (unsigned long i = 0; (host->desc = descriptor(i)) != NULL; i++) {
    if (!strcmp(host->desc->Label, label)) return OK;
  }
  return fail(BAD_INPUT, "%s: no plugin labelled '%s'", path, label);
}

/* A point between the bounds, geometric for logarithmic ports as LADSPA
 * 1.1 asks, unless a bound is not positive and the logarithm undefined. */
static float between(float lo, float hi, float w_hi, bool logarithmic) {
  if (logarithmic && lo > 0 && hi > 0) return expf(logf(lo) * (1 - w_hi) + logf(hi) * w_hi);
  return lo * (1 - w_hi) + hi * w_hi;
}

static float default_value(const LADSPA_PortRangeHint *range, unsigned long rate) {
  LADSPA_PortRangeHintDescriptor h = range->HintDescriptor;
  float scale = LADSPA_IS_HINT_SAMPLE_RATE(h) ? (float)rate : 1.0f; /* bounds only */
  float lo = range->LowerBound * scale, hi = range->UpperBound * scale, v = 0;
  bool logarithmic = LADSPA_IS_HINT_LOGARITHMIC(h);
  switch (h & LADSPA_HINT_DEFAULT_MASK) {
    case LADSPA_HINT_DEFAULT_MINIMUM: v = lo; break;
    case LADSPA_HINT_DEFAULT_LOW: v = between(lo, hi, 0.25f, logarithmic); break;
    case LADSPA_HINT_DEFAULT_MIDDLE: v = between(lo, hi, 0.5f, logarithmic); break;
    case LADSPA_HINT_DEFAULT_HIGH: v = between(lo, hi, 0.75f, logarithmic); break;
    case LADSPA_HINT_DEFAULT_MAXIMUM: v = hi; break;
    case LADSPA_HINT_DEFAULT_0: v = 0; break;
    case LADSPA_HINT_DEFAULT_1: v = 1; break;
    case LADSPA_HINT_DEFAULT_100: v = 100; break;
    case LADSPA_HINT_DEFAULT_440: v = 440; break;
    default: /* none given: 0, moved inside whatever bounds there are */
      if (LADSPA_IS_HINT_BOUNDED_BELOW(h) && v < lo) v = lo;
      if (LADSPA_IS_HINT_BOUNDED_ABOVE(h) && v > hi) v = hi;
  }
  return LADSPA_IS_HINT_INTEGER(h) ? roundf(v) : v;
}

/* Finds the audio ports and sets control inputs to their defaults. */
static int setup_ports(Host *host, unsigned long rate) {
  const LADSPA_Descriptor *d = host->desc;
  unsigned long n_in = 0, n_out = 0;
  host->controls = calloc(d->PortCount + 1, sizeof *host->controls);
  if (!host->controls) return fail(FAILED, "out of memory");
  for (unsigned long p = 0; p < d->PortCount; p++) {
    LADSPA_PortDescriptor pd = d->PortDescriptors[p];
    if (LADSPA_IS_PORT_CONTROL(pd)) {
      if (LADSPA_IS_PORT_INPUT(pd)) host->controls[p] = default_value(&d->PortRangeHints[p], rate);
    } else if (LADSPA_IS_PORT_INPUT(pd)) {
      host->in_port = p;
      n_in++;
    } else {
      host->out_port = p;
      n_out++;
    }
  }
  if (n_in != 1 || n_out != 1) {
    return fail(BAD_INPUT, "%s has %lu audio inputs and %lu outputs; need exactly one of each",
                d->Label, n_in, n_out);
  }
  return OK;
}

static bool is_control_input(const LADSPA_Descriptor *d, unsigned long p) {
  return LADSPA_IS_PORT_CONTROL(d->PortDescriptors[p]) &&
         LADSPA_IS_PORT_INPUT(d->PortDescriptors[p]);
}

static int set_control(Host *host, const char *name, float value) {
  const LADSPA_Descriptor *d = host->desc;
  for (unsigned long p = 0; p < d->PortCount; p++) {
    if (is_control_input(d, p) && !strcmp(d->PortNames[p], name)) {
      host->controls[p] = value;
      return OK;
    }
  }
  fprintf(stderr, "ladspahost: %s has no control input '%s'; it has:", d->Label, name);
  for (unsigned long p = 0; p < d->PortCount; p++) {
    if (is_control_input(d, p)) fprintf(stderr, " '%s'", d->PortNames[p]);
  }
  fputc('\n', stderr);
  return BAD_INPUT;
}

/* --------------------------------------------------------------- render */

/* Only run() itself is timed, as in lv2host; the last block may be short.
 * The file is read whole before and written after the loop, so that the
 * loop's CPU time is the plugin's and the host's copying only. */
static int process(Host *host, SNDFILE *in, SNDFILE *out, const Args *a, sf_count_t frames) {
  float *x = malloc((size_t)(frames > 0 ? frames : 1) * sizeof *x);
  if (!x) return fail(FAILED, "out of memory");
  if (sf_readf_float(in, x, frames) != frames) {
    free(x);
    return fail(FAILED, "reading failed: %s", sf_strerror(in));
  }
  double cpu0 = host_cpu();
  for (sf_count_t pos = 0; pos < frames; pos += (sf_count_t)a->block) {
    unsigned long n =
        (unsigned long)(frames - pos < (sf_count_t)a->block ? frames - pos : (sf_count_t)a->block);
    memcpy(host->in, x + pos, n * sizeof *x);
    double t0 = host_wall();
    if (a->null) {
      memcpy(host->out, host->in, n * sizeof *x);
    } else {
      host->desc->run(host->handle, n);
    }
    host->run_seconds += host_wall() - t0;
    memcpy(x + pos, host->out, n * sizeof *x); /* in place: x[pos..] is consumed */
  }
  host->loop_cpu = host_cpu() - cpu0;
  host->frames = frames;
  int rc = OK;
  if (sf_writef_float(out, x, frames) != frames) {
    rc = fail(FAILED, "writing failed: %s", sf_strerror(out));
  }
  free(x);
  return rc;
}

static int run_plugin(Host *host, SNDFILE *in, SNDFILE *out, unsigned long rate, const Args *a,
                      sf_count_t frames) {
  const LADSPA_Descriptor *d = host->desc;
  host->handle = d->instantiate(d, rate);
  if (!host->handle) return fail(FAILED, "%s: instantiate() failed", d->Label);
  for (unsigned long p = 0; p < d->PortCount; p++) {
    LADSPA_Data *buf = &host->controls[p];
    if (p == host->in_port) buf = host->in;
    if (p == host->out_port) buf = host->out;
    d->connect_port(host->handle, p, buf);
  }
  if (d->activate) d->activate(host->handle);
  int rc = process(host, in, out, a, frames);
  if (d->deactivate) d->deactivate(host->handle);
  d->cleanup(host->handle);
  return rc;
}

/* Renders into OUT.tmp, renamed over OUT only once it is complete. */
static int render(Host *host, const Args *a, SNDFILE *in, int rate, sf_count_t frames) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", a->out) >= (int)sizeof tmp) {
    return fail(BAD_INPUT, "output path too long");
  }
  SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *out = sf_open(tmp, SFM_WRITE, &info);
  if (!out) return fail(BAD_INPUT, "cannot write %s: %s", tmp, sf_strerror(NULL));
  int rc = run_plugin(host, in, out, (unsigned long)rate, a, frames);
  if (sf_close(out) && !rc) rc = fail(FAILED, "cannot finish %s", tmp);
  if (!rc && rename(tmp, a->out))
    rc = fail(FAILED, "cannot rename %s to %s: %s", tmp, a->out, strerror(errno));
  if (rc) unlink(tmp);
  return rc;
}

int main(int argc, char **argv) {
  Args a = {0};
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc;
  SF_INFO info = {0};
  SNDFILE *in = sf_open(a.in, SFM_READ, &info);
  if (!in) return fail(BAD_INPUT, "cannot read %s: %s", a.in, sf_strerror(NULL));
  Host host = {0};
  if (info.channels != 1)
    rc = fail(BAD_INPUT, "%s has %d channels; need mono", a.in, info.channels);
  if (!rc) rc = load_plugin(&host, a.so, a.label);
  if (!rc) rc = setup_ports(&host, (unsigned long)info.samplerate);
  for (int i = 0; i < a.n_sets && !rc; i++)
    rc = set_control(&host, a.set_names[i], a.set_values[i]);
  if (!rc) {
    host.in = calloc(a.block, sizeof *host.in);
    host.out = calloc(a.block, sizeof *host.out);
    if (!host.in || !host.out) rc = fail(FAILED, "out of memory");
  }
  if (!rc) rc = render(&host, &a, in, info.samplerate, info.frames);
  if (!rc && a.time) host_print_times(host.run_seconds, host.loop_cpu, (double)host.frames);
  sf_close(in);
  free(host.controls);
  free(host.in);
  free(host.out);
  if (host.lib) dlclose(host.lib);
  return rc;
}
