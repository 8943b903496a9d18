/* events_store.c — the queries and writes of events and their registrations
 * (004_surveys.sql).
 *
 * Capacity holds under parallel requests: a registration first writes its own
 * row (insert, or taking up a cancelled one again; ON CONFLICT keeps it to one
 * per account), then takes a place with
 *   UPDATE participation_events SET registered_count = registered_count + 1
 *    WHERE id = $1 AND registered_count < capacity
 * PostgreSQL locks the event's row for that update and checks the condition
 * again on the row as the transaction before it left it; SQLite runs one
 * writer at a time (db_begin_write). Of ten requests for the last place one
 * changes the row; the others change nothing and roll back their own row.
 */
#include <string.h>

#include "modules/participation/surveys_internal.h"

#define COLUMNS                                                                                                        \
    "id, process_id, COALESCE(phase_id, 0), title, description, status, place, address, accessibility_note,"           \
    " step_free, accessible_toilet, hearing_loop, sign_language, starts_at, ends_at, capacity, registered_count,"      \
    " registration_until, sequence, created_at, updated_at"

static const char sql_event[] = "SELECT " COLUMNS " FROM participation_events WHERE id = $1 AND process_id = $2";
static const char sql_events[] = "SELECT " COLUMNS " FROM participation_events WHERE process_id = $1"
                                 " AND ($2 = 1 OR status = 'veroeffentlicht') ORDER BY starts_at, id LIMIT 200";
_Static_assert(SURVEY_LIST_MAX == 200, "sql_events' LIMIT");

static void read_event(db_stmt_t *st, arena_t *a, event_t *e)
{
    memset(e, 0, sizeof *e);
    e->id = db_column_int64(st, 0);
    e->process_id = db_column_int64(st, 1);
    e->phase_id = db_column_int64(st, 2);
    e->title = arena_strdup(a, db_column_text(st, 3));
    e->description = arena_strdup(a, db_column_text(st, 4));
    e->status = arena_strdup(a, db_column_text(st, 5));
    e->place = arena_strdup(a, db_column_text(st, 6));
    e->address = arena_strdup(a, db_column_text(st, 7));
    e->accessibility_note = arena_strdup(a, db_column_text(st, 8));
    for (int i = 0; i < 4; i++)
        e->features[i] = db_column_int64(st, 9 + i) != 0;
    e->starts_at = db_column_int64(st, 13);
    e->ends_at = db_column_int64(st, 14);
    e->capacity = db_column_int64(st, 15);
    e->registered_count = db_column_int64(st, 16);
    e->registration_until = db_column_int64(st, 17);
    e->sequence = db_column_int64(st, 18);
    e->created_at = db_column_int64(st, 19);
    e->updated_at = db_column_int64(st, 20);
}

int events_load(db_t *db, arena_t *a, int64_t process_id, int64_t id, event_t *out)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_event, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, process_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_event(st, a, out);
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int events_list(db_t *db, arena_t *a, int64_t process_id, int with_drafts, event_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_events, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_int64(st, 2, with_drafts ? 1 : 0);
    event_t *list = arena_alloc(a, SURVEY_LIST_MAX * sizeof *list);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < SURVEY_LIST_MAX)
        read_event(st, a, &list[(*n)++]);
    db_reset(st);
    *out = list;
    return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

/* Steps a write to its end: 0 with *changed rows, or < 0. */
static int run(db_stmt_t *st, int64_t *changed)
{
    int rc = db_step(st);
    if (changed)
        *changed = db_changes(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

static void bind_optional_id(db_stmt_t *st, int idx, int64_t id)
{
    if (id > 0)
        db_bind_int64(st, idx, id);
    else
        db_bind_null(st, idx);
}

static const char sql_create[] =
    "INSERT INTO participation_events (process_id, phase_id, title, description, status, place, address, "
    "accessibility_note,"
    " step_free, accessible_toilet, hearing_loop, sign_language, starts_at, ends_at, capacity, registration_until,"
    " created_by, updated_by, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $18) RETURNING id";
static const char sql_update[] =
    "UPDATE participation_events SET phase_id = $2, title = $3, description = $4, status = $5, place = $6, address = "
    "$7,"
    " accessibility_note = $8, step_free = $9, accessible_toilet = $10, hearing_loop = $11, sign_language = $12,"
    " starts_at = $13, ends_at = $14, capacity = $15, registration_until = $16, updated_by = $17, updated_at = $18,"
    " sequence = sequence + 1 WHERE id = $1 AND process_id = $19 AND registered_count <= $15";

int events_store_save(db_t *db, int64_t process_id, const event_t *e, int64_t actor_id, int64_t now, int64_t *id)
{
    db_stmt_t *st;
    int creating = *id == 0;
    if (db_prepare(db, creating ? sql_create : sql_update, &st) != 0)
        return -1;
    if (creating)
        db_bind_int64(st, 1, process_id);
    else {
        db_bind_int64(st, 1, *id);
        db_bind_int64(st, 19, process_id);
    }
    bind_optional_id(st, 2, e->phase_id);
    db_bind_text(st, 3, e->title, -1);
    db_bind_text(st, 4, e->description, -1);
    db_bind_text(st, 5, e->status, -1);
    db_bind_text(st, 6, e->place, -1);
    db_bind_text(st, 7, e->address, -1);
    db_bind_text(st, 8, e->accessibility_note, -1);
    for (int i = 0; i < 4; i++)
        db_bind_int64(st, 9 + i, e->features[i] ? 1 : 0);
    db_bind_int64(st, 13, e->starts_at);
    db_bind_int64(st, 14, e->ends_at);
    db_bind_int64(st, 15, e->capacity);
    db_bind_int64(st, 16, e->registration_until);
    bind_optional_id(st, 17, actor_id);
    db_bind_int64(st, 18, now);
    int rc = db_step(st);
    if (creating && rc == DB_ROW)
        *id = db_column_int64(st, 0);
    int64_t changed = creating ? 1 : db_changes(st);
    db_reset(st);
    if (creating)
        return rc == DB_ROW ? 0 : -1;
    /* No row: more people registered meanwhile than the new capacity allows. */
    return rc != DB_DONE ? -1 : changed == 1 ? 0 : 2;
}

static const char sql_register[] =
    "INSERT INTO participation_event_registrations (event_id, user_id, status, created_at, updated_at)"
    " VALUES ($1, $2, 'angemeldet', $3, $3) ON CONFLICT (event_id, user_id) DO UPDATE"
    " SET status = 'angemeldet', updated_at = $3 WHERE participation_event_registrations.status = 'abgemeldet' "
    "RETURNING id";
static const char sql_take_place[] = "UPDATE participation_events SET registered_count = registered_count + 1"
                                     " WHERE id = $1 AND registered_count < capacity";

int events_store_register(db_t *db, int64_t event_id, int64_t user_id, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_register, &st) != 0)
        return -1;
    db_bind_int64(st, 1, event_id);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, now);
    int rc = db_step(st);
    db_reset(st);
    if (rc == DB_DONE)
        return 1; /* a registration that stands already */
    if (rc != DB_ROW || db_prepare(db, sql_take_place, &st) != 0)
        return -1;
    db_bind_int64(st, 1, event_id);
    int64_t changed = 0;
    if (run(st, &changed) != 0)
        return -1;
    return changed == 1 ? 0 : 2;
}

static const char sql_cancel[] = "UPDATE participation_event_registrations SET status = 'abgemeldet', updated_at = $3"
                                 " WHERE event_id = $1 AND user_id = $2 AND status = 'angemeldet'";
static const char sql_give_back[] = "UPDATE participation_events SET registered_count = registered_count - 1"
                                    " WHERE id = $1 AND registered_count > 0";

int events_store_cancel(db_t *db, int64_t event_id, int64_t user_id, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_cancel, &st) != 0)
        return -1;
    db_bind_int64(st, 1, event_id);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, now);
    int64_t changed = 0;
    if (run(st, &changed) != 0)
        return -1;
    if (changed == 0)
        return 1;
    if (db_prepare(db, sql_give_back, &st) != 0)
        return -1;
    db_bind_int64(st, 1, event_id);
    return run(st, NULL);
}

static const char sql_registered[] = "SELECT COUNT(*) FROM participation_event_registrations WHERE event_id = $1 AND "
                                     "user_id = $2 AND status = 'angemeldet'";

int events_registered(db_t *db, int64_t event_id, int64_t user_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_registered, &st) != 0)
        return -1;
    db_bind_int64(st, 1, event_id);
    db_bind_int64(st, 2, user_id);
    int rc = db_step(st);
    int yes = rc == DB_ROW && db_column_int64(st, 0) > 0;
    db_reset(st);
    return rc == DB_ROW ? yes : -1;
}

static const char sql_registrations[] =
    "SELECT r.id, COALESCE(r.user_id, 0), COALESCE(u.display_name, ''), COALESCE(u.email, ''), r.status,"
    " r.created_at, r.updated_at FROM participation_event_registrations r LEFT JOIN users u ON u.id = r.user_id"
    " WHERE r.event_id = $1 ORDER BY CASE WHEN r.status = 'angemeldet' THEN 0 ELSE 1 END, r.created_at, r.id"
    " LIMIT 10000";
_Static_assert(EVENT_REGISTRATIONS_MAX == 10000, "sql_registrations' LIMIT");

int events_registrations(db_t *db, arena_t *a, int64_t event_id, event_registration_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_registrations, &st) != 0)
        return -1;
    db_bind_int64(st, 1, event_id);
    size_t cap = 0;
    event_registration_t *list = NULL;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            event_registration_t *grown = arena_alloc(a, ncap * sizeof *grown);
            if (*n)
                memcpy(grown, list, *n * sizeof *grown);
            list = grown;
            cap = ncap;
        }
        list[(*n)++] = (event_registration_t){
            .id = db_column_int64(st, 0),
            .user_id = db_column_int64(st, 1),
            .name = arena_strdup(a, db_column_text(st, 2)),
            .email = arena_strdup(a, db_column_text(st, 3)),
            .status = arena_strdup(a, db_column_text(st, 4)),
            .created_at = db_column_int64(st, 5),
            .updated_at = db_column_int64(st, 6),
        };
    }
    db_reset(st);
    *out = list;
    return rc == DB_DONE ? 0 : -1;
}
