/* test_search.c — unit tests for German search terms (platform/search.c).
 *
 * What a citizen types must meet what the catalogue says: plural and singular,
 * umlaut and its transliteration, ß and ss, upper and lower case, hyphenated
 * compounds; and what says nothing (stop words, punctuation) must vanish. Also
 * the edges: empty text, invalid UTF-8, a word longer than a term may be, more
 * words than one text may give, and several threads at once (each has its own
 * stemmer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "platform/search.h"

#include "fixture_arena.h" /* a fresh arena per test, freed in teardown */

/* The terms of text joined by single spaces, in the arena ("" when none). */
static const char *terms_of(arena_t *a, const char *text)
{
    const char **terms;
    size_t count;
    assert_int_equal(search_terms(a, text, &terms, &count), 0);
    size_t total = 1;
    for (size_t i = 0; i < count; i++)
        total += strlen(terms[i]) + 1;
    char *out = arena_alloc(a, total);
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (i)
            strcat(out, " ");
        strcat(out, terms[i]);
    }
    return out;
}

static void test_plural_umlaut_and_transliteration_meet(void **state)
{
    arena_t *a = *state;
    const char *want = terms_of(a, "Reisepass");
    assert_string_equal(want, "reisepass");
    assert_string_equal(terms_of(a, "Reisepässe"), want);
    assert_string_equal(terms_of(a, "Reisepaesse"), want);
    assert_string_equal(terms_of(a, "reisepass"), want);
    assert_string_equal(terms_of(a, "REISEPÄSSE"), want);
    assert_string_equal(terms_of(a, "Reisepasses"), want);
}

static void test_declension_and_derivation_meet(void **state)
{
    arena_t *a = *state;
    assert_string_equal(terms_of(a, "ferienwohnungen"), terms_of(a, "Ferienwohnung"));
    assert_string_equal(terms_of(a, "anmelden"), terms_of(a, "Anmeldung"));
    assert_string_equal(terms_of(a, "Umzüge"), terms_of(a, "Umzug"));
    assert_string_equal(terms_of(a, "Personalausweise"), terms_of(a, "Personalausweis"));
    assert_string_equal(terms_of(a, "Gebühren"), terms_of(a, "Gebuehr"));
    /* Different words stay different. */
    assert_string_not_equal(terms_of(a, "Reisepass"), terms_of(a, "Personalausweis"));
    assert_string_not_equal(terms_of(a, "Hund"), terms_of(a, "Hand"));
}

static void test_sharp_s_and_case(void **state)
{
    arena_t *a = *state;
    const char *want = terms_of(a, "Straße");
    assert_string_equal(terms_of(a, "Strasse"), want);
    assert_string_equal(terms_of(a, "STRASSE"), want);
    assert_string_equal(terms_of(a, "STRAẞE"), want); /* U+1E9E, the capital ß */
    assert_string_equal(terms_of(a, "Große Bleiche"), terms_of(a, "grosse bleiche"));
    assert_string_equal(terms_of(a, "Café"), terms_of(a, "cafe"));
    assert_string_equal(terms_of(a, "Öffnungszeiten"), terms_of(a, "oeffnungszeiten"));
}

static void test_decomposed_umlaut_and_soft_hyphen(void **state)
{
    arena_t *a = *state;
    /* "a" + COMBINING DIAERESIS, as some systems send "ä" */
    assert_string_equal(terms_of(a, "Reisepa\xCC\x88sse"), terms_of(a, "Reisepässe"));
    /* a soft hyphen (U+00AD) inside a word is no break */
    assert_string_equal(terms_of(a, "Reise\xC2\xADpass"), "reisepass");
}

static void test_stop_words_and_short_words_vanish(void **state)
{
    arena_t *a = *state;
    assert_string_equal(terms_of(a, "der die das und für über Sie"), "");
    assert_string_equal(terms_of(a, "Ich möchte einen Reisepass für mein Kind"), "reisepass kind");
    assert_string_equal(terms_of(a, "z. B. a b c"), "");
}

static void test_distinct_in_first_seen_order(void **state)
{
    arena_t *a = *state;
    assert_string_equal(terms_of(a, "Pass, Reisepass; PASS – Pässe"), "pass reisepass");
    assert_string_equal(terms_of(a, "Mainz 55116 Mainz"), "mainz 55116");
}

static void test_hyphenated_compounds(void **state)
{
    arena_t *a = *state;
    assert_string_equal(terms_of(a, "Kfz-Zulassung"), "kfz zulass kfzzulass");
    /* the parts alone and the word written together find it */
    assert_string_equal(terms_of(a, "Kfzzulassung"), "kfzzulass");
    assert_string_equal(terms_of(a, "E-Mail"), "mail email");
    /* a dash with spaces, a leading or trailing hyphen: no compound */
    assert_string_equal(terms_of(a, "Mainz - Wiesbaden"), "mainz wiesbad");
    assert_string_equal(terms_of(a, "-Mainz-"), "mainz");
    /* an en dash is a separator, not a hyphen (46–48 is a range) */
    assert_string_equal(terms_of(a, "46–48"), "46 48");
    /* U+2011 non-breaking hyphen joins like "-" */
    assert_string_equal(terms_of(a, "Kfz\xE2\x80\x91Zulassung"), "kfz zulass kfzzulass");
}

static void test_q_keeps_its_u(void **state)
{
    arena_t *a = *state;
    /* "ue" after q is not an umlaut: Quelle is not "Qulle" */
    assert_string_equal(terms_of(a, "Quellen"), "quell");
    assert_string_equal(terms_of(a, "Steuer"), terms_of(a, "Steür"));
}

static void test_other_scripts(void **state)
{
    arena_t *a = *state;
    assert_string_equal(terms_of(a, "МОСКВА"), "москва");
    assert_string_equal(terms_of(a, "Αθήνα"), terms_of(a, "αθήνα"));
}

static void test_empty_and_punctuation_only(void **state)
{
    arena_t *a = *state;
    const char **terms = (const char **)1;
    size_t count = 99;
    assert_int_equal(search_terms(a, "", &terms, &count), 0);
    assert_int_equal(count, 0);
    assert_string_equal(terms_of(a, "!!! ... ??? – „“ § 5 € ©"), "");
    assert_string_equal(terms_of(a, " \t\r\n"), "");
}

static void test_invalid_utf8_is_refused(void **state)
{
    arena_t *a = *state;
    const char **terms;
    size_t count = 99;
    assert_int_equal(search_terms(a, "Reisepa\xC3\x28", &terms, &count), -1); /* broken sequence */
    assert_int_equal(count, 0);
    assert_null(terms);
    assert_int_equal(search_terms(a, "\xC0\xAF", &terms, &count), -1);     /* overlong "/" */
    assert_int_equal(search_terms(a, "\xED\xA0\x80", &terms, &count), -1); /* surrogate */
    assert_int_equal(search_terms(a, "Pass\xC3", &terms, &count), -1);     /* truncated at the end */
    assert_int_equal(search_terms(a, NULL, &terms, &count), -1);
}

static void test_long_word_is_capped_the_same_way_each_time(void **state)
{
    arena_t *a = *state;
    /* 300 letters, umlauts among them (two bytes each before folding) */
    char *word = arena_alloc(a, 1024);
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(word + n, "%s", i % 2 ? "Bä" : "xy");
    char *text = arena_printf(a, "Anfang %s Ende", word);
    const char **terms;
    size_t count;
    assert_int_equal(search_terms(a, text, &terms, &count), 0);
    assert_int_equal(count, 3);
    assert_true(strlen(terms[1]) <= SEARCH_MAX_TERM);
    assert_true(strlen(terms[1]) >= SEARCH_MAX_TERM / 2);
    assert_true(utf8_valid(terms[1], strlen(terms[1])));
    /* The same long word in a query gives the same term. */
    assert_string_equal(terms_of(a, word), terms[1]);
    assert_string_equal(terms[2], "end");
}

static void test_term_count_is_capped(void **state)
{
    arena_t *a = *state;
    /* SEARCH_MAX_TERMS + 500 different words "w0a w1a …" */
    size_t words = SEARCH_MAX_TERMS + 500;
    char *text = arena_alloc(a, words * 12 + 1);
    size_t n = 0;
    for (size_t i = 0; i < words; i++)
        n += (size_t)sprintf(text + n, "w%zux ", i);
    const char **terms;
    size_t count;
    assert_int_equal(search_terms(a, text, &terms, &count), 0);
    assert_int_equal(count, SEARCH_MAX_TERMS);
    assert_string_equal(terms[0], "w0x");
    assert_string_equal(terms[SEARCH_MAX_TERMS - 1], "w4095x");
    /* all distinct */
    for (size_t i = 1; i < count; i++)
        assert_string_not_equal(terms[i - 1], terms[i]);
}

/* ---- several threads at once ---- */

#define THREADS 4
#define ROUNDS 300

static void *stem_in_thread(void *arg)
{
    int *failures = arg;
    arena_t a;
    arena_init(&a);
    for (int i = 0; i < ROUNDS; i++) {
        const char **terms;
        size_t count;
        if (search_terms(&a, "Reisepässe und Ferienwohnungen in Mainz", &terms, &count) != 0 || count != 3 ||
            strcmp(terms[0], "reisepass") || strcmp(terms[1], "ferienwohn") || strcmp(terms[2], "mainz"))
            (*failures)++;
        if (i % 50 == 0)
            arena_clear(&a);
    }
    arena_clear(&a);
    return NULL;
}

static void test_threads_each_stem_correctly(void **state)
{
    (void)state;
    pthread_t threads[THREADS];
    int failures[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, stem_in_thread, &failures[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(failures[i], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plural_umlaut_and_transliteration_meet, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_declension_and_derivation_meet, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_sharp_s_and_case, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_decomposed_umlaut_and_soft_hyphen, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_stop_words_and_short_words_vanish, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_distinct_in_first_seen_order, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_hyphenated_compounds, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_q_keeps_its_u, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_other_scripts, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_punctuation_only, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_is_refused, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_long_word_is_capped_the_same_way_each_time, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_term_count_is_capped, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test(test_threads_each_stem_correctly),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
