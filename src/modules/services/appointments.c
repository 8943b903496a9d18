/* appointments.c — PLACEHOLDER: being written (appointments.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t appointments_module = {.name = "appointments", .title = "appointments"};
int appointments_demo(db_t *db, int64_t now) { return 0; }
