/* catalogue_api.c — the catalogue as JSON (docs/openapi.yaml):
 *
 *   GET /api/v1/leistungen?q=&limit=&offset=   A–Z, or search results best first
 *   GET /api/v1/leistungen/:slug               one service
 *
 * The objects are the view models the HTML pages render (catalogue_model.c), so
 * the API and the pages can never disagree. Paging is limit/offset over a list
 * whose order is made in C and is the same on every engine; limit is capped at
 * CATALOGUE_API_MAX, and "next" names the following page while there is one.
 * Errors are JSON ({"error": {...}}) because the routes are flagged ROUTE_API.
 */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/services/catalogue_model.h"
#include "modules/services/internal.h"
#include "view/i18n.h"
#include "web/auth.h"

/* Parses a whole number in [min, max]; fallback when absent; -1 when invalid. */
static long number_param(const char *s, long fallback, long min, long max)
{
    if (!s)
        return fallback;
    if (!*s || strlen(s) > 9)
        return -1;
    char *end;
    long n = strtol(s, &end, 10);
    return *end || n < min || n > max ? -1 : n;
}

static int sees_unpublished(const http_req_t *req)
{
    return req->user && auth_has_permission(req, PERM_CATALOGUE);
}

/* GET /api/v1/leistungen */
int catalogue_api_list(http_req_t *req)
{
    const char *q = http_query(req, "q");
    if (q && utf8_length(q, strlen(q)) > CATALOGUE_QUERY_MAX)
        return http_error(req, 422, N_("Ihr Suchbegriff ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen."));
    /* Larger pages than the cap are served at the cap; "limit" in the answer says so. */
    long limit = number_param(http_query(req, "limit"), CATALOGUE_PAGE_SIZE, 1, 999999999);
    if (limit < 0)
        return http_error(req, 400, N_("limit muss eine ganze Zahl ab 1 sein (höchstens 100 werden geliefert)."));
    if (limit > CATALOGUE_API_MAX)
        limit = CATALOGUE_API_MAX;
    long offset = number_param(http_query(req, "offset"), 0, 0, CATALOGUE_OFFSET_MAX);
    if (offset < 0)
        return http_error(req, 400, N_("offset muss eine ganze Zahl von 0 bis 100000 sein."));

    int searching = q && q[strspn(q, " \t\r\n")] != '\0';
    catalogue_list_t list;
    size_t total = 0;
    int rc;
    if (searching) {
        rc = catalogue_search(req->db, req->arena, q, (size_t)offset, (size_t)limit, &list, &total);
    } else {
        rc = catalogue_all(req->db, req->arena, sees_unpublished(req), &list);
        total = list.count;
    }
    if (rc == -1 && searching)
        return 400;
    if (rc != 0)
        return 503;
    json_t *out = json_object();
    /* A search returns only its page; the A–Z list is cut here. */
    json_object_set_new(out, "items",
                        searching ? catalogue_items_json(&list, 0, list.count)
                                  : catalogue_items_json(&list, (size_t)offset, (size_t)limit));
    json_object_set_new(out, "total", json_integer((json_int_t)total));
    json_object_set_new(out, "limit", json_integer(limit));
    json_object_set_new(out, "offset", json_integer(offset));
    json_object_set_new(out, "query", searching ? json_string(q) : json_null());
    json_t *next;
    if ((size_t)(offset + limit) >= total) {
        next = json_null();
    } else {
        /* The query travels percent-encoded, as a client would send it. */
        next = json_sprintf("/api/v1/leistungen?limit=%ld&offset=%ld%s%s", limit, offset + limit,
                            searching ? "&q=" : "", searching ? catalogue_url_component(req->arena, q) : "");
    }
    json_object_set_new(out, "next", next);
    return http_json(req, 200, out);
}

/* GET /api/v1/leistungen/:slug */
int catalogue_api_service(http_req_t *req)
{
    json_t *service;
    int rc =
        catalogue_service(req->db, req->arena, http_param(req, "slug"), req->lang, sees_unpublished(req), &service);
    if (rc == 1)
        return http_error(req, 404, N_("Diese Leistung gibt es nicht."));
    if (rc != 0)
        return 503;
    return http_json(req, 200, json_pack("{s:o}", "service", service));
}
