#include "audiofile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sf_truncated.h"
#include "tmpfile.h"

volatile sig_atomic_t cli_stop = 0;

static void on_signal(int sig) {
  (void)sig;
  cli_stop = 1; /* only a flag: the loop stops and cleans up */
}

void cli_catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  /* each of these kills by default: a closed terminal (HUP) or a broken
   * pipe must not leave a half-written temporary file either */
  const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

SNDFILE *audio_open_read(const char *path, SF_INFO *info) {
  struct stat st;
  if (stat(path, &st) != 0) {
    cli_error("cannot read '%s': %s", path, strerror(errno));
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    cli_error("'%s' is not a regular file", path);
    return NULL;
  }
  memset(info, 0, sizeof *info);
  SNDFILE *sf = sf_open(path, SFM_READ, info);
  if (!sf) {
    cli_error("cannot read '%s' as audio: %s", path, sf_strerror(NULL));
    return NULL;
  }
  long long promised;
  if (gs_sf_truncated(sf, info, &promised)) {
    cli_error("'%s' is truncated: its header promises %lld frames, it holds %lld", path, promised,
              (long long)info->frames);
    sf_close(sf);
    return NULL;
  }
  return sf;
}

int audio_format_for(const char *path) {
  const char *dot = strrchr(path, '.');
  if (!dot) return 0;
  static const struct {
    const char *ext;
    int format;
  } map[] = {
      {".wav", SF_FORMAT_WAV},   {".w64", SF_FORMAT_W64},   {".rf64", SF_FORMAT_RF64},
      {".flac", SF_FORMAT_FLAC}, {".aiff", SF_FORMAT_AIFF}, {".aif", SF_FORMAT_AIFF},
      {".caf", SF_FORMAT_CAF},   {".ogg", SF_FORMAT_OGG},   {".au", SF_FORMAT_AU},
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (strcasecmp(dot, map[i].ext) == 0) return map[i].format;
  }
  return 0;
}

int audio_subtype_named(const char *name) {
  static const struct {
    const char *name;
    int subtype;
  } map[] = {{"float", SF_FORMAT_FLOAT},
             {"pcm16", SF_FORMAT_PCM_16},
             {"pcm24", SF_FORMAT_PCM_24},
             {"pcm32", SF_FORMAT_PCM_32}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (strcmp(name, map[i].name) == 0) return map[i].subtype;
  }
  return 0;
}

bool audio_create(OutFile *out, const char *path, int format, int rate, int channels) {
  memset(out, 0, sizeof out->info);
  out->sf = NULL;
  snprintf(out->path, sizeof out->path, "%s", path);
  int fd = gs_tmp_beside(path, out->tmp, sizeof out->tmp);
  if (fd < 0) {
    cli_error("cannot write '%s': %s", path, strerror(errno));
    return false;
  }
  out->info.samplerate = rate;
  out->info.channels = channels;
  out->info.format = format;
  out->sf = sf_open_fd(fd, SFM_WRITE, &out->info, SF_TRUE);
  if (!out->sf) {
    cli_error("cannot write '%s': %s", path, sf_strerror(NULL));
    close(fd);
    unlink(out->tmp);
    return false;
  }
  /* integer formats clip at full scale (process warns); FLAC's encoder
   * would otherwise fail the whole write on the first sample beyond it */
  sf_command(out->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
  return true;
}

bool audio_commit(OutFile *out) {
  int err = sf_close(out->sf);
  out->sf = NULL;
  if (err != 0) {
    cli_error("writing '%s' failed: %s", out->path, sf_error_number(err));
    unlink(out->tmp);
    return false;
  }
  if (!gs_tmp_commit(out->tmp, out->path)) {
    cli_error("cannot move the output into place as '%s': %s", out->path, strerror(errno));
    return false;
  }
  return true;
}

void audio_abort(OutFile *out) {
  if (out->sf) sf_close(out->sf);
  out->sf = NULL;
  unlink(out->tmp);
}

bool same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
