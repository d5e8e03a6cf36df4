#include "sf_truncated.h"

#include <stdio.h>
#include <string.h>

bool gs_sf_truncated(SNDFILE *sf, const SF_INFO *info, long long *promised) {
  char log[8192] = "";
  sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log);
  for (const char *p = strstr(log, "\ndata : "); p; p = strstr(p + 1, "\ndata : ")) {
    long long said, is;
    if (sscanf(p, "\ndata : %lld (should be %lld)", &said, &is) != 2) continue;
    if (said <= is || is <= 0 || said == 0xFFFFFFFFLL) continue; /* streamed, or longer */
    *promised = (long long)((double)info->frames * (double)said / (double)is + 0.5);
    return true;
  }
  return false;
}
