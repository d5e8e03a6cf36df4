/* libFuzzer target: numbers and levels as users type them:
 * gs_level_parse, gs_param_parse for a parameter of a registered stage
 * (picked by the first two bytes) with gs_param_format of what parsed, and
 * the CLI's strict cli_parse_double / cli_parse_u64. */
#include <stdlib.h>

#include "cli.h"
#include "fuzz_text.h"
#include "gainstage/gainstage.h"

static const GsParamInfo *pick_param(uint8_t a, uint8_t b) {
  const GsStageInfo *stage = gs_stage_at(a % gs_stage_count());
  if (!stage || stage->n_params == 0) return NULL;
  return &stage->params[b % stage->n_params];
}

static void parse_param(const GsParamInfo *param, const char *text) {
  double value;
  char why[256], shown[128];
  if (gs_param_parse(param, text, &value, why, sizeof why) != GS_OK) return;
  gs_param_format(param, value, shown, sizeof shown);
  (void)gs_param_parse(param, shown, &value, why, sizeof why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  char *text = fuzz_text(data + 2, size - 2);
  if (!text) return 0;
  double value;
  GsLevelUnit unit;
  if (gs_level_parse(text, &value, &unit) == GS_OK) (void)gs_level_to_vpk(value, unit);
  const GsParamInfo *param = pick_param(data[0], data[1]);
  if (param) parse_param(param, text);
  unsigned long long u;
  (void)cli_parse_double(text, &value);
  (void)cli_parse_u64(text, &u);
  free(text);
  return 0;
}
