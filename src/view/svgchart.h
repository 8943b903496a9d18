/* svgchart.h — small charts as inline SVG (statistics, survey results).
 *
 * The SVG has role="img", a <title> and a <desc> that states every value in words,
 * so a screen reader gets the figures; pages show the same figures as a table
 * next to it. Colours meet WCAG 1.4.11 (3:1 against white); no script, no
 * external references (the CSP allows inline SVG).
 */
#ifndef RATHAUS_VIEW_SVGCHART_H
#define RATHAUS_VIEW_SVGCHART_H

#include <stddef.h>

#include "core/arena.h"

typedef struct svg_bar {
    const char *label; /* under the bar ("KW 47") */
    double value;
} svg_bar_t;

/* Limits (STYLE.md rule 5). */
#define SVG_MAX_BARS 200 /* bars drawn; the description says when more were given */
#define SVG_MAX_TEXT 200 /* bytes of a title, unit or label used; longer ones end in "…" */

/* A vertical bar chart; unit is appended to values in the description ("Anträge").
 * Returns the SVG markup in arena (all text escaped), NULL when out of memory.
 * The words of the description and the numbers are German; see the _lang variants.
 * Negative values are drawn as 0 and NaN/infinite ones as missing, and the
 * description says so; 0 bars give an empty chart that says "Keine Werte". The
 * title and description ids are unique per chart, so several fit on one page. */
const char *svg_bar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars, size_t count);
/* A horizontal bar chart (labels left, long labels fit), same contract. */
const char *svg_hbar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars, size_t count);
/* The same in the page's language: the words through i18n_translate(lang, …),
 * numbers written the way lang writes them ("1.234,5" for de, "1,234.5" for en). */
const char *svg_bar_chart_lang(arena_t *arena, const char *lang, const char *title, const char *unit,
                               const svg_bar_t *bars, size_t count);
const char *svg_hbar_chart_lang(arena_t *arena, const char *lang, const char *title, const char *unit,
                                const svg_bar_t *bars, size_t count);

#endif
