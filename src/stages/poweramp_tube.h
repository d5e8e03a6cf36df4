/* The poweramp's tube type: the output section of src/dsp/pushpull.h,
 * designed from the ratings (watts into the rated load) with the tube's
 * own published operating limits, run oversampled. */
#ifndef GS_STAGES_POWERAMP_TUBE_H
#define GS_STAGES_POWERAMP_TUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsp/oversample.h"
#include "dsp/pushpull.h"
#include "dsp/rational.h"

enum { GS_PA_EL34, GS_PA_6L6GC, GS_PA_EL84, GS_PA_6V6, GS_PA_TUBES };

typedef struct {
  int tube;           /* GS_PA_* */
  bool single_ended;  /* class A single-ended, else push-pull class AB */
  double watts, load; /* rating */
  double gain_db;     /* small-signal gain at 1 kHz into the rated load */
  double feedback_db; /* global feedback at 1 kHz (presence, resonance 0) */
  double presence, resonance;
  double sag_ohms, filter_farads;
  int factor;      /* oversampling */
  GsOsPhase phase; /* its filters' */
} GsTubePowerSpec;

typedef struct GsTubePoweramp GsTubePoweramp;

/* The output section for spec, or false with why (watts out of reach of
 * 1-8 tubes a side at 40-130 % of the tube's usual supply). [main] */
bool gs_tube_power_design(const GsTubePowerSpec *spec, GsPushPullDesign *d, char *why,
                          size_t why_size);

/* yload: the load's admittance (NULL: the rated resistor). [main] */
GsTubePoweramp *gs_tube_poweramp_new(const GsTubePowerSpec *spec, const GsRational *yload,
                                     double rate, char *why, size_t why_size);
void gs_tube_poweramp_free(GsTubePoweramp *tp);

/* [audio] */
void gs_tube_poweramp_set_gain(GsTubePoweramp *tp, double gain_db);
/* The feedback network morphs to the new values over `glide` samples. */
void gs_tube_poweramp_set_feedback(GsTubePoweramp *tp, double feedback_db, double presence,
                                   double resonance, uint32_t glide);
void gs_tube_poweramp_process(GsTubePoweramp *tp, float *buf, uint32_t n); /* in place */
void gs_tube_poweramp_reset(GsTubePoweramp *tp);
uint32_t gs_tube_poweramp_latency(const GsTubePoweramp *tp);
uint32_t gs_tube_poweramp_latency_slack(const GsTubePoweramp *tp); /* gs_os_latency_slack */
uint64_t gs_tube_poweramp_failures(const GsTubePoweramp *tp);

/* The circuit inside, for tests and the plan. */
const GsPushPull *gs_tube_poweramp_circuit(const GsTubePoweramp *tp);

#endif
