/* auth.c — session hook and permission checks (see auth.h). */
#include "web/auth.h"
#include "web/form.h"

#include <string.h>

#include "view/i18n.h"

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

int auth_has_any_permission(const http_req_t *req, const char *list)
{
    char one[128];
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n < sizeof(one)) {
            memcpy(one, p, n);
            one[n] = '\0';
            if (auth_has_permission(req, one))
                return 1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
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
        http_redirect(req, 303, auth_login_url(req, next));
        return HTTP_ANSWERED;
    }
    return auth_has_permission(req, permission) ? 0 : 403;
}

const char *auth_login_url(http_req_t *req, const char *next)
{
    /* The login page cannot see the cookie of a session that just timed out:
     * tell it, so that it can say why the user has to sign in again. */
    return arena_printf(req->arena, "/konto/anmelden?weiter=%s%s", form_url_encode_path(req->arena, next),
                        req->session_ended ? "&abgelaufen=1" : "");
}

int auth_route_trust(const route_t *route)
{
    if (route->flags & ROUTE_TRUST_HIGH)
        return TRUST_HIGH;
    if (route->flags & ROUTE_TRUST_SUBSTANTIAL)
        return TRUST_SUBSTANTIAL;
    if (route->flags & ROUTE_TRUST_BASIC)
        return TRUST_BASIC;
    return TRUST_NONE;
}

int auth_check_trust(http_req_t *req, const route_t *route)
{
    int need = auth_route_trust(route);
    if (need == TRUST_NONE)
        return 0;
    if (!req->user)
        return auth_check(req, AUTH_SIGNED_IN); /* sign in first */
    if (req->user->trust_level >= need)
        return 0;
    if (req->is_api)
        return 403;
    static const char *const names[] = {"", N_("basisregistriert"), N_("substantiell"), N_("hoch")};
    json_t *model = json_pack("{s:s,s:s,s:s,s:b,s:b}", "title",
                              i18n_translate(req->lang, N_("Für diesen Dienst brauchen Sie ein höheres Vertrauensniveau")),
                              "needed", i18n_translate(req->lang, names[need]), "current",
                              i18n_translate(req->lang, names[req->user->trust_level > 0 ? req->user->trust_level : 0]),
                              "substantial", need == TRUST_SUBSTANTIAL, "high", need == TRUST_HIGH);
    http_render(req, 403, "account/trust", model);
    return HTTP_ANSWERED;
}
