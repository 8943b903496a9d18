/* arena.c — helpers on h2o's memory pool, our request arena (see arena.h). */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void arena_init(arena_t *a) { h2o_mem_init_pool(a); }

void arena_clear(arena_t *a) { h2o_mem_clear_pool(a); }

/* Aborts on sizes no allocation can satisfy. Without this, rounding n up (here
 * and inside h2o, which adds its header size) wraps to a tiny block that the
 * caller then overruns; such sizes only come from an arithmetic bug upstream. */
static void arena_check_size(size_t n)
{
    if (n > PTRDIFF_MAX)
        h2o_fatal("arena allocation size overflows");
}

void *arena_alloc(arena_t *a, size_t n)
{
    arena_check_size(n);
    /* h2o aligns to the pointer size; round up so that doubles and int64 fit too. */
    size_t rounded = (n + 15) & ~(size_t)15;
    void *p = h2o_mem_alloc_pool(a, rounded ? rounded : 16);
    memset(p, 0, rounded ? rounded : 16);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    arena_check_size(n);
    char *p = h2o_mem_alloc_pool(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena_t *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = h2o_mem_alloc_pool(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
