/* Rig files (docs/rig.md): one declaration per line, `#` comments,
 * `key=value` settings parsed by the same parameter descriptions as chain
 * text. A strip's chain is the stage lines that follow it, handed to the
 * chain parser with their line numbers kept, so its errors point into the
 * rig file. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rig.h"
#include "rig_params.h"

#define MAX_TEXT (1u << 20)
#define MAX_LINE (64u << 10)
#define MAX_TOKENS 256

typedef struct {
  const char *file;
  unsigned line;
  const GsLog *log;
} Where;

__attribute__((format(printf, 2, 3))) static GsStatus fail(const Where *w, const char *fmt, ...) {
  char body[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, fmt, ap);
  va_end(ap);
  if (w->log && w->log->func) {
    char msg[1400];
    if (w->line) {
      snprintf(msg, sizeof msg, "%s:%u: %s", w->file ? w->file : "rig", w->line, body);
    } else { /* the file as a whole */
      snprintf(msg, sizeof msg, "%s: %s", w->file ? w->file : "rig", body);
    }
    w->log->func(w->log->handle, GS_LOG_ERROR, msg);
  }
  return GS_ERR_SYNTAX;
}

/* ------------------------------------------------------------ tokens */

/* Split a line (comment already cut) into tokens in place; "..." quotes
 * keep spaces (JACK port names may have them). false: unterminated. */
static bool tokenize(char *line, char **tok, uint32_t *n) {
  *n = 0;
  char *p = line;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    if (!*p) break;
    if (*n == MAX_TOKENS) return false;
    tok[(*n)++] = p;
    char *out = p;
    bool quoted = false;
    for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\r')); p++) {
      if (*p == '"') {
        quoted = !quoted;
      } else {
        *out++ = *p;
      }
    }
    if (quoted) return false;
    if (*p) p++;
    *out = '\0';
  }
  return true;
}

/* The end of a line's content: a # outside quotes. */
static void cut_comment(char *line) {
  bool quoted = false;
  for (char *p = line; *p; p++) {
    if (*p == '"') quoted = !quoted;
    if (*p == '#' && !quoted) {
      *p = '\0';
      return;
    }
  }
}

static bool valid_name(const char *s) {
  if (!*s || strlen(s) >= GS_RIG_NAME) return false;
  for (; *s; s++) {
    if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-') return false;
  }
  return true;
}

/* "key=value" → key, value; false if there is no '='. */
static bool split_setting(char *token, char **key, char **value) {
  char *eq = strchr(token, '=');
  if (!eq) return false;
  *eq = '\0';
  *key = token;
  *value = eq + 1;
  return true;
}

/* Token i of a declaration whose settings start at token `first`, split:
 * not KEY=VALUE (form says which), or a key an earlier one had, fails. */
static GsStatus next_setting(const Where *w, char **tok, uint32_t first, uint32_t i, char **key,
                             char **value, const char *form) {
  if (!split_setting(tok[i], key, value)) return fail(w, "'%s': expected %s", tok[i], form);
  for (uint32_t j = first; j < i; j++) { /* earlier ones were split: their keys */
    if (!strcmp(tok[j], *key)) return fail(w, "%s= given twice", *key);
  }
  return GS_OK;
}

static GsStatus parse_value(const Where *w, const GsParamInfo *info, const char *key,
                            const char *text, double *out) {
  char why[256] = "";
  if (gs_param_parse(info, text, out, why, sizeof why) != GS_OK) {
    return fail(w, "%s=%s: %s", key, text, why);
  }
  return GS_OK;
}

/* "p1,p2" → up to max port names (strdup'ed). */
static GsStatus parse_ports(const Where *w, const char *key, const char *text, char **out,
                            uint32_t max, uint32_t *count) {
  uint32_t n = 0;
  const char *p = text;
  size_t total = strlen(text);
  if (total == 0 || text[total - 1] == ',') {
    return fail(w, "%s=%s: expected up to %u JACK port names separated by commas", key, text, max);
  }
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == 0 || n == max) {
      return fail(w, "%s=%s: expected up to %u JACK port names separated by commas", key, text,
                  max);
    }
    free(out[n]);
    out[n] = strndup(p, len);
    if (!out[n]) return GS_ERR_NOMEM;
    n++;
    p += len + (comma ? 1 : 0);
  }
  if (count) *count = n;
  return GS_OK;
}

/* ------------------------------------------------------- declarations */

typedef struct {
  GsRig *rig;
  Where w;
  int strip_of_line; /* the strip stage lines belong to, or -1 */
  int *line_strip;   /* per line: strip index, or -1 */
  unsigned rig_line; /* where the rig was declared, or 0 */
  unsigned mix_line[GS_RIG_MAX_PHONES][GS_RIG_MAX_STRIPS]; /* where a send was set, or 0 */
} Parser;

static GsStatus strip_setting(Parser *ps, GsRigStrip *st, char *key, char *value) {
  double v;
  GsStatus s;
  if (!strcmp(key, "capture")) {
    return parse_ports(&ps->w, key, value, st->capture, GS_RIG_MAX_CAPTURES, &st->n_inputs);
  }
  const GsParamInfo *info = !strcmp(key, "level")    ? &gs_rig_level_info
                            : !strcmp(key, "pan")    ? &gs_rig_pan_info
                            : !strcmp(key, "mute")   ? &gs_rig_toggle_info
                            : !strcmp(key, "record") ? &gs_rig_record_info
                            : !strcmp(key, "inputs") ? &gs_rig_inputs_info
                                                     : NULL;
  if (!info) {
    return fail(&ps->w, "strip has no setting '%s' (capture, inputs, level, pan, mute, record)",
                key);
  }
  if ((s = parse_value(&ps->w, info, key, value, &v)) != GS_OK) return s;
  if (info == &gs_rig_level_info) st->level_db = v;
  if (info == &gs_rig_pan_info) st->pan = v;
  if (info == &gs_rig_toggle_info) st->mute = v != 0.0;
  if (info == &gs_rig_record_info) st->record = (GsRecordWhat)v;
  if (info == &gs_rig_inputs_info) st->n_inputs = (uint32_t)v;
  return GS_OK;
}

static GsStatus decl_strip(Parser *ps, char **tok, uint32_t n) {
  GsRig *rig = ps->rig;
  if (n < 2 || strchr(tok[1], '=') || !valid_name(tok[1])) {
    return fail(&ps->w, "a strip needs a name first (letters, digits, _ and -; up to %d)",
                GS_RIG_NAME - 1);
  }
  if (!strcmp(tok[1], "monitor") || !strncmp(tok[1], "phones", 6)) {
    return fail(&ps->w, "'%s' cannot name a strip: it names outputs", tok[1]);
  }
  for (uint32_t s = 0; s < rig->n_strips; s++) {
    if (!strcmp(rig->strip[s].name, tok[1])) return fail(&ps->w, "strip '%s' twice", tok[1]);
  }
  if (rig->n_strips == GS_RIG_MAX_STRIPS) {
    return fail(&ps->w, "more than %d strips", GS_RIG_MAX_STRIPS);
  }
  GsRigStrip *st = &rig->strip[rig->n_strips];
  snprintf(st->name, sizeof st->name, "%s", tok[1]);
  st->line = ps->w.line;
  st->n_inputs = 1;
  st->record = (GsRecordWhat)gs_rig_record_info.def;
  for (uint32_t i = 2; i < n; i++) {
    char *key = NULL, *value = NULL;
    GsStatus bad = next_setting(&ps->w, tok, 2, i, &key, &value, "key=value");
    if (bad != GS_OK) return bad;
    GsStatus s = strip_setting(ps, st, key, value);
    if (s != GS_OK) return s;
  }
  bool inputs = false, capture = false; /* the tokens are keys now */
  for (uint32_t i = 2; i < n; i++)
    inputs |= !strcmp(tok[i], "inputs"), capture |= !strcmp(tok[i], "capture");
  if (inputs && capture) return fail(&ps->w, "inputs= and capture= both given: capture= counts");
  ps->strip_of_line = (int)rig->n_strips++;
  return GS_OK;
}

static GsStatus monitor_setting(Parser *ps, char *key, char *value) {
  GsRigMonitor *m = &ps->rig->monitor;
  double v;
  GsStatus s;
  if (!strcmp(key, "a")) return parse_ports(&ps->w, key, value, m->a, 2, NULL);
  if (!strcmp(key, "b")) return parse_ports(&ps->w, key, value, m->b, 2, NULL);
  if (!strcmp(key, "return_from")) return parse_ports(&ps->w, key, value, m->return_from, 2, NULL);
  static const char *const keys[] = {"select", "level", "dim",   "dim_level",
                                     "mute",   "mono",  "return"};
  const GsParamInfo *infos[] = {&gs_rig_select_info,    &gs_rig_level_info,  &gs_rig_toggle_info,
                                &gs_rig_dim_level_info, &gs_rig_toggle_info, &gs_rig_toggle_info,
                                &gs_rig_level_info};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    if (strcmp(key, keys[k]) != 0) continue;
    if ((s = parse_value(&ps->w, infos[k], key, value, &v)) != GS_OK) return s;
    double *reals[] = {NULL, &m->level_db, NULL, &m->dim_db, NULL, NULL, &m->return_db};
    bool *flags[] = {NULL, NULL, &m->dim, NULL, &m->mute, &m->mono, NULL};
    if (k == 0) m->select = (uint32_t)v;
    if (reals[k]) *reals[k] = v;
    if (flags[k]) *flags[k] = v != 0.0;
    return GS_OK;
  }
  return fail(&ps->w,
              "monitor has no setting '%s' (a, b, select, level, dim, dim_level, mute, mono, "
              "return, return_from)",
              key);
}

static GsStatus decl_monitor(Parser *ps, char **tok, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) {
    char *key = NULL, *value = NULL;
    GsStatus bad = next_setting(&ps->w, tok, 1, i, &key, &value, "key=value");
    if (bad != GS_OK) return bad;
    GsStatus s = monitor_setting(ps, key, value);
    if (s != GS_OK) return s;
  }
  ps->strip_of_line = -1;
  return GS_OK;
}

/* "phones N": headphone mixes are numbered 1, 2, ... in order. */
static GsStatus phones_number(Parser *ps, const char *text, bool declare, uint32_t *k) {
  char *end;
  long v = strtol(text, &end, 10);
  uint32_t have = ps->rig->n_phones;
  if (*end || v < 1 || v > GS_RIG_MAX_PHONES || (declare ? (uint32_t)v != have + 1 : v > have)) {
    if (declare) {
      return fail(&ps->w, "'%s': headphone mixes are numbered 1 to %d in order; next is %u", text,
                  GS_RIG_MAX_PHONES, have + 1);
    }
    return fail(&ps->w, "'%s': no headphone mix of that number (declared: 1..%u)", text, have);
  }
  *k = (uint32_t)v - 1;
  return GS_OK;
}

static GsStatus decl_phones(Parser *ps, char **tok, uint32_t n) {
  uint32_t k = 0;
  GsStatus s;
  if (n < 2 || (s = phones_number(ps, tok[1], true, &k)) != GS_OK) {
    return n < 2 ? fail(&ps->w, "phones needs its number") : s;
  }
  GsRigPhones *ph = &ps->rig->phones[k];
  ps->rig->n_phones++;
  for (uint32_t i = 2; i < n; i++) {
    char *key = NULL, *value = NULL;
    double v;
    GsStatus bad = next_setting(&ps->w, tok, 2, i, &key, &value, "key=value");
    if (bad != GS_OK) return bad;
    if (!strcmp(key, "ports")) {
      s = parse_ports(&ps->w, key, value, ph->ports, 2, NULL);
    } else if (!strcmp(key, "level") || !strcmp(key, "return")) {
      s = parse_value(&ps->w, &gs_rig_level_info, key, value, &v);
      *(!strcmp(key, "level") ? &ph->level_db : &ph->return_db) = v;
    } else {
      s = fail(&ps->w, "phones has no setting '%s' (ports, level, return)", key);
    }
    if (s != GS_OK) return s;
  }
  ps->strip_of_line = -1;
  return GS_OK;
}

/* "mix N STRIP level=.. pan=..": a strip in headphone mix N. */
static GsStatus decl_mix(Parser *ps, char **tok, uint32_t n) {
  uint32_t k = 0;
  GsStatus s;
  if (n < 3)
    return fail(&ps->w, "mix needs a headphone mix number and a strip: mix 1 gtr level=-3dB");
  if ((s = phones_number(ps, tok[1], false, &k)) != GS_OK) return s;
  int strip = -1;
  for (uint32_t i = 0; i < ps->rig->n_strips; i++) {
    if (!strcmp(ps->rig->strip[i].name, tok[2])) strip = (int)i;
  }
  if (strip < 0) return fail(&ps->w, "mix: no strip '%s' declared before this line", tok[2]);
  unsigned *first = &ps->mix_line[k][strip];
  if (*first) return fail(&ps->w, "mix %s %s twice (first on line %u)", tok[1], tok[2], *first);
  *first = ps->w.line;
  GsRigSend *send = &ps->rig->phones[k].send[strip];
  for (uint32_t i = 3; i < n; i++) {
    char *key = NULL, *value = NULL;
    GsStatus bad = next_setting(&ps->w, tok, 3, i, &key, &value, "key=value");
    if (bad != GS_OK) return bad;
    bool level = !strcmp(key, "level");
    if (!level && strcmp(key, "pan") != 0)
      return fail(&ps->w, "mix has no setting '%s' (level, pan)", key);
    s = parse_value(&ps->w, level ? &gs_rig_level_info : &gs_rig_pan_info, key, value,
                    level ? &send->level_db : &send->pan);
    if (s != GS_OK) return s;
  }
  ps->strip_of_line = -1;
  return GS_OK;
}

static GsStatus decl_rig(Parser *ps, char **tok, uint32_t n) {
  if (ps->rig_line)
    return fail(&ps->w, "the rig is declared twice (first on line %u)", ps->rig_line);
  ps->rig_line = ps->w.line;
  for (uint32_t i = 1; i < n; i++) {
    char *key = NULL, *value = NULL;
    GsStatus bad = next_setting(&ps->w, tok, 1, i, &key, &value, "name=NAME");
    if (bad != GS_OK) return bad;
    if (strcmp(key, "name") != 0) return fail(&ps->w, "rig has no setting '%s' (name)", key);
    if (!valid_name(value)) {
      return fail(&ps->w, "name=%s: a rig's name is letters, digits, _ and -, up to %d", value,
                  GS_RIG_NAME - 1);
    }
    snprintf(ps->rig->name, sizeof ps->rig->name, "%s", value);
  }
  ps->strip_of_line = -1;
  return GS_OK;
}

/* ------------------------------------------------- cc and program lines */

static GsStatus find_control(Parser *ps, const char *name, uint32_t *out) {
  int c = gs_rig_control_find(ps->rig, name);
  if (c < 0) {
    return fail(&ps->w,
                "no control '%s' (STRIP.level/pan/mute, STRIP.STAGE.PARAM for a live "
                "parameter, monitor.select/level/dim/mute/mono/return, phonesN.level/return, "
                "phonesN.STRIP.level/pan)",
                name);
  }
  *out = (uint32_t)c;
  return GS_OK;
}

/* "cc N CONTROL [min=..] [max=..] [channel=..]" */
static GsStatus decl_cc(Parser *ps, char **tok, uint32_t n) {
  GsRig *rig = ps->rig;
  char *end;
  long number = n >= 2 ? strtol(tok[1], &end, 10) : -1;
  if (n < 3 || *end || number < 0 || number > 127) {
    return fail(&ps->w, "cc needs a controller number 0..127 and a control: cc 7 gtr.level");
  }
  if (rig->n_cc == GS_RIG_MAX_CC) return fail(&ps->w, "more than %d cc maps", GS_RIG_MAX_CC);
  GsRigCc *cc = &rig->cc[rig->n_cc];
  GsStatus s = find_control(ps, tok[2], &cc->control);
  if (s != GS_OK) return s;
  const GsParamInfo *info = rig->control[cc->control].info;
  cc->cc = (uint8_t)number;
  cc->min = info->min;
  cc->max = info->max;
  for (uint32_t i = 3; i < n; i++) {
    char *key = NULL, *value = NULL;
    GsStatus bad = next_setting(&ps->w, tok, 3, i, &key, &value, "key=value");
    if (bad != GS_OK) return bad;
    if (!strcmp(key, "channel")) {
      long ch = strtol(value, &end, 10);
      if (*end || ch < 1 || ch > 16) return fail(&ps->w, "channel=%s: a MIDI channel 1..16", value);
      cc->channel = (uint8_t)ch;
      continue;
    }
    if (strcmp(key, "min") != 0 && strcmp(key, "max") != 0) {
      return fail(&ps->w, "cc has no setting '%s' (min, max, channel)", key);
    }
    s = parse_value(&ps->w, info, key, value, !strcmp(key, "min") ? &cc->min : &cc->max);
    if (s != GS_OK) return s;
  }
  rig->n_cc++;
  return GS_OK;
}

/* "program N CONTROL=VALUE ...": what MIDI program change N recalls. */
static GsStatus decl_program(Parser *ps, char **tok, uint32_t n) {
  GsRig *rig = ps->rig;
  char *end;
  long number = n >= 2 ? strtol(tok[1], &end, 10) : 0;
  if (n < 3 || *end || number < 1 || number > 128) {
    return fail(&ps->w, "program needs a number 1..128 and settings: program 2 gtr.preamp.gain=50");
  }
  for (uint32_t p = 0; p < rig->n_programs; p++) {
    if (rig->program[p].number == number) return fail(&ps->w, "program %ld twice", number);
  }
  if (n - 2 > GS_RIG_MAX_SETTINGS)
    return fail(&ps->w, "more than %d settings", GS_RIG_MAX_SETTINGS);
  GsRigProgram *pr = &rig->program[rig->n_programs];
  pr->number = (uint8_t)number;
  for (uint32_t i = 2; i < n; i++) {
    char *key = NULL, *value = NULL;
    GsStatus s;
    if (!split_setting(tok[i], &key, &value))
      return fail(&ps->w, "'%s': expected CONTROL=VALUE", tok[i]);
    GsRigSetting *set = &pr->set[pr->n];
    if ((s = find_control(ps, key, &set->control)) != GS_OK) return s;
    for (uint32_t j = 0; j < pr->n; j++) {
      if (pr->set[j].control == set->control) return fail(&ps->w, "%s set twice", key);
    }
    s = parse_value(&ps->w, rig->control[set->control].info, key, value, &set->value);
    if (s != GS_OK) return s;
    pr->n++;
  }
  rig->n_programs++;
  return GS_OK;
}

/* --------------------------------------------------------------- lines */

static GsStatus parse_line(Parser *ps, char *line, bool late) {
  char *tok[MAX_TOKENS];
  uint32_t n;
  cut_comment(line);
  if (!tokenize(line, tok, &n)) return fail(&ps->w, "unterminated quote or too many words");
  if (n == 0) return GS_OK;
  static const char *const late_words[] = {"cc", "program"};
  for (size_t i = 0; i < 2; i++) {
    if (strcmp(tok[0], late_words[i]) != 0) continue;
    /* resolved in a second pass, once every control exists */
    if (late) return i == 0 ? decl_cc(ps, tok, n) : decl_program(ps, tok, n);
    ps->strip_of_line = -1;
    return GS_OK;
  }
  if (late) return GS_OK;
  if (!strcmp(tok[0], "strip")) return decl_strip(ps, tok, n);
  if (!strcmp(tok[0], "monitor")) return decl_monitor(ps, tok, n);
  if (!strcmp(tok[0], "phones")) return decl_phones(ps, tok, n);
  if (!strcmp(tok[0], "mix")) return decl_mix(ps, tok, n);
  if (!strcmp(tok[0], "rig")) return decl_rig(ps, tok, n);
  if (gs_stage_find(tok[0]) || tok[0][0] == '!') {
    if (ps->strip_of_line < 0) {
      return fail(&ps->w, "stage '%s' outside a strip: stage lines follow a 'strip' line", tok[0]);
    }
    ps->line_strip[ps->w.line - 1] = ps->strip_of_line;
    return GS_OK;
  }
  return fail(&ps->w,
              "'%s' is neither a declaration (rig, strip, monitor, phones, mix, cc, program) nor "
              "a stage",
              tok[0]);
}

static unsigned count_lines(const char *text) {
  unsigned n = 1;
  for (const char *p = text; *p; p++) n += *p == '\n';
  return n;
}

/* Each line of text in turn; late: only cc and program lines. */
static GsStatus each_line(Parser *ps, const char *text, bool late) {
  const char *p = text;
  char *line = malloc(MAX_LINE + 1);
  if (!line) return GS_ERR_NOMEM;
  GsStatus s = GS_OK;
  for (ps->w.line = 1; s == GS_OK && *p; ps->w.line++) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (len > MAX_LINE) {
      s = fail(&ps->w, "line longer than 64 KiB");
      break;
    }
    memcpy(line, p, len);
    line[len] = '\0';
    s = parse_line(ps, line, late);
    p += len + (nl ? 1 : 0);
  }
  free(line);
  return s;
}

static GsStatus parse_all(Parser *ps, const char *text, const char *file, const GsLog *log) {
  GsStatus s = each_line(ps, text, false);
  if (s != GS_OK) return s;
  if (ps->rig->n_strips == 0) {
    ps->w.line = 1;
    return fail(&ps->w, "the rig has no strip: declare at least one (strip NAME capture=PORT)");
  }
  s = gs_rig_strip_chains(ps->rig, text, file, ps->line_strip, log);
  if (s == GS_OK) s = gs_rig_build_controls(ps->rig);
  if (s == GS_OK) s = each_line(ps, text, true);
  return s;
}

GsStatus gs_rig_parse(const char *text, const char *file, const GsLog *log, GsRig **out) {
  *out = NULL;
  Where w = {file, 1, log};
  if (strlen(text) > MAX_TEXT) return fail(&w, "a rig file is at most 1 MiB");
  if (!strncmp(text, "\xEF\xBB\xBF", 3)) text += 3; /* a UTF-8 byte-order mark: no content */
  unsigned lines = count_lines(text);
  GsRig *rig = calloc(1, sizeof *rig);
  Parser ps = {.rig = rig, .w = w, .strip_of_line = -1, .line_strip = calloc(lines, sizeof(int))};
  if (!rig || !ps.line_strip) {
    free(ps.line_strip);
    gs_rig_free(rig);
    return GS_ERR_NOMEM;
  }
  snprintf(rig->name, sizeof rig->name, "gainstage");
  rig->monitor.dim_db = gs_rig_dim_level_info.def;
  for (uint32_t k = 0; k < GS_RIG_MAX_PHONES; k++) rig->phones[k].return_db = 0.0;
  for (unsigned i = 0; i < lines; i++) ps.line_strip[i] = -1;
  GsStatus s = parse_all(&ps, text, file, log);
  free(ps.line_strip);
  if (s != GS_OK) {
    gs_rig_free(rig);
    return s;
  }
  *out = rig;
  return GS_OK;
}

GsStatus gs_rig_load(const char *path, const GsLog *log, GsRig **out) {
  *out = NULL;
  Where w = {path, 0, log};
  struct stat st;
  bool dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
  FILE *f = dir ? NULL : fopen(path, "rb");
  if (!f) {
    fail(&w, "cannot read the rig file: %s", dir ? "it is a directory" : strerror(errno));
    return GS_ERR_IO;
  }
  char *text = malloc(MAX_TEXT + 2);
  size_t n = text ? fread(text, 1, MAX_TEXT + 1, f) : 0;
  int err = ferror(f) ? errno : 0;
  fclose(f);
  if (!text) return GS_ERR_NOMEM;
  if (err || n > MAX_TEXT || memchr(text, '\0', n)) {
    free(text);
    if (err) {
      fail(&w, "cannot read the rig file: %s", strerror(err));
    } else if (n > MAX_TEXT) {
      fail(&w, "a rig file is at most 1 MiB; this one is %lld bytes", (long long)st.st_size);
    } else {
      fail(&w, "holds NUL bytes: not a text file");
    }
    return err ? GS_ERR_IO : GS_ERR_SYNTAX;
  }
  text[n] = '\0';
  GsStatus s = gs_rig_parse(text, path, log, out);
  free(text);
  return s;
}

void gs_rig_free(GsRig *rig) {
  if (!rig) return;
  for (uint32_t s = 0; s < GS_RIG_MAX_STRIPS; s++) {
    for (uint32_t c = 0; c < GS_RIG_MAX_CAPTURES; c++) free(rig->strip[s].capture[c]);
    gs_spec_free(rig->strip[s].chain);
  }
  for (uint32_t k = 0; k < GS_RIG_MAX_PHONES; k++) {
    free(rig->phones[k].ports[0]);
    free(rig->phones[k].ports[1]);
  }
  for (int i = 0; i < 2; i++) {
    free(rig->monitor.a[i]);
    free(rig->monitor.b[i]);
    free(rig->monitor.return_from[i]);
  }
  free(rig->control);
  free(rig);
}
