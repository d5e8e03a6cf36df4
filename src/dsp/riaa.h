/* The RIAA playback (de-emphasis) curve: time constants 3180 µs, 318 µs and
 * 75 µs (RIAA 1954; IEC 60098), optionally with the IEC 1976 amendment's
 * 7950 µs bass roll-off; 0 dB at 1 kHz. */
#ifndef GS_DSP_RIAA_H
#define GS_DSP_RIAA_H

#include <stdbool.h>

#include "dsp/rational.h"

/* The analog curve, normalized to unity at 1 kHz. */
GsRational gs_riaa_analog(bool iec);

/* A digital filter within a few hundredths of a dB of the analog curve
 * from 10 Hz to 20 kHz (or 0.95 Nyquist), at any rate from 44.1 kHz.
 * Allocation-free; takes about a millisecond (create time). */
bool gs_riaa_design(bool iec, double rate, GsSosCoefs *out);

#endif
