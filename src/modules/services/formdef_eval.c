/* formdef_eval.c — a form definition at work: dates relative to today, the IBAN
 * check, which steps and fields the conditions show ("Schritt 2 von 5"), the
 * answers taken out of a POST, and pre-filling from "Meine Daten" (docs/forms.md).
 *
 * The definition was checked when it was stored (formdef.c), so this file trusts
 * its structure; the answers it does not trust at all: they are whatever a
 * browser sent, kept as typed so that a draft is never lost, and checked on every
 * step and again at submission (formdef_answers.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/formdef.h"
#include "view/i18n.h"

/* ---- dates ------------------------------------------------------------------------------ */

void formdef_today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        memcpy(out, "2000-01-01", 11); /* a clock beyond year 9999: cannot happen */
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

int formdef_parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    return *y >= 1000 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= month_days(*y, *m);
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm), and back. */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int formdef_resolve_date(const char *rule, const char *today, char out[11])
{
    int y, m, d;
    if (!rule || !formdef_parse_date(today, &y, &m, &d))
        return -1;
    if (!strcmp(rule, "today")) {
        memcpy(out, today, 11);
        return 0;
    }
    if (rule[0] == '+' || rule[0] == '-') {
        size_t n = strlen(rule);
        if (n < 3 || n > 6)
            return -1;
        for (size_t i = 1; i < n - 1; i++)
            if (!isdigit((unsigned char)rule[i]))
                return -1;
        int amount = atoi(rule + 1) * (rule[0] == '-' ? -1 : 1);
        char unit = rule[n - 1];
        if (unit == 'd') {
            civil_from_days(days_from_civil(y, m, d) + amount, &y, &m, &d);
        } else if (unit == 'm' || unit == 'y') {
            long months = (long)y * 12 + (m - 1) + (unit == 'y' ? 12L * amount : amount);
            y = (int)(months / 12);
            m = (int)(months % 12) + 1;
            if (d > month_days(y, m))
                d = month_days(y, m); /* 31 March + 1 month: 30 April */
        } else {
            return -1;
        }
        if (y < 1000 || y > 9999)
            return -1;
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        return 0;
    }
    if (!formdef_parse_date(rule, &y, &m, &d))
        return -1;
    memcpy(out, rule, 11);
    return 0;
}

int formdef_age(const char *birth, const char *today)
{
    int by, bm, bd, ty, tm, td;
    if (!formdef_parse_date(birth, &by, &bm, &bd) || !formdef_parse_date(today, &ty, &tm, &td))
        return -1;
    if (strcmp(birth, today) > 0)
        return -1;
    return ty - by - ((tm < bm || (tm == bm && td < bd)) ? 1 : 0);
}

/* ---- IBAN (ISO 13616) ----------------------------------------------------------------------- */

/* Lengths of the IBANs of the SEPA countries; others need only 15–34 characters. */
static const struct {
    char cc[3];
    int len;
} iban_lengths[] = {
    {"AT", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"EE", 20},
    {"ES", 24}, {"FI", 18}, {"FR", 27}, {"GB", 22}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26},
    {"IT", 27}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MT", 31}, {"NL", 18}, {"NO", 15},
    {"PL", 28}, {"PT", 25}, {"RO", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
};

int formdef_iban_valid(const char *iban)
{
    char s[40];
    size_t n = 0;
    for (const char *p = iban; *p; p++) {
        if (*p == ' ')
            continue;
        if (n == sizeof(s) - 1)
            return 0;
        s[n++] = (char)toupper((unsigned char)*p);
    }
    s[n] = '\0';
    if (n < 15 || n > 34 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]))
        return 0;
    for (size_t i = 4; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i]))
            return 0;
    for (size_t i = 0; i < sizeof(iban_lengths) / sizeof(iban_lengths[0]); i++)
        if (!memcmp(s, iban_lengths[i].cc, 2) && (int)n != iban_lengths[i].len)
            return 0;
    /* Move the first four characters to the end, letters become 10..35, and the
     * number must leave 1 when divided by 97 — computed digit by digit. */
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        char ch = s[(k + 4) % n];
        if (isdigit((unsigned char)ch))
            rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
        else
            rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
    }
    return rem == 1;
}

/* ---- conditions and the shown steps and fields ------------------------------------------------ */

size_t formdef_step_count(const json_t *def)
{
    return json_array_size(json_object_get(def, "steps"));
}

const json_t *formdef_step(const json_t *def, size_t index)
{
    return json_array_get(json_object_get(def, "steps"), index);
}

const json_t *formdef_field(const json_t *def, const char *name)
{
    size_t i, j;
    const json_t *step, *field;
    json_array_foreach(json_object_get(def, "steps"), i, step)
    {
        json_array_foreach(json_object_get(step, "fields"), j, field)
        {
            if (!strcmp(json_string_value(json_object_get(field, "name")), name))
                return field;
        }
    }
    return NULL;
}

/* The answer of a field as far as conditions see it: NULL when the field is
 * hidden or not (yet) known. */
static const json_t *seen_answer(const formdef_state_t *s, const char *name)
{
    for (size_t i = 0; i < s->field_count; i++)
        if (!strcmp(s->fields[i].name, name))
            return s->fields[i].visible ? json_object_get(s->answers, name) : NULL;
    return NULL;
}

static int is_filled(const json_t *v)
{
    if (!v)
        return 0;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_true(v))
        return 1;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *part;
        json_object_foreach((json_t *)v, k, part)
        {
            if (json_is_string(part) && json_string_length(part) > 0)
                return 1;
        }
    }
    return 0;
}

static int eval_condition(const formdef_state_t *s, const json_t *cond, int depth)
{
    const json_t *inner;
    if (depth > FORMDEF_MAX_COND_DEPTH || !json_is_object(cond))
        return 0;
    if ((inner = json_object_get(cond, "not")))
        return !eval_condition(s, inner, depth + 1);
    if ((inner = json_object_get(cond, "all"))) {
        size_t i;
        const json_t *c;
        json_array_foreach(inner, i, c)
        {
            if (!eval_condition(s, c, depth + 1))
                return 0;
        }
        return 1;
    }
    if ((inner = json_object_get(cond, "any"))) {
        size_t i;
        const json_t *c;
        json_array_foreach(inner, i, c)
        {
            if (eval_condition(s, c, depth + 1))
                return 1;
        }
        return 0;
    }
    const char *name = json_string_value(json_object_get(cond, "field"));
    if (!name)
        return 0;
    const json_t *v = seen_answer(s, name);
    const json_t *t;
    if ((t = json_object_get(cond, "equals"))) {
        if (json_is_boolean(t))
            return json_is_true(t) == json_is_true(v);
        return json_is_string(v) && !strcmp(json_string_value(v), json_string_value(t));
    }
    if ((t = json_object_get(cond, "in"))) {
        size_t i;
        const json_t *one;
        if (!json_is_string(v))
            return 0;
        json_array_foreach(t, i, one)
        {
            if (json_is_string(one) && !strcmp(json_string_value(one), json_string_value(v)))
                return 1;
        }
        return 0;
    }
    if ((t = json_object_get(cond, "checked")))
        return json_is_true(t) == json_is_true(v);
    if ((t = json_object_get(cond, "contains"))) {
        size_t i;
        const json_t *one;
        json_array_foreach(v, i, one)
        {
            if (json_equal((json_t *)one, (json_t *)t))
                return 1;
        }
        return 0;
    }
    if ((t = json_object_get(cond, "filled")))
        return json_is_true(t) == is_filled(v);
    if ((t = json_object_get(cond, "age_under")) || (t = json_object_get(cond, "age_at_least"))) {
        int age = json_is_string(v) ? formdef_age(json_string_value(v), s->today) : -1;
        if (age < 0)
            return 0; /* no valid birth date yet: neither young nor old */
        int under = json_object_get(cond, "age_under") != NULL;
        return under ? age < json_integer_value(t) : age >= json_integer_value(t);
    }
    return 0;
}

void formdef_state_init(formdef_state_t *s, const json_t *def, const json_t *answers, const char *today)
{
    memset(s, 0, sizeof(*s));
    s->def = def;
    s->answers = answers;
    snprintf(s->today, sizeof(s->today), "%s", today);
    size_t i, j;
    const json_t *step, *field;
    json_array_foreach(json_object_get(def, "steps"), i, step)
    {
        if (i >= FORMDEF_MAX_STEPS)
            break;
        const json_t *cond = json_object_get(step, "show_if");
        int shown = !cond || eval_condition(s, cond, 1);
        s->step_visible[i] = shown;
        s->step_count = i + 1;
        json_array_foreach(json_object_get(step, "fields"), j, field)
        {
            if (s->field_count >= FORMDEF_MAX_FIELDS)
                break;
            const json_t *fc = json_object_get(field, "show_if");
            size_t k = s->field_count;
            s->fields[k].field = field;
            s->fields[k].name = json_string_value(json_object_get(field, "name"));
            s->fields[k].step = i;
            s->fields[k].visible = 0; /* not yet: a field cannot see itself */
            s->field_count++;
            s->fields[k].visible = shown && (!fc || eval_condition(s, fc, 1));
        }
    }
}

int formdef_field_visible(const formdef_state_t *s, const char *name)
{
    for (size_t i = 0; i < s->field_count; i++)
        if (!strcmp(s->fields[i].name, name))
            return s->fields[i].visible;
    return 0;
}

void formdef_progress(const formdef_state_t *s, size_t index, int *pos, int *total)
{
    int before = 0, all = 0;
    for (size_t i = 0; i < s->step_count; i++) {
        if (!s->step_visible[i])
            continue;
        all++;
        if (i < index)
            before++;
    }
    *total = all > 0 ? all : 1;
    *pos = before + 1 <= *total ? before + 1 : *total;
}

int formdef_next_step(const formdef_state_t *s, int from, int dir)
{
    for (int i = from + dir; i >= 0 && i < (int)s->step_count; i += dir)
        if (s->step_visible[i])
            return i;
    return -1;
}

/* ---- answers out of a POST ------------------------------------------------------------------- */

/* Sets answers[key] to s[0..n) without white space at both ends (and, in a
 * multi-line text, with CRLF made LF); an empty answer is removed. */
static void set_text(json_t *answers, const char *key, const char *s, int multiline)
{
    if (!s) {
        json_object_del(answers, key);
        return;
    }
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    while (n && isspace((unsigned char)*s))
        s++, n--;
    if (n == 0) {
        json_object_del(answers, key);
        return;
    }
    if (!multiline || !memchr(s, '\r', n)) {
        json_object_set_new(answers, key, json_stringn(s, n));
        return;
    }
    char *copy = malloc(n);
    if (!copy)
        return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
            copy[k++] = s[i] == '\r' ? '\n' : s[i];
    json_object_set_new(answers, key, json_stringn(copy, k));
    free(copy);
}

/* A date typed as dd.mm.yyyy (browsers without a date picker) becomes yyyy-mm-dd. */
static void normalise_date(json_t *answers, const char *key)
{
    const char *v = json_string_value(json_object_get(answers, key));
    int d, m, y, used = 0;
    if (!v || sscanf(v, "%2d.%2d.%4d%n", &d, &m, &y, &used) != 3 || (size_t)used != strlen(v) || y < 1000)
        return;
    if (d < 0 || m < 0 || y > 9999)
        return; /* "%2d" reads a sign too; the check below would refuse it, but the buffer must hold it */
    char iso[32];
    snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, m, d);
    if (formdef_parse_date(iso, &y, &m, &d))
        json_object_set_new(answers, key, json_string(iso));
}

void formdef_collect_step(const formdef_state_t *shown, size_t index, const form_t *form, json_t *answers)
{
    for (size_t i = 0; i < shown->field_count; i++) {
        if (shown->fields[i].step != index || !shown->fields[i].visible)
            continue;
        const json_t *field = shown->fields[i].field;
        const char *name = shown->fields[i].name;
        switch (formdef_type(field)) {
        case FT_CHECKBOX:
            json_object_set_new(answers, name, json_boolean(form_get(form, name) != NULL));
            break;
        case FT_CHECKBOXES: {
            json_t *list = json_array();
            for (size_t k = 0; k < form->count; k++)
                if (!strcmp(form->fields[k].name, name) && form->fields[k].value[0])
                    json_array_append_new(list, json_string(form->fields[k].value));
            if (json_array_size(list))
                json_object_set_new(answers, name, list);
            else {
                json_decref(list);
                json_object_del(answers, name);
            }
            break;
        }
        case FT_ADDRESS: {
            json_t *addr = json_object();
            char key[FORMDEF_MAX_NAME + 16];
            for (size_t p = 0; p < 4; p++) {
                snprintf(key, sizeof(key), "%s.%s", name, formdef_address_parts[p]);
                set_text(addr, formdef_address_parts[p], form_get(form, key), 0);
            }
            if (json_object_size(addr))
                json_object_set_new(answers, name, addr);
            else {
                json_decref(addr);
                json_object_del(answers, name);
            }
            break;
        }
        case FT_FILE:
            break; /* files are rows of application_files */
        case FT_IBAN: {
            /* Kept as typed while wrong; stored compact and in capitals once it passes. */
            set_text(answers, name, form_get(form, name), 0);
            const char *v = json_string_value(json_object_get(answers, name));
            if (v && formdef_iban_valid(v)) {
                char compact[40];
                size_t n = 0;
                for (; *v && n < sizeof(compact) - 1; v++)
                    if (*v != ' ')
                        compact[n++] = (char)toupper((unsigned char)*v);
                json_object_set_new(answers, name, json_stringn(compact, n));
            }
            break;
        }
        case FT_DATE:
            set_text(answers, name, form_get(form, name), 0);
            normalise_date(answers, name);
            break;
        default:
            set_text(answers, name, form_get(form, name), formdef_type(field) == FT_TEXTAREA);
        }
    }
}

void formdef_prefill(const json_t *def, const json_t *profile, json_t *answers)
{
    size_t i, j;
    const json_t *step, *field;
    json_array_foreach(json_object_get(def, "steps"), i, step)
    {
        json_array_foreach(json_object_get(step, "fields"), j, field)
        {
            const char *key = json_string_value(json_object_get(field, "prefill"));
            const char *name = json_string_value(json_object_get(field, "name"));
            if (!key)
                continue;
            if (formdef_type(field) == FT_ADDRESS) {
                json_t *addr = json_object();
                for (size_t p = 0; p < 4; p++) {
                    const char *v = json_string_value(json_object_get(profile, formdef_address_parts[p]));
                    if (v && *v)
                        json_object_set_new(addr, formdef_address_parts[p], json_string(v));
                }
                if (json_object_size(addr))
                    json_object_set_new(answers, name, addr);
                else
                    json_decref(addr);
                continue;
            }
            const char *v = json_string_value(json_object_get(profile, key));
            if (v && *v)
                json_object_set_new(answers, name, json_string(v));
        }
    }
}
