/* buf.c — capped growable buffer (see buf.h). */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf_t *b, arena_t *arena, size_t initial, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->arena = arena;
    b->max = max;
    if (initial > max)
        initial = max;
    if (initial) {
        size_t want = initial + 1;
        b->data = arena ? h2o_mem_alloc_pool(arena, want) : malloc(want);
        if (b->data) {
            b->cap = want;
            b->data[0] = '\0';
        }
    }
}

void buf_free(buf_t *b)
{
    if (!b->arena)
        free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    b->overflow = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. */
static int buf_grow(buf_t *b, size_t n)
{
    if (n > b->max || b->len > b->max - n) {
        b->overflow = 1;
        return BUF_ETOOBIG;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2; /* doubling must not wrap to 0 */
    /* Compared as cap - 1 > max because max + 1 wraps to 0 for an unbounded
     * (SIZE_MAX) cap, which used to shrink cap to 0 and overflow the block. */
    if (cap - 1 > b->max)
        cap = b->max + 1;
    char *p;
    if (b->arena) {
        /* Arena memory cannot be resized: take a new block and copy; the old one
         * goes with the arena. Doubling keeps the total within 2x of the final size. */
        p = h2o_mem_alloc_pool(b->arena, cap);
        if (b->len)
            memcpy(p, b->data, b->len);
    } else {
        p = realloc(b->data, cap);
        if (!p)
            return BUF_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_append(buf_t *b, const void *data, size_t n)
{
    int rc = buf_grow(b, n);
    if (rc != 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(buf_t *b, const char *s) { return buf_append(b, s, strlen(s)); }

int buf_putc(buf_t *b, char c) { return buf_append(b, &c, 1); }

int buf_vappendf(buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return BUF_ENOMEM;
    int rc = buf_grow(b, (size_t)n);
    if (rc != 0)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_appendf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vappendf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_cstr(const buf_t *b) { return b->data ? b->data : ""; }
