/* gainstage: the studio signal chain, in software. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: gainstage COMMAND [OPTIONS]\n"
    "\n"
    "The studio signal chain in physical units: source -> preamp -> tone ->\n"
    "power amp -> speaker or cabinet -> air -> mic -> converters.\n"
    "\n"
    "Commands:\n"
    "  process  run an audio file through a chain\n"
    "  plan     the level diagram of a chain: level, headroom, noise, watts, SPL\n"
    "  measure  a bench analyzer for a chain: gain, THD, noise, response...\n"
    "  list     the stages and every parameter (unit, range, default)\n"
    "  run      play a rig live on JACK: strips, monitors, headphone mixes, MIDI\n"
    "  synth    write a built-in test signal (a guitar DI phrase)\n"
    "\n"
    "A chain is `STAGE key=value ... ! STAGE ...` (-c) or a preset file with\n"
    "one stage per line (-p). Values take SI prefixes and units: 68k, 22n,\n"
    "-10dBu, 1Vpk, 94dBSPL. 'gainstage COMMAND --help' tells more.\n"
    "\n"
    "Options:\n"
    "  -h, --help     this help\n"
    "  -V, --version  the version\n"
    "\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad usage or input.\n";

/* What a command printed reached its destination (a full disk, a closed
 * pipe): else say so and fail, rather than exit 0 with the output lost. */
static int flushed(int status) {
  if (fflush(stdout) == 0 && !ferror(stdout)) return status;
  fprintf(stderr, "gainstage: error: writing the standard output failed: %s\n", strerror(errno));
  return status == EXIT_OK ? EXIT_RUNTIME : status;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    fputs(usage, stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    printf("gainstage %s\n", gs_version());
    return EXIT_OK;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } commands[] = {
      {"process", cmd_process}, {"plan", cmd_plan},       {"list", cmd_list},
      {"synth", cmd_synth},     {"measure", cmd_measure}, {"run", cmd_run},
  };
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (!strcmp(cmd, commands[i].name)) return flushed(commands[i].run(argc - 1, argv + 1));
  }
  fprintf(stderr, "gainstage: error: unknown command '%s'\n\n%s", cmd, usage);
  return EXIT_USAGE;
}
