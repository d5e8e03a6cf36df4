/* eq: a parametric equalizer of up to 8 bands, each a biquad from the
 * Audio EQ Cookbook (R. Bristow-Johnson): low shelf, peak, high shelf,
 * high-pass or low-pass. Works on volts or full-scale samples alike; an
 * active circuit with ideal terminals. */
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "stage.h"

#define BANDS 8
_Static_assert(BANDS <= GS_SOS_MAX, "every band needs a section");
enum { B_TYPE, B_FREQ, B_GAIN, B_Q, PER_BAND };
enum { T_OFF, T_LOWSHELF, T_PEAK, T_HIGHSHELF, T_HPF, T_LPF };

static const char *const type_names[] = {"off", "lowshelf", "peak", "highshelf",
                                         "hpf", "lpf",      NULL};

/* One band's four rows of the table; only names and default frequency
 * differ between bands. */
// clang-format off
#define BAND(n, f)                                                                  \
  {.name = "type" #n, .type = GS_PARAM_CHOICE, .min = 0, .max = 5, .def = T_OFF,    \
   .choices = type_names, .flags = GS_PARAM_FIXED,                                  \
   .help = "band " #n ": off, lowshelf, peak, highshelf, hpf (12 dB/oct) or lpf"},  \
  {.name = "freq" #n, .type = GS_PARAM_REAL, .unit = GS_UNIT_HZ, .min = 10,         \
   .max = 24000, .def = f, .flags = GS_PARAM_LOG,                                   \
   .help = "band " #n ": corner or centre frequency"},                              \
  {.name = "gain" #n, .type = GS_PARAM_REAL, .unit = GS_UNIT_DB, .min = -24,        \
   .max = 24, .def = 0, .help = "band " #n ": gain (shelves and peak)"},            \
  {.name = "q" #n, .type = GS_PARAM_REAL, .min = 0.1, .max = 20, .def = 0.7071,     \
   .flags = GS_PARAM_LOG,                                                           \
   .help = "band " #n ": quality factor (0.707: Butterworth for hpf/lpf, shelf slope 1)"}
// clang-format on

static const GsParamInfo params[] = {
    BAND(1, 60),   BAND(2, 150),  BAND(3, 400),   BAND(4, 1000),
    BAND(5, 2500), BAND(6, 5000), BAND(7, 10000), BAND(8, 16000),
};

#define N_PARAMS (BANDS * PER_BAND)

static const GsBiquadKind kinds[] = {
    [T_LOWSHELF] = GS_BQ_LOWSHELF, [T_PEAK] = GS_BQ_PEAK,   [T_HIGHSHELF] = GS_BQ_HIGHSHELF,
    [T_HPF] = GS_BQ_HIGHPASS,      [T_LPF] = GS_BQ_LOWPASS,
};

typedef struct {
  double values[N_PARAMS];
  double rate;
  GsBiquad band[BANDS];
  bool on[BANDS];
  GsSosCoefs coefs; /* the bands that are on, in order */
  GsSosState st;
} Eq;

static void design_band(Eq *e, int b) {
  const double *v = &e->values[b * PER_BAND];
  int type = (int)v[B_TYPE];
  e->on[b] = type != T_OFF;
  if (e->on[b]) {
    e->band[b] = gs_biquad_design(kinds[type], v[B_FREQ], v[B_GAIN], v[B_Q], e->rate);
  }
}

/* Sections stay at fixed places (one per band that is on), so moving a
 * band keeps its filter state. Bands never switch on or off live. */
static void assemble(Eq *e) {
  gs_sos_identity(&e->coefs);
  for (int b = 0; b < BANDS; b++) {
    if (e->on[b]) e->coefs.s[e->coefs.n++] = e->band[b];
  }
}

static GsStatus eq_create(const GsStageEnv *env, const double *v, void **self) {
  Eq *e = calloc(1, sizeof *e);
  if (!e) return GS_ERR_NOMEM;
  memcpy(e->values, v, sizeof e->values);
  e->rate = env->rate;
  for (int b = 0; b < BANDS; b++) design_band(e, b);
  assemble(e);
  *self = e;
  return GS_OK;
}

static void eq_destroy(void *self) {
  free(self);
}

static void eq_set_param(void *self, uint32_t index, double value) {
  Eq *e = self;
  e->values[index] = value;
  design_band(e, (int)(index / PER_BAND));
  assemble(e);
}

static void eq_process(void *self, const float *const *in, float *out, uint32_t n) {
  Eq *e = self;
  if (in[0] != out) memcpy(out, in[0], n * sizeof(float));
  gs_sos_run(&e->coefs, &e->st, out, n);
}

static void eq_reset(void *self) {
  gs_sos_clear(&((Eq *)self)->st);
}

const GsStageClass gs_stage_eq = {
    .info = {.name = "eq",
             .help = "parametric equalizer of 8 bands (shelves, peaks, "
                     "12 dB/oct high- and low-pass)",
             .params = params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANY,
             .output = GS_DOMAIN_ANY},
    .create = eq_create,
    .destroy = eq_destroy,
    .set_param = eq_set_param,
    .process = eq_process,
    .reset = eq_reset,
};
