/* Nonlinear circuits with vacuum tubes, sample by sample, by the nodal DK
 * method (D. T. Yeh, J. S. Abel, J. O. Smith, "Automated physical modeling
 * of nonlinear audio circuits for real-time audio effects", IEEE TASLP
 * 18(4), 2010; M. Holters, U. Zölzer, "A generalized method for the
 * derivation of non-linear state-space models from circuit schematics",
 * EUSIPCO 2015).
 *
 * A netlist of resistors, capacitors and inductors (trapezoidal companion
 * models: their history currents are the state x), voltage sources (the
 * inputs u) and tubes (their currents i, functions of their port voltages
 * v) is reduced once, by modified nodal analysis, to
 *     v = D x + E u + F i(v)      x' = A x + B u + C i      y = G x + H u + K i
 * so that each sample solves only the tubes' port equations, by Newton's
 * method from the last sample's solution. [main] to build, [audio] to run. */
#ifndef GS_DSP_DK_H
#define GS_DSP_DK_H

#include <stdbool.h>
#include <stdint.h>

#include "dsp/dk_k.h"
#include "dsp/koren.h"

#define GS_DK_MAX_NODES 40 /* besides ground, node 0 */
#define GS_DK_MAX_ELEMS 96
#define GS_DK_MAX_INPUTS 4
#define GS_DK_MAX_STATES 20
#define GS_DK_MAX_PORTS 12
#define GS_DK_MAX_OUTPUTS 4

typedef enum { GS_DK_R, GS_DK_C, GS_DK_L, GS_DK_V, GS_DK_TRIODE, GS_DK_PENTODE } GsDkKind;

/* Nodes are numbered from 1; 0 is ground. A voltage source's value is
 * input number `index`; a triode is (plate a, grid b, cathode c); a
 * pentode (plate a, grid b, cathode c, screen d). */
typedef struct {
  GsDkKind kind;
  int a, b, c, d;
  double value; /* ohms, farads, henries */
  int index;    /* voltage sources: which input */
  const GsTriodeModel *triode;
  const GsPentodeModel *pentode;
} GsDkElem;

typedef struct {
  GsDkElem elems[GS_DK_MAX_ELEMS];
  int n_elems, n_nodes, n_inputs;
  int outputs[GS_DK_MAX_OUTPUTS]; /* nodes whose voltages are y */
  int n_outputs;
  double grid_knee; /* volts: the grid diode's softness (see dk.c) */
  /* The first tube's grid sees a source that gs_dk_update will change
   * (a pot before it): the K path of one triode then takes its grid
   * current apart, by tables that hold whatever that source (dk_k.h). */
  bool grid_source_moves;
} GsDkNetlist;

/* Building a netlist (no checks beyond capacity; gs_dk_init checks). */
void gs_dk_clear(GsDkNetlist *n);
int gs_dk_node(GsDkNetlist *n); /* a new node's number */
void gs_dk_add(GsDkNetlist *n, GsDkKind kind, int a, int b, double value);
void gs_dk_source(GsDkNetlist *n, int plus, int minus, int input);
void gs_dk_triode(GsDkNetlist *n, const GsTriodeModel *m, int plate, int grid, int cathode);
void gs_dk_pentode(GsDkNetlist *n, const GsPentodeModel *m, int plate, int grid, int cathode,
                   int screen);
void gs_dk_output(GsDkNetlist *n, int node);

/* Knees below which the grid diode's current is 0 (dk_step.h's grid()). */
#define GS_GRID_CUT (-20.0)

/* A tube as the solver runs it: its first port, its grid diode's and its
 * plate current's constants. */
typedef struct {
  GsDkKind kind;
  int port;
  double inv_knee, knee_rgi, inv_rgi; /* grid diode (see dk_step.c) */
  GsTriodeFast triode;
  GsTriodeTab tab;                 /* the same triode by tables */
  const GsSoftplusPow *grid_table; /* ln(1 + e^a): the grid diode by tables */
  const GsPentodeModel *pentode;
} GsDkTube;

/* Longest row of the packed per-sample system: states, inputs, ports,
 * rounded up to even. */
#define GS_DK_MAX_Z (GS_DK_MAX_STATES + GS_DK_MAX_INPUTS + GS_DK_MAX_PORTS)

typedef struct {
  int ns, nu, np, no; /* states, inputs, ports, outputs */
  double D[GS_DK_MAX_PORTS][GS_DK_MAX_STATES], E[GS_DK_MAX_PORTS][GS_DK_MAX_INPUTS];
  double F[GS_DK_MAX_PORTS][GS_DK_MAX_PORTS];
  double A[GS_DK_MAX_STATES][GS_DK_MAX_STATES], B[GS_DK_MAX_STATES][GS_DK_MAX_INPUTS];
  double C[GS_DK_MAX_STATES][GS_DK_MAX_PORTS];
  double G[GS_DK_MAX_OUTPUTS][GS_DK_MAX_STATES], H[GS_DK_MAX_OUTPUTS][GS_DK_MAX_INPUTS];
  double K[GS_DK_MAX_OUTPUTS][GS_DK_MAX_PORTS];
  GsDkTube tubes[GS_DK_MAX_PORTS / 2];
  int n_tubes;
  bool tabled; /* triodes only, tables at hand: gs_dk_run's fast path */
  double knee;
  /* The matrices above packed at their exact size for gs_dk_run, on the
   * stacked vector z = (x, u, i): p = P z (rows of nxu), (y, x') = W z
   * (rows of nz), F rows of np. nxu, nz: ns + nu, ns + nu + np, even. */
  int nxu, nz;
  double P[GS_DK_MAX_PORTS * GS_DK_MAX_Z];
  double W[(GS_DK_MAX_OUTPUTS + GS_DK_MAX_STATES) * GS_DK_MAX_Z];
  double Fp[GS_DK_MAX_PORTS * GS_DK_MAX_PORTS];
  /* A glide (gs_dk_update): P, W and Fp move to these in a straight line
   * over glide_left more samples. */
  double P_to[GS_DK_MAX_PORTS * GS_DK_MAX_Z];
  double W_to[(GS_DK_MAX_OUTPUTS + GS_DK_MAX_STATES) * GS_DK_MAX_Z];
  double Fp_to[GS_DK_MAX_PORTS * GS_DK_MAX_PORTS];
  uint32_t glide_left;
  /* Two triodes, two inputs, four states, one output (two preamp stages):
   * gs_dk_run's four-wide path reads P, F and W's state rows by columns
   * (gs_dk_columns) and keeps (I - F J)^-1 rather than its LU. */
  bool tri4, have_inv;
  double Pc[GS_DK_MAX_Z][4], Fc[4][4], Wc[GS_DK_MAX_Z][4];
  double inv[4][4];                              /* (I - F J)^-1 by columns, the last Newton step */
  double z[GS_DK_MAX_Z];                         /* the states x live here */
  double v[GS_DK_MAX_PORTS], p[GS_DK_MAX_PORTS]; /* the last sample's solution and p */
  double v1[GS_DK_MAX_PORTS];                    /* the sample before */
  double lu[GS_DK_MAX_PORTS * GS_DK_MAX_PORTS];  /* I - F J factored, last Newton step */
  bool have_lu;                                  /* lu and p predict the next sample */
  double x0[GS_DK_MAX_STATES], v0[GS_DK_MAX_PORTS]; /* at rest */
  double y0[GS_DK_MAX_OUTPUTS];                     /* outputs at rest */
  int iterations;                                   /* Newton's, last sample */
  bool failed;                                      /* last sample did not converge */
  /* Three or four triode stages (casc: how many; 0 for any other
   * circuit), two inputs, two states a stage, one output: P's and W's
   * state rows by columns for gs_dk_run's K path (dk_k3step.c), eight
   * lanes to a column whatever the stages. */
  int casc;
  double Pnc[GS_DK_MAX_Z][8], Wnc[GS_DK_MAX_Z][8];
  /* The K path (dk_k.h): 1 one triode, 2 to 4 stages in cascade, 0
   * none; live while F holds what its tables were built for (kF: F's
   * entries (g1 g1, g1 p1, p1 g1, p1 p1) and, in cascade, (p2 p2), (g2
   * p2), (p3 p3), (g3 p3), (p4 p4), (g4 p4)). kt: stage 1's two-port
   * table and the later stages' one-port tables; kc: the later stages'
   * solved tables (their grids cut off: dk_k.h). k_grid: one triode
   * whose grid's source moves (grid_moves, the netlist's
   * grid_source_moves), its grid current apart: kt[0] its one-port table,
   * kc[0] its solved one, F[g1][g1] free (dk_kstep.c). */
  int kmode;
  bool k_live, k_grid, grid_moves;
  const GsKTab *kt[GS_K_STAGES], *kc[GS_K_STAGES];
  double kF[2 + 2 * GS_K_STAGES];
  /* k_guess: the last sample was the K path's; then the cascade's grid-2
   * voltage and current (its last grid's; k_grid: the triode's own), the
   * rest of that voltage but for that stage's plate current's part (a),
   * the slope dvg2/da: dk_kgrid.h's next first guess; and the currents (p
   * holds p): Newton's path takes it from there */
  bool k_guess;
  double k_vg2, k_ig2, k_a, k_slope;
  bool k_apart; /* the cascade's stages as its block loop needs them (dk_pack.c) */
  double k_i[GS_DK_MAX_PORTS];
  uint64_t k_samples, n_samples; /* samples by the K path, by Newton's */
} GsDkSolver;

/* Reduce the netlist for samples at `rate` and settle at its DC operating
 * point with inputs u0. False if the netlist is too big, singular, or has
 * no operating point. */
bool gs_dk_init(GsDkSolver *s, const GsDkNetlist *n, double rate, const double *u0);
void gs_dk_reset(GsDkSolver *s);

/* Scratch space for gs_dk_update (the nodal system, ~30 KB). [main] */
typedef struct GsDkScratch GsDkScratch;
GsDkScratch *gs_dk_scratch_new(void);
void gs_dk_scratch_free(GsDkScratch *scratch);

/* Reduce again after resistor, capacitor or inductor values changed (the
 * same netlist otherwise, e.g. a pot turned): the states and the last
 * solution carry on, and the system glides to the new one over `glide`
 * samples (0: at once). A pot moved in steps each tick otherwise steps the
 * output (zipper noise); moved by a glide over each tick, the circuit's
 * matrices are continuous in time. False (and nothing changed) if the
 * network came out singular. [audio] */
bool gs_dk_update(GsDkSolver *s, const GsDkNetlist *n, double rate, uint32_t glide,
                  GsDkScratch *scratch);

/* The solver is run no more: its tables are given back (each is freed
 * when no solver holds it). [main] */
void gs_dk_k_release(GsDkSolver *s);

/* A block: x[k] drives input 0 (the other inputs held at u[1..]) and
 * becomes output 0, for k < n; the samples whose solve failed, counted.
 * [audio] */
uint64_t gs_dk_run(GsDkSolver *s, double *u, double *x, uint32_t n);

/* The small-signal gain |y0 / u0| at f_hz: the circuit linearized at its
 * operating point, as sampled at `rate` (the rate it was reduced for).
 * What a sine of vanishing amplitude measures, without running one. 0 if
 * the linear system is singular. [main] */
double gs_dk_small_signal(const GsDkSolver *s, double f_hz, double rate);

/* Shared by dk.c, dk_linear.c and dk_step.c only. */
bool gs_dk_solve_dense(double *M, int n, int mstride, double *R, int m, int rstride);
void gs_dk_pack(GsDkSolver *s);
void gs_dk_columns(GsDkSolver *s);
bool gs_dk_newton(GsDkSolver *s, const double *p, double *v, double *i);
/* The K path: chosen and its tables had at init (dk_k.c), checked after
 * each gs_dk_update; the tables' bytes (shared with every solver with the
 * same tubes, F entries and ranges, kept for the process). */
void gs_dk_k_setup(GsDkSolver *s, const double *u0);
void gs_dk_k_check(GsDkSolver *s);
size_t gs_dk_k_bytes(const GsDkSolver *s);
/* The tubes' conductances di/dv at port voltages v (np x np, by rows). */
void gs_dk_slopes(const GsDkSolver *s, const double *v, double *J);

#endif
