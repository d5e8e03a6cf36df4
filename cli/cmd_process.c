/* gainstage process: run a file through a chain, offline. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audiofile.h"
#include "cli.h"

static const char help[] =
    "Usage: gainstage process (-c CHAIN | -p PRESET) [OPTIONS] IN OUT\n"
    "\n"
    "Run IN through the chain and write OUT (any format libsndfile reads;\n"
    "OUT's format from its extension: .wav .flac .aiff .w64 .rf64 .caf .ogg).\n"
    "The file's rate is the processing rate; every channel is processed\n"
    "(a preamp with select=N picks one). A chain that starts in the analog\n"
    "domain reads samples as volts; one that ends there writes volts, and\n"
    "one that ends in the air (speaker, cab) writes pascals (as float\n"
    "unless --format says otherwise). OUT is as long as IN and lines up\n"
    "with it: the chain's latency (oversampled tube stages) is removed.\n"
    "OUT is written to a temporary file and appears only when complete.\n"
    "\n"
    "  -c, --chain TEXT    the chain: 'STAGE key=value ! STAGE ...'\n"
    "  -p, --preset FILE   a preset file, or a name from presets/\n"
    "      --format F      output samples: float, pcm16, pcm24, pcm32\n"
    "                      (default: the input's, or float for volts, pascals)\n"
    "      --seed N        seed of the modelled noise (default 1)\n"
    "      --no-noise      turn all modelled noise off\n"
    "  -q, --quiet         no progress or warnings (errors still)\n"
    "  -h, --help          this help\n";

typedef struct {
  const char *chain, *preset, *format, *in, *out;
  unsigned long long seed;
  bool noise, quiet;
} Options;

static int parse(int argc, char **argv, Options *o) {
  static const struct option longopts[] = {
      {"chain", required_argument, NULL, 'c'},  {"preset", required_argument, NULL, 'p'},
      {"format", required_argument, NULL, 'f'}, {"seed", required_argument, NULL, 's'},
      {"no-noise", no_argument, NULL, 'n'},     {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
  *o = (Options){.seed = 1, .noise = true};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":c:p:qh", longopts, NULL)) != -1) {
    switch (c) {
      case 'c': o->chain = optarg; break;
      case 'p': o->preset = optarg; break;
      case 'f':
        o->format = optarg;
        if (!audio_subtype_named(optarg)) { /* "--format -c ...": the value forgotten */
          return cli_usage_error("process", "--format takes float, pcm16, pcm24 or pcm32, not '%s'",
                                 optarg);
        }
        break;
      case 's':
        if (!cli_parse_u64(optarg, &o->seed)) {
          return cli_usage_error("process", "--seed takes a whole number, not '%s'", optarg);
        }
        break;
      case 'n': o->noise = false; break;
      case 'q': o->quiet = true; break;
      case 'h': fputs(help, stdout); return -1;
      case ':': return cli_usage_error("process", "%s needs a value", argv[optind - 1]);
      default: return cli_usage_error("process", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind != 2) {
    return cli_usage_error("process", "give an input and an output file");
  }
  o->in = argv[optind];
  o->out = argv[optind + 1];
  return EXIT_OK;
}

/* Output format: the extension's container with the chosen samples. */
static int choose_format(const Options *o, const SF_INFO *in, GsDomain out_domain, int channels,
                         int *format) {
  int major = audio_format_for(o->out);
  if (!major) {
    cli_error(
        "cannot tell the format of '%s' from its extension (use .wav, "
        ".flac, .aiff, .w64, .rf64, .caf or .ogg)",
        o->out);
    return EXIT_USAGE;
  }
  int sub;
  if (o->format) {
    sub = audio_subtype_named(o->format); /* known: parse checked it */
  } else if (major == SF_FORMAT_OGG) {
    sub = SF_FORMAT_VORBIS;
  } else if (out_domain == GS_DOMAIN_ANALOG || out_domain == GS_DOMAIN_ACOUSTIC) {
    sub = SF_FORMAT_FLOAT;
  } else {
    sub = in->format & SF_FORMAT_SUBMASK;
  }
  SF_INFO probe = {.samplerate = in->samplerate, .channels = channels, .format = major | sub};
  if (!sf_format_check(&probe) && !o->format) {
    probe.format = major | SF_FORMAT_PCM_24;
  }
  if (!sf_format_check(&probe)) {
    cli_error("'%s' cannot hold %s samples", o->out, o->format ? o->format : "these");
    return EXIT_USAGE;
  }
  *format = probe.format;
  return EXIT_OK;
}

typedef struct {
  float *inter_in, *inter_out;
  float *planar_in[64], *planar_out[64];
  float *mem;
} Buffers;

#define BLOCK 4096u

static bool buffers_alloc(Buffers *b, int cin, int cout) {
  b->mem = calloc((size_t)(2 * cin + 2 * cout) * BLOCK, sizeof(float));
  if (!b->mem) return false;
  float *p = b->mem;
  b->inter_in = p;
  p += (size_t)cin * BLOCK;
  b->inter_out = p;
  p += (size_t)cout * BLOCK;
  for (int c = 0; c < cin; c++, p += BLOCK) b->planar_in[c] = p;
  for (int c = 0; c < cout; c++, p += BLOCK) b->planar_out[c] = p;
  return true;
}

/* Where the processing loop stands. The chain's reported latency is
 * compensated: its first `skip` output samples are dropped and as many
 * zeros fed after the input, so that OUT lines up with IN, sample for
 * sample, and is as long. */
typedef struct {
  sf_count_t read, skip, flush; /* input frames read; output to drop; zeros still to feed */
  float peak;
} Progress;

/* Process n frames waiting in b->planar_in and write what is not skipped. */
static int process_block(const Options *o, GsChain *chain, OutFile *out, Buffers *b, uint32_t n,
                         Progress *p) {
  int cout = (int)gs_chain_out_channels(chain);
  gs_chain_process(chain, (const float *const *)b->planar_in, b->planar_out, n);
  uint32_t from = p->skip > (sf_count_t)n ? n : (uint32_t)p->skip;
  p->skip -= from;
  for (uint32_t i = from; i < n; i++) {
    for (int c = 0; c < cout; c++) {
      float v = b->planar_out[c][i];
      b->inter_out[(i - from) * cout + c] = v;
      if (fabsf(v) > p->peak) p->peak = fabsf(v);
    }
  }
  sf_count_t len = n - from;
  if (len > 0 && sf_writef_float(out->sf, b->inter_out, len) != len) {
    cli_error("writing '%s' failed: %s", o->out, sf_strerror(out->sf));
    return EXIT_RUNTIME;
  }
  return EXIT_OK;
}

/* The next block: from the file, then the zeros that flush the latency;
 * 0 at the end. */
static uint32_t next_block(SNDFILE *in, int cin, Buffers *b, Progress *p) {
  sf_count_t got = sf_readf_float(in, b->inter_in, BLOCK);
  if (got > 0) {
    for (sf_count_t i = 0; i < got; i++) {
      for (int c = 0; c < cin; c++) b->planar_in[c][i] = b->inter_in[i * cin + c];
    }
    p->read += got;
    return (uint32_t)got;
  }
  uint32_t n = p->flush > (sf_count_t)BLOCK ? BLOCK : (uint32_t)p->flush;
  for (int c = 0; c < cin; c++) memset(b->planar_in[c], 0, n * sizeof(float));
  p->flush -= n;
  return n;
}

/* The processing loop; returns an exit code. */
static int run(const Options *o, GsChain *chain, SNDFILE *in, const SF_INFO *ii, OutFile *out,
               Buffers *b) {
  bool progress = !o->quiet && isatty(2) && ii->frames > 10 * ii->samplerate;
  Progress p = {.skip = gs_chain_latency(chain), .flush = gs_chain_latency(chain)};
  int last_pct = -1;
  for (;;) {
    if (cli_stop) {
      cli_error("interrupted: nothing was written to '%s'", o->out);
      return EXIT_RUNTIME;
    }
    uint32_t n = next_block(in, ii->channels, b, &p);
    if (n == 0) break;
    int rc = process_block(o, chain, out, b, n, &p);
    if (rc != EXIT_OK) return rc;
    int pct = ii->frames > 0 ? (int)(100 * p.read / ii->frames) : 0;
    if (progress && pct != last_pct) {
      fprintf(stderr, "\rprocessing %3d%%", pct);
      last_pct = pct;
    }
  }
  if (progress) fputs("\r               \r", stderr);
  if (!o->quiet) gs_chain_poll(chain, &cli_log); /* one summary per stage */
  if (sf_error(in) != SF_ERR_NO_ERROR) {
    cli_error("reading '%s' failed: %s", o->in, sf_strerror(in));
    return EXIT_RUNTIME;
  }
  int sub = out->info.format & SF_FORMAT_SUBMASK;
  bool integer = sub != SF_FORMAT_FLOAT && sub != SF_FORMAT_DOUBLE;
  if (!o->quiet && integer && p.peak > 1.0f) {
    cli_warning(
        "the output peaks at %.3g %s and was clipped at full scale: "
        "end the chain with adc, or use --format float",
        p.peak, gs_domain_info(gs_chain_output_domain(chain))->unit);
  }
  return EXIT_OK;
}

static bool check_paths(const Options *o) {
  if (same_file(o->in, o->out)) {
    cli_error("the output '%s' is the input file: choose another name", o->out);
    return false;
  }
  return cli_output_ok(o->out);
}

int cmd_process(int argc, char **argv) {
  Options o;
  int rc = parse(argc, argv, &o);
  if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
  const GsLog *log = o.quiet ? &cli_log_errors : &cli_log;
  GsSpec *spec = cli_load_spec("process", o.chain, o.preset, log, &rc);
  if (!spec) return rc;
  SF_INFO ii;
  SNDFILE *in = NULL;
  GsChain *chain = NULL;
  Buffers b = {0};
  OutFile out = {0};
  bool created = false;
  rc = EXIT_USAGE;
  if (!check_paths(&o) || !(in = audio_open_read(o.in, &ii))) goto done;
  if (ii.channels > 64) {
    cli_error("'%s' has %d channels; at most 64 are supported", o.in, ii.channels);
    goto done;
  }
  if (ii.frames <= 0) {
    cli_error("'%s' holds no samples", o.in);
    goto done;
  }
  GsChainConfig cc = {
      .rate = ii.samplerate, .channels = (uint32_t)ii.channels, .seed = o.seed, .noise = o.noise};
  if (gs_chain_new(spec, &cc, log, &chain) != GS_OK) goto done;
  int cout = (int)gs_chain_out_channels(chain), format;
  rc = choose_format(&o, &ii, gs_chain_output_domain(chain), cout, &format);
  if (rc != EXIT_OK) goto done;
  rc = EXIT_RUNTIME;
  if (!buffers_alloc(&b, ii.channels, cout)) goto done;
  cli_catch_signals();
  if (!(created = audio_create(&out, o.out, format, ii.samplerate, cout))) goto done;
  rc = run(&o, chain, in, &ii, &out, &b);
  if (rc == EXIT_OK) {
    created = false;
    if (!audio_commit(&out)) rc = EXIT_RUNTIME;
  }
done:
  if (created) audio_abort(&out);
  if (in) sf_close(in);
  free(b.mem);
  gs_chain_free(chain);
  gs_spec_free(spec);
  return rc;
}
