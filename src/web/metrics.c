/* metrics.c — atomics behind /metrics (see metrics.h). */
#include "web/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Statuses worth their own series; everything else is counted per class (2xx …). */
static const int known_status[] = {200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401,
                                   403, 404, 405, 409, 410, 413, 414, 415, 422, 429, 431, 500, 502,
                                   503, 504};
#define NSTATUS (sizeof(known_status) / sizeof(known_status[0]))
#define NSLOTS (NSTATUS + 5) /* + one per class 1xx..5xx */

/* Latency buckets in seconds, as Prometheus expects them (upper bounds). */
static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

static _Atomic uint64_t *counts;   /* [(nroutes + 1) * NSLOTS] */
static size_t nroutes;
static _Atomic uint64_t buckets[NBUCKETS + 1];
static _Atomic uint64_t duration_sum_ns;
static _Atomic uint64_t duration_count;
static atomic_long open_streams;

int metrics_init(const router_t *router)
{
    nroutes = router_count(router);
    counts = calloc((nroutes + 1) * NSLOTS, sizeof(*counts));
    return counts ? 0 : -1;
}

void metrics_free(void)
{
    free((void *)counts);
    counts = NULL;
}

static size_t slot_of(int status)
{
    for (size_t i = 0; i < NSTATUS; i++)
        if (known_status[i] == status)
            return i;
    int cls = status / 100;
    if (cls < 1 || cls > 5)
        cls = 5;
    return NSTATUS + (size_t)(cls - 1);
}

void metrics_record(int route_index, int status, int64_t duration_ns)
{
    if (!counts)
        return;
    size_t r = route_index < 0 || (size_t)route_index >= nroutes ? nroutes : (size_t)route_index;
    atomic_fetch_add_explicit(&counts[r * NSLOTS + slot_of(status)], 1, memory_order_relaxed);
    double secs = (double)duration_ns / 1e9;
    size_t b = 0;
    while (b < NBUCKETS && secs > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&duration_sum_ns, (uint64_t)(duration_ns > 0 ? duration_ns : 0), memory_order_relaxed);
    atomic_fetch_add_explicit(&duration_count, 1, memory_order_relaxed);
}

void metrics_stream_delta(int delta) { atomic_fetch_add(&open_streams, delta); }

/* Label values are our own patterns and numbers; escape anyway, as the format asks. */
static void put_label(buf_t *out, const char *v)
{
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            buf_putc(out, '\\');
        if (*v == '\n') {
            buf_puts(out, "\\n");
            continue;
        }
        buf_putc(out, *v);
    }
}

int metrics_render_http(buf_t *out, const router_t *router)
{
    buf_puts(out, "# HELP rathaus_http_requests_total HTTP requests answered, by route pattern and status.\n"
                  "# TYPE rathaus_http_requests_total counter\n");
    for (size_t r = 0; counts && r <= nroutes; r++) {
        const char *pattern = "unmatched", *method = "";
        if (r < nroutes) {
            const route_t *rt = router_route(router, r, NULL);
            pattern = rt->pattern;
            method = rt->method;
        }
        for (size_t s = 0; s < NSLOTS; s++) {
            uint64_t v = atomic_load_explicit(&counts[r * NSLOTS + s], memory_order_relaxed);
            if (!v)
                continue;
            buf_puts(out, "rathaus_http_requests_total{method=\"");
            put_label(out, method);
            buf_puts(out, "\",route=\"");
            put_label(out, pattern);
            if (s < NSTATUS)
                buf_appendf(out, "\",status=\"%d\"} %llu\n", known_status[s], (unsigned long long)v);
            else
                buf_appendf(out, "\",status=\"%zuxx\"} %llu\n", s - NSTATUS + 1, (unsigned long long)v);
        }
    }
    buf_puts(out, "# HELP rathaus_http_request_duration_seconds Time from request to response.\n"
                  "# TYPE rathaus_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += atomic_load_explicit(&buckets[b], memory_order_relaxed);
        buf_appendf(out, "rathaus_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bucket_le[b],
                    (unsigned long long)cum);
    }
    cum += atomic_load_explicit(&buckets[NBUCKETS], memory_order_relaxed);
    buf_appendf(out, "rathaus_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    buf_appendf(out, "rathaus_http_request_duration_seconds_sum %.6f\n",
                (double)atomic_load(&duration_sum_ns) / 1e9);
    buf_appendf(out, "rathaus_http_request_duration_seconds_count %llu\n",
                (unsigned long long)atomic_load(&duration_count));
    buf_appendf(out, "# HELP rathaus_event_streams Open server-sent event streams.\n"
                     "# TYPE rathaus_event_streams gauge\nrathaus_event_streams %ld\n",
                atomic_load(&open_streams));
    return out->overflow ? -1 : 0;
}
