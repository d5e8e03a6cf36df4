/* Frequency response and latency from an exponential sine sweep (A. Farina,
 * "Simultaneous measurement of impulse response and distortion with a
 * swept-sine technique", AES 108th convention, 2000): the response is the
 * output spectrum divided by the sweep's, which for a linear system is
 * exact whatever the sweep's shape, as long as the output has died away
 * inside the capture.
 *
 * Latency is the system's pure delay: the peak of the impulse response of
 * its excess phase — the response against the minimum-phase response of
 * the same magnitude (computed through the real cepstrum), weighted by
 * the power so that bands the system all but stops do not decide it. A filter's own
 * dispersion (a tone stack's impulse response peaks a few samples late)
 * is minimum phase and does not count; a delay line does. */
#include "analyze/response.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/fft.h"

#define PI 3.14159265358979323846

static size_t pow2_at_least(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

/* x(t) = A sin(2 pi f1 L (exp(t / L) - 1)), L = T / ln(f2 / f1), with 5 ms
 * and 1 ms raised-cosine fades so that it starts and ends without a step. */
static void make_sweep(float *x, size_t len, double rate, double f1, double f2, double amp) {
  double T = (double)len / rate, L = T / log(f2 / f1);
  size_t in = (size_t)(0.005 * rate), outf = (size_t)(0.001 * rate);
  for (size_t i = 0; i < len; i++) {
    double t = (double)i / rate;
    double g = 1.0;
    if (i < in) g = 0.5 - 0.5 * cos(PI * (double)i / (double)in);
    if (i + outf > len) g = 0.5 - 0.5 * cos(PI * (double)(len - i) / (double)outf);
    x[i] = (float)(amp * g * sin(2.0 * PI * f1 * L * (exp(t / L) - 1.0)));
  }
}

/* The peak of the excess-phase impulse response (the cross-correlation of
 * the impulse response with its minimum-phase twin). f is a scratch FFT
 * of the capture's size. */
static double excess_delay(const GsSweepResult *r, GsFft *f, double lo, double hi) {
  size_t n = r->n, bins = r->bins;
  size_t klo = (size_t)ceil(lo * (double)n / r->rate),
         khi = (size_t)floor(hi * (double)n / r->rate);
  /* log magnitude, extended flat beyond the measured band */
  double complex *b = gs_fft_bins(f);
  for (size_t k = 0; k < bins; k++) {
    size_t kk = k < klo ? klo : (k > khi ? khi : k);
    b[k] = log(fmax(cabs(r->h[kk]), 1e-30));
  }
  const double complex *lmin = gs_fft_min_phase_log(f);
  /* the excess phase weighted by the power, H conj(Hmin), in the band:
   * bins where the system passes little (and the capture is mostly
   * rounding) count for little; kept in the same buffer */
  double complex *e = gs_fft_bins(f);
  for (size_t k = 0; k < bins; k++) {
    e[k] = (k >= klo && k <= khi) ? r->h[k] * conj(cexp(lmin[k])) : 0.0;
  }
  const double *x = gs_fft_inverse(f);
  size_t best = 0;
  for (size_t i = 0; i < n / 2; i++) {
    if (fabs(x[i]) > fabs(x[best])) best = i;
  }
  return (double)best;
}

GsStatus gs_system_run(const GsSystem *sys, const float *in, float *out, size_t n) {
  if (sys->reset) sys->reset(sys->ctx);
  if (sys->process_all) return sys->process_all(sys->ctx, in, out, n);
  for (size_t pos = 0; pos < n; pos += 4096) {
    uint32_t m = (uint32_t)(n - pos < 4096 ? n - pos : 4096);
    sys->process(sys->ctx, in + pos, out + pos, m);
  }
  return GS_OK;
}

GsStatus gs_sweep_response(const GsSystem *sys, double amplitude, GsSweepResult *out) {
  double rate = sys->rate;
  double f1 = 5.0, f2 = 0.49 * rate;
  size_t len = (size_t)(2.0 * rate), tail = (size_t)(0.75 * rate);
  size_t n = pow2_at_least(len + tail);
  float *x = calloc(n, sizeof(float)), *y = calloc(n, sizeof(float));
  GsFft *fx = gs_fft_new(n), *fy = gs_fft_new(n);
  GsStatus st = GS_ERR_NOMEM;
  out->h = NULL;
  if (!x || !y || !fx || !fy) goto fail;
  make_sweep(x, len, rate, f1, f2, amplitude);
  st = gs_system_run(sys, x, y, n);
  if (st != GS_OK) goto fail;
  st = GS_ERR_NOMEM;
  double *ix = gs_fft_input(fx), *iy = gs_fft_input(fy);
  for (size_t i = 0; i < n; i++) {
    ix[i] = x[i];
    iy[i] = y[i];
  }
  const double complex *X = gs_fft_forward(fx);
  const double complex *Y = gs_fft_forward(fy);
  out->bins = n / 2 + 1;
  out->n = n;
  out->rate = rate;
  out->h = malloc(out->bins * sizeof(double complex));
  if (!out->h) goto fail;
  /* divide where the sweep has energy; outside, nothing is known */
  double lo = 1.5 * f1, hi = f2 / 1.05;
  for (size_t k = 0; k < out->bins; k++) {
    double hz = (double)k * rate / (double)n;
    out->h[k] = (hz >= lo && hz <= hi && cabs(X[k]) > 0.0) ? Y[k] / X[k] : 0.0;
  }
  out->latency = excess_delay(out, fy, lo, hi);
  free(x);
  free(y);
  gs_fft_free(fx);
  gs_fft_free(fy);
  return GS_OK;
fail:
  free(x);
  free(y);
  free(out->h);
  out->h = NULL;
  gs_fft_free(fx);
  gs_fft_free(fy);
  return st;
}

double complex gs_sweep_at(const GsSweepResult *r, double hz) {
  double pos = hz * (double)r->n / r->rate;
  size_t k = (size_t)pos;
  if (k + 1 >= r->bins) return NAN;
  double t = pos - (double)k;
  return r->h[k] * (1.0 - t) + r->h[k + 1] * t;
}

void gs_sweep_free(GsSweepResult *r) {
  free(r->h);
  r->h = NULL;
}
