/* tmpl_parse.c — compiles a template source into its flat node array (see tmpl.h).
 *
 * One pass over the text: literal runs become text nodes, each {{tag}} becomes one
 * node, and a stack of open sections checks that every {{/name}} closes the section
 * opened last. The source is copied once; names and msgids are NUL-terminated in
 * that copy (the byte after them is whitespace or the closing brace, which nothing
 * reads again), so nodes point into it and need no allocation of their own.
 * Every error names the template and the line where the offending tag starts.
 */
#include "view/tmpl_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

typedef struct parser {
    tmpl_t *t;                       /* template being compiled (origin, src) */
    const char *src;                 /* t->src */
    size_t len;                      /* bytes of src */
    size_t pos;                      /* next byte to look at */
    uint32_t line;                   /* line of src[pos] */
    tmpl_node_t *nodes;              /* grows as tags are read */
    size_t n, cap;                   /* used and allocated nodes */
    uint32_t open[TMPL_MAX_NESTING]; /* node indices of the sections still open */
    size_t depth;                    /* entries in open */
    char *err;                       /* caller's message buffer */
    size_t errlen;
} parser_t;

/* What the first character of a tag means. Anything not listed is a variable name. */
typedef enum {
    TAG_VAR,
    TAG_RAW,
    TAG_SECTION,
    TAG_INVERTED,
    TAG_CLOSE,
    TAG_PARTIAL,
    TAG_COMMENT,
    TAG_TRANSLATE,
    TAG_DELIMITER,
} tag_kind_t;

static const struct {
    char sigil;
    tag_kind_t kind;
} sigils[] = {
    {'#', TAG_SECTION}, {'^', TAG_INVERTED}, {'/', TAG_CLOSE},
    {'>', TAG_PARTIAL}, {'!', TAG_COMMENT},  {'=', TAG_DELIMITER},
};

void tmpl_errorf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
}

int tmpl_name_ok(const char *s, size_t n, int allow_slash)
{
    char sep = allow_slash ? '/' : '.'; /* segments must be non-empty between these */
    if (n == 0 || n > TMPL_MAX_TAG)
        return 0;
    if (!allow_slash && n == 1 && s[0] == '.')
        return 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)sep) {
            if (i == 0 || i == n - 1 || s[i - 1] == sep)
                return 0;
        } else if (!is_name_char(c)) {
            return 0;
        }
    }
    return 1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void tmpl_quote(char *dst, size_t dstlen, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < dstlen && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (n > 40 && k + 4 < dstlen) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = '\0';
}

static int fail(parser_t *p, uint32_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(parser_t *p, uint32_t line, const char *fmt, ...)
{
    char msg[256]; /* message without the "origin:line: " prefix */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tmpl_errorf(p->err, p->errlen, "%s:%u: %s", p->t->origin, line, msg);
    return TMPL_ESYNTAX;
}

static uint32_t count_lines(const char *s, size_t n)
{
    uint32_t lines = 0;
    const char *end = s + n;
    const char *nl = memchr(s, '\n', n);
    while (nl) {
        lines++;
        nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
    }
    return lines;
}

/* Appends a node and returns its index, or -1 when out of memory. */
static long add_node(parser_t *p, uint8_t kind, const char *str, size_t len, uint32_t line)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        tmpl_node_t *nodes = realloc(p->nodes, cap * sizeof(*nodes));
        if (!nodes)
            return -1;
        p->nodes = nodes;
        p->cap = cap;
    }
    tmpl_node_t *node = &p->nodes[p->n];
    memset(node, 0, sizeof(*node));
    node->kind = kind;
    node->str = str;
    node->len = (uint32_t)len; /* fits: len <= TMPL_MAX_SIZE */
    node->line = line;
    return (long)p->n++;
}

static tag_kind_t classify(const char *content, size_t n)
{
    if (n == 0)
        return TAG_VAR;
    /* "_" followed by a space starts a translation; "_name" is an ordinary name. */
    if (content[0] == '_' && n > 1 && is_space(content[1]))
        return TAG_TRANSLATE;
    for (size_t i = 0; i < sizeof(sigils) / sizeof(sigils[0]); i++)
        if (content[0] == sigils[i].sigil)
            return sigils[i].kind;
    return TAG_VAR;
}

/* Handles one tag whose content (between the braces) is src[cs..ce); the tag
 * started on line `line`. `triple` is set for {{{…}}}. */
static int parse_tag(parser_t *p, size_t cs, size_t ce, uint32_t line, int triple)
{
    char *src = p->t->src;
    char shown[64]; /* the name as quoted in error messages */
    tag_kind_t kind = triple ? TAG_RAW : classify(src + cs, ce - cs);
    size_t limit = (kind == TAG_COMMENT || kind == TAG_TRANSLATE) ? TMPL_MAX_TEXT_TAG : TMPL_MAX_TAG;
    if (ce - cs > limit)
        return fail(p, line, "tag longer than %zu bytes", limit);
    if (kind == TAG_COMMENT)
        return 0;
    if (kind == TAG_DELIMITER)
        return fail(p, line, "delimiter changes {{=…=}} are not supported");

    /* Skip the sigil ({{{ has none inside), then trim. */
    size_t s = cs + ((triple || kind == TAG_VAR) ? 0 : 1);
    size_t e = ce;
    while (s < e && is_space(src[s]))
        s++;
    while (e > s && is_space(src[e - 1]))
        e--;
    size_t n = e - s;

    if (kind == TAG_TRANSLATE) {
        if (n == 0)
            return fail(p, line, "{{_ }} without text");
        src[e] = '\0'; /* src[e] is whitespace or '}', never read again */
        return add_node(p, TMPL_NODE_TRANSLATE, src + s, n, line) < 0 ? BUF_ENOMEM : 0;
    }

    int is_partial = kind == TAG_PARTIAL;
    if (!tmpl_name_ok(src + s, n, is_partial) || (is_partial && n == 1 && src[s] == '.')) {
        tmpl_quote(shown, sizeof(shown), src + s, n);
        return fail(p, line, "'%s' is not a valid %s", shown, is_partial ? "partial name" : "name");
    }
    src[e] = '\0';

    if (kind == TAG_CLOSE) {
        if (p->depth == 0)
            return fail(p, line, "{{/%s}} closes no open section", src + s);
        tmpl_node_t *opener = &p->nodes[p->open[p->depth - 1]];
        if (opener->len != n || memcmp(opener->str, src + s, n) != 0)
            return fail(p, line, "{{/%s}} does not close {{%c%s}} from line %u", src + s,
                        opener->kind == TMPL_NODE_SECTION ? '#' : '^', opener->str, opener->line);
        opener->end = (uint32_t)p->n;
        p->depth--;
        return 0;
    }

    static const uint8_t node_kind[] = {
        [TAG_VAR] = TMPL_NODE_VAR,           [TAG_RAW] = TMPL_NODE_RAW,         [TAG_SECTION] = TMPL_NODE_SECTION,
        [TAG_INVERTED] = TMPL_NODE_INVERTED, [TAG_PARTIAL] = TMPL_NODE_PARTIAL,
    };
    int opens = kind == TAG_SECTION || kind == TAG_INVERTED;
    if (opens && p->depth == TMPL_MAX_NESTING)
        return fail(p, line, "sections nested deeper than %d", TMPL_MAX_NESTING);
    long idx = add_node(p, node_kind[kind], src + s, n, line);
    if (idx < 0)
        return BUF_ENOMEM;
    if (opens)
        p->open[p->depth++] = (uint32_t)idx;
    return 0;
}

/* Finds the first line of src[0..len) that is not valid UTF-8 (a sequence never
 * spans a newline, so line by line is exact). Returns 0 when all is valid. */
static uint32_t first_bad_utf8_line(const char *src, size_t len)
{
    uint32_t line = 1;
    size_t start = 0;
    while (start <= len) {
        const char *nl = memchr(src + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - src) : len;
        if (!utf8_valid(src + start, end - start))
            return line;
        if (!nl)
            break;
        start = end + 1;
        line++;
    }
    return 0;
}

int tmpl_compile(tmpl_t *t, const char *text, size_t len, char *err, size_t errlen)
{
    parser_t p = {.t = t, .len = len, .line = 1, .err = err, .errlen = errlen};
    int rc = 0; /* 0, TMPL_ESYNTAX or BUF_ENOMEM */

    if (len > TMPL_MAX_SIZE) {
        rc = fail(&p, 1, "template larger than %d bytes", TMPL_MAX_SIZE);
        goto out;
    }
    if (!utf8_valid(text, len)) {
        rc = fail(&p, first_bad_utf8_line(text, len), "not valid UTF-8 (or a NUL byte)");
        goto out;
    }
    t->src = malloc(len + 1);
    if (!t->src) {
        rc = BUF_ENOMEM;
        goto out;
    }
    if (len)
        memcpy(t->src, text, len);
    t->src[len] = '\0';
    p.src = t->src;

    while (p.pos < len) {
        const char *open = memmem(p.src + p.pos, len - p.pos, "{{", 2);
        size_t text_end = open ? (size_t)(open - p.src) : len;
        if (text_end > p.pos) {
            if (add_node(&p, TMPL_NODE_TEXT, p.src + p.pos, text_end - p.pos, p.line) < 0) {
                rc = BUF_ENOMEM;
                goto out;
            }
            p.line += count_lines(p.src + p.pos, text_end - p.pos);
        }
        if (!open)
            break;

        int triple = text_end + 2 < len && p.src[text_end + 2] == '{';
        size_t cs = text_end + (triple ? 3 : 2); /* content start */
        const char *closer = triple ? "}}}" : "}}";
        size_t closer_len = triple ? 3 : 2;
        const char *close = memmem(p.src + cs, len - cs, closer, closer_len);
        if (!close) {
            rc = fail(&p, p.line, "unclosed tag: no '%s' after this '%s'", closer, triple ? "{{{" : "{{");
            goto out;
        }
        size_t ce = (size_t)(close - p.src);
        uint32_t tag_line = p.line;
        /* Count lines before parse_tag writes NULs into the tag. */
        p.line += count_lines(p.src + text_end, ce + closer_len - text_end);
        rc = parse_tag(&p, cs, ce, tag_line, triple);
        if (rc < 0)
            goto out;
        p.pos = ce + closer_len;
    }

    if (p.depth > 0) {
        tmpl_node_t *opener = &p.nodes[p.open[p.depth - 1]];
        rc = fail(&p, opener->line, "{{%c%s}} is never closed", opener->kind == TMPL_NODE_SECTION ? '#' : '^',
                  opener->str);
        goto out;
    }
    t->nodes = p.nodes;
    t->n_nodes = p.n;
    p.nodes = NULL;

out:
    if (rc == BUF_ENOMEM)
        tmpl_errorf(err, errlen, "%s: out of memory", t->origin);
    free(p.nodes);
    return rc;
}
