/* How exact a convolution is: OUT.wav against the direct convolution of
 * IN.wav with IR.wav in double precision (for bench/).
 *
 *   convref IR.wav IN.wav OUT.wav [LATENCY]
 *
 * OUT's sample n + LATENCY is compared with sum_k ir[k] in[n - k] for
 * every n the file holds. Prints
 *   max_err_db  the largest error re the largest reference sample
 *   rms_err_db  the error's rms re the reference's rms
 * Exit status: 0 ok, 1 unreadable input, 2 bad usage. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

static double *read_mono(const char *path, sf_count_t *n) {
  SF_INFO info = {0};
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f || info.channels != 1) {
    fprintf(stderr, "convref: %s: not a readable mono file\n", path);
    if (f) sf_close(f);
    return NULL;
  }
  double *x = malloc((size_t)(info.frames > 0 ? info.frames : 1) * sizeof *x);
  if (x && sf_readf_double(f, x, info.frames) != info.frames) {
    free(x);
    x = NULL;
  }
  sf_close(f);
  *n = info.frames;
  return x;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: convref IR.wav IN.wav OUT.wav [LATENCY]\n");
    return 2;
  }
  long latency = argc == 5 ? strtol(argv[4], NULL, 10) : 0;
  sf_count_t taps, n, m;
  double *h = read_mono(argv[1], &taps), *x = read_mono(argv[2], &n), *y = read_mono(argv[3], &m);
  if (!h || !x || !y || latency < 0) return 1;
  double peak = 0, err_max = 0, ref_sq = 0, err_sq = 0;
  for (sf_count_t i = 0; i + latency < m && i < n; i++) {
    double acc = 0;
    for (sf_count_t k = 0; k < taps && k <= i; k++) acc += h[k] * x[i - k];
    double e = y[i + latency] - acc;
    peak = fmax(peak, fabs(acc));
    err_max = fmax(err_max, fabs(e));
    ref_sq += acc * acc;
    err_sq += e * e;
  }
  printf("max_err_db %.1f\nrms_err_db %.1f\n", 20 * log10(fmax(err_max, 1e-300) / peak),
         10 * log10(fmax(err_sq, 1e-300) / ref_sq));
  free(h);
  free(x);
  free(y);
  return 0;
}
