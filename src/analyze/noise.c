/* Noise analysis by Welch's method, unweighted, A-weighted and full band. */
#include <math.h>
#include <stdlib.h>

#include "analyze/fft.h"
#include "gainstage/analyze.h"

/* IEC 61672-1:2013, annex E: the A-weighting pole frequencies, and the
 * weighting normalized to exactly 0 dB at 1 kHz. */
static double a_response(double f) {
  const double f1 = 20.598997, f2 = 107.65265, f3 = 737.86223, f4 = 12194.217;
  double f2sq = f * f;
  return (f4 * f4 * f2sq * f2sq) /
         ((f2sq + f1 * f1) * sqrt((f2sq + f2 * f2) * (f2sq + f3 * f3)) * (f2sq + f4 * f4));
}

double gs_a_weighting_db(double hz) {
  return 20.0 * log10(a_response(hz) / a_response(1000.0));
}

GsStatus gs_analyze_noise(const float *x, size_t n, double rate, GsNoiseAnalysis *out) {
  size_t len = 32768;
  while (len > n) len /= 2;
  if (len < 1024) return GS_ERR_ARG;
  GsFft *f = gs_fft_new(len);
  double *w = malloc(len * sizeof(double));
  double *psd = calloc(len / 2 + 1, sizeof(double));
  if (!f || !w || !psd) {
    gs_fft_free(f);
    free(w);
    free(psd);
    return GS_ERR_NOMEM;
  }
  gs_window_hann(w, len);
  double w2 = 0.0;
  for (size_t i = 0; i < len; i++) w2 += w[i] * w[i];
  double mean = 0.0;
  for (size_t i = 0; i < n; i++) mean += x[i];
  mean /= (double)n;
  size_t segments = 0;
  for (size_t start = 0; start + len <= n; start += len / 2, segments++) {
    double *in = gs_fft_input(f);
    for (size_t i = 0; i < len; i++) in[i] = w[i] * (x[start + i] - mean);
    const double complex *X = gs_fft_forward(f);
    for (size_t k = 0; k <= len / 2; k++) psd[k] += creal(X[k] * conj(X[k]));
  }
  /* power per bin as rms^2: 2 |X|^2 / (len sum w^2), averaged */
  double scale = 2.0 / ((double)len * w2 * (double)segments);
  double lo = 20.0, hi = fmin(20000.0, 0.45 * rate), band = 0.0, aw = 0.0, full = 0.0;
  for (size_t k = 2; k <= len / 2; k++) {
    double hz = (double)k * rate / (double)len, p = psd[k] * scale;
    if (k == len / 2) p *= 0.5; /* Nyquist bin is not doubled */
    full += p;
    if (hz >= lo && hz <= hi) {
      band += p;
      double a = a_response(hz) / a_response(1000.0);
      aw += p * a * a;
    }
  }
  out->rms_band = sqrt(band);
  out->rms_a = sqrt(aw);
  out->rms_full = sqrt(full);
  gs_fft_free(f);
  free(w);
  free(psd);
  return GS_OK;
}
