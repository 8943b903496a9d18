/* server.c — listening sockets, TLS, the worker threads and their event loops, shutdown.
 *
 * Each worker thread owns one h2o event loop, one listening socket on the same
 * address (SO_REUSEPORT: the kernel spreads connections) and one database
 * connection. Handlers run to completion on their thread; because they may block
 * on the database, there are several threads per core (config threads).
 *
 * Shutdown (SIGTERM/SIGINT): every worker closes its listening socket, asks h2o
 * to wind down its connections, ends event streams, lets requests in flight
 * finish (up to shutdown_timeout_ms), then closes its database connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "platform/events.h"
#include "platform/jobs.h"
#include "web/app.h"
#include "web/sse.h"

static _Thread_local worker_t *this_worker;
static http_app_t *the_app; /* for the signal handler */

worker_t *worker_current(void) { return this_worker; }

int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t now_ms(void) { return now_ns() / 1000000; }

/* A connection whose server restarted is noticed and renewed by the db layer
 * before the next query (db_pg.c, pg_revive); here only a missing connection is
 * (re)opened, at most four times a second per thread while the database is down. */
db_t *worker_db(worker_t *w)
{
    if (w->db)
        return w->db;
    int64_t now = now_ms();
    if (now < w->db_retry_after_ms)
        return NULL;
    char err[256];
    if (db_open(w->app->cfg.database_url, &w->db, err, sizeof(err)) != 0) {
        w->db = NULL;
        w->db_retry_after_ms = now + 250; /* at most four attempts a second per thread */
        log_kv(LOG_WARN, "database unreachable", "error", err, NULL);
        return NULL;
    }
    return w->db;
}

static void on_signal(int sig)
{
    (void)sig;
    if (the_app)
        atomic_store(&the_app->stopping, 1);
}

/* Splits "host:port", "[v6]:port" or ":port" into a socket address. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return -1;
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof(host))
        return -1;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    int port = atoi(colon + 1);
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (n < 2 || host[n - 1] != ']')
            return -1;
        host[n - 1] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            return -1;
        *len = sizeof(*a6);
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (host[0] == '\0' || !strcmp(host, "*"))
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (!strcmp(host, "localhost"))
        a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        return -1;
    *len = sizeof(*a4);
    return 0;
}

static int open_listener(const config_t *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (parse_listen(cfg->listen, &ss, &len) != 0) {
        snprintf(err, errlen, "listen: cannot parse '%s'", cfg->listen);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", cfg->listen, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    worker_t *w = listener->data;
    if (err)
        return;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock)
        h2o_accept(&w->accept_ctx, sock);
}

/* h2o hands messages from other threads (new events) to the worker here. */
static void on_events_message(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    worker_t *w = H2O_STRUCT_FROM_MEMBER(worker_t, events_receiver, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        sse_message_t *msg = H2O_STRUCT_FROM_MEMBER(sse_message_t, super.link, messages->next);
        h2o_linklist_unlink(&msg->super.link);
        sse_deliver(w, msg);
        sse_message_release(msg);
    }
}

/* Called on the events thread for each new event: hands it to every worker. */
static void fan_out_event(void *ctx, int64_t id, const char *topic, const char *data)
{
    http_app_t *app = ctx;
    sse_message_t *msg = sse_message_new(id, topic, data, app->worker_count);
    if (!msg)
        return;
    for (int i = 0; i < app->worker_count; i++) {
        /* Each worker gets its own link node; the payload is shared and refcounted. */
        sse_message_t *copy = sse_message_share(msg);
        h2o_multithread_send_message(&app->workers[i].events_receiver, &copy->super);
    }
    sse_message_release(msg);
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    http_app_t *app = w->app;
    this_worker = w;
    w->loop = h2o_evloop_create();
    h2o_context_init(&w->ctx, w->loop, &app->globalconf);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = app->globalconf.hosts;
    w->accept_ctx.ssl_ctx = (SSL_CTX *)app->ssl_ctx;
    h2o_multithread_register_receiver(w->ctx.queue, &w->events_receiver, on_events_message);
    sse_worker_init(w);
    w->listener = h2o_evloop_socket_create(w->loop, w->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    w->listener->data = w;
    h2o_socket_read_start(w->listener, on_accept);
    worker_db(w); /* connect early so that the first request does not pay for it */

    while (!atomic_load(&app->stopping))
        h2o_evloop_run(w->loop, 100);

    /* Drain: no new connections, end streams, let requests in flight finish. */
    h2o_socket_read_stop(w->listener);
    h2o_socket_close(w->listener);
    w->listener = NULL;
    h2o_context_request_shutdown(&w->ctx);
    sse_close_all(w);
    int64_t deadline = now_ms() + app->cfg.shutdown_timeout_ms;
    while (w->inflight_async > 0 && now_ms() < deadline)
        h2o_evloop_run(w->loop, 20);
    /* HTTP/2 connections close after GOAWAY. h2o 2.2 does nothing for idle
     * HTTP/1 keep-alive connections on shutdown; they would wait out the full
     * request timeout. Shortening that timeout closes every connection that has
     * been silent for a second, while one still sending a request body keeps
     * going as long as data arrives. */
    w->ctx.http1.req_timeout.timeout = 1000;
    while (!(h2o_linklist_is_empty(&w->ctx.http1._conns) && h2o_linklist_is_empty(&w->ctx.http2._conns)) &&
           now_ms() < deadline)
        h2o_evloop_run(w->loop, 10);
    for (int i = 0; i < 5; i++)
        h2o_evloop_run(w->loop, 10);
    sse_worker_dispose(w);
    /* request_shutdown armed HTTP/2's graceful-shutdown timer; it must not outlive the context. */
    if (h2o_timeout_is_linked(&w->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&w->ctx.http2._graceful_shutdown_timeout);
    h2o_multithread_unregister_receiver(w->ctx.queue, &w->events_receiver);
    h2o_context_dispose(&w->ctx);
    h2o_evloop_destroy(w->loop);
    w->loop = NULL;
    if (w->db)
        db_close(w->db);
    w->db = NULL;
    return NULL;
}

static int setup_tls(http_app_t *app, char *err, size_t errlen)
{
    const config_t *c = &app->cfg;
    if (!c->tls_cert[0])
        return 0;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        snprintf(err, errlen, "TLS: cannot create context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        unsigned long e = ERR_get_error();
        snprintf(err, errlen, "TLS: cannot load %s / %s: %s", c->tls_cert, c->tls_key, ERR_reason_error_string(e));
        SSL_CTX_free(ctx);
        return -1;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    app->ssl_ctx = (struct st_ssl_ctx_st *)ctx;
    return 0;
}

int server_run(http_app_t *app)
{
    char err[1024];
    int rc = -1;
    jobs_runner_t *jobs = NULL;
    int events_started = 0;
    the_app = app;
    const config_t *c = &app->cfg;

    h2o_config_init(&app->globalconf);
    app->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("rathaus"));
    app->globalconf.max_request_entity_size = c->max_body_bytes;
    app->globalconf.http1.req_timeout = (uint64_t)c->io_timeout_ms;
    app->globalconf.http2.idle_timeout = (uint64_t)c->io_timeout_ms;
    app->globalconf.http2.graceful_shutdown_timeout = (uint64_t)c->shutdown_timeout_ms;
    app->hostconf = h2o_config_register_host(&app->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(app->hostconf, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = dispatch_on_req;
    /* Dynamic pages are gzipped on the fly for clients that accept it; static
     * files carry their precompressed form and are left alone by this filter. */
    h2o_compress_args_t compress = {.min_size = 1024, .gzip = {.quality = 1}, .brotli = {.quality = -1}};
    h2o_compress_register(pathconf, &compress);

    if (setup_tls(app, err, sizeof(err)) != 0) {
        log_kv(LOG_ERROR, "cannot start", "error", err, NULL);
        goto out;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    app->worker_count = c->threads;
    app->workers = calloc((size_t)app->worker_count, sizeof(worker_t));
    if (!app->workers)
        goto out;
    for (int i = 0; i < app->worker_count; i++) {
        app->workers[i].app = app;
        app->workers[i].index = i;
        app->workers[i].listen_fd = open_listener(c, err, sizeof(err));
        if (app->workers[i].listen_fd < 0) {
            log_kv(LOG_ERROR, "cannot start", "error", err, NULL);
            goto out;
        }
    }
    for (int i = 0; i < app->worker_count; i++)
        pthread_create(&app->workers[i].thread, NULL, worker_main, &app->workers[i]);

    if (events_start(c, fan_out_event, app, err, sizeof(err)) != 0)
        log_kv(LOG_WARN, "live events unavailable", "error", err, NULL);
    else
        events_started = 1;
    if (c->job_threads > 0) {
        jobs = jobs_start(c, c->job_threads, err, sizeof(err));
        if (!jobs)
            log_kv(LOG_WARN, "background jobs unavailable", "error", err, NULL);
    }
    char threads[16];
    snprintf(threads, sizeof(threads), "%d", c->threads);
    log_kv(LOG_INFO, "serving", "listen", c->listen, "url",
           c->tls_cert[0] ? "https" : "http", "threads", threads, "node", c->node_name, NULL);

    while (!atomic_load(&app->stopping)) {
        struct timespec ts = {0, 100 * 1000000};
        nanosleep(&ts, NULL);
    }
    log_kv(LOG_INFO, "shutting down", "reason", "signal", NULL);
    for (int i = 0; i < app->worker_count; i++)
        pthread_join(app->workers[i].thread, NULL);
    rc = 0;
out:
    if (jobs)
        jobs_stop(jobs);
    if (events_started)
        events_stop();
    if (app->ssl_ctx)
        SSL_CTX_free((SSL_CTX *)app->ssl_ctx);
    h2o_config_dispose(&app->globalconf);
    if (rc == 0)
        log_kv(LOG_INFO, "stopped", NULL);
    return rc;
}
