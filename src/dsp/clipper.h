/* An output stage's clipping (src/dsp/clip.h), oversampled around the clip
 * only: a preamp's or power amp's rails, hard or soft, without the
 * aliasing of a clip at the base rate (a 5 kHz tone at 16 % THD through
 * the op-amp soft clip: -37.5 dBc at 1x, -54 at 2x, -75 at 4x, -96 at 8x
 * at 48 kHz).
 *
 * The clip is split as clip(x) = x + r(x), the residual r being exactly 0
 * below the knee. The linear part is x itself, delayed by the
 * oversampler's latency (nothing filters it, so a stage that does not
 * clip passes its signal untouched); only r runs at the high rate: x up,
 * r there, r down, added back. While r stays 0 and the decimator holds
 * only zeros the decimator is skipped (its output would be exactly 0), so
 * a stage that does not clip pays for the interpolator alone, and the
 * result does not depend on where blocks are cut. [main] to build,
 * [audio] to run. */
#ifndef GS_DSP_CLIPPER_H
#define GS_DSP_CLIPPER_H

#include <stdint.h>

#include "dsp/oversample.h"

#define GS_CLIPPER_MAX_LATENCY 256 /* base samples the linear part can wait */

typedef struct {
  GsOversampler os;
  double line[GS_CLIPPER_MAX_LATENCY]; /* the linear part's delay */
  uint32_t pos;
  uint32_t quiet; /* base samples of zero residual the decimator has had */
  double hi[GS_OS_CHUNK * GS_OS_MAX_FACTOR], res[GS_OS_CHUNK];
} GsClipper;

/* factor 2, 4 or 8 at the base `rate`; false otherwise. */
bool gs_clipper_init(GsClipper *c, int factor, double rate);
void gs_clipper_reset(GsClipper *c);

/* Base samples the output lags the input by. */
uint32_t gs_clipper_latency(const GsClipper *c);

/* x[0 .. n) clipped in place at `limit` volts peak: hard (knee 0) or
 * gs_clip_soft's curve with that knee. [audio] */
void gs_clipper_run(GsClipper *c, double *x, uint32_t n, double limit, double knee);

#endif
