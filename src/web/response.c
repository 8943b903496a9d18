/* response.c — every way a handler answers (see http.h), and the headers all answers carry.
 *
 * All bodies are built in the request arena and handed to h2o without copying.
 * Security headers are added here, in one place, so that no answer — page,
 * error, JSON, static file, stream — can go out without them.
 */
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "view/i18n.h"
#include "view/tmpl.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/http.h"

#define PAGE_MAX (4u * 1024 * 1024) /* a page larger than this is a bug, not a page */

/* No script-src 'unsafe-inline' and no inline styles: all CSS and JS come from
 * /static/. KERN's CSS draws icons with data: SVG, hence img-src data:. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                          "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                          "base-uri 'none'; object-src 'none'";

static h2o_generator_t plain_generator = {NULL, NULL};

int http_request_is_tls(const http_req_t *req)
{
    if (req->h2o->scheme == &H2O_URL_SCHEME_HTTPS)
        return 1;
    if (req->cfg->trust_proxy) {
        const char *proto = http_header(req, "x-forwarded-proto");
        return proto && !strcmp(proto, "https");
    }
    return 0;
}

void http_add_header(http_req_t *req, const char *name, const char *value)
{
    h2o_add_header_by_str(&req->h2o->pool, &req->h2o->res.headers, name, strlen(name), 1, NULL, value,
                          strlen(value));
}

void http_add_security_headers(http_req_t *req)
{
    h2o_req_t *r = req->h2o;
    h2o_headers_t *h = &r->res.headers;
#define ADD(n, v) h2o_add_header_by_str(&r->pool, h, n, sizeof(n) - 1, 1, NULL, v, sizeof(v) - 1)
    ADD("content-security-policy", csp);
    ADD("x-content-type-options", "nosniff");
    ADD("referrer-policy", "same-origin");
    ADD("x-frame-options", "DENY");
    ADD("cross-origin-opener-policy", "same-origin");
    ADD("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (http_request_is_tls(req))
        ADD("strict-transport-security", "max-age=63072000; includeSubDomains");
#undef ADD
    if (req->request_id)
        h2o_add_header_by_str(&r->pool, h, "x-request-id", 12, 1, NULL, req->request_id,
                              strlen(req->request_id));
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

int http_send(http_req_t *req, int status, const char *content_type, const void *body, size_t len)
{
    h2o_req_t *r = req->h2o;
    r->res.status = status;
    r->res.reason = reason(status);
    http_add_security_headers(req);
    if (content_type)
        h2o_add_header(&r->pool, &r->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type, strlen(content_type));
    r->res.content_length = len;
    h2o_start_response(r, &plain_generator);
    /* HEAD, 204 and 304 carry headers only; the length still describes the GET body. */
    if (req->is_head || status == 304 || status == 204) {
        h2o_send(r, NULL, 0, H2O_SEND_STATE_FINAL);
    } else {
        h2o_iovec_t b = h2o_iovec_init(body, len);
        h2o_send(r, &b, 1, H2O_SEND_STATE_FINAL);
    }
    req->status = status;
    return 0;
}

int http_json(http_req_t *req, int status, json_t *model)
{
    char *text = json_dumps(model, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(model);
    if (!text)
        return http_send(req, 500, "application/json", "{\"error\":{\"status\":500}}", 25);
    size_t n = strlen(text);
    char *copy = arena_strndup(req->arena, text, n);
    free(text);
    return http_send(req, status, "application/json; charset=utf-8", copy, n);
}

int http_redirect(http_req_t *req, int status, const char *location)
{
    /* Only paths on this site: an absolute URL here would be an open redirect. */
    if (!location || location[0] != '/' || location[1] == '/' || location[1] == '\\')
        location = "/";
    http_add_header(req, "location", location);
    http_add_header(req, "cache-control", "no-store");
    return http_send(req, status ? status : 303, "text/plain; charset=utf-8", "", 0);
}

void http_set_cookie(http_req_t *req, const char *name, const char *value, int64_t max_age)
{
    int tls = http_request_is_tls(req);
    char age[40] = "";
    if (max_age >= 0)
        snprintf(age, sizeof(age), "; Max-Age=%lld", (long long)max_age);
    char *v = arena_printf(req->arena, "%s%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", tls ? "__Host-" : "", name,
                           value, tls ? "; Secure" : "", age);
    http_add_header(req, "set-cookie", v);
}

const char *http_cookie(const http_req_t *req, const char *name)
{
    if (http_request_is_tls(req)) {
        /* Over TLS only the __Host- form counts: it cannot be set by a sibling domain. */
        char full[80];
        snprintf(full, sizeof(full), "__Host-%s", name);
        return cookie_find(req->cookies, req->cookie_count, full);
    }
    return cookie_find(req->cookies, req->cookie_count, name);
}

const char *http_param(const http_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->param_count; i++)
        if (!strcmp(req->param_names[i], name))
            return req->params[i];
    return NULL;
}

const char *http_query(const http_req_t *req, const char *name) { return form_get(&req->query, name); }

const char *http_form(const http_req_t *req, const char *name) { return form_get(&req->form, name); }

const char *http_header(const http_req_t *req, const char *name)
{
    size_t n = strlen(name);
    ssize_t i = h2o_find_header_by_str(&req->h2o->headers, name, n, -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = req->h2o->headers.entries[i].value;
    return arena_strndup(req->arena, v.base, v.len);
}

json_t *http_field(const char *name, const char *label, const char *value, const char *error)
{
    json_t *f = json_object();
    json_object_set_new(f, "name", json_string(name));
    json_object_set_new(f, "id", json_sprintf("feld-%s", name));
    json_object_set_new(f, "label", json_string(label));
    json_object_set_new(f, "value", json_string(value ? value : ""));
    if (error && *error)
        json_object_set_new(f, "error", json_string(error));
    return f;
}

/* The address of the page being shown, for "back here" links (language switch,
 * session extension). A page answering a POST (a form that came back with
 * errors) stands for the page the form is on: the referring page of our own
 * site, else the start page. */
static const char *page_path(http_req_t *req)
{
    if (!strcmp(req->method, "GET") || req->is_head)
        return req->path ? req->path : "/";
    const char *ref = http_header(req, "referer");
    const char *host = http_header(req, "host");
    if (ref && host) {
        const char *p = strstr(ref, "://");
        size_t hl = strlen(host);
        if (p && !strncmp(p + 3, host, hl) && p[3 + hl] == '/') {
            const char *path = p + 3 + hl;
            size_t n = strcspn(path, "?#");
            return arena_strndup(req->arena, path, n);
        }
    }
    return "/";
}

void http_page_globals_init(http_app_t *app)
{
    json_t *city = json_object();
    json_object_set_new(city, "name", json_string(app->cfg.city_name));
    if (app->cfg.city_logo[0])
        json_object_set_new(city, "logo", json_string(static_url(app->assets, app->cfg.city_logo)));
    json_t *assets = json_object();
    json_object_set_new(assets, "kern_css", json_string(static_url(app->assets, "kern/kern.min.css")));
    json_object_set_new(assets, "fonts_css", json_string(static_url(app->assets, "kern/fonts/fira-sans.css")));
    json_object_set_new(assets, "app_css", json_string(static_url(app->assets, "css/rathaus.css")));
    json_object_set_new(assets, "app_js", json_string(static_url(app->assets, "js/rathaus.js")));
    json_object_set_new(assets, "manifest", json_string(static_url(app->assets, "manifest.webmanifest")));
    json_object_set_new(assets, "icon", json_string(static_url(app->assets, "img/favicon.svg")));
    /* Every other stylesheet of static/css by its name: {{assets.css.participation}}
     * is css/participation.css. A part links its own where its pages need it. */
    json_t *css = json_object();
    for (size_t i = 0; app->assets && i < static_count(app->assets); i++) {
        const static_file_t *f = static_at(app->assets, i);
        size_t n = strlen(f->path);
        if (strncmp(f->path, "css/", 4) == 0 && n > 8 && strcmp(f->path + n - 4, ".css") == 0 &&
            !memchr(f->path + 4, '/', n - 8))
            json_object_setn_new(css, f->path + 4, n - 8, json_string(f->url));
    }
    json_object_set_new(assets, "css", css);
    app->page_city = city;
    app->page_assets = assets;
}

void http_page_globals_free(http_app_t *app)
{
    json_decref(app->page_city);
    json_decref(app->page_assets);
    app->page_city = app->page_assets = NULL;
}

/* The values every page needs: language, token, city, assets, navigation. */
static void add_page_globals(http_req_t *req, json_t *model)
{
    http_app_t *app = req->app;
    int en = !strcmp(req->lang, "en");
    json_object_set_new(model, "lang", json_string(req->lang));
    json_object_set_new(model, "is_en", json_boolean(en));
    json_object_set_new(model, "csrf", json_string(req->csrf_token ? req->csrf_token : ""));
    json_object_set_new(model, "current_path", json_string(page_path(req)));
    /* Shared, read-only objects: json_object_set only takes a reference
     * (jansson counts references atomically, so threads may share them). */
    json_object_set(model, "city", app->page_city);
    json_object_set(model, "assets", app->page_assets);
    json_t *nav = json_array();
    for (size_t i = 0; i < app->module_count; i++) {
        const module_t *m = app->modules[i];
        if (!m->home || m->nav_hidden || (m->nav_permission && !auth_has_any_permission(req, m->nav_permission)))
            continue;
        json_t *item = json_object();
        json_object_set_new(item, "href", json_string(m->home));
        json_object_set_new(item, "title", json_string(i18n_translate(req->lang, m->title)));
        size_t hl = strlen(m->home);
        int current = req->path && !strncmp(req->path, m->home, hl) &&
                      (req->path[hl] == '\0' || req->path[hl] == '/') && strcmp(m->home, "/") != 0;
        json_object_set_new(item, "current", json_boolean(current));
        json_array_append_new(nav, item);
    }
    json_object_set_new(model, "nav", nav);
    if (req->user) {
        const http_user_t *u = req->user;
        time_t until = (time_t)u->session_expires_at;
        struct tm tm;
        localtime_r(&until, &tm);
        char hm[16];
        strftime(hm, sizeof(hm), "%H:%M", &tm);
        json_object_set_new(model, "user",
                            json_pack("{s:s,s:b,s:I,s:s,s:I}", "name", u->display_name[0] ? u->display_name : u->email,
                                      "is_staff", u->is_staff, "expires_at", (json_int_t)u->session_expires_at,
                                      "expires_hm", hm, "warn_seconds", (json_int_t)120));
    }
    /* Pages depend on the language cookie and, without it, on Accept-Language. */
    http_add_header(req, "vary", "accept-language, cookie");
}

int http_render(http_req_t *req, int status, const char *name, json_t *model)
{
    http_app_t *app = req->app;
    const tmpl_t *content = tmpl_get(app->templates, name);
    const tmpl_t *layout = tmpl_get(app->templates, "layout");
    if (!content || !layout) {
        log_kv(LOG_ERROR, "template missing", "template", name, "request_id", req->request_id, NULL);
        goto fail;
    }
    add_page_globals(req, model);
    buf_t body;
    buf_init(&body, req->arena, 8192, PAGE_MAX);
    if (tmpl_render(content, model, req->lang, &body) != 0)
        goto fail;
    /* The content is our own rendered, escaped HTML; the layout inserts it raw.
     * Every value in it was valid UTF-8 already, so jansson need not check again. */
    json_object_set_new(model, "content", json_stringn_nocheck(body.data ? body.data : "", body.len));
    buf_t page;
    buf_init(&page, req->arena, body.len + 8192, PAGE_MAX);
    if (tmpl_render(layout, model, req->lang, &page) != 0)
        goto fail;
    json_decref(model);
    http_add_header(req, "cache-control", "no-store");
    http_add_header(req, "content-language", req->lang);
    return http_send(req, status, "text/html; charset=utf-8", page.data, page.len);
fail:
    json_decref(model);
    log_kv(LOG_ERROR, "render failed", "template", name, "request_id", req->request_id, NULL);
    /* A plain page: the template machinery is what failed. */
    static const char oops[] = "<!doctype html><html lang=\"de\"><title>Fehler</title><main><h1>Ein Fehler ist "
                               "aufgetreten</h1><p>Bitte versuchen Sie es später noch einmal.</p></main></html>";
    return http_send(req, 500, "text/html; charset=utf-8", oops, sizeof(oops) - 1);
}

/* Plain-language texts per status (German source; translated via po/). */
static void error_texts(int status, const char **title, const char **text)
{
    switch (status) {
    case 400:
        *title = N_("Die Anfrage ist fehlerhaft");
        *text = N_("Ihre Anfrage enthält Zeichen oder Angaben, die wir nicht verarbeiten können. Bitte prüfen Sie Ihre Eingabe.");
        break;
    case 401:
    case 403:
        *title = N_("Kein Zugriff");
        *text = N_("Sie dürfen diese Seite nicht aufrufen oder diese Aktion nicht ausführen. Wenn Sie ein Formular abgeschickt haben, laden Sie die Seite neu und versuchen Sie es noch einmal.");
        break;
    case 404:
        *title = N_("Seite nicht gefunden");
        *text = N_("Diese Seite gibt es nicht. Vielleicht hat sich die Adresse geändert.");
        break;
    case 405:
        *title = N_("Diese Aktion ist hier nicht möglich");
        *text = N_("Die Seite kann auf diese Art nicht aufgerufen werden.");
        break;
    case 413:
        *title = N_("Die Daten sind zu groß");
        *text = N_("Sie haben mehr Daten geschickt, als diese Seite annimmt. Bitte wählen Sie eine kleinere Datei oder kürzen Sie Ihren Text.");
        break;
    case 414:
        *title = N_("Die Adresse ist zu lang");
        *text = N_("Die aufgerufene Adresse ist zu lang. Bitte kürzen Sie sie.");
        break;
    case 415:
        *title = N_("Dieses Format wird nicht angenommen");
        *text = N_("Die Daten wurden in einem Format geschickt, das diese Seite nicht annimmt.");
        break;
    case 429:
        *title = N_("Zu viele Anfragen");
        *text = N_("Sie haben in kurzer Zeit sehr viele Anfragen gestellt. Bitte warten Sie einen Moment.");
        break;
    case 431:
        *title = N_("Die Anfrage ist zu groß");
        *text = N_("Ihr Browser hat zu viele oder zu große Kopfzeilen geschickt. Löschen Sie die Cookies dieser Seite und versuchen Sie es noch einmal.");
        break;
    case 503:
        *title = N_("Vorübergehend nicht verfügbar");
        *text = N_("Der Dienst ist gerade nicht erreichbar. Ihre Eingaben gehen nicht verloren, wenn Sie die Seite offen lassen. Bitte versuchen Sie es in einigen Minuten noch einmal.");
        break;
    default:
        *title = N_("Ein Fehler ist aufgetreten");
        *text = N_("Bei der Bearbeitung ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.");
        break;
    }
}

int http_error(http_req_t *req, int status, const char *message)
{
    const char *title, *text;
    error_texts(status, &title, &text);
    if (req->is_api || !req->app->templates) {
        json_t *e = json_pack("{s:{s:i,s:s,s:s}}", "error", "status", status, "title", title, "message",
                              message ? message : text);
        return http_json(req, status, e);
    }
    json_t *model = json_object();
    json_object_set_new(model, "status", json_integer(status));
    json_object_set_new(model, "title", json_string(i18n_translate(req->lang, title)));
    json_object_set_new(model, "text", json_string(i18n_translate(req->lang, text)));
    if (message)
        json_object_set_new(model, "detail", json_string(i18n_translate(req->lang, message)));
    json_object_set_new(model, "request_id", json_string(req->request_id ? req->request_id : ""));
    return http_render(req, status, "core/error", model);
}
