/* Descriptions of the rig's own values (strip, monitor, headphones), shared
 * by the rig-file parser and the control table. [any] */
#ifndef GS_JACK_RIG_PARAMS_H
#define GS_JACK_RIG_PARAMS_H

#include "rig.h"

/* A level at the bottom of its range is silence, not -80 dB. */
#define GS_RIG_LEVEL_OFF_DB -80.0

extern const GsParamInfo gs_rig_level_info, gs_rig_pan_info, gs_rig_toggle_info, gs_rig_select_info,
    gs_rig_dim_level_info, gs_rig_record_info, gs_rig_inputs_info;

/* Fill rig->control from the strips, monitor and phones. [main] */
GsStatus gs_rig_build_controls(GsRig *rig);

/* Parse each strip's stage lines (line_strip[i]: the strip line i+1 belongs
 * to, or -1) into its chain, completed to run between full-scale ports. */
GsStatus gs_rig_strip_chains(GsRig *rig, const char *text, const char *file, const int *line_strip,
                             const GsLog *log);

#endif
