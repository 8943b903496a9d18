/* apply.c — PLACEHOLDER: being written (apply.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t applications_module = {.name = "applications", .title = "applications"};

int apply_init(void) { return 0; }
