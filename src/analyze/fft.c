#include "analyze/fft.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>

#include "dsp/fftw_lock.h"

struct GsFft {
  size_t n;
  double *re;
  fftw_complex *cx;
  fftw_plan fwd, inv;
};

GsFft *gs_fft_new(size_t n) {
  GsFft *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->n = n;
  f->re = fftw_alloc_real(n);
  f->cx = fftw_alloc_complex(n / 2 + 1);
  if (!f->re || !f->cx) {
    gs_fft_free(f);
    return NULL;
  }
  gs_fftw_lock();
  f->fwd = fftw_plan_dft_r2c_1d((int)n, f->re, f->cx, FFTW_ESTIMATE);
  f->inv = fftw_plan_dft_c2r_1d((int)n, f->cx, f->re, FFTW_ESTIMATE);
  gs_fftw_unlock();
  if (!f->fwd || !f->inv) {
    gs_fft_free(f);
    return NULL;
  }
  return f;
}

void gs_fft_free(GsFft *f) {
  if (!f) return;
  gs_fftw_lock();
  if (f->fwd) fftw_destroy_plan(f->fwd);
  if (f->inv) fftw_destroy_plan(f->inv);
  gs_fftw_unlock();
  fftw_free(f->re);
  fftw_free(f->cx);
  free(f);
}

double *gs_fft_input(GsFft *f) {
  return f->re;
}

const double complex *gs_fft_forward(GsFft *f) {
  fftw_execute(f->fwd);
  return (const double complex *)f->cx;
}

double complex *gs_fft_bins(GsFft *f) {
  return (double complex *)f->cx;
}

const double complex *gs_fft_min_phase_log(GsFft *f) {
  size_t n = f->n;
  const double *c = gs_fft_inverse(f); /* real cepstrum, times n */
  double *fold = gs_fft_input(f);
  for (size_t i = 0; i < n; i++) {
    double v = c[i] / (double)n;
    fold[i] = (i == 0 || i == n / 2) ? v : (i < n / 2 ? 2.0 * v : 0.0);
  }
  return gs_fft_forward(f);
}

const double *gs_fft_inverse(GsFft *f) {
  fftw_execute(f->inv);
  return f->re;
}

void gs_window_bh7(double *w, size_t n) {
  static const double a[7] = {0.27105140069342, 0.43329793923448, 0.21812299954311,
                              0.06592544638803, 0.01081174209837, 0.00077658482522,
                              0.00001388721735};
  const double pi = 3.14159265358979323846;
  for (size_t i = 0; i < n; i++) {
    double t = 2.0 * pi * (double)i / (double)n, v = 0.0;
    for (int k = 0; k < 7; k++) v += (k % 2 ? -a[k] : a[k]) * cos(k * t);
    w[i] = v;
  }
}

void gs_window_hann(double *w, size_t n) {
  const double pi = 3.14159265358979323846;
  for (size_t i = 0; i < n; i++) w[i] = 0.5 - 0.5 * cos(2.0 * pi * (double)i / (double)n);
}
