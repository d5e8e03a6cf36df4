/* Messages to the caller's sink. [main] only: formatting may allocate. */
#ifndef GS_LOG_H
#define GS_LOG_H

#include "gainstage/gainstage.h"

void gs_log(const GsLog *log, GsLogLevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
