/* Tone analysis: one windowed FFT of a coherently sampled sine gives the
 * fundamental, each harmonic, THD, THD+N and the strongest spur that is
 * not a harmonic (how aliasing shows). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "analyze/fft.h"
#include "analyze/util.h"
#include "gainstage/analyze.h"

#define LOBE 8 /* bins either side: the 7-term window's main lobe is ±7 */

double gs_coherent_freq(double hz, size_t n, double rate) {
  double cycles = round(hz * (double)n / rate);
  if (cycles < 1.0) cycles = 1.0;
  return cycles * rate / (double)n;
}

typedef struct {
  double *power; /* |X_k|^2, k = 0 .. n/2 */
  bool *taken;   /* bins that belong to DC or a harmonic */
  size_t bins;
  double scale; /* rms^2 per unit of summed power */
} Spectrum;

static double lobe_power(const Spectrum *s, size_t center) {
  size_t lo = center > LOBE ? center - LOBE : 0, hi = center + LOBE;
  if (hi >= s->bins) hi = s->bins - 1;
  double acc = 0.0;
  for (size_t k = lo; k <= hi; k++) acc += s->power[k];
  return acc;
}

static void take(Spectrum *s, size_t center) {
  size_t lo = center > LOBE ? center - LOBE : 0, hi = center + LOBE;
  for (size_t k = lo; k <= hi && k < s->bins; k++) s->taken[k] = true;
}

static bool spectrum_of(const float *x, size_t n, double mean, Spectrum *s) {
  GsFft *f = gs_fft_new(n);
  double *w = malloc(n * sizeof(double));
  s->bins = n / 2 + 1;
  s->power = malloc(s->bins * sizeof(double));
  s->taken = calloc(s->bins, sizeof(bool));
  bool ok = f && w && s->power && s->taken;
  if (ok) {
    gs_window_bh7(w, n);
    double *in = gs_fft_input(f), w2 = 0.0;
    for (size_t i = 0; i < n; i++) {
      in[i] = w[i] * (x[i] - mean);
      w2 += w[i] * w[i];
    }
    const double complex *X = gs_fft_forward(f);
    for (size_t k = 0; k < s->bins; k++) s->power[k] = creal(X[k] * conj(X[k]));
    s->scale = 2.0 / ((double)n * w2);
  }
  gs_fft_free(f);
  free(w);
  return ok;
}

static void spectrum_free(Spectrum *s) {
  free(s->power);
  free(s->taken);
}

GsStatus gs_analyze_tone(const float *x, size_t n, double rate, double freq_hz,
                         GsToneAnalysis *out) {
  if (!x || n < 1024 || (n & (n - 1)) || !(freq_hz > 0.0)) return GS_ERR_ARG;
  double mean = 0.0, peak = 0.0;
  for (size_t i = 0; i < n; i++) {
    mean += x[i];
    peak = fmax(peak, fabs(x[i]));
  }
  mean /= (double)n;
  double ac = 0.0;
  for (size_t i = 0; i < n; i++) ac += (x[i] - mean) * (x[i] - mean);
  Spectrum s;
  if (!spectrum_of(x, n, mean, &s)) {
    spectrum_free(&s);
    return GS_ERR_NOMEM;
  }
  double k0 = freq_hz * (double)n / rate;
  take(&s, 0);
  double harm_pow[GS_HARMONICS];
  for (int h = 1; h <= GS_HARMONICS; h++) {
    size_t kc = (size_t)llround(h * k0);
    if (kc + LOBE >= s.bins - 1) {
      harm_pow[h - 1] = NAN;
      continue;
    }
    harm_pow[h - 1] = lobe_power(&s, kc);
  }
  /* every harmonic below Nyquist is "taken", not only the first ten */
  for (int h = 1; h * k0 + LOBE < (double)s.bins - 1; h++) take(&s, (size_t)llround(h * k0));
  double band_lo = 20.0, band_hi = fmin(20000.0, 0.45 * rate);
  size_t klo = (size_t)ceil(band_lo * (double)n / rate);
  size_t khi = (size_t)floor(band_hi * (double)n / rate);
  size_t kfund = (size_t)llround(k0);
  double rest = 0.0;
  for (size_t k = klo; k <= khi && k < s.bins; k++) {
    bool in_fund = k + LOBE >= kfund && k <= kfund + LOBE;
    bool in_dc = k <= LOBE;
    if (!in_fund && !in_dc) rest += s.power[k];
  }
  /* the strongest component outside DC and the harmonics */
  size_t best = 0;
  for (size_t k = 0; k < s.bins; k++) {
    if (!s.taken[k] && (best == 0 || s.power[k] > s.power[best])) best = k;
  }
  double spur = 0.0;
  if (best) {
    for (size_t k = best > LOBE ? best - LOBE : 0; k <= best + LOBE && k < s.bins; k++) {
      if (!s.taken[k]) spur += s.power[k];
    }
  }
  double p1 = harm_pow[0];
  out->freq_hz = freq_hz;
  out->fund_rms = sqrt(p1 * s.scale);
  double hsum = 0.0;
  for (int h = 0; h < GS_HARMONICS; h++) {
    out->harm_rms[h] = sqrt(harm_pow[h] * s.scale);
    if (h > 0 && isfinite(harm_pow[h])) hsum += harm_pow[h];
  }
  out->thd = p1 > 0.0 ? sqrt(hsum / p1) : NAN;
  out->thd_n = p1 > 0.0 ? sqrt(rest / p1) : NAN;
  out->dc = mean;
  out->rms = sqrt(ac / (double)n);
  out->peak = peak;
  out->spur_ratio = p1 > 0.0 ? sqrt(spur / p1) : NAN;
  out->spur_hz = (double)best * rate / (double)n;
  spectrum_free(&s);
  return GS_OK;
}
