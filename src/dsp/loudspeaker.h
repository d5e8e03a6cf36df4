/* A moving-coil driver in its box, from Thiele–Small parameters:
 * electrical impedance, the shape of its pressure response, and cone
 * excursion, as rational functions of s. Shared by the speaker and cab
 * stages.
 *
 * Sources: A. N. Thiele, "Loudspeakers in vented boxes", 1961; R. H. Small,
 * "Closed-box loudspeaker systems" (JAES 1972) and "Vented-box loudspeaker
 * systems" (JAES 1973). */
#ifndef GS_DSP_LOUDSPEAKER_H
#define GS_DSP_LOUDSPEAKER_H

#include <stdbool.h>

#include "dsp/rational.h"

typedef struct {
  double re, le;       /* ohms, henries */
  double fs, qms, qes; /* free-air resonance and Qs */
  double vas;          /* litres: equivalent compliance volume */
  double sd;           /* cm^2: cone area (0: unknown) */
  double box;          /* litres (0: infinite baffle, or an open back) */
  double port;         /* Hz: vented-box tuning (0: sealed) */
} GsDriver;

double gs_driver_qts(const GsDriver *d);

/* Electrical impedance. In a sealed box the resonance moves to
 * fc = fs sqrt(1 + Vas/Vb) and the Qs scale alike; a vented box is shown
 * with its sealed resonance (the port's second peak is not modelled). */
GsRational gs_driver_impedance(const GsDriver *d);

/* The pressure response's shape (not its level): Small's closed-box or
 * vented-box high-pass, or the free-air one in an infinite baffle, times
 * the voice coil's inductive roll-off Re / (Re + s Le). */
GsRational gs_driver_pressure(const GsDriver *d);

/* A sensitivity in dB SPL for 1 W (by the data sheets' convention 2.83 V
 * into a nominal 8 ohms, so sqrt(nominal) volts), at 1 m on axis: the rms
 * pascals there per rms volt, and the dB SPL there for vrms. */
double gs_sensitivity_pa_per_volt(double sensitivity_db, double nominal_ohms);
double gs_sensitivity_spl(double sensitivity_db, double nominal_ohms, double vrms);

/* How the on-axis pressure of a baffled piston of radius a (metres) falls
 * with distance r at low frequencies: 2 / (r + sqrt(r^2 + a^2)), which is
 * 1/r far away and levels off at 2/a against the cone (Kinsler et al.,
 * "Fundamentals of Acoustics", the baffled piston's axial pressure
 * 2 rho c U |sin(k (sqrt(r^2 + a^2) - r) / 2)| for small k). a = 0: 1/r. */
double gs_piston_spreading(double r, double a);

/* Cone displacement per volt (metres) for sealed and infinite-baffle
 * mounting, from Mms, Cms, Bl and Rms derived from the TS parameters and
 * Sd. false when Sd is unknown or the box is vented. */
bool gs_driver_excursion(const GsDriver *d, GsRational *out);

#endif
