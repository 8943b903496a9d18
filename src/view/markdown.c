/* markdown.c — Markdown via md4c's HTML renderer, with raw HTML switched off (see markdown.h). */
#include "view/markdown.h"

#include <md4c-html.h>
#include <string.h>

#include "core/utf8.h"

typedef struct sink {
    buf_t *out;
    int failed;
} sink_t;

static void on_output(const MD_CHAR *text, MD_SIZE size, void *userdata)
{
    sink_t *s = userdata;
    if (buf_append(s->out, text, size) != 0)
        s->failed = 1;
}

/* md4c escapes link targets but accepts any scheme; javascript: and data: must not
 * become links, so such documents are refused here before rendering. */
static int has_dangerous_link(const char *md, size_t n)
{
    static const char *const bad[] = {"javascript:", "vbscript:", "data:"};
    for (size_t i = 0; i < n; i++) {
        if (md[i] != '(' && md[i] != '<' && md[i] != ':')
            continue;
        const char *p = md + i + 1;
        size_t left = n - i - 1;
        while (left && (*p == ' ' || *p == '\t')) {
            p++;
            left--;
        }
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            size_t bl = strlen(bad[k]);
            if (left >= bl && strncasecmp(p, bad[k], bl) == 0)
                return 1;
        }
    }
    return 0;
}

int markdown_to_html(const char *md, size_t n, buf_t *out)
{
    if (!utf8_valid(md, n))
        return -1;
    sink_t s = {out, 0};
    const char *src = md;
    buf_t cleaned;
    buf_init(&cleaned, NULL, 0, n + 1);
    if (has_dangerous_link(md, n)) {
        /* Neutralise the scheme's colon so that the text stays readable. */
        buf_append(&cleaned, md, n);
        for (size_t i = 0; i < cleaned.len; i++) {
            static const char *const bad[] = {"javascript:", "vbscript:", "data:"};
            for (size_t k = 0; k < 3; k++) {
                size_t bl = strlen(bad[k]);
                if (cleaned.len - i >= bl && strncasecmp(cleaned.data + i, bad[k], bl) == 0)
                    cleaned.data[i + bl - 1] = ' ';
            }
        }
        src = cleaned.data;
    }
    int rc = md_html(src, (MD_SIZE)n, on_output, &s, MD_DIALECT_GITHUB | MD_FLAG_NOHTML, 0);
    buf_free(&cleaned);
    return rc != 0 || s.failed ? -1 : 0;
}
