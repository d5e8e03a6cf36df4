/* A tube power amplifier's output section, solved sample by sample as a
 * circuit: phase inverter -> coupling capacitors and bias feeds -> the
 * output tubes' grids (with grid current) -> pentodes (Koren's equations,
 * src/dsp/koren.h) -> output transformer loaded by the speaker -> global
 * negative feedback (presence, resonance) back to the phase inverter; the
 * supply sags under the tubes' current.
 *
 * What is modelled and how:
 * - Phase inverter: a long-tailed pair seen by its differential transfer,
 *   gain `pi_gain` (both sides together) limited smoothly (tanh) at its
 *   plates' swing `pi_swing` per side, output resistance `pi_rout`.
 * - Coupling cap `cc` into the grid, bias feed `rb` to `bias` volts, grid
 *   stopper `rgs` in series with the tube's grid conduction (rgi): above 0 V
 *   the grid draws current, charges the cap and shifts the bias (blocking).
 *   Fixed bias; cathodes at ground; screens at the supply node.
 * - Output transformer (ideal, centre-tapped for push-pull): the plates see
 *   n² times the load's impedance (the speaker's impedance curve, from the
 *   next stage's terminals), in parallel with the primary inductance and
 *   winding capacitance. Push-pull: v_plate = B+ ± vpp/2 and
 *   vpp = -Z_pp (ia - ib)/2; single-ended: v_plate = B+ + vpp, vpp = -Z_p ia.
 * - Feedback: from a 16-ohm-equivalent tap through `rfb` (+ resonance: up
 *   to 250k shunted by 4.7 nF, less feedback at low frequencies) into the
 *   inverter's 4.7k tail resistor, shunted by presence (a 5k pot and
 *   0.1 µF: less feedback at high frequencies).
 * - Supply: B+ fed from an unloaded `vraw` through `rsag` (rectifier and
 *   transformer) into the reservoir `cfilter`; the tubes' plate and screen
 *   currents draw it down (updated at about 48 kHz, exactly for the RC).
 * One unknown per sample (vpp); the solution is monotone in it, so a
 * Newton iteration guarded by bisection always converges. [main] to
 * build, [audio] to run. */
#ifndef GS_DSP_PUSHPULL_H
#define GS_DSP_PUSHPULL_H

#include <complex.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "dsp/iir.h"
#include "dsp/koren.h"
#include "dsp/rational.h"

typedef struct {
  const GsPentodeModel *tube;
  bool single_ended;
  int parallel; /* tubes per side */
  double bplus; /* volts at idle */
  double raa;   /* ohms: plate to plate (push-pull) or plate load (SE) */
  double rload; /* the rated load on the secondary, ohms */
  double bias;  /* grid bias, volts (negative) */
  double lp_hz; /* primary inductance: its reactance equals raa here */
  double cp_hz; /* winding capacitance: its reactance equals raa here */
  double pi_gain, pi_swing, pi_rout;
  double cc, rb, rgs;
  double rsag, cfilter;
  double rfb;                 /* feedback resistor, ohms; 0: no feedback */
  double presence, resonance; /* 0..1 */
} GsPushPullDesign;

/* The per-sample solver's tube functions, linearly interpolated between
 * knots (pushpull_step.c): table t holds, for interval k, the value at its
 * start in t[0][k] and its rise across it in t[1][k], so that a lookup is
 * an index and a multiply-add, and the slope Newton steers by is the
 * interpolant's own.
 * - th: tanh(u), u in [-GS_PPT_TR, GS_PPT_TR], GS_PPT_TS intervals a unit
 *   (error < 6e-6 of the swing);
 * - h: Koren's ln(1 + e^w)^ex, w from GS_PPT_HLO, GS_PPT_HS intervals a
 *   unit, GS_PPT_HN of them (relative error < 7e-5 for ex up to 1.46;
 *   beyond them koren.h's tables);
 * - at: arctan(x) by t = x / (1 + x) in [0, 1), GS_PPT_AN intervals
 *   (error < 4e-7);
 * - sg: max(w, 0)^ex, the screen current's factor (Koren's (vg2/mu +
 *   vg1)^ex = (vg2/kp)^ex w^ex, w h's argument), at h's positions
 *   (relative error < 3e-5 for w > 1, absolute < 5e-4 below; beyond them
 *   koren.h's x^ex). */
#define GS_PPT_TR 8.0
#define GS_PPT_TS 128.0
#define GS_PPT_TN 2048 /* 2 GS_PPT_TR GS_PPT_TS */
#define GS_PPT_HLO (-30.0)
#define GS_PPT_HS 64.0
#define GS_PPT_HN 3456 /* to w = 24 */
#define GS_PPT_AN 1024

typedef struct {
  double ex;
  double th[2][GS_PPT_TN], h[2][GS_PPT_HN], at[2][GS_PPT_AN], sg[2][GS_PPT_HN];
} GsPpTables;

/* The tables for exponent ex, built on first use and kept for the process
 * (NULL: out of memory, or more exponents than it keeps). [main] */
const GsPpTables *gs_pp_tables(double ex);

/* The feedback network's order at most (a network of higher order is
 * refused): the solver keeps as many samples of its history. */
#define GS_PP_BETA_MAX 3

typedef struct {
  GsPushPullDesign d;
  double rate; /* the rate it runs at (oversampled) */
  double n;    /* turns ratio, primary (whole) to secondary */
  double tapk; /* the feedback tap's voltage per volt at the load */
  double k_in; /* input volts to inverter volts */
  GsRational yload;
  GsIirCoefs y; /* the load reflected to the primary: volts to amps */
  GsIirState yst;
  double gl, gcp;     /* primary inductance, winding capacitance: i = g v + h */
  double hz[2];       /* zd (hl + hcp), zd (hl - hcp): their h's, as the solver wants them */
  double zd;          /* 1 / the primary node's total conductance */
  GsIirCoefs beta;    /* feedback network: tap volts to inverter tail volts (GS_PP_BETA_MAX) */
  GsIirCoefs beta_to; /* where beta morphs to (bst.morph_left samples) */
  GsIirState bst;
  double bd;
  bool feedback;  /* a network, or a morph to or from none, in the loop */
  double gc, gbr; /* coupling caps' companion and branch conductances */
  double j[2];    /* their history currents, each side (a pair to the solver) */
  double ja0;
  double vb, vraw, decay;
  /* The supply moves once every supply_every samples (about 48 kHz: its
   * time constants are milliseconds), on the plates' mean current over
   * them; the plate constants that depend on it with it. */
  int supply_every, supply_left;
  double isum[2];                /* each side's plate current since, over pl_scale */
  double decay_n, pl_scale, qh1; /* qh1: h's table position per volt of vg1 */
  /* constants of the per-sample solver (pushpull_step.c) */
  const GsPpTables *lut;    /* the inverter's tanh, the plate currents */
  const GsSoftplusPow *tab; /* the pentode's ex: the supply's constants,
                               h and the screens beyond lut */
  double qh0;               /* h's table position at vg1 = 0 */
  double inv_gc, bias_g, inv_den0, inv_den1, g_sw, kpl, inv_kvb, tap_n;
  double two_kg1, inv_kp, kp_hs, i_plate, i_screen; /* the supply's */
  double c_g, c_p; /* f's slopes by the inverter and the plates, over pl_scale */
  double zd_kd;    /* f's volts per amp of ia - ib: zd parallel (/2 push-pull) */
  /* the last solution, and what the next first guess steps from (the
   * last linearization, f offset, input and guess less its miss:
   * pushpull_step.c's State) */
  double vpp, idf_last, fe_last, sz_last, e0_last, lin_last;
  double fb_z; /* the feedback network's next free response by its history but for vpp's step */
  atomic_ullong failures; /* samples that restarted from rest: read from any thread */
} GsPushPull;

/* Build for `rate` with the load admittance yload (NULL: the rated
 * resistive load). False if the transformer's load could not be made
 * digital, or the solver's tables not had. */
bool gs_pp_init(GsPushPull *p, const GsPushPullDesign *d, const GsRational *yload, double rate);
void gs_pp_reset(GsPushPull *p);

/* Live: presence, resonance and rfb moved (d's other values unchanged);
 * the network's coefficients morph to the new ones over `glide` samples
 * (0: at once). */
void gs_pp_set_feedback(GsPushPull *p, double rfb, double presence, double resonance,
                        uint32_t glide);

/* A sample further along a morph of the feedback network (gs_pp_run's). */
void gs_pp_morph_feedback(GsPushPull *p);

/* n samples in place: input volts (before k_in) in, volts at the load
 * out. */
void gs_pp_run(GsPushPull *p, double *x, uint32_t n);

/* Small-signal, at idle: the voltage gain from the input (before k_in) to
 * a load of admittance yl (NULL: the rated resistor), and the output
 * impedance the amplifier presents to its load, both at hz. */
double complex gs_pp_gain(const GsPushPull *p, const GsRational *yl, double hz);
double complex gs_pp_zout(const GsPushPull *p, double hz);

/* The loop gain's return difference |1 + T| at hz with the rated load. */
double gs_pp_feedback_db(const GsPushPull *p, double hz);

/* The feedback resistor that gives feedback_db of feedback at 1 kHz into
 * the rated load with presence and resonance at 0 (0 dB: none, 0 ohms). */
double gs_pp_rfb_for(const GsPushPull *p, double feedback_db);

/* The supply voltage now, and the time constant its recovery follows at
 * idle (the reservoir against rsag and the tubes' own draw). */
double gs_pp_supply(const GsPushPull *p);
double gs_pp_recovery_seconds(const GsPushPull *p);

/* Static estimate of the largest undistorted output power (the driven
 * tube's grid at 0 V, the other cut off; the supply sagged by the average
 * current), watts into the rated load. */
double gs_pp_max_watts(const GsPushPullDesign *d);

/* The per-sample solver's constants from p's design (gs_pp_init calls
 * it; pushpull_step.c). [main] */
void gs_pp_prepare(GsPushPull *p);
/* The plate constants for the supply voltage vb now. [audio] */
void gs_pp_supply_moved(GsPushPull *p);
/* The feedback network's history or coefficients were changed outside
 * gs_pp_run (not by a morph): what the solver carries of them follows.
 * [audio], between blocks */
void gs_pp_history_moved(GsPushPull *p);

/* The grid bias that sets each tube's idle plate current to amps. */
double gs_pp_bias_for(const GsPentodeModel *m, double bplus, double amps);

#endif
