#include "dsp/rational.h"

#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846

GsPoly gs_poly_const(double c) {
  GsPoly p;
  memset(&p, 0, sizeof p);
  p.c[0] = c;
  p.deg = c != 0.0 ? 0 : -1;
  return p;
}

GsPoly gs_poly_linear(double c0, double c1) {
  GsPoly p = gs_poly_const(c0);
  p.c[1] = c1;
  p.deg = 1;
  gs_poly_trim(&p);
  return p;
}

/* A leading term is negligible when, even at 1 MHz, it is 1e-15 of the
 * largest term: it cannot matter in the audio band. */
void gs_poly_trim(GsPoly *p) {
  const double w = 2.0 * PI * 1e6;
  double biggest = 0.0;
  double wk = 1.0;
  for (int k = 0; k <= p->deg; k++, wk *= w) {
    biggest = fmax(biggest, fabs(p->c[k]) * wk);
  }
  while (p->deg >= 0) {
    double lead = fabs(p->c[p->deg]) * pow(w, p->deg);
    if (lead > 1e-15 * biggest && lead > 0.0) break;
    p->c[p->deg] = 0.0;
    p->deg--;
  }
}

GsPoly gs_poly_add(const GsPoly *a, const GsPoly *b) {
  GsPoly p;
  memset(&p, 0, sizeof p);
  p.deg = a->deg > b->deg ? a->deg : b->deg;
  for (int k = 0; k <= p.deg; k++) {
    p.c[k] = (k <= a->deg ? a->c[k] : 0.0) + (k <= b->deg ? b->c[k] : 0.0);
  }
  gs_poly_trim(&p);
  return p;
}

GsPoly gs_poly_mul(const GsPoly *a, const GsPoly *b) {
  GsPoly p;
  memset(&p, 0, sizeof p);
  if (a->deg < 0 || b->deg < 0) {
    p.deg = -1;
    return p;
  }
  p.deg = a->deg + b->deg;
  if (p.deg >= GS_POLY_MAX) p.deg = GS_POLY_MAX - 1; /* truncated: see trim */
  for (int i = 0; i <= a->deg; i++) {
    for (int j = 0; j <= b->deg && i + j < GS_POLY_MAX; j++) {
      p.c[i + j] += a->c[i] * b->c[j];
    }
  }
  gs_poly_trim(&p);
  return p;
}

GsPoly gs_poly_scale(const GsPoly *a, double k) {
  GsPoly p = *a;
  for (int i = 0; i <= p.deg; i++) p.c[i] *= k;
  if (k == 0.0) p.deg = -1;
  return p;
}

double complex gs_poly_eval(const GsPoly *p, double complex s) {
  double complex y = 0.0;
  for (int k = p->deg; k >= 0; k--) y = y * s + p->c[k];
  return y;
}

/* Aberth–Ehrlich simultaneous iteration on the polynomial scaled so that
 * its roots are of order one; roots at s = 0 are split off exactly. */
int gs_poly_roots(const GsPoly *p, double complex *roots) {
  int n = p->deg;
  if (n <= 0) return 0;
  int zeros = 0;
  while (zeros < n && p->c[zeros] == 0.0) roots[zeros++] = 0.0;
  int m = n - zeros;
  if (m == 0) return n;
  double a[GS_POLY_MAX] = {0};
  for (int k = 0; k <= m; k++) a[k] = p->c[k + zeros];
  double scale = pow(fabs(a[0] / a[m]), 1.0 / m);
  if (!(scale > 0.0) || !isfinite(scale)) scale = 1.0;
  /* q(u) = p(scale u) / lead, monic */
  double q[GS_POLY_MAX];
  for (int k = 0; k <= m; k++) q[k] = a[k] * pow(scale, k) / (a[m] * pow(scale, m));
  double complex z[GS_POLY_MAX];
  for (int k = 0; k < m; k++) z[k] = cexp(I * (2.0 * PI * k / m + 0.4));
  for (int iter = 0; iter < 500; iter++) {
    double moved = 0.0;
    for (int k = 0; k < m; k++) {
      double complex v = 0.0, dv = 0.0;
      for (int j = m; j >= 0; j--) {
        dv = dv * z[k] + v;
        v = v * z[k] + q[j];
      }
      if (v == 0.0) continue;
      double complex ratio = v / dv;
      double complex sum = 0.0;
      for (int j = 0; j < m; j++) {
        if (j != k) sum += 1.0 / (z[k] - z[j]);
      }
      double complex step = ratio / (1.0 - ratio * sum);
      z[k] -= step;
      moved = fmax(moved, cabs(step) / fmax(cabs(z[k]), 1e-300));
    }
    if (moved < 1e-15) break;
  }
  for (int k = 0; k < m; k++) roots[zeros + k] = z[k] * scale;
  return n;
}

GsRational gs_rat_const(double c) {
  GsRational r = {gs_poly_const(c), gs_poly_const(1.0)};
  return r;
}

GsRational gs_rat_make(GsPoly num, GsPoly den) {
  GsRational r = {num, den};
  return r;
}

bool gs_rat_is_zero(const GsRational *a) {
  return a->num.deg < 0;
}

GsRational gs_rat_add(const GsRational *a, const GsRational *b) {
  if (gs_rat_is_zero(a)) return *b;
  if (gs_rat_is_zero(b)) return *a;
  GsPoly ad = gs_poly_mul(&a->num, &b->den);
  GsPoly cb = gs_poly_mul(&b->num, &a->den);
  GsRational r;
  r.num = gs_poly_add(&ad, &cb);
  r.den = gs_poly_mul(&a->den, &b->den);
  return r;
}

GsRational gs_rat_mul(const GsRational *a, const GsRational *b) {
  GsRational r;
  r.num = gs_poly_mul(&a->num, &b->num);
  r.den = gs_poly_mul(&a->den, &b->den);
  return r;
}

GsRational gs_rat_inv(const GsRational *a) {
  GsRational r = {a->den, a->num};
  return r;
}

double complex gs_rat_eval(const GsRational *r, double complex s) {
  return gs_poly_eval(&r->num, s) / gs_poly_eval(&r->den, s);
}

double complex gs_rat_at_hz(const GsRational *r, double hz) {
  return gs_rat_eval(r, I * 2.0 * PI * hz);
}

static double mag_db(const GsRational *r, double hz) {
  return 20.0 * log10(cabs(gs_rat_at_hz(r, hz)) + 1e-300);
}

double gs_rat_feature_hz(const GsRational *r, double lo, double hi) {
  enum { N = 240 };
  double best_peak = -INFINITY, peak_hz = 0.0;
  double steepest = 0.0, steep_hz = 1000.0;
  double prev = mag_db(r, lo);
  double first = prev;
  double ratio = pow(hi / lo, 1.0 / (N - 1));
  double f = lo;
  for (int i = 1; i < N; i++) {
    f *= ratio;
    double m = mag_db(r, f);
    if (m > best_peak) {
      best_peak = m;
      peak_hz = f;
    }
    if (fabs(m - prev) > steepest) {
      steepest = fabs(m - prev);
      steep_hz = f / sqrt(ratio);
    }
    prev = m;
  }
  double last = prev;
  /* an interior peak clearly above both ends: refine it (golden section) */
  if (best_peak > fmax(first, last) + 0.1 && peak_hz < hi / ratio) {
    double a = log(peak_hz / ratio), b = log(peak_hz * ratio);
    const double g = 0.6180339887498949;
    for (int i = 0; i < 60; i++) {
      double c = b - g * (b - a), d = a + g * (b - a);
      if (mag_db(r, exp(c)) > mag_db(r, exp(d))) {
        b = d;
      } else {
        a = c;
      }
    }
    return exp(0.5 * (a + b));
  }
  return steepest > 1e-6 ? steep_hz : 1000.0;
}

/* Clean up root lists: near-real roots become real; complex roots keep
 * one member of each conjugate pair (imag > 0). Returns the count of
 * "factors" written into out: real roots with imag == 0, pairs as the
 * member with imag > 0. */
static int factor_roots(const double complex *r, int n, double complex *out) {
  bool used[GS_POLY_MAX] = {false};
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (used[i]) continue;
    used[i] = true;
    double mag = cabs(r[i]);
    if (fabs(cimag(r[i])) <= 1e-7 * fmax(mag, 1e-30)) {
      out[k++] = creal(r[i]);
      continue;
    }
    /* find the conjugate partner */
    int best = -1;
    double dist = INFINITY;
    for (int j = 0; j < n; j++) {
      if (used[j]) continue;
      double d = cabs(r[j] - conj(r[i]));
      if (d < dist) {
        dist = d;
        best = j;
      }
    }
    if (best >= 0) used[best] = true;
    out[k++] = creal(r[i]) + I * fabs(cimag(r[i]));
  }
  return k;
}

/* Quadratic factors (in z^-1) from digital roots: a complex root r gives
 * 1 - 2 Re(r) z^-1 + |r|^2 z^-2, two real roots r1, r2 give
 * 1 - (r1 + r2) z^-1 + r1 r2 z^-2, a lone real root 1 - r z^-1.
 *
 * Live redesigns must not reshuffle roots between sections, or the
 * filter's history stops matching its coefficients: real roots are paired
 * with their nearest neighbour (two real roots born from a complex pair
 * stay together), and the factors are ordered by where their roots are. */
typedef struct {
  double c1, c2;
  double where; /* mean root, for ordering */
} Quad;

static int to_quads(const double complex *f, int nf, Quad *q) {
  int nq = 0;
  double real[GS_POLY_MAX];
  int nr = 0;
  for (int i = 0; i < nf; i++) {
    if (cimag(f[i]) != 0.0) {
      double re = creal(f[i]), im = cimag(f[i]);
      q[nq++] = (Quad){-2.0 * re, re * re + im * im, re};
    } else {
      real[nr++] = creal(f[i]);
    }
  }
  while (nr >= 2) {
    int a = 0, b = 1;
    for (int i = 0; i < nr; i++) {
      for (int j = i + 1; j < nr; j++) {
        if (fabs(real[i] - real[j]) < fabs(real[a] - real[b])) {
          a = i;
          b = j;
        }
      }
    }
    double r1 = real[a], r2 = real[b];
    q[nq++] = (Quad){-(r1 + r2), r1 * r2, 0.5 * (r1 + r2)};
    real[b] = real[--nr]; /* b > a: remove b first */
    real[a] = real[--nr];
  }
  if (nr == 1) q[nq++] = (Quad){-real[0], 0.0, real[0]};
  for (int i = 1; i < nq; i++) {
    Quad x = q[i];
    int j = i - 1;
    while (j >= 0 && q[j].where > x.where) {
      q[j + 1] = q[j];
      j--;
    }
    q[j + 1] = x;
  }
  return nq;
}

/* Roots far above the audio band (beyond 10 MHz) act as constants there:
 * (s - r) ~ -r. Dropping them keeps rounding noise in a nearly vanishing
 * leading coefficient from becoming a spurious (even unstable) pole. */
static int prune_far(double complex *roots, int n, double complex *gain, int sign) {
  const double far = 2.0 * PI * 1e7;
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (cabs(roots[i]) > far) {
      *gain = sign > 0 ? *gain * -roots[i] : *gain / -roots[i];
    } else {
      roots[k++] = roots[i];
    }
  }
  return k;
}

/* Order roots by size, so that a filter redesigned as a parameter moves
 * keeps each pole pair in the same section (its state stays meaningful). */
static void sort_roots(double complex *r, int n) {
  for (int i = 1; i < n; i++) {
    double complex x = r[i];
    int j = i - 1;
    while (j >= 0 && (cabs(r[j]) > cabs(x) || (cabs(r[j]) == cabs(x) && cimag(r[j]) > cimag(x)))) {
      r[j + 1] = r[j];
      j--;
    }
    r[j + 1] = x;
  }
}

bool gs_rat_to_sos(const GsRational *r, double rate, double prewarp_hz, GsSosCoefs *out) {
  gs_sos_identity(out);
  int nd = r->den.deg, nn = r->num.deg;
  if (nd < 0) return false;
  if (nn < 0) {
    out->gain = 0.0;
    return true;
  }
  double f0 = fmin(fmax(prewarp_hz, 1.0), 0.45 * rate);
  double w0 = 2.0 * PI * f0;
  double K = w0 / tan(w0 / (2.0 * rate));
  double complex pr[GS_POLY_MAX], zr[GS_POLY_MAX];
  double complex gain = r->num.c[nn] / r->den.c[nd];
  int np = prune_far(pr, gs_poly_roots(&r->den, pr), &gain, -1);
  int nz = prune_far(zr, gs_poly_roots(&r->num, zr), &gain, +1);
  if (nz > np) return false;
  sort_roots(pr, np);
  sort_roots(zr, nz);
  double complex pd[GS_POLY_MAX] = {0}, zd[GS_POLY_MAX] = {0};
  for (int i = 0; i < np; i++) {
    if (creal(pr[i]) >= 0.0 && cabs(pr[i]) > 0.0) return false; /* unstable */
    gain /= (K - pr[i]);
    pd[i] = (K + pr[i]) / (K - pr[i]);
  }
  for (int i = 0; i < nz; i++) {
    gain *= (K - zr[i]);
    zd[i] = (K + zr[i]) / (K - zr[i]);
  }
  double complex pf[GS_POLY_MAX], zf[GS_POLY_MAX];
  int npf = factor_roots(pd, np, pf);
  int nzf = factor_roots(zd, nz, zf);
  Quad pq[GS_POLY_MAX], zq[GS_POLY_MAX];
  int npq = to_quads(pf, npf, pq);
  int nzq = to_quads(zf, nzf, zq);
  /* zeros at infinity map to z = -1: kept in sections of their own,
   * exactly (1 + z^-1)^2 or (1 + z^-1), so they can be found again */
  for (int left = np - nz; left > 0; left -= 2) {
    zq[nzq++] = (Quad){left >= 2 ? 2.0 : 1.0, left >= 2 ? 1.0 : 0.0, -1.0};
  }
  int ns = npq > nzq ? npq : nzq;
  if (ns > GS_SOS_MAX) return false;
  for (int i = 0; i < ns; i++) {
    GsBiquad *b = &out->s[i];
    b->b0 = 1.0;
    b->b1 = i < nzq ? zq[i].c1 : 0.0;
    b->b2 = i < nzq ? zq[i].c2 : 0.0;
    b->a1 = i < npq ? pq[i].c1 : 0.0;
    b->a2 = i < npq ? pq[i].c2 : 0.0;
  }
  out->n = ns;
  out->gain = creal(gain);
  return isfinite(out->gain);
}

/* Largest dB error of c against r on a log grid from 20 Hz to hi. */
static double max_error_db(const GsRational *r, const GsSosCoefs *c, double rate, double hi) {
  const int n = 48;
  double worst = 0.0, f = 20.0, step = pow(hi / 20.0, 1.0 / (n - 1));
  for (int i = 0; i < n; i++, f *= step) {
    double e = cabs(gs_sos_response(c, f, rate)) / cabs(gs_rat_at_hz(r, f));
    worst = fmax(worst, fabs(20.0 * log10(e + 1e-300)));
  }
  return worst;
}

/* The most negative real zero of section q (z^2 + b1 z + b2 = 0), in
 * *root, with the other root in *other (0 for a first-order section).
 * False if the section has no real zero below -0.3. */
static bool crowded_zero(const GsBiquad *q, double *root, double *other) {
  if (q->b2 == 0.0) {
    *root = -q->b1;
    *other = 0.0;
    return *root < -0.3;
  }
  double disc = q->b1 * q->b1 - 4.0 * q->b2;
  if (disc < 0.0) return false;
  *root = 0.5 * (-q->b1 - sqrt(disc));
  *other = 0.5 * (-q->b1 + sqrt(disc));
  return *root < -0.3;
}

/* c with that zero of section sec moved to -beta, the gain re-matched at
 * 1 kHz. */
static GsSosCoefs with_beta(const GsRational *r, const GsSosCoefs *c, int sec, double beta,
                            double rate) {
  GsSosCoefs t = *c;
  GsBiquad *q = &t.s[sec];
  double root = 0.0, other = 0.0; /* the caller chose sec for its real zero */
  crowded_zero(&c->s[sec], &root, &other);
  if (q->b2 == 0.0) {
    q->b1 = beta;
  } else if (q->b1 == 2.0 && q->b2 == 1.0) {
    q->b1 = 2.0 * beta; /* both zeros at infinity move together */
    q->b2 = beta * beta;
  } else {
    q->b1 = beta - other;
    q->b2 = -beta * other;
  }
  t.gain *= cabs(gs_rat_at_hz(r, 1000.0)) / cabs(gs_sos_response(&t, 1000.0, rate));
  return t;
}

bool gs_rat_to_sos_tuned(const GsRational *r, double rate, GsSosCoefs *out) {
  double hi = fmin(20000.0, 0.45 * rate);
  if (!gs_rat_to_sos(r, rate, gs_rat_feature_hz(r, 20.0, hi), out)) {
    return false;
  }
  /* the zeros the transform crowded towards Nyquist: those at infinity,
   * or else the most negative real zero */
  int sec = -1;
  double most = 0.0;
  for (int i = 0; i < out->n; i++) {
    double root, other;
    if (crowded_zero(&out->s[i], &root, &other) && root < most) {
      most = root;
      sec = i;
    }
  }
  if (sec < 0) return true;
  /* golden-section search of beta in [0, 1] */
  const double g = 0.6180339887498949;
  double a = 0.0, b = 1.0;
  for (int it = 0; it < 16; it++) {
    double c = b - g * (b - a), d = a + g * (b - a);
    GsSosCoefs tc = with_beta(r, out, sec, c, rate);
    GsSosCoefs td = with_beta(r, out, sec, d, rate);
    if (max_error_db(r, &tc, rate, hi) < max_error_db(r, &td, rate, hi)) {
      b = d;
    } else {
      a = c;
    }
  }
  GsSosCoefs best = with_beta(r, out, sec, 0.5 * (a + b), rate);
  if (max_error_db(r, &best, rate, hi) < max_error_db(r, out, rate, hi)) {
    *out = best;
  }
  return true;
}
