/* An output stage's clipping (gs_clip, src/dsp/clip.h), oversampled
 * around the clip only: a preamp's or power amp's rails, hard or soft,
 * without the aliasing of a clip at the base rate (figures in
 * docs/models.md: the solid-state preamp's 5 kHz tone at 17.7 % THD,
 * -32.9 dBc at 1x, -75.9 at 4x).
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

/* factor 2, 4 or 8 at the base `rate`; NULL otherwise or out of memory.
 * [main] */
GsClipper *gs_clipper_new(int factor, double rate);
void gs_clipper_free(GsClipper *c);
bool gs_clipper_init(GsClipper *c, int factor, double rate); /* in place */
void gs_clipper_reset(GsClipper *c);

/* Base samples the output lags the input by. */
uint32_t gs_clipper_latency(const GsClipper *c);

/* x[0 .. n) clipped in place: gs_clip(x, limit, knee). [audio] */
void gs_clipper_run(GsClipper *c, double *x, uint32_t n, double limit, double knee);

#endif
