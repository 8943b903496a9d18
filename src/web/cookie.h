/* cookie.h — parsing of the Cookie request header (RFC 6265 §5.4 / §4.2.1).
 *
 * "a=1; b=2" into name/value pairs in the arena. Invalid pairs are skipped, as
 * browsers do; at most 50 cookies and 4096 bytes per pair are taken.
 */
#ifndef RATHAUS_WEB_COOKIE_H
#define RATHAUS_WEB_COOKIE_H

#include <stddef.h>
#include "core/arena.h"

#define COOKIE_MAX_COUNT 50
#define COOKIE_MAX_PAIR 4096

typedef struct cookie {
    const char *name;
    const char *value; /* quotes around the value are removed */
} cookie_t;

/* Parses one Cookie header value. Returns the number of cookies stored in out
 * (at most max), never fails. */
size_t cookie_parse(arena_t *a, const char *header, size_t n, cookie_t *out, size_t max);
/* Value of the first cookie called name, or NULL. */
const char *cookie_find(const cookie_t *list, size_t count, const char *name);

#endif
