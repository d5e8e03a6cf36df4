/* Cascades of second-order sections in double precision, for filters of
 * fixed layout (equalizer bands, high-pass, RIAA). Filters redesigned from
 * circuit values while audio runs use dsp/iir.h instead. Coefficients and
 * state are apart so that several channels can share one design.
 *
 * Direct form I: the state is the signal's own recent history, so moving
 * a band's frequency every few samples does not ring (transposed forms
 * keep a state that only means something for the old coefficients). */
#ifndef GS_DSP_SOS_H
#define GS_DSP_SOS_H

#include <complex.h>
#include <stdbool.h>
#include <stdint.h>

#define GS_SOS_MAX 8

typedef struct {
  double b0, b1, b2, a1, a2; /* a0 = 1 */
} GsBiquad;

typedef struct {
  GsBiquad s[GS_SOS_MAX];
  int n;       /* sections in use; 0 = a plain gain */
  double gain; /* overall gain */
} GsSosCoefs;

typedef struct {
  double z[GS_SOS_MAX][4]; /* x[n-1], x[n-2], y[n-1], y[n-2] per section */
} GsSosState;

void gs_sos_identity(GsSosCoefs *c);
void gs_sos_clear(GsSosState *st);

/* Filter n samples in place. Resets the state if it went non-finite. */
void gs_sos_run(const GsSosCoefs *c, GsSosState *st, float *buf, uint32_t n);

/* One sample, double precision. */
static inline double gs_sos_tick(const GsSosCoefs *c, GsSosState *st, double x) {
  double y = x * c->gain;
  for (int i = 0; i < c->n; i++) {
    const GsBiquad *q = &c->s[i];
    double *z = st->z[i];
    double out = q->b0 * y + q->b1 * z[0] + q->b2 * z[1] - q->a1 * z[2] - q->a2 * z[3];
    z[1] = z[0];
    z[0] = y;
    z[3] = z[2];
    z[2] = out;
    y = out;
  }
  return y;
}

/* What the cascade would output next for a zero input: the next output
 * is gs_sos_direct_gain(c) * x + this. */
static inline double gs_sos_free_response(const GsSosCoefs *c, const GsSosState *st) {
  double y = 0.0;
  for (int i = 0; i < c->n; i++) {
    const GsBiquad *q = &c->s[i];
    const double *z = st->z[i];
    y = q->b0 * y + q->b1 * z[0] + q->b2 * z[1] - q->a1 * z[2] - q->a2 * z[3];
  }
  return y;
}

/* The cascade's instantaneous gain: gain times every b0. */
double gs_sos_direct_gain(const GsSosCoefs *c);

/* True if every state value is finite. */
bool gs_sos_finite(const GsSosState *st);

/* Response at frequency hz for sample rate rate. */
double complex gs_sos_response(const GsSosCoefs *c, double hz, double rate);

/* Append the sections of b to a (false if they do not fit). */
int gs_sos_append(GsSosCoefs *a, const GsSosCoefs *b);

#endif
