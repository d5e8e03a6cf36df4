/* Files written beside their destination and renamed onto it once whole,
 * so that a full disk, an error or a signal leaves nothing half-written
 * (the CLI's audio outputs, plots). [main] */
#ifndef GS_TMPFILE_H
#define GS_TMPFILE_H

#include <stdbool.h>
#include <stddef.h>

/* A new empty file ".NAME.XXXXXX" beside path, its name in tmp: its
 * descriptor, or -1 with errno set (ENAMETOOLONG if tmp is too small). */
int gs_tmp_beside(const char *path, char *tmp, size_t size);

/* tmp, finished, onto path with the usual permissions (mkstemp's are
 * 0600); false with errno set, tmp removed. */
bool gs_tmp_commit(const char *tmp, const char *path);

#endif
