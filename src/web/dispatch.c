/* dispatch.c — from h2o's request to a module's handler, checking all the route declares.
 *
 * The order matters and is the same for every request: size limits first (cheap,
 * and they protect everything after), then routing, the body (refused by its
 * declared length before it is parsed), strict UTF-8 of query and form, cookies
 * and language, the CSRF token on every state-changing method, the permission,
 * the database connection — and only then the handler. Whatever fails answers
 * with a clear page (or JSON on /api/), and every request leaves one access-log
 * line and its metrics.
 */
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/utf8.h"
#include "view/i18n.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/metrics.h"

#define FORM_MAX_FIELDS 200
#define FORM_MAX_VALUE (64 * 1024)
#define MULTIPART_MAX_PARTS 50
#define CSRF_BYTES 32

static int header_limits_ok(const http_req_t *req, int *status)
{
    const h2o_headers_t *h = &req->h2o->headers;
    if (h->size > req->cfg->max_header_count) {
        *status = 431;
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < h->size; i++)
        total += h->entries[i].name->len + h->entries[i].value.len + 4;
    if (total > req->cfg->max_header_bytes) {
        *status = 431;
        return 0;
    }
    return 1;
}

static void find_client_ip(http_req_t *req)
{
    req->client_ip = "";
    if (req->cfg->trust_proxy) {
        const char *xff = http_header(req, "x-forwarded-for");
        if (xff) {
            /* The last entry is the one our own proxy added; earlier ones are claims. */
            const char *last = strrchr(xff, ',');
            last = last ? last + 1 : xff;
            while (*last == ' ')
                last++;
            req->client_ip = last;
            return;
        }
    }
    struct sockaddr_storage ss;
    socklen_t len = req->h2o->conn->callbacks->get_peername(req->h2o->conn, (struct sockaddr *)&ss);
    if (len == 0)
        return;
    char host[NI_MAXHOST];
    if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) == 0)
        req->client_ip = arena_strdup(req->arena, host);
}

static void choose_language(http_req_t *req)
{
    const char *c = http_cookie(req, "lang");
    if (c && (!strcmp(c, "de") || !strcmp(c, "en"))) {
        req->lang = !strcmp(c, "en") ? "en" : "de";
        return;
    }
    /* Without a choice, follow the browser's first preference if it is English;
     * German is the language of the city and the default. */
    const char *al = http_header(req, "accept-language");
    req->lang = (al && (al[0] == 'e' || al[0] == 'E') && (al[1] == 'n' || al[1] == 'N')) ? "en" : "de";
}

/* Takes the client's CSRF token from its cookie, or makes a new one. */
static void ensure_csrf_token(http_req_t *req)
{
    const char *t = http_cookie(req, "csrf");
    if (t && strlen(t) == sodium_base64_ENCODED_LEN(CSRF_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1) {
        req->csrf_token = t;
        return;
    }
    unsigned char raw[CSRF_BYTES];
    randombytes_buf(raw, sizeof(raw));
    size_t n = sodium_base64_ENCODED_LEN(CSRF_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *tok = arena_alloc(req->arena, n);
    sodium_bin2base64(tok, n, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    req->csrf_token = tok;
    http_set_cookie(req, "csrf", tok, -1);
}

static int csrf_ok(http_req_t *req)
{
    const char *cookie = http_cookie(req, "csrf");
    const char *sent = http_form(req, "_csrf");
    if (!sent)
        sent = http_header(req, "x-csrf-token");
    if (!cookie || !sent)
        return 0;
    size_t n = strlen(cookie);
    return n > 0 && strlen(sent) == n && sodium_memcmp(cookie, sent, n) == 0;
}

static void release_json(void *p) { json_decref(*(json_t **)p); }

/* Parses the body by its content type; returns 0 or an HTTP status. */
static int parse_body(http_req_t *req, size_t limit)
{
    h2o_iovec_t body = req->h2o->entity;
    if (!body.base || body.len == 0)
        return 0;
    if (body.len > limit)
        return 413;
    const char *ct = http_header(req, "content-type");
    if (!ct)
        return 415;
    if (!strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
        form_limits_t lim = {FORM_MAX_FIELDS, FORM_MAX_VALUE};
        int rc = form_parse_urlencoded(req->arena, body.base, body.len, &lim, &req->form);
        if (rc == FORM_ETOOMANY || rc == FORM_ETOOLONG)
            return 413;
        return rc == FORM_OK ? 0 : 400;
    }
    if (!strncasecmp(ct, "multipart/form-data", 19)) {
        const char *boundary = multipart_boundary(req->arena, ct, strlen(ct));
        if (!boundary)
            return 400;
        multipart_limits_t lim = {MULTIPART_MAX_PARTS, FORM_MAX_VALUE, limit};
        multipart_t *mp = arena_alloc(req->arena, sizeof(*mp));
        int rc = multipart_parse(req->arena, body.base, body.len, boundary, &lim, mp);
        if (rc == MULTIPART_ETOOMANY || rc == MULTIPART_ETOOLONG || rc == MULTIPART_EFILETOOBIG)
            return 413;
        if (rc != MULTIPART_OK)
            return 400;
        req->multipart = mp;
        req->form = mp->fields;
        return 0;
    }
    if (!strncasecmp(ct, "application/json", 16)) {
        if (!utf8_valid(body.base, body.len))
            return 400;
        json_error_t jerr;
        req->json = json_loadb(body.base, body.len, JSON_REJECT_DUPLICATES, &jerr);
        if (!req->json)
            return 400;
        /* Freed with the request's arena, whichever way the request ends. */
        json_t **owner = h2o_mem_alloc_shared(req->arena, sizeof(json_t *), release_json);
        *owner = req->json;
        return 0;
    }
    return 415;
}

static void access_log(http_req_t *req)
{
    int64_t dur = now_ns() - req->started_ns;
    metrics_record(req->route_index, req->status, dur);
    if (!req->cfg->access_log)
        return;
    char line[2048], status[8], ms[32], bytes[24], ms_ts[48];
    snprintf(status, sizeof(status), "%d", req->status);
    snprintf(ms, sizeof(ms), "%.3f", (double)dur / 1e6);
    snprintf(bytes, sizeof(bytes), "%zu", req->h2o->bytes_sent);
    size_t len = 0;
    line[0] = '\0';
    len = log_append_kv(line, len, sizeof(line), "ts", log_timestamp(ms_ts, sizeof(ms_ts)));
    len = log_append_kv(line, len, sizeof(line), "level", "info");
    len = log_append_kv(line, len, sizeof(line), "msg", "request");
    len = log_append_kv(line, len, sizeof(line), "id", req->request_id);
    len = log_append_kv(line, len, sizeof(line), "method", req->method);
    /* The path without the query: queries carry search terms and the tokens of
     * e-mail links, which do not belong in a log. */
    h2o_iovec_t p = req->h2o->path;
    size_t plen = req->h2o->query_at != SIZE_MAX ? req->h2o->query_at : p.len;
    char pathbuf[512];
    size_t pl = plen < sizeof(pathbuf) - 1 ? plen : sizeof(pathbuf) - 1;
    memcpy(pathbuf, p.base, pl);
    pathbuf[pl] = '\0';
    len = log_append_kv(line, len, sizeof(line), "path", pathbuf);
    len = log_append_kv(line, len, sizeof(line), "route", req->route ? req->route->pattern : "-");
    len = log_append_kv(line, len, sizeof(line), "status", status);
    len = log_append_kv(line, len, sizeof(line), "ms", ms);
    len = log_append_kv(line, len, sizeof(line), "bytes", bytes);
    len = log_append_kv(line, len, sizeof(line), "ip", req->client_ip);
    log_write_line(line, len);
}

void dispatch_async_done(http_req_t *req)
{
    worker_t *w = worker_current();
    if (w)
        w->inflight_async--;
    access_log(req);
}

/* Answers with an error page and records the request. */
static int fail(http_req_t *req, int status)
{
    http_error(req, status, NULL);
    access_log(req);
    return 0;
}

int dispatch_on_req(h2o_handler_t *self, h2o_req_t *hreq)
{
    worker_t *w = worker_current();
    http_app_t *app = w->app;
    http_req_t *req = h2o_mem_alloc_pool(&hreq->pool, sizeof(*req));
    memset(req, 0, sizeof(*req));
    req->h2o = hreq;
    req->arena = &hreq->pool;
    req->cfg = &app->cfg;
    req->app = app;
    req->started_ns = now_ns();
    req->route_index = -1;
    req->lang = "de";
    req->request_id = arena_printf(req->arena, "%s%02x%06llx", app->node_id, (unsigned)w->index & 0xff,
                                   (unsigned long long)(++w->request_seq & 0xffffff));
    req->method = arena_strndup(req->arena, hreq->method.base, hreq->method.len);
    req->is_head = !strcmp(req->method, "HEAD");
    find_client_ip(req);

    size_t path_len = hreq->query_at != SIZE_MAX ? hreq->query_at : hreq->path.len;
    req->is_api = path_len >= 8 && !memcmp(hreq->path.base, "/api/v1/", 8);
    if (hreq->path.len > app->cfg.max_url_bytes)
        return fail(req, 414);
    int status = 0;
    if (!header_limits_ok(req, &status))
        return fail(req, status);
    if (app->stopping)
        hreq->http1_is_persistent = 0; /* let clients reconnect elsewhere while we drain */

    /* Cookies and language early, so that even error pages speak the user's language. */
    for (ssize_t i = -1; (i = h2o_find_header(&hreq->headers, H2O_TOKEN_COOKIE, i)) != -1;) {
        h2o_iovec_t v = hreq->headers.entries[i].value;
        req->cookie_count += cookie_parse(req->arena, v.base, v.len, req->cookies + req->cookie_count,
                                          HTTP_MAX_COOKIES - req->cookie_count);
    }
    choose_language(req);

    router_match_t m;
    int rc = router_match(app->router, req->arena, req->method, hreq->path.base, path_len, &m);
    if (rc == ROUTER_ENOMETHOD) {
        http_add_header(req, "allow", m.allow);
        return fail(req, 405);
    }
    if (rc == ROUTER_EBADPATH)
        return fail(req, 400);
    if (rc != ROUTER_FOUND)
        return fail(req, 404);
    const route_t *route = m.route;
    req->route = route;
    req->route_index = m.index;
    if (route->flags & ROUTE_API)
        req->is_api = 1;
    for (size_t i = 0; i < m.count; i++) {
        req->param_names[i] = m.names[i];
        req->params[i] = m.values[i];
    }
    req->param_count = m.count;
    req->path = arena_strndup(req->arena, hreq->path.base, path_len);

    if (hreq->query_at != SIZE_MAX) {
        form_limits_t lim = {FORM_MAX_FIELDS, FORM_MAX_VALUE};
        const char *q = hreq->path.base + hreq->query_at + 1;
        size_t qn = hreq->path.len - hreq->query_at - 1;
        if (form_parse_urlencoded(req->arena, q, qn, &lim, &req->query) != FORM_OK)
            return fail(req, 400);
    }
    status = parse_body(req, route->body_limit ? route->body_limit : HTTP_DEFAULT_BODY_LIMIT);
    if (status)
        return fail(req, status);

    int safe = !strcmp(req->method, "GET") || req->is_head;
    /* Static files and probes hold no forms; a cookie on them would also keep
     * shared caches from storing the immutable files. */
    if (!(route->flags & (ROUTE_API | ROUTE_NO_SESSION)))
        ensure_csrf_token(req);
    if (!safe && !(route->flags & ROUTE_NO_CSRF) && !csrf_ok(req)) {
        req->error_message = N_("Das Sicherheitsmerkmal des Formulars fehlt oder ist abgelaufen. Bitte laden Sie die Seite neu; Ihre Eingaben bleiben erhalten, wenn Sie mit der Zurück-Taste zurückgehen.");
        http_error(req, 403, req->error_message);
        access_log(req);
        return 0;
    }
    /* Every page shows who is signed in, so the session is loaded wherever the
     * database is at hand. Routes that work without a database (text pages) still
     * answer when it is down, just as if nobody were signed in. */
    if (!(route->flags & ROUTE_NO_SESSION) || !(route->flags & ROUTE_NO_DB)) {
        req->db = worker_db(w);
        if (!req->db && !(route->flags & ROUTE_NO_DB))
            return fail(req, 503);
        if (req->db && !(route->flags & ROUTE_NO_SESSION) && http_cookie(req, "sid")) {
            status = auth_load_session(req);
            if (status && !(route->flags & ROUTE_NO_DB))
                return fail(req, status);
        }
    }
    status = auth_check(req, route->permission);
    if (status == HTTP_ANSWERED) {
        access_log(req);
        return 0;
    }
    if (status)
        return fail(req, status);
    if (auth_check_trust(req, route) == HTTP_ANSWERED) {
        access_log(req);
        return 0;
    }

    if (route->flags & ROUTE_STREAM)
        w->inflight_async++;
    status = route->handler(req);
    if (status) {
        if (route->flags & ROUTE_STREAM)
            w->inflight_async--;
        http_error(req, status, req->error_message);
        access_log(req);
        return 0;
    }
    if (!(route->flags & ROUTE_STREAM))
        access_log(req);
    return 0;
}
