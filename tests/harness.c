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

double h_sine_gain(GsChain *c, double hz, double vpk, double rate) {
  size_t settle = (size_t)(0.5 * rate), window = (size_t)(0.25 * rate);
  size_t n = settle + window;
  float *in = malloc(n * sizeof(float)), *out = malloc(n * sizeof(float));
  assert_non_null(in);
  assert_non_null(out);
  for (size_t i = 0; i < n; i++) {
    in[i] = (float)(vpk * sin(2.0 * PI * hz * (double)i / rate));
  }
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

void h_spice_curve(const char *netlist, const char *data, HCurve *out) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "ngspice -b '%s' > 'ngspice_%s.log' 2>&1", netlist, data);
  remove(data);
  int rc = system(cmd);
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
