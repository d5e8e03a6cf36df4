/* Tube circuits as DK netlists (src/dsp/dk.h), built from component
 * values: the pieces the triode, preamp and power-amp stages share. */
#ifndef GS_DSP_TUBE_CIRCUITS_H
#define GS_DSP_TUBE_CIRCUITS_H

#include "dsp/dk.h"

/* A common-cathode triode stage (see src/stages/triode.c for the figure). */
typedef struct {
  const GsTriodeModel *tube;
  double bplus;              /* volts (the supply node is the caller's) */
  double ra, rk, rs, rg, rl; /* ohms; rl, rg <= 0: none (a pot or the next
                                stage's grid leak serves) */
  double ck, cout;           /* farads; ck <= 0: cathode not bypassed */
} GsTriodeStage;

/* Add the stage driven at node `in`, supplied at node `bplus`; returns the
 * output node (after the coupling capacitor). */
int gs_tc_common_cathode(GsDkNetlist *n, const GsTriodeStage *v, int in, int bplus);

/* A potentiometer of `ohms` from `top` to ground, its wiper at `position`
 * (0 ground, 1 top) along an audio (10 %) taper; returns the wiper node. */
int gs_tc_pot(GsDkNetlist *n, int top, double ohms, double position);
#define GS_TC_POT_END 1e-4 /* of the track: what a pot's end keeps (-80 dB) */

/* The audio taper (the fraction of the voltage at the wiper) and its
 * inverse. [any] */
double gs_tc_taper(double position);
double gs_tc_taper_inverse(double fraction);

#endif
