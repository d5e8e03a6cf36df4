/* The rig's terminal UI: the main loop, the terminal's setup and
 * restoration, and standard error held back while curses owns the screen.
 * Keys are in ui_keys.c, drawing in ui_draw.c. All [main]. */
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui_state.h"

/* ~25 frames a second: meters look continuous and keys answer at once,
 * while the loop sleeps in getch() between frames. */
#define FRAME_MS 40

/* What was written to standard error while curses owned the terminal:
 * the CLI's log (session messages), libjack's complaints. Written there,
 * it would tear the screen; it is kept (the newest CAPTURE_KEEP bytes) and
 * written out once the terminal is restored. */
#define CAPTURE_KEEP 16384

typedef struct {
  int saved_fd; /* the real standard error, or -1 if not captured */
  int pipe_fd;  /* the read end */
  char text[CAPTURE_KEEP];
  size_t used;
  bool dropped; /* older text was let go */
} Capture;

typedef struct {
  SCREEN *screen;
  char *saved_ctype; /* the LC_CTYPE to restore */
  Capture capture;
} Term;

/* ------------------------------------------------------ standard error */

static void capture_start(Capture *c) {
  int p[2];
  c->saved_fd = -1;
  c->pipe_fd = -1;
  c->used = 0;
  c->dropped = false;
  fflush(stderr);
  if (pipe(p) != 0) return;
  /* Both ends non-blocking: a writer (a JACK thread among them) that
   * fills the pipe loses its text rather than stalling. */
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  fcntl(p[0], F_SETFD, FD_CLOEXEC);
  c->saved_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (c->saved_fd < 0 || dup2(p[1], STDERR_FILENO) < 0) {
    if (c->saved_fd >= 0) close(c->saved_fd);
    c->saved_fd = -1;
    close(p[0]);
    close(p[1]);
    return;
  }
  close(p[1]);
  c->pipe_fd = p[0];
}

static void capture_drain(Capture *c) {
  if (c->pipe_fd < 0) return;
  char buf[4096];
  ssize_t got;
  while ((got = read(c->pipe_fd, buf, sizeof buf)) > 0) {
    size_t n = (size_t)got;
    if (c->used + n > sizeof c->text) {
      size_t drop = c->used + n - sizeof c->text;
      if (drop > c->used) drop = c->used;
      memmove(c->text, c->text + drop, c->used - drop);
      c->used -= drop;
      c->dropped = true;
    }
    if (n > sizeof c->text) n = sizeof c->text;
    memcpy(c->text + c->used, buf + ((size_t)got - n), n);
    c->used += n;
  }
}

static void capture_stop(Capture *c) {
  if (c->saved_fd < 0) return;
  fflush(stderr);
  capture_drain(c);
  dup2(c->saved_fd, STDERR_FILENO);
  close(c->saved_fd);
  close(c->pipe_fd);
  c->saved_fd = c->pipe_fd = -1;
  const char *text = c->text;
  size_t left = c->used;
  if (c->dropped) {
    /* start at a whole line */
    const char *nl = memchr(text, '\n', left);
    if (nl) {
      left -= (size_t)(nl + 1 - text);
      text = nl + 1;
    }
    fputs("gainstage: (earlier messages dropped)\n", stderr);
    fflush(stderr);
  }
  while (left > 0) {
    ssize_t w = write(STDERR_FILENO, text, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    text += w;
    left -= (size_t)w;
  }
}

/* ------------------------------------------------------------ terminal */

static void colors_init(void) {
  if (!has_colors() || start_color() == ERR) return;
  use_default_colors();
  init_pair(1, COLOR_GREEN, -1);
  init_pair(2, COLOR_YELLOW, -1);
  init_pair(3, COLOR_RED, -1);
  init_pair(4, COLOR_CYAN, -1);
}

/* newterm, not initscr: initscr exits the process when the terminal is
 * unusable (an unknown TERM); here the rig keeps playing headless. */
static bool term_open(Term *t) {
  const char *ctype = setlocale(LC_CTYPE, NULL);
  t->saved_ctype = ctype ? strdup(ctype) : NULL;
  /* the user's character set, so "Ω" and "µ" in units draw as such;
   * LC_NUMERIC stays "C": values are parsed and formatted with '.' */
  setlocale(LC_CTYPE, "");
  if (!isatty(STDOUT_FILENO) || !(t->screen = newterm(NULL, stdout, stdin))) {
    if (t->saved_ctype) setlocale(LC_CTYPE, t->saved_ctype);
    free(t->saved_ctype);
    return false;
  }
  set_term(t->screen);
  cbreak(); /* not raw(): Ctrl-C still raises SIGINT for the CLI's handler */
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25); /* Esc cancels typing without a second's wait */
  timeout(FRAME_MS);
  colors_init();
  capture_start(&t->capture);
  return true;
}

static void term_close(Term *t) {
  endwin();
  delscreen(t->screen);
  t->screen = NULL;
  fflush(stdout);
  capture_stop(&t->capture);
  if (t->saved_ctype) setlocale(LC_CTYPE, t->saved_ctype);
  free(t->saved_ctype);
}

/* ----------------------------------------------------------------- run */

static bool time_up(const GsSession *s, double end) {
  return s->quit || (end > 0 && gs_session_clock() >= end);
}

/* No usable terminal: play until stopped, as the headless rig does. */
static void run_without_screen(GsSession *s, double end) {
  while (!time_up(s, end)) {
    gs_session_poll(s);
    usleep(FRAME_MS * 1000);
  }
}

/* The take's length on disk. The session reaps a take that ended by
 * itself; this only reads while one runs (s->take set), and if it is the
 * one to find the take ended, it reports that as the session would. */
static void poll_take(GsUi *ui) {
  GsSession *s = ui->s;
  char msg[512];
  if (!s->recorder || !s->take[0]) return;
  if (!gs_recorder_poll(s->recorder, &ui->take_seconds, msg, sizeof msg)) {
    gs_session_status(s, msg[0] ? msg : "the take stopped"); /* held, as the session's are */
    if (s->log && s->log->func) s->log->func(s->log->handle, GS_LOG_ERROR, s->status);
    s->take[0] = '\0';
  }
}

static void frame(GsUi *ui, Term *t, double *last) {
  ui->now = gs_session_clock();
  gs_ui_meters_update(ui, ui->now - *last);
  *last = ui->now;
  poll_take(ui);
  capture_drain(&t->capture);
  gs_ui_list_build(ui);
  if (ui->redraw) {
    clearok(curscr, TRUE);
    ui->redraw = false;
  }
  erase();
  gs_ui_draw(ui);
  refresh();
}

void gs_ui_run(GsSession *s, double seconds) {
  double end = seconds > 0 ? gs_session_clock() + seconds : 0;
  GsUi ui = {.s = s, .last_set = -1};
  Term term = {.screen = NULL};
  ui.list = calloc(s->rig->n_controls ? s->rig->n_controls : 1, sizeof *ui.list);
  if (!ui.list || !term_open(&term)) {
    const char *type = getenv("TERM");
    snprintf(s->status, sizeof s->status,
             "no terminal UI (TERM=%s, or standard output is not a terminal): playing without it",
             type ? type : "");
    if (s->log && s->log->func) s->log->func(s->log->handle, GS_LOG_WARNING, s->status);
    free(ui.list);
    run_without_screen(s, end);
    return;
  }
  ui.n_meters = gs_engine_meters(gs_client_engine(s->client));
  if (ui.n_meters > GS_UI_MAX_METERS) ui.n_meters = GS_UI_MAX_METERS;
  for (uint32_t i = 0; i < ui.n_meters; i++) {
    ui.meter[i].peak_db = ui.meter[i].hold_db = ui.meter[i].rms_db = GS_UI_SILENCE_DB;
  }
  double last = gs_session_clock();
  while (!time_up(s, end)) {
    gs_session_poll(s);
    if (s->quit) break;
    frame(&ui, &term, &last);
    /* waits up to FRAME_MS for the first key, then takes what is queued */
    for (int key = getch(); key != ERR && !s->quit; key = getch()) {
      gs_ui_key(&ui, key);
      timeout(0);
    }
    timeout(FRAME_MS);
  }
  term_close(&term);
  free(ui.list);
}
