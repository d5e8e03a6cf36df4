/* The K path of the DK solver's per-sample part (dk.h, dk_k.h): the
 * solves through the tables (dk_klookup.h) for one triode (kmode 1) and
 * two in cascade (kmode 2); three and four are dk_k3step.c's. Built
 * twice like dk_step.c (kernel.h); gs_dk_run calls it while k_live.
 * [audio] */
#include "dsp/dk_klookup.h"

#if defined(__GNUC__)

/* Two triode stages in cascade by the K method (dk_k.h): the F pattern of
 * the tube preamp's netlist, ports (g1, p1, g2, p2), where stage 1's
 * ports and stage 2's plate see each other only through F[p1][g2],
 * F[g2][p1] (the coupling capacitor and the gain pot) and F[g2][p2],
 * F[p2][g2] (stage 2's cathode). The unknown is stage 2's grid port
 * voltage vg: its grid current ig2 = grid(vg) moves stage 1's plate p by
 * F[p1][g2] ig2 (stage 1 by its table at q = (p_g1, p_p1 + F[p1][g2]
 * ig2)), and vg = p_g2 + F[g2][p1] ip1 + F[g2][g2] ig2 + F[g2][p2] ip2
 * (stage 2's plate current by its table at (vg, p_p2 + F[p2][g2] ig2)).
 *
 * Stage 1's table is linear along q_p within a cell: looked up once at the
 * last sample's ig2, it is exact for any ig2 that keeps q_p in that cell
 * (looked up again where one leaves it). Newton's method on the residual
 * r(vg) = (the right side) - vg, whose slope is <= -1, from the guess the
 * last sample's solution and slope give, steps until one is small
 * (K_TOL_FAR volts where the grid diode is more than K_FAR knees below its
 * bend on both ends of the step: its current is 0 there and r is nearly
 * linear, else K_TOL), then the currents are corrected to first order
 * along it. If that fails (a table left by a step, no convergence in
 * K_FAST_IT), again from where the diode as a straight line max(0, vg) /
 * rgi would put vg (kcas_safe): the solution lies below it, and Newton's
 * steps on this concave residual close in on it from above. The cross
 * entries of F are read as they are (a pot's glide moves them). False,
 * with nothing changed, if that fails too: Newton's path then. */
#define K_FAST_IT 4
#define K_MAX_IT 12
#define K_TOL 1e-6

typedef struct {
  const GsKTab *t1, *t2;
  const GsDkTube *e2;
  Quad p, fg2; /* p; F's g2 column (F[g1][g2], F[p1][g2], F[g2][g2], F[p2][g2]) */
  double f_g2p1, f_g2p2;
} KCas;

/* The solve's state: stage 1 at ig2 = s1 (o1, in cell jy1), vg's part
 * a(ig2) = c + dads ig2; the last step's ig2, slope, dv, dr/dvg, stage 2. */
typedef struct {
  Quad o1;
  unsigned jy1;
  double ip2, dip2_dvg, dip2_dy; /* stage 2 */
  double s1, c, dads, ig2, dig2, dv, drdv, vg;
} KSolve;

UNROLLED bool k_stage1(const KCas *k, KSolve *q, double s1) {
  if (!k2(k->t1, k->p[0], k->p[1] + k->fg2[1] * s1, &q->o1, &q->jy1)) return false;
  double g = k->f_g2p1 * q->o1[3] * k->fg2[1]; /* F[g2][p1] dip1/dig2 */
  q->s1 = s1;
  q->dads = k->fg2[2] + g;
  q->c = k->p[2] + k->f_g2p1 * q->o1[1] - g * s1;
  return true;
}

/* Newton's steps from vg, at most max_it in all; true when one was small. */
UNROLLED bool k_newton(const KCas *k, KSolve *q, double vg, int max_it, int *it) {
  const GsKTab *t1 = k->t1;
  for (; *it < max_it; ++*it) {
    double dig2, ig2 = grid(k->e2, vg, &dig2);
    double sy = (k->p[1] + k->fg2[1] * ig2) * t1->ihy + t1->oy; /* still in the cell? */
    if (!(sy >= q->jy1 && sy < q->jy1 + 1) && !k_stage1(k, q, ig2)) return false;
    double y2 = k->p[3] + k->fg2[3] * ig2;
    if (!k1(k->t2, vg, y2, &q->ip2, &q->dip2_dvg, &q->dip2_dy)) return false;
    double r = q->c + q->dads * ig2 + k->f_g2p2 * q->ip2 - vg;
    double drdv =
        (q->dads + k->f_g2p2 * q->dip2_dy * k->fg2[3]) * dig2 + k->f_g2p2 * q->dip2_dvg - 1.0;
    double dv = -r / drdv, to = vg + dv;
    q->ig2 = ig2, q->dig2 = dig2, q->dv = dv, q->drdv = drdv;
    bool far = (vg > to ? vg : to) * k->e2->inv_knee < K_FAR;
    q->vg = to;
    if (fabs(dv) < (far ? K_TOL_FAR : K_TOL)) return true;
    vg = to;
  }
  return false;
}

UNROLLED bool kcas_safe(const KCas *k, KSolve *q, int *it) {
  if (q->s1 != 0.0 && !k_stage1(k, q, 0.0)) return false;
  double top = q->c > 0.0 ? q->c / (1.0 - q->dads * k->e2->inv_rgi) : q->c;
  return k_newton(k, q, top, K_MAX_IT, it);
}

/* Any sample of the cascade; out of line (kcas_fast takes the common
 * one), so that its solve state need not stay in registers there. */
static NOINLINE bool step_kcas(GsDkSolver *s, const double *u, double *y) {
  KCas k;
  KSolve q;
  k.t1 = s->kt[0], k.t2 = s->kt[1], k.e2 = &s->tubes[1];
  Quad x = quad(s->z);
  double u0 = u[0], u1 = u[1];
  k.p = quad(s->Pc[0]) * x[0] + quad(s->Pc[1]) * x[1] + quad(s->Pc[2]) * x[2] +
        quad(s->Pc[3]) * x[3] + quad(s->Pc[4]) * u0 + quad(s->Pc[5]) * u1;
  k.fg2 = quad(s->Fc[2]);
  k.f_g2p1 = s->Fc[1][2], k.f_g2p2 = s->Fc[3][2];
  /* the guess: the last solution moved along its slope by what moved a
   * (after a reset: vg = a at no grid current) */
  double s0 = s->k_ig2;
  if (!k_stage1(&k, &q, s0) && (s0 == 0.0 || !k_stage1(&k, &q, 0.0))) return false;
  int it = 0;
  double vg = s->k_vg2 + (q.c + q.dads * q.s1 - s->k_a) * s->k_slope;
  if (!k_newton(&k, &q, vg, K_FAST_IT, &it) && !kcas_safe(&k, &q, &it)) return false;
  double dv = q.dv, ig2 = q.ig2 + q.dig2 * dv; /* along the last step, to first order */
  double i1 = k.fg2[1] * (ig2 - q.s1);
  double i0 = q.o1[0] + q.o1[2] * i1;
  i1 = q.o1[1] + q.o1[3] * i1;
  double i3 = q.ip2 + (q.dip2_dvg + q.dip2_dy * k.fg2[3] * q.dig2) * dv;
  /* finite: p[0], p[1] and p[3] passed the tables' range checks, p[2]
   * through vg the second table's, and the currents are the tables' or
   * the grid diode's at a finite vg. The ports' voltages v = p + F i are
   * left for Newton's path to work out if it takes the next sample
   * (k_resume): p and i kept. */
  s->k_guess = true;
  s->k_vg2 = q.vg;
  s->k_a = q.vg - k.f_g2p2 * i3; /* a at the solution */
  s->k_ig2 = ig2;
  s->k_slope = -1.0 / q.drdv; /* dvg/da */
  Quad i = {i0, i1, ig2, i3};
  memcpy(s->p, &k.p, sizeof k.p);
  memcpy(s->k_i, &i, sizeof i);
  s->iterations = it + 1;
  s->failed = false;
  double z[10] = {x[0], x[1], x[2], x[3], u0, u1, i0, i1, ig2, i3};
  advance4(s, z, y); /* the states and the output */
  return true;
}

/* What kcas_fast carries from sample to sample (the solver's z) and
 * leaves for step_kcas (stage 2's guess, from c2 and p) and Newton's path
 * (p, k_i), in registers
 * through a block: the states and p by stage, stage 1's in lanes of
 * their own (xa, pa), so that nothing of stage 1's next sample waits
 * for stage 2's lookup and step (k_apart: its states hear nothing of
 * them) and the processor runs the two stages' chains of dependent steps
 * side by side. */
typedef struct {
  Pair xa, xb; /* stage 1's states (its cathode's, its coupling cap), stage 2's */
  Pair pa, pb; /* p: stage 1's ports (g1, p1), stage 2's (g2, p2) */
  Pair o1;
  double c2, i3; /* stage 2's grid voltage but its own plate's part, its plate current */
} KFast;

UNROLLED KFast kfast_load(const GsDkSolver *s) {
  return (KFast){.xa = pair(s->z), .xb = pair(s->z + 2)};
}

UNROLLED void kfast_save(GsDkSolver *s, const KFast *f, uint32_t samples) {
  memcpy(s->z, &f->xa, sizeof f->xa);
  memcpy(s->z + 2, &f->xb, sizeof f->xb);
  KCut g2 = kcut_guess(s->kc[1], f->c2, s->Fc[3][2], f->pb[1]);
  s->k_vg2 = g2.vg, s->k_a = g2.a, s->k_slope = g2.slope;
  memcpy(s->p, &f->pa, sizeof f->pa);
  memcpy(s->p + 2, &f->pb, sizeof f->pb);
  memcpy(s->k_i, &f->o1, sizeof f->o1);
  s->k_i[2] = 0.0, s->k_i[3] = f->i3;
  s->k_guess = true;
  s->iterations = 1;
  s->failed = false;
  s->k_samples += samples;
}

/* The input's supply part (u[1], held through a block) of p, of the new
 * states and of the output. */
typedef struct {
  Pair pa, pb, xa, xb;
  double y;
  double vcut; /* and the grid voltage K_FAR knees below stage 2's bend */
} KHeld;

UNROLLED KHeld kheld(const GsDkSolver *s, double u1) {
  return (KHeld){pair(s->Pc[5]) * u1, pair(s->Pc[5] + 2) * u1,
                 pair(s->Wc[5]) * u1, pair(s->Wc[5] + 2) * u1,
                 s->W[5] * u1,        K_FAR / s->tubes[1].inv_knee};
}

/* step_kcas where it is simplest: stage 2's grid cut off where the last
 * sample ended and where this one ends (ig2 = 0: stage 1 looked up at p
 * as it is), stage 2's plate current its solved table's (kcut_ip): one
 * lookup in each table, nothing to solve, the two stages' chains from
 * states to states (p, a lookup, the new states) about as long (callgrind:
 * 160 instructions a circuit sample, 184 with a Newton step on stage 2's
 * one-port table instead). The entries k_apart finds 0 are left out.
 * False, with f as it was, where the sample is not that simple (step_kcas
 * then, from the start). */
UNROLLED bool kcas_fast(const GsDkSolver *s, KFast *f, double u0, const KHeld *h, double *y) {
  double x0 = f->xa[0], x1 = f->xa[1], x2 = f->xb[0], x3 = f->xb[1];
  Pair pa = (pair(s->Pc[4]) * u0 + h->pa) + (pair(s->Pc[0]) * x0 + pair(s->Pc[1]) * x1);
  Pair pb = (pair(s->Pc[1] + 2) * x1 + h->pb) + (pair(s->Pc[2] + 2) * x2 + pair(s->Pc[3] + 2) * x3);
  Pair xa = pair(s->Wc[0]) * x0 + pair(s->Wc[1]) * x1 + h->xa;
  Pair xb = pair(s->Wc[2] + 2) * x2 + pair(s->Wc[3] + 2) * x3 + h->xb;
  Pair yx = pair(s->W) * f->xa + pair(s->W + 2) * f->xb + (Pair){s->W[4] * u0, h->y};
  Pair o1;
  if (!k2_currents(s->kt[0], pa[0], pa[1], &o1)) return false;
  double c2 = pb[0] + s->Fc[1][2] * o1[1], i3;
  if (!kcut_ip(s->kc[1], c2, s->Fc[3][2], pb[1], h->vcut, &i3)) return false;
  f->pa = pa, f->pb = pb;
  f->o1 = o1;
  f->c2 = c2, f->i3 = i3;
  /* the rest of z = (x, u, ig1, ip1, 0, i3): advance4's sums */
  f->xa = xa + pair(s->Wc[6]) * o1[0] + pair(s->Wc[7]) * o1[1];
  f->xb = xb + pair(s->Wc[9] + 2) * i3;
  yx += pair(s->W + 6) * o1;
  *y = yx[0] + yx[1] + s->W[9] * i3;
  return true;
}

/* kcas_fast from x[0] on while it holds, in place (x[k] drives input 0
 * and becomes the output); how many samples it took. */
uint32_t GS_KERNEL(gs_dk_run_kcas)(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  if (s->kmode >= 3) return GS_KERNEL(gs_dk_run_k3)(s, u, x, n);
  if (s->kmode != 2 || !s->k_apart || s->k_ig2 != 0.0) return 0;
  KFast f = kfast_load(s);
  KHeld h = kheld(s, u[1]);
  uint32_t k = 0;
  while (k < n && kcas_fast(s, &f, x[k], &h, &x[k])) k++;
  if (k) kfast_save(s, &f, k);
  return k;
}

/* One triode by the K method (kmode 1): its currents are its table's at
 * p, with nothing to solve; as step_n otherwise. False, with nothing
 * changed, outside the table. */
UNROLLED bool step_k1_n(GsDkSolver *s, int ns, int nu, int no, const double *u, double *y) {
  int nxu = even(ns + nu), nz = even(ns + nu + 2);
  double z[GS_DK_MAX_Z];
  for (int j = 0; j < nz; j++) z[j] = j < ns ? s->z[j] : j < ns + nu ? u[j - ns] : 0.0;
  double p0 = dot_even(s->P, z, nxu), p1 = dot_even(s->P + nxu, z, nxu);
  Pair o;
  if (!k2_currents(s->kt[0], p0, p1, &o)) return false;
  z[ns + nu] = o[0], z[ns + nu + 1] = o[1];
  s->p[0] = p0, s->p[1] = p1;
  s->k_i[0] = o[0], s->k_i[1] = o[1];
  s->k_guess = true;
  s->failed = false;
  s->iterations = 1;
  advance(s, nz, no + ns, no, z, y);
  return true;
}

/* Every sample but kcas_fast's, Newton's path where the tables decline
 * (out of line: kcas_fast's frame stays small). */
static NOINLINE void k_other(GsDkSolver *s, const double *u, double *y) {
  bool done;
  if (s->kmode == 2) {
    done = step_kcas(s, u, y);
  } else if (s->ns == 2 && s->nu == 2 && s->no == 1) {
    done = step_k1_n(s, 2, 2, 1, u, y);
  } else {
    done = step_k1_n(s, s->ns, s->nu, s->no, u, y);
  }
  if (done) {
    s->k_samples++;
  } else {
    GS_KERNEL(gs_dk_sample_newton)(s, u, y);
  }
}

void GS_KERNEL(gs_dk_sample_k)(GsDkSolver *s, const double *u, double *y) {
  if (s->kmode >= 3) {
    GS_KERNEL(gs_dk_sample_k3)(s, u, y);
    return;
  }
  if (s->kmode == 2 && s->k_apart && s->k_ig2 == 0.0) {
    KFast f = kfast_load(s);
    KHeld h = kheld(s, u[1]);
    if (kcas_fast(s, &f, u[0], &h, y)) {
      kfast_save(s, &f, 1);
      return;
    }
  }
  k_other(s, u, y);
}
#else
void GS_KERNEL(gs_dk_sample_k)(GsDkSolver *s, const double *u, double *y) {
  GS_KERNEL(gs_dk_sample_newton)(s, u, y);
}

uint32_t GS_KERNEL(gs_dk_run_kcas)(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  return 0;
}
#endif
