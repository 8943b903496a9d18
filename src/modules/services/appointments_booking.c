/* appointments_booking.c — one booking as its citizen sees it: the page with
 * when and where, the iCalendar file (platform/ical.h; a cancelled booking
 * gives a file that removes the event from a calendar), cancelling it, and the
 * mails about a booking. Also the list of an application's bookings for the
 * case page.
 *
 * A booking belongs to one person: anyone else gets 404, as if it did not
 * exist. Cancelling frees the place in the same transaction, and only the
 * request that actually changed the status frees it, so a double click frees
 * one place, not two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/appointments.h"
#include "modules/services/internal.h"
#include "platform/ical.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

/* ---- the mail about a booking ------------------------------------------------------ */

static const char sql_slot_info[] =
    "SELECT sl.starts_at, sl.ends_at, sl.counter, u.name, u.address FROM appointment_slots sl"
    " JOIN units u ON u.id = sl.unit_id WHERE sl.id = $1";
static const char sql_user_email[] =
    "SELECT email FROM users WHERE id = $1 AND deleted_at IS NULL AND blocked_at IS NULL AND email <> ''";

int appt_booking_mail(db_t *db, const config_t *cfg, arena_t *arena, int64_t user_id, int64_t booking_id,
                      const char *service_name, int64_t slot_id, const char *kind, const char *reason)
{
    db_stmt_t *st;
    char to[MAIL_ADDRESS_MAX + 1] = "";
    if (db_prepare(db, sql_user_email, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        snprintf(to, sizeof(to), "%s", db_column_text(st, 0));
    db_reset(st);
    if (rc < 0)
        return -1;
    if (!to[0])
        return 0; /* nobody to tell */
    if (db_prepare(db, sql_slot_info, &st) != 0)
        return -1;
    db_bind_int64(st, 1, slot_id);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        return -1;
    }
    int64_t start = db_column_int64(st, 0), end = db_column_int64(st, 1);
    const char *counter = arena_strdup(arena, db_column_text(st, 2));
    const char *unit = arena_strdup(arena, db_column_text(st, 3));
    const char *address = arena_strdup(arena, db_column_text(st, 4));
    db_reset(st);
    const char *when = arena_printf(arena, "%s, %s–%s Uhr", application_date(arena, start, 0), appt_time(arena, start),
                                    appt_time(arena, end));
    const char *where =
        arena_printf(arena, "%s%s%s%s%s", unit, *counter ? ", " : "", counter, *address ? "\n" : "", address);
    const char *link = arena_printf(arena, "%s/termine/%lld", cfg->base_url, (long long)booking_id);
    const char *subject, *body;
    if (!strcmp(kind, "gebucht")) {
        subject = arena_printf(arena, "Ihr Termin am %s um %s Uhr – %s", application_date(arena, start, 0),
                               appt_time(arena, start), unit);
        body =
            arena_printf(arena,
                         "Guten Tag,\n\nIhr Termin ist gebucht.\n\nAnliegen: %s\nWann: %s\nWo: %s\n\n"
                         "Den Termin für Ihren Kalender, und die Möglichkeit abzusagen, finden Sie hier:\n%s\n\n"
                         "Können Sie nicht kommen? Bitte sagen Sie den Termin ab, damit jemand anderes ihn bekommt.\n\n"
                         "Mit freundlichen Grüßen\nIhr digitales Rathaus %s\n\n"
                         "-- \nYour appointment is booked (%s, %s). Details and cancellation: %s\n",
                         service_name, when, where, link, cfg->city_name, service_name, when, link);
    } else {
        subject = arena_printf(arena, "Ihr Termin am %s um %s Uhr ist abgesagt", application_date(arena, start, 0),
                               appt_time(arena, start));
        body = arena_printf(
            arena,
            "Guten Tag,\n\n%s\n\nAnliegen: %s\nWann: %s\nWo: %s\n%s%s%s\n"
            "Einen neuen Termin können Sie hier buchen:\n%s/termine\n\n"
            "Mit freundlichen Grüßen\nIhr digitales Rathaus %s\n\n"
            "-- \nYour appointment (%s, %s) was cancelled. Book a new one: %s/termine\n",
            !strcmp(kind, "abgesagt_amt") ? "leider muss das Amt Ihren Termin absagen. Bitte entschuldigen Sie."
                                          : "Sie haben Ihren Termin abgesagt.",
            service_name, when, where, reason && *reason ? "\nGrund: " : "", reason ? reason : "",
            reason && *reason ? "\n" : "", cfg->base_url, cfg->city_name, service_name, when, cfg->base_url);
    }
    return mail_queue(db, to, subject, body) > 0 ? 0 : -1;
}

/* ---- one booking: page, .ics, cancel ----------------------------------------------- */

typedef struct booking {
    int64_t id;
    int64_t slot_id;
    int64_t user_id;
    int64_t application_id;
    int64_t starts_at;
    int64_t ends_at;
    int64_t sequence;
    const char *status;
    const char *counter;
    const char *service_name;
    const char *service_slug;
    const char *unit_name;
    const char *address;
    const char *reference;
} booking_t;

static const char sql_booking[] =
    "SELECT b.id, b.slot_id, b.user_id, COALESCE(b.application_id, 0), sl.starts_at, sl.ends_at, b.sequence,"
    " b.status, sl.counter, s.name, s.slug, u.name, u.address, COALESCE(a.reference, '')"
    " FROM appointment_bookings b JOIN appointment_slots sl ON sl.id = b.slot_id"
    " JOIN services s ON s.id = b.service_id JOIN units u ON u.id = sl.unit_id"
    " LEFT JOIN applications a ON a.id = b.application_id WHERE b.id = $1";

/* Loads the signed-in citizen's booking named by :id: 0, or the status to
 * answer (404 also for someone else's booking). */
static int load_booking(http_req_t *req, booking_t *b)
{
    int64_t id = appt_parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_booking, &st) != 0)
        return 503;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        int64_t *ints[] = {&b->id,        &b->slot_id, &b->user_id, &b->application_id,
                           &b->starts_at, &b->ends_at, &b->sequence};
        for (int i = 0; i < 7; i++)
            *ints[i] = db_column_int64(st, i);
        const char **texts[] = {&b->status,    &b->counter, &b->service_name, &b->service_slug,
                                &b->unit_name, &b->address, &b->reference};
        for (int i = 0; i < 7; i++)
            *texts[i] = arena_strdup(req->arena, db_column_text(st, 7 + i));
    }
    db_reset(st);
    if (rc < 0)
        return 503;
    if (rc != DB_ROW || !req->user || b->user_id != req->user->id)
        return 404;
    return 0;
}

int appt_booking_page(http_req_t *req)
{
    booking_t b;
    int rc = load_booking(req, &b);
    if (rc)
        return rc;
    int active = !strcmp(b.status, "gebucht");
    int cancelled = appt_booking_cancelled(b.status);
    int64_t now = (int64_t)time(NULL);
    json_t *model = appt_model(req, cancelled ? N_("Abgesagter Termin") : N_("Ihr Termin"));
    if (http_query(req, "gebucht") && active)
        appt_alert(req, model, "success",
                   N_("Ihr Termin ist gebucht. Wir haben Ihnen eine Bestätigung per E-Mail geschickt."));
    if (http_query(req, "abgesagt") && cancelled)
        appt_alert(
            req, model, "success",
            N_("Ihr Termin ist abgesagt. Laden Sie die Kalenderdatei, damit er auch aus Ihrem Kalender verschwindet."));
    json_object_set_new(model, "service", json_string(b.service_name));
    json_object_set_new(model, "day", json_string(appt_day_label(req, b.starts_at)));
    json_object_set_new(
        model, "time",
        json_string(appt_clock(req, arena_printf(req->arena, "%s–%s", appt_time(req->arena, b.starts_at),
                                                 appt_time(req->arena, b.ends_at)))));
    json_object_set_new(model, "unit", json_string(b.unit_name));
    json_object_set_new(model, "counter", json_string(b.counter));
    json_object_set_new(model, "address", json_string(b.address));
    json_object_set_new(model, "status", json_string(appt_tr(req, appt_booking_status_label(b.status))));
    json_object_set_new(model, "active", json_boolean(!cancelled));
    json_object_set_new(model, "ics", json_sprintf("/termine/%lld/termin.ics", (long long)b.id));
    if (active && b.starts_at > now)
        json_object_set_new(model, "cancel", json_sprintf("/termine/%lld/absagen", (long long)b.id));
    if (b.application_id > 0) {
        json_object_set_new(model, "reference", json_string(b.reference));
        json_object_set_new(model, "application_href", json_sprintf("/antraege/%lld", (long long)b.application_id));
        application_t app;
        rc = application_load(req->db, req->arena, b.application_id, &app);
        if (rc < 0) {
            json_decref(model);
            return 503;
        }
        if (rc == 0 && app.submitted_at > 0 && app.fee_cents > 0 && app.paid_at == 0)
            json_object_set_new(model, "pay",
                                json_pack("{s:s,s:s}", "href",
                                          arena_printf(req->arena, "/antraege/%lld/bezahlen", (long long)app.id),
                                          "amount", application_money(req->arena, app.fee_cents, req->lang)));
    }
    if (cancelled)
        json_object_set_new(model, "book_again", json_sprintf("/termine/buchen?leistung=%s", b.service_slug));
    return http_render(req, 200, "services/appointments/booking", model);
}

int appt_booking_ics(http_req_t *req)
{
    booking_t b;
    int rc = load_booking(req, &b);
    if (rc)
        return rc;
    /* The host of base_url makes the UID globally unique. */
    const char *host = strstr(req->cfg->base_url, "://");
    host = host ? host + 3 : req->cfg->base_url;
    size_t host_len = strcspn(host, ":/");
    const char *location = arena_printf(req->arena, "%s%s%s%s%s", b.unit_name, *b.counter ? ", " : "", b.counter,
                                        *b.address ? ", " : "", b.address);
    ical_event_t ev = {
        .uid = arena_printf(req->arena, "termin-%lld@%.*s", (long long)b.id, (int)host_len, host),
        .start = b.starts_at,
        .end = b.ends_at,
        .summary = arena_printf(req->arena, "%s: %s", appt_tr(req, N_("Termin")), b.service_name),
        .location = location,
        .description = arena_printf(req->arena, "%s %s", appt_tr(req, N_("Ihr Termin im Amt. Absagen oder ansehen:")),
                                    arena_printf(req->arena, "%s/termine/%lld", req->cfg->base_url, (long long)b.id)),
        .url = arena_printf(req->arena, "%s/termine/%lld", req->cfg->base_url, (long long)b.id),
        .cancelled = appt_booking_cancelled(b.status),
        .sequence = b.sequence,
    };
    char *text = ical_event_text(&ev);
    if (!text) {
        req->error_message =
            appt_tr(req, N_("Die Kalenderdatei kann gerade nicht erstellt werden. Ihr Termin gilt trotzdem."));
        return 503;
    }
    char *copy = arena_strdup(req->arena, text);
    free(text);
    http_add_header(req, "content-disposition", "attachment; filename=\"termin.ics\"");
    http_add_header(req, "cache-control", "no-store");
    return http_send(req, 200, "text/calendar; charset=utf-8", copy, strlen(copy));
}

static const char sql_cancel_booking[] =
    "UPDATE appointment_bookings SET status = 'abgesagt', cancelled_at = $3, sequence = sequence + 1"
    " WHERE id = $1 AND user_id = $2 AND status = 'gebucht'";
static const char sql_release_place[] = "UPDATE appointment_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0";

int appt_booking_cancel(http_req_t *req)
{
    booking_t b;
    int rc = load_booking(req, &b);
    if (rc)
        return rc;
    int64_t now = (int64_t)time(NULL);
    if (strcmp(b.status, "gebucht") != 0 || b.starts_at <= now)
        return appt_message(req, 409, N_("Termin absagen"),
                            N_("Dieser Termin ist schon abgesagt oder vorbei und kann nicht mehr abgesagt werden."),
                            arena_printf(req->arena, "/termine/%lld", (long long)b.id), N_("Zurück zum Termin"));
    if (db_begin_write(req->db) != 0)
        return 503;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_cancel_booking, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, b.id);
    db_bind_int64(st, 2, req->user->id);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (changed == 1) {
        /* Only the request that cancelled frees the place, so a double click
         * cannot free two. */
        if (db_prepare(req->db, sql_release_place, &st) != 0)
            goto fail;
        db_bind_int64(st, 1, b.slot_id);
        rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            goto fail;
        if (appt_booking_mail(req->db, req->cfg, req->arena, req->user->id, b.id, b.service_name, b.slot_id, "abgesagt",
                              NULL) != 0)
            goto fail;
        if (b.application_id > 0 &&
            application_event(req->db, b.application_id, req->user->id, "appointment", "gebucht", "abgesagt",
                              arena_printf(req->arena, "Termin abgesagt: %s, %s Uhr",
                                           application_date(req->arena, b.starts_at, 0),
                                           appt_time(req->arena, b.starts_at)),
                              0) != 0)
            goto fail;
    }
    if (db_commit(req->db) != 0)
        goto fail;
    jobs_wake();
    return http_redirect(req, 303, arena_printf(req->arena, "/termine/%lld?abgesagt=1", (long long)b.id));
fail:
    db_rollback(req->db);
    return 503;
}

/* ---- for the case page ------------------------------------------------------------- */

static const char sql_app_bookings[] =
    "SELECT sl.starts_at, sl.ends_at, sl.counter, b.status FROM appointment_bookings b"
    " JOIN appointment_slots sl ON sl.id = b.slot_id WHERE b.application_id = $1 ORDER BY sl.starts_at, b.id LIMIT 50";

json_t *appointments_for_application_json(db_t *db, arena_t *arena, int64_t app_id, const char *lang)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_app_bookings, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, app_id);
    json_t *out = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t start = db_column_int64(st, 0), end = db_column_int64(st, 1);
        const char *status = db_column_text(st, 3);
        json_array_append_new(
            out, json_pack("{s:s,s:s,s:s,s:s,s:b}", "date", application_date(arena, start, 0), "time",
                           arena_printf(arena, "%s–%s", appt_time(arena, start), appt_time(arena, end)), "counter",
                           db_column_text(st, 2), "status", i18n_translate(lang, appt_booking_status_label(status)),
                           "cancelled", appt_booking_cancelled(status)));
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}
