/* test_jobs.c — the job queue: runs due jobs once, retries with backoff, gives up,
 * never runs a job twice at once, takes over abandoned jobs, runner threads.
 *
 * Runs every test on SQLite (a temporary file) and, when RATHAUS_TEST_PG_URL is set,
 * on PostgreSQL (a fresh database per test, dropped afterwards), each with the real
 * migrations applied. Time comes from a test clock (jobs_set_clock), so backoff is
 * checked without sleeping.
 */
/* cmocka needs these three first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/migrate.h"
#include "platform/jobs.h"

#include "fixture_db.h" /* a fresh migrated database per test, on both engines */

/* ---- fixture: fixture_db.h, plus the test clock ---- */

static _Atomic int64_t fake_now; /* the test clock */
static int64_t fake_clock(void)
{
    return atomic_load(&fake_now);
}

/* cmocka setup: a fresh migrated database (fixture_db.h; f->cfg points at it) and
 * the test clock at 1700000000. */
static int fixture_setup(void **state)
{
    if (fixture_db_setup_migrated(state) != 0)
        return -1;
    atomic_store(&fake_now, 1700000000);
    jobs_set_clock(fake_clock);
    return 0;
}

static int fixture_teardown(void **state)
{
    jobs_set_clock(NULL);
    return fixture_db_teardown(state);
}

/* ---- handlers the tests register ---- */

#define MAX_COUNTED 64
static atomic_int ok_calls;             /* test.ok */
static atomic_llong ok_last_n;          /* payload "n" seen by test.ok */
static atomic_int fail_calls;           /* test.fail */
static atomic_int counted[MAX_COUNTED]; /* test.count: runs per payload "i" */
static atomic_int slow_started, slow_finished;

static int handler_ok(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    atomic_fetch_add(&ok_calls, 1);
    atomic_store(&ok_last_n, (long long)json_integer_value(json_object_get(payload, "n")));
    return 0;
}

static int handler_fail(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    atomic_fetch_add(&fail_calls, 1);
    snprintf(err, errlen, "boom: server said \"no\"");
    return JOBS_RETRY;
}

static int handler_give_up(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    snprintf(err, errlen, "record is gone");
    return JOBS_GIVE_UP;
}

static int handler_count(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    json_int_t i = json_integer_value(json_object_get(payload, "i"));
    if (i < 0 || i >= MAX_COUNTED)
        return JOBS_GIVE_UP;
    atomic_fetch_add(&counted[i], 1);
    /* Widen the window in which a second worker could grab the same job. */
    usleep(2000);
    return 0;
}

static int handler_slow(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    atomic_store(&slow_started, 1);
    usleep(300 * 1000);
    atomic_store(&slow_finished, 1);
    return 0;
}

/* Fails with raw bytes in its message, as a misbehaving server's reply might be. */
static int handler_bad_text(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    snprintf(err, errlen, "server said \xff\xfe and \xc3");
    return JOBS_RETRY;
}

/* Fails without saying why. */
static int handler_silent(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    return JOBS_RETRY;
}

static void reset_handlers(void)
{
    atomic_store(&ok_calls, 0);
    atomic_store(&ok_last_n, 0);
    atomic_store(&fail_calls, 0);
    atomic_store(&slow_started, 0);
    atomic_store(&slow_finished, 0);
    for (int i = 0; i < MAX_COUNTED; i++)
        atomic_store(&counted[i], 0);
    assert_int_equal(jobs_register("test.ok", handler_ok), 0);
    assert_int_equal(jobs_register("test.fail", handler_fail), 0);
    assert_int_equal(jobs_register("test.give_up", handler_give_up), 0);
    assert_int_equal(jobs_register("test.count", handler_count), 0);
    assert_int_equal(jobs_register("test.slow", handler_slow), 0);
    assert_int_equal(jobs_register("test.bad_text", handler_bad_text), 0);
    assert_int_equal(jobs_register("test.silent", handler_silent), 0);
}

/* ---- reading a job row ---- */

typedef struct job_row {
    int64_t attempts, run_at, done_at, failed, locked_at; /* done_at/locked_at: -1 when NULL */
    char locked_by[128];
    char last_error[600];
} job_row_t;

static const char sql_job[] = "SELECT attempts, run_at, done_at, failed, locked_by, locked_at, last_error "
                              "FROM jobs WHERE id = $1";

static job_row_t get_job(db_t *db, int64_t id)
{
    job_row_t r;
    db_stmt_t *st = NULL;
    memset(&r, 0, sizeof(r));
    assert_int_equal(db_prepare(db, sql_job, &st), 0);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    r.attempts = db_column_int64(st, 0);
    r.run_at = db_column_int64(st, 1);
    r.done_at = db_column_is_null(st, 2) ? -1 : db_column_int64(st, 2);
    r.failed = db_column_int64(st, 3);
    snprintf(r.locked_by, sizeof(r.locked_by), "%s", db_column_text(st, 4) ? db_column_text(st, 4) : "");
    r.locked_at = db_column_is_null(st, 5) ? -1 : db_column_int64(st, 5);
    snprintf(r.last_error, sizeof(r.last_error), "%s", db_column_text(st, 6) ? db_column_text(st, 6) : "");
    db_reset(st);
    return r;
}

/* ---- tests ---- */

static void test_enqueue_and_run(void **state)
{
    fixture_db_t *f = *state;
    jobs_stats_t before, after;
    reset_handlers();
    jobs_get_stats(&before);

    int64_t id = jobs_enqueue(f->db, "test.ok", "{\"n\": 7}", 0);
    assert_true(id > 0);
    assert_int_equal(jobs_queue_depth(f->db), 1);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    assert_int_equal(atomic_load(&ok_calls), 1);
    assert_int_equal(atomic_load(&ok_last_n), 7);

    job_row_t r = get_job(f->db, id);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.done_at, 1700000000);
    assert_int_equal(r.failed, 0);
    assert_string_equal(r.locked_by, "");
    assert_string_equal(r.last_error, "");

    /* Done means done: it never runs again. */
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 0);
    assert_int_equal(atomic_load(&ok_calls), 1);
    assert_int_equal(jobs_queue_depth(f->db), 0);
    jobs_get_stats(&after);
    assert_int_equal(after.done - before.done, 1);
}

static void test_enqueue_refuses_bad_input(void **state)
{
    fixture_db_t *f = *state;
    char *big = malloc(JOBS_PAYLOAD_MAX + 16);
    size_t n = (size_t)snprintf(big, 16, "{\"x\":\"");
    while (n < JOBS_PAYLOAD_MAX)
        big[n++] = 'a';
    memcpy(big + n, "\"}", 3);

    assert_true(jobs_enqueue(f->db, "Test Kind", "{}", 0) < 0);
    assert_true(jobs_enqueue(f->db, "", "{}", 0) < 0);
    assert_true(jobs_enqueue(f->db, NULL, "{}", 0) < 0);
    assert_true(jobs_enqueue(f->db, "test.ok", "[1]", 0) < 0);
    assert_true(jobs_enqueue(f->db, "test.ok", "not json", 0) < 0);
    assert_true(jobs_enqueue(f->db, "test.ok", big, 0) < 0);
    assert_int_equal(jobs_queue_depth(f->db), 0);
    /* NULL payload means an empty object. */
    assert_true(jobs_enqueue(f->db, "test.ok", NULL, 0) > 0);
    assert_int_equal(jobs_queue_depth(f->db), 1);
    free(big);
}

static void test_future_job_waits(void **state)
{
    fixture_db_t *f = *state;
    reset_handlers();
    int64_t id = jobs_enqueue(f->db, "test.ok", "{}", 1700000060);
    assert_true(id > 0);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 0);
    assert_int_equal(jobs_queue_depth(f->db), 0);
    assert_int_equal(atomic_load(&ok_calls), 0);

    atomic_store(&fake_now, 1700000059);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 0);
    atomic_store(&fake_now, 1700000060);
    assert_int_equal(jobs_queue_depth(f->db), 1);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    assert_int_equal(atomic_load(&ok_calls), 1);
}

static void test_backoff_values(void **state)
{
    assert_int_equal(jobs_backoff(1), 10);
    assert_int_equal(jobs_backoff(2), 20);
    assert_int_equal(jobs_backoff(3), 40);
    assert_int_equal(jobs_backoff(9), 2560);
    assert_int_equal(jobs_backoff(10), 3600); /* 5120 capped */
    assert_int_equal(jobs_backoff(1000000), 3600);
    assert_int_equal(jobs_backoff(INT64_MAX), 3600);
}

static void test_failing_job_retries_then_fails(void **state)
{
    fixture_db_t *f = *state;
    jobs_stats_t before, after;
    reset_handlers();
    jobs_get_stats(&before);
    int64_t id = jobs_enqueue(f->db, "test.fail", "{}", 0);
    assert_true(id > 0);

    /* The schema's default max_attempts is 8: seven retries, then the end. */
    for (int64_t attempt = 1; attempt <= 7; attempt++) {
        int64_t now = atomic_load(&fake_now);
        assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
        job_row_t r = get_job(f->db, id);
        assert_int_equal(r.attempts, attempt);
        assert_int_equal(r.run_at, now + (10 << (attempt - 1)));
        assert_int_equal(r.done_at, -1);
        assert_int_equal(r.failed, 0);
        assert_string_equal(r.locked_by, "");
        assert_string_equal(r.last_error, "boom: server said \"no\"");
        /* Not before its time: one second early it is not due. */
        atomic_store(&fake_now, r.run_at - 1);
        assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 0);
        atomic_store(&fake_now, r.run_at);
    }
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    job_row_t r = get_job(f->db, id);
    assert_int_equal(r.attempts, 8);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.done_at, atomic_load(&fake_now));
    assert_string_equal(r.last_error, "boom: server said \"no\"");
    assert_int_equal(atomic_load(&fail_calls), 8);

    /* Given up means never again, however much time passes. */
    atomic_store(&fake_now, atomic_load(&fake_now) + 86400);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 0);
    assert_int_equal(atomic_load(&fail_calls), 8);
    jobs_get_stats(&after);
    assert_int_equal(after.retried - before.retried, 7);
    assert_int_equal(after.failed - before.failed, 1);
}

static void test_handler_gives_up(void **state)
{
    fixture_db_t *f = *state;
    reset_handlers();
    int64_t id = jobs_enqueue(f->db, "test.give_up", "{}", 0);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    job_row_t r = get_job(f->db, id);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.done_at, 1700000000);
    assert_string_equal(r.last_error, "record is gone");
}

/* Whatever a handler writes as its error, the outcome is recorded: the job must not
 * stay locked because its message could not be stored. */
static void test_error_text_always_recorded(void **state)
{
    fixture_db_t *f = *state;
    reset_handlers();
    int64_t bad = jobs_enqueue(f->db, "test.bad_text", "{}", 0);
    int64_t silent = jobs_enqueue(f->db, "test.silent", "{}", 0);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    job_row_t r = get_job(f->db, bad);
    assert_string_equal(r.last_error, "server said ?? and ?");
    assert_string_equal(r.locked_by, "");
    assert_int_equal(r.run_at, 1700000000 + 10);
    r = get_job(f->db, silent);
    assert_string_equal(r.last_error, "handler failed (rc=-1)");
    assert_string_equal(r.locked_by, "");
}

static void test_unknown_kind_fails_for_good(void **state)
{
    fixture_db_t *f = *state;
    reset_handlers();
    int64_t id = jobs_enqueue(f->db, "test.nobody_handles_this", "{}", 0);
    assert_true(id > 0);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    job_row_t r = get_job(f->db, id);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.done_at, 1700000000);
    assert_non_null(strstr(r.last_error, "unknown job kind 'test.nobody_handles_this'"));
    assert_string_equal(r.locked_by, "");
}

/* Two nodes claiming at the same moment, each inside its own open transaction. On
 * PostgreSQL both transactions are open at once: the second must skip the row the
 * first has locked, not wait for it (statement_timeout turns waiting into a failure)
 * and not take it. SQLite serialises write transactions, so there they follow each
 * other. */
static void test_two_connections_claim_different_jobs(void **state)
{
    fixture_db_t *f = *state;
    db_t *db2 = NULL;
    char err[512];
    jobs_claim_t a, b, c;
    int64_t id1 = jobs_enqueue(f->db, "test.ok", "{}", 0);
    int64_t id2 = jobs_enqueue(f->db, "test.ok", "{}", 0);
    assert_true(id1 > 0 && id2 > id1);
    assert_int_equal(db_open(f->url, &db2, err, sizeof(err)), 0);

    if (f->engine == DB_POSTGRES) {
        assert_int_equal(db_exec(db2, "SET statement_timeout = '5s'"), 0);
        assert_int_equal(db_begin_write(f->db), 0);
        assert_int_equal(db_begin_write(db2), 0);
        assert_int_equal(jobs_claim(f->db, "node-a", 1700000000, &a), 1);
        assert_int_equal(jobs_claim(db2, "node-b", 1700000000, &b), 1);
        /* Both rows are locked by open transactions now: nothing left to claim. */
        assert_int_equal(jobs_claim(db2, "node-b", 1700000000, &c), 0);
        assert_int_equal(db_commit(db2), 0);
        assert_int_equal(db_commit(f->db), 0);
    } else {
        assert_int_equal(db_begin_write(f->db), 0);
        assert_int_equal(jobs_claim(f->db, "node-a", 1700000000, &a), 1);
        assert_int_equal(db_commit(f->db), 0);
        assert_int_equal(db_begin_write(db2), 0);
        assert_int_equal(jobs_claim(db2, "node-b", 1700000000, &b), 1);
        assert_int_equal(jobs_claim(db2, "node-b", 1700000000, &c), 0);
        assert_int_equal(db_commit(db2), 0);
    }
    assert_int_equal(a.id, id1); /* oldest first */
    assert_int_equal(b.id, id2);
    assert_string_equal(a.kind, "test.ok");
    assert_int_equal(a.attempts, 1);
    assert_int_equal(a.max_attempts, 8);
    assert_string_equal(get_job(f->db, id1).locked_by, "node-a");
    assert_string_equal(get_job(f->db, id2).locked_by, "node-b");
    /* Committed locks keep both jobs from a third worker. */
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "node-c"), 0);
    jobs_claim_clear(&a);
    jobs_claim_clear(&b);
    jobs_claim_clear(&c);
    db_close(db2);
}

typedef struct drain_arg {
    const char *url;
    const config_t *cfg;
    const char *worker;
    int ran;   /* jobs this worker ran */
    int error; /* a jobs_run_once < 0 */
} drain_arg_t;

/* A worker with its own connection that runs jobs until none is due. */
static void *drain(void *p)
{
    drain_arg_t *a = p;
    db_t *db = NULL;
    char err[512];
    if (db_open(a->url, &db, err, sizeof(err)) != 0) {
        a->error = 1;
        return NULL;
    }
    for (;;) {
        int rc = jobs_run_once(db, a->cfg, a->worker);
        if (rc < 0) {
            a->error = 1;
            break;
        }
        if (rc == 0)
            break;
        a->ran++;
    }
    db_close(db);
    return NULL;
}

static void test_two_workers_never_run_a_job_twice(void **state)
{
    fixture_db_t *f = *state;
    enum { JOBS = 40 };
    pthread_t t1, t2;
    drain_arg_t a1 = {f->url, &f->cfg, "worker-1", 0, 0};
    drain_arg_t a2 = {f->url, &f->cfg, "worker-2", 0, 0};
    reset_handlers();
    for (int i = 0; i < JOBS; i++) {
        char payload[32];
        snprintf(payload, sizeof(payload), "{\"i\": %d}", i);
        assert_true(jobs_enqueue(f->db, "test.count", payload, 0) > 0);
    }
    assert_int_equal(pthread_create(&t1, NULL, drain, &a1), 0);
    assert_int_equal(pthread_create(&t2, NULL, drain, &a2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(a1.error, 0);
    assert_int_equal(a2.error, 0);
    assert_int_equal(a1.ran + a2.ran, JOBS);
    for (int i = 0; i < JOBS; i++)
        assert_int_equal(atomic_load(&counted[i]), 1);
    assert_int_equal(jobs_queue_depth(f->db), 0);
}

static void test_abandoned_lock_is_reclaimed(void **state)
{
    fixture_db_t *f = *state;
    jobs_claim_t dead;
    reset_handlers();
    int64_t id = jobs_enqueue(f->db, "test.ok", "{\"n\": 3}", 0);

    /* A node claims the job and dies before running it. */
    assert_int_equal(db_begin_write(f->db), 0);
    assert_int_equal(jobs_claim(f->db, "dead-node", 1700000000, &dead), 1);
    assert_int_equal(db_commit(f->db), 0);
    jobs_claim_clear(&dead);

    atomic_store(&fake_now, 1700000000 + JOBS_LOCK_TIMEOUT - 1);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "live-node"), 0);
    assert_int_equal(jobs_queue_depth(f->db), 1); /* due, not done: still counted */
    atomic_store(&fake_now, 1700000000 + JOBS_LOCK_TIMEOUT + 1);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "live-node"), 1);
    assert_int_equal(atomic_load(&ok_calls), 1);
    assert_int_equal(atomic_load(&ok_last_n), 3);
    job_row_t r = get_job(f->db, id);
    assert_int_equal(r.attempts, 2);
    assert_true(r.done_at > 0);
    assert_int_equal(r.failed, 0);
}

/* A job that kills its worker every time is given up, not run forever. */
static void test_job_abandoned_too_often_gives_up(void **state)
{
    fixture_db_t *f = *state;
    static const char sql_max1[] = "UPDATE jobs SET max_attempts = 1 WHERE id = $1";
    db_stmt_t *st = NULL;
    jobs_claim_t dead;
    reset_handlers();
    int64_t id = jobs_enqueue(f->db, "test.ok", "{}", 0);
    assert_int_equal(db_prepare(f->db, sql_max1, &st), 0);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);

    assert_int_equal(jobs_claim(f->db, "dead-node", 1700000000, &dead), 1);
    jobs_claim_clear(&dead);
    atomic_store(&fake_now, 1700000000 + JOBS_LOCK_TIMEOUT + 1);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "live-node"), 1);
    assert_int_equal(atomic_load(&ok_calls), 0);
    job_row_t r = get_job(f->db, id);
    assert_int_equal(r.failed, 1);
    assert_non_null(strstr(r.last_error, "workers that died"));
}

/* Polls for up to 5 s until job id is done. */
static int wait_done(db_t *db, int64_t id)
{
    for (int i = 0; i < 500; i++) {
        if (get_job(db, id).done_at > 0)
            return 1;
        usleep(10 * 1000);
    }
    return 0;
}

static void test_runner_threads(void **state)
{
    fixture_db_t *f = *state;
    char err[512] = "";
    reset_handlers();
    jobs_set_clock(NULL); /* real threads, real time */

    jobs_runner_t *r = jobs_start(&f->cfg, 2, err, sizeof(err));
    if (!r)
        fail_msg("jobs_start: %s", err);
    int64_t id1 = jobs_enqueue(f->db, "test.ok", "{\"n\": 11}", 0);
    assert_true(wait_done(f->db, id1));
    assert_int_equal(atomic_load(&ok_calls), 1);
    assert_int_equal(atomic_load(&ok_last_n), 11);

    /* Stopping while a job runs lets it finish and record its outcome. */
    int64_t id2 = jobs_enqueue(f->db, "test.slow", "{}", 0);
    for (int i = 0; i < 500 && !atomic_load(&slow_started); i++)
        usleep(10 * 1000);
    assert_true(atomic_load(&slow_started));
    jobs_stop(r);
    assert_true(atomic_load(&slow_finished));
    job_row_t row = get_job(f->db, id2);
    assert_true(row.done_at > 0);
    assert_int_equal(row.failed, 0);
    assert_string_equal(row.locked_by, "");

    /* Nothing runs once stopped. */
    int64_t id3 = jobs_enqueue(f->db, "test.ok", "{}", 0);
    usleep(100 * 1000);
    assert_int_equal(get_job(f->db, id3).done_at, -1);
    jobs_stop(NULL);
}

static void test_runner_reports_bad_config(void **state)
{
    fixture_db_t *f = *state;
    config_t cfg = f->cfg;
    char err[512] = "";
    assert_null(jobs_start(&cfg, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "threads"));
    assert_null(jobs_start(&cfg, JOBS_MAX_THREADS + 1, err, sizeof(err)));
    snprintf(cfg.database_url, sizeof(cfg.database_url), "nosuchdb:x");
    err[0] = '\0';
    assert_null(jobs_start(&cfg, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot open database"));
}

static void test_register_limits(void **state)
{
    assert_true(jobs_register("Bad Kind", handler_ok) < 0);
    assert_true(jobs_register("test.ok", NULL) < 0);
    assert_true(jobs_register("", handler_ok) < 0);
    char longname[JOBS_KIND_MAX + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_true(jobs_register(longname, handler_ok) < 0);
    longname[JOBS_KIND_MAX] = '\0';
    assert_int_equal(jobs_register(longname, handler_ok), 0);
    /* Fill every slot; one more kind does not fit, re-registering still works. */
    int filled = 0;
    for (int i = 0; i < JOBS_MAX_KINDS * 2; i++) {
        char kind[32];
        snprintf(kind, sizeof(kind), "test.fill%d", i);
        if (jobs_register(kind, handler_ok) == 0)
            filled++;
    }
    assert_true(filled < JOBS_MAX_KINDS);
    assert_true(jobs_register("test.one_too_many", handler_ok) < 0);
    assert_int_equal(jobs_register("test.ok", handler_ok), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enqueue_and_run, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_enqueue_refuses_bad_input, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_future_job_waits, fixture_setup, fixture_teardown),
        cmocka_unit_test(test_backoff_values),
        cmocka_unit_test_setup_teardown(test_failing_job_retries_then_fails, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_handler_gives_up, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_error_text_always_recorded, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_kind_fails_for_good, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_connections_claim_different_jobs, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_workers_never_run_a_job_twice, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_abandoned_lock_is_reclaimed, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_job_abandoned_too_often_gives_up, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_runner_threads, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_runner_reports_bad_config, fixture_setup, fixture_teardown),
        /* Last: it fills the handler registry. */
        cmocka_unit_test(test_register_limits),
    };
    return fixture_db_run("jobs", tests, tests) ? 1 : 0;
}
