/* search.h — German full-text terms: words split, lower-cased, folded and stemmed
 * (libstemmer, Snowball German), so that "Reisepässe" and "Reisepass" meet.
 *
 * Terms are computed here, in C, and stored in a plain table per module
 * (service_terms, …); a query is turned into terms the same way and matched with
 * equality, so SQLite and PostgreSQL return the same results.
 */
#ifndef RATHAUS_PLATFORM_SEARCH_H
#define RATHAUS_PLATFORM_SEARCH_H

#include <stddef.h>

#include "core/arena.h"

#define SEARCH_MAX_TERMS 4096 /* terms taken from one text */
#define SEARCH_MAX_TERM 64    /* bytes in one term */

/* Splits UTF-8 text into stemmed terms in arena; *terms gets an array of
 * *count distinct terms (in first-seen order). Stop words are dropped. Returns 0
 * or -1 (invalid UTF-8 or out of memory). Thread-safe. */
int search_terms(arena_t *arena, const char *text, const char ***terms, size_t *count);

#endif
