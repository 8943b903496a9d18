/* content.c — the site's text pages (Impressum, Datenschutz, Barrierefreiheit, Leichte Sprache).
 *
 * Each page is a Markdown file content/<lang>/<name>.md that the city edits
 * without touching code. All are rendered once at start-up; a page missing in
 * English falls back to German.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/core/core.h"
#include "view/markdown.h"

#define CONTENT_MAX (256 * 1024)

static const char *const page_names[] = {"impressum", "datenschutz", "barrierefreiheit", "leichte-sprache", "start"};
static const char *const langs[] = {"de", "en"};
#define NPAGES (sizeof(page_names) / sizeof(page_names[0]))
#define NLANGS 2

static char *html[NPAGES][NLANGS];

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = malloc(CONTENT_MAX + 1);
    size_t got = data ? fread(data, 1, CONTENT_MAX + 1, f) : 0;
    fclose(f);
    if (!data || got > CONTENT_MAX) {
        free(data);
        return NULL;
    }
    data[got] = '\0';
    *n = got;
    return data;
}

int content_load(const char *dir, char *err, size_t errlen)
{
    for (size_t p = 0; p < NPAGES; p++) {
        for (size_t l = 0; l < NLANGS; l++) {
            char path[512];
            snprintf(path, sizeof(path), "%s/%s/%s.md", dir, langs[l], page_names[p]);
            size_t n;
            char *md = read_file(path, &n);
            if (!md) {
                if (l == 0) {
                    snprintf(err, errlen, "%s: missing or larger than %d bytes", path, CONTENT_MAX);
                    return -1;
                }
                continue; /* English falls back to German */
            }
            buf_t out;
            buf_init(&out, NULL, n * 2, CONTENT_MAX * 4);
            int rc = markdown_to_html(md, n, &out);
            free(md);
            if (rc != 0) {
                buf_free(&out);
                snprintf(err, errlen, "%s: not valid UTF-8 Markdown", path);
                return -1;
            }
            html[p][l] = out.data ? out.data : strdup("");
        }
    }
    return 0;
}

void content_free(void)
{
    for (size_t p = 0; p < NPAGES; p++)
        for (size_t l = 0; l < NLANGS; l++) {
            free(html[p][l]);
            html[p][l] = NULL;
        }
}

const char *content_html(const char *name, const char *lang)
{
    for (size_t p = 0; p < NPAGES; p++) {
        if (strcmp(page_names[p], name) != 0)
            continue;
        size_t l = !strcmp(lang, "en") ? 1 : 0;
        return html[p][l] ? html[p][l] : html[p][0];
    }
    return NULL;
}
