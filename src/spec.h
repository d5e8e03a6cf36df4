/* The parsed form of chain text (internal layout of GsSpec). */
#ifndef GS_SPEC_H
#define GS_SPEC_H

#include "gainstage/gainstage.h"

struct GsStageClass;

#define GS_SPEC_MAX_STAGES 64
#define GS_SPEC_MAX_PARAMS 64 /* per stage */

typedef struct {
  const struct GsStageClass *cls;
  double *values; /* one per parameter, defaults filled in */
  char **paths;   /* one per parameter: file names given, else NULL */
  unsigned line;  /* its line in the spec's file, or 0 */
} GsSpecStage;

struct GsSpec {
  char *file; /* what it was read from (a preset, a rig), or NULL */
  uint32_t n;
  GsSpecStage stages[GS_SPEC_MAX_STAGES];
};

#endif
