/* The oversampler's polyphase loops (oversample_kernel.h), on GCC's vector
 * extension like the convolver's: 32 outputs at a time in four vectors of
 * 8 floats, taps inner, so that the sums stay in registers and each tap
 * costs one broadcast and four multiply-adds (fused in the FMA build,
 * src/dsp/kernel.h). Whole groups of 32 only: a short block's last group
 * reads up to GS_OS_READ_PAST stale inputs after its own, and its extra
 * outputs are dropped, so every output comes from the same lane code. */
#include "dsp/oversample_kernel.h"

#include <string.h>

#include "dsp/kernel.h"

#define GROUP 32

/* Where branch b's sum for the input at buf[pos] starts (its oldest tap). */
static const float *first_input(const GsOsBranch *b, const float *buf, int pos) {
  return buf + pos - b->delay - b->len + 1;
}

#if defined(__GNUC__)
typedef float V8 __attribute__((vector_size(32)));
typedef float V8u __attribute__((vector_size(32), aligned(4), may_alias));
#define load(p) (*(const V8u *)(p))
#define store(p, v) (*(V8u *)(p) = (v))

typedef float V4 __attribute__((vector_size(16)));
typedef double V4d __attribute__((vector_size(32)));
typedef double V4du __attribute__((vector_size(32), aligned(8), may_alias));
#define load4d(p) (*(const V4du *)(p))

typedef struct {
  V8 v[4];
} Acc;

/* The first `valid` floats of v[0 .. k) to out + at, or widened to wide
 * + at if wide is not NULL (out is NULL then); a short last group
 * through a copy. */
static inline void put(const V8 *v, int k, int valid, float *out, double *wide, int at) {
  float part[8 * 8];
  float *to = valid < 8 * k ? part : wide ? NULL : out + at;
  if (to) {
    for (int i = 0; i < k; i++) store(to + 8 * i, v[i]);
    if (to != part) return;
    if (wide) {
      for (int i = 0; i < valid; i++) wide[at + i] = part[i];
    } else {
      memcpy(out + at, part, (size_t)valid * sizeof(float));
    }
    return;
  }
  for (int i = 0; i < k; i++) { /* a whole group, widened */
    *(V4du *)(wide + at + 8 * i) =
        __builtin_convertvector(__builtin_shufflevector(v[i], v[i], 0, 1, 2, 3), V4d);
    *(V4du *)(wide + at + 8 * i + 4) =
        __builtin_convertvector(__builtin_shufflevector(v[i], v[i], 4, 5, 6, 7), V4d);
  }
}

/* acc += branch b over x[0 ..), 32 outputs; two taps a pass, to halve
 * the loop's overhead (each lane still adds its taps in order). */
static inline void add_branch(Acc *acc, const GsOsBranch *b, const float *x) {
  V8 a0 = acc->v[0], a1 = acc->v[1], a2 = acc->v[2], a3 = acc->v[3];
  const float *k = b->coef;
  int j = 0;
  for (; j + 2 <= b->len; j += 2) {
    V8 c = {k[j], k[j], k[j], k[j], k[j], k[j], k[j], k[j]};
    V8 d = {k[j + 1], k[j + 1], k[j + 1], k[j + 1], k[j + 1], k[j + 1], k[j + 1], k[j + 1]};
    a0 += c * load(x + j);
    a1 += c * load(x + j + 8);
    a2 += c * load(x + j + 16);
    a3 += c * load(x + j + 24);
    a0 += d * load(x + j + 1);
    a1 += d * load(x + j + 9);
    a2 += d * load(x + j + 17);
    a3 += d * load(x + j + 25);
  }
  if (j < b->len) {
    V8 c = {k[j], k[j], k[j], k[j], k[j], k[j], k[j], k[j]};
    a0 += c * load(x + j);
    a1 += c * load(x + j + 8);
    a2 += c * load(x + j + 16);
    a3 += c * load(x + j + 24);
  }
  *acc = (Acc){{a0, a1, a2, a3}};
}

void GS_KERNEL(gs_os_interpolate_block)(const GsOsBranch *b, const float *x, int pos, int n,
                                        float *out, double *wide) {
  const float *x0 = first_input(&b[0], x, pos), *x1 = first_input(&b[1], x, pos);
  for (int m = 0; m < n; m += GROUP) {
    Acc e = {{{0}}}, o = {{{0}}};
    add_branch(&e, &b[0], x0 + m);
    add_branch(&o, &b[1], x1 + m);
    V8 w[8];
    for (int v = 0; v < 4; v++) { /* even, odd, even, odd ... */
      w[2 * v] = __builtin_shufflevector(e.v[v], o.v[v], 0, 8, 1, 9, 2, 10, 3, 11);
      w[2 * v + 1] = __builtin_shufflevector(e.v[v], o.v[v], 4, 12, 5, 13, 6, 14, 7, 15);
    }
    int valid = n - m < GROUP ? 2 * (n - m) : 2 * GROUP;
    put(w, 8, valid, out, wide, 2 * m);
  }
}

void GS_KERNEL(gs_os_decimate_block)(const GsOsBranch *b, const float *even, const float *odd,
                                     int pos, int n, float *out, double *wide) {
  const float *x0 = first_input(&b[0], even, pos), *x1 = first_input(&b[1], odd, pos);
  for (int m = 0; m < n; m += GROUP) {
    Acc a = {{{0}}};
    add_branch(&a, &b[0], x0 + m);
    add_branch(&a, &b[1], x1 + m);
    put(a.v, 4, n - m < GROUP ? n - m : GROUP, out, wide, m);
  }
}

void GS_KERNEL(gs_os_split)(const double *in, int n, float *even, float *odd) {
  int m = 0;
  for (; m + 8 <= n; m += 8) { /* (e0 o0 e1 o1 ..) as floats, then taken apart */
    const double *p = in + 2 * m;
    V4 f0 = __builtin_convertvector(load4d(p), V4), f1 = __builtin_convertvector(load4d(p + 4), V4);
    V4 f2 = __builtin_convertvector(load4d(p + 8), V4);
    V4 f3 = __builtin_convertvector(load4d(p + 12), V4);
    V8 lo = __builtin_shufflevector(f0, f1, 0, 1, 2, 3, 4, 5, 6, 7);
    V8 hi = __builtin_shufflevector(f2, f3, 0, 1, 2, 3, 4, 5, 6, 7);
    store(even + m, __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14));
    store(odd + m, __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15));
  }
  for (; m < n; m++) even[m] = (float)in[2 * m], odd[m] = (float)in[2 * m + 1];
}
#else
static float branch_sum(const GsOsBranch *b, const float *x, float acc) {
  for (int j = 0; j < b->len; j++) acc += b->coef[j] * x[j];
  return acc;
}

void GS_KERNEL(gs_os_interpolate_block)(const GsOsBranch *b, const float *x, int pos, int n,
                                        float *out, double *wide) {
  const float *x0 = first_input(&b[0], x, pos), *x1 = first_input(&b[1], x, pos);
  for (int m = 0; m < 2 * n; m++) {
    float y = branch_sum(&b[m % 2], (m % 2 ? x1 : x0) + m / 2, 0.0f);
    if (wide)
      wide[m] = y;
    else
      out[m] = y;
  }
}

void GS_KERNEL(gs_os_decimate_block)(const GsOsBranch *b, const float *even, const float *odd,
                                     int pos, int n, float *out, double *wide) {
  const float *x0 = first_input(&b[0], even, pos), *x1 = first_input(&b[1], odd, pos);
  for (int m = 0; m < n; m++) {
    float y = branch_sum(&b[1], x1 + m, branch_sum(&b[0], x0 + m, 0.0f));
    if (wide)
      wide[m] = y;
    else
      out[m] = y;
  }
}

void GS_KERNEL(gs_os_split)(const double *in, int n, float *even, float *odd) {
  for (int m = 0; m < n; m++) even[m] = (float)in[2 * m], odd[m] = (float)in[2 * m + 1];
}
#endif
