/* Small helpers shared by the analyzer's parts. */
#ifndef GS_ANALYZE_UTIL_H
#define GS_ANALYZE_UTIL_H

#include <math.h>

static inline double gs_db20(double ratio) {
  return ratio > 0.0 ? 20.0 * log10(ratio) : -INFINITY;
}

#endif
