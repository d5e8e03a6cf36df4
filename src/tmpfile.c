#include "tmpfile.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int gs_tmp_beside(const char *path, char *tmp, size_t size) {
  char dir_buf[4096], base_buf[4096];
  snprintf(dir_buf, sizeof dir_buf, "%s", path);
  snprintf(base_buf, sizeof base_buf, "%s", path);
  int w = snprintf(tmp, size, "%s/.%s.XXXXXX", dirname(dir_buf), basename(base_buf));
  if (w < 0 || (size_t)w >= size) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return mkstemp(tmp);
}

bool gs_tmp_commit(const char *tmp, const char *path) {
  mode_t mask = umask(0);
  umask(mask);
  chmod(tmp, 0666 & ~mask);
  if (rename(tmp, path) == 0) return true;
  int err = errno;
  unlink(tmp);
  errno = err;
  return false;
}
