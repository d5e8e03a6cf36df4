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
#include <stdbool.h>

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
