/* The preamp stage's parameter table (gain, input, voicing, tube stages): its indices here, the
 * table in preamp_params.c, the processing in preamp.c. */
#ifndef GS_STAGES_PREAMP_PARAMS_H
#define GS_STAGES_PREAMP_PARAMS_H

#include "stage.h"

enum {
  P_INPUT,
  P_IMPEDANCE,
  P_CAPACITANCE,
  P_GAIN,
  P_PAD,
  P_PHANTOM,
  P_HPF,
  P_POLARITY,
  P_EIN,
  P_MAXOUT,
  P_VOICING,
  P_SELECT,
  P_IEC,
  P_STAGES,
  P_TUBE,
  P_QUALITY,
  P_PHASE,
  N_PARAMS
};
enum { IN_MIC, IN_HIZ, IN_LINE, IN_PHONO };
enum { V_TRANSPARENT, V_SOLID_STATE, V_TUBE, V_DIGITAL };

extern const GsParamInfo gs_preamp_params[];

#endif
