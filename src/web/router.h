/* router.h — matches a method and path against the modules' route tables.
 *
 * Patterns are split into segments once at start-up; matching walks the
 * segments of the request path, percent-decoding each (a decoded "/" stays
 * inside its segment, so it can never smuggle in another route). A path that
 * matches a pattern but not its method gives ROUTER_ENOMETHOD with the list of
 * allowed methods, for a 405 with an Allow header.
 */
#ifndef RATHAUS_WEB_ROUTER_H
#define RATHAUS_WEB_ROUTER_H

#include <stddef.h>
#include "core/arena.h"
#include "web/http.h"

#define ROUTER_FOUND 0
#define ROUTER_ENOTFOUND (-1)
#define ROUTER_ENOMETHOD (-2)
#define ROUTER_EBADPATH (-3) /* bad escape, invalid UTF-8, NUL, dot segment */

#define ROUTER_MAX_SEGMENTS 16

typedef struct router router_t;

typedef struct router_match {
    const route_t *route;
    int index;                /* position in router_route order, for metrics */
    const char *module;       /* name of the module that declared it */
    const char *names[HTTP_MAX_PARAMS];
    const char *values[HTTP_MAX_PARAMS];
    size_t count;
    char allow[64];           /* with ROUTER_ENOMETHOD: "GET, HEAD, POST" */
} router_match_t;

/* Builds a router over modules (routes flagged ROUTE_TEST only when with_test).
 * Refuses bad patterns and two routes with the same method and pattern.
 * Returns NULL with a message in err. */
router_t *router_build(const module_t *const *modules, size_t count, int with_test, char *err,
                       size_t errlen);
void router_free(router_t *r);
/* Matches method ("HEAD" matches GET routes) and raw path (without query). Decoded
 * parameter values are allocated in a. */
int router_match(const router_t *r, arena_t *a, const char *method, const char *path, size_t path_len,
                 router_match_t *out);
size_t router_count(const router_t *r);
const route_t *router_route(const router_t *r, size_t i, const char **module);

#endif
