/* processes.c — PLACEHOLDER: being written. Replace this whole file. */
#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
const module_t participation_process_module = {.name = "participation_process", .title = "participation_process"};
int processes_demo(db_t *db) { return 0; }
