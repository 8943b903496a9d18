/* form.h — decoding of query strings and application/x-www-form-urlencoded bodies.
 *
 * The result is a list of name/value pairs in the request arena, in order, with
 * repeated names kept (checkboxes). Limits protect the server: at most max_fields
 * pairs, names up to 256 bytes, values up to max_value bytes after decoding, and
 * every name and value must be valid UTF-8 after percent-decoding.
 */
#ifndef RATHAUS_WEB_FORM_H
#define RATHAUS_WEB_FORM_H

#include <stddef.h>
#include "core/arena.h"

#define FORM_OK 0
#define FORM_EMALFORMED (-1) /* bad percent escape */
#define FORM_EUTF8 (-2)      /* not valid UTF-8 after decoding */
#define FORM_ETOOMANY (-3)   /* more than max_fields pairs */
#define FORM_ETOOLONG (-4)   /* a name or value over its limit */

#define FORM_MAX_NAME 256 /* bytes of a decoded name */

typedef struct form_field {
    const char *name;  /* NUL-terminated, in the arena */
    const char *value; /* NUL-terminated, in the arena ("" when absent) */
    size_t value_len;
} form_field_t;

typedef struct form {
    form_field_t *fields;
    size_t count;
} form_t;

typedef struct form_limits {
    size_t max_fields; /* e.g. 200 */
    size_t max_value;  /* e.g. 64 KiB */
} form_limits_t;

/* Decodes "a=1&b=x%20y" ('+' is a space). Empty input gives an empty form. */
int form_parse_urlencoded(arena_t *a, const char *s, size_t n, const form_limits_t *lim, form_t *out);
/* First value of name, or NULL. */
const char *form_get(const form_t *f, const char *name);
/* Percent-decodes s[0..n) into the arena ('+' stays '+' unless plus_is_space).
 * Returns NULL on a malformed escape. *out_len receives the decoded length. */
char *form_percent_decode(arena_t *a, const char *s, size_t n, int plus_is_space, size_t *out_len);

/* Percent-encodes s for a query value (RFC 3986: only unreserved characters
 * stay), in a; "" for NULL. */
const char *form_url_encode(arena_t *a, const char *s);
/* The same, but '/' stays: a local path as a query value ("weiter=/konto/sicherheit"),
 * still one value (its '?', '&' and '=' are encoded). */
const char *form_url_encode_path(arena_t *a, const char *s);

#endif
