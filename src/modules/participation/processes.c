/* processes.c — participation processes (Beteiligungsverfahren): the module's
 * route table, the list of processes, a process's page with its phases as a
 * timeline, and its results page.
 *
 * Public addresses (stable: other parts, tests, bookmarks and e-mails rely on them):
 *   /beteiligung/verfahren                           current, upcoming and finished processes
 *   /beteiligung/verfahren/:id                       a process: phases, what one can do now
 *   /beteiligung/verfahren/:id/vorschlaege?sortierung&status&nach|vor   proposals (proposals.c)
 *   /beteiligung/verfahren/:id/vorschlaege/:pid      a proposal with its discussion
 *   /beteiligung/verfahren/:id/diskussion            comments on the process itself (comments.c)
 *   /beteiligung/verfahren/:id/ergebnisse            what was decided and why; the answers
 *   /api/v1/beteiligung/verfahren[/:id[/vorschlaege]]  JSON (processes_api.c)
 *   /verwaltung/beteiligung/verfahren…               staff (processes_staff.c, PERM_PROCESSES)
 *
 * A draft process exists only for staff holding PERM_PROCESSES for its unit; for
 * everyone else its addresses answer 404, as for a process that does not exist.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
#include "modules/participation/processes.h"
#include "view/i18n.h"
#include "web/auth.h"

int64_t processes_now(void)
{
    return (int64_t)time(NULL);
}

/* Staff of the process's unit (or everywhere) see drafts and manage it. */
static int may_manage(const http_req_t *req, const process_t *p)
{
    if (!req->user)
        return 0;
    /* A process without a unit: only who holds the permission everywhere. */
    return auth_has_permission_in_unit(req, PERM_PROCESSES, p->unit_id);
}

int processes_load_visible(http_req_t *req, int64_t id, process_t *out)
{
    if (id < 1)
        return processes_fail(req, 404, N_("Dieses Beteiligungsverfahren gibt es nicht."));
    int rc = processes_load(req->db, req->arena, id, out);
    if (rc < 0)
        return 503;
    if (rc == 1 || (strcmp(out->status, "veroeffentlicht") != 0 && !may_manage(req, out)))
        return processes_fail(req, 404, N_("Dieses Beteiligungsverfahren gibt es nicht."));
    return 0;
}

/* The process of the address (:id): 0 with *out, else the status answered. */
static int process_of_request(http_req_t *req, process_t *out)
{
    long id = processes_number(http_param(req, "id"), -1, 1, 999999999999L);
    return processes_load_visible(req, id, out);
}

/* ---- GET /beteiligung/verfahren -------------------------------------------------------------- */

static int processes_list_page(http_req_t *req)
{
    int staff = req->user && auth_has_permission(req, PERM_PROCESSES);
    process_t *list;
    size_t n;
    if (processes_list(req->db, req->arena, 0, &list, &n) != 0)
        return 503;
    int64_t now = processes_now();
    json_t *current = json_array(), *upcoming = json_array(), *finished = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = processes_process_json(req->arena, &list[i], req->lang, now);
        process_state_t s = processes_state(list[i].phases, list[i].phase_count, now);
        /* Newest first from the query; upcoming ones read better soonest first. */
        if (s == PROCESS_CURRENT)
            json_array_append_new(current, o);
        else if (s == PROCESS_FINISHED)
            json_array_append_new(finished, o);
        else
            json_array_insert_new(upcoming, 0, o);
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(processes_tr(req, N_("Beteiligungsverfahren"))));
    json_object_set_new(m, "current", current);
    json_object_set_new(m, "upcoming", upcoming);
    json_object_set_new(m, "finished", finished);
    json_object_set_new(m, "none", json_boolean(n == 0));
    json_object_set_new(m, "staff", json_boolean(staff));
    return http_render(req, 200, "participation/processes/list", m);
}

/* ---- GET /beteiligung/verfahren/:id ------------------------------------------------------------ */

static const char sql_follow_mode[] =
    "SELECT mode FROM participation_follows WHERE user_id = $1 AND target_kind = 'process' AND target_id = $2";

/* The follow box (participation_follows belongs to projects_follow.c, whose
 * /beteiligung/folgen takes the form). */
static json_t *follow_box(http_req_t *req, const process_t *p)
{
    const char *back = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64, p->id);
    json_t *box = json_object();
    json_object_set_new(box, "id", json_integer(p->id));
    json_object_set_new(box, "back", json_string(back));
    if (!req->user) {
        json_object_set_new(box, "login_url", processes_login_url(req, back));
        return box;
    }
    json_object_set_new(box, "signed_in", json_true());
    db_stmt_t *st;
    const char *mode = NULL;
    if (db_prepare(req->db, sql_follow_mode, &st) == 0) {
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, p->id);
        if (db_step(st) == DB_ROW)
            mode = arena_strdup(req->arena, db_column_text(st, 0));
        db_reset(st);
    }
    if (mode) {
        json_object_set_new(box, "following", json_true());
        json_object_set_new(box, "daily", json_boolean(!strcmp(mode, "taeglich")));
    }
    return box;
}

static int process_page(http_req_t *req)
{
    process_t p;
    int rc = process_of_request(req, &p);
    if (rc != 0)
        return processes_status(rc);
    int64_t now = processes_now();
    json_t *o = processes_process_json(req->arena, &p, req->lang, now);
    int64_t counts[8], total = 0, discussion = 0;
    if (processes_status_counts(req->db, p.id, counts, &total) != 0 ||
        processes_comment_count(req->db, "process", p.id, &discussion) != 0) {
        json_decref(o);
        return 503;
    }
    json_object_set_new(o, "proposal_total", json_integer(total));
    json_object_set_new(o, "comment_total", json_integer(discussion));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(p.title));
    json_object_set_new(m, "process", o);
    json_object_set_new(m, "may_manage", json_boolean(may_manage(req, &p)));
    json_object_set_new(m, "follow", follow_box(req, &p));
    json_t *notice = processes_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, 200, "participation/processes/process", m);
}

/* ---- GET /beteiligung/verfahren/:id/ergebnisse -------------------------------------------------- */

static int results_page(http_req_t *req)
{
    process_t p;
    int rc = process_of_request(req, &p);
    if (rc != 0)
        return processes_status(rc);
    int64_t after = 0, k;
    const char *cursor = http_query(req, "nach");
    if (cursor && processes_cursor_parse(cursor, 0, &k, &after) != 0)
        return http_error(req, 400,
                          N_("Diese Seite der Ergebnisse gibt es nicht. Bitte beginnen Sie auf der ersten Seite."));
    proposal_t *rows;
    size_t n;
    int more;
    int64_t counts[8], total = 0;
    if (processes_answered_page(req->db, req->arena, p.id, after, RESULTS_PAGE, &rows, &n, &more) != 0 ||
        processes_status_counts(req->db, p.id, counts, &total) != 0)
        return 503;
    int64_t now = processes_now();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, processes_proposal_json(req->arena, &rows[i], req->lang, 0, 1));
    json_t *by_status = json_array();
    for (size_t i = 0; i < processes_proposal_status_count; i++)
        json_array_append_new(by_status, json_pack("{s:s,s:s,s:I}", "value", processes_proposal_statuses[i].value,
                                                   "label", processes_tr(req, processes_proposal_statuses[i].label),
                                                   "count", (json_int_t)counts[i]));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", processes_tr(req, N_("Ergebnisse")), p.title));
    json_object_set_new(m, "process", processes_process_json(req->arena, &p, req->lang, now));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "by_status", by_status);
    json_object_set_new(m, "proposal_total", json_integer(total));
    json_object_set_new(m, "first_page", json_boolean(after == 0));
    if (more)
        json_object_set_new(
            m, "next",
            json_sprintf("/beteiligung/verfahren/%" PRId64 "/ergebnisse?nach=%" PRId64, p.id, rows[n - 1].id));
    json_object_set_new(m, "may_manage", json_boolean(may_manage(req, &p)));
    return http_render(req, 200, "participation/processes/results", m);
}

/* ---- the module ---------------------------------------------------------------------------------- */

#define SIGNED_IN AUTH_SIGNED_IN
#define CONTRIB PROCESSES_CONTRIB_BODY_LIMIT
#define STAFF_FORM PROCESSES_FORM_BODY_LIMIT

static const route_t process_routes[] = {
    {"GET", "/beteiligung/verfahren", processes_list_page, NULL, 0, 0},
    /* Before /beteiligung/verfahren/:id: the router takes the first pattern that matches. */
    {"GET", "/beteiligung/verfahren/:id", process_page, NULL, 0, 0},
    {"GET", "/beteiligung/verfahren/:id/ergebnisse", results_page, NULL, 0, 0},
    {"GET", "/beteiligung/verfahren/:id/diskussion", comments_process_page, NULL, 0, 0},
    {"POST", "/beteiligung/verfahren/:id/diskussion", comments_process_create, SIGNED_IN, 0, CONTRIB},
    {"GET", "/beteiligung/verfahren/:id/diskussion/:cid/antworten", comments_process_reply_page, SIGNED_IN, 0, 0},
    {"GET", "/beteiligung/verfahren/:id/vorschlaege", proposals_list_page, NULL, 0, 0},
    {"GET", "/beteiligung/verfahren/:id/vorschlaege/neu", proposals_new_page, SIGNED_IN, 0, 0},
    {"POST", "/beteiligung/verfahren/:id/vorschlaege", proposals_create, SIGNED_IN, 0, CONTRIB},
    {"GET", "/beteiligung/verfahren/:id/vorschlaege/:pid", proposals_page, NULL, 0, 0},
    {"GET", "/beteiligung/verfahren/:id/vorschlaege/:pid/bearbeiten", proposals_edit_page, SIGNED_IN, 0, 0},
    {"POST", "/beteiligung/verfahren/:id/vorschlaege/:pid/bearbeiten", proposals_update, SIGNED_IN, 0, CONTRIB},
    {"POST", "/beteiligung/verfahren/:id/vorschlaege/:pid/unterstuetzen", proposals_support, SIGNED_IN, 0, 0},
    {"POST", "/beteiligung/verfahren/:id/vorschlaege/:pid/zuruecknehmen", proposals_unsupport, SIGNED_IN, 0, 0},
    {"POST", "/beteiligung/verfahren/:id/vorschlaege/:pid/kommentare", comments_proposal_create, SIGNED_IN, 0, CONTRIB},
    {"GET", "/beteiligung/verfahren/:id/vorschlaege/:pid/kommentare/:cid/antworten", comments_proposal_reply_page,
     SIGNED_IN, 0, 0},
    {"GET", "/api/v1/beteiligung/verfahren", processes_api_list, NULL, ROUTE_API, 0},
    {"GET", "/api/v1/beteiligung/verfahren/:id", processes_api_process, NULL, ROUTE_API, 0},
    {"GET", "/api/v1/beteiligung/verfahren/:id/vorschlaege", processes_api_proposals, NULL, ROUTE_API, 0},
    {"GET", "/verwaltung/beteiligung/verfahren", processes_staff_list, PERM_PROCESSES, 0, 0},
    {"GET", "/verwaltung/beteiligung/verfahren/neu", processes_staff_new, PERM_PROCESSES, 0, 0},
    {"POST", "/verwaltung/beteiligung/verfahren/neu", processes_staff_create, PERM_PROCESSES, 0, STAFF_FORM},
    {"GET", "/verwaltung/beteiligung/verfahren/:id", processes_staff_edit, PERM_PROCESSES, 0, 0},
    {"POST", "/verwaltung/beteiligung/verfahren/:id", processes_staff_update, PERM_PROCESSES, 0, STAFF_FORM},
    {"GET", "/verwaltung/beteiligung/verfahren/:id/ergebnisse", processes_staff_results, PERM_PROCESSES, 0, 0},
    {"POST", "/verwaltung/beteiligung/verfahren/:id/ergebnisse", processes_staff_results_save, PERM_PROCESSES, 0,
     STAFF_FORM},
    {"GET", "/verwaltung/beteiligung/verfahren/:id/phasen/neu", processes_staff_phase_new, PERM_PROCESSES, 0, 0},
    {"POST", "/verwaltung/beteiligung/verfahren/:id/phasen/neu", processes_staff_phase_create, PERM_PROCESSES, 0,
     STAFF_FORM},
    {"GET", "/verwaltung/beteiligung/verfahren/:id/phasen/:phase", processes_staff_phase_edit, PERM_PROCESSES, 0, 0},
    {"POST", "/verwaltung/beteiligung/verfahren/:id/phasen/:phase", processes_staff_phase_update, PERM_PROCESSES, 0,
     STAFF_FORM},
    {"POST", "/verwaltung/beteiligung/verfahren/:id/phasen/:phase/loeschen", processes_staff_phase_delete,
     PERM_PROCESSES, 0, 0},
    {"GET", "/verwaltung/beteiligung/verfahren/:id/vorschlaege/:pid", processes_staff_answer_page, PERM_PROCESSES, 0,
     0},
    {"POST", "/verwaltung/beteiligung/verfahren/:id/vorschlaege/:pid", processes_staff_answer_save, PERM_PROCESSES, 0,
     STAFF_FORM},
};

const module_t participation_process_module = {
    .name = "participation_process",
    .title = N_("Beteiligungsverfahren"),
    .summary = N_("Reden Sie mit: Vorschläge machen und unterstützen, diskutieren und sehen, was daraus wird."),
    .home = "/beteiligung/verfahren",
    .nav_hidden = 1, /* /beteiligung leads here */
    .routes = process_routes,
    .route_count = sizeof(process_routes) / sizeof(process_routes[0]),
};
