/* Writes the LV2 bundle's Turtle from the plugin table and the library's
 * parameter tables, at build time: manifest.ttl, gainstage.ttl (plugins,
 * ports with ranges, defaults, units, scale points) and presets.ttl (every
 * preset in presets/ whose chain is a plugin's).
 * Usage: gainstage-ttl OUT_DIR PRESETS_DIR BINARY */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins.h"

#define LV2 "http://lv2plug.in/ns/"

static const char prefixes[] = "@prefix atom: <" LV2
                               "ext/atom#> .\n"
                               "@prefix doap: <http://usefulinc.com/ns/doap#> .\n"
                               "@prefix log: <" LV2
                               "ext/log#> .\n"
                               "@prefix lv2: <" LV2
                               "lv2core#> .\n"
                               "@prefix patch: <" LV2
                               "ext/patch#> .\n"
                               "@prefix pprops: <" LV2
                               "ext/port-props#> .\n"
                               "@prefix pset: <" LV2
                               "ext/presets#> .\n"
                               "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                               "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                               "@prefix state: <" LV2
                               "ext/state#> .\n"
                               "@prefix units: <" LV2
                               "extensions/units#> .\n"
                               "@prefix urid: <" LV2
                               "ext/urid#> .\n"
                               "@prefix work: <" LV2
                               "ext/worker#> .\n"
                               "@prefix gsu: <" GS_LV2_URI ":unit#> .\n\n";

/* Units the LV2 units extension lacks, as units:Unit resources. */
typedef struct {
  GsUnit unit;
  const char *uri, *label, *symbol;
} Unit;

static const Unit units[] = {
    {GS_UNIT_DB, "units:db", NULL, NULL},
    {GS_UNIT_HZ, "units:hz", NULL, NULL},
    {GS_UNIT_SECOND, "units:s", NULL, NULL},
    {GS_UNIT_METRE, "units:m", NULL, NULL},
    {GS_UNIT_MILLIMETRE, "units:mm", NULL, NULL},
    {GS_UNIT_CM2, "gsu:cm2", "square centimetre", "cm²"},
    {GS_UNIT_DEGREE, "units:degree", NULL, NULL},
    {GS_UNIT_DBU, "gsu:dBu", "decibels re 0.775 V", "dBu"},
    {GS_UNIT_DB_SPL, "gsu:dBSPL", "decibels sound pressure level", "dB SPL"},
    {GS_UNIT_OHM, "gsu:ohm", "ohm", "Ω"},
    {GS_UNIT_FARAD, "gsu:pF", "picofarad", "pF"},
    {GS_UNIT_HENRY, "gsu:mH", "millihenry", "mH"},
    {GS_UNIT_VOLT_PEAK, "gsu:Vpk", "volts peak", "Vpk"},
    {GS_UNIT_VOLT_RMS, "gsu:Vrms", "volts rms", "Vrms"},
    {GS_UNIT_WATT, "gsu:W", "watt", "W"},
    {GS_UNIT_BITS, "gsu:bits", "bits", "bits"},
    {GS_UNIT_MV_PER_PA, "gsu:mVPa", "millivolts per pascal", "mV/Pa"},
    {GS_UNIT_LITRE, "gsu:L", "litre", "L"},
    {GS_UNIT_VOLT, "gsu:V", "volt", "V"},
};

static const Unit *unit_of(GsUnit u) {
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (units[i].unit == u) return &units[i];
  }
  return NULL;
}

/* A Turtle double: always with a point or an exponent. */
static void number(FILE *f, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.9g", v);
  fprintf(f, "%s%s", buf, strpbrk(buf, ".e") ? "" : ".0");
}

static void string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static FILE *open_out(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  return f;
}

/* ---------------------------------------------------------------- ports */

static void port_properties(FILE *f, const GsParamInfo *p) {
  const char *props[4];
  int n = 0;
  if (p->type == GS_PARAM_TOGGLE) props[n++] = "lv2:toggled";
  if (p->type == GS_PARAM_INT || p->type == GS_PARAM_CHOICE) props[n++] = "lv2:integer";
  if (p->type == GS_PARAM_CHOICE) props[n++] = "lv2:enumeration";
  if ((p->flags & GS_PARAM_LOG) && !p->zero) props[n++] = "pprops:logarithmic";
  if (p->flags & GS_PARAM_FIXED) props[n++] = "pprops:expensive";
  for (int i = 0; i < n; i++) fprintf(f, "%s%s", i ? " , " : " ;\n    lv2:portProperty ", props[i]);
}

static void scale_points(FILE *f, const GsParamInfo *p) {
  int n = 0;
  for (int i = 0; p->type == GS_PARAM_CHOICE && p->choices && p->choices[i]; i++, n++) {
    fprintf(f, "%s[ rdfs:label ", n ? " , " : " ;\n    lv2:scalePoint ");
    string(f, p->choices[i]);
    fprintf(f, " ; rdf:value %d.0 ]", i);
  }
  if (p->zero) {
    fprintf(f, "%s[ rdfs:label ", n ? " , " : " ;\n    lv2:scalePoint ");
    string(f, p->zero);
    fprintf(f, " ; rdf:value 0.0 ]");
  }
}

static void control_port(FILE *f, const GsLv2Plugin *pl, const GsLv2Port *port, uint32_t index,
                         double def) {
  const GsLv2Slot *slot = &pl->slots[port->slot];
  const GsParamInfo *p = port->info;
  fprintf(f, " , [\n    a lv2:InputPort , lv2:ControlPort ;\n    lv2:index %u ;\n", index);
  fprintf(f, "    lv2:symbol \"%s_%s\" ;\n    lv2:name ", slot->symbol, p->name);
  char name[256];
  int len = snprintf(name, sizeof name, "%s %s", slot->label, p->name);
  for (int i = len - (int)strlen(p->name); i >= 0 && i < len && name[i]; i++) {
    if (name[i] == '_') name[i] = ' ';
  }
  string(f, name);
  fprintf(f, " ;\n    rdfs:comment ");
  string(f, p->help);
  double lo = p->zero ? 0.0 : p->min / port->scale, hi = p->max / port->scale;
  fprintf(f, " ;\n    lv2:default ");
  number(f, def / port->scale);
  fprintf(f, " ;\n    lv2:minimum ");
  number(f, lo);
  fprintf(f, " ;\n    lv2:maximum ");
  number(f, hi);
  const Unit *u = unit_of(p->unit);
  if (u) fprintf(f, " ;\n    units:unit %s", u->uri);
  port_properties(f, p);
  scale_points(f, p);
  fprintf(f, "\n  ]");
}

static void audio_and_atom_ports(FILE *f, const GsLv2Plugin *pl) {
  fprintf(f,
          "  lv2:port [\n    a lv2:InputPort , lv2:AudioPort ;\n    lv2:index 0 ;\n"
          "    lv2:symbol \"in\" ;\n    lv2:name \"In\"\n  ] , [\n"
          "    a lv2:OutputPort , lv2:AudioPort ;\n    lv2:index 1 ;\n"
          "    lv2:symbol \"out\" ;\n    lv2:name \"Out\"\n  ]");
  if (!pl->takes_ir) return;
  fprintf(f,
          " , [\n    a lv2:InputPort , atom:AtomPort ;\n    atom:bufferType atom:Sequence ;\n"
          "    atom:supports patch:Message ;\n    lv2:designation lv2:control ;\n"
          "    lv2:index 2 ;\n    lv2:symbol \"control\" ;\n    lv2:name \"Control\"\n  ] , [\n"
          "    a lv2:OutputPort , atom:AtomPort ;\n    atom:bufferType atom:Sequence ;\n"
          "    atom:supports patch:Message ;\n    lv2:designation lv2:control ;\n"
          "    lv2:index 3 ;\n    lv2:symbol \"notify\" ;\n    lv2:name \"Notify\"\n  ]");
}

/* The chain's latency in frames (oversampled tube stages have some), for
 * hosts to compensate. lv2:reportsLatency for older hosts. */
static void latency_port(FILE *f, uint32_t index) {
  fprintf(f,
          " , [\n    a lv2:OutputPort , lv2:ControlPort ;\n    lv2:index %u ;\n"
          "    lv2:symbol \"latency\" ;\n    lv2:name \"Latency\" ;\n"
          "    rdfs:comment \"the delay of the output, in frames\" ;\n"
          "    lv2:designation lv2:latency ;\n"
          "    lv2:portProperty lv2:reportsLatency , lv2:integer , pprops:notOnGUI ;\n"
          "    lv2:minimum 0.0 ;\n    lv2:maximum 8192.0 ;\n    units:unit units:frame\n  ]",
          index);
}

/* -------------------------------------------------------------- plugins */

static void plugin(FILE *f, const GsLv2Plugin *pl) {
  fprintf(f, "<%s:%s>\n  a lv2:Plugin , lv2:%s ;\n  doap:name ", GS_LV2_URI, pl->id, pl->klass);
  string(f, pl->name);
  fprintf(f, " ;\n  doap:license <https://opensource.org/licenses/ISC> ;\n  rdfs:comment ");
  string(f, pl->comment);
  fprintf(f,
          " ;\n  lv2:optionalFeature lv2:hardRTCapable , urid:map , work:schedule , log:log ;\n"
          "  lv2:extensionData work:interface , state:interface ;\n");
  if (pl->takes_ir) fprintf(f, "  patch:writable <%s> ;\n", GS_LV2_IR_URI);
  audio_and_atom_ports(f, pl);
  uint32_t slot_stage[16];
  GsSpec *spec = gs_lv2_spec(pl, GS_SLOT_MODEL, slot_stage);
  if (!spec) {
    fprintf(stderr, "plugin %s: its chain does not parse\n", pl->id);
    exit(1);
  }
  GsLv2Port ports[GS_LV2_MAX_PORTS];
  uint32_t n = gs_lv2_ports(pl, ports, GS_LV2_MAX_PORTS), first = gs_lv2_first_control(pl);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t stage = slot_stage[ports[i].slot];
    double def =
        stage == UINT32_MAX ? ports[i].info->def : gs_spec_value(spec, stage, ports[i].param);
    control_port(f, pl, &ports[i], first + i, def);
  }
  latency_port(f, first + n);
  gs_spec_free(spec);
  fprintf(f, " .\n\n");
}

/* Every plugin's chain builds (its latency goes out through its latency
 * port at run time). */
static void check_chain(const GsLv2Plugin *pl) {
  GsSpec *spec = gs_lv2_spec(pl, GS_SLOT_MODEL, NULL);
  GsChainConfig cfg = {.rate = 48000, .channels = 1, .seed = 1};
  GsChain *chain = NULL;
  if (!spec || gs_chain_new(spec, &cfg, NULL, &chain) != GS_OK) {
    fprintf(stderr, "plugin %s: its chain cannot be built\n", pl->id);
    exit(1);
  }
  gs_chain_free(chain);
  gs_spec_free(spec);
}

static void plugins_ttl(const char *dir) {
  FILE *f = open_out(dir, "gainstage.ttl");
  fputs(prefixes, f);
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (!units[i].label) continue;
    fprintf(f, "%s\n  a units:Unit ;\n  rdfs:label \"%s\" ;\n  units:symbol \"%s\" ;\n",
            units[i].uri, units[i].label, units[i].symbol);
    fprintf(f, "  units:render \"%%f %s\" .\n\n", units[i].symbol);
  }
  fprintf(f, "<%s>\n  a lv2:Parameter ;\n  rdfs:label \"Impulse response file\" ;\n",
          GS_LV2_IR_URI);
  fprintf(f, "  rdfs:range atom:Path .\n\n");
  for (uint32_t i = 0; i < gs_lv2_n_plugins; i++) {
    check_chain(&gs_lv2_plugins[i]);
    plugin(f, &gs_lv2_plugins[i]);
  }
  fclose(f);
}

/* -------------------------------------------------------------- presets */

/* The preset's values as port values of the plugin, or false if its
 * chain is not the plugin's or it changes something the plugin fixes. */
static bool preset_values(const GsLv2Plugin *pl, const GsSpec *preset, double *values) {
  uint32_t slot_stage[16];
  GsSpec *tmpl = gs_lv2_spec(pl, GS_SLOT_MODEL, slot_stage);
  bool ok = tmpl && gs_spec_length(tmpl) == gs_spec_length(preset);
  for (uint32_t s = 0; ok && s < gs_spec_length(tmpl); s++) {
    ok = gs_spec_stage(tmpl, s) == gs_spec_stage(preset, s);
  }
  GsLv2Port ports[GS_LV2_MAX_PORTS];
  uint32_t n = gs_lv2_ports(pl, ports, GS_LV2_MAX_PORTS);
  for (uint32_t s = 0; ok && s < pl->n_slots; s++) {
    const GsStageInfo *info = gs_spec_stage(tmpl, slot_stage[s]);
    for (uint32_t k = 0; ok && k < info->n_params; k++) {
      double v = gs_spec_value(preset, slot_stage[s], k);
      bool exposed = false;
      for (uint32_t i = 0; i < n; i++) {
        if (ports[i].slot == s && ports[i].param == k) {
          values[i] = v / ports[i].scale;
          exposed = true;
        }
      }
      ok = exposed || v == gs_spec_value(tmpl, slot_stage[s], k);
    }
  }
  gs_spec_free(tmpl);
  return ok;
}

static void preset(FILE *pf, FILE *mf, const GsLv2Plugin *pl, const char *name, const GsSpec *sp) {
  double values[GS_LV2_MAX_PORTS];
  if (!preset_values(pl, sp, values)) return;
  GsLv2Port ports[GS_LV2_MAX_PORTS];
  uint32_t n = gs_lv2_ports(pl, ports, GS_LV2_MAX_PORTS);
  fprintf(mf, "<%s:%s#%s>\n  a pset:Preset ;\n  lv2:appliesTo <%s:%s> ;\n", GS_LV2_URI, pl->id,
          name, GS_LV2_URI, pl->id);
  fprintf(mf, "  rdfs:seeAlso <presets.ttl> .\n\n");
  fprintf(pf, "<%s:%s#%s>\n  a pset:Preset ;\n  lv2:appliesTo <%s:%s> ;\n  rdfs:label ", GS_LV2_URI,
          pl->id, name, GS_LV2_URI, pl->id);
  string(pf, name);
  for (uint32_t i = 0; i < n; i++) {
    fprintf(pf, "%s[ lv2:symbol \"%s_%s\" ; pset:value ", i ? " , " : " ;\n  lv2:port ",
            pl->slots[ports[i].slot].symbol, ports[i].info->name);
    number(pf, values[i]);
    fprintf(pf, " ]");
  }
  fprintf(pf, " .\n\n");
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static void presets(FILE *pf, FILE *mf, const char *dir) {
  struct dirent **list;
  int n = scandir(dir, &list, NULL, by_name);
  for (int i = 0; i < n; i++) {
    const char *dot = strrchr(list[i]->d_name, '.');
    if (dot && strcmp(dot, ".preset") == 0) {
      char path[4096], name[256];
      snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
      snprintf(name, sizeof name, "%.*s", (int)(dot - list[i]->d_name), list[i]->d_name);
      GsSpec *sp = NULL;
      if (gs_spec_load(path, NULL, &sp) == GS_OK) {
        for (uint32_t k = 0; k < gs_lv2_n_plugins; k++)
          preset(pf, mf, &gs_lv2_plugins[k], name, sp);
      }
      gs_spec_free(sp);
    }
    free(list[i]);
  }
  if (n >= 0) free(list);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: gainstage-ttl OUT_DIR PRESETS_DIR BINARY\n");
    return 2;
  }
  plugins_ttl(argv[1]);
  FILE *mf = open_out(argv[1], "manifest.ttl"), *pf = open_out(argv[1], "presets.ttl");
  fputs(prefixes, mf);
  fputs(prefixes, pf);
  for (uint32_t i = 0; i < gs_lv2_n_plugins; i++) {
    fprintf(mf,
            "<%s:%s>\n  a lv2:Plugin ;\n  lv2:binary <%s> ;\n  rdfs:seeAlso <gainstage.ttl> .\n\n",
            GS_LV2_URI, gs_lv2_plugins[i].id, argv[3]);
  }
  presets(pf, mf, argv[2]);
  fclose(mf);
  fclose(pf);
  return 0;
}
