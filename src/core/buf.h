/* buf.h — growable byte buffer with a hard cap, in an arena or on the heap.
 *
 * Every buffer is given its cap at init (see curl's DYNBUF): an append that would
 * pass it fails with BUF_ETOOBIG, leaves the buffer as it was and marks it
 * `overflow`, so a caller may append many times and check once at the end.
 * The data is always NUL-terminated (the NUL is not counted in len).
 *
 *   buf_t b; buf_init(&b, req_arena, 256, 64 * 1024);
 *   buf_puts(&b, "Hallo "); buf_appendf(&b, "%d", n);
 *   if (b.overflow) ...
 */
#ifndef RATHAUS_CORE_BUF_H
#define RATHAUS_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "core/arena.h"

#define BUF_ETOOBIG (-2)
#define BUF_ENOMEM (-1)

typedef struct buf {
    char *data;      /* bytes, NUL-terminated; NULL until the first append */
    size_t len;      /* bytes in use, without the NUL */
    size_t cap;      /* bytes allocated */
    size_t max;      /* hard cap on len */
    arena_t *arena;  /* where memory comes from; NULL means malloc (call buf_free) */
    int overflow;    /* set once an append was refused for the cap */
} buf_t;

void buf_init(buf_t *b, arena_t *arena, size_t initial, size_t max);
/* Frees heap memory (arena buffers need not be freed); the buffer is empty afterwards. */
void buf_free(buf_t *b);
void buf_reset(buf_t *b);
int buf_append(buf_t *b, const void *data, size_t n);
int buf_puts(buf_t *b, const char *s);
int buf_putc(buf_t *b, char c);
int buf_appendf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vappendf(buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the contents as a C string ("" when empty); the buffer keeps ownership. */
const char *buf_cstr(const buf_t *b);

#endif
