/* Shared pieces of the gainstage command: messages, exit codes, chain
 * loading from -c / -p, numbers. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <stdbool.h>

#include "gainstage/gainstage.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* The sink that prints library messages to stderr. */
extern const GsLog cli_log;
extern const GsLog cli_log_errors; /* errors only (-q) */

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "Try 'gainstage CMD --help'." after a usage error; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The chain from exactly one of chain text and preset name; prints why
 * not and returns NULL; the parser's warnings go to `log`. Presets are
 * found as a path, then by name in $GAINSTAGE_PRESETS, the source tree
 * and the installed presets. */
GsSpec *cli_load_spec(const char *cmd, const char *chain, const char *preset, const GsLog *log,
                      int *exit_code);

/* A level for a chain whose input is `domain`, in that domain's unit
 * (dBu, dBFS, dB SPL); prints why not. */
bool cli_level_for(const char *cmd, const char *text, GsDomain domain, double *level);

/* A plot path must end in .png or .svg; prints why not. */
bool cli_plot_path_ok(const char *cmd, const char *path);

/* Strict number parsing; false on anything but a whole finite number. */
bool cli_parse_double(const char *text, double *out);
/* An output file can be made at path: not a directory, in a directory we
 * may write in; else says why. */
bool cli_output_ok(const char *path);
/* A frequency or rate: 1000, 1000Hz, 1k, 1kHz, 44.1k. */
bool cli_parse_hz(const char *text, double *out);
bool cli_parse_u64(const char *text, unsigned long long *out);

/* Command entry points. */
int cmd_process(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
