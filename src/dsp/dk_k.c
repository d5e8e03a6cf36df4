/* Building the K-method tables (dk_k.h) and choosing gs_dk_run's K path
 * (dk.h). [main] but gs_dk_k_check, [audio]. */
#include "dsp/dk_k.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/dk.h"

/* Ranges, from the circuit at rest (p0: the ports' p with the inputs at
 * rest; for a plate port, the plate's open-circuit voltage, about the
 * supply):
 *   plate axis  [Y_LO, Y_HI] p0 for a two-port table: the plate's p swings
 *               down as the next stage's grid draws current through the
 *               coupling capacitor (the preamp at full gain: 172..254 V
 *               for 241 at rest, at 4 V in) and up as the capacitors
 *               discharge; [Y_LO1, Y_HI] p0 for a one-port table, a last
 *               stage's plate, whose p moves only with its output
 *               capacitor's charge (240..244 V for 242 there); a
 *               one-port table for a stage with another after it (the
 *               middle ones of three or four), [Y_LO, Y_HI] p0 as for a two-port:
 *               its p swings with the next grid's current too;
 *   grid axis   from where the plate current at the plate axis' top falls
 *               below CUT_AMPS (the currents are 0 below) up to X_HI p0:
 *               a grid's p (the input, or the last stage's plate swing
 *               through the coupling capacitor and what the grid diode
 *               leaves of it) stays within a few volts of the bias in use
 *               (6 V for the preamp at 4 V in);
 *   c axis      of a solved table (a later stage, its grid cut off: its
 *               grid voltage vg = c + F[g][p] ip solved at each node),
 *               from the same bottom up to a cell past where vg reaches
 *               GS_GRID_CUT knees at the plate axis' top (-9.9..-0.24 V
 *               for the preamp's stage 2); its plate axis the stage's
 *               one-port table's.
 * Past them a sample takes Newton's path. */
#define Y_LO 0.45
#define Y_LO1 0.75
#define Y_HI 1.1
#define X_HI 0.025
#define CUT_AMPS 1e-13 /* x 100 kohm: 1e-8 V at the plate */
/* Node spacing: along the grid axis H_TUBE yhi / kp (a step of 0.3 in
 * Koren's exponent kp Vgk / Vpk at the axis' top), and where a two-port's
 * grid diode bends (from KNEE_FROM knees below 0 up) H_KNEE times its knee
 * as seen from q_g, knee (1 + |F_gg| / rgi); along the plate axis at most
 * H_PLATE volts (H_PLATE1 for one-port tables). The plate axis is linear:
 * its error dominates. The preamp (two 12AX7 stages, gain 50, a guitar DI)
 * against Newton's solution converged: -71 dB rms with 4.3 V for both
 * tables, -90 with 1 V for the one-port table, -92 with 3 V and 1 V.
 * Three stages have one stage more of gain after each table: 3 V and
 * 1 V there give -87.6 (high-gain.preset's preamp, gain 48, a guitar DI),
 * 1.5 V and 0.5 V (H_PLATE3, H_PLATE13) -102.4 (gain 60: -97.9, -108.7);
 * their grid axis' spacing halved too (H_TUBE3) takes a 12AU7's three
 * stages (kp a seventh of a 12AX7's: spaced seven times wider) from
 * -79.5 to -105.0 (two 12AU7 stages by their tables: -85.1), the
 * 12AX7's to -102.6 (gain 60: -109.2). A solved table is spaced as its
 * stage's one-port table (the figures move by 0.1 dB): its c spacing
 * doubled costs the 12AU7's three stages 24 dB (-80.9), its plate
 * spacing doubled the 12AX7's 16 dB (-86.4). Three and four stages'
 * last stage has a one-port table too (its grid conducting: dk_kgrid.h),
 * at H_PLATE1 as two stages' (0.5 V there moved no figure by more than
 * 0.1 dB). Three stages take 2.3 MB of tables, built in ~70 ms; two 0.49
 * MB, built in 13 ms.
 * Four stages have two stages of gain after stage 2's solved table, and
 * stage 2's plate p moves little: with three stages' spacing the preamp
 * (stages=4, gain 40, where the pot stops at 60.1 dB; a guitar DI) was
 * -66.2 dB rms, nearly all of it that table's straight lines along its
 * plate axis (their slope jumps at each node: where the nodes fell
 * decided it, -64 to -94 as the axis' bottom moved, -76, -93, -95 with
 * the spacing halved, quartered, an eighth). Four stages' solved tables
 * are bicubic instead (cubic along y too, from each node's slope along
 * y: dk_k.h): -98.1 with 0.5 V (gain 70: -90.5), and as much at 1 V
 * (H_PLATE14); then stage 1's two-port table's plate axis dominates: at
 * 0.75, 0.5 and 0.375 V (H_PLATE4) -105.2, -107.9, -110.5 (gain 70:
 * -98.1, -102.7, -106.6). The grid axes at H_TUBE3 still: at H_TUBE the
 * solved tables' cost the 12AX7s 6 to 9 dB, the two-port table's four
 * 12AU7 stages 17 (-81.2 against -98.3 at gain 70; Newton's path -99.2).
 * 5.1 MB of tables (the two-port one 101,000 nodes: MAX_NODES), built in
 * ~70 ms (5.4 MB with the last stage's one-port table).
 * One triode with its grid apart (the preamp's one stage, gain 20 and
 * 35.4, a guitar DI): at H_TUBE and H_PLATE1 the 12AX7 -121.1 and -116.6
 * dB rms, the 12AU7 (gain 20) -92.0, nearly all of it its grid axis; at
 * H_TUBE3 each -114.5 (0.53 MB for the 12AX7's two tables, for every
 * gain; 0.5 V along the plate axis: -124.9, -124.8, -115.3, 1.05 MB). */
#define H_TUBE 0.3
#define H_TUBE3 0.15
#define H_KNEE 0.18
#define KNEE_FROM 50.0
#define H_PLATE 3.0
#define H_PLATE1 1.0
#define H_PLATE3 1.5
#define H_PLATE13 0.5
#define H_PLATE4 0.375
#define H_PLATE14 1.0
#define MAX_NODES 200000 /* a table's, at most: 6.4 MB */

typedef struct {
  double kp, inv_mu, kvb, ex, two_kg1, inv_rgi, knee;
} Model;

static Model model_of(const GsDkTube *t) {
  Model m = {t->triode.kp,      t->triode.inv_mu, t->triode.kvb,    t->triode.ex,
             t->triode.two_kg1, t->inv_rgi,       1.0 / t->inv_knee};
  return m;
}

/* ---------------------------------------------- the tube, by libm */

static double softplus(double a, double *sig) {
  double t = exp(-fabs(a));
  *sig = a > 0.0 ? 1.0 / (1.0 + t) : t / (1.0 + t);
  return (a > 0.0 ? a : 0.0) + log1p(t);
}

static double plate(const Model *m, double vg, double vp, double *gm, double *gp) {
  *gm = *gp = 0.0;
  if (!(vp > 0.0)) return 0.0;
  double is = 1.0 / sqrt(m->kvb + vp * vp), sig;
  double sp = softplus(m->kp * (m->inv_mu + vg * is), &sig);
  double e1 = vp / m->kp * sp;
  if (!(e1 > 1e-300)) return 0.0;
  double i = m->two_kg1 * pow(e1, m->ex), di = m->ex * i / e1, vsig = vp * sig * is;
  *gm = di * vsig;
  *gp = di * (sp / m->kp - vsig * vp * vg * is * is);
  return i;
}

static double grid(const Model *m, double v, double *g) {
  double sig, sp = softplus(v / m->knee, &sig);
  *g = sig * m->inv_rgi;
  return m->knee * m->inv_rgi * sp;
}

/* v = q + F i(v) for one triode's two ports from the guess v; the
 * currents and their slopes along q_g. False if it would not converge. */
static bool solve2(const Model *m, const double F[4], const double q[2], double v[2], double i[2],
                   double di[2]) {
  for (int it = 0; it < 200; it++) {
    double gg, gm, gp;
    i[0] = grid(m, v[0], &gg);
    i[1] = plate(m, v[0], v[1], &gm, &gp);
    double r0 = v[0] - q[0] - F[0] * i[0] - F[1] * i[1];
    double r1 = v[1] - q[1] - F[2] * i[0] - F[3] * i[1];
    double M00 = 1.0 - (F[0] * gg + F[1] * gm), M01 = -F[1] * gp;
    double M10 = -(F[2] * gg + F[3] * gm), M11 = 1.0 - F[3] * gp;
    double det = M00 * M11 - M01 * M10;
    if (!(fabs(det) > 1e-300)) return false;
    /* to rounding: 1e-13 of the terms' size */
    double tol0 = 1e-13 * (1.0 + fabs(q[0]) + fabs(F[0] * i[0]) + fabs(F[1] * i[1]));
    double tol1 = 1e-13 * (1.0 + fabs(q[1]) + fabs(F[2] * i[0]) + fabs(F[3] * i[1]));
    if (fabs(r0) < tol0 && fabs(r1) < tol1) {
      /* di/dq = J (I - F J)^-1, its first column */
      double c0 = M11 / det, c1 = -M10 / det;
      di[0] = gg * c0;
      di[1] = gm * c0 + gp * c1;
      return true;
    }
    double d0 = (M11 * r0 - M01 * r1) / det, d1 = (M00 * r1 - M10 * r0) / det;
    double from = v[1];
    v[0] -= d0;
    v[1] -= d1;
    if (from > 1e-3 && v[1] < 0.0) v[1] = 0.5 * from; /* as dk_step.c's keep_above_cutoff */
  }
  return false;
}

/* v_p = q_p + f ip(vg, v_p): its residual rises (f < 0, ip rising with
 * v_p) from -q_p at 0 to -f ip >= 0 at q_p: Newton's steps inside that
 * bracket, halving it where a step would leave it; ip and its slopes
 * along vg and (where dy is wanted) along q_p. */
static bool solve1(const Model *m, double f, double vg, double qp, double *ip, double *dip,
                   double *dy) {
  double lo = 0.0, hi = qp, vp = qp;
  for (int it = 0; it < 400; it++) {
    double gm, gp, i = plate(m, vg, vp, &gm, &gp);
    double r = vp - qp - f * i, dr = 1.0 - f * gp;
    if (fabs(r) < 1e-13 * (1.0 + fabs(qp) + fabs(f * i))) { /* to rounding */
      *ip = i;
      *dip = gm / dr;
      if (dy) *dy = gp / dr;
      return true;
    }
    if (r > 0.0) {
      hi = vp;
    } else {
      lo = vp;
    }
    vp -= r / dr;
    if (!(vp > lo && vp < hi)) vp = 0.5 * (lo + hi);
  }
  return false;
}

/* A later stage's grid cut off (its current 0): its grid port's voltage
 * vg = c + fg ip(vg, y), fg = F[g][p] (its cathode: < 0), ip solve1's.
 * r(vg) = c + fg ip - vg falls with slope fg dip - 1 <= -1 and the root
 * lies in [c + fg ip(c), c] (ip rises with vg): Newton's steps inside
 * that bracket, halving it where a step would leave it; ip there and its
 * slopes along c, dip/dvg / (1 - fg dip/dvg), and along y, dip/dy / (1 -
 * fg dip/dvg). */
static bool solve_cut(const Model *m, double fpp, double fg, double c, double y, double *ip,
                      double *dip, double *dy) {
  double i, di, diy;
  if (!(fg <= 0.0) || !solve1(m, fpp, c, y, &i, &di, &diy)) return false;
  double lo = c + fg * i, hi = c, vg = c;
  for (int it = 0; it < 200; it++) {
    if (it > 0 && !solve1(m, fpp, vg, y, &i, &di, &diy)) return false;
    double r = c + fg * i - vg, dr = fg * di - 1.0;
    if (fabs(r) < 1e-13 * (1.0 + fabs(c) + fabs(fg * i))) { /* to rounding */
      *ip = i;
      *dip = di / -dr;
      *dy = diy / -dr;
      return true;
    }
    if (r > 0.0) {
      lo = vg;
    } else {
      hi = vg;
    }
    vg -= r / dr;
    if (!(vg > lo && vg < hi)) vg = 0.5 * (lo + hi);
  }
  return false;
}

/* ------------------------------------------------------------ tables */

typedef struct {
  double ports;
  Model m;
  double F[4]; /* a solved table's: (0, fg, 0, F[p][p]) */
  double ylo, yhi, xhi;
  double hy;    /* at most, along the plate axis */
  double htube; /* H_TUBE's part */
  double vcut;  /* < 0: a solved table, to where its grid voltage reaches vcut */
  double cubic; /* 1: a solved table cubic along y too (bicubic: dk_k.h) */
} Key;

/* A solved table's x axis (c) ends a cell past where the grid voltage
 * reaches vcut at the plate axis' top (ip largest there: vg = c + fg ip
 * lowest; c(vcut) rises with y). */
static double solved_top(const Key *k, double h) {
  double ip, dip;
  if (!solve1(&k->m, k->F[3], k->vcut, k->yhi, &ip, &dip, NULL)) return NAN;
  return k->vcut - k->F[1] * ip + h;
}

static double node_x(const GsKTab *t, int j, double hc, double hf, double *h) {
  if (j <= t->nc) {
    *h = hc;
    return t->xlo + j * hc;
  }
  *h = hf;
  return t->xf + (j - t->nc - 1) * hf;
}

/* A two-port table's nodes (ig, ip, ig_x hx, ip_x hx), each solved from
 * the last (a row from the last row's start). */
static bool fill2(GsKTab *t, const Key *k, double hc, double hf, double hy) {
  double v[2] = {t->xlo, t->yhi}, row[2] = {t->xlo, t->yhi};
  for (int jy = 0; jy < t->ny; jy++) {
    double y = t->ylo + jy * hy;
    if (jy > 0) v[0] = row[0], v[1] = row[1] + hy;
    for (int jx = 0; jx < t->nx; jx++) {
      double h, x = node_x(t, jx, hc, hf, &h), *o = t->data + jy * t->row + 4 * jx;
      double q[2] = {x, y}, i[2], di[2];
      if (!solve2(&k->m, k->F, q, v, i, di)) { /* cold, from the open circuit */
        v[0] = x, v[1] = y;
        if (!solve2(&k->m, k->F, q, v, i, di)) return false;
      }
      if (jx == 0) row[0] = v[0], row[1] = v[1];
      o[0] = i[0], o[1] = i[1], o[2] = di[0] * h, o[3] = di[1] * h;
    }
  }
  return true;
}

/* A one-port table's nodes (ip, ip_x hx), and for a bicubic one the
 * y-slopes' row (ip_y hy, ip_xy hx hy), ip_xy by central differences of
 * ip_y along x (one-sided at the ends). */
static bool fill1(GsKTab *t, const Key *k, double hc, double hf, double hy) {
  for (int jy = 0; jy < t->ny; jy++) {
    double y = t->ylo + jy * hy, *o = t->data + jy * t->row, *oy = o + t->slopes;
    for (int jx = 0; jx < t->nx; jx++) {
      double h, x = node_x(t, jx, hc, hf, &h), ip, dip, dy = 0.0;
      bool ok = k->vcut < 0.0 ? solve_cut(&k->m, k->F[3], k->F[1], x, y, &ip, &dip, &dy)
                              : solve1(&k->m, k->F[3], x, y, &ip, &dip, NULL);
      if (!ok) return false;
      o[2 * jx] = ip, o[2 * jx + 1] = dip * h;
      if (t->slopes) oy[2 * jx] = dy * hy;
    }
    for (int jx = 0; t->slopes && jx < t->nx; jx++) {
      int a = jx > 0 ? jx - 1 : 0, b = jx < t->nx - 1 ? jx + 1 : jx;
      oy[2 * jx + 1] = (oy[2 * b] - oy[2 * a]) / (b - a);
    }
  }
  return true;
}

static GsKTab *build(const Key *k) {
  const Model *m = &k->m;
  int ports = (int)k->ports;
  double ylo = k->ylo, yhi = k->yhi;
  /* the grid axis' bottom: plate current CUT_AMPS at yhi, by bisection */
  double a = -2.0 * yhi, b = 0.0, gm, gp;
  if (!(plate(m, a, yhi, &gm, &gp) < CUT_AMPS) || !(plate(m, b, yhi, &gm, &gp) > CUT_AMPS))
    return NULL;
  for (int it = 0; it < 100; it++) {
    double c = 0.5 * (a + b);
    if (plate(m, c, yhi, &gm, &gp) < CUT_AMPS) {
      a = c;
    } else {
      b = c;
    }
  }
  double xlo = a, hc = k->htube * yhi / m->kp, hf = hc;
  if (ports == 2) {
    xlo = fmin(xlo, -KNEE_FROM * m->knee); /* the grid current is 0 below, too */
    hf = fmin(hc, H_KNEE * m->knee * (1.0 + fabs(k->F[0]) * m->inv_rgi));
  }
  double xhi = k->vcut < 0.0 ? solved_top(k, hf) : k->xhi;
  if (!(xhi > xlo && yhi > ylo && ylo > 0.0 && hc > 0.0)) return NULL;
  int nc = (int)floor((-KNEE_FROM * m->knee - xlo) / hc);
  if (hf >= hc || nc < 1) nc = -1, hf = fmin(hf, hc);
  double xf = nc < 0 ? xlo : xlo + nc * hc;
  int nf = (int)ceil((xhi - xf) / hf) + 1;
  int nx = nc + 1 + nf;
  int ny = (int)ceil((yhi - ylo) / k->hy) + 1;
  if (ny < 2 || nf < 2 || (double)nx * ny > MAX_NODES) return NULL;
  size_t planes = ports == 2 || k->cubic ? 2 : 1; /* two-port: two ports; bicubic: the y-slopes */
  size_t bytes = (sizeof(GsKTab) + sizeof(double) * 2 * planes * nx * ny + 31) & ~(size_t)31;
  GsKTab *t = aligned_alloc(32, bytes);
  if (!t) return NULL;
  memset(t, 0, bytes);
  t->ports = ports;
  t->nx = nx, t->ny = ny, t->nc = nc;
  t->xlo = xlo, t->xf = xf, t->xhi = xf + (nf - 1) * hf;
  t->ihc = 1.0 / hc, t->ihf = 1.0 / hf, t->sf = nc + 1;
  double hy = (yhi - ylo) / (ny - 1);
  t->ylo = ylo, t->yhi = yhi, t->ihy = 1.0 / hy;
  t->oc = -xlo * t->ihc, t->of = t->sf - xf * t->ihf, t->oy = -ylo * t->ihy;
  t->cx = nx - 1, t->cy = ny - 1;
  t->row = 2 * planes * nx;
  t->slopes = ports == 1 && k->cubic ? 2 * (size_t)nx : 0;
  t->bytes = bytes;
  if (!(ports == 1 ? fill1(t, k, hc, hf, hy) : fill2(t, k, hc, hf, hy))) {
    free(t);
    return NULL;
  }
  return t;
}

/* Each table with the solvers that hold it: freed when the last lets go
 * (gs_dk_k_release), so that a slot serves again. */
typedef struct {
  Key key;
  GsKTab *tab;
  int users;
} Slot;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static Slot cache[GS_K_SLOTS];

/* The table for k, built if new, with one user more; NULL if every slot
 * is taken, the table would not build, or no memory. */
static const GsKTab *table(const Key *k) {
  pthread_mutex_lock(&cache_lock);
  Slot *hit = NULL, *empty = NULL;
  for (int j = 0; j < GS_K_SLOTS && !hit; j++) {
    Slot *c = &cache[j];
    if (c->tab && !memcmp(&c->key, k, sizeof *k)) hit = c;
    if (!c->tab && !empty) empty = c;
  }
  if (!hit && empty && (empty->tab = build(k))) {
    hit = empty;
    hit->key = *k;
    hit->users = 0;
  }
  if (hit) hit->users++;
  pthread_mutex_unlock(&cache_lock);
  return hit ? hit->tab : NULL;
}

static void release(const GsKTab *t) {
  if (!t) return;
  pthread_mutex_lock(&cache_lock);
  for (int j = 0; j < GS_K_SLOTS; j++) {
    Slot *c = &cache[j];
    if (c->tab == t && --c->users == 0) {
      free(c->tab);
      c->tab = NULL;
    }
  }
  pthread_mutex_unlock(&cache_lock);
}

void gs_dk_k_release(GsDkSolver *s) {
  for (int t = 0; t < GS_K_STAGES; t++) {
    release(s->kt[t]);
    release(s->kc[t]);
    s->kt[t] = s->kc[t] = NULL;
  }
  s->kmode = 0;
  s->k_live = s->k_grid = false;
}

/* -------------------------------------------------------- the solver */

#define F_SAME 1e-9 /* relative: a table's F entries as built */
#define F_ZERO 1e-9 /* relative to F's largest: the cascade's zeros */

static double fmaxabs(const double *F, int n) {
  double m = 0.0;
  for (int a = 0; a < n * n; a++) m = fmax(m, fabs(F[a]));
  return m;
}

/* Whether F (np x np, rows) is what the tables were built for: the
 * entries they were built from (from the first on; from the second: but
 * F[g1][g1], which only a grid's current sees), and in cascade the stages
 * seeing each other only through a plate and the next grid (ports 2k +
 * 1, 2k + 2): F tridiagonal, every entry two or more off the diagonal 0. */
static bool fits(const GsDkSolver *s, const double *F, int from) {
  int np = s->np;
  static const int at[10][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {3, 3},
                                {2, 3}, {5, 5}, {4, 5}, {7, 7}, {6, 7}};
  for (int k = from; k < 2 + 2 * s->kmode; k++) {
    double f = F[at[k][0] * np + at[k][1]], want = s->kF[k];
    if (!(fabs(f - want) <= F_SAME * fabs(want))) return false;
  }
  if (s->kmode >= 2) {
    double zero = F_ZERO * fmaxabs(F, np);
    for (int a = 0; a < np; a++) {
      for (int b = 0; b < np; b++) {
        if (abs(a - b) >= 2 && !(fabs(F[a * np + b]) <= zero)) return false;
      }
    }
  }
  return true;
}

static Key key_of(const GsDkSolver *s, int tube, int ports, const double F[4], double p0) {
  Key k;
  memset(&k, 0, sizeof k); /* padding too: keys compare by memcmp */
  k.ports = ports;
  k.m = model_of(&s->tubes[tube]);
  memcpy(k.F, F, sizeof k.F);
  bool last = tube == s->n_tubes - 1;
  k.ylo = (ports == 2 || !last ? Y_LO : Y_LO1) * p0, k.yhi = Y_HI * p0, k.xhi = X_HI * p0;
  k.cubic = s->kmode == 4 && ports == 1;
  if (s->kmode == 4) {
    k.hy = ports == 2 ? H_PLATE4 : H_PLATE14;
    k.htube = H_TUBE3;
  } else if (s->kmode == 3) {
    k.hy = ports == 2 ? H_PLATE3 : H_PLATE13;
    k.htube = H_TUBE3;
  } else if (s->k_grid) {
    k.hy = H_PLATE1;
    k.htube = H_TUBE3;
  } else {
    k.hy = ports == 2 ? H_PLATE : H_PLATE1;
    k.htube = H_TUBE;
  }
  return k;
}

/* The ports' p at rest (inputs u0): the tables' ranges' reference. */
static void rest_ports(const GsDkSolver *s, const double *u0, double *p0) {
  for (int a = 0; a < s->np; a++) {
    p0[a] = 0.0;
    for (int j = 0; j < s->ns; j++) p0[a] += s->D[a][j] * s->x0[j];
    for (int j = 0; j < s->nu; j++) p0[a] += s->E[a][j] * u0[j];
  }
}

/* Stage t's tables with its grid current solved apart (dk_kgrid.h): its
 * solved one (its grid cut off) into *cut and, where `one` is given, its
 * one-port one (linear along the plate axis, spaced as two stages': for
 * its grid conducting); p0 its plate's p at rest, fpp = F[p][p], fgp =
 * F[g][p]. False if either would not build. */
static bool apart_tables(const GsDkSolver *s, int t, double fpp, double fgp, double p0,
                         const GsKTab **one, const GsKTab **cut) {
  double Ft[4] = {0.0, 0.0, 0.0, fpp};
  Key k = key_of(s, t, 1, Ft, p0);
  k.cubic = 0.0, k.hy = H_PLATE1;
  bool have = !one || (*one = table(&k)) != NULL;
  Ft[1] = fgp;
  k = key_of(s, t, 1, Ft, p0);
  k.vcut = GS_GRID_CUT * k.m.knee;
  return (*cut = table(&k)) != NULL && have;
}

void gs_dk_k_setup(GsDkSolver *s, const double *u0) {
  gs_dk_k_release(s);
  s->k_samples = s->n_samples = 0;
  if (!s->tabled || (s->np != 2 && !s->tri4 && !s->casc)) return;
  for (int t = 0; t < s->n_tubes; t++) {
    if (s->tubes[t].kind != GS_DK_TRIODE) return;
  }
  double p0[GS_DK_MAX_PORTS];
  rest_ports(s, u0, p0);
  double F1[4] = {s->F[0][0], s->F[0][1], s->F[1][0], s->F[1][1]};
  memcpy(s->kF, F1, sizeof F1);
  s->kmode = s->np / 2;
  for (int t = 1; t < s->kmode; t++) {
    s->kF[2 + 2 * t] = s->F[2 * t + 1][2 * t + 1];
    s->kF[3 + 2 * t] = s->F[2 * t][2 * t + 1];
  }
  if (!fits(s, s->Fp, 0)) { /* not the cascade's pattern */
    s->kmode = 0;
    return;
  }
  bool have;
  if (s->kmode == 1 && s->grid_moves) { /* its grid apart: F[g][g] free */
    s->k_grid = true;
    have = apart_tables(s, 0, F1[3], F1[1], p0[1], &s->kt[0], &s->kc[0]);
  } else {
    Key k1 = key_of(s, 0, 2, F1, p0[1]);
    have = (s->kt[0] = table(&k1)) != NULL;
  }
  for (int t = 1; t < s->kmode; t++) { /* the later stages' plates */
    /* the last one's grid conducting by its one-port table; the middle
     * ones' by Newton's path */
    const GsKTab **one = t == s->kmode - 1 ? &s->kt[t] : NULL;
    have &= apart_tables(s, t, s->kF[2 + 2 * t], s->kF[3 + 2 * t], p0[2 * t + 1], one, &s->kc[t]);
  }
  if (!have) { /* (what it had, given back) */
    gs_dk_k_release(s);
    return;
  }
  s->k_live = true;
}

void gs_dk_k_check(GsDkSolver *s) {
  if (!s->kmode) return;
  int from = s->k_grid ? 1 : 0; /* its grid apart: any F[g][g] */
  s->k_live = fits(s, s->Fp, from) && (!s->glide_left || fits(s, s->Fp_to, from));
}

size_t gs_dk_k_bytes(const GsDkSolver *s) {
  size_t n = 0;
  for (int t = 0; t < GS_K_STAGES; t++) {
    n += s->kt[t] ? s->kt[t]->bytes : 0;
    n += s->kc[t] ? s->kc[t]->bytes : 0;
  }
  return n;
}
