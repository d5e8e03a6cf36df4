/* The inline elementary functions of src/dsp/fastmath.h against the C
 * library over the ranges the tube models use and beyond, and the tube
 * currents built on them against Koren's equations typed in here with
 * libm (N. Koren, "Improved vacuum tube models for SPICE simulations",
 * Glass Audio 8(5), 1996), derivatives against central differences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/fastmath.h"
#include "dsp/koren.h"
#include "harness.h"

#define N_POINTS 200001

/* Relative error of got against want (absolute where want is 0). */
static double rel(double got, double want) {
  return want == 0.0 ? fabs(got) : fabs(got - want) / fabs(want);
}

/* Point k of N_POINTS spread from lo to hi, evenly or by ratio. */
static double sweep(double lo, double hi, int k, bool geometric) {
  double f = (double)k / (N_POINTS - 1);
  return geometric ? lo * pow(hi / lo, f) : lo + (hi - lo) * f;
}

static void report(const char *what, double worst, double bound) {
  h_accuracy("fastmath", what, worst, bound, "relative");
  printf("%-44s worst %.3g (bound %.1g)\n", what, worst, bound);
  assert_true(worst <= bound);
}

static void exp_and_log(void **state) {
  (void)state;
  double we = 0.0, wl = 0.0, wl1 = 0.0, wp = 0.0;
  for (int k = 0; k < N_POINTS; k++) {
    double x = sweep(-708.0, 709.0, k, false);
    we = fmax(we, rel(gs_exp(x), exp(x)));
    double y = sweep(1e-300, 1e300, k, true);
    wl = fmax(wl, rel(gs_log(y), log(y)));
    double near1 = sweep(0.5, 2.0, k, false);
    wl = fmax(wl, rel(gs_log(near1), log(near1)));
    double t = k == 0 ? 0.0 : sweep(1e-300, 1.0, k, true);
    wl1 = fmax(wl1, rel(gs_log1p_unit(t), log1p(t)));
    double u = sweep(0.0, 1.0, k, false);
    wl1 = fmax(wl1, rel(gs_log1p_unit(u), log1p(u)));
    double base = sweep(1e-8, 1e4, k, true), ex = 0.3 + 0.1 * (k % 12);
    wp = fmax(wp, rel(gs_pow(base, ex), pow(base, ex)));
  }
  report("exp, -708 .. 709", we, 4e-15);
  report("log, 1e-300 .. 1e300 and 0.5 .. 2", wl, 2e-15);
  report("log1p, 0 and 1e-300 .. 1", wl1, 2e-15);
  report("pow, x 1e-8 .. 1e4, y 0.3 .. 1.4", wp, 1e-14);
  assert_true(isnan(gs_exp(NAN)));
  assert_true(gs_exp(-1000.0) > 0.0 && gs_exp(-1000.0) < 1e-307);
}

static void softplus_and_atan(void **state) {
  (void)state;
  double ws = 0.0, wg = 0.0, wa = 0.0;
  for (int k = 0; k < N_POINTS; k++) {
    double a = sweep(-700.0, 700.0, k, false), sig;
    double sp = gs_softplus(a, &sig);
    ws = fmax(ws, rel(sp, a > 0 ? a + log1p(exp(-a)) : log1p(exp(a))));
    wg = fmax(wg, rel(sig, 1.0 / (1.0 + exp(-a))));
    double x = sweep(1e-8, 1e8, k, true);
    wa = fmax(wa, rel(gs_atan(x), atan(x)));
    wa = fmax(wa, rel(gs_atan(-x), atan(-x)));
    double y = sweep(-3.0, 3.0, k, false);
    wa = fmax(wa, rel(gs_atan(y), atan(y)));
  }
  report("softplus ln(1+e^a), a -700 .. 700", ws, 4e-15);
  report("its derivative, the logistic", wg, 4e-15);
  report("atan, +-(1e-8 .. 1e8) and -3 .. 3", wa, 1e-15);
}

/* Koren's triode plate current with libm. */
static double koren_ref(const GsTriodeModel *m, double vgk, double vpk) {
  if (vpk <= 0.0) return 0.0;
  double a = m->kp * (1.0 / m->mu + vgk / sqrt(m->kvb + vpk * vpk));
  double e1 = vpk / m->kp * (a > 0 ? a + log1p(exp(-a)) : log1p(exp(a)));
  return e1 > 0.0 ? 2.0 * pow(e1, m->ex) / m->kg1 : 0.0;
}

/* The slope along (dg, dp) by central differences, Richardson-extrapolated
 * (error of order h^4). */
static double slope(const GsTriodeModel *m, double vgk, double vpk, double dg, double dp) {
  double d[2];
  for (int k = 0; k < 2; k++) {
    double h = k ? 5e-4 : 1e-3;
    d[k] = (koren_ref(m, vgk + h * dg, vpk + h * dp) - koren_ref(m, vgk - h * dg, vpk - h * dp)) /
           (2 * h);
  }
  return (4.0 * d[1] - d[0]) / 3.0;
}

static void triode_currents(void **state) {
  (void)state;
  const char *names[] = {"12AX7", "12AT7", "12AU7"};
  double wi = 0.0, wd = 0.0;
  for (int t = 0; t < 3; t++) {
    const GsTriodeModel *m = gs_triode_model(names[t]);
    for (double vpk = 1.0; vpk <= 400.0; vpk += 3.0) {
      for (double vgk = -12.0; vgk <= 3.0; vgk += 0.0625) {
        GsTubeCurrent c = gs_koren_triode(m, vgk, vpk);
        double want = koren_ref(m, vgk, vpk);
        if (want < 1e-12) continue; /* cut off: a picoampere */
        wi = fmax(wi, rel(c.i, want));
        double dg = slope(m, vgk, vpk, 1.0, 0.0), dp = slope(m, vgk, vpk, 0.0, 1.0);
        /* against the larger slope; the differences' own error, ~1e-8 where
         * the current bends fastest (near cut-off, low Vpk), sets the bound */
        double scale = fmax(fabs(dg), fabs(dp));
        wd = fmax(wd, fmax(fabs(c.d_vgk - dg), fabs(c.d_vpk - dp)) / scale);
      }
    }
  }
  report("Koren triode current above 1 pA", wi, 1e-13);
  report("its derivatives vs central differences", wd, 1e-7);
}

/* The tables of koren.h: h(w) = ln(1 + e^w)^ex and its slope, x^ex, and
 * the triode current by them against the exact inline one. */
static void triode_tables(void **state) {
  (void)state;
  const double exs[] = {1.0, 1.3, 1.35, 1.4, 1.46};
  double wh = 0.0, wd = 0.0, wp = 0.0, wa = 0.0, ws = 0.0;
  for (int e = 0; e < 5; e++) {
    const GsSoftplusPow *t = gs_softplus_pow(exs[e]);
    assert_non_null(t);
    assert_true(gs_softplus_pow(exs[e]) == t); /* built once */
    for (int k = 0; k < N_POINTS; k++) {
      double w = sweep(-47.9, 60.0, k, false), dh;
      double sp = w > 0 ? w + log1p(exp(-w)) : log1p(exp(w));
      double h = gs_spx(t, w, &dh);
      wh = fmax(wh, rel(h, pow(sp, exs[e])));
      wd = fmax(wd, rel(dh, exs[e] * pow(sp, exs[e] - 1.0) / (1.0 + exp(-w))));
      double x = sweep(1e-25, 1e25, k, true);
      wp = fmax(wp, rel(gs_spx_pow(t, x), pow(x, exs[e])));
      ws = fmax(ws, fabs(gs_spx_slope(t, w) - dh));
      double y = k == 0 ? 0.0 : sweep(1e-12, 1e12, k, true);
      wa = fmax(wa, rel(gs_spx_atan(t, y), atan(y)));
    }
  }
  report("table arctan, x 0 and 1e-12 .. 1e12", wa, 1e-12);
  report("table slope alone, same as with h", ws, 0.0);
  report("table ln(1+e^w)^ex, w -48 .. 60", wh, 5e-11);
  report("its slope", wd, 5e-11);
  report("table x^ex, x 1e-25 .. 1e25", wp, 4e-14);
  const char *names[] = {"12AX7", "12AT7", "12AU7"};
  double wi = 0.0, wj = 0.0;
  for (int n = 0; n < 3; n++) {
    const GsTriodeModel *m = gs_triode_model(names[n]);
    GsTriodeTab f;
    assert_true(gs_koren_triode_tab_prepare(m, &f));
    for (double vpk = 1.0; vpk <= 400.0; vpk += 3.0) {
      for (double vgk = -12.0; vgk <= 3.0; vgk += 0.0625) {
        GsTubeCurrent c = gs_koren_triode_tab(&f, vgk, vpk), x = gs_koren_triode(m, vgk, vpk);
        if (x.i < 1e-12) continue; /* cut off: a picoampere */
        wi = fmax(wi, rel(c.i, x.i));
        double scale = fmax(fabs(x.d_vgk), fabs(x.d_vpk));
        wj = fmax(wj, fmax(fabs(c.d_vgk - x.d_vgk), fabs(c.d_vpk - x.d_vpk)) / scale);
      }
    }
  }
  report("triode current by tables above 1 pA", wi, 5e-11);
  report("its derivatives", wj, 5e-11);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(exp_and_log),
      cmocka_unit_test(softplus_and_atan),
      cmocka_unit_test(triode_currents),
      cmocka_unit_test(triode_tables),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
