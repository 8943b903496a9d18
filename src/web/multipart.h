/* multipart.h — multipart/form-data bodies (RFC 7578), parsed in place, capped.
 *
 * Text parts become form fields; parts with a filename become files. Limits: at
 * most max_parts parts, header block per part up to 8 KiB, text values up to
 * max_value bytes, files up to max_file bytes each. Names and text values must be
 * valid UTF-8; file contents are opaque. Data points into the request body, which
 * lives as long as the request. A file input left empty (filename="" and no
 * content) gives no file.
 */
#ifndef RATHAUS_WEB_MULTIPART_H
#define RATHAUS_WEB_MULTIPART_H

#include <stddef.h>
#include "core/arena.h"
#include "web/form.h"

#define MULTIPART_OK 0
#define MULTIPART_EMALFORMED (-1) /* no boundary, broken structure, missing CRLF */
#define MULTIPART_EUTF8 (-2)
#define MULTIPART_ETOOMANY (-3)
#define MULTIPART_ETOOLONG (-4) /* a text value over max_value, a name over FORM_MAX_NAME,
                                   or a part header block over MULTIPART_MAX_HEADER */
#define MULTIPART_EFILETOOBIG (-5)

#define MULTIPART_MAX_HEADER 8192 /* bytes of one part's header lines, CRLFs included */

typedef struct multipart_file {
    const char *field;        /* form field name */
    const char *filename;     /* as sent, path components removed; UTF-8 checked */
    const char *content_type; /* as sent, "" when absent; not trusted (check the content) */
    const unsigned char *data;
    size_t size;
} multipart_file_t;

typedef struct multipart_limits {
    size_t max_parts; /* e.g. 100 */
    size_t max_value; /* e.g. 64 KiB */
    size_t max_file;  /* e.g. 10 MiB */
} multipart_limits_t;

typedef struct multipart {
    form_t fields;
    multipart_file_t *files;
    size_t file_count;
} multipart_t;

/* Extracts the boundary from a Content-Type header value
 * ("multipart/form-data; boundary=…", quoted or not, 1..70 chars). Returns NULL
 * when it is not multipart/form-data or the boundary is invalid. */
const char *multipart_boundary(arena_t *a, const char *content_type, size_t n);
int multipart_parse(arena_t *a, const char *body, size_t n, const char *boundary,
                    const multipart_limits_t *lim, multipart_t *out);

#endif
