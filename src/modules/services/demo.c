/* demo.c — `rathaus demo` for the services module: the catalogue of real Mainz
 * services with their offices, the forms, and appointment slots for the next
 * weeks. Everything is read from data/services/ (the same files an operator
 * loads with `rathaus services import …`). */
#include <stdio.h>
#include <time.h>

#include "modules/services/internal.h"
#include "modules/services/services.h"

int services_demo(db_t *db, const char *data_dir)
{
    char path[512], err[512] = "";
    snprintf(path, sizeof(path), "%s/catalogue.json", data_dir);
    if (catalogue_import_file(db, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: demo catalogue: %s\n", err);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/forms", data_dir);
    if (formdef_load_dir(db, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: demo forms: %s\n", err);
        return -1;
    }
    if (appointments_demo(db, (int64_t)time(NULL)) != 0) {
        fprintf(stderr, "rathaus: demo appointments: %s\n", db_errmsg(db));
        return -1;
    }
    printf("demo services: catalogue, forms and appointment slots loaded\n");
    return 0;
}
