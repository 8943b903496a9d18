/* requests_public.c — what everybody sees of the Anregungen, and supporting them.
 *
 * The list shows every published Anregung (all but those still in the office's
 * check) with filters by status and three orders; an Anregung's page shows its
 * text, the author's name, the progress towards the quorum, the days left and the
 * whole history. A resident of Mainz aged 14 or over supports an Anregung once
 * while it collects; the primary key (request_id, user_id) and the row lock on the
 * Anregung make a second support impossible, also at the same moment, and make
 * exactly one support the one that reaches the quorum: that one moves the
 * Anregung to "erfolgreich" and tells the office, in the same transaction.
 * The JSON API returns the same objects as the pages.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/participation/internal.h"
#include "modules/participation/requests_internal.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

/* ---- the list ------------------------------------------------------------------------ */

/* The filters of the list (?status=): key, label. "" is everything published. */
static const requests_choice_t filters[] = {
    {"", N_("Alle")},
    {"sammlung", N_("Sammeln Unterstützung")},
    {"erfolgreich", N_("Quorum erreicht")},
    {"stadtrat", N_("Auf dem Weg in den Stadtrat")},
    {"entschieden", N_("Entschieden")},
    {"nicht_erreicht", N_("Quorum nicht erreicht")},
    {"abgelehnt", N_("Nicht zugelassen")},
};
#define NFILTERS (sizeof(filters) / sizeof(filters[0]))

/* The orders (?sortierung=). */
static const requests_choice_t orders[] = {
    {"neu", N_("Neueste zuerst")},
    {"unterstuetzung", N_("Meiste Unterstützung zuerst")},
    {"ende", N_("Sammlung endet bald")},
};
#define NORDERS (sizeof(orders) / sizeof(orders[0]))

/* $1 the filter key, $2 now. A collection whose period is over counts as
 * "nicht erreicht" before the deadline job has stored it, as on the pages. */
#define LIST_WHERE                                                                                                     \
    " WHERE r.status <> 'eingereicht' AND ($1 = ''"                                                                    \
    " OR ($1 = 'sammlung' AND r.status = 'sammlung' AND r.collect_ends_at > $2)"                                       \
    " OR ($1 = 'nicht_erreicht' AND (r.status = 'nicht_erreicht' OR (r.status = 'sammlung' AND r.collect_ends_at <= "  \
    "$2)))"                                                                                                            \
    " OR ($1 = 'stadtrat' AND r.status IN ('vorlage', 'stadtrat'))"                                                    \
    " OR ($1 IN ('erfolgreich', 'entschieden', 'abgelehnt') AND r.status = $1))"

static const char sql_count[] = "SELECT COUNT(*) FROM participation_requests r" LIST_WHERE;
/* One text per order (SQL text is never built at run time). $3 limit, $4 offset. */
static const char sql_list_new[] =
    "SELECT " REQUESTS_COLUMNS REQUESTS_FROM LIST_WHERE " ORDER BY r.published_at DESC, r.id DESC LIMIT $3 OFFSET $4";
static const char sql_list_support[] =
    "SELECT " REQUESTS_COLUMNS REQUESTS_FROM LIST_WHERE
    " ORDER BY r.support_count DESC, r.published_at DESC, r.id DESC LIMIT $3 OFFSET $4";
/* Collections still open first, those ending soonest on top; then the newest. */
static const char sql_list_end[] =
    "SELECT " REQUESTS_COLUMNS REQUESTS_FROM LIST_WHERE
    " ORDER BY CASE WHEN r.status = 'sammlung' AND r.collect_ends_at > $2 THEN 0 ELSE 1 END,"
    " CASE WHEN r.status = 'sammlung' AND r.collect_ends_at > $2 THEN r.collect_ends_at ELSE 0 END,"
    " r.published_at DESC, r.id DESC LIMIT $3 OFFSET $4";

static const char sql_mine[] = "SELECT " REQUESTS_COLUMNS REQUESTS_FROM
                               " WHERE r.author_id = $1 AND r.status = 'eingereicht' ORDER BY r.id DESC LIMIT 20";

/* The query of the list: filter, order, page. 0, or 400 for values that are not ours. */
typedef struct list_query {
    const char *filter;
    const char *order;
    int64_t page;
} list_query_t;

static int read_list_query(http_req_t *req, list_query_t *q)
{
    const char *filter = http_query(req, "status");
    const char *order = http_query(req, "sortierung");
    const char *page = http_query(req, "seite");
    q->filter = filter ? filter : "";
    q->order = order && *order ? order : "neu";
    q->page = page && *page ? requests_parse_id(page) : 1;
    if (!requests_choice_label(filters, NFILTERS, q->filter) || !requests_choice_label(orders, NORDERS, q->order) ||
        q->page < 1 || q->page > REQUESTS_PAGES_MAX)
        return 400;
    return 0;
}

/* One page of the list: items (objects of requests_json), *total and *more. */
static json_t *list_items(http_req_t *req, const list_query_t *q, int64_t now, int for_page, int64_t *total, int *more)
{
    const char *sql = !strcmp(q->order, "unterstuetzung") ? sql_list_support
                      : !strcmp(q->order, "ende")         ? sql_list_end
                                                          : sql_list_new;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_count, &st) != 0)
        return NULL;
    db_bind_text(st, 1, q->filter, -1);
    db_bind_int64(st, 2, now);
    int rc = db_step(st);
    *total = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW || db_prepare(req->db, sql, &st) != 0)
        return NULL;
    db_bind_text(st, 1, q->filter, -1);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, REQUESTS_PAGE + 1);
    db_bind_int64(st, 4, (q->page - 1) * REQUESTS_PAGE);
    json_t *items = json_array();
    request_t *rows = arena_alloc(req->arena, sizeof(request_t) * (REQUESTS_PAGE + 1));
    size_t n = 0;
    while ((rc = db_step(st)) == DB_ROW && n < REQUESTS_PAGE + 1)
        requests_read_row(st, req->arena, &rows[n++]);
    db_reset(st);
    if (rc < 0) {
        json_decref(items);
        return NULL;
    }
    *more = n > REQUESTS_PAGE;
    for (size_t i = 0; i < n && i < REQUESTS_PAGE; i++) {
        json_t *o = requests_json(req, &rows[i], now, 0);
        if (!o) {
            json_decref(items);
            return NULL;
        }
        if (for_page)
            requests_json_for_page(req, o, &rows[i]);
        json_array_append_new(items, o);
    }
    return items;
}

/* "/beteiligung/anregungen?status=…&sortierung=…&seite=N" for another page. */
static const char *page_href(http_req_t *req, const char *base, const list_query_t *q, int64_t page)
{
    return arena_printf(req->arena, "%s?status=%s&sortierung=%s&seite=%lld", base, q->filter, q->order,
                        (long long)page);
}

static json_t *choice_field(http_req_t *req, const char *name, const char *label, const requests_choice_t *list,
                            size_t count, const char *value)
{
    json_t *f = requests_field(req, name, label, value, NULL, NULL);
    json_object_set_new(f, "select", json_true());
    json_t *options = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", list[i].key, "label", tr(req, list[i].label),
                                                 "selected", !strcmp(list[i].key, value)));
    json_object_set_new(f, "options", options);
    return f;
}

int requests_list_page(http_req_t *req)
{
    list_query_t q;
    if (read_list_query(req, &q) != 0)
        return http_error(req, 400, tr(req, N_("Diese Auswahl gibt es nicht.")));
    int64_t now = (int64_t)time(NULL), total = 0;
    int more = 0;
    json_t *items = list_items(req, &q, now, 1, &total, &more);
    if (!items)
        return requests_db_status(req);
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(tr(req, N_("Anregungen"))));
    json_object_set_new(model, "items", items);
    json_object_set_new(model, "total", json_integer(total));
    json_object_set_new(model, "total_one", json_boolean(total == 1));
    json_object_set_new(model, "quorum", json_integer(REQUESTS_QUORUM));
    json_t *fields = json_array();
    json_array_append_new(fields, choice_field(req, "status", N_("Stand"), filters, NFILTERS, q.filter));
    json_array_append_new(fields, choice_field(req, "sortierung", N_("Reihenfolge"), orders, NORDERS, q.order));
    json_object_set_new(model, "fields", fields);
    if (q.page > 1)
        json_object_set_new(model, "prev", json_string(page_href(req, "/beteiligung/anregungen", &q, q.page - 1)));
    if (more)
        json_object_set_new(model, "next", json_string(page_href(req, "/beteiligung/anregungen", &q, q.page + 1)));
    if (req->user) {
        /* The signed-in author's Anregungen that the office has not checked yet:
         * nobody else sees them, so they are not in the list above. */
        db_stmt_t *st;
        json_t *mine = json_array();
        int ok = db_prepare(req->db, sql_mine, &st) == 0;
        if (ok) {
            db_bind_int64(st, 1, req->user->id);
            int rc;
            while ((rc = db_step(st)) == DB_ROW) {
                request_t r;
                requests_read_row(st, req->arena, &r);
                json_array_append_new(
                    mine, json_pack("{s:s,s:s,s:s}", "title", r.title, "href",
                                    arena_printf(req->arena, "/beteiligung/anregungen/%lld", (long long)r.id), "date",
                                    requests_date(req->arena, r.submitted_at, 0)));
            }
            db_reset(st);
            ok = rc == DB_DONE;
        }
        json_object_set_new(model, "mine", mine);
        if (!ok) {
            json_decref(model);
            return requests_db_status(req);
        }
    }
    return http_render(req, 200, "participation/requests/list", model);
}

int requests_api_list(http_req_t *req)
{
    list_query_t q;
    if (read_list_query(req, &q) != 0)
        return http_error(req, 400, tr(req, N_("Diese Auswahl gibt es nicht.")));
    int64_t now = (int64_t)time(NULL), total = 0;
    int more = 0;
    json_t *items = list_items(req, &q, now, 0, &total, &more);
    if (!items)
        return requests_db_status(req);
    json_t *model = json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "page",
                              (json_int_t)q.page, "per_page", (json_int_t)REQUESTS_PAGE);
    json_object_set_new(model, "next",
                        more ? json_string(page_href(req, "/api/v1/beteiligung/anregungen", &q, q.page + 1))
                             : json_null());
    return http_json(req, 200, model);
}

/* ---- one Anregung ---------------------------------------------------------------------- */

/* Loads the Anregung of the path that the user may see: published ones for
 * everybody; one in the office's check for its author and the office. 0, or 404 /
 * a database status. */
static int load_visible(http_req_t *req, request_t *r)
{
    int64_t id = requests_parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    int rc = requests_load(req->db, req->arena, id, r);
    if (rc < 0)
        return requests_db_status(req);
    if (rc > 0)
        return 404;
    if (requests_status_is_public(r->status))
        return 0;
    if (req->user && (req->user->id == r->author_id || auth_has_permission(req, PERM_REQUESTS)))
        return 0;
    return 404;
}

static const char sql_supported[] =
    "SELECT COUNT(*) FROM participation_request_supports WHERE request_id = $1 AND user_id = $2";

/* Confirmation messages after a redirect (?name=1), in the order they are checked. */
static const struct {
    const char *query, *kind, *text;
} notices[] = {
    /* clang-format off */
    {"eingereicht", "success",
     N_("Ihre Anregung ist eingegangen. Die Koordinierungsstelle Bürgerbeteiligung prüft sie und schreibt Ihnen eine E-Mail, sobald sie entschieden hat.")},
    /* clang-format on */
    {"unterstuetzt", "success", N_("Danke! Ihre Unterstützung ist gezählt.")},
    {"zurueckgezogen", "success", N_("Ihre Unterstützung ist zurückgezogen.")},
};

/* Renders the page of r with status (200, or the status of a refused support)
 * and an optional alert (kind, msgid). */
static int detail_page(http_req_t *req, int status, const request_t *r, const char *alert_kind, const char *alert)
{
    int64_t now = (int64_t)time(NULL);
    json_t *o = requests_json(req, r, now, 1);
    if (!o)
        return requests_db_status(req);
    requests_json_for_page(req, o, r);

    json_t *support = json_object();
    int collecting = json_is_true(json_object_get(o, "collecting"));
    if (collecting && req->user) {
        int64_t mine = 0;
        db_stmt_t *st;
        if (db_prepare(req->db, sql_supported, &st) != 0) {
            json_decref(o);
            json_decref(support);
            return requests_db_status(req);
        }
        db_bind_int64(st, 1, r->id);
        db_bind_int64(st, 2, req->user->id);
        int rc = db_step(st);
        mine = rc == DB_ROW ? db_column_int64(st, 0) : 0;
        db_reset(st);
        const char *why = NULL;
        int resident = rc == DB_ROW ? participation_is_resident(req->db, req->user->id, REQUESTS_MIN_AGE, &why) : -1;
        if (resident < 0) {
            json_decref(o);
            json_decref(support);
            return requests_db_status(req);
        }
        json_object_set_new(support, "supported", json_boolean(mine > 0));
        json_object_set_new(support, "may_support", json_boolean(mine == 0 && resident == 1));
        if (mine == 0 && resident == 0)
            json_object_set_new(support, "refusal", json_string(tr(req, why)));
    } else if (collecting) {
        json_object_set_new(support, "login_href",
                            json_string(auth_login_url(
                                req, arena_printf(req->arena, "/beteiligung/anregungen/%lld", (long long)r->id))));
    }
    json_object_set_new(o, "support", support);

    json_t *alerts = json_array();
    if (alert)
        json_array_append_new(alerts, json_pack("{s:s,s:s}", "kind", alert_kind, "text", tr(req, alert)));
    else
        for (size_t i = 0; i < sizeof(notices) / sizeof(notices[0]); i++)
            if (http_query(req, notices[i].query))
                json_array_append_new(
                    alerts, json_pack("{s:s,s:s}", "kind", notices[i].kind, "text", tr(req, notices[i].text)));
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(r->title));
    json_object_set_new(model, "request", o);
    json_object_set_new(model, "alerts", alerts);
    json_object_set_new(model, "is_author", json_boolean(req->user && req->user->id == r->author_id));
    /* Following (projects_follow.c): news of every public step by e-mail. */
    if (requests_status_is_public(r->status)) {
        json_t *follow = projects_follow_box(req, "request", r->id, r->title);
        if (!follow) {
            json_decref(model);
            return requests_db_status(req);
        }
        json_object_set_new(model, "follow", follow);
    }
    if (req->user && auth_has_permission(req, PERM_REQUESTS))
        json_object_set_new(model, "office_href",
                            json_sprintf("/verwaltung/beteiligung/anregungen/%lld", (long long)r->id));
    return http_render(req, status, "participation/requests/detail", model);
}

int requests_detail_page(http_req_t *req)
{
    request_t r;
    int rc = load_visible(req, &r);
    if (rc != 0)
        return rc;
    return detail_page(req, 200, &r, NULL, NULL);
}

int requests_api_detail(http_req_t *req)
{
    request_t r;
    int rc = load_visible(req, &r);
    if (rc != 0)
        return rc;
    if (!requests_status_is_public(r.status))
        return 404; /* the API is public: no Anregung in the office's check, not even for its author */
    json_t *o = requests_json(req, &r, (int64_t)time(NULL), 1);
    if (!o)
        return requests_db_status(req);
    return http_json(req, 200, json_pack("{s:o}", "request", o));
}

/* ---- supporting ---------------------------------------------------------------------------- */

/* Takes the Anregung's row lock while it collects: concurrent supports of one
 * Anregung then run one after the other (SQLite serialises every writer anyway). */
static const char sql_lock_collecting[] = "UPDATE participation_requests SET updated_at = $2"
                                          " WHERE id = $1 AND status = 'sammlung' AND collect_ends_at > $2";
static const char sql_add_support[] = "INSERT INTO participation_request_supports (request_id, user_id, created_at)"
                                      " VALUES ($1, $2, $3) ON CONFLICT (request_id, user_id) DO NOTHING";
static const char sql_count_up[] = "UPDATE participation_requests SET support_count = support_count + 1"
                                   " WHERE id = $1 RETURNING support_count, quorum";
static const char sql_reach_quorum[] =
    "UPDATE participation_requests SET status = 'erfolgreich', quorum_reached_at = $2, updated_at = $2"
    " WHERE id = $1 AND status = 'sammlung' AND support_count >= quorum";
static const char sql_remove_support[] =
    "DELETE FROM participation_request_supports WHERE request_id = $1 AND user_id = $2";
static const char sql_count_down[] =
    "UPDATE participation_requests SET support_count = support_count - 1 WHERE id = $1 AND support_count > 0";

/* Runs sql with $1 id, $2 value; returns the rows changed, or -1. */
static int64_t exec_id_value(db_t *db, const char *sql, int64_t id, int64_t value)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, value);
    int rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : -1;
    db_reset(st);
    return changed;
}

/* The Anregung reached its quorum with this support: history, the office's mail
 * and queue (the status "erfolgreich" puts it on top of it), the author's mail,
 * the followers, the audit log. Inside the support's transaction, so that it
 * happens exactly once. */
static int quorum_reached(http_req_t *req, request_t *r, int64_t now)
{
    const char *path = arena_printf(req->arena, "/beteiligung/anregungen/%lld", (long long)r->id);
    const char *office_text = arena_printf(
        req->arena,
        "Die Anregung hat %lld Unterstützungen aus Mainz erreicht. Bitte bereiten Sie mit dem zuständigen Amt "
        "die Beschlussvorlage für den Stadtrat vor und tragen Sie den Schritt auf der Seite der Anregung ein.",
        (long long)r->quorum);
    const char *author_text = arena_printf(
        req->arena,
        "Ihre Anregung hat %lld Unterstützungen erreicht. Die Koordinierungsstelle Bürgerbeteiligung bereitet "
        "jetzt mit dem zuständigen Amt eine Beschlussvorlage für den Stadtrat vor.",
        (long long)r->quorum);
    const char *news_text =
        arena_printf(req->arena,
                     "Die Anregung „%s“ hat %lld Unterstützungen erreicht. Jetzt wird eine Beschlussvorlage "
                     "für den Stadtrat vorbereitet.",
                     r->title, (long long)r->quorum);
    return requests_history_add(req->db, r->id, "erfolgreich", "platform", 0, "", now) == 0 &&
                   requests_mail_office(req->db, req->cfg, req->arena, r, "Anregung hat das Quorum erreicht",
                                        office_text) == 0 &&
                   requests_mail_author(req->db, req->cfg, req->arena, r, "Ihre Anregung hat das Quorum erreicht",
                                        author_text) == 0 &&
                   requests_audit(req->db, 0, "participation.request_quorum", r->id,
                                  json_pack("{s:I}", "quorum", (json_int_t)r->quorum), req->client_ip,
                                  req->request_id) == 0 &&
                   participation_notify_followers(req->db, req->cfg, "request", r->id,
                                                  "Anregung hat das Quorum erreicht", news_text, path) == 0
               ? 0
               : -1;
}

int requests_support(http_req_t *req)
{
    request_t r;
    int rc = load_visible(req, &r);
    if (rc != 0)
        return rc;
    const char *why = NULL;
    int resident = participation_is_resident(req->db, req->user->id, REQUESTS_MIN_AGE, &why);
    if (resident < 0)
        return requests_db_status(req);
    if (!resident)
        return detail_page(req, 403, &r, "danger", why);
    const char *message = NULL;
    int gate = participation_may_contribute(req, "support", &message);
    if (gate < 0)
        return requests_db_status(req);
    if (gate != CONTRIBUTE_OK)
        return detail_page(req, gate == CONTRIBUTE_RATE ? 429 : 403, &r, "danger",
                           message ? message : N_("Sie können gerade nicht unterstützen."));

    int64_t now = (int64_t)time(NULL);
    const char *refusal = NULL;
    int reached = 0;
    int ok = db_begin_write(req->db) == 0;
    int64_t locked = ok ? exec_id_value(req->db, sql_lock_collecting, r.id, now) : -1;
    ok = locked >= 0;
    if (ok && locked == 0)
        refusal = N_("Diese Anregung sammelt keine Unterstützung mehr.");
    db_stmt_t *st;
    if (ok && !refusal) {
        ok = db_prepare(req->db, sql_add_support, &st) == 0;
        if (ok) {
            db_bind_int64(st, 1, r.id);
            db_bind_int64(st, 2, req->user->id);
            db_bind_int64(st, 3, now);
            ok = db_step(st) == DB_DONE;
            if (ok && db_changes(st) == 0)
                refusal = N_(
                    "Sie unterstützen diese Anregung bereits. Jede Person kann eine Anregung nur einmal unterstützen.");
            db_reset(st);
        }
    }
    if (ok && !refusal) {
        ok = db_prepare(req->db, sql_count_up, &st) == 0 && db_bind_int64(st, 1, r.id) == 0 && db_step(st) == DB_ROW;
        if (ok) {
            r.support_count = db_column_int64(st, 0);
            r.quorum = db_column_int64(st, 1);
        }
        db_reset(st);
        if (ok && r.support_count >= r.quorum) {
            int64_t changed = exec_id_value(req->db, sql_reach_quorum, r.id, now);
            ok = changed >= 0;
            reached = changed == 1;
        }
        if (ok && reached)
            ok = quorum_reached(req, &r, now) == 0;
    }
    if (refusal) {
        db_rollback(req->db);
        /* The page as it is now (another support may have ended the collection). */
        if (requests_load(req->db, req->arena, r.id, &r) != 0)
            return requests_db_status(req);
        return detail_page(req, 409, &r, "warning", refusal);
    }
    if (requests_finish(req->db, ok) != 0)
        return requests_db_status(req);
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/beteiligung/anregungen/%lld?unterstuetzt=1#unterstuetzen", (long long)r.id));
}

int requests_withdraw(http_req_t *req)
{
    request_t r;
    int rc = load_visible(req, &r);
    if (rc != 0)
        return rc;
    int64_t now = (int64_t)time(NULL);
    const char *refusal = NULL;
    int ok = db_begin_write(req->db) == 0;
    int64_t locked = ok ? exec_id_value(req->db, sql_lock_collecting, r.id, now) : -1;
    ok = locked >= 0;
    if (ok && locked == 0)
        refusal = N_("Die Sammlung ist beendet. Eine Unterstützung lässt sich jetzt nicht mehr zurückziehen.");
    if (ok && !refusal) {
        int64_t removed = exec_id_value(req->db, sql_remove_support, r.id, req->user->id);
        ok = removed >= 0;
        if (ok && removed == 0)
            refusal = N_("Sie unterstützen diese Anregung nicht.");
    }
    if (ok && !refusal) {
        db_stmt_t *st;
        ok = db_prepare(req->db, sql_count_down, &st) == 0;
        if (ok) {
            db_bind_int64(st, 1, r.id);
            ok = db_step(st) == DB_DONE;
            db_reset(st);
        }
    }
    if (refusal) {
        db_rollback(req->db);
        if (requests_load(req->db, req->arena, r.id, &r) != 0)
            return requests_db_status(req);
        return detail_page(req, 409, &r, "warning", refusal);
    }
    if (requests_finish(req->db, ok) != 0)
        return requests_db_status(req);
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/beteiligung/anregungen/%lld?zurueckgezogen=1#unterstuetzen", (long long)r.id));
}
