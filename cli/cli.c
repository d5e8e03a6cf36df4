#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gs_config.h"
#include "units.h"

static void print_log(void *handle, GsLogLevel level, const char *message) {
  (void)handle;
  const char *tag = level == GS_LOG_ERROR ? "error" : level == GS_LOG_WARNING ? "warning" : "note";
  fprintf(stderr, "gainstage: %s: %s\n", tag, message);
}

const GsLog cli_log = {print_log, NULL};

static void print_errors(void *handle, GsLogLevel level, const char *message) {
  if (level == GS_LOG_ERROR) print_log(handle, level, message);
}

const GsLog cli_log_errors = {print_errors, NULL};

static void vsay(const char *tag, const char *fmt, va_list ap) {
  fprintf(stderr, "gainstage: %s: ", tag);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsay("error", fmt, ap);
  va_end(ap);
}

void cli_warning(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsay("warning", fmt, ap);
  va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsay("error", fmt, ap);
  va_end(ap);
  fprintf(stderr, "Try 'gainstage %s --help'.\n", cmd);
  return EXIT_USAGE;
}

static bool is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir/name or dir/name.preset, if it is a file */
static bool find_in(const char *dir, const char *name, char *out, size_t size) {
  if (!dir || !*dir) return false;
  snprintf(out, size, "%s/%s", dir, name);
  if (is_file(out)) return true;
  snprintf(out, size, "%s/%s.preset", dir, name);
  return is_file(out);
}

static bool find_preset(const char *name, char *out, size_t size) {
  if (is_file(name)) {
    snprintf(out, size, "%s", name);
    return true;
  }
  if (strchr(name, '/')) return false;
  return find_in(getenv("GAINSTAGE_PRESETS"), name, out, size) ||
         find_in(GS_SOURCE_PRESET_DIR, name, out, size) || find_in(GS_PRESET_DIR, name, out, size);
}

GsSpec *cli_load_spec(const char *cmd, const char *chain, const char *preset, const GsLog *log,
                      int *exit_code) {
  *exit_code = EXIT_USAGE;
  if ((chain != NULL) == (preset != NULL)) {
    cli_usage_error(cmd, "give the chain as either -c CHAIN or -p PRESET");
    return NULL;
  }
  GsSpec *spec = NULL;
  GsStatus s;
  if (chain) {
    s = gs_spec_parse(chain, log, &spec);
  } else {
    char path[4096];
    if (!find_preset(preset, path, sizeof path)) {
      cli_error("no preset '%s' (a file, or a name from 'presets/')", preset);
      return NULL;
    }
    s = gs_spec_load(path, log, &spec);
  }
  if (s != GS_OK) return NULL;
  *exit_code = EXIT_OK;
  return spec;
}

bool cli_level_for(const char *cmd, const char *text, GsDomain domain, double *level) {
  double v;
  GsLevelUnit unit;
  if (gs_level_parse(text, &v, &unit) != GS_OK) {
    cli_usage_error(cmd, "level '%s': write e.g. -10dBu, 0.5Vrms, 1Vpk, -20dBV, -18dBFS or 94dBSPL",
                    text);
    return false;
  }
  if (gs_level_in_domain(v, unit, domain, level) != GS_OK) {
    static const char *want[] = {[GS_DOMAIN_ANALOG] = "dBu, dBV or volts",
                                 [GS_DOMAIN_DIGITAL] = "dBFS",
                                 [GS_DOMAIN_ANY] = "dBFS",
                                 [GS_DOMAIN_ACOUSTIC] = "dB SPL or Pa"};
    cli_usage_error(cmd, "level '%s': the chain's input is %s, so give %s", text,
                    gs_domain_info(domain)->words, want[domain]);
    return false;
  }
  /* peaks from -180 dB to +60 dB re 1 V, full scale or 1 Pa (at most a
   * kilovolt; 157 dB SPL): beyond them a measurement means nothing */
  static const char *range[] = {[GS_DOMAIN_ANALOG] = "-181 dBu to +59 dBu (1 nV to 1 kV peak)",
                                [GS_DOMAIN_DIGITAL] = "-180 dBFS to +60 dBFS",
                                [GS_DOMAIN_ANY] = "-180 dBFS to +60 dBFS",
                                [GS_DOMAIN_ACOUSTIC] = "-89 dB SPL to 157 dB SPL"};
  double max = domain == GS_DOMAIN_ACOUSTIC ? 2000.0 : 1000.0;
  double peak =
      gs_domain_rms(domain == GS_DOMAIN_ANY ? GS_DOMAIN_DIGITAL : domain, *level) * sqrt(2.0);
  if (!(peak >= 1e-9 && peak <= max)) {
    cli_usage_error(cmd, "level '%s' is outside %s", text, range[domain]);
    return false;
  }
  return true;
}

bool cli_output_ok(const char *path) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    cli_error("the output '%s' is a directory", path);
    return false;
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) {
    *slash = '\0';
    if (!*dir) strcpy(dir, "/");
  } else {
    strcpy(dir, ".");
  }
  if (access(dir, W_OK) != 0) {
    cli_error("cannot write in '%s': %s", dir, strerror(errno));
    return false;
  }
  return true;
}

bool cli_plot_path_ok(const char *cmd, const char *path) {
  const char *dot = strrchr(path, '.');
  if (!dot || (strcasecmp(dot, ".png") != 0 && strcasecmp(dot, ".svg") != 0)) {
    cli_usage_error(cmd, "--plot '%s': the file must end in .png or .svg", path);
    return false;
  }
  return cli_output_ok(path); /* before the work, not after it */
}

bool cli_parse_double(const char *text, double *out) {
  if (!text || !*text) return false;
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (*end != '\0' || errno || !isfinite(v)) return false;
  if (strpbrk(text, "xXnN")) return false; /* hex, nan, inf */
  *out = v;
  return true;
}

bool cli_parse_hz(const char *text, double *out) {
  double v;
  char unit[16];
  if (!text || !gs_split_number(text, &v, unit, sizeof unit) || !isfinite(v)) return false;
  double mult = !strcmp(unit, "") || !strcmp(unit, "Hz")     ? 1.0
                : !strcmp(unit, "k") || !strcmp(unit, "kHz") ? 1e3
                                                             : 0.0;
  if (mult == 0.0) return false;
  *out = v * mult;
  return true;
}

bool cli_parse_u64(const char *text, unsigned long long *out) {
  if (!text || !*text || *text == '-' || *text == '+') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (*end != '\0' || errno) return false;
  *out = v;
  return true;
}
