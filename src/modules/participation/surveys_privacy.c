/* surveys_privacy.c — the share of surveys and events in "Meine Daten
 * herunterladen" and in deleting an account (GDPR Art. 15, 17, 20; account.h).
 *
 * The export lists the account's answer sets with every answer, and its event
 * registrations. Deletion: answer sets stay in the results, but without the
 * person (user_id NULL) — they are anonymous figures of a finished or running
 * consultation, and taking them out would change results already published.
 * Registrations for events still to come are withdrawn (the place becomes
 * free); those of past events stay as a count, without the person.
 */
#include <stdio.h>
#include <time.h>

#include "modules/account/account.h"
#include "modules/participation/surveys_internal.h"
#include "view/i18n.h"

static const char sql_export_responses[] =
    "SELECT r.id, s.id, s.process_id, s.title, r.created_at FROM survey_responses r"
    " JOIN surveys s ON s.id = r.survey_id WHERE r.user_id = $1 ORDER BY r.id";
static const char sql_export_answers[] =
    "SELECT a.response_id, q.text, o.label, COALESCE(a.rating, 0), a.text FROM survey_answers a"
    " JOIN survey_responses r ON r.id = a.response_id JOIN survey_questions q ON q.id = a.question_id"
    " LEFT JOIN survey_options o ON o.id = a.option_id WHERE r.user_id = $1 ORDER BY a.response_id, q.position,"
    " o.position, a.id";
static const char sql_export_registrations[] =
    "SELECT e.id, e.process_id, e.title, e.starts_at, r.status, r.created_at, r.updated_at"
    " FROM participation_event_registrations r JOIN participation_events e ON e.id = r.event_id WHERE r.user_id = $1 "
    "ORDER BY r.id";

int surveys_privacy_export(db_t *db, int64_t user_id, json_t *out)
{
    json_t *responses = json_array(), *registrations = json_array();
    json_t *by_id = json_object(); /* response id → its object, to add the answers */
    json_object_set_new(out, "survey_answers", responses);
    json_object_set_new(out, "event_registrations", registrations);
    db_stmt_t *st;
    int rc = -1;
    if (db_prepare(db, sql_export_responses, &st) != 0)
        goto out;
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = json_pack("{s:I,s:I,s:s,s:I,s:[]}", "survey_id", (json_int_t)db_column_int64(st, 1), "process_id",
                              (json_int_t)db_column_int64(st, 2), "survey", db_column_text(st, 3), "answered_at",
                              (json_int_t)db_column_int64(st, 4), "answers");
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)db_column_int64(st, 0));
        json_object_set(by_id, key, o);
        json_array_append_new(responses, o);
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_export_answers, &st) != 0) {
        rc = -1;
        goto out;
    }
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)db_column_int64(st, 0));
        json_t *answers = json_object_get(json_object_get(by_id, key), "answers");
        json_t *a = json_pack("{s:s}", "question", db_column_text(st, 1));
        if (!db_column_is_null(st, 2))
            json_object_set_new(a, "option", json_string(db_column_text(st, 2)));
        if (db_column_int64(st, 3) > 0)
            json_object_set_new(a, "rating", json_integer(db_column_int64(st, 3)));
        if (!db_column_is_null(st, 4))
            json_object_set_new(a, "text", json_string(db_column_text(st, 4)));
        json_array_append_new(answers, a);
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_export_registrations, &st) != 0) {
        rc = -1;
        goto out;
    }
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            registrations,
            json_pack("{s:I,s:I,s:s,s:I,s:s,s:I,s:I}", "event_id", (json_int_t)db_column_int64(st, 0), "process_id",
                      (json_int_t)db_column_int64(st, 1), "event", db_column_text(st, 2), "starts_at",
                      (json_int_t)db_column_int64(st, 3), "status", db_column_text(st, 4), "registered_at",
                      (json_int_t)db_column_int64(st, 5), "updated_at", (json_int_t)db_column_int64(st, 6)));
    db_reset(st);
    rc = rc == DB_DONE ? 0 : -1;
out:
    json_decref(by_id);
    return rc;
}

/* In order; $1 the account, $2 now (every statement names both, so that one
 * binding fits all: "$2 > 0" is always true). The count goes down while the rows
 * still say which events to count down. */
static const char *const sql_erase[] = {
    "UPDATE survey_responses SET user_id = NULL WHERE user_id = $1 AND $2 > 0",
    /* Parenthesised: one statement over several lines, not several array elements (clang checks). */
    ("UPDATE participation_events SET registered_count = registered_count - 1"
     " WHERE starts_at > $2 AND registered_count > 0"
     " AND id IN (SELECT event_id FROM participation_event_registrations WHERE user_id = $1 AND status = 'angemeldet')"),
    ("DELETE FROM participation_event_registrations WHERE user_id = $1"
     " AND event_id IN (SELECT id FROM participation_events WHERE starts_at > $2)"),
    "UPDATE participation_event_registrations SET user_id = NULL WHERE user_id = $1 AND $2 > 0",
};

int surveys_privacy_erase(db_t *db, int64_t user_id, json_t *kept)
{
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < sizeof sql_erase / sizeof sql_erase[0]; i++) {
        db_stmt_t *st;
        if (db_prepare(db, sql_erase[i], &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        db_bind_int64(st, 2, now);
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    json_array_append_new(
        kept, json_string(
                  N_("Ihre Antworten auf Umfragen in Beteiligungsverfahren: Sie zählen weiter in den Ergebnissen, aber "
                     "ohne Bezug zu Ihrer Person. Ihre Anmeldungen zu kommenden Veranstaltungen sind gelöscht.")));
    return 0;
}

static const account_data_provider_t surveys_provider = {
    .module = "participation_surveys",
    .export_data = surveys_privacy_export,
    .erase_data = surveys_privacy_erase,
};

int surveys_register(void)
{
    return account_register_data_provider(&surveys_provider);
}
