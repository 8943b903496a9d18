/* tokens.c — single-use tokens (see tokens.h). */
#include "modules/account/tokens.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/account/session.h"

static const char sql_insert[] = "INSERT INTO account_tokens (hash, user_id, purpose, payload, created_at, expires_at) "
                                 "VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_peek[] = "SELECT user_id FROM account_tokens WHERE hash = $1 AND purpose = $2 "
                               "AND used_at IS NULL AND expires_at > $3";
static const char sql_consume[] = "UPDATE account_tokens SET used_at = $3 WHERE hash = $1 AND purpose = $2 "
                                  "AND used_at IS NULL AND expires_at > $3 RETURNING user_id, payload";
static const char sql_void[] = "UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 "
                               "AND used_at IS NULL";

int token_create(db_t *db, int64_t user_id, const char *purpose, const char *payload, int64_t ttl_seconds,
                 char out[48])
{
    char hash[SESSION_HASH_HEX];
    session_random_token(out);
    session_hash(out, hash);
    int64_t now = (int64_t)time(NULL);
    db_stmt_t *st;
    if (db_prepare(db, sql_insert, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    db_bind_int64(st, 2, user_id);
    db_bind_text(st, 3, purpose, -1);
    db_bind_text(st, 4, payload ? payload : "", -1);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now + ttl_seconds);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* A token from a link: 43 base64url characters, nothing else. */
static int plausible(const char *token)
{
    if (!token || strlen(token) != 43)
        return 0;
    for (const char *p = token; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return 0;
    return 1;
}

int token_peek(db_t *db, const char *token, const char *purpose, int64_t *user_id)
{
    if (!plausible(token))
        return 1;
    char hash[SESSION_HASH_HEX];
    session_hash(token, hash);
    db_stmt_t *st;
    if (db_prepare(db, sql_peek, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    db_bind_text(st, 2, purpose, -1);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    int rc = db_step(st);
    if (rc == DB_ROW)
        *user_id = db_column_int64(st, 0);
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int token_consume(db_t *db, const char *token, const char *purpose, int64_t *user_id, char *payload, size_t n)
{
    if (!plausible(token))
        return 1;
    char hash[SESSION_HASH_HEX];
    session_hash(token, hash);
    db_stmt_t *st;
    if (db_prepare(db, sql_consume, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    db_bind_text(st, 2, purpose, -1);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *user_id = db_column_int64(st, 0);
        if (payload && n)
            snprintf(payload, n, "%s", db_column_text(st, 1));
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int token_void_all(db_t *db, int64_t user_id, const char *purpose)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_void, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    db_bind_text(st, 2, purpose, -1);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}
