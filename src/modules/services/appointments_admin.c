/* appointments_admin.c — /verwaltung/termine: a unit publishes appointment
 * slots as a series (date range, weekdays, from–to, slot length, counters,
 * capacity, optionally one service), sees the day's list (who booked, for which
 * service and application, cancelled ones marked) and takes a slot back, which
 * tells everyone who booked it.
 *
 * Every handler checks PERM_APPOINTMENTS for the unit it touches: the route's
 * permission only says the user holds it somewhere. A slot of a unit the user
 * may not manage is answered 404, as if it did not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/services/appointments.h"
#include "modules/services/internal.h"
#include "platform/audit.h"
#include "platform/jobs.h"
#include "view/i18n.h"
#include "web/auth.h"

/* ---- series of slots --------------------------------------------------------------- */

/* Local time of day `minute` on the calendar day y-m-d (d may run past the
 * month's end: mktime normalises it). Sets *weekday (0 Sunday). */
static int64_t local_time(int y, int m, int d, int minute, int *weekday)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = m - 1,
                    .tm_mday = d,
                    .tm_hour = minute / 60,
                    .tm_min = minute % 60,
                    .tm_isdst = -1};
    time_t t = mktime(&tm);
    if (weekday)
        *weekday = tm.tm_wday;
    return (int64_t)t;
}

/* Walks the series; with db NULL it only counts. */
static int64_t walk_series(db_t *db, int64_t unit_id, int64_t service_id, const char *from, const char *to,
                           unsigned weekdays, int from_minute, int to_minute, int length, const char *const *counters,
                           size_t counter_count, int capacity, int64_t created_by, int64_t now, int64_t *created)
{
    static const char sql_insert_slot[] =
        "INSERT INTO appointment_slots (unit_id, service_id, starts_at, ends_at, counter, capacity, created_by,"
        " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
    int fy, fm, fd, ty, tm_, td;
    if (fees_parse_date(from, &fy, &fm, &fd) != 0 || fees_parse_date(to, &ty, &tm_, &td) != 0 || length <= 0)
        return -1;
    int64_t last_day = local_time(ty, tm_, td, 0, NULL);
    int64_t count = 0;
    if (created)
        *created = 0;
    for (int day = 0;; day++) {
        int weekday;
        int64_t day_start = local_time(fy, fm, fd + day, 0, &weekday);
        if (day_start > last_day)
            break;
        if (day > APPT_MAX_SERIES_DAYS)
            return -1; /* the callers check the range; never loop for years */
        if (!(weekdays & (1u << weekday)))
            continue;
        for (int minute = from_minute; minute + length <= to_minute; minute += length) {
            int64_t start = local_time(fy, fm, fd + day, minute, NULL);
            for (size_t c = 0; c < counter_count; c++) {
                count++;
                if (!db)
                    continue;
                if (count > APPT_MAX_SERIES_SLOTS)
                    return -2;
                db_stmt_t *st;
                if (db_prepare(db, sql_insert_slot, &st) != 0)
                    return -3;
                db_bind_int64(st, 1, unit_id);
                if (service_id > 0)
                    db_bind_int64(st, 2, service_id);
                else
                    db_bind_null(st, 2);
                db_bind_int64(st, 3, start);
                db_bind_int64(st, 4, start + (int64_t)length * 60);
                db_bind_text(st, 5, counters[c], -1);
                db_bind_int64(st, 6, capacity);
                if (created_by > 0)
                    db_bind_int64(st, 7, created_by);
                else
                    db_bind_null(st, 7);
                db_bind_int64(st, 8, now);
                int rc = db_step(st);
                int64_t changed = db_changes(st);
                db_reset(st);
                if (rc != DB_DONE)
                    return -3;
                *created += changed;
            }
        }
    }
    return count;
}

int64_t appt_series_count(const char *from, const char *to, unsigned weekdays, int from_minute, int to_minute,
                          int length, size_t counter_count)
{
    return walk_series(NULL, 0, 0, from, to, weekdays, from_minute, to_minute, length, NULL, counter_count, 0, 0, 0,
                       NULL);
}

int appt_create_series(db_t *db, int64_t unit_id, int64_t service_id, const char *from, const char *to,
                       unsigned weekdays, int from_minute, int to_minute, int length, const char *const *counters,
                       size_t counter_count, int capacity, int64_t created_by, int64_t now, int64_t *created)
{
    int64_t n = walk_series(db, unit_id, service_id, from, to, weekdays, from_minute, to_minute, length, counters,
                            counter_count, capacity, created_by, now, created);
    if (n == -2)
        return -2;
    return n < 0 ? -1 : 0;
}

/* ---- the units a user manages ------------------------------------------------------- */

static const char sql_units[] = "SELECT id, name FROM units ORDER BY name, id LIMIT 500";

/* The units the user may publish slots for: a JSON array [{id, name}]. */
static json_t *managed_units(http_req_t *req)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_units, &st) != 0)
        return NULL;
    json_t *out = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        if (auth_has_permission_in_unit(req, PERM_APPOINTMENTS, id))
            json_array_append_new(out, json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", db_column_text(st, 1)));
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The unit named by text among units (or the first one when text is empty):
 * its id, 0 when the user may not manage it. */
static int64_t pick_unit(json_t *units, const char *text, const char **name)
{
    int64_t wanted = text && *text ? appt_parse_id(text) : 0;
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        int64_t id = json_integer_value(json_object_get(u, "id"));
        if (wanted == 0 || wanted == id) {
            *name = json_string_value(json_object_get(u, "name"));
            return id;
        }
    }
    return 0;
}

/* ---- GET/POST /verwaltung/termine ------------------------------------------------------ */

static const char sql_unit_services[] =
    "SELECT id, name FROM services WHERE unit_id = $1 AND appointments = 1 ORDER BY name, id LIMIT 200";
static const char sql_overview[] =
    "SELECT starts_at, capacity, booked, COALESCE(cancelled_at, 0) FROM appointment_slots"
    " WHERE unit_id = $1 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at LIMIT 20000";

typedef struct series_form {
    const char *unit, *service, *from, *to, *begin, *end, *length, *counters, *capacity;
    unsigned weekdays;
} series_form_t;

static json_t *field(const char *name, const char *label, const char *value, const char *error)
{
    return http_field(name, label, value, error);
}

/* The publishing form and the next two weeks of the unit. */
static int render_admin(http_req_t *req, int status, json_t *model, json_t *units, int64_t unit_id,
                        const char *unit_name, const series_form_t *f, json_t *errors_by_field)
{
    json_object_set_new(model, "unit_name", json_string(unit_name));
    json_object_set_new(model, "unit_id", json_integer(unit_id));
    json_t *unit_field = field("einheit", appt_tr(req, N_("Organisationseinheit")), "",
                               json_string_value(json_object_get(errors_by_field, "einheit")));
    json_t *unit_options = json_array();
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        json_int_t id = json_integer_value(json_object_get(u, "id"));
        json_array_append_new(unit_options,
                              json_pack("{s:s,s:O,s:b}", "value", arena_printf(req->arena, "%lld", (long long)id),
                                        "label", json_object_get(u, "name"), "selected", id == unit_id));
    }
    json_object_set_new(unit_field, "options", unit_options);
    json_object_set_new(model, "f_einheit", unit_field);
    json_object_set_new(model, "several_units", json_boolean(json_array_size(units) > 1));

    db_stmt_t *st;
    json_t *svc_field = field("leistung", appt_tr(req, N_("Für welche Leistung?")), "",
                              json_string_value(json_object_get(errors_by_field, "leistung")));
    json_object_set_new(
        svc_field, "hint",
        json_string(
            appt_tr(req, N_("Ohne Auswahl gilt das Zeitfenster für alle Leistungen der Einheit mit Terminbuchung."))));
    json_t *svc_options = json_array();
    json_array_append_new(svc_options, json_pack("{s:s,s:s,s:b}", "value", "", "label",
                                                 appt_tr(req, N_("Alle Leistungen mit Termin")), "selected",
                                                 !f->service || !*f->service));
    json_object_set_new(svc_field, "options", svc_options);
    json_object_set_new(model, "f_leistung", svc_field);
    if (db_prepare(req->db, sql_unit_services, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, unit_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *id = arena_printf(req->arena, "%lld", (long long)db_column_int64(st, 0));
        json_array_append_new(svc_options, json_pack("{s:s,s:s,s:b}", "value", id, "label", db_column_text(st, 1),
                                                     "selected", f->service && !strcmp(f->service, id)));
    }
    db_reset(st);
    if (rc < 0)
        goto fail;

    struct {
        const char *key, *name, *label, *hint, *value, *type;
    } inputs[] = {
        {"f_von", "von", N_("Erster Tag"), NULL, f->from, "date"},
        {"f_bis", "bis", N_("Letzter Tag"), N_("Höchstens 92 Tage nach dem ersten Tag."), f->to, "date"},
        {"f_beginn", "beginn", N_("Beginn (Uhrzeit)"), N_("Zum Beispiel 08:00"), f->begin, "time"},
        {"f_ende", "ende", N_("Ende (Uhrzeit)"), N_("Der letzte Termin endet spätestens zu dieser Zeit."), f->end,
         "time"},
        {"f_dauer", "dauer", N_("Dauer eines Termins in Minuten"), N_("Von 5 bis 240 Minuten."), f->length, "text"},
        {"f_schalter", "schalter", N_("Schalter oder Räume"),
         N_("Mehrere mit Komma trennen, zum Beispiel: Schalter 1, Schalter 2. Höchstens 10."), f->counters, "text"},
        {"f_kapazitaet", "kapazitaet", N_("Personen je Termin und Schalter"), N_("Von 1 bis 50."), f->capacity, "text"},
    };
    for (size_t k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
        json_t *fl = field(inputs[k].name, appt_tr(req, inputs[k].label), inputs[k].value,
                           json_string_value(json_object_get(errors_by_field, inputs[k].name)));
        json_object_set_new(fl, "type", json_string(inputs[k].type));
        json_object_set_new(fl, "required", json_true());
        if (inputs[k].hint)
            json_object_set_new(fl, "hint", json_string(appt_tr(req, inputs[k].hint)));
        if (!strcmp(inputs[k].name, "dauer") || !strcmp(inputs[k].name, "kapazitaet"))
            json_object_set_new(fl, "inputmode", json_string("numeric"));
        json_object_set_new(model, inputs[k].key, fl);
    }
    static const char *const short_days[] = {N_("Sonntag"),    N_("Montag"),  N_("Dienstag"), N_("Mittwoch"),
                                             N_("Donnerstag"), N_("Freitag"), N_("Samstag")};
    json_t *days_field = field("wochentage", appt_tr(req, N_("Wochentage")), "",
                               json_string_value(json_object_get(errors_by_field, "wochentage")));
    json_t *day_options = json_array();
    for (int k = 1; k <= 7; k++) { /* Monday first, Sunday last */
        int d = k % 7;
        json_array_append_new(day_options,
                              json_pack("{s:s,s:s,s:b}", "value", arena_printf(req->arena, "%d", d), "label",
                                        appt_tr(req, short_days[d]), "selected", (f->weekdays >> d) & 1u));
    }
    json_object_set_new(days_field, "options", day_options);
    json_object_set_new(model, "f_wochentage", days_field);

    /* The next 14 days: slots, places booked, capacity. */
    char today[11];
    appt_iso_date((int64_t)time(NULL), today);
    int64_t from = appt_day_start(today);
    json_t *days = json_array();
    json_object_set_new(model, "days", days);
    if (db_prepare(req->db, sql_overview, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, unit_id);
    db_bind_int64(st, 2, from);
    db_bind_int64(st, 3, from + 15 * 86400);
    char last[11] = "", day[11];
    json_t *entry = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t start = db_column_int64(st, 0);
        appt_iso_date(start, day);
        if (strcmp(day, last) != 0) {
            snprintf(last, sizeof(last), "%s", day);
            entry = json_pack(
                "{s:s,s:s,s:i,s:i,s:i,s:i}", "label", appt_day_label(req, start), "href",
                arena_printf(req->arena, "/verwaltung/termine/tag?datum=%s&einheit=%lld", day, (long long)unit_id),
                "slots", 0, "booked", 0, "capacity", 0, "cancelled", 0);
            json_array_append_new(days, entry);
        }
        int cancelled = db_column_int64(st, 3) != 0;
        const char *keys[] = {"slots", "booked", "capacity", "cancelled"};
        int64_t add[] = {cancelled ? 0 : 1, db_column_int64(st, 2), cancelled ? 0 : db_column_int64(st, 1), cancelled};
        for (int k = 0; k < 4; k++)
            json_object_set_new(entry, keys[k],
                                json_integer(json_integer_value(json_object_get(entry, keys[k])) + add[k]));
    }
    db_reset(st);
    if (rc < 0)
        goto fail;
    json_object_set_new(model, "day_href",
                        json_sprintf("/verwaltung/termine/tag?datum=%s&einheit=%lld", today, (long long)unit_id));
    json_decref(units);
    return http_render(req, status, "services/appointments/admin", model);
fail:
    json_decref(units);
    json_decref(model);
    return 503;
}

int appt_admin_page(http_req_t *req)
{
    json_t *units = managed_units(req);
    if (!units)
        return 503;
    const char *unit_name = "";
    int64_t unit_id = pick_unit(units, http_query(req, "einheit"), &unit_name);
    if (unit_id == 0) {
        json_decref(units);
        return 404;
    }
    json_t *model = appt_model(req, N_("Termine veröffentlichen"));
    const char *created = http_query(req, "angelegt");
    if (created) {
        json_object_set_new(model, "created", json_integer(appt_parse_id(created)));
        appt_alert(req, model, "success", N_("Die Zeitfenster sind veröffentlicht."));
    }
    char tomorrow[11], later[11];
    int64_t now = (int64_t)time(NULL);
    appt_iso_date(now + 86400, tomorrow);
    appt_iso_date(now + 14 * 86400, later);
    series_form_t f = {.unit = "",
                       .service = "",
                       .from = arena_strdup(req->arena, tomorrow),
                       .to = arena_strdup(req->arena, later),
                       .begin = "08:00",
                       .end = "12:00",
                       .length = "15",
                       .counters = "Schalter 1",
                       .capacity = "1",
                       .weekdays = 0x3e};
    json_t *no_errors = json_object();
    int rc = render_admin(req, 200, model, units, unit_id, unit_name, &f, no_errors);
    json_decref(no_errors);
    return rc;
}

/* "08:30" → minutes since midnight, or -1. */
static int parse_clock(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* A whole number from lo to hi (at most 4 digits), or -1. */
static int parse_small(const char *s, int lo, int hi)
{
    if (!s || !*s || strlen(s) > 4)
        return -1;
    int v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v >= lo && v <= hi ? v : -1;
}

/* Splits "Schalter 1, Schalter 2" into trimmed names (arena). Returns the
 * count, -1 for an empty name, -2 for too many, -3 for one too long. */
static int split_counters(arena_t *arena, const char *text, const char **out)
{
    int n = 0;
    const char *p = text ? text : "";
    for (;;) {
        size_t len = strcspn(p, ",");
        const char *s = p, *e = p + len;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e == s)
            return -1; /* nothing, or nothing between two commas */
        if (n == APPT_MAX_COUNTERS)
            return -2;
        if (utf8_length(s, (size_t)(e - s)) > APPT_MAX_COUNTER_LEN)
            return -3;
        out[n++] = arena_strndup(arena, s, (size_t)(e - s));
        if (p[len] == '\0')
            return n;
        p += len + 1;
    }
}

int appt_admin_publish(http_req_t *req)
{
    json_t *units = managed_units(req);
    if (!units)
        return 503;
    const char *unit_name = "";
    int64_t unit_id = pick_unit(units, http_form(req, "einheit"), &unit_name);
    if (unit_id == 0 || !http_form(req, "einheit")) {
        json_decref(units);
        return 404;
    }
    series_form_t f = {.unit = http_form(req, "einheit"),
                       .service = http_form(req, "leistung"),
                       .from = http_form(req, "von"),
                       .to = http_form(req, "bis"),
                       .begin = http_form(req, "beginn"),
                       .end = http_form(req, "ende"),
                       .length = http_form(req, "dauer"),
                       .counters = http_form(req, "schalter"),
                       .capacity = http_form(req, "kapazitaet")};
    int weekday_error = 0;
    for (size_t i = 0; i < req->form.count; i++) {
        if (strcmp(req->form.fields[i].name, "wochentage") != 0)
            continue;
        int d = parse_small(req->form.fields[i].value, 0, 6);
        if (d < 0)
            weekday_error = 1;
        else
            f.weekdays |= 1u << d;
    }
    json_t *model = appt_model(req, N_("Termine veröffentlichen"));
    json_t *errors = json_object();
#define FIELD_ERROR(name, msgid)                                                                                       \
    json_object_set_new(errors, name, json_string(appt_error(req, model, "feld-" name, msgid)))

    int64_t service_id = 0;
    if (f.service && *f.service) {
        static const char sql_service_ok[] =
            "SELECT id FROM services WHERE id = $1 AND unit_id = $2 AND appointments = 1";
        service_id = appt_parse_id(f.service);
        db_stmt_t *st;
        if (db_prepare(req->db, sql_service_ok, &st) != 0)
            goto fail;
        db_bind_int64(st, 1, service_id);
        db_bind_int64(st, 2, unit_id);
        int rc = db_step(st);
        db_reset(st);
        if (rc < 0)
            goto fail;
        if (rc != DB_ROW)
            FIELD_ERROR("leistung", N_("Bitte wählen Sie eine Leistung dieser Einheit, oder alle."));
    }
    char today[11], max_day[11];
    int64_t now = (int64_t)time(NULL);
    appt_iso_date(now, today);
    appt_iso_date(now + (int64_t)APPT_MAX_DAYS_AHEAD * 86400, max_day);
    int64_t from = appt_day_start(f.from), to = appt_day_start(f.to);
    if (from < 0)
        FIELD_ERROR("von", N_("Bitte geben Sie den ersten Tag als Datum an."));
    else if (strcmp(f.from, today) < 0)
        FIELD_ERROR("von", N_("Der erste Tag darf nicht in der Vergangenheit liegen."));
    if (to < 0)
        FIELD_ERROR("bis", N_("Bitte geben Sie den letzten Tag als Datum an."));
    else if (from >= 0 && to < from)
        FIELD_ERROR("bis", N_("Der letzte Tag muss nach dem ersten Tag liegen."));
    else if (from >= 0 && (to - from) / 86400 > APPT_MAX_SERIES_DAYS)
        FIELD_ERROR("bis", N_("Eine Reihe umfasst höchstens 92 Tage. Bitte wählen Sie einen früheren letzten Tag."));
    else if (strcmp(f.to, max_day) > 0)
        FIELD_ERROR("bis", N_("Termine können höchstens ein Jahr im Voraus veröffentlicht werden."));
    if (f.weekdays == 0 || weekday_error)
        FIELD_ERROR("wochentage", N_("Bitte wählen Sie mindestens einen Wochentag."));
    int begin = parse_clock(f.begin), end = parse_clock(f.end);
    if (begin < 0)
        FIELD_ERROR("beginn", N_("Bitte geben Sie die Uhrzeit so an: 08:00."));
    if (end < 0)
        FIELD_ERROR("ende", N_("Bitte geben Sie die Uhrzeit so an: 12:00."));
    else if (begin >= 0 && end <= begin)
        FIELD_ERROR("ende", N_("Das Ende muss nach dem Beginn liegen."));
    int length = parse_small(f.length, APPT_MIN_LENGTH, APPT_MAX_LENGTH);
    if (length < 0)
        FIELD_ERROR("dauer", N_("Bitte geben Sie eine Dauer von 5 bis 240 Minuten an."));
    else if (begin >= 0 && end > begin && end - begin < length)
        FIELD_ERROR("dauer", N_("Zwischen Beginn und Ende passt kein Termin dieser Dauer."));
    const char *counters[APPT_MAX_COUNTERS];
    int counter_count = split_counters(req->arena, f.counters, counters);
    if (counter_count == -2)
        FIELD_ERROR("schalter", N_("Bitte geben Sie höchstens 10 Schalter an."));
    else if (counter_count == -3)
        FIELD_ERROR("schalter", N_("Der Name eines Schalters hat höchstens 40 Zeichen."));
    else if (counter_count < 0)
        FIELD_ERROR("schalter",
                    N_("Bitte geben Sie mindestens einen Schalter an, ohne leere Namen zwischen den Kommas."));
    int capacity = parse_small(f.capacity, 1, APPT_MAX_CAPACITY);
    if (capacity < 0)
        FIELD_ERROR("kapazitaet", N_("Bitte geben Sie eine Zahl von 1 bis 50 an."));
    if (json_object_size(errors) == 0) {
        int64_t count = appt_series_count(f.from, f.to, f.weekdays, begin, end, length, (size_t)counter_count);
        if (count > APPT_MAX_SERIES_SLOTS)
            FIELD_ERROR("bis", N_("Das wären mehr als 2000 Zeitfenster auf einmal. Bitte wählen Sie einen kürzeren "
                                  "Zeitraum oder weniger Schalter."));
        else if (count <= 0)
            FIELD_ERROR("wochentage", N_("In diesem Zeitraum liegt keiner der gewählten Wochentage."));
    }
#undef FIELD_ERROR
    if (json_object_size(errors) > 0) {
        int rc = render_admin(req, 422, model, units, unit_id, unit_name, &f, errors);
        json_decref(errors);
        return rc;
    }
    json_decref(errors);
    int64_t created = 0;
    if (db_begin_write(req->db) != 0)
        goto fail_nodb;
    if (appt_create_series(req->db, unit_id, service_id, f.from, f.to, f.weekdays, begin, end, length, counters,
                           (size_t)counter_count, capacity, req->user->id, now, &created) != 0)
        goto fail_tx;
    char detail[200], actor[32], object[32];
    snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"to\":\"%s\",\"created\":%lld}", f.from, f.to,
             (long long)created);
    snprintf(actor, sizeof(actor), "user:%lld", (long long)req->user->id);
    snprintf(object, sizeof(object), "unit:%lld", (long long)unit_id);
    if (audit_log(req->db, actor, "services.appointments.publish", object, detail, req->client_ip, req->request_id) !=
        0)
        goto fail_tx;
    if (db_commit(req->db) != 0)
        goto fail_tx;
    json_decref(units);
    json_decref(model);
    return http_redirect(req, 303,
                         arena_printf(req->arena, "/verwaltung/termine?einheit=%lld&angelegt=%lld", (long long)unit_id,
                                      (long long)created));
fail_tx:
    db_rollback(req->db);
fail_nodb:
fail:
    json_decref(units);
    json_decref(model);
    return 503;
}

/* ---- GET /verwaltung/termine/tag ------------------------------------------------------ */

static const char sql_day_slots[] =
    "SELECT sl.id, sl.starts_at, sl.ends_at, sl.counter, sl.capacity, sl.booked, COALESCE(sl.cancelled_at, 0),"
    " COALESCE(s.name, '') FROM appointment_slots sl LEFT JOIN services s ON s.id = sl.service_id"
    " WHERE sl.unit_id = $1 AND sl.starts_at >= $2 AND sl.starts_at < $3 ORDER BY sl.starts_at, sl.counter, sl.id"
    " LIMIT 2000";
static const char sql_day_bookings[] =
    "SELECT b.slot_id, b.status, u.display_name, u.email, COALESCE(p.given_name, ''), COALESCE(p.family_name, ''),"
    " s.name, COALESCE(a.reference, ''), COALESCE(a.id, 0) FROM appointment_bookings b"
    " JOIN appointment_slots sl ON sl.id = b.slot_id JOIN users u ON u.id = b.user_id"
    " JOIN services s ON s.id = b.service_id LEFT JOIN profiles p ON p.user_id = b.user_id"
    " LEFT JOIN applications a ON a.id = b.application_id"
    " WHERE sl.unit_id = $1 AND sl.starts_at >= $2 AND sl.starts_at < $3 ORDER BY sl.starts_at, b.id LIMIT 10000";

int appt_admin_day(http_req_t *req)
{
    json_t *units = managed_units(req);
    if (!units)
        return 503;
    const char *unit_name = "";
    int64_t unit_id = pick_unit(units, http_query(req, "einheit"), &unit_name);
    unit_name = arena_strdup(req->arena, unit_name); /* it lived in units */
    json_decref(units);
    if (unit_id == 0)
        return 404;
    json_t *model = appt_model(req, N_("Tagesliste der Termine"));
    char day[11];
    const char *wanted = http_query(req, "datum");
    int64_t start = wanted ? appt_day_start(wanted) : -1;
    if (start < 0) {
        if (wanted && *wanted)
            appt_alert(req, model, "warning", N_("Das Datum war ungültig. Sie sehen den heutigen Tag."));
        appt_iso_date((int64_t)time(NULL), day);
        start = appt_day_start(day);
    } else {
        snprintf(day, sizeof(day), "%s", wanted);
    }
    /* The next day's start through the calendar (a day is 23 or 25 hours when
     * the clocks change). */
    char next[11], prev[11];
    appt_iso_date(start + 36 * 3600, next);
    appt_iso_date(start - 12 * 3600, prev);
    int64_t end = appt_day_start(next);
    if (http_query(req, "abgesagt"))
        appt_alert(req, model, "success",
                   N_("Das Zeitfenster ist abgesagt. Wer es gebucht hatte, bekommt eine E-Mail."));
    json_object_set_new(model, "unit_name", json_string(unit_name));
    json_object_set_new(model, "unit_id", json_integer(unit_id));
    json_object_set_new(model, "day_label", json_string(appt_day_label(req, start)));
    json_object_set_new(model, "datum", json_string(day));
    json_object_set_new(model, "prev_href",
                        json_sprintf("/verwaltung/termine/tag?datum=%s&einheit=%lld", prev, (long long)unit_id));
    json_object_set_new(model, "next_href",
                        json_sprintf("/verwaltung/termine/tag?datum=%s&einheit=%lld", next, (long long)unit_id));
    json_object_set_new(model, "back_href", json_sprintf("/verwaltung/termine?einheit=%lld", (long long)unit_id));
    json_t *rows = json_array();
    json_object_set_new(model, "rows", rows);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_day_slots, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, unit_id);
    db_bind_int64(st, 2, start);
    db_bind_int64(st, 3, end);
    int rc;
    int64_t now = (int64_t)time(NULL);
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0), s = db_column_int64(st, 1), e = db_column_int64(st, 2);
        int cancelled = db_column_int64(st, 6) != 0;
        const char *service = db_column_text(st, 7);
        json_t *row =
            json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:b,s:[]}", "id", (json_int_t)id, "time",
                      arena_printf(req->arena, "%s–%s", appt_time(req->arena, s), appt_time(req->arena, e)), "counter",
                      db_column_text(st, 3), "service", *service ? service : appt_tr(req, N_("Alle Leistungen")),
                      "capacity", (json_int_t)db_column_int64(st, 4), "booked", (json_int_t)db_column_int64(st, 5),
                      "cancelled", cancelled, "bookings");
        if (!cancelled && s > now)
            json_object_set_new(row, "cancel_action", json_sprintf("/verwaltung/termine/%lld/absagen", (long long)id));
        json_array_append_new(rows, row);
    }
    db_reset(st);
    if (rc < 0)
        goto fail;
    if (db_prepare(req->db, sql_day_bookings, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, unit_id);
    db_bind_int64(st, 2, start);
    db_bind_int64(st, 3, end);
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t slot = db_column_int64(st, 0);
        const char *status = db_column_text(st, 1);
        const char *given = db_column_text(st, 4), *family = db_column_text(st, 5);
        const char *name = *given || *family        ? arena_printf(req->arena, "%s %s", given, family)
                           : *db_column_text(st, 2) ? db_column_text(st, 2)
                                                    : db_column_text(st, 3);
        int64_t app_id = db_column_int64(st, 8);
        json_t *b = json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", name, "email", db_column_text(st, 3), "service",
                              db_column_text(st, 6), "status",
                              appt_tr(req, !strcmp(status, "abgesagt_amt") ? N_("vom Amt abgesagt")
                                           : !strcmp(status, "abgesagt")   ? N_("abgesagt")
                                                                           : N_("gebucht")),
                              "active", strncmp(status, "abgesagt", 8) != 0);
        if (app_id > 0) {
            json_object_set_new(b, "reference", json_string(db_column_text(st, 7)));
            json_object_set_new(b, "case_href", json_sprintf("/verwaltung/vorgaenge/%lld", (long long)app_id));
        }
        size_t i;
        json_t *row;
        int placed = 0;
        json_array_foreach(rows, i, row)
        {
            if (json_integer_value(json_object_get(row, "id")) == slot) {
                json_array_append_new(json_object_get(row, "bookings"), b);
                placed = 1;
                break;
            }
        }
        if (!placed)
            json_decref(b);
    }
    db_reset(st);
    if (rc < 0)
        goto fail;
    return http_render(req, 200, "services/appointments/day", model);
fail:
    json_decref(model);
    return 503;
}

/* ---- POST /verwaltung/termine/:id/absagen ------------------------------------------ */

static const char sql_slot[] =
    "SELECT unit_id, starts_at, COALESCE(cancelled_at, 0) FROM appointment_slots WHERE id = $1";
static const char sql_cancel_slot[] = "UPDATE appointment_slots SET cancelled_at = $2, cancelled_by = $3, booked = 0 "
                                      "WHERE id = $1 AND cancelled_at IS NULL";
static const char sql_slot_bookings[] =
    "SELECT b.id, b.user_id, COALESCE(b.application_id, 0), s.name FROM appointment_bookings b"
    " JOIN services s ON s.id = b.service_id WHERE b.slot_id = $1 AND b.status = 'gebucht' ORDER BY b.id";
static const char sql_cancel_bookings[] =
    "UPDATE appointment_bookings SET status = 'abgesagt_amt', cancelled_at = $2, sequence = sequence + 1"
    " WHERE slot_id = $1 AND status = 'gebucht'";

int appt_admin_cancel_slot(http_req_t *req)
{
    int64_t id = appt_parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_slot, &st) != 0)
        return 503;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    int64_t unit_id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    int64_t starts_at = rc == DB_ROW ? db_column_int64(st, 1) : 0;
    db_reset(st);
    if (rc < 0)
        return 503;
    if (rc != DB_ROW || !auth_has_permission_in_unit(req, PERM_APPOINTMENTS, unit_id))
        return 404;
    char day[11];
    appt_iso_date(starts_at, day);
    const char *back =
        arena_printf(req->arena, "/verwaltung/termine/tag?datum=%s&einheit=%lld", day, (long long)unit_id);
    const char *reason = http_form(req, "grund");
    if (reason && utf8_length(reason, strlen(reason)) > APPT_REASON_MAX)
        return appt_message(req, 422, N_("Zeitfenster absagen"),
                            N_("Der Grund ist zu lang: höchstens 500 Zeichen. Das Zeitfenster ist nicht abgesagt."),
                            back, N_("Zurück zur Tagesliste"));
    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(req->db) != 0)
        return 503;
    /* Who booked, read before the change (the statements below reuse the
     * connection). */
    typedef struct {
        int64_t id, user_id, app_id;
        const char *service;
    } booked_t;
    booked_t *list = NULL;
    size_t n = 0, cap = 0;
    if (db_prepare(req->db, sql_slot_bookings, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            booked_t *grown = arena_alloc(req->arena, ncap * sizeof(*grown));
            if (n)
                memcpy(grown, list, n * sizeof(*grown));
            list = grown;
            cap = ncap;
        }
        list[n].id = db_column_int64(st, 0);
        list[n].user_id = db_column_int64(st, 1);
        list[n].app_id = db_column_int64(st, 2);
        list[n].service = arena_strdup(req->arena, db_column_text(st, 3));
        n++;
    }
    db_reset(st);
    if (rc < 0)
        goto fail;
    if (db_prepare(req->db, sql_cancel_slot, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, req->user->id);
    rc = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (changed == 0) { /* cancelled already (a second click) */
        db_rollback(req->db);
        return http_redirect(req, 303, back);
    }
    if (db_prepare(req->db, sql_cancel_bookings, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (appt_booking_mail(req->db, req->cfg, req->arena, list[i].user_id, list[i].id, list[i].service, id,
                              "abgesagt_amt", reason) != 0)
            goto fail;
        if (list[i].app_id > 0 && application_event(req->db, list[i].app_id, req->user->id, "appointment", "gebucht",
                                                    "abgesagt_amt", "Termin vom Amt abgesagt", 0) != 0)
            goto fail;
    }
    char detail[64], actor[32], object[48];
    snprintf(detail, sizeof(detail), "{\"bookings\":%zu}", n);
    snprintf(actor, sizeof(actor), "user:%lld", (long long)req->user->id);
    snprintf(object, sizeof(object), "appointment_slot:%lld", (long long)id);
    if (audit_log(req->db, actor, "services.appointments.cancel_slot", object, detail, req->client_ip,
                  req->request_id) != 0)
        goto fail;
    if (db_commit(req->db) != 0)
        goto fail;
    jobs_wake();
    return http_redirect(req, 303, arena_printf(req->arena, "%s&abgesagt=1", back));
fail:
    db_rollback(req->db);
    return 503;
}
