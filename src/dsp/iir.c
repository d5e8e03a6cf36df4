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

/* A morph's coefficients follow its straight line through two one-pole
 * smoothers in cascade (time constants MORPH_TAU samples) and settle for
 * MORPH_SETTLE samples after it: the path then has no corners, in position
 * or in speed. A direct-form filter whose coefficients move at a steady
 * rate carries an error proportional to that rate (the histories weighted
 * by the coefficients' change), which a path that stops dead drops at
 * once: a step in the output. (A speaker's Re swept 20x, its junction with
 * a class-D amp resonant: 4.4x the smoothing bound at the end of the line;
 * one smoother of 8 samples 2.5x; two of 32 samples 0.89x.) */
#define MORPH_TAU 32.0
#define MORPH_SETTLE 512u /* 16 time constants: within 2e-6 of the line's end */

/* Where the straight line is (0..1) with `left` samples of the morph to go. */
static double line_at(const GsIirState *st, uint32_t left) {
  uint32_t line_left = left > MORPH_SETTLE ? left - MORPH_SETTLE : 0;
  return 1.0 - (double)line_left / st->morph_len;
}

void gs_iir_morph(GsIirState *st, const GsIirCoefs *old, uint32_t n) {
  /* a morph already running continues from where its line is */
  GsIirCoefs from = *old;
  if (st->morph_left && st->morph_len) {
    lerp_coefs(&from, &st->from, old, line_at(st, st->morph_left));
  } else {
    lerp_coefs(&st->now, old, old, 0.0);
    st->mid = st->now;
  }
  st->from = from;
  st->morph_len = n ? n : 1;
  st->morph_left = st->morph_len + MORPH_SETTLE;
}

void gs_iir_morph_next(const GsIirCoefs *c, GsIirState *st, GsIirCoefs *now) {
  GsIirCoefs line;
  lerp_coefs(&line, &st->from, c, line_at(st, st->morph_left - 1));
  if (--st->morph_left == 0) {
    st->now = line; /* the end: exactly the design */
  } else {
    const double k = 1.0 - exp(-1.0 / MORPH_TAU);
    for (int j = 0; j <= GS_IIR_MAX; j++) {
      st->mid.b[j] += k * (line.b[j] - st->mid.b[j]);
      st->mid.a[j] += k * (line.a[j] - st->mid.a[j]);
      st->now.b[j] += k * (st->mid.b[j] - st->now.b[j]);
      st->now.a[j] += k * (st->mid.a[j] - st->now.a[j]);
    }
    st->now.order = line.order;
  }
  *now = st->now;
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
  gs_iir_block(c, st, buf + i, n - i);
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
