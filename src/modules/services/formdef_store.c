/* formdef_store.c — form definitions in the database: each upload of a form_key
 * becomes its next version (form_definitions), an application keeps the version it
 * was started with, and `rathaus demo` loads every file of data/services/forms.
 * The strict check (formdef.c) runs before anything is stored.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/formdef.h"
#include "modules/services/internal.h"

/* ---- storing and loading ---------------------------------------------------------------- */

static const char sql_newest[] =
    "SELECT id, version, definition FROM form_definitions WHERE form_key = $1 ORDER BY version DESC LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO form_definitions (form_key, version, title, definition, created_by, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char sql_load[] = "SELECT definition FROM form_definitions WHERE id = $1";

int formdef_store_tx(db_t *db, const char *json_text, size_t len, int64_t created_by, int64_t *form_id,
                     int64_t *version, int *unchanged, char *err, size_t errlen)
{
    *unchanged = 0;
    json_t *def = formdef_parse(json_text, len, err, errlen);
    if (!def)
        return -1;
    const char *key = json_string_value(json_object_get(def, "form_key"));
    const char *title = json_string_value(json_object_get(def, "title"));
    int rc = -2;
    db_stmt_t *st;
    if (db_prepare(db, sql_newest, &st) != 0)
        goto out;
    db_bind_text(st, 1, key, -1);
    int64_t last = 0, last_id = 0;
    int same = 0;
    int step = db_step(st);
    if (step == DB_ROW) {
        last_id = db_column_int64(st, 0);
        last = db_column_int64(st, 1);
        const char *old = db_column_text(st, 2);
        /* Loading the same file again (demo, a repeated upload) is not a new version. */
        same = old && strlen(old) == len && memcmp(old, json_text, len) == 0;
    }
    db_reset(st);
    if (step < 0)
        goto out;
    if (same) {
        *form_id = last_id;
        *version = last;
        *unchanged = 1;
        rc = 0;
        goto out;
    }
    if (db_prepare(db, sql_insert, &st) != 0)
        goto out;
    db_bind_text(st, 1, key, -1);
    db_bind_int64(st, 2, last + 1);
    db_bind_text(st, 3, title, -1);
    db_bind_text(st, 4, json_text, (ssize_t)len);
    if (created_by > 0)
        db_bind_int64(st, 5, created_by);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, (int64_t)time(NULL));
    if (db_step(st) == DB_ROW) {
        *form_id = db_column_int64(st, 0);
        *version = last + 1;
        rc = 0;
    }
    db_reset(st);
out:
    if (rc == -2 && err && errlen)
        snprintf(err, errlen, "database: %s", db_errmsg(db));
    json_decref(def);
    return rc;
}

int formdef_store(db_t *db, const char *json_text, size_t len, int64_t created_by, int64_t *form_id, int64_t *version,
                  char *err, size_t errlen)
{
    int unchanged;
    if (db_begin_write(db) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "database: %s", db_errmsg(db));
        return -2;
    }
    int rc = formdef_store_tx(db, json_text, len, created_by, form_id, version, &unchanged, err, errlen);
    if (rc == 0 && db_commit(db) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "database: %s", db_errmsg(db));
        rc = -2;
    }
    if (rc != 0)
        db_rollback(db);
    return rc;
}

json_t *formdef_load(db_t *db, int64_t form_id, int *missing)
{
    *missing = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_load, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, form_id);
    json_t *def = NULL;
    int rc = db_step(st);
    if (rc == DB_ROW) {
        const char *text = db_column_text(st, 0);
        /* Checked when it was stored; parsed without the check on every page. */
        def = text ? json_loads(text, 0, NULL) : NULL;
    } else if (rc == DB_DONE) {
        *missing = 1;
    }
    db_reset(st);
    return def;
}

static const char sql_newest_id[] = "SELECT id FROM form_definitions WHERE form_key = $1 ORDER BY version DESC LIMIT 1";

int formdef_newest(db_t *db, const char *form_key, int64_t *form_id)
{
    return db_query_int64_text(db, sql_newest_id, form_key, NULL, form_id);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file of at most FORMDEF_MAX_BYTES + 1 bytes (so that a larger
 * one is refused by the check with the right message). malloc'd. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = FORMDEF_MAX_BYTES + 1;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int formdef_load_dir(db_t *db, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the folder", dir);
        return -1;
    }
    char *names[256];
    size_t count = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        if (count == sizeof(names) / sizeof(names[0])) {
            snprintf(err, errlen, "%s: more than %zu form files", dir, count);
            rc = -1;
            break;
        }
        names[count] = strdup(e->d_name);
        if (!names[count]) {
            rc = -1;
            break;
        }
        count++;
    }
    closedir(d);
    qsort(names, count, sizeof(names[0]), by_name);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        char path[1024], msg[512] = "";
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        size_t len = 0;
        char *text = read_file(path, &len);
        if (!text) {
            snprintf(err, errlen, "%s: cannot read the file", path);
            rc = -1;
            break;
        }
        int64_t id, version;
        if (formdef_store(db, text, len, 0, &id, &version, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s: %s", path, msg);
            rc = -1;
        }
        free(text);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    return rc;
}
