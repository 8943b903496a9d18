/* auth.h — who is asking, and may they: the session hook and the permission check.
 *
 * The web layer knows nothing of accounts. The account module registers a
 * session loader at start-up (auth_set_session_loader); the dispatcher calls it
 * for every request that has a session cookie, and it fills req->user. Routes
 * declare the permission they need (route_t.permission):
 *
 *   NULL                 public
 *   AUTH_SIGNED_IN       any signed-in account ("user")
 *   "services.case.process" …  a permission string a role must grant
 *
 * Without a user, a protected route sends a browser to the login page (303) and
 * an API client a 401; a user without the permission gets 403. Per-record checks
 * ("an office sees only its own cases") stay in the handlers, with
 * auth_has_permission_in_unit.
 */
#ifndef RATHAUS_WEB_AUTH_H
#define RATHAUS_WEB_AUTH_H

#include <stdint.h>

#include "web/http.h"

#define AUTH_SIGNED_IN "user"

/* Trust levels (Vertrauensniveau), as eIDAS low/substantial/high. */
enum trust_level { TRUST_NONE = 0, TRUST_BASIC = 1, TRUST_SUBSTANTIAL = 2, TRUST_HIGH = 3 };

typedef struct http_grant {
    const char *permission;
    int64_t unit_id; /* 0: everywhere */
} http_grant_t;

typedef struct http_user {
    int64_t id;
    const char *email;
    const char *display_name;
    int is_staff;
    int trust_level;        /* enum trust_level */
    int totp_enabled;
    const http_grant_t *grants;
    size_t grant_count;
    const int64_t *unit_ids; /* units the user belongs to */
    size_t unit_count;
    int64_t session_expires_at; /* when the session ends unless used: Unix seconds (timeout warning) */
    int64_t session_absolute_end; /* when it ends in any case */
} http_user_t;

/* Fills req->user from the session cookie, or leaves it NULL. Returns 0, or an
 * HTTP status when the database failed (503). */
typedef int (*auth_session_loader_fn)(http_req_t *req);
void auth_set_session_loader(auth_session_loader_fn fn);
int auth_load_session(http_req_t *req);

/* Returns 0 when the request may proceed, else the status to answer (303 to the
 * login page has already been sent when it returns HTTP_ANSWERED). */
int auth_check(http_req_t *req, const char *permission);
/* The sign-in page that leads back to next (a local path, its query included)
 * afterwards: "/konto/anmelden?weiter=…", plus "&abgelaufen=1" when the request's
 * session has just timed out (the page then says why). In req's arena. */
const char *auth_login_url(http_req_t *req, const char *next);
/* The trust level a route's flags ask for (enum trust_level). */
int auth_route_trust(const route_t *route);
/* Answers with the page that explains how to reach the level a route needs,
 * when the user is below it: returns HTTP_ANSWERED then, else 0. */
int auth_check_trust(http_req_t *req, const route_t *route);
/* 1 when the signed-in user holds permission (in any unit, or globally). */
int auth_has_permission(const http_req_t *req, const char *permission);
/* 1 when the user holds at least one of the comma-separated permissions in list. */
int auth_has_any_permission(const http_req_t *req, const char *list);
/* 1 when the user holds permission globally or for unit_id. */
int auth_has_permission_in_unit(const http_req_t *req, const char *permission, int64_t unit_id);
/* 1 when the user belongs to unit_id. */
int auth_in_unit(const http_req_t *req, int64_t unit_id);

/* Returned by a check that has already answered (for example with a redirect). */
#define HTTP_ANSWERED 1

#endif
