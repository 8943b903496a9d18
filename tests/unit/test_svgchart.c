/* test_svgchart.c — bar charts as inline SVG (view/svgchart.c).
 *
 * Every chart is parsed with libxml2 (xmlReadMemory) to prove it is well-formed
 * XML in the SVG namespace, then read with XPath as a screen reader would: the
 * role, the aria-labelledby ids that must point at the <title> and <desc>, and
 * the description that must state every value in words. Colours are taken from
 * the output and their contrast on white computed (3:1 for graphics, 4.5:1 for
 * text). Edge cases: no bars, all zero, one huge value, negative and invalid
 * values, 200 bars and more, markup and broken UTF-8 in every text.
 */
/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "view/i18n.h"
#include "view/svgchart.h"

#include "fixture_arena.h"

/* A parsed chart and an XPath context with the prefix "s" for SVG. */
typedef struct parsed {
    xmlDocPtr doc;
    xmlXPathContextPtr xpath;
} parsed_t;

static parsed_t parse(const char *svg)
{
    assert_non_null(svg);
    assert_true(utf8_valid(svg, strlen(svg)));
    parsed_t p;
    p.doc = xmlReadMemory(svg, (int)strlen(svg), "chart.svg", "UTF-8", XML_PARSE_NONET);
    if (!p.doc)
        fail_msg("not well-formed:\n%s", svg);
    xmlNodePtr root = xmlDocGetRootElement(p.doc);
    assert_string_equal((const char *)root->name, "svg");
    assert_non_null(root->ns);
    assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2000/svg");
    p.xpath = xmlXPathNewContext(p.doc);
    assert_non_null(p.xpath);
    assert_int_equal(xmlXPathRegisterNs(p.xpath, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg"), 0);
    return p;
}

static void release(parsed_t *p)
{
    xmlXPathFreeContext(p->xpath);
    xmlFreeDoc(p->doc);
}

/* The string value of an XPath expression (malloc'd by libxml2; freed here into a copy in the arena). */
static const char *string_of(arena_t *a, parsed_t *p, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, p->xpath);
    assert_non_null(o);
    xmlChar *s = xmlXPathCastToString(o);
    const char *copy = arena_strdup(a, (const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    return copy;
}

static double number_of(parsed_t *p, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, p->xpath);
    assert_non_null(o);
    double v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    return v;
}

/* The accessible name and description: role="img", aria-labelledby naming the
 * ids of the <title> and <desc> (in this order), both direct children. Returns
 * the description text. */
static const char *accessible(arena_t *a, parsed_t *p, const char *want_title)
{
    assert_string_equal(string_of(a, p, "string(/s:svg/@role)"), "img");
    const char *ids = string_of(a, p, "string(/s:svg/@aria-labelledby)");
    char title_id[64], desc_id[64];
    assert_int_equal(sscanf(ids, "%63s %63s", title_id, desc_id), 2);
    char expr[200];
    snprintf(expr, sizeof(expr), "count(/s:svg/s:title[@id='%s'])", title_id);
    assert_int_equal(number_of(p, expr), 1);
    snprintf(expr, sizeof(expr), "count(/s:svg/s:desc[@id='%s'])", desc_id);
    assert_int_equal(number_of(p, expr), 1);
    snprintf(expr, sizeof(expr), "string(/s:svg/s:title[@id='%s'])", title_id);
    assert_string_equal(string_of(a, p, expr), want_title);
    /* The drawing is hidden from assistive technology; the desc speaks for it. */
    assert_string_equal(string_of(a, p, "string(/s:svg/s:g/@aria-hidden)"), "true");
    snprintf(expr, sizeof(expr), "string(/s:svg/s:desc[@id='%s'])", desc_id);
    return string_of(a, p, expr);
}

static const char *id_of(arena_t *a, parsed_t *p)
{
    return string_of(a, p, "string(/s:svg/s:title/@id)");
}

static int bar_count(parsed_t *p)
{
    return (int)number_of(p, "count(//s:rect[@fill='#2044aa'])");
}

/* No "nan" or "inf" in any number the chart writes. */
static void assert_finite_numbers(const char *svg)
{
    assert_null(strstr(svg, "nan"));
    assert_null(strstr(svg, "inf"));
    assert_null(strstr(svg, "NaN"));
}

static void test_vertical_states_every_value(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[] = {{"KW 47", 12}, {"KW 48", 3}, {"KW 49", 0}, {"KW 50", 2.5}};
    const char *svg = svg_bar_chart(a, "Eingegangene Anträge pro Woche", "Anträge", bars, 4);
    parsed_t p = parse(svg);
    const char *desc = accessible(a, &p, "Eingegangene Anträge pro Woche");
    assert_string_equal(desc, "KW 47: 12 Anträge; KW 48: 3 Anträge; KW 49: 0 Anträge; KW 50: 2,5 Anträge.");
    assert_int_equal(bar_count(&p), 4);
    /* The tallest bar is 12 of a 0…12 or 0…15 axis; gridlines carry value labels. */
    assert_true(number_of(&p, "count(//s:line)") >= 4);
    assert_int_equal(number_of(&p, "count(//s:text[.='0'])"), 2); /* axis label and the value label of KW 49 */
    assert_int_equal(number_of(&p, "count(//s:text[.='KW 47'])"), 1);
    /* Each bar has its value as tooltip. */
    assert_int_equal(number_of(&p, "count(//s:rect/s:title[.='KW 48: 3 Anträge'])"), 1);
    /* Bar heights follow the values: 12 is four times 3. */
    double h12 = number_of(&p, "number(//s:rect[s:title='KW 47: 12 Anträge']/@height)");
    double h3 = number_of(&p, "number(//s:rect[s:title='KW 48: 3 Anträge']/@height)");
    assert_true(h3 > 0 && fabs(h12 / h3 - 4.0) < 0.05);
    assert_finite_numbers(svg);
    release(&p);
}

static void test_horizontal_long_labels_fit(void **state)
{
    arena_t *a = *state;
    char long_label[400] = "";
    while (strlen(long_label) < 300)
        strcat(long_label, "Sehr lange Bezeichnung ");
    svg_bar_t bars[] = {{"In Bearbeitung", 7}, {long_label, 1234567.5}, {"Eingegangen", 0.25}};
    const char *svg = svg_hbar_chart(a, "Offene Vorgänge nach Status", "Vorgänge", bars, 3);
    parsed_t p = parse(svg);
    const char *desc = accessible(a, &p, "Offene Vorgänge nach Status");
    assert_non_null(strstr(desc, "In Bearbeitung: 7 Vorgänge; Sehr lange Bezeichnung"));
    assert_non_null(strstr(desc, "…: 1.234.567,5 Vorgänge; Eingegangen: 0,25 Vorgänge."));
    /* Labels are right-aligned left of the bars and at most 40 % of the width. */
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST "//s:text[@text-anchor='end']", p.xpath);
    assert_int_equal(o->nodesetval->nodeNr, 3);
    for (int i = 0; i < o->nodesetval->nodeNr; i++) {
        xmlChar *text = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        assert_true(utf8_length((const char *)text, strlen((const char *)text)) <= (size_t)(640 * 0.4 / 7.0));
        xmlFree(text);
    }
    xmlXPathFreeObject(o);
    assert_int_equal(number_of(&p, "count(//s:text[@text-anchor='end'][substring(., string-length(.)) = '…'])"), 1);
    /* The value labels sit right of the bars. */
    assert_int_equal(number_of(&p, "count(//s:text[.='1.234.567,5'])"), 1);
    assert_int_equal(bar_count(&p), 3);
    release(&p);
}

static void test_text_is_escaped(void **state)
{
    arena_t *a = *state;
    const char *title = "<script>alert('x')</script> & \"Co\"";
    svg_bar_t bars[] = {{"A<B>&\"'", 1}, {"</text><script>y</script>", 2}};
    const char *svg = svg_bar_chart(a, title, "€ & <Einheit>", bars, 2);
    parsed_t p = parse(svg);
    const char *desc = accessible(a, &p, title);
    assert_string_equal(desc, "A<B>&\"': 1 € & <Einheit>; </text><script>y</script>: 2 € & <Einheit>.");
    assert_int_equal(number_of(&p, "count(//*[local-name()='script'])"), 0);
    assert_null(strstr(svg, "<script"));
    release(&p);
    svg = svg_hbar_chart(a, title, "€ & <Einheit>", bars, 2);
    p = parse(svg);
    assert_int_equal(number_of(&p, "count(//*[local-name()='script'])"), 0);
    release(&p);
}

static void test_ids_unique(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[] = {{"a", 1}};
    parsed_t p1 = parse(svg_bar_chart(a, "Eins", "", bars, 1));
    parsed_t p2 = parse(svg_bar_chart(a, "Eins", "", bars, 1));
    parsed_t p3 = parse(svg_hbar_chart(a, "Eins", "", bars, 1));
    const char *id1 = id_of(a, &p1), *id2 = id_of(a, &p2), *id3 = id_of(a, &p3);
    assert_true(strlen(id1) > 0);
    assert_string_not_equal(id1, id2);
    assert_string_not_equal(id1, id3);
    assert_string_not_equal(id2, id3);
    /* Without a unit the values stand alone. */
    assert_string_equal(accessible(a, &p1, "Eins"), "a: 1.");
    release(&p1);
    release(&p2);
    release(&p3);
}

static void test_no_bars(void **state)
{
    arena_t *a = *state;
    for (int horizontal = 0; horizontal < 2; horizontal++) {
        const char *svg = horizontal ? svg_hbar_chart(a, "Leer", "Anträge", NULL, 5) /* NULL bars: none */
                                     : svg_bar_chart(a, "Leer", "Anträge", (svg_bar_t[]){{"x", 1}}, 0);
        parsed_t p = parse(svg);
        assert_string_equal(accessible(a, &p, "Leer"), "Keine Werte vorhanden.");
        assert_int_equal(number_of(&p, "count(//s:text[.='Keine Werte'])"), 1);
        assert_int_equal(bar_count(&p), 0);
        assert_finite_numbers(svg);
        release(&p);
    }
    /* No title: the chart is still named. */
    parsed_t p = parse(svg_bar_chart(a, NULL, NULL, NULL, 0));
    accessible(a, &p, "Diagramm");
    release(&p);
}

static void test_all_zero(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[] = {{"Mo", 0}, {"Di", 0}, {"Mi", 0}};
    for (int horizontal = 0; horizontal < 2; horizontal++) {
        const char *svg = (horizontal ? svg_hbar_chart : svg_bar_chart)(a, "Null", "Anrufe", bars, 3);
        parsed_t p = parse(svg);
        assert_string_equal(accessible(a, &p, "Null"), "Mo: 0 Anrufe; Di: 0 Anrufe; Mi: 0 Anrufe.");
        assert_int_equal(bar_count(&p), 3);
        const char *size = horizontal ? "width" : "height";
        char expr[80];
        snprintf(expr, sizeof(expr), "sum(//s:rect[@fill='#2044aa']/@%s)", size);
        assert_true(number_of(&p, expr) == 0);
        assert_int_equal(number_of(&p, "count(//s:text[.='1'])"), 1); /* the axis runs 0 … 1 */
        assert_finite_numbers(svg);
        release(&p);
    }
}

static void test_huge_and_negative_values(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[] = {{"groß", 1e12}, {"klein", 3}, {"minus", -4}, {"nichts", NAN}, {"unendlich", INFINITY}};
    for (int horizontal = 0; horizontal < 2; horizontal++) {
        const char *svg = (horizontal ? svg_hbar_chart : svg_bar_chart)(a, "Extreme", "Euro", bars, 5);
        parsed_t p = parse(svg);
        const char *desc = accessible(a, &p, "Extreme");
        assert_string_equal(desc, "groß: 1.000.000.000.000 Euro; klein: 3 Euro; minus: -4 Euro; "
                                  "nichts: kein gültiger Wert; unendlich: kein gültiger Wert. "
                                  "Negative Werte sind als 0 gezeichnet.");
        const char *size = horizontal ? "width" : "height";
        char expr[120];
        /* The small positive bar stays visible beside the huge one; the negative and invalid ones are 0. */
        snprintf(expr, sizeof(expr), "number(//s:rect[s:title='klein: 3 Euro']/@%s)", size);
        assert_true(number_of(&p, expr) >= 1);
        snprintf(expr, sizeof(expr), "number(//s:rect[s:title='minus: -4 Euro']/@%s)", size);
        assert_true(number_of(&p, expr) == 0);
        snprintf(expr, sizeof(expr), "number(//s:rect[s:title='nichts: kein gültiger Wert']/@%s)", size);
        assert_true(number_of(&p, expr) == 0);
        assert_finite_numbers(svg);
        release(&p);
    }
    /* Up to the largest double: the axis must stay finite. */
    svg_bar_t extreme[] = {{"max", DBL_MAX}, {"1e300", 1e300}, {"winzig", DBL_MIN}};
    const char *svg = svg_bar_chart(a, "Grenzen", "", extreme, 3);
    parsed_t p = parse(svg);
    const char *desc = accessible(a, &p, "Grenzen");
    assert_non_null(strstr(desc, "max: 1,80e+308; 1e300: 1,00e+300; winzig: 0."));
    assert_finite_numbers(svg);
    release(&p);
}

static void test_many_bars(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[250];
    for (int i = 0; i < 250; i++)
        bars[i] = (svg_bar_t){arena_printf(a, "Tag %d", i + 1), (double)(i % 17)};
    for (int horizontal = 0; horizontal < 2; horizontal++) {
        const char *svg = (horizontal ? svg_hbar_chart : svg_bar_chart)(a, "Viele", "Fälle", bars, SVG_MAX_BARS);
        parsed_t p = parse(svg);
        const char *desc = accessible(a, &p, "Viele");
        assert_int_equal(bar_count(&p), SVG_MAX_BARS);
        for (int i = 0; i < SVG_MAX_BARS; i++) {
            char want[48];
            snprintf(want, sizeof(want), "%sTag %d: %d Fälle%s", i ? "; " : "", i + 1, i % 17,
                     i + 1 == SVG_MAX_BARS ? "." : ";");
            assert_non_null(strstr(desc, want));
        }
        assert_null(strstr(desc, "Gezeigt"));
        if (!horizontal) {
            /* Narrow bars: labels are turned and thinned out, never overlapping. */
            double shown = number_of(&p, "count(//s:text[@transform])");
            assert_true(shown > 10 && shown < SVG_MAX_BARS);
        }
        release(&p);
        /* More than SVG_MAX_BARS: the first 200 are drawn, and the description says so. */
        svg = (horizontal ? svg_hbar_chart : svg_bar_chart)(a, "Viele", "Fälle", bars, 250);
        p = parse(svg);
        desc = accessible(a, &p, "Viele");
        assert_int_equal(bar_count(&p), SVG_MAX_BARS);
        assert_non_null(strstr(desc, "Tag 200: 12 Fälle. Gezeigt sind die ersten 200 von 250 Werten."));
        assert_null(strstr(desc, "Tag 201"));
        release(&p);
    }
}

static void test_broken_text_repaired(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[] = {{"Gr\xFC\xDF"
                         "e\x01\x0b\xEF\xBF\xBE\xC2\x85",
                         1},
                        {"Zeile\nzwei\tdrei", 2},
                        {NULL, 3}};
    const char *svg = svg_bar_chart(a, "Titel \xC3\x28", "Einheit\x7F", bars, 3);
    parsed_t p = parse(svg);
    const char *desc = accessible(a, &p, "Titel \xEF\xBF\xBD(");
    assert_string_equal(desc, "Gr\xEF\xBF\xBD\xEF\xBF\xBD"
                              "e\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD: 1 "
                              "Einheit\xEF\xBF\xBD; Zeile zwei drei: 2 Einheit\xEF\xBF\xBD; : 3 Einheit\xEF\xBF\xBD.");
    release(&p);

    /* Texts are cut at SVG_MAX_TEXT bytes, on a character boundary, ending in "…". */
    char *huge = malloc(100000);
    assert_non_null(huge);
    for (size_t i = 0; i + 2 < 100000; i += 2)
        memcpy(huge + i, "ä", 2);
    huge[99998] = '\0';
    svg_bar_t one[] = {{huge, 1}};
    svg = svg_hbar_chart(a, huge, huge, one, 1);
    assert_true(strlen(svg) < 8000);
    p = parse(svg);
    const char *title = string_of(a, &p, "string(/s:svg/s:title)");
    assert_int_equal(strlen(title), SVG_MAX_TEXT + strlen("…"));
    assert_string_equal(title + SVG_MAX_TEXT, "…");
    release(&p);
    free(huge);
}

static void test_numbers(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[] = {{"a", 1234.567}, {"b", 0.004}, {"c", 999.999}, {"d", 0.1}, {"e", 1e15}};
    parsed_t p = parse(svg_hbar_chart(a, "Zahlen", "", bars, 5));
    assert_string_equal(accessible(a, &p, "Zahlen"), "a: 1.234,57; b: 0; c: 1.000; d: 0,1; e: 1,00e+15.");
    release(&p);
}

static void test_english(void **state)
{
    arena_t *a = *state;
    /* The shipped English texts (the tests run from the repository root). */
    FILE *f = fopen("po/en/pdf-charts.po", "rb");
    assert_non_null(f);
    static char po[16384];
    size_t n = fread(po, 1, sizeof(po), f);
    fclose(f);
    char err[256];
    if (i18n_load_po_text("en", po, n, "po/en/pdf-charts.po", err, sizeof(err)) != 0)
        fail_msg("%s", err);
    svg_bar_t bars[] = {{"Week 47", 1234.5}, {"Week 48", -2}};
    parsed_t p = parse(svg_bar_chart_lang(a, "en", "Applications", "applications", bars, 2));
    assert_string_equal(accessible(a, &p, "Applications"),
                        "Week 47: 1,234.5 applications; Week 48: -2 applications. Negative values are drawn as 0.");
    release(&p);
    p = parse(svg_hbar_chart_lang(a, "en", "Empty", "", NULL, 0));
    assert_string_equal(accessible(a, &p, "Empty"), "There are no values.");
    assert_int_equal(number_of(&p, "count(//s:text[.='No values'])"), 1);
    release(&p);
    i18n_free();
}

/* WCAG relative luminance of "#rrggbb". */
static double luminance(const char *hex)
{
    unsigned rgb[3];
    assert_int_equal(sscanf(hex, "#%02x%02x%02x", &rgb[0], &rgb[1], &rgb[2]), 3);
    double l[3];
    for (int i = 0; i < 3; i++) {
        double c = rgb[i] / 255.0;
        l[i] = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

static void test_colours_contrast(void **state)
{
    arena_t *a = *state;
    svg_bar_t bars[] = {{"a", 1}, {"b", 5}};
    for (int horizontal = 0; horizontal < 2; horizontal++) {
        parsed_t p = parse((horizontal ? svg_hbar_chart : svg_bar_chart)(a, "Farben", "", bars, 2));
        xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST "//@fill | //@stroke", p.xpath);
        assert_true(o->nodesetval && o->nodesetval->nodeNr > 5);
        for (int i = 0; i < o->nodesetval->nodeNr; i++) {
            xmlNodePtr attr = o->nodesetval->nodeTab[i];
            xmlChar *colour = xmlNodeGetContent(attr);
            double contrast = 1.05 / (luminance((const char *)colour) + 0.05); /* white: luminance 1 */
            double needed = strcmp((const char *)attr->parent->name, "text") == 0 ? 4.5 : 3.0;
            if (contrast < needed)
                fail_msg("%s on <%s>: contrast %.2f < %.1f", colour, attr->parent->name, contrast, needed);
            xmlFree(colour);
        }
        xmlXPathFreeObject(o);
        /* No inline styles: the CSP (style-src 'self') would drop them. */
        assert_int_equal(number_of(&p, "count(//@style | //s:style)"), 0);
        release(&p);
    }
}

int main(void)
{
    xmlInitParser();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_vertical_states_every_value, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_horizontal_long_labels_fit, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_text_is_escaped, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_ids_unique, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_no_bars, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_all_zero, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_huge_and_negative_values, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_many_bars, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_broken_text_repaired, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_numbers, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_english, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_colours_contrast, fixture_arena_setup, fixture_arena_teardown),
    };
    int failed = cmocka_run_group_tests_name("svgchart", tests, NULL, NULL);
    xmlCleanupParser();
    return failed ? 1 : 0;
}
