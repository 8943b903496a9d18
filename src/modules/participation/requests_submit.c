/* requests_submit.c — the form on which a resident submits an Anregung
 * (GET/POST /beteiligung/anregungen/neu).
 *
 * Only residents of Mainz aged 14 or over (participation_is_resident) with a first
 * and last name in "Meine Daten" may submit: the name is published with the
 * Anregung, and the page says so before the form. Anyone else gets the reason and
 * the way to "Meine Daten" instead of the form. The form asks for a Vorhaben of
 * the Vorhabenliste or a topic of one's own, a title, the justification and the
 * form of participation wished for, and for consent to publishing the name. A form
 * with mistakes comes back with everything typed and a summary on top; only a
 * valid form goes through participation_may_contribute ("request"), so that typing
 * mistakes do not use up the rate limit. The Anregung is stored as "eingereicht"
 * and the coordination office gets an e-mail.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/account/account.h"
#include "modules/participation/internal.h"
#include "modules/participation/requests_internal.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

static const char sql_projects[] = "SELECT id, title FROM projects ORDER BY title, id LIMIT $1";
static const char sql_project_exists[] = "SELECT id FROM projects WHERE id = $1";
static const char sql_insert[] =
    "INSERT INTO participation_requests (author_id, author_name, project_id, topic, title, justification,"
    " desired_form, status, quorum, submitted_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, 'eingereicht', $8, $9, $9) RETURNING id";

/* What was typed, kept for the page that comes back with errors. */
typedef struct request_form {
    const char *project; /* "" or an id */
    const char *topic;
    const char *title;
    const char *justification;
    const char *desired_form;
    int consent;
} request_form_t;

/* The per-field errors (msgids), NULL where fine. */
typedef struct request_errors {
    const char *project, *topic, *title, *justification, *desired_form, *consent;
} request_errors_t;

/* Whether the user may submit at all: 0 and the name to publish, or a msgid
 * explaining why not in *why; < 0 on a database error. */
static int eligibility(http_req_t *req, const char **name, const char **why)
{
    int resident = participation_is_resident(req->db, req->user->id, REQUESTS_MIN_AGE, why);
    if (resident < 0)
        return -1;
    if (!resident)
        return 0;
    json_t *profile = account_profile_json(req->db, req->user->id);
    if (!profile)
        return -1;
    const char *given = json_string_value(json_object_get(profile, "given_name"));
    const char *family = json_string_value(json_object_get(profile, "family_name"));
    /* clang-format off */
    if (!given || !*given || !family || !*family)
        *why = N_("Tragen Sie bitte unter „Meine Daten“ Ihren Vornamen und Familiennamen ein. Anregungen werden mit Namen veröffentlicht.");
    /* clang-format on */
    else
        *name = arena_printf(req->arena, "%s %s", given, family);
    json_decref(profile);
    return 1;
}

/* The page for someone who may not submit: the reason and where to change it.
 * Shown with 200 when asked for (it is the page's answer for this account), with
 * 403 when a form was sent anyway. */
static int refusal_page(http_req_t *req, int status, const char *why)
{
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(tr(req, N_("Anregung einreichen"))));
    json_object_set_new(model, "refusal", json_string(tr(req, why)));
    return http_render(req, status, "participation/requests/new", model);
}

static json_t *project_options(http_req_t *req, const char *selected)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_projects, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, REQUESTS_PROJECTS_MAX);
    json_t *options = json_array();
    json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", "", "label",
                                             tr(req, N_("Kein Vorhaben: ein eigenes Thema")), "selected", !*selected));
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *id = arena_printf(req->arena, "%lld", (long long)db_column_int64(st, 0));
        json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", id, "label", db_column_text(st, 1),
                                                 "selected", !strcmp(id, selected)));
    }
    db_reset(st);
    if (rc != DB_DONE) {
        json_decref(options);
        return NULL;
    }
    return options;
}

/* Renders the form with values, errors and an optional alert. */
static int form_page(http_req_t *req, int status, const char *name, const request_form_t *v, const request_errors_t *e,
                     const char *alert)
{
    json_t *options = project_options(req, v->project);
    if (!options)
        return requests_db_status(req);
    json_t *errors = json_array();
    json_t *f_project =
        requests_field(req, "vorhaben", N_("Vorhaben"), v->project,
                       N_("Zu welchem Vorhaben der Vorhabenliste wünschen Sie Beteiligung?"), e->project);
    json_object_set_new(f_project, "options", options);
    requests_error(req, errors, f_project);
    json_t *f_topic = requests_field(
        req, "thema", N_("Eigenes Thema"), v->topic,
        N_("Nur wenn Sie kein Vorhaben gewählt haben. Zum Beispiel: Spielplätze in der Neustadt."), e->topic);
    json_object_set_new(f_topic, "maxlength", json_integer(REQUESTS_TOPIC_MAX));
    requests_error(req, errors, f_topic);
    json_t *f_title = requests_field(req, "titel", N_("Titel Ihrer Anregung"), v->title,
                                     N_("Ein kurzer Satz, höchstens 200 Zeichen."), e->title);
    json_object_set_new(f_title, "maxlength", json_integer(REQUESTS_TITLE_MAX));
    json_object_set_new(f_title, "required", json_true());
    requests_error(req, errors, f_title);
    json_t *f_text = requests_field(
        req, "begruendung", N_("Begründung"), v->justification,
        N_("Warum sollen die Einwohnerinnen und Einwohner beteiligt werden? Mindestens 20, höchstens 10.000 Zeichen."),
        e->justification);
    json_object_set_new(f_text, "rows", json_integer(10));
    json_object_set_new(f_text, "maxlength", json_integer(REQUESTS_TEXT_MAX));
    json_object_set_new(f_text, "required", json_true());
    requests_error(req, errors, f_text);
    json_t *f_form =
        requests_field(req, "form", N_("Gewünschte Form der Beteiligung"), v->desired_form, NULL, e->desired_form);
    size_t nforms;
    const requests_choice_t *forms = requests_forms(&nforms);
    json_t *form_options = json_array();
    for (size_t i = 0; i < nforms; i++)
        json_array_append_new(form_options,
                              json_pack("{s:s,s:s,s:b}", "value", forms[i].key, "label", tr(req, forms[i].label),
                                        "selected", !strcmp(forms[i].key, v->desired_form)));
    json_object_set_new(f_form, "options", form_options);
    requests_error(req, errors, f_form);
    json_t *f_consent = requests_field(
        req, "veroeffentlichen",
        N_("Ich bin einverstanden, dass mein Vorname und Familienname mit der Anregung veröffentlicht werden."),
        v->consent ? "1" : "", NULL, e->consent);
    json_object_set_new(f_consent, "checked", json_boolean(v->consent));
    requests_error(req, errors, f_consent);

    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(tr(req, N_("Anregung einreichen"))));
    json_object_set_new(model, "author_name", json_string(name));
    json_object_set_new(model, "quorum", json_integer(REQUESTS_QUORUM));
    json_object_set_new(model, "f_project", f_project);
    json_object_set_new(model, "f_topic", f_topic);
    json_object_set_new(model, "f_title", f_title);
    json_object_set_new(model, "f_text", f_text);
    json_object_set_new(model, "f_form", f_form);
    json_object_set_new(model, "f_consent", f_consent);
    if (alert)
        json_object_set_new(model, "alert", json_string(tr(req, alert)));
    if (json_array_size(errors))
        json_object_set_new(model, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "participation/requests/new", model);
}

int requests_new_page(http_req_t *req)
{
    const char *name = NULL, *why = NULL;
    int rc = eligibility(req, &name, &why);
    if (rc < 0)
        return requests_db_status(req);
    if (why)
        return refusal_page(req, 200, why);
    request_form_t v = {"", "", "", "", "", 0};
    const char *project = http_query(req, "vorhaben"); /* the Vorhaben's page links here with its id */
    if (project && requests_parse_id(project) > 0)
        v.project = project;
    request_errors_t e = {0};
    return form_page(req, 200, name, &v, &e, NULL);
}

int requests_new_submit(http_req_t *req)
{
    const char *name = NULL, *why = NULL;
    int rc = eligibility(req, &name, &why);
    if (rc < 0)
        return requests_db_status(req);
    if (why)
        return refusal_page(req, 403, why);

    request_form_t v = {0};
    request_errors_t e = {0};
    const char *project = http_form(req, "vorhaben");
    v.project = project ? project : "";
    e.topic = requests_check_line(req, http_form(req, "thema"), REQUESTS_TOPIC_MAX, 0, &v.topic);
    e.title = requests_check_line(req, http_form(req, "titel"), REQUESTS_TITLE_MAX, 1, &v.title);
    e.justification =
        requests_check_text(req, http_form(req, "begruendung"), REQUESTS_TEXT_MIN, REQUESTS_TEXT_MAX, &v.justification);
    const char *form = http_form(req, "form");
    v.desired_form = form ? form : "";
    v.consent = http_form(req, "veroeffentlichen") != NULL;

    int64_t project_id = 0;
    if (*v.project) {
        project_id = requests_parse_id(v.project);
        int64_t found = 0;
        int q = project_id > 0 ? db_query_int64_arg(req->db, sql_project_exists, project_id, &found) : 1;
        if (q < 0)
            return requests_db_status(req);
        if (q > 0) {
            e.project = N_("Dieses Vorhaben gibt es nicht. Bitte wählen Sie eines aus der Liste.");
            v.project = "";
            project_id = 0;
        }
    } else if (!e.topic && !*v.topic) {
        e.topic = N_("Bitte wählen Sie ein Vorhaben oder nennen Sie ein eigenes Thema.");
    }
    size_t nforms;
    const requests_choice_t *forms = requests_forms(&nforms);
    if (!requests_choice_label(forms, nforms, v.desired_form)) {
        e.desired_form = N_("Bitte wählen Sie eine Form der Beteiligung.");
        v.desired_form = "";
    }
    if (!v.consent)
        e.consent =
            N_("Anregungen werden mit Namen veröffentlicht. Ohne Ihr Einverständnis können wir sie nicht annehmen.");
    if (e.project || e.topic || e.title || e.justification || e.desired_form || e.consent)
        return form_page(req, 422, name, &v, &e, NULL);

    const char *message = NULL;
    int gate = participation_may_contribute(req, "request", &message);
    if (gate < 0)
        return requests_db_status(req);
    if (gate != CONTRIBUTE_OK)
        return form_page(req, gate == CONTRIBUTE_RATE ? 429 : 403, name, &v, &e,
                         message ? message : N_("Sie können gerade keine Anregung einreichen."));

    int64_t now = (int64_t)time(NULL);
    request_t r = {0};
    r.author_id = req->user->id;
    r.author_name = name;
    r.title = v.title;
    db_stmt_t *st;
    int ok = db_begin_write(req->db) == 0 && db_prepare(req->db, sql_insert, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, req->user->id);
        db_bind_text(st, 2, name, -1);
        if (project_id > 0)
            db_bind_int64(st, 3, project_id);
        else
            db_bind_null(st, 3);
        db_bind_text(st, 4, project_id > 0 ? "" : v.topic, -1);
        db_bind_text(st, 5, v.title, -1);
        db_bind_text(st, 6, v.justification, -1);
        db_bind_text(st, 7, v.desired_form, -1);
        db_bind_int64(st, 8, REQUESTS_QUORUM);
        db_bind_int64(st, 9, now);
        ok = db_step(st) == DB_ROW;
        r.id = ok ? db_column_int64(st, 0) : 0;
        db_reset(st);
    }
    ok = ok && requests_history_add(req->db, r.id, "eingereicht", "author", req->user->id, "", now) == 0 &&
         requests_mail_office(req->db, req->cfg, req->arena, &r, "Neue Anregung eingegangen",
                              "Eine neue Anregung wartet auf Ihre Prüfung. Bitte geben Sie sie zur Sammlung "
                              "frei oder lassen Sie sie mit einer Begründung nicht zu.") == 0 &&
         requests_audit(req->db, req->user->id, "participation.request_submitted", r.id,
                        json_pack("{s:I}", "project_id", (json_int_t)project_id), req->client_ip, req->request_id) == 0;
    /* clang-format off */
    if (requests_finish(req->db, ok) != 0)
        return form_page(req, requests_db_status(req), name, &v, &e,
                         N_("Ihre Anregung konnte gerade nicht gespeichert werden. Ihre Eingaben sind noch da: bitte versuchen Sie es gleich noch einmal."));
    /* clang-format on */
    return http_redirect(req, 303,
                         arena_printf(req->arena, "/beteiligung/anregungen/%lld?eingereicht=1", (long long)r.id));
}
