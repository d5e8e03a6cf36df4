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

typedef struct {
  V8 v[4];
} Acc;

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
                                        float *out) {
  const float *x0 = first_input(&b[0], x, pos), *x1 = first_input(&b[1], x, pos);
  for (int m = 0; m < n; m += GROUP) {
    Acc e = {{{0}}}, o = {{{0}}};
    add_branch(&e, &b[0], x0 + m);
    add_branch(&o, &b[1], x1 + m);
    float part[2 * GROUP], *to = n - m >= GROUP ? out + 2 * m : part;
    for (int v = 0; v < 4; v++) { /* even, odd, even, odd ... */
      store(to + 16 * v, __builtin_shufflevector(e.v[v], o.v[v], 0, 8, 1, 9, 2, 10, 3, 11));
      store(to + 16 * v + 8, __builtin_shufflevector(e.v[v], o.v[v], 4, 12, 5, 13, 6, 14, 7, 15));
    }
    if (to == part) memcpy(out + 2 * m, part, 2 * (size_t)(n - m) * sizeof(float));
  }
}

void GS_KERNEL(gs_os_decimate_block)(const GsOsBranch *b, const float *even, const float *odd,
                                     int pos, int n, float *out) {
  const float *x0 = first_input(&b[0], even, pos), *x1 = first_input(&b[1], odd, pos);
  for (int m = 0; m < n; m += GROUP) {
    Acc a = {{{0}}};
    add_branch(&a, &b[0], x0 + m);
    add_branch(&a, &b[1], x1 + m);
    float part[GROUP], *to = n - m >= GROUP ? out + m : part;
    for (int v = 0; v < 4; v++) store(to + 8 * v, a.v[v]);
    if (to == part) memcpy(out + m, part, (size_t)(n - m) * sizeof(float));
  }
}
#else
static float branch_sum(const GsOsBranch *b, const float *x, float acc) {
  for (int j = 0; j < b->len; j++) acc += b->coef[j] * x[j];
  return acc;
}

void GS_KERNEL(gs_os_interpolate_block)(const GsOsBranch *b, const float *x, int pos, int n,
                                        float *out) {
  const float *x0 = first_input(&b[0], x, pos), *x1 = first_input(&b[1], x, pos);
  for (int m = 0; m < n; m++) {
    out[2 * m] = branch_sum(&b[0], x0 + m, 0.0f);
    out[2 * m + 1] = branch_sum(&b[1], x1 + m, 0.0f);
  }
}

void GS_KERNEL(gs_os_decimate_block)(const GsOsBranch *b, const float *even, const float *odd,
                                     int pos, int n, float *out) {
  const float *x0 = first_input(&b[0], even, pos), *x1 = first_input(&b[1], odd, pos);
  for (int m = 0; m < n; m++) out[m] = branch_sum(&b[1], x1 + m, branch_sum(&b[0], x0 + m, 0.0f));
}
#endif
