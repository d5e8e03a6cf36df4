/* The swept-sine response measurement, inside the analyzer. */
#ifndef GS_ANALYZE_RESPONSE_H
#define GS_ANALYZE_RESPONSE_H

#include <complex.h>

#include "gainstage/analyze.h"

typedef struct {
  double complex *h; /* response per bin, 0 outside the sweep's band */
  size_t bins, n;
  double rate;
  double latency; /* samples: the pure delay (excess phase) */
} GsSweepResult;

/* Run a stimulus through the system from reset: out[0..n) gets its output.
 * The one way every measurement drives a system: the whole stimulus at
 * once where it has process_all (a loopback), else in blocks of 4096. */
GsStatus gs_system_run(const GsSystem *sys, const float *in, float *out, size_t n);

/* Drive the system (noise as it is) with a 2 s exponential sweep from 5 Hz
 * to 0.49 of the rate at peak `amplitude`. */
GsStatus gs_sweep_response(const GsSystem *sys, double amplitude, GsSweepResult *out);

/* The response at hz, interpolated between bins. */
double complex gs_sweep_at(const GsSweepResult *r, double hz);

void gs_sweep_free(GsSweepResult *r);

#endif
