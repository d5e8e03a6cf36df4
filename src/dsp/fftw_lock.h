/* FFTW's planner is not thread-safe: every plan made or destroyed in the
 * library holds this lock, so chains may be built on several threads at
 * once (an LV2 host's worker threads, for one). Executing plans needs no
 * lock. [main] */
#ifndef GS_DSP_FFTW_LOCK_H
#define GS_DSP_FFTW_LOCK_H

void gs_fftw_lock(void);
void gs_fftw_unlock(void);

#endif
