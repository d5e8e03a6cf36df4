/* libFuzzer target: impulse-response files through libsndfile and the
 * resampler (gs_ir_load at 48 kHz). The first byte picks the options
 * (normalize, trim, length); the rest is the file, written to a private
 * temporary file because gs_ir_load takes a path. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ir_file.h"

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  snprintf(path, sizeof path, "/tmp/gs-fuzz-ir-%ld.wav", (long)getpid());
  return 0;
}

static int write_file(const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t written = fwrite(data, 1, size, f);
  return fclose(f) == 0 && written == size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  static const double lengths[] = {0.0, 0.001, 0.05, 1.0};
  GsIrOptions opt = {
      .normalize = data[0] & 1, .trim = (data[0] >> 1) & 1, .length = lengths[(data[0] >> 2) & 3]};
  if (write_file(data + 1, size - 1) != 0) return 0;
  float *ir = NULL;
  size_t len = 0;
  char why[512];
  if (gs_ir_load(path, 48000.0, &opt, &ir, &len, why, sizeof why) == GS_OK && len == 0) abort();
  free(ir);
  unlink(path);
  return 0;
}
