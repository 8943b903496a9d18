/* sse.h — server-sent event streams (GET /events?topics=a,b).
 *
 * Events are published into the events table by any node (platform/events.c);
 * one thread per process reads new rows (woken by LISTEN/NOTIFY on PostgreSQL)
 * and hands each event to every worker thread, which writes it to the streams
 * subscribed to its topic. A client that reconnects with Last-Event-ID first
 * gets what it missed from the table. Each stream buffers at most 256 KiB for a
 * slow reader; beyond that the stream is closed and the client reconnects.
 */
#ifndef RATHAUS_WEB_SSE_H
#define RATHAUS_WEB_SSE_H

#include <h2o.h>
#include <stdatomic.h>
#include <stdint.h>

#include "web/app.h"
#include "web/http.h"

typedef struct sse_payload sse_payload_t;

/* One event on its way to a worker; the payload is shared by all workers. */
typedef struct sse_message {
    h2o_multithread_message_t super;
    sse_payload_t *payload;
} sse_message_t;

sse_message_t *sse_message_new(int64_t id, const char *topic, const char *data, int receivers);
sse_message_t *sse_message_share(sse_message_t *msg);
void sse_message_release(sse_message_t *msg);

void sse_worker_init(worker_t *w);
void sse_deliver(worker_t *w, sse_message_t *msg);
void sse_close_all(worker_t *w);
/* Unlinks the worker's timers (before its loop is destroyed). */
void sse_worker_dispose(worker_t *w);
/* The /events handler. */
int sse_handle(http_req_t *req);
/* Runs cb(data) after ms milliseconds on this worker's loop (for delayed answers). */
void sse_after(worker_t *w, int ms, void (*cb)(void *data), void *data);

#endif
