/* catalogue_model.h — the service catalogue as the pages and the JSON API see it.
 *
 * One set of queries and one view model for both: the HTML pages (catalogue.c)
 * render exactly the objects that /api/v1/leistungen returns (catalogue_api.c).
 * Orderings are made here, in C, not by the database: names sort in German
 * dictionary order (DIN 5007-1: ä as a, ß as ss, case ignored) and search results
 * by summed weight, then name, then slug, so SQLite and PostgreSQL — whose
 * collations differ — give identical lists.
 *
 * Everything returned lives in the caller's arena, or is a new jansson reference
 * the caller owns.
 */
#ifndef RATHAUS_MODULES_SERVICES_CATALOGUE_MODEL_H
#define RATHAUS_MODULES_SERVICES_CATALOGUE_MODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"

#define CATALOGUE_QUERY_MAX 200     /* characters of a search query */
#define CATALOGUE_PAGE_SIZE 20      /* results on one search page, default API page */
#define CATALOGUE_API_MAX 100       /* most items on one API page */
#define CATALOGUE_OFFSET_MAX 100000 /* largest API offset accepted */

/* One service in a list (A–Z, search results, a life situation). */
typedef struct catalogue_item {
    int64_t id;
    const char *slug;
    const char *name;
    const char *summary;
    const char *sort_key; /* name in German dictionary order (catalogue_sort_key) */
    int64_t score;        /* search: summed weight of the matched terms; else 0 */
    int published;
} catalogue_item_t;

typedef struct catalogue_list {
    catalogue_item_t *items;
    size_t count;
} catalogue_list_t;

/* Every service, A–Z. with_unpublished: include unpublished ones (editors).
 * Returns 0 or < 0 on a database error. */
int catalogue_all(db_t *db, arena_t *a, int with_unpublished, catalogue_list_t *out);
/* One page of the services matching query (German terms, platform/search.h),
 * best first: summed weight, then name, then slug. *page gets the items
 * [offset, offset + limit) of that order, *total the number of all matches. A
 * query without terms matches nothing. Unpublished services are not in the
 * index (catalogue_import.c), so they are never found. Returns 0, -1 for invalid
 * UTF-8, < -1 on a database error. */
int catalogue_search(db_t *db, arena_t *a, const char *query, size_t offset, size_t limit, catalogue_list_t *page,
                     size_t *total);
/* The services of one life situation, A–Z. Returns 0 or < 0. */
int catalogue_situation_services(db_t *db, arena_t *a, int64_t situation_id, int with_unpublished,
                                 catalogue_list_t *out);

/* The view model of one item: slug, name, summary, url (and score when > 0,
 * "unpublished": true for an unpublished one, which only editors see). */
json_t *catalogue_item_json(const catalogue_item_t *item);
/* Items [offset, offset + limit) of list as a JSON array. */
json_t *catalogue_items_json(const catalogue_list_t *list, size_t offset, size_t limit);

/* All life situations in their order: slug, name, description, url, count
 * (published services in it). Returns 0 with *out, or < 0. */
int catalogue_situations(db_t *db, json_t **out);
/* One life situation by slug: 0 with *out (slug, name, description,
 * description_html, url) and *id, 1 when there is none, < 0 on an error. */
int catalogue_situation(db_t *db, arena_t *a, const char *slug, json_t **out, int64_t *id);

/* One service by slug with everything a citizen needs (see docs/openapi.yaml,
 * schema Service): texts, Markdown rendered to HTML, documents, unit with its
 * contact data, life situations, and the links to act on it. Labels are in
 * lang. Returns 0 with *out, 1 when there is no such (visible) service, < 0 on
 * an error. */
int catalogue_service(db_t *db, arena_t *a, const char *slug, const char *lang, int with_unpublished, json_t **out);

/* catalogue_api.c: GET /api/v1/leistungen and /api/v1/leistungen/:slug (the routes
 * are in catalogue.c's table). */
struct http_req;
int catalogue_api_list(struct http_req *req);
int catalogue_api_service(struct http_req *req);

/* s percent-encoded for a query string (arena): all but A-Z a-z 0-9 - . _ ~ */
const char *catalogue_url_component(arena_t *a, const char *s);

/* The name's key for German dictionary order, in the arena. */
const char *catalogue_sort_key(arena_t *a, const char *name);
/* The A–Z group of a sort key: "A" … "Z", or "#" for anything else. */
char catalogue_letter(const char *sort_key);

#endif
