#include "dsp/koren.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* N. Koren, Tube.lib (1996/2003): 12AX7 = ECC83, 12AT7 = ECC81, 12AU7 =
 * ECC82; grid circuit RGI = 2000 ohms throughout. */
static const struct {
  const char *name;
  GsTriodeModel m;
} triodes[] = {
    {"12AX7", {100.0, 1.4, 1060.0, 600.0, 300.0, 2000.0}},
    {"ECC83", {100.0, 1.4, 1060.0, 600.0, 300.0, 2000.0}},
    {"12AT7", {60.0, 1.35, 460.0, 300.0, 300.0, 2000.0}},
    {"12AU7", {21.5, 1.3, 1180.0, 84.0, 300.0, 2000.0}},
};

/* (mu, ex, kg1, kg2, kp, kvb, rgi). EL34, 6L6GC: Koren's Tube.lib. 6V6GT:
 * Koren's constants fitted to the GE data sheet (his Koren_Tubes.lib),
 * rgi not given there: 2000 as for the others. EL84: no Koren set with
 * ex is published, so it is fitted here to the Philips EL84 data sheet's
 * class A point (Va = Vg2 = 250 V, Vg1 = -7.3 V: Ia 48 mA, Ig2 5.5 mA,
 * gm 11.3 mA/V, mu g2g1 19) with kp 131 and kvb 17.5 taken from a
 * published curve fit: ex from gm, kg1 from Ia, kg2 from Ig2. */
static const struct {
  const char *name;
  GsPentodeModel m;
} pentodes[] = {
    {"EL34", {11.0, 1.35, 650.0, 4200.0, 60.0, 24.0, 1200.0}},
    {"6L6GC", {8.7, 1.35, 1460.0, 4500.0, 48.0, 12.0, 1000.0}},
    {"6V6", {10.7, 1.31, 1672.0, 4500.0, 41.16, 12.7, 2000.0}},
    {"6V6GT", {10.7, 1.31, 1672.0, 4500.0, 41.16, 12.7, 2000.0}},
    {"EL84", {19.0, 1.46, 850.0, 2420.0, 131.0, 17.5, 2000.0}},
};

const GsTriodeModel *gs_triode_model(const char *name) {
  for (size_t i = 0; i < sizeof triodes / sizeof triodes[0]; i++) {
    if (!strcmp(triodes[i].name, name)) return &triodes[i].m;
  }
  return NULL;
}

const GsPentodeModel *gs_pentode_model(const char *name) {
  for (size_t i = 0; i < sizeof pentodes / sizeof pentodes[0]; i++) {
    if (!strcmp(pentodes[i].name, name)) return &pentodes[i].m;
  }
  return NULL;
}

GsTubeCurrent gs_koren_triode(const GsTriodeModel *m, double vgk, double vpk) {
  GsTriodeFast f = gs_koren_triode_prepare(m);
  return gs_koren_triode_fast(&f, vgk, vpk);
}

GsPentodeCurrent gs_koren_pentode(const GsPentodeModel *m, double vg1k, double vg2k, double vpk) {
  GsPentodeCurrent c;
  memset(&c, 0, sizeof c);
  if (!(vg2k > 0.0)) return c;
  double sig, a = m->kp * (1.0 / m->mu + vg1k / vg2k);
  double sp = gs_softplus(a, &sig);
  double e1 = vg2k / m->kp * sp;
  if (e1 > 1e-300) {
    double pw = gs_pow(e1, m->ex - 1.0), ik = 2.0 * pw * e1 / m->kg1;
    double dik = 2.0 * m->ex * pw / m->kg1;
    double at = gs_atan(vpk / m->kvb);
    c.ip = ik * at;
    c.ip_g1 = dik * sig * at;
    c.ip_g2 = dik * (sp / m->kp - sig * vg1k / vg2k) * at;
    c.ip_p = ik / (m->kvb * (1.0 + (vpk / m->kvb) * (vpk / m->kvb)));
  }
  double base = vg2k / m->mu + vg1k;
  if (base > 1e-300) {
    double pw = gs_pow(base, m->ex - 1.0);
    c.ig2 = pw * base / m->kg2;
    c.ig2_g1 = m->ex * pw / m->kg2;
    c.ig2_g2 = c.ig2_g1 / m->mu;
  }
  return c;
}

/* ------------------------------------------------ tables (see koren.h) */

double gs_softplus_pow_exact(double w, double ex) {
  double sp = w > 0.0 ? w + log1p(exp(-w)) : log1p(exp(w));
  return pow(sp, ex);
}

static double softplus_pow_slope(double w, double ex) { /* ex sp^(ex-1) / (1 + e^-w) */
  double sp = w > 0.0 ? w + log1p(exp(-w)) : log1p(exp(w));
  return ex * pow(sp, ex - 1.0) / (1.0 + exp(-w));
}

static double power(double m, double ex) {
  return pow(m, ex);
}

static double atan_of_t(double t, double ex) { /* see koren.h: atn */
  (void)ex;
  return (t >= 1.0 ? M_PI_2 : atan(t / (1.0 - t))) / t;
}

/* The polynomial of degree n (<= 5) interpolating f at the Chebyshev
 * points of [mid - half, mid + half], as coefficients c[0..n] in s =
 * (x - mid) / half: the Chebyshev series by the discrete cosine sums,
 * then each T_j written out in powers of s. */
static void chebyshev(double (*f)(double, double), double ex, double mid, double half, int n,
                      double *c) {
  static const double T[6][6] = {{1},           {0, 1},           {-1, 0, 2},
                                 {0, -3, 0, 4}, {1, 0, -8, 0, 8}, {0, 5, 0, -20, 0, 16}};
  double fv[6];
  int m = n + 1;
  for (int k = 0; k < m; k++) fv[k] = f(mid + half * cos(M_PI * (2 * k + 1) / (2 * m)), ex);
  for (int j = 0; j <= n; j++) c[j] = 0.0;
  for (int j = 0; j <= n; j++) {
    double a = 0.0;
    for (int k = 0; k < m; k++) a += fv[k] * cos(M_PI * j * (2 * k + 1) / (2 * m));
    a *= (j ? 2.0 : 1.0) / m;
    for (int q = 0; q <= j; q++) c[q] += a * T[j][q];
  }
}

static void build_spx(void *tables, double ex) {
  GsSoftplusPow *t = tables;
  t->ex = ex;
  for (int k = 0; k <= GS_SPX_N; k++) { /* the last row: past GS_SPX_HI by rounding */
    double mid = GS_SPX_LO + (k + 0.5) / GS_SPX_SCALE, half = 0.5 / GS_SPX_SCALE;
    chebyshev(gs_softplus_pow_exact, ex, mid, half, 5, t->h[k]);
    chebyshev(softplus_pow_slope, ex, mid, half, 5, t->h[k] + 6);
  }
  for (int j = 0; j < 32; j++)
    chebyshev(power, ex, 1.0 + (2 * j + 1) / 64.0, 1.0 / 64.0, 5, t->m[j]);
  for (int e = 0; e < GS_XEX_N; e++) t->two[e] = exp2((e + GS_XEX_EMIN) * ex);
  for (int k = 0; k <= GS_ATN_N; k++) /* the last row: t = 1 by rounding */
    chebyshev(atan_of_t, ex, (k + 0.5) / GS_ATN_N, 0.5 / GS_ATN_N, 5, t->atn[k]);
}

void *gs_ex_tables(GsExCache *c, double ex, size_t size, void (*build)(void *tables, double ex)) {
  if (!(ex > 0.0 && ex < 10.0)) return NULL;
  void *found = NULL;
  pthread_mutex_lock(&c->lock);
  int k = 0;
  while (k < GS_EX_SLOTS && c->tables[k] && c->ex[k] != ex) k++;
  if (k < GS_EX_SLOTS && !c->tables[k] && (c->tables[k] = malloc(size))) {
    build(c->tables[k], ex);
    c->ex[k] = ex;
  }
  if (k < GS_EX_SLOTS) found = c->tables[k];
  pthread_mutex_unlock(&c->lock);
  return found;
}

const GsSoftplusPow *gs_softplus_pow(double ex) {
  static GsExCache cache = {PTHREAD_MUTEX_INITIALIZER, {0}, {0}};
  return gs_ex_tables(&cache, ex, sizeof(GsSoftplusPow), build_spx);
}

bool gs_koren_triode_tab_prepare(const GsTriodeModel *m, GsTriodeTab *f) {
  f->t = gs_softplus_pow(m->ex);
  f->kp = m->kp;
  f->kp_mu = m->kp / m->mu;
  f->kvb = m->kvb;
  f->ex = m->ex;
  f->scale = 2.0 * pow(m->kp, -m->ex) / m->kg1;
  return f->t != NULL;
}
