/* fixture_db.h — a fresh database for every unit test, on SQLite and on PostgreSQL.
 *
 * The database tests (test_db, test_migrate, test_jobs, test_mail, test_audit) each
 * run their tests twice: once on SQLite and, when RATHAUS_TEST_PG_URL names a server
 * (tests/run-all.sh starts a throwaway one with scripts/pg-test.sh), once on
 * PostgreSQL. Every test gets a database nobody else has touched:
 *
 *   SQLite      dir/test.db inside a private temporary directory /tmp/rathaus-unit-XXXXXX
 *   PostgreSQL  CREATE DATABASE rathaus_test_<pid>_<n> on that server; the temporary
 *               directory exists as well (data_dir lives there)
 *
 * Teardown closes the database, removes the directory with everything a test wrote
 * into it, and drops the PostgreSQL database WITH (FORCE), so connections a test
 * left open do not keep it alive. A setup that fails half-way undoes what it made
 * (cmocka runs no teardown after a failed setup), so nothing is left in /tmp or on
 * the server, and a DROP that fails fails the test instead of passing unnoticed.
 *
 * Use, in a test file (the Makefile compiles each test_*.c on its own with
 * -Itests/unit, so this header is all there is; its functions are static inline):
 *
 *   #include "fixture_db.h"
 *   static void test_x(void **state) { fixture_db_t *fx = *state; ... fx->db ... }
 *   const struct CMUnitTest tests[] = {
 *       cmocka_unit_test_setup_teardown(test_x, fixture_db_setup_migrated, fixture_db_teardown),
 *   };
 *   return fixture_db_run("jobs", tests, tests) ? 1 : 0;
 *
 * A file that needs more per test (a test clock, a schema of its own) wraps
 * fixture_db_setup or fixture_db_make and fixture_db_teardown.
 */
#ifndef RATHAUS_TESTS_UNIT_FIXTURE_DB_H
#define RATHAUS_TESTS_UNIT_FIXTURE_DB_H

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "db/db.h"
#include "db/migrate.h"

/* One test's database. Made by fixture_db_make, freed by fixture_db_teardown. */
typedef struct fixture_db {
    db_engine_t engine; /* DB_SQLITE or DB_POSTGRES: the engine of the running group */
    db_t *db;           /* open on the fresh database */
    char dir[64];       /* private temporary directory, removed with its contents */
    char path[128];     /* SQLite: the database file inside dir; "" on PostgreSQL */
    char url[512];      /* the fresh database (fits config_t.database_url) */
    char dbname[64];    /* PostgreSQL: the database to drop; "" on SQLite */
    config_t cfg;       /* zero but database_url = url, data_dir = dir/data, node_name "test" */
} fixture_db_t;

static db_engine_t fixture_db_engine; /* engine of the group fixture_db_run is running */
static const char *fixture_db_pg_url; /* RATHAUS_TEST_PG_URL (the maintenance database), or NULL */
static int fixture_db_count;          /* databases made so far in this process: the n in the name */

/* Writes base, a postgresql:// URL, to out with its database name (the path after
 * the host) replaced by dbname; a query string is kept:
 * "postgresql://u@h:5433/postgres?x=1" → "postgresql://u@h:5433/DBNAME?x=1". */
static inline void fixture_db_pg_url_with_db(const char *base, const char *dbname, char *out, size_t outlen)
{
    const char *auth = strstr(base, "://");
    const char *path = auth ? strchr(auth + 3, '/') : NULL; /* the '/' before the database */
    const char *query = strchr(base, '?');
    size_t head; /* length of scheme, user and host */

    if (query && path && path > query)
        path = NULL; /* that '/' belongs to the query string */
    head = path ? (size_t)(path - base) : query ? (size_t)(query - base) : strlen(base);
    snprintf(out, outlen, "%.*s/%s%s", (int)head, base, dbname, query ? query : "");
}

/* Runs sql (CREATE or DROP DATABASE) on the server's maintenance database.
 * Returns 0, or -1 after printing why. */
static inline int fixture_db_pg_admin(const char *sql)
{
    char err[256] = "";
    db_t *admin = NULL;
    int rc = -1;

    if (db_open(fixture_db_pg_url, &admin, err, sizeof(err)) != 0) {
        print_error("fixture_db: cannot open %s: %s\n", fixture_db_pg_url, err);
        goto out;
    }
    if (db_exec(admin, sql) != 0) {
        print_error("fixture_db: %s: %s\n", sql, db_errmsg(admin));
        goto out;
    }
    rc = 0;
out:
    db_close(admin);
    return rc;
}

/* nftw callback: removes one entry (called depth first, so files before their directory). */
static inline int fixture_db_remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Closes fx's database, removes its directory, drops its PostgreSQL database and
 * frees fx (NULL is fine). Returns 0, or -1 when the database could not be dropped. */
static inline int fixture_db_free(fixture_db_t *fx)
{
    char sql[128]; /* DROP DATABASE */
    int rc = 0;

    if (!fx)
        return 0;
    db_close(fx->db);
    if (fx->dir[0])
        nftw(fx->dir, fixture_db_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (fx->dbname[0]) {
        /* Identifiers cannot be bound; the name is made only of our own digits. */
        snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", fx->dbname);
        rc = fixture_db_pg_admin(sql);
    }
    free(fx);
    return rc;
}

/* cmocka setup: makes a fresh database on the engine of the running group, opens it,
 * applies migrations (NULL: none) and then runs schema, DDL in the common dialect,
 * mapped for SQLite as migrations are (NULL: none). Stores the fixture_db_t in *state.
 * Returns 0, or -1 after printing why and removing whatever it had made. */
static inline int fixture_db_make(void **state, const migration_t *migrations, const char *schema)
{
    fixture_db_t *fx = calloc(1, sizeof(*fx));
    char err[512] = "";  /* from db_open or migrate_apply */
    char dbname[64];     /* PostgreSQL: the name before the database exists */
    char sql[128];       /* CREATE DATABASE */
    char *mapped = NULL; /* SQLite: schema in SQLite's dialect */
    int rc;

    if (!fx) {
        print_error("fixture_db: out of memory\n");
        return -1;
    }
    fx->engine = fixture_db_engine;
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/rathaus-unit-XXXXXX");
    if (!mkdtemp(fx->dir)) {
        print_error("fixture_db: mkdtemp %s failed\n", fx->dir);
        fx->dir[0] = '\0'; /* nothing to remove */
        goto fail;
    }
    fixture_db_count++;
    if (fx->engine == DB_SQLITE) {
        snprintf(fx->path, sizeof(fx->path), "%s/test.db", fx->dir);
        snprintf(fx->url, sizeof(fx->url), "sqlite:%s", fx->path);
    } else {
        /* Unique on the server: the pid tells processes apart, the count tests. */
        snprintf(dbname, sizeof(dbname), "rathaus_test_%d_%d", (int)getpid(), fixture_db_count);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
        if (fixture_db_pg_admin(sql) != 0)
            goto fail;
        snprintf(fx->dbname, sizeof(fx->dbname), "%s", dbname); /* exists now: drop it on failure */
        fixture_db_pg_url_with_db(fixture_db_pg_url, fx->dbname, fx->url, sizeof(fx->url));
    }
    if (db_open(fx->url, &fx->db, err, sizeof(err)) != 0) {
        print_error("fixture_db: db_open %s: %s\n", fx->url, err);
        goto fail;
    }
    if (migrations && migrate_apply(fx->db, migrations, err, sizeof(err)) < 0) {
        print_error("fixture_db: migrate_apply: %s\n", err);
        goto fail;
    }
    if (schema) {
        mapped = fx->engine == DB_SQLITE ? migrate_ddl_for_sqlite(schema) : NULL;
        rc = db_exec(fx->db, mapped ? mapped : schema);
        free(mapped);
        if (rc != 0) {
            print_error("fixture_db: schema: %s\n", db_errmsg(fx->db));
            goto fail;
        }
    }
    snprintf(fx->cfg.database_url, sizeof(fx->cfg.database_url), "%s", fx->url);
    snprintf(fx->cfg.data_dir, sizeof(fx->cfg.data_dir), "%s/data", fx->dir);
    snprintf(fx->cfg.node_name, sizeof(fx->cfg.node_name), "test");
    *state = fx;
    return 0;

fail:
    fixture_db_free(fx);
    return -1;
}

/* cmocka setup: a fresh, empty database (see fixture_db_make). */
static inline int fixture_db_setup(void **state)
{
    return fixture_db_make(state, NULL, NULL);
}

/* cmocka setup: a fresh database with every built-in migration applied. */
static inline int fixture_db_setup_migrated(void **state)
{
    return fixture_db_make(state, migrations_builtin, NULL);
}

/* cmocka teardown for the setups above: removes everything the fixture made. */
static inline int fixture_db_teardown(void **state)
{
    int rc = fixture_db_free(*state);
    *state = NULL;
    return rc;
}

/* Runs sqlite_tests as the group "<name> on SQLite" and, when RATHAUS_TEST_PG_URL is
 * set, pg_tests as "<name> on PostgreSQL" (pass one array twice for the same tests);
 * otherwise prints "test_<name>: RATHAUS_TEST_PG_URL not set, PostgreSQL part skipped".
 * name is the test file's, without "test_" and ".c": "db" for test_db.c.
 * Returns the number of failed tests. Use the macro fixture_db_run, which counts the
 * arrays as cmocka_run_group_tests_name does. */
static inline int fixture_db_run_groups(const char *name, const struct CMUnitTest *sqlite_tests, size_t sqlite_count,
                                        const struct CMUnitTest *pg_tests, size_t pg_count)
{
    char group[128]; /* the group name cmocka prints */
    int failed;

    fixture_db_pg_url = getenv("RATHAUS_TEST_PG_URL");
    if (fixture_db_pg_url && !*fixture_db_pg_url)
        fixture_db_pg_url = NULL;
    if (!fixture_db_pg_url) {
        printf("test_%s: RATHAUS_TEST_PG_URL not set, PostgreSQL part skipped\n", name);
        fflush(stdout);
    }
    fixture_db_engine = DB_SQLITE;
    snprintf(group, sizeof(group), "%s on SQLite", name);
    failed = _cmocka_run_group_tests(group, sqlite_tests, sqlite_count, NULL, NULL);
    if (fixture_db_pg_url) {
        fixture_db_engine = DB_POSTGRES;
        snprintf(group, sizeof(group), "%s on PostgreSQL", name);
        failed += _cmocka_run_group_tests(group, pg_tests, pg_count, NULL, NULL);
    }
    return failed;
}

#define fixture_db_run(name, sqlite_tests, pg_tests)                                                                   \
    fixture_db_run_groups((name), (sqlite_tests), sizeof(sqlite_tests) / sizeof((sqlite_tests)[0]), (pg_tests),        \
                          sizeof(pg_tests) / sizeof((pg_tests)[0]))

#endif
