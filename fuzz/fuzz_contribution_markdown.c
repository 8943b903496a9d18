/* fuzz_contribution_markdown.c — libFuzzer target for the Markdown of residents'
 * contributions (participation_markdown, src/modules/participation/
 * moderation_markdown.c).
 *
 * Whatever a resident types, the HTML that comes out must be safe to put into a
 * page as it is. The target checks the promises of moderation_markdown.c on
 * every output: only the tags the renderer writes itself; inside a tag only the
 * attributes href, rel and start, each value quoted without '<', '>' or '"';
 * every href http:, https: or mailto:, without spaces or control characters;
 * every link rel="nofollow ugc noopener"; anchors never nested and always closed;
 * and no '<' or '>' outside a tag. The output is valid UTF-8 without NUL. Input
 * that is not valid UTF-8 (up to its first NUL byte) must give NULL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "modules/participation/internal.h"

static const char *const allowed_tags[] = {"p",   "/p",   "em",  "/em",  "strong",     "/strong",     "code", "/code",
                                           "pre", "/pre", "del", "/del", "a",          "/a",          "ul",   "/ul",
                                           "ol",  "/ol",  "li",  "/li",  "blockquote", "/blockquote", "br",   "hr"};

static int tag_allowed(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof(allowed_tags) / sizeof(allowed_tags[0]); i++)
        if (strlen(allowed_tags[i]) == n && memcmp(allowed_tags[i], name, n) == 0)
            return 1;
    return 0;
}

static int href_safe(const char *v, size_t n)
{
    if (!((n > 7 && !strncmp(v, "http://", 7)) || (n > 8 && !strncmp(v, "https://", 8)) ||
          (n > 7 && !strncmp(v, "mailto:", 7))))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= 0x20 || v[i] == 0x7F)
            return 0;
    return 1;
}

/* Checks one tag html[0..n) ("<a href=\"…\" rel=\"…\">"); *anchor tracks an open <a>. */
static void check_tag(const char *t, size_t n, int *anchor)
{
    size_t name_len = strcspn(t + 1, " >");
    if (!tag_allowed(t + 1, name_len))
        abort();
    int is_a = name_len == 1 && t[1] == 'a';
    int is_close_a = name_len == 2 && t[1] == '/' && t[2] == 'a';
    if (is_a) {
        if (*anchor)
            abort(); /* nested anchors */
        *anchor = 1;
    } else if (is_close_a) {
        if (!*anchor)
            abort();
        *anchor = 0;
    }
    int has_href = 0, has_rel = 0;
    size_t i = 1 + name_len;
    while (i < n - 1) {
        if (t[i] != ' ')
            abort();
        i++;
        size_t attr_len = strcspn(t + i, "=");
        if (t[i + attr_len] != '=' || t[i + attr_len + 1] != '"')
            abort();
        const char *value = t + i + attr_len + 2;
        const char *end = memchr(value, '"', (size_t)(t + n - value));
        if (!end)
            abort();
        size_t value_len = (size_t)(end - value);
        if (memchr(value, '<', value_len) || memchr(value, '>', value_len))
            abort();
        if (attr_len == 4 && !memcmp(t + i, "href", 4)) {
            if (!is_a || !href_safe(value, value_len))
                abort();
            has_href = 1;
        } else if (attr_len == 3 && !memcmp(t + i, "rel", 3)) {
            if (value_len != 21 || memcmp(value, "nofollow ugc noopener", 21))
                abort();
            has_rel = 1;
        } else if (!(attr_len == 5 && !memcmp(t + i, "start", 5))) {
            abort();
        }
        i = (size_t)(end - t) + 1;
    }
    if (is_a && !(has_href && has_rel))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    arena_t a;
    arena_init(&a);

    const char *html = participation_markdown(&a, text);
    /* The function reads a C string: up to the first NUL byte of the input. */
    int valid = utf8_valid(text, strlen(text));
    if (!valid && html)
        abort();
    if (html) {
        size_t n = strlen(html);
        if (!utf8_valid(html, n))
            abort();
        int anchor = 0;
        for (size_t i = 0; i < n; i++) {
            if (html[i] == '>')
                abort(); /* outside a tag: text must be escaped */
            if (html[i] != '<')
                continue;
            const char *close = strchr(html + i, '>');
            if (!close)
                abort();
            size_t tag_len = (size_t)(close - (html + i)) + 1;
            if (memchr(html + i + 1, '<', tag_len - 1))
                abort();
            check_tag(html + i, tag_len, &anchor);
            i += tag_len - 1;
        }
        if (anchor)
            abort(); /* an anchor left open */
    }
    arena_clear(&a);
    free(text);
    return 0;
}
