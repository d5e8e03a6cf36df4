/* gainstage synth: built-in test signals, so demos, tests and benchmarks
 * need no downloaded audio. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audiofile.h"
#include "cli.h"

static const char help[] =
    "Usage: gainstage synth guitar [OPTIONS] OUT\n"
    "\n"
    "Write a guitar DI phrase (plucked strings through a single-coil\n"
    "pickup, peaks near 0.5 V) as float samples in volts: full scale is\n"
    "1 V, the guitar source's default fs_volts.\n"
    "\n"
    "      --seconds S   length (default 9)\n"
    "      --rate HZ     sample rate (default 48000)\n"
    "      --seed N      seed (default 1)\n"
    "  -h, --help        this help\n";

int cmd_synth(int argc, char **argv) {
  static const struct option longopts[] = {{"seconds", required_argument, NULL, 'S'},
                                           {"rate", required_argument, NULL, 'r'},
                                           {"seed", required_argument, NULL, 's'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  double seconds = 9.0, rate = 48000.0;
  unsigned long long seed = 1;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
      case 'S':
        if (!cli_parse_double(optarg, &seconds) || seconds <= 0 || seconds > 3600) {
          return cli_usage_error("synth", "--seconds takes more than 0 and up to 3600, not '%s'",
                                 optarg);
        }
        break;
      case 'r':
        if (!cli_parse_hz(optarg, &rate) || rate < 8000 || rate > 384000 || rate != floor(rate)) {
          return cli_usage_error("synth", "--rate takes 8000 to 384000, not '%s'", optarg);
        }
        break;
      case 's':
        if (!cli_parse_u64(optarg, &seed)) {
          return cli_usage_error("synth", "--seed takes a whole number, not '%s'", optarg);
        }
        break;
      case 'h': fputs(help, stdout); return EXIT_OK;
      case ':': return cli_usage_error("synth", "%s needs a value", argv[optind - 1]);
      default: return cli_usage_error("synth", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind != 2 || strcmp(argv[optind], "guitar") != 0) {
    return cli_usage_error("synth", "write: gainstage synth guitar OUT");
  }
  const char *path = argv[optind + 1];
  int major = audio_format_for(path);
  if (!major || major == SF_FORMAT_FLAC || major == SF_FORMAT_OGG) {
    cli_error("'%s': write a .wav, .w64, .rf64, .aiff or .caf file (float samples)", path);
    return EXIT_USAGE;
  }
  size_t n = (size_t)(seconds * rate);
  if (n == 0) return cli_usage_error("synth", "--seconds %g is not one sample long", seconds);
  float *buf = malloc(n * sizeof(float));
  if (!buf) {
    cli_error("out of memory");
    return EXIT_RUNTIME;
  }
  gs_synth_guitar(buf, n, rate, seed);
  OutFile out;
  cli_catch_signals();
  if (!audio_create(&out, path, major | SF_FORMAT_FLOAT, (int)rate, 1)) {
    free(buf);
    return EXIT_RUNTIME;
  }
  bool ok = sf_writef_float(out.sf, buf, (sf_count_t)n) == (sf_count_t)n && !cli_stop;
  free(buf);
  if (!ok) {
    cli_error("writing '%s' failed", path);
    audio_abort(&out);
    return EXIT_RUNTIME;
  }
  return audio_commit(&out) ? EXIT_OK : EXIT_RUNTIME;
}
