/* test_zweck.c — unit tests for the calendar arithmetic of the Zweckentfremdung
 * nights ledger (src/modules/services/zweck_nights.c).
 *
 * What an owner and the Bauamt rely on: a night counts in the year of its
 * evening (so a stay over New Year's Eve splits between two years), leap years
 * have 366 nights, dates are only real dates, a stay is refused when it ends
 * before it begins, lies more than a year ahead or outside the permit, and a
 * registration number is recognised in the spellings people type. The day counting is checked against an independent
 * walk through the calendar and against the C library's timegm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/internal.h"

#include "fixture_arena.h" /* a fresh arena per test, freed in teardown */

static int64_t day(const char *iso)
{
    int64_t d = 0;
    assert_int_equal(zweck_parse_day(iso, &d), 0);
    return d;
}

/* Every day from 1900-01-01 to 2200-12-31, walked month by month with the
 * Gregorian rules written out here once more, maps to consecutive numbers and
 * back; 1970-01-01 is day 0 and timegm agrees on a sample. */
static void test_day_numbers_follow_the_calendar(void **state)
{
    (void)state;
    static const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t expected = zweck_day_from_civil(1900, 1, 1);
    assert_int_equal(zweck_day_from_civil(1970, 1, 1), 0);
    assert_int_equal(expected, -25567);
    for (int y = 1900; y <= 2200; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int days = lengths[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= days; d++) {
                assert_int_equal(zweck_day_from_civil(y, m, d), expected);
                int yy, mm, dd;
                zweck_civil_from_day(expected, &yy, &mm, &dd);
                assert_int_equal(yy, y);
                assert_int_equal(mm, m);
                assert_int_equal(dd, d);
                if (d == 1 && m % 3 == 1) {
                    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
                    /* noon minus twelve hours: exact midnight, whatever the sign */
                    assert_int_equal(((int64_t)timegm(&tm) - 43200) / 86400, expected);
                }
                expected++;
            }
        }
    }
}

static void test_parse_day_takes_only_real_dates(void **state)
{
    (void)state;
    int64_t d = -1;
    assert_int_equal(zweck_parse_day("2026-12-29", &d), 0);
    assert_int_equal(d, zweck_day_from_civil(2026, 12, 29));
    assert_int_equal(zweck_parse_day("2024-02-29", &d), 0); /* leap year */
    assert_int_equal(zweck_parse_day("2000-02-29", &d), 0); /* divisible by 400 */
    assert_int_equal(zweck_parse_day("1900-01-01", &d), 0);
    assert_int_equal(zweck_parse_day("9999-12-31", &d), 0);
    /* As people write it, where a browser shows a plain text field. */
    assert_int_equal(zweck_parse_day("29.12.2026", &d), 0);
    assert_int_equal(d, zweck_day_from_civil(2026, 12, 29));
    assert_int_equal(zweck_parse_day("29.02.2024", &d), 0);
    static const char *const bad[] = {
        "2025-02-29", /* not a leap year */
        "1900-02-29", /* divisible by 100 */
        "2026-04-31",  "2026-13-01",  "2026-00-10", "2026-01-00",        "2026-1-01",
        "2026-01-1",   "26-01-01",    "2026/01/01", "1.1.2026",          "29.02.2025",
        "31.04.2026",  "01.13.2026",  "01-01-2026", "2026.01.01",        " 2026-01-01",
        "2026-01-01 ", "2026-01-01x", "1899-12-31", /* before the range */
        "+2026-01-01", "2026-0a-01",  "",           "2026-01-0\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d = 42;
        if (zweck_parse_day(bad[i], &d) != -1)
            fail_msg("'%s' was taken as a date", bad[i]);
        assert_int_equal(d, 42); /* untouched */
    }
    assert_int_equal(zweck_parse_day(NULL, &d), -1);
}

static void test_day_format(void **state)
{
    (void)state;
    char text[ZWECK_DAY_TEXT];
    zweck_day_format(day("2027-01-03"), 1, text);
    assert_string_equal(text, "03.01.2027");
    zweck_day_format(day("2027-01-03"), 0, text);
    assert_string_equal(text, "2027-01-03");
    zweck_day_format(day("9999-12-31"), 1, text);
    assert_string_equal(text, "31.12.9999");
    assert_int_equal(zweck_year_of_day(day("2026-12-31")), 2026);
    assert_int_equal(zweck_year_of_day(day("2027-01-01")), 2027);
}

/* 29 December to 3 January: the nights of the 29th, 30th and 31st in the old
 * year, of the 1st and 2nd in the new one. */
static void test_nights_split_at_new_year(void **state)
{
    (void)state;
    int64_t a = day("2026-12-29"), d = day("2027-01-03");
    assert_int_equal(zweck_nights_in_year(a, d, 2026), 3);
    assert_int_equal(zweck_nights_in_year(a, d, 2027), 2);
    assert_int_equal(zweck_nights_in_year(a, d, 2025), 0);
    assert_int_equal(zweck_nights_in_year(a, d, 2028), 0);
    /* Leaving on New Year's Day: the last night is New Year's Eve. */
    assert_int_equal(zweck_nights_in_year(day("2026-12-31"), day("2027-01-01"), 2026), 1);
    assert_int_equal(zweck_nights_in_year(day("2026-12-31"), day("2027-01-01"), 2027), 0);
    /* A whole leap year and a whole common year. */
    assert_int_equal(zweck_nights_in_year(day("2027-12-01"), day("2029-02-01"), 2028), 366);
    assert_int_equal(zweck_nights_in_year(day("2026-01-01"), day("2027-01-01"), 2026), 365);
    /* An empty or reversed range has no nights. */
    assert_int_equal(zweck_nights_in_year(a, a, 2026), 0);
    assert_int_equal(zweck_nights_in_year(d, a, 2026), 0);
}

/* The permit's limit: 84 nights are 12 weeks; stays summed per year. */
static void test_nights_total_per_year(void **state)
{
    (void)state;
    zweck_stay_t stays[] = {
        {day("2026-01-10"), day("2026-03-10")}, /* 59 nights */
        {day("2026-07-01"), day("2026-07-26")}, /* 25 nights: 84 in all */
        {day("2026-12-30"), day("2027-01-04")}, /* 2 in 2026, 3 in 2027 */
    };
    assert_int_equal(zweck_nights_total(stays, 2, 2026), 84);
    assert_int_equal(zweck_nights_total(stays, 3, 2026), 86);
    assert_int_equal(zweck_nights_total(stays, 3, 2027), 3);
    assert_int_equal(zweck_nights_total(stays, 0, 2026), 0);
}

static void test_stay_check(void **state)
{
    (void)state;
    int64_t today = day("2026-06-15");
    int64_t from = day("2026-01-01"), until = day("2030-12-31");
    const char *field = "x";
    /* Fine: yesterday to tomorrow; exactly a year ahead; the permit's last night. */
    assert_null(zweck_stay_check(today - 1, today + 1, today, from, until, &field));
    assert_null(field);
    assert_null(zweck_stay_check(today + 300, today + ZWECK_DAYS_AHEAD, today, from, until, &field));
    assert_null(zweck_stay_check(from, from + 1, today, from, until, &field));
    /* Departure on the day of arrival or before it. */
    assert_non_null(zweck_stay_check(today, today, today, from, until, &field));
    assert_string_equal(field, "abreise");
    assert_non_null(zweck_stay_check(today, today - 3, today, from, until, &field));
    assert_string_equal(field, "abreise");
    /* More than a year ahead. */
    assert_non_null(zweck_stay_check(today + 300, today + ZWECK_DAYS_AHEAD + 1, today, from, until, &field));
    assert_string_equal(field, "abreise");
    /* Before the permit began. */
    assert_non_null(zweck_stay_check(from - 1, from + 2, today, from, until, &field));
    assert_string_equal(field, "anreise");
    /* Past its end: the last night may be the last day, not later. */
    int64_t today2 = day("2030-12-20");
    assert_null(zweck_stay_check(until - 2, until + 1, today2, from, until, &field));
    assert_non_null(zweck_stay_check(until - 2, until + 2, today2, from, until, &field));
    assert_string_equal(field, "abreise");
}

static void test_number_normalise(void **state)
{
    arena_t *a = *state;
    assert_string_equal(zweck_number_normalise(a, "MZ-ZE-2026-0042"), "MZ-ZE-2026-0042");
    assert_string_equal(zweck_number_normalise(a, "  mz-ze-2026-0042\t"), "MZ-ZE-2026-0042");
    assert_string_equal(zweck_number_normalise(a, "MZ-ZE-2026-12345"), "MZ-ZE-2026-12345");
    static const char *const bad[] = {
        "MZ-ZE-2026-042", /* too short */
        "MZ-ZE-26-0042",
        "MZ-2026-000042",
        "MZ-ZE-2026_0042",
        "MZ-ZE-2026-00a2",
        "XMZ-ZE-2026-0042",
        "MZ-ZE-2026-0042x",
        "MZ ZE 2026 0042",
        "MZ-ZE-2026-00 42",
        "",
        "MZ-ZE-2026-0042-1",
        "MZ-ZE-2026-00000000000042", /* 25 characters: longer than ZWECK_NUMBER_MAX */
        "987654321",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (zweck_number_normalise(a, bad[i]))
            fail_msg("'%s' was taken as a registration number", bad[i]);
    assert_null(zweck_number_normalise(a, NULL));
}

/* The owner's calendar day is the one in Mainz: half past midnight on New
 * Year's Day there is still the old year in UTC. */
static void test_day_of_time_is_local(void **state)
{
    (void)state;
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    int64_t t = 1798759800; /* 2026-12-31T23:30:00Z = 2027-01-01 00:30 in Berlin */
    assert_int_equal(zweck_day_of_time(t), day("2027-01-01"));
    assert_int_equal(zweck_day_of_time(t - 3600), day("2026-12-31")); /* 23:30 in Berlin */
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_numbers_follow_the_calendar),
        cmocka_unit_test(test_parse_day_takes_only_real_dates),
        cmocka_unit_test(test_day_format),
        cmocka_unit_test(test_nights_split_at_new_year),
        cmocka_unit_test(test_nights_total_per_year),
        cmocka_unit_test(test_stay_check),
        cmocka_unit_test_setup_teardown(test_number_normalise, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test(test_day_of_time_is_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
