#include "dsp/iir.h"

#include <math.h>
#include <string.h>

void gs_iir_identity(GsIirCoefs *c) {
  memset(c, 0, sizeof *c);
  c->b[0] = c->a[0] = 1.0;
  c->gain = 1.0;
}

/* p <- p * (1 + c1 z^-1 + c2 z^-2), p of degree *deg */
static void mul_quad(double *p, int *deg, double c0, double c1, double c2) {
  double out[GS_IIR_MAX + 1] = {0};
  for (int i = 0; i <= *deg; i++) {
    out[i] += p[i] * c0;
    if (i + 1 <= GS_IIR_MAX) out[i + 1] += p[i] * c1;
    if (i + 2 <= GS_IIR_MAX) out[i + 2] += p[i] * c2;
  }
  *deg = *deg + 2 > GS_IIR_MAX ? GS_IIR_MAX : *deg + 2;
  memcpy(p, out, sizeof out);
}

void gs_iir_from_sos(GsIirCoefs *out, const GsSosCoefs *sos) {
  gs_iir_identity(out);
  int nb = 0, na = 0;
  for (int i = 0; i < sos->n; i++) {
    const GsBiquad *q = &sos->s[i];
    mul_quad(out->b, &nb, q->b0, q->b1, q->b2);
    mul_quad(out->a, &na, 1.0, q->a1, q->a2);
  }
  int order = nb > na ? nb : na;
  while (order > 0 && out->b[order] == 0.0 && out->a[order] == 0.0) order--;
  out->order = order;
  out->gain = sos->gain;
}

void gs_iir_clear(GsIirState *st) {
  memset(st, 0, sizeof *st);
}

bool gs_iir_finite(const GsIirState *st) {
  double acc = 0.0;
  for (int k = 0; k < GS_IIR_MAX; k++) acc += st->x[k] + st->y[k];
  return isfinite(acc);
}

/* The numerators are interpolated with their gains in: a design may split
 * a response between gain and b differently from the next one (a scale
 * moving from one to the other as a zero runs off to infinity), and
 * interpolating the two apart multiplies the errors. */
static void lerp_coefs(GsIirCoefs *out, const GsIirCoefs *a, const GsIirCoefs *b, double t) {
  int order = a->order > b->order ? a->order : b->order;
  for (int k = 0; k <= GS_IIR_MAX; k++) {
    out->b[k] = (1.0 - t) * a->gain * a->b[k] + t * b->gain * b->b[k];
    out->a[k] = a->a[k] + t * (b->a[k] - a->a[k]);
  }
  out->gain = 1.0;
  out->order = order;
}

void gs_iir_morph(GsIirState *st, const GsIirCoefs *old, uint32_t n) {
  /* a morph already running continues from where it is */
  GsIirCoefs from = *old;
  if (st->morph_left && st->morph_len) {
    double t = 1.0 - (double)st->morph_left / st->morph_len;
    lerp_coefs(&from, &st->from, old, t);
  }
  st->from = from;
  st->morph_left = st->morph_len = n;
}

void gs_iir_morph_next(const GsIirCoefs *c, GsIirState *st, GsIirCoefs *now) {
  double t = 1.0 - (double)(st->morph_left - 1) / st->morph_len;
  lerp_coefs(now, &st->from, c, t);
  st->morph_left--;
}

double gs_iir_step(const GsIirCoefs *c, GsIirState *st, double x) {
  if (!st->morph_left) return gs_iir_tick(c, st, x);
  GsIirCoefs now;
  gs_iir_morph_next(c, st, &now);
  return gs_iir_tick(&now, st, x);
}

void gs_iir_run(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n) {
  uint32_t i = 0;
  for (; i < n && st->morph_left; i++) buf[i] = (float)gs_iir_step(c, st, buf[i]);
  for (; i < n; i++) buf[i] = (float)gs_iir_tick(c, st, buf[i]);
  if (!gs_iir_finite(st)) gs_iir_clear(st);
}

double complex gs_iir_response(const GsIirCoefs *c, double hz, double rate) {
  double complex z1 = cexp(-I * 2.0 * 3.14159265358979323846 * hz / rate);
  double complex num = 0.0, den = 0.0, zk = 1.0;
  for (int k = 0; k <= c->order; k++, zk *= z1) {
    num += c->b[k] * zk;
    den += c->a[k] * zk;
  }
  return c->gain * num / den;
}
