/* test_pdf.c — accessible PDF documents (platform/pdf.c, pdf_markdown.c).
 *
 * The PDFs are checked with the tools a reviewer would use (poppler-utils, run
 * through popen on a temporary file): pdfinfo must say "Tagged: yes" and show the
 * title, its -struct-text output must show the structure tree (H1, P, Table/TR/
 * TH/TD, L/LI/Lbl/LBody) with the text in each element, pdffonts must show every
 * font embedded, and pdftotext must return the text in reading order with the
 * page numbers. The catalog must carry /Lang and DisplayDocTitle (our incremental
 * update, which poppler must still read without complaint). Limits are hit to the
 * page, block and byte.
 */
/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/pdf.h"
#include "platform/pdf_internal.h" /* pdf_clean_text */
#include "view/i18n.h"

#define TOOL_OUTPUT_MAX (8 << 20)

/* A finished document written to a temporary file for the tools. */
typedef struct pdf_file {
    char path[64];
    unsigned char *bytes;
    size_t len;
} pdf_file_t;

/* Finishes d (asserting success) into f. */
static void finish(pdf_doc_t *d, pdf_file_t *f)
{
    assert_int_equal(pdf_finish(d, &f->bytes, &f->len), 0);
    assert_null(pdf_error(d));
    assert_non_null(f->bytes);
    assert_true(f->len > 100);
    assert_memory_equal(f->bytes, "%PDF-", 5);
    assert_memory_equal(f->bytes + f->len - 6, "%%EOF\n", 6);
    snprintf(f->path, sizeof(f->path), "/tmp/test_pdf_XXXXXX.pdf");
    int fd = mkstemps(f->path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f->bytes, f->len), (ssize_t)f->len);
    assert_int_equal(close(fd), 0);
}

static void drop(pdf_file_t *f)
{
    unlink(f->path);
    free(f->bytes);
}

/* Runs "tool args path 2>&1" (pdftotext: to stdout) and returns its output
 * (malloc'd); the tool must exit 0. */
static char *run(const char *tool, const char *args, const pdf_file_t *f)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "%s %s '%s'%s 2>&1", tool, args, f->path, strcmp(tool, "pdftotext") == 0 ? " -" : "");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = malloc(TOOL_OUTPUT_MAX + 1);
    assert_non_null(out);
    size_t n = fread(out, 1, TOOL_OUTPUT_MAX, p);
    out[n] = '\0';
    int status = pclose(p);
    if (status != 0)
        fail_msg("%s exited with %d:\n%s", cmd, status, out);
    /* poppler reports damage as "Syntax Error"/"Syntax Warning" but still exits 0. */
    if (strstr(out, "Syntax Error") || strstr(out, "Syntax Warning") || strstr(out, "Internal Error"))
        fail_msg("%s complained:\n%s", cmd, out);
    return out;
}

/* Asserts that the strings occur in text in this order. */
static void assert_in_order(const char *text, const char *const *strings, size_t n)
{
    const char *at = text;
    for (size_t i = 0; i < n; i++) {
        const char *hit = strstr(at, strings[i]);
        if (!hit)
            fail_msg("\"%s\" missing (or out of order) in:\n%s", strings[i], text);
        at = hit + strlen(strings[i]);
    }
}

#define IN_ORDER(text, ...)                                                                                            \
    do {                                                                                                               \
        const char *const expected_[] = {__VA_ARGS__};                                                                 \
        assert_in_order(text, expected_, sizeof(expected_) / sizeof(expected_[0]));                                    \
    } while (0)

/* Every font pdffonts lists is embedded; returns how many there are. */
static int assert_fonts_embedded(const pdf_file_t *f, const char *must_have)
{
    char *out = run("pdffonts", "", f);
    const char *header = strstr(out, "emb sub uni");
    assert_non_null(header);
    size_t emb_col = (size_t)(header - out); /* the header is the first line */
    const char *line = strchr(out, '\n');
    assert_non_null(line);
    line = strchr(line + 1, '\n'); /* the "-----" line */
    assert_non_null(line);
    int fonts = 0;
    for (line++; *line; fonts++) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        assert_true(len > emb_col + 3);
        if (memcmp(line + emb_col, "yes", 3) != 0)
            fail_msg("font not embedded: %.*s", (int)len, line);
        assert_non_null(strstr(line, "DejaVuSans")); /* no fallback font crept in */
        line += len + (eol ? 1 : 0);
    }
    assert_true(fonts > 0);
    if (must_have)
        assert_non_null(strstr(out, must_have));
    free(out);
    return fonts;
}

/* The catalog of our incremental update: the last one in the file. */
static void assert_catalog(const pdf_file_t *f, const char *lang)
{
    const char *s = (const char *)f->bytes;
    const char *last_catalog = NULL;
    for (const char *p = s; (p = memmem(p, f->len - (size_t)(p - s), "/Type /Catalog", 14)); p++)
        last_catalog = p;
    assert_non_null(last_catalog);
    const char *end = memmem(last_catalog, f->len - (size_t)(last_catalog - s), "endobj", 6);
    assert_non_null(end);
    char want[64];
    snprintf(want, sizeof(want), "/Lang (%s)", lang);
    const void *has_lang = memmem(last_catalog, (size_t)(end - last_catalog), "/Lang", 5);
    if (lang[0])
        assert_non_null(memmem(last_catalog, (size_t)(end - last_catalog), want, strlen(want)));
    else
        assert_null(has_lang);
    assert_non_null(memmem(last_catalog, (size_t)(end - last_catalog), "/DisplayDocTitle true", 21));
    assert_non_null(memmem(last_catalog, (size_t)(end - last_catalog), "/StructTreeRoot", 15));
    assert_non_null(memmem(last_catalog, (size_t)(end - last_catalog), "/MarkInfo << /Marked true >>", 28));
    assert_non_null(memmem(end, f->len - (size_t)(end - s), "/Prev ", 6));
}

static void test_notice_is_accessible(void **state)
{
    (void)state;
    pdf_doc_t *d = pdf_new("Bescheid MZ-2026-000123", "de");
    assert_non_null(d);
    pdf_letterhead(d, "Stadt Mainz · Bürgeramt · Schillerplatz 7 · 55116 Mainz");
    pdf_heading(d, 1, "Bescheid über Ihren Antrag");
    pdf_paragraph(d, "Sehr geehrte Frau Muster,\nwir haben Ihren Antrag geprüft. Die Firma Waffelfisch bleibt offen.");
    pdf_pair(d, "Aktenzeichen", "MZ-2026-000123");
    pdf_pair(d, "Eingegangen am", "15. März 2026");
    pdf_list_item(d, "Personalausweis");
    pdf_list_item(d, "Biometrisches Foto");
    pdf_heading(d, 2, "Rechtsbehelfsbelehrung");
    pdf_paragraph(d, "Gegen diesen Bescheid können Sie innerhalb eines Monats Widerspruch erheben.");
    pdf_file_t f;
    finish(d, &f);
    assert_int_equal(pdf_page_count(d), 1);

    char *info = run("pdfinfo", "", &f);
    assert_non_null(strstr(info, "\nTagged:          yes\n"));
    assert_non_null(strstr(info, "Title:           Bescheid MZ-2026-000123\n"));
    assert_non_null(strstr(info, "\nCreator:         rathaus\n"));
    assert_non_null(strstr(info, "\nPages:           1\n"));
    assert_non_null(strstr(info, "(A4)"));
    free(info);

    char *tree = run("pdfinfo", "-struct-text", &f);
    IN_ORDER(tree, "Document\n", "  H1 (block)\n    \"Bescheid über Ihren Antrag\"\n",
             "  P (block)\n    \"Sehr geehrte",
             "  Table (block)\n    TR\n      TH\n        \"Aktenzeichen\"\n      TD\n        \"MZ-2026-000123\"\n",
             "    TR\n      TH\n        \"Eingegangen am\"\n      TD\n        \"15. März 2026\"\n", "  L (block)\n",
             "    LI (block)\n      Lbl (block)\n        \"•\"\n      LBody (block)\n        \"Personalausweis\"\n",
             "      LBody (block)\n        \"Biometrisches Foto\"\n", "  H2 (block)\n    \"Rechtsbehelfsbelehrung\"\n",
             "  P (block)\n    \"Gegen diesen Bescheid");
    /* The page furniture is in no element: a screen reader following the tags
     * does not read "Seite 1 von 1" in the middle of the text. */
    assert_null(strstr(tree, "Seite"));
    assert_null(strstr(tree, "Stadt Mainz"));
    free(tree);

    char *text = run("pdftotext", "-enc UTF-8", &f);
    IN_ORDER(text, "Stadt Mainz · Bürgeramt", "Bescheid über Ihren Antrag", "Sehr geehrte Frau Muster,\nwir haben",
             "Waffelfisch", /* one glyph per character: no "ffl" ligature lost in extraction */
             "Aktenzeichen", "MZ-2026-000123", "Eingegangen am", "15. März 2026", "• Personalausweis",
             "• Biometrisches Foto", "Rechtsbehelfsbelehrung", "Widerspruch erheben.", "Seite 1 von 1");
    free(text);

    assert_fonts_embedded(&f, "DejaVuSans-Bold");
    assert_catalog(&f, "de");
    drop(&f);
    pdf_free(d);
}

static void test_long_document_breaks_pages(void **state)
{
    (void)state;
    pdf_doc_t *d = pdf_new("Lang", "de");
    char *sentence_run = calloc(1, 8000);
    assert_non_null(sentence_run);
    for (int i = 0; i < 60; i++)
        strcat(sentence_run, "Dieser Absatz ist so lang, dass er auf der nächsten Seite weitergeht. ");
    strcat(sentence_run, "ENDE-ABSATZ");
    char *value_lines = calloc(1, 4000);
    assert_non_null(value_lines);
    for (int i = 0; i < 90; i++)
        sprintf(value_lines + strlen(value_lines), "Wert %d\n", i);
    pdf_heading(d, 1, "Anfang");
    pdf_paragraph(d, sentence_run);
    pdf_pair(d, "Kurz", "eins");
    pdf_pair(d, "Viele Zeilen", value_lines);
    pdf_list_item(d, sentence_run);
    pdf_file_t f;
    finish(d, &f);
    int pages = pdf_page_count(d);
    assert_true(pages >= 4);

    char *info = run("pdfinfo", "", &f);
    char want[48];
    snprintf(want, sizeof(want), "\nPages:           %d\n", pages);
    assert_non_null(strstr(info, want));
    free(info);

    /* Text in order, and every page numbered "Seite n von N". */
    char *text = run("pdftotext", "-enc UTF-8", &f);
    IN_ORDER(text, "Anfang", "Dieser Absatz", "ENDE-ABSATZ", "Kurz", "eins", "Viele Zeilen", "Wert 0", "Wert 89",
             "• Dieser Absatz", "ENDE-ABSATZ");
    const char *at = text;
    for (int page = 1; page <= pages; page++) {
        snprintf(want, sizeof(want), "Seite %d von %d", page, pages);
        at = strstr(at, want);
        if (!at)
            fail_msg("\"%s\" missing or out of order", want);
    }
    free(text);

    /* A block that continues on the next page holds one Span per page; the rest of
     * the structure is unchanged. */
    char *tree = run("pdfinfo", "-struct", &f);
    IN_ORDER(tree, "  H1 (block)\n", "  P (block)\n    Span (inline)\n    Span (inline)\n", "  Table (block)\n",
             "    TR\n      TH\n      TD\n    TR\n      TH\n      TD\n        Span (inline)\n        Span (inline)\n",
             "  L (block)\n    LI (block)\n      Lbl (block)\n      LBody (block)\n        Span (inline)\n");
    free(tree);
    assert_catalog(&f, "de");
    drop(&f);
    free(sentence_run);
    free(value_lines);
    pdf_free(d);
}

static void test_markdown_structure(void **state)
{
    (void)state;
    pdf_doc_t *d = pdf_new("Markdown", "de");
    pdf_markdown(d, "# Titel\n\n"
                    "Ein Satz mit *Betonung*, **Wichtigem** und `Code`, siehe [Gebühren](https://mainz.de/g).\n\n"
                    "## Abschnitt\n\n"
                    "1. erstens\n2. zweitens\n   - innen a\n   - innen b\n3. drittens\n\n"
                    "#### Tief\n\n"
                    "> Zitat mit &auml;, &#228; und &#xE4; und &unbekannt;\n\n"
                    "Roh: <b>nicht fett</b> <script>x</script>\n\n"
                    "```\nprintf(\"hallo\");\n```\n");
    pdf_file_t f;
    finish(d, &f);
    char *tree = run("pdfinfo", "-struct-text", &f);
    IN_ORDER(tree, "  H1 (block)\n    \"Titel\"\n",
             "  P (block)\n    \"Ein Satz mit Betonung, Wichtigem und Code, siehe Gebühren (https://mainz.de/g).\"\n",
             "  H2 (block)\n    \"Abschnitt\"\n", "  L (block)\n",
             "    LI (block)\n      Lbl (block)\n        \"1.\"\n      LBody (block)\n        \"erstens\"\n",
             /* the item with a nested list: its text in a P, the list after it, both in LBody */
             "    LI (block)\n      Lbl (block)\n        \"2.\"\n      LBody (block)\n        P (block)\n"
             "          \"zweitens\"\n        L (block)\n          LI (block)\n            Lbl (block)\n"
             "              \"◦\"\n            LBody (block)\n              \"innen a\"\n",
             "              \"innen b\"\n", "        \"3.\"\n      LBody (block)\n        \"drittens\"\n",
             "  H3 (block)\n    \"Tief\"\n", "  P (block)\n    \"Zitat mit ä, ä und ä und &unbekannt;\"\n",
             "  P (block)\n    \"Roh: <b>nicht fett</b> <script>x</script>\"\n",
             "  P (block)\n    \"printf(\"hallo\");\"\n");
    free(tree);
    char *text = run("pdftotext", "-enc UTF-8", &f);
    IN_ORDER(text, "1. erstens", "2. zweitens", "◦ innen a", "◦ innen b", "3. drittens");
    free(text);
    /* Emphasis, strong and code each bring their face, all embedded. */
    assert_fonts_embedded(&f, "DejaVuSans-Oblique");
    assert_fonts_embedded(&f, "DejaVuSansMono");
    drop(&f);
    pdf_free(d);
}

static void test_invalid_utf8_replaced(void **state)
{
    (void)state;
    pdf_doc_t *d = pdf_new("Titel \xC3\x28 kaputt", "de");
    pdf_paragraph(d, "Gr\xFC\xDF"
                     "e \xED\xA0\x80 und \x01\x7F Ende");
    pdf_pair(d, "Feld \xFF", "Wert \xC2\x85");
    pdf_markdown(d, "- Punkt \xE2\x82 halb\n");
    pdf_file_t f;
    finish(d, &f);
    char *text = run("pdftotext", "-enc UTF-8", &f);
    IN_ORDER(text,
             "Gr\xEF\xBF\xBD\xEF\xBF\xBD"
             "e \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD und \xEF\xBF\xBD\xEF\xBF\xBD Ende",
             "Feld \xEF\xBF\xBD", "Wert \xEF\xBF\xBD\xEF\xBF\xBD", "Punkt \xEF\xBF\xBD\xEF\xBF\xBD halb");
    free(text);
    char *info = run("pdfinfo", "", &f);
    assert_non_null(strstr(info, "Title:           Titel \xEF\xBF\xBD( kaputt\n"));
    free(info);
    drop(&f);
    pdf_free(d);
}

/* Unicode noncharacters are valid UTF-8 but cairo refuses them: one in any text
 * made the whole PDF fail (found by fuzz_pdf_markdown). They become U+FFFD. */
static void test_noncharacters_replaced(void **state)
{
    (void)state;
    pdf_doc_t *d = pdf_new("Titel \xEF\xBF\xBE", "de"); /* U+FFFE */
    pdf_paragraph(d, "A \xF0\xBF\xBF\xBF B"); /* U+3FFFF */
    pdf_pair(d, "Feld \xEF\xB7\x90", "Wert \xF4\x8F\xBF\xBF"); /* U+FDD0, U+10FFFF */
    pdf_markdown(d, "- Punkt \xEF\xBF\xBF\n"); /* U+FFFF */
    pdf_file_t f;
    finish(d, &f);
    char *text = run("pdftotext", "-enc UTF-8", &f);
    /* pdftotext may join "A", the replacement glyph and "B" without spaces. */
    IN_ORDER(text, "A", "\xEF\xBF\xBD", "B", "Feld \xEF\xBF\xBD", "Wert \xEF\xBF\xBD", "Punkt \xEF\xBF\xBD");
    free(text);
    drop(&f);
    pdf_free(d);
    /* The rest of the range stays: U+FDCF and U+FDF0 are characters. */
    size_t len;
    char *clean = pdf_clean_text("\xEF\xB7\x8F\xEF\xB7\xB0", 6, &len);
    assert_non_null(clean);
    assert_string_equal(clean, "\xEF\xB7\x8F\xEF\xB7\xB0");
    free(clean);
}

/* Lines per page of a single paragraph of short lines (found by bisection). */
static int lines_per_page(void)
{
    int lo = 1, hi = 200;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        pdf_doc_t *d = pdf_new("", "de");
        char *lines = calloc((size_t)mid, 3);
        assert_non_null(lines);
        for (int i = 0; i < mid; i++)
            strcat(lines, i + 1 < mid ? "x\n" : "x");
        pdf_paragraph(d, lines);
        unsigned char *out;
        size_t len;
        assert_int_equal(pdf_finish(d, &out, &len), 0);
        if (pdf_page_count(d) == 1)
            lo = mid;
        else
            hi = mid - 1;
        free(out);
        free(lines);
        pdf_free(d);
    }
    return lo;
}

static void test_limits(void **state)
{
    (void)state;
    unsigned char *out = NULL;
    size_t len = 0;

    /* Text: PDF_MAX_TEXT bytes are accepted, one more fails the document. */
    char *text = malloc(PDF_MAX_TEXT + 2);
    assert_non_null(text);
    memset(text, 'a', PDF_MAX_TEXT + 1);
    text[PDF_MAX_TEXT] = '\0';
    pdf_doc_t *d = pdf_new("", "de");
    pdf_paragraph(d, text);
    assert_null(pdf_error(d));
    pdf_paragraph(d, "b");
    assert_non_null(pdf_error(d));
    assert_non_null(strstr(pdf_error(d), "PDF_MAX_TEXT"));
    assert_int_equal(pdf_finish(d, &out, &len), -1);
    assert_null(out);
    pdf_free(d);
    d = pdf_new("", "de");
    text[PDF_MAX_TEXT] = 'a';
    text[PDF_MAX_TEXT + 1] = '\0';
    pdf_markdown(d, text); /* Markdown source counts the same */
    assert_non_null(strstr(pdf_error(d), "PDF_MAX_TEXT"));
    pdf_free(d);
    free(text);

    /* Blocks. */
    d = pdf_new("", "de");
    for (int i = 0; i < PDF_MAX_BLOCKS; i++)
        pdf_list_item(d, "x");
    assert_null(pdf_error(d));
    pdf_list_item(d, "x");
    assert_non_null(strstr(pdf_error(d), "PDF_MAX_BLOCKS"));
    pdf_free(d);

    /* Pages: exactly PDF_MAX_PAGES full pages are written, one line more fails. */
    int per_page = lines_per_page();
    assert_true(per_page > 20);
    size_t lines = (size_t)per_page * PDF_MAX_PAGES;
    char *many = malloc(lines * 2 + 3);
    assert_non_null(many);
    for (size_t i = 0; i < lines; i++)
        memcpy(many + 2 * i, "x\n", 2);
    many[2 * lines - 1] = '\0';
    d = pdf_new("", "de");
    pdf_paragraph(d, many);
    assert_int_equal(pdf_finish(d, &out, &len), 0);
    assert_int_equal(pdf_page_count(d), PDF_MAX_PAGES);
    free(out);
    pdf_free(d);
    memcpy(many + 2 * lines - 1, "\nx", 3);
    d = pdf_new("", "de");
    pdf_paragraph(d, many);
    assert_int_equal(pdf_finish(d, &out, &len), -1);
    assert_non_null(strstr(pdf_error(d), "PDF_MAX_PAGES"));
    pdf_free(d);
    free(many);

    /* A very long label is cut to PDF_MAX_LABEL_LINES lines ending in "…", so the
     * row fits on the page; the "…" glyph carries the text it replaces (pango's
     * glyph cluster), so extraction and screen readers still get the whole label. */
    char label[4000] = "";
    while (strlen(label) < 3000)
        strcat(label, "Bezeichnung ");
    strcat(label, "LABELENDE");
    d = pdf_new("", "de");
    pdf_pair(d, label, "Wert");
    pdf_file_t f;
    finish(d, &f);
    assert_int_equal(pdf_page_count(d), 1);
    char *extracted = run("pdftotext", "-enc UTF-8", &f);
    IN_ORDER(extracted, "Bezeichnung", "LABELENDE", "Wert", "Seite 1 von 1");
    size_t label_lines = 0; /* physical lines up to the one whose "…" holds the rest */
    for (const char *line = extracted; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t line_len = eol ? (size_t)(eol - line) : strlen(line);
        label_lines++;
        if (memmem(line, line_len, "LABELENDE", 9))
            break;
        line = eol ? eol + 1 : NULL;
    }
    assert_int_equal(label_lines, PDF_MAX_LABEL_LINES);
    free(extracted);
    drop(&f);
    pdf_free(d);
}

static void test_empty_and_null(void **state)
{
    (void)state;
    /* NULL everywhere a caller might pass it. */
    pdf_doc_t *d = pdf_new(NULL, NULL);
    assert_non_null(d);
    pdf_letterhead(d, NULL);
    pdf_heading(d, 7, NULL); /* level clamped to 3, empty text */
    pdf_paragraph(d, NULL);
    pdf_pair(d, NULL, NULL);
    pdf_list_item(d, NULL);
    pdf_markdown(d, NULL);
    pdf_markdown(d, "");
    pdf_file_t f;
    finish(d, &f);
    char *text = run("pdftotext", "-enc UTF-8", &f);
    assert_non_null(strstr(text, "Seite 1 von 1"));
    free(text);
    assert_catalog(&f, ""); /* no language given: no /Lang */
    drop(&f);
    pdf_free(d);

    pdf_heading(NULL, 1, "x");
    pdf_paragraph(NULL, "x");
    pdf_markdown(NULL, "x");
    pdf_free(NULL);
    unsigned char *out = (unsigned char *)"unchanged";
    size_t len = 0;
    assert_int_equal(pdf_finish(NULL, &out, &len), -1);
    assert_int_equal(pdf_page_count(NULL), 0);

    /* A document with no blocks is one page with its number. */
    d = pdf_new("Leer", "de");
    finish(d, &f);
    assert_int_equal(pdf_page_count(d), 1);
    drop(&f);
    pdf_free(d);
}

/* Loads the shipped English texts of this area (the tests run from the repository root). */
static void load_english(void)
{
    FILE *f = fopen("po/en/pdf-charts.po", "rb");
    assert_non_null(f);
    static char po[16384];
    size_t n = fread(po, 1, sizeof(po), f);
    fclose(f);
    char err[256];
    if (i18n_load_po_text("en", po, n, "po/en/pdf-charts.po", err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

static void test_language(void **state)
{
    (void)state;
    load_english();
    pdf_doc_t *d = pdf_new("Receipt", "en");
    pdf_paragraph(d, "We have received your application.");
    pdf_file_t f;
    finish(d, &f);
    char *text = run("pdftotext", "-enc UTF-8", &f);
    assert_non_null(strstr(text, "Page 1 of 1"));
    assert_null(strstr(text, "Seite"));
    free(text);
    assert_catalog(&f, "en");
    drop(&f);
    pdf_free(d);

    /* A region subtag is fine; anything that could break out of the PDF string is dropped. */
    d = pdf_new("x", "de-DE");
    finish(d, &f);
    assert_catalog(&f, "de-DE");
    drop(&f);
    pdf_free(d);
    d = pdf_new("x", "de) /OpenAction (x");
    finish(d, &f);
    assert_catalog(&f, "");
    assert_null(memmem(f.bytes, f.len, "OpenAction", 10));
    char *info = run("pdfinfo", "", &f);
    free(info);
    drop(&f);
    pdf_free(d);
    i18n_free();
}

/* Letterhead, title and labels are one line of text each: line breaks in them
 * must not push the text area off the page (found by fuzz_pdf_markdown). */
static void test_one_line_texts(void **state)
{
    (void)state;
    char many_lines[2000] = "";
    for (int i = 0; i < 100; i++)
        strcat(many_lines, "Amt\n");
    pdf_doc_t *d = pdf_new(many_lines, "de");
    pdf_letterhead(d, many_lines);
    pdf_pair(d, many_lines, "Wert");
    pdf_paragraph(d, "Text");
    pdf_file_t f;
    finish(d, &f);
    assert_int_equal(pdf_page_count(d), 1);
    char *info = run("pdfinfo", "", &f);
    assert_non_null(strstr(info, "Title:           Amt Amt Amt"));
    free(info);
    drop(&f);
    pdf_free(d);
}

static void test_finish_twice(void **state)
{
    (void)state;
    pdf_doc_t *d = pdf_new("Zweimal", "de");
    pdf_paragraph(d, "Erster Teil.");
    pdf_file_t first, second;
    finish(d, &first);
    pdf_paragraph(d, "Zweiter Teil.");
    finish(d, &second);
    char *text = run("pdftotext", "-enc UTF-8", &second);
    IN_ORDER(text, "Erster Teil.", "Zweiter Teil.");
    free(text);
    drop(&first);
    drop(&second);
    pdf_free(d);
}

/* Documents built in several threads at once, as the server's workers do. */
static void *build_in_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        pdf_doc_t *d = pdf_new("Faden", "de");
        pdf_heading(d, 1, "Eingangsbestätigung");
        pdf_markdown(d, "Wir haben Ihren **Antrag** erhalten.\n\n- eins\n- zwei\n");
        pdf_pair(d, "Aktenzeichen", "MZ-2026-000001");
        unsigned char *out = NULL;
        size_t len = 0;
        int rc = pdf_finish(d, &out, &len);
        int ok = rc == 0 && len > 1000 && memmem(out, len, "/StructTreeRoot", 15) != NULL;
        free(out);
        pdf_free(d);
        if (!ok)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, build_in_thread, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *result;
        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_null(result);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_is_accessible),
        cmocka_unit_test(test_long_document_breaks_pages),
        cmocka_unit_test(test_markdown_structure),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_noncharacters_replaced),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_language),
        cmocka_unit_test(test_one_line_texts),
        cmocka_unit_test(test_finish_twice),
        cmocka_unit_test(test_threads),
    };
    int failed = cmocka_run_group_tests_name("pdf", tests, NULL, NULL);
    pdf_release_caches(); /* so that LeakSanitizer reports only real leaks */
    return failed ? 1 : 0;
}
