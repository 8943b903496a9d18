/* postfach_pages.c — the Postfach's addresses (postfach_module):
 *
 *   GET  /postfach                            the citizen's threads, newest message first, unread counts
 *   GET  /postfach/:id                        one thread; marks the office's messages read
 *   POST /postfach/:id                        the citizen answers (text + optional document)
 *   GET  /api/v1/postfach                     the threads with unread counts as JSON
 *   GET  /verwaltung/vorgaenge/:id/nachricht  staff: the thread with the reply form
 *   POST /verwaltung/vorgaenge/:id/nachricht  staff: answer (text + optional document),
 *                                             back to /verwaltung/vorgaenge/:id#postfach
 *
 * A citizen sees only threads of their own submitted applications, staff only
 * those of their unit: anything else is 404, so that ids reveal nothing.
 * A form that comes back with an error keeps everything typed; only a chosen
 * file must be chosen again (no browser lets a page pre-fill a file input).
 */
#include <stdint.h>
#include <string.h>

#include "core/log.h"
#include "modules/services/internal.h"
#include "modules/services/postfach.h"
#include "modules/services/services.h"
#include "platform/files.h"
#include "view/i18n.h"
#include "web/auth.h"

/* Above the 10 MiB a file may have, so that a file a little too large comes
 * back as a friendly error with the text kept rather than as a bare 413; the
 * server-wide cap (max_body_bytes, 16 MiB) stays above it. */
#define POSTFACH_BODY_LIMIT (15 * 1024 * 1024)
/* Threads listed on /postfach and in the API; a citizen has a handful. */
#define POSTFACH_LIST_MAX 200

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

/* A positive decimal id from the path, else 0 (which no row has). */
static int64_t parse_id(const char *s)
{
    if (!s || !*s)
        return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static int db_status(const http_req_t *req)
{
    return db_ping(req->db) == 0 ? 500 : 503;
}

/* Loads the application named in the path; 0 and *app when it exists and is
 * submitted, else an HTTP status (404, or 500/503 on a database error). */
static int load_submitted(http_req_t *req, application_t *app)
{
    int64_t id = parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    int rc = application_load(req->db, req->arena, id, app);
    if (rc < 0)
        return db_status(req);
    if (rc > 0 || app->submitted_at == 0)
        return 404;
    return 0;
}

static const char *status_label(const http_req_t *req, const application_t *app)
{
    return tr(req, workflow_status_label(app->workflow, app->status));
}

/* ---- the list of threads ------------------------------------------------------------ */

/* Every submitted application of the user is a thread, also before its first
 * message; the newest message (or the submission) decides the order. */
static const char sql_threads[] =
    "SELECT a.id, COALESCE(a.reference, ''), s.name, a.status, s.workflow, COALESCE(a.closed_at, 0), a.summary,"
    " COALESCE(MAX(m.created_at), 0) AS last_message_at, COALESCE(MAX(m.created_at), a.submitted_at) AS last_at,"
    " COUNT(m.id), COUNT(CASE WHEN m.from_office = 1 AND m.read_at IS NULL THEN 1 END)"
    " FROM applications a JOIN services s ON s.id = a.service_id"
    " LEFT JOIN messages m ON m.application_id = a.id"
    " WHERE a.user_id = $1 AND a.submitted_at IS NOT NULL"
    " GROUP BY a.id, a.reference, s.name, a.status, s.workflow, a.closed_at, a.summary, a.submitted_at"
    " ORDER BY last_at DESC, a.id DESC LIMIT $2";

static const char sql_unread_total[] =
    "SELECT COUNT(*) FROM messages m JOIN applications a ON a.id = m.application_id"
    " WHERE a.user_id = $1 AND a.submitted_at IS NOT NULL AND m.from_office = 1 AND m.read_at IS NULL";

/* The signed-in user's threads as an array for the page and the API; sets
 * *unread_total (over all threads) and *truncated. Returns NULL on a database
 * error. */
static json_t *load_threads(http_req_t *req, int64_t *unread_total, int *truncated)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_threads, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, req->user->id);
    db_bind_int64(st, 2, POSTFACH_LIST_MAX + 1);
    json_t *threads = json_array();
    int rc;
    *truncated = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (json_array_size(threads) == POSTFACH_LIST_MAX) {
            *truncated = 1;
            continue;
        }
        application_t a = {0}; /* just what postfach_case_closed and the labels read */
        int64_t id = db_column_int64(st, 0);
        a.status = arena_strdup(req->arena, db_column_text(st, 3));
        a.workflow = arena_strdup(req->arena, db_column_text(st, 4));
        a.closed_at = db_column_int64(st, 5);
        int64_t last_message_at = db_column_int64(st, 7);
        int64_t count = db_column_int64(st, 9);
        int64_t unread = db_column_int64(st, 10);
        json_t *t = json_object();
        json_object_set_new(t, "application_id", json_integer(id));
        json_object_set_new(t, "reference", json_string(db_column_text(st, 1)));
        json_object_set_new(t, "service", json_string(db_column_text(st, 2)));
        json_object_set_new(t, "summary", json_string(db_column_text(st, 6)));
        json_object_set_new(t, "status", json_string(a.status));
        json_object_set_new(t, "status_label", json_string(status_label(req, &a)));
        json_object_set_new(t, "closed", json_boolean(postfach_case_closed(&a)));
        json_object_set_new(t, "messages", json_integer(count));
        json_object_set_new(t, "unread", json_integer(unread));
        json_object_set_new(t, "last_message_at", last_message_at ? json_integer(last_message_at) : json_null());
        json_object_set_new(t, "href", json_sprintf("/postfach/%lld", (long long)id));
        json_array_append_new(threads, t);
    }
    db_reset(st);
    if (rc < 0 || db_query_int64_arg(req->db, sql_unread_total, req->user->id, unread_total) < 0) {
        log_kv(LOG_ERROR, "postfach threads not read", "error", db_errmsg(req->db), "request_id", req->request_id,
               NULL);
        json_decref(threads);
        return NULL;
    }
    return threads;
}

/* "Postfach (2 ungelesen)": the count goes into the heading and the page title. */
static json_t *unread_model(http_req_t *req, json_t *model, int64_t unread)
{
    json_object_set_new(model, "unread_total", json_integer(unread));
    json_object_set_new(model, "unread_one", json_boolean(unread == 1));
    json_object_set_new(model, "title",
                        json_string(unread > 0 ? arena_printf(req->arena, "%s (%lld %s)", tr(req, N_("Postfach")),
                                                              (long long)unread, tr(req, N_("ungelesen")))
                                               : tr(req, N_("Postfach"))));
    return model;
}

/* GET /postfach */
static int postfach_list(http_req_t *req)
{
    int64_t unread = 0;
    int truncated = 0;
    json_t *threads = load_threads(req, &unread, &truncated);
    if (!threads)
        return db_status(req);
    /* For the page: the date of the last message, in words. */
    size_t i;
    json_t *t;
    json_array_foreach(threads, i, t)
    {
        json_int_t at = json_integer_value(json_object_get(t, "last_message_at"));
        json_object_set_new(t, "last_date", json_string(at ? application_date(req->arena, at, 1) : ""));
    }
    json_t *model = unread_model(req, json_object(), unread);
    json_object_set_new(model, "threads", threads);
    json_object_set_new(model, "truncated", json_boolean(truncated));
    json_object_set_new(model, "list_max", json_integer(POSTFACH_LIST_MAX));
    return http_render(req, 200, "services/postfach/list", model);
}

/* GET /api/v1/postfach */
static int postfach_api(http_req_t *req)
{
    int64_t unread = 0;
    int truncated = 0;
    json_t *threads = load_threads(req, &unread, &truncated);
    if (!threads)
        return db_status(req);
    return http_json(
        req, 200, json_pack("{s:I,s:b,s:o}", "unread", (json_int_t)unread, "truncated", truncated, "threads", threads));
}

/* ---- one thread ------------------------------------------------------------------------ */

/* Where a page about one thread differs between the citizen and the office. */
typedef struct side {
    int office;
    const char *title;       /* msgid, followed by the reference */
    const char *closed_note; /* msgid */
    const char *back_label;  /* msgid */
} side_t;

/* The texts stay on one line each, so that scripts/po-check.sh finds them. */
/* clang-format off */
static const side_t citizen_side = {
    .office = 0,
    .title = N_("Nachrichten zu Ihrem Antrag"),
    .closed_note = N_("Dieser Antrag ist abgeschlossen. Sie können dem Amt trotzdem schreiben, zum Beispiel wenn Sie eine Frage zum Ergebnis haben."),
    .back_label = N_("Zurück zum Postfach"),
};
static const side_t office_side = {
    .office = 1,
    .title = N_("Nachrichten zum Vorgang"),
    .closed_note = N_("Dieser Vorgang ist abgeschlossen. Eine Nachricht erreicht die antragstellende Person trotzdem."),
    .back_label = N_("Zurück zum Vorgang"),
};
/* clang-format on */

/* Renders the thread page for side: the thread (read before it is marked
 * read, so that new messages still show "Neu" this once), the reply form with
 * form's values and errors, the error summary on top. */
static int thread_page(http_req_t *req, int status, const side_t *side, const application_t *app,
                       const postfach_form_t *form, int file_again, int may_write)
{
    json_t *thread = postfach_thread_json(req->db, req->arena, app, side->office, req->lang);
    if (!thread)
        return db_status(req);
    if (postfach_mark_read(req->db, app->id, side->office) < 0) {
        json_decref(thread);
        return db_status(req);
    }
    json_t *errors = json_array();
    if (!may_write) {
        json_object_set_new(thread, "reply", json_null());
    } else if (json_is_object(json_object_get(thread, "reply"))) {
        json_t *reply = postfach_reply_json(app, side->office, req->lang, form);
        const char *keys[] = {"f_subject", "f_body", "f_file"};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            json_t *f = json_object_get(reply, keys[i]);
            json_t *e = json_object_get(f, "error");
            if (json_is_string(e))
                json_array_append_new(errors, json_pack("{s:O,s:O}", "id", json_object_get(f, "id"), "message", e));
        }
        json_object_set_new(thread, "reply", reply);
    }

    json_t *model = json_object();
    json_object_set_new(model, "title",
                        json_string(arena_printf(req->arena, "%s %s", tr(req, side->title), app->reference)));
    json_object_set_new(model, "service", json_string(app->service_name));
    json_object_set_new(model, "summary", json_string(app->summary));
    json_object_set_new(model, "unit", json_string(app->unit_name));
    json_object_set_new(model, "status_label", json_string(status_label(req, app)));
    json_object_set_new(model, "closed", json_boolean(postfach_case_closed(app)));
    json_object_set_new(model, "closed_note", json_string(tr(req, side->closed_note)));
    json_object_set_new(model, "sent", json_boolean(status == 200 && http_query(req, "gesendet") != NULL));
    json_object_set_new(model, "file_again", json_boolean(file_again));
    json_object_set_new(model, "back_href",
                        side->office ? json_sprintf("/verwaltung/vorgaenge/%lld", (long long)app->id)
                                     : json_string("/postfach"));
    json_object_set_new(model, "back_label", json_string(tr(req, side->back_label)));
    json_object_set_new(model, "postfach", thread);
    if (json_array_size(errors))
        json_object_set_new(model, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "services/postfach/page", model);
}

/* GET /postfach/:id */
static int postfach_thread(http_req_t *req)
{
    application_t app;
    int rc = load_submitted(req, &app);
    if (rc != 0)
        return rc;
    if (!application_is_own(req, &app))
        return 404;
    return thread_page(req, 200, &citizen_side, &app, &(postfach_form_t){0}, 0, 1);
}

/* GET /verwaltung/vorgaenge/:id/nachricht */
static int staff_thread(http_req_t *req)
{
    application_t app;
    int rc = load_submitted(req, &app);
    if (rc != 0)
        return rc;
    if (!application_staff_may(req, &app, PERM_CASE_READ))
        return 404;
    return thread_page(req, 200, &office_side, &app, &(postfach_form_t){0}, 0,
                       application_staff_may(req, &app, PERM_CASE_PROCESS));
}

/* ---- answering -------------------------------------------------------------------------- */

static const char *const attachment_types[] = {"application/pdf", "image/jpeg", "image/png", NULL};

/* Reads and checks the reply form into form; *file and *type are the
 * attachment when one was chosen and is fine. Returns 1 when the form has
 * errors, 0 when it may be stored, < 0 when the type check itself failed. */
static int read_reply(http_req_t *req, int office, postfach_form_t *form, const multipart_file_t **file,
                      const char **type)
{
    memset(form, 0, sizeof(*form));
    *file = NULL;
    *type = NULL;
    form->body = http_form(req, "nachricht");
    form->body = form->body ? form->body : "";
    form->subject = office ? http_form(req, "betreff") : NULL;
    form->subject = form->subject ? form->subject : "";
    postfach_check(req->arena, form->subject, form->body, &form->err_subject, &form->err_body);

    for (size_t i = 0; req->multipart && i < req->multipart->file_count; i++) {
        const multipart_file_t *f = &req->multipart->files[i];
        if (strcmp(f->field, "anhang") != 0)
            continue;
        if (*file || form->err_file) {
            form->err_file = N_("Bitte hängen Sie nur eine Datei an.");
            *file = NULL;
            break;
        }
        switch (files_check(f->data, f->size, POSTFACH_FILE_MAX, attachment_types, type)) {
        case FILES_OK:
            *file = f;
            break;
        case FILES_EMPTY:
            form->err_file = N_("Die gewählte Datei ist leer. Bitte wählen Sie eine andere Datei.");
            break;
        case FILES_TOO_LARGE:
            form->err_file = N_("Die Datei ist größer als 10 MB. Bitte wählen Sie eine kleinere Datei.");
            break;
        case FILES_TYPE_REFUSED:
            form->err_file = N_("Bitte wählen Sie eine Datei im Format PDF, JPEG oder PNG.");
            break;
        default:
            log_kv(LOG_ERROR, "postfach attachment not checked", "request_id", req->request_id, NULL);
            return -1;
        }
    }
    return form->err_subject || form->err_body || form->err_file ? 1 : 0;
}

/* Stores the attachment and the message in one transaction. Returns the
 * message id (> 0) or < 0. */
static int64_t store_reply(http_req_t *req, const application_t *app, int office, const postfach_form_t *form,
                           const multipart_file_t *file, const char *type)
{
    if (db_begin_write(req->db) != 0)
        return -1;
    int64_t file_id = 0;
    if (file) {
        const char *name = file->filename && *file->filename ? file->filename : "anhang";
        if (files_store(req->db, app->id, "postfach", name, type, file->data, file->size, req->user->id, &file_id) != 0)
            goto fail;
    }
    int64_t id = postfach_post(req->db, req->cfg, req->arena, app->id, office, req->user->id, form->subject, form->body,
                               file_id);
    if (id <= 0)
        goto fail;
    if (db_commit(req->db) != 0)
        return -1;
    return id;
fail:
    log_kv(LOG_ERROR, "postfach message not stored", "error", db_errmsg(req->db), "request_id", req->request_id, NULL);
    db_rollback(req->db);
    return -1;
}

/* The reply of either side: checks and stores it, setting *message_id. When
 * the form has errors it shows the form again and *message_id stays 0.
 * Returns 0 (answered, or stored for the caller to redirect) or an HTTP status. */
static int reply(http_req_t *req, const side_t *side, const application_t *app, int64_t *message_id)
{
    postfach_form_t form;
    const multipart_file_t *file;
    const char *type;
    *message_id = 0;
    int rc = read_reply(req, side->office, &form, &file, &type);
    if (rc < 0)
        return 500;
    if (rc > 0)
        return thread_page(req, 422, side, app, &form, file != NULL, 1);
    int64_t id = store_reply(req, app, side->office, &form, file, type);
    if (id <= 0)
        return db_status(req);
    *message_id = id;
    return 0;
}

/* POST /postfach/:id */
static int postfach_reply(http_req_t *req)
{
    application_t app;
    int rc = load_submitted(req, &app);
    if (rc != 0)
        return rc;
    if (!application_is_own(req, &app))
        return 404;
    int64_t id;
    rc = reply(req, &citizen_side, &app, &id);
    if (rc != 0 || id == 0)
        return rc;
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/postfach/%lld?gesendet=1#nachricht-%lld", (long long)app.id, (long long)id));
}

/* POST /verwaltung/vorgaenge/:id/nachricht */
static int staff_reply(http_req_t *req)
{
    application_t app;
    int rc = load_submitted(req, &app);
    if (rc != 0)
        return rc;
    if (!application_staff_may(req, &app, PERM_CASE_PROCESS))
        return 404;
    if (app.user_id == 0) {
        req->error_message =
            tr(req, N_("Dieser Antrag wurde ohne Konto gestellt. Niemand kann eine Nachricht dazu lesen."));
        return 409;
    }
    int64_t id;
    rc = reply(req, &office_side, &app, &id);
    if (rc != 0 || id == 0)
        return rc;
    /* Back to the case page, at its Postfach section (cases.c). */
    return http_redirect(req, 303, arena_printf(req->arena, "/verwaltung/vorgaenge/%lld#postfach", (long long)app.id));
}

static const route_t postfach_routes[] = {
    {"GET", "/postfach", postfach_list, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/postfach/:id", postfach_thread, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/postfach/:id", postfach_reply, AUTH_SIGNED_IN, 0, POSTFACH_BODY_LIMIT},
    {"GET", "/api/v1/postfach", postfach_api, AUTH_SIGNED_IN, ROUTE_API, 0},
    {"GET", "/verwaltung/vorgaenge/:id/nachricht", staff_thread, PERM_CASE_READ, 0, 0},
    {"POST", "/verwaltung/vorgaenge/:id/nachricht", staff_reply, PERM_CASE_PROCESS, 0, POSTFACH_BODY_LIMIT},
};

const module_t postfach_module = {
    .name = "postfach",
    .title = N_("Postfach"),
    .summary = N_("Nachrichten und Dokumente zu Ihren Anträgen, sicher hinter Ihrer Anmeldung."),
    .home = "/postfach",
    .nav_permission = AUTH_SIGNED_IN,
    .routes = postfach_routes,
    .route_count = sizeof(postfach_routes) / sizeof(postfach_routes[0]),
};
