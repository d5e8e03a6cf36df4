/* The DK solver's reduced system packed for the per-sample paths
 * (dk_step.c, dk_kstep.c): rows at their exact size, and for two triode
 * stages by columns. Set up once, whenever the system changes. */
#include "dsp/dk_step.h"

void gs_dk_pack(GsDkSolver *s) {
  int ns = s->ns, nu = s->nu, np = s->np;
  s->nxu = even(ns + nu);
  s->nz = even(ns + nu + np);
  memset(s->P, 0, sizeof s->P);
  memset(s->W, 0, sizeof s->W);
  for (int a = 0; a < np; a++) {
    double *row = s->P + a * s->nxu;
    for (int j = 0; j < ns; j++) row[j] = s->D[a][j];
    for (int j = 0; j < nu; j++) row[ns + j] = s->E[a][j];
    for (int j = 0; j < np; j++) s->Fp[a * np + j] = s->F[a][j];
  }
  for (int r = 0; r < s->no + ns; r++) { /* outputs first, then states */
    double *row = s->W + r * s->nz;
    bool out = r < s->no;
    int k = out ? r : r - s->no;
    for (int j = 0; j < ns; j++) row[j] = out ? s->G[k][j] : s->A[k][j];
    for (int j = 0; j < nu; j++) row[ns + j] = out ? s->H[k][j] : s->B[k][j];
    for (int j = 0; j < np; j++) row[ns + nu + j] = out ? s->K[k][j] : s->C[k][j];
  }
  gs_dk_columns(s);
}

/* Whether a cascade of n triode stages (stage k: states 2k, 2k + 1, its
 * cathode's and its coupling cap's; ports 2k, 2k + 1, grid and plate)
 * hears in each stage's lanes only what the block loops' common sample
 * gives them (gs_dk_run_kcas, gs_dk_run_k3), as the preamp's netlist has
 * it: p from the stage's states, the coupling cap before it (state 2k -
 * 1), the supply (u1) and for stage 1 the input (u0); the new states from
 * the stage's states, the supply, its own currents and the next stage's
 * grid current (0 there). Every other entry exactly 0: columns j of z =
 * (x, u0, u1, i) in Pc and Wc, `stride` doubles to a column (its first
 * 2n lanes the ports, the states). */
static bool stages_apart(const double *Pc, const double *Wc, int stride, int n) {
  int ns = 2 * n;
  bool apart = true;
  for (int j = 0; j < ns + 2 + ns; j++) {
    int i = j - ns - 2; /* which current, if one */
    for (int a = 0; a < ns; a++) {
      int k = a / 2;
      bool own = j == 2 * k || j == 2 * k + 1 || j == ns + 1;
      bool in_p = own || j == 2 * k - 1 || (j == ns && k == 0);
      bool in_w = own || i == 2 * k || i == 2 * k + 1 || i == 2 * k + 2;
      if (j < ns + 2) apart &= in_p || Pc[j * stride + a] == 0.0;
      apart &= in_w || Wc[j * stride + a] == 0.0;
    }
  }
  return apart;
}

/* P's and W's state rows by columns, `lanes` of them (Pc, Wc as
 * [GS_DK_MAX_Z][stride], the lanes past them 0). */
static void by_columns(const GsDkSolver *s, double *Pc, double *Wc, int lanes, int stride) {
  for (int j = 0; j < s->nxu; j++) {
    for (int a = 0; a < stride; a++) Pc[j * stride + a] = a < lanes ? s->P[a * s->nxu + j] : 0.0;
  }
  for (int j = 0; j < s->nz; j++) { /* W's rows 1..: the states */
    for (int a = 0; a < stride; a++)
      Wc[j * stride + a] = a < lanes ? s->W[(1 + a) * s->nz + j] : 0.0;
  }
}

void gs_dk_columns(GsDkSolver *s) {
  s->k_apart = false;
  if (s->casc) {
    by_columns(s, &s->Pnc[0][0], &s->Wnc[0][0], 2 * s->casc, 8);
    s->k_apart = stages_apart(&s->Pnc[0][0], &s->Wnc[0][0], 8, s->casc);
  }
  if (!s->tri4) return;
  by_columns(s, &s->Pc[0][0], &s->Wc[0][0], 4, 4);
  for (int c = 0; c < 4; c++) {
    for (int a = 0; a < 4; a++) s->Fc[c][a] = s->Fp[a * 4 + c];
  }
  s->k_apart = s->nxu == 6 && s->nz == 10 && stages_apart(&s->Pc[0][0], &s->Wc[0][0], 4, 2);
}
