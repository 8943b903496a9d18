/* moderation_markdown.c — participation_markdown: Markdown of residents rendered
 * safely (internal.h).
 *
 * view/markdown.c renders the city's own pages with md4c's HTML renderer; a
 * resident's text needs more care than that renderer can be told to take, so
 * this file renders md4c's parse events itself, and every byte of output is
 * written here:
 *   - raw HTML is never recognised (MD_FLAG_NOHTML) and any HTML text that
 *     still arrives is escaped like other text;
 *   - images are never loaded (no tracking pixels): an image becomes a link to
 *     its address with the alt text as the link's text (the address when there
 *     is none), or just the alt text when the address is not a safe one;
 *   - links keep only http:, https: and mailto: targets (entities in the
 *     target are decoded before that check, so "javascript&#58;" is caught) and
 *     carry rel="nofollow ugc noopener"; any other link is shown as its text;
 *   - headings become bold paragraphs, so that a contribution never adds to the
 *     page's outline (one h1 per page, headings in order);
 *   - character references are decoded and the character escaped again, so an
 *     entity can never smuggle markup through;
 *   - the input is cut at MODERATION_MARKDOWN_MAX bytes and the output capped.
 */
#include <md4c.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"

/* One span entered and not yet left, with what was written for it. */
typedef struct open_span {
    MD_SPANTYPE type;
    const char *close; /* the closing tag written on leaving it, or NULL */
    int anchor;        /* it opened the <a> */
} open_span_t;

typedef struct render {
    buf_t *out;
    arena_t *arena;
    open_span_t *spans; /* the spans entered, innermost last (arena, grown by doubling) */
    size_t span_count, span_cap;
    int anchor_open;         /* an <a> is open: no link inside a link */
    const char *anchor_href; /* the open <a>'s address (raw) */
    size_t anchor_start;     /* output length right after the open <a> tag */
    int image_depth;         /* images entered: their text is alt text */
} render_t;

static void put(render_t *r, const char *s)
{
    buf_puts(r->out, s);
}

/* Escapes text for HTML element content and attribute values alike. */
static void put_escaped(render_t *r, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(r->out, s + start, i - start);
        buf_puts(r->out, rep);
        start = i + 1;
    }
    buf_append(r->out, s + start, n - start);
}

/* Appends code point cp as UTF-8 to out (U+FFFD for what is not a character we
 * may put into a page: NUL, surrogates, beyond U+10FFFF, C0/C1 controls but for
 * tab and newline). */
static void put_codepoint(buf_t *out, uint32_t cp)
{
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || (cp < 0x20 && cp != '\t' && cp != '\n') ||
        (cp >= 0x7F && cp < 0xA0))
        cp = 0xFFFD;
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(out, b, n);
}

/* The named character references residents are likely to type; any other name
 * is shown as typed. */
static const struct {
    const char *name;
    uint32_t cp;
} named_entities[] = {
    {"amp", '&'},       {"lt", '<'},      {"gt", '>'},     {"quot", '"'},     {"apos", '\''},    {"nbsp", 0xA0},
    {"auml", 0xE4},     {"ouml", 0xF6},   {"uuml", 0xFC},  {"Auml", 0xC4},    {"Ouml", 0xD6},    {"Uuml", 0xDC},
    {"szlig", 0xDF},    {"euro", 0x20AC}, {"copy", 0xA9},  {"sect", 0xA7},    {"ndash", 0x2013}, {"mdash", 0x2014},
    {"hellip", 0x2026}, {"laquo", 0xAB},  {"raquo", 0xBB}, {"bdquo", 0x201E}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
    {"colon", ':'},     {"sol", '/'},     {"lpar", '('},   {"rpar", ')'},     {"deg", 0xB0},     {"shy", 0xAD},
};

/* Decodes one entity as md4c hands it over ("&name;", "&#123;", "&#x1F;") into
 * out as UTF-8 (not escaped). Returns 0, or -1 when it is a name we do not know
 * (nothing appended). */
static int decode_entity(const char *e, size_t n, buf_t *out)
{
    if (n < 3 || e[0] != '&' || e[n - 1] != ';')
        return -1;
    if (e[1] == '#') {
        uint32_t cp = 0;
        int hex = n > 3 && (e[2] == 'x' || e[2] == 'X');
        size_t i = hex ? 3 : 2;
        if (i >= n - 1)
            return -1;
        for (; i < n - 1; i++) {
            char c = e[i];
            uint32_t d;
            if (c >= '0' && c <= '9')
                d = (uint32_t)(c - '0');
            else if (hex && c >= 'a' && c <= 'f')
                d = (uint32_t)(c - 'a' + 10);
            else if (hex && c >= 'A' && c <= 'F')
                d = (uint32_t)(c - 'A' + 10);
            else
                return -1;
            cp = cp * (hex ? 16 : 10) + d;
            if (cp > 0x10FFFF)
                cp = 0x110000; /* stays out of range however many digits follow */
        }
        put_codepoint(out, cp);
        return 0;
    }
    for (size_t k = 0; k < sizeof(named_entities) / sizeof(named_entities[0]); k++) {
        size_t len = strlen(named_entities[k].name);
        if (len == n - 2 && memcmp(e + 1, named_entities[k].name, len) == 0) {
            put_codepoint(out, named_entities[k].cp);
            return 0;
        }
    }
    return -1;
}

/* Text as md4c gives it, with its type, escaped into the output. */
static void put_text(render_t *r, MD_TEXTTYPE type, const char *text, size_t n)
{
    switch (type) {
    case MD_TEXT_NULLCHAR:
        put(r, "\xEF\xBF\xBD");
        return;
    case MD_TEXT_BR:
        put(r, r->image_depth ? " " : "<br>\n");
        return;
    case MD_TEXT_SOFTBR:
        put(r, r->image_depth ? " " : "\n");
        return;
    case MD_TEXT_ENTITY: {
        buf_t decoded;
        buf_init(&decoded, r->arena, 8, 16);
        if (decode_entity(text, n, &decoded) == 0)
            put_escaped(r, decoded.data, decoded.len);
        else
            put_escaped(r, text, n);
        return;
    }
    default: /* normal text, code, raw HTML (never recognised, but escaped if it comes), math */
        put_escaped(r, text, n);
        return;
    }
}

/* Collects an attribute of md4c (a link target) with its entities decoded; the
 * result is raw (not escaped). NULL when an entity is unknown: such a target is
 * not trusted. */
static const char *attribute_text(render_t *r, const MD_ATTRIBUTE *attr)
{
    buf_t b;
    buf_init(&b, r->arena, attr->size + 1, (size_t)attr->size * 4 + 16);
    for (size_t i = 0; attr->substr_offsets[i] < attr->size; i++) {
        MD_OFFSET off = attr->substr_offsets[i];
        MD_SIZE len = attr->substr_offsets[i + 1] - off;
        switch (attr->substr_types[i]) {
        case MD_TEXT_NULLCHAR:
            return NULL;
        case MD_TEXT_ENTITY:
            if (decode_entity(attr->text + off, len, &b) != 0)
                return NULL;
            break;
        default:
            buf_append(&b, attr->text + off, len);
        }
    }
    if (b.overflow)
        return NULL;
    return buf_cstr(&b);
}

/* The address a link may point to, or NULL: only http, https and mailto, with no
 * space or control character anywhere (browsers drop tabs and newlines inside a
 * scheme, so "java\tscript:" must not get through by a gap). Addresses without a
 * scheme that md4c found as "www." or e-mail autolinks get http:// or mailto:. */
static const char *safe_href(render_t *r, const char *url)
{
    if (!url || !*url)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7F)
            return NULL;
    size_t n = strlen(url);
    if (!utf8_valid(url, n))
        return NULL;
    /* The scheme is written in lower case, as every reader of the page expects. */
    static const char *const schemes[] = {"https://", "http://", "mailto:"};
    for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
        size_t sl = strlen(schemes[k]);
        if (n > sl && strncasecmp(url, schemes[k], sl) == 0)
            return arena_printf(r->arena, "%s%s", schemes[k], url + sl);
    }
    /* No scheme at all: a colon before the first '/', '?' or '#' would be one. */
    size_t scheme_end = strcspn(url, ":/?#");
    if (url[scheme_end] == ':')
        return NULL;
    if (strncasecmp(url, "www.", 4) == 0)
        return arena_printf(r->arena, "http://%s", url);
    if (strchr(url, '@') && !strchr(url, '/'))
        return arena_printf(r->arena, "mailto:%s", url);
    return NULL;
}

static void open_anchor(render_t *r, const char *href)
{
    put(r, "<a href=\"");
    put_escaped(r, href, strlen(href));
    put(r, "\" rel=\"nofollow ugc noopener\">");
    r->anchor_open = 1;
    r->anchor_href = href;
    r->anchor_start = r->out->len;
}

/* Closes the open <a>. A link without text (an image without alt text, "[](…)")
 * shows its address, so that it has a name a screen reader can read. */
static void close_anchor(render_t *r)
{
    if (r->out->len == r->anchor_start)
        put_escaped(r, r->anchor_href, strlen(r->anchor_href));
    put(r, "</a>");
    r->anchor_open = 0;
}

/* Leaves the innermost open span: its closing tag, the anchor it opened. */
static void pop_span(render_t *r)
{
    open_span_t *sp = &r->spans[--r->span_count];
    if (sp->type == MD_SPAN_IMG)
        r->image_depth--;
    if (sp->close)
        put(r, sp->close);
    if (sp->anchor)
        close_anchor(r);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    render_t *r = userdata;
    switch (type) {
    case MD_BLOCK_DOC:
        break;
    case MD_BLOCK_QUOTE:
        put(r, "<blockquote>\n");
        break;
    case MD_BLOCK_UL:
        put(r, "<ul>\n");
        break;
    case MD_BLOCK_OL: {
        const MD_BLOCK_OL_DETAIL *ol = detail;
        if (ol->start != 1)
            buf_appendf(r->out, "<ol start=\"%u\">\n", ol->start);
        else
            put(r, "<ol>\n");
        break;
    }
    case MD_BLOCK_LI:
        put(r, "<li>");
        break;
    case MD_BLOCK_HR:
        put(r, "<hr>\n");
        break;
    case MD_BLOCK_H:
        put(r, "<p><strong>");
        break;
    case MD_BLOCK_CODE:
        put(r, "<pre><code>");
        break;
    case MD_BLOCK_HTML:
        put(r, "<p>");
        break; /* not recognised with MD_FLAG_NOHTML; escaped text if ever */
    case MD_BLOCK_P:
        put(r, "<p>");
        break;
    default:
        break; /* tables are not switched on */
    }
    return r->out->overflow ? 1 : 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    (void)detail;
    render_t *r = userdata;
    switch (type) {
    case MD_BLOCK_DOC:
        break;
    case MD_BLOCK_QUOTE:
        put(r, "</blockquote>\n");
        break;
    case MD_BLOCK_UL:
        put(r, "</ul>\n");
        break;
    case MD_BLOCK_OL:
        put(r, "</ol>\n");
        break;
    case MD_BLOCK_LI:
        put(r, "</li>\n");
        break;
    case MD_BLOCK_HR:
        break;
    case MD_BLOCK_H:
        put(r, "</strong></p>\n");
        break;
    case MD_BLOCK_CODE:
        put(r, "</code></pre>\n");
        break;
    case MD_BLOCK_HTML:
        put(r, "</p>\n");
        break;
    case MD_BLOCK_P:
        put(r, "</p>\n");
        break;
    default:
        break;
    }
    return r->out->overflow ? 1 : 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    render_t *r = userdata;
    if (r->span_count == r->span_cap) {
        size_t cap = r->span_cap ? r->span_cap * 2 : 16;
        open_span_t *grown = arena_alloc(r->arena, cap * sizeof(*grown));
        if (r->span_count)
            memcpy(grown, r->spans, r->span_count * sizeof(*grown));
        r->spans = grown;
        r->span_cap = cap;
    }
    open_span_t *sp = &r->spans[r->span_count++];
    *sp = (open_span_t){.type = type};
    if (type == MD_SPAN_A || type == MD_SPAN_IMG) {
        const MD_ATTRIBUTE *target =
            type == MD_SPAN_A ? &((const MD_SPAN_A_DETAIL *)detail)->href : &((const MD_SPAN_IMG_DETAIL *)detail)->src;
        const char *href = safe_href(r, attribute_text(r, target));
        /* One anchor at a time: a link inside a link (or in an image) stays text. */
        if (href && !r->anchor_open && !r->image_depth) {
            open_anchor(r, href);
            sp->anchor = 1;
        }
        if (type == MD_SPAN_IMG)
            r->image_depth++;
        return r->out->overflow ? 1 : 0;
    }
    /* Inside an image everything is alt text: no markup at all. */
    if (r->image_depth)
        return 0;
    static const struct {
        MD_SPANTYPE type;
        const char *open, *close;
    } tags[] = {
        {MD_SPAN_EM, "<em>", "</em>"},
        {MD_SPAN_STRONG, "<strong>", "</strong>"},
        {MD_SPAN_CODE, "<code>", "</code>"},
        {MD_SPAN_DEL, "<del>", "</del>"},
    };
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (tags[i].type == type) {
            put(r, tags[i].open);
            sp->close = tags[i].close;
        }
    }
    /* underline, math and wiki links are not switched on */
    return r->out->overflow ? 1 : 0;
}

/* md4c 0.4.8 can leave a span it never entered (a link around an image with a
 * broken target): a leave closes the innermost span of its type and whatever
 * was opened inside it, and one without a match is ignored, so the tags written
 * always nest and balance. */
static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    (void)detail;
    render_t *r = userdata;
    size_t i = r->span_count;
    while (i > 0 && r->spans[i - 1].type != type)
        i--;
    if (i == 0)
        return 0;
    while (r->span_count >= i)
        pop_span(r);
    return r->out->overflow ? 1 : 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *userdata)
{
    render_t *r = userdata;
    put_text(r, type, text, size);
    return r->out->overflow ? 1 : 0;
}

const char *participation_markdown(arena_t *arena, const char *markdown)
{
    if (!arena || !markdown)
        return NULL;
    size_t n = strlen(markdown);
    if (!utf8_valid(markdown, n))
        return NULL;
    n = utf8_truncate(markdown, n, MODERATION_MARKDOWN_MAX);

    /* The output is bounded by the input: escaping grows a byte at most six times
     * ("\"" → "&quot;"), and the most markup one input byte can cause is a
     * quote marker's "<blockquote>\n</blockquote>\n" (26 bytes). */
    buf_t out;
    buf_init(&out, arena, n * 2 + 64, n * 32 + 4096);
    render_t r = {.out = &out, .arena = arena};
    MD_PARSER parser = {
        .abi_version = 0,
        .flags = MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEAUTOLINKS,
        .enter_block = enter_block,
        .leave_block = leave_block,
        .enter_span = enter_span,
        .leave_span = leave_span,
        .text = on_text,
    };
    if (md_parse(markdown, (MD_SIZE)n, &parser, &r) != 0)
        return NULL;
    while (r.span_count > 0) /* spans md4c left open */
        pop_span(&r);
    if (out.overflow)
        return NULL;
    return buf_cstr(&out);
}
