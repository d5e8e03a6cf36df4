/* The rig's controls: one table of what can move while it plays. Strip,
 * monitor and headphone values are described here once (GsParamInfo, as
 * stages describe theirs); a chain's live parameters come from its stages'
 * own tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"
#include "rig_params.h"

static const char *const select_choices[] = {"a", "b", NULL};
static const char *const record_choices[] = {"off", "raw", "processed", "both", NULL};

const GsParamInfo gs_rig_level_info = {
    .name = "level",
    .help = "fader level; the bottom of the range is off",
    .type = GS_PARAM_REAL,
    .unit = GS_UNIT_DB,
    .min = GS_RIG_LEVEL_OFF_DB,
    .max = 12.0,
    .def = 0.0,
};
const GsParamInfo gs_rig_pan_info = {
    .name = "pan",
    .help = "-1 left, 0 centre (each side -3 dB), 1 right; constant power",
    .type = GS_PARAM_REAL,
    .unit = GS_UNIT_NONE,
    .min = -1.0,
    .max = 1.0,
    .def = 0.0,
};
const GsParamInfo gs_rig_toggle_info = {
    .name = "switch", .help = "on or off", .type = GS_PARAM_TOGGLE, .min = 0, .max = 1, .def = 0};
const GsParamInfo gs_rig_select_info = {.name = "select",
                                        .help = "the monitor pair that plays: a or b",
                                        .type = GS_PARAM_CHOICE,
                                        .min = 0,
                                        .max = 1,
                                        .def = 0,
                                        .choices = select_choices};
const GsParamInfo gs_rig_dim_level_info = {
    .name = "dim_level",
    .help = "how far dim turns the monitors down",
    .type = GS_PARAM_REAL,
    .unit = GS_UNIT_DB,
    .min = -60.0,
    .max = 0.0,
    .def = -20.0,
};
const GsParamInfo gs_rig_record_info = {
    .name = "record",
    .help = "what a take records of the strip: its raw inputs, its processed output, both",
    .type = GS_PARAM_CHOICE,
    .min = 0,
    .max = 3,
    .def = GS_REC_PROCESSED,
    .choices = record_choices,
};
const GsParamInfo gs_rig_inputs_info = {
    .name = "inputs",
    .help = "input ports of the strip when no capture ports are named",
    .type = GS_PARAM_INT,
    .min = 1,
    .max = GS_RIG_MAX_CAPTURES,
    .def = 1,
};

double gs_rig_gain(double db) {
  return db <= GS_RIG_LEVEL_OFF_DB ? 0.0 : pow(10.0, db / 20.0);
}

static GsControl *add(GsRig *rig, GsControlKind kind, const GsParamInfo *info, double initial,
                      const char *fmt, const char *a, const char *b) {
  GsControl *c = &rig->control[rig->n_controls++];
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, fmt, a, b);
  c->kind = kind;
  c->info = info;
  c->initial = initial;
  return c;
}

/* A stage's name in control names: "preamp", or "triode2" for the second
 * triode of the chain. */
static void stage_label(const GsSpec *spec, uint32_t index, char *out, size_t size) {
  const char *name = gs_spec_stage(spec, index)->name;
  uint32_t same = 0, nth = 0;
  for (uint32_t i = 0; i < gs_spec_length(spec); i++) {
    if (strcmp(gs_spec_stage(spec, i)->name, name) != 0) continue;
    same++;
    if (i <= index) nth++;
  }
  if (same > 1) {
    snprintf(out, size, "%s%u", name, nth);
  } else {
    snprintf(out, size, "%s", name);
  }
}

static void add_strip(GsRig *rig, uint32_t s) {
  const GsRigStrip *st = &rig->strip[s];
  add(rig, GS_CTL_STRIP_LEVEL, &gs_rig_level_info, st->level_db, "%s.level", st->name, "")->strip =
      s;
  add(rig, GS_CTL_STRIP_PAN, &gs_rig_pan_info, st->pan, "%s.pan", st->name, "")->strip = s;
  add(rig, GS_CTL_STRIP_MUTE, &gs_rig_toggle_info, st->mute, "%s.mute", st->name, "")->strip = s;
  for (uint32_t i = 0; i < gs_spec_length(st->chain); i++) {
    const GsStageInfo *info = gs_spec_stage(st->chain, i);
    char label[48], both[160];
    stage_label(st->chain, i, label, sizeof label);
    for (uint32_t p = 0; p < info->n_params; p++) {
      const GsParamInfo *pi = &info->params[p];
      if (pi->flags & GS_PARAM_FIXED || pi->type == GS_PARAM_PATH) continue;
      snprintf(both, sizeof both, "%s.%s", label, pi->name);
      GsControl *c =
          add(rig, GS_CTL_STAGE, pi, gs_spec_value(st->chain, i, p), "%s.%s", st->name, both);
      c->strip = s;
      c->stage = i;
      c->param = p;
    }
  }
}

static void add_monitor(GsRig *rig) {
  const GsRigMonitor *m = &rig->monitor;
  const char *n = "monitor";
  add(rig, GS_CTL_MON_SELECT, &gs_rig_select_info, m->select, "%s.select%s", n, "");
  add(rig, GS_CTL_MON_LEVEL, &gs_rig_level_info, m->level_db, "%s.level%s", n, "");
  add(rig, GS_CTL_MON_DIM, &gs_rig_toggle_info, m->dim, "%s.dim%s", n, "");
  add(rig, GS_CTL_MON_MUTE, &gs_rig_toggle_info, m->mute, "%s.mute%s", n, "");
  add(rig, GS_CTL_MON_MONO, &gs_rig_toggle_info, m->mono, "%s.mono%s", n, "");
  add(rig, GS_CTL_MON_RETURN, &gs_rig_level_info, m->return_db, "%s.return%s", n, "");
}

static void add_phones(GsRig *rig, uint32_t k) {
  const GsRigPhones *ph = &rig->phones[k];
  char head[24];
  snprintf(head, sizeof head, "phones%u", k + 1);
  add(rig, GS_CTL_PHONES_LEVEL, &gs_rig_level_info, ph->level_db, "%s.level%s", head, "")->phones =
      k;
  add(rig, GS_CTL_PHONES_RETURN, &gs_rig_level_info, ph->return_db, "%s.return%s", head, "")
      ->phones = k;
  for (uint32_t s = 0; s < rig->n_strips; s++) {
    GsControl *c = add(rig, GS_CTL_SEND_LEVEL, &gs_rig_level_info, ph->send[s].level_db,
                       "%s.%s.level", head, rig->strip[s].name);
    c->phones = k;
    c->strip = s;
    c = add(rig, GS_CTL_SEND_PAN, &gs_rig_pan_info, ph->send[s].pan, "%s.%s.pan", head,
            rig->strip[s].name);
    c->phones = k;
    c->strip = s;
  }
}

GsStatus gs_rig_build_controls(GsRig *rig) {
  size_t cap = 6 + (size_t)rig->n_phones * (2 + 2 * rig->n_strips);
  for (uint32_t s = 0; s < rig->n_strips; s++) {
    cap += 3;
    for (uint32_t i = 0; i < gs_spec_length(rig->strip[s].chain); i++) {
      cap += gs_spec_stage(rig->strip[s].chain, i)->n_params;
    }
  }
  rig->control = calloc(cap, sizeof *rig->control);
  if (!rig->control) return GS_ERR_NOMEM;
  rig->n_controls = 0;
  for (uint32_t s = 0; s < rig->n_strips; s++) add_strip(rig, s);
  add_monitor(rig);
  for (uint32_t k = 0; k < rig->n_phones; k++) add_phones(rig, k);
  return GS_OK;
}

int gs_rig_control_find(const GsRig *rig, const char *name) {
  for (uint32_t i = 0; i < rig->n_controls; i++) {
    if (!strcmp(rig->control[i].name, name)) return (int)i;
  }
  return -1;
}

GsStatus gs_rig_control_parse(const GsRig *rig, uint32_t control, const char *text, double *value,
                              char *why, size_t why_size) {
  if (control >= rig->n_controls) return GS_ERR_ARG;
  return gs_param_parse(rig->control[control].info, text, value, why, why_size);
}
