/* Rational functions of the Laplace variable s, and their discretization.
 *
 * Impedances, admittances and transfer functions of linear circuits are
 * kept as N(s)/D(s) with real coefficients in ascending powers of s. They
 * are turned into digital biquad cascades by the bilinear transform with
 * prewarping, one pole or zero at a time (numerically far better than
 * expanding polynomials in z): z = (K + s) / (K - s), K = w0 / tan(w0 T / 2).
 * Fixed-size storage: nothing here allocates, so junctions and tone
 * stacks can be recomputed on the audio thread. */
#ifndef GS_DSP_RATIONAL_H
#define GS_DSP_RATIONAL_H

#include <complex.h>
#include <stdbool.h>

#include "dsp/sos.h"

#define GS_POLY_MAX 12 /* highest degree + 1 */

typedef struct {
  double c[GS_POLY_MAX]; /* c[k] multiplies s^k */
  int deg;               /* -1 for the zero polynomial */
} GsPoly;

typedef struct {
  GsPoly num;
  GsPoly den;
} GsRational;

/* Polynomials. */
GsPoly gs_poly_const(double c);
GsPoly gs_poly_linear(double c0, double c1); /* c0 + c1 s */
GsPoly gs_poly_add(const GsPoly *a, const GsPoly *b);
GsPoly gs_poly_mul(const GsPoly *a, const GsPoly *b);
GsPoly gs_poly_scale(const GsPoly *a, double k);
double complex gs_poly_eval(const GsPoly *p, double complex s);
void gs_poly_trim(GsPoly *p); /* drop negligible leading terms */

/* Roots of p (degree <= GS_POLY_MAX-1), complex; returns their count. */
int gs_poly_roots(const GsPoly *p, double complex *roots);

/* Rationals. */
GsRational gs_rat_const(double c);
GsRational gs_rat_make(GsPoly num, GsPoly den);
GsRational gs_rat_add(const GsRational *a, const GsRational *b);
GsRational gs_rat_mul(const GsRational *a, const GsRational *b);
GsRational gs_rat_inv(const GsRational *a);
bool gs_rat_is_zero(const GsRational *a);
double complex gs_rat_eval(const GsRational *r, double complex s);
double complex gs_rat_at_hz(const GsRational *r, double hz);

/* Frequency (Hz) of the largest magnitude of r between lo and hi, or of
 * its steepest change when there is no peak: where the bilinear warp
 * should be exact. */
double gs_rat_feature_hz(const GsRational *r, double lo, double hi);

/* Bilinear transform of r at sample rate `rate`, exact at prewarp_hz
 * (clamped below 0.45 rate), into a biquad cascade. Returns false when
 * r has more sections than GS_SOS_MAX or is unstable. */
bool gs_rat_to_sos(const GsRational *r, double rate, double prewarp_hz, GsSosCoefs *out);

/* As gs_rat_to_sos, prewarped at r's feature frequency; then the zeros the
 * bilinear transform crowds towards Nyquist (those at infinity, or a real
 * zero far above the band) move to -beta, with beta chosen to minimize the
 * largest dB error from 20 Hz to 20 kHz: the analog slope then continues
 * towards Nyquist instead of collapsing. About 20 µs; real-time safe. */
bool gs_rat_to_sos_tuned(const GsRational *r, double rate, GsSosCoefs *out);

#endif
