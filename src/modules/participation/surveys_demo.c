/* surveys_demo.c — the demo survey and event (`rathaus demo`), read from
 * data/participation/surveys.json: a survey with the four kinds of question and
 * a few answer sets, and an event with registrations, for the demo process
 * (found by its title, else the first process; without any process nothing is
 * loaded). The survey runs through the process's consultation phase, so the
 * demo can be answered; its results are public while it runs.
 *
 * Answers and registrations come from the demo residents that processes_demo
 * made (accounts without a password); residents that do not exist are left
 * out. Loading twice changes nothing: a survey or event with the demo's title
 * in that process is left alone.
 */
#include <stdio.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/surveys_internal.h"

#define DEMO_FILE "data/participation/surveys.json"
#define DAY 86400

static const char sql_process_by_title[] = "SELECT id FROM participation_processes WHERE title = $1";
static const char sql_first_process[] = "SELECT id FROM participation_processes ORDER BY id LIMIT 1";
static const char sql_survey_by_title[] = "SELECT id FROM surveys WHERE process_id = $1 AND title = $2";
static const char sql_event_by_title[] = "SELECT id FROM participation_events WHERE process_id = $1 AND title = $2";
static const char sql_phase_of_kind[] =
    "SELECT id, starts_at, ends_at FROM process_phases WHERE process_id = $1 AND kind = $2 ORDER BY starts_at LIMIT 1";
static const char sql_user_by_email[] = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL";

typedef struct demo {
    db_t *db;
    arena_t arena;
    int64_t now;
    int64_t process_id;
    int64_t phase_id, phase_start, phase_end; /* the phase named by phase_kind; 0 when none */
} demo_t;

/* A JSON string's text, "" for anything else. */
static const char *text_of(json_t *v)
{
    const char *s = json_string_value(v);
    return s ? s : "";
}

static const char *str(json_t *o, const char *key)
{
    return text_of(json_object_get(o, key));
}

/* Whether process_id already has a survey or event (sql) titled title: 1, 0, < 0. */
static int exists(demo_t *d, const char *sql, const char *title)
{
    db_stmt_t *st;
    if (db_prepare(d->db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, d->process_id);
    db_bind_text(st, 2, title, -1);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

static int find_phase(demo_t *d, const char *kind)
{
    db_stmt_t *st;
    if (db_prepare(d->db, sql_phase_of_kind, &st) != 0)
        return -1;
    db_bind_int64(st, 1, d->process_id);
    db_bind_text(st, 2, kind, -1);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        d->phase_id = db_column_int64(st, 0);
        d->phase_start = db_column_int64(st, 1);
        d->phase_end = db_column_int64(st, 2);
    }
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* The first second of the local day offset days from today (or of the day after, end). */
static int day_from_now(demo_t *d, json_int_t offset, int end, int64_t *t)
{
    const char *iso = surveys_iso_day(&d->arena, d->now + (int64_t)offset * DAY);
    return end ? surveys_parse_day_end(iso, t) : surveys_parse_day(iso, t);
}

/* One answer set of the file (answers: one entry per question) for user_id. */
static int add_answer_set(demo_t *d, const survey_t *s, int64_t user_id, json_t *answers, int64_t at)
{
    survey_answer_input_t *in = arena_alloc(&d->arena, (s->question_count + 1) * sizeof *in);
    for (size_t i = 0; i < s->question_count; i++) {
        const survey_question_t *q = &s->questions[i];
        json_t *a = json_array_get(answers, i);
        if (q->kind == SURVEY_TEXT) {
            in[i].text = json_string_value(a);
        } else if (q->kind == SURVEY_RATING) {
            json_int_t r = json_integer_value(a);
            in[i].rating = r >= 1 && r <= SURVEY_RATING_STEPS ? (int)r : 0;
        } else {
            int64_t *ids = arena_alloc(&d->arena, (q->option_count + 1) * sizeof *ids);
            size_t n = 0;
            json_t *list = json_is_array(a) ? a : NULL;
            size_t count = list ? json_array_size(list) : json_is_integer(a) ? 1 : 0;
            for (size_t k = 0; k < count && n < q->option_count; k++) {
                json_int_t idx = json_integer_value(list ? json_array_get(list, k) : a);
                if (idx >= 0 && (size_t)idx < q->option_count)
                    ids[n++] = q->options[idx].id;
            }
            in[i].option_ids = ids;
            in[i].option_count = n;
        }
    }
    return surveys_store_response(d->db, s, user_id, in, at) < 0 ? -1 : 0;
}

static int add_survey(demo_t *d, json_t *o, json_t *answer_sets)
{
    int found = exists(d, sql_survey_by_title, str(o, "title"));
    if (found != 0)
        return found < 0 ? -1 : 0;
    if (find_phase(d, str(o, "phase_kind")) != 0)
        return -1;
    survey_input_t in = {.title = str(o, "title"),
                         .description = str(o, "description"),
                         .status = "veroeffentlicht",
                         .live_results = json_is_true(json_object_get(o, "live_results")),
                         .replace_questions = 1};
    if (d->phase_id) {
        in.phase_id = d->phase_id;
        in.opens_at = d->phase_start;
        in.closes_at = d->phase_end;
    } else if (day_from_now(d, json_integer_value(json_object_get(o, "from_day")), 0, &in.opens_at) != 0 ||
               day_from_now(d, json_integer_value(json_object_get(o, "to_day")), 1, &in.closes_at) != 0) {
        return -1;
    }
    json_t *questions = json_object_get(o, "questions");
    size_t nq = json_array_size(questions);
    survey_question_t *qs = arena_alloc(&d->arena, (nq + 1) * sizeof *qs);
    for (size_t i = 0; i < nq && i < SURVEY_QUESTIONS_MAX; i++) {
        json_t *q = json_array_get(questions, i);
        int kind = surveys_choice_index(surveys_kinds, SURVEY_KIND_COUNT, str(q, "kind"));
        qs[i].kind = kind < 0 ? SURVEY_TEXT : kind;
        qs[i].text = str(q, "text");
        qs[i].required = json_is_true(json_object_get(q, "required"));
        json_t *options = json_object_get(q, "options");
        size_t no = json_array_size(options);
        qs[i].options = arena_alloc(&d->arena, (no + 1) * sizeof *qs[i].options);
        for (size_t k = 0; k < no && k < SURVEY_OPTIONS_MAX; k++)
            qs[i].options[qs[i].option_count++].label = json_string_value(json_array_get(options, k));
        in.question_count++;
    }
    in.questions = qs;
    int64_t sid = 0;
    survey_t s;
    if (surveys_store_save(d->db, d->process_id, &in, 0, d->now - 7 * DAY, &sid) != 0 ||
        surveys_load(d->db, &d->arena, d->process_id, sid, &s) != 0)
        return -1;
    for (size_t i = 0; i < json_array_size(answer_sets); i++) {
        json_t *set = json_array_get(answer_sets, i);
        int64_t uid = 0;
        int rc = db_query_int64_text(d->db, sql_user_by_email, str(set, "resident"), NULL, &uid);
        if (rc < 0)
            return -1;
        if (rc == 1)
            continue; /* no such demo resident */
        if (add_answer_set(d, &s, uid, json_object_get(set, "answers"), d->now - DAY + (int64_t)i * 600) != 0)
            return -1;
    }
    return 0;
}

static int add_event(demo_t *d, json_t *o)
{
    int found = exists(d, sql_event_by_title, str(o, "title"));
    if (found != 0)
        return found < 0 ? -1 : 0;
    event_t e = {.title = str(o, "title"),
                 .description = str(o, "description"),
                 .status = "veroeffentlicht",
                 .place = str(o, "place"),
                 .address = str(o, "address"),
                 .accessibility_note = str(o, "accessibility_note"),
                 .capacity = json_integer_value(json_object_get(o, "capacity"))};
    const char *day = surveys_iso_day(&d->arena, d->now + (int64_t)json_integer_value(json_object_get(o, "day")) * DAY);
    if (surveys_parse_datetime(arena_printf(&d->arena, "%sT%s", day, str(o, "start")), &e.starts_at) != 0)
        return -1;
    e.ends_at = e.starts_at + (int64_t)json_integer_value(json_object_get(o, "minutes")) * 60;
    e.registration_until = e.starts_at;
    if (e.capacity < 1)
        e.capacity = 1;
    json_t *features = json_object_get(o, "features");
    for (size_t i = 0; i < json_array_size(features); i++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(events_features[k].field, text_of(json_array_get(features, i))))
                e.features[k] = 1;
    if (d->phase_id && e.starts_at >= d->phase_start && e.starts_at < d->phase_end)
        e.phase_id = d->phase_id;
    int64_t eid = 0;
    if (events_store_save(d->db, d->process_id, &e, 0, d->now - 7 * DAY, &eid) != 0)
        return -1;
    json_t *people = json_object_get(o, "registrations");
    for (size_t i = 0; i < json_array_size(people); i++) {
        int64_t uid = 0;
        int rc = db_query_int64_text(d->db, sql_user_by_email, text_of(json_array_get(people, i)), NULL, &uid);
        if (rc < 0)
            return -1;
        if (rc == 0 && events_store_register(d->db, eid, uid, d->now - DAY + (int64_t)i * 600) < 0)
            return -1;
    }
    return 0;
}

int surveys_demo(db_t *db)
{
    json_error_t jerr;
    json_t *root = json_load_file(DEMO_FILE, 0, &jerr);
    if (!root) {
        fprintf(stderr, "rathaus: %s:%d: %s\n", DEMO_FILE, jerr.line, jerr.text);
        return -1;
    }
    demo_t d = {.db = db, .now = surveys_now()};
    arena_init(&d.arena);
    int rc = db_query_int64_text(db, sql_process_by_title, str(root, "process_title"), NULL, &d.process_id);
    if (rc == 1)
        rc = db_query_int64(db, sql_first_process, &d.process_id);
    if (rc != 0) {
        rc = rc == 1 ? 0 : -1; /* no process at all: nothing to attach to */
        goto out;
    }
    rc = -1;
    if (db_begin_write(db) != 0)
        goto out;
    if (add_survey(&d, json_object_get(root, "survey"), json_object_get(root, "answers")) != 0 ||
        add_event(&d, json_object_get(root, "event")) != 0 || db_commit(db) != 0) {
        db_rollback(db);
        goto out;
    }
    rc = 0;
out:
    arena_clear(&d.arena);
    json_decref(root);
    return rc;
}
