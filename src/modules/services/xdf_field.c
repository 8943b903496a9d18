/* xdf_field.c — one Datenfeld of an XDatenfelder schema: xdf_parse_field reads
 * what the file says (feldart, datentyp, praezisierung of 2.0 as JSON text or of
 * 3.0 as attributes, the values of 3.0 werte, a code list reference, file types
 * and size), xdf_emit_field turns it into a field of our forms (docs/forms.md):
 * its type, name, label, help, required, checks and options — and a note for
 * whatever our forms cannot express. The table is in docs/xdatenfelder.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "core/utf8.h"
#include "modules/services/formdef.h"
#include "modules/services/xdf.h"

/* ---------------------------------------------------------------- fields */

/* A whole number 0..max from praezisierung (a JSON string or number in 2.0, an
 * attribute in 3.0) or maxSize. */
static int parse_number(xdf_conv_t *c, const xdf_field_t *f, const char *s, const char *what, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    while (*end == ' ')
        end++;
    if (end == s || *end || v < 0 || v > max)
        return xdf_fail(c, f->e.node, f->e.where, "%s '%s' ist keine ganze Zahl zwischen 0 und %ld.", what, s, max);
    *out = v;
    return 0;
}

/* praezisierung of 2.0: a JSON object in the element's text,
 * {"minLength":"1","maxLength":"120","minValue":…,"maxValue":…,"pattern":…}. */
static int parse_precision_v2(xdf_conv_t *c, const xmlNode *p, xdf_field_t *f)
{
    const char *s = xdf_text(c, p, 1);
    if (!*s)
        return 0;
    json_error_t jerr;
    json_t *o = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        xdf_note(c, f->e.id,
                 arena_printf(&c->arena, "Die Präzisierung „%s“ ist kein JSON-Objekt und wurde nicht übernommen.", s));
        return 0;
    }
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        const char *val = json_is_string(v)    ? arena_strdup(&c->arena, json_string_value(v))
                          : json_is_integer(v) ? arena_printf(&c->arena, "%lld", (long long)json_integer_value(v))
                          : json_is_real(v)    ? arena_printf(&c->arena, "%g", json_real_value(v))
                                               : NULL;
        if (!val) {
            xdf_note(c, f->e.id,
                     arena_printf(&c->arena, "Präzisierung „%s“ hat keinen einfachen Wert und wurde nicht übernommen.",
                                  key));
            continue;
        }
        if (!strcmp(key, "minLength"))
            rc = parse_number(c, f, val, "minLength", XDF_MAX_LENGTH, &f->min_length);
        else if (!strcmp(key, "maxLength"))
            rc = parse_number(c, f, val, "maxLength", XDF_MAX_LENGTH, &f->max_length);
        else if (!strcmp(key, "minValue"))
            f->min_value = val;
        else if (!strcmp(key, "maxValue"))
            f->max_value = val;
        else if (!strcmp(key, "pattern"))
            f->pattern = val;
        else
            xdf_note(c, f->e.id,
                     arena_printf(&c->arena, "Präzisierung „%s“ ist unbekannt und wurde nicht übernommen.", key));
        if (rc)
            break;
    }
    json_decref(o);
    return rc;
}

/* praezisierung of 3.0: attributes minLength, maxLength, minValue, maxValue, pattern. */
static int parse_precision_v3(xdf_conv_t *c, const xmlNode *p, xdf_field_t *f)
{
    const char *v;
    if ((v = xdf_attr(c, p, "minLength")) && parse_number(c, f, v, "minLength", XDF_MAX_LENGTH, &f->min_length))
        return -1;
    if ((v = xdf_attr(c, p, "maxLength")) && parse_number(c, f, v, "maxLength", XDF_MAX_LENGTH, &f->max_length))
        return -1;
    f->min_value = xdf_attr(c, p, "minValue");
    f->max_value = xdf_attr(c, p, "maxValue");
    f->pattern = xdf_attr(c, p, "pattern");
    return 0;
}

/* 3.0 inline values: <xdf:werte><xdf:wert><xdf:code/><xdf:name/><xdf:hilfe/></xdf:wert>…</xdf:werte>. */
static int parse_values(xdf_conv_t *c, const xmlNode *werte, xdf_field_t *f)
{
    size_t n = 0;
    for (xmlNode *w = werte->children; w; w = w->next)
        if (xdf_is(w, c, "wert"))
            n++;
    if (n > XDF_MAX_OPTIONS)
        return xdf_fail(c, werte, f->e.where, "Die Werteliste hat %zu Einträge, höchstens %d sind möglich.", n,
                        XDF_MAX_OPTIONS);
    f->options = arena_alloc(&c->arena, (n ? n : 1) * sizeof(*f->options));
    for (xmlNode *w = werte->children; w; w = w->next) {
        if (!xdf_is(w, c, "wert"))
            continue;
        xdf_option_t *o = &f->options[f->option_count];
        o->code = xdf_child_text(c, w, "code", 1);
        o->label = xdf_child_text(c, w, "name", 1);
        o->help = xdf_child_text(c, w, "hilfe", 1);
        if (!*o->code)
            return xdf_fail(c, w, f->e.where, "Ein Wert der Werteliste hat keinen Code.");
        if (!*o->label)
            o->label = o->code;
        for (size_t i = 0; i < f->option_count; i++)
            if (!strcmp(f->options[i].code, o->code))
                return xdf_fail(c, w, f->e.where, "Der Code '%s' steht zweimal in der Werteliste.", o->code);
        f->option_count++;
    }
    return 0;
}

/* The code list a field refers to, for the note: its canonical URI and version. */
static const char *codelist_name(xdf_conv_t *c, const xmlNode *ref)
{
    xmlNode *g = xdf_child(c, ref, "genericodeIdentification");
    const char *uri = xdf_child_text(c, g, "canonicalVersionUri", 1);
    if (!*uri)
        uri = xdf_child_text(c, g, "canonicalIdentification", 1);
    if (!*uri) /* 3.0 puts them directly into codelisteReferenz */
        uri = xdf_child_text(c, ref, "canonicalVersionUri", 1);
    if (!*uri)
        uri = xdf_child_text(c, ref, "canonicalIdentification", 1);
    if (!*uri)
        uri = xdf_child_text(c, xdf_child(c, ref, "identifikation"), "id", 1);
    return *uri ? uri : "ohne Kennung";
}

int xdf_parse_field(xdf_conv_t *c, const xmlNode *n, xdf_field_t *f)
{
    memset(f, 0, sizeof(*f));
    f->min_length = f->max_length = f->max_size = -1;
    f->codelist = f->media_types = "";
    if (xdf_parse_element(c, n, "Datenfeld", &f->e))
        return -1;
    f->feldart = xdf_code(c, n, "feldart");
    f->datentyp = xdf_code(c, n, "datentyp");
    f->inhalt = xdf_child_text(c, n, "inhalt", 0);
    if (!*f->feldart)
        return xdf_fail(c, n, f->e.where, "Die Feldart (feldart) fehlt.");
    if (!*f->datentyp)
        return xdf_fail(c, n, f->e.where, "Der Datentyp (datentyp) fehlt.");
    xmlNode *p = xdf_child(c, n, "praezisierung");
    if (p && (c->version == 3 ? parse_precision_v3(c, p, f) : parse_precision_v2(c, p, f)))
        return -1;
    if (f->min_length >= 0 && f->max_length >= 0 && f->min_length > f->max_length)
        return xdf_fail(c, p, f->e.where, "minLength (%ld) ist größer als maxLength (%ld).", f->min_length,
                        f->max_length);
    xmlNode *werte = xdf_child(c, n, "werte");
    if (werte && parse_values(c, werte, f))
        return -1;
    xmlNode *ref = xdf_child(c, n, "codelisteReferenz");
    if (ref)
        f->codelist = codelist_name(c, ref);
    if (c->version == 3) {
        const char *size = xdf_child_text(c, n, "maxSize", 1);
        if (*size && parse_number(c, f, size, "maxSize", XDF_MAX_SIZE, &f->max_size))
            return -1;
        /* mediaType may repeat: collect them into one accept list */
        char *types = "";
        for (xmlNode *m = n->children; m; m = m->next)
            if (xdf_is(m, c, "mediaType")) {
                const char *t = xdf_text(c, m, 1);
                if (*t)
                    types = *types ? arena_printf(&c->arena, "%s,%s", types, t) : arena_strdup(&c->arena, t);
            }
        f->media_types = types;
    }
    return 0;
}

/* -------------------------------------------------- our format: one field */

/* s cut to at most max bytes at a character boundary, "…" marking the cut;
 * *cut tells whether it was cut. */
const char *xdf_fit(xdf_conv_t *c, const char *s, size_t max, int *cut)
{
    size_t n = strlen(s);
    *cut = n > max;
    if (!*cut)
        return s;
    size_t keep = utf8_truncate(s, n, max - 3); /* "…" is three bytes */
    return arena_printf(&c->arena, "%.*s…", (int)keep, s);
}

/* Case-insensitive "contains" for ASCII words in UTF-8 text. */
static int contains_word(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, n))
            return 1;
    return 0;
}

/* The field's name: its FIM identifier in lower case (F60000227 → f60000227), so
 * that a new version of the schema keeps the names of the answers. An element used
 * twice (the same Anschrift for two people) gets its group's identifier in front;
 * failing that, a number behind. */
static const char *field_name(xdf_conv_t *c, const char *id, const char *group_id)
{
    char base[FD_MAX_NAME + 1];
    size_t o = 0;
    for (const char *p = id; *p && o < 40; p++) {
        unsigned char ch = (unsigned char)*p;
        base[o++] = isalnum(ch) && ch < 0x80 ? (char)tolower(ch) : '_';
    }
    base[o] = '\0';
    const char *name =
        (base[0] >= 'a' && base[0] <= 'z') ? arena_strdup(&c->arena, base) : arena_printf(&c->arena, "f_%s", base);
    if (json_object_get(c->names, name) && group_id && *group_id) {
        char g[24];
        size_t k = 0;
        for (const char *p = group_id; *p && k < sizeof(g) - 1; p++) {
            unsigned char ch = (unsigned char)*p;
            g[k++] = isalnum(ch) && ch < 0x80 ? (char)tolower(ch) : '_';
        }
        g[k] = '\0';
        name = arena_printf(&c->arena, "%s%s_%s", (g[0] >= 'a' && g[0] <= 'z') ? "" : "g_", g, name);
    }
    const char *candidate = name;
    for (int i = 2; json_object_get(c->names, candidate); i++)
        candidate = arena_printf(&c->arena, "%.50s_%d", name, i);
    json_object_set_new(c->names, candidate, json_true());
    return candidate;
}

/* An option value of ours from an XDatenfelder code: [a-z0-9_-], 1–64 bytes.
 * "01" stays "01", "Männlich" becomes "m_nnlich"; *changed tells. */
static const char *option_value(xdf_conv_t *c, const char *code, int *changed)
{
    size_t n = strlen(code);
    if (n > FD_MAX_VALUE)
        n = FD_MAX_VALUE;
    char *v = arena_strndup(&c->arena, code, n);
    *changed = strlen(code) > FD_MAX_VALUE;
    for (char *p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        char out = (ch < 0x80 && (isalnum(ch) || ch == '-' || ch == '_')) ? (char)tolower(ch) : '_';
        if (out != *p)
            *changed = 1;
        *p = out;
    }
    return v;
}

/* A number of XDatenfelder (minValue "0", "1.5", "1,5") as JSON, or NULL. */
static json_t *number_value(const char *s)
{
    if (!s || !*s || strlen(s) > 30)
        return NULL;
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%s", s);
    for (char *p = tmp; *p; p++)
        if (*p == ',')
            *p = '.';
    char *end;
    long long i = strtoll(tmp, &end, 10);
    if (end != tmp && !*end)
        return json_integer(i);
    double d = strtod(tmp, &end);
    if (end == tmp || *end || d != d || d > 1e15 || d < -1e15)
        return NULL;
    return json_real(d);
}

/* 1 when s is a date yyyy-mm-dd that our not_before/not_after take. */
static int iso_date(const char *s)
{
    int y, m, d;
    return s && formdef_parse_date(s, &y, &m, &d);
}

/* Input purposes (WCAG 1.3.5) for the labels FIM uses for a person's own data. */
static const char *autocomplete_for(const char *label, const char *type)
{
    static const struct {
        const char *label, *type, *token;
    } table[] = {
        {"Familienname", "text", "family-name"},    {"Nachname", "text", "family-name"},
        {"Vorname", "text", "given-name"},          {"Vornamen", "text", "given-name"},
        {"Vorname(n)", "text", "given-name"},       {"Rufname", "text", "given-name"},
        {"Doktorgrad", "text", "honorific-prefix"}, {"Geburtsdatum", "date", "bday"},
        {"Postleitzahl", "text", "postal-code"},    {"PLZ", "text", "postal-code"},
        {"Ort", "text", "address-level2"},          {"Wohnort", "text", "address-level2"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (!strcmp(label, table[i].label) && !strcmp(type, table[i].type))
            return table[i].token;
    if (!strcmp(type, "email"))
        return "email";
    if (!strcmp(type, "phone"))
        return "tel";
    return NULL;
}

/* Sets key to text when it fits, else the cut text and a note. */
void xdf_set_text(xdf_conv_t *c, json_t *obj, const char *key, const char *text, size_t max, const char *element,
                  const char *what)
{
    if (!*text)
        return;
    int cut;
    const char *v = xdf_fit(c, text, max, &cut);
    if (cut)
        xdf_note(c, element, arena_printf(&c->arena, "%s ist länger als %zu Zeichen und wurde gekürzt.", what, max));
    json_object_set_new(obj, key, json_string(v));
}

/* The text and textarea keys: lengths and the pattern. */
static void emit_text_checks(xdf_conv_t *c, const xdf_field_t *f, json_t *out, const char *type)
{
    int text = !strcmp(type, "text"),
        lengths = text || !strcmp(type, "textarea") || !strcmp(type, "email") || !strcmp(type, "phone");
    long cap = !strcmp(type, "textarea") ? FD_TEXTAREA_MAX_LENGTH : FD_TEXT_MAX_LENGTH;
    if (lengths && f->min_length > 0)
        json_object_set_new(out, "min_length", json_integer(f->min_length > cap ? cap : f->min_length));
    if (lengths && f->max_length >= 0) {
        long max = f->max_length;
        if (max > cap) {
            xdf_note(c, f->e.id,
                     arena_printf(&c->arena,
                                  "maxLength %ld ist mehr, als unsere Formulare erlauben; übernommen als %ld.", max,
                                  cap));
            max = cap;
        }
        if (max < 1)
            max = 1;
        json_object_set_new(out, "max_length", json_integer(max));
    }
    if (f->pattern && *f->pattern) {
        const char *ere = text ? xdf_pattern_to_ere(&c->arena, f->pattern) : NULL;
        if (ere)
            json_object_set_new(out, "pattern", json_string(ere));
        else
            xdf_note(c, f->e.id,
                     arena_printf(&c->arena, "Das Muster (pattern) „%s“ wurde nicht übernommen; bitte von Hand prüfen.",
                                  f->pattern));
    }
}

/* options for select/radio; NULL (and a note) when the values do not fit ours. */
static json_t *emit_options(xdf_conv_t *c, const xdf_field_t *f)
{
    if (f->option_count > FD_MAX_OPTIONS) {
        xdf_note(
            c, f->e.id,
            arena_printf(&c->arena,
                         "Die Werteliste hat %zu Einträge, unsere Formulare höchstens %d: als Textfeld übernommen.",
                         f->option_count, FD_MAX_OPTIONS));
        return NULL;
    }
    json_t *options = json_array();
    json_t *seen = json_object();
    int any_changed = 0;
    for (size_t i = 0; i < f->option_count; i++) {
        int changed, cut;
        const char *value = option_value(c, f->options[i].code, &changed);
        const char *unique = value;
        for (int k = 2; json_object_get(seen, unique); k++) {
            unique = arena_printf(&c->arena, "%.56s-%d", value, k);
            changed = 1;
        }
        any_changed |= changed;
        json_object_set_new(seen, unique, json_true());
        json_array_append_new(options, json_pack("{s:s,s:s}", "value", unique, "label",
                                                 xdf_fit(c, f->options[i].label, FD_MAX_LABEL, &cut)));
    }
    json_decref(seen);
    if (any_changed) {
        buf_t b;
        buf_init(&b, &c->arena, 128, 4096);
        buf_puts(&b, "Codes der Werteliste wurden für unser Format umgeschrieben (die Antworten tragen die neuen):");
        for (size_t i = 0; i < f->option_count; i++) {
            const char *v = json_string_value(json_object_get(json_array_get(options, i), "value"));
            if (strcmp(v, f->options[i].code) != 0)
                buf_appendf(&b, " %s → %s;", f->options[i].code, v);
        }
        xdf_note(c, f->e.id, buf_cstr(&b));
    }
    return options;
}

/* The file keys: accept from the media types (3.0), max_size, max_files. */
static void emit_file_checks(xdf_conv_t *c, const xdf_field_t *f, json_t *out, long max_count)
{
    static const struct {
        const char *mime, *ours;
    } types[] = {{"application/pdf", "pdf"}, {"image/jpeg", "jpeg"}, {"image/jpg", "jpeg"}, {"image/png", "png"}};
    json_t *accept = json_array();
    const char *p = f->media_types;
    while (*p) {
        size_t len = strcspn(p, ",");
        int known = 0;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strlen(types[i].mime) == len && !strncasecmp(p, types[i].mime, len)) {
                known = 1;
                int dup = 0;
                for (size_t k = 0; k < json_array_size(accept); k++)
                    dup |= !strcmp(json_string_value(json_array_get(accept, k)), types[i].ours);
                if (!dup)
                    json_array_append_new(accept, json_string(types[i].ours));
            }
        if (!known)
            xdf_note(c, f->e.id,
                     arena_printf(&c->arena, "Dateityp %.*s nehmen unsere Formulare nicht an; er wurde weggelassen.",
                                  (int)len, p));
        p += len;
        if (*p == ',')
            p++;
    }
    if (json_array_size(accept) == 0) {
        json_array_append_new(accept, json_string("pdf"));
        json_array_append_new(accept, json_string("jpeg"));
        json_array_append_new(accept, json_string("png"));
    }
    json_object_set_new(out, "accept", accept);
    if (f->max_size > 0) {
        long size = f->max_size > FD_MAX_FILE_SIZE ? FD_MAX_FILE_SIZE : f->max_size;
        if (size != f->max_size)
            xdf_note(c, f->e.id,
                     "Die erlaubte Dateigröße ist größer als unsere Grenze von 10 MB; übernommen als 10 MB.");
        json_object_set_new(out, "max_size", json_integer(size));
    }
    if (max_count != 1) {
        long files = max_count < 0 || max_count > FD_MAX_FILES ? FD_MAX_FILES : max_count;
        json_object_set_new(out, "max_files", json_integer(files));
    }
}

/* Adds a paragraph to a step's intro (static text of the schema). */
void xdf_step_paragraph(xdf_conv_t *c, xdf_step_t *s, const char *text, const char *element)
{
    size_t need = strlen(text) + (s->intro.len ? 2 : 0);
    if (s->intro.len + need > FD_MAX_INTRO) {
        xdf_note(c, element,
                 "Der Hinweistext passt nicht mehr in die Einleitung des Schritts (höchstens 4000 Zeichen) und wurde "
                 "weggelassen.");
        return;
    }
    if (s->intro.len)
        buf_puts(&s->intro, "\n\n");
    buf_puts(&s->intro, text);
}

/* Converts one Datenfeld into a field of the step (or a paragraph, or a note when
 * our forms cannot show it). prefix: the label of the group around it inside the
 * step ("Anschrift"), "" at the step's own level. required: the field is 1:x and
 * so is every group around it. */
int xdf_emit_field(xdf_conv_t *c, const xdf_field_t *f, xdf_step_t *s, const char *prefix, const char *group_id,
                   int required, xdf_count_t count)
{
    const char *fa = f->feldart, *dt = f->datentyp;
    if (!strcmp(fa, "label")) {
        const char *text = *f->inhalt ? f->inhalt : *f->e.help ? f->e.help : f->e.label;
        xdf_step_paragraph(c, s, text, f->e.id);
        return 0;
    }
    if (!strcmp(fa, "hidden") || !strcmp(fa, "locked")) {
        xdf_note(c, f->e.id,
                 arena_printf(&c->arena,
                              "Feld „%s“ (Feldart %s) wird Bürgerinnen und Bürgern nicht zur Eingabe gezeigt und wurde "
                              "nicht übernommen%s%s.",
                              f->e.label, fa, *f->inhalt ? "; Inhalt: " : "", f->inhalt));
        return 0;
    }
    if (strcmp(fa, "input") != 0 && strcmp(fa, "select") != 0)
        return xdf_fail(c, f->e.node, f->e.where,
                        "Unbekannte Feldart '%s' (erwartet: input, select, label, hidden, locked).", fa);
    if (!strcmp(dt, "obj")) {
        xdf_note(c, f->e.id,
                 arena_printf(&c->arena,
                              "Feld „%s“ ist ein statisches Objekt (Datentyp obj) und wurde nicht übernommen.",
                              f->e.label));
        return 0;
    }

    if (++c->field_count > FD_MAX_FIELDS)
        return xdf_fail(
            c, f->e.node, f->e.where,
            "Das Schema hat mehr als %d Datenfelder; so viele nimmt ein Formular nicht auf. Bitte teilen Sie es auf.",
            FD_MAX_FIELDS);

    /* the type: feldart and datentyp, then what the label says */
    const char *type = NULL;
    json_t *options = NULL;
    if (!strcmp(fa, "select")) {
        if (f->option_count)
            options = emit_options(c, f);
        if (options)
            type = json_array_size(options) <= XDF_RADIO_UP_TO ? "radio" : "select";
        else if (!strcmp(dt, "bool")) {
            options =
                json_pack("[{s:s,s:s},{s:s,s:s}]", "value", "true", "label", "Ja", "value", "false", "label", "Nein");
            type = "radio";
        } else {
            if (!f->option_count)
                xdf_note(
                    c, f->e.id,
                    arena_printf(&c->arena,
                                 "Die Auswahlliste „%s“ verweist auf die Codeliste %s, die nicht in der Datei steht: "
                                 "als Textfeld übernommen; bitte Werte von Hand ergänzen.",
                                 f->e.label, *f->codelist ? f->codelist : "(ohne Angabe)"));
            type = "text";
        }
    } else if (!strcmp(dt, "text") || !strcmp(dt, "text_latin")) {
        if (contains_word(f->e.label, "e-mail") || contains_word(f->e.label, "email"))
            type = "email";
        else if (contains_word(f->e.label, "telefon") || contains_word(f->e.label, "mobilfunk") ||
                 contains_word(f->e.label, "telefax"))
            type = "phone";
        else if (contains_word(f->e.label, "iban"))
            type = "iban";
        else
            type = f->max_length >= XDF_TEXTAREA_FROM ? "textarea" : "text";
    } else if (!strcmp(dt, "date")) {
        type = "date";
    } else if (!strcmp(dt, "num") || !strcmp(dt, "num_int") || !strcmp(dt, "num_currency")) {
        type = "number";
    } else if (!strcmp(dt, "bool")) {
        type = "checkbox";
    } else if (!strcmp(dt, "file")) {
        type = "file";
    } else if (!strcmp(dt, "time") || !strcmp(dt, "datetime")) {
        type = "text";
        xdf_note(
            c, f->e.id,
            arena_printf(&c->arena,
                         "Datentyp %s gibt es in unseren Formularen nicht: als Textfeld mit Formathinweis übernommen.",
                         dt));
    } else {
        return xdf_fail(c, f->e.node, f->e.where, "Unbekannter Datentyp '%s'.", dt);
    }

    json_t *out = json_object();
    json_object_set_new(out, "name", json_string(field_name(c, f->e.id, group_id)));
    json_object_set_new(out, "type", json_string(type));
    const char *label = f->e.label;
    if (*prefix && strlen(prefix) + strlen(label) + 2 <= FD_MAX_LABEL)
        label = arena_printf(&c->arena, "%s: %s", prefix, label);
    xdf_set_text(c, out, "label", label, FD_MAX_LABEL, f->e.id, "Die Bezeichnung");
    xdf_set_text(c, out, "help", f->e.help, FD_MAX_HELP, f->e.id, "Der Hilfetext");

    if (!strcmp(type, "checkbox")) {
        /* "required" on a check box means "must be ticked"; XDatenfelder's 1:1 only
         * means that yes or no is given, so it is not carried over. */
        if (required)
            xdf_note(
                c, f->e.id,
                "Ja/Nein-Feld als Kästchen übernommen; „Pflicht“ hieße bei uns „muss angekreuzt sein“ und wurde nicht "
                "gesetzt.");
    } else if (required) {
        json_object_set_new(out, "required", json_true());
    }

    int clock = !strcmp(fa, "input") && (!strcmp(dt, "time") || !strcmp(dt, "datetime"));
    if (clock)
        json_object_set_new(out, "hint",
                            json_string(!strcmp(dt, "time")
                                            ? "Format: hh:mm, zum Beispiel 14:30"
                                            : "Format: TT.MM.JJJJ hh:mm, zum Beispiel 01.03.2026 14:30"));
    if (clock && !strcmp(dt, "time") && !(f->pattern && *f->pattern)) {
        json_object_set_new(out, "pattern", json_string("([01][0-9]|2[0-3]):[0-5][0-9]"));
        json_object_set_new(out, "pattern_message",
                            json_string("Bitte geben Sie die Uhrzeit als hh:mm an, zum Beispiel 14:30."));
    }
    if (!strcmp(type, "text") || !strcmp(type, "textarea") || !strcmp(type, "email") || !strcmp(type, "phone"))
        emit_text_checks(c, f, out, type);
    else if (f->pattern && *f->pattern)
        xdf_note(c, f->e.id,
                 arena_printf(&c->arena,
                              "Das Muster (pattern) „%s“ passt nicht zum Feldtyp %s und wurde nicht übernommen.",
                              f->pattern, type));
    if (!strcmp(type, "number")) {
        json_object_set_new(out, "decimals",
                            json_integer(!strcmp(dt, "num_int")        ? 0
                                         : !strcmp(dt, "num_currency") ? 2
                                                                       : 4));
        if (!strcmp(dt, "num_currency"))
            json_object_set_new(out, "unit", json_string("€"));
        json_t *min = number_value(f->min_value), *max = number_value(f->max_value);
        if (f->min_value && !min)
            xdf_note(c, f->e.id,
                     arena_printf(&c->arena, "minValue „%s“ ist keine Zahl und wurde nicht übernommen.", f->min_value));
        if (f->max_value && !max)
            xdf_note(c, f->e.id,
                     arena_printf(&c->arena, "maxValue „%s“ ist keine Zahl und wurde nicht übernommen.", f->max_value));
        if (min && max && json_number_value(min) > json_number_value(max)) {
            xdf_note(c, f->e.id, "minValue ist größer als maxValue; beide wurden nicht übernommen.");
            json_decref(min);
            json_decref(max);
            min = max = NULL;
        }
        if (min)
            json_object_set_new(out, "min", min);
        if (max)
            json_object_set_new(out, "max", max);
    } else if (!strcmp(type, "date")) {
        const char *bounds[2] = {f->min_value, f->max_value};
        const char *keys[2] = {"not_before", "not_after"};
        for (int i = 0; i < 2; i++) {
            if (!bounds[i])
                continue;
            if (iso_date(bounds[i]))
                json_object_set_new(out, keys[i], json_string(bounds[i]));
            else
                xdf_note(c, f->e.id,
                         arena_printf(&c->arena,
                                      "%s „%s“ ist kein Datum der Form JJJJ-MM-TT und wurde nicht übernommen.",
                                      i ? "maxValue" : "minValue", bounds[i]));
        }
        if (f->min_value && f->max_value && iso_date(f->min_value) && iso_date(f->max_value) &&
            strcmp(f->min_value, f->max_value) > 0) {
            xdf_note(c, f->e.id, "minValue liegt nach maxValue; beide wurden nicht übernommen.");
            json_object_del(out, "not_before");
            json_object_del(out, "not_after");
        }
    } else if (!strcmp(type, "file")) {
        emit_file_checks(c, f, out, count.max);
    }
    if (options)
        json_object_set_new(out, "options", options);
    if (count.max != 1 && strcmp(type, "file") != 0)
        xdf_note(c, f->e.id,
                 arena_printf(
                     &c->arena,
                     "Feld „%s“ darf laut Schema mehrfach vorkommen (Anzahl %ld:%s); das Formular fragt es einmal ab.",
                     f->e.label, count.min, count.max < 0 ? "*" : arena_printf(&c->arena, "%ld", count.max)));
    if (*f->inhalt)
        xdf_note(c, f->e.id,
                 arena_printf(&c->arena,
                              "Der Vorgabewert „%s“ wurde nicht übernommen (unsere Formulare kennen keine Vorgaben).",
                              f->inhalt));
    const char *purpose = autocomplete_for(f->e.label, type);
    if (purpose)
        json_object_set_new(out, "autocomplete", json_string(purpose));
    json_array_append_new(s->fields, out);
    return 0;
}
