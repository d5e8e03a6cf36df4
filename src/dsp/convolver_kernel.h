/* The convolver's inner loops (src/dsp/convolver.c), built twice and
 * chosen by the CPU like the tube solvers' (src/dsp/kernel.h). [audio] */
#ifndef GS_DSP_CONVOLVER_KERNEL_H
#define GS_DSP_CONVOLVER_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#define GS_CONV_HEAD 64u /* direct taps */
#define GS_CONV_PAD 32u  /* floats gs_conv_head may read past its chunk */

/* y[i] = sum over k < GS_CONV_HEAD of h[k] x[i - k], for i < n (n <=
 * GS_CONV_HEAD): x[-63 .. n + GS_CONV_PAD) must be readable. */
void gs_conv_head(const float *h, const float *x, float *y, uint32_t n);

/* acc = base + the sum over k < parts of x[k] times partition k of the
 * IR, complex and interleaved, over floats [from, to) (multiples of 32) of
 * spectra of `floats` floats; partition k's real parts, each twice (hr[k
 * floats + 2b] = hr[k floats + 2b + 1]), and its imaginary parts the same
 * in hi. base may be NULL (0). */
typedef struct {
  float *acc;
  const float *base;
  const float *const *x;
  const float *hr, *hi;
  uint32_t parts, floats, from, to;
} GsConvMac;
void gs_conv_cmac(const GsConvMac *m);

/* True if the multiply-adds run fused on wide vectors here (the FMA
 * build was chosen): a partition costs ~1.2 instructions a bin, not ~3. */
bool gs_conv_wide(void);

#endif
