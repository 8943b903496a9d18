/* surveys_staff.c — staff of a process create and edit its surveys: title,
 * description, dates (or those of a phase), whether results are public while
 * it runs, and the questions — a plain form with one group of fields per
 * question. "Weitere Frage hinzufügen" sends the form and gets it back with one
 * more empty group, so it works without JavaScript and nothing typed is lost.
 * Empty groups are left out. From the first answer on, the questions are fixed
 * (every answer set must fit them); the rest can still change. Staff may close
 * a survey early: then its results are public.
 *
 * Only staff holding PERM_PROCESSES for the process's unit (or everywhere) get
 * here; others get 404 for the process as for one that does not exist. Every
 * save is audited.
 */
#include <inttypes.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/surveys_internal.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

#define NEW_ROWS 3 /* empty question groups on a new survey's form */

typedef struct question_row {
    const char *text, *kind, *options;
    int required;
    const char *text_error, *kind_error, *options_error; /* msgids */
} question_row_t;

typedef struct survey_form {
    const char *title, *description, *status, *phase, *starts, *ends;
    int live;
    const char *title_error, *description_error, *status_error, *phase_error, *starts_error, *ends_error;
    const char *form_error; /* for the whole form (the summary), a msgid */
    question_row_t *rows;
    size_t row_count;
    int locked; /* the survey has answers: its questions are fixed */
} survey_form_t;

static const char *tr(const http_req_t *req, const char *msgid)
{
    return surveys_tr(req, msgid);
}

/* ---- the form page ------------------------------------------------------------------------- */

static json_t *field(http_req_t *req, const char *name, const char *label, const char *value, const char *error)
{
    return http_field(name, label, value, error ? tr(req, error) : NULL);
}

static json_t *select_options(http_req_t *req, const survey_choice_t *list, size_t n, const char *selected)
{
    json_t *options = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(options,
                              json_pack("{s:s,s:s,s:b}", "value", list[i].value, "label", tr(req, list[i].label),
                                        "selected", selected && !strcmp(selected, list[i].value)));
    return options;
}

static void error_entry(http_req_t *req, json_t *errors, const char *name, const char *prefix, const char *msgid)
{
    if (!msgid)
        return;
    surveys_add_error(errors, arena_printf(req->arena, "feld-%s", name),
                      prefix ? arena_printf(req->arena, "%s: %s", prefix, tr(req, msgid)) : tr(req, msgid));
}

/* The form for a new survey (sid 0) or survey sid; locked_questions: the fixed
 * questions to list instead of the question fields. */
static int render_form(http_req_t *req, const survey_process_t *p, int64_t sid, const survey_form_t *f, int status,
                       const survey_t *locked_questions)
{
    json_t *m = json_object();
    json_t *errors = json_array();
    const char *base = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/umfragen", p->id);
    json_object_set_new(m, "title", json_string(tr(req, sid ? N_("Umfrage bearbeiten") : N_("Neue Umfrage"))));
    json_object_set_new(m, "process", surveys_process_json(p));
    json_object_set_new(m, "editing", json_boolean(sid != 0));
    json_object_set_new(m, "action",
                        sid ? json_sprintf("%s/%" PRId64 "/bearbeiten", base, sid) : json_sprintf("%s/neu", base));
    json_object_set_new(m, "back", sid ? json_sprintf("%s/%" PRId64, base, sid) : json_string(base));
    if (f->form_error)
        surveys_add_error(errors, "fragen-titel", tr(req, f->form_error));

    json_t *title = field(req, "titel", tr(req, N_("Titel der Umfrage")), f->title, f->title_error);
    json_object_set_new(title, "maxlength", json_integer(SURVEY_TITLE_MAX));
    json_object_set_new(title, "required", json_true());
    json_object_set_new(m, "f_title", title);
    error_entry(req, errors, "titel", NULL, f->title_error);
    json_t *desc = field(req, "beschreibung", tr(req, N_("Beschreibung")), f->description, f->description_error);
    json_object_set_new(desc, "hint",
                        json_string(tr(req, N_("Worum geht es, und was geschieht mit den Antworten? Höchstens 20.000 "
                                               "Zeichen. Markdown ist möglich."))));
    json_object_set_new(desc, "rows", json_integer(6));
    json_object_set_new(m, "f_description", desc);
    error_entry(req, errors, "beschreibung", NULL, f->description_error);
    int64_t phase_id = surveys_number(f->phase, 1, 999999999999LL);
    json_t *phases = surveys_phase_options(req, p->id, phase_id > 0 ? phase_id : 0);
    if (!phases) {
        json_decref(errors);
        json_decref(m);
        return 503;
    }
    json_t *phase = field(req, "phase", tr(req, N_("Phase des Verfahrens")), f->phase, f->phase_error);
    json_object_set_new(
        phase, "hint",
        json_string(tr(req, N_("Die Umfrage nimmt Antworten nur an, solange eine Phase läuft, in der Umfragen "
                               "eingeschaltet sind. Ohne Beginn und Ende gelten die Tage der gewählten Phase."))));
    json_object_set_new(phase, "options", phases);
    json_object_set_new(m, "f_phase", phase);
    error_entry(req, errors, "phase", NULL, f->phase_error);
    json_t *starts = field(req, "beginn", tr(req, N_("Erster Tag")), f->starts, f->starts_error);
    json_t *ends = field(req, "ende", tr(req, N_("Letzter Tag")), f->ends, f->ends_error);
    json_object_set_new(m, "f_starts", starts);
    json_object_set_new(m, "f_ends", ends);
    error_entry(req, errors, "beginn", NULL, f->starts_error);
    error_entry(req, errors, "ende", NULL, f->ends_error);
    json_t *live = field(req, "live", tr(req, N_("Ergebnisse schon während der Umfrage zeigen")), "1", NULL);
    json_object_set_new(live, "checked", json_boolean(f->live));
    json_object_set_new(
        live, "hint",
        json_string(tr(req, N_("Sonst sind die Ergebnisse öffentlich, sobald die Umfrage beendet ist."))));
    json_object_set_new(m, "f_live", live);
    json_t *status_field = field(req, "status", tr(req, N_("Sichtbarkeit")), f->status, f->status_error);
    json_object_set_new(status_field, "options", select_options(req, surveys_statuses, 2, f->status));
    json_object_set_new(m, "f_status", status_field);
    error_entry(req, errors, "status", NULL, f->status_error);

    if (f->locked && locked_questions) {
        json_t *fixed = json_array();
        for (size_t i = 0; i < locked_questions->question_count; i++) {
            const survey_question_t *q = &locked_questions->questions[i];
            json_t *opts = json_array();
            for (size_t k = 0; k < q->option_count; k++)
                json_array_append_new(opts, json_string(q->options[k].label));
            json_array_append_new(fixed, json_pack("{s:I,s:s,s:s,s:b,s:o}", "number", (json_int_t)(i + 1), "text",
                                                   q->text, "kind_label", tr(req, surveys_kinds[q->kind].label),
                                                   "required", q->required, "options", opts));
        }
        json_object_set_new(m, "locked", fixed);
    } else {
        json_t *rows = json_array();
        for (size_t i = 0; i < f->row_count; i++) {
            const question_row_t *r = &f->rows[i];
            const char *prefix = arena_printf(req->arena, "%s %zu", tr(req, N_("Frage")), i + 1);
            const char *n_text = arena_printf(req->arena, "frage%zu_text", i + 1);
            const char *n_kind = arena_printf(req->arena, "frage%zu_art", i + 1);
            const char *n_req = arena_printf(req->arena, "frage%zu_pflicht", i + 1);
            const char *n_opts = arena_printf(req->arena, "frage%zu_antworten", i + 1);
            json_t *text = field(req, n_text, tr(req, N_("Text der Frage")), r->text, r->text_error);
            json_object_set_new(text, "maxlength", json_integer(SURVEY_QUESTION_MAX));
            json_t *kind = field(req, n_kind, tr(req, N_("Art der Frage")), r->kind, r->kind_error);
            json_object_set_new(kind, "options", select_options(req, surveys_kinds, SURVEY_KIND_COUNT, r->kind));
            json_t *required = field(req, n_req, tr(req, N_("Pflichtfrage: muss beantwortet werden")), "1", NULL);
            json_object_set_new(required, "checked", json_boolean(r->required));
            json_t *opts = field(req, n_opts, tr(req, N_("Antwortmöglichkeiten")), r->options, r->options_error);
            json_object_set_new(opts, "hint",
                                json_string(tr(req, N_("Nur bei Einfach- und Mehrfachauswahl: eine Antwort pro Zeile, "
                                                       "2 bis 12 Antworten, je höchstens 200 Zeichen."))));
            json_object_set_new(opts, "rows", json_integer(4));
            json_array_append_new(rows, json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "number", (json_int_t)(i + 1), "legend",
                                                  prefix, "f_text", text, "f_kind", kind, "f_required", required,
                                                  "f_options", opts));
            error_entry(req, errors, n_text, prefix, r->text_error);
            error_entry(req, errors, n_kind, prefix, r->kind_error);
            error_entry(req, errors, n_opts, prefix, r->options_error);
        }
        json_object_set_new(m, "rows", rows);
        json_object_set_new(m, "row_count", json_integer((json_int_t)f->row_count));
        json_object_set_new(m, "can_add", json_boolean(f->row_count < SURVEY_QUESTIONS_MAX));
    }
    if (json_array_size(errors))
        json_object_set_new(m, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "participation/surveys/staff_survey", m);
}

/* ---- reading and checking the form ---------------------------------------------------------------- */

static void read_form(http_req_t *req, survey_form_t *f, int locked)
{
    memset(f, 0, sizeof *f);
    f->locked = locked;
    f->title = surveys_trim(req->arena, http_form(req, "titel"));
    f->description = surveys_trim(req->arena, http_form(req, "beschreibung"));
    f->status = surveys_trim(req->arena, http_form(req, "status"));
    f->phase = surveys_trim(req->arena, http_form(req, "phase"));
    f->starts = surveys_trim(req->arena, http_form(req, "beginn"));
    f->ends = surveys_trim(req->arena, http_form(req, "ende"));
    f->live = http_form(req, "live") != NULL;
    if (locked)
        return;
    int64_t n = surveys_number(http_form(req, "fragen"), 1, SURVEY_QUESTIONS_MAX);
    f->row_count = n > 0 ? (size_t)n : 1;
    f->rows = arena_alloc(req->arena, (f->row_count + 1) * sizeof *f->rows);
    for (size_t i = 0; i < f->row_count; i++) {
        question_row_t *r = &f->rows[i];
        r->text = surveys_trim(req->arena, http_form(req, arena_printf(req->arena, "frage%zu_text", i + 1)));
        r->kind = surveys_trim(req->arena, http_form(req, arena_printf(req->arena, "frage%zu_art", i + 1)));
        /* Options keep their line breaks as typed; they are trimmed line by line. */
        const char *opts = http_form(req, arena_printf(req->arena, "frage%zu_antworten", i + 1));
        r->options = opts ? opts : "";
        r->required = http_form(req, arena_printf(req->arena, "frage%zu_pflicht", i + 1)) != NULL;
    }
}

/* Checks f and fills in (questions in the arena). Returns the number of mistakes. */
static int check_form(http_req_t *req, const survey_process_t *p, survey_form_t *f, survey_input_t *in)
{
    int bad = 0;
    memset(in, 0, sizeof *in);
    size_t tl = surveys_chars(f->title);
    if (tl == 0)
        f->title_error = N_("Bitte geben Sie der Umfrage einen Titel.");
    else if (tl > SURVEY_TITLE_MAX)
        f->title_error = N_("Der Titel ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen.");
    if (surveys_chars(f->description) > SURVEY_TEXT_MAX)
        f->description_error = N_("Die Beschreibung ist zu lang. Bitte verwenden Sie höchstens 20.000 Zeichen.");
    if (surveys_choice_index(surveys_statuses, 2, f->status) < 0)
        f->status_error = N_("Bitte wählen Sie, ob die Umfrage ein Entwurf oder veröffentlicht ist.");
    int64_t phase_start = 0, phase_end = 0;
    if (*f->phase) {
        in->phase_id = surveys_number(f->phase, 1, 999999999999LL);
        int found = in->phase_id > 0 ? surveys_phase_dates(req->db, p->id, in->phase_id, &phase_start, &phase_end) : 0;
        if (found < 0)
            return -1;
        if (!found) {
            f->phase_error = N_("Diese Phase gibt es in diesem Verfahren nicht. Bitte wählen Sie aus der Liste.");
            in->phase_id = 0;
        }
    }
    if (!*f->starts && !*f->ends && in->phase_id > 0) {
        in->opens_at = phase_start;
        in->closes_at = phase_end;
    } else {
        if (!*f->starts)
            f->starts_error = N_("Bitte geben Sie den ersten Tag der Umfrage an, oder wählen Sie eine Phase und lassen "
                                 "Sie beide Tage leer.");
        else if (surveys_parse_day(f->starts, &in->opens_at) != 0)
            f->starts_error = N_("Bitte geben Sie ein gültiges Datum ein, zum Beispiel 2026-03-01.");
        if (!*f->ends)
            f->ends_error = N_("Bitte geben Sie den letzten Tag der Umfrage an.");
        else if (surveys_parse_day_end(f->ends, &in->closes_at) != 0)
            f->ends_error = N_("Bitte geben Sie ein gültiges Datum ein, zum Beispiel 2026-03-31.");
        else if (!f->starts_error && in->closes_at <= in->opens_at)
            f->ends_error = N_("Der letzte Tag darf nicht vor dem ersten Tag liegen.");
    }
    bad += !!f->title_error + !!f->description_error + !!f->status_error + !!f->phase_error + !!f->starts_error +
           !!f->ends_error;
    in->title = f->title;
    in->description = f->description;
    in->status = f->status;
    in->live_results = f->live;
    if (f->locked)
        return bad;

    in->replace_questions = 1;
    survey_question_t *qs = arena_alloc(req->arena, (f->row_count + 1) * sizeof *qs);
    size_t total_options = 0, first_choice = f->row_count;
    for (size_t i = 0; i < f->row_count; i++) {
        question_row_t *r = &f->rows[i];
        int kind = surveys_choice_index(surveys_kinds, SURVEY_KIND_COUNT, r->kind);
        int choice = kind == SURVEY_SINGLE || kind == SURVEY_MULTIPLE;
        const char **lines = arena_alloc(req->arena, (SURVEY_OPTIONS_MAX + 1) * sizeof *lines);
        size_t nlines = 0;
        int too_many = surveys_lines(req->arena, r->options, lines, SURVEY_OPTIONS_MAX, &nlines) != 0;
        if (!*r->text) {
            /* An empty group is left out, unless options were typed into it: say so rather than drop them. */
            if (choice && nlines > 0)
                r->text_error =
                    N_("Bitte geben Sie den Text der Frage ein, oder löschen Sie auch die Antwortmöglichkeiten.");
            bad += !!r->text_error;
            continue;
        }
        if (surveys_chars(r->text) > SURVEY_QUESTION_MAX)
            r->text_error = N_("Die Frage ist zu lang. Bitte verwenden Sie höchstens 500 Zeichen.");
        if (kind < 0)
            r->kind_error = N_("Bitte wählen Sie die Art der Frage aus der Liste.");
        if (choice) {
            if (too_many)
                r->options_error = N_("Zu viele Antwortmöglichkeiten. Bitte geben Sie höchstens 12 an.");
            else if (nlines < 2)
                r->options_error = N_("Bitte geben Sie mindestens 2 Antwortmöglichkeiten an, eine pro Zeile.");
            for (size_t k = 0; !r->options_error && k < nlines; k++) {
                if (surveys_chars(lines[k]) > SURVEY_OPTION_MAX)
                    r->options_error =
                        N_("Eine Antwortmöglichkeit ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen je Zeile.");
                for (size_t j = 0; j < k && !r->options_error; j++)
                    if (!strcmp(lines[j], lines[k]))
                        r->options_error = N_("Jede Antwortmöglichkeit darf nur einmal vorkommen.");
            }
            if (first_choice == f->row_count)
                first_choice = i;
            total_options += nlines;
        }
        bad += !!r->text_error + !!r->kind_error + !!r->options_error;
        survey_question_t *q = &qs[in->question_count++];
        memset(q, 0, sizeof *q);
        q->kind = kind < 0 ? SURVEY_TEXT : kind;
        q->text = r->text;
        q->required = r->required;
        if (choice && !too_many) {
            q->options = arena_alloc(req->arena, (nlines + 1) * sizeof *q->options);
            for (size_t k = 0; k < nlines; k++)
                q->options[k].label = lines[k];
            q->option_count = nlines;
        }
    }
    if (in->question_count == 0) {
        f->form_error = N_("Bitte stellen Sie mindestens eine Frage.");
        bad++;
    } else if (total_options > SURVEY_OPTIONS_TOTAL_MAX && first_choice < f->row_count &&
               !f->rows[first_choice].options_error) {
        f->rows[first_choice].options_error =
            N_("Die Umfrage hat zu viele Antwortmöglichkeiten: höchstens 150 für alle Fragen zusammen.");
        bad++;
    }
    in->questions = qs;
    return bad;
}

/* "Weitere Frage hinzufügen": the same form with one more empty group. */
static void add_row(http_req_t *req, survey_form_t *f)
{
    if (f->row_count >= SURVEY_QUESTIONS_MAX)
        return;
    question_row_t *rows = arena_alloc(req->arena, (f->row_count + 2) * sizeof *rows);
    memcpy(rows, f->rows, f->row_count * sizeof *rows);
    rows[f->row_count] = (question_row_t){.text = "", .kind = "einfach", .options = ""};
    f->rows = rows;
    f->row_count++;
}

static int adding_row(http_req_t *req)
{
    const char *a = http_form(req, "aktion");
    return a && !strcmp(a, "frage");
}

/* Saves in one transaction with its audit entry: 0, 2 when answers arrived and
 * the questions could not be replaced, 503. */
static int save(http_req_t *req, const survey_process_t *p, const survey_input_t *in, int64_t *sid)
{
    int creating = *sid == 0;
    if (db_begin_write(req->db) != 0)
        return 503;
    int rc = surveys_store_save(req->db, p->id, in, req->user->id, surveys_now(), sid);
    if (rc == 0) {
        const char *detail = arena_printf(req->arena, "{\"process\":%" PRId64 ",\"questions\":%zu}", p->id,
                                          in->replace_questions ? in->question_count : (size_t)0);
        rc = audit_log(req->db, surveys_actor(req),
                       creating ? "participation.survey.create" : "participation.survey.update",
                       arena_printf(req->arena, "survey:%" PRId64, *sid), detail, req->client_ip, req->request_id);
    }
    if (rc == 0 && db_commit(req->db) == 0)
        return 0;
    db_rollback(req->db);
    return rc == 2 ? 2 : 503;
}

/* ---- handlers ---------------------------------------------------------------------------------------- */

/* GET /beteiligung/verfahren/:id/umfragen/neu */
int surveys_staff_new(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 1, &p);
    if (rc != 0)
        return surveys_status(rc);
    survey_form_t f = {.title = "", .description = "", .status = "entwurf", .phase = "", .starts = "", .ends = ""};
    f.row_count = NEW_ROWS;
    f.rows = arena_alloc(req->arena, NEW_ROWS * sizeof *f.rows);
    for (size_t i = 0; i < NEW_ROWS; i++)
        f.rows[i] = (question_row_t){.text = "", .kind = "einfach", .options = ""};
    return render_form(req, &p, 0, &f, 200, NULL);
}

/* POST /beteiligung/verfahren/:id/umfragen/neu */
int surveys_staff_create(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 1, &p);
    if (rc != 0)
        return surveys_status(rc);
    survey_form_t f;
    read_form(req, &f, 0);
    if (adding_row(req)) {
        add_row(req, &f);
        return render_form(req, &p, 0, &f, 200, NULL);
    }
    survey_input_t in;
    int bad = check_form(req, &p, &f, &in);
    if (bad < 0)
        return 503;
    if (bad)
        return render_form(req, &p, 0, &f, 422, NULL);
    int64_t sid = 0;
    if (save(req, &p, &in, &sid) != 0)
        return 503;
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/umfragen/%" PRId64 "?hinweis=angelegt", p.id,
                                      sid));
}

/* The survey of the address for staff: 0 or what to return. */
static int staff_survey(http_req_t *req, survey_process_t *p, survey_t *s)
{
    int rc = surveys_process_of_request(req, 1, p);
    if (rc == 0)
        rc = surveys_of_request(req, p, s);
    return rc;
}

/* GET /beteiligung/verfahren/:id/umfragen/:sid/bearbeiten */
int surveys_staff_edit(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = staff_survey(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    survey_form_t f = {
        .title = s.title,
        .description = s.description,
        .status = s.status,
        .phase = s.phase_id ? arena_printf(req->arena, "%" PRId64, s.phase_id) : "",
        .starts = surveys_iso_day(req->arena, s.opens_at),
        .ends = surveys_iso_day(req->arena, s.closes_at - 1), /* closes_at is the first second after the last day */
        .live = s.live_results,
        .locked = s.response_count > 0,
    };
    if (!f.locked) {
        f.row_count = s.question_count ? s.question_count : 1;
        f.rows = arena_alloc(req->arena, (f.row_count + 1) * sizeof *f.rows);
        f.rows[0] = (question_row_t){.text = "", .kind = "einfach", .options = ""};
        for (size_t i = 0; i < s.question_count; i++) {
            const survey_question_t *q = &s.questions[i];
            buf_t opts;
            buf_init(&opts, req->arena, 256, 64 * 1024);
            for (size_t k = 0; k < q->option_count; k++)
                buf_appendf(&opts, "%s%s", k ? "\n" : "", q->options[k].label);
            f.rows[i] = (question_row_t){.text = q->text,
                                         .kind = surveys_kinds[q->kind].value,
                                         .options = buf_cstr(&opts),
                                         .required = q->required};
        }
    }
    return render_form(req, &p, s.id, &f, 200, &s);
}

/* POST /beteiligung/verfahren/:id/umfragen/:sid/bearbeiten */
int surveys_staff_update(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = staff_survey(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    survey_form_t f;
    read_form(req, &f, s.response_count > 0);
    if (adding_row(req) && !f.locked) {
        add_row(req, &f);
        return render_form(req, &p, s.id, &f, 200, &s);
    }
    survey_input_t in;
    int bad = check_form(req, &p, &f, &in);
    if (bad < 0)
        return 503;
    if (bad)
        return render_form(req, &p, s.id, &f, 422, &s);
    int64_t sid = s.id;
    rc = save(req, &p, &in, &sid);
    if (rc == 2) {
        /* Answers came in since the form was shown: the questions stay as they are. */
        f.form_error =
            N_("Inzwischen sind Antworten eingegangen. Die Fragen können deshalb nicht mehr geändert werden. Ihre "
               "anderen Angaben sind noch nicht gespeichert: Bitte senden Sie das Formular noch einmal.");
        f.locked = 1;
        return render_form(req, &p, s.id, &f, 409, &s);
    }
    if (rc != 0)
        return 503;
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/umfragen/%" PRId64 "?hinweis=gespeichert",
                                      p.id, s.id));
}

/* POST /beteiligung/verfahren/:id/umfragen/:sid/schliessen */
int surveys_staff_close(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = staff_survey(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    if (surveys_state(&s, surveys_now()) != SURVEY_OPEN)
        return http_error(req, 409, N_("Nur eine laufende Umfrage kann beendet werden."));
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = surveys_store_close(req->db, s.id, req->user->id, surveys_now());
    if (rc == 0)
        rc = audit_log(req->db, surveys_actor(req), "participation.survey.close",
                       arena_printf(req->arena, "survey:%" PRId64, s.id),
                       arena_printf(req->arena, "{\"process\":%" PRId64 "}", p.id), req->client_ip, req->request_id);
    if (rc != 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return rc == 1 ? http_error(req, 409, N_("Nur eine laufende Umfrage kann beendet werden.")) : 503;
    }
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/umfragen/%" PRId64 "?hinweis=geschlossen",
                                      p.id, s.id));
}
