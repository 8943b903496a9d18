/* idp.c — external identity providers: registry and the shared sign-in (see idp.h). */
#include "modules/account/idp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/common.h"
#include "modules/account/session.h"
#include "modules/account/ui.h"
#include "web/auth.h"

#define MAX_PROVIDERS 8

static const identity_provider_t *registered[MAX_PROVIDERS];
static size_t registered_count;

static const char sql_link[] = "SELECT user_id FROM identity_links WHERE provider = $1 AND subject = $2";
static const char sql_by_email[] = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL";
static const char sql_new_user[] = "INSERT INTO users (email, email_confirmed_at, trust_level, created_at, updated_at) "
                                   "VALUES ($1, $2, $3, $2, $2) RETURNING id";
static const char sql_new_profile[] = "INSERT INTO profiles (user_id, updated_at) VALUES ($1, $2) "
                                      "ON CONFLICT (user_id) DO NOTHING";
static const char sql_new_link[] = "INSERT INTO identity_links (provider, subject, user_id, created_at) "
                                   "VALUES ($1, $2, $3, $4)";
static const char sql_raise[] = "UPDATE users SET trust_level = $2, updated_at = $3 WHERE id = $1 AND trust_level < $2";
/* Only empty fields are filled: what the person entered themselves stays. */
static const char sql_fill_profile[] =
    "UPDATE profiles SET given_name = CASE WHEN given_name = '' THEN $2 ELSE given_name END, "
    "family_name = CASE WHEN family_name = '' THEN $3 ELSE family_name END, "
    "birth_date = CASE WHEN birth_date = '' THEN $4 ELSE birth_date END, "
    "street = CASE WHEN street = '' THEN $5 ELSE street END, "
    "postcode = CASE WHEN postcode = '' THEN $6 ELSE postcode END, "
    "city = CASE WHEN city = '' THEN $7 ELSE city END, updated_at = $8 WHERE user_id = $1";

int idp_register(const identity_provider_t *p)
{
    if (registered_count == MAX_PROVIDERS || idp_find(p->name))
        return -1;
    registered[registered_count++] = p;
    return 0;
}

size_t idp_count(void) { return registered_count; }

const identity_provider_t *idp_at(size_t i) { return i < registered_count ? registered[i] : NULL; }

const identity_provider_t *idp_find(const char *name)
{
    for (size_t i = 0; name && i < registered_count; i++)
        if (!strcmp(registered[i]->name, name))
            return registered[i];
    return NULL;
}

/* Finds or creates the account for the identity; 0 with *uid, or < 0. */
static int link_account(http_req_t *req, const char *provider, const idp_identity_t *id, int64_t now, int64_t *uid)
{
    db_t *db = req->db;
    int rc = db_query_int64_text(db, sql_link, provider, id->subject, uid);
    if (rc <= 0)
        return rc;
    const char *err = NULL;
    const char *email = id->email && id->email_verified ? account_email_normalise(req, id->email, &err) : NULL;
    rc = email ? db_query_int64_text(db, sql_by_email, email, NULL, uid) : 1;
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    if (rc == 1) {
        /* A person without a verified address still gets an account; the
         * placeholder is unique and can be changed under "Sicherheit". */
        char placeholder[200];
        snprintf(placeholder, sizeof(placeholder), "%s-%.40s@anmeldung.invalid", provider, id->subject);
        if (db_prepare(db, sql_new_user, &st) != 0)
            return -1;
        db_bind_text(st, 1, email ? email : placeholder, -1);
        db_bind_int64(st, 2, now);
        db_bind_int64(st, 3, TRUST_BASIC);
        rc = db_step(st);
        if (rc == DB_ROW)
            *uid = db_column_int64(st, 0);
        db_reset(st);
        if (rc != DB_ROW)
            return -1;
        if (db_prepare(db, sql_new_profile, &st) != 0)
            return -1;
        db_bind_int64(st, 1, *uid);
        db_bind_int64(st, 2, now);
        rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    if (db_prepare(db, sql_new_link, &st) != 0)
        return -1;
    db_bind_text(st, 1, provider, -1);
    db_bind_text(st, 2, id->subject, -1);
    db_bind_int64(st, 3, *uid);
    db_bind_int64(st, 4, now);
    rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int idp_sign_in(http_req_t *req, const char *provider, const idp_identity_t *id, const char *next)
{
    if (!id->subject || !*id->subject)
        return 400;
    int64_t now = (int64_t)time(NULL), uid = 0;
    if (db_begin_write(req->db) != 0)
        return 503;
    int ok = link_account(req, provider, id, now, &uid) == 0;
    db_stmt_t *st;
    if (ok && id->trust_level > TRUST_NONE && db_prepare(req->db, sql_raise, &st) == 0) {
        db_bind_int64(st, 1, uid);
        db_bind_int64(st, 2, id->trust_level > TRUST_HIGH ? TRUST_HIGH : id->trust_level);
        db_bind_int64(st, 3, now);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok && db_prepare(req->db, sql_fill_profile, &st) == 0) {
        const char *v[] = {id->given_name, id->family_name, id->birth_date, id->street, id->postcode, id->city};
        db_bind_int64(st, 1, uid);
        for (int i = 0; i < 6; i++)
            db_bind_text(st, i + 2, v[i] ? v[i] : "", -1);
        db_bind_int64(st, 8, now);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok) {
        char detail[128];
        snprintf(detail, sizeof(detail), "{\"provider\":\"%.40s\",\"trust_level\":%d}", provider, id->trust_level);
        account_audit(req, uid, "account.login", detail);
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    if (!ok)
        return 503;
    account_t a;
    if (account_by_id(req, uid, &a) != 0 || a.blocked)
        return 403;
    if (req->session_hash)
        session_destroy(req);
    if (session_create(req, uid) != 0)
        return 503;
    return http_redirect(req, 303, safe_next(next, "/konto"));
}

int account_idp_start(http_req_t *req)
{
    const identity_provider_t *p = idp_find(http_param(req, "provider"));
    return p ? p->start(req) : 404;
}

int account_idp_finish(http_req_t *req)
{
    const identity_provider_t *p = idp_find(http_param(req, "provider"));
    if (!p)
        return 404;
    idp_identity_t id;
    memset(&id, 0, sizeof(id));
    int status = p->finish(req, &id);
    if (status)
        return status;
    return idp_sign_in(req, p->name, &id, http_query(req, "weiter"));
}
