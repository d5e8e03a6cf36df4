/* The engine's cycle: strips through their chains, into the monitor bus
 * and the headphone mixes, the return added, outputs metered. Fixed
 * scratch of GS_ENGINE_CHUNK frames, so any buffer size runs without
 * allocation. */
#include <math.h>
#include <string.h>

#include "dsp/denormal.h"
#include "engine_impl.h"
#include "recorder.h"

static void meter_block(GsEngine *e, Meter *m, const float *x, uint32_t n) {
  float peak = 0.0f;
  double ms = m->mean_square, a = e->meter_coeff;
  for (uint32_t i = 0; i < n; i++) {
    float v = fabsf(x[i]);
    if (v > peak) peak = v;
    ms += a * ((double)x[i] * x[i] - ms);
  }
  m->mean_square = ms;
  if (peak > atomic_load(&m->peak)) atomic_store(&m->peak, peak);
  atomic_store(&m->rms, (float)sqrt(ms));
  if (peak >= 1.0f) atomic_store(&m->clip, true);
}

/* Add a strip's output into a stereo bus through a ramped pair of gains. */
static void mix_into(float *restrict l, float *restrict r, const Strip *st, StereoGain *g,
                     uint32_t n) {
  const float *x0 = st->out[0], *x1 = st->out[st->n_out > 1 ? 1 : 0];
  if (!gs_ramp_moving(&g->l) && !gs_ramp_moving(&g->r)) {
    float gl = (float)g->l.value, gr = (float)g->r.value;
    if (gl == 0.0f && gr == 0.0f) return;
    for (uint32_t i = 0; i < n; i++) {
      l[i] += gl * x0[i];
      r[i] += gr * x1[i];
    }
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    l[i] += (float)gs_ramp_next(&g->l) * x0[i];
    r[i] += (float)gs_ramp_next(&g->r) * x1[i];
  }
}

static bool records(GsRecordWhat what, bool raw) {
  return what == GS_REC_BOTH || what == (raw ? GS_REC_RAW : GS_REC_PROCESSED);
}

static void run_strips(GsEngine *e, const float *const *in, uint32_t n) {
  uint32_t rec = 0;
  for (uint32_t s = 0; s < e->n_strips; s++) {
    Strip *st = &e->strip[s];
    const float *ins[GS_RIG_MAX_CAPTURES];
    float *outs[2] = {st->out[0], st->out[1]};
    for (uint32_t k = 0; k < st->n_in; k++) {
      ins[k] = in[st->first_input + k];
      if (records(st->record, true)) e->record_ptr[rec++] = ins[k];
      for (uint32_t i = 0; i < n; i++) {
        if (fabsf(ins[k][i]) >= 1.0f) atomic_store(&e->meter[s].clip, true);
      }
    }
    gs_chain_process(st->chain, ins, outs, n);
    for (uint32_t k = 0; records(st->record, false) && k < st->n_out; k++) {
      e->record_ptr[rec++] = st->out[k];
    }
    meter_block(e, &e->meter[s], st->out[0], n);
    if (st->n_out > 1) meter_block(e, &e->meter[s], st->out[1], n);
    mix_into(e->mon.bus[0], e->mon.bus[1], st, &st->mon, n);
    for (uint32_t k = 0; k < e->n_phones; k++) {
      mix_into(e->phones[k].bus[0], e->phones[k].bus[1], st, &st->send[k], n);
    }
  }
}

/* Monitor: bus + return, mono blend, then pair A and pair B. */
static void run_monitor(GsEngine *e, const float *retl, const float *retr, float *const *out,
                        uint32_t n) {
  Monitor *m = &e->mon;
  for (uint32_t i = 0; i < n; i++) {
    double ret = gs_ramp_next(&m->ret), mono = gs_ramp_next(&m->mono_mix);
    double l = m->bus[0][i] + ret * retl[i], r = m->bus[1][i] + ret * retr[i];
    double ml = (1.0 - mono) * l + mono * r, mr = (1.0 - mono) * r + mono * l;
    double a = gs_ramp_next(&m->a), b = gs_ramp_next(&m->b);
    out[0][i] = (float)(a * ml);
    out[1][i] = (float)(a * mr);
    out[2][i] = (float)(b * ml);
    out[3][i] = (float)(b * mr);
  }
}

static void run_phones(GsEngine *e, const float *retl, const float *retr, float *const *out,
                       uint32_t n) {
  for (uint32_t k = 0; k < e->n_phones; k++) {
    Phones *ph = &e->phones[k];
    float *l = out[4 + 2 * k], *r = out[5 + 2 * k];
    for (uint32_t i = 0; i < n; i++) {
      double ret = gs_ramp_next(&ph->ret), g = gs_ramp_next(&ph->level);
      l[i] = (float)(g * (ph->bus[0][i] + ret * retl[i]));
      r[i] = (float)(g * (ph->bus[1][i] + ret * retr[i]));
    }
  }
}

static void clear_buses(GsEngine *e, uint32_t n) {
  memset(e->mon.bus[0], 0, n * sizeof(float));
  memset(e->mon.bus[1], 0, n * sizeof(float));
  for (uint32_t k = 0; k < e->n_phones; k++) {
    memset(e->phones[k].bus[0], 0, n * sizeof(float));
    memset(e->phones[k].bus[1], 0, n * sizeof(float));
  }
}

/* Non-finite return samples count as silence, as chain inputs do. */
static void clean_return(const float *in, float *out, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) out[i] = isfinite(in[i]) ? in[i] : 0.0f;
}

static void run_chunk(GsEngine *e, const float *const *in, float *const *out, uint32_t n) {
  float retl[GS_ENGINE_CHUNK], retr[GS_ENGINE_CHUNK];
  clean_return(in[e->n_inputs - 2], retl, n);
  clean_return(in[e->n_inputs - 1], retr, n);
  clear_buses(e, n);
  run_strips(e, in, n);
  run_monitor(e, retl, retr, out, n);
  run_phones(e, retl, retr, out, n);
  for (uint32_t o = 0; o < e->n_outputs; o++) {
    meter_block(e, &e->meter[e->n_strips + o], out[o], n);
  }
  if (e->recorder && e->n_record) gs_recorder_write(e->recorder, e->record_ptr, n);
}

void gs_engine_process(GsEngine *e, const float *const *in, float *const *out, uint32_t n) {
  GsFpMode fp = gs_denormals_off();
  gs_engine_commands(e);
  const float *ins[GS_RIG_MAX_STRIPS * GS_RIG_MAX_CAPTURES + 2];
  float *outs[4 + 2 * GS_RIG_MAX_PHONES];
  for (uint32_t done = 0; done < n;) {
    uint32_t m = n - done < GS_ENGINE_CHUNK ? n - done : GS_ENGINE_CHUNK;
    for (uint32_t i = 0; i < e->n_inputs; i++) ins[i] = in[i] + done;
    for (uint32_t o = 0; o < e->n_outputs; o++) outs[o] = out[o] + done;
    run_chunk(e, ins, outs, m);
    done += m;
  }
  gs_denormals_restore(fp);
}
