#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "gs_config.h"
#include "stage.h"

void gs_log(const GsLog *log, GsLogLevel level, const char *fmt, ...) {
  if (!log || !log->func) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  log->func(log->handle, level, msg);
}

bool gs_warn_format(char *msg, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, size, fmt, ap);
  va_end(ap);
  return true;
}

bool gs_warn_count(uint64_t count, uint64_t *seen, char *msg, size_t size, const char *what) {
  if (count <= *seen) return false;
  unsigned long long d = count - *seen;
  *seen = count;
  return gs_warn_format(msg, size, "%s in %llu sample%s", what, d, d == 1 ? "" : "s");
}

const char *gs_strerror(GsStatus status) {
  switch (status) {
    case GS_OK: return "success";
    case GS_ERR_NOMEM: return "out of memory";
    case GS_ERR_SYNTAX: return "malformed chain text";
    case GS_ERR_UNKNOWN_STAGE: return "unknown stage";
    case GS_ERR_UNKNOWN_PARAM: return "unknown parameter";
    case GS_ERR_BAD_VALUE: return "bad value";
    case GS_ERR_RANGE: return "value out of range";
    case GS_ERR_CHAIN: return "stages cannot be connected";
    case GS_ERR_UNAVAILABLE: return "not available yet";
    case GS_ERR_NOT_REALTIME: return "parameter cannot change while running";
    case GS_ERR_IO: return "input/output error";
    case GS_ERR_ARG: return "bad argument";
  }
  return "unknown status";
}

const char *gs_version(void) {
  return GS_VERSION_STRING;
}
