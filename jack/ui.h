/* The rig's terminal UI (ncurses): strips with meters and clip lights, the
 * selected strip's parameters, monitor and headphone views, xruns and DSP
 * load. `?` shows the keys. [main] */
#ifndef GS_JACK_UI_H
#define GS_JACK_UI_H

#include "session.h"

/* Run until the user quits, a signal stops it, the server goes away, or
 * seconds (> 0) pass. */
void gs_ui_run(GsSession *s, double seconds);

#endif
