/* gs_measure: the bench analyzer's whole run over a system. Each figure
 * comes from its own stimulus, with the system reset before it:
 *   stepped sine (noise off): gain, level, harmonics, THD, DC, spurs;
 *   the same with the system's noise on: THD+N;
 *   silence (noise on): noise, A-weighted noise, EIN, SNR;
 *   an exponential sweep 10 dB below the drive (noise off): response,
 *   phase, latency; stepped sines at third octaves: H2 and H3 responses;
 *   a level search: the output at 1 % THD. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/fft.h"
#include "analyze/response.h"
#include "analyze/util.h"
#include "gainstage/analyze.h"
#include "log.h"
#include "units.h"

#define TONE_N 32768u /* samples analysed per stepped sine */
#define QUICK_N 8192u /* for searches and sweeps */
#define NOISE_N 131072u

void gs_measure_defaults(GsMeasureConfig *c) {
  memset(c, 0, sizeof *c);
  c->freq_hz = 1000.0;
  c->tone = c->noise = c->response = c->latency = c->max_output = true;
}

/* Peak amplitude of the stimulus for a level in the input's unit. */
static double amplitude_for(const GsSystem *s, double level) {
  return gs_domain_rms(s->input, level) * GS_SQRT2;
}

static void set_noise(const GsSystem *s, bool on) {
  if (s->set_noise) s->set_noise(s->ctx, on);
}

/* A stepped sine: settle, then analyse n samples. */
static GsStatus tone(const GsSystem *s, double hz, double amp, size_t n, GsToneAnalysis *t,
                     float **keep) {
  size_t settle = (size_t)(0.25 * s->rate), total = settle + n;
  float *in = malloc(total * sizeof(float)), *out = malloc(total * sizeof(float));
  if (!in || !out) {
    free(in);
    free(out);
    return GS_ERR_NOMEM;
  }
  for (size_t i = 0; i < total; i++) {
    in[i] = (float)(amp * sin(2.0 * M_PI * hz * (double)i / s->rate));
  }
  GsStatus st = gs_system_run(s, in, out, total);
  if (st == GS_OK) st = gs_analyze_tone(out + settle, n, s->rate, hz, t);
  if (keep && st == GS_OK) {
    memmove(out, out + settle, n * sizeof(float));
    *keep = out;
  } else {
    free(out);
  }
  free(in);
  return st;
}

/* The spectrum of the tone capture for plots: dB of each bin, scaled so a
 * sine on a bin reads its rms level (re 1 V, or re a full-scale sine). */
static void keep_spectrum(GsMeasurement *m, const float *x, size_t n) {
  GsFft *f = gs_fft_new(n);
  double *w = malloc(n * sizeof(double));
  m->spectrum = malloc((n / 2 + 1) * sizeof(float));
  if (f && w && m->spectrum) {
    gs_window_bh7(w, n);
    double *in = gs_fft_input(f), sum = 0.0;
    for (size_t i = 0; i < n; i++) {
      in[i] = w[i] * x[i];
      sum += w[i];
    }
    const double complex *X = gs_fft_forward(f);
    /* volts in dBV for a spectrum; the domain's own reference otherwise */
    double ref = m->output == GS_DOMAIN_ANALOG ? 1.0 : gs_domain_info(m->output)->rms_ref;
    for (size_t k = 0; k <= n / 2; k++) {
      double rms = 2.0 * cabs(X[k]) / sum / GS_SQRT2;
      m->spectrum[k] = (float)gs_db20(fmax(rms / ref, 1e-15));
    }
    m->n_spectrum = n / 2 + 1;
    m->spectrum_hz_per_bin = m->rate / (double)n;
  } else {
    free(m->spectrum);
    m->spectrum = NULL;
  }
  gs_fft_free(f);
  free(w);
}

static GsStatus measure_tone(const GsSystem *s, double amp, GsMeasurement *m) {
  GsToneAnalysis t;
  set_noise(s, false);
  GsStatus st = tone(s, m->freq_hz, amp, TONE_N, &t, NULL);
  if (st != GS_OK) return st;
  m->gain_db = gs_db20(t.fund_rms / (amp / GS_SQRT2));
  m->out_vpk = t.peak;
  m->out_vrms = t.rms;
  memcpy(m->harm_rms, t.harm_rms, sizeof m->harm_rms);
  m->thd = t.thd;
  m->dc = t.dc;
  m->alias_dbc = fmax(gs_db20(t.spur_ratio), -200.0);
  /* THD+N, and the spectrum people see, with the system's noise */
  float *capture = NULL;
  set_noise(s, true);
  st = tone(s, m->freq_hz, amp, TONE_N, &t, &capture);
  if (st != GS_OK) return st;
  m->thd_n = t.thd_n;
  keep_spectrum(m, capture, TONE_N);
  free(capture);
  return GS_OK;
}

static GsStatus measure_noise(const GsSystem *s, GsMeasurement *m) {
  size_t settle = (size_t)(0.25 * s->rate), total = settle + NOISE_N;
  float *in = calloc(total, sizeof(float)), *out = malloc(total * sizeof(float));
  if (!in || !out) {
    free(in);
    free(out);
    return GS_ERR_NOMEM;
  }
  set_noise(s, true);
  GsNoiseAnalysis a = {NAN, NAN, NAN};
  GsStatus st = gs_system_run(s, in, out, total);
  if (st == GS_OK) st = gs_analyze_noise(out + settle, NOISE_N, s->rate, &a);
  m->noise_rms = a.rms_band;
  m->noise_rms_a = a.rms_a;
  m->noise_rms_full = a.rms_full;
  free(in);
  free(out);
  return st;
}

/* Response points at 10 Hz, at twelfth-octaves through 1 kHz exactly, and
 * at 20 kHz (or 0.45 rate). */
static GsStatus measure_response(const GsSystem *s, double amp, GsMeasurement *m) {
  GsSweepResult r;
  set_noise(s, false);
  m->response_level = m->level - 10.0;
  GsStatus st = gs_sweep_response(s, amp * pow(10.0, -10.0 / 20.0), &r);
  if (st != GS_OK) return st;
  m->latency_samples = r.latency;
  double top = fmin(20000.0, 0.45 * s->rate);
  size_t cap = 200;
  m->response = malloc(cap * sizeof(GsResponsePoint));
  if (!m->response) {
    gs_sweep_free(&r);
    return GS_ERR_NOMEM;
  }
  double complex ref = gs_sweep_at(&r, 1000.0);
  for (int i = -80; m->n_response < cap; i++) {
    double f = i == -80 ? 10.0 : 1000.0 * pow(2.0, i / 12.0);
    if (f > top) {
      if (m->n_response && m->response[m->n_response - 1].hz >= top * 0.999) break;
      f = top; /* end on the band's edge exactly */
    }
    /* magnitude re 1 kHz; phase as it is, less the latency's linear phase */
    double complex h = gs_sweep_at(&r, f) / cabs(ref);
    h *= cexp(I * 2.0 * M_PI * f * r.latency / s->rate);
    GsResponsePoint *p = &m->response[m->n_response++];
    p->hz = f;
    p->db = gs_db20(cabs(h));
    p->deg = carg(h) * 180.0 / M_PI;
  }
  gs_sweep_free(&r);
  return GS_OK;
}

/* H2 and H3 at third-octave input frequencies, stepped, at the drive. */
static GsStatus measure_harmonic_response(const GsSystem *s, double amp, GsMeasurement *m) {
  size_t cap = 40;
  m->h2 = malloc(cap * sizeof(GsResponsePoint));
  m->h3 = malloc(cap * sizeof(GsResponsePoint));
  if (!m->h2 || !m->h3) return GS_ERR_NOMEM;
  set_noise(s, false);
  double top = fmin(20000.0, 0.45 * s->rate);
  for (double f = 20.0; 2.0 * f <= top && m->n_h2 < cap; f *= pow(2.0, 1.0 / 3.0)) {
    GsToneAnalysis t;
    double hz = gs_coherent_freq(f, QUICK_N, s->rate);
    GsStatus st = tone(s, hz, amp, QUICK_N, &t, NULL);
    if (st != GS_OK) return st;
    m->h2[m->n_h2++] = (GsResponsePoint){hz, gs_db20(t.harm_rms[1] / t.fund_rms), 0.0};
    if (3.0 * hz <= top) {
      m->h3[m->n_h3++] = (GsResponsePoint){hz, gs_db20(t.harm_rms[2] / t.fund_rms), 0.0};
    }
  }
  return GS_OK;
}

/* THD at a peak amplitude, for the search; NaN once a run has failed
 * (*st says why, and no further run is made). */
static double thd_at(const GsSystem *s, double hz, double amp, GsToneAnalysis *t, GsStatus *st) {
  if (*st == GS_OK) *st = tone(s, hz, amp, QUICK_N, t, NULL);
  return *st == GS_OK ? t->thd : NAN;
}

/* The input level (dB re amp) where THD crosses 1 %, by stepping out in
 * 6 dB steps to bracket it, then bisecting to 0.01 dB. */
static GsStatus measure_max_output(const GsSystem *s, double amp, GsMeasurement *m) {
  const double target = 0.01;
  double hz = gs_coherent_freq(m->freq_hz, QUICK_N, s->rate);
  GsToneAnalysis t;
  GsStatus st = GS_OK;
  set_noise(s, false);
  double lo, hi, th = thd_at(s, hz, amp, &t, &st);
  if (!isfinite(th)) return st;
  if (th < target) {
    lo = 0.0;
    for (hi = 6.0; hi <= 96.0; hi += 6.0) {
      if (amp * pow(10.0, hi / 20.0) > 1e5) return st;
      if (thd_at(s, hz, amp * pow(10.0, hi / 20.0), &t, &st) >= target) break;
      lo = hi;
    }
    if (hi > 96.0) return st; /* never distorts: no maximum */
  } else {
    hi = 0.0;
    for (lo = -6.0; lo >= -120.0; lo -= 6.0) {
      if (thd_at(s, hz, amp * pow(10.0, lo / 20.0), &t, &st) < target) break;
      hi = lo;
    }
    if (lo < -120.0) return st;
  }
  while (hi - lo > 0.01 && st == GS_OK) {
    double mid = 0.5 * (lo + hi);
    if (thd_at(s, hz, amp * pow(10.0, mid / 20.0), &t, &st) < target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  double a = amp * pow(10.0, lo / 20.0);
  thd_at(s, hz, a, &t, &st);
  if (st != GS_OK) return st;
  m->max_input = a;
  m->max_vpk = t.fund_rms * GS_SQRT2;
  m->max_watts = s->load_siemens ? t.rms * t.rms * s->load_siemens(s->ctx, hz) : NAN;
  return GS_OK;
}

static GsStatus measure_sweep(const GsSystem *s, const GsMeasureConfig *c, GsMeasurement *m) {
  if (!(c->sweep_step > 0.0)) return GS_OK;
  size_t cap = (size_t)(fabs(c->sweep_to - c->sweep_from) / c->sweep_step) + 2;
  if (cap > 1000) return GS_ERR_RANGE;
  m->sweep = calloc(cap, sizeof(GsSweepPoint));
  if (!m->sweep) return GS_ERR_NOMEM;
  double dir = c->sweep_to >= c->sweep_from ? 1.0 : -1.0;
  for (double l = c->sweep_from; dir * (l - c->sweep_to) <= 1e-9 && m->n_sweep < cap;
       l += dir * c->sweep_step) {
    double amp = amplitude_for(s, l);
    GsToneAnalysis t;
    set_noise(s, false);
    GsStatus st = tone(s, m->freq_hz, amp, QUICK_N, &t, NULL);
    if (st != GS_OK) return st;
    GsSweepPoint *p = &m->sweep[m->n_sweep++];
    p->level = l;
    p->gain_db = gs_db20(t.fund_rms / (amp / GS_SQRT2));
    p->thd = t.thd;
    set_noise(s, true);
    st = tone(s, m->freq_hz, amp, QUICK_N, &t, NULL);
    if (st != GS_OK) return st;
    p->thd_n = t.thd_n;
  }
  return GS_OK;
}

static void start(const GsSystem *s, const GsMeasureConfig *c, GsMeasurement *m) {
  memset(m, 0, sizeof *m);
  m->rate = s->rate;
  m->input = s->input;
  m->output = s->output;
  m->level = c->level_given ? c->level : s->nominal_level;
  m->freq_hz = gs_coherent_freq(c->freq_hz > 0.0 ? c->freq_hz : 1000.0, TONE_N, s->rate);
  m->latency_reported = s->reported_latency;
  double nan = NAN;
  m->gain_db = m->out_vpk = m->out_vrms = m->thd = m->thd_n = m->dc = m->alias_dbc = nan;
  for (int h = 0; h < GS_HARMONICS; h++) m->harm_rms[h] = nan;
  m->noise_rms = m->noise_rms_a = m->noise_rms_full = m->ein_dbu = m->snr_db = nan;
  m->latency_samples = m->max_vpk = m->max_watts = m->max_input = nan;
  m->response_level = nan;
}

static void derive(const GsSystem *s, GsMeasurement *m) {
  if (s->input == GS_DOMAIN_ANALOG && isfinite(m->gain_db) && isfinite(m->noise_rms)) {
    m->ein_dbu = gs_vrms_to_dbu(m->noise_rms / pow(10.0, m->gain_db / 20.0));
  }
  if (isfinite(m->max_vpk) && isfinite(m->noise_rms) && m->noise_rms > 0.0) {
    m->snr_db = gs_db20(m->max_vpk / GS_SQRT2 / m->noise_rms);
  }
}

GsStatus gs_measure(const GsSystem *s, const GsMeasureConfig *c, const GsLog *log,
                    GsMeasurement *m) {
  if (!s || !c || !m || !(s->process || s->process_all) || !(s->rate >= 8000.0)) {
    return GS_ERR_ARG;
  }
  start(s, c, m);
  double amp = amplitude_for(s, m->level);
  GsStatus st = GS_OK;
  if (c->tone) st = measure_tone(s, amp, m);
  if (st == GS_OK && c->noise) st = measure_noise(s, m);
  if (st == GS_OK && (c->response || c->latency)) st = measure_response(s, amp, m);
  if (st == GS_OK && c->response) st = measure_harmonic_response(s, amp, m);
  if (st == GS_OK && c->max_output) st = measure_max_output(s, amp, m);
  if (st == GS_OK) st = measure_sweep(s, c, m);
  set_noise(s, true);
  if (st != GS_OK) {
    gs_log(log, GS_LOG_ERROR, "measurement failed: %s", gs_strerror(st));
    gs_measurement_clear(m);
    return st;
  }
  derive(s, m);
  /* a sample's rounding, and the slack of minimum-phase filters, whose
   * delay at low frequencies is what they report */
  double late = m->latency_samples - m->latency_reported;
  if (c->latency && isfinite(m->latency_samples) && !s->excess_phase &&
      (late < -1.0 || late > 1.0 + s->latency_slack)) {
    gs_log(log, GS_LOG_WARNING, "measured latency %.0f samples, but the system reports %u",
           m->latency_samples, m->latency_reported);
  }
  return GS_OK;
}

void gs_measurement_clear(GsMeasurement *m) {
  free(m->response);
  free(m->h2);
  free(m->h3);
  free(m->sweep);
  free(m->spectrum);
  m->response = m->h2 = m->h3 = NULL;
  m->sweep = NULL;
  m->spectrum = NULL;
  m->n_response = m->n_h2 = m->n_h3 = m->n_sweep = m->n_spectrum = 0;
}
