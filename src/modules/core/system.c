/* system.c — endpoints for machines: health, metrics, static files, event streams (system_module). */
#include <stdlib.h>
#include <string.h>

#include "modules/core/core.h"
#include "platform/jobs.h"
#include "web/app.h"
#include "web/metrics.h"
#include "web/sse.h"

/* GET /healthz — 200 when this node can serve, 503 when its database is away.
 * Load balancers poll it, so it answers without a page and without a session. */
static int healthz(http_req_t *req)
{
    worker_t *w = worker_current();
    db_t *db = worker_db(w);
    int up = db && db_ping(db) == 0;
    json_t *j = json_pack("{s:s,s:s}", "status", up ? "ok" : "unavailable", "database", up ? "ok" : "down");
    http_add_header(req, "cache-control", "no-store");
    return http_json(req, up ? 200 : 503, j);
}

/* GET /metrics — Prometheus text format. */
static int metrics(http_req_t *req)
{
    buf_t out;
    buf_init(&out, req->arena, 16384, 4 * 1024 * 1024);
    metrics_render_http(&out, req->app->router);
    worker_t *w = worker_current();
    db_t *db = worker_db(w);
    int up = db && db_ping(db) == 0;
    buf_appendf(&out, "# HELP rathaus_db_up 1 when this node reaches its database.\n# TYPE rathaus_db_up gauge\n"
                      "rathaus_db_up %d\n", up);
    jobs_stats_t js;
    jobs_get_stats(&js);
    buf_appendf(&out,
                "# HELP rathaus_jobs_done_total Jobs finished by this node.\n# TYPE rathaus_jobs_done_total counter\n"
                "rathaus_jobs_done_total %llu\n"
                "# HELP rathaus_jobs_failed_total Jobs given up after their last attempt.\n"
                "# TYPE rathaus_jobs_failed_total counter\nrathaus_jobs_failed_total %llu\n"
                "# HELP rathaus_jobs_retried_total Job attempts that failed and were rescheduled.\n"
                "# TYPE rathaus_jobs_retried_total counter\nrathaus_jobs_retried_total %llu\n",
                (unsigned long long)js.done, (unsigned long long)js.failed, (unsigned long long)js.retried);
    if (up)
        buf_appendf(&out, "# HELP rathaus_jobs_queue_depth Jobs due and not yet done (all nodes).\n"
                          "# TYPE rathaus_jobs_queue_depth gauge\nrathaus_jobs_queue_depth %lld\n",
                    (long long)jobs_queue_depth(db));
    if (out.overflow)
        return 500;
    http_add_header(req, "cache-control", "no-store");
    return http_send(req, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
}

/* 1 when an Accept-Encoding value allows gzip: named (or "*") with a q above 0. */
static int accepts_gzip(const char *ae)
{
    int star = 0;
    for (const char *p = ae; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t item = strcspn(p, ",");
        size_t name = strcspn(p, ",; ");
        double q = 1.0;
        const char *qp = strstr(p, "q=");
        if (qp && qp < p + item)
            q = strtod(qp + 2, NULL);
        if ((name == 4 && !strncasecmp(p, "gzip", 4)) || (name == 6 && !strncasecmp(p, "x-gzip", 6)))
            return q > 0;
        if (name == 1 && *p == '*')
            star = q > 0;
        p += item;
    }
    return star;
}

/* GET /static/:hash/:path — see web/static.h. */
static int static_file(http_req_t *req)
{
    const char *hash = http_param(req, "hash");
    const char *path = http_param(req, "path");
    const static_file_t *f = static_find(req->app->assets, path);
    if (!f)
        return 404;
    int current = !strcmp(hash, f->hash);
    /* The gzip body is another representation: it needs its own strong ETag. */
    int gzip = f->gz && accepts_gzip(http_header(req, "accept-encoding"));
    const char *etag = gzip ? arena_printf(req->arena, "\"%s-gz\"", f->hash) : f->etag;
    http_add_header(req, "cache-control", current ? "public, max-age=31536000, immutable" : "public, max-age=300");
    http_add_header(req, "etag", etag);
    if (f->gz)
        http_add_header(req, "vary", "accept-encoding");
    const char *inm = http_header(req, "if-none-match");
    if (inm && (strstr(inm, etag) || !strcmp(inm, "*")))
        return http_send(req, 304, NULL, "", 0);
    if (gzip) {
        http_add_header(req, "content-encoding", "gzip");
        return http_send(req, 200, f->content_type, f->gz, f->gz_size);
    }
    return http_send(req, 200, f->content_type, f->data, f->size);
}

static const route_t system_routes[] = {
    {"GET", "/healthz", healthz, NULL, ROUTE_NO_DB | ROUTE_NO_SESSION | ROUTE_API, 0},
    {"GET", "/metrics", metrics, NULL, ROUTE_NO_DB | ROUTE_NO_SESSION, 0},
    {"GET", "/static/:hash/:path", static_file, NULL, ROUTE_NO_DB | ROUTE_NO_SESSION | ROUTE_PREFIX, 0},
    {"GET", "/events", sse_handle, NULL, ROUTE_STREAM, 0},
};

const module_t system_module = {
    .name = "system",
    .title = "System",
    .summary = "",
    .home = NULL,
    .routes = system_routes,
    .route_count = sizeof(system_routes) / sizeof(system_routes[0]),
};
