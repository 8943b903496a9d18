/* multipart.c — multipart/form-data bodies (RFC 7578 on RFC 2046), see multipart.h.
 *
 * The body is walked once, from delimiter to delimiter. A delimiter is CRLF "--"
 * boundary followed either by optional blanks and CRLF (another part follows) or
 * by "--" (the end; what follows is the epilogue). The first delimiter may also
 * open the body without the CRLF. An occurrence of CRLF "--" boundary followed by
 * anything else is content, as in Go's mime/multipart: a file may legally contain
 * it. Every search is a memmem bounded by the body length, so the walk is linear
 * and never reads past the body.
 *
 * A part is a header block of at most MULTIPART_MAX_HEADER bytes, an empty line,
 * and content. Content-Disposition (form-data, name, filename) and Content-Type
 * are read; other headers are ignored. Header lines must end in CRLF and hold no
 * control characters, so a bare CR or LF is refused rather than guessed at.
 *
 * Text parts are copied into the arena because form fields are NUL-terminated;
 * file contents stay in the body and are only pointed to. The result arrays grow
 * by doubling in the arena, which costs at most twice their final size.
 */
#include "web/multipart.h"

#include <string.h>

#include "core/utf8.h"

/* Limits when the caller passes none (the examples in multipart.h). */
#define MULTIPART_DEFAULT_MAX_PARTS 100
#define MULTIPART_DEFAULT_MAX_VALUE (64 * 1024)
#define MULTIPART_DEFAULT_MAX_FILE (10 * 1024 * 1024)
#define MULTIPART_MAX_BOUNDARY 70 /* RFC 2046 §5.1.1 */

/* What follows a "--boundary" occurrence. */
enum delimiter_kind {
    DELIM_NONE,  /* no delimiter up to the end of the body */
    DELIM_NEXT,  /* a part follows */
    DELIM_CLOSE, /* the closing delimiter: the body is complete */
};

/* The headers of one part that we use. */
typedef struct part_headers {
    char *name; /* Content-Disposition name, NULL until seen */
    size_t name_len;
    char *filename; /* Content-Disposition filename, NULL when absent */
    size_t filename_len;
    const char *content_type; /* Content-Type, NULL until seen */
} part_headers_t;

/* One "; name=value" parameter of a header value. */
typedef struct param {
    const char *name; /* points into the header, not terminated */
    size_t name_len;
    char *value; /* unquoted, NUL-terminated, in the arena */
    size_t value_len;
} param_t;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Control characters other than HTAB: never legal in a header line. */
static int is_ctl(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

/* RFC 7230 tchar: header names, media types, parameter names, bare values. */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2045 tspecials: the characters a backslash may escape in a quoted string. */
static int is_tspecial(unsigned char c)
{
    return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* RFC 2046 bchars: what a boundary is made of. */
static int is_bchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static int valid_boundary(const char *b, size_t n)
{
    if (n == 0 || n > MULTIPART_MAX_BOUNDARY || b[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_bchar((unsigned char)b[i]))
            return 0;
    return 1;
}

/* s[0..n) equals the lower-case literal lit, ignoring ASCII case. */
static int ci_equal(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lit[i])
            return 0;
    }
    return 1;
}

static size_t skip_blanks(const char *s, size_t n, size_t i)
{
    while (i < n && is_blank(s[i]))
        i++;
    return i;
}

static size_t token_end(const char *s, size_t n, size_t i)
{
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    return i;
}

/* Reads the quoted string that opens at s[*i] == '"' into the arena and moves *i
 * past the closing quote. A backslash escapes a tspecial ('"', '\' ...); before
 * any other character it is kept as a literal backslash, because old MSIE sends
 * Windows paths unescaped ("C:\dir\f.txt") and no conforming sender escapes
 * letters (Go's mime package makes the same choice). Returns 0, or -1 when the
 * string is unterminated or holds a control character. */
static int read_quoted(arena_t *a, const char *s, size_t n, size_t *i, char **out, size_t *out_len)
{
    size_t len = 0; /* unescaped length, counted first to allocate exactly */
    size_t j = *i + 1;
    for (;;) {
        if (j >= n || is_ctl((unsigned char)s[j]))
            return -1;
        if (s[j] == '"')
            break;
        if (s[j] == '\\' && j + 1 < n && is_tspecial((unsigned char)s[j + 1]))
            j++;
        j++;
        len++;
    }

    char *v = arena_alloc(a, len + 1);
    size_t k = 0;
    for (j = *i + 1; s[j] != '"'; j++) {
        if (s[j] == '\\' && j + 1 < n && is_tspecial((unsigned char)s[j + 1]))
            j++;
        v[k++] = s[j];
    }
    v[k] = '\0';
    *out = v;
    *out_len = len;
    *i = j + 1;
    return 0;
}

/* Reads the next "; name=value" parameter from s[*i..n) into *p, where value is
 * a token or a quoted string. Returns 1 when one was read, 0 at the end of the
 * value (a trailing ';' is tolerated), -1 when the syntax is broken. */
static int next_param(arena_t *a, const char *s, size_t n, size_t *i, param_t *p)
{
    size_t j = skip_blanks(s, n, *i);
    if (j == n) {
        *i = j;
        return 0;
    }
    if (s[j] != ';')
        return -1;
    j = skip_blanks(s, n, j + 1);
    if (j == n) {
        *i = j;
        return 0;
    }
    size_t name_end = token_end(s, n, j);
    if (name_end == j || name_end == n || s[name_end] != '=')
        return -1;
    p->name = s + j;
    p->name_len = name_end - j;
    j = name_end + 1;
    if (j < n && s[j] == '"') {
        if (read_quoted(a, s, n, &j, &p->value, &p->value_len) != 0)
            return -1;
    } else {
        size_t end = token_end(s, n, j);
        if (end == j)
            return -1;
        p->value = arena_strndup(a, s + j, end - j);
        p->value_len = end - j;
        j = end;
    }
    *i = j;
    return 1;
}

/* Extracts the boundary from a Content-Type value (see multipart.h). The media
 * type and parameter names compare case-insensitively; a second boundary
 * parameter makes the header ambiguous and is refused. */
const char *multipart_boundary(arena_t *a, const char *content_type, size_t n)
{
    const char *s = content_type;
    char *boundary = NULL; /* unquoted value of the boundary parameter */
    size_t boundary_len = 0;

    if (!s)
        return NULL;
    size_t i = skip_blanks(s, n, 0);
    size_t end = token_end(s, n, i);
    if (!ci_equal(s + i, end - i, "multipart") || end == n || s[end] != '/')
        return NULL;
    i = end + 1;
    end = token_end(s, n, i);
    if (!ci_equal(s + i, end - i, "form-data"))
        return NULL;
    i = end;
    for (;;) {
        param_t p;
        int r = next_param(a, s, n, &i, &p);
        if (r == 0)
            break;
        if (r < 0)
            return NULL;
        if (ci_equal(p.name, p.name_len, "boundary")) {
            if (boundary)
                return NULL;
            boundary = p.value;
            boundary_len = p.value_len;
        }
    }
    if (!boundary || !valid_boundary(boundary, boundary_len))
        return NULL;
    return boundary;
}

/* Classifies the "--boundary" occurrence that ends just before body[at]. For
 * DELIM_NEXT, *next receives the offset of the part after the delimiter line. */
static enum delimiter_kind delimiter_after(const char *body, size_t n, size_t at, size_t *next)
{
    if (n - at >= 2 && body[at] == '-' && body[at + 1] == '-')
        return DELIM_CLOSE;
    size_t j = skip_blanks(body, n, at); /* RFC 2046 transport padding */
    if (n - j >= 2 && body[j] == '\r' && body[j + 1] == '\n') {
        *next = j + 2;
        return DELIM_NEXT;
    }
    return DELIM_NONE;
}

/* Finds the first delimiter CRLF "--" boundary at or after body[from]. *start
 * receives its offset (where the content before it ends), *next as above. */
static enum delimiter_kind find_delimiter(const char *body, size_t n, size_t from, const char *delim, size_t delim_len,
                                          size_t *start, size_t *next)
{
    while (from < n && n - from >= delim_len) {
        const char *hit = memmem(body + from, n - from, delim, delim_len);
        if (!hit)
            return DELIM_NONE;
        size_t at = (size_t)(hit - body);
        enum delimiter_kind kind = delimiter_after(body, n, at + delim_len, next);
        if (kind != DELIM_NONE) {
            *start = at;
            return kind;
        }
        from = at + 1; /* "--boundaryX": content, keep looking */
    }
    return DELIM_NONE;
}

/* Reduces a sent filename to its last path component, '/' and '\' both being
 * separators (browsers send a base name, old MSIE the full Windows path). "."
 * and ".." name no file and become "". */
static void strip_path(char **name, size_t *len)
{
    size_t start = 0;
    for (size_t i = 0; i < *len; i++)
        if ((*name)[i] == '/' || (*name)[i] == '\\')
            start = i + 1;
    *name += start;
    *len -= start;
    if ((*len == 1 && (*name)[0] == '.') || (*len == 2 && (*name)[0] == '.' && (*name)[1] == '.')) {
        (*name)[0] = '\0';
        *len = 0;
    }
}

/* Reads a Content-Disposition value: "form-data; name=...; filename=...". */
static int parse_disposition(arena_t *a, const char *v, size_t n, part_headers_t *ph)
{
    size_t i = token_end(v, n, 0);
    if (!ci_equal(v, i, "form-data"))
        return MULTIPART_EMALFORMED;
    for (;;) {
        param_t p;
        int r = next_param(a, v, n, &i, &p);
        if (r == 0)
            break;
        if (r < 0)
            return MULTIPART_EMALFORMED;
        /* A repeated name or filename is ambiguous; filename* (RFC 5987) is
         * ignored, as RFC 7578 §4.2 tells senders not to use it. */
        if (ci_equal(p.name, p.name_len, "name")) {
            if (ph->name)
                return MULTIPART_EMALFORMED;
            ph->name = p.value;
            ph->name_len = p.value_len;
        } else if (ci_equal(p.name, p.name_len, "filename")) {
            if (ph->filename)
                return MULTIPART_EMALFORMED;
            ph->filename = p.value;
            ph->filename_len = p.value_len;
        }
    }
    if (!ph->name)
        return MULTIPART_EMALFORMED;
    if (ph->name_len > FORM_MAX_NAME)
        return MULTIPART_ETOOLONG;
    if (!utf8_valid(ph->name, ph->name_len))
        return MULTIPART_EUTF8;
    if (ph->filename) {
        strip_path(&ph->filename, &ph->filename_len);
        if (!utf8_valid(ph->filename, ph->filename_len))
            return MULTIPART_EUTF8;
    }
    return MULTIPART_OK;
}

/* Parses the header block h[0..n), which is whole lines each ending in CRLF. */
static int parse_part_headers(arena_t *a, const char *h, size_t n, part_headers_t *ph)
{
    int seen_disposition = 0;
    size_t i = 0; /* start of the current line */
    while (i < n) {
        const char *crlf = memmem(h + i, n - i, "\r\n", 2);
        if (!crlf)
            return MULTIPART_EMALFORMED; /* cannot happen: the block ends in CRLF */
        size_t line_end = (size_t)(crlf - h);
        size_t name_end = token_end(h, line_end, i);
        if (name_end == i || name_end == line_end || h[name_end] != ':')
            return MULTIPART_EMALFORMED; /* also refuses obsolete line folding */
        size_t vstart = skip_blanks(h, line_end, name_end + 1);
        size_t vend = line_end;
        while (vend > vstart && is_blank(h[vend - 1]))
            vend--;
        for (size_t k = vstart; k < vend; k++)
            if (is_ctl((unsigned char)h[k]))
                return MULTIPART_EMALFORMED;

        if (ci_equal(h + i, name_end - i, "content-disposition")) {
            if (seen_disposition)
                return MULTIPART_EMALFORMED;
            seen_disposition = 1;
            int rc = parse_disposition(a, h + vstart, vend - vstart, ph);
            if (rc != MULTIPART_OK)
                return rc;
        } else if (ci_equal(h + i, name_end - i, "content-type")) {
            if (ph->content_type)
                return MULTIPART_EMALFORMED;
            if (!utf8_valid(h + vstart, vend - vstart))
                return MULTIPART_EUTF8;
            ph->content_type = arena_strndup(a, h + vstart, vend - vstart);
        }
        i = line_end + 2;
    }
    return seen_disposition ? MULTIPART_OK : MULTIPART_EMALFORMED;
}

/* Makes room for one more element in an arena array of *cap elements. */
static void *grow_array(arena_t *a, void *old, size_t count, size_t *cap, size_t elem_size)
{
    if (count < *cap)
        return old;
    size_t new_cap = *cap ? *cap * 2 : 8;
    void *p = arena_alloc(a, new_cap * elem_size);
    if (count)
        memcpy(p, old, count * elem_size);
    *cap = new_cap;
    return p;
}

/* Parses a multipart/form-data body (see multipart.h). boundary is the value from
 * multipart_boundary. A NULL lim means the defaults (100 parts, 64 KiB values,
 * 10 MiB files). A part without a filename is a text field; with one it is a
 * file, except that a file input left empty (filename "" and no content) is
 * dropped. A file's content_type is "" when the part had none. On error out is
 * empty and the first problem found is returned. */
int multipart_parse(arena_t *a, const char *body, size_t n, const char *boundary, const multipart_limits_t *lim,
                    multipart_t *out)
{
    int rc = MULTIPART_OK;
    size_t max_parts = lim ? lim->max_parts : MULTIPART_DEFAULT_MAX_PARTS;
    size_t max_value = lim ? lim->max_value : MULTIPART_DEFAULT_MAX_VALUE;
    size_t max_file = lim ? lim->max_file : MULTIPART_DEFAULT_MAX_FILE;
    form_field_t *fields = NULL; /* text parts, in the arena */
    size_t field_count = 0, field_cap = 0;
    multipart_file_t *files = NULL; /* file parts, in the arena */
    size_t file_count = 0, file_cap = 0;
    size_t parts = 0;   /* parts seen, dropped ones included */
    char *delim = NULL; /* CRLF "--" boundary */
    size_t delim_len = 0;
    size_t next = 0; /* offset of the part after the current delimiter */
    size_t start = 0;
    enum delimiter_kind kind = DELIM_NONE;

    if (!boundary || (!body && n > 0) || !valid_boundary(boundary, strlen(boundary))) {
        rc = MULTIPART_EMALFORMED;
        goto done;
    }
    delim = arena_printf(a, "\r\n--%s", boundary);
    delim_len = strlen(delim);

    /* The first delimiter opens the body or ends the preamble. */
    if (n >= delim_len - 2 && memcmp(body, delim + 2, delim_len - 2) == 0)
        kind = delimiter_after(body, n, delim_len - 2, &next);
    if (kind == DELIM_NONE)
        kind = find_delimiter(body, n, 0, delim, delim_len, &start, &next);

    while (kind == DELIM_NEXT) {
        if (++parts > max_parts) {
            rc = MULTIPART_ETOOMANY;
            goto done;
        }

        /* The header block runs up to the empty line. Its CRLF CRLF must end
         * within MULTIPART_MAX_HEADER + 2 bytes: the first CRLF ends the last
         * header line and counts, the second is the empty line and does not. */
        size_t h = next;
        size_t avail = n - h;
        size_t window = avail < MULTIPART_MAX_HEADER + 2 ? avail : MULTIPART_MAX_HEADER + 2;
        if (avail >= 2 && body[h] == '\r' && body[h + 1] == '\n') {
            rc = MULTIPART_EMALFORMED; /* no headers, so no Content-Disposition */
            goto done;
        }
        const char *blank = memmem(body + h, window, "\r\n\r\n", 4);
        if (!blank) {
            rc = avail > window ? MULTIPART_ETOOLONG : MULTIPART_EMALFORMED;
            goto done;
        }
        size_t header_len = (size_t)(blank - body) + 2 - h; /* with the last line's CRLF */

        part_headers_t ph = {0};
        rc = parse_part_headers(a, body + h, header_len, &ph);
        if (rc != MULTIPART_OK)
            goto done;

        size_t content = h + header_len + 2;
        kind = find_delimiter(body, n, content, delim, delim_len, &start, &next);
        if (kind == DELIM_NONE)
            break; /* no closing delimiter: refused below */
        size_t size = start - content;

        if (ph.filename) {
            if (size > max_file) {
                rc = MULTIPART_EFILETOOBIG;
                goto done;
            }
            if (ph.filename_len == 0 && size == 0)
                continue;
            files = grow_array(a, files, file_count, &file_cap, sizeof(*files));
            files[file_count].field = ph.name;
            files[file_count].filename = ph.filename;
            files[file_count].content_type = ph.content_type ? ph.content_type : "";
            files[file_count].data = (const unsigned char *)body + content;
            files[file_count].size = size;
            file_count++;
        } else {
            if (size > max_value) {
                rc = MULTIPART_ETOOLONG;
                goto done;
            }
            if (!utf8_valid(body + content, size)) {
                rc = MULTIPART_EUTF8;
                goto done;
            }
            fields = grow_array(a, fields, field_count, &field_cap, sizeof(*fields));
            fields[field_count].name = ph.name;
            fields[field_count].value = arena_strndup(a, body + content, size);
            fields[field_count].value_len = size;
            field_count++;
        }
    }
    if (kind != DELIM_CLOSE)
        rc = MULTIPART_EMALFORMED; /* truncated: the closing "--boundary--" is required */

done:
    if (rc != MULTIPART_OK) {
        fields = NULL;
        field_count = 0;
        files = NULL;
        file_count = 0;
    }
    out->fields.fields = fields;
    out->fields.count = field_count;
    out->files = files;
    out->file_count = file_count;
    return rc;
}
