/* session_bench.c — what a signed-in request pays to find out who is asking.
 *
 * Sets up a database (SQLite file, or PostgreSQL when a URL is given) with the
 * real migrations, one account with two roles and a unit, and one session; then
 * calls session_load — the function the server runs for every request with a
 * session cookie (three indexed queries) — N times and prints the mean and the
 * 99th percentile in microseconds. Target: under 50 µs.
 *
 *   build/bench/session_bench sqlite:/tmp/x.db [iterations]
 *   build/bench/session_bench postgresql://… [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "db/migrate.h"
#include "modules/account/session.h"
#include "web/auth.h"
#include "web/http.h"

static int64_t now_ns_(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int exec1(db_t *db, const char *sql)
{
    if (db_exec(db, sql) != 0) {
        fprintf(stderr, "session_bench: %s: %s\n", sql, db_errmsg(db));
        return -1;
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: session_bench DATABASE-URL [iterations]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    if (sodium_init() < 0 || n < 100)
        return 2;
    char err[512];
    db_t *db;
    if (db_open(argv[1], &db, err, sizeof(err)) != 0 || migrate_apply(db, migrations_builtin, err, sizeof(err)) < 0) {
        fprintf(stderr, "session_bench: %s\n", err);
        return 1;
    }
    char token[48], hash[SESSION_HASH_HEX], sql[1024];
    session_random_token(token);
    session_hash(token, hash);
    int64_t t = (int64_t)time(NULL);
    if (exec1(db, "INSERT INTO units (slug, name, created_at) VALUES ('bench', 'Bench', 0)") ||
        exec1(db, "INSERT INTO users (email, email_confirmed_at, is_staff, trust_level, display_name, created_at, "
                  "updated_at) VALUES ('bench@rathaus.test', 1, 1, 1, 'Bench', 1, 1)"))
        return 1;
    snprintf(sql, sizeof(sql),
             "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) SELECT '%s', id, %lld, "
             "%lld, %lld FROM users WHERE email = 'bench@rathaus.test'",
             hash, (long long)t, (long long)t, (long long)t + 3600);
    if (exec1(db, sql) ||
        exec1(db, "INSERT INTO user_roles (user_id, role_id, unit_id) SELECT u.id, r.id, 0 FROM users u, roles r "
                  "WHERE u.email = 'bench@rathaus.test' AND r.name IN ('admin', 'sachbearbeitung')") ||
        exec1(db, "INSERT INTO unit_members (unit_id, user_id) SELECT un.id, u.id FROM units un, users u "
                  "WHERE un.slug = 'bench' AND u.email = 'bench@rathaus.test'"))
        return 1;

    config_t cfg;
    config_defaults(&cfg);
    h2o_req_t hreq;
    memset(&hreq, 0, sizeof(hreq));
    hreq.scheme = &H2O_URL_SCHEME_HTTP;
    int64_t *samples = malloc(sizeof(int64_t) * (size_t)n);
    size_t grants = 0;
    for (int i = 0; i < n; i++) {
        arena_t arena;
        arena_init(&arena);
        http_req_t req;
        memset(&req, 0, sizeof(req));
        req.h2o = &hreq;
        req.arena = &arena;
        req.cfg = &cfg;
        req.db = db;
        req.cookies[0].name = "sid";
        req.cookies[0].value = token;
        req.cookie_count = 1;
        int64_t t0 = now_ns_();
        int rc = session_load(&req);
        samples[i] = now_ns_() - t0;
        if (rc != 0 || !req.user) {
            fprintf(stderr, "session_bench: session not found (%d)\n", rc);
            return 1;
        }
        grants = req.user->grant_count;
        arena_clear(&arena);
    }
    qsort(samples, (size_t)n, sizeof(int64_t), cmp_i64);
    /* The reference measured in the same run: one bare round trip to the database. */
    static const char sql_one[] = "SELECT 1";
    int64_t one, rt0 = now_ns_();
    for (int i = 0; i < n; i++)
        db_query_int64(db, sql_one, &one);
    double round_trip_us = (double)(now_ns_() - rt0) / n / 1000.0;
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (double)samples[i];
    printf("session lookup (%s, %zu grants): mean %.1f µs, median %.1f µs, p99 %.1f µs over %d lookups; "
           "one bare SELECT 1 round trip: %.1f µs (ratio %.2f)\n",
           db_engine(db) == DB_SQLITE ? "SQLite" : "PostgreSQL", grants, sum / n / 1000.0,
           (double)samples[n / 2] / 1000.0, (double)samples[(size_t)n * 99 / 100] / 1000.0, n, round_trip_us,
           sum / n / 1000.0 / round_trip_us);
    free(samples);
    db_close(db);
    return 0;
}
