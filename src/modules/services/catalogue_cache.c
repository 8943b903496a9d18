/* catalogue_cache.c — search rankings and life-situation counts of one catalogue
 * generation, kept in this node's memory (see catalogue_cache.h). */
#include "modules/services/catalogue_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct ranking {
    char *key; /* NULL: a free slot */
    int64_t generation;
    catalogue_hit_t *hits;
    size_t count;
    uint64_t used; /* tick of the last use, for choosing whom to evict */
} ranking_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ranking_t rankings[CATALOGUE_CACHE_RANKINGS];
static size_t ranking_bytes; /* sum of count * sizeof(hit) over the kept rankings */
static uint64_t tick;
static json_t *situations;            /* kept life situations, or NULL */
static int64_t situations_generation; /* the generation they belong to */

/* Frees a slot. Caller holds lock. */
static void drop(ranking_t *r)
{
    ranking_bytes -= r->count * sizeof(*r->hits);
    free(r->key);
    free(r->hits);
    *r = (ranking_t){0};
}

int catalogue_cache_ranking_get(int64_t generation, const char *key, size_t offset, size_t limit, arena_t *arena,
                                catalogue_hit_t **hits, size_t *count, size_t *total)
{
    *hits = NULL;
    *count = 0;
    *total = 0;
    int found = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < CATALOGUE_CACHE_RANKINGS; i++) {
        ranking_t *r = &rankings[i];
        if (!r->key || r->generation != generation || strcmp(r->key, key) != 0)
            continue;
        r->used = ++tick;
        *total = r->count;
        if (offset < r->count) {
            size_t n = r->count - offset < limit ? r->count - offset : limit;
            *hits = arena_alloc(arena, n * sizeof(**hits));
            memcpy(*hits, r->hits + offset, n * sizeof(**hits));
            *count = n;
        }
        found = 1;
        break;
    }
    pthread_mutex_unlock(&lock);
    return found;
}

void catalogue_cache_ranking_put(int64_t generation, const char *key, const catalogue_hit_t *hits, size_t count)
{
    size_t bytes = count * sizeof(*hits);
    if (bytes > CATALOGUE_CACHE_BYTES)
        return;
    /* Copied before taking the lock, so that others wait only for the bookkeeping. */
    char *key_copy = strdup(key);
    catalogue_hit_t *copy = malloc(bytes ? bytes : 1);
    if (!key_copy || !copy) {
        free(key_copy);
        free(copy);
        return; /* not kept; the next request computes it again */
    }
    if (bytes)
        memcpy(copy, hits, bytes);

    pthread_mutex_lock(&lock);
    ranking_t *slot = NULL;
    for (size_t i = 0; i < CATALOGUE_CACHE_RANKINGS; i++) {
        ranking_t *r = &rankings[i];
        if (r->key && r->generation != generation)
            drop(r); /* an older catalogue's: never asked for again */
        if (r->key && strcmp(r->key, key) == 0)
            drop(r); /* another thread computed it at the same time */
        if (!r->key && !slot)
            slot = r;
    }
    /* Room: a free slot, and the byte budget. The least recently used go first. */
    while (!slot || ranking_bytes + bytes > CATALOGUE_CACHE_BYTES) {
        ranking_t *oldest = NULL;
        for (size_t i = 0; i < CATALOGUE_CACHE_RANKINGS; i++)
            if (rankings[i].key && (!oldest || rankings[i].used < oldest->used))
                oldest = &rankings[i];
        if (!oldest)
            break; /* empty: the budget check above guarantees room */
        drop(oldest);
        if (!slot)
            slot = oldest;
    }
    *slot = (ranking_t){.key = key_copy, .generation = generation, .hits = copy, .count = count, .used = ++tick};
    ranking_bytes += bytes;
    pthread_mutex_unlock(&lock);
}

json_t *catalogue_cache_situations_get(int64_t generation)
{
    json_t *copy = NULL;
    pthread_mutex_lock(&lock);
    if (situations && situations_generation == generation)
        copy = json_deep_copy(situations);
    pthread_mutex_unlock(&lock);
    return copy;
}

void catalogue_cache_situations_put(int64_t generation, const json_t *value)
{
    json_t *copy = json_deep_copy(value);
    if (!copy)
        return;
    pthread_mutex_lock(&lock);
    json_t *old = situations;
    situations = copy;
    situations_generation = generation;
    pthread_mutex_unlock(&lock);
    json_decref(old);
}

void catalogue_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < CATALOGUE_CACHE_RANKINGS; i++)
        if (rankings[i].key)
            drop(&rankings[i]);
    json_t *old = situations;
    situations = NULL;
    pthread_mutex_unlock(&lock);
    json_decref(old);
}
