/* catalogue_cache.h — what the catalogue pages derive from the whole catalogue,
 * kept in this node's memory for one catalogue generation.
 *
 * A search for a common word matches most of a large catalogue, and its order
 * (score, then German dictionary order of the names) needs every match's name:
 * recomputing it took most of a search request's time. The catalogue changes
 * only when `rathaus services import` (catalogue_import.c) loads a file, and every
 * import bumps the generation "catalogue" (platform/generation.h) in its
 * transaction. So a ranking computed once stays right until the token changes;
 * each request reads the token (one primary-key lookup) and uses what is kept for
 * it. Several nodes each keep their own; none serves an older catalogue than the
 * one its request's token names.
 *
 * Thread-safe (one mutex; the critical sections only copy). Bounded: at most
 * CATALOGUE_CACHE_RANKINGS rankings and CATALOGUE_CACHE_BYTES bytes of hits;
 * the least recently used ranking makes room.
 */
#ifndef RATHAUS_MODULES_SERVICES_CATALOGUE_CACHE_H
#define RATHAUS_MODULES_SERVICES_CATALOGUE_CACHE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define CATALOGUE_CACHE_RANKINGS 64              /* search rankings kept */
#define CATALOGUE_CACHE_BYTES (8u * 1024 * 1024) /* their hits, in bytes */

/* One service a search found, with its summed weight. */
typedef struct catalogue_hit {
    int64_t id;
    int64_t score;
} catalogue_hit_t;

/* The ranking kept for key (the query's terms, see catalogue_search) under
 * generation: returns 1 with *total (all hits) and hits [offset, offset + limit)
 * copied into arena (*hits, *count); 0 when none is kept. */
int catalogue_cache_ranking_get(int64_t generation, const char *key, size_t offset, size_t limit, arena_t *arena,
                                catalogue_hit_t **hits, size_t *count, size_t *total);
/* Keeps a copy of the full ranking (best first) of key under generation. A
 * ranking larger than the byte budget is not kept. */
void catalogue_cache_ranking_put(int64_t generation, const char *key, const catalogue_hit_t *hits, size_t count);

/* The life situations with their counts (catalogue_situations) kept under
 * generation: a new reference (a deep copy the caller owns), or NULL. */
json_t *catalogue_cache_situations_get(int64_t generation);
/* Keeps a deep copy of situations under generation. */
void catalogue_cache_situations_put(int64_t generation, const json_t *situations);

/* Forgets everything (tests; the next request recomputes). */
void catalogue_cache_clear(void);

#endif
