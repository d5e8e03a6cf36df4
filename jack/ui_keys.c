/* The terminal UI's keys: selection, the cursor over a view's controls,
 * stepping and typing values, the strip and monitor switches, learn,
 * takes. Every change goes to the engine through gs_engine_set, as MIDI
 * and the console's changes do. All [main]. */
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui_state.h"

#define CTRL_KEY(c) ((c)&0x1f)

/* Steps from the keyboard build on the value sent, not the one applied,
 * for this long: keys repeat faster than a busy engine may apply them. */
#define PENDING_SECONDS 0.25

static GsEngine *engine(const GsUi *ui) {
  return gs_client_engine(ui->s->client);
}

__attribute__((format(printf, 2, 3))) static void say(GsUi *ui, const char *fmt, ...) {
  char message[sizeof ui->s->status];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  gs_session_status(ui->s, message);
}

/* --------------------------------------------------------------- lists */

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void view_prefix(const GsUi *ui, char *out, size_t size) {
  if (ui->view == GS_UI_VIEW_STRIP) {
    snprintf(out, size, "%s.", ui->s->rig->strip[ui->strip].name);
  } else if (ui->view == GS_UI_VIEW_MONITOR) {
    snprintf(out, size, "monitor.");
  } else {
    snprintf(out, size, "phones%u.", ui->view - GS_UI_VIEW_PHONES + 1);
  }
}

void gs_ui_list_build(GsUi *ui) {
  const GsRig *rig = ui->s->rig;
  char prefix[64];
  view_prefix(ui, prefix, sizeof prefix);
  ui->n_list = 0;
  for (uint32_t c = 0; c < rig->n_controls; c++) {
    if (starts_with(rig->control[c].name, prefix)) ui->list[ui->n_list++] = c;
  }
  if (ui->cursor >= ui->n_list) ui->cursor = ui->n_list ? ui->n_list - 1 : 0;
}

int gs_ui_strip_control(const GsUi *ui, uint32_t strip, const char *suffix) {
  char name[200];
  snprintf(name, sizeof name, "%s.%s", ui->s->rig->strip[strip].name, suffix);
  int c = gs_rig_control_find(ui->s->rig, name);
  if (c < 0 && !strncmp(suffix, "preamp.", 7)) {
    /* a strip with two preamps names them preamp1, preamp2: the first is
     * the one its inputs reach */
    snprintf(name, sizeof name, "%s.preamp1.%s", ui->s->rig->strip[strip].name, suffix + 7);
    c = gs_rig_control_find(ui->s->rig, name);
  }
  return c;
}

static int cursor_control(const GsUi *ui) {
  return ui->cursor < ui->n_list ? (int)ui->list[ui->cursor] : -1;
}

/* ------------------------------------------------------------- values */

static double current(const GsUi *ui, uint32_t c) {
  if (ui->last_set == (int)c && ui->now - ui->last_set_at < PENDING_SECONDS) {
    return ui->last_value;
  }
  return gs_engine_value(engine(ui), c);
}

static bool set_value(GsUi *ui, uint32_t c, double v) {
  if (!gs_engine_set(engine(ui), c, v)) {
    say(ui, "busy: the engine has not taken the last changes yet, try again");
    return false;
  }
  ui->last_set = (int)c;
  ui->last_value = v;
  ui->last_set_at = ui->now;
  return true;
}

static bool is_db(GsUnit u) {
  return u == GS_UNIT_DB || u == GS_UNIT_DBU || u == GS_UNIT_DB_SPL;
}

/* The next value on a grid of `step` (so that steps land on round
 * numbers whatever the value was). */
static double grid_step(double v, double step, int dir) {
  double g = v / step;
  double next = dir > 0 ? floor(g + 1e-6) + 1.0 : ceil(g - 1e-6) - 1.0;
  return next * step;
}

/* One step up (dir 1) or down (-1), ten times as far if big: 1 dB for
 * decibels, a hundredth of the range otherwise, by ratio for a
 * logarithmic parameter; integers, choices and switches by one. A
 * parameter with a zero word ("off", "auto") reaches it below its minimum. */
static double stepped(const GsParamInfo *in, double v, int dir, bool big) {
  double lo = in->min, hi = in->max;
  if (in->type != GS_PARAM_REAL) {
    v = round(v) + dir;
  } else if ((in->flags & GS_PARAM_LOG) && in->min > 0) {
    double ratio = pow(in->max / in->min, big ? 0.1 : 0.01);
    if (v < in->min) return dir > 0 ? in->min : v;
    v = dir > 0 ? v * ratio : v / ratio;
    if (v < in->min * (1.0 - 1e-9)) return in->zero ? 0.0 : in->min;
  } else {
    double step = is_db(in->unit) ? 1.0 : (in->max - in->min) / 100.0;
    v = grid_step(v, step, dir) + (big ? 9.0 * step * dir : 0.0);
  }
  if (in->zero && v < lo && lo > 0) return 0.0;
  return v < lo ? lo : v > hi ? hi : v;
}

static void step_control(GsUi *ui, int dir, bool big) {
  int c = cursor_control(ui);
  if (c < 0) return;
  const GsParamInfo *in = ui->s->rig->control[c].info;
  set_value(ui, (uint32_t)c, stepped(in, current(ui, (uint32_t)c), dir, big));
}

static void toggle(GsUi *ui, int c, const char *missing) {
  if (c < 0) {
    say(ui, "%s", missing);
    return;
  }
  set_value(ui, (uint32_t)c, current(ui, (uint32_t)c) != 0.0 ? 0.0 : 1.0);
}

/* ----------------------------------------------------------- typing */

static void edit_start(GsUi *ui) {
  if (cursor_control(ui) < 0) return;
  ui->editing = true;
  ui->edit[0] = '\0';
}

static void edit_apply(GsUi *ui) {
  int c = cursor_control(ui);
  ui->editing = false;
  if (c < 0 || !ui->edit[0]) return;
  double v;
  char why[256];
  const char *name = ui->s->rig->control[c].name;
  if (gs_rig_control_parse(ui->s->rig, (uint32_t)c, ui->edit, &v, why, sizeof why) != GS_OK) {
    say(ui, "%s: '%s': %s", name, ui->edit, why);
    return;
  }
  if (set_value(ui, (uint32_t)c, v)) say(ui, "%s set to %s", name, ui->edit);
}

static void edit_key(GsUi *ui, int key) {
  size_t len = strlen(ui->edit);
  if (key == '\n' || key == '\r' || key == KEY_ENTER) {
    edit_apply(ui);
  } else if (key == 27) {
    ui->editing = false;
  } else if ((key == KEY_BACKSPACE || key == 127 || key == 8) && len > 0) {
    ui->edit[len - 1] = '\0';
  } else if (key >= ' ' && key < 127 && len + 1 < sizeof ui->edit) {
    ui->edit[len] = (char)key;
    ui->edit[len + 1] = '\0';
  }
}

/* ------------------------------------------------------ strips, monitor */

static void select_strip(GsUi *ui, uint32_t strip) {
  const GsRig *rig = ui->s->rig;
  if (strip >= rig->n_strips) return;
  if (ui->view == GS_UI_VIEW_STRIP && strip != ui->strip) ui->cursor = 0;
  ui->strip = strip;
  if (ui->view >= GS_UI_VIEW_PHONES) {
    /* in a headphone mix, the cursor goes to the strip's send */
    char name[200];
    snprintf(name, sizeof name, "phones%u.%s.level", ui->view - GS_UI_VIEW_PHONES + 1,
             rig->strip[strip].name);
    int c = gs_rig_control_find(rig, name);
    for (uint32_t i = 0; i < ui->n_list; i++) {
      if ((int)ui->list[i] == c) ui->cursor = i;
    }
  }
}

/* Input select runs 1..n (0, every input apart, is for offline chains). */
static void next_input(GsUi *ui) {
  const GsRigStrip *st = &ui->s->rig->strip[ui->strip];
  int c = gs_ui_strip_control(ui, ui->strip, "preamp.select");
  if (c < 0 || st->n_inputs < 2) {
    say(ui, "%s: %s", st->name,
        c < 0 ? "no preamp to select an input" : "one input: nothing to select");
    return;
  }
  double v = round(current(ui, (uint32_t)c));
  set_value(ui, (uint32_t)c, v >= st->n_inputs || v < 1 ? 1.0 : v + 1.0);
}

static void monitor(GsUi *ui, const char *what, int value) {
  int c = gs_rig_control_find(ui->s->rig, what);
  if (c < 0) return;
  if (value < 0) {
    toggle(ui, c, "");
  } else {
    set_value(ui, (uint32_t)c, value);
  }
}

static void monitor_level(GsUi *ui, int dir) {
  int c = gs_rig_control_find(ui->s->rig, "monitor.level");
  if (c < 0) return;
  const GsParamInfo *in = ui->s->rig->control[c].info;
  set_value(ui, (uint32_t)c, stepped(in, current(ui, (uint32_t)c), dir, false));
}

static void learn(GsUi *ui) {
  int c = cursor_control(ui);
  if (c < 0) return;
  if (gs_engine_learn(engine(ui), (uint32_t)c)) {
    say(ui, "learn: move a controller for %s", ui->s->rig->control[c].name);
  } else {
    say(ui, "busy: try learn again");
  }
}

static void take(GsUi *ui) {
  if (ui->s->take[0]) {
    gs_session_take_stop(ui->s);
  } else {
    ui->take_seconds = 0.0;
    gs_session_take_start(ui->s);
  }
}

/* ----------------------------------------------------------------- keys */

static void move_cursor(GsUi *ui, int by) {
  int c = (int)ui->cursor + by;
  int n = (int)ui->n_list;
  ui->cursor = (uint32_t)(c < 0 ? 0 : c >= n ? (n > 0 ? n - 1 : 0) : c);
}

/* Keys that move between strips, views and controls; false if not one. */
static bool navigation_key(GsUi *ui, int key) {
  uint32_t n = ui->s->rig->n_strips ? ui->s->rig->n_strips : 1;
  switch (key) {
    case '\t':
    case KEY_RIGHT: select_strip(ui, (ui->strip + 1) % n); return true;
    case KEY_BTAB:
    case KEY_LEFT: select_strip(ui, (ui->strip + n - 1) % n); return true;
    case KEY_UP: move_cursor(ui, -1); return true;
    case KEY_DOWN: move_cursor(ui, 1); return true;
    case KEY_HOME: ui->cursor = 0; return true;
    case KEY_END: move_cursor(ui, (int)ui->n_list); return true;
    case 'h':
      ui->view = (ui->view + 1) % (GS_UI_VIEW_PHONES + ui->s->rig->n_phones);
      ui->cursor = 0;
      gs_ui_list_build(ui);
      select_strip(ui, ui->strip);
      return true;
    default: break;
  }
  if (key >= '1' && key <= '9') {
    select_strip(ui, (uint32_t)(key - '1'));
    return true;
  }
  return false;
}

/* Keys that change values; false if not one. */
static bool value_key(GsUi *ui, int key) {
  switch (key) {
    case '+':
    case '=': step_control(ui, 1, false); return true;
    case '-':
    case '_': step_control(ui, -1, false); return true;
    case KEY_PPAGE: step_control(ui, 1, true); return true;
    case KEY_NPAGE: step_control(ui, -1, true); return true;
    case '\n':
    case '\r':
    case KEY_ENTER: edit_start(ui); return true;
    case 'm': toggle(ui, gs_ui_strip_control(ui, ui->strip, "mute"), "no mute"); return true;
    case 'p':
      toggle(ui, gs_ui_strip_control(ui, ui->strip, "preamp.phantom"),
             "no preamp with phantom power on this strip");
      return true;
    case 'i': next_input(ui); return true;
    case 'a': monitor(ui, "monitor.select", 0); return true;
    case 'b': monitor(ui, "monitor.select", 1); return true;
    case 's': monitor(ui, "monitor.select", -1); return true;
    case 'd': monitor(ui, "monitor.dim", -1); return true;
    case 'o': monitor(ui, "monitor.mono", -1); return true;
    case 'M': monitor(ui, "monitor.mute", -1); return true;
    case '[': monitor_level(ui, -1); return true;
    case ']': monitor_level(ui, 1); return true;
    default: return false;
  }
}

void gs_ui_key(GsUi *ui, int key) {
  if (key == KEY_RESIZE || key == CTRL_KEY('l')) {
    ui->redraw = true;
    return;
  }
  if (ui->editing) {
    edit_key(ui, key);
    return;
  }
  if (ui->help) {
    ui->help = false; /* any key closes the help; q still quits */
    if (key != 'q') return;
  }
  if (navigation_key(ui, key) || value_key(ui, key)) return;
  switch (key) {
    case '?': ui->help = true; break;
    case 'q': ui->s->quit = true; break;
    case 'c':
      gs_session_clear_clips(ui->s);
      say(ui, "clip lights cleared");
      break;
    case 'l': learn(ui); break;
    case 'r': take(ui); break;
    default: break;
  }
}
