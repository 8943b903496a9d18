/* zweck.c — Zweckentfremdung (misuse of housing, Mainz): what happens after a
 * permit to let a flat to holiday guests is granted.
 *
 * The permit application and the anonymous report are ordinary forms
 * (data/services/forms/zweckentfremdung-*.json) that the applications flow runs
 * and the Bauamt handles in its inbox. This file adds what those do not have:
 *
 *   - zweck_status_changed: when a case of the workflow "zweckentfremdung"
 *     reaches 'entschieden' (granted), the flat gets a registration number
 *     (MZ-ZE-2026-0042, the idea of Berlin's §5a ZwVbG: it must appear in every
 *     listing), with the permitted nights per calendar year and the period read
 *     from the application's answers; the owner reads it in the message of the decision.
 *   - GET /zweckentfremdung: the rules in plain language, the ways to apply and
 *     to report, and the signed-in owner's registrations.
 *   - GET /zweckentfremdung/pruefen: whether a number is valid today — for
 *     neighbours and platforms, and nothing more (also as JSON).
 *   - GET /verwaltung/zweckentfremdung: the registrations of the staff member's
 *     units with the nights used this year, those over their limit first.
 *   - the owner's ledger of stays is in zweck_ledger.c, the calendar arithmetic
 *     in zweck_nights.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/account.h"
#include "modules/services/internal.h"
#include "modules/services/services.h"
#include "view/i18n.h"
#include "web/auth.h"

#define ZWECK_FREE_NIGHTS 84       /* 12 weeks a year need no permit (ZwEWS Mainz) */
#define ZWECK_NIGHTS_MAX 366       /* no year has more */
#define ZWECK_DEFAULT_YEARS 5      /* a permit without an end date in its answers */
#define ZWECK_MAX_YEARS 10         /* no permit runs longer (the ledger lists its years) */
#define ZWECK_ADDRESS_MAX 300      /* bytes of the flat's address kept */
#define ZWECK_OWN_MAX 100          /* registrations listed for one owner */
#define ZWECK_STAFF_PAGE 100       /* rows per page of the staff list */
#define ZWECK_STAFF_PAGES_MAX 1000 /* ?seite= beyond this is refused */
#define ZWECK_STAFF_UNITS 8        /* units one staff list covers (placeholders in the SQL below) */

/* ---- reading the application's answers --------------------------------------------- */

/* The text of answer name: a string as it is, a number in decimal, an address
 * object (street, house number, postcode, city, in German or English keys) as
 * one line. "" when absent. */
static const char *answer_text(arena_t *arena, const json_t *answers, const char *name)
{
    const json_t *v = json_object_get(answers, name);
    if (json_is_string(v))
        return arena_strdup(arena, json_string_value(v));
    if (json_is_integer(v))
        return arena_printf(arena, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return arena_printf(arena, "%.0f", json_real_value(v));
    if (!json_is_object(v))
        return "";
    static const char *const keys[][2] = {
        {"street", "strasse"}, {"house_number", "hausnummer"}, {"postcode", "plz"}, {"city", "ort"}};
    const char *part[4];
    for (size_t i = 0; i < 4; i++) {
        const char *s = json_string_value(json_object_get(v, keys[i][0]));
        if (!s)
            s = json_string_value(json_object_get(v, keys[i][1]));
        part[i] = s ? s : "";
    }
    return arena_printf(arena, "%s%s%s%s%s%s%s", part[0], *part[1] ? " " : "", part[1],
                        (*part[0] || *part[1]) && (*part[2] || *part[3]) ? ", " : "", part[2],
                        *part[2] && *part[3] ? " " : "", part[3]);
}

/* The flat's address as one line: the address field, or its parts when the
 * form asks for them one by one; the floor or position appended. */
static const char *flat_address(arena_t *arena, const json_t *answers)
{
    const char *address = answer_text(arena, answers, "wohnung_adresse");
    if (!*address) {
        const char *street = answer_text(arena, answers, "wohnung_strasse");
        const char *number = answer_text(arena, answers, "wohnung_hausnummer");
        const char *postcode = answer_text(arena, answers, "wohnung_plz");
        const char *city = answer_text(arena, answers, "wohnung_ort");
        address = arena_printf(arena, "%s%s%s%s%s%s%s", street, *number ? " " : "", number,
                               (*street || *number) && (*postcode || *city) ? ", " : "", postcode,
                               *postcode && *city ? " " : "", city);
    }
    const char *position = answer_text(arena, answers, "wohnung_lage");
    if (*position)
        address = arena_printf(arena, "%s (%s)", address, position);
    if (strlen(address) > ZWECK_ADDRESS_MAX) {
        /* Cut at a character boundary, not inside a UTF-8 sequence. */
        size_t n = ZWECK_ADDRESS_MAX;
        while (n > 0 && ((unsigned char)address[n] & 0xC0) == 0x80)
            n--;
        address = arena_strndup(arena, address, n);
    }
    return address;
}

/* ---- the registration, when the permit is granted ------------------------------------ */

static const char sql_registration_of_app[] = "SELECT number FROM zweck_registrations WHERE application_id = $1";

/* One counter row per year in the shared reference_counters table; the prefix
 * cannot meet the applications' "MZ-2026". The row lock held until commit keeps
 * the numbers unique and without gaps. */
static const char sql_next_number[] =
    "INSERT INTO reference_counters (prefix, last_value) VALUES ($1, 1)"
    " ON CONFLICT (prefix) DO UPDATE SET last_value = reference_counters.last_value + 1"
    " RETURNING last_value";

static const char sql_registration_insert[] =
    "INSERT INTO zweck_registrations (application_id, number, unit_id, user_id, address, nights_per_year,"
    " valid_from, valid_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)";

const char *zweck_registration_number(db_t *db, arena_t *arena, int64_t app_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_registration_of_app, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, app_id);
    const char *number = NULL;
    if (db_step(st) == DB_ROW)
        number = arena_strdup(arena, db_column_text(st, 0));
    db_reset(st);
    return number;
}

/* The permitted nights from the answers. The form asks for more than 84 (below
 * that no permit is needed) and at most 366; a definition changed later could
 * deliver something else, which is kept within a year's nights rather than
 * failing the decision. */
static int64_t permitted_nights(arena_t *arena, const json_t *answers, int64_t app_id)
{
    const char *text = answer_text(arena, answers, "naechte_pro_jahr");
    char *end = NULL;
    long long n = *text ? strtoll(text, &end, 10) : 0;
    if (!*text || !end || *end || n < 1) {
        log_msg(LOG_WARN, "zweck: application %lld has no usable naechte_pro_jahr ('%s'); permit set to %d nights",
                (long long)app_id, text, ZWECK_FREE_NIGHTS);
        return ZWECK_FREE_NIGHTS;
    }
    return n > ZWECK_NIGHTS_MAX ? ZWECK_NIGHTS_MAX : n;
}

/* The period the permit covers: from the first day asked for (not before the
 * decision: a permit does not reach back), to the last day asked for, or
 * ZWECK_DEFAULT_YEARS when none was given; never more than ZWECK_MAX_YEARS. */
static void permit_period(arena_t *arena, const json_t *answers, int64_t decided, int64_t *from, int64_t *until)
{
    int y, m, d;
    int64_t start;
    if (zweck_parse_day(answer_text(arena, answers, "zeitraum_von"), &start) != 0 || start < decided)
        start = decided;
    zweck_civil_from_day(start, &y, &m, &d);
    /* The same calendar day n years later, less one (29 February → 28 February). */
    int64_t longest = zweck_day_from_civil(y + ZWECK_MAX_YEARS, m, m == 2 && d == 29 ? 28 : d) - 1;
    int64_t end;
    if (zweck_parse_day(answer_text(arena, answers, "zeitraum_bis"), &end) != 0 || end < start)
        end = zweck_day_from_civil(y + ZWECK_DEFAULT_YEARS, m, m == 2 && d == 29 ? 28 : d) - 1;
    *from = start;
    *until = end < longest ? end : longest;
}

int zweck_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *from,
                         const char *to, const char **note)
{
    (void)from;
    if (strcmp(to, "entschieden") != 0)
        return 0;
    /* A case may come back to 'entschieden' (after a Rückfrage on the notice):
     * the flat keeps the number it has. */
    db_stmt_t *st;
    if (db_prepare(db, sql_registration_of_app, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app->id);
    int rc = db_step(st);
    db_reset(st);
    if (rc == DB_ROW)
        return 0;
    if (rc != DB_DONE)
        return -1;

    json_error_t jerr;
    json_t *answers = json_loads(app->data, 0, &jerr);
    if (!json_is_object(answers)) {
        log_msg(LOG_ERROR, "zweck: application %lld: answers are not a JSON object: %s", (long long)app->id, jerr.text);
        json_decref(answers);
        return -1;
    }
    int64_t now = (int64_t)time(NULL);
    const char *address = flat_address(arena, answers);
    int64_t nights = permitted_nights(arena, answers, app->id);
    int64_t valid_from, valid_until;
    permit_period(arena, answers, zweck_day_of_time(now), &valid_from, &valid_until);
    json_decref(answers);

    char prefix[24];
    snprintf(prefix, sizeof(prefix), "MZ-ZE-%04d", zweck_year_of_day(zweck_day_of_time(now)));
    if (db_prepare(db, sql_next_number, &st) != 0)
        return -1;
    db_bind_text(st, 1, prefix, -1);
    const char *number = NULL;
    if (db_step(st) == DB_ROW)
        number = arena_printf(arena, "%s-%04lld", prefix, (long long)db_column_int64(st, 0));
    db_reset(st);
    if (!number)
        return -1;

    if (db_prepare(db, sql_registration_insert, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app->id);
    db_bind_text(st, 2, number, -1);
    db_bind_int64(st, 3, app->unit_id);
    if (app->user_id > 0)
        db_bind_int64(st, 4, app->user_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, address, -1);
    db_bind_int64(st, 6, nights);
    db_bind_int64(st, 7, valid_from);
    db_bind_int64(st, 8, valid_until);
    db_bind_int64(st, 9, now);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return -1;

    char first[ZWECK_DAY_TEXT], last[ZWECK_DAY_TEXT];
    zweck_day_format(valid_from, 1, first);
    zweck_day_format(valid_until, 1, last);
    const char *event = arena_printf(arena, "Registriernummer %s vergeben: %lld Nächte im Kalenderjahr, vom %s bis %s.",
                                     number, (long long)nights, first, last);
    if (application_event(db, app->id, 0, "registrierung", "", number, event, 0) != 0)
        return -1;
    /* Part of the message that tells of the decision (case_set_status): the
     * Postfach is where the owner finds the number again. German like every
     * letter of the office. */
    *note = arena_printf(
        arena,
        "Ihre Genehmigung ist erteilt. Die Registriernummer Ihrer Ferienwohnung lautet:\n\n%s\n\n"
        "Geben Sie diese Nummer in jeder Anzeige der Wohnung an, auch auf Vermietungsplattformen.\n\n"
        "Sie dürfen die Wohnung bis zu %lld Nächte im Kalenderjahr an Feriengäste vermieten, vom %s bis %s. "
        "Tragen Sie bitte jeden Aufenthalt in Ihren Belegungsnachweis ein:\n%s/zweckentfremdung/%s",
        number, (long long)nights, first, last, cfg->base_url, number);
    return 0;
}

/* ---- nights of a year, in SQL ------------------------------------------------------------ */

/* The nights of registration r.id whose evening lies in [from, to) (the first
 * day of a year and of the next; SQL parameters): each stay clipped to the
 * year. CASE rather than GREATEST/LEAST, which SQLite does not have. */
#define NIGHTS_IN_YEAR_SQL(from, to)                                                                                   \
    "COALESCE((SELECT SUM((CASE WHEN s.departure < " to " THEN s.departure ELSE " to " END)"                           \
    " - (CASE WHEN s.arrival > " from " THEN s.arrival ELSE " from " END)) FROM zweck_stays s"                         \
    " WHERE s.registration_id = r.id AND s.deleted_at IS NULL AND s.arrival < " to " AND s.departure > " from "), 0)"

/* One registration as a list row: number, address, nights used in the year,
 * permitted, remaining, over, validity. */
static json_t *registration_row(db_stmt_t *st, int german, int64_t today)
{
    int64_t used = db_column_int64(st, 3), permitted = db_column_int64(st, 2);
    int64_t valid_from = db_column_int64(st, 4), valid_until = db_column_int64(st, 5);
    char from[ZWECK_DAY_TEXT], until[ZWECK_DAY_TEXT];
    zweck_day_format(valid_from, german, from);
    zweck_day_format(valid_until, german, until);
    const char *number = db_column_text(st, 0);
    json_t *row = json_object();
    json_object_set_new(row, "number", json_string(number));
    json_object_set_new(row, "href", json_sprintf("/zweckentfremdung/%s", number));
    json_object_set_new(row, "address", json_string(db_column_text(st, 1)));
    json_object_set_new(row, "permitted", json_integer(permitted));
    json_object_set_new(row, "nights", json_integer(used));
    json_object_set_new(row, "remaining", json_integer(used < permitted ? permitted - used : 0));
    json_object_set_new(row, "exceeded", json_boolean(used > permitted));
    json_object_set_new(row, "over", json_integer(used > permitted ? used - permitted : 0));
    json_object_set_new(row, "valid_from", json_string(from));
    json_object_set_new(row, "valid_until", json_string(until));
    json_object_set_new(row, "valid", json_boolean(today >= valid_from && today <= valid_until));
    return row;
}

static int is_german(const http_req_t *req)
{
    return strcmp(req->lang, "en") != 0;
}

/* ---- GET /zweckentfremdung ---------------------------------------------------------------- */

static const char sql_own_registrations[] = "SELECT r.number, r.address, r.nights_per_year, " NIGHTS_IN_YEAR_SQL(
    "$2", "$3") ", r.valid_from, r.valid_until"
                " FROM zweck_registrations r WHERE r.user_id = $1 ORDER BY r.id LIMIT $4";

static int zweck_home(http_req_t *req)
{
    int64_t today = zweck_day_of_time((int64_t)time(NULL));
    int year = zweck_year_of_day(today);
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(i18n_translate(req->lang, "Ferienwohnungen")));
    json_object_set_new(model, "year", json_integer(year));
    json_object_set_new(model, "signed_in", json_boolean(req->user != NULL));
    /* The Bauamt's way to its list: this page is where the topic lives. */
    json_object_set_new(model, "staff", json_boolean(req->user && auth_has_permission(req, PERM_CASE_READ)));
    json_t *rows = json_array();
    json_object_set_new(model, "registrations", rows);
    if (req->user) {
        db_stmt_t *st;
        if (db_prepare(req->db, sql_own_registrations, &st) != 0) {
            json_decref(model);
            return 503;
        }
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, zweck_day_from_civil(year, 1, 1));
        db_bind_int64(st, 3, zweck_day_from_civil(year + 1, 1, 1));
        db_bind_int64(st, 4, ZWECK_OWN_MAX);
        int rc;
        while ((rc = db_step(st)) == DB_ROW)
            json_array_append_new(rows, registration_row(st, is_german(req), today));
        db_reset(st);
        if (rc < 0) {
            json_decref(model);
            return rc == DB_ECONN ? 503 : 500;
        }
    }
    return http_render(req, 200, "services/zweck/home", model);
}

/* ---- the public check ------------------------------------------------------------------------ */

static const char sql_number_valid[] =
    "SELECT COUNT(*) FROM zweck_registrations WHERE number = $1 AND valid_from <= $2 AND valid_until >= $2";

/* 1 when number (normalised) names a registration that covers today, 0 when
 * not, < 0 on a database error. */
static int number_is_valid(db_t *db, const char *number)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_number_valid, &st) != 0)
        return -1;
    db_bind_text(st, 1, number, -1);
    db_bind_int64(st, 2, zweck_day_of_time((int64_t)time(NULL)));
    int rc = db_step(st);
    int64_t n = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW)
        return rc == DB_ECONN ? -2 : -1;
    return n > 0;
}

/* GET /zweckentfremdung/pruefen?nummer=… — says "valid" or "not valid", nothing
 * about the flat or its owner. A GET form, so the answer can be bookmarked and
 * the page works without a session. */
static int zweck_check_page(http_req_t *req)
{
    const char *typed = http_query(req, "nummer");
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(i18n_translate(req->lang, "Registriernummer prüfen")));
    const char *error = NULL;
    if (typed && strlen(typed) > 200) {
        error = N_("Die Eingabe ist zu lang. Eine Registriernummer hat höchstens 24 Zeichen.");
        typed = "";
    } else if (typed && !*typed) {
        error = N_("Bitte geben Sie eine Registriernummer ein.");
    } else if (typed) {
        const char *number = zweck_number_normalise(req->arena, typed);
        if (!number) {
            error = N_("Das ist keine Registriernummer. Eine Registriernummer sieht so aus: MZ-ZE-2026-0042.");
        } else {
            int valid = number_is_valid(req->db, number);
            if (valid < 0) {
                json_decref(model);
                return valid == -2 ? 503 : 500;
            }
            json_object_set_new(model, "result", json_pack("{s:s,s:b}", "number", number, "valid", valid));
        }
    }
    json_t *field = http_field("nummer", i18n_translate(req->lang, "Registriernummer"), typed ? typed : "",
                               error ? i18n_translate(req->lang, error) : NULL);
    json_object_set_new(field, "hint", json_string(i18n_translate(req->lang, "Zum Beispiel MZ-ZE-2026-0042")));
    json_object_set_new(field, "maxlength", json_integer(ZWECK_NUMBER_MAX));
    json_object_set_new(field, "autocomplete", json_string("off"));
    if (error)
        json_object_set_new(
            model, "errors",
            json_pack("[{s:O,s:O}]", "id", json_object_get(field, "id"), "message", json_object_get(field, "error")));
    json_object_set_new(model, "field", field);
    return http_render(req, 200, "services/zweck/check", model);
}

/* GET /api/v1/zweckentfremdung/pruefen?nummer=… → {"number": …, "valid": bool}
 * for platforms that check a number before they publish a listing. */
static int zweck_check_api(http_req_t *req)
{
    const char *typed = http_query(req, "nummer");
    if (!typed || !*typed) {
        req->error_message = "the query parameter nummer is missing";
        return 400;
    }
    const char *number = zweck_number_normalise(req->arena, typed);
    if (!number)
        return http_json(req, 200, json_pack("{s:s,s:b}", "number", "", "valid", 0));
    int valid = number_is_valid(req->db, number);
    if (valid < 0)
        return valid == -2 ? 503 : 500;
    return http_json(req, 200, json_pack("{s:s,s:b}", "number", number, "valid", valid));
}

/* ---- GET /verwaltung/zweckentfremdung ------------------------------------------------------- */

/* Over the limit first, then by number; the staff member's units only. The
 * subquery gives the used nights a name the ORDER BY can use on both engines. */
#define STAFF_LIST_SELECT                                                                                              \
    "SELECT number, address, nights_per_year, used, valid_from, valid_until, application_id FROM"                      \
    " (SELECT r.number, r.address, r.nights_per_year, " NIGHTS_IN_YEAR_SQL(                                            \
        "$1", "$2") " AS used,"                                                                                        \
                    " r.valid_from, r.valid_until, r.application_id, r.id, r.unit_id FROM zweck_registrations r) t"
#define STAFF_LIST_ORDER " ORDER BY CASE WHEN used > nights_per_year THEN 0 ELSE 1 END, number LIMIT $3 OFFSET $4"

static const char sql_staff_all[] = STAFF_LIST_SELECT STAFF_LIST_ORDER;
static const char sql_staff_units[] =
    STAFF_LIST_SELECT " WHERE unit_id IN ($5, $6, $7, $8, $9, $10, $11, $12)" STAFF_LIST_ORDER;

/* The units in which the user may read cases: *everywhere = 1 for a global
 * grant; else up to ZWECK_STAFF_UNITS ids in units (the rest repeat the first,
 * or are -1 when there is none). */
static void staff_units(const http_req_t *req, int64_t units[ZWECK_STAFF_UNITS], int *everywhere)
{
    size_t n = 0;
    *everywhere = 0;
    for (size_t i = 0; i < req->user->grant_count; i++) {
        const http_grant_t *g = &req->user->grants[i];
        if (strcmp(g->permission, PERM_CASE_READ) != 0)
            continue;
        if (g->unit_id == 0) {
            *everywhere = 1;
            continue;
        }
        int seen = 0;
        for (size_t k = 0; k < n; k++)
            seen |= units[k] == g->unit_id;
        if (!seen && n < ZWECK_STAFF_UNITS)
            units[n++] = g->unit_id;
    }
    for (size_t k = n; k < ZWECK_STAFF_UNITS; k++)
        units[k] = n ? units[0] : -1;
}

/* A positive number of at most max from the query, or fallback. */
static long query_number(const http_req_t *req, const char *name, long min, long max, long fallback, int *bad)
{
    const char *v = http_query(req, name);
    if (!v)
        return fallback;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (!*v || !end || *end || n < min || n > max) {
        *bad = 1;
        return fallback;
    }
    return n;
}

static int zweck_staff_list(http_req_t *req)
{
    int64_t today = zweck_day_of_time((int64_t)time(NULL));
    int bad = 0;
    int year = (int)query_number(req, "jahr", ZWECK_YEAR_MIN, ZWECK_YEAR_MAX - 1, zweck_year_of_day(today), &bad);
    long page = query_number(req, "seite", 1, ZWECK_STAFF_PAGES_MAX, 1, &bad);
    if (bad) {
        req->error_message =
            i18n_translate(req->lang, "Die Adresse enthält ein ungültiges Jahr oder eine ungültige Seite.");
        return 400;
    }
    int64_t units[ZWECK_STAFF_UNITS];
    int everywhere;
    staff_units(req, units, &everywhere);
    db_stmt_t *st;
    if (db_prepare(req->db, everywhere ? sql_staff_all : sql_staff_units, &st) != 0)
        return 503;
    db_bind_int64(st, 1, zweck_day_from_civil(year, 1, 1));
    db_bind_int64(st, 2, zweck_day_from_civil(year + 1, 1, 1));
    db_bind_int64(st, 3, ZWECK_STAFF_PAGE + 1); /* one more: is there a next page? */
    db_bind_int64(st, 4, (page - 1) * ZWECK_STAFF_PAGE);
    if (!everywhere)
        for (int k = 0; k < ZWECK_STAFF_UNITS; k++)
            db_bind_int64(st, 5 + k, units[k]);
    json_t *rows = json_array();
    int rc, count = 0, exceeded = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (++count > ZWECK_STAFF_PAGE)
            break;
        json_t *row = registration_row(st, is_german(req), today);
        json_object_set_new(row, "case_href",
                            json_sprintf("/verwaltung/vorgaenge/%lld", (long long)db_column_int64(st, 6)));
        exceeded += json_is_true(json_object_get(row, "exceeded"));
        json_array_append_new(rows, row);
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(rows);
        return rc == DB_ECONN ? 503 : 500;
    }
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(i18n_translate(req->lang, "Ferienwohnungen mit Genehmigung")));
    json_object_set_new(model, "year", json_integer(year));
    json_object_set_new(model, "rows", rows);
    json_object_set_new(model, "exceeded_count", json_integer(exceeded));
    json_object_set_new(model, "previous_year", json_sprintf("/verwaltung/zweckentfremdung?jahr=%d", year - 1));
    json_object_set_new(model, "next_year", json_sprintf("/verwaltung/zweckentfremdung?jahr=%d", year + 1));
    if (count > ZWECK_STAFF_PAGE)
        json_object_set_new(model, "next",
                            json_sprintf("/verwaltung/zweckentfremdung?jahr=%d&seite=%ld", year, page + 1));
    if (page > 1)
        json_object_set_new(model, "previous",
                            json_sprintf("/verwaltung/zweckentfremdung?jahr=%d&seite=%ld", year, page - 1));
    return http_render(req, 200, "services/zweck/staff", model);
}

/* ---- privacy: the owner's share of "my data" ---------------------------------------------- */

static const char sql_export_registrations[] =
    "SELECT id, number, address, nights_per_year, valid_from, valid_until, created_at FROM zweck_registrations"
    " WHERE user_id = $1 ORDER BY id";
static const char sql_export_stays[] =
    "SELECT arrival, departure, guests, exceeded, created_at, COALESCE(deleted_at, 0) FROM zweck_stays"
    " WHERE registration_id = $1 ORDER BY arrival, id";

static json_t *iso_day(int64_t day)
{
    char text[ZWECK_DAY_TEXT];
    zweck_day_format(day, 0, text);
    return json_string(text);
}

static int export_stays(db_t *db, int64_t registration_id, json_t *out)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_export_stays, &st) != 0)
        return -1;
    db_bind_int64(st, 1, registration_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *stay = json_object();
        json_object_set_new(stay, "arrival", iso_day(db_column_int64(st, 0)));
        json_object_set_new(stay, "departure", iso_day(db_column_int64(st, 1)));
        json_object_set_new(stay, "guests", json_integer(db_column_int64(st, 2)));
        json_object_set_new(stay, "exceeded", json_boolean(db_column_int64(st, 3)));
        json_object_set_new(stay, "recorded_at", json_integer(db_column_int64(st, 4)));
        if (db_column_int64(st, 5))
            json_object_set_new(stay, "deleted_at", json_integer(db_column_int64(st, 5)));
        json_array_append_new(out, stay);
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

static int zweck_export(db_t *db, int64_t user_id, json_t *out)
{
    /* Collect the registrations first: the stays' query must not run while the
     * registrations' statement is still stepping on the same connection. */
    db_stmt_t *st;
    if (db_prepare(db, sql_export_registrations, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    json_t *list = json_array();
    json_t *ids = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *r = json_object();
        json_object_set_new(r, "number", json_string(db_column_text(st, 1)));
        json_object_set_new(r, "address", json_string(db_column_text(st, 2)));
        json_object_set_new(r, "nights_per_year", json_integer(db_column_int64(st, 3)));
        json_object_set_new(r, "valid_from", iso_day(db_column_int64(st, 4)));
        json_object_set_new(r, "valid_until", iso_day(db_column_int64(st, 5)));
        json_object_set_new(r, "created_at", json_integer(db_column_int64(st, 6)));
        json_array_append_new(list, r);
        json_array_append_new(ids, json_integer(db_column_int64(st, 0)));
    }
    db_reset(st);
    int result = rc == DB_DONE ? 0 : -1;
    for (size_t i = 0; result == 0 && i < json_array_size(ids); i++) {
        json_t *stays = json_array();
        json_object_set_new(json_array_get(list, i), "stays", stays);
        result = export_stays(db, json_integer_value(json_array_get(ids, i)), stays);
    }
    json_decref(ids);
    if (result != 0) {
        json_decref(list);
        return -1;
    }
    /* The account module files this under modules.zweckentfremdung. */
    json_object_set_new(out, "registrations", list);
    return 0;
}

/* What the deletion page says is kept (a plain-German line, as the account module shows it). */
static const char kept_text[] =
    N_("Registrierungen von Ferienwohnungen: Das Bauamt bewahrt sie als Teil der Genehmigung auf.");
static const char sql_erase_owner[] = "UPDATE zweck_registrations SET user_id = NULL WHERE user_id = $1";

/* The registrations and their ledgers belong to the permit, which the Bauamt
 * must keep; the account's link to them goes. */
static int zweck_erase(db_t *db, int64_t user_id, json_t *kept)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_erase_owner, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    if (changed > 0)
        json_array_append_new(kept, json_string(kept_text));
    return 0;
}

static const account_data_provider_t zweck_data_provider = {
    .module = "zweckentfremdung",
    .export_data = zweck_export,
    .erase_data = zweck_erase,
};

int zweck_init(void)
{
    return account_register_data_provider(&zweck_data_provider);
}

/* ---- the module ------------------------------------------------------------------------------ */

/* /zweckentfremdung/pruefen before /zweckentfremdung/:number: the first
 * matching route wins. */
static const route_t zweck_routes[] = {
    {"GET", "/zweckentfremdung", zweck_home, NULL, 0, 0},
    {"GET", "/zweckentfremdung/pruefen", zweck_check_page, NULL, 0, 0},
    {"GET", "/zweckentfremdung/:number", zweck_ledger_page, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/zweckentfremdung/:number/aufenthalte", zweck_stay_add, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/zweckentfremdung/:number/aufenthalte/:id/loeschen", zweck_stay_delete, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/verwaltung/zweckentfremdung", zweck_staff_list, PERM_CASE_READ, 0, 0},
    {"GET", "/api/v1/zweckentfremdung/pruefen", zweck_check_api, NULL, ROUTE_API, 0},
    {"GET", "/api/v1/zweckentfremdung/:number", zweck_ledger_api, AUTH_SIGNED_IN, ROUTE_API, 0},
};

const module_t zweck_module = {
    .name = "zweck",
    .title = N_("Ferienwohnungen"),
    .summary = N_("Ferienwohnung genehmigen lassen, Übernachtungen eintragen, Zweckentfremdung melden."),
    .home = "/zweckentfremdung",
    .nav_hidden = 1, /* the catalogue's two Zweckentfremdung services lead here */
    .nav_permission = NULL,
    .routes = zweck_routes,
    .route_count = sizeof(zweck_routes) / sizeof(zweck_routes[0]),
    .permissions = NULL,
    .permission_count = 0,
};
