/* testing.c — /_test/… routes for the HTTP test suites (see testing.h). */
#include "modules/testing/testing.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/events.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/router.h"
#include "web/sse.h"

static void slow_done(void *data)
{
    http_req_t *req = data;
    static const char body[] = "slow done";
    http_send(req, 200, "text/plain; charset=utf-8", body, sizeof(body) - 1);
    dispatch_async_done(req);
}

/* GET /_test/slow?ms=N — answers after N ms (at most 5000) without blocking the thread. */
static int slow(http_req_t *req)
{
    const char *ms = http_query(req, "ms");
    int n = ms ? atoi(ms) : 1000;
    if (n < 0 || n > 5000)
        return 400;
    sse_after(worker_current(), n, slow_done, req);
    return 0;
}

/* Checks {"topic": "…", "data": {…}} and returns the data as JSON text. */
static char *event_from_body(http_req_t *req, const char **topic)
{
    if (!req->json)
        return NULL;
    *topic = json_string_value(json_object_get(req->json, "topic"));
    json_t *data = json_object_get(req->json, "data");
    if (!*topic || !data)
        return NULL;
    char *text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return NULL;
    char *copy = arena_strdup(req->arena, text);
    free(text);
    return copy;
}

/* POST /_test/job — a job that publishes an event when some node runs it. */
static int job(http_req_t *req)
{
    const char *topic;
    char *data = event_from_body(req, &topic);
    if (!data)
        return 400;
    json_t *payload = json_pack("{s:s,s:s}", "topic", topic, "data", data);
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    int64_t id = jobs_enqueue(req->db, "test.publish", text, (int64_t)time(NULL));
    free(text);
    if (id < 0)
        return 500;
    jobs_wake();
    return http_json(req, 202, json_pack("{s:I}", "job", (json_int_t)id));
}

/* POST /_test/event */
static int event(http_req_t *req)
{
    const char *topic;
    char *data = event_from_body(req, &topic);
    if (!data)
        return 400;
    int64_t id = events_publish(req->db, topic, data);
    if (id < 0)
        return 500;
    return http_json(req, 202, json_pack("{s:I}", "event", (json_int_t)id));
}

/* POST /_test/mail */
static int mail(http_req_t *req)
{
    if (!req->json)
        return 400;
    const char *to = json_string_value(json_object_get(req->json, "to"));
    const char *subject = json_string_value(json_object_get(req->json, "subject"));
    const char *body = json_string_value(json_object_get(req->json, "body"));
    if (!to || !subject || !body)
        return 400;
    int64_t id = mail_queue(req->db, to, subject, body);
    if (id == -2)
        return 422; /* address or subject refused */
    if (id < 0)
        return 500;
    jobs_wake();
    return http_json(req, 202, json_pack("{s:I}", "mail", (json_int_t)id));
}

/* GET /_test/routes — every route of every table, for the authorisation matrix test. */
static int routes(http_req_t *req)
{
    json_t *list = json_array();
    for (size_t i = 0; i < router_count(req->app->router); i++) {
        const char *module;
        const route_t *r = router_route(req->app->router, i, &module);
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s?,s:b,s:b,s:b}", "module", module, "method", r->method,
                                              "pattern", r->pattern, "permission", r->permission, "csrf",
                                              !(r->flags & ROUTE_NO_CSRF), "api", (r->flags & ROUTE_API) != 0,
                                              "test", (r->flags & ROUTE_TEST) != 0));
    }
    return http_json(req, 200, json_pack("{s:o}", "routes", list));
}

/* POST /_test/session/age {"seconds": N} — moves the current session's last
 * activity N seconds into the past, so that tests can see the idle timeout
 * without waiting half an hour. */
static int age_session(http_req_t *req)
{
    static const char sql[] = "UPDATE sessions SET last_seen_at = last_seen_at - $2 WHERE id_hash = $1";
    json_t *n = req->json ? json_object_get(req->json, "seconds") : NULL;
    if (!req->session_hash || !json_is_integer(n))
        return 400;
    db_stmt_t *st;
    if (db_prepare(req->db, sql, &st) != 0)
        return 500;
    db_bind_text(st, 1, req->session_hash, -1);
    db_bind_int64(st, 2, json_integer_value(n));
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? http_json(req, 200, json_pack("{s:b}", "aged", 1)) : 500;
}

/* GET /_test/vertrauen — a page that needs trust level substantiell, to test the
 * explanation a user below it gets. */
static int trusted(http_req_t *req) { return http_send(req, 200, "text/plain; charset=utf-8", "vertraut", 8); }

static int publish_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    const char *topic = json_string_value(json_object_get(payload, "topic"));
    const char *data = json_string_value(json_object_get(payload, "data"));
    if (!topic || !data) {
        snprintf(err, errlen, "payload needs topic and data");
        return -1;
    }
    char *with_node = NULL;
    /* Say which node ran the job, so that tests can see the work was shared. */
    json_error_t jerr;
    json_t *d = json_loads(data, 0, &jerr);
    if (d && json_is_object(d)) {
        json_object_set_new(d, "ran_on", json_string(cfg->node_name));
        with_node = json_dumps(d, JSON_COMPACT);
    }
    json_decref(d);
    int64_t id = events_publish(db, topic, with_node ? with_node : data);
    free(with_node);
    if (id < 0) {
        snprintf(err, errlen, "could not publish: %s", db_errmsg(db));
        return -1;
    }
    return 0;
}

void testing_register_jobs(void) { jobs_register("test.publish", publish_job); }

static const route_t testing_routes[] = {
    {"GET", "/_test/slow", slow, NULL, ROUTE_TEST | ROUTE_NO_DB | ROUTE_NO_SESSION | ROUTE_STREAM, 0},
    {"POST", "/_test/job", job, NULL, ROUTE_TEST | ROUTE_NO_CSRF | ROUTE_API, 0},
    {"POST", "/_test/event", event, NULL, ROUTE_TEST | ROUTE_NO_CSRF | ROUTE_API, 0},
    {"POST", "/_test/mail", mail, NULL, ROUTE_TEST | ROUTE_NO_CSRF | ROUTE_API, 0},
    {"GET", "/_test/routes", routes, NULL, ROUTE_TEST | ROUTE_API, 0},
    {"GET", "/_test/vertrauen", trusted, AUTH_SIGNED_IN, ROUTE_TEST | ROUTE_TRUST_SUBSTANTIAL, 0},
    {"POST", "/_test/session/age", age_session, NULL, ROUTE_TEST | ROUTE_NO_CSRF | ROUTE_API, 0},
};

const module_t testing_module = {
    .name = "testing",
    .title = "Tests",
    .summary = "",
    .home = NULL,
    .routes = testing_routes,
    .route_count = sizeof(testing_routes) / sizeof(testing_routes[0]),
};
