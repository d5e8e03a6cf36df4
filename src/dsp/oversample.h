/* Oversampling by 2, 4 or 8 for nonlinear stages: cascaded half-band FIR
 * interpolators and decimators (linear phase, Kaiser-windowed, 100 dB
 * stopband, flat to 0.42 of the base rate), whose delay is padded to a
 * whole number of base samples and reported as latency. Real-time safe
 * once made. */
#ifndef GS_DSP_OVERSAMPLE_H
#define GS_DSP_OVERSAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#define GS_OS_MAX_FACTOR 8
#define GS_OS_MAX_PHASE 48 /* taps of one polyphase branch */

/* One half-band filter h (odd length, h[centre] = 1/2, every other tap 0)
 * split into its even and odd taps, with two histories kept twice over so
 * that each dot product reads straight. */
typedef struct {
  int taps, n_even, n_odd;
  double even[GS_OS_MAX_PHASE], odd[GS_OS_MAX_PHASE];
  double he[2 * GS_OS_MAX_PHASE], ho[2 * GS_OS_MAX_PHASE];
  double odd_wait; /* decimation: the odd sample of the last pair */
  int pos;
} GsHalfband;

typedef struct {
  int factor, stages;
  GsHalfband up[3], down[3];
  double delay[GS_OS_MAX_FACTOR * 64]; /* padding to whole base samples */
  int delay_len, delay_pos;
  uint32_t latency; /* base samples */
} GsOversampler;

/* factor 1 (a pass-through), 2, 4 or 8. [main] */
bool gs_os_init(GsOversampler *o, int factor);
void gs_os_reset(GsOversampler *o);

/* One base sample in, `factor` samples at the high rate out. [audio] */
void gs_os_up(GsOversampler *o, double x, double *out);
/* `factor` samples at the high rate in, one base sample out. [audio] */
double gs_os_down(GsOversampler *o, const double *in);

#endif
