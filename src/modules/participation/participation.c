/* participation.c — start-up and demo data of the participation module. */
#include <stdio.h>

#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"
#include "modules/participation/participation.h"

int participation_init(const config_t *cfg, char *err, size_t errlen)
{
    if (projects_register_jobs() != 0 || requests_init() != 0 || processes_register_jobs() != 0 ||
        surveys_register() != 0 || moderation_privacy_register() != 0) {
        snprintf(err, errlen, "cannot register the participation jobs and privacy hooks");
        return -1;
    }
    return 0;
}

/* In dependency order: processes belong to Vorhaben, surveys to processes. */
int participation_demo(db_t *db, const char *data_dir)
{
    if (projects_demo(db, data_dir) != 0 || requests_demo(db) != 0 || processes_demo(db) != 0 ||
        surveys_demo(db) != 0) {
        fprintf(stderr, "rathaus: participation demo data failed: %s\n", db_errmsg(db));
        return -1;
    }
    return 0;
}
