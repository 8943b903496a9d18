/* tmpl_internal.h — what the three parts of the template engine share; not for callers.
 *
 * tmpl_parse.c compiles a source text into a flat array of nodes, tmpl.c keeps the
 * set (names, partial links, loading from disk) and tmpl_render.c walks the nodes.
 * A section node and its children are contiguous: children are the nodes
 * [i + 1, node.end), so rendering never re-parses and never searches for a closer.
 */
#ifndef RATHAUS_VIEW_TMPL_INTERNAL_H
#define RATHAUS_VIEW_TMPL_INTERNAL_H

#include "view/tmpl.h"
#include <stddef.h>
#include <stdint.h>

enum tmpl_node_kind {
    TMPL_NODE_TEXT,      /* literal bytes */
    TMPL_NODE_VAR,       /* {{name}}: escaped value */
    TMPL_NODE_RAW,       /* {{{name}}}: unescaped value */
    TMPL_NODE_SECTION,   /* {{#name}} … {{/name}} */
    TMPL_NODE_INVERTED,  /* {{^name}} … {{/name}} */
    TMPL_NODE_PARTIAL,   /* {{>name}} */
    TMPL_NODE_TRANSLATE, /* {{_ msgid}} */
};

typedef struct tmpl_node {
    const char *str;            /* text bytes, name or msgid, inside tmpl.src; names and
                                 * msgids are NUL-terminated there, text is not */
    uint32_t len;               /* bytes at str */
    uint32_t line;              /* source line of the tag or text start, for errors */
    uint32_t end;               /* sections: index just past their last child */
    uint8_t kind;               /* enum tmpl_node_kind */
    const struct tmpl *partial; /* TMPL_NODE_PARTIAL: resolved by tmpl_set_link */
} tmpl_node_t;

struct tmpl {
    char *name;            /* "core/home": how partials and tmpl_get refer to it */
    char *origin;          /* what error messages name: file path, or the name */
    char *src;             /* private copy of the source; nodes point into it */
    tmpl_node_t *nodes;    /* the compiled template */
    size_t n_nodes;        /* entries in nodes */
    const tmpl_set_t *set; /* owner, for the translator and the link state */
    int link_depth;        /* tmpl_set_link's memo: LINK_UNSEEN, LINK_VISITING or depth */
};

struct tmpl_set {
    tmpl_t **items;              /* sorted by name, so tmpl_get is a binary search */
    size_t n, cap;               /* used and allocated entries of items */
    tmpl_translate_fn translate; /* for {{_ …}}; NULL prints the msgid */
    int linked;                  /* 1 after tmpl_set_link succeeded and nothing was added */
};

/* Compiles text[0..len) into t->src / t->nodes; t->origin must be set. Returns 0, or
 * TMPL_ESYNTAX / BUF_ENOMEM with "origin:line: message" in err. On failure t holds
 * nothing that needs freeing beyond what tmpl_free_one frees. */
int tmpl_compile(tmpl_t *t, const char *text, size_t len, char *err, size_t errlen);

/* Frees one template and everything it owns. */
void tmpl_free_one(tmpl_t *t);

/* 1 when s[0..n) is a usable name: [A-Za-z0-9_.-] in non-empty dot-separated segments,
 * or "." alone; with allow_slash (partials and template names) also '/', and dots
 * are then ordinary characters. */
int tmpl_name_ok(const char *s, size_t n, int allow_slash);

/* Copies s[0..n) into dst for an error message: at most 40 bytes, anything
 * unprintable shown as '?', so that a broken file cannot put escape sequences or
 * newlines into the log. dstlen must be at least 8. */
void tmpl_quote(char *dst, size_t dstlen, const char *s, size_t n);

/* snprintf into err, which may be NULL or empty (then nothing is written). */
void tmpl_errorf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
