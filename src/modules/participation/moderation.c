/* moderation.c — PLACEHOLDER: being written. Replace this whole file. */
#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
const module_t participation_admin_module = {.name = "participation_admin", .title = "participation_admin"};
int participation_may_contribute(http_req_t *req, const char *kind, const char **message) { *message = "nicht verfügbar"; return CONTRIBUTE_SIGN_IN; }
int participation_held_by_words(db_t *db, const char *text) { return 0; }
const char *participation_markdown(arena_t *arena, const char *markdown) { return NULL; }
