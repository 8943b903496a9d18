/* zweck.c — PLACEHOLDER: being written (zweck.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t zweck_module = {.name = "zweck", .title = "zweck"};
int zweck_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *from, const char *to) { return 0; }
