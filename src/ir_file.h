/* Impulse responses read from files, for the cab stage. [main] */
#ifndef GS_IR_FILE_H
#define GS_IR_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "gainstage/gainstage.h"

#define GS_IR_MAX_SECONDS 10.0

typedef struct {
  bool normalize; /* scale to 0 dB average response, 100 Hz - 5 kHz */
  bool trim;      /* drop leading silence (below -60 dB re the peak) */
  double length;  /* seconds to keep (0: all), faded over the last 10 % */
} GsIrOptions;

/* The file's first channel at `rate`, shaped by opt. On failure why says
 * what was wrong (missing, not audio, empty, silent, over 10 s). The
 * caller frees *ir. */
GsStatus gs_ir_load(const char *path, double rate, const GsIrOptions *opt, float **ir, size_t *len,
                    char *why, size_t why_size);

/* The rms of an IR's magnitude response over log-spaced points from
 * 100 Hz to 5 kHz (what normalize divides by). */
double gs_ir_average_gain(const float *ir, size_t len, double rate);

#endif
