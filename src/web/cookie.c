/* cookie.c — the Cookie request header, "a=1; b=2" (see cookie.h).
 *
 * The grammar is RFC 6265 §4.2.1: pairs separated by ";", a name that is an
 * RFC 7230 token, a value of cookie-octets, optionally in double quotes. We
 * accept a little more whitespace than the grammar (none, or several blanks
 * around ";" and "="), as browsers do, but refuse pairs with characters outside
 * the grammar. Such a pair is skipped, not the whole header: it usually belongs
 * to another application on the same host, and our own cookies must still work.
 */
#include "web/cookie.h"

#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 7230 tchar: what a cookie name may contain. */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 6265 cookie-octet: printable US-ASCII without space, '"', ',', ';' and '\'. */
static int is_cookie_octet(unsigned char c)
{
    return c >= 0x21 && c <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\';
}

/* Shrinks [*start, *end) of s so that it has no blanks at either end. */
static void trim(const char *s, size_t *start, size_t *end)
{
    while (*start < *end && is_blank(s[*start]))
        (*start)++;
    while (*end > *start && is_blank(s[*end - 1]))
        (*end)--;
}

/* Parses the pair s[start..end) into *out. Returns 1 when it is a valid pair,
 * 0 when it must be skipped. */
static int parse_pair(arena_t *a, const char *s, size_t start, size_t end, cookie_t *out)
{
    trim(s, &start, &end);
    if (end - start > COOKIE_MAX_PAIR)
        return 0;
    const char *eq = memchr(s + start, '=', end - start);
    if (!eq)
        return 0;

    size_t name_start = start;
    size_t name_end = (size_t)(eq - s);
    size_t value_start = name_end + 1;
    size_t value_end = end;
    trim(s, &name_start, &name_end);
    trim(s, &value_start, &value_end);

    if (name_end == name_start)
        return 0;
    for (size_t i = name_start; i < name_end; i++)
        if (!is_tchar((unsigned char)s[i]))
            return 0;

    if (value_end > value_start && s[value_start] == '"') {
        /* A quoted value needs both quotes; they are not part of the value. */
        if (value_end - value_start < 2 || s[value_end - 1] != '"')
            return 0;
        value_start++;
        value_end--;
    }
    for (size_t i = value_start; i < value_end; i++)
        if (!is_cookie_octet((unsigned char)s[i]))
            return 0;

    out->name = arena_strndup(a, s + name_start, name_end - name_start);
    out->value = arena_strndup(a, s + value_start, value_end - value_start);
    return 1;
}

/* Parses one Cookie header value into out[0..max) (see cookie.h). Strings are
 * copied into the arena, in header order; duplicates are kept. At most
 * COOKIE_MAX_COUNT cookies are stored whatever max is; pairs longer than
 * COOKIE_MAX_PAIR bytes (without surrounding blanks) are skipped. */
size_t cookie_parse(arena_t *a, const char *header, size_t n, cookie_t *out, size_t max)
{
    size_t limit = max < COOKIE_MAX_COUNT ? max : COOKIE_MAX_COUNT;
    size_t count = 0; /* cookies stored in out */
    size_t i = 0;     /* start of the current pair */

    if (!header || !out)
        return 0;
    while (i < n && count < limit) {
        const char *semi = memchr(header + i, ';', n - i);
        size_t end = semi ? (size_t)(semi - header) : n;
        if (parse_pair(a, header, i, end, &out[count]))
            count++;
        i = end + 1;
    }
    return count;
}

/* Value of the first cookie called name, or NULL (see cookie.h). Names compare
 * case-sensitively, as browsers store them. */
const char *cookie_find(const cookie_t *list, size_t count, const char *name)
{
    if (!list || !name)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i].name, name) == 0)
            return list[i].value;
    return NULL;
}
