/* Every stage the chain text can name, in `gainstage list` order. */
#include <string.h>

#include "stage.h"

static const GsStageClass *const classes[] = {
    &gs_stage_source,   &gs_stage_preamp,  &gs_stage_triode, &gs_stage_tonestack, &gs_stage_eq,
    &gs_stage_poweramp, &gs_stage_speaker, &gs_stage_cab,    &gs_stage_mic,       &gs_stage_load,
    &gs_stage_gain,     &gs_stage_adc,     &gs_stage_dac,
};

#define N_CLASSES (sizeof classes / sizeof classes[0])

uint32_t gs_stage_count(void) {
  return N_CLASSES;
}

const GsStageInfo *gs_stage_at(uint32_t index) {
  return index < N_CLASSES ? &classes[index]->info : NULL;
}

const GsStageClass *gs_class_find(const char *name) {
  for (size_t i = 0; i < N_CLASSES; i++) {
    if (strcmp(classes[i]->info.name, name) == 0) return classes[i];
  }
  return NULL;
}

const GsStageInfo *gs_stage_find(const char *name) {
  const GsStageClass *c = gs_class_find(name);
  return c ? &c->info : NULL;
}

const GsStageClass *gs_class_of(const GsStageInfo *info) {
  for (size_t i = 0; i < N_CLASSES; i++) {
    if (&classes[i]->info == info) return classes[i];
  }
  return NULL;
}
