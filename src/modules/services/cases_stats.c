/* cases_stats.c — GET /verwaltung/vorgaenge/statistik: the figures of one unit
 * the caseworker may read: cases received per week (the last 12 weeks), open
 * cases by status, and the median processing time (submitted → closed) per
 * service over the last 90 days. Each is drawn as an SVG chart (view/svgchart.h)
 * and given as a table with the same figures.
 *
 * The SQL stays portable: the database counts per hour since the first week's
 * Monday (integer division), and C sorts the hours into weeks, because weeks
 * start at local midnight and daylight saving time moves that against UTC (by
 * whole hours, so hours never straddle two weeks). The median is computed in C
 * from the durations, which the database returns sorted per service.
 * Withdrawn cases are left out of the processing time: nobody processed them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/internal.h"
#include "view/i18n.h"
#include "view/svgchart.h"
#include "web/auth.h"

#define STATS_WEEKS 12
#define STATS_MEDIAN_DAYS 90
#define STATS_MAX_DURATIONS 1000000 /* closed cases one median run reads */
#define STATS_MAX_SERVICES 200      /* services the median table lists */

static const char sql_units[] = "SELECT id, name FROM units ORDER BY name, id";
static const char sql_incoming[] =
    "SELECT (submitted_at - $2) / 3600, COUNT(*) FROM applications"
    " WHERE unit_id = $1 AND submitted_at >= $2 AND submitted_at < $3 AND status <> 'entwurf' GROUP BY 1";
static const char sql_open[] =
    "SELECT a.status, s.workflow, COUNT(*) FROM applications a JOIN services s ON s.id = a.service_id"
    " WHERE a.unit_id = $1 AND a.closed_at IS NULL AND a.submitted_at IS NOT NULL AND a.status <> 'entwurf'"
    " GROUP BY a.status, s.workflow";
static const char sql_durations[] =
    "SELECT a.service_id, s.name, a.closed_at - a.submitted_at FROM applications a"
    " JOIN services s ON s.id = a.service_id"
    " WHERE a.unit_id = $1 AND a.closed_at >= $2 AND a.submitted_at IS NOT NULL AND a.status <> 'zurueckgezogen'"
    " ORDER BY a.service_id, a.closed_at - a.submitted_at LIMIT $3";

static const char *tr(const http_req_t *req, const char *msgid) { return i18n_translate(req->lang, msgid); }

/* The start of the Monday weeks_back weeks before this week's Monday (local). */
static int64_t monday(time_t now, int weeks_back)
{
    struct tm tm;
    localtime_r(&now, &tm);
    int since_monday = (tm.tm_wday + 6) % 7;
    tm.tm_mday -= since_monday + 7 * weeks_back;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

/* "1,5" (de) or "1.5" (en) */
static const char *decimal(http_req_t *req, double v)
{
    char *s = arena_printf(req->arena, "%.1f", v);
    if (strcmp(req->lang, "en") != 0)
        for (char *p = s; *p; p++)
            if (*p == '.')
                *p = ',';
    return s;
}

/* Adds {chart, rows, empty} under key: the SVG (may be absent when the chart
 * could not be drawn; the table still has every figure). */
static void add_chart(json_t *model, const char *key, const char *svg, json_t *rows)
{
    json_object_set_new(model, key, json_pack("{s:s?,s:o,s:b}", "chart", svg, "rows", rows, "empty",
                                              json_array_size(rows) == 0));
}

static int incoming(http_req_t *req, int64_t unit_id, json_t *model)
{
    int64_t bounds[STATS_WEEKS + 1];
    time_t now = time(NULL);
    for (int i = 0; i <= STATS_WEEKS; i++)
        bounds[i] = monday(now, STATS_WEEKS - 1 - i);
    int64_t counts[STATS_WEEKS] = {0};
    db_stmt_t *st;
    if (db_prepare(req->db, sql_incoming, &st) != 0)
        return -1;
    db_bind_int64(st, 1, unit_id);
    db_bind_int64(st, 2, bounds[0]);
    db_bind_int64(st, 3, bounds[STATS_WEEKS]);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t at = bounds[0] + db_column_int64(st, 0) * 3600;
        for (int w = 0; w < STATS_WEEKS; w++)
            if (at >= bounds[w] && at < bounds[w + 1])
                counts[w] += db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc < 0)
        return -1;
    svg_bar_t bars[STATS_WEEKS];
    json_t *rows = json_array();
    for (int w = 0; w < STATS_WEEKS; w++) {
        time_t t = (time_t)bounds[w];
        struct tm tm;
        localtime_r(&t, &tm);
        char week[8];
        strftime(week, sizeof(week), "%V", &tm);
        const char *label = arena_printf(req->arena, "%s %s", tr(req, N_("KW")), week);
        bars[w] = (svg_bar_t){label, (double)counts[w]};
        json_array_append_new(rows, json_pack("{s:s,s:s,s:I}", "label", label, "from",
                                              application_date(req->arena, bounds[w], 0), "count",
                                              (json_int_t)counts[w]));
    }
    add_chart(model, "incoming",
              svg_bar_chart(req->arena, tr(req, N_("Eingegangene Anträge pro Woche")), tr(req, N_("Anträge")), bars,
                            STATS_WEEKS),
              rows);
    return 0;
}

static int open_by_status(http_req_t *req, int64_t unit_id, json_t *model)
{
    const char *all[32];
    size_t n = workflow_statuses(NULL, all, 32);
    int64_t counts[32] = {0};
    db_stmt_t *st;
    if (db_prepare(req->db, sql_open, &st) != 0)
        return -1;
    db_bind_int64(st, 1, unit_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *status = db_column_text(st, 0);
        for (size_t i = 0; i < n; i++)
            if (status && strcmp(all[i], status) == 0)
                counts[i] += db_column_int64(st, 2);
    }
    db_reset(st);
    if (rc < 0)
        return -1;
    svg_bar_t bars[32];
    size_t nbars = 0;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        if (counts[i] == 0)
            continue;
        const char *label = tr(req, workflow_status_label(NULL, all[i]));
        bars[nbars++] = (svg_bar_t){label, (double)counts[i]};
        json_array_append_new(rows, json_pack("{s:s,s:I}", "label", label, "count", (json_int_t)counts[i]));
    }
    add_chart(model, "open",
              nbars ? svg_hbar_chart(req->arena, tr(req, N_("Offene Vorgänge nach Status")), tr(req, N_("Vorgänge")),
                                     bars, nbars)
                    : NULL,
              rows);
    return 0;
}

/* The median of sorted v[0..n). */
static double median(const int64_t *v, size_t n)
{
    return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
}

static int processing_time(http_req_t *req, int64_t unit_id, json_t *model)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_durations, &st) != 0)
        return -1;
    db_bind_int64(st, 1, unit_id);
    db_bind_int64(st, 2, (int64_t)time(NULL) - (int64_t)STATS_MEDIAN_DAYS * 86400);
    db_bind_int64(st, 3, STATS_MAX_DURATIONS);
    size_t cap = 1024, n = 0;
    int64_t *durations = malloc(cap * sizeof(*durations));
    svg_bar_t bars[STATS_MAX_SERVICES];
    size_t nbars = 0;
    json_t *rows = json_array();
    int64_t current = -1;
    const char *name = "";
    int rc, failed = durations == NULL;
    /* One pass: rows come grouped by service, durations sorted within. */
    for (;;) {
        rc = failed ? DB_ERROR : db_step(st);
        int64_t service = rc == DB_ROW ? db_column_int64(st, 0) : -2;
        if (service != current && n > 0 && nbars < STATS_MAX_SERVICES) {
            double days = median(durations, n) / 86400.0;
            bars[nbars++] = (svg_bar_t){name, days};
            json_array_append_new(rows, json_pack("{s:s,s:I,s:s}", "label", name, "count", (json_int_t)n, "days",
                                                  decimal(req, days)));
        }
        if (rc != DB_ROW)
            break;
        if (service != current) {
            current = service;
            n = 0;
            name = arena_strdup(req->arena, db_column_text(st, 1));
        }
        if (n == cap) {
            int64_t *grown = realloc(durations, 2 * cap * sizeof(*durations));
            if (!grown) {
                failed = 1;
                continue;
            }
            durations = grown;
            cap *= 2;
        }
        int64_t d = db_column_int64(st, 2);
        durations[n++] = d > 0 ? d : 0;
    }
    db_reset(st);
    free(durations);
    if (rc < 0) {
        json_decref(rows);
        return -1;
    }
    add_chart(model, "duration",
              nbars ? svg_hbar_chart(req->arena, tr(req, N_("Mittlere Bearbeitungszeit (Median) in Tagen")),
                                     tr(req, N_("Tage")), bars, nbars)
                    : NULL,
              rows);
    return 0;
}

/* GET /verwaltung/vorgaenge/statistik?einheit=ID */
int cases_stats_page(http_req_t *req)
{
    cases_scope_t scope;
    cases_scope(req, PERM_CASE_READ, &scope);
    const char *asked = http_query(req, "einheit");
    int64_t unit_id = asked && *asked ? cases_parse_id(asked) : 0;
    if (asked && *asked && (unit_id <= 0 || !cases_scope_has(&scope, unit_id)))
        return http_error(req, 404, N_("Diese Einheit gibt es nicht, oder Sie dürfen ihre Vorgänge nicht sehen."));

    /* The units to choose from; the first is shown until another is chosen. */
    json_t *field = cases_field(req, "einheit", N_("Einheit"), asked ? asked : "", NULL, NULL);
    json_object_set_new(field, "select", json_true());
    const char *unit_name = "";
    size_t units = 0;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_units, &st) != 0) {
        json_decref(field);
        return 503;
    }
    while (db_step(st) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        if (!cases_scope_has(&scope, id))
            continue;
        if (!unit_id)
            unit_id = id;
        if (id == unit_id)
            unit_name = arena_strdup(req->arena, db_column_text(st, 1));
        char value[24];
        snprintf(value, sizeof(value), "%lld", (long long)id);
        cases_option(field, value, db_column_text(st, 1), id == unit_id);
        units++;
    }
    db_reset(st);

    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(tr(req, N_("Statistik der Vorgänge"))));
    json_object_set_new(model, "unit", json_string(unit_name));
    json_object_set_new(model, "unit_form", units > 1 ? json_pack("{s:[o]}", "fields", field) : json_null());
    if (units <= 1)
        json_decref(field);
    json_object_set_new(model, "none", json_boolean(units == 0));
    if (units > 0 && (incoming(req, unit_id, model) != 0 || open_by_status(req, unit_id, model) != 0 ||
                      processing_time(req, unit_id, model) != 0)) {
        json_decref(model);
        return 503;
    }
    json_object_set_new(model, "median_days", json_integer(STATS_MEDIAN_DAYS));
    return http_render(req, 200, "services/cases/stats", model);
}
