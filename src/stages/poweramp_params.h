/* The poweramp stage's parameter table (type, rating, tube, feedback): its indices here, the
 * table in poweramp_params.c, the processing in poweramp.c. */
#ifndef GS_STAGES_POWERAMP_PARAMS_H
#define GS_STAGES_POWERAMP_PARAMS_H

#include "stage.h"

enum {
  P_TYPE,
  P_WATTS,
  P_LOAD,
  P_GAIN,
  P_SENSITIVITY,
  P_ROUT,
  P_NOISE,
  P_MINLOAD,
  P_IMPEDANCE,
  P_TUBE,
  P_TOPOLOGY,
  P_FEEDBACK,
  P_PRESENCE,
  P_RESONANCE,
  P_SAG,
  P_FILTER,
  P_QUALITY,
  P_PHASE,
  N_PARAMS
};
enum { T_SOLID_STATE, T_CLASS_D, T_TUBE };

extern const GsParamInfo gs_poweramp_params[];

#endif
