/* Chain text: `STAGE key=value ... ! STAGE ...`, or one stage per line in
 * preset files, with `#` comments. Every error names where it is (file and
 * line, stage position and name), the key, the bad value and what would be
 * accepted. */
#include "spec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stage.h"
#include "units.h"

#define MAX_TEXT (1u << 20)  /* a whole chain or preset */
#define MAX_LINE (64u << 10) /* one line */

/* ------------------------------------------------------------- spec */

static GsStatus spec_append(GsSpec *spec, const GsStageClass *cls) {
  if (spec->n == GS_SPEC_MAX_STAGES) return GS_ERR_RANGE;
  GsSpecStage *st = &spec->stages[spec->n];
  st->cls = cls;
  st->values = calloc(cls->info.n_params ? cls->info.n_params : 1, sizeof(double));
  st->paths = calloc(cls->info.n_params ? cls->info.n_params : 1, sizeof(char *));
  if (!st->values || !st->paths) return GS_ERR_NOMEM;
  for (uint32_t i = 0; i < cls->info.n_params; i++) {
    st->values[i] = cls->info.params[i].def;
  }
  spec->n++;
  return GS_OK;
}

void gs_spec_free(GsSpec *spec) {
  if (!spec) return;
  free(spec->file);
  for (uint32_t i = 0; i < spec->n; i++) {
    const GsSpecStage *st = &spec->stages[i];
    for (uint32_t k = 0; st->paths && k < st->cls->info.n_params; k++) free(st->paths[k]);
    free(st->paths);
    free(st->values);
  }
  free(spec);
}

uint32_t gs_spec_length(const GsSpec *spec) {
  return spec ? spec->n : 0;
}

const GsStageInfo *gs_spec_stage(const GsSpec *spec, uint32_t index) {
  return index < spec->n ? &spec->stages[index].cls->info : NULL;
}

const char *gs_spec_path(const GsSpec *spec, uint32_t index, uint32_t param) {
  if (index >= spec->n || param >= spec->stages[index].cls->info.n_params) return NULL;
  return spec->stages[index].paths[param];
}

double gs_spec_value(const GsSpec *spec, uint32_t index, uint32_t param) {
  if (index >= spec->n || param >= spec->stages[index].cls->info.n_params) {
    return NAN;
  }
  return spec->stages[index].values[param];
}

GsStatus gs_spec_set_value(GsSpec *spec, uint32_t index, uint32_t param, double value, char *why,
                           size_t why_size) {
  if (!spec || index >= spec->n || param >= spec->stages[index].cls->info.n_params) {
    return GS_ERR_ARG;
  }
  GsSpecStage *st = &spec->stages[index];
  const GsParamInfo *p = &st->cls->info.params[param];
  if (p->type == GS_PARAM_PATH) return GS_ERR_ARG;
  if (p->type != GS_PARAM_REAL) value = round(value);
  bool zero = p->zero && value == 0.0;
  if (!isfinite(value) || (!zero && (value < p->min || value > p->max))) {
    if (why) snprintf(why, why_size, "%s=%g is outside its range", p->name, value);
    return GS_ERR_RANGE;
  }
  double old = st->values[param];
  st->values[param] = value;
  if (st->cls->check) {
    char reason[256] = "";
    GsStatus s = st->cls->check(st->values, reason, sizeof reason);
    if (s != GS_OK) {
      st->values[param] = old;
      if (why) snprintf(why, why_size, "%s", reason);
      return s;
    }
  }
  return GS_OK;
}

GsStatus gs_spec_set_path(GsSpec *spec, uint32_t index, uint32_t param, const char *path) {
  if (!spec || index >= spec->n || param >= spec->stages[index].cls->info.n_params ||
      spec->stages[index].cls->info.params[param].type != GS_PARAM_PATH) {
    return GS_ERR_ARG;
  }
  GsSpecStage *st = &spec->stages[index];
  char *copy = path ? strdup(path) : NULL;
  if (path && !copy) return GS_ERR_NOMEM;
  free(st->paths[param]);
  st->paths[param] = copy;
  st->values[param] = path ? 1.0 : 0.0;
  return GS_OK;
}

/* ---------------------------------------------------------- messages */

/* Where an error is: "file:3: " or "" for command-line text. */
typedef struct {
  const char *file;
  unsigned line;
  const GsLog *log;
} Where;

__attribute__((format(printf, 3, 0))) static void say(const Where *w, GsLogLevel level,
                                                      const char *fmt, va_list ap) {
  char head[512] = "";
  if (w->file) snprintf(head, sizeof head, "%s:%u: ", w->file, w->line);
  char body[1024];
  vsnprintf(body, sizeof body, fmt, ap);
  gs_log(w->log, level, "%s%s", head, body);
}

__attribute__((format(printf, 2, 3))) static void fail(const Where *w, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say(w, GS_LOG_ERROR, fmt, ap);
  va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void warn(const Where *w, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say(w, GS_LOG_WARNING, fmt, ap);
  va_end(ap);
}

static unsigned edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 31 || lb > 31) return 99;
  unsigned d[32][32];
  for (size_t i = 0; i <= la; i++) d[i][0] = (unsigned)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (unsigned)j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      unsigned sub =
          d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      unsigned del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
      d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
  }
  return d[la][lb];
}

/* ", did you mean 'x'?" for the nearest name within two edits. */
static void suggest(const char *bad, const char *const *names, size_t n, char *out, size_t size) {
  unsigned best = 3;
  const char *pick = NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned d = edit_distance(bad, names[i]);
    if (d < best) {
      best = d;
      pick = names[i];
    }
  }
  if (pick) {
    snprintf(out, size, "; did you mean '%s'?", pick);
  } else {
    out[0] = '\0';
  }
}

static void stage_names(char *buf, size_t size, const char **names, size_t *count) {
  size_t used = 0;
  *count = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < gs_stage_count(); i++) {
    const char *name = gs_stage_at(i)->name;
    names[(*count)++] = name;
    int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name);
    if (w > 0 && (size_t)w < size - used) used += (size_t)w;
  }
}

/* ------------------------------------------------------------ parsing */

typedef struct {
  const char *p;
} Cursor;

static void skip_blank(Cursor *c) {
  while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r') c->p++;
}

/* A token ends at blank, newline, '!', '#' or NUL; "quoted" values keep
 * spaces. Returns false if it does not fit. */
static bool read_token(Cursor *c, char *out, size_t size) {
  size_t n = 0;
  bool quoted = false;
  while (*c->p) {
    char ch = *c->p;
    if (ch == '"') {
      quoted = !quoted;
      c->p++;
      continue;
    }
    if (!quoted &&
        (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '!' || ch == '#')) {
      break;
    }
    if (quoted && ch == '\n') break;
    if (n + 1 >= size) return false;
    out[n++] = ch;
    c->p++;
  }
  out[n] = '\0';
  return !quoted;
}

/* A relative file name in a preset file is relative to the preset. */
static char *resolve_path(const char *value, const char *preset) {
  const char *slash = preset ? strrchr(preset, '/') : NULL;
  if (value[0] == '/' || !slash) return strdup(value);
  size_t dir = (size_t)(slash - preset) + 1, len = dir + strlen(value) + 1;
  char *out = malloc(len);
  if (out) snprintf(out, len, "%.*s%s", (int)dir, preset, value);
  return out;
}

static GsStatus parse_assignment(GsSpec *spec, const char *token, const Where *w, bool *given) {
  GsSpecStage *st = &spec->stages[spec->n - 1];
  const GsStageInfo *info = &st->cls->info;
  char where[96];
  snprintf(where, sizeof where, "stage %u (%s)", spec->n, info->name);
  const char *eq = strchr(token, '=');
  if (!eq || eq == token) {
    fail(w, "%s: '%s' is not key=value", where, token);
    return GS_ERR_SYNTAX;
  }
  char key[64];
  size_t klen = (size_t)(eq - token);
  if (klen >= sizeof key) klen = sizeof key - 1;
  memcpy(key, token, klen);
  key[klen] = '\0';
  const char *value = eq + 1;
  int idx = gs_param_find(info, key);
  if (idx < 0) {
    const char *names[64];
    size_t n = 0;
    for (uint32_t i = 0; i < info->n_params && n < 64; i++) {
      names[n++] = info->params[i].name;
    }
    char hint[96];
    suggest(key, names, n, hint, sizeof hint);
    fail(w, "%s has no parameter '%s'%s (all of them: gainstage list %s)", where, key, hint,
         info->name);
    return GS_ERR_UNKNOWN_PARAM;
  }
  if (given[idx]) {
    fail(w, "%s: %s is given twice", where, key);
    return GS_ERR_SYNTAX;
  }
  given[idx] = true;
  if (*value == '\0') {
    fail(w, "%s: %s= has no value", where, key);
    return GS_ERR_SYNTAX;
  }
  if (info->params[idx].type == GS_PARAM_PATH) {
    st->paths[idx] = resolve_path(value, w->file);
    if (!st->paths[idx]) return GS_ERR_NOMEM;
    st->values[idx] = 1.0;
    return GS_OK;
  }
  char why[256];
  double v;
  GsStatus s = gs_param_parse(&info->params[idx], value, &v, why, sizeof why);
  if (s != GS_OK) {
    fail(w, "%s: %s=%s: %s", where, key, value, why);
    return s;
  }
  st->values[idx] = v;
  return GS_OK;
}

static GsStatus start_stage(GsSpec *spec, const char *name, const Where *w) {
  const GsStageClass *cls = gs_class_find(name);
  if (!cls) {
    char all[512];
    const char *names[32];
    size_t n;
    stage_names(all, sizeof all, names, &n);
    char hint[96];
    suggest(name, names, n, hint, sizeof hint);
    fail(w, "unknown stage '%s'%s (stages: %s)", name, hint, all);
    return GS_ERR_UNKNOWN_STAGE;
  }
  GsStatus s = spec_append(spec, cls);
  if (s == GS_ERR_RANGE) {
    fail(w, "more than %d stages in one chain", GS_SPEC_MAX_STAGES);
  }
  if (s == GS_OK && w->file) spec->stages[spec->n - 1].line = w->line;
  return s;
}

/* The stage just read: its cross-parameter check, and a warning for each
 * setting given that does nothing with the others. */
static GsStatus check_stage(const GsSpec *spec, const Where *w, const bool *given) {
  const GsSpecStage *st = &spec->stages[spec->n - 1];
  for (uint32_t k = 0; st->cls->inert && k < st->cls->info.n_params; k++) {
    const char *needs = given[k] ? st->cls->inert(st->values, k) : NULL;
    if (needs) {
      warn(w, "stage %u (%s): %s= does nothing here: it applies to %s", spec->n, st->cls->info.name,
           st->cls->info.params[k].name, needs);
    }
  }
  if (!st->cls->check) return GS_OK;
  char why[256] = "";
  GsStatus s = st->cls->check(st->values, why, sizeof why);
  if (s != GS_OK) {
    char where[96];
    snprintf(where, sizeof where, "stage %u (%s)", spec->n, st->cls->info.name);
    fail(w, "%s: %s", where, why);
  }
  return s;
}

static bool line_too_long(const char *text) {
  size_t run = 0;
  for (const char *p = text; *p; p++) {
    run = *p == '\n' ? 0 : run + 1;
    if (run > MAX_LINE) return true;
  }
  return false;
}

static GsStatus parse_text(const char *text, const char *file, const GsLog *log, GsSpec **out) {
  Where w = {file, 1, log};
  *out = NULL;
  if (strlen(text) > MAX_TEXT || line_too_long(text)) {
    fail(&w, "chain text too long (lines up to 64 KiB, 1 MiB in all)");
    return GS_ERR_SYNTAX;
  }
  GsSpec *spec = calloc(1, sizeof *spec);
  if (spec && file && !(spec->file = strdup(file))) {
    free(spec);
    spec = NULL;
  }
  if (!spec) return GS_ERR_NOMEM;
  Cursor c = {text};
  bool in_stage = false, dangling = false; /* dangling: a '!' waits for its stage */
  bool given[GS_SPEC_MAX_PARAMS] = {false};
  GsStatus s = GS_OK;
  char token[MAX_LINE + 1];
  while (s == GS_OK) {
    skip_blank(&c);
    char ch = *c.p;
    if (ch == '\0') break;
    if (ch == '#') {
      while (*c.p && *c.p != '\n') c.p++;
      continue;
    }
    if (ch == '\n' || ch == '!') {
      if (ch == '!' && !in_stage) {
        fail(&w, "'!' with no stage before it");
        s = GS_ERR_SYNTAX;
        break;
      }
      if (in_stage) s = check_stage(spec, &w, given); /* on the stage's line */
      if (ch == '\n') w.line++;
      dangling = ch == '!' || (dangling && !in_stage);
      in_stage = false;
      c.p++;
      continue;
    }
    if (!read_token(&c, token, sizeof token)) {
      fail(&w, "unterminated quote");
      s = GS_ERR_SYNTAX;
      break;
    }
    if (!in_stage) {
      if (strchr(token, '=')) {
        fail(&w, "'%s' comes before any stage name", token);
        s = GS_ERR_SYNTAX;
        break;
      }
      s = start_stage(spec, token, &w);
      in_stage = true;
      dangling = false;
      memset(given, 0, sizeof given);
    } else {
      s = parse_assignment(spec, token, &w, given);
    }
  }
  if (s == GS_OK && in_stage) s = check_stage(spec, &w, given);
  if (s == GS_OK && dangling) {
    fail(&w, "'!' with no stage after it");
    s = GS_ERR_SYNTAX;
  }
  if (s == GS_OK && spec->n == 0) {
    fail(&w, "the chain is empty: name at least one stage");
    s = GS_ERR_SYNTAX;
  }
  if (s != GS_OK) {
    gs_spec_free(spec);
    return s;
  }
  *out = spec;
  return GS_OK;
}

GsStatus gs_spec_parse(const char *text, const GsLog *log, GsSpec **out) {
  if (!text || !out) return GS_ERR_ARG;
  return parse_text(text, NULL, log, out);
}

GsStatus gs_spec_parse_from(const char *text, const char *file, const GsLog *log, GsSpec **out) {
  if (!text || !out) return GS_ERR_ARG;
  return parse_text(text, file, log, out);
}

GsStatus gs_spec_load(const char *path, const GsLog *log, GsSpec **out) {
  if (!path || !out) return GS_ERR_ARG;
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    gs_log(log, GS_LOG_ERROR, "cannot read preset '%s': %s", path, strerror(errno));
    return GS_ERR_IO;
  }
  char *text = malloc(MAX_TEXT + 2);
  if (!text) {
    fclose(f);
    return GS_ERR_NOMEM;
  }
  size_t n = fread(text, 1, MAX_TEXT + 1, f);
  bool bad = ferror(f);
  fclose(f);
  if (bad || n > MAX_TEXT || memchr(text, '\0', n)) {
    gs_log(log, GS_LOG_ERROR, "preset '%s' is %s", path,
           bad ? "unreadable" : "not a text file of at most 1 MiB");
    free(text);
    return bad ? GS_ERR_IO : GS_ERR_SYNTAX;
  }
  text[n] = '\0';
  GsStatus s = parse_text(text, path, log, out);
  free(text);
  return s;
}

char *gs_spec_to_text(const GsSpec *spec) {
  size_t cap = 4096, used = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  buf[0] = '\0';
  for (uint32_t i = 0; i < spec->n; i++) {
    const GsStageInfo *info = &spec->stages[i].cls->info;
    char line[2048];
    size_t len = (size_t)snprintf(line, sizeof line, "%s", info->name);
    for (uint32_t k = 0; k < info->n_params; k++) {
      double v = spec->stages[i].values[k];
      if (v == info->params[k].def) continue;
      char val[512];
      if (info->params[k].type == GS_PARAM_PATH) {
        snprintf(val, sizeof val, "\"%s\"", spec->stages[i].paths[k]);
      } else {
        gs_value_format(&info->params[k], v, val, sizeof val, true);
      }
      int wr = snprintf(line + len, sizeof line - len, " %s=%s", info->params[k].name, val);
      if (wr > 0 && (size_t)wr < sizeof line - len) len += (size_t)wr;
    }
    if (used + len + 2 > cap) {
      cap = (used + len + 2) * 2;
      char *grown = realloc(buf, cap);
      if (!grown) {
        free(buf);
        return NULL;
      }
      buf = grown;
    }
    memcpy(buf + used, line, len);
    used += len;
    buf[used++] = '\n';
    buf[used] = '\0';
  }
  return buf;
}
