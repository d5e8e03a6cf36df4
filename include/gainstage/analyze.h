/* gainstage analyzer: a bench audio analyzer for any system that turns
 * samples into samples — a chain, a plug-in, or a real interface through
 * loopback. Everything here is [main]: it allocates and may take seconds.
 *
 * Conventions: levels are rms; dBu re 0.7746 V, dBV re 1 V; a level in dBFS
 * is re the rms of a full-scale sine (AES17), so a sine whose peaks reach
 * full scale reads 0 dBFS. THD and THD+N are ratios to the fundamental.
 * Bands are 20 Hz – 20 kHz (or to 0.45 of the rate if lower). */
#ifndef GAINSTAGE_ANALYZE_H
#define GAINSTAGE_ANALYZE_H

#include "gainstage/gainstage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------- the system */

/* What the analyzer drives: a mono process callback and what it knows. */
typedef struct {
  void *ctx;
  double rate;
  GsDomain input, output; /* volts or full scale at each end */
  void (*process)(void *ctx, const float *in, float *out, uint32_t n);
  /* Systems that cannot stream, like a loopback through JACK, get the whole
   * stimulus at once instead (a real-time loop fed in blocks would play
   * gaps between them): out[i] is the output at the time in[i] went in.
   * NULL for systems that stream; if set, process may be NULL. */
  GsStatus (*process_all)(void *ctx, const float *in, float *out, size_t n);
  void (*reset)(void *ctx);              /* may be NULL */
  void (*set_noise)(void *ctx, bool on); /* may be NULL: noise is part of it */
  /* Power absorbed per volt^2 at hz by the load the output drives
   * (Re{Y}); NULL if the output is not a load. */
  double (*load_siemens)(void *ctx, double hz);
  double nominal_level;      /* dBu or dBFS at the input */
  uint32_t reported_latency; /* samples, as the system reports it */
  uint32_t latency_slack;    /* samples the measured latency may trail it by
                                (minimum-phase filters; 0 for a pure delay) */
  bool excess_phase;         /* its response is not minimum phase by nature: the
                                measured latency may exceed the reported */
} GsSystem;

/* A built chain (1 input channel, 1 output channel) as a system. The chain
 * must outlive the system. */
GsStatus gs_system_for_chain(GsChain *chain, GsSystem *out);

/* ------------------------------------------------------ analysis pieces */

#define GS_HARMONICS 10

/* A tone in a buffer, by coherent FFT analysis (7-term Blackman–Harris
 * window, ±8-bin lobes). Harmonics at or above Nyquist are NaN. */
typedef struct {
  double freq_hz;
  double fund_rms;               /* H1, rms */
  double harm_rms[GS_HARMONICS]; /* [0] = H1 ... [9] = H10 */
  double thd;                    /* ratio */
  double thd_n;                  /* ratio, band-limited, fundamental notched */
  double dc;                     /* mean */
  double rms;                    /* total, DC removed */
  double peak;                   /* largest |x| */
  double spur_ratio;             /* strongest non-harmonic component / H1 */
  double spur_hz;
} GsToneAnalysis;

/* n should be a power of two; freq_hz is used as given (callers pick a
 * frequency on a bin, see gs_coherent_freq). */
GsStatus gs_analyze_tone(const float *x, size_t n, double rate, double freq_hz,
                         GsToneAnalysis *out);

/* The frequency nearest hz that completes a whole number of cycles in n
 * samples, so every harmonic falls exactly on an FFT bin. */
double gs_coherent_freq(double hz, size_t n, double rate);

/* Noise in a buffer, by Welch's method (Hann, 50 % overlap). */
typedef struct {
  double rms_band; /* 20 Hz – 20 kHz */
  double rms_a;    /* A-weighted, 20 Hz – 20 kHz */
  double rms_full; /* everything but DC, to Nyquist */
} GsNoiseAnalysis;

GsStatus gs_analyze_noise(const float *x, size_t n, double rate, GsNoiseAnalysis *out);

/* A-weighting in dB at hz (IEC 61672-1, 0 dB at 1 kHz). */
double gs_a_weighting_db(double hz);

/* -------------------------------------------------------- measurement */

typedef struct {
  double freq_hz;   /* stepped-sine frequency (0: 1 kHz) */
  double level;     /* input level: dBu for analog input, dBFS for digital */
  bool level_given; /* false: the system's nominal level */
  bool tone, noise, response, latency, max_output; /* what to measure */
  /* level sweep: from, to (same unit as level), step in dB; step 0: none */
  double sweep_from, sweep_to, sweep_step;
} GsMeasureConfig;

/* The default: everything at 1 kHz and the nominal level. */
void gs_measure_defaults(GsMeasureConfig *config);

typedef struct {
  double hz, db, deg;
} GsResponsePoint;

typedef struct {
  double level, gain_db, thd, thd_n;
} GsSweepPoint;

typedef struct {
  double rate, freq_hz, level;
  GsDomain input, output;
  /* stepped sine (noise off) */
  double gain_db;
  double out_vpk, out_vrms;
  double harm_rms[GS_HARMONICS];
  double thd, thd_n; /* thd_n measured with the system's noise on */
  double dc;
  double alias_dbc;
  /* noise (no signal, noise on) */
  double noise_rms, noise_rms_a, noise_rms_full;
  double ein_dbu; /* NaN unless the input is analog */
  double snr_db;  /* re max output (1 % THD) */
  /* response (small signal, noise off): magnitude re 1 kHz, phase with
   * the measured latency removed, and the 2nd and 3rd harmonic responses
   * (re the fundamental, by input frequency) */
  GsResponsePoint *response, *h2, *h3;
  size_t n_response, n_h2, n_h3;
  double response_level;
  /* latency */
  double latency_samples; /* measured; NaN if not measured */
  uint32_t latency_reported;
  /* max output at 1 % THD */
  double max_vpk, max_watts, max_input;
  /* level sweep */
  GsSweepPoint *sweep;
  size_t n_sweep;
  /* the spectrum at the drive level: bins of the tone capture, dB re 1 V
   * (analog) or re a full-scale sine (digital) */
  float *spectrum;
  size_t n_spectrum;
  double spectrum_hz_per_bin;
} GsMeasurement;

GsStatus gs_measure(const GsSystem *system, const GsMeasureConfig *config, const GsLog *log,
                    GsMeasurement *out);
void gs_measurement_clear(GsMeasurement *m);

/* Plots (cairo): PNG or SVG by the path's extension. */
GsStatus gs_plot_measurement(const GsMeasurement *m, const char *title, const char *path,
                             const GsLog *log);
GsStatus gs_plot_plan(const GsPlan *plan, const char *title, const char *path, const GsLog *log);

#ifdef __cplusplus
}
#endif

#endif
