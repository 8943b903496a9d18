/* application.c — what every part of the services module needs about one
 * application: loading it with its service, who may see it, its history, its
 * reference number, the e-mail that says "something new is waiting".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/services/internal.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

/* The columns read_row reads, in its order. */
#define APP_SELECT                                                                                          \
    "SELECT a.id, a.service_id, a.form_id, a.unit_id, COALESCE(a.user_id, 0), COALESCE(a.assigned_to, 0),"  \
    " a.fee_cents, COALESCE(a.paid_at, 0), COALESCE(a.deadline_at, 0), COALESCE(a.resubmit_at, 0),"         \
    " a.created_at, COALESCE(a.submitted_at, 0), a.updated_at, COALESCE(a.closed_at, 0), a.step,"           \
    " COALESCE(a.approval_requested_by, 0), s.four_eyes, s.min_trust, COALESCE(a.reference, ''), a.status," \
    " a.data, a.summary, a.birth_date, a.fee_lines, a.payment_method, a.decision, a.approval_status,"      \
    " s.slug, s.name, s.workflow, u.name, s.appointments"                                                   \
    " FROM applications a JOIN services s ON s.id = a.service_id JOIN units u ON u.id = a.unit_id"

static const char sql_load_by_id[] = APP_SELECT " WHERE a.id = $1";
static const char sql_load_by_ref[] = APP_SELECT " WHERE a.reference = $1";

static int read_row(db_stmt_t *st, arena_t *arena, application_t *a)
{
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? 1 : -1;
    }
    int64_t *ints[] = {&a->id, &a->service_id, &a->form_id, &a->unit_id, &a->user_id, &a->assigned_to,
                       &a->fee_cents, &a->paid_at, &a->deadline_at, &a->resubmit_at, &a->created_at,
                       &a->submitted_at, &a->updated_at, &a->closed_at, &a->step, &a->approval_requested_by};
    int col = 0;
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        *ints[i] = db_column_int64(st, col++);
    a->four_eyes = (int)db_column_int64(st, col++);
    a->min_trust = (int)db_column_int64(st, col++);
    const char **texts[] = {&a->reference, &a->status,  &a->data,           &a->summary,  &a->birth_date,
                            &a->fee_lines, &a->payment_method, &a->decision, &a->approval_status,
                            &a->service_slug, &a->service_name, &a->workflow, &a->unit_name};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *t = db_column_text(st, col++);
        *texts[i] = arena_strdup(arena, t ? t : "");
        if (!*texts[i]) {
            db_reset(st);
            return -1;
        }
    }
    a->appointments = (int)db_column_int64(st, col++);
    db_reset(st);
    return 0;
}

int application_load(db_t *db, arena_t *arena, int64_t id, application_t *out)
{
    memset(out, 0, sizeof(*out));
    db_stmt_t *st;
    if (db_prepare(db, sql_load_by_id, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    return read_row(st, arena, out);
}

int application_load_by_reference(db_t *db, arena_t *arena, const char *reference, application_t *out)
{
    memset(out, 0, sizeof(*out));
    db_stmt_t *st;
    if (db_prepare(db, sql_load_by_ref, &st) != 0)
        return -1;
    db_bind_text(st, 1, reference, -1);
    return read_row(st, arena, out);
}

int application_is_own(const http_req_t *req, const application_t *app)
{
    return req->user && app->user_id != 0 && req->user->id == app->user_id;
}

int application_staff_may(const http_req_t *req, const application_t *app, const char *permission)
{
    return req->user && auth_has_permission_in_unit(req, permission, app->unit_id);
}

static const char sql_event[] =
    "INSERT INTO application_events (application_id, at, actor_id, kind, from_value, to_value, text, internal)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

int application_event(db_t *db, int64_t app_id, int64_t actor_id, const char *kind, const char *from,
                      const char *to, const char *text, int internal)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_event, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app_id);
    db_bind_int64(st, 2, (int64_t)time(NULL));
    if (actor_id > 0)
        db_bind_int64(st, 3, actor_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, kind, -1);
    db_bind_text(st, 5, from ? from : "", -1);
    db_bind_text(st, 6, to ? to : "", -1);
    db_bind_text(st, 7, text ? text : "", -1);
    db_bind_int64(st, 8, internal ? 1 : 0);
    int rc = db_step(st) == DB_DONE ? 0 : -1;
    db_reset(st);
    return rc;
}

/* One row per year; ON CONFLICT makes the first number of a year race-free, and
 * the row lock held until commit makes numbers gap-free and unique. */
static const char sql_next_ref[] =
    "INSERT INTO reference_counters (prefix, last_value) VALUES ($1, 1)"
    " ON CONFLICT (prefix) DO UPDATE SET last_value = reference_counters.last_value + 1"
    " RETURNING last_value";

const char *application_next_reference(db_t *db, arena_t *arena, int64_t now)
{
    time_t t = (time_t)now;
    struct tm tm;
    localtime_r(&t, &tm);
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "MZ-%04d", tm.tm_year + 1900);
    db_stmt_t *st;
    if (db_prepare(db, sql_next_ref, &st) != 0)
        return NULL;
    db_bind_text(st, 1, prefix, -1);
    const char *ref = NULL;
    if (db_step(st) == DB_ROW)
        ref = arena_printf(arena, "%s-%06lld", prefix, (long long)db_column_int64(st, 0));
    db_reset(st);
    return ref;
}

static const char sql_applicant[] =
    "SELECT email FROM users WHERE id = $1 AND deleted_at IS NULL AND blocked_at IS NULL AND email <> ''";

int application_notify(db_t *db, const config_t *cfg, const application_t *app, const char *path)
{
    if (app->user_id == 0)
        return 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_applicant, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app->user_id);
    char to[320] = "";
    int rc = db_step(st);
    if (rc == DB_ROW)
        snprintf(to, sizeof(to), "%s", db_column_text(st, 0));
    db_reset(st);
    if (rc == DB_DONE)
        return 0; /* the account is gone or blocked: nobody to tell */
    if (rc != DB_ROW)
        return -1;
    /* Only a link: what the office wrote stays behind the login (e-mail is not
     * a safe channel for case content). The account's language is not stored
     * yet, so the mail is German with an English line. */
    char body[2048];
    snprintf(body, sizeof(body),
             "Guten Tag,\n\nzu Ihrem Antrag %s (%s) gibt es Neues in Ihrem Postfach:\n\n%s%s\n\n"
             "Mit freundlichen Grüßen\nIhr digitales Rathaus %s\n\n"
             "-- \nThere is news about your application %s in your postbox: %s%s\n",
             app->reference, app->service_name, cfg->base_url, path, cfg->city_name, app->reference,
             cfg->base_url, path);
    char subject[256];
    snprintf(subject, sizeof(subject), "Neues zu Ihrem Antrag %s – Digitales Rathaus %s", app->reference,
             cfg->city_name);
    if (mail_queue(db, to, subject, body) < 0)
        return -1;
    jobs_wake();
    return 0;
}

const char *application_money(arena_t *arena, int64_t cents, const char *lang)
{
    const char *sign = cents < 0 ? "-" : "";
    long long v = cents < 0 ? -(long long)cents : (long long)cents;
    if (lang && strcmp(lang, "en") == 0)
        return arena_printf(arena, "%s€%lld.%02lld", sign, v / 100, v % 100);
    return arena_printf(arena, "%s%lld,%02lld €", sign, v / 100, v % 100);
}

const char *application_date(arena_t *arena, int64_t t, int with_time)
{
    if (t <= 0)
        return "";
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    char out[32];
    if (with_time)
        strftime(out, sizeof(out), "%d.%m.%Y, %H:%M", &tm);
    else
        strftime(out, sizeof(out), "%d.%m.%Y", &tm);
    return arena_strdup(arena, out);
}
