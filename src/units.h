/* Numbers with SI prefixes and units, as written in chain text, and the
 * level conversions between volts, dBu, dBV and dBFS. */
#ifndef GS_UNITS_H
#define GS_UNITS_H

#include <stdbool.h>
#include <stddef.h>

#include "gainstage/gainstage.h"

#define GS_SQRT2 1.41421356237309504880
#define GS_DBU_REF 0.77459666924148337704 /* sqrt(0.6) V: 1 mW into 600 Ω */

/* Split "68k", "-10dBu", "4k7" into the leading number and the text after
 * it ("k", "dBu", "k7"). Returns false if text does not start with a
 * finite decimal number. */
bool gs_split_number(const char *text, double *value, char *unit, size_t unit_size);

/* Format a value for chain text (compact, ASCII, re-parseable) or for
 * people (with a space, SI prefix and unit symbol). */
int gs_value_format(const GsParamInfo *param, double value, char *buf, size_t size, bool compact);

double gs_vrms_to_dbv(double vrms);

#endif
