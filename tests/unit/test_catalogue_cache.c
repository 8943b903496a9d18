/* test_catalogue_cache.c — unit tests for the kept search rankings and
 * life-situation counts (modules/services/catalogue_cache.c).
 *
 * What the cache promises: a ranking is only served for the generation and key
 * it was made for; pages are cut from it exactly (past the end: empty, with the
 * total); the least recently used ranking makes room when the slots or the byte
 * budget run out; a ranking larger than the budget is never kept; situations come
 * back as copies the caller may change. And it holds with several threads at
 * once. The search pages on both engines (tests/http/services-catalogue.test.mjs)
 * show that an import is seen at once.
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
#include "modules/services/catalogue_cache.h"

#include "fixture_arena.h" /* a fresh arena per test, freed in teardown */

/* Each test starts from an empty cache and an empty arena. */
static int setup(void **state)
{
    catalogue_cache_clear();
    return fixture_arena_setup(state);
}

static int teardown(void **state)
{
    catalogue_cache_clear();
    return fixture_arena_teardown(state);
}

/* count hits with ids first, first + 1, … and descending scores. */
static catalogue_hit_t *make_hits(size_t count, int64_t first)
{
    catalogue_hit_t *hits = calloc(count ? count : 1, sizeof(*hits));
    assert_non_null(hits);
    for (size_t i = 0; i < count; i++)
        hits[i] = (catalogue_hit_t){first + (int64_t)i, (int64_t)(count - i)};
    return hits;
}

static int kept(int64_t generation, const char *key, arena_t *a)
{
    catalogue_hit_t *hits;
    size_t count, total;
    return catalogue_cache_ranking_get(generation, key, 0, 1, a, &hits, &count, &total);
}

static void test_pages_are_cut_from_the_ranking(void **state)
{
    arena_t *a = *state;
    catalogue_hit_t *all = make_hits(45, 100);
    catalogue_cache_ranking_put(7, "reisepass\n", all, 45);
    free(all);

    catalogue_hit_t *hits;
    size_t count, total;
    assert_int_equal(catalogue_cache_ranking_get(7, "reisepass\n", 0, 20, a, &hits, &count, &total), 1);
    assert_int_equal(total, 45);
    assert_int_equal(count, 20);
    assert_int_equal(hits[0].id, 100);
    assert_int_equal(hits[19].id, 119);
    assert_int_equal(hits[0].score, 45);

    assert_int_equal(catalogue_cache_ranking_get(7, "reisepass\n", 40, 20, a, &hits, &count, &total), 1);
    assert_int_equal(count, 5); /* the last page is short */
    assert_int_equal(hits[4].id, 144);

    assert_int_equal(catalogue_cache_ranking_get(7, "reisepass\n", 45, 20, a, &hits, &count, &total), 1);
    assert_int_equal(count, 0); /* past the end: nothing, but the total */
    assert_int_equal(total, 45);
    assert_null(hits);
}

static void test_only_the_same_generation_and_key(void **state)
{
    arena_t *a = *state;
    catalogue_hit_t *all = make_hits(3, 1);
    catalogue_cache_ranking_put(1, "pass\n", all, 3);
    assert_int_equal(kept(1, "pass\n", a), 1);
    assert_int_equal(kept(2, "pass\n", a), 0); /* the catalogue changed */
    assert_int_equal(kept(1, "pass\nreis\n", a), 0);
    assert_int_equal(kept(1, "pas\n", a), 0);

    /* A newer generation's ranking sweeps out the older ones. */
    catalogue_cache_ranking_put(2, "ausweis\n", all, 3);
    assert_int_equal(kept(1, "pass\n", a), 0);
    assert_int_equal(kept(2, "ausweis\n", a), 1);
    free(all);
}

static void test_no_hits_is_a_ranking_too(void **state)
{
    arena_t *a = *state;
    catalogue_cache_ranking_put(1, "xyzzy\n", NULL, 0);
    catalogue_hit_t *hits;
    size_t count, total = 99;
    assert_int_equal(catalogue_cache_ranking_get(1, "xyzzy\n", 0, 20, a, &hits, &count, &total), 1);
    assert_int_equal(total, 0);
    assert_int_equal(count, 0);
}

static void test_the_same_key_twice_keeps_the_newer(void **state)
{
    arena_t *a = *state;
    catalogue_hit_t *first = make_hits(2, 1), *second = make_hits(5, 50);
    catalogue_cache_ranking_put(1, "k\n", first, 2);
    catalogue_cache_ranking_put(1, "k\n", second, 5); /* two threads computed it at once */
    catalogue_hit_t *hits;
    size_t count, total;
    assert_int_equal(catalogue_cache_ranking_get(1, "k\n", 0, 10, a, &hits, &count, &total), 1);
    assert_int_equal(total, 5);
    assert_int_equal(hits[0].id, 50);
    free(first);
    free(second);
}

static void test_least_recently_used_makes_room(void **state)
{
    arena_t *a = *state;
    catalogue_hit_t *all = make_hits(2, 1);
    char key[32];
    for (int i = 0; i < CATALOGUE_CACHE_RANKINGS; i++) {
        snprintf(key, sizeof(key), "k%d\n", i);
        catalogue_cache_ranking_put(1, key, all, 2);
    }
    assert_int_equal(kept(1, "k0\n", a), 1); /* k0 is now the most recently used; k1 the least */
    catalogue_cache_ranking_put(1, "new\n", all, 2);
    assert_int_equal(kept(1, "new\n", a), 1);
    assert_int_equal(kept(1, "k0\n", a), 1);
    assert_int_equal(kept(1, "k1\n", a), 0);
    assert_int_equal(kept(1, "k2\n", a), 1);
    free(all);
}

static void test_byte_budget(void **state)
{
    arena_t *a = *state;
    size_t half = CATALOGUE_CACHE_BYTES / sizeof(catalogue_hit_t) / 2;
    catalogue_hit_t *big = make_hits(half + 1, 1);
    catalogue_cache_ranking_put(1, "a\n", big, half);
    catalogue_cache_ranking_put(1, "b\n", big, half);
    assert_int_equal(kept(1, "a\n", a), 1);
    assert_int_equal(kept(1, "b\n", a), 1);
    /* A third half does not fit: the least recently used (a) goes. */
    catalogue_cache_ranking_put(1, "c\n", big, half);
    assert_int_equal(kept(1, "a\n", a), 0);
    assert_int_equal(kept(1, "b\n", a), 1);
    assert_int_equal(kept(1, "c\n", a), 1);
    free(big);

    /* Larger than the whole budget: never kept, and nothing else is thrown out for it. */
    size_t too_many = CATALOGUE_CACHE_BYTES / sizeof(catalogue_hit_t) + 1;
    catalogue_hit_t *huge = make_hits(too_many, 1);
    catalogue_cache_ranking_put(1, "huge\n", huge, too_many);
    assert_int_equal(kept(1, "huge\n", a), 0);
    assert_int_equal(kept(1, "c\n", a), 1);
    free(huge);
}

static void test_situations_are_copies(void **state)
{
    (void)state;
    assert_null(catalogue_cache_situations_get(1));
    json_t *list = json_pack("[{s:s,s:i}]", "slug", "umzug", "count", 4);
    catalogue_cache_situations_put(1, list);
    json_decref(list);

    json_t *got = catalogue_cache_situations_get(1);
    assert_non_null(got);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "count")), 4);
    json_object_set_new(json_array_get(got, 0), "count", json_integer(99)); /* the caller's own */
    json_decref(got);
    got = catalogue_cache_situations_get(1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "count")), 4);
    json_decref(got);

    assert_null(catalogue_cache_situations_get(2)); /* another generation */
}

/* Readers and writers at once: every answer is whole (a ranking's own hits). */
static void *hammer(void *arg)
{
    intptr_t who = (intptr_t)arg;
    arena_t a;
    arena_init(&a);
    catalogue_hit_t *all = make_hits(300, 1000 * (who + 1));
    char key[32];
    void *result = NULL;
    for (int i = 0; i < 2000 && !result; i++) {
        snprintf(key, sizeof(key), "t%ld-%d\n", (long)who, i % 80);
        catalogue_hit_t *hits;
        size_t count, total;
        if (catalogue_cache_ranking_get(1, key, 10, 20, &a, &hits, &count, &total)) {
            if (total != 300 || count != 20 || hits[0].id != 1000 * (who + 1) + 10)
                result = (void *)1;
        } else {
            catalogue_cache_ranking_put(1, key, all, 300);
        }
        if (i % 100 == 99)
            arena_clear(&a);
    }
    free(all);
    arena_clear(&a);
    return result;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        assert_null(bad);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pages_are_cut_from_the_ranking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_the_same_generation_and_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_hits_is_a_ranking_too, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_same_key_twice_keeps_the_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_least_recently_used_makes_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_situations_are_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
    };
    return cmocka_run_group_tests_name("catalogue_cache", tests, NULL, NULL);
}
