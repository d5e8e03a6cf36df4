/* A DK circuit (src/dsp/dk.h) run oversampled (src/dsp/oversample.h): the
 * signal is input 0, the other inputs hold still (supplies), the output is
 * output 0. The common core of the tube stages. */
#ifndef GS_DSP_TUBE_RUNNER_H
#define GS_DSP_TUBE_RUNNER_H

#include <stdint.h>

#include "dsp/dk.h"
#include "dsp/oversample.h"

typedef struct {
  GsDkSolver dk;
  GsOversampler os;
  double u[GS_DK_MAX_INPUTS];
  uint64_t failures; /* samples whose Newton iteration did not converge */
} GsTubeRunner;

/* The oversampling factor for `quality` (0: auto, else 1, 2, 4 or 8) at
 * `rate`: auto runs the circuit at 176.4 kHz or more. */
int gs_tube_factor(int quality, double rate);

/* u0: the inputs at rest (u0[0], the signal, is 0). [main] */
bool gs_tube_runner_init(GsTubeRunner *r, const GsDkNetlist *n, double rate, int factor,
                         const double *u0);
void gs_tube_runner_reset(GsTubeRunner *r);
void gs_tube_runner_process(GsTubeRunner *r, const float *in, float *out, uint32_t n);

#endif
