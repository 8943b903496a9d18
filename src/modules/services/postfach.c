/* postfach.c — PLACEHOLDER: being written (postfach.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t postfach_module = {.name = "postfach", .title = "postfach"};
int64_t postfach_post(db_t *db, const config_t *cfg, arena_t *arena, int64_t app_id, int from_office, int64_t sender_id, const char *subject, const char *body, int64_t file_id) { return -1; }
