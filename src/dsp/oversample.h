/* Oversampling by 2, 4 or 8 for nonlinear stages, a block at a time.
 *
 * Each octave is a linear-phase polyphase FIR interpolator or decimator
 * (Kaiser-windowed sinc, 100 dB stopband), in single precision like the
 * signal between stages (the interface is double, for the circuits). The last decimator, down to
 * the base rate, is a sharp low-pass: flat to min(20 kHz, 0.42 fs) and stopped from fs/2 on, so
 * that nothing above the base Nyquist folds back into the band. Every other octave is a half-band
 * filter (every other tap zero, symmetric about a quarter of its rate): decimating, its transition
 * band folds onto fs/2 .. fs at the rate below, where the sharp decimator removes it; interpolating
 * from the base rate, it passes to the pass edge and stops the images of that band (fs - pass and
 * up) 100 dB down, while what lies between the pass edge and fs/2 leaves images in its transition
 * band, attenuated part way (the sharp decimator removes whatever they become above fs/2). The
 * total delay is padded to a whole number of base samples (leading zero taps of the first
 * decimator) and reported as latency. Real-time safe once made: no allocation, any block length,
 * and the output does not depend on how the signal is cut into blocks. The filters' loops
 * (src/dsp/oversample_kernel.c) are built twice, and fuse multiply and add where the CPU has
 * AVX2 and FMA: two machines agree to rounding (3e-7 of the peak, a tanh between 4x up and
 * down), not to the bit. */
#ifndef GS_DSP_OVERSAMPLE_H
#define GS_DSP_OVERSAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#define GS_OS_MAX_FACTOR 8
#define GS_OS_CHUNK 128       /* base samples the filters take at a time */
#define GS_OS_MAX_BRANCH 128  /* taps of one polyphase branch */
#define GS_OS_MAX_STAGES 3    /* octaves: 8x */
#define GS_OS_MAX_HISTORY 160 /* samples a stage keeps from the block before */
#define GS_OS_STAGE_BUF (GS_OS_MAX_HISTORY + GS_OS_CHUNK * GS_OS_MAX_FACTOR / 2)

/* One phase of a filter h by 2: taps h[2i + p] with its leading zeros
 * counted in `delay` (samples at the low rate) and the rest stored
 * oldest-first. */
typedef struct {
  int len, delay;
  float coef[GS_OS_MAX_BRANCH];
} GsOsBranch;

/* One octave, between 2^i and 2^(i+1) times the base rate. An interpolator
 * keeps its input in buf[0]; a decimator its even and odd input samples in
 * buf[0] and buf[1]: `history` samples from before, then the new block. */
typedef struct {
  GsOsBranch branch[2];
  int taps, history;
  float buf[2][GS_OS_STAGE_BUF];
} GsOsStage;

typedef enum {
  GS_OS_LINEAR_PHASE,  /* a pure delay of `latency` samples */
  GS_OS_MINIMUM_PHASE, /* the same magnitude response, a few samples late */
} GsOsPhase;

typedef struct {
  int factor, stages;
  bool minimum_phase;
  double rate, pass_hz;                                   /* the base rate; flat to pass_hz */
  GsOsStage up[GS_OS_MAX_STAGES], down[GS_OS_MAX_STAGES]; /* [0] next to the base rate */
  uint32_t latency;                                       /* base samples */
  float tmp[GS_OS_CHUNK * GS_OS_MAX_FACTOR];
} GsOversampler;

/* The samples by which an analyzer's latency (the excess phase's peak over
 * a sweep to 0.47 fs) may trail o->latency: 0 for linear phase; minimum
 * phase: the impulse's peak a sample after, and about as much again from
 * the top of the band, where the phase turns most and a sweep cannot see
 * (`gainstage measure` found 1 to 3 for one or two such stages). [any] */
static inline uint32_t gs_os_latency_slack(const GsOversampler *o) {
  return o->minimum_phase ? 2 : 0;
}

/* The stages' `quality` choices (auto, 1, 2, 4, 8) and the factor choice
 * `choice` stands for at `rate`; auto runs at min_rate or more. [any] */
extern const char *const gs_os_quality_names[];
/* The stages' `phase` choices, in GsOsPhase's order. [any] */
extern const char *const gs_os_phase_names[];
#define GS_OS_PHASE_HELP                                                                  \
  "oversampling filters: linear (a pure delay: 62 samples at 48 kHz at 2x, 70 at 4x) or " \
  "minimum (4 and 5 samples; the top octave's phase turns, so a following nonlinear "     \
  "stage hears its harmonics shifted)"
int gs_os_factor(int choice, double rate, double min_rate);

/* factor 1 (a pass-through), 2, 4 or 8 at the base `rate`. [main] */
bool gs_os_init(GsOversampler *o, int factor, double rate, GsOsPhase phase);
void gs_os_reset(GsOversampler *o);

/* n base samples in, factor * n high-rate samples out. [audio] */
void gs_os_up(GsOversampler *o, const double *in, uint32_t n, double *out);
/* factor * n high-rate samples in, n base samples out. [audio] */
void gs_os_down(GsOversampler *o, const double *in, uint32_t n, double *out);

#endif
