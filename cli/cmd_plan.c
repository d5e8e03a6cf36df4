/* gainstage plan: the level diagram of a chain. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gainstage/analyze.h"
#include "json.h"

static const char help[] =
    "Usage: gainstage plan (-c CHAIN | -p PRESET) [OPTIONS]\n"
    "\n"
    "The level diagram for a 1 kHz sine: at every node the nominal level,\n"
    "the level at which that stage clips and the headroom to it, the noise\n"
    "floor (20 Hz - 20 kHz) and the signal-to-noise ratio; watts into\n"
    "loads and speakers; warnings (phantom power, overpowered speakers,\n"
    "loads below an amplifier's minimum). Levels are dBu between analog\n"
    "stages, dBFS after an adc (a full-scale sine is 0 dBFS) and dB SPL\n"
    "after a speaker or cab, which also get their SPL at 1 m on axis and\n"
    "the distance their level is heard at.\n"
    "\n"
    "  -c, --chain TEXT    the chain\n"
    "  -p, --preset FILE   a preset file or name\n"
    "  -l, --level LEVEL   input level: -10dBu, 0.5Vrms, 1Vpk, -20dBV;\n"
    "                      -18dBFS when the chain starts digital, 94dBSPL\n"
    "                      when it starts with a mic (default: the first\n"
    "                      stage's nominal level)\n"
    "  -r, --rate HZ       sample rate (default 48000)\n"
    "      --json          one JSON object instead of a table\n"
    "      --plot FILE     draw the level diagram (.png or .svg)\n"
    "  -h, --help          this help\n";

static const char *unit_of(GsDomain d) {
  return gs_domain_info(d)->level_unit;
}

static void cell(char *buf, size_t n, double v, const char *fmt) {
  if (isfinite(v)) {
    snprintf(buf, n, fmt, v);
  } else {
    snprintf(buf, n, "-");
  }
}

static void print_table(const GsPlan *plan, double rate) {
  printf("Level plan at %.0f Hz for a 1 kHz sine at %.1f %s\n\n", rate, gs_plan_input_level(plan),
         unit_of(gs_plan_input_domain(plan)));
  printf(" %-2s %-10s %14s %10s %10s %10s %8s %16s\n", "#", "node", "level", "clip", "headroom",
         "noise", "SNR", "power");
  for (uint32_t i = 0; i < gs_plan_length(plan); i++) {
    const GsPlanNode *n = gs_plan_node(plan, i);
    char level[32], clip[32], head[32], noise[32], snr[32], power[40];
    snprintf(level, sizeof level, "%.1f %s", n->level, unit_of(n->domain));
    cell(clip, sizeof clip, n->clip, "%.1f");
    cell(head, sizeof head, n->headroom_db, "%.1f dB");
    cell(noise, sizeof noise, i == 0 ? NAN : n->noise, "%.1f");
    cell(snr, sizeof snr, i == 0 ? NAN : n->snr_db, "%.1f dB");
    if (isfinite(n->watts)) {
      snprintf(power, sizeof power, "%.3g W (%.3g at clip)", n->watts, n->watts_clip);
    } else {
      snprintf(power, sizeof power, "-");
    }
    printf(" %-2u %-10s %14s %10s %10s %10s %8s %16s\n", i, n->stage, level, clip, head, noise, snr,
           power);
  }
  for (uint32_t i = 0; i < gs_plan_length(plan); i++) {
    const GsPlanNode *n = gs_plan_node(plan, i);
    if (!isfinite(n->spl_1m) && !isfinite(n->distance)) continue;
    printf("\n %s:", n->stage);
    if (isfinite(n->spl_1m)) printf(" %.1f dB SPL at 1 m on axis,", n->spl_1m);
    printf(" %.1f dB SPL at %.3g m", n->level, n->distance);
    if (isfinite(n->watts_clip) && n->watts > 0.0) {
      printf(" (%.1f when the chain clips)", n->level + 10.0 * log10(n->watts_clip / n->watts));
    }
    printf("\n");
  }
  const char *w = gs_plan_warnings(plan);
  if (*w) {
    printf("\nwarnings:\n");
    for (const char *p = w; *p;) {
      const char *nl = strchr(p, '\n');
      int len = nl ? (int)(nl - p) : (int)strlen(p);
      printf("  %.*s\n", len, p);
      p += len + (nl != NULL);
    }
  }
}

static void print_json(const GsPlan *plan, double rate) {
  Json j;
  json_begin(&j, stdout);
  json_num(&j, "rate", rate);
  json_num(&j, "freq_hz", 1000.0);
  json_object(&j, "input");
  json_num(&j, "level", gs_plan_input_level(plan));
  json_str(&j, "unit", unit_of(gs_plan_input_domain(plan)));
  json_close(&j);
  json_array(&j, "nodes");
  for (uint32_t i = 1; i < gs_plan_length(plan); i++) {
    const GsPlanNode *n = gs_plan_node(plan, i);
    json_object(&j, NULL);
    json_num(&j, "index", i);
    json_str(&j, "stage", n->stage);
    json_str(&j, "unit", unit_of(n->domain));
    json_num(&j, "level", n->level);
    json_num(&j, "vrms", n->vrms);
    json_num(&j, "clip", n->clip);
    json_num(&j, "headroom_db", n->headroom_db);
    json_num(&j, "noise", n->noise);
    json_num(&j, "snr_db", n->snr_db);
    json_num(&j, "watts", n->watts);
    json_num(&j, "watts_clip", n->watts_clip);
    json_num(&j, "spl_1m", n->spl_1m);
    json_num(&j, "distance_m", n->distance);
    json_close(&j);
  }
  json_close(&j);
  json_array(&j, "warnings");
  const char *w = gs_plan_warnings(plan);
  for (const char *p = w; *p;) {
    const char *nl = strchr(p, '\n');
    char line[512];
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (len >= sizeof line) len = sizeof line - 1;
    memcpy(line, p, len);
    line[len] = '\0';
    json_str(&j, NULL, line);
    p += len + (nl != NULL);
  }
  json_close(&j);
  json_end(&j);
}

int cmd_plan(int argc, char **argv) {
  static const struct option longopts[] = {
      {"chain", required_argument, NULL, 'c'}, {"preset", required_argument, NULL, 'p'},
      {"level", required_argument, NULL, 'l'}, {"rate", required_argument, NULL, 'r'},
      {"json", no_argument, NULL, 'j'},        {"plot", required_argument, NULL, 'P'},
      {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
  const char *chain = NULL, *preset = NULL, *level = NULL, *plot = NULL;
  double rate = 48000.0;
  bool json = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":c:p:l:r:h", longopts, NULL)) != -1) {
    switch (c) {
      case 'c': chain = optarg; break;
      case 'p': preset = optarg; break;
      case 'l': level = optarg; break;
      case 'r':
        if (!cli_parse_hz(optarg, &rate) || rate < 8000 || rate > 384000 || rate != floor(rate)) {
          return cli_usage_error("plan", "--rate takes 8000 to 384000 Hz, not '%s'", optarg);
        }
        break;
      case 'j': json = true; break;
      case 'P':
        plot = optarg;
        if (!cli_plot_path_ok("plan", plot)) return EXIT_USAGE;
        break;
      case 'h': fputs(help, stdout); return EXIT_OK;
      case ':': return cli_usage_error("plan", "%s needs a value", argv[optind - 1]);
      default: return cli_usage_error("plan", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc) return cli_usage_error("plan", "unexpected '%s'", argv[optind]);
  int rc;
  GsSpec *spec = cli_load_spec("plan", chain, preset, &cli_log, &rc);
  if (!spec) return rc;
  GsPlanConfig pc = {.rate = rate};
  if (level) {
    if (!cli_level_for("plan", level, gs_spec_stage(spec, 0)->input, &pc.level)) {
      gs_spec_free(spec);
      return EXIT_USAGE;
    }
    pc.level_given = true;
  }
  GsPlan *plan = NULL;
  GsStatus s = gs_plan_new(spec, &pc, &cli_log, &plan);
  gs_spec_free(spec);
  if (s != GS_OK) return s == GS_ERR_NOMEM ? EXIT_RUNTIME : EXIT_USAGE;
  if (json) {
    print_json(plan, rate);
  } else {
    print_table(plan, rate);
  }
  int status = EXIT_OK;
  if (plot) {
    char title[256];
    snprintf(title, sizeof title, "gainstage plan: %s", preset ? preset : chain);
    if (gs_plot_plan(plan, title, plot, &cli_log) != GS_OK) status = EXIT_RUNTIME;
  }
  gs_plan_free(plan);
  return status;
}
