/* test_core.c — unit tests for the request arena, the capped buffer and strict UTF-8.
 *
 * These three sit under every parser, so the tests pin down the edges the parsers
 * rely on: 16-byte alignment and zeroing in the arena, caps that hold to the exact
 * byte in buf_t, and the UTF-8 cases from Markus Kuhn's decoder stress test
 * (overlong forms, surrogates, code points above U+10FFFF, truncated sequences).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"

#include "fixture_arena.h" /* a fresh arena per test, freed in teardown */

static int is_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* ---- arena ------------------------------------------------------------- */

static void test_arena_alignment(void **state)
{
    arena_t *a = *state;
    /* Odd sizes and strings in between: each arena_alloc must still be 16-aligned
     * (doubles, int64 and long double live in arena structs). */
    static const size_t sizes[] = {1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1000, 3000, 5000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        (void)arena_strndup(a, "xyz", i % 4);
        unsigned char *p = arena_alloc(a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        assert_true(is_zero(p, sizes[i]));
        memset(p, 0xAB, sizes[i]); /* ASan checks that all of it is ours */
    }
}

static void test_arena_alloc_is_zeroed_after_reuse(void **state)
{
    arena_t *a = *state;
    unsigned char *p = arena_alloc(a, 64);
    memset(p, 0xFF, 64);
    arena_clear(a);
    /* The recycled chunk held 0xFF bytes; arena_alloc must hand them out zeroed. */
    unsigned char *q = arena_alloc(a, 64);
    assert_true(is_zero(q, 64));
}

static void test_arena_alloc_zero_size(void **state)
{
    arena_t *a = *state;
    char *p = arena_alloc(a, 0);
    char *q = arena_alloc(a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
}

static void test_arena_large_allocations(void **state)
{
    arena_t *a = *state;
    /* Larger than h2o's 4 KiB chunk: these go to h2o's direct list. */
    size_t sizes[] = {4096, 64 * 1024, 4 * 1024 * 1024};
    for (size_t i = 0; i < 3; i++) {
        unsigned char *p = arena_alloc(a, sizes[i]);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_true(is_zero(p, sizes[i]));
        p[0] = 1;
        p[sizes[i] - 1] = 2;
    }
    assert_non_null(a->directs);
    char *s = arena_strndup(a, "tail", 4);
    assert_string_equal(s, "tail");
}

static void test_arena_strdup_strndup(void **state)
{
    arena_t *a = *state;
    assert_string_equal(arena_strdup(a, "Rathaus"), "Rathaus");
    assert_string_equal(arena_strdup(a, ""), "");
    /* n counts bytes, not characters: 3 bytes of "Bürgeramt" are "B" and the "ü". */
    assert_string_equal(arena_strndup(a, "B\xc3\xbcrgeramt", 3), "B\xc3\xbc");
    assert_string_equal(arena_strndup(a, "hello", 0), "");
    /* A buffer without NUL: strndup must read exactly n bytes (ASan would see more). */
    char *raw = malloc(3);
    assert_non_null(raw);
    memcpy(raw, "abc", 3);
    char *copy = arena_strndup(a, raw, 3);
    free(raw);
    assert_string_equal(copy, "abc");
    /* The copy is independent of the source. */
    char src[] = "mutable";
    char *dup = arena_strdup(a, src);
    src[0] = 'X';
    assert_string_equal(dup, "mutable");
}

static void test_arena_printf(void **state)
{
    arena_t *a = *state;
    assert_string_equal(arena_printf(a, "%s-%d-%05.1f", "Vorhaben", 42, 3.14159), "Vorhaben-42-003.1");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    /* Longer than a chunk: must be allocated whole, not truncated. */
    char *big = arena_printf(a, "%10000d|", 7);
    assert_int_equal(strlen(big), 10001);
    assert_int_equal(big[9999], '7');
    assert_int_equal(big[10000], '|');
    assert_int_equal(big[0], ' ');
}

static void test_arena_clear_and_reuse(void **state)
{
    arena_t *a = *state;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 1000; i++)
            (void)arena_alloc(a, 100);
        (void)arena_alloc(a, 1 << 20);
        assert_non_null(a->chunks);
        assert_non_null(a->directs);
        arena_clear(a);
        /* Everything is released: no chunk and no direct block stays attached. */
        assert_null(a->chunks);
        assert_null(a->directs);
        assert_string_equal(arena_strdup(a, "again"), "again");
    }
}

/* Runs fn in a child process and returns the signal that ended it (0 if none). */
static int signal_of(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        /* The expected abort message is noise in the test log. */
        if (!freopen("/dev/null", "w", stderr))
            _exit(2);
        fn();
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void alloc_near_size_max(void)
{
    arena_t a;
    arena_init(&a);
    /* A size that wraps when rounded up: must abort, never return a tiny block. */
    unsigned char *p = arena_alloc(&a, SIZE_MAX - 3);
    p[100] = 1;
}

static void strndup_size_max(void)
{
    arena_t a;
    arena_init(&a);
    char *p = arena_strndup(&a, "x", SIZE_MAX);
    p[0] = 'y';
}

static void test_arena_absurd_sizes_abort(void **state)
{
    (void)state;
    assert_int_equal(signal_of(alloc_near_size_max), SIGABRT);
    assert_int_equal(signal_of(strndup_size_max), SIGABRT);
}

/* ---- buf --------------------------------------------------------------- */

static void test_buf_cap_exact_heap(void **state)
{
    buf_t b;
    buf_init(&b, NULL, 0, 10);
    assert_null(b.data);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_puts(&b, "12345"), 0);
    assert_int_equal(buf_append(&b, "67890", 5), 0); /* exactly at max */
    assert_int_equal(b.len, 10);
    assert_string_equal(buf_cstr(&b), "1234567890");
    assert_int_equal(b.overflow, 0);
    assert_int_equal(buf_putc(&b, 'x'), BUF_ETOOBIG); /* one past max */
    assert_int_equal(b.overflow, 1);
    assert_int_equal(b.len, 10);
    assert_string_equal(buf_cstr(&b), "1234567890");
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_buf_overflow_is_sticky(void **state)
{
    buf_t b;
    buf_init(&b, NULL, 4, 10);
    assert_int_equal(buf_puts(&b, "abcdefgh"), 0);
    assert_int_equal(buf_puts(&b, "ijk"), BUF_ETOOBIG); /* 11 > 10: refused whole */
    assert_string_equal(buf_cstr(&b), "abcdefgh");
    assert_int_equal(buf_puts(&b, "ij"), 0); /* still fits, but the flag stays */
    assert_string_equal(buf_cstr(&b), "abcdefghij");
    assert_int_equal(b.overflow, 1);
    buf_reset(&b);
    assert_int_equal(b.overflow, 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
}

static void test_buf_appendf(void **state)
{
    buf_t b;
    buf_init(&b, NULL, 0, 16);
    assert_int_equal(buf_appendf(&b, "%s=%d", "n", 42), 0);
    assert_int_equal(buf_appendf(&b, ";%c", 'x'), 0);
    assert_string_equal(buf_cstr(&b), "n=42;x");
    assert_int_equal(b.len, 6);
    /* 6 + 11 = 17 > 16: refused, contents untouched. */
    assert_int_equal(buf_appendf(&b, "%011d", 5), BUF_ETOOBIG);
    assert_string_equal(buf_cstr(&b), "n=42;x");
    assert_int_equal(b.overflow, 1);
    /* 6 + 10 = 16: exactly fits. */
    assert_int_equal(buf_appendf(&b, "%010d", 5), 0);
    assert_string_equal(buf_cstr(&b), "n=42;x0000000005");
    assert_int_equal(b.len, 16);
    assert_int_equal(buf_appendf(&b, "%s", ""), 0); /* empty append at the cap is fine */
    buf_free(&b);
}

static void test_buf_arena_mode(void **state)
{
    arena_t *a = *state;
    buf_t b;
    buf_init(&b, a, 4, 100000);
    assert_non_null(b.data);
    /* Many appends force several regrowths; the contents must survive each copy. */
    for (int i = 0; i < 10000; i++)
        assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 10000);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(b.data[i], 'a' + i % 26);
    assert_int_equal(b.data[10000], '\0');
    assert_true(b.cap <= 100001);

    buf_t c;
    buf_init(&c, a, 0, 1 << 20);
    char *block = malloc(1 << 20);
    assert_non_null(block);
    memset(block, 'z', 1 << 20);
    assert_int_equal(buf_append(&c, block, 1 << 20), 0); /* one append of exactly max */
    assert_int_equal(c.len, 1 << 20);
    assert_int_equal(buf_putc(&c, 'z'), BUF_ETOOBIG);
    assert_int_equal(c.cap, (1 << 20) + 1);
    free(block);
    buf_free(&c); /* harmless for arena buffers */
}

static void test_buf_initial_above_max(void **state)
{
    buf_t b;
    buf_init(&b, NULL, 1000, 10);
    assert_int_equal(b.cap, 11);
    assert_int_equal(buf_puts(&b, "0123456789"), 0);
    assert_int_equal(buf_puts(&b, "!"), BUF_ETOOBIG);
    buf_free(&b);
}

static void test_buf_zero_max(void **state)
{
    buf_t b;
    buf_init(&b, NULL, 0, 0);
    assert_int_equal(buf_putc(&b, 'a'), BUF_ETOOBIG);
    assert_int_equal(b.overflow, 1);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
}

static void test_buf_unbounded_max(void **state)
{
    /* SIZE_MAX as "no practical cap": the cap arithmetic must not wrap (max + 1). */
    buf_t b;
    buf_init(&b, NULL, 0, SIZE_MAX);
    assert_int_equal(buf_puts(&b, "hello"), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(buf_puts(&b, "0123456789"), 0);
    assert_int_equal(b.len, 1005);
    assert_int_equal(strncmp(buf_cstr(&b), "hello0123", 9), 0);
    buf_free(&b);
}

/* ---- utf8 -------------------------------------------------------------- */

typedef struct utf8_case {
    const char *what;
    const char *bytes;
    size_t len;
} utf8_case_t;

/* A string literal as its bytes and length, so that embedded NULs count. */
#define BYTES(lit) lit, sizeof(lit) - 1

static const utf8_case_t valid_cases[] = {
    {"empty", BYTES("")},
    {"ascii", BYTES("Bebauungsplan 12/2024")},
    {"umlauts", BYTES("Gr\xc3\xbc\xc3\x9f\x65")},
    {"euro", BYTES("\xe2\x82\xac")},
    {"emoji U+1F600", BYTES("\xf0\x9f\x98\x80")},
    {"U+0080 first 2-byte", BYTES("\xc2\x80")},
    {"U+07FF last 2-byte", BYTES("\xdf\xbf")},
    {"U+0800 first 3-byte", BYTES("\xe0\xa0\x80")},
    {"U+D7FF before surrogates", BYTES("\xed\x9f\xbf")},
    {"U+E000 after surrogates", BYTES("\xee\x80\x80")},
    {"U+FFFD replacement", BYTES("\xef\xbf\xbd")},
    {"U+FFFF last 3-byte", BYTES("\xef\xbf\xbf")},
    {"U+10000 first 4-byte", BYTES("\xf0\x90\x80\x80")},
    {"U+10FFFF last code point", BYTES("\xf4\x8f\xbf\xbf")},
    {"U+7F DEL", BYTES("\x7f")},
    {"mixed", BYTES("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z")},
};

static const utf8_case_t invalid_cases[] = {
    {"lone continuation 0x80", BYTES("\x80")},
    {"lone continuation 0xBF", BYTES("\xbf")},
    {"two continuations", BYTES("\x80\xbf")},
    {"overlong '/' 2-byte", BYTES("\xc0\xaf")},
    {"overlong '/' 3-byte", BYTES("\xe0\x80\xaf")},
    {"overlong '/' 4-byte", BYTES("\xf0\x80\x80\xaf")},
    {"overlong NUL", BYTES("\xc0\x80")},
    {"max overlong 2-byte", BYTES("\xc1\xbf")},
    {"max overlong 3-byte", BYTES("\xe0\x9f\xbf")},
    {"max overlong 4-byte", BYTES("\xf0\x8f\xbf\xbf")},
    {"5-byte form", BYTES("\xf8\x88\x80\x80\x80")},
    {"6-byte form", BYTES("\xfc\x84\x80\x80\x80\x80")},
    {"surrogate U+D800", BYTES("\xed\xa0\x80")},
    {"surrogate U+DFFF", BYTES("\xed\xbf\xbf")},
    {"surrogate pair (CESU-8)", BYTES("\xed\xa0\xbd\xed\xb8\x80")},
    {"U+110000", BYTES("\xf4\x90\x80\x80")},
    {"lead 0xF5", BYTES("\xf5\x80\x80\x80")},
    {"byte 0xFE", BYTES("\xfe")},
    {"byte 0xFF", BYTES("\xff")},
    {"truncated 2-byte", BYTES("\xc3")},
    {"truncated 3-byte", BYTES("\xe2\x82")},
    {"truncated 4-byte", BYTES("\xf0\x9f\x98")},
    {"truncated inside text", BYTES("a\xe2\x82\x62")},
    {"bad 2nd of 3", BYTES("\xe2\x28\xa1")},
    {"bad 3rd of 3", BYTES("\xe2\x82\x28")},
    {"bad 4th of 4", BYTES("\xf0\x9f\x98\x28")},
    {"latin-1 text", BYTES("Gr\xfc\xdf\x65")},
    {"NUL", BYTES("a\0b")},
    {"only NUL", BYTES("\0")},
};

static void test_utf8_valid_cases(void **state)
{
    for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        const utf8_case_t *c = &valid_cases[i];
        if (utf8_valid(c->bytes, c->len) != 1)
            fail_msg("valid case refused: %s", c->what);
    }
}

static void test_utf8_invalid_cases(void **state)
{
    for (size_t i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
        const utf8_case_t *c = &invalid_cases[i];
        if (utf8_valid(c->bytes, c->len) != 0)
            fail_msg("invalid case accepted: %s", c->what);
        /* Wrapped in valid text it must still be refused. */
        char wrapped[32];
        size_t n = 0;
        wrapped[n++] = 'x';
        memcpy(wrapped + n, c->bytes, c->len);
        n += c->len;
        wrapped[n++] = 'y';
        if (utf8_valid(wrapped, n) != 0)
            fail_msg("invalid case accepted inside text: %s", c->what);
    }
}

static void test_utf8_respects_length(void **state)
{
    /* The bytes after n are never looked at, and n can cut a sequence. */
    const char emoji[] = "\xf0\x9f\x98\x80";
    assert_int_equal(utf8_valid(emoji, 4), 1);
    assert_int_equal(utf8_valid(emoji, 3), 0);
    assert_int_equal(utf8_valid(emoji, 1), 0);
    assert_int_equal(utf8_valid(emoji, 0), 1);
    assert_int_equal(utf8_valid("ok\xff", 2), 1);
    /* A heap copy without NUL lets ASan catch a read past n. */
    char *exact = malloc(3);
    assert_non_null(exact);
    memcpy(exact, "\xe2\x82\xac", 3);
    assert_int_equal(utf8_valid(exact, 3), 1);
    assert_int_equal(utf8_valid(exact, 2), 0);
    free(exact);
}

static void test_utf8_length(void **state)
{
    assert_int_equal(utf8_length("", 0), 0);
    assert_int_equal(utf8_length("abc", 3), 3);
    assert_int_equal(utf8_length("Gr\xc3\xbc\xc3\x9f\x65", 7), 5);
    assert_int_equal(utf8_length("\xf0\x9f\x98\x80", 4), 1);
    assert_int_equal(utf8_length("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 11), 5);
}

static void test_utf8_truncate(void **state)
{
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; /* a é € 😀 z: 1+2+3+4+1 bytes */
    size_t n = 11;
    /* Expected result for every max from 0 to n: the last boundary at or below max. */
    static const size_t want[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11};
    for (size_t max = 0; max <= n; max++) {
        size_t got = utf8_truncate(s, n, max);
        if (got != want[max])
            fail_msg("truncate to %zu gave %zu, want %zu", max, got, want[max]);
        assert_int_equal(utf8_valid(s, got), 1);
    }
    assert_int_equal(utf8_truncate(s, n, 1000), n);
    assert_int_equal(utf8_truncate("abc", 3, 3), 3);
    assert_int_equal(utf8_truncate("", 0, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_arena_alignment, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_arena_alloc_is_zeroed_after_reuse, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_arena_alloc_zero_size, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_arena_large_allocations, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_arena_strdup_strndup, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_arena_printf, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_arena_clear_and_reuse, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test(test_arena_absurd_sizes_abort),
        cmocka_unit_test(test_buf_cap_exact_heap),
        cmocka_unit_test(test_buf_overflow_is_sticky),
        cmocka_unit_test(test_buf_appendf),
        cmocka_unit_test_setup_teardown(test_buf_arena_mode, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test(test_buf_initial_above_max),
        cmocka_unit_test(test_buf_zero_max),
        cmocka_unit_test(test_buf_unbounded_max),
        cmocka_unit_test(test_utf8_valid_cases),
        cmocka_unit_test(test_utf8_invalid_cases),
        cmocka_unit_test(test_utf8_respects_length),
        cmocka_unit_test(test_utf8_length),
        cmocka_unit_test(test_utf8_truncate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
