/* pdf.c — accessible PDF documents with cairo 1.16 and pango (see pdf.h).
 *
 * Blocks are collected first (pdf_heading … pdf_markdown) and laid out only in
 * pdf_finish, in two passes over the same pango layouts: the first counts the
 * pages (the footer says "Seite 1 von N"), the second draws. Both passes run the
 * same code with drawing switched off in the first, so they break pages at the
 * same lines.
 *
 * Tagging with cairo 1.16 (cairo_tag_begin/end) has two properties the layout
 * works around:
 *  - only leaf structure elements get marked content; text drawn while a parent
 *    element is innermost belongs to no element. So every piece of text is drawn
 *    inside a leaf (H1, P, Lbl, LBody, TH, TD or Span).
 *  - a leaf left open across cairo_show_page is reopened on the next page and
 *    would swallow the page number and letterhead drawn there. So a block that
 *    continues on the next page becomes a parent with one Span per page, and
 *    leaves are always closed at a page break.
 * The page furniture (letterhead, "Seite n von N", rules) is drawn outside every
 * leaf: it belongs to no structure element, which is as close to an Artifact as
 * cairo 1.16 gets. cairo writes no /Lang; after cairo has finished we append an
 * incremental update that rewrites the catalog with /Lang and DisplayDocTitle
 * (pdf_set_catalog_entries). docs/pdf.md describes the result and its gaps.
 *
 * The document model (blocks, text cleaning, limits) is in pdf_doc.c, the
 * Markdown mapping in pdf_markdown.c; this file lays out, tags and writes.
 */
#include "platform/pdf.h"
#include "platform/pdf_internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <dlfcn.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "view/i18n.h"

/* Page geometry in points (1/72 inch); margins after DIN 5008. */
#define MM (72.0 / 25.4)
#define PAGE_WIDTH (210.0 * MM)
#define PAGE_HEIGHT (297.0 * MM)
#define MARGIN_LEFT (25.0 * MM)
#define MARGIN_RIGHT (20.0 * MM)
#define MARGIN_TOP (15.0 * MM)
#define MARGIN_BOTTOM (15.0 * MM)
#define TEXT_WIDTH (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
#define FURNITURE_GAP (6.0 * MM)         /* between letterhead or footer and the text */
#define LABEL_COLUMN (0.36 * TEXT_WIDTH) /* width of the label column of a table */
#define COLUMN_GAP (4.0 * MM)
#define CELL_PADDING 3.0       /* above and below the text of a table row */
#define LIST_INDENT (7.0 * MM) /* per nesting level, and the marker column */
#define MARKER_GAP 5.0         /* between a list marker and its text */
#define QUOTE_INDENT (7.0 * MM)
#define PARAGRAPH_SPACE 6.0
#define LINE_SPACING 1.25 /* pango line-spacing factor: readable, not cramped */

#define FONT_FAMILY "DejaVu Sans"
#define FONT_MONO "DejaVu Sans Mono"
#define BODY_SIZE 11.0
#define SMALL_SIZE 9.0
static const double heading_size[4] = {0, 17.0, 14.0, 12.0};
static const double heading_space_before[4] = {0, 14.0, 12.0, 9.0};

/* ---- layouts ------------------------------------------------------------------ */

/* Applies attribute a to bytes [start, end) of a layout's text; attrs takes it. */
static void add_attribute(PangoAttrList *attrs, PangoAttribute *a, size_t start, size_t end)
{
    a->start_index = (guint)start;
    a->end_index = (guint)end;
    pango_attr_list_insert(attrs, a);
}

/* A layout of text at width (points) in the body font, or the given size and
 * weight, with the block's style runs applied. Ligatures are switched off: a
 * ligature glyph stands for several characters, and text extraction (what a screen
 * reader gets) is more reliable with one glyph per character. */
static PangoLayout *make_layout(PangoContext *pc, const char *text, double width, double size, int bold,
                                const pdf_style_run_t *runs, size_t run_count, size_t text_len)
{
    PangoLayout *layout = pango_layout_new(pc);
    PangoFontDescription *font = pango_font_description_new();
    PangoAttrList *attrs = pango_attr_list_new();
    pango_font_description_set_family(font, FONT_FAMILY);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR); /* long words and addresses break too */
    pango_layout_set_line_spacing(layout, LINE_SPACING);
    pango_attr_list_insert(attrs, pango_attr_font_features_new("liga 0, clig 0, dlig 0, hlig 0"));
    for (size_t i = 0; i < run_count; i++) {
        size_t start = runs[i].start < text_len ? runs[i].start : text_len;
        size_t end = runs[i].end < text_len ? runs[i].end : text_len;
        if (start >= end)
            continue;
        if (runs[i].style & PDF_STYLE_BOLD)
            add_attribute(attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD), start, end);
        if (runs[i].style & PDF_STYLE_ITALIC)
            add_attribute(attrs, pango_attr_style_new(PANGO_STYLE_OBLIQUE), start, end);
        if (runs[i].style & PDF_STYLE_MONO)
            add_attribute(attrs, pango_attr_family_new(FONT_MONO), start, end);
    }
    pango_layout_set_attributes(layout, attrs);
    pango_layout_set_text(layout, text, (int)text_len);
    pango_attr_list_unref(attrs);
    pango_font_description_free(font);
    return layout;
}

/* How far a block is indented from the left margin: list items by their depth
 * (plus the marker column), quoted paragraphs by the quote depth. */
static double indent_of(const pdf_block_t *b)
{
    int level = b->level < 0 ? 0 : b->level > PDF_MAX_LIST_DEPTH ? PDF_MAX_LIST_DEPTH : b->level;
    if (b->kind == PDF_BLOCK_ITEM)
        return (level + 1) * LIST_INDENT;
    if (b->kind == PDF_BLOCK_PARAGRAPH)
        return level * QUOTE_INDENT;
    return 0;
}

static void build_layouts(pdf_doc_t *d, PangoContext *pc)
{
    for (size_t i = 0; i < d->count; i++) {
        pdf_block_t *b = &d->blocks[i];
        switch (b->kind) {
        case PDF_BLOCK_HEADING:
            b->layout = make_layout(pc, b->text, TEXT_WIDTH, heading_size[b->level], 1, b->runs, b->run_count, b->len);
            break;
        case PDF_BLOCK_PARAGRAPH:
            b->layout =
                make_layout(pc, b->text, TEXT_WIDTH - indent_of(b), BODY_SIZE, 0, b->runs, b->run_count, b->len);
            break;
        case PDF_BLOCK_PAIR:
            b->label_layout = make_layout(pc, b->label, LABEL_COLUMN, BODY_SIZE, 1, NULL, 0, strlen(b->label));
            /* A label must fit on one page next to its value: end long ones in "…". */
            pango_layout_set_ellipsize(b->label_layout, PANGO_ELLIPSIZE_END);
            pango_layout_set_height(b->label_layout, -PDF_MAX_LABEL_LINES);
            b->layout = make_layout(pc, b->text, TEXT_WIDTH - LABEL_COLUMN - COLUMN_GAP, BODY_SIZE, 0, b->runs,
                                    b->run_count, b->len);
            break;
        case PDF_BLOCK_ITEM:
            if (b->label)
                b->label_layout = make_layout(pc, b->label, LIST_INDENT, BODY_SIZE, 0, NULL, 0, strlen(b->label));
            b->layout =
                make_layout(pc, b->text, TEXT_WIDTH - indent_of(b), BODY_SIZE, 0, b->runs, b->run_count, b->len);
            break;
        }
    }
}

/* ---- rendering ---------------------------------------------------------------- */

typedef struct render {
    pdf_doc_t *d;
    cairo_t *cr;        /* the PDF page */
    int draw;           /* 0: only count pages; 1: draw and tag */
    int page;           /* current page, from 1 */
    int pages;          /* total; known when drawing */
    double y;           /* top of the next line on the page */
    double top, bottom; /* the text area of every page */
    PangoLayout *letterhead;
    PangoLayout *footer;
    int too_long; /* PDF_MAX_PAGES passed */
} render_t;

static void tag_begin(render_t *r, const char *tag)
{
    if (r->draw)
        cairo_tag_begin(r->cr, tag, NULL);
}

static void tag_end(render_t *r, const char *tag)
{
    if (r->draw)
        cairo_tag_end(r->cr, tag);
}

static double to_pt(int pango_units)
{
    return pango_units / (double)PANGO_SCALE;
}

static double layout_height(PangoLayout *layout)
{
    PangoRectangle logical;
    pango_layout_get_extents(layout, NULL, &logical);
    return to_pt(logical.height);
}

/* Height from the layout's top to the bottom of its first n lines. */
static double lines_height(PangoLayout *layout, int n)
{
    PangoLayoutIter *it = pango_layout_get_iter(layout);
    double bottom = 0;
    int i = 0;
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        bottom = to_pt(logical.y + logical.height);
    } while (++i < n && pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    return bottom;
}

static void replace_all(buf_t *out, const char *pattern, const char *name, const char *value)
{
    for (const char *p = pattern; *p;) {
        const char *hit = strstr(p, name);
        if (!hit) {
            buf_puts(out, p);
            break;
        }
        buf_append(out, p, (size_t)(hit - p));
        buf_puts(out, value);
        p = hit + strlen(name);
    }
}

/* Letterhead and page number: outside every structure element (see the top). */
static void draw_furniture(render_t *r)
{
    cairo_t *cr = r->cr;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.30, 0.30, 0.30); /* #4d4d4d: 8.5:1 on white */
    if (r->letterhead) {
        cairo_move_to(cr, MARGIN_LEFT, MARGIN_TOP);
        pango_cairo_show_layout(cr, r->letterhead);
        double rule_y = MARGIN_TOP + layout_height(r->letterhead) + 2.0;
        cairo_set_line_width(cr, 0.5);
        cairo_move_to(cr, MARGIN_LEFT, rule_y);
        cairo_line_to(cr, PAGE_WIDTH - MARGIN_RIGHT, rule_y);
        cairo_stroke(cr);
    }
    /* "Seite 1 von 2", in the document's language. */
    char page[16], pages[16];
    snprintf(page, sizeof(page), "%d", r->page);
    snprintf(pages, sizeof(pages), "%d", r->pages);
    buf_t pattern, text;
    buf_init(&pattern, NULL, 64, 1024);
    buf_init(&text, NULL, 64, 1024);
    const char *lang = r->d->lang[0] ? r->d->lang : "de";
    replace_all(&pattern, i18n_translate(lang, "Seite {n} von {total}"), "{n}", page);
    replace_all(&text, buf_cstr(&pattern), "{total}", pages);
    pango_layout_set_text(r->footer, buf_cstr(&text), -1);
    buf_free(&pattern);
    buf_free(&text);
    PangoRectangle logical;
    pango_layout_get_extents(r->footer, NULL, &logical);
    cairo_move_to(cr, PAGE_WIDTH - MARGIN_RIGHT - to_pt(logical.width),
                  PAGE_HEIGHT - MARGIN_BOTTOM - to_pt(logical.height));
    pango_cairo_show_layout(cr, r->footer);
    cairo_restore(cr);
}

/* Ends the page (if one was begun) and begins the next. Call only while no leaf
 * element is open. */
static void new_page(render_t *r)
{
    if (r->page >= PDF_MAX_PAGES) {
        r->too_long = 1;
        return;
    }
    if (r->draw && r->page > 0)
        cairo_show_page(r->cr);
    r->page++;
    r->y = r->top;
    if (r->draw)
        draw_furniture(r);
}

/* Draws the lines of layout with their left edge at x from r->y on, as the
 * structure element tag, and moves r->y below them. When fewer than min_lines
 * fit on this page (and the page is not empty) the block starts on the next; when
 * not all lines fit it continues there, and tag then holds one Span per page. */
static void draw_text(render_t *r, PangoLayout *layout, double x, const char *tag, int min_lines)
{
    double total = layout_height(layout);
    if (r->y > r->top && r->y + total > r->bottom && r->y + lines_height(layout, min_lines) > r->bottom)
        new_page(r);
    int split = r->y + total > r->bottom;
    tag_begin(r, tag);
    if (split)
        tag_begin(r, "Span");
    PangoLayoutIter *it = pango_layout_get_iter(layout);
    double piece_top = 0; /* layout y drawn at page_y */
    double page_y = r->y;
    double bottom = r->y; /* page y below the last line drawn */
    int on_page = 0;      /* lines drawn on this page */
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        double line_top = to_pt(logical.y), line_bottom = to_pt(logical.y + logical.height);
        /* A line that does not fit goes to the next page, unless it stands alone on
         * an empty page already (then it is drawn cut off rather than never). */
        if (page_y + line_bottom - piece_top > r->bottom && (on_page > 0 || page_y > r->top)) {
            if (split)
                tag_end(r, "Span");
            new_page(r);
            if (r->too_long)
                break;
            if (split)
                tag_begin(r, "Span");
            page_y = r->top;
            piece_top = line_top;
            on_page = 0;
        }
        if (r->draw) {
            cairo_move_to(r->cr, x + to_pt(logical.x), page_y + to_pt(pango_layout_iter_get_baseline(it)) - piece_top);
            pango_cairo_show_layout_line(r->cr, pango_layout_iter_get_line_readonly(it));
        }
        bottom = page_y + line_bottom - piece_top;
        on_page++;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    if (split && !r->too_long)
        tag_end(r, "Span");
    tag_end(r, tag);
    r->y = bottom;
}

static void rule(render_t *r, double x0, double x1, double y)
{
    if (!r->draw)
        return;
    cairo_save(r->cr);
    cairo_set_source_rgb(r->cr, 0.46, 0.46, 0.46); /* #767676: 4.5:1 on white */
    cairo_set_line_width(r->cr, 0.5);
    cairo_move_to(r->cr, x0, y);
    cairo_line_to(r->cr, x1, y);
    cairo_stroke(r->cr);
    cairo_restore(r->cr);
}

static void draw_heading(render_t *r, const pdf_block_t *b, const pdf_block_t *next)
{
    if (r->y > r->top)
        r->y += heading_space_before[b->level];
    /* Keep the heading with the first two lines of what follows. */
    double keep = layout_height(b->layout) + 4.0 + (next && next->layout ? lines_height(next->layout, 2) : 0);
    if (r->y > r->top && r->y + keep > r->bottom)
        new_page(r);
    static const char *const tags[4] = {"P", "H1", "H2", "H3"};
    draw_text(r, b->layout, MARGIN_LEFT, tags[b->level], 1);
    r->y += 4.0;
}

/* One table of consecutive pairs from blocks[i]; returns the index after it. */
static size_t draw_table(render_t *r, size_t i)
{
    pdf_doc_t *d = r->d;
    unsigned group = d->blocks[i].group;
    double value_x = MARGIN_LEFT + LABEL_COLUMN + COLUMN_GAP;
    tag_begin(r, "Table");
    rule(r, MARGIN_LEFT, PAGE_WIDTH - MARGIN_RIGHT, r->y); /* inside Table, outside its cells */
    for (; i < d->count && d->blocks[i].kind == PDF_BLOCK_PAIR && d->blocks[i].group == group && !r->too_long; i++) {
        const pdf_block_t *b = &d->blocks[i];
        double label_h = layout_height(b->label_layout);
        double row_h = label_h > layout_height(b->layout) ? label_h : layout_height(b->layout);
        /* The label (at most PDF_MAX_LABEL_LINES) and the first line of the value
         * must share a page; the value alone may continue on the next ones. */
        double first_h = label_h > lines_height(b->layout, 1) ? label_h : lines_height(b->layout, 1);
        if (r->y > r->top && r->y + 2 * CELL_PADDING + row_h > r->bottom &&
            r->y + 2 * CELL_PADDING + first_h > r->bottom)
            new_page(r);
        if (r->too_long)
            break;
        int row_page = r->page;
        double row_top = r->y + CELL_PADDING;
        tag_begin(r, "TR");
        tag_begin(r, "TH");
        if (r->draw) {
            cairo_move_to(r->cr, MARGIN_LEFT, row_top);
            pango_cairo_show_layout(r->cr, b->label_layout);
        }
        tag_end(r, "TH");
        r->y = row_top;
        draw_text(r, b->layout, value_x, "TD", 1);
        if (r->page == row_page && r->y < row_top + label_h)
            r->y = row_top + label_h;
        r->y += CELL_PADDING;
        rule(r, MARGIN_LEFT, PAGE_WIDTH - MARGIN_RIGHT, r->y); /* inside TR, outside its cells */
        tag_end(r, "TR");
    }
    tag_end(r, "Table");
    r->y += PARAGRAPH_SPACE;
    return i;
}

/* One list at depth from blocks[i] (items of one group), with the deeper items
 * after an item as a list inside its LBody; returns the index after the list. */
static size_t draw_list(render_t *r, size_t i, int depth)
{
    pdf_doc_t *d = r->d;
    unsigned group = d->blocks[i].group;
    tag_begin(r, "L");
    while (i < d->count && !r->too_long) {
        const pdf_block_t *b = &d->blocks[i];
        if (b->kind != PDF_BLOCK_ITEM || b->group != group || b->level < depth)
            break;
        if (b->level > depth) { /* a deeper list without an item to hang on: draw it here */
            i = draw_list(r, i, b->level);
            continue;
        }
        const pdf_block_t *next = i + 1 < d->count ? &d->blocks[i + 1] : NULL;
        int has_children = next && next->kind == PDF_BLOCK_ITEM && next->group == group && next->level > depth;
        double x = MARGIN_LEFT + indent_of(b);
        if (r->y > r->top && r->y + lines_height(b->layout, 1) > r->bottom)
            new_page(r);
        tag_begin(r, "LI");
        if (b->label_layout) {
            tag_begin(r, "Lbl");
            if (r->draw) {
                /* Right-aligned next to the text, so that the marker and the item
                 * read as one line when text is extracted by position. */
                PangoRectangle logical;
                pango_layout_get_extents(b->label_layout, NULL, &logical);
                cairo_move_to(r->cr, x - MARKER_GAP - to_pt(logical.width), r->y);
                pango_cairo_show_layout(r->cr, b->label_layout);
            }
            tag_end(r, "Lbl");
        }
        if (has_children) {
            tag_begin(r, "LBody");
            if (b->len > 0)
                draw_text(r, b->layout, x, "P", 1);
            i = draw_list(r, i + 1, depth + 1);
            tag_end(r, "LBody");
        } else {
            draw_text(r, b->layout, x, "LBody", 1);
            i++;
        }
        tag_end(r, "LI");
        r->y += 2.0;
    }
    tag_end(r, "L");
    if (depth == 0)
        r->y += PARAGRAPH_SPACE - 2.0;
    return i;
}

static void draw_document(render_t *r)
{
    pdf_doc_t *d = r->d;
    r->page = 0;
    new_page(r);
    tag_begin(r, "Document");
    for (size_t i = 0; i < d->count && !r->too_long;) {
        const pdf_block_t *b = &d->blocks[i];
        switch (b->kind) {
        case PDF_BLOCK_HEADING:
            draw_heading(r, b, i + 1 < d->count ? &d->blocks[i + 1] : NULL);
            i++;
            break;
        case PDF_BLOCK_PARAGRAPH:
            draw_text(r, b->layout, MARGIN_LEFT + indent_of(b), "P", 2);
            r->y += PARAGRAPH_SPACE;
            i++;
            break;
        case PDF_BLOCK_PAIR:
            i = draw_table(r, i);
            break;
        case PDF_BLOCK_ITEM:
            i = draw_list(r, i, b->level);
            break;
        }
    }
    tag_end(r, "Document");
}

/* ---- output ------------------------------------------------------------------- */

static cairo_status_t write_to_buf(void *closure, const unsigned char *data, unsigned int length)
{
    return buf_append(closure, data, length) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Position of the last occurrence of needle in hay[0..n), or NULL. */
static const char *find_last(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* The number after key in [p, end) ("/Size 31" → 31), or -1. */
static long number_after(const char *p, const char *end, const char *key)
{
    const char *hit = memmem(p, (size_t)(end - p), key, strlen(key));
    if (!hit)
        return -1;
    hit += strlen(key);
    while (hit < end && (*hit == ' ' || *hit == '\n' || *hit == '\r'))
        hit++;
    long v = 0;
    int digits = 0;
    while (hit < end && *hit >= '0' && *hit <= '9' && digits < 12) {
        v = v * 10 + (*hit++ - '0');
        digits++;
    }
    return digits ? v : -1;
}

/* cairo 1.16 has no call for the document language, and PDF/UA wants the viewer
 * to show the title rather than the file name. Both belong in the catalog, so
 * this appends an incremental update (PDF 1.7 §7.5.6) to what cairo wrote: the
 * catalog object again with /Lang and /ViewerPreferences added, a one-entry xref
 * section and a trailer pointing back (/Prev) to cairo's. Returns 0, or -1 when
 * cairo's output does not look as expected (then pdf is unchanged). */
static int pdf_set_catalog_entries(buf_t *pdf, const char *lang)
{
    const char *s = pdf->data, *end = pdf->data + pdf->len;
    const char *startxref = find_last(s, pdf->len, "startxref");
    const char *trailer = startxref ? find_last(s, (size_t)(startxref - s), "trailer") : NULL;
    if (!trailer)
        return -1;
    long prev_xref = number_after(startxref, end, "startxref");
    long size = number_after(trailer, startxref, "/Size");
    long root = number_after(trailer, startxref, "/Root");
    long info = number_after(trailer, startxref, "/Info");
    if (prev_xref <= 0 || size <= 0 || root <= 0 || root >= size)
        return -1;
    char head[32];
    snprintf(head, sizeof(head), "\n%ld 0 obj\n", root);
    const char *obj = find_last(s, (size_t)(trailer - s), head);
    if (!obj)
        return -1;
    const char *body = obj + strlen(head);
    const char *endobj = memmem(body, (size_t)(trailer - body), "\nendobj", 7);
    if (!endobj)
        return -1;
    const char *close = find_last(body, (size_t)(endobj - body), ">>");
    size_t body_len = (size_t)(endobj - body);
    if (!close || body_len < 4 || memcmp(body, "<<", 2) != 0 || !memmem(body, body_len, "/Type /Catalog", 14) ||
        memmem(body, body_len, "/Lang", 5) || memmem(body, body_len, "/ViewerPreferences", 18))
        return -1;
    /* A copy: appending to pdf may move its data, and body points into it. */
    char *catalog = strndup(body, (size_t)(close - body));
    if (!catalog)
        return -1;
    size_t keep = pdf->len; /* to undo a half-written update */
    if (pdf->data[pdf->len - 1] != '\n')
        buf_putc(pdf, '\n');
    size_t obj_offset = pdf->len;
    buf_appendf(pdf, "%ld 0 obj\n", root);
    buf_puts(pdf, catalog);
    free(catalog);
    if (lang[0])
        buf_appendf(pdf, "   /Lang (%s)\n", lang); /* lang_tag_ok: letters, digits, "-" only */
    buf_puts(pdf, "   /ViewerPreferences << /DisplayDocTitle true >>\n>>\nendobj\n");
    size_t xref_offset = pdf->len;
    /* Each xref entry is exactly 20 bytes: 10 digits, space, 5 digits, space, "n", space, LF. */
    buf_appendf(pdf, "xref\n%ld 1\n%010zu 00000 n \ntrailer\n<< /Size %ld\n   /Root %ld 0 R\n", root, obj_offset, size,
                root);
    if (info > 0)
        buf_appendf(pdf, "   /Info %ld 0 R\n", info);
    buf_appendf(pdf, "   /Prev %ld\n>>\nstartxref\n%zu\n%%%%EOF\n", prev_xref, xref_offset);
    if (pdf->overflow) {
        pdf->len = keep;
        pdf->data[keep] = '\0';
        return -1;
    }
    return 0;
}

int pdf_finish(pdf_doc_t *d, unsigned char **out, size_t *len)
{
    int rc = -1;
    buf_t pdf;
    buf_init(&pdf, NULL, 64 * 1024, PDF_MAX_OUTPUT);
    cairo_surface_t *surface = NULL;
    cairo_t *cr = NULL;
    PangoContext *pc = NULL;
    render_t r = {.d = d};
    if (!d || !out || !len)
        goto done;
    *out = NULL;
    *len = 0;
    if (d->error)
        goto done;
    surface = cairo_pdf_surface_create_for_stream(write_to_buf, &pdf, PAGE_WIDTH, PAGE_HEIGHT);
    cr = cairo_create(surface);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        pdf_fail(d, "cairo could not create the PDF surface");
        goto done;
    }
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "rathaus");
    pc = pango_cairo_create_context(cr);
    if (d->lang[0])
        pango_context_set_language(pc, pango_language_from_string(d->lang));
    build_layouts(d, pc);
    r.cr = cr;
    r.top = MARGIN_TOP;
    r.bottom = PAGE_HEIGHT - MARGIN_BOTTOM;
    if (d->letterhead) {
        r.letterhead = make_layout(pc, d->letterhead, TEXT_WIDTH, SMALL_SIZE, 0, NULL, 0, strlen(d->letterhead));
        pango_layout_set_ellipsize(r.letterhead, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(r.letterhead, -2);
        r.top += layout_height(r.letterhead) + FURNITURE_GAP;
    }
    r.footer = make_layout(pc, "Seite 1 von 1", TEXT_WIDTH, SMALL_SIZE, 0, NULL, 0, 13);
    r.bottom -= layout_height(r.footer) + FURNITURE_GAP;

    r.draw = 0;
    draw_document(&r);
    if (r.too_long) {
        pdf_fail(d, "the document has more pages than PDF_MAX_PAGES");
        goto done;
    }
    r.pages = r.page;
    r.draw = 1;
    draw_document(&r);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    cr = NULL;
    cairo_surface_finish(surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS || pdf.overflow || r.page != r.pages) {
        pdf_fail(d, pdf.overflow ? "the PDF is larger than PDF_MAX_OUTPUT" : "cairo could not write the PDF");
        goto done;
    }
    if (pdf_set_catalog_entries(&pdf, d->lang) != 0) {
        pdf_fail(d, "cairo's PDF has no catalog where expected; cannot set the language");
        goto done;
    }
    d->pages = r.pages;
    *out = (unsigned char *)pdf.data;
    *len = pdf.len;
    pdf.data = NULL; /* handed to the caller */
    rc = 0;
done:
    if (r.letterhead)
        g_object_unref(r.letterhead);
    if (r.footer)
        g_object_unref(r.footer);
    if (d)
        pdf_free_layouts(d);
    if (pc)
        g_object_unref(pc);
    if (cr)
        cairo_destroy(cr);
    if (surface)
        cairo_surface_destroy(surface);
    buf_free(&pdf);
    return rc;
}

void pdf_release_caches(void)
{
    pango_cairo_font_map_set_default(NULL); /* this thread's font map and its fonts */
    cairo_debug_reset_static_data();        /* cairo's font face caches */
    /* fontconfig's configuration and caches. We do not link fontconfig ourselves
     * (pango does), so its FcFini is looked up in the loaded libraries. */
    void (*fc_fini)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "FcFini");
    if (fc_fini)
        fc_fini();
}
