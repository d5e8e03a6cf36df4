/* libFuzzer target: the rig's MIDI handling. The input is a stream of
 * records [op][len][len bytes]: each message goes through gs_engine_midi
 * on an engine built from a small rig (CC maps of levels, toggles,
 * choices and log-scaled stage parameters; programs); an op with its top
 * bit set first arms MIDI learn for a control. Every message is also
 * decoded directly and scaled onto a parameter of a registered stage
 * (gs_midi_decode, gs_midi_scale), and learned into a small map
 * (gs_midi_learn) so that the full-map path is exercised. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "midi.h"
#include "rig.h"

#define BLOCK 16
#define SMALL_MAP 4

static const char rig_text[] =
    "rig name=fuzz\n"
    "strip a level=-6dB pan=-0.3\n"
    "  gain db=-6\n"
    "  eq type1=peak freq1=1k gain1=3\n"
    "strip b\n"
    "  gain\n"
    "monitor select=a level=0dB dim_level=-20dB return=0dB\n"
    "phones 1 level=-3dB return=-6dB\n"
    "mix 1 a level=0dB pan=-0.5\n"
    "cc 7 a.level min=-40dB max=0dB\n"
    "cc 10 a.pan\n"
    "cc 64 monitor.dim\n"
    "cc 65 monitor.select\n"
    "cc 20 a.eq.freq1\n"
    "cc 21 a.mute\n"
    "program 1 a.gain.db=-12 monitor.dim=off\n"
    "program 128 b.level=-80dB\n";

static GsRig *rig;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (gs_rig_parse(rig_text, "fuzz.rig", NULL, &rig) != GS_OK) abort();
  return 0;
}

static void process(GsEngine *e) {
  static float buf[64][BLOCK];
  float *in[64], *out[64];
  uint32_t n_in = gs_engine_inputs(e), n_out = gs_engine_outputs(e);
  if (n_in > 64 || n_out > 64) abort();
  for (uint32_t c = 0; c < 64; c++) in[c] = out[c] = buf[c];
  gs_engine_process(e, (const float *const *)in, out, BLOCK);
  GsEngineEvent ev;
  while (gs_engine_event(e, &ev)) {
  }
}

/* The pure functions on one message, with a parameter picked by its bytes. */
static void direct(const uint8_t *msg, size_t len, GsRigCc *maps, uint32_t *n_maps) {
  GsMidiAction act;
  if (!gs_midi_decode(msg, len, &act) || act.type != GS_MIDI_CC) return;
  const GsStageInfo *stage = gs_stage_at(act.number % gs_stage_count());
  if (!stage || stage->n_params == 0) return;
  const GsParamInfo *info = &stage->params[act.value % stage->n_params];
  (void)gs_midi_scale(info, info->min, info->max, act.value);
  gs_midi_learn(maps, n_maps, SMALL_MAP, act.number, act.channel, 0, info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  GsEngine *e = NULL;
  if (gs_engine_new(rig, 48000.0, NULL, &e) != GS_OK) abort();
  GsRigCc maps[SMALL_MAP];
  uint32_t n_maps = 0;
  size_t i = 0;
  while (i + 2 <= size) {
    uint8_t op = data[i], len = data[i + 1] & 7;
    i += 2;
    if (len > size - i) len = (uint8_t)(size - i);
    if ((op & 0x80) && rig->n_controls) {
      gs_engine_learn(e, (op & 0x7F) % rig->n_controls);
      process(e);
    }
    gs_engine_midi(e, data + i, len);
    direct(data + i, len, maps, &n_maps);
    i += len;
  }
  process(e);
  gs_engine_free(e);
  return 0;
}
