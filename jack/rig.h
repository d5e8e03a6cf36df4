/* A rig as its file describes it (docs/rig.md): channel strips, each a
 * chain fed by one or more capture ports; monitor outputs A and B; headphone
 * mixes; MIDI maps; programs. And its controls: every value that can move
 * while the rig plays, addressed by name ("gtr.preamp.gain",
 * "monitor.select", "phones1.vox.level"), each described by a GsParamInfo
 * so that the UI, MIDI maps and programs parse, range-check and format it
 * the way the CLI does. Everything here is [main]. */
#ifndef GS_JACK_RIG_H
#define GS_JACK_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "gainstage/gainstage.h"

#define GS_RIG_MAX_STRIPS 64
#define GS_RIG_MAX_CAPTURES 8 /* inputs a strip selects between */
#define GS_RIG_MAX_PHONES 8
#define GS_RIG_MAX_CC 256
#define GS_RIG_MAX_PROGRAMS 128
#define GS_RIG_MAX_SETTINGS 64 /* control values one program sets */
#define GS_RIG_NAME 32

typedef enum { GS_REC_OFF, GS_REC_RAW, GS_REC_PROCESSED, GS_REC_BOTH } GsRecordWhat;

typedef struct {
  char name[GS_RIG_NAME];
  unsigned line;                      /* of its declaration in the rig file */
  char *capture[GS_RIG_MAX_CAPTURES]; /* ports to connect from; NULL: none */
  uint32_t n_inputs;                  /* input ports (>= 1) */
  GsSpec *chain;                      /* digital in, digital out */
  double level_db, pan;
  bool mute;
  GsRecordWhat record;
} GsRigStrip;

typedef struct {
  double level_db, pan;
} GsRigSend;

typedef struct {
  char *ports[2]; /* to connect to; NULL: none */
  double level_db, return_db;
  GsRigSend send[GS_RIG_MAX_STRIPS];
} GsRigPhones;

typedef struct {
  char *a[2], *b[2]; /* playback ports of pair A and pair B */
  uint32_t select;   /* 0 = A, 1 = B */
  double level_db, dim_db, return_db;
  bool dim, mute, mono;
  char *return_from[2]; /* ports to feed the playback return from */
} GsRigMonitor;

typedef struct {
  uint8_t cc, channel; /* channel 0 = any, 1..16 */
  uint32_t control;
  double min, max; /* the range CC 0..127 spans, in the control's unit */
} GsRigCc;

typedef struct {
  uint32_t control;
  double value;
} GsRigSetting;

typedef struct {
  uint8_t number; /* MIDI program 1..128 as musicians count them */
  uint32_t n;
  GsRigSetting set[GS_RIG_MAX_SETTINGS];
} GsRigProgram;

/* What one control moves. */
typedef enum {
  GS_CTL_STRIP_LEVEL,
  GS_CTL_STRIP_PAN,
  GS_CTL_STRIP_MUTE,
  GS_CTL_STAGE, /* a live parameter of a stage in a strip's chain */
  GS_CTL_MON_SELECT,
  GS_CTL_MON_LEVEL,
  GS_CTL_MON_DIM,
  GS_CTL_MON_MUTE,
  GS_CTL_MON_MONO,
  GS_CTL_MON_RETURN,
  GS_CTL_PHONES_LEVEL,
  GS_CTL_PHONES_RETURN,
  GS_CTL_SEND_LEVEL,
  GS_CTL_SEND_PAN
} GsControlKind;

typedef struct {
  char name[200];
  GsControlKind kind;
  const GsParamInfo *info;
  uint32_t strip, phones, stage, param; /* as the kind needs */
  double initial;                       /* the rig file's value */
} GsControl;

typedef struct GsRig {
  char name[GS_RIG_NAME];
  uint32_t n_strips, n_phones, n_cc, n_programs, n_controls;
  GsRigStrip strip[GS_RIG_MAX_STRIPS];
  GsRigPhones phones[GS_RIG_MAX_PHONES];
  GsRigMonitor monitor;
  GsRigCc cc[GS_RIG_MAX_CC];
  GsRigProgram program[GS_RIG_MAX_PROGRAMS];
  GsControl *control; /* n_controls */
} GsRig;

/* Read and check a rig file; every error goes to log naming file, line,
 * key and what would be accepted. GS_ERR_SYNTAX / RANGE / IO / ... */
GsStatus gs_rig_load(const char *path, const GsLog *log, GsRig **out);
/* The same from text (file names errors and relative paths; may be NULL). */
GsStatus gs_rig_parse(const char *text, const char *file, const GsLog *log, GsRig **out);
void gs_rig_free(GsRig *rig);

/* Index of a control by name, or -1. */
int gs_rig_control_find(const GsRig *rig, const char *name);

/* Parse a value for a control ("-6dB", "b", "on"); why says what fits. */
GsStatus gs_rig_control_parse(const GsRig *rig, uint32_t control, const char *text, double *value,
                              char *why, size_t why_size);

/* Decibels to a gain, where the bottom of a level's range means silence. */
double gs_rig_gain(double db);

#endif
