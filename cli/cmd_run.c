/* gainstage run: the real-time rig on a JACK server (docs/rig.md). */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audiofile.h"
#include "cli.h"
#include "session.h"
#include "ui.h"

static const char help[] =
    "Usage: gainstage run -r RIG [OPTIONS]\n"
    "\n"
    "Play a rig on the running JACK server (jackd or PipeWire's JACK): its\n"
    "channel strips, monitor pairs A and B, headphone mixes, meters, MIDI\n"
    "control and recording, as the rig file declares (docs/rig.md).\n"
    "\n"
    "  -r, --rig FILE     the rig file\n"
    "  -n, --name NAME    the JACK client name (default: the rig's name)\n"
    "      --record DIR   record takes into DIR (one multichannel file each;\n"
    "                     the first take starts at once, 'r' or 'record\n"
    "                     start|stop' start and stop more)\n"
    "      --format F     w64 (default) or rf64\n"
    "      --no-ui        no terminal UI: commands are read from standard\n"
    "                     input, one per line ('help' lists them)\n"
    "      --seconds S    stop after S seconds\n"
    "      --check        read the rig file, build its chains at 48 kHz, list\n"
    "                     its ports and controls, and exit (no JACK needed)\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 stopped (q, quit, SIGINT, SIGTERM), 1 runtime failure\n"
    "(no JACK server, the server went away), 2 bad usage or rig file.\n";

typedef struct {
  const char *rig, *name, *record;
  GsRecFormat format;
  bool ui, check;
  double seconds;
} RunOptions;

static int parse_options(int argc, char **argv, RunOptions *o) {
  static const struct option longopts[] = {{"rig", required_argument, NULL, 'r'},
                                           {"name", required_argument, NULL, 'n'},
                                           {"record", required_argument, NULL, 'R'},
                                           {"format", required_argument, NULL, 'f'},
                                           {"no-ui", no_argument, NULL, 'U'},
                                           {"seconds", required_argument, NULL, 'S'},
                                           {"check", no_argument, NULL, 'C'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  *o = (RunOptions){.format = GS_REC_W64, .ui = true};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":r:n:h", longopts, NULL)) != -1) {
    switch (c) {
      case 'r': o->rig = optarg; break;
      case 'n': o->name = optarg; break;
      case 'R': o->record = optarg; break;
      case 'U': o->ui = false; break;
      case 'C': o->check = true; break;
      case 'f':
        if (strcmp(optarg, "w64") != 0 && strcmp(optarg, "rf64") != 0) {
          return cli_usage_error("run", "--format takes w64 or rf64, not '%s'", optarg);
        }
        o->format = optarg[0] == 'r' ? GS_REC_RF64 : GS_REC_W64;
        break;
      case 'S':
        if (!cli_parse_double(optarg, &o->seconds) || o->seconds <= 0) {
          return cli_usage_error("run", "--seconds takes a positive number, not '%s'", optarg);
        }
        break;
      case 'h': fputs(help, stdout); return EXIT_OK;
      case ':': return cli_usage_error("run", "%s needs a value", argv[optind - 1]);
      default: return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (!o->rig) return cli_usage_error("run", "name a rig file: gainstage run -r RIG");
  if (optind != argc) return cli_usage_error("run", "unexpected '%s'", argv[optind]);
  if (o->ui && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) o->ui = false; /* headless */
  return -1;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Complete lines from standard input, as they arrive, to the console. */
typedef struct {
  char buf[4096];
  size_t used;
  bool closed;
} LineReader;

static void read_commands(GsSession *s, LineReader *r, int timeout_ms) {
  struct pollfd p = {STDIN_FILENO, POLLIN, 0};
  if (r->closed) {
    poll(NULL, 0, timeout_ms);
    return;
  }
  if (poll(&p, 1, timeout_ms) <= 0) return;
  ssize_t got = read(STDIN_FILENO, r->buf + r->used, sizeof r->buf - 1 - r->used);
  if (got <= 0) {
    r->closed = true;
    return;
  }
  r->used += (size_t)got;
  r->buf[r->used] = '\0';
  char *line = r->buf, *nl;
  while ((nl = strchr(line, '\n'))) {
    *nl = '\0';
    gs_session_command(s, line, stdout);
    line = nl + 1;
  }
  r->used = strlen(line);
  memmove(r->buf, line, r->used + 1);
  if (r->used == sizeof r->buf - 1) r->used = 0; /* a line too long: dropped */
}

static void headless(GsSession *s, double seconds) {
  LineReader reader = {.used = 0};
  double end = seconds > 0 ? now() + seconds : 0;
  printf("ready %s\n", gs_client_name(s->client));
  fflush(stdout);
  while (!s->quit && (end == 0 || now() < end)) {
    read_commands(s, &reader, 50);
    gs_session_poll(s);
  }
}

/* --check: what the rig would be, without a server. */
static int check_rig(const GsRig *rig) {
  GsEngine *e = NULL;
  if (gs_engine_new(rig, 48000.0, &cli_log, &e) != GS_OK) return EXIT_USAGE;
  printf("rig %s: %u strips, %u headphone mixes, %u cc maps, %u programs, latency %u samples\n",
         rig->name, rig->n_strips, rig->n_phones, rig->n_cc, rig->n_programs, gs_engine_latency(e));
  for (uint32_t s = 0; s < rig->n_strips; s++) {
    char *text = gs_spec_to_text(rig->strip[s].chain); /* one stage per line */
    printf("strip %s (%u input%s): ", rig->strip[s].name, rig->strip[s].n_inputs,
           rig->strip[s].n_inputs > 1 ? "s" : "");
    for (const char *p = text ? text : "?"; *p; p++) {
      fputs(*p != '\n' ? (char[]){*p, '\0'} : p[1] ? " ! " : "", stdout);
    }
    putchar('\n');
    free(text);
  }
  char name[64];
  printf("record channels:");
  for (uint32_t c = 0; c < gs_engine_record_channels(e); c++) {
    gs_engine_record_channel_name(e, c, name, sizeof name);
    printf(" %s", name);
  }
  printf("\ncontrols:");
  for (uint32_t c = 0; c < rig->n_controls; c++) printf(" %s", rig->control[c].name);
  printf("\n");
  gs_engine_free(e);
  return EXIT_OK;
}

int cmd_run(int argc, char **argv) {
  RunOptions o;
  int code = parse_options(argc, argv, &o);
  if (code >= 0) return code;
  GsRig *rig = NULL;
  GsStatus st = gs_rig_load(o.rig, &cli_log, &rig);
  if (st != GS_OK) return EXIT_USAGE;
  if (o.check) {
    code = check_rig(rig);
    gs_rig_free(rig);
    return code;
  }
  /* the chains built once without a server, as --check does: a bad rig
   * says what is wrong (exit 2) whether or not JACK runs */
  GsEngine *trial = NULL;
  st = gs_engine_new(rig, 48000.0, &cli_log_errors, &trial); /* warnings: once, later */
  gs_engine_free(trial);
  if (st != GS_OK) {
    gs_rig_free(rig);
    return EXIT_USAGE;
  }
  signal(SIGXFSZ, SIG_IGN); /* a file size limit is a write error for the recorder */
  signal(SIGPIPE, SIG_IGN);
  cli_catch_signals();
  GsSession s = {.rig = rig, .log = &cli_log, .stop = &cli_stop};
  char why[512];
  st = gs_client_open(o.name ? o.name : rig->name, rig, &cli_log, &s.client, why, sizeof why);
  if (st != GS_OK) {
    cli_error("%s", why);
    gs_rig_free(rig);
    return st == GS_ERR_IO ? EXIT_RUNTIME : EXIT_USAGE;
  }
  if (o.record && (gs_session_record_to(&s, o.record, o.format) != GS_OK)) {
    gs_session_end(&s);
    gs_rig_free(rig);
    return EXIT_USAGE;
  }
  if (gs_client_start(s.client, &cli_log, why, sizeof why) != GS_OK) {
    cli_error("%s", why);
    s.exit_code = EXIT_RUNTIME;
  } else {
    if (o.record) gs_session_take_start(&s);
    if (o.ui) {
      gs_ui_run(&s, o.seconds);
    } else {
      headless(&s, o.seconds);
    }
  }
  gs_session_end(&s);
  gs_rig_free(rig);
  return s.exit_code;
}
