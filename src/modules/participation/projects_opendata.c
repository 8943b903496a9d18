/* projects_opendata.c — the Vorhabenliste as open data (docs/opendata.md):
 *
 *   GET /beteiligung/vorhaben.csv             every entry, one row each (RFC 4180)
 *   GET /api/v1/beteiligung/vorhaben          the entries as JSON, paged
 *   GET /api/v1/beteiligung/vorhaben/:id      one entry with its change log
 *
 * All three take the list's filters (bezirk, thema, status, beteiligung, q,
 * sortierung) and give the objects of projects_json, so the CSV, the API, the
 * pages and the editions cannot disagree about a field.
 *
 * CSV: UTF-8 without a byte order mark, comma-separated, CRLF line ends, a
 * header row, fields quoted only when they hold a comma, quote or line break
 * (quotes doubled). No BOM because open-data tools and portals read plain
 * UTF-8, and a BOM would become part of the first column's name for many of
 * them; docs/opendata.md says how to open the file in a spreadsheet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/participation/projects.h"
#include "view/i18n.h"
#include "web/auth.h"

#define CSV_MAX (64u << 20) /* bytes of the whole file */
#define LICENCE_NAME "Datenlizenz Deutschland – Zero – Version 2.0"
#define LICENCE_URL "https://www.govdata.de/dl-de/zero-2-0"

static json_t *licence(void)
{
    return json_pack("{s:s,s:s,s:s}", "name", LICENCE_NAME, "id", "dl-zero-de/2.0", "url", LICENCE_URL);
}

/* The entries matching the request's filters: 0 with hits, HTTP_ANSWERED when it
 * has answered (a bad filter), or the status to answer. */
static int find(http_req_t *req, project_hits_t *hits)
{
    project_lists_t lists;
    if (projects_lists_load(req->db, req->arena, &lists) != 0)
        return 503;
    project_filter_t f;
    const char *error;
    int bad = projects_filter_from_query(req, &lists, &f, &error);
    if (bad) {
        http_error(req, bad, error);
        return HTTP_ANSWERED;
    }
    int rc = projects_find(req->db, req->arena, &f, hits);
    return rc == 0 ? 0 : rc == -1 ? 400 : 503;
}

/* ---- CSV ---------------------------------------------------------------------------------- */

static const char *const csv_columns[] = {
    "id",
    "url",
    "title",
    "summary",
    "description",
    "goals",
    "districts",
    "citywide",
    "topic",
    "decisions",
    "starts_on",
    "ends_on",
    "next_steps",
    "costs_text",
    "costs_cents",
    "status",
    "status_label",
    "affected",
    "participation_planned",
    "participation_form",
    "participation_reason",
    "obligation",
    "contact_unit",
    "contact_name",
    "contact_email",
    "contact_phone",
    "created_on",
    "updated_on",
};

static void csv_row(buf_t *b, arena_t *a, const char *base_url, const project_t *p)
{
    const char *status = projects_choice_label(projects_statuses, projects_status_count, p->status);
    int citywide = 0;
    for (size_t i = 0; i < p->district_count; i++)
        citywide |= p->districts[i].citywide;
    const char *fields[] = {
        arena_printf(a, "%lld", (long long)p->id),
        arena_printf(a, "%s/beteiligung/vorhaben/%lld", base_url, (long long)p->id),
        p->title,
        p->summary,
        p->description,
        p->goals,
        projects_field_value(a, p, "districts"),
        citywide ? "true" : "false",
        p->topic_name,
        p->decisions,
        p->starts_on,
        p->ends_on,
        p->next_steps,
        p->costs_text,
        p->has_costs ? arena_printf(a, "%lld", (long long)p->costs_cents) : "",
        p->status,
        status ? status : "",
        p->affected,
        p->participation_planned ? "true" : "false",
        p->participation_form,
        p->participation_reason,
        p->obligation,
        p->unit_name ? p->unit_name : "",
        p->contact_name,
        p->contact_email,
        p->contact_phone,
        projects_iso_day(a, p->created_at),
        projects_iso_day(a, p->updated_at),
    };
    _Static_assert(sizeof(fields) / sizeof(fields[0]) == sizeof(csv_columns) / sizeof(csv_columns[0]),
                   "one value per column");
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (i)
            buf_putc(b, ',');
        projects_csv_field(b, fields[i]);
    }
    buf_puts(b, "\r\n");
}

/* GET /beteiligung/vorhaben.csv */
int projects_csv(http_req_t *req)
{
    project_hits_t hits;
    int rc = find(req, &hits);
    if (rc != 0)
        return rc == HTTP_ANSWERED ? 0 : rc;
    buf_t b;
    buf_init(&b, req->arena, 64 * 1024, CSV_MAX);
    for (size_t i = 0; i < sizeof(csv_columns) / sizeof(csv_columns[0]); i++)
        buf_appendf(&b, "%s%s", i ? "," : "", csv_columns[i]);
    buf_puts(&b, "\r\n");
    /* In chunks, so that the rows of a large list are not all in memory at once. */
    enum { CHUNK = 100 };
    int64_t ids[CHUNK];
    project_t *projects = arena_alloc(req->arena, CHUNK * sizeof(*projects));
    for (size_t first = 0; first < hits.count; first += CHUNK) {
        size_t n = hits.count - first < CHUNK ? hits.count - first : CHUNK;
        for (size_t i = 0; i < n; i++)
            ids[i] = hits.items[first + i].id;
        if (projects_load(req->db, req->arena, ids, n, projects) != 0)
            return 503;
        for (size_t i = 0; i < n; i++)
            if (projects[i].id)
                csv_row(&b, req->arena, req->cfg->base_url, &projects[i]);
    }
    if (b.overflow)
        return http_error(req, 500,
                          N_("Die Liste ist zu groß für eine CSV-Datei. Bitte schränken Sie sie mit den Filtern ein."));
    http_add_header(req, "content-disposition", "attachment; filename=\"vorhabenliste.csv\"");
    return http_send(req, 200, "text/csv; charset=utf-8; header=present", b.data ? b.data : "", b.len);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

/* GET /api/v1/beteiligung/vorhaben?…&limit=&offset= */
int projects_api_list(http_req_t *req)
{
    long limit = projects_number(http_query(req, "limit"), PROJECT_PAGE_SIZE, 1, 999999999);
    if (limit < 0)
        return http_error(req, 400, N_("limit muss eine ganze Zahl ab 1 sein (höchstens 100 werden geliefert)."));
    if (limit > PROJECT_API_MAX)
        limit = PROJECT_API_MAX; /* served at the cap; "limit" in the answer says so */
    long offset = projects_number(http_query(req, "offset"), 0, 0, PROJECT_OFFSET_MAX);
    if (offset < 0)
        return http_error(req, 400, N_("offset muss eine ganze Zahl von 0 bis 100000 sein."));
    project_hits_t hits;
    int rc = find(req, &hits);
    if (rc != 0)
        return rc == HTTP_ANSWERED ? 0 : rc;
    size_t n = (size_t)offset < hits.count ? hits.count - (size_t)offset : 0;
    if (n > (size_t)limit)
        n = (size_t)limit;
    int64_t *ids = arena_alloc(req->arena, (n ? n : 1) * sizeof(*ids));
    for (size_t i = 0; i < n; i++)
        ids[i] = hits.items[(size_t)offset + i].id;
    project_t *projects = arena_alloc(req->arena, (n ? n : 1) * sizeof(*projects));
    if (projects_load(req->db, req->arena, ids, n, projects) != 0)
        return 503;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        if (projects[i].id)
            json_array_append_new(items, projects_json(&projects[i]));
    json_t *out = json_object();
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "total", json_integer((json_int_t)hits.count));
    json_object_set_new(out, "limit", json_integer(limit));
    json_object_set_new(out, "offset", json_integer(offset));
    json_t *next = json_null();
    if ((size_t)(offset + limit) < hits.count) {
        /* The same filters, the next page. */
        project_lists_t lists;
        project_filter_t f;
        const char *error;
        if (projects_lists_load(req->db, req->arena, &lists) == 0 &&
            projects_filter_from_query(req, &lists, &f, &error) == 0) {
            const char *query = projects_filter_query(req, &f);
            next = json_sprintf("/api/v1/beteiligung/vorhaben?%s%slimit=%ld&offset=%ld", query, *query ? "&" : "",
                                limit, offset + limit);
        }
    }
    json_object_set_new(out, "next", next);
    json_object_set_new(out, "licence", licence());
    return http_json(req, 200, out);
}

/* GET /api/v1/beteiligung/vorhaben/:id */
int projects_api_entry(http_req_t *req)
{
    long id = projects_number(http_param(req, "id"), -1, 1, 999999999999L);
    project_t p;
    int rc = id < 1 ? 1 : projects_load_one(req->db, req->arena, id, &p);
    if (rc == 1)
        return http_error(req, 404, N_("Dieses Vorhaben gibt es nicht."));
    if (rc != 0)
        return 503;
    json_t *o = projects_json(&p);
    json_t *changes;
    if (projects_changes_json(req->db, p.id, &changes) != 0) {
        json_decref(o);
        return 503;
    }
    json_object_set_new(o, "changes", changes);
    return http_json(req, 200, json_pack("{s:o,s:o}", "project", o, "licence", licence()));
}
