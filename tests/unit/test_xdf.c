/* test_xdf.c — the XDatenfelder importer (src/modules/services/xdf.c) as an editor
 * uses it: a Stammdatenschema in, a form definition out that formdef_check
 * accepts, with the fields, types, checks and notes the schema implies; and the
 * files it must refuse: broken XML, entity bombs and external entities, other
 * namespaces, empty files, and every limit from just below and just above.
 *
 * Test inputs: tests/data/xdf/zweckentfremdung-xdf2.xml (XDatenfelder 2.0) and
 * meldung-xdf3.xml (3.0.0); the rest is built here (xdf_doc below).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/internal.h"

#define NS2 "urn:xoev-de:fim:standard:xdatenfelder_2"
#define NS3 "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"

static char err[1024];

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run the test from the repository root)", path);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Converts text; on success checks the result with formdef_check (the gate every
 * definition passes before it is stored) and returns it. */
static json_t *convert(const char *xml, size_t len, const char *key)
{
    err[0] = '\0';
    json_t *def = xdf_to_formdef(xml, len, key, err, sizeof(err));
    if (!def)
        return NULL;
    char *text = json_dumps(def, JSON_COMPACT);
    assert_non_null(text);
    char check[512] = "";
    if (formdef_check(text, strlen(text), check, sizeof(check)) != 0)
        fail_msg("formdef_check refused the converted definition: %s\n%s", check, text);
    free(text);
    return def;
}

static json_t *convert_str(const char *xml, const char *key)
{
    return convert(xml, strlen(xml), key);
}

static json_t *convert_file(const char *path, const char *key)
{
    size_t len;
    char *xml = read_all(path, &len);
    json_t *def = convert(xml, len, key);
    free(xml);
    if (!def)
        fail_msg("%s: %s", path, err);
    return def;
}

/* The field named name anywhere in the definition, or NULL. */
static json_t *field(json_t *def, const char *name)
{
    size_t i, k;
    json_t *step, *f;
    json_array_foreach(json_object_get(def, "steps"), i, step)
    {
        json_array_foreach(json_object_get(step, "fields"), k, f)
        {
            if (!strcmp(json_string_value(json_object_get(f, "name")), name))
                return f;
        }
    }
    return NULL;
}

static const char *str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long num(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("'%s' is not an integer", key);
    return (long long)json_integer_value(v);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("expected \"%s\" in: %s", needle, hay ? hay : "(null)");
}

/* ---- building small schemas --------------------------------------------------- */

/* A growing string (open_memstream). */
typedef struct doc {
    char *text;
    size_t len;
    FILE *f;
} doc_t;

static void doc_open(doc_t *d, const char *ns)
{
    d->f = open_memstream(&d->text, &d->len);
    assert_non_null(d->f);
    fprintf(d->f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"%s\">\n"
            "<xdf:header><xdf:nachrichtID>t</xdf:nachrichtID><xdf:erstellungszeitpunkt>2026-01-01T00:00:00Z</"
            "xdf:erstellungszeitpunkt></xdf:header>\n"
            "<xdf:stammdatenschema>\n"
            "<xdf:identifikation><xdf:id>S1</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>\n"
            "<xdf:name>Test</xdf:name><xdf:bezeichnungEingabe>Testformular</xdf:bezeichnungEingabe>\n",
            ns);
}

static char *doc_close(doc_t *d)
{
    fputs("</xdf:stammdatenschema>\n</xdf:xdatenfelder.stammdatenschema.0102>\n", d->f);
    fclose(d->f);
    return d->text;
}

__attribute__((format(printf, 2, 3))) static void put(doc_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(d->f, fmt, ap);
    va_end(ap);
}

static void struct_open(doc_t *d, const char *anzahl)
{
    put(d, "<xdf:struktur><xdf:anzahl>%s</xdf:anzahl><xdf:enthaelt>\n", anzahl);
}
static void struct_close(doc_t *d)
{
    put(d, "</xdf:enthaelt></xdf:struktur>\n");
}

/* A Datenfeld of XDatenfelder 2.0; praez is the JSON text of praezisierung ("" none). */
static void field2(doc_t *d, const char *anzahl, const char *id, const char *label, const char *feldart,
                   const char *datentyp, const char *praez)
{
    struct_open(d, anzahl);
    put(d,
        "<xdf:datenfeld><xdf:identifikation><xdf:id>%s</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>"
        "<xdf:name>%s</xdf:name><xdf:bezeichnungEingabe>%s</xdf:bezeichnungEingabe>"
        "<xdf:feldart><code>%s</code></xdf:feldart><xdf:datentyp><code>%s</code></xdf:datentyp>"
        "<xdf:praezisierung>%s</xdf:praezisierung></xdf:datenfeld>\n",
        id, label, label, feldart, datentyp, praez);
    struct_close(d);
}

static void group_open(doc_t *d, const char *anzahl, const char *id, const char *label)
{
    struct_open(d, anzahl);
    put(d,
        "<xdf:datenfeldgruppe><xdf:identifikation><xdf:id>%s</xdf:id><xdf:version>1.0</xdf:version></"
        "xdf:identifikation>"
        "<xdf:name>%s</xdf:name><xdf:bezeichnungEingabe>%s</xdf:bezeichnungEingabe>\n",
        id, label, label);
}

static void group_close(doc_t *d)
{
    put(d, "</xdf:datenfeldgruppe>\n");
    struct_close(d);
}

/* ---- real-structured files ----------------------------------------------------------- */

static void test_xdf2_file(void **state)
{
    json_t *def = convert_file("tests/data/xdf/zweckentfremdung-xdf2.xml", "zweckentfremdung");
    assert_string_equal(str(def, "form_key"), "zweckentfremdung");
    assert_string_equal(str(def, "title"), "Genehmigung für eine Ferienwohnung beantragen");
    assert_contains(str(def, "intro"), "als Ferienwohnung zu vermieten");
    json_t *steps = json_object_get(def, "steps");
    /* three top-level groups become steps; the loose field at the end a fourth */
    assert_int_equal(json_array_size(steps), 4);
    assert_string_equal(str(json_array_get(steps, 0), "title"), "Antragstellende Person");
    assert_string_equal(str(json_array_get(steps, 1), "title"), "Wohnung");
    assert_string_equal(str(json_array_get(steps, 3), "title"), "Genehmigung für eine Ferienwohnung beantragen");

    json_t *f = field(def, "f60000227"); /* F60000227 → a stable name */
    assert_non_null(f);
    assert_string_equal(str(f, "type"), "text");
    assert_string_equal(str(f, "label"), "Familienname");
    assert_string_equal(str(f, "help"), "Geben Sie Ihren Familiennamen so an, wie er im Ausweis steht.");
    assert_true(json_is_true(json_object_get(f, "required")));
    assert_int_equal(num(f, "min_length"), 1);
    assert_int_equal(num(f, "max_length"), 120);
    assert_string_equal(str(f, "autocomplete"), "family-name");

    f = field(def, "f60000230");
    assert_string_equal(str(f, "type"), "date");
    assert_string_equal(str(f, "not_before"), "1900-01-01");
    assert_string_equal(str(f, "autocomplete"), "bday");

    assert_string_equal(str(field(def, "f60000242"), "type"), "email");
    assert_null(json_object_get(field(def, "f60000242"), "required")); /* 0:1 */
    assert_string_equal(str(field(def, "f60000240"), "type"), "phone");

    /* a nested group: its fields stay in the step, labelled with the group */
    f = field(def, "f60000246");
    assert_string_equal(str(f, "label"), "Anschrift: Postleitzahl");
    assert_string_equal(str(f, "pattern"), "[0-9]{5}"); /* \d{5} of XML Schema as POSIX */
    assert_true(json_is_true(json_object_get(f, "required")));
    assert_contains(str(json_array_get(steps, 0), "intro"), "Die Anschrift, unter der Sie Post erhalten.");

    f = field(def, "f99000102");
    assert_string_equal(str(f, "type"), "number");
    assert_int_equal(num(f, "decimals"), 0); /* num_int */
    assert_int_equal(num(f, "min"), 85);
    assert_int_equal(num(f, "max"), 366);
    assert_int_equal(num(field(def, "f99000103"), "decimals"), 4); /* num */
    f = field(def, "f99000107");
    assert_int_equal(num(f, "decimals"), 2); /* num_currency */
    assert_string_equal(str(f, "unit"), "€");

    /* select whose code list is not in the file: a text field and a note */
    f = field(def, "f99000104");
    assert_string_equal(str(f, "type"), "text");
    assert_true(json_is_true(json_object_get(f, "required")));
    /* a long text: several lines */
    f = field(def, "f99000105");
    assert_string_equal(str(f, "type"), "textarea");
    assert_int_equal(num(f, "max_length"), 2000);
    assert_string_equal(str(field(def, "f99000106"), "type"), "checkbox");
    f = field(def, "f99000108");
    assert_string_equal(str(f, "not_before"), "2022-05-14");
    assert_string_equal(str(f, "not_after"), "2027-03-31");

    f = field(def, "f99000201");
    assert_string_equal(str(f, "type"), "file");
    assert_int_equal(num(f, "max_files"), 3); /* anzahl 1:3 */
    assert_int_equal(json_array_size(json_object_get(f, "accept")), 3);

    /* the label field became the step's text, not a field */
    assert_null(field(def, "f99000101"));
    assert_contains(str(json_array_get(steps, 1), "intro"), "mehr als 12 Wochen im Jahr");

    json_t *summary = json_object_get(def, "summary_fields");
    assert_int_equal(json_array_size(summary), 2);
    assert_string_equal(json_string_value(json_array_get(summary, 0)), "f60000228");
    assert_string_equal(json_string_value(json_array_get(summary, 1)), "f60000227");

    const char *comment = str(def, "comment");
    assert_contains(comment, "XDatenfelder 2.0");
    assert_contains(comment, "S99000001 Version 1.2");
    assert_contains(comment, "R99000002 „Ersatzwohnraum oder Ausgleichsbetrag“"); /* rule of the schema */
    assert_contains(comment, "R99000001 „Mindestens 12 Wochen“");                 /* rule of a field */
    assert_contains(comment, "F99000104: Die Auswahlliste „Art der Nutzung“ verweist auf die Codeliste "
                             "urn:de:mainz:codeliste:nutzungsart_1");
    json_decref(def);
}

static void test_xdf3_file(void **state)
{
    json_t *def = convert_file("tests/data/xdf/meldung-xdf3.xml", "meldung");
    assert_string_equal(str(def, "title"), "Verdacht auf Zweckentfremdung melden"); /* 3.0: bezeichnung */
    assert_int_equal(json_array_size(json_object_get(def, "steps")), 3);

    json_t *f = field(def, "f60000000246");
    assert_string_equal(str(f, "pattern"), "[0-9]{5}"); /* praezisierung as attributes */
    assert_int_equal(num(f, "min_length"), 5);

    /* three inline values: radio buttons; a code rewritten to our value rules */
    f = field(def, "f99000000501");
    assert_string_equal(str(f, "type"), "radio");
    json_t *options = json_object_get(f, "options");
    assert_int_equal(json_array_size(options), 3);
    assert_string_equal(str(json_array_get(options, 1), "value"), "leerstand");
    assert_string_equal(str(json_array_get(options, 1), "label"), "Die Wohnung steht seit langem leer");
    /* sixteen values: a list */
    f = field(def, "f99000000507");
    assert_string_equal(str(f, "type"), "select");
    assert_int_equal(json_array_size(json_object_get(f, "options")), 16);
    assert_string_equal(str(json_array_get(json_object_get(f, "options"), 7), "value"), "08");

    /* time: a text field with a pattern and a hint */
    f = field(def, "f99000000503");
    assert_string_equal(str(f, "type"), "text");
    assert_non_null(str(f, "pattern"));
    assert_contains(str(f, "hint"), "hh:mm");

    /* file: media types to ours, size capped at 10 MB, up to 5 files */
    f = field(def, "f99000000506");
    json_t *accept = json_object_get(f, "accept");
    assert_int_equal(json_array_size(accept), 2);
    assert_string_equal(json_string_value(json_array_get(accept, 0)), "jpeg");
    assert_string_equal(json_string_value(json_array_get(accept, 1)), "png");
    assert_int_equal(num(f, "max_size"), 10 * 1024 * 1024);
    assert_int_equal(num(f, "max_files"), 5);

    /* select of bool: yes/no */
    f = field(def, "f99000000602");
    assert_string_equal(str(f, "type"), "radio");
    assert_int_equal(json_array_size(json_object_get(f, "options")), 2);

    /* an optional group: its 1:1 fields are not required */
    assert_null(json_object_get(field(def, "f60000000227"), "required"));
    /* hidden and locked fields are not shown to citizens */
    assert_null(field(def, "f99000000508"));
    assert_null(field(def, "f99000000509"));
    /* \p{L} has no POSIX form: dropped, with a note */
    assert_null(json_object_get(field(def, "f99000000401"), "pattern"));

    const char *comment = str(def, "comment");
    assert_contains(comment, "XDatenfelder 3.0");
    assert_contains(comment, "Leerstand → leerstand");
    assert_contains(comment, "R99000000010 „Beschreibung bei Leerstand“ wurde nicht übernommen: Bei Leerstand muss");
    assert_contains(comment, "Skript: if (feld(");
    assert_contains(comment, "Dateityp application/zip");
    assert_contains(comment, "Feldart hidden");
    assert_contains(comment, "Feldart locked");
    assert_contains(comment, "„\\p{L}[\\p{L} .]*“ wurde nicht übernommen");
    assert_contains(comment, "maxValue „heute“");
    json_decref(def);
}

/* ---- files it refuses -------------------------------------------------------------------- */

static void test_malformed(void **state)
{
    const char *xml = "<?xml version=\"1.0\"?>\n<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"" NS2 "\">\n"
                      "<xdf:header>\n</xdf:stammdatenschema>\n";
    assert_null(convert_str(xml, "k"));
    /* the first error names the place: the tag closed on line 4 is not the open one */
    assert_contains(err, "Zeile 4: Die Datei ist kein wohlgeformtes XML");
    assert_contains(err, "header line 3");
    assert_null(convert_str("nur Text, kein XML", "k"));
    assert_contains(err, "kein wohlgeformtes XML");
    /* an undeclared entity is not well-formed either */
    assert_null(convert_str("<a xmlns=\"" NS2 "\">&unbekannt;</a>", "k"));
    assert_contains(err, "kein wohlgeformtes XML");
}

static void test_billion_laughs_refused(void **state)
{
    const char *xml = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE lolz [\n"
                      " <!ENTITY lol \"lol\">\n"
                      " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                      " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
                      " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
                      " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
                      " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
                      " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
                      " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
                      " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
                      " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
                      "]>\n"
                      "<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"" NS2 "\">"
                      "<xdf:stammdatenschema><xdf:name>&lol9;</xdf:name></xdf:stammdatenschema>"
                      "</xdf:xdatenfelder.stammdatenschema.0102>\n";
    clock_t start = clock();
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "Dokumenttyp-Deklaration");
    /* refused before any expansion: well under a second even with sanitizers */
    assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

static void test_external_entity_refused(void **state)
{
    const char *xml = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE x [ <!ENTITY geheim SYSTEM \"file:///etc/passwd\"> ]>\n"
                      "<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"" NS2 "\">"
                      "<xdf:stammdatenschema><xdf:name>&geheim;</xdf:name></xdf:stammdatenschema>"
                      "</xdf:xdatenfelder.stammdatenschema.0102>\n";
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "Dokumenttyp-Deklaration");
    /* an external DTD by itself is refused too (it would be fetched otherwise) */
    const char *dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM \"http://example.org/x.dtd\">\n<x/>";
    assert_null(convert_str(dtd, "k"));
    assert_contains(err, "Dokumenttyp-Deklaration");
}

static void test_wrong_namespace(void **state)
{
    doc_t d;
    doc_open(&d, "urn:xoev-de:fim:standard:xdatenfelder_1");
    field2(&d, "1:1", "F1", "Name", "input", "text", "");
    char *xml = doc_close(&d);
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "Namensraum „urn:xoev-de:fim:standard:xdatenfelder_1“");
    assert_contains(err, "Erwartet wird XDatenfelder 2.0");
    free(xml);
    assert_null(convert_str("<form><field/></form>", "k"));
    assert_contains(err, "Namensraum „“");
    /* the right namespace, another message: a single Datenfeldgruppe */
    assert_null(convert_str("<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf=\"" NS3 "\"/>", "k"));
    assert_contains(err, "ein Stammdatenschema beginnt mit <xdatenfelder.stammdatenschema.0102>");
}

static void test_empty(void **state)
{
    assert_null(xdf_to_formdef("", 0, "k", err, sizeof(err)));
    assert_contains(err, "leer");
    assert_null(xdf_to_formdef(" \n\t ", 4, "k", err, sizeof(err)));
    assert_contains(err, "leer");
    /* a schema without structures has nothing to fill in */
    doc_t d;
    doc_open(&d, NS2);
    char *xml = doc_close(&d);
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "keine Felder");
    free(xml);
    /* no stammdatenschema element at all */
    assert_null(convert_str("<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"" NS2 "\"/>", "k"));
    assert_contains(err, "<stammdatenschema> fehlt");
}

static void test_form_key_checked(void **state)
{
    doc_t d;
    doc_open(&d, NS2);
    field2(&d, "1:1", "F1", "Name", "input", "text", "");
    char *xml = doc_close(&d);
    assert_null(convert_str(xml, "Mit Leerzeichen"));
    assert_contains(err, "Schlüssel");
    assert_null(convert_str(xml, ""));
    json_t *def = convert_str(xml, "ein-schluessel-2");
    assert_non_null(def);
    assert_string_equal(str(def, "form_key"), "ein-schluessel-2");
    json_decref(def);
    free(xml);
}

/* ---- places in error messages, names, codes ------------------------------------------------ */

static void test_error_names_place(void **state)
{
    doc_t d;
    doc_open(&d, NS2);
    put(&d, "\n\n");
    struct_open(&d, "1:1");
    put(&d, "<xdf:datenfeld><xdf:identifikation><xdf:id>F60000227</xdf:id></xdf:identifikation>"
            "<xdf:name>Familienname</xdf:name><xdf:datentyp><code>text</code></xdf:datentyp></xdf:datenfeld>\n");
    struct_close(&d);
    char *xml = doc_close(&d);
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "Zeile 10, Datenfeld F60000227: Die Feldart (feldart) fehlt.");
    free(xml);

    doc_open(&d, NS2);
    field2(&d, "eins", "F2", "Name", "input", "text", "");
    xml = doc_close(&d);
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "Anzahl 'eins'");
    free(xml);

    doc_open(&d, NS2);
    field2(&d, "1:1", "F3", "Name", "input", "farbe", "");
    xml = doc_close(&d);
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "Datenfeld F3: Unbekannter Datentyp 'farbe'");
    free(xml);

    doc_open(&d, NS2);
    field2(&d, "1:1", "F4", "Name", "input", "text", "{\"minLength\":\"10\",\"maxLength\":\"5\"}");
    xml = doc_close(&d);
    assert_null(convert_str(xml, "k"));
    assert_contains(err, "minLength (10) ist größer als maxLength (5)");
    free(xml);
}

static void test_same_element_twice_gets_unique_names(void **state)
{
    doc_t d;
    doc_open(&d, NS2);
    group_open(&d, "1:1", "G1", "Antragsteller");
    field2(&d, "1:1", "F60000227", "Familienname", "input", "text", "");
    group_close(&d);
    group_open(&d, "0:1", "G2", "Vertreter");
    field2(&d, "1:1", "F60000227", "Familienname", "input", "text", "");
    group_open(&d, "1:1", "G3", "Anschrift");
    field2(&d, "1:1", "F60000227", "Familienname", "input", "text", "");
    group_close(&d);
    group_close(&d);
    char *xml = doc_close(&d);
    json_t *def = convert_str(xml, "k");
    assert_non_null(def);
    assert_non_null(field(def, "f60000227"));
    assert_non_null(field(def, "g2_f60000227"));
    assert_non_null(field(def, "g3_f60000227"));
    /* the optional group's 1:1 field is not required; the nested one's label names its group */
    assert_null(json_object_get(field(def, "g2_f60000227"), "required"));
    assert_string_equal(str(field(def, "g3_f60000227"), "label"), "Anschrift: Familienname");
    json_decref(def);
    free(xml);
}

static void test_codes_and_patterns(void **state)
{
    doc_t d;
    doc_open(&d, NS3);
    struct_open(&d, "1:1");
    put(&d, "<xdf:datenfeld><xdf:identifikation><xdf:id>F1</xdf:id></xdf:identifikation><xdf:name>Wahl</xdf:name>"
            "<xdf:feldart><code>select</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>"
            "<xdf:werte><xdf:wert><xdf:code>A</xdf:code><xdf:name>Groß A</xdf:name></xdf:wert>"
            "<xdf:wert><xdf:code>a</xdf:code><xdf:name>Klein a</xdf:name></xdf:wert>"
            "<xdf:wert><xdf:code>Straße 1</xdf:code></xdf:wert></xdf:werte></xdf:datenfeld>\n");
    struct_close(&d);
    static const char *const patterns[][2] = {
        {"\\d{5}", "[0-9]{5}"},     {"^[A-Z]{2}[0-9]+$", "[A-Z]{2}[0-9]+"},
        {"[\\d\\-]+", "[0-9-]+"},   {"\\w+@\\w+\\.de", "[[:alnum:]_]+@[[:alnum:]_]+\\.de"},
        {"(ja|nein)", "(ja|nein)"},
    };
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        struct_open(&d, "0:1");
        put(&d,
            "<xdf:datenfeld><xdf:identifikation><xdf:id>P%zu</xdf:id></xdf:identifikation><xdf:name>Muster "
            "%zu</xdf:name>"
            "<xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>"
            "<xdf:praezisierung pattern=\"%s\"/></xdf:datenfeld>\n",
            i, i, patterns[i][0]);
        struct_close(&d);
    }
    static const char *const refused[] = {"\\p{Lu}+", "(?i)abc", "a+?", "[a-z-[aeiou]]", "[abc"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct_open(&d, "0:1");
        put(&d,
            "<xdf:datenfeld><xdf:identifikation><xdf:id>R%zu</xdf:id></xdf:identifikation><xdf:name>Frei %zu</xdf:name>"
            "<xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>"
            "<xdf:praezisierung pattern=\"%s\"/></xdf:datenfeld>\n",
            i, i, refused[i]);
        struct_close(&d);
    }
    char *xml = doc_close(&d);
    json_t *def = convert_str(xml, "k");
    if (!def)
        fail_msg("%s", err);
    json_t *options = json_object_get(field(def, "f1"), "options");
    assert_int_equal(json_array_size(options), 3);
    assert_string_equal(str(json_array_get(options, 0), "value"), "a");
    assert_string_equal(str(json_array_get(options, 1), "value"), "a-2");
    assert_string_equal(str(json_array_get(options, 2), "value"), "stra__e_1");
    assert_string_equal(str(json_array_get(options, 2), "label"), "Straße 1"); /* no name: the code */
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        char name[8];
        snprintf(name, sizeof(name), "p%zu", i);
        assert_string_equal(str(field(def, name), "pattern"), patterns[i][1]);
    }
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char name[8];
        snprintf(name, sizeof(name), "r%zu", i);
        assert_null(json_object_get(field(def, name), "pattern"));
    }
    assert_contains(str(def, "comment"), "A → a; a → a-2; Straße 1 → stra__e_1;");
    json_decref(def);
    free(xml);
}

/* ---- limits, each from both sides -------------------------------------------------------- */

static void test_size_limit(void **state)
{
    size_t limit = 8 * 1024 * 1024;
    doc_t d;
    doc_open(&d, NS2);
    field2(&d, "1:1", "F1", "Name", "input", "text", "");
    char *head = doc_close(&d);
    size_t hl = strlen(head);
    /* padded with a comment to exactly the limit: converted */
    char *big = malloc(limit + 2);
    assert_non_null(big);
    memcpy(big, head, hl);
    memcpy(big + hl, "<!--", 4);
    memset(big + hl + 4, 'x', limit - hl - 7);
    memcpy(big + limit - 3, "-->", 3);
    json_t *def = convert(big, limit, "k");
    if (!def)
        fail_msg("%s", err);
    json_decref(def);
    /* one byte more: refused before parsing */
    big[limit] = '\n';
    assert_null(convert(big, limit + 1, "k"));
    assert_contains(err, "größer als 8 MB");
    free(big);
    free(head);
}

/* A chain of depth groups, each inside the previous, with a field at the bottom. */
static char *nested(int depth)
{
    doc_t d;
    doc_open(&d, NS2);
    for (int i = 0; i < depth; i++) {
        char id[16];
        snprintf(id, sizeof(id), "G%d", i);
        group_open(&d, "1:1", id, "Ebene");
    }
    field2(&d, "1:1", "F1", "Name", "input", "text", "");
    for (int i = 0; i < depth; i++)
        group_close(&d);
    return doc_close(&d);
}

static void test_group_depth_limit(void **state)
{
    char *ok = nested(8), *deep = nested(9);
    json_t *def = convert_str(ok, "k");
    if (!def)
        fail_msg("%s", err);
    json_decref(def);
    assert_null(convert_str(deep, "k"));
    assert_contains(err, "tiefer als 8 Ebenen");
    free(ok);
    free(deep);
}

static char *many_fields(int n)
{
    doc_t d;
    doc_open(&d, NS2);
    group_open(&d, "1:1", "G1", "Alles");
    for (int i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof(id), "F%d", i);
        field2(&d, "0:1", id, "Feld", "input", "text", "");
    }
    group_close(&d);
    return doc_close(&d);
}

static void test_field_limit(void **state)
{
    char *ok = many_fields(200), *over = many_fields(201);
    json_t *def = convert_str(ok, "k");
    if (!def)
        fail_msg("%s", err);
    json_decref(def);
    assert_null(convert_str(over, "k"));
    assert_contains(err, "mehr als 200 Datenfelder");
    free(ok);
    free(over);
}

static char *many_groups(int n)
{
    doc_t d;
    doc_open(&d, NS2);
    for (int i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof(id), "G%d", i);
        group_open(&d, "1:1", id, "Seite");
        snprintf(id, sizeof(id), "F%d", i);
        field2(&d, "1:1", id, "Feld", "input", "text", "");
        group_close(&d);
    }
    return doc_close(&d);
}

static void test_step_limit(void **state)
{
    char *ok = many_groups(30), *over = many_groups(31);
    json_t *def = convert_str(ok, "k");
    if (!def)
        fail_msg("%s", err);
    assert_int_equal(json_array_size(json_object_get(def, "steps")), 30);
    json_decref(def);
    assert_null(convert_str(over, "k"));
    assert_contains(err, "mehr als 30 Gruppen");
    free(ok);
    free(over);
}

static char *many_values(int n)
{
    doc_t d;
    doc_open(&d, NS3);
    struct_open(&d, "1:1");
    put(&d, "<xdf:datenfeld><xdf:identifikation><xdf:id>F1</xdf:id></xdf:identifikation><xdf:name>Staat</xdf:name>"
            "<xdf:feldart><code>select</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp><xdf:werte>");
    for (int i = 0; i < n; i++)
        put(&d, "<xdf:wert><xdf:code>%03d</xdf:code><xdf:name>Staat %d</xdf:name></xdf:wert>", i, i);
    put(&d, "</xdf:werte></xdf:datenfeld>\n");
    struct_close(&d);
    return doc_close(&d);
}

static void test_option_limits(void **state)
{
    /* up to 100 values: a list; 101 to 500: a text field and a note; more: refused */
    char *hundred = many_values(100), *more = many_values(101), *max = many_values(500), *over = many_values(501);
    json_t *def = convert_str(hundred, "k");
    assert_string_equal(str(field(def, "f1"), "type"), "select");
    assert_int_equal(json_array_size(json_object_get(field(def, "f1"), "options")), 100);
    json_decref(def);
    def = convert_str(more, "k");
    assert_string_equal(str(field(def, "f1"), "type"), "text");
    assert_contains(str(def, "comment"), "Die Werteliste hat 101 Einträge, unsere Formulare höchstens 100");
    json_decref(def);
    def = convert_str(max, "k");
    assert_non_null(def);
    json_decref(def);
    assert_null(convert_str(over, "k"));
    assert_contains(err, "501 Einträge, höchstens 500");
    free(hundred);
    free(more);
    free(max);
    free(over);
}

static void test_note_limit(void **state)
{
    /* 150 fields with four notes each: the comment keeps 500 and counts the rest */
    doc_t d;
    doc_open(&d, NS2);
    group_open(&d, "1:1", "G1", "Viel");
    for (int i = 0; i < 150; i++) {
        char id[16];
        snprintf(id, sizeof(id), "F%d", i);
        struct_open(&d, "0:*");
        put(&d,
            "<xdf:datenfeld><xdf:identifikation><xdf:id>%s</xdf:id></xdf:identifikation><xdf:name>Feld</xdf:name>"
            "<xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>"
            "<xdf:praezisierung>{\"pattern\":\"\\\\p{L}\",\"farbe\":\"rot\"}</xdf:praezisierung><xdf:inhalt>x</"
            "xdf:inhalt></xdf:datenfeld>\n",
            id);
        struct_close(&d);
    }
    group_close(&d);
    char *xml = doc_close(&d);
    json_t *def = convert_str(xml, "k");
    if (!def)
        fail_msg("%s", err);
    const char *comment = str(def, "comment");
    assert_contains(comment, "Bitte prüfen (600 Hinweise)");
    assert_contains(comment, "… und 100 weitere Hinweise.");
    json_decref(def);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xdf2_file),
        cmocka_unit_test(test_xdf3_file),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_billion_laughs_refused),
        cmocka_unit_test(test_external_entity_refused),
        cmocka_unit_test(test_wrong_namespace),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_form_key_checked),
        cmocka_unit_test(test_error_names_place),
        cmocka_unit_test(test_same_element_twice_gets_unique_names),
        cmocka_unit_test(test_codes_and_patterns),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_group_depth_limit),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_step_limit),
        cmocka_unit_test(test_option_limits),
        cmocka_unit_test(test_note_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
