/* projects_demo.c — `rathaus demo` for the Vorhabenliste: example entries of
 * Mainz (data/participation/projects.json, marked "Beispieldaten"), replayed in
 * the order they happened, so that the change log and the published edition
 * come about exactly as they would through the staff pages.
 *
 * The file holds entries, each with the day it was added ("added_days_ago") and
 * its later changes ({"days_ago", "set": {field: value}, "explanation"}), and
 * editions ({"days_ago", "note"}). Every event becomes a save through
 * projects_store (no e-mails: nobody follows yet) or a publish at its time.
 * Fields of "set": title summary description goals districts topic decisions
 * starts_on ends_on next_steps costs_text costs_euro status affected
 * participation_planned participation_form participation_reason obligation unit
 * contact_name contact_email contact_phone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/participation/internal.h"
#include "modules/participation/projects.h"

#define DEMO_EVENTS_MAX 1000

static const char sql_count[] = "SELECT COUNT(*) FROM projects";
static const char sql_unit[] = "SELECT id FROM units WHERE slug = $1";
static const char sql_unit_name[] = "SELECT slug, name FROM units WHERE id = $1";

typedef struct demo {
    db_t *db;
    arena_t *arena;
    project_lists_t lists;
    char err[256];
} demo_t;

/* Sets the field of "set" named key on p; 0 or -1 (with d->err). */
static int apply_field(demo_t *d, project_t *p, const char *key, const json_t *v)
{
    arena_t *a = d->arena;
    const char *s = json_string_value(v);
    static const struct {
        const char *key;
        size_t offset;
    } texts[] = {
        {"title", offsetof(project_t, title)},
        {"summary", offsetof(project_t, summary)},
        {"description", offsetof(project_t, description)},
        {"goals", offsetof(project_t, goals)},
        {"decisions", offsetof(project_t, decisions)},
        {"starts_on", offsetof(project_t, starts_on)},
        {"ends_on", offsetof(project_t, ends_on)},
        {"next_steps", offsetof(project_t, next_steps)},
        {"costs_text", offsetof(project_t, costs_text)},
        {"status", offsetof(project_t, status)},
        {"affected", offsetof(project_t, affected)},
        {"participation_form", offsetof(project_t, participation_form)},
        {"participation_reason", offsetof(project_t, participation_reason)},
        {"obligation", offsetof(project_t, obligation)},
        {"contact_name", offsetof(project_t, contact_name)},
        {"contact_email", offsetof(project_t, contact_email)},
        {"contact_phone", offsetof(project_t, contact_phone)},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (strcmp(texts[i].key, key) != 0)
            continue;
        if (!s) {
            snprintf(d->err, sizeof(d->err), "%s: not a string", key);
            return -1;
        }
        *(const char **)((char *)p + texts[i].offset) = arena_strdup(a, s);
        return 0;
    }
    if (!strcmp(key, "costs_euro")) {
        p->has_costs = json_is_number(v);
        p->costs_cents = p->has_costs ? (int64_t)(json_number_value(v) * 100.0 + 0.5) : 0;
        return 0;
    }
    if (!strcmp(key, "participation_planned")) {
        p->participation_planned = json_is_true(v);
        return 0;
    }
    if (!strcmp(key, "topic")) {
        for (size_t i = 0; s && i < d->lists.topic_count; i++)
            if (!strcmp(d->lists.topics[i].slug, s)) {
                p->topic_id = d->lists.topics[i].id;
                p->topic_slug = d->lists.topics[i].slug;
                p->topic_name = d->lists.topics[i].name;
                return 0;
            }
        snprintf(d->err, sizeof(d->err), "unknown topic %s", s ? s : "(none)");
        return -1;
    }
    if (!strcmp(key, "districts")) {
        p->district_count = 0;
        for (size_t k = 0; k < d->lists.district_count; k++) {
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x) if (json_string_value(x) &&
                                            !strcmp(json_string_value(x), d->lists.districts[k].slug) &&
                                            p->district_count < PROJECT_DISTRICTS_MAX)
                p->districts[p->district_count++] = d->lists.districts[k];
        }
        if (p->district_count != json_array_size(v) || p->district_count == 0) {
            snprintf(d->err, sizeof(d->err), "unknown or missing districts");
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "unit")) {
        int64_t id = 0;
        if (!s || db_query_int64_text(d->db, sql_unit, s, NULL, &id) != 0) {
            snprintf(d->err, sizeof(d->err), "unknown unit %s", s ? s : "(none)");
            return -1;
        }
        p->unit_id = id;
        db_stmt_t *st;
        if (db_prepare(d->db, sql_unit_name, &st) != 0)
            return -1;
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW) {
            p->unit_slug = arena_strdup(a, db_column_text(st, 0));
            p->unit_name = arena_strdup(a, db_column_text(st, 1));
        }
        db_reset(st);
        return 0;
    }
    snprintf(d->err, sizeof(d->err), "unknown field %s", key);
    return -1;
}

static int apply_all(demo_t *d, project_t *p, const json_t *fields)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)fields, key, v)
    {
        if (!strcmp(key, "key") || !strcmp(key, "added_days_ago") || !strcmp(key, "changes"))
            continue;
        if (apply_field(d, p, key, v) != 0)
            return -1;
    }
    return 0;
}

/* One thing that happened, in time order. */
typedef struct event {
    int64_t at;
    int order;             /* ties: as in the file */
    const json_t *project; /* an entry added (change == NULL), or the entry changed */
    const json_t *change;
    const json_t *edition;
    size_t index; /* of the entry in the file */
} event_t;

static int cmp_event(const void *pa, const void *pb)
{
    const event_t *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->order - b->order;
}

static int64_t days_ago(const json_t *o, int64_t now)
{
    json_int_t days = json_integer_value(json_object_get(o, "days_ago"));
    if (!days)
        days = json_integer_value(json_object_get(o, "added_days_ago"));
    return now - (int64_t)days * 86400;
}

static int replay(demo_t *d, const json_t *root, int64_t now)
{
    const json_t *projects = json_object_get(root, "projects");
    const json_t *editions = json_object_get(root, "editions");
    if (!json_is_array(projects)) {
        snprintf(d->err, sizeof(d->err), "\"projects\" is not an array");
        return -1;
    }
    event_t *events = arena_alloc(d->arena, DEMO_EVENTS_MAX * sizeof(*events));
    size_t n = 0;
    int order = 0;
    size_t i;
    json_t *p;
    json_array_foreach(projects, i, p)
    {
        if (n < DEMO_EVENTS_MAX)
            events[n++] = (event_t){days_ago(p, now), order++, p, NULL, NULL, i};
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(p, "changes"), k, c) if (n < DEMO_EVENTS_MAX) events[n++] =
            (event_t){days_ago(c, now), order++, p, c, NULL, i};
    }
    json_t *e;
    json_array_foreach(editions, i, e) if (n < DEMO_EVENTS_MAX) events[n++] =
        (event_t){days_ago(e, now), order++, NULL, NULL, e, 0};
    qsort(events, n, sizeof(events[0]), cmp_event);

    int64_t *ids = arena_alloc(d->arena, (json_array_size(projects) + 1) * sizeof(*ids));
    for (size_t k = 0; k < n; k++) {
        const event_t *ev = &events[k];
        size_t changes;
        if (ev->edition) {
            int year, quarter;
            projects_quarter_of(ev->at, &year, &quarter);
            int64_t id;
            const char *note = json_string_value(json_object_get(ev->edition, "note"));
            if (projects_publish_edition(d->db, d->arena, year, quarter, note, 0, ev->at, &id) < 0) {
                snprintf(d->err, sizeof(d->err), "edition %d/%d", quarter, year);
                return -1;
            }
        } else if (!ev->change) {
            project_t np;
            memset(&np, 0, sizeof(np));
            np.unit_slug = np.unit_name = "";
            if (apply_all(d, &np, ev->project) != 0 ||
                projects_store(d->db, d->arena, NULL, &np, NULL, NULL, 0, ev->at, &changes) != 0)
                return -1;
            ids[ev->index] = np.id;
        } else {
            project_t old, next;
            if (projects_load_one(d->db, d->arena, ids[ev->index], &old) != 0)
                return -1;
            next = old;
            const char *why = json_string_value(json_object_get(ev->change, "explanation"));
            if (apply_all(d, &next, json_object_get(ev->change, "set")) != 0 ||
                projects_store(d->db, d->arena, NULL, &next, &old, why ? why : "", 0, ev->at, &changes) != 0)
                return -1;
        }
    }
    return 0;
}

int projects_demo(db_t *db, const char *data_dir)
{
    int64_t count = 0;
    if (db_query_int64(db, sql_count, &count) < 0)
        return -1;
    if (count > 0) {
        printf("demo Vorhabenliste: entries present, nothing changed\n");
        return 0;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/projects.json", data_dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "rathaus: %s:%d: %s\n", path, jerr.line, jerr.text);
        return -1;
    }
    arena_t arena;
    arena_init(&arena);
    demo_t d = {.db = db, .arena = &arena};
    int rc = -1;
    if (projects_lists_load(db, &arena, &d.lists) != 0 || db_begin_write(db) != 0)
        goto out;
    /* Days ago from today, 10:00 local time. */
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = 10;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    int64_t now = (int64_t)mktime(&tm);
    if (now > (int64_t)t)
        now -= 86400; /* before 10:00 today: yesterday's, so nothing lies in the future */
    if (replay(&d, root, now) != 0 || db_commit(db) != 0) {
        fprintf(stderr, "rathaus: demo Vorhabenliste: %s%s%s\n", d.err, *d.err ? ": " : "", db_errmsg(db));
        db_rollback(db);
        goto out;
    }
    printf("demo Vorhabenliste: %zu entries with their changes and editions loaded\n",
           json_array_size(json_object_get(root, "projects")));
    rc = 0;
out:
    json_decref(root);
    arena_clear(&arena);
    return rc;
}
