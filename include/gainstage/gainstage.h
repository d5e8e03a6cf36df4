/* gainstage — the studio signal chain, in software.
 *
 * Public API. Everything is prefixed gs_ / Gs / GS_. Objects are opaque
 * handles with _new/_free pairs; _free accepts NULL. Fallible calls return a
 * GsStatus; details go to a GsLog sink the caller supplies. The library never
 * prints, never exits.
 *
 * Threading classes, stated on each function:
 *   [any]    pure or read-only; callable from any thread, the audio thread too
 *   [audio]  real-time safe: no allocation, lock or I/O; call it from the
 *            thread that processes the object (or between process calls)
 *   [main]   may allocate or do I/O; never from the audio thread
 */
#ifndef GAINSTAGE_GAINSTAGE_H
#define GAINSTAGE_GAINSTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

typedef enum {
  GS_OK = 0,
  GS_ERR_NOMEM,         /* out of memory */
  GS_ERR_SYNTAX,        /* malformed chain text */
  GS_ERR_UNKNOWN_STAGE, /* no stage of that name */
  GS_ERR_UNKNOWN_PARAM, /* the stage has no such parameter */
  GS_ERR_BAD_VALUE,     /* not a number, choice or unit that fits */
  GS_ERR_RANGE,         /* a value outside the parameter's range */
  GS_ERR_CHAIN,         /* stages that cannot be connected as written */
  GS_ERR_UNAVAILABLE,   /* a choice that exists but is not built yet */
  GS_ERR_NOT_REALTIME,  /* parameter cannot change while processing */
  GS_ERR_IO,            /* a file could not be read or written */
  GS_ERR_ARG            /* bad argument to an API call */
} GsStatus;

/* A short description of a status. [any] */
const char *gs_strerror(GsStatus status);

/* The library's version, e.g. "0.1.0". [any] */
const char *gs_version(void);

/* ------------------------------------------------------------ reporting */

typedef enum { GS_LOG_ERROR, GS_LOG_WARNING, GS_LOG_INFO } GsLogLevel;

/* Receives one complete message (no trailing newline). */
typedef void (*GsLogFunc)(void *handle, GsLogLevel level, const char *message);

/* A sink for messages; a NULL GsLog* or NULL func discards them. */
typedef struct {
  GsLogFunc func;
  void *handle;
} GsLog;

/* ------------------------------------------------------------ parameters */

typedef enum {
  GS_PARAM_REAL,   /* a real number in [min, max] */
  GS_PARAM_INT,    /* an integer in [min, max] */
  GS_PARAM_CHOICE, /* an index into choices[] */
  GS_PARAM_TOGGLE, /* 0 = off, 1 = on */
  GS_PARAM_PATH    /* a file name (set at build); the value is 1 if given */
} GsParamType;

typedef enum {
  GS_UNIT_NONE,
  GS_UNIT_DB,     /* a ratio in decibels */
  GS_UNIT_DBU,    /* rms level re 0.775 V */
  GS_UNIT_DB_SPL, /* sound pressure re 20 µPa (or dB SPL for 1 W / 1 m) */
  GS_UNIT_HZ,
  GS_UNIT_OHM,
  GS_UNIT_FARAD,
  GS_UNIT_HENRY,
  GS_UNIT_VOLT_PEAK, /* a peak voltage */
  GS_UNIT_VOLT_RMS,  /* an rms voltage */
  GS_UNIT_WATT,
  GS_UNIT_SECOND,
  GS_UNIT_BITS,
  GS_UNIT_POSITION, /* a control's position, 0 (minimum) to 1 (maximum) */
  GS_UNIT_METRE,
  GS_UNIT_DEGREE,
  GS_UNIT_MV_PER_PA, /* a microphone's sensitivity */
  GS_UNIT_LITRE,
  GS_UNIT_VOLT,       /* a DC voltage (a supply) */
  GS_UNIT_MILLIMETRE, /* a cone's excursion */
  GS_UNIT_CM2         /* a cone's area */
} GsUnit;

/* Symbol of a unit as written in chain text and `list` ("dB", "Ω"). [any] */
const char *gs_unit_symbol(GsUnit unit);

enum {
  GS_PARAM_LOG = 1u << 0,  /* geometric: smoothed and displayed on a log scale */
  GS_PARAM_FIXED = 1u << 1 /* set when the chain is built; cannot change live */
};

/* One description of a parameter. The CLI, presets, `list`, LV2 ports and
 * MIDI maps all read these tables; nothing restates a range elsewhere. */
typedef struct {
  const char *name;
  const char *help;
  GsParamType type;
  GsUnit unit;
  double min;
  double max;
  double def;
  const char *const *choices; /* NULL-terminated, for GS_PARAM_CHOICE */
  uint32_t flags;
  /* If set, 0 is also allowed (outside [min, max]) and is written as this
   * word: "auto" (chosen from other parameters, see help) or "off". */
  const char *zero;
  /* Seconds a live change ramps over; 0 means GS_SMOOTH_SECONDS. Longer
   * for values that move a resonance (a cable's capacitance), which rings
   * when swept fast. */
  double smooth;
} GsParamInfo;

/* What a stage's samples are. */
typedef enum {
  GS_DOMAIN_ANALOG,  /* volts */
  GS_DOMAIN_DIGITAL, /* full scale: ±1.0 is a full-scale peak */
  GS_DOMAIN_ANY,     /* whatever its input is (gain, eq) */
  GS_DOMAIN_ACOUSTIC /* sound pressure in pascals */
} GsDomain;

/* How levels are written in a domain: volts in dBu (re 0.7746 V rms),
 * full scale in dBFS (re the rms of a full-scale sine), pressure in dB SPL
 * (re 20 µPa rms). [any] */
typedef struct {
  const char *level_unit; /* "dBu", "dBFS", "dB SPL" */
  const char *unit;       /* "V", "FS", "Pa" */
  const char *words;      /* "volts", "full-scale samples", "sound pressure" */
  double rms_ref;         /* rms of 0 dB in this domain */
} GsDomainInfo;

const GsDomainInfo *gs_domain_info(GsDomain domain);
double gs_domain_level(GsDomain domain, double rms); /* -INFINITY for 0 */
double gs_domain_rms(GsDomain domain, double level);

typedef struct {
  const char *name;
  const char *help;
  const GsParamInfo *params;
  uint32_t n_params;
  GsDomain input;
  GsDomain output;
} GsStageInfo;

/* The stage registry. [any] */
uint32_t gs_stage_count(void);
const GsStageInfo *gs_stage_at(uint32_t index);
const GsStageInfo *gs_stage_find(const char *name); /* NULL if unknown */

/* Index of a parameter by name, or -1. [any] */
int gs_param_find(const GsStageInfo *stage, const char *name);

/* Parse text ("68k", "-10dBu", "on", "fender") as a value of this
 * parameter. On failure writes a reason (naming the allowed range or
 * choices) into why. [any] */
GsStatus gs_param_parse(const GsParamInfo *param, const char *text, double *value, char *why,
                        size_t why_size);

/* Format a value with SI prefix and unit ("2.4 kΩ", "fender", "on").
 * Returns the length written (like snprintf). [any] */
int gs_param_format(const GsParamInfo *param, double value, char *buf, size_t size);

/* ------------------------------------------------------------ chain text */

/* A parsed chain: stages with every parameter value (defaults filled). */
typedef struct GsSpec GsSpec;

/* Parse `STAGE key=value ... ! STAGE ...` (newlines also separate stages;
 * `#` starts a comment). [main] */
GsStatus gs_spec_parse(const char *text, const GsLog *log, GsSpec **out);

/* Parse chain text that was read from `file` (which may be NULL): errors
 * name file and line, relative file names are relative to it. A rig file
 * hands each strip's lines here. [main] */
GsStatus gs_spec_parse_from(const char *text, const char *file, const GsLog *log, GsSpec **out);

/* Read a preset file (one stage per line, `#` comments). [main] */
GsStatus gs_spec_load(const char *path, const GsLog *log, GsSpec **out);

void gs_spec_free(GsSpec *spec);

uint32_t gs_spec_length(const GsSpec *spec);
const GsStageInfo *gs_spec_stage(const GsSpec *spec, uint32_t index);
double gs_spec_value(const GsSpec *spec, uint32_t index, uint32_t param);
/* A file-name parameter's text, or NULL if not given. */
const char *gs_spec_path(const GsSpec *spec, uint32_t index, uint32_t param);

/* Change one value: checked against the parameter's range (0 too where
 * it means auto or off), choices and toggles rounded, and the stage's
 * cross-parameter rules; on failure the spec is unchanged and why says
 * what was wrong. [main] */
GsStatus gs_spec_set_value(GsSpec *spec, uint32_t index, uint32_t param, double value, char *why,
                           size_t why_size);
/* Set or clear (NULL) a file-name parameter. [main] */
GsStatus gs_spec_set_path(GsSpec *spec, uint32_t index, uint32_t param, const char *path);

/* The spec written back as chain text, one stage per line, listing only
 * values that differ from their defaults. Caller frees. [main] */
char *gs_spec_to_text(const GsSpec *spec);

/* ----------------------------------------------------------------- chain */

/* Largest block a stage is ever handed. gs_chain_process itself accepts
 * any number of frames and splits internally. */
#define GS_MAX_BLOCK 4096u

/* Parameter changes are ramped over this time. */
#define GS_SMOOTH_SECONDS 0.020

/* The sample rates a chain runs at, Hz. */
#define GS_RATE_MIN 8000.0
#define GS_RATE_MAX 384000.0

typedef struct {
  double rate;       /* processing sample rate, Hz (8 kHz – 384 kHz) */
  uint32_t channels; /* input channels (1 – 64) */
  uint64_t seed;     /* seed of every modelled noise source */
  bool noise;        /* false: all modelled noise off (for measurement) */
} GsChainConfig;

typedef struct GsChain GsChain;

/* Build a chain; every allocation happens here. Checks that neighbours
 * connect (volts vs full scale) and reports static warnings (phantom
 * power, loads) to log. [main] */
GsStatus gs_chain_new(const GsSpec *spec, const GsChainConfig *config, const GsLog *log,
                      GsChain **out);
void gs_chain_free(GsChain *chain);

/* Channels the chain writes (1 when a preamp selects between inputs). [any]*/
uint32_t gs_chain_out_channels(const GsChain *chain);
uint32_t gs_chain_in_channels(const GsChain *chain);

/* Whether the chain's input is volts or full scale, and its output. [any] */
GsDomain gs_chain_input_domain(const GsChain *chain);
GsDomain gs_chain_output_domain(const GsChain *chain);

/* Process planar audio: in[c][0..n) for every input channel, out[c][0..n)
 * for every output channel. Any n. in and out may be the same buffers.
 * Non-finite input samples are replaced by silence. [audio] */
void gs_chain_process(GsChain *chain, const float *const *in, float *const *out, uint32_t n_frames);

/* Clear all state (filters, ramps jump to their targets). [audio] */
void gs_chain_reset(GsChain *chain);

/* Delay from input to output in samples, as the stages report it. [any] */
uint32_t gs_chain_latency(const GsChain *chain);

/* Change a parameter while processing; the change is ramped over
 * GS_SMOOTH_SECONDS. GS_ERR_NOT_REALTIME for fixed parameters,
 * GS_ERR_RANGE outside the range. [audio] */
GsStatus gs_chain_set_param(GsChain *chain, uint32_t stage, uint32_t param, double value);
double gs_chain_get_param(const GsChain *chain, uint32_t stage, uint32_t param);

/* True if a live parameter moved to `value` would have built the stage
 * otherwise (quality=auto's oversampling factor follows a tube power
 * amp's feedback and presence): the move plays on in the stage as it is,
 * and a host that can build a new chain off the audio thread should, to
 * have what the value asks for. [audio] */
bool gs_chain_param_rebuilds(const GsChain *chain, uint32_t stage, uint32_t param, double value);

/* Turn all modelled noise on or off. [audio] */
void gs_chain_set_noise(GsChain *chain, bool on);

/* Copy node `node` of channel 0 into dst on every process call (dst must
 * hold as many frames as each call passes). Node 0 is the chain input;
 * node i (1..length) is stage i-1's output as the next stage sees it
 * (after impedance loading). NULL stops the copy. [audio] */
void gs_chain_tap(GsChain *chain, uint32_t node, float *dst);

/* Report warnings raised while processing (clipping events, current
 * limiting, overpowered speakers...), each once. [main] */
void gs_chain_poll(GsChain *chain, const GsLog *log);

/* ------------------------------------------------------------------ plan */

/* The level diagram of a chain for a 1 kHz sine at a nominal level. */
typedef struct {
  const char *stage;  /* stage name */
  GsDomain domain;    /* volts or full scale at this node */
  double level;       /* nominal rms: dBu (analog) or dBFS (digital) */
  double vrms;        /* nominal rms volts (analog) or FS rms */
  double clip;        /* level (dBu / dBFS) of the sine that reaches clip;
                         INFINITY where nothing clips */
  double headroom_db; /* clip - level */
  double noise;       /* noise floor, 20 Hz – 20 kHz, dBu / dBFS */
  double snr_db;      /* level - noise */
  double watts;       /* power into this node's input at nominal level,
                         NaN where the node is not a load */
  double watts_clip;  /* power at the clip level, NaN if not a load */
  double spl_1m;      /* an acoustic node's level at 1 m on its axis from its
                         sensitivity and drive, in dB SPL; else NaN */
  double distance;    /* metres from an acoustic node's source to where
                         `level` is heard; else NaN */
} GsPlanNode;

typedef struct {
  double rate;      /* Hz; 0 = 48 kHz */
  double level;     /* input level, dBu (analog) or dBFS (digital) */
  bool level_given; /* false: the first stage's nominal level */
} GsPlanConfig;

typedef struct GsPlan GsPlan;

GsStatus gs_plan_new(const GsSpec *spec, const GsPlanConfig *config, const GsLog *log,
                     GsPlan **out); /* [main] */
void gs_plan_free(GsPlan *plan);
uint32_t gs_plan_length(const GsPlan *plan); /* nodes */
const GsPlanNode *gs_plan_node(const GsPlan *plan, uint32_t index);
double gs_plan_input_level(const GsPlan *plan);
GsDomain gs_plan_input_domain(const GsPlan *plan);
/* Warnings the plan found, one per line, or "" (owned by the plan). */
const char *gs_plan_warnings(const GsPlan *plan);

/* ---------------------------------------------------------------- levels */

typedef enum {
  GS_LEVEL_VPK,
  GS_LEVEL_VRMS,
  GS_LEVEL_DBU,
  GS_LEVEL_DBV,
  GS_LEVEL_DBFS,
  GS_LEVEL_DBSPL,
  GS_LEVEL_PA /* rms pascals */
} GsLevelUnit;

/* Parse "1Vpk", "0.5Vrms", "-10dBu", "-20dBV", "-6dBFS", "94dBSPL", "1Pa"
 * (a bare "V" is rms). [any] */
GsStatus gs_level_parse(const char *text, double *value, GsLevelUnit *unit);

/* A parsed level as a level in the domain's own unit (dBu, dBFS or dB
 * SPL); GS_ERR_BAD_VALUE if the unit does not belong to the domain. [any] */
GsStatus gs_level_in_domain(double value, GsLevelUnit unit, GsDomain domain, double *level);

/* Sine conversions; a level in dBFS is the rms of a sine re the rms of a
 * full-scale sine (AES17), so a full-scale sine is 0 dBFS. [any] */
double gs_dbu_to_vrms(double dbu);
double gs_vrms_to_dbu(double vrms);
double gs_level_to_vpk(double value, GsLevelUnit unit); /* dBFS: FS peak */

/* ------------------------------------------------------------- synthesis */

/* A guitar DI phrase synthesized from plucked strings through a pickup:
 * seconds of audio at rate, as the pickup's EMF in volts (peaks of a few
 * hundred millivolts, like a single-coil). Deterministic per seed. [main] */
GsStatus gs_synth_guitar(float *out, size_t n_frames, double rate, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif
