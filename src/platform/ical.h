/* ical.h — iCalendar (RFC 5545) files for appointments and events, with libical.
 *
 * One VCALENDAR with one VEVENT per call; times are written in UTC, so no time
 * zone definitions are needed and every calendar program shows local time.
 */
#ifndef RATHAUS_PLATFORM_ICAL_H
#define RATHAUS_PLATFORM_ICAL_H

#include <stdint.h>

#define ICAL_MAX_TEXT (64 * 1024) /* bytes of each text (uid, summary, location, description, url) */

typedef struct ical_event {
    const char *uid; /* stable and globally unique: "termin-42@rathaus.example" */
    int64_t start;   /* Unix seconds */
    int64_t end;
    const char *summary;     /* title */
    const char *location;    /* may be NULL */
    const char *description; /* may be NULL */
    const char *url;         /* may be NULL */
    int cancelled;           /* 1: METHOD:CANCEL, STATUS:CANCELLED (a calendar removes it) */
    int64_t sequence;        /* raise it when the event changes */
} ical_event_t;

/* The calendar text (CRLF lines, folded at 75 octets), malloc'd (caller frees).
 * Text fields are made valid UTF-8 (invalid bytes and control characters other
 * than tab and newline become U+FFFD). NULL when uid is missing, end is before
 * start, a time is before 1970 or after 9999, a text is longer than
 * ICAL_MAX_TEXT, url is not printable ASCII without spaces, or out of memory.
 * Thread-safe. */
char *ical_event_text(const ical_event_t *ev);

#endif
