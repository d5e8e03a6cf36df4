/* The rig's main loop work and its text console. */
#include "session.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

/* A message for status holds it this long against the stages' warnings. */
#define STATUS_HOLD_SECONDS 2.0

double gs_session_clock(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void gs_session_status(GsSession *s, const char *message) {
  snprintf(s->status, sizeof s->status, "%s", message);
  s->status_held = gs_session_clock() + STATUS_HOLD_SECONDS;
}

__attribute__((format(printf, 3, 4))) static void say(GsSession *s, GsLogLevel level,
                                                      const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->status, sizeof s->status, fmt, ap);
  va_end(ap);
  s->status_held = gs_session_clock() + STATUS_HOLD_SECONDS;
  if (s->log && s->log->func) s->log->func(s->log->handle, level, s->status);
}

/* ------------------------------------------------------------- takes */

GsStatus gs_session_record_to(GsSession *s, const char *dir, GsRecFormat format) {
  GsEngine *e = gs_client_engine(s->client);
  uint32_t channels = gs_engine_record_channels(e);
  char why[512];
  snprintf(s->record_dir, sizeof s->record_dir, "%s", dir);
  s->format = format;
  if (channels == 0) {
    say(s, GS_LOG_ERROR, "no strip records anything (record=off everywhere)");
    return GS_ERR_ARG;
  }
  GsStatus st = gs_recorder_new(dir, channels, (uint32_t)gs_engine_rate(e), format, 0.0,
                                &s->recorder, why, sizeof why);
  if (st != GS_OK) {
    say(s, GS_LOG_ERROR, "%s", why);
    return st;
  }
  gs_engine_set_recorder(e, s->recorder);
  return GS_OK;
}

GsStatus gs_session_take_start(GsSession *s) {
  char why[512];
  if (!s->recorder) {
    say(s, GS_LOG_WARNING, "not recording: start with --record DIR");
    return GS_ERR_ARG;
  }
  GsStatus st = gs_recorder_start(s->recorder, s->take, sizeof s->take, why, sizeof why);
  if (st != GS_OK) {
    s->take[0] = '\0';
    say(s, GS_LOG_ERROR, "%s", why);
    return st;
  }
  GsEngine *e = gs_client_engine(s->client);
  char names[1024] = "", name[64];
  for (uint32_t c = 0; c < gs_engine_record_channels(e); c++) {
    gs_engine_record_channel_name(e, c, name, sizeof name);
    size_t len = strlen(names);
    snprintf(names + len, sizeof names - len, "%s%s", c ? " " : "", name);
  }
  say(s, GS_LOG_INFO, "recording %s (channels: %s)", s->take, names);
  return GS_OK;
}

void gs_session_take_stop(GsSession *s) {
  if (!s->recorder || !s->take[0]) return;
  double seconds = 0.0;
  gs_recorder_stop(s->recorder);
  gs_recorder_poll(s->recorder, &seconds, NULL, 0);
  say(s, GS_LOG_INFO, "take saved: %s (%.1f s)", s->take, seconds);
  s->take[0] = '\0';
}

/* ------------------------------------------------------------- polling */

static void engine_event(GsSession *s, const GsEngineEvent *ev) {
  const GsRig *rig = s->rig;
  switch (ev->type) {
    case GS_EV_PROGRAM: say(s, GS_LOG_INFO, "program %u recalled", ev->a); break;
    case GS_EV_UNKNOWN_PROGRAM:
      say(s, GS_LOG_WARNING, "program change %u: the rig declares no such program", ev->a);
      break;
    case GS_EV_LEARNED:
      say(s, GS_LOG_INFO, "learned: cc %u (channel %u) -> %s", ev->a, ev->b,
          ev->c < rig->n_controls ? rig->control[ev->c].name : "?");
      break;
    case GS_EV_CC: break; /* the UI shows the last CC; no message */
  }
}

/* The stages' warnings once a second: a stage that keeps clipping says so
 * once a second with its count, not at every poll. */
#define STAGE_POLL_SECONDS 1.0

/* A stage's warning: to the log; to status unless another message holds
 * it (a strip that keeps clipping would otherwise hide every answer). */
static void stage_warning(void *handle, GsLogLevel level, const char *message) {
  GsSession *s = handle;
  if (gs_session_clock() >= s->status_held) snprintf(s->status, sizeof s->status, "%s", message);
  if (s->log && s->log->func) s->log->func(s->log->handle, level, message);
}

static void poll_stages(GsSession *s, bool now_anyway) {
  double now = gs_session_clock();
  if (!now_anyway && s->stages_polled > 0.0 && now - s->stages_polled < STAGE_POLL_SECONDS) return;
  s->stages_polled = now;
  GsLog to = {stage_warning, s};
  gs_engine_poll(gs_client_engine(s->client), &to);
}

void gs_session_clear_clips(GsSession *s) {
  poll_stages(s, true); /* what clipped so far is said before the lights go out */
  gs_engine_clear_clips(gs_client_engine(s->client));
}

void gs_session_poll(GsSession *s) {
  if (s->stop && *s->stop) s->quit = true;
  GsEngineEvent ev;
  while (gs_engine_event(gs_client_engine(s->client), &ev)) engine_event(s, &ev);
  poll_stages(s, false);
  char msg[512];
  if (s->recorder && s->take[0] && !gs_recorder_poll(s->recorder, NULL, msg, sizeof msg)) {
    say(s, GS_LOG_ERROR, "%s", msg[0] ? msg : "the take stopped");
    s->take[0] = '\0';
  }
  char why[300];
  if (!gs_client_alive(s->client, why, sizeof why)) {
    gs_session_take_stop(s);
    say(s, GS_LOG_ERROR, "the JACK server went away: %s", why);
    s->quit = true;
    s->exit_code = 1;
    return;
  }
  GsEngine *before = gs_client_engine(s->client);
  if (gs_client_follow_rate(s->client, s->log) != GS_OK) {
    say(s, GS_LOG_ERROR, "the server's sample rate changed and the chains could not be rebuilt");
    s->quit = true;
    s->exit_code = 1;
  } else if (gs_client_engine(s->client) != before) {
    gs_session_take_stop(s);
    gs_recorder_free(s->recorder);
    s->recorder = NULL;
    say(s, GS_LOG_WARNING, "the server's sample rate changed: chains rebuilt");
    if (s->record_dir[0]) gs_session_record_to(s, s->record_dir, s->format);
  }
}

/* ------------------------------------------------------------- console */

static int control_arg(GsSession *s, const char *name, FILE *out) {
  int c = name ? gs_rig_control_find(s->rig, name) : -1;
  if (c < 0) fprintf(out, "error: no control '%s' ('controls' lists them)\n", name ? name : "");
  return c;
}

static void print_value(GsSession *s, uint32_t c, FILE *out) {
  char text[64];
  const GsControl *ctl = &s->rig->control[c];
  gs_param_format(ctl->info, gs_engine_value(gs_client_engine(s->client), c), text, sizeof text);
  fprintf(out, "%s %s\n", ctl->name, text);
}

static void cmd_set(GsSession *s, char *name, char *value, FILE *out) {
  int c = control_arg(s, name, out);
  if (c < 0) return;
  double v;
  char why[256];
  if (!value || gs_rig_control_parse(s->rig, (uint32_t)c, value, &v, why, sizeof why) != GS_OK) {
    fprintf(out, "error: %s: %s\n", name, value ? why : "a value is missing");
    return;
  }
  if (!gs_engine_set(gs_client_engine(s->client), (uint32_t)c, v)) {
    fprintf(out, "error: busy, try again\n");
    return;
  }
  fprintf(out, "ok\n");
}

static void cmd_meters(GsSession *s, FILE *out) {
  GsEngine *e = gs_client_engine(s->client);
  for (uint32_t m = 0; m < gs_engine_meters(e); m++) {
    GsMeterReading r;
    gs_engine_meter(e, m, &r);
    /* rms re a full-scale sine (AES17), as the analyzer reads dBFS */
    fprintf(out, "meter %u peak %.2f dBFS rms %.2f dBFS%s\n", m,
            r.peak > 0 ? 20 * log10(r.peak) : -INFINITY,
            r.rms > 0 ? 20 * log10(r.rms) + 3.0103 : -INFINITY, r.clip ? " CLIP" : "");
  }
}

static void cmd_stats(GsSession *s, FILE *out) {
  GsClientStats st;
  gs_client_stats(s->client, &st);
  fprintf(out,
          "rate %u period %u latency %u xruns %u dsp_load %.1f callback_mean_us %.1f "
          "callback_worst_us %.1f\n",
          st.rate, st.period, st.latency, st.xruns, st.dsp_load, st.callback_mean_us,
          st.callback_worst_us);
}

static const char console_help[] =
    "commands: set CONTROL VALUE | get CONTROL | learn CONTROL | controls | meters | clear |\n"
    "          record start|stop | stats | quit\n";

void gs_session_command(GsSession *s, const char *line, FILE *out) {
  char buf[1024], *save = NULL;
  snprintf(buf, sizeof buf, "%s", line);
  char *cmd = strtok_r(buf, " \t\r\n", &save);
  char *a = strtok_r(NULL, " \t\r\n", &save), *b = strtok_r(NULL, " \t\r\n", &save);
  int c;
  if (!cmd) return;
  if (!strcmp(cmd, "set")) {
    cmd_set(s, a, b, out);
  } else if (!strcmp(cmd, "get")) {
    if ((c = control_arg(s, a, out)) >= 0) print_value(s, (uint32_t)c, out);
  } else if (!strcmp(cmd, "learn")) {
    if ((c = control_arg(s, a, out)) >= 0) {
      gs_engine_learn(gs_client_engine(s->client), (uint32_t)c);
      fprintf(out, "ok: the next CC binds to %s\n", a);
    }
  } else if (!strcmp(cmd, "controls")) {
    for (uint32_t i = 0; i < s->rig->n_controls; i++) print_value(s, i, out);
  } else if (!strcmp(cmd, "meters")) {
    cmd_meters(s, out);
  } else if (!strcmp(cmd, "clear")) {
    gs_session_clear_clips(s);
    fprintf(out, "ok\n");
  } else if (!strcmp(cmd, "record") && a && !strcmp(a, "start")) {
    fprintf(out, gs_session_take_start(s) == GS_OK ? "ok %s\n" : "error: %s\n",
            s->take[0] ? s->take : s->status);
  } else if (!strcmp(cmd, "record") && a && !strcmp(a, "stop")) {
    gs_session_take_stop(s);
    fprintf(out, "ok\n");
  } else if (!strcmp(cmd, "stats")) {
    cmd_stats(s, out);
  } else if (!strcmp(cmd, "quit")) {
    s->quit = true;
    fprintf(out, "ok\n");
  } else {
    fprintf(out, "%s%s", strcmp(cmd, "help") ? "error: unknown command\n" : "", console_help);
  }
  fflush(out);
}

void gs_session_end(GsSession *s) {
  gs_session_take_stop(s);
  if (s->client) poll_stages(s, true); /* what the last second said */
  gs_client_close(s->client);
  s->client = NULL;
  gs_recorder_free(s->recorder);
  s->recorder = NULL;
}
