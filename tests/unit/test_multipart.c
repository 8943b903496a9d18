/* test_multipart.c — unit tests for multipart/form-data (web/multipart.c).
 *
 * Bodies are written the way Chrome and Firefox send them, including a binary
 * file whose content holds CRLF, "--" and near-miss copies of the delimiter.
 * Every body is parsed from an exact-size heap copy so that ASan reports any
 * read past its end; one test parses every prefix of a body to prove that the
 * closing delimiter is required and that truncation never reads further.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "web/multipart.h"

#include "fixture_arena.h" /* a fresh arena per test; kept heap copies freed in teardown */

#define CHROME_BOUNDARY "----WebKitFormBoundaryePkpFF7tjBAqx29L"
#define FIREFOX_BOUNDARY "---------------------------735323031399963166993862150"
#define CD "Content-Disposition: form-data; "

/* A growable byte string for building bodies; p is always exactly n bytes. */
typedef struct bytes {
    char *p;
    size_t n;
} bytes_t;

static void put(bytes_t *b, const void *data, size_t n)
{
    char *p = realloc(b->p, b->n + n ? b->n + n : 1);
    assert_non_null(p);
    memcpy(p + b->n, data, n);
    b->p = p;
    b->n += n;
}

static void put_str(bytes_t *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_repeat(bytes_t *b, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(b, &c, 1);
}

/* Hands b's buffer to the fixture, which frees it after the test (file data points
 * into the body, so it must live as long as the assertions). */
static const char *keep(fixture_arena_t *fx, bytes_t *b)
{
    fixture_arena_keep(fx, b->p);
    const char *p = b->p;
    b->p = NULL;
    return p;
}

/* Parses the literal s[0..n) with boundary "b" from an exact-size heap copy. */
static int parse_lit(fixture_arena_t *fx, const char *s, size_t n, const multipart_limits_t *lim, multipart_t *out)
{
    bytes_t b = {0};
    put(&b, s, n);
    const char *body = keep(fx, &b);
    return multipart_parse(&fx->arena, body, n, "b", lim, out);
}

#define PARSE(fx, lit, lim, out) parse_lit(fx, lit, sizeof(lit) - 1, lim, out)

static const char *boundary_of(fixture_arena_t *fx, const char *ct)
{
    bytes_t b = {0};
    put_str(&b, ct);
    size_t n = b.n;
    const char *exact = keep(fx, &b);
    return multipart_boundary(&fx->arena, exact, n);
}

/* ---- boundary ---------------------------------------------------------- */

static void test_boundary_extraction(void **state)
{
    fixture_arena_t *fx = *state;
    assert_string_equal(boundary_of(fx, "multipart/form-data; boundary=" CHROME_BOUNDARY), CHROME_BOUNDARY);
    assert_string_equal(boundary_of(fx, "multipart/form-data; boundary=" FIREFOX_BOUNDARY), FIREFOX_BOUNDARY);
    assert_string_equal(boundary_of(fx, "Multipart/Form-Data; BOUNDARY=abc"), "abc");
    assert_string_equal(boundary_of(fx, "multipart/form-data; charset=utf-8; Boundary=xyz"), "xyz");
    assert_string_equal(boundary_of(fx, "multipart/form-data;boundary=xyz;"), "xyz");
    assert_string_equal(boundary_of(fx, "  multipart/form-data  ;\tboundary=abc  "), "abc");
    /* Quoted: bchars that are not token characters, and backslash escapes. */
    assert_string_equal(boundary_of(fx, "multipart/form-data; boundary=\"a b:c/d=e?f\""), "a b:c/d=e?f");
    assert_string_equal(boundary_of(fx, "multipart/form-data; boundary=\"ab\\=cd\"; x=y"), "ab=cd");
    /* Quoting does not make a non-bchar legal. */
    assert_null(boundary_of(fx, "multipart/form-data; boundary=\"semi;colon\""));
}

static void test_boundary_invalid(void **state)
{
    fixture_arena_t *fx = *state;
    char b70[71], ct[128];
    memset(b70, 'x', 70);
    b70[70] = '\0';
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b70);
    assert_string_equal(boundary_of(fx, ct), b70); /* 70 is the RFC 2046 maximum */
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%sx", b70);
    assert_null(boundary_of(fx, ct));

    static const char *const bad[] = {
        "",
        "text/plain",
        "multipart/mixed; boundary=abc",
        "multipart/form-datax; boundary=abc",
        "multipart/form-data",
        "multipart/form-data; charset=utf-8",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=\"abc \"",      /* ends in space */
        "multipart/form-data; boundary=\"a\\\"b\"",    /* '"' is no bchar */
        "multipart/form-data; boundary=\"abc",         /* unterminated */
        "multipart/form-data; boundary=abc def",       /* junk after the token */
        "multipart/form-data; boundary=a; boundary=b", /* ambiguous */
        "multipart/form-data; boundary = abc",
        "multipart/form-data; =abc",
        "multipart/form-data boundary=abc",
        "multipart /form-data; boundary=abc",
        "multipart/form-data; boundary=\"a\x01z\"",
        "multipart/form-data; boundary=\xc3\xa4",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (boundary_of(fx, bad[i]) != NULL)
            fail_msg("accepted: '%s'", bad[i]);
    assert_null(multipart_boundary(&fx->arena, NULL, 0));
    /* n bounds the header: the boundary is cut to "ab". */
    assert_string_equal(multipart_boundary(&fx->arena, "multipart/form-data; boundary=abc", 32), "ab");
}

/* ---- realistic bodies -------------------------------------------------- */

/* Bytes of a small PNG-like file with everything that could confuse a parser. */
static void put_tricky_binary(bytes_t *b)
{
    put(b, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    put_str(b, "\r\n--\r\n");
    put_str(b, "\r\n--" CHROME_BOUNDARY "X\r\n");              /* longer boundary */
    put_str(b, "\r\n--" CHROME_BOUNDARY "-x\r\n");             /* half a close */
    put_str(b, "\r\n--" CHROME_BOUNDARY " \tjunk\r\n");        /* padding, then junk */
    put_str(b, "\r\n------WebKitFormBoundaryePkpFF7tjBAqx29"); /* cut short */
    put_str(b, "--" CHROME_BOUNDARY "--");                     /* no CRLF before it */
    for (int c = 0; c < 256; c++) {
        char byte = (char)c;
        put(b, &byte, 1);
    }
    put_str(b, "\r\n\r\n");
}

static void test_parse_chrome_body(void **state)
{
    fixture_arena_t *fx = *state;
    bytes_t file = {0};
    put_tricky_binary(&file);

    bytes_t b = {0};
    put_str(&b, "--" CHROME_BOUNDARY "\r\n" CD "name=\"csrf\"\r\n\r\nZm9vYmFy\r\n");
    put_str(&b, "--" CHROME_BOUNDARY "\r\n" CD "name=\"titel\"\r\n\r\nSpielplatz am Markt\r\n");
    put_str(&b, "--" CHROME_BOUNDARY "\r\n" CD "name=\"text\"\r\n\r\n"
                "Zeile 1\r\nZeile 2 \xe2\x80\x93 mit Gedankenstrich\r\n\r\n");
    put_str(&b, "--" CHROME_BOUNDARY "\r\n" CD "name=\"anhang\"; filename=\"plan.png\"\r\n"
                "Content-Type: image/png\r\n\r\n");
    put(&b, file.p, file.n);
    put_str(&b, "\r\n--" CHROME_BOUNDARY "\r\n" CD "name=\"thema\"\r\n\r\nverkehr\r\n");
    put_str(&b, "--" CHROME_BOUNDARY "--\r\n");
    size_t n = b.n;
    const char *body = keep(fx, &b);

    multipart_t m;
    assert_int_equal(multipart_parse(&fx->arena, body, n, CHROME_BOUNDARY, NULL, &m), MULTIPART_OK);
    assert_int_equal(m.fields.count, 4);
    assert_string_equal(form_get(&m.fields, "csrf"), "Zm9vYmFy");
    assert_string_equal(form_get(&m.fields, "titel"), "Spielplatz am Markt");
    /* The content's own trailing CRLF stays; only the delimiter's is removed. */
    assert_string_equal(form_get(&m.fields, "text"), "Zeile 1\r\nZeile 2 \xe2\x80\x93 mit Gedankenstrich\r\n");
    assert_string_equal(m.fields.fields[3].name, "thema");
    assert_int_equal(m.fields.fields[3].value_len, 7);

    assert_int_equal(m.file_count, 1);
    assert_string_equal(m.files[0].field, "anhang");
    assert_string_equal(m.files[0].filename, "plan.png");
    assert_string_equal(m.files[0].content_type, "image/png");
    assert_int_equal(m.files[0].size, file.n);
    assert_memory_equal(m.files[0].data, file.p, file.n);
    /* File data is not copied: it points into the body. */
    assert_true((const char *)m.files[0].data > body);
    assert_true((const char *)m.files[0].data + m.files[0].size < body + n);
    free(file.p);
}

static void test_parse_firefox_with_preamble_epilogue(void **state)
{
    fixture_arena_t *fx = *state;
    bytes_t b = {0};
    put_str(&b, "This is the preamble; it is ignored.\r\n--not the boundary\r\n");
    put_str(&b, "--" FIREFOX_BOUNDARY "\r\n" CD "name=\"name\"\r\n\r\nJ\xc3\xbcrgen M\xc3\xbcller\r\n");
    put_str(&b, "--" FIREFOX_BOUNDARY "\r\n" CD "name=\"datei\"; filename=\"Stellungnahme.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\nIch bin dagegen.\r\n");
    put_str(&b, "--" FIREFOX_BOUNDARY "--\r\nThe epilogue, also ignored: --" FIREFOX_BOUNDARY "\r\n\xff\x00");
    size_t n = b.n;
    const char *body = keep(fx, &b);

    multipart_t m;
    assert_int_equal(multipart_parse(&fx->arena, body, n, FIREFOX_BOUNDARY, NULL, &m), MULTIPART_OK);
    assert_int_equal(m.fields.count, 1);
    assert_string_equal(form_get(&m.fields, "name"), "J\xc3\xbcrgen M\xc3\xbcller");
    assert_int_equal(m.file_count, 1);
    assert_string_equal(m.files[0].filename, "Stellungnahme.txt");
    assert_string_equal(m.files[0].content_type, "text/plain");
    assert_int_equal(m.files[0].size, 16);
    assert_memory_equal(m.files[0].data, "Ich bin dagegen.", 16);
}

static void test_parse_empty_file_input_dropped(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_t m;
    /* A file input left empty: Chrome sends filename="" and no content. */
    const char body[] = "--b\r\n" CD "name=\"beleg\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        "\r\n--b\r\n" CD "name=\"leer\"\r\n\r\n"
                        "\r\n--b--\r\n";
    assert_int_equal(PARSE(fx, body, NULL, &m), MULTIPART_OK);
    assert_int_equal(m.file_count, 0);
    assert_int_equal(m.fields.count, 1);
    assert_string_equal(m.fields.fields[0].name, "leer");
    assert_string_equal(m.fields.fields[0].value, ""); /* an empty text field is kept */
    assert_int_equal(m.fields.fields[0].value_len, 0);
    /* An empty file with a name is still a file. */
    const char named[] = "--b\r\n" CD "name=\"f\"; filename=\"leer.txt\"\r\n\r\n\r\n--b--";
    assert_int_equal(PARSE(fx, named, NULL, &m), MULTIPART_OK);
    assert_int_equal(m.file_count, 1);
    assert_int_equal(m.files[0].size, 0);
    assert_string_equal(m.files[0].content_type, ""); /* none was sent */
}

static void test_zero_parts(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_t m;
    assert_int_equal(PARSE(fx, "--b--\r\n", NULL, &m), MULTIPART_OK);
    assert_int_equal(m.fields.count, 0);
    assert_int_equal(m.file_count, 0);
    assert_int_equal(PARSE(fx, "preamble\r\n--b--", NULL, &m), MULTIPART_OK);
    assert_int_equal(m.fields.count + m.file_count, 0);
}

/* Parses a single part with the given Content-Disposition parameters and content. */
static int one_file(fixture_arena_t *fx, const char *params, multipart_t *m)
{
    bytes_t b = {0};
    put_str(&b, "--b\r\n" CD);
    put_str(&b, params);
    put_str(&b, "\r\n\r\nx\r\n--b--");
    size_t n = b.n;
    const char *body = keep(fx, &b);
    return multipart_parse(&fx->arena, body, n, "b", NULL, m);
}

static void test_filename_paths_and_escapes(void **state)
{
    fixture_arena_t *fx = *state;
    static const struct {
        const char *params;
        const char *filename;
    } cases[] = {
        {"name=\"f\"; filename=\"C:\\Users\\anna\\Desktop\\plan.pdf\"", "plan.pdf"}, /* MSIE full path */
        {"name=\"f\"; filename=\"../../etc/passwd\"", "passwd"},
        {"name=\"f\"; filename=\"/abs/dir/\"", ""},
        {"name=\"f\"; filename=\"..\"", ""},
        {"name=\"f\"; filename=\"sub/.\"", ""},
        {"name=\"f\"; filename=\"...\"", "..."},
        {"name=\"f\"; filename=\"say \\\"hi\\\".txt\"", "say \"hi\".txt"},
        {"name=\"f\"; filename=\"a\\\\b.txt\"", "b.txt"},                  /* escaped backslash is still a separator */
        {"name=\"f\"; filename=\"%22quoted%22.txt\"", "%22quoted%22.txt"}, /* Chrome's escaping, kept */
        {"name=\"f\"; filename=plain.txt", "plain.txt"},
        {"NAME=\"f\"; FileName=\"Stra\xc3\x9f\x65.pdf\"", "Stra\xc3\x9f\x65.pdf"},
        {"name=\"f\"; filename=\"a.txt\"; filename*=UTF-8''b.txt", "a.txt"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        multipart_t m;
        int rc = one_file(fx, cases[i].params, &m);
        if (rc != MULTIPART_OK || m.file_count != 1)
            fail_msg("case %zu: rc %d, %zu files", i, rc, m.file_count);
        if (strcmp(m.files[0].filename, cases[i].filename) != 0)
            fail_msg("case %zu: filename '%s', want '%s'", i, m.files[0].filename, cases[i].filename);
        assert_string_equal(m.files[0].field, "f");
        assert_int_equal(m.files[0].size, 1);
    }
}

static void test_header_variants(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_t m;
    const char body[] = "--b \t\r\n" /* transport padding */
                        "content-disposition: FORM-DATA; NAME=plain_token\r\n"
                        "X-Unknown: whatever\r\n"
                        "Content-Transfer-Encoding: 8bit\r\n"
                        "\r\nvalue\r\n"
                        "--b\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "Content-Disposition:form-data;name=\"typed\"\r\n"
                        "\r\ntext with a type\r\n"
                        "--b\r\n"
                        "CONTENT-TYPE:   application/pdf   \r\n"
                        "Content-Disposition: form-data; name=\"doc\"; filename=\"x.pdf\"\r\n"
                        "\r\n%PDF-1.7\r\n"
                        "--b--";
    assert_int_equal(PARSE(fx, body, NULL, &m), MULTIPART_OK);
    assert_int_equal(m.fields.count, 2);
    assert_string_equal(m.fields.fields[0].name, "plain_token");
    assert_string_equal(m.fields.fields[0].value, "value");
    assert_string_equal(form_get(&m.fields, "typed"), "text with a type");
    assert_int_equal(m.file_count, 1);
    assert_string_equal(m.files[0].content_type, "application/pdf");
    assert_int_equal(m.files[0].size, 8);
}

static void test_utf8_checks(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_t m;
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"t\"\r\n\r\n\xff\r\n--b--", NULL, &m), MULTIPART_EUTF8);
    assert_int_equal(m.fields.count, 0);
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"t\"\r\n\r\na\0b\r\n--b--", NULL, &m), MULTIPART_EUTF8);
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"\xc3\"\r\n\r\nv\r\n--b--", NULL, &m), MULTIPART_EUTF8);
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"f\"; filename=\"\xed\xa0\x80.txt\"\r\n\r\nv\r\n--b--", NULL, &m),
                     MULTIPART_EUTF8);
    assert_int_equal(
        PARSE(fx, "--b\r\n" CD "name=\"f\"; filename=\"a\"\r\nContent-Type: \xff\r\n\r\nv\r\n--b--", NULL, &m),
        MULTIPART_EUTF8);
    /* Names and values in UTF-8 are fine; file contents are not checked at all. */
    assert_int_equal(PARSE(fx,
                           "--b\r\n" CD "name=\"stra\xc3\x9f\x65\"\r\n\r\n\xc3\xa4\r\n--b\r\n" CD
                           "name=\"f\"; filename=\"bin\"\r\n\r\n\xff\0\xc0\xaf\r\n--b--",
                           NULL, &m),
                     MULTIPART_OK);
    assert_string_equal(form_get(&m.fields, "stra\xc3\x9f\x65"), "\xc3\xa4");
    assert_int_equal(m.files[0].size, 4);
}

/* ---- limits ------------------------------------------------------------ */

static int parts_body(fixture_arena_t *fx, size_t count, const multipart_limits_t *lim, multipart_t *m)
{
    bytes_t b = {0};
    for (size_t i = 0; i < count; i++)
        put_str(&b, "--b\r\n" CD "name=\"p\"\r\n\r\nv\r\n");
    put_str(&b, "--b--");
    size_t n = b.n;
    const char *body = keep(fx, &b);
    return multipart_parse(&fx->arena, body, n, "b", lim, m);
}

static void test_limit_parts(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_limits_t lim = {.max_parts = 3, .max_value = 100, .max_file = 100};
    multipart_t m;
    assert_int_equal(parts_body(fx, 3, &lim, &m), MULTIPART_OK);
    assert_int_equal(m.fields.count, 3);
    assert_int_equal(parts_body(fx, 4, &lim, &m), MULTIPART_ETOOMANY);
    assert_int_equal(m.fields.count, 0);
    assert_null(m.files);
    /* Defaults: 100 parts; also makes the arrays grow several times. */
    assert_int_equal(parts_body(fx, 100, NULL, &m), MULTIPART_OK);
    assert_int_equal(m.fields.count, 100);
    assert_string_equal(m.fields.fields[99].value, "v");
    assert_int_equal(parts_body(fx, 101, NULL, &m), MULTIPART_ETOOMANY);
    /* A dropped empty file input still counts as a part. */
    const char body[] = "--b\r\n" CD "name=\"a\"\r\n\r\n1\r\n"
                        "--b\r\n" CD "name=\"f\"; filename=\"\"\r\n\r\n\r\n"
                        "--b\r\n" CD "name=\"c\"\r\n\r\n3\r\n"
                        "--b\r\n" CD "name=\"d\"\r\n\r\n4\r\n--b--";
    assert_int_equal(PARSE(fx, body, &lim, &m), MULTIPART_ETOOMANY);
}

static void test_limit_value(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_limits_t lim = {.max_parts = 10, .max_value = 10, .max_file = 100};
    multipart_t m;
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"t\"\r\n\r\n0123456789\r\n--b--", &lim, &m), MULTIPART_OK);
    assert_int_equal(m.fields.fields[0].value_len, 10);
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"t\"\r\n\r\n0123456789X\r\n--b--", &lim, &m), MULTIPART_ETOOLONG);
    assert_int_equal(m.fields.count, 0);
    /* max_value does not apply to files. */
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"f\"; filename=\"a\"\r\n\r\n0123456789ABCDEF\r\n--b--", &lim, &m),
                     MULTIPART_OK);
    assert_int_equal(m.files[0].size, 16);
}

static void test_limit_file(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_limits_t lim = {.max_parts = 10, .max_value = 100, .max_file = 16};
    multipart_t m;
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"f\"; filename=\"a\"\r\n\r\n0123456789ABCDEF\r\n--b--", &lim, &m),
                     MULTIPART_OK);
    assert_int_equal(m.files[0].size, 16);
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"f\"; filename=\"a\"\r\n\r\n0123456789ABCDEFG\r\n--b--", &lim, &m),
                     MULTIPART_EFILETOOBIG);
    assert_int_equal(m.file_count, 0);
    assert_null(m.files);
    /* max_file does not apply to text. */
    assert_int_equal(PARSE(fx, "--b\r\n" CD "name=\"t\"\r\n\r\n0123456789ABCDEFGHIJ\r\n--b--", &lim, &m), MULTIPART_OK);
}

/* A part whose header block (lines with their CRLFs) is exactly size bytes. */
static int header_block_body(fixture_arena_t *fx, size_t size, int truncated, multipart_t *m)
{
    const char disposition[] = CD "name=\"f\"\r\n";
    size_t fixed = sizeof(disposition) - 1 + strlen("X-Pad: ") + 2;
    bytes_t b = {0};
    put_str(&b, "--b\r\n");
    put_str(&b, disposition);
    put_str(&b, "X-Pad: ");
    put_repeat(&b, 'p', size - fixed);
    put_str(&b, "\r\n");
    if (!truncated)
        put_str(&b, "\r\nv\r\n--b--");
    size_t n = b.n;
    const char *body = keep(fx, &b);
    return multipart_parse(&fx->arena, body, n, "b", NULL, m);
}

static void test_limit_header_block(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_t m;
    assert_int_equal(header_block_body(fx, MULTIPART_MAX_HEADER, 0, &m), MULTIPART_OK);
    assert_string_equal(form_get(&m.fields, "f"), "v");
    assert_int_equal(header_block_body(fx, MULTIPART_MAX_HEADER + 1, 0, &m), MULTIPART_ETOOLONG);
    assert_int_equal(header_block_body(fx, 3 * MULTIPART_MAX_HEADER, 0, &m), MULTIPART_ETOOLONG);
    /* A short header block that never ends is broken, not too long. */
    assert_int_equal(header_block_body(fx, 100, 1, &m), MULTIPART_EMALFORMED);
}

static void test_limit_name(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_t m;
    char name[FORM_MAX_NAME + 2];
    memset(name, 'n', FORM_MAX_NAME + 1);
    name[FORM_MAX_NAME] = '\0';
    char *params = arena_printf(&fx->arena, "name=\"%s\"; filename=\"a\"", name);
    assert_int_equal(one_file(fx, params, &m), MULTIPART_OK);
    assert_int_equal(strlen(m.files[0].field), FORM_MAX_NAME);
    name[FORM_MAX_NAME] = 'n';
    name[FORM_MAX_NAME + 1] = '\0';
    params = arena_printf(&fx->arena, "name=\"%s\"", name);
    assert_int_equal(one_file(fx, params, &m), MULTIPART_ETOOLONG);
}

/* ---- malformed --------------------------------------------------------- */

static void test_malformed_structure(void **state)
{
    fixture_arena_t *fx = *state;
#define CASE(lit)                                                                                                      \
    {                                                                                                                  \
        lit, sizeof(lit) - 1                                                                                           \
    }
    static const struct {
        const char *body;
        size_t n;
    } bad[] = {
        CASE(""),
        CASE("no delimiter anywhere"),
        CASE("--b\r\n" CD "name=\"a\"\r\n\r\nv"),        /* no closing delimiter */
        CASE("--b\r\n" CD "name=\"a\"\r\n\r\nv\r\n--b"), /* cut after the boundary */
        CASE("--b\r\n" CD "name=\"a\"\r\n\r\nv\r\n--b-"),
        CASE("--b\r\n" CD "name=\"a\"\r\n\r\nv\r\n--b\r\n"), /* a part announced, none follows */
        CASE("--b\r\n" CD "name=\"a\"\r\n\r\n--b--"),        /* no CRLF before the delimiter */
        CASE("--b\r\n\r\nv\r\n--b--"),                       /* no headers */
        CASE("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--"),
        CASE("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "filename=\"x\"\r\n\r\nv\r\n--b--"), /* no name */
        CASE("--b\r\n" CD "name=\"a\"; name=\"c\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "name=\"a\"; filename=\"x\"; filename=\"y\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "name=\"a\"\r\n" CD "name=\"c\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "name=\"a\"\r\nContent-Type: a\r\nContent-Type: b\r\n\r\nv\r\n--b--"),
        CASE("--b\n" CD "name=\"a\"\n\nv\n--b--"),               /* LF only */
        CASE("--b\r\n" CD "name=\"a\"\n\r\nv\r\n--b--"),         /* bare LF in a header */
        CASE("--b\r\n" CD "name=\"a\"\rX: y\r\n\r\nv\r\n--b--"), /* bare CR in a header */
        CASE("--b\r\nContent-Disposition form-data; name=\"a\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "name=\"a\"\r\n folded: yes\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n: empty name\r\n" CD "name=\"a\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "name=\"a\r\n\r\nv\r\n--b--"), /* unterminated quote */
        CASE("--b\r\n" CD "name=\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "name=\"a\" junk\r\n\r\nv\r\n--b--"),
        CASE("--b\r\n" CD "name=\"a\0\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\nX: a\0b\r\n" CD "name=\"a\"\r\n\r\nv\r\n--b--"),
        CASE("--b\r\nX-Ignored: a\nb\r\n" CD "name=\"a\"\r\n\r\nv\r\n--b--"), /* LF in any header */
        CASE("--b\r\n" CD "name=\"a\"; filename=\"f\"\r\nContent-Type: text/plain\x7f\r\n\r\nv\r\n--b--"),
        CASE("--bb\r\n" CD "name=\"a\"\r\n\r\nv\r\n--bb--"), /* another boundary */
    };
#undef CASE
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        multipart_t m;
        m.fields.count = 99;
        int rc = parse_lit(fx, bad[i].body, bad[i].n, NULL, &m);
        if (rc != MULTIPART_EMALFORMED)
            fail_msg("case %zu gave %d, want MULTIPART_EMALFORMED", i, rc);
        assert_int_equal(m.fields.count, 0);
        assert_int_equal(m.file_count, 0);
    }
}

static void test_bad_boundary_argument(void **state)
{
    fixture_arena_t *fx = *state;
    multipart_t m;
    const char body[] = "--b--";
    assert_int_equal(multipart_parse(&fx->arena, body, 5, NULL, NULL, &m), MULTIPART_EMALFORMED);
    assert_int_equal(multipart_parse(&fx->arena, body, 5, "", NULL, &m), MULTIPART_EMALFORMED);
    assert_int_equal(multipart_parse(&fx->arena, body, 5, "a;b", NULL, &m), MULTIPART_EMALFORMED);
    char longb[72];
    memset(longb, 'b', 71);
    longb[71] = '\0';
    assert_int_equal(multipart_parse(&fx->arena, body, 5, longb, NULL, &m), MULTIPART_EMALFORMED);
    assert_int_equal(multipart_parse(&fx->arena, NULL, 0, "b", NULL, &m), MULTIPART_EMALFORMED);
}

static void test_every_prefix_needs_the_close(void **state)
{
    fixture_arena_t *fx = *state;
    bytes_t file = {0};
    put_tricky_binary(&file);
    bytes_t b = {0};
    put_str(&b, "--" CHROME_BOUNDARY "\r\n" CD "name=\"t\"\r\n\r\nHallo\r\n");
    put_str(&b, "--" CHROME_BOUNDARY "\r\n" CD "name=\"f\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n");
    put(&b, file.p, file.n);
    put_str(&b, "\r\n--" CHROME_BOUNDARY "--");
    size_t complete = b.n; /* the body is whole from here on */
    put_str(&b, "\r\n");
    free(file.p);

    /* Each prefix in its own exact-size block: any read past it is an ASan error. */
    for (size_t len = 0; len <= b.n; len++) {
        char *prefix = malloc(len ? len : 1);
        assert_non_null(prefix);
        memcpy(prefix, b.p, len);
        multipart_t m;
        int rc = multipart_parse(&fx->arena, prefix, len, CHROME_BOUNDARY, NULL, &m);
        int want = len >= complete ? MULTIPART_OK : MULTIPART_EMALFORMED;
        free(prefix);
        if (rc != want)
            fail_msg("prefix of %zu bytes gave %d, want %d", len, rc, want);
        if (rc == MULTIPART_OK)
            assert_int_equal(m.file_count, 1);
    }
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boundary_extraction, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_boundary_invalid, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_parse_chrome_body, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_parse_firefox_with_preamble_epilogue, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_parse_empty_file_input_dropped, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_zero_parts, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_filename_paths_and_escapes, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_header_variants, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_utf8_checks, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_limit_parts, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_limit_value, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_limit_file, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_limit_header_block, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_limit_name, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_structure, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_bad_boundary_argument, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_every_prefix_needs_the_close, fixture_arena_setup, fixture_arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
