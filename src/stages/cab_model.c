/* Built-in cabinets from a physical description.
 *
 * The pressure at the microphone is summed over paths, each an analog
 * (minimum-phase) response times its travel time:
 *   - every driver's front wave: the driver in its box (Thiele–Small,
 *     src/dsp/loudspeaker.c), cone break-up (resonances above `breakup`,
 *     then a steep roll-off), and the piston's loss of highs off its axis
 *     (a 2nd-order low-pass at 1.6 c / (a sin theta)); the piston's fall
 *     with distance (1/r far away, levelling off against the cone);
 *   - an open back's rear wave: inverted, `depth` further, its highs lost
 *     around the cabinet's edge: the low-frequency cancellation of open
 *     combos;
 *   - a two-way's tweeter or horn, Linkwitz–Riley crossed (4th order,
 *     acoustic slopes: the crossover makes up the woofer's coil roll-off);
 *   - beyond 0.3 m, the baffle step: 6 dB less below ~115 Hz·m / width.
 * Drivers sit on a square grid; the mic faces the first one, `offset` from
 * its centre, `distance` away, so several drivers comb as they do in a
 * real 4x12. The level is the cabinet's sensitivity at 1 m on axis at
 * 1 kHz. The sum is sampled on a fine frequency grid and inverse-FFT'd. */
#include "stages/cab_model.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/fft.h"

#define PI 3.14159265358979323846
#define C_AIR 343.0

typedef double complex Cx;

/* Analog prototypes, evaluated at s = j w. */
static Cx lowpass2(Cx s, double w, double q) {
  return w * w / (s * s + s * w / q + w * w);
}
static Cx highpass2(Cx s, double w, double q) {
  return s * s / (s * s + s * w / q + w * w);
}

/* Peaking resonance: (s^2 + s A w/Q + w^2) / (s^2 + s w/(A Q) + w^2). */
static Cx peak(Cx s, double w, double db, double q) {
  double a = pow(10.0, db / 40.0);
  return (s * s + s * a * w / q + w * w) / (s * s + s * w / (a * q) + w * w);
}

/* A 12-inch paper cone: a lift, a dip and a lift, then a steep fall. */
static Cx breakup(Cx s, double fb) {
  if (!(fb > 0.0)) return 1.0;
  double w = 2.0 * PI * fb;
  return peak(s, w, 5.0, 2.5) * peak(s, 1.45 * w, -7.0, 4.0) * peak(s, 2.1 * w, 4.0, 3.0) *
         lowpass2(s, 2.0 * w, 0.6) * lowpass2(s, 2.4 * w, 0.6);
}

/* A piston of radius a, seen at theta off its axis. */
static Cx directivity(Cx s, double a, double sin_theta) {
  if (sin_theta < 1e-3) return 1.0;
  return lowpass2(s, 1.6 * C_AIR / (a * sin_theta), M_SQRT1_2);
}

static Cx linkwitz_riley4(Cx s, double w, bool high) {
  Cx b = high ? highpass2(s, w, M_SQRT1_2) : lowpass2(s, w, M_SQRT1_2);
  return b * b;
}

typedef struct {
  double x, y; /* mic across the baffle from the first driver, metres */
  double d;    /* mic distance from the baffle */
} Mic;

/* Pressure per volt at the mic, before the level is set. */
static Cx pressure(const GsCabinet *c, const GsRational *box, double hz, const Mic *mic, bool far) {
  Cx s = I * 2.0 * PI * hz;
  Cx lf = gs_rat_eval(box, s) * breakup(s, c->breakup);
  if (c->crossover > 0.0) lf *= linkwitz_riley4(s, 2.0 * PI * c->crossover, false);
  int n = c->drivers < 1 ? 1 : c->drivers, side = n > 2 ? 2 : n;
  double r0 = hypot(hypot(mic->x, mic->y), mic->d);
  Cx sum = 0.0;
  for (int i = 0; i < n; i++) {
    /* grid position relative to the first driver */
    double px = (i % side) * c->spacing, py = (i / side) * c->spacing;
    double dx = mic->x - px, dy = mic->y - py, r = hypot(hypot(dx, dy), mic->d);
    Cx front =
        lf * directivity(s, c->radius, hypot(dx, dy) / r) * gs_piston_spreading(r, c->radius);
    sum += front * cexp(-s * (r - r0) / C_AIR);
    if (c->depth > 0.0) {
      double rr = r + c->depth;
      Cx back = -lf * lowpass2(s, C_AIR / c->depth, 0.5) * gs_piston_spreading(rr, c->radius);
      sum += back * cexp(-s * (rr - r0) / C_AIR);
    }
  }
  if (c->crossover > 0.0) {
    double dx = mic->x, dy = mic->y - c->tweeter_dy, r = hypot(hypot(dx, dy), mic->d);
    Cx t = linkwitz_riley4(s, 2.0 * PI * c->crossover, true) *
           highpass2(s, 2.0 * PI * c->tweeter_fs, 0.8) * lowpass2(s, 2.0 * PI * 18000.0, 0.7) *
           directivity(s, 0.0125, hypot(dx, dy) / r) * gs_piston_spreading(r, 0.0125);
    sum += t * cexp(-s * (r - r0) / C_AIR);
  }
  if (far && c->baffle > 0.0) {
    double w1 = 2.0 * PI * 115.0 / c->baffle / M_SQRT2;
    sum *= (s + w1) / (s + 2.0 * w1);
  }
  return sum;
}

/* Scale so that 1 W into the nominal impedance gives the sensitivity at
 * 1 m on the cabinet's axis, at 1 kHz. */
static double level(const GsCabinet *c, const GsRational *box) {
  int n = c->drivers < 1 ? 1 : c->drivers, side = n > 2 ? 2 : n;
  double centre = 0.5 * (side - 1) * c->spacing;
  Mic axis = {centre, (n > 2 ? centre : 0.0) + (c->crossover > 0.0 ? 0.5 * c->tweeter_dy : 0.0),
              1.0};
  double at_1k = cabs(pressure(c, box, 1000.0, &axis, true));
  double pa = gs_sensitivity_pa_per_volt(c->sensitivity, c->nominal);
  return at_1k > 0.0 ? pa / at_1k : 0.0;
}

float *gs_cab_synthesize(const GsCabinet *c, double rate, size_t *len) {
  size_t n = 1;
  while ((double)n < 0.25 * rate) n <<= 1;
  GsFft *f = gs_fft_new(n);
  float *ir = malloc(n * sizeof(float));
  if (!f || !ir) {
    gs_fft_free(f);
    free(ir);
    return NULL;
  }
  /* a two-way's crossover is taken as designed for acoustic LR4 slopes,
   * so it makes up the woofer's own voice-coil roll-off */
  GsDriver woofer = c->driver;
  if (c->crossover > 0.0) woofer.le = 0.0;
  GsRational box = gs_driver_pressure(&woofer);
  Mic mic = {c->offset, 0.0, c->distance};
  bool far = c->distance >= 0.3;
  double k = level(c, &box);
  double complex *bins = gs_fft_bins(f);
  bins[0] = 0.0;
  for (size_t b = 1; b <= n / 2; b++) {
    double hz = (double)b * rate / (double)n;
    bins[b] = k * pressure(c, &box, hz, &mic, far) / (double)n;
  }
  bins[n / 2] = creal(bins[n / 2]);
  const double *h = gs_fft_inverse(f);
  /* keep what holds all but 1e-9 of the energy; fade the last 10 % */
  double total = 0.0, acc = 0.0;
  for (size_t i = 0; i < n; i++) total += h[i] * h[i];
  size_t keep = n;
  for (size_t i = 0; i < n; i++) {
    acc += h[i] * h[i];
    if (acc >= total * (1.0 - 1e-9)) {
      keep = i + 1;
      break;
    }
  }
  if (keep < 256) keep = n < 256 ? n : 256;
  size_t fade = keep / 10 + 1;
  for (size_t i = 0; i < keep; i++) {
    double g = i + fade >= keep ? 0.5 + 0.5 * cos(PI * (double)(i + fade - keep + 1) / fade) : 1.0;
    ir[i] = (float)(h[i] * g);
  }
  gs_fft_free(f);
  *len = keep;
  return ir;
}
