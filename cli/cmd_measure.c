/* gainstage measure: the bench analyzer, for a chain, a JACK loopback or a
 * file. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audiofile.h"
#include "cli.h"
#include "gainstage/analyze.h"
#include "json.h"
#include "loopback.h"

static const char help[] =
    "Usage: gainstage measure (-c CHAIN | -p PRESET) [OPTIONS]\n"
    "       gainstage measure --jack-out PORT --jack-in PORT [OPTIONS]\n"
    "       gainstage measure --file FILE [--json]\n"
    "\n"
    "Drive the chain's first stage like a signal generator and read its last\n"
    "stage like an analyzer: gain, output level, harmonics H1-H10, THD,\n"
    "THD+N (20 Hz-20 kHz, fundamental notched), DC, the strongest\n"
    "non-harmonic spur (aliasing), noise (unweighted, A-weighted, EIN, SNR\n"
    "re the output at 1 % THD), the small-signal frequency response and\n"
    "phase (exponential sweep, 10 dB below the drive), the H2 and H3\n"
    "responses, latency, and the maximum output at 1 % THD (watts when the\n"
    "chain ends in a load or speaker).\n"
    "\n"
    "With --jack-out and --jack-in it measures whatever JACK connects between\n"
    "the two ports instead (an interface with a cable from an output to an\n"
    "input, or any JACK client) at the server's rate, levels in dBFS, and\n"
    "reports the loop's latency as measured and as JACK's ports report it.\n"
    "\n"
    "Levels are rms: dBu re 0.775 V, dBV re 1 V; dBFS is re the rms of a\n"
    "full-scale sine (a sine whose peaks reach full scale is 0 dBFS); dB SPL\n"
    "re 20 uPa where a speaker or cab ends the chain (or a mic starts it).\n"
    "\n"
    "  -c, --chain TEXT       the chain\n"
    "  -p, --preset FILE      a preset file or name\n"
    "  -f, --freq HZ          stepped-sine frequency (default 1000; moved to\n"
    "                         the nearest frequency with whole cycles)\n"
    "  -l, --level LEVEL      input level: 1Vpk, 0.5Vrms, -10dBu, -20dBV;\n"
    "                         -6dBFS when the chain starts digital, 94dBSPL\n"
    "                         when it starts with a mic (default: the first\n"
    "                         stage's nominal level)\n"
    "  -r, --rate HZ          44100 to 192000 (default 48000)\n"
    "      --jack-out PORT    play the stimulus into this JACK port\n"
    "      --jack-in PORT     and record this one (both, without -c or -p)\n"
    "      --sweep-level A:B:S  THD and gain from level A to B in S dB steps\n"
    "      --json             one JSON object (see docs/analyzer.md)\n"
    "      --plot FILE        response, spectrum (and THD vs level): .png/.svg\n"
    "      --file FILE        measure a file instead: peak, rms, DC per channel;\n"
    "                         with --freq, also the tone at HZ in its last\n"
    "                         65536 samples (THD, harmonics, alias/spur)\n"
    "  -h, --help             this help\n";

typedef struct {
  const char *chain, *preset, *level, *sweep, *plot, *file, *jack_out, *jack_in;
  double freq, rate;
  bool json, freq_given, rate_given;
} Options;

/* What goes with what: one of a chain, a loopback and a file. */
static int check_sources(const Options *o) {
  bool chain = o->chain || o->preset, jack = o->jack_out || o->jack_in;
  if (jack && !(o->jack_out && o->jack_in)) {
    return cli_usage_error("measure",
                           "--jack-out and --jack-in go together (play into one "
                           "port, record the other)");
  }
  if (jack && (chain || o->file)) {
    return cli_usage_error("measure", "--jack-out/--jack-in measure the loop, not %s",
                           o->file ? "a file" : "a chain");
  }
  if (jack && o->rate_given) {
    return cli_usage_error("measure", "--rate: a JACK loopback runs at the server's rate");
  }
  if (o->file && (chain || o->plot || o->level || o->sweep || o->rate_given)) {
    return cli_usage_error("measure", "--file measures the file alone: %s does not apply",
                           chain      ? "a chain"
                           : o->plot  ? "--plot"
                           : o->level ? "--level"
                           : o->sweep ? "--sweep-level"
                                      : "--rate");
  }
  return EXIT_OK;
}

static int check_freq(const Options *o, double rate) {
  if (o->freq >= 0.45 * rate) {
    return cli_usage_error("measure", "--freq %g Hz is too close to Nyquist at %g Hz", o->freq,
                           rate);
  }
  return EXIT_OK;
}

static int parse(int argc, char **argv, Options *o) {
  static const struct option longopts[] = {{"chain", required_argument, NULL, 'c'},
                                           {"preset", required_argument, NULL, 'p'},
                                           {"freq", required_argument, NULL, 'f'},
                                           {"level", required_argument, NULL, 'l'},
                                           {"rate", required_argument, NULL, 'r'},
                                           {"sweep-level", required_argument, NULL, 's'},
                                           {"json", no_argument, NULL, 'j'},
                                           {"plot", required_argument, NULL, 'P'},
                                           {"file", required_argument, NULL, 'F'},
                                           {"jack-out", required_argument, NULL, 'O'},
                                           {"jack-in", required_argument, NULL, 'I'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  *o = (Options){.freq = 1000.0, .rate = 48000.0};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":c:p:f:l:r:h", longopts, NULL)) != -1) {
    switch (c) {
      case 'c': o->chain = optarg; break;
      case 'p': o->preset = optarg; break;
      case 'l': o->level = optarg; break;
      case 's': o->sweep = optarg; break;
      case 'j': o->json = true; break;
      case 'P': o->plot = optarg; break;
      case 'F': o->file = optarg; break;
      case 'O': o->jack_out = optarg; break;
      case 'I': o->jack_in = optarg; break;
      case 'f':
        if (!cli_parse_hz(optarg, &o->freq) || o->freq < 10 || o->freq > 96000) {
          return cli_usage_error("measure", "--freq takes 10 to 96000 Hz, not '%s'", optarg);
        }
        o->freq_given = true;
        break;
      case 'r':
        if (!cli_parse_hz(optarg, &o->rate) || o->rate < 44100 || o->rate > 192000 ||
            o->rate != floor(o->rate)) {
          return cli_usage_error("measure", "--rate takes 44100 to 192000 Hz, not '%s'", optarg);
        }
        o->rate_given = true;
        break;
      case 'h': fputs(help, stdout); return -1;
      case ':': return cli_usage_error("measure", "%s needs a value", argv[optind - 1]);
      default: return cli_usage_error("measure", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc) return cli_usage_error("measure", "unexpected '%s'", argv[optind]);
  if (o->plot && !cli_plot_path_ok("measure", o->plot)) return EXIT_USAGE;
  int rc = check_sources(o);
  if (rc != EXIT_OK) return rc;
  return o->jack_out ? EXIT_OK : check_freq(o, o->rate); /* the server's rate, later */
}

/* "A:B:S", A and B levels, S in dB. */
static bool sweep_for(const char *text, GsDomain domain, GsMeasureConfig *c) {
  char a[64], b[64], s[64];
  if (sscanf(text, "%63[^:]:%63[^:]:%63s", a, b, s) != 3) {
    cli_usage_error("measure", "--sweep-level '%s': write FROM:TO:STEP, e.g. -40dBu:10dBu:2", text);
    return false;
  }
  size_t len = strlen(s);
  if (len > 2 && strcmp(s + len - 2, "dB") == 0) s[len - 2] = '\0';
  if (!cli_level_for("measure", a, domain, &c->sweep_from) ||
      !cli_level_for("measure", b, domain, &c->sweep_to)) {
    return false;
  }
  if (!cli_parse_double(s, &c->sweep_step) || c->sweep_step < 0.1 ||
      fabs(c->sweep_to - c->sweep_from) / c->sweep_step > 500) {
    cli_usage_error("measure", "--sweep-level step '%s': 0.1 dB or more, at most 500 steps", s);
    return false;
  }
  return true;
}

/* dB of a ratio: -inf for silence (null in JSON), NaN for what is none */
static double db(double x) {
  return x > 0.0 ? 20.0 * log10(x) : x == 0.0 ? -INFINITY : NAN;
}

static void json_pairs(Json *j, const char *key, const GsResponsePoint *p, size_t n, bool deg) {
  json_array(j, key);
  for (size_t i = 0; i < n; i++) {
    json_array(j, NULL);
    json_num(j, NULL, p[i].hz);
    json_num(j, NULL, deg ? p[i].deg : p[i].db);
    json_close(j);
  }
  json_close(j);
}

/* Level in dB in the output's domain, or NaN if the output is another. */
static double level_if(const GsMeasurement *m, GsDomain d, double rms) {
  return m->output == d ? gs_domain_level(d, rms) : NAN;
}

static void print_json(const GsMeasurement *m) {
  bool analog = m->output == GS_DOMAIN_ANALOG;
  bool digital = m->output == GS_DOMAIN_DIGITAL || m->output == GS_DOMAIN_ANY;
  double fs = sqrt(2.0); /* a full-scale sine's peak / rms */
  Json j;
  json_begin(&j, stdout);
  json_num(&j, "rate", m->rate);
  json_num(&j, "freq_hz", m->freq_hz);
  json_object(&j, "level");
  json_num(&j, "value", m->level);
  json_str(&j, "unit",
           m->input == GS_DOMAIN_ACOUSTIC ? "dBSPL" : gs_domain_info(m->input)->level_unit);
  json_close(&j);
  json_num(&j, "gain_db", m->gain_db);
  json_object(&j, "output");
  json_num(&j, "vpk", m->out_vpk);
  json_num(&j, "vrms", m->out_vrms);
  json_num(&j, "dbu", analog ? gs_vrms_to_dbu(m->out_vrms) : NAN);
  json_num(&j, "dbfs", digital ? db(m->out_vrms * fs) : NAN);
  json_num(&j, "dbspl", level_if(m, GS_DOMAIN_ACOUSTIC, m->out_vrms));
  json_close(&j);
  json_array(&j, "harmonics");
  for (int h = 0; h < GS_HARMONICS; h++) {
    json_object(&j, NULL);
    json_num(&j, "n", h + 1);
    json_num(&j, "dbv", analog ? db(m->harm_rms[h]) : NAN);
    json_num(&j, "dbfs", digital ? db(m->harm_rms[h] * fs) : NAN);
    json_num(&j, "dbc", db(m->harm_rms[h] / m->harm_rms[0]));
    json_close(&j);
  }
  json_close(&j);
  json_num(&j, "thd_pct", 100.0 * m->thd);
  json_num(&j, "thd_n_pct", 100.0 * m->thd_n);
  json_object(&j, "noise");
  json_num(&j, "vrms", m->noise_rms);
  json_num(&j, "dbu", analog ? gs_vrms_to_dbu(m->noise_rms) : NAN);
  json_num(&j, "dbu_a", analog ? gs_vrms_to_dbu(m->noise_rms_a) : NAN);
  json_num(&j, "vrms_full", m->noise_rms_full);
  json_num(&j, "dbfs", digital ? db(m->noise_rms * fs) : NAN);
  json_num(&j, "dbfs_a", digital ? db(m->noise_rms_a * fs) : NAN);
  json_num(&j, "dbfs_full", digital ? db(m->noise_rms_full * fs) : NAN);
  json_num(&j, "dbspl", level_if(m, GS_DOMAIN_ACOUSTIC, m->noise_rms));
  json_num(&j, "dbspl_a", level_if(m, GS_DOMAIN_ACOUSTIC, m->noise_rms_a));
  json_close(&j);
  json_num(&j, "ein_dbu", m->ein_dbu);
  json_num(&j, "snr_db", m->snr_db);
  json_num(&j, "dc_v", m->dc);
  json_num(&j, "latency_samples", m->latency_samples);
  json_num(&j, "latency_reported", m->latency_reported);
  json_pairs(&j, "response", m->response, m->n_response, false);
  json_pairs(&j, "phase", m->response, m->n_response, true);
  json_object(&j, "harmonic_response");
  json_pairs(&j, "h2", m->h2, m->n_h2, false);
  json_pairs(&j, "h3", m->h3, m->n_h3, false);
  json_close(&j);
  json_object(&j, "max_output");
  json_num(&j, "vpk", m->max_vpk);
  json_num(&j, "watts", m->max_watts);
  json_num(&j, "input_vpk", m->max_input);
  json_close(&j);
  json_num(&j, "alias_dbc", m->alias_dbc);
  if (m->n_sweep) {
    json_array(&j, "sweep");
    for (size_t i = 0; i < m->n_sweep; i++) {
      json_object(&j, NULL);
      json_num(&j, "level", m->sweep[i].level);
      json_num(&j, "gain_db", m->sweep[i].gain_db);
      json_num(&j, "thd_pct", 100.0 * m->sweep[i].thd);
      json_num(&j, "thd_n_pct", 100.0 * m->sweep[i].thd_n);
      json_close(&j);
    }
    json_close(&j);
  } else {
    json_null(&j, "sweep");
  }
  json_end(&j);
}

static void print_table(const GsMeasurement *m) {
  const GsDomainInfo *out = gs_domain_info(m->output);
  const char *u = out->level_unit;
  double ref = out->rms_ref;
  printf("measured at %.0f Hz: %.4g Hz sine at %.2f %s\n\n", m->rate, m->freq_hz, m->level,
         gs_domain_info(m->input)->level_unit);
  printf("  gain               %8.3f dB\n", m->gain_db);
  printf("  output             %8.2f %s  (%.4g %s rms, %.4g peak)\n", db(m->out_vrms / ref), u,
         m->out_vrms, out->unit, m->out_vpk);
  printf("  THD                %8.4f %%\n", 100.0 * m->thd);
  printf("  THD+N              %8.4f %%  (20 Hz-20 kHz, with noise)\n", 100.0 * m->thd_n);
  printf("  harmonics (dBc)   ");
  for (int h = 1; h < GS_HARMONICS; h++)
    printf(" H%d %.1f", h + 1, db(m->harm_rms[h] / m->harm_rms[0]));
  printf("\n  alias/spur         %8.1f dBc\n", m->alias_dbc);
  printf("  DC                 %8.3g %s\n", m->dc, out->unit);
  if (m->noise_rms > 0.0) {
    printf("  noise              %8.2f %s  (A-weighted %.2f %s)\n", db(m->noise_rms / ref), u,
           db(m->noise_rms_a / ref), u);
  } else {
    printf("  noise                  none  (the system adds none)\n");
  }
  if (isfinite(m->ein_dbu)) printf("  EIN                %8.2f dBu\n", m->ein_dbu);
  if (isfinite(m->max_vpk)) {
    printf("  max output (1%% THD) %7.3g %s peak", m->max_vpk, out->unit);
    if (isfinite(m->max_watts)) printf(" = %.4g W", m->max_watts);
    printf("\n");
  }
  if (isfinite(m->snr_db)) printf("  SNR                %8.2f dB  (re max output)\n", m->snr_db);
  printf("  latency            %8.0f samples (reported: %u)\n", m->latency_samples,
         m->latency_reported);
  if (m->n_response) {
    printf("\n  response (dB re 1 kHz):");
    const double marks[] = {20, 50, 100, 200, 500, 2000, 5000, 10000, 20000};
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
      for (size_t i = 0; i < m->n_response; i++) {
        if (fabs(log(m->response[i].hz / marks[k])) < 0.03) {
          printf(" %g Hz %+.2f", marks[k], m->response[i].db);
          break;
        }
      }
    }
    printf("\n");
  }
  for (size_t i = 0; i < m->n_sweep; i++) {
    if (i == 0) printf("\n  level      gain      THD       THD+N\n");
    printf("  %7.2f  %8.3f  %8.4f%%  %8.4f%%\n", m->sweep[i].level, m->sweep[i].gain_db,
           100 * m->sweep[i].thd, 100 * m->sweep[i].thd_n);
  }
}

#define FILE_TONE_N 65536

/* --file --freq: the tone in the channel's last FILE_TONE_N samples, at the
 * coherent frequency nearest HZ (a test signal made for it sits there). */
static void file_tone(const Options *o, const float *buf, size_t frames, size_t ch, size_t c,
                      double rate, Json *j) {
  if (!o->freq_given || frames < FILE_TONE_N) return;
  float *x = malloc(FILE_TONE_N * sizeof *x);
  if (!x) return;
  for (size_t i = 0; i < FILE_TONE_N; i++) x[i] = buf[(frames - FILE_TONE_N + i) * ch + c];
  GsToneAnalysis t;
  double hz = gs_coherent_freq(o->freq, FILE_TONE_N, rate);
  if (gs_analyze_tone(x, FILE_TONE_N, rate, hz, &t) == GS_OK) {
    double alias = db(t.spur_ratio);
    if (o->json) {
      json_num(j, "freq_hz", hz);
      json_num(j, "thd", t.thd);
      json_num(j, "alias_dbc", alias);
      json_num(j, "alias_hz", t.spur_hz);
    } else {
      printf("  tone %.2f Hz: THD %.4f %%, alias/spur %.1f dBc at %.0f Hz\n", hz, 100.0 * t.thd,
             alias, t.spur_hz);
    }
  }
  free(x);
}

/* --file: each channel's peak, rms and DC, as sox's stats would see them
 * (levels re full-scale peak), and in dBFS (AES17). */
static int measure_file(const Options *o) {
  SF_INFO info;
  SNDFILE *sf = audio_open_read(o->file, &info);
  if (!sf) return EXIT_USAGE;
  size_t frames = (size_t)info.frames, ch = (size_t)info.channels;
  float *buf = malloc(frames * ch * sizeof(float));
  if (!buf || sf_readf_float(sf, buf, info.frames) != info.frames) {
    cli_error("cannot read '%s'", o->file);
    free(buf);
    sf_close(sf);
    return EXIT_RUNTIME;
  }
  sf_close(sf);
  if (frames == 0 || (o->freq_given && frames < FILE_TONE_N)) {
    if (frames == 0) cli_error("'%s' holds no samples", o->file);
    if (frames > 0) {
      cli_error("--freq reads the last %d samples; '%s' has %zu", FILE_TONE_N, o->file, frames);
    }
    free(buf);
    return EXIT_USAGE;
  }
  Json j;
  if (o->json) {
    json_begin(&j, stdout);
    json_num(&j, "rate", info.samplerate);
    json_array(&j, "channels");
  }
  for (size_t c = 0; c < ch; c++) {
    double peak = 0.0, sum = 0.0, sq = 0.0;
    size_t bad = 0; /* non-finite samples: counted, left out of the figures */
    for (size_t i = 0; i < frames; i++) {
      double v = buf[i * ch + c];
      if (!isfinite(v)) {
        bad++;
        continue;
      }
      peak = fmax(peak, fabs(v));
      sum += v;
      sq += v * v;
    }
    size_t n = frames - bad;
    double rms = n ? sqrt(sq / (double)n) : 0.0, dc = n ? sum / (double)n : 0.0;
    if (bad) {
      cli_warning("channel %zu: %zu non-finite samples (NaN or infinity), left out of the figures",
                  c + 1, bad);
    }
    if (o->json) {
      json_object(&j, NULL);
      json_num(&j, "peak", peak);
      json_num(&j, "peak_db", db(peak));
      json_num(&j, "rms", rms);
      json_num(&j, "rms_db", db(rms));
      json_num(&j, "rms_dbfs", db(rms * sqrt(2.0)));
      json_num(&j, "dc", dc);
      json_num(&j, "nonfinite", (double)bad);
      file_tone(o, buf, frames, ch, c, info.samplerate, &j);
      json_close(&j);
    } else {
      printf(
          "channel %zu: peak %.2f dB  rms %.2f dB (%.2f dBFS)  DC %.3g  (dB re full-scale peak)\n",
          c + 1, db(peak), db(rms), db(rms * sqrt(2.0)), dc);
      file_tone(o, buf, frames, ch, c, info.samplerate, NULL);
    }
  }
  if (o->json) {
    json_close(&j);
    json_end(&j);
  }
  free(buf);
  return EXIT_OK;
}

/* Measure a system and print (and plot) what it gives. */
static int run_system(const Options *o, const GsSystem *sys, const char *title) {
  GsMeasureConfig mc;
  gs_measure_defaults(&mc);
  mc.freq_hz = o->freq;
  if (o->level) {
    if (!cli_level_for("measure", o->level, sys->input, &mc.level)) return EXIT_USAGE;
    mc.level_given = true;
  }
  if (o->sweep && !sweep_for(o->sweep, sys->input, &mc)) return EXIT_USAGE;
  GsMeasurement m;
  if (gs_measure(sys, &mc, &cli_log, &m) != GS_OK) return EXIT_RUNTIME;
  int rc = EXIT_OK;
  if (o->json) {
    print_json(&m);
  } else {
    print_table(&m);
  }
  if (o->plot) {
    char text[512];
    snprintf(text, sizeof text, "gainstage measure: %s", title);
    if (gs_plot_measurement(&m, text, o->plot, &cli_log) != GS_OK) rc = EXIT_RUNTIME;
  }
  gs_measurement_clear(&m);
  return rc;
}

static int run_chain(const Options *o, GsSpec *spec) {
  GsChainConfig cc = {.rate = o->rate, .channels = 1, .seed = 1, .noise = true};
  GsChain *chain = NULL;
  if (gs_chain_new(spec, &cc, &cli_log, &chain) != GS_OK) return EXIT_USAGE;
  GsSystem sys;
  if (gs_system_for_chain(chain, &sys) != GS_OK) {
    cli_error("the chain must give one channel for one (a preamp's select merges inputs)");
    gs_chain_free(chain);
    return EXIT_USAGE;
  }
  int rc = run_system(o, &sys, o->preset ? o->preset : o->chain);
  gs_chain_free(chain);
  return rc;
}

/* --jack-out/--jack-in: the loop between two JACK ports. No server is a
 * runtime failure; a port that is not there, bad usage. */
static int run_jack(const Options *o) {
  GsLoopback *lb = NULL;
  GsStatus st = gs_loopback_new(o->jack_out, o->jack_in, &cli_log, &lb);
  if (st != GS_OK) return st == GS_ERR_BAD_VALUE ? EXIT_USAGE : EXIT_RUNTIME;
  int rc = check_freq(o, gs_loopback_rate(lb));
  if (rc == EXIT_OK) {
    GsSystem sys;
    gs_loopback_system(lb, &sys);
    char title[256];
    snprintf(title, sizeof title, "%s -> %s", o->jack_out, o->jack_in);
    rc = run_system(o, &sys, title);
  }
  gs_loopback_free(lb);
  return rc;
}

int cmd_measure(int argc, char **argv) {
  Options o;
  int rc = parse(argc, argv, &o);
  if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
  if (o.file) return measure_file(&o);
  if (o.jack_out) return run_jack(&o);
  GsSpec *spec = cli_load_spec("measure", o.chain, o.preset, &cli_log, &rc);
  if (!spec) return rc;
  rc = run_chain(&o, spec);
  gs_spec_free(spec);
  return rc;
}
