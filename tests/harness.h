/* Test helpers: build chains from text, drive them, and read figures off
 * the output by methods independent of the code under test (least-squares
 * sine fits, DTFTs of impulse responses). */
#ifndef GS_TEST_HARNESS_H
#define GS_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first */
#include <cmocka.h>

#include "gainstage/gainstage.h"

#define PI 3.14159265358979323846

/* Built with a sanitizer that brings its own allocator (gcc says so with
 * __SANITIZE_*__, clang through __has_feature). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GS_SANITIZER_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GS_SANITIZER_MALLOC 1
#endif
#endif
/* ThreadSanitizer's runtime makes system calls of its own inside
 * instrumented code (its trace buffers), so a syscall filter sees them. */
#if defined(__SANITIZE_THREAD__)
#define GS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GS_TSAN 1
#endif
#endif

/* A chain from text at rate, mono, noise off unless `noise`. Fails the
 * test on error. */
GsChain *h_chain(const char *text, double rate, uint32_t channels, bool noise);

/* Process n mono samples in blocks of `block` (0: all at once). */
void h_run(GsChain *c, const float *in, float *out, size_t n, size_t block);

/* n samples of a sine of peak vpk at hz from phase 0 (malloc'd). */
float *h_sine(size_t n, double vpk, double hz, double rate);

/* Amplitude (peak) and phase of the component at hz in x, by least
 * squares on sin, cos and DC over the whole buffer. */
double h_sine_amplitude(const float *x, size_t n, double hz, double rate, double *phase);

/* Steady-state gain (linear) of the chain for a sine of peak `vpk` at hz:
 * runs `settle` seconds, fits the last `window` seconds. */
double h_sine_gain(GsChain *c, double hz, double vpk, double rate);

/* Complex response at hz from the chain's impulse response (impulse of
 * height `scale`, n samples). */
double h_response_db(const float *ir, size_t n, double scale, double hz, double rate);
float *h_impulse_response(GsChain *c, size_t n, double scale);

double h_rms(const float *x, size_t n);
double h_peak(const float *x, size_t n);
bool h_all_finite(const float *x, size_t n);

/* A normal signal's peak in a chain's input domain: 0.3 V, 0.25 FS, 1 Pa. */
double h_normal_peak(GsDomain domain);
/* Full scale in a domain: 1 FS, 10 V, 100 Pa. */
double h_full_scale(GsDomain domain);

/* Chains with the voicings and models that stages' defaults do not reach
 * (tube preamps and power amps, other voicings, phono, cabinets, class D);
 * with every stage alone, they hold every stage and every parameter. */
extern const char *const h_variant_chains[];
extern const size_t h_n_variant_chains;
double h_db(double ratio);

/* A figure for docs/accuracy.md: printed as "ACCURACY | model | figure |
 * value | bound" and collected by tools/accuracy.py. */
void h_accuracy(const char *model, const char *figure, double value, double bound,
                const char *unit);

/* A curve (x, y) ngspice wrote with `wrdata` (set wr_singlescale). */
typedef struct {
  double *x, *y;
  int n;
} HCurve;

/* Runs `ngspice -b netlist > log`; 0 on success. With GS_SPICE_CACHE set
 * (a directory), the files the netlist's `wrdata` lines write are kept
 * there under a hash of the netlist and restored instead of a second run
 * of the same netlist (`make check` runs the suite twice: plain and under
 * the sanitizers; ngspice, the reference, is not what they check). */
int h_ngspice(const char *netlist, const char *log);

/* Runs `ngspice -b netlist` (its log beside, as ngspice_<data>.log) and
 * reads the file `data` it writes; fails the test if either fails. */
void h_spice_curve(const char *netlist, const char *data, HCurve *out);
double h_curve_at(const HCurve *c, double x); /* linear between points */
void h_curve_free(HCurve *c);

/* Messages from the library collected for assertions. */
typedef struct {
  char text[8192];
  int errors, warnings;
} HLog;
extern GsLog h_log_sink(HLog *log);

#endif
