/* D. T. Yeh and J. O. Smith's closed-form transfer function of the TMB
 * tone stack ("Discretization of the '59 Fender Bassman tone stack", DAFx
 * 2006), typed in from the paper for the tests: an independent reference
 * for the library's nodal solver. */
#ifndef GS_TEST_YEH_H
#define GS_TEST_YEH_H

#include <complex.h>

typedef struct {
  double c1, c2, c3, r1, r2, r3, r4;
} Tmb;

static const Tmb bassman = {250e-12, 20e-9, 20e-9, 250e3, 1e6, 25e3, 56e3};
static const Tmb jcm800 = {470e-12, 22e-9, 22e-9, 220e3, 1e6, 22e3, 33e3};

/* Yeh & Smith 2006: H(s) = (b1 s + b2 s^2 + b3 s^3) / (a0 + a1 s + a2 s^2 +
 * a3 s^3), t, m, l the treble, mid and bass pot positions. */
static inline double complex yeh(const Tmb *k, double t, double m, double l, double hz) {
  double C1 = k->c1, C2 = k->c2, C3 = k->c3, R1 = k->r1, R2 = k->r2, R3 = k->r3, R4 = k->r4;
  double b1 = t * C1 * R1 + m * C3 * R3 + l * (C1 * R2 + C2 * R2) + (C1 * R3 + C2 * R3);
  double b2 = t * (C1 * C2 * R1 * R4 + C1 * C3 * R1 * R4) -
              m * m * (C1 * C3 * R3 * R3 + C2 * C3 * R3 * R3) +
              m * (C1 * C3 * R1 * R3 + C1 * C3 * R3 * R3 + C2 * C3 * R3 * R3) +
              l * (C1 * C2 * R1 * R2 + C1 * C2 * R2 * R4 + C1 * C3 * R2 * R4) +
              l * m * (C1 * C3 * R2 * R3 + C2 * C3 * R2 * R3) +
              (C1 * C2 * R1 * R3 + C1 * C2 * R3 * R4 + C1 * C3 * R3 * R4);
  double b3 = l * m * (C1 * C2 * C3 * R1 * R2 * R3 + C1 * C2 * C3 * R2 * R3 * R4) -
              m * m * (C1 * C2 * C3 * R1 * R3 * R3 + C1 * C2 * C3 * R3 * R3 * R4) +
              m * (C1 * C2 * C3 * R1 * R3 * R3 + C1 * C2 * C3 * R3 * R3 * R4) +
              t * C1 * C2 * C3 * R1 * R3 * R4 - t * m * C1 * C2 * C3 * R1 * R3 * R4 +
              t * l * C1 * C2 * C3 * R1 * R2 * R4;
  double a1 =
      (C1 * R1 + C1 * R3 + C2 * R3 + C2 * R4 + C3 * R4) + m * C3 * R3 + l * (C1 * R2 + C2 * R2);
  double a2 = m * (C1 * C3 * R1 * R3 - C2 * C3 * R3 * R4 + C1 * C3 * R3 * R3 + C2 * C3 * R3 * R3) +
              l * m * (C1 * C3 * R2 * R3 + C2 * C3 * R2 * R3) -
              m * m * (C1 * C3 * R3 * R3 + C2 * C3 * R3 * R3) +
              l * (C1 * C2 * R2 * R4 + C1 * C2 * R1 * R2 + C1 * C3 * R2 * R4 + C2 * C3 * R2 * R4) +
              (C1 * C2 * R1 * R4 + C1 * C3 * R1 * R4 + C1 * C2 * R3 * R4 + C1 * C2 * R1 * R3 +
               C1 * C3 * R3 * R4 + C2 * C3 * R3 * R4);
  double a3 = l * m * (C1 * C2 * C3 * R1 * R2 * R3 + C1 * C2 * C3 * R2 * R3 * R4) -
              m * m * (C1 * C2 * C3 * R1 * R3 * R3 + C1 * C2 * C3 * R3 * R3 * R4) +
              m * (C1 * C2 * C3 * R3 * R3 * R4 + C1 * C2 * C3 * R1 * R3 * R3 -
                   C1 * C2 * C3 * R1 * R3 * R4) +
              l * C1 * C2 * C3 * R1 * R2 * R4 + C1 * C2 * C3 * R1 * R3 * R4;
  double complex s = I * 2 * PI * hz;
  return (b1 * s + b2 * s * s + b3 * s * s * s) / (1 + a1 * s + a2 * s * s + a3 * s * s * s);
}

#endif
