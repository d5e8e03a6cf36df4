#include "dsp/convolver.h"

#include <fftw3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/convolver_kernel.h"
#include "dsp/fftw_lock.h"

#define HEAD GS_CONV_HEAD /* direct taps, and the first level's partition */
#define GROWTH 8u         /* partition size ratio between levels */
/* The largest partition: its two FFTs of 8192 points (~40 us here) are
 * the most work one chunk does at a block boundary. Past it the last
 * level takes the rest of the IR in as many partitions as it needs. */
#define MAX_PART 4096u
#define LEVELS 3u /* 64, 512, 4096 */
/* Instructions a sample for a level's two FFTs (FFTW's r2c and c2r of
 * 128 to 1024 points cost 45-53, callgrind), and for one partition's
 * multiply-add, the bins a sample (~1.2 with FMA, ~3 without): a level
 * takes the rest of the IR while that costs less than starting the next. */
#define FFT_COST 55.0
#define MAC_COST_WIDE 1.25
#define MAC_COST_BASE 3.0

/* Spectra are FFTW's interleaved complex (its native r2c format: half the
 * cost of the split one), packed in 2P floats: bins 0 and P are real, so
 * bin P's real part takes bin 0's imaginary place. The IR's are kept with
 * each real and imaginary part twice, as gs_conv_cmac takes them, and at
 * bin 0 as (re 0, re P) and (0, 0): the same product then gives both. */
typedef struct {
  uint32_t size;   /* partition size P; FFT size 2P */
  uint32_t floats; /* floats per packed spectrum: 2P */
  uint32_t parts;  /* partitions in this level */
  uint32_t fill;   /* input samples of the current block */
  uint32_t newest; /* index of the newest spectrum in the delay line */
  uint32_t read;   /* next output sample to hand out */
  float *input;    /* last 2P input samples */
  float *output;   /* this level's next P output samples */
  float *hr, *hi;  /* parts spectra of the IR's partitions, parts doubled */
  float *fdl;      /* parts input spectra (frequency-domain delay line) */
  float *acc;      /* their sum, one spectrum (2P + 2 floats: unpacked) */
  /* The older partitions' share of the next block, summed bin by bin as
   * the block's input arrives (see advance_older): x, the delay line's
   * spectra newest first, each times partition 1, 2, ... of the IR */
  float *older;
  uint32_t older_done; /* floats of it summed */
  const float **x;
  float *time; /* 2P, FFT scratch */
  fftwf_plan fwd, inv;
} Level;

struct GsConvolver {
  float head[HEAD]; /* taps 0 .. 63 */
  /* last 63 inputs, the current chunk, and what gs_conv_head may read past it */
  float hist[HEAD - 1 + HEAD + GS_CONV_PAD];
  Level level[LEVELS];
  uint32_t n_levels;
};

static void level_free(Level *l) {
  gs_fftw_lock();
  if (l->fwd) fftwf_destroy_plan(l->fwd);
  if (l->inv) fftwf_destroy_plan(l->inv);
  gs_fftw_unlock();
  float *arrays[] = {l->input, l->output, l->hr, l->hi, l->fdl, l->acc, l->older, l->time};
  for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) fftwf_free(arrays[i]);
  free(l->x);
}

void gs_convolver_free(GsConvolver *c) {
  if (!c) return;
  for (uint32_t i = 0; i < c->n_levels; i++) level_free(&c->level[i]);
  free(c);
}

static bool level_alloc(Level *l) {
  uint32_t P = l->size;
  size_t all = (size_t)l->floats * l->parts;
  l->input = fftwf_alloc_real(2 * P);
  l->output = fftwf_alloc_real(P);
  l->time = fftwf_alloc_real(2 * P);
  l->hr = fftwf_alloc_real(all);
  l->hi = fftwf_alloc_real(all);
  l->fdl = fftwf_alloc_real(all);
  l->acc = fftwf_alloc_real(l->floats + 2);
  l->older = fftwf_alloc_real(l->floats);
  l->x = malloc(l->parts * sizeof *l->x);
  if (!l->input || !l->output || !l->time || !l->hr || !l->hi || !l->fdl || !l->acc || !l->older ||
      !l->x) {
    return false;
  }
  memset(l->fdl, 0, all * sizeof(float));
  memset(l->acc, 0, (l->floats + 2) * sizeof(float));
  gs_fftw_lock();
  l->fwd = fftwf_plan_dft_r2c_1d((int)(2 * P), l->time, (fftwf_complex *)l->acc, FFTW_ESTIMATE);
  l->inv = fftwf_plan_dft_c2r_1d((int)(2 * P), (fftwf_complex *)l->acc, l->time, FFTW_ESTIMATE);
  gs_fftw_unlock();
  return l->fwd && l->inv;
}

/* Taps [start, end) of ir in partitions of P, as spectra. */
static bool level_init(Level *l, const float *ir, size_t start, size_t end, uint32_t P) {
  memset(l, 0, sizeof *l);
  l->size = P;
  l->parts = (uint32_t)((end - start + P - 1) / P);
  l->floats = 2 * P;
  if (!level_alloc(l)) return false;
  /* partition k: taps start + kP .., zero-padded to 2P; the 1/(2P) of the
   * unnormalized inverse FFT is folded in here */
  for (uint32_t k = 0; k < l->parts; k++) {
    memset(l->time, 0, 2 * P * sizeof(float));
    for (uint32_t i = 0; i < P && start + (size_t)k * P + i < end; i++) {
      l->time[i] = ir[start + (size_t)k * P + i] / (float)(2 * P);
    }
    fftwf_execute_dft_r2c(l->fwd, l->time, (fftwf_complex *)l->acc);
    float *hr = l->hr + (size_t)k * l->floats, *hi = l->hi + (size_t)k * l->floats;
    for (uint32_t b = 1; b < P; b++) {
      hr[2 * b] = hr[2 * b + 1] = l->acc[2 * b];
      hi[2 * b] = hi[2 * b + 1] = l->acc[2 * b + 1];
    }
    hr[0] = l->acc[0], hr[1] = l->acc[2 * P], hi[0] = hi[1] = 0.0f;
  }
  return true;
}

/* The delay line's spectra, newest first, for the next block's sum. */
static void aim_older(Level *l) {
  for (uint32_t k = 0, slot = l->newest; k < l->parts; k++, slot = slot ? slot - 1 : l->parts - 1) {
    l->x[k] = l->fdl + (size_t)slot * l->floats;
  }
  l->older_done = 0;
}

static void level_reset(Level *l) {
  memset(l->input, 0, 2 * l->size * sizeof(float));
  memset(l->output, 0, l->size * sizeof(float));
  memset(l->fdl, 0, (size_t)l->floats * l->parts * sizeof(float));
  l->fill = 0;
  l->newest = 0;
  l->read = 0;
  aim_older(l);
}

GsConvolver *gs_convolver_new(const float *ir, size_t len) {
  if (!ir || len == 0) return NULL;
  GsConvolver *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  for (uint32_t i = 0; i < HEAD && i < len; i++) c->head[i] = ir[i];
  /* a level runs to P GROWTH (where the next one starts), or to the end
   * if at most `most` partitions are left for it */
  double mac = gs_conv_wide() ? MAC_COST_WIDE : MAC_COST_BASE;
  size_t most = (size_t)(GROWTH - 1) + (size_t)(FFT_COST / (mac * (GROWTH - 1) / GROWTH));
  size_t start = HEAD;
  for (uint32_t P = HEAD; start < len && c->n_levels < LEVELS; P *= GROWTH) {
    size_t end = (size_t)P * GROWTH;
    if (end > len || P == MAX_PART || len - start <= most * P) end = len;
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

/* The spectrum of the level's time buffer into `to`, packed. */
static void spectrum_packed(Level *l, float *to) {
  uint32_t P = l->size;
  fftwf_execute_dft_r2c(l->fwd, l->time, (fftwf_complex *)l->acc);
  memcpy(to, l->acc, 2 * P * sizeof(float));
  to[1] = l->acc[2 * P];
}

/* Whether a level sums its older products ahead (below): not the first,
 * whose block of HEAD arrives in one chunk anyway. */
static bool spread(const Level *l) {
  return l->size > HEAD;
}

/* The next block's output is the newest input block's spectrum times
 * the IR's partition 0, plus the blocks before times partitions 1, 2, ...:
 * that part is known a block ahead, so it is summed as the block's input
 * arrives, in step with it (`fill` of P samples in: that share of the
 * bins), and the block boundary does only the newest block's FFTs and
 * product. */
static void advance_older(Level *l) {
  uint32_t F = l->floats, to = l->fill == l->size ? F : (F / 32) * l->fill / l->size * 32;
  if (!spread(l) || to <= l->older_done) return;
  if (l->parts > 1) {
    GsConvMac m = {l->older, NULL, l->x, l->hr + F, l->hi + F, l->parts - 1, F, l->older_done, to};
    gs_conv_cmac(&m);
  }
  l->older_done = to;
}

/* A complete input block: its spectrum joins the delay line, and the
 * level's output for the next P samples is the sum over partitions. */
static void level_run(Level *l) {
  uint32_t P = l->size, F = l->floats;
  memcpy(l->time, l->input, 2 * P * sizeof(float));
  l->newest = (l->newest + 1) % l->parts;
  float *slot = l->fdl + (size_t)l->newest * F;
  const float *newest = slot;
  spectrum_packed(l, slot);
  if (spread(l)) {
    GsConvMac m = {l->acc, l->parts > 1 ? l->older : NULL, &newest, l->hr, l->hi, 1, F, 0, F};
    gs_conv_cmac(&m);
    aim_older(l);
  } else { /* every partition at once */
    aim_older(l);
    GsConvMac m = {l->acc, NULL, l->x, l->hr, l->hi, l->parts, F, 0, F};
    gs_conv_cmac(&m);
  }
  l->acc[2 * P] = l->acc[1], l->acc[2 * P + 1] = l->acc[1] = 0.0f; /* unpacked */
  fftwf_execute_dft_c2r(l->inv, (fftwf_complex *)l->acc, l->time);
  memcpy(l->output, l->time + P, P * sizeof(float)); /* overlap-save: 2nd half */
  memmove(l->input, l->input + P, P * sizeof(float));
  l->fill = 0;
  l->read = 0;
}

/* Up to HEAD frames, none crossing a 64-sample boundary of the levels. */
static void chunk(GsConvolver *c, const float *in, float *out, uint32_t n) {
  float *x = c->hist + HEAD - 1;
  memcpy(x, in, n * sizeof(float));
  gs_conv_head(c->head, x, out, n);
  for (uint32_t li = 0; li < c->n_levels; li++) {
    Level *l = &c->level[li];
    for (uint32_t i = 0; i < n; i++) out[i] += l->output[l->read + i];
    memcpy(l->input + l->size + l->fill, x, n * sizeof(float));
    l->read += n;
    l->fill += n;
    advance_older(l);
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
