/* A small offline LV2 host on lilv, for what lv2apply cannot do: atom
 * ports, patch messages, the worker and state, at any block size.
 *
 *   lv2host [-b FRAMES] [-c SYMBOL VALUE]... [--ir FILE] [--notify] [--preset URI]
 *           [--load-state DIR] [--save-state DIR] PLUGIN_URI IN.wav OUT.wav
 *
 * --time prints the times of bench/host_clock.h (for bench/); --null
 * instantiates the plugin but copies the input instead of calling run()
 * (the host's own cost, for callgrind). The whole input is read before the
 * first block and the output written after the last.
 * --latency prints the value of the plugin's latency port at the end.
 * --change FRAME SYMBOL VALUE sets a control while the file plays.
 * --rt-check brackets run() and work_response() (the plugin's audio-thread
 * code) for tests/rt_interpose.c, when that is preloaded.
 * --misalign hands the plugin atom buffers 4 bytes off an 8-byte boundary,
 * as some hosts do (jalv 1.6).
 * --notify checks that the plugin leaves a sequence on its notify port
 * after every run() and prints the last IR path a patch:Set there named
 * ("notify PATH", or "notify nothing").
 * It offers urid:map/unmap, worker:schedule, buf-size:boundedBlockLength
 * and options (the block length), which guitarix's plugins require.
 *
 * --ir sends a patch:Set of the plugin's IR property and runs 0.1 s of
 * silence (discarded) so that the worker's new chain is in place, and the
 * plugin's crossfade to it over, before the file starts. The worker runs synchronously between
 * run() calls. Exit status: 0 ok, 1 failure (with a message). */
#include <dlfcn.h>
#include <lilv/lilv.h>
#include <limits.h>
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/options/options.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_clock.h"

#define ATOM_CAPACITY 8192
#define MAX_QUEUE 16
#define MAX_MSG 256

typedef struct {
  uint32_t size;
  uint8_t data[MAX_MSG];
} Msg;

typedef struct {
  LilvWorld *world;
  const LilvPlugin *plugin;
  LilvInstance *instance;
  char **uris;
  uint32_t n_uris;
  LV2_URID_Map map;
  LV2_URID_Unmap unmap;
  LV2_Worker_Schedule schedule;
  const LV2_Worker_Interface *worker;
  Msg work[MAX_QUEUE], responses[MAX_QUEUE];
  uint32_t n_work, n_responses;
  uint32_t n_ports, block;
  float *values;    /* control ports */
  bool *is_control; /* per port */
  float *in, *out;  /* audio, one channel each */
  uint8_t *atom_in, *atom_out;
  uint8_t *atom_mem[2]; /* what atom_in and atom_out are allocated in */
  int32_t atom_in_index, atom_out_index;
  double run_seconds; /* inside run() */
  bool null;          /* copy instead of run() */
  double loop_cpu;    /* over the loop of blocks, every thread */
  void (*rt_enter)(void), (*rt_leave)(void);
  bool notify;     /* --notify: read the notify port after each run() */
  char told[4096]; /* the last patch:Set's path on the notify port */
  bool bad_notify; /* something not a sequence was left there */
} Host;

static void rt_enter(const Host *host) {
  if (host->rt_enter) host->rt_enter();
}
static void rt_leave(const Host *host) {
  if (host->rt_leave) host->rt_leave();
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "lv2host: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 1;
}

/* LV2_PATH with each directory made absolute: lilv (0.24) takes a
 * relative one for a URI and crashes loading its bundles. A directory
 * that does not exist is left out, as lilv would find nothing there.
 * False if the result does not fit. */
static bool absolute_lv2_path(void) {
  const char *path = getenv("LV2_PATH");
  if (!path) return true;
  char out[8192] = "", dir[PATH_MAX], real[PATH_MAX];
  size_t used = 0;
  for (const char *p = path; *p;) {
    size_t len = strcspn(p, ":");
    if (len > 0 && len < sizeof dir) {
      memcpy(dir, p, len);
      dir[len] = '\0';
      if (realpath(dir, real)) {
        int w = snprintf(out + used, sizeof out - used, "%s%s", used ? ":" : "", real);
        if (w < 0 || (size_t)w >= sizeof out - used) return false;
        used += (size_t)w;
      }
    }
    p += len + (p[len] == ':');
  }
  return setenv("LV2_PATH", out, 1) == 0;
}

/* ------------------------------------------------------------- features */

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
  Host *host = h;
  for (uint32_t i = 0; i < host->n_uris; i++) {
    if (!strcmp(host->uris[i], uri)) return i + 1;
  }
  host->uris = realloc(host->uris, (host->n_uris + 1) * sizeof(char *));
  host->uris[host->n_uris] = strdup(uri);
  return ++host->n_uris;
}

static const char *unmap_uri(LV2_URID_Unmap_Handle h, LV2_URID urid) {
  Host *host = h;
  return urid >= 1 && urid <= host->n_uris ? host->uris[urid - 1] : NULL;
}

static LV2_Worker_Status queue(Msg *q, uint32_t *n, uint32_t size, const void *data) {
  if (*n == MAX_QUEUE || size > MAX_MSG) return LV2_WORKER_ERR_NO_SPACE;
  q[*n].size = size;
  memcpy(q[*n].data, data, size);
  (*n)++;
  return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle h, uint32_t size,
                                       const void *data) {
  Host *host = h;
  return queue(host->work, &host->n_work, size, data);
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data) {
  Host *host = h;
  return queue(host->responses, &host->n_responses, size, data);
}

/* Work, then its responses, until nothing is left (a response may
 * schedule more work). Never during run(). */
static void service_worker(Host *host) {
  LV2_Handle handle = lilv_instance_get_handle(host->instance);
  while (host->worker && (host->n_work || host->n_responses)) {
    Msg work[MAX_QUEUE];
    uint32_t n = host->n_work;
    memcpy(work, host->work, sizeof work);
    host->n_work = 0;
    for (uint32_t i = 0; i < n; i++) {
      host->worker->work(handle, respond, host, work[i].size, work[i].data);
    }
    Msg resp[MAX_QUEUE];
    uint32_t m = host->n_responses;
    memcpy(resp, host->responses, sizeof resp);
    host->n_responses = 0;
    for (uint32_t i = 0; i < m; i++) {
      rt_enter(host);
      host->worker->work_response(handle, resp[i].size, resp[i].data);
      rt_leave(host);
    }
  }
}

/* ---------------------------------------------------------------- ports */

static int setup_ports(Host *host) {
  LilvWorld *w = host->world;
  LilvNode *control = lilv_new_uri(w, LV2_CORE__ControlPort);
  LilvNode *audio = lilv_new_uri(w, LV2_CORE__AudioPort);
  LilvNode *atom = lilv_new_uri(w, LV2_ATOM__AtomPort);
  LilvNode *input = lilv_new_uri(w, LV2_CORE__InputPort);
  host->n_ports = lilv_plugin_get_num_ports(host->plugin);
  host->values = calloc(host->n_ports, sizeof(float));
  host->is_control = calloc(host->n_ports, sizeof(bool));
  lilv_plugin_get_port_ranges_float(host->plugin, NULL, NULL, host->values);
  host->atom_in_index = host->atom_out_index = -1;
  int st = 0;
  for (uint32_t i = 0; i < host->n_ports; i++) {
    const LilvPort *port = lilv_plugin_get_port_by_index(host->plugin, i);
    bool in = lilv_port_is_a(host->plugin, port, input);
    if (lilv_port_is_a(host->plugin, port, control)) {
      host->is_control[i] = true;
    } else if (lilv_port_is_a(host->plugin, port, atom)) {
      *(in ? &host->atom_in_index : &host->atom_out_index) = (int32_t)i;
    } else if (!lilv_port_is_a(host->plugin, port, audio)) {
      st = fail("a port of unknown type", NULL);
    }
  }
  lilv_node_free(control);
  lilv_node_free(audio);
  lilv_node_free(atom);
  lilv_node_free(input);
  return st;
}

static int set_control(Host *host, const char *symbol, float value) {
  LilvNode *sym = lilv_new_string(host->world, symbol);
  const LilvPort *port = lilv_plugin_get_port_by_symbol(host->plugin, sym);
  lilv_node_free(sym);
  if (!port) return fail("no port", symbol);
  host->values[lilv_port_get_index(host->plugin, port)] = value;
  return 0;
}

static void connect_ports(Host *host) {
  LilvNode *input = lilv_new_uri(host->world, LV2_CORE__InputPort);
  LilvNode *audio = lilv_new_uri(host->world, LV2_CORE__AudioPort);
  for (uint32_t i = 0; i < host->n_ports; i++) {
    const LilvPort *port = lilv_plugin_get_port_by_index(host->plugin, i);
    void *buf = NULL;
    if (host->is_control[i]) {
      buf = &host->values[i];
    } else if ((int32_t)i == host->atom_in_index) {
      buf = host->atom_in;
    } else if ((int32_t)i == host->atom_out_index) {
      buf = host->atom_out;
    } else if (lilv_port_is_a(host->plugin, port, audio)) {
      buf = lilv_port_is_a(host->plugin, port, input) ? host->in : host->out;
    }
    lilv_instance_connect_port(host->instance, i, buf);
  }
  lilv_node_free(input);
  lilv_node_free(audio);
}

/* Empty input sequence, output sequence of full capacity (LV2 atom). */
static void reset_atoms(Host *host) {
  LV2_Atom_Sequence *in = (LV2_Atom_Sequence *)host->atom_in;
  in->atom.type = map_uri(host, LV2_ATOM__Sequence);
  in->atom.size = sizeof(LV2_Atom_Sequence_Body);
  in->body.unit = in->body.pad = 0;
  LV2_Atom *out = (LV2_Atom *)host->atom_out;
  out->type = map_uri(host, LV2_ATOM__Chunk);
  out->size = ATOM_CAPACITY - sizeof(LV2_Atom);
}

/* What the plugin left on its notify port: a sequence, whose patch:Set
 * objects name the IR file. */
static void read_notify(Host *host) {
  /* read from an aligned copy: with --misalign the buffer is 4 bytes off */
  static uint64_t copy[ATOM_CAPACITY / sizeof(uint64_t)];
  memcpy(copy, host->atom_out, ATOM_CAPACITY);
  const LV2_Atom_Sequence *seq = (const LV2_Atom_Sequence *)copy;
  if (seq->atom.type != map_uri(host, LV2_ATOM__Sequence) ||
      seq->atom.size < sizeof(LV2_Atom_Sequence_Body) ||
      seq->atom.size > ATOM_CAPACITY - sizeof(LV2_Atom)) {
    host->bad_notify = true;
    return;
  }
  LV2_ATOM_SEQUENCE_FOREACH(seq, ev) {
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (ev->body.type != map_uri(host, LV2_ATOM__Object) ||
        obj->body.otype != map_uri(host, LV2_PATCH__Set)) {
      continue;
    }
    const LV2_Atom *value = NULL;
    lv2_atom_object_get(obj, map_uri(host, LV2_PATCH__value), &value, 0);
    if (value && value->type == map_uri(host, LV2_ATOM__Path)) {
      snprintf(host->told, sizeof host->told, "%.*s", (int)value->size,
               (const char *)LV2_ATOM_BODY_CONST(value));
    }
  }
}

static void run_block(Host *host, uint32_t n) {
  if (host->atom_out_index >= 0) {
    LV2_Atom *out = (LV2_Atom *)host->atom_out;
    out->type = map_uri(host, LV2_ATOM__Chunk);
    out->size = ATOM_CAPACITY - sizeof(LV2_Atom);
  }
  double t0 = host_wall();
  if (host->null) {
    memcpy(host->out, host->in, n * sizeof(float));
  } else {
    rt_enter(host);
    lilv_instance_run(host->instance, n);
    rt_leave(host);
    if (host->notify && host->atom_out_index >= 0) read_notify(host);
  }
  host->run_seconds += host_wall() - t0;
  service_worker(host);
  if (host->atom_in_index >= 0) reset_atoms(host);
}

/* A patch:Set of the IR file in the input sequence, then `frames` of
 * silence. */
static int send_ir(Host *host, const char *path, uint32_t frames) {
  if (host->atom_in_index < 0) return fail("the plugin has no control atom port", NULL);
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &host->map);
  lv2_atom_forge_set_buffer(&forge, host->atom_in, ATOM_CAPACITY);
  LV2_Atom_Forge_Frame seq, obj;
  lv2_atom_forge_sequence_head(&forge, &seq, 0);
  lv2_atom_forge_frame_time(&forge, 0);
  lv2_atom_forge_object(&forge, &obj, 0, map_uri(host, LV2_PATCH__Set));
  lv2_atom_forge_key(&forge, map_uri(host, LV2_PATCH__property));
  lv2_atom_forge_urid(&forge, map_uri(host, "urn:gainstage:lv2:ir"));
  lv2_atom_forge_key(&forge, map_uri(host, LV2_PATCH__value));
  lv2_atom_forge_path(&forge, path, (uint32_t)strlen(path) + 1);
  lv2_atom_forge_pop(&forge, &obj);
  lv2_atom_forge_pop(&forge, &seq);
  memset(host->in, 0, host->block * sizeof(float));
  bool null = host->null;
  host->null = false; /* the plugin takes the IR in run() */
  for (uint32_t done = 0; done < frames; done += host->block) run_block(host, host->block);
  host->null = null;
  return 0;
}

/* ---------------------------------------------------------------- state */

static const void *get_value(const char *symbol, void *user, uint32_t *size, uint32_t *type) {
  Host *host = user;
  LilvNode *sym = lilv_new_string(host->world, symbol);
  const LilvPort *port = lilv_plugin_get_port_by_symbol(host->plugin, sym);
  lilv_node_free(sym);
  uint32_t i = port ? lilv_port_get_index(host->plugin, port) : 0;
  if (!port || !host->is_control[i]) return NULL;
  *size = sizeof(float);
  *type = map_uri(host, LV2_ATOM__Float);
  return &host->values[i];
}

static void set_value(const char *symbol, void *user, const void *value, uint32_t size,
                      uint32_t type) {
  Host *host = user;
  if (size == sizeof(float) && type == map_uri(host, LV2_ATOM__Float)) {
    set_control(host, symbol, *(const float *)value);
  }
}

/* Files the plugin names are linked into the state folder, as jalv does:
 * the folder is then a portable bundle. (lilv 0.24 with no link folder
 * deletes a file outside the state folder while saving.) */
static int save_state(Host *host, const char *dir, const LV2_Feature *const *features) {
  LilvState *st = lilv_state_new_from_instance(host->plugin, host->instance, &host->map, NULL, dir,
                                               dir, dir, get_value, host,
                                               LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, features);
  int rc =
      !st || lilv_state_save(host->world, &host->map, &host->unmap, st, NULL, dir, "state.ttl");
  lilv_state_free(st);
  return rc ? fail("could not save state in", dir) : 0;
}

/* A preset the plugin's bundle declares, by URI. */
static int load_preset(Host *host, const char *uri, const LV2_Feature *const *features) {
  LilvNode *node = lilv_new_uri(host->world, uri);
  lilv_world_load_resource(host->world, node);
  LilvState *st = lilv_state_new_from_world(host->world, &host->map, node);
  lilv_node_free(node);
  if (!st) return fail("no such preset", uri);
  lilv_state_restore(st, host->instance, set_value, host, 0, features);
  lilv_state_free(st);
  return 0;
}

static int load_state(Host *host, const char *dir, const LV2_Feature *const *features) {
  char path[4096];
  snprintf(path, sizeof path, "%s/state.ttl", dir);
  LilvState *st = lilv_state_new_from_file(host->world, &host->map, NULL, path);
  if (!st) return fail("could not read state", path);
  lilv_state_restore(st, host->instance, set_value, host, 0, features);
  lilv_state_free(st);
  return 0;
}

/* ----------------------------------------------------------------- main */

typedef struct {
  uint32_t block;
  const char *ir, *preset, *load, *save, *uri, *in, *out;
  bool time, null;
  const char *syms[64];
  float vals[64];
  int n_ctl;
  long change_at[16];
  const char *change_sym[16];
  float change_val[16];
  int n_change;
  bool rt_check, latency, misalign, notify;
} Args;

static int parse_args(int argc, char **argv, Args *a) {
  int pos = 0;
  a->block = 256;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-b") && i + 1 < argc) {
      a->block = (uint32_t)atoi(argv[++i]);
    } else if (!strcmp(argv[i], "-c") && i + 2 < argc && a->n_ctl < 64) {
      a->syms[a->n_ctl] = argv[++i];
      a->vals[a->n_ctl++] = strtof(argv[++i], NULL);
    } else if (!strcmp(argv[i], "--ir") && i + 1 < argc) {
      a->ir = argv[++i];
    } else if (!strcmp(argv[i], "--null")) {
      a->null = true;
    } else if (!strcmp(argv[i], "--change") && i + 3 < argc && a->n_change < 16) {
      a->change_at[a->n_change] = atol(argv[++i]);
      a->change_sym[a->n_change] = argv[++i];
      a->change_val[a->n_change++] = strtof(argv[++i], NULL);
    } else if (!strcmp(argv[i], "--notify")) {
      a->notify = true;
    } else if (!strcmp(argv[i], "--misalign")) {
      a->misalign = true;
    } else if (!strcmp(argv[i], "--rt-check")) {
      a->rt_check = true;
    } else if (!strcmp(argv[i], "--time")) {
      a->time = true;
    } else if (!strcmp(argv[i], "--latency")) {
      a->latency = true;
    } else if (!strcmp(argv[i], "--preset") && i + 1 < argc) {
      a->preset = argv[++i];
    } else if (!strcmp(argv[i], "--load-state") && i + 1 < argc) {
      a->load = argv[++i];
    } else if (!strcmp(argv[i], "--save-state") && i + 1 < argc) {
      a->save = argv[++i];
    } else if (pos < 3) {
      const char **slot[] = {&a->uri, &a->in, &a->out};
      *slot[pos++] = argv[i];
    } else {
      return 1;
    }
  }
  return pos == 3 && a->block > 0 ? 0 : 1;
}

static int process_file(Host *host, const Args *a, SNDFILE *in, SNDFILE *out, sf_count_t frames) {
  float *x = malloc((size_t)(frames > 0 ? frames : 1) * sizeof(float));
  if (!x) return fail("out of memory", NULL);
  if (sf_readf_float(in, x, frames) != frames) {
    free(x);
    return fail("reading failed", NULL);
  }
  double cpu0 = host_cpu();
  for (sf_count_t pos = 0; pos < frames; pos += host->block) {
    sf_count_t got = frames - pos < (sf_count_t)host->block ? frames - pos : host->block;
    for (int k = 0; k < a->n_change; k++) {
      if (a->change_at[k] >= pos && a->change_at[k] < pos + got) {
        set_control(host, a->change_sym[k], a->change_val[k]);
      }
    }
    memcpy(host->in, x + pos, (size_t)got * sizeof(float));
    if (got < (sf_count_t)host->block) {
      memset(host->in + got, 0, (host->block - (size_t)got) * sizeof(float));
    }
    run_block(host, (uint32_t)got);
    memcpy(x + pos, host->out, (size_t)got * sizeof(float)); /* x[pos..] is consumed */
  }
  host->loop_cpu = host_cpu() - cpu0;
  int rc = sf_writef_float(out, x, frames) != frames ? fail("writing failed", NULL) : 0;
  free(x);
  return rc;
}

static int run_host(Host *host, const Args *a, const LV2_Feature *const *features) {
  SF_INFO info = {0};
  SNDFILE *in = sf_open(a->in, SFM_READ, &info);
  if (!in || info.channels != 1) return fail("need a mono input file", a->in);
  SF_INFO oinfo = {
      .samplerate = info.samplerate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *out = sf_open(a->out, SFM_WRITE, &oinfo);
  if (!out) return fail("cannot write", a->out);
  host->instance = lilv_plugin_instantiate(host->plugin, info.samplerate, features);
  if (!host->instance) return fail("instantiation failed", a->uri);
  host->worker = lilv_instance_get_extension_data(host->instance, LV2_WORKER__interface);
  for (int i = 0; i < a->n_ctl; i++) {
    if (set_control(host, a->syms[i], a->vals[i])) return 1;
  }
  connect_ports(host);
  reset_atoms(host);
  if (a->preset && load_preset(host, a->preset, features)) return 1;
  if (a->load && load_state(host, a->load, features)) return 1;
  lilv_instance_activate(host->instance);
  service_worker(host); /* work a restored state scheduled (an IR to load) */
  host->null = a->null;
  int rc = a->ir ? send_ir(host, a->ir, (uint32_t)(0.1 * info.samplerate)) : 0;
  host->run_seconds = 0.0;
  if (!rc) rc = process_file(host, a, in, out, info.frames);
  if (!rc && a->time) host_print_times(host->run_seconds, host->loop_cpu, (double)info.frames);
  if (!rc && a->latency) { /* the output port the plugin reports it on */
    LilvNode *sym = lilv_new_string(host->world, "latency");
    const LilvPort *port = lilv_plugin_get_port_by_symbol(host->plugin, sym);
    lilv_node_free(sym);
    if (!port) rc = fail("no latency port", a->uri);
    if (port) printf("latency %g\n", host->values[lilv_port_get_index(host->plugin, port)]);
  }
  if (!rc && a->notify) {
    if (host->bad_notify) rc = fail("the notify port was left without a sequence", a->uri);
    printf("notify %s\n", host->told[0] ? host->told : "nothing");
  }
  if (!rc && a->save) rc = save_state(host, a->save, features);
  lilv_instance_deactivate(host->instance);
  lilv_instance_free(host->instance);
  sf_close(in);
  sf_close(out);
  return rc;
}

int main(int argc, char **argv) {
  Args a = {0};
  if (parse_args(argc, argv, &a)) {
    fprintf(stderr,
            "usage: lv2host [-b FRAMES] [-c SYMBOL VALUE]... [--ir FILE] "
            "[--notify] [--preset URI] [--load-state DIR] [--save-state DIR] [--time] [--null] "
            "[--misalign] "
            "URI IN.wav OUT.wav\n");
    return 2;
  }
  if (!absolute_lv2_path()) return fail("LV2_PATH too long", NULL);
  Host host = {.block = a.block, .notify = a.notify};
  host.world = lilv_world_new();
  lilv_world_load_all(host.world);
  LilvNode *uri = lilv_new_uri(host.world, a.uri);
  host.plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(host.world), uri);
  lilv_node_free(uri);
  if (!host.plugin) return fail("no such plugin", a.uri);
  host.map = (LV2_URID_Map){&host, map_uri};
  host.unmap = (LV2_URID_Unmap){&host, unmap_uri};
  host.schedule = (LV2_Worker_Schedule){&host, schedule_work};
  int32_t block = (int32_t)a.block;
  LV2_Options_Option options[] = {
      {LV2_OPTIONS_INSTANCE, 0, map_uri(&host, LV2_BUF_SIZE__minBlockLength), sizeof block,
       map_uri(&host, LV2_ATOM__Int), &block},
      {LV2_OPTIONS_INSTANCE, 0, map_uri(&host, LV2_BUF_SIZE__maxBlockLength), sizeof block,
       map_uri(&host, LV2_ATOM__Int), &block},
      {LV2_OPTIONS_INSTANCE, 0, map_uri(&host, LV2_BUF_SIZE__nominalBlockLength), sizeof block,
       map_uri(&host, LV2_ATOM__Int), &block},
      {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL}};
  LV2_Feature f_map = {LV2_URID__map, &host.map}, f_unmap = {LV2_URID__unmap, &host.unmap},
              f_sched = {LV2_WORKER__schedule, &host.schedule},
              f_bounded = {LV2_BUF_SIZE__boundedBlockLength, NULL},
              f_options = {LV2_OPTIONS__options, options};
  const LV2_Feature *features[] = {&f_map, &f_unmap, &f_sched, &f_bounded, &f_options, NULL};
  if (a.rt_check) { /* object pointers into function pointers: POSIX allows */
    void *enter = dlsym(RTLD_DEFAULT, "rt_interpose_enter");
    void *leave = dlsym(RTLD_DEFAULT, "rt_interpose_leave");
    if (!enter || !leave) return fail("--rt-check needs tests/rt_interpose.so preloaded", NULL);
    memcpy(&host.rt_enter, &enter, sizeof enter);
    memcpy(&host.rt_leave, &leave, sizeof leave);
  }
  host.in = calloc(a.block, sizeof(float));
  host.out = calloc(a.block, sizeof(float));
  size_t off = a.misalign ? 4 : 0;
  host.atom_mem[0] = calloc(1, ATOM_CAPACITY + 8);
  host.atom_mem[1] = calloc(1, ATOM_CAPACITY + 8);
  if (!host.atom_mem[0] || !host.atom_mem[1]) return fail("out of memory", NULL);
  host.atom_in = host.atom_mem[0] + off;
  host.atom_out = host.atom_mem[1] + off;
  int rc = setup_ports(&host);
  if (!rc) rc = run_host(&host, &a, features);
  for (uint32_t i = 0; i < host.n_uris; i++) free(host.uris[i]);
  free(host.uris);
  free(host.values);
  free(host.is_control);
  free(host.in);
  free(host.out);
  free(host.atom_mem[0]);
  free(host.atom_mem[1]);
  lilv_world_free(host.world);
  return rc;
}
