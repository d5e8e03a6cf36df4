/* A second-order high-pass as a state-variable filter discretized by the
 * trapezoidal rule (the "topology-preserving transform": V. Zavalishin,
 * "The Art of VA Filter Design", rev. 2.1, 2018, ch. 4; A. Simper,
 * "Linear trapezoidal integrated state variable filter", Cytomic, 2013).
 * Its states are the two integrators' outputs, as an analog filter's are
 * its capacitors' voltages, so the corner may sweep while audio runs: a
 * direct-form filter swept from hundreds of hertz down to a fraction of
 * one turns its history into a slowly decaying offset hundreds of times
 * the signal; this one does what the circuit does. A corner of 0 is a
 * pass-through. The corner glides linearly (in g) over a given number of
 * samples. Real-time safe. */
#ifndef GS_DSP_SVF_H
#define GS_DSP_SVF_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
  double g, k;         /* tan(pi fc / rate); 1 / Q */
  double a1, a2, a3;   /* the per-sample solution's constants */
  double g_to, g_step; /* a glide */
  uint32_t left;
  double ic1, ic2; /* the integrators' states */
} GsSvf;

static inline void gs_svf_constants(GsSvf *f) {
  f->a1 = 1.0 / (1.0 + f->g * (f->g + f->k));
  f->a2 = f->g * f->a1;
  f->a3 = f->g * f->a2;
}

static inline double gs_svf_g(double hz, double rate) {
  double w = fmin(hz, 0.49 * rate) / rate;
  return w > 0.0 ? tan(M_PI * w) : 0.0;
}

/* A still filter at hz (0: a pass-through), quality q, cleared. */
static inline void gs_svf_init(GsSvf *f, double hz, double q, double rate) {
  f->g = f->g_to = gs_svf_g(hz, rate);
  f->k = 1.0 / q;
  f->g_step = 0.0;
  f->left = 0;
  f->ic1 = f->ic2 = 0.0;
  gs_svf_constants(f);
}

/* The corner moves to hz over n samples (0: at once). */
static inline void gs_svf_glide(GsSvf *f, double hz, double rate, uint32_t n) {
  f->g_to = gs_svf_g(hz, rate);
  f->left = n;
  if (n == 0) {
    f->g = f->g_to;
    gs_svf_constants(f);
  } else {
    f->g_step = (f->g_to - f->g) / n;
  }
}

static inline double gs_svf_highpass(GsSvf *f, double x) {
  if (f->left) {
    f->g = --f->left ? f->g + f->g_step : f->g_to;
    gs_svf_constants(f);
  }
  double v3 = x - f->ic2;
  double v1 = f->a1 * f->ic1 + f->a2 * v3;          /* band-pass */
  double v2 = f->ic2 + f->a2 * f->ic1 + f->a3 * v3; /* low-pass */
  f->ic1 = 2.0 * v1 - f->ic1;
  f->ic2 = 2.0 * v2 - f->ic2;
  return x - f->k * v1 - v2;
}

/* The states cleared (non-finite ones, or a reset); a glide ends. */
static inline void gs_svf_clear(GsSvf *f) {
  f->ic1 = f->ic2 = 0.0;
  if (f->left) {
    f->g = f->g_to;
    f->left = 0;
    gs_svf_constants(f);
  }
}

static inline bool gs_svf_finite(const GsSvf *f) {
  return isfinite(f->ic1 + f->ic2);
}

#endif
