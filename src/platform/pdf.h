/* pdf.h — accessible PDF documents (receipts, notices, editions) with cairo and pango.
 *
 * A document is built from blocks in reading order; pdf_finish lays them out on
 * A4 pages and writes a tagged PDF (structure tree: Document, H1–H3, P, L/LI with
 * Lbl/LBody, Table/TR/TH/TD), with the title and the document language set and
 * every font embedded (cairo embeds subsets of DejaVu Sans), so that screen
 * readers and PDF/UA checkers can read it. docs/pdf.md says how to check a file
 * and what cairo 1.16 cannot express yet.
 *
 *   pdf_doc_t *d = pdf_new("Eingangsbestätigung MZ-2026-000123", "de");
 *   pdf_letterhead(d, "Stadt Mainz · Bürgeramt");
 *   pdf_heading(d, 1, "Eingangsbestätigung");
 *   pdf_paragraph(d, "Wir haben Ihren Antrag erhalten.");
 *   pdf_pair(d, "Aktenzeichen", "MZ-2026-000123");
 *   pdf_markdown(d, notice_text);
 *   if (pdf_finish(d, &bytes, &len) == 0) … free(bytes);
 *   else log … pdf_error(d);
 *   pdf_free(d);
 *
 * Text is UTF-8; invalid UTF-8 and control characters are replaced by U+FFFD,
 * never passed to pango. Every page carries "Seite n von N" (translated through
 * i18n for lang) and the letterhead, if one was set.
 *
 * Errors are sticky: a block past a limit, or out of memory, marks the document
 * failed and pdf_finish returns -1 (a notice with text missing must not go out).
 * Documents are independent: different threads may build different documents at
 * the same time; one document belongs to one thread.
 */
#ifndef RATHAUS_PLATFORM_PDF_H
#define RATHAUS_PLATFORM_PDF_H

#include <stddef.h>

/* Limits (STYLE.md rule 5). */
#define PDF_MAX_TEXT (1024 * 1024) /* bytes of text in one document: blocks plus Markdown source */
#define PDF_MAX_BLOCKS 10000       /* headings, paragraphs, rows and list items in one document */
#define PDF_MAX_PAGES 200          /* pages of one document */
#define PDF_MAX_OUTPUT (64 << 20)  /* bytes of the finished PDF */
#define PDF_MAX_LABEL_LINES 6      /* lines of a pdf_pair label; longer labels end in "…" */
#define PDF_MAX_LIST_DEPTH 6       /* nesting of Markdown lists; deeper items stay at this depth */

typedef struct pdf_doc pdf_doc_t;

/* A new document; title becomes the PDF title (shown by readers instead of the
 * file name), lang the document language ("de", "en"; a BCP 47 tag). NULL when
 * out of memory. */
pdf_doc_t *pdf_new(const char *title, const char *lang);
/* A small header line on every page (the issuing office), optional; at most two
 * lines are shown. */
void pdf_letterhead(pdf_doc_t *d, const char *text);
void pdf_heading(pdf_doc_t *d, int level /* 1–3 */, const char *text);
/* A paragraph; "\n" in text starts a new line within it. */
void pdf_paragraph(pdf_doc_t *d, const char *text);
/* One row of a two-column label/value table; consecutive pairs form one table. */
void pdf_pair(pdf_doc_t *d, const char *label, const char *value);
/* A bulleted list item; consecutive items form one list. */
void pdf_list_item(pdf_doc_t *d, const char *text);
/* Markdown (md4c; raw HTML ignored): headings (levels 4–6 shown as 3),
 * paragraphs, nested bulleted and numbered lists, block quotes and code as
 * indented or monospaced paragraphs, emphasis as italic and strong as bold, links
 * as "text (address)". */
void pdf_markdown(pdf_doc_t *d, const char *markdown);
/* Lays out and renders; *out is malloc'd (caller frees). Returns 0 or -1 (then
 * pdf_error says why). May be called again after more blocks were added. */
int pdf_finish(pdf_doc_t *d, unsigned char **out, size_t *len);
/* Why the document failed (a static English sentence for the log), or NULL. */
const char *pdf_error(const pdf_doc_t *d);
/* Pages written by the last successful pdf_finish; 0 before. */
int pdf_page_count(const pdf_doc_t *d);
void pdf_free(pdf_doc_t *d);

/* Frees the font caches pango, cairo and fontconfig keep for the life of the
 * process (a few hundred kB, bounded: they do not grow per document). Only for
 * the very end of a program, when no other thread uses cairo or pango any more
 * and every document is freed; tests call it so that LeakSanitizer sees only
 * what is really lost. Pango's font map of a thread other than the caller is
 * freed when that thread ends. */
void pdf_release_caches(void);

#endif
