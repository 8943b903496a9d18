/* fixture_arena.h — a fresh request arena for every unit test.
 *
 * The parser tests (test_core, test_form, test_cookie, test_multipart) hand each test
 * an empty arena, as a request handler gets one, and free it in teardown, so that
 * LeakSanitizer reports anything a parser allocated outside it. Tests that parse from
 * exact-size heap copies (so ASan catches reads past the end) and keep pointing into
 * them until the last assertion register those copies with fixture_arena_keep; they
 * are freed in teardown as well.
 *
 * The arena is the first member, so *state serves both as fixture_arena_t * and as
 * arena_t * for tests that need nothing else:
 *
 *   #include "fixture_arena.h"
 *   static void test_x(void **state) { arena_t *a = *state; ... }
 *   cmocka_unit_test_setup_teardown(test_x, fixture_arena_setup, fixture_arena_teardown),
 *
 * Header only (static inline): the Makefile compiles each test_*.c on its own with
 * -Itests/unit.
 */
#ifndef RATHAUS_TESTS_UNIT_FIXTURE_ARENA_H
#define RATHAUS_TESTS_UNIT_FIXTURE_ARENA_H

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "core/arena.h"

#define FIXTURE_ARENA_KEEP_MAX 64 /* heap blocks one test may keep */

typedef struct fixture_arena {
    arena_t arena;                      /* first: *state is also an arena_t * */
    void *kept[FIXTURE_ARENA_KEEP_MAX]; /* heap blocks freed in teardown (fixture_arena_keep) */
    size_t kept_count;
} fixture_arena_t;

_Static_assert(offsetof(fixture_arena_t, arena) == 0, "tests read *state as an arena_t *");

/* cmocka setup: stores a fixture with an empty arena in *state. Returns 0, or -1
 * when out of memory. */
static inline int fixture_arena_setup(void **state)
{
    fixture_arena_t *fx = calloc(1, sizeof(*fx));
    if (!fx)
        return -1;
    arena_init(&fx->arena);
    *state = fx;
    return 0;
}

/* cmocka teardown: frees the kept heap blocks, everything in the arena, and the fixture. */
static inline int fixture_arena_teardown(void **state)
{
    fixture_arena_t *fx = *state;
    for (size_t i = 0; i < fx->kept_count; i++)
        free(fx->kept[i]);
    arena_clear(&fx->arena);
    free(fx);
    *state = NULL;
    return 0;
}

/* Hands p, a malloc'd block, to the fixture, which frees it in teardown. Fails the
 * test when more than FIXTURE_ARENA_KEEP_MAX blocks are kept. */
static inline void fixture_arena_keep(fixture_arena_t *fx, void *p)
{
    assert_true(fx->kept_count < FIXTURE_ARENA_KEEP_MAX);
    fx->kept[fx->kept_count++] = p;
}

#endif
