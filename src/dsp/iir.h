/* A direct-form-I IIR filter of any order up to GS_IIR_MAX, for filters
 * that are redesigned while audio runs (impedance junctions, tone stacks,
 * current sensing). Designs come from gs_rat_to_sos and are multiplied out:
 * the polynomial coefficients are continuous in the circuit's values even
 * when roots change character (a complex pole pair becoming two real
 * poles), which reshuffles any cascade of sections and makes it click.
 * The state is the signal's own history, valid under new coefficients.
 * Double precision; real-time safe. */
#ifndef GS_DSP_IIR_H
#define GS_DSP_IIR_H

#include <complex.h>
#include <stdbool.h>
#include <stdint.h>

#include "dsp/sos.h"

#define GS_IIR_MAX (2 * GS_SOS_MAX)

typedef struct {
  double b[GS_IIR_MAX + 1]; /* numerator, b[0] for z^0 */
  double a[GS_IIR_MAX + 1]; /* denominator, a[0] = 1 */
  int order;
  double gain; /* applied to the input */
} GsIirCoefs;

typedef struct {
  double x[GS_IIR_MAX]; /* x[n-1], x[n-2], ... (the input as it came) */
  double y[GS_IIR_MAX]; /* y[n-1], ... */
  GsIirCoefs from;      /* a morph in progress (see gs_iir_morph): its line's start */
  GsIirCoefs mid, now;  /* and the coefficients smoothed once, and in use */
  uint32_t morph_left, morph_len;
} GsIirState;

void gs_iir_identity(GsIirCoefs *c);
void gs_iir_from_sos(GsIirCoefs *out, const GsSosCoefs *sos);
void gs_iir_clear(GsIirState *st);
bool gs_iir_finite(const GsIirState *st);

/* h[0] = v after moving h[0 .. n-2] up one: unrolled for the orders met
 * most (a loop over a variable n compiles to a memmove call per sample). */
static inline void gs_iir_push(double *h, int n, double v) {
  switch (n) {
    case 0: return;
    case 6: h[5] = h[4]; /* fall through */
    case 5: h[4] = h[3]; /* fall through */
    case 4: h[3] = h[2]; /* fall through */
    case 3: h[2] = h[1]; /* fall through */
    case 2: h[1] = h[0]; /* fall through */
    case 1: break;
    default:
      for (int k = n - 1; k > 0; k--) h[k] = h[k - 1];
  }
  h[0] = v;
}

/* y = gain (b0 x + b1 x[n-1] + ...) - a1 y[n-1] - ...: the history holds
 * the input itself, so that a morph between designs whose gain and b
 * split differently stays meaningful (see gs_iir_morph). */
static inline double gs_iir_tick(const GsIirCoefs *c, GsIirState *st, double x) {
  int n = c->order;
  double fir = c->b[0] * x, iir = 0.0;
  for (int k = 0; k < n; k++) {
    fir += c->b[k + 1] * st->x[k];
    iir += c->a[k + 1] * st->y[k];
  }
  double y = c->gain * fir - iir;
  gs_iir_push(st->x, n, x);
  gs_iir_push(st->y, n, y);
  return y;
}

/* n samples in place with the coefficients as they are (no morph, no
 * check): gs_iir_run's loop, built per CPU (src/dsp/kernel.h). [audio] */
void gs_iir_block(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n);

/* One sample, morphing if a morph is under way (see gs_iir_morph). */
double gs_iir_step(const GsIirCoefs *c, GsIirState *st, double x);

/* Filter n samples in place (morphing if a morph is under way); a state
 * gone non-finite is cleared. */
void gs_iir_run(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n);

/* After a live redesign from `old`: the coefficients move from old to the
 * new ones along a straight line over n samples, smoothed at its corners,
 * instead of jumping each tick (a resonance swept in steps rings); the
 * morph lasts a little longer than n (see iir.c). */
void gs_iir_morph(GsIirState *st, const GsIirCoefs *old, uint32_t n);

/* The coefficients of a morph's next sample toward c, into now (the
 * morph moves on a sample); for filters run sample by sample elsewhere. */
void gs_iir_morph_next(const GsIirCoefs *c, GsIirState *st, GsIirCoefs *now);

/* The next output is gs_iir_direct_gain(c) * x + gs_iir_free_response. */
static inline double gs_iir_free_response(const GsIirCoefs *c, const GsIirState *st) {
  double fir = 0.0, iir = 0.0;
  for (int k = 0; k < c->order; k++) {
    fir += c->b[k + 1] * st->x[k];
    iir += c->a[k + 1] * st->y[k];
  }
  return c->gain * fir - iir;
}

static inline double gs_iir_direct_gain(const GsIirCoefs *c) {
  return c->gain * c->b[0];
}

double complex gs_iir_response(const GsIirCoefs *c, double hz, double rate);

#endif
