/* Audio files for the CLI: libsndfile reading, and writing that never
 * leaves a half-written file (a temporary file beside the destination,
 * renamed into place only when everything is written; removed on any
 * failure or on SIGINT / SIGTERM). */
#ifndef GS_CLI_AUDIOFILE_H
#define GS_CLI_AUDIOFILE_H

#include <signal.h>
#include <sndfile.h>
#include <stdbool.h>

typedef struct {
  SNDFILE *sf;
  SF_INFO info;
  char path[4096];
  char tmp[4096];
} OutFile;

/* Set by SIGINT / SIGTERM once cli_catch_signals has run. */
extern volatile sig_atomic_t cli_stop;
void cli_catch_signals(void);

/* Open an input; prints why not. */
SNDFILE *audio_open_read(const char *path, SF_INFO *info);

/* The libsndfile major format for a file name, 0 if unknown. */
int audio_format_for(const char *path);

/* Subtype from --format text ("float", "pcm16", "pcm24", "pcm32"), 0 if
 * unknown. */
int audio_subtype_named(const char *name);

/* Create OUT's temporary file; prints why not. */
bool audio_create(OutFile *out, const char *path, int format, int rate, int channels);

/* Close and rename into place (true), or close and remove (abort). */
bool audio_commit(OutFile *out);
void audio_abort(OutFile *out);

/* True if a and b name the same existing file. */
bool same_file(const char *a, const char *b);

#endif
