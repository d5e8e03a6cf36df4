/* Static clipping curves, in volts. Each maps the input to an output that
 * never exceeds `limit` in magnitude. */
#ifndef GS_DSP_CLIP_H
#define GS_DSP_CLIP_H

#include <math.h>

/* Hard clip at ±limit: a converter or an amplifier's rails. */
static inline double gs_clip_hard(double x, double limit) {
  return x > limit ? limit : (x < -limit ? -limit : x);
}

/* An op-amp output stage: linear up to knee*limit, then an exponential
 * approach to the rail, continuous in value and slope (C1). */
static inline double gs_clip_soft(double x, double limit, double knee) {
  double a = fabs(x);
  double k = knee * limit;
  if (a <= k) return x;
  double room = limit - k;
  double y = limit - room * exp(-(a - k) / room);
  return x < 0.0 ? -y : y;
}

/* Either, by knee: 0 the hard clip, else gs_clip_soft with that knee. */
static inline double gs_clip(double x, double limit, double knee) {
  return knee > 0.0 ? gs_clip_soft(x, limit, knee) : gs_clip_hard(x, limit);
}

#endif
