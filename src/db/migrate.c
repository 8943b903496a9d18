/* migrate.c — applies the embedded schema migrations (see migrate.h).
 *
 * schema_migrations(id, applied_at) records what a database has. Each pending
 * migration runs in its own write transaction together with its row in that table,
 * so a migration is either fully there or not at all. Several nodes may start at
 * once on one PostgreSQL: an advisory lock serialises them and each re-checks inside
 * its transaction whether another node got there first (on SQLite, BEGIN IMMEDIATE
 * does both).
 *
 * migrate_ddl_for_sqlite maps the common (PostgreSQL) DDL for SQLite with a small
 * tokenizer, so that string literals, quoted identifiers and comments are left alone.
 */
#include <errno.h>
#include "db/migrate.h"

#include "core/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MIGRATE_ERROR (-1)
#define MIGRATE_EUNKNOWN (-2) /* the database knows a migration we do not */
#define APPLIED_MAX 100000    /* rows we read from schema_migrations */
#define DDL_MAX (16 * 1024 * 1024)

static const char sql_create[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL);";
static const char sql_applied[] = "SELECT id FROM schema_migrations ORDER BY id";
static const char sql_is_applied[] = "SELECT count(*) FROM schema_migrations WHERE id = $1";
static const char sql_record[] = "INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)";
/* Engine-specific on purpose (db/ is where dialects may differ): */
static const char sql_exists_sqlite[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
static const char sql_exists_pg[] =
    "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END";
/* Key 0x72617468 spells "rath"; only migrations take this lock. */
static const char sql_lock_pg[] = "SELECT pg_advisory_xact_lock(1918989416)";

/* ---- the SQLite mapping ---------------------------------------------------------- */

typedef enum tok_kind {
    TOK_END,
    TOK_TRIVIA, /* white space and comments */
    TOK_STRING, /* 'literal' or "identifier": copied as they are */
    TOK_WORD,
    TOK_OPEN,
    TOK_CLOSE,
    TOK_SEMI,
    TOK_OTHER,
} tok_kind_t;

typedef struct tok {
    tok_kind_t kind;
    const char *p;
    size_t len;
} tok_t;

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c >= 0x80;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Length of the 'literal' or "identifier" at s, quotes included; a doubled quote
 * stays inside. */
static size_t quoted_len(const char *s)
{
    const char *e = s + 1;
    for (;;) {
        e = strchr(e, s[0]);
        if (!e)
            return strlen(s); /* unterminated: to the end */
        if (e[1] != s[0])
            return (size_t)(e + 1 - s);
        e += 2;
    }
}

/* Reads the token at s. An unterminated literal or comment runs to the end; SQLite
 * will then report the syntax error. */
static tok_t next_token(const char *s)
{
    tok_t t = {TOK_OTHER, s, 1};
    const char *e;

    if (!*s) {
        t.kind = TOK_END;
        t.len = 0;
    } else if (is_space(*s)) {
        t.kind = TOK_TRIVIA;
        for (e = s; is_space(*e); e++)
            ;
        t.len = (size_t)(e - s);
    } else if (s[0] == '-' && s[1] == '-') {
        t.kind = TOK_TRIVIA;
        t.len = strcspn(s, "\n");
    } else if (s[0] == '/' && s[1] == '*') {
        e = strstr(s + 2, "*/");
        t.kind = TOK_TRIVIA;
        t.len = e ? (size_t)(e + 2 - s) : strlen(s);
    } else if (*s == '\'' || *s == '"') {
        t.kind = TOK_STRING;
        t.len = quoted_len(s);
    } else if (is_word_byte((unsigned char)*s)) {
        t.kind = TOK_WORD;
        for (e = s; is_word_byte((unsigned char)*e); e++)
            ;
        t.len = (size_t)(e - s);
    } else if (*s == '(') {
        t.kind = TOK_OPEN;
    } else if (*s == ')') {
        t.kind = TOK_CLOSE;
    } else if (*s == ';') {
        t.kind = TOK_SEMI;
    }
    return t;
}

/* The next token at s that is not trivia. */
static tok_t next_significant(const char *s)
{
    tok_t t = next_token(s);
    while (t.kind == TOK_TRIVIA)
        t = next_token(t.p + t.len);
    return t;
}

static int word_is(tok_t t, const char *w)
{
    return t.kind == TOK_WORD && t.len == strlen(w) && memcmp(t.p, w, t.len) == 0;
}

static int word_is_ci(tok_t t, const char *w)
{
    return t.kind == TOK_WORD && t.len == strlen(w) && strncasecmp(t.p, w, t.len) == 0;
}

/* What we know about the statement being copied. */
typedef struct ddl_stmt {
    int nwords;       /* significant words so far, while < 4 */
    int create_table; /* CREATE [TEMP|TEMPORARY] TABLE */
    int depth;        /* parenthesis depth */
    int columns;      /* the column list has been closed */
    int options;      /* table options follow it (WITHOUT ROWID) */
    int no_strict;    /* CREATE TABLE … AS, or STRICT already there */
    size_t end;       /* output length after the last significant token */
} ddl_stmt_t;

/* Output with a fixed capacity computed up front; emit refuses to pass it. */
typedef struct ddl_out {
    char *p;
    size_t len, cap;
    int overflow;
} ddl_out_t;

static void emit(ddl_out_t *o, const char *s, size_t n)
{
    if (o->overflow || n > o->cap - o->len) {
        o->overflow = 1;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

/* Inserts s at offset at (before the trivia that followed the statement's end). */
static void insert_at(ddl_out_t *o, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (o->overflow || n > o->cap - o->len) {
        o->overflow = 1;
        return;
    }
    memmove(o->p + at + n, o->p + at, o->len - at);
    memcpy(o->p + at, s, n);
    o->len += n;
}

/* Called at a statement's `;` (or the end): adds STRICT to a CREATE TABLE. */
static void finish_statement(ddl_out_t *o, ddl_stmt_t *st)
{
    if (st->create_table && st->columns && !st->no_strict)
        insert_at(o, st->end, st->options ? ", STRICT" : " STRICT");
    memset(st, 0, sizeof(*st));
}

/* Notes a significant token of the statement (see ddl_stmt_t). */
static void track(ddl_stmt_t *st, tok_t t, size_t out_len)
{
    if (t.kind == TOK_WORD && st->nwords < 4) {
        st->nwords++;
        if (st->nwords == 1 && !word_is_ci(t, "CREATE"))
            st->nwords = 4; /* not a CREATE: stop looking */
        else if (st->nwords == 2 && (word_is_ci(t, "TEMP") || word_is_ci(t, "TEMPORARY")))
            st->nwords = 1; /* CREATE TEMP TABLE: TABLE is still to come */
        else if (st->nwords == 2)
            st->create_table = word_is_ci(t, "TABLE");
    }
    if (t.kind == TOK_OPEN) {
        st->depth++;
    } else if (t.kind == TOK_CLOSE) {
        st->depth--;
        if (st->depth == 0 && !st->columns)
            st->columns = 1;
        else if (st->depth == 0)
            st->options = 1;
    } else if (st->depth == 0 && !st->columns && word_is_ci(t, "AS")) {
        st->no_strict = 1; /* CREATE TABLE … AS SELECT takes no table options */
    } else if (st->depth == 0 && st->columns && word_is_ci(t, "STRICT")) {
        st->no_strict = 1;
    } else if (st->depth == 0 && st->columns) {
        st->options = 1;
    }
    st->end = out_len;
}

char *migrate_ddl_for_sqlite(const char *sql)
{
    ddl_out_t o = {0};
    ddl_stmt_t st = {0};
    size_t len;
    tok_t t, k1, k2;

    if (!sql)
        return NULL;
    len = strnlen(sql, DDL_MAX + 1);
    if (len > DDL_MAX)
        return NULL;
    /* Growth per input byte is bounded: BIGINT → INTEGER adds 1 per 6 bytes,
     * BIGSERIAL PRIMARY KEY (21 bytes) gains 12, STRICT adds 8 per CREATE TABLE
     * (>= 16 bytes); so twice the input always fits. */
    const char *autoinc_after = NULL; /* the KEY token after which AUTOINCREMENT goes */
    o.cap = 2 * len + 16;
    o.p = malloc(o.cap + 1);
    if (!o.p)
        return NULL;
    for (t = next_token(sql); t.kind != TOK_END; t = next_token(t.p + t.len)) {
        if (t.kind == TOK_TRIVIA) {
            emit(&o, t.p, t.len);
            continue;
        }
        if (t.kind == TOK_SEMI) {
            finish_statement(&o, &st);
            emit(&o, t.p, t.len);
            continue;
        }
        if (word_is(t, "BIGSERIAL")) {
            k1 = next_significant(t.p + t.len);
            k2 = next_significant(k1.p + k1.len);
            /* Anything but BIGSERIAL PRIMARY KEY stays, and STRICT rejects it loudly:
             * SQLite has no sequence to give a plain column. */
            if (word_is(k1, "PRIMARY") && word_is(k2, "KEY")) {
                emit(&o, "INTEGER", 7);
                /* AUTOINCREMENT: like a PostgreSQL sequence, never hand out an id
                 * again after its row was deleted (event replay and audit
                 * references rely on ids only growing). */
                autoinc_after = k2.p;
            } else {
                emit(&o, t.p, t.len);
            }
        } else if (word_is(t, "BIGINT")) {
            emit(&o, "INTEGER", 7);
        } else if (word_is(t, "BYTEA")) {
            emit(&o, "BLOB", 4);
        } else {
            emit(&o, t.p, t.len);
            if (t.p == autoinc_after) {
                emit(&o, " AUTOINCREMENT", 14);
                autoinc_after = NULL;
            }
        }
        track(&st, t, o.len);
    }
    finish_statement(&o, &st);
    if (o.overflow) { /* cannot happen given the bound above; fail rather than truncate */
        free(o.p);
        return NULL;
    }
    o.p[o.len] = '\0';
    return o.p;
}

/* ---- applying -------------------------------------------------------------------- */

/* Ids recorded in schema_migrations, each malloc'd. */
typedef struct applied {
    char **ids;
    size_t n;
} applied_t;

static void applied_free(applied_t *a)
{
    size_t i;
    for (i = 0; i < a->n; i++)
        free(a->ids[i]);
    free(a->ids);
    a->ids = NULL;
    a->n = 0;
}

static int applied_has(const applied_t *a, const char *id)
{
    size_t i;
    for (i = 0; i < a->n; i++) {
        if (strcmp(a->ids[i], id) == 0)
            return 1;
    }
    return 0;
}

/* Checks the list itself: ids present and unique. */
static int check_list(const migration_t *list, char *err, size_t errlen)
{
    size_t i, j;
    for (i = 0; list[i].id; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(list[i].id, list[j].id) == 0) {
                snprintf(err, errlen, "migration %s listed twice", list[i].id);
                return MIGRATE_ERROR;
            }
        }
    }
    return 0;
}

/* Runs sql alone, in a transaction with the migration lock (see the file comment). */
static int locked_begin(db_t *db)
{
    int rc = db_begin_write(db);
    if (rc == 0 && db_engine(db) == DB_POSTGRES) {
        rc = db_exec(db, sql_lock_pg);
        if (rc != 0)
            db_rollback(db);
    }
    return rc;
}

/* Creates schema_migrations if missing. */
static int ensure_table(db_t *db, char *err, size_t errlen)
{
    char *ddl = NULL;
    int rc;

    if (db_engine(db) == DB_SQLITE) {
        ddl = migrate_ddl_for_sqlite(sql_create);
        if (!ddl) {
            snprintf(err, errlen, "out of memory");
            return MIGRATE_ERROR;
        }
    }
    rc = locked_begin(db);
    if (rc == 0) {
        rc = db_exec(db, ddl ? ddl : sql_create);
        if (rc == 0)
            rc = db_commit(db);
        else
            db_rollback(db);
    }
    if (rc != 0)
        snprintf(err, errlen, "creating schema_migrations: %s", db_errmsg(db));
    free(ddl);
    return rc == 0 ? 0 : MIGRATE_ERROR;
}

/* 1 when schema_migrations exists, 0 when not, < 0 on error. */
static int table_exists(db_t *db, char *err, size_t errlen)
{
    int64_t n = 0;
    const char *sql = db_engine(db) == DB_SQLITE ? sql_exists_sqlite : sql_exists_pg;
    if (db_query_int64(db, sql, &n) != 0) {
        snprintf(err, errlen, "reading schema_migrations: %s", db_errmsg(db));
        return MIGRATE_ERROR;
    }
    return n > 0;
}

/* Reads the applied ids and refuses ids the list does not know. */
static int load_applied(db_t *db, const migration_t *list, applied_t *a, char *err,
                        size_t errlen)
{
    db_stmt_t *st = NULL;
    char **ids;
    const char *id;
    size_t i, cap = 0;
    int rc;

    rc = db_prepare(db, sql_applied, &st);
    if (rc == 0)
        rc = db_step(st);
    for (; rc == DB_ROW; rc = db_step(st)) {
        id = db_column_text(st, 0);
        if (a->n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = cap <= APPLIED_MAX ? realloc(a->ids, cap * sizeof(*ids)) : NULL;
            if (!ids) {
                snprintf(err, errlen, "schema_migrations: too many rows or out of memory");
                rc = MIGRATE_ERROR;
                goto done;
            }
            a->ids = ids;
        }
        a->ids[a->n] = strdup(id ? id : "");
        if (!a->ids[a->n]) {
            snprintf(err, errlen, "out of memory");
            rc = MIGRATE_ERROR;
            goto done;
        }
        a->n++;
    }
    if (rc != DB_DONE) {
        snprintf(err, errlen, "reading schema_migrations: %s", db_errmsg(db));
        rc = MIGRATE_ERROR;
        goto done;
    }
    rc = 0;
    for (i = 0; i < a->n; i++) {
        size_t j;
        for (j = 0; list[j].id && strcmp(list[j].id, a->ids[i]) != 0; j++)
            ;
        if (!list[j].id) {
            snprintf(err, errlen,
                     "database has migration %s, which this rathaus does not know: "
                     "it was made by a newer version",
                     a->ids[i]);
            rc = MIGRATE_EUNKNOWN;
            goto done;
        }
    }
done:
    db_reset(st);
    return rc;
}

/* The SQL of m for db's engine; *owned is set when it was mapped (free it). */
static const char *pick_sql(db_t *db, const migration_t *m, char **owned)
{
    *owned = NULL;
    if (db_engine(db) == DB_POSTGRES)
        return m->sql_pg ? m->sql_pg : m->sql_common;
    if (m->sql_sqlite)
        return m->sql_sqlite; /* written for SQLite: no mapping */
    if (!m->sql_common)
        return NULL;
    *owned = migrate_ddl_for_sqlite(m->sql_common);
    return *owned;
}

/* Applies m in one transaction. Returns 1 when applied, 0 when another node had just
 * applied it, < 0 with err set. */
static int apply_one(db_t *db, const migration_t *m, char *err, size_t errlen)
{
    char *owned = NULL;
    const char *sql = pick_sql(db, m, &owned);
    db_stmt_t *st = NULL;
    int64_t n = 0;
    int rc, in_tx = 0;

    if (!sql) {
        snprintf(err, errlen, "migration %s: no SQL for this engine (or out of memory)",
                 m->id);
        rc = MIGRATE_ERROR;
        goto done;
    }
    rc = locked_begin(db);
    if (rc != 0)
        goto fail;
    in_tx = 1;
    rc = db_prepare(db, sql_is_applied, &st);
    if (rc == 0)
        rc = db_bind_text(st, 1, m->id, -1);
    if (rc == 0)
        rc = db_step(st);
    if (rc == DB_ROW) {
        n = db_column_int64(st, 0);
        rc = 0;
    }
    db_reset(st);
    if (rc != 0)
        goto fail;
    if (n > 0) { /* another node was quicker */
        db_rollback(db);
        rc = 0;
        goto done;
    }
    rc = db_exec(db, sql);
    if (rc != 0)
        goto fail;
    rc = db_prepare(db, sql_record, &st);
    if (rc == 0)
        rc = db_bind_text(st, 1, m->id, -1);
    if (rc == 0)
        rc = db_bind_int64(st, 2, (int64_t)time(NULL));
    if (rc == 0)
        rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    rc = db_commit(db);
    if (rc != 0)
        goto fail;
    rc = 1;
    goto done;

fail:
    /* The message first: ROLLBACK would replace the connection's error text. */
    snprintf(err, errlen, "migration %s failed: %s", m->id, db_errmsg(db));
    if (in_tx)
        db_rollback(db);
    rc = MIGRATE_ERROR; /* never a db.h code: DB_ECONSTRAINT equals MIGRATE_EUNKNOWN */
done:
    free(owned);
    return rc;
}

int migrate_apply(db_t *db, const migration_t *list, char *err, size_t errlen)
{
    applied_t have = {0};
    char dummy[1];
    int rc, count = 0;
    size_t i;

    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (!db || !list) {
        snprintf(err, errlen, "migrate: no database or no list");
        return MIGRATE_ERROR;
    }
    rc = check_list(list, err, errlen);
    if (rc == 0)
        rc = ensure_table(db, err, errlen);
    if (rc == 0)
        rc = load_applied(db, list, &have, err, errlen);
    for (i = 0; rc >= 0 && list[i].id; i++) {
        if (applied_has(&have, list[i].id))
            continue;
        rc = apply_one(db, &list[i], err, errlen);
        if (rc > 0)
            count++;
    }
    applied_free(&have);
    return rc < 0 ? rc : count;
}

int migrate_pending(db_t *db, const migration_t *list, char *err, size_t errlen)
{
    applied_t have = {0};
    char dummy[1];
    int rc, count = 0;
    size_t i;

    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (!db || !list) {
        snprintf(err, errlen, "migrate: no database or no list");
        return MIGRATE_ERROR;
    }
    rc = check_list(list, err, errlen);
    if (rc == 0)
        rc = table_exists(db, err, errlen);
    if (rc == 1) /* a fresh database has no table yet: read-only, so not made here */
        rc = load_applied(db, list, &have, err, errlen);
    for (i = 0; rc >= 0 && list[i].id; i++) {
        if (!applied_has(&have, list[i].id))
            count++;
    }
    applied_free(&have);
    return rc < 0 ? rc : count;
}

int migrate_open(const char *url, db_t **out, int *applied, char *err, size_t errlen)
{
    char msg[512];
    *out = NULL;
    if (!strncmp(url, "sqlite:", 7) && strcmp(url, "sqlite::memory:") != 0 && path_make_parents(url + 7) != 0) {
        snprintf(err, errlen, "cannot create the directory for %s: %s", url + 7, strerror(errno));
        return -1;
    }
    if (db_open(url, out, msg, sizeof(msg)) != 0) {
        snprintf(err, errlen, "cannot open database %s: %s", url, msg);
        *out = NULL;
        return -1;
    }
    int n = migrate_apply(*out, migrations_builtin, msg, sizeof(msg));
    if (n < 0) {
        snprintf(err, errlen, "migration failed: %s", msg);
        db_close(*out);
        *out = NULL;
        return -1;
    }
    if (applied)
        *applied = n;
    return 0;
}
