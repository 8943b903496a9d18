/* formdef_view.c — the view models of a form: the fields of one step as the
 * templates under templates/form/ expect them, and the answers for the review
 * page (docs/forms.md).
 *
 * Every field object sets every key any field partial reads, even when empty:
 * the template engine looks a missing name up in the outer contexts, and a
 * field without a hint must not show the page's or another field's.
 */
#include <stdio.h>
#include <string.h>

#include "modules/services/formdef.h"
#include "view/i18n.h"

const char *formdef_text(const json_t *def, const char *lang, const char *text)
{
    if (!text || !lang || !strcmp(lang, "de"))
        return text;
    const char *t =
        json_string_value(json_object_get(json_object_get(json_object_get(def, "translations"), lang), text));
    return t ? t : text;
}

/* A message of the check: the form's own text (pattern_message) or one of ours,
 * then its value. */
static const char *message_text(const json_t *def, const char *lang, const json_t *error, arena_t *arena)
{
    const char *msg = json_string_value(json_object_get(error, "message"));
    const char *arg = json_string_value(json_object_get(error, "arg"));
    if (!msg)
        return NULL;
    const char *t = formdef_text(def, lang, msg);
    if (t == msg)
        t = i18n_translate(lang, msg);
    return arg ? arena_printf(arena, "%s %s", t, arg) : t;
}

static const char *size_text(arena_t *arena, json_int_t bytes)
{
    const json_int_t mib = 1024 * 1024;
    if (bytes >= mib && bytes % mib == 0)
        return arena_printf(arena, "%lld MB", (long long)(bytes / mib));
    if (bytes >= mib)
        return arena_printf(arena, "%lld,%lld MB", (long long)(bytes / mib), (long long)(bytes % mib * 10 / mib));
    return arena_printf(arena, "%lld KB", (long long)((bytes + 1023) / 1024));
}

const char *formdef_accept_text(const json_t *field, const char *lang, arena_t *arena)
{
    const json_t *acc = json_object_get(field, "accept");
    size_t n = json_array_size(acc);
    char *out = "";
    for (size_t i = 0; i < n; i++) {
        char upper[8];
        snprintf(upper, sizeof(upper), "%s", json_string_value(json_array_get(acc, i)));
        for (char *p = upper; *p; p++)
            *p = (char)(*p - 'a' + 'A');
        const char *sep = i == 0       ? ""
                          : i + 1 == n ? arena_printf(arena, " %s ", i18n_translate(lang, N_("oder")))
                                       : ", ";
        out = arena_printf(arena, "%s%s%s", out, sep, upper);
    }
    return out;
}

static const char *file_limits(const json_t *field, const char *lang, arena_t *arena)
{
    const json_t *ms = json_object_get(field, "max_size");
    const json_t *mf = json_object_get(field, "max_files");
    json_int_t max_size = ms ? json_integer_value(ms) : FORMDEF_FILE_DEFAULT_BYTES;
    json_int_t max_files = mf ? json_integer_value(mf) : 1;
    const char *text = arena_printf(arena, "%s %s. %s %s.", i18n_translate(lang, N_("Erlaubte Dateiarten:")),
                                    formdef_accept_text(field, lang, arena),
                                    i18n_translate(lang, N_("Größe höchstens je Datei:")), size_text(arena, max_size));
    if (max_files > 1)
        text = arena_printf(arena, "%s %s %lld.", text, i18n_translate(lang, N_("Höchstzahl der Dateien:")),
                            (long long)max_files);
    return text;
}

/* The accept attribute of a file input: extensions and MIME types, so that the
 * browser's file dialog offers the right files (the server checks the content). */
static const char *accept_attr(const json_t *field, arena_t *arena)
{
    const json_t *acc = json_object_get(field, "accept");
    char *out = "";
    size_t i;
    const json_t *v;
    json_array_foreach(acc, i, v)
    {
        const char *t = json_string_value(v);
        const char *one = !strcmp(t, "pdf")    ? ".pdf,application/pdf"
                          : !strcmp(t, "jpeg") ? ".jpg,.jpeg,image/jpeg"
                                               : ".png,image/png";
        out = arena_printf(arena, "%s%s%s", out, i ? "," : "", one);
    }
    return out;
}

static json_t *option_list(const json_t *def, const json_t *field, const json_t *answer, const char *lang,
                           int with_placeholder)
{
    json_t *list = json_array();
    if (with_placeholder)
        json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "value", "", "label",
                                              i18n_translate(lang, N_("Bitte auswählen")), "selected",
                                              !json_is_string(answer) || !json_string_length(answer)));
    size_t i, j;
    const json_t *o;
    json_array_foreach(json_object_get(field, "options"), i, o)
    {
        const char *value = json_string_value(json_object_get(o, "value"));
        int selected = 0;
        if (json_is_string(answer))
            selected = !strcmp(json_string_value(answer), value);
        else if (json_is_array(answer)) {
            const json_t *a;
            json_array_foreach(answer, j, a)
            {
                if (json_is_string(a) && !strcmp(json_string_value(a), value))
                    selected = 1;
            }
        }
        json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "value", value, "label",
                                              formdef_text(def, lang, json_string_value(json_object_get(o, "label"))),
                                              "selected", selected));
    }
    return list;
}

/* The parts of an address field, each with its own label and input purpose. */
static json_t *address_parts(const char *id, const char *name, const json_t *answer, const json_t *error,
                             const char *lang, arena_t *arena, const char **first_problem)
{
    static const char *const labels[4] = {N_("Straße"), N_("Hausnummer"), N_("Postleitzahl"), N_("Ort")};
    static const char *const autocomplete[4] = {"address-line1", "", "postal-code", "address-level2"};
    json_t *parts = json_array();
    *first_problem = NULL;
    for (size_t p = 0; p < 4; p++) {
        const char *part = formdef_address_parts[p];
        const char *value = json_string_value(json_object_get(answer, part));
        value = value ? value : "";
        /* With an error, the parts left empty (or a wrong postcode) are marked. */
        int invalid = error && (!*value || (p == 2 && (strlen(value) != 5 || strspn(value, "0123456789") != 5)));
        const char *pid = arena_printf(arena, "%s-%s", id, part);
        if (invalid && !*first_problem)
            *first_problem = pid;
        json_array_append_new(parts, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "part_id", pid, "part_name",
                                               arena_printf(arena, "%s.%s", name, part), "part_label",
                                               i18n_translate(lang, labels[p]), "part_value", value,
                                               "part_autocomplete", autocomplete[p], "part_inputmode",
                                               p == 2 ? "numeric" : "", "part_invalid", invalid));
    }
    return parts;
}

static const char *type_flags[] = {"t_input",    "t_date",       "t_textarea", "t_select", "t_radio",
                                   "t_checkbox", "t_checkboxes", "t_file",     "t_address"};

json_t *formdef_view_fields(const formdef_state_t *s, size_t index, const json_t *errors, const json_t *files,
                            const char *lang, json_t *summary, arena_t *arena)
{
    const json_t *def = s->def;
    json_t *out = json_array();
    for (size_t i = 0; i < s->field_count; i++) {
        if (s->fields[i].step != index || !s->fields[i].visible)
            continue;
        const json_t *field = s->fields[i].field;
        const char *name = s->fields[i].name;
        enum formdef_type t = formdef_type(field);
        const json_t *answer = json_object_get(s->answers, name);
        const json_t *err = json_object_get(errors, name);
        int required = json_is_true(json_object_get(field, "required"));
        const char *id = arena_printf(arena, "feld-%s", name);
        const char *label = formdef_text(def, lang, json_string_value(json_object_get(field, "label")));
        const char *unit = json_string_value(json_object_get(field, "unit"));
        if (unit)
            label = arena_printf(arena, "%s (%s)", label, formdef_text(def, lang, unit));
        /* A single checkbox is a statement to confirm: "(optional)" would be noise there. */
        if (!required && t != FT_CHECKBOX)
            label = arena_printf(arena, "%s (%s)", label, i18n_translate(lang, N_("optional")));
        const char *hint = formdef_text(def, lang, json_string_value(json_object_get(field, "hint")));
        const char *help = formdef_text(def, lang, json_string_value(json_object_get(field, "help")));
        const char *error = err ? message_text(def, lang, err, arena) : NULL;
        const char *autocomplete = json_string_value(json_object_get(field, "autocomplete"));
        if (!autocomplete)
            autocomplete = t == FT_EMAIL ? "email" : t == FT_PHONE ? "tel" : "";

        json_t *f = json_object();
        for (size_t k = 0; k < sizeof(type_flags) / sizeof(type_flags[0]); k++)
            json_object_set_new(f, type_flags[k], json_false());
        json_object_set_new(f, "name", json_string(name));
        json_object_set_new(f, "id", json_string(id));
        json_object_set_new(f, "label", json_string(label));
        json_object_set_new(f, "hint", json_string(hint ? hint : ""));
        json_object_set_new(f, "help", json_string(help ? help : ""));
        json_object_set_new(f, "help_id", json_string(arena_printf(arena, "%s-hilfe", id)));
        json_object_set_new(f, "error", json_string(error ? error : ""));
        json_object_set_new(f, "required", json_boolean(required));
        json_object_set_new(f, "autocomplete", json_string(autocomplete));
        json_object_set_new(f, "inputmode", json_string(""));
        json_object_set_new(f, "maxlength", json_string(""));
        json_object_set_new(f, "type", json_string("text"));
        json_object_set_new(f, "rows", json_string(""));
        json_object_set_new(f, "value", json_string(json_is_string(answer) ? json_string_value(answer) : ""));
        json_object_set_new(f, "checked", json_boolean(json_is_true(answer)));
        json_object_set_new(f, "options", json_array());
        json_object_set_new(f, "accept", json_string(""));
        json_object_set_new(f, "limits", json_string(""));
        json_object_set_new(f, "multiple", json_false());
        json_object_set_new(f, "files", json_array());
        json_object_set_new(f, "parts", json_array());
        const char *target = id; /* what the error summary links to */
        int y, m, d;
        switch (t) {
        case FT_DATE:
            /* A value that is not yet a date (typed by hand) stays visible as text:
             * a date input would show it as empty. */
            if (!json_is_string(answer) || formdef_parse_date(json_string_value(answer), &y, &m, &d))
                json_object_set_new(f, "t_date", json_true());
            else
                json_object_set_new(f, "t_input", json_true());
            break;
        case FT_TEXTAREA:
            json_object_set_new(f, "t_textarea", json_true());
            json_object_set_new(f, "rows", json_string("6"));
            break;
        case FT_SELECT:
            json_object_set_new(f, "t_select", json_true());
            json_object_set_new(f, "options", option_list(def, field, answer, lang, 1));
            break;
        case FT_RADIO:
            json_object_set_new(f, "t_radio", json_true());
            json_object_set_new(f, "options", option_list(def, field, answer, lang, 0));
            /* The first choice takes the focus from the error summary. */
            target = arena_printf(
                arena, "%s-%s", id,
                json_string_value(json_object_get(json_array_get(json_object_get(field, "options"), 0), "value")));
            break;
        case FT_CHECKBOX:
            json_object_set_new(f, "t_checkbox", json_true());
            break;
        case FT_CHECKBOXES:
            json_object_set_new(f, "t_checkboxes", json_true());
            json_object_set_new(f, "options", option_list(def, field, answer, lang, 0));
            target = arena_printf(
                arena, "%s-%s", id,
                json_string_value(json_object_get(json_array_get(json_object_get(field, "options"), 0), "value")));
            break;
        case FT_FILE: {
            const json_t *mf = json_object_get(field, "max_files");
            json_object_set_new(f, "t_file", json_true());
            json_object_set_new(f, "accept", json_string(accept_attr(field, arena)));
            json_object_set_new(f, "limits", json_string(file_limits(field, lang, arena)));
            json_object_set_new(f, "multiple", json_boolean(mf && json_integer_value(mf) > 1));
            const json_t *list = json_object_get(files, name);
            if (list)
                json_object_set(f, "files", (json_t *)list);
            break;
        }
        case FT_ADDRESS: {
            const char *first = NULL;
            json_object_set_new(f, "t_address", json_true());
            json_object_set_new(f, "parts", address_parts(id, name, answer, err, lang, arena, &first));
            target = first ? first : arena_printf(arena, "%s-street", id);
            break;
        }
        case FT_NUMBER: {
            const json_t *dec = json_object_get(field, "decimals");
            json_object_set_new(f, "t_input", json_true());
            json_object_set_new(f, "inputmode",
                                json_string(dec && json_integer_value(dec) > 0 ? "decimal" : "numeric"));
            break;
        }
        case FT_EMAIL:
            json_object_set_new(f, "t_input", json_true());
            json_object_set_new(f, "type", json_string("email"));
            break;
        case FT_PHONE:
            json_object_set_new(f, "t_input", json_true());
            json_object_set_new(f, "type", json_string("tel"));
            break;
        default: /* text, iban */
            json_object_set_new(f, "t_input", json_true());
        }
        if (error && summary)
            json_array_append_new(
                summary, json_pack("{s:s,s:s}", "id", target, "message", arena_printf(arena, "%s: %s", label, error)));
        json_array_append_new(out, f);
    }
    return out;
}

const char *formdef_display_value(const json_t *def, const json_t *field, const json_t *answers, const char *lang,
                                  arena_t *arena)
{
    const char *name = json_string_value(json_object_get(field, "name"));
    const json_t *v = json_object_get(answers, name);
    enum formdef_type t = formdef_type(field);
    if (t == FT_CHECKBOX)
        return i18n_translate(lang, json_is_true(v) ? N_("Ja") : N_("Nein"));
    if (!v)
        return "";
    size_t i, j;
    const json_t *o, *a;
    switch (t) {
    case FT_DATE: {
        int y, m, d;
        const char *s = json_string_value(v);
        if (s && formdef_parse_date(s, &y, &m, &d))
            return arena_printf(arena, "%02d.%02d.%04d", d, m, y);
        return s ? s : "";
    }
    case FT_SELECT:
    case FT_RADIO:
        json_array_foreach(json_object_get(field, "options"), i, o)
        {
            if (json_equal(json_object_get(o, "value"), (json_t *)v))
                return formdef_text(def, lang, json_string_value(json_object_get(o, "label")));
        }
        return json_is_string(v) ? json_string_value(v) : "";
    case FT_CHECKBOXES: {
        char *out = "";
        json_array_foreach(v, j, a)
        {
            json_array_foreach(json_object_get(field, "options"), i, o)
            {
                if (json_equal(json_object_get(o, "value"), (json_t *)a))
                    out = arena_printf(arena, "%s%s%s", out, *out ? ", " : "",
                                       formdef_text(def, lang, json_string_value(json_object_get(o, "label"))));
            }
        }
        return out;
    }
    case FT_ADDRESS: {
        const char *parts[4];
        for (size_t p = 0; p < 4; p++) {
            parts[p] = json_string_value(json_object_get(v, formdef_address_parts[p]));
            parts[p] = parts[p] ? parts[p] : "";
        }
        return arena_printf(arena, "%s %s, %s %s", parts[0], parts[1], parts[2], parts[3]);
    }
    case FT_NUMBER: {
        const char *unit = json_string_value(json_object_get(field, "unit"));
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        return unit ? arena_printf(arena, "%s %s", s, formdef_text(def, lang, unit)) : s;
    }
    default:
        return json_is_string(v) ? json_string_value(v) : "";
    }
}

json_t *formdef_view_review(const formdef_state_t *s, const json_t *files, const char *lang, arena_t *arena)
{
    json_t *steps = json_array();
    for (size_t st = 0; st < s->step_count; st++) {
        if (!s->step_visible[st])
            continue;
        json_t *items = json_array();
        for (size_t i = 0; i < s->field_count; i++) {
            if (s->fields[i].step != st || !s->fields[i].visible)
                continue;
            const json_t *field = s->fields[i].field;
            const char *value;
            if (formdef_type(field) == FT_FILE) {
                char *names = "";
                size_t k;
                const json_t *f;
                json_array_foreach(json_object_get(files, s->fields[i].name), k, f)
                {
                    names = arena_printf(arena, "%s%s%s", names, *names ? ", " : "",
                                         json_string_value(json_object_get(f, "filename")));
                }
                value = names;
            } else {
                value = formdef_display_value(s->def, field, s->answers, lang, arena);
            }
            json_array_append_new(
                items, json_pack("{s:s,s:s,s:b}", "label",
                                 formdef_text(s->def, lang, json_string_value(json_object_get(field, "label"))),
                                 "value", value, "empty", *value == '\0'));
        }
        if (json_array_size(items) == 0) {
            json_decref(items); /* a page of information only: nothing to review */
            continue;
        }
        const json_t *step = formdef_step(s->def, st);
        json_array_append_new(steps,
                              json_pack("{s:I,s:s,s:o}", "number", (json_int_t)(st + 1), "title",
                                        formdef_text(s->def, lang, json_string_value(json_object_get(step, "title"))),
                                        "items", items));
    }
    return steps;
}
