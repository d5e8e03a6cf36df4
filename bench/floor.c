/* The cost floor of a circuit solver the size of the high-gain rig, at the
 * oversampling its alias target needs (for bench/: not a product; its
 * output is a checksum's worth of numbers, not audio).
 *
 *   floor [--time] [--null] IN.wav OUT.wav
 *
 * The question it answers: how cheap could any sample-by-sample solver of
 * the rig's circuit be on this machine? It does the least such a solver
 * does, with nothing a real model needs beyond that:
 * - three nonlinear stages (two triodes, the power amp), each a state
 *   vector whose next value and next two port predictions are one
 *   matrix-vector product (a column of 8 floats a state or input, one
 *   AVX multiply-add each), and the two ports' currents from one bilinear
 *   lookup in a 64 x 64 table: the K method's solved table, with no
 *   correction, no iteration and no branch;
 * - a three-pole tone stack between them, linear;
 * - all four in one loop at 4x (the rig's 2x leaves the power amp's
 *   alias at -50.7 dBc, above the target's -70), between the library's own
 *   4x interpolator and decimator: one pair, the least a rig needs.
 * Left out, each of which the real rig needs and pays for: grid current's
 * conduction branch; the power amp's two further dimensions (its solution
 * depends on four inputs, not two: the inverter's drive, the windings'
 * free response and two coupling caps' histories); its feedback network's
 * states beyond six; the supply's sag; parameter smoothing; double
 * precision in the states (coupling caps' poles lie within 1e-5 of 1 at
 * 192 kHz). Its matrices and tables are made up, so that what it costs
 * is all it tells. --time prints bench/host_clock.h's figures; --null
 * copies the input (the host's own cost, for callgrind). Exit status: 0
 * ok, 1 failure, 2 bad usage. */
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/denormal.h"
#include "dsp/oversample.h"
#include "host_clock.h"
#include "mono_wav.h"

#define FACTOR 4
#define BLOCK 256
#define TABLE 64 /* nodes along each port's axis */
#define ROWS 8   /* a stage's states and its two port predictions */

typedef float Col __attribute__((vector_size(32)));

/* One stage: states in rows 0..states-1, the next sample's port
 * predictions (less the input's part) in rows ROWS-2 and ROWS-1. */
typedef struct {
  int states;
  Col col[ROWS + 3]; /* one per state, then the input, then the two currents */
  Col z;
  float in_port[2]; /* the input's part of each port */
  float *table;     /* per node: both currents and their rises along port 1 */
} Stage;

static float noise(uint32_t *seed) {
  *seed = *seed * 1664525u + 1013904223u;
  return (float)(*seed >> 8) / 16777216.0f - 0.5f;
}

/* A stable made-up stage: decaying states, weak coupling, currents of a
 * smooth made-up law. */
static bool stage_init(Stage *s, int states, uint32_t *seed) {
  memset(s, 0, sizeof *s);
  s->states = states;
  for (int c = 0; c < states + 3; c++) {
    for (int r = 0; r < ROWS; r++) {
      bool state_row = r < states;
      s->col[c][r] = state_row ? (c == r ? 0.9f : 0.01f * noise(seed)) : 0.05f * noise(seed);
    }
  }
  s->in_port[0] = 0.5f;
  s->in_port[1] = 0.6f;
  s->table = aligned_alloc(64, sizeof(float) * TABLE * TABLE * 4);
  if (!s->table) return false;
  for (int i = 0; i < TABLE * TABLE * 4; i++) s->table[i] = 0.2f * noise(seed);
  return true;
}

/* The two currents at the ports (p0, p1), bilinear in the table. */
static inline float currents(const Stage *s, float p0, float p1, float *i1) {
  const float top = TABLE - 1.001f, mid = TABLE / 2, per_volt = 4.0f;
  float q0 = mid + per_volt * p0, q1 = mid + per_volt * p1;
  q0 = q0 > 0.0f ? q0 : 0.0f; /* (each a maxss or minss, no branch) */
  q0 = q0 < top ? q0 : top;
  q1 = q1 > 0.0f ? q1 : 0.0f;
  q1 = q1 < top ? q1 : top;
  int k0 = (int)q0, k1 = (int)q1;
  float f0 = q0 - (float)k0, f1 = q1 - (float)k1;
  const float *a = s->table + 4 * (k0 * TABLE + k1), *b = a + 4 * TABLE;
  float a0 = a[0] + f1 * a[2], a1 = a[1] + f1 * a[3];
  float b0 = b[0] + f1 * b[2], b1 = b[1] + f1 * b[3];
  *i1 = a1 + f0 * (b1 - a1);
  return a0 + f0 * (b0 - a0);
}

/* A sample of a stage of n states (a constant where inlined), its state
 * vector z held by the caller (in a register across samples); returns
 * its output, row 0. The columns are summed as a tree: the sum is not a
 * chain of n dependent multiply-adds. */
static inline float stage_step(const Stage *s, Col *z, float u, int n) {
  Col v = *z;
  float i1, i0 = currents(s, v[ROWS - 2] + s->in_port[0] * u, v[ROWS - 1] + s->in_port[1] * u, &i1);
  Col part[4] = {s->col[n] * u, s->col[n + 1] * i0 + s->col[n + 2] * i1};
  for (int k = 0; k < n; k++) part[2 + k % 2] += s->col[k] * v[k];
  *z = (part[0] + part[1]) + (part[2] + part[3]);
  return (*z)[0];
}

/* The tone stack: three states, linear. */
static inline float tone_step(const Stage *s, Col *z, float u) {
  Col v = *z;
  *z = (s->col[3] * u + s->col[0] * v[0]) + (s->col[1] * v[1] + s->col[2] * v[2]);
  return (*z)[0];
}

typedef struct {
  Stage v1, v2, tone, power;
  GsOversampler up, down;
  double wide[BLOCK * FACTOR], in[BLOCK], out[BLOCK];
} Rig;

#if defined(__x86_64__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
static void
rig_run(Rig *r, uint32_t n) {
  Col z1 = r->v1.z, z2 = r->v2.z, zt = r->tone.z, zp = r->power.z;
  double *x = r->wide;
  for (uint32_t i = 0; i < n; i++) {
    float y = stage_step(&r->v1, &z1, (float)x[i], 3);
    y = stage_step(&r->v2, &z2, y, 3);
    y = tone_step(&r->tone, &zt, y);
    x[i] = stage_step(&r->power, &zp, y, 6);
  }
  r->v1.z = z1, r->v2.z = z2, r->tone.z = zt, r->power.z = zp;
}

static void rig_process(Rig *r, const float *x, float *y, uint32_t n) {
  GsFpMode mode = gs_denormals_off(); /* as gs_chain_process does */
  for (uint32_t i = 0; i < n; i++) r->in[i] = x[i];
  gs_os_up(&r->up, r->in, n, r->wide);
  rig_run(r, n * FACTOR);
  gs_os_down(&r->down, r->wide, n, r->out);
  for (uint32_t i = 0; i < n; i++) y[i] = (float)r->out[i];
  gs_denormals_restore(mode);
}

static Rig *rig_new(int rate) {
  size_t size = (sizeof(Rig) + 63) / 64 * 64;
  Rig *r = aligned_alloc(64, size); /* (its vectors want 32 bytes) */
  if (r) memset(r, 0, size);
  uint32_t seed = 1;
  bool ok = r && stage_init(&r->v1, 3, &seed) && stage_init(&r->v2, 3, &seed) &&
            stage_init(&r->tone, 3, &seed) && stage_init(&r->power, 6, &seed) &&
            gs_os_init(&r->up, FACTOR, rate, GS_OS_LINEAR_PHASE) &&
            gs_os_init(&r->down, FACTOR, rate, GS_OS_LINEAR_PHASE);
  if (!ok && r) {
    free(r->v1.table), free(r->v2.table), free(r->tone.table), free(r->power.table);
    free(r);
    return NULL;
  }
  return r;
}

static void rig_free(Rig *r) {
  if (!r) return;
  free(r->v1.table), free(r->v2.table), free(r->tone.table), free(r->power.table);
  free(r);
}

int main(int argc, char **argv) {
  bool timed = false, null = false;
  int a = 1;
  for (; a < argc && !strncmp(argv[a], "--", 2); a++) {
    if (!strcmp(argv[a], "--time")) {
      timed = true;
    } else if (!strcmp(argv[a], "--null")) {
      null = true;
    } else {
      break;
    }
  }
  if (argc - a != 2) {
    fprintf(stderr, "usage: floor [--time] [--null] IN.wav OUT.wav\n");
    return 2;
  }
  SF_INFO info;
  float *x = mono_wav_read("floor", argv[a], &info);
  Rig *r = x ? rig_new(info.samplerate) : NULL;
  size_t n = x ? (size_t)info.frames : 0;
  float *y = r ? malloc((n ? n : 1) * sizeof *y) : NULL;
  if (!y) {
    free(x);
    rig_free(r);
    return 1;
  }
  double spent = 0.0, cpu0 = host_cpu();
  for (size_t pos = 0; pos < n; pos += BLOCK) {
    uint32_t len = (uint32_t)(n - pos < BLOCK ? n - pos : BLOCK);
    double t0 = host_wall();
    if (null) {
      memcpy(y + pos, x + pos, len * sizeof(float));
    } else {
      rig_process(r, x + pos, y + pos, len);
    }
    spent += host_wall() - t0;
  }
  double cpu = host_cpu() - cpu0;
  bool ok = mono_wav_write(argv[a + 1], y, (sf_count_t)n, info.samplerate);
  if (ok && timed) host_print_times(spent, cpu, (double)n);
  rig_free(r);
  free(x);
  free(y);
  return ok ? 0 : 1;
}
