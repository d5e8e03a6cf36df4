#include "dsp/fftw_lock.h"

#include <pthread.h>

static pthread_mutex_t planner = PTHREAD_MUTEX_INITIALIZER;

void gs_fftw_lock(void) {
  pthread_mutex_lock(&planner);
}

void gs_fftw_unlock(void) {
  pthread_mutex_unlock(&planner);
}
