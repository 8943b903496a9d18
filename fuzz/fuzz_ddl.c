/* fuzz_ddl.c — libFuzzer target for the SQLite DDL mapping of migrations (db/migrate.c).
 *
 * Migrations are our own files, but the mapper is a tokenizer over arbitrary SQL
 * text (strings, comments, identifiers): it must never crash, hang or read past
 * the end, whatever it is given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = malloc(size + 1);
    if (!sql)
        return 0;
    memcpy(sql, data, size);
    sql[size] = '\0';
    char *out = migrate_ddl_for_sqlite(sql);
    free(out);
    free(sql);
    return 0;
}
