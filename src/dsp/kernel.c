/* Which build of the per-sample kernels runs (src/dsp/kernel.h): chosen
 * once, by the dynamic loader, from the CPU's features. */
#include "dsp/kernel.h"

#if defined(GS_KERNEL_DISPATCH)
#include "dsp/dk.h"
#include "dsp/pushpull.h"

void gs_dk_step_base(GsDkSolver *s, const double *u, double *y);
void gs_dk_step_fma(GsDkSolver *s, const double *u, double *y);
double gs_pp_step_base(GsPushPull *p, double vin);
double gs_pp_step_fma(GsPushPull *p, double vin);

typedef void DkStep(GsDkSolver *s, const double *u, double *y);
typedef double PpStep(GsPushPull *p, double vin);

static int have_fma(void) {
  __builtin_cpu_init(); /* resolvers run before constructors */
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* (used: only the ifunc attributes name them, which clang does not count) */
__attribute__((used)) static DkStep *resolve_dk_step(void) {
  return have_fma() ? gs_dk_step_fma : gs_dk_step_base;
}

__attribute__((used)) static PpStep *resolve_pp_step(void) {
  return have_fma() ? gs_pp_step_fma : gs_pp_step_base;
}

void gs_dk_step(GsDkSolver *s, const double *u, double *y)
    __attribute__((ifunc("resolve_dk_step")));
double gs_pp_step(GsPushPull *p, double vin) __attribute__((ifunc("resolve_pp_step")));
#else
typedef int gs_kernel_single_build; /* one build: nothing to choose */
#endif
