/* requests_privacy.c — the Anregungen's share of "Meine Daten herunterladen" and of
 * deleting an account (GDPR Art. 15, 17, 20; account.h).
 *
 * The export lists the account's Anregungen and the Anregungen it supports.
 * Deletion removes what nobody else relies on yet: Anregungen still in the
 * office's check, and supports of collections still running (counted down, as a
 * withdrawal would). A published Anregung stays public — it is part of a
 * procedure of the city council — but without the author's name, whose
 * publication rested on the author's consent. Supports of collections that have
 * ended stay counted, tied only to the pseudonymous remains of the account.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/account/account.h"
#include "modules/participation/requests_internal.h"
#include "view/i18n.h"

static const char sql_export_requests[] =
    "SELECT id, title, status, author_name, topic, COALESCE(project_id, 0), justification, desired_form,"
    " submitted_at, COALESCE(published_at, 0) FROM participation_requests WHERE author_id = $1 ORDER BY id";
static const char sql_export_supports[] =
    "SELECT s.request_id, r.title, s.created_at FROM participation_request_supports s"
    " JOIN participation_requests r ON r.id = s.request_id WHERE s.user_id = $1 ORDER BY s.request_id";

static int export_data(db_t *db, int64_t user_id, json_t *out)
{
    json_t *requests = json_array(), *supports = json_array();
    json_object_set_new(out, "requests", requests);
    json_object_set_new(out, "supports", supports);
    db_stmt_t *st;
    if (db_prepare(db, sql_export_requests, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            requests,
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:I,s:I}", "id", (json_int_t)db_column_int64(st, 0), "title",
                      db_column_text(st, 1), "status", db_column_text(st, 2), "author_name", db_column_text(st, 3),
                      "topic", db_column_text(st, 4), "project_id", (json_int_t)db_column_int64(st, 5), "justification",
                      db_column_text(st, 6), "desired_form", db_column_text(st, 7), "submitted_at",
                      (json_int_t)db_column_int64(st, 8), "published_at", (json_int_t)db_column_int64(st, 9)));
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_export_supports, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(supports,
                              json_pack("{s:I,s:s,s:I}", "request_id", (json_int_t)db_column_int64(st, 0), "title",
                                        db_column_text(st, 1), "created_at", (json_int_t)db_column_int64(st, 2)));
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

static const char sql_count_kept[] = "SELECT COUNT(*) FROM participation_requests"
                                     " WHERE author_id = $1 AND status <> 'eingereicht'";
/* In order, $1 the account, $2 (where used) now. The count goes down before the supports go,
 * while the rows still say which collections to count down. */
static const char *const sql_erase[] = {
    "DELETE FROM participation_requests WHERE author_id = $1 AND status = 'eingereicht'",
    /* Parenthesised: one statement over two lines, not two array elements (clang checks). */
    ("UPDATE participation_requests SET support_count = support_count - 1"
     " WHERE status = 'sammlung' AND collect_ends_at > $2 AND support_count > 0"
     " AND id IN (SELECT request_id FROM participation_request_supports WHERE user_id = $1)"),
    ("DELETE FROM participation_request_supports WHERE user_id = $1 AND request_id IN"
     " (SELECT id FROM participation_requests WHERE status = 'sammlung' AND collect_ends_at > $2)"),
    "UPDATE participation_requests SET author_id = NULL, author_name = '' WHERE author_id = $1",
    "UPDATE participation_request_history SET actor_id = NULL WHERE actor_id = $1",
};

static int erase_data(db_t *db, int64_t user_id, json_t *kept)
{
    int64_t published = 0;
    if (db_query_int64_arg(db, sql_count_kept, user_id, &published) < 0)
        return -1;
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < sizeof(sql_erase) / sizeof(sql_erase[0]); i++) {
        db_stmt_t *st;
        if (db_prepare(db, sql_erase[i], &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        if (strstr(sql_erase[i], "$2"))
            db_bind_int64(st, 2, now);
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    /* clang-format off */
    if (published > 0)
        json_array_append_new(kept,
                              json_string(N_("Ihre veröffentlichten Anregungen bleiben öffentlich, weil sie zu einem Verfahren des Stadtrats gehören, aber ohne Ihren Namen. Unterstützungen abgeschlossener Sammlungen bleiben gezählt, ohne Ihren Namen.")));
    /* clang-format on */
    return 0;
}

static const account_data_provider_t requests_data_provider = {
    .module = "anregungen",
    .export_data = export_data,
    .erase_data = erase_data,
};

int requests_privacy_register(void)
{
    return account_register_data_provider(&requests_data_provider);
}
