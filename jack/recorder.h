/* The take recorder of the real-time rig: the audio thread hands planar
 * frames to a lock-free ring (JACK's jack_ringbuffer_t, single producer,
 * single consumer); a disk thread drains it into one multichannel file per
 * take, DIR/take-NNN.w64 or .rf64, 32-bit float. The header is rewritten
 * twice a second so that a killed process leaves a readable file missing at
 * most the last second. A full disk, a write error or a ring overflow (the
 * disk could not keep up) ends the take cleanly with a message for the main
 * thread; the next take can start.
 *
 * Threading classes as in gainstage.h. All [main] calls come from one thread;
 * gs_recorder_write from one audio thread at a time. The process should
 * ignore SIGXFSZ so that a file size limit is a write error, not a kill.
 */
#ifndef GS_JACK_RECORDER_H
#define GS_JACK_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gainstage/gainstage.h"

typedef struct GsRecorder GsRecorder;

typedef enum { GS_REC_W64, GS_REC_RF64 } GsRecFormat;

enum { GS_REC_MAX_CHANNELS = 64 };
#define GS_REC_RING_SECONDS 2.0 /* the ring's length when 0 is asked for */

/* A recorder of `channels` (1..64) at `rate` Hz into the existing, writable
 * directory `dir`. ring_seconds: the ring's length (0: GS_REC_RING_SECONDS;
 * at most 60). On failure, `why` gets a sentence. [main] */
GsStatus gs_recorder_new(const char *dir, uint32_t channels, uint32_t rate, GsRecFormat format,
                         double ring_seconds, GsRecorder **out, char *why, size_t why_size);

/* Stops any take (draining the ring), frees everything. NULL ok. [main] */
void gs_recorder_free(GsRecorder *r);

/* Opens the next take file (the first free take-NNN from 001; an existing
 * file is never overwritten) and starts accepting frames. Its path goes to
 * `path` (may be NULL). Fails if a take is running. [main] */
GsStatus gs_recorder_start(GsRecorder *r, char *path, size_t path_size, char *why, size_t why_size);

/* Ends the take: stops accepting frames, writes what the ring holds,
 * finalizes and closes the file. Nothing happens if no take runs. [main] */
void gs_recorder_stop(GsRecorder *r);

/* Hands n frames, planar channels[c][0..n), to the running take; ignored
 * when none runs. Copies into the ring and touches atomics: no allocation,
 * lock, syscall or I/O. If the ring is full the frames are lost and the
 * take ends with a message. [audio] */
void gs_recorder_write(GsRecorder *r, const float *const *channels, uint32_t n);

/* Whether a take is running; `seconds` (may be NULL) gets the seconds on
 * disk of the running or last take. If a take ended by itself, `message`
 * gets why, once; otherwise "" (message may be NULL). [main] */
bool gs_recorder_poll(GsRecorder *r, double *seconds, char *message, size_t size);

#endif
