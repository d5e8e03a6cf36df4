/* What the terminal UI (ui.c) keeps between frames, shared by its key
 * handling (ui_keys.c) and drawing (ui_draw.c). Internal to the UI; all
 * [main]: the UI runs on the thread that called gs_ui_run. */
#ifndef GS_JACK_UI_STATE_H
#define GS_JACK_UI_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

/* Strips, then monitor A L/R, B L/R, then two per headphone mix. */
#define GS_UI_MAX_METERS (GS_RIG_MAX_STRIPS + 4 + 2 * GS_RIG_MAX_PHONES)

/* The floor of the meters' scale and of the numbers they show. */
#define GS_UI_METER_FLOOR_DB -60.0
#define GS_UI_SILENCE_DB -200.0

/* Views `h` cycles through: the selected strip's controls, the monitor's,
 * then headphone mix 1, 2, ... (view GS_UI_VIEW_PHONES + k). */
enum { GS_UI_VIEW_STRIP = 0, GS_UI_VIEW_MONITOR = 1, GS_UI_VIEW_PHONES = 2 };

typedef struct {
  double peak_db;    /* falls back slowly after a peak (see gs_ui_meters_update) */
  double hold_db;    /* the largest peak, held for a while */
  double hold_until; /* monotonic seconds */
  double rms_db;     /* dBFS re a full-scale sine */
  bool clip;
} GsUiMeter;

typedef struct {
  GsSession *s;
  uint32_t strip;  /* selected strip */
  uint32_t view;   /* GS_UI_VIEW_* */
  uint32_t cursor; /* index into list[] */
  uint32_t *list;  /* the controls the current view lists (rig->n_controls room) */
  uint32_t n_list;
  bool help;           /* the help overlay is shown */
  bool editing;        /* the message line is a prompt for a typed value */
  char edit[128];      /* what has been typed so far */
  int last_set;        /* the control last changed from the keyboard, or -1 */
  double last_value;   /* the value sent to it */
  double last_set_at;  /* when (monotonic seconds) */
  double now;          /* this frame's time */
  double take_seconds; /* seconds of the running take on disk */
  bool redraw;         /* repaint the whole terminal (Ctrl-L, resize) */
  GsUiMeter meter[GS_UI_MAX_METERS];
  uint32_t n_meters;
} GsUi;

/* Fill ui->list with the current view's controls; keep the cursor in it. */
void gs_ui_list_build(GsUi *ui);
/* The control of strip named by the rest of its name ("preamp.phantom";
 * "preamp." also finds "preamp1."), or -1. */
int gs_ui_strip_control(const GsUi *ui, uint32_t strip, const char *suffix);
/* One key (a getch() result). */
void gs_ui_key(GsUi *ui, int key);

/* Read every meter once and update the held and falling values. */
void gs_ui_meters_update(GsUi *ui, double dt);
/* Draw the whole screen (without refreshing it). */
void gs_ui_draw(GsUi *ui);

#endif
