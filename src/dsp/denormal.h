/* Flush denormals to zero while processing (SSE: FTZ + DAZ in MXCSR;
 * AArch64: FZ in FPCR), restoring the caller's mode afterwards, since
 * hosts (and LV2 plugins' neighbours) expect their own settings back. */
#ifndef GS_DSP_DENORMAL_H
#define GS_DSP_DENORMAL_H

#include <stdint.h>

#if defined(__SSE2__) || defined(__x86_64__)
#include <xmmintrin.h>
typedef uint32_t GsFpMode;
static inline GsFpMode gs_denormals_off(void) {
  GsFpMode old = _mm_getcsr();
  _mm_setcsr(old | 0x8040u); /* FTZ (bit 15) | DAZ (bit 6) */
  return old;
}
static inline void gs_denormals_restore(GsFpMode old) {
  _mm_setcsr(old);
}
#elif defined(__aarch64__)
typedef uint64_t GsFpMode;
static inline GsFpMode gs_denormals_off(void) {
  uint64_t old;
  __asm__ volatile("mrs %0, fpcr" : "=r"(old));
  __asm__ volatile("msr fpcr, %0" ::"r"(old | (1ull << 24)));
  return old;
}
static inline void gs_denormals_restore(GsFpMode old) {
  __asm__ volatile("msr fpcr, %0" ::"r"(old));
}
#else
typedef int GsFpMode;
static inline GsFpMode gs_denormals_off(void) {
  return 0;
}
static inline void gs_denormals_restore(GsFpMode old) {
  (void)old;
}
#endif

#endif
