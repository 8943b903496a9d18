/* xdf.h — what the parts of the XDatenfelder importer share (inside the services
 * module only; the importer's one public function, xdf_to_formdef, is in
 * internal.h). docs/xdatenfelder.md describes the mapping for editors.
 *
 *   xdf.c          reading the XML defensively, the tree helpers, groups → steps,
 *                  the form around them, the notes
 *   xdf_field.c    one Datenfeld: what the file says (xdf_parse_field) and what
 *                  our forms make of it (xdf_emit_field)
 *   xdf_pattern.c  XML Schema regular expressions → POSIX extended ones
 *
 * Every string of one conversion lives in xdf_conv_t.arena; the JSON built is owned
 * by whoever holds it, as jansson's rules say.
 */
#ifndef RATHAUS_MODULES_SERVICES_XDF_H
#define RATHAUS_MODULES_SERVICES_XDF_H

#include <jansson.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "core/arena.h"
#include "core/buf.h"

#define XDF2_NS "urn:xoev-de:fim:standard:xdatenfelder_2"
#define XDF3_NS "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
#define XDF_ROOT "xdatenfelder.stammdatenschema.0102"

/* Limits (STYLE.md rule 5); tests/unit/test_xdf.c hits each. */
#define XDF_MAX_BYTES (8 * 1024 * 1024) /* a large real Stammdatenschema is about 2 MB */
#define XDF_MAX_GROUP_DEPTH 8           /* groups inside groups; FIM schemas use 3 or 4 */
#define XDF_MAX_OPTIONS 500             /* values of one selection list */
#define XDF_MAX_NOTES 500               /* notes kept for the editor; more are counted */
#define XDF_MAX_ID 64                   /* bytes of an identifier (F60000227) */
#define XDF_MAX_RULE_TEXT 2000          /* bytes of a rule's text in a note */
#define XDF_MAX_LENGTH 1000000          /* minLength/maxLength taken as numbers */
#define XDF_MAX_SIZE 2000000000L        /* maxSize (bytes) taken as a number */
#define XDF_TEXTAREA_FROM 256           /* a text field this long or longer gets several lines */
#define XDF_RADIO_UP_TO 5               /* up to this many values: radio buttons, else a list */

/* Limits of docs/forms.md that the output must keep. */
#define FD_MAX_TITLE 200
#define FD_MAX_LABEL 300
#define FD_MAX_HINT 1000
#define FD_MAX_HELP 4000
#define FD_MAX_INTRO 4000
#define FD_MAX_STEPS 30
#define FD_MAX_FIELDS 200
#define FD_MAX_OPTIONS 100
#define FD_MAX_NAME 63
#define FD_MAX_VALUE 64
#define FD_MAX_PATTERN 200
#define FD_TEXT_MAX_LENGTH 1000
#define FD_TEXTAREA_MAX_LENGTH 10000
#define FD_MAX_FILE_SIZE (10 * 1024 * 1024)
#define FD_MAX_FILES 5

/* The state of one conversion. */
typedef struct xdf_conv {
    arena_t arena;        /* every string of the conversion; cleared at the end */
    const xmlChar *ns;    /* the schema's namespace (XDF2_NS or XDF3_NS) */
    int version;          /* 2 or 3 */
    json_t *names;        /* field names in use (an object used as a set) */
    json_t *notes;        /* [{"element", "text"}]: what the editor must look at (the comment) */
    size_t notes_dropped; /* notes beyond XDF_MAX_NOTES */
    size_t field_count;
    char *err;
    size_t errlen;
} xdf_conv_t;

/* What every element (field, group) has. */
typedef struct xdf_element {
    const xmlNode *node;
    const char *id;      /* F60000227, G60000086 */
    const char *version; /* "1.1", "" when none */
    const char *label;   /* bezeichnungEingabe, else name */
    const char *help;    /* hilfetextEingabe, "" when none */
    const char *where;   /* "Datenfeld F60000227" for messages and notes */
} xdf_element_t;

/* Multiplicity ("anzahl"): min..max, max -1 for unbounded ("*"). */
typedef struct xdf_count {
    long min, max;
} xdf_count_t;

typedef struct xdf_option {
    const char *code, *label, *help;
} xdf_option_t;

/* A Datenfeld as the file states it. */
typedef struct xdf_field {
    xdf_element_t e;
    const char *feldart;  /* input, select, label, hidden, locked */
    const char *datentyp; /* text, text_latin, date, time, datetime, bool, num, num_int, num_currency, file, obj */
    const char *inhalt;   /* fixed content (feldart label) or default value */
    long min_length, max_length;       /* -1: not given */
    const char *min_value, *max_value; /* NULL: not given */
    const char *pattern;               /* NULL: not given */
    xdf_option_t *options;             /* inline values (3.0 werte) */
    size_t option_count;
    const char *codelist;    /* a code list referenced but not contained, "" if none */
    const char *media_types; /* 3.0 file fields: "application/pdf,image/jpeg", "" if none */
    long max_size;           /* 3.0 file fields: bytes, -1 when not given */
} xdf_field_t;

/* The step being filled: its fields and its intro (text fields of feldart label). */
typedef struct xdf_step {
    json_t *step;
    json_t *fields;
    buf_t intro;
} xdf_step_t;

/* ---- xdf.c ---- */

/* Writes "Zeile N, <what>: <message>" (the line of at) into the caller's err. Returns -1. */
int xdf_fail(xdf_conv_t *c, const xmlNode *at, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a note for the editor (the form's comment): which element, what happened. */
void xdf_note(xdf_conv_t *c, const char *element, const char *text);
/* 1 when n is the element local of the schema's namespace. */
int xdf_is(const xmlNode *n, const xdf_conv_t *c, const char *local);
/* The first child element named local in the schema's namespace, or NULL. */
xmlNode *xdf_child(const xdf_conv_t *c, const xmlNode *parent, const char *local);
/* The text of n trimmed, carriage returns and control characters dropped; with
 * one_line every run of white space one blank; "" for NULL. In the arena. */
const char *xdf_text(xdf_conv_t *c, const xmlNode *n, int one_line);
const char *xdf_child_text(xdf_conv_t *c, const xmlNode *parent, const char *local, int one_line);
/* The value of a code element (<xdf:feldart><code>input</code></xdf:feldart>). */
const char *xdf_code(xdf_conv_t *c, const xmlNode *parent, const char *local);
/* An attribute's value (no namespace), trimmed, in the arena; NULL when absent. */
const char *xdf_attr(xdf_conv_t *c, const xmlNode *n, const char *name);
/* Reads what every element has (identification, label, help). kind names it
 * in messages ("Datenfeld"). Returns 0 or -1 with err. */
int xdf_parse_element(xdf_conv_t *c, const xmlNode *n, const char *kind, xdf_element_t *e);

/* ---- xdf_field.c ---- */

/* Reads a Datenfeld. Returns 0 or -1 with err. */
int xdf_parse_field(xdf_conv_t *c, const xmlNode *n, xdf_field_t *f);
/* Converts it into a field of step s (or a paragraph, or a note when our forms
 * cannot show it). prefix: the label of the group around it inside the step,
 * "" at the step's level; group_id: that group's identifier, for unique names;
 * required: the field and every group around it are 1:x. Returns 0 or -1. */
int xdf_emit_field(xdf_conv_t *c, const xdf_field_t *f, xdf_step_t *s, const char *prefix, const char *group_id,
                   int required, xdf_count_t count);
/* Adds a paragraph to a step's intro, or a note when it no longer fits. */
void xdf_step_paragraph(xdf_conv_t *c, xdf_step_t *s, const char *text, const char *element);
/* Sets obj's key to text (nothing when ""), cut to max bytes with a note naming what. */
void xdf_set_text(xdf_conv_t *c, json_t *obj, const char *key, const char *text, size_t max, const char *element,
                  const char *what);
/* s cut to at most max bytes at a character boundary, "…" marking the cut. */
const char *xdf_fit(xdf_conv_t *c, const char *s, size_t max, int *cut);

/* ---- xdf_pattern.c ---- */

/* An XML Schema pattern as a POSIX extended regular expression of at most
 * FD_MAX_PATTERN bytes (in arena), or NULL when POSIX cannot say it. */
const char *xdf_pattern_to_ere(arena_t *arena, const char *xsd);

#endif
