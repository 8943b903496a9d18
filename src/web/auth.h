/* auth.h — the permission check the router runs before every handler.
 *
 * A route declares the permission it needs (a string such as
 * "services.case.process"); NULL means public. Until the Nutzerkonto module
 * provides sessions and roles, nobody holds any permission, so a protected
 * route answers 403 — closed by default, never open by accident.
 */
#ifndef RATHAUS_WEB_AUTH_H
#define RATHAUS_WEB_AUTH_H

#include "web/http.h"

/* Returns 0 when the request may proceed, else the status to answer (401/403). */
int auth_check(http_req_t *req, const char *permission);

#endif
