/* http.h — what a handler sees: the request, its parsed input, and ways to answer.
 *
 * A module declares its routes in a static table (route_t) and registers it as a
 * module_t (modules/registry.c). The server parses and checks everything a
 * route declares before the handler runs: method, path pattern, body limit, CSRF
 * token on every state-changing method, the permission, strict UTF-8 of query and
 * form values. A handler reads req->params, req->query and req->form, talks to
 * req->db, and answers with exactly one of the http_* calls below. Everything it
 * allocates lives in req->arena and is freed with the request.
 */
#ifndef RATHAUS_WEB_HTTP_H
#define RATHAUS_WEB_HTTP_H

#include <h2o.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "web/cookie.h"
#include "web/form.h"
#include "web/multipart.h"

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_COOKIES 32
#define HTTP_DEFAULT_BODY_LIMIT (64 * 1024)

struct http_req;
/* Returns 0 once it has answered; or an HTTP status (400…599) and the server
 * answers with the standard page for it (req->error_message may say more). */
typedef int (*http_handler_fn)(struct http_req *req);

enum route_flags {
    ROUTE_NO_CSRF = 1u << 0, /* machine clients (JSON API with its own auth, tests) */
    ROUTE_API = 1u << 1,     /* errors as JSON */
    ROUTE_TEST = 1u << 2,    /* only with test_routes = 1 */
    ROUTE_NO_DB = 1u << 3,   /* runs without a database connection (static, metrics) */
    ROUTE_STREAM = 1u << 4,  /* answers asynchronously (server-sent events, slow test) */
    ROUTE_PREFIX = 1u << 5,  /* the pattern's last segment ":rest" takes the rest of the path */
    ROUTE_NO_SESSION = 1u << 6, /* never looks at the session (static files, probes) */
    /* The trust level (Vertrauensniveau) the action needs; below it the user is
     * told how to raise it (web/auth.c), not just refused. */
    ROUTE_TRUST_BASIC = 1u << 7,
    ROUTE_TRUST_SUBSTANTIAL = 1u << 8,
    ROUTE_TRUST_HIGH = 1u << 9,
};

typedef struct route {
    const char *method;     /* "GET", "POST", … (GET also answers HEAD) */
    const char *pattern;    /* "/leistungen/:slug" */
    http_handler_fn handler;
    const char *permission; /* NULL: public; else a permission string (see docs) */
    unsigned flags;
    size_t body_limit;      /* 0: HTTP_DEFAULT_BODY_LIMIT */
} route_t;

/* A permission a module declares, so that the role editor can offer it. */
typedef struct permission {
    const char *name;  /* "account.users.manage" */
    const char *title; /* German description (translated where shown) */
} permission_t;

typedef struct module {
    const char *name;        /* "core", "services", … */
    const char *title;       /* German name shown on the start page (translated) */
    const char *summary;     /* one German sentence for the start page (translated) */
    const char *home;        /* its start address, NULL: not listed on the start page */
    const char *nav_permission; /* listed only for users holding one of these (comma-separated); NULL: for all */
    int nav_hidden;          /* 1: on the start page but not in the navigation bar, because
                              * another module's pages lead to it (keeps the bar short) */
    const route_t *routes;
    size_t route_count;
    const permission_t *permissions; /* what its routes and records check; may be NULL */
    size_t permission_count;
} module_t;

typedef struct http_app http_app_t; /* server-wide state: config, templates, assets */
typedef struct http_user http_user_t; /* the signed-in account (web/auth.h) */

typedef struct http_req {
    h2o_req_t *h2o;
    arena_t *arena;              /* the request's memory, freed when it is done */
    const config_t *cfg;
    http_app_t *app;
    db_t *db;                    /* this thread's connection; NULL when down (503 unless ROUTE_NO_DB) */
    const route_t *route;
    int route_index;             /* for metrics */
    const char *method;          /* NUL-terminated copies */
    const char *path;            /* decoded, normalised path without the query */
    const char *param_names[HTTP_MAX_PARAMS];
    const char *params[HTTP_MAX_PARAMS];
    size_t param_count;
    form_t query;
    form_t form;                 /* urlencoded body, or the text fields of a multipart body */
    multipart_t *multipart;      /* NULL unless the body was multipart/form-data */
    json_t *json;                /* parsed body when Content-Type is application/json */
    cookie_t cookies[HTTP_MAX_COOKIES];
    size_t cookie_count;
    const http_user_t *user;     /* NULL: nobody signed in */
    const char *session_hash;    /* the session's id hash, when signed in */
    int session_ended;           /* the session cookie named a session that timed out */
    const char *lang;            /* "de" or "en" */
    const char *csrf_token;      /* this client's token, for forms */
    const char *request_id;
    const char *client_ip;
    int is_head;
    int is_api;                  /* answer errors as JSON */
    const char *error_message;   /* optional detail for the error page */
    int status;                  /* the status answered (for the access log) */
    int64_t started_ns;
} http_req_t;

/* Input */
const char *http_param(const http_req_t *req, const char *name);
const char *http_query(const http_req_t *req, const char *name);
const char *http_form(const http_req_t *req, const char *name);
const char *http_header(const http_req_t *req, const char *name); /* NULL if absent */
const char *http_cookie(const http_req_t *req, const char *name);

/* Output — exactly one per request. */
/* Renders templates/<name>.html inside the layout; adds the page globals to model
 * (language, CSRF token, city, asset URLs, navigation) and takes ownership of model. */
int http_render(http_req_t *req, int status, const char *tmpl, json_t *model);
/* Sends model as JSON; takes ownership. */
int http_json(http_req_t *req, int status, json_t *model);
/* 303 See Other after a POST, 302 otherwise unless given. location is a path. */
int http_redirect(http_req_t *req, int status, const char *location);
/* Any body with a content type; the bytes must live until the response is sent
 * (arena or static). */
int http_send(http_req_t *req, int status, const char *content_type, const void *body, size_t len);
/* The standard error page (or JSON error on the API) for status, with an
 * optional plain-language message. */
int http_error(http_req_t *req, int status, const char *message);
/* Adds a response header (before the http_* call that answers). */
void http_add_header(http_req_t *req, const char *name, const char *value);
/* Sets a cookie: path /, HttpOnly, SameSite=Lax, Secure and __Host- prefix on TLS.
 * max_age < 0 makes it a session cookie. */
void http_set_cookie(http_req_t *req, const char *name, const char *value, int64_t max_age);

/* 1 when the client reached us over TLS (directly, or via a trusted proxy). */
int http_request_is_tls(const http_req_t *req);
/* Adds CSP, nosniff, Referrer-Policy, frame denial, HSTS (on TLS) and the request
 * id to the response; http_send does this for every answer. */
void http_add_security_headers(http_req_t *req);
/* Model helpers for forms: the standard field object used by templates/form/… */
json_t *http_field(const char *name, const char *label, const char *value, const char *error);

#endif
