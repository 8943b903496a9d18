/* surveys_store.c — the queries and writes of surveys (004_surveys.sql):
 * a survey with its questions and options, the list of a process's surveys, the
 * tallies of the results (grouped counts, so a page costs four queries however
 * many answers there are), the answers file, and the writes of staff and of
 * residents.
 *
 * One answer set per account: the insert of survey_responses has ON CONFLICT DO
 * NOTHING on (survey_id, user_id), so of two sets sent at the same moment the
 * second finds the first and stores nothing. The same transaction raises the
 * survey's response_count; a staff edit updates the survey row first, so the two
 * are ordered and questions are never replaced under an answer set.
 */
#include <string.h>

#include "modules/participation/surveys_internal.h"

#define TEXTS_SHOWN 500 /* free texts per question on the results page (all are in the CSV) */

/* A growing array in the arena: doubles and copies when full. */
static void *grow(arena_t *a, void *items, size_t size, size_t count, size_t *cap)
{
    if (count < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *n = arena_alloc(a, ncap * size);
    if (count)
        memcpy(n, items, count * size);
    *cap = ncap;
    return n;
}

static int kind_of(const char *value)
{
    int k = surveys_choice_index(surveys_kinds, SURVEY_KIND_COUNT, value);
    return k < 0 ? SURVEY_TEXT : k; /* only our forms write kinds: never reached */
}

/* ---- loading ------------------------------------------------------------------------------------ */

static const char sql_survey[] =
    "SELECT id, process_id, COALESCE(phase_id, 0), title, description, status, opens_at, closes_at,"
    " COALESCE(closed_at, 0), live_results, created_at, updated_at, response_count"
    " FROM surveys WHERE id = $1 AND process_id = $2";
static const char sql_questions[] =
    "SELECT id, kind, text, required FROM survey_questions WHERE survey_id = $1 ORDER BY position, id";
static const char sql_options[] =
    "SELECT o.id, o.question_id, o.label FROM survey_options o JOIN survey_questions q ON q.id = o.question_id"
    " WHERE q.survey_id = $1 ORDER BY q.position, q.id, o.position, o.id";

/* The columns of sql_survey from 0 on (the list has no description: "" there). */
static void read_survey(db_stmt_t *st, arena_t *a, survey_t *s, int with_description)
{
    memset(s, 0, sizeof *s);
    s->id = db_column_int64(st, 0);
    s->process_id = db_column_int64(st, 1);
    s->phase_id = db_column_int64(st, 2);
    s->title = arena_strdup(a, db_column_text(st, 3));
    s->description = with_description ? arena_strdup(a, db_column_text(st, 4)) : "";
    s->status = arena_strdup(a, db_column_text(st, 5));
    s->opens_at = db_column_int64(st, 6);
    s->closes_at = db_column_int64(st, 7);
    s->closed_at = db_column_int64(st, 8);
    s->live_results = db_column_int64(st, 9) != 0;
    s->created_at = db_column_int64(st, 10);
    s->updated_at = db_column_int64(st, 11);
    s->response_count = db_column_int64(st, 12);
}

static int load_questions(db_t *db, arena_t *a, survey_t *s)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_questions, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        s->questions = grow(a, s->questions, sizeof *s->questions, s->question_count, &cap);
        survey_question_t *q = &s->questions[s->question_count++];
        memset(q, 0, sizeof *q);
        q->id = db_column_int64(st, 0);
        q->kind = kind_of(db_column_text(st, 1));
        q->text = arena_strdup(a, db_column_text(st, 2));
        q->required = db_column_int64(st, 3) != 0;
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_options, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    /* Options come in question order: fill each question's array as its rows pass. */
    size_t qi = 0, ocap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t qid = db_column_int64(st, 1);
        while (qi < s->question_count && s->questions[qi].id != qid) {
            qi++;
            ocap = 0;
        }
        if (qi == s->question_count)
            break; /* cannot happen: the same order as the questions */
        survey_question_t *q = &s->questions[qi];
        q->options = grow(a, q->options, sizeof *q->options, q->option_count, &ocap);
        q->options[q->option_count++] =
            (survey_option_t){.id = db_column_int64(st, 0), .label = arena_strdup(a, db_column_text(st, 2))};
    }
    db_reset(st);
    return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

int surveys_load(db_t *db, arena_t *a, int64_t process_id, int64_t id, survey_t *out)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_survey, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, process_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_survey(st, a, out, 1);
    db_reset(st);
    if (rc == DB_DONE)
        return 1;
    if (rc != DB_ROW)
        return -1;
    return load_questions(db, a, out);
}

static const char sql_list[] = "SELECT id, process_id, COALESCE(phase_id, 0), title, '', status, opens_at, closes_at,"
                               " COALESCE(closed_at, 0), live_results, created_at, updated_at, response_count"
                               " FROM surveys WHERE process_id = $1 AND ($2 = 1 OR status = 'veroeffentlicht')"
                               " ORDER BY opens_at, id LIMIT 200";
_Static_assert(SURVEY_LIST_MAX == 200, "sql_list's LIMIT");

int surveys_list(db_t *db, arena_t *a, int64_t process_id, int with_drafts, survey_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_list, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_int64(st, 2, with_drafts ? 1 : 0);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        *out = grow(a, *out, sizeof **out, *n, &cap);
        read_survey(st, a, &(*out)[(*n)++], 0);
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* ---- tallies ---------------------------------------------------------------------------------------- */

static const char sql_answered[] =
    "SELECT a.question_id, COUNT(DISTINCT a.response_id) FROM survey_answers a"
    " JOIN survey_questions q ON q.id = a.question_id WHERE q.survey_id = $1 GROUP BY a.question_id";
static const char sql_option_counts[] =
    "SELECT a.option_id, COUNT(*) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id"
    " WHERE q.survey_id = $1 AND a.option_id IS NOT NULL GROUP BY a.option_id";
static const char sql_rating_counts[] =
    "SELECT a.question_id, a.rating, COUNT(*) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id"
    " WHERE q.survey_id = $1 AND a.rating IS NOT NULL GROUP BY a.question_id, a.rating";
static const char sql_texts[] =
    "SELECT a.id, a.question_id, a.text, COALESCE(a.hidden_at, 0), a.hidden_reason FROM survey_answers a"
    " JOIN survey_questions q ON q.id = a.question_id WHERE q.survey_id = $1 AND a.text IS NOT NULL ORDER BY a.id";

static survey_question_t *question_by_id(survey_t *s, int64_t id)
{
    for (size_t i = 0; i < s->question_count; i++)
        if (s->questions[i].id == id)
            return &s->questions[i];
    return NULL;
}

int surveys_tally(db_t *db, arena_t *a, survey_t *s, int with_texts)
{
    db_stmt_t *st;
    int rc;
    /* The count as of now, not as of loading (the figures below are read now too). */
    s->response_count = surveys_response_count(db, s->id);
    if (s->response_count < 0 || db_prepare(db, sql_answered, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    while ((rc = db_step(st)) == DB_ROW) {
        survey_question_t *q = question_by_id(s, db_column_int64(st, 0));
        if (q)
            q->answered = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_option_counts, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t option = db_column_int64(st, 0);
        for (size_t i = 0; i < s->question_count; i++)
            for (size_t k = 0; k < s->questions[i].option_count; k++)
                if (s->questions[i].options[k].id == option)
                    s->questions[i].options[k].count = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_rating_counts, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    while ((rc = db_step(st)) == DB_ROW) {
        survey_question_t *q = question_by_id(s, db_column_int64(st, 0));
        int64_t r = db_column_int64(st, 1);
        if (q && r >= 1 && r <= SURVEY_RATING_STEPS)
            q->ratings[r - 1] = db_column_int64(st, 2);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    if (with_texts) {
        if (db_prepare(db, sql_texts, &st) != 0)
            return -1;
        db_bind_int64(st, 1, s->id);
        size_t *caps = arena_alloc(a, (s->question_count + 1) * sizeof *caps);
        while ((rc = db_step(st)) == DB_ROW) {
            survey_question_t *q = question_by_id(s, db_column_int64(st, 1));
            if (!q || q->text_count >= TEXTS_SHOWN)
                continue;
            size_t qi = (size_t)(q - s->questions);
            q->texts = grow(a, q->texts, sizeof *q->texts, q->text_count, &caps[qi]);
            int hidden = db_column_int64(st, 3) != 0;
            q->texts[q->text_count++] = (survey_text_answer_t){
                .id = db_column_int64(st, 0),
                .text = arena_strdup(a, db_column_text(st, 2)),
                .hidden = hidden,
                .hidden_reason = hidden ? arena_strdup(a, db_column_text(st, 4)) : "",
            };
        }
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    return 0;
}

/* ---- the answers file ------------------------------------------------------------------------------- */

static const char sql_answer_rows[] =
    "SELECT r.id, COALESCE(a.question_id, 0), o.label, COALESCE(a.rating, 0), a.text, COALESCE(a.hidden_at, 0)"
    " FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id"
    " LEFT JOIN survey_questions q ON q.id = a.question_id LEFT JOIN survey_options o ON o.id = a.option_id"
    " WHERE r.survey_id = $1 ORDER BY r.id, q.position, o.position, a.id";

int surveys_answers_csv(db_t *db, arena_t *a, const survey_t *s, int with_hidden, buf_t *b)
{
    if (surveys_csv_answers_header(b, s) != 0)
        return BUF_ETOOBIG;
    db_stmt_t *st;
    if (db_prepare(db, sql_answer_rows, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    const char **cells = arena_alloc(a, (s->question_count + 1) * sizeof *cells);
    /* The cells of one set are built in a small arena of their own, so a long file
     * does not keep every cell of every row in memory. */
    arena_t row;
    arena_init(&row);
    int64_t current = 0, number = 0;
    int rc, out = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t response = db_column_int64(st, 0);
        if (response != current) {
            if (current && surveys_csv_answers_row(b, s, ++number, cells) != 0) {
                out = BUF_ETOOBIG;
                break;
            }
            arena_clear(&row);
            memset(cells, 0, (s->question_count + 1) * sizeof *cells);
            current = response;
        }
        int64_t qid = db_column_int64(st, 1);
        size_t qi = 0;
        while (qi < s->question_count && s->questions[qi].id != qid)
            qi++;
        if (qi == s->question_count)
            continue; /* a set without any answer: its row stays empty */
        const char *value;
        if (!db_column_is_null(st, 2))
            value = db_column_text(st, 2);
        else if (db_column_int64(st, 3) > 0)
            value = arena_printf(&row, "%lld", (long long)db_column_int64(st, 3));
        else if (db_column_int64(st, 5) != 0 && !with_hidden)
            value = "[ausgeblendet]";
        else
            value = db_column_text(st, 4) ? db_column_text(st, 4) : "";
        /* A multiple choice question's options share one cell. */
        cells[qi] = cells[qi] ? arena_printf(&row, "%s; %s", cells[qi], value) : arena_strdup(&row, value);
    }
    db_reset(st);
    if (!out && rc == DB_DONE && current && surveys_csv_answers_row(b, s, ++number, cells) != 0)
        out = BUF_ETOOBIG;
    arena_clear(&row);
    if (out)
        return out;
    return rc == DB_DONE ? 0 : -1;
}

static const char sql_has_answered[] = "SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1 AND user_id = $2";

int surveys_answered(db_t *db, int64_t survey_id, int64_t user_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_has_answered, &st) != 0)
        return -1;
    db_bind_int64(st, 1, survey_id);
    db_bind_int64(st, 2, user_id);
    int rc = db_step(st);
    int yes = rc == DB_ROW && db_column_int64(st, 0) > 0;
    db_reset(st);
    return rc == DB_ROW ? yes : -1;
}

static const char sql_response_count[] = "SELECT response_count FROM surveys WHERE id = $1";

int64_t surveys_response_count(db_t *db, int64_t survey_id)
{
    int64_t n = 0;
    int rc = db_query_int64_arg(db, sql_response_count, survey_id, &n);
    return rc < 0 ? -1 : n;
}

/* ---- writes -------------------------------------------------------------------------------------------- */

/* Steps a write statement to its end and returns it to the cache: 0 or < 0. */
static int run(db_stmt_t *st)
{
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

static const char sql_create[] =
    "INSERT INTO surveys (process_id, phase_id, title, description, status, opens_at, closes_at, live_results,"
    " created_by, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $10)"
    " RETURNING id";
static const char sql_update[] =
    "UPDATE surveys SET phase_id = $3, title = $4, description = $5, status = $6, opens_at = $7, closes_at = $8,"
    " live_results = $9, updated_by = $10, updated_at = $11 WHERE id = $1 AND process_id = $2 RETURNING response_count";
static const char sql_delete_questions[] = "DELETE FROM survey_questions WHERE survey_id = $1";
static const char sql_add_question[] =
    "INSERT INTO survey_questions (survey_id, position, kind, text, required) VALUES ($1, $2, $3, $4, $5) RETURNING id";
static const char sql_add_option[] = "INSERT INTO survey_options (question_id, position, label) VALUES ($1, $2, $3)";

static void bind_optional_id(db_stmt_t *st, int idx, int64_t id)
{
    if (id > 0)
        db_bind_int64(st, idx, id);
    else
        db_bind_null(st, idx);
}

static int add_questions(db_t *db, int64_t survey_id, const survey_input_t *in)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_delete_questions, &st) != 0)
        return -1;
    db_bind_int64(st, 1, survey_id);
    if (run(st) != 0)
        return -1;
    for (size_t i = 0; i < in->question_count; i++) {
        const survey_question_t *q = &in->questions[i];
        if (db_prepare(db, sql_add_question, &st) != 0)
            return -1;
        db_bind_int64(st, 1, survey_id);
        db_bind_int64(st, 2, (int64_t)i);
        db_bind_text(st, 3, surveys_kinds[q->kind].value, -1);
        db_bind_text(st, 4, q->text, -1);
        db_bind_int64(st, 5, q->required ? 1 : 0);
        int rc = db_step(st);
        int64_t qid = rc == DB_ROW ? db_column_int64(st, 0) : 0;
        db_reset(st);
        if (rc != DB_ROW)
            return -1;
        for (size_t k = 0; k < q->option_count; k++) {
            if (db_prepare(db, sql_add_option, &st) != 0)
                return -1;
            db_bind_int64(st, 1, qid);
            db_bind_int64(st, 2, (int64_t)k);
            db_bind_text(st, 3, q->options[k].label, -1);
            if (run(st) != 0)
                return -1;
        }
    }
    return 0;
}

int surveys_store_save(db_t *db, int64_t process_id, const survey_input_t *in, int64_t actor_id, int64_t now,
                       int64_t *id)
{
    db_stmt_t *st;
    int rc;
    if (*id == 0) {
        if (db_prepare(db, sql_create, &st) != 0)
            return -1;
        db_bind_int64(st, 1, process_id);
        bind_optional_id(st, 2, in->phase_id);
        db_bind_text(st, 3, in->title, -1);
        db_bind_text(st, 4, in->description, -1);
        db_bind_text(st, 5, in->status, -1);
        db_bind_int64(st, 6, in->opens_at);
        db_bind_int64(st, 7, in->closes_at);
        db_bind_int64(st, 8, in->live_results ? 1 : 0);
        bind_optional_id(st, 9, actor_id);
        db_bind_int64(st, 10, now);
        rc = db_step(st);
        if (rc == DB_ROW)
            *id = db_column_int64(st, 0);
        db_reset(st);
        if (rc != DB_ROW)
            return -1;
        return add_questions(db, *id, in);
    }
    if (db_prepare(db, sql_update, &st) != 0)
        return -1;
    db_bind_int64(st, 1, *id);
    db_bind_int64(st, 2, process_id);
    bind_optional_id(st, 3, in->phase_id);
    db_bind_text(st, 4, in->title, -1);
    db_bind_text(st, 5, in->description, -1);
    db_bind_text(st, 6, in->status, -1);
    db_bind_int64(st, 7, in->opens_at);
    db_bind_int64(st, 8, in->closes_at);
    db_bind_int64(st, 9, in->live_results ? 1 : 0);
    bind_optional_id(st, 10, actor_id);
    db_bind_int64(st, 11, now);
    rc = db_step(st);
    int64_t responses = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW)
        return -1;
    if (!in->replace_questions)
        return 0;
    /* The row is locked by the update: no answer set can slip in from here on. */
    if (responses > 0)
        return 2;
    return add_questions(db, *id, in);
}

static const char sql_close[] = "UPDATE surveys SET closed_at = $2, updated_at = $2, updated_by = $3"
                                " WHERE id = $1 AND closed_at IS NULL AND closes_at > $2";

int surveys_store_close(db_t *db, int64_t survey_id, int64_t actor_id, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_close, &st) != 0)
        return -1;
    db_bind_int64(st, 1, survey_id);
    db_bind_int64(st, 2, now);
    bind_optional_id(st, 3, actor_id);
    int rc = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    return changed == 1 ? 0 : 1;
}

static const char sql_add_response[] =
    "INSERT INTO survey_responses (survey_id, user_id, created_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (survey_id, user_id) DO NOTHING RETURNING id";
static const char sql_count_response[] = "UPDATE surveys SET response_count = response_count + 1 WHERE id = $1";
static const char sql_add_answer[] =
    "INSERT INTO survey_answers (response_id, question_id, option_id, rating, text) VALUES ($1, $2, $3, $4, $5)";

/* One row of survey_answers. */
static int add_answer(db_t *db, int64_t response, int64_t question, int64_t option, int rating, const char *text)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_add_answer, &st) != 0)
        return -1;
    db_bind_int64(st, 1, response);
    db_bind_int64(st, 2, question);
    bind_optional_id(st, 3, option);
    if (rating > 0)
        db_bind_int64(st, 4, rating);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, text, -1); /* NULL binds NULL */
    return run(st);
}

int surveys_store_response(db_t *db, const survey_t *s, int64_t user_id, const survey_answer_input_t *answers,
                           int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_add_response, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, now);
    int rc = db_step(st);
    int64_t response = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc == DB_DONE)
        return 1;
    if (rc != DB_ROW || db_prepare(db, sql_count_response, &st) != 0)
        return -1;
    db_bind_int64(st, 1, s->id);
    if (run(st) != 0)
        return -1;
    for (size_t i = 0; i < s->question_count; i++) {
        const survey_answer_input_t *a = &answers[i];
        int64_t qid = s->questions[i].id;
        for (size_t k = 0; k < a->option_count; k++)
            if (add_answer(db, response, qid, a->option_ids[k], 0, NULL) != 0)
                return -1;
        if (a->rating > 0 && add_answer(db, response, qid, 0, a->rating, NULL) != 0)
            return -1;
        if (a->text && *a->text && add_answer(db, response, qid, 0, 0, a->text) != 0)
            return -1;
    }
    return 0;
}

static const char sql_hide[] =
    "UPDATE survey_answers SET hidden_at = $3, hidden_reason = $4, hidden_by = $5 WHERE id = $1 AND text IS NOT NULL"
    " AND question_id IN (SELECT id FROM survey_questions WHERE survey_id = $2)";
static const char sql_unhide[] =
    "UPDATE survey_answers SET hidden_at = NULL, hidden_reason = '', hidden_by = NULL WHERE id = $1"
    " AND hidden_at IS NOT NULL AND question_id IN (SELECT id FROM survey_questions WHERE survey_id = $2)";

int surveys_store_hide(db_t *db, int64_t survey_id, int64_t answer_id, const char *reason, int64_t actor_id,
                       int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, reason ? sql_hide : sql_unhide, &st) != 0)
        return -1;
    db_bind_int64(st, 1, answer_id);
    db_bind_int64(st, 2, survey_id);
    if (reason) {
        db_bind_int64(st, 3, now);
        db_bind_text(st, 4, reason, -1);
        bind_optional_id(st, 5, actor_id);
    }
    int rc = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    return changed > 0 ? 0 : 1;
}
