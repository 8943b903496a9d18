/* svgchart.c — PLACEHOLDER: being written (svgchart). Replace this whole file. */
#include "view/svgchart.h"
const char *svg_bar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars, size_t count) { return NULL; }
const char *svg_hbar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars, size_t count) { return NULL; }
