#include "harness.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_log(void *handle, GsLogLevel level, const char *msg) {
  (void)handle;
  fprintf(stderr, "[%s] %s\n", level == GS_LOG_ERROR ? "error" : "warning", msg);
}

GsChain *h_chain(const char *text, double rate, uint32_t channels, bool noise) {
  GsLog log = {print_log, NULL};
  GsSpec *spec = NULL;
  assert_int_equal(gs_spec_parse(text, &log, &spec), GS_OK);
  GsChainConfig cfg = {.rate = rate, .channels = channels, .seed = 1, .noise = noise};
  GsChain *c = NULL;
  assert_int_equal(gs_chain_new(spec, &cfg, &log, &c), GS_OK);
  gs_spec_free(spec);
  return c;
}

void h_run(GsChain *c, const float *in, float *out, size_t n, size_t block) {
  if (block == 0) block = n;
  for (size_t pos = 0; pos < n; pos += block) {
    size_t len = n - pos < block ? n - pos : block;
    const float *ins[1] = {in + pos};
    float *outs[1] = {out + pos};
    gs_chain_process(c, ins, outs, (uint32_t)len);
  }
}

/* Solve the 3x3 normal equations of x ~ a sin + b cos + c. */
double h_sine_amplitude(const float *x, size_t n, double hz, double rate, double *phase) {
  double M[3][3] = {{0}}, v[3] = {0};
  for (size_t i = 0; i < n; i++) {
    double w = 2.0 * PI * hz * (double)i / rate;
    double f[3] = {sin(w), cos(w), 1.0};
    for (int r = 0; r < 3; r++) {
      v[r] += f[r] * x[i];
      for (int k = 0; k < 3; k++) M[r][k] += f[r] * f[k];
    }
  }
  for (int col = 0; col < 3; col++) {
    for (int r = col + 1; r < 3; r++) {
      double m = M[r][col] / M[col][col];
      for (int k = col; k < 3; k++) M[r][k] -= m * M[col][k];
      v[r] -= m * v[col];
    }
  }
  double s[3];
  for (int r = 2; r >= 0; r--) {
    double acc = v[r];
    for (int k = r + 1; k < 3; k++) acc -= M[r][k] * s[k];
    s[r] = acc / M[r][r];
  }
  if (phase) *phase = atan2(s[1], s[0]);
  return hypot(s[0], s[1]);
}

float *h_sine(size_t n, double vpk, double hz, double rate) {
  float *x = malloc(n * sizeof(float));
  assert_non_null(x);
  for (size_t i = 0; i < n; i++) x[i] = (float)(vpk * sin(2.0 * PI * hz * (double)i / rate));
  return x;
}

double h_sine_gain(GsChain *c, double hz, double vpk, double rate) {
  size_t settle = (size_t)(0.5 * rate), window = (size_t)(0.25 * rate);
  size_t n = settle + window;
  float *in = h_sine(n, vpk, hz, rate), *out = malloc(n * sizeof(float));
  assert_non_null(out);
  gs_chain_reset(c);
  h_run(c, in, out, n, 256);
  double a_in = h_sine_amplitude(in + settle, window, hz, rate, NULL);
  double a_out = h_sine_amplitude(out + settle, window, hz, rate, NULL);
  free(in);
  free(out);
  return a_out / a_in;
}

float *h_impulse_response(GsChain *c, size_t n, double scale) {
  float *in = calloc(n, sizeof(float)), *out = calloc(n, sizeof(float));
  assert_non_null(in);
  assert_non_null(out);
  in[0] = (float)scale;
  gs_chain_reset(c);
  h_run(c, in, out, n, 512);
  free(in);
  return out;
}

double h_response_db(const float *ir, size_t n, double scale, double hz, double rate) {
  double complex acc = 0.0;
  double w = 2.0 * PI * hz / rate;
  for (size_t i = 0; i < n; i++) acc += ir[i] * cexp(-I * w * (double)i);
  return 20.0 * log10(cabs(acc) / scale);
}

double h_rms(const float *x, size_t n) {
  double acc = 0.0;
  for (size_t i = 0; i < n; i++) acc += (double)x[i] * x[i];
  return sqrt(acc / (double)n);
}

double h_peak(const float *x, size_t n) {
  double p = 0;
  for (size_t i = 0; i < n; i++) p = fmax(p, fabs(x[i]));
  return p;
}

bool h_all_finite(const float *x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) return false;
  }
  return true;
}

double h_normal_peak(GsDomain domain) {
  return domain == GS_DOMAIN_DIGITAL ? 0.25 : domain == GS_DOMAIN_ACOUSTIC ? 1.0 : 0.3;
}

double h_full_scale(GsDomain domain) {
  return domain == GS_DOMAIN_DIGITAL ? 1.0 : domain == GS_DOMAIN_ACOUSTIC ? 100.0 : 10.0;
}

const char *const h_variant_chains[] = {
    "preamp voicing=tube stages=2 gain=50",
    "preamp voicing=tube stages=4 gain=70",
    "poweramp type=tube tube=EL34 watts=50",
    "poweramp type=tube tube=EL84 topology=single-ended watts=10",
    "poweramp type=tube tube=6L6GC sag=1000 watts=50",
    "preamp voicing=solid-state gain=60",
    "preamp voicing=digital gain=40",
    "source type=phono ! preamp input=phono",
    "cab model=closed-4x12",
    "cab model=open-1x12 ! mic",
    "poweramp type=class-d watts=500 load=4 ! speaker",
};
const size_t h_n_variant_chains = sizeof h_variant_chains / sizeof h_variant_chains[0];

double h_db(double ratio) {
  return 20.0 * log10(ratio);
}

void h_accuracy(const char *model, const char *figure, double value, double bound,
                const char *unit) {
  printf("ACCURACY | %s | %s | %.4g %s | %.4g %s\n", model, figure, value, unit, bound, unit);
}

static void collect(void *handle, GsLogLevel level, const char *msg) {
  HLog *log = handle;
  size_t used = strlen(log->text);
  snprintf(log->text + used, sizeof log->text - used, "%s\n", msg);
  if (level == GS_LOG_ERROR) log->errors++;
  if (level == GS_LOG_WARNING) log->warnings++;
}

GsLog h_log_sink(HLog *log) {
  memset(log, 0, sizeof *log);
  GsLog sink = {collect, log};
  return sink;
}

/* FNV-1a of a file's bytes; 0 if it cannot be read. */
static uint64_t file_hash(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  uint64_t h = 0xcbf29ce484222325u;
  int ch;
  while ((ch = fgetc(f)) != EOF) h = (h ^ (uint64_t)ch) * 0x100000001b3u;
  fclose(f);
  return h;
}

/* Copies what the netlist's `wrdata FILE` lines name between the working
 * directory and dir (to_cache: into dir; dir NULL: removes them from the
 * working directory); 0 when every file copied. */
static int copy_wrdata(const char *netlist, const char *dir, bool to_cache) {
  FILE *f = fopen(netlist, "r");
  if (!f) return -1;
  char line[4096], name[1024], cmd[4096];
  int rc = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, " wrdata %1023s", name) != 1) continue;
    if (!dir) {
      remove(name);
      continue;
    }
    if (to_cache) {
      snprintf(cmd, sizeof cmd, "cp '%s' '%s/'", name, dir);
    } else {
      snprintf(cmd, sizeof cmd, "cp '%s/%s' .", dir, name);
    }
    if (system(cmd) != 0) rc = -1;
  }
  fclose(f);
  return rc;
}

int h_ngspice(const char *netlist, const char *log) {
  const char *cache = getenv("GS_SPICE_CACHE");
  char dir[2048] = "", cmd[4096];
  if (cache && *cache) {
    snprintf(dir, sizeof dir, "%s/%016llx", cache, (unsigned long long)file_hash(netlist));
    snprintf(cmd, sizeof cmd, "%s/complete", dir);
    FILE *done = fopen(cmd, "r");
    if (done) {
      fclose(done);
      if (copy_wrdata(netlist, dir, false) == 0) return 0;
    }
  }
  /* ngspice -b exits 1 when the deck's analyses all sit in a .control
   * block ("no simulations run"), so the outputs it writes, fresh, are
   * what decides whether the run is worth keeping */
  copy_wrdata(netlist, NULL, false);
  snprintf(cmd, sizeof cmd, "ngspice -b '%s' > '%s' 2>&1", netlist, log);
  int rc = system(cmd);
  if (!dir[0]) return rc;
  snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/'", dir, netlist, dir);
  if (system(cmd) == 0 && copy_wrdata(netlist, dir, true) == 0) {
    snprintf(cmd, sizeof cmd, "touch '%s/complete'", dir);
    if (system(cmd) != 0) return rc; /* no cache: not an error */
  }
  return rc;
}

void h_spice_curve(const char *netlist, const char *data, HCurve *out) {
  char log[1024];
  snprintf(log, sizeof log, "ngspice_%s.log", data);
  remove(data);
  int rc = h_ngspice(netlist, log);
  if (rc != 0)
    fail_msg("ngspice failed (%d) on %s: is it installed? see ngspice_%s.log", rc, netlist, data);
  FILE *f = fopen(data, "r");
  if (!f) fail_msg("ngspice wrote no %s (netlist %s)", data, netlist);
  int cap = 1024;
  out->x = malloc(cap * sizeof(double));
  out->y = malloc(cap * sizeof(double));
  out->n = 0;
  double x, y;
  while (fscanf(f, "%lf %lf", &x, &y) == 2) {
    if (out->n == cap) {
      cap *= 2;
      out->x = realloc(out->x, cap * sizeof(double));
      out->y = realloc(out->y, cap * sizeof(double));
    }
    out->x[out->n] = x;
    out->y[out->n] = y;
    out->n++;
  }
  fclose(f);
  if (out->n < 100) fail_msg("%s: only %d points", data, out->n);
}

double h_curve_at(const HCurve *c, double x) {
  for (int i = 1; i < c->n; i++) {
    if (c->x[i] >= x) {
      double t = (x - c->x[i - 1]) / (c->x[i] - c->x[i - 1]);
      return c->y[i - 1] + t * (c->y[i] - c->y[i - 1]);
    }
  }
  return NAN;
}

void h_curve_free(HCurve *c) {
  free(c->x);
  free(c->y);
  c->x = c->y = NULL;
  c->n = 0;
}
