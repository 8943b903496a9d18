/* projects_staff_list.c — GET /verwaltung/beteiligung/vorhaben (PERM_PROJECTS): the
 * entries, last changed first, fifty to a page, with a search box and an edit link
 * where the staff member's unit allows; and the form with which the coordination
 * office publishes the quarterly edition (projects_editions.c takes the POST and
 * comes back here with the form's values and errors when it refuses).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/participation/internal.h"
#include "modules/participation/projects.h"
#include "view/i18n.h"
#include "web/auth.h"
#include "web/form.h"

#define STAFF_PAGE_SIZE 50

static json_t *opt(const char *value, const char *label, int selected)
{
    return json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "selected", selected);
}

int projects_staff_list_render(http_req_t *req, int status, json_t *edition_values, json_t *edition_errors)
{
    project_lists_t lists;
    if (projects_lists_load(req->db, req->arena, &lists) != 0)
        goto fail;
    project_filter_t f;
    const char *error;
    if (projects_filter_from_query(req, &lists, &f, &error) != 0)
        f = (project_filter_t){.planned = -1};
    if (!f.sort)
        f.sort = "aenderung";
    long page = projects_number(http_query(req, "seite"), 1, 1, PROJECT_PAGES_MAX);
    if (page < 0)
        page = 1;
    project_hits_t hits;
    if (projects_find(req->db, req->arena, &f, &hits) != 0)
        goto fail;
    size_t offset = (size_t)(page - 1) * STAFF_PAGE_SIZE;
    size_t n = offset < hits.count ? hits.count - offset : 0;
    if (n > STAFF_PAGE_SIZE)
        n = STAFF_PAGE_SIZE;
    int64_t ids[STAFF_PAGE_SIZE];
    for (size_t i = 0; i < n; i++)
        ids[i] = hits.items[offset + i].id;
    project_t projects[STAFF_PAGE_SIZE];
    if (projects_load(req->db, req->arena, ids, n, projects) != 0)
        goto fail;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        const project_t *p = &projects[i];
        if (!p->id)
            continue;
        const char *status_label = projects_choice_label(projects_statuses, projects_status_count, p->status);
        json_array_append_new(
            rows, json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:o,s:o}", "id", (json_int_t)p->id, "title", p->title, "status",
                            projects_tr(req, status_label ? status_label : ""), "unit",
                            p->unit_name ? p->unit_name : "", "updated", projects_day(req->arena, p->updated_at),
                            "may_edit", auth_has_permission_in_unit(req, PERM_PROJECTS, p->unit_id), "edit_url",
                            json_sprintf("/verwaltung/beteiligung/vorhaben/%lld", (long long)p->id), "public_url",
                            json_sprintf("/beteiligung/vorhaben/%lld", (long long)p->id)));
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(projects_tr(req, N_("Vorhabenliste pflegen"))));
    json_object_set_new(m, "rows", rows);
    json_object_set_new(m, "total", json_integer((json_int_t)hits.count));
    json_t *q = http_field("q", projects_tr(req, N_("Suchbegriff")), f.query ? f.query : "", NULL);
    json_object_set_new(m, "f_q", q);
    const char *search = f.query ? arena_printf(req->arena, "q=%s&", form_url_encode(req->arena, f.query)) : "";
    if ((size_t)page * STAFF_PAGE_SIZE < hits.count)
        json_object_set_new(m, "next", json_sprintf("/verwaltung/beteiligung/vorhaben?%sseite=%ld", search, page + 1));
    if (page > 1)
        json_object_set_new(m, "previous",
                            json_sprintf("/verwaltung/beteiligung/vorhaben?%sseite=%ld", search, page - 1));
    /* Editions speak for the whole city: only a permission that holds everywhere publishes one. */
    if (auth_has_permission_in_unit(req, PERM_PROJECTS, 0)) {
        int year, quarter;
        projects_quarter_of((int64_t)time(NULL), &year, &quarter);
        const char *v_quarter = json_string_value(json_object_get(edition_values, "quartal"));
        const char *v_year = json_string_value(json_object_get(edition_values, "jahr"));
        const char *v_note = json_string_value(json_object_get(edition_values, "vorwort"));
        char qbuf[16], ybuf[16];
        snprintf(qbuf, sizeof(qbuf), "%d", quarter);
        snprintf(ybuf, sizeof(ybuf), "%d", year);
        json_t *errs = edition_errors ? edition_errors : json_array();
        const char *e_quarter = NULL, *e_year = NULL, *e_note = NULL;
        size_t i;
        json_t *e;
        json_array_foreach(errs, i, e)
        {
            const char *id = json_string_value(json_object_get(e, "id"));
            const char *msg = json_string_value(json_object_get(e, "message"));
            if (!strcmp(id, "feld-quartal"))
                e_quarter = msg;
            else if (!strcmp(id, "feld-jahr"))
                e_year = msg;
            else if (!strcmp(id, "feld-vorwort"))
                e_note = msg;
        }
        json_t *fq = http_field("quartal", projects_tr(req, N_("Quartal")), v_quarter ? v_quarter : qbuf, e_quarter);
        json_t *q_opts = json_array();
        for (int k = 1; k <= 4; k++) {
            char v[16];
            snprintf(v, sizeof(v), "%d", k);
            json_array_append_new(q_opts, opt(v, v, !strcmp(v, v_quarter ? v_quarter : qbuf)));
        }
        json_object_set_new(fq, "options", q_opts);
        json_t *fy = http_field("jahr", projects_tr(req, N_("Jahr")), v_year ? v_year : ybuf, e_year);
        json_object_set_new(fy, "inputmode", json_string("numeric"));
        json_t *fn = http_field("vorwort", projects_tr(req, N_("Vorwort (freiwillig)")), v_note ? v_note : "", e_note);
        json_object_set_new(fn, "maxlength", json_integer(PROJECT_NOTE_MAX));
        json_object_set_new(fn, "rows", json_integer(3));
        json_object_set_new(m, "edition", json_pack("{s:o,s:o,s:o}", "f_quartal", fq, "f_jahr", fy, "f_vorwort", fn));
        json_object_set_new(m, "errors", errs);
    } else if (edition_errors) {
        json_decref(edition_errors);
    }
    json_decref(edition_values);
    json_t *notice = projects_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, status, "participation/projects/staff_list", m);
fail:
    json_decref(edition_values);
    json_decref(edition_errors);
    return 503;
}

/* GET /verwaltung/beteiligung/vorhaben */
int projects_staff_list(http_req_t *req)
{
    if (projects_staff_guard(req))
        return 0;
    return projects_staff_list_render(req, 200, NULL, NULL);
}
