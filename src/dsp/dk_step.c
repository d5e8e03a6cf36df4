/* The per-sample part of the DK solver (dk.h): the tubes' port equations
 * solved by Newton's method on the reduced system packed at its exact size
 * (dk_pack.c),
 * and the state update. Everything here runs on the audio thread.
 *
 * Each sample: p = D x + E u; a first guess of the ports' voltages from
 * the last sample's linearization, v = v_last + (I - F J)^-1 (p - p_last)
 * (the tangent of the solution as p moves, so that a slow p is followed
 * to second order); then Newton on v = p + F i(v). One Newton step from
 * that guess is usually enough: its step is taken and the currents are
 * corrected to first order with the Jacobian, which leaves an error of the
 * order of the step squared. Newton's matrix I - F J is factored without
 * pivoting (its diagonal is 1 plus the tubes' conductances times the
 * resistances they see, >= 1 for passive networks), with pivoting kept as
 * the fallback; sizes 2, 4, 6 and 8 (one to four triodes) get their own
 * fully-unrolled copies of the loop. Circuits of triodes only take that
 * first iteration through tri_newton: the currents by koren.h's tables,
 * the Jacobian's known pattern, everything in locals; two triode stages
 * (the tube preamp's netlist) through step_tri4, four lanes wide, with
 * Newton's matrix inverted rather than factored. The K path (tables)
 * is dk_kstep.c's; what both use, dk_step.h's. */
#include "dsp/dk_step.h"

#define MAX_ITER 60
#define FIRST_TRY 12   /* iterations from the predicted guess */
#define RESIDUAL 1e-11 /* relative: v - p - F i(v) this small is a solution */
#define SMALL 1e-3     /* relative: a Newton step this small is the last */
#define MAX_STEP 50.0  /* volts: a guess, and the first step from it, move no further */
#define MIN_PIVOT 1e-9

UNROLLED double dot(const double *a, const double *b, int n) {
  double acc = 0.0;
  for (int j = 0; j < n; j++) acc += a[j] * b[j];
  return acc;
}

/* ---------------------------------------------------------------- tubes */

/* Currents of every tube at port voltages v, and the block-diagonal
 * Jacobian as rows of each tube's block. */
UNROLLED void currents(const GsDkSolver *s, const double *v, double *i, double J[][3]) {
  for (int t = 0; t < s->n_tubes; t++) {
    const GsDkTube *e = &s->tubes[t];
    int p = e->port;
    double dg;
    i[p] = grid(e, v[p], &dg);
    if (e->kind == GS_DK_TRIODE) {
      GsTubeCurrent c = gs_koren_triode_fast(&e->triode, v[p], v[p + 1]);
      i[p + 1] = c.i;
      J[p][0] = dg, J[p][1] = 0.0;
      J[p + 1][0] = c.d_vgk, J[p + 1][1] = c.d_vpk;
    } else {
      GsPentodeCurrent c = gs_koren_pentode(e->pentode, v[p], v[p + 1], v[p + 2]);
      i[p + 1] = c.ig2;
      i[p + 2] = c.ip;
      J[p][0] = dg, J[p][1] = 0.0, J[p][2] = 0.0;
      J[p + 1][0] = c.ig2_g1, J[p + 1][1] = c.ig2_g2, J[p + 1][2] = 0.0;
      J[p + 2][0] = c.ip_g1, J[p + 2][1] = c.ip_g2, J[p + 2][2] = c.ip_p;
    }
  }
}

/* M = I - F J (rows of np), J block diagonal over each tube's ports. */
UNROLLED void jacobian(const GsDkSolver *s, int np, double J[][3], double *M) {
  for (int a = 0; a < np * np; a++) M[a] = 0.0;
  for (int a = 0; a < np; a++) M[a * np + a] = 1.0;
  for (int t = 0; t < s->n_tubes; t++) {
    int p0 = s->tubes[t].port, w = s->tubes[t].kind == GS_DK_TRIODE ? 2 : 3;
    for (int a = 0; a < np; a++) {
      for (int c = 0; c < w; c++) {
        double acc = 0.0;
        for (int b = 0; b < w; b++) acc += s->Fp[a * np + p0 + b] * J[p0 + b][c];
        M[a * np + p0 + c] -= acc;
      }
    }
  }
}

/* ------------------------------------------------------- linear algebra */

/* GCC peels a loop of constant count only up to a size; the 6- and 8-port
 * LU's nested loops are past it, and their loop overhead was ~30% of a
 * three-stage sample. (Runtime counts: unrolled by 8 with a remainder.) */
#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL_ALL _Pragma("GCC unroll 8")
#else
#define UNROLL_ALL
#endif

/* LU without pivoting in place; the diagonal keeps the pivots' inverses.
 * False if a pivot is too small to trust. */
UNROLLED bool lu_factor(double *M, int n) {
  UNROLL_ALL for (int k = 0; k < n; k++) {
    double piv = M[k * n + k];
    if (!(fabs(piv) > MIN_PIVOT)) return false;
    double inv = 1.0 / piv;
    M[k * n + k] = inv;
    UNROLL_ALL for (int r = k + 1; r < n; r++) {
      double f = M[r * n + k] * inv;
      M[r * n + k] = f;
      UNROLL_ALL for (int c = k + 1; c < n; c++) M[r * n + c] -= f * M[k * n + c];
    }
  }
  return true;
}

UNROLLED void lu_solve(const double *LU, int n, double *r) {
  UNROLL_ALL for (int k = 1; k < n; k++) {
    UNROLL_ALL for (int j = 0; j < k; j++) r[k] -= LU[k * n + j] * r[j];
  }
  UNROLL_ALL for (int k = n - 1; k >= 0; k--) {
    UNROLL_ALL for (int j = k + 1; j < n; j++) r[k] -= LU[k * n + j] * r[j];
    r[k] *= LU[k * n + k];
  }
}

/* Solve (I - F J) d = r into r: unpivoted, kept for the next prediction;
 * else with pivoting. */
UNROLLED bool newton_solve(GsDkSolver *s, int np, double J[][3], double *r) {
  double *M = s->lu;
  jacobian(s, np, J, M);
  s->have_lu = lu_factor(M, np);
  if (s->have_lu) {
    lu_solve(M, np, r);
    return true;
  }
  jacobian(s, np, J, M);
  return gs_dk_solve_dense(M, np, np, r, 1, 1);
}

/* ---------------------------------------------------------------- Newton */

/* A tube's current stops where the voltage of its port after the grid
 * (a triode's plate, a pentode's screen) falls to 0, and with it the
 * slope Newton's method steers by: from there the next step, as if the
 * tube were not there, leaps back past the solution, and from there back
 * again, round and round. A step across 0 from above goes half way to it
 * instead, so that the iteration closes in on the solution from above;
 * from within CUTOFF_NEAR of 0 it crosses (the solution may lie below: a
 * cathode driven above a low supply), and below 0 the equations are the
 * circuit's without the tube, which Newton's next step solves. */
#define CUTOFF_NEAR 1e-3 /* volts */
UNROLLED void keep_above_cutoff(const GsDkSolver *s, const double *from, double *v) {
  for (int t = 0; t < s->n_tubes; t++) {
    int a = s->tubes[t].port + 1;
    if (from[a] > CUTOFF_NEAR && v[a] < 0.0) v[a] = 0.5 * from[a];
  }
}

/* v = p + F i(v) from v, the steps as they come but for
 * keep_above_cutoff (a step held to MAX_STEP here, only in part, could
 * circle too). A step smaller than SMALL (relative) is taken and ended
 * with the currents corrected to first order; a residual below RESIDUAL
 * ends it at once. True if it converged. */
UNROLLED bool newton_n(GsDkSolver *s, int np, const double *p, double *v, double *i, int max_iter) {
  double J[GS_DK_MAX_PORTS][3], r[GS_DK_MAX_PORTS];
  for (int it = 0; it < max_iter; it++) {
    currents(s, v, i, J);
    bool done = true;
    for (int a = 0; a < np; a++) {
      r[a] = v[a] - p[a] - dot(s->Fp + a * np, i, np);
      done = done && fabs(r[a]) < RESIDUAL * (1.0 + fabs(v[a]));
    }
    s->iterations = it + 1;
    if (done) return true;
    if (!newton_solve(s, np, J, r)) return false;
    bool small = true;
    double from[GS_DK_MAX_PORTS];
    for (int a = 0; a < np; a++) {
      small = small && fabs(r[a]) < SMALL * (1.0 + fabs(v[a]));
      from[a] = v[a];
      v[a] -= r[a];
    }
    if (small) {
      for (int t = 0; t < s->n_tubes; t++) {
        int p0 = s->tubes[t].port, w = s->tubes[t].kind == GS_DK_TRIODE ? 2 : 3;
        for (int k = 0; k < w; k++) i[p0 + k] -= dot(J[p0 + k], r + p0, w);
      }
      return true;
    }
    keep_above_cutoff(s, from, v);
  }
  return false;
}

static bool newton(GsDkSolver *s, const double *p, double *v, double *i, int max_iter) {
  switch (s->np) { /* constant sizes: loops unrolled */
    case 2: return newton_n(s, 2, p, v, i, max_iter);
    case 4: return newton_n(s, 4, p, v, i, max_iter);
    default: return newton_n(s, s->np, p, v, i, max_iter);
  }
}

#ifndef GS_KERNEL_FMA
bool gs_dk_newton(GsDkSolver *s, const double *p, double *v, double *i) {
  return newton(s, p, v, i, MAX_ITER);
}

void gs_dk_slopes(const GsDkSolver *s, const double *v, double *J) {
  double i[GS_DK_MAX_PORTS], rows[GS_DK_MAX_PORTS][3];
  int np = s->np;
  currents(s, v, i, rows);
  for (int a = 0; a < np * np; a++) J[a] = 0.0;
  for (int t = 0; t < s->n_tubes; t++) {
    int p0 = s->tubes[t].port, w = s->tubes[t].kind == GS_DK_TRIODE ? 2 : 3;
    for (int r = 0; r < w; r++) {
      for (int c = 0; c < w; c++) J[(p0 + r) * np + p0 + c] = rows[p0 + r][c];
    }
  }
}
#endif

/* ------------------------------------------------- triodes by tables */

/* grid() by the table of ln(1 + e^a) (koren.h), 0 below its range. */
static inline double grid_tab(const GsDkTube *t, double v, double *slope) {
  double a = v * t->inv_knee;
  if (a >= GS_SPX_HI) {
    *slope = t->inv_rgi;
    return v * t->inv_rgi;
  }
  double d, sp = gs_spx(t->grid_table, a, &d);
  *slope = d * t->inv_rgi;
  return t->knee_rgi * sp;
}

/* newton_n's first iteration when every tube is a triode (ports: grid,
 * plate, tube by tube), by the tables, with J's known pattern: per tube
 * (dIg/dVgk, 0; dIp/dVgk, dIp/dVpk). True if it ended it; false leaves v
 * where its step took it (or as it was, if the matrix would not factor)
 * for newton_n to go on from. */
UNROLLED bool tri_newton(GsDkSolver *s, int np, const double *p, double *v, double *i) {
  double jg[GS_DK_MAX_PORTS / 2], jk[GS_DK_MAX_PORTS / 2], jp[GS_DK_MAX_PORTS / 2];
  double r[GS_DK_MAX_PORTS];
  for (int t = 0; t < np / 2; t++) {
    const GsDkTube *e = &s->tubes[t];
    i[2 * t] = grid_tab(e, v[2 * t], &jg[t]);
    GsTubeCurrent c = gs_koren_triode_tab(&e->tab, v[2 * t], v[2 * t + 1]);
    i[2 * t + 1] = c.i, jk[t] = c.d_vgk, jp[t] = c.d_vpk;
  }
  double F[GS_DK_MAX_PORTS * GS_DK_MAX_PORTS], M[GS_DK_MAX_PORTS * GS_DK_MAX_PORTS];
  for (int a = 0; a < np * np; a++) F[a] = s->Fp[a]; /* (in registers, not aliased) */
  bool done = true;
  for (int a = 0; a < np; a++) {
    r[a] = v[a] - p[a] - dot_even(F + a * np, i, np);
    done &= fabs(r[a]) < RESIDUAL * (1.0 + fabs(v[a]));
  }
  s->iterations = 1;
  if (done) return true;
  for (int a = 0; a < np; a++) { /* M = I - F J */
    for (int t = 0; t < np / 2; t++) {
      double fg = F[a * np + 2 * t], fp = F[a * np + 2 * t + 1];
      M[a * np + 2 * t] = (a == 2 * t) - (fg * jg[t] + fp * jk[t]);
      M[a * np + 2 * t + 1] = (a == 2 * t + 1) - fp * jp[t];
    }
  }
  s->have_lu = lu_factor(M, np);
  if (!s->have_lu) return false;
  for (int a = 0; a < np * np; a++) s->lu[a] = M[a];
  lu_solve(M, np, r);
  bool small = true;
  for (int a = 0; a < np; a++) {
    double d = r[a];
    small &= fabs(d) < SMALL * (1.0 + fabs(v[a]));
    v[a] -= fabs(d) > MAX_STEP ? copysign(MAX_STEP, d) : d;
  }
  if (!small) return false;
  for (int t = 0; t < np / 2; t++) {
    i[2 * t] -= jg[t] * r[2 * t];
    i[2 * t + 1] -= jk[t] * r[2 * t] + jp[t] * r[2 * t + 1];
  }
  return true;
}

/* ---------------------------------------------------------------- step */

/* The first guess: along the last linearization (no further than
 * MAX_STEP: a jump that far has left the region where it holds), else the
 * line through the last two solutions. */
UNROLLED void predict(const GsDkSolver *s, int np, const double *p, double *v) {
  if (s->have_lu) {
    double dp[GS_DK_MAX_PORTS];
    for (int a = 0; a < np; a++) dp[a] = p[a] - s->p[a];
    lu_solve(s->lu, np, dp);
    for (int a = 0; a < np; a++) {
      double d = fabs(dp[a]) > MAX_STEP ? copysign(MAX_STEP, dp[a]) : dp[a];
      v[a] = s->v[a] + d;
    }
  } else {
    for (int a = 0; a < np; a++) v[a] = 2.0 * s->v[a] - s->v1[a];
  }
}

/* The rest of a sample once p and a guess v are had (and the currents i,
 * inside z = (x, u, i), if `solved` already): Newton from v unless solved,
 * the checks, the new states and outputs. */
UNROLLED void finish_n(GsDkSolver *s, bool solved, int ns, int nu, int np, int no, double *z,
                       const double *p, double *v, double *y) {
  int nz = even(ns + nu + np), nw = no + ns;
  double *i = z + ns + nu;
  s->failed = !(solved || newton_n(s, np, p, v, i, FIRST_TRY));
  if (s->failed) { /* a bad guess (a jump in the input): again from the last solution */
    for (int a = 0; a < np; a++) v[a] = s->v[a];
    s->failed = !newton(s, p, v, i, MAX_ITER);
  }
  double sum = 0.0; /* NaN or infinity anywhere shows in the sum */
  for (int a = 0; a < np; a++) sum += v[a] + i[a];
  if (!isfinite(sum)) { /* start over from rest rather than poison the state */
    gs_dk_reset(s);
    for (int o = 0; o < no; o++) y[o] = s->y0[o];
    return;
  }
  for (int a = 0; a < np; a++) {
    s->v1[a] = s->v[a];
    s->v[a] = v[a];
    s->p[a] = p[a];
  }
  advance(s, nz, nw, no, z, y);
}

/* One sample with np ports, rows of nxu and nz in P and W (constants
 * where inlined below). */
UNROLLED void step_n(GsDkSolver *s, bool tab, int ns, int nu, int np, int no, const double *u,
                     double *y) {
  int nxu = even(ns + nu), nz = even(ns + nu + np);
  /* z = (x, u, i) here, not in s: the compiler may keep it in registers */
  double z[GS_DK_MAX_Z];
  double p[GS_DK_MAX_PORTS], v[GS_DK_MAX_PORTS];
  for (int j = 0; j < nz; j++) z[j] = j < ns ? s->z[j] : j < ns + nu ? u[j - ns] : 0.0;
  for (int a = 0; a < np; a++) p[a] = dot_even(s->P + a * nxu, z, nxu);
  predict(s, np, p, v);
  bool solved = tab && tri_newton(s, np, p, v, z + ns + nu);
  finish_n(s, solved, ns, nu, np, no, z, p, v, y);
}

/* ------------------------------------------------ two triodes, 4 wide */

/* The common case of the two-stage preamp, four lanes at a time (AVX2
 * where the kernel is built for it): the same prediction, one Newton step
 * and state update as step_n, with Newton's matrix inverted (Gauss-Jordan,
 * no pivoting: the same pivots as the LU) instead of factored, so that
 * each solve is four multiply-adds of its columns. Ports: grid, plate of
 * the first triode, then of the second. False, with nothing changed, if
 * the sample needs more than that (a step not yet small, a pivot too
 * small, a result not finite): step_n takes it then. */
#if defined(__GNUC__)
UNROLLED Quad clamp_step(Quad d) {
  for (int k = 0; k < 4; k++)
    d[k] = d[k] > MAX_STEP ? MAX_STEP : d[k] < -MAX_STEP ? -MAX_STEP : d[k];
  return d;
}

/* Rows a[] (of M^T: M's columns) to the rows of (M^T)^-1, the columns of
 * M^-1, into b[]. */
UNROLLED bool invert4(Quad a[4], Quad b[4]) {
  for (int k = 0; k < 4; k++) {
    b[k] = (Quad){0.0, 0.0, 0.0, 0.0};
    b[k][k] = 1.0;
  }
  for (int k = 0; k < 4; k++) {
    double piv = a[k][k];
    if (!(fabs(piv) > MIN_PIVOT)) return false;
    double inv = 1.0 / piv;
    a[k] *= inv;
    b[k] *= inv;
    for (int r = 0; r < 4; r++) {
      if (r == k) continue;
      double f = a[r][k];
      a[r] -= f * a[k];
      b[r] -= f * b[k];
    }
  }
  return true;
}

/* s->inv from s->lu: its columns solve (I - F J) c = e_k. */
static void inverse_from_lu(GsDkSolver *s) {
  for (int k = 0; k < 4; k++) {
    double c[4] = {0.0, 0.0, 0.0, 0.0};
    c[k] = 1.0;
    lu_solve(s->lu, 4, c);
    memcpy(s->inv[k], c, sizeof c);
  }
  s->have_inv = true;
}

/* The sample on from Newton's first step, as step_n's would go on. */
static NOINLINE void tri4_go_on(GsDkSolver *s, double *z, const double *p, double *v, double *y) {
  s->have_inv = false;
  finish_n(s, false, 4, 2, 4, 1, z, p, v, y);
  if (s->have_lu) inverse_from_lu(s);
}

static bool step_tri4(GsDkSolver *s, const double *u, double *y) {
  double z[10]; /* x, u, i */
  memcpy(z, s->z, 4 * sizeof(double));
  z[4] = u[0], z[5] = u[1];
  Quad p = quad(s->Pc[0]) * z[0];
  for (int j = 1; j < 6; j++) p += quad(s->Pc[j]) * z[j];
  Quad v, vl = quad(s->v);
  if (s->have_inv) {
    Quad dp = p - quad(s->p);
    Quad d = quad(s->inv[0]) * dp[0] + quad(s->inv[1]) * dp[1] + quad(s->inv[2]) * dp[2] +
             quad(s->inv[3]) * dp[3];
    v = vl + clamp_step(d);
  } else {
    v = 2.0 * vl - quad(s->v1);
  }
  double jg[2], jk[2], jp[2];
  for (int t = 0; t < 2; t++) {
    const GsDkTube *e = &s->tubes[t];
    z[6 + 2 * t] = grid_tab(e, v[2 * t], &jg[t]);
    GsTubeCurrent c = gs_koren_triode_tab(&e->tab, v[2 * t], v[2 * t + 1]);
    z[7 + 2 * t] = c.i, jk[t] = c.d_vgk, jp[t] = c.d_vpk;
  }
  Quad f0 = quad(s->Fc[0]), f1 = quad(s->Fc[1]), f2 = quad(s->Fc[2]), f3 = quad(s->Fc[3]);
  Quad r = v - p - (f0 * z[6] + f1 * z[7] + f2 * z[8] + f3 * z[9]);
  Quad m[4] = {-(f0 * jg[0] + f1 * jk[0]), -(f1 * jp[0]), -(f2 * jg[1] + f3 * jk[1]),
               -(f3 * jp[1])}; /* M = I - F J by columns */
  for (int k = 0; k < 4; k++) m[k][k] += 1.0;
  Quad b[4];
  if (!invert4(m, b)) return false;
  Quad d = b[0] * r[0] + b[1] * r[1] + b[2] * r[2] + b[3] * r[3];
  Bits sign = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN}; /* |d| < SMALL (1 + |v|) */
  Bits small = (Quad)((Bits)d & ~sign) < SMALL * (1.0 + (Quad)((Bits)v & ~sign));
  if (!(small[0] & small[1] & small[2] & small[3])) { /* Newton goes on from the step */
    double vn[4], pn[4];
    v -= clamp_step(d);
    memcpy(vn, &v, sizeof vn);
    memcpy(pn, &p, sizeof pn);
    tri4_go_on(s, z, pn, vn, y);
    return true;
  }
  v -= d;
  z[6] -= jg[0] * d[0];
  z[7] -= jk[0] * d[0] + jp[0] * d[1];
  z[8] -= jg[1] * d[2];
  z[9] -= jk[1] * d[2] + jp[1] * d[3];
  double sum = v[0] + v[1] + v[2] + v[3] + z[6] + z[7] + z[8] + z[9];
  if (!isfinite(sum)) return false;
  memcpy(s->v1, s->v, sizeof vl);
  memcpy(s->v, &v, sizeof v);
  memcpy(s->p, &p, sizeof p);
  memcpy(s->inv, b, sizeof b);
  s->have_inv = true;
  s->have_lu = false;
  s->iterations = 1;
  s->failed = false;
  advance4(s, z, y);
  return true;
}

#else
static bool step_tri4(GsDkSolver *s, const double *u, double *y) {
  (void)s, (void)u, (void)y;
  return false;
}

#endif

/* Newton's path after the K path: the last solution's port voltages
 * from its p and currents (the sample before: the same), predicted from
 * them. */
static NOINLINE void k_resume(GsDkSolver *s) {
  int np = s->np;
  for (int a = 0; a < np; a++) {
    double v = s->p[a];
    for (int c = 0; c < np; c++) v += s->Fp[a * np + c] * s->k_i[c];
    s->v[a] = s->v1[a] = v;
  }
  s->have_inv = s->have_lu = false;
  s->k_guess = false;
}

/* One sample further along a glide (see gs_dk_update): a straight line,
 * ending exactly on the target. */
static NOINLINE void glide(GsDkSolver *s) {
  int np = s->np, n_p = np * s->nxu, n_w = (s->no + s->ns) * s->nz;
  if (s->glide_left == 1) {
    memcpy(s->P, s->P_to, (size_t)n_p * sizeof(double));
    memcpy(s->W, s->W_to, (size_t)n_w * sizeof(double));
    memcpy(s->Fp, s->Fp_to, (size_t)(np * np) * sizeof(double));
    s->glide_left = 0;
  } else {
    double k = 1.0 / s->glide_left--;
    for (int j = 0; j < n_p; j++) s->P[j] += k * (s->P_to[j] - s->P[j]);
    for (int j = 0; j < n_w; j++) s->W[j] += k * (s->W_to[j] - s->W[j]);
    for (int j = 0; j < np * np; j++) s->Fp[j] += k * (s->Fp_to[j] - s->Fp[j]);
  }
  gs_dk_columns(s);
}

/* Any circuit but the four-wide one's common case, its sizes unrolled
 * where they are constants (one, three or four triode stages with two
 * inputs, signal and supply, two capacitors a stage and one output:
 * fully), out of line so that the common case's call stays small. */
static NOINLINE void step_any(GsDkSolver *s, const double *u, double *y) {
  int ns = s->ns, nu = s->nu, np = s->np, no = s->no;
  if (s->tri4) { /* step_tri4 declined the sample */
    s->have_inv = false;
    step_n(s, true, 4, 2, 4, 1, u, y);
    if (s->have_lu) inverse_from_lu(s);
  } else if (s->tabled && nu == 2 && no == 1 && np == 2 && ns == 2) {
    step_n(s, true, 2, 2, 2, 1, u, y);
  } else if (s->tabled && np == 2) {
    step_n(s, true, ns, nu, 2, no, u, y);
  } else if (s->tabled && np == 4) {
    step_n(s, true, ns, nu, 4, no, u, y);
  } else if (s->tabled && nu == 2 && no == 1 && np == 6 && ns == 6) { /* three stages */
    step_n(s, true, 6, 2, 6, 1, u, y);
  } else if (s->tabled && np == 6) {
    step_n(s, true, ns, nu, 6, no, u, y);
  } else if (s->tabled && nu == 2 && no == 1 && np == 8 && ns == 8) { /* four */
    step_n(s, true, 8, 2, 8, 1, u, y);
  } else {
    step_n(s, false, ns, nu, np, no, u, y);
  }
}

/* Newton's path (the K path's samples counted apart); out of line, as
 * the K path is (dk_kstep.c): neither path's frame burdens the other. */
NOINLINE void GS_KERNEL(gs_dk_sample_newton)(GsDkSolver *s, const double *u, double *y) {
  s->n_samples++;
  if (s->k_guess) k_resume(s);
  if (!(s->tri4 && step_tri4(s, u, y))) step_any(s, u, y);
}

/* (One loop over the block, inside the kernel: the per-sample call the
 * runner made through the dispatch cost about 20 instructions.) */
uint64_t GS_KERNEL(gs_dk_run)(GsDkSolver *s, double *u, double *x, uint32_t n) {
  uint64_t failed = 0;
  for (uint32_t k = 0; k < n; k++) {
    double y[GS_DK_MAX_OUTPUTS];
    bool declined = false;
    if (s->k_live && !s->glide_left) { /* the cascade's common samples in a loop of their own */
      k += GS_KERNEL(gs_dk_run_kcas)(s, u, x + k, n - k);
      if (k == n) break;
      /* three or four stages: sample k is not common (gs_dk_sample_k
       * would find so again): the last grid's step or Newton's path */
      declined = s->kmode >= 3;
    }
    u[0] = x[k];
    if (s->glide_left) glide(s);
    if (declined) {
      GS_KERNEL(gs_dk_sample_k3_other)(s, u, y);
    } else if (s->k_live) {
      GS_KERNEL(gs_dk_sample_k)(s, u, y);
    } else {
      GS_KERNEL(gs_dk_sample_newton)(s, u, y);
    }
    failed += s->failed;
    x[k] = y[0];
  }
  return failed;
}
