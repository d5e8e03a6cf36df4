/* The rig as a JACK client: its ports, the process callback that hands
 * them to the engine, latency reporting, xrun counting, buffer-size and
 * sample-rate changes, and the server going away. All [main] unless said. */
#ifndef GS_JACK_CLIENT_H
#define GS_JACK_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "rig.h"

typedef struct GsRigClient GsRigClient;

/* Connect to the running server (never starts one) as `name`, build the
 * engine at the server's rate and register the ports:
 *   STRIP_in (or STRIP_in1, STRIP_in2 ... for several), return_L, return_R,
 *   monA_L, monA_R, monB_L, monB_R, phonesN_L, phonesN_R, midi_in.
 * GS_ERR_IO with why "no JACK server ..." when there is none. */
GsStatus gs_client_open(const char *name, const GsRig *rig, const GsLog *log, GsRigClient **out,
                        char *why, size_t why_size);
/* Start processing and make the connections the rig file names (a port
 * that does not exist is reported to log, not fatal). */
GsStatus gs_client_start(GsRigClient *c, const GsLog *log, char *why, size_t why_size);
void gs_client_close(GsRigClient *c);

/* The engine now playing (replaced if the server's rate changes). */
GsEngine *gs_client_engine(GsRigClient *c);
/* The client's name as the server knows it. */
const char *gs_client_name(const GsRigClient *c);

typedef struct {
  uint32_t xruns;
  float dsp_load; /* the server's, percent */
  uint32_t rate, period;
  uint32_t latency; /* the engine's, samples */
  /* the process callback's own time per cycle, mean and worst, in µs: what
   * the rig costs, apart from what the machine's scheduler does */
  double callback_mean_us, callback_worst_us;
} GsClientStats;
void gs_client_stats(GsRigClient *c, GsClientStats *out);

/* False once the server has gone; why says what it said. */
bool gs_client_alive(GsRigClient *c, char *why, size_t why_size);

/* Rebuild the engine if the server's rate changed (call from the main
 * loop); the control values carry over, and the old chains report what
 * their stages counted since the last gs_engine_poll to log. */
GsStatus gs_client_follow_rate(GsRigClient *c, const GsLog *log);

#endif
