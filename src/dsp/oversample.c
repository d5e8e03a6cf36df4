#include "dsp/oversample.h"

#include <fftw3.h>
#include <math.h>
#include <string.h>

#include "dsp/fftw_lock.h"
#include "dsp/oversample_kernel.h"

#define PI 3.14159265358979323846
#define SHARP_DB 104.0   /* for 100 dB of stopband: Kaiser's formulas are */
#define HALF_DB 110.0    /* approximate, the more so for short filters */
#define PASS_HZ 20000.0  /* flat to here, */
#define PASS_MAX 0.42    /* or to this fraction of the base rate if lower */
#define CEPSTRUM_N 16384 /* FFT length of the minimum-phase design: 8192 gives the same taps */

/* Modified Bessel function I0, by its series (for the Kaiser window). */
static double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 80; k++) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/* Taps of a Kaiser-windowed low-pass whose transition spans `width`
 * (cycles per sample at its rate), for `db` of stopband: J. F. Kaiser,
 * "Nonrecursive digital filter design using the I0-sinh window function",
 * Proc. IEEE ISCAS 1974 (N = (A - 8) / (2.285 dw) + 1, beta = 0.1102 (A - 8.7)). */
static int kaiser_taps(double width, double db) {
  return (int)ceil((db - 8.0) / (2.285 * 2.0 * PI * width)) + 1;
}

/* h[0 .. n) : a windowed sinc cut at `cutoff` (cycles per sample), its DC
 * gain `gain`. Half-band filters (cutoff 1/4, n odd) get exact zeros. */
static void kaiser_lowpass(double *h, int n, double cutoff, double db, double gain) {
  double beta = 0.1102 * (db - 8.7), c = (n - 1) / 2.0, sum = 0.0;
  for (int k = 0; k < n; k++) {
    double t = k - c, r = t / c;
    double sinc = t == 0.0 ? 2.0 * cutoff : sin(2.0 * PI * cutoff * t) / (PI * t);
    if (cutoff == 0.25 && t != 0.0 && fmod(fabs(t), 2.0) == 0.0) sinc = 0.0;
    h[k] = sinc * bessel_i0(beta * sqrt(fmax(0.0, 1.0 - r * r))) / bessel_i0(beta);
    sum += h[k];
  }
  for (int k = 0; k < n; k++) h[k] *= gain / sum;
}

/* Branch p of h (n taps): h[2i + p], read `extra` samples later (a
 * decimator's odd samples are stored one base sample early). */
static bool split(GsOsBranch *b, const double *h, int n, int p, int extra) {
  int first = -1, last = -1;
  for (int i = 0; 2 * i + p < n; i++) {
    if (h[2 * i + p] == 0.0) continue;
    if (first < 0) first = i;
    last = i;
  }
  memset(b, 0, sizeof *b);
  if (first < 0) first = last = 0; /* all zero: one zero tap */
  b->len = last - first + 1;
  b->delay = first + extra;
  if (b->len > GS_OS_MAX_BRANCH) return false;
  for (int j = 0; j < b->len; j++) { /* oldest first */
    int i = first + b->len - 1 - j;
    b->coef[j] = (float)h[2 * i + p];
  }
  return true;
}

/* What octave i of `o` (between 2^i and 2^(i+1) times the base rate)
 * must do, in cycles per sample at its high rate. */
typedef struct {
  double pass, stop, cutoff, db;
} Band;

static Band octave_band(const GsOversampler *o, int i, bool decimator) {
  double high = o->rate * (1 << (i + 1));
  if (i == 0 && decimator) { /* sharp: pass the band, stop from the base Nyquist */
    double pass = o->pass_hz / high, stop = 0.5 * o->rate / high;
    return (Band){pass, stop, 0.5 * (pass + stop), SHARP_DB};
  }
  /* half-band: pass the band (above the base rate, to its Nyquist), stop
   * what folds onto it */
  double pass = (i == 0 ? o->pass_hz : 0.5 * o->rate) / high;
  return (Band){pass, 0.5 - pass, 0.25, HALF_DB};
}

/* A linear-phase prototype for `b` with `db` of stopband: its length, or 0
 * past `max`. */
static int linear_lowpass(double *h, int max, Band b, double db) {
  int n = kaiser_taps(b.stop - b.pass, db);
  while (n % (b.cutoff == 0.25 ? 4 : 2) != (b.cutoff == 0.25 ? 3 : 1)) {
    n++; /* odd: a whole sample of delay; half-band: the outermost taps are not zeros */
  }
  if (n > max) return 0;
  kaiser_lowpass(h, n, b.cutoff, db, 2.0);
  return n;
}

/* The minimum-phase filter for `b`: the spectral factor of a linear-phase
 * prototype G with twice the stopband in dB, |H|^2 = (G + d) / (1 + d)
 * (d lifts G's ripple to >= 0), taken through the real cepstrum: fold the
 * cepstrum of log |H| onto positive time and exponentiate (O. Herrmann and
 * W. Schuessler, "Design of nonrecursive digital filters with minimum
 * phase", Electronics Letters 6, 1970; the cepstrum: A. V. Oppenheim and
 * R. W. Schafer, "Discrete-Time Signal Processing", homomorphic
 * systems). Its length, or 0 past `max` or without memory. [main] */
static int minimum_lowpass(double *h, int max, Band b) {
  double g[4 * GS_OS_MAX_BRANCH + 1];
  int ng = linear_lowpass(g, 4 * GS_OS_MAX_BRANCH + 1, b, 2.0 * b.db + 6.0), n = (ng + 1) / 2;
  if (ng == 0 || n > max) return 0;
  const int N = CEPSTRUM_N;
  double *x = fftw_malloc(N * sizeof *x);
  fftw_complex *X = fftw_malloc((N / 2 + 1) * sizeof *X);
  fftw_plan fwd = NULL, inv = NULL;
  gs_fftw_lock();
  if (x && X) {
    fwd = fftw_plan_dft_r2c_1d(N, x, X, FFTW_ESTIMATE);
    inv = fftw_plan_dft_c2r_1d(N, X, x, FFTW_ESTIMATE);
  }
  gs_fftw_unlock();
  if (fwd && inv) {
    memset(x, 0, N * sizeof *x); /* G centred on 0: its spectrum is real */
    for (int k = 0; k < ng; k++) x[(k - (ng - 1) / 2 + N) % N] = 0.5 * g[k];
    fftw_execute(fwd);
    double d = 0.0;
    for (int k = 0; k <= N / 2; k++) d = fmax(d, -X[k][0]);
    d *= 1.01; /* strictly positive: the log stays finite */
    for (int k = 0; k <= N / 2; k++) {
      X[k][0] = 0.5 * log((X[k][0] + d) / (1.0 + d));
      X[k][1] = 0.0;
    }
    fftw_execute(inv); /* the cepstrum (times N), folded onto positive time: */
    for (int k = 1; k < N / 2; k++) x[k] *= 2.0;
    for (int k = N / 2 + 1; k < N; k++) x[k] = 0.0;
    for (int k = 0; k < N; k++) x[k] /= N;
    fftw_execute(fwd);
    for (int k = 0; k <= N / 2; k++) { /* exp of the log spectrum */
      double m = exp(X[k][0]), ph = X[k][1];
      X[k][0] = m * cos(ph);
      X[k][1] = m * sin(ph);
    }
    fftw_execute(inv);
    for (int k = 0; k < n; k++) h[k] = 2.0 * x[k] / N;
  }
  gs_fftw_lock();
  if (fwd) fftw_destroy_plan(fwd);
  if (inv) fftw_destroy_plan(inv);
  gs_fftw_unlock();
  fftw_free(x);
  fftw_free(X);
  return fwd && inv ? n : 0;
}

/* Octave i's filter, interpolator or decimator: its length, or 0. [main] */
static int design(const GsOversampler *o, int i, bool decimator, double *h) {
  int max = 2 * GS_OS_MAX_BRANCH;
  Band b = octave_band(o, i, decimator);
  return o->minimum_phase ? minimum_lowpass(h, max, b) : linear_lowpass(h, max, b, b.db);
}

/* The delay of h at low frequencies, in samples at its rate: (n - 1) / 2
 * for a linear-phase filter, its group delay at DC (sum k h[k] / sum h[k])
 * for a minimum-phase one, flat within a sample through the guitar's band. */
static double delay_of(const double *h, int n) {
  double moment = 0.0, sum = 0.0;
  for (int k = 0; k < n; k++) {
    moment += k * h[k];
    sum += h[k];
  }
  return moment / sum;
}

static bool make_stage(GsOsStage *s, const double *h, int n, bool decimator) {
  memset(s, 0, sizeof *s);
  s->taps = n;
  for (int p = 0; p < 2; p++) {
    if (!split(&s->branch[p], h, n, p, decimator ? p : 0)) return false;
    int need = s->branch[p].delay + s->branch[p].len - 1;
    if (need > s->history) s->history = need;
  }
  if (decimator) { /* h has the interpolator's gain, 2; a decimator's is 1 */
    for (int p = 0; p < 2; p++) {
      for (int j = 0; j < s->branch[p].len; j++) s->branch[p].coef[j] *= 0.5f;
    }
  }
  return s->history <= GS_OS_MAX_HISTORY;
}

bool gs_os_init(GsOversampler *o, int factor, double rate, GsOsPhase phase) {
  memset(o, 0, sizeof *o);
  if (factor != 1 && factor != 2 && factor != 4 && factor != 8) return false;
  if (!(rate > 0.0)) return false;
  o->factor = factor;
  o->rate = rate;
  o->minimum_phase = phase == GS_OS_MINIMUM_PHASE;
  o->pass_hz = fmin(PASS_HZ, PASS_MAX * rate);
  o->stages = factor == 8 ? 3 : factor == 4 ? 2 : factor == 2 ? 1 : 0;
  double h[2 * GS_OS_MAX_BRANCH], dec[GS_OS_MAX_STAGES][2 * GS_OS_MAX_BRANCH];
  int n_dec[GS_OS_MAX_STAGES];
  double delay = 0.0; /* at the highest rate, before padding */
  for (int i = 0; i < o->stages; i++) {
    int n = design(o, i, false, h);
    if (!n || !make_stage(&o->up[i], h, n, false)) return false;
    delay += delay_of(h, n) * (factor >> (i + 1));
    if (!(n_dec[i] = design(o, i, true, dec[i]))) return false;
    delay += delay_of(dec[i], n_dec[i]) * (factor >> (i + 1));
  }
  /* the delay to whole base samples: leading zeros on the last decimator */
  long whole = lround(delay);
  int pad = (int)((factor - whole % factor) % factor), top = o->stages - 1;
  for (int i = 0; i < o->stages; i++) {
    int lead = i == top ? pad : 0, n = n_dec[i] + lead;
    if (n > 2 * GS_OS_MAX_BRANCH) return false;
    memset(h, 0, (size_t)lead * sizeof *h);
    memcpy(h + lead, dec[i], (size_t)n_dec[i] * sizeof *h);
    if (!make_stage(&o->down[i], h, n, true)) return false;
  }
  o->latency = (uint32_t)((whole + pad) / factor);
  return true;
}

void gs_os_reset(GsOversampler *o) {
  for (int i = 0; i < o->stages; i++) {
    memset(o->up[i].buf, 0, sizeof o->up[i].buf);
    memset(o->down[i].buf, 0, sizeof o->down[i].buf);
  }
}

_Static_assert(GS_OS_CHUNK *GS_OS_MAX_FACTOR / 2 % 32 == 0 && GS_OS_READ_PAST < 32,
               "the kernels' last group of 32 stays inside the stage buffer");

/* n samples waiting in buf[0] after the history: 2n out, as floats or,
 * from the last octave, as doubles to `wide`. */
static void interpolate(GsOsStage *s, int n, float *out, double *wide) {
  gs_os_interpolate_block(s->branch, s->buf[0], s->history, n, out, wide);
  memmove(s->buf[0], s->buf[0] + n, (size_t)s->history * sizeof(float));
}

/* n output samples from the 2n samples waiting in buf[0] (even) and
 * buf[1] (odd) after the history, as interpolate's. */
static void decimate(GsOsStage *s, int n, float *out, double *wide) {
  gs_os_decimate_block(s->branch, s->buf[0], s->buf[1], s->history, n, out, wide);
  for (int p = 0; p < 2; p++) {
    memmove(s->buf[p], s->buf[p] + n, (size_t)s->history * sizeof(float));
  }
}

void gs_os_up(GsOversampler *o, const double *in, uint32_t n, double *out) {
  if (o->stages == 0) {
    memmove(out, in, n * sizeof(double));
    return;
  }
  while (n > 0) {
    int c = n < GS_OS_CHUNK ? (int)n : GS_OS_CHUNK;
    float *x = o->up[0].buf[0] + o->up[0].history;
    for (int i = 0; i < c; i++) x[i] = (float)in[i];
    for (int i = 0; i + 1 < o->stages; i++) {
      interpolate(&o->up[i], c << i, o->up[i + 1].buf[0] + o->up[i + 1].history, NULL);
    }
    interpolate(&o->up[o->stages - 1], c << (o->stages - 1), NULL, out);
    in += c;
    out += c * o->factor;
    n -= (uint32_t)c;
  }
}

void gs_os_down(GsOversampler *o, const double *in, uint32_t n, double *out) {
  if (o->stages == 0) {
    memmove(out, in, n * sizeof(double));
    return;
  }
  while (n > 0) {
    int c = n < GS_OS_CHUNK ? (int)n : GS_OS_CHUNK;
    for (int i = o->stages - 1; i >= 0; i--) {
      GsOsStage *s = &o->down[i];
      float *even = s->buf[0] + s->history, *odd = s->buf[1] + s->history;
      if (i == o->stages - 1) { /* the input, the caller's or the octave above's */
        gs_os_split(in, c << i, even, odd);
      } else {
        for (int m = 0; m < c << i; m++) even[m] = o->tmp[2 * m], odd[m] = o->tmp[2 * m + 1];
      }
      decimate(s, c << i, i == 0 ? NULL : o->tmp, i == 0 ? out : NULL);
    }
    in += c * o->factor;
    out += c;
    n -= (uint32_t)c;
  }
}

const char *const gs_os_quality_names[] = {"auto", "1", "2", "4", "8", NULL};
const char *const gs_os_phase_names[] = {"linear", "minimum", NULL};

int gs_os_factor(int choice, double rate, double min_rate) {
  if (choice >= 1 && choice <= 4) return 1 << (choice - 1);
  int f = 1;
  while (f < GS_OS_MAX_FACTOR && rate * f < min_rate - 1.0) f *= 2;
  return f;
}
