/* audit.c — the one writer of audit_log (see audit.h).
 *
 * The goal is that every call leaves a row: arguments are cleaned up (valid UTF-8,
 * bounded length, detail made a JSON object) instead of refused, since a refused
 * audit entry is an action without a trace.
 */
#include "platform/audit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"

/* Returns a malloc'd copy of s with every invalid UTF-8 sequence replaced by U+FFFD,
 * cut on a character boundary to at most max bytes; *cut tells whether it was cut. */
static char *clean_text(const char *s, size_t max, int *cut)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    size_t n = strlen(s);
    char *out = malloc(max + 1);
    size_t len = 0;

    *cut = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        unsigned char lead = (unsigned char)s[i];
        size_t seq = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        const char *piece = s + i;
        size_t piece_len = seq;
        if (i + seq > n || !utf8_valid(s + i, seq)) {
            /* Replace one byte at a time: the next one may start a valid character. */
            piece = replacement;
            piece_len = 3;
            seq = 1;
        }
        if (len + piece_len > max) {
            *cut = 1;
            break;
        }
        memcpy(out + len, piece, piece_len);
        len += piece_len;
        i += seq;
    }
    out[len] = '\0';
    return out;
}

/* The detail column: detail_json itself (compacted) when it is a JSON object that
 * fits, else {"raw": …}. Returns a malloc'd string or NULL when out of memory. */
static char *detail_text(const char *detail_json)
{
    json_t *parsed = NULL;
    json_t *wrapped = NULL;
    char *raw = NULL;
    char *out = NULL;
    int cut = 0;

    if (!detail_json || !detail_json[0])
        return strdup("{}");
    parsed = json_loads(detail_json, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(parsed)) {
        out = json_dumps(parsed, JSON_COMPACT);
        if (out && strlen(out) <= AUDIT_DETAIL_MAX)
            goto cleanup;
        free(out);
        out = NULL;
    }
    /* Leave room for the wrapper and for escaping within the column's limit. */
    raw = clean_text(detail_json, AUDIT_DETAIL_MAX / 2, &cut);
    if (!raw)
        goto cleanup;
    wrapped = json_pack("{s:s}", "raw", raw);
    if (cut && wrapped)
        json_object_set_new(wrapped, "truncated", json_true());
    if (wrapped)
        out = json_dumps(wrapped, JSON_COMPACT);
cleanup:
    json_decref(parsed);
    json_decref(wrapped);
    free(raw);
    return out;
}

static const char sql_audit_insert[] = "INSERT INTO audit_log (at, actor, action, object, detail, ip, request_id) "
                                       "VALUES ($1, $2, $3, $4, $5, $6, $7)";

int audit_log(db_t *db, const char *actor, const char *action, const char *object, const char *detail_json,
              const char *ip, const char *request_id)
{
    const char *given[5] = {actor, action, object, ip, request_id};
    char *field[5] = {NULL}; /* cleaned copies of the text arguments, bound as $2..$4, $6, $7 */
    static const int param[5] = {2, 3, 4, 6, 7};
    char *detail = NULL;
    db_stmt_t *st = NULL;
    int rc = -1;
    int cut;

    for (int i = 0; i < 5; i++) {
        field[i] = clean_text(given[i] ? given[i] : "", AUDIT_FIELD_MAX, &cut);
        if (!field[i])
            goto cleanup;
    }
    detail = detail_text(detail_json);
    if (!detail)
        goto cleanup;
    if (db_prepare(db, sql_audit_insert, &st) != 0)
        goto cleanup;
    db_bind_int64(st, 1, (int64_t)time(NULL));
    for (int i = 0; i < 5; i++)
        db_bind_text(st, param[i], field[i], -1);
    db_bind_text(st, 5, detail, -1);
    rc = db_step(st) == DB_DONE ? 0 : -1;
    db_reset(st);
cleanup:
    for (int i = 0; i < 5; i++)
        free(field[i]);
    free(detail);
    return rc;
}
