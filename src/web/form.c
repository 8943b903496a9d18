/* form.c — query strings and application/x-www-form-urlencoded bodies (see form.h).
 *
 * The input is walked twice. The first pass only counts the pairs, so a request
 * with too many is refused before anything is decoded and the field array is
 * allocated once, at its final size. The second pass percent-decodes each name
 * and value into the arena and checks its length and UTF-8. Decoding never makes
 * a string longer, so the arena holds at most about twice the input.
 *
 * Unlike the WHATWG parser, which keeps a broken escape such as "%zz" as literal
 * text, we refuse it: our forms come from our own pages, and a broken escape
 * means a broken client or a probe, not a user's intent.
 */
#include "web/form.h"

#include "core/hex.h"

#include <string.h>

#include "core/utf8.h"

/* Limits when the caller passes none (the examples in form.h). */
#define FORM_DEFAULT_MAX_FIELDS 200
#define FORM_DEFAULT_MAX_VALUE (64 * 1024)

/* Percent-decodes s[0..n) into the arena; see form.h. The result is always
 * NUL-terminated and may itself contain NUL bytes (from "%00"); callers that
 * want text check it with utf8_valid, which refuses them. out_len may be NULL. */
char *form_percent_decode(arena_t *a, const char *s, size_t n, int plus_is_space, size_t *out_len)
{
    char *out = arena_alloc(a, n + 1); /* decoding only shrinks */
    size_t len = 0;                    /* bytes written to out */

    if (out_len)
        *out_len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (n - i < 3)
                return NULL;
            int hi = hex_value((unsigned char)s[i + 1]);
            int lo = hex_value((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            out[len++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[len++] = ' ';
        } else {
            out[len++] = (char)c;
        }
    }
    out[len] = '\0';
    if (out_len)
        *out_len = len;
    return out;
}

/* Number of non-empty '&'-separated segments: "a=1&&b" has two. Empty segments
 * are skipped as the WHATWG parser does, so they do not count against the limit. */
static size_t count_pairs(const char *s, size_t n)
{
    size_t count = 0;
    size_t start = 0; /* first byte of the current segment */
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '&') {
            if (i > start)
                count++;
            start = i + 1;
        }
    }
    return count;
}

/* Decodes one name or value and checks it; on success *out and *out_len are set. */
static int decode_part(arena_t *a, const char *s, size_t n, size_t max, char **out, size_t *out_len)
{
    char *text = form_percent_decode(a, s, n, 1, out_len);
    if (!text)
        return FORM_EMALFORMED;
    if (*out_len > max)
        return FORM_ETOOLONG;
    if (!utf8_valid(text, *out_len))
        return FORM_EUTF8;
    *out = text;
    return FORM_OK;
}

/* Decodes "a=1&b=x%20y" into out (see form.h). A segment without '=' is a name
 * with the value "". A NULL lim means the defaults (200 fields, 64 KiB values).
 * On error out is an empty form and the first problem found, left to right, is
 * returned. The leading '?' of a query string is the caller's to strip. */
int form_parse_urlencoded(arena_t *a, const char *s, size_t n, const form_limits_t *lim, form_t *out)
{
    int rc = FORM_OK;
    size_t max_fields = lim ? lim->max_fields : FORM_DEFAULT_MAX_FIELDS;
    size_t max_value = lim ? lim->max_value : FORM_DEFAULT_MAX_VALUE;
    form_field_t *fields = NULL; /* the result, in the arena */
    size_t count = 0;            /* fields filled so far */
    size_t pairs = count_pairs(s, n);

    if (pairs > max_fields) {
        rc = FORM_ETOOMANY;
        goto done;
    }
    if (pairs == 0)
        goto done;
    fields = arena_alloc(a, pairs * sizeof(*fields));

    size_t i = 0; /* start of the current segment */
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - s) : n;
        size_t seg_len = end - i;
        if (seg_len > 0) {
            const char *seg = s + i;
            const char *eq = memchr(seg, '=', seg_len);
            size_t name_len = eq ? (size_t)(eq - seg) : seg_len;
            char *name = NULL;
            char *value = NULL;
            size_t decoded_name_len = 0;
            size_t value_len = 0;

            rc = decode_part(a, seg, name_len, FORM_MAX_NAME, &name, &decoded_name_len);
            if (rc != FORM_OK)
                goto done;
            /* Without '=' the value is empty; decoding "" gives the arena's "". */
            rc = decode_part(a, eq ? eq + 1 : seg + seg_len, eq ? seg_len - name_len - 1 : 0, max_value, &value,
                             &value_len);
            if (rc != FORM_OK)
                goto done;
            fields[count].name = name;
            fields[count].value = value;
            fields[count].value_len = value_len;
            count++;
        }
        i = end + 1;
    }

done:
    if (rc != FORM_OK) {
        fields = NULL;
        count = 0;
    }
    out->fields = fields;
    out->count = count;
    return rc;
}

/* First value of name, or NULL (see form.h). Linear: forms are small and
 * limited to max_fields. */
const char *form_get(const form_t *f, const char *name)
{
    if (!f || !name)
        return NULL;
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

/* Percent-encodes s; keep_slash leaves '/' as it is (paths stay readable). */
static const char *url_encode(arena_t *a, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s)
        return "";
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || (keep_slash && c == '/')) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

const char *form_url_encode(arena_t *a, const char *s)
{
    return url_encode(a, s, 0);
}

const char *form_url_encode_path(arena_t *a, const char *s)
{
    return url_encode(a, s, 1);
}
