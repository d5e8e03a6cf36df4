/* The terminal UI's screen: strips with meters and clip lights, output
 * meters, the monitor line, the current view's controls, the status bar
 * and the help overlay. Everything is clipped to the terminal, however
 * small. All [main]. */
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rig_params.h"
#include "ui_state.h"

/* Peak hold as on studio meters, about a second and a half. */
#define HOLD_SECONDS 1.5
/* The bar's fall back after a peak: 20 dB in 1.7 s, the return time of a
 * Nordic peak programme meter (IEC 60268-10 type I). */
#define FALL_DB_PER_SECOND (20.0 / 1.7)
/* A full-scale sine's rms is 1/sqrt(2): its level is 0 dBFS (AES17). */
#define SINE_RMS_DB 3.0103

#define NAME_X 2
#define METER_X 12

enum { PAIR_GREEN = 1, PAIR_YELLOW, PAIR_RED, PAIR_CYAN };

/* Layout of one frame: rows below `end` are the body's. */
typedef struct {
  int meter_w; /* inside the brackets */
  int end;
} Layout;

static attr_t color(short pair) {
  return has_colors() ? COLOR_PAIR(pair) : A_NORMAL;
}

/* Write text at (y, x), cut at the right edge at a character boundary (a
 * line never wraps) and at the bottom. */
__attribute__((format(printf, 4, 5))) static int put(int y, int x, attr_t attr, const char *fmt,
                                                     ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (y < 0 || y >= LINES || x < 0 || x >= COLS) return x;
  int room = COLS - x, cols = 0;
  size_t cut = 0;
  for (size_t i = 0; buf[i]; i++) {
    bool lead = ((unsigned char)buf[i] & 0xC0) != 0x80;
    if (lead && cols == room) break;
    if (lead) cols++;
    cut = i + 1;
  }
  attron(attr);
  mvaddnstr(y, x, buf, (int)cut);
  attroff(attr);
  return x + cols;
}

static double to_db(float x) {
  return x > 1e-10f ? 20.0 * log10((double)x) : GS_UI_SILENCE_DB;
}

static void db_text(double db, char *out, size_t size) {
  if (db <= -120.0) {
    snprintf(out, size, "-inf");
  } else if (db <= -99.95) {
    snprintf(out, size, "%.0f", db); /* keeps the column five wide */
  } else {
    snprintf(out, size, "%.1f", db);
  }
}

static void level_text(double db, char *out, size_t size) {
  if (db <= GS_RIG_LEVEL_OFF_DB) {
    snprintf(out, size, "off");
  } else {
    snprintf(out, size, "%+.1f dB", db);
  }
}

static void pan_text(double pan, char *out, size_t size) {
  if (fabs(pan) < 0.005) {
    snprintf(out, size, "C");
  } else {
    snprintf(out, size, "%c%.0f", pan < 0 ? 'L' : 'R', fabs(pan) * 100.0);
  }
}

static double value(const GsUi *ui, int c) {
  return c < 0 ? 0.0 : gs_engine_value(gs_client_engine(ui->s->client), (uint32_t)c);
}

/* -------------------------------------------------------------- meters */

void gs_ui_meters_update(GsUi *ui, double dt) {
  GsEngine *e = gs_client_engine(ui->s->client);
  for (uint32_t i = 0; i < ui->n_meters; i++) {
    GsUiMeter *m = &ui->meter[i];
    GsMeterReading r = {0};
    gs_engine_meter(e, i, &r);
    double peak = to_db(r.peak);
    double fallen = m->peak_db - FALL_DB_PER_SECOND * dt;
    m->peak_db = peak > fallen ? peak : fallen;
    if (m->peak_db < GS_UI_SILENCE_DB) m->peak_db = GS_UI_SILENCE_DB;
    if (peak >= m->hold_db || ui->now >= m->hold_until) {
      m->hold_db = peak > m->peak_db ? peak : m->peak_db;
      m->hold_until = ui->now + HOLD_SECONDS;
    }
    m->rms_db = to_db(r.rms) + (r.rms > 1e-10f ? SINE_RMS_DB : 0.0);
    m->clip = r.clip;
  }
}

/* Cells of a w-cell bar up to db on the -60..0 dB scale. */
static int cells(double db, int w) {
  double f = (db - GS_UI_METER_FLOOR_DB) / -GS_UI_METER_FLOOR_DB;
  int n = (int)floor(f * w + 0.5);
  return n < 0 ? 0 : n > w ? w : n;
}

/* A bar: rms '#', peak '=' beyond it, the held peak '|'; green to -18
 * dBFS, yellow to -6, red above. */
static void meter_bar(int y, int x, int w, const GsUiMeter *m) {
  if (y >= LINES || w <= 0) return;
  int rms = cells(m->rms_db, w), peak = cells(m->peak_db, w), hold = cells(m->hold_db, w);
  put(y, x, A_NORMAL, "[");
  for (int i = 0; i < w && x + 1 + i < COLS; i++) {
    double top = GS_UI_METER_FLOOR_DB * (1.0 - (double)(i + 1) / w);
    short pair = top > -6.0 ? PAIR_RED : top > -18.0 ? PAIR_YELLOW : PAIR_GREEN;
    chtype ch = i < rms ? '#' : i < peak ? '=' : (hold > 0 && i == hold - 1) ? '|' : ' ';
    mvaddch(y, x + 1 + i, ch | color(pair));
  }
  put(y, x + 1 + w, A_NORMAL, "]");
}

static void clip_light(int y, int x, bool clip) {
  put(y, x, clip ? (A_REVERSE | A_BOLD | color(PAIR_RED)) : A_DIM, "%s", clip ? "CLIP" : "clip");
}

/* ------------------------------------------------------------- strips */

static void scale(int y, int w) {
  static const int marks[] = {-60, -40, -20, -10, -6, 0};
  int next_free = 0;
  put(y, NAME_X, A_BOLD, "STRIP");
  for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
    char label[8];
    int len = snprintf(label, sizeof label, "%d", marks[i]);
    int x = METER_X + 1 + cells(marks[i], w) - (i ? len : 0);
    if (x < next_free) continue;
    next_free = put(y, x, A_DIM, "%s", label) + 1;
  }
  put(y, METER_X + w + 3, A_BOLD, " PEAK   RMS      LEVEL  PAN");
}

static void strip_tags(const GsUi *ui, uint32_t s, char *out, size_t size) {
  const GsRigStrip *st = &ui->s->rig->strip[s];
  int phantom = gs_ui_strip_control(ui, s, "preamp.phantom");
  int select = gs_ui_strip_control(ui, s, "preamp.select");
  size_t n = 0;
  out[0] = '\0';
  if (value(ui, gs_ui_strip_control(ui, s, "mute")) != 0.0) {
    n += (size_t)snprintf(out + n, size - n, " MUTE");
  }
  if (phantom >= 0 && value(ui, phantom) != 0.0 && n < size) {
    n += (size_t)snprintf(out + n, size - n, " +48V");
  }
  if (select >= 0 && st->n_inputs > 1 && n < size) {
    snprintf(out + n, size - n, " in%.0f/%u", value(ui, select), st->n_inputs);
  }
}

static void strip_row(const GsUi *ui, int y, const Layout *l, uint32_t s) {
  const GsUiMeter *m = &ui->meter[s];
  bool sel = s == ui->strip;
  char pk[16], rms[16], level[24], pan[16], tags[64];
  put(y, 0, sel ? A_BOLD : A_NORMAL, "%c%c", sel ? '>' : ' ', s < 9 ? (int)('1' + s) : ' ');
  put(y, NAME_X + 1, sel ? A_REVERSE : A_NORMAL, "%-8.8s", ui->s->rig->strip[s].name);
  meter_bar(y, METER_X, l->meter_w, m);
  db_text(m->hold_db, pk, sizeof pk);
  db_text(m->rms_db, rms, sizeof rms);
  level_text(value(ui, gs_ui_strip_control(ui, s, "level")), level, sizeof level);
  pan_text(value(ui, gs_ui_strip_control(ui, s, "pan")), pan, sizeof pan);
  strip_tags(ui, s, tags, sizeof tags);
  int x = put(y, METER_X + l->meter_w + 3, A_NORMAL, "%5s %5s ", pk, rms);
  clip_light(y, x, m->clip);
  x = put(y, x + 4, A_NORMAL, " %8s %4s", level, pan);
  put(y, x, A_BOLD, "%s", tags);
}

/* The strips that fit in rows, keeping the selected one in sight. */
static int strips_section(const GsUi *ui, int y, const Layout *l, int rows) {
  uint32_t n = ui->s->rig->n_strips;
  uint32_t want = rows < 1 ? 1 : (uint32_t)rows;
  uint32_t shown = want < n ? want : n;
  uint32_t top = ui->strip < shown ? 0 : ui->strip - shown + 1;
  scale(y++, l->meter_w);
  for (uint32_t s = top; s < top + shown && y < l->end; s++) strip_row(ui, y++, l, s);
  return y;
}

/* ------------------------------------------------------------ outputs */

/* Output pair k: 0 monitor A, 1 monitor B, 2.. headphone mixes. */
static void output_row(const GsUi *ui, int y, const Layout *l, uint32_t k) {
  const GsRig *rig = ui->s->rig;
  uint32_t meter = rig->n_strips + 2 * k;
  if (meter + 1 >= ui->n_meters) return;
  const GsUiMeter *left = &ui->meter[meter], *right = &ui->meter[meter + 1];
  bool playing = k < 2 && (uint32_t)value(ui, gs_rig_control_find(rig, "monitor.select")) == k;
  char name[24], pk[16], level[24] = "";
  if (k < 2) {
    snprintf(name, sizeof name, "mon%c", 'A' + (int)k);
  } else {
    snprintf(name, sizeof name, "phones%u", k - 1);
    snprintf(level, sizeof level, "phones%u.level", k - 1);
    level_text(value(ui, gs_rig_control_find(rig, level)), level, sizeof level);
  }
  int half = (l->meter_w - 2) / 2;
  put(y, 0, playing ? A_BOLD : A_NORMAL, "%c", playing ? '*' : ' ');
  put(y, NAME_X + 1, playing ? A_BOLD : A_NORMAL, "%-8.8s", name);
  meter_bar(y, METER_X, half, left);
  meter_bar(y, METER_X + half + 2, l->meter_w - 2 - half, right);
  db_text(left->hold_db > right->hold_db ? left->hold_db : right->hold_db, pk, sizeof pk);
  int x = put(y, METER_X + l->meter_w + 3, A_NORMAL, "%5s %5s ", pk, "");
  clip_light(y, x, left->clip || right->clip);
  put(y, x + 4, A_NORMAL, " %8s%s", level, playing ? "  playing" : "");
}

static int monitor_line(const GsUi *ui, int y) {
  const GsRig *rig = ui->s->rig;
  static const char *const names[] = {"dim", "mono", "mute"};
  char ctl[32], level[24], ret[24];
  bool b = value(ui, gs_rig_control_find(rig, "monitor.select")) != 0.0;
  level_text(value(ui, gs_rig_control_find(rig, "monitor.level")), level, sizeof level);
  level_text(value(ui, gs_rig_control_find(rig, "monitor.return")), ret, sizeof ret);
  int x = put(y, 0, A_BOLD, " monitor: %c", b ? 'B' : 'A');
  x = put(y, x, A_NORMAL, "  level %s", level);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(ctl, sizeof ctl, "monitor.%s", names[i]);
    bool on = value(ui, gs_rig_control_find(rig, ctl)) != 0.0;
    x = put(y, x, on ? (A_BOLD | color(PAIR_YELLOW)) : A_NORMAL, "  %s %s", names[i],
            on ? "ON" : "off");
  }
  put(y, x, A_NORMAL, "  return %s", ret);
  return y + 1;
}

/* -------------------------------------------------------- control list */

static void list_title(const GsUi *ui, int y) {
  const char *keys = "  (Up/Down, +/- PgUp/PgDn, Enter types, l learns)";
  if (ui->view == GS_UI_VIEW_STRIP) {
    put(y, 0, A_BOLD | color(PAIR_CYAN), " %s: controls%s", ui->s->rig->strip[ui->strip].name,
        keys);
  } else if (ui->view == GS_UI_VIEW_MONITOR) {
    put(y, 0, A_BOLD | color(PAIR_CYAN), " monitor%s", keys);
  } else {
    put(y, 0, A_BOLD | color(PAIR_CYAN), " phones %u mix: level, return, each strip's send%s",
        ui->view - GS_UI_VIEW_PHONES + 1, keys);
  }
}

static void control_row(const GsUi *ui, int y, uint32_t i) {
  const GsControl *ctl = &ui->s->rig->control[ui->list[i]];
  const char *dot = strchr(ctl->name, '.');
  char text[96];
  double v = value(ui, (int)ui->list[i]);
  if (ctl->info == &gs_rig_level_info && v <= GS_RIG_LEVEL_OFF_DB) {
    snprintf(text, sizeof text, "off");
  } else {
    gs_param_format(ctl->info, v, text, sizeof text);
  }
  bool cur = i == ui->cursor;
  attr_t attr = cur ? A_REVERSE : A_NORMAL;
  put(y, 1, cur ? A_BOLD : A_NORMAL, "%c", cur ? '>' : ' ');
  int x = put(y, 3, attr, "%-24.24s ", dot ? dot + 1 : ctl->name);
  /* padded by columns, not bytes: units like "kΩ" take two bytes */
  int value_end = x + 14;
  x = put(y, x, attr, "%s", text);
  if (x < value_end) x = put(y, x, attr, "%*s", value_end - x, "");
  put(y, x + 1, A_DIM, "%s", ctl->info->help ? ctl->info->help : "");
}

static void list_section(const GsUi *ui, int y, const Layout *l) {
  if (y >= l->end) return;
  list_title(ui, y++);
  uint32_t rows = l->end > y ? (uint32_t)(l->end - y) : 0;
  uint32_t top = ui->cursor < rows ? 0 : ui->cursor - rows + 1;
  for (uint32_t i = top; i < ui->n_list && y < l->end; i++) control_row(ui, y++, i);
}

/* -------------------------------------------------------- status, help */

/* Rate, period, latency, xruns, DSP load; a running take comes first,
 * where a narrow terminal does not cut it off. */
static void status_bar(const GsUi *ui, int y) {
  GsClientStats st;
  gs_client_stats(ui->s->client, &st);
  double rate = st.rate ? (double)st.rate : 1.0;
  int x = 0;
  move(y, 0);
  chgat(-1, A_REVERSE, 0, NULL);
  if (ui->s->take[0]) {
    /* the file's name alone: the message line gave the whole path when
     * the take started */
    const char *take = ui->s->take, *slash = strrchr(take, '/');
    x = put(y, 0, A_REVERSE | A_BOLD | color(PAIR_RED), " REC %.1f s %s ", ui->take_seconds,
            slash ? slash + 1 : take);
  }
  x = put(y, x, A_REVERSE, " %u Hz  period %u  latency %u smp (%.1f ms)  xruns %u  DSP %.1f%%  ",
          st.rate, st.period, st.latency, 1e3 * st.latency / rate, st.xruns, (double)st.dsp_load);
  if (!ui->s->take[0]) {
    put(y, x, A_REVERSE, "%s ", ui->s->recorder ? "rec: r starts a take" : "rec off");
  }
}

static void message_line(const GsUi *ui, int y) {
  if (ui->editing) {
    const char *name = ui->s->rig->control[ui->list[ui->cursor]].name;
    int x = put(y, 0, A_BOLD, " %s = ", name);
    x = put(y, x, A_NORMAL, "%s", ui->edit);
    put(y, x, A_REVERSE, " ");
    put(y, x + 2, A_DIM, "(Enter sets, Esc cancels)");
  } else {
    put(y, 0, A_NORMAL, " %s", ui->s->status);
  }
}

static const char *const help_lines[] = {
    "gainstage run: keys",
    "",
    "Tab Right / S-Tab Left / 1-9   select a strip",
    "Up Down Home End     move over the view's controls",
    "+ -                  step it: 1 dB, or 1/100 of its range",
    "PgUp PgDn            step it ten times as far",
    "Enter                type a value (Esc cancels)",
    "l                    MIDI learn: the next CC moved drives it",
    "m  p  i              strip: mute, phantom +48V, next input",
    "a  b  s              monitor: pair A, pair B, swap",
    "d  o  M              monitor: dim, mono, mute",
    "[  ]                 monitor level down, up 1 dB",
    "h                    view: strip, monitor, phones 1, 2 ...",
    "c                    clear the clip lights",
    "r                    start or stop a take (--record DIR)",
    "Ctrl-L               redraw",
    "?                    this help (any key closes it)",
    "q                    quit",
    "",
    "Meters: -60..0 dBFS; PEAK held 1.5 s; RMS (300 ms)",
    "re a full-scale sine (+3.01 dB on the sample rms).",
};

static void help_overlay(void) {
  int n = (int)(sizeof help_lines / sizeof help_lines[0]), w = 0;
  for (int i = 0; i < n; i++) {
    int len = (int)strlen(help_lines[i]);
    w = len > w ? len : w;
  }
  w += 4;
  int h = n + 2;
  int y0 = LINES > h ? (LINES - h) / 2 : 0, x0 = COLS > w ? (COLS - w) / 2 : 0;
  for (int r = 0; r < h && y0 + r < LINES; r++) {
    bool edge = r == 0 || r == h - 1;
    move(y0 + r, x0);
    for (int c = 0; c < w && x0 + c < COLS; c++) {
      bool side = c == 0 || c == w - 1;
      addch(edge && side ? ACS_PLUS : edge ? ACS_HLINE : side ? ACS_VLINE : ' ');
    }
    if (!edge) put(y0 + r, x0 + 2, r == 1 ? A_BOLD : A_NORMAL, "%s", help_lines[r - 1]);
  }
}

/* --------------------------------------------------------------- frame */

void gs_ui_draw(GsUi *ui) {
  const GsRig *rig = ui->s->rig;
  int n_out = 2 + (int)rig->n_phones;
  Layout l = {.meter_w = COLS - METER_X - 3 - 46, .end = LINES - 2};
  if (l.meter_w > 60) l.meter_w = 60;
  if (l.meter_w < 10) l.meter_w = 10;
  put(0, 0, A_BOLD, " gainstage  %s", rig->name);
  put(0, COLS > 30 ? COLS - 30 : 0, A_DIM, "%28s", "? help   q quit");
  /* rows for strips and the controls list, after the header, the scale,
   * the outputs, the monitor line and the list's title; the list keeps a
   * third of them (three at least) so that a big rig stays editable */
  int both = l.end - 1 - 1 - n_out - 1 - 1;
  int y = strips_section(ui, 1, &l, both - (both / 3 > 3 ? both / 3 : 3));
  for (uint32_t k = 0; k < (uint32_t)n_out && y < l.end; k++) output_row(ui, y++, &l, k);
  if (y < l.end) y = monitor_line(ui, y);
  list_section(ui, y, &l);
  if (LINES >= 2) status_bar(ui, LINES - 2);
  message_line(ui, LINES - 1);
  if (ui->help) help_overlay();
}
