/* projects.c — PLACEHOLDER: being written. Replace this whole file. */
#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
const module_t participation_module = {.name = "participation", .title = "participation"};
int participation_notify_followers(db_t *db, const config_t *cfg, const char *target_kind, int64_t target_id, const char *subject, const char *text, const char *path) { return 0; }
int projects_register_jobs(void) { return 0; }
int projects_demo(db_t *db, const char *data_dir) { return 0; }
