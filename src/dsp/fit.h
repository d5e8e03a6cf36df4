/* Digital filters fitted to an analog magnitude response where the
 * bilinear transform's frequency warping is too coarse (the RIAA curve
 * must hold within 0.05 dB up to 20 kHz even at 44.1 kHz).
 *
 * The analog filter's poles and zeros, all real, are mapped by the matched
 * z-transform (z = e^{sT}) as a starting point, `extra` pole/zero pairs
 * are added, and all of them plus the gain are adjusted by
 * Levenberg–Marquardt to minimize the squared dB error on a log grid from
 * 10 Hz to min(20 kHz, 0.95 Nyquist). The result is minimum phase.
 * Allocation-free but not cheap (about a millisecond): for use when a
 * stage is created, not per block. */
#ifndef GS_DSP_FIT_H
#define GS_DSP_FIT_H

#include <stdbool.h>

#include "dsp/rational.h"

/* false if target has complex roots or the fit did not converge. */
bool gs_fit_real_roots(const GsRational *target, double rate, int extra, GsSosCoefs *out,
                       double *max_err_db);

#endif
