/* What adc and dac share: the reference level that sets full scale. */
#ifndef GS_STAGES_CONVERTER_H
#define GS_STAGES_CONVERTER_H

#include "units.h"

/* One description of the reference, used by both converters' tables. */
#define GS_CONVERTER_REF_PARAM                                                           \
  {                                                                                      \
    .name = "ref", .help = "level of a full-scale sine (0 dBFS)", .type = GS_PARAM_REAL, \
    .unit = GS_UNIT_DBU, .min = -20, .max = 30, .def = 18                                \
  }

/* Peak volts of full scale: the peak of a sine at ref dBu (AES17). */
static inline double gs_converter_fs_peak(double ref_dbu) {
  return gs_dbu_to_vrms(ref_dbu) * GS_SQRT2;
}

#endif
