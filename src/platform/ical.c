/* ical.c — one appointment as an iCalendar file, with libical (see ical.h).
 *
 * libical builds the component tree and writes it: it escapes TEXT values
 * (backslash, ";", ",", newlines), ends lines with CRLF and folds them at 75
 * octets without splitting a UTF-8 sequence. What libical does not do is check
 * its input, so this file does: text is made valid (invalid UTF-8 and control
 * characters other than tab and newline become U+FFFD, "\r\n" becomes "\n"), the
 * URL must be printable ASCII, each text is capped at ICAL_MAX_TEXT bytes and the
 * times must be in order.
 *
 * Times are written in UTC ("20260315T083000Z"): every calendar program shows
 * them in its own zone, and no VTIMEZONE is needed. UTC comes from libical's
 * built-in zone, which it sets up on first use without a lock; pthread_once does
 * that before any two threads can race for it.
 */
#include "platform/ical.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"

static pthread_once_t utc_once = PTHREAD_ONCE_INIT;
static icaltimezone *utc_zone;

static void utc_init(void)
{
    utc_zone = icaltimezone_get_utc_timezone();
}

/* Length of the UTF-8 sequence a lead byte starts; 0 if it cannot lead one. */
static size_t sequence_length(unsigned char c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* s as a valid iCalendar TEXT (see the top) without trailing blanks, malloc'd; NULL when s is NULL, too
 * long or memory is short. */
static char *clean_text(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n > ICAL_MAX_TEXT)
        return NULL;
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            out[o++] = '\n';
            i += s[i + 1] == '\n' ? 2 : 1;
        } else if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7F)) {
            out[o++] = (char)c;
            i++;
        } else {
            size_t len = sequence_length(c);
            int c1_control = c == 0xC2 && (unsigned char)s[i + 1] < 0xA0; /* U+0080..U+009F */
            if (len == 0 || n - i < len || !utf8_valid(s + i, len) || c1_control) {
                memcpy(out + o, "\xEF\xBF\xBD", 3);
                o += 3;
                i++;
            } else {
                memcpy(out + o, s + i, len);
                o += len;
                i += len;
            }
        }
    }
    /* Trailing blanks mean nothing, and parsers differ in whether they keep them. */
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t' || out[o - 1] == '\n'))
        o--;
    out[o] = '\0';
    return out;
}

/* A URI value is not escaped by libical: allow printable ASCII only. */
static int url_ok(const char *url)
{
    size_t n = strlen(url);
    if (n == 0 || n > ICAL_MAX_TEXT)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7F)
            return 0;
    return 1;
}

/* Unix seconds as a UTC date-time; 0 when t is outside what struct tm holds. */
static int utc_time(int64_t t, struct icaltimetype *out)
{
    if (t < 0 || t > (int64_t)253402300799) /* 9999-12-31T23:59:59Z: four-digit years */
        return 0;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return 0;
    *out = icaltime_null_time();
    out->year = tm.tm_year + 1900;
    out->month = tm.tm_mon + 1;
    out->day = tm.tm_mday;
    out->hour = tm.tm_hour;
    out->minute = tm.tm_min;
    out->second = tm.tm_sec;
    out->is_date = 0;
    out->zone = utc_zone;
    return 1;
}

/* Adds prop to comp; returns 0, or -1 when libical could not make it. */
static int add(icalcomponent *comp, icalproperty *prop)
{
    if (!prop)
        return -1;
    icalcomponent_add_property(comp, prop);
    return 0;
}

char *ical_event_text(const ical_event_t *ev)
{
    char *result = NULL;
    icalcomponent *calendar = NULL, *event = NULL;
    char *uid = NULL, *summary = NULL, *location = NULL, *description = NULL, *ical = NULL;
    struct icaltimetype start, end, stamp;
    if (!ev || !ev->uid || !ev->uid[0] || ev->sequence < 0 || ev->sequence > INT32_MAX)
        return NULL;
    pthread_once(&utc_once, utc_init);
    if (!utc_zone || !utc_time(ev->start, &start) || !utc_time(ev->end, &end) || ev->end < ev->start ||
        !utc_time((int64_t)time(NULL), &stamp))
        return NULL;
    if (ev->url && !url_ok(ev->url))
        return NULL;
    uid = clean_text(ev->uid);
    summary = clean_text(ev->summary ? ev->summary : "");
    location = ev->location ? clean_text(ev->location) : NULL;
    description = ev->description ? clean_text(ev->description) : NULL;
    if (!uid || !summary || (ev->location && !location) || (ev->description && !description))
        goto done;

    calendar = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    event = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    if (!calendar || !event)
        goto done;
    if (add(calendar, icalproperty_new_prodid("-//rathaus//DE")) || add(calendar, icalproperty_new_version("2.0")) ||
        add(calendar, icalproperty_new_method(ev->cancelled ? ICAL_METHOD_CANCEL : ICAL_METHOD_PUBLISH)))
        goto done;
    if (add(event, icalproperty_new_uid(uid)) || add(event, icalproperty_new_dtstamp(stamp)) ||
        add(event, icalproperty_new_dtstart(start)) || add(event, icalproperty_new_dtend(end)) ||
        add(event, icalproperty_new_summary(summary)) || add(event, icalproperty_new_sequence((int)ev->sequence)) ||
        add(event, icalproperty_new_status(ev->cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED)))
        goto done;
    if ((location && add(event, icalproperty_new_location(location))) ||
        (description && add(event, icalproperty_new_description(description))) ||
        (ev->url && add(event, icalproperty_new_url(ev->url))))
        goto done;
    icalcomponent_add_component(calendar, event);
    event = NULL; /* the calendar owns it now */

    ical = icalcomponent_as_ical_string_r(calendar);
    if (ical)
        result = strdup(ical); /* ours is plain malloc, whatever allocator libical was built with */
done:
    if (ical)
        icalmemory_free_buffer(ical);
    if (event)
        icalcomponent_free(event);
    if (calendar)
        icalcomponent_free(calendar);
    free(uid);
    free(summary);
    free(location);
    free(description);
    return result;
}
