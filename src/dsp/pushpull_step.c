/* The push-pull output section's per-sample part (pushpull.h): one unknown,
 * the plate-to-plate voltage vpp, solved by Newton's method guarded by
 * bisection; the tubes' currents by the tables of koren.h (Koren's
 * pentode factored as scale(vg2) h(w) atan(vp / kvb), each factor a
 * function of one variable). Everything but gs_pp_prepare runs on the
 * audio thread. */
#include <math.h>
#include <string.h>

#include "dsp/fastmath.h"
#include "dsp/kernel.h"
#include "dsp/pushpull.h"

#define MAX_ITER 40
/* A Newton step this small (volts per volt of vpp) is the last: taken
 * without evaluating again (the error left ~ its square). 1e-3
 * rather than 3e-5 saves a third of an evaluation a step on the driven
 * rig and moves its 5 kHz THD by 2e-4 of itself, its alias by 0.004 dB. */
#define STEP_TOL 1e-3

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

#ifndef GS_KERNEL_FMA /* set up once, by the baseline build */
void gs_pp_prepare(GsPushPull *p) {
  const GsPushPullDesign *d = &p->d;
  const GsPentodeModel *m = d->tube;
  p->tab = gs_softplus_pow(m->ex);
  p->lut = gs_pp_tables(m->ex);
  p->qh0 = (m->kp / m->mu - GS_PPT_HLO) * GS_PPT_HS;
  p->inv_gc = 1.0 / p->gc;
  p->bias_g = d->bias / d->rb;
  double den0 = p->gbr + 1.0 / d->rb;
  p->inv_den0 = 1.0 / den0;
  p->inv_den1 = 1.0 / (den0 + 1.0 / (d->rgs + m->rgi));
  p->g_sw = 0.5 * d->pi_gain / d->pi_swing;
  p->kpl = d->single_ended ? 1.0 : 0.5;
  p->inv_kvb = 1.0 / m->kvb;
  p->inv_kg2 = 1.0 / m->kg2;
  p->tap_n = p->tapk / p->n;
  p->pl_c0 = m->kp / m->mu;
  p->pi_g = 0.5 * d->pi_gain;
  p->zd_kd = p->zd * d->parallel * (d->single_ended ? 1.0 : 0.5);
}
#endif

/* ------------------------------------------------------------ the tubes */

#ifndef GS_KERNEL_FMA
void gs_pp_supply_moved(GsPushPull *p) {
  const GsPentodeModel *m = p->d.tube;
  double v = p->vb > 1e-3 ? p->vb : 1e-3;
  p->pl_scale = 2.0 / m->kg1 * gs_spx_pow(p->tab, v / m->kp);
  p->pl_c1 = m->kp / v;
  p->qh1 = p->pl_c1 * GS_PPT_HS;
}
#endif

/* A table's value at position q (intervals from its start, 0 <= q < its
 * length) and *rise, its slope per interval. */
static inline double lut(const GsPpKnot *t, double q, double *rise) {
  int k = (int)q;
  *rise = t[k].rise;
  return t[k].mid + (q - (double)k - 0.5) * t[k].rise;
}

/* h beyond its table (w > 24: a grid far above cutoff, which no working
 * amplifier reaches) by koren.h's, by the position q. */
static NOINLINE double h_beyond(const GsPushPull *p, double q, double *rise) {
  double dh, h = gs_spx(p->tab, GS_PPT_HLO + q / GS_PPT_HS, &dh);
  *rise = dh / GS_PPT_HS;
  return h;
}

/* Koren's pentode plate current with the screen voltage fixed for the
 * sample, Ip = (2/kg1) (vg2/kp)^ex h(kp/mu + kp vg1/vg2) atan(vp/kvb), by
 * the tables: pl_scale h(vg1) atan(vp / kvb); its slopes by vg1 and vp.
 * None below 0 V, nor below w = -30 (h < 1e-17). */
static inline double plate(const GsPushPull *p, double vg1, double vp, double *d_g1, double *d_p) {
  double q = p->qh0 + p->qh1 * vg1; /* h's position; NaN reads as cut off */
  if (!(vp > 0.0 && q > 0.0)) {
    *d_g1 = *d_p = 0.0;
    return 0.0;
  }
  double rh, h = q < GS_PPT_HN ? lut(p->lut->h, q, &rh) : h_beyond(p, q, &rh);
  double x = vp * p->inv_kvb, r = 1.0 / (1.0 + x), ra, qa = x * r * GS_PPT_AN;
  double a = lut(p->lut->at, qa < GS_PPT_AN - 1e-9 ? qa : GS_PPT_AN - 1e-9, &ra);
  double k = p->pl_scale * h;
  *d_g1 = p->pl_scale * rh * p->qh1 * a;
  *d_p = k * ra * (GS_PPT_AN * r * r) * p->inv_kvb;
  return k * a;
}

/* tanh(u) and *slope its slope by u, by the table (its ends held beyond
 * |u| = 8, where tanh is within 2e-7 of them). */
static inline double inverter_tanh(const GsPushPull *p, double u, double *slope) {
  double q = (u + GS_PPT_TR) * GS_PPT_TS, rise; /* (NaN: the top end) */
  q = q < GS_PPT_TN - 1e-9 ? q : GS_PPT_TN - 1e-9;
  q = q > 0.0 ? q : 0.0;
  double t = lut(p->lut->th, q, &rise);
  *slope = rise * GS_PPT_TS;
  return t;
}

/* A grid fed from the inverter at vs through its output resistance and
 * the coupling cap, the bias feed to `bias`, and grid conduction through
 * the stopper above 0 V: closed form, piecewise linear. k: the drive of
 * the cap's history and the bias, gbr (-j / gc) + bias / rb, fixed for
 * the sample. (A smooth conduction law was tried: it moved aliasing by
 * 2 dB at 4x, the plate and inverter limits dominate.) */
static inline double grid(const GsPushPull *p, double vs, double k, double *dvg) {
  double num = p->gbr * vs + k, vg = num * p->inv_den0;
  double inv = p->inv_den0;
  if (vg > 0.0) {
    inv = p->inv_den1;
    vg = num * inv;
  }
  *dvg = p->gbr * inv;
  return vg;
}

/* --------------------------------------------------------------- solving */

/* What holds still while vpp is solved for: the feedback's and the
 * load's free responses, the input, the coupling caps' drives. */
typedef struct {
  double e0, kfb, sz, ka, kb;
} Sample;

/* One evaluation at vpp: the inverter, the grids and the tubes. */
typedef struct {
  double vs, dvs_de; /* the inverter's output and its slope by its input */
  double vga, vgb, ia, ib;
  double ta, tb; /* each plate current's slope by its inverter side */
} Eval;

/* f(vpp) = vpp + zd kd (ia - ib) + sz, increasing; *df its slope. The
 * tubes' difference current through the primary node's impedance zd
 * (kd = parallel / 2 for push-pull, parallel single-ended, ib = 0). */
GS_ALWAYS_INLINE double eval(const GsPushPull *p, const Sample *sm, bool pp, double vpp, Eval *ev,
                             double *df) {
  double slope, t = inverter_tanh(p, p->g_sw * (sm->e0 + sm->kfb * vpp), &slope);
  ev->dvs_de = p->pi_g * slope;
  ev->vs = p->d.pi_swing * t;
  double dga, ga, pa, dgb = 0.0, gb = 0.0, pb = 0.0;
  ev->vga = grid(p, ev->vs, sm->ka, &dga);
  ev->ia = plate(p, ev->vga, p->vb + p->kpl * vpp, &ga, &pa);
  ev->ta = ga * dga;
  ev->ib = ev->tb = 0.0;
  if (pp) {
    ev->vgb = grid(p, -ev->vs, sm->kb, &dgb);
    ev->ib = plate(p, ev->vgb, p->vb - p->kpl * vpp, &gb, &pb);
    ev->tb = gb * dgb;
  }
  double did = (ev->ta + ev->tb) * ev->dvs_de * sm->kfb + p->kpl * (pa + pb);
  *df = 1.0 + p->zd_kd * did;
  return vpp + p->zd_kd * (ev->ia - ev->ib) + sm->sz;
}

/* A Newton step this small from x is the last. */
static inline bool settled(double step, double x) {
  return fabs(step) < STEP_TOL * (1.0 + fabs(x));
}

/* Newton's method on the monotone f, guarded by the bracket it builds:
 * a step that leaves the bracket, or that did not halve |f| since the
 * last (Newton circling a kink from both sides, as with 30 dB of feedback
 * and the grids conducting), bisects it instead. From *vpp, where f was
 * f (its evaluation in *ev, *df: step() took it, and most samples settle
 * there; these go on out of its way). *ev and *df as at the last
 * evaluation, before the last step. */
static NOINLINE bool solve_on(const GsPushPull *p, const Sample *sm, bool pp, double *vpp, double f,
                              Eval *ev, double *df) {
  double x = *vpp, lo = -INFINITY, hi = INFINITY, last = INFINITY;
  for (int it = 0; it < MAX_ITER; it++) {
    if (it > 0) f = eval(p, sm, pp, x, ev, df);
    if (!isfinite(f)) return false;
    if (f > 0.0) {
      hi = x;
    } else {
      lo = x;
    }
    double step = f / *df, next = x - step;
    if (settled(step, x)) {
      *vpp = next;
      return true;
    }
    bool bracketed = lo > -INFINITY && hi < INFINITY;
    if (!(next > lo && next < hi) || (bracketed && fabs(f) > 0.5 * last)) next = 0.5 * (lo + hi);
    last = fabs(f);
    x = next;
  }
  return false;
}

/* x^ex by the table; 0 for x <= 0. */
static inline double power(const GsPushPull *p, double x) {
  return x > 0.0 ? gs_spx_pow(p->tab, x) : 0.0;
}

/* What the output tubes draw from the supply: the plates' mean over the
 * supply's last samples and the screens now. */
static double supply_current(const GsPushPull *p, const Eval *ev, bool pp) {
  double base = p->vb / p->d.tube->mu, i = p->isum / p->supply_every;
  i += power(p, base + ev->vga) * p->inv_kg2;
  if (pp) i += power(p, base + ev->vgb) * p->inv_kg2;
  return p->d.parallel * i;
}

/* The supply moves on, once every supply_every samples. */
static void supply_step(GsPushPull *p, const Eval *ev, bool pp) {
  double vinf = p->vraw - p->d.rsag * supply_current(p, ev, pp);
  p->vb = vinf + (p->vb - vinf) * p->decay_n;
  p->supply_left = p->supply_every;
  p->isum = 0.0;
  gs_pp_supply_moved(p);
}

/* The history of a filter whose output y for input x is already known
 * (its direct gain times x plus the free response taken before). */
static inline void iir_push(const GsIirCoefs *c, GsIirState *st, double x, double y) {
  int n = c->order;
  if (n > 2) { /* a speaker's curve reflected: the general case */
    memmove(st->x + 1, st->x, (size_t)(n - 1) * sizeof(double));
    memmove(st->y + 1, st->y, (size_t)(n - 1) * sizeof(double));
  } else if (n == 2) { /* the feedback network; a resistive load is order 0 */
    st->x[1] = st->x[0];
    st->y[1] = st->y[0];
  }
  if (n > 0) {
    st->x[0] = x;
    st->y[0] = y;
  }
}

/* gs_iir_free_response, the orders met here unrolled. */
static inline double iir_free(const GsIirCoefs *c, const GsIirState *st) {
  switch (c->order) {
    case 0: return 0.0;
    case 1: return c->gain * c->b[1] * st->x[0] - c->a[1] * st->y[0];
    case 2:
      return c->gain * (c->b[1] * st->x[0] + c->b[2] * st->x[1]) - c->a[1] * st->y[0] -
             c->a[2] * st->y[1];
    default: return gs_iir_free_response(c, st);
  }
}

/* The state moves on from the solution vpp (df: f's slope there). */
GS_ALWAYS_INLINE void advance(GsPushPull *p, const Sample *sm, const Eval *ev, bool pp, double vpp,
                              double df, double fy, double sb) {
  p->vpp = vpp;
  p->sz_last = sm->sz;
  p->e0_last = sm->e0;
  p->df_last = df;
  /* the next sample's first guess steps from here along this
   * linearization: f's slopes by the input and by the coupling caps'
   * histories, whose moves are known now */
  p->die_last = p->zd_kd * (ev->ta + ev->tb) * ev->dvs_de;
  double ja = p->ja + 2.0 * p->gbr * (ev->vs - p->ja * p->inv_gc - ev->vga);
  double jb = pp ? p->jb + 2.0 * p->gbr * (-ev->vs - p->jb * p->inv_gc - ev->vgb) : p->jb;
  p->moved_j = p->zd_kd * p->inv_gc * (ev->tb * (jb - p->jb) - ev->ta * (ja - p->ja));
  p->ja = ja; /* j += 2 i, i the branch current */
  p->jb = jb;
  iir_push(&p->y, &p->yst, vpp, gs_iir_direct_gain(&p->y) * vpp + fy);
  double il = p->gl * vpp + p->hl, icp = p->gcp * vpp + p->hcp;
  p->hl = il + p->gl * vpp;
  p->hcp = -(icp + p->gcp * vpp);
  if (p->feedback) {
    double x = -p->tap_n * vpp;
    iir_push(&p->beta, &p->bst, x, p->bd * x + sb);
  }
  p->isum += ev->ia + ev->ib;
  if (--p->supply_left <= 0) supply_step(p, ev, pp);
}

/* One sample: volts at the inverter's input in, at the load out. */
GS_ALWAYS_INLINE double step(GsPushPull *p, bool pp, double vin) {
  if (p->bst.morph_left) gs_pp_morph_feedback(p);
  Sample sm;
  double fy = iir_free(&p->y, &p->yst);
  double sb = p->feedback ? iir_free(&p->beta, &p->bst) : 0.0;
  sm.sz = p->zd * (fy + p->hl + p->hcp);
  sm.kfb = p->feedback ? p->bd * p->tap_n : 0.0;
  sm.e0 = p->k_in * vin - sb;
  sm.ka = p->bias_g - p->gbr * p->ja * p->inv_gc;
  sm.kb = p->bias_g - p->gbr * p->jb * p->inv_gc;
  /* the first guess: the last solution moved by the inputs' change
   * through the last linearization (a Newton step on the old Jacobian),
   * plus what that missed by last time (the curvature it leaves out
   * changes slowly): one Newton step from there leaves the square of a
   * smaller miss */
  double moved = p->die_last * (sm.e0 - p->e0_last) + p->moved_j;
  double linear = p->vpp - (sm.sz - p->sz_last + moved) / p->df_last;
  double vpp = linear + p->missed;
  if (!isfinite(vpp)) vpp = linear = p->vpp;
  Eval ev;
  double df, f = eval(p, &sm, pp, vpp, &ev, &df), newton = f / df;
  if (settled(newton, vpp)) {
    vpp -= newton;
  } else if (!solve_on(p, &sm, pp, &vpp, f, &ev, &df)) {
    atomic_fetch_add_explicit(&p->failures, 1, memory_order_relaxed);
    gs_pp_reset(p);
    return 0.0;
  }
  p->missed = vpp - linear;
  advance(p, &sm, &ev, pp, vpp, df, fy, sb);
  return -vpp / p->n;
}

void GS_KERNEL(gs_pp_run)(GsPushPull *p, double *x, uint32_t n) {
  if (p->d.single_ended) {
    for (uint32_t k = 0; k < n; k++) x[k] = step(p, false, x[k]);
  } else {
    for (uint32_t k = 0; k < n; k++) x[k] = step(p, true, x[k]);
  }
}
