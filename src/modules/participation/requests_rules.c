/* requests_rules.c — the rules of the Anregungen that need no database: who counts
 * as a resident of Mainz (postcode, town, age), the 8-week support period, the
 * statuses and the steps the coordination office may take from each. Kept apart
 * from the handlers so that tests/unit/test_requests.c can check them one by one,
 * and written as tables, so that a new reason or step is one line.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "modules/participation/requests_internal.h"
#include "view/i18n.h"

#define DAY_SECONDS 86400

/* ---- residency --------------------------------------------------------------------- */

/* The postcodes of the city of Mainz (Deutsche Post). 55252 (Mainz-Kastel) and
 * 55246 (Mainz-Kostheim) belong to Wiesbaden. */
static const char *const mainz_postcodes[] = {"55116", "55118", "55120", "55122", "55124", "55126",
                                              "55127", "55128", "55129", "55130", "55131"};

/* The 15 Ortsbezirke, as people add them to the town ("Mainz-Gonsenheim"). */
static const char *const mainz_districts[] = {"Altstadt",   "Neustadt",    "Oberstadt", "Hartenberg-Münchfeld",
                                              "Mombach",    "Gonsenheim",  "Finthen",   "Bretzenheim",
                                              "Marienborn", "Lerchenberg", "Drais",     "Hechtsheim",
                                              "Ebersheim",  "Weisenau",    "Laubenheim"};

/* s without the blanks around it: start in *start, length returned. */
static size_t trimmed(const char *s, const char **start)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *start = s;
    return n;
}

int requests_postcode_is_mainz(const char *postcode)
{
    if (!postcode)
        return 0;
    const char *p;
    size_t n = trimmed(postcode, &p);
    for (size_t i = 0; i < sizeof(mainz_postcodes) / sizeof(mainz_postcodes[0]); i++)
        if (n == strlen(mainz_postcodes[i]) && !memcmp(p, mainz_postcodes[i], n))
            return 1;
    return 0;
}

/* 1 when s[0..n) equals word, ASCII letters compared without case. */
static int equals_ci(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

int requests_city_is_mainz(const char *city)
{
    if (!city)
        return 0;
    const char *c;
    size_t n = trimmed(city, &c);
    if (equals_ci(c, n, "Mainz"))
        return 1;
    if (n <= 6 || strncasecmp(c, "Mainz", 5) != 0 || (c[5] != '-' && c[5] != ' '))
        return 0;
    const char *district = c + 6;
    size_t dn = n - 6;
    for (size_t i = 0; i < sizeof(mainz_districts) / sizeof(mainz_districts[0]); i++)
        if (equals_ci(district, dn, mainz_districts[i]))
            return 1;
    return 0;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int requests_age_on(const char *birth_date, int y, int m, int d)
{
    if (!birth_date || strlen(birth_date) != 10)
        return -1;
    for (int i = 0; i < 10; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? birth_date[i] != '-' : !isdigit((unsigned char)birth_date[i]))
            return -1;
    }
    int by = 0, bm = 0, bd = 0;
    if (sscanf(birth_date, "%4d-%2d-%2d", &by, &bm, &bd) != 3)
        return -1;
    if (by < 1800 || bm < 1 || bm > 12 || bd < 1 || bd > days_in_month(by, bm))
        return -1;
    /* A year is complete at the start of the birthday; when the birthday is
     * 29 February and the year has none, at the start of 1 March, because
     * (2, 28) still comes before (2, 29). */
    int age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age < 0 ? -1 : age;
}

void requests_local_date(int64_t now, int *y, int *m, int *d)
{
    time_t t = (time_t)now;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

const char *requests_residency_refusal(int trust_level, const char *postcode, const char *city, const char *birth_date,
                                       int min_age, int64_t now)
{
    /* clang-format off */
    if (trust_level < 1)
        return N_("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse.");
    if (!postcode || !*postcode || !city || !*city)
        return N_("Tragen Sie bitte unter „Meine Daten“ Ihre Adresse in Mainz ein. Nur Einwohnerinnen und Einwohner von Mainz können Anregungen einreichen und unterstützen.");
    if (!requests_postcode_is_mainz(postcode) || !requests_city_is_mainz(city))
        return N_("Nach Ihrer Adresse unter „Meine Daten“ wohnen Sie nicht in Mainz. Nur Einwohnerinnen und Einwohner von Mainz können Anregungen einreichen und unterstützen.");
    if (min_age <= 0)
        return NULL;
    int y, m, d;
    requests_local_date(now, &y, &m, &d);
    int age = requests_age_on(birth_date, y, m, d);
    if (age < 0)
        return min_age == REQUESTS_MIN_AGE
                   ? N_("Tragen Sie bitte unter „Meine Daten“ Ihr Geburtsdatum ein. Anregungen sind ab 14 Jahren möglich.")
                   : N_("Tragen Sie bitte unter „Meine Daten“ Ihr Geburtsdatum ein. Hier gilt ein Mindestalter.");
    if (age < min_age)
        return min_age == REQUESTS_MIN_AGE ? N_("Anregungen können Sie ab 14 Jahren einreichen und unterstützen. Nach Ihrem Geburtsdatum sind Sie noch jünger.")
                                           : N_("Sie haben das Mindestalter dafür noch nicht erreicht.");
    /* clang-format on */
    return NULL;
}

/* ---- the support period -------------------------------------------------------------- */

int64_t requests_period_end(int64_t start)
{
    return start + (int64_t)REQUESTS_PERIOD_DAYS * DAY_SECONDS;
}

int64_t requests_days_left(int64_t ends_at, int64_t now)
{
    if (ends_at <= now)
        return 0;
    return (ends_at - now + DAY_SECONDS - 1) / DAY_SECONDS;
}

const char *requests_effective_status(const char *status, int64_t collect_ends_at, int64_t now)
{
    if (status && !strcmp(status, "sammlung") && collect_ends_at > 0 && collect_ends_at <= now)
        return "nicht_erreicht";
    return status;
}

/* ---- statuses ---------------------------------------------------------------------------- */

static const struct status_row {
    const char *key;
    const char *label; /* msgid */
    const char *badge; /* KERN badge kind */
    int is_public;
} statuses[] = {
    {"eingereicht", N_("Wird geprüft"), "info", 0},
    {"abgelehnt", N_("Nicht zugelassen"), "danger", 1},
    {"sammlung", N_("Sammelt Unterstützung"), "info", 1},
    {"erfolgreich", N_("Quorum erreicht"), "success", 1},
    {"nicht_erreicht", N_("Quorum nicht erreicht"), "warning", 1},
    {"vorlage", N_("Beschlussvorlage in Vorbereitung"), "info", 1},
    {"stadtrat", N_("Im Stadtrat"), "info", 1},
    {"entschieden", N_("Entschieden"), "success", 1},
};

static const struct status_row *status_row(const char *status)
{
    for (size_t i = 0; status && i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (!strcmp(statuses[i].key, status))
            return &statuses[i];
    return NULL;
}

int requests_status_is_public(const char *status)
{
    const struct status_row *s = status_row(status);
    return s && s->is_public;
}

const char *requests_status_label(const char *status)
{
    const struct status_row *s = status_row(status);
    return s ? s->label : status;
}

const char *requests_status_badge(const char *status)
{
    const struct status_row *s = status_row(status);
    return s ? s->badge : "info";
}

/* ---- small fixed lists ------------------------------------------------------------------------ */

/* The forms of the Leitlinien, with what each means in plain words. The keys are
 * those of projects.participation_form. */
static const requests_choice_t forms[] = {
    {"information", N_("Information: Die Stadt informiert früh und verständlich über das Vorhaben.")},
    {"konsultation", N_("Konsultation: Die Stadt fragt nach Meinungen und Vorschlägen.")},
    {"kooperation", N_("Kooperation: Einwohnerinnen und Einwohner erarbeiten Lösungen mit der Stadt.")},
    {"mitentscheidung", N_("Mitentscheidung: Einwohnerinnen und Einwohner entscheiden mit.")},
};

static const requests_choice_t reasons[] = {
    {"zustaendigkeit", N_("Außerhalb der Zuständigkeit der Stadt")},
    {"zu_spaet", N_("Zu spät im Verfahren")},
    {"laufend", N_("Zu diesem Thema gibt es schon eine Beteiligung")},
    {"recht", N_("Rechtlich nicht möglich")},
    {"sonstiges", N_("Anderer Grund")},
};

static const requests_choice_t decisions[] = {
    {"angenommen", N_("Angenommen")},
    {"teilweise", N_("Teilweise angenommen")},
    {"abgelehnt", N_("Abgelehnt")},
};

const requests_choice_t *requests_forms(size_t *count)
{
    *count = sizeof(forms) / sizeof(forms[0]);
    return forms;
}

const requests_choice_t *requests_reasons(size_t *count)
{
    *count = sizeof(reasons) / sizeof(reasons[0]);
    return reasons;
}

const requests_choice_t *requests_decisions(size_t *count)
{
    *count = sizeof(decisions) / sizeof(decisions[0]);
    return decisions;
}

const char *requests_choice_label(const requests_choice_t *list, size_t count, const char *key)
{
    for (size_t i = 0; key && i < count; i++)
        if (!strcmp(list[i].key, key))
            return list[i].label;
    return NULL;
}

/* ---- the office's steps -------------------------------------------------------------------- */

/* From "erfolgreich" on, the office and the department work towards the council;
 * "sammlung" → "erfolgreich" | "nicht_erreicht" are the platform's own steps
 * (requests_public.c at the quorum, requests.c when the period ends). */
/* clang-format off */
static const requests_step_t steps[] = {
    {"annehmen", "eingereicht", "sammlung", N_("Zur Sammlung freigeben"),
     N_("Hinweis zur Veröffentlichung"), N_("Freiwillig. Erscheint im Verlauf der Anregung."), 0, 0, 0},
    {"ablehnen", "eingereicht", "abgelehnt", N_("Nicht zulassen"),
     N_("Begründung"), N_("Die Begründung wird mit der Anregung veröffentlicht. Schreiben Sie so, dass alle sie verstehen."), 1, 1, 0},
    {"vorlage", "erfolgreich", "vorlage", N_("Beschlussvorlage wird vorbereitet"),
     N_("Was geschieht jetzt?"), N_("Freiwillig. Zum Beispiel: welches Amt die Vorlage vorbereitet."), 0, 0, 0},
    {"stadtrat", "vorlage", "stadtrat", N_("Dem Stadtrat vorgelegt"),
     N_("Sitzung des Stadtrats"), N_("Zum Beispiel: Datum der Sitzung und Punkt der Tagesordnung."), 1, 0, 0},
    {"entscheidung", "stadtrat", "entschieden", N_("Entscheidung eintragen"),
     N_("Beschluss des Stadtrats"), N_("Der Text des Beschlusses oder eine verständliche Zusammenfassung."), 1, 0, 1},
};
/* clang-format on */

const requests_step_t *requests_step(const char *from, const char *action)
{
    for (size_t i = 0; from && action && i < sizeof(steps) / sizeof(steps[0]); i++)
        if (!strcmp(steps[i].from, from) && !strcmp(steps[i].action, action))
            return &steps[i];
    return NULL;
}

size_t requests_steps_from(const char *from, const requests_step_t **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; from && i < sizeof(steps) / sizeof(steps[0]) && n < max; i++)
        if (!strcmp(steps[i].from, from))
            out[n++] = &steps[i];
    return n;
}
