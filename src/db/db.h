/* db.h — the one database interface of rathaus, with SQLite and PostgreSQL back ends.
 *
 * Module code writes one SQL dialect: `$1` placeholders, RETURNING, ON CONFLICT,
 * integers for booleans and Unix-second timestamps, no engine-specific functions.
 * The back ends hide the rest (SQLite gets `$N` mapped to its own parameters,
 * "FOR UPDATE SKIP LOCKED" is dropped on SQLite, which serialises writers anyway).
 *
 * A db_t is one connection and is used by one thread at a time: each worker thread
 * opens its own. Statements are prepared once per connection and cached by the
 * address of their SQL text, which is why SQL lives in `static const char[]`
 * next to its caller:
 *
 *   static const char sql_get[] = "SELECT name FROM units WHERE id = $1";
 *   db_stmt_t *st;
 *   if (db_prepare(db, sql_get, &st) != 0) goto fail;
 *   db_bind_int64(st, 1, id);
 *   while (db_step(st) == DB_ROW) puts(db_column_text(st, 0));
 *   db_reset(st);            // always: returns the statement to the cache
 */
#ifndef RATHAUS_DB_DB_H
#define RATHAUS_DB_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

typedef enum db_engine { DB_SQLITE = 1, DB_POSTGRES = 2 } db_engine_t;

/* db_step results; errors are negative. */
#define DB_DONE 0
#define DB_ROW 1
#define DB_ERROR (-1)
#define DB_ECONSTRAINT (-2) /* unique/foreign-key/check violation */
#define DB_EBUSY (-3)       /* SQLite busy after the timeout, PostgreSQL serialization failure */
#define DB_ECONN (-4)       /* connection lost; the next call reconnects */

/* Opens a connection for a URL: "sqlite:PATH" (file created, WAL, foreign keys,
 * busy timeout 5 s), "sqlite::memory:", or "postgresql://…"/"postgres://…".
 * On failure returns negative and writes a message into err. */
int db_open(const char *url, db_t **out, char *err, size_t errlen);
void db_close(db_t *db);
db_engine_t db_engine(const db_t *db);
/* Message of the last error on this connection (never NULL). */
const char *db_errmsg(const db_t *db);
/* Cheap round trip ("SELECT 1"); reconnects a lost PostgreSQL connection first.
 * Returns 0 when the database answers. */
int db_ping(db_t *db);

/* Runs SQL text without parameters or results; may hold several statements (DDL). */
int db_exec(db_t *db, const char *sql);

/* Returns the cached prepared statement for sql (keyed by its address), ready to bind.
 * A cached statement still in use (no db_reset yet) is reset first, so one SQL text
 * cannot run in two nested loops at once. */
int db_prepare(db_t *db, const char *sql, db_stmt_t **out);
/* Binding, parameters numbered from 1 as in the SQL ($1 …). Text must be UTF-8
 * without NUL bytes (checked: DB_ERROR otherwise); a NULL s binds SQL NULL.
 * Values are copied, so the caller's buffer may go before db_step. */
int db_bind_int64(db_stmt_t *st, int idx, int64_t v);
int db_bind_text(db_stmt_t *st, int idx, const char *s, ssize_t len /* -1: strlen */);
int db_bind_blob(db_stmt_t *st, int idx, const void *p, size_t n);
int db_bind_null(db_stmt_t *st, int idx);
/* Runs the statement (first call) and moves to the next row: DB_ROW, DB_DONE or < 0. */
int db_step(db_stmt_t *st);
/* Columns of the current row, numbered from 0. Pointers stay valid until the next
 * db_step or db_reset. A NULL column reads as 0 / NULL / 0 bytes. */
int db_column_count(db_stmt_t *st);
int db_column_is_null(db_stmt_t *st, int col);
int64_t db_column_int64(db_stmt_t *st, int col);
const char *db_column_text(db_stmt_t *st, int col);
const void *db_column_blob(db_stmt_t *st, int col, size_t *n);
/* Rows changed by the last completed INSERT/UPDATE/DELETE on this statement. */
int64_t db_changes(db_stmt_t *st);
/* Clears bindings and results; the statement stays prepared in the cache. */
void db_reset(db_stmt_t *st);

/* Transactions. db_begin_write takes the write lock up front on SQLite
 * (BEGIN IMMEDIATE) so that a read-then-write transaction cannot deadlock.
 * Both engines follow PostgreSQL's rule: after any failed statement the transaction
 * is aborted, later statements fail, and db_commit rolls back and returns < 0
 * (use ON CONFLICT rather than catching DB_ECONSTRAINT inside a transaction).
 * db_commit without an open transaction fails; db_rollback without one is a no-op,
 * so cleanup paths may always call it. */
int db_begin(db_t *db);
int db_begin_write(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);

/* One-shot helpers for the common single-value query: bind nothing (or one int64,
 * or one or two texts, as $1 and $2), return the first column of the first row in
 * *out. Return 0, 1 when there is no row (*out = 0), or < 0. sql must be static
 * text, as for db_prepare. */
int db_query_int64(db_t *db, const char *sql, int64_t *out);
int db_query_int64_arg(db_t *db, const char *sql, int64_t arg, int64_t *out);
int db_query_int64_text(db_t *db, const char *sql, const char *arg1, const char *arg2 /* NULL: none */,
                        int64_t *out);

/* Sends an event notification to other nodes (PostgreSQL NOTIFY on `channel`);
 * a no-op on SQLite, where all threads share one process. */
int db_notify(db_t *db, const char *channel, const char *payload);
/* PostgreSQL only: LISTEN on channel on this connection (kept across reconnects),
 * then wait up to timeout_ms (>= 0) for notifications. Returns the number received
 * (>= 0), < 0 on error. On SQLite returns 0 after sleeping timeout_ms.
 * Channel names are 1..63 bytes (PostgreSQL's identifier limit) on both engines. */
int db_listen(db_t *db, const char *channel);
int db_wait_notify(db_t *db, int timeout_ms);

/* Online backup of an SQLite database into a new file (SQLite backup API); an
 * existing file is never overwritten, the new one is mode 0600.
 * Returns < 0 on PostgreSQL (use pg_dump, see docs/operations.md). */
int db_backup(db_t *db, const char *path, char *err, size_t errlen);

#endif
