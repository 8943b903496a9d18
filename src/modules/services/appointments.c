/* appointments.c — Termine: the module "Termine" with its route table, the
 * citizen's pages to choose a service and book (free times by day), the
 * helpers the pages of this part share (appointments.h) and the demo slots.
 * One booking (its page, the iCalendar file, cancelling, the mails) is in
 * appointments_booking.c, the office's side in appointments_admin.c.
 *
 * A unit publishes slots (appointments_admin.c): a time at a counter for
 * `capacity` people, for one service or for every service of the unit that
 * takes appointments. The citizen chooses a time, not a counter: booking takes
 * any free slot at that time. Capacity is kept in appointment_slots.booked,
 * raised only by "UPDATE … WHERE booked < capacity" inside the booking's
 * transaction, so two people can never get the last place; one active booking
 * per person and service is a unique index, so not even two parallel requests
 * of the same person get two.
 *
 * The payment page (/antraege/:id/bezahlen, payment.c) is in this module's
 * route table too: appointments, fees and payment are one part of the work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/appointments.h"
#include "modules/services/internal.h"
#include "modules/services/services.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"
#include "web/form.h"

static int appt_index(http_req_t *req);
static int appt_book_page(http_req_t *req);
static int appt_book_submit(http_req_t *req);

/* Order matters: the router takes the first match, so /termine/buchen comes
 * before /termine/:id. */
static const route_t appointments_routes[] = {
    {"GET", "/termine", appt_index, NULL, 0, 0},
    {"GET", "/termine/buchen", appt_book_page, NULL, 0, 0},
    {"POST", "/termine/buchen", appt_book_submit, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/termine/:id", appt_booking_page, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/termine/:id/termin.ics", appt_booking_ics, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/termine/:id/absagen", appt_booking_cancel, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/verwaltung/termine", appt_admin_page, PERM_APPOINTMENTS, 0, 0},
    {"POST", "/verwaltung/termine", appt_admin_publish, PERM_APPOINTMENTS, 0, 0},
    {"GET", "/verwaltung/termine/tag", appt_admin_day, PERM_APPOINTMENTS, 0, 0},
    {"POST", "/verwaltung/termine/:id/absagen", appt_admin_cancel_slot, PERM_APPOINTMENTS, 0, 0},
    {"GET", "/antraege/:id/bezahlen", payment_page, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/antraege/:id/bezahlen", payment_submit, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/antraege/:id/bezahlen/zurueck", payment_return, AUTH_SIGNED_IN, 0, 0},
};

static const permission_t appointments_permissions[] = {
    {PERM_APPOINTMENTS, N_("Termine der eigenen Einheit veröffentlichen und die Tagesliste sehen")},
};

const module_t appointments_module = {
    .name = "appointments",
    .title = N_("Termine"),
    .summary = N_("Einen Termin im Amt buchen, ansehen oder absagen."),
    .home = "/termine",
    .routes = appointments_routes,
    .route_count = sizeof(appointments_routes) / sizeof(appointments_routes[0]),
    .permissions = appointments_permissions,
    .permission_count = sizeof(appointments_permissions) / sizeof(appointments_permissions[0]),
};

/* ---- helpers shared by the pages of this part (appointments.h) ------------------ */

const char *appt_tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

int64_t appt_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 18) /* 18 digits cannot overflow int64 */
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

json_t *appt_model(http_req_t *req, const char *title_msgid)
{
    return json_pack("{s:s,s:[],s:[]}", "title", appt_tr(req, title_msgid), "alerts", "errors");
}

void appt_alert(http_req_t *req, json_t *model, const char *kind, const char *msgid)
{
    json_array_append_new(
        json_object_get(model, "alerts"),
        json_pack("{s:s,s:s,s:b}", "kind", kind, "text", appt_tr(req, msgid), "danger", !strcmp(kind, "danger")));
}

const char *appt_error(http_req_t *req, json_t *model, const char *field_id, const char *msgid)
{
    const char *text = appt_tr(req, msgid);
    json_array_append_new(json_object_get(model, "errors"), json_pack("{s:s,s:s}", "id", field_id, "message", text));
    return text;
}

int appt_message(http_req_t *req, int status, const char *title_msgid, const char *text_msgid, const char *href,
                 const char *link_msgid)
{
    json_t *model = appt_model(req, title_msgid);
    json_object_set_new(model, "text", json_string(appt_tr(req, text_msgid)));
    if (href)
        json_object_set_new(model, "link", json_pack("{s:s,s:s}", "href", href, "label", appt_tr(req, link_msgid)));
    return http_render(req, status, "services/appointments/message", model);
}

int64_t appt_day_start(const char *date)
{
    int y, m, d;
    if (!date || fees_parse_date(date, &y, &m, &d) != 0 || date[4] != '-')
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t;
}

void appt_iso_date(int64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
        out[0] = '\0'; /* a year past 9999 */
}

static const char *const weekdays[] = {N_("Sonntag"),    N_("Montag"),  N_("Dienstag"), N_("Mittwoch"),
                                       N_("Donnerstag"), N_("Freitag"), N_("Samstag")};

const char *appt_day_label(http_req_t *req, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return arena_printf(req->arena, "%s, %s", appt_tr(req, weekdays[tm.tm_wday % 7]),
                        application_date(req->arena, t, 0));
}

const char *appt_clock(http_req_t *req, const char *hhmm)
{
    /* "09:30 Uhr" is how German writes a time; English needs no word for it. */
    return strcmp(req->lang, "de") == 0 ? arena_printf(req->arena, "%s Uhr", hhmm) : hhmm;
}

const char *appt_time(arena_t *arena, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    char out[8];
    strftime(out, sizeof(out), "%H:%M", &tm);
    return arena_strdup(arena, out);
}

/* ---- one service that takes appointments ------------------------------------------ */

typedef struct appt_service {
    int64_t id;
    int64_t unit_id;
    const char *slug;
    const char *name;
    const char *unit_name;
    const char *address;
} appt_service_t;

static const char sql_service_by_slug[] =
    "SELECT s.id, s.unit_id, s.slug, s.name, u.name, u.address FROM services s JOIN units u ON u.id = s.unit_id"
    " WHERE s.slug = $1 AND s.appointments = 1 AND s.published = 1";

/* 0 with *out, 1 when there is no such bookable service, < 0 on error. */
static int load_service(http_req_t *req, const char *slug, appt_service_t *out)
{
    if (!slug || !*slug || strlen(slug) > 100)
        return 1;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_service_by_slug, &st) != 0)
        return -1;
    db_bind_text(st, 1, slug, -1);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_column_int64(st, 0);
        out->unit_id = db_column_int64(st, 1);
        out->slug = arena_strdup(req->arena, db_column_text(st, 2));
        out->name = arena_strdup(req->arena, db_column_text(st, 3));
        out->unit_name = arena_strdup(req->arena, db_column_text(st, 4));
        out->address = arena_strdup(req->arena, db_column_text(st, 5));
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

/* ---- GET /termine ---------------------------------------------------------------- */

static const char sql_bookable_services[] =
    "SELECT s.slug, s.name, u.name FROM services s JOIN units u ON u.id = s.unit_id"
    " WHERE s.appointments = 1 AND s.published = 1 ORDER BY s.name, s.id LIMIT 200";
static const char sql_my_bookings[] =
    "SELECT b.id, b.status, sl.starts_at, sl.counter, s.name, u.name FROM appointment_bookings b"
    " JOIN appointment_slots sl ON sl.id = b.slot_id JOIN services s ON s.id = b.service_id"
    " JOIN units u ON u.id = sl.unit_id WHERE b.user_id = $1 AND sl.ends_at >= $2"
    " ORDER BY sl.starts_at, b.id LIMIT 100";

int appt_booking_cancelled(const char *status)
{
    return !strncmp(status, "abgesagt", 8);
}

const char *appt_booking_status_label(const char *status)
{
    if (!strcmp(status, "gebucht"))
        return N_("Gebucht");
    if (!strcmp(status, "vorbei"))
        return N_("Vorbei");
    if (!strcmp(status, "abgesagt_amt"))
        return N_("Vom Amt abgesagt");
    return N_("Abgesagt");
}

static int appt_index(http_req_t *req)
{
    /* The catalogue links "Termin vereinbaren" as /termine?leistung=…: that
     * service's booking page is meant. */
    const char *wanted = http_query(req, "leistung");
    if (wanted && *wanted) {
        appt_service_t svc;
        int rc = load_service(req, wanted, &svc);
        if (rc < 0)
            return 503;
        if (rc == 0)
            return http_redirect(
                req, 302, arena_printf(req->arena, "/termine/buchen?leistung=%s", form_url_encode(req->arena, svc.slug)));
    }
    json_t *model = appt_model(req, N_("Termine"));
    json_t *services = json_array();
    json_object_set_new(model, "services", services);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_bookable_services, &st) != 0)
        goto fail;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_array_append_new(services,
                              json_pack("{s:s,s:s,s:s}", "href",
                                        arena_printf(req->arena, "/termine/buchen?leistung=%s", db_column_text(st, 0)),
                                        "name", db_column_text(st, 1), "unit", db_column_text(st, 2)));
    }
    db_reset(st);
    if (rc < 0)
        goto fail;
    if (req->user) {
        json_object_set_new(model, "signed_in", json_true());
        json_t *mine = json_array();
        json_object_set_new(model, "bookings", mine);
        if (db_prepare(req->db, sql_my_bookings, &st) != 0)
            goto fail;
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, (int64_t)time(NULL));
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t start = db_column_int64(st, 2);
            const char *status = db_column_text(st, 1);
            json_array_append_new(
                mine, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "href",
                                arena_printf(req->arena, "/termine/%lld", (long long)db_column_int64(st, 0)), "day",
                                appt_day_label(req, start), "time", appt_clock(req, appt_time(req->arena, start)),
                                "service", db_column_text(st, 4), "unit", db_column_text(st, 5), "status",
                                appt_tr(req, appt_booking_status_label(status)), "active", !strcmp(status, "gebucht")));
        }
        db_reset(st);
        if (rc < 0)
            goto fail;
    }
    return http_render(req, 200, "services/appointments/index", model);
fail:
    json_decref(model);
    return 503;
}

/* ---- GET /termine/buchen -------------------------------------------------------- */

static const char sql_free_slots[] =
    "SELECT starts_at, capacity - booked FROM appointment_slots"
    " WHERE unit_id = $1 AND (service_id = $2 OR service_id IS NULL) AND cancelled_at IS NULL"
    " AND booked < capacity AND starts_at > $3 AND starts_at < $4 ORDER BY starts_at LIMIT 5000";
static const char sql_active_booking[] =
    "SELECT b.id, sl.starts_at FROM appointment_bookings b JOIN appointment_slots sl ON sl.id = b.slot_id"
    " WHERE b.user_id = $1 AND b.service_id = $2 AND b.status = 'gebucht' AND sl.ends_at > $3";
/* A booking whose time has passed no longer blocks the next one (the unique
 * index counts only 'gebucht'). */
static const char sql_mark_past[] =
    "UPDATE appointment_bookings SET status = 'vorbei' WHERE user_id = $1 AND service_id = $2"
    " AND status = 'gebucht' AND slot_id IN (SELECT id FROM appointment_slots WHERE ends_at <= $3)";

/* The citizen's own application named by ?antrag= / antrag=, for service:
 * 0 with *app_id (0 when none is named), or the status to answer. */
static int linked_application(http_req_t *req, const char *text, const appt_service_t *svc, int64_t *app_id)
{
    *app_id = 0;
    if (!text || !*text)
        return 0;
    int64_t id = appt_parse_id(text);
    if (id <= 0 || !req->user)
        return 404;
    application_t app;
    int rc = application_load(req->db, req->arena, id, &app);
    if (rc < 0)
        return 503;
    if (rc > 0 || !application_is_own(req, &app) || app.service_id != svc->id)
        return 404;
    *app_id = id;
    return 0;
}

/* The booking page: free times of the next APPT_BOOK_DAYS days, grouped by day;
 * the chosen day's times as radio buttons. chosen_time: the value to keep
 * checked after an error. */
static int render_book(http_req_t *req, int status, json_t *model, const appt_service_t *svc, int64_t app_id,
                       const char *day_param, const char *chosen_time)
{
    int64_t now = (int64_t)time(NULL);
    json_object_set_new(model, "service", json_string(svc->name));
    json_object_set_new(model, "unit", json_string(svc->unit_name));
    json_object_set_new(model, "address", json_string(svc->address));
    json_object_set_new(model, "slug", json_string(svc->slug));
    if (app_id > 0)
        json_object_set_new(model, "antrag", json_integer(app_id));
    db_stmt_t *st;
    if (req->user) {
        json_object_set_new(model, "signed_in", json_true());
        if (db_prepare(req->db, sql_active_booking, &st) != 0)
            goto fail;
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, svc->id);
        db_bind_int64(st, 3, now);
        int rc = db_step(st);
        if (rc == DB_ROW)
            json_object_set_new(model, "existing",
                                json_pack("{s:s,s:s,s:s}", "href",
                                          arena_printf(req->arena, "/termine/%lld", (long long)db_column_int64(st, 0)),
                                          "day", appt_day_label(req, db_column_int64(st, 1)), "time",
                                          appt_clock(req, appt_time(req->arena, db_column_int64(st, 1)))));
        db_reset(st);
        if (rc < 0)
            goto fail;
    } else {
        /* Back here after signing in: /termine/buchen?leistung=… as one query value. */
        const char *here = arena_printf(req->arena, "/termine/buchen?leistung=%s", form_url_encode(req->arena, svc->slug));
        json_object_set_new(model, "login_href", json_string(auth_login_url(req, here)));
    }

    /* Free places per start time, in time order; days in order of their first time. */
    if (db_prepare(req->db, sql_free_slots, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, svc->unit_id);
    db_bind_int64(st, 2, svc->id);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, now + (int64_t)APPT_BOOK_DAYS * 86400);
    json_t *days = json_array();
    json_object_set_new(model, "days", days);
    char selected_day[11] = "", day[11] = "", last_day[11] = "";
    if (day_param && appt_day_start(day_param) > 0)
        snprintf(selected_day, sizeof(selected_day), "%s", day_param);
    json_t *times = json_array();
    int64_t last_start = -1;
    json_t *last_time = NULL;
    json_t *day_entry = NULL;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t start = db_column_int64(st, 0);
        int64_t free_places = db_column_int64(st, 1);
        appt_iso_date(start, day);
        if (strcmp(day, last_day) != 0) {
            snprintf(last_day, sizeof(last_day), "%s", day);
            if (!selected_day[0])
                snprintf(selected_day, sizeof(selected_day), "%s", day); /* the first day with free times */
            day_entry = json_pack("{s:s,s:s,s:i,s:b}", "date", day, "label", appt_day_label(req, start), "free", 0,
                                  "current", !strcmp(day, selected_day));
            json_object_set_new(
                day_entry, "href",
                json_sprintf("/termine/buchen?leistung=%s&tag=%s%s", form_url_encode(req->arena, svc->slug), day,
                             app_id > 0 ? arena_printf(req->arena, "&antrag=%lld", (long long)app_id) : ""));
            json_array_append_new(days, day_entry);
        }
        json_object_set_new(day_entry, "free",
                            json_integer(json_integer_value(json_object_get(day_entry, "free")) + free_places));
        if (strcmp(day, selected_day) != 0)
            continue;
        if (start == last_start && last_time) {
            json_object_set_new(last_time, "free",
                                json_integer(json_integer_value(json_object_get(last_time, "free")) + free_places));
            continue;
        }
        char value[24];
        snprintf(value, sizeof(value), "%lld", (long long)start);
        last_time =
            json_pack("{s:s,s:s,s:I,s:b}", "value", value, "label", appt_clock(req, appt_time(req->arena, start)),
                      "free", (json_int_t)free_places, "selected", chosen_time && !strcmp(chosen_time, value));
        json_array_append_new(times, last_time);
        last_start = start;
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(times);
        goto fail;
    }
    if (selected_day[0]) {
        int64_t ds = appt_day_start(selected_day);
        json_object_set_new(model, "day_label", json_string(appt_day_label(req, ds)));
        json_object_set_new(model, "day", json_string(selected_day));
    }
    json_object_set_new(model, "times", times);
    return http_render(req, status, "services/appointments/book", model);
fail:
    json_decref(model);
    return 503;
}

static int appt_book_page(http_req_t *req)
{
    appt_service_t svc;
    int rc = load_service(req, http_query(req, "leistung"), &svc);
    if (rc < 0)
        return 503;
    if (rc > 0)
        return 404;
    const char *antrag = http_query(req, "antrag");
    if (antrag && *antrag && !req->user) {
        /* A link from an application (the Postfach) is for its owner: sign in
         * first, then come back to exactly this page. */
        const char *here = arena_printf(req->arena, "/termine/buchen?leistung=%s&antrag=%s", svc.slug, antrag);
        return http_redirect(req, 302, auth_login_url(req, here));
    }
    int64_t app_id;
    rc = linked_application(req, antrag, &svc, &app_id);
    if (rc)
        return rc;
    json_t *model = appt_model(req, N_("Termin buchen"));
    return render_book(req, 200, model, &svc, app_id, http_query(req, "tag"), NULL);
}

/* ---- POST /termine/buchen -------------------------------------------------------- */

static const char sql_candidates[] =
    "SELECT id FROM appointment_slots WHERE unit_id = $1 AND starts_at = $2"
    " AND (service_id = $3 OR service_id IS NULL) AND cancelled_at IS NULL AND booked < capacity"
    " ORDER BY CASE WHEN service_id IS NULL THEN 1 ELSE 0 END, counter, id LIMIT 20";
/* The place is taken only while one is left, decided on the row itself: under
 * PostgreSQL a second transaction waits for the first one's row lock and then
 * sees its booked value; SQLite runs one writer at a time. */
static const char sql_take_place[] =
    "UPDATE appointment_slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity AND cancelled_at IS NULL";
static const char sql_insert_booking[] =
    "INSERT INTO appointment_bookings (slot_id, user_id, service_id, application_id, status, created_at)"
    " VALUES ($1, $2, $3, $4, 'gebucht', $5) ON CONFLICT DO NOTHING RETURNING id";

static int appt_book_submit(http_req_t *req)
{
    appt_service_t svc;
    int rc = load_service(req, http_form(req, "leistung"), &svc);
    if (rc < 0)
        return 503;
    if (rc > 0)
        return 404;
    int64_t app_id;
    rc = linked_application(req, http_form(req, "antrag"), &svc, &app_id);
    if (rc)
        return rc;
    json_t *model = appt_model(req, N_("Termin buchen"));
    const char *time_text = http_form(req, "termin");
    const char *day = http_form(req, "tag");
    int64_t start = appt_parse_id(time_text);
    int64_t now = (int64_t)time(NULL);
    if (start <= now || start > now + (int64_t)(APPT_BOOK_DAYS + 1) * 86400) {
        appt_error(req, model, "feld-termin", N_("Bitte wählen Sie eine Uhrzeit."));
        return render_book(req, 422, model, &svc, app_id, day, NULL);
    }
    if (db_begin_write(req->db) != 0)
        goto fail_db;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_mark_past, &st) != 0)
        goto fail_db;
    db_bind_int64(st, 1, req->user->id);
    db_bind_int64(st, 2, svc.id);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE || db_prepare(req->db, sql_active_booking, &st) != 0)
        goto fail_db;
    db_bind_int64(st, 1, req->user->id);
    db_bind_int64(st, 2, svc.id);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        goto fail_db;
    if (rc == DB_ROW)
        goto already;

    int64_t candidates[20];
    size_t n = 0;
    if (db_prepare(req->db, sql_candidates, &st) != 0)
        goto fail_db;
    db_bind_int64(st, 1, svc.unit_id);
    db_bind_int64(st, 2, start);
    db_bind_int64(st, 3, svc.id);
    while (n < 20 && (rc = db_step(st)) == DB_ROW)
        candidates[n++] = db_column_int64(st, 0);
    db_reset(st);
    if (rc < 0)
        goto fail_db;
    int64_t slot_id = 0;
    for (size_t i = 0; i < n && slot_id == 0; i++) {
        if (db_prepare(req->db, sql_take_place, &st) != 0)
            goto fail_db;
        db_bind_int64(st, 1, candidates[i]);
        rc = db_step(st);
        int64_t changed = db_changes(st);
        db_reset(st);
        if (rc != DB_DONE)
            goto fail_db;
        if (changed == 1)
            slot_id = candidates[i];
    }
    if (slot_id == 0) {
        db_rollback(req->db);
        appt_error(req, model, "feld-termin",
                   N_("Diese Uhrzeit ist leider schon vergeben. Bitte wählen Sie eine andere Uhrzeit."));
        return render_book(req, 409, model, &svc, app_id, day, NULL);
    }
    if (db_prepare(req->db, sql_insert_booking, &st) != 0)
        goto fail_db;
    db_bind_int64(st, 1, slot_id);
    db_bind_int64(st, 2, req->user->id);
    db_bind_int64(st, 3, svc.id);
    if (app_id > 0)
        db_bind_int64(st, 4, app_id);
    else
        db_bind_null(st, 4);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    int64_t booking_id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc < 0)
        goto fail_db;
    if (booking_id == 0)
        goto already; /* a parallel request of the same person was first */
    if (appt_booking_mail(req->db, req->cfg, req->arena, req->user->id, booking_id, svc.name, slot_id, "gebucht",
                          NULL) != 0)
        goto fail_db;
    if (app_id > 0 &&
        application_event(req->db, app_id, req->user->id, "appointment", "", "gebucht",
                          arena_printf(req->arena, "Termin gebucht: %s, %s Uhr", application_date(req->arena, start, 0),
                                       appt_time(req->arena, start)),
                          0) != 0)
        goto fail_db;
    if (db_commit(req->db) != 0)
        goto fail_db;
    jobs_wake();
    json_decref(model);
    return http_redirect(req, 303, arena_printf(req->arena, "/termine/%lld?gebucht=1", (long long)booking_id));
already:
    db_rollback(req->db);
    appt_error(req, model, "feld-termin",
               N_("Sie haben für diese Leistung schon einen Termin. Bitte sagen Sie ihn zuerst ab, wenn Sie einen "
                  "anderen möchten."));
    return render_book(req, 409, model, &svc, app_id, day, time_text);
fail_db:
    db_rollback(req->db);
    json_decref(model);
    return 503;
}

/* ---- demo ------------------------------------------------------------------------------ */

static const char sql_unit_by_slug[] = "SELECT id FROM units WHERE slug = $1";

int appointments_demo(db_t *db, int64_t now)
{
    /* Slots for every service of the unit that takes appointments (service
     * NULL), so the demo does not depend on the catalogue's slugs. */
    static const struct {
        const char *unit;
        unsigned weekdays; /* bit 0 = Sunday … bit 6 = Saturday */
        int from_minute, to_minute, length;
        const char *counters[2];
    } plan[] = {
        {"buergeramt", 0x3e /* Mon–Fri */, 8 * 60, 12 * 60, 15, {"Schalter 1", "Schalter 2"}},
        {"buergeramt", 0x10 /* Thu */, 14 * 60, 18 * 60, 15, {"Schalter 1", NULL}},
        {"bauamt", 0x14 /* Tue, Thu */, 9 * 60, 12 * 60, 30, {"Zimmer 204", NULL}},
    };
    char from[11], to[11];
    appt_iso_date(now + 86400, from);
    appt_iso_date(now + 21 * 86400, to);
    if (db_begin_write(db) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
        int64_t unit_id = 0;
        int rc = db_query_int64_text(db, sql_unit_by_slug, plan[i].unit, NULL, &unit_id);
        if (rc < 0)
            goto fail;
        if (rc > 0)
            continue; /* a demo without that unit */
        const char *counters[2];
        size_t n = 0;
        for (size_t c = 0; c < 2 && plan[i].counters[c]; c++)
            counters[n++] = plan[i].counters[c];
        int64_t created;
        if (appt_create_series(db, unit_id, 0, from, to, plan[i].weekdays, plan[i].from_minute, plan[i].to_minute,
                               plan[i].length, counters, n, 1, 0, now, &created) != 0)
            goto fail;
    }
    return db_commit(db) == 0 ? 0 : -1;
fail:
    db_rollback(db);
    return -1;
}
