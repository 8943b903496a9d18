/* pdf_markdown.c — Markdown to PDF blocks with md4c's parser (pdf_markdown in pdf.h).
 *
 * md4c reports blocks, spans and text through callbacks; this file turns them into
 * the blocks of pdf.c: headings, paragraphs (block quotes indented, code in the
 * monospaced font) and list items with their nesting depth and marker ("•", "3.").
 * Emphasis becomes italic and strong bold, as style runs over the block's text, so
 * no markup language is involved and no text needs escaping. Raw HTML is off
 * (MD_FLAG_NOHTML): tags stay visible text, as the author typed them.
 *
 * The source is cleaned (pdf_clean_text) before md4c sees it, so every text piece
 * md4c hands back is valid UTF-8 already; entities are decoded to code points that
 * are checked again.
 */
#include "platform/pdf.h"
#include "platform/pdf_internal.h"

#include <md4c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define MAX_RUNS 4096 /* style runs in one block; more are drawn plain */

typedef struct list_state {
    int ordered;
    unsigned next_number; /* of the next item of an ordered list */
} list_state_t;

typedef struct md_state {
    pdf_doc_t *d;
    buf_t text;            /* text of the block being collected */
    pdf_style_run_t *runs; /* its style runs */
    size_t run_count, run_cap;
    int collecting; /* a block is open and text goes to `text` */
    enum pdf_block_kind kind;
    int level;
    int em, strong, code; /* open spans of each kind */
    int quote_depth;
    int list_depth; /* open lists */
    list_state_t lists[PDF_MAX_LIST_DEPTH + 1];
    unsigned group;       /* of the outermost open list */
    int in_item;          /* inside a list item */
    int item_flushed;     /* the open item has produced a block already */
    char item_marker[24]; /* marker of the open item, "" after its first block */
    size_t link_start;    /* text offset where the open link's text began */
    char *link_href;      /* target of the open link (clean UTF-8), or NULL */
} md_state_t;

static unsigned current_style(const md_state_t *st)
{
    return (st->strong ? PDF_STYLE_BOLD : 0) | (st->em ? PDF_STYLE_ITALIC : 0) | (st->code ? PDF_STYLE_MONO : 0);
}

/* Appends n bytes of clean text in the current style. */
static void append(md_state_t *st, const char *s, size_t n)
{
    size_t start = st->text.len;
    if (n == 0 || buf_append(&st->text, s, n) != 0)
        return;
    unsigned style = current_style(st);
    if (style == 0)
        return;
    if (st->run_count && st->runs[st->run_count - 1].end == start && st->runs[st->run_count - 1].style == style) {
        st->runs[st->run_count - 1].end = st->text.len;
        return;
    }
    if (st->run_count == st->run_cap) {
        if (st->run_cap >= MAX_RUNS)
            return;
        size_t cap = st->run_cap ? st->run_cap * 2 : 8;
        pdf_style_run_t *grown = realloc(st->runs, cap * sizeof(*grown));
        if (!grown) {
            pdf_fail(st->d, "out of memory");
            return;
        }
        st->runs = grown;
        st->run_cap = cap;
    }
    st->runs[st->run_count++] = (pdf_style_run_t){start, st->text.len, style};
}

static void append_str(md_state_t *st, const char *s)
{
    append(st, s, strlen(s));
}

static void begin_block(md_state_t *st, enum pdf_block_kind kind, int level)
{
    buf_reset(&st->text);
    st->run_count = 0;
    st->collecting = 1;
    st->kind = kind;
    st->level = level;
}

/* Ends the collected block and adds it to the document (trailing line breaks and
 * spaces dropped; an empty paragraph or heading is left out). */
static void flush_block(md_state_t *st)
{
    if (!st->collecting)
        return;
    st->collecting = 0;
    if (st->text.overflow) {
        pdf_fail(st->d, "the document has more text than PDF_MAX_TEXT");
        return;
    }
    size_t len = st->text.len;
    while (len > 0 && (st->text.data[len - 1] == '\n' || st->text.data[len - 1] == ' '))
        len--;
    if (len == 0 && st->kind != PDF_BLOCK_ITEM)
        return;
    int item = st->kind == PDF_BLOCK_ITEM;
    (void)pdf_add_block(st->d, st->kind, st->level, item ? st->group : 0,
                        item && st->item_marker[0] ? st->item_marker : NULL, len ? st->text.data : "", len, st->runs,
                        st->run_count);
    if (item) {
        st->item_marker[0] = '\0'; /* text after a nested list continues the item without a marker */
        st->item_flushed = 1;
    }
}

static int item_level(const md_state_t *st)
{
    int level = st->list_depth - 1;
    return level > PDF_MAX_LIST_DEPTH ? PDF_MAX_LIST_DEPTH : level;
}

/* Where text of a paragraph or code block goes: into the open list item, or a block of its own. */
static void begin_text_block(md_state_t *st, enum pdf_block_kind kind, int level)
{
    if (st->in_item) {
        if (!st->collecting)
            begin_block(st, PDF_BLOCK_ITEM, item_level(st));
        else if (st->text.len > 0)
            append_str(st, "\n");
        return;
    }
    begin_block(st, kind, level);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    md_state_t *st = userdata;
    switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL: {
        /* The item's own text comes before its nested list (an empty item still
         * becomes an LI, to hold the list). */
        if (st->in_item && st->collecting && (st->text.len > 0 || !st->item_flushed))
            flush_block(st);
        st->collecting = 0;
        if (st->list_depth == 0)
            st->group = pdf_new_group(st->d);
        int slot = st->list_depth < PDF_MAX_LIST_DEPTH ? st->list_depth : PDF_MAX_LIST_DEPTH;
        st->lists[slot].ordered = type == MD_BLOCK_OL;
        st->lists[slot].next_number = type == MD_BLOCK_OL ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
        st->list_depth++;
        st->in_item = 0;
        break;
    }
    case MD_BLOCK_LI: {
        int slot = st->list_depth - 1 < PDF_MAX_LIST_DEPTH ? st->list_depth - 1 : PDF_MAX_LIST_DEPTH;
        list_state_t *list = &st->lists[slot < 0 ? 0 : slot];
        static const char *const bullets[3] = {"\xE2\x80\xA2", "\xE2\x97\xA6", "\xE2\x96\xAA"}; /* • ◦ ▪ */
        if (list->ordered)
            snprintf(st->item_marker, sizeof(st->item_marker), "%u.", list->next_number++);
        else
            snprintf(st->item_marker, sizeof(st->item_marker), "%s", bullets[item_level(st) % 3]);
        st->in_item = 1;
        st->item_flushed = 0;
        begin_block(st, PDF_BLOCK_ITEM, item_level(st));
        break;
    }
    case MD_BLOCK_H: {
        unsigned level = ((MD_BLOCK_H_DETAIL *)detail)->level;
        if (st->in_item)
            begin_text_block(st, PDF_BLOCK_PARAGRAPH, 0); /* a heading inside an item is its text */
        else
            begin_block(st, PDF_BLOCK_HEADING, level > 3 ? 3 : (int)level);
        break;
    }
    case MD_BLOCK_P:
        begin_text_block(st, PDF_BLOCK_PARAGRAPH, st->quote_depth);
        break;
    case MD_BLOCK_CODE:
        begin_text_block(st, PDF_BLOCK_PARAGRAPH, st->quote_depth);
        st->code++;
        break;
    case MD_BLOCK_QUOTE:
        st->quote_depth++;
        break;
    default: /* DOC, HR, HTML (off), tables (off) */
        break;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    md_state_t *st = userdata;
    (void)detail;
    switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        st->list_depth--;
        st->in_item = st->list_depth > 0; /* back in the item that holds this list */
        break;
    case MD_BLOCK_LI:
        if (st->collecting && (st->text.len > 0 || !st->item_flushed))
            flush_block(st);
        st->collecting = 0;
        st->in_item = 0;
        break;
    case MD_BLOCK_H:
    case MD_BLOCK_P:
        if (!st->in_item)
            flush_block(st);
        break;
    case MD_BLOCK_CODE:
        st->code--;
        if (!st->in_item)
            flush_block(st);
        break;
    case MD_BLOCK_QUOTE:
        st->quote_depth--;
        break;
    default:
        break;
    }
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    md_state_t *st = userdata;
    switch (type) {
    case MD_SPAN_EM:
        st->em++;
        break;
    case MD_SPAN_STRONG:
        st->strong++;
        break;
    case MD_SPAN_CODE:
        st->code++;
        break;
    case MD_SPAN_A: {
        const MD_ATTRIBUTE *href = &((MD_SPAN_A_DETAIL *)detail)->href;
        free(st->link_href);
        /* A substring of the clean source; md4c gives NULL text for "[x]()". */
        st->link_href = href->text && href->size ? strndup(href->text, href->size) : NULL;
        st->link_start = st->text.len;
        break;
    }
    default: /* images: their alternative text arrives as text */
        break;
    }
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    md_state_t *st = userdata;
    (void)detail;
    switch (type) {
    case MD_SPAN_EM:
        st->em--;
        break;
    case MD_SPAN_STRONG:
        st->strong--;
        break;
    case MD_SPAN_CODE:
        st->code--;
        break;
    case MD_SPAN_A:
        /* On paper a link is only useful with its address; autolinks show it already. */
        if (st->link_href && st->link_href[0] && st->link_start <= st->text.len &&
            !(st->text.len - st->link_start == strlen(st->link_href) &&
              memcmp(st->text.data + st->link_start, st->link_href, st->text.len - st->link_start) == 0)) {
            int em = st->em, strong = st->strong;
            st->em = st->strong = 0;
            append_str(st, " (");
            append_str(st, st->link_href);
            append_str(st, ")");
            st->em = em, st->strong = strong;
        }
        free(st->link_href);
        st->link_href = NULL;
        break;
    default:
        break;
    }
    return 0;
}

/* Writes code point cp as UTF-8 into out (4 bytes room); U+FFFD for what may not appear. */
static size_t encode_utf8(uint32_t cp, char *out)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        cp = 0xFFFD;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The named entities German notices use; others stay as typed. */
static const struct {
    const char *name;
    uint32_t cp;
} entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
    {"nbsp", 0xA0},    {"auml", 0xE4},    {"ouml", 0xF6},    {"uuml", 0xFC},     {"Auml", 0xC4},
    {"Ouml", 0xD6},    {"Uuml", 0xDC},    {"szlig", 0xDF},   {"euro", 0x20AC},   {"sect", 0xA7},
    {"copy", 0xA9},    {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026}, {"bdquo", 0x201E},
    {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"laquo", 0xAB},   {"raquo", 0xBB},    {"shy", 0xAD},
};

/* "&auml;", "&#228;", "&#xE4;" → the character; unknown names stay as they are. */
static void append_entity(md_state_t *st, const char *s, size_t n)
{
    uint32_t cp = 0;
    int known = 0;
    if (n >= 4 && s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        size_t i = hex ? 3 : 2, digits = 0;
        for (; i + 1 < n && digits < 8; i++, digits++) {
            char c = s[i];
            int v = c >= '0' && c <= '9'          ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (v < 0)
                break;
            cp = cp * (hex ? 16 : 10) + (uint32_t)v;
        }
        known = digits > 0 && i + 1 == n;
    } else if (n >= 3) {
        for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
            if (strlen(entities[i].name) == n - 2 && memcmp(entities[i].name, s + 1, n - 2) == 0) {
                cp = entities[i].cp;
                known = 1;
                break;
            }
    }
    if (!known) {
        append(st, s, n);
        return;
    }
    char utf8[4];
    append(st, utf8, encode_utf8(cp, utf8));
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *userdata)
{
    md_state_t *st = userdata;
    if (!st->collecting) /* defensive: md4c sends text only inside blocks */
        begin_text_block(st, PDF_BLOCK_PARAGRAPH, st->quote_depth);
    switch (type) {
    case MD_TEXT_NULLCHAR:
        append_str(st, "\xEF\xBF\xBD");
        break;
    case MD_TEXT_BR:
        append_str(st, "\n");
        break;
    case MD_TEXT_SOFTBR:
        append_str(st, " ");
        break;
    case MD_TEXT_ENTITY:
        append_entity(st, text, size);
        break;
    default: /* NORMAL, CODE, HTML (shown as typed) */
        append(st, text, size);
        break;
    }
    return 0;
}

void pdf_markdown(pdf_doc_t *d, const char *markdown)
{
    if (!d || !markdown || pdf_failed(d))
        return;
    size_t raw = strlen(markdown), len = 0;
    if (pdf_charge_text(d, raw) != 0)
        return;
    char *clean = pdf_clean_text(markdown, raw, &len);
    if (!clean || len > UINT32_MAX) {
        free(clean);
        pdf_fail(d, "out of memory");
        return;
    }
    md_state_t st = {.d = d};
    /* One block holds at most the whole source plus the link addresses repeated. */
    buf_init(&st.text, NULL, 256, 2 * len + 64);
    MD_PARSER parser = {
        .abi_version = 0,
        .flags = MD_FLAG_NOHTML,
        .enter_block = enter_block,
        .leave_block = leave_block,
        .enter_span = enter_span,
        .leave_span = leave_span,
        .text = text_cb,
    };
    if (md_parse(clean, (MD_SIZE)len, &parser, &st) != 0)
        pdf_fail(d, "md4c could not parse the Markdown");
    flush_block(&st);
    buf_free(&st.text);
    free(st.runs);
    free(st.link_href);
    free(clean);
}
