/* db_internal.h — what db.c shares with the back ends (db_sqlite.c, db_pg.c).
 *
 * Not for module code: modules include db/db.h only.
 *
 * A connection is a back-end struct whose first member is `struct db`, a statement
 * a back-end struct whose first member is `struct db_stmt`; db.c handles the common
 * part (argument checks, the statement cache, error text) and calls the back end
 * through its db_ops_t table. Statements are owned by the cache, which owns them
 * until db_close.
 */
#ifndef RATHAUS_DB_DB_INTERNAL_H
#define RATHAUS_DB_DB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#define DB_ERRMSG_MAX 512
/* Upper bound for one prepared SQL text: SQL lives in source files, so anything
 * larger is a bug (or not SQL at all). */
#define DB_SQL_MAX (256 * 1024)
/* Highest $N a statement may use; keeps the per-statement parameter arrays small. */
#define DB_PARAMS_MAX 256
/* Largest text or blob value we bind (PostgreSQL's own field limit is 1 GiB). */
#define DB_VALUE_MAX ((size_t)1 << 30)
/* Longest channel name for db_notify/db_listen: PostgreSQL's identifier limit
 * (NAMEDATALEN - 1), which LISTEN would otherwise apply by silent truncation. */
#define DB_CHANNEL_MAX 63
/* Statements per connection. SQL texts are static, so a program has a few hundred;
 * hitting this means SQL is being built at run time, which STYLE.md forbids. */
#define DB_STMT_CACHE_MAX 4096

typedef struct db_ops db_ops_t;

/* Open-addressing hash table (linear probing) from SQL text address to statement.
 * Nothing is ever removed before db_close, so no tombstones are needed. */
typedef struct db_stmt_cache {
    db_stmt_t **slots; /* capacity entries, NULL = empty; capacity is a power of 2 */
    size_t capacity;
    size_t count;
} db_stmt_cache_t;

struct db {
    const db_ops_t *ops;
    db_engine_t engine;
    db_stmt_cache_t cache;
    char errmsg[DB_ERRMSG_MAX]; /* last error, "" when none yet */
};

struct db_stmt {
    db_t *db;
    const char *key; /* the caller's SQL text: the cache key (by address) */
    char *text;      /* our copy, compared on every cache hit: a heap buffer freed and
                        reused for another SQL text must not find the old statement */
};

/* One table per back end. All functions get arguments already checked by db.c
 * (non-NULL, idx within 1..DB_PARAMS_MAX, col >= 0, lengths <= DB_VALUE_MAX). */
struct db_ops {
    db_engine_t engine;
    /* target is the URL without "sqlite:" for SQLite, the whole URL for PostgreSQL. */
    int (*open)(const char *target, db_t **out, char *err, size_t errlen);
    /* Frees the connection; the cache was emptied by db.c before. */
    void (*close)(db_t *db);
    /* Reconnects a lost connection before db_prepare (PostgreSQL); NULL if none. */
    int (*revive)(db_t *db);
    int (*ping)(db_t *db);
    int (*exec)(db_t *db, const char *sql);
    /* Makes a new statement for sql (base.key and base.text set by db.c afterwards). */
    int (*stmt_new)(db_t *db, const char *sql, db_stmt_t **out);
    /* Called on every cache hit after reset: may re-prepare (PostgreSQL after a reconnect). */
    int (*stmt_ready)(db_stmt_t *st);
    void (*stmt_free)(db_stmt_t *st);
    int (*bind_int64)(db_stmt_t *st, int idx, int64_t v);
    int (*bind_text)(db_stmt_t *st, int idx, const char *s, size_t len);
    int (*bind_blob)(db_stmt_t *st, int idx, const void *p, size_t n);
    int (*bind_null)(db_stmt_t *st, int idx);
    int (*step)(db_stmt_t *st);
    int (*column_count)(db_stmt_t *st);
    int (*column_is_null)(db_stmt_t *st, int col);
    int64_t (*column_int64)(db_stmt_t *st, int col);
    const char *(*column_text)(db_stmt_t *st, int col);
    const void *(*column_blob)(db_stmt_t *st, int col, size_t *n);
    int64_t (*changes)(db_stmt_t *st);
    void (*reset)(db_stmt_t *st);
    int (*begin)(db_t *db);
    int (*begin_write)(db_t *db);
    int (*commit)(db_t *db);
    int (*rollback)(db_t *db);
    int (*notify)(db_t *db, const char *channel, const char *payload);
    int (*listen)(db_t *db, const char *channel);
    int (*wait_notify)(db_t *db, int timeout_ms);
    int (*backup)(db_t *db, const char *path, char *err, size_t errlen);
};

extern const db_ops_t db_sqlite_ops;
extern const db_ops_t db_pg_ops;

/* Writes the connection's error message (truncated to DB_ERRMSG_MAX). */
void db_set_error(db_t *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
