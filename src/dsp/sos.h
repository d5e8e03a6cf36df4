/* Cascades of second-order sections in double precision (transposed direct
 * form II), the one IIR filter every stage uses. Coefficients and state are
 * apart so that several channels can share one design. */
#ifndef GS_DSP_SOS_H
#define GS_DSP_SOS_H

#include <complex.h>
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
  double z[GS_SOS_MAX][2];
} GsSosState;

void gs_sos_identity(GsSosCoefs *c);
void gs_sos_clear(GsSosState *st);

/* Filter n samples in place. Resets the state if it went non-finite. */
void gs_sos_run(const GsSosCoefs *c, GsSosState *st, float *buf, uint32_t n);

/* One sample, double precision. */
static inline double gs_sos_tick(const GsSosCoefs *c, GsSosState *st,
                                 double x) {
  double y = x * c->gain;
  for (int i = 0; i < c->n; i++) {
    const GsBiquad *q = &c->s[i];
    double *z = st->z[i];
    double out = q->b0 * y + z[0];
    z[0] = q->b1 * y - q->a1 * out + z[1];
    z[1] = q->b2 * y - q->a2 * out;
    y = out;
  }
  return y;
}

/* Response at frequency hz for sample rate rate. */
double complex gs_sos_response(const GsSosCoefs *c, double hz, double rate);

/* Append the sections of b to a (false if they do not fit). */
int gs_sos_append(GsSosCoefs *a, const GsSosCoefs *b);

#endif
