/* formdef.c — the strict check of a form definition (docs/forms.md).
 *
 * The check is the only gate between a file an administrator uploads and the
 * pages citizens fill in, so it refuses anything it does not know: unknown keys,
 * keys that do not fit a field's type, conditions that look at later or unknown
 * fields, patterns that do not compile. It stops at the first problem and names
 * its place ("steps[1].fields[3]: unknown type 'colour'"), which is what the
 * person fixing the file needs. Storing and loading: formdef_store.c.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/services/formdef.h"
#include "modules/services/internal.h"

const char *const formdef_address_parts[4] = {"street", "house_number", "postcode", "city"};

static const char *const type_names[] = {
    [FT_TEXT] = "text",     [FT_TEXTAREA] = "textarea", [FT_NUMBER] = "number",     [FT_DATE] = "date",
    [FT_SELECT] = "select", [FT_RADIO] = "radio",       [FT_CHECKBOX] = "checkbox", [FT_CHECKBOXES] = "checkboxes",
    [FT_FILE] = "file",     [FT_ADDRESS] = "address",   [FT_IBAN] = "iban",         [FT_EMAIL] = "email",
    [FT_PHONE] = "phone",
};

enum formdef_type formdef_type_by_name(const char *name)
{
    for (int t = 0; name && t < FT_UNKNOWN; t++)
        if (!strcmp(type_names[t], name))
            return (enum formdef_type)t;
    return FT_UNKNOWN;
}

enum formdef_type formdef_type(const json_t *field)
{
    return formdef_type_by_name(json_string_value(json_object_get(field, "type")));
}

/* ---- what each type may say ---------------------------------------------------------- */

/* Keys a field may have, as bits. */
enum {
    K_AUTOCOMPLETE = 1 << 0,
    K_PREFILL = 1 << 1,
    K_LENGTH = 1 << 2,  /* min_length, max_length */
    K_PATTERN = 1 << 3, /* pattern, pattern_message */
    K_RANGE = 1 << 4,   /* min, max, decimals, unit */
    K_DATES = 1 << 5,   /* not_before, not_after, min_age, max_age */
    K_OPTIONS = 1 << 6,
    K_FILE = 1 << 7, /* accept, max_size, max_files */
};

static const unsigned type_keys[] = {
    [FT_TEXT] = K_AUTOCOMPLETE | K_PREFILL | K_LENGTH | K_PATTERN,
    [FT_TEXTAREA] = K_AUTOCOMPLETE | K_PREFILL | K_LENGTH,
    [FT_NUMBER] = K_AUTOCOMPLETE | K_PREFILL | K_RANGE,
    [FT_DATE] = K_AUTOCOMPLETE | K_PREFILL | K_DATES,
    [FT_SELECT] = K_AUTOCOMPLETE | K_OPTIONS,
    [FT_RADIO] = K_OPTIONS,
    [FT_CHECKBOX] = 0,
    [FT_CHECKBOXES] = K_OPTIONS,
    [FT_FILE] = K_FILE,
    [FT_ADDRESS] = K_PREFILL,
    [FT_IBAN] = K_AUTOCOMPLETE,
    [FT_EMAIL] = K_AUTOCOMPLETE | K_PREFILL | K_LENGTH,
    [FT_PHONE] = K_AUTOCOMPLETE | K_PREFILL | K_LENGTH,
};

static const struct {
    const char *key;
    unsigned group; /* 0: every field */
} field_keys[] = {
    {"name", 0},
    {"type", 0},
    {"label", 0},
    {"hint", 0},
    {"help", 0},
    {"required", 0},
    {"show_if", 0},
    {"autocomplete", K_AUTOCOMPLETE},
    {"prefill", K_PREFILL},
    {"min_length", K_LENGTH},
    {"max_length", K_LENGTH},
    {"pattern", K_PATTERN},
    {"pattern_message", K_PATTERN},
    {"min", K_RANGE},
    {"max", K_RANGE},
    {"decimals", K_RANGE},
    {"unit", K_RANGE},
    {"not_before", K_DATES},
    {"not_after", K_DATES},
    {"min_age", K_DATES},
    {"max_age", K_DATES},
    {"options", K_OPTIONS},
    {"accept", K_FILE},
    {"max_size", K_FILE},
    {"max_files", K_FILE},
};

/* The autofill field names of the HTML standard (WCAG 1.3.5 "input purposes"). */
static const char *const autocomplete_tokens[] = {
    "on",
    "off",
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "organization-title",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level4",
    "address-level3",
    "address-level2",
    "address-level1",
    "country",
    "country-name",
    "postal-code",
    "language",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "sex",
    "url",
    "tel",
    "tel-country-code",
    "tel-national",
    "tel-area-code",
    "tel-local",
    "tel-extension",
    "email",
    "transaction-currency",
    "transaction-amount",
};

/* Keys of "Meine Daten" (account_profile_json) and the account's e-mail address. */
static const char *const prefill_keys[] = {
    "given_name",   "family_name", "birth_name", "doctoral_degree", "birth_date", "birth_place", "street",
    "house_number", "postcode",    "city",       "phone",           "email",
};

static const char *const accept_names[] = {"pdf", "jpeg", "png"};

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}
#define IN_LIST(s, list) in_list((s), (list), sizeof(list) / sizeof((list)[0]))

/* ---- the checker ---------------------------------------------------------------------- */

typedef struct checker {
    char *err;
    size_t errlen;
    /* Fields seen so far, for conditions (which may only look back). */
    const json_t *known[FORMDEF_MAX_FIELDS];
    size_t known_count;
    size_t field_total;
} checker_t;

/* Writes a sub-place ("steps[1].fields[3].show_if") into out; a place too long
 * for the buffer is cut, which only shortens a message. */
static void place_printf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void place_printf(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

static int fail(checker_t *c, const char *place, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(checker_t *c, const char *place, const char *fmt, ...)
{
    if (!c->err || !c->errlen)
        return -1;
    int n = snprintf(c->err, c->errlen, "%s%s", place, *place ? ": " : "");
    if (n < 0 || (size_t)n >= c->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* A text value: a string of 1..max bytes; newlines only where multiline. No other
 * control characters: they would end up in pages, PDFs and mails. */
static int check_text(checker_t *c, const char *place, const json_t *obj, const char *key, int required, size_t max,
                      int multiline)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return fail(c, place, "'%s' is missing", key);
        return 0;
    }
    if (!json_is_string(v))
        return fail(c, place, "'%s' must be a string", key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return fail(c, place, "'%s' must not be empty", key);
    if (n > max)
        return fail(c, place, "'%s' is longer than %zu bytes", key, max);
    if (!utf8_valid(s, n))
        return fail(c, place, "'%s' is not valid UTF-8", key);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && !(multiline && ch == '\n')) || ch == 0x7f)
            return fail(c, place, "'%s' contains a control character", key);
    }
    return 0;
}

static int check_bool(checker_t *c, const char *place, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (v && !json_is_boolean(v))
        return fail(c, place, "'%s' must be true or false", key);
    return 0;
}

/* An integer in [lo, hi] when present; *out gets it (or dflt). */
static int check_int(checker_t *c, const char *place, const json_t *obj, const char *key, json_int_t lo, json_int_t hi,
                     json_int_t dflt, json_int_t *out)
{
    const json_t *v = json_object_get(obj, key);
    *out = dflt;
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return fail(c, place, "'%s' must be a whole number", key);
    json_int_t i = json_integer_value(v);
    if (i < lo || i > hi)
        return fail(c, place, "'%s' must be between %lld and %lld", key, (long long)lo, (long long)hi);
    *out = i;
    return 0;
}

static int check_name(checker_t *c, const char *place, const char *key, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > FORMDEF_MAX_NAME)
        return fail(c, place, "'%s' must have 1 to %d characters", key, FORMDEF_MAX_NAME);
    if (name[0] < 'a' || name[0] > 'z')
        return fail(c, place, "'%s' must start with a letter a-z: '%s'", key, name);
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
            return fail(c, place, "'%s' may only hold a-z, 0-9 and _: '%s'", key, name);
    return 0;
}

static const json_t *known_field(const checker_t *c, const char *name)
{
    for (size_t i = 0; i < c->known_count; i++)
        if (!strcmp(json_string_value(json_object_get(c->known[i], "name")), name))
            return c->known[i];
    return NULL;
}

static int has_option(const json_t *field, const char *value)
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

/* A condition (docs/forms.md#conditions) on the thing at place, whose own
 * field name (NULL for a step) it may not refer to. */
static int check_condition(checker_t *c, const char *place, const json_t *cond, const char *self, int depth)
{
    if (depth > FORMDEF_MAX_COND_DEPTH)
        return fail(c, place, "conditions nest deeper than %d", FORMDEF_MAX_COND_DEPTH);
    if (!json_is_object(cond))
        return fail(c, place, "a condition must be an object");
    char sub[256];
    const json_t *inner;
    if ((inner = json_object_get(cond, "not"))) {
        if (json_object_size(cond) != 1)
            return fail(c, place, "'not' stands alone in its condition");
        place_printf(sub, sizeof(sub), "%s.not", place);
        return check_condition(c, sub, inner, self, depth + 1);
    }
    const char *list_key = json_object_get(cond, "all") ? "all" : json_object_get(cond, "any") ? "any" : NULL;
    if (list_key) {
        inner = json_object_get(cond, list_key);
        if (json_object_size(cond) != 1)
            return fail(c, place, "'%s' stands alone in its condition", list_key);
        if (!json_is_array(inner) || json_array_size(inner) == 0 || json_array_size(inner) > FORMDEF_MAX_COND_LIST)
            return fail(c, place, "'%s' must be a list of 1 to %d conditions", list_key, FORMDEF_MAX_COND_LIST);
        size_t i;
        const json_t *one;
        json_array_foreach(inner, i, one)
        {
            place_printf(sub, sizeof(sub), "%s.%s[%zu]", place, list_key, i);
            if (check_condition(c, sub, one, self, depth + 1) != 0)
                return -1;
        }
        return 0;
    }
    const json_t *fv = json_object_get(cond, "field");
    if (!json_is_string(fv))
        return fail(c, place, "a condition needs 'field' (or 'not', 'all', 'any')");
    const char *fname = json_string_value(fv);
    if (self && !strcmp(fname, self))
        return fail(c, place, "a field cannot depend on itself ('%s')", fname);
    const json_t *target = known_field(c, fname);
    if (!target)
        return fail(c, place, "field '%s' must be defined before %s%s%s", fname, self ? "'" : "this step",
                    self ? self : "", self ? "'" : "");
    if (json_object_size(cond) != 2)
        return fail(c, place, "a condition on a field has exactly one test besides 'field'");
    enum formdef_type t = formdef_type(target);
    if (t == FT_FILE)
        return fail(c, place, "conditions cannot look at the file field '%s'", fname);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)cond, key, v)
    {
        if (!strcmp(key, "field"))
            continue;
        if (!strcmp(key, "equals")) {
            if (t == FT_CHECKBOX) {
                if (!json_is_boolean(v))
                    return fail(c, place, "'equals' on the checkbox '%s' must be true or false", fname);
            } else if (!json_is_string(v)) {
                return fail(c, place, "'equals' must be a string");
            } else if ((t == FT_SELECT || t == FT_RADIO) && !has_option(target, json_string_value(v))) {
                return fail(c, place, "'%s' is not an option of '%s'", json_string_value(v), fname);
            } else if (t == FT_CHECKBOXES || t == FT_ADDRESS) {
                return fail(c, place, "'equals' does not fit the %s field '%s'", type_names[t], fname);
            }
        } else if (!strcmp(key, "in")) {
            if (t == FT_CHECKBOX || t == FT_CHECKBOXES || t == FT_ADDRESS)
                return fail(c, place, "'in' does not fit the %s field '%s'", type_names[t], fname);
            if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > FORMDEF_MAX_IN_VALUES)
                return fail(c, place, "'in' must be a list of 1 to %d strings", FORMDEF_MAX_IN_VALUES);
            size_t i;
            const json_t *one;
            json_array_foreach(v, i, one)
            {
                if (!json_is_string(one))
                    return fail(c, place, "'in' must be a list of strings");
                if ((t == FT_SELECT || t == FT_RADIO) && !has_option(target, json_string_value(one)))
                    return fail(c, place, "'%s' is not an option of '%s'", json_string_value(one), fname);
            }
        } else if (!strcmp(key, "checked")) {
            if (t != FT_CHECKBOX)
                return fail(c, place, "'checked' needs a checkbox, '%s' is %s", fname, type_names[t]);
            if (!json_is_boolean(v))
                return fail(c, place, "'checked' must be true or false");
        } else if (!strcmp(key, "contains")) {
            if (t != FT_CHECKBOXES)
                return fail(c, place, "'contains' needs a checkboxes field, '%s' is %s", fname, type_names[t]);
            if (!json_is_string(v) || !has_option(target, json_string_value(v)))
                return fail(c, place, "'contains' must name an option of '%s'", fname);
        } else if (!strcmp(key, "filled")) {
            if (!json_is_boolean(v))
                return fail(c, place, "'filled' must be true or false");
        } else if (!strcmp(key, "age_under") || !strcmp(key, "age_at_least")) {
            if (t != FT_DATE)
                return fail(c, place, "'%s' needs a date field, '%s' is %s", key, fname, type_names[t]);
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 150)
                return fail(c, place, "'%s' must be a whole number from 0 to 150", key);
        } else {
            return fail(c, place, "unknown test '%s' in a condition", key);
        }
    }
    return 0;
}

static int check_date_rule(checker_t *c, const char *place, const json_t *field, const char *key)
{
    const json_t *v = json_object_get(field, key);
    if (!v)
        return 0;
    char out[11];
    if (!json_is_string(v) || formdef_resolve_date(json_string_value(v), "2000-01-01", out) != 0)
        return fail(c, place, "'%s' must be \"today\", an offset like \"+14d\", \"-6m\", \"+1y\" or a date yyyy-mm-dd",
                    key);
    return 0;
}

static int check_options(checker_t *c, const char *place, const json_t *field)
{
    const json_t *opts = json_object_get(field, "options");
    if (!json_is_array(opts) || json_array_size(opts) == 0 || json_array_size(opts) > FORMDEF_MAX_OPTIONS)
        return fail(c, place, "'options' must be a list of 1 to %d choices", FORMDEF_MAX_OPTIONS);
    size_t i;
    const json_t *o;
    char sub[256];
    json_array_foreach(opts, i, o)
    {
        place_printf(sub, sizeof(sub), "%s.options[%zu]", place, i);
        if (!json_is_object(o))
            return fail(c, sub, "a choice must be an object {\"value\", \"label\"}");
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)o, key, v)
        {
            if (strcmp(key, "value") && strcmp(key, "label"))
                return fail(c, sub, "unknown key '%s'", key);
        }
        if (check_text(c, sub, o, "value", 1, 64, 0) || check_text(c, sub, o, "label", 1, FORMDEF_MAX_LABEL, 0))
            return -1;
        const char *val = json_string_value(json_object_get(o, "value"));
        for (const char *p = val; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
                return fail(c, sub, "'value' may only hold a-z, 0-9, _ and -: '%s'", val);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(opts, j), "value")), val))
                return fail(c, sub, "the value '%s' is there twice", val);
    }
    return 0;
}

/* A pattern must compile as it will be used (anchored), and must not use back
 * references: with them, matching can take exponential time. */
static int check_pattern(checker_t *c, const char *place, const json_t *field)
{
    const json_t *v = json_object_get(field, "pattern");
    if (!v)
        return 0;
    if (check_text(c, place, field, "pattern", 1, FORMDEF_MAX_PATTERN, 0) != 0)
        return -1;
    const char *p = json_string_value(v);
    for (const char *q = p; *q; q++) {
        if (*q == '\\' && q[1] >= '1' && q[1] <= '9')
            return fail(c, place, "'pattern' must not use back references (\\%c)", q[1]);
        if (*q == '\\' && q[1])
            q++;
    }
    char anchored[FORMDEF_MAX_PATTERN + 8];
    snprintf(anchored, sizeof(anchored), "^(%s)$", p);
    regex_t re;
    if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
        return fail(c, place, "'pattern' is not a valid POSIX extended regular expression");
    regfree(&re);
    return 0;
}

static int check_field(checker_t *c, const char *place, const json_t *field, const json_t *all_steps)
{
    if (!json_is_object(field))
        return fail(c, place, "a field must be an object");
    if (check_text(c, place, field, "name", 1, FORMDEF_MAX_NAME, 0) != 0)
        return -1;
    const char *name = json_string_value(json_object_get(field, "name"));
    if (check_name(c, place, "name", name) != 0)
        return -1;
    if (known_field(c, name))
        return fail(c, place, "the name '%s' is used twice", name);
    /* These name the files the office adds to an application (application_files.field). */
    if (!strcmp(name, "quittung") || !strcmp(name, "bescheid") || !strcmp(name, "postfach"))
        return fail(c, place, "the name '%s' is reserved", name);
    const json_t *tv = json_object_get(field, "type");
    if (!json_is_string(tv))
        return fail(c, place, "'type' is missing");
    enum formdef_type t = formdef_type_by_name(json_string_value(tv));
    if (t == FT_UNKNOWN)
        return fail(c, place, "unknown type '%s'", json_string_value(tv));
    unsigned allowed = type_keys[t];
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)field, key, v)
    {
        size_t k = 0, nk = sizeof(field_keys) / sizeof(field_keys[0]);
        while (k < nk && strcmp(field_keys[k].key, key))
            k++;
        if (k == nk)
            return fail(c, place, "unknown key '%s'", key);
        if (field_keys[k].group && !(field_keys[k].group & allowed))
            return fail(c, place, "'%s' does not fit the type %s", key, type_names[t]);
    }
    if (check_text(c, place, field, "label", 1, FORMDEF_MAX_LABEL, 0) ||
        check_text(c, place, field, "hint", 0, FORMDEF_MAX_HINT, 1) ||
        check_text(c, place, field, "help", 0, FORMDEF_MAX_TEXT, 1) || check_bool(c, place, field, "required"))
        return -1;
    if ((v = json_object_get(field, "autocomplete"))) {
        if (!json_is_string(v) || !IN_LIST(json_string_value(v), autocomplete_tokens))
            return fail(c, place, "'autocomplete' must be an autofill token of HTML (given-name, bday, …)");
    }
    if ((v = json_object_get(field, "prefill"))) {
        const char *pk = json_is_string(v) ? json_string_value(v) : "";
        if (t == FT_ADDRESS ? strcmp(pk, "address") != 0 : !IN_LIST(pk, prefill_keys))
            return fail(c, place, "'prefill' must be %s",
                        t == FT_ADDRESS ? "\"address\"" : "a key of Meine Daten (given_name, birth_date, …)");
    }
    json_int_t lo, hi;
    if (allowed & K_LENGTH) {
        json_int_t cap = t == FT_TEXTAREA ? FORMDEF_TEXTAREA_MAX_CHARS : FORMDEF_TEXT_MAX_CHARS;
        if (check_int(c, place, field, "min_length", 0, cap, 0, &lo) ||
            check_int(c, place, field, "max_length", 1, cap, cap, &hi))
            return -1;
        if (lo > hi)
            return fail(c, place, "'min_length' is larger than 'max_length'");
    }
    if (allowed & K_PATTERN) {
        if (check_pattern(c, place, field) || check_text(c, place, field, "pattern_message", 0, FORMDEF_MAX_LABEL, 0))
            return -1;
        if (json_object_get(field, "pattern_message") && !json_object_get(field, "pattern"))
            return fail(c, place, "'pattern_message' without 'pattern'");
    }
    if (allowed & K_RANGE) {
        const json_t *mn = json_object_get(field, "min"), *mx = json_object_get(field, "max");
        if ((mn && !json_is_number(mn)) || (mx && !json_is_number(mx)))
            return fail(c, place, "'min' and 'max' must be numbers");
        if (mn && mx && json_number_value(mn) > json_number_value(mx))
            return fail(c, place, "'min' is larger than 'max'");
        if (check_int(c, place, field, "decimals", 0, 4, 0, &lo) || check_text(c, place, field, "unit", 0, 20, 0))
            return -1;
    }
    if (allowed & K_DATES) {
        if (check_date_rule(c, place, field, "not_before") || check_date_rule(c, place, field, "not_after") ||
            check_int(c, place, field, "min_age", 0, 150, 0, &lo) ||
            check_int(c, place, field, "max_age", 0, 150, 150, &hi))
            return -1;
        if (lo > hi)
            return fail(c, place, "'min_age' is larger than 'max_age'");
    }
    if ((allowed & K_OPTIONS) && check_options(c, place, field) != 0)
        return -1;
    if (allowed & K_FILE) {
        const json_t *acc = json_object_get(field, "accept");
        if (!json_is_array(acc) || json_array_size(acc) == 0)
            return fail(c, place, "'accept' must list the file types taken: \"pdf\", \"jpeg\", \"png\"");
        size_t i;
        json_array_foreach(acc, i, v)
        {
            if (!json_is_string(v) || !IN_LIST(json_string_value(v), accept_names))
                return fail(c, place, "'accept' knows only \"pdf\", \"jpeg\" and \"png\"");
            for (size_t j = 0; j < i; j++)
                if (json_equal(v, json_array_get(acc, j)))
                    return fail(c, place, "'accept' names %s twice", json_string_value(v));
        }
        if (check_int(c, place, field, "max_size", 1, FORMDEF_FILE_MAX_BYTES, FORMDEF_FILE_DEFAULT_BYTES, &lo) ||
            check_int(c, place, field, "max_files", 1, FORMDEF_MAX_FILES, 1, &hi))
            return -1;
    }
    (void)all_steps;
    if ((v = json_object_get(field, "show_if"))) {
        char sub[256];
        place_printf(sub, sizeof(sub), "%s.show_if", place);
        if (check_condition(c, sub, v, name, 1) != 0)
            return -1;
    }
    if (c->field_total >= FORMDEF_MAX_FIELDS)
        return fail(c, place, "a form has at most %d fields", FORMDEF_MAX_FIELDS);
    c->known[c->known_count++] = field;
    c->field_total++;
    return 0;
}

static int check_step(checker_t *c, const char *place, const json_t *step, const json_t *steps)
{
    if (!json_is_object(step))
        return fail(c, place, "a step must be an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)step, key, v)
    {
        if (strcmp(key, "title") && strcmp(key, "intro") && strcmp(key, "fields") && strcmp(key, "show_if"))
            return fail(c, place, "unknown key '%s'", key);
    }
    if (check_text(c, place, step, "title", 1, FORMDEF_MAX_TITLE, 0) ||
        check_text(c, place, step, "intro", 0, FORMDEF_MAX_TEXT, 1))
        return -1;
    /* A step's condition looks only at earlier steps: checked before its own
     * fields become known. */
    if ((v = json_object_get(step, "show_if"))) {
        char sub[256];
        place_printf(sub, sizeof(sub), "%s.show_if", place);
        if (check_condition(c, sub, v, NULL, 1) != 0)
            return -1;
    }
    const json_t *fields = json_object_get(step, "fields");
    if (!json_is_array(fields))
        return fail(c, place, "'fields' must be a list");
    if (json_array_size(fields) == 0 && !json_object_get(step, "intro"))
        return fail(c, place, "a step without fields needs an 'intro'");
    size_t i;
    json_array_foreach(fields, i, v)
    {
        char sub[256];
        place_printf(sub, sizeof(sub), "%s.fields[%zu]", place, i);
        if (check_field(c, sub, v, steps) != 0)
            return -1;
    }
    return 0;
}

static int check_translations(checker_t *c, const json_t *tr)
{
    if (!json_is_object(tr))
        return fail(c, "translations", "must be an object of languages");
    const char *lang;
    const json_t *map;
    json_object_foreach((json_t *)tr, lang, map)
    {
        char place[64];
        place_printf(place, sizeof(place), "translations.%.8s", lang);
        if (strlen(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z')
            return fail(c, "translations", "'%.16s' is not a two-letter language code", lang);
        if (!json_is_object(map))
            return fail(c, place, "must be an object of German text → translation");
        if (json_object_size(map) > FORMDEF_MAX_TRANSLATIONS)
            return fail(c, place, "more than %d entries", FORMDEF_MAX_TRANSLATIONS);
        const char *de;
        const json_t *v;
        json_object_foreach((json_t *)map, de, v)
        {
            if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > FORMDEF_MAX_TEXT)
                return fail(c, place, "the translation of '%.40s' must be a text of 1 to %d bytes", de,
                            FORMDEF_MAX_TEXT);
        }
    }
    return 0;
}

static int check_definition(checker_t *c, const json_t *def)
{
    if (!json_is_object(def))
        return fail(c, "", "a form definition is a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)def, key, v)
    {
        if (strcmp(key, "form_key") && strcmp(key, "title") && strcmp(key, "intro") && strcmp(key, "steps") &&
            strcmp(key, "summary_fields") && strcmp(key, "translations") && strcmp(key, "comment"))
            return fail(c, "", "unknown key '%s'", key);
    }
    if (check_text(c, "", def, "form_key", 1, FORMDEF_MAX_NAME, 0) ||
        check_text(c, "", def, "title", 1, FORMDEF_MAX_TITLE, 0) ||
        check_text(c, "", def, "intro", 0, FORMDEF_MAX_TEXT, 1))
        return -1;
    if ((v = json_object_get(def, "comment")) && !json_is_string(v))
        return fail(c, "", "'comment' must be a string");
    for (const char *p = json_string_value(json_object_get(def, "form_key")); *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return fail(c, "", "'form_key' may only hold a-z, 0-9 and -");
    const json_t *steps = json_object_get(def, "steps");
    if (!json_is_array(steps) || json_array_size(steps) == 0)
        return fail(c, "", "'steps' must be a list of at least one step");
    if (json_array_size(steps) > FORMDEF_MAX_STEPS)
        return fail(c, "", "a form has at most %d steps", FORMDEF_MAX_STEPS);
    size_t i;
    json_array_foreach(steps, i, v)
    {
        char place[32];
        place_printf(place, sizeof(place), "steps[%zu]", i);
        if (check_step(c, place, v, steps) != 0)
            return -1;
    }
    if ((v = json_object_get(def, "summary_fields"))) {
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > FORMDEF_MAX_SUMMARY_FIELDS)
            return fail(c, "summary_fields", "must be a list of 1 to %d field names", FORMDEF_MAX_SUMMARY_FIELDS);
        const json_t *one;
        json_array_foreach(v, i, one)
        {
            const json_t *f = json_is_string(one) ? known_field(c, json_string_value(one)) : NULL;
            if (!f)
                return fail(c, "summary_fields", "'%s' is not a field of this form",
                            json_is_string(one) ? json_string_value(one) : "?");
            if (formdef_type(f) == FT_FILE)
                return fail(c, "summary_fields", "the file field '%s' cannot be part of the summary",
                            json_string_value(one));
        }
    }
    if ((v = json_object_get(def, "translations")) && check_translations(c, v) != 0)
        return -1;
    return 0;
}

json_t *formdef_parse(const char *json_text, size_t len, char *err, size_t errlen)
{
    checker_t c = {.err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!json_text || len == 0) {
        fail(&c, "", "the definition is empty");
        return NULL;
    }
    if (len > FORMDEF_MAX_BYTES) {
        fail(&c, "", "the definition is larger than %d bytes", FORMDEF_MAX_BYTES);
        return NULL;
    }
    json_error_t jerr;
    json_t *def = json_loadb(json_text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!def) {
        fail(&c, "", "not valid JSON (line %d, column %d: %s)", jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (check_definition(&c, def) != 0) {
        json_decref(def);
        return NULL;
    }
    return def;
}

int formdef_check(const char *json_text, size_t len, char *err, size_t errlen)
{
    json_t *def = formdef_parse(json_text, len, err, errlen);
    if (!def)
        return -1;
    json_decref(def);
    return 0;
}
