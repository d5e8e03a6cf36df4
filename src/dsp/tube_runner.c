#include "dsp/tube_runner.h"

#include <string.h>

int gs_tube_factor(int choice, double rate, int triodes) {
  return gs_os_factor(choice, rate, triodes > 1 ? 176400.0 : 88200.0);
}

bool gs_tube_runner_init(GsTubeRunner *r, const GsDkNetlist *n, double rate, int factor,
                         GsOsPhase phase, const double *u0) {
  memset(r, 0, sizeof *r);
  if (!gs_os_init(&r->os, factor, rate, phase)) return false;
  memcpy(r->u, u0, (size_t)n->n_inputs * sizeof(double));
  return gs_dk_init(&r->dk, n, rate * factor, u0);
}

void gs_tube_runner_reset(GsTubeRunner *r) {
  gs_dk_reset(&r->dk);
  gs_os_reset(&r->os);
}

void gs_tube_runner_release(GsTubeRunner *r) {
  gs_dk_k_release(&r->dk);
}

/* Up a chunk, the circuit at the high rate, down again. */
void gs_tube_runner_process(GsTubeRunner *r, const float *in, float *out, uint32_t n) {
  const uint32_t f = (uint32_t)r->os.factor;
  while (n > 0) {
    uint32_t c = n < GS_OS_CHUNK ? n : GS_OS_CHUNK;
    for (uint32_t i = 0; i < c; i++) r->base[i] = in[i];
    gs_os_up(&r->os, r->base, c, r->high);
    uint64_t failed = gs_dk_run(&r->dk, r->u, r->high, c * f);
    if (failed) atomic_fetch_add_explicit(&r->failures, failed, memory_order_relaxed);
    gs_os_down(&r->os, r->high, c, r->base);
    for (uint32_t i = 0; i < c; i++) out[i] = (float)r->base[i];
    in += c;
    out += c;
    n -= c;
  }
}

uint64_t gs_tube_runner_failures(const GsTubeRunner *r) {
  return atomic_load_explicit(&r->failures, memory_order_relaxed);
}
