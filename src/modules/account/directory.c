/* directory.c — staff accounts from the directory (LDAP): the rathaus account that
 * belongs to a directory entry, created on first login, its name and e-mail
 * refreshed on every login, and its roles and units taken from the directory
 * groups (config ldap_group_roles). The directory is the source of truth for
 * directory accounts: roles granted by hand are replaced at the next login. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "modules/account/admin.h"
#include "modules/account/handlers.h"

static const char sql_link[] = "SELECT user_id FROM identity_links WHERE provider = 'ldap' AND subject = $1";
static const char sql_by_email[] = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL";
static const char sql_new_user[] = "INSERT INTO users (email, email_confirmed_at, is_staff, trust_level, display_name, "
                                   "created_at, updated_at) VALUES ($1, $2, 1, 1, $3, $2, $2) RETURNING id";
static const char sql_new_profile[] = "INSERT INTO profiles (user_id, given_name, family_name, updated_at) "
                                      "VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING";
static const char sql_new_link[] = "INSERT INTO identity_links (provider, subject, user_id, created_at) "
                                   "VALUES ('ldap', $1, $2, $3)";
static const char sql_refresh[] = "UPDATE users SET display_name = $2, is_staff = 1, updated_at = $3, "
                                  "email_confirmed_at = COALESCE(email_confirmed_at, $3) WHERE id = $1";
static const char sql_clear_roles[] = "DELETE FROM user_roles WHERE user_id = $1";

int account_sync_directory_user(http_req_t *req, const ldap_identity_t *id, int64_t now, int64_t *user_id)
{
    db_t *db = req->db;
    int64_t uid = 0;
    if (db_begin_write(db) != 0)
        return -1;
    int rc = db_query_int64_text(db, sql_link, id->dn, NULL, &uid);
    if (rc == 1) {
        /* First login: an account with the directory's address is taken over (the
         * directory is trusted for staff), else a new one is made. */
        char email[300];
        snprintf(email, sizeof(email), "%s", id->email[0] ? id->email : "");
        for (char *p = email; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        if (!email[0])
            snprintf(email, sizeof(email), "%s@verzeichnis.invalid", id->login);
        rc = db_query_int64_text(db, sql_by_email, email, NULL, &uid);
        if (rc == 1) {
            db_stmt_t *st;
            rc = -1;
            if (db_prepare(db, sql_new_user, &st) == 0) {
                db_bind_text(st, 1, email, -1);
                db_bind_int64(st, 2, now);
                db_bind_text(st, 3, id->display_name, -1);
                if (db_step(st) == DB_ROW) {
                    uid = db_column_int64(st, 0);
                    rc = 0;
                }
                db_reset(st);
            }
        }
        if (rc == 0) {
            db_stmt_t *st;
            rc = db_prepare(db, sql_new_profile, &st);
            if (rc == 0) {
                db_bind_int64(st, 1, uid);
                db_bind_text(st, 2, id->given_name, -1);
                db_bind_text(st, 3, id->family_name, -1);
                db_bind_int64(st, 4, now);
                rc = db_step(st) == DB_DONE ? 0 : -1;
                db_reset(st);
            }
            if (rc == 0 && db_prepare(db, sql_new_link, &st) == 0) {
                db_bind_text(st, 1, id->dn, -1);
                db_bind_int64(st, 2, uid);
                db_bind_int64(st, 3, now);
                rc = db_step(st) == DB_DONE ? 0 : -1;
                db_reset(st);
            }
        }
    }
    if (rc == 0) {
        db_stmt_t *st;
        rc = db_prepare(db, sql_refresh, &st);
        if (rc == 0) {
            db_bind_int64(st, 1, uid);
            db_bind_text(st, 2, id->display_name, -1);
            db_bind_int64(st, 3, now);
            rc = db_step(st) == DB_DONE ? 0 : -1;
            db_reset(st);
        }
    }
    db_stmt_t *clear;
    if (rc == 0 && db_prepare(db, sql_clear_roles, &clear) == 0) {
        db_bind_int64(clear, 1, uid);
        rc = db_step(clear) == DB_DONE ? 0 : -1;
        db_reset(clear);
    }
    for (int i = 0; rc == 0 && i < id->grant_count; i++) {
        int64_t role = 0, unit = 0;
        if (admin_role_id(db, id->grants[i].role, &role) != 0) {
            log_kv(LOG_WARN, "directory group maps to an unknown role", "role", id->grants[i].role, NULL);
            continue;
        }
        if (id->grants[i].unit[0] && admin_unit_id(db, id->grants[i].unit, &unit) != 0) {
            log_kv(LOG_WARN, "directory group maps to an unknown unit", "unit", id->grants[i].unit, NULL);
            continue;
        }
        rc = admin_grant_role(db, uid, role, unit); /* also makes the account a member of the unit */
    }
    if (rc == 0 && db_commit(db) == 0) {
        *user_id = uid;
        return 0;
    }
    db_rollback(db);
    return -1;
}
