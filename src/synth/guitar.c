/* A guitar DI phrase for demos, tests and benchmarks, with no recorded
 * audio: plucked strings by the Karplus–Strong method (K. Karplus and
 * A. Strong, CMJ 1983) with the Jaffe–Smith extensions (CMJ 1983): a
 * pick-position comb on the excitation, a loop low-pass whose gain gives
 * each note its decay time, and a magnetic pickup's position comb on the
 * output. Levels are a single-coil pickup's EMF: hard strums peak near
 * 0.5 V, single notes near 0.2 V. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/noise.h"
#include "gainstage/gainstage.h"

typedef struct {
  double start;  /* s */
  double hz;     /* fundamental */
  double level;  /* relative pluck strength */
  double decay;  /* T60, s */
  double bright; /* 0 (dull, palm-muted) .. 1 */
  double stop;   /* s: string damped here */
} Pluck;

/* Open-string and fretted pitches (equal temperament, A4 = 440 Hz). */
#define E2 82.41
#define G2 98.00
#define A2 110.00
#define B2 123.47
#define D3 146.83
#define E3 164.81
#define G3 196.00
#define A3 220.00
#define B3 246.94
#define D4 293.66
#define E4 329.63

/* A strum: strings struck one after another, 12 ms apart. */
static int strum(Pluck *out, double t, const double *hz, int n, double level, double decay,
                 double bright, double stop) {
  for (int i = 0; i < n; i++) {
    out[i] = (Pluck){t + 0.012 * i, hz[i], level, decay, bright, stop};
  }
  return n;
}

static int phrase(Pluck *p) {
  static const double e5[] = {E2, B2, E3}, g5[] = {G2, D3, G3}, a5[] = {A2, E3, A3},
                      em[] = {E2, B2, E3, G3, B3, E4};
  static const double lick[] = {E3, G3, A3, B3, D4, E4, D4, B3};
  int n = 0;
  n += strum(p + n, 0.00, e5, 3, 1.0, 3.0, 0.8, 1.15);
  n += strum(p + n, 1.20, e5, 3, 0.7, 0.25, 0.3, 1.45);
  n += strum(p + n, 1.50, e5, 3, 0.7, 0.25, 0.3, 1.75);
  n += strum(p + n, 1.80, g5, 3, 0.9, 2.0, 0.7, 2.38);
  n += strum(p + n, 2.40, a5, 3, 1.0, 2.5, 0.8, 3.50);
  for (int i = 0; i < 8; i++) {
    p[n++] = (Pluck){3.6 + 0.25 * i, lick[i], 0.55, 1.5, 0.9, 3.6 + 0.25 * i + 0.26};
  }
  n += strum(p + n, 6.0, em, 6, 1.0, 4.0, 0.9, 9.0);
  return n;
}

/* One string, added into out. */
static void pluck(const Pluck *pk, float *out, size_t n_frames, double rate, GsRng *rng) {
  double period = rate / pk->hz;
  size_t len = (size_t)period;
  double frac = period - (double)len;
  double *line = calloc(len + 2, sizeof(double));
  if (!line) return;
  /* excitation: low-passed noise, minus itself at the pick position */
  double lp = 0.0, a = 0.2 + 0.75 * pk->bright;
  for (size_t i = 0; i < len; i++) {
    lp += a * (gs_rng_uniform(rng) * 2.0 - 1.0 - lp);
    line[i] = lp;
  }
  size_t pick = (size_t)(0.13 * len) + 1;
  for (size_t i = len; i-- > pick;) line[i] -= line[i - pick];
  /* loop gain for a T60 of `decay`; damping for the one-zero low-pass */
  double g = pow(10.0, -3.0 / (pk->hz * pk->decay));
  double s = 0.5 + 0.45 * pk->bright; /* weight of the current sample */
  size_t start = (size_t)(pk->start * rate);
  size_t stop = (size_t)(pk->stop * rate);
  size_t pickup = (size_t)(0.1 * len) + 1;
  double prev = 0.0, gain = pk->level, damp = 1.0;
  size_t pos = 0;
  for (size_t t = start; t < n_frames; t++) {
    if (t >= stop) damp *= 0.9985; /* fingers on the string */
    if (damp < 1e-4) break;
    /* fractional delay by linear interpolation keeps the tuning */
    size_t i0 = pos, i1 = (pos + 1) % len;
    double x = line[i0] * (1.0 - frac) + line[i1] * frac;
    double y = g * (s * x + (1.0 - s) * prev);
    prev = x;
    line[pos] = y;
    double tap = line[(pos + len - pickup) % len];
    out[t] += (float)(gain * damp * (y - tap));
    pos = (pos + 1) % len;
  }
  free(line);
}

GsStatus gs_synth_guitar(float *out, size_t n_frames, double rate, uint64_t seed) {
  if (!out || !(rate >= GS_RATE_MIN && rate <= GS_RATE_MAX)) return GS_ERR_ARG;
  memset(out, 0, n_frames * sizeof(float));
  Pluck notes[64];
  int n = phrase(notes);
  GsRng rng;
  gs_rng_seed(&rng, seed);
  /* the phrase is 9 s long; longer requests repeat it */
  const double length = 9.0;
  for (double t0 = 0.0; t0 * rate < (double)n_frames; t0 += length) {
    for (int i = 0; i < n; i++) {
      Pluck p = notes[i];
      p.start += t0;
      p.stop += t0;
      if (p.start * rate < (double)n_frames) pluck(&p, out, n_frames, rate, &rng);
    }
  }
  double peak = 0.0;
  for (size_t i = 0; i < n_frames; i++) peak = fmax(peak, fabs(out[i]));
  if (peak > 0.0) {
    double k = 0.5 / peak; /* hardest strum: 0.5 V */
    for (size_t i = 0; i < n_frames; i++) out[i] = (float)(out[i] * k);
  }
  return GS_OK;
}
