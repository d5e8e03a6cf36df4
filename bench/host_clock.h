/* The clocks of the bench hosts (bench/chainhost.c, bench/ladspahost.c,
 * tests/lv2host.c), so that all three report the same two figures (and
 * host_clock for the convolver's timings, bench_convolver and
 * test_convolver):
 *
 *   run_ns_per_sample  wall time inside the processing call (the calling
 *                      thread only: what a DAW's DSP meter shows)
 *   cpu_ns_per_sample  CPU time of every thread of the process over the
 *                      whole processing loop (input already in memory, no
 *                      file I/O in the loop): includes the work a plugin
 *                      hands to threads of its own (zita-convolver's
 *                      background partitions in x42 zeroconvolv), and is
 *                      not inflated when another process takes the core.
 *
 * bench/measure.py reads both lines. */
#ifndef GS_BENCH_HOST_CLOCK_H
#define GS_BENCH_HOST_CLOCK_H

#include <stdio.h>
#include <time.h>

static inline double host_clock(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds of the monotonic clock. */
static inline double host_wall(void) {
  return host_clock(CLOCK_MONOTONIC);
}

/* Seconds of CPU used by all threads of this process. */
static inline double host_cpu(void) {
  return host_clock(CLOCK_PROCESS_CPUTIME_ID);
}

static inline void host_print_times(double run_wall, double loop_cpu, double frames) {
  if (frames < 1.0) frames = 1.0; /* empty input: 0 */
  printf("run_ns_per_sample %.3f\ncpu_ns_per_sample %.3f\n", 1e9 * run_wall / frames,
         1e9 * loop_cpu / frames);
}

#endif
