/* poweramp: a power amplifier rated in watts into ohms.
 *
 * Voltage gain (or sensitivity: the input rms for rated power), then the
 * output devices: they swing at most sqrt(2 P R) peak (the peak of a sine
 * delivering P watts into the rated R), and deliver at most the current
 * that voltage drives into `minload` ohms; beyond it the protection limits
 * the current, whatever the load does. The output resistance `rout` forms
 * a divider with the load (the chain's junction), which is how damping
 * factor (R_load / rout) shows up in the response with a speaker's
 * impedance curve. Class D adds its output LC filter (22 µH, 470 nF:
 * about 49 kHz), whose response depends on the load like the real thing.
 *
 * The load current is predicted sample by sample from the load's
 * admittance, i = Y(z) v, written as i = B v + S (S: the filter's response
 * to its past), so the limiter solves for the largest v with |i| <= Imax
 * exactly instead of guessing. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/clip.h"
#include "dsp/clipper.h"
#include "dsp/iir.h"
#include "dsp/noise.h"
#include "dsp/oversample.h"
#include "dsp/ramp.h"
#include "stage.h"
#include "stages/poweramp_params.h"
#include "stages/poweramp_tube.h"
#include "units.h"

#define CLASS_D_L 22e-6
#define CLASS_D_C 470e-9
#define CLIP_KNEE 0.95 /* class AB: nearly hard, slightly rounded */

static double vclip(const double *v) {
  return sqrt(2.0 * v[P_WATTS] * v[P_LOAD]);
}

static double gain_linear(const double *v) {
  if (v[P_SENSITIVITY] > 0.0) return sqrt(v[P_WATTS] * v[P_LOAD]) / v[P_SENSITIVITY];
  return gs_db_to_gain(v[P_GAIN]);
}

/* auto: the rate that keeps the aliases of a 5 kHz tone driven to 10 %
 * THD below -70 dBc at 48 kHz (docs/models.md). Feedback squares the
 * clipping off and aliases more: 176.4 kHz or more holds single-ended,
 * push-pull without feedback, and EL34 and EL84 push-pull up to 10 dB at
 * presence 0.5 or less (at 10 dB: -71.1 and -71.5 dBc; the 6L6GC -69.7,
 * the 6V6 -68.9 to -70.4); beyond that 352.8 kHz (worst -79.7 dBc at
 * 20 dB). Read at build: feedback and presence can move while it plays,
 * the factor cannot (poweramp_build_choice tells a host that can build
 * anew when it should). */
static int quality_factor(const double *v, double rate) {
  int tube = (int)v[P_TUBE];
  bool soft = tube == GS_PA_EL34 || tube == GS_PA_EL84;
  bool four = (int)v[P_TOPOLOGY] == 1 || v[P_FEEDBACK] == 0.0 ||
              (soft && v[P_FEEDBACK] <= 10.0 && v[P_PRESENCE] <= 0.5);
  return gs_os_factor((int)v[P_QUALITY], rate, four ? 176400.0 : 352800.0);
}

static int poweramp_build_choice(const double *v, double rate) {
  return (int)v[P_TYPE] == T_TUBE ? quality_factor(v, rate) : 0;
}

static GsTubePowerSpec tube_spec(const double *v, double rate) {
  GsTubePowerSpec s = {
      .tube = (int)v[P_TUBE],
      .single_ended = (int)v[P_TOPOLOGY] == 1,
      .watts = v[P_WATTS],
      .load = v[P_LOAD],
      .gain_db = 20.0 * log10(gain_linear(v)),
      .feedback_db = v[P_FEEDBACK],
      .presence = v[P_PRESENCE],
      .resonance = v[P_RESONANCE],
      .sag_ohms = v[P_SAG],
      .filter_farads = v[P_FILTER],
      .factor = rate > 0.0 ? quality_factor(v, rate) : 1,
      .phase = (GsOsPhase)v[P_PHASE],
  };
  return s;
}

static GsStatus poweramp_check(const double *v, char *why, size_t size) {
  if ((int)v[P_TYPE] != T_TUBE) return GS_OK;
  GsTubePowerSpec spec = tube_spec(v, 0.0);
  GsPushPullDesign d;
  return gs_tube_power_design(&spec, &d, why, size) ? GS_OK : GS_ERR_RANGE;
}

static void poweramp_ports(const double *v, double rate, GsPorts *ports) {
  (void)rate;
  ports->yin = gs_rat_const(1.0 / v[P_IMPEDANCE]);
  if ((int)v[P_TYPE] == T_CLASS_D) {
    ports->zs = gs_rat_make(gs_poly_linear(v[P_ROUT], CLASS_D_L), gs_poly_const(1.0));
    ports->ys = gs_rat_make(gs_poly_linear(0.0, CLASS_D_C), gs_poly_const(1.0));
  } else if ((int)v[P_TYPE] == T_TUBE) {
    ports->zs = gs_rat_const(0.0); /* the load is inside the circuit */
  } else {
    ports->zs = gs_rat_const(v[P_ROUT]);
  }
}

typedef struct {
  double values[N_PARAMS];
  double rate;
  GsRamp gain;
  double vmax, imax;
  double knee; /* the clip: gs_clip's knee, 0 hard */
  /* current drawn from the output devices per volt of internal EMF */
  bool sense;
  GsIirCoefs y;
  GsIirState yst;
  double b_direct; /* the sense filter's instantaneous gain */
  GsRng rng;
  double noise_rms;
  bool noise;
  atomic_uint_fast64_t clipped, limited;
  uint64_t clipped_seen, limited_seen;
  GsTubePoweramp *tube;
  GsClipper *clipper; /* solid-state and class-d at quality 2, 4 or 8 */
  uint64_t failures_seen;
} Poweramp;

/* i / v_emf = (ys + yin) / (1 + zs (ys + yin)) */
static void design_sense(Poweramp *p, const GsStageEnv *env) {
  p->sense = false;
  if (!env->downstream || gs_rat_is_zero(&env->downstream->yin)) return;
  GsPorts own;
  gs_ports_ideal(&own);
  poweramp_ports(p->values, p->rate, &own);
  GsRational y = gs_rat_add(&own.ys, &env->downstream->yin);
  GsRational zy = gs_rat_mul(&own.zs, &y);
  GsRational one = gs_rat_const(1.0);
  GsRational den = gs_rat_add(&one, &zy);
  GsRational inv = gs_rat_inv(&den);
  GsRational h = gs_rat_mul(&y, &inv);
  double hi = fmin(20000.0, 0.45 * p->rate);
  GsSosCoefs sos;
  p->sense = gs_rat_to_sos(&h, p->rate, gs_rat_feature_hz(&h, 10.0, hi), &sos);
  gs_iir_from_sos(&p->y, &sos);
  p->b_direct = gs_iir_direct_gain(&p->y);
}

static void update_levels(Poweramp *p) {
  const double *v = p->values;
  gs_shared_store(&p->vmax, vclip(v));
  gs_shared_store(&p->imax, p->vmax / v[P_MINLOAD]);
  double rated_rms = sqrt(v[P_WATTS] * v[P_LOAD]);
  p->noise_rms = gs_white_scale(rated_rms * gs_db_to_gain(v[P_NOISE]), p->rate);
}

static GsStatus poweramp_create(const GsStageEnv *env, const double *v, void **self) {
  Poweramp *p = calloc(1, sizeof *p);
  if (!p) return GS_ERR_NOMEM;
  memcpy(p->values, v, sizeof p->values);
  p->rate = env->rate;
  p->knee = (int)v[P_TYPE] == T_SOLID_STATE ? CLIP_KNEE : 0.0;
  gs_ramp_init(&p->gain, gain_linear(v));
  update_levels(p);
  if ((int)v[P_TYPE] == T_TUBE) {
    bool loaded = env->downstream && !gs_rat_is_zero(&env->downstream->yin);
    GsTubePowerSpec spec = tube_spec(v, env->rate);
    p->tube = gs_tube_poweramp_new(&spec, loaded ? &env->downstream->yin : NULL, env->rate,
                                   env->why, env->why_size);
    if (!p->tube) {
      free(p);
      return GS_ERR_RANGE;
    }
  } else {
    design_sense(p, env);
    int factor = gs_os_factor((int)v[P_QUALITY], env->rate, 0.0);
    if (factor > 1 && !(p->clipper = gs_clipper_new(factor, env->rate))) {
      free(p);
      return GS_ERR_NOMEM;
    }
  }
  gs_rng_seed(&p->rng, env->seed);
  p->noise = env->noise;
  *self = p;
  return GS_OK;
}

static void poweramp_destroy(void *self) {
  Poweramp *p = self;
  gs_tube_poweramp_free(p->tube);
  gs_clipper_free(p->clipper);
  free(p);
}

static void poweramp_set_param(void *self, uint32_t index, double value) {
  Poweramp *p = self;
  /* feedback switched on or off comes in one tick: fade it over the
   * smoothing time; otherwise the chain's ticks are the ramp */
  bool switched = index == P_FEEDBACK && (p->values[index] == 0.0) != (value == 0.0);
  uint32_t glide = switched ? gs_smooth_samples(p->rate) : GS_TICK;
  gs_shared_store(&p->values[index], value);
  update_levels(p);
  if (p->tube) {
    if (index == P_GAIN || index == P_SENSITIVITY) {
      gs_tube_poweramp_set_gain(p->tube, 20.0 * log10(gain_linear(p->values)));
    } else if (index == P_FEEDBACK || index == P_PRESENCE || index == P_RESONANCE) {
      gs_tube_poweramp_set_feedback(p->tube, p->values[P_FEEDBACK], p->values[P_PRESENCE],
                                    p->values[P_RESONANCE], glide);
    }
    return; /* watts and load were designed in */
  }
  if (index == P_GAIN || index == P_SENSITIVITY || index == P_WATTS || index == P_LOAD) {
    gs_ramp_to(&p->gain, gain_linear(p->values), gs_smooth_samples(p->rate));
  }
}

/* The output voltage v, reduced if needed so that the predicted current
 * stays within imax. The sense filter's next output is B v + S: B its
 * instantaneous gain, S what its stored history contributes. Advances the
 * sense filter with the final v. */
static double limit_current(Poweramp *p, double v, uint64_t *limited) {
  double S = gs_iir_free_response(&p->y, &p->yst);
  double i = p->b_direct * v + S;
  if (fabs(i) > p->imax && fabs(p->b_direct) > 1e-12) {
    double target = i > 0.0 ? p->imax : -p->imax;
    v = (target - S) / p->b_direct;
    (*limited)++;
  }
  gs_iir_tick(&p->y, &p->yst, v);
  return v;
}

/* limit_current over a block for a sense filter of order N known at
 * compile time: the same sums in the same order, the histories in
 * registers. */
__attribute__((always_inline)) static inline void limit_block(Poweramp *p, const double *v,
                                                              float *out, uint32_t n,
                                                              uint64_t *limited, const int N) {
  const GsIirCoefs *c = &p->y;
  double b[GS_IIR_MAX + 1], a[GS_IIR_MAX + 1], xs[GS_IIR_MAX], ys[GS_IIR_MAX];
  for (int k = 0; k <= N; k++) b[k] = c->b[k], a[k] = c->a[k];
  for (int k = 0; k < N; k++) xs[k] = p->yst.x[k], ys[k] = p->yst.y[k];
  const double g = c->gain, bd = p->b_direct, imax = p->imax;
  for (uint32_t i = 0; i < n; i++) {
    double fir = 0.0, iir = 0.0;
    for (int k = 0; k < N; k++) fir += b[k + 1] * xs[k], iir += a[k + 1] * ys[k];
    double S = g * fir - iir, x = v[i];
    double cur = bd * x + S;
    if (fabs(cur) > imax && fabs(bd) > 1e-12) {
      x = ((cur > 0.0 ? imax : -imax) - S) / bd;
      (*limited)++;
    }
    double f = b[0] * x;
    for (int k = 0; k < N; k++) f += b[k + 1] * xs[k];
    double y = g * f - iir;
    for (int k = N - 1; k > 0; k--) xs[k] = xs[k - 1], ys[k] = ys[k - 1];
    if (N > 0) xs[0] = x, ys[0] = y;
    out[i] = (float)x;
  }
  for (int k = 0; k < N; k++) p->yst.x[k] = xs[k], p->yst.y[k] = ys[k];
}

/* The solid-state and class-D loop with the gain at rest: phase by phase,
 * the same arithmetic as the per-sample loop below, so results do not
 * depend on where a ramp ended within a block. */
#define CHUNK 256
static void still_block(Poweramp *p, const float *x, float *out, uint32_t n, uint64_t *clipped,
                        uint64_t *limited) {
  const double gain = p->gain.value, vmax = p->vmax;
  double v[CHUNK];
  for (uint32_t done = 0; done < n; done += CHUNK) {
    uint32_t m = n - done < CHUNK ? n - done : CHUNK;
    uint64_t over = 0;
    if (p->clipper) {
      for (uint32_t i = 0; i < m; i++) {
        v[i] = x[done + i] * gain;
        over += fabs(v[i]) > vmax;
      }
      gs_clipper_run(p->clipper, v, m, vmax, p->knee);
    } else {
      for (uint32_t i = 0; i < m; i++) {
        double w = x[done + i] * gain;
        over += fabs(w) > vmax;
        v[i] = gs_clip(w, vmax, p->knee);
      }
    }
    *clipped += over;
    if (p->noise) {
      for (uint32_t i = 0; i < m; i++) v[i] += p->noise_rms * gs_rng_gauss(&p->rng);
    }
    float *o = out + done;
    if (!p->sense) {
      for (uint32_t i = 0; i < m; i++) o[i] = (float)v[i];
      continue;
    }
    switch (p->y.order) {
      case 0: limit_block(p, v, o, m, limited, 0); break;
      case 1: limit_block(p, v, o, m, limited, 1); break;
      case 2: limit_block(p, v, o, m, limited, 2); break;
      case 3: limit_block(p, v, o, m, limited, 3); break;
      default:
        for (uint32_t i = 0; i < m; i++) o[i] = (float)limit_current(p, v[i], limited);
    }
  }
}

/* The same with the gain ramping, sample by sample (the clipper, if
 * any, a chunk at a time between the gain and the rest). */
static void moving_block(Poweramp *p, const float *x, float *out, uint32_t n, uint64_t *clipped,
                         uint64_t *limited) {
  double v[CHUNK];
  for (uint32_t done = 0; done < n; done += CHUNK) {
    uint32_t m = n - done < CHUNK ? n - done : CHUNK;
    for (uint32_t i = 0; i < m; i++) {
      v[i] = x[done + i] * gs_ramp_next(&p->gain);
      if (fabs(v[i]) > p->vmax) (*clipped)++;
      if (!p->clipper) v[i] = gs_clip(v[i], p->vmax, p->knee);
    }
    if (p->clipper) gs_clipper_run(p->clipper, v, m, p->vmax, p->knee);
    for (uint32_t i = 0; i < m; i++) {
      double w = v[i];
      if (p->noise) w += p->noise_rms * gs_rng_gauss(&p->rng);
      if (p->sense) w = limit_current(p, w, limited);
      out[done + i] = (float)w;
    }
  }
}

static void poweramp_process(void *self, const float *const *in, float *out, uint32_t n) {
  Poweramp *p = self;
  const float *x = in[0];
  if (p->tube) {
    if (out != x) memcpy(out, x, n * sizeof(float));
    gs_tube_poweramp_process(p->tube, out, n);
    for (uint32_t i = 0; p->noise && i < n; i++)
      out[i] += (float)(p->noise_rms * gs_rng_gauss(&p->rng));
    return;
  }
  uint64_t clipped = 0, limited = 0;
  if (!gs_ramp_moving(&p->gain)) {
    still_block(p, x, out, n, &clipped, &limited);
  } else {
    moving_block(p, x, out, n, &clipped, &limited);
  }
  if (!gs_iir_finite(&p->yst)) gs_iir_clear(&p->yst);
  if (clipped) atomic_fetch_add_explicit(&p->clipped, clipped, memory_order_relaxed);
  if (limited) atomic_fetch_add_explicit(&p->limited, limited, memory_order_relaxed);
}

static void poweramp_reset(void *self) {
  Poweramp *p = self;
  gs_iir_clear(&p->yst);
  gs_ramp_finish(&p->gain);
  if (p->tube) gs_tube_poweramp_reset(p->tube);
  if (p->clipper) gs_clipper_reset(p->clipper);
}

static uint32_t poweramp_latency(const void *self) {
  const Poweramp *p = self;
  if (p->tube) return gs_tube_poweramp_latency(p->tube);
  return p->clipper ? gs_clipper_latency(p->clipper) : 0;
}

static uint32_t poweramp_latency_slack(const void *self) {
  const Poweramp *p = self;
  return p->tube ? gs_tube_poweramp_latency_slack(p->tube) : 0; /* clippers: linear */
}

static void poweramp_set_noise(void *self, bool on) {
  ((Poweramp *)self)->noise = on;
}

static bool poweramp_poll(void *self, char *msg, size_t size) {
  Poweramp *p = self;
  if (p->tube && gs_warn_count(gs_tube_poweramp_failures(p->tube), &p->failures_seen, msg, size,
                               "the tube circuit did not converge (restarted from rest)"))
    return true;
  uint64_t l = atomic_load(&p->limited);
  if (l > p->limited_seen) {
    uint64_t d = l - p->limited_seen;
    p->limited_seen = l;
    return gs_warn_format(msg, size,
                          "the load drew more than %.1f A (minload=%.3g Ω): "
                          "current limited in %llu samples",
                          gs_shared_load(&p->imax), gs_shared_load(&p->values[P_MINLOAD]),
                          (unsigned long long)d);
  }
  uint64_t c = atomic_load(&p->clipped);
  if (c > p->clipped_seen) {
    uint64_t d = c - p->clipped_seen;
    p->clipped_seen = c;
    return gs_warn_format(msg, size,
                          "clipped at %.1f V peak (%.4g W into %.3g Ω) in %llu "
                          "samples",
                          gs_shared_load(&p->vmax), gs_shared_load(&p->values[P_WATTS]),
                          gs_shared_load(&p->values[P_LOAD]), (unsigned long long)d);
  }
  return false;
}

static double poweramp_clip(const double *v) {
  return vclip(v);
}

/* Into a load below minload the current limit clips first: at the EMF
 * whose current (the sense filter's, per volt) reaches imax. */
static double poweramp_clip_loaded(const void *self, double hz) {
  const Poweramp *p = self;
  double vmax = gs_shared_load(&p->vmax);
  if (p->tube || !p->sense) return vmax;
  double amps_per_volt = cabs(gs_iir_response(&p->y, hz, p->rate));
  return amps_per_volt > 0.0 ? fmin(vmax, gs_shared_load(&p->imax) / amps_per_volt) : vmax;
}

static double poweramp_nominal(const double *v) {
  /* 10 dB below the input that gives rated power */
  double rated_in = sqrt(v[P_WATTS] * v[P_LOAD]) / gain_linear(v);
  return gs_vrms_to_dbu(rated_in) - 10.0;
}

static double poweramp_min_load(const double *v) {
  return v[P_MINLOAD];
}

/* auto sensitivity: the input that gain needs for rated power */
static double poweramp_resolve(const double *v, const GsPorts *upstream, uint32_t index) {
  (void)upstream;
  if (index != P_SENSITIVITY) return v[index];
  return sqrt(v[P_WATTS] * v[P_LOAD]) / gs_db_to_gain(v[P_GAIN]);
}

static const char *poweramp_inert(const double *v, uint32_t param) {
  bool tube_only = (param >= P_TUBE && param <= P_FILTER) || param == P_PHASE;
  return tube_only && (int)v[P_TYPE] != T_TUBE ? "type=tube" : NULL;
}

const GsStageClass gs_stage_poweramp = {
    .info = {.name = "poweramp",
             .help = "power amplifier: watts into ohms, clipping at "
                     "sqrt(2 P R), current limit, output resistance, noise",
             .params = gs_poweramp_params,
             .n_params = N_PARAMS,
             .input = GS_DOMAIN_ANALOG,
             .output = GS_DOMAIN_ANALOG},
    .check = poweramp_check,
    .ports = poweramp_ports,
    .create = poweramp_create,
    .destroy = poweramp_destroy,
    .set_param = poweramp_set_param,
    .process = poweramp_process,
    .reset = poweramp_reset,
    .latency = poweramp_latency,
    .latency_slack = poweramp_latency_slack,
    .set_noise = poweramp_set_noise,
    .poll = poweramp_poll,
    .clip_peak = poweramp_clip,
    .clip_peak_loaded = poweramp_clip_loaded,
    .inert = poweramp_inert,
    .build_choice = poweramp_build_choice,
    .nominal_level = poweramp_nominal,
    .min_load_ohms = poweramp_min_load,
    .resolve = poweramp_resolve,
};
