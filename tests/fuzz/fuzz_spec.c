/* libFuzzer target: chain text (gs_spec_parse_from). A spec that parses
 * is written back with gs_spec_to_text, which must parse again to the same
 * text; then it is built at 48 kHz and one short block is processed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "gainstage/gainstage.h"

#define BLOCK 64

/* The written-back text must read back as itself. */
static void check_round_trip(const char *text) {
  GsSpec *again = NULL;
  if (gs_spec_parse_from(text, "fuzz.chain", NULL, &again) != GS_OK) {
    fprintf(stderr, "gs_spec_to_text wrote text that does not parse:\n%s\n", text);
    abort();
  }
  char *text2 = gs_spec_to_text(again);
  if (!text2 || strcmp(text, text2) != 0) {
    fprintf(stderr, "round trip changed the text:\n%s\n---\n%s\n", text, text2 ? text2 : "");
    abort();
  }
  free(text2);
  gs_spec_free(again);
}

/* Build the chain and push one block of a loud ramp through it. */
static void run_chain(const GsSpec *spec) {
  GsChainConfig config = {.rate = 48000.0, .channels = 2, .seed = 1, .noise = true};
  GsChain *chain = NULL;
  if (gs_chain_new(spec, &config, NULL, &chain) != GS_OK) return;
  static float buf[64][BLOCK];
  float *io[64];
  for (uint32_t c = 0; c < 64; c++) {
    io[c] = buf[c];
    for (uint32_t i = 0; i < BLOCK; i++) buf[c][i] = (float)i / BLOCK - 0.5f;
  }
  gs_chain_process(chain, (const float *const *)io, io, BLOCK);
  gs_chain_poll(chain, NULL);
  gs_chain_free(chain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) return 0;
  GsSpec *spec = NULL;
  if (gs_spec_parse_from(text, "fuzz.chain", NULL, &spec) == GS_OK) {
    char *written = gs_spec_to_text(spec);
    if (written) check_round_trip(written);
    free(written);
    run_chain(spec);
  }
  gs_spec_free(spec);
  free(text);
  return 0;
}
