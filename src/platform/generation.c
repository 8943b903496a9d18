/* generation.c — change tokens for data that nodes keep derived copies of (see
 * generation.h). */
#include "platform/generation.h"

#include <sodium.h>

static const char sql_read[] = "SELECT token FROM generations WHERE name = $1";
static const char sql_bump[] = "INSERT INTO generations (name, token) VALUES ($1, $2) "
                               "ON CONFLICT (name) DO UPDATE SET token = excluded.token";

int generation_read(db_t *db, const char *name, int64_t *token)
{
    db_stmt_t *st;
    *token = 0;
    if (db_prepare(db, sql_read, &st) != 0)
        return DB_ERROR;
    db_bind_text(st, 1, name, -1);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *token = db_column_int64(st, 0);
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? 0 : DB_ERROR;
}

int generation_bump(db_t *db, const char *name)
{
    uint64_t raw;
    do
        randombytes_buf(&raw, sizeof(raw));
    while ((raw & INT64_MAX) == 0);
    db_stmt_t *st;
    if (db_prepare(db, sql_bump, &st) != 0)
        return DB_ERROR;
    db_bind_text(st, 1, name, -1);
    db_bind_int64(st, 2, (int64_t)(raw & INT64_MAX));
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : DB_ERROR;
}
