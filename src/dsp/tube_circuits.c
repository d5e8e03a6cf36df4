#include "dsp/tube_circuits.h"

#include <math.h>

int gs_tc_common_cathode(GsDkNetlist *n, const GsTriodeStage *v, int in, int bplus) {
  int g = gs_dk_node(n), p = gs_dk_node(n), k = gs_dk_node(n), o = gs_dk_node(n);
  if (v->rg > 0.0) gs_dk_add(n, GS_DK_R, in, 0, v->rg);
  if (v->rs > 0.0) {
    gs_dk_add(n, GS_DK_R, in, g, v->rs);
  } else {
    gs_dk_add(n, GS_DK_R, in, g, 1e-3); /* a wire */
  }
  gs_dk_add(n, GS_DK_R, bplus, p, v->ra);
  gs_dk_add(n, GS_DK_R, k, 0, v->rk);
  if (v->ck > 0.0) gs_dk_add(n, GS_DK_C, k, 0, v->ck);
  gs_dk_add(n, GS_DK_C, p, o, v->cout);
  if (v->rl > 0.0) gs_dk_add(n, GS_DK_R, o, 0, v->rl);
  gs_dk_triode(n, v->tube, p, g, k);
  return o;
}

/* An audio taper: 10 % of the resistance at half travel (two straight
 * segments, as log pots are made). */
double gs_tc_taper(double position) {
  return position < 0.5 ? 0.2 * position : 0.1 + 1.8 * (position - 0.5);
}

double gs_tc_taper_inverse(double fraction) {
  return fraction < 0.1 ? fraction / 0.2 : 0.5 + (fraction - 0.1) / 1.8;
}

int gs_tc_pot(GsDkNetlist *n, int top, double ohms, double position) {
  double lower = fmin(fmax(gs_tc_taper(position), GS_TC_POT_END), 1.0 - GS_TC_POT_END) * ohms;
  int wiper = gs_dk_node(n);
  gs_dk_add(n, GS_DK_R, top, wiper, ohms - lower);
  gs_dk_add(n, GS_DK_R, wiper, 0, lower);
  return wiper;
}
