/* login.c — signing in (password, then the second factor when enrolled), directory
 * login for staff (LDAP), signing out, and extending a session before it times out.
 *
 * One message for an unknown address and a wrong password; failures slow down
 * the account and the address (throttle.h); the owner gets one e-mail when their
 * account is locked. Every outcome goes to the audit log.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/common.h"
#include "modules/account/handlers.h"
#include "modules/account/idp.h"
#include "modules/account/ldap_login.h"
#include "modules/account/password.h"
#include "modules/account/recovery.h"
#include "modules/account/session.h"
#include "modules/account/throttle.h"
#include "modules/account/tokens.h"
#include "modules/account/totp.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

#define LOGIN2FA_TTL 600
#define LOGIN2FA_COOKIE "login2fa"

static const char sql_rehash[] = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
static const char sql_totp_state[] = "SELECT totp_secret, totp_last_step FROM users WHERE id = $1 AND totp_enabled_at IS NOT NULL";
static const char sql_totp_step[] = "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2";
static const char sql_use_recovery[] = "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 "
                                       "AND used_at IS NULL";

static int login_form(http_req_t *req, int status, const char *login, const char *next, const char *error,
                      const char *alert_kind, const char *alert)
{
    page_t p = page_new(req, N_("Anmelden"));
    if (alert)
        page_alert(&p, alert_kind, alert);
    int ldap = req->cfg->ldap_url[0] != '\0';
    page_field(&p, ldap ? FIELD_TEXT : FIELD_EMAIL, "login", ldap ? N_("E-Mail-Adresse oder Benutzername") : N_("E-Mail-Adresse"),
               login, ldap ? N_("Mitarbeitende der Stadtverwaltung melden sich mit ihrem Benutzernamen an.") : NULL, error);
    json_t *pw = page_field(&p, FIELD_PASSWORD, "passwort", N_("Passwort"), "", NULL, NULL);
    (void)pw;
    page_hidden(&p, "weiter", safe_next(next, "/konto"));
    page_link(&p, "/konto/passwort-vergessen", N_("Passwort vergessen?"));
    page_link(&p, "/konto/registrieren", N_("Noch kein Konto? Jetzt registrieren"));
    for (size_t i = 0; i < idp_count(); i++)
        page_link(&p, arena_printf(req->arena, "/konto/anmelden/mit/%s?weiter=%s", idp_at(i)->name, safe_next(next, "/konto")),
                  idp_at(i)->button_label);
    return page_form(&p, status, "/konto/anmelden", N_("Anmelden"));
}

int account_login_page(http_req_t *req)
{
    if (req->user)
        return http_redirect(req, 303, safe_next(http_query(req, "weiter"), "/konto"));
    const char *alert = NULL, *kind = "info";
    if (http_query(req, "abgemeldet"))
        alert = N_("Sie haben sich abgemeldet.");
    else if (http_query(req, "bestaetigt"))
        alert = N_("Ihre E-Mail-Adresse ist bestätigt. Bitte melden Sie sich an."), kind = "success";
    else if (http_query(req, "passwort"))
        alert = N_("Ihr Passwort wurde geändert. Bitte melden Sie sich mit dem neuen Passwort an."), kind = "success";
    else if (req->session_ended || http_query(req, "abgelaufen"))
        alert = N_("Sie wurden nach längerer Pause aus Sicherheitsgründen abgemeldet. Bitte melden Sie sich erneut an."), kind = "warning";
    else if (http_query(req, "weiter"))
        alert = N_("Bitte melden Sie sich an, um diese Seite zu sehen.");
    return login_form(req, 200, "", http_query(req, "weiter"), NULL, kind, alert);
}

static int too_many(http_req_t *req, const char *login, const char *next, int64_t wait)
{
    page_t p = page_new(req, N_("Anmelden"));
    char msg[256];
    /* The number stays outside the translated text: no format strings from .po files. */
    snprintf(msg, sizeof(msg), "%s %lld", i18n_translate(req->lang, N_("Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal. Wartezeit in Sekunden:")),
             (long long)wait);
    json_array_append_new(json_object_get(p.model, "alerts"), json_pack("{s:s,s:s,s:b}", "kind", "danger", "text", msg, "danger", 1));
    page_field(&p, FIELD_TEXT, "login", N_("E-Mail-Adresse"), login, NULL, NULL);
    page_field(&p, FIELD_PASSWORD, "passwort", N_("Passwort"), "", NULL, NULL);
    page_hidden(&p, "weiter", safe_next(next, "/konto"));
    page_link(&p, "/konto/passwort-vergessen", N_("Passwort vergessen?"));
    return page_form(&p, 429, "/konto/anmelden", N_("Anmelden"));
}

/* Records a failed attempt for the account and the address; tells the owner once when it locks. */
static void record_failure(http_req_t *req, const char *account_key, const char *ip_key, const account_t *a, int64_t now)
{
    int locked = 0, ip_locked = 0;
    throttle_fail(req->db, ip_key, &throttle_address, now, &ip_locked);
    if (account_key) {
        throttle_fail(req->db, account_key, &throttle_account, now, &locked);
        if (locked && a && throttle_claim_notice(req->db, account_key, now) == 1) {
            account_mail(req, a->email, req->lang, N_("Ihr Konto wurde vorübergehend gesperrt"),
                         N_("Für Ihr Konto wurde mehrmals ein falsches Passwort eingegeben. Zum Schutz ist die Anmeldung für 15 Minuten gesperrt. Wenn Sie das nicht waren, ändern Sie bitte Ihr Passwort. Sie können es jederzeit über diesen Link zurücksetzen:"),
                         "/konto/passwort-vergessen", NULL);
            account_audit(req, a->id, "account.locked", NULL);
        }
    }
}

/* The password (or directory) step succeeded: second factor, or a session. */
static int finish_first_step(http_req_t *req, const account_t *a, const char *next)
{
    if (a->totp_enabled) {
        char token[48];
        if (token_create(req->db, a->id, TOKEN_LOGIN2FA, NULL, LOGIN2FA_TTL, token) != 0)
            return 503;
        http_set_cookie(req, LOGIN2FA_COOKIE, arena_strdup(req->arena, token), LOGIN2FA_TTL);
        return http_redirect(req, 303, arena_printf(req->arena, "/konto/anmelden/code?weiter=%s", safe_next(next, "/konto")));
    }
    if (req->session_hash)
        session_destroy(req);
    if (session_create(req, a->id) != 0)
        return 503;
    account_audit(req, a->id, "account.login", "{\"factor\":\"password\"}");
    return http_redirect(req, 303, safe_next(next, "/konto"));
}

/* Staff sign in with their directory account: find or create the rathaus account
 * linked to the directory entry, and take roles and units from its groups. */
static int directory_login(http_req_t *req, const char *login, const char *password, const char *next, int64_t now,
                           const char *ip_key)
{
    ldap_identity_t id;
    char err[256];
    int rc = ldap_login(req->cfg, login, password, &id, err, sizeof(err));
    if (rc == LDAP_LOGIN_EUNAVAILABLE) {
        log_kv(LOG_ERROR, "directory login unavailable", "error", err, "request_id", req->request_id, NULL);
        return login_form(req, 503, login, next, NULL, "danger",
                          N_("Die Anmeldung für Mitarbeitende ist gerade nicht möglich. Bitte versuchen Sie es später noch einmal."));
    }
    char account_key[200];
    snprintf(account_key, sizeof(account_key), "account:ldap:%s", login);
    if (rc != 0) {
        record_failure(req, account_key, ip_key, NULL, now);
        account_audit(req, 0, "account.login_failed", "{\"provider\":\"ldap\"}");
        return login_form(req, 422, login, next, N_("Benutzername oder Passwort ist falsch."), NULL, NULL);
    }
    int64_t uid = 0;
    if (account_sync_directory_user(req, &id, now, &uid) != 0)
        return 503;
    throttle_clear(req->db, account_key);
    account_t a;
    if (account_by_id(req, uid, &a) != 0)
        return 503;
    if (a.blocked)
        return login_form(req, 403, login, next, NULL, "danger", N_("Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Verwaltung."));
    return finish_first_step(req, &a, next);
}

int account_login_submit(http_req_t *req)
{
    const char *login = http_form(req, "login");
    const char *pw = http_form(req, "passwort");
    const char *next = http_form(req, "weiter");
    login = login ? login : "";
    pw = pw ? pw : "";
    int64_t now = (int64_t)time(NULL);
    char ip_key[96], account_key[300];
    snprintf(ip_key, sizeof(ip_key), "ip:%s", req->client_ip);

    int64_t wait = throttle_wait(req->db, ip_key, now);
    if (wait < 0)
        return 503;
    if (!*login || !*pw)
        return login_form(req, 422, login, next, N_("Bitte geben Sie E-Mail-Adresse und Passwort an."), NULL, NULL);
    if (req->cfg->ldap_url[0] && !strchr(login, '@')) {
        if (wait > 0)
            return too_many(req, login, next, wait);
        return directory_login(req, login, pw, next, now, ip_key);
    }
    const char *e = NULL;
    const char *email = account_email_normalise(req, login, &e);
    if (!email)
        return login_form(req, 422, login, next, e, NULL, NULL);
    snprintf(account_key, sizeof(account_key), "account:%s", email);
    int64_t wait_account = throttle_wait(req->db, account_key, now);
    if (wait_account > wait)
        wait = wait_account;
    if (wait > 0)
        return too_many(req, login, next, wait);

    account_t a;
    int found = account_by_email(req, email, &a);
    if (found < 0)
        return 503;
    int ok = found == 0 && a.password_hash && password_verify(a.password_hash, pw) == 0;
    if (found != 0 || !a.password_hash)
        account_burn_verify(pw); /* as slow as a real check: no enumeration by timing */
    if (!ok) {
        record_failure(req, account_key, ip_key, found == 0 ? &a : NULL, now);
        account_audit(req, found == 0 ? a.id : 0, "account.login_failed", "{\"provider\":\"password\"}");
        return login_form(req, 422, login, next, N_("E-Mail-Adresse oder Passwort ist falsch."), NULL, NULL);
    }
    throttle_clear(req->db, account_key);
    if (!a.confirmed) {
        page_t p = page_new(req, N_("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse"));
        page_text(&p, N_("Ihr Konto ist noch nicht aktiv. Bitte öffnen Sie den Link in der E-Mail, die wir Ihnen nach der Registrierung geschickt haben."));
        page_link(&p, "/konto/bestaetigen/neu", N_("Neuen Link anfordern"));
        return page_message(&p, 403);
    }
    if (a.blocked)
        return login_form(req, 403, login, next, NULL, "danger", N_("Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Verwaltung."));
    if (password_needs_rehash(a.password_hash) == 1) {
        /* Parameters were raised since this hash was made: store it anew. */
        char hash[PASSWORD_HASH_MAX];
        db_stmt_t *st;
        if (password_hash(pw, hash) == 0 && db_prepare(req->db, sql_rehash, &st) == 0) {
            db_bind_int64(st, 1, a.id);
            db_bind_text(st, 2, hash, -1);
            db_bind_int64(st, 3, now);
            db_step(st);
            db_reset(st);
        }
    }
    return finish_first_step(req, &a, next);
}

static int code_form(http_req_t *req, int status, const char *next, const char *error)
{
    page_t p = page_new(req, N_("Bestätigungscode eingeben"));
    page_text(&p, N_("Öffnen Sie Ihre Authenticator-App und geben Sie den sechsstelligen Code ein. Wenn Sie keinen Zugriff auf die App haben, geben Sie einen Ihrer Wiederherstellungscodes ein."));
    page_field(&p, FIELD_CODE, "code", N_("Code"), "", N_("6 Ziffern aus der App, oder ein Wiederherstellungscode wie ABCDE-FGHJK"), error);
    page_hidden(&p, "weiter", safe_next(next, "/konto"));
    page_link(&p, "/konto/anmelden", N_("Abbrechen und neu anmelden"));
    return page_form(&p, status, "/konto/anmelden/code", N_("Anmelden"));
}

int account_login_code_page(http_req_t *req)
{
    int64_t uid;
    if (token_peek(req->db, http_cookie(req, LOGIN2FA_COOKIE), TOKEN_LOGIN2FA, &uid) != 0)
        return http_redirect(req, 303, "/konto/anmelden");
    return code_form(req, 200, http_query(req, "weiter"), NULL);
}

/* Checks a TOTP code or a recovery code for uid; 0 when one is right. */
static int check_second_factor(http_req_t *req, int64_t uid, const char *code, const char **factor)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_totp_state, &st) != 0)
        return -1;
    db_bind_int64(st, 1, uid);
    char secret[128] = "";
    int64_t last_step = 0;
    int rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(secret, sizeof(secret), "%s", db_column_text(st, 0));
        last_step = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != DB_ROW)
        return -1;
    int64_t now = (int64_t)time(NULL);
    if (totp_verify(secret, code, now, &last_step) == 0) {
        /* Store the step only if no parallel request used it first (replay). */
        if (db_prepare(req->db, sql_totp_step, &st) != 0)
            return -1;
        db_bind_int64(st, 1, uid);
        db_bind_int64(st, 2, last_step);
        rc = db_step(st);
        int64_t changed = db_changes(st);
        db_reset(st);
        *factor = "totp";
        return rc == DB_DONE && changed == 1 ? 0 : -1;
    }
    char norm[RECOVERY_CODE_LEN], hash[RECOVERY_HASH_HEX];
    if (recovery_normalise(code, norm) != 0)
        return -1;
    recovery_hash(norm, hash);
    if (db_prepare(req->db, sql_use_recovery, &st) != 0)
        return -1;
    db_bind_int64(st, 1, uid);
    db_bind_text(st, 2, hash, -1);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    int64_t used = db_changes(st);
    db_reset(st);
    *factor = "recovery_code";
    return rc == DB_DONE && used == 1 ? 0 : -1;
}

int account_login_code_submit(http_req_t *req)
{
    const char *token = http_cookie(req, LOGIN2FA_COOKIE);
    const char *next = http_form(req, "weiter");
    const char *code = http_form(req, "code");
    int64_t uid, now = (int64_t)time(NULL);
    if (token_peek(req->db, token, TOKEN_LOGIN2FA, &uid) != 0)
        return http_redirect(req, 303, "/konto/anmelden");
    char key[64];
    snprintf(key, sizeof(key), "account:2fa:%lld", (long long)uid);
    int64_t wait = throttle_wait(req->db, key, now);
    if (wait != 0)
        return wait < 0 ? 503 : code_form(req, 429, next, N_("Zu viele falsche Codes. Bitte warten Sie einen Moment."));
    const char *factor = "";
    if (!code || check_second_factor(req, uid, code, &factor) != 0) {
        int locked;
        throttle_fail(req->db, key, &throttle_account, now, &locked);
        account_audit(req, uid, "account.login_failed", "{\"provider\":\"second_factor\"}");
        return code_form(req, 422, next, N_("Der Code ist nicht richtig oder schon benutzt. Bitte versuchen Sie es noch einmal."));
    }
    int64_t same;
    if (token_consume(req->db, token, TOKEN_LOGIN2FA, &same, NULL, 0) != 0 || same != uid)
        return http_redirect(req, 303, "/konto/anmelden");
    throttle_clear(req->db, key);
    http_set_cookie(req, LOGIN2FA_COOKIE, "", 0);
    if (req->session_hash)
        session_destroy(req);
    if (session_create(req, uid) != 0)
        return 503;
    char detail[64];
    snprintf(detail, sizeof(detail), "{\"factor\":\"%s\"}", factor);
    account_audit(req, uid, "account.login", detail);
    return http_redirect(req, 303, safe_next(next, "/konto"));
}

/* POST /konto/abmelden */
int account_logout(http_req_t *req)
{
    int64_t uid = req->user ? req->user->id : 0;
    session_destroy(req);
    if (uid)
        account_audit(req, uid, "account.logout", NULL);
    return http_redirect(req, 303, "/konto/anmelden?abgemeldet=1");
}

/* GET /konto/sitzung — how long the session lasts, with a button to extend it
 * (the page for browsers without JavaScript; rathaus.js shows a dialog instead). */
int account_session_page(http_req_t *req)
{
    page_t p = page_new(req, N_("Angemeldet bleiben"));
    if (http_query(req, "verlaengert"))
        page_alert(&p, "success", N_("Ihre Sitzung wurde verlängert."));
    page_text(&p, N_("Zu Ihrem Schutz melden wir Sie nach 30 Minuten ohne Aktivität ab. Wenn Sie mehr Zeit brauchen, verlängern Sie Ihre Sitzung hier. Ihre Eingaben in anderen Fenstern bleiben erhalten."));
    time_t until = (time_t)req->user->session_expires_at;
    struct tm tm;
    localtime_r(&until, &tm);
    char when[64];
    strftime(when, sizeof(when), "%H:%M", &tm);
    char line[160];
    snprintf(line, sizeof(line), "%s %s", i18n_translate(req->lang, N_("Ohne Aktivität endet Ihre Sitzung um")), when);
    page_raw_text(&p, line);
    page_hidden(&p, "weiter", safe_next(http_query(req, "weiter"), "/konto/sitzung"));
    return page_form(&p, 200, "/konto/sitzung", N_("Sitzung verlängern"));
}

/* POST /konto/sitzung — extends; answers JSON to the script, a redirect otherwise. */
int account_session_extend(http_req_t *req)
{
    if (session_extend(req) != 0)
        return 503;
    const char *accept = http_header(req, "accept");
    if (accept && strstr(accept, "application/json"))
        return http_json(req, 200, json_pack("{s:I}", "expires_at", (json_int_t)req->user->session_expires_at));
    const char *next = safe_next(http_form(req, "weiter"), "/konto/sitzung");
    if (!strcmp(next, "/konto/sitzung"))
        next = "/konto/sitzung?verlaengert=1";
    return http_redirect(req, 303, next);
}
