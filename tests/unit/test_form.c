/* test_form.c — unit tests for query strings and urlencoded bodies (web/form.c).
 *
 * Covers what a user or an attacker can send: browser-encoded bodies with
 * umlauts and line breaks, repeated checkbox names, broken escapes, invalid
 * UTF-8 hidden behind percent signs, and every limit at exactly its value and
 * one byte or field past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "web/form.h"

#include "fixture_arena.h" /* a fresh arena per test, freed in teardown */

static const form_limits_t small_limits = {.max_fields = 5, .max_value = 10};

/* Parses a NUL-terminated test input from an exact-size heap copy, so that ASan
 * reports any read past n. */
static int parse(arena_t *a, const char *s, const form_limits_t *lim, form_t *out)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int rc = form_parse_urlencoded(a, copy, n, lim, out);
    free(copy); /* results live in the arena, not in the input */
    return rc;
}

/* A string of n copies of c, in the arena. */
static char *repeat(arena_t *a, char c, size_t n)
{
    char *s = arena_alloc(a, n + 1);
    memset(s, c, n);
    return s;
}

static void test_form_basic(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "a=1&b=x%20y&c=hello+world", NULL, &f), FORM_OK);
    assert_int_equal(f.count, 3);
    assert_string_equal(f.fields[0].name, "a");
    assert_string_equal(f.fields[0].value, "1");
    assert_int_equal(f.fields[0].value_len, 1);
    assert_string_equal(f.fields[1].value, "x y");
    assert_string_equal(f.fields[2].value, "hello world");
    assert_int_equal(f.fields[2].value_len, 11);
    assert_string_equal(form_get(&f, "b"), "x y");
    assert_null(form_get(&f, "d"));
    assert_null(form_get(&f, "A")); /* names are case-sensitive */
}

static void test_form_empty_input(void **state)
{
    arena_t *a = *state;
    form_t f = {(form_field_t *)1, 99};
    assert_int_equal(form_parse_urlencoded(a, "", 0, &small_limits, &f), FORM_OK);
    assert_int_equal(f.count, 0);
    assert_null(form_get(&f, "a"));
    assert_int_equal(form_parse_urlencoded(a, NULL, 0, &small_limits, &f), FORM_OK);
    assert_int_equal(f.count, 0);
    /* Only separators: still nothing. */
    assert_int_equal(parse(a, "&&&", &small_limits, &f), FORM_OK);
    assert_int_equal(f.count, 0);
}

static void test_form_repeated_names_kept_in_order(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "thema=verkehr&x=1&thema=umwelt&thema=bildung", NULL, &f), FORM_OK);
    assert_int_equal(f.count, 4);
    assert_string_equal(f.fields[0].value, "verkehr");
    assert_string_equal(f.fields[2].value, "umwelt");
    assert_string_equal(f.fields[3].value, "bildung");
    assert_string_equal(form_get(&f, "thema"), "verkehr");
}

static void test_form_missing_and_empty_parts(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "consent&=orphan&empty=&&last=x&", NULL, &f), FORM_OK);
    assert_int_equal(f.count, 4);
    assert_string_equal(f.fields[0].name, "consent");
    assert_string_equal(f.fields[0].value, "");
    assert_int_equal(f.fields[0].value_len, 0);
    assert_string_equal(f.fields[1].name, "");
    assert_string_equal(f.fields[1].value, "orphan");
    assert_string_equal(f.fields[2].name, "empty");
    assert_string_equal(f.fields[2].value, "");
    assert_string_equal(f.fields[3].value, "x");
    /* Only the first '=' splits; later ones belong to the value. */
    assert_int_equal(parse(a, "token=YWJj==", NULL, &f), FORM_OK);
    assert_string_equal(form_get(&f, "token"), "YWJj==");
}

static void test_form_plus_and_percent(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "q=1%2B1+%3D+2&na+me=v", NULL, &f), FORM_OK);
    assert_string_equal(f.fields[0].value, "1+1 = 2");
    assert_string_equal(f.fields[1].name, "na me");
    assert_int_equal(parse(a, "k=%e2%82%ac%E2%82%AC", NULL, &f), FORM_OK);
    assert_string_equal(f.fields[0].value, "\xe2\x82\xac\xe2\x82\xac");
    assert_int_equal(f.fields[0].value_len, 6);
    /* An encoded '&' or '=' does not split. */
    assert_int_equal(parse(a, "a=x%26b%3Dc", NULL, &f), FORM_OK);
    assert_int_equal(f.count, 1);
    assert_string_equal(f.fields[0].value, "x&b=c");
}

static void test_form_percent_decode(void **state)
{
    arena_t *a = *state;
    size_t len = 99;
    char *s = form_percent_decode(a, "%41%62c+d", 9, 0, &len);
    assert_string_equal(s, "Abc+d");
    assert_int_equal(len, 5);
    s = form_percent_decode(a, "%41%62c+d", 9, 1, &len);
    assert_string_equal(s, "Abc d");
    s = form_percent_decode(a, "", 0, 1, &len);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    /* %00 decodes to a NUL byte; the length tells, the caller must check. */
    s = form_percent_decode(a, "a%00b", 5, 0, &len);
    assert_non_null(s);
    assert_int_equal(len, 3);
    assert_int_equal(s[1], '\0');
    assert_int_equal(s[2], 'b');
    /* n bounds the input: "%41" cut after two bytes is a broken escape. */
    len = 99;
    assert_null(form_percent_decode(a, "%41", 2, 0, &len));
    assert_int_equal(len, 0);
    assert_string_equal(form_percent_decode(a, "ab%41", 2, 0, NULL), "ab");
}

static void test_form_malformed_escapes(void **state)
{
    arena_t *a = *state;
    static const char *const bad[] = {"a=%", "a=%2", "a=%zz", "a=%2g", "a=%g2", "%=1", "a=1&b=%%41", "x%4=1", "a=% 1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        form_t f = {(form_field_t *)1, 99};
        int rc = parse(a, bad[i], NULL, &f);
        if (rc != FORM_EMALFORMED)
            fail_msg("'%s' gave %d, want FORM_EMALFORMED", bad[i], rc);
        /* A refused form is empty, never half-filled. */
        assert_int_equal(f.count, 0);
        assert_null(f.fields);
        assert_null(form_percent_decode(a, bad[i], strlen(bad[i]), 1, NULL));
    }
}

static void test_form_utf8(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "stra%C3%9Fe=Gr%C3%BC%C3%9Fe", NULL, &f), FORM_OK);
    assert_string_equal(f.fields[0].name, "stra\xc3\x9f\x65");
    assert_string_equal(f.fields[0].value, "Gr\xc3\xbc\xc3\x9f\x65");
    /* Raw UTF-8 (as some clients send in query strings) is fine too. */
    assert_int_equal(parse(a, "q=\xc3\xa4", NULL, &f), FORM_OK);
    assert_string_equal(f.fields[0].value, "\xc3\xa4");

    static const char *const bad[] = {
        "v=%C3",            /* truncated */
        "v=%C0%AF",         /* overlong '/' */
        "v=%ED%A0%80",      /* surrogate */
        "v=%F4%90%80%80",   /* above U+10FFFF */
        "v=%00",            /* NUL */
        "v=a%FFb",          /* never valid */
        "%C3=x",            /* in the name */
        "v=Gr\xfc\xdf\x65", /* raw Latin-1 "Grüße" */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f.count = 99;
        int rc = parse(a, bad[i], NULL, &f);
        if (rc != FORM_EUTF8)
            fail_msg("case %zu gave %d, want FORM_EUTF8", i, rc);
        assert_int_equal(f.count, 0);
    }
}

static void test_form_max_fields(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "a=1&b=2&c=3&d=4&e=5", &small_limits, &f), FORM_OK);
    assert_int_equal(f.count, 5);
    assert_string_equal(f.fields[4].value, "5");
    assert_int_equal(parse(a, "a=1&b=2&c=3&d=4&e=5&f=6", &small_limits, &f), FORM_ETOOMANY);
    assert_int_equal(f.count, 0);
    /* Empty segments are not fields and do not count. */
    assert_int_equal(parse(a, "&a=1&&b=2&c=3&&d=4&e=5&&", &small_limits, &f), FORM_OK);
    assert_int_equal(f.count, 5);
    /* The count comes first: a broken escape in field 6 still reads as "too many". */
    assert_int_equal(parse(a, "a&b&c&d&e&%zz", &small_limits, &f), FORM_ETOOMANY);

    /* Defaults without limits: 200 fields. */
    char *many = arena_alloc(a, 201 * 2 + 1);
    for (size_t i = 0; i < 201; i++)
        memcpy(many + 2 * i, "x&", 2);
    assert_int_equal(form_parse_urlencoded(a, many, 200 * 2 - 1, NULL, &f), FORM_OK);
    assert_int_equal(f.count, 200);
    assert_int_equal(form_parse_urlencoded(a, many, 201 * 2 - 1, NULL, &f), FORM_ETOOMANY);
}

static void test_form_name_limit(void **state)
{
    arena_t *a = *state;
    form_t f;
    char *name = repeat(a, 'n', FORM_MAX_NAME);
    assert_int_equal(parse(a, arena_printf(a, "%s=v", name), NULL, &f), FORM_OK);
    assert_int_equal(strlen(f.fields[0].name), FORM_MAX_NAME);
    assert_int_equal(parse(a, arena_printf(a, "%sn=v", name), NULL, &f), FORM_ETOOLONG);
    assert_int_equal(f.count, 0);
    assert_int_equal(parse(a, arena_printf(a, "%sn", name), NULL, &f), FORM_ETOOLONG);

    /* The limit is on decoded bytes: 256 escapes are 768 bytes on the wire. */
    char *encoded = arena_alloc(a, 3 * FORM_MAX_NAME + 1);
    for (size_t i = 0; i < FORM_MAX_NAME; i++)
        memcpy(encoded + 3 * i, "%41", 3);
    assert_int_equal(parse(a, arena_printf(a, "%s=v", encoded), NULL, &f), FORM_OK);
    assert_int_equal(f.fields[0].name[FORM_MAX_NAME - 1], 'A');
    assert_int_equal(parse(a, arena_printf(a, "%s%%41=v", encoded), NULL, &f), FORM_ETOOLONG);
}

static void test_form_value_limit(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "v=0123456789", &small_limits, &f), FORM_OK);
    assert_int_equal(f.fields[0].value_len, 10);
    assert_int_equal(parse(a, "v=0123456789X", &small_limits, &f), FORM_ETOOLONG);
    assert_int_equal(f.count, 0);
    /* Ten decoded bytes from thirty on the wire are within the limit. */
    assert_int_equal(parse(a, "v=%41%41%41%41%41%41%41%41%41%41", &small_limits, &f), FORM_OK);
    assert_string_equal(f.fields[0].value, "AAAAAAAAAA");
    assert_int_equal(parse(a, "v=%41%41%41%41%41%41%41%41%41%41+", &small_limits, &f), FORM_ETOOLONG);
    /* The default is 64 KiB. */
    char *big = repeat(a, 'x', 64 * 1024 + 2);
    big[0] = 'v';
    big[1] = '=';
    assert_int_equal(form_parse_urlencoded(a, big, 64 * 1024 + 2, NULL, &f), FORM_OK);
    assert_int_equal(f.fields[0].value_len, 64 * 1024);
    big = repeat(a, 'x', 64 * 1024 + 3);
    big[1] = '=';
    assert_int_equal(form_parse_urlencoded(a, big, 64 * 1024 + 3, NULL, &f), FORM_ETOOLONG);
}

static void test_form_first_error_discards_all(void **state)
{
    arena_t *a = *state;
    form_t f;
    assert_int_equal(parse(a, "good=1&also=2&bad=%C3", NULL, &f), FORM_EUTF8);
    assert_int_equal(f.count, 0);
    assert_null(f.fields);
    assert_null(form_get(&f, "good"));
}

/* form_url_encode and the parser are inverse: what one writes, the other reads back. */
static void test_form_url_encode_round_trip(void **state)
{
    arena_t *a = *state;
    assert_string_equal(form_url_encode(a, NULL), "");
    assert_string_equal(form_url_encode(a, "Radweg-Nord_2.0~"), "Radweg-Nord_2.0~");
    assert_string_equal(form_url_encode(a, "a b&c=d/ü"), "a%20b%26c%3Dd%2F%C3%BC");
    const char *encoded = arena_printf(a, "q=%s", form_url_encode(a, "Straße & Plätze?"));
    form_t f;
    assert_int_equal(parse(a, encoded, NULL, &f), FORM_OK);
    assert_string_equal(form_get(&f, "q"), "Straße & Plätze?");
    /* A path as one query value: its slashes stay readable, its query is encoded. */
    assert_string_equal(form_url_encode_path(a, "/termine/buchen?leistung=a&antrag=7"),
                        "/termine/buchen%3Fleistung%3Da%26antrag%3D7");
    encoded = arena_printf(a, "weiter=%s&x=1", form_url_encode_path(a, "/a b/c?d=e&f"));
    assert_int_equal(parse(a, encoded, NULL, &f), FORM_OK);
    assert_string_equal(form_get(&f, "weiter"), "/a b/c?d=e&f");
    assert_string_equal(form_get(&f, "x"), "1");
}

static void test_form_browser_body(void **state)
{
    arena_t *a = *state;
    form_t f;
    /* What Firefox sends for a textarea with a line break, quotes and an emoji. */
    const char *body = "csrf=Zm9vYmFyYmF6&titel=Neue+Radwege+in+der+Altstadt"
                       "&text=Sehr+geehrte+Damen+und+Herren%2C%0D%0Aich+schlage+%E2%80%9ETempo+30%E2%80%9C+vor"
                       "+%F0%9F%9A%B2.&thema=verkehr&thema=umwelt&einwilligung=on";
    assert_int_equal(parse(a, body, NULL, &f), FORM_OK);
    assert_int_equal(f.count, 6);
    assert_string_equal(form_get(&f, "csrf"), "Zm9vYmFyYmF6");
    assert_string_equal(form_get(&f, "titel"), "Neue Radwege in der Altstadt");
    assert_string_equal(form_get(&f, "text"), "Sehr geehrte Damen und Herren,\r\nich schlage "
                                              "\xe2\x80\x9eTempo 30\xe2\x80\x9c vor \xf0\x9f\x9a\xb2.");
    assert_string_equal(form_get(&f, "einwilligung"), "on");
    assert_string_equal(f.fields[4].value, "umwelt");

    /* A query string as h2o hands it over after the '?'. */
    assert_int_equal(parse(a, "q=Stra%C3%9Fe&seite=2&sort=", NULL, &f), FORM_OK);
    assert_string_equal(form_get(&f, "q"), "Stra\xc3\x9f\x65");
    assert_string_equal(form_get(&f, "seite"), "2");
    assert_string_equal(form_get(&f, "sort"), "");
}

static void test_form_get_null(void **state)
{
    form_t f = {NULL, 0};
    assert_null(form_get(NULL, "a"));
    assert_null(form_get(&f, "a"));
    assert_null(form_get(&f, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_form_basic, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_empty_input, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_repeated_names_kept_in_order, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_missing_and_empty_parts, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_plus_and_percent, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_percent_decode, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_malformed_escapes, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_utf8, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_max_fields, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_name_limit, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_value_limit, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_first_error_discards_all, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_browser_body, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_form_url_encode_round_trip, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test(test_form_get_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
