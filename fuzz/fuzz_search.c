/* fuzz_search.c — libFuzzer target for German search terms (platform/search.c).
 *
 * The input, cut at its first NUL (search_terms takes a C string), is split into
 * terms twice. Besides the sanitizers, the target checks what the catalogue index
 * and its queries rely on: invalid UTF-8 is refused with no terms; valid text
 * gives at most SEARCH_MAX_TERMS distinct, non-empty terms of at most
 * SEARCH_MAX_TERM bytes, each valid UTF-8 without ASCII capitals, punctuation or
 * spaces; and the same text always gives the same terms in the same order.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "platform/search.h"

static void check_term(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > SEARCH_MAX_TERM || !utf8_valid(t, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            abort(); /* capitals, punctuation, spaces and hyphens never reach a term */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);
    arena_t arena;
    arena_init(&arena);
    const char **terms = NULL, **again = NULL;
    size_t count = 0, count_again = 0;
    int rc = search_terms(&arena, text, &terms, &count);
    if (!utf8_valid(text, len)) {
        if (rc != -1 || count != 0)
            abort();
    } else {
        if (rc != 0 || count > SEARCH_MAX_TERMS)
            abort();
        for (size_t i = 0; i < count; i++) {
            check_term(terms[i]);
            for (size_t j = 0; j < i; j++)
                if (strcmp(terms[i], terms[j]) == 0)
                    abort(); /* duplicates */
        }
        if (search_terms(&arena, text, &again, &count_again) != 0 || count_again != count)
            abort();
        for (size_t i = 0; i < count; i++)
            if (strcmp(terms[i], again[i]) != 0)
                abort();
    }
    arena_clear(&arena);
    free(text);
    return 0;
}
