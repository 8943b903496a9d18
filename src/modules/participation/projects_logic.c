/* projects_logic.c — the rules of the Vorhabenliste that need no database:
 * labels of statuses and forms, which change is a delay or extra cost, money
 * and dates as people write them, CSV fields, sort keys, safe return paths.
 *
 * Everything here is pure (no I/O but the local-time conversions), so that
 * tests/unit/test_projects.c can check every rule on its own.
 */
#include "modules/participation/projects.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view/i18n.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- labels ------------------------------------------------------------------------ */

const project_choice_t projects_statuses[] = {
    {"in_planung", N_("in Planung")},
    {"in_umsetzung", N_("in Umsetzung")},
    {"abgeschlossen", N_("abgeschlossen")},
    {"zurueckgestellt", N_("zurückgestellt")},
};
const size_t projects_status_count = ARRAY_LEN(projects_statuses);

/* The four forms of participation the Leitlinien name, weakest first. */
const project_choice_t projects_forms[] = {
    {"information", N_("Information")},
    {"konsultation", N_("Konsultation")},
    {"kooperation", N_("Kooperation")},
    {"mitentscheidung", N_("Mitentscheidung")},
};
const size_t projects_form_count = ARRAY_LEN(projects_forms);

const project_choice_t projects_obligations[] = {
    {"pflicht", N_("Pflichtaufgabe (gesetzlich vorgeschrieben)")},
    {"freiwillig", N_("freiwillige Aufgabe")},
};
const size_t projects_obligation_count = ARRAY_LEN(projects_obligations);

const project_choice_t projects_change_kinds[] = {
    {"verzoegerung", N_("Verzögerung")}, {"mehrkosten", N_("Mehrkosten")}, {"beschluss", N_("Neuer Beschluss")},
    {"status", N_("Neuer Stand")},       {"sonstiges", N_("Änderung")},
};
const size_t projects_change_kind_count = ARRAY_LEN(projects_change_kinds);

/* The topic names and the citywide district's name of
 * sql/participation/001_projects.sql, so that the translators see them (the pages
 * translate these names as they read them from the database).
 * tests/unit/test_projects.c checks that the lists agree. */
const char *const projects_name_msgids[] = {
    N_("Mobilität und Verkehr"),
    N_("Bauen und Wohnen"),
    N_("Stadtentwicklung"),
    N_("Klima und Umwelt"),
    N_("Grünflächen und Freiräume"),
    N_("Schulen und Bildung"),
    N_("Kinder, Jugend und Familie"),
    N_("Soziales und Gesundheit"),
    N_("Kultur, Sport und Freizeit"),
    N_("Wirtschaft und Digitales"),
    N_("Sicherheit und Ordnung"),
    N_("Verwaltung und Finanzen"),
    N_("Gesamtstädtisch"),
};
const size_t projects_name_msgid_count = ARRAY_LEN(projects_name_msgids);

const char *projects_choice_label(const project_choice_t *list, size_t n, const char *value)
{
    if (!value)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].value, value))
            return list[i].label;
    return NULL;
}

/* ---- tracked fields and the change log ------------------------------------------------- */

enum value_kind {
    VALUE_TEXT,      /* a const char * member of project_t */
    VALUE_DISTRICTS, /* the names, joined with ", " */
    VALUE_TOPIC,     /* the topic's name */
    VALUE_UNIT,      /* the unit's name */
    VALUE_COSTS,     /* cents in decimal, "" when unknown */
    VALUE_PLANNED,   /* "1" / "0" */
};

/* Every field the change log tracks, in the order of the entry page. */
static const struct tracked_field {
    const char *field;
    const char *label;
    enum value_kind kind;
    size_t offset; /* VALUE_TEXT: where the string is in project_t */
    int is_long;   /* Markdown text: the log folds it */
} tracked_fields[] = {
    {"title", N_("Titel"), VALUE_TEXT, offsetof(project_t, title), 0},
    {"summary", N_("Kurzbeschreibung"), VALUE_TEXT, offsetof(project_t, summary), 0},
    {"description", N_("Beschreibung"), VALUE_TEXT, offsetof(project_t, description), 1},
    {"goals", N_("Ziele"), VALUE_TEXT, offsetof(project_t, goals), 1},
    {"districts", N_("Ortsbezirke"), VALUE_DISTRICTS, 0, 0},
    {"topic", N_("Thema"), VALUE_TOPIC, 0, 0},
    {"decisions", N_("Bisherige Beschlüsse"), VALUE_TEXT, offsetof(project_t, decisions), 1},
    {"starts_on", N_("Beginn"), VALUE_TEXT, offsetof(project_t, starts_on), 0},
    {"ends_on", N_("Voraussichtliches Ende"), VALUE_TEXT, offsetof(project_t, ends_on), 0},
    {"next_steps", N_("Dauer und nächste Schritte"), VALUE_TEXT, offsetof(project_t, next_steps), 1},
    {"costs_text", N_("Kosten"), VALUE_TEXT, offsetof(project_t, costs_text), 0},
    {"costs_cents", N_("Kosten in Euro"), VALUE_COSTS, 0, 0},
    {"status", N_("Stand"), VALUE_TEXT, offsetof(project_t, status), 0},
    {"affected", N_("Wer ist betroffen?"), VALUE_TEXT, offsetof(project_t, affected), 1},
    {"participation_planned", N_("Beteiligung geplant"), VALUE_PLANNED, 0, 0},
    {"participation_form", N_("Form der Beteiligung"), VALUE_TEXT, offsetof(project_t, participation_form), 0},
    {"participation_reason", N_("Warum keine Beteiligung geplant ist"), VALUE_TEXT,
     offsetof(project_t, participation_reason), 1},
    {"obligation", N_("Art der Aufgabe"), VALUE_TEXT, offsetof(project_t, obligation), 0},
    {"unit", N_("Zuständige Stelle"), VALUE_UNIT, 0, 0},
    {"contact_name", N_("Ansprechperson"), VALUE_TEXT, offsetof(project_t, contact_name), 0},
    {"contact_email", N_("E-Mail"), VALUE_TEXT, offsetof(project_t, contact_email), 0},
    {"contact_phone", N_("Telefon"), VALUE_TEXT, offsetof(project_t, contact_phone), 0},
};
_Static_assert(ARRAY_LEN(tracked_fields) <= PROJECT_FIELDS_MAX, "PROJECT_FIELDS_MAX holds every tracked field");

static const struct tracked_field *tracked(const char *field)
{
    for (size_t i = 0; i < ARRAY_LEN(tracked_fields); i++)
        if (!strcmp(tracked_fields[i].field, field))
            return &tracked_fields[i];
    return NULL;
}

const char *projects_field_label(const char *field)
{
    const struct tracked_field *t = field ? tracked(field) : NULL;
    return t ? t->label : NULL;
}

int projects_field_is_long(const char *field)
{
    const struct tracked_field *t = field ? tracked(field) : NULL;
    return t ? t->is_long : 0;
}

static const char *nonnull(const char *s)
{
    return s ? s : "";
}

static const char *value_of(arena_t *a, const project_t *p, const struct tracked_field *t)
{
    switch (t->kind) {
    case VALUE_TEXT:
        return nonnull(*(const char *const *)((const char *)p + t->offset));
    case VALUE_TOPIC:
        return nonnull(p->topic_name);
    case VALUE_UNIT:
        return nonnull(p->unit_name);
    case VALUE_COSTS:
        return p->has_costs ? arena_printf(a, "%lld", (long long)p->costs_cents) : "";
    case VALUE_PLANNED:
        return p->participation_planned ? "1" : "0";
    case VALUE_DISTRICTS: {
        size_t total = 1;
        for (size_t i = 0; i < p->district_count; i++)
            total += strlen(nonnull(p->districts[i].name)) + 2;
        char *out = arena_alloc(a, total);
        size_t o = 0;
        for (size_t i = 0; i < p->district_count; i++) {
            const char *name = nonnull(p->districts[i].name);
            if (i) {
                memcpy(out + o, ", ", 2);
                o += 2;
            }
            memcpy(out + o, name, strlen(name));
            o += strlen(name);
        }
        out[o] = '\0';
        return out;
    }
    }
    return "";
}

const char *projects_field_value(arena_t *a, const project_t *p, const char *field)
{
    const struct tracked_field *t = tracked(field);
    return t ? value_of(a, p, t) : "";
}

/* Whether the two entries are in the same districts (ids, in any order). */
static int same_districts(const project_t *x, const project_t *y)
{
    if (x->district_count != y->district_count)
        return 0;
    for (size_t i = 0; i < x->district_count; i++) {
        int found = 0;
        for (size_t j = 0; j < y->district_count && !found; j++)
            found = x->districts[i].id == y->districts[j].id;
        if (!found)
            return 0;
    }
    return 1;
}

/* The kind of a change of t from old to now (both raw values differ). */
static const char *change_kind(const struct tracked_field *t, const project_t *old, const project_t *now,
                               const char *old_value, const char *new_value)
{
    /* A later expected end is a delay; an end that was open and is now known, or
     * an earlier one, is news but not a delay. ISO dates compare as text. */
    if (!strcmp(t->field, "ends_on") && *old_value && *new_value && strcmp(new_value, old_value) > 0)
        return "verzoegerung";
    /* Higher costs are Mehrkosten; a first estimate is not. */
    if (!strcmp(t->field, "costs_cents") && old->has_costs && now->has_costs && now->costs_cents > old->costs_cents)
        return "mehrkosten";
    if (!strcmp(t->field, "decisions"))
        return "beschluss";
    if (!strcmp(t->field, "status"))
        return "status";
    return "sonstiges";
}

size_t projects_diff(arena_t *a, const project_t *old, const project_t *now, project_change_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(tracked_fields) && n < max; i++) {
        const struct tracked_field *t = &tracked_fields[i];
        const char *old_value = value_of(a, old, t);
        const char *new_value = value_of(a, now, t);
        int differs;
        if (t->kind == VALUE_DISTRICTS)
            differs = !same_districts(old, now);
        else if (t->kind == VALUE_TOPIC)
            differs = old->topic_id != now->topic_id;
        else if (t->kind == VALUE_UNIT)
            differs = old->unit_id != now->unit_id;
        else
            differs = strcmp(old_value, new_value) != 0;
        if (!differs)
            continue;
        out[n].field = t->field;
        out[n].kind = change_kind(t, old, now, old_value, new_value);
        out[n].old_value = old_value;
        out[n].new_value = new_value;
        n++;
    }
    return n;
}

/* ---- money ----------------------------------------------------------------------------- */

const char *projects_euro(arena_t *a, int64_t cents)
{
    if (cents < 0)
        cents = 0;
    char digits[32];
    snprintf(digits, sizeof(digits), "%lld", (long long)(cents / 100));
    size_t n = strlen(digits);
    char grouped[48];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        /* A dot before every group of three counted from the right. */
        if (i > 0 && (n - i) % 3 == 0)
            grouped[o++] = '.';
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    if (cents % 100)
        return arena_printf(a, "%s,%02lld €", grouped, (long long)(cents % 100));
    return arena_printf(a, "%s €", grouped);
}

/* Whether s[0..n) ends with the suffix word w (compared ignoring ASCII case). */
static int ends_with_word(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    if (n < m)
        return 0;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != w[i])
            return 0;
    }
    return 1;
}

int projects_parse_euro(const char *s, int64_t *cents)
{
    *cents = 0;
    size_t start = 0, end = strlen(s);
    while (start < end && (s[start] == ' ' || s[start] == '\t'))
        start++;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    /* A currency after the number is what people write; it says nothing more. */
    static const char *const currencies[] = {"€", "eur", "euro"};
    for (size_t i = 0; i < ARRAY_LEN(currencies); i++) {
        if (ends_with_word(s + start, end - start, currencies[i])) {
            end -= strlen(currencies[i]);
            while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
                end--;
            break;
        }
    }
    if (start == end)
        return 1;
    int64_t euros = 0, fraction = 0;
    size_t digits = 0; /* digits of the whole euros */
    size_t group = 0;  /* digits since the last '.' */
    int grouped = 0;   /* a '.' was seen: every group must have three digits */
    size_t i = start;
    for (; i < end && s[i] != ','; i++) {
        char c = s[i];
        if (c == '.') {
            if (digits == 0 || (grouped && group != 3) || (!grouped && group > 3))
                return -1;
            grouped = 1;
            group = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return -1;
        if (euros > PROJECT_COSTS_MAX_CENTS / 100)
            return -2;
        euros = euros * 10 + (c - '0');
        digits++;
        group++;
    }
    if (digits == 0 || (grouped && group != 3))
        return -1;
    if (i < end) { /* the cents after ',' — one or two digits */
        size_t fd = 0;
        for (i++; i < end; i++) {
            if (s[i] < '0' || s[i] > '9' || fd == 2)
                return -1;
            fraction = fraction * 10 + (s[i] - '0');
            fd++;
        }
        if (fd == 0)
            return -1;
        if (fd == 1)
            fraction *= 10;
    }
    if (euros > PROJECT_COSTS_MAX_CENTS / 100)
        return -2;
    int64_t total = euros * 100 + fraction;
    if (total > PROJECT_COSTS_MAX_CENTS)
        return -2;
    *cents = total;
    return 0;
}

/* ---- dates ------------------------------------------------------------------------------ */

int projects_valid_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int year = atoi(s), month = atoi(s + 5), day = atoi(s + 8);
    if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1)
        return 0;
    static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max = days_in[month - 1] + (month == 2 && leap);
    return day <= max;
}

const char *projects_date_label(arena_t *a, const char *iso)
{
    if (!iso || !projects_valid_date(iso))
        return "";
    return arena_printf(a, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

/* The local date of t: iso 1 gives "2026-11-29", else "29.11.2026"; "" for t <= 0. */
static const char *format_local(arena_t *a, int64_t t, int iso)
{
    if (t <= 0)
        return "";
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return "";
    if (iso)
        return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return arena_printf(a, "%02d.%02d.%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

const char *projects_day(arena_t *a, int64_t t)
{
    return format_local(a, t, 0);
}

const char *projects_iso_day(arena_t *a, int64_t t)
{
    return format_local(a, t, 1);
}

void projects_quarter_of(int64_t t, int *year, int *quarter)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm)) {
        *year = 1970;
        *quarter = 1;
        return;
    }
    *year = tm.tm_year + 1900;
    *quarter = tm.tm_mon / 3 + 1;
}

int64_t projects_next_digest_time(int64_t now, char day[16])
{
    time_t tt = (time_t)now;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return now + 86400;
    tm.tm_hour = 7;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1; /* mktime finds summer time itself */
    time_t at = mktime(&tm);
    if (at <= (time_t)now) {
        tm.tm_mday += 1; /* mktime carries into the next month and year */
        tm.tm_hour = 7;
        tm.tm_isdst = -1;
        at = mktime(&tm);
    }
    struct tm local;
    if (localtime_r(&at, &local))
        snprintf(day, 16, "%04u-%02u-%02u", (unsigned)(local.tm_year + 1900) % 10000u,
                 (unsigned)(local.tm_mon + 1) % 100u, (unsigned)local.tm_mday % 100u);
    else
        snprintf(day, 16, "t%lld", (long long)at);
    return (int64_t)at;
}

/* ---- German dictionary order -------------------------------------------------------------- */

/* The letters a code point of Latin-1 Supplement sorts as (DIN 5007-1: umlauts as
 * their base vowel), or NULL when it keeps its bytes. */
static const char *fold_latin1(unsigned cp)
{
    switch (cp) {
    case 0xC0:
    case 0xC1:
    case 0xC2:
    case 0xC3:
    case 0xC4:
    case 0xC5:
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3:
    case 0xE4:
    case 0xE5:
        return "a";
    case 0xC6:
    case 0xE6:
        return "ae";
    case 0xC7:
    case 0xE7:
        return "c";
    case 0xC8:
    case 0xC9:
    case 0xCA:
    case 0xCB:
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
        return "e";
    case 0xCC:
    case 0xCD:
    case 0xCE:
    case 0xCF:
    case 0xEC:
    case 0xED:
    case 0xEE:
    case 0xEF:
        return "i";
    case 0xD1:
    case 0xF1:
        return "n";
    case 0xD2:
    case 0xD3:
    case 0xD4:
    case 0xD5:
    case 0xD6:
    case 0xD8:
    case 0xF2:
    case 0xF3:
    case 0xF4:
    case 0xF5:
    case 0xF6:
    case 0xF8:
        return "o";
    case 0xD9:
    case 0xDA:
    case 0xDB:
    case 0xDC:
    case 0xF9:
    case 0xFA:
    case 0xFB:
    case 0xFC:
        return "u";
    case 0xDD:
    case 0xFD:
    case 0xFF:
        return "y";
    case 0xDF:
        return "ss";
    default:
        return NULL;
    }
}

const char *projects_sort_key(arena_t *a, const char *title)
{
    const unsigned char *s = (const unsigned char *)nonnull(title);
    size_t n = strlen((const char *)s);
    char *key = arena_alloc(a, n * 2 + 1); /* "ß" (2 bytes) → "ss", "Æ" → "ae": never longer than 2x */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            key[o++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
            i++;
            continue;
        }
        /* Two-byte sequences C3 80..C3 BF are U+00C0..U+00FF. */
        const char *folded = s[i] == 0xC3 && i + 1 < n ? fold_latin1(0xC0u + (s[i + 1] & 0x3Fu)) : NULL;
        if (folded) {
            size_t m = strlen(folded);
            memcpy(key + o, folded, m);
            o += m;
            i += 2;
        } else {
            key[o++] = (char)s[i++];
        }
    }
    key[o] = '\0';
    return key;
}

/* ---- CSV, paths, URLs -------------------------------------------------------------------------- */

int projects_csv_field(buf_t *out, const char *s)
{
    s = nonnull(s);
    if (!strpbrk(s, ",\"\r\n"))
        return buf_puts(out, s);
    int rc = buf_putc(out, '"');
    for (const char *p = s; *p && rc == 0; p++)
        rc = *p == '"' ? buf_puts(out, "\"\"") : buf_putc(out, *p);
    return rc == 0 ? buf_putc(out, '"') : rc;
}

int projects_local_path(const char *p)
{
    if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\')
        return 0;
    size_t n = strlen(p);
    if (n > 1000)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')
            return 0;
    return 1;
}

const char *projects_with_notice(arena_t *a, const char *path, const char *notice)
{
    const char *q = strchr(path, '?');
    size_t base = q ? (size_t)(q - path) : strlen(path);
    buf_t b;
    buf_init(&b, a, strlen(path) + 32, 4096);
    buf_append(&b, path, base);
    char sep = '?';
    /* Keep every parameter but an earlier hinweis, in order. */
    for (const char *p = q ? q + 1 : NULL; p && *p;) {
        const char *end = strchr(p, '&');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && !(n >= 8 && !strncmp(p, "hinweis=", 8)) && !(n == 7 && !strncmp(p, "hinweis", 7))) {
            buf_putc(&b, sep);
            buf_append(&b, p, n);
            sep = '&';
        }
        p = end ? end + 1 : NULL;
    }
    buf_appendf(&b, "%chinweis=%s", sep, notice);
    return b.overflow ? arena_printf(a, "/beteiligung?hinweis=%s", notice) : buf_cstr(&b);
}
