/* fuzz_router.c — libFuzzer target for route matching (web/router.c).
 *
 * Input: first byte picks a method, the rest is a raw request path. Whatever the
 * bytes, matching must not crash, read out of bounds or return a match whose
 * decoded values are not valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "web/router.h"

static int h(http_req_t *req) { return 0; }

static const route_t routes[] = {
    {"GET", "/", h, NULL, 0, 0},
    {"GET", "/leistungen/:slug", h, NULL, 0, 0},
    {"POST", "/leistungen/:slug", h, NULL, 0, 0},
    {"GET", "/a/:x/b/:y/c/:z", h, NULL, 0, 0},
    {"GET", "/static/:hash/:path", h, NULL, ROUTE_PREFIX, 0},
    {"DELETE", "/antraege/:id", h, NULL, 0, 0},
};
static const module_t mod = {.name = "fuzz", .routes = routes, .route_count = sizeof(routes) / sizeof(routes[0])};
static const module_t *const mods[] = {&mod};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static router_t *router;
    if (!router) {
        char err[128];
        router = router_build(mods, 1, 0, err, sizeof(err));
        if (!router)
            abort();
    }
    if (size < 1)
        return 0;
    static const char *const methods[] = {"GET", "HEAD", "POST", "DELETE", "PUT"};
    const char *method = methods[data[0] % 5];
    arena_t a;
    arena_init(&a);
    router_match_t m;
    int rc = router_match(router, &a, method, (const char *)data + 1, size - 1, &m);
    if (rc == ROUTER_FOUND) {
        for (size_t i = 0; i < m.count; i++)
            if (!utf8_valid(m.values[i], strlen(m.values[i])))
                abort();
    }
    arena_clear(&a);
    return 0;
}
