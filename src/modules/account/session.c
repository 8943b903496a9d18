/* session.c — sessions: create, load on every request, extend, end (see session.h). */
#include "modules/account/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "web/auth.h"

#define TOKEN_BYTES 32
#define LAST_SEEN_GRANULARITY 60 /* write last_seen_at at most once a minute per session */
#define MAX_GRANTS 256 /* more are ignored: no role set is that large */
#define MAX_UNITS 64

static const char sql_insert[] = "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, ip, "
                                 "user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6)";
/* One round trip for everything a request needs to know about its user: on
 * PostgreSQL every query costs a network round trip, and this runs for every
 * signed-in request. Rows: kind 0 the session and account (exactly one), kind 1
 * a granted permission with its unit, kind 2 a unit the user belongs to. */
static const char sql_load[] =
    "SELECT 0, s.user_id, s.last_seen_at, s.expires_at, u.email, u.display_name, u.is_staff, u.trust_level, "
    "u.totp_enabled_at, u.blocked_at, u.deleted_at FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.id_hash = $1 "
    "UNION ALL SELECT 1, ur.unit_id, 0, 0, rp.permission, '', 0, 0, NULL, NULL, NULL FROM sessions s "
    "JOIN user_roles ur ON ur.user_id = s.user_id JOIN role_permissions rp ON rp.role_id = ur.role_id "
    "WHERE s.id_hash = $1 "
    "UNION ALL SELECT 2, um.unit_id, 0, 0, '', '', 0, 0, NULL, NULL, NULL FROM sessions s "
    "JOIN unit_members um ON um.user_id = s.user_id WHERE s.id_hash = $1 "
    "ORDER BY 1, 5, 2";
static const char sql_touch[] = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
static const char sql_delete[] = "DELETE FROM sessions WHERE id_hash = $1";
static const char sql_delete_all[] = "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2";

void session_random_token(char out[48])
{
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, 48, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void session_hash(const char *value, char out[SESSION_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)value, strlen(value), NULL, 0);
    sodium_bin2hex(out, SESSION_HASH_HEX, h, sizeof(h));
}

static int64_t idle_seconds(const http_req_t *req) { return (int64_t)req->cfg->session_idle_minutes * 60; }

int session_create(http_req_t *req, int64_t user_id)
{
    char token[48], hash[SESSION_HASH_HEX];
    session_random_token(token);
    session_hash(token, hash);
    int64_t now = (int64_t)time(NULL);
    const char *ua = http_header(req, "user-agent");
    db_stmt_t *st;
    if (db_prepare(req->db, sql_insert, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, now + (int64_t)req->cfg->session_max_hours * 3600);
    db_bind_text(st, 5, req->client_ip ? req->client_ip : "", -1);
    /* Only a readable hint for the session list; cut, and only if it is text. */
    char uabuf[200] = "";
    if (ua) {
        size_t n = 0;
        for (; ua[n] && n < sizeof(uabuf) - 1; n++)
            uabuf[n] = (ua[n] >= 0x20 && ua[n] < 0x7f) ? ua[n] : '?';
        uabuf[n] = '\0';
    }
    db_bind_text(st, 6, uabuf, -1);
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    http_set_cookie(req, SESSION_COOKIE, arena_strdup(req->arena, token), -1);
    /* A fresh CSRF token with the new session, so a token seen before login is worthless. */
    char csrf[48];
    session_random_token(csrf);
    req->csrf_token = arena_strdup(req->arena, csrf);
    http_set_cookie(req, "csrf", req->csrf_token, -1);
    req->session_hash = arena_strdup(req->arena, hash);
    sodium_memzero(token, sizeof(token));
    return 0;
}

static int delete_by_hash(db_t *db, const char *hash)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_delete, &st) != 0)
        return -1;
    db_bind_text(st, 1, hash, -1);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int session_destroy(http_req_t *req)
{
    int rc = 0;
    if (req->session_hash)
        rc = delete_by_hash(req->db, req->session_hash);
    http_set_cookie(req, SESSION_COOKIE, "", 0);
    req->user = NULL;
    req->session_hash = NULL;
    return rc;
}

int session_destroy_all(db_t *db, int64_t user_id, const char *except_hash)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_delete_all, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    db_bind_text(st, 2, except_hash ? except_hash : "", -1);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int session_load(http_req_t *req)
{
    const char *token = http_cookie(req, SESSION_COOKIE);
    if (!token || strlen(token) != 43)
        return 0;
    char hash[SESSION_HASH_HEX];
    session_hash(token, hash);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_load, &st) != 0)
        return 503;
    db_bind_text(st, 1, hash, -1);
    http_user_t *u = NULL;
    http_grant_t *grants = arena_alloc(req->arena, sizeof(http_grant_t) * MAX_GRANTS);
    int64_t *units = arena_alloc(req->arena, sizeof(int64_t) * MAX_UNITS);
    size_t ngrants = 0, nunits = 0;
    int64_t last_seen = 0, expires = 0;
    int gone = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t kind = db_column_int64(st, 0);
        if (kind == 0) {
            u = arena_alloc(req->arena, sizeof(*u));
            u->id = db_column_int64(st, 1);
            last_seen = db_column_int64(st, 2);
            expires = db_column_int64(st, 3);
            u->email = arena_strdup(req->arena, db_column_text(st, 4));
            u->display_name = arena_strdup(req->arena, db_column_text(st, 5));
            u->is_staff = db_column_int64(st, 6) != 0;
            u->trust_level = (int)db_column_int64(st, 7);
            u->totp_enabled = !db_column_is_null(st, 8);
            gone = !db_column_is_null(st, 9) || !db_column_is_null(st, 10);
        } else if (kind == 1 && ngrants < MAX_GRANTS) {
            grants[ngrants].permission = arena_strdup(req->arena, db_column_text(st, 4));
            grants[ngrants++].unit_id = db_column_int64(st, 1);
        } else if (kind == 2 && nunits < MAX_UNITS) {
            units[nunits++] = db_column_int64(st, 1);
        }
    }
    db_reset(st);
    if (rc < 0)
        return rc == DB_ECONN ? 503 : 500;
    if (!u) {
        http_set_cookie(req, SESSION_COOKIE, "", 0); /* forget a cookie for a session that is gone */
        return 0;
    }
    int64_t now = (int64_t)time(NULL);
    int64_t idle_end = last_seen + idle_seconds(req);
    if (gone || now >= idle_end || now >= expires) {
        delete_by_hash(req->db, hash);
        http_set_cookie(req, SESSION_COOKIE, "", 0);
        req->session_ended = 1; /* the page says the user was signed out */
        return 0;
    }
    if (now - last_seen >= LAST_SEEN_GRANULARITY) {
        if (db_prepare(req->db, sql_touch, &st) == 0) {
            db_bind_text(st, 1, hash, -1);
            db_bind_int64(st, 2, now);
            db_step(st);
            db_reset(st);
        }
        last_seen = now;
    }
    idle_end = last_seen + idle_seconds(req);
    u->session_expires_at = idle_end < expires ? idle_end : expires;
    u->session_absolute_end = expires;
    u->grants = grants;
    u->grant_count = ngrants;
    u->unit_ids = units;
    u->unit_count = nunits;
    req->user = u;
    req->session_hash = arena_strdup(req->arena, hash);
    return 0;
}

int session_extend(http_req_t *req)
{
    if (!req->session_hash)
        return -1;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_touch, &st) != 0)
        return -1;
    int64_t now = (int64_t)time(NULL);
    db_bind_text(st, 1, req->session_hash, -1);
    db_bind_int64(st, 2, now);
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    http_user_t *u = (http_user_t *)req->user;
    if (u) {
        int64_t idle_end = now + idle_seconds(req);
        u->session_expires_at = idle_end < u->session_absolute_end ? idle_end : u->session_absolute_end;
    }
    return 0;
}
