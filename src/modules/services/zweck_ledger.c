/* zweck_ledger.c — the nights ledger (Belegungsnachweis) of one registered
 * holiday flat: the owner records every stay of holiday guests, sees the nights
 * per calendar year against the permitted ones, and is warned when a year goes
 * past them.
 *
 * The ledger is a record of facts: a stay that takes a year past the permitted
 * nights is still recorded, but flagged, and the Bauamt learns of it through
 * an entry in the history of the permit's case (visible in its case view). A
 * stay recorded by mistake can be taken back within ZWECK_DELETE_DAYS; it is
 * marked deleted, not removed, and the case history says so as well.
 *
 *   GET  /zweckentfremdung/:number                         the ledger (owner; staff of the unit read it)
 *   POST /zweckentfremdung/:number/aufenthalte             add a stay (owner)
 *   POST /zweckentfremdung/:number/aufenthalte/:id/loeschen take one back (owner)
 *   GET  /api/v1/zweckentfremdung/:number                  the same as JSON
 *
 * Anybody else gets 404 for a number, whether it exists or not. Calendar days
 * and nights are counted by zweck_nights.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/services/internal.h"
#include "view/i18n.h"
#include "web/auth.h"

#define ZWECK_STAYS_MAX 2000 /* stays per registration: a one-night stay every day for five years is 1826 */
#define ZWECK_GUESTS_MAX 50  /* guests of one stay */
#define ZWECK_DELETE_DAYS 14 /* a stay can be taken back this long after it was recorded */

typedef struct registration {
    int64_t id;
    int64_t application_id;
    int64_t unit_id;
    int64_t user_id; /* 0: the owner's account is gone */
    int64_t nights_per_year;
    int64_t valid_from;
    int64_t valid_until;
    const char *number;
    const char *address;
} registration_t;

enum viewer { VIEWER_OWNER = 1, VIEWER_STAFF = 2 };

typedef struct stay {
    int64_t id;
    int64_t arrival;
    int64_t departure;
    int64_t guests;
    int64_t exceeded;
    int64_t created_at;
} stay_t;

/* What the add form brought, kept for the page when it comes back. */
typedef struct stay_input {
    const char *arrival;
    const char *departure;
    const char *guests;
    const char *err_arrival; /* msgids, NULL: fine */
    const char *err_departure;
    const char *err_guests;
} stay_input_t;

static int is_german(const http_req_t *req)
{
    return strcmp(req->lang, "en") != 0;
}

static const char *day_text(arena_t *arena, int64_t day, int german)
{
    char text[ZWECK_DAY_TEXT];
    zweck_day_format(day, german, text);
    return arena_strdup(arena, text);
}

static int db_status(int rc)
{
    return rc == DB_ECONN ? 503 : 500;
}

/* ---- loading --------------------------------------------------------------------------- */

static const char sql_registration[] =
    "SELECT id, application_id, unit_id, COALESCE(user_id, 0), nights_per_year, valid_from, valid_until, number,"
    " address FROM zweck_registrations WHERE number = $1";

/* Finds the registration named by :number and decides who is looking. Returns 0
 * with *viewer set, or the HTTP status to answer: 404 for a number that does
 * not exist and for one the user may not see alike. */
static int load_registration(http_req_t *req, registration_t *reg, int *viewer)
{
    memset(reg, 0, sizeof(*reg));
    const char *number = zweck_number_normalise(req->arena, http_param(req, "number"));
    if (!number || !req->user)
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_registration, &st) != 0)
        return 503;
    db_bind_text(st, 1, number, -1);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        int64_t *ints[] = {&reg->id,         &reg->application_id, &reg->unit_id, &reg->user_id, &reg->nights_per_year,
                           &reg->valid_from, &reg->valid_until};
        for (int i = 0; i < 7; i++)
            *ints[i] = db_column_int64(st, i);
        reg->number = arena_strdup(req->arena, db_column_text(st, 7));
        reg->address = arena_strdup(req->arena, db_column_text(st, 8));
    }
    db_reset(st);
    if (rc == DB_DONE)
        return 404;
    if (rc != DB_ROW)
        return db_status(rc);
    if (reg->user_id > 0 && reg->user_id == req->user->id)
        *viewer = VIEWER_OWNER;
    else if (auth_has_permission_in_unit(req, PERM_CASE_READ, reg->unit_id))
        *viewer = VIEWER_STAFF;
    else
        return 404;
    return 0;
}

static const char sql_stays[] = "SELECT id, arrival, departure, guests, exceeded, created_at FROM zweck_stays"
                                " WHERE registration_id = $1 AND deleted_at IS NULL ORDER BY arrival, id LIMIT $2";

/* Every stay of the registration that is not taken back, by arrival; at most
 * ZWECK_STAYS_MAX, which adding refuses to go past. Returns 0 or an HTTP status. */
static int load_stays(http_req_t *req, int64_t registration_id, stay_t **out, size_t *count)
{
    size_t cap = 64, n = 0;
    stay_t *stays = arena_alloc(req->arena, cap * sizeof(*stays));
    db_stmt_t *st;
    if (db_prepare(req->db, sql_stays, &st) != 0)
        return 503;
    db_bind_int64(st, 1, registration_id);
    db_bind_int64(st, 2, ZWECK_STAYS_MAX);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            stay_t *bigger = arena_alloc(req->arena, 2 * cap * sizeof(*stays));
            memcpy(bigger, stays, n * sizeof(*stays));
            stays = bigger;
            cap *= 2;
        }
        stay_t *s = &stays[n++];
        s->id = db_column_int64(st, 0);
        s->arrival = db_column_int64(st, 1);
        s->departure = db_column_int64(st, 2);
        s->guests = db_column_int64(st, 3);
        s->exceeded = db_column_int64(st, 4);
        s->created_at = db_column_int64(st, 5);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_status(rc);
    *out = stays;
    *count = n;
    return 0;
}

/* The nights of stays[0..n) in year. */
static int64_t nights_in(const stay_t *stays, size_t n, int year)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += zweck_nights_in_year(stays[i].arrival, stays[i].departure, year);
    return total;
}

/* ---- the view model, shared by the page and the API ---------------------------------- */

/* The year the page shows: ?jahr= when it is one of the permit's years, else
 * this year, kept inside the permit's years. */
static int shown_year(const http_req_t *req, const registration_t *reg, int64_t today)
{
    int first = zweck_year_of_day(reg->valid_from), last = zweck_year_of_day(reg->valid_until);
    const char *q = http_query(req, "jahr");
    if (q) {
        char *end = NULL;
        long y = strtol(q, &end, 10);
        if (*q && end && !*end && y >= first && y <= last)
            return (int)y;
    }
    int year = zweck_year_of_day(today);
    return year < first ? first : year > last ? last : year;
}

/* {number, address, permitted, valid_from, valid_until, valid, years: [...],
 *  exceeded_years: [...], year, year_nights, year_remaining, stays: [...]} */
static json_t *ledger_json(http_req_t *req, const registration_t *reg, int viewer, const stay_t *stays, size_t n,
                           int year, int german)
{
    int64_t now = (int64_t)time(NULL);
    int64_t today = zweck_day_of_time(now);
    json_t *m = json_object();
    json_object_set_new(m, "number", json_string(reg->number));
    json_object_set_new(m, "address", json_string(reg->address));
    json_object_set_new(m, "permitted", json_integer(reg->nights_per_year));
    json_object_set_new(m, "valid_from", json_string(day_text(req->arena, reg->valid_from, german)));
    json_object_set_new(m, "valid_until", json_string(day_text(req->arena, reg->valid_until, german)));
    json_object_set_new(m, "valid", json_boolean(today >= reg->valid_from && today <= reg->valid_until));

    json_t *years = json_array(), *exceeded = json_array();
    int first = zweck_year_of_day(reg->valid_from), last = zweck_year_of_day(reg->valid_until);
    int64_t year_nights = 0;
    for (int y = first; y <= last; y++) {
        int64_t used = nights_in(stays, n, y);
        int64_t over = used > reg->nights_per_year ? used - reg->nights_per_year : 0;
        json_t *row = json_object();
        json_object_set_new(row, "year", json_integer(y));
        json_object_set_new(row, "nights", json_integer(used));
        json_object_set_new(row, "permitted", json_integer(reg->nights_per_year));
        json_object_set_new(row, "remaining", json_integer(over ? 0 : reg->nights_per_year - used));
        json_object_set_new(row, "exceeded", json_boolean(over > 0));
        json_object_set_new(row, "over", json_integer(over));
        json_object_set_new(row, "selected", json_boolean(y == year));
        json_object_set_new(row, "href", json_sprintf("/zweckentfremdung/%s?jahr=%d", reg->number, y));
        if (over)
            json_array_append(exceeded, row);
        if (y == year)
            year_nights = used;
        json_array_append_new(years, row);
    }
    json_object_set_new(m, "years", years);
    json_object_set_new(m, "exceeded_years", exceeded);
    json_object_set_new(m, "year", json_integer(year));
    json_object_set_new(m, "year_nights", json_integer(year_nights));
    json_object_set_new(m, "year_remaining",
                        json_integer(year_nights < reg->nights_per_year ? reg->nights_per_year - year_nights : 0));

    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const stay_t *s = &stays[i];
        int64_t in_year = zweck_nights_in_year(s->arrival, s->departure, year);
        if (!in_year)
            continue;
        const char *arrival = day_text(req->arena, s->arrival, german);
        const char *departure = day_text(req->arena, s->departure, german);
        int deletable = viewer == VIEWER_OWNER && s->created_at >= now - ZWECK_DELETE_DAYS * 86400;
        json_t *row = json_object();
        json_object_set_new(row, "id", json_integer(s->id));
        json_object_set_new(row, "arrival", json_string(arrival));
        json_object_set_new(row, "departure", json_string(departure));
        json_object_set_new(row, "nights", json_integer(s->departure - s->arrival));
        json_object_set_new(row, "nights_in_year", json_integer(in_year));
        json_object_set_new(row, "other_years", json_boolean(in_year != s->departure - s->arrival));
        json_object_set_new(row, "guests", json_integer(s->guests));
        json_object_set_new(row, "exceeded", json_boolean(s->exceeded));
        json_object_set_new(row, "recorded", json_string(application_date(req->arena, s->created_at, 0)));
        json_object_set_new(row, "deletable", json_boolean(deletable));
        if (deletable)
            json_object_set_new(
                row, "delete_action",
                json_sprintf("/zweckentfremdung/%s/aufenthalte/%lld/loeschen", reg->number, (long long)s->id));
        json_array_append_new(list, row);
    }
    json_object_set_new(m, "stays", list);
    return m;
}

/* A form field of the add form (the partials in templates/form), label and hint translated. */
static json_t *form_field(http_req_t *req, const char *name, const char *type, const char *label, const char *value,
                          const char *hint, const char *error, json_t *errors)
{
    json_t *f =
        http_field(name, i18n_translate(req->lang, label), value, error ? i18n_translate(req->lang, error) : NULL);
    json_object_set_new(f, "type", json_string(type));
    json_object_set_new(f, "required", json_true());
    if (hint)
        json_object_set_new(f, "hint", json_string(hint));
    if (error)
        json_array_append_new(
            errors, json_pack("{s:O,s:O}", "id", json_object_get(f, "id"), "message", json_object_get(f, "error")));
    return f;
}

/* Renders the ledger page: status 200, or 422 with the add form's errors, or
 * 409 with alert (a msgid) when an action could not be done. */
static int render_ledger(http_req_t *req, const registration_t *reg, int viewer, int status, const stay_input_t *in,
                         const char *alert)
{
    stay_t *stays = NULL;
    size_t n = 0;
    int rc = load_stays(req, reg->id, &stays, &n);
    if (rc)
        return rc;
    int german = is_german(req);
    int year = shown_year(req, reg, zweck_day_of_time((int64_t)time(NULL)));
    json_t *m = ledger_json(req, reg, viewer, stays, n, year, german);
    json_object_set_new(m, "title", json_sprintf("%s %s", i18n_translate(req->lang, "Belegungsnachweis"), reg->number));
    json_object_set_new(m, "is_owner", json_boolean(viewer == VIEWER_OWNER));
    json_object_set_new(m, "is_staff", json_boolean(viewer == VIEWER_STAFF));
    if (viewer == VIEWER_STAFF)
        json_object_set_new(m, "case_href", json_sprintf("/verwaltung/vorgaenge/%lld", (long long)reg->application_id));
    json_object_set_new(m, "added", json_boolean(status == 200 && http_query(req, "eingetragen")));
    json_object_set_new(m, "deleted", json_boolean(status == 200 && http_query(req, "geloescht")));
    if (alert)
        json_object_set_new(m, "refused", json_string(i18n_translate(req->lang, alert)));
    json_object_set_new(m, "full", json_boolean(n >= ZWECK_STAYS_MAX));
    if (viewer == VIEWER_OWNER && n < ZWECK_STAYS_MAX) {
        stay_input_t empty = {"", "", "1", NULL, NULL, NULL};
        if (!in)
            in = &empty;
        json_t *errors = json_array();
        const char *date_hint = i18n_translate(req->lang, "Der Tag, an dem die Gäste ankommen.");
        /* One after the other: the error summary lists them in the order of the form. */
        json_t *fields = json_array();
        json_array_append_new(
            fields, form_field(req, "anreise", "date", N_("Anreise"), in->arrival, date_hint, in->err_arrival, errors));
        json_array_append_new(
            fields,
            form_field(
                req, "abreise", "date", N_("Abreise"), in->departure,
                i18n_translate(req->lang, "Der Tag, an dem die Gäste abreisen. Die Nacht davor ist die letzte Nacht."),
                in->err_departure, errors));
        json_array_append_new(fields,
                              form_field(req, "gaeste", "text", N_("Anzahl der Gäste"), in->guests,
                                         i18n_translate(req->lang, "Eine Zahl von 1 bis 50."), in->err_guests, errors));
        json_object_set_new(json_array_get(fields, 2), "inputmode", json_string("numeric"));
        json_object_set_new(json_array_get(fields, 2), "maxlength", json_integer(3));
        json_object_set_new(m, "fields", fields);
        json_object_set_new(m, "can_add", json_true());
        json_object_set_new(m, "action", json_sprintf("/zweckentfremdung/%s/aufenthalte?jahr=%d", reg->number, year));
        if (json_array_size(errors))
            json_object_set_new(m, "errors", errors);
        else
            json_decref(errors);
    }
    return http_render(req, status, "services/zweck/ledger", m);
}

int zweck_ledger_page(http_req_t *req)
{
    registration_t reg;
    int viewer = 0;
    int rc = load_registration(req, &reg, &viewer);
    if (rc)
        return rc;
    return render_ledger(req, &reg, viewer, 200, NULL, NULL);
}

int zweck_ledger_api(http_req_t *req)
{
    registration_t reg;
    int viewer = 0;
    int rc = load_registration(req, &reg, &viewer);
    if (rc)
        return rc;
    stay_t *stays = NULL;
    size_t n = 0;
    rc = load_stays(req, reg.id, &stays, &n);
    if (rc)
        return rc;
    int year = shown_year(req, &reg, zweck_day_of_time((int64_t)time(NULL)));
    json_t *m = ledger_json(req, &reg, viewer, stays, n, year, 0);
    /* The page's links and form are no part of the API; every stay is. */
    json_t *years = json_object_get(m, "years");
    for (size_t i = 0; i < json_array_size(years); i++) {
        json_object_del(json_array_get(years, i), "href");
        json_object_del(json_array_get(years, i), "selected");
    }
    json_object_del(m, "exceeded_years");
    json_object_del(m, "year");
    json_object_del(m, "year_nights");
    json_object_del(m, "year_remaining");
    json_t *all = json_array();
    for (size_t i = 0; i < n; i++) {
        char arrival[ZWECK_DAY_TEXT], departure[ZWECK_DAY_TEXT];
        zweck_day_format(stays[i].arrival, 0, arrival);
        zweck_day_format(stays[i].departure, 0, departure);
        json_array_append_new(all, json_pack("{s:I,s:s,s:s,s:I,s:I,s:b,s:I}", "id", (json_int_t)stays[i].id, "arrival",
                                             arrival, "departure", departure, "nights",
                                             (json_int_t)(stays[i].departure - stays[i].arrival), "guests",
                                             (json_int_t)stays[i].guests, "exceeded", (int)stays[i].exceeded,
                                             "recorded_at", (json_int_t)stays[i].created_at));
    }
    json_object_set_new(m, "stays", all);
    return http_json(req, 200, m);
}

/* ---- adding a stay ----------------------------------------------------------------------- */

static const char sql_lock_registration[] = "UPDATE zweck_registrations SET updated_at = $2 WHERE id = $1";
static const char sql_count_stays[] =
    "SELECT COUNT(*) FROM zweck_stays WHERE registration_id = $1 AND deleted_at IS NULL";
/* Stays that share a night with [$2, $3), or lie in the years of it (same shape). */
static const char sql_stays_between[] =
    "SELECT arrival, departure FROM zweck_stays WHERE registration_id = $1 AND deleted_at IS NULL"
    " AND arrival < $3 AND departure > $2 ORDER BY arrival, id LIMIT $4";
/* Brings the permit's case back to the Bauamt's attention: the inbox shows a
 * case whose Wiedervorlage is due (and filters for it). An earlier date a
 * caseworker set stays. */
static const char sql_resubmit_now[] = "UPDATE applications SET resubmit_at = $2, updated_at = $2 WHERE id = $1"
                                       " AND (resubmit_at IS NULL OR resubmit_at > $2)";
static const char sql_insert_stay[] =
    "INSERT INTO zweck_stays (registration_id, arrival, departure, guests, exceeded, recorded_by, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";

/* Reads the guests field: 1 … ZWECK_GUESTS_MAX, digits only. */
static int parse_guests(const char *text, int64_t *out)
{
    if (!text || !*text || strlen(text) > 3)
        return -1;
    int64_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (*p - '0');
    }
    if (n < 1 || n > ZWECK_GUESTS_MAX)
        return -1;
    *out = n;
    return 0;
}

/* The checks that need the other stays, inside the write transaction: room in
 * the ledger, no shared night. Sets in->err_* and returns 1 when refused, 0
 * when fine, < 0 on a database error. */
static int check_against_ledger(http_req_t *req, const registration_t *reg, int64_t arrival, int64_t departure,
                                stay_input_t *in)
{
    int64_t count = 0;
    if (db_query_int64_arg(req->db, sql_count_stays, reg->id, &count) < 0)
        return -1;
    if (count >= ZWECK_STAYS_MAX) {
        in->err_arrival = N_("Ihr Belegungsnachweis ist voll. Bitte wenden Sie sich an das Bauamt.");
        return 1;
    }
    db_stmt_t *st;
    if (db_prepare(req->db, sql_stays_between, &st) != 0)
        return -1;
    db_bind_int64(st, 1, reg->id);
    db_bind_int64(st, 2, arrival);
    db_bind_int64(st, 3, departure);
    db_bind_int64(st, 4, 1);
    int rc = db_step(st);
    int64_t other_arrival = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    int64_t other_departure = rc == DB_ROW ? db_column_int64(st, 1) : 0;
    db_reset(st);
    if (rc < 0)
        return -1;
    if (rc == DB_ROW) {
        /* The message names the other stay, so the owner can find it. */
        int german = is_german(req);
        in->err_arrival = arena_printf(
            req->arena, "%s %s – %s.",
            i18n_translate(req->lang, "Dieser Aufenthalt überschneidet sich mit einem eingetragenen Aufenthalt:"),
            day_text(req->arena, other_arrival, german), day_text(req->arena, other_departure, german));
        return 1;
    }
    return 0;
}

/* After the new stay: the years it touches whose nights now pass the permit,
 * as "2026: 90 von 84 Nächten" (German, for the case history); "" when none.
 * *exceeded = 1 when there is one. */
static int years_over(http_req_t *req, const registration_t *reg, int64_t arrival, int64_t departure,
                      const char **summary, int *exceeded)
{
    int first = zweck_year_of_day(arrival), last = zweck_year_of_day(departure - 1);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_stays_between, &st) != 0)
        return -1;
    db_bind_int64(st, 1, reg->id);
    db_bind_int64(st, 2, zweck_day_from_civil(first, 1, 1));
    db_bind_int64(st, 3, zweck_day_from_civil(last + 1, 1, 1));
    db_bind_int64(st, 4, ZWECK_STAYS_MAX);
    size_t cap = ZWECK_STAYS_MAX + 1, n = 0;
    zweck_stay_t *stays = arena_alloc(req->arena, cap * sizeof(*stays));
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < cap - 1) {
        stays[n].arrival = db_column_int64(st, 0);
        stays[n].departure = db_column_int64(st, 1);
        n++;
    }
    db_reset(st);
    if (rc < 0)
        return -1;
    stays[n].arrival = arrival;
    stays[n].departure = departure;
    n++;
    *summary = "";
    *exceeded = 0;
    for (int y = first; y <= last; y++) {
        int64_t used = zweck_nights_total(stays, n, y);
        if (used <= reg->nights_per_year)
            continue;
        *summary = arena_printf(req->arena, "%s%s%d: %lld von %lld erlaubten Nächten", *summary, **summary ? "; " : "",
                                y, (long long)used, (long long)reg->nights_per_year);
        *exceeded = 1;
    }
    return 0;
}

int zweck_stay_add(http_req_t *req)
{
    registration_t reg;
    int viewer = 0;
    int rc = load_registration(req, &reg, &viewer);
    if (rc)
        return rc;
    if (viewer != VIEWER_OWNER) {
        req->error_message =
            i18n_translate(req->lang, "Aufenthalte trägt nur die Eigentümerin oder der Eigentümer der Wohnung ein.");
        return 403;
    }
    stay_input_t in = {
        http_form(req, "anreise"), http_form(req, "abreise"), http_form(req, "gaeste"), NULL, NULL, NULL};
    in.arrival = in.arrival ? in.arrival : "";
    in.departure = in.departure ? in.departure : "";
    in.guests = in.guests ? in.guests : "";
    int64_t arrival = 0, departure = 0, guests = 0;
    if (!*in.arrival)
        in.err_arrival = N_("Bitte geben Sie den Tag der Anreise an.");
    else if (zweck_parse_day(in.arrival, &arrival) != 0)
        in.err_arrival = N_("Bitte geben Sie die Anreise als Datum an: Tag, Monat und Jahr.");
    if (!*in.departure)
        in.err_departure = N_("Bitte geben Sie den Tag der Abreise an.");
    else if (zweck_parse_day(in.departure, &departure) != 0)
        in.err_departure = N_("Bitte geben Sie die Abreise als Datum an: Tag, Monat und Jahr.");
    if (parse_guests(in.guests, &guests) != 0)
        in.err_guests = N_("Bitte geben Sie die Anzahl der Gäste als Zahl von 1 bis 50 an.");
    if (!in.err_arrival && !in.err_departure) {
        const char *field = NULL;
        const char *problem = zweck_stay_check(arrival, departure, zweck_day_of_time((int64_t)time(NULL)),
                                               reg.valid_from, reg.valid_until, &field);
        if (problem && field && !strcmp(field, "anreise"))
            in.err_arrival = problem;
        else if (problem)
            in.err_departure = problem;
    }
    if (in.err_arrival || in.err_departure || in.err_guests)
        return render_ledger(req, &reg, viewer, 422, &in, NULL);

    if (db_begin_write(req->db) != 0)
        return 503;
    int64_t now = (int64_t)time(NULL);
    /* The registration's row is the lock: two stays added at once cannot both
     * pass the overlap check (PostgreSQL row lock; SQLite has one writer). */
    db_stmt_t *st;
    if (db_prepare(req->db, sql_lock_registration, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, reg.id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    rc = check_against_ledger(req, &reg, arrival, departure, &in);
    if (rc < 0)
        goto fail;
    if (rc > 0) {
        db_rollback(req->db);
        return render_ledger(req, &reg, viewer, 422, &in, NULL);
    }
    const char *summary = "";
    int exceeded = 0;
    if (years_over(req, &reg, arrival, departure, &summary, &exceeded) != 0)
        goto fail;
    if (db_prepare(req->db, sql_insert_stay, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, reg.id);
    db_bind_int64(st, 2, arrival);
    db_bind_int64(st, 3, departure);
    db_bind_int64(st, 4, guests);
    db_bind_int64(st, 5, exceeded);
    db_bind_int64(st, 6, req->user->id);
    db_bind_int64(st, 7, now);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (exceeded) {
        /* The Bauamt's signal: the case is due for Wiedervorlage in its inbox,
         * and its history (staff only) says why. */
        if (db_prepare(req->db, sql_resubmit_now, &st) != 0)
            goto fail;
        db_bind_int64(st, 1, reg.application_id);
        db_bind_int64(st, 2, now);
        rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            goto fail;
        const char *text = arena_printf(
            req->arena,
            "Erlaubte Nächte überschritten (Ferienwohnung %s, %s): %s. Eingetragen wurde der Aufenthalt vom %s bis %s "
            "mit %lld Gästen. Der Vorgang ist zur Wiedervorlage fällig.",
            reg.number, reg.address, summary, day_text(req->arena, arrival, 1), day_text(req->arena, departure, 1),
            (long long)guests);
        if (application_event(req->db, reg.application_id, 0, "note", "", "", text, 1) != 0)
            goto fail;
    }
    if (db_commit(req->db) != 0)
        return 503;
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/zweckentfremdung/%s?jahr=%d&eingetragen=1", reg.number, zweck_year_of_day(arrival)));
fail:
    log_msg(LOG_ERROR, "zweck: adding a stay to %s failed: %s", reg.number, db_errmsg(req->db));
    db_rollback(req->db);
    return 503;
}

/* ---- taking a stay back ------------------------------------------------------------------- */

static const char sql_stay_of_registration[] =
    "SELECT arrival, departure, created_at FROM zweck_stays WHERE id = $1 AND registration_id = $2"
    " AND deleted_at IS NULL";
static const char sql_delete_stay[] =
    "UPDATE zweck_stays SET deleted_at = $2, deleted_by = $3 WHERE id = $1 AND deleted_at IS NULL";

int zweck_stay_delete(http_req_t *req)
{
    registration_t reg;
    int viewer = 0;
    int rc = load_registration(req, &reg, &viewer);
    if (rc)
        return rc;
    if (viewer != VIEWER_OWNER) {
        req->error_message =
            i18n_translate(req->lang, "Aufenthalte löscht nur die Eigentümerin oder der Eigentümer der Wohnung.");
        return 403;
    }
    const char *id_text = http_param(req, "id");
    char *end = NULL;
    long long stay_id = id_text ? strtoll(id_text, &end, 10) : 0;
    if (!id_text || !*id_text || !end || *end || stay_id <= 0)
        return 404;
    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(req->db) != 0)
        return 503;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_stay_of_registration, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, stay_id);
    db_bind_int64(st, 2, reg.id);
    rc = db_step(st);
    int64_t arrival = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    int64_t departure = rc == DB_ROW ? db_column_int64(st, 1) : 0;
    int64_t recorded = rc == DB_ROW ? db_column_int64(st, 2) : 0;
    db_reset(st);
    if (rc == DB_DONE) {
        db_rollback(req->db);
        return 404;
    }
    if (rc != DB_ROW)
        goto fail;
    if (recorded < now - ZWECK_DELETE_DAYS * 86400) {
        db_rollback(req->db);
        return render_ledger(
            req, &reg, viewer, 409, NULL,
            N_("Diesen Aufenthalt können Sie nicht mehr löschen: Er wurde vor mehr als 14 Tagen eingetragen."));
    }
    if (db_prepare(req->db, sql_delete_stay, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, stay_id);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, req->user->id);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    /* Taking a fact back is itself a fact the office should be able to see. */
    const char *text =
        arena_printf(req->arena, "Aufenthalt gelöscht (Ferienwohnung %s): vom %s bis %s, eingetragen am %s.",
                     reg.number, day_text(req->arena, arrival, 1), day_text(req->arena, departure, 1),
                     application_date(req->arena, recorded, 1));
    if (application_event(req->db, reg.application_id, 0, "note", "", "", text, 1) != 0)
        goto fail;
    if (db_commit(req->db) != 0)
        return 503;
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/zweckentfremdung/%s?jahr=%d&geloescht=1", reg.number, zweck_year_of_day(arrival)));
fail:
    log_msg(LOG_ERROR, "zweck: deleting stay %lld of %s failed: %s", stay_id, reg.number, db_errmsg(req->db));
    db_rollback(req->db);
    return 503;
}
