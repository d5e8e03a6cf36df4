/* The K path of the DK solver's per-sample part (dk.h, dk_k.h): the
 * solves through the tables (dk_klookup.h) for one triode (kmode 1, its
 * grid current apart where its grid's source moves) and
 * two in cascade (kmode 2); three and four are dk_k3step.c's. Built
 * twice like dk_step.c (kernel.h); gs_dk_run calls it while k_live.
 * [audio] */
#include "dsp/dk_kgrid.h"

#if defined(__GNUC__)

/* Two triode stages in cascade by the K method (dk_k.h): the F pattern of
 * the tube preamp's netlist, ports (g1, p1, g2, p2), stage 1 by its
 * two-port table; the unknown stage 2's grid port voltage, solved as
 * dk_kgrid.h says. Any sample of the cascade; out of line (kcas_fast
 * takes the common one), so that its solve state need not stay in
 * registers there. */
static NOINLINE bool step_kcas(GsDkSolver *s, const double *u, double *y) {
  KCas k;
  KSolve q;
  k.t1 = s->kt[0], k.t2 = s->kt[1], k.e2 = &s->tubes[1], k.before = K_TWO;
  Quad x = quad(s->z);
  double u0 = u[0], u1 = u[1];
  k.p = quad(s->Pc[0]) * x[0] + quad(s->Pc[1]) * x[1] + quad(s->Pc[2]) * x[2] +
        quad(s->Pc[3]) * x[3] + quad(s->Pc[4]) * u0 + quad(s->Pc[5]) * u1;
  k.fg2 = quad(s->Fc[2]);
  k.f_g2p1 = s->Fc[1][2], k.f_g2p2 = s->Fc[3][2];
  Quad i;
  int it;
  if (!kcas_solve(s, &k, &q, &i, &it)) return false;
  /* finite: p[0], p[1] and p[3] passed the tables' range checks, p[2]
   * through vg the second table's, and the currents are the tables' or
   * the grid diode's at a finite vg */
  kcas_keep(s, &k, &q, i, it);
  memcpy(s->p, &k.p, sizeof k.p);
  memcpy(s->k_i, &i, sizeof i);
  double z[10] = {x[0], x[1], x[2], x[3], u0, u1, i[0], i[1], i[2], i[3]};
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

/* One triode whose grid's source moves (k_grid: the preamp's stages=1
 * pot, turned while it plays), by tables that hold for any F[g][g] (kt[0]
 * one-port, kc[0] solved: dk_k.h): where its grid was cut off the sample
 * before and is here (more than K_FAR knees below its bend, where F[g][g]
 * meets no current), its plate current is its solved table's at (p_g,
 * p_p), nothing solved; else the scalar Newton on its grid voltage
 * through its one-port table (dk_kgrid.h, no stage before it), F read as
 * it is (a glide moves F[g][g]). On a guitar DI at gain 20: 105
 * instructions a circuit sample (callgrind), where the two-port table of
 * the pot's (K1_TWO) took 172. */
enum { K1_TWO, K1_CUT, K1_GRID }; /* the two-port table; grid apart: cut off, any */

/* The solve's guess for the next sample from a cut-off one at p. */
UNROLLED void k1g_guess(GsDkSolver *s, double pg, double pp) {
  KCut g = kcut_guess(s->kc[0], pg, s->Fp[1], pp);
  s->k_vg2 = g.vg, s->k_a = g.a, s->k_slope = g.slope, s->k_ig2 = 0.0;
}

static NOINLINE bool k1g_solve(GsDkSolver *s, double pg, double pp, Pair *o) {
  const double *F = s->Fp;
  KCas k = {.t2 = s->kt[0],
            .e2 = &s->tubes[0],
            .before = K_NONE,
            .p = {0.0, 0.0, pg, pp},
            .fg2 = {0.0, 0.0, F[0], F[2]},
            .f_g2p2 = F[1]};
  KSolve q;
  Quad i;
  int it;
  if (!kcas_solve(s, &k, &q, &i, &it)) return false;
  kcas_keep(s, &k, &q, i, it);
  *o = (Pair){i[2], i[3]};
  return true;
}

/* The currents (ig, ip) at p as `how` says; false where it declines. */
UNROLLED bool k1_currents(GsDkSolver *s, int how, double pg, double pp, Pair *o) {
  if (how == K1_TWO) return k2_currents(s->kt[0], pg, pp, o);
  double ip, vcut = K_FAR / s->tubes[0].inv_knee;
  if (s->k_ig2 == 0.0 && kcut_ip(s->kc[0], pg, s->Fp[1], pp, vcut, &ip)) {
    if (how == K1_GRID) k1g_guess(s, pg, pp), s->iterations = 1;
    *o = (Pair){0.0, ip};
    return true;
  }
  return how == K1_GRID && k1g_solve(s, pg, pp, o);
}

/* One triode by the K method (kmode 1): its currents by k1_currents at
 * p; as step_n otherwise. False, with nothing changed, where they
 * decline. */
UNROLLED bool step_k1_n(GsDkSolver *s, int ns, int nu, int no, int how, const double *u,
                        double *y) {
  int nxu = even(ns + nu), nz = even(ns + nu + 2);
  double z[GS_DK_MAX_Z];
  for (int j = 0; j < nz; j++) z[j] = j < ns ? s->z[j] : j < ns + nu ? u[j - ns] : 0.0;
  double p0 = dot_even(s->P, z, nxu), p1 = dot_even(s->P + nxu, z, nxu);
  Pair o;
  if (!k1_currents(s, how, p0, p1, &o)) return false;
  z[ns + nu] = o[0], z[ns + nu + 1] = o[1];
  s->p[0] = p0, s->p[1] = p1;
  s->k_i[0] = o[0], s->k_i[1] = o[1];
  s->k_guess = true;
  s->failed = false;
  if (how != K1_GRID) s->iterations = 1; /* (K1_GRID's: k1_currents') */
  advance(s, nz, no + ns, no, z, y);
  return true;
}

/* K1_CUT's samples from x[0] on while they hold, in place (the preamp's
 * one stage: two states, two inputs, one output); how many it took. */
static uint32_t run_k1g(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  if (!s->k_grid || s->k_ig2 != 0.0 || s->ns != 2 || s->nu != 2 || s->no != 1) return 0;
  double uk[2] = {0.0, u[1]};
  uint32_t k = 0;
  for (; k < n; k++) {
    uk[0] = x[k];
    if (!step_k1_n(s, 2, 2, 1, K1_CUT, uk, &x[k])) break;
  }
  if (k) {
    k1g_guess(s, s->p[0], s->p[1]);
    s->iterations = 1;
    s->k_samples += k;
  }
  return k;
}

/* kcas_fast (or run_k1g) from x[0] on while it holds, in place (x[k]
 * drives input 0 and becomes the output); how many samples it took. */
uint32_t GS_KERNEL(gs_dk_run_kcas)(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  if (s->kmode >= 3) return GS_KERNEL(gs_dk_run_k3)(s, u, x, n);
  if (s->kmode == 1) return run_k1g(s, u, x, n);
  if (s->kmode != 2 || !s->k_apart || s->k_ig2 != 0.0) return 0;
  KFast f = kfast_load(s);
  KHeld h = kheld(s, u[1]);
  uint32_t k = 0;
  while (k < n && kcas_fast(s, &f, x[k], &h, &x[k])) k++;
  if (k) kfast_save(s, &f, k);
  return k;
}

/* Every sample but kcas_fast's, Newton's path where the tables decline
 * (out of line: kcas_fast's frame stays small). */
static NOINLINE void k_other(GsDkSolver *s, const double *u, double *y) {
  bool done;
  if (s->kmode == 2) {
    done = step_kcas(s, u, y);
  } else if (s->k_grid) {
    done = s->ns == 2 && s->nu == 2 && s->no == 1
               ? step_k1_n(s, 2, 2, 1, K1_GRID, u, y)
               : step_k1_n(s, s->ns, s->nu, s->no, K1_GRID, u, y);
  } else if (s->ns == 2 && s->nu == 2 && s->no == 1) {
    done = step_k1_n(s, 2, 2, 1, K1_TWO, u, y);
  } else {
    done = step_k1_n(s, s->ns, s->nu, s->no, K1_TWO, u, y);
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
