/* A mono WAV read whole and written whole, for the bench hosts that take
 * one (bench/chainhost.c, bench/floor.c). */
#ifndef GS_BENCH_MONO_WAV_H
#define GS_BENCH_MONO_WAV_H

#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* path's samples (NULL, said on stderr after who, if it is not a
 * readable mono file); info its format. */
static inline float *mono_wav_read(const char *who, const char *path, SF_INFO *info) {
  memset(info, 0, sizeof *info);
  SNDFILE *f = sf_open(path, SFM_READ, info);
  float *x = f && info->channels == 1 ? malloc((size_t)info->frames * sizeof *x) : NULL;
  if (x && sf_readf_float(f, x, info->frames) != info->frames) {
    free(x);
    x = NULL;
  }
  if (f) sf_close(f);
  if (!x) fprintf(stderr, "%s: %s: not a readable mono file\n", who, path);
  return x;
}

/* n samples as 32-bit float at rate. */
static inline bool mono_wav_write(const char *path, const float *x, sf_count_t n, int rate) {
  SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  bool ok = f && sf_writef_float(f, x, n) == n;
  if (f) sf_close(f);
  return ok;
}

#endif
