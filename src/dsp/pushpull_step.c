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
/* A Newton step this small (volts per volt of vpp) is the last: taken, and
 * the current fixed to first order (the error left ~ its square). 1e-3
 * rather than 3e-5 saves a third of an evaluation a step on the driven
 * rig and moves its 5 kHz THD by 2e-4 of itself, its alias by 0.004 dB. */
#define STEP_TOL 1e-3

#ifndef GS_KERNEL_FMA /* set up once, by the baseline build */
void gs_pp_prepare(GsPushPull *p) {
  const GsPushPullDesign *d = &p->d;
  const GsPentodeModel *m = d->tube;
  p->tab = gs_softplus_pow(m->ex);
  p->logistic = gs_softplus_pow(1.0);
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
}
#endif

/* ------------------------------------------------------------ the tubes */

/* Koren's pentode plate current with the screen voltage fixed for the
 * sample: Ip = (2/kg1) (vg2/kp)^ex h(kp/mu + kp vg1/vg2) atan(vp/kvb), h(w)
 * = ln(1 + e^w)^ex (koren.h's tables, ~3e-11; exact fast maths if no
 * table could be had). */
typedef struct {
  const GsSoftplusPow *t;
  const GsPentodeModel *m;
  double scale, c0, c1, inv_kvb;
} Plate;

#ifndef GS_KERNEL_FMA
void gs_pp_supply_moved(GsPushPull *p) {
  const GsPentodeModel *m = p->d.tube;
  double v = p->vb > 1e-3 ? p->vb : 1e-3;
  p->pl_scale = 2.0 / m->kg1 * (p->tab ? gs_spx_pow(p->tab, v / m->kp) : gs_pow(v / m->kp, m->ex));
  p->pl_c1 = m->kp / v;
}
#endif

static inline Plate plate_at(const GsPushPull *p) {
  const GsPentodeModel *m = p->d.tube;
  Plate pl = {p->tab, m, p->pl_scale, p->pl_c0, p->pl_c1, p->inv_kvb};
  return pl;
}

/* The same by fast maths alone. */
static double plate_exact(const Plate *pl, double vg1, double vp, double *d_g1, double *d_p) {
  double sig, sp = gs_softplus(pl->c0 + pl->c1 * vg1, &sig);
  double k = sp > 1e-300 ? pl->scale * gs_exp(pl->m->ex * gs_log(sp)) : 0.0;
  double x = vp * pl->inv_kvb, at = gs_atan(x), ip = k * at;
  *d_g1 = sp > 1e-300 ? ip * pl->m->ex * sig * pl->c1 / sp : 0.0;
  *d_p = k * pl->inv_kvb / (1.0 + x * x);
  return ip;
}

/* Plate current and its slopes by vg1 and vp; none below 0 V. */
static inline double plate(const Plate *pl, double vg1, double vp, double *d_g1, double *d_p) {
  if (!(vp > 0.0)) {
    *d_g1 = *d_p = 0.0;
    return 0.0;
  }
  if (!pl->t) return plate_exact(pl, vg1, vp, d_g1, d_p);
  double dh, h = gs_spx(pl->t, pl->c0 + pl->c1 * vg1, &dh);
  double x = vp * pl->inv_kvb, at = gs_spx_atan(pl->t, x), k = pl->scale * h;
  *d_g1 = pl->scale * dh * pl->c1 * at;
  *d_p = k * pl->inv_kvb / (1.0 + x * x);
  return k * at;
}

/* tanh(u) = 2 / (1 + e^-2u) - 1, the logistic by its table (absolute
 * error ~5e-11), else by one exponential. */
static inline double inverter_tanh(const GsPushPull *p, double u) {
  if (p->logistic) return 2.0 * gs_spx_slope(p->logistic, 2.0 * u) - 1.0;
  double e = gs_exp(-2.0 * (u < 0.0 ? -u : u)), t = (1.0 - e) / (1.0 + e);
  return u < 0.0 ? -t : t;
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

/* What holds still while vpp is solved for. */
typedef struct {
  Plate pl;
  double e0, kfb, sz, ka, kb;
} Sample;

typedef struct {
  double id, did;  /* id and its slope */
  double die;      /* id's slope by the inverter's input */
  double dja, djb; /* and by the coupling caps' histories */
  double vs, vga, vgb, ia, ib;
} Eval;

/* f(vpp) = vpp + zd id(vpp) + sz, increasing; df its slope. With the
 * tubes' difference current id = (ia - ib) / 2 (push-pull; ia alone
 * single-ended) through the primary node's impedance zd. */
static double eval(const GsPushPull *p, const Sample *sm, double vpp, Eval *ev, double *df) {
  const GsPushPullDesign *d = &p->d;
  double sw = d->pi_swing, g = 0.5 * d->pi_gain;
  double t = inverter_tanh(p, p->g_sw * (sm->e0 + sm->kfb * vpp));
  double dvs_de = g * (1.0 - t * t), dvs = dvs_de * sm->kfb;
  double dga, dgb, ga, pa;
  ev->vs = sw * t;
  ev->vga = grid(p, ev->vs, sm->ka, &dga);
  ev->ia = plate(&sm->pl, ev->vga, p->vb + p->kpl * vpp, &ga, &pa);
  double id = ev->ia, did = ga * dga * dvs + p->kpl * pa, die = ga * dga * dvs_de;
  double dja = -ga * dga * p->inv_gc, djb = 0.0; /* dvg/dj = -(dvg/dvs) / gc */
  ev->ib = 0.0;
  if (!d->single_ended) {
    double gb, pb;
    ev->vgb = grid(p, -ev->vs, sm->kb, &dgb);
    ev->ib = plate(&sm->pl, ev->vgb, p->vb - 0.5 * vpp, &gb, &pb);
    id = 0.5 * (id - ev->ib);
    did = 0.5 * (did + gb * dgb * dvs + 0.5 * pb);
    die = 0.5 * (die + gb * dgb * dvs_de);
    dja *= 0.5;
    djb = 0.5 * gb * dgb * p->inv_gc;
  }
  ev->dja = d->parallel * dja;
  ev->djb = d->parallel * djb;
  ev->id = d->parallel * id;
  ev->did = d->parallel * did;
  ev->die = d->parallel * die;
  *df = 1.0 + p->zd * ev->did;
  return vpp + p->zd * ev->id + sm->sz;
}

/* Newton's method on the monotone f, guarded by the bracket it builds. */
static bool solve(const GsPushPull *p, const Sample *sm, double *vpp, Eval *ev) {
  double x = *vpp, lo = -INFINITY, hi = INFINITY;
  for (int it = 0; it < MAX_ITER; it++) {
    double df, f = eval(p, sm, x, ev, &df);
    if (!isfinite(f)) return false;
    if (f > 0.0) {
      hi = x;
    } else {
      lo = x;
    }
    double step = f / df, next = x - step;
    if (fabs(step) < STEP_TOL * (1.0 + fabs(x))) {
      ev->id -= ev->did * step;
      *vpp = next;
      return true;
    }
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    x = next;
  }
  return false;
}

/* x^ex by the table, else by fast maths; 0 for x <= 0. */
static inline double power(const GsPushPull *p, double x) {
  if (!(x > 0.0)) return 0.0;
  return p->tab ? gs_spx_pow(p->tab, x) : gs_pow(x, p->d.tube->ex);
}

/* What the output tubes draw from the supply: the plates' mean over the
 * supply's last samples and the screens now. */
static double supply_current(const GsPushPull *p, const Eval *ev) {
  double base = p->vb / p->d.tube->mu, i = p->isum / p->supply_every;
  i += power(p, base + ev->vga) * p->inv_kg2;
  if (!p->d.single_ended) i += power(p, base + ev->vgb) * p->inv_kg2;
  return p->d.parallel * i;
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

/* The state moves on from the solution vpp. */
static void advance(GsPushPull *p, const Sample *sm, const Eval *ev, double vpp, double fy,
                    double sb) {
  p->vpp = vpp;
  p->sz_last = sm->sz;
  p->e0_last = sm->e0;
  p->die_last = ev->die;
  p->dja_last = ev->dja;
  p->djb_last = ev->djb;
  p->ja_last = p->ja;
  p->jb_last = p->jb;
  p->df_last = 1.0 + p->zd * ev->did;
  iir_push(&p->y, &p->yst, vpp, gs_iir_direct_gain(&p->y) * vpp + fy);
  double il = p->gl * vpp + p->hl, icp = p->gcp * vpp + p->hcp;
  p->hl = il + p->gl * vpp;
  p->hcp = -(icp + p->gcp * vpp);
  if (p->feedback) {
    double x = -p->tap_n * vpp;
    iir_push(&p->beta, &p->bst, x, p->bd * x + sb);
  }
  /* the coupling caps' histories: j += 2 i, i the branch current */
  double emf_a = ev->vs - p->ja * p->inv_gc, emf_b = -ev->vs - p->jb * p->inv_gc;
  p->ja += 2.0 * p->gbr * (emf_a - ev->vga);
  if (!p->d.single_ended) p->jb += 2.0 * p->gbr * (emf_b - ev->vgb);
  p->isum += ev->ia + ev->ib;
  if (--p->supply_left > 0) return;
  double vinf = p->vraw - p->d.rsag * supply_current(p, ev);
  p->vb = vinf + (p->vb - vinf) * p->decay_n;
  p->supply_left = p->supply_every;
  p->isum = 0.0;
  gs_pp_supply_moved(p);
}

double GS_KERNEL(gs_pp_step)(GsPushPull *p, double vin) {
  if (p->bst.morph_left) gs_pp_morph_feedback(p);
  Sample sm;
  double fy = iir_free(&p->y, &p->yst);
  double sb = p->feedback ? iir_free(&p->beta, &p->bst) : 0.0;
  sm.sz = p->zd * (fy + p->hl + p->hcp);
  sm.kfb = p->feedback ? p->bd * p->tap_n : 0.0;
  sm.e0 = p->k_in * vin - sb;
  sm.ka = p->bias_g - p->gbr * p->ja * p->inv_gc;
  sm.kb = p->bias_g - p->gbr * p->jb * p->inv_gc;
  sm.pl = plate_at(p);
  /* the first guess: the last solution moved by the inputs' change
   * through the last linearization (a Newton step on the old Jacobian) */
  double moved = p->die_last * (sm.e0 - p->e0_last) + p->dja_last * (p->ja - p->ja_last) +
                 p->djb_last * (p->jb - p->jb_last);
  double vpp = p->vpp - (sm.sz - p->sz_last + p->zd * moved) / p->df_last;
  if (!isfinite(vpp)) vpp = p->vpp;
  Eval ev;
  if (!solve(p, &sm, &vpp, &ev)) {
    p->failures++;
    gs_pp_reset(p);
    return 0.0;
  }
  advance(p, &sm, &ev, vpp, fy, sb);
  return -vpp / p->n;
}
