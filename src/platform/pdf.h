/* pdf.h — accessible PDF documents (receipts, notices, editions) with cairo and pango.
 *
 * A document is built from blocks in reading order; pdf_finish lays them out on
 * A4 pages and writes a tagged PDF (structure tree: Document, H1–H3, P, L/LI,
 * Table/TR/TH/TD), with the document language and title set and every font
 * embedded (cairo embeds subsets), so that screen readers and PDF/UA checkers can
 * read it.
 *
 *   pdf_doc_t *d = pdf_new("Eingangsbestätigung MZ-2026-000123", "de");
 *   pdf_heading(d, 1, "Eingangsbestätigung");
 *   pdf_paragraph(d, "Wir haben Ihren Antrag erhalten.");
 *   pdf_pair(d, "Aktenzeichen", "MZ-2026-000123");
 *   pdf_markdown(d, notice_text);
 *   if (pdf_finish(d, &bytes, &len) == 0) … free(bytes);
 *   pdf_free(d);
 *
 * Text is UTF-8; invalid UTF-8 is replaced, never passed to pango.
 */
#ifndef RATHAUS_PLATFORM_PDF_H
#define RATHAUS_PLATFORM_PDF_H

#include <stddef.h>

typedef struct pdf_doc pdf_doc_t;

/* A new document; title becomes the PDF title (shown by readers instead of the
 * file name), lang the document language ("de", "en"). NULL when out of memory. */
pdf_doc_t *pdf_new(const char *title, const char *lang);
/* A small header line on every page (the issuing office), optional. */
void pdf_letterhead(pdf_doc_t *d, const char *text);
void pdf_heading(pdf_doc_t *d, int level /* 1–3 */, const char *text);
void pdf_paragraph(pdf_doc_t *d, const char *text);
/* One row of a two-column label/value table; consecutive pairs form one table. */
void pdf_pair(pdf_doc_t *d, const char *label, const char *value);
/* A bulleted list item; consecutive items form one list. */
void pdf_list_item(pdf_doc_t *d, const char *text);
/* Markdown (md4c; raw HTML ignored): headings, paragraphs, lists, emphasis as plain. */
void pdf_markdown(pdf_doc_t *d, const char *markdown);
/* Lays out and renders; *out is malloc'd (caller frees). Returns 0 or -1. */
int pdf_finish(pdf_doc_t *d, unsigned char **out, size_t *len);
void pdf_free(pdf_doc_t *d);

#endif
