#include "dsp/loudspeaker.h"

#include <math.h>

#define PI 3.14159265358979323846
#define RHO_C2 141800.0 /* air at 20 C: rho c^2 in Pa (1.204 kg/m^3, 343.2 m/s) */

double gs_driver_qts(const GsDriver *d) {
  return d->qms * d->qes / (d->qms + d->qes);
}

double gs_sensitivity_pa_per_volt(double sensitivity_db, double nominal_ohms) {
  return 20e-6 * pow(10.0, sensitivity_db / 20.0) / sqrt(nominal_ohms);
}

double gs_sensitivity_spl(double sensitivity_db, double nominal_ohms, double vrms) {
  return sensitivity_db + 20.0 * log10(vrms / sqrt(nominal_ohms));
}

double gs_piston_spreading(double r, double a) {
  return 2.0 / (r + hypot(r, a));
}

/* sqrt(1 + Vas/Vb): how much a sealed box stiffens the suspension. */
static double box_factor(const GsDriver *d) {
  return d->box > 0.0 ? sqrt(1.0 + d->vas / d->box) : 1.0;
}

/* Re + s Le + the motional parallel R-L-C (see speaker.c). */
GsRational gs_driver_impedance(const GsDriver *d) {
  double k = box_factor(d);
  double ws = 2.0 * PI * d->fs * k, qes = d->qes * k, qms = d->qms * k;
  double cmes = qes / (ws * d->re), lces = 1.0 / (ws * ws * cmes), res = d->re * qms / qes;
  GsPoly mn = gs_poly_linear(0.0, lces);
  GsPoly md = gs_poly_linear(1.0, lces / res);
  md.c[2] = lces * cmes;
  md.deg = 2;
  GsRational mot = gs_rat_make(mn, md);
  GsRational coil = gs_rat_make(gs_poly_linear(d->re, d->le), gs_poly_const(1.0));
  return gs_rat_add(&coil, &mot);
}

/* s^2 / (s^2 + s w/Q + w^2) */
static GsRational highpass2(double w, double q) {
  GsPoly num = gs_poly_const(0.0), den = gs_poly_linear(w * w, w / q);
  num.c[2] = 1.0;
  num.deg = 2;
  den.c[2] = 1.0;
  den.deg = 2;
  return gs_rat_make(num, den);
}

/* Small 1973, lossless box: s^4 T0^4 / (s^4 T0^4 + a1 s^3 T0^3 + a2 s^2 T0^2
 * + a3 s T0 + 1), T0 = 1/sqrt(ws wb), h = fb/fs, alpha = Vas/Vb,
 * a1 = 1/(sqrt(h) Qts), a2 = (alpha + 1 + h^2)/h, a3 = sqrt(h)/Qts. */
static GsRational vented(const GsDriver *d) {
  double ws = 2.0 * PI * d->fs, wb = 2.0 * PI * d->port, qts = gs_driver_qts(d);
  double t0 = 1.0 / sqrt(ws * wb), h = d->port / d->fs, alpha = d->vas / d->box;
  double a1 = 1.0 / (sqrt(h) * qts), a2 = (alpha + 1.0 + h * h) / h, a3 = sqrt(h) / qts;
  GsPoly num = gs_poly_const(0.0), den = gs_poly_const(1.0);
  num.c[4] = pow(t0, 4);
  num.deg = 4;
  den.c[1] = a3 * t0;
  den.c[2] = a2 * t0 * t0;
  den.c[3] = a1 * pow(t0, 3);
  den.c[4] = pow(t0, 4);
  den.deg = 4;
  return gs_rat_make(num, den);
}

GsRational gs_driver_pressure(const GsDriver *d) {
  GsRational hp;
  if (d->box > 0.0 && d->port > 0.0) {
    hp = vented(d);
  } else {
    /* sealed (Small 1972): fc = fs k, Qtc = Qts k; infinite baffle: k = 1 */
    double k = box_factor(d);
    hp = highpass2(2.0 * PI * d->fs * k, gs_driver_qts(d) * k);
  }
  GsRational coil = gs_rat_make(gs_poly_const(d->re), gs_poly_linear(d->re, d->le));
  return gs_rat_mul(&hp, &coil);
}

/* V = i (Re + s Le) + Bl s x and Bl i = (Mms s^2 + Rms s + k) x give
 * x / V = Bl / ((Re + s Le)(Mms s^2 + Rms s + k) + Bl^2 s). */
bool gs_driver_excursion(const GsDriver *d, GsRational *out) {
  if (!(d->sd > 0.0) || (d->box > 0.0 && d->port > 0.0)) return false;
  double sd = d->sd * 1e-4, vas = d->vas * 1e-3, ws = 2.0 * PI * d->fs;
  double cms = vas / (RHO_C2 * sd * sd), mms = 1.0 / (ws * ws * cms);
  double bl = sqrt(ws * mms * d->re / d->qes), rms = ws * mms / d->qms;
  double stiff = 1.0 / cms;
  if (d->box > 0.0) stiff += RHO_C2 * sd * sd / (d->box * 1e-3);
  GsPoly coil = gs_poly_linear(d->re, d->le), mech = gs_poly_linear(stiff, rms);
  mech.c[2] = mms;
  mech.deg = 2;
  GsPoly den = gs_poly_mul(&coil, &mech);
  GsPoly motion = gs_poly_linear(0.0, bl * bl);
  den = gs_poly_add(&den, &motion);
  *out = gs_rat_make(gs_poly_const(bl), den);
  return true;
}
