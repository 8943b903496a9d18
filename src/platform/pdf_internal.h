/* pdf_internal.h — what the three parts of the PDF library share: pdf_doc.c (the
 * document as blocks), pdf.c (layout, tagging, output) and pdf_markdown.c
 * (Markdown to blocks). Not for use outside src/platform/pdf*.c.
 *
 * A document is a flat array of blocks in reading order. Tables and lists are
 * not nested objects: consecutive pairs, or list items with the same group, form
 * one table or list, and a list item's level says how deeply it is nested. The
 * renderer rebuilds the structure (Table/TR, L/LI) from these runs.
 */
#ifndef RATHAUS_PLATFORM_PDF_INTERNAL_H
#define RATHAUS_PLATFORM_PDF_INTERNAL_H

#include <pango/pango.h>
#include <stddef.h>

#include "platform/pdf.h"

enum pdf_block_kind {
    PDF_BLOCK_HEADING,   /* level 1–3 */
    PDF_BLOCK_PARAGRAPH, /* level: indentation (block quote depth) */
    PDF_BLOCK_PAIR,      /* label and value; one table row */
    PDF_BLOCK_ITEM,      /* list item; level: nesting depth from 0; label: marker or NULL */
};

/* Style bits of a run of text. */
enum { PDF_STYLE_BOLD = 1, PDF_STYLE_ITALIC = 2, PDF_STYLE_MONO = 4 };

/* Bytes [start, end) of a block's text are drawn in style. */
typedef struct pdf_style_run {
    size_t start;
    size_t end;
    unsigned style;
} pdf_style_run_t;

/* One block of the document. */
typedef struct pdf_block {
    enum pdf_block_kind kind;
    int level;
    unsigned group;
    char *text; /* clean UTF-8, NUL-terminated; the value of a pair */
    size_t len;
    char *label; /* pair label or list marker; NULL for none */
    pdf_style_run_t *runs;
    size_t run_count;
    PangoLayout *layout;       /* only during pdf_finish */
    PangoLayout *label_layout; /* only during pdf_finish */
} pdf_block_t;

struct pdf_doc {
    char *title;      /* clean */
    char *lang;       /* a BCP 47 tag or "" */
    char *letterhead; /* clean, or NULL */
    pdf_block_t *blocks;
    size_t count, cap;
    size_t text_bytes; /* counted against PDF_MAX_TEXT */
    unsigned next_group;
    const char *error; /* first failure, sticky */
    int pages;         /* of the last successful pdf_finish */
};

/* Frees the pango layouts pdf_finish attached to the blocks (and no more). */
void pdf_free_layouts(pdf_doc_t *d);

/* Text as it may go to pango: invalid UTF-8, control characters other than
 * "\t" and "\n", and Unicode noncharacters (which cairo refuses) become U+FFFD;
 * "\r\n" and "\r" become "\n". Returns a malloc'd
 * string (length in *out_len, may be NULL) or NULL when out of memory. */
char *pdf_clean_text(const char *s, size_t n, size_t *out_len);

/* Counts n bytes against PDF_MAX_TEXT; marks the document failed and returns -1
 * when that passes the limit. */
int pdf_charge_text(pdf_doc_t *d, size_t n);

/* Appends a block. text[0..len) and label must already be clean (pdf_clean_text)
 * and are copied, as are the runs. Returns 0, or -1 after marking the document
 * failed (out of memory, PDF_MAX_BLOCKS). */
int pdf_add_block(pdf_doc_t *d, enum pdf_block_kind kind, int level, unsigned group, const char *label,
                  const char *text, size_t len, const pdf_style_run_t *runs, size_t run_count);

/* A group number not used before in this document (for a new list). */
unsigned pdf_new_group(pdf_doc_t *d);

/* Marks the document failed with why (a static string); the first reason stays. */
void pdf_fail(pdf_doc_t *d, const char *why);
int pdf_failed(const pdf_doc_t *d);

#endif
