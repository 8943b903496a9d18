/* utf8.c — strict UTF-8 validation (see utf8.h).
 *
 * A table-free decoder: the lead byte gives the length and the smallest legal
 * second byte range, which rules out overlong forms and surrogates without
 * decoding the code point (the ranges are those of RFC 3629 §4).
 */
#include "core/utf8.h"

#include <stdint.h>

int utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;           /* bytes in this sequence */
        unsigned char lo = 0x80, hi = 0xBF; /* legal range of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else
            return 0;
        if (n - i < len)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

size_t utf8_length(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

size_t utf8_truncate(const char *str, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n <= max)
        return n;
    size_t i = max;
    /* Step back over continuation bytes to the start of the cut code point. */
    while (i > 0 && (s[i] & 0xC0) == 0x80)
        i--;
    return i;
}
