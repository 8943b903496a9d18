/* ical.h — iCalendar (RFC 5545) files for appointments and events, with libical.
 *
 * One VCALENDAR with one VEVENT per call; times are written in UTC, so no time
 * zone definitions are needed and every calendar program shows local time.
 */
#ifndef RATHAUS_PLATFORM_ICAL_H
#define RATHAUS_PLATFORM_ICAL_H

#include <stdint.h>

typedef struct ical_event {
    const char *uid;         /* stable and globally unique: "termin-42@rathaus.example" */
    int64_t start;           /* Unix seconds */
    int64_t end;
    const char *summary;     /* title */
    const char *location;    /* may be NULL */
    const char *description; /* may be NULL */
    const char *url;         /* may be NULL */
    int cancelled;           /* 1: METHOD:CANCEL, STATUS:CANCELLED (a calendar removes it) */
    int64_t sequence;        /* raise it when the event changes */
} ical_event_t;

/* The calendar text (CRLF lines, folded at 75 octets), malloc'd; NULL on error. */
char *ical_event_text(const ical_event_t *ev);

#endif
