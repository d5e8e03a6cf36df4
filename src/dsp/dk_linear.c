/* The DK system (dk.h) linearized at its operating point. With the tubes'
 * conductances J = di/dv there, a small change of the states and inputs
 * moves the ports by dv = (I - F J)^-1 (D dx + E du), so the currents by
 * di = L (D dx + E du), L = J (I - F J)^-1, and the circuit is the linear
 * state space
 *     x' = (A + C L D) x + (B + C L E) u      y = (G + K L D) x + (H + K L E) u
 * whose response at z = e^(j w T) is y/u = h + g (z I - A^)^-1 b. */
#include <math.h>
#include <string.h>

#include "dsp/dk.h"

#define N_MAX GS_DK_MAX_STATES
#define P_MAX GS_DK_MAX_PORTS

/* L = J (I - F J)^-1 at the operating point (np x np, by rows). */
static bool port_gain(const GsDkSolver *s, double *L) {
  int np = s->np;
  double J[P_MAX * P_MAX], M[P_MAX * P_MAX];
  gs_dk_slopes(s, s->v0, J);
  /* L (I - F J) = J, transposed: (I - F J)^T L^T = J^T */
  for (int r = 0; r < np; r++) {
    for (int c = 0; c < np; c++) {
      double fj = 0.0;
      for (int k = 0; k < np; k++) fj += s->F[c][k] * J[k * np + r];
      M[r * np + c] = (r == c ? 1.0 : 0.0) - fj; /* (I - F J)^T */
      L[r * np + c] = J[c * np + r];             /* J^T */
    }
  }
  if (!gs_dk_solve_dense(M, np, np, L, np, np)) return false;
  for (int r = 0; r < np; r++) { /* back from L^T */
    for (int c = r + 1; c < np; c++) {
      double t = L[r * np + c];
      L[r * np + c] = L[c * np + r];
      L[c * np + r] = t;
    }
  }
  return true;
}

/* row . LX[.][col] over the ports */
static double through(const double *row, double LX[][N_MAX + 1], int np, int col) {
  double acc = 0.0;
  for (int a = 0; a < np; a++) acc += row[a] * LX[a][col];
  return acc;
}

double gs_dk_small_signal(const GsDkSolver *s, double f_hz, double rate) {
  int ns = s->ns, np = s->np;
  double L[P_MAX * P_MAX], LX[P_MAX][N_MAX + 1]; /* LX = L [D | E's column 0] */
  if (!port_gain(s, L)) return 0.0;
  for (int a = 0; a < np; a++) {
    for (int j = 0; j <= ns; j++) {
      LX[a][j] = 0.0;
      for (int b = 0; b < np; b++) LX[a][j] += L[a * np + b] * (j < ns ? s->D[b][j] : s->E[b][0]);
    }
  }
  /* (z I - A^) w = b as a real system of twice the size: [Re -Im; Im Re] */
  double M[2 * N_MAX * 2 * N_MAX], w[2 * N_MAX];
  double re = cos(2.0 * M_PI * f_hz / rate), im = sin(2.0 * M_PI * f_hz / rate);
  int n2 = 2 * ns;
  for (int r = 0; r < ns; r++) {
    for (int c = 0; c < ns; c++) {
      double d = (r == c ? re : 0.0) - (s->A[r][c] + through(s->C[r], LX, np, c));
      M[r * n2 + c] = d;
      M[(r + ns) * n2 + c + ns] = d;
      M[r * n2 + c + ns] = r == c ? -im : 0.0;
      M[(r + ns) * n2 + c] = r == c ? im : 0.0;
    }
    w[r] = s->B[r][0] + through(s->C[r], LX, np, ns);
    w[r + ns] = 0.0;
  }
  if (ns && !gs_dk_solve_dense(M, n2, n2, w, 1, 1)) return 0.0;
  double y_re = s->H[0][0] + through(s->K[0], LX, np, ns), y_im = 0.0;
  for (int c = 0; c < ns; c++) {
    double g = s->G[0][c] + through(s->K[0], LX, np, c);
    y_re += g * w[c];
    y_im += g * w[c + ns];
  }
  return hypot(y_re, y_im);
}
