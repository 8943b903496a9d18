/* fuzz_form.c — libFuzzer target for query strings and urlencoded bodies (web/form.c).
 *
 * The input is parsed twice, with small limits (so the limit paths are reached)
 * and with the defaults. Besides the sanitizers, the target checks what callers
 * rely on: every name and value is valid UTF-8 of the stated length and within
 * its limit, the count is within max_fields, and an error leaves the form empty.
 * form_percent_decode is compared with a reference decoder written here.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "web/form.h"

static int hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reference percent-decoding into out (room for n bytes); returns the length or -1. */
static long reference_decode(const unsigned char *s, size_t n, int plus_is_space, unsigned char *out)
{
    size_t len = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] == '%') {
            if (i + 2 >= n) /* the two hex digits must both be there */
                return -1;
            if (hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
                return -1;
            out[len++] = (unsigned char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 3;
        } else {
            out[len++] = (plus_is_space && s[i] == '+') ? ' ' : s[i];
            i++;
        }
    }
    return (long)len;
}

static void check_form(int rc, const form_t *f, const form_limits_t *lim)
{
    if (rc != FORM_OK) {
        if (f->count != 0 || f->fields != NULL)
            abort();
        if (rc != FORM_EMALFORMED && rc != FORM_EUTF8 && rc != FORM_ETOOMANY && rc != FORM_ETOOLONG)
            abort();
        return;
    }
    if (f->count > lim->max_fields)
        abort();
    for (size_t i = 0; i < f->count; i++) {
        const form_field_t *fld = &f->fields[i];
        size_t name_len = strlen(fld->name);
        if (name_len > FORM_MAX_NAME || !utf8_valid(fld->name, name_len))
            abort();
        if (strlen(fld->value) != fld->value_len || fld->value_len > lim->max_value)
            abort();
        if (!utf8_valid(fld->value, fld->value_len))
            abort();
    }
    if (f->count > 0 && form_get(f, f->fields[0].name) != f->fields[0].value)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    arena_t a;
    arena_init(&a);

    static const form_limits_t small = {.max_fields = 4, .max_value = 16};
    static const form_limits_t dflt = {.max_fields = 200, .max_value = 64 * 1024};
    form_t f;
    check_form(form_parse_urlencoded(&a, s, size, &small, &f), &f, &small);
    check_form(form_parse_urlencoded(&a, s, size, &dflt, &f), &f, &dflt);

    unsigned char *want = malloc(size + 1);
    if (want) {
        for (int plus = 0; plus <= 1; plus++) {
            size_t len = 12345;
            char *got = form_percent_decode(&a, s, size, plus, &len);
            long want_len = reference_decode(data, size, plus, want);
            if ((got == NULL) != (want_len < 0))
                abort();
            if (got && ((size_t)want_len != len || memcmp(got, want, len) != 0 || got[len] != '\0'))
                abort();
        }
        free(want);
    }
    arena_clear(&a);
    return 0;
}
