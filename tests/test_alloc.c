/* The processing path allocates nothing. This program defines malloc and
 * its relatives itself (the dynamic linker then sends the library's calls
 * here too; under AddressSanitizer it uses the sanitizer's hooks), counts calls while
 * gs_chain_process runs, and processes a minute of audio through every preset and through a chain
 * of every stage, in random block sizes with live parameter changes. argv[1]: presets/. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static volatile int counting;
static volatile long allocations;

/* Under AddressSanitizer its allocator must stay the only one: count
 * through its hooks instead of replacing malloc. */
#ifdef __has_feature
#if __has_feature(address_sanitizer)
#define GS_ASAN 1
#endif
#endif
#ifdef __SANITIZE_ADDRESS__
#define GS_ASAN 1
#endif

#ifdef GS_ASAN
#include <sanitizer/allocator_interface.h>

static void on_malloc(const volatile void *p, size_t n) {
  (void)p;
  (void)n;
  if (counting) allocations++;
}
static void on_free(const volatile void *p) {
  if (counting && p) allocations++;
}
static void count_allocations(void) {
  __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

void *malloc(size_t n) {
  if (counting) allocations++;
  return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
  if (counting) allocations++;
  return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  if (counting) allocations++;
  return __libc_realloc(p, n);
}
void free(void *p) {
  if (counting && p) allocations++;
  __libc_free(p);
}
void *aligned_alloc(size_t a, size_t n) {
  if (counting) allocations++;
  return __libc_memalign(a, n);
}
int posix_memalign(void **out, size_t a, size_t n) {
  if (counting) allocations++;
  *out = __libc_memalign(a, n);
  return *out ? 0 : 12;
}

static void count_allocations(void) {}
#endif

static const char *presets_dir;

static long process_minute(GsSpec *spec, uint32_t seed) {
  GsChainConfig cfg = {.rate = 48000, .channels = 2, .seed = seed, .noise = true};
  GsChain *c = NULL;
  assert_int_equal(gs_chain_new(spec, &cfg, NULL, &c), GS_OK);
  size_t n = 60 * 48000;
  float *l = malloc(n * sizeof(float)), *r = malloc(n * sizeof(float));
  float *ol = malloc(n * sizeof(float)), *orr = malloc(n * sizeof(float));
  gs_synth_guitar(l, n, 48000, seed);
  memcpy(r, l, n * sizeof(float));
  srand(seed);
  long before = allocations;
  size_t pos = 0;
  uint32_t cout = gs_chain_out_channels(c);
  while (pos < n) {
    size_t len = 1 + (size_t)(rand() % 4096);
    if (len > n - pos) len = n - pos;
    /* a live change now and then: a random stage, parameter and value */
    if (rand() % 8 == 0) {
      uint32_t st = (uint32_t)(rand() % (int)gs_spec_length(spec));
      const GsStageInfo *info = gs_spec_stage(spec, st);
      if (info->n_params) {
        uint32_t p = (uint32_t)(rand() % (int)info->n_params);
        const GsParamInfo *pi = &info->params[p];
        double v = pi->min + (pi->max - pi->min) * (rand() / (double)RAND_MAX);
        counting = 1;
        gs_chain_set_param(c, st, p, v); /* GS_ERR_NOT_REALTIME for fixed ones */
        counting = 0;
      }
    }
    const float *ins[2] = {l + pos, r + pos};
    float *outs[2] = {ol + pos, orr + pos};
    (void)cout;
    counting = 1;
    gs_chain_process(c, ins, outs, (uint32_t)len);
    counting = 0;
    pos += len;
  }
  long made = allocations - before;
  gs_chain_free(c);
  free(l);
  free(r);
  free(ol);
  free(orr);
  return made;
}

/* The counter must see the library's own allocations, or a zero proves
 * nothing: building a spec allocates. */
static void counter_sees_the_library(void **state) {
  (void)state;
  long before = allocations;
  GsSpec *spec = NULL;
  counting = 1;
  GsStatus s = gs_spec_parse("gain db=3", NULL, &spec);
  counting = 0;
  assert_int_equal(s, GS_OK);
  assert_true(allocations > before);
  gs_spec_free(spec);
}

static void presets_allocate_nothing(void **state) {
  (void)state;
  DIR *d = opendir(presets_dir);
  assert_non_null(d);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d))) {
    if (!strstr(e->d_name, ".preset")) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", presets_dir, e->d_name);
    GsSpec *spec = NULL;
    assert_int_equal(gs_spec_load(path, NULL, &spec), GS_OK);
    long made = process_minute(spec, 3);
    printf("%s: %ld allocations in 60 s of processing\n", e->d_name, made);
    assert_int_equal(made, 0);
    gs_spec_free(spec);
    n++;
  }
  closedir(d);
  assert_true(n >= 3);
}

static void every_stage_allocates_nothing(void **state) {
  (void)state;
  GsSpec *spec = NULL;
  assert_int_equal(
      gs_spec_parse("source type=guitar ! preamp select=1 hpf=80 ! tonestack ! "
                    "eq type1=peak type2=hpf ! poweramp type=class-d ! speaker output=terminals ! "
                    "load ohms=100 ! gain db=-30 ! adc bits=16 ! dac ! load ohms=10k",
                    NULL, &spec),
      GS_OK);
  long made = process_minute(spec, 5);
  printf("every stage: %ld allocations in 60 s of processing\n", made);
  assert_int_equal(made, 0);
  gs_spec_free(spec);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  presets_dir = argv[1];
  count_allocations();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(counter_sees_the_library),
      cmocka_unit_test(presets_allocate_nothing),
      cmocka_unit_test(every_stage_allocates_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
