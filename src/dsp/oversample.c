#include "dsp/oversample.h"

#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846
#define STOP_DB 100.0
#define PASS 0.42 /* of the base rate: flat to 20 kHz at 48 kHz */

/* Modified Bessel function I0, by its series (for the Kaiser window). */
static double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 60; k++) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/* A Kaiser-windowed half-band low-pass whose transition spans `width`
 * (cycles per sample at its rate, centred on 1/4), of 4k + 3 taps (J. F.
 * Kaiser's formulas for the length and beta). */
static void design(GsHalfband *f, double width) {
  double beta = 0.1102 * (STOP_DB - 8.7);
  int n = (int)ceil((STOP_DB - 8.0) / (2.285 * 2.0 * PI * width)) + 1;
  while (n % 4 != 3) n++;
  if ((n + 1) / 2 > GS_OS_MAX_PHASE) n = 2 * GS_OS_MAX_PHASE - 1;
  memset(f, 0, sizeof *f);
  f->taps = n;
  double c = (n - 1) / 2.0, sum = 0.0, h[2 * GS_OS_MAX_PHASE];
  for (int k = 0; k < n; k++) {
    double t = k - c, r = t / c;
    double sinc = t == 0.0 ? 0.5 : sin(0.5 * PI * t) / (PI * t);
    h[k] = sinc * bessel_i0(beta * sqrt(fmax(0.0, 1.0 - r * r))) / bessel_i0(beta);
    sum += h[k];
  }
  for (int k = 0; k < n; k++) {
    if (k % 2 == 0)
      f->even[f->n_even++] = h[k] / sum;
    else
      f->odd[f->n_odd++] = h[k] / sum;
  }
}

static void push(double *hist, int len, int pos, double x) {
  hist[pos] = x;
  hist[pos + len] = x;
}

static double dot(const double *h, const double *x, int n) {
  double acc = 0.0;
  for (int j = 0; j < n; j++) acc += h[j] * x[j];
  return acc;
}

/* Interpolation by 2: x at the low rate, two samples out. */
static void interpolate(GsHalfband *f, double x, double *out) {
  int len = f->n_even; /* the longer branch */
  f->pos = f->pos == 0 ? len - 1 : f->pos - 1;
  push(f->he, len, f->pos, x);
  out[0] = 2.0 * dot(f->even, f->he + f->pos, f->n_even);
  out[1] = 2.0 * dot(f->odd, f->he + f->pos, f->n_odd);
}

/* Decimation by 2: two samples in (the even-indexed first), one out, at
 * the even sample's time, so the low rate stays on its grid: the odd
 * sample waits for the next pair. */
static double decimate(GsHalfband *f, const double *in) {
  int len = f->n_even;
  f->pos = f->pos == 0 ? len - 1 : f->pos - 1;
  push(f->he, len, f->pos, in[0]);
  push(f->ho, len, f->pos, f->odd_wait);
  f->odd_wait = in[1];
  return dot(f->even, f->he + f->pos, f->n_even) + dot(f->odd, f->ho + f->pos, f->n_odd);
}

bool gs_os_init(GsOversampler *o, int factor) {
  memset(o, 0, sizeof *o);
  if (factor != 1 && factor != 2 && factor != 4 && factor != 8) return false;
  o->factor = factor;
  o->stages = factor == 8 ? 3 : factor == 4 ? 2 : factor == 2 ? 1 : 0;
  long delay = 0; /* at the highest rate */
  for (int i = 0; i < o->stages; i++) {
    /* at twice this stage's input rate: pass to PASS of the base rate,
     * stop from the first image of that band */
    double width = 0.5 - PASS / (double)(1 << i);
    design(&o->up[i], width);
    design(&o->down[i], width);
    delay += (long)(o->up[i].taps - 1) * (factor >> (i + 1));
  }
  o->delay_len = (int)((factor - delay % factor) % factor);
  o->latency = (uint32_t)((delay + o->delay_len) / factor);
  return true;
}

void gs_os_reset(GsOversampler *o) {
  for (int i = 0; i < o->stages; i++) {
    memset(o->up[i].he, 0, sizeof o->up[i].he);
    memset(o->down[i].he, 0, sizeof o->down[i].he);
    memset(o->down[i].ho, 0, sizeof o->down[i].ho);
    o->up[i].pos = o->down[i].pos = 0;
    o->down[i].odd_wait = 0.0;
  }
  memset(o->delay, 0, sizeof o->delay);
  o->delay_pos = 0;
}

void gs_os_up(GsOversampler *o, double x, double *out) {
  int n = 1;
  out[0] = x;
  for (int i = 0; i < o->stages; i++, n *= 2) {
    double tmp[GS_OS_MAX_FACTOR];
    for (int k = 0; k < n; k++) interpolate(&o->up[i], out[k], tmp + 2 * k);
    memcpy(out, tmp, 2 * n * sizeof(double));
  }
}

double gs_os_down(GsOversampler *o, const double *in) {
  double buf[GS_OS_MAX_FACTOR];
  int n = o->factor;
  for (int k = 0; k < n; k++) { /* the padding delay, at the high rate */
    if (o->delay_len == 0) {
      buf[k] = in[k];
      continue;
    }
    buf[k] = o->delay[o->delay_pos];
    o->delay[o->delay_pos] = in[k];
    o->delay_pos = (o->delay_pos + 1) % o->delay_len;
  }
  for (int i = o->stages - 1; i >= 0; i--, n /= 2) {
    for (int k = 0; k < n / 2; k++) buf[k] = decimate(&o->down[i], buf + 2 * k);
  }
  return buf[0];
}
