/* A running rig: the JACK client, the recorder and what the main loop
 * does between cycles — takes, messages from the audio thread, the
 * server going away, the rate changing, and text commands (the headless
 * console; the UI calls the same functions). All [main]. */
#ifndef GS_JACK_SESSION_H
#define GS_JACK_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "client.h"
#include "recorder.h"
#include "rig.h"

typedef struct {
  GsRig *rig;
  GsRigClient *client;
  const GsLog *log;
  GsRecorder *recorder; /* NULL: not recording (no --record) */
  char record_dir[4096];
  GsRecFormat format;
  char take[4096]; /* the take being written, "" if none */
  bool quit;
  int exit_code;
  volatile const sig_atomic_t *stop; /* a signal handler's flag: poll quits */
  char status[512];                  /* the latest message for a status line */
  double stages_polled;              /* gs_session_clock: the chains' last poll */
  double status_held;                /* until then a stage warning leaves status be */
} GsSession;

/* Monotonic seconds. [any] */
double gs_session_clock(void);

/* A message for status (the UI's answer to a key): like the session's own
 * messages, it holds status for two seconds, the stages' warnings going
 * only to the log meanwhile. */
void gs_session_status(GsSession *s, const char *message);

/* Open the recorder on dir (no take yet). */
GsStatus gs_session_record_to(GsSession *s, const char *dir, GsRecFormat format);
/* Start or stop a take. */
GsStatus gs_session_take_start(GsSession *s);
void gs_session_take_stop(GsSession *s);

/* Everything that happened since the last call: engine events, recorder
 * messages, the server going away (quit with exit_code 1), a rate change,
 * and, once a second at most, the stages' warnings (gs_engine_poll).
 * Messages go to the log and to status. A raised stop flag sets quit. */
void gs_session_poll(GsSession *s);

/* Clear the clip lights, the stages' pending warnings said first (so that
 * the next ones are about what clips after the lights went out). */
void gs_session_clear_clips(GsSession *s);

/* One console command, answered on out:
 *   set CONTROL VALUE | get CONTROL | learn CONTROL | controls | meters |
 *   clear | record start|stop | stats | quit | help */
void gs_session_command(GsSession *s, const char *line, FILE *out);

/* Close everything (stopping a take first). */
void gs_session_end(GsSession *s);

#endif
