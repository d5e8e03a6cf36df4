/* The preamp's tube voicing: common-cathode triode stages in cascade,
 * solved together (each stage's grid current loads the one before), with
 * a 1 MΩ audio-taper gain pot after the first stage (before it when there
 * is one). `gain` sets the pot for that small-signal gain at 1 kHz, up to
 * what the cascade gives with the pot full up. */
#ifndef GS_STAGES_PREAMP_TUBE_H
#define GS_STAGES_PREAMP_TUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsp/dk.h"
#include "dsp/koren.h"
#include "dsp/oversample.h"

typedef struct GsTubePreamp GsTubePreamp;

/* [main] NULL on failure (why says why). */
/* factor: oversampling, 0 for what keeps aliasing at bay at gain_db;
 * phase: its filters'. */
GsTubePreamp *gs_tube_preamp_new(const GsTriodeModel *tube, int stages, double input_ohms,
                                 double load_ohms, double rate, double gain_db, int factor,
                                 GsOsPhase phase, char *why, size_t why_size);
void gs_tube_preamp_free(GsTubePreamp *tp);

/* The pot turned to give gain_db, gliding there over `glide` samples;
 * false if gain_db is beyond the pot's reach (it stops at its end).
 * [audio] */
bool gs_tube_preamp_set_gain(GsTubePreamp *tp, double gain_db, uint32_t glide);
void gs_tube_preamp_process(GsTubePreamp *tp, float *buf, uint32_t n); /* [audio] in place */
void gs_tube_preamp_reset(GsTubePreamp *tp);
uint32_t gs_tube_preamp_latency(const GsTubePreamp *tp);
uint64_t gs_tube_preamp_failures(const GsTubePreamp *tp);      /* gs_tube_runner_failures */
uint32_t gs_tube_preamp_latency_slack(const GsTubePreamp *tp); /* gs_os_latency_slack */
/* The small-signal gains at 1 kHz the pot spans, its ends. [any thread] */
void gs_tube_preamp_gain_reach(const GsTubePreamp *tp, double *lo_db, double *hi_db);
bool gs_tube_preamp_reaches(const GsTubePreamp *tp, double gain_db);
/* The cascade's circuit as it is solved, for tests that look inside it
 * (which path took its samples) or steer it (the K path off). [main] */
GsDkSolver *gs_tube_preamp_solver(GsTubePreamp *tp);

#endif
