/* search.c — PLACEHOLDER: being written (search). Replace this whole file. */
#include "platform/search.h"
int search_terms(arena_t *arena, const char *text, const char ***terms, size_t *count) { *terms = NULL; *count = 0; return -1; }
