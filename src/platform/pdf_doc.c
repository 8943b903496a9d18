/* pdf_doc.c — the document model of pdf.h: blocks in reading order, their text
 * made safe for pango, and the limits (PDF_MAX_TEXT, PDF_MAX_BLOCKS).
 *
 * Every text that comes in is cleaned here (pdf_clean_text) before it is stored,
 * so layout (pdf.c) and Markdown (pdf_markdown.c) only ever see valid UTF-8
 * without control characters. Errors are sticky: the first one is kept in the
 * document and every later call does nothing, so a caller may add all its blocks
 * and check once, at pdf_finish.
 */
#include "platform/pdf.h"
#include "platform/pdf_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define PDF_MAX_SHORT 1024 /* bytes of the title and the letterhead */

/* Expected length of the UTF-8 sequence starting with lead byte c; 0 if c cannot lead. */
static size_t utf8_sequence_length(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

char *pdf_clean_text(const char *s, size_t n, size_t *out_len)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    /* Worst case every byte becomes three. */
    if (n > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            out[o++] = '\n';
            i += (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7F)) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        size_t len = c < 0x80 ? 0 : utf8_sequence_length(c); /* other C0 and DEL: replaced */
        /* U+0080..U+009F (C1 controls) are C2 80..C2 9F. */
        int c1_control = len == 2 && c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0;
        if (len == 0 || n - i < len || !utf8_valid(s + i, len) || c1_control) {
            memcpy(out + o, replacement, 3);
            o += 3;
            i++;
            continue;
        }
        /* Noncharacters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF) are valid UTF-8, but
         * cairo refuses them in the PDF's text and would fail the whole document. */
        uint32_t cp = len == 2   ? (uint32_t)(c & 0x1F) << 6 | ((unsigned char)s[i + 1] & 0x3F)
                      : len == 3 ? (uint32_t)(c & 0x0F) << 12 | ((unsigned char)s[i + 1] & 0x3F) << 6 |
                                       ((unsigned char)s[i + 2] & 0x3F)
                      : len == 4 ? (uint32_t)(c & 0x07) << 18 | ((unsigned char)s[i + 1] & 0x3F) << 12 |
                                       ((unsigned char)s[i + 2] & 0x3F) << 6 | ((unsigned char)s[i + 3] & 0x3F)
                                 : 0;
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            memcpy(out + o, replacement, 3);
            o += 3;
            i += len;
            continue;
        }
        memcpy(out + o, s + i, len);
        o += len;
        i += len;
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

void pdf_fail(pdf_doc_t *d, const char *why)
{
    if (!d->error)
        d->error = why;
}

int pdf_failed(const pdf_doc_t *d)
{
    return d->error != NULL;
}

int pdf_charge_text(pdf_doc_t *d, size_t n)
{
    if (n > PDF_MAX_TEXT - d->text_bytes) {
        pdf_fail(d, "the document has more text than PDF_MAX_TEXT");
        return -1;
    }
    d->text_bytes += n;
    return 0;
}

unsigned pdf_new_group(pdf_doc_t *d)
{
    return ++d->next_group;
}

int pdf_add_block(pdf_doc_t *d, enum pdf_block_kind kind, int level, unsigned group, const char *label,
                  const char *text, size_t len, const pdf_style_run_t *runs, size_t run_count)
{
    if (d->error)
        return -1;
    if (d->count >= PDF_MAX_BLOCKS) {
        pdf_fail(d, "the document has more blocks than PDF_MAX_BLOCKS");
        return -1;
    }
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        pdf_block_t *grown = realloc(d->blocks, cap * sizeof(*grown));
        if (!grown)
            goto oom;
        d->blocks = grown;
        d->cap = cap;
    }
    pdf_block_t *b = &d->blocks[d->count];
    memset(b, 0, sizeof(*b));
    b->kind = kind;
    b->level = level;
    b->group = group;
    b->text = malloc(len + 1);
    b->label = label ? strdup(label) : NULL;
    b->runs = run_count ? malloc(run_count * sizeof(*runs)) : NULL;
    if (!b->text || (label && !b->label) || (run_count && !b->runs)) {
        free(b->text);
        free(b->label);
        free(b->runs);
        goto oom;
    }
    memcpy(b->text, text, len);
    b->text[len] = '\0';
    b->len = len;
    if (run_count)
        memcpy(b->runs, runs, run_count * sizeof(*runs));
    b->run_count = run_count;
    d->count++;
    return 0;
oom:
    pdf_fail(d, "out of memory");
    return -1;
}

/* Line breaks and tabs to spaces, for one-paragraph texts (titles, letterheads,
 * labels): pango caps lines per paragraph, so a "\n" would undo the cap. */
static void flatten(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\t')
            *s = ' ';
}

/* Cleans and counts text, then appends it as a block. */
static void add_text_block(pdf_doc_t *d, enum pdf_block_kind kind, int level, const char *label, const char *text)
{
    if (!d || d->error)
        return;
    if (!text)
        text = "";
    size_t raw = strlen(text), len = 0;
    if (pdf_charge_text(d, raw + (label ? strlen(label) : 0)) != 0)
        return;
    char *clean = pdf_clean_text(text, raw, &len);
    char *clean_label = label ? pdf_clean_text(label, strlen(label), NULL) : NULL;
    if (!clean || (label && !clean_label)) {
        pdf_fail(d, "out of memory");
    } else {
        if (clean_label)
            flatten(clean_label);
        (void)pdf_add_block(d, kind, level, 0, clean_label, clean, len, NULL, 0);
    }
    free(clean);
    free(clean_label);
}

/* A short text (title, letterhead): cleaned, on one line, cut at PDF_MAX_SHORT bytes. */
static char *clean_short(const char *s)
{
    size_t n = strlen(s);
    char *clean = pdf_clean_text(s, n, &n);
    if (!clean)
        return NULL;
    if (n > PDF_MAX_SHORT)
        clean[utf8_truncate(clean, n, PDF_MAX_SHORT)] = '\0';
    flatten(clean);
    return clean;
}

/* A language tag we write into the PDF as is: 1–8 letters, then subtags of 1–8
 * letters or digits after "-", 35 bytes at most. Anything else is dropped. */
static int lang_tag_ok(const char *s)
{
    size_t n = strlen(s), run = 0;
    if (n == 0 || n > 35)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        int digit = c >= '0' && c <= '9';
        if (c == '-') {
            if (run == 0 || i + 1 == n)
                return 0;
            run = 0;
        } else if (alpha || (digit && i > run)) { /* the first subtag is letters only */
            if (++run > 8)
                return 0;
        } else {
            return 0;
        }
    }
    return 1;
}

pdf_doc_t *pdf_new(const char *title, const char *lang)
{
    pdf_doc_t *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->title = clean_short(title ? title : "");
    d->lang = strdup(lang && lang_tag_ok(lang) ? lang : "");
    if (!d->title || !d->lang) {
        pdf_free(d);
        return NULL;
    }
    return d;
}

void pdf_letterhead(pdf_doc_t *d, const char *text)
{
    if (!d || d->error || !text)
        return;
    char *clean = clean_short(text);
    if (!clean) {
        pdf_fail(d, "out of memory");
        return;
    }
    free(d->letterhead);
    d->letterhead = clean;
}

void pdf_heading(pdf_doc_t *d, int level, const char *text)
{
    level = level < 1 ? 1 : level > 3 ? 3 : level;
    add_text_block(d, PDF_BLOCK_HEADING, level, NULL, text);
}

void pdf_paragraph(pdf_doc_t *d, const char *text)
{
    add_text_block(d, PDF_BLOCK_PARAGRAPH, 0, NULL, text);
}

void pdf_pair(pdf_doc_t *d, const char *label, const char *value)
{
    add_text_block(d, PDF_BLOCK_PAIR, 0, label ? label : "", value);
}

void pdf_list_item(pdf_doc_t *d, const char *text)
{
    add_text_block(d, PDF_BLOCK_ITEM, 0, "\xE2\x80\xA2", text); /* U+2022 BULLET */
}

const char *pdf_error(const pdf_doc_t *d)
{
    return d ? d->error : "no document";
}

int pdf_page_count(const pdf_doc_t *d)
{
    return d ? d->pages : 0;
}

void pdf_free_layouts(pdf_doc_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        if (d->blocks[i].layout)
            g_object_unref(d->blocks[i].layout);
        if (d->blocks[i].label_layout)
            g_object_unref(d->blocks[i].label_layout);
        d->blocks[i].layout = d->blocks[i].label_layout = NULL;
    }
}

void pdf_free(pdf_doc_t *d)
{
    if (!d)
        return;
    pdf_free_layouts(d);
    for (size_t i = 0; i < d->count; i++) {
        free(d->blocks[i].text);
        free(d->blocks[i].label);
        free(d->blocks[i].runs);
    }
    free(d->blocks);
    free(d->title);
    free(d->lang);
    free(d->letterhead);
    free(d);
}
