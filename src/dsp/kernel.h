/* The inner loops' entry points of the tube solvers (gs_dk_run, gs_pp_run),
 * the convolver (gs_conv_head, gs_conv_cmac), the IIR filter
 * (gs_iir_block) and the oversampler (gs_os_interpolate_block,
 * gs_os_decimate_block) are
 * compiled twice where the compiler can (src/meson.build): for the
 * baseline CPU and, on x86-64, for CPUs with AVX2 and FMA, where
 * multiplies and adds fuse; src/dsp/kernel.c picks one when the library
 * loads (an ifunc). The two give the same results to rounding, not to the
 * bit; on one machine the choice never changes. */
#ifndef GS_DSP_KERNEL_H
#define GS_DSP_KERNEL_H

#if defined(GS_KERNEL_FMA)
#define GS_KERNEL(name) name##_fma
#elif defined(GS_KERNEL_DISPATCH)
#define GS_KERNEL(name) name##_base
#else
#define GS_KERNEL(name) name
#endif

#endif
