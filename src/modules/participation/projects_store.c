/* projects_store.c — writing the Vorhabenliste: an entry with its districts,
 * its public change log, its search terms and the e-mail to its followers, all
 * in the caller's transaction; and publishing a quarterly edition. Every save
 * bumps the generation "projects", so that every node's kept filter columns
 * (projects_listing.c) are read again.
 *
 * The change log is never written by hand: projects_diff compares the entry as
 * the form was opened (old) with the entry as saved, and each changed field
 * becomes a row with the staff member's explanation. Two people editing at once
 * cannot overwrite each other unnoticed: the UPDATE names the version the form
 * was opened with, and a save on top of someone else's gets PROJECTS_ECONFLICT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/participation/projects.h"
#include "platform/generation.h"
#include "platform/search.h"
#include "view/i18n.h"

#define WEIGHT_TITLE 8
#define WEIGHT_SUMMARY 4
#define WEIGHT_PLACE 2 /* topic and district names */
#define WEIGHT_TEXT 1
#define TERM_ROWS 16            /* rows of one INSERT into project_terms */
#define SUBJECT_TITLE_MAX 300   /* bytes of a title in a mail subject (MAIL_SUBJECT_MAX is 512) */
#define SNAPSHOT_MAX (64 << 20) /* bytes of one edition's JSON */

static const char sql_insert[] =
    "INSERT INTO projects (title, summary, description, goals, topic_id, decisions, starts_on, ends_on, next_steps,"
    " costs_text, costs_cents, status, affected, participation_planned, participation_form, participation_reason,"
    " obligation, unit_id, contact_name, contact_email, contact_phone, version, created_by, updated_by, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
    " $21, 1, $22, $22, $23, $23) RETURNING id";

static const char sql_update[] =
    "UPDATE projects SET title = $1, summary = $2, description = $3, goals = $4, topic_id = $5, decisions = $6,"
    " starts_on = $7, ends_on = $8, next_steps = $9, costs_text = $10, costs_cents = $11, status = $12,"
    " affected = $13, participation_planned = $14, participation_form = $15, participation_reason = $16,"
    " obligation = $17, unit_id = $18, contact_name = $19, contact_email = $20, contact_phone = $21,"
    " version = version + 1, updated_by = $22, updated_at = $23 WHERE id = $24 AND version = $25";

static const char sql_districts_clear[] = "DELETE FROM project_districts WHERE project_id = $1";
static const char sql_district_add[] = "INSERT INTO project_districts (project_id, district_id) VALUES ($1, $2)";

static const char sql_change_add[] =
    "INSERT INTO project_changes (project_id, at, kind, field, old_value, new_value, explanation, actor_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

static const char sql_terms_clear[] = "DELETE FROM project_terms WHERE project_id = $1";
static const char sql_term_add[] = "INSERT INTO project_terms (term, project_id, weight) VALUES ($1, $2, $3)";
/* TERM_ROWS rows in one round trip. */
static const char sql_terms_add[] =
    "INSERT INTO project_terms (term, project_id, weight) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9),"
    " ($10, $11, $12), ($13, $14, $15), ($16, $17, $18), ($19, $20, $21), ($22, $23, $24), ($25, $26, $27),"
    " ($28, $29, $30), ($31, $32, $33), ($34, $35, $36), ($37, $38, $39), ($40, $41, $42), ($43, $44, $45),"
    " ($46, $47, $48)";

static const char sql_all_ids[] = "SELECT id FROM projects ORDER BY id";
static const char sql_edition_add[] =
    "INSERT INTO project_editions (year, quarter, title, note, entry_count, snapshot, published_by, published_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (year, quarter) DO NOTHING RETURNING id";

/* Runs a bound statement that returns nothing; 0 or -1. */
static int run(db_stmt_t *st)
{
    int rc = db_step(st);
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

/* $1..$21 of sql_insert and sql_update. */
static void bind_fields(db_stmt_t *st, const project_t *p)
{
    db_bind_text(st, 1, p->title, -1);
    db_bind_text(st, 2, p->summary, -1);
    db_bind_text(st, 3, p->description, -1);
    db_bind_text(st, 4, p->goals, -1);
    db_bind_int64(st, 5, p->topic_id);
    db_bind_text(st, 6, p->decisions, -1);
    db_bind_text(st, 7, p->starts_on, -1);
    db_bind_text(st, 8, p->ends_on, -1);
    db_bind_text(st, 9, p->next_steps, -1);
    db_bind_text(st, 10, p->costs_text, -1);
    if (p->has_costs)
        db_bind_int64(st, 11, p->costs_cents);
    else
        db_bind_null(st, 11);
    db_bind_text(st, 12, p->status, -1);
    db_bind_text(st, 13, p->affected, -1);
    db_bind_int64(st, 14, p->participation_planned ? 1 : 0);
    db_bind_text(st, 15, p->participation_form, -1);
    db_bind_text(st, 16, p->participation_reason, -1);
    db_bind_text(st, 17, p->obligation, -1);
    bind_optional_id(st, 18, p->unit_id);
    db_bind_text(st, 19, p->contact_name, -1);
    db_bind_text(st, 20, p->contact_email, -1);
    db_bind_text(st, 21, p->contact_phone, -1);
}

/* ---- search terms ------------------------------------------------------------------- */

typedef struct weighted_term {
    const char *term;
    int64_t weight;
} weighted_term_t;

typedef struct term_vec {
    arena_t *arena;
    weighted_term_t *items;
    size_t count, cap;
} term_vec_t;

static int add_terms(term_vec_t *v, const char *text, int64_t weight)
{
    const char **terms;
    size_t n;
    if (search_terms(v->arena, text ? text : "", &terms, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v->count == v->cap) {
            size_t cap = v->cap ? v->cap * 2 : 256;
            weighted_term_t *items = arena_alloc(v->arena, cap * sizeof(*items));
            if (v->count)
                memcpy(items, v->items, v->count * sizeof(*items));
            v->items = items;
            v->cap = cap;
        }
        v->items[v->count++] = (weighted_term_t){terms[i], weight};
    }
    return 0;
}

static int cmp_term(const void *pa, const void *pb)
{
    return strcmp(((const weighted_term_t *)pa)->term, ((const weighted_term_t *)pb)->term);
}

/* Rebuilds the entry's rows in project_terms. */
static int index_project(db_t *db, arena_t *a, const project_t *p)
{
    term_vec_t v = {.arena = a};
    const char *text =
        arena_printf(a, "%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s", p->description, p->goals, p->decisions, p->next_steps,
                     p->affected, p->costs_text, p->participation_reason, p->unit_name ? p->unit_name : "");
    if (add_terms(&v, p->title, WEIGHT_TITLE) != 0 || add_terms(&v, p->summary, WEIGHT_SUMMARY) != 0 ||
        add_terms(&v, p->topic_name, WEIGHT_PLACE) != 0 || add_terms(&v, text, WEIGHT_TEXT) != 0)
        return -1;
    for (size_t i = 0; i < p->district_count; i++)
        if (add_terms(&v, p->districts[i].name, WEIGHT_PLACE) != 0)
            return -1;
    /* One row per term: the weights of a term found in several fields add up. */
    if (v.count > 1)
        qsort(v.items, v.count, sizeof(v.items[0]), cmp_term);
    size_t n = 0;
    for (size_t i = 0; i < v.count; i++) {
        if (n > 0 && !strcmp(v.items[n - 1].term, v.items[i].term))
            v.items[n - 1].weight += v.items[i].weight;
        else
            v.items[n++] = v.items[i];
    }
    db_stmt_t *st;
    if (db_prepare(db, sql_terms_clear, &st) != 0)
        return -1;
    db_bind_int64(st, 1, p->id);
    if (run(st) != 0)
        return -1;
    size_t i = 0;
    for (; i + TERM_ROWS <= n; i += TERM_ROWS) {
        if (db_prepare(db, sql_terms_add, &st) != 0)
            return -1;
        for (int r = 0; r < TERM_ROWS; r++) {
            db_bind_text(st, r * 3 + 1, v.items[i + (size_t)r].term, -1);
            db_bind_int64(st, r * 3 + 2, p->id);
            db_bind_int64(st, r * 3 + 3, v.items[i + (size_t)r].weight);
        }
        if (run(st) != 0)
            return -1;
    }
    for (; i < n; i++) {
        if (db_prepare(db, sql_term_add, &st) != 0)
            return -1;
        db_bind_text(st, 1, v.items[i].term, -1);
        db_bind_int64(st, 2, p->id);
        db_bind_int64(st, 3, v.items[i].weight);
        if (run(st) != 0)
            return -1;
    }
    return 0;
}

/* ---- telling the followers ---------------------------------------------------------- */

/* The title cut for a mail subject (at a character boundary). */
static const char *subject_title(arena_t *a, const char *title)
{
    size_t n = strlen(title);
    if (n <= SUBJECT_TITLE_MAX)
        return title;
    return arena_printf(a, "%.*s…", (int)utf8_truncate(title, n, SUBJECT_TITLE_MAX), title);
}

/* The district names of p joined with ", ", in German. */
static const char *district_names(arena_t *a, const project_t *p)
{
    return projects_field_value(a, p, "districts");
}

/* Adds the districts and topic of p to targets (no duplicates). */
static size_t add_place_targets(const project_t *p, follow_target_t *t, size_t n)
{
    for (size_t i = 0; i < p->district_count; i++) {
        int seen = 0;
        for (size_t j = 0; j < n && !seen; j++)
            seen = !strcmp(t[j].kind, "district") && t[j].id == p->districts[i].id;
        if (!seen)
            t[n++] = (follow_target_t){"district", p->districts[i].id};
    }
    int seen = 0;
    for (size_t j = 0; j < n && !seen; j++)
        seen = !strcmp(t[j].kind, "topic") && t[j].id == p->topic_id;
    if (!seen)
        t[n++] = (follow_target_t){"topic", p->topic_id};
    return n;
}

static int notify_new(db_t *db, arena_t *a, const config_t *cfg, const project_t *p)
{
    follow_target_t targets[PROJECT_DISTRICTS_MAX + 1];
    size_t n = add_place_targets(p, targets, 0);
    const char *status = projects_choice_label(projects_statuses, projects_status_count, p->status);
    const char *subject = arena_printf(a, "Neues Vorhaben: %s", subject_title(a, p->title));
    const char *text = arena_printf(a,
                                    "Die Stadt %s hat ein neues Vorhaben in die Vorhabenliste aufgenommen:\n\n"
                                    "%s\n%s\n\nOrtsbezirke: %s\nThema: %s\nStand: %s",
                                    cfg->city_name, p->title, p->summary, district_names(a, p), p->topic_name,
                                    status ? status : p->status);
    return projects_notify(db, cfg, targets, n, subject, text,
                           arena_printf(a, "/beteiligung/vorhaben/%lld", (long long)p->id));
}

static int notify_changed(db_t *db, arena_t *a, const config_t *cfg, const project_t *old, const project_t *p,
                          const project_change_t *changes, size_t count, const char *explanation)
{
    follow_target_t targets[2 * PROJECT_DISTRICTS_MAX + 3];
    size_t n = 0;
    targets[n++] = (follow_target_t){"project", p->id};
    n = add_place_targets(p, targets, n);
    n = add_place_targets(old, targets, n); /* those who followed where it was before, too */
    buf_t text;
    buf_init(&text, a, 1024, 256 * 1024);
    buf_appendf(&text, "Das Vorhaben „%s“ in der Vorhabenliste hat sich geändert:\n\n", p->title);
    for (size_t i = 0; i < count; i++) {
        const project_change_t *c = &changes[i];
        const char *kind = projects_choice_label(projects_change_kinds, projects_change_kind_count, c->kind);
        const char *field = projects_field_label(c->field);
        if (projects_field_is_long(c->field))
            buf_appendf(&text, "- %s: %s wurde überarbeitet.\n", kind, field);
        else
            buf_appendf(&text, "- %s: %s: %s → %s\n", kind, field,
                        projects_value_label(a, "de", c->field, c->old_value),
                        projects_value_label(a, "de", c->field, c->new_value));
    }
    if (explanation && *explanation)
        buf_appendf(&text, "\nErläuterung der Verwaltung:\n%s\n", explanation);
    if (text.overflow)
        return -1;
    const char *subject = arena_printf(a, "Vorhaben geändert: %s", subject_title(a, p->title));
    return projects_notify(db, cfg, targets, n, subject, buf_cstr(&text),
                           arena_printf(a, "/beteiligung/vorhaben/%lld", (long long)p->id));
}

/* ---- saving ------------------------------------------------------------------------- */

static int write_districts(db_t *db, const project_t *p)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_districts_clear, &st) != 0)
        return -1;
    db_bind_int64(st, 1, p->id);
    if (run(st) != 0)
        return -1;
    for (size_t i = 0; i < p->district_count; i++) {
        if (db_prepare(db, sql_district_add, &st) != 0)
            return -1;
        db_bind_int64(st, 1, p->id);
        db_bind_int64(st, 2, p->districts[i].id);
        if (run(st) != 0)
            return -1;
    }
    return 0;
}

static int write_changes(db_t *db, int64_t id, const project_change_t *changes, size_t n, const char *explanation,
                         int64_t actor_id, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        db_stmt_t *st;
        if (db_prepare(db, sql_change_add, &st) != 0)
            return -1;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, now);
        db_bind_text(st, 3, changes[i].kind, -1);
        db_bind_text(st, 4, changes[i].field, -1);
        db_bind_text(st, 5, changes[i].old_value, -1);
        db_bind_text(st, 6, changes[i].new_value, -1);
        db_bind_text(st, 7, explanation ? explanation : "", -1);
        bind_optional_id(st, 8, actor_id);
        if (run(st) != 0)
            return -1;
    }
    return 0;
}

int projects_store(db_t *db, arena_t *a, const config_t *cfg, project_t *p, const project_t *old,
                   const char *explanation, int64_t actor_id, int64_t now, size_t *changes)
{
    *changes = 0;
    db_stmt_t *st;
    if (!old) {
        if (db_prepare(db, sql_insert, &st) != 0)
            return -1;
        bind_fields(st, p);
        bind_optional_id(st, 22, actor_id);
        db_bind_int64(st, 23, now);
        int rc = db_step(st);
        if (rc == DB_ROW)
            p->id = db_column_int64(st, 0);
        db_reset(st);
        if (rc != DB_ROW)
            return -1;
        p->version = 1;
        p->created_at = p->updated_at = now;
        if (write_districts(db, p) != 0 || index_project(db, a, p) != 0 || generation_bump(db, "projects") != 0)
            return -1;
        return cfg ? notify_new(db, a, cfg, p) : 0;
    }

    project_change_t diff[PROJECT_FIELDS_MAX];
    size_t n = projects_diff(a, old, p, diff, PROJECT_FIELDS_MAX);
    if (n == 0)
        return 0;
    if (db_prepare(db, sql_update, &st) != 0)
        return -1;
    bind_fields(st, p);
    bind_optional_id(st, 22, actor_id);
    db_bind_int64(st, 23, now);
    db_bind_int64(st, 24, old->id);
    db_bind_int64(st, 25, old->version);
    int rc = db_step(st);
    int64_t updated = rc == DB_DONE ? db_changes(st) : 0;
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    if (updated == 0)
        return PROJECTS_ECONFLICT;
    p->id = old->id;
    p->version = old->version + 1;
    p->created_at = old->created_at;
    p->updated_at = now;
    if (write_districts(db, p) != 0 || write_changes(db, p->id, diff, n, explanation, actor_id, now) != 0 ||
        index_project(db, a, p) != 0 || generation_bump(db, "projects") != 0)
        return -1;
    *changes = n;
    return cfg ? notify_changed(db, a, cfg, old, p, diff, n, explanation) : 0;
}

/* ---- editions ----------------------------------------------------------------------- */

/* The order of an edition: titles A–Z (German dictionary order), then id. */
typedef struct keyed_entry {
    const char *key;
    int64_t id;
    json_t *obj;
} keyed_entry_t;

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed_entry_t *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->id > b->id) - (a->id < b->id);
}

int projects_publish_edition(db_t *db, arena_t *a, int year, int quarter, const char *note, int64_t actor_id,
                             int64_t now, int64_t *id)
{
    *id = 0;
    /* Every id first: loading runs other statements, which must not interleave with this one. */
    db_stmt_t *st;
    if (db_prepare(db, sql_all_ids, &st) != 0)
        return -1;
    size_t cap = 256, n = 0;
    int64_t *ids = arena_alloc(a, cap * sizeof(*ids));
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            int64_t *more = arena_alloc(a, cap * 2 * sizeof(*more));
            memcpy(more, ids, n * sizeof(*ids));
            ids = more;
            cap *= 2;
        }
        ids[n++] = db_column_int64(st, 0);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    project_t *projects = arena_alloc(a, (n ? n : 1) * sizeof(*projects));
    if (projects_load(db, a, ids, n, projects) != 0)
        return -1;
    keyed_entry_t *entries = arena_alloc(a, (n ? n : 1) * sizeof(*entries));
    size_t m = 0;
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (projects[i].id == 0)
            continue;
        json_t *o = projects_json(&projects[i]);
        json_t *changes;
        if (projects_changes_json(db, projects[i].id, &changes) != 0) {
            json_decref(o);
            failed = 1;
            break;
        }
        json_object_set_new(o, "changes", changes);
        entries[m++] = (keyed_entry_t){projects_sort_key(a, projects[i].title), projects[i].id, o};
    }
    json_t *snapshot = json_array();
    if (m > 1)
        qsort(entries, m, sizeof(entries[0]), cmp_keyed);
    for (size_t i = 0; i < m; i++)
        json_array_append_new(snapshot, entries[i].obj);
    if (failed) {
        json_decref(snapshot);
        return -1;
    }
    char *text = json_dumps(snapshot, JSON_COMPACT);
    json_decref(snapshot);
    if (!text)
        return -1;
    rc = -1;
    if (strlen(text) <= SNAPSHOT_MAX && db_prepare(db, sql_edition_add, &st) == 0) {
        db_bind_int64(st, 1, year);
        db_bind_int64(st, 2, quarter);
        db_bind_text(st, 3, arena_printf(a, "Ausgabe %d/%d", quarter, year), -1);
        db_bind_text(st, 4, note ? note : "", -1);
        db_bind_int64(st, 5, (int64_t)m);
        db_bind_text(st, 6, text, -1);
        bind_optional_id(st, 7, actor_id);
        db_bind_int64(st, 8, now);
        int step = db_step(st);
        if (step == DB_ROW) {
            *id = db_column_int64(st, 0);
            rc = 0;
        } else if (step == DB_DONE) {
            rc = 1; /* ON CONFLICT: that quarter has its edition */
        }
        db_reset(st);
    }
    free(text);
    return rc;
}
