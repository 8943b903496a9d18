/* passport.c — PLACEHOLDER: being written (passport.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t passport_module = {.name = "passport", .title = "passport"};
int passport_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *from, const char *to) { return 0; }
int passport_register_jobs(void) { return 0; }
