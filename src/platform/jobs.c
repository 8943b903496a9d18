/* jobs.c — the persistent job queue and its runner threads (see jobs.h).
 *
 * Design: the table is the queue. A worker claims a job in one short write
 * transaction (the UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) below sets
 * locked_by/locked_at and counts the attempt), commits, and only then runs the
 * handler, so no database lock is held while a job talks to an SMTP server. The
 * outcome is written with one more statement. A node that dies mid-job leaves a
 * lock behind; after JOBS_LOCK_TIMEOUT seconds any worker may claim the job again.
 *
 * Runner threads sleep on one process-wide condition variable; jobs_wake (called by
 * jobs_enqueue) cuts the sleep short so that a job queued by a request runs at once
 * rather than after the next poll. Other nodes find it on their next poll (500 ms).
 */
#include "platform/jobs.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/utf8.h"

#define POLL_MS 500         /* longest sleep between polls of the queue */
#define ERROR_PAUSE_MS 2000 /* pause after a database error, so a dead server is not hammered */
#define ERR_MAX 512         /* bytes of last_error we keep */

/* ---- handler registry ------------------------------------------------------- */

typedef struct handler_slot {
    char kind[JOBS_KIND_MAX + 1];
    job_handler_fn fn;
} handler_slot_t;

/* Written at start-up, read by every runner thread: the mutex makes a late
 * registration safe too, and costs nothing next to a database round trip. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static handler_slot_t registry[JOBS_MAX_KINDS];
static int registry_count;

/* Kind names end up in logs and metrics labels: keep them to a plain alphabet. */
static int kind_valid(const char *kind)
{
    size_t n = kind ? strlen(kind) : 0;
    if (n == 0 || n > JOBS_KIND_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = kind[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

int jobs_register(const char *kind, job_handler_fn fn)
{
    int rc = -1;
    if (!kind_valid(kind) || !fn)
        return -1;
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < registry_count; i++) {
        if (strcmp(registry[i].kind, kind) == 0) {
            registry[i].fn = fn;
            rc = 0;
            goto out;
        }
    }
    if (registry_count < JOBS_MAX_KINDS) {
        snprintf(registry[registry_count].kind, sizeof(registry[0].kind), "%s", kind);
        registry[registry_count].fn = fn;
        registry_count++;
        rc = 0;
    }
out:
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

static job_handler_fn handler_for(const char *kind)
{
    job_handler_fn fn = NULL;
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < registry_count; i++) {
        if (strcmp(registry[i].kind, kind) == 0) {
            fn = registry[i].fn;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return fn;
}

/* ---- clock, counters, logging -------------------------------------------------- */

static int64_t clock_default(void)
{
    return (int64_t)time(NULL);
}

static _Atomic(jobs_clock_fn) clock_fn = clock_default;

void jobs_set_clock(jobs_clock_fn fn)
{
    atomic_store(&clock_fn, fn ? fn : clock_default);
}

int64_t jobs_now(void)
{
    return atomic_load(&clock_fn)();
}

static atomic_uint_fast64_t stat_done, stat_failed, stat_retried;

void jobs_get_stats(jobs_stats_t *out)
{
    out->done = atomic_load(&stat_done);
    out->failed = atomic_load(&stat_failed);
    out->retried = atomic_load(&stat_retried);
}

/* One log line about a job: message, job id, kind, and the error when there is one. */
static void log_job(enum log_level level, const char *msg, int64_t id, const char *kind, const char *error)
{
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    if (error)
        log_kv(level, msg, "job", idtext, "kind", kind, "error", error, NULL);
    else
        log_kv(level, msg, "job", idtext, "kind", kind, NULL);
}

/* ---- enqueue ---------------------------------------------------------------------- */

static const char sql_enqueue[] = "INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4) "
                                  "RETURNING id";

int64_t jobs_enqueue(db_t *db, const char *kind, const char *payload_json, int64_t run_at)
{
    int64_t id = -1;      /* result */
    db_stmt_t *st = NULL; /* the cached INSERT */
    json_t *parsed = NULL;
    const char *payload = payload_json ? payload_json : "{}";
    int64_t now = jobs_now();

    if (!kind_valid(kind) || strlen(payload) > JOBS_PAYLOAD_MAX)
        goto out;
    /* Refuse a payload no handler could read now rather than fail the job later. */
    parsed = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(parsed))
        goto out;
    if (run_at <= 0)
        run_at = now;
    if (db_prepare(db, sql_enqueue, &st) != 0)
        goto out;
    db_bind_text(st, 1, kind, -1);
    db_bind_text(st, 2, payload, -1);
    db_bind_int64(st, 3, run_at);
    db_bind_int64(st, 4, now);
    if (db_step(st) == DB_ROW)
        id = db_column_int64(st, 0);
    db_reset(st);
    if (id > 0 && run_at <= now)
        jobs_wake();
out:
    json_decref(parsed);
    return id;
}

/* ---- claim ------------------------------------------------------------------------ */

/* $1 worker, $2 now, $3 oldest lock still held (now - JOBS_LOCK_TIMEOUT).
 * SKIP LOCKED lets concurrent nodes pass over a row another one is claiming instead
 * of waiting for it and then finding it taken; SQLite drops the clause and
 * serialises the write transactions instead. */
static const char sql_claim[] = "UPDATE jobs SET locked_by = $1, locked_at = $2, attempts = attempts + 1 "
                                "WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $2 "
                                "AND (locked_at IS NULL OR locked_at < $3) ORDER BY run_at, id LIMIT 1 "
                                "FOR UPDATE SKIP LOCKED) "
                                "RETURNING id, kind, payload, attempts, max_attempts";

int jobs_claim(db_t *db, const char *worker_id, int64_t now, jobs_claim_t *out)
{
    int rc;               /* result */
    db_stmt_t *st = NULL; /* the cached claim UPDATE */

    memset(out, 0, sizeof(*out));
    if (db_prepare(db, sql_claim, &st) != 0)
        return DB_ERROR;
    if (db_bind_text(st, 1, worker_id, -1) != 0) {
        db_reset(st);
        return DB_ERROR;
    }
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, now - JOBS_LOCK_TIMEOUT);
    rc = db_step(st);
    if (rc == DB_ROW) {
        const char *payload = db_column_text(st, 2);
        out->id = db_column_int64(st, 0);
        snprintf(out->kind, sizeof(out->kind), "%s", db_column_text(st, 1) ? db_column_text(st, 1) : "");
        out->payload = strdup(payload ? payload : "{}");
        out->attempts = db_column_int64(st, 3);
        out->max_attempts = db_column_int64(st, 4);
        rc = out->payload ? 1 : DB_ERROR;
    }
    db_reset(st);
    return rc;
}

void jobs_claim_clear(jobs_claim_t *c)
{
    free(c->payload);
    memset(c, 0, sizeof(*c));
}

int64_t jobs_backoff(int64_t attempts)
{
    int64_t delay = 10;
    /* 10 · 2^9 = 5120 already passes the cap: stop doubling before it can overflow. */
    for (int64_t i = 1; i < attempts && delay < 3600; i++)
        delay *= 2;
    return delay < 3600 ? delay : 3600;
}

/* ---- outcome ---------------------------------------------------------------------- */

/* Success wins even when the lock was meanwhile taken over: the work is done. */
static const char sql_done[] = "UPDATE jobs SET done_at = $2, locked_by = NULL, locked_at = NULL, last_error = NULL "
                               "WHERE id = $1";
/* Failure only touches a job this worker still holds, so a late worker whose lock
 * was taken over cannot reschedule a job that another one is running or finished. */
static const char sql_retry[] = "UPDATE jobs SET run_at = $2, locked_by = NULL, locked_at = NULL, last_error = $3 "
                                "WHERE id = $1 AND locked_by = $4 AND done_at IS NULL";
static const char sql_give_up[] = "UPDATE jobs SET failed = 1, done_at = $2, locked_by = NULL, locked_at = NULL, "
                                  "last_error = $3 WHERE id = $1 AND locked_by = $4 AND done_at IS NULL";

/* Runs one outcome statement: $1 id, $2 time, then optional $3 error, $4 worker. */
static int record(db_t *db, const char *sql, int64_t id, int64_t t, const char *error, const char *worker_id)
{
    db_stmt_t *st = NULL;
    int rc = 0;
    if (db_prepare(db, sql, &st) != 0)
        return DB_ERROR;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, t);
    if (error && (db_bind_text(st, 3, error, -1) != 0 || db_bind_text(st, 4, worker_id, -1) != 0))
        rc = DB_ERROR;
    if (rc == 0)
        rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : rc;
}

/* Makes a handler's error message valid UTF-8 in place, as the database requires:
 * every byte that does not belong to a valid character (a sequence cut at ERR_MAX,
 * raw bytes a server sent) becomes '?'. */
static void clean_error(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char lead = (unsigned char)s[i];
        size_t seq = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (i + seq <= n && utf8_valid(s + i, seq)) {
            i += seq;
            continue;
        }
        s[i++] = '?';
    }
}

int jobs_run_once(db_t *db, const config_t *cfg, const char *worker_id)
{
    int rc;                 /* result */
    jobs_claim_t job;       /* the claimed job */
    json_t *payload = NULL; /* its parsed payload */
    job_handler_fn fn;      /* its handler, NULL for an unknown kind */
    char err[ERR_MAX] = ""; /* why the job failed */
    int outcome;            /* handler result, or JOBS_GIVE_UP for our own refusals */
    int64_t now = jobs_now();

    memset(&job, 0, sizeof(job));
    if (db_begin_write(db) != 0)
        return DB_ERROR;
    rc = jobs_claim(db, worker_id, now, &job);
    if (rc < 0) {
        db_rollback(db);
        goto out;
    }
    if (db_commit(db) != 0) {
        /* A failed COMMIT may leave the transaction open (SQLite when busy): end it, or
         * this connection would hold the write lock until its next statement. */
        db_rollback(db);
        rc = DB_ERROR;
        goto out;
    }
    if (rc == 0)
        goto out;

    fn = handler_for(job.kind);
    payload = json_loads(job.payload, 0, NULL);
    if (!fn) {
        snprintf(err, sizeof(err), "unknown job kind '%s' (no handler registered)", job.kind);
        outcome = JOBS_GIVE_UP;
    } else if (!json_is_object(payload)) {
        snprintf(err, sizeof(err), "payload is not a JSON object");
        outcome = JOBS_GIVE_UP;
    } else if (job.attempts > job.max_attempts) {
        /* Only a job whose worker died every time gets here (the lock expired and it was
         * claimed again): running it again would likely kill this worker too. */
        snprintf(err, sizeof(err), "claimed %lld times by workers that died; giving up", (long long)job.attempts - 1);
        outcome = JOBS_GIVE_UP;
    } else {
        outcome = fn(db, cfg, payload, err, sizeof(err));
        if (outcome < 0 && err[0] == '\0')
            snprintf(err, sizeof(err), "handler failed (rc=%d)", outcome);
    }
    clean_error(err);

    rc = 1;
    now = jobs_now();
    if (outcome >= 0) {
        atomic_fetch_add(&stat_done, 1);
        if (record(db, sql_done, job.id, now, NULL, NULL) != 0)
            rc = DB_ERROR;
    } else if (outcome == JOBS_GIVE_UP || job.attempts >= job.max_attempts) {
        atomic_fetch_add(&stat_failed, 1);
        log_job(LOG_ERROR, "job failed for good", job.id, job.kind, err);
        if (record(db, sql_give_up, job.id, now, err, worker_id) != 0)
            rc = DB_ERROR;
    } else {
        atomic_fetch_add(&stat_retried, 1);
        log_job(LOG_WARN, "job failed, will retry", job.id, job.kind, err);
        if (record(db, sql_retry, job.id, now + jobs_backoff(job.attempts), err, worker_id) != 0)
            rc = DB_ERROR;
    }
    if (rc < 0)
        log_job(LOG_ERROR, "could not record job outcome", job.id, job.kind, db_errmsg(db));
out:
    json_decref(payload);
    jobs_claim_clear(&job);
    return rc;
}

static const char sql_depth[] = "SELECT count(*) FROM jobs WHERE done_at IS NULL AND run_at <= $1";

int64_t jobs_queue_depth(db_t *db)
{
    db_stmt_t *st = NULL;
    int64_t n = -1;
    if (db_prepare(db, sql_depth, &st) != 0)
        return -1;
    db_bind_int64(st, 1, jobs_now());
    if (db_step(st) == DB_ROW)
        n = db_column_int64(st, 0);
    db_reset(st);
    return n;
}

/* ---- runner threads ---------------------------------------------------------------- */

/* One condition variable for the process: jobs_wake does not know the runners. The
 * generation counter closes the gap between "found nothing" and "went to sleep": a
 * wake in between changes it, and the thread does not sleep. */
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond; /* CLOCK_MONOTONIC, set up once by wake_init */
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static uint64_t wake_generation;

static void wake_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wake_cond, &attr);
    pthread_condattr_destroy(&attr);
}

void jobs_wake(void)
{
    pthread_once(&wake_once, wake_init);
    pthread_mutex_lock(&wake_lock);
    wake_generation++;
    pthread_cond_broadcast(&wake_cond);
    pthread_mutex_unlock(&wake_lock);
}

typedef struct worker {
    struct jobs_runner *runner;
    pthread_t thread;
    int started;  /* 1 once pthread_create succeeded */
    db_t *db;     /* this thread's own connection */
    char id[128]; /* "node:pid:runner.thread", the jobs.locked_by value */
} worker_t;

struct jobs_runner {
    config_t cfg;        /* copy: the caller's may go away */
    atomic_int stopping; /* set by jobs_stop */
    int count;
    worker_t workers[];
};

static uint64_t wake_generation_now(void)
{
    pthread_mutex_lock(&wake_lock);
    uint64_t g = wake_generation;
    pthread_mutex_unlock(&wake_lock);
    return g;
}

/* Sleeps up to ms, or until jobs_wake/jobs_stop moves the generation past seen. */
static void wait_for_work(uint64_t seen, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&wake_lock);
    while (wake_generation == seen) {
        if (pthread_cond_timedwait(&wake_cond, &wake_lock, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&wake_lock);
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    struct jobs_runner *r = w->runner;
    while (!atomic_load(&r->stopping)) {
        uint64_t seen = wake_generation_now();
        int rc = jobs_run_once(w->db, &r->cfg, w->id);
        if (rc == 1)
            continue; /* there may be more due: ask again at once */
        if (rc < 0) {
            log_job(LOG_WARN, "job queue unavailable", 0, "", db_errmsg(w->db));
            wait_for_work(seen, ERROR_PAUSE_MS);
        } else {
            wait_for_work(seen, POLL_MS);
        }
    }
    return NULL;
}

/* Closes connections and frees r; threads must have been joined. */
static void runner_free(struct jobs_runner *r)
{
    for (int i = 0; i < r->count; i++)
        db_close(r->workers[i].db);
    free(r);
}

jobs_runner_t *jobs_start(const config_t *cfg, int threads, char *err, size_t errlen)
{
    struct jobs_runner *r = NULL;
    sigset_t all, old; /* runner threads take no signals: the main thread handles them */
    int masked = 0;
    /* Distinguishes runners in one process (tests start several), so worker ids stay unique. */
    static atomic_uint runner_seq;
    unsigned runner_no = atomic_fetch_add(&runner_seq, 1);

    pthread_once(&wake_once, wake_init);
    if (threads < 1 || threads > JOBS_MAX_THREADS) {
        snprintf(err, errlen, "jobs: threads must be 1..%d, not %d", JOBS_MAX_THREADS, threads);
        return NULL;
    }
    r = calloc(1, sizeof(*r) + (size_t)threads * sizeof(worker_t));
    if (!r) {
        snprintf(err, errlen, "jobs: out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    r->count = threads;
    /* Open every connection before any thread starts, so that a bad URL is reported
     * here, to the caller, rather than logged by a thread nobody watches. */
    for (int i = 0; i < threads; i++) {
        worker_t *w = &r->workers[i];
        char dberr[256] = "";
        w->runner = r;
        snprintf(w->id, sizeof(w->id), "%s:%ld:%u.%d", cfg->node_name[0] ? cfg->node_name : "node", (long)getpid(),
                 runner_no, i);
        if (db_open(cfg->database_url, &w->db, dberr, sizeof(dberr)) != 0) {
            snprintf(err, errlen, "jobs: cannot open database: %s", dberr);
            w->db = NULL;
            goto fail;
        }
    }
    sigfillset(&all);
    masked = pthread_sigmask(SIG_BLOCK, &all, &old) == 0;
    for (int i = 0; i < threads; i++) {
        worker_t *w = &r->workers[i];
        int e = pthread_create(&w->thread, NULL, worker_main, w);
        if (e != 0) {
            snprintf(err, errlen, "jobs: cannot start thread: %s", strerror(e));
            goto fail;
        }
        w->started = 1;
    }
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r;

fail:
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    atomic_store(&r->stopping, 1);
    jobs_wake();
    for (int i = 0; i < threads; i++) {
        if (r->workers[i].started)
            pthread_join(r->workers[i].thread, NULL);
    }
    runner_free(r);
    return NULL;
}

void jobs_stop(jobs_runner_t *r)
{
    if (!r)
        return;
    atomic_store(&r->stopping, 1);
    jobs_wake();
    for (int i = 0; i < r->count; i++) {
        if (r->workers[i].started)
            pthread_join(r->workers[i].thread, NULL);
    }
    runner_free(r);
}
