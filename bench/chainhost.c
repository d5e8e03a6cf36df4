/* A minimal offline host for a gainstage chain, to time it the way
 * tests/lv2host.c times an LV2 plugin and bench/ladspahost.c a LADSPA one
 * (for bench/).
 *
 *   chainhost [--time] [--null] [--latency] [--block N] [--set S:K:NAME=V]...
 *             CHAIN IN.wav OUT.wav
 *
 * IN.wav must be mono; its samples go to the chain as they are (volts for
 * a chain that starts analog). Blocks of N frames (256 unless told);
 * --time prints the times of bench/host_clock.h; --null builds the chain
 * but copies the input instead of processing it (the host's own cost, for
 * callgrind); --latency prints the latency the chain reports; --set moves
 * stage K's (from 0) parameter NAME to V at the first block from S
 * seconds on, through gs_chain_set_param, as a plugin host or the rig
 * does while it plays (up to MAX_SETS of them).
 * OUT.wav is 32-bit float. Exit status: 0 ok, 1 failure, 2 bad usage. */
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gainstage/gainstage.h"
#include "host_clock.h"
#include "mono_wav.h"

static void print_log(void *handle, GsLogLevel level, const char *msg) {
  (void)handle;
  fprintf(stderr, "chainhost: %s: %s\n", level == GS_LOG_ERROR ? "error" : "warning", msg);
}

#define MAX_SETS 32

typedef struct {
  double at; /* seconds */
  unsigned stage;
  char name[32];
  double value;
  int param; /* NAME's index, once the chain is parsed */
} Set;

static bool parse_set(const char *text, Set *set) {
  int used = 0;
  return sscanf(text, "%lf:%u:%31[^=]=%lf%n", &set->at, &set->stage, set->name, &set->value,
                &used) == 4 &&
         text[used] == '\0';
}

/* Each set's parameter index; false (and why, printed) if one is not there. */
static bool find_params(const GsSpec *spec, Set *sets, int n) {
  for (int k = 0; k < n; k++) {
    Set *s = &sets[k];
    const GsStageInfo *info =
        s->stage < gs_spec_length(spec) ? gs_spec_stage(spec, s->stage) : NULL;
    s->param = info ? gs_param_find(info, s->name) : -1;
    if (s->param < 0) {
      fprintf(stderr, "chainhost: --set: stage %u has no parameter %s\n", s->stage, s->name);
      return false;
    }
  }
  return true;
}

/* The sets whose time has come by frame pos (at `rate`), made. */
static void apply_sets(GsChain *chain, const Set *sets, int n, bool *done, size_t pos, int rate) {
  for (int k = 0; k < n; k++) {
    if (done[k] || sets[k].at * rate > (double)pos) continue;
    done[k] = true;
    GsStatus st = gs_chain_set_param(chain, sets[k].stage, (uint32_t)sets[k].param, sets[k].value);
    if (st != GS_OK) fprintf(stderr, "chainhost: --set: %s\n", gs_strerror(st));
  }
}

int main(int argc, char **argv) {
  bool timed = false, null = false, latency = false, done[MAX_SETS] = {false};
  long block = 256;
  Set sets[MAX_SETS];
  int n_sets = 0, a = 1;
  for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
    if (!strcmp(argv[a], "--time")) {
      timed = true;
    } else if (!strcmp(argv[a], "--null")) {
      null = true;
    } else if (!strcmp(argv[a], "--latency")) {
      latency = true;
    } else if (!strcmp(argv[a], "--block") && a + 1 < argc) {
      block = strtol(argv[++a], NULL, 10);
    } else if (!strcmp(argv[a], "--set") && a + 1 < argc && n_sets < MAX_SETS &&
               parse_set(argv[a + 1], &sets[n_sets])) {
      a++, n_sets++;
    } else {
      break;
    }
  }
  if (argc - a != 3 || block < 1 || block > (long)GS_MAX_BLOCK) {
    fprintf(stderr,
            "usage: chainhost [--time] [--null] [--latency] [--block N] [--set S:K:NAME=V]... "
            "CHAIN IN.wav OUT.wav\n");
    return 2;
  }
  GsLog log = {print_log, NULL};
  SF_INFO info;
  float *x = mono_wav_read("chainhost", argv[a + 1], &info);
  GsSpec *spec = NULL;
  GsChain *chain = NULL;
  GsChainConfig cfg = {.rate = info.samplerate, .channels = 1, .seed = 1, .noise = false};
  if (!x || gs_spec_parse(argv[a], &log, &spec) != GS_OK || !find_params(spec, sets, n_sets) ||
      gs_chain_new(spec, &cfg, &log, &chain) != GS_OK) {
    free(x);
    gs_spec_free(spec);
    return 2;
  }
  size_t n = (size_t)info.frames;
  float *y = malloc(n * sizeof *y);
  double spent = 0.0, cpu0 = host_cpu();
  for (size_t pos = 0; y && pos < n; pos += (size_t)block) {
    uint32_t len = (uint32_t)(n - pos < (size_t)block ? n - pos : (size_t)block);
    const float *ins[1] = {x + pos};
    float *outs[1] = {y + pos};
    apply_sets(chain, sets, n_sets, done, pos, info.samplerate);
    double t0 = host_wall();
    if (null) {
      memcpy(outs[0], ins[0], len * sizeof(float));
    } else {
      gs_chain_process(chain, ins, outs, len);
    }
    spent += host_wall() - t0;
  }
  double cpu = host_cpu() - cpu0;
  bool ok = y && mono_wav_write(argv[a + 2], y, (sf_count_t)n, info.samplerate);
  if (ok && timed) host_print_times(spent, cpu, (double)n);
  if (ok && latency) printf("latency %u\n", gs_chain_latency(chain));
  gs_chain_free(chain);
  gs_spec_free(spec);
  free(x);
  free(y);
  return ok ? 0 : 1;
}
