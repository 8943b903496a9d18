/* appointments.h — what the files of appointments, payment and the passport
 * share among themselves: the handlers the route tables in appointments.c and
 * passport.c name, and a few helpers for their pages. Other parts of the
 * services module use internal.h.
 *
 *   appointments.c        module "Termine": route table, choosing and booking a time, demo
 *   appointments_booking.c one booking: its page, .ics, cancelling; the booking mails
 *   appointments_admin.c  /verwaltung/termine: publishing slots, the day's list
 *   payment.c             /antraege/:id/bezahlen and the payment providers (payment.h)
 *   passport.c            module "Antragsstatus": lookup without login, ready notice, reminders
 */
#ifndef RATHAUS_MODULES_SERVICES_APPOINTMENTS_H
#define RATHAUS_MODULES_SERVICES_APPOINTMENTS_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

/* Limits of the appointment forms (docs: the page hints say them too). */
#define APPT_MAX_SERIES_DAYS 92    /* a series spans at most this many days */
#define APPT_MAX_DAYS_AHEAD 366    /* slots start at most a year from today */
#define APPT_MAX_SERIES_SLOTS 2000 /* slots one series may create */
#define APPT_MAX_COUNTERS 10       /* counters in one series */
#define APPT_MAX_COUNTER_LEN 40    /* characters of a counter's name */
#define APPT_MIN_LENGTH 5          /* minutes of a slot */
#define APPT_MAX_LENGTH 240
#define APPT_MAX_CAPACITY 50 /* people per slot */
#define APPT_BOOK_DAYS 28    /* citizens see free slots this many days ahead */
#define APPT_REASON_MAX 500  /* characters of a cancellation reason */

/* appointments_admin.c */
int appt_admin_page(http_req_t *req);        /* GET /verwaltung/termine */
int appt_admin_publish(http_req_t *req);     /* POST /verwaltung/termine */
int appt_admin_day(http_req_t *req);         /* GET /verwaltung/termine/tag */
int appt_admin_cancel_slot(http_req_t *req); /* POST /verwaltung/termine/:id/absagen */

/* appointments_booking.c */
int appt_booking_page(http_req_t *req);   /* GET /termine/:id */
int appt_booking_ics(http_req_t *req);    /* GET /termine/:id/termin.ics */
int appt_booking_cancel(http_req_t *req); /* POST /termine/:id/absagen */

/* payment.c */
int payment_page(http_req_t *req);   /* GET /antraege/:id/bezahlen */
int payment_submit(http_req_t *req); /* POST /antraege/:id/bezahlen */
int payment_return(http_req_t *req); /* GET /antraege/:id/bezahlen/zurueck */

/* ---- slots and bookings ------------------------------------------------------------ */

/* appointments_admin.c: creates the slots of a series inside the caller's
 * transaction: every day from..to ("yyyy-mm-dd") whose weekday bit is set
 * (bit 0 Sunday … bit 6 Saturday), slots of length minutes from from_minute
 * until to_minute (the last one ends at or before it), one per counter, each for
 * capacity people; service_id 0: every service of the unit. A slot that exists
 * already (same unit, counter, start) is left as it is. *created: how many are
 * new. Returns 0, -2 for more than APPT_MAX_SERIES_SLOTS, < 0 on a database error. */
int appt_create_series(db_t *db, int64_t unit_id, int64_t service_id, const char *from, const char *to,
                       unsigned weekdays, int from_minute, int to_minute, int length, const char *const *counters,
                       size_t counter_count, int capacity, int64_t created_by, int64_t now, int64_t *created);
/* How many slots such a series makes (before creating it), or -1 for bad dates. */
int64_t appt_series_count(const char *from, const char *to, unsigned weekdays, int from_minute, int to_minute,
                          int length, size_t counter_count);
/* appointments_booking.c: queues the mail about a booking to its person, inside the
 * caller's transaction: kind "gebucht" (confirmation), "abgesagt" (by the
 * citizen) or "abgesagt_amt" (the office cancelled the slot, with reason or
 * NULL). Only when and where, no case content. Returns 0 or < 0. */
int appt_booking_mail(db_t *db, const config_t *cfg, arena_t *arena, int64_t user_id, int64_t booking_id,
                      const char *service_name, int64_t slot_id, const char *kind, const char *reason);

/* ---- helpers (appointments.c) -------------------------------------------------- */

/* msgid in the request's language. Call sites mark the text: appt_tr(req, N_("…")). */
const char *appt_tr(const http_req_t *req, const char *msgid);
/* A booking's status is 'gebucht', 'vorbei' (its time has passed), 'abgesagt'
 * (by the citizen) or 'abgesagt_amt' (the office cancelled the slot): 1 for
 * the last two. */
int appt_booking_cancelled(const char *status);
/* The citizen-facing label of a booking's status (German msgid). */
const char *appt_booking_status_label(const char *status);
/* A decimal id (1 … 10^18), 0 when s is not one. */
int64_t appt_parse_id(const char *s);
/* A page model: {"title": translated title_msgid, "alerts": [], "errors": []}. */
json_t *appt_model(http_req_t *req, const char *title_msgid);
/* Adds an alert (kind: info, success, warning, danger) with a translated text. */
void appt_alert(http_req_t *req, json_t *model, const char *kind, const char *msgid);
/* Adds an error to the summary and returns the translated message for the field. */
const char *appt_error(http_req_t *req, json_t *model, const char *field_id, const char *msgid);
/* A message page (templates/services/appointments/message.html) with one
 * translated paragraph and a link back. */
int appt_message(http_req_t *req, int status, const char *title_msgid, const char *text_msgid, const char *href,
                 const char *link_msgid);
/* Start of the local calendar day (Europe/Berlin) of "yyyy-mm-dd", or -1. */
int64_t appt_day_start(const char *date);
/* The local date of t as "yyyy-mm-dd" into out[11]. */
void appt_iso_date(int64_t t, char out[11]);
/* "Montag, 30.11.2026" (translated weekday) in the arena. */
const char *appt_day_label(http_req_t *req, int64_t t);
/* "09:30 Uhr" in German, "09:30" in English (hhmm is "09:30" or "09:30–09:45"). */
const char *appt_clock(http_req_t *req, const char *hhmm);
/* "09:30" in the arena. */
const char *appt_time(arena_t *arena, int64_t t);

#endif
