#include "dsp/sos.h"

#include <math.h>
#include <string.h>

void gs_sos_identity(GsSosCoefs *c) {
  memset(c, 0, sizeof *c);
  c->gain = 1.0;
}

void gs_sos_clear(GsSosState *st) {
  memset(st, 0, sizeof *st);
}

void gs_sos_run(const GsSosCoefs *c, GsSosState *st, float *buf, uint32_t n) {
  if (c->n == 0) {
    if (c->gain != 1.0) {
      for (uint32_t i = 0; i < n; i++) buf[i] = (float)(buf[i] * c->gain);
    }
    return;
  }
  for (uint32_t i = 0; i < n; i++) buf[i] = (float)gs_sos_tick(c, st, buf[i]);
  /* A state that went non-finite would poison every later sample. */
  if (!gs_sos_finite(st)) gs_sos_clear(st);
}

bool gs_sos_finite(const GsSosState *st) {
  double acc = 0.0;
  for (int k = 0; k < GS_SOS_MAX; k++) {
    acc += st->z[k][0] + st->z[k][1] + st->z[k][2] + st->z[k][3];
  }
  return isfinite(acc);
}

double gs_sos_direct_gain(const GsSosCoefs *c) {
  double g = c->gain;
  for (int k = 0; k < c->n; k++) g *= c->s[k].b0;
  return g;
}

double complex gs_sos_response(const GsSosCoefs *c, double hz, double rate) {
  double w = 2.0 * 3.14159265358979323846 * hz / rate;
  double complex z1 = cexp(-I * w);
  double complex z2 = z1 * z1;
  double complex h = c->gain;
  for (int i = 0; i < c->n; i++) {
    const GsBiquad *q = &c->s[i];
    h *= (q->b0 + q->b1 * z1 + q->b2 * z2) / (1.0 + q->a1 * z1 + q->a2 * z2);
  }
  return h;
}

int gs_sos_append(GsSosCoefs *a, const GsSosCoefs *b) {
  if (a->n + b->n > GS_SOS_MAX) return 0;
  for (int i = 0; i < b->n; i++) a->s[a->n + i] = b->s[i];
  a->n += b->n;
  a->gain *= b->gain;
  return 1;
}
