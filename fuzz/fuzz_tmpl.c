/* fuzz_tmpl.c — libFuzzer target for the template engine (tmpl.h).
 *
 * The input is template source: up to the first NUL byte it becomes "main", the
 * rest (if any) "sub", so the fuzzer can write both sides of a partial. Two fixed
 * partials ("p", "list") are there to be included. Whatever compiles and links is
 * rendered twice against a small fixed model, once with a roomy buffer and once
 * with a tiny one so that the overflow path runs too. Nothing may crash, leak or
 * hang; the render step budget (TMPL_MAX_STEPS) is what bounds nested loops.
 *
 *   build/fuzz/bin/fuzz_tmpl -max_total_time=60 fuzz/corpus/tmpl
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "view/tmpl.h"

static const char model_json[] =
    "{\"name\": \"<Mainz & 'Bingen'>\", \"n\": 3, \"r\": 2.5, \"t\": true, \"f\": false,"
    " \"z\": null, \"e\": \"\", \"zero\": 0,"
    " \"items\": [{\"name\": \"a\", \"items\": [{\"name\": \"b\"}]}, {\"name\": \"c\", \"items\": []}],"
    " \"tags\": [\"x\", \"<y>\"], \"o\": {\"a\": {\"b\": \"c\"}},"
    " \"child\": {\"child\": {\"child\": null}}}";

static const char *const fixed[][2] = {
    {"p", "<p>{{name}}</p>"},
    {"list", "<ul>{{#items}}<li>{{>p}}</li>{{/items}}</ul>"},
};

/* Translates msgids starting with 'A' into text that needs escaping. */
static const char *translate(const char *lang, const char *msgid)
{
    return msgid[0] == 'A' ? "<übersetzt & \"quoted\">" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *model; /* parsed once; reachable until exit, so not a leak */
    char err[256];
    arena_t arena;
    buf_t out;

    if (!model)
        model = json_loads(model_json, 0, NULL);
    tmpl_set_t *set = tmpl_set_new();
    if (!set)
        return 0;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        tmpl_set_add(set, fixed[i][0], fixed[i][1], strlen(fixed[i][1]), err, sizeof(err));

    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t main_len = nul ? (size_t)(nul - text) : size;
    int rc = tmpl_set_add(set, "main", text, main_len, err, sizeof(err));
    if (rc == 0 && nul)
        rc = tmpl_set_add(set, "sub", nul + 1, size - main_len - 1, err, sizeof(err));
    if (rc == 0)
        rc = tmpl_set_link(set, err, sizeof(err));
    if (rc == 0) {
        tmpl_set_translator(set, translate);
        arena_init(&arena);
        buf_init(&out, &arena, 256, 64 * 1024);
        tmpl_render(tmpl_get(set, "main"), model, "en", &out);
        buf_init(&out, &arena, 0, 16);
        tmpl_render(tmpl_get(set, "main"), model, "en", &out);
        arena_clear(&arena);
    }
    tmpl_set_free(set);
    return 0;
}
