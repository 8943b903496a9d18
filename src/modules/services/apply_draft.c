/* apply_draft.c — who may open a draft, and what keeps a draft from being lost.
 *
 * An application belongs to an account (applications.user_id) or, for services
 * that need no account, to whoever holds the random token in the cookie
 * "entwurf" (draft_tokens keeps only its hash). Either way, anybody else gets
 * 404 — the same answer as for an id that does not exist, so ids tell nothing.
 *
 * A step sent after the session ended must not lose what was typed: the values
 * wait in pending_drafts under the hash of another random token (cookie
 * "entwurf_zurueck"), and are merged into the draft when its owner, signed in
 * again, opens the step (apply_pending_merge). The token only finds the values;
 * merging also needs the account that owns the draft.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/services/apply.h"
#include "view/i18n.h"
#include "web/auth.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43 /* base64url of 32 bytes, without padding */

void apply_token_hash(const char *token, char hash[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hash, 65, h, sizeof(h));
}

void apply_token_new(char out[48], char hash[65])
{
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, 48, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    apply_token_hash(out, hash);
}

/* A cookie value that can be one of our tokens (anything else is not looked up). */
static int token_shaped(const char *t)
{
    if (!t || strlen(t) != TOKEN_CHARS)
        return 0;
    for (const char *p = t; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return 1;
}

static const char sql_token_owns[] =
    "SELECT COUNT(*) FROM draft_tokens WHERE token_hash = $1 AND application_id = $2 AND expires_at > $3";

/* 1 when this browser's token owns the anonymous draft app_id, 0 when not, < 0. */
static int token_owns(http_req_t *req, int64_t app_id)
{
    const char *token = http_cookie(req, APPLY_TOKEN_COOKIE);
    if (!token_shaped(token))
        return 0;
    char hash[65];
    apply_token_hash(token, hash);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_token_owns, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    db_bind_int64(st, 2, app_id);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    int rc = db_step(st);
    int owns = rc == DB_ROW && db_column_int64(st, 0) > 0;
    db_reset(st);
    return rc == DB_ROW ? owns : -1;
}

static const char sql_token_bind[] =
    "INSERT INTO draft_tokens (token_hash, application_id, expires_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (token_hash, application_id) DO UPDATE SET expires_at = $3";

int apply_token_bind(http_req_t *req, int64_t app_id)
{
    const char *token = http_cookie(req, APPLY_TOKEN_COOKIE);
    char fresh[48], hash[65];
    if (token_shaped(token)) {
        apply_token_hash(token, hash);
    } else {
        apply_token_new(fresh, hash);
        token = arena_strdup(req->arena, fresh);
    }
    db_stmt_t *st;
    if (db_prepare(req->db, sql_token_bind, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    db_bind_int64(st, 2, app_id);
    db_bind_int64(st, 3, (int64_t)time(NULL) + APPLY_TOKEN_TTL);
    int rc = db_step(st) == DB_DONE ? 0 : -1;
    db_reset(st);
    if (rc == 0)
        http_set_cookie(req, APPLY_TOKEN_COOKIE, token, APPLY_TOKEN_TTL);
    return rc;
}

/* ---- opening an application --------------------------------------------------------------- */

static int parse_id(const char *s, int64_t *id)
{
    if (!s || !*s || strlen(s) > 18)
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        v = v * 10 + (*p - '0');
    }
    *id = v;
    return v > 0;
}

int apply_login_redirect(http_req_t *req, const char *path)
{
    http_redirect(req, 303, auth_login_url(req, path));
    return HTTP_ANSWERED;
}

int apply_open(http_req_t *req, const char *id_param, int with_form, enum apply_login login, apply_ctx_t *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->req = req;
    int64_t id;
    if (!parse_id(id_param, &id))
        return 404;
    int rc = application_load(req->db, req->arena, id, &ctx->app);
    if (rc == 1)
        return 404;
    if (rc < 0)
        return 503;
    int result = 0;
    if (ctx->app.user_id != 0) {
        if (!req->user) {
            /* The caller keeps what was sent, and needs the form for that. */
            if (login == APPLY_LOGIN_RETURN)
                result = 401;
            else {
                /* Back to this page after signing in; a POST comes back to the page it was sent from. */
                const char *back =
                    !strcmp(req->method, "GET") ? req->path : arena_printf(req->arena, "/antraege/%lld", (long long)id);
                return apply_login_redirect(req, back);
            }
        } else if (!application_is_own(req, &ctx->app)) {
            return 404;
        }
    } else {
        int owns = token_owns(req, id);
        if (owns < 0)
            return 503;
        if (!owns)
            return 404;
        ctx->anonymous = 1;
    }
    if (!with_form)
        return result;
    int missing = 0;
    ctx->def = formdef_load(req->db, ctx->app.form_id, &missing);
    if (!ctx->def) {
        log_kv(LOG_ERROR, "form definition unreadable", "application", id_param, "request_id", req->request_id, NULL);
        return 503;
    }
    ctx->answers = json_loads(ctx->app.data, 0, NULL);
    if (!json_is_object(ctx->answers)) {
        json_decref(ctx->answers);
        ctx->answers = json_object();
    }
    return result;
}

void apply_ctx_free(apply_ctx_t *ctx)
{
    json_decref(ctx->def);
    json_decref(ctx->answers);
    ctx->def = ctx->answers = NULL;
}

/* ---- files and answers of a draft ------------------------------------------------------------ */

static const char sql_files[] = "SELECT id, field, filename, size FROM application_files WHERE application_id = $1"
                                " AND field NOT IN ('quittung', 'bescheid', 'postfach') ORDER BY id";

static const char *size_text(arena_t *arena, int64_t bytes)
{
    if (bytes >= 1024 * 1024)
        return arena_printf(arena, "%lld,%lld MB", (long long)(bytes / (1024 * 1024)),
                            (long long)(bytes % (1024 * 1024) * 10 / (1024 * 1024)));
    return arena_printf(arena, "%lld KB", (long long)((bytes + 1023) / 1024));
}

int apply_files(db_t *db, int64_t app_id, json_t **lists, json_t **counts)
{
    *lists = json_object();
    *counts = json_object();
    db_stmt_t *st;
    if (db_prepare(db, sql_files, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app_id);
    int rc;
    arena_t tmp;
    arena_init(&tmp);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *field = db_column_text(st, 1);
        json_t *list = json_object_get(*lists, field);
        if (!list) {
            list = json_array();
            json_object_set_new(*lists, field, list);
        }
        int64_t size = db_column_int64(st, 3);
        json_array_append_new(list, json_pack("{s:I,s:s,s:I,s:s}", "file_id", (json_int_t)db_column_int64(st, 0),
                                              "filename", db_column_text(st, 2), "size", (json_int_t)size, "size_text",
                                              size_text(&tmp, size)));
        json_object_set_new(*counts, field, json_integer((json_int_t)json_array_size(list)));
    }
    db_reset(st);
    arena_clear(&tmp);
    return rc == DB_DONE ? 0 : -1;
}

static const char sql_save[] =
    "UPDATE applications SET data = $2, step = $3, updated_at = $4 WHERE id = $1 AND status = 'entwurf'";
static const char sql_save_data[] =
    "UPDATE applications SET data = $2, updated_at = $3 WHERE id = $1 AND status = 'entwurf'";

int apply_save_answers(db_t *db, int64_t app_id, const json_t *answers, int64_t step)
{
    char *text = json_dumps(answers, JSON_COMPACT);
    if (!text)
        return -1;
    db_stmt_t *st;
    int rc = -1;
    if (db_prepare(db, step >= 0 ? sql_save : sql_save_data, &st) == 0) {
        db_bind_int64(st, 1, app_id);
        db_bind_text(st, 2, text, -1);
        if (step >= 0) {
            db_bind_int64(st, 3, step);
            db_bind_int64(st, 4, (int64_t)time(NULL));
        } else {
            db_bind_int64(st, 3, (int64_t)time(NULL));
        }
        rc = db_step(st) == DB_DONE ? 0 : -1;
        db_reset(st);
    }
    free(text);
    return rc;
}

/* ---- values sent after the session ended ----------------------------------------------------------- */

static const char sql_pending_keep[] =
    "INSERT INTO pending_drafts (token_hash, application_id, step, data, created_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

int apply_pending_keep(http_req_t *req, int64_t app_id, size_t step, const json_t *values)
{
    char token[48], hash[65];
    apply_token_new(token, hash);
    char *text = json_dumps(values, JSON_COMPACT);
    if (!text)
        return -1;
    int64_t now = (int64_t)time(NULL);
    db_stmt_t *st;
    int rc = -1;
    if (db_prepare(req->db, sql_pending_keep, &st) == 0) {
        db_bind_text(st, 1, hash, -1);
        db_bind_int64(st, 2, app_id);
        db_bind_int64(st, 3, (int64_t)step);
        db_bind_text(st, 4, text, -1);
        db_bind_int64(st, 5, now);
        db_bind_int64(st, 6, now + APPLY_PENDING_TTL);
        rc = db_step(st) == DB_DONE ? 0 : -1;
        db_reset(st);
    }
    free(text);
    if (rc == 0)
        http_set_cookie(req, APPLY_PENDING_COOKIE, arena_strdup(req->arena, token), APPLY_PENDING_TTL);
    return rc;
}

static const char sql_pending_get[] =
    "SELECT application_id, data, expires_at FROM pending_drafts WHERE token_hash = $1";
static const char sql_pending_drop[] = "DELETE FROM pending_drafts WHERE token_hash = $1";

int apply_pending_merge(http_req_t *req, int64_t app_id, json_t *answers)
{
    const char *token = http_cookie(req, APPLY_PENDING_COOKIE);
    if (!token_shaped(token))
        return 0;
    char hash[65];
    apply_token_hash(token, hash);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_pending_get, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        if (rc == DB_DONE)
            http_set_cookie(req, APPLY_PENDING_COOKIE, "", 0); /* used or expired: forget it */
        return rc == DB_DONE ? 0 : -1;
    }
    int64_t for_app = db_column_int64(st, 0);
    int64_t expires = db_column_int64(st, 2);
    json_t *values = json_loads(db_column_text(st, 1), 0, NULL);
    db_reset(st);
    if (for_app != app_id) {
        json_decref(values);
        return 0; /* kept for another draft: merged when that one is opened */
    }
    int merged = 0;
    if (expires > (int64_t)time(NULL) && json_is_object(values)) {
        const char *key;
        json_t *v;
        json_object_foreach(values, key, v)
        {
            if (json_is_null(v))
                json_object_del(answers, key); /* emptied on the page */
            else
                json_object_set(answers, key, v);
        }
        merged = 1;
    }
    json_decref(values);
    int ok = db_begin_write(req->db) == 0;
    if (ok && merged)
        ok = apply_save_answers(req->db, app_id, answers, -1) == 0;
    if (ok && db_prepare(req->db, sql_pending_drop, &st) == 0) {
        db_bind_text(st, 1, hash, -1);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    } else {
        ok = 0;
    }
    if (!ok || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return -1;
    }
    http_set_cookie(req, APPLY_PENDING_COOKIE, "", 0);
    return merged;
}

/* Each statement takes one time: now, or for drafts the moment before which a
 * draft's token must have been made (its week is over). */
static const struct {
    const char *sql;
    int64_t age;
} housekeeping[] = {
    {"DELETE FROM draft_tokens WHERE expires_at < $1", 0},
    {"DELETE FROM pending_drafts WHERE expires_at < $1", 0},
    /* Anonymous drafts whose token has expired can never be opened again. */
    {"DELETE FROM applications WHERE user_id IS NULL AND status = 'entwurf' AND updated_at < $1"
     " AND NOT EXISTS (SELECT 1 FROM draft_tokens t WHERE t.application_id = applications.id)",
     APPLY_TOKEN_TTL},
};

void apply_housekeeping(db_t *db, int64_t now)
{
    for (size_t i = 0; i < sizeof(housekeeping) / sizeof(housekeeping[0]); i++) {
        db_stmt_t *st;
        if (db_prepare(db, housekeeping[i].sql, &st) != 0)
            return;
        db_bind_int64(st, 1, now - housekeeping[i].age);
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE) {
            log_kv(LOG_WARN, "draft housekeeping failed", "error", db_errmsg(db), NULL);
            return;
        }
    }
}

/* ---- small things every page uses --------------------------------------------------------------------- */

json_t *apply_model(http_req_t *req, const char *title)
{
    return json_pack("{s:s,s:[]}", "title", i18n_translate(req->lang, title), "alerts");
}

void apply_alert(http_req_t *req, json_t *model, const char *kind, const char *text)
{
    json_t *alerts = json_object_get(model, "alerts");
    if (!alerts) {
        alerts = json_array();
        json_object_set_new(model, "alerts", alerts);
    }
    json_array_append_new(alerts, json_pack("{s:s,s:s,s:b}", "kind", kind, "text", i18n_translate(req->lang, text),
                                            "danger", !strcmp(kind, "danger")));
}

int apply_step_index(const char *param, const json_t *def)
{
    if (!param || !*param || strlen(param) > 3)
        return -1;
    int n = 0;
    for (const char *p = param; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n >= 1 && (size_t)n <= formdef_step_count(def) ? n - 1 : -1;
}

static const char sql_service_key[] = "SELECT form_key FROM services WHERE id = $1";

int apply_service_form(db_t *db, int64_t service_id, int64_t *form_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_service_key, &st) != 0)
        return -1;
    db_bind_int64(st, 1, service_id);
    char key[FORMDEF_MAX_NAME + 1] = "";
    int rc = db_step(st);
    if (rc == DB_ROW)
        snprintf(key, sizeof(key), "%s", db_column_text(st, 0));
    db_reset(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : -1;
    if (!key[0])
        return 1;
    return formdef_newest(db, key, form_id);
}
