/* register.c — registration of a citizen account and the confirmation of its e-mail address.
 *
 * /konto/registrieren: e-mail, password (twice), consent to the privacy notice.
 * The answer is the same whether or not the address already has an account (no
 * enumeration); the owner of an existing account gets a mail saying so instead of
 * a confirmation link. /konto/bestaetigen shows a button for the link's token:
 * a GET never changes state, and mail scanners that open links confirm nothing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/common.h"
#include "modules/account/handlers.h"
#include "modules/account/password.h"
#include "modules/account/session.h"
#include "modules/account/throttle.h"
#include "modules/account/tokens.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

#define CONFIRM_TTL (24 * 3600)

static const char sql_insert_user[] = "INSERT INTO users (email, password_hash, trust_level, created_at, updated_at) "
                                      "VALUES ($1, $2, 0, $3, $3) RETURNING id";
static const char sql_insert_profile[] = "INSERT INTO profiles (user_id, updated_at) VALUES ($1, $2)";
static const char sql_confirm[] = "UPDATE users SET email_confirmed_at = $2, trust_level = CASE WHEN trust_level < 1 "
                                  "THEN 1 ELSE trust_level END, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL";

static int register_form(http_req_t *req, int status, const char *email, const char *consent, const char *e_email,
                         const char *e_pw, const char *e_pw2, const char *e_consent)
{
    page_t p = page_new(req, N_("Konto erstellen"));
    page_text(&p, N_("Mit einem Konto erledigen Sie Anliegen online und sehen jederzeit, wie weit sie sind. Ihre Angaben speichern wir einmal und bieten sie Ihnen in jedem Formular wieder an."));
    page_field(&p, FIELD_EMAIL, "email", N_("E-Mail-Adresse"), email, N_("An diese Adresse schicken wir einen Link zur Bestätigung."), e_email);
    page_field(&p, FIELD_NEW_PASSWORD, "passwort", N_("Passwort"), "", N_("Mindestens 12 Zeichen. Ein Satz, den Sie sich gut merken können, ist ein gutes Passwort."), e_pw);
    page_field(&p, FIELD_NEW_PASSWORD, "passwort2", N_("Passwort wiederholen"), "", NULL, e_pw2);
    page_field(&p, FIELD_CHECKBOX, "datenschutz", N_("Ich habe die Datenschutzerklärung gelesen."), consent,
               N_("Sie finden sie unten auf jeder Seite unter „Datenschutz“."), e_consent);
    page_link(&p, "/konto/anmelden", N_("Sie haben schon ein Konto? Anmelden"));
    return page_form(&p, status, "/konto/registrieren", N_("Konto erstellen"));
}

int account_register_page(http_req_t *req)
{
    if (req->user)
        return http_redirect(req, 303, "/konto");
    return register_form(req, 200, "", "", NULL, NULL, NULL, NULL);
}

static int done_page(http_req_t *req, const char *email)
{
    page_t p = page_new(req, N_("Fast geschafft: Bitte bestätigen Sie Ihre E-Mail-Adresse"));
    page_alert(&p, "info", N_("Wir haben Ihnen eine E-Mail geschickt."));
    page_raw_text(&p, email);
    page_text(&p, N_("Öffnen Sie den Link in der E-Mail, um Ihr Konto zu aktivieren. Der Link gilt 24 Stunden. Wenn keine E-Mail ankommt, sehen Sie bitte auch im Spam-Ordner nach."));
    page_link(&p, "/konto/anmelden", N_("Zur Anmeldung"));
    return page_message(&p, 200);
}

int account_register_submit(http_req_t *req)
{
    const char *entered = http_form(req, "email");
    const char *pw = http_form(req, "passwort");
    const char *pw2 = http_form(req, "passwort2");
    const char *consent = http_form(req, "datenschutz");
    const char *e_email = NULL, *e_pw = NULL, *e_pw2 = NULL, *e_consent = NULL;
    int64_t now = (int64_t)time(NULL);
    char key[96];
    snprintf(key, sizeof(key), "register:%s", req->client_ip);
    int64_t wait = throttle_wait(req->db, key, now);
    if (wait < 0)
        return 503;
    if (wait > 0) {
        page_t p = page_new(req, N_("Zu viele Anfragen"));
        page_text(&p, N_("Von Ihrem Anschluss wurden in kurzer Zeit sehr viele Konten angelegt. Bitte versuchen Sie es später noch einmal."));
        return page_message(&p, 429);
    }
    const char *email = account_email_normalise(req, entered, &e_email);
    account_check_new_password(pw, pw2, email, &e_pw, &e_pw2);
    if (!consent || strcmp(consent, "1") != 0)
        e_consent = N_("Bitte bestätigen Sie, dass Sie die Datenschutzerklärung gelesen haben.");
    if (e_email || e_pw || e_pw2 || e_consent)
        return register_form(req, 422, entered ? entered : "", consent, e_email, e_pw, e_pw2, e_consent);

    int locked;
    throttle_fail(req->db, key, &throttle_register, now, &locked); /* every registration counts */
    account_t existing;
    int found = account_by_email(req, email, &existing);
    if (found < 0)
        return 503;
    if (found == 0) {
        /* Same answer as for a new account; the owner learns of the attempt. */
        account_mail(req, email, req->lang, N_("Sie haben bereits ein Konto"),
                     N_("Jemand wollte mit Ihrer E-Mail-Adresse ein neues Konto anlegen. Sie haben bereits ein Konto. Wenn Sie das waren, melden Sie sich an oder setzen Sie Ihr Passwort zurück. Wenn nicht, können Sie diese E-Mail ignorieren."),
                     "/konto/anmelden", NULL);
        return done_page(req, email);
    }
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(pw, hash) != 0)
        return 500;
    if (db_begin_write(req->db) != 0)
        return 503;
    int64_t id = -1;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_insert_user, &st) == 0) {
        db_bind_text(st, 1, email, -1);
        db_bind_text(st, 2, hash, -1);
        db_bind_int64(st, 3, now);
        if (db_step(st) == DB_ROW)
            id = db_column_int64(st, 0);
        db_reset(st);
    }
    int ok = id > 0 && db_prepare(req->db, sql_insert_profile, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, now);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    char token[48];
    ok = ok && token_create(req->db, id, TOKEN_CONFIRM, NULL, CONFIRM_TTL, token) == 0;
    ok = ok && account_mail(req, email, req->lang, N_("Bitte bestätigen Sie Ihre E-Mail-Adresse"),
                            N_("Sie haben ein Konto im digitalen Rathaus angelegt. Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Link (gültig 24 Stunden):"),
                            "/konto/bestaetigen", token) == 0;
    if (ok) {
        account_audit(req, id, "account.register", NULL);
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    if (!ok) {
        /* A parallel registration of the same address wins the unique index: same answer. */
        if (account_by_email(req, email, &existing) == 0)
            return done_page(req, email);
        log_kv(LOG_ERROR, "registration failed", "error", db_errmsg(req->db), "request_id", req->request_id, NULL);
        return 503;
    }
    return done_page(req, email);
}

static int invalid_link(http_req_t *req)
{
    page_t p = page_new(req, N_("Dieser Link ist nicht mehr gültig"));
    page_text(&p, N_("Der Link ist abgelaufen oder wurde schon benutzt. Wenn Sie Ihr Konto schon bestätigt haben, können Sie sich anmelden. Sonst können Sie einen neuen Link anfordern."));
    page_link(&p, "/konto/anmelden", N_("Zur Anmeldung"));
    page_link(&p, "/konto/bestaetigen/neu", N_("Neuen Link anfordern"));
    return page_message(&p, 410);
}

/* GET /konto/bestaetigen?token=… — a button, not an action. */
int account_confirm_page(http_req_t *req)
{
    const char *token = http_query(req, "token");
    int64_t uid;
    int rc = token_peek(req->db, token, TOKEN_CONFIRM, &uid);
    if (rc < 0)
        return 503;
    if (rc != 0)
        return invalid_link(req);
    page_t p = page_new(req, N_("E-Mail-Adresse bestätigen"));
    page_text(&p, N_("Bitte bestätigen Sie, dass diese E-Mail-Adresse Ihnen gehört. Danach sind Sie angemeldet."));
    page_hidden(&p, "token", token);
    return page_form(&p, 200, "/konto/bestaetigen", N_("E-Mail-Adresse bestätigen"));
}

/* POST /konto/bestaetigen */
int account_confirm_submit(http_req_t *req)
{
    int64_t uid;
    int rc = token_consume(req->db, http_form(req, "token"), TOKEN_CONFIRM, &uid, NULL, 0);
    if (rc < 0)
        return 503;
    if (rc != 0)
        return invalid_link(req);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_confirm, &st) != 0)
        return 503;
    db_bind_int64(st, 1, uid);
    db_bind_int64(st, 2, (int64_t)time(NULL));
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return 503;
    account_audit(req, uid, "account.confirm", NULL);
    account_t a;
    if (account_by_id(req, uid, &a) == 0 && !a.totp_enabled && !a.blocked) {
        if (req->session_hash)
            session_destroy(req);
        if (session_create(req, uid) != 0)
            return 503;
        return http_redirect(req, 303, "/konto?willkommen=1");
    }
    return http_redirect(req, 303, "/konto/anmelden?bestaetigt=1");
}

/* GET/POST /konto/bestaetigen/neu — a new confirmation link; same answer for every address. */
int account_resend_page(http_req_t *req)
{
    page_t p = page_new(req, N_("Neuen Bestätigungslink anfordern"));
    page_text(&p, N_("Geben Sie die E-Mail-Adresse Ihres Kontos an. Wenn das Konto noch nicht bestätigt ist, schicken wir Ihnen einen neuen Link."));
    page_field(&p, FIELD_EMAIL, "email", N_("E-Mail-Adresse"), "", NULL, NULL);
    return page_form(&p, 200, "/konto/bestaetigen/neu", N_("Link anfordern"));
}

int account_resend_submit(http_req_t *req)
{
    const char *err = NULL;
    const char *entered = http_form(req, "email");
    const char *email = account_email_normalise(req, entered, &err);
    if (!email) {
        page_t p = page_new(req, N_("Neuen Bestätigungslink anfordern"));
        page_field(&p, FIELD_EMAIL, "email", N_("E-Mail-Adresse"), entered ? entered : "", NULL, err);
        return page_form(&p, 422, "/konto/bestaetigen/neu", N_("Link anfordern"));
    }
    char key[96];
    int64_t now = (int64_t)time(NULL);
    snprintf(key, sizeof(key), "register:%s", req->client_ip);
    if (throttle_wait(req->db, key, now) == 0) {
        int locked;
        throttle_fail(req->db, key, &throttle_register, now, &locked);
        account_t a;
        char token[48];
        if (account_by_email(req, email, &a) == 0 && !a.confirmed &&
            token_create(req->db, a.id, TOKEN_CONFIRM, NULL, CONFIRM_TTL, token) == 0)
            account_mail(req, email, req->lang, N_("Bitte bestätigen Sie Ihre E-Mail-Adresse"),
                         N_("Sie haben einen neuen Link angefordert. Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Link (gültig 24 Stunden):"),
                         "/konto/bestaetigen", token);
    }
    return done_page(req, email);
}
