/* processes_api.c — participation processes as JSON
 * (docs/openapi.yaml):
 *
 *   GET /api/v1/beteiligung/verfahren                       the published processes
 *   GET /api/v1/beteiligung/verfahren/:id                   one process with its phases and counts
 *   GET /api/v1/beteiligung/verfahren/:id/vorschlaege?sortierung&status&limit&nach
 *                                                           its proposals, paged by keyset
 *
 * The objects are the view models the pages render (processes_view.c). Paging is
 * by cursor: "next" is the address of the following page while there is one, so
 * a client never computes offsets and a deep page costs what the first does.
 * Errors are JSON ({"error": {...}}) because the routes are flagged ROUTE_API.
 */
#include <inttypes.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/processes.h"
#include "view/i18n.h"

/* Processes without the rendered HTML of long texts: the API carries the
 * Markdown sources, the pages the HTML. */
static void drop_html(json_t *o)
{
    json_object_del(o, "description_html");
    json_object_del(o, "results_html");
    json_t *phases = json_object_get(o, "phases");
    for (size_t i = 0; i < json_array_size(phases); i++)
        json_object_del(json_array_get(phases, i), "description_html");
    json_object_del(json_object_get(o, "running_phase"), "description_html");
    json_object_del(json_object_get(o, "next_phase"), "description_html");
}

int processes_api_list(http_req_t *req)
{
    process_t *list;
    size_t n;
    if (processes_list(req->db, req->arena, 0, &list, &n) != 0)
        return 503;
    int64_t now = processes_now();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = processes_process_json(req->arena, &list[i], req->lang, now);
        drop_html(o);
        json_array_append_new(items, o);
    }
    return http_json(req, 200, json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)n));
}

int processes_api_process(http_req_t *req)
{
    process_t p;
    long id = processes_number(http_param(req, "id"), -1, 1, 999999999999L);
    int rc = processes_load_visible(req, id, &p);
    if (rc != 0)
        return processes_status(rc);
    int64_t counts[8], total = 0;
    if (processes_status_counts(req->db, p.id, counts, &total) != 0)
        return 503;
    json_t *o = processes_process_json(req->arena, &p, req->lang, processes_now());
    drop_html(o);
    json_object_set_new(o, "results_text", json_string(p.results_text));
    json_t *by_status = json_object();
    for (size_t i = 0; i < processes_proposal_status_count; i++)
        json_object_set_new(by_status, processes_proposal_statuses[i].value, json_integer(counts[i]));
    json_object_set_new(o, "proposal_counts", by_status);
    json_object_set_new(o, "proposal_total", json_integer(total));
    json_object_set_new(o, "proposals_url",
                        json_sprintf("/api/v1/beteiligung/verfahren/%" PRId64 "/vorschlaege", p.id));
    return http_json(req, 200, json_pack("{s:o}", "process", o));
}

int processes_api_proposals(http_req_t *req)
{
    process_t p;
    long id = processes_number(http_param(req, "id"), -1, 1, 999999999999L);
    int rc = processes_load_visible(req, id, &p);
    if (rc != 0)
        return processes_status(rc);
    const char *sort_word = http_query(req, "sortierung");
    int sort = sort_word ? processes_choice_index(processes_sorts, processes_sort_count, sort_word) : 0;
    if (sort < 0)
        return http_error(req, 400, N_("sortierung muss neueste, unterstuetzt oder kommentiert sein."));
    const char *status = http_query(req, "status");
    if (status && processes_choice_index(processes_proposal_statuses, processes_proposal_status_count, status) < 0)
        return http_error(req, 400, N_("status muss in_pruefung, angenommen, abgelehnt oder umgesetzt sein."));
    long limit = processes_number(http_query(req, "limit"), PROPOSALS_PAGE, 1, 999999999L);
    if (limit < 0)
        return http_error(req, 400, N_("limit muss eine ganze Zahl ab 1 sein (höchstens 100 werden geliefert)."));
    if (limit > PROCESSES_API_MAX)
        limit = PROCESSES_API_MAX;
    proposal_query_t q = {.process_id = p.id, .sort = sort, .status = status, .viewer_id = 0, .limit = (size_t)limit};
    const char *cursor = http_query(req, "nach");
    if (cursor) {
        if (processes_cursor_parse(cursor, sort != 0, &q.key, &q.id) != 0)
            return http_error(req, 400,
                              N_("nach ist kein gültiger Verweis auf eine Seite. Nehmen Sie den Wert aus next."));
        q.has_cursor = 1;
    }
    proposal_t *rows;
    size_t n;
    int more;
    if (processes_proposal_page(req->db, req->arena, &q, &rows, &n, &more) != 0)
        return 503;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = processes_proposal_json(req->arena, &rows[i], req->lang, 0, 0);
        /* Per-viewer flags mean nothing to an anonymous API client. */
        json_object_del(o, "supported");
        json_object_del(o, "own");
        json_object_del(o, "one_support");
        json_object_del(o, "one_comment");
        json_array_append_new(items, o);
    }
    json_t *next = json_null();
    if (more && n > 0) {
        json_decref(next);
        next = json_sprintf(
            "/api/v1/beteiligung/verfahren/%" PRId64 "/vorschlaege?sortierung=%s%s%s&limit=%ld&nach=%s", p.id,
            processes_sorts[sort].value, status ? "&status=" : "", status ? status : "", limit,
            processes_cursor(req->arena, sort != 0, processes_sort_key(&rows[n - 1], sort), rows[n - 1].id));
    }
    return http_json(req, 200,
                     json_pack("{s:o,s:I,s:s,s:o,s:o}", "items", items, "limit", (json_int_t)limit, "sortierung",
                               processes_sorts[sort].value, "status", status ? json_string(status) : json_null(),
                               "next", next));
}
