/* The K path for three or four triode stages in cascade (kmode 3 and 4:
 * the tube preamp's stages=3 and stages=4 netlists, ports (g1, p1, g2,
 * p2, ...), F tridiagonal as dk_k.c checks): stage 1 by its two-port
 * table, each later stage's plate current by its solved table, for the
 * common sample, every later grid cut off (more than K_FAR knees below
 * its diode's bend: its current is 0). Then stage 1 is its table's at p;
 * stage 2's grid voltage vg2 = c2 + F[g2][p2] ip2(vg2) with c2 = p_g2 +
 * F[g2][p1] ip1, ip2 its solved table's at c2 (kcut_ip, as the two-stage
 * cascade's common sample); each later stage's the same with c = p_g +
 * F[g][p_before] ip_before, the stage before's plate current moving it.
 * One body for both sizes, the number of stages a constant where it is
 * inlined (kn_fast), its loops unrolled; four stages' solved tables are
 * bicubic (dk_k.h), read by kcut_ipc. A sample where only the last grid
 * conducts takes kn_grid: the two-stage cascade's scalar Newton on that
 * grid (dk_kgrid.h), the stage before by its solved table at its plate
 * moved by the grid's current. Every other sample (a middle grid
 * conducting, a table left) takes Newton's path, and the next one the K
 * path again.
 * On a guitar DI through high-gain.preset's preamp (three stages, gain
 * 48) 99.5 % of the circuit's samples are common (93.8 % at gain 60), the
 * rest stage 3's grid conducting, every one of them kn_grid's: 247
 * instructions a circuit sample (callgrind; 256 when they took Newton's
 * path; gain 60: 303 for 429). Four stages (gain 40, where the pot stops
 * at 60.1 dB, and 70): 94.9 % and 89.9 % common, every other sample stage
 * 4's grid conducting and kn_grid's (~1,260 instructions one, where
 * Newton's path took ~4,700): 428 and 491 instructions a circuit sample
 * (610 and 818 with Newton's path for those). Built twice like
 * dk_step.c (kernel.h). [audio] */
#include "dsp/dk_kgrid.h"

#if defined(__GNUC__)

#define KN_MAX 4 /* stages */

/* What the common sample carries from sample to sample (the solver's z)
 * and leaves for Newton's path (p, k_i), in registers through a block,
 * by stage: k_apart (dk_pack.c) found each stage's states hearing only
 * its own and the stage before's coupling cap, so that the processor runs
 * a stage's next sample while the later stages still work on this one,
 * as gs_dk_run_kcas does for two. */
typedef struct {
  Pair x[KN_MAX];    /* each stage's states (cathode, coupling cap) */
  Pair p[KN_MAX];    /* p: each stage's ports (grid, plate) */
  Pair o1;           /* stage 1's currents */
  double ip[KN_MAX]; /* the later stages' plate currents (from [1]) */
} KN;

/* The input's supply part (u[1], held through a block) of p, of the new
 * states and of the output; the grid voltages K_FAR knees below the later
 * stages' bends. */
typedef struct {
  Pair p[KN_MAX], x[KN_MAX];
  double y, vcut[KN_MAX];
} KNHeld;

/* P's and W's state rows by columns (dk_pack.c), z = (x, u0, u1, i):
 * the supply u1 is column 2 n + 1. */
UNROLLED KNHeld kn_held(const GsDkSolver *s, double u1, int n) {
  const double(*P)[8] = s->Pnc, (*W)[8] = s->Wnc;
  KNHeld h;
#pragma GCC unroll 4
  for (int k = 0; k < n; k++) h.p[k] = pair(P[2 * n + 1] + 2 * k) * u1;
#pragma GCC unroll 4
  for (int k = 0; k < n; k++) h.x[k] = pair(W[2 * n + 1] + 2 * k) * u1;
  h.y = s->W[2 * n + 1] * u1;
#pragma GCC unroll 4
  for (int k = 1; k < n; k++) h.vcut[k] = K_FAR / s->tubes[k].inv_knee;
  return h;
}

UNROLLED KN kn_load(const GsDkSolver *s, int n) {
  KN f;
#pragma GCC unroll 4
  for (int k = 0; k < n; k++) f.x[k] = pair(s->z + 2 * k);
  return f;
}

UNROLLED void kn_save(GsDkSolver *s, const KN *f, uint32_t samples, int n) {
  double i[2 * KN_MAX] = {f->o1[0], f->o1[1]};
#pragma GCC unroll 4
  for (int k = 0; k < n; k++) {
    memcpy(s->z + 2 * k, &f->x[k], sizeof f->x[k]);
    memcpy(s->p + 2 * k, &f->p[k], sizeof f->p[k]);
    if (k) i[2 * k] = 0.0, i[2 * k + 1] = f->ip[k];
  }
  memcpy(s->k_i, i, (size_t)(2 * n) * sizeof(double));
  /* kn_grid's guess for the last grid, from its solved table */
  const double *F = s->Fp;
  int np = 2 * n, g = np - 2;
  double c = f->p[n - 1][0] + F[g * np + g - 1] * f->ip[n - 2];
  KCut gl = kcut_guess(s->kc[n - 1], c, F[g * np + g + 1], f->p[n - 1][1]);
  s->k_vg2 = gl.vg, s->k_a = gl.a, s->k_slope = gl.slope, s->k_ig2 = 0.0;
  s->k_guess = true;
  s->iterations = 1;
  s->failed = false;
  s->k_samples += samples;
}

/* (y, x') = W z, z = (x, u, ig1, ip1, 0, ip2, 0, ip3, ...): the output
 * row's sums (both lanes' to add); wip, the later stages' plate currents
 * times their entries in that row, two to a pair. */
UNROLLED Pair kn_output(const GsDkSolver *s, const KN *f, double u0, double hy, Pair o1,
                        const double *wip, int n) {
  Pair yx = pair(s->W) * f->x[0];
#pragma GCC unroll 4
  for (int k = 1; k < n; k++) yx = yx + pair(s->W + 2 * k) * f->x[k];
  yx = yx + (Pair){s->W[2 * n] * u0, hy} + pair(s->W + 2 * n + 2) * o1;
#pragma GCC unroll 2
  for (int k = 1; k < n; k += 2) yx = yx + (Pair){wip[k], k + 1 < n ? wip[k + 1] : 0.0};
  return yx;
}

/* p by stage, from the states x (by stage, two each) and the input u0
 * (the entries k_apart finds 0 left out). */
UNROLLED void kn_ports(const GsDkSolver *s, const double *x, double u0, const KNHeld *h, Pair *p,
                       int n) {
  const double(*P)[8] = s->Pnc;
  p[0] = (pair(P[2 * n]) * u0 + h->p[0]) + (pair(P[0]) * x[0] + pair(P[1]) * x[1]);
#pragma GCC unroll 4
  for (int k = 1; k < n; k++)
    p[k] = (pair(P[2 * k - 1] + 2 * k) * x[2 * k - 1] + h->p[k]) +
           (pair(P[2 * k] + 2 * k) * x[2 * k] + pair(P[2 * k + 1] + 2 * k) * x[2 * k + 1]);
}

/* A later stage k's grid voltage but its own plate current's part, c =
 * p_g + F[g][p_before] ip_before (dk_klookup.h's kcut_ip). */
UNROLLED double kn_c(const GsDkSolver *s, const Pair *p, double before, int k, int n) {
  int g = 2 * k;
  return p[k][0] + s->Fp[g * 2 * n + g - 1] * before;
}

/* Stage k's plate current, its grid cut off, by its solved table (four
 * stages': bicubic, dk_k.c's key_of); false where it is not cut off or
 * the table declines. */
UNROLLED bool kn_cut(const GsDkSolver *s, const Pair *p, const KNHeld *h, double before, int k,
                     int n, double *ip) {
  double c = kn_c(s, p, before, k, n), fg = s->Fp[2 * k * 2 * n + 2 * k + 1];
  return n == 4 ? kcut_ipc(s->kc[k], c, fg, p[k][1], h->vcut[k], ip)
                : kcut_ip(s->kc[k], c, fg, p[k][1], h->vcut[k], ip);
}

/* The common sample: p by stage, stage 1's table, the later grids'
 * lookups, the new states and the output (the entries k_apart finds 0
 * left out). False, with f as it was, where the sample is not common. */
UNROLLED bool kn_fast(const GsDkSolver *s, KN *f, double u0, const KNHeld *h, double *y, int n) {
  const double(*W)[8] = s->Wnc;
  int ci = 2 * n + 2; /* the currents' first column */
  double x[2 * KN_MAX];
#pragma GCC unroll 4
  for (int k = 0; k < n; k++) x[2 * k] = f->x[k][0], x[2 * k + 1] = f->x[k][1];
  Pair p[KN_MAX], o1;
  kn_ports(s, x, u0, h, p, n);
  if (!k2_currents(s->kt[0], p[0][0], p[0][1], &o1)) return false;
  double ip[KN_MAX], wip[KN_MAX], before = o1[1]; /* the stage before's plate current */
#pragma GCC unroll 4
  for (int k = 1; k < n; k++) {
    double i;
    if (!kn_cut(s, p, h, before, k, n, &i)) return false;
    before = ip[k] = i;
    wip[k] = i * s->W[ci + 2 * k + 1]; /* its part of the output (kn_output) */
  }
  Pair yx = kn_output(s, f, u0, h->y, o1, wip, n);
  f->x[0] = pair(W[0]) * x[0] + pair(W[1]) * x[1] + h->x[0] + pair(W[ci]) * o1[0] +
            pair(W[ci + 1]) * o1[1];
#pragma GCC unroll 4
  for (int k = 1; k < n; k++)
    f->x[k] = pair(W[2 * k] + 2 * k) * x[2 * k] + pair(W[2 * k + 1] + 2 * k) * x[2 * k + 1] +
              h->x[k] + pair(W[ci + 2 * k + 1] + 2 * k) * ip[k];
#pragma GCC unroll 4
  for (int k = 0; k < n; k++) f->p[k] = p[k];
#pragma GCC unroll 4
  for (int k = 1; k < n; k++) f->ip[k] = ip[k];
  f->o1 = o1;
  *y = yx[0] + yx[1];
  return true;
}

/* A sample where only the last stage's grid conducts (the earlier later
 * grids cut off): stages 1 .. n - 1 as kn_fast's, but stage n - 1 (B) at
 * its plate p moved by F[pB][gL] ig_n, and stage n's grid solved by
 * dk_kgrid.h's scalar Newton (B's solved table K_CUT, bicubic K_CUTC for
 * four stages); then B's grid checked still cut off at its new plate
 * current, and the states and the output by W whole. False, with
 * nothing changed, where any of that declines: Newton's path then. */
UNROLLED bool kn_grid(GsDkSolver *s, const double *u, double *y, int n) {
  const double *F = s->Fp;
  int np = 2 * n, gb = np - 4, pb = np - 3, g = np - 2, a = np - 1; /* B's and L's ports */
  KNHeld h = kn_held(s, u[1], n);
  double z[4 * KN_MAX + 2]; /* (x, u, i) */
  memcpy(z, s->z, (size_t)np * sizeof(double));
  Pair p[KN_MAX], o1;
  kn_ports(s, z, u[0], &h, p, n);
  if (!k2_currents(s->kt[0], p[0][0], p[0][1], &o1)) return false;
  double *i = z + np + 2, before = o1[1];
  i[0] = o1[0], i[1] = o1[1];
#pragma GCC unroll 4
  for (int k = 1; k < n - 2; k++) {
    if (!kn_cut(s, p, &h, before, k, n, &i[2 * k + 1])) return false;
    i[2 * k] = 0.0, before = i[2 * k + 1];
  }
  KCas k = {.t1 = s->kc[n - 2],
            .t2 = s->kt[n - 1],
            .e2 = &s->tubes[n - 1],
            .before = n == 4 ? K_CUTC : K_CUT,
            .p = {kn_c(s, p, before, n - 2, n), p[n - 2][1], p[n - 1][0], p[n - 1][1]},
            .fg2 = {0.0, F[pb * np + g], F[g * np + g], F[a * np + g]},
            .f_g2p1 = F[g * np + pb],
            .f_g2p2 = F[g * np + a]};
  KSolve q;
  Quad o;
  int it;
  if (!kcas_solve(s, &k, &q, &o, &it)) return false;
  if (!(k.p[0] + F[gb * np + pb] * o[1] < h.vcut[n - 2])) return false; /* B's grid */
  i[gb] = 0.0, i[pb] = o[1], i[g] = o[2], i[a] = o[3];
  kcas_keep(s, &k, &q, o, it);
  memcpy(s->p, p, (size_t)np * sizeof(double));
  memcpy(s->k_i, i, (size_t)np * sizeof(double));
  z[np] = u[0], z[np + 1] = u[1];
  advance(s, 2 * np + 2, np + 1, 1, z, y); /* z = (x, u0, u1, i): W's rows of 4 n + 2 */
  s->k_samples++;
  return true;
}

/* kn_fast from x[0] on while it holds, in place (x[k] drives input 0 and
 * becomes the output); how many samples it took. */
UNROLLED uint32_t kn_run(GsDkSolver *s, const double *u, double *restrict x, uint32_t len, int n) {
  KN f = kn_load(s, n);
  KNHeld h = kn_held(s, u[1], n);
  uint32_t k = 0;
  while (k < len && kn_fast(s, &f, x[k], &h, &x[k], n)) k++;
  if (k) kn_save(s, &f, k, n);
  return k;
}

UNROLLED bool kn_sample(GsDkSolver *s, const double *u, double *y, int n) {
  KN f = kn_load(s, n);
  KNHeld h = kn_held(s, u[1], n);
  if (!kn_fast(s, &f, u[0], &h, y, n)) return false;
  kn_save(s, &f, 1, n);
  return true;
}

uint32_t GS_KERNEL(gs_dk_run_k3)(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  if (!s->k_apart) return 0;
  return s->kmode == 3 ? kn_run(s, u, x, n, 3) : kn_run(s, u, x, n, 4);
}

/* A sample the common one declined: kn_grid, else Newton's path. */
void GS_KERNEL(gs_dk_sample_k3_other)(GsDkSolver *s, const double *u, double *y) {
  if (s->k_apart && (s->kmode == 3 ? kn_grid(s, u, y, 3) : kn_grid(s, u, y, 4))) return;
  GS_KERNEL(gs_dk_sample_newton)(s, u, y);
}

/* One sample (a glide under way): the common one, else as above. */
void GS_KERNEL(gs_dk_sample_k3)(GsDkSolver *s, const double *u, double *y) {
  if (s->k_apart && (s->kmode == 3 ? kn_sample(s, u, y, 3) : kn_sample(s, u, y, 4))) return;
  GS_KERNEL(gs_dk_sample_k3_other)(s, u, y);
}
#else
uint32_t GS_KERNEL(gs_dk_run_k3)(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  return 0;
}

void GS_KERNEL(gs_dk_sample_k3)(GsDkSolver *s, const double *u, double *y) {
  GS_KERNEL(gs_dk_sample_newton)(s, u, y);
}

void GS_KERNEL(gs_dk_sample_k3_other)(GsDkSolver *s, const double *u, double *y) {
  GS_KERNEL(gs_dk_sample_newton)(s, u, y);
}
#endif
