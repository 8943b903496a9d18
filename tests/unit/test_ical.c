/* test_ical.c — iCalendar files for appointments (platform/ical.c).
 *
 * Every file is parsed back with libical's own parser and the fields compared
 * with what went in, as a calendar program would read them: times in UTC,
 * umlauts, escaped commas/semicolons/newlines, long descriptions folded at 75
 * octets without splitting a character, optional fields left out, the cancelled
 * variant, and the inputs that must be refused.
 */
/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "platform/ical.h"

#define START 1773563400 /* 2026-03-15T08:30:00Z */
#define END 1773565200   /* 2026-03-15T09:00:00Z */

static ical_event_t sample(void)
{
    return (ical_event_t){
        .uid = "termin-42@rathaus.example",
        .start = START,
        .end = END,
        .summary = "Termin im Bürgeramt: Reisepass beantragen",
        .location = "Bürgeramt Mainz, Schillerplatz 7; Raum 1.12",
        .description = "Bitte bringen Sie mit:\n- Personalausweis\n- ein biometrisches Foto\nGebühr: 70,00 € \\ bar",
        .url = "https://rathaus.example/termine/42",
        .cancelled = 0,
        .sequence = 0,
    };
}

/* The VEVENT of a parsed calendar text (asserts there is exactly one). */
static icalcomponent *parse(const char *text, icalcomponent **calendar)
{
    *calendar = icalparser_parse_string(text);
    assert_non_null(*calendar);
    assert_int_equal(icalcomponent_isa(*calendar), ICAL_VCALENDAR_COMPONENT);
    assert_int_equal(icalcomponent_count_components(*calendar, ICAL_VEVENT_COMPONENT), 1);
    return icalcomponent_get_first_component(*calendar, ICAL_VEVENT_COMPONENT);
}

static const char *prop_text(icalcomponent *c, icalproperty_kind kind)
{
    icalproperty *p = icalcomponent_get_first_property(c, kind);
    return p ? icalproperty_get_value_as_string(p) : NULL;
}

/* Lines end in CRLF, none is longer than 75 octets, and there is no bare CR or LF. */
static void assert_lines_ok(const char *text)
{
    size_t n = strlen(text), line_start = 0;
    assert_true(n > 2);
    assert_memory_equal(text + n - 2, "\r\n", 2);
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\r') {
            assert_int_equal(text[i + 1], '\n');
            assert_true(i - line_start <= 75);
            line_start = i + 2;
            i++;
        } else {
            assert_int_not_equal(text[i], '\n');
        }
    }
}

/* The text with folding undone (CRLF followed by one space or tab removed). */
static char *unfold(const char *text)
{
    char *out = malloc(strlen(text) + 1);
    assert_non_null(out);
    size_t o = 0;
    for (const char *p = text; *p; p++) {
        if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
            p += 2;
            continue;
        }
        out[o++] = *p;
    }
    out[o] = '\0';
    return out;
}

static void test_fields_round_trip(void **state)
{
    (void)state;
    ical_event_t ev = sample();
    time_t before = time(NULL);
    char *text = ical_event_text(&ev);
    time_t after = time(NULL);
    assert_non_null(text);
    assert_true(utf8_valid(text, strlen(text)));
    assert_lines_ok(text);
    assert_memory_equal(text, "BEGIN:VCALENDAR\r\n", 17);
    char *flat = unfold(text);
    assert_non_null(strstr(flat, "\r\nPRODID:-//rathaus//DE\r\n"));
    assert_non_null(strstr(flat, "\r\nVERSION:2.0\r\n"));
    assert_non_null(strstr(flat, "\r\nMETHOD:PUBLISH\r\n"));
    assert_non_null(strstr(flat, "\r\nDTSTART:20260315T083000Z\r\n"));
    assert_non_null(strstr(flat, "\r\nDTEND:20260315T090000Z\r\n"));
    /* TEXT escaping as RFC 5545 §3.3.11 wants it. */
    assert_non_null(strstr(flat, "\r\nLOCATION:Bürgeramt Mainz\\, Schillerplatz 7\\; Raum 1.12\r\n"));
    assert_non_null(strstr(flat, "Gebühr: 70\\,00 € \\\\ bar\r\n"));
    free(flat);

    icalcomponent *calendar;
    icalcomponent *event = parse(text, &calendar);
    assert_string_equal(prop_text(calendar, ICAL_PRODID_PROPERTY), "-//rathaus//DE");
    assert_int_equal(icalcomponent_get_method(calendar), ICAL_METHOD_PUBLISH);
    assert_string_equal(icalcomponent_get_uid(event), ev.uid);
    assert_string_equal(icalcomponent_get_summary(event), ev.summary);
    assert_string_equal(icalcomponent_get_location(event), ev.location);
    assert_string_equal(icalcomponent_get_description(event), ev.description);
    assert_string_equal(prop_text(event, ICAL_URL_PROPERTY), ev.url);
    assert_int_equal(icalcomponent_get_sequence(event), 0);
    assert_int_equal(icalcomponent_get_status(event), ICAL_STATUS_CONFIRMED);
    struct icaltimetype start = icalcomponent_get_dtstart(event), end = icalcomponent_get_dtend(event);
    assert_true(icaltime_is_utc(start));
    assert_int_equal(icaltime_as_timet_with_zone(start, icaltimezone_get_utc_timezone()), START);
    assert_int_equal(icaltime_as_timet_with_zone(end, icaltimezone_get_utc_timezone()), END);
    struct icaltimetype stamp = icalcomponent_get_dtstamp(event);
    time_t stamp_t = icaltime_as_timet_with_zone(stamp, icaltimezone_get_utc_timezone());
    assert_true(stamp_t >= before && stamp_t <= after);
    icalcomponent_free(calendar);
    free(text);
}

static void test_long_description_folds(void **state)
{
    (void)state;
    /* 2000 bytes of two-byte and three-byte characters with no space to break at,
     * so a fold that ignored UTF-8 would land inside a character. */
    char description[2100];
    size_t n = 0;
    while (n < 2000) {
        const char *piece = (n / 7) % 2 ? "ä" : "€";
        memcpy(description + n, piece, strlen(piece));
        n += strlen(piece);
    }
    description[n] = '\0';
    ical_event_t ev = sample();
    ev.description = description;
    char *text = ical_event_text(&ev);
    assert_non_null(text);
    assert_lines_ok(text);
    /* Every physical line is valid UTF-8 on its own: no character was split. */
    for (const char *line = text; *line;) {
        const char *eol = strstr(line, "\r\n");
        assert_non_null(eol);
        assert_true(utf8_valid(line, (size_t)(eol - line)));
        line = eol + 2;
    }
    assert_non_null(strstr(text, "\r\n ")); /* it was folded at all */
    icalcomponent *calendar;
    icalcomponent *event = parse(text, &calendar);
    assert_string_equal(icalcomponent_get_description(event), description);
    icalcomponent_free(calendar);
    free(text);

    /* A long line of words: the spaces where it is folded survive unfolding; the
     * trailing blank is dropped (libical's parser would drop it anyway). */
    char words[1200] = "";
    while (strlen(words) < 1100)
        strcat(words, "Bitte bringen Sie Ihren alten Reisepass mit. ");
    ev.description = words;
    text = ical_event_text(&ev);
    assert_non_null(text);
    assert_lines_ok(text);
    event = parse(text, &calendar);
    words[strlen(words) - 1] = '\0';
    assert_string_equal(icalcomponent_get_description(event), words);
    icalcomponent_free(calendar);
    free(text);
}

static void test_optional_fields_omitted(void **state)
{
    (void)state;
    ical_event_t ev = sample();
    ev.location = NULL;
    ev.description = NULL;
    ev.url = NULL;
    char *text = ical_event_text(&ev);
    assert_non_null(text);
    assert_null(strstr(text, "LOCATION"));
    assert_null(strstr(text, "DESCRIPTION"));
    assert_null(strstr(text, "\r\nURL"));
    icalcomponent *calendar;
    icalcomponent *event = parse(text, &calendar);
    assert_null(icalcomponent_get_first_property(event, ICAL_LOCATION_PROPERTY));
    assert_null(icalcomponent_get_first_property(event, ICAL_DESCRIPTION_PROPERTY));
    assert_null(icalcomponent_get_first_property(event, ICAL_URL_PROPERTY));
    assert_string_equal(icalcomponent_get_summary(event), ev.summary);
    icalcomponent_free(calendar);
    free(text);

    /* A missing summary is an empty SUMMARY, which every calendar accepts. */
    ev.summary = NULL;
    text = ical_event_text(&ev);
    assert_non_null(text);
    assert_non_null(strstr(text, "\r\nSUMMARY:\r\n"));
    free(text);
}

static void test_cancelled(void **state)
{
    (void)state;
    ical_event_t ev = sample();
    ev.cancelled = 1;
    ev.sequence = 2;
    char *text = ical_event_text(&ev);
    assert_non_null(text);
    assert_non_null(strstr(text, "\r\nMETHOD:CANCEL\r\n"));
    assert_non_null(strstr(text, "\r\nSTATUS:CANCELLED\r\n"));
    icalcomponent *calendar;
    icalcomponent *event = parse(text, &calendar);
    assert_int_equal(icalcomponent_get_method(calendar), ICAL_METHOD_CANCEL);
    assert_int_equal(icalcomponent_get_status(event), ICAL_STATUS_CANCELLED);
    assert_int_equal(icalcomponent_get_sequence(event), 2);
    assert_string_equal(icalcomponent_get_uid(event), ev.uid); /* the same UID removes the same event */
    icalcomponent_free(calendar);
    free(text);
}

static void test_invalid_text_replaced(void **state)
{
    (void)state;
    ical_event_t ev = sample();
    ev.summary = "Termin \xC3\x28 mit \x01Steuerzeichen\r\nund \xED\xA0\x80 Surrogat \xC2\x85";
    ev.description = "Zeile 1\r\nZeile 2\rZeile 3";
    char *text = ical_event_text(&ev);
    assert_non_null(text);
    assert_true(utf8_valid(text, strlen(text)));
    icalcomponent *calendar;
    icalcomponent *event = parse(text, &calendar);
    assert_string_equal(icalcomponent_get_summary(event),
                        "Termin \xEF\xBF\xBD( mit \xEF\xBF\xBDSteuerzeichen\nund \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
                        "Surrogat \xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(icalcomponent_get_description(event), "Zeile 1\nZeile 2\nZeile 3");
    icalcomponent_free(calendar);
    free(text);
}

static void test_refused(void **state)
{
    (void)state;
    assert_null(ical_event_text(NULL));
    ical_event_t ev = sample();
    ev.uid = NULL;
    assert_null(ical_event_text(&ev));
    ev = sample();
    ev.uid = "";
    assert_null(ical_event_text(&ev));
    ev = sample();
    ev.end = ev.start - 1;
    assert_null(ical_event_text(&ev));
    ev = sample();
    ev.start = -1;
    assert_null(ical_event_text(&ev));
    ev = sample();
    ev.end = (int64_t)253402300800; /* year 10000 */
    assert_null(ical_event_text(&ev));
    ev = sample();
    ev.url = "https://rathaus.example/a b";
    assert_null(ical_event_text(&ev));
    ev.url = "https://rathaus.example/\r\nX-EVIL:1";
    assert_null(ical_event_text(&ev));
    ev = sample();
    ev.sequence = -1;
    assert_null(ical_event_text(&ev));

    /* The text cap holds to the byte. */
    char *big = malloc(ICAL_MAX_TEXT + 2);
    assert_non_null(big);
    memset(big, 'a', ICAL_MAX_TEXT + 1);
    big[ICAL_MAX_TEXT + 1] = '\0';
    ev = sample();
    ev.description = big;
    assert_null(ical_event_text(&ev));
    big[ICAL_MAX_TEXT] = '\0';
    char *text = ical_event_text(&ev);
    assert_non_null(text);
    free(text);
    free(big);

    /* An event of zero length (a deadline) is fine. */
    ev = sample();
    ev.end = ev.start;
    text = ical_event_text(&ev);
    assert_non_null(text);
    free(text);
}

/* Several threads at once (the server builds files in its worker threads); ASan
 * watches the shared libical state. */
static void *make_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        ical_event_t ev = sample();
        ev.sequence = i;
        char *text = ical_event_text(&ev);
        if (!text || !strstr(text, "DTSTART:20260315T083000Z"))
            return (void *)1;
        free(text);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, make_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *result;
        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_null(result);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_round_trip),
        cmocka_unit_test(test_long_description_folds),
        cmocka_unit_test(test_optional_fields_omitted),
        cmocka_unit_test(test_cancelled),
        cmocka_unit_test(test_invalid_text_replaced),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("ical", tests, NULL, NULL);
}
