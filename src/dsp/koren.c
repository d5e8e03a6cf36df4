#include "dsp/koren.h"

#include <math.h>
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

/* Koren's Tube.lib for the EL34 and 6L6GC (mu, ex, kg1, kg2, kp, kvb). */
static const struct {
  const char *name;
  GsPentodeModel m;
} pentodes[] = {
    {"EL34", {11.0, 1.35, 650.0, 4200.0, 60.0, 24.0, 1200.0}},
    {"6L6GC", {8.7, 1.35, 1460.0, 4500.0, 48.0, 12.0, 1000.0}},
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

/* ln(1 + e^a) and its derivative 1 / (1 + e^-a), without overflow. */
static double softplus(double a, double *sigmoid) {
  if (a > 0.0) {
    double e = exp(-a);
    *sigmoid = 1.0 / (1.0 + e);
    return a + log1p(e);
  }
  double e = exp(a);
  *sigmoid = e / (1.0 + e);
  return log1p(e);
}

GsTubeCurrent gs_koren_triode(const GsTriodeModel *m, double vgk, double vpk) {
  GsTubeCurrent c = {0.0, 0.0, 0.0};
  if (!(vpk > 0.0)) return c;
  double s = sqrt(m->kvb + vpk * vpk), sig;
  double a = m->kp * (1.0 / m->mu + vgk / s);
  double sp = softplus(a, &sig);
  double e1 = vpk / m->kp * sp;
  if (!(e1 > 0.0)) return c;
  double pw = pow(e1, m->ex - 1.0);
  c.i = 2.0 * pw * e1 / m->kg1;
  double di_de1 = 2.0 * m->ex * pw / m->kg1;
  c.d_vgk = di_de1 * vpk * sig / s;
  c.d_vpk = di_de1 * (sp / m->kp - vpk * vpk * vgk * sig / (s * s * s));
  return c;
}

GsPentodeCurrent gs_koren_pentode(const GsPentodeModel *m, double vg1k, double vg2k, double vpk) {
  GsPentodeCurrent c;
  memset(&c, 0, sizeof c);
  if (!(vg2k > 0.0)) return c;
  double sig, a = m->kp * (1.0 / m->mu + vg1k / vg2k);
  double sp = softplus(a, &sig);
  double e1 = vg2k / m->kp * sp;
  if (e1 > 0.0) {
    double pw = pow(e1, m->ex - 1.0), ik = 2.0 * pw * e1 / m->kg1;
    double dik = 2.0 * m->ex * pw / m->kg1;
    double at = atan(vpk / m->kvb);
    c.ip = ik * at;
    c.ip_g1 = dik * sig * at;
    c.ip_g2 = dik * (sp / m->kp - sig * vg1k / vg2k) * at;
    c.ip_p = ik / (m->kvb * (1.0 + (vpk / m->kvb) * (vpk / m->kvb)));
  }
  double base = vg2k / m->mu + vg1k;
  if (base > 0.0) {
    double pw = pow(base, m->ex - 1.0);
    c.ig2 = pw * base / m->kg2;
    c.ig2_g1 = m->ex * pw / m->kg2;
    c.ig2_g2 = c.ig2_g1 / m->mu;
  }
  return c;
}
