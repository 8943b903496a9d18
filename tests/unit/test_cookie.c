/* test_cookie.c — unit tests for the Cookie header parser (web/cookie.c).
 *
 * A browser sends our session and CSRF cookies next to whatever else lives on
 * the host, so the tests check that our cookies are found in realistic headers,
 * that broken pairs are skipped without losing the rest, and that the count and
 * pair limits hold at exactly their values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "web/cookie.h"

#include "fixture_arena.h" /* a fresh arena per test, freed in teardown */

/* Parses h[0..n) from an exact-size heap copy, so that ASan sees reads past n. */
static size_t parse_n(arena_t *a, const char *h, size_t n, cookie_t *out, size_t max)
{
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, h, n);
    size_t count = cookie_parse(a, copy, n, out, max);
    free(copy); /* names and values are arena copies */
    return count;
}

static size_t parse(arena_t *a, const char *h, cookie_t *out, size_t max)
{
    return parse_n(a, h, strlen(h), out, max);
}

static void test_cookie_basic(void **state)
{
    arena_t *a = *state;
    cookie_t c[8];
    assert_int_equal(parse(a, "a=1; b=2", c, 8), 2);
    assert_string_equal(c[0].name, "a");
    assert_string_equal(c[0].value, "1");
    assert_string_equal(c[1].name, "b");
    assert_string_equal(c[1].value, "2");
    assert_string_equal(cookie_find(c, 2, "b"), "2");
    assert_null(cookie_find(c, 2, "c"));
    assert_null(cookie_find(c, 2, "B"));
}

static void test_cookie_whitespace(void **state)
{
    arena_t *a = *state;
    cookie_t c[8];
    assert_int_equal(parse(a, "a=1;b=2", c, 8), 2);
    assert_string_equal(c[1].value, "2");
    assert_int_equal(parse(a, "  a = 1 ;\tb=2\t ;   c=3  ", c, 8), 3);
    assert_string_equal(c[0].name, "a");
    assert_string_equal(c[0].value, "1");
    assert_string_equal(c[1].value, "2");
    assert_string_equal(c[2].value, "3");
}

static void test_cookie_quotes_and_empty(void **state)
{
    arena_t *a = *state;
    cookie_t c[8];
    assert_int_equal(parse(a, "sid=\"abc\"; empty=; q=\"\"; eq=a=b", c, 8), 4);
    assert_string_equal(cookie_find(c, 4, "sid"), "abc");
    assert_string_equal(cookie_find(c, 4, "empty"), "");
    assert_string_equal(cookie_find(c, 4, "q"), "");
    assert_string_equal(cookie_find(c, 4, "eq"), "a=b");
    /* A quote that is not closed, or closed early, makes the pair invalid. */
    assert_int_equal(parse(a, "x=\"abc; y=\"; z=ab\"c\"; w=1", c, 8), 1);
    assert_string_equal(c[0].name, "w");
}

static void test_cookie_invalid_pairs_skipped(void **state)
{
    arena_t *a = *state;
    cookie_t c[16];
    const char *h = "noequals; =nameless; bad name=1; sp=a b; comma=a,b; bs=a\\b; dq=a\"b; "
                    "umlaut=\xc3\xa4; ctl=a\x01\x62; tab=a\tb; (paren)=1; ok=yes";
    assert_int_equal(parse(a, h, c, 16), 1);
    assert_string_equal(c[0].name, "ok");
    assert_string_equal(c[0].value, "yes");
    /* A NUL byte inside a pair spoils only that pair. */
    const char with_nul[] = "a=x\0y; b=2";
    assert_int_equal(parse_n(a, with_nul, sizeof(with_nul) - 1, c, 16), 1);
    assert_string_equal(c[0].name, "b");
}

static void test_cookie_empty_headers(void **state)
{
    arena_t *a = *state;
    cookie_t c[4];
    assert_int_equal(parse(a, "", c, 4), 0);
    assert_int_equal(parse(a, " ; ;; ", c, 4), 0);
    assert_int_equal(cookie_parse(a, NULL, 0, c, 4), 0);
    assert_int_equal(cookie_parse(a, "a=1", 3, NULL, 4), 0);
    assert_int_equal(parse(a, "a=1", c, 0), 0);
}

static void test_cookie_count_limit(void **state)
{
    arena_t *a = *state;
    cookie_t c[COOKIE_MAX_COUNT + 10];
    char *h = arena_alloc(a, 70 * 8);
    size_t n = 0;
    for (int i = 0; i < 60; i++)
        n += (size_t)sprintf(h + n, "c%d=%d; ", i, i);
    /* 60 cookies on offer: COOKIE_MAX_COUNT are taken, even with more room. */
    assert_int_equal(parse(a, h, c, COOKIE_MAX_COUNT + 10), COOKIE_MAX_COUNT);
    assert_string_equal(c[COOKIE_MAX_COUNT - 1].name, "c49");
    assert_string_equal(c[COOKIE_MAX_COUNT - 1].value, "49");
    assert_null(cookie_find(c, COOKIE_MAX_COUNT, "c50"));
    /* A smaller max wins, and out is not written past it. */
    cookie_t few[3];
    assert_int_equal(parse(a, h, few, 3), 3);
    assert_string_equal(few[2].name, "c2");
    /* Invalid pairs do not use up the count. */
    assert_int_equal(parse(a, "bad; bad; bad; a=1; b=2; c=3", few, 3), 3);
    assert_string_equal(few[0].name, "a");
}

static void test_cookie_pair_limit(void **state)
{
    arena_t *a = *state;
    cookie_t c[4];
    /* "v=" plus 4094 bytes is exactly COOKIE_MAX_PAIR. */
    char *value = arena_alloc(a, COOKIE_MAX_PAIR);
    memset(value, 'x', COOKIE_MAX_PAIR - 2);
    assert_int_equal(parse(a, arena_printf(a, "v=%s; after=1", value), c, 4), 2);
    assert_int_equal(strlen(c[0].value), COOKIE_MAX_PAIR - 2);
    assert_string_equal(c[1].name, "after");
    /* One byte more and the pair is skipped; the next one still counts. */
    assert_int_equal(parse(a, arena_printf(a, "v=%sx; after=1", value), c, 4), 1);
    assert_string_equal(c[0].name, "after");
    /* Blanks around the pair are not part of it. */
    assert_int_equal(parse(a, arena_printf(a, "   v=%s   ;after=1", value), c, 4), 2);
}

static void test_cookie_duplicates_first_wins(void **state)
{
    arena_t *a = *state;
    cookie_t c[4];
    /* Browsers list the cookie with the longest path first. */
    assert_int_equal(parse(a, "sid=specific; sid=general", c, 4), 2);
    assert_string_equal(cookie_find(c, 2, "sid"), "specific");
    assert_string_equal(c[1].value, "general");
    assert_null(cookie_find(NULL, 0, "sid"));
    assert_null(cookie_find(c, 2, NULL));
}

static void test_cookie_browser_header(void **state)
{
    arena_t *a = *state;
    cookie_t c[COOKIE_MAX_COUNT];
    const char *h = "_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987.1700000001; "
                    "rathaus_session=v2.q8K3-xZ_abcDEF0123456789; rathaus_csrf=Zm9vYmFy%3D; "
                    "theme=dark; consent={\"necessary\":true}; lang=de-DE";
    size_t n = parse(a, h, c, COOKIE_MAX_COUNT);
    /* consent holds '"' and ',' -> skipped; everything else is kept. */
    assert_int_equal(n, 6);
    assert_string_equal(cookie_find(c, n, "rathaus_session"), "v2.q8K3-xZ_abcDEF0123456789");
    assert_string_equal(cookie_find(c, n, "rathaus_csrf"), "Zm9vYmFy%3D"); /* not URL-decoded */
    assert_string_equal(cookie_find(c, n, "lang"), "de-DE");
    assert_null(cookie_find(c, n, "consent"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cookie_basic, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_whitespace, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_quotes_and_empty, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_invalid_pairs_skipped, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_empty_headers, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_count_limit, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_pair_limit, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_duplicates_first_wins, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_browser_header, fixture_arena_setup, fixture_arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
