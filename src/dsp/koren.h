/* Vacuum-tube currents after N. Koren, "Improved vacuum tube models for
 * SPICE simulations", Glass Audio 8(5), 1996, with the published
 * constants of his Tube.lib, and grid current as an ideal diode in series
 * with rgi (his SPICE models' grid circuit, without the diode's own
 * curvature). [any]
 *
 * Triode:  E1 = Vpk/kp · ln(1 + exp(kp (1/mu + Vgk / sqrt(kvb + Vpk²))))
 *          Ip = 2 E1^ex / kg1 for E1 > 0, else 0.
 * Pentode: E1 = Vg2k/kp · ln(1 + exp(kp (1/mu + Vg1k / Vg2k)))
 *          Ip = 2 E1^ex / kg1 · atan(Vpk / kvb)
 *          Ig2 = (Vg2k/mu + Vg1k)^ex / kg2 (where positive). */
#ifndef GS_DSP_KOREN_H
#define GS_DSP_KOREN_H

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dsp/fastmath.h"

typedef struct {
  double mu, ex, kg1, kp, kvb, rgi;
} GsTriodeModel;

typedef struct {
  double mu, ex, kg1, kg2, kp, kvb, rgi;
} GsPentodeModel;

/* The models by name ("12AX7", "ECC83", "12AT7", "12AU7"; "EL34", "6L6GC",
 * "EL84", "6V6"); NULL if unknown. */
const GsTriodeModel *gs_triode_model(const char *name);
const GsPentodeModel *gs_pentode_model(const char *name);

/* Plate current (A) and its partial derivatives (A/V). */
typedef struct {
  double i, d_vgk, d_vpk;
} GsTubeCurrent;

GsTubeCurrent gs_koren_triode(const GsTriodeModel *m, double vgk, double vpk);

/* A triode's constants arranged for the inner loop (no divisions). */
typedef struct {
  double kp, inv_kp, inv_mu, kvb, ex, two_kg1;
} GsTriodeFast;

static inline GsTriodeFast gs_koren_triode_prepare(const GsTriodeModel *m) {
  GsTriodeFast f = {m->kp, 1.0 / m->kp, 1.0 / m->mu, m->kvb, m->ex, 2.0 / m->kg1};
  return f;
}

/* gs_koren_triode with prepared constants, inline, by src/dsp/fastmath.h:
 * with s = sqrt(kvb + Vpk²) and sp(a) = ln(1 + e^a),
 *   dE1/dVgk = Vpk σ(a) / s,   dE1/dVpk = sp / kp - Vpk² Vgk σ(a) / s³,
 *   dIp/dE1 = ex Ip / E1. */
static inline GsTubeCurrent gs_koren_triode_fast(const GsTriodeFast *f, double vgk, double vpk) {
  GsTubeCurrent c = {0.0, 0.0, 0.0};
  if (!(vpk > 0.0)) return c;
  double is = 1.0 / sqrt(f->kvb + vpk * vpk), sig;
  double sp = gs_softplus(f->kp * (f->inv_mu + vgk * is), &sig);
  double e1 = vpk * f->inv_kp * sp;
  if (!(e1 > 1e-300)) return c; /* cut off: nothing in double */
  c.i = f->two_kg1 * gs_exp(f->ex * gs_log(e1));
  double di_de1 = f->ex * c.i / e1, vsig = vpk * sig * is;
  c.d_vgk = di_de1 * vsig;
  c.d_vpk = di_de1 * (sp * f->inv_kp - vsig * vpk * vgk * is * is);
  return c;
}

/* The same triode by tables, for the solver's inner loop: Koren's E1^ex
 * factored as (Vpk/kp)^ex · h(w) with w = kp (1/mu + Vgk / sqrt(kvb +
 * Vpk²)) and h(w) = ln(1 + e^w)^ex, a function of one variable, held as
 * degree-5 polynomials on intervals of 1/8 (Chebyshev interpolation, e.g.
 * L. N. Trefethen, "Approximation Theory and Approximation Practice",
 * SIAM 2013, ch. 4 and 8: the error on an interval of half-width r is
 * about r^6 / (2^5 6!) times the sixth derivative, here < 3e-11 relative);
 * x^ex the same way on the mantissa, times 2^(e ex) by the exponent.
 * Below w = -48, h < 1e-29: taken as 0; above w = 40, h = w^ex exactly in
 * double. tests/test_fastmath.c holds the tables to it. */
#define GS_SPX_LO (-48.0)
#define GS_SPX_HI 40.0
#define GS_SPX_SCALE 8.0 /* intervals per unit of w */
#define GS_SPX_N 704     /* (GS_SPX_HI - GS_SPX_LO) * GS_SPX_SCALE */
#define GS_XEX_EMIN (-64)
#define GS_XEX_N 128 /* binary exponents tabulated, from GS_XEX_EMIN */
#define GS_ATN_N 64  /* intervals of the arctangent's table */

typedef struct {
  double ex;
  /* interval k: h at s = 2 (w - GS_SPX_LO) GS_SPX_SCALE - (2k + 1) in
   * [-1, 1]: c[0..5] its coefficients in s, c[6..11] those of dh/dw */
  double h[GS_SPX_N + 1][12];
  double m[32][6];      /* m^ex on m in [1 + j/32, 1 + (j+1)/32], s = 64 m - 65 - 2j */
  double two[GS_XEX_N]; /* 2^(e ex) */
  /* arctan(x) for x >= 0 as t a(t), a(t) = arctan(t / (1 - t)) / t with
   * t = x / (1 + x) in [0, 1): smooth (arctan's derivative by t is
   * 1 / (t² + (1 - t)²), in [1, 2]; a(0) = 1), so degree 5 on intervals of
   * 1/GS_ATN_N holds it to ~1e-13 relative; s = 2 GS_ATN_N t - 2k - 1 */
  double atn[GS_ATN_N + 1][6];
} GsSoftplusPow;

/* ln(1 + e^w)^ex by libm, what the tables hold. [any] */
double gs_softplus_pow_exact(double w, double ex);

/* Tables that depend on an exponent, each built on first use and kept
 * for the process, a few per process (the first GS_EX_SLOTS exponents
 * asked for). [main] */
#define GS_EX_SLOTS 8
typedef struct {
  pthread_mutex_t lock;
  double ex[GS_EX_SLOTS];
  void *tables[GS_EX_SLOTS];
} GsExCache;
/* The tables of `size` bytes for ex in c, built by build if new; NULL if
 * ex is outside (0, 10), c is full or there is no memory. */
void *gs_ex_tables(GsExCache *c, double ex, size_t size, void (*build)(void *tables, double ex));

/* The tables for exponent ex, built on first use and kept for the
 * process (a few per process: NULL once that many exist, or out of
 * memory). [main] */
const GsSoftplusPow *gs_softplus_pow(double ex);

/* x^ex for x > 0 (0 below 1e-300). */
static inline double gs_spx_pow(const GsSoftplusPow *t, double x) {
  uint64_t u = gs_fm_bits(x);
  int e = (int)(u >> 52) - 1023;
  if ((unsigned)(e - GS_XEX_EMIN) >= GS_XEX_N) return x > 1e-300 ? gs_pow(x, t->ex) : 0.0;
  int j = (int)(u >> 47) & 31;
  double m = gs_fm_double((u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  double s = 64.0 * m - (double)(65 + 2 * j);
  const double *c = t->m[j];
  double p = ((((c[5] * s + c[4]) * s + c[3]) * s + c[2]) * s + c[1]) * s + c[0];
  return p * t->two[e - GS_XEX_EMIN];
}

/* h(w) = ln(1 + e^w)^ex and *dh = h'(w), for any w (NaN gives 0). */
static inline double gs_spx(const GsSoftplusPow *t, double w, double *dh) {
  if (!(w >= GS_SPX_LO)) {
    *dh = 0.0;
    return 0.0;
  }
  if (w >= GS_SPX_HI) {
    double h = gs_spx_pow(t, w);
    *dh = t->ex * h / w;
    return h;
  }
  double q = (w - GS_SPX_LO) * GS_SPX_SCALE;
  int k = (int)q;
  double s = 2.0 * (q - (double)k) - 1.0;
  const double *c = t->h[k];
  *dh = ((((c[11] * s + c[10]) * s + c[9]) * s + c[8]) * s + c[7]) * s + c[6];
  return ((((c[5] * s + c[4]) * s + c[3]) * s + c[2]) * s + c[1]) * s + c[0];
}

/* h'(w) alone (for the logistic 1 / (1 + e^-w) of the ex = 1 table: the
 * tube stages' tanh), for any w (NaN gives 0). */
static inline double gs_spx_slope(const GsSoftplusPow *t, double w) {
  if (!(w >= GS_SPX_LO)) return 0.0;
  if (w >= GS_SPX_HI) return t->ex * gs_spx_pow(t, w) / w;
  double q = (w - GS_SPX_LO) * GS_SPX_SCALE;
  int k = (int)q;
  double s = 2.0 * (q - (double)k) - 1.0;
  const double *c = t->h[k] + 6;
  return ((((c[5] * s + c[4]) * s + c[3]) * s + c[2]) * s + c[1]) * s + c[0];
}

/* arctan(x) for x >= 0 (any table holds it). */
static inline double gs_spx_atan(const GsSoftplusPow *t, double x) {
  double u = x / (1.0 + x), q = u * GS_ATN_N;
  int k = (int)q;
  double s = 2.0 * (q - (double)k) - 1.0;
  const double *c = t->atn[k];
  return u * (((((c[5] * s + c[4]) * s + c[3]) * s + c[2]) * s + c[1]) * s + c[0]);
}

#if defined(__GNUC__)
#define GS_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define GS_ALWAYS_INLINE static inline
#endif

/* A triode prepared for gs_koren_triode_tab. */
typedef struct {
  const GsSoftplusPow *t;
  double kp, kp_mu, kvb, ex, scale; /* scale = 2 kp^-ex / kg1 */
} GsTriodeTab;

/* False if no table could be had (use gs_koren_triode_fast). [main] */
bool gs_koren_triode_tab_prepare(const GsTriodeModel *m, GsTriodeTab *f);

/* gs_koren_triode by the tables: Ip = scale Vpk^ex h(w), and
 *   dIp/dVgk = scale Vpk^ex h'(w) kp / s,   s = sqrt(kvb + Vpk²),
 *   dIp/dVpk = ex Ip / Vpk - scale Vpk^ex h'(w) kp Vgk Vpk / s³. */
GS_ALWAYS_INLINE GsTubeCurrent gs_koren_triode_tab(const GsTriodeTab *f, double vgk, double vpk) {
  GsTubeCurrent c = {0.0, 0.0, 0.0};
  if (!(vpk > 0.0)) return c;
  double is = 1.0 / sqrt(f->kvb + vpk * vpk);
  double dh, h = gs_spx(f->t, f->kp_mu + f->kp * vgk * is, &dh);
  if (h == 0.0) return c; /* cut off */
  double pv = f->scale * gs_spx_pow(f->t, vpk), g = pv * dh * f->kp * is;
  c.i = pv * h;
  c.d_vgk = g;
  c.d_vpk = f->ex * c.i / vpk - g * vgk * vpk * is * is;
  return c;
}

/* Grid current: vgk / rgi above 0 V, else 0; *slope its derivative. */
static inline double gs_koren_grid(double rgi, double vgk, double *slope) {
  *slope = vgk > 0.0 ? 1.0 / rgi : 0.0;
  return vgk > 0.0 ? vgk / rgi : 0.0;
}

/* Pentode plate and screen currents with their derivatives with respect
 * to Vg1k, Vg2k and Vpk (the screen current does not depend on Vpk). */
typedef struct {
  double ip, ip_g1, ip_g2, ip_p;
  double ig2, ig2_g1, ig2_g2;
} GsPentodeCurrent;

GsPentodeCurrent gs_koren_pentode(const GsPentodeModel *m, double vg1k, double vg2k, double vpk);

#endif
