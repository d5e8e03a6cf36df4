/* Which build of the per-sample kernels runs (src/dsp/kernel.h): chosen
 * once, by the dynamic loader, from the CPU's features. */
#include "dsp/kernel.h"

#if defined(GS_KERNEL_DISPATCH)
#include "dsp/convolver_kernel.h"
#include "dsp/dk.h"
#include "dsp/iir.h"
#include "dsp/oversample_kernel.h"
#include "dsp/pushpull.h"

uint64_t gs_dk_run_base(GsDkSolver *s, double *u, double *x, uint32_t n);
uint64_t gs_dk_run_fma(GsDkSolver *s, double *u, double *x, uint32_t n);
void gs_pp_run_base(GsPushPull *p, double *x, uint32_t n);
void gs_pp_run_fma(GsPushPull *p, double *x, uint32_t n);

void gs_conv_head_base(const float *h, const float *x, float *y, uint32_t n);
void gs_conv_head_fma(const float *h, const float *x, float *y, uint32_t n);
void gs_iir_block_base(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n);
void gs_iir_block_fma(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n);
void gs_conv_cmac_base(const GsConvMac *m);
void gs_conv_cmac_fma(const GsConvMac *m);

void gs_os_interpolate_block_base(const GsOsBranch *b, const float *x, int pos, int n, float *out,
                                  double *wide);
void gs_os_interpolate_block_fma(const GsOsBranch *b, const float *x, int pos, int n, float *out,
                                 double *wide);
void gs_os_decimate_block_base(const GsOsBranch *b, const float *even, const float *odd, int pos,
                               int n, float *out, double *wide);
void gs_os_decimate_block_fma(const GsOsBranch *b, const float *even, const float *odd, int pos,
                              int n, float *out, double *wide);
void gs_os_split_base(const double *in, int n, float *even, float *odd);
void gs_os_split_fma(const double *in, int n, float *even, float *odd);

typedef uint64_t DkRun(GsDkSolver *s, double *u, double *x, uint32_t n);
typedef void PpRun(GsPushPull *p, double *x, uint32_t n);
typedef void ConvHead(const float *h, const float *x, float *y, uint32_t n);
typedef void ConvCmac(const GsConvMac *m);
typedef void OsInterpolate(const GsOsBranch *b, const float *x, int pos, int n, float *out,
                           double *wide);
typedef void OsDecimate(const GsOsBranch *b, const float *even, const float *odd, int pos, int n,
                        float *out, double *wide);
typedef void OsSplit(const double *in, int n, float *even, float *odd);
typedef void IirBlock(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n);

static int have_fma(void) {
  __builtin_cpu_init(); /* resolvers run before constructors */
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* (used: only the ifunc attributes name them, which clang does not count) */
__attribute__((used)) static DkRun *resolve_dk_run(void) {
  return have_fma() ? gs_dk_run_fma : gs_dk_run_base;
}

__attribute__((used)) static PpRun *resolve_pp_run(void) {
  return have_fma() ? gs_pp_run_fma : gs_pp_run_base;
}

__attribute__((used)) static ConvHead *resolve_conv_head(void) {
  return have_fma() ? gs_conv_head_fma : gs_conv_head_base;
}

__attribute__((used)) static ConvCmac *resolve_conv_cmac(void) {
  return have_fma() ? gs_conv_cmac_fma : gs_conv_cmac_base;
}

__attribute__((used)) static IirBlock *resolve_iir_block(void) {
  return have_fma() ? gs_iir_block_fma : gs_iir_block_base;
}

__attribute__((used)) static OsInterpolate *resolve_os_interpolate(void) {
  return have_fma() ? gs_os_interpolate_block_fma : gs_os_interpolate_block_base;
}

__attribute__((used)) static OsDecimate *resolve_os_decimate(void) {
  return have_fma() ? gs_os_decimate_block_fma : gs_os_decimate_block_base;
}

__attribute__((used)) static OsSplit *resolve_os_split(void) {
  return have_fma() ? gs_os_split_fma : gs_os_split_base;
}

bool gs_conv_wide(void) {
  return have_fma();
}

uint64_t gs_dk_run(GsDkSolver *s, double *u, double *x, uint32_t n)
    __attribute__((ifunc("resolve_dk_run")));
void gs_conv_head(const float *h, const float *x, float *y, uint32_t n)
    __attribute__((ifunc("resolve_conv_head")));
void gs_conv_cmac(const GsConvMac *m) __attribute__((ifunc("resolve_conv_cmac")));
void gs_os_interpolate_block(const GsOsBranch *b, const float *x, int pos, int n, float *out,
                             double *wide) __attribute__((ifunc("resolve_os_interpolate")));
void gs_os_decimate_block(const GsOsBranch *b, const float *even, const float *odd, int pos, int n,
                          float *out, double *wide) __attribute__((ifunc("resolve_os_decimate")));
void gs_os_split(const double *in, int n, float *even, float *odd)
    __attribute__((ifunc("resolve_os_split")));
void gs_pp_run(GsPushPull *p, double *x, uint32_t n) __attribute__((ifunc("resolve_pp_run")));
void gs_iir_block(const GsIirCoefs *c, GsIirState *st, float *buf, uint32_t n)
    __attribute__((ifunc("resolve_iir_block")));
#else
#include "dsp/convolver_kernel.h"

bool gs_conv_wide(void) { /* one build: nothing to choose */
#if defined(__AVX__) && defined(__FMA__)
  return true;
#else
  return false;
#endif
}
#endif
