/* The LV2 plugins' state (plugin.c): hosts save the control ports; the
 * plugin saves the IR file's path (state:mapPath makes it portable).
 * Restoring builds the chain at once: restore() never runs beside run(). */
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_private.h"

static const void *feature(const LV2_Feature *const *features, const char *uri) {
  for (int i = 0; features && features[i]; i++) {
    if (!strcmp(features[i]->URI, uri)) return features[i]->data;
  }
  return NULL;
}

static void free_path(const LV2_Feature *const *features, char *path) {
  const LV2_State_Free_Path *fp = feature(features, LV2_STATE__freePath);
  if (fp) {
    fp->free_path(fp->handle, path);
  } else {
    free(path);
  }
}

static LV2_State_Status save(LV2_Handle h, LV2_State_Store_Function store, LV2_State_Handle handle,
                             uint32_t flags, const LV2_Feature *const *features) {
  (void)flags;
  Plugin *p = h;
  if (!p->map || !p->path[0]) return LV2_STATE_SUCCESS;
  const LV2_State_Map_Path *mp = feature(features, LV2_STATE__mapPath);
  char *abstract = mp ? mp->abstract_path(mp->handle, p->path) : NULL;
  const char *value = abstract ? abstract : p->path;
  LV2_State_Status st = store(handle, p->uris.gs_ir, value, strlen(value) + 1, p->uris.atom_Path,
                              LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
  if (abstract) free_path(features, abstract);
  return st;
}

static LV2_State_Status restore(LV2_Handle h, LV2_State_Retrieve_Function retrieve,
                                LV2_State_Handle handle, uint32_t flags,
                                const LV2_Feature *const *features) {
  (void)flags;
  Plugin *p = h;
  if (!p->map) return LV2_STATE_SUCCESS;
  size_t size = 0;
  uint32_t type = 0, vflags = 0;
  const char *value = retrieve(handle, p->uris.gs_ir, &size, &type, &vflags);
  char path[PATH_SIZE] = "";
  if (value && type == p->uris.atom_Path) {
    const LV2_State_Map_Path *mp = feature(features, LV2_STATE__mapPath);
    char *absolute = mp ? mp->absolute_path(mp->handle, value) : NULL;
    snprintf(path, sizeof path, "%s", absolute ? absolute : value);
    if (absolute) free_path(features, absolute);
  }
  if (!gs_lv2_rebuild_now(p, path)) {
    lv2_log_error(&p->logger, "gainstage: could not restore with IR file '%s'\n", path);
    return LV2_STATE_ERR_UNKNOWN;
  }
  p->tell_path = true;
  return LV2_STATE_SUCCESS;
}

const LV2_State_Interface gs_lv2_state = {save, restore};
