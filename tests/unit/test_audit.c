/* test_audit.c — the audit log: every call leaves exactly the row it should.
 *
 * Runs every test on SQLite (a temporary file) and, when RATHAUS_TEST_PG_URL is set,
 * on PostgreSQL (a fresh database per test, dropped afterwards), each with the real
 * migrations applied.
 */
/* cmocka needs these three first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/utf8.h"
#include "db/db.h"
#include "db/migrate.h"
#include "platform/audit.h"

#include "fixture_db.h" /* a fresh migrated database per test, on both engines */

/* ---- helpers ---- */

typedef struct audit_row {
    int64_t at;
    char actor[2048], action[2048], object[2048], ip[2048], request_id[2048];
    char detail[64 * 1024];
} audit_row_t;

static const char sql_last_row[] = "SELECT at, actor, action, object, detail, ip, request_id FROM audit_log "
                                   "ORDER BY id DESC LIMIT 1";

/* Reads the newest audit row into *r; fails the test when there is none. */
static void last_row(db_t *db, audit_row_t *r)
{
    db_stmt_t *st = NULL;
    assert_int_equal(db_prepare(db, sql_last_row, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    r->at = db_column_int64(st, 0);
    snprintf(r->actor, sizeof(r->actor), "%s", db_column_text(st, 1));
    snprintf(r->action, sizeof(r->action), "%s", db_column_text(st, 2));
    snprintf(r->object, sizeof(r->object), "%s", db_column_text(st, 3));
    snprintf(r->detail, sizeof(r->detail), "%s", db_column_text(st, 4));
    snprintf(r->ip, sizeof(r->ip), "%s", db_column_text(st, 5));
    snprintf(r->request_id, sizeof(r->request_id), "%s", db_column_text(st, 6));
    db_reset(st);
}

static int64_t row_count(db_t *db)
{
    static const char sql_count[] = "SELECT count(*) FROM audit_log";
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql_count, &n), 0);
    return n;
}

/* Parses a stored detail; it must always be a JSON object. Caller decrefs. */
static json_t *detail_json(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j))
        fail_msg("detail is not a JSON object: %s", text);
    return j;
}

/* ---- tests ---- */

static void test_row_written(void **state)
{
    fixture_db_t *f = *state;
    audit_row_t *r = malloc(sizeof(*r));
    int64_t before = (int64_t)time(NULL);
    assert_int_equal(audit_log(f->db, "user:42", "user.login", "user:42", "{\"method\": \"password\", \"totp\": true}",
                               "192.0.2.1", "req-7f3a"),
                     0);
    last_row(f->db, r);
    assert_true(r->at >= before && r->at <= (int64_t)time(NULL));
    assert_string_equal(r->actor, "user:42");
    assert_string_equal(r->action, "user.login");
    assert_string_equal(r->object, "user:42");
    assert_string_equal(r->ip, "192.0.2.1");
    assert_string_equal(r->request_id, "req-7f3a");
    json_t *d = detail_json(r->detail);
    assert_string_equal(json_string_value(json_object_get(d, "method")), "password");
    assert_true(json_is_true(json_object_get(d, "totp")));
    json_decref(d);

    /* Append-only: a second entry is a second row, the first stays as it was. */
    assert_int_equal(audit_log(f->db, "system", "config.change", "", "{}", "", ""), 0);
    assert_int_equal(row_count(f->db), 2);
    free(r);
}

static void test_null_arguments(void **state)
{
    fixture_db_t *f = *state;
    audit_row_t *r = malloc(sizeof(*r));
    assert_int_equal(audit_log(f->db, NULL, "cli.backup", NULL, NULL, NULL, NULL), 0);
    last_row(f->db, r);
    assert_string_equal(r->actor, "");
    assert_string_equal(r->action, "cli.backup");
    assert_string_equal(r->object, "");
    assert_string_equal(r->detail, "{}");
    assert_string_equal(r->ip, "");
    assert_string_equal(r->request_id, "");
    /* An empty detail is no detail, not a raw "". */
    assert_int_equal(audit_log(f->db, "cli", "cli.backup", "", "", "", ""), 0);
    last_row(f->db, r);
    assert_string_equal(r->detail, "{}");
    free(r);
}

static void test_detail_not_object_kept_raw(void **state)
{
    fixture_db_t *f = *state;
    audit_row_t *r = malloc(sizeof(*r));
    static const char *const inputs[] = {
        "[1, 2]", "not json", "\"a string\"", "42", "{\"a\": 1, \"a\": 2}", "{\"open\": ",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        assert_int_equal(audit_log(f->db, "user:1", "test.raw", "", inputs[i], "", ""), 0);
        last_row(f->db, r);
        json_t *d = detail_json(r->detail);
        assert_string_equal(json_string_value(json_object_get(d, "raw")), inputs[i]);
        assert_int_equal(json_object_size(d), 1);
        json_decref(d);
    }
    assert_int_equal(row_count(f->db), 6);
    free(r);
}

static void test_invalid_utf8_replaced(void **state)
{
    fixture_db_t *f = *state;
    audit_row_t *r = malloc(sizeof(*r));
    /* From a hostile request: broken UTF-8 in a header and in the detail. */
    assert_int_equal(
        audit_log(f->db, "user:\xff", "user.login_failed", "x\xc3", "bad \xc0\xaf json", "10.0.0.1", "id\xed\xa0\x80"),
        0);
    last_row(f->db, r);
    assert_string_equal(r->actor, "user:\xEF\xBF\xBD");
    assert_string_equal(r->object, "x\xEF\xBF\xBD");
    assert_string_equal(r->request_id, "id\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    json_t *d = detail_json(r->detail);
    assert_string_equal(json_string_value(json_object_get(d, "raw")), "bad \xEF\xBF\xBD\xEF\xBF\xBD json");
    json_decref(d);
    free(r);
}

static void test_limits(void **state)
{
    fixture_db_t *f = *state;
    audit_row_t *r = malloc(sizeof(*r));
    char *long_actor = malloc(4001);
    char *long_detail = malloc(40 * 1024);
    size_t n;

    /* 2000 × "ä" (4000 bytes): cut to at most 512 bytes on a character boundary. */
    for (int i = 0; i < 2000; i++)
        memcpy(long_actor + 2 * i, "\xC3\xA4", 2);
    long_actor[4000] = '\0';
    assert_int_equal(audit_log(f->db, long_actor, "test.limit", "", "{}", "", ""), 0);
    last_row(f->db, r);
    assert_int_equal(strlen(r->actor), AUDIT_FIELD_MAX);
    assert_true(utf8_valid(r->actor, strlen(r->actor)));

    /* A detail object too large to keep whole: kept as a marked prefix. */
    n = (size_t)snprintf(long_detail, 40 * 1024, "{\"text\": \"");
    while (n < 30 * 1024)
        long_detail[n++] = 'x';
    memcpy(long_detail + n, "\"}", 3);
    assert_int_equal(audit_log(f->db, "user:1", "test.limit", "", long_detail, "", ""), 0);
    last_row(f->db, r);
    assert_true(strlen(r->detail) <= AUDIT_DETAIL_MAX);
    json_t *d = detail_json(r->detail);
    assert_true(json_is_true(json_object_get(d, "truncated")));
    const char *raw = json_string_value(json_object_get(d, "raw"));
    assert_non_null(raw);
    assert_int_equal(strncmp(raw, long_detail, strlen(raw)), 0);
    assert_true(strlen(raw) > 1000);
    json_decref(d);

    /* An object just within the limit is kept as given. */
    long_detail[10 * 1024] = '\0';
    memcpy(long_detail + 10 * 1024 - 2, "\"}", 2);
    assert_int_equal(audit_log(f->db, "user:1", "test.limit", "", long_detail, "", ""), 0);
    last_row(f->db, r);
    d = detail_json(r->detail);
    assert_null(json_object_get(d, "raw"));
    assert_int_equal(strlen(json_string_value(json_object_get(d, "text"))), 10 * 1024 - 12);
    json_decref(d);

    free(long_actor);
    free(long_detail);
    free(r);
}

static void test_rolls_back_with_the_action(void **state)
{
    fixture_db_t *f = *state;
    assert_int_equal(db_begin(f->db), 0);
    assert_int_equal(audit_log(f->db, "user:5", "case.delete", "case:9", "{}", "", ""), 0);
    assert_int_equal(db_rollback(f->db), 0);
    assert_int_equal(row_count(f->db), 0);
    assert_int_equal(db_begin(f->db), 0);
    assert_int_equal(audit_log(f->db, "user:5", "case.delete", "case:9", "{}", "", ""), 0);
    assert_int_equal(db_commit(f->db), 0);
    assert_int_equal(row_count(f->db), 1);
}

/* The database itself refuses to change history, whatever SQL a bug might run. */
static void test_entries_cannot_be_changed(void **state)
{
    fixture_db_t *f = *state;
    static const char sql_update[] = "UPDATE audit_log SET actor = 'someone else'";
    static const char sql_delete[] = "DELETE FROM audit_log";
    db_stmt_t *st = NULL;
    audit_row_t *r = malloc(sizeof(*r));
    assert_int_equal(audit_log(f->db, "user:1", "role.grant", "user:2", "{}", "", ""), 0);

    assert_int_equal(db_prepare(f->db, sql_update, &st), 0);
    assert_true(db_step(st) < 0);
    assert_non_null(strstr(db_errmsg(f->db), "append-only"));
    db_reset(st);
    assert_int_equal(db_prepare(f->db, sql_delete, &st), 0);
    assert_true(db_step(st) < 0);
    db_reset(st);
    if (f->engine == DB_POSTGRES)
        assert_true(db_exec(f->db, "TRUNCATE audit_log") < 0);

    assert_int_equal(row_count(f->db), 1);
    last_row(f->db, r);
    assert_string_equal(r->actor, "user:1");
    /* Appending still works after a refused change. */
    assert_int_equal(audit_log(f->db, "user:1", "role.revoke", "user:2", "{}", "", ""), 0);
    assert_int_equal(row_count(f->db), 2);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_row_written, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_null_arguments, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_detail_not_object_kept_raw, fixture_db_setup_migrated,
                                        fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_replaced, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_limits, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_rolls_back_with_the_action, fixture_db_setup_migrated,
                                        fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_entries_cannot_be_changed, fixture_db_setup_migrated, fixture_db_teardown),
    };
    return fixture_db_run("audit", tests, tests) ? 1 : 0;
}
