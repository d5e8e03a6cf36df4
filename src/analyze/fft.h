/* Real FFTs for the analyzer (FFTW3, double precision: the analyzer must
 * see -150 dB spurs). Not for the audio thread: plans are made per call. */
#ifndef GS_ANALYZE_FFT_H
#define GS_ANALYZE_FFT_H

#include <complex.h>
#include <stddef.h>

typedef struct GsFft GsFft;

GsFft *gs_fft_new(size_t n); /* NULL if out of memory */
void gs_fft_free(GsFft *f);

/* in: n reals (the plan's input buffer); out: n/2 + 1 bins. */
double *gs_fft_input(GsFft *f);
const double complex *gs_fft_forward(GsFft *f);

/* Inverse: fill the n/2 + 1 bins, get n reals (scaled by n, as FFTW). */
double complex *gs_fft_bins(GsFft *f);
const double *gs_fft_inverse(GsFft *f);

/* Minimum phase from magnitude (the real cepstrum folded onto positive
 * quefrencies; A. V. Oppenheim and R. W. Schafer, "Discrete-Time Signal
 * Processing", ch. 13): fill the bins with log|H| (real), call this, and
 * read log Hmin from the bins it returns (the plan's output). */
const double complex *gs_fft_min_phase_log(GsFft *f);

/* The 7-term Blackman–Harris window (H.-H. Albrecht, ICASSP 2001):
 * side lobes below -180 dB, main lobe ±7 bins. */
void gs_window_bh7(double *w, size_t n);
void gs_window_hann(double *w, size_t n);

#endif
