#include "dsp/pushpull.h"

#include "dsp/fastmath.h"

#include <math.h>
#include <string.h>

/* The feedback network around the inverter's tail, after the classic
 * British amplifiers' (a Marshall JCM800 2203): 4.7k tail resistor,
 * presence 5k pot + 0.1 µF across it; resonance as in later amps, a 250k
 * pot shunted by 4.7 nF in series with the feedback resistor. */
#define R_TAIL 4.7e3
#define PRES_POT 5e3
#define PRES_MIN 47.0 /* the pot's end resistance */
#define PRES_C 0.1e-6
#define RES_POT 250e3
#define RES_C 4.7e-9
#define TAP_OHMS 16.0 /* feedback is taken from the 16-ohm tap */

/* ------------------------------------------------------------ the tubes */

/* Plate and screen currents of one tube; no plate current below 0 V. */
static GsPentodeCurrent tube(const GsPentodeModel *m, double vg1, double vg2, double vp) {
  GsPentodeCurrent c = gs_koren_pentode(m, vg1, vg2, vp > 0.0 ? vp : 0.0);
  if (vp <= 0.0) c.ip = c.ip_g1 = c.ip_g2 = c.ip_p = 0.0;
  return c;
}

double gs_pp_bias_for(const GsPentodeModel *m, double bplus, double amps) {
  double lo = -bplus, hi = 0.0;
  for (int k = 0; k < 80; k++) {
    double mid = 0.5 * (lo + hi);
    if (tube(m, mid, bplus, bplus).ip > amps) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return 0.5 * (lo + hi);
}

/* ------------------------------------------------ the solver's tables */

/* A table of n intervals of f over [lo, lo + n / per) (see pushpull.h):
 * at[k] the value at interval k's start, rise[k] its rise. */
static void tabulate(double *at, double *rise, int n, double lo, double per,
                     double (*f)(double, double), double ex) {
  double last = f(lo, ex);
  for (int k = 0; k < n; k++) {
    double next = f(lo + (k + 1) / per, ex);
    at[k] = last;
    rise[k] = next - last;
    last = next;
  }
}

static double tanh_of(double u, double ex) {
  (void)ex;
  return tanh(u);
}

static double atan_of_t(double t, double ex) { /* x = t / (1 - t) */
  (void)ex;
  return t >= 1.0 ? M_PI_2 : atan(t / (1.0 - t));
}

static double screen_of(double w, double ex) {
  return w > 0.0 ? pow(w, ex) : 0.0;
}

static void build_pp_tables(void *tables, double ex) {
  GsPpTables *t = tables;
  t->ex = ex;
  tabulate(t->th[0], t->th[1], GS_PPT_TN, -GS_PPT_TR, GS_PPT_TS, tanh_of, ex);
  tabulate(t->h[0], t->h[1], GS_PPT_HN, GS_PPT_HLO, GS_PPT_HS, gs_softplus_pow_exact, ex);
  tabulate(t->at[0], t->at[1], GS_PPT_AN, 0.0, GS_PPT_AN, atan_of_t, ex);
  tabulate(t->sg[0], t->sg[1], GS_PPT_HN, GS_PPT_HLO, GS_PPT_HS, screen_of, ex);
}

const GsPpTables *gs_pp_tables(double ex) {
  static GsExCache cache = {PTHREAD_MUTEX_INITIALIZER, {0}, {0}};
  return gs_ex_tables(&cache, ex, sizeof(GsPpTables), build_pp_tables);
}

/* --------------------------------------------------------- static design */

/* Peak current of the driven tube with its grid at 0 V and its plate at
 * vb - r (i - i0) (r: the load one tube sees, times the tubes in
 * parallel; i0 the current at which the plate sits at vb). */
static double driven_peak(const GsPentodeModel *m, double vb, double r, double i0) {
  double lo = 0.0, hi = tube(m, 0.0, vb, vb + r * i0).ip;
  for (int k = 0; k < 60; k++) {
    double mid = 0.5 * (lo + hi);
    if (tube(m, 0.0, vb, vb - r * (mid - i0)).ip > mid) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

double gs_pp_max_watts(const GsPushPullDesign *d) {
  const GsPentodeModel *m = d->tube;
  int sides = d->single_ended ? 1 : 2;
  GsPentodeCurrent idle = tube(m, d->bias, d->bplus, d->bplus);
  double i_idle = d->parallel * sides * (idle.ip + idle.ig2), vb = d->bplus, watts = 0.0;
  for (int pass = 0; pass < 4; pass++) {
    double ig2 = tube(m, 0.0, vb, vb).ig2, i_avg;
    if (d->single_ended) { /* swing up to cut-off, down to the knee */
      double ipk = driven_peak(m, vb, d->raa * d->parallel, idle.ip) - idle.ip;
      double swing = d->raa * d->parallel * fmin(ipk, idle.ip);
      watts = swing * swing / (2.0 * d->raa);
      i_avg = i_idle + d->parallel * ig2 / M_PI;
    } else { /* class B at the peak: one tube sees raa / 4 */
      double ipk = driven_peak(m, vb, 0.25 * d->raa * d->parallel, 0.0);
      double vpp = 0.5 * d->raa * d->parallel * ipk;
      watts = vpp * vpp / (2.0 * d->raa);
      i_avg = fmax(2.0 * d->parallel * (ipk + ig2) / M_PI, i_idle);
    }
    vb = d->bplus - d->rsag * (i_avg - i_idle);
  }
  return watts;
}

/* ----------------------------------------------------- linear networks */

static GsRational feedback_network(double rfb, double presence, double resonance) {
  double rp = PRES_POT * (1.0 - presence) + PRES_MIN, rr = RES_POT * resonance;
  /* tail: R_TAIL || (rp + 1 / (s C)) */
  GsRational zt = gs_rat_make(gs_poly_linear(R_TAIL, R_TAIL * rp * PRES_C),
                              gs_poly_linear(1.0, (R_TAIL + rp) * PRES_C));
  GsRational zfb = gs_rat_const(rfb);
  if (rr > 1.0) {
    GsRational zr = gs_rat_make(gs_poly_const(rr), gs_poly_linear(1.0, rr * RES_C));
    zfb = gs_rat_add(&zfb, &zr);
  }
  GsRational sum = gs_rat_add(&zt, &zfb);
  GsRational inv = gs_rat_inv(&sum);
  return gs_rat_mul(&zt, &inv);
}

static double primary_inductance(const GsPushPullDesign *d) {
  return d->raa / (2.0 * M_PI * d->lp_hz);
}

static double winding_capacitance(const GsPushPullDesign *d) {
  return 1.0 / (2.0 * M_PI * d->cp_hz * d->raa);
}

/* The transformer's own admittance at the primary: magnetizing
 * inductance and winding capacitance. */
static GsRational winding_admittance(const GsPushPullDesign *d) {
  double lp = primary_inductance(d), cp = winding_capacitance(d);
  GsRational yl = gs_rat_make(gs_poly_const(1.0), gs_poly_linear(0.0, lp));
  GsRational yc = gs_rat_make(gs_poly_linear(0.0, cp), gs_poly_const(1.0));
  return gs_rat_add(&yl, &yc);
}

static bool digitize(const GsRational *r, double rate, GsIirCoefs *c) {
  GsSosCoefs sos;
  double hi = fmin(20000.0, 0.45 * rate);
  if (!gs_rat_to_sos(r, rate, gs_rat_feature_hz(r, 10.0, hi), &sos)) return false;
  gs_iir_from_sos(c, &sos);
  return true;
}

/* No feedback: the network `c` at gain 0. A morph to or from it fades the
 * numerator alone: the poles stay where they are. */
static GsIirCoefs silenced(const GsIirCoefs *c) {
  GsIirCoefs z = *c;
  z.gain = 0.0;
  return z;
}

void gs_pp_set_feedback(GsPushPull *p, double rfb, double presence, double resonance,
                        uint32_t glide) {
  p->d.rfb = rfb;
  p->d.presence = presence;
  p->d.resonance = resonance;
  GsIirCoefs old = p->beta;
  GsRational b;
  if (rfb > 0.0) b = feedback_network(rfb, presence, resonance);
  if (!(rfb > 0.0) || !digitize(&b, p->rate, &p->beta_to) || p->beta_to.order > GS_PP_BETA_MAX)
    p->beta_to = silenced(&old);
  if (!p->feedback) { /* from none: the network's history is stale */
    old = silenced(&p->beta_to);
    gs_iir_clear(&p->bst);
  }
  if (glide) {
    gs_iir_morph(&p->bst, &old, glide);
    p->feedback = true;
  } else {
    p->beta = p->beta_to;
    p->bst.morph_left = 0;
    p->feedback = p->beta_to.gain != 0.0;
  }
  p->bd = gs_iir_direct_gain(&p->beta);
  gs_pp_history_moved(p);
}

/* A sample further along a morph of the feedback network. */
void gs_pp_morph_feedback(GsPushPull *p) {
  gs_iir_morph_next(&p->beta_to, &p->bst, &p->beta);
  p->bd = gs_iir_direct_gain(&p->beta);
  if (p->bst.morph_left == 0) {
    p->beta = p->beta_to;
    p->bd = gs_iir_direct_gain(&p->beta);
    p->feedback = p->beta.gain != 0.0;
  }
}

/* ------------------------------------------------------------ lifecycle */

bool gs_pp_init(GsPushPull *p, const GsPushPullDesign *d, const GsRational *yload, double rate) {
  memset(p, 0, sizeof *p);
  gs_iir_identity(&p->beta); /* no network yet */
  p->d = *d;
  p->rate = rate;
  p->k_in = 1.0;
  p->n = sqrt(d->raa / d->rload);
  p->tapk = sqrt(TAP_OHMS / d->rload);
  p->yload = yload ? *yload : gs_rat_const(1.0 / d->rload);
  /* the primary node: the load reflected (digitized on its own: it is
   * well conditioned, unlike the whole impedance with the windings), and
   * trapezoidal companions of the inductance and capacitance */
  GsRational scaled = gs_rat_const(1.0 / (p->n * p->n));
  scaled = gs_rat_mul(&scaled, &p->yload);
  if (!digitize(&scaled, rate, &p->y)) return false;
  p->gl = 1.0 / (2.0 * primary_inductance(d) * rate);
  p->gcp = 2.0 * winding_capacitance(d) * rate;
  p->zd = 1.0 / (gs_iir_direct_gain(&p->y) + p->gl + p->gcp);
  p->gc = 2.0 * d->cc * rate;
  p->gbr = 1.0 / (d->pi_rout + 1.0 / p->gc);
  p->ja0 = p->gc * -d->bias; /* the caps hold the bias, no current */
  GsPentodeCurrent idle = tube(d->tube, d->bias, d->bplus, d->bplus);
  double idle_current = d->parallel * (d->single_ended ? 1 : 2) * (idle.ip + idle.ig2);
  p->vraw = d->bplus + d->rsag * idle_current;
  p->decay = d->rsag > 0.0 ? exp(-1.0 / (rate * d->rsag * d->cfilter)) : 0.0;
  p->supply_every = rate > 48000.0 ? (int)floor(rate / 44100.0) : 1;
  p->decay_n = pow(p->decay, p->supply_every);
  gs_pp_set_feedback(p, d->rfb, d->presence, d->resonance, 0);
  gs_pp_prepare(p);
  if (!p->lut || !p->tab) return false; /* no memory for them */
  gs_pp_reset(p);
  return true;
}

void gs_pp_reset(GsPushPull *p) {
  gs_iir_clear(&p->yst);
  p->hz[0] = p->hz[1] = 0.0;
  gs_iir_clear(&p->bst); /* a morph under way ends at once */
  p->beta = p->beta_to;
  p->bd = gs_iir_direct_gain(&p->beta);
  p->feedback = p->beta.gain != 0.0;
  p->j[0] = p->j[1] = p->ja0;
  p->vb = p->d.bplus;
  p->supply_left = p->supply_every;
  p->isum[0] = p->isum[1] = 0.0;
  gs_pp_supply_moved(p);
  p->vpp = p->fe_last = p->sz_last = p->e0_last = p->lin_last = p->fb_z = 0.0;
  p->idf_last = 1.0;
}

/* ------------------------------------------------------- small signal */

typedef struct {
  double complex gm_path; /* inverter to plate current, per input volt */
  double complex y_int;   /* the windings and the tubes' plate conductance */
  double complex y_fb;    /* what feedback adds to the output admittance */
} SmallSignal;

static SmallSignal small_signal_with(const GsPushPull *p, double hz, double rfb, double presence,
                                     double resonance) {
  const GsPushPullDesign *d = &p->d;
  double complex s = I * 2.0 * M_PI * hz;
  GsPentodeCurrent c = tube(d->tube, d->bias, d->bplus, d->bplus);
  double kpl = d->single_ended ? 1.0 : 0.5;
  double complex hc = d->rb / (d->rb + d->pi_rout + 1.0 / (s * d->cc));
  SmallSignal ss;
  ss.gm_path = d->parallel * c.ip_g1 * hc * 0.5 * d->pi_gain;
  GsRational w = winding_admittance(d);
  ss.y_int = gs_rat_eval(&w, s) + d->parallel * c.ip_p * kpl;
  ss.y_fb = 0.0;
  if (rfb > 0.0) {
    GsRational b = feedback_network(rfb, presence, resonance);
    ss.y_fb = ss.gm_path * gs_rat_eval(&b, s) * p->tapk / p->n;
  }
  return ss;
}

static SmallSignal small_signal(const GsPushPull *p, double hz) {
  return small_signal_with(p, hz, p->feedback ? p->d.rfb : 0.0, p->d.presence, p->d.resonance);
}

static double return_difference_db(const SmallSignal *ss, const GsPushPull *p) {
  double complex y = 1.0 / (p->d.rload * p->n * p->n);
  return 20.0 * log10(cabs(1.0 + ss->y_fb / (ss->y_int + y)));
}

double gs_pp_rfb_for(const GsPushPull *p, double feedback_db) {
  if (!(feedback_db > 0.0)) return 0.0;
  double lo = log(10.0), hi = log(1e8); /* more feedback at lower rfb */
  for (int k = 0; k < 60; k++) {
    double mid = 0.5 * (lo + hi);
    SmallSignal ss = small_signal_with(p, 1000.0, exp(mid), 0.0, 0.0);
    if (return_difference_db(&ss, p) > feedback_db) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return exp(0.5 * (lo + hi));
}

double complex gs_pp_gain(const GsPushPull *p, const GsRational *yl, double hz) {
  SmallSignal ss = small_signal(p, hz);
  double complex s = I * 2.0 * M_PI * hz;
  double complex y = gs_rat_eval(yl ? yl : &p->yload, s) / (p->n * p->n);
  return ss.gm_path / (p->n * (ss.y_int + y + ss.y_fb));
}

double complex gs_pp_zout(const GsPushPull *p, double hz) {
  SmallSignal ss = small_signal(p, hz);
  return 1.0 / (p->n * p->n * (ss.y_int + ss.y_fb));
}

double gs_pp_feedback_db(const GsPushPull *p, double hz) {
  SmallSignal ss = small_signal(p, hz);
  return return_difference_db(&ss, p);
}

double gs_pp_supply(const GsPushPull *p) {
  return p->vb;
}

double gs_pp_recovery_seconds(const GsPushPull *p) {
  const GsPushPullDesign *d = &p->d;
  if (!(d->rsag > 0.0)) return 0.0;
  GsPentodeCurrent c = tube(d->tube, d->bias, d->bplus, d->bplus);
  double g = d->parallel * (d->single_ended ? 1 : 2) * (c.ip_g2 + c.ip_p + c.ig2_g2);
  return d->cfilter / (1.0 / d->rsag + g);
}
