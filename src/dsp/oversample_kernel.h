/* The oversampler's inner loops (src/dsp/oversample.c), built twice and
 * chosen by the CPU like the tube solvers' (src/dsp/kernel.h): in the FMA
 * build the multiply-adds fuse, so the two builds agree to rounding, not
 * to the bit. Within one build every output sums its taps in one order,
 * in the same vector lanes whatever the block, so the output does not
 * depend on how the signal is cut into blocks. [audio] */
#ifndef GS_DSP_OVERSAMPLE_KERNEL_H
#define GS_DSP_OVERSAMPLE_KERNEL_H

#include "dsp/oversample.h"

/* Floats the kernels may read past the n inputs that follow `pos` (they
 * work 32 outputs at a time); the stage buffers hold GS_OS_CHUNK *
 * GS_OS_MAX_FACTOR / 2 after the history, a multiple of 32. */
#define GS_OS_READ_PAST 31

/* out[2m + p] = branch p of b over x, for the input at x[pos + m], m < n:
 * an interpolator's two phases, interleaved; written to wide instead, as
 * doubles, if that is not NULL (the last octave, to the caller). */
void gs_os_interpolate_block(const GsOsBranch *b, const float *x, int pos, int n, float *out,
                             double *wide);

/* out[m] = branch 0 over even plus branch 1 over odd, for the inputs at
 * even[pos + m] and odd[pos + m], m < n: a decimator; to wide as
 * interpolate's. */
void gs_os_decimate_block(const GsOsBranch *b, const float *even, const float *odd, int pos, int n,
                          float *out, double *wide);

/* even[m] = in[2m], odd[m] = in[2m + 1], m < n, as floats: the caller's
 * high-rate signal into the first decimator. */
void gs_os_split(const double *in, int n, float *even, float *odd);

#endif
