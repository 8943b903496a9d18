/* cases_inbox.c — GET /verwaltung/vorgaenge: the inbox of the units whose cases
 * the caseworker may read, with filters, a count per status and keyset paging.
 *
 * One query fetches a page (50 cases and one more to know whether there is a
 * next page) with everything a row shows, joined in (service, assignee): no
 * query per row. Another counts the open cases per status for the filter chips.
 *
 * Paging is by keyset on (submitted_at, id), never by OFFSET: ?nach=T.ID means
 * "the cases after the one submitted at T with id ID" in the chosen order, so a
 * page deep in 100,000 cases costs what the first page costs, and a case that
 * arrives while someone pages is neither shown twice nor skipped. The query
 * takes the range as two bounds, (submitted_at, id) < hi and > lo; the cursor
 * and the age filter ("older than N days") both only narrow them.
 *
 * SQL text must be static (prepared statements are cached by its address), so
 * the variants an index needs are written out: one unit or several, with or
 * without a status, newest or oldest first (indexes in 002 and 005), with or
 * without the other filters (service, "mine", resubmission due), which are
 * conditions an unused parameter (0) switches off.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "modules/services/internal.h"
#include "view/i18n.h"
#include "web/auth.h"

#define INBOX_PAGE 50
#define INBOX_MAX_AGE_DAYS 3650
#define INBOX_MAX_SERVICES 2000 /* options the service filter lists */

#define INBOX_SELECT                                                                                          \
    "SELECT a.id, a.reference, a.status, a.summary, a.submitted_at, COALESCE(a.deadline_at, 0),"             \
    " COALESCE(a.resubmit_at, 0), a.unit_id, a.approval_status, s.name, s.workflow,"                         \
    " COALESCE(u.display_name, ''), COALESCE(a.assigned_to, 0), COALESCE(a.closed_at, 0)"                     \
    " FROM applications a JOIN services s ON s.id = a.service_id LEFT JOIN users u ON u.id = a.assigned_to" \
    " WHERE a.status <> 'entwurf'"
/* $1 the unit (or, for several units, 1 = every unit), $2..$5 the range. */
#define ONE_UNIT " AND a.unit_id = $1"
#define RANGE " AND (a.submitted_at, a.id) < ($2, $3) AND (a.submitted_at, a.id) > ($4, $5)"
/* The other filters, $6 service, $7 assignee, $8 resubmission due by: only in the
 * variants for them. Kept out of the plain ones, because a condition switched
 * off by a parameter makes PostgreSQL's generic plan guess "one row" and sort
 * the whole unit instead of walking the index; without them the plan it keeps
 * for a prepared statement is the index walk, and needs no planning each time. */
#define EXTRA                                                                                                 \
    " AND (a.service_id = $6 OR $6 = 0) AND (a.assigned_to = $7 OR $7 = 0) AND (a.resubmit_at <= $8 OR $8 = 0)"
#define STATUS_6 " AND a.status = $6"
#define STATUS_9 " AND a.status = $9"
/* Several units: $1 = 1 means every unit; else the list (unused places hold 0). */
#define UNITS_FROM_6 " AND ($1 = 1 OR a.unit_id IN ($6, $7, $8, $9, $10, $11, $12, $13))"
#define UNITS_FROM_7 " AND ($1 = 1 OR a.unit_id IN ($7, $8, $9, $10, $11, $12, $13, $14))"
#define UNITS_FROM_9 " AND ($1 = 1 OR a.unit_id IN ($9, $10, $11, $12, $13, $14, $15, $16))"
#define UNITS_FROM_10 " AND ($1 = 1 OR a.unit_id IN ($10, $11, $12, $13, $14, $15, $16, $17))"
#define NEWEST " ORDER BY a.submitted_at DESC, a.id DESC LIMIT 51"
#define OLDEST " ORDER BY a.submitted_at, a.id LIMIT 51"

/* inbox_sql[several units][status][other filters][oldest first]; the
 * parameters always come in this order: scope, range, other filters, status,
 * unit list (fetch_page binds them so). */
static const char *const inbox_sql[2][2][2][2] = {
    {
        {{INBOX_SELECT ONE_UNIT RANGE NEWEST, INBOX_SELECT ONE_UNIT RANGE OLDEST},
         {INBOX_SELECT ONE_UNIT RANGE EXTRA NEWEST, INBOX_SELECT ONE_UNIT RANGE EXTRA OLDEST}},
        {{INBOX_SELECT ONE_UNIT STATUS_6 RANGE NEWEST, INBOX_SELECT ONE_UNIT STATUS_6 RANGE OLDEST},
         {INBOX_SELECT ONE_UNIT STATUS_9 RANGE EXTRA NEWEST, INBOX_SELECT ONE_UNIT STATUS_9 RANGE EXTRA OLDEST}},
    },
    {
        {{INBOX_SELECT UNITS_FROM_6 RANGE NEWEST, INBOX_SELECT UNITS_FROM_6 RANGE OLDEST},
         {INBOX_SELECT UNITS_FROM_9 RANGE EXTRA NEWEST, INBOX_SELECT UNITS_FROM_9 RANGE EXTRA OLDEST}},
        {{INBOX_SELECT UNITS_FROM_7 STATUS_6 RANGE NEWEST, INBOX_SELECT UNITS_FROM_7 STATUS_6 RANGE OLDEST},
         {INBOX_SELECT UNITS_FROM_10 STATUS_9 RANGE EXTRA NEWEST, INBOX_SELECT UNITS_FROM_10 STATUS_9 RANGE EXTRA OLDEST}},
    },
};

/* The chips count the open cases per status (the work waiting): with the
 * status in the index, that reads only the index entries of open cases, which
 * stay few while closed ones pile up over the years. Closed statuses are
 * chips without a count. The open statuses are bound ($2…, unused places ''). */
#define OPEN_MAX 8
static const char sql_count_one[] =
    "SELECT status, COUNT(*) FROM applications WHERE unit_id = $1"
    " AND status IN ($2, $3, $4, $5, $6, $7, $8, $9) GROUP BY status";
static const char sql_count_many[] =
    "SELECT status, COUNT(*) FROM applications WHERE ($1 = 1 OR unit_id IN ($2, $3, $4, $5, $6, $7, $8, $9))"
    " AND status IN ($10, $11, $12, $13, $14, $15, $16, $17) GROUP BY status";

static const char sql_units[] = "SELECT id, name FROM units ORDER BY name, id";
static const char sql_services_one[] = "SELECT id, name FROM services WHERE unit_id = $1 ORDER BY name, id LIMIT $2";
static const char sql_services_all[] = "SELECT id, name, unit_id FROM services ORDER BY name, id LIMIT $1";

/* What the query string asks for, checked. */
typedef struct inbox_filter {
    const char *status;   /* "" or a status key */
    int64_t service_id;   /* 0: any */
    int64_t unit_id;      /* 0: every unit in scope */
    int64_t age_days;     /* 0: any age */
    int mine;             /* assigned to me */
    int resubmit_due;     /* Wiedervorlage fällig */
    int oldest_first;
    int has_cursor;
    int64_t cursor_at, cursor_id;
    /* Raw values to show again in the form. */
    const char *raw_service, *raw_unit, *raw_age;
} inbox_filter_t;

/* One form error: the field's name and the German message. */
typedef struct inbox_error {
    const char *field;
    const char *message;
} inbox_error_t;

/* "T.ID" with two decimal numbers → 0, else -1. */
static int parse_cursor(const char *s, int64_t *at, int64_t *id)
{
    const char *dot = s ? strchr(s, '.') : NULL;
    if (!dot || dot == s || dot - s > 18)
        return -1;
    char head[20];
    memcpy(head, s, (size_t)(dot - s));
    head[dot - s] = '\0';
    *at = cases_parse_id(head);
    *id = cases_parse_id(dot + 1);
    return *at > 0 && *id > 0 ? 0 : -1;
}

static int status_known(const char *status)
{
    const char *all[32];
    size_t n = workflow_statuses(NULL, all, 32);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i], status) == 0)
            return 1;
    return 0;
}

/* Reads and checks the query; errors go to err (at most 4). Returns 400 for a
 * cursor no page of ours makes, else 0. */
static int read_filter(http_req_t *req, const cases_scope_t *scope, inbox_filter_t *f, inbox_error_t *err,
                       size_t *nerr)
{
    memset(f, 0, sizeof(*f));
    *nerr = 0;
    const char *v = http_query(req, "status");
    f->status = v ? v : "";
    if (*f->status && !status_known(f->status)) {
        err[(*nerr)++] = (inbox_error_t){"status", N_("Diesen Status gibt es nicht. Bitte wählen Sie einen aus der Liste.")};
        f->status = "";
    }
    f->raw_service = http_query(req, "leistung") ? http_query(req, "leistung") : "";
    if (*f->raw_service && (f->service_id = cases_parse_id(f->raw_service)) <= 0)
        err[(*nerr)++] = (inbox_error_t){"leistung", N_("Bitte wählen Sie eine Leistung aus der Liste.")};
    f->raw_unit = http_query(req, "einheit") ? http_query(req, "einheit") : "";
    if (*f->raw_unit) {
        f->unit_id = cases_parse_id(f->raw_unit);
        if (f->unit_id <= 0 || !cases_scope_has(scope, f->unit_id)) {
            err[(*nerr)++] = (inbox_error_t){"einheit", N_("Bitte wählen Sie eine Einheit aus der Liste.")};
            f->unit_id = 0;
        }
    }
    f->raw_age = http_query(req, "aelter") ? http_query(req, "aelter") : "";
    if (*f->raw_age) {
        f->age_days = cases_parse_id(f->raw_age);
        if (f->age_days < 1 || f->age_days > INBOX_MAX_AGE_DAYS) {
            err[(*nerr)++] = (inbox_error_t){"aelter", N_("Bitte geben Sie eine ganze Zahl von 1 bis 3650 an.")};
            f->age_days = 0;
        }
    }
    v = http_query(req, "mir");
    f->mine = v && strcmp(v, "1") == 0;
    v = http_query(req, "wiedervorlage");
    f->resubmit_due = v && strcmp(v, "1") == 0;
    v = http_query(req, "sortierung");
    f->oldest_first = v && strcmp(v, "aelteste") == 0;
    v = http_query(req, "nach");
    if (v && *v) {
        if (parse_cursor(v, &f->cursor_at, &f->cursor_id) != 0)
            return 400;
        f->has_cursor = 1;
    }
    return 0;
}

/* The query string of the current filters, for links (chips, next page). All
 * values are digits or status keys checked above, so they need no escaping;
 * status NULL keeps the current one. */
static const char *filter_query(http_req_t *req, const inbox_filter_t *f, const char *status, int with_unit)
{
    buf_t b;
    buf_init(&b, req->arena, 128, 1024);
    status = status ? status : f->status;
    buf_puts(&b, "/verwaltung/vorgaenge?");
    if (*status)
        buf_appendf(&b, "status=%s&", status);
    if (f->service_id > 0)
        buf_appendf(&b, "leistung=%lld&", (long long)f->service_id);
    if (with_unit && f->unit_id > 0)
        buf_appendf(&b, "einheit=%lld&", (long long)f->unit_id);
    if (f->age_days > 0)
        buf_appendf(&b, "aelter=%lld&", (long long)f->age_days);
    if (f->mine)
        buf_puts(&b, "mir=1&");
    if (f->resubmit_due)
        buf_puts(&b, "wiedervorlage=1&");
    if (f->oldest_first)
        buf_puts(&b, "sortierung=aelteste&");
    b.data[--b.len] = '\0'; /* the last '&' or the '?' */
    return buf_cstr(&b);
}

/* The units the user may read, as {id, name}, for the unit filter and the unit
 * column; empty for someone who reads one unit only (neither is shown then). */
static json_t *scope_units(http_req_t *req, const cases_scope_t *scope)
{
    json_t *units = json_array();
    if (!scope->all && scope->count <= 1)
        return units;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_units, &st) != 0)
        return units;
    while (db_step(st) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        if (cases_scope_has(scope, id))
            json_array_append_new(units, json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", db_column_text(st, 1)));
    }
    db_reset(st);
    return units;
}

static const char *unit_name(json_t *units, int64_t id)
{
    for (size_t i = 0; i < json_array_size(units); i++) {
        json_t *u = json_array_get(units, i);
        if (json_integer_value(json_object_get(u, "id")) == id)
            return json_string_value(json_object_get(u, "name"));
    }
    return "";
}

/* The filter form's fields. */
static json_t *filter_fields(http_req_t *req, const inbox_filter_t *f, json_t *units, int64_t one_unit_id,
                             const inbox_error_t *err, size_t nerr)
{
    const char *error_of[6] = {0};
    static const char *const names[6] = {"status", "leistung", "einheit", "aelter", "mir", "wiedervorlage"};
    for (size_t i = 0; i < nerr; i++)
        for (size_t k = 0; k < 6; k++)
            if (strcmp(err[i].field, names[k]) == 0)
                error_of[k] = err[i].message;

    json_t *fields = json_array();
    json_t *status = cases_field(req, "status", N_("Status"), f->status, NULL, error_of[0]);
    json_object_set_new(status, "select", json_true());
    cases_option(status, "", cases_tr(req, N_("Alle")), !*f->status);
    const char *all[32];
    size_t n = workflow_statuses(NULL, all, 32);
    for (size_t i = 0; i < n; i++)
        cases_option(status, all[i], cases_tr(req, workflow_status_label(NULL, all[i])), strcmp(all[i], f->status) == 0);
    json_array_append_new(fields, status);

    json_t *service = cases_field(req, "leistung", N_("Leistung"), f->raw_service, NULL, error_of[1]);
    json_object_set_new(service, "select", json_true());
    cases_option(service, "", cases_tr(req, N_("Alle")), f->service_id == 0);
    db_stmt_t *st;
    int one = one_unit_id > 0;
    if (db_prepare(req->db, one ? sql_services_one : sql_services_all, &st) == 0) {
        if (one) {
            db_bind_int64(st, 1, one_unit_id);
            db_bind_int64(st, 2, INBOX_MAX_SERVICES);
        } else {
            db_bind_int64(st, 1, INBOX_MAX_SERVICES);
        }
        while (db_step(st) == DB_ROW) {
            if (!one && !*unit_name(units, db_column_int64(st, 2)))
                continue; /* a service of a unit outside the scope */
            char id[24];
            snprintf(id, sizeof(id), "%lld", (long long)db_column_int64(st, 0));
            cases_option(service, id, db_column_text(st, 1), db_column_int64(st, 0) == f->service_id);
        }
        db_reset(st);
    }
    json_array_append_new(fields, service);

    if (json_array_size(units) > 1) {
        json_t *unit = cases_field(req, "einheit", N_("Einheit"), f->raw_unit, NULL, error_of[2]);
        json_object_set_new(unit, "select", json_true());
        cases_option(unit, "", cases_tr(req, N_("Alle meine Einheiten")), f->unit_id == 0);
        size_t i;
        json_t *u;
        json_array_foreach(units, i, u)
        {
            char id[24];
            snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(u, "id")));
            cases_option(unit, id, json_string_value(json_object_get(u, "name")),
                         json_integer_value(json_object_get(u, "id")) == f->unit_id);
        }
        json_array_append_new(fields, unit);
    }

    json_t *age = cases_field(req, "aelter", N_("Eingegangen vor mehr als … Tagen"), f->raw_age,
                              N_("Eine ganze Zahl, zum Beispiel 14. Leer lassen: jedes Alter."), error_of[3]);
    json_object_set_new(age, "input", json_true());
    json_object_set_new(age, "inputmode", json_string("numeric"));
    json_object_set_new(age, "maxlength", json_integer(4));
    json_array_append_new(fields, age);

    json_t *mine = cases_field(req, "mir", N_("Nur mir zugewiesene Vorgänge"), "1", NULL, NULL);
    json_object_set_new(mine, "checkbox", json_true());
    json_object_set_new(mine, "checked", json_boolean(f->mine));
    json_array_append_new(fields, mine);

    json_t *due = cases_field(req, "wiedervorlage", N_("Nur Vorgänge mit fälliger Wiedervorlage"), "1", NULL, NULL);
    json_object_set_new(due, "checkbox", json_true());
    json_object_set_new(due, "checked", json_boolean(f->resubmit_due));
    json_array_append_new(fields, due);

    json_t *sort = cases_field(req, "sortierung", N_("Reihenfolge"), f->oldest_first ? "aelteste" : "neueste", NULL,
                               NULL);
    json_object_set_new(sort, "select", json_true());
    cases_option(sort, "neueste", cases_tr(req, N_("Neueste zuerst")), !f->oldest_first);
    cases_option(sort, "aelteste", cases_tr(req, N_("Älteste zuerst")), f->oldest_first);
    json_array_append_new(fields, sort);
    return fields;
}

/* Binds the unit list from position first on ($first … $first+7). */
static void bind_units(db_stmt_t *st, int first, const cases_scope_t *scope)
{
    for (int i = 0; i < CASES_MAX_UNITS; i++)
        db_bind_int64(st, first + i, (size_t)i < scope->count ? scope->units[i] : 0);
}

/* 1 when status ends a case in no workflow that has it (a case there is open). */
static int status_is_open(const char *status)
{
    const char *names[16];
    size_t n = workflow_names(names, 16);
    for (size_t i = 0; i < n; i++)
        if (workflow_known(names[i], status) && workflow_is_final(names[i], status))
            return 0;
    return 1;
}

/* ---- the chips' counts, kept for a moment ---------------------------------------- */

/* Counting a unit's open cases reads an index entry per open case, and on
 * PostgreSQL often the row too (the visibility of recently changed rows): a few
 * milliseconds for a busy unit, on every page of every caseworker. The counts
 * are therefore kept per scope for COUNTS_TTL_MS: a status change made here
 * forgets them at once (cases_counts_forget), a change on another node or a new
 * application shows in the chips at most that much later. The list of cases
 * itself is always read fresh. */
#define COUNTS_TTL_MS 2000
#define COUNTS_SLOTS 64

typedef struct counts_key {
    int64_t one_unit; /* 0: the scope below */
    int all;
    size_t count;
    int64_t units[CASES_MAX_UNITS];
} counts_key_t;

typedef struct counts_slot {
    int used;
    counts_key_t key;
    int64_t at_ms;
    int64_t counts[OPEN_MAX];
} counts_slot_t;

static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;
static counts_slot_t counts_cache[COUNTS_SLOTS];

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static counts_key_t counts_key(int64_t one_unit, const cases_scope_t *scope)
{
    counts_key_t k;
    memset(&k, 0, sizeof(k));
    k.one_unit = one_unit;
    if (!one_unit) {
        k.all = scope->all;
        k.count = scope->count;
        memcpy(k.units, scope->units, sizeof(k.units));
    }
    return k;
}

static int same_key(const counts_key_t *a, const counts_key_t *b)
{
    if (a->one_unit != b->one_unit || a->all != b->all || a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count && i < CASES_MAX_UNITS; i++)
        if (a->units[i] != b->units[i])
            return 0;
    return 1;
}

/* Copies fresh counts of key into out: 1, or 0 when there are none. */
static int counts_cached(const counts_key_t *key, int64_t out[OPEN_MAX])
{
    int found = 0;
    int64_t now = now_ms();
    pthread_mutex_lock(&counts_lock);
    for (size_t i = 0; i < COUNTS_SLOTS && !found; i++)
        if (counts_cache[i].used && same_key(&counts_cache[i].key, key) && now - counts_cache[i].at_ms < COUNTS_TTL_MS) {
            memcpy(out, counts_cache[i].counts, sizeof(counts_cache[i].counts));
            found = 1;
        }
    pthread_mutex_unlock(&counts_lock);
    return found;
}

static void counts_keep(const counts_key_t *key, const int64_t counts[OPEN_MAX])
{
    pthread_mutex_lock(&counts_lock);
    /* The key's own slot, else a free one, else the oldest. */
    size_t slot = COUNTS_SLOTS, free_slot = COUNTS_SLOTS, oldest = 0;
    for (size_t i = 0; i < COUNTS_SLOTS; i++) {
        if (counts_cache[i].used && same_key(&counts_cache[i].key, key)) {
            slot = i;
            break;
        }
        if (!counts_cache[i].used && free_slot == COUNTS_SLOTS)
            free_slot = i;
        if (counts_cache[i].used && counts_cache[i].at_ms < counts_cache[oldest].at_ms)
            oldest = i;
    }
    if (slot == COUNTS_SLOTS)
        slot = free_slot < COUNTS_SLOTS ? free_slot : oldest;
    counts_cache[slot].used = 1;
    counts_cache[slot].key = *key;
    counts_cache[slot].at_ms = now_ms();
    memcpy(counts_cache[slot].counts, counts, sizeof(counts_cache[slot].counts));
    pthread_mutex_unlock(&counts_lock);
}

void cases_counts_forget(int64_t unit_id)
{
    pthread_mutex_lock(&counts_lock);
    for (size_t i = 0; i < COUNTS_SLOTS; i++) {
        const counts_key_t *k = &counts_cache[i].key;
        int holds = k->one_unit ? k->one_unit == unit_id : k->all;
        for (size_t u = 0; !holds && !k->one_unit && u < k->count && u < CASES_MAX_UNITS; u++)
            holds = k->units[u] == unit_id;
        if (holds)
            counts_cache[i].used = 0;
    }
    pthread_mutex_unlock(&counts_lock);
}

/* The open cases per status of the scope into counts (in the order of open). */
static int count_open(http_req_t *req, int64_t one_unit, const cases_scope_t *scope, const char *const *open,
                      size_t nopen, int64_t counts[OPEN_MAX])
{
    counts_key_t key = counts_key(one_unit, scope);
    if (counts_cached(&key, counts))
        return 0;
    memset(counts, 0, OPEN_MAX * sizeof(*counts));
    db_stmt_t *st;
    if (db_prepare(req->db, one_unit ? sql_count_one : sql_count_many, &st) != 0)
        return -1;
    int first_status = 2;
    if (one_unit) {
        db_bind_int64(st, 1, one_unit);
    } else {
        db_bind_int64(st, 1, scope->all ? 1 : 0);
        bind_units(st, 2, scope);
        first_status = 10;
    }
    for (size_t i = 0; i < OPEN_MAX; i++)
        db_bind_text(st, first_status + (int)i, i < nopen ? open[i] : "", -1);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *status = db_column_text(st, 0);
        for (size_t i = 0; i < nopen; i++)
            if (status && strcmp(open[i], status) == 0)
                counts[i] = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc < 0)
        return -1;
    counts_keep(&key, counts);
    return 0;
}

/* The filter chips: "Alle", each open status with its count (those with none
 * left out unless chosen), each closed status without one:
 * [{status, label, count, has_count, href, current}]. */
static int status_chips(http_req_t *req, const inbox_filter_t *f, int64_t one_unit, const cases_scope_t *scope,
                        json_t *chips)
{
    const char *all[32], *open[OPEN_MAX];
    int64_t open_counts[OPEN_MAX];
    size_t n = workflow_statuses(NULL, all, 32), nopen = 0;
    for (size_t i = 0; i < n && nopen < OPEN_MAX; i++)
        if (status_is_open(all[i]))
            open[nopen++] = all[i];
    if (count_open(req, one_unit, scope, open, nopen, open_counts) != 0)
        return -1;
    json_array_append_new(chips, json_pack("{s:s,s:s,s:I,s:b,s:s,s:b}", "status", "", "label",
                                           cases_tr(req, N_("Alle")), "count", (json_int_t)0, "has_count", 0, "href",
                                           filter_query(req, f, "", 1), "current", !*f->status));
    for (size_t i = 0; i < n; i++) {
        int current = strcmp(all[i], f->status) == 0;
        int counted = 0;
        int64_t count = 0;
        for (size_t k = 0; k < nopen; k++)
            if (strcmp(open[k], all[i]) == 0) {
                counted = 1;
                count = open_counts[k];
            }
        if (counted && count == 0 && !current)
            continue;
        json_array_append_new(chips, json_pack("{s:s,s:s,s:I,s:b,s:s,s:b}", "status", all[i], "label",
                                               cases_tr(req, workflow_status_label(NULL, all[i])), "count",
                                               (json_int_t)count, "has_count", counted, "href",
                                               filter_query(req, f, all[i], 1), "current", current));
    }
    return 0;
}

/* The page of cases: fills rows, and next_at and next_id when there is a next page. */
static int fetch_page(http_req_t *req, const inbox_filter_t *f, int64_t one_unit, const cases_scope_t *scope,
                      json_t *units, json_t *rows, int64_t *next_at, int64_t *next_id)
{
    int64_t now = (int64_t)time(NULL);
    /* The range: hi and lo bounds on (submitted_at, id). */
    int64_t hi_at = INT64_MAX, hi_id = INT64_MAX, lo_at = -1, lo_id = -1;
    if (f->has_cursor) {
        if (f->oldest_first) {
            lo_at = f->cursor_at;
            lo_id = f->cursor_id;
        } else {
            hi_at = f->cursor_at;
            hi_id = f->cursor_id;
        }
    }
    if (f->age_days > 0) {
        /* submitted_at < cutoff is (submitted_at, id) < (cutoff, 0): ids are positive. */
        int64_t cutoff = now - f->age_days * 86400;
        if (cutoff < hi_at || (cutoff == hi_at && 0 < hi_id)) {
            hi_at = cutoff;
            hi_id = 0;
        }
    }
    int with_status = *f->status != '\0';
    int extra = f->service_id > 0 || f->mine || f->resubmit_due;
    db_stmt_t *st;
    if (db_prepare(req->db, inbox_sql[one_unit == 0][with_status][extra][f->oldest_first != 0], &st) != 0)
        return -1;
    int p = 1;
    db_bind_int64(st, p++, one_unit ? one_unit : scope->all ? 1 : 0);
    db_bind_int64(st, p++, hi_at);
    db_bind_int64(st, p++, hi_id);
    db_bind_int64(st, p++, lo_at);
    db_bind_int64(st, p++, lo_id);
    if (extra) {
        db_bind_int64(st, p++, f->service_id);
        db_bind_int64(st, p++, f->mine ? req->user->id : 0);
        db_bind_int64(st, p++, f->resubmit_due ? now : 0);
    }
    if (with_status)
        db_bind_text(st, p++, f->status, -1);
    if (!one_unit)
        bind_units(st, p, scope);

    int rc, count = 0;
    *next_at = *next_id = 0;
    int64_t last_at = 0, last_id = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (++count > INBOX_PAGE) {
            *next_at = last_at;
            *next_id = last_id;
            break;
        }
        last_id = db_column_int64(st, 0);
        last_at = db_column_int64(st, 4);
        const char *status = db_column_text(st, 2);
        const char *workflow = db_column_text(st, 10);
        int64_t deadline = db_column_int64(st, 5), resubmit = db_column_int64(st, 6);
        int closed = db_column_int64(st, 13) != 0;
        json_t *row = json_object();
        json_object_set_new(row, "id", json_integer(last_id));
        json_object_set_new(row, "href", json_sprintf("/verwaltung/vorgaenge/%lld", (long long)last_id));
        json_object_set_new(row, "reference", json_string(db_column_text(st, 1)));
        json_object_set_new(row, "status", json_string(status));
        json_object_set_new(row, "status_label", json_string(cases_tr(req, workflow_status_label(workflow, status))));
        json_object_set_new(row, "summary", json_string(db_column_text(st, 3)));
        json_object_set_new(row, "submitted", json_string(application_date(req->arena, last_at, 0)));
        json_object_set_new(row, "deadline", json_string(application_date(req->arena, deadline, 0)));
        json_object_set_new(row, "overdue", json_boolean(!closed && deadline > 0 && deadline < now));
        json_object_set_new(row, "resubmit_due", json_boolean(!closed && resubmit > 0 && resubmit <= now));
        json_object_set_new(row, "unit", json_string(unit_name(units, db_column_int64(st, 7))));
        json_object_set_new(row, "approval_open", json_boolean(strcmp(db_column_text(st, 8), "offen") == 0));
        json_object_set_new(row, "service", json_string(db_column_text(st, 9)));
        json_object_set_new(row, "assignee", json_string(db_column_text(st, 11)));
        json_object_set_new(row, "mine", json_boolean(db_column_int64(st, 12) == req->user->id));
        json_array_append_new(rows, row);
    }
    db_reset(st);
    return rc < 0 ? -1 : 0;
}

int cases_inbox_page(http_req_t *req)
{
    cases_scope_t scope;
    cases_scope(req, PERM_CASE_READ, &scope);
    inbox_filter_t f;
    inbox_error_t err[6];
    size_t nerr = 0;
    int rc = read_filter(req, &scope, &f, err, &nerr);
    if (rc != 0)
        return http_error(req, rc, N_("Dieser Link zu einer weiteren Seite ist ungültig. Bitte beginnen Sie auf der ersten Seite."));

    json_t *units = scope_units(req, &scope);
    /* One unit when one is chosen or the user has just one; the unit list
     * otherwise. More units than one query names: the first one until another
     * is chosen (the page says so). */
    int64_t one_unit = f.unit_id;
    int narrowed = 0;
    if (!one_unit && !scope.all && scope.count == 1)
        one_unit = scope.units[0];
    if (!one_unit && !scope.all && scope.more) {
        one_unit = scope.units[0];
        narrowed = 1;
    }

    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(cases_tr(req, N_("Vorgänge"))));
    json_object_set_new(model, "show_unit", json_boolean(json_array_size(units) > 1));
    json_object_set_new(model, "narrowed", json_boolean(narrowed));
    json_object_set_new(model, "fields",
                        filter_fields(req, &f, units, one_unit, err, nerr));
    json_t *errors = json_array();
    for (size_t i = 0; i < nerr; i++)
        json_array_append_new(errors, json_pack("{s:s,s:s}", "id", arena_printf(req->arena, "feld-%s", err[i].field),
                                                "message", cases_tr(req, err[i].message)));
    json_object_set_new(model, "errors", errors);

    json_t *chips = json_array(), *rows = json_array();
    int64_t next_at = 0, next_id = 0;
    if (nerr == 0 && (status_chips(req, &f, one_unit, &scope, chips) != 0 ||
                      fetch_page(req, &f, one_unit, &scope, units, rows, &next_at, &next_id) != 0)) {
        json_decref(chips);
        json_decref(rows);
        json_decref(units);
        json_decref(model);
        return 503;
    }
    json_object_set_new(model, "chips", chips);
    json_object_set_new(model, "rows", rows);
    json_object_set_new(model, "searched", json_boolean(nerr == 0));
    json_object_set_new(model, "next", next_id ? json_sprintf("%s%snach=%lld.%lld", filter_query(req, &f, NULL, 1),
                                                              strchr(filter_query(req, &f, NULL, 1), '?') ? "&" : "?",
                                                              (long long)next_at, (long long)next_id)
                                               : json_null());
    json_object_set_new(model, "first", f.has_cursor ? json_string(filter_query(req, &f, NULL, 1)) : json_null());
    json_decref(units);
    return http_render(req, nerr ? 422 : 200, "services/cases/inbox", model);
}
