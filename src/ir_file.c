/* Impulse responses from files: libsndfile reads any format, the first
 * channel is kept, converted to the processing rate (src/ir_resample.c),
 * then the options shape it. Every refusal says why. */
#include "ir_file.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/fft.h"
#include "ir_resample.h"
#include "sf_truncated.h"

/* The first channel of the file, at its own rate. */
static GsStatus read_first_channel(const char *path, float **out, size_t *len, double *rate,
                                   char *why, size_t size) {
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(why, size, "cannot read IR file '%s': %s", path, strerror(errno));
    return GS_ERR_IO;
  }
  if (S_ISDIR(st.st_mode) || st.st_size == 0) {
    snprintf(why, size, "IR file '%s' is %s", path,
             S_ISDIR(st.st_mode) ? "a directory" : "empty (0 bytes)");
    return GS_ERR_BAD_VALUE;
  }
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf) {
    snprintf(why, size, "IR file '%s' is not audio libsndfile can read: %s", path,
             sf_strerror(NULL));
    return GS_ERR_BAD_VALUE;
  }
  double seconds = info.samplerate > 0 ? (double)info.frames / info.samplerate : INFINITY;
  GsStatus s = GS_OK;
  long long promised;
  if (info.frames <= 0) {
    snprintf(why, size, "IR file '%s' is empty", path);
    s = GS_ERR_BAD_VALUE;
  } else if (gs_sf_truncated(sf, &info, &promised)) {
    snprintf(why, size, "IR file '%s' is truncated: its header promises %lld frames, it holds %lld",
             path, promised, (long long)info.frames);
    s = GS_ERR_BAD_VALUE;
  } else if (info.samplerate < GS_RATE_MIN || info.samplerate > GS_RATE_MAX) {
    /* a resampler between coprime rates pads by the input rate: a
     * made-up rate of 1.4 GHz would ask for gigabytes (found by fuzzing) */
    snprintf(why, size, "IR file '%s' has a sample rate of %d Hz; 8 kHz to 384 kHz are supported",
             path, info.samplerate);
    s = GS_ERR_RANGE;
  } else if (info.channels < 1 || info.channels > 64) {
    snprintf(why, size, "IR file '%s' has %d channels; at most 64 are supported", path,
             info.channels);
    s = GS_ERR_RANGE;
  } else if (seconds > GS_IR_MAX_SECONDS) {
    snprintf(why, size, "IR file '%s' is %.1f s long; at most %.0f s", path, seconds,
             GS_IR_MAX_SECONDS);
    s = GS_ERR_RANGE;
  }
  float *all =
      s == GS_OK ? malloc((size_t)info.frames * (size_t)info.channels * sizeof(float)) : NULL;
  if (s == GS_OK && !all) s = GS_ERR_NOMEM;
  if (s == GS_OK && sf_readf_float(sf, all, info.frames) != info.frames) {
    snprintf(why, size, "IR file '%s' could not be read to its end", path);
    s = GS_ERR_IO;
  }
  sf_close(sf);
  if (s != GS_OK) {
    free(all);
    return s;
  }
  for (sf_count_t i = 0; i < info.frames; i++) all[i] = all[i * info.channels];
  *out = all;
  *len = (size_t)info.frames;
  *rate = info.samplerate;
  return GS_OK;
}

/* Drop what comes before the first sample within 60 dB of the peak. */
static void trim(float *ir, size_t *len) {
  float peak = 0.0f;
  for (size_t i = 0; i < *len; i++) peak = fmaxf(peak, fabsf(ir[i]));
  size_t first = 0;
  while (first < *len && fabsf(ir[first]) < 1e-3f * peak) first++;
  memmove(ir, ir + first, (*len - first) * sizeof(float));
  *len -= first;
}

/* Keep `seconds`, with a raised-cosine fade over the last 10 %. */
static void truncate_fade(float *ir, size_t *len, double seconds, double rate) {
  size_t keep = (size_t)(seconds * rate);
  if (keep == 0 || keep >= *len) return;
  size_t fade = keep / 10 + 1;
  for (size_t i = 0; i < fade; i++) {
    ir[keep - fade + i] *= (float)(0.5 + 0.5 * cos(M_PI * (double)(i + 1) / (double)fade));
  }
  *len = keep;
}

double gs_ir_average_gain(const float *ir, size_t len, double rate) {
  size_t n = 1;
  while (n < 2 * len || n < 8192) n <<= 1;
  GsFft *f = gs_fft_new(n);
  if (!f) return 1.0;
  double *in = gs_fft_input(f);
  memset(in, 0, n * sizeof(double));
  for (size_t i = 0; i < len; i++) in[i] = ir[i];
  const double complex *H = gs_fft_forward(f);
  /* power mean over log-spaced points, 100 Hz - 5 kHz */
  double acc = 0.0;
  int points = 0;
  for (double hz = 100.0; hz <= 5000.0 && hz < 0.45 * rate; hz *= 1.05, points++) {
    size_t k = (size_t)llround(hz * (double)n / rate);
    acc += creal(H[k] * conj(H[k]));
  }
  gs_fft_free(f);
  return points ? sqrt(acc / points) : 1.0;
}

GsStatus gs_ir_load(const char *path, double rate, const GsIrOptions *opt, float **ir, size_t *len,
                    char *why, size_t why_size) {
  double file_rate;
  *ir = NULL;
  GsStatus s = read_first_channel(path, ir, len, &file_rate, why, why_size);
  if (s != GS_OK) return s;
  size_t bad = 0; /* before resampling spreads them */
  for (size_t i = 0; i < *len; i++) bad += !isfinite((*ir)[i]);
  if (bad) {
    snprintf(why, why_size, "IR file '%s' holds %zu non-finite samples (NaN or infinity)", path,
             bad);
    s = GS_ERR_BAD_VALUE;
  }
  if (s == GS_OK) s = gs_ir_resample(ir, len, file_rate, rate);
  if (s == GS_OK && opt->trim) trim(*ir, len);
  if (s == GS_OK && opt->length > 0.0) truncate_fade(*ir, len, opt->length, rate);
  float peak = 0.0f;
  for (size_t i = 0; s == GS_OK && i < *len; i++) peak = fmaxf(peak, fabsf((*ir)[i]));
  if (s == GS_OK && (*len == 0 || !(peak > 0.0f) || !isfinite(peak))) {
    snprintf(why, why_size, "IR file '%s' holds only silence", path);
    s = GS_ERR_BAD_VALUE;
  }
  if (s == GS_OK && opt->normalize) {
    double g = gs_ir_average_gain(*ir, *len, rate);
    for (size_t i = 0; i < *len; i++) (*ir)[i] = (float)((*ir)[i] / g);
  }
  if (s != GS_OK) {
    if (!why[0]) snprintf(why, why_size, "IR file '%s': %s", path, gs_strerror(s));
    free(*ir);
    *ir = NULL;
  }
  return s;
}
