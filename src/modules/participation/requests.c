/* requests.c — PLACEHOLDER: being written. Replace this whole file. */
#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
const module_t participation_requests_module = {.name = "participation_requests", .title = "participation_requests"};
int participation_is_resident(db_t *db, int64_t user_id, int min_age, const char **why) { return 0; }
int requests_register_jobs(void) { return 0; }
int requests_demo(db_t *db) { return 0; }
