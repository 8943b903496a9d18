/* catalogue.c — PLACEHOLDER: being written (catalogue.c). Replace this whole file. */
#include "modules/services/internal.h"
#include "modules/services/services.h"
const module_t services_module = {.name = "services", .title = "services"};
int catalogue_import_file(db_t *db, const char *path, char *err, size_t errlen) { return 0; }
