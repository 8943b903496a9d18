/* fuzz_utf8.c — libFuzzer target: utf8_valid against a slow reference decoder.
 *
 * utf8.c decides validity from byte ranges without decoding. The reference here
 * decodes every code point the long way (bit patterns, then the value checked
 * for overlong form, surrogates, range and NUL), so the two share no logic and
 * any disagreement aborts. For valid input utf8_length and utf8_truncate are
 * checked against the same decoding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/utf8.h"

/* Decodes one code point at s[i]; returns its length, or 0 when invalid. */
static size_t reference_decode(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    size_t len;      /* bytes in the sequence, from the lead byte's high bits */
    uint32_t cp;     /* the code point being assembled */
    uint32_t min_cp; /* smallest code point that needs len bytes */
    if ((c & 0x80) == 0x00) {
        len = 1;
        cp = c;
        min_cp = 0;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
        min_cp = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
        min_cp = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
        min_cp = 0x10000;
    } else {
        return 0; /* continuation byte or 5/6-byte lead */
    }
    if (n - i < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
        return 0;
    return len;
}

/* Validity plus the code point count and the offset of every boundary. */
static int reference_valid(const unsigned char *s, size_t n, size_t *count, unsigned char *is_boundary)
{
    size_t i = 0;
    *count = 0;
    while (i < n) {
        size_t len = reference_decode(s, n, i);
        if (len == 0)
            return 0;
        is_boundary[i] = 1;
        i += len;
        (*count)++;
    }
    is_boundary[n] = 1;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    unsigned char *is_boundary = calloc(size + 1, 1);
    if (!is_boundary)
        return 0;
    size_t count = 0;
    int want = reference_valid(data, size, &count, is_boundary);
    if (utf8_valid(s, size) != want)
        abort();
    if (want) {
        if (utf8_length(s, size) != count)
            abort();
        /* Every max from 0 to size: the largest boundary not above max. */
        for (size_t max = 0; max <= size; max++) {
            size_t want_cut = max;
            while (!is_boundary[want_cut])
                want_cut--;
            if (utf8_truncate(s, size, max) != want_cut)
                abort();
        }
    }
    free(is_boundary);
    return 0;
}
