/* processes_logic.c — the pure rules of participation processes: the lists of
 * kinds and statuses with their German labels, where a process stands at a
 * moment, which phase runs, whether a set of phases fits together, calendar days,
 * and the keyset cursors and comment paths of the pages. No database, no request:
 * tests/unit/test_processes.c checks each rule.
 *
 * Days are local calendar days (the city's time zone is the server's): a phase
 * "1.3.–31.3." is stored as [first second of 1.3., first second of 1.4.), so that
 * "does it run now?" is one comparison and summer time needs no special case.
 */
#include "modules/participation/processes.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "view/i18n.h"

const process_choice_t processes_phase_kinds[] = {
    {"information", N_("Information")},
    {"consultation", N_("Konsultation")},
    {"cooperation", N_("Kooperation")},
    {"results", N_("Ergebnisse")},
};
const size_t processes_phase_kind_count = sizeof(processes_phase_kinds) / sizeof(processes_phase_kinds[0]);

const process_choice_t processes_proposal_statuses[] = {
    {"in_pruefung", N_("In Prüfung")},
    {"angenommen", N_("Angenommen")},
    {"abgelehnt", N_("Abgelehnt")},
    {"umgesetzt", N_("Umgesetzt")},
};
const size_t processes_proposal_status_count =
    sizeof(processes_proposal_statuses) / sizeof(processes_proposal_statuses[0]);

const process_choice_t processes_statuses[] = {
    {"entwurf", N_("Entwurf (nur für die Verwaltung sichtbar)")},
    {"veroeffentlicht", N_("Veröffentlicht")},
};
const size_t processes_status_count = sizeof(processes_statuses) / sizeof(processes_statuses[0]);

const process_choice_t processes_sorts[] = {
    {"neueste", N_("Neueste zuerst")},
    {"unterstuetzt", N_("Meiste Unterstützungen zuerst")},
    {"kommentiert", N_("Meiste Kommentare zuerst")},
};
const size_t processes_sort_count = sizeof(processes_sorts) / sizeof(processes_sorts[0]);

/* In the order of COMPONENT_* and of process_phase_t.components. */
const process_choice_t processes_components[] = {
    {"proposals", N_("Vorschläge machen und unterstützen")},
    {"comments", N_("Kommentieren und antworten")},
    {"surveys", N_("An Umfragen teilnehmen")},
    {"events", N_("Sich zu Veranstaltungen anmelden")},
};
const size_t processes_component_count = sizeof(processes_components) / sizeof(processes_components[0]);

int processes_choice_index(const process_choice_t *list, size_t n, const char *value)
{
    for (size_t i = 0; value && i < n; i++)
        if (!strcmp(list[i].value, value))
            return (int)i;
    return -1;
}

const char *processes_choice_label(const process_choice_t *list, size_t n, const char *value)
{
    int i = processes_choice_index(list, n, value);
    return i < 0 ? NULL : list[i].label;
}

/* ---- phases ------------------------------------------------------------------------ */

process_state_t processes_state(const process_phase_t *phases, size_t n, int64_t now)
{
    if (n == 0)
        return PROCESS_NO_PHASES;
    int64_t first = phases[0].starts_at, last = phases[0].ends_at;
    for (size_t i = 1; i < n; i++) {
        if (phases[i].starts_at < first)
            first = phases[i].starts_at;
        if (phases[i].ends_at > last)
            last = phases[i].ends_at;
    }
    if (now < first)
        return PROCESS_UPCOMING;
    return now < last ? PROCESS_CURRENT : PROCESS_FINISHED;
}

const char *processes_state_name(process_state_t s)
{
    static const char *const names[] = {"none", "upcoming", "current", "finished"};
    return (unsigned)s < 4 ? names[s] : "none";
}

int processes_running_phase(const process_phase_t *phases, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++)
        if (phases[i].starts_at <= now && now < phases[i].ends_at)
            return (int)i;
    return -1;
}

int processes_next_phase(const process_phase_t *phases, size_t n, int64_t now)
{
    int best = -1;
    for (size_t i = 0; i < n; i++)
        if (phases[i].starts_at > now && (best < 0 || phases[i].starts_at < phases[best].starts_at))
            best = (int)i;
    return best;
}

int processes_open_now(const process_phase_t *phases, size_t n, int component, int64_t now)
{
    if (component < 0 || component > 3)
        return 0;
    int i = processes_running_phase(phases, n, now);
    return i >= 0 && phases[i].components[component];
}

static int cmp_phase(const void *pa, const void *pb)
{
    const process_phase_t *a = pa, *b = pb;
    if (a->starts_at != b->starts_at)
        return a->starts_at < b->starts_at ? -1 : 1;
    /* A new phase (id 0) after the stored ones that start at the same time. */
    int64_t ia = a->id ? a->id : INT64_MAX, ib = b->id ? b->id : INT64_MAX;
    return (ia > ib) - (ia < ib);
}

void processes_phases_sort(process_phase_t *phases, size_t n)
{
    if (n > 1)
        qsort(phases, n, sizeof(phases[0]), cmp_phase);
    for (size_t i = 0; i < n; i++)
        phases[i].position = (int64_t)i;
}

const char *processes_phases_check(const process_phase_t *phases, size_t n, size_t *bad)
{
    *bad = 0;
    if (n > PHASES_MAX) {
        *bad = n - 1;
        return N_("Ein Verfahren hat höchstens 12 Phasen.");
    }
    for (size_t i = 0; i < n; i++) {
        if (phases[i].ends_at <= phases[i].starts_at) {
            *bad = i;
            return N_("Das Ende der Phase darf nicht vor ihrem Beginn liegen.");
        }
        if (i > 0 && phases[i].starts_at < phases[i - 1].ends_at) {
            *bad = i;
            return N_(
                "Die Phase überschneidet sich mit einer anderen Phase. Phasen folgen aufeinander; bitte ändern Sie die Daten.");
        }
    }
    return NULL;
}

/* ---- days ------------------------------------------------------------------------------ */

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Parses "yyyy-mm-dd" strictly into a local midnight, days_after days later. */
static int parse_day(const char *iso, int days_after, int64_t *t)
{
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!iso || strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)iso[i]))
            return -1;
    int y = atoi(iso), m = atoi(iso + 5), d = atoi(iso + 8);
    if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1)
        return -1;
    int max = month_days[m - 1] + (m == 2 && leap(y));
    if (d > max)
        return -1;
    /* mktime normalises day 32 into the next month and finds the local offset
     * (tm_isdst = -1: whether summer time applies on that day). */
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + days_after, .tm_isdst = -1};
    time_t v = mktime(&tm);
    if (v == (time_t)-1)
        return -1;
    *t = (int64_t)v;
    return 0;
}

int processes_parse_day(const char *iso, int64_t *t)
{
    return parse_day(iso, 0, t);
}

int processes_parse_day_end(const char *iso, int64_t *t)
{
    return parse_day(iso, 1, t);
}

/* The formats of the day and time labels (strftime wants literal formats). */
enum time_format { FORMAT_ISO_DAY, FORMAT_DAY, FORMAT_TIME };

static const char *format_time(arena_t *a, int64_t t, enum time_format format)
{
    if (t <= 0)
        return "";
    time_t v = (time_t)t;
    struct tm tm;
    if (!localtime_r(&v, &tm))
        return "";
    char out[64];
    size_t n = format == FORMAT_ISO_DAY ? strftime(out, sizeof out, "%Y-%m-%d", &tm)
               : format == FORMAT_DAY   ? strftime(out, sizeof out, "%d.%m.%Y", &tm)
                                        : strftime(out, sizeof out, "%d.%m.%Y, %H:%M", &tm);
    return arena_strndup(a, out, n);
}

const char *processes_iso_day(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_ISO_DAY);
}

const char *processes_day_label(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_DAY);
}

const char *processes_time_label(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_TIME);
}

/* ---- cursors and paths ----------------------------------------------------------------- */

/* A whole number of at most 18 digits (no sign): 0 with *v, else -1. */
static int parse_count(const char *s, size_t n, int64_t *v)
{
    if (n == 0 || n > 18)
        return -1;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

int processes_cursor_parse(const char *s, int with_key, int64_t *key, int64_t *id)
{
    if (!s)
        return -1;
    const char *dot = strchr(s, '.');
    if (!with_key) {
        if (dot || parse_count(s, strlen(s), id) != 0 || *id < 1)
            return -1;
        *key = *id;
        return 0;
    }
    if (!dot || parse_count(s, (size_t)(dot - s), key) != 0 || parse_count(dot + 1, strlen(dot + 1), id) != 0 ||
        *id < 1)
        return -1;
    return 0;
}

const char *processes_cursor(arena_t *a, int with_key, int64_t key, int64_t id)
{
    if (with_key)
        return arena_printf(a, "%" PRId64 ".%" PRId64, key, id);
    return arena_printf(a, "%" PRId64, id);
}

const char *processes_comment_path(arena_t *a, const char *parent_path, int64_t id)
{
    if (!parent_path || !*parent_path)
        return arena_printf(a, "%012" PRId64, id);
    return arena_printf(a, "%s.%012" PRId64, parent_path, id);
}

int processes_valid_path(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    /* 12 digits per level, '.' between, at most COMMENT_DEPTH_MAX levels. */
    if (n == 0 || n > (size_t)COMMENT_DEPTH_MAX * 13 || (n + 1) % 13 != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dot = (i + 1) % 13 == 0;
        if (dot ? s[i] != '.' : !isdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* ---- text -------------------------------------------------------------------------------- */

size_t processes_chars(const char *s)
{
    return s ? utf8_length(s, strlen(s)) : 0;
}

const char *processes_trim(arena_t *a, const char *s)
{
    if (!s)
        return "";
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

long processes_number(const char *s, long fallback, long min, long max)
{
    if (!s)
        return fallback;
    if (!*s || strlen(s) > 12)
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    long n = strtol(s, NULL, 10);
    return n < min || n > max ? -1 : n;
}
