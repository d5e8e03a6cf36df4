#include "json.h"

#include <math.h>

static void sep(Json *j, const char *key) {
  if (!j->first[j->depth]) fputc(',', j->f);
  j->first[j->depth] = false;
  if (key) {
    fputc('"', j->f);
    for (const char *p = key; *p; p++) fputc(*p, j->f);
    fputs("\":", j->f);
  }
}

static void open(Json *j, const char *key, char c) {
  sep(j, key);
  fputc(c, j->f);
  j->depth++;
  j->first[j->depth] = true;
  j->kind[j->depth] = c;
}

void json_begin(Json *j, FILE *f) {
  j->f = f;
  j->depth = 0;
  j->first[0] = true;
  fputc('{', f);
  j->depth = 1;
  j->first[1] = true;
}

void json_end(Json *j) {
  fputs("}\n", j->f);
  j->depth = 0;
}

void json_object(Json *j, const char *key) {
  open(j, key, '{');
}
void json_array(Json *j, const char *key) {
  open(j, key, '[');
}

void json_close(Json *j) {
  fputc(j->kind[j->depth] == '[' ? ']' : '}', j->f);
  j->depth--;
}

void json_num(Json *j, const char *key, double v) {
  sep(j, key);
  if (isfinite(v)) {
    fprintf(j->f, "%.10g", v);
  } else {
    fputs("null", j->f);
  }
}

void json_str(Json *j, const char *key, const char *v) {
  sep(j, key);
  fputc('"', j->f);
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if (*p == '"' || *p == '\\') {
      fprintf(j->f, "\\%c", *p);
    } else if (*p < 0x20) {
      fprintf(j->f, "\\u%04x", *p);
    } else {
      fputc(*p, j->f);
    }
  }
  fputc('"', j->f);
}

void json_bool(Json *j, const char *key, bool v) {
  sep(j, key);
  fputs(v ? "true" : "false", j->f);
}

void json_null(Json *j, const char *key) {
  sep(j, key);
  fputs("null", j->f);
}
