/* db.c — the engine-neutral half of the database interface (see db.h).
 *
 * Parses the URL and picks a back end, checks every argument once so the back ends
 * need not, keeps the per-connection statement cache (SQL text address → prepared
 * statement) and implements the helpers built on the interface itself
 * (transactions, db_query_int64).
 */
#include "db/db.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "db/db_internal.h"

#define CACHE_INITIAL 64 /* slots; a power of 2 */

/* ---- errors ---------------------------------------------------------------------- */

void db_set_error(db_t *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
    va_end(ap);
}

/* Like snprintf into a caller's (err, errlen), which may be (NULL, 0). */
__attribute__((format(printf, 3, 4))) static void put_err(char *err, size_t errlen,
                                                           const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- statement cache ------------------------------------------------------------- */

/* Fibonacci hashing of the address: SQL texts sit close together in .rodata, and the
 * multiply spreads their low-entropy low bits over the whole word. */
static size_t cache_hash(const char *key, size_t capacity)
{
    uint64_t h = (uint64_t)(uintptr_t)key * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 32)) & (capacity - 1);
}

/* Returns the slot that holds key, or the empty slot where it would go. The table is
 * never full (load factor <= 1/2), so the probe ends. */
static db_stmt_t **cache_slot(db_stmt_cache_t *c, const char *key)
{
    size_t i = cache_hash(key, c->capacity);
    while (c->slots[i] && c->slots[i]->key != key)
        i = (i + 1) & (c->capacity - 1);
    return &c->slots[i];
}

/* Makes room for one more entry, doubling (and rehashing) at half load. */
static int cache_reserve(db_t *db)
{
    db_stmt_cache_t *c = &db->cache;
    db_stmt_cache_t bigger;
    size_t i;

    if (c->slots && (c->count + 1) * 2 <= c->capacity)
        return 0;
    bigger.capacity = c->slots ? c->capacity * 2 : CACHE_INITIAL;
    bigger.count = c->count;
    bigger.slots = calloc(bigger.capacity, sizeof(*bigger.slots));
    if (!bigger.slots) {
        db_set_error(db, "out of memory growing the statement cache");
        return DB_ERROR;
    }
    for (i = 0; c->slots && i < c->capacity; i++) {
        if (c->slots[i])
            *cache_slot(&bigger, c->slots[i]->key) = c->slots[i];
    }
    free(c->slots);
    *c = bigger;
    return 0;
}

static void cache_each(db_t *db, void (*fn)(db_stmt_t *st))
{
    size_t i;
    for (i = 0; i < db->cache.capacity; i++) {
        if (db->cache.slots[i])
            fn(db->cache.slots[i]);
    }
}

static void stmt_destroy(db_stmt_t *st)
{
    free(st->text);
    st->text = NULL;
    st->db->ops->stmt_free(st);
}

/* ---- connections ----------------------------------------------------------------- */

int db_open(const char *url, db_t **out, char *err, size_t errlen)
{
    static const char sqlite_prefix[] = "sqlite:";
    const db_ops_t *ops = NULL;
    const char *target = NULL;
    db_t *db = NULL;
    char dummy[1];
    int rc;

    if (!out)
        return DB_ERROR;
    *out = NULL;
    if (!url) {
        put_err(err, errlen, "no database URL given");
        return DB_ERROR;
    }
    if (strncmp(url, sqlite_prefix, sizeof(sqlite_prefix) - 1) == 0) {
        ops = &db_sqlite_ops;
        target = url + sizeof(sqlite_prefix) - 1;
        if (*target == '\0') {
            put_err(err, errlen, "database URL \"sqlite:\" names no file");
            return DB_ERROR;
        }
    } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        ops = &db_pg_ops;
        target = url;
    } else {
        /* The URL itself is not echoed: a PostgreSQL URL may carry a password. */
        put_err(err, errlen,
                "unknown database URL scheme (want sqlite:PATH or postgresql://...)");
        return DB_ERROR;
    }
    if (!err || errlen == 0) { /* back ends may always write a message */
        err = dummy;
        errlen = sizeof(dummy);
    }
    rc = ops->open(target, &db, err, errlen);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    db->ops = ops;
    db->engine = ops->engine;
    *out = db;
    return 0;
}

void db_close(db_t *db)
{
    if (!db)
        return;
    cache_each(db, stmt_destroy);
    free(db->cache.slots);
    db->cache.slots = NULL;
    db->cache.capacity = db->cache.count = 0;
    db->ops->close(db);
}

db_engine_t db_engine(const db_t *db)
{
    return db->engine;
}

const char *db_errmsg(const db_t *db)
{
    return db ? db->errmsg : "no database connection";
}

int db_ping(db_t *db)
{
    return db ? db->ops->ping(db) : DB_ERROR;
}

int db_exec(db_t *db, const char *sql)
{
    if (!db)
        return DB_ERROR;
    if (!sql) {
        db_set_error(db, "db_exec: no SQL");
        return DB_ERROR;
    }
    return db->ops->exec(db, sql);
}

/* ---- statements ------------------------------------------------------------------ */

int db_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
    db_stmt_t **slot;
    db_stmt_t *st = NULL;
    int rc;

    if (!out)
        return DB_ERROR;
    *out = NULL;
    if (!db)
        return DB_ERROR;
    if (!sql) {
        db_set_error(db, "db_prepare: no SQL");
        return DB_ERROR;
    }
    if (strnlen(sql, DB_SQL_MAX + 1) > DB_SQL_MAX) {
        db_set_error(db, "db_prepare: SQL text longer than %d bytes", DB_SQL_MAX);
        return DB_ERROR;
    }
    if (db->ops->revive) {
        rc = db->ops->revive(db);
        if (rc != 0)
            return rc;
    }
    rc = cache_reserve(db);
    if (rc != 0)
        return rc;
    slot = cache_slot(&db->cache, sql);
    if (*slot && strcmp((*slot)->text, sql) == 0) {
        /* A statement left unreset by an earlier caller (an error path that forgot
         * db_reset) would otherwise stay broken for this connection's lifetime. */
        st = *slot;
        db->ops->reset(st);
        rc = db->ops->stmt_ready(st);
        if (rc != 0)
            return rc;
        *out = st;
        return 0;
    }
    if (!*slot && db->cache.count >= DB_STMT_CACHE_MAX) {
        db_set_error(db, "statement cache full (%d statements): is SQL built at run time?",
                     DB_STMT_CACHE_MAX);
        return DB_ERROR;
    }
    rc = db->ops->stmt_new(db, sql, &st);
    if (rc != 0)
        return rc;
    st->db = db;
    st->key = sql;
    st->text = strdup(sql);
    if (!st->text) {
        db->ops->stmt_free(st);
        db_set_error(db, "out of memory");
        return DB_ERROR;
    }
    if (*slot)
        stmt_destroy(*slot); /* same address, other text: the old text's memory was reused */
    else
        db->cache.count++;
    *slot = st;
    *out = st;
    return 0;
}

/* Checks a parameter index; the message names it so a wrong $N is found quickly. */
static int check_idx(db_stmt_t *st, int idx)
{
    if (idx >= 1 && idx <= DB_PARAMS_MAX)
        return 0;
    db_set_error(st->db, "parameter index %d out of range 1..%d", idx, DB_PARAMS_MAX);
    return DB_ERROR;
}

int db_bind_int64(db_stmt_t *st, int idx, int64_t v)
{
    if (!st || check_idx(st, idx) != 0)
        return DB_ERROR;
    return st->db->ops->bind_int64(st, idx, v);
}

int db_bind_text(db_stmt_t *st, int idx, const char *s, ssize_t len)
{
    size_t n;
    if (!st || check_idx(st, idx) != 0)
        return DB_ERROR;
    if (!s)
        return st->db->ops->bind_null(st, idx);
    if (len < -1) {
        db_set_error(st->db, "parameter $%d: negative text length", idx);
        return DB_ERROR;
    }
    n = len == -1 ? strlen(s) : (size_t)len;
    if (n > DB_VALUE_MAX) {
        db_set_error(st->db, "parameter $%d: text longer than %zu bytes", idx, DB_VALUE_MAX);
        return DB_ERROR;
    }
    /* PostgreSQL refuses invalid UTF-8 and NUL bytes while SQLite stores them: checking
     * here makes both engines behave alike and keeps bad bytes out of either. */
    if (!utf8_valid(s, n)) {
        db_set_error(st->db, "parameter $%d: text is not valid UTF-8 (or holds NUL)", idx);
        return DB_ERROR;
    }
    return st->db->ops->bind_text(st, idx, s, n);
}

int db_bind_blob(db_stmt_t *st, int idx, const void *p, size_t n)
{
    static const char empty[1] = {0};
    if (!st || check_idx(st, idx) != 0)
        return DB_ERROR;
    if (!p && n > 0) {
        db_set_error(st->db, "parameter $%d: NULL blob with %zu bytes", idx, n);
        return DB_ERROR;
    }
    if (n > DB_VALUE_MAX) {
        db_set_error(st->db, "parameter $%d: blob longer than %zu bytes", idx, DB_VALUE_MAX);
        return DB_ERROR;
    }
    return st->db->ops->bind_blob(st, idx, p ? p : empty, n);
}

int db_bind_null(db_stmt_t *st, int idx)
{
    if (!st || check_idx(st, idx) != 0)
        return DB_ERROR;
    return st->db->ops->bind_null(st, idx);
}

int db_step(db_stmt_t *st)
{
    return st ? st->db->ops->step(st) : DB_ERROR;
}

int db_column_count(db_stmt_t *st)
{
    return st ? st->db->ops->column_count(st) : 0;
}

int db_column_is_null(db_stmt_t *st, int col)
{
    return st && col >= 0 ? st->db->ops->column_is_null(st, col) : 1;
}

int64_t db_column_int64(db_stmt_t *st, int col)
{
    return st && col >= 0 ? st->db->ops->column_int64(st, col) : 0;
}

const char *db_column_text(db_stmt_t *st, int col)
{
    return st && col >= 0 ? st->db->ops->column_text(st, col) : NULL;
}

const void *db_column_blob(db_stmt_t *st, int col, size_t *n)
{
    size_t dummy;
    if (!n)
        n = &dummy;
    *n = 0;
    return st && col >= 0 ? st->db->ops->column_blob(st, col, n) : NULL;
}

int64_t db_changes(db_stmt_t *st)
{
    return st ? st->db->ops->changes(st) : 0;
}

void db_reset(db_stmt_t *st)
{
    if (st)
        st->db->ops->reset(st);
}

/* ---- transactions ---------------------------------------------------------------- */

int db_begin(db_t *db)
{
    return db ? db->ops->begin(db) : DB_ERROR;
}

int db_begin_write(db_t *db)
{
    return db ? db->ops->begin_write(db) : DB_ERROR;
}

int db_commit(db_t *db)
{
    return db ? db->ops->commit(db) : DB_ERROR;
}

int db_rollback(db_t *db)
{
    return db ? db->ops->rollback(db) : DB_ERROR;
}

/* ---- one-shot helpers ------------------------------------------------------------ */

/* Shared body of the db_query_int64 helpers: at most one int64 or up to two texts. */
static int query_int64(db_t *db, const char *sql, const int64_t *arg, const char *t1, const char *t2, int64_t *out)
{
    db_stmt_t *st = NULL;
    int rc;

    if (out)
        *out = 0;
    if (!out) {
        if (db)
            db_set_error(db, "db_query_int64: no output");
        return DB_ERROR;
    }
    rc = db_prepare(db, sql, &st);
    if (rc != 0)
        goto out;
    if (arg)
        rc = db_bind_int64(st, 1, *arg);
    if (rc == 0 && t1)
        rc = db_bind_text(st, 1, t1, -1);
    if (rc == 0 && t2)
        rc = db_bind_text(st, 2, t2, -1);
    if (rc != 0)
        goto out;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *out = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 1;
    }
out:
    db_reset(st);
    return rc;
}

int db_query_int64(db_t *db, const char *sql, int64_t *out)
{
    return query_int64(db, sql, NULL, NULL, NULL, out);
}

int db_query_int64_arg(db_t *db, const char *sql, int64_t arg, int64_t *out)
{
    return query_int64(db, sql, &arg, NULL, NULL, out);
}

int db_query_int64_text(db_t *db, const char *sql, const char *arg1, const char *arg2, int64_t *out)
{
    return query_int64(db, sql, NULL, arg1, arg2, out);
}

/* ---- notifications and backup ---------------------------------------------------- */

/* Both engines refuse the same channel names, so a mistake shows up on SQLite too. */
static int check_channel(db_t *db, const char *channel)
{
    size_t n = channel ? strnlen(channel, DB_CHANNEL_MAX + 1) : 0;
    if (n >= 1 && n <= DB_CHANNEL_MAX && utf8_valid(channel, n))
        return 0;
    db_set_error(db, "channel name must be 1..%d bytes of UTF-8", DB_CHANNEL_MAX);
    return DB_ERROR;
}

int db_notify(db_t *db, const char *channel, const char *payload)
{
    if (!db)
        return DB_ERROR;
    if (check_channel(db, channel) != 0)
        return DB_ERROR;
    return db->ops->notify(db, channel, payload ? payload : "");
}

int db_listen(db_t *db, const char *channel)
{
    if (!db)
        return DB_ERROR;
    if (check_channel(db, channel) != 0)
        return DB_ERROR;
    return db->ops->listen(db, channel);
}

int db_wait_notify(db_t *db, int timeout_ms)
{
    if (!db)
        return DB_ERROR;
    if (timeout_ms < 0) {
        /* poll() would wait forever; a worker must never block without bound. */
        db_set_error(db, "db_wait_notify: negative timeout");
        return DB_ERROR;
    }
    return db->ops->wait_notify(db, timeout_ms);
}

int db_backup(db_t *db, const char *path, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) { /* back ends may always write a message */
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (!db || !path || !*path) {
        put_err(err, errlen, "db_backup: no database or no path");
        return DB_ERROR;
    }
    return db->ops->backup(db, path, err, errlen);
}
