/* arena.h — the request arena: h2o's memory pool, with the few helpers we use on it.
 *
 * Every request gets one arena (h2o_req_t.pool); everything a handler allocates for
 * that request lives there and is freed in one go when the response is done. Code
 * outside a request (CLI, tests, jobs) makes its own with arena_init/arena_clear.
 */
#ifndef RATHAUS_CORE_ARENA_H
#define RATHAUS_CORE_ARENA_H

#include <stddef.h>
#include <h2o/memory.h>

typedef h2o_mem_pool_t arena_t;

/* Prepares an empty arena. Pair with arena_clear(). */
void arena_init(arena_t *a);
/* Frees everything allocated from the arena; it can be used again afterwards. */
void arena_clear(arena_t *a);
/* Returns n bytes (aligned for any type), zeroed. Never NULL: out of memory aborts,
 * as h2o does, because a half-built response is worse than a restart. */
void *arena_alloc(arena_t *a, size_t n);
/* Copies n bytes of s into the arena and terminates them with NUL. */
char *arena_strndup(arena_t *a, const char *s, size_t n);
/* Copies a NUL-terminated string into the arena. */
char *arena_strdup(arena_t *a, const char *s);
/* printf into the arena; returns the new string. */
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
