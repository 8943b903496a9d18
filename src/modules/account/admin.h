/* admin.h — the administration of accounts (/verwaltung/…): staff accounts, the
 * identity check that raises a citizen's trust level, organisation units, roles
 * and the audit log; and the `rathaus user` / `rathaus unit` commands.
 *
 * One page group per file: admin.c (the route table, the overview page, what the
 * pages share, and the database steps shared with the command line),
 * admin_users.c (users and invitations), admin_identity.c (the identity check),
 * admin_units.c, admin_roles.c, admin_audit.c, cli_user.c (command line and demo
 * data).
 *
 * Rules every admin handler follows:
 * - The route table declares the permission; the handler then calls admin_guard
 *   first: with administrative rights and no second factor it sends the user to
 *   set one up (issue 3: 2FA is required for anyone with admin rights).
 * - Scope: a permission granted for unit_id 0 holds everywhere; granted for some
 *   units it reaches only records of those units. A record outside the scope
 *   answers 404, for GET and POST alike, so that ids reveal nothing.
 * - Every change is written to the audit log inside the transaction that makes
 *   it ("admin.…" actions), so a change never goes unrecorded.
 */
#ifndef RATHAUS_MODULES_ACCOUNT_ADMIN_H
#define RATHAUS_MODULES_ACCOUNT_ADMIN_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

extern const module_t account_admin_module;

#define ADMIN_PAGE_SIZE 50           /* rows per page of the user list and the audit log */
#define ADMIN_INVITE_TTL (7 * 86400) /* an invitation link is valid this long */
#define ADMIN_SEARCH_MAX 100         /* bytes of a search or filter text */
#define ADMIN_NAME_MAX 200           /* characters of a display name, unit name or role title */

/* Permissions of this module (declared by the account module in module.c). */
#define PERM_USERS "account.users.manage"
#define PERM_UNITS "account.units.manage"
#define PERM_ROLES "account.roles.manage"
#define PERM_AUDIT "account.audit.read"
#define PERM_TRUST "account.trust.raise"

/* --- shared by the admin pages (admin.c) --- */

/* First call of every admin handler. Returns 0 to go on, or HTTP_ANSWERED after
 * redirecting (303) a user with administrative rights but no second factor to
 * /konto/sicherheit?pflicht=1#zwei-faktor; the handler then returns 0. */
int admin_guard(http_req_t *req);
/* 1 when the signed-in user holds permission for unit 0, that is everywhere. */
int admin_global(const http_req_t *req, const char *permission);
/* A decimal id from a path or form value: > 0, or 0 for anything else
 * (empty, signs, letters, overflow). */
int64_t admin_parse_id(const char *s);
/* "dd.mm.yyyy hh:mm" in local time, in the request arena; "" for 0. */
const char *admin_time(http_req_t *req, int64_t unix_seconds);
/* Appends s percent-encoded for a query value (all but A-Z a-z 0-9 - . _ ~). */
void admin_url_arg(buf_t *b, const char *s);
/* Copies s trimmed and lower-cased (ASCII and the Latin-1 capitals À..Þ, so Ä Ö
 * Ü) into the arena, cut to max bytes at a character boundary; "" for NULL. For
 * search texts, filters, and names that are then checked against [a-z0-9…]. */
const char *admin_clean(http_req_t *req, const char *s, size_t max);
/* A user-entered name: trimmed, valid UTF-8, 1..max characters, no control
 * characters. Returns the cleaned copy, or NULL with *error set (a msgid). */
const char *admin_name(http_req_t *req, const char *s, size_t max, const char **error);
/* The translated label of a trust level (0..3). */
const char *admin_trust_label(http_req_t *req, int64_t level);
/* Writes an audit entry about a record that is not an account (object "unit:3",
 * "role:2"); the actor is the signed-in user. Inside the caller's transaction. */
void admin_audit_record(http_req_t *req, const char *object, const char *action, const char *detail_json);
/* obj (taken over) as compact JSON text in the request arena, for account_audit. */
const char *admin_detail(http_req_t *req, json_t *obj);
/* 1 when role_id, or any role user_id holds, carries an administrative
 * permission (those of account_is_admin); 0 when not; < 0 on a database error.
 * Managers whose rights hold only for some units may not hand out or take away
 * such roles, nor block their holders. */
int admin_role_is_admin(db_t *db, int64_t role_id);
int admin_user_is_admin(db_t *db, int64_t user_id);

/* --- database steps shared by the web pages, the command line and the demo (admin.c) --- */

/* Creates a confirmed staff account (trust level basisregistriert) with an empty
 * profile. password_hash NULL: no password yet (an invitation follows). When
 * unit_id > 0 the account becomes a member of it; when role_id > 0 it holds the
 * role in unit_id (0: everywhere). Call inside a write transaction. Returns the
 * new id, 0 when the address already has an account, < 0 on a database error. */
int64_t admin_create_staff(db_t *db, const char *email, const char *name, const char *password_hash, int64_t role_id,
                           int64_t unit_id, int64_t now);
/* Grants role_id to user_id in unit_id (0: everywhere) and, for a unit, makes the
 * user a member of it. Granting twice changes nothing. Returns 0 or < 0. */
int admin_grant_role(db_t *db, int64_t user_id, int64_t role_id, int64_t unit_id);
/* Sets or clears the block of user_id; blocking also ends all sessions.
 * Returns 0, 1 when there is no such live account, < 0 on a database error. */
int admin_set_blocked(db_t *db, int64_t user_id, int blocked, int64_t now);
/* Looks up an id by name (roles.name, units.slug): 0 found, 1 none, < 0 error. */
int admin_role_id(db_t *db, const char *name, int64_t *id);
int admin_unit_id(db_t *db, const char *slug, int64_t *id);
/* 1 when slug is 2..40 characters of [a-z0-9-], else 0. Role names: [a-z0-9_-]. */
int admin_valid_slug(const char *slug);
int admin_valid_role_name(const char *name);
/* Creates a unit. Returns its id, 0 when the slug is taken, < 0 on error. */
int64_t admin_create_unit(db_t *db, const char *slug, const char *name, const char *contact, int64_t now);

/* --- handlers --- */

/* admin.c */
int admin_overview(http_req_t *req);
/* admin_users.c */
int admin_users_page(http_req_t *req);
int admin_user_new_page(http_req_t *req);
int admin_user_new_submit(http_req_t *req);
int admin_user_page(http_req_t *req);
int admin_user_role_add(http_req_t *req);
int admin_user_role_remove(http_req_t *req);
int admin_user_unit_add(http_req_t *req);
int admin_user_unit_remove(http_req_t *req);
int admin_user_block(http_req_t *req);
int admin_user_unblock(http_req_t *req);
int admin_user_reinvite(http_req_t *req);
int admin_invite_page(http_req_t *req);
int admin_invite_submit(http_req_t *req);
/* admin_identity.c */
int admin_identity_page(http_req_t *req);
int admin_identity_submit(http_req_t *req);
/* admin_units.c */
int admin_units_page(http_req_t *req);
int admin_unit_new_page(http_req_t *req);
int admin_unit_new_submit(http_req_t *req);
int admin_unit_page(http_req_t *req);
int admin_unit_submit(http_req_t *req);
/* admin_roles.c */
int admin_roles_page(http_req_t *req);
int admin_role_new_page(http_req_t *req);
int admin_role_new_submit(http_req_t *req);
int admin_role_page(http_req_t *req);
int admin_role_submit(http_req_t *req);
/* admin_audit.c */
int admin_audit_page(http_req_t *req);

/* --- command line (cli_user.c) --- */

/* `rathaus user add|list|grant|block …` and `rathaus unit add|list`: argv holds
 * the words after the command. Print to stdout/stderr; return 0 done, 1 failed,
 * 2 wrong usage. Each opens and migrates the configured database itself. */
int account_cli_user(const config_t *cfg, int argc, char **argv);
int account_cli_unit(const config_t *cfg, int argc, char **argv);
/* Demo data for `rathaus demo` (units, staff accounts, one citizen); skips what
 * exists. Prints the accounts it made. Returns 0 or < 0. */
int account_demo(db_t *db);

#endif
