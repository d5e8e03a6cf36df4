/* Impulse responses to another sample rate without latency. [main] */
#ifndef GS_IR_RESAMPLE_H
#define GS_IR_RESAMPLE_H

#include <stddef.h>

#include "gainstage/gainstage.h"

/* *ir (len samples at `from` Hz) replaced by the same response at `to` Hz,
 * starting at the same instant. */
GsStatus gs_ir_resample(float **ir, size_t *len, double from, double to);

#endif
