/* preamp: a mic / instrument / line / phono preamplifier.
 *
 * Signal path, in the order a real channel has it:
 *   input select (equal-power crossfade) -> phantom gate -> pad ->
 *   + input-referred noise (EIN) -> RIAA (phono) -> gain -> high-pass ->
 *   polarity -> output stage clipping at maxout (per voicing).
 * The input impedance (and capacitance, for phono) loads the source through
 * the chain's junction; the output is an op-amp with a 100 Ω build-out.
 * voicing=tube replaces gain and output stage with `stages` triode stages
 * solved as one circuit (src/stages/preamp_tube.c), which drive what
 * follows directly. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/clip.h"
#include "dsp/clipper.h"
#include "dsp/noise.h"
#include "dsp/oversample.h"
#include "dsp/ramp.h"
#include "dsp/riaa.h"
#include "dsp/svf.h"
#include "dsp/tube_runner.h"
#include "stage.h"
#include "stages/preamp_params.h"
#include "stages/preamp_tube.h"
#include "units.h"

/* Auto values by input. */
static const double auto_ohms[] = {2.4e3, 1e6, 10e3, 47e3};
static const double nominal_dbu[] = {-50.0, -20.0, 4.0, -44.0};
#define OUTPUT_OHMS 100.0
#define SOFT_KNEE 0.7

typedef struct {
  double values[N_PARAMS];
  double rate;
  uint32_t n_inputs;
  bool merges;
  GsRamp select_gain[64]; /* per input, 0..1, shaped equal-power */
  GsRamp gate;            /* phantom: condenser powered or not */
  GsRamp pad, gain, polarity;
  bool phono;
  GsSosCoefs riaa;
  GsSosState riaa_st;
  GsSvf hpf; /* off: a pass-through */
  GsRng rng;
  double noise_rms;
  bool noise;
  GsRamp vmax; /* the output stage's clipping level, volts peak */
  GsPhantomNeed need;
  const char *source_name;
  uint32_t fade;
  atomic_uint warn; /* WARN_* bits raised on the audio thread */
  atomic_uint_fast64_t clipped;
  uint64_t clipped_reported;
  uint64_t failures_seen; /* the tube circuit's */
  GsTubePreamp *tube;     /* voicing=tube */
  GsClipper *clipper;     /* the other voicings at quality 2, 4 or 8 */
} Preamp;

enum { WARN_NO_PHANTOM = 1, WARN_RIBBON = 2, WARN_SELECT = 4, WARN_GAIN_REACH = 8 };

static bool is_tube(const double *v) {
  return (int)v[P_VOICING] == V_TUBE;
}

static double input_ohms(const double *v) {
  return v[P_IMPEDANCE] > 0.0 ? v[P_IMPEDANCE] : auto_ohms[(int)v[P_INPUT]];
}

static double input_farads(const double *v) {
  if (v[P_CAPACITANCE] > 0.0) return v[P_CAPACITANCE];
  return (int)v[P_INPUT] == IN_PHONO ? 150e-12 : 0.0;
}

static void preamp_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  ports->yin =
      gs_rat_make(gs_poly_linear(1.0 / input_ohms(v), input_farads(v)), gs_poly_const(1.0));
  ports->zs = gs_rat_const(is_tube(v) ? 0.0 : OUTPUT_OHMS); /* tube: drives its load */
}

static bool preamp_merges(const double *v) {
  return v[P_SELECT] >= 1.0;
}

static double maxout_peak(const double *v) {
  return gs_dbu_to_vrms(v[P_MAXOUT]) * GS_SQRT2;
}

/* Amplifier noise alone: the data-sheet EIN minus the 150 Ω source's own
 * thermal noise, both over 20 kHz. */
static double amp_noise_rms(const Preamp *p) {
  double ein = gs_dbu_to_vrms(p->values[P_EIN]);
  double source = gs_thermal_vrms(150.0, 20000.0);
  double amp = ein > source ? sqrt(ein * ein - source * source) : 0.0;
  return gs_white_scale(amp, p->rate);
}

static double gain_linear(const Preamp *p) {
  if (is_tube(p->values)) return 1.0; /* the tube stages' pot sets it */
  double db = p->values[P_GAIN];
  if ((int)p->values[P_VOICING] == V_DIGITAL) db = round(db);
  return gs_db_to_gain(db);
}

/* Off stands for a corner this far down when the filter is switched in or
 * out while audio runs: the chain ramps the corner from or to it. */
#define HPF_OFF_HZ 0.1

/* The high-pass (Butterworth, 12 dB/octave); a live change glides to it
 * over a tick. Off is a pass-through when the chain is built or reset, but
 * switched off while audio runs it is the corner at HPF_OFF_HZ (no level
 * change and 0.4 degrees at 20 Hz): a switch to a pass-through would drop
 * what the filter's memory holds at that moment, an audible step. */
static void design_hpf(Preamp *p, bool live) {
  double f = p->values[P_HPF] > 0.0 ? p->values[P_HPF] : live ? HPF_OFF_HZ : 0.0;
  if (live) {
    gs_svf_glide(&p->hpf, f, p->rate, GS_TICK);
  } else {
    gs_svf_init(&p->hpf, f, M_SQRT1_2, p->rate);
  }
}

static bool powered(const Preamp *p) {
  return p->need != GS_PHANTOM_REQUIRED || p->values[P_PHANTOM] != 0.0;
}

static void check_phantom(Preamp *p) {
  if (!powered(p)) atomic_fetch_or(&p->warn, WARN_NO_PHANTOM);
  if (p->need == GS_PHANTOM_HARMFUL && p->values[P_PHANTOM] != 0.0) {
    atomic_fetch_or(&p->warn, WARN_RIBBON);
  }
}

static GsStatus setup_inputs(Preamp *p, const GsStageEnv *env) {
  p->n_inputs = env->n_inputs;
  p->merges = preamp_merges(p->values);
  uint32_t sel = (uint32_t)p->values[P_SELECT];
  if (p->merges && (sel > p->n_inputs || p->n_inputs > 64)) {
    bool one = p->n_inputs == 1;
    snprintf(env->why, env->why_size, "select=%u but there %s only %u input channel%s", sel,
             one ? "is" : "are", p->n_inputs, one ? "" : "s");
    return GS_ERR_RANGE;
  }
  for (uint32_t k = 0; k < 64; k++) {
    gs_ramp_init(&p->select_gain[k], !p->merges || k + 1 == sel ? 1.0 : 0.0);
  }
  return GS_OK;
}

static GsStatus preamp_create(const GsStageEnv *env, const double *v, void **self) {
  Preamp *p = calloc(1, sizeof *p);
  if (!p) return GS_ERR_NOMEM;
  memcpy(p->values, v, sizeof p->values);
  p->rate = env->rate;
  p->fade = gs_smooth_samples(env->rate);
  GsStatus s = setup_inputs(p, env);
  p->phono = (int)v[P_INPUT] == IN_PHONO;
  if (s == GS_OK && p->phono && !gs_riaa_design(v[P_IEC] != 0.0, p->rate, &p->riaa)) {
    snprintf(env->why, env->why_size,
             "the RIAA filter cannot be designed at "
             "%.0f Hz (44.1 kHz or more is needed)",
             p->rate);
    s = GS_ERR_RANGE;
  }
  if (s == GS_OK && is_tube(v)) {
    const GsTriodeModel *m = gs_triode_model(gs_preamp_params[P_TUBE].choices[(int)v[P_TUBE]]);
    double load = gs_ports_load_ohms(env->downstream, 1e6);
    int factor = gs_tube_factor((int)v[P_QUALITY], env->rate, (int)v[P_STAGES]);
    p->tube = gs_tube_preamp_new(m, (int)v[P_STAGES], input_ohms(v), load, env->rate, v[P_GAIN],
                                 factor, (GsOsPhase)v[P_PHASE], env->why, env->why_size);
    if (!p->tube) s = GS_ERR_BAD_VALUE;
    if (p->tube && !gs_tube_preamp_reaches(p->tube, v[P_GAIN]))
      atomic_fetch_or(&p->warn, WARN_GAIN_REACH);
  }
  int clip_factor = gs_os_factor((int)v[P_QUALITY], env->rate, 0.0);
  if (s == GS_OK && !is_tube(v) && clip_factor > 1) {
    p->clipper = gs_clipper_new(clip_factor, env->rate);
    if (!p->clipper) s = GS_ERR_NOMEM;
  }
  if (s != GS_OK) {
    gs_tube_preamp_free(p->tube);
    gs_clipper_free(p->clipper);
    free(p);
    return s;
  }
  p->need = env->upstream ? env->upstream[0].phantom : GS_PHANTOM_NONE;
  p->source_name = env->upstream ? env->upstream[0].source_name : NULL;
  gs_ramp_init(&p->gate, powered(p) ? 1.0 : 0.0);
  gs_ramp_init(&p->pad, gs_db_to_gain(-v[P_PAD]));
  gs_ramp_init(&p->gain, gain_linear(p));
  gs_ramp_init(&p->polarity, (int)v[P_POLARITY] ? -1.0 : 1.0);
  gs_rng_seed(&p->rng, env->seed);
  p->noise = env->noise;
  p->noise_rms = amp_noise_rms(p);
  gs_ramp_init(&p->vmax, maxout_peak(v));
  design_hpf(p, false);
  check_phantom(p);
  *self = p;
  return GS_OK;
}

static void preamp_destroy(void *self) {
  Preamp *p = self;
  if (p) {
    gs_tube_preamp_free(p->tube);
    gs_clipper_free(p->clipper);
  }
  free(p);
}

static void select_input(Preamp *p, uint32_t sel) {
  if (!p->merges) {
    atomic_fetch_or(&p->warn, WARN_SELECT);
    return;
  }
  if (sel < 1 || sel > p->n_inputs) return;
  for (uint32_t k = 0; k < p->n_inputs; k++) {
    gs_ramp_to(&p->select_gain[k], k + 1 == sel ? 1.0 : 0.0, p->fade);
  }
}

static void preamp_set_param(void *self, uint32_t index, double value) {
  Preamp *p = self;
  gs_shared_store(&p->values[index], value);
  switch (index) {
    case P_GAIN:
      if (p->tube) {
        if (!gs_tube_preamp_set_gain(p->tube, value, GS_TICK))
          atomic_fetch_or(&p->warn, WARN_GAIN_REACH);
      } else {
        gs_ramp_to(&p->gain, gain_linear(p), p->fade);
      }
      break;
    case P_PAD: gs_ramp_to(&p->pad, gs_db_to_gain(-value), p->fade); break;
    case P_HPF: design_hpf(p, true); break;
    case P_POLARITY: gs_ramp_to(&p->polarity, (int)value ? -1.0 : 1.0, p->fade); break;
    case P_PHANTOM:
      gs_ramp_to(&p->gate, powered(p) ? 1.0 : 0.0, p->fade);
      check_phantom(p);
      break;
    case P_EIN: p->noise_rms = amp_noise_rms(p); break;
    case P_MAXOUT: gs_ramp_to(&p->vmax, maxout_peak(p->values), p->fade); break;
    case P_SELECT: select_input(p, (uint32_t)value); break;
    default: break; /* fixed, or handled by the chain (impedance) */
  }
}

/* Equal-power mix of the inputs by their selection ramps. */
static double mix_inputs(Preamp *p, const float *const *in, uint32_t i) {
  if (p->n_inputs == 1) return in[0][i];
  double acc = 0.0;
  for (uint32_t k = 0; k < p->n_inputs; k++) {
    GsRamp *r = &p->select_gain[k];
    double g = gs_ramp_next(r);
    if (g == 0.0) continue;
    acc += in[k][i] * (gs_ramp_moving(r) || g < 1.0 ? sin(g * M_PI_2) : 1.0);
  }
  return acc;
}

/* The output stage's clip by voicing (gs_clip's knee): the op-amp's soft
 * one, else hard at the rails or the converter. */
static double output_knee(const Preamp *p) {
  return (int)p->values[P_VOICING] == V_SOLID_STATE ? SOFT_KNEE : 0.0;
}

/* The tube voicing: the input side per sample, the triode stages over the
 * block, then high-pass and polarity. */
static void process_tube(Preamp *p, const float *const *in, float *out, uint32_t n) {
  if (p->n_inputs == 1 && !p->noise && !p->phono && !gs_ramp_moving(&p->gate) &&
      !gs_ramp_moving(&p->pad)) { /* the common case: the same arithmetic, held */
    double gate = p->gate.value, pad = p->pad.value;
    for (uint32_t i = 0; i < n; i++) out[i] = (float)(in[0][i] * gate * pad);
  } else {
    for (uint32_t i = 0; i < n; i++) {
      double x = mix_inputs(p, in, i) * gs_ramp_next(&p->gate);
      x *= gs_ramp_next(&p->pad);
      if (p->noise) x += p->noise_rms * gs_rng_gauss(&p->rng);
      if (p->phono) x = gs_sos_tick(&p->riaa, &p->riaa_st, x);
      out[i] = (float)x;
    }
  }
  gs_tube_preamp_process(p->tube, out, n);
  const GsSvf *f = &p->hpf;
  if (f->g == 0.0 && !f->left && f->ic1 == 0.0 && f->ic2 == 0.0 &&
      !gs_ramp_moving(&p->polarity)) { /* high-pass off: it passes x exactly */
    double polarity = p->polarity.value;
    for (uint32_t i = 0; i < n; i++) out[i] = (float)(out[i] * polarity);
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    double y = gs_svf_highpass(&p->hpf, out[i]);
    out[i] = (float)(y * gs_ramp_next(&p->polarity));
  }
}

/* One sample with every ramp moving as it may; unclipped if `clip` is
 * false (the clipper takes it). */
static double solid_sample(Preamp *p, const float *const *in, uint32_t i, uint64_t *over,
                           bool clip) {
  double x = mix_inputs(p, in, i) * gs_ramp_next(&p->gate);
  x *= gs_ramp_next(&p->pad);
  if (p->noise) x += p->noise_rms * gs_rng_gauss(&p->rng);
  if (p->phono) x = gs_sos_tick(&p->riaa, &p->riaa_st, x);
  double y = x * gs_ramp_next(&p->gain);
  y = gs_svf_highpass(&p->hpf, y);
  y *= gs_ramp_next(&p->polarity);
  double vmax = gs_ramp_next(&p->vmax);
  if (fabs(y) > vmax) (*over)++;
  return clip ? gs_clip(y, vmax, output_knee(p)) : y;
}

static bool ramps_still(const Preamp *p) {
  bool moving = gs_ramp_moving(&p->gate) || gs_ramp_moving(&p->pad) || gs_ramp_moving(&p->gain) ||
                gs_ramp_moving(&p->polarity) || gs_ramp_moving(&p->vmax);
  for (uint32_t k = 0; k < p->n_inputs && p->n_inputs > 1; k++) {
    moving = moving || gs_ramp_moving(&p->select_gain[k]);
  }
  return !moving;
}

/* The same arithmetic as solid_sample, in order, with the ramps held:
 * phase by phase over the block, each loop free of the others' branches
 * (the per-sample version was a quarter of a clean chain's time). Results
 * are identical, so how a host splits blocks cannot change them. */
#define CHUNK 256
static void solid_still(Preamp *p, const float *const *in, float *out, uint32_t n, uint64_t *over) {
  const double gate = p->gate.value, pad = p->pad.value, gain = p->gain.value;
  const double pol = p->polarity.value, vmax = p->vmax.value;
  const double knee = output_knee(p);
  const bool hpf = p->hpf.g != 0.0 || p->hpf.left || p->hpf.ic1 != 0.0 || p->hpf.ic2 != 0.0;
  double x[CHUNK];
  for (uint32_t done = 0; done < n; done += CHUNK) {
    uint32_t m = n - done < CHUNK ? n - done : CHUNK;
    bool plain = !p->noise && !p->phono; /* the gain can join the first pass */
    if (p->n_inputs == 1 && plain) {
      const float *src = in[0] + done;
      for (uint32_t i = 0; i < m; i++) x[i] = src[i] * gate * pad * gain;
    } else {
      for (uint32_t i = 0; i < m; i++) x[i] = mix_inputs(p, in, done + i) * gate * pad;
    }
    if (p->noise) {
      for (uint32_t i = 0; i < m; i++) x[i] += p->noise_rms * gs_rng_gauss(&p->rng);
    }
    if (p->phono) {
      for (uint32_t i = 0; i < m; i++) x[i] = gs_sos_tick(&p->riaa, &p->riaa_st, x[i]);
    }
    if (p->n_inputs != 1 || !plain) {
      for (uint32_t i = 0; i < m; i++) x[i] *= gain;
    }
    if (hpf) {
      for (uint32_t i = 0; i < m; i++) x[i] = gs_svf_highpass(&p->hpf, x[i]);
    }
    uint64_t o = 0;
    if (p->clipper) {
      for (uint32_t i = 0; i < m; i++) {
        x[i] *= pol;
        o += fabs(x[i]) > vmax;
      }
      gs_clipper_run(p->clipper, x, m, vmax, knee);
      for (uint32_t i = 0; i < m; i++) out[done + i] = (float)x[i];
    } else {
      for (uint32_t i = 0; i < m; i++) {
        double y = x[i] * pol;
        o += fabs(y) > vmax;
        out[done + i] = (float)gs_clip(y, vmax, knee);
      }
    }
    *over += o;
  }
}

static void preamp_process(void *self, const float *const *in, float *out, uint32_t n) {
  Preamp *p = self;
  if (p->tube) {
    process_tube(p, in, out, n);
    return;
  }
  uint64_t over = 0;
  if (ramps_still(p)) {
    solid_still(p, in, out, n, &over);
  } else if (p->clipper) {
    double knee = output_knee(p), y[CHUNK];
    for (uint32_t done = 0; done < n; done += CHUNK) {
      uint32_t m = n - done < CHUNK ? n - done : CHUNK;
      for (uint32_t i = 0; i < m; i++) y[i] = solid_sample(p, in, done + i, &over, false);
      gs_clipper_run(p->clipper, y, m, p->vmax.value, knee);
      for (uint32_t i = 0; i < m; i++) out[done + i] = (float)y[i];
    }
  } else {
    for (uint32_t i = 0; i < n; i++) out[i] = (float)solid_sample(p, in, i, &over, true);
  }
  if (over) atomic_fetch_add_explicit(&p->clipped, over, memory_order_relaxed);
  if (!gs_sos_finite(&p->riaa_st) || !gs_svf_finite(&p->hpf)) {
    gs_sos_clear(&p->riaa_st);
    gs_svf_clear(&p->hpf);
  }
}

static void preamp_reset(void *self) {
  Preamp *p = self;
  gs_sos_clear(&p->riaa_st);
  design_hpf(p, false);
  GsRamp *ramps[] = {&p->gate, &p->pad, &p->gain, &p->polarity, &p->vmax};
  for (size_t i = 0; i < sizeof ramps / sizeof ramps[0]; i++) gs_ramp_finish(ramps[i]);
  for (uint32_t k = 0; k < 64; k++) gs_ramp_finish(&p->select_gain[k]);
  if (p->tube) gs_tube_preamp_reset(p->tube);
  if (p->clipper) gs_clipper_reset(p->clipper);
}

static uint32_t preamp_latency(const void *self) {
  const Preamp *p = self;
  if (p->tube) return gs_tube_preamp_latency(p->tube);
  return p->clipper ? gs_clipper_latency(p->clipper) : 0;
}

static uint32_t preamp_latency_slack(const void *self) {
  const Preamp *p = self;
  return p->tube ? gs_tube_preamp_latency_slack(p->tube) : 0; /* clippers: linear */
}

static double preamp_reach(const void *self, uint32_t index, double value) {
  const Preamp *p = self;
  if (index != P_GAIN || !p->tube) return value;
  double lo, hi;
  gs_tube_preamp_gain_reach(p->tube, &lo, &hi);
  return fmin(fmax(value, lo), hi);
}

static void preamp_set_noise(void *self, bool on) {
  ((Preamp *)self)->noise = on;
}

static bool preamp_poll(void *self, char *msg, size_t size) {
  Preamp *p = self;
  unsigned w = atomic_exchange(&p->warn, 0);
  const char *src = p->source_name ? p->source_name : "source";
  if (w & WARN_NO_PHANTOM) {
    atomic_fetch_or(&p->warn, w & ~(unsigned)WARN_NO_PHANTOM);
    return gs_warn_format(msg, size,
                          "the %s needs phantom power and is silent: set "
                          "phantom=on on the preamp",
                          src);
  }
  if (w & WARN_RIBBON) {
    atomic_fetch_or(&p->warn, w & ~(unsigned)WARN_RIBBON);
    return gs_warn_format(msg, size,
                          "phantom power is on with a %s: +48 V can damage a "
                          "ribbon; set phantom=off",
                          src);
  }
  if (w & WARN_SELECT) {
    return gs_warn_format(msg, size,
                          "select can only move between inputs when the "
                          "chain was built with select=1 or more");
  }
  if (w & WARN_GAIN_REACH) {
    atomic_fetch_or(&p->warn, w & ~(unsigned)WARN_GAIN_REACH);
    double lo, hi;
    gs_tube_preamp_gain_reach(p->tube, &lo, &hi);
    return gs_warn_format(msg, size,
                          "gain=%.1f dB is beyond what stages=%d reaches at 1 kHz (%.1f to "
                          "%.1f dB): the gain pot stops at its end",
                          gs_shared_load(&p->values[P_GAIN]),
                          (int)gs_shared_load(&p->values[P_STAGES]), lo, hi);
  }
  if (p->tube && gs_warn_count(gs_tube_preamp_failures(p->tube), &p->failures_seen, msg, size,
                               "the tube circuit did not converge"))
    return true;
  uint64_t c = atomic_load(&p->clipped);
  if (c > p->clipped_reported) {
    uint64_t new_clips = c - p->clipped_reported;
    p->clipped_reported = c;
    return gs_warn_format(msg, size,
                          "output clipped at maxout=%+.1f dBu in %llu samples: "
                          "lower gain or add pad",
                          gs_shared_load(&p->values[P_MAXOUT]), (unsigned long long)new_clips);
  }
  return false;
}

/* A tube voicing's last plate swings about half its 250 V supply. */
static double preamp_clip(const double *v) {
  return is_tube(v) ? 125.0 : maxout_peak(v);
}

static double preamp_resolve(const double *v, const GsPorts *upstream, uint32_t index) {
  (void)upstream;
  if (index == P_IMPEDANCE) return input_ohms(v);
  /* none ramps as 1 pF, which loads nothing audible */
  if (index == P_CAPACITANCE) return fmax(input_farads(v), 1e-12);
  if (index == P_HPF) return HPF_OFF_HZ;
  return v[index];
}

static double preamp_nominal(const double *v) {
  return nominal_dbu[(int)v[P_INPUT]];
}

static const char *preamp_inert(const double *v, uint32_t param) {
  if ((param == P_STAGES || param == P_TUBE) && (int)v[P_VOICING] != V_TUBE) return "voicing=tube";
  if (param == P_IEC && (int)v[P_INPUT] != IN_PHONO) return "input=phono";
  return NULL;
}

const GsStageClass gs_stage_preamp = {
    .info = {.name = "preamp",
             .help = "mic / instrument / line / phono preamp: gain, pad, "
                     "phantom, high-pass, polarity, input selection, EIN "
                     "noise, output clipping by voicing",
             .params = gs_preamp_params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ANALOG},
    .ports = preamp_ports,
    .merges = preamp_merges,
    .create = preamp_create,
    .destroy = preamp_destroy,
    .set_param = preamp_set_param,
    .reach = preamp_reach,
    .process = preamp_process,
    .reset = preamp_reset,
    .latency = preamp_latency,
    .latency_slack = preamp_latency_slack,
    .set_noise = preamp_set_noise,
    .poll = preamp_poll,
    .clip_peak = preamp_clip,
    .nominal_level = preamp_nominal,
    .resolve = preamp_resolve,
    .inert = preamp_inert,
};
