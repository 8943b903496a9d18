/* auth.c — session hook and permission checks (see auth.h). */
#include "web/auth.h"

#include <string.h>

static auth_session_loader_fn session_loader;

void auth_set_session_loader(auth_session_loader_fn fn) { session_loader = fn; }

int auth_load_session(http_req_t *req) { return session_loader ? session_loader(req) : 0; }

int auth_has_permission(const http_req_t *req, const char *permission)
{
    const http_user_t *u = req->user;
    if (!u)
        return 0;
    if (!strcmp(permission, AUTH_SIGNED_IN))
        return 1;
    for (size_t i = 0; i < u->grant_count; i++)
        if (!strcmp(u->grants[i].permission, permission))
            return 1;
    return 0;
}

int auth_has_permission_in_unit(const http_req_t *req, const char *permission, int64_t unit_id)
{
    const http_user_t *u = req->user;
    if (!u)
        return 0;
    for (size_t i = 0; i < u->grant_count; i++)
        if (!strcmp(u->grants[i].permission, permission) && (u->grants[i].unit_id == 0 || u->grants[i].unit_id == unit_id))
            return 1;
    return 0;
}

int auth_in_unit(const http_req_t *req, int64_t unit_id)
{
    const http_user_t *u = req->user;
    for (size_t i = 0; u && i < u->unit_count; i++)
        if (u->unit_ids[i] == unit_id)
            return 1;
    return 0;
}

int auth_check(http_req_t *req, const char *permission)
{
    if (!permission)
        return 0;
    if (!req->user) {
        if (req->is_api)
            return 401;
        /* Back to this page after signing in; only for pages one can GET again. */
        const char *next = (!strcmp(req->method, "GET") && req->path) ? req->path : "/";
        char *location = arena_printf(req->arena, "/konto/anmelden?weiter=%s", next);
        http_redirect(req, 303, location);
        return HTTP_ANSWERED;
    }
    return auth_has_permission(req, permission) ? 0 : 403;
}
