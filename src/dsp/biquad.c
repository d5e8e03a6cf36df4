#include "dsp/biquad.h"

#include <math.h>

GsBiquad gs_biquad_design(GsBiquadKind kind, double f0, double gain_db, double q, double rate) {
  const double pi = 3.14159265358979323846;
  f0 = fmin(fmax(f0, 1e-3), 0.49 * rate);
  q = fmax(q, 1e-3);
  double A = pow(10.0, gain_db / 40.0);
  double w0 = 2.0 * pi * f0 / rate;
  double cw = cos(w0), alpha = sin(w0) / (2.0 * q);
  double b0, b1, b2, a0, a1, a2;
  switch (kind) {
    case GS_BQ_PEAK:
      b0 = 1.0 + alpha * A;
      b1 = -2.0 * cw;
      b2 = 1.0 - alpha * A;
      a0 = 1.0 + alpha / A;
      a1 = -2.0 * cw;
      a2 = 1.0 - alpha / A;
      break;
    case GS_BQ_LOWSHELF: {
      double k = 2.0 * sqrt(A) * alpha;
      b0 = A * ((A + 1) - (A - 1) * cw + k);
      b1 = 2 * A * ((A - 1) - (A + 1) * cw);
      b2 = A * ((A + 1) - (A - 1) * cw - k);
      a0 = (A + 1) + (A - 1) * cw + k;
      a1 = -2 * ((A - 1) + (A + 1) * cw);
      a2 = (A + 1) + (A - 1) * cw - k;
      break;
    }
    case GS_BQ_HIGHSHELF: {
      double k = 2.0 * sqrt(A) * alpha;
      b0 = A * ((A + 1) + (A - 1) * cw + k);
      b1 = -2 * A * ((A - 1) + (A + 1) * cw);
      b2 = A * ((A + 1) + (A - 1) * cw - k);
      a0 = (A + 1) - (A - 1) * cw + k;
      a1 = 2 * ((A - 1) - (A + 1) * cw);
      a2 = (A + 1) - (A - 1) * cw - k;
      break;
    }
    case GS_BQ_HIGHPASS:
      b0 = (1.0 + cw) / 2.0;
      b1 = -(1.0 + cw);
      b2 = (1.0 + cw) / 2.0;
      a0 = 1.0 + alpha;
      a1 = -2.0 * cw;
      a2 = 1.0 - alpha;
      break;
    case GS_BQ_LOWPASS:
    default:
      b0 = (1.0 - cw) / 2.0;
      b1 = 1.0 - cw;
      b2 = (1.0 - cw) / 2.0;
      a0 = 1.0 + alpha;
      a1 = -2.0 * cw;
      a2 = 1.0 - alpha;
      break;
  }
  GsBiquad q2 = {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
  return q2;
}
