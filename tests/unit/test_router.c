/* test_router.c — unit tests for route matching (web/router.c).
 *
 * The router is the first thing every request meets: it must find the one route
 * a path means, decode parameters exactly once, refuse what could smuggle a
 * different path in (encoded slashes stay in their segment, dot segments and bad
 * escapes are refused), and tell 404 from 405 with the right Allow list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "web/router.h"

static int ok_handler(http_req_t *req) { return 0; }

static const route_t site_routes[] = {
    {"GET", "/", ok_handler, NULL, 0, 0},
    {"GET", "/leistungen", ok_handler, NULL, 0, 0},
    {"GET", "/leistungen/:slug", ok_handler, NULL, 0, 0},
    {"POST", "/leistungen/:slug", ok_handler, "services.edit", 0, 0},
    {"GET", "/leistungen/:slug/formular/:step", ok_handler, NULL, 0, 0},
    {"DELETE", "/antraege/:id", ok_handler, NULL, 0, 0},
    {"GET", "/static/:hash/:path", ok_handler, NULL, ROUTE_PREFIX, 0},
    {"GET", "/_test/slow", ok_handler, NULL, ROUTE_TEST, 0},
};
static const module_t site = {.name = "site", .title = "Site", .summary = "", .home = "/", .routes = site_routes,
                              .route_count = sizeof(site_routes) / sizeof(site_routes[0])};
static const module_t *const mods[] = {&site};

typedef struct fixture {
    router_t *router;
    arena_t arena;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    char err[256];
    f->router = router_build(mods, 1, 0, err, sizeof(err));
    if (!f->router)
        return -1;
    arena_init(&f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    router_free(f->router);
    arena_clear(&f->arena);
    free(f);
    return 0;
}

static int match(fixture_t *f, const char *method, const char *path, router_match_t *m)
{
    return router_match(f->router, &f->arena, method, path, strlen(path), m);
}

static void test_root_and_literals(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    assert_int_equal(match(f, "GET", "/", &m), ROUTER_FOUND);
    assert_string_equal(m.route->pattern, "/");
    assert_int_equal(match(f, "GET", "/leistungen", &m), ROUTER_FOUND);
    assert_string_equal(m.route->pattern, "/leistungen");
    assert_int_equal(m.count, 0);
    /* A trailing slash names the same page. */
    assert_int_equal(match(f, "GET", "/leistungen/", &m), ROUTER_FOUND);
    assert_string_equal(m.route->pattern, "/leistungen");
    assert_string_equal(m.module, "site");
}

static void test_params_are_decoded(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    assert_int_equal(match(f, "GET", "/leistungen/reisepass%20beantragen/formular/2", &m), ROUTER_FOUND);
    assert_string_equal(m.route->pattern, "/leistungen/:slug/formular/:step");
    assert_int_equal(m.count, 2);
    assert_string_equal(m.names[0], "slug");
    assert_string_equal(m.values[0], "reisepass beantragen");
    assert_string_equal(m.names[1], "step");
    assert_string_equal(m.values[1], "2");
    /* Umlauts arrive percent-encoded as UTF-8. */
    assert_int_equal(match(f, "GET", "/leistungen/f%C3%BChrerschein", &m), ROUTER_FOUND);
    assert_string_equal(m.values[0], "führerschein");
}

static void test_encoded_slash_stays_in_segment(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    /* %2F must not turn one segment into two (and so into another route). */
    assert_int_equal(match(f, "GET", "/leistungen/a%2Fformular%2F1", &m), ROUTER_FOUND);
    assert_string_equal(m.route->pattern, "/leistungen/:slug");
    assert_string_equal(m.values[0], "a/formular/1");
}

static void test_method_not_allowed_lists_methods(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    assert_int_equal(match(f, "PUT", "/leistungen/x", &m), ROUTER_ENOMETHOD);
    assert_non_null(strstr(m.allow, "GET"));
    assert_non_null(strstr(m.allow, "HEAD"));
    assert_non_null(strstr(m.allow, "POST"));
    assert_null(strstr(m.allow, "DELETE"));
    assert_int_equal(match(f, "GET", "/antraege/7", &m), ROUTER_ENOMETHOD);
    assert_string_equal(m.allow, "DELETE");
}

static void test_head_matches_get(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    assert_int_equal(match(f, "HEAD", "/leistungen/x", &m), ROUTER_FOUND);
    assert_string_equal(m.route->method, "GET");
    /* HEAD never reaches a POST-only route. */
    assert_int_equal(match(f, "HEAD", "/antraege/1", &m), ROUTER_ENOMETHOD);
}

static void test_not_found(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    assert_int_equal(match(f, "GET", "/nirgends", &m), ROUTER_ENOTFOUND);
    assert_int_equal(match(f, "GET", "/leistungen/a/b", &m), ROUTER_ENOTFOUND);
    assert_int_equal(match(f, "GET", "/leistungen/a/formular/1/2", &m), ROUTER_ENOTFOUND);
    /* Test routes are absent unless asked for. */
    assert_int_equal(match(f, "GET", "/_test/slow", &m), ROUTER_ENOTFOUND);
    /* Deeper than any route: still just "not found". */
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "/a");
    assert_int_equal(match(f, "GET", deep, &m), ROUTER_ENOTFOUND);
}

static void test_bad_paths_refused(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    assert_int_equal(match(f, "GET", "leistungen", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/leistungen//x", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/leistungen/%", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/leistungen/%4", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/leistungen/%zz", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/leistungen/%00", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/leistungen/%C3%28", &m), ROUTER_EBADPATH); /* invalid UTF-8 */
    assert_int_equal(match(f, "GET", "/leistungen/..", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/leistungen/%2e%2e", &m), ROUTER_EBADPATH);
}

static void test_prefix_route_takes_the_rest(void **state)
{
    fixture_t *f = *state;
    router_match_t m;
    assert_int_equal(match(f, "GET", "/static/abc/kern/fonts/fira.woff2", &m), ROUTER_FOUND);
    assert_string_equal(m.values[0], "abc");
    assert_string_equal(m.values[1], "kern/fonts/fira.woff2");
    /* The rest is checked segment by segment: no climbing out with dot segments. */
    assert_int_equal(match(f, "GET", "/static/abc/../../etc/passwd", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/static/abc/a%2F..%2Fb", &m), ROUTER_EBADPATH);
    assert_int_equal(match(f, "GET", "/static/abc", &m), ROUTER_ENOTFOUND);
}

static void test_build_refuses_bad_tables(void **state)
{
    (void)state;
    char err[256];
    static const route_t dup[] = {{"GET", "/a", ok_handler, NULL, 0, 0}, {"GET", "/a", ok_handler, NULL, 0, 0}};
    static const module_t mdup = {.name = "dup", .routes = dup, .route_count = 2};
    const module_t *const l1[] = {&mdup};
    assert_null(router_build(l1, 1, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "declared twice"));

    static const route_t bad[] = {{"GET", "a/b", ok_handler, NULL, 0, 0}};
    static const module_t mbad = {.name = "bad", .routes = bad, .route_count = 1};
    const module_t *const l2[] = {&mbad};
    assert_null(router_build(l2, 1, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "must start with /"));

    static const route_t empty[] = {{"GET", "/a//b", ok_handler, NULL, 0, 0}};
    static const module_t mempty = {.name = "empty", .routes = empty, .route_count = 1};
    const module_t *const l3[] = {&mempty};
    assert_null(router_build(l3, 1, 0, err, sizeof(err)));

    static const route_t noname[] = {{"GET", "/a/:", ok_handler, NULL, 0, 0}};
    static const module_t mnoname = {.name = "noname", .routes = noname, .route_count = 1};
    const module_t *const l4[] = {&mnoname};
    assert_null(router_build(l4, 1, 0, err, sizeof(err)));
}

static void test_with_test_routes(void **state)
{
    (void)state;
    char err[256];
    router_t *r = router_build(mods, 1, 1, err, sizeof(err));
    assert_non_null(r);
    assert_int_equal(router_count(r), sizeof(site_routes) / sizeof(site_routes[0]));
    arena_t a;
    arena_init(&a);
    router_match_t m;
    assert_int_equal(router_match(r, &a, "GET", "/_test/slow", 11, &m), ROUTER_FOUND);
    const char *module = NULL;
    const route_t *rt = router_route(r, (size_t)m.index, &module);
    assert_ptr_equal(rt, m.route);
    assert_string_equal(module, "site");
    assert_null(router_route(r, 999, NULL));
    arena_clear(&a);
    router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_root_and_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params_are_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encoded_slash_stays_in_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_not_allowed_lists_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_matches_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_paths_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_route_takes_the_rest, setup, teardown),
        cmocka_unit_test(test_build_refuses_bad_tables),
        cmocka_unit_test(test_with_test_routes),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
