/* events.c — publishing events and the reader thread that passes them on (see events.h). */
#include "platform/events.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define READ_BATCH 200
#define PRUNE_EVERY_S 3600
#define KEEP_EVENTS_S 86400 /* a day of replay is plenty for reconnecting clients */

static const char sql_insert[] =
    "INSERT INTO events (topic, data, created_at) VALUES ($1, $2, $3) RETURNING id";
static const char sql_after[] = "SELECT id, topic, data FROM events WHERE id > $1 ORDER BY id LIMIT $2";
static const char sql_max[] = "SELECT COALESCE(MAX(id), 0) FROM events";
static const char sql_prune[] = "DELETE FROM events WHERE created_at < $1";

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;  /* SQLite: publishers in this process wake the reader */
    atomic_int running;
    atomic_llong last_id;
    events_sink_fn sink;
    void *ctx;
    char url[512];
    int started;
} ev = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

int64_t events_publish(db_t *db, const char *topic, const char *data_json)
{
    db_stmt_t *st;
    int64_t id = -1;
    if (db_prepare(db, sql_insert, &st) != 0)
        return -1;
    db_bind_text(st, 1, topic, -1);
    db_bind_text(st, 2, data_json, -1);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    if (db_step(st) == DB_ROW)
        id = db_column_int64(st, 0);
    db_reset(st);
    if (id < 0)
        return -1;
    if (db_engine(db) == DB_POSTGRES) {
        db_notify(db, EVENTS_CHANNEL, "");
    } else {
        pthread_mutex_lock(&ev.lock);
        pthread_cond_signal(&ev.wake);
        pthread_mutex_unlock(&ev.lock);
    }
    return id;
}

int events_replay(db_t *db, int64_t after, events_replay_t *out, int max, arena_t *a)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_after, &st) != 0)
        return -1;
    db_bind_int64(st, 1, after);
    db_bind_int64(st, 2, max);
    int n = 0, rc;
    while (n < max && (rc = db_step(st)) == DB_ROW) {
        out[n].id = db_column_int64(st, 0);
        out[n].topic = arena_strdup(a, db_column_text(st, 1));
        out[n].data = arena_strdup(a, db_column_text(st, 2));
        n++;
    }
    db_reset(st);
    return n;
}

int events_prune(db_t *db, int64_t max_age_s)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_prune, &st) != 0)
        return -1;
    db_bind_int64(st, 1, (int64_t)time(NULL) - max_age_s);
    int rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int64_t events_last_id(void) { return atomic_load(&ev.last_id); }

/* Reads everything newer than last_id and passes it on; returns rows read or < 0. */
static int read_new(db_t *db)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_after, &st) != 0)
        return -1;
    db_bind_int64(st, 1, atomic_load(&ev.last_id));
    db_bind_int64(st, 2, READ_BATCH);
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        ev.sink(ev.ctx, id, db_column_text(st, 1), db_column_text(st, 2));
        atomic_store(&ev.last_id, id);
        n++;
    }
    db_reset(st);
    return rc < 0 ? rc : n;
}

static void *reader_main(void *arg)
{
    (void)arg;
    db_t *db = NULL;
    char err[256];
    time_t next_prune = time(NULL) + 60;
    while (atomic_load(&ev.running)) {
        if (!db) {
            if (db_open(ev.url, &db, err, sizeof(err)) != 0) {
                db = NULL;
                struct timespec ts = {1, 0};
                nanosleep(&ts, NULL);
                continue;
            }
            if (db_engine(db) == DB_POSTGRES && db_listen(db, EVENTS_CHANNEL) != 0) {
                log_kv(LOG_WARN, "events: LISTEN failed", "error", db_errmsg(db), NULL);
                db_close(db);
                db = NULL;
                continue;
            }
        }
        int rc = read_new(db);
        if (rc == READ_BATCH)
            continue; /* more waiting */
        if (rc < 0) {
            log_kv(LOG_WARN, "events: read failed, reconnecting", "error", db_errmsg(db), NULL);
            db_close(db);
            db = NULL;
            continue;
        }
        if (time(NULL) >= next_prune) {
            events_prune(db, KEEP_EVENTS_S);
            next_prune = time(NULL) + PRUNE_EVERY_S;
        }
        if (db_engine(db) == DB_POSTGRES) {
            /* NOTIFY wakes us at once; the timeout only bounds how long stop waits. */
            if (db_wait_notify(db, 250) < 0) {
                db_close(db);
                db = NULL;
            }
        } else {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 250 * 1000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            pthread_mutex_lock(&ev.lock);
            pthread_cond_timedwait(&ev.wake, &ev.lock, &until);
            pthread_mutex_unlock(&ev.lock);
        }
    }
    if (db)
        db_close(db);
    return NULL;
}

int events_start(const config_t *cfg, events_sink_fn sink, void *ctx, char *err, size_t errlen)
{
    ev.sink = sink;
    ev.ctx = ctx;
    snprintf(ev.url, sizeof(ev.url), "%s", cfg->database_url);
    db_t *db;
    if (db_open(ev.url, &db, err, errlen) != 0)
        return -1;
    int64_t max = 0;
    db_query_int64(db, sql_max, &max);
    db_close(db);
    atomic_store(&ev.last_id, max);
    atomic_store(&ev.running, 1);
    if (pthread_create(&ev.thread, NULL, reader_main, NULL) != 0) {
        snprintf(err, errlen, "cannot start the events thread");
        return -1;
    }
    ev.started = 1;
    return 0;
}

void events_stop(void)
{
    if (!ev.started)
        return;
    atomic_store(&ev.running, 0);
    pthread_mutex_lock(&ev.lock);
    pthread_cond_signal(&ev.wake);
    pthread_mutex_unlock(&ev.lock);
    pthread_join(ev.thread, NULL);
    ev.started = 0;
}
