/* security.c — "Sicherheit": change password and e-mail address, the second factor
 * (TOTP with QR code and recovery codes), and the list of sessions with
 * "überall abmelden". Every change is audited and announced by e-mail. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/common.h"
#include "modules/account/handlers.h"
#include "modules/account/password.h"
#include "modules/account/qrsvg.h"
#include "modules/account/recovery.h"
#include "modules/account/session.h"
#include "modules/account/tokens.h"
#include "modules/account/totp.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

#define EMAIL_TTL (24 * 3600)
#define SESSIONS_SHOWN 50

static const char sql_sessions[] = "SELECT id_hash, created_at, last_seen_at, ip, user_agent FROM sessions "
                                   "WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT $2";
static const char sql_set_hash[] = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
static const char sql_pending_secret[] = "SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled_at IS NULL "
                                         "AND totp_secret IS NOT NULL";
static const char sql_set_secret[] = "UPDATE users SET totp_secret = $2, updated_at = $3 WHERE id = $1 "
                                     "AND totp_enabled_at IS NULL";
static const char sql_enable_totp[] = "UPDATE users SET totp_enabled_at = $2, totp_last_step = $3, updated_at = $2 "
                                      "WHERE id = $1 AND totp_enabled_at IS NULL";
static const char sql_disable_totp[] = "UPDATE users SET totp_enabled_at = NULL, totp_secret = NULL, "
                                       "totp_last_step = 0, updated_at = $2 WHERE id = $1";
static const char sql_enabled_secret[] = "SELECT totp_secret, totp_last_step FROM users WHERE id = $1 "
                                         "AND totp_enabled_at IS NOT NULL";
static const char sql_clear_codes[] = "DELETE FROM recovery_codes WHERE user_id = $1";
static const char sql_add_code[] = "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)";
static const char sql_change_email[] = "UPDATE users SET email = $2, email_confirmed_at = $3, updated_at = $3 "
                                       "WHERE id = $1 AND deleted_at IS NULL";

/* Whether the user holds any administrative permission (those require a second factor). */
int account_is_admin(const http_req_t *req)
{
    /* Raising a trust level vouches for someone's identity: as sensitive as administration.
     * So is loading a form definition: it decides what every citizen is asked. */
    static const char *const admin_perms[] = {"account.users.manage", "account.units.manage", "account.roles.manage",
                                              "account.audit.read",   "account.trust.raise",  "services.forms.manage"};
    for (size_t i = 0; i < sizeof(admin_perms) / sizeof(admin_perms[0]); i++)
        if (auth_has_permission(req, admin_perms[i]))
            return 1;
    return 0;
}

static const char *fmt_time(http_req_t *req, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    char buf[32];
    strftime(buf, sizeof(buf), "%d.%m.%Y %H:%M", &tm);
    return arena_strdup(req->arena, buf);
}

/* The whole page; errors and values belong to the form that was sent. */
typedef struct sec_state {
    int status;
    const char *alert_kind, *alert;
    const char *e_current, *e_new, *e_new2; /* password form */
    const char *email_value, *e_email, *e_email_pw;
    const char *e_disable;
} sec_state_t;

static int security_page(http_req_t *req, const sec_state_t *s)
{
    page_t p = page_new(req, N_("Sicherheit"));
    if (s->alert)
        page_alert(&p, s->alert_kind, s->alert);
    if (http_query(req, "pflicht") && !req->user->totp_enabled)
        page_alert(&p, "warning", N_("Für die Arbeit in der Verwaltung müssen Sie die Anmeldung in zwei Schritten einrichten."));

    page_field(&p, FIELD_PASSWORD, "passwort", N_("Aktuelles Passwort"), "", NULL, s->e_current);
    page_field(&p, FIELD_NEW_PASSWORD, "neu", N_("Neues Passwort"), "", N_("Mindestens 12 Zeichen."), s->e_new);
    page_field(&p, FIELD_NEW_PASSWORD, "neu2", N_("Neues Passwort wiederholen"), "", NULL, s->e_new2);
    page_set(&p, "pw_form", json_pack("{s:o}", "fields", page_take_fields(&p)));

    page_field(&p, FIELD_EMAIL, "email", N_("Neue E-Mail-Adresse"), s->email_value ? s->email_value : "",
               N_("An diese Adresse schicken wir einen Link. Erst wenn Sie ihn öffnen, gilt die neue Adresse."), s->e_email);
    page_field(&p, FIELD_PASSWORD, "passwort", N_("Aktuelles Passwort"), "", NULL, s->e_email_pw);
    page_set(&p, "email_form", json_pack("{s:o,s:s}", "fields", page_take_fields(&p), "current", req->user->email));

    json_t *totp = json_object();
    json_object_set_new(totp, "enabled", json_boolean(req->user->totp_enabled));
    json_object_set_new(totp, "required", json_boolean(account_is_admin(req)));
    if (req->user->totp_enabled) {
        page_field(&p, FIELD_PASSWORD, "passwort", N_("Aktuelles Passwort"), "", NULL, NULL);
        page_field(&p, FIELD_CODE, "code", N_("Code aus der App"), "", NULL, s->e_disable);
        json_object_set_new(totp, "fields", page_take_fields(&p));
    }
    page_set(&p, "totp", totp);

    json_t *sessions = json_array();
    db_stmt_t *st;
    if (db_prepare(req->db, sql_sessions, &st) == 0) {
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, SESSIONS_SHOWN);
        while (db_step(st) == DB_ROW) {
            int current = req->session_hash && !strcmp(db_column_text(st, 0), req->session_hash);
            json_array_append_new(sessions, json_pack("{s:s,s:s,s:s,s:s,s:b}", "created", fmt_time(req, db_column_int64(st, 1)),
                                                      "last_seen", fmt_time(req, db_column_int64(st, 2)), "ip",
                                                      db_column_text(st, 3), "agent", db_column_text(st, 4), "current", current));
        }
        db_reset(st);
    }
    page_set(&p, "sessions", sessions);
    page_set(&p, "other_sessions", json_boolean(json_array_size(sessions) > 1));
    return page_render(&p, s->status ? s->status : 200, "account/security");
}

int account_security_page(http_req_t *req)
{
    sec_state_t s = {0};
    s.alert_kind = "success";
    if (http_query(req, "passwort"))
        s.alert = N_("Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet.");
    else if (http_query(req, "email"))
        s.alert = N_("Wir haben einen Link an die neue Adresse geschickt. Bitte öffnen Sie ihn, um die Änderung abzuschließen.");
    else if (http_query(req, "sitzungen"))
        s.alert = N_("Alle anderen Sitzungen wurden beendet.");
    else if (http_query(req, "2fa-aus"))
        s.alert = N_("Die Anmeldung in zwei Schritten ist ausgeschaltet.");
    else if (http_query(req, "email-geaendert"))
        s.alert = N_("Ihre neue E-Mail-Adresse ist bestätigt.");
    return security_page(req, &s);
}

/* Checks the current password of the signed-in user (0: right). */
static int current_password_ok(http_req_t *req, const char *pw)
{
    account_t a;
    if (account_by_id(req, req->user->id, &a) != 0 || !a.password_hash)
        return -1;
    return password_verify(a.password_hash, pw ? pw : "");
}

int account_password_submit(http_req_t *req)
{
    sec_state_t s = {0};
    const char *cur = http_form(req, "passwort");
    const char *pw = http_form(req, "neu");
    const char *pw2 = http_form(req, "neu2");
    if (current_password_ok(req, cur) != 0)
        s.e_current = N_("Das aktuelle Passwort ist nicht richtig.");
    account_check_new_password(pw, pw2, req->user->email, &s.e_new, &s.e_new2);
    if (s.e_current || s.e_new || s.e_new2) {
        s.status = 422;
        return security_page(req, &s);
    }
    char hash[PASSWORD_HASH_MAX];
    db_stmt_t *st;
    if (password_hash(pw, hash) != 0 || db_prepare(req->db, sql_set_hash, &st) != 0)
        return 503;
    db_bind_int64(st, 1, req->user->id);
    db_bind_text(st, 2, hash, -1);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return 503;
    session_destroy_all(req->db, req->user->id, req->session_hash);
    account_audit(req, req->user->id, "account.password_changed", NULL);
    account_mail(req, req->user->email, req->lang, N_("Ihr Passwort wurde geändert"),
                 N_("Das Passwort Ihres Kontos wurde soeben geändert, und alle anderen Sitzungen wurden beendet. Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück:"),
                 "/konto/passwort-vergessen", NULL);
    return http_redirect(req, 303, "/konto/sicherheit?passwort=1");
}

int account_email_submit(http_req_t *req)
{
    sec_state_t s = {0};
    const char *entered = http_form(req, "email");
    const char *email = account_email_normalise(req, entered, &s.e_email);
    s.email_value = entered;
    if (email && !strcmp(email, req->user->email))
        s.e_email = N_("Das ist schon Ihre E-Mail-Adresse.");
    if (current_password_ok(req, http_form(req, "passwort")) != 0)
        s.e_email_pw = N_("Das aktuelle Passwort ist nicht richtig.");
    if (s.e_email || s.e_email_pw) {
        s.status = 422;
        return security_page(req, &s);
    }
    char token[48];
    token_void_all(req->db, req->user->id, TOKEN_EMAIL);
    if (token_create(req->db, req->user->id, TOKEN_EMAIL, email, EMAIL_TTL, token) != 0)
        return 503;
    /* An address that belongs to another account gets the link too: the check
     * happens on confirmation, so this form tells nobody which addresses exist. */
    account_mail(req, email, req->lang, N_("Bitte bestätigen Sie Ihre neue E-Mail-Adresse"),
                 N_("Sie möchten die E-Mail-Adresse Ihres Kontos ändern. Bitte bestätigen Sie die neue Adresse mit diesem Link (gültig 24 Stunden):"),
                 "/konto/email-bestaetigen", token);
    account_mail(req, req->user->email, req->lang, N_("Änderung Ihrer E-Mail-Adresse angefordert"),
                 N_("Für Ihr Konto wurde eine neue E-Mail-Adresse angegeben. Sie gilt erst, wenn der Link an die neue Adresse geöffnet wird. Wenn Sie das nicht waren, ändern Sie bitte Ihr Passwort."),
                 "/konto/sicherheit", NULL);
    account_audit(req, req->user->id, "account.email_change_requested", NULL);
    return http_redirect(req, 303, "/konto/sicherheit?email=1");
}

int account_email_confirm_page(http_req_t *req)
{
    const char *token = http_query(req, "token");
    int64_t uid;
    int rc = token_peek(req->db, token, TOKEN_EMAIL, &uid);
    if (rc < 0)
        return 503;
    page_t p = page_new(req, rc ? N_("Dieser Link ist nicht mehr gültig") : N_("Neue E-Mail-Adresse bestätigen"));
    if (rc) {
        page_text(&p, N_("Der Link ist abgelaufen oder wurde schon benutzt."));
        page_link(&p, "/konto/sicherheit", N_("Zu den Sicherheitseinstellungen"));
        return page_message(&p, 410);
    }
    page_text(&p, N_("Bitte bestätigen Sie, dass Sie diese Adresse für Ihr Konto verwenden möchten."));
    page_hidden(&p, "token", token);
    return page_form(&p, 200, "/konto/email-bestaetigen", N_("E-Mail-Adresse bestätigen"));
}

int account_email_confirm_submit(http_req_t *req)
{
    int64_t uid;
    char email[300];
    int rc = token_consume(req->db, http_form(req, "token"), TOKEN_EMAIL, &uid, email, sizeof(email));
    if (rc < 0)
        return 503;
    if (rc) {
        page_t p = page_new(req, N_("Dieser Link ist nicht mehr gültig"));
        page_text(&p, N_("Der Link ist abgelaufen oder wurde schon benutzt."));
        return page_message(&p, 410);
    }
    account_t before;
    int had = account_by_id(req, uid, &before) == 0;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_change_email, &st) != 0)
        return 503;
    db_bind_int64(st, 1, uid);
    db_bind_text(st, 2, email, -1);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    rc = db_step(st);
    db_reset(st);
    if (rc == DB_ECONSTRAINT) {
        page_t q = page_new(req, N_("Diese E-Mail-Adresse ist schon vergeben"));
        page_text(&q, N_("Zu dieser Adresse gibt es bereits ein anderes Konto. Ihre bisherige Adresse gilt weiter."));
        return page_message(&q, 409);
    }
    if (rc != DB_DONE)
        return 503;
    account_audit(req, uid, "account.email_changed", NULL);
    if (had)
        account_mail(req, before.email, req->lang, N_("Ihre E-Mail-Adresse wurde geändert"),
                     N_("Die E-Mail-Adresse Ihres Kontos wurde geändert. Nachrichten gehen ab jetzt an die neue Adresse. Wenn Sie das nicht waren, wenden Sie sich bitte sofort an die Stadtverwaltung."),
                     NULL, NULL);
    return http_redirect(req, 303, req->user ? "/konto/sicherheit?email-geaendert=1" : "/konto/anmelden");
}

/* POST /konto/sicherheit/2fa/start — a new secret, shown with its QR code. */
int account_totp_start(http_req_t *req)
{
    if (req->user->totp_enabled)
        return http_redirect(req, 303, "/konto/sicherheit");
    char secret[TOTP_SECRET_B32_MAX];
    db_stmt_t *st;
    if (totp_secret_new(secret) != 0 || db_prepare(req->db, sql_set_secret, &st) != 0)
        return 503;
    db_bind_int64(st, 1, req->user->id);
    db_bind_text(st, 2, secret, -1);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return 503;
    return account_totp_confirm(req);
}

static int totp_setup_page(http_req_t *req, int status, const char *secret, const char *error)
{
    page_t p = page_new(req, N_("Anmeldung in zwei Schritten einrichten"));
    char uri[512];
    /* A city name with ':' would make the app's label ambiguous: fall back to a plain issuer. */
    if (totp_uri(secret, req->cfg->city_name, req->user->email, uri, sizeof(uri)) != 0 &&
        totp_uri(secret, "Rathaus", req->user->email, uri, sizeof(uri)) != 0)
        return 500;
    buf_t svg;
    buf_init(&svg, req->arena, 16384, 256 * 1024);
    if (qr_svg(uri, &svg) != 0)
        return 500;
    /* Our own SVG, made from the URI by qrsvg.c: only path data and attributes. */
    page_set(&p, "qr_svg", json_stringn(svg.data, svg.len));
    /* The key in groups of four, easier to type into an app by hand. */
    char grouped[TOTP_SECRET_B32_MAX * 2] = "";
    size_t g = 0;
    for (size_t i = 0; secret[i] && g + 2 < sizeof(grouped); i++) {
        if (i && i % 4 == 0)
            grouped[g++] = ' ';
        grouped[g++] = secret[i];
    }
    grouped[g] = '\0';
    page_set(&p, "secret", json_string(grouped));
    page_field(&p, FIELD_CODE, "code", N_("Code aus der App"), "", N_("Die App zeigt nach dem Einlesen einen sechsstelligen Code."), error);
    return page_render(&p, status, "account/totp_setup");
}

/* GET /konto/sicherheit/2fa, and POST …/2fa/bestaetigen with the first code. */
int account_totp_confirm(http_req_t *req)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_pending_secret, &st) != 0)
        return 503;
    db_bind_int64(st, 1, req->user->id);
    char secret[TOTP_SECRET_B32_MAX] = "";
    int rc = db_step(st);
    if (rc == DB_ROW)
        snprintf(secret, sizeof(secret), "%s", db_column_text(st, 0));
    db_reset(st);
    if (rc != DB_ROW)
        return http_redirect(req, 303, "/konto/sicherheit");
    const char *code = http_form(req, "code");
    if (strcmp(req->method, "POST") != 0 || !code || strstr(req->path, "/start"))
        return totp_setup_page(req, 200, secret, NULL);
    int64_t now = (int64_t)time(NULL), step = 0;
    if (totp_verify(secret, code, now, &step) != 0)
        return totp_setup_page(req, 422, secret, N_("Der Code stimmt nicht. Bitte prüfen Sie die Uhrzeit Ihres Geräts und geben Sie den aktuellen Code ein."));
    char codes[10][RECOVERY_CODE_LEN], hashes[10][RECOVERY_HASH_HEX];
    if (recovery_codes_new(codes, hashes) != 0 || db_begin_write(req->db) != 0)
        return 503;
    int ok = db_prepare(req->db, sql_enable_totp, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, now);
        db_bind_int64(st, 3, step);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok && db_prepare(req->db, sql_clear_codes, &st) == 0) {
        db_bind_int64(st, 1, req->user->id);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    for (int i = 0; ok && i < 10; i++) {
        ok = db_prepare(req->db, sql_add_code, &st) == 0;
        if (!ok)
            break;
        db_bind_int64(st, 1, req->user->id);
        db_bind_text(st, 2, hashes[i], -1);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok)
        ok = db_commit(req->db) == 0;
    else
        db_rollback(req->db);
    if (!ok)
        return 503;
    account_audit(req, req->user->id, "account.2fa_enabled", NULL);
    account_mail(req, req->user->email, req->lang, N_("Anmeldung in zwei Schritten eingeschaltet"),
                 N_("Für Ihr Konto ist jetzt die Anmeldung in zwei Schritten eingeschaltet. Wenn Sie das nicht waren, wenden Sie sich bitte sofort an die Stadtverwaltung."),
                 NULL, NULL);
    page_t p = page_new(req, N_("Ihre Wiederherstellungscodes"));
    page_alert(&p, "success", N_("Die Anmeldung in zwei Schritten ist eingeschaltet."));
    json_t *list = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(list, json_string(codes[i]));
    page_set(&p, "codes", list);
    http_add_header(req, "cache-control", "no-store");
    return page_render(&p, 200, "account/recovery_codes");
}

/* POST /konto/sicherheit/2fa/deaktivieren — password and a current code. */
int account_totp_disable(http_req_t *req)
{
    sec_state_t s = {0};
    if (account_is_admin(req)) {
        s.status = 403;
        s.alert_kind = "danger";
        s.alert = N_("Mit Verwaltungsrechten muss die Anmeldung in zwei Schritten eingeschaltet bleiben.");
        return security_page(req, &s);
    }
    db_stmt_t *st;
    if (db_prepare(req->db, sql_enabled_secret, &st) != 0)
        return 503;
    db_bind_int64(st, 1, req->user->id);
    char secret[TOTP_SECRET_B32_MAX] = "";
    int64_t last = 0;
    int rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(secret, sizeof(secret), "%s", db_column_text(st, 0));
        last = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != DB_ROW)
        return http_redirect(req, 303, "/konto/sicherheit");
    const char *code = http_form(req, "code");
    if (current_password_ok(req, http_form(req, "passwort")) != 0 || !code ||
        totp_verify(secret, code, (int64_t)time(NULL), &last) != 0) {
        s.status = 422;
        s.e_disable = N_("Passwort oder Code ist nicht richtig.");
        return security_page(req, &s);
    }
    int ok = db_prepare(req->db, sql_disable_totp, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, (int64_t)time(NULL));
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok && db_prepare(req->db, sql_clear_codes, &st) == 0) {
        db_bind_int64(st, 1, req->user->id);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (!ok)
        return 503;
    account_audit(req, req->user->id, "account.2fa_disabled", NULL);
    account_mail(req, req->user->email, req->lang, N_("Anmeldung in zwei Schritten ausgeschaltet"),
                 N_("Für Ihr Konto wurde die Anmeldung in zwei Schritten ausgeschaltet. Wenn Sie das nicht waren, ändern Sie sofort Ihr Passwort."),
                 "/konto/passwort-vergessen", NULL);
    return http_redirect(req, 303, "/konto/sicherheit?2fa-aus=1");
}

/* POST /konto/sicherheit/sitzungen/beenden — "überall abmelden" (but here). */
int account_sessions_end(http_req_t *req)
{
    if (session_destroy_all(req->db, req->user->id, req->session_hash) != 0)
        return 503;
    account_audit(req, req->user->id, "account.sessions_ended", NULL);
    return http_redirect(req, 303, "/konto/sicherheit?sitzungen=1");
}
