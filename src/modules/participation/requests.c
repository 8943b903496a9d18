/* requests.c — Anregungen: residents of Mainz request participation (module
 * participation_requests_module). The route table, the residency check every part
 * of the participation module uses, and the job that ends a support period.
 *
 *   GET  /beteiligung/anregungen                     published Anregungen, filters
 *   GET  /beteiligung/anregungen/neu                 the form (residents aged 14+)
 *   POST /beteiligung/anregungen/neu
 *   GET  /beteiligung/anregungen/:id                 one Anregung with its history
 *   POST /beteiligung/anregungen/:id/unterstuetzen   support it (residents 14+, once)
 *   POST /beteiligung/anregungen/:id/zurueckziehen   take a support back while collecting
 *   GET  /api/v1/beteiligung/anregungen[/:id]        the same as JSON
 *   GET  /verwaltung/beteiligung/anregungen          the coordination office's queue
 *   GET  /verwaltung/beteiligung/anregungen/:id      one Anregung with the office's steps
 *   POST /verwaltung/beteiligung/anregungen/:id      take a step
 *
 * Residency (docs/residency.md): a confirmed account whose "Meine Daten" give an
 * address in Mainz and, where an age counts, a birth date old enough. Self-declared
 * at basisregistriert, checked against an identity document at substantiell; the
 * pages show how many supporters are at substantiell ("davon bestätigt").
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
#include "modules/participation/requests_internal.h"
#include "platform/jobs.h"
#include "view/i18n.h"
#include "web/auth.h"

#define DEADLINE_JOB "participation.request_deadline"

static const route_t requests_routes[] = {
    {"GET", "/beteiligung/anregungen", requests_list_page, NULL, 0, 0},
    /* Before ":id", which would take "neu" for an id (the first match wins). */
    {"GET", "/beteiligung/anregungen/neu", requests_new_page, AUTH_SIGNED_IN, ROUTE_TRUST_BASIC, 0},
    {"POST", "/beteiligung/anregungen/neu", requests_new_submit, AUTH_SIGNED_IN, ROUTE_TRUST_BASIC,
     REQUESTS_BODY_LIMIT},
    {"GET", "/beteiligung/anregungen/:id", requests_detail_page, NULL, 0, 0},
    {"POST", "/beteiligung/anregungen/:id/unterstuetzen", requests_support, AUTH_SIGNED_IN, ROUTE_TRUST_BASIC, 0},
    {"POST", "/beteiligung/anregungen/:id/zurueckziehen", requests_withdraw, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/api/v1/beteiligung/anregungen", requests_api_list, NULL, ROUTE_API, 0},
    {"GET", "/api/v1/beteiligung/anregungen/:id", requests_api_detail, NULL, ROUTE_API, 0},
    {"GET", "/verwaltung/beteiligung/anregungen", requests_office_queue, PERM_REQUESTS, 0, 0},
    {"GET", "/verwaltung/beteiligung/anregungen/:id", requests_office_page, PERM_REQUESTS, 0, 0},
    {"POST", "/verwaltung/beteiligung/anregungen/:id", requests_office_act, PERM_REQUESTS, 0, REQUESTS_BODY_LIMIT},
};

static const permission_t requests_permissions[] = {
    {PERM_REQUESTS, N_("Anregungen prüfen und bis zur Entscheidung des Stadtrats begleiten (Koordinierungsstelle)")},
};

const module_t participation_requests_module = {
    .name = "participation_requests",
    .title = N_("Anregungen"),
    .summary = N_("Schlagen Sie vor, wo die Stadt Sie beteiligen soll, und unterstützen Sie die Anregungen anderer."),
    .home = "/beteiligung/anregungen",
    .nav_hidden = 1, /* /beteiligung leads here */
    .nav_permission = NULL,
    .routes = requests_routes,
    .route_count = sizeof(requests_routes) / sizeof(requests_routes[0]),
    .permissions = requests_permissions,
    .permission_count = sizeof(requests_permissions) / sizeof(requests_permissions[0]),
};

/* ---- residency ----------------------------------------------------------------------- */

/* A deleted or blocked account is nobody's residence. */
static const char sql_resident[] =
    "SELECT u.trust_level, COALESCE(p.postcode, ''), COALESCE(p.city, ''), COALESCE(p.birth_date, '')"
    " FROM users u LEFT JOIN profiles p ON p.user_id = u.id"
    " WHERE u.id = $1 AND u.deleted_at IS NULL AND u.blocked_at IS NULL";

int participation_is_resident(db_t *db, int64_t user_id, int min_age, const char **why)
{
    *why = NULL;
    db_stmt_t *st;
    if (db_prepare(db, sql_resident, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *why = requests_residency_refusal((int)db_column_int64(st, 0), db_column_text(st, 1), db_column_text(st, 2),
                                          db_column_text(st, 3), min_age, (int64_t)time(NULL));
    db_reset(st);
    if (rc < 0)
        return -1;
    if (rc == DB_DONE) {
        *why = N_("Bitte melden Sie sich an.");
        return 0;
    }
    return *why ? 0 : 1;
}

/* ---- the end of a support period --------------------------------------------------------- */

static const char sql_close_period[] = "UPDATE participation_requests SET status = 'nicht_erreicht', updated_at = $2"
                                       " WHERE id = $1 AND status = 'sammlung' AND collect_ends_at <= $2";

int requests_schedule_deadline(db_t *db, int64_t id, int64_t ends_at)
{
    char payload[48];
    snprintf(payload, sizeof(payload), "{\"id\":%lld}", (long long)id);
    return jobs_enqueue(db, DEADLINE_JOB, payload, ends_at) > 0 ? 0 : -1;
}

int requests_deadline_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    json_int_t id = json_integer_value(json_object_get(payload, "id"));
    if (id <= 0) {
        snprintf(err, errlen, "payload needs a positive id");
        return JOBS_GIVE_UP;
    }
    int64_t now = jobs_now();
    arena_t arena;
    arena_init(&arena);
    request_t r;
    int ok = db_begin_write(db) == 0;
    int rc = ok ? requests_load(db, &arena, (int64_t)id, &r) : -1;
    ok = rc >= 0;
    int closed = 0;
    if (rc == 0 && !strcmp(r.status, "sammlung")) {
        if (r.collect_ends_at > now) {
            /* Run too early (the period was moved): wait for its end. */
            ok = requests_schedule_deadline(db, r.id, r.collect_ends_at) == 0;
        } else {
            db_stmt_t *st;
            ok = db_prepare(db, sql_close_period, &st) == 0;
            if (ok) {
                db_bind_int64(st, 1, r.id);
                db_bind_int64(st, 2, now);
                ok = db_step(st) == DB_DONE;
                closed = ok && db_changes(st) == 1;
                db_reset(st);
            }
        }
    }
    if (closed) {
        const char *text = arena_printf(&arena,
                                        "Die Sammlung ist beendet. Die Anregung hat %lld von %lld nötigen "
                                        "Unterstützungen erhalten und geht deshalb nicht an den Stadtrat.",
                                        (long long)r.support_count, (long long)r.quorum);
        const char *path = arena_printf(&arena, "/beteiligung/anregungen/%lld", (long long)r.id);
        ok = requests_history_add(db, r.id, "nicht_erreicht", "platform", 0, "", now) == 0 &&
             requests_mail_author(db, cfg, &arena, &r, "Ihre Anregung: die Sammlung ist beendet", text) == 0 &&
             requests_audit(
                 db, 0, "participation.request_not_reached", r.id,
                 json_pack("{s:I,s:I}", "supports", (json_int_t)r.support_count, "quorum", (json_int_t)r.quorum), NULL,
                 NULL) == 0 &&
             participation_notify_followers(db, cfg, "request", r.id, "Anregung: Sammlung beendet", text, path) == 0;
    }
    if (requests_finish(db, ok) != 0) {
        snprintf(err, errlen, "cannot close the support period of request %lld: %s", (long long)id, db_errmsg(db));
        arena_clear(&arena);
        return JOBS_RETRY;
    }
    if (closed)
        log_msg(LOG_INFO, "participation request %lld: support period ended below the quorum", (long long)id);
    arena_clear(&arena);
    return 0;
}

int requests_init(void)
{
    if (jobs_register(DEADLINE_JOB, requests_deadline_job) != 0)
        return -1;
    return requests_privacy_register();
}
