/* projects_pages.c — the public pages of the Vorhabenliste: the list with its
 * filters (a GET form, so it works without JavaScript and can be bookmarked),
 * search, sorting and paging; and one entry with every field, its change log
 * as a timeline, its processes and the follow button.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/projects.h"
#include "view/i18n.h"
#include "web/auth.h"
#include "web/form.h"

int projects_lists_load(db_t *db, arena_t *a, project_lists_t *out)
{
    return projects_listing_lists(db, a, out) == 0 ? 0 : -1;
}

static const char *nonblank(const char *s)
{
    return s && *s ? s : NULL;
}

int projects_filter_from_query(http_req_t *req, const project_lists_t *lists, project_filter_t *f, const char **error)
{
    memset(f, 0, sizeof(*f));
    f->planned = -1;
    *error = NULL;
    const char *district = nonblank(http_query(req, "bezirk"));
    if (district) {
        for (size_t i = 0; i < lists->district_count && !f->district_id; i++)
            if (!strcmp(lists->districts[i].slug, district)) {
                f->district_id = lists->districts[i].id;
                f->district_slug = lists->districts[i].slug;
            }
        if (!f->district_id) {
            *error = N_("Diesen Ortsbezirk gibt es nicht. Bitte wählen Sie einen aus der Liste.");
            return 400;
        }
    }
    const char *topic = nonblank(http_query(req, "thema"));
    if (topic) {
        for (size_t i = 0; i < lists->topic_count && !f->topic_id; i++)
            if (!strcmp(lists->topics[i].slug, topic)) {
                f->topic_id = lists->topics[i].id;
                f->topic_slug = lists->topics[i].slug;
            }
        if (!f->topic_id) {
            *error = N_("Dieses Thema gibt es nicht. Bitte wählen Sie eines aus der Liste.");
            return 400;
        }
    }
    const char *status = nonblank(http_query(req, "status"));
    if (status) {
        if (!projects_choice_label(projects_statuses, projects_status_count, status)) {
            *error = N_("Diesen Stand gibt es nicht. Bitte wählen Sie einen aus der Liste.");
            return 400;
        }
        f->status = status;
    }
    const char *planned = nonblank(http_query(req, "beteiligung"));
    if (planned) {
        if (strcmp(planned, "ja") != 0 && strcmp(planned, "nein") != 0) {
            *error = N_("Bitte wählen Sie bei „Beteiligung“ eine Angabe aus der Liste.");
            return 400;
        }
        f->planned = !strcmp(planned, "ja");
    }
    const char *sort = nonblank(http_query(req, "sortierung"));
    if (sort) {
        if (!projects_choice_label(projects_sorts, projects_sort_count, sort)) {
            *error = N_("Diese Sortierung gibt es nicht. Bitte wählen Sie eine aus der Liste.");
            return 400;
        }
        f->sort = sort;
    }
    const char *q = http_query(req, "q");
    if (q && *q) {
        f->query = q;
        if (utf8_length(q, strlen(q)) > PROJECT_QUERY_MAX) {
            *error = N_("Ihr Suchbegriff ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen.");
            return 422;
        }
    }
    /* "Beste Treffer" needs words to rank by; without them the newest come first. */
    if (f->sort && !strcmp(f->sort, "relevanz") && (!f->query || !f->query[strspn(f->query, " \t\r\n")]))
        f->sort = NULL;
    return 0;
}

const char *projects_filter_query(http_req_t *req, const project_filter_t *f)
{
    buf_t b;
    buf_init(&b, req->arena, 256, 4096);
    const char *sep = "";
    if (f->district_slug) {
        buf_appendf(&b, "%sbezirk=%s", sep, f->district_slug);
        sep = "&";
    }
    if (f->topic_slug) {
        buf_appendf(&b, "%sthema=%s", sep, f->topic_slug);
        sep = "&";
    }
    if (f->status) {
        buf_appendf(&b, "%sstatus=%s", sep, f->status);
        sep = "&";
    }
    if (f->planned >= 0) {
        buf_appendf(&b, "%sbeteiligung=%s", sep, f->planned ? "ja" : "nein");
        sep = "&";
    }
    if (f->query && *f->query) {
        buf_appendf(&b, "%sq=%s", sep, form_url_encode(req->arena, f->query));
        sep = "&";
    }
    if (f->sort)
        buf_appendf(&b, "%ssortierung=%s", sep, f->sort);
    return buf_cstr(&b);
}

/* ---- the filter form ------------------------------------------------------------------ */

static json_t *option(const char *value, const char *label, int selected)
{
    return json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "selected", selected);
}

static json_t *select_field(http_req_t *req, const char *name, const char *label, json_t *options)
{
    json_t *f = http_field(name, projects_tr(req, label), "", NULL);
    json_object_set_new(f, "options", options);
    return f;
}

static int same(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

/* The filter form's fields with the current choices (kept as the user chose them). */
static void add_filter_fields(http_req_t *req, json_t *m, const project_lists_t *lists, const project_filter_t *f,
                              const char *error)
{
    json_t *o = json_array();
    json_array_append_new(o, option("", projects_tr(req, N_("Alle Ortsbezirke")), !f->district_id));
    for (size_t i = 0; i < lists->district_count; i++)
        json_array_append_new(o, option(lists->districts[i].slug, projects_tr(req, lists->districts[i].name),
                                        lists->districts[i].id == f->district_id));
    json_object_set_new(m, "f_bezirk", select_field(req, "bezirk", N_("Ortsbezirk"), o));

    o = json_array();
    json_array_append_new(o, option("", projects_tr(req, N_("Alle Themen")), !f->topic_id));
    for (size_t i = 0; i < lists->topic_count; i++)
        json_array_append_new(o, option(lists->topics[i].slug, projects_tr(req, lists->topics[i].name),
                                        lists->topics[i].id == f->topic_id));
    json_object_set_new(m, "f_thema", select_field(req, "thema", N_("Thema"), o));

    o = json_array();
    json_array_append_new(o, option("", projects_tr(req, N_("Alle")), !f->status));
    for (size_t i = 0; i < projects_status_count; i++)
        json_array_append_new(o, option(projects_statuses[i].value, projects_tr(req, projects_statuses[i].label),
                                        same(f->status, projects_statuses[i].value)));
    json_object_set_new(m, "f_status", select_field(req, "status", N_("Stand"), o));

    o = json_array();
    json_array_append_new(o, option("", projects_tr(req, N_("Alle")), f->planned < 0));
    json_array_append_new(o, option("ja", projects_tr(req, N_("Beteiligung geplant")), f->planned == 1));
    json_array_append_new(o, option("nein", projects_tr(req, N_("Keine Beteiligung geplant")), f->planned == 0));
    json_object_set_new(m, "f_beteiligung", select_field(req, "beteiligung", N_("Beteiligung"), o));

    int searching = f->query && f->query[strspn(f->query, " \t\r\n")];
    const char *sort = f->sort ? f->sort : searching ? "relevanz" : "neueste";
    o = json_array();
    for (size_t i = 0; i < projects_sort_count; i++) {
        if (!strcmp(projects_sorts[i].value, "relevanz") && !searching)
            continue;
        json_array_append_new(o, option(projects_sorts[i].value, projects_tr(req, projects_sorts[i].label),
                                        !strcmp(sort, projects_sorts[i].value)));
    }
    json_object_set_new(m, "f_sortierung", select_field(req, "sortierung", N_("Sortierung"), o));

    json_t *q = http_field("q", projects_tr(req, N_("Suchbegriff")), f->query ? f->query : "",
                           error ? projects_tr(req, error) : NULL);
    json_object_set_new(q, "hint", json_string(projects_tr(req, N_("Zum Beispiel: Radweg, Schule, Rheinufer"))));
    json_object_set_new(q, "type", json_string("search"));
    if (error)
        json_object_set_new(
            m, "errors", json_pack("[{s:O,s:s}]", "id", json_object_get(q, "id"), "message", projects_tr(req, error)));
    json_object_set_new(m, "f_q", q);
}

/* ---- GET /beteiligung/vorhaben ----------------------------------------------------------- */

int projects_list_page(http_req_t *req)
{
    project_lists_t lists;
    if (projects_lists_load(req->db, req->arena, &lists) != 0)
        return 503;
    project_filter_t f;
    const char *error;
    int bad = projects_filter_from_query(req, &lists, &f, &error);
    if (bad && bad != 422)
        return http_error(req, bad, error);
    long page = projects_number(http_query(req, "seite"), 1, 1, PROJECT_PAGES_MAX);
    if (page < 0)
        return http_error(req, 400, N_("Diese Seitenzahl gibt es nicht. Bitte beginnen Sie auf der ersten Seite."));

    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(projects_tr(req, N_("Vorhabenliste"))));
    add_filter_fields(req, m, &lists, &f, bad ? error : NULL);
    if (bad) /* the query is too long: the form comes back with it, nothing is searched */
        return http_render(req, 422, "participation/projects/list", m);

    project_hits_t hits;
    int rc = projects_find(req->db, req->arena, &f, &hits);
    if (rc != 0) {
        json_decref(m);
        return rc == -1 ? 400 : 503;
    }
    size_t offset = (size_t)(page - 1) * PROJECT_PAGE_SIZE;
    size_t n = offset < hits.count ? hits.count - offset : 0;
    if (n > PROJECT_PAGE_SIZE)
        n = PROJECT_PAGE_SIZE;
    int64_t ids[PROJECT_PAGE_SIZE];
    for (size_t i = 0; i < n; i++)
        ids[i] = hits.items[offset + i].id;
    project_t projects[PROJECT_PAGE_SIZE]; /* the cards' fields, from the kept listing */
    if (projects_listing_cards(req->db, req->arena, hits.token, ids, n, projects) != 0) {
        json_decref(m);
        return 503;
    }
    json_t *items = json_array();
    json_object_set_new(m, "items", items);
    for (size_t i = 0; i < n; i++) {
        if (!projects[i].id)
            continue;
        json_array_append_new(items, projects_card_json(&projects[i], req->arena, req->lang));
    }
    const char *query = projects_filter_query(req, &f);
    size_t pages = (hits.count + PROJECT_PAGE_SIZE - 1) / PROJECT_PAGE_SIZE;
    json_object_set_new(m, "total", json_integer((json_int_t)hits.count));
    json_object_set_new(m, "one", json_boolean(hits.count == 1));
    json_object_set_new(m, "filtered", json_boolean(*query != '\0'));
    json_object_set_new(m, "first_rank", json_integer((json_int_t)offset + 1));
    json_object_set_new(m, "past_end", json_boolean(hits.count > 0 && n == 0));
    json_object_set_new(m, "first_url", json_sprintf("/beteiligung/vorhaben%s%s", *query ? "?" : "", query));
    json_object_set_new(m, "csv_url", json_sprintf("/beteiligung/vorhaben.csv%s%s", *query ? "?" : "", query));
    json_object_set_new(m, "api_url", json_sprintf("/api/v1/beteiligung/vorhaben%s%s", *query ? "?" : "", query));
    if (pages > 1) {
        json_t *pager = json_object();
        json_object_set_new(pager, "page", json_integer(page));
        json_object_set_new(pager, "pages", json_integer((json_int_t)pages));
        const char *sep = *query ? "&" : "";
        if (page > 1)
            json_object_set_new(pager, "prev",
                                json_sprintf("/beteiligung/vorhaben?%s%sseite=%ld", query, sep, page - 1));
        if ((size_t)page < pages)
            json_object_set_new(pager, "next",
                                json_sprintf("/beteiligung/vorhaben?%s%sseite=%ld", query, sep, page + 1));
        json_object_set_new(m, "pager", pager);
    }
    /* Following what the list is filtered by: a district, a topic. */
    json_t *follow = json_array();
    for (size_t i = 0; i < lists.district_count; i++)
        if (lists.districts[i].id == f.district_id)
            json_array_append_new(
                follow, projects_follow_box(req, "district", f.district_id, projects_tr(req, lists.districts[i].name)));
    for (size_t i = 0; i < lists.topic_count; i++)
        if (lists.topics[i].id == f.topic_id)
            json_array_append_new(
                follow, projects_follow_box(req, "topic", f.topic_id, projects_tr(req, lists.topics[i].name)));
    json_object_set_new(m, "follow", follow);
    json_t *notice = projects_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, 200, "participation/projects/list", m);
}

/* ---- GET /beteiligung/vorhaben/:id -------------------------------------------------------- */

int projects_entry_page(http_req_t *req)
{
    long id = projects_number(http_param(req, "id"), -1, 1, 999999999999L);
    if (id < 1)
        return http_error(req, 404,
                          N_("Dieses Vorhaben gibt es nicht. Alle Vorhaben finden Sie in der Vorhabenliste."));
    project_t p;
    int rc = projects_load_one(req->db, req->arena, id, &p);
    if (rc == 1)
        return http_error(req, 404,
                          N_("Dieses Vorhaben gibt es nicht. Alle Vorhaben finden Sie in der Vorhabenliste."));
    if (rc != 0)
        return 503;
    json_t *o = projects_json(&p);
    json_t *changes;
    if (projects_changes_json(req->db, p.id, &changes) != 0) {
        json_decref(o);
        return 503;
    }
    json_object_set_new(o, "changes", changes);
    if (projects_decorate(o, req->arena, req->lang, 1) != 0) {
        json_decref(o);
        return 500;
    }
    json_t *processes = projects_processes_json(req->db, p.id);
    if (!processes) {
        json_decref(o);
        return 503;
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(p.title));
    json_object_set_new(m, "project", o);
    json_object_set_new(m, "processes", processes);
    json_object_set_new(m, "follow", projects_follow_box(req, "project", p.id, p.title));
    json_object_set_new(m, "may_edit",
                        json_boolean(req->user && auth_has_permission_in_unit(req, PERM_PROJECTS, p.unit_id)));
    json_t *notice = projects_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, 200, "participation/projects/entry", m);
}
