/* The K path for three triode stages in cascade (kmode 3: the tube
 * preamp's stages=3 netlist, ports (g1, p1, g2, p2, g3, p3), F
 * tridiagonal as dk_k.c checks): stage 1 by its two-port table, stages 2
 * and 3's plate currents by one-port tables, for the common sample only,
 * both later grids cut off (more than K_FAR knees below their diodes'
 * bends: their currents are 0). Then stage 1 is its table's at p; stage
 * 2's grid voltage vg2 = c2 + F[g2][p2] ip2(vg2) with c2 = p_g2 + F[g2][p1]
 * ip1, ip2 its solved table's at c2 (kcut_ip, as the two-stage cascade's
 * common sample); stage 3's the same with c3 = p_g3 + F[g3][p2] ip2,
 * stage 2's plate current moving it. Nothing carries from sample to
 * sample but the states: every other sample (a grid conducting, a table
 * left) takes Newton's path, and the next one the K path again. On a
 * guitar DI through high-gain.preset's preamp 99.5 % of the circuit's
 * samples are common (93.8 % at gain 60), all but a few of the rest stage
 * 3's grid conducting; 253 instructions a circuit sample (callgrind), 311
 * with a Newton step on each later stage's one-port table. Built twice
 * like dk_step.c (kernel.h). [audio] */
#include "dsp/dk_klookup.h"

#if defined(__GNUC__)

/* What the common sample carries from sample to sample (the solver's z)
 * and leaves for Newton's path (p, k_i), in registers
 * through a block, by stage: k_apart (dk_pack.c) found each stage's
 * states hearing only its own and the stage before's coupling cap, so
 * that the processor runs a stage's next sample while the later stages
 * still work on this one, as gs_dk_run_kcas does for two. */
typedef struct {
  Pair xa, xb, xc; /* stage 1's, 2's, 3's states (cathode, coupling cap) */
  Pair pa, pb, pc; /* p: stage 1's ports (g1, p1), 2's, 3's */
  Pair o1;         /* stage 1's currents */
  double ip2, ip3;
} K3;

/* The input's supply part (u[1], held through a block) of p, of the new
 * states and of the output; the grid voltages K_FAR knees below stages 2
 * and 3's bends. */
typedef struct {
  Pair pa, pb, pc, xa, xb, xc;
  double y, vcut2, vcut3;
} K3Held;

UNROLLED K3Held k3_held(const GsDkSolver *s, double u1) {
  const double(*P)[6] = s->P6c, (*W)[6] = s->W6c;
  return (K3Held){pair(P[7]) * u1, pair(P[7] + 2) * u1,          pair(P[7] + 4) * u1,
                  pair(W[7]) * u1, pair(W[7] + 2) * u1,          pair(W[7] + 4) * u1,
                  s->W[7] * u1,    K_FAR / s->tubes[1].inv_knee, K_FAR / s->tubes[2].inv_knee};
}

UNROLLED K3 k3_load(const GsDkSolver *s) {
  return (K3){.xa = pair(s->z), .xb = pair(s->z + 2), .xc = pair(s->z + 4)};
}

UNROLLED void k3_save(GsDkSolver *s, const K3 *f, uint32_t samples) {
  memcpy(s->z, &f->xa, sizeof f->xa);
  memcpy(s->z + 2, &f->xb, sizeof f->xb);
  memcpy(s->z + 4, &f->xc, sizeof f->xc);
  memcpy(s->p, &f->pa, sizeof f->pa);
  memcpy(s->p + 2, &f->pb, sizeof f->pb);
  memcpy(s->p + 4, &f->pc, sizeof f->pc);
  double i[6] = {f->o1[0], f->o1[1], 0.0, f->ip2, 0.0, f->ip3};
  memcpy(s->k_i, i, sizeof i);
  s->k_guess = true;
  s->iterations = 1;
  s->failed = false;
  s->k_samples += samples;
}

/* The common sample: p by stage, stage 1's table, the two grids' steps,
 * the new states and the output (the entries k_apart finds 0 left out).
 * False, with f as it was, where the sample is not common. */
UNROLLED bool k3_fast(const GsDkSolver *s, K3 *f, double u0, const K3Held *h, double *y) {
  const double(*P)[6] = s->P6c, (*W)[6] = s->W6c, *F = s->Fp;
  double x0 = f->xa[0], x1 = f->xa[1], x2 = f->xb[0], x3 = f->xb[1], x4 = f->xc[0], x5 = f->xc[1];
  Pair pa = (pair(P[6]) * u0 + h->pa) + (pair(P[0]) * x0 + pair(P[1]) * x1);
  Pair pb = (pair(P[1] + 2) * x1 + h->pb) + (pair(P[2] + 2) * x2 + pair(P[3] + 2) * x3);
  Pair pc = (pair(P[3] + 4) * x3 + h->pc) + (pair(P[4] + 4) * x4 + pair(P[5] + 4) * x5);
  Pair o1;
  if (!k2_currents(s->kt[0], pa[0], pa[1], &o1)) return false;
  double ip2, ip3;
  if (!kcut_ip(s->kc[1], pb[0] + F[2 * 6 + 1] * o1[1], F[2 * 6 + 3], pb[1], h->vcut2, &ip2))
    return false;
  if (!kcut_ip(s->kc[2], pc[0] + F[4 * 6 + 3] * ip2, F[4 * 6 + 5], pc[1], h->vcut3, &ip3))
    return false;
  /* (y, x') = W z, z = (x, u, ig1, ip1, 0, ip2, 0, ip3) */
  Pair yx = pair(s->W) * f->xa + pair(s->W + 2) * f->xb + pair(s->W + 4) * f->xc +
            (Pair){s->W[6] * u0, h->y} + pair(s->W + 8) * o1 +
            (Pair){s->W[11] * ip2, s->W[13] * ip3};
  f->xa = pair(W[0]) * x0 + pair(W[1]) * x1 + h->xa + pair(W[8]) * o1[0] + pair(W[9]) * o1[1];
  f->xb = pair(W[2] + 2) * x2 + pair(W[3] + 2) * x3 + h->xb + pair(W[11] + 2) * ip2;
  f->xc = pair(W[4] + 4) * x4 + pair(W[5] + 4) * x5 + h->xc + pair(W[13] + 4) * ip3;
  f->pa = pa, f->pb = pb, f->pc = pc;
  f->o1 = o1;
  f->ip2 = ip2, f->ip3 = ip3;
  *y = yx[0] + yx[1];
  return true;
}

/* k3_fast from x[0] on while it holds, in place (x[k] drives input 0 and
 * becomes the output); how many samples it took. */
uint32_t GS_KERNEL(gs_dk_run_k3)(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  if (!s->k_apart) return 0;
  K3 f = k3_load(s);
  K3Held h = k3_held(s, u[1]);
  uint32_t k = 0;
  while (k < n && k3_fast(s, &f, x[k], &h, &x[k])) k++;
  if (k) k3_save(s, &f, k);
  return k;
}

/* One sample (a glide under way): the common one, else Newton's path. */
void GS_KERNEL(gs_dk_sample_k3)(GsDkSolver *s, const double *u, double *y) {
  if (s->k_apart) {
    K3 f = k3_load(s);
    K3Held h = k3_held(s, u[1]);
    if (k3_fast(s, &f, u[0], &h, y)) {
      k3_save(s, &f, 1);
      return;
    }
  }
  GS_KERNEL(gs_dk_sample_newton)(s, u, y);
}
#else
uint32_t GS_KERNEL(gs_dk_run_k3)(GsDkSolver *s, const double *u, double *restrict x, uint32_t n) {
  return 0;
}

void GS_KERNEL(gs_dk_sample_k3)(GsDkSolver *s, const double *u, double *y) {
  GS_KERNEL(gs_dk_sample_newton)(s, u, y);
}
#endif
