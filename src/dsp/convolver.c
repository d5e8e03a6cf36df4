#include "dsp/convolver.h"

#include <fftw3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fftw_lock.h"

#define HEAD 64u  /* direct taps, and the first level's partition */
#define GROWTH 8u /* partition size ratio between levels */
#define LEVELS 6u /* 64 .. 2M taps */

/* Spectra are kept split, real and imaginary parts apart, so that the
 * multiply-accumulate over them is plain arithmetic on arrays. */
typedef struct {
  uint32_t size;          /* partition size P; FFT size 2P */
  uint32_t stride;        /* floats between spectra: P + 1 bins rounded up to
                             keep every spectrum at the plans' alignment */
  uint32_t parts;         /* partitions in this level */
  uint32_t fill;          /* input samples of the current block */
  uint32_t newest;        /* index of the newest spectrum in the delay line */
  uint32_t read;          /* next output sample to hand out */
  float *input;           /* last 2P input samples */
  float *output;          /* this level's next P output samples */
  float *ir_re, *ir_im;   /* parts spectra of the IR's partitions */
  float *fdl_re, *fdl_im; /* parts input spectra (frequency-domain delay line) */
  float *acc_re, *acc_im; /* their sum, one spectrum */
  float *time;            /* 2P, FFT scratch */
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
  gs_fftw_lock();
  if (l->fwd) fftwf_destroy_plan(l->fwd);
  if (l->inv) fftwf_destroy_plan(l->inv);
  gs_fftw_unlock();
  fftwf_free(l->input);
  fftwf_free(l->output);
  float *spectra[] = {l->ir_re, l->ir_im, l->fdl_re, l->fdl_im, l->acc_re, l->acc_im};
  for (size_t i = 0; i < sizeof spectra / sizeof spectra[0]; i++) fftwf_free(spectra[i]);
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
  size_t bins = P + 1, all;
  l->stride = (uint32_t)((bins + 15) & ~(size_t)15); /* 64-byte steps */
  all = (size_t)l->stride * l->parts;
  l->input = fftwf_alloc_real(2 * P);
  l->output = fftwf_alloc_real(P);
  l->time = fftwf_alloc_real(2 * P);
  l->ir_re = fftwf_alloc_real(all);
  l->ir_im = fftwf_alloc_real(all);
  l->fdl_re = fftwf_alloc_real(all);
  l->fdl_im = fftwf_alloc_real(all);
  l->acc_re = fftwf_alloc_real(l->stride);
  l->acc_im = fftwf_alloc_real(l->stride);
  if (!l->input || !l->output || !l->time || !l->ir_re || !l->ir_im || !l->fdl_re || !l->fdl_im ||
      !l->acc_re || !l->acc_im) {
    return false;
  }
  /* the padding past P + 1 bins stays zero and is multiplied along */
  memset(l->ir_re, 0, all * sizeof(float));
  memset(l->ir_im, 0, all * sizeof(float));
  fftwf_iodim dim = {.n = (int)(2 * P), .is = 1, .os = 1};
  gs_fftw_lock();
  l->fwd =
      fftwf_plan_guru_split_dft_r2c(1, &dim, 0, NULL, l->time, l->acc_re, l->acc_im, FFTW_ESTIMATE);
  l->inv =
      fftwf_plan_guru_split_dft_c2r(1, &dim, 0, NULL, l->acc_re, l->acc_im, l->time, FFTW_ESTIMATE);
  gs_fftw_unlock();
  if (!l->fwd || !l->inv) return false;
  /* partition k: taps start + kP .., zero-padded to 2P; the 1/(2P) of the
   * unnormalized inverse FFT is folded in here */
  for (uint32_t k = 0; k < l->parts; k++) {
    memset(l->time, 0, 2 * P * sizeof(float));
    for (uint32_t i = 0; i < P && start + (size_t)k * P + i < end; i++) {
      l->time[i] = ir[start + (size_t)k * P + i] / (float)(2 * P);
    }
    size_t at = (size_t)k * l->stride;
    fftwf_execute_split_dft_r2c(l->fwd, l->time, l->ir_re + at, l->ir_im + at);
  }
  return true;
}

static void level_reset(Level *l) {
  memset(l->input, 0, 2 * l->size * sizeof(float));
  memset(l->output, 0, l->size * sizeof(float));
  memset(l->fdl_re, 0, (size_t)l->stride * l->parts * sizeof(float));
  memset(l->fdl_im, 0, (size_t)l->stride * l->parts * sizeof(float));
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

/* acc += x h over n bins: complex multiply-accumulate on split arrays
 * (C's complex multiply would check for infinities on every product). */
static void cmac(float *restrict acc_re, float *restrict acc_im, const float *restrict x_re,
                 const float *restrict x_im, const float *restrict h_re, const float *restrict h_im,
                 uint32_t n) {
  for (uint32_t b = 0; b < n; b++) {
    acc_re[b] += x_re[b] * h_re[b] - x_im[b] * h_im[b];
    acc_im[b] += x_re[b] * h_im[b] + x_im[b] * h_re[b];
  }
}

/* A complete input block: its spectrum joins the delay line, and the
 * level's output for the next P samples is the sum over partitions. */
static void level_run(Level *l) {
  uint32_t P = l->size, S = l->stride;
  memcpy(l->time, l->input, 2 * P * sizeof(float));
  l->newest = (l->newest + 1) % l->parts;
  size_t at = (size_t)l->newest * S;
  fftwf_execute_split_dft_r2c(l->fwd, l->time, l->fdl_re + at, l->fdl_im + at);
  memset(l->acc_re, 0, S * sizeof(float));
  memset(l->acc_im, 0, S * sizeof(float));
  for (uint32_t k = 0; k < l->parts; k++) {
    size_t x = (size_t)((l->newest + l->parts - k) % l->parts) * S, h = (size_t)k * S;
    cmac(l->acc_re, l->acc_im, l->fdl_re + x, l->fdl_im + x, l->ir_re + h, l->ir_im + h, S);
  }
  fftwf_execute_split_dft_c2r(l->inv, l->acc_re, l->acc_im, l->time);
  memcpy(l->output, l->time + P, P * sizeof(float)); /* overlap-save: 2nd half */
  memmove(l->input, l->input + P, P * sizeof(float));
  l->fill = 0;
  l->read = 0;
}

/* The head's dot product in LANES independent sums, which the compiler
 * turns into SIMD (one running sum would fix the order of the adds). */
#define LANES 8u
static inline float head_dot(const float *restrict h, const float *restrict x) {
  float lane[LANES] = {0};
  for (uint32_t k = 0; k < HEAD; k += LANES) {
    for (uint32_t j = 0; j < LANES; j++) lane[j] += h[k + j] * x[k + j];
  }
  float acc = 0.0f;
  for (uint32_t j = 0; j < LANES; j++) acc += lane[j];
  return acc;
}

/* Up to HEAD frames, none crossing a 64-sample boundary of the levels. */
static void chunk(GsConvolver *c, const float *in, float *out, uint32_t n) {
  float *x = c->hist + HEAD - 1;
  memcpy(x, in, n * sizeof(float));
  for (uint32_t i = 0; i < n; i++) out[i] = head_dot(c->head, x + i - (HEAD - 1));
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
