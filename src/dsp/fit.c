#include "dsp/fit.h"

#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846
#define GRID 160
#define MAXP 16

typedef struct {
  int np, nz; /* poles, zeros */
  double f[GRID];
  double target_db[GRID];
  double rate;
} Problem;

/* v = [poles..., zeros..., log gain] */
static double model_db(const Problem *p, const double *v, double hz) {
  double complex z1 = cexp(-I * 2.0 * PI * hz / p->rate);
  double complex h = exp(v[p->np + p->nz]);
  for (int i = 0; i < p->np; i++) h /= 1.0 - v[i] * z1;
  for (int i = 0; i < p->nz; i++) h *= 1.0 - v[p->np + i] * z1;
  return 20.0 * log10(cabs(h) + 1e-300);
}

static double residuals(const Problem *p, const double *v, double *r) {
  double cost = 0.0;
  for (int i = 0; i < GRID; i++) {
    r[i] = model_db(p, v, p->f[i]) - p->target_db[i];
    cost += r[i] * r[i];
  }
  return cost;
}

/* Poles must stay inside the unit circle; zeros may go anywhere (a zero
 * at z = 1 is a DC block). */
static bool inside(const Problem *p, const double *v) {
  for (int i = 0; i < p->np; i++) {
    if (!(fabs(v[i]) < 0.99999)) return false;
  }
  for (int i = p->np; i < p->np + p->nz; i++) {
    if (!isfinite(v[i])) return false;
  }
  return true;
}

/* Solve M x = b (n x n, partial pivoting), in place. */
static bool solve(double M[][MAXP], double *b, int n) {
  for (int c = 0; c < n; c++) {
    int piv = c;
    for (int r = c + 1; r < n; r++) {
      if (fabs(M[r][c]) > fabs(M[piv][c])) piv = r;
    }
    if (M[piv][c] == 0.0) return false;
    for (int j = 0; j < n; j++) {
      double t = M[c][j];
      M[c][j] = M[piv][j];
      M[piv][j] = t;
    }
    double t = b[c];
    b[c] = b[piv];
    b[piv] = t;
    for (int r = c + 1; r < n; r++) {
      double f = M[r][c] / M[c][c];
      for (int j = c; j < n; j++) M[r][j] -= f * M[c][j];
      b[r] -= f * b[c];
    }
  }
  for (int r = n - 1; r >= 0; r--) {
    for (int j = r + 1; j < n; j++) b[r] -= M[r][j] * b[j];
    b[r] /= M[r][r];
  }
  return true;
}

static void lm(const Problem *p, double *v) {
  int n = p->np + p->nz + 1;
  double r[GRID], rt[GRID];
  static const double eps = 1e-7;
  double lambda = 1e-3;
  double cost = residuals(p, v, r);
  for (int iter = 0; iter < 300 && lambda < 1e8; iter++) {
    double J[GRID][MAXP];
    for (int k = 0; k < n; k++) {
      double w[MAXP];
      memcpy(w, v, sizeof(double) * n);
      w[k] += eps;
      residuals(p, w, rt);
      for (int i = 0; i < GRID; i++) J[i][k] = (rt[i] - r[i]) / eps;
    }
    double JtJ[MAXP][MAXP], g[MAXP];
    for (int a = 0; a < n; a++) {
      g[a] = 0.0;
      for (int i = 0; i < GRID; i++) g[a] -= J[i][a] * r[i];
      for (int b = 0; b < n; b++) {
        double acc = 0.0;
        for (int i = 0; i < GRID; i++) acc += J[i][a] * J[i][b];
        JtJ[a][b] = acc;
      }
    }
    for (;;) {
      double M[MAXP][MAXP], step[MAXP], w[MAXP];
      memcpy(M, JtJ, sizeof M);
      memcpy(step, g, sizeof step);
      for (int a = 0; a < n; a++) M[a][a] = JtJ[a][a] * (1.0 + lambda) + 1e-15;
      if (!solve(M, step, n)) return;
      for (int k = 0; k < n; k++) w[k] = v[k] + step[k];
      double c2 = inside(p, w) ? residuals(p, w, rt) : INFINITY;
      if (c2 < cost) {
        bool done = cost - c2 < 1e-12 * cost;
        memcpy(v, w, sizeof(double) * n);
        memcpy(r, rt, sizeof r);
        cost = c2;
        lambda *= 0.3;
        if (done) return;
        break;
      }
      lambda *= 10.0;
      if (lambda > 1e8) return;
    }
  }
}

static int real_roots(const GsPoly *poly, double *out) {
  double complex r[GS_POLY_MAX];
  int n = gs_poly_roots(poly, r);
  for (int i = 0; i < n; i++) {
    if (fabs(cimag(r[i])) > 1e-6 * fmax(cabs(r[i]), 1e-30)) return -1;
    out[i] = creal(r[i]);
  }
  return n;
}

/* Pair real roots into quadratic factors in z^-1. */
static int quads(const double *roots, int n, double (*q)[2]) {
  int k = 0;
  for (int i = 0; i < n; i += 2) {
    if (i + 1 < n) {
      q[k][0] = -(roots[i] + roots[i + 1]);
      q[k][1] = roots[i] * roots[i + 1];
    } else {
      q[k][0] = -roots[i];
      q[k][1] = 0.0;
    }
    k++;
  }
  return k;
}

bool gs_fit_real_roots(const GsRational *target, double rate, int extra, GsSosCoefs *out,
                       double *max_err_db) {
  double pr[GS_POLY_MAX], zr[GS_POLY_MAX];
  int np = real_roots(&target->den, pr);
  int nz = real_roots(&target->num, zr);
  if (np < 0 || nz < 0 || nz > np || np + extra > 8) return false;
  Problem p;
  p.rate = rate;
  p.np = np + extra;
  p.nz = np + extra; /* zeros at infinity become free zeros too */
  double v[MAXP];
  for (int i = 0; i < np; i++) v[i] = exp(pr[i] / rate);
  for (int i = 0; i < extra; i++) v[np + i] = -0.2 - 0.1 * i;
  for (int i = 0; i < p.nz; i++) {
    v[p.np + i] = i < nz ? exp(zr[i] / rate) : -0.3 - 0.1 * i;
  }
  double top = fmin(20000.0, 0.95 * 0.5 * rate);
  for (int i = 0; i < GRID; i++) {
    p.f[i] = 10.0 * pow(top / 10.0, (double)i / (GRID - 1));
    p.target_db[i] = 20.0 * log10(cabs(gs_rat_at_hz(target, p.f[i])));
  }
  v[p.np + p.nz] = 0.0;
  double r[GRID];
  residuals(&p, v, r);
  double mean = 0.0;
  for (int i = 0; i < GRID; i++) mean += r[i];
  v[p.np + p.nz] = -mean / GRID / 20.0 * log(10.0);
  lm(&p, v);
  double worst = 0.0;
  for (int i = 0; i < GRID; i++) {
    worst = fmax(worst, fabs(model_db(&p, v, p.f[i]) - p.target_db[i]));
  }
  if (max_err_db) *max_err_db = worst;
  double q_p[GS_POLY_MAX][2], q_z[GS_POLY_MAX][2];
  int nqp = quads(v, p.np, q_p);
  int nqz = quads(v + p.np, p.nz, q_z);
  int ns = nqp > nqz ? nqp : nqz;
  if (ns > GS_SOS_MAX) return false;
  gs_sos_identity(out);
  out->n = ns;
  for (int i = 0; i < ns; i++) {
    GsBiquad *b = &out->s[i];
    b->b0 = 1.0;
    b->b1 = i < nqz ? q_z[i][0] : 0.0;
    b->b2 = i < nqz ? q_z[i][1] : 0.0;
    b->a1 = i < nqp ? q_p[i][0] : 0.0;
    b->a2 = i < nqp ? q_p[i][1] : 0.0;
  }
  out->gain = exp(v[p.np + p.nz]);
  return worst < 1.0;
}
