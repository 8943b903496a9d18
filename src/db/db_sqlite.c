/* db_sqlite.c — the SQLite back end of db.h (the default, embedded engine).
 *
 * One sqlite3 connection per db_t, opened in WAL mode (readers never block the one
 * writer) with foreign keys on, a 5 s busy timeout and synchronous=NORMAL (durable
 * at each checkpoint, safe against corruption; a power cut may lose the last
 * transactions, which WAL mode makes an acceptable trade for speed).
 *
 * The common dialect is mapped when a statement is prepared: `$N` becomes SQLite's
 * `?N` (same number, so `$2` before `$1` and a repeated `$1` just work) and the
 * text "FOR UPDATE SKIP LOCKED" is dropped, as SQLite has a single writer anyway.
 * Both happen outside string literals, quoted identifiers and comments only.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db_internal.h"

#define BUSY_TIMEOUT_MS 5000
#define BACKUP_RETRIES 100 /* x 50 ms: how long a backup waits for a lock */

typedef struct sqlite_db {
    db_t base; /* first: a db_t * is a sqlite_db_t * */
    sqlite3 *conn;
    int tx_failed; /* a statement failed in the open transaction (see db.h) */
} sqlite_db_t;

typedef struct sqlite_stmt {
    db_stmt_t base; /* first, as above */
    sqlite3_stmt *stmt;
    int started;          /* stepped since the last reset */
    int has_row;          /* a row is current: the column functions may read it */
    int finished;         /* reached the end or failed: SQLite would silently re-run */
    int failure;          /* the db_step result to repeat after a failure, else 0 */
    int64_t total_before; /* sqlite3_total_changes64 when the run started */
    int64_t changes;      /* rows changed by the last completed run */
} sqlite_stmt_t;

static sqlite_db_t *conn_of(db_t *db)
{
    return (sqlite_db_t *)db;
}

static sqlite_stmt_t *stmt_of(db_stmt_t *st)
{
    return (sqlite_stmt_t *)st;
}

/* Maps an SQLite result code (extended codes are on) to a db.h error. */
static int map_rc(int rc)
{
    if (rc == SQLITE_CONSTRAINT_TRIGGER) /* RAISE(ABORT) in a trigger: as PostgreSQL's */
        return DB_ERROR;                 /* RAISE EXCEPTION, not a constraint */
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return DB_ECONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_EBUSY;
    default:
        return DB_ERROR;
    }
}

/* Records the connection's error (with up to 80 bytes of the SQL for context) and
 * returns the mapped code. An error inside a transaction dooms it, as on PostgreSQL. */
static int fail(sqlite_db_t *d, int rc, const char *sql)
{
    if (!sqlite3_get_autocommit(d->conn))
        d->tx_failed = 1;
    if (sql)
        db_set_error(&d->base, "%s (in: %.80s)", sqlite3_errmsg(d->conn), sql);
    else
        db_set_error(&d->base, "%s", sqlite3_errmsg(d->conn));
    return map_rc(rc);
}

/* ---- dialect mapping ------------------------------------------------------------- */

static const char skip_locked[] = "FOR UPDATE SKIP LOCKED";

/* Bytes that continue a word; UTF-8 bytes count, so `größe$1` is one word. */
static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c >= 0x80;
}

/* Length of the literal, quoted identifier or comment starting at s, or 0 if none
 * starts there. An unterminated one runs to the end (SQLite reports the error). */
static size_t opaque_span(const char *s)
{
    const char *p;
    if (s[0] == '\'' || s[0] == '"') {
        p = s + 1;
        for (;;) {
            p = strchr(p, s[0]);
            if (!p)
                return strlen(s);
            if (p[1] != s[0]) /* a doubled quote stays inside */
                return (size_t)(p + 1 - s);
            p += 2;
        }
    }
    if (s[0] == '-' && s[1] == '-') {
        p = strchr(s, '\n');
        return p ? (size_t)(p - s) : strlen(s);
    }
    if (s[0] == '/' && s[1] == '*') {
        p = strstr(s + 2, "*/");
        return p ? (size_t)(p + 2 - s) : strlen(s);
    }
    return 0;
}

/* Returns a malloc'd copy of sql in SQLite's dialect (see the file comment). The
 * result is never longer than sql: `$N` → `?N` keeps the length, dropping shortens. */
static char *map_dialect(const char *sql)
{
    size_t len = strlen(sql);
    size_t i = 0, o = 0, span;
    char *out = malloc(len + 1);

    if (!out)
        return NULL;
    while (i < len) {
        span = opaque_span(sql + i);
        if (span > 0) {
            memcpy(out + o, sql + i, span);
            o += span;
            i += span;
        } else if (sql[i] == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9' &&
                   (i == 0 || !is_word_byte((unsigned char)sql[i - 1]))) {
            out[o++] = '?'; /* the digits follow as ordinary bytes */
            i++;
        } else if (strncmp(sql + i, skip_locked, sizeof(skip_locked) - 1) == 0 &&
                   (i == 0 || !is_word_byte((unsigned char)sql[i - 1])) &&
                   !is_word_byte((unsigned char)sql[i + sizeof(skip_locked) - 1])) {
            i += sizeof(skip_locked) - 1;
        } else {
            out[o++] = sql[i++];
        }
    }
    out[o] = '\0';
    return out;
}

/* 1 when s holds nothing but white space, semicolons and comments. */
static int only_trivia(const char *s)
{
    size_t span;
    while (*s) {
        span = opaque_span(s);
        if (span > 0 && *s != '\'' && *s != '"')
            s += span;
        else if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ';')
            s++;
        else
            return 0;
    }
    return 1;
}

/* ---- connection ------------------------------------------------------------------ */

/* Runs a PRAGMA that answers one text value and copies it into out. */
static int pragma_value(sqlite3 *conn, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *stmt = NULL;
    const unsigned char *v;
    int rc;

    out[0] = '\0';
    rc = sqlite3_prepare_v2(conn, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        goto done;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        v = sqlite3_column_text(stmt, 0);
        snprintf(out, outlen, "%s", v ? (const char *)v : "");
        rc = SQLITE_OK;
    }
done:
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int lite_open(const char *target, db_t **out, char *err, size_t errlen)
{
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    sqlite_db_t *d = calloc(1, sizeof(*d));
    char mode[32], fk[32];
    char why[128] = ""; /* our own reason, when it is not SQLite's error message */
    int rc = SQLITE_NOMEM;

    if (!d)
        goto fail;
    rc = sqlite3_open_v2(target, &d->conn, flags, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_extended_result_codes(d->conn, 1);
    /* Double-quoted strings are identifiers in PostgreSQL; SQLite's lenient default
     * would accept "x" as a string here and fail only on the other engine. */
    sqlite3_db_config(d->conn, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    sqlite3_db_config(d->conn, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
    sqlite3_db_config(d->conn, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_busy_timeout(d->conn, BUSY_TIMEOUT_MS);
    rc = pragma_value(d->conn, "PRAGMA journal_mode=WAL", mode, sizeof(mode));
    if (rc != SQLITE_OK)
        goto fail;
    /* Without WAL every reader blocks the writer: refuse rather than crawl. */
    if (strcmp(target, ":memory:") != 0 && strcmp(mode, "wal") != 0) {
        snprintf(why, sizeof(why), "cannot use WAL mode (journal_mode is %s)", mode);
        rc = SQLITE_ERROR;
        goto fail;
    }
    rc = sqlite3_exec(d->conn, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL", NULL, NULL,
                      NULL);
    if (rc != SQLITE_OK)
        goto fail;
    rc = pragma_value(d->conn, "PRAGMA foreign_keys", fk, sizeof(fk));
    if (rc != SQLITE_OK)
        goto fail;
    if (strcmp(fk, "1") != 0) { /* a library built without foreign keys ignores the pragma */
        snprintf(why, sizeof(why), "this SQLite does not enforce foreign keys");
        rc = SQLITE_ERROR;
        goto fail;
    }
    *out = &d->base;
    return 0;

fail:
    snprintf(err, errlen, "sqlite: %s: %s", target,
             why[0] ? why : d && d->conn ? sqlite3_errmsg(d->conn) : sqlite3_errstr(rc));
    if (d)
        sqlite3_close_v2(d->conn); /* harmless on NULL; frees a half-open handle */
    free(d);
    return map_rc(rc) == DB_EBUSY ? DB_EBUSY : DB_ERROR;
}

static void lite_close(db_t *db)
{
    sqlite_db_t *d = conn_of(db);
    /* _v2: should a statement escape the cache, the handle is freed when it goes. */
    sqlite3_close_v2(d->conn);
    free(d);
}

/* 1 (with the error set) when the open transaction already failed: PostgreSQL
 * refuses every statement then, and so do we, so code tested here works there. */
static int tx_refused(sqlite_db_t *d)
{
    if (!d->tx_failed || sqlite3_get_autocommit(d->conn))
        return 0;
    db_set_error(&d->base, "current transaction is aborted, commands ignored until "
                           "end of transaction block");
    return 1;
}

static int lite_exec(db_t *db, const char *sql)
{
    sqlite_db_t *d = conn_of(db);
    char *msg = NULL;
    int rc;

    if (tx_refused(d))
        return DB_ERROR;
    rc = sqlite3_exec(d->conn, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    if (!sqlite3_get_autocommit(d->conn))
        d->tx_failed = 1;
    db_set_error(db, "%s (in: %.80s)", msg ? msg : sqlite3_errstr(rc), sql);
    sqlite3_free(msg);
    return map_rc(rc);
}

static int lite_ping(db_t *db)
{
    return lite_exec(db, "SELECT 1");
}

/* Starts a transaction; a nested one is refused without harming the open one. */
static int begin_with(db_t *db, const char *sql)
{
    sqlite_db_t *d = conn_of(db);
    if (!sqlite3_get_autocommit(d->conn)) {
        db_set_error(db, "db_begin: a transaction is already open");
        return DB_ERROR;
    }
    d->tx_failed = 0;
    return lite_exec(db, sql);
}

static int lite_begin(db_t *db)
{
    return begin_with(db, "BEGIN");
}

/* IMMEDIATE takes the write lock now; a deferred BEGIN that reads first and writes
 * later can fail with SQLITE_BUSY without the busy handler ever waiting. */
static int lite_begin_write(db_t *db)
{
    return begin_with(db, "BEGIN IMMEDIATE");
}

static int lite_commit(db_t *db)
{
    sqlite_db_t *d = conn_of(db);
    int failed = d->tx_failed;

    d->tx_failed = 0;
    if (sqlite3_get_autocommit(d->conn)) {
        db_set_error(db, failed ? "transaction was rolled back after an error"
                                : "db_commit: no transaction is open");
        return DB_ERROR;
    }
    if (failed) {
        sqlite3_exec(d->conn, "ROLLBACK", NULL, NULL, NULL);
        db_set_error(db, "transaction aborted by an earlier error: rolled back");
        return DB_ERROR;
    }
    return lite_exec(db, "COMMIT");
}

static int lite_rollback(db_t *db)
{
    sqlite_db_t *d = conn_of(db);
    d->tx_failed = 0;
    if (sqlite3_get_autocommit(d->conn))
        return 0; /* nothing open (SQLite may have rolled back itself) */
    return lite_exec(db, "ROLLBACK");
}

/* ---- statements ------------------------------------------------------------------ */

static int lite_stmt_new(db_t *db, const char *sql, db_stmt_t **out)
{
    sqlite_db_t *d = conn_of(db);
    sqlite_stmt_t *s = NULL;
    const char *tail = NULL;
    char *text = map_dialect(sql);
    int rc = DB_ERROR;

    if (!text) {
        db_set_error(db, "out of memory");
        goto done;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        db_set_error(db, "out of memory");
        goto done;
    }
    rc = sqlite3_prepare_v3(d->conn, text, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt, &tail);
    if (rc != SQLITE_OK) {
        rc = fail(d, rc, sql);
        goto done;
    }
    if (!s->stmt) {
        db_set_error(db, "db_prepare: no SQL statement in: %.80s", sql);
        rc = DB_ERROR;
        goto done;
    }
    if (tail && !only_trivia(tail)) {
        db_set_error(db, "db_prepare takes one statement (db_exec runs several): %.80s", sql);
        rc = DB_ERROR;
        goto done;
    }
    *out = &s->base;
    s = NULL;
    rc = 0;
done:
    if (s) {
        sqlite3_finalize(s->stmt);
        free(s);
    }
    free(text);
    return rc;
}

static int lite_stmt_ready(db_stmt_t *st)
{
    (void)st;
    return 0;
}

static void lite_stmt_free(db_stmt_t *st)
{
    sqlite_stmt_t *s = stmt_of(st);
    sqlite3_finalize(s->stmt);
    free(s);
}

/* Checks a bind result; SQLITE_RANGE means the SQL has no such $N. */
static int bind_result(db_stmt_t *st, int idx, int rc)
{
    sqlite_db_t *d = conn_of(st->db);
    if (rc == SQLITE_OK)
        return 0;
    if (rc == SQLITE_RANGE) {
        db_set_error(st->db, "parameter $%d not in statement: %.80s", idx, st->key);
        return DB_ERROR;
    }
    return fail(d, rc, st->key);
}

static int lite_bind_int64(db_stmt_t *st, int idx, int64_t v)
{
    return bind_result(st, idx, sqlite3_bind_int64(stmt_of(st)->stmt, idx, v));
}

/* TRANSIENT copies: the caller's buffer may be gone by the time db_step runs. */
static int lite_bind_text(db_stmt_t *st, int idx, const char *s, size_t len)
{
    return bind_result(st, idx,
                       sqlite3_bind_text64(stmt_of(st)->stmt, idx, s, len, SQLITE_TRANSIENT,
                                           SQLITE_UTF8));
}

static int lite_bind_blob(db_stmt_t *st, int idx, const void *p, size_t n)
{
    return bind_result(st, idx, sqlite3_bind_blob64(stmt_of(st)->stmt, idx, p, n,
                                                    SQLITE_TRANSIENT));
}

static int lite_bind_null(db_stmt_t *st, int idx)
{
    return bind_result(st, idx, sqlite3_bind_null(stmt_of(st)->stmt, idx));
}

static int lite_step(db_stmt_t *st)
{
    sqlite_stmt_t *s = stmt_of(st);
    sqlite_db_t *d = conn_of(st->db);
    int rc;

    if (s->finished)
        return s->failure ? s->failure : DB_DONE;
    if (!s->started && tx_refused(d)) {
        s->finished = 1;
        s->failure = DB_ERROR;
        return DB_ERROR;
    }
    if (!s->started) {
        s->started = 1;
        s->total_before = sqlite3_total_changes64(d->conn);
    }
    rc = sqlite3_step(s->stmt);
    if (rc == SQLITE_ROW) {
        s->has_row = 1;
        return DB_ROW;
    }
    s->has_row = 0;
    s->finished = 1;
    if (rc == SQLITE_DONE) {
        /* sqlite3_changes64 keeps the count of the last DML statement, so a SELECT or
         * DDL would report a stale number: only trust it when this run changed rows. */
        s->changes = sqlite3_total_changes64(d->conn) == s->total_before
                         ? 0
                         : sqlite3_changes64(d->conn);
        return DB_DONE;
    }
    s->failure = fail(d, rc, st->key);
    return s->failure;
}

static int lite_column_count(db_stmt_t *st)
{
    return sqlite3_column_count(stmt_of(st)->stmt);
}

/* 1 when col can be read: a row is current and the column exists. */
static int readable(sqlite_stmt_t *s, int col)
{
    return s->has_row && col < sqlite3_column_count(s->stmt);
}

static int lite_column_is_null(db_stmt_t *st, int col)
{
    sqlite_stmt_t *s = stmt_of(st);
    return !readable(s, col) || sqlite3_column_type(s->stmt, col) == SQLITE_NULL;
}

static int64_t lite_column_int64(db_stmt_t *st, int col)
{
    sqlite_stmt_t *s = stmt_of(st);
    return readable(s, col) ? sqlite3_column_int64(s->stmt, col) : 0;
}

static const char *lite_column_text(db_stmt_t *st, int col)
{
    sqlite_stmt_t *s = stmt_of(st);
    return readable(s, col) ? (const char *)sqlite3_column_text(s->stmt, col) : NULL;
}

static const void *lite_column_blob(db_stmt_t *st, int col, size_t *n)
{
    sqlite_stmt_t *s = stmt_of(st);
    const void *p;
    if (!readable(s, col))
        return NULL;
    p = sqlite3_column_blob(s->stmt, col); /* before _bytes, as SQLite asks */
    *n = (size_t)sqlite3_column_bytes(s->stmt, col);
    return p;
}

static int64_t lite_changes(db_stmt_t *st)
{
    return stmt_of(st)->changes;
}

static void lite_reset(db_stmt_t *st)
{
    sqlite_stmt_t *s = stmt_of(st);
    sqlite3_reset(s->stmt); /* its result repeats the step error, already reported */
    sqlite3_clear_bindings(s->stmt);
    s->started = s->has_row = s->finished = s->failure = 0;
}

/* ---- notifications: one process, nothing to send ---------------------------------- */

static int lite_notify(db_t *db, const char *channel, const char *payload)
{
    (void)db;
    (void)channel;
    (void)payload;
    return 0;
}

static int lite_listen(db_t *db, const char *channel)
{
    (void)db;
    (void)channel;
    return 0;
}

static int lite_wait_notify(db_t *db, int timeout_ms)
{
    struct timespec left = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    (void)db;
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
    return 0;
}

/* ---- backup ---------------------------------------------------------------------- */

static int lite_backup(db_t *db, const char *path, char *err, size_t errlen)
{
    sqlite_db_t *d = conn_of(db);
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int created = 0, tries = 0, rc = DB_ERROR, src;
    /* O_EXCL: a backup never overwrites a file; 0600: it holds personal data. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0) {
        snprintf(err, errlen, "backup: %s: %s", path, strerror(errno));
        goto done;
    }
    close(fd);
    created = 1;
    src = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        snprintf(err, errlen, "backup: %s: %s", path, dst ? sqlite3_errmsg(dst) : "no memory");
        goto done;
    }
    b = sqlite3_backup_init(dst, "main", d->conn, "main");
    if (!b) {
        snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    /* All pages in one step: one consistent snapshot, and in WAL mode the read does
     * not hold up writers; a busy source is retried for a while. */
    do {
        src = sqlite3_backup_step(b, -1);
        if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while ((src == SQLITE_BUSY || src == SQLITE_LOCKED) && ++tries < BACKUP_RETRIES);
    sqlite3_backup_finish(b);
    if (src != SQLITE_DONE) {
        snprintf(err, errlen, "backup: %s", sqlite3_errstr(src));
        rc = map_rc(src);
        goto done;
    }
    if (sqlite3_errcode(dst) != SQLITE_OK) {
        snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    rc = 0;
done:
    if (dst)
        sqlite3_close(dst);
    if (rc != 0 && created)
        unlink(path); /* no half-written backup that looks like a good one */
    return rc;
}

const db_ops_t db_sqlite_ops = {
    .engine = DB_SQLITE,
    .open = lite_open,
    .close = lite_close,
    .revive = NULL,
    .ping = lite_ping,
    .exec = lite_exec,
    .stmt_new = lite_stmt_new,
    .stmt_ready = lite_stmt_ready,
    .stmt_free = lite_stmt_free,
    .bind_int64 = lite_bind_int64,
    .bind_text = lite_bind_text,
    .bind_blob = lite_bind_blob,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .column_count = lite_column_count,
    .column_is_null = lite_column_is_null,
    .column_int64 = lite_column_int64,
    .column_text = lite_column_text,
    .column_blob = lite_column_blob,
    .changes = lite_changes,
    .reset = lite_reset,
    .begin = lite_begin,
    .begin_write = lite_begin_write,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .notify = lite_notify,
    .listen = lite_listen,
    .wait_notify = lite_wait_notify,
    .backup = lite_backup,
};
