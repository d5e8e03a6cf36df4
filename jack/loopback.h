/* The analyzer's loopback through JACK: a GsSystem that plays the stimulus
 * into one port and records another — a real interface with a cable from
 * an output to an input, or any JACK client (a plug-in host, a hardware
 * insert) between them.
 *
 * Two clients in one process, a player that owns the output port and a
 * recorder that owns the input port, so that player -> the system under
 * test -> recorder runs in one cycle (one client doing both would close a
 * loop JACK breaks with a period of delay). The capture is aligned to the
 * first played frame sample for sample; the analyzer finds the loop's
 * latency itself.
 *
 * Everything here is [main] but the process callbacks inside, which only
 * copy samples between the ports and buffers the main thread handed over
 * while they were idle: no allocation, lock or I/O. */
#ifndef GS_JACK_LOOPBACK_H
#define GS_JACK_LOOPBACK_H

#include "gainstage/analyze.h"

typedef struct GsLoopback GsLoopback;

/* Open the player and the recorder, connect the player to play_to (a port
 * that takes audio in) and record_from (a port that gives audio out) to the
 * recorder, and wait for the graph to run. GS_ERR_IO when no JACK server
 * runs or it fails (the log says which); GS_ERR_BAD_VALUE when a port does
 * not exist or points the wrong way (the log names it and lists the ports
 * there are). [main] */
GsStatus gs_loopback_new(const char *play_to, const char *record_from, const GsLog *log,
                         GsLoopback **out);

/* Close both clients; NULL is fine. [main] */
void gs_loopback_free(GsLoopback *lb);

/* The loop as a system for gs_measure: the server's rate, full scale at
 * both ends, process_all (it cannot stream), and for reported_latency
 * what JACK's port latencies say of the loop (0 if nothing says). A run
 * an xrun spoils is played again (up to 5 times). A run fails with
 * GS_ERR_IO when the server stops or stalls (and every later one at once)
 * or xruns spoil every attempt; the log says which. The loopback must
 * outlive the system. [main] */
void gs_loopback_system(GsLoopback *lb, GsSystem *out);

/* The server's sample rate. [main] */
double gs_loopback_rate(const GsLoopback *lb);

#endif
