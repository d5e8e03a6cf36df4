/* The K method's table lookups (dk_k.h), four lanes at a time, and the
 * lookup the cascades' common sample takes for a stage whose grid is cut
 * off: what dk_kstep.c (one or two stages) and dk_k3step.c (three or
 * four) share. Private to them; [audio]. */
#ifndef GS_DSP_DK_KLOOKUP_H
#define GS_DSP_DK_KLOOKUP_H

#include "dsp/dk_step.h"

#if defined(__GNUC__)

/* Where (x, y) falls: cells jx, jy, fractions u, w, the x cell's 1/h; 1 in
 * the table, 0 below its x range (cut off), -1 outside (or NaN). Within a
 * cell of the edges by truncation toward 0, the cells there extended. */
UNROLLED int gs_k_cell(const GsKTab *t, double x, double y, unsigned *jx, unsigned *jy, double *u,
                       double *w, double *ih) {
  double sy = y * t->ihy + t->oy;
  bool lo = x < t->xf;
  double sx = lo ? x * t->ihc + t->oc : x * t->ihf + t->of;
  *ih = lo ? t->ihc : t->ihf;
  /* the fractions from trunc (one instruction, on the chain from x to
   * the currents), the cells' indices off it, cast only once in range */
  double fx = __builtin_trunc(sx), fy = __builtin_trunc(sy);
  *u = sx - fx, *w = sy - fy;
  if (!(sy > -1.0 && sy < t->cy)) return -1;
  *jy = (unsigned)fy;
  if (!(sx > -1.0 && sx < t->cx)) return sx <= -1.0 ? 0 : -1;
  *jx = (unsigned)fx;
  return 1;
}

/* The cubic Hermite basis on [0, 1] (the weights of f0, f0' h, f1, f1' h)
 * at u, and its slope, by Horner's rule: three and two multiply-adds. */
UNROLLED Quad hermite(double u) {
  return (((Quad){2.0, 1.0, -2.0, 1.0} * u + (Quad){-3.0, -2.0, 3.0, -1.0}) * u +
          (Quad){0.0, 1.0, 0.0, 0.0}) *
             u +
         (Quad){1.0, 0.0, 0.0, 0.0};
}

UNROLLED Quad hermite_slope(double u) {
  return ((Quad){6.0, 3.0, -6.0, 3.0} * u + (Quad){-6.0, -4.0, 6.0, -2.0}) * u +
         (Quad){0.0, 1.0, 0.0, 0.0};
}

/* (a0 + a1 + a2 + a3, b0 + b1 + b2 + b3) */
UNROLLED Pair sums2(Quad a, Quad b) {
  Quad h = __builtin_shufflevector(a, b, 0, 4, 2, 6) + __builtin_shufflevector(a, b, 1, 5, 3, 7);
  return __builtin_shufflevector(h, h, 0, 1) + __builtin_shufflevector(h, h, 2, 3);
}

/* The two-port table's rows at (x, y), interpolated: lanes 0 + 2 the grid
 * current, 1 + 3 the plate's; d, their change from row jy to jy + 1. Nodes
 * (ig, ip, ig_x hx, ip_x hx). in as gs_k_cell's. */
UNROLLED int k2_rows(const GsKTab *t, double x, double y, Quad *r, Quad *d, unsigned *jy) {
  unsigned jx = 0;
  double u = 0.0, w = 0.0, ih;
  int in = gs_k_cell(t, x, y, &jx, jy, &u, &w, &ih);
  if (in <= 0) return in;
  Quad h = hermite(u);
  Quad wv = __builtin_shufflevector(h, h, 0, 0, 1, 1),
       wn = __builtin_shufflevector(h, h, 2, 2, 3, 3);
  const double *a = t->data + *jy * t->row + 4 * jx, *b = a + t->row;
  Quad ra = quad(a) * wv + quad(a + 4) * wn;
  *d = quad(b) * wv + quad(b + 4) * wn - ra;
  *r = ra + w * *d;
  return 1;
}

/* The two-port table at (x, y): (ig, ip, dig/dy, dip/dy) and the
 * plate-axis cell jy it fell in; false outside (or NaN). */
UNROLLED bool k2(const GsKTab *t, double x, double y, Quad *o, unsigned *jy) {
  Quad r, d;
  int in = k2_rows(t, x, y, &r, &d, jy);
  if (in <= 0) {
    *o = (Quad){0.0, 0.0, 0.0, 0.0};
    return in == 0;
  }
  Quad rd = __builtin_shufflevector(r, d, 0, 1, 4, 5) + __builtin_shufflevector(r, d, 2, 3, 6, 7);
  *o = rd * (Quad){1.0, 1.0, t->ihy, t->ihy};
  return true;
}

/* k2's currents alone, (ig, ip); false outside (kcas_fast). */
UNROLLED bool k2_currents(const GsKTab *t, double x, double y, Pair *i) {
  Quad r, d;
  unsigned jy;
  int in = k2_rows(t, x, y, &r, &d, &jy);
  if (in <= 0) {
    *i = (Pair){0.0, 0.0};
    return in == 0;
  }
  *i = __builtin_shufflevector(r, r, 0, 1) + __builtin_shufflevector(r, r, 2, 3);
  return true;
}

/* The one-port table at (x, y): ip, dip/dx, and dip/dy where dy is
 * wanted; false outside (or NaN). A one-port table has no coarse part
 * (dk_k.c: one spacing along x), so s(x) is one line. Nodes (ip, ip_x hx). */
UNROLLED bool k1(const GsKTab *t, double x, double y, double *ip, double *dx, double *dy) {
  double sy = y * t->ihy + t->oy, sx = x * t->ihf + t->of;
  double fx = __builtin_trunc(sx), fy = __builtin_trunc(sy); /* as gs_k_cell's */
  bool in_y = sy > -1.0 && sy < t->cy;
  if (!(sx > -1.0 && sx < t->cx && in_y)) { /* below: cut off */
    *ip = *dx = 0.0;
    if (dy) *dy = 0.0;
    return sx <= -1.0 && in_y;
  }
  unsigned jx = (unsigned)fx, jy = (unsigned)fy;
  double u = sx - fx, w = sy - fy;
  const double *a = t->data + jy * t->row + 2 * jx;
  Quad qa = quad(a), dq = quad(a + t->row) - qa, q = qa + w * dq, h = hermite(u);
  Pair o = sums2(q * h, q * hermite_slope(u));
  *ip = o[0], *dx = o[1] * t->ihf;
  if (dy) *dy = sums2(dq * h, dq * h)[0] * t->ihy;
  return true;
}

UNROLLED Pair pair(const double *a) {
  Pair q;
  memcpy(&q, a, sizeof q);
  return q;
}

/* The one-port table's value alone at (x, y), as k1's ip (the solved
 * tables' lookup: the common sample's chain from c to ip, no slopes). */
UNROLLED bool k1_ip(const GsKTab *t, double x, double y, double *ip) {
  double sy = y * t->ihy + t->oy, sx = x * t->ihf + t->of;
  double fx = __builtin_trunc(sx), fy = __builtin_trunc(sy);
  bool in_y = sy > -1.0 && sy < t->cy;
  if (!(sx > -1.0 && sx < t->cx && in_y)) {
    *ip = 0.0;
    return sx <= -1.0 && in_y;
  }
  const double *a = t->data + (unsigned)fy * t->row + 2 * (unsigned)fx;
  Quad qa = quad(a), q = qa + (sy - fy) * (quad(a + t->row) - qa), h = q * hermite(sx - fx);
  Pair o = __builtin_shufflevector(h, h, 0, 1) + __builtin_shufflevector(h, h, 2, 3);
  *ip = o[0] + o[1];
  return true;
}

/* k1_ip for a bicubic one-port table (dk_k.h: rows of (ip, ip_x hx) and
 * of (ip_y hy, ip_xy hx hy)): the two rows' nodes combined by the cubic
 * Hermite basis along y too, where k1_ip draws a straight line; and
 * dip/dy where dy is wanted. */
UNROLLED bool k1c(const GsKTab *t, double x, double y, double *ip, double *dy) {
  double sy = y * t->ihy + t->oy, sx = x * t->ihf + t->of;
  double fx = __builtin_trunc(sx), fy = __builtin_trunc(sy);
  bool in_y = sy > -1.0 && sy < t->cy;
  if (!(sx > -1.0 && sx < t->cx && in_y)) {
    *ip = 0.0;
    if (dy) *dy = 0.0;
    return sx <= -1.0 && in_y;
  }
  const double *a = t->data + (unsigned)fy * t->row + 2 * (unsigned)fx, *b = a + t->row;
  const double *as = a + t->slopes, *bs = b + t->slopes;
  Quad hy = hermite(sy - fy), hx = hermite(sx - fx);
  Quad q = quad(a) * hy[0] + quad(as) * hy[1] + quad(b) * hy[2] + quad(bs) * hy[3];
  Quad h = q * hx;
  Pair o = __builtin_shufflevector(h, h, 0, 1) + __builtin_shufflevector(h, h, 2, 3);
  *ip = o[0] + o[1];
  if (dy) {
    Quad sl = hermite_slope(sy - fy);
    Quad dq = quad(a) * sl[0] + quad(as) * sl[1] + quad(b) * sl[2] + quad(bs) * sl[3];
    *dy = sums2(dq * hx, dq * hx)[0] * t->ihy;
  }
  return true;
}

UNROLLED bool k1c_ip(const GsKTab *t, double x, double y, double *ip) {
  return k1c(t, x, y, ip, NULL);
}

#define K_FAR GS_GRID_CUT /* knees: grid() is 0 below */
#define K_TOL_FAR 1e-3

/* A later stage of a cascade whose grid is cut off (more than K_FAR
 * knees below its diode's bend: its current is 0): its grid voltage vg
 * = c + fg ip(vg, y), c the part of vg its own plate current does not
 * give, fg = F[g][p] (its cathode), y its plate's p. Its plate current is
 * its solved table's (dk_k.c) at (c, y): no guess, no step, no division
 * on the chain from one sample's c to the next. False where the table
 * declines or vg = c + fg ip is not below vcut (the grid might conduct). */
UNROLLED bool kcut_ip(const GsKTab *t, double c, double fg, double y, double vcut, double *ip) {
  return k1_ip(t, c, y, ip) && c + fg * *ip < vcut;
}

/* kcut_ip by a bicubic solved table (four stages'). */
UNROLLED bool kcut_ipc(const GsKTab *t, double c, double fg, double y, double vcut, double *ip) {
  return k1c_ip(t, c, y, ip) && c + fg * *ip < vcut;
}

/* The general path's guess for the next sample (step_kcas) from the last
 * common one, at (c, y) in the solved table t: the grid voltage vg, c
 * there (a) and dvg/dc = 1 + fg dip/dc (slope); taken once, where a
 * block's common samples end. */
typedef struct {
  double vg, a, slope;
} KCut;

UNROLLED KCut kcut_guess(const GsKTab *t, double c, double fg, double y) {
  double ip, dip;
  k1(t, c, y, &ip, &dip, NULL);
  return (KCut){c + fg * ip, c, 1.0 + fg * dip};
}

#endif
#endif
