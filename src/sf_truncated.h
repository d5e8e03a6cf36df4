/* A sound file cut short of what its header promises. [main] */
#ifndef GS_SF_TRUNCATED_H
#define GS_SF_TRUNCATED_H

#include <sndfile.h>
#include <stdbool.h>

/* libsndfile reads a file whose data chunk claims more than the file holds
 * up to where it ends, and says so only in its log ("data : N (should be
 * M)"). True for such a file, with *promised the frames its header claims
 * (scaled from the bytes; info: what sf_open filled in). A streamed file's
 * unknown length (a size of 0 or 0xFFFFFFFF) is not a truncation. */
bool gs_sf_truncated(SNDFILE *sf, const SF_INFO *info, long long *promised);

#endif
