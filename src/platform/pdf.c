/* pdf.c — PLACEHOLDER: being written (pdf). Replace this whole file. */
#include <stdlib.h>
#include "platform/pdf.h"
struct pdf_doc { int unused; };
pdf_doc_t *pdf_new(const char *title, const char *lang) { return calloc(1, sizeof(pdf_doc_t)); }
void pdf_letterhead(pdf_doc_t *d, const char *text) {}
void pdf_heading(pdf_doc_t *d, int level, const char *text) {}
void pdf_paragraph(pdf_doc_t *d, const char *text) {}
void pdf_pair(pdf_doc_t *d, const char *label, const char *value) {}
void pdf_list_item(pdf_doc_t *d, const char *text) {}
void pdf_markdown(pdf_doc_t *d, const char *markdown) {}
int pdf_finish(pdf_doc_t *d, unsigned char **out, size_t *len) { return -1; }
void pdf_free(pdf_doc_t *d) { free(d); }
