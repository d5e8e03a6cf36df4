/* Parsing and formatting of parameter values and levels. */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

double gs_dbu_to_vrms(double dbu) {
  return GS_DBU_REF * pow(10.0, dbu / 20.0);
}
double gs_vrms_to_dbu(double vrms) {
  return 20.0 * log10(vrms / GS_DBU_REF);
}
double gs_vrms_to_dbv(double vrms) {
  return 20.0 * log10(vrms);
}

const GsDomainInfo *gs_domain_info(GsDomain d) {
  static const GsDomainInfo analog = {"dBu", "V", "volts", GS_DBU_REF};
  static const GsDomainInfo digital = {"dBFS", "FS", "full-scale samples", 1.0 / GS_SQRT2};
  static const GsDomainInfo acoustic = {"dB SPL", "Pa", "sound pressure", 20e-6};
  return d == GS_DOMAIN_ANALOG ? &analog : d == GS_DOMAIN_ACOUSTIC ? &acoustic : &digital;
}

double gs_domain_level(GsDomain d, double rms) {
  return rms > 0.0 ? 20.0 * log10(rms / gs_domain_info(d)->rms_ref) : -INFINITY;
}

double gs_domain_rms(GsDomain d, double level) {
  return gs_domain_info(d)->rms_ref * pow(10.0, level / 20.0);
}

GsStatus gs_level_in_domain(double value, GsLevelUnit unit, GsDomain domain, double *level) {
  bool volts =
      unit == GS_LEVEL_VPK || unit == GS_LEVEL_VRMS || unit == GS_LEVEL_DBU || unit == GS_LEVEL_DBV;
  bool air = unit == GS_LEVEL_DBSPL || unit == GS_LEVEL_PA;
  if (domain == GS_DOMAIN_ANALOG && volts) {
    *level = gs_vrms_to_dbu(gs_level_to_vpk(value, unit) / GS_SQRT2);
  } else if (domain == GS_DOMAIN_ACOUSTIC && air) {
    *level = unit == GS_LEVEL_DBSPL ? value : gs_domain_level(domain, value);
  } else if ((domain == GS_DOMAIN_DIGITAL || domain == GS_DOMAIN_ANY) && unit == GS_LEVEL_DBFS) {
    *level = value;
  } else {
    return GS_ERR_BAD_VALUE;
  }
  return GS_OK;
}

double gs_level_to_vpk(double value, GsLevelUnit unit) {
  switch (unit) {
    case GS_LEVEL_VPK: return value;
    case GS_LEVEL_VRMS: return value * GS_SQRT2;
    case GS_LEVEL_DBU: return gs_dbu_to_vrms(value) * GS_SQRT2;
    case GS_LEVEL_DBV: return pow(10.0, value / 20.0) * GS_SQRT2;
    case GS_LEVEL_DBFS: return pow(10.0, value / 20.0); /* FS sine: peak 1 */
    case GS_LEVEL_DBSPL: return 20e-6 * pow(10.0, value / 20.0) * GS_SQRT2;
    case GS_LEVEL_PA: return value * GS_SQRT2;
  }
  return value;
}

const char *gs_unit_symbol(GsUnit unit) {
  switch (unit) {
    case GS_UNIT_NONE: return "";
    case GS_UNIT_DB: return "dB";
    case GS_UNIT_DBU: return "dBu";
    case GS_UNIT_DB_SPL: return "dB SPL";
    case GS_UNIT_HZ: return "Hz";
    case GS_UNIT_OHM: return "Ω";
    case GS_UNIT_FARAD: return "F";
    case GS_UNIT_HENRY: return "H";
    case GS_UNIT_VOLT_PEAK: return "Vpk";
    case GS_UNIT_VOLT_RMS: return "Vrms";
    case GS_UNIT_WATT: return "W";
    case GS_UNIT_SECOND: return "s";
    case GS_UNIT_BITS: return "bits";
    case GS_UNIT_POSITION: return "";
    case GS_UNIT_METRE: return "m";
    case GS_UNIT_DEGREE: return "°";
    case GS_UNIT_MV_PER_PA: return "mV/Pa";
    case GS_UNIT_LITRE: return "L";
    case GS_UNIT_MILLIMETRE: return "mm";
    case GS_UNIT_CM2: return "cm²";
    case GS_UNIT_VOLT: return "V";
  }
  return "";
}

/* ------------------------------------------------------------ numbers */

static bool starts_number(const char *s) {
  if (*s == '+' || *s == '-') s++;
  if (*s == '.') s++;
  return isdigit((unsigned char)*s);
}

bool gs_split_number(const char *text, double *value, char *unit, size_t unit_size) {
  while (isspace((unsigned char)*text)) text++;
  if (!starts_number(text)) return false;
  /* strtod would also take "0x1p3", "inf", "nan": refuse hex outright. */
  const char *x = text + (*text == '+' || *text == '-');
  if (x[0] == '0' && (x[1] == 'x' || x[1] == 'X')) return false;
  char *end;
  double v = strtod(text, &end);
  if (end == text || !isfinite(v)) return false;
  size_t len = strlen(end);
  while (len && isspace((unsigned char)end[len - 1])) len--;
  if (len + 1 > unit_size) return false;
  memcpy(unit, end, len);
  unit[len] = '\0';
  *value = v;
  return true;
}

typedef struct {
  const char *text;
  double mult;
} Prefix;

static const Prefix prefixes[] = {
    {"meg", 1e6}, {"Meg", 1e6}, {"MEG", 1e6}, /* SPICE's, in any case */
    {"p", 1e-12}, {"n", 1e-9},  {"u", 1e-6},  {"\xc2\xb5", 1e-6}, {"m", 1e-3},
    {"c", 1e-2},  {"k", 1e3},   {"K", 1e3},   {"M", 1e6},         {"G", 1e9},
};

/* Match an SI prefix at the start of s; returns its length or 0. */
static size_t match_prefix(const char *s, double *mult) {
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t n = strlen(prefixes[i].text);
    if (strncmp(s, prefixes[i].text, n) == 0) {
      *mult = prefixes[i].mult;
      return n;
    }
  }
  return 0;
}

/* How a suffix converts into the parameter's unit. */
typedef enum {
  CONV_SCALE,     /* value * prefix * scale */
  CONV_DBU_TO_V,  /* dBu -> rms volts, * scale */
  CONV_DBV_TO_V,  /* dBV -> rms volts, * scale */
  CONV_V_TO_DBU,  /* volts * prefix * scale (rms) -> dBu */
  CONV_DBV_TO_DBU /* dBV -> dBu */
} Conv;

typedef struct {
  const char *name; /* suffix after any SI prefix, case-insensitive */
  bool prefixable;
  Conv conv;
  double scale;
} Suffix;

/* Suffixes each unit accepts (first entry: the bare number). */
static const Suffix *suffixes_for(GsUnit unit) {
  static const Suffix none[] = {{"", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix db[] = {
      {"", false, CONV_SCALE, 1}, {"dB", false, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix dbu[] = {{"", false, CONV_SCALE, 1},
                               {"dBu", false, CONV_SCALE, 1},
                               {"dBV", false, CONV_DBV_TO_DBU, 1},
                               {"V", true, CONV_V_TO_DBU, 1},
                               {"Vrms", true, CONV_V_TO_DBU, 1},
                               {"Vpk", true, CONV_V_TO_DBU, 1.0 / GS_SQRT2},
                               {NULL, 0, 0, 0}};
  static const Suffix spl[] = {{"", false, CONV_SCALE, 1},
                               {"dB", false, CONV_SCALE, 1},
                               {"dBSPL", false, CONV_SCALE, 1},
                               {NULL, 0, 0, 0}};
  static const Suffix hz[] = {
      {"", true, CONV_SCALE, 1}, {"Hz", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix ohm[] = {{"", true, CONV_SCALE, 1},     {"ohm", true, CONV_SCALE, 1},
                               {"ohms", true, CONV_SCALE, 1}, {"\xce\xa9", true, CONV_SCALE, 1},
                               {"R", true, CONV_SCALE, 1},    {NULL, 0, 0, 0}};
  static const Suffix farad[] = {
      {"", true, CONV_SCALE, 1}, {"F", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix henry[] = {
      {"", true, CONV_SCALE, 1}, {"H", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  /* A peak-volt parameter: the bare number and V are peak volts. */
  static const Suffix vpk[] = {{"", true, CONV_SCALE, 1},
                               {"V", true, CONV_SCALE, 1},
                               {"Vpk", true, CONV_SCALE, 1},
                               {"Vp", true, CONV_SCALE, 1},
                               {"Vrms", true, CONV_SCALE, GS_SQRT2},
                               {"dBu", false, CONV_DBU_TO_V, GS_SQRT2},
                               {"dBV", false, CONV_DBV_TO_V, GS_SQRT2},
                               {NULL, 0, 0, 0}};
  static const Suffix vrms[] = {{"", true, CONV_SCALE, 1},
                                {"V", true, CONV_SCALE, 1},
                                {"Vrms", true, CONV_SCALE, 1},
                                {"Vpk", true, CONV_SCALE, 1.0 / GS_SQRT2},
                                {"Vp", true, CONV_SCALE, 1.0 / GS_SQRT2},
                                {"dBu", false, CONV_DBU_TO_V, 1},
                                {"dBV", false, CONV_DBV_TO_V, 1},
                                {NULL, 0, 0, 0}};
  static const Suffix watt[] = {
      {"", true, CONV_SCALE, 1}, {"W", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix second[] = {
      {"", true, CONV_SCALE, 1}, {"s", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix bits[] = {{"", false, CONV_SCALE, 1},
                                {"bit", false, CONV_SCALE, 1},
                                {"bits", false, CONV_SCALE, 1},
                                {NULL, 0, 0, 0}};
  static const Suffix pos[] = {
      {"", false, CONV_SCALE, 1}, {"%", false, CONV_SCALE, 0.01}, {NULL, 0, 0, 0}};
  static const Suffix metre[] = {
      {"", true, CONV_SCALE, 1}, {"m", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix degree[] = {{"", false, CONV_SCALE, 1},
                                  {"deg", false, CONV_SCALE, 1},
                                  {"\xc2\xb0", false, CONV_SCALE, 1},
                                  {NULL, 0, 0, 0}};
  static const Suffix mvpa[] = {{"", false, CONV_SCALE, 1},
                                {"mV/Pa", false, CONV_SCALE, 1},
                                {"V/Pa", false, CONV_SCALE, 1000},
                                {"dBV", false, CONV_DBV_TO_V, 1000}, /* re 1 V/Pa */
                                {"dBV/Pa", false, CONV_DBV_TO_V, 1000},
                                {NULL, 0, 0, 0}};
  static const Suffix litre[] = {{"", false, CONV_SCALE, 1},
                                 {"L", false, CONV_SCALE, 1},
                                 {"m3", false, CONV_SCALE, 1000},
                                 {NULL, 0, 0, 0}};
  static const Suffix volt[] = {
      {"", true, CONV_SCALE, 1}, {"V", true, CONV_SCALE, 1}, {NULL, 0, 0, 0}};
  static const Suffix mm[] = {{"", false, CONV_SCALE, 1},
                              {"mm", false, CONV_SCALE, 1},
                              {"cm", false, CONV_SCALE, 10},
                              {NULL, 0, 0, 0}};
  static const Suffix cm2[] = {
      {"", false, CONV_SCALE, 1},     {"cm\xc2\xb2", false, CONV_SCALE, 1},
      {"cm2", false, CONV_SCALE, 1},  {"m\xc2\xb2", false, CONV_SCALE, 1e4},
      {"m2", false, CONV_SCALE, 1e4}, {NULL, 0, 0, 0}};
  switch (unit) {
    case GS_UNIT_VOLT: return volt;
    case GS_UNIT_NONE: return none;
    case GS_UNIT_DB: return db;
    case GS_UNIT_DBU: return dbu;
    case GS_UNIT_DB_SPL: return spl;
    case GS_UNIT_HZ: return hz;
    case GS_UNIT_OHM: return ohm;
    case GS_UNIT_FARAD: return farad;
    case GS_UNIT_HENRY: return henry;
    case GS_UNIT_VOLT_PEAK: return vpk;
    case GS_UNIT_VOLT_RMS: return vrms;
    case GS_UNIT_WATT: return watt;
    case GS_UNIT_SECOND: return second;
    case GS_UNIT_BITS: return bits;
    case GS_UNIT_POSITION: return pos;
    case GS_UNIT_METRE: return metre;
    case GS_UNIT_DEGREE: return degree;
    case GS_UNIT_MV_PER_PA: return mvpa;
    case GS_UNIT_LITRE: return litre;
    case GS_UNIT_MILLIMETRE: return mm;
    case GS_UNIT_CM2: return cm2;
  }
  return none;
}

static double convert(const Suffix *sf, double v, double mult) {
  switch (sf->conv) {
    case CONV_SCALE: return v * mult * sf->scale;
    case CONV_DBU_TO_V: return gs_dbu_to_vrms(v) * sf->scale;
    case CONV_DBV_TO_V: return pow(10.0, v / 20.0) * sf->scale;
    case CONV_V_TO_DBU: return gs_vrms_to_dbu(v * mult * sf->scale);
    case CONV_DBV_TO_DBU: return gs_vrms_to_dbu(pow(10.0, v / 20.0));
  }
  return v;
}

/* Try to read `suffix` (already split from the number v) in this unit.
 * For a dBu parameter the V/dBV forms convert to dBu. */
static bool interpret(GsUnit unit, const char *suffix, double v, double *out) {
  const Suffix *list = suffixes_for(unit);
  for (const Suffix *sf = list; sf->name; sf++) {
    if (strcasecmp(suffix, sf->name) == 0) {
      *out = convert(sf, v, 1.0);
      return true;
    }
  }
  double mult;
  size_t n = match_prefix(suffix, &mult);
  if (n == 0) return false;
  const char *rest = suffix + n;
  /* RKM style: 4k7 = 4.7k (and 4k7Ω), 2R2 handled by the caller */
  size_t digits = strspn(rest, "0123456789");
  if (digits > 0) {
    if (v != floor(v) || digits > 15) return false;
    double frac = 0.0;
    for (size_t i = 0; i < digits; i++) frac = 10.0 * frac + (rest[i] - '0');
    v += frac / pow(10.0, (double)digits);
    rest += digits;
  }
  for (const Suffix *sf = list; sf->name; sf++) {
    if (sf->prefixable && strcasecmp(rest, sf->name) == 0) {
      *out = convert(sf, v, mult);
      return true;
    }
  }
  return false;
}

static void describe_range(const GsParamInfo *p, char *buf, size_t size) {
  char lo[48], hi[48];
  gs_value_format(p, p->min, lo, sizeof lo, false);
  gs_value_format(p, p->max, hi, sizeof hi, false);
  snprintf(buf, size, "%s to %s", lo, hi);
}

static void list_choices(const GsParamInfo *p, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; p->choices && p->choices[i]; i++) {
    int w = snprintf(buf + used, size - used, "%s%s", i ? "|" : "", p->choices[i]);
    if (w < 0 || (size_t)w >= size - used) break;
    used += (size_t)w;
  }
}

static GsStatus parse_choice(const GsParamInfo *p, const char *text, double *value, char *why,
                             size_t why_size) {
  for (int i = 0; p->choices && p->choices[i]; i++) {
    if (strcasecmp(text, p->choices[i]) == 0) {
      *value = i;
      return GS_OK;
    }
  }
  char choices[256];
  list_choices(p, choices, sizeof choices);
  snprintf(why, why_size, "not one of %s", choices);
  return GS_ERR_BAD_VALUE;
}

static GsStatus parse_toggle(const char *text, double *value, char *why, size_t why_size) {
  static const char *on[] = {"on", "yes", "true", "1", NULL};
  static const char *off[] = {"off", "no", "false", "0", NULL};
  for (int i = 0; on[i]; i++) {
    if (strcasecmp(text, on[i]) == 0) {
      *value = 1.0;
      return GS_OK;
    }
    if (strcasecmp(text, off[i]) == 0) {
      *value = 0.0;
      return GS_OK;
    }
  }
  snprintf(why, why_size, "not on or off");
  return GS_ERR_BAD_VALUE;
}

GsStatus gs_param_parse(const GsParamInfo *p, const char *text, double *value, char *why,
                        size_t why_size) {
  char local[8];
  if (!why) {
    why = local;
    why_size = sizeof local;
  }
  why[0] = '\0';
  if (!p || !text || !value) return GS_ERR_ARG;
  if (p->type == GS_PARAM_CHOICE) {
    return parse_choice(p, text, value, why, why_size);
  }
  if (p->type == GS_PARAM_TOGGLE) return parse_toggle(text, value, why, why_size);
  if (p->type == GS_PARAM_PATH) {
    *value = text[0] ? 1.0 : 0.0; /* the text itself lives in the spec */
    return GS_OK;
  }
  if (p->zero && strcasecmp(text, p->zero) == 0) {
    *value = 0.0;
    return GS_OK;
  }
  double v;
  char suffix[32];
  if (!gs_split_number(text, &v, suffix, sizeof suffix)) {
    snprintf(why, why_size, "not a number");
    return GS_ERR_BAD_VALUE;
  }
  /* 2R2 = 2.2 ohms */
  if (p->unit == GS_UNIT_OHM && suffix[0] == 'R' && isdigit((unsigned char)suffix[1]) &&
      v == floor(v)) {
    char *end;
    double frac = strtod(suffix + 1, &end);
    if (*end == '\0' && !strchr(suffix + 1, '.')) {
      v += frac / pow(10.0, (double)strlen(suffix + 1));
      suffix[0] = '\0';
    }
  }
  double out;
  if (!interpret(p->unit, suffix, v, &out)) {
    const char *symbol = gs_unit_symbol(p->unit); /* none for a knob's position */
    snprintf(why, why_size, "'%s' is not a unit for %s%s", suffix,
             symbol[0] ? "a value in " : "a plain number", symbol);
    return GS_ERR_BAD_VALUE;
  }
  if (!isfinite(out)) {
    snprintf(why, why_size, "not a finite number");
    return GS_ERR_BAD_VALUE;
  }
  if (p->type == GS_PARAM_INT && out != floor(out)) {
    snprintf(why, why_size, "not a whole number");
    return GS_ERR_BAD_VALUE;
  }
  double slack = 1e-9 * fmax(fabs(p->min), fabs(p->max));
  bool zero = p->zero && out == 0.0;
  if (!zero && (out < p->min - slack || out > p->max + slack)) {
    char range[128];
    describe_range(p, range, sizeof range);
    snprintf(why, why_size, "out of range (%s%s%s)", range, p->zero ? ", or " : "",
             p->zero ? p->zero : "");
    return GS_ERR_RANGE;
  }
  *value = zero ? 0.0 : fmin(fmax(out, p->min), p->max);
  return GS_OK;
}

/* ---------------------------------------------------------- formatting */

static bool uses_prefix(GsUnit u) {
  return u == GS_UNIT_OHM || u == GS_UNIT_FARAD || u == GS_UNIT_HENRY || u == GS_UNIT_HZ ||
         u == GS_UNIT_WATT || u == GS_UNIT_SECOND || u == GS_UNIT_VOLT_PEAK ||
         u == GS_UNIT_VOLT_RMS || u == GS_UNIT_VOLT;
}

static const char *ascii_unit(GsUnit u) {
  switch (u) {
    case GS_UNIT_OHM: return "";
    case GS_UNIT_DB_SPL: return "dB";
    case GS_UNIT_BITS: return "";
    case GS_UNIT_VOLT_PEAK: return "V";
    case GS_UNIT_VOLT_RMS: return "V";
    default: return gs_unit_symbol(u);
  }
}

int gs_value_format(const GsParamInfo *p, double value, char *buf, size_t size, bool compact) {
  if (p->type == GS_PARAM_CHOICE) {
    int i = (int)value;
    return snprintf(buf, size, "%s", p->choices ? p->choices[i] : "?");
  }
  if (p->type == GS_PARAM_TOGGLE) {
    return snprintf(buf, size, "%s", value != 0.0 ? "on" : "off");
  }
  if (p->type == GS_PARAM_PATH) return snprintf(buf, size, "%s", value != 0.0 ? "(file)" : "none");
  if (p->zero && value == 0.0) return snprintf(buf, size, "%s", p->zero);
  const char *unit = compact ? ascii_unit(p->unit) : gs_unit_symbol(p->unit);
  const char *sep = (compact || unit[0] == '\0') ? "" : " ";
  if (p->unit == GS_UNIT_POSITION && !compact) {
    return snprintf(buf, size, "%.3g", value);
  }
  if (!uses_prefix(p->unit) || value == 0.0) {
    return snprintf(buf, size, "%.6g%s%s", value, sep, unit);
  }
  static const struct {
    double mult;
    const char *sym, *ascii;
  } si[] = {{1e9, "G", "G"},  {1e6, "M", "meg"}, {1e3, "k", "k"},  {1, "", ""},
            {1e-3, "m", "m"}, {1e-6, "µ", "u"},  {1e-9, "n", "n"}, {1e-12, "p", "p"}};
  double a = fabs(value);
  size_t k = 0;
  while (k + 1 < sizeof si / sizeof si[0] && a < si[k].mult * 0.9999) k++;
  const char *pre = compact ? si[k].ascii : si[k].sym;
  if (!compact && p->unit == GS_UNIT_OHM && strcmp(pre, "") == 0) sep = " ";
  return snprintf(buf, size, "%.6g%s%s%s", value / si[k].mult, sep, pre, unit);
}

int gs_param_format(const GsParamInfo *param, double value, char *buf, size_t size) {
  return gs_value_format(param, value, buf, size, false);
}

int gs_param_find(const GsStageInfo *stage, const char *name) {
  for (uint32_t i = 0; i < stage->n_params; i++) {
    if (strcmp(stage->params[i].name, name) == 0) return (int)i;
  }
  return -1;
}

/* -------------------------------------------------------------- levels */

GsStatus gs_level_parse(const char *text, double *value, GsLevelUnit *unit) {
  double v;
  char suffix[32];
  if (!text || !gs_split_number(text, &v, suffix, sizeof suffix)) {
    return GS_ERR_BAD_VALUE;
  }
  static const struct {
    const char *name;
    GsLevelUnit unit;
  } units[] = {{"dBSPL", GS_LEVEL_DBSPL}, {"Pa", GS_LEVEL_PA},     {"dBu", GS_LEVEL_DBU},
               {"dBV", GS_LEVEL_DBV},     {"dBFS", GS_LEVEL_DBFS}, {"Vpk", GS_LEVEL_VPK},
               {"Vp", GS_LEVEL_VPK},      {"Vrms", GS_LEVEL_VRMS}, {"V", GS_LEVEL_VRMS}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    const char *name = units[i].name;
    double mult = 1.0;
    const char *s = suffix;
    bool volts = name[0] == 'V' || name[0] == 'P'; /* take mV, mPa, kV... */
    char base = name[0];
    if (volts && s[0] == 'm' && s[1] == base) {
      mult = 1e-3;
      s++;
    } else if (volts && strncmp(s, "\xc2\xb5", 2) == 0 && s[2] == base) {
      mult = 1e-6;
      s += 2;
    } else if (volts && s[0] == 'u' && s[1] == base) {
      mult = 1e-6;
      s++;
    } else if (volts && s[0] == 'k' && s[1] == base) {
      mult = 1e3;
      s++;
    }
    if (strcasecmp(s, name) == 0 && (volts || mult == 1.0)) {
      if (volts && v * mult < 0.0) return GS_ERR_RANGE;
      *value = v * mult;
      *unit = units[i].unit;
      return GS_OK;
    }
  }
  return GS_ERR_BAD_VALUE;
}
