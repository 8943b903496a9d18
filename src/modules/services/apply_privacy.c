/* apply_privacy.c — the applications' share of "Meine Daten herunterladen" and of
 * deleting an account (GDPR Art. 15, 17, 20; account.h).
 *
 * The export holds every application of the account with its answers, public
 * history and the list of its files. Deletion removes drafts (nobody else needs
 * them) and cuts the link between the account and the applications it submitted:
 * the office must keep those for as long as the retention rules say, so they stay,
 * without the account, and the citizen is told so.
 */
#include <stdio.h>
#include <string.h>

#include "modules/account/account.h"
#include "modules/services/apply.h"
#include "view/i18n.h"

static const char sql_export_apps[] =
    "SELECT a.id, COALESCE(a.reference, ''), s.slug, s.name, a.status, a.created_at, COALESCE(a.submitted_at, 0),"
    " a.data, a.fee_cents, a.fee_lines FROM applications a JOIN services s ON s.id = a.service_id"
    " WHERE a.user_id = $1 ORDER BY a.id";
static const char sql_export_events[] =
    "SELECT e.application_id, e.at, e.kind, e.to_value, e.text FROM application_events e"
    " JOIN applications a ON a.id = e.application_id WHERE a.user_id = $1 AND e.internal = 0 ORDER BY e.id";
static const char sql_export_files[] =
    "SELECT f.application_id, f.field, f.filename, f.content_type, f.size, f.created_at FROM application_files f"
    " JOIN applications a ON a.id = f.application_id WHERE a.user_id = $1 ORDER BY f.id";

/* The application object of out["applications"] with that id. */
static json_t *find_app(json_t *apps, json_int_t id)
{
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a)
    {
        if (json_integer_value(json_object_get(a, "id")) == id)
            return a;
    }
    return NULL;
}

static int export_data(db_t *db, int64_t user_id, json_t *out)
{
    json_t *apps = json_array();
    json_object_set_new(out, "applications", apps);
    db_stmt_t *st;
    if (db_prepare(db, sql_export_apps, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *answers = json_loads(db_column_text(st, 7), 0, NULL);
        json_t *fees = json_loads(db_column_text(st, 9), 0, NULL);
        json_array_append_new(
            apps,
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:I,s:o,s:[],s:[]}", "id", (json_int_t)db_column_int64(st, 0),
                      "reference", db_column_text(st, 1), "service", db_column_text(st, 2), "service_name",
                      db_column_text(st, 3), "status", db_column_text(st, 4), "created_at",
                      (json_int_t)db_column_int64(st, 5), "submitted_at", (json_int_t)db_column_int64(st, 6), "answers",
                      answers ? answers : json_object(), "fee_cents", (json_int_t)db_column_int64(st, 8), "fee_lines",
                      fees ? fees : json_array(), "history", "files"));
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_export_events, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *a = find_app(apps, (json_int_t)db_column_int64(st, 0));
        if (a)
            json_array_append_new(json_object_get(a, "history"),
                                  json_pack("{s:I,s:s,s:s,s:s}", "at", (json_int_t)db_column_int64(st, 1), "kind",
                                            db_column_text(st, 2), "status", db_column_text(st, 3), "text",
                                            db_column_text(st, 4)));
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_export_files, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *a = find_app(apps, (json_int_t)db_column_int64(st, 0));
        if (a)
            json_array_append_new(json_object_get(a, "files"),
                                  json_pack("{s:s,s:s,s:s,s:I,s:I}", "field", db_column_text(st, 1), "filename",
                                            db_column_text(st, 2), "content_type", db_column_text(st, 3), "size",
                                            (json_int_t)db_column_int64(st, 4), "created_at",
                                            (json_int_t)db_column_int64(st, 5)));
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

static const char sql_count_kept[] = "SELECT COUNT(*) FROM applications WHERE user_id = $1 AND status <> 'entwurf'";
/* In order: drafts go (files, history, Postfach and kept values with them, ON
 * DELETE CASCADE); then the account's traces in what stays are cut. */
static const char *const sql_erase[] = {
    "DELETE FROM applications WHERE user_id = $1 AND status = 'entwurf'",
    "UPDATE application_files SET uploaded_by = NULL WHERE uploaded_by = $1",
    "UPDATE application_events SET actor_id = NULL WHERE actor_id = $1",
    "UPDATE messages SET sender_id = NULL WHERE sender_id = $1",
    "UPDATE applications SET user_id = NULL WHERE user_id = $1",
};

static int erase_data(db_t *db, int64_t user_id, json_t *kept)
{
    int64_t submitted = 0;
    if (db_query_int64_arg(db, sql_count_kept, user_id, &submitted) < 0)
        return -1;
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
    if (submitted > 0)
        json_array_append_new(
            kept, json_string(N_("Ihre eingereichten Anträge bleiben bei der Stadtverwaltung, solange die "
                                 "Aufbewahrungsfristen es verlangen. Sie sind dann nicht mehr mit Ihrem Konto "
                                 "verbunden, und Sie erhalten dazu keine E-Mails mehr. Ihre Entwürfe sind gelöscht.")));
    return 0;
}

const account_data_provider_t apply_data_provider = {
    .module = "antraege",
    .export_data = export_data,
    .erase_data = erase_data,
};
