#include "stages/poweramp_tube.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/oversample.h"
#include "dsp/ramp.h"
#include "stage.h"

/* Each tube's maximum plate dissipation (data sheets: Philips/Mullard EL34
 * 25 W, GE 6L6GC 30 W, Philips EL84 12 W, GE 6V6GT 14 W), the supply of
 * the amplifiers it is known from (Marshall JCM800 and Fender Bassman/Twin
 * about 460 V, Vox AC30 about 320 V, Fender Deluxe about 400 V) and the
 * plate-to-plate load of one push-pull pair there (3.4k, 4.2k, 8k, 8k). */
static const struct {
  const char *name;
  double pdiss, bplus, raa;
} tubes[GS_PA_TUBES] = {
    [GS_PA_EL34] = {"EL34", 25.0, 460.0, 3400.0},
    [GS_PA_6L6GC] = {"6L6GC", 30.0, 460.0, 4200.0},
    [GS_PA_EL84] = {"EL84", 12.0, 320.0, 8000.0},
    [GS_PA_6V6] = {"6V6", 14.0, 400.0, 8000.0},
};

#define IDLE_PP 0.6 /* class AB idles at 60 % of the rated dissipation */
#define IDLE_SE 0.9 /* class A at 90 % */
#define MAX_PARALLEL 8
#define SUPPLY_LO 0.4
#define SUPPLY_HI 1.3
#define SUPPLY_STEPS 12 /* the supply's range walked in 13 points */
/* The static estimate (gs_pp_max_watts) reads the onset of clipping; 5 %
 * THD comes about 0.6 dB above it (test_poweramp_tube measures it), and
 * amplifiers are rated there. */
#define RATED_AT_5PCT 0.87

struct GsTubePoweramp {
  GsTubePowerSpec spec;
  GsPushPull pp;
  GsOversampler os;
  GsRamp k_in;
  double rate;
};

/* The circuit at `scale` times the tube's usual supply, biased for its
 * idle current there. */
static void at_supply(const GsTubePowerSpec *s, GsPushPullDesign *d, double raa, double scale) {
  const GsPentodeModel *m = gs_pentode_model(tubes[s->tube].name);
  double pdiss = tubes[s->tube].pdiss;
  memset(d, 0, sizeof *d);
  d->tube = m;
  d->single_ended = s->single_ended;
  d->parallel = 1;
  d->bplus = scale * tubes[s->tube].bplus;
  /* at low supplies a tube cannot draw its rated dissipation: then idle at
   * a fraction of what it draws with its grid at 0 V */
  double full = gs_koren_pentode(m, 0.0, d->bplus, d->bplus).ip;
  double idle = s->single_ended ? fmin(IDLE_SE * pdiss / d->bplus, 0.45 * full)
                                : fmin(IDLE_PP * pdiss / d->bplus, 0.2 * full);
  d->bias = gs_pp_bias_for(m, d->bplus, idle);
  /* single-ended: the plate load that lets the swing reach both limits */
  d->raa = s->single_ended ? 0.8 * d->bplus / idle : raa;
  d->rload = s->load;
  d->lp_hz = 15.0;
  d->cp_hz = 40e3;
  /* a 12AX7 long-tailed pair (82k/100k plates, 10k tail), 22 nF coupling
   * caps, 220k bias feeds, 5.6k grid stoppers (Marshall JCM800 2203) */
  d->pi_gain = 50.0;
  d->pi_swing = 90.0;
  d->pi_rout = 40e3;
  d->cc = 22e-9;
  d->rb = 220e3;
  d->rgs = 5.6e3;
  d->rsag = s->sag_ohms; /* for one pair (or tube): see watts_at */
  d->cfilter = s->filter_farads;
  d->presence = s->presence;
  d->resonance = s->resonance;
}

/* The design at `scale` with `parallel` tubes a side. */
static double watts_at(const GsTubePowerSpec *s, int parallel, double scale, GsPushPullDesign *d) {
  at_supply(s, d, tubes[s->tube].raa / parallel, scale);
  d->parallel = parallel;
  if (s->single_ended) d->raa /= parallel;
  /* a bigger amplifier's supply is built for its current: same droop */
  d->rsag /= parallel;
  d->cfilter *= parallel;
  return gs_pp_max_watts(d);
}

/* Where the rating is met with `parallel` tubes a side: the supply scales
 * [*a, *b] (on the grid of SUPPLY_STEPS) across which the power rises
 * through target, the one nearest the usual supply; false if none. *lo,
 * *hi: the power over the grid where it rises (NaN: nowhere). Under a heavy sag resistance the
 * power need not grow with the supply (it peaks, then falls: more supply, more current, more
 * droop), so the grid is walked rather than its ends compared, and only where more supply gives
 * more power (as one would build it). */
static bool crossing(const GsTubePowerSpec *s, int parallel, double target, GsPushPullDesign *d,
                     double *a, double *b, double *at, double *lo, double *hi) {
  bool found = false;
  double prev_s = SUPPLY_LO, prev_w = watts_at(s, parallel, SUPPLY_LO, d);
  *lo = *hi = NAN;
  for (int i = 1; i <= SUPPLY_STEPS; i++) {
    double sc = SUPPLY_LO + (SUPPLY_HI - SUPPLY_LO) * i / SUPPLY_STEPS;
    double w = watts_at(s, parallel, sc, d);
    if (w > prev_w) { /* fmin and fmax pass over the NaN */
      *lo = fmin(*lo, prev_w);
      *hi = fmax(*hi, w);
    }
    bool crossed = prev_w <= target && target <= w;
    /* where in the step, by the secant (exact enough to choose by) */
    double x = crossed ? prev_s + (sc - prev_s) * (target - prev_w) / fmax(w - prev_w, 1e-300) : 0;
    if (crossed && (!found || fabs(log(x)) < fabs(log(*at)))) {
      *a = prev_s;
      *b = sc;
      *at = x;
      found = true;
    }
    prev_s = sc;
    prev_w = w;
  }
  return found;
}

/* "2.29 to 12.1 W or 25.3 to 34.9 W": the union of the counts' ranges. */
static void reach_text(const double *lo, const double *hi, char *buf, size_t size) {
  double from[MAX_PARALLEL], to[MAX_PARALLEL];
  int n = 0;
  for (int k = 0; k < MAX_PARALLEL; k++) { /* ranges grow with the count: merge in order */
    if (isnan(lo[k])) continue;
    if (n && lo[k] <= to[n - 1]) {
      to[n - 1] = fmax(to[n - 1], hi[k]);
      from[n - 1] = fmin(from[n - 1], lo[k]);
    } else {
      from[n] = lo[k], to[n++] = hi[k];
    }
  }
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used < size; i++) {
    int w = snprintf(buf + used, size - used, "%s%.3g to %.3g W", i ? " or " : "",
                     from[i] / RATED_AT_5PCT, to[i] / RATED_AT_5PCT);
    if (w > 0) used += (size_t)w;
  }
}

bool gs_tube_power_design(const GsTubePowerSpec *s, GsPushPullDesign *d, char *why,
                          size_t why_size) {
  if (s->tube < 0 || s->tube >= GS_PA_TUBES || !gs_pentode_model(tubes[s->tube].name)) {
    snprintf(why, why_size, "unknown output tube");
    return false;
  }
  /* the number of tubes a side that reaches the rating nearest their usual
   * supply, among those that reach it within the supply's range */
  int parallel = 0;
  double best = INFINITY, target = RATED_AT_5PCT * s->watts;
  double lo[MAX_PARALLEL], hi[MAX_PARALLEL];
  double a = 1.0, b = 1.0;
  for (int k = 1; k <= MAX_PARALLEL; k++) {
    double ka = 1.0, kb = 1.0, at = 1.0;
    if (!crossing(s, k, target, d, &ka, &kb, &at, &lo[k - 1], &hi[k - 1])) continue;
    if (fabs(log(at)) < best) {
      best = fabs(log(at));
      parallel = k;
      a = ka;
      b = kb;
    }
  }
  if (!parallel) {
    char reach[160];
    reach_text(lo, hi, reach, sizeof reach);
    snprintf(why, why_size, "watts=%g is out of reach of %s %s output stages (%s into %g Ω%s)",
             s->watts, tubes[s->tube].name, s->single_ended ? "single-ended" : "push-pull", reach,
             s->load, s->sag_ohms > 0 ? " with this sag" : "");
    return false;
  }
  for (int i = 0; i < 40; i++) { /* the power rises across [a, b] */
    double mid = 0.5 * (a + b);
    *(watts_at(s, parallel, mid, d) < target ? &a : &b) = mid;
  }
  watts_at(s, parallel, 0.5 * (a + b), d);
  return true;
}

/* Input volts to the inverter's volts for gain_db at 1 kHz. */
static double input_scale(const GsTubePoweramp *tp, double gain_db) {
  GsRational rated = gs_rat_const(1.0 / tp->spec.load);
  return gs_db_to_gain(gain_db) / cabs(gs_pp_gain(&tp->pp, &rated, 1000.0));
}

GsTubePoweramp *gs_tube_poweramp_new(const GsTubePowerSpec *spec, const GsRational *yload,
                                     double rate, char *why, size_t why_size) {
  GsPushPullDesign d;
  if (!gs_tube_power_design(spec, &d, why, why_size)) return NULL;
  GsTubePoweramp *tp = calloc(1, sizeof *tp);
  if (!tp) return NULL;
  tp->spec = *spec;
  tp->rate = rate;
  bool ok = gs_os_init(&tp->os, spec->factor, rate, spec->phase);
  if (ok && !gs_pp_init(&tp->pp, &d, yload, rate * spec->factor)) {
    /* a load the transformer model cannot digitize: the rated resistor */
    ok = gs_pp_init(&tp->pp, &d, NULL, rate * spec->factor);
  }
  if (!ok) {
    snprintf(why, why_size, "the tube power amp could not be built");
    free(tp);
    return NULL;
  }
  gs_tube_poweramp_set_feedback(tp, spec->feedback_db, spec->presence, spec->resonance, 0);
  gs_ramp_init(&tp->k_in, input_scale(tp, spec->gain_db));
  return tp;
}

void gs_tube_poweramp_free(GsTubePoweramp *tp) {
  free(tp);
}

void gs_tube_poweramp_set_gain(GsTubePoweramp *tp, double gain_db) {
  tp->spec.gain_db = gain_db;
  gs_ramp_to(&tp->k_in, input_scale(tp, gain_db), (uint32_t)(0.02 * tp->rate));
}

void gs_tube_poweramp_set_feedback(GsTubePoweramp *tp, double feedback_db, double presence,
                                   double resonance, uint32_t glide) {
  tp->spec.feedback_db = feedback_db;
  double rfb = gs_pp_rfb_for(&tp->pp, feedback_db);
  gs_pp_set_feedback(&tp->pp, rfb, presence, resonance, glide * (uint32_t)tp->os.factor);
  /* the loop's gain changes with the network: the input follows in step */
  gs_ramp_to(&tp->k_in, input_scale(tp, tp->spec.gain_db), glide);
}

/* The input is scaled at the base rate (pp.k_in stays 1), so that a gain
 * ramp needs no interpolation. */
void gs_tube_poweramp_process(GsTubePoweramp *tp, float *buf, uint32_t n) {
  int f = tp->os.factor;
  for (uint32_t done = 0; done < n;) {
    uint32_t m = n - done < GS_OS_CHUNK ? n - done : GS_OS_CHUNK;
    double base[GS_OS_CHUNK], hi[GS_OS_CHUNK * GS_OS_MAX_FACTOR];
    for (uint32_t i = 0; i < m; i++) { /* a bad sample must not reach the filters */
      double x = buf[done + i] * gs_ramp_next(&tp->k_in);
      base[i] = isfinite(x) ? x : 0.0;
    }
    gs_os_up(&tp->os, base, m, hi);
    gs_pp_run(&tp->pp, hi, m * (uint32_t)f);
    gs_os_down(&tp->os, hi, m, base);
    for (uint32_t i = 0; i < m; i++) buf[done + i] = (float)base[i];
    done += m;
  }
}

void gs_tube_poweramp_reset(GsTubePoweramp *tp) {
  gs_pp_reset(&tp->pp);
  gs_os_reset(&tp->os);
  gs_ramp_finish(&tp->k_in);
}

uint32_t gs_tube_poweramp_latency(const GsTubePoweramp *tp) {
  return tp->os.latency;
}

uint32_t gs_tube_poweramp_latency_slack(const GsTubePoweramp *tp) {
  return gs_os_latency_slack(&tp->os);
}

uint64_t gs_tube_poweramp_failures(const GsTubePoweramp *tp) {
  return atomic_load_explicit(&tp->pp.failures, memory_order_relaxed);
}

const GsPushPull *gs_tube_poweramp_circuit(const GsTubePoweramp *tp) {
  return &tp->pp;
}
