/* test_db.c — the db.h interface, run against SQLite and (when configured) PostgreSQL.
 *
 * Every test gets a fresh database: a temp file on SQLite, a new database
 * rathaus_test_<pid>_<n> on PostgreSQL (from RATHAUS_TEST_PG_URL, dropped afterwards).
 * Start a throwaway server with scripts/pg-test.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/migrate.h"

#include "fixture_db.h" /* a fresh database per test, on both engines */

/* ---- this file's schema ---------------------------------------------------------- */

static const char schema[] =
    "CREATE TABLE kv (id BIGSERIAL PRIMARY KEY, k TEXT NOT NULL UNIQUE, v TEXT, n BIGINT,"
    "  b BYTEA, CHECK (n IS NULL OR n <> -1));"
    "CREATE TABLE child (id BIGSERIAL PRIMARY KEY, kv_id BIGINT NOT NULL REFERENCES kv (id));";

/* cmocka setup: a fresh database (fixture_db.h) holding the two tables above. */
static int setup(void **state)
{
    return fixture_db_make(state, NULL, schema);
}

static const char sql_insert[] = "INSERT INTO kv (k, v, n, b) VALUES ($1, $2, $3, $4)";
static const char sql_count[] = "SELECT count(*) FROM kv";

/* Inserts (k, v, n) with b NULL; asserts success. */
static void put(db_t *db, const char *k, const char *v, int64_t n)
{
    db_stmt_t *st = NULL;
    assert_int_equal(db_prepare(db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, k, -1), 0);
    assert_int_equal(db_bind_text(st, 2, v, -1), 0);
    assert_int_equal(db_bind_int64(st, 3, n), 0);
    assert_int_equal(db_bind_null(st, 4), 0);
    if (db_step(st) != DB_DONE)
        fail_msg("insert %s: %s", k, db_errmsg(db));
    db_reset(st);
}

static int64_t count_rows(db_t *db)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql_count, &n), 0);
    return n;
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_types_round_trip(void **state)
{
    static const char sql_get[] = "SELECT v, n, b, k, n = $2 FROM kv WHERE k = $1";
    static const unsigned char blob[] = {0, 1, 0, 255, 0, '\n', 0};
    static const char text[] = "Grüße aus Mainz — 東京 🚀 \"quoted\" 'single'";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;
    const void *p;
    size_t n = 99;

    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "maxXYZ", 3), 0); /* only "max" */
    assert_int_equal(db_bind_text(st, 2, text, -1), 0);
    assert_int_equal(db_bind_int64(st, 3, INT64_MAX), 0);
    assert_int_equal(db_bind_blob(st, 4, blob, sizeof(blob)), 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "min", -1), 0);
    assert_int_equal(db_bind_text(st, 2, "", 0), 0);
    assert_int_equal(db_bind_int64(st, 3, INT64_MIN), 0);
    assert_int_equal(db_bind_blob(st, 4, NULL, 0), 0); /* empty, not NULL */
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "null", -1), 0);
    assert_int_equal(db_bind_text(st, 2, NULL, -1), 0); /* NULL text binds NULL */
    assert_int_equal(db_bind_null(st, 3), 0);
    assert_int_equal(db_bind_null(st, 4), 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);

    assert_int_equal(db_prepare(fx->db, sql_get, &st), 0);
    assert_int_equal(db_column_count(st), 5);
    assert_int_equal(db_bind_text(st, 1, "max", -1), 0);
    assert_int_equal(db_bind_int64(st, 2, INT64_MAX), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 0), text);
    assert_true(db_column_int64(st, 1) == INT64_MAX);
    p = db_column_blob(st, 2, &n);
    assert_int_equal(n, sizeof(blob));
    assert_memory_equal(p, blob, sizeof(blob));
    assert_string_equal(db_column_text(st, 3), "max");
    assert_int_equal(db_column_int64(st, 4), 1); /* boolean 't' on PostgreSQL */
    assert_null(db_column_text(st, 9));          /* no such column */
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_step(st), DB_DONE); /* stays done, does not run again */
    db_reset(st);

    assert_int_equal(db_prepare(fx->db, sql_get, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "min", -1), 0);
    assert_int_equal(db_bind_int64(st, 2, 0), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_false(db_column_is_null(st, 0));
    assert_string_equal(db_column_text(st, 0), "");
    assert_true(db_column_int64(st, 1) == INT64_MIN);
    assert_false(db_column_is_null(st, 2));
    db_column_blob(st, 2, &n);
    assert_int_equal(n, 0);
    assert_int_equal(db_column_int64(st, 4), 0);
    db_reset(st);

    assert_int_equal(db_prepare(fx->db, sql_get, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "null", -1), 0);
    assert_int_equal(db_bind_int64(st, 2, 0), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_true(db_column_is_null(st, 0));
    assert_null(db_column_text(st, 0));
    assert_true(db_column_is_null(st, 1));
    assert_int_equal(db_column_int64(st, 1), 0);
    n = 99;
    assert_null(db_column_blob(st, 2, &n));
    assert_int_equal(n, 0);
    assert_true(db_column_is_null(st, 4)); /* NULL = 0 is NULL on both */
    db_reset(st);
}

static void test_large_blob(void **state)
{
    static const char sql_get[] = "SELECT b FROM kv WHERE k = $1";
    fixture_db_t *fx = *state;
    size_t size = 300 * 1000, n = 0, i;
    unsigned char *big = malloc(size);
    db_stmt_t *st = NULL;
    const unsigned char *p;

    assert_non_null(big);
    for (i = 0; i < size; i++)
        big[i] = (unsigned char)(i * 7);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "big", -1), 0);
    assert_int_equal(db_bind_blob(st, 4, big, size), 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_get, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "big", -1), 0);
    assert_int_equal(db_step(st), DB_ROW);
    p = db_column_blob(st, 0, &n);
    assert_int_equal(n, size);
    assert_memory_equal(p, big, size);
    assert_ptr_equal(db_column_blob(st, 0, &n), p); /* decoded once per row */
    db_reset(st);
    free(big);
}

static void test_parameter_numbers(void **state)
{
    static const char sql_swapped[] = "INSERT INTO kv (k, v) VALUES ($2, $1)";
    static const char sql_twice[] = "INSERT INTO kv (k, v, n) VALUES ($1, $1, $2)";
    static const char sql_literal[] =
        "SELECT '$1 -- not a comment', /* $3 */ v FROM kv WHERE k = $1 -- $2\n";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;

    assert_int_equal(db_prepare(fx->db, sql_swapped, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "the value", -1), 0);
    assert_int_equal(db_bind_text(st, 2, "swapped", -1), 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_twice, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "same", -1), 0);
    assert_int_equal(db_bind_int64(st, 2, 7), 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);

    assert_int_equal(db_prepare(fx->db, sql_literal, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "swapped", -1), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 0), "$1 -- not a comment");
    assert_string_equal(db_column_text(st, 1), "the value");
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_literal, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "same", -1), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 1), "same");
    assert_int_equal(db_bind_text(st, 2, "x", -1), DB_ERROR); /* no $2 in it */
    db_reset(st);
}

static void test_returning_and_upsert(void **state)
{
    static const char sql_upsert[] =
        "INSERT INTO kv (k, v) VALUES ($1, $2) "
        "ON CONFLICT (k) DO UPDATE SET v = excluded.v RETURNING id, v";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;
    int64_t id;

    assert_int_equal(db_prepare(fx->db, sql_upsert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "key", -1), 0);
    assert_int_equal(db_bind_text(st, 2, "one", -1), 0);
    assert_int_equal(db_step(st), DB_ROW);
    id = db_column_int64(st, 0);
    assert_true(id > 0);
    assert_string_equal(db_column_text(st, 1), "one");
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 1);
    db_reset(st);

    assert_int_equal(db_prepare(fx->db, sql_upsert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "key", -1), 0);
    assert_int_equal(db_bind_text(st, 2, "two", -1), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int64(st, 0), id);
    assert_string_equal(db_column_text(st, 1), "two");
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(count_rows(fx->db), 1);
}

static void test_statement_cache(void **state)
{
    static const char sql_n[] = "SELECT n FROM kv WHERE k = $1";
    fixture_db_t *fx = *state;
    char copy[sizeof(sql_n)];
    char reused[32];
    db_stmt_t *st1 = NULL, *st2 = NULL, *st3 = NULL;
    int64_t v = 0;

    put(fx->db, "a", "x", 11);
    put(fx->db, "b", "y", 22);
    assert_int_equal(db_prepare(fx->db, sql_n, &st1), 0);
    assert_int_equal(db_bind_text(st1, 1, "a", -1), 0);
    assert_int_equal(db_step(st1), DB_ROW);
    assert_int_equal(db_column_int64(st1, 0), 11);
    db_reset(st1);
    assert_int_equal(db_prepare(fx->db, sql_n, &st2), 0);
    assert_ptr_equal(st1, st2); /* the same statement, from the cache */
    assert_int_equal(db_bind_text(st2, 1, "b", -1), 0);
    assert_int_equal(db_step(st2), DB_ROW);
    assert_int_equal(db_column_int64(st2, 0), 22);
    /* no db_reset: the next db_prepare must not hand out a half-used statement */
    assert_int_equal(db_prepare(fx->db, sql_n, &st2), 0);
    assert_int_equal(db_bind_text(st2, 1, "a", -1), 0);
    assert_int_equal(db_step(st2), DB_ROW);
    assert_int_equal(db_column_int64(st2, 0), 11);
    db_reset(st2);

    memcpy(copy, sql_n, sizeof(copy)); /* same text, other address: another entry */
    assert_int_equal(db_prepare(fx->db, copy, &st3), 0);
    assert_ptr_not_equal(st3, st1);
    db_reset(st3);

    /* A buffer reused for other SQL must not find the old statement. */
    snprintf(reused, sizeof(reused), "SELECT 41");
    assert_int_equal(db_query_int64(fx->db, reused, &v), 0);
    assert_int_equal(v, 41);
    snprintf(reused, sizeof(reused), "SELECT 42");
    assert_int_equal(db_query_int64(fx->db, reused, &v), 0);
    assert_int_equal(v, 42);
}

static void test_statement_cache_limit(void **state)
{
    enum { N = 4096 + 1 }; /* DB_STMT_CACHE_MAX + 1 */
    static char texts[N][24];
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;
    int i;

    for (i = 0; i < N; i++)
        snprintf(texts[i], sizeof(texts[i]), "SELECT %d", i);
    for (i = 0; i < N - 1; i++) {
        if (db_prepare(fx->db, texts[i], &st) != 0)
            fail_msg("prepare %d: %s", i, db_errmsg(fx->db));
        db_reset(st);
    }
    assert_int_equal(db_prepare(fx->db, texts[N - 1], &st), DB_ERROR);
    assert_null(st);
    assert_non_null(strstr(db_errmsg(fx->db), "cache full"));
    assert_int_equal(db_prepare(fx->db, texts[7], &st), 0); /* cached ones still work */
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int64(st, 0), 7);
    db_reset(st);
}

static void test_constraints(void **state)
{
    static const char sql_child[] = "INSERT INTO child (kv_id) VALUES ($1)";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;

    put(fx->db, "dup", "x", 1);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "dup", -1), 0); /* UNIQUE */
    assert_int_equal(db_step(st), DB_ECONSTRAINT);
    assert_int_equal(db_step(st), DB_ECONSTRAINT); /* repeats, does not re-run */
    assert_true(strlen(db_errmsg(fx->db)) > 0);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_null(st, 1), 0); /* NOT NULL */
    assert_int_equal(db_step(st), DB_ECONSTRAINT);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "check", -1), 0);
    assert_int_equal(db_bind_int64(st, 3, -1), 0); /* CHECK */
    assert_int_equal(db_step(st), DB_ECONSTRAINT);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_child, &st), 0);
    assert_int_equal(db_bind_int64(st, 1, 999), 0); /* FOREIGN KEY (on in SQLite too) */
    assert_int_equal(db_step(st), DB_ECONSTRAINT);
    db_reset(st);
    put(fx->db, "after", "still works", 2);
    assert_int_equal(count_rows(fx->db), 2);
}

static void test_transactions(void **state)
{
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;

    assert_int_equal(db_begin(fx->db), 0);
    put(fx->db, "r1", "x", 1);
    assert_int_equal(count_rows(fx->db), 1);
    assert_int_equal(db_rollback(fx->db), 0);
    assert_int_equal(count_rows(fx->db), 0);

    assert_int_equal(db_begin_write(fx->db), 0);
    put(fx->db, "c1", "x", 1);
    put(fx->db, "c2", "x", 2);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(count_rows(fx->db), 2);

    /* A failed statement dooms the transaction on both engines (PostgreSQL's rule). */
    assert_int_equal(db_begin_write(fx->db), 0);
    put(fx->db, "c3", "x", 3);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "c1", -1), 0);
    assert_int_equal(db_step(st), DB_ECONSTRAINT);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "c4", -1), 0);
    assert_true(db_step(st) < 0); /* refused: the transaction is aborted */
    db_reset(st);
    assert_true(db_commit(fx->db) < 0); /* rolls back, and says so */
    assert_int_equal(count_rows(fx->db), 2);

    assert_int_equal(db_begin(fx->db), 0);
    assert_true(db_begin(fx->db) < 0); /* no nesting */
    assert_int_equal(db_rollback(fx->db), 0);
    assert_int_equal(db_rollback(fx->db), 0); /* nothing open: a no-op */
    assert_true(db_commit(fx->db) < 0);       /* nothing open: an error */
    put(fx->db, "c5", "x", 5);               /* the connection is usable again */
    assert_int_equal(count_rows(fx->db), 3);
}

static void test_changes(void **state)
{
    static const char sql_bump[] = "UPDATE kv SET n = n + 10 WHERE n >= $1";
    static const char sql_del[] = "DELETE FROM kv WHERE n = $1";
    static const char sql_sel[] = "SELECT k FROM kv";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;

    put(fx->db, "a", "x", 1);
    put(fx->db, "b", "x", 2);
    put(fx->db, "c", "x", 3);
    assert_int_equal(db_prepare(fx->db, sql_bump, &st), 0);
    assert_int_equal(db_bind_int64(st, 1, 1), 0);
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 3);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_bump, &st), 0);
    assert_int_equal(db_bind_int64(st, 1, 100), 0);
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 0);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_del, &st), 0);
    assert_int_equal(db_bind_int64(st, 1, 12), 0);
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 1);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_sel, &st), 0);
    while (db_step(st) == DB_ROW)
        ;
    assert_int_equal(db_changes(st), 0); /* a SELECT changes nothing */
    db_reset(st);
}

static void test_query_int64(void **state)
{
    static const char sql_none[] = "SELECT n FROM kv WHERE k = 'nope'";
    static const char sql_null[] = "SELECT NULL";
    static const char sql_arg[] = "SELECT n * 2 FROM kv WHERE n = $1";
    static const char sql_bad[] = "SELECT FROM WHERE";
    fixture_db_t *fx = *state;
    int64_t v = -5;

    assert_int_equal(db_query_int64(fx->db, sql_count, &v), 0);
    assert_int_equal(v, 0);
    put(fx->db, "a", "x", 21);
    assert_int_equal(db_query_int64(fx->db, sql_count, &v), 0);
    assert_int_equal(v, 1);
    v = -5;
    assert_int_equal(db_query_int64(fx->db, sql_none, &v), 1);
    assert_int_equal(v, 0);
    v = -5;
    assert_int_equal(db_query_int64(fx->db, sql_null, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(db_query_int64_arg(fx->db, sql_arg, 21, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(db_query_int64_arg(fx->db, sql_arg, 22, &v), 1);
    /* Text arguments: one, two, and a row that is not there. */
    static const char sql_text1[] = "SELECT n FROM kv WHERE k = $1";
    static const char sql_text2[] = "SELECT n FROM kv WHERE k = $1 AND v = $2";
    assert_int_equal(db_query_int64_text(fx->db, sql_text1, "a", NULL, &v), 0);
    assert_int_equal(v, 21);
    assert_int_equal(db_query_int64_text(fx->db, sql_text2, "a", "x", &v), 0);
    assert_int_equal(v, 21);
    v = -5;
    assert_int_equal(db_query_int64_text(fx->db, sql_text2, "a", "y", &v), 1);
    assert_int_equal(v, 0);
    assert_true(db_query_int64(fx->db, sql_bad, &v) < 0);
    assert_true(strlen(db_errmsg(fx->db)) > 0);
}

static void test_errors(void **state)
{
    static const char sql_two[] = "SELECT 1; SELECT 2";
    static const char sql_bad[] = "SELEKT 1";
    static const char sql_one[] = "SELECT 1";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;
    db_t *other = NULL;
    char err[256] = "";
    int64_t v = 0;

    assert_int_equal(db_prepare(fx->db, sql_bad, &st), DB_ERROR);
    assert_null(st);
    assert_int_equal(db_prepare(fx->db, sql_two, &st), DB_ERROR);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_int64(st, 0, 1), DB_ERROR);
    assert_int_equal(db_bind_int64(st, 5, 1), DB_ERROR);
    assert_int_equal(db_bind_text(st, 1, "bad \xC3\x28 utf8", -1), DB_ERROR);
    assert_int_equal(db_bind_text(st, 1, "nul\0inside", 10), DB_ERROR);
    assert_int_equal(db_bind_blob(st, 4, NULL, 3), DB_ERROR);
    db_reset(st);
    assert_int_equal(db_exec(fx->db, "CREATE TABLE kv (x TEXT)"), DB_ERROR);
    assert_non_null(strstr(db_errmsg(fx->db), "kv"));
    assert_int_equal(db_ping(fx->db), 0);
    assert_int_equal(db_engine(fx->db), fx->engine);

    assert_true(db_open("mysql://x", &other, err, sizeof(err)) < 0);
    assert_null(other);
    assert_non_null(strstr(err, "scheme"));
    assert_true(db_open("sqlite:/nonexistent-dir/x.db", &other, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "/nonexistent-dir/x.db"));
    assert_true(db_open("sqlite:", &other, NULL, 0) < 0);
    assert_int_equal(db_open("sqlite::memory:", &other, err, sizeof(err)), 0);
    assert_int_equal(db_query_int64(other, sql_one, &v), 0);
    assert_int_equal(v, 1);
    db_close(other);
    assert_true(db_listen(fx->db, "") < 0);
    assert_true(db_wait_notify(fx->db, -1) < 0);
}

/* The limits db.c puts on what it is given. */
static void test_limits(void **state)
{
    static char channel[65];
    fixture_db_t *fx = *state;
    size_t max = 256 * 1024; /* DB_SQL_MAX */
    char *sql = malloc(max + 2);
    db_stmt_t *st = NULL;

    assert_non_null(sql);
    memset(sql, ' ', max + 1);
    memcpy(sql, "SELECT 1", 8);
    sql[max + 1] = '\0';
    assert_int_equal(db_prepare(fx->db, sql, &st), DB_ERROR); /* one byte too long */
    assert_non_null(strstr(db_errmsg(fx->db), "longer than"));
    sql[max] = '\0';
    assert_int_equal(db_prepare(fx->db, sql, &st), 0); /* exactly at the limit */
    assert_int_equal(db_step(st), DB_ROW);
    db_reset(st);
    free(sql);

    memset(channel, 'c', 64); /* longer than PostgreSQL's 63-byte identifiers */
    assert_int_equal(db_notify(fx->db, channel, "x"), DB_ERROR);
    assert_int_equal(db_listen(fx->db, channel), DB_ERROR);
    channel[63] = '\0';
    assert_int_equal(db_listen(fx->db, channel), 0);
    assert_int_equal(db_notify(fx->db, channel, "x"), 0);
}

static void test_skip_locked(void **state)
{
    static const char sql_claim[] =
        "SELECT id, k FROM kv WHERE n = $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;

    put(fx->db, "job", "x", 5);
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(db_prepare(fx->db, sql_claim, &st), 0);
    assert_int_equal(db_bind_int64(st, 1, 5), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 1), "job");
    db_reset(st);
    assert_int_equal(db_commit(fx->db), 0);
}

/* ---- SQLite only ----------------------------------------------------------------- */

static void test_backup_restore(void **state)
{
    static const char sql_get[] = "SELECT v, n FROM kv ORDER BY n";
    fixture_db_t *fx = *state;
    char path[300], url[320], err[256] = "";
    db_t *copy = NULL;
    db_stmt_t *st = NULL;

    put(fx->db, "a", "Eins", 1);
    put(fx->db, "b", "Zwei", 2);
    snprintf(path, sizeof(path), "%s.bak", fx->path);
    unlink(path);
    if (db_backup(fx->db, path, err, sizeof(err)) != 0)
        fail_msg("backup: %s", err);
    put(fx->db, "c", "after the backup", 3);
    assert_true(db_backup(fx->db, path, err, sizeof(err)) < 0); /* never overwrites */
    assert_non_null(strstr(err, path));

    snprintf(url, sizeof(url), "sqlite:%s", path);
    assert_int_equal(db_open(url, &copy, err, sizeof(err)), 0);
    assert_int_equal(count_rows(copy), 2);
    assert_int_equal(db_prepare(copy, sql_get, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 0), "Eins");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 0), "Zwei");
    assert_int_equal(db_column_int64(st, 1), 2);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    db_close(copy);
    unlink(path);
    snprintf(url, sizeof(url), "%s-wal", path);
    unlink(url);
    snprintf(url, sizeof(url), "%s-shm", path);
    unlink(url);
}

static void test_sqlite_busy(void **state)
{
    fixture_db_t *fx = *state;
    db_t *other = NULL;
    db_stmt_t *st = NULL;
    char err[256];

    assert_int_equal(db_open(fx->url, &other, err, sizeof(err)), 0);
    assert_int_equal(db_begin_write(other), 0);
    assert_int_equal(db_exec(fx->db, "PRAGMA busy_timeout = 50"), 0); /* not 5 s */
    assert_int_equal(db_begin_write(fx->db), DB_EBUSY);
    assert_int_equal(db_prepare(fx->db, sql_insert, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "k", -1), 0);
    assert_int_equal(db_step(st), DB_EBUSY);
    db_reset(st);
    assert_int_equal(db_commit(other), 0);
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(db_commit(fx->db), 0);
    db_close(other);
}

static void test_sqlite_notify_is_noop(void **state)
{
    fixture_db_t *fx = *state;
    struct timespec a, b;
    long ms;

    assert_int_equal(db_notify(fx->db, "events", "x"), 0);
    assert_int_equal(db_listen(fx->db, "events"), 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(db_wait_notify(fx->db, 60), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    assert_true(ms >= 59);
}

/* ---- PostgreSQL only ------------------------------------------------------------- */

static void test_pg_notify_listen(void **state)
{
    static const char odd[] = "x\"; DROP TABLE kv; --"; /* must stay one identifier */
    fixture_db_t *fx = *state;
    db_t *listener = NULL;
    char err[256];
    int got = 0, i, n;

    assert_int_equal(db_open(fx->url, &listener, err, sizeof(err)), 0);
    assert_int_equal(db_listen(listener, "rathaus events"), 0);
    assert_int_equal(db_listen(listener, odd), 0);
    assert_int_equal(db_wait_notify(listener, 50), 0); /* nothing sent yet */
    assert_int_equal(db_notify(fx->db, "rathaus events", "eins"), 0);
    assert_int_equal(db_notify(fx->db, "rathaus events", "zwei"), 0);
    assert_int_equal(db_notify(fx->db, "elsewhere", "nobody listens"), 0);
    for (i = 0; i < 20 && got < 2; i++) {
        n = db_wait_notify(listener, 500);
        assert_true(n >= 0);
        got += n;
    }
    assert_int_equal(got, 2);
    assert_int_equal(db_notify(fx->db, odd, ""), 0);
    assert_int_equal(db_wait_notify(listener, 2000), 1);
    assert_int_equal(db_wait_notify(listener, 50), 0);
    assert_int_equal(count_rows(fx->db), 0); /* kv is still there */
    assert_true(db_backup(fx->db, "/tmp/never", err, sizeof(err)) < 0);
    db_close(listener);
}

static void test_pg_reconnect(void **state)
{
    static const char sql_pid[] = "SELECT pg_backend_pid()";
    static const char sql_kill[] = "SELECT pg_terminate_backend($1, 5000)";
    fixture_db_t *fx = *state;
    db_t *other = NULL;
    db_stmt_t *st = NULL;
    int64_t pid = 0, killed = 0;
    char err[256];

    put(fx->db, "a", "x", 1);
    assert_int_equal(count_rows(fx->db), 1); /* sql_count is now prepared */
    assert_int_equal(db_listen(fx->db, "after-reset"), 0);
    assert_int_equal(db_open(fx->url, &other, err, sizeof(err)), 0);
    assert_int_equal(db_query_int64(fx->db, sql_pid, &pid), 0);
    assert_int_equal(db_query_int64_arg(other, sql_kill, pid, &killed), 0);
    assert_int_equal(killed, 1);

    assert_int_equal(db_prepare(fx->db, sql_count, &st), 0); /* from the cache */
    assert_int_equal(db_step(st), DB_ECONN);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_count, &st), 0); /* reconnects */
    db_reset(st);
    assert_int_equal(db_ping(fx->db), 0);
    assert_int_equal(count_rows(fx->db), 1); /* prepared again on the new session */
    assert_int_equal(db_notify(other, "after-reset", "x"), 0);
    assert_int_equal(db_wait_notify(fx->db, 2000), 1); /* LISTEN was re-issued */
    db_close(other);
}

static void test_pg_serialization_failure(void **state)
{
    static const char sql_set[] = "UPDATE kv SET v = $1 WHERE k = 'a'";
    fixture_db_t *fx = *state;
    db_t *other = NULL;
    db_stmt_t *st = NULL;
    char err[256];

    put(fx->db, "a", "x", 1);
    assert_int_equal(db_open(fx->url, &other, err, sizeof(err)), 0);
    assert_int_equal(db_exec(fx->db, "BEGIN ISOLATION LEVEL REPEATABLE READ"), 0);
    assert_int_equal(count_rows(fx->db), 1); /* takes the snapshot */
    assert_int_equal(db_prepare(other, sql_set, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "other", -1), 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(db_prepare(fx->db, sql_set, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "mine", -1), 0);
    assert_int_equal(db_step(st), DB_EBUSY);
    db_reset(st);
    assert_int_equal(db_rollback(fx->db), 0);
    db_close(other);
}

/* ---- main ------------------------------------------------------------------------ */

#define COMMON_TESTS                                                                                                   \
    cmocka_unit_test_setup_teardown(test_types_round_trip, setup, fixture_db_teardown),                                \
        cmocka_unit_test_setup_teardown(test_large_blob, setup, fixture_db_teardown),                                  \
        cmocka_unit_test_setup_teardown(test_parameter_numbers, setup, fixture_db_teardown),                           \
        cmocka_unit_test_setup_teardown(test_returning_and_upsert, setup, fixture_db_teardown),                        \
        cmocka_unit_test_setup_teardown(test_statement_cache, setup, fixture_db_teardown),                             \
        cmocka_unit_test_setup_teardown(test_constraints, setup, fixture_db_teardown),                                 \
        cmocka_unit_test_setup_teardown(test_transactions, setup, fixture_db_teardown),                                \
        cmocka_unit_test_setup_teardown(test_changes, setup, fixture_db_teardown),                                     \
        cmocka_unit_test_setup_teardown(test_query_int64, setup, fixture_db_teardown),                                 \
        cmocka_unit_test_setup_teardown(test_errors, setup, fixture_db_teardown),                                      \
        cmocka_unit_test_setup_teardown(test_limits, setup, fixture_db_teardown),                                      \
        cmocka_unit_test_setup_teardown(test_skip_locked, setup, fixture_db_teardown)

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {
        COMMON_TESTS,
        cmocka_unit_test_setup_teardown(test_statement_cache_limit, setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_backup_restore, setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_busy, setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_notify_is_noop, setup, fixture_db_teardown),
    };
    const struct CMUnitTest pg_tests[] = {
        COMMON_TESTS,
        cmocka_unit_test_setup_teardown(test_pg_notify_listen, setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_pg_reconnect, setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_pg_serialization_failure, setup, fixture_db_teardown),
    };

    return fixture_db_run("db", sqlite_tests, pg_tests) ? 1 : 0;
}
