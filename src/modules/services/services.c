/* services.c — start-up of the services module: libmagic for uploads, privacy
 * hooks, the module's jobs (passport expiry reminders, …). */
#include <stdio.h>
#include <time.h>

#include "modules/services/internal.h"
#include "modules/services/services.h"
#include "platform/files.h"

int services_init(const config_t *cfg, char *err, size_t errlen)
{
    if (files_init(err, errlen) != 0)
        return -1;
    if (zweck_init() != 0) {
        snprintf(err, errlen, "cannot register the Zweckentfremdung privacy hooks");
        return -1;
    }
    if (apply_init() != 0) {
        snprintf(err, errlen, "cannot register the applications' privacy hooks");
        return -1;
    }
    if (passport_init() != 0) {
        snprintf(err, errlen, "cannot register the passport reminder job and privacy hooks");
        return -1;
    }
    return 0;
}

int services_start(db_t *db)
{
    return passport_schedule_reminders(db, (int64_t)time(NULL));
}
