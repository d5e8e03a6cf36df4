/* Biquad designs from R. Bristow-Johnson's "Cookbook formulae for audio
 * EQ biquad filter coefficients" (the Audio EQ Cookbook): bilinear
 * transforms with the frequency prewarped to the corner or centre. */
#ifndef GS_DSP_BIQUAD_H
#define GS_DSP_BIQUAD_H

#include "dsp/sos.h"

typedef enum {
  GS_BQ_LOWSHELF,
  GS_BQ_PEAK,
  GS_BQ_HIGHSHELF,
  GS_BQ_HIGHPASS,
  GS_BQ_LOWPASS
} GsBiquadKind;

/* f0 in Hz (clamped below 0.49 rate), gain in dB (shelves, peak), q > 0. */
GsBiquad gs_biquad_design(GsBiquadKind kind, double f0, double gain_db, double q, double rate);

#endif
