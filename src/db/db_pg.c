/* db_pg.c — the PostgreSQL back end of db.h (libpq), for several nodes sharing one DB.
 *
 * Each statement is prepared once per connection (PQprepare, names s1, s2, …) and run
 * with PQexecPrepared: parameters as text (int64 printed in decimal), blobs in binary
 * format; results as text, whole result at once. bytea results arrive as `\x` hex and
 * are decoded into a buffer per column on first read.
 *
 * A lost connection makes the failing call return DB_ECONN; the next db_ping,
 * db_prepare or db_wait_notify reconnects (PQreset). The server forgets prepared
 * statements and LISTENs with the old session, so a reconnect bumps `generation`
 * (statements prepared under an older one are prepared again on next use) and
 * re-issues the LISTENs this connection had made.
 */
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_internal.h"
#include "core/hex.h"

#define BOOLOID 16       /* pg_type OIDs (server/catalog/pg_type_d.h is not in libpq-dev) */
#define BYTEAOID 17
#define LISTEN_MAX 16    /* channels one connection LISTENs on (re-issued on reconnect) */
#define KEEP_BUF (64 * 1024) /* buffers larger than this are freed at db_reset */

typedef struct pg_db {
    db_t base; /* first: a db_t * is a pg_db_t * */
    PGconn *conn;
    unsigned next_name;  /* statement names s1, s2, … on this connection */
    unsigned generation; /* bumped by each reconnect */
    char listening[LISTEN_MAX][DB_CHANNEL_MAX + 1];
    int nlistening;
} pg_db_t;

/* A growable byte buffer owned by a statement (parameter value or decoded bytea). */
typedef struct pg_buf {
    char *p;
    size_t cap;
} pg_buf_t;

typedef struct pg_stmt {
    db_stmt_t base; /* first, as above */
    char name[16];
    unsigned generation; /* of the connection it is prepared on; 0: not prepared */
    int nparams;
    int nfields;                /* from the statement's description (before db_step) */
    const char **values;        /* nparams entries; NULL = SQL NULL */
    int *lengths, *formats;     /* for PQexecPrepared; lengths matter for binary only */
    pg_buf_t *params;           /* storage behind values */
    PGresult *res;              /* the result being stepped through, NULL before */
    int row, ntuples;           /* current row (-1 before the first) */
    int finished, failure;      /* at the end or failed; failure = db_step result */
    int64_t pending_changes;    /* from this run, reported once it has completed */
    int64_t changes;
    pg_buf_t *blobs;            /* nblobs decoded bytea columns of the current row */
    size_t *blob_len;
    int nblobs;
    int blobs_row;              /* row the decoded blobs belong to, -1: none */
} pg_stmt_t;

static pg_db_t *conn_of(db_t *db)
{
    return (pg_db_t *)db;
}

static pg_stmt_t *stmt_of(db_stmt_t *st)
{
    return (pg_stmt_t *)st;
}

/* Server NOTICEs ("there is no transaction in progress") would go to stderr, which is
 * the server's log; none of them needs an operator. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Makes b hold at least n bytes; n is already bounded by DB_VALUE_MAX. */
static int buf_reserve(pg_buf_t *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 32;
    char *p;
    if (n <= b->cap)
        return 0;
    while (cap < n)
        cap *= 2;
    p = realloc(b->p, cap);
    if (!p)
        return DB_ERROR;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Frees a buffer that grew past KEEP_BUF, so one large value does not stay for the
 * connection's lifetime. */
static void buf_trim(pg_buf_t *b)
{
    if (b->cap > KEEP_BUF) {
        free(b->p);
        b->p = NULL;
        b->cap = 0;
    }
}

/* Records the error of res (or of the connection) with up to 80 bytes of the SQL and
 * maps its SQLSTATE to a db.h code. */
static int fail(pg_db_t *d, const PGresult *res, const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : "";
    char *nl;

    if (!msg || !*msg)
        msg = PQerrorMessage(d->conn);
    if (sql)
        db_set_error(&d->base, "%s (in: %.80s)", msg, sql);
    else
        db_set_error(&d->base, "%s", msg);
    /* libpq's messages span lines ("ERROR: …\nDETAIL: …\n"); keep one log line. */
    for (nl = strchr(d->base.errmsg, '\n'); nl; nl = strchr(nl, '\n'))
        *nl = ' ';
    if (PQstatus(d->conn) != CONNECTION_OK)
        return DB_ECONN;
    if (!state)
        return DB_ERROR;
    if (strncmp(state, "23", 2) == 0)
        return DB_ECONSTRAINT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return DB_EBUSY;
    if (strncmp(state, "08", 2) == 0)
        return DB_ECONN;
    return DB_ERROR;
}

/* Runs SQL without parameters; expects no rows or rows it ignores. */
static int run(pg_db_t *d, const char *sql)
{
    PGresult *res = PQexec(d->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = 0;

    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        rc = fail(d, res, sql);
    PQclear(res);
    return rc;
}

static int listen_on(pg_db_t *d, const char *channel)
{
    char sql[16 + 2 * (DB_CHANNEL_MAX + 2)];
    char *ident = PQescapeIdentifier(d->conn, channel, strlen(channel));
    int rc;

    if (!ident)
        return fail(d, NULL, NULL);
    snprintf(sql, sizeof(sql), "LISTEN %s", ident);
    PQfreemem(ident);
    rc = run(d, sql);
    return rc;
}

/* ---- connection ------------------------------------------------------------------ */

static int pg_open(const char *url, db_t **out, char *err, size_t errlen)
{
    /* Defaults first: with expand_dbname the URL is expanded in place of "dbname" and
     * what it says overrides the keywords before it. */
    const char *const keys[] = {"connect_timeout", "fallback_application_name",
                                "client_encoding", "dbname", NULL};
    const char *const vals[] = {"10", "rathaus", "UTF8", url, NULL};
    pg_db_t *d = calloc(1, sizeof(*d));

    if (!d) {
        snprintf(err, errlen, "postgresql: out of memory");
        return DB_ERROR;
    }
    d->conn = PQconnectdbParams(keys, vals, 1);
    if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
        snprintf(err, errlen, "postgresql: %s",
                 d->conn ? PQerrorMessage(d->conn) : "out of memory");
        err[strcspn(err, "\n")] = '\0'; /* libpq ends (and may continue) with newlines */
        PQfinish(d->conn);
        free(d);
        return DB_ECONN;
    }
    PQsetNoticeProcessor(d->conn, quiet_notice, NULL);
    d->generation = 1;
    *out = &d->base;
    return 0;
}

static void pg_close(db_t *db)
{
    pg_db_t *d = conn_of(db);
    PQfinish(d->conn);
    free(d);
}

/* Reconnects when the connection is known to be lost; see the file comment. */
static int pg_revive(db_t *db)
{
    pg_db_t *d = conn_of(db);
    int i, rc;

    /* A server that restarted has closed its end (after a FATAL goodbye); libpq
     * only learns that on the next query, which would then fail. Between queries
     * of a connection that does not LISTEN nothing else arrives, so a readable
     * socket means exactly that: reconnect before the query instead of after. */
    int dropped = 0;
    if (PQstatus(d->conn) == CONNECTION_OK && PQtransactionStatus(d->conn) == PQTRANS_IDLE && d->nlistening == 0) {
        struct pollfd pfd = {.fd = PQsocket(d->conn), .events = POLLIN};
        dropped = pfd.fd >= 0 && poll(&pfd, 1, 0) > 0;
    }
    if (PQstatus(d->conn) == CONNECTION_OK && !dropped)
        return 0;
    PQreset(d->conn);
    if (PQstatus(d->conn) != CONNECTION_OK) {
        fail(d, NULL, NULL);
        return DB_ECONN;
    }
    d->generation++;
    for (i = 0; i < d->nlistening; i++) {
        rc = listen_on(d, d->listening[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int pg_exec(db_t *db, const char *sql)
{
    int rc = pg_revive(db);
    return rc == 0 ? run(conn_of(db), sql) : rc;
}

/* A server restart shows only when we next talk to it: then reconnect and try once
 * more, so that a successful db_ping means "ready". */
static int pg_ping(db_t *db)
{
    int rc = pg_revive(db);
    if (rc == 0)
        rc = run(conn_of(db), "SELECT 1");
    if (rc == DB_ECONN) {
        rc = pg_revive(db);
        if (rc == 0)
            rc = run(conn_of(db), "SELECT 1");
    }
    return rc;
}

/* PostgreSQL only warns about a nested BEGIN; SQLite refuses it, and so do we. */
static int pg_begin(db_t *db)
{
    pg_db_t *d = conn_of(db);
    int rc = pg_revive(db);
    if (rc != 0)
        return rc;
    if (PQtransactionStatus(d->conn) != PQTRANS_IDLE) {
        db_set_error(db, "db_begin: a transaction is already open");
        return DB_ERROR;
    }
    return run(d, "BEGIN");
}

/* PostgreSQL locks rows as it writes them; there is no database write lock to take. */
static int pg_begin_write(db_t *db)
{
    return pg_begin(db);
}

/* COMMIT of an aborted transaction "succeeds" by rolling back; a caller must learn
 * that nothing was written. */
static int pg_commit(db_t *db)
{
    pg_db_t *d = conn_of(db);
    switch (PQtransactionStatus(d->conn)) {
    case PQTRANS_INTRANS:
        return run(d, "COMMIT");
    case PQTRANS_INERROR:
        run(d, "ROLLBACK");
        db_set_error(db, "transaction aborted by an earlier error: rolled back");
        return DB_ERROR;
    case PQTRANS_IDLE:
        db_set_error(db, "db_commit: no transaction is open");
        return DB_ERROR;
    default: /* PQTRANS_UNKNOWN: the connection is gone, and the transaction with it */
        return fail(d, NULL, NULL);
    }
}

static int pg_rollback(db_t *db)
{
    pg_db_t *d = conn_of(db);
    if (PQtransactionStatus(d->conn) == PQTRANS_IDLE)
        return 0;
    return run(d, "ROLLBACK");
}

/* ---- statements ------------------------------------------------------------------ */

/* Prepares s on the current connection and sizes its parameter arrays. */
static int prepare_on_server(pg_stmt_t *s)
{
    pg_db_t *d = conn_of(s->base.db);
    PGresult *res = NULL;
    int rc = 0, n;

    snprintf(s->name, sizeof(s->name), "s%u", ++d->next_name);
    res = PQprepare(d->conn, s->name, s->base.key, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = fail(d, res, s->base.key);
        goto done;
    }
    PQclear(res);
    /* The description gives the parameter count the server inferred from the SQL,
     * which no scan of the text could match in every case. */
    res = PQdescribePrepared(d->conn, s->name);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = fail(d, res, s->base.key);
        goto done;
    }
    n = PQnparams(res);
    if (n > DB_PARAMS_MAX) {
        db_set_error(&d->base, "more than %d parameters: %.80s", DB_PARAMS_MAX, s->base.key);
        rc = DB_ERROR;
        goto done;
    }
    if (s->values && n != s->nparams) { /* the schema changed under a re-prepare */
        db_set_error(&d->base, "statement now takes %d parameters, not %d: %.80s", n,
                     s->nparams, s->base.key);
        rc = DB_ERROR;
        goto done;
    }
    s->nfields = PQnfields(res);
    if (!s->values) { /* a re-prepare after a reconnect keeps the arrays */
        s->nparams = n;
        s->values = calloc((size_t)n + 1, sizeof(*s->values));
        s->lengths = calloc((size_t)n + 1, sizeof(*s->lengths));
        s->formats = calloc((size_t)n + 1, sizeof(*s->formats));
        s->params = calloc((size_t)n + 1, sizeof(*s->params));
        if (!s->values || !s->lengths || !s->formats || !s->params) {
            db_set_error(&d->base, "out of memory");
            rc = DB_ERROR;
            goto done;
        }
    }
    s->generation = d->generation;
done:
    PQclear(res);
    return rc;
}

static void pg_stmt_free(db_stmt_t *st)
{
    pg_stmt_t *s = stmt_of(st);
    int i;

    PQclear(s->res);
    for (i = 0; s->params && i < s->nparams; i++)
        free(s->params[i].p);
    for (i = 0; i < s->nblobs; i++)
        free(s->blobs[i].p);
    free(s->params);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->blobs);
    free(s->blob_len);
    free(s);
}

static int pg_stmt_new(db_t *db, const char *sql, db_stmt_t **out)
{
    pg_stmt_t *s = calloc(1, sizeof(*s));
    int rc;

    if (!s) {
        db_set_error(db, "out of memory");
        return DB_ERROR;
    }
    s->base.db = db;
    s->base.key = sql;
    s->row = s->blobs_row = -1;
    rc = prepare_on_server(s);
    if (rc != 0) {
        pg_stmt_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

static int pg_stmt_ready(db_stmt_t *st)
{
    pg_stmt_t *s = stmt_of(st);
    return s->generation == conn_of(st->db)->generation ? 0 : prepare_on_server(s);
}

/* Returns the storage for parameter idx with room for n bytes, or NULL (error set). */
static pg_buf_t *param_slot(db_stmt_t *st, int idx, size_t n)
{
    pg_stmt_t *s = stmt_of(st);
    if (idx > s->nparams) {
        db_set_error(st->db, "parameter $%d not in statement: %.80s", idx, st->key);
        return NULL;
    }
    if (s->res || s->finished) {
        db_set_error(st->db, "bind after db_step without db_reset: %.80s", st->key);
        return NULL;
    }
    if (buf_reserve(&s->params[idx - 1], n) != 0) {
        db_set_error(st->db, "out of memory binding $%d", idx);
        return NULL;
    }
    return &s->params[idx - 1];
}

static int set_param(db_stmt_t *st, int idx, const void *p, size_t n, int binary)
{
    pg_stmt_t *s = stmt_of(st);
    pg_buf_t *b = param_slot(st, idx, n + 1);
    if (!b)
        return DB_ERROR;
    memcpy(b->p, p, n);
    b->p[n] = '\0'; /* text parameters are read up to the NUL */
    s->values[idx - 1] = b->p;
    s->lengths[idx - 1] = (int)n;
    s->formats[idx - 1] = binary;
    return 0;
}

static int pg_bind_int64(db_stmt_t *st, int idx, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%" PRId64, v);
    return set_param(st, idx, text, (size_t)n, 0);
}

static int pg_bind_text(db_stmt_t *st, int idx, const char *s, size_t len)
{
    return set_param(st, idx, s, len, 0);
}

static int pg_bind_blob(db_stmt_t *st, int idx, const void *p, size_t n)
{
    return set_param(st, idx, p, n, 1);
}

static int pg_bind_null(db_stmt_t *st, int idx)
{
    pg_stmt_t *s = stmt_of(st);
    if (!param_slot(st, idx, 0))
        return DB_ERROR;
    s->values[idx - 1] = NULL;
    return 0;
}

/* Rows changed according to the command tag ("UPDATE 3"); 0 for anything but DML,
 * since PostgreSQL also counts the rows a SELECT returned. */
static int64_t dml_changes(const PGresult *res)
{
    static const char *const dml[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
    const char *tag = PQcmdStatus((PGresult *)res);
    size_t i;
    for (i = 0; i < sizeof(dml) / sizeof(dml[0]); i++) {
        if (strncmp(tag, dml[i], strlen(dml[i])) == 0)
            return strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
    }
    return 0;
}

/* First db_step: send the statement, keep the whole result. */
static int execute(pg_stmt_t *s)
{
    pg_db_t *d = conn_of(s->base.db);
    PGresult *res;
    ExecStatusType status;
    int rc;

    /* Another statement's db_prepare may have reconnected since this one was bound. */
    rc = pg_stmt_ready(&s->base);
    if (rc != 0)
        return rc;
    res = PQexecPrepared(d->conn, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
    status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        rc = fail(d, res, s->base.key);
        PQclear(res);
        return rc;
    }
    s->res = res;
    s->row = -1;
    s->ntuples = PQntuples(res);
    s->pending_changes = dml_changes(res);
    return 0;
}

static int pg_step(db_stmt_t *st)
{
    pg_stmt_t *s = stmt_of(st);
    int rc;

    if (s->finished)
        return s->failure ? s->failure : DB_DONE;
    if (!s->res) {
        rc = execute(s);
        if (rc != 0) {
            s->finished = 1;
            s->failure = rc;
            return rc;
        }
    }
    s->row++;
    if (s->row < s->ntuples)
        return DB_ROW;
    s->finished = 1;
    s->changes = s->pending_changes;
    return DB_DONE;
}

static int pg_column_count(db_stmt_t *st)
{
    pg_stmt_t *s = stmt_of(st);
    return s->res ? PQnfields(s->res) : s->nfields;
}

/* 1 when col can be read: a row is current and the column exists. */
static int readable(pg_stmt_t *s, int col)
{
    return s->res && s->row >= 0 && s->row < s->ntuples && col < PQnfields(s->res);
}

static int pg_column_is_null(db_stmt_t *st, int col)
{
    pg_stmt_t *s = stmt_of(st);
    return !readable(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_column_int64(db_stmt_t *st, int col)
{
    pg_stmt_t *s = stmt_of(st);
    const char *v;
    if (pg_column_is_null(st, col))
        return 0;
    v = PQgetvalue(s->res, s->row, col);
    /* Comparisons yield boolean here ('t'/'f') but integers on SQLite. */
    if (PQftype(s->res, col) == BOOLOID)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *pg_column_text(db_stmt_t *st, int col)
{
    pg_stmt_t *s = stmt_of(st);
    return pg_column_is_null(st, col) ? NULL : PQgetvalue(s->res, s->row, col);
}

/* Decodes a bytea text value into b; *n gets the byte count. Hex is the server's
 * default output; the old escape format (bytea_output=escape) goes through libpq. */
static int decode_bytea(const char *v, size_t len, pg_buf_t *b, size_t *n)
{
    size_t i, out;
    unsigned char *raw;
    int hi, lo;

    if (len >= 2 && v[0] == '\\' && v[1] == 'x') {
        if ((len - 2) % 2 != 0 || buf_reserve(b, (len - 2) / 2 + 1) != 0)
            return DB_ERROR;
        for (i = 2, out = 0; i < len; i += 2) {
            hi = hex_value((unsigned char)v[i]);
            lo = hex_value((unsigned char)v[i + 1]);
            if (hi < 0 || lo < 0)
                return DB_ERROR;
            b->p[out++] = (char)(hi << 4 | lo);
        }
        *n = out;
        return 0;
    }
    raw = PQunescapeBytea((const unsigned char *)v, n);
    if (!raw || buf_reserve(b, *n + 1) != 0) {
        PQfreemem(raw);
        return DB_ERROR;
    }
    memcpy(b->p, raw, *n);
    PQfreemem(raw);
    return 0;
}

static const void *pg_column_blob(db_stmt_t *st, int col, size_t *n)
{
    pg_stmt_t *s = stmt_of(st);
    int i, nf;

    if (pg_column_is_null(st, col))
        return NULL;
    if (PQftype(s->res, col) != BYTEAOID) { /* text and numbers: their text bytes */
        *n = (size_t)PQgetlength(s->res, s->row, col);
        return PQgetvalue(s->res, s->row, col);
    }
    nf = PQnfields(s->res);
    if (s->nblobs < nf) {
        pg_buf_t *blobs = realloc(s->blobs, (size_t)nf * sizeof(*blobs));
        size_t *lens = blobs ? realloc(s->blob_len, (size_t)nf * sizeof(*lens)) : NULL;
        if (blobs)
            s->blobs = blobs;
        if (!blobs || !lens) {
            db_set_error(st->db, "out of memory reading a blob");
            return NULL;
        }
        s->blob_len = lens;
        for (i = s->nblobs; i < nf; i++)
            s->blobs[i] = (pg_buf_t){NULL, 0};
        s->nblobs = nf;
    }
    if (s->blobs_row != s->row) { /* a new row: earlier decodes are stale */
        for (i = 0; i < s->nblobs; i++)
            s->blob_len[i] = SIZE_MAX;
        s->blobs_row = s->row;
    }
    if (s->blob_len[col] == SIZE_MAX &&
        decode_bytea(PQgetvalue(s->res, s->row, col), (size_t)PQgetlength(s->res, s->row, col),
                     &s->blobs[col], &s->blob_len[col]) != 0) {
        s->blob_len[col] = SIZE_MAX;
        db_set_error(st->db, "column %d: bad bytea value", col);
        return NULL;
    }
    *n = s->blob_len[col];
    return s->blobs[col].p;
}

static int64_t pg_changes(db_stmt_t *st)
{
    return stmt_of(st)->changes;
}

static void pg_reset(db_stmt_t *st)
{
    pg_stmt_t *s = stmt_of(st);
    int i;

    PQclear(s->res);
    s->res = NULL;
    s->row = s->blobs_row = -1;
    s->ntuples = s->finished = s->failure = 0;
    for (i = 0; i < s->nparams; i++) {
        s->values[i] = NULL;
        buf_trim(&s->params[i]);
    }
    for (i = 0; i < s->nblobs; i++)
        buf_trim(&s->blobs[i]);
}

/* ---- notifications --------------------------------------------------------------- */

static int pg_notify(db_t *db, const char *channel, const char *payload)
{
    static const char sql_notify[] = "SELECT pg_notify($1, $2)";
    db_stmt_t *st = NULL;
    int rc;

    rc = db_prepare(db, sql_notify, &st);
    if (rc != 0)
        goto done;
    rc = db_bind_text(st, 1, channel, -1);
    if (rc == 0)
        rc = db_bind_text(st, 2, payload, -1);
    if (rc == 0)
        rc = db_step(st);
    if (rc == DB_ROW)
        rc = 0;
done:
    db_reset(st);
    return rc;
}

static int pg_listen(db_t *db, const char *channel)
{
    pg_db_t *d = conn_of(db);
    int i, rc;

    rc = pg_revive(db);
    if (rc != 0)
        return rc;
    for (i = 0; i < d->nlistening; i++) {
        if (strcmp(d->listening[i], channel) == 0)
            return 0;
    }
    if (d->nlistening == LISTEN_MAX) {
        db_set_error(db, "db_listen: more than %d channels on one connection", LISTEN_MAX);
        return DB_ERROR;
    }
    rc = listen_on(d, channel);
    if (rc != 0)
        return rc;
    snprintf(d->listening[d->nlistening++], sizeof(d->listening[0]), "%s", channel);
    return 0;
}

/* Counts and frees the notifications libpq has already parsed. */
static int drain_notifies(PGconn *conn)
{
    PGnotify *n;
    int count = 0;
    for (n = PQnotifies(conn); n; n = PQnotifies(conn)) {
        count++;
        PQfreemem(n);
    }
    return count;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pg_wait_notify(db_t *db, int timeout_ms)
{
    pg_db_t *d = conn_of(db);
    int64_t deadline = now_ms() + timeout_ms;
    struct pollfd pfd;
    int rc, count;

    rc = pg_revive(db);
    if (rc != 0)
        return rc;
    /* Notifications that came in with earlier query results are already buffered. */
    for (;;) {
        if (!PQconsumeInput(d->conn))
            return fail(d, NULL, NULL);
        count = drain_notifies(d->conn);
        if (count > 0)
            return count;
        pfd.fd = PQsocket(d->conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (pfd.fd < 0)
            return fail(d, NULL, NULL);
        timeout_ms = (int)(deadline - now_ms());
        if (timeout_ms < 0)
            return 0;
        rc = poll(&pfd, 1, timeout_ms);
        if (rc < 0 && errno != EINTR) {
            db_set_error(db, "poll: %s", strerror(errno));
            return DB_ERROR;
        }
        if (rc == 0)
            return 0;
    }
}

static int pg_backup(db_t *db, const char *path, char *err, size_t errlen)
{
    (void)db;
    (void)path;
    snprintf(err, errlen, "db_backup works on SQLite only; use pg_dump for PostgreSQL");
    return DB_ERROR;
}

const db_ops_t db_pg_ops = {
    .engine = DB_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .revive = pg_revive,
    .ping = pg_ping,
    .exec = pg_exec,
    .stmt_new = pg_stmt_new,
    .stmt_ready = pg_stmt_ready,
    .stmt_free = pg_stmt_free,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_is_null = pg_column_is_null,
    .column_int64 = pg_column_int64,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .changes = pg_changes,
    .reset = pg_reset,
    .begin = pg_begin,
    .begin_write = pg_begin_write,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .notify = pg_notify,
    .listen = pg_listen,
    .wait_notify = pg_wait_notify,
    .backup = pg_backup,
};
