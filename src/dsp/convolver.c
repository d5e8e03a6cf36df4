#include "dsp/convolver.h"

#include <fftw3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HEAD 64u  /* direct taps, and the first level's partition */
#define GROWTH 8u /* partition size ratio between levels */
#define LEVELS 6u /* 64 .. 2M taps */

typedef struct {
  uint32_t size;      /* partition size P; FFT size 2P */
  uint32_t stride;    /* complex values between spectra: P + 1 rounded up to
                         keep every spectrum at the plans' alignment */
  uint32_t parts;     /* partitions in this level */
  uint32_t fill;      /* input samples of the current block */
  uint32_t newest;    /* index of the newest spectrum in the delay line */
  uint32_t read;      /* next output sample to hand out */
  float *input;       /* last 2P input samples */
  float *output;      /* this level's next P output samples */
  fftwf_complex *ir;  /* parts spectra of P + 1 bins */
  fftwf_complex *fdl; /* parts input spectra (frequency-domain delay line) */
  fftwf_complex *acc; /* P + 1 bins */
  float *time;        /* 2P, FFT scratch */
  fftwf_plan fwd, inv;
} Level;

struct GsConvolver {
  float head[HEAD]; /* taps 0 .. 63, reversed for the dot product */
  uint32_t head_len;
  float hist[HEAD - 1 + HEAD]; /* last 63 inputs, then the current chunk */
  Level level[LEVELS];
  uint32_t n_levels;
};

static void level_free(Level *l) {
  if (l->fwd) fftwf_destroy_plan(l->fwd);
  if (l->inv) fftwf_destroy_plan(l->inv);
  fftwf_free(l->input);
  fftwf_free(l->output);
  fftwf_free(l->ir);
  fftwf_free(l->fdl);
  fftwf_free(l->acc);
  fftwf_free(l->time);
}

void gs_convolver_free(GsConvolver *c) {
  if (!c) return;
  for (uint32_t i = 0; i < c->n_levels; i++) level_free(&c->level[i]);
  free(c);
}

/* Taps [start, end) of ir in partitions of P, as spectra. */
static bool level_init(Level *l, const float *ir, size_t start, size_t end, uint32_t P) {
  memset(l, 0, sizeof *l);
  l->size = P;
  l->parts = (uint32_t)((end - start + P - 1) / P);
  size_t bins = P + 1;
  l->stride = (uint32_t)((bins + 7) & ~(size_t)7); /* 64-byte steps */
  l->input = fftwf_alloc_real(2 * P);
  l->output = fftwf_alloc_real(P);
  l->time = fftwf_alloc_real(2 * P);
  l->ir = fftwf_alloc_complex((size_t)l->stride * l->parts);
  l->fdl = fftwf_alloc_complex((size_t)l->stride * l->parts);
  l->acc = fftwf_alloc_complex(bins);
  if (!l->input || !l->output || !l->time || !l->ir || !l->fdl || !l->acc) return false;
  l->fwd = fftwf_plan_dft_r2c_1d((int)(2 * P), l->time, l->acc, FFTW_ESTIMATE);
  l->inv = fftwf_plan_dft_c2r_1d((int)(2 * P), l->acc, l->time, FFTW_ESTIMATE);
  if (!l->fwd || !l->inv) return false;
  /* partition k: taps start + kP .., zero-padded to 2P; the 1/(2P) of the
   * unnormalized inverse FFT is folded in here */
  for (uint32_t k = 0; k < l->parts; k++) {
    memset(l->time, 0, 2 * P * sizeof(float));
    for (uint32_t i = 0; i < P && start + (size_t)k * P + i < end; i++) {
      l->time[i] = ir[start + (size_t)k * P + i] / (float)(2 * P);
    }
    fftwf_execute_dft_r2c(l->fwd, l->time, l->ir + (size_t)k * l->stride);
  }
  return true;
}

static void level_reset(Level *l) {
  memset(l->input, 0, 2 * l->size * sizeof(float));
  memset(l->output, 0, l->size * sizeof(float));
  memset(l->fdl, 0, (size_t)l->stride * l->parts * sizeof(fftwf_complex));
  l->fill = 0;
  l->newest = 0;
  l->read = 0;
}

GsConvolver *gs_convolver_new(const float *ir, size_t len) {
  if (!ir || len == 0) return NULL;
  GsConvolver *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->head_len = len < HEAD ? (uint32_t)len : HEAD;
  for (uint32_t i = 0; i < c->head_len; i++) c->head[HEAD - 1 - i] = ir[i];
  size_t start = HEAD;
  for (uint32_t P = HEAD; start < len && c->n_levels < LEVELS; P *= GROWTH) {
    size_t end = (size_t)P * GROWTH;
    if (end > len || c->n_levels + 1 == LEVELS) end = len;
    if (!level_init(&c->level[c->n_levels++], ir, start, end, P)) {
      gs_convolver_free(c);
      return NULL;
    }
    start = end;
  }
  gs_convolver_reset(c);
  return c;
}

void gs_convolver_reset(GsConvolver *c) {
  memset(c->hist, 0, sizeof c->hist);
  for (uint32_t i = 0; i < c->n_levels; i++) level_reset(&c->level[i]);
}

/* A complete input block: its spectrum joins the delay line, and the
 * level's output for the next P samples is the sum over partitions. */
static void level_run(Level *l) {
  uint32_t P = l->size, bins = P + 1;
  memcpy(l->time, l->input, 2 * P * sizeof(float));
  l->newest = (l->newest + 1) % l->parts;
  fftwf_execute_dft_r2c(l->fwd, l->time, l->fdl + (size_t)l->newest * l->stride);
  /* complex multiply-accumulate written out: C's complex multiply checks
   * for infinities on every product */
  float *acc = (float *)l->acc;
  memset(acc, 0, 2 * bins * sizeof(float));
  for (uint32_t k = 0; k < l->parts; k++) {
    uint32_t slot = (l->newest + l->parts - k) % l->parts;
    const float *x = (const float *)(l->fdl + (size_t)slot * l->stride);
    const float *h = (const float *)(l->ir + (size_t)k * l->stride);
    for (uint32_t b = 0; b < 2 * bins; b += 2) {
      acc[b] += x[b] * h[b] - x[b + 1] * h[b + 1];
      acc[b + 1] += x[b] * h[b + 1] + x[b + 1] * h[b];
    }
  }
  fftwf_execute_dft_c2r(l->inv, l->acc, l->time);
  memcpy(l->output, l->time + P, P * sizeof(float)); /* overlap-save: 2nd half */
  memmove(l->input, l->input + P, P * sizeof(float));
  l->fill = 0;
  l->read = 0;
}

/* Up to HEAD frames, none crossing a 64-sample boundary of the levels. */
static void chunk(GsConvolver *c, const float *in, float *out, uint32_t n) {
  float *x = c->hist + HEAD - 1;
  memcpy(x, in, n * sizeof(float));
  for (uint32_t i = 0; i < n; i++) {
    const float *win = x + i - (HEAD - 1);
    float acc = 0.0f;
    for (uint32_t k = 0; k < HEAD; k++) acc += c->head[k] * win[k];
    out[i] = acc;
  }
  for (uint32_t li = 0; li < c->n_levels; li++) {
    Level *l = &c->level[li];
    for (uint32_t i = 0; i < n; i++) out[i] += l->output[l->read + i];
    memcpy(l->input + l->size + l->fill, x, n * sizeof(float));
    l->read += n;
    l->fill += n;
    if (l->fill == l->size) level_run(l);
  }
  memmove(c->hist, c->hist + n, (HEAD - 1) * sizeof(float));
}

void gs_convolver_process(GsConvolver *c, const float *in, float *out, uint32_t n) {
  /* in may alias out: chunk() copies its input before writing */
  uint32_t pos = 0;
  while (pos < n) {
    uint32_t to_boundary = HEAD - (c->n_levels ? c->level[0].fill : 0);
    uint32_t len = n - pos < to_boundary ? n - pos : to_boundary;
    if (len > HEAD) len = HEAD;
    chunk(c, in + pos, out + pos, len);
    pos += len;
  }
}
