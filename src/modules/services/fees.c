/* fees.c — a service's fee computed from rules kept as data (docs/fees.md).
 *
 * A service's fee_rules column holds a small JSON document:
 *
 *   {"version": 1, "source": "PassGebV § 1",
 *    "base":   [{"when": {"field": "birth_date", "age_under": 24},
 *                "label": "Reisepass (unter 24 Jahre, 6 Jahre gültig)", "cents": 3750},
 *               {"label": "Reisepass (ab 24 Jahre, 10 Jahre gültig)", "cents": 7000}],
 *    "addons": [{"when": {"field": "express", "checked": true}, "label": "Expressverfahren", "cents": 3200}],
 *    "fixed":  [{"label": "…", "cents": …}]}
 *
 * "base": the first entry whose condition holds (or that has none) is the base
 * fee; "addons": every entry whose condition holds is added; "fixed": always
 * added. Money is integer cents, never floating point. The whole document is
 * checked before anything is evaluated, so a broken rule is found when it is
 * loaded, not when the one citizen whose answers reach it applies.
 *
 * Conditions look at the answers (field name → value) and at today:
 *   {"field": F, "checked": true|false}     a checkbox (true, 1, "1", "on", "true", "ja")
 *   {"field": F, "equals": "v"}             a select or radio answer
 *   {"field": F, "in": ["a", "b"]}
 *   {"field": F, "contains": "v"}           a group of checkboxes (array answer)
 *   {"field": F, "at_least": n} / {"field": F, "under": n}   a number answer
 *   {"field": F, "age_under": n} / {"field": F, "age_at_least": n}
 *                                           F is a birth date, age in whole years on today
 *   {"all": [c, …]}, {"any": [c, …]}, {"not": c}
 *
 * Ages follow §§ 187 (2), 188 (2) BGB: a year of life is completed at the end of
 * the day before the birthday, so on the birthday itself the person is a year
 * older; someone born on 29 February becomes older on 1 March in common years.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modules/services/internal.h"
#include "view/i18n.h"

/* Messages about the answers (the citizen can fix them): plain German, marked
 * for translation; callers show them through i18n_translate. */
static const char msg_birth_missing[] = N_("Bitte geben Sie das Geburtsdatum an. Die Gebühr hängt vom Alter ab.");
static const char msg_birth_invalid[] =
    N_("Das Geburtsdatum ist kein gültiges Datum. Bitte geben Sie es so an: 31.12.1990.");
static const char msg_birth_future[] = N_("Das Geburtsdatum liegt in der Zukunft. Bitte prüfen Sie es.");
static const char msg_number_invalid[] = N_("Bitte geben Sie eine ganze Zahl an. Die Gebühr hängt von ihr ab.");

/* ---- dates ------------------------------------------------------------------------- */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits. */
static int read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int fees_parse_date(const char *s, int *year, int *month, int *day)
{
    int y, m, d;
    if (!s)
        return -1;
    size_t n = strlen(s);
    if (n == 10 && s[4] == '-' && s[7] == '-') { /* 1990-12-31 (ISO, as <input type=date> sends it) */
        if (read_digits(s, 4, &y) || read_digits(s + 5, 2, &m) || read_digits(s + 8, 2, &d))
            return -1;
    } else if (n == 10 && s[2] == '.' && s[5] == '.') { /* 31.12.1990 (as people type it) */
        if (read_digits(s, 2, &d) || read_digits(s + 3, 2, &m) || read_digits(s + 6, 4, &y))
            return -1;
    } else {
        return -1;
    }
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *year = y;
    *month = m;
    *day = d;
    return 0;
}

int fees_age_on(const char *birth_date, const char *today, int *age)
{
    int by, bm, bd, ty, tm, td;
    if (fees_parse_date(birth_date, &by, &bm, &bd) != 0 || fees_parse_date(today, &ty, &tm, &td) != 0)
        return -1;
    if (by * 10000 + bm * 100 + bd > ty * 10000 + tm * 100 + td)
        return -2;
    /* Comparing month and day as numbers gives the BGB rule for leap-day
     * birthdays too: on 28 February of a common year (2·100+28 < 2·100+29) the
     * year is not yet complete, on 1 March it is. */
    int a = ty - by;
    if (tm * 100 + td < bm * 100 + bd)
        a--;
    *age = a;
    return 0;
}

/* ---- checking the rules ------------------------------------------------------------ */

/* Writes "where: message" into err. */
__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, const char *where, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s%s%s", where, *where ? ": " : "", msg);
    return -1;
}

static int field_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > FEES_MAX_FIELD)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int number_ok(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= FEES_MAX_NUMBER;
}

/* The operators that go with "field", and what value each takes. */
enum operand { OPERAND_BOOL, OPERAND_STRING, OPERAND_STRINGS, OPERAND_NUMBER };
static const struct {
    const char *name;
    enum operand operand;
} field_ops[] = {
    {"checked", OPERAND_BOOL},     {"equals", OPERAND_STRING},       {"in", OPERAND_STRINGS},
    {"contains", OPERAND_STRING},  {"at_least", OPERAND_NUMBER},     {"under", OPERAND_NUMBER},
    {"age_under", OPERAND_NUMBER}, {"age_at_least", OPERAND_NUMBER},
};
#define FIELD_OP_COUNT (sizeof(field_ops) / sizeof(field_ops[0]))

static int check_condition(const json_t *c, const char *where, int depth, char *err, size_t errlen)
{
    if (depth > FEES_MAX_DEPTH)
        return fail(err, errlen, where, "conditions nested deeper than %d", FEES_MAX_DEPTH);
    if (!json_is_object(c))
        return fail(err, errlen, where, "a condition must be an object");
    char inner[512];
    const char *key;
    const json_t *v;
    if (json_object_size(c) == 1 && (json_object_get(c, "all") || json_object_get(c, "any"))) {
        const char *op = json_object_get(c, "all") ? "all" : "any";
        v = json_object_get(c, op);
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > FEES_MAX_ENTRIES)
            return fail(err, errlen, where, "'%s' takes a list of 1 to %d conditions", op, FEES_MAX_ENTRIES);
        for (size_t i = 0; i < json_array_size(v); i++) {
            snprintf(inner, sizeof(inner), "%s.%s[%zu]", where, op, i);
            if (check_condition(json_array_get(v, i), inner, depth + 1, err, errlen) != 0)
                return -1;
        }
        return 0;
    }
    if (json_object_size(c) == 1 && json_object_get(c, "not")) {
        snprintf(inner, sizeof(inner), "%s.not", where);
        return check_condition(json_object_get(c, "not"), inner, depth + 1, err, errlen);
    }
    const json_t *field = json_object_get(c, "field");
    if (!json_is_string(field))
        return fail(err, errlen, where, "a condition needs \"field\" (or is all/any/not)");
    if (!field_name_ok(json_string_value(field)))
        return fail(err, errlen, where, "field name must be 1 to %d characters a-z 0-9 _ - .", FEES_MAX_FIELD);
    if (json_object_size(c) != 2)
        return fail(err, errlen, where, "a condition has \"field\" and exactly one operator");
    json_object_foreach((json_t *)c, key, v)
    {
        if (!strcmp(key, "field"))
            continue;
        size_t i = 0;
        while (i < FIELD_OP_COUNT && strcmp(field_ops[i].name, key) != 0)
            i++;
        if (i == FIELD_OP_COUNT)
            return fail(err, errlen, where, "unknown operator '%.64s'", key);
        switch (field_ops[i].operand) {
        case OPERAND_BOOL:
            if (!json_is_boolean(v))
                return fail(err, errlen, where, "'%s' takes true or false", key);
            break;
        case OPERAND_STRING:
            if (!json_is_string(v) || json_string_length(v) > FEES_MAX_LABEL)
                return fail(err, errlen, where, "'%s' takes a string of at most %d bytes", key, FEES_MAX_LABEL);
            break;
        case OPERAND_STRINGS:
            if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > FEES_MAX_ENTRIES)
                return fail(err, errlen, where, "'%s' takes a list of 1 to %d strings", key, FEES_MAX_ENTRIES);
            for (size_t j = 0; j < json_array_size(v); j++) {
                const json_t *s = json_array_get(v, j);
                if (!json_is_string(s) || json_string_length(s) > FEES_MAX_LABEL)
                    return fail(err, errlen, where, "'%s'[%zu] must be a string of at most %d bytes", key, j,
                                FEES_MAX_LABEL);
            }
            break;
        case OPERAND_NUMBER:
            if (!number_ok(v))
                return fail(err, errlen, where, "'%s' takes a whole number from 0 to %d", key, FEES_MAX_NUMBER);
            break;
        }
    }
    return 0;
}

/* One fee entry: label, cents, and (unless fixed) an optional condition. */
static int check_entry(const json_t *e, const char *where, int allow_when, char *err, size_t errlen)
{
    if (!json_is_object(e))
        return fail(err, errlen, where, "an entry must be an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)e, key, v)
    {
        if (strcmp(key, "label") && strcmp(key, "cents") && (strcmp(key, "when") || !allow_when))
            return fail(err, errlen, where, "unknown key '%.64s'", key);
    }
    const json_t *label = json_object_get(e, "label");
    if (!json_is_string(label) || json_string_length(label) == 0 || json_string_length(label) > FEES_MAX_LABEL)
        return fail(err, errlen, where, "\"label\" must be a text of 1 to %d bytes", FEES_MAX_LABEL);
    const json_t *cents = json_object_get(e, "cents");
    if (!json_is_integer(cents) || json_integer_value(cents) < 0 || json_integer_value(cents) > FEES_MAX_CENTS)
        return fail(err, errlen, where, "\"cents\" must be a whole number of cents from 0 to %lld",
                    (long long)FEES_MAX_CENTS);
    const json_t *when = json_object_get(e, "when");
    if (when) {
        char inner[256];
        snprintf(inner, sizeof(inner), "%s.when", where);
        return check_condition(when, inner, 1, err, errlen);
    }
    return 0;
}

static int check_list(const json_t *rules, const char *name, int allow_when, char *err, size_t errlen)
{
    const json_t *list = json_object_get(rules, name);
    if (!list)
        return 0;
    if (!json_is_array(list) || json_array_size(list) > FEES_MAX_ENTRIES)
        return fail(err, errlen, name, "must be a list of at most %d entries", FEES_MAX_ENTRIES);
    for (size_t i = 0; i < json_array_size(list); i++) {
        char where[64];
        snprintf(where, sizeof(where), "%s[%zu]", name, i);
        if (check_entry(json_array_get(list, i), where, allow_when, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* 1 when s is empty or only white space: a service without fee rules. */
static int blank(const char *s)
{
    if (!s)
        return 1;
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* Parses and checks rules_json; *out is NULL for blank rules (no fee). */
static int load_rules(const char *rules_json, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (blank(rules_json))
        return 0;
    size_t len = strlen(rules_json);
    if (len > FEES_MAX_RULES_BYTES)
        return fail(err, errlen, "", "fee rules larger than %d bytes", FEES_MAX_RULES_BYTES);
    json_error_t jerr;
    json_t *rules = json_loadb(rules_json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!rules)
        return fail(err, errlen, "", "not JSON (line %d: %.120s)", jerr.line, jerr.text);
    if (!json_is_object(rules)) {
        json_decref(rules);
        return fail(err, errlen, "", "fee rules must be a JSON object");
    }
    const char *key;
    json_t *v;
    json_object_foreach(rules, key, v)
    {
        if (strcmp(key, "version") && strcmp(key, "source") && strcmp(key, "base") && strcmp(key, "addons") &&
            strcmp(key, "fixed")) {
            fail(err, errlen, "", "unknown key '%.64s'", key);
            goto bad;
        }
    }
    v = json_object_get(rules, "version");
    if (v && !(json_is_integer(v) && json_integer_value(v) == 1)) {
        fail(err, errlen, "version", "only version 1 is known");
        goto bad;
    }
    v = json_object_get(rules, "source");
    if (v && (!json_is_string(v) || json_string_length(v) > FEES_MAX_LABEL)) {
        fail(err, errlen, "source", "must be a text of at most %d bytes", FEES_MAX_LABEL);
        goto bad;
    }
    if (check_list(rules, "base", 1, err, errlen) || check_list(rules, "addons", 1, err, errlen) ||
        check_list(rules, "fixed", 0, err, errlen))
        goto bad;
    *out = rules;
    return 0;
bad:
    json_decref(rules);
    return -1;
}

int fees_check(const char *rules_json, char *err, size_t errlen)
{
    json_t *rules;
    if (load_rules(rules_json, &rules, err, errlen) != 0)
        return -1;
    json_decref(rules);
    return 0;
}

/* ---- evaluating --------------------------------------------------------------------- */

typedef struct eval {
    const json_t *answers;
    const char *today;
    const char *error; /* set when an answer keeps the fee from being computed */
} eval_t;

static int answer_checked(const json_t *a)
{
    if (json_is_true(a))
        return 1;
    if (json_is_integer(a))
        return json_integer_value(a) != 0;
    if (json_is_array(a))
        return json_array_size(a) > 0;
    if (json_is_string(a)) {
        static const char *const yes[] = {"1", "on", "true", "ja", "yes", "checked"};
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
            if (!strcasecmp(json_string_value(a), yes[i]))
                return 1;
    }
    return 0;
}

/* The answer as text for equals/in: strings as they are, integers in decimal. */
static const char *answer_text(const json_t *a, char *buf, size_t n)
{
    if (json_is_string(a))
        return json_string_value(a);
    if (json_is_integer(a)) {
        snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(a));
        return buf;
    }
    return NULL;
}

/* A whole number answer (number field, or its text); -1 when there is none. */
static int answer_number(const json_t *a, long long *out)
{
    if (json_is_integer(a)) {
        *out = json_integer_value(a);
        return 0;
    }
    if (!json_is_string(a))
        return -1;
    const char *s = json_string_value(a);
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || strlen(s) > 18)
        return -1;
    char *end;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* 1 when the (checked) condition holds, 0 when not, -1 when an answer it needs
 * is missing or invalid (ev->error says which). */
static int holds(eval_t *ev, const json_t *c)
{
    const json_t *v;
    if ((v = json_object_get(c, "all")) || (v = json_object_get(c, "any"))) {
        int want_all = json_object_get(c, "all") != NULL;
        for (size_t i = 0; i < json_array_size(v); i++) {
            int r = holds(ev, json_array_get(v, i));
            if (r < 0)
                return -1;
            if (want_all && !r)
                return 0;
            if (!want_all && r)
                return 1;
        }
        return want_all;
    }
    if ((v = json_object_get(c, "not"))) {
        int r = holds(ev, v);
        return r < 0 ? -1 : !r;
    }
    const char *field = json_string_value(json_object_get(c, "field"));
    const json_t *answer = json_is_object(ev->answers) ? json_object_get(ev->answers, field) : NULL;
    char buf[32];
    if ((v = json_object_get(c, "checked")))
        return answer_checked(answer) == json_is_true(v);
    if ((v = json_object_get(c, "equals"))) {
        const char *t = answer_text(answer, buf, sizeof(buf));
        return t && !strcmp(t, json_string_value(v));
    }
    if ((v = json_object_get(c, "in"))) {
        const char *t = answer_text(answer, buf, sizeof(buf));
        for (size_t i = 0; t && i < json_array_size(v); i++)
            if (!strcmp(t, json_string_value(json_array_get(v, i))))
                return 1;
        return 0;
    }
    if ((v = json_object_get(c, "contains"))) {
        if (json_is_string(answer))
            return !strcmp(json_string_value(answer), json_string_value(v));
        for (size_t i = 0; json_is_array(answer) && i < json_array_size(answer); i++) {
            const json_t *x = json_array_get(answer, i);
            if (json_is_string(x) && !strcmp(json_string_value(x), json_string_value(v)))
                return 1;
        }
        return 0;
    }
    int under = json_object_get(c, "under") || json_object_get(c, "age_under");
    int is_age = json_object_get(c, "age_under") || json_object_get(c, "age_at_least");
    v = json_object_get(c, under ? (is_age ? "age_under" : "under") : (is_age ? "age_at_least" : "at_least"));
    long long value;
    if (is_age) {
        const char *birth = json_string_value(answer);
        if (blank(birth)) {
            ev->error = msg_birth_missing;
            return -1;
        }
        int age;
        int rc = fees_age_on(birth, ev->today, &age);
        if (rc != 0) {
            ev->error = rc == -2 ? msg_birth_future : msg_birth_invalid;
            return -1;
        }
        value = age;
    } else if (answer_number(answer, &value) != 0) {
        ev->error = msg_number_invalid;
        return -1;
    }
    return under ? value < json_integer_value(v) : value >= json_integer_value(v);
}

/* Appends {label, cents} to lines and adds to *total. */
static void add_line(json_t *lines, const json_t *entry, int64_t *total)
{
    json_int_t cents = json_integer_value(json_object_get(entry, "cents"));
    json_array_append_new(lines, json_pack("{s:O,s:I}", "label", json_object_get(entry, "label"), "cents", cents));
    *total += (int64_t)cents; /* at most 3 × FEES_MAX_ENTRIES × FEES_MAX_CENTS: no overflow */
}

int fees_compute(const char *rules_json, const json_t *answers, const char *today, json_t **lines, int64_t *total,
                 char *err, size_t errlen)
{
    json_t *rules = NULL;
    *lines = NULL;
    *total = 0;
    int y, m, d;
    if (!today || fees_parse_date(today, &y, &m, &d) != 0 || today[4] != '-')
        return fail(err, errlen, "", "today must be a date yyyy-mm-dd");
    if (load_rules(rules_json, &rules, err, errlen) != 0)
        return -1;
    json_t *out = json_array();
    int64_t sum = 0;
    eval_t ev = {answers, today, NULL};
    if (rules) {
        const json_t *base = json_object_get(rules, "base");
        size_t i;
        for (i = 0; i < json_array_size(base); i++) {
            const json_t *entry = json_array_get(base, i);
            const json_t *when = json_object_get(entry, "when");
            int r = when ? holds(&ev, when) : 1;
            if (r < 0)
                goto answer_error;
            if (r) {
                add_line(out, entry, &sum);
                break;
            }
        }
        if (json_array_size(base) > 0 && i == json_array_size(base)) {
            fail(err, errlen, "base", "no entry applies to these answers (add one without \"when\" last)");
            goto error;
        }
        const json_t *addons = json_object_get(rules, "addons");
        for (i = 0; i < json_array_size(addons); i++) {
            const json_t *entry = json_array_get(addons, i);
            const json_t *when = json_object_get(entry, "when");
            int r = when ? holds(&ev, when) : 1;
            if (r < 0)
                goto answer_error;
            if (r)
                add_line(out, entry, &sum);
        }
        const json_t *fixed = json_object_get(rules, "fixed");
        for (i = 0; i < json_array_size(fixed); i++)
            add_line(out, json_array_get(fixed, i), &sum);
    }
    json_decref(rules);
    *lines = out;
    *total = sum;
    return 0;
answer_error:
    snprintf(err, errlen, "%s", ev.error);
error:
    json_decref(out);
    json_decref(rules);
    return -1;
}
