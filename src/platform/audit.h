/* audit.h — the append-only audit log of security-relevant actions (DESIGN §4).
 *
 * Logins, permission and configuration changes, data exports, deletions … each
 * become one row in audit_log: who (actor), did what (action), to what (object),
 * with details as a JSON object, from where (ip) and in which request (request_id).
 * This file is the only writer of that table, and it only ever INSERTs.
 *
 *   audit_log(db, "user:42", "user.login", "user:42", "{\"method\":\"password\"}",
 *             req_ip, req_id);
 */
#ifndef RATHAUS_PLATFORM_AUDIT_H
#define RATHAUS_PLATFORM_AUDIT_H

#include "db/db.h"

#define AUDIT_FIELD_MAX 512          /* bytes kept of actor, action, object, ip, request_id */
#define AUDIT_DETAIL_MAX (16 * 1024) /* largest detail object kept as given; other text: half */

/* Appends one entry, stamped with the current time. NULL arguments are stored as ""
 * (detail_json as "{}"). detail_json must be a JSON object; anything else (other
 * JSON, broken JSON) is kept as {"raw": "<the text>"} rather than lost. Nothing is
 * refused, because an action must never go unrecorded for a malformed detail:
 * invalid UTF-8 becomes U+FFFD, and longer fields are cut to the limits above (a
 * cut detail is kept as {"raw": "<prefix>", "truncated": true}). Works inside the
 * caller's transaction, so the entry commits or rolls back with the action.
 * Returns 0, or < 0 on a database error — the caller should then fail the action. */
int audit_log(db_t *db, const char *actor, const char *action, const char *object, const char *detail_json,
              const char *ip, const char *request_id);

#endif
