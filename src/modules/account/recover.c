/* recover.c — "Passwort vergessen": a single-use link (1 hour) to set a new password.
 *
 * The answer never says whether an address has an account. Using the link ends
 * every session of the account and also confirms the address (the link proves
 * the mailbox). A locked account can always be recovered this way.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/account/common.h"
#include "modules/account/handlers.h"
#include "modules/account/password.h"
#include "modules/account/session.h"
#include "modules/account/throttle.h"
#include "modules/account/tokens.h"
#include "modules/account/ui.h"
#include "view/i18n.h"

#define RESET_TTL 3600

static const char sql_set_password[] =
    "UPDATE users SET password_hash = $2, email_confirmed_at = COALESCE(email_confirmed_at, $3), trust_level = "
    "CASE WHEN trust_level < 1 THEN 1 ELSE trust_level END, updated_at = $3 WHERE id = $1 AND deleted_at IS NULL";

static int forgot_form(http_req_t *req, int status, const char *email, const char *error)
{
    page_t p = page_new(req, N_("Passwort vergessen"));
    page_text(&p, N_("Geben Sie die E-Mail-Adresse Ihres Kontos an. Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort festlegen. Der Link gilt eine Stunde."));
    page_field(&p, FIELD_EMAIL, "email", N_("E-Mail-Adresse"), email, NULL, error);
    page_link(&p, "/konto/anmelden", N_("Zurück zur Anmeldung"));
    return page_form(&p, status, "/konto/passwort-vergessen", N_("Link schicken"));
}

int account_forgot_page(http_req_t *req) { return forgot_form(req, 200, "", NULL); }

int account_forgot_submit(http_req_t *req)
{
    const char *entered = http_form(req, "email");
    const char *error = NULL;
    const char *email = account_email_normalise(req, entered, &error);
    if (!email)
        return forgot_form(req, 422, entered ? entered : "", error);
    int64_t now = (int64_t)time(NULL);
    char key[96];
    snprintf(key, sizeof(key), "reset:%s", req->client_ip);
    /* A flood of reset mails from one address is cut off quietly: same answer. */
    if (throttle_wait(req->db, key, now) == 0) {
        int locked;
        throttle_fail(req->db, key, &throttle_register, now, &locked);
        account_t a;
        char token[48];
        if (account_by_email(req, email, &a) == 0 && !a.blocked) {
            token_void_all(req->db, a.id, TOKEN_RESET); /* only the newest link works */
            if (token_create(req->db, a.id, TOKEN_RESET, NULL, RESET_TTL, token) == 0)
                account_mail(req, email, req->lang, N_("Neues Passwort festlegen"),
                             N_("Sie haben ein neues Passwort angefordert. Mit diesem Link legen Sie es fest (gültig eine Stunde, nur einmal). Wenn Sie das nicht waren, ignorieren Sie diese E-Mail; Ihr Passwort bleibt dann unverändert."),
                             "/konto/passwort-neu", token);
            account_audit(req, a.id, "account.reset_requested", NULL);
        }
    }
    page_t p = page_new(req, N_("Bitte sehen Sie in Ihr Postfach"));
    page_alert(&p, "info", N_("Wenn es zu dieser Adresse ein Konto gibt, haben wir Ihnen eine E-Mail mit einem Link geschickt."));
    page_text(&p, N_("Der Link gilt eine Stunde. Wenn keine E-Mail ankommt, sehen Sie bitte auch im Spam-Ordner nach."));
    page_link(&p, "/konto/anmelden", N_("Zurück zur Anmeldung"));
    return page_message(&p, 200);
}

static int reset_form(http_req_t *req, int status, const char *token, const char *e_pw, const char *e_pw2)
{
    page_t p = page_new(req, N_("Neues Passwort festlegen"));
    page_field(&p, FIELD_NEW_PASSWORD, "passwort", N_("Neues Passwort"), "", N_("Mindestens 12 Zeichen."), e_pw);
    page_field(&p, FIELD_NEW_PASSWORD, "passwort2", N_("Neues Passwort wiederholen"), "", NULL, e_pw2);
    page_hidden(&p, "token", token);
    return page_form(&p, status, "/konto/passwort-neu", N_("Passwort speichern"));
}

static int invalid_link(http_req_t *req)
{
    page_t p = page_new(req, N_("Dieser Link ist nicht mehr gültig"));
    page_text(&p, N_("Der Link ist abgelaufen oder wurde schon benutzt. Bitte fordern Sie einen neuen an."));
    page_link(&p, "/konto/passwort-vergessen", N_("Neuen Link anfordern"));
    return page_message(&p, 410);
}

int account_reset_page(http_req_t *req)
{
    const char *token = http_query(req, "token");
    int64_t uid;
    int rc = token_peek(req->db, token, TOKEN_RESET, &uid);
    if (rc < 0)
        return 503;
    return rc ? invalid_link(req) : reset_form(req, 200, token, NULL, NULL);
}

int account_reset_submit(http_req_t *req)
{
    const char *token = http_form(req, "token");
    const char *pw = http_form(req, "passwort");
    const char *pw2 = http_form(req, "passwort2");
    int64_t uid;
    int rc = token_peek(req->db, token, TOKEN_RESET, &uid);
    if (rc < 0)
        return 503;
    if (rc)
        return invalid_link(req);
    account_t a;
    if (account_by_id(req, uid, &a) != 0)
        return invalid_link(req);
    const char *e_pw = NULL, *e_pw2 = NULL;
    account_check_new_password(pw, pw2, a.email, &e_pw, &e_pw2);
    if (e_pw || e_pw2)
        return reset_form(req, 422, token, e_pw, e_pw2);
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(pw, hash) != 0)
        return 500;
    if (db_begin_write(req->db) != 0)
        return 503;
    int ok = token_consume(req->db, token, TOKEN_RESET, &uid, NULL, 0) == 0;
    db_stmt_t *st;
    if (ok && db_prepare(req->db, sql_set_password, &st) == 0) {
        db_bind_int64(st, 1, uid);
        db_bind_text(st, 2, hash, -1);
        db_bind_int64(st, 3, (int64_t)time(NULL));
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    } else {
        ok = 0;
    }
    ok = ok && session_destroy_all(req->db, uid, NULL) == 0;
    if (ok) {
        account_audit(req, uid, "account.password_reset", NULL);
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    if (!ok)
        return invalid_link(req);
    char key[300];
    snprintf(key, sizeof(key), "account:%s", a.email);
    throttle_clear(req->db, key); /* recovery lifts a lock */
    account_mail(req, a.email, req->lang, N_("Ihr Passwort wurde geändert"),
                 N_("Das Passwort Ihres Kontos wurde soeben geändert, und alle Sitzungen wurden beendet. Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück:"),
                 "/konto/passwort-vergessen", NULL);
    return http_redirect(req, 303, "/konto/anmelden?passwort=1");
}
