/* tmpl_render.c — walks a compiled template against a jansson model (see tmpl.h).
 *
 * The walk keeps a stack of contexts (the model, then each object or array element a
 * section entered) and looks names up from the top down. Output is escaped unless
 * the node is {{{raw}}}. Every append is checked, so the first refusal of the
 * capped buffer ends the render; so do too deep partials and the step budget,
 * which keeps a template looping over a large model from holding a worker thread.
 */
#include "view/tmpl_internal.h"

#include <stdio.h>
#include <string.h>

/* Contexts a render can push: one per open section, in every nested partial. */
#define CTX_MAX ((TMPL_MAX_PARTIAL_DEPTH + 1) * TMPL_MAX_NESTING + 1)

typedef struct render {
    const tmpl_set_t *set;  /* for the translator */
    const char *lang;       /* passed to the translator */
    buf_t *out;             /* where the page goes */
    json_t *stack[CTX_MAX]; /* contexts, innermost last */
    size_t depth;           /* entries in stack */
    int partials;           /* partials being rendered inside one another */
    long steps;             /* work so far, against TMPL_MAX_STEPS: nodes visited plus
                             * contexts searched for names */
} render_t;

/* Bytes that need escaping map to their entity; all others to NULL. */
static const char *const html_entity[256] = {
    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

/* HTML-escapes s[0..n) into out: & < > " ' become entities, so the result is safe in
 * element content and in attribute values in double or single quotes. Returns 0 or
 * the buffer's error (out then holds a prefix). */
int html_escape(buf_t *out, const char *s, size_t n)
{
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n; i++) {
        const char *entity = html_entity[(unsigned char)s[i]];
        if (!entity)
            continue;
        int rc = buf_append(out, s + run, i - run);
        if (rc == 0)
            rc = buf_puts(out, entity);
        if (rc != 0)
            return rc;
        run = i + 1;
    }
    return buf_append(out, s + run, n - run);
}

/* One step of a dotted name inside value: a key of an object, or a position of
 * an array when the segment is a number ("items.0" is the first item, so that a
 * template can say "if there are any" with {{#items.0}}). */
static json_t *child(json_t *value, const char *seg, size_t n)
{
    if (json_is_array(value)) {
        size_t idx = 0;
        if (n == 0 || n > 9)
            return NULL;
        for (size_t i = 0; i < n; i++) {
            if (seg[i] < '0' || seg[i] > '9')
                return NULL;
            idx = idx * 10 + (size_t)(seg[i] - '0');
        }
        return json_array_get(value, idx);
    }
    return json_object_getn(value, seg, n);
}

/* Resolves a name: "." is the innermost context; otherwise the first dotted segment
 * is searched from the innermost context outwards and the rest inside what it found.
 * Returns NULL when missing. */
static json_t *lookup(render_t *r, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return r->depth ? r->stack[r->depth - 1] : NULL;
    const char *dot = memchr(name, '.', len);
    size_t seg = dot ? (size_t)(dot - name) : len; /* length of the current segment */
    json_t *value = NULL;
    for (size_t i = r->depth; i-- > 0 && !value;) {
        value = json_object_getn(r->stack[i], name, seg); /* NULL for non-objects */
        r->steps++; /* a deep stack makes every lookup dearer: count what it costs */
    }
    while (value && dot) {
        name = dot + 1;
        len -= seg + 1;
        dot = memchr(name, '.', len);
        seg = dot ? (size_t)(dot - name) : len;
        value = child(value, name, seg);
    }
    return value;
}

/* Whether a section shows: false, null, missing, "", 0, 0.0 and [] do not. */
static int truthy(const json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_TRUE:
        return 1;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_FALSE:
    case JSON_NULL:
    default:
        return 0;
    }
}

/* Prints a scalar: strings as they are, numbers in decimal (reals with %g),
 * booleans as true/false; null, missing, objects and arrays print nothing. */
static int put_value(buf_t *out, const json_t *v, int escape)
{
    char num[64]; /* a number as text */
    int n;
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_STRING:
        /* Raw output of a string: safe only because the template author asked for
         * {{{…}}}, which is reserved for HTML we built ourselves (tmpl.h). */
        return escape ? html_escape(out, json_string_value(v), json_string_length(v))
                      : buf_append(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf_append(out, num, (size_t)n);
    case JSON_REAL:
        n = snprintf(num, sizeof(num), "%g", json_real_value(v));
        return buf_append(out, num, (size_t)n);
    case JSON_TRUE:
        return buf_puts(out, "true");
    case JSON_FALSE:
        return buf_puts(out, "false");
    default:
        return 0;
    }
}

static int render_range(render_t *r, const tmpl_t *t, size_t from, size_t to);

/* Renders the children of section node i with ctx pushed (NULL: no push). */
static int render_in(render_t *r, const tmpl_t *t, size_t i, json_t *ctx)
{
    if (!ctx)
        return render_range(r, t, i + 1, t->nodes[i].end);
    if (r->depth == CTX_MAX)
        return TMPL_EDEPTH; /* cannot happen: the parser and partial cap bound it */
    r->stack[r->depth++] = ctx;
    int rc = render_range(r, t, i + 1, t->nodes[i].end);
    r->depth--;
    return rc;
}

static int render_section(render_t *r, const tmpl_t *t, size_t i, json_t *value)
{
    if (!truthy(value))
        return 0;
    if (json_is_array(value)) {
        for (size_t k = 0; k < json_array_size(value); k++) {
            int rc = render_in(r, t, i, json_array_get(value, k));
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    /* An object becomes the context; true, a string or a number keeps the current one. */
    return render_in(r, t, i, json_is_object(value) ? value : NULL);
}

static int render_translation(render_t *r, const tmpl_node_t *node)
{
    const char *text = node->str;
    if (r->set->translate) {
        const char *translated = r->set->translate(r->lang, node->str);
        if (translated)
            text = translated;
    }
    /* Translations come from .po files, which are not ours to trust with markup. */
    return html_escape(r->out, text, strlen(text));
}

static int render_range(render_t *r, const tmpl_t *t, size_t from, size_t to)
{
    int rc = 0;
    for (size_t i = from; i < to && rc >= 0;) {
        const tmpl_node_t *node = &t->nodes[i];
        if (++r->steps > TMPL_MAX_STEPS)
            return TMPL_ESTEPS;
        switch (node->kind) {
        case TMPL_NODE_TEXT:
            rc = buf_append(r->out, node->str, node->len);
            break;
        case TMPL_NODE_VAR:
            rc = put_value(r->out, lookup(r, node->str, node->len), 1);
            break;
        case TMPL_NODE_RAW:
            rc = put_value(r->out, lookup(r, node->str, node->len), 0);
            break;
        case TMPL_NODE_SECTION:
            rc = render_section(r, t, i, lookup(r, node->str, node->len));
            i = node->end;
            continue;
        case TMPL_NODE_INVERTED:
            if (!truthy(lookup(r, node->str, node->len)))
                rc = render_in(r, t, i, NULL);
            i = node->end;
            continue;
        case TMPL_NODE_PARTIAL:
            if (r->partials == TMPL_MAX_PARTIAL_DEPTH)
                return TMPL_EDEPTH;
            r->partials++;
            rc = render_range(r, node->partial, 0, node->partial->n_nodes);
            r->partials--;
            break;
        case TMPL_NODE_TRANSLATE:
            rc = render_translation(r, node);
            break;
        }
        i++;
    }
    return rc;
}

/* Renders t against model (may be NULL) into out, translating {{_ …}} into lang.
 * Returns 0 or < 0 (see tmpl.h); on failure out holds a partial page. */
int tmpl_render(const tmpl_t *t, json_t *model, const char *lang, buf_t *out)
{
    render_t r; /* large (the context stack): on the stack, not in the arena */
    if (!t || !out || !t->set->linked)
        return TMPL_EINVAL;
    r.set = t->set;
    r.lang = lang;
    r.out = out;
    r.depth = 0;
    r.partials = 0;
    r.steps = 0;
    if (model)
        r.stack[r.depth++] = model;
    int rc = render_range(&r, t, 0, t->n_nodes);
    if (rc == 0 && out->overflow)
        rc = BUF_ETOOBIG; /* an earlier caller's append was refused: still not a page */
    return rc;
}
