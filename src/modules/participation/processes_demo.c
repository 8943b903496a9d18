/* processes_demo.c — the demo participation process (`rathaus demo`), read from
 * data/participation/processes.json: a process for a Vorhaben of the demo
 * Vorhabenliste (found by its title; a standalone process when there is none)
 * in its consultation phase, with proposals, supports, answers, and comments
 * with replies by a handful of demo residents.
 *
 * Phase dates are given in days relative to today, so the demo is always in
 * its consultation phase. The residents are accounts without a password (they
 * cannot sign in): they only give the contributions their authors. Loading
 * twice changes nothing: a process with the demo's title is left alone.
 */
#include <stdio.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/processes.h"

#define DEMO_FILE "data/participation/processes.json"
#define DEMO_RESIDENTS_MAX 32
#define DAY 86400

static const char sql_process_by_title[] = "SELECT id FROM participation_processes WHERE title = $1";
static const char sql_project_by_title[] = "SELECT id FROM projects WHERE title = $1";
static const char sql_unit_by_slug[] = "SELECT id FROM units WHERE slug = $1";
static const char sql_user_by_email[] = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL";
static const char sql_user_add[] =
    "INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at, "
    "updated_at) VALUES ($1, NULL, $2, 0, 1, $3, $2, $2) RETURNING id";

typedef struct demo {
    db_t *db;
    arena_t arena;
    int64_t now;
    int64_t process_id;
    int64_t residents[DEMO_RESIDENTS_MAX];
    size_t resident_count;
} demo_t;

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The user id of a resident index in the file (the first resident if out of range). */
static int64_t author(const demo_t *d, json_t *o)
{
    json_int_t i = json_integer_value(json_object_get(o, "author"));
    return i >= 0 && (size_t)i < d->resident_count ? d->residents[i] : d->residents[0];
}

static int add_residents(demo_t *d, json_t *list)
{
    for (size_t i = 0; i < json_array_size(list) && d->resident_count < DEMO_RESIDENTS_MAX; i++) {
        json_t *r = json_array_get(list, i);
        int64_t id = 0;
        int rc = db_query_int64_text(d->db, sql_user_by_email, str(r, "email"), NULL, &id);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            db_stmt_t *st;
            if (db_prepare(d->db, sql_user_add, &st) != 0)
                return -1;
            db_bind_text(st, 1, str(r, "email"), -1);
            db_bind_int64(st, 2, d->now - 60 * DAY);
            db_bind_text(st, 3, str(r, "name"), -1);
            rc = db_step(st);
            if (rc == DB_ROW)
                id = db_column_int64(st, 0);
            db_reset(st);
            if (rc != DB_ROW)
                return -1;
        }
        d->residents[d->resident_count++] = id;
    }
    return d->resident_count > 0 ? 0 : -1;
}

/* A comment and its replies, each a little later than the one before. */
static int add_comments(demo_t *d, const char *kind, int64_t target, json_t *list, const comment_t *parent, int64_t *at)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *c = json_array_get(list, i);
        int64_t id = 0;
        *at += 3600;
        if (processes_store_comment(d->db, &d->arena, d->process_id, kind, target, parent, author(d, c), str(c, "text"),
                                    0, *at, &id) != 0)
            return -1;
        comment_t me;
        if (processes_comment_load(d->db, &d->arena, kind, target, id, &me) != 0)
            return -1;
        if (add_comments(d, kind, target, json_object_get(c, "replies"), &me, at) != 0)
            return -1;
    }
    return 0;
}

static int add_phases(demo_t *d, json_t *list)
{
    for (size_t i = 0; i < json_array_size(list) && i < PHASES_MAX; i++) {
        json_t *o = json_array_get(list, i);
        process_phase_t ph = {.kind = str(o, "kind"), .title = str(o, "title"), .description = str(o, "description")};
        int64_t from = d->now + (int64_t)json_integer_value(json_object_get(o, "from_day")) * DAY;
        int64_t to = d->now + (int64_t)json_integer_value(json_object_get(o, "to_day")) * DAY;
        /* Whole local days, as the staff form stores them. */
        if (processes_parse_day(processes_iso_day(&d->arena, from), &ph.starts_at) != 0 ||
            processes_parse_day_end(processes_iso_day(&d->arena, to), &ph.ends_at) != 0)
            return -1;
        json_t *components = json_object_get(o, "components");
        for (size_t c = 0; c < json_array_size(components); c++) {
            int k = processes_choice_index(processes_components, processes_component_count,
                                           json_string_value(json_array_get(components, c)));
            if (k >= 0)
                ph.components[k] = 1;
        }
        if (processes_store_phase(d->db, d->process_id, &ph, d->now) != 0)
            return -1;
    }
    return 0;
}

static int add_proposals(demo_t *d, json_t *list)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        int64_t at =
            d->now - (int64_t)json_integer_value(json_object_get(o, "days_ago")) * DAY - 7200 + (int64_t)i * 60;
        int64_t id = 0;
        if (processes_store_proposal(d->db, d->process_id, author(d, o), str(o, "title"), str(o, "body"), 0, at, &id) !=
            0)
            return -1;
        json_int_t supports = json_integer_value(json_object_get(o, "supports"));
        for (json_int_t s = 0; s < supports && (size_t)s < d->resident_count; s++)
            if (processes_support(d->db, id, d->residents[s], at + 600 * (s + 1)) < 0)
                return -1;
        const char *status = str(o, "status");
        if (*status && strcmp(status, "in_pruefung") != 0 &&
            processes_answer(d->db, id, status, str(o, "reason"), str(o, "answer"), 0, d->now - 3600) != 0)
            return -1;
        int64_t comment_at = at;
        if (add_comments(d, "proposal", id, json_object_get(o, "comments"), NULL, &comment_at) != 0)
            return -1;
    }
    return 0;
}

int processes_demo(db_t *db)
{
    json_error_t jerr;
    json_t *root = json_load_file(DEMO_FILE, 0, &jerr);
    if (!root) {
        fprintf(stderr, "rathaus: %s:%d: %s\n", DEMO_FILE, jerr.line, jerr.text);
        return -1;
    }
    demo_t d = {.db = db, .now = processes_now()};
    arena_init(&d.arena);
    int rc = -1;
    json_t *process = json_object_get(root, "process");
    int64_t existing = 0;
    int found = db_query_int64_text(db, sql_process_by_title, str(process, "title"), NULL, &existing);
    if (found == 0) {
        rc = 0; /* loaded before */
        goto out;
    }
    if (found < 0 || db_begin_write(db) != 0)
        goto out;
    process_input_t in = {.title = str(process, "title"),
                          .summary = str(process, "summary"),
                          .description = str(process, "description"),
                          .status = "veroeffentlicht"};
    if (db_query_int64_text(db, sql_project_by_title, str(root, "project_title"), NULL, &in.project_id) < 0 ||
        db_query_int64_text(db, sql_unit_by_slug, str(process, "unit"), NULL, &in.unit_id) < 0)
        goto fail;
    if (add_residents(&d, json_object_get(root, "residents")) != 0 ||
        processes_store_create(db, &in, 0, d.now - 31 * DAY, &d.process_id) != 0 ||
        add_phases(&d, json_object_get(root, "phases")) != 0 ||
        add_proposals(&d, json_object_get(root, "proposals")) != 0)
        goto fail;
    int64_t at = d.now - 5 * DAY;
    if (add_comments(&d, "process", d.process_id, json_object_get(root, "discussion"), NULL, &at) != 0)
        goto fail;
    if (*str(process, "results_text") &&
        processes_store_results(db, d.process_id, str(process, "results_text"), 0, d.now) != 0)
        goto fail;
    rc = db_commit(db);
    goto out;
fail:
    db_rollback(db);
out:
    arena_clear(&d.arena);
    json_decref(root);
    return rc;
}
