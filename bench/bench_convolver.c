/* Cost per sample of the zero-latency convolver (src/dsp/convolver.c)
 * against a direct-form FIR, for IR lengths and block sizes given on the
 * command line. Prints per configuration
 *   gainstage taps block ns_per_sample
 *   direct taps block ns_per_sample
 *   worst taps block us
 * each the median of `runs` timed passes over `seconds` of white noise at
 * 48 kHz, the engines alternated; `worst` is the convolver's longest
 * block (the thread's CPU time, after the first second) in a pass of its
 * own. bench/convolution.py drives it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsp/convolver.h"
#include "host_clock.h"

#define RATE 48000

static unsigned rng = 1;
static float frand(void) {
  rng = rng * 1664525u + 1013904223u;
  return (float)((rng >> 8) / 8388608.0 - 1.0);
}

/* A direct FIR: the input history kept twice over so that every output is
 * one contiguous dot product, in eight running sums the compiler
 * vectorizes. */
typedef struct {
  const float *h;
  float *hist; /* 2 * taps */
  size_t taps, pos;
} Fir;

static void fir_process(Fir *f, const float *in, float *out, size_t n) {
  const float *restrict h = f->h;
  for (size_t i = 0; i < n; i++) {
    f->pos = f->pos == 0 ? f->taps - 1 : f->pos - 1;
    f->hist[f->pos] = f->hist[f->pos + f->taps] = in[i];
    const float *restrict x = f->hist + f->pos;
    /* eight running sums, so that the loop vectorizes */
    float lane[8] = {0}, acc = 0.0f;
    size_t k = 0;
    for (; k + 8 <= f->taps; k += 8) {
      for (size_t j = 0; j < 8; j++) lane[j] += h[k + j] * x[k + j];
    }
    for (; k < f->taps; k++) acc += h[k] * x[k];
    for (size_t j = 0; j < 8; j++) acc += lane[j];
    out[i] = acc;
  }
}

/* Seconds: the longest single call of the convolver on a block, once it
 * has run a second (caches and pages warm). What a real-time host must
 * budget for, where the mean is what it pays on average. */
static double worst_block(const float *ir, size_t taps, const float *x, float *y, size_t n,
                          size_t block) {
  GsConvolver *c = gs_convolver_new(ir, taps);
  if (!c) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  double worst = 0.0;
  for (size_t pos = 0; pos < n; pos += block) {
    size_t m = n - pos < block ? n - pos : block;
    double t0 = host_clock(CLOCK_THREAD_CPUTIME_ID);
    gs_convolver_process(c, x + pos, y + pos, (uint32_t)m);
    double t = host_clock(CLOCK_THREAD_CPUTIME_ID) - t0;
    if (pos >= RATE && t > worst) worst = t;
  }
  gs_convolver_free(c);
  return worst;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Seconds to run `n` samples through one engine in blocks. */
static double time_engine(int direct, const float *ir, size_t taps, const float *x, float *y,
                          size_t n, size_t block) {
  GsConvolver *c = NULL;
  Fir f = {.h = ir, .taps = taps};
  if (direct) {
    f.hist = calloc(2 * taps, sizeof(float));
  } else {
    c = gs_convolver_new(ir, taps);
  }
  if ((direct && !f.hist) || (!direct && !c)) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  double t0 = host_wall();
  for (size_t pos = 0; pos < n; pos += block) {
    size_t m = n - pos < block ? n - pos : block;
    if (direct) {
      fir_process(&f, x + pos, y + pos, m);
    } else {
      gs_convolver_process(c, x + pos, y + pos, (uint32_t)m);
    }
  }
  double t = host_wall() - t0;
  free(f.hist);
  gs_convolver_free(c);
  return t;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: bench_convolver SECONDS RUNS TAPS,TAPS,... BLOCK,BLOCK,...\n");
    return 2;
  }
  double seconds = atof(argv[1]);
  int runs = atoi(argv[2]);
  size_t taps_list[16], blocks[16], nt = 0, nb = 0;
  for (char *p = strtok(argv[3], ","); p && nt < 16; p = strtok(NULL, ","))
    taps_list[nt++] = strtoul(p, NULL, 10);
  for (char *p = strtok(argv[4], ","); p && nb < 16; p = strtok(NULL, ","))
    blocks[nb++] = strtoul(p, NULL, 10);
  size_t n = (size_t)(seconds * RATE);
  float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) x[i] = frand();
  for (size_t t = 0; t < nt; t++) {
    size_t taps = taps_list[t];
    float *ir = malloc(taps * sizeof(float));
    for (size_t i = 0; i < taps; i++) ir[i] = frand() * (float)(1.0 - (double)i / taps);
    /* the direct FIR gets at most ~2e9 multiply-adds a run */
    size_t n_direct = n;
    if ((double)n_direct * taps > 2e9) n_direct = (size_t)(2e9 / taps);
    for (size_t b = 0; b < nb; b++) {
      double *ours = malloc(runs * sizeof(double)), *direct = malloc(runs * sizeof(double));
      double *worst = malloc(runs * sizeof(double));
      for (int r = 0; r < runs; r++) {
        ours[r] = time_engine(0, ir, taps, x, y, n, blocks[b]) / n;
        direct[r] = time_engine(1, ir, taps, x, y, n_direct, blocks[b]) / n_direct;
        worst[r] = worst_block(ir, taps, x, y, n, blocks[b]);
      }
      qsort(ours, runs, sizeof(double), cmp);
      qsort(direct, runs, sizeof(double), cmp);
      qsort(worst, runs, sizeof(double), cmp);
      printf("gainstage %zu %zu %.3f\n", taps, blocks[b], 1e9 * ours[runs / 2]);
      printf("direct %zu %zu %.3f\n", taps, blocks[b], 1e9 * direct[runs / 2]);
      printf("worst %zu %zu %.3f\n", taps, blocks[b], 1e6 * worst[runs / 2]);
      fflush(stdout);
      free(ours);
      free(direct);
      free(worst);
    }
    free(ir);
  }
  free(x);
  free(y);
  return 0;
}
