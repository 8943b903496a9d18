/* fuzz_cookie.c — libFuzzer target for the Cookie header parser (web/cookie.c).
 *
 * The input is one header value. The first byte also picks the size of the
 * output array, so that small arrays (the max argument) are fuzzed as well as
 * the COOKIE_MAX_COUNT cap. The target checks that every stored cookie obeys
 * the RFC 6265 grammar the parser promises: a non-empty token name and a value
 * of cookie-octets with the quotes removed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "web/cookie.h"

static int is_token_char(unsigned char c)
{
    static const char separators[] = "()<>@,;:\\\"/[]?={} \t";
    return c > 0x20 && c < 0x7F && !memchr(separators, c, sizeof(separators) - 1);
}

static int is_value_char(unsigned char c)
{
    return c > 0x20 && c < 0x7F && c != '"' && c != ',' && c != ';' && c != '\\';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max = size > 0 ? data[0] % (COOKIE_MAX_COUNT + 8) : 0;
    /* One more slot than max, poisoned, to detect a write past max. */
    cookie_t *out = calloc(max + 1, sizeof(*out));
    if (!out)
        return 0;
    arena_t a;
    arena_init(&a);

    size_t count = cookie_parse(&a, (const char *)data, size, out, max);
    if (count > max || count > COOKIE_MAX_COUNT)
        abort();
    if (out[max].name != NULL || out[max].value != NULL)
        abort();
    for (size_t i = 0; i < count; i++) {
        size_t name_len = strlen(out[i].name);
        size_t value_len = strlen(out[i].value);
        if (name_len == 0 || name_len + 1 + value_len > COOKIE_MAX_PAIR)
            abort();
        for (size_t k = 0; k < name_len; k++)
            if (!is_token_char((unsigned char)out[i].name[k]))
                abort();
        for (size_t k = 0; k < value_len; k++)
            if (!is_value_char((unsigned char)out[i].value[k]))
                abort();
        /* The value must occur in the header (possibly quoted). */
        if (value_len > 0 && !memmem(data, size, out[i].value, value_len))
            abort();
    }
    if (count > 0 && cookie_find(out, count, out[0].name) != out[0].value)
        abort();

    arena_clear(&a);
    free(out);
    return 0;
}
