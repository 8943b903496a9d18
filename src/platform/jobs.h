/* jobs.h — the persistent job queue: work that must happen later, outside a request.
 *
 * Jobs live in the `jobs` table, so any node sharing the database may run any job,
 * and a job survives a restart. A job has a kind ("mail.send") and a JSON payload;
 * each process registers one handler per kind before it starts its runner threads.
 *
 *   jobs_register("mail.send", mail_send_job);             // at start-up
 *   jobs_runner_t *r = jobs_start(&cfg, cfg.job_threads, err, sizeof err);
 *   jobs_enqueue(db, "mail.send", "{\"id\":7}", 0);          // in a request
 *   ...
 *   jobs_stop(r);                                            // at shutdown
 *
 * Claiming is safe with several nodes on one PostgreSQL: a worker marks a job as
 * locked by itself in one short transaction (FOR UPDATE SKIP LOCKED), then runs it
 * outside any transaction. A lock older than JOBS_LOCK_TIMEOUT seconds counts as
 * abandoned by a dead node, and the job is claimed again — so a handler must finish
 * well within that time, and should be idempotent, because a crash after the work
 * but before the job is marked done runs it once more.
 *
 * A failing handler is retried with exponential backoff (10 s, 20 s, 40 s …, at most
 * one hour) until the job's max_attempts; then it is marked failed and kept with its
 * last_error for the operator. All timestamps are Unix seconds (UTC).
 */
#ifndef RATHAUS_PLATFORM_JOBS_H
#define RATHAUS_PLATFORM_JOBS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "db/db.h"

#define JOBS_MAX_KINDS 64
#define JOBS_KIND_MAX 63             /* bytes in a kind name: [a-z0-9._-] */
#define JOBS_PAYLOAD_MAX (64 * 1024) /* bytes of JSON payload */
#define JOBS_LOCK_TIMEOUT 300        /* seconds until a lock counts as abandoned */
#define JOBS_MAX_THREADS 64

/* Handler results besides 0 ("done"). */
#define JOBS_RETRY (-1)   /* failed for now: retry after the backoff */
#define JOBS_GIVE_UP (-2) /* failed for good (bad payload, gone record): no retry */

/* A job handler. payload is the parsed JSON (borrowed: do not decref). On failure
 * write a one-line reason into err (it becomes jobs.last_error). Returns 0 when the
 * job is done, JOBS_RETRY (or any other negative) to retry later, JOBS_GIVE_UP to
 * fail at once. Runs on a runner thread with that thread's own db. */
typedef int (*job_handler_fn)(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen);

/* Registers the handler for kind (copied). Call before jobs_start; registering a
 * kind again replaces its handler. Returns 0, or < 0 for a bad name or when all
 * JOBS_MAX_KINDS slots are taken. */
int jobs_register(const char *kind, job_handler_fn fn);

/* Adds a job to run at or after run_at (Unix seconds; 0 or less: now). payload_json
 * must be a JSON object of at most JOBS_PAYLOAD_MAX bytes (NULL means "{}"). Works
 * inside the caller's transaction, so a job can be queued together with the rows it
 * is about. Wakes the local runner when the job is due now. Returns the job id
 * (> 0) or < 0 for bad arguments or a database error. */
int64_t jobs_enqueue(db_t *db, const char *kind, const char *payload_json, int64_t run_at);

/* Claims one due job for worker_id and runs it on this thread, then records the
 * outcome (done, retry with backoff, failed). Must not be called inside an open
 * transaction: it takes its own short write transaction for the claim and runs the
 * handler outside it. Returns 1 when a job ran (whatever its outcome), 0 when none
 * was due, < 0 on a database error. */
int jobs_run_once(db_t *db, const config_t *cfg, const char *worker_id);

/* One claimed job, as jobs_claim returns it. */
typedef struct jobs_claim {
    int64_t id;
    int64_t attempts; /* including this one */
    int64_t max_attempts;
    char kind[JOBS_KIND_MAX + 1]; /* truncated kinds never match a handler */
    char *payload;                /* malloc'd JSON text; free with jobs_claim_clear */
} jobs_claim_t;

/* The claim step of jobs_run_once, exposed so that tests can claim inside their own
 * open transactions, as two nodes do. Runs in the caller's transaction (or on its
 * own). Returns 1 with *out filled, 0 when no job is due, < 0 on a database error. */
int jobs_claim(db_t *db, const char *worker_id, int64_t now, jobs_claim_t *out);
void jobs_claim_clear(jobs_claim_t *c);

/* Seconds to wait before the next attempt after attempt number `attempts` failed:
 * 10 s · 2^(attempts-1), at most 3600 s. */
int64_t jobs_backoff(int64_t attempts);

/* The clock every timestamp of the queue comes from (default: time()). Tests set
 * their own to move time without sleeping; NULL restores the default. Set it
 * before runner threads start. jobs_now() reads it. */
typedef int64_t (*jobs_clock_fn)(void);
void jobs_set_clock(jobs_clock_fn fn);
int64_t jobs_now(void);

/* Runner threads: each opens its own db_t from cfg->database_url and loops — run
 * due jobs, else sleep up to 500 ms or until jobs_wake. threads is 1..64. cfg is
 * copied. Returns NULL with a message in err when a connection cannot be opened
 * or a thread cannot start; nothing is left running then. */
typedef struct jobs_runner jobs_runner_t;
jobs_runner_t *jobs_start(const config_t *cfg, int threads, char *err, size_t errlen);
/* Wakes every sleeping runner thread of this process (after an enqueue). */
void jobs_wake(void);
/* Stops the runner: each thread finishes the job it is running, then exits; joins
 * them, closes their connections and frees r. NULL is a no-op. */
void jobs_stop(jobs_runner_t *r);

/* Process-wide counters since start, for /metrics. */
typedef struct jobs_stats {
    uint64_t done;    /* jobs that succeeded */
    uint64_t failed;  /* jobs given up (max_attempts, unknown kind, JOBS_GIVE_UP) */
    uint64_t retried; /* failed attempts that were scheduled again */
} jobs_stats_t;
void jobs_get_stats(jobs_stats_t *out);

/* Jobs due now and not done (including those running), for /metrics; < 0 on error. */
int64_t jobs_queue_depth(db_t *db);

#endif
