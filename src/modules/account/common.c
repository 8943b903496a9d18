/* common.c — shared pieces of the account handlers (see common.h). */
#include "modules/account/common.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "modules/account/password.h"
#include "platform/audit.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char sql_by_email[] =
    "SELECT id, email, password_hash, email_confirmed_at, is_staff, trust_level, totp_enabled_at, blocked_at, "
    "display_name FROM users WHERE email = $1 AND deleted_at IS NULL";
static const char sql_by_id[] =
    "SELECT id, email, password_hash, email_confirmed_at, is_staff, trust_level, totp_enabled_at, blocked_at, "
    "display_name FROM users WHERE id = $1 AND deleted_at IS NULL";

const char *account_email_normalise(http_req_t *req, const char *entered, const char **error)
{
    *error = NULL;
    if (!entered || !*entered) {
        *error = N_("Bitte geben Sie Ihre E-Mail-Adresse an.");
        return NULL;
    }
    size_t n = strlen(entered);
    while (n && isspace((unsigned char)entered[n - 1]))
        n--;
    while (n && isspace((unsigned char)*entered)) {
        entered++;
        n--;
    }
    char *e = arena_strndup(req->arena, entered, n);
    for (char *p = e; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (!mail_address_valid(e)) {
        *error = N_("Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.");
        return NULL;
    }
    return e;
}

static int read_account(http_req_t *req, db_stmt_t *st, account_t *out)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = db_column_int64(st, 0);
        out->email = arena_strdup(req->arena, db_column_text(st, 1));
        out->password_hash = db_column_is_null(st, 2) ? NULL : arena_strdup(req->arena, db_column_text(st, 2));
        out->confirmed = !db_column_is_null(st, 3);
        out->is_staff = db_column_int64(st, 4) != 0;
        out->trust_level = (int)db_column_int64(st, 5);
        out->totp_enabled = !db_column_is_null(st, 6);
        out->blocked = !db_column_is_null(st, 7);
        out->display_name = arena_strdup(req->arena, db_column_text(st, 8));
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int account_by_email(http_req_t *req, const char *email, account_t *out)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_by_email, &st) != 0)
        return -1;
    db_bind_text(st, 1, email, -1);
    return read_account(req, st, out);
}

int account_by_id(http_req_t *req, int64_t id, account_t *out)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_by_id, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    return read_account(req, st, out);
}

int account_mail(http_req_t *req, const char *to, const char *lang, const char *subject, const char *body,
                 const char *link_path, const char *token)
{
    const char *city = req->cfg->city_name;
    char text[4096];
    int n = snprintf(text, sizeof(text), "%s\n\n%s\n", i18n_translate(lang, N_("Guten Tag,")), i18n_translate(lang, body));
    if (link_path && n > 0 && (size_t)n < sizeof(text))
        n += snprintf(text + n, sizeof(text) - (size_t)n, "\n%s%s%s%s\n", req->cfg->base_url, link_path,
                      token ? "?token=" : "", token ? token : "");
    if (n > 0 && (size_t)n < sizeof(text))
        snprintf(text + n, sizeof(text) - (size_t)n, "\n%s\n%s %s\n", i18n_translate(lang, N_("Mit freundlichen Grüßen")),
                 i18n_translate(lang, N_("Ihr digitales Rathaus")), city);
    char subj[256];
    snprintf(subj, sizeof(subj), "%s – %s %s", i18n_translate(lang, subject), i18n_translate(lang, N_("Digitales Rathaus")),
             city);
    int64_t id = mail_queue(req->db, to, subj, text);
    if (id < 0)
        return -1;
    jobs_wake();
    return 0;
}

void account_audit(http_req_t *req, int64_t user_id, const char *action, const char *detail_json)
{
    char actor[32], object[32];
    if (user_id > 0) {
        snprintf(actor, sizeof(actor), "user:%lld", (long long)(req->user ? req->user->id : user_id));
        snprintf(object, sizeof(object), "user:%lld", (long long)user_id);
    } else {
        snprintf(actor, sizeof(actor), "anonymous");
        object[0] = '\0';
    }
    audit_log(req->db, actor, action, object, detail_json, req->client_ip, req->request_id);
}

int account_check_new_password(const char *pw, const char *pw2, const char *email, const char **e_pw,
                               const char **e_pw2)
{
    *e_pw = *e_pw2 = NULL;
    if (password_check(pw ? pw : "", email, e_pw) != 0 && !*e_pw)
        *e_pw = N_("Bitte wählen Sie ein anderes Passwort.");
    if (!*e_pw && (!pw2 || strcmp(pw, pw2) != 0))
        *e_pw2 = N_("Die beiden Passwörter stimmen nicht überein.");
    return *e_pw || *e_pw2 ? -1 : 0;
}

void account_burn_verify(const char *password)
{
    static char dummy[PASSWORD_HASH_MAX];
    static int ready;
    /* Made once; a race between threads only hashes twice. */
    if (!ready) {
        char tmp[PASSWORD_HASH_MAX];
        if (password_hash("rathaus-dummy-password", tmp) == 0) {
            memcpy(dummy, tmp, sizeof(dummy));
            ready = 1;
        }
    }
    if (ready)
        password_verify(dummy, password ? password : "");
}
