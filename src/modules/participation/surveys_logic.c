/* surveys_logic.c — the pure rules of surveys and events: where a survey or an
 * event stands at a moment, calendar days and local times from form fields,
 * percentages and means in integer arithmetic (so that the page, the CSV and
 * the API show the same figures on every engine), the results as a view model
 * with an SVG chart per question, and the two CSV formats.
 *
 * Nothing here touches the database or a request; tests/unit/test_surveys.c
 * checks it directly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/participation/surveys_internal.h"
#include "view/i18n.h"
#include "view/svgchart.h"

const survey_choice_t surveys_kinds[SURVEY_KIND_COUNT] = {
    {"einfach", N_("Einfachauswahl")},
    {"mehrfach", N_("Mehrfachauswahl")},
    {"text", N_("Freitext")},
    {"bewertung", N_("Bewertung von 1 bis 5")},
};

const survey_choice_t surveys_statuses[2] = {
    {"entwurf", N_("Entwurf: nur für die Verwaltung sichtbar")},
    {"veroeffentlicht", N_("Veröffentlicht")},
};

const char *const surveys_rating_labels[SURVEY_RATING_STEPS] = {
    N_("1 – sehr schlecht"), N_("2 – schlecht"), N_("3 – mittel"), N_("4 – gut"), N_("5 – sehr gut"),
};

const event_feature_t events_features[4] = {
    {"stufenlos", "step_free", N_("Stufenloser Zugang")},
    {"wc", "accessible_toilet", N_("Barrierefreies WC")},
    {"hoerschleife", "hearing_loop", N_("Induktionsschleife für Hörgeräte")},
    {"gebaerdensprache", "sign_language", N_("Gebärdensprachdolmetschung auf Anfrage")},
};

int surveys_choice_index(const survey_choice_t *list, size_t n, const char *value)
{
    if (!value)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].value, value))
            return (int)i;
    return -1;
}

/* ---- states ----------------------------------------------------------------------------------- */

survey_state_t surveys_state(const survey_t *s, int64_t now)
{
    if (!s->status || strcmp(s->status, "veroeffentlicht") != 0)
        return SURVEY_DRAFT;
    if (s->closed_at > 0 && s->closed_at <= now)
        return SURVEY_CLOSED;
    if (now >= s->closes_at)
        return SURVEY_CLOSED;
    if (now < s->opens_at)
        return SURVEY_UPCOMING;
    return SURVEY_OPEN;
}

static const survey_choice_t survey_state_names[] = {
    {"draft", N_("Entwurf")},
    {"upcoming", N_("Noch nicht begonnen")},
    {"open", N_("Läuft")},
    {"closed", N_("Beendet")},
};

const char *surveys_state_name(survey_state_t st)
{
    return survey_state_names[st].value;
}
const char *surveys_state_label(survey_state_t st)
{
    return survey_state_names[st].label;
}

int surveys_results_public(const survey_t *s, int64_t now)
{
    survey_state_t st = surveys_state(s, now);
    return st == SURVEY_CLOSED || (st == SURVEY_OPEN && s->live_results);
}

event_state_t events_state(const event_t *e, int64_t now)
{
    if (!e->status || strcmp(e->status, "veroeffentlicht") != 0)
        return EVENT_DRAFT;
    if (now >= e->ends_at)
        return EVENT_PAST;
    if (now >= e->registration_until || now >= e->starts_at)
        return EVENT_CLOSED;
    if (e->registered_count >= e->capacity)
        return EVENT_FULL;
    return EVENT_OPEN;
}

static const survey_choice_t event_state_names[] = {
    {"draft", N_("Entwurf")},   {"open", N_("Anmeldung offen")},
    {"full", N_("Ausgebucht")}, {"closed", N_("Anmeldung geschlossen")},
    {"past", N_("Vorbei")},
};

const char *events_state_name(event_state_t st)
{
    return event_state_names[st].value;
}
const char *events_state_label(event_state_t st)
{
    return event_state_names[st].label;
}

/* ---- figures ---------------------------------------------------------------------------------- */

int64_t surveys_permille(int64_t count, int64_t base)
{
    if (base <= 0 || count <= 0)
        return 0;
    /* Half up: (2·1000·count + base) / (2·base), whole numbers only. */
    return (count * 2000 + base) / (base * 2);
}

int64_t surveys_mean_tenths(const int64_t ratings[SURVEY_RATING_STEPS], int64_t *n)
{
    int64_t sum = 0, count = 0;
    for (int i = 0; i < SURVEY_RATING_STEPS; i++) {
        sum += (int64_t)(i + 1) * ratings[i];
        count += ratings[i];
    }
    if (n)
        *n = count;
    if (count <= 0)
        return 0;
    return (sum * 20 + count) / (count * 2);
}

const char *surveys_tenths_label(arena_t *a, const char *lang, int64_t tenths)
{
    int en = lang && !strcmp(lang, "en");
    return arena_printf(a, "%lld%c%lld", (long long)(tenths / 10), en ? '.' : ',', (long long)(tenths % 10));
}

/* The percentage for a page: "33,3 %" in German, "33.3%" in English. */
static const char *percent_label(arena_t *a, const char *lang, int64_t permille)
{
    int en = lang && !strcmp(lang, "en");
    return arena_printf(a, "%s%s", surveys_tenths_label(a, lang, permille), en ? "%" : "\u00a0%");
}

/* ---- dates and times ------------------------------------------------------------------------------ */

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Digits at s[from..to) as a number, or -1 when one is not a digit. */
static int digits(const char *s, int from, int to)
{
    int v = 0;
    for (int i = from; i < to; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "yyyy-mm-dd" at the start of s: 0 with the parts, -1 when it is not a real day. */
static int parse_date_part(const char *s, int *y, int *m, int *d)
{
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s[4] != '-' || s[7] != '-')
        return -1;
    *y = digits(s, 0, 4);
    *m = digits(s, 5, 7);
    *d = digits(s, 8, 10);
    if (*y < 2000 || *y > 2199 || *m < 1 || *m > 12 || *d < 1)
        return -1;
    return *d <= month_days[*m - 1] + (*m == 2 && leap(*y)) ? 0 : -1;
}

/* The local time of a day plus days_after at hh:mm:ss (mktime finds whether
 * summer time applies: tm_isdst -1, and carries day 32 into the next month). */
static int local_time(int y, int m, int d, int days_after, int hh, int mm, int ss, int64_t *t)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = m - 1,
                    .tm_mday = d + days_after,
                    .tm_hour = hh,
                    .tm_min = mm,
                    .tm_sec = ss,
                    .tm_isdst = -1};
    time_t v = mktime(&tm);
    if (v == (time_t)-1)
        return -1;
    *t = (int64_t)v;
    return 0;
}

static int parse_day(const char *iso, int days_after, int64_t *t)
{
    int y, m, d;
    if (!iso || strlen(iso) != 10 || parse_date_part(iso, &y, &m, &d) != 0)
        return -1;
    return local_time(y, m, d, days_after, 0, 0, 0, t);
}

int surveys_parse_day(const char *iso, int64_t *t)
{
    return parse_day(iso, 0, t);
}
int surveys_parse_day_end(const char *iso, int64_t *t)
{
    return parse_day(iso, 1, t);
}

int surveys_parse_datetime(const char *iso, int64_t *t)
{
    int y, m, d;
    size_t n = iso ? strlen(iso) : 0;
    /* "2026-03-01T18:30" or with seconds "…:05"; a blank instead of the T as some browsers send it. */
    if ((n != 16 && n != 19) || parse_date_part(iso, &y, &m, &d) != 0 || (iso[10] != 'T' && iso[10] != ' ') ||
        iso[13] != ':' || (n == 19 && iso[16] != ':'))
        return -1;
    int hh = digits(iso, 11, 13), mm = digits(iso, 14, 16), ss = n == 19 ? digits(iso, 17, 19) : 0;
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
        return -1;
    return local_time(y, m, d, 0, hh, mm, ss, t);
}

enum time_format { FORMAT_ISO_DAY, FORMAT_ISO_TIME, FORMAT_DAY, FORMAT_TIME, FORMAT_CLOCK };

static const char *format_time(arena_t *a, int64_t t, enum time_format format)
{
    if (t <= 0)
        return "";
    time_t v = (time_t)t;
    struct tm tm;
    if (!localtime_r(&v, &tm))
        return "";
    char out[64];
    size_t n = 0;
    /* strftime wants literal formats (-Wformat-nonliteral). */
    switch (format) {
    case FORMAT_ISO_DAY:
        n = strftime(out, sizeof out, "%Y-%m-%d", &tm);
        break;
    case FORMAT_ISO_TIME:
        n = strftime(out, sizeof out, "%Y-%m-%dT%H:%M", &tm);
        break;
    case FORMAT_DAY:
        n = strftime(out, sizeof out, "%d.%m.%Y", &tm);
        break;
    case FORMAT_TIME:
        n = strftime(out, sizeof out, "%d.%m.%Y, %H:%M", &tm);
        break;
    case FORMAT_CLOCK:
        n = strftime(out, sizeof out, "%H:%M", &tm);
        break;
    }
    return arena_strndup(a, out, n);
}

const char *surveys_iso_day(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_ISO_DAY);
}
const char *surveys_iso_datetime(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_ISO_TIME);
}
const char *surveys_day_label(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_DAY);
}
const char *surveys_time_label(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_TIME);
}
const char *surveys_clock_label(arena_t *a, int64_t t)
{
    return format_time(a, t, FORMAT_CLOCK);
}

/* ---- text ------------------------------------------------------------------------------------------ */

size_t surveys_chars(const char *s)
{
    return s ? utf8_length(s, strlen(s)) : 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

const char *surveys_trim(arena_t *a, const char *s)
{
    if (!s)
        return "";
    while (blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && blank(s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

int64_t surveys_number(const char *s, int64_t min, int64_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 12)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v < min || v > max ? -1 : v;
}

int surveys_lines(arena_t *a, const char *text, const char **out, size_t max, size_t *n)
{
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        size_t len = strcspn(p, "\n");
        const char *line = surveys_trim(a, arena_strndup(a, p, len));
        if (*line) {
            if (*n == max) {
                *n = max + 1;
                return -1;
            }
            out[(*n)++] = line;
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    return 0;
}

/* ---- CSV ---------------------------------------------------------------------------------------------- */

int surveys_csv_text(buf_t *b, const char *s)
{
    if (!s)
        s = "";
    buf_putc(b, '"');
    /* A spreadsheet runs a cell starting with these as a formula. */
    if (*s && strchr("=+-@\t\r", *s))
        buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    return buf_putc(b, '"') != 0 || b->overflow ? BUF_ETOOBIG : 0;
}

/* The machine form of a per-mille figure: "33.3". */
static int csv_tenths(buf_t *b, int64_t tenths)
{
    return buf_appendf(b, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
}

/* The start of a results row: question number, text and kind. */
static void csv_question_cells(buf_t *b, size_t number, const survey_question_t *q)
{
    buf_appendf(b, "%zu,", number);
    surveys_csv_text(b, q->text);
    buf_putc(b, ',');
    surveys_csv_text(b, surveys_kinds[q->kind].value);
    buf_putc(b, ',');
}

int surveys_csv_results(buf_t *b, const survey_t *s)
{
    buf_puts(b, "frage_nr,frage,art,antwort,anzahl,anteil_prozent,mittelwert\r\n");
    for (size_t i = 0; i < s->question_count; i++) {
        const survey_question_t *q = &s->questions[i];
        /* First the question as a whole: how many answered it, and a rating's mean. */
        csv_question_cells(b, i + 1, q);
        buf_appendf(b, "\"\",%lld,,", (long long)q->answered);
        if (q->kind == SURVEY_RATING) {
            int64_t n;
            int64_t mean = surveys_mean_tenths(q->ratings, &n);
            if (n > 0)
                csv_tenths(b, mean);
        }
        buf_puts(b, "\r\n");
        if (q->kind == SURVEY_SINGLE || q->kind == SURVEY_MULTIPLE) {
            for (size_t k = 0; k < q->option_count; k++) {
                csv_question_cells(b, i + 1, q);
                surveys_csv_text(b, q->options[k].label);
                buf_appendf(b, ",%lld,", (long long)q->options[k].count);
                csv_tenths(b, surveys_permille(q->options[k].count, q->answered));
                buf_puts(b, ",\r\n");
            }
        } else if (q->kind == SURVEY_RATING) {
            for (int k = 0; k < SURVEY_RATING_STEPS; k++) {
                csv_question_cells(b, i + 1, q);
                buf_appendf(b, "\"%d\",%lld,", k + 1, (long long)q->ratings[k]);
                csv_tenths(b, surveys_permille(q->ratings[k], q->answered));
                buf_puts(b, ",\r\n");
            }
        }
    }
    return b->overflow ? BUF_ETOOBIG : 0;
}

int surveys_csv_answers_header(buf_t *b, const survey_t *s)
{
    buf_puts(b, "antwort_nr");
    for (size_t i = 0; i < s->question_count; i++) {
        buf_putc(b, ',');
        surveys_csv_text(b, s->questions[i].text);
    }
    buf_puts(b, "\r\n");
    return b->overflow ? BUF_ETOOBIG : 0;
}

int surveys_csv_answers_row(buf_t *b, const survey_t *s, int64_t number, const char *const *cells)
{
    buf_appendf(b, "%lld", (long long)number);
    for (size_t i = 0; i < s->question_count; i++) {
        buf_putc(b, ',');
        surveys_csv_text(b, cells[i] ? cells[i] : "");
    }
    buf_puts(b, "\r\n");
    return b->overflow ? BUF_ETOOBIG : 0;
}

/* ---- the results as a view model ---------------------------------------------------------------------- */

static const char *tr(const char *lang, const char *msgid)
{
    return i18n_translate(lang ? lang : "de", msgid);
}

/* A table row and a chart bar. */
static json_t *result_row(arena_t *a, const char *lang, const char *label, int64_t count, int64_t base)
{
    int64_t permille = surveys_permille(count, base);
    return json_pack("{s:s,s:I,s:s,s:I}", "label", label, "count", (json_int_t)count, "percent",
                     percent_label(a, lang, permille), "permille", (json_int_t)permille);
}

json_t *surveys_results_json(arena_t *a, const char *lang, const survey_t *s, int with_charts, int with_hidden)
{
    json_t *questions = json_array();
    for (size_t i = 0; i < s->question_count; i++) {
        const survey_question_t *q = &s->questions[i];
        int choice = q->kind == SURVEY_SINGLE || q->kind == SURVEY_MULTIPLE;
        json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:b,s:b,s:b,s:b,s:b}", "id", (json_int_t)q->id, "number",
                              (json_int_t)(i + 1), "text", q->text, "kind", surveys_kinds[q->kind].value, "kind_label",
                              tr(lang, surveys_kinds[q->kind].label), "answered", (json_int_t)q->answered, "is_choice",
                              choice, "multiple", q->kind == SURVEY_MULTIPLE, "is_rating", q->kind == SURVEY_RATING,
                              "is_text", q->kind == SURVEY_TEXT, "required", q->required);
        json_t *rows = json_array();
        size_t nbars = choice ? q->option_count : q->kind == SURVEY_RATING ? SURVEY_RATING_STEPS : 0;
        svg_bar_t *bars = nbars ? arena_alloc(a, nbars * sizeof *bars) : NULL;
        if (choice) {
            for (size_t k = 0; k < q->option_count; k++) {
                json_array_append_new(rows, result_row(a, lang, q->options[k].label, q->options[k].count, q->answered));
                bars[k] = (svg_bar_t){q->options[k].label, (double)q->options[k].count};
            }
        } else if (q->kind == SURVEY_RATING) {
            for (int k = 0; k < SURVEY_RATING_STEPS; k++) {
                const char *label = tr(lang, surveys_rating_labels[k]);
                json_array_append_new(rows, result_row(a, lang, label, q->ratings[k], q->answered));
                bars[k] = (svg_bar_t){label, (double)q->ratings[k]};
            }
            int64_t n;
            int64_t mean = surveys_mean_tenths(q->ratings, &n);
            if (n > 0) {
                json_object_set_new(o, "mean", json_string(surveys_tenths_label(a, lang, mean)));
                json_object_set_new(o, "mean_tenths", json_integer(mean));
            }
        }
        json_object_set_new(o, "rows", rows);
        if (with_charts && nbars && q->answered > 0) {
            const char *svg =
                svg_hbar_chart_lang(a, lang ? lang : "de", q->text, tr(lang, N_("Nennungen")), bars, nbars);
            if (svg)
                json_object_set_new(o, "chart", json_string(svg));
        }
        if (q->kind == SURVEY_TEXT) {
            json_t *texts = json_array();
            for (size_t k = 0; k < q->text_count; k++) {
                const survey_text_answer_t *t = &q->texts[k];
                json_t *x = json_pack("{s:I,s:b}", "id", (json_int_t)t->id, "hidden", t->hidden);
                if (t->hidden)
                    json_object_set_new(x, "reason", json_string(t->hidden_reason ? t->hidden_reason : ""));
                if (!t->hidden || with_hidden)
                    json_object_set_new(x, "answer", json_string(t->text));
                json_array_append_new(texts, x);
            }
            json_object_set_new(o, "texts", texts);
        }
        json_array_append_new(questions, o);
    }
    return json_pack("{s:I,s:o}", "respondents", (json_int_t)s->response_count, "questions", questions);
}
