/* passport.c — what is special about the Reisepass: the status lookup without
 * login (/status), the "ready for collection" message, and reminders before a
 * passport expires (job "passport.remind").
 *
 * Status lookup: the application number and the date of birth together open
 * the status label and its date, nothing else (no name, no service details).
 * "No such number" and "wrong date of birth" get the same answer, so the page
 * cannot be used to find out which numbers exist, and lookups are limited per
 * client address (status_lookup_throttle): the date of birth has only about
 * 36,500 plausible values.
 *
 * Reminders: passport_expiries holds the passports we know of: the old one a
 * citizen named in a submitted application (field old_passport_expires, read
 * from applications.data by the job, because submission has no hook), and the
 * new one handed out (stored when the case becomes 'abgeschlossen'). A daily
 * job mails once when a passport expires in at most 4 months and once more at
 * at most 1 month; reminded_*_at make it idempotent, also when two nodes run it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/account.h"
#include "modules/services/appointments.h"
#include "modules/services/internal.h"
#include "modules/services/services.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "view/i18n.h"

#define STATUS_LOOKUP_LIMIT 10         /* lookups per client address … */
#define STATUS_LOOKUP_WINDOW (15 * 60) /* … in this many seconds */
#define REFERENCE_MAX 32               /* characters of a typed application number */
#define REMIND_BATCH 200               /* applications imported per transaction */
#define REMIND_MAX_PER_RUN 5000        /* reminders one run sends at most (the next day goes on) */
#define REMIND_KIND "passport.remind"

static int status_page(http_req_t *req);
static int status_submit(http_req_t *req);

static const route_t passport_routes[] = {
    {"GET", "/status", status_page, NULL, 0, 0},
    {"POST", "/status", status_submit, NULL, 0, 0},
};

const module_t passport_module = {
    .name = "passport",
    .title = N_("Antragsstatus"),
    .summary = N_("Ohne Anmeldung nachsehen, wie weit Ihr Antrag ist: mit Antragsnummer und Geburtsdatum."),
    .home = "/status",
    .nav_hidden = 1, /* the catalogue and "Meine Anträge" lead here */
    .routes = passport_routes,
    .route_count = sizeof(passport_routes) / sizeof(passport_routes[0]),
};

/* ---- the lookup without login ---------------------------------------------------- */

/* Builds the form's fields with the values typed and their errors (may be NULL). */
static void status_fields(http_req_t *req, json_t *model, const char *number, const char *birth,
                          const char *number_error, const char *birth_error)
{
    json_t *f = http_field("antragsnummer", appt_tr(req, N_("Antragsnummer")), number ? number : "", number_error);
    json_object_set_new(
        f, "hint",
        json_string(appt_tr(req, N_("Sie steht auf Ihrer Eingangsbestätigung, zum Beispiel MZ-2026-000123."))));
    json_object_set_new(f, "required", json_true());
    json_object_set_new(f, "autocomplete", json_string("off"));
    json_object_set_new(f, "maxlength", json_integer(REFERENCE_MAX));
    json_object_set_new(model, "f_number", f);
    f = http_field("geburtsdatum", appt_tr(req, N_("Geburtsdatum der Person, für die der Antrag ist")),
                   birth ? birth : "", birth_error);
    json_object_set_new(f, "required", json_true());
    json_object_set_new(f, "autocomplete", json_string("bday"));
    json_object_set_new(model, "f_birth", f);
}

static int status_page(http_req_t *req)
{
    json_t *model = appt_model(req, N_("Wie weit ist mein Antrag?"));
    status_fields(req, model, NULL, NULL, NULL, NULL);
    return http_render(req, 200, "services/passport/status", model);
}

/* "mz-2026-000123 " → "MZ-2026-000123" (arena); NULL when it cannot be a number. */
static const char *normalise_reference(arena_t *arena, const char *text)
{
    if (!text)
        return NULL;
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    if (n != 14)
        return NULL;
    char *out = arena_strndup(arena, text, n);
    for (size_t i = 0; i < n; i++) {
        char c = out[i];
        if (i < 2) {
            if (c >= 'a' && c <= 'z')
                out[i] = (char)(c - 'a' + 'A');
            if (out[i] != "MZ"[i])
                return NULL;
        } else if (i == 2 || i == 7) {
            if (c != '-')
                return NULL;
        } else if (c < '0' || c > '9') {
            return NULL;
        }
    }
    return out;
}

static const char sql_throttle[] = "INSERT INTO status_lookup_throttle (key, window_start, attempts) VALUES ($1, $2, 1)"
                                   " ON CONFLICT (key) DO UPDATE SET"
                                   " attempts = CASE WHEN status_lookup_throttle.window_start <= $3 THEN 1 ELSE "
                                   "status_lookup_throttle.attempts + 1 END,"
                                   " window_start = CASE WHEN status_lookup_throttle.window_start <= $3 THEN $2 ELSE "
                                   "status_lookup_throttle.window_start END"
                                   " RETURNING attempts, window_start";

/* Counts a lookup of this client. Returns 0 when it may go on, the seconds to
 * wait when the address has used up its lookups, < 0 on a database error. */
static int64_t throttle_lookup(http_req_t *req, int64_t now)
{
    char key[80];
    snprintf(key, sizeof(key), "ip:%.64s", req->client_ip ? req->client_ip : "");
    db_stmt_t *st;
    if (db_prepare(req->db, sql_throttle, &st) != 0)
        return -1;
    db_bind_text(st, 1, key, -1);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, now - STATUS_LOOKUP_WINDOW);
    int rc = db_step(st);
    int64_t attempts = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    int64_t window_start = rc == DB_ROW ? db_column_int64(st, 1) : 0;
    db_reset(st);
    if (rc != DB_ROW)
        return -1;
    if (attempts <= STATUS_LOOKUP_LIMIT)
        return 0;
    int64_t wait = window_start + STATUS_LOOKUP_WINDOW - now;
    return wait > 0 ? wait : 1;
}

static const char sql_last_status[] =
    "SELECT MAX(at) FROM application_events WHERE application_id = $1 AND kind = 'status'";

/* 1 when two dates written either way are the same day. */
static int same_date(const char *a, const char *b)
{
    int ay, am, ad, by, bm, bd;
    return fees_parse_date(a, &ay, &am, &ad) == 0 && fees_parse_date(b, &by, &bm, &bd) == 0 && ay == by && am == bm &&
           ad == bd;
}

static int status_submit(http_req_t *req)
{
    const char *typed_number = http_form(req, "antragsnummer");
    const char *typed_birth = http_form(req, "geburtsdatum");
    json_t *model = appt_model(req, N_("Wie weit ist mein Antrag?"));
    const char *number =
        typed_number && strlen(typed_number) <= 64 ? normalise_reference(req->arena, typed_number) : NULL;
    const char *number_error = NULL, *birth_error = NULL;
    int y, m, d;
    if (!typed_number || !*typed_number)
        number_error = appt_error(req, model, "feld-antragsnummer", N_("Bitte geben Sie die Antragsnummer an."));
    else if (!number)
        number_error = appt_error(req, model, "feld-antragsnummer",
                                  N_("Bitte geben Sie die Antragsnummer so an: MZ-2026-000123."));
    if (!typed_birth || !*typed_birth)
        birth_error = appt_error(req, model, "feld-geburtsdatum", N_("Bitte geben Sie das Geburtsdatum an."));
    else if (fees_parse_date(typed_birth, &y, &m, &d) != 0)
        birth_error = appt_error(req, model, "feld-geburtsdatum",
                                 N_("Das Geburtsdatum ist kein gültiges Datum. Bitte geben Sie es so an: 31.12.1990."));
    /* Keep what was typed, but never more than the field can hold. */
    const char *keep_number = typed_number && strlen(typed_number) <= 64 ? typed_number : "";
    const char *keep_birth = typed_birth && strlen(typed_birth) <= 32 ? typed_birth : "";
    status_fields(req, model, keep_number, keep_birth, number_error, birth_error);
    if (number_error || birth_error)
        return http_render(req, 422, "services/passport/status", model);

    int64_t now = (int64_t)time(NULL);
    int64_t wait = throttle_lookup(req, now);
    if (wait < 0) {
        json_decref(model);
        return 503;
    }
    if (wait > 0) {
        json_object_set_new(model, "wait_minutes", json_integer((wait + 59) / 60));
        appt_alert(req, model, "danger",
                   N_("Sie haben zu oft hintereinander gesucht. Bitte warten Sie einige Minuten und versuchen Sie es "
                      "dann noch einmal."));
        char retry[24];
        snprintf(retry, sizeof(retry), "%lld", (long long)wait);
        http_add_header(req, "retry-after", retry);
        return http_render(req, 429, "services/passport/status", model);
    }
    application_t app;
    int rc = application_load_by_reference(req->db, req->arena, number, &app);
    if (rc < 0) {
        json_decref(model);
        return 503;
    }
    /* One answer for "no such number" and "wrong date of birth". */
    if (rc > 0 || app.submitted_at == 0 || !app.birth_date[0] || !same_date(app.birth_date, typed_birth)) {
        json_object_set_new(model, "not_found", json_true());
        return http_render(req, 200, "services/passport/status", model);
    }
    int64_t since = 0;
    if (db_query_int64_arg(req->db, sql_last_status, app.id, &since) < 0) {
        json_decref(model);
        return 503;
    }
    if (since <= 0)
        since = app.submitted_at;
    json_object_set_new(model, "result",
                        json_pack("{s:s,s:s,s:s}", "reference", app.reference, "status",
                                  appt_tr(req, workflow_status_label(app.workflow, app.status)), "since",
                                  application_date(req->arena, since, 0)));
    return http_render(req, 200, "services/passport/status", model);
}

/* ---- when a passport case changes ------------------------------------------------------ */

static const char sql_unit_contact[] = "SELECT name, address, phone, opening_hours FROM units WHERE id = $1";

/* The Postfach message "ready for collection", with where and when. */
static int post_ready(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_unit_contact, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app->unit_id);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        return -1;
    }
    const char *unit = arena_strdup(arena, db_column_text(st, 0));
    const char *address = arena_strdup(arena, db_column_text(st, 1));
    const char *phone = arena_strdup(arena, db_column_text(st, 2));
    const char *hours = arena_strdup(arena, db_column_text(st, 3));
    db_reset(st);
    const char *body = arena_printf(
        arena,
        "Guten Tag,\n\nIhr Reisepass ist fertig. Er liegt zur Abholung bereit.\n\n"
        "Bitte holen Sie ihn persönlich ab und bringen Sie Ihren bisherigen Reisepass oder Personalausweis mit. "
        "Für ein Kind holt ein Elternteil den Pass ab.\n\n"
        "Wo: %s%s%s%s%s\n\n"
        "Öffnungszeiten:\n%s\n\n"
        "Sie können für die Abholung auch einen Termin buchen:\n%s/termine/buchen?leistung=%s&antrag=%lld\n\n"
        "Mit freundlichen Grüßen\nIhr %s",
        unit, *address ? "\n" : "", address, *phone ? "\nTelefon: " : "", phone,
        *hours ? hours : "Die Öffnungszeiten finden Sie auf der Seite der Leistung.", cfg->base_url, app->service_slug,
        (long long)app->id, unit);
    int64_t id = postfach_post(db, cfg, arena, app->id, 1, 0, "Ihr Reisepass liegt zur Abholung bereit", body, 0);
    return id > 0 ? 0 : -1;
}

/* y-m-d plus months, the day kept or moved back to the month's last day
 * (31 March + 1 month = 30 April), as "yyyy-mm-dd" into out[11]. */
static void add_months(int y, int m, int d, int months, char out[11])
{
    int total = y * 12 + (m - 1) + months;
    /* The target month's last day is day 0 of the month after it. */
    struct tm last = {
        .tm_year = total / 12 - 1900, .tm_mon = total % 12 + 1, .tm_mday = 0, .tm_hour = 12, .tm_isdst = -1};
    mktime(&last);
    struct tm tm = {.tm_year = total / 12 - 1900,
                    .tm_mon = total % 12,
                    .tm_mday = d < last.tm_mday ? d : last.tm_mday,
                    .tm_hour = 12,
                    .tm_isdst = -1};
    mktime(&tm);
    if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
        out[0] = '\0';
}

static const char sql_store_issued[] =
    "INSERT INTO passport_expiries (user_id, application_id, source, expires_on, created_at)"
    " VALUES ($1, $2, 'ausgabe', $3, $4) ON CONFLICT (application_id, source) DO UPDATE SET expires_on = $3,"
    " superseded_at = NULL RETURNING id";
static const char sql_supersede[] =
    "UPDATE passport_expiries SET superseded_at = $3 WHERE user_id = $1 AND id <> $2 AND superseded_at IS NULL";

/* Stores the expiry of the passport handed out now: 10 years, 6 for someone
 * under 24 on the day of issue (PassG § 5), the day before the anniversary. */
static int store_issued(db_t *db, const application_t *app)
{
    if (app->user_id == 0)
        return 0;
    char today[11];
    appt_iso_date((int64_t)time(NULL), today);
    const char *birth = app->birth_date;
    json_t *data = NULL;
    if (!birth[0]) {
        data = json_loads(app->data, 0, NULL);
        birth = json_string_value(json_object_get(data, "birth_date"));
    }
    int age = 0;
    int known = birth && fees_age_on(birth, today, &age) == 0;
    json_decref(data);
    if (!known) {
        log_kv(LOG_WARN, "passport handed out without a usable birth date: no expiry reminder", "application",
               app->reference, NULL);
        return 0;
    }
    int y, m, d;
    fees_parse_date(today, &y, &m, &d);
    /* Valid until the day before the 6th or 10th anniversary of the issue. */
    char expiry[11];
    add_months(y, m, d, (age < 24 ? 6 : 10) * 12, expiry);
    int64_t t = appt_day_start(expiry);
    if (t > 0)
        appt_iso_date(t - 12 * 3600, expiry);
    int64_t now = (int64_t)time(NULL);
    db_stmt_t *st;
    if (db_prepare(db, sql_store_issued, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app->user_id);
    db_bind_int64(st, 2, app->id);
    db_bind_text(st, 3, expiry, -1);
    db_bind_int64(st, 4, now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW)
        return -1;
    if (db_prepare(db, sql_supersede, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app->user_id);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int passport_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *from,
                            const char *to)
{
    if (!strcmp(to, "abholbereit"))
        return post_ready(db, cfg, arena, app);
    if (!strcmp(to, "abgeschlossen"))
        return store_issued(db, app);
    return 0;
}

/* ---- reminders ------------------------------------------------------------------------- */

static const char sql_to_import[] =
    "SELECT a.id, a.user_id, a.data FROM applications a JOIN services s ON s.id = a.service_id"
    " WHERE s.workflow = 'reisepass' AND a.submitted_at IS NOT NULL AND a.user_id IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM passport_expiries p WHERE p.application_id = a.id AND p.source = 'antrag')"
    " ORDER BY a.id LIMIT 200";
/* '' when the application named no (valid) date: the row still records that
 * it was read. */
static const char sql_import[] =
    "INSERT INTO passport_expiries (user_id, application_id, source, expires_on, created_at)"
    " VALUES ($1, $2, 'antrag', $3, $4) ON CONFLICT (application_id, source) DO NOTHING";
/* The old passport is replaced at once when the new one was handed out already. */
static const char sql_import_superseded[] =
    "UPDATE passport_expiries SET superseded_at = $2 WHERE application_id = $1 AND source = 'antrag'"
    " AND superseded_at IS NULL AND EXISTS (SELECT 1 FROM passport_expiries q WHERE q.application_id = $1"
    " AND q.source = 'ausgabe')";

/* Reads old_passport_expires from submitted passport applications not read yet. */
static int import_old_passports(db_t *db, arena_t *arena, int64_t now)
{
    for (int batch = 0; batch < 100; batch++) {
        struct row {
            int64_t app_id, user_id;
            const char *expires;
        } rows[REMIND_BATCH];
        size_t n = 0;
        if (db_begin_write(db) != 0)
            return -1;
        db_stmt_t *st;
        if (db_prepare(db, sql_to_import, &st) != 0)
            goto fail;
        int rc = DB_DONE;
        while (n < REMIND_BATCH && (rc = db_step(st)) == DB_ROW) {
            rows[n].app_id = db_column_int64(st, 0);
            rows[n].user_id = db_column_int64(st, 1);
            /* The answers are JSON written by the form code; read in C (jansson),
             * so both engines see the same. */
            json_t *data = json_loads(db_column_text(st, 2), 0, NULL);
            const char *v = json_string_value(json_object_get(data, "old_passport_expires"));
            int y, m, d;
            rows[n].expires = "";
            if (v && fees_parse_date(v, &y, &m, &d) == 0)
                rows[n].expires = arena_printf(arena, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
            json_decref(data);
            n++;
        }
        db_reset(st);
        if (rc < 0)
            goto fail;
        for (size_t i = 0; i < n; i++) {
            if (db_prepare(db, sql_import, &st) != 0)
                goto fail;
            db_bind_int64(st, 1, rows[i].user_id);
            db_bind_int64(st, 2, rows[i].app_id);
            db_bind_text(st, 3, rows[i].expires, -1);
            db_bind_int64(st, 4, now);
            rc = db_step(st);
            db_reset(st);
            if (rc != DB_DONE || db_prepare(db, sql_import_superseded, &st) != 0)
                goto fail;
            db_bind_int64(st, 1, rows[i].app_id);
            db_bind_int64(st, 2, now);
            rc = db_step(st);
            db_reset(st);
            if (rc != DB_DONE)
                goto fail;
        }
        if (db_commit(db) != 0)
            goto fail;
        if (n < REMIND_BATCH)
            return 0;
    }
    return 0;
fail:
    db_rollback(db);
    return -1;
}

static const char sql_due[] =
    "SELECT p.id, p.expires_on, COALESCE(p.reminded_4m_at, 0), COALESCE(p.reminded_1m_at, 0), p.source, a.status,"
    " s.workflow, s.slug, u.email FROM passport_expiries p JOIN users u ON u.id = p.user_id"
    " JOIN applications a ON a.id = p.application_id JOIN services s ON s.id = a.service_id"
    " WHERE p.superseded_at IS NULL AND p.expires_on >= $1 AND p.expires_on <= $2"
    " AND (p.reminded_4m_at IS NULL OR (p.reminded_1m_at IS NULL AND p.expires_on <= $3))"
    " AND u.deleted_at IS NULL AND u.blocked_at IS NULL AND u.email <> '' ORDER BY p.id LIMIT 5000";
static const char sql_claim_1m[] =
    "UPDATE passport_expiries SET reminded_1m_at = $2, reminded_4m_at = COALESCE(reminded_4m_at, $2)"
    " WHERE id = $1 AND reminded_1m_at IS NULL";
static const char sql_claim_4m[] =
    "UPDATE passport_expiries SET reminded_4m_at = $2 WHERE id = $1 AND reminded_4m_at IS NULL";
static const char sql_throttle_cleanup[] = "DELETE FROM status_lookup_throttle WHERE window_start < $1";

typedef struct due {
    int64_t id;
    int last_month; /* the "at most 1 month" reminder */
    const char *expires_on;
    const char *slug;
    const char *email;
} due_t;

/* Mails one reminder, once: the claim (an UPDATE of a still-empty reminded_*_at)
 * and the mail commit together. Returns 1 when sent, 0 when someone else did, < 0. */
static int send_reminder(db_t *db, const config_t *cfg, arena_t *arena, const due_t *r, int64_t now)
{
    if (db_begin_write(db) != 0)
        return -1;
    db_stmt_t *st;
    if (db_prepare(db, r->last_month ? sql_claim_1m : sql_claim_4m, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, now);
    int rc = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (changed == 0) {
        db_rollback(db);
        return 0;
    }
    int y, m, d;
    fees_parse_date(r->expires_on, &y, &m, &d);
    const char *date = arena_printf(arena, "%02d.%02d.%04d", d % 100, m % 100, y % 10000);
    const char *subject = arena_printf(arena, "Ihr Reisepass läuft am %s ab", date);
    const char *body = arena_printf(
        arena,
        "Guten Tag,\n\nIhr Reisepass ist nur noch bis zum %s gültig.\n\n"
        "Für viele Reiseländer muss ein Pass noch einige Monate über das Ende der Reise hinaus gültig sein. "
        "Ein neuer Pass braucht etwa 3 bis 4 Wochen. Beantragen Sie ihn deshalb rechtzeitig:\n%s/leistungen/%s\n\n"
        "Einen Termin im Bürgeramt buchen Sie hier:\n%s/termine/buchen?leistung=%s\n\n"
        "Sie bekommen diese Erinnerung, weil Sie das Ablaufdatum Ihres Passes in einem Antrag angegeben oder "
        "Ihren Pass bei uns abgeholt haben.\n\n"
        "Mit freundlichen Grüßen\nIhr digitales Rathaus %s\n\n"
        "-- \nYour passport expires on %s. Please apply for a new one in time: %s/leistungen/%s\n",
        date, cfg->base_url, r->slug, cfg->base_url, r->slug, cfg->city_name, r->expires_on, cfg->base_url, r->slug);
    if (mail_queue(db, r->email, subject, body) <= 0)
        goto fail;
    if (db_commit(db) != 0)
        goto fail;
    return 1;
fail:
    db_rollback(db);
    return -1;
}

int passport_remind_run(db_t *db, const config_t *cfg, int64_t now, int *sent)
{
    *sent = 0;
    arena_t arena;
    arena_init(&arena);
    int rc = -1;
    if (import_old_passports(db, &arena, now) != 0)
        goto out;
    char today[11], in_4m[11], in_1m[11];
    appt_iso_date(now, today);
    int y, m, d;
    if (fees_parse_date(today, &y, &m, &d) != 0)
        goto out;
    add_months(y, m, d, 4, in_4m);
    add_months(y, m, d, 1, in_1m);

    due_t *list = arena_alloc(&arena, REMIND_MAX_PER_RUN * sizeof(*list));
    size_t n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_due, &st) != 0)
        goto out;
    db_bind_text(st, 1, today, -1);
    db_bind_text(st, 2, in_4m, -1);
    db_bind_text(st, 3, in_1m, -1);
    int step = DB_DONE;
    while (n < REMIND_MAX_PER_RUN && (step = db_step(st)) == DB_ROW) {
        const char *expires = db_column_text(st, 1);
        /* An old passport named in an application still on its way: the new
         * passport is coming, a reminder would only confuse. */
        if (!strcmp(db_column_text(st, 4), "antrag") &&
            !workflow_is_final(db_column_text(st, 6), db_column_text(st, 5)))
            continue;
        due_t *r = &list[n++];
        r->id = db_column_int64(st, 0);
        r->expires_on = arena_strdup(&arena, expires);
        r->last_month = strcmp(expires, in_1m) <= 0 && db_column_int64(st, 3) == 0;
        r->slug = arena_strdup(&arena, db_column_text(st, 7));
        r->email = arena_strdup(&arena, db_column_text(st, 8));
    }
    db_reset(st);
    if (step < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        int r = send_reminder(db, cfg, &arena, &list[i], now);
        if (r < 0)
            goto out;
        *sent += r;
    }
    /* Old lookup counts are of no use any more. */
    if (db_prepare(db, sql_throttle_cleanup, &st) != 0)
        goto out;
    db_bind_int64(st, 1, now - STATUS_LOOKUP_WINDOW);
    step = db_step(st);
    db_reset(st);
    rc = step == DB_DONE ? 0 : -1;
out:
    arena_clear(&arena);
    return rc;
}

static const char sql_pending_any[] = "SELECT count(*) FROM jobs WHERE kind = $1 AND done_at IS NULL";
static const char sql_pending_later[] = "SELECT count(*) FROM jobs WHERE kind = $1 AND done_at IS NULL AND run_at > $2";

int passport_schedule_reminders(db_t *db, int64_t now)
{
    int64_t pending = 0;
    if (db_query_int64_text(db, sql_pending_any, REMIND_KIND, NULL, &pending) < 0)
        return -1;
    if (pending > 0)
        return 0;
    return jobs_enqueue(db, REMIND_KIND, "{}", now) > 0 ? 0 : -1;
}

/* The next run: 05:00 local time on the next day, unless one is waiting already. */
static int schedule_next(db_t *db, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_pending_later, &st) != 0)
        return -1;
    db_bind_text(st, 1, REMIND_KIND, -1);
    db_bind_int64(st, 2, now);
    int rc = db_step(st);
    int64_t later = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW)
        return -1;
    if (later > 0)
        return 0;
    char tomorrow[11];
    appt_iso_date(now + 86400, tomorrow);
    int64_t at = appt_day_start(tomorrow);
    if (at < 0)
        return -1;
    return jobs_enqueue(db, REMIND_KIND, "{}", at + 5 * 3600) > 0 ? 0 : -1;
}

static int remind_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    int64_t now = jobs_now();
    int sent = 0;
    int rc = passport_remind_run(db, cfg, now, &sent);
    /* The chain goes on whatever this run found: a failed run is retried by the
     * queue, and tomorrow's run is there in any case. */
    int next = schedule_next(db, now);
    if (sent > 0)
        jobs_wake();
    if (rc != 0 || next != 0) {
        snprintf(err, errlen, "passport reminders: %s", db_errmsg(db));
        return JOBS_RETRY;
    }
    return 0;
}

/* ---- the privacy export and deletion of this part ------------------------------------ */

static const char sql_export_bookings[] =
    "SELECT sl.starts_at, sl.ends_at, sl.counter, s.name, b.status, b.created_at FROM appointment_bookings b"
    " JOIN appointment_slots sl ON sl.id = b.slot_id JOIN services s ON s.id = b.service_id"
    " WHERE b.user_id = $1 ORDER BY b.id";
static const char sql_export_passports[] =
    "SELECT source, expires_on, COALESCE(reminded_4m_at, 0), COALESCE(reminded_1m_at, 0) FROM passport_expiries"
    " WHERE user_id = $1 AND expires_on <> '' ORDER BY id";

static int export_data(db_t *db, int64_t user_id, json_t *out)
{
    json_t *bookings = json_array(), *passports = json_array();
    json_object_set_new(out, "appointments",
                        json_pack("{s:o,s:o}", "bookings", bookings, "passport_expiries", passports));
    db_stmt_t *st;
    if (db_prepare(db, sql_export_bookings, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(bookings,
                              json_pack("{s:I,s:I,s:s,s:s,s:s,s:I}", "starts_at", (json_int_t)db_column_int64(st, 0),
                                        "ends_at", (json_int_t)db_column_int64(st, 1), "counter", db_column_text(st, 2),
                                        "service", db_column_text(st, 3), "status", db_column_text(st, 4), "booked_at",
                                        (json_int_t)db_column_int64(st, 5)));
    db_reset(st);
    if (rc < 0 || db_prepare(db, sql_export_passports, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(passports,
                              json_pack("{s:s,s:s,s:I,s:I}", "source", db_column_text(st, 0), "expires_on",
                                        db_column_text(st, 1), "reminded_4m_at", (json_int_t)db_column_int64(st, 2),
                                        "reminded_1m_at", (json_int_t)db_column_int64(st, 3)));
    db_reset(st);
    return rc < 0 ? -1 : 0;
}

/* Future places are given back before the bookings go; nothing here is a
 * record a law requires to keep. */
static const char sql_erase_places[] =
    "UPDATE appointment_slots SET booked = booked - (SELECT count(*) FROM appointment_bookings b"
    " WHERE b.slot_id = appointment_slots.id AND b.user_id = $1 AND b.status = 'gebucht')"
    " WHERE id IN (SELECT slot_id FROM appointment_bookings WHERE user_id = $1 AND status = 'gebucht')";
static const char sql_erase_bookings[] = "DELETE FROM appointment_bookings WHERE user_id = $1";
static const char sql_erase_passports[] = "DELETE FROM passport_expiries WHERE user_id = $1";
static const char *const sql_erase[] = {sql_erase_places, sql_erase_bookings, sql_erase_passports};

static int erase_data(db_t *db, int64_t user_id, json_t *kept)
{
    for (size_t i = 0; i < sizeof(sql_erase) / sizeof(sql_erase[0]); i++) {
        db_stmt_t *st;
        if (db_prepare(db, sql_erase[i], &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    return 0;
}

static const account_data_provider_t privacy_provider = {"appointments", export_data, erase_data};

/* Start-up of this part: the reminder job and the privacy hooks of the
 * bookings and stored passports. services_init calls it once. */
int passport_init(void)
{
    if (jobs_register(REMIND_KIND, remind_job) != 0)
        return -1;
    return account_register_data_provider(&privacy_provider);
}
