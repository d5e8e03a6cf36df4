/* A strip's chain: its stage lines, parsed by the chain parser with the
 * rig file's line numbers, and completed to run between JACK ports, which
 * carry full-scale samples: a chain that starts in volts gets a `source`
 * in front (the capture port's full scale becomes volts), one that ends
 * in volts gets an `adc` behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"
#include "rig_params.h"
#include "spec.h"

static void report(const GsLog *log, const char *file, unsigned line, const char *strip,
                   const char *what) {
  if (!log || !log->func) return;
  char msg[512];
  snprintf(msg, sizeof msg, "%s:%u: strip '%s': %s", file ? file : "rig", line, strip, what);
  log->func(log->handle, GS_LOG_ERROR, msg);
}

/* The text with every line that is not strip k's blanked (newlines kept,
 * so the chain parser's line numbers are the file's), after `prefix`. */
static char *strip_text(const char *text, const int *line_strip, int k, const char *prefix,
                        bool *any) {
  size_t len = strlen(text), pre = strlen(prefix);
  char *out = malloc(pre + len + 8);
  if (!out) return NULL;
  memcpy(out, prefix, pre);
  unsigned line = 0;
  *any = false;
  for (size_t i = 0; i < len; i++) {
    char ch = text[i];
    bool mine = line_strip[line] == k;
    out[pre + i] = ch == '\n' || mine ? ch : ' ';
    *any |= mine && ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r';
    if (ch == '\n') line++;
  }
  out[pre + len] = '\0';
  return out;
}

/* The domain at the end of a spec that starts on full-scale samples. */
static GsDomain end_domain(const GsSpec *spec, bool *needs_source) {
  GsDomain d = GS_DOMAIN_DIGITAL;
  *needs_source = gs_spec_stage(spec, 0)->input == GS_DOMAIN_ANALOG;
  if (*needs_source) d = GS_DOMAIN_ANALOG;
  for (uint32_t i = 0; i < gs_spec_length(spec); i++) {
    GsDomain out = gs_spec_stage(spec, i)->output;
    if (out != GS_DOMAIN_ANY) d = out;
  }
  return d;
}

static GsStatus parse_strip(GsRigStrip *st, const char *text, const char *file,
                            const int *line_strip, int k, const GsLog *log) {
  bool any, source = false;
  char *body = strip_text(text, line_strip, k, "", &any);
  if (!body) return GS_ERR_NOMEM;
  if (!any) {
    report(log, file, st->line, st->name,
           "no stages: give at least a preamp line after the strip line");
    free(body);
    return GS_ERR_SYNTAX;
  }
  GsSpec *spec = NULL;
  GsStatus s = gs_spec_parse_from(body, file, log, &spec);
  free(body);
  if (s != GS_OK) return s;
  GsDomain end = end_domain(spec, &source);
  if (end == GS_DOMAIN_ACOUSTIC) {
    report(log, file, spec->stages[spec->n - 1].line, st->name,
           "the chain ends in sound pressure: put a mic after the speaker");
    gs_spec_free(spec);
    return GS_ERR_CHAIN;
  }
  if (source || end == GS_DOMAIN_ANALOG) {
    gs_spec_free(spec);
    body = strip_text(text, line_strip, k, source ? "source ! " : "", &any);
    if (!body) return GS_ERR_NOMEM;
    size_t len = strlen(body);
    if (end == GS_DOMAIN_ANALOG) memcpy(body + len, "\nadc", 5);
    s = gs_spec_parse_from(body, file, log, &spec);
    free(body);
    if (s != GS_OK) return s;
    /* what the rig put in is on no line of the file */
    if (source) spec->stages[0].line = 0;
    if (end == GS_DOMAIN_ANALOG) spec->stages[spec->n - 1].line = 0;
  }
  st->chain = spec;
  return GS_OK;
}

/* Several inputs: the strip's preamp selects one, click-free (a preamp
 * built to merge them could not switch). */
static GsStatus select_first_input(GsRigStrip *st, const GsLog *log, const char *file) {
  if (st->n_inputs < 2) return GS_OK;
  for (uint32_t i = 0; i < gs_spec_length(st->chain); i++) {
    const GsStageInfo *info = gs_spec_stage(st->chain, i);
    int p = gs_param_find(info, "select");
    if (strcmp(info->name, "preamp") != 0 || p < 0) continue;
    if (gs_spec_value(st->chain, i, (uint32_t)p) >= 1.0) return GS_OK;
    char why[256];
    return gs_spec_set_value(st->chain, i, (uint32_t)p, 1.0, why, sizeof why);
  }
  report(log, file, st->line, st->name, "several inputs need a preamp to select between them");
  return GS_ERR_CHAIN;
}

GsStatus gs_rig_strip_chains(GsRig *rig, const char *text, const char *file, const int *line_strip,
                             const GsLog *log) {
  for (uint32_t k = 0; k < rig->n_strips; k++) {
    GsStatus s = parse_strip(&rig->strip[k], text, file, line_strip, (int)k, log);
    if (s == GS_OK) s = select_first_input(&rig->strip[k], log, file);
    if (s != GS_OK) return s;
  }
  return GS_OK;
}
