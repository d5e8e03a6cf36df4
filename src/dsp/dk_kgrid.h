/* The K path's solve for a cascade's last grid conducting (dk_k.h): what
 * step_kcas (two stages, dk_kstep.c) and kn_grid (three or four, only the
 * last grid conducting, dk_k3step.c) share. Private to them; [audio].
 *
 * The last stage L and the stage before it B, ports (gB, pB, gL, pL),
 * see each other only through F[pB][gL], F[gL][pB] (the coupling
 * capacitor and what is between) and F[gL][pL], F[pL][gL] (L's cathode);
 * the stages before B do not hear L's grid current (F tridiagonal by
 * stage). The unknown is L's grid port voltage vg: its grid current ig2
 * = grid(vg) moves B's plate p by F[pB][gL] ig2 (B by its table at its
 * x, p_pB + F[pB][gL] ig2), and vg = p_gL + F[gL][pB] ipB + F[gL][gL] ig2
 * + F[gL][pL] ipL (L's plate current by its one-port table at (vg, p_pL +
 * F[pL][gL] ig2)). B's table is two stages' stage 1's two-port table at
 * x = p_g1 (K_TWO), or in three or four stages B's solved table (its grid
 * cut off) at x = c, the part of its grid voltage its own plate current
 * does not give (K_CUT; K_CUTC where that table is bicubic: four
 * stages'). One triode whose grid's source moved (dk_kstep.c's k_grid
 * path) is L with no B (K_NONE): p = (0, 0, p_g, p_p), fg2 = (0, 0,
 * F[g][g], F[p][g]), F[gL][pB] = 0.
 *
 * B's table, where it is linear along q_p within a cell (K_TWO, K_CUT),
 * looked up once at the last sample's ig2, is exact for any ig2 that keeps
 * q_p in that cell (looked up again where one leaves it); a bicubic one
 * is looked up again at each step's ig2. Newton's method on the residual
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
#ifndef GS_DSP_DK_KGRID_H
#define GS_DSP_DK_KGRID_H

#include "dsp/dk_klookup.h"

#if defined(__GNUC__)

#define K_FAST_IT 4
#define K_MAX_IT 12
#define K_TOL 1e-6

enum { K_TWO, K_CUT, K_CUTC, K_NONE }; /* B's table: two-port, solved, solved bicubic; no B */

typedef struct {
  const GsKTab *t1, *t2; /* B's table, L's one-port table */
  const GsDkTube *e2;    /* L */
  int before;            /* B's table's kind */
  /* p: (B's x, p_pB, p_gL, p_pL); F's gL column (F[gB][gL], F[pB][gL],
   * F[gL][gL], F[pL][gL]) */
  Quad p, fg2;
  double f_g2p1, f_g2p2; /* F[gL][pB], F[gL][pL] */
} KCas;

/* The solve's state: B at ig2 = s1 (o1 = (igB, ipB, their slopes along
 * q_p), in cell jy1), vg's part a(ig2) = c + dads ig2; the last step's
 * ig2, slope, dv, dr/dvg, L. */
typedef struct {
  Quad o1;
  unsigned jy1;
  double ip2, dip2_dvg, dip2_dy; /* L */
  double s1, c, dads, ig2, dig2, dv, drdv, vg;
} KSolve;

/* B's table at its x and q_p = y: o as k2's (a solved table's grid
 * current and its slope 0), the plate-axis cell jy. */
UNROLLED bool k_before(const KCas *k, double y, Quad *o, unsigned *jy) {
  if (k->before == K_NONE) {
    *o = (Quad){0.0, 0.0, 0.0, 0.0}, *jy = 0;
    return true;
  }
  if (k->before == K_TWO) return k2(k->t1, k->p[0], y, o, jy);
  double ip, dx, dy;
  bool in =
      k->before == K_CUT ? k1(k->t1, k->p[0], y, &ip, &dx, &dy) : k1c(k->t1, k->p[0], y, &ip, &dy);
  if (!in) return false; /* (and the cell's index is cast only in range) */
  *jy = (unsigned)__builtin_trunc(y * k->t1->ihy + k->t1->oy);
  *o = (Quad){0.0, ip, 0.0, dy};
  return true;
}

UNROLLED bool k_stage1(const KCas *k, KSolve *q, double s1) {
  if (!k_before(k, k->p[1] + k->fg2[1] * s1, &q->o1, &q->jy1)) return false;
  double g = k->f_g2p1 * q->o1[3] * k->fg2[1]; /* F[gL][pB] dipB/dig2 */
  q->s1 = s1;
  q->dads = k->fg2[2] + g;
  q->c = k->p[2] + k->f_g2p1 * q->o1[1] - g * s1;
  return true;
}

/* Whether B's lookup at s1 holds at ig2 too. */
UNROLLED bool k_same(const KCas *k, const KSolve *q, double ig2) {
  if (k->before == K_NONE) return true;
  if (k->before == K_CUTC) return ig2 == q->s1;
  double sy = (k->p[1] + k->fg2[1] * ig2) * k->t1->ihy + k->t1->oy;
  return sy >= q->jy1 && sy < q->jy1 + 1;
}

/* Newton's steps from vg, at most max_it in all; true when one was small. */
UNROLLED bool k_newton(const KCas *k, KSolve *q, double vg, int max_it, int *it) {
  for (; *it < max_it; ++*it) {
    double dig2, ig2 = grid(k->e2, vg, &dig2);
    if (!k_same(k, q, ig2) && !k_stage1(k, q, ig2)) return false;
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

/* The solve, from the guess the solver keeps (the last solution moved
 * along its slope by what moved a; after a reset vg = a at no grid
 * current): the currents (igB, ipB, ig2, ipL) in i, corrected to first
 * order along the last step; false, with s unchanged, if it failed. */
UNROLLED bool kcas_solve(const GsDkSolver *s, const KCas *k, KSolve *q, Quad *i, int *it) {
  double s0 = s->k_ig2;
  if (!k_stage1(k, q, s0) && (s0 == 0.0 || !k_stage1(k, q, 0.0))) return false;
  *it = 0;
  double vg = s->k_vg2 + (q->c + q->dads * q->s1 - s->k_a) * s->k_slope;
  if (!k_newton(k, q, vg, K_FAST_IT, it) && !kcas_safe(k, q, it)) return false;
  double dv = q->dv, ig2 = q->ig2 + q->dig2 * dv; /* along the last step, to first order */
  double d = k->fg2[1] * (ig2 - q->s1);           /* B's q_p from where it was looked up */
  double i3 = q->ip2 + (q->dip2_dvg + q->dip2_dy * k->fg2[3] * q->dig2) * dv;
  *i = (Quad){q->o1[0] + q->o1[2] * d, q->o1[1] + q->o1[3] * d, ig2, i3};
  return true;
}

/* The solution kept for the next sample's guess; the ports' voltages v =
 * p + F i are left for Newton's path to work out if it takes the next
 * sample (k_resume: the caller keeps p and i). */
UNROLLED void kcas_keep(GsDkSolver *s, const KCas *k, const KSolve *q, Quad i, int it) {
  s->k_guess = true;
  s->k_vg2 = q->vg;
  s->k_a = q->vg - k->f_g2p2 * i[3]; /* a at the solution */
  s->k_ig2 = i[2];
  s->k_slope = -1.0 / q->drdv; /* dvg/da */
  s->iterations = it + 1;
  s->failed = false;
}

#endif
#endif
