#include "dsp/mna.h"

#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846
#define NPTS 16 /* evaluation points: more than any degree we produce */

void gs_mna_init(GsMnaCircuit *c, int n_nodes, int in_node, int out_node) {
  memset(c, 0, sizeof *c);
  c->n_nodes = n_nodes;
  c->in_node = in_node;
  c->out_node = out_node;
}

void gs_mna_add(GsMnaCircuit *c, GsMnaKind kind, int a, int b, double value) {
  if (c->n_elems >= GS_MNA_MAX_ELEMS) return;
  GsMnaElem *e = &c->elems[c->n_elems++];
  e->kind = kind;
  e->a = a;
  e->b = b;
  e->value = value;
}

void gs_mna_add_opamp(GsMnaCircuit *c, int plus, int minus, int out) {
  if (c->n_elems >= GS_MNA_MAX_ELEMS) return;
  GsMnaElem *e = &c->elems[c->n_elems++];
  e->kind = GS_MNA_OPAMP;
  e->a = plus;
  e->b = minus;
  e->c = out;
}

typedef double complex Cx;

/* Unknowns are all nodes except ground and the input node. */
typedef struct {
  int idx[GS_MNA_MAX_NODES]; /* node -> unknown index, -1 if known */
  int n;
} Map;

static void make_map(const GsMnaCircuit *c, Map *m) {
  m->n = 0;
  for (int k = 0; k < c->n_nodes; k++) {
    m->idx[k] = (k == 0 || k == c->in_node) ? -1 : m->n++;
  }
}

static Cx elem_admittance(const GsMnaElem *e, Cx s) {
  return e->kind == GS_MNA_R ? 1.0 / e->value : s * e->value;
}

/* Nodal matrix at s, with rhs for Vin = 1 (rhs_in) and for 1 A injected
 * at the output with the input grounded (rhs_out). */
static void stamp(const GsMnaCircuit *c, const Map *m, Cx s, Cx A[][GS_MNA_MAX_NODES], Cx *rhs_in,
                  Cx *rhs_out) {
  int n = m->n;
  for (int i = 0; i < n; i++) {
    rhs_in[i] = rhs_out[i] = 0.0;
    for (int j = 0; j < n; j++) A[i][j] = 0.0;
  }
  for (int k = 0; k < c->n_elems; k++) {
    const GsMnaElem *e = &c->elems[k];
    if (e->kind == GS_MNA_OPAMP) continue;
    Cx y = elem_admittance(e, s);
    int ia = m->idx[e->a], ib = m->idx[e->b];
    if (ia >= 0) A[ia][ia] += y;
    if (ib >= 0) A[ib][ib] += y;
    if (ia >= 0 && ib >= 0) {
      A[ia][ib] -= y;
      A[ib][ia] -= y;
    }
    /* a known input voltage moves to the right-hand side */
    if (ia >= 0 && e->b == c->in_node) rhs_in[ia] += y;
    if (ib >= 0 && e->a == c->in_node) rhs_in[ib] += y;
  }
  int io = m->idx[c->out_node];
  if (io >= 0) rhs_out[io] = 1.0;
  /* An ideal op-amp forces V+ = V- and supplies whatever current its
   * output needs, so its output node's KCL row becomes that constraint. */
  for (int k = 0; k < c->n_elems; k++) {
    const GsMnaElem *e = &c->elems[k];
    if (e->kind != GS_MNA_OPAMP) continue;
    int row = m->idx[e->c];
    if (row < 0) continue;
    for (int j = 0; j < n; j++) A[row][j] = 0.0;
    rhs_in[row] = rhs_out[row] = 0.0;
    int ip = m->idx[e->a], in = m->idx[e->b];
    if (ip >= 0) A[row][ip] += 1.0;
    if (in >= 0) A[row][in] -= 1.0;
    if (e->a == c->in_node) rhs_in[row] -= 1.0;
    if (e->b == c->in_node) rhs_in[row] += 1.0;
  }
}

/* LU with partial pivoting; solves for two right-hand sides; returns det. */
static Cx lu_solve(Cx A[][GS_MNA_MAX_NODES], int n, Cx *b1, Cx *b2) {
  Cx det = 1.0;
  for (int col = 0; col < n; col++) {
    int piv = col;
    for (int r = col + 1; r < n; r++) {
      if (cabs(A[r][col]) > cabs(A[piv][col])) piv = r;
    }
    if (piv != col) {
      for (int j = 0; j < n; j++) {
        Cx t = A[col][j];
        A[col][j] = A[piv][j];
        A[piv][j] = t;
      }
      Cx t = b1[col];
      b1[col] = b1[piv];
      b1[piv] = t;
      t = b2[col];
      b2[col] = b2[piv];
      b2[piv] = t;
      det = -det;
    }
    Cx p = A[col][col];
    det *= p;
    if (p == 0.0) return 0.0;
    for (int r = col + 1; r < n; r++) {
      Cx f = A[r][col] / p;
      if (f == 0.0) continue;
      for (int j = col; j < n; j++) A[r][j] -= f * A[col][j];
      b1[r] -= f * b1[col];
      b2[r] -= f * b2[col];
    }
  }
  for (int r = n - 1; r >= 0; r--) {
    for (int j = r + 1; j < n; j++) {
      b1[r] -= A[r][j] * b1[j];
      b2[r] -= A[r][j] * b2[j];
    }
    b1[r] /= A[r][r];
    b2[r] /= A[r][r];
  }
  return det;
}

/* Coefficients of a polynomial of degree < NPTS from its values at
 * rho e^{i theta_k}; terms below rel of the largest are exact zeros. */
static GsPoly interpolate(const Cx *vals, const double *theta, double rho, int max_deg,
                          double rel) {
  GsPoly p;
  memset(&p, 0, sizeof p);
  double scaled[NPTS];
  double biggest = 0.0;
  for (int k = 0; k < NPTS; k++) {
    Cx acc = 0.0;
    for (int j = 0; j < NPTS; j++) acc += vals[j] * cexp(-I * k * theta[j]);
    scaled[k] = creal(acc) / NPTS;
    biggest = fmax(biggest, fabs(scaled[k]));
  }
  p.deg = -1;
  for (int k = 0; k <= max_deg && k < GS_POLY_MAX; k++) {
    if (fabs(scaled[k]) > rel * biggest) {
      p.c[k] = scaled[k] / pow(rho, k);
      p.deg = k;
    }
  }
  return p;
}

static bool solve_at_radius(const GsMnaCircuit *c, const Map *m, double rho, GsMnaResult *out) {
  Cx A[GS_MNA_MAX_NODES][GS_MNA_MAX_NODES];
  Cx b1[GS_MNA_MAX_NODES], b2[GS_MNA_MAX_NODES];
  Cx det[NPTS], hnum[NPTS], inum[NPTS], znum[NPTS];
  double theta[NPTS];
  int io = m->idx[c->out_node];
  for (int k = 0; k < NPTS; k++) {
    theta[k] = 2.0 * PI * (k + 0.37) / NPTS;
    Cx s = rho * cexp(I * theta[k]);
    stamp(c, m, s, A, b1, b2);
    Cx d = lu_solve(A, m->n, b1, b2);
    if (d == 0.0 || !isfinite(creal(d))) return false;
    det[k] = d;
    Cx vout = io >= 0 ? b1[io] : (c->out_node == c->in_node ? 1.0 : 0.0);
    hnum[k] = vout * d;
    znum[k] = (io >= 0 ? b2[io] : 0.0) * d;
    /* source current: sum over elements touching the input node */
    Cx cur = 0.0;
    for (int e = 0; e < c->n_elems; e++) {
      const GsMnaElem *el = &c->elems[e];
      if (el->kind == GS_MNA_OPAMP) continue;
      int other;
      if (el->a == c->in_node) {
        other = el->b;
      } else if (el->b == c->in_node) {
        other = el->a;
      } else {
        continue;
      }
      Cx vo = other == 0 ? 0.0 : (m->idx[other] >= 0 ? b1[m->idx[other]] : 1.0);
      cur += elem_admittance(el, s) * (1.0 - vo);
    }
    inum[k] = cur * d;
  }
  const double rel = 1e-11;
  /* each capacitor adds at most one power of s to the determinant */
  int caps = 0;
  for (int e = 0; e < c->n_elems; e++) caps += c->elems[e].kind == GS_MNA_C;
  GsPoly den = interpolate(det, theta, rho, caps, rel);
  if (den.deg < 0) return false;
  double norm = den.c[den.deg] != 0.0 && den.c[0] == 0.0 ? den.c[den.deg] : den.c[0];
  den = gs_poly_scale(&den, 1.0 / norm);
  GsPoly hn = interpolate(hnum, theta, rho, caps, rel);
  GsPoly in = interpolate(inum, theta, rho, caps + 1, rel);
  GsPoly zn = interpolate(znum, theta, rho, caps, rel);
  out->h = gs_rat_make(gs_poly_scale(&hn, 1.0 / norm), den);
  out->yin = gs_rat_make(gs_poly_scale(&in, 1.0 / norm), den);
  out->zout = gs_rat_make(gs_poly_scale(&zn, 1.0 / norm), den);
  return true;
}

bool gs_mna_solve(const GsMnaCircuit *c, GsMnaResult *out) {
  if (c->n_nodes > GS_MNA_MAX_NODES || c->n_nodes < 2) return false;
  Map m;
  make_map(c, &m);
  if (m.n == 0) return false;
  /* First pass at audio-band scale, then again at the scale of the
   * circuit's own time constants for the best conditioning. */
  double rho = 2.0 * PI * 1000.0;
  if (!solve_at_radius(c, &m, rho, out)) return false;
  const GsPoly *d = &out->h.den;
  if (d->deg > 0 && d->c[0] != 0.0 && d->c[d->deg] != 0.0) {
    double r2 = pow(fabs(d->c[0] / d->c[d->deg]), 1.0 / d->deg);
    if (isfinite(r2) && r2 > 0.0 && fabs(log(r2 / rho)) > 0.1) {
      GsMnaResult second;
      if (solve_at_radius(c, &m, r2 * 1.0137, &second)) *out = second;
    }
  }
  return true;
}
