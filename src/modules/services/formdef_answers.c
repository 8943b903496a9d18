/* formdef_answers.c — the check of each answer against its field (docs/forms.md
 * "Field types"): required, lengths in characters, patterns, numbers, dates
 * relative to today, choices, IBAN, e-mail, phone, addresses, the number of files.
 *
 * Answers are whatever a browser sent and are kept as typed, so nothing here
 * trusts their JSON type either. A problem is returned as a German text (a msgid,
 * or the form's own pattern_message) and, where it helps, a value to show after
 * it ("Höchstzahl der Zeichen: 200"): numbers never go into translated texts.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/services/formdef.h"
#include "platform/mail.h"
#include "view/i18n.h"

/* ---- checking answers ----------------------------------------------------------------------------- */

static const char *int_text(arena_t *arena, json_int_t v)
{
    return arena_printf(arena, "%lld", (long long)v);
}

/* "2026-03-01" → "01.03.2026" for messages. */
static const char *german_date(arena_t *arena, const char *iso)
{
    return arena_printf(arena, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

static const char *check_length(const json_t *field, const char *v, const char **arg, arena_t *arena)
{
    size_t chars = utf8_length(v, strlen(v));
    const json_t *mn = json_object_get(field, "min_length");
    const json_t *mx = json_object_get(field, "max_length");
    json_int_t max = mx ? json_integer_value(mx) : formdef_type(field) == FT_TEXTAREA ? 4000 : 200;
    if (mn && (json_int_t)chars < json_integer_value(mn)) {
        *arg = int_text(arena, json_integer_value(mn));
        return N_("Bitte geben Sie mehr Zeichen an. Mindestzahl der Zeichen:");
    }
    if ((json_int_t)chars > max) {
        *arg = int_text(arena, max);
        return N_("Bitte kürzen Sie Ihre Angabe. Höchstzahl der Zeichen:");
    }
    return NULL;
}

static const char *check_pattern(const json_t *field, const char *v)
{
    const char *pattern = json_string_value(json_object_get(field, "pattern"));
    if (!pattern)
        return NULL;
    char anchored[FORMDEF_MAX_PATTERN + 8];
    snprintf(anchored, sizeof(anchored), "^(%s)$", pattern);
    regex_t re;
    if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
        return NULL; /* cannot happen for a checked definition */
    int rc = regexec(&re, v, 0, NULL, 0);
    regfree(&re);
    if (rc == 0)
        return NULL;
    const char *msg = json_string_value(json_object_get(field, "pattern_message"));
    return msg ? msg : N_("Bitte prüfen Sie das Format Ihrer Angabe.");
}

/* Checks a number as typed; *value gets it. */
static int parse_number(const char *v, int *decimals, double *value)
{
    char buf[64];
    size_t n = strlen(v), k = 0, i = 0;
    if (n == 0 || n >= sizeof(buf))
        return 0;
    if (v[i] == '-' || v[i] == '+')
        buf[k++] = v[i++];
    size_t digits = 0;
    while (isdigit((unsigned char)v[i]))
        buf[k++] = v[i++], digits++;
    *decimals = 0;
    if (v[i] == ',' || v[i] == '.') {
        buf[k++] = '.';
        i++;
        while (isdigit((unsigned char)v[i]))
            buf[k++] = v[i++], (*decimals)++;
        if (*decimals == 0)
            return 0;
    }
    if (v[i] != '\0' || digits == 0)
        return 0;
    buf[k] = '\0';
    *value = strtod(buf, NULL);
    return 1;
}

static const char *number_text(arena_t *arena, const json_t *n)
{
    if (json_is_integer(n))
        return int_text(arena, json_integer_value(n));
    char *s = arena_printf(arena, "%g", json_real_value(n));
    for (char *p = s; *p; p++)
        if (*p == '.')
            *p = ','; /* German decimal comma; the English page shows it too, as typed in this form */
    return s;
}

static const char *check_number(const json_t *field, const char *v, const char **arg, arena_t *arena)
{
    int decimals;
    double value;
    if (!parse_number(v, &decimals, &value))
        return N_("Bitte geben Sie eine Zahl an, nur mit Ziffern und bei Bedarf einem Komma.");
    const json_t *dv = json_object_get(field, "decimals");
    json_int_t allowed = dv ? json_integer_value(dv) : 0;
    if (decimals > allowed) {
        if (allowed == 0)
            return N_("Bitte geben Sie eine ganze Zahl an, ohne Komma.");
        *arg = int_text(arena, allowed);
        return N_("Bitte geben Sie weniger Stellen nach dem Komma an. Höchstzahl:");
    }
    const json_t *mn = json_object_get(field, "min"), *mx = json_object_get(field, "max");
    if (mn && value < json_number_value(mn)) {
        *arg = number_text(arena, mn);
        return N_("Die Zahl ist zu klein. Kleinster erlaubter Wert:");
    }
    if (mx && value > json_number_value(mx)) {
        *arg = number_text(arena, mx);
        return N_("Die Zahl ist zu groß. Größter erlaubter Wert:");
    }
    return NULL;
}

static const char *check_date(const json_t *field, const char *v, const char *today, const char **arg, arena_t *arena)
{
    int y, m, d;
    if (!formdef_parse_date(v, &y, &m, &d))
        return N_("Bitte geben Sie ein gültiges Datum an, zum Beispiel 23.04.1980.");
    char bound[11];
    const char *rule = json_string_value(json_object_get(field, "not_before"));
    if (rule && formdef_resolve_date(rule, today, bound) == 0 && strcmp(v, bound) < 0) {
        *arg = german_date(arena, bound);
        return N_("Das Datum liegt zu früh. Frühestes erlaubtes Datum:");
    }
    rule = json_string_value(json_object_get(field, "not_after"));
    if (rule && formdef_resolve_date(rule, today, bound) == 0 && strcmp(v, bound) > 0) {
        *arg = german_date(arena, bound);
        return N_("Das Datum liegt zu spät. Spätestes erlaubtes Datum:");
    }
    const json_t *min_age = json_object_get(field, "min_age"), *max_age = json_object_get(field, "max_age");
    if (min_age || max_age) {
        int age = formdef_age(v, today);
        if (age < 0)
            return N_("Ein Geburtsdatum kann nicht in der Zukunft liegen.");
        if (min_age && age < json_integer_value(min_age)) {
            *arg = int_text(arena, json_integer_value(min_age));
            return N_("Dafür müssen Sie älter sein. Mindestalter in Jahren:");
        }
        if (max_age && age > json_integer_value(max_age)) {
            *arg = int_text(arena, json_integer_value(max_age));
            return N_("Bitte prüfen Sie das Geburtsdatum. Höchstalter in Jahren:");
        }
    }
    return NULL;
}

static int has_option_value(const json_t *field, const char *value)
{
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(field, "options"), i, o)
    {
        if (!strcmp(json_string_value(json_object_get(o, "value")), value))
            return 1;
    }
    return 0;
}

static int phone_ok(const char *v)
{
    size_t n = strlen(v), digits = 0;
    if (n < 3 || n > 30)
        return 0;
    for (const char *p = v; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr(" +-/()", *p))
            return 0;
    }
    return digits >= 3;
}

static const char *check_address(const json_t *field, const json_t *v)
{
    int required = json_is_true(json_object_get(field, "required"));
    int filled = 0, missing = 0;
    for (size_t p = 0; p < 4; p++) {
        const char *s = json_string_value(json_object_get(v, formdef_address_parts[p]));
        if (s && *s) {
            filled++;
            if (utf8_length(s, strlen(s)) > 200)
                return N_("Bitte kürzen Sie die Angaben der Anschrift auf höchstens 200 Zeichen je Feld.");
        } else {
            missing++;
        }
    }
    if (filled == 0)
        return required ? N_("Bitte geben Sie die Anschrift an: Straße, Hausnummer, Postleitzahl und Ort.") : NULL;
    if (missing)
        return N_("Bitte geben Sie die vollständige Anschrift an: Straße, Hausnummer, Postleitzahl und Ort.");
    const char *pc = json_string_value(json_object_get(v, "postcode"));
    if (strlen(pc) != 5 || strspn(pc, "0123456789") != 5)
        return N_("Eine Postleitzahl hat fünf Ziffern, zum Beispiel 55116.");
    return NULL;
}

const char *formdef_check_answer(const json_t *field, const json_t *answers, const json_t *files, const char *today,
                                 const char **arg, arena_t *arena)
{
    *arg = NULL;
    const char *name = json_string_value(json_object_get(field, "name"));
    const json_t *v = json_object_get(answers, name);
    int required = json_is_true(json_object_get(field, "required"));
    enum formdef_type t = formdef_type(field);
    switch (t) {
    case FT_CHECKBOX:
        if (v && !json_is_boolean(v))
            return N_("Bitte machen Sie hier eine Angabe.");
        return required && !json_is_true(v) ? N_("Bitte bestätigen Sie das, um fortzufahren.") : NULL;
    case FT_CHECKBOXES: {
        if (!v || json_array_size(v) == 0)
            return required ? N_("Bitte wählen Sie mindestens eine Möglichkeit aus.") : NULL;
        if (!json_is_array(v))
            return N_("Bitte wählen Sie nur aus den angebotenen Möglichkeiten aus.");
        size_t i, j;
        const json_t *one;
        json_array_foreach(v, i, one)
        {
            if (!json_is_string(one) || !has_option_value(field, json_string_value(one)))
                return N_("Bitte wählen Sie nur aus den angebotenen Möglichkeiten aus.");
            for (j = 0; j < i; j++)
                if (json_equal((json_t *)one, json_array_get(v, j)))
                    return N_("Bitte wählen Sie nur aus den angebotenen Möglichkeiten aus.");
        }
        return NULL;
    }
    case FT_ADDRESS:
        if (v && !json_is_object(v))
            return N_("Bitte geben Sie die vollständige Anschrift an: Straße, Hausnummer, Postleitzahl und Ort.");
        return check_address(field, v);
    case FT_FILE: {
        json_int_t count = json_integer_value(json_object_get(files, name));
        const json_t *mf = json_object_get(field, "max_files");
        json_int_t max = mf ? json_integer_value(mf) : 1;
        if (count == 0 && required)
            return N_("Bitte laden Sie eine Datei hoch.");
        if (count > max) {
            *arg = int_text(arena, max);
            return N_("Bitte entfernen Sie Dateien. Höchstzahl der Dateien:");
        }
        return NULL;
    }
    default:
        break;
    }
    /* One value as a string from here on. */
    if (v && !json_is_string(v))
        return N_("Bitte machen Sie hier eine Angabe.");
    const char *s = v ? json_string_value(v) : "";
    if (!*s) {
        if (!required)
            return NULL;
        return t == FT_SELECT || t == FT_RADIO ? N_("Bitte wählen Sie eine Möglichkeit aus.")
                                               : N_("Bitte machen Sie hier eine Angabe.");
    }
    const char *msg;
    switch (t) {
    case FT_TEXT:
        if ((msg = check_length(field, s, arg, arena)))
            return msg;
        return check_pattern(field, s);
    case FT_TEXTAREA:
        return check_length(field, s, arg, arena);
    case FT_NUMBER:
        return check_number(field, s, arg, arena);
    case FT_DATE:
        return check_date(field, s, today, arg, arena);
    case FT_SELECT:
    case FT_RADIO:
        return has_option_value(field, s) ? NULL : N_("Bitte wählen Sie eine der angebotenen Möglichkeiten aus.");
    case FT_IBAN:
        return formdef_iban_valid(s) ? NULL
                                     : N_("Diese IBAN stimmt nicht. Bitte prüfen Sie sie Zeichen für Zeichen, zum "
                                          "Beispiel DE02 1203 0000 0000 2020 51.");
    case FT_EMAIL:
        if ((msg = check_length(field, s, arg, arena)))
            return msg;
        return mail_address_valid(s)
                   ? NULL
                   : N_("Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.");
    case FT_PHONE:
        if ((msg = check_length(field, s, arg, arena)))
            return msg;
        return phone_ok(s) ? NULL
                           : N_("Bitte geben Sie nur Ziffern, Leerzeichen und + - / ( ) an, zum Beispiel 06131 12-0.");
    default:
        return NULL;
    }
}

int formdef_check_step(const formdef_state_t *s, size_t index, const json_t *files, json_t *errors, arena_t *arena)
{
    int problems = 0;
    for (size_t i = 0; i < s->field_count; i++) {
        if (s->fields[i].step != index || !s->fields[i].visible)
            continue;
        const char *arg = NULL;
        const char *msg = formdef_check_answer(s->fields[i].field, s->answers, files, s->today, &arg, arena);
        if (!msg)
            continue;
        json_t *e = json_pack("{s:s}", "message", msg);
        if (arg)
            json_object_set_new(e, "arg", json_string(arg));
        json_object_set_new(errors, s->fields[i].name, e);
        problems++;
    }
    return problems;
}

json_t *formdef_visible_answers(const formdef_state_t *s)
{
    json_t *out = json_object();
    for (size_t i = 0; i < s->field_count; i++) {
        json_t *v = json_object_get(s->answers, s->fields[i].name);
        if (s->fields[i].visible && v)
            json_object_set(out, s->fields[i].name, v);
    }
    return out;
}
