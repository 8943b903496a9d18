/* app.h — the server's shared state and its worker threads (private to src/web and main.c).
 *
 * One http_app_t per process: configuration, compiled templates, static assets,
 * router. One worker_t per HTTP thread: its own h2o event loop, listening socket
 * (SO_REUSEPORT lets the kernel spread connections), database connection and
 * list of open event streams. Nothing in a worker is touched by another thread
 * except through h2o's multithread queue.
 */
#ifndef RATHAUS_WEB_APP_H
#define RATHAUS_WEB_APP_H

#include <h2o.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "core/config.h"
#include "db/db.h"
#include "view/tmpl.h"
#include "web/http.h"
#include "web/router.h"
#include "web/static.h"

typedef struct worker worker_t;

struct http_app {
    config_t cfg;
    tmpl_set_t *templates;
    router_t *router;
    const module_t *const *modules;
    size_t module_count;
    static_assets_t *assets;
    json_t *page_city;               /* the same for every page: made once (response.c) */
    json_t *page_assets;
    h2o_globalconf_t globalconf;
    h2o_hostconf_t *hostconf;
    struct st_ssl_ctx_st *ssl_ctx;   /* NULL without TLS */
    worker_t *workers;
    int worker_count;
    atomic_int stopping;             /* set by SIGTERM/SIGINT */
    char node_id[32];                /* random per process start, prefixes request ids */
};

struct worker {
    http_app_t *app;
    int index;
    pthread_t thread;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    int listen_fd;
    h2o_socket_t *listener;
    db_t *db;                        /* NULL while the database is unreachable */
    int64_t db_retry_after_ms;       /* do not hammer a database that is down */
    uint64_t request_seq;            /* for request ids */
    int inflight_async;              /* streams and delayed answers still open */
    h2o_timeout_t tick_timeout;      /* 100 ms ticks: slow test route, stream heartbeats */
    h2o_multithread_receiver_t events_receiver;
    h2o_linklist_t streams;          /* open server-sent event streams (sse.c) */
};

/* The worker running on this thread (NULL outside HTTP threads). */
worker_t *worker_current(void);
/* The database connection of this worker, reopened when it was lost.
 * NULL when the database cannot be reached right now. */
db_t *worker_db(worker_t *w);
int64_t now_ms(void);
int64_t now_ns(void);

/* dispatch.c: h2o's request callback for everything. */
int dispatch_on_req(h2o_handler_t *self, h2o_req_t *req);
/* dispatch.c: finishes an asynchronous request (access log, metrics, counters). */
void dispatch_async_done(http_req_t *req);

/* response.c: builds the page values that never change (city, asset URLs). */
void http_page_globals_init(http_app_t *app);
void http_page_globals_free(http_app_t *app);

/* server.c */
int server_run(http_app_t *app);

#endif
