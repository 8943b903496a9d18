/* hooks.c — what a kind of service does when one of its cases changes status:
 * the Reisepass tells the citizen the passport is ready, a Zweckentfremdung
 * permit gets its registration number. Keyed by the service's workflow. */
#include <string.h>

#include "modules/services/internal.h"

int services_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app,
                            const char *from, const char *to, const char **note)
{
    *note = NULL;
    if (strcmp(app->workflow, "reisepass") == 0)
        return passport_status_changed(db, cfg, arena, app, from, to);
    if (strcmp(app->workflow, "zweckentfremdung") == 0)
        return zweck_status_changed(db, cfg, arena, app, from, to, note);
    return 0;
}
