/* The push-pull output section's per-sample part (pushpull.h): one unknown,
 * the plate-to-plate voltage vpp, solved by Newton's method guarded by
 * bisection; the tubes' currents by tables (Koren's pentode factored as
 * scale(vg2) h(w) atan(vp / kvb), each factor a function of one
 * variable). The two sides of the pair do the same arithmetic on their
 * own data: they are the two lanes of a vector (GCC's vector extension,
 * which clang shares), lane 0 tube a, lane 1 tube b; single-ended, lane b
 * is held cut off. Everything but gs_pp_prepare runs on the audio thread. */
#include <math.h>
#include <string.h>

#include "dsp/fastmath.h"
#include "dsp/kernel.h"
#include "dsp/pushpull.h"
#include "dsp/pushpull_lanes.h"

#if !defined(__GNUC__)
#error "pushpull_step.c needs GCC's vector extension (GCC or clang)"
#endif

#define MAX_ITER 40
/* A Newton step this small (volts per volt of vpp) is the last: taken
 * without evaluating again (the error left ~ its square). 1e-3
 * rather than 3e-5 saves a third of an evaluation a step on the driven
 * rig and moves its 5 kHz THD by 2e-4 of itself, its alias by 0.004 dB. */
#define STEP_TOL 1e-3

#define NOINLINE __attribute__((noinline))

/* GCC's straight-line vectorizer packs scalars that are stored side by
 * side (an evaluation's f, df, t, dt) into a 256-bit register as they are
 * made, at a cost where that happens in a loop */
#if !defined(__clang__)
#define NO_SLP __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define NO_SLP
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
  p->two_kg1 = 2.0 / m->kg1;
  p->inv_kp = 1.0 / m->kp;
  p->kp_hs = m->kp * GS_PPT_HS;
  /* the supply's drop per unit of the plates' current summed over its
   * step, over pl_scale, and per unit of the screens' w^ex: (vg2/kp)^ex
   * = pl_scale kg1 / 2 */
  p->i_plate = d->rsag * d->parallel / p->supply_every;
  p->i_screen = d->rsag * d->parallel * 0.5 * m->kg1 / m->kg2;
  p->tap_n = p->tapk / p->n;
  p->zd_kd = p->zd * d->parallel * (d->single_ended ? 1.0 : 0.5);
  /* f's slopes by the inverter's output and by the plates, over
   * pl_scale (and qh1) */
  p->c_g = p->zd_kd * p->gbr * d->pi_swing;
  p->c_p = p->zd_kd * GS_PPT_AN * p->inv_kvb * p->kpl;
}
#endif

/* The plate constants for the supply voltage vb now: (vb/kp)^ex from the
 * screens' table of w^ex (pushpull.h) at w = vb/kp, through three of its
 * knots (Newton's forward differences to second order: the linear
 * interpolant's error, ex (ex - 1) / 8 (1/64 / w)^2, 3e-6 at the EL84's
 * w of 2.4, moved its single-ended output by -108 dB; this one's is of
 * the third order, under 1e-8 for w above 1), koren.h's x^ex beyond it. */
static inline void supply_moved(GsPushPull *p) {
  double v = p->vb > 1e-3 ? p->vb : 1e-3, w = v * p->inv_kp, q = (w - GS_PPT_HLO) * GS_PPT_HS;
  double pw;
  if (q < GS_PPT_HN - 1) {
    const double *at = p->lut->sg[0], *rise = p->lut->sg[1];
    int64_t k = (int64_t)q;
    double u = q - (double)k;
    pw = at[k] + u * (rise[k] + 0.5 * (u - 1.0) * (rise[k + 1] - rise[k]));
  } else {
    pw = gs_spx_pow(p->tab, w);
  }
  p->pl_scale = p->two_kg1 * pw;
  p->qh1 = p->kp_hs / v;
}

#ifndef GS_KERNEL_FMA
void gs_pp_supply_moved(GsPushPull *p) {
  supply_moved(p);
}
#endif

/* ----------------------------------------------------------- constants */

/* What an evaluation and the state's update need, fixed through a block
 * but for what moves with the supply (s) and the feedback network (f);
 * a pair where it meets the lanes. */
typedef struct {
  const GsPpTables *t;
  const GsSoftplusPow *tab;
  double gt, t0;     /* tanh's position per volt of its input, and at 0 */
  double qt1;        /* and per volt of vpp, by the feedback (f) */
  Pair gsw;          /* each grid node's drive per unit of tanh */
  Pair inv0, inv1;   /* the node's resistance, cut off and conducting */
  Pair qh0, qh1;     /* h's position at the grid: qh0 + qh1 vg (s) */
  Pair qi0, qi1;     /* qh1 inv0, qh1 inv1 (s) */
  Pair vb, kpl;      /* the plates: vb + kpl vpp (s) */
  Pair ikvb;         /* 1 / kvb */
  double zks;        /* f's volts per unit of h a, a's less b's (s) */
  double cgq, cg;    /* f's slope by tanh per unit of (rh a inv) dt, and by vpp (s, f) */
  double cge, cp;    /* the same by the input; by the plates per unit of h ra r^2 (s) */
  Pair bias_g, gi;   /* the grids' drives: bias_g - gi j */
  Pair c1, c2sw, c2; /* the caps' histories: j' = c1 j + c2sw tanh - c2 vg */
  double zd, out, k_in, ydirect; /* out: volts at the load per volt of vpp */
  Pair bxy[GS_PP_BETA_MAX];      /* the feedback network: each step back's b, -a (f) */
  Pair gh;                       /* the windings' histories' (p->hz) steps by vpp */
  Pair xyv;                      /* the feedback network's input and output by vpp (f) */
  double kfb, gkfb; /* the free response's step by the last vpp through xy0, and gt times it (f) */
} Consts;

/* The feedback network's part. */
static inline void consts_feedback(Consts *k, const GsPushPull *p) {
  const GsIirCoefs *c = &p->beta;
  bool on = p->feedback; /* else no free response and no drive */
  for (int j = 0; j < GS_PP_BETA_MAX; j++) {
    bool in = on && c->order > j;
    k->bxy[j] = in ? (Pair){c->gain * c->b[j + 1], -c->a[j + 1]} : pair(0.0);
  }
  double bd = on ? p->bd : 0.0;
  k->xyv = (Pair){1.0, bd} * -p->tap_n; /* x = -tap_n vpp, y = bd x + its free response */
  k->kfb = k->bxy[0][0] * k->xyv[0] + k->bxy[0][1] * k->xyv[1];
  k->gkfb = k->gt * k->kfb;
  k->qt1 = k->gt * bd * p->tap_n;
  k->cg = k->cgq * k->qt1;
}

/* The supply's part (after the feedback's). */
static inline void consts_supply(Consts *k, const GsPushPull *p) {
  k->qh1 = pair(p->qh1);
  k->qi0 = k->qh1 * k->inv0;
  k->qi1 = k->qh1 * k->inv1;
  k->vb = (Pair){p->vb, p->d.single_ended ? -1.0 : p->vb}; /* b: never on */
  k->zks = p->zd_kd * p->pl_scale;
  k->cgq = p->c_g * p->pl_scale * p->qh1;
  k->cg = k->cgq * k->qt1;
  k->cge = k->cgq * k->gt;
  k->cp = p->c_p * p->pl_scale;
}

static NOINLINE Consts consts(const GsPushPull *p) {
  const GsPushPullDesign *d = &p->d;
  double se = d->single_ended ? 0.0 : -1.0; /* lane b's sign */
  Consts k;
  k.t = p->lut;
  k.tab = p->tab;
  k.gt = p->g_sw * GS_PPT_TS;
  k.t0 = GS_PPT_TR * GS_PPT_TS;
  k.gsw = (Pair){1.0, se} * (p->gbr * d->pi_swing);
  k.inv0 = pair(p->inv_den0);
  k.inv1 = pair(p->inv_den1);
  k.qh0 = pair(p->qh0);
  k.kpl = (Pair){1.0, se} * p->kpl;
  k.ikvb = pair(p->inv_kvb);
  k.bias_g = pair(p->bias_g);
  k.gi = pair(p->gbr * p->inv_gc);
  k.c1 = pair(1.0 - 2.0 * p->gbr * p->inv_gc);
  k.c2 = pair(2.0 * p->gbr);
  k.c2sw = (Pair){1.0, se} * (2.0 * p->gbr * d->pi_swing);
  k.zd = p->zd;
  k.gh = (Pair){p->gl - p->gcp, p->gl + p->gcp} * (2.0 * p->zd);
  k.out = -1.0 / p->n;
  k.k_in = p->k_in;
  k.ydirect = gs_iir_direct_gain(&p->y);
  k.cgq = 0.0;
  consts_feedback(&k, p);
  consts_supply(&k, p);
  return k;
}

/* ------------------------------------------------------------ the tubes */

/* What holds still while vpp is solved for. */
typedef struct {
  double qt0; /* tanh's position at vpp = 0: the input less the feedback's free response */
  double sz;  /* f's offset: the primary node's free response */
  Pair kg;    /* the grids' drives: the bias feed and the caps' histories */
} Sample;

/* One evaluation at vpp. */
typedef struct {
  double f, df; /* f(vpp) and its slope */
  double t, dt; /* the inverter's tanh and its rise per interval */
  Pair vg;      /* the grids */
  Pair i;       /* h a: the plate currents over pl_scale */
  Pair g;       /* rh a inv: their slopes by the grids' drives over qh1 */
} Eval;

/* h beyond its table (w > 24: a grid far above cutoff, which no working
 * amplifier reaches) by koren.h's, lane by lane. */
static NOINLINE Pair h_beyond(const Consts *k, Pair q, Pair *rise) {
  Pair h;
  for (int l = 0; l < 2; l++) {
    if (q[l] < GS_PPT_HN) {
      double r;
      h[l] = lut(k->t->h[0], k->t->h[1], q[l], &r);
      (*rise)[l] = r;
    } else {
      double dh;
      h[l] = gs_spx(k->tab, GS_PPT_HLO + q[l] / GS_PPT_HS, &dh);
      (*rise)[l] = dh / GS_PPT_HS;
    }
  }
  return h;
}

/* f(vpp) = vpp + zd kd (ia - ib) + sz, increasing, and its slope: the
 * inverter (tanh by the table, its ends held beyond |u| = 8, where tanh
 * is within 2e-7 of them); each grid fed from it through the coupling cap,
 * the bias feed, and conducting through the stopper above 0 V (closed
 * form, piecewise linear: a smooth conduction law was tried and moved
 * aliasing by 2 dB at 4x, the plate and inverter limits dominate); each
 * plate's current pl_scale h(vg) atan(vp / kvb), none below 0 V nor below
 * w = -30 (h < 1e-17). */
GS_ALWAYS_INLINE Eval eval(const Consts *k, const Sample *s, double v) {
  Eval e;
  double qt = s->qt0 + k->qt1 * v;
  qt = smax(smin(qt, TQ_MAX), 0.0); /* NaN: the top end */
  e.t = lut(k->t->th[0], k->t->th[1], qt, &e.dt);
  Pair num = k->gsw * e.t + s->kg;
  Mask up = num > 0.0; /* the grid conducts */
  Pair inv = pchoose(up, k->inv0, k->inv1);
  e.vg = num * inv;
  /* h's position from num by qh1 inv at once: vg is not on its path */
  Pair q = k->qh0 + pchoose(up, k->qi0, k->qi1) * num, vp = k->vb + k->kpl * v;
  Mask on = (q > 0.0) & (vp > 0.0); /* NaN reads as cut off */
  q = pmax(q, pair(0.0));
  Pair rh, h;
  if (neither(q >= GS_PPT_HN)) {
    h = lut2(k->t->h[0], k->t->h[1], q, &rh);
  } else {
    h = h_beyond(k, q, &rh);
  }
  Pair r = 1.0 / (1.0 + pmax(vp, pair(0.0)) * k->ikvb), ra;
  Pair a = lut2(k->t->at[0], k->t->at[1], pmin(GS_PPT_AN - GS_PPT_AN * r, pair(AQ_MAX)), &ra);
  /* products grouped so that what is known early is multiplied early: h
   * and rh come last, h after rh (and so the lanes cut off are cleared in
   * the arctangent's factors, and f's slope's 1 is added half in each
   * lane) */
  a = pkeep(on, a);
  Pair ar = pkeep(on, ra * (k->cp * (r * r)));
  e.i = h * a;
  e.g = (a * inv) * rh;
  Pair d = h * ar + ((k->cg * e.dt) * e.g + 0.5);
  e.f = v + s->sz + k->zks * (e.i[0] - e.i[1]);
  e.df = d[0] + d[1];
  return e;
}

/* --------------------------------------------------------------- solving */

/* A Newton step this small from x is the last. */
static inline bool settled(double step, double x) {
  return fabs(step) - STEP_TOL * fabs(x) < STEP_TOL; /* (one multiply-add) */
}

/* Newton's method on the monotone f, guarded by the bracket it builds:
 * a step that leaves the bracket, or that did not halve |f| since the
 * last (Newton circling a kink from both sides, as with 30 dB of feedback
 * and the grids conducting), bisects it instead. It goes on after two
 * plain Newton steps (run's and solve_more's: most samples settle after
 * the first, most of the rest after the second; these go on out of their
 * way): from the first guess x0, where f was f0, to x, where f's value
 * and slope were f and df and the step did not settle; or from the last
 * solution last_v if f was not finite at x0. True with *v the solution
 * and *e the last evaluation, before the last step. */
static NOINLINE NO_SLP bool solve_on(const Consts *k, const Sample *sp, double x0, double f0,
                                     double x, double f, double df, double last_v, double *v,
                                     Eval *e) {
  Sample s = *sp;
  Eval el = {.f = f, .df = df}; /* (evaluated again before any return) */
  double lo = -INFINITY, hi = INFINITY, last = INFINITY;
  if (!isfinite(f0)) {
    x = last_v;
    el = eval(k, &s, x);
  } else { /* the bracket and the last |f| as the first step left them */
    if (f0 > 0.0) {
      hi = x0;
    } else {
      lo = x0;
    }
    last = fabs(f0);
  }
  for (int it = 0; it < MAX_ITER; it++) {
    if (it > 0) el = eval(k, &s, x);
    if (!isfinite(el.f)) return false;
    if (el.f > 0.0) {
      hi = x;
    } else {
      lo = x;
    }
    double step = el.f / el.df, next = x - step;
    if (settled(step, x)) {
      *v = next;
      *e = el;
      return true;
    }
    bool bracketed = lo > -INFINITY && hi < INFINITY;
    if (!(next > lo && next < hi) || (bracketed && fabs(el.f) > 0.5 * last)) {
      next = 0.5 * (lo + hi);
    }
    last = fabs(el.f);
    x = next;
  }
  return false;
}

/* A sample whose first Newton step, from g (f there f0) to *v, did not
 * settle: a second plain step, as solve_on's first would be (the bracket
 * it would build holds it: f's slope is at least 1), then the guarded
 * iteration from there. Out of the fast path's way, as solve_on. False if
 * it failed; else *v the solution and *e the last evaluation. */
static NOINLINE NO_SLP bool solve_more(const Consts *k, const Sample *s, double g, double f0,
                                       double last_v, double *v, Eval *e) {
  Eval e1 = eval(k, s, *v);
  double step = e1.f / e1.df;
  if (settled(step, *v)) {
    *v -= step;
    *e = e1;
    return true;
  }
  return solve_on(k, s, g, f0, *v, e1.f, e1.df, last_v, v, e);
}

/* ------------------------------------------------------------- the state */

/* The state a block carries in registers (p's between blocks). */
typedef struct {
  double v;           /* the last solution */
  Pair h;             /* the windings' histories (p->hz), before v's step */
  Pair xy0, xy1, xy2; /* the feedback network's history, x and y each step back */
  double z;           /* xy0's part of its next free response but for v's (p->fb_z) */
  Pair j, isum;       /* the caps' histories; the plates' current since the supply moved */
  int left;           /* samples until the supply moves */
  /* the last sample's linearization (1 / f's slope, f's slope by the
   * input), its f offset and input, its first guess less the miss */
  double idf, fe, sz, e0, lin;
} State;

GS_ALWAYS_INLINE State state_load(const GsPushPull *p) {
  State st = {.v = p->vpp, .h = {p->hz[0], p->hz[1]}, .left = p->supply_left};
  const double *bx = p->bst.x, *by = p->bst.y;
  st.xy0 = (Pair){bx[0], by[0]}, st.xy1 = (Pair){bx[1], by[1]}, st.xy2 = (Pair){bx[2], by[2]};
  st.z = p->fb_z;
  memcpy(&st.j, p->j, sizeof st.j);
  memcpy(&st.isum, p->isum, sizeof st.isum);
  st.idf = p->idf_last, st.fe = p->fe_last, st.sz = p->sz_last, st.e0 = p->e0_last;
  st.lin = p->lin_last;
  return st;
}

GS_ALWAYS_INLINE void state_save(GsPushPull *p, const State *st) {
  p->vpp = st->v, p->hz[0] = st->h[0], p->hz[1] = st->h[1], p->supply_left = st->left;
  double *bx = p->bst.x, *by = p->bst.y;
  bx[0] = st->xy0[0], bx[1] = st->xy1[0], bx[2] = st->xy2[0];
  by[0] = st->xy0[1], by[1] = st->xy1[1], by[2] = st->xy2[1];
  p->fb_z = st->z;
  memcpy(p->j, &st->j, sizeof st->j);
  memcpy(p->isum, &st->isum, sizeof st->isum);
  p->idf_last = st->idf, p->fe_last = st->fe, p->sz_last = st->sz, p->e0_last = st->e0;
  p->lin_last = st->lin;
}

#ifndef GS_KERNEL_FMA
/* The feedback network's history or coefficients moved outside a block:
 * the part of its next free response that the loop carries (State's z),
 * from the history as it is now. [main] or between blocks */
void gs_pp_history_moved(GsPushPull *p) {
  Consts k = consts(p);
  State st = state_load(p);
  Pair b0 = k.bxy[0] * st.xy0;
  st.z = b0[0] + b0[1] - k.kfb * st.v;
  state_save(p, &st);
}
#endif

/* The supply moves on, once every supply_every samples: toward what the
 * plates drew on average since and the screens draw now (at the grids
 * vg), by its RC exactly. */
static NOINLINE NO_SLP void supply_step(GsPushPull *p, Consts *k, Pair isum, Pair vg) {
  Pair q = pmax(k->qh0 + k->qh1 * vg, pair(0.0)), rise, sg; /* h's positions: w */
  if (neither(q >= GS_PPT_HN)) {
    sg = lut2(k->t->sg[0], k->t->sg[1], q, &rise);
  } else { /* w > 24: no working amplifier's grid */
    for (int l = 0; l < 2; l++) sg[l] = gs_spx_pow(p->tab, GS_PPT_HLO + q[l] / GS_PPT_HS);
  }
  double screens = p->d.single_ended ? sg[0] : sg[0] + sg[1];
  double vinf = p->vraw - p->pl_scale * (p->i_plate * (isum[0] + isum[1]) + p->i_screen * screens);
  p->vb = vinf + (p->vb - vinf) * p->decay_n;
  supply_moved(p);
  consts_supply(k, p);
}

/* What a sample starts from: the solver's Sample, the first guess g and
 * it less the last miss (lin), and for advance the input e0 and the
 * feedback network's and the load's free responses. */
typedef struct {
  Sample s;
  double g, lin, e0, sb, fy;
} Start;

/* The sample's f offset (the windings' and the load's free responses) and
 * input x (less the feedback network's free response), and the first
 * guess: the last solution moved by their change through the last
 * linearization (a Newton step on the old Jacobian), plus what that
 * missed by last time (the curvature it leaves out changes slowly): one
 * Newton step from there leaves the square of a smaller miss. Everything
 * here but morph and load (yo) samples is written as what was known
 * before the last solution plus its multiple of it (szf + gh[0] lv, r -
 * kfb lv, ...): a sample waits for the last one through a multiply-add,
 * not a chain of them. The windings' histories take lv's step. */
GS_ALWAYS_INLINE Start begin(GsPushPull *p, const Consts *c, State *st, double x, bool morph,
                             int yo) {
  Start b;
  b.fy = 0.0;
  const double lv = st->v, szf = st->h[1], missed = lv - st->lin;
  st->h = (Pair){st->h[1], st->h[0]} + c->gh * lv;
  double sz = st->h[0];
  if (yo) {
    b.fy = gs_iir_free_response(&p->y, &p->yst);
    sz += c->zd * b.fy;
  }
  Pair older = c->bxy[2] * st->xy2 + c->bxy[1] * st->xy1;
  double sbf = older[0] + older[1] + st->z;
  double r = c->k_in * x - sbf; /* the input less the free response but for lv's part */
  if (morph) {                  /* the coefficients moved: the whole history, as it is */
    Pair sbs = older + c->bxy[0] * st->xy0;
    b.sb = sbs[0] + sbs[1];
    b.e0 = c->k_in * x - b.sb;
    b.s.qt0 = c->gt * b.e0 + c->t0;
  } else {
    b.sb = sbf + c->kfb * lv;
    b.e0 = r - c->kfb * lv;
    b.s.qt0 = c->gt * r + c->t0 - c->gkfb * lv;
  }
  if (yo || morph) {
    b.g = lv + missed + st->idf * ((st->sz - sz) + (st->e0 - b.e0) * st->fe);
  } else {
    double c2 = c->kfb * st->fe - c->gh[0], cst = (st->sz - szf) + (st->e0 - r) * st->fe;
    b.g = lv * (2.0 + st->idf * c2) + (st->idf * cst - st->lin);
  }
  b.lin = b.g - missed;
  b.s.sz = sz;
  b.s.kg = c->bias_g - c->gi * st->j;
  return b;
}

/* The state moves on from the solution v (e: the last evaluation, idf 1
 * over its slope; b what the sample started from, with its first guess
 * less the miss); the windings' histories take v's step at the next
 * sample's start. */
GS_ALWAYS_INLINE void advance(GsPushPull *p, const Consts *k, State *st, const Start *b,
                              const Eval *e, double v, double idf, int yo) {
  st->v = v;
  st->j = k->c1 * st->j + k->c2sw * e->t - k->c2 * e->vg; /* j += 2 i, i the branch's */
  /* the next sample's first guess steps from here along this
   * linearization: f's slopes by vpp and by the input (fe). (f's move by
   * the caps' histories, known here too, is left out: it changed the
   * evaluations a sample by 4e-4.) */
  st->fe = k->cge * e->dt * (e->g[0] + e->g[1]);
  st->idf = idf;
  st->sz = b->s.sz, st->e0 = b->e0, st->lin = b->lin;
  if (yo) {
    gs_iir_push(p->yst.x, yo, v);
    gs_iir_push(p->yst.y, yo, k->ydirect * v + b->fy);
  }
  st->xy2 = st->xy1;
  st->xy1 = st->xy0;
  st->xy0 = k->xyv * v + (Pair){0.0, b->sb};
  st->z = k->bxy[0][1] * b->sb;
  st->isum += e->i;
}

/* ---------------------------------------------------------------- a block */

/* n samples (gs_pp_run's). general: the load has a history (a
 * speaker's curve) or the feedback network is morphing; else the loop
 * looks for neither (a morph does not start within a block). */
GS_ALWAYS_INLINE void run(GsPushPull *p, double *x, uint32_t n, bool general) {
  Consts k = consts(p);
  State st = state_load(p);
  const int yo = general ? p->y.order : 0;
  for (uint32_t i = 0; i < n; i++) {
    /* k through a pointer the compiler cannot follow: it reads each
     * constant where it is used instead of holding a dozen of them in
     * registers across samples and spilling the state for them */
    const Consts *c = &k;
    __asm__("" : "+r"(c));
    const bool morph = general && p->bst.morph_left;
    if (morph) {
      gs_pp_morph_feedback(p);
      consts_feedback(&k, p);
    }
    Start b = begin(p, c, &st, x[i], morph, yo);
    double g = b.g;
    Eval e = eval(c, &b.s, g);
    /* (1 / f' first, which the next guess needs: the step by a multiply) */
    double idf = 1.0 / e.df, step = e.f * idf, v = g - step;
    if (__builtin_expect(!settled(step, g), 0)) { /* (a fifth of them: laid out apart) */
      Sample s2 = b.s; /* (copies: the fast path keeps its own in registers) */
      Eval e2;
      double v2 = v;
      if (!solve_more(c, &s2, g, e.f, st.v, &v2, &e2)) { /* from rest */
        atomic_fetch_add_explicit(&p->failures, 1, memory_order_relaxed);
        gs_pp_reset(p);
        k = consts(p);
        st = state_load(p);
        x[i] = 0.0;
        continue;
      }
      v = v2;
      e = e2;
      idf = 1.0 / e.df;
      if (!isfinite(b.lin)) b.lin = st.v;
    }
    advance(p, c, &st, &b, &e, v, idf, yo);
    if (--st.left <= 0) {
      supply_step(p, &k, st.isum, e.vg);
      st.isum = pair(0.0);
      st.left = p->supply_every;
    }
    x[i] = v * c->out;
  }
  state_save(p, &st);
}

NO_SLP void GS_KERNEL(gs_pp_run)(GsPushPull *p, double *x, uint32_t n) {
  if (p->y.order || p->bst.morph_left) {
    run(p, x, n, true);
  } else {
    run(p, x, n, false);
  }
}
