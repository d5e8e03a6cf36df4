/* libFuzzer target: rig files (gs_rig_parse). A rig that parses must
 * find each of its controls by name and accept each control's initial
 * value written as a plain number. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_text.h"
#include "rig.h"

static void check_controls(const GsRig *rig) {
  char why[256], value[64];
  for (uint32_t i = 0; i < rig->n_controls; i++) {
    const GsControl *c = &rig->control[i];
    int found = gs_rig_control_find(rig, c->name);
    if (found < 0) {
      fprintf(stderr, "control %u '%s' not found by name\n", i, c->name);
      abort();
    }
    snprintf(value, sizeof value, "%.17g", c->initial);
    double v;
    (void)gs_rig_control_parse(rig, i, value, &v, why, sizeof why);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) return 0;
  GsRig *rig = NULL;
  if (gs_rig_parse(text, "fuzz.rig", NULL, &rig) == GS_OK) check_controls(rig);
  gs_rig_free(rig);
  free(text);
  return 0;
}
