/* A DK circuit (src/dsp/dk.h) run oversampled (src/dsp/oversample.h): the
 * signal is input 0, the other inputs hold still (supplies), the output is
 * output 0. The common core of the tube stages. */
#ifndef GS_DSP_TUBE_RUNNER_H
#define GS_DSP_TUBE_RUNNER_H

#include <stdatomic.h>
#include <stdint.h>

#include "dsp/dk.h"
#include "dsp/oversample.h"

typedef struct {
  GsDkSolver dk;
  GsOversampler os;
  double u[GS_DK_MAX_INPUTS];
  double base[GS_OS_CHUNK];                    /* a chunk at the base rate */
  double high[GS_OS_CHUNK * GS_OS_MAX_FACTOR]; /* the same at the high rate */
  atomic_uint_fast64_t failures;               /* samples whose Newton iteration did not converge */
} GsTubeRunner;

/* The oversampling factor for the `quality` choice (an index of
 * gs_os_quality_names: 0 auto, 1..4 for 1, 2, 4, 8) of a circuit of
 * `triodes` tubes at `rate`. Auto runs one triode at 88.2 kHz or more (2 at
 * 44.1 and 48 kHz, 1 from 88.2 kHz): the lowest factor that keeps aliasing
 * 70 dB below a 5 kHz tone at 10 % THD and the stage within 0.5 dB of
 * ngspice's harmonics wherever its samples fall. Two or more in cascade
 * at 176.4 kHz or more (4 at 48 kHz, 2 at 96 kHz): the second stage,
 * overdriven, squares the wave off, and at 96 kHz what folds back moves
 * its harmonics by up to 1.03 dB with the sine's sampling phase (0.37 at
 * 176.4 kHz; docs/models.md). */
int gs_tube_factor(int choice, double rate, int triodes);

/* u0: the inputs at rest (u0[0], the signal, is 0). [main] */
bool gs_tube_runner_init(GsTubeRunner *r, const GsDkNetlist *n, double rate, int factor,
                         GsOsPhase phase, const double *u0);
void gs_tube_runner_reset(GsTubeRunner *r);
/* It runs no more: its solver's tables given back. [main] */
void gs_tube_runner_release(GsTubeRunner *r);
/* Any n; in and out may be the same buffer. [audio] */
void gs_tube_runner_process(GsTubeRunner *r, const float *in, float *out, uint32_t n);
/* Samples so far whose circuit did not converge (kept at Newton's last
 * iterate, or restarted from rest if that was not finite). [any thread] */
uint64_t gs_tube_runner_failures(const GsTubeRunner *r);

#endif
