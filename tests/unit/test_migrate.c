/* test_migrate.c — schema migrations (migrate.h) on SQLite and, when configured,
 * PostgreSQL; and the DDL mapping for SQLite, which needs no database.
 *
 * Each database test gets a fresh database (see fixture_db.h).
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

#include "fixture_db.h" /* a fresh, empty database per test, on both engines */

/* ---- migration lists ------------------------------------------------------------- */

static const migration_t two[] = {
    {"t/001_a", "CREATE TABLE a (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, b BYTEA);", NULL,
     NULL},
    {"t/002_b",
     "CREATE TABLE b (id BIGSERIAL PRIMARY KEY, a_id BIGINT NOT NULL REFERENCES a (id));\n"
     "INSERT INTO a (n) VALUES (42); -- data migrations are fine too\n",
     NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static const migration_t first_only[] = {
    {"t/001_a", "CREATE TABLE a (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, b BYTEA);", NULL,
     NULL},
    {NULL, NULL, NULL, NULL},
};

static const char sql_recorded[] = "SELECT count(*) FROM schema_migrations";

/* ---- tests ----------------------------------------------------------------------- */

static void test_apply_twice(void **state)
{
    static const char sql_n[] = "SELECT n FROM a";
    static const char sql_at[] = "SELECT applied_at FROM schema_migrations WHERE id = 't/002_b'";
    fixture_db_t *fx = *state;
    char err[256] = "";
    int64_t v = 0, now = (int64_t)time(NULL);

    assert_int_equal(migrate_pending(fx->db, two, err, sizeof(err)), 2);
    assert_int_equal(migrate_apply(fx->db, two, err, sizeof(err)), 2);
    assert_int_equal(migrate_apply(fx->db, two, err, sizeof(err)), 0);
    assert_int_equal(migrate_pending(fx->db, two, err, sizeof(err)), 0);
    assert_int_equal(db_query_int64(fx->db, sql_n, &v), 0);
    assert_int_equal(v, 42); /* the INSERT ran once, not twice */
    assert_int_equal(db_query_int64(fx->db, sql_recorded, &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(db_query_int64(fx->db, sql_at, &v), 0);
    assert_true(v >= now - 5 && v <= now + 5);
}

static void test_failing_migration_rolls_back(void **state)
{
    static const migration_t bad[] = {
        {"t/001_a", "CREATE TABLE a (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, b BYTEA);",
         NULL, NULL},
        {"t/002_bad",
         "CREATE TABLE c (id BIGINT);\nINSERT INTO c (id) VALUES (1);\n"
         "INSERT INTO no_such_table (x) VALUES (1);\n",
         NULL, NULL},
        {"t/003_never", "CREATE TABLE d (id BIGINT);", NULL, NULL},
        {NULL, NULL, NULL, NULL},
    };
    static const migration_t fixed[] = {
        {"t/001_a", "CREATE TABLE a (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, b BYTEA);",
         NULL, NULL},
        {"t/002_bad", "CREATE TABLE c (id BIGINT); INSERT INTO c (id) VALUES (1);", NULL, NULL},
        {"t/003_never", "CREATE TABLE d (id BIGINT);", NULL, NULL},
        {NULL, NULL, NULL, NULL},
    };
    static const char sql_c[] = "SELECT count(*) FROM c";
    fixture_db_t *fx = *state;
    char err[256] = "";
    int64_t v = 0;

    assert_int_equal(migrate_apply(fx->db, bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "t/002_bad"));
    assert_non_null(strstr(err, "no_such_table")); /* the database's reason */
    assert_int_equal(db_query_int64(fx->db, sql_recorded, &v), 0);
    assert_int_equal(v, 1); /* 001 stays, 002 is not recorded, 003 never ran */
    assert_true(db_query_int64(fx->db, sql_c, &v) < 0); /* CREATE TABLE c rolled back */
    assert_int_equal(migrate_pending(fx->db, bad, err, sizeof(err)), 2);

    assert_int_equal(migrate_apply(fx->db, fixed, err, sizeof(err)), 2);
    assert_int_equal(db_query_int64(fx->db, sql_c, &v), 0);
    assert_int_equal(v, 1);
}

/* A migration that fails on a constraint reports -1, never DB_ECONSTRAINT (-2), which
 * would read as "made by a newer rathaus". */
static void test_constraint_failure_is_not_unknown(void **state)
{
    static const migration_t dup[] = {
        {"t/001_a", "CREATE TABLE a (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, b BYTEA);",
         NULL, NULL},
        {"t/002_dup", "INSERT INTO a (id, n) VALUES (1, 1); INSERT INTO a (id, n) VALUES (1, 2);",
         NULL, NULL},
        {NULL, NULL, NULL, NULL},
    };
    fixture_db_t *fx = *state;
    char err[256] = "";

    assert_int_equal(migrate_apply(fx->db, dup, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "t/002_dup"));
}

static void test_unknown_migration_refused(void **state)
{
    fixture_db_t *fx = *state;
    char err[256] = "";

    assert_int_equal(migrate_apply(fx->db, two, err, sizeof(err)), 2);
    assert_int_equal(migrate_apply(fx->db, first_only, err, sizeof(err)), -2);
    assert_non_null(strstr(err, "t/002_b"));
    err[0] = '\0';
    assert_int_equal(migrate_pending(fx->db, first_only, err, sizeof(err)), -2);
    assert_non_null(strstr(err, "t/002_b"));
}

static void test_engine_variants(void **state)
{
    static const migration_t variants[] = {
        {"t/001_v", NULL, "CREATE TABLE v (x INTEGER) STRICT; INSERT INTO v VALUES (1);",
         "CREATE TABLE v (x BIGINT); INSERT INTO v VALUES (2);"},
        {NULL, NULL, NULL, NULL},
    };
    static const migration_t pg_only[] = {
        {"t/001_v", NULL, "CREATE TABLE v (x INTEGER) STRICT; INSERT INTO v VALUES (1);",
         "CREATE TABLE v (x BIGINT); INSERT INTO v VALUES (2);"},
        {"t/002_p", NULL, NULL, "CREATE TABLE p (x BIGINT);"},
        {NULL, NULL, NULL, NULL},
    };
    static const char sql_x[] = "SELECT x FROM v";
    fixture_db_t *fx = *state;
    char err[256] = "";
    int64_t x = 0;

    assert_int_equal(migrate_apply(fx->db, variants, err, sizeof(err)), 1);
    assert_int_equal(db_query_int64(fx->db, sql_x, &x), 0);
    assert_int_equal(x, fx->engine == DB_SQLITE ? 1 : 2);
    if (fx->engine == DB_SQLITE) {
        assert_int_equal(migrate_apply(fx->db, pg_only, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "t/002_p"));
    } else {
        assert_int_equal(migrate_apply(fx->db, pg_only, err, sizeof(err)), 1);
    }
}

/* Column types are enforced on both engines: on SQLite only because of STRICT. */
static void test_types_enforced(void **state)
{
    static const char sql_put[] = "INSERT INTO a (n) VALUES ($1)";
    fixture_db_t *fx = *state;
    db_stmt_t *st = NULL;
    char err[256] = "";

    assert_int_equal(migrate_apply(fx->db, first_only, err, sizeof(err)), 1);
    assert_int_equal(db_prepare(fx->db, sql_put, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "not a number", -1), 0);
    assert_true(db_step(st) < 0);
    db_reset(st);
}

static void test_builtin_migrations(void **state)
{
    fixture_db_t *fx = *state;
    char err[512] = "";
    int n = 0, rc;

    while (migrations_builtin[n].id)
        n++;
    assert_true(n >= 1);
    rc = migrate_apply(fx->db, migrations_builtin, err, sizeof(err));
    if (rc != n)
        fail_msg("builtin migrations: %d of %d: %s", rc, n, err);
    assert_int_equal(migrate_apply(fx->db, migrations_builtin, err, sizeof(err)), 0);
    assert_int_equal(migrate_pending(fx->db, migrations_builtin, err, sizeof(err)), 0);
}

static void test_bad_lists(void **state)
{
    static const migration_t twice[] = {
        {"t/001_a", "CREATE TABLE a1 (x BIGINT);", NULL, NULL},
        {"t/001_a", "CREATE TABLE a2 (x BIGINT);", NULL, NULL},
        {NULL, NULL, NULL, NULL},
    };
    fixture_db_t *fx = *state;
    char err[256] = "";

    assert_int_equal(migrate_apply(fx->db, twice, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "t/001_a"));
    assert_int_equal(migrate_apply(fx->db, NULL, err, sizeof(err)), -1);
    assert_int_equal(migrate_apply(fx->db, first_only, NULL, 0), 1); /* err is optional */
}

/* ---- the SQLite mapping (no database) -------------------------------------------- */

static void test_ddl_for_sqlite(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, b BYTEA);",
         "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, b BLOB) STRICT;"},
        /* literals and quoted identifiers stay, `;` inside them ends nothing */
        {"CREATE TABLE t (s TEXT DEFAULT 'BIGINT; BYTEA', \"BIGINT\" TEXT);",
         "CREATE TABLE t (s TEXT DEFAULT 'BIGINT; BYTEA', \"BIGINT\" TEXT) STRICT;"},
        {"CREATE TABLE e (s TEXT DEFAULT 'it''s BIGINT', n BIGINT);",
         "CREATE TABLE e (s TEXT DEFAULT 'it''s BIGINT', n INTEGER) STRICT;"},
        /* comments stay; STRICT goes after the `)`, before a trailing comment */
        {"CREATE TABLE t (\n  n BIGINT -- BIGINT; CREATE TABLE x (\n) -- done\n;\n"
         "CREATE INDEX i ON t (n);",
         "CREATE TABLE t (\n  n INTEGER -- BIGINT; CREATE TABLE x (\n) STRICT -- done\n;\n"
         "CREATE INDEX i ON t (n);"},
        {"CREATE TABLE q (id BIGSERIAL /* pk */ PRIMARY KEY, s BIGSERIAL);",
         "CREATE TABLE q (id INTEGER /* pk */ PRIMARY KEY AUTOINCREMENT, s BIGSERIAL) STRICT;"},
        /* whole uppercase words only */
        {"create table t (n bigint, m MYBIGINT, o BIGINTEGER, p BIGINT_X, q bytea)",
         "create table t (n bigint, m MYBIGINT, o BIGINTEGER, p BIGINT_X, q bytea) STRICT"},
        {"CREATE TABLE a (x TEXT); CREATE TABLE IF NOT EXISTS b (y BIGINT);",
         "CREATE TABLE a (x TEXT) STRICT; CREATE TABLE IF NOT EXISTS b (y INTEGER) STRICT;"},
        {"CREATE TEMP TABLE tt (x BIGINT);", "CREATE TEMP TABLE tt (x INTEGER) STRICT;"},
        {"CREATE TABLE f (n NUMERIC(10, 2), m BIGINT CHECK (m > 0));",
         "CREATE TABLE f (n NUMERIC(10, 2), m INTEGER CHECK (m > 0)) STRICT;"},
        /* table options: joined with a comma; STRICT once; none for AS SELECT */
        {"CREATE TABLE w (k TEXT PRIMARY KEY) WITHOUT ROWID;",
         "CREATE TABLE w (k TEXT PRIMARY KEY) WITHOUT ROWID, STRICT;"},
        {"CREATE TABLE s (k TEXT) STRICT;", "CREATE TABLE s (k TEXT) STRICT;"},
        {"CREATE TABLE c AS SELECT 1 AS x;", "CREATE TABLE c AS SELECT 1 AS x;"},
        {"ALTER TABLE t ADD COLUMN z BIGINT NOT NULL DEFAULT 0;",
         "ALTER TABLE t ADD COLUMN z INTEGER NOT NULL DEFAULT 0;"},
        {"CREATE INDEX t_n ON t (n) WHERE n > 0;", "CREATE INDEX t_n ON t (n) WHERE n > 0;"},
        {"", ""},
    };
    size_t i;
    char *out;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        out = migrate_ddl_for_sqlite(cases[i].in);
        assert_non_null(out);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu:\n in:  %s\n out: %s\n want: %s", i, cases[i].in, out,
                     cases[i].out);
        free(out);
    }
    assert_null(migrate_ddl_for_sqlite(NULL));
}

static void test_ddl_for_sqlite_limit(void **state)
{
    size_t max = 16 * 1024 * 1024; /* DDL_MAX in migrate.c */
    char *big = malloc(max + 2), *out;

    (void)state;
    assert_non_null(big);
    memset(big, ' ', max + 1);
    big[max + 1] = '\0';
    assert_null(migrate_ddl_for_sqlite(big)); /* one byte over */
    big[max] = '\0';
    out = migrate_ddl_for_sqlite(big); /* exactly at the limit */
    assert_non_null(out);
    assert_int_equal(strlen(out), max);
    free(out);
    free(big);
}

/* ---- main ------------------------------------------------------------------------ */

int main(void)
{
    const struct CMUnitTest mapping_tests[] = {
        cmocka_unit_test(test_ddl_for_sqlite),
        cmocka_unit_test(test_ddl_for_sqlite_limit),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_twice, fixture_db_setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_failing_migration_rolls_back, fixture_db_setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_constraint_failure_is_not_unknown, fixture_db_setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_migration_refused, fixture_db_setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_engine_variants, fixture_db_setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_types_enforced, fixture_db_setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_builtin_migrations, fixture_db_setup, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_bad_lists, fixture_db_setup, fixture_db_teardown),
    };
    int failed;

    failed = cmocka_run_group_tests_name("DDL mapping", mapping_tests, NULL, NULL);
    failed += fixture_db_run("migrate", db_tests, db_tests);
    return failed ? 1 : 0;
}
