/* utf8.h — strict UTF-8 validation (RFC 3629) for every input we accept.
 *
 * Strict means: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF, no truncated sequences. NUL bytes are refused too, because every
 * text we accept ends up in C strings and SQL text columns.
 */
#ifndef RATHAUS_CORE_UTF8_H
#define RATHAUS_CORE_UTF8_H

#include <stddef.h>

/* Returns 1 when s[0..n) is valid UTF-8 without NUL bytes, else 0. */
int utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n) (what a user calls "characters"). */
size_t utf8_length(const char *s, size_t n);
/* Largest prefix length <= max that ends on a code point boundary. */
size_t utf8_truncate(const char *s, size_t n, size_t max);

#endif
