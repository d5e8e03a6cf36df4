/* The tone stack's digital design, for tests that sweep every pot
 * position without running audio. */
#ifndef GS_STAGES_TONESTACK_H
#define GS_STAGES_TONESTACK_H

#include <stdbool.h>

#include "dsp/sos.h"

/* values: model, bass, mid, treble (the stage's parameter order). */
bool gs_tonestack_design(const double *values, double rate, GsSosCoefs *out);

#endif
