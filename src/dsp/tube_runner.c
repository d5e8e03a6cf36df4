#include "dsp/tube_runner.h"

#include <string.h>

int gs_tube_factor(int quality, double rate) {
  if (quality == 1 || quality == 2 || quality == 4 || quality == 8) return quality;
  int f = 1;
  while (f < GS_OS_MAX_FACTOR && rate * f < 176400.0 - 1.0) f *= 2;
  return f;
}

bool gs_tube_runner_init(GsTubeRunner *r, const GsDkNetlist *n, double rate, int factor,
                         const double *u0) {
  memset(r, 0, sizeof *r);
  if (!gs_os_init(&r->os, factor)) return false;
  memcpy(r->u, u0, (size_t)n->n_inputs * sizeof(double));
  return gs_dk_init(&r->dk, n, rate * factor, u0);
}

void gs_tube_runner_reset(GsTubeRunner *r) {
  gs_dk_reset(&r->dk);
  gs_os_reset(&r->os);
}

void gs_tube_runner_process(GsTubeRunner *r, const float *in, float *out, uint32_t n) {
  int f = r->os.factor;
  for (uint32_t i = 0; i < n; i++) {
    double hi[GS_OS_MAX_FACTOR], y[GS_DK_MAX_OUTPUTS];
    gs_os_up(&r->os, in[i], hi);
    for (int k = 0; k < f; k++) {
      r->u[0] = hi[k];
      gs_dk_step(&r->dk, r->u, y);
      r->failures += r->dk.failed;
      hi[k] = y[0];
    }
    out[i] = (float)gs_os_down(&r->os, hi);
  }
}
