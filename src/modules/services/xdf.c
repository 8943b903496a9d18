/* xdf.c — the FIM XDatenfelder importer: a Stammdatenschema (XDatenfelder 2.0 or
 * 3.0.0) becomes one of our form definitions (docs/forms.md). The mapping is
 * described for editors in docs/xdatenfelder.md; in short:
 *
 *   Datenfeldgruppe at the top      → a step (one page of the form)
 *   Datenfeldgruppe inside a group  → its fields stay in the step, labelled with the group
 *   Datenfeld                        → a field, its type from feldart + datentyp (xdf_field.c)
 *   anzahl 1:1 (all the way up)      → required
 *   Regeln, code lists not in the file, repetitions → notes in the form's comment,
 *                                      so that the editor sees what is left to do
 *
 * This file reads the XML and walks the structure. The file comes from an upload,
 * so libxml2 reads it defensively: no network, no entity substitution, and a
 * document type declaration stops the parse at once (XDatenfelder never has one;
 * billion-laughs and external entities need one). The input size and the nesting
 * of groups are capped. Errors name the line and the element ("Zeile 40,
 * Datenfeld F60000227: …") so the editor can find the place in the file.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/utf8.h"
#include "modules/services/internal.h"
#include "modules/services/xdf.h"

/* ---------------------------------------------------------------- context */

/* Writes "Zeile N, <what>: <message>" into the caller's err. Returns -1. */
__attribute__((format(printf, 4, 5))) int xdf_fail(xdf_conv_t *c, const xmlNode *at, const char *what, const char *fmt,
                                                   ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    long line = at ? xmlGetLineNo(at) : -1;
    if (line > 0 && what)
        snprintf(c->err, c->errlen, "Zeile %ld, %s: %s", line, what, msg);
    else if (line > 0)
        snprintf(c->err, c->errlen, "Zeile %ld: %s", line, msg);
    else
        snprintf(c->err, c->errlen, "%s", msg);
    return -1;
}

/* Adds a note for the editor: which element, what happened. */
void xdf_note(xdf_conv_t *c, const char *element, const char *text)
{
    if (json_array_size(c->notes) >= XDF_MAX_NOTES) {
        c->notes_dropped++;
        return;
    }
    json_array_append_new(c->notes, json_pack("{s:s,s:s}", "element", element, "text", text));
}

/* ------------------------------------------------------------ tree access */

int xdf_is(const xmlNode *n, const xdf_conv_t *c, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && !xmlStrcmp(n->ns->href, c->ns) &&
           !xmlStrcmp(n->name, (const xmlChar *)local);
}

/* The first child element named local in the schema's namespace, or NULL. */
xmlNode *xdf_child(const xdf_conv_t *c, const xmlNode *parent, const char *local)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (xdf_is(n, c, local))
            return n;
    return NULL;
}

/* The text of n, white space at the ends removed, carriage returns dropped and,
 * with one_line, every run of white space made one blank; "" for NULL. Lives in
 * the conversion's arena. */
const char *xdf_text(xdf_conv_t *c, const xmlNode *n, int one_line)
{
    if (!n)
        return "";
    xmlChar *raw = xmlNodeGetContent(n);
    if (!raw)
        return "";
    size_t len = strlen((const char *)raw);
    char *out = arena_alloc(&c->arena, len + 1);
    size_t o = 0;
    int pending_space = 0;
    for (const unsigned char *p = raw; *p; p++) {
        if (*p == '\r')
            continue;
        /* other control characters (XML 1.1 allows some) would end up in pages */
        int space = *p == ' ' || *p == '\t' || *p == '\n' || *p < 0x20 || *p == 0x7f;
        if (space && (one_line || *p != '\n')) {
            pending_space = o > 0;
            continue;
        }
        if (*p == '\n') {
            /* a line break in a help text stays; blanks before it go */
            pending_space = 0;
            if (o > 0)
                out[o++] = '\n';
            continue;
        }
        if (pending_space && o > 0 && out[o - 1] != '\n')
            out[o++] = ' ';
        pending_space = 0;
        out[o++] = (char)*p;
    }
    while (o > 0 && (out[o - 1] == '\n' || out[o - 1] == ' '))
        o--;
    out[o] = '\0';
    xmlFree(raw);
    return out;
}

const char *xdf_child_text(xdf_conv_t *c, const xmlNode *parent, const char *local, int one_line)
{
    return xdf_text(c, xdf_child(c, parent, local), one_line);
}

/* The value of a code element (<xdf:feldart><code>input</code></xdf:feldart>).
 * The inner <code> is unqualified in the XSD; any namespace is accepted. */
const char *xdf_code(xdf_conv_t *c, const xmlNode *parent, const char *local)
{
    xmlNode *n = xdf_child(c, parent, local);
    if (!n)
        return "";
    for (xmlNode *k = n->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE && !xmlStrcmp(k->name, (const xmlChar *)"code"))
            return xdf_text(c, k, 1);
    return xdf_text(c, n, 1);
}

/* An attribute's value (no namespace), trimmed, in the arena; NULL when absent. */
const char *xdf_attr(xdf_conv_t *c, const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    const char *s = (const char *)v;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    char *out = arena_strndup(&c->arena, s, len);
    xmlFree(v);
    return out;
}

/* ------------------------------------------------------------- elements */

static int parse_count(xdf_conv_t *c, const xmlNode *struktur, const char *where, xdf_count_t *out)
{
    xmlNode *n = xdf_child(c, struktur, "anzahl");
    const char *s = xdf_text(c, n, 1);
    out->min = 1;
    out->max = 1;
    if (!*s)
        return 0; /* the XSD requires it; without it the element counts once */
    char *end;
    long min = strtol(s, &end, 10);
    if (end == s || *end != ':' || min < 0 || min > 100000)
        return xdf_fail(c, n, where, "Anzahl '%s' ist nicht in der Form 1:1, 0:1 oder 0:*.", s);
    const char *m = end + 1;
    long max;
    if (!strcmp(m, "*")) {
        max = -1;
    } else {
        max = strtol(m, &end, 10);
        if (end == m || *end || max < min || max > 100000)
            return xdf_fail(c, n, where, "Anzahl '%s' ist nicht in der Form 1:1, 0:1 oder 0:*.", s);
    }
    out->min = min;
    out->max = max;
    return 0;
}

int xdf_parse_element(xdf_conv_t *c, const xmlNode *n, const char *kind, xdf_element_t *e)
{
    e->node = n;
    xmlNode *ident = xdf_child(c, n, "identifikation");
    e->id = xdf_child_text(c, ident, "id", 1);
    e->version = xdf_child_text(c, ident, "version", 1);
    e->where = arena_printf(&c->arena, "%s %s", kind, *e->id ? e->id : "ohne Kennung");
    if (!*e->id)
        return xdf_fail(c, n, kind, "Die Kennung (identifikation/id) fehlt.");
    if (strlen(e->id) > XDF_MAX_ID)
        return xdf_fail(c, n, kind, "Die Kennung ist länger als %d Zeichen.", XDF_MAX_ID);
    e->label = xdf_child_text(c, n, "bezeichnungEingabe", 1);
    if (!*e->label) /* 3.0 calls a schema's label just "bezeichnung" */
        e->label = xdf_child_text(c, n, "bezeichnung", 1);
    if (!*e->label)
        e->label = xdf_child_text(c, n, "name", 1);
    if (!*e->label)
        return xdf_fail(c, n, e->where, "Weder Bezeichnung (bezeichnungEingabe) noch Name angegeben.");
    e->help = xdf_child_text(c, n, "hilfetextEingabe", 0);
    return 0;
}

/* Rules (Regeln) cannot be run by our forms: each becomes a note with its name
 * and text, so the editor can rebuild it (show_if, a pattern) or check it in
 * case work. */
static void note_rules(xdf_conv_t *c, const xmlNode *n, const char *element_id)
{
    for (xmlNode *r = n->children; r; r = r->next) {
        if (!xdf_is(r, c, "regel"))
            continue;
        xmlNode *ident = xdf_child(c, r, "identifikation");
        const char *rid = xdf_child_text(c, ident, "id", 1);
        const char *name = xdf_child_text(c, r, "name", 1);
        /* 3.0 has freitextRegel; 2.0 only beschreibung and definition */
        const char *text = xdf_child_text(c, r, "freitextRegel", 1);
        if (!*text)
            text = xdf_child_text(c, r, "beschreibung", 1);
        if (!*text)
            text = xdf_child_text(c, r, "definition", 1);
        const char *script = xdf_child_text(c, r, c->version == 3 ? "skript" : "script", 1);
        size_t tl = strlen(text), sl = strlen(script);
        if (tl > XDF_MAX_RULE_TEXT)
            tl = utf8_truncate(text, tl, XDF_MAX_RULE_TEXT);
        if (sl > XDF_MAX_RULE_TEXT)
            sl = utf8_truncate(script, sl, XDF_MAX_RULE_TEXT);
        xdf_note(c, element_id,
                 arena_printf(&c->arena, "Regel %s „%s“ wurde nicht übernommen%s%.*s%s%.*s",
                              *rid ? rid : "ohne Kennung", name, tl ? ": " : ".", (int)tl, text, sl ? " Skript: " : "",
                              (int)sl, script));
    }
}

/* ------------------------------------------------------- groups and steps */

/* The one element inside <struktur><enthaelt>: a datenfeld or datenfeldgruppe. */
static int struktur_element(xdf_conv_t *c, const xmlNode *struktur, const char *where, xmlNode **out, int *is_group)
{
    xmlNode *enthaelt = xdf_child(c, struktur, "enthaelt");
    for (xmlNode *n = enthaelt ? enthaelt->children : NULL; n; n = n->next) {
        if (xdf_is(n, c, "datenfeld") || xdf_is(n, c, "datenfeldgruppe")) {
            *out = n;
            *is_group = xdf_is(n, c, "datenfeldgruppe");
            return 0;
        }
    }
    return xdf_fail(c, struktur, where, "Ein Strukturelement (struktur) enthält weder Datenfeld noch Datenfeldgruppe.");
}

static xdf_step_t step_new(xdf_conv_t *c, const char *title, const char *element)
{
    xdf_step_t s;
    s.step = json_object();
    s.fields = json_array();
    buf_init(&s.intro, &c->arena, 256, FD_MAX_INTRO + 1);
    xdf_set_text(c, s.step, "title", title, FD_MAX_TITLE, element, "Der Titel des Schritts");
    return s;
}

/* Finishes a step into steps; a step with nothing to show is left out. */
static int step_finish(xdf_conv_t *c, xdf_step_t *s, json_t *steps, const char *element, const xmlNode *at)
{
    if (s->intro.len)
        json_object_set_new(s->step, "intro", json_string(buf_cstr(&s->intro)));
    json_object_set_new(s->step, "fields", s->fields);
    if (json_array_size(s->fields) == 0 && s->intro.len == 0) {
        xdf_note(c, element,
                 "Die Gruppe hat nichts, was Bürgerinnen und Bürger eingeben könnten; sie wurde kein eigener Schritt.");
        json_decref(s->step);
        return 0;
    }
    if (json_array_size(steps) >= FD_MAX_STEPS) {
        json_decref(s->step);
        return xdf_fail(
            c, at, NULL,
            "Das Schema hat mehr als %d Gruppen auf oberster Ebene; ein Formular hat höchstens %d Schritte.",
            FD_MAX_STEPS, FD_MAX_STEPS);
    }
    json_array_append_new(steps, s->step);
    return 0;
}

/* Our forms ask each group once, and a group that may be left out makes its
 * fields optional: both are worth a note. required: the groups around it are 1:x. */
static void note_group_count(xdf_conv_t *c, const xdf_element_t *g, xdf_count_t count, int required)
{
    if (count.max != 1)
        xdf_note(c, g->id,
                 arena_printf(&c->arena,
                              "Gruppe „%s“ darf laut Schema mehrfach vorkommen; das Formular fragt sie einmal ab.",
                              g->label));
    if (required && count.min == 0)
        xdf_note(c, g->id,
                 arena_printf(
                     &c->arena,
                     "Gruppe „%s“ ist freiwillig (Anzahl 0:…); ihre Pflichtfelder wurden als freiwillig übernommen.",
                     g->label));
}

/* Walks the struktur children of a group into step s. depth: groups so far. */
static int walk_group(xdf_conv_t *c, const xmlNode *group, const xdf_element_t *g, xdf_step_t *s, const char *prefix,
                      int depth, int required)
{
    if (depth > XDF_MAX_GROUP_DEPTH)
        return xdf_fail(c, group, g->where, "Die Gruppen sind tiefer als %d Ebenen verschachtelt.",
                        XDF_MAX_GROUP_DEPTH);
    note_rules(c, group, g->id);
    for (xmlNode *st = group->children; st; st = st->next) {
        if (!xdf_is(st, c, "struktur"))
            continue;
        xdf_count_t count;
        xmlNode *el;
        int is_group;
        if (parse_count(c, st, g->where, &count) || struktur_element(c, st, g->where, &el, &is_group))
            return -1;
        if (is_group) {
            xdf_element_t inner;
            if (xdf_parse_element(c, el, "Datenfeldgruppe", &inner))
                return -1;
            note_group_count(c, &inner, count, required);
            if (*inner.help) {
                int cut;
                xdf_step_paragraph(
                    c, s, arena_printf(&c->arena, "%s: %s", inner.label, xdf_fit(c, inner.help, FD_MAX_HELP, &cut)),
                    inner.id);
            }
            if (walk_group(c, el, &inner, s, inner.label, depth + 1, required && count.min > 0))
                return -1;
        } else {
            xdf_field_t f;
            if (xdf_parse_field(c, el, &f))
                return -1;
            note_rules(c, el, f.e.id);
            if (xdf_emit_field(c, &f, s, prefix, g->id, required && count.min > 0, count))
                return -1;
        }
    }
    return 0;
}

/* The schema's struktur children: top-level groups become steps; fields at the top
 * level are gathered into a step of their own, named after the schema. */
static int walk_schema(xdf_conv_t *c, const xmlNode *schema, const xdf_element_t *sd, json_t *steps)
{
    xdf_step_t loose;
    int have_loose = 0;
    for (xmlNode *st = schema->children; st; st = st->next) {
        if (!xdf_is(st, c, "struktur"))
            continue;
        xdf_count_t count;
        xmlNode *el;
        int is_group;
        if (parse_count(c, st, sd->where, &count) || struktur_element(c, st, sd->where, &el, &is_group))
            goto fail;
        if (is_group) {
            if (have_loose && step_finish(c, &loose, steps, sd->id, st))
                return -1;
            have_loose = 0;
            xdf_element_t g;
            if (xdf_parse_element(c, el, "Datenfeldgruppe", &g))
                return -1;
            note_group_count(c, &g, count, 1);
            xdf_step_t s = step_new(c, g.label, g.id);
            if (*g.help)
                xdf_step_paragraph(c, &s, g.help, g.id);
            if (walk_group(c, el, &g, &s, "", 1, count.min > 0)) {
                json_decref(s.step);
                json_decref(s.fields);
                return -1;
            }
            if (step_finish(c, &s, steps, g.id, el))
                return -1;
        } else {
            if (!have_loose) {
                loose = step_new(c, sd->label, sd->id);
                have_loose = 1;
            }
            xdf_field_t f;
            if (xdf_parse_field(c, el, &f))
                goto fail;
            note_rules(c, el, f.e.id);
            if (xdf_emit_field(c, &f, &loose, "", sd->id, count.min > 0, count))
                goto fail;
        }
    }
    if (have_loose && step_finish(c, &loose, steps, sd->id, schema))
        return -1;
    return 0;
fail:
    if (have_loose) {
        json_decref(loose.step);
        json_decref(loose.fields);
    }
    return -1;
}

/* ------------------------------------------------------------- parsing */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
    xmlInitParser();
}

/* libxml2 reports some problems (encoding errors of the input) through its
 * generic handler, which prints to stderr; the first_error hook already has them. */
static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* Why a parse was refused before libxml2 finished. */
typedef struct parse_guard {
    int saw_doctype;
    int error_line; /* of the first error: later ones are often its echo */
    char error[200];
} parse_guard_t;

/* Structured error hook: keeps the first error, which names the real place (a
 * tag closed in the wrong order), where the last would say "premature end". */
static void first_error(void *ctx, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_guard_t *guard = ctxt ? ctxt->_private : NULL;
    if (!guard || !e || guard->error[0] || e->level < XML_ERR_ERROR)
        return;
    snprintf(guard->error, sizeof(guard->error), "%s", e->message ? e->message : "unbekannter Fehler");
    size_t n = strlen(guard->error);
    while (n && (guard->error[n - 1] == '\n' || guard->error[n - 1] == ' '))
        guard->error[--n] = '\0';
    guard->error_line = e->line;
}

/* SAX hook: a document type declaration is where entities (billion laughs,
 * external files) are declared. XDatenfelder has none, so the parse stops here,
 * before libxml2 reads a single declaration of the internal subset. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlParserCtxtPtr ctxt = ctx;
    parse_guard_t *guard = ctxt->_private;
    guard->saw_doctype = 1;
    xmlStopParser(ctxt);
}

/* Parses xml into a document (caller frees), or NULL with err. */
static xmlDocPtr parse_xml(const char *xml, size_t len, char *err, size_t errlen)
{
    pthread_once(&xml_once, xml_init);
    xmlSetGenericErrorFunc(NULL, silent); /* per thread in libxml2's threaded build */
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        snprintf(err, errlen, "Kein Speicher für den XML-Parser.");
        return NULL;
    }
    parse_guard_t guard = {0};
    ctxt->_private = &guard;
    ctxt->sax->internalSubset = refuse_doctype;
    ctxt->sax->serror = first_error;
    /* NONET: no network; no NOENT: entities are never substituted; no DTDLOAD,
     * no XINCLUDE; BIG_LINES: true line numbers in messages beyond 65535. */
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "xdatenfelder.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                                          XML_PARSE_BIG_LINES);
    if (guard.saw_doctype) {
        snprintf(err, errlen,
                 "Die Datei enthält eine Dokumenttyp-Deklaration (<!DOCTYPE …>). XDatenfelder-Dateien haben keine; aus "
                 "Sicherheitsgründen nehmen wir solche Dateien nicht an.");
        xmlFreeDoc(doc);
        doc = NULL;
    } else if (!doc || !ctxt->wellFormed) {
        const char *msg = guard.error[0] ? guard.error : "unbekannter Fehler";
        if (guard.error_line > 0)
            snprintf(err, errlen, "Zeile %d: Die Datei ist kein wohlgeformtes XML (%s).", guard.error_line, msg);
        else
            snprintf(err, errlen, "Die Datei ist kein wohlgeformtes XML (%s).", msg);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

/* ------------------------------------------------------------ the whole */

/* The form's comment: where it came from and the notes, one per line. */
static char *comment_text(xdf_conv_t *c, const char *standard, const xdf_element_t *sd, const char *message_id)
{
    buf_t b;
    buf_init(&b, &c->arena, 1024, 4 * 1024 * 1024);
    buf_appendf(&b, "Übernommen aus FIM %s: Stammdatenschema %s%s%s „%s“%s%s.", standard, sd->id,
                *sd->version ? " Version " : "", sd->version, sd->label, *message_id ? ", Nachricht " : "", message_id);
    size_t n = json_array_size(c->notes);
    if (n)
        buf_appendf(&b, " Bitte prüfen (%zu Hinweis%s):", n + c->notes_dropped, n + c->notes_dropped == 1 ? "" : "e");
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(c->notes, i);
        buf_appendf(&b, "\n%s: %s", json_string_value(json_object_get(e, "element")),
                    json_string_value(json_object_get(e, "text")));
    }
    if (c->notes_dropped)
        buf_appendf(&b, "\n… und %zu weitere Hinweise.", c->notes_dropped);
    return arena_strdup(&c->arena, buf_cstr(&b));
}

/* Picks summary_fields: the given and family names, when the schema has them. */
static void summary_fields(json_t *form)
{
    const char *given = NULL, *family = NULL;
    json_t *steps = json_object_get(form, "steps");
    for (size_t i = 0; i < json_array_size(steps); i++) {
        json_t *fields = json_object_get(json_array_get(steps, i), "fields");
        for (size_t k = 0; k < json_array_size(fields); k++) {
            json_t *f = json_array_get(fields, k);
            const char *ac = json_string_value(json_object_get(f, "autocomplete"));
            const char *name = json_string_value(json_object_get(f, "name"));
            if (ac && !given && !strcmp(ac, "given-name"))
                given = name;
            if (ac && !family && !strcmp(ac, "family-name"))
                family = name;
        }
    }
    if (given && family)
        json_object_set_new(form, "summary_fields", json_pack("[s,s]", given, family));
}

static int valid_form_key(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n < 1 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') || key[i] == '-'))
            return 0;
    return 1;
}

json_t *xdf_to_formdef(const char *xml, size_t len, const char *form_key, char *err, size_t errlen)
{
    json_t *form = NULL, *steps = NULL;
    xmlDocPtr doc = NULL;
    xdf_conv_t c = {0};
    arena_init(&c.arena);
    c.err = err;
    c.errlen = errlen;
    c.names = json_object();
    c.notes = json_array();

    if (!valid_form_key(form_key)) {
        snprintf(err, errlen, "Der Schlüssel „%s“ passt nicht: 1 bis 63 Zeichen aus a–z, 0–9 und Bindestrich.",
                 form_key ? form_key : "");
        goto done;
    }
    size_t blank = 0;
    while (blank < len && isspace((unsigned char)xml[blank]))
        blank++;
    if (!xml || blank == len) {
        snprintf(err, errlen, "Die Datei ist leer.");
        goto done;
    }
    if (len > XDF_MAX_BYTES) {
        snprintf(err, errlen, "Die Datei ist größer als %d MB.", XDF_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    doc = parse_xml(xml, len, err, errlen);
    if (!doc)
        goto done;

    xmlNode *root = xmlDocGetRootElement(doc);
    const char *href = root && root->ns ? (const char *)root->ns->href : "";
    if (!strcmp(href, XDF2_NS)) {
        c.version = 2;
    } else if (!strcmp(href, XDF3_NS)) {
        c.version = 3;
    } else {
        xdf_fail(
            &c, root, NULL,
            "Das Wurzelelement <%s> gehört zum Namensraum „%s“. Erwartet wird XDatenfelder 2.0 (%s) oder 3.0 (%s).",
            root ? (const char *)root->name : "", href, XDF2_NS, XDF3_NS);
        goto done;
    }
    c.ns = root->ns->href;
    if (xmlStrcmp(root->name, (const xmlChar *)XDF_ROOT) != 0) {
        xdf_fail(&c, root, NULL, "Das Wurzelelement ist <%s>; ein Stammdatenschema beginnt mit <%s>.",
                 (const char *)root->name, XDF_ROOT);
        goto done;
    }
    const char *message_id = xdf_child_text(&c, xdf_child(&c, root, "header"), "nachrichtID", 1);
    xmlNode *schema = xdf_child(&c, root, "stammdatenschema");
    if (!schema) {
        xdf_fail(&c, root, NULL, "Das Element <stammdatenschema> fehlt.");
        goto done;
    }
    xdf_element_t sd;
    if (xdf_parse_element(&c, schema, "Stammdatenschema", &sd))
        goto done;
    note_rules(&c, schema, sd.id);

    form = json_object();
    steps = json_array();
    if (walk_schema(&c, schema, &sd, steps))
        goto done;
    if (json_array_size(steps) == 0) {
        xdf_fail(&c, schema, sd.where,
                 "Das Schema enthält keine Felder, die Bürgerinnen und Bürger ausfüllen könnten.");
        goto done;
    }
    json_object_set_new(form, "form_key", json_string(form_key));
    xdf_set_text(&c, form, "title", sd.label, FD_MAX_TITLE, sd.id, "Der Titel des Schemas");
    /* the schema's own help text (2.0: hilfetext) is written for citizens */
    xdf_set_text(&c, form, "intro", xdf_child_text(&c, schema, "hilfetext", 0), FD_MAX_INTRO, sd.id,
                 "Der Hilfetext des Schemas");
    json_object_set_new(form, "steps", steps);
    steps = NULL;
    summary_fields(form);
    json_object_set_new(
        form, "comment",
        json_string(comment_text(&c, c.version == 3 ? "XDatenfelder 3.0" : "XDatenfelder 2.0", &sd, message_id)));
    json_t *ok = form;
    form = NULL;
    json_decref(c.names);
    json_decref(c.notes);
    xmlFreeDoc(doc);
    arena_clear(&c.arena);
    return ok;

done:
    json_decref(form);
    json_decref(steps);
    json_decref(c.names);
    json_decref(c.notes);
    xmlFreeDoc(doc);
    arena_clear(&c.arena);
    return NULL;
}
