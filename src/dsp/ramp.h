/* Linear ramps, sample by sample: how every gain in a stage moves to a new
 * value without zipper noise or clicks. Stages ramp over the smoothing time
 * (gs_smooth_samples) from wherever they are, so a parameter that the chain
 * moves tick by tick glides smoothly, and one that jumps (a choice, or
 * "auto") still takes 20 ms. A ramp's length is counted in samples from the
 * call that set it, so output does not depend on how the host splits
 * blocks. Real-time safe. */
#ifndef GS_DSP_RAMP_H
#define GS_DSP_RAMP_H

#include <stdint.h>

typedef struct {
  double value;
  double target;
  double step;
  uint32_t left;
} GsRamp;

static inline void gs_ramp_init(GsRamp *r, double value) {
  r->value = r->target = value;
  r->step = 0.0;
  r->left = 0;
}

/* Move to target over n samples (n = 0 jumps). */
static inline void gs_ramp_to(GsRamp *r, double target, uint32_t n) {
  r->target = target;
  if (n == 0) {
    r->value = target;
    r->left = 0;
    return;
  }
  r->step = (target - r->value) / n;
  r->left = n;
}

static inline double gs_ramp_next(GsRamp *r) {
  if (r->left) {
    r->value += r->step;
    if (--r->left == 0) r->value = r->target;
  }
  return r->value;
}

static inline int gs_ramp_moving(const GsRamp *r) {
  return r->left != 0;
}

/* Jump to the target (a reset). */
static inline void gs_ramp_finish(GsRamp *r) {
  gs_ramp_init(r, r->target);
}

#endif
