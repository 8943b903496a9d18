/* migrate.h — numbered schema migrations, embedded in the binary.
 *
 * Migrations live in sql/<module>/NNN_name.sql and are compiled into the binary
 * (build/gen/migrations.c, made by scripts/embed-sql.sh), so a binary always knows
 * exactly which schema it expects. They are written once in the common dialect
 * (PostgreSQL types BIGSERIAL, BIGINT, TEXT, BYTEA); for SQLite the DDL is mapped
 * (BIGSERIAL PRIMARY KEY → INTEGER PRIMARY KEY, BIGINT → INTEGER, BYTEA → BLOB,
 * every CREATE TABLE made STRICT). A file NNN_name.sqlite.sql or NNN_name.pg.sql
 * replaces the common one on that engine where the dialects truly differ.
 *
 * Each migration runs in its own transaction and is recorded in schema_migrations.
 */
#ifndef RATHAUS_DB_MIGRATE_H
#define RATHAUS_DB_MIGRATE_H

#include <stddef.h>
#include "db/db.h"

typedef struct migration {
    const char *id;         /* "core/001_init" — module and file name without .sql */
    const char *sql_common; /* may be NULL when both engine variants exist */
    const char *sql_sqlite; /* NULL: use sql_common */
    const char *sql_pg;     /* NULL: use sql_common */
} migration_t;

/* The embedded list, sorted by id (module order, then number); ends with {NULL}. */
extern const migration_t migrations_builtin[];

/* Applies every pending migration of list in order. Returns the number applied
 * (>= 0) or < 0 with a message in err. Refuses (-2) a database that records a
 * migration this binary does not know: it was made by a newer rathaus. */
int migrate_apply(db_t *db, const migration_t *list, char *err, size_t errlen);
/* Number of migrations of list not yet applied (>= 0), or < 0 as migrate_apply. */
int migrate_pending(db_t *db, const migration_t *list, char *err, size_t errlen);
/* Opens url (for SQLite, creating the directories above the file) and applies
 * every pending builtin migration: what every command that touches the database
 * does first. Returns 0 with *out open and *applied (may be NULL) set, or < 0
 * with a message in err and *out NULL. */
int migrate_open(const char *url, db_t **out, int *applied, char *err, size_t errlen);
/* Maps common-dialect DDL to SQLite's (exposed for tests). Returns a malloc'd string. */
char *migrate_ddl_for_sqlite(const char *sql);

#endif
