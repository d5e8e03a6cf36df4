/* What the DK solver's two per-sample files share (dk_step.c: Newton's
 * path and gs_dk_run; dk_kstep.c: the K path): the packed rows' dot
 * products, the grid diode, the four-lane type and the state update.
 * Private to them; everything here runs on the audio thread. */
#ifndef GS_DSP_DK_STEP_H
#define GS_DSP_DK_STEP_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dsp/dk.h"
#include "dsp/fastmath.h"
#include "dsp/kernel.h"

/* The loops below are written once for any size and specialized by
 * inlining them where the sizes are constants; compilers that can be told
 * to inline are. */
#if defined(__GNUC__)
#define UNROLLED static inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define UNROLLED static inline
#define NOINLINE
#endif

static inline int even(int n) {
  return (n + 1) & ~1;
}

/* a . b over n (even) terms, two sums: with GCC's vector extension, as
 * one pair of lanes (SSE2 and its kin). */
#if defined(__GNUC__)
typedef double Pair __attribute__((vector_size(16)));

UNROLLED double dot_even(const double *a, const double *b, int n) {
  Pair acc = {0.0, 0.0};
  for (int j = 0; j < n; j += 2) {
    Pair x, y;
    memcpy(&x, a + j, sizeof x);
    memcpy(&y, b + j, sizeof y);
    acc += x * y;
  }
  return acc[0] + acc[1];
}
#else
UNROLLED double dot_even(const double *a, const double *b, int n) {
  double s0 = 0.0, s1 = 0.0;
  for (int j = 0; j < n; j += 2) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
  }
  return s0 + s1;
}
#endif

/* The grid diode: (knee / rgi) ln(1 + e^(v / knee)), a smoothed ideal diode
 * in series with rgi, so that Newton's method never meets a kink; beyond
 * 36 knees above it is v / rgi to double precision, and below
 * GS_GRID_CUT knees it is taken as 0: e^-20 knee / rgi is 2e-14 A for a
 * 12AX7 (a hundred-billionth of its plate current), and the K path's
 * common sample, which needs the grid cut off, takes a third more of the
 * samples that way than at 36, where it is 0 in double (GS_GRID_CUT: dk.h,
 * where dk_k.c's solved tables see it too). */

static inline double grid(const GsDkTube *t, double v, double *slope) {
  double a = v * t->inv_knee;
  if (a < GS_GRID_CUT) {
    *slope = 0.0;
    return 0.0;
  }
  if (a > 36.0) {
    *slope = t->inv_rgi;
    return v * t->inv_rgi;
  }
  double sig, sp = gs_softplus(a, &sig);
  *slope = sig * t->inv_rgi;
  return t->knee_rgi * sp;
}

/* (y, x') = W z: the outputs, and the states for the next sample; nw =
 * no + ns rows of nz. */
UNROLLED void advance(GsDkSolver *s, int nz, int nw, int no, const double *z, double *y) {
  for (int r = 0; r < nw; r++) {
    double w = dot_even(s->W + r * nz, z, nz);
    if (r < no) {
      y[r] = w;
    } else {
      s->z[r - no] = w;
    }
  }
}

/* Four lanes at a time (AVX2 where the kernel is built for it). */
#if defined(__GNUC__)
typedef double Quad __attribute__((vector_size(32)));
typedef int64_t Bits __attribute__((vector_size(32)));
#pragma GCC diagnostic ignored "-Wpsabi" /* inlined only: no call passes a Quad */

UNROLLED Quad quad(const double *a) {
  Quad q;
  memcpy(&q, a, sizeof q);
  return q;
}

/* advance() for the two-stage netlist, four lanes wide: z = (x, u, i),
 * W's state rows by columns (Wc). */
UNROLLED void advance4(GsDkSolver *s, const double *z, double *y) {
  Quad x = quad(s->Wc[0]) * z[0];
  for (int j = 1; j < 10; j++) x += quad(s->Wc[j]) * z[j];
  y[0] = dot_even(s->W, z, 10);
  memcpy(s->z, &x, sizeof x);
}
#endif

/* The two paths of gs_dk_run, one in each file, calling each other
 * directly (hidden: no PLT between them). The K path (dk_kstep.c): one
 * sample by the tables, or, where they decline, by Newton's path
 * (dk_step.c). */
#if defined(__GNUC__)
#define GS_DK_HIDDEN __attribute__((visibility("hidden")))
#else
#define GS_DK_HIDDEN
#endif
GS_DK_HIDDEN void GS_KERNEL(gs_dk_sample_k)(GsDkSolver *s, const double *u, double *y);
GS_DK_HIDDEN void GS_KERNEL(gs_dk_sample_newton)(GsDkSolver *s, const double *u, double *y);
/* The cascade's common samples (dk_kstep.c) from x[0] on, in place,
 * while they last: how many it took (0 where the K path is not the
 * cascade's). */
GS_DK_HIDDEN uint32_t GS_KERNEL(gs_dk_run_kcas)(GsDkSolver *s, const double *u, double *x,
                                                uint32_t n);
/* The same for three or four stages, and one sample of theirs
 * (dk_k3step.c). */
GS_DK_HIDDEN uint32_t GS_KERNEL(gs_dk_run_k3)(GsDkSolver *s, const double *u, double *x,
                                              uint32_t n);
GS_DK_HIDDEN void GS_KERNEL(gs_dk_sample_k3)(GsDkSolver *s, const double *u, double *y);
/* A sample of theirs the common sample's loop declined (dk_k3step.c). */
GS_DK_HIDDEN void GS_KERNEL(gs_dk_sample_k3_other)(GsDkSolver *s, const double *u, double *y);

#endif
