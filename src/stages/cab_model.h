/* Built-in cabinets: an impulse response synthesized from a physical
 * description, for the cab stage. [main] */
#ifndef GS_STAGES_CAB_MODEL_H
#define GS_STAGES_CAB_MODEL_H

#include <stddef.h>

#include "dsp/loudspeaker.h"

typedef struct {
  GsDriver driver;    /* the (low-frequency) driver in its box */
  int drivers;        /* how many, on a square grid */
  double spacing;     /* m between driver centres */
  double depth;       /* m: an open back's extra path for the rear wave (0: closed) */
  double breakup;     /* Hz: first cone break-up resonance (0: none) */
  double baffle;      /* m: baffle width, for the baffle step */
  double crossover;   /* Hz: a two-way's crossover to its tweeter or horn (0: none) */
  double tweeter_fs;  /* Hz: the tweeter's (or horn's) own low-frequency limit */
  double tweeter_dy;  /* m: the tweeter's height above the woofer */
  double radius;      /* m: the driver's effective radius (directivity) */
  double sensitivity; /* dB SPL at 1 m for 1 W into `nominal` ohms, whole cabinet */
  double nominal;     /* ohms */
  double distance;    /* m: microphone from the baffle */
  double offset;      /* m: microphone across from the (first) driver's centre */
} GsCabinet;

/* The pressure at the microphone per volt at the terminals, as an impulse
 * response at rate (pascals per volt per sample). *len receives its
 * length; the caller frees. NULL if out of memory. */
float *gs_cab_synthesize(const GsCabinet *cab, double rate, size_t *len);

#endif
