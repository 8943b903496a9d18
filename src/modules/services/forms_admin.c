/* forms_admin.c — PLACEHOLDER: being written (forms_admin.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t forms_admin_module = {.name = "forms_admin", .title = "forms_admin"};

