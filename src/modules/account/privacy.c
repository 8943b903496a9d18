/* privacy.c — "Meine Daten herunterladen oder löschen" (GDPR Art. 15, 17, 20).
 *
 * The export is everything rathaus holds about the account, as JSON (machine
 * readable, Art. 20) and as a page. Deletion removes what may go and keeps, under
 * a pseudonym, what a law requires to keep; the user sees the list before and
 * after. Modules add their own records through account_register_data_provider.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/account.h"
#include "modules/account/common.h"
#include "modules/account/handlers.h"
#include "modules/account/password.h"
#include "modules/account/session.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

#define MAX_PROVIDERS 32
#define AUDIT_EXPORT_MAX 1000

static const account_data_provider_t *providers[MAX_PROVIDERS];
static size_t provider_count;

int account_register_data_provider(const account_data_provider_t *p)
{
    if (provider_count == MAX_PROVIDERS)
        return -1;
    providers[provider_count++] = p;
    return 0;
}

static const char sql_user[] = "SELECT email, email_confirmed_at, is_staff, trust_level, display_name, "
                               "totp_enabled_at, created_at FROM users WHERE id = $1";
static const char sql_sessions[] = "SELECT created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = $1 "
                                   "ORDER BY created_at";
static const char sql_audit[] = "SELECT at, action, ip FROM audit_log WHERE object = $1 OR actor = $1 "
                                "ORDER BY id DESC LIMIT $2";
static const char sql_roles[] = "SELECT r.name, ur.unit_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
                                "WHERE ur.user_id = $1";
/* Deletion, in dependency order; the users row stays as a pseudonymous stub so
 * that kept records (audit log, submitted applications) still point somewhere. */
static const char *const sql_erase[] = {
    "DELETE FROM profiles WHERE user_id = $1",
    "DELETE FROM sessions WHERE user_id = $1",
    "DELETE FROM account_tokens WHERE user_id = $1",
    "DELETE FROM recovery_codes WHERE user_id = $1",
    "DELETE FROM identity_links WHERE user_id = $1",
    "DELETE FROM user_roles WHERE user_id = $1",
    "DELETE FROM unit_members WHERE user_id = $1",
    "UPDATE users SET email = '', password_hash = NULL, display_name = '', totp_secret = NULL, "
    "totp_enabled_at = NULL, email_confirmed_at = NULL, trust_level = 0, deleted_at = $2, updated_at = $2 "
    "WHERE id = $1",
};

static const char *const kept_by_core[] = {
    N_("Einträge im Sicherheitsprotokoll (wann Sie sich angemeldet oder etwas geändert haben) bewahren wir aus Gründen der IT-Sicherheit ein Jahr lang auf. Sie enthalten danach nur noch eine Nummer statt Ihres Namens und Ihrer E-Mail-Adresse."),
};

static json_t *query_rows(db_t *db, const char *sql, int64_t id, const char *text_arg, int64_t limit, const char *const *names,
                          int ncols)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return NULL;
    if (text_arg)
        db_bind_text(st, 1, text_arg, -1);
    else
        db_bind_int64(st, 1, id);
    if (limit)
        db_bind_int64(st, 2, limit);
    json_t *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *row = json_object();
        for (int c = 0; c < ncols; c++) {
            if (names[c][0] == '#')
                json_object_set_new(row, names[c] + 1, json_integer(db_column_int64(st, c)));
            else
                json_object_set_new(row, names[c], json_string(db_column_text(st, c) ? db_column_text(st, c) : ""));
        }
        json_array_append_new(rows, row);
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

/* Everything about the account, as one JSON object; NULL on a database error. */
static json_t *collect(http_req_t *req)
{
    int64_t uid = req->user->id;
    static const char *const user_cols[] = {"email", "#email_confirmed_at", "#is_staff", "#trust_level", "display_name",
                                            "#totp_enabled_at", "#created_at"};
    static const char *const session_cols[] = {"#created_at", "#last_seen_at", "ip", "user_agent"};
    static const char *const audit_cols[] = {"#at", "action", "ip"};
    static const char *const role_cols[] = {"role", "#unit_id"};
    json_t *user = query_rows(req->db, sql_user, uid, NULL, 0, user_cols, 7);
    json_t *profile = account_profile_json(req->db, uid);
    json_t *sessions = query_rows(req->db, sql_sessions, uid, NULL, 0, session_cols, 4);
    char object[32];
    snprintf(object, sizeof(object), "user:%lld", (long long)uid);
    json_t *audit = query_rows(req->db, sql_audit, 0, object, AUDIT_EXPORT_MAX, audit_cols, 3);
    json_t *roles = query_rows(req->db, sql_roles, uid, NULL, 0, role_cols, 2);
    json_t *out = NULL;
    if (user && profile && sessions && audit && roles && json_array_size(user) == 1) {
        out = json_pack("{s:s,s:I,s:O,s:O,s:O,s:O,s:O,s:{}}", "generated_by", "rathaus", "generated_at",
                        (json_int_t)time(NULL), "account", json_array_get(user, 0), "profile", profile, "sessions",
                        sessions, "security_log", audit, "roles", roles, "modules");
        for (size_t i = 0; out && i < provider_count; i++) {
            json_t *mine = json_object();
            if (providers[i]->export_data(req->db, uid, mine) == 0)
                json_object_set(json_object_get(out, "modules"), providers[i]->module, mine);
            json_decref(mine);
        }
    }
    json_decref(user);
    json_decref(profile);
    json_decref(sessions);
    json_decref(audit);
    json_decref(roles);
    return out;
}

/* Turns JSON into nested description lists for the readable export page. Every
 * item sets "value", "children" (null at leaves) and "has_children": the template
 * engine looks missing names up in outer contexts, and a missing "children" would
 * find the parent's and recurse. */
static json_t *readable(json_t *v);

static json_t *readable_item(const char *key, json_t *val)
{
    json_t *item = json_pack("{s:s}", "key", key);
    if (json_is_object(val) || json_is_array(val)) {
        json_object_set_new(item, "value", json_string(""));
        json_t *children = readable(val);
        json_object_set_new(item, "has_children", json_boolean(json_array_size(children) > 0));
        json_object_set_new(item, "children", children);
    } else {
        json_object_set_new(item, "has_children", json_false());
        json_object_set_new(item, "children", json_null());
        if (json_is_string(val))
            json_object_set(item, "value", val);
        else if (json_is_integer(val))
            json_object_set_new(item, "value", json_sprintf("%lld", (long long)json_integer_value(val)));
        else
            json_object_set_new(item, "value", json_string(""));
    }
    return item;
}

static json_t *readable(json_t *v)
{
    json_t *items = json_array();
    const char *key;
    json_t *val;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, key, val) json_array_append_new(items, readable_item(key, val));
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, val)
        {
            char num[24];
            snprintf(num, sizeof(num), "%zu", i + 1);
            json_array_append_new(items, readable_item(num, val));
        }
    }
    return items;
}

static json_t *kept_list(http_req_t *req)
{
    json_t *kept = json_array();
    for (size_t i = 0; i < sizeof(kept_by_core) / sizeof(kept_by_core[0]); i++)
        json_array_append_new(kept, json_string(i18n_translate(req->lang, kept_by_core[i])));
    return kept;
}

static int data_page(http_req_t *req, int status, const char *error)
{
    json_t *all = collect(req);
    if (!all)
        return 503;
    page_t p = page_new(req, N_("Meine Daten herunterladen oder Konto löschen"));
    page_set(&p, "data", readable(all));
    json_decref(all);
    page_set(&p, "kept", kept_list(req));
    page_set(&p, "directory_account", json_boolean(req->user->is_staff));
    page_field(&p, FIELD_PASSWORD, "passwort", N_("Ihr Passwort"), "", N_("Zur Sicherheit: Ihr aktuelles Passwort."), error);
    page_field(&p, FIELD_CHECKBOX, "bestaetigung", N_("Ja, ich möchte mein Konto endgültig löschen."), "", NULL, NULL);
    return page_render(&p, status, "account/data");
}

int account_data_page(http_req_t *req) { return data_page(req, 200, NULL); }

/* GET /konto/daten/export.json — the same data, as a download. */
int account_data_export(http_req_t *req)
{
    json_t *all = collect(req);
    if (!all)
        return 503;
    char *text = json_dumps(all, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    json_decref(all);
    if (!text)
        return 500;
    char *body = arena_strdup(req->arena, text);
    free(text);
    http_add_header(req, "content-disposition", "attachment; filename=\"meine-daten.json\"");
    http_add_header(req, "cache-control", "no-store");
    account_audit(req, req->user->id, "account.data_exported", NULL);
    return http_send(req, 200, "application/json; charset=utf-8", body, strlen(body));
}

/* POST /konto/daten/loeschen */
int account_data_delete(http_req_t *req)
{
    if (req->user->is_staff)
        return data_page(req, 403, N_("Dienstkonten werden von der Verwaltung gelöscht. Bitte wenden Sie sich an Ihre Administration."));
    account_t a;
    if (account_by_id(req, req->user->id, &a) != 0)
        return 503;
    const char *confirm = http_form(req, "bestaetigung");
    if (!a.password_hash || password_verify(a.password_hash, http_form(req, "passwort") ? http_form(req, "passwort") : "") != 0)
        return data_page(req, 422, N_("Das Passwort ist nicht richtig."));
    if (!confirm || strcmp(confirm, "1") != 0)
        return data_page(req, 422, N_("Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten."));
    int64_t uid = req->user->id, now = (int64_t)time(NULL);
    json_t *kept = kept_list(req);
    int ok = db_begin_write(req->db) == 0;
    for (size_t i = 0; ok && i < provider_count; i++)
        ok = providers[i]->erase_data(req->db, uid, kept) == 0;
    for (size_t i = 0; ok && i < sizeof(sql_erase) / sizeof(sql_erase[0]); i++) {
        db_stmt_t *st;
        ok = db_prepare(req->db, sql_erase[i], &st) == 0;
        if (!ok)
            break;
        db_bind_int64(st, 1, uid);
        if (strstr(sql_erase[i], "$2"))
            db_bind_int64(st, 2, now);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok) {
        account_audit(req, uid, "account.deleted", NULL);
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    if (!ok) {
        json_decref(kept);
        log_kv(LOG_ERROR, "account deletion failed", "error", db_errmsg(req->db), "request_id", req->request_id, NULL);
        return 503;
    }
    account_mail(req, a.email, req->lang, N_("Ihr Konto wurde gelöscht"),
                 N_("Ihr Konto im digitalen Rathaus wurde auf Ihren Wunsch gelöscht. Was das Gesetz uns aufzubewahren vorschreibt, bleibt ohne Ihren Namen und Ihre E-Mail-Adresse erhalten."),
                 NULL, NULL);
    http_set_cookie(req, SESSION_COOKIE, "", 0);
    req->user = NULL;
    req->session_hash = NULL;
    page_t p = page_new(req, N_("Ihr Konto wurde gelöscht"));
    page_text(&p, N_("Wir haben Ihr Konto und Ihre Daten gelöscht. Folgendes bewahren wir auf, weil ein Gesetz es verlangt – ohne Ihren Namen und Ihre E-Mail-Adresse:"));
    size_t i;
    json_t *line;
    /* Providers add msgids; the core lines are translated already (translating twice is harmless). */
    json_array_foreach(kept, i, line) page_raw_text(&p, i18n_translate(req->lang, json_string_value(line)));
    json_decref(kept);
    page_link(&p, "/", N_("Zur Startseite"));
    return page_message(&p, 200);
}
