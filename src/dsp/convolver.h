/* Zero-latency partitioned convolution (FFTW3 single precision).
 *
 * The first 64 taps are a direct FIR; the rest go to levels of uniformly
 * partitioned overlap-save convolution whose partition sizes grow by 8
 * (64, 512, 4096, ...). A level with partitions of P samples starts at
 * tap P, so its contribution to the next P output samples depends only on
 * input that has already arrived: each level runs when its input block is
 * complete and nothing is delayed (W. G. Gardner, "Efficient convolution
 * without input-output delay", JAES 1995, with levels computed in line).
 * A level ends at tap 8P, or takes the rest of the IR where that is
 * cheaper than starting the next level (convolver.c).
 *
 * Every buffer and FFTW plan is made by gs_convolver_new; processing any
 * number of frames allocates nothing. Partitions stop growing at 4096 taps
 * (FFTs of 8192 points, the most one call computes), and the products of
 * a level's older input blocks are summed as the current block arrives:
 * a long IR costs about the same in every call, not a spike at the
 * largest level's boundary. */
#ifndef GS_DSP_CONVOLVER_H
#define GS_DSP_CONVOLVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct GsConvolver GsConvolver;

/* [main] NULL if out of memory or len is 0. */
GsConvolver *gs_convolver_new(const float *ir, size_t len);
void gs_convolver_free(GsConvolver *c);

/* [audio] out may alias in. */
void gs_convolver_process(GsConvolver *c, const float *in, float *out, uint32_t n);

/* [audio] Forget all input. */
void gs_convolver_reset(GsConvolver *c);

#endif
