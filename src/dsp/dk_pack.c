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

/* Whether the cascade's stage 1 (states 0 and 1: its cathode's and its
 * coupling cap; ports g1, p1) hears stage 2's states (2, 3) and plate
 * current (z's 9) nowhere, and stage 2's states hear stage 1's (z's 0,
 * 1) and currents (6, 7) and the input (4) only through p (as the
 * preamp's netlist has it): entries exactly 0, (j, lane) of Pc and Wc. */
static bool stages_apart(const GsDkSolver *s) {
  static const signed char pz[][2] = {{2, 0}, {2, 1}, {3, 0}, {3, 1},
                                      {0, 2}, {0, 3}, {4, 2}, {4, 3}};
  static const signed char wz[][2] = {{2, 0}, {2, 1}, {3, 0}, {3, 1}, {4, 0}, {4, 1},
                                      {9, 0}, {9, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3},
                                      {4, 2}, {4, 3}, {6, 2}, {6, 3}, {7, 2}, {7, 3}};
  bool apart = true;
  for (size_t k = 0; k < sizeof pz / sizeof pz[0]; k++) apart &= s->Pc[pz[k][0]][pz[k][1]] == 0.0;
  for (size_t k = 0; k < sizeof wz / sizeof wz[0]; k++) apart &= s->Wc[wz[k][0]][wz[k][1]] == 0.0;
  return apart;
}

void gs_dk_columns(GsDkSolver *s) {
  s->k_apart = false;
  if (!s->tri4) return;
  for (int j = 0; j < s->nxu; j++) {
    for (int a = 0; a < 4; a++) s->Pc[j][a] = s->P[a * s->nxu + j];
  }
  for (int c = 0; c < 4; c++) {
    for (int a = 0; a < 4; a++) s->Fc[c][a] = s->Fp[a * 4 + c];
  }
  for (int j = 0; j < s->nz; j++) { /* W's rows 1..4: the states */
    for (int a = 0; a < 4; a++) s->Wc[j][a] = s->W[(1 + a) * s->nz + j];
  }
  s->k_apart = s->nxu == 6 && s->nz == 10 && stages_apart(s);
}
