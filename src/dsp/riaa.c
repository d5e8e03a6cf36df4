#include "dsp/riaa.h"

#include <complex.h>
#include <math.h>

#include "dsp/fit.h"

GsRational gs_riaa_analog(bool iec) {
  const double t1 = 3180e-6, t2 = 318e-6, t3 = 75e-6, t4 = 7950e-6;
  GsPoly num = gs_poly_linear(1.0, t2);
  GsPoly p1 = gs_poly_linear(1.0, t1);
  GsPoly p3 = gs_poly_linear(1.0, t3);
  GsPoly den = gs_poly_mul(&p1, &p3);
  if (iec) {
    /* s t4 / (1 + s t4) */
    GsPoly hp = gs_poly_linear(0.0, t4);
    GsPoly hd = gs_poly_linear(1.0, t4);
    num = gs_poly_mul(&num, &hp);
    den = gs_poly_mul(&den, &hd);
  }
  GsRational r = gs_rat_make(num, den);
  double g = 1.0 / cabs(gs_rat_at_hz(&r, 1000.0));
  r.num = gs_poly_scale(&r.num, g);
  return r;
}

bool gs_riaa_design(bool iec, double rate, GsSosCoefs *out) {
  GsRational r = gs_riaa_analog(iec);
  double err;
  /* one extra pole/zero pair absorbs the warping near Nyquist */
  return gs_fit_real_roots(&r, rate, 1, out, &err) && err < 0.05;
}
