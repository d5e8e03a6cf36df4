/* Triode stages by tables of their port currents (the K method: D. T. Yeh,
 * J. O. Smith, "Simulating guitar distortion circuits using wave digital
 * and nonlinear state-space formulations", DAFx 2008), for gs_dk_run's
 * common cases (dk.h):
 *
 * A triode whose ports (grid, plate) see the 2x2 block F1 of F solves
 * v = q + F1 i(v) for its currents; a table of i = g(q) over q = (q_g,
 * q_p), built once, replaces that solve. Cubic Hermite along q_g (the
 * currents and their exact slopes at the nodes), linear along q_p: the
 * curvature is along the grid axis. A stage whose grid current is solved
 * apart (the second of two: its grid couples to the first stage's plate)
 * gets a one-port table instead: ip = g(v_gk, q_p), v_p = q_p + F_pp ip;
 * and a solved table for its common case, its grid cut off (current 0):
 * ip = g(c, q_p) where v_gk = c + F_gp ip (F_gp its cathode), solved at
 * the nodes, so that the per-sample path has no solve left for it.
 *
 * One triode (np = 2): i = g(p), no solve; but where its grid's source
 * moves (a pot before it, the tube preamp's one stage: that resistance
 * is only in F_gg, which only the grid's current sees), its grid current
 * apart, as a cascade's last stage's below, by a one-port and a solved
 * table that hold whatever F_gg. Two in cascade (the tube
 * preamp's netlist): the common sample (stage 2's grid cut off) by stage
 * 1's table and stage 2's solved table; any other, the unknown is stage
 * 2's grid voltage, a scalar Newton solve through stage 1's and stage 2's
 * one-port table and the grid diode (dk_kstep.c, dk_kgrid.h). Three or
 * four (kmode 3, 4): the later stages' plates by their solved tables, for
 * the samples where every later grid is cut off (dk_k3step.c); where only
 * the last grid conducts, the same scalar solve on it through the last
 * stage's one-port table, the stage before by its solved table at its
 * plate moved by that grid's current (dk_kgrid.h); four stages' solved
 * tables are bicubic (cubic Hermite along the plate axis too, from each
 * node's slope along it and the cross slope: the straight lines' error,
 * two stages of gain after stage 2's table, was 30 dB past three
 * stages'). Each table holds only for the F
 * entries it was built for: gs_dk_update checks them (gs_dk_k_check) and
 * drops to Newton's path if they moved.
 *
 * Tables are built on first use and shared by every solver with the same
 * tube, F entries and ranges, and freed when the last of them is released
 * (gs_dk_k_release); at most GS_K_SLOTS at once (past that, Newton's
 * path: four stages hold five tables, three four, so ~12 preamps of
 * different settings at once). [main] to build; the
 * lookups are dk_step.c's, [audio]. */
#ifndef GS_DSP_DK_K_H
#define GS_DSP_DK_K_H

#include <stdbool.h>
#include <stddef.h>

#define GS_K_SLOTS 64
#define GS_K_STAGES 4 /* in cascade, at most */

/* Along x (the grid axis) the nodes are uniform with spacing hc below xf
 * and hf from xf up (finer, where the grid diode's knee is: a two-port
 * table's grid current bends there); s(x) = (x - xlo) / hc below xf, sf +
 * (x - xf) / hf above, node j at s = j, and the cell [nc, nc + 1] a gap
 * that no x maps into (node nc is xf as the coarse part's end, nc + 1 as
 * the fine part's start: their slopes are scaled by their own spacing).
 * Without a coarse part xf = xlo and sf = 0. Below xlo the tube is cut
 * off: every current is 0 (below 1e-13 A at the plate axis' top). */
typedef struct {
  int ports;  /* 2: per node (ig, ip, ig_x hx, ip_x hx); 1: (ip, ip_x hx) */
  int nx, ny; /* nodes along x, y */
  int nc;     /* the coarse part's last node, -1 if none */
  double xlo, xf, xhi, ihc, ihf, sf;
  double ylo, yhi, ihy;
  /* for the lookups: s(x) = x ihc + oc below xf, x ihf + of above; y's
   * cell position y ihy + oy; cells along x and y (nx - 1, ny - 1); the
   * doubles in a row of nodes */
  double oc, of, oy;
  double cx, cy;
  size_t row;
  /* a bicubic one-port table: each row of nodes, then the same nodes'
   * (ip_y hy, ip_xy hx hy) from `slopes` doubles on; 0 for any other */
  size_t slopes;
  size_t bytes; /* of the whole table */
  /* [ny][nx][2 ports], from a 32-byte boundary: a two-port node is
   * one quad load, and no one-port load straddles more than it must */
  _Alignas(32) double data[];
} GsKTab;

#endif
