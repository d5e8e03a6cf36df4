/* A small JSON writer for the CLI's --json outputs: numbers that are not
 * finite become null, as the output contracts require. */
#ifndef GS_CLI_JSON_H
#define GS_CLI_JSON_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
  FILE *f;
  int depth;
  bool first[32];
  char kind[32]; /* '{' or '[' per depth */
} Json;

void json_begin(Json *j, FILE *f);
void json_end(Json *j);
void json_object(Json *j, const char *key); /* key NULL inside arrays */
void json_array(Json *j, const char *key);
void json_close(Json *j); /* closes the innermost object or array */
void json_num(Json *j, const char *key, double v);
void json_str(Json *j, const char *key, const char *v);
void json_bool(Json *j, const char *key, bool v);
void json_null(Json *j, const char *key);

#endif
