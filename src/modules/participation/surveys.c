/* surveys.c — surveys (Umfragen) and events (Veranstaltungen) of participation
 * processes: the module's route table, the helpers its pages share, the list of
 * a process's surveys, and a survey's page with its answer form.
 *
 * Public addresses (stable: tests, e-mails and the process pages rely on them):
 *   /beteiligung/verfahren/:id/umfragen                     the surveys of a process
 *   /beteiligung/verfahren/:id/umfragen/:sid                a survey; POST: one's answers
 *   /beteiligung/verfahren/:id/umfragen/:sid/ergebnisse     results (charts and tables)
 *   /beteiligung/verfahren/:id/umfragen/:sid/ergebnisse.csv the aggregated results
 *   /beteiligung/verfahren/:id/umfragen/:sid/antworten.csv  one row per answer set
 *   /beteiligung/verfahren/:id/veranstaltungen[/:eid[/kalender.ics]]   events (events.c)
 *   /api/v1/beteiligung/verfahren/:id/umfragen[/:sid/ergebnisse], …/veranstaltungen
 * Staff (PERM_PROCESSES for the process's unit) create and edit under the same
 * addresses (…/neu, …/:sid/bearbeiten); others get 404 for another unit's drafts.
 *
 * Answering: everyone signed in with a confirmed e-mail address who passes the
 * moderation's gate (participation_may_contribute, kind "survey"), once per
 * account — the unique key of survey_responses refuses a second answer set,
 * also one sent at the same moment. A form with mistakes comes back with every
 * answer kept and the mistakes named at the top and at each question.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
#include "modules/participation/surveys_internal.h"
#include "view/i18n.h"
#include "view/markdown.h"
#include "web/auth.h"

#define HTML_MAX (512 * 1024) /* bytes of a description as HTML */

/* ---- shared helpers ------------------------------------------------------------------------ */

int64_t surveys_now(void)
{
    return (int64_t)time(NULL);
}

const char *surveys_tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

int surveys_fail(http_req_t *req, int status, const char *msgid)
{
    http_error(req, status, msgid);
    return SURVEYS_ANSWERED;
}

int64_t surveys_param_id(const http_req_t *req, const char *name)
{
    int64_t v = surveys_number(http_param(req, name), 1, 999999999999LL);
    return v < 0 ? 0 : v;
}

const char *surveys_actor(http_req_t *req)
{
    return arena_printf(req->arena, "user:%" PRId64, req->user ? req->user->id : (int64_t)0);
}

const char *surveys_login_url(http_req_t *req, const char *path)
{
    return auth_login_url(req, path);
}

void surveys_add_error(json_t *errors, const char *id, const char *message)
{
    json_array_append_new(errors, json_pack("{s:s,s:s}", "id", id, "message", message));
}

const char *surveys_markdown(arena_t *a, const char *markdown)
{
    if (!markdown || !*markdown)
        return "";
    buf_t b;
    buf_init(&b, a, 1024, HTML_MAX);
    if (markdown_to_html(markdown, strlen(markdown), &b) != 0 || b.overflow)
        return "";
    return buf_cstr(&b);
}

json_t *surveys_notice(http_req_t *req, const survey_choice_t *notices, size_t n, const char *kind)
{
    int i = surveys_choice_index(notices, n, http_query(req, "hinweis"));
    if (i < 0)
        return NULL;
    return json_pack("{s:s,s:s}", "text", surveys_tr(req, notices[i].label), "kind", kind);
}

static const char sql_process[] =
    "SELECT title, status, COALESCE(unit_id, 0) FROM participation_processes WHERE id = $1";

int surveys_process_of_request(http_req_t *req, int staff, survey_process_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = surveys_param_id(req, "id");
    int found = 0;
    if (out->id > 0) {
        db_stmt_t *st;
        if (db_prepare(req->db, sql_process, &st) != 0)
            return 503;
        db_bind_int64(st, 1, out->id);
        int rc = db_step(st);
        if (rc == DB_ROW) {
            found = 1;
            out->title = arena_strdup(req->arena, db_column_text(st, 0));
            out->published = !strcmp(db_column_text(st, 1), "veroeffentlicht");
            out->unit_id = db_column_int64(st, 2);
        }
        db_reset(st);
        if (rc != DB_ROW && rc != DB_DONE)
            return 503;
    }
    /* A process without a unit: only who holds the permission everywhere (unit 0). */
    out->manage = found && req->user && auth_has_permission_in_unit(req, PERM_PROCESSES, out->unit_id);
    if (!found || (!out->published && !out->manage) || (staff && !out->manage))
        return surveys_fail(req, 404, N_("Dieses Beteiligungsverfahren gibt es nicht."));
    return 0;
}

json_t *surveys_process_json(const survey_process_t *p)
{
    json_t *o = json_pack("{s:I,s:s,s:b}", "id", (json_int_t)p->id, "title", p->title, "draft", !p->published);
    json_object_set_new(o, "url", json_sprintf("/beteiligung/verfahren/%" PRId64, p->id));
    return o;
}

static const char sql_phases[] =
    "SELECT id, title, starts_at, ends_at FROM process_phases WHERE process_id = $1 ORDER BY starts_at, id";

json_t *surveys_phase_options(http_req_t *req, int64_t process_id, int64_t selected)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_phases, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, process_id);
    json_t *options = json_array();
    json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", "", "label",
                                             surveys_tr(req, N_("Keine bestimmte Phase")), "selected", selected == 0));
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        /* ends_at is the first second after the phase: its last day is the day before. */
        const char *label = arena_printf(req->arena, "%s (%s – %s)", db_column_text(st, 1),
                                         surveys_day_label(req->arena, db_column_int64(st, 2)),
                                         surveys_day_label(req->arena, db_column_int64(st, 3) - 1));
        json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", arena_printf(req->arena, "%" PRId64, id),
                                                 "label", label, "selected", id == selected));
    }
    db_reset(st);
    if (rc != DB_DONE) {
        json_decref(options);
        return NULL;
    }
    return options;
}

static const char sql_phase_dates[] = "SELECT starts_at, ends_at FROM process_phases WHERE id = $1 AND process_id = $2";

int surveys_phase_dates(db_t *db, int64_t process_id, int64_t phase_id, int64_t *starts, int64_t *ends)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_phase_dates, &st) != 0)
        return -1;
    db_bind_int64(st, 1, phase_id);
    db_bind_int64(st, 2, process_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *starts = db_column_int64(st, 0);
        *ends = db_column_int64(st, 1);
    }
    db_reset(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* ---- a survey in lists --------------------------------------------------------------------- */

int surveys_of_request(http_req_t *req, const survey_process_t *p, survey_t *out)
{
    int64_t sid = surveys_param_id(req, "sid");
    int rc = sid ? surveys_load(req->db, req->arena, p->id, sid, out) : 1;
    if (rc < 0)
        return 503;
    if (rc == 1 || (surveys_state(out, surveys_now()) == SURVEY_DRAFT && !p->manage))
        return surveys_fail(req, 404, N_("Diese Umfrage gibt es nicht."));
    return 0;
}

json_t *surveys_item_json(http_req_t *req, const survey_process_t *p, const survey_t *s, int64_t now)
{
    survey_state_t st = surveys_state(s, now);
    const char *url = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/umfragen/%" PRId64, p->id, s->id);
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b}", "id", (json_int_t)s->id, "title", s->title, "url", url,
                  "state", surveys_state_name(st), "state_label", surveys_tr(req, surveys_state_label(st)), "opens",
                  surveys_day_label(req->arena, s->opens_at), "closes",
                  surveys_day_label(req->arena, (st == SURVEY_CLOSED && s->closed_at && s->closed_at < s->closes_at)
                                                    ? s->closed_at
                                                    : s->closes_at - 1),
                  "responses", (json_int_t)s->response_count, "is_open", st == SURVEY_OPEN);
    if (surveys_results_public(s, now) || p->manage)
        json_object_set_new(o, "results_url", json_sprintf("%s/ergebnisse", url));
    return o;
}

/* ---- GET /beteiligung/verfahren/:id/umfragen ------------------------------------------------ */

int surveys_list_page(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc != 0)
        return surveys_status(rc);
    survey_t *list;
    size_t n;
    if (surveys_list(req->db, req->arena, p.id, p.manage, &list, &n) != 0)
        return 503;
    int64_t now = surveys_now();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, surveys_item_json(req, &p, &list[i], now));
    int open = processes_component_open(req->db, p.id, "surveys", now);
    if (open < 0)
        return 503;
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", surveys_tr(req, N_("Umfragen")), p.title));
    json_object_set_new(m, "process", surveys_process_json(&p));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "phase_open", json_boolean(open == 1));
    json_object_set_new(m, "may_manage", json_boolean(p.manage));
    return http_render(req, 200, "participation/surveys/list", m);
}

/* ---- a survey's page and its answer form ------------------------------------------------------ */

static const survey_choice_t survey_notices[] = {
    {"danke", N_("Vielen Dank! Ihre Antworten sind gespeichert.")},
    {"angelegt", N_("Die Umfrage ist angelegt.")},
    {"gespeichert", N_("Die Änderungen sind gespeichert.")},
    {"geschlossen", N_("Die Umfrage ist beendet. Die Ergebnisse sind jetzt öffentlich.")},
};

/* What one question's form field shows: the answer given so far and its error. */
typedef struct answer_state {
    const char *text; /* free text */
    int rating;       /* 0: none */
    int64_t *chosen;  /* option ids */
    size_t chosen_count;
    const char *error; /* msgid */
} answer_state_t;

static const char *field_id(http_req_t *req, const survey_question_t *q)
{
    return arena_printf(req->arena, "feld-frage-%" PRId64, q->id);
}

static int chosen(const answer_state_t *a, int64_t option_id)
{
    for (size_t i = 0; a && i < a->chosen_count; i++)
        if (a->chosen[i] == option_id)
            return 1;
    return 0;
}

/* The questions as form fields (templates/participation/surveys/question.html). */
static json_t *question_fields(http_req_t *req, const survey_t *s, const answer_state_t *answers)
{
    json_t *list = json_array();
    for (size_t i = 0; i < s->question_count; i++) {
        const survey_question_t *q = &s->questions[i];
        const answer_state_t *a = answers ? &answers[i] : NULL;
        const char *id = field_id(req, q);
        json_t *f = json_pack("{s:s,s:s,s:s,s:I,s:b,s:b,s:b,s:b,s:b}", "id", id, "name",
                              arena_printf(req->arena, "frage-%" PRId64, q->id), "label", q->text, "number",
                              (json_int_t)(i + 1), "required", q->required, "single", q->kind == SURVEY_SINGLE,
                              "multiple", q->kind == SURVEY_MULTIPLE, "is_text", q->kind == SURVEY_TEXT, "rating",
                              q->kind == SURVEY_RATING);
        if (a && a->error)
            json_object_set_new(f, "error", json_string(surveys_tr(req, a->error)));
        json_object_set_new(f, "value", json_string(a && a->text ? a->text : ""));
        json_t *options = json_array();
        if (q->kind == SURVEY_SINGLE || q->kind == SURVEY_MULTIPLE) {
            for (size_t k = 0; k < q->option_count; k++)
                json_array_append_new(
                    options, json_pack("{s:s,s:s,s:b}", "value", arena_printf(req->arena, "%" PRId64, q->options[k].id),
                                       "label", q->options[k].label, "selected", chosen(a, q->options[k].id)));
        } else if (q->kind == SURVEY_RATING) {
            for (int k = 0; k < SURVEY_RATING_STEPS; k++)
                json_array_append_new(
                    options, json_pack("{s:s,s:s,s:b}", "value", arena_printf(req->arena, "%d", k + 1), "label",
                                       surveys_tr(req, surveys_rating_labels[k]), "selected", a && a->rating == k + 1));
        }
        json_object_set_new(f, "options", options);
        json_object_set_new(
            f, "hint",
            json_string(surveys_tr(req, q->kind == SURVEY_MULTIPLE ? N_("Sie können mehrere Antworten wählen.")
                                        : q->kind == SURVEY_TEXT   ? N_("Höchstens 2.000 Zeichen.")
                                        : q->kind == SURVEY_RATING ? N_("1 heißt sehr schlecht, 5 heißt sehr gut.")
                                                                   : N_("Bitte wählen Sie eine Antwort."))));
        json_array_append_new(list, f);
    }
    return list;
}

/* Why the viewer cannot answer now (a msgid), or NULL; *answered when they did. */
static int answer_refusal(http_req_t *req, const survey_process_t *p, const survey_t *s, int64_t now, const char **why,
                          int *answered)
{
    *why = NULL;
    *answered = 0;
    survey_state_t st = surveys_state(s, now);
    if (st == SURVEY_DRAFT) {
        *why = N_("Diese Umfrage ist ein Entwurf. Sie nimmt noch keine Antworten an.");
        return 0;
    }
    if (st == SURVEY_UPCOMING) {
        *why = N_("Diese Umfrage hat noch nicht begonnen.");
        return 0;
    }
    if (st == SURVEY_CLOSED) {
        *why = N_("Diese Umfrage ist beendet. Sie können nicht mehr teilnehmen.");
        return 0;
    }
    int open = processes_component_open(req->db, p->id, "surveys", now);
    if (open < 0)
        return -1;
    if (open == 0) {
        *why = N_("In der jetzigen Phase des Verfahrens sind Umfragen nicht vorgesehen. Sie können im Moment nicht "
                  "teilnehmen.");
        return 0;
    }
    if (req->user) {
        int rc = surveys_answered(req->db, s->id, req->user->id);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            *answered = 1;
            *why = N_("Sie haben an dieser Umfrage schon teilgenommen. Jede Person kann nur einmal antworten.");
        }
    }
    return 0;
}

/* The survey page; answers and errors NULL for a fresh form. refusal: the gate's msgid. */
static int render_survey(http_req_t *req, const survey_process_t *p, const survey_t *s, int status,
                         const answer_state_t *answers, const char *refusal)
{
    int64_t now = surveys_now();
    const char *why;
    int answered;
    if (answer_refusal(req, p, s, now, &why, &answered) != 0)
        return 503;
    json_t *m = json_object();
    json_t *o = surveys_item_json(req, p, s, now);
    json_object_set_new(o, "description_html", json_string(surveys_markdown(req->arena, s->description)));
    json_object_set_new(o, "question_count", json_integer((json_int_t)s->question_count));
    json_object_set_new(m, "title", json_string(s->title));
    json_object_set_new(m, "survey", o);
    json_object_set_new(m, "process", surveys_process_json(p));
    json_object_set_new(m, "may_manage", json_boolean(p->manage));
    json_object_set_new(m, "draft", json_boolean(surveys_state(s, now) == SURVEY_DRAFT));
    json_t *notice = surveys_notice(req, survey_notices, sizeof survey_notices / sizeof survey_notices[0], "success");
    if (notice)
        json_object_set_new(m, "notice", notice);
    const char *url = json_string_value(json_object_get(o, "url"));
    if (why) {
        json_object_set_new(m, answered ? "answered" : "closed", json_string(surveys_tr(req, why)));
    } else if (!req->user) {
        json_object_set_new(m, "login_url", json_string(surveys_login_url(req, url)));
    } else {
        json_object_set_new(m, "action", json_string(url));
        json_object_set_new(m, "questions", question_fields(req, s, answers));
        json_t *errors = json_array();
        if (refusal)
            surveys_add_error(errors, "umfrage-formular", surveys_tr(req, refusal));
        for (size_t i = 0; answers && i < s->question_count; i++)
            if (answers[i].error)
                surveys_add_error(errors, field_id(req, &s->questions[i]),
                                  arena_printf(req->arena, "%s %zu: %s", surveys_tr(req, N_("Frage")), i + 1,
                                               surveys_tr(req, answers[i].error)));
        if (json_array_size(errors))
            json_object_set_new(m, "errors", errors);
        else
            json_decref(errors);
    }
    /* Staff see the questions of a survey they cannot answer (a draft, one of theirs that ended). */
    if (p->manage && !json_object_get(m, "questions")) {
        json_t *preview = json_array();
        for (size_t i = 0; i < s->question_count; i++)
            json_array_append_new(preview, json_pack("{s:s,s:s,s:b}", "text", s->questions[i].text, "kind_label",
                                                     surveys_tr(req, surveys_kinds[s->questions[i].kind].label),
                                                     "required", s->questions[i].required));
        json_object_set_new(m, "preview", preview);
    }
    return http_render(req, status, "participation/surveys/survey", m);
}

/* GET /beteiligung/verfahren/:id/umfragen/:sid */
int surveys_page(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc == 0)
        rc = surveys_of_request(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    return render_survey(req, &p, &s, 200, NULL, NULL);
}

/* Reads the answer to question q from the form into a; 1 when the input has a mistake. */
static int read_answer(http_req_t *req, const survey_question_t *q, answer_state_t *a)
{
    memset(a, 0, sizeof *a);
    const char *name = arena_printf(req->arena, "frage-%" PRId64, q->id);
    if (q->kind == SURVEY_TEXT) {
        a->text = surveys_trim(req->arena, http_form(req, name));
        size_t n = surveys_chars(a->text);
        if (n > SURVEY_ANSWER_MAX)
            a->error = N_("Ihre Antwort ist zu lang. Bitte verwenden Sie höchstens 2.000 Zeichen.");
        else if (n == 0 && q->required)
            a->error = N_("Bitte beantworten Sie diese Frage. Sie ist eine Pflichtfrage.");
        return a->error != NULL;
    }
    if (q->kind == SURVEY_RATING) {
        const char *v = http_form(req, name);
        if (v && *v) {
            int64_t r = surveys_number(v, 1, SURVEY_RATING_STEPS);
            if (r < 0)
                a->error = N_("Bitte wählen Sie einen Wert von 1 bis 5.");
            else
                a->rating = (int)r;
        } else if (q->required) {
            a->error = N_("Bitte beantworten Sie diese Frage. Sie ist eine Pflichtfrage.");
        }
        return a->error != NULL;
    }
    /* Choice: every value sent under the name must be one of the question's options. */
    a->chosen = arena_alloc(req->arena, (q->option_count + 1) * sizeof *a->chosen);
    for (size_t i = 0; i < req->form.count; i++) {
        const form_field_t *f = &req->form.fields[i];
        if (strcmp(f->name, name) != 0 || !*f->value)
            continue;
        int64_t v = surveys_number(f->value, 1, 999999999999LL);
        size_t k = 0;
        while (k < q->option_count && q->options[k].id != v)
            k++;
        if (k == q->option_count) {
            a->error = N_("Bitte wählen Sie eine der Antworten aus der Liste.");
            continue;
        }
        if (chosen(a, v))
            continue; /* the same option twice counts once */
        if (q->kind == SURVEY_SINGLE && a->chosen_count == 1) {
            a->error = N_("Bitte wählen Sie nur eine Antwort.");
            continue;
        }
        a->chosen[a->chosen_count++] = v;
    }
    if (!a->error && a->chosen_count == 0 && q->required)
        a->error = N_("Bitte beantworten Sie diese Frage. Sie ist eine Pflichtfrage.");
    return a->error != NULL;
}

/* POST /beteiligung/verfahren/:id/umfragen/:sid */
int surveys_answer(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc == 0)
        rc = surveys_of_request(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    int64_t now = surveys_now();
    const char *why;
    int answered;
    if (answer_refusal(req, &p, &s, now, &why, &answered) != 0)
        return 503;
    if (why)
        return http_error(req, 409, why);
    answer_state_t *answers = arena_alloc(req->arena, (s.question_count + 1) * sizeof *answers);
    int mistakes = 0;
    for (size_t i = 0; i < s.question_count; i++)
        mistakes += read_answer(req, &s.questions[i], &answers[i]);
    if (mistakes)
        return render_survey(req, &p, &s, 422, answers, NULL);
    /* The gate after the input was found valid: a form with mistakes costs no rate. */
    const char *message = NULL;
    int gate = participation_may_contribute(req, "survey", &message);
    if (gate < 0)
        return 503;
    if (gate != CONTRIBUTE_OK)
        return render_survey(req, &p, &s, gate == CONTRIBUTE_RATE ? 429 : 403, answers,
                             message ? message : N_("Sie können im Moment nicht teilnehmen."));
    survey_answer_input_t *in = arena_alloc(req->arena, (s.question_count + 1) * sizeof *in);
    for (size_t i = 0; i < s.question_count; i++)
        in[i] = (survey_answer_input_t){.option_ids = answers[i].chosen,
                                        .option_count = answers[i].chosen_count,
                                        .rating = answers[i].rating,
                                        .text = answers[i].text};
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = surveys_store_response(req->db, &s, req->user->id, in, now);
    if (rc != 0) {
        db_rollback(req->db);
        if (rc == 1)
            return http_error(
                req, 409, N_("Sie haben an dieser Umfrage schon teilgenommen. Jede Person kann nur einmal antworten."));
        return 503;
    }
    if (db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/umfragen/%" PRId64 "?hinweis=danke", p.id, s.id));
}

/* ---- the module ---------------------------------------------------------------------------------- */

#define SIGNED_IN AUTH_SIGNED_IN
#define BASE "/beteiligung/verfahren/:id/umfragen"
#define EVENTS "/beteiligung/verfahren/:id/veranstaltungen"

/* The router takes the first pattern that matches: the literal …/neu before …/:sid. */
static const route_t survey_routes[] = {
    {"GET", BASE, surveys_list_page, NULL, 0, 0},
    {"GET", BASE "/neu", surveys_staff_new, PERM_PROCESSES, 0, 0},
    {"POST", BASE "/neu", surveys_staff_create, PERM_PROCESSES, 0, SURVEY_STAFF_BODY_LIMIT},
    {"GET", BASE "/:sid", surveys_page, NULL, 0, 0},
    {"POST", BASE "/:sid", surveys_answer, SIGNED_IN, 0, SURVEY_ANSWER_BODY_LIMIT},
    {"GET", BASE "/:sid/ergebnisse", surveys_results_page, NULL, 0, 0},
    {"GET", BASE "/:sid/ergebnisse.csv", surveys_results_csv, NULL, 0, 0},
    {"GET", BASE "/:sid/antworten.csv", surveys_answers_csv_download, NULL, 0, 0},
    {"GET", BASE "/:sid/bearbeiten", surveys_staff_edit, PERM_PROCESSES, 0, 0},
    {"POST", BASE "/:sid/bearbeiten", surveys_staff_update, PERM_PROCESSES, 0, SURVEY_STAFF_BODY_LIMIT},
    {"POST", BASE "/:sid/schliessen", surveys_staff_close, PERM_PROCESSES, 0, 0},
    {"POST", BASE "/:sid/antworten/:aid/ausblenden", surveys_hide, PERM_MODERATE, 0, 0},
    {"POST", BASE "/:sid/antworten/:aid/einblenden", surveys_unhide, PERM_MODERATE, 0, 0},
    {"GET", EVENTS, events_list_page, NULL, 0, 0},
    {"GET", EVENTS "/neu", events_staff_new, PERM_PROCESSES, 0, 0},
    {"POST", EVENTS "/neu", events_staff_create, PERM_PROCESSES, 0, SURVEY_STAFF_BODY_LIMIT},
    {"GET", EVENTS "/:eid", events_page, NULL, 0, 0},
    {"GET", EVENTS "/:eid/kalender.ics", events_ics, NULL, 0, 0},
    {"POST", EVENTS "/:eid/anmelden", events_register, SIGNED_IN, 0, 0},
    {"POST", EVENTS "/:eid/abmelden", events_cancel, SIGNED_IN, 0, 0},
    {"GET", EVENTS "/:eid/bearbeiten", events_staff_edit, PERM_PROCESSES, 0, 0},
    {"POST", EVENTS "/:eid/bearbeiten", events_staff_update, PERM_PROCESSES, 0, SURVEY_STAFF_BODY_LIMIT},
    {"GET", EVENTS "/:eid/anmeldungen", events_staff_registrations, PERM_PROCESSES, 0, 0},
    {"GET", "/api/v1" BASE, surveys_api_list, NULL, ROUTE_API, 0},
    {"GET", "/api/v1" BASE "/:sid/ergebnisse", surveys_api_results, NULL, ROUTE_API, 0},
    {"GET", "/api/v1" EVENTS, events_api_list, NULL, ROUTE_API, 0},
};

const module_t participation_survey_module = {
    .name = "participation_survey",
    .title = N_("Umfragen und Veranstaltungen"),
    .summary = N_("Umfragen beantworten und sich zu Veranstaltungen der Beteiligungsverfahren anmelden."),
    .home = NULL, /* reached from a process's page */
    .routes = survey_routes,
    .route_count = sizeof(survey_routes) / sizeof(survey_routes[0]),
};
