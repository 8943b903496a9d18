/* sse.c — event streams per worker thread (see sse.h). */
#include "web/sse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "platform/events.h"
#include "view/i18n.h"
#include "web/metrics.h"

#define STREAM_MAX_PENDING (256 * 1024)
#define STREAM_MAX_TOPICS 16
#define HEARTBEAT_MS 15000
#define REPLAY_MAX 500

struct sse_payload {
    atomic_int refs;
    int64_t id;
    char *topic;
    char *frame; /* "id: …\nevent: …\ndata: …\n\n" */
    size_t frame_len;
};

typedef struct stream {
    h2o_generator_t gen;   /* first: h2o hands us this pointer back */
    h2o_linklist_t link;   /* in worker.streams */
    http_req_t *req;
    worker_t *worker;
    char *topics[STREAM_MAX_TOPICS];
    size_t topic_count;
    int64_t last_id;       /* events up to here were sent (dedupes replay and live) */
    buf_t pending;         /* heap, waiting for the socket */
    buf_t inflight;        /* heap, handed to h2o, valid until proceed */
    int sending;
    int ending;            /* unsubscribed; send the final bytes once the socket is free */
    int64_t last_write_ms;
} stream_t;

typedef struct delayed {
    h2o_timeout_entry_t entry;
    int64_t due_ms;
    void (*cb)(void *);
    void *data;
} delayed_t;

sse_message_t *sse_message_new(int64_t id, const char *topic, const char *data, int receivers)
{
    sse_payload_t *p = calloc(1, sizeof(*p));
    sse_message_t *m = calloc(1, sizeof(*m));
    if (!p || !m)
        goto fail;
    atomic_init(&p->refs, 1);
    p->id = id;
    p->topic = strdup(topic);
    size_t cap = strlen(topic) + strlen(data) + 64;
    p->frame = malloc(cap);
    if (!p->topic || !p->frame)
        goto fail;
    int n = snprintf(p->frame, cap, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)id, topic, data);
    p->frame_len = (size_t)n;
    m->payload = p;
    return m;
fail:
    if (p) {
        free(p->topic);
        free(p->frame);
    }
    free(p);
    free(m);
    return NULL;
}

sse_message_t *sse_message_share(sse_message_t *msg)
{
    sse_message_t *m = calloc(1, sizeof(*m));
    if (!m)
        abort(); /* a lost event would be silent; running out of memory here is fatal anyway */
    atomic_fetch_add(&msg->payload->refs, 1);
    m->payload = msg->payload;
    return m;
}

void sse_message_release(sse_message_t *msg)
{
    sse_payload_t *p = msg->payload;
    if (atomic_fetch_sub(&p->refs, 1) == 1) {
        free(p->topic);
        free(p->frame);
        free(p);
    }
    free(msg);
}

static void stream_free(stream_t *s)
{
    if (h2o_linklist_is_linked(&s->link))
        h2o_linklist_unlink(&s->link);
    buf_free(&s->pending);
    buf_free(&s->inflight);
    metrics_stream_delta(-1);
}

/* Hands pending bytes to h2o when it is not busy with the previous ones. */
static void stream_flush(stream_t *s)
{
    if (s->sending || s->pending.len == 0)
        return;
    buf_t t = s->inflight;
    s->inflight = s->pending;
    s->pending = t;
    buf_reset(&s->pending);
    s->sending = 1;
    s->last_write_ms = now_ms();
    h2o_iovec_t v = h2o_iovec_init(s->inflight.data, s->inflight.len);
    h2o_send(s->req->h2o, &v, 1, H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_finish(stream_t *s);

static void on_proceed(h2o_generator_t *gen, h2o_req_t *hreq)
{
    stream_t *s = (stream_t *)gen;
    s->sending = 0;
    buf_reset(&s->inflight);
    if (s->ending) {
        stream_finish(s);
        return;
    }
    stream_flush(s);
}

/* The client went away: h2o disposes of the request after this. */
static void on_stop(h2o_generator_t *gen, h2o_req_t *hreq)
{
    stream_t *s = (stream_t *)gen;
    http_req_t *req = s->req;
    stream_free(s);
    dispatch_async_done(req);
}

/* Sends the closing bytes; the request's arena outlives the send, the stream's
 * heap buffers do not, so the bytes are copied there first. */
static void stream_finish(stream_t *s)
{
    http_req_t *req = s->req;
    static const char bye[] = ": server closing\n\n";
    h2o_iovec_t v = h2o_strdup(&req->h2o->pool, bye, sizeof(bye) - 1);
    stream_free(s);
    h2o_send(req->h2o, &v, 1, H2O_SEND_STATE_FINAL);
    dispatch_async_done(req);
}

/* Ends a stream from our side (shutdown or a reader too slow to keep up). */
static void stream_end(stream_t *s)
{
    h2o_linklist_unlink(&s->link);
    if (s->sending)
        s->ending = 1; /* on_proceed finishes it */
    else
        stream_finish(s);
}

static int topic_wanted(const stream_t *s, const char *topic)
{
    for (size_t i = 0; i < s->topic_count; i++)
        if (!strcmp(s->topics[i], topic))
            return 1;
    return 0;
}

static void stream_push(stream_t *s, int64_t id, const char *frame, size_t len)
{
    if (id <= s->last_id)
        return;
    s->last_id = id;
    if (buf_append(&s->pending, frame, len) != 0) {
        log_kv(LOG_WARN, "event stream closed: reader too slow", "request_id", s->req->request_id, NULL);
        stream_end(s);
        return;
    }
    stream_flush(s);
}

void sse_deliver(worker_t *w, sse_message_t *msg)
{
    sse_payload_t *p = msg->payload;
    h2o_linklist_t *node = w->streams.next;
    while (node != &w->streams) {
        stream_t *s = H2O_STRUCT_FROM_MEMBER(stream_t, link, node);
        node = node->next; /* stream_push may unlink s */
        if (topic_wanted(s, p->topic))
            stream_push(s, p->id, p->frame, p->frame_len);
    }
}

void sse_close_all(worker_t *w)
{
    while (!h2o_linklist_is_empty(&w->streams)) {
        stream_t *s = H2O_STRUCT_FROM_MEMBER(stream_t, link, w->streams.next);
        stream_end(s);
    }
}

/* The 100 ms tick: heartbeats on idle streams and due delayed callbacks. */
static void on_heartbeat(h2o_timeout_entry_t *entry);
static h2o_timeout_entry_t *heartbeat_entry(worker_t *w);

static _Thread_local h2o_timeout_entry_t tick_entry;

static void on_heartbeat(h2o_timeout_entry_t *entry)
{
    worker_t *w = worker_current();
    int64_t now = now_ms();
    for (h2o_linklist_t *n = w->streams.next; n != &w->streams; n = n->next) {
        stream_t *s = H2O_STRUCT_FROM_MEMBER(stream_t, link, n);
        if (now - s->last_write_ms >= HEARTBEAT_MS && !s->sending) {
            buf_puts(&s->pending, ": ping\n\n");
            stream_flush(s);
        }
    }
    h2o_timeout_link(w->loop, &w->tick_timeout, heartbeat_entry(w));
}

static h2o_timeout_entry_t *heartbeat_entry(worker_t *w)
{
    (void)w;
    tick_entry.cb = on_heartbeat;
    return &tick_entry;
}

void sse_worker_init(worker_t *w)
{
    h2o_linklist_init_anchor(&w->streams);
    h2o_timeout_init(w->loop, &w->tick_timeout, 100);
    h2o_timeout_link(w->loop, &w->tick_timeout, heartbeat_entry(w));
}

void sse_worker_dispose(worker_t *w)
{
    if (h2o_timeout_is_linked(&tick_entry))
        h2o_timeout_unlink(&tick_entry);
    h2o_timeout_dispose(w->loop, &w->tick_timeout);
}

static void on_delayed(h2o_timeout_entry_t *entry)
{
    delayed_t *d = H2O_STRUCT_FROM_MEMBER(delayed_t, entry, entry);
    worker_t *w = worker_current();
    if (now_ms() < d->due_ms) {
        h2o_timeout_link(w->loop, &w->tick_timeout, &d->entry);
        return;
    }
    void (*cb)(void *) = d->cb;
    void *data = d->data;
    free(d);
    cb(data);
}

void sse_after(worker_t *w, int ms, void (*cb)(void *data), void *data)
{
    delayed_t *d = calloc(1, sizeof(*d));
    if (!d)
        abort();
    d->due_ms = now_ms() + ms;
    d->cb = cb;
    d->data = data;
    d->entry.cb = on_delayed;
    h2o_timeout_link(w->loop, &w->tick_timeout, &d->entry);
}

static int valid_topic(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 64)
        return 0;
    for (; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '.' || *t == '-' || *t == '_' || *t == ':'))
            return 0;
    return 1;
}

int sse_handle(http_req_t *req)
{
    worker_t *w = worker_current();
    const char *topics = http_query(req, "topics");
    if (!topics || !*topics) {
        req->error_message = N_("Bitte geben Sie mindestens ein Thema an (topics=…).");
        return 400;
    }
    stream_t *s = arena_alloc(req->arena, sizeof(*s));
    s->req = req;
    s->worker = w;
    char *copy = arena_strdup(req->arena, topics);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!valid_topic(t) || s->topic_count == STREAM_MAX_TOPICS) {
            req->error_message = N_("Ein Thema ist ungültig oder es sind mehr als 16.");
            return 400;
        }
        s->topics[s->topic_count++] = t;
    }
    buf_init(&s->pending, NULL, 0, STREAM_MAX_PENDING);
    buf_init(&s->inflight, NULL, 0, STREAM_MAX_PENDING);

    /* Replay what a reconnecting client missed, else start at the newest event. */
    const char *last = http_header(req, "last-event-id");
    if (!last)
        last = http_query(req, "last_event_id");
    s->last_id = events_last_id();
    if (last && *last) {
        char *end;
        long long from = strtoll(last, &end, 10);
        if (*end == '\0' && from >= 0) {
            s->last_id = from;
            events_replay_t rows[REPLAY_MAX];
            int n = events_replay(req->db, from, rows, REPLAY_MAX, req->arena);
            for (int i = 0; i < n; i++) {
                if (!topic_wanted(s, rows[i].topic))
                    continue;
                char *frame = arena_printf(req->arena, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)rows[i].id,
                                           rows[i].topic, rows[i].data);
                buf_puts(&s->pending, frame);
                s->last_id = rows[i].id;
            }
        }
    }

    h2o_req_t *h = req->h2o;
    h->res.status = 200;
    h->res.reason = "OK";
    http_add_security_headers(req);
    h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/event-stream; charset=utf-8"));
    h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    /* Tells proxies such as nginx not to buffer the stream. */
    http_add_header(req, "x-accel-buffering", "no");
    req->status = 200;
    s->gen.proceed = on_proceed;
    s->gen.stop = on_stop;
    h2o_start_response(h, &s->gen);
    metrics_stream_delta(1);
    if (req->is_head) {
        buf_free(&s->pending);
        buf_free(&s->inflight);
        metrics_stream_delta(-1);
        h2o_send(h, NULL, 0, H2O_SEND_STATE_FINAL);
        dispatch_async_done(req);
        return 0;
    }
    h2o_linklist_insert(&w->streams, &s->link);
    /* A comment line opens the stream at once, so clients see the connection is live. */
    buf_puts(&s->pending, ": verbunden\nretry: 3000\n\n");
    stream_flush(s);
    return 0;
}
