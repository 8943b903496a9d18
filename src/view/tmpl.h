/* tmpl.h — the template engine: a mustache subset, compiled once, escaping by default.
 *
 * Syntax (templates/<module>/<name>.html):
 *   {{name}}          value of name, HTML-escaped; dotted names (a.b.c), array
 *                     positions (items.0: "is there a first item?") and {{.}}
 *   {{{name}}}        raw output — only for HTML we built ourselves (say why in a comment)
 *   {{#name}}…{{/name}}  section: once for true/non-empty, once per element of an array,
 *                       with an object pushed as context
 *   {{^name}}…{{/name}}  inverted section: when false, null, missing, "", 0 or []
 *   {{>partial/name}} another template, rendered with the current context
 *   {{_ Text}}        the German text, translated into the request's language (i18n.h)
 *   {{! comment}}
 * Names are looked up from the innermost context outwards. The view model is a
 * jansson json_t, the same model the JSON API returns.
 * Values print as: strings as they are, integers in decimal, reals with %g,
 * true/false as "true"/"false"; null, missing, objects and arrays print nothing.
 * A name missing in the innermost context is found in an outer one, so a partial
 * that recurses over a tree needs "child": null at the leaves, not a missing key.
 * {{_ needs a blank after the underscore: {{_name}} is an ordinary variable.
 *
 * All templates under a directory are compiled at start-up (tmpl_set_load); a syntax
 * error stops the start with file and line. Rendering appends to a capped buf_t in
 * the request arena and never fails half-way silently: it returns < 0 and the
 * caller answers 500.
 */
#ifndef RATHAUS_VIEW_TMPL_H
#define RATHAUS_VIEW_TMPL_H

#include "core/buf.h"
#include <jansson.h>
#include <stddef.h>

typedef struct tmpl_set tmpl_set_t;
typedef struct tmpl tmpl_t;

/* Limits (STYLE.md rule 5); each has a unit test that hits it. */
#define TMPL_MAX_SIZE (1024 * 1024) /* bytes of one template source */
#define TMPL_MAX_NESTING 32         /* sections open inside one another in one template */
#define TMPL_MAX_TAG 256            /* bytes between the braces of a tag */
#define TMPL_MAX_TEXT_TAG 4096      /* the same for {{_ …}} and {{! …}}: whole sentences */
#define TMPL_MAX_PARTIAL_DEPTH 16   /* partials inside partials while rendering */
#define TMPL_MAX_STEPS (1L << 20)   /* work of one render: nodes visited + contexts searched */

/* Render results besides 0; BUF_ENOMEM (-1) and BUF_ETOOBIG (-2) come from buf.h. */
#define TMPL_EDEPTH (-3)  /* partials nested deeper than TMPL_MAX_PARTIAL_DEPTH */
#define TMPL_ESTEPS (-4)  /* more work than TMPL_MAX_STEPS (a runaway loop) */
#define TMPL_EINVAL (-5)  /* NULL template, or the set was not linked after the last add */
#define TMPL_ESYNTAX (-6) /* tmpl_set_add / tmpl_set_link: the message is in err */

/* Translation hook for {{_ …}}: returns the text for msgid in lang (msgid itself
 * when there is none). Set by the caller; NULL means no translation. */
typedef const char *(*tmpl_translate_fn)(const char *lang, const char *msgid);

/* Loads and compiles every *.html below dir; template names are paths relative to
 * dir without the extension ("core/home", "layout"). Partials are resolved at load:
 * a missing partial or recursion deeper than 16 is an error too (recursion that no
 * section guards can only be detected here; guarded recursion is capped at render).
 * On failure returns NULL and writes "file:line: message" into err.
 * The caller owns the set: tmpl_set_free. */
tmpl_set_t *tmpl_set_load(const char *dir, char *err, size_t errlen);
/* Returns an empty set for tmpl_set_add (NULL when out of memory). */
tmpl_set_t *tmpl_set_new(void);
/* Compiles one template from memory into an empty or existing set (used by tests
 * and fuzzing). Returns 0 or < 0 with "name:line: message" in err. */
int tmpl_set_add(tmpl_set_t *set, const char *name, const char *text, size_t len, char *err, size_t errlen);
/* Must be called after the last tmpl_set_add, before rendering (resolves partials). */
int tmpl_set_link(tmpl_set_t *set, char *err, size_t errlen);
void tmpl_set_free(tmpl_set_t *set);
tmpl_t *tmpl_get(const tmpl_set_t *set, const char *name);
void tmpl_set_translator(tmpl_set_t *set, tmpl_translate_fn fn);

/* Renders t with model into out. lang is passed to the translator. Returns 0, or
 * < 0 (BUF_ETOOBIG when out's cap is reached, TMPL_EDEPTH, TMPL_ESTEPS, TMPL_EINVAL);
 * out then holds a partial page that must not be sent. */
int tmpl_render(const tmpl_t *t, json_t *model, const char *lang, buf_t *out);

/* HTML-escapes s[0..n) into out (& < > " ' escaped); the one escape for text and
 * attribute values in double quotes. */
int html_escape(buf_t *out, const char *s, size_t n);

#endif
