/* markdown.h — Markdown to HTML for content pages and contributions (md4c).
 *
 * Raw HTML in the source is never passed through (MD_FLAG_NOHTML): it is shown
 * as text. Links keep only http(s), mailto and site-relative targets.
 */
#ifndef RATHAUS_VIEW_MARKDOWN_H
#define RATHAUS_VIEW_MARKDOWN_H

#include <stddef.h>
#include "core/buf.h"

/* Appends the HTML for md[0..n) to out. Returns 0, or < 0 (output cap, bad input). */
int markdown_to_html(const char *md, size_t n, buf_t *out);

#endif
