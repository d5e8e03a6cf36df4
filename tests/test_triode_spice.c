/* The triode stage against ngspice. For three circuits (the 12AX7
 * stage, an unbypassed 12AX7, a 12AU7) and two of the first in cascade,
 * this test writes a netlist with the tube as behavioural sources (Koren's
 * equations and the grid-current law of src/dsp/dk.c, nothing else
 * shared), runs ngspice (operating point, AC at 1 kHz, transients at six
 * levels), and compares at 48 and 96 kHz, with linear- and minimum-phase
 * oversampling filters: plate and cathode voltages
 * within 1 %, the 1 kHz gain within 0.1 dB, H2-H5 within 0.5 dB wherever
 * SPICE puts them above -60 dBc, for a sine that starts on a sample and
 * for sines that start 1/8 ... 7/8 of the circuit's (oversampled) sample
 * later: what a circuit's own harmonics above its Nyquist frequency fold
 * onto depends on where the samples fall (docs/models.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dsp/tube_circuits.h"
#include "dsp/tube_runner.h"
#include "harness.h"

#define KNEE 0.02 /* the grid diode's knee, as dk.c */
#define SETTLE 0.26
#define WINDOW 0.01
#define N_LEVELS 6
/* The sine starts j / N_PHASES of a circuit's sample late (j < N_PHASES);
 * whole samples late it would be the same wave, shifted, as the period is
 * a whole number of them. */
#define N_PHASES 8
static const double levels[N_LEVELS] = {0.05, 0.2, 0.5, 1.0, 2.0, 4.0};

typedef struct {
  const char *name, *tube;
  int stages;
  GsTriodeStage v;
} Circuit;

static const Circuit circuits[] = {
    {"12AX7, Rk bypassed", "12AX7", 1, {NULL, 250, 100e3, 1.5e3, 68e3, 1e6, 1e6, 22e-6, 22e-9}},
    {"12AX7, unbypassed", "12AX7", 1, {NULL, 300, 100e3, 2.7e3, 33e3, 1e6, 470e3, 0, 47e-9}},
    {"12AU7, Rk bypassed", "12AU7", 1, {NULL, 250, 22e3, 1e3, 10e3, 1e6, 220e3, 10e-6, 100e-9}},
    {"two 12AX7 stages", "12AX7", 2, {NULL, 250, 100e3, 1.5e3, 68e3, 1e6, 1e6, 22e-6, 22e-9}},
};
#define N_CIRCUITS (sizeof circuits / sizeof circuits[0])

/* ------------------------------------------------------------- ngspice */

static void netlist_stage(FILE *f, const Circuit *c, int k, const char *in, bool last) {
  const GsTriodeStage *v = &c->v;
  fprintf(f, "Rg%d %s 0 %g\nRs%d %s g%d %g\n", k, in, v->rg, k, in, k, v->rs > 0 ? v->rs : 1e-3);
  fprintf(f, "Ra%d bp p%d %g\nRk%d k%d 0 %g\n", k, k, v->ra, k, k, v->rk);
  if (v->ck > 0) fprintf(f, "Ck%d k%d 0 %g\n", k, k, v->ck);
  fprintf(f, "Co%d p%d o%d %g\n", k, k, k, v->cout);
  if (last) fprintf(f, "Rl%d o%d 0 %g\n", k, k, v->rl);
  /* Koren's plate current and the grid diode, as behavioural sources */
  fprintf(f,
          "Bp%d p%d k%d I = (v(p%d,k%d) > 0) ? 2*pwr(v(p%d,k%d)/kp*ln(1+exp(kp*(1/mu+v(g%d,k%d)"
          "/sqrt(kvb+v(p%d,k%d)*v(p%d,k%d))))),ex)/kg1 : 0\n",
          k, k, k, k, k, k, k, k, k, k, k, k, k);
  fprintf(f,
          "Bg%d g%d k%d I = (v(g%d,k%d) > 0) ? (v(g%d,k%d)+knee*ln(1+exp(-v(g%d,k%d)/knee)))/rgi"
          " : knee*ln(1+exp(v(g%d,k%d)/knee))/rgi\n",
          k, k, k, k, k, k, k, k, k, k, k);
}

static void write_netlist(const Circuit *c, int index) {
  const GsTriodeModel *m = gs_triode_model(c->tube);
  char path[64];
  snprintf(path, sizeof path, "triode%d.cir", index);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "* %s (written by test_triode_spice)\n", c->name);
  fprintf(f, ".param mu=%g ex=%g kg1=%g kp=%g kvb=%g rgi=%g knee=%g\n", m->mu, m->ex, m->kg1, m->kp,
          m->kvb, m->rgi, KNEE);
  fprintf(f, "Vbp bp 0 %g\nVin x 0 dc 0 ac 1 sin(0 0.05 1k)\n", c->v.bplus);
  char in[16] = "x";
  for (int k = 1; k <= c->stages; k++) {
    netlist_stage(f, c, k, in, k == c->stages);
    snprintf(in, sizeof in, "o%d", k);
  }
  fprintf(f, ".options reltol=1e-6\n.control\nop\n");
  fprintf(f, "wrdata triode%d_op.txt v(p1) v(k1)\nac lin 1 1000 1000\n", index);
  fprintf(f, "wrdata triode%d_ac.txt vdb(%s)\n", index, in);
  /* steps of at most 2 us: the harmonics move by 0.012 dB at most from
   * steps of 1 us (0.5 us: the same to 0.002), at half the time */
  for (int l = 0; l < N_LEVELS; l++) {
    fprintf(f, "alter @vin[sin] = [ 0 %g 1k ]\ntran 1u %g %g 2u\nlinearize v(%s)\n", levels[l],
            SETTLE + WINDOW, SETTLE, in);
    fprintf(f, "wrdata triode%d_tr%d.txt v(%s)\n", index, l, in);
  }
  fprintf(f, ".endc\n.end\n");
  fclose(f);
}

/* All the netlists through ngspice, two at a time (the machine's cores). */
static void run_ngspice(void) {
  pid_t running[N_CIRCUITS];
  for (size_t i = 0; i < N_CIRCUITS; i++) {
    write_netlist(&circuits[i], (int)i);
    if (i >= 2) waitpid(running[i - 2], NULL, 0);
    running[i] = fork();
    if (running[i] == 0) {
      char cir[64], log[64];
      snprintf(cir, sizeof cir, "triode%zu.cir", i);
      snprintf(log, sizeof log, "ngspice_triode%zu.log", i);
      _exit(h_ngspice(cir, log) == 0 ? 0 : 1);
    }
  }
  for (size_t i = N_CIRCUITS >= 2 ? N_CIRCUITS - 2 : 0; i < N_CIRCUITS; i++) {
    int st;
    waitpid(running[i], &st, 0);
  }
}

/* Columns `col` of every row of a wrdata file. */
static int read_column(const char *path, int col, double *out, int max) {
  FILE *f = fopen(path, "r");
  if (!f) fail_msg("ngspice wrote no %s (see ngspice_triode*.log)", path);
  int n = 0;
  char line[4096];
  while (n < max && fgets(line, sizeof line, f)) {
    char *p = line;
    double v = NAN;
    for (int c = 0; c <= col; c++) v = strtod(p, &p);
    if (isfinite(v)) out[n++] = v;
  }
  fclose(f);
  return n;
}

/* H1..H5 of a 1 kHz wave sampled every `dt`, by least squares. */
static void harmonics(const double *x, int n, double dt, double *h) {
  for (int k = 1; k <= 5; k++) {
    double c = 0, s = 0, cc = 0, ss = 0, cs = 0;
    for (int i = 0; i < n; i++) {
      double w = 2 * PI * 1000.0 * k * i * dt, a = cos(w), b = sin(w);
      c += x[i] * a, s += x[i] * b, cc += a * a, ss += b * b, cs += a * b;
    }
    double det = cc * ss - cs * cs, ac = (c * ss - s * cs) / det, as = (s * cc - c * cs) / det;
    h[k] = hypot(ac, as);
  }
}

/* ---------------------------------------------------------------- ours */

typedef struct {
  double vp, vk, gain_db, h[N_PHASES][N_LEVELS][6];
} Result;

static void ours(const Circuit *c, double rate, GsOsPhase kind, Result *r) {
  GsTriodeModel m = *gs_triode_model(c->tube);
  GsTriodeStage v = c->v;
  v.tube = &m;
  GsDkNetlist *n = malloc(sizeof *n);
  gs_dk_clear(n);
  int in = gs_dk_node(n), bp = gs_dk_node(n);
  gs_dk_source(n, in, 0, 0);
  gs_dk_source(n, bp, 0, 1);
  int node = in;
  for (int k = 1; k <= c->stages; k++) {
    GsTriodeStage s = v;
    if (k < c->stages) s.rl = 0.0; /* the next stage's grid leak loads it */
    node = gs_tc_common_cathode(n, &s, node, bp);
  }
  gs_dk_output(n, node);
  GsTubeRunner *run = malloc(sizeof *run);
  double u0[2] = {0.0, v.bplus};
  assert_true(gs_tube_runner_init(run, n, rate, gs_tube_factor(0, rate, c->stages), kind, u0));
  r->vk = -run->dk.v0[0]; /* at rest the grid is at 0 V */
  r->vp = run->dk.v0[1] + r->vk;
  size_t settle = (size_t)(SETTLE * rate), win = (size_t)(WINDOW * rate);
  size_t lat = run->os.latency, total = settle + win + lat;
  float *x = malloc(total * sizeof(float)), *y = malloc(total * sizeof(float));
  double *d = malloc(win * sizeof(double));
  uint64_t k0 = run->dk.k_samples, n0 = run->dk.n_samples;
  for (int l = -1; l < N_LEVELS; l++) {
    double a = l < 0 ? 1e-3 : levels[l], h[6];
    for (int ph = 0; ph < (l < 0 ? 1 : N_PHASES); ph++) {
      double late = (double)ph / (N_PHASES * run->os.factor);
      for (size_t i = 0; i < total; i++)
        x[i] = (float)(a * sin(2 * PI * 1000.0 * (i - late) / rate));
      gs_tube_runner_reset(run);
      gs_tube_runner_process(run, x, y, (uint32_t)total);
      for (size_t i = 0; i < win; i++) d[i] = y[settle + lat + i];
      harmonics(d, (int)win, 1.0 / rate, h);
      if (l < 0) {
        r->gain_db = 20 * log10(h[1] / a);
      } else {
        memcpy(r->h[ph][l], h, sizeof h);
      }
    }
  }
  /* which of gs_dk_run's paths took the samples (dk.h) */
  printf("  samples by the K path %llu, by Newton's %llu\n",
         (unsigned long long)(run->dk.k_samples - k0),
         (unsigned long long)(run->dk.n_samples - n0));
  free(x);
  free(y);
  free(d);
  free(run);
  free(n);
}

/* ---------------------------------------------------------------- test */

static void compare(size_t i, double rate, GsOsPhase kind, double *worst_h) {
  const Circuit *c = &circuits[i];
  Result r;
  ours(c, rate, kind, &r);
  char path[64];
  double op[4];
  snprintf(path, sizeof path, "triode%zu_op.txt", i);
  assert_int_equal(read_column(path, 1, op, 1) + read_column(path, 3, op + 1, 1), 2);
  double ac;
  snprintf(path, sizeof path, "triode%zu_ac.txt", i);
  assert_int_equal(read_column(path, 1, &ac, 1), 1);
  double e_vp = 100 * (r.vp / op[0] - 1), e_vk = 100 * (r.vk / op[1] - 1), e_g = r.gain_db - ac;
  printf(
      "%s at %.0f kHz, %s-phase filters: Vp %.3f V (%+.3f %%), Vk %.4f V (%+.3f %%), gain %.3f dB "
      "(%+.4f)\n",
      c->name, rate / 1000, gs_os_phase_names[kind], r.vp, e_vp, r.vk, e_vk, r.gain_db, e_g);
  if (c->stages == 1) {
    assert_true(fabs(e_vp) < 1.0 && fabs(e_vk) < 1.0);
  }
  assert_true(fabs(e_g) < 0.1);
  static double t[400000];
  for (int l = 0; l < N_LEVELS; l++) {
    snprintf(path, sizeof path, "triode%zu_tr%d.txt", i, l);
    int n = read_column(path, 1, t, 400000), m = read_column(path, 0, t + 200000, 200000);
    assert_true(n > 1000 && n == m);
    double hs[6];
    harmonics(t, n, (t[200000 + n - 1] - t[200000]) / (n - 1), hs);
    /* ours/SPICE (dBc) for the sine starting on a sample, then the
     * largest difference over every start */
    printf("  %.2f V:", levels[l]);
    for (int k = 2; k <= 5; k++) {
      double s_dbc = 20 * log10(hs[k] / hs[1]), off = 0.0;
      for (int ph = 0; ph < N_PHASES; ph++) {
        off = fmax(off, fabs(20 * log10(r.h[ph][l][k] / r.h[ph][l][1]) - s_dbc));
      }
      printf(" H%d %.2f/%.2f (%.2f)", k, 20 * log10(r.h[0][l][k] / r.h[0][l][1]), s_dbc, off);
      if (s_dbc > -60.0) {
        *worst_h = fmax(*worst_h, off);
        if (off > 0.5) printf(" <-- off");
      }
    }
    printf("\n");
  }
}

static void triodes_match_spice(void **state) {
  (void)state;
  run_ngspice();
  const double rates[] = {48000, 96000};
  /* under a sanitizer (make check's second pass) the code paths are the
   * same at both rates and the figures are the plain build's: one rate */
  int n_rates = getenv("GS_SANITIZED") ? 1 : 2;
  for (size_t i = 0; i < N_CIRCUITS; i++) {
    for (int r = 0; r < n_rates; r++) {
      for (int kind = GS_OS_LINEAR_PHASE; kind <= GS_OS_MINIMUM_PHASE; kind++) {
        double worst = 0.0;
        compare(i, rates[r], (GsOsPhase)kind, &worst);
        char what[200];
        snprintf(what, sizeof what,
                 "H2-H5 vs ngspice where above -60 dBc, 0.05-4 V, any sampling phase, %s-phase "
                 "oversampling, %.0f kHz",
                 gs_os_phase_names[kind], rates[r] / 1000);
        h_accuracy(circuits[i].name, what, worst, 0.5, "dB");
        assert_true(worst <= 0.5);
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(triodes_match_spice)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
