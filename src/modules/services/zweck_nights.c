/* zweck_nights.c — the calendar arithmetic of the Zweckentfremdung nights ledger.
 *
 * A calendar day is a count of days since 1970-01-01 (proleptic Gregorian), so
 * that stays, overlaps and years are integer arithmetic, the same in C and in
 * SQL on both engines. A stay from arrival to departure holds the nights
 * arrival, arrival + 1, … departure - 1; a night belongs to the calendar year of
 * its evening, so a stay from 29 December to 3 January has three nights in the
 * old year and two in the new one. Nothing here touches the database or the
 * request: it is what tests/unit/test_zweck.c checks.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/services/internal.h"
#include "view/i18n.h"

/* Days from 1970-01-01 to year-month-day. The year is counted from March, so that
 * the leap day is the last day of its year and the month lengths after it follow
 * the regular 153-days-per-5-months pattern; eras of 400 years repeat exactly. */
int64_t zweck_day_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2 ? 1 : 0);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t year_of_era = y - era * 400;                              /* 0 … 399 */
    int64_t month_from_march = month > 2 ? month - 3 : month + 9;     /* 0 … 11 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1; /* 0 … 365 */
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

/* The inverse of zweck_day_from_civil. */
void zweck_civil_from_day(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t day_of_era = z - era * 146097; /* 0 … 146096 */
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    int64_t d = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    int64_t m = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    *year = (int)(year_of_era + era * 400 + (m <= 2 ? 1 : 0));
    *month = (int)m;
    *day = (int)d;
}

static int is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : lengths[month - 1];
}

/* Reads count digits at text into *value; -1 when one is not a digit. */
static int read_digits(const char *text, int count, int *value)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    *value = v;
    return 0;
}

int zweck_parse_day(const char *text, int64_t *out)
{
    /* "yyyy-mm-dd" as <input type="date"> sends it, or "dd.mm.yyyy" as people
     * write it where the browser shows a plain text field; nothing around it. */
    if (!text || strlen(text) != 10)
        return -1;
    int year, month, day;
    if (text[4] == '-' && text[7] == '-') {
        if (read_digits(text, 4, &year) || read_digits(text + 5, 2, &month) || read_digits(text + 8, 2, &day))
            return -1;
    } else if (text[2] == '.' && text[5] == '.') {
        if (read_digits(text, 2, &day) || read_digits(text + 3, 2, &month) || read_digits(text + 6, 4, &year))
            return -1;
    } else {
        return -1;
    }
    if (year < ZWECK_YEAR_MIN || year > ZWECK_YEAR_MAX || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return -1;
    *out = zweck_day_from_civil(year, month, day);
    return 0;
}

void zweck_day_format(int64_t days, int german, char out[ZWECK_DAY_TEXT])
{
    int y, m, d;
    zweck_civil_from_day(days, &y, &m, &d);
    /* The year range of zweck_parse_day keeps this within 10 characters; a
     * stored value outside it still cannot overflow, snprintf cuts it. */
    if (german)
        snprintf(out, ZWECK_DAY_TEXT, "%02d.%02d.%04d", d, m, y);
    else
        snprintf(out, ZWECK_DAY_TEXT, "%04d-%02d-%02d", y, m, d);
}

int zweck_year_of_day(int64_t days)
{
    int y, m, d;
    zweck_civil_from_day(days, &y, &m, &d);
    return y;
}

int64_t zweck_nights_in_year(int64_t arrival, int64_t departure, int year)
{
    int64_t first = zweck_day_from_civil(year, 1, 1);
    int64_t next = zweck_day_from_civil(year + 1, 1, 1);
    int64_t from = arrival > first ? arrival : first;
    int64_t to = departure < next ? departure : next;
    return to > from ? to - from : 0;
}

int64_t zweck_day_of_time(int64_t unix_seconds)
{
    /* The city's calendar day (the process runs in Europe/Berlin), as the
     * owner reads it off the wall calendar. */
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return unix_seconds / 86400;
    return zweck_day_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

const char *zweck_stay_check(int64_t arrival, int64_t departure, int64_t today, int64_t valid_from, int64_t valid_until,
                             const char **field)
{
    *field = "abreise";
    if (departure <= arrival)
        return N_("Die Abreise muss nach der Anreise liegen. Geben Sie den Tag an, an dem die Gäste abreisen.");
    if (departure > today + ZWECK_DAYS_AHEAD)
        return N_("Sie können Aufenthalte höchstens ein Jahr im Voraus eintragen.");
    *field = "anreise";
    if (arrival < valid_from)
        return N_("Die Anreise liegt vor dem Beginn Ihrer Genehmigung.");
    if (departure > valid_until + 1) {
        *field = "abreise";
        return N_("Die letzte Nacht liegt nach dem Ende Ihrer Genehmigung.");
    }
    *field = NULL;
    return NULL;
}

int64_t zweck_nights_total(const zweck_stay_t *stays, size_t count, int year)
{
    int64_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += zweck_nights_in_year(stays[i].arrival, stays[i].departure, year);
    return total;
}

const char *zweck_number_normalise(arena_t *arena, const char *text)
{
    if (!text)
        return NULL;
    /* What people paste: blanks around it, lower case. Nothing else is mended. */
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len < sizeof("MZ-ZE-2026-0001") - 1 || len > ZWECK_NUMBER_MAX)
        return NULL;
    char *out = arena_strndup(arena, text, len);
    for (size_t i = 0; i < len; i++)
        if (out[i] >= 'a' && out[i] <= 'z')
            out[i] = (char)(out[i] - 'a' + 'A');
    /* MZ-ZE-<4-digit year>-<at least 4 digits> */
    if (strncmp(out, "MZ-ZE-", 6) != 0 || out[10] != '-')
        return NULL;
    for (size_t i = 6; i < len; i++) {
        if (i == 10)
            continue;
        if (out[i] < '0' || out[i] > '9')
            return NULL;
    }
    return out;
}
