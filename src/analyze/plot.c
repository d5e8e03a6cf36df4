/* Plots with cairo: the analyzer's response, spectrum and THD-vs-level in
 * one figure, and the plan's level diagram. PNG or SVG by extension. Axes
 * carry real units; plots are for people, the tests assert numbers. */
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gainstage/analyze.h"
#include "log.h"
#include "tmpfile.h"

#define WIDTH 1000.0
#define PANEL 300.0
#define MARGIN_L 80.0
#define MARGIN_R 30.0
#define MARGIN_T 40.0
#define MARGIN_B 55.0

typedef struct {
  double x0, y0, w, h;
  double xmin, xmax, ymin, ymax;
  bool xlog, ylog;
} Axes;

static double map(double v, double lo, double hi, bool lg) {
  return lg ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : (v - lo) / (hi - lo);
}

static double ax_x(const Axes *a, double v) {
  return a->x0 + a->w * map(v, a->xmin, a->xmax, a->xlog);
}

static double ax_y(const Axes *a, double v) {
  double t = map(v, a->ymin, a->ymax, a->ylog);
  return a->y0 + a->h * (1.0 - fmin(fmax(t, -0.02), 1.02));
}

static void text(cairo_t *cr, double x, double y, const char *s, double align) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s, &e);
  cairo_move_to(cr, x - align * e.width, y);
  cairo_show_text(cr, s);
}

/* A step of 1, 2 or 5 times a power of ten giving at most ~8 ticks. */
static double nice_step(double span) {
  double raw = span / 8.0, p = pow(10.0, floor(log10(raw)));
  return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static void hz_label(double hz, char *buf, size_t n) {
  if (hz >= 1000.0) {
    snprintf(buf, n, "%gk", hz / 1000.0);
  } else {
    snprintf(buf, n, "%g", hz);
  }
}

/* One grid line with its tick label, across (vertical) or along. */
static void grid_line(cairo_t *cr, const Axes *a, double v, bool vertical, const char *label) {
  cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
  if (vertical) {
    double x = ax_x(a, v);
    cairo_move_to(cr, x, a->y0);
    cairo_line_to(cr, x, a->y0 + a->h);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x, a->y0 + a->h + 15, label, 0.5);
  } else {
    double y = ax_y(a, v);
    cairo_move_to(cr, a->x0, y);
    cairo_line_to(cr, a->x0 + a->w, y);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, a->x0 - 6, y + 4, label, 1.0);
  }
}

/* Ticks of one axis: 1, 2, 5 per decade on a log axis, nice steps else. */
static void ticks(cairo_t *cr, const Axes *a, bool vertical) {
  double lo = vertical ? a->xmin : a->ymin, hi = vertical ? a->xmax : a->ymax;
  bool lg = vertical ? a->xlog : a->ylog;
  char buf[32];
  if (lg) {
    for (double dec = pow(10, floor(log10(lo))); dec <= hi; dec *= 10) {
      for (int m = 1; m <= 5; m += (m == 1 ? 1 : 3)) {
        double v = dec * m;
        if (v < lo || v > hi || (!vertical && m != 1)) continue;
        if (vertical) {
          hz_label(v, buf, sizeof buf);
        } else {
          snprintf(buf, sizeof buf, "%g", v);
        }
        grid_line(cr, a, v, vertical, buf);
      }
    }
    return;
  }
  double step = nice_step(hi - lo);
  for (double v = ceil(lo / step) * step; v <= hi; v += step) {
    snprintf(buf, sizeof buf, "%g", fabs(v) < 1e-9 ? 0.0 : v);
    grid_line(cr, a, v, vertical, buf);
  }
}

/* Grid, ticks, frame and labels. */
static void draw_axes(cairo_t *cr, const Axes *a, const char *title, const char *xlabel,
                      const char *ylabel) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, a->x0, a->y0, a->w, a->h);
  cairo_fill(cr);
  cairo_set_line_width(cr, 0.5);
  cairo_set_font_size(cr, 11);
  ticks(cr, a, true);
  ticks(cr, a, false);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, a->x0, a->y0, a->w, a->h);
  cairo_stroke(cr);
  cairo_set_font_size(cr, 13);
  text(cr, a->x0, a->y0 - 8, title, 0.0);
  cairo_set_font_size(cr, 11);
  text(cr, a->x0 + a->w / 2, a->y0 + a->h + 32, xlabel, 0.5);
  cairo_save(cr);
  cairo_move_to(cr, a->x0 - 55, a->y0 + a->h / 2);
  cairo_rotate(cr, -M_PI / 2);
  cairo_text_extents_t e;
  cairo_text_extents(cr, ylabel, &e);
  cairo_rel_move_to(cr, -e.width / 2, 0);
  cairo_show_text(cr, ylabel);
  cairo_restore(cr);
}

static void polyline(cairo_t *cr, const Axes *a, const double *x, const double *y, size_t n,
                     double r, double g, double b) {
  cairo_save(cr);
  cairo_rectangle(cr, a->x0, a->y0, a->w, a->h);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, r, g, b);
  cairo_set_line_width(cr, 1.5);
  bool pen = false;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]) || !isfinite(y[i]) || (a->ylog && y[i] <= 0)) {
      pen = false;
      continue;
    }
    double px = ax_x(a, x[i]), py = ax_y(a, y[i]);
    if (pen) {
      cairo_line_to(cr, px, py);
    } else {
      cairo_move_to(cr, px, py);
    }
    pen = true;
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* A short horizontal bar at each finite point: levels that are not a
 * continuous curve (a stage's clip point). */
static void bars(cairo_t *cr, const Axes *a, const double *x, const double *y, size_t n, double r,
                 double g, double b) {
  cairo_set_source_rgb(cr, r, g, b);
  cairo_set_line_width(cr, 3.0);
  double half = 0.3 * a->w / (a->xmax - a->xmin);
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(y[i])) continue;
    cairo_move_to(cr, ax_x(a, x[i]) - half, ax_y(a, y[i]));
    cairo_line_to(cr, ax_x(a, x[i]) + half, ax_y(a, y[i]));
    cairo_stroke(cr);
  }
}

static Axes panel(int index, double xmin, double xmax, bool xlog, double ymin, double ymax,
                  bool ylog) {
  Axes a = {MARGIN_L,
            MARGIN_T + index * PANEL,
            WIDTH - MARGIN_L - MARGIN_R,
            PANEL - MARGIN_T - MARGIN_B,
            xmin,
            xmax,
            ymin,
            ymax,
            xlog,
            ylog};
  return a;
}

/* A figure is drawn into a temporary file beside its path and renamed
 * onto it once whole: a full disk or a signal leaves no half an image. */
typedef struct {
  cairo_surface_t *surface;
  cairo_t *cr;
  bool png;
  char tmp[4096];
} Figure;

static bool make_temporary(Figure *f, const char *path, const GsLog *log) {
  int fd = gs_tmp_beside(path, f->tmp, sizeof f->tmp);
  if (fd < 0) {
    gs_log(log, GS_LOG_ERROR, "cannot write '%s': %s", path, strerror(errno));
    return false;
  }
  close(fd);
  return true;
}

static GsStatus figure_open(Figure *f, const char *path, double height, const GsLog *log) {
  const char *dot = strrchr(path, '.');
  f->png = dot && strcasecmp(dot, ".png") == 0;
  bool svg = dot && strcasecmp(dot, ".svg") == 0;
  if (!f->png && !svg) {
    gs_log(log, GS_LOG_ERROR, "plot '%s': the file must end in .png or .svg", path);
    return GS_ERR_ARG;
  }
  if (!make_temporary(f, path, log)) return GS_ERR_IO;
  f->surface = f->png ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)WIDTH, (int)height)
                      : cairo_svg_surface_create(f->tmp, WIDTH, height);
  if (cairo_surface_status(f->surface) != CAIRO_STATUS_SUCCESS) {
    gs_log(log, GS_LOG_ERROR, "cannot write '%s'", path);
    cairo_surface_destroy(f->surface);
    unlink(f->tmp);
    return GS_ERR_IO;
  }
  f->cr = cairo_create(f->surface);
  cairo_set_source_rgb(f->cr, 0.96, 0.96, 0.96);
  cairo_paint(f->cr);
  cairo_select_font_face(f->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  return GS_OK;
}

static GsStatus figure_close(Figure *f, const char *path, const GsLog *log) {
  cairo_destroy(f->cr);
  cairo_status_t st = CAIRO_STATUS_SUCCESS;
  if (f->png) {
    st = cairo_surface_write_to_png(f->surface, f->tmp);
  } else {
    cairo_surface_finish(f->surface);
    st = cairo_surface_status(f->surface);
  }
  cairo_surface_destroy(f->surface);
  if (st != CAIRO_STATUS_SUCCESS) {
    gs_log(log, GS_LOG_ERROR, "cannot write '%s': %s", path, cairo_status_to_string(st));
    unlink(f->tmp);
    return GS_ERR_IO;
  }
  if (gs_tmp_commit(f->tmp, path)) return GS_OK;
  gs_log(log, GS_LOG_ERROR, "cannot write '%s': %s", path, strerror(errno));
  return GS_ERR_IO;
}

static void plot_response(cairo_t *cr, const GsMeasurement *m, int at) {
  double xs[256], ys[256], lo = 0, hi = 0;
  size_t n = m->n_response < 256 ? m->n_response : 256;
  for (size_t i = 0; i < n; i++) {
    xs[i] = m->response[i].hz;
    ys[i] = m->response[i].db;
    lo = fmin(lo, ys[i]);
    hi = fmax(hi, ys[i]);
  }
  Axes a = panel(at, 10, fmin(20000, 0.45 * m->rate), true, floor(lo / 6) * 6 - 6,
                 ceil(hi / 6) * 6 + 6, false);
  draw_axes(cr, &a, "Frequency response (small signal, re 1 kHz)", "frequency (Hz)",
            "magnitude (dB)");
  polyline(cr, &a, xs, ys, n, 0.1, 0.3, 0.8);
}

static void plot_spectrum(cairo_t *cr, const GsMeasurement *m, int at) {
  size_t n = m->n_spectrum;
  double *xs = malloc(n * sizeof(double)), *ys = malloc(n * sizeof(double));
  if (!xs || !ys) goto done;
  double top = -200;
  for (size_t k = 0; k < n; k++) {
    xs[k] = (double)k * m->spectrum_hz_per_bin;
    ys[k] = m->spectrum[k];
    top = fmax(top, ys[k]);
  }
  char title[128];
  snprintf(title, sizeof title, "Spectrum at %.4g Hz, %.1f %s in", m->freq_hz, m->level,
           gs_domain_info(m->input)->level_unit);
  Axes a =
      panel(at, 20, m->rate / 2, true, ceil(top / 20) * 20 - 180, ceil(top / 20) * 20 + 10, false);
  draw_axes(cr, &a, title, "frequency (Hz)",
            m->output == GS_DOMAIN_ANALOG     ? "level (dBV)"
            : m->output == GS_DOMAIN_ACOUSTIC ? "level (dB SPL)"
                                              : "level (dBFS)");
  polyline(cr, &a, xs + 1, ys + 1, n - 1, 0.7, 0.2, 0.1);
done:
  free(xs);
  free(ys);
}

static void plot_thd(cairo_t *cr, const GsMeasurement *m, int at) {
  double xs[1000], ys[1000], yn[1000], lo = 1e9, hi = -1e9;
  size_t n = m->n_sweep < 1000 ? m->n_sweep : 1000;
  for (size_t i = 0; i < n; i++) {
    xs[i] = m->sweep[i].level;
    ys[i] = 100.0 * m->sweep[i].thd;
    yn[i] = 100.0 * m->sweep[i].thd_n;
    lo = fmin(lo, xs[i]);
    hi = fmax(hi, xs[i]);
  }
  if (hi <= lo) hi = lo + 1;
  Axes a = panel(at, lo, hi, false, 1e-4, 100, true);
  draw_axes(cr, &a, "THD (blue) and THD+N (red) vs input level",
            m->input == GS_DOMAIN_ANALOG     ? "input level (dBu)"
            : m->input == GS_DOMAIN_ACOUSTIC ? "input level (dB SPL)"
                                             : "input level (dBFS)",
            "%");
  polyline(cr, &a, xs, ys, n, 0.1, 0.3, 0.8);
  polyline(cr, &a, xs, yn, n, 0.8, 0.2, 0.1);
}

GsStatus gs_plot_measurement(const GsMeasurement *m, const char *title, const char *path,
                             const GsLog *log) {
  int panels = (m->n_response > 0) + (m->n_spectrum > 0) + (m->n_sweep > 0);
  if (panels == 0) {
    gs_log(log, GS_LOG_ERROR, "nothing to plot");
    return GS_ERR_ARG;
  }
  Figure f;
  GsStatus st = figure_open(&f, path, panels * PANEL + 30, log);
  if (st != GS_OK) return st;
  cairo_set_source_rgb(f.cr, 0, 0, 0);
  cairo_set_font_size(f.cr, 14);
  text(f.cr, MARGIN_L, 20, title, 0.0);
  int at = 0;
  cairo_translate(f.cr, 0, 20);
  if (m->n_response) plot_response(f.cr, m, at++);
  if (m->n_spectrum) plot_spectrum(f.cr, m, at++);
  if (m->n_sweep) plot_thd(f.cr, m, at++);
  return figure_close(&f, path, log);
}

GsStatus gs_plot_plan(const GsPlan *plan, const char *title, const char *path, const GsLog *log) {
  uint32_t n = gs_plan_length(plan);
  double x[80], level[80], clip[80], noise[80], lo = 1e9, hi = -1e9;
  if (n > 80) n = 80;
  for (uint32_t i = 0; i < n; i++) {
    const GsPlanNode *p = gs_plan_node(plan, i);
    x[i] = i;
    level[i] = p->level;
    clip[i] = p->clip;
    noise[i] = i ? p->noise : NAN;
    double vals[3] = {level[i], clip[i], noise[i]};
    for (int k = 0; k < 3; k++) {
      if (isfinite(vals[k])) {
        lo = fmin(lo, vals[k]);
        hi = fmax(hi, vals[k]);
      }
    }
  }
  Figure f;
  GsStatus st = figure_open(&f, path, PANEL + 90, log);
  if (st != GS_OK) return st;
  cairo_set_source_rgb(f.cr, 0, 0, 0);
  cairo_set_font_size(f.cr, 14);
  text(f.cr, MARGIN_L, 20, title, 0.0);
  cairo_translate(f.cr, 0, 20);
  Axes a = panel(0, -0.5, n - 0.5, false, floor(lo / 20) * 20 - 10, ceil(hi / 20) * 20 + 10, false);
  draw_axes(f.cr, &a, "Level diagram: nominal (blue), clip (red), noise floor (grey)", "",
            "dBu (analog) / dBFS (digital)");
  polyline(f.cr, &a, x, level, n, 0.1, 0.3, 0.8);
  bars(f.cr, &a, x, clip, n, 0.8, 0.2, 0.1);
  polyline(f.cr, &a, x, noise, n, 0.5, 0.5, 0.5);
  cairo_set_source_rgb(f.cr, 0, 0, 0);
  cairo_set_font_size(f.cr, 10);
  for (uint32_t i = 0; i < n; i++) {
    text(f.cr, ax_x(&a, i), a.y0 + a.h + 30, gs_plan_node(plan, i)->stage, 0.5);
  }
  return figure_close(&f, path, log);
}
