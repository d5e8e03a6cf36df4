#include "dsp/clipper.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/clip.h"

bool gs_clipper_init(GsClipper *c, int factor, double rate) {
  memset(c, 0, sizeof *c);
  if (factor < 2 || !gs_os_init(&c->os, factor, rate, GS_OS_LINEAR_PHASE)) return false;
  return c->os.latency >= 1 && c->os.latency < GS_CLIPPER_MAX_LATENCY;
}

GsClipper *gs_clipper_new(int factor, double rate) {
  GsClipper *c = malloc(sizeof *c);
  if (c && !gs_clipper_init(c, factor, rate)) {
    free(c);
    c = NULL;
  }
  return c;
}

void gs_clipper_free(GsClipper *c) {
  free(c);
}

void gs_clipper_reset(GsClipper *c) {
  gs_os_reset(&c->os);
  memset(c->line, 0, sizeof c->line);
  c->pos = 0;
  c->quiet = 0;
}

uint32_t gs_clipper_latency(const GsClipper *c) {
  return c->os.latency;
}

/* True if any of v[0 .. n) passes beyond the clip's linear range
 * (|v| <= knee limit for the soft clip, limit for the hard one). The
 * largest |v| by four running maxima (a > m ? a : m is one maxsd each;
 * NaN is never beyond, and passes through the linear part). */
static bool beyond(const double *v, uint32_t n, double limit, double knee) {
  double edge = knee > 0.0 ? knee * limit : limit, m[4] = {0.0, 0.0, 0.0, 0.0};
  uint32_t k = 0;
  for (; k + 4 <= n; k += 4) {
    for (int j = 0; j < 4; j++) {
      double a = fabs(v[k + j]);
      m[j] = a > m[j] ? a : m[j];
    }
  }
  for (; k < n; k++) m[0] = fabs(v[k]) > m[0] ? fabs(v[k]) : m[0];
  return m[0] > edge || m[1] > edge || m[2] > edge || m[3] > edge;
}

/* The residual r(v) = clip(v) - v over the high-rate block. */
static void residual(double *v, uint32_t n, double limit, double knee) {
  for (uint32_t k = 0; k < n; k++)
    v[k] = gs_clip(v[k], limit, knee) - v[k]; /* 0 where it passes v */
}

/* The decimator's stages keep at most GS_OS_MAX_HISTORY samples each, at
 * rates of at least the base rate: that many base samples of zeros leave
 * it holding nothing else. */
static void chunk(GsClipper *c, double *x, uint32_t n, double limit, double knee) {
  uint32_t f = (uint32_t)c->os.factor;
  gs_os_up(&c->os, x, n, c->hi);
  bool any = beyond(c->hi, n * f, limit, knee);
  if (any) residual(c->hi, n * f, limit, knee);
  if (any || c->quiet < GS_OS_MAX_HISTORY) {
    if (!any) memset(c->hi, 0, n * f * sizeof(double));
    gs_os_down(&c->os, c->hi, n, c->res);
    c->quiet = any ? 0 : c->quiet + n;
  } else {
    memset(c->res, 0, n * sizeof(double));
  }
  uint32_t len = c->os.latency;
  for (uint32_t i = 0; i < n; i++) { /* x delayed by the latency, plus r */
    double late = c->line[c->pos];
    c->line[c->pos] = x[i];
    c->pos = c->pos + 1 < len ? c->pos + 1 : 0;
    x[i] = late + c->res[i];
  }
}

void gs_clipper_run(GsClipper *c, double *x, uint32_t n, double limit, double knee) {
  while (n > 0) {
    uint32_t m = n < GS_OS_CHUNK ? n : GS_OS_CHUNK;
    chunk(c, x, m, limit, knee);
    x += m;
    n -= m;
  }
}
