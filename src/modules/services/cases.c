/* cases.c — PLACEHOLDER: being written (cases.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t cases_module = {.name = "cases", .title = "cases"};
int case_set_status(db_t *db, const config_t *cfg, arena_t *arena, int64_t app_id, const char *to, int64_t actor_id, const char *text) { return -1; }
