/* files.c — uploaded files: the type by content (libmagic), the limits, and the
 * row in application_files (see files.h).
 *
 * A libmagic handle is not thread-safe, so each thread opens its own on first
 * use (a _Thread_local pointer, as search.c does with its stemmer); a pthread key
 * closes it when the thread ends, files_shutdown closes the calling thread's.
 * files_init opens one at start-up only to fail early, with a clear message,
 * when the magic database is missing.
 *
 * The type is answered as one of the static strings below: whatever libmagic
 * says is matched against them, so no caller ever holds a pointer into a magic
 * handle that the next call overwrites.
 */
#include "platform/files.h"

#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"

#define FILES_SNIFF_BYTES (1024 * 1024) /* what libmagic looks at: the start is enough for every type */
#define FILES_NAME_MAX 200              /* bytes of a stored file name */

/* The types we name; anything else is "application/octet-stream". */
static const char *const known_types[] = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/svg+xml",
    "image/heic",
    "text/plain",
    "text/html",
    "text/xml",
    "application/xml",
    "application/json",
    "application/zip",
    "application/gzip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/x-executable",
    "application/x-sharedlib",
    "text/x-shellscript",
    "inode/x-empty",
};

static pthread_key_t magic_key;
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;
static int magic_key_made;
static _Thread_local magic_t thread_magic;

static void magic_free(void *m)
{
    magic_close(m);
}

static void magic_key_make(void)
{
    magic_key_made = pthread_key_create(&magic_key, magic_free) == 0;
}

/* Opens a handle that answers MIME types; NULL with err when the database is missing. */
static magic_t magic_make(char *err, size_t errlen)
{
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (!m) {
        if (err)
            snprintf(err, errlen, "libmagic: cannot open a handle");
        return NULL;
    }
    if (magic_load(m, NULL) != 0) {
        if (err)
            snprintf(err, errlen, "libmagic: cannot load the magic database: %s", magic_error(m));
        magic_close(m);
        return NULL;
    }
    return m;
}

static magic_t magic_get(void)
{
    if (thread_magic)
        return thread_magic;
    pthread_once(&magic_once, magic_key_make);
    magic_t m = magic_make(NULL, 0);
    if (!m)
        return NULL;
    if (magic_key_made)
        pthread_setspecific(magic_key, m);
    thread_magic = m;
    return m;
}

int files_init(char *err, size_t errlen)
{
    return magic_get() ? 0 : (magic_make(err, errlen), -1);
}

void files_shutdown(void)
{
    if (!thread_magic)
        return;
    if (magic_key_made)
        pthread_setspecific(magic_key, NULL);
    magic_close(thread_magic);
    thread_magic = NULL;
}

const char *files_sniff(const void *data, size_t len)
{
    if (!data || len == 0)
        return "inode/x-empty";
    magic_t m = magic_get();
    if (!m)
        return "application/octet-stream";
    const char *t = magic_buffer(m, data, len < FILES_SNIFF_BYTES ? len : FILES_SNIFF_BYTES);
    if (!t)
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++)
        if (!strcmp(t, known_types[i]))
            return known_types[i];
    return "application/octet-stream";
}

enum files_result files_check(const void *data, size_t len, size_t max_bytes, const char *const *allowed,
                              const char **type)
{
    const char *sniffed = files_sniff(data, len);
    if (type)
        *type = sniffed;
    if (!data || len == 0)
        return FILES_EMPTY;
    if (len > max_bytes)
        return FILES_TOO_LARGE;
    if (!allowed)
        return FILES_OK;
    for (const char *const *a = allowed; *a; a++)
        if (!strcmp(*a, sniffed))
            return FILES_OK;
    return FILES_TYPE_REFUSED;
}

/* The name as we keep it: without folders, control characters and the quotes,
 * semicolons and backslashes that would need escaping in a header; at most
 * FILES_NAME_MAX bytes, cut at a character boundary; "datei" when nothing is left. */
static void clean_name(const char *name, char out[FILES_NAME_MAX + 1])
{
    const char *base = name ? name : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t n = 0;
    /* Characters are dropped whole (all of them are ASCII), so valid UTF-8 stays
     * valid; the cut at the end respects character boundaries. */
    if (utf8_valid(base, strlen(base))) {
        for (const char *p = base; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c < 0x20 || c == 0x7f || c == '"' || c == ';')
                continue;
            if (n == FILES_NAME_MAX)
                break;
            out[n++] = (char)c;
        }
        /* The loop stops when the buffer is full; a character that began in it
         * but did not fit is cut off here (at most three bytes). */
        while (n && !utf8_valid(out, n))
            n--;
    }
    out[n] = '\0';
    while (n && out[n - 1] == ' ')
        out[--n] = '\0';
    size_t lead = strspn(out, " .");
    if (lead) {
        memmove(out, out + lead, n - lead + 1);
        n -= lead;
    }
    if (n == 0)
        snprintf(out, FILES_NAME_MAX + 1, "datei");
}

static const char sql_store[] =
    "INSERT INTO application_files (application_id, field, filename, content_type, size, data, uploaded_by, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

int files_store(db_t *db, int64_t application_id, const char *field, const char *filename, const char *content_type,
                const void *data, size_t len, int64_t uploaded_by, int64_t *id_out)
{
    char name[FILES_NAME_MAX + 1];
    clean_name(filename, name);
    db_stmt_t *st;
    if (db_prepare(db, sql_store, &st) != 0)
        return -1;
    db_bind_int64(st, 1, application_id);
    db_bind_text(st, 2, field, -1);
    db_bind_text(st, 3, name, -1);
    db_bind_text(st, 4, content_type ? content_type : "application/octet-stream", -1);
    db_bind_int64(st, 5, (int64_t)len);
    db_bind_blob(st, 6, data, len);
    if (uploaded_by > 0)
        db_bind_int64(st, 7, uploaded_by);
    else
        db_bind_null(st, 7);
    db_bind_int64(st, 8, (int64_t)time(NULL));
    int rc = -1;
    if (db_step(st) == DB_ROW) {
        if (id_out)
            *id_out = db_column_int64(st, 0);
        rc = 0;
    }
    db_reset(st);
    return rc;
}
