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
    const char *label;  /* under the bar ("KW 47") */
    double value;
} svg_bar_t;

/* A vertical bar chart; unit is appended to values in the description ("Anträge").
 * Returns the SVG markup in arena (all text escaped), NULL when out of memory. */
const char *svg_bar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars,
                          size_t count);
/* A horizontal bar chart (labels left, long labels fit), same contract. */
const char *svg_hbar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars,
                           size_t count);

#endif
