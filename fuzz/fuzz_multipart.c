/* fuzz_multipart.c — libFuzzer target for multipart/form-data (web/multipart.c).
 *
 * Input format: the first line (up to '\n') is a Content-Type header value, the
 * rest is the body. Both halves are copied into exact-size heap blocks so that
 * ASan catches any read past either. The boundary found in the first line is
 * used for the body; when there is none the body is still parsed, with the
 * boundary "b", so a mutated header does not stop the body from being fuzzed.
 * Each body is parsed with small limits (to reach every limit path) and with
 * the defaults, and the results are checked against what multipart.h promises.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "web/multipart.h"

static void check_boundary(const char *b)
{
    static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
    size_t n = strlen(b);
    if (n == 0 || n > 70 || b[n - 1] == ' ' || strspn(b, bchars) != n)
        abort();
}

static void check_result(int rc, const multipart_t *m, const char *body, size_t n, const multipart_limits_t *lim)
{
    if (rc != MULTIPART_OK) {
        if (m->fields.count != 0 || m->file_count != 0 || m->files != NULL || m->fields.fields != NULL)
            abort();
        if (rc < MULTIPART_EFILETOOBIG || rc > MULTIPART_EMALFORMED)
            abort();
        return;
    }
    if (m->fields.count + m->file_count > lim->max_parts)
        abort();
    for (size_t i = 0; i < m->fields.count; i++) {
        const form_field_t *f = &m->fields.fields[i];
        size_t name_len = strlen(f->name);
        if (name_len > FORM_MAX_NAME || !utf8_valid(f->name, name_len))
            abort();
        if (f->value_len > lim->max_value || strlen(f->value) != f->value_len || !utf8_valid(f->value, f->value_len))
            abort();
    }
    for (size_t i = 0; i < m->file_count; i++) {
        const multipart_file_t *f = &m->files[i];
        size_t name_len = strlen(f->filename);
        if (!f->field || !f->content_type || f->size > lim->max_file)
            abort();
        if (strchr(f->filename, '/') || strchr(f->filename, '\\') || !utf8_valid(f->filename, name_len))
            abort();
        if (strcmp(f->filename, ".") == 0 || strcmp(f->filename, "..") == 0)
            abort();
        /* File data lies inside the body. */
        if ((const char *)f->data < body || f->size > n || (const char *)f->data > body + n - f->size)
            abort();
    }
}

static void parse_body(arena_t *a, const char *body, size_t n, const char *boundary)
{
    static const multipart_limits_t small = {.max_parts = 6, .max_value = 64, .max_file = 256};
    static const multipart_limits_t dflt = {.max_parts = 100, .max_value = 64 * 1024, .max_file = 10 * 1024 * 1024};
    multipart_t m;
    check_result(multipart_parse(a, body, n, boundary, &small, &m), &m, body, n, &small);
    check_result(multipart_parse(a, body, n, boundary, &dflt, &m), &m, body, n, &dflt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ct_len = nl ? (size_t)(nl - data) : size;
    size_t body_len = nl ? size - ct_len - 1 : 0;
    char *ct = malloc(ct_len ? ct_len : 1);
    char *body = malloc(body_len ? body_len : 1);
    arena_t a;
    arena_init(&a);
    if (!ct || !body)
        goto done;
    memcpy(ct, data, ct_len);
    if (body_len)
        memcpy(body, nl + 1, body_len);

    const char *boundary = multipart_boundary(&a, ct, ct_len);
    if (boundary)
        check_boundary(boundary);
    parse_body(&a, body, body_len, boundary ? boundary : "b");

done:
    arena_clear(&a);
    free(ct);
    free(body);
    return 0;
}
