/* Helpers shared by the fuzz targets: the input as a C string. */
#ifndef GS_FUZZ_TEXT_H
#define GS_FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* data[0..size) as a NUL-terminated copy (an embedded NUL ends the text
 * early, as it would for a file read into a string). Caller frees. */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return NULL;
  memcpy(text, data, size);
  text[size] = '\0';
  return text;
}

#endif
