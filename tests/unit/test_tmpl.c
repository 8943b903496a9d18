/* test_tmpl.c — the template engine as a page author and an operator meet it:
 * escaping, values, sections, partials, translations, every syntax error with its
 * line, every limit, and loading a template directory from disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "view/i18n.h"
#include "view/tmpl.h"

static arena_t arena; /* output buffers of one test */
static char err[512]; /* the last error message */

/* malloc that cannot return NULL (the compiler then knows it, too). */
static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        abort();
    return p;
}

static int setup(void **state)
{
    arena_init(&arena);
    err[0] = '\0';
    return 0;
}

static int teardown(void **state)
{
    arena_clear(&arena);
    return 0;
}

/* Builds a linked set from name/text pairs (NULL-terminated); fails the test on error. */
static tmpl_set_t *set_of(const char *name, ...)
{
    tmpl_set_t *set = tmpl_set_new();
    assert_non_null(set);
    va_list ap;
    va_start(ap, name);
    for (const char *n = name; n; n = va_arg(ap, const char *)) {
        const char *text = va_arg(ap, const char *);
        if (tmpl_set_add(set, n, text, strlen(text), err, sizeof(err)) != 0)
            fail_msg("%s", err);
    }
    va_end(ap);
    if (tmpl_set_link(set, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    return set;
}

/* Renders name from set with the JSON model text; returns the page (in the arena). */
static const char *render_in(tmpl_set_t *set, const char *name, const char *model_json, const char *lang)
{
    json_error_t jerr;
    json_t *model = model_json ? json_loads(model_json, 0, &jerr) : NULL;
    if (model_json && !model)
        fail_msg("bad test JSON: %s", jerr.text);
    buf_t out;
    buf_init(&out, &arena, 64, 64 * 1024);
    int rc = tmpl_render(tmpl_get(set, name), model, lang, &out);
    json_decref(model);
    assert_int_equal(rc, 0);
    return buf_cstr(&out);
}

/* One template, one model, the page. */
static const char *render1(const char *text, const char *model_json)
{
    tmpl_set_t *set = set_of("t", text, NULL);
    const char *page = render_in(set, "t", model_json, "de");
    tmpl_set_free(set);
    return page;
}

/* Compiles text as template "t" and expects an error containing want. */
static void expect_error(const char *text, size_t len, const char *want)
{
    tmpl_set_t *set = tmpl_set_new();
    err[0] = '\0';
    int rc = tmpl_set_add(set, "t", text, len, err, sizeof(err));
    tmpl_set_free(set);
    if (rc >= 0 || !strstr(err, want))
        fail_msg("template %.60s: expected error \"%s\", got rc %d \"%s\"", text, want, rc, err);
}

static void test_escapes_all_five(void **state)
{
    buf_t out;
    buf_init(&out, &arena, 0, 1024);
    assert_int_equal(html_escape(&out, "a&b<c>d\"e'f", 11), 0);
    assert_string_equal(buf_cstr(&out), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    assert_string_equal(render1("<p title=\"{{v}}\">{{v}}</p>", "{\"v\": \"<&\\\"'>\"}"),
                        "<p title=\"&lt;&amp;&quot;&#39;&gt;\">&lt;&amp;&quot;&#39;&gt;</p>");
}

static void test_raw_output(void **state)
{
    assert_string_equal(render1("{{{html}}}|{{ html }}", "{\"html\": \"<b>fett</b>\"}"),
                        "<b>fett</b>|&lt;b&gt;fett&lt;/b&gt;");
}

static void test_values(void **state)
{
    assert_string_equal(render1("{{s}}|{{i}}|{{r}}|{{big}}|{{t}}|{{f}}|{{n}}|{{missing}}|{{o}}|{{a}}",
                                "{\"s\": \"Mainz\", \"i\": -42, \"r\": 2.5, \"big\": 1e20,"
                                " \"t\": true, \"f\": false, \"n\": null, \"o\": {\"x\": 1},"
                                " \"a\": [1]}"),
                        "Mainz|-42|2.5|1e+20|true|false||||");
}

static void test_section_over_objects_sees_outer_context(void **state)
{
    assert_string_equal(render1("<ul>{{#items}}<li>{{name}}, {{city}}</li>{{/items}}</ul>",
                                "{\"city\": \"Mainz\", \"items\": [{\"name\": \"A\"}, {\"name\": \"B\", "
                                "\"city\": \"Bingen\"}]}"),
                        "<ul><li>A, Mainz</li><li>B, Bingen</li></ul>");
}

static void test_section_truthy_values_render_once_in_same_context(void **state)
{
    const char *t = "{{#v}}[{{title}}]{{/v}}";
    const char *values[] = {"true", "\"x\"", "1", "-1", "0.5", "{}"};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char model[64];
        snprintf(model, sizeof(model), "{\"title\": \"T\", \"v\": %s}", values[i]);
        if (strcmp(render1(t, model), "[T]") != 0)
            fail_msg("section with %s did not render once", values[i]);
    }
}

static void test_inverted_for_each_falsy_value(void **state)
{
    const char *t = "{{^v}}leer{{/v}}{{#v}}voll{{/v}}";
    const char *falsy[] = {"false", "null", "\"\"", "0", "0.0", "[]"};
    for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
        char model[64];
        snprintf(model, sizeof(model), "{\"v\": %s}", falsy[i]);
        if (strcmp(render1(t, model), "leer") != 0)
            fail_msg("%s is not falsy", falsy[i]);
    }
    assert_string_equal(render1(t, "{}"), "leer"); /* missing */
    assert_string_equal(render1(t, NULL), "leer"); /* no model at all */
    const char *truthy[] = {"true", "\"0\"", "1", "[0]", "{}"};
    for (size_t i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
        char model[64];
        snprintf(model, sizeof(model), "{\"v\": %s}", truthy[i]);
        if (strcmp(render1(t, model), "voll") != 0)
            fail_msg("%s is not truthy", truthy[i]);
    }
}

static void test_dotted_names(void **state)
{
    const char *model = "{\"a\": {\"b\": {\"c\": \"tief\"}, \"x\": \"ax\"},"
                        " \"list\": [{\"a\": {\"y\": 1}}, {\"z\": 2}]}";
    assert_string_equal(render1("{{a.b.c}}|{{a.x}}|{{a.nope}}|{{a.b.c.d}}", model), "tief|ax||");
    /* First segment outwards: the second element has no "a" and finds the root's;
     * the first has its own "a" without "x", and the rest is not searched outwards. */
    assert_string_equal(render1("{{#list}}[{{a.x}}]{{/list}}", model), "[][ax]");
    assert_string_equal(render1("{{#a.b}}{{c}}{{/a.b}}", model), "tief");
    /* Numbers index arrays: "is there a first element?" without a separate flag. */
    assert_string_equal(render1("{{#list.0}}has{{/list.0}}|{{list.1.z}}|{{list.2.z}}|{{^list.5}}none{{/list.5}}", model),
                        "has|2||none");
    assert_string_equal(render1("{{#e.0}}x{{/e.0}}{{^e.0}}empty{{/e.0}}", "{\"e\": []}"), "empty");
    assert_string_equal(render1("{{a.0}}|{{list.x}}|{{list.-1.z}}", model), "||");
}

static void test_dot_in_array_of_strings(void **state)
{
    assert_string_equal(render1("{{#tags}}[{{.}}]{{/tags}}", "{\"tags\": [\"Bau\", \"<Verkehr>\", 3]}"),
                        "[Bau][&lt;Verkehr&gt;][3]");
}

static void test_partials(void **state)
{
    tmpl_set_t *set = set_of("page", "<main>{{>parts/head}}{{#items}}{{>parts/item}}{{/items}}</main>", "parts/head",
                             "<h1>{{title}}</h1>", "parts/item", "<p>{{name}} ({{title}})</p>", NULL);
    assert_string_equal(render_in(set, "page",
                                  "{\"title\": \"Vorhaben\", \"items\": [{\"name\": \"Brücke\"}, "
                                  "{\"name\": \"Schule\"}]}",
                                  "de"),
                        "<main><h1>Vorhaben</h1><p>Brücke (Vorhaben)</p><p>Schule (Vorhaben)</p></main>");
    assert_null(tmpl_get(set, "parts/nope"));
    assert_null(tmpl_get(set, "part"));
    tmpl_set_free(set);
}

static const char *seen_lang; /* what the test translator was called with */

static const char *test_translator(const char *lang, const char *msgid)
{
    seen_lang = lang;
    if (strcmp(msgid, "Anmelden") == 0)
        return "Sign in";
    if (strcmp(msgid, "Fett") == 0)
        return "<b>bold</b>";
    return NULL;
}

static void test_translation(void **state)
{
    const char *text = "<a>{{_ Anmelden }}</a>|{{_ Unbekannt  bleibt}}|{{_ Fett}}|{{_ A & B}}";
    tmpl_set_t *set = set_of("t", text, NULL);
    /* No translator: the German text, escaped. */
    assert_string_equal(render_in(set, "t", NULL, "en"), "<a>Anmelden</a>|Unbekannt  bleibt|Fett|A &amp; B");
    tmpl_set_translator(set, test_translator);
    seen_lang = NULL;
    assert_string_equal(render_in(set, "t", NULL, "en"),
                        "<a>Sign in</a>|Unbekannt  bleibt|&lt;b&gt;bold&lt;/b&gt;|A &amp; B");
    assert_string_equal(seen_lang, "en");
    tmpl_set_free(set);
}

static void test_translation_with_catalogue(void **state)
{
    static const char po[] = "msgid \"Anmelden\"\nmsgstr \"Sign in\"\n";
    assert_int_equal(i18n_load_po_text("en", po, sizeof(po) - 1, "en.po", err, sizeof(err)), 0);
    tmpl_set_t *set = set_of("t", "{{_ Anmelden}}", NULL);
    tmpl_set_translator(set, i18n_translate);
    assert_string_equal(render_in(set, "t", NULL, "en"), "Sign in");
    assert_string_equal(render_in(set, "t", NULL, "de"), "Anmelden");
    assert_string_equal(render_in(set, "t", NULL, NULL), "Anmelden");
    tmpl_set_free(set);
    i18n_free();
}

static void test_names_like_sigils_are_names(void **state)
{
    /* "_name" is a variable; only "_ " starts a translation. Comments print nothing. */
    assert_string_equal(render1("{{_x}}{{! ein {Kommentar}\n über Zeilen }}|{{-a}}", "{\"_x\": \"u\", \"-a\": \"m\"}"),
                        "u|m");
}

static void test_syntax_errors_name_the_line(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"a\nb {{name", "t:2: unclosed tag"},
        {"a\n\n{{{raw}}", "t:3: unclosed tag: no '}}}'"},
        {"x\n\n{{#a}}\n{{#b}}{{/b}}\n", "t:3: {{#a}} is never closed"},
        {"{{^a}}", "t:1: {{^a}} is never closed"},
        {"{{#a}}\n{{/b}}", "t:2: {{/b}} does not close {{#a}} from line 1"},
        {"\n{{/a}}", "t:2: {{/a}} closes no open section"},
        {"{{a b}}", "t:1: 'a b' is not a valid name"},
        {"{{a..b}}", "t:1: 'a..b' is not a valid name"},
        {"{{.a}}", "t:1: '.a' is not a valid name"},
        {"{{a.}}", "t:1: 'a.' is not a valid name"},
        {"{{}}", "t:1: '' is not a valid name"},
        {"{{#a/b}}{{/a/b}}", "t:1: 'a/b' is not a valid name"},
        {"{{&a}}", "t:1: '&a' is not a valid name"},
        {"{{a\x01}}", "t:1: 'a?' is not a valid name"},
        {"\n\n\n{{>}}", "t:4: '' is not a valid partial name"},
        {"{{>a//b}}", "t:1: 'a//b' is not a valid partial name"},
        {"{{>/a}}", "t:1: '/a' is not a valid partial name"},
        {"{{>.}}", "t:1: '.' is not a valid partial name"},
        {"{{=<% %>=}}", "t:1: delimiter changes"},
        {"a\n{{_   }}", "t:2: {{_ }} without text"},
        {"{{! eins\nzwei\ndrei }}{{x y}}", "t:3: 'x y' is not a valid name"},
        {"{{a\n}}{{b c}}", "t:2: 'b c' is not a valid name"},
        {"ok\n\xff\n", "t:2: not valid UTF-8"},
        {"{{{a}}", "t:1: unclosed tag"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_error(cases[i].text, strlen(cases[i].text), cases[i].want);
    expect_error("a\n\0b", 4, "t:2: not valid UTF-8");
}

static void test_bad_and_duplicate_template_names(void **state)
{
    tmpl_set_t *set = tmpl_set_new();
    assert_true(tmpl_set_add(set, "a b", "", 0, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "not a usable template name"));
    assert_int_equal(tmpl_set_add(set, "x", "1", 1, err, sizeof(err)), 0);
    assert_true(tmpl_set_add(set, "x", "2", 1, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "x:1: a template named 'x' exists already"));
    tmpl_set_free(set);
}

/* Returns a malloc'd template of n nested sections around inner. */
static char *nested_sections(int n, const char *inner)
{
    size_t inner_len = strlen(inner);
    char *s = xmalloc((size_t)n * 12 + inner_len + 1);
    char *p = s;
    for (int i = 0; i < n; i++, p += 6)
        memcpy(p, "{{#a}}", 6);
    memcpy(p, inner, inner_len);
    p += inner_len;
    for (int i = 0; i < n; i++, p += 6)
        memcpy(p, "{{/a}}", 6);
    *p = '\0';
    return s;
}

static void test_limits_at_compile(void **state)
{
    char tag[TMPL_MAX_TAG + 8]; /* {{ + name + }} */
    memset(tag, 'a', sizeof(tag));
    memcpy(tag, "{{", 2);
    memcpy(tag + 2 + TMPL_MAX_TAG, "}}", 3);
    assert_string_equal(render1(tag, "{}"), ""); /* exactly the limit */
    tag[2 + TMPL_MAX_TAG] = 'a';
    memcpy(tag + 3 + TMPL_MAX_TAG, "}}", 3);
    expect_error(tag, strlen(tag), "t:1: tag longer than 256 bytes");

    /* Translations may hold a sentence, up to their own limit. */
    char *text = xmalloc(TMPL_MAX_TEXT_TAG + 16);
    memset(text, 'w', TMPL_MAX_TEXT_TAG + 16);
    memcpy(text, "{{_ ", 4);
    memcpy(text + 2 + TMPL_MAX_TEXT_TAG, "}}", 3);
    tmpl_set_t *set = set_of("t", text, NULL);
    tmpl_set_free(set);
    memcpy(text + 3 + TMPL_MAX_TEXT_TAG, "}}", 3);
    text[2 + TMPL_MAX_TEXT_TAG] = 'w';
    expect_error(text, strlen(text), "t:1: tag longer than 4096 bytes");
    free(text);

    char *deep = nested_sections(TMPL_MAX_NESTING, "x");
    assert_string_equal(render1(deep, "{\"a\": true}"), "x");
    free(deep);
    deep = nested_sections(TMPL_MAX_NESTING + 1, "x");
    expect_error(deep, strlen(deep), "t:1: sections nested deeper than 32");
    free(deep);

    char *big = xmalloc(TMPL_MAX_SIZE + 1);
    memset(big, 'b', TMPL_MAX_SIZE + 1);
    set = tmpl_set_new();
    assert_int_equal(tmpl_set_add(set, "ok", big, TMPL_MAX_SIZE, err, sizeof(err)), 0);
    assert_true(tmpl_set_add(set, "big", big, TMPL_MAX_SIZE + 1, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "big:1: template larger than"));
    tmpl_set_free(set);
    free(big);
}

static void test_link_errors(void **state)
{
    tmpl_set_t *set = tmpl_set_new();
    const char *main_text = "a\nb\n{{#x}}{{>nope}}{{/x}}";
    assert_int_equal(tmpl_set_add(set, "main", main_text, strlen(main_text), err, sizeof(err)), 0);
    buf_t out;
    buf_init(&out, &arena, 0, 1024);
    assert_int_equal(tmpl_render(tmpl_get(set, "main"), NULL, "de", &out), TMPL_EINVAL);
    assert_true(tmpl_set_link(set, err, sizeof(err)) < 0);
    assert_string_equal(err, "main:3: partial 'nope' not found");
    assert_int_equal(tmpl_render(tmpl_get(set, "main"), NULL, "de", &out), TMPL_EINVAL);
    assert_int_equal(tmpl_set_add(set, "nope", "n", 1, err, sizeof(err)), 0);
    assert_int_equal(tmpl_set_link(set, err, sizeof(err)), 0);
    tmpl_set_free(set);

    /* Recursion that no section guards can never render: refused at link. */
    set = tmpl_set_new();
    assert_int_equal(tmpl_set_add(set, "a", "\n{{>b}}", 7, err, sizeof(err)), 0);
    assert_int_equal(tmpl_set_add(set, "b", "{{>a}}", 6, err, sizeof(err)), 0);
    assert_true(tmpl_set_link(set, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "endless recursion"));
    tmpl_set_free(set);
}

/* A set of n+1 templates p0 … pn where each includes the next outside any section. */
static tmpl_set_t *chain(int n, int *rc)
{
    tmpl_set_t *set = tmpl_set_new();
    char name[16], text[32];
    for (int i = 0; i <= n; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        if (i < n)
            snprintf(text, sizeof(text), "%d{{>p%d}}", i, i + 1);
        else
            snprintf(text, sizeof(text), "end");
        assert_int_equal(tmpl_set_add(set, name, text, strlen(text), err, sizeof(err)), 0);
    }
    *rc = tmpl_set_link(set, err, sizeof(err));
    return set;
}

static void test_partial_depth_at_link(void **state)
{
    int rc;
    tmpl_set_t *set = chain(TMPL_MAX_PARTIAL_DEPTH, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(render_in(set, "p0", NULL, "de"), "0123456789101112131415end");
    tmpl_set_free(set);
    set = chain(TMPL_MAX_PARTIAL_DEPTH + 1, &rc);
    assert_true(rc < 0);
    assert_non_null(strstr(err, "nests partials deeper than 16"));
    tmpl_set_free(set);
}

/* {"child": {"child": … {"child": null}}} with n children. The leaf says null
 * explicitly: a missing name would be looked up outwards and find its parent's. */
static json_t *tree(int n)
{
    json_t *node = json_pack("{s:n}", "child");
    for (int i = 0; i < n; i++) {
        json_t *parent = json_object();
        json_object_set_new(parent, "child", node);
        node = parent;
    }
    return node;
}

static void test_recursion_capped_at_render(void **state)
{
    /* A tree walk is legitimate recursion, guarded by a section. */
    tmpl_set_t *set = set_of("node", "<li>{{#child}}{{>node}}{{/child}}</li>", NULL);
    buf_t out;
    buf_init(&out, &arena, 0, 64 * 1024);
    json_t *model = tree(TMPL_MAX_PARTIAL_DEPTH);
    assert_int_equal(tmpl_render(tmpl_get(set, "node"), model, "de", &out), 0);
    json_decref(model);
    model = tree(TMPL_MAX_PARTIAL_DEPTH + 1);
    buf_reset(&out);
    assert_int_equal(tmpl_render(tmpl_get(set, "node"), model, "de", &out), TMPL_EDEPTH);
    json_decref(model);
    tmpl_set_free(set);

    /* A guard that never turns false. */
    set = set_of("r", "x{{#a}}{{>r}}{{/a}}", NULL);
    model = json_pack("{s:b}", "a", 1);
    buf_reset(&out);
    assert_int_equal(tmpl_render(tmpl_get(set, "r"), model, "de", &out), TMPL_EDEPTH);
    json_decref(model);
    tmpl_set_free(set);
}

static void test_buffer_cap_fails_render(void **state)
{
    tmpl_set_t *set = set_of("t", "<p>{{v}}</p>", NULL);
    json_t *model = json_pack("{s:s}", "v", "a<b");
    buf_t out;
    buf_init(&out, &arena, 0, 13); /* "<p>a&lt;b</p>" is exactly 13 bytes */
    assert_int_equal(tmpl_render(tmpl_get(set, "t"), model, "de", &out), 0);
    assert_string_equal(buf_cstr(&out), "<p>a&lt;b</p>");
    buf_init(&out, &arena, 0, 12);
    assert_int_equal(tmpl_render(tmpl_get(set, "t"), model, "de", &out), BUF_ETOOBIG);
    buf_init(&out, &arena, 0, 5); /* runs out inside the escaped value */
    assert_true(tmpl_render(tmpl_get(set, "t"), model, "de", &out) < 0);
    json_decref(model);
    tmpl_set_free(set);
}

static void test_step_budget_stops_runaway_loops(void **state)
{
    /* 24 nested loops over two elements: 2^24 visits, no output, so only the
     * budget can stop it. */
    char *deep = nested_sections(24, "");
    tmpl_set_t *set = set_of("t", deep, NULL);
    free(deep);
    json_t *model = json_pack("{s:[i,i]}", "a", 1, 2);
    buf_t out;
    buf_init(&out, &arena, 0, 1024);
    assert_int_equal(tmpl_render(tmpl_get(set, "t"), model, "de", &out), TMPL_ESTEPS);
    json_decref(model);
    tmpl_set_free(set);
}

static void test_large_page_is_within_budget(void **state)
{
    /* 10 000 table rows: a big but honest page must not trip the step budget. */
    tmpl_set_t *set = set_of("t",
                             "<table>{{#rows}}<tr><td>{{name}}</td><td>{{n}}</td>"
                             "<td>{{city}}</td></tr>{{/rows}}</table>",
                             NULL);
    json_t *rows = json_array();
    for (int i = 0; i < 10000; i++)
        json_array_append_new(rows, json_pack("{s:s,s:i}", "name", "Antrag", "n", i));
    json_t *model = json_pack("{s:s,s:o}", "city", "Mainz", "rows", rows);
    buf_t out;
    buf_init(&out, &arena, 0, 4 * 1024 * 1024);
    assert_int_equal(tmpl_render(tmpl_get(set, "t"), model, "de", &out), 0);
    assert_non_null(strstr(buf_cstr(&out), "<tr><td>Antrag</td><td>9999</td><td>Mainz</td></tr></table>"));
    json_decref(model);
    tmpl_set_free(set);
}

static void test_null_arguments(void **state)
{
    buf_t out;
    buf_init(&out, &arena, 0, 16);
    assert_int_equal(tmpl_render(NULL, NULL, "de", &out), TMPL_EINVAL);
    assert_null(tmpl_get(NULL, "x"));
    assert_true(tmpl_set_add(NULL, "x", "", 0, err, sizeof(err)) < 0);
    assert_true(tmpl_set_link(NULL, err, sizeof(err)) < 0);
    tmpl_set_free(NULL);
    assert_string_equal(render1("", "{}"), "");
}

/* ---- loading a directory ---- */

static void write_file(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_dir(const char *dir, const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_load_directory(void **state)
{
    char dir[] = "/tmp/test_tmpl_XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "layout.html", "<html>{{>core/home}}</html>");
    make_dir(dir, "core");
    write_file(dir, "core/home.html", "<h1>{{_ Startseite}}</h1>{{#items}}{{>core/parts/item}}{{/items}}");
    make_dir(dir, "core/parts");
    write_file(dir, "core/parts/item.html", "<p>{{.}}</p>");
    write_file(dir, "core/notes.txt", "{{not a template");
    write_file(dir, "core/.#home.html", "{{editor lock file");

    tmpl_set_t *set = tmpl_set_load(dir, err, sizeof(err));
    if (!set)
        fail_msg("%s", err);
    assert_non_null(tmpl_get(set, "core/parts/item"));
    assert_null(tmpl_get(set, "core/notes"));
    assert_null(tmpl_get(set, "core/.#home"));
    assert_string_equal(render_in(set, "layout", "{\"items\": [\"a\", \"b\"]}", "de"),
                        "<html><h1>Startseite</h1><p>a</p><p>b</p></html>");
    tmpl_set_free(set);

    /* A broken file stops the load with its path and line. */
    write_file(dir, "core/parts/broken.html", "eins\nzwei\n{{#offen}}\n");
    write_file(dir, "core/zz.html", "{{/auch kaputt}}"); /* later in sort order */
    set = tmpl_set_load(dir, err, sizeof(err));
    assert_null(set);
    char want[600];
    snprintf(want, sizeof(want), "%s/core/parts/broken.html:3: {{#offen}} is never closed", dir);
    assert_string_equal(err, want);
    remove_tree(dir);
}

static void test_load_reports_missing_partial_with_file(void **state)
{
    char dir[] = "/tmp/test_tmpl_XXXXXX";
    assert_non_null(mkdtemp(dir));
    make_dir(dir, "m");
    write_file(dir, "m/page.html", "\n\n{{#x}}{{>m/fehlt}}{{/x}}");
    tmpl_set_t *set = tmpl_set_load(dir, err, sizeof(err));
    assert_null(set);
    char want[600];
    snprintf(want, sizeof(want), "%s/m/page.html:3: partial 'm/fehlt' not found", dir);
    assert_string_equal(err, want);
    remove_tree(dir);
    assert_null(tmpl_set_load(dir, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot open directory"));
}

static void test_load_refuses_file_name_and_big_file(void **state)
{
    char dir[] = "/tmp/test_tmpl_XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "bad name.html", "x");
    assert_null(tmpl_set_load(dir, err, sizeof(err)));
    assert_non_null(strstr(err, "bad name.html:1: not a usable template name"));
    remove_tree(dir);

    strcpy(dir, "/tmp/test_tmpl_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof(path), "%s/big.html", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fseek(f, TMPL_MAX_SIZE, SEEK_SET), 0);
    fputc('x', f);
    fclose(f);
    assert_null(tmpl_set_load(dir, err, sizeof(err)));
    assert_non_null(strstr(err, "big.html:1: template larger than"));
    remove_tree(dir);
}

static void test_load_stops_at_symlink_loop(void **state)
{
    char dir[] = "/tmp/test_tmpl_XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "a.html", "a");
    char link[600];
    snprintf(link, sizeof(link), "%s/loop", dir);
    assert_int_equal(symlink(".", link), 0);
    assert_null(tmpl_set_load(dir, err, sizeof(err)));
    assert_non_null(strstr(err, "directories nested deeper than 16"));
    remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_escapes_all_five, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_over_objects_sees_outer_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_truthy_values_render_once_in_same_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inverted_for_each_falsy_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotted_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dot_in_array_of_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translation_with_catalogue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_like_sigils_are_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors_name_the_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_and_duplicate_template_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_at_compile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_depth_at_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recursion_capped_at_render, setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_cap_fails_render, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_budget_stops_runaway_loops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_page_is_within_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_reports_missing_partial_with_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_refuses_file_name_and_big_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_stops_at_symlink_loop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
