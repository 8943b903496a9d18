/* catalogue.c — the service catalogue's pages ("Leistungen A–Z") and the
 * services module's entry on the start page.
 *
 * Public addresses (stable: other parts, tests and bookmarks rely on them):
 *   /leistungen                               A–Z with letters, life situations, search box
 *   /leistungen/suche?q=…&seite=…             search (German stemming, platform/search.c)
 *   /leistungen/lebenslagen/:slug             the services of one life situation
 *   /leistungen/:slug                         one service, with its actions
 *   /leistungen/:slug/leichte-sprache         its text in Leichte Sprache
 *   /api/v1/leistungen[/:slug]                the same view models as JSON (catalogue_api.c)
 * "Online beantragen" posts to /leistungen/:slug/antrag, which apply.c answers.
 *
 * Unpublished services are visible only to holders of PERM_CATALOGUE (editors
 * checking an entry before publishing it), on their page and in the A–Z list;
 * for everyone else they do not exist. They are never in the search index.
 */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/services/catalogue_model.h"
#include "modules/services/internal.h"
#include "modules/services/services.h"
#include "view/i18n.h"
#include "web/auth.h"

#define SEARCH_PAGES_MAX 500 /* highest ?seite= accepted */

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

/* Editors see unpublished entries too. */
static int sees_unpublished(const http_req_t *req)
{
    return req->user && auth_has_permission(req, PERM_CATALOGUE);
}

/* The search box's field object (templates/services/catalogue/searchform.html). */
static json_t *search_field(const http_req_t *req, const char *q, const char *error)
{
    json_t *f = http_field("q", tr(req, N_("Suchbegriff")), q, error ? tr(req, error) : NULL);
    json_object_set_new(f, "hint", json_string(tr(req, N_("Zum Beispiel: Reisepass, Umzug, Hund anmelden"))));
    return f;
}

static json_t *page_model(const http_req_t *req, const char *title)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(tr(req, title)));
    return m;
}

/* ---- /leistungen --------------------------------------------------------------------------- */

/* The letter navigation and the groups of the A–Z list. */
static void add_letter_groups(json_t *model, const catalogue_list_t *list)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ#";
    json_t *letters = json_array();
    json_t *groups = json_array();
    for (const char *l = alphabet; *l; l++) {
        json_t *items = json_array();
        for (size_t i = 0; i < list->count; i++)
            if (catalogue_letter(list->items[i].sort_key) == *l)
                json_array_append_new(items, catalogue_item_json(&list->items[i]));
        char letter[2] = {*l, '\0'};
        char lower[2] = {(char)(*l | 0x20), '\0'}; /* "buchstabe-a" */
        const char *anchor = *l == '#' ? "andere" : lower;
        int has = json_array_size(items) > 0;
        if (*l != '#' || has)
            json_array_append_new(letters, json_pack("{s:s,s:o}", "letter", letter, "href",
                                                     has ? json_sprintf("#buchstabe-%s", anchor) : json_null()));
        if (has)
            json_array_append_new(groups,
                                  json_pack("{s:s,s:s,s:o}", "letter", letter, "anchor", anchor, "items", items));
        else
            json_decref(items);
    }
    json_object_set_new(model, "letters", letters);
    json_object_set_new(model, "groups", groups);
}

/* GET /leistungen */
static int catalogue_index(http_req_t *req)
{
    catalogue_list_t list;
    json_t *situations;
    if (catalogue_all(req->db, req->arena, sees_unpublished(req), &list) != 0)
        return 503;
    if (catalogue_situations(req->db, &situations) != 0)
        return 503;
    json_t *m = page_model(req, N_("Leistungen von A bis Z"));
    json_object_set_new(m, "search", search_field(req, "", NULL));
    json_object_set_new(m, "situations", situations);
    json_object_set_new(m, "total", json_integer((json_int_t)list.count));
    add_letter_groups(m, &list);
    return http_render(req, 200, "services/catalogue/index", m);
}

/* GET /leistungen/lebenslagen — the list of life situations is part of /leistungen. */
static int catalogue_situations_redirect(http_req_t *req)
{
    return http_redirect(req, 302, "/leistungen#lebenslagen");
}

/* ---- /leistungen/suche ---------------------------------------------------------------------- */

/* ?seite=: 1 when absent; 0 when it is not a page number. */
static long page_number(const char *s)
{
    if (!s || !*s)
        return 1;
    char *end;
    long n = strtol(s, &end, 10);
    return *end || n < 1 || n > SEARCH_PAGES_MAX ? 0 : n;
}

/* 1 when q is empty or only white space. */
static int blank(const char *q)
{
    for (; *q; q++)
        if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
            return 0;
    return 1;
}

/* GET /leistungen/suche?q=…&seite=… */
static int catalogue_search_page(http_req_t *req)
{
    const char *q = http_query(req, "q");
    q = q ? q : "";
    json_t *m = page_model(req, N_("Leistungen suchen"));
    json_object_set_new(m, "q", json_string(q));
    if (utf8_length(q, strlen(q)) > CATALOGUE_QUERY_MAX) {
        /* Kept in the box as typed, so the citizen can shorten it. */
        const char *msg = N_("Ihr Suchbegriff ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen.");
        json_t *field = search_field(req, q, msg);
        json_object_set_new(m, "errors",
                            json_pack("[{s:O,s:s}]", "id", json_object_get(field, "id"), "message", tr(req, msg)));
        json_object_set_new(m, "search", field);
        return http_render(req, 422, "services/catalogue/search", m);
    }
    json_object_set_new(m, "search", search_field(req, q, NULL));
    if (blank(q))
        return http_render(req, 200, "services/catalogue/search", m);

    long page = page_number(http_query(req, "seite"));
    if (page == 0) {
        json_decref(m);
        return http_error(req, 400, N_("Die Seitenzahl ist ungültig. Bitte beginnen Sie die Suche neu."));
    }
    catalogue_list_t list;
    size_t total = 0;
    size_t offset = (size_t)(page - 1) * CATALOGUE_PAGE_SIZE;
    int rc = catalogue_search(req->db, req->arena, q, offset, CATALOGUE_PAGE_SIZE, &list, &total);
    if (rc != 0) {
        json_decref(m);
        return rc == -1 ? 400 : 503;
    }
    size_t pages = (total + CATALOGUE_PAGE_SIZE - 1) / CATALOGUE_PAGE_SIZE;
    json_object_set_new(m, "searched", json_true());
    json_object_set_new(m, "total", json_integer((json_int_t)total));
    json_object_set_new(m, "one", json_boolean(total == 1));
    json_object_set_new(m, "items", catalogue_items_json(&list, 0, list.count));
    json_object_set_new(m, "first_rank", json_integer((json_int_t)offset + 1));
    const char *escaped = catalogue_url_component(req->arena, q);
    json_object_set_new(m, "first_url", json_sprintf("/leistungen/suche?q=%s", escaped));
    if (pages > 1) {
        json_t *pager = json_object();
        json_object_set_new(pager, "page", json_integer(page));
        json_object_set_new(pager, "pages", json_integer((json_int_t)pages));
        if (page > 1)
            json_object_set_new(pager, "prev", json_sprintf("/leistungen/suche?q=%s&seite=%ld", escaped, page - 1));
        if ((size_t)page < pages)
            json_object_set_new(pager, "next", json_sprintf("/leistungen/suche?q=%s&seite=%ld", escaped, page + 1));
        json_object_set_new(m, "pager", pager);
    }
    if (total == 0 || offset >= total) {
        /* Nothing found: help and the ways to browse, never an empty page. */
        json_t *situations;
        if (catalogue_situations(req->db, &situations) != 0) {
            json_decref(m);
            return 503;
        }
        json_object_set_new(m, "situations", situations);
    }
    return http_render(req, 200, "services/catalogue/search", m);
}

/* ---- /leistungen/lebenslagen/:slug ------------------------------------------------------------ */

static int catalogue_situation_page(http_req_t *req)
{
    json_t *situation;
    int64_t id = 0;
    int rc = catalogue_situation(req->db, req->arena, http_param(req, "slug"), &situation, &id);
    if (rc == 1)
        return http_error(
            req, 404,
            N_("Diese Lebenslage gibt es nicht. Alle Lebenslagen finden Sie unter „Leistungen von A bis Z“."));
    if (rc != 0)
        return 503;
    catalogue_list_t list;
    if (catalogue_situation_services(req->db, req->arena, id, sees_unpublished(req), &list) != 0) {
        json_decref(situation);
        return 503;
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_incref(json_object_get(situation, "name")));
    json_object_set_new(m, "situation", situation);
    json_object_set_new(m, "items", catalogue_items_json(&list, 0, list.count));
    json_object_set_new(m, "total", json_integer((json_int_t)list.count));
    return http_render(req, 200, "services/catalogue/situation", m);
}

/* ---- /leistungen/:slug --------------------------------------------------------------------- */

/* 404 for a service that does not exist: a page that helps to find the right one. */
static int service_not_found(http_req_t *req)
{
    json_t *m = page_model(req, N_("Diese Leistung gibt es nicht"));
    json_object_set_new(m, "search", search_field(req, "", NULL));
    return http_render(req, 404, "services/catalogue/not_found", m);
}

static int load_service(http_req_t *req, json_t **service)
{
    int rc = catalogue_service(req->db, req->arena, http_param(req, "slug"), req->lang, sees_unpublished(req), service);
    if (rc == 1)
        return service_not_found(req);
    return rc == 0 ? 0 : 503;
}

static int catalogue_service_page(http_req_t *req)
{
    json_t *service;
    int rc = load_service(req, &service);
    if (rc != 0 || !service)
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "title", json_incref(json_object_get(service, "name")));
    json_int_t updated = json_integer_value(json_object_get(service, "updated_at"));
    json_object_set_new(m, "updated", json_string(application_date(req->arena, (int64_t)updated, 0)));
    json_object_set_new(m, "service", service);
    return http_render(req, 200, "services/catalogue/service", m);
}

/* GET /leistungen/:slug/leichte-sprache */
static int catalogue_easy_page(http_req_t *req)
{
    json_t *service;
    int rc = load_service(req, &service);
    if (rc != 0 || !service)
        return rc;
    if (!json_string_length(json_object_get(service, "easy_language"))) {
        json_decref(service);
        return http_error(req, 404, N_("Für diese Leistung gibt es noch keinen Text in Leichter Sprache."));
    }
    json_t *m = json_object();
    json_object_set_new(m, "title",
                        json_sprintf("%s – %s", json_string_value(json_object_get(service, "name")),
                                     tr(req, N_("in Leichter Sprache"))));
    json_object_set_new(m, "service", service);
    return http_render(req, 200, "services/catalogue/easy", m);
}

/* ---- the module ------------------------------------------------------------------------------ */

static const route_t catalogue_routes[] = {
    {"GET", "/leistungen", catalogue_index, NULL, 0, 0},
    /* Before /leistungen/:slug: the router takes the first pattern that matches. */
    {"GET", "/leistungen/suche", catalogue_search_page, NULL, 0, 0},
    {"GET", "/leistungen/lebenslagen", catalogue_situations_redirect, NULL, 0, 0},
    {"GET", "/leistungen/lebenslagen/:slug", catalogue_situation_page, NULL, 0, 0},
    {"GET", "/leistungen/:slug", catalogue_service_page, NULL, 0, 0},
    {"GET", "/leistungen/:slug/leichte-sprache", catalogue_easy_page, NULL, 0, 0},
    {"GET", "/api/v1/leistungen", catalogue_api_list, NULL, ROUTE_API, 0},
    {"GET", "/api/v1/leistungen/:slug", catalogue_api_service, NULL, ROUTE_API, 0},
};

static const permission_t catalogue_permissions[] = {
    {PERM_CATALOGUE, N_("Den Leistungskatalog pflegen und unveröffentlichte Leistungen sehen")},
};

const module_t services_module = {
    .name = "services",
    .title = N_("Online-Dienste"),
    .summary = N_("Alle Leistungen der Stadt von A bis Z: finden, verstehen und online beantragen."),
    .home = "/leistungen",
    .routes = catalogue_routes,
    .route_count = sizeof(catalogue_routes) / sizeof(catalogue_routes[0]),
    .permissions = catalogue_permissions,
    .permission_count = sizeof(catalogue_permissions) / sizeof(catalogue_permissions[0]),
};
