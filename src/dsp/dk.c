#include "dsp/dk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DC_SHORT 1e9 /* siemens: an inductor at DC */
#define KNEE 0.02    /* volts: the default grid-diode knee */
#define MAXN (GS_DK_MAX_NODES + GS_DK_MAX_INPUTS)
#define MAXR (GS_DK_MAX_STATES + GS_DK_MAX_INPUTS + GS_DK_MAX_PORTS)

/* ------------------------------------------------------------ netlist */

void gs_dk_clear(GsDkNetlist *n) {
  memset(n, 0, sizeof *n);
}

int gs_dk_node(GsDkNetlist *n) {
  return ++n->n_nodes;
}

static GsDkElem *append(GsDkNetlist *n) {
  static GsDkElem sink; /* absorbs writes past capacity; gs_dk_init refuses */
  if (n->n_elems >= GS_DK_MAX_ELEMS) {
    n->n_elems = GS_DK_MAX_ELEMS + 1;
    return &sink;
  }
  GsDkElem *e = &n->elems[n->n_elems++];
  memset(e, 0, sizeof *e);
  return e;
}

void gs_dk_add(GsDkNetlist *n, GsDkKind kind, int a, int b, double value) {
  GsDkElem *e = append(n);
  e->kind = kind;
  e->a = a;
  e->b = b;
  e->value = value;
}

void gs_dk_source(GsDkNetlist *n, int plus, int minus, int input) {
  GsDkElem *e = append(n);
  e->kind = GS_DK_V;
  e->a = plus;
  e->b = minus;
  e->index = input;
  if (input + 1 > n->n_inputs) n->n_inputs = input + 1;
}

void gs_dk_triode(GsDkNetlist *n, const GsTriodeModel *m, int plate, int grid, int cathode) {
  GsDkElem *e = append(n);
  e->kind = GS_DK_TRIODE;
  e->a = plate;
  e->b = grid;
  e->c = cathode;
  e->triode = m;
}

void gs_dk_pentode(GsDkNetlist *n, const GsPentodeModel *m, int plate, int grid, int cathode,
                   int screen) {
  GsDkElem *e = append(n);
  e->kind = GS_DK_PENTODE;
  e->a = plate;
  e->b = grid;
  e->c = cathode;
  e->d = screen;
  e->pentode = m;
}

void gs_dk_output(GsDkNetlist *n, int node) {
  if (n->n_outputs < GS_DK_MAX_OUTPUTS) n->outputs[n->n_outputs++] = node;
}

/* ------------------------------------------------------- linear algebra */

/* Solve M X = R in place (M n x n, R n x m, both row-major with the given
 * strides) by Gaussian elimination with partial pivoting. */
bool gs_dk_solve_dense(double *M, int n, int mstride, double *R, int m, int rstride) {
  for (int col = 0; col < n; col++) {
    int piv = col;
    for (int r = col + 1; r < n; r++) {
      if (fabs(M[r * mstride + col]) > fabs(M[piv * mstride + col])) piv = r;
    }
    if (fabs(M[piv * mstride + col]) < 1e-300) return false;
    if (piv != col) {
      for (int k = 0; k < n; k++) {
        double t = M[col * mstride + k];
        M[col * mstride + k] = M[piv * mstride + k];
        M[piv * mstride + k] = t;
      }
      for (int k = 0; k < m; k++) {
        double t = R[col * rstride + k];
        R[col * rstride + k] = R[piv * rstride + k];
        R[piv * rstride + k] = t;
      }
    }
    for (int r = col + 1; r < n; r++) {
      double f = M[r * mstride + col] / M[col * mstride + col];
      if (f == 0.0) continue;
      for (int k = col; k < n; k++) M[r * mstride + k] -= f * M[col * mstride + k];
      for (int k = 0; k < m; k++) R[r * rstride + k] -= f * R[col * rstride + k];
    }
  }
  for (int col = n - 1; col >= 0; col--) {
    for (int k = 0; k < m; k++) {
      double acc = R[col * rstride + k];
      for (int j = col + 1; j < n; j++) acc -= M[col * mstride + j] * R[j * rstride + k];
      R[col * rstride + k] = acc / M[col * mstride + col];
    }
  }
  return true;
}

/* ------------------------------------------------------------ reduction */

/* The MNA system S w = Nx x + Nu u + Ni i, and which element each state
 * and port belongs to. */
typedef struct {
  int n, m; /* node rows, source rows */
  double S[MAXN][MAXN];
  double R[MAXN][MAXR]; /* columns: states, inputs, ports */
  int ns, nu, np;
  int state_elem[GS_DK_MAX_STATES];
  double state_g[GS_DK_MAX_STATES];
} Mna;

static void stamp_g(Mna *q, int a, int b, double g) {
  if (a) q->S[a - 1][a - 1] += g;
  if (b) q->S[b - 1][b - 1] += g;
  if (a && b) {
    q->S[a - 1][b - 1] -= g;
    q->S[b - 1][a - 1] -= g;
  }
}

/* A current `sign` times column `col` leaving node a and entering b. */
static void stamp_rhs(Mna *q, int a, int b, int col, double sign) {
  if (a) q->R[a - 1][col] -= sign;
  if (b) q->R[b - 1][col] += sign;
}

static int ports_of(const GsDkElem *e) {
  return e->kind == GS_DK_TRIODE ? 2 : e->kind == GS_DK_PENTODE ? 3 : 0;
}

/* Build the system; dc: capacitors open, inductors shorted, no states. */
static bool build(Mna *q, const GsDkNetlist *n, double rate, bool dc) {
  memset(q, 0, sizeof *q);
  q->n = n->n_nodes;
  q->nu = n->n_inputs;
  int srcs = 0, ports = 0;
  for (int k = 0; k < n->n_elems; k++) {
    const GsDkElem *e = &n->elems[k];
    if (e->kind == GS_DK_V) srcs++;
    if (e->kind == GS_DK_C || e->kind == GS_DK_L) q->ns += dc ? 0 : 1;
    ports += ports_of(e);
  }
  q->m = srcs;
  q->np = ports;
  if (q->n + q->m > MAXN || q->ns > GS_DK_MAX_STATES || q->np > GS_DK_MAX_PORTS) return false;
  int s = 0, src = 0, p = 0, ucol = q->ns, pcol = q->ns + q->nu;
  for (int k = 0; k < n->n_elems; k++) {
    const GsDkElem *e = &n->elems[k];
    switch (e->kind) {
      case GS_DK_R: stamp_g(q, e->a, e->b, 1.0 / e->value); break;
      case GS_DK_C:
        if (dc) break;
        q->state_g[s] = 2.0 * e->value * rate;
        stamp_g(q, e->a, e->b, q->state_g[s]);
        stamp_rhs(q, e->a, e->b, s, -1.0); /* history J enters a */
        q->state_elem[s++] = k;
        break;
      case GS_DK_L:
        if (dc) {
          stamp_g(q, e->a, e->b, DC_SHORT);
          break;
        }
        q->state_g[s] = 1.0 / (2.0 * e->value * rate);
        stamp_g(q, e->a, e->b, q->state_g[s]);
        stamp_rhs(q, e->a, e->b, s, 1.0); /* history I leaves a */
        q->state_elem[s++] = k;
        break;
      case GS_DK_V: {
        int row = q->n + src++;
        if (e->a) q->S[e->a - 1][row] += 1.0, q->S[row][e->a - 1] += 1.0;
        if (e->b) q->S[e->b - 1][row] -= 1.0, q->S[row][e->b - 1] -= 1.0;
        q->R[row][ucol + e->index] = 1.0;
        break;
      }
      case GS_DK_TRIODE: /* grid current g->k, plate current p->k */
        stamp_rhs(q, e->b, e->c, pcol + p, 1.0);
        stamp_rhs(q, e->a, e->c, pcol + p + 1, 1.0);
        p += 2;
        break;
      case GS_DK_PENTODE: /* g1->k, g2->k, p->k */
        stamp_rhs(q, e->b, e->c, pcol + p, 1.0);
        stamp_rhs(q, e->d, e->c, pcol + p + 1, 1.0);
        stamp_rhs(q, e->a, e->c, pcol + p + 2, 1.0);
        p += 3;
        break;
    }
  }
  return gs_dk_solve_dense(&q->S[0][0], q->n + q->m, MAXN, &q->R[0][0], q->ns + q->nu + q->np,
                           MAXR);
}

/* Row of a node voltage difference a - b applied to the solution Z. */
static double diff(const Mna *q, int a, int b, int col) {
  return (a ? q->R[a - 1][col] : 0.0) - (b ? q->R[b - 1][col] : 0.0);
}

/* The port (a, b) pairs in port order. */
static int port_nodes(const GsDkNetlist *n, int *pa, int *pb) {
  int p = 0;
  for (int k = 0; k < n->n_elems; k++) {
    const GsDkElem *e = &n->elems[k];
    if (e->kind == GS_DK_TRIODE) {
      pa[p] = e->b, pb[p++] = e->c;
      pa[p] = e->a, pb[p++] = e->c;
    } else if (e->kind == GS_DK_PENTODE) {
      pa[p] = e->b, pb[p++] = e->c;
      pa[p] = e->d, pb[p++] = e->c;
      pa[p] = e->a, pb[p++] = e->c;
    }
  }
  return p;
}

static void reduce(GsDkSolver *s, const GsDkNetlist *n, const Mna *q) {
  int pa[GS_DK_MAX_PORTS], pb[GS_DK_MAX_PORTS];
  port_nodes(n, pa, pb);
  int ucol = q->ns, pcol = q->ns + q->nu;
  for (int p = 0; p < q->np; p++) {
    for (int j = 0; j < q->ns; j++) s->D[p][j] = diff(q, pa[p], pb[p], j);
    for (int j = 0; j < q->nu; j++) s->E[p][j] = diff(q, pa[p], pb[p], ucol + j);
    for (int j = 0; j < q->np; j++) s->F[p][j] = diff(q, pa[p], pb[p], pcol + j);
  }
  for (int i = 0; i < q->ns; i++) {
    const GsDkElem *e = &n->elems[q->state_elem[i]];
    bool cap = e->kind == GS_DK_C;
    double g2 = 2.0 * q->state_g[i];
    for (int j = 0; j < q->ns; j++) {
      s->A[i][j] = g2 * diff(q, e->a, e->b, j) + (i == j ? (cap ? -1.0 : 1.0) : 0.0);
    }
    for (int j = 0; j < q->nu; j++) s->B[i][j] = g2 * diff(q, e->a, e->b, ucol + j);
    for (int j = 0; j < q->np; j++) s->C[i][j] = g2 * diff(q, e->a, e->b, pcol + j);
  }
  for (int o = 0; o < n->n_outputs; o++) {
    int node = n->outputs[o];
    for (int j = 0; j < q->ns; j++) s->G[o][j] = diff(q, node, 0, j);
    for (int j = 0; j < q->nu; j++) s->H[o][j] = diff(q, node, 0, ucol + j);
    for (int j = 0; j < q->np; j++) s->K[o][j] = diff(q, node, 0, pcol + j);
  }
  gs_dk_pack(s);
}

/* ------------------------------------------------------------ lifecycle */

static void collect_tubes(GsDkSolver *s, const GsDkNetlist *n) {
  int p = 0;
  const GsSoftplusPow *grid_table = gs_softplus_pow(1.0);
  s->n_tubes = 0;
  s->tabled = grid_table != NULL;
  for (int k = 0; k < n->n_elems; k++) {
    const GsDkElem *e = &n->elems[k];
    if (e->kind != GS_DK_TRIODE && e->kind != GS_DK_PENTODE) continue;
    GsDkTube *t = &s->tubes[s->n_tubes++];
    memset(t, 0, sizeof *t);
    double rgi = e->kind == GS_DK_TRIODE ? e->triode->rgi : e->pentode->rgi;
    t->kind = e->kind;
    t->port = p;
    t->inv_knee = 1.0 / s->knee;
    t->knee_rgi = s->knee / rgi;
    t->inv_rgi = 1.0 / rgi;
    if (e->kind == GS_DK_TRIODE) t->triode = gs_koren_triode_prepare(e->triode);
    bool tab = e->kind == GS_DK_TRIODE && gs_koren_triode_tab_prepare(e->triode, &t->tab);
    s->tabled = s->tabled && tab;
    t->grid_table = grid_table;
    t->pentode = e->pentode;
    p += ports_of(e);
  }
}

/* The operating point: the DC system solved with inputs u0, then the
 * states that hold it (no capacitor current, the inductor currents). */
static bool rest(GsDkSolver *s, const GsDkNetlist *n, const Mna *sampled, Mna *scratch,
                 const double *u0) {
  Mna *dc = scratch;
  if (!build(dc, n, 1.0, true)) return false;
  int pa[GS_DK_MAX_PORTS], pb[GS_DK_MAX_PORTS];
  port_nodes(n, pa, pb);
  double pvec[GS_DK_MAX_PORTS];
  int np = s->np;
  for (int p = 0; p < np; p++) { /* the DC F in place of the sampled one, for now */
    pvec[p] = 0.0;
    for (int j = 0; j < s->nu; j++) pvec[p] += diff(dc, pa[p], pb[p], j) * u0[j];
    for (int j = 0; j < np; j++) s->Fp[p * np + j] = diff(dc, pa[p], pb[p], s->nu + j);
    s->v0[p] = 0.0;
  }
  for (int t = 0; t < s->n_tubes; t++) { /* start in the middle of the working range */
    int p0 = s->tubes[t].port, w = s->tubes[t].kind == GS_DK_TRIODE ? 2 : 3;
    s->v0[p0] = -1.0;
    for (int k = 1; k < w; k++) s->v0[p0 + k] = 0.5 * pvec[p0 + k];
  }
  double i[GS_DK_MAX_PORTS];
  bool ok = gs_dk_newton(s, pvec, s->v0, i);
  gs_dk_pack(s);
  if (!ok) return false;
  /* node voltages at rest: w = Zu u0 + Zi i; states from them */
  for (int k = 0; k < s->ns; k++) {
    const GsDkElem *e = &n->elems[sampled->state_elem[k]];
    double vab = 0.0;
    for (int j = 0; j < s->nu; j++) vab += diff(dc, e->a, e->b, j) * u0[j];
    for (int j = 0; j < s->np; j++) vab += diff(dc, e->a, e->b, s->nu + j) * i[j];
    if (e->kind == GS_DK_C) {
      s->x0[k] = sampled->state_g[k] * vab; /* J = g v: no current */
    } else {
      s->x0[k] = vab * DC_SHORT; /* I = i - g v with v = 0: the DC current */
    }
  }
  for (int o = 0; o < s->no; o++) {
    s->y0[o] = 0.0;
    for (int j = 0; j < s->nu; j++) s->y0[o] += diff(dc, n->outputs[o], 0, j) * u0[j];
    for (int j = 0; j < s->np; j++) s->y0[o] += diff(dc, n->outputs[o], 0, s->nu + j) * i[j];
  }
  return true;
}

struct GsDkScratch {
  Mna q;
  double P[GS_DK_MAX_PORTS * GS_DK_MAX_Z]; /* the system a glide starts from */
  double W[(GS_DK_MAX_OUTPUTS + GS_DK_MAX_STATES) * GS_DK_MAX_Z];
  double Fp[GS_DK_MAX_PORTS * GS_DK_MAX_PORTS];
};

GsDkScratch *gs_dk_scratch_new(void) {
  return calloc(1, sizeof(GsDkScratch));
}

void gs_dk_scratch_free(GsDkScratch *scratch) {
  free(scratch);
}

bool gs_dk_update(GsDkSolver *s, const GsDkNetlist *n, double rate, uint32_t glide,
                  GsDkScratch *scratch) {
  if (!scratch || !build(&scratch->q, n, rate, false)) return false;
  if (scratch->q.ns != s->ns || scratch->q.nu != s->nu || scratch->q.np != s->np) return false;
  /* the new system becomes the glide's end; P, W, Fp start from where
   * they are (inside a glide, too) */
  memcpy(scratch->P, s->P, sizeof s->P);
  memcpy(scratch->W, s->W, sizeof s->W);
  memcpy(scratch->Fp, s->Fp, sizeof s->Fp);
  reduce(s, n, &scratch->q);
  s->glide_left = glide;
  if (glide) {
    memcpy(s->P_to, s->P, sizeof s->P);
    memcpy(s->W_to, s->W, sizeof s->W);
    memcpy(s->Fp_to, s->Fp, sizeof s->Fp);
    memcpy(s->P, scratch->P, sizeof s->P);
    memcpy(s->W, scratch->W, sizeof s->W);
    memcpy(s->Fp, scratch->Fp, sizeof s->Fp);
  }
  gs_dk_columns(s);
  s->have_lu = s->have_inv = false; /* F changed: predict from the last two samples */
  gs_dk_k_check(s);
  return true;
}

bool gs_dk_init(GsDkSolver *s, const GsDkNetlist *n, double rate, const double *u0) {
  memset(s, 0, sizeof *s);
  if (n->n_elems > GS_DK_MAX_ELEMS || n->n_nodes > GS_DK_MAX_NODES ||
      n->n_inputs > GS_DK_MAX_INPUTS || !(rate > 0.0)) {
    return false;
  }
  for (int k = 0; k < n->n_elems; k++) {
    const GsDkElem *e = &n->elems[k];
    bool passive = e->kind == GS_DK_R || e->kind == GS_DK_C || e->kind == GS_DK_L;
    if (passive && !(e->value > 0.0 && isfinite(e->value))) return false;
  }
  Mna *q = calloc(2, sizeof *q); /* [main]: too big for some threads' stacks */
  bool ok = q && build(&q[0], n, rate, false);
  if (ok) {
    s->ns = q[0].ns;
    s->nu = q[0].nu;
    s->np = q[0].np;
    s->no = n->n_outputs;
    s->knee = n->grid_knee > 0.0 ? n->grid_knee : KNEE;
    s->grid_moves = n->grid_source_moves;
    collect_tubes(s, n);
    s->tri4 = s->tabled && s->np == 4 && s->ns == 4 && s->nu == 2 && s->no == 1;
    bool casc = s->tabled && s->np == s->ns && s->nu == 2 && s->no == 1;
    s->casc = casc && (s->np == 6 || s->np == 8) ? s->np / 2 : 0;
    reduce(s, n, &q[0]);
    ok = rest(s, n, &q[0], &q[1], u0);
  }
  free(q);
  if (ok) gs_dk_k_setup(s, u0);
  if (ok) gs_dk_reset(s);
  return ok;
}

void gs_dk_reset(GsDkSolver *s) {
  if (s->glide_left) { /* a glide under way ends at once */
    memcpy(s->P, s->P_to, sizeof s->P);
    memcpy(s->W, s->W_to, sizeof s->W);
    memcpy(s->Fp, s->Fp_to, sizeof s->Fp);
    s->glide_left = 0;
    gs_dk_columns(s);
  }
  memset(s->z, 0, sizeof s->z);
  memcpy(s->z, s->x0, (size_t)s->ns * sizeof(double));
  memcpy(s->v, s->v0, sizeof s->v);
  memcpy(s->v1, s->v0, sizeof s->v1);
  s->have_lu = s->have_inv = false;
  s->failed = false;
  s->k_guess = false; /* and the K path's first guess: a at no grid-2 current */
  s->k_vg2 = s->k_ig2 = s->k_a = 0.0;
  s->k_slope = 1.0;
}
