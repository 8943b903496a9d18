/* requests_office.c — the coordination office's work on Anregungen (PERM_REQUESTS).
 *
 *   GET  /verwaltung/beteiligung/anregungen       the queue: what waits for the office
 *                                                 first (new Anregungen to check, those at
 *                                                 the quorum), then the rest by stage
 *   GET  /verwaltung/beteiligung/anregungen/:id   one Anregung, its history and the steps
 *                                                 possible from its status
 *   POST /verwaltung/beteiligung/anregungen/:id   take one step (aktion=…)
 *
 * The steps are the table in requests_rules.c. A step changes the status only if
 * the Anregung still has the status the page showed (two people of the office
 * cannot take two steps from one status); it writes the public history (who: the
 * office), the audit log, a mail to the author and the followers' news, in one
 * transaction. Admitting starts the 8-week period and queues the job that ends it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/participation/internal.h"
#include "modules/participation/requests_internal.h"
#include "view/i18n.h"
#include "web/auth.h"

#define QUEUE_SECTION_MAX 200 /* Anregungen listed per section of the queue */
#define QUEUE_DONE_MAX 50     /* of those finished, the newest */
#define STEPS_MAX 4           /* steps from one status (two at most today) */

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

/* ---- the queue ---------------------------------------------------------------------- */

/* The sections of the queue, in the order the office works through them. */
static const struct section {
    const char *key;
    const char *title; /* msgid */
    const char *intro; /* msgid */
    const char *empty; /* msgid */
} sections[] = {
    {"eingereicht", N_("Zu prüfen"), N_("Neue Anregungen: zur Sammlung freigeben oder mit Begründung nicht zulassen."),
     N_("Keine Anregung wartet auf eine Prüfung.")},
    {"erfolgreich", N_("Quorum erreicht"),
     N_("Diese Anregungen haben genug Unterstützung: bitte die Beschlussvorlage mit dem zuständigen Amt vorbereiten."),
     N_("Keine Anregung hat gerade das Quorum erreicht.")},
    {"vorlage", N_("Beschlussvorlage in Vorbereitung"),
     N_("Sobald die Vorlage im Stadtrat ist, tragen Sie die Sitzung ein."),
     N_("Keine Beschlussvorlage in Vorbereitung.")},
    {"stadtrat", N_("Im Stadtrat"), N_("Nach der Entscheidung tragen Sie den Beschluss ein."),
     N_("Keine Anregung liegt gerade dem Stadtrat vor.")},
    {"sammlung", N_("Sammeln Unterstützung"), N_("Hier ist nichts zu tun: die Sammlung läuft."),
     N_("Keine Anregung sammelt gerade Unterstützung.")},
    {"fertig", N_("Abgeschlossen"), N_("Die zuletzt abgeschlossenen Anregungen."),
     N_("Noch keine Anregung ist abgeschlossen.")},
};

/* New ones oldest first (first come, first checked); the rest newest first. */
static const char sql_section[] =
    "SELECT " REQUESTS_COLUMNS REQUESTS_FROM " WHERE r.status = $1 ORDER BY r.updated_at, r.id LIMIT $2";
static const char sql_done[] =
    "SELECT " REQUESTS_COLUMNS REQUESTS_FROM " WHERE r.status IN ('entschieden', 'abgelehnt', 'nicht_erreicht')"
    " ORDER BY r.updated_at DESC, r.id DESC LIMIT $1";

static json_t *queue_row(http_req_t *req, const request_t *r, int64_t now)
{
    const char *status = requests_effective_status(r->status, r->collect_ends_at, now);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s}", "id", (json_int_t)r->id, "title", r->title,
                     "href", arena_printf(req->arena, "/verwaltung/beteiligung/anregungen/%lld", (long long)r->id),
                     "author_name", r->author_name, "status_label", tr(req, requests_status_label(status)),
                     "status_badge", requests_status_badge(status), "supports", (json_int_t)r->support_count, "quorum",
                     (json_int_t)r->quorum, "days_left",
                     (json_int_t)(!strcmp(status, "sammlung") ? requests_days_left(r->collect_ends_at, now) : 0),
                     "submitted", requests_date(req->arena, r->submitted_at, 1), "changed",
                     requests_date(req->arena, r->updated_at, 1));
}

int requests_office_queue(http_req_t *req)
{
    int64_t now = (int64_t)time(NULL);
    json_t *list = json_array();
    int ok = 1;
    for (size_t i = 0; ok && i < sizeof(sections) / sizeof(sections[0]); i++) {
        int done = !strcmp(sections[i].key, "fertig");
        db_stmt_t *st;
        ok = db_prepare(req->db, done ? sql_done : sql_section, &st) == 0;
        if (!ok)
            break;
        if (done) {
            db_bind_int64(st, 1, QUEUE_DONE_MAX);
        } else {
            db_bind_text(st, 1, sections[i].key, -1);
            db_bind_int64(st, 2, QUEUE_SECTION_MAX);
        }
        json_t *items = json_array();
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            request_t r;
            requests_read_row(st, req->arena, &r);
            json_array_append_new(items, queue_row(req, &r, now));
        }
        db_reset(st);
        ok = rc == DB_DONE;
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:o,s:b,s:b}", "key", sections[i].key, "title",
                                              tr(req, sections[i].title), "intro", tr(req, sections[i].intro), "empty",
                                              tr(req, sections[i].empty), "items", items, "waiting",
                                              i < 2 && json_array_size(items) > 0, "has_supports", i >= 1));
    }
    if (!ok) {
        json_decref(list);
        return requests_db_status(req);
    }
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(tr(req, N_("Anregungen: Koordinierungsstelle"))));
    json_object_set_new(model, "sections", list);
    json_object_set_new(model, "quorum", json_integer(REQUESTS_QUORUM));
    return http_render(req, 200, "participation/requests/office_queue", model);
}

/* ---- one Anregung --------------------------------------------------------------------- */

/* What the office typed into one step's form. */
typedef struct step_input {
    const char *action;
    const char *text;
    const char *reason;
    const char *decision;
    const char *e_text, *e_reason, *e_decision; /* msgids */
} step_input_t;

static json_t *choice_field(http_req_t *req, const char *id_prefix, const char *name, const char *label,
                            const requests_choice_t *list, size_t count, const char *value, const char *error)
{
    json_t *f = requests_field(req, name, label, value, NULL, error);
    json_object_set_new(f, "id", json_sprintf("feld-%s-%s", id_prefix, name));
    json_t *options = json_array();
    json_array_append_new(
        options, json_pack("{s:s,s:s,s:b}", "value", "", "label", tr(req, N_("Bitte wählen")), "selected", !*value));
    for (size_t i = 0; i < count; i++)
        json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", list[i].key, "label", tr(req, list[i].label),
                                                 "selected", !strcmp(list[i].key, value)));
    json_object_set_new(f, "options", options);
    json_object_set_new(f, "required", json_true());
    return f;
}

/* The forms of the steps possible from the Anregung's status; in is the input of
 * the step sent (its values and errors), or NULL. Errors go into errors. */
static json_t *step_forms(http_req_t *req, const request_t *r, const step_input_t *in, json_t *errors)
{
    const requests_step_t *steps[STEPS_MAX];
    size_t n = requests_steps_from(r->status, steps, STEPS_MAX);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const requests_step_t *s = steps[i];
        const step_input_t *mine = in && !strcmp(in->action, s->action) ? in : NULL;
        json_t *form = json_pack("{s:s,s:s,s:s}", "action", s->action, "label", tr(req, s->label), "href",
                                 arena_printf(req->arena, "/verwaltung/beteiligung/anregungen/%lld", (long long)r->id));
        if (s->with_reason) {
            size_t count;
            const requests_choice_t *reasons = requests_reasons(&count);
            json_t *f = choice_field(req, s->action, "grund", N_("Grund"), reasons, count, mine ? mine->reason : "",
                                     mine ? mine->e_reason : NULL);
            requests_error(req, errors, f);
            json_object_set_new(form, "f_reason", f);
        }
        if (s->with_decision) {
            size_t count;
            const requests_choice_t *decisions = requests_decisions(&count);
            json_t *f = choice_field(req, s->action, "entscheidung", N_("Entscheidung des Stadtrats"), decisions, count,
                                     mine ? mine->decision : "", mine ? mine->e_decision : NULL);
            requests_error(req, errors, f);
            json_object_set_new(form, "f_decision", f);
        }
        json_t *f = requests_field(req, "text", s->text_label, mine ? mine->text : "", s->text_hint,
                                   mine ? mine->e_text : NULL);
        json_object_set_new(f, "id", json_sprintf("feld-%s-text", s->action));
        json_object_set_new(f, "rows", json_integer(5));
        json_object_set_new(f, "maxlength", json_integer(REQUESTS_OFFICE_TEXT_MAX));
        if (s->text_required)
            json_object_set_new(f, "required", json_true());
        requests_error(req, errors, f);
        json_object_set_new(form, "f_text", f);
        json_array_append_new(list, form);
    }
    return list;
}

static int office_page(http_req_t *req, int status, const request_t *r, const step_input_t *in, const char *alert_kind,
                       const char *alert)
{
    int64_t now = (int64_t)time(NULL);
    json_t *o = requests_json(req, r, now, 1);
    if (!o)
        return requests_db_status(req);
    requests_json_for_page(req, o, r);
    json_t *errors = json_array();
    json_t *steps = step_forms(req, r, in, errors);
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(r->title));
    json_object_set_new(model, "request", o);
    json_object_set_new(model, "steps", steps);
    json_object_set_new(model, "public", json_boolean(requests_status_is_public(r->status)));
    json_object_set_new(model, "submitted", json_string(requests_date(req->arena, r->submitted_at, 1)));
    if (json_array_size(errors))
        json_object_set_new(model, "errors", errors);
    else
        json_decref(errors);
    json_t *alerts = json_array();
    if (alert)
        json_array_append_new(alerts, json_pack("{s:s,s:s}", "kind", alert_kind, "text", tr(req, alert)));
    else if (http_query(req, "erledigt"))
        json_array_append_new(alerts,
                              json_pack("{s:s,s:s}", "kind", "success", "text",
                                        tr(req, N_("Der Schritt ist eingetragen und im Verlauf veröffentlicht."))));
    json_object_set_new(model, "alerts", alerts);
    return http_render(req, status, "participation/requests/office", model);
}

static int load_for_office(http_req_t *req, request_t *r)
{
    int64_t id = requests_parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    int rc = requests_load(req->db, req->arena, id, r);
    if (rc < 0)
        return requests_db_status(req);
    return rc > 0 ? 404 : 0;
}

int requests_office_page(http_req_t *req)
{
    request_t r;
    int rc = load_for_office(req, &r);
    if (rc != 0)
        return rc;
    return office_page(req, 200, &r, NULL, NULL, NULL);
}

/* ---- taking a step --------------------------------------------------------------------- */

static const char sql_to_collecting[] =
    "UPDATE participation_requests SET status = 'sammlung', published_at = $3, collect_ends_at = $4, updated_at = $3"
    " WHERE id = $1 AND status = $2";
static const char sql_to_refused[] =
    "UPDATE participation_requests SET status = 'abgelehnt', published_at = $3, refusal_reason = $4,"
    " refusal_text = $5, updated_at = $3 WHERE id = $1 AND status = $2";
static const char sql_to_decided[] =
    "UPDATE participation_requests SET status = 'entschieden', decision = $4, decision_text = $5, updated_at = $3"
    " WHERE id = $1 AND status = $2";
static const char sql_to_status[] =
    "UPDATE participation_requests SET status = $4, updated_at = $3 WHERE id = $1 AND status = $2";

/* What the author and the followers are told after a step (German, like every
 * letter). The followers' text names the Anregung: news_before, its title, news_after. */
static const struct {
    const char *action, *subject, *text, *news_subject, *news_before, *news_after;
} step_mails[] = {
    {"annehmen", "Ihre Anregung ist veröffentlicht",
     "Die Koordinierungsstelle Bürgerbeteiligung hat Ihre Anregung zur Sammlung freigegeben. Sie ist jetzt "
     "veröffentlicht, und Einwohnerinnen und Einwohner von Mainz können sie acht Wochen lang unterstützen.",
     "Anregung veröffentlicht", "Die Anregung „", "“ ist veröffentlicht und sammelt acht Wochen lang Unterstützung."},
    {"ablehnen", "Ihre Anregung wurde nicht zugelassen",
     "Die Koordinierungsstelle Bürgerbeteiligung hat Ihre Anregung nicht zugelassen. Die Begründung steht auf der "
     "Seite der Anregung.",
     "Anregung nicht zugelassen", "Die Koordinierungsstelle hat die Anregung „", "“ nicht zugelassen."},
    {"vorlage", "Ihre Anregung: Beschlussvorlage in Vorbereitung",
     "Für Ihre Anregung wird jetzt eine Beschlussvorlage für den Stadtrat vorbereitet.",
     "Anregung: Beschlussvorlage in Vorbereitung", "Für die Anregung „",
     "“ wird jetzt eine Beschlussvorlage für den Stadtrat vorbereitet."},
    {"stadtrat", "Ihre Anregung liegt dem Stadtrat vor", "Ihre Anregung liegt jetzt dem Stadtrat vor.",
     "Anregung im Stadtrat", "Die Anregung „", "“ liegt jetzt dem Stadtrat vor."},
    {"entscheidung", "Der Stadtrat hat über Ihre Anregung entschieden",
     "Der Stadtrat hat über Ihre Anregung entschieden. Den Beschluss lesen Sie auf der Seite der Anregung.",
     "Anregung: der Stadtrat hat entschieden", "Der Stadtrat hat über die Anregung „",
     "“ entschieden. Den Beschluss lesen Sie auf der Seite der Anregung."},
};

/* Runs the UPDATE of step s; returns the rows changed (0: the status moved on
 * meanwhile) or -1. */
static int64_t apply_step(http_req_t *req, const request_t *r, const requests_step_t *s, const step_input_t *in,
                          int64_t now)
{
    const char *sql = !strcmp(s->to, "sammlung")      ? sql_to_collecting
                      : !strcmp(s->to, "abgelehnt")   ? sql_to_refused
                      : !strcmp(s->to, "entschieden") ? sql_to_decided
                                                      : sql_to_status;
    db_stmt_t *st;
    if (db_prepare(req->db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, r->id);
    db_bind_text(st, 2, s->from, -1);
    db_bind_int64(st, 3, now);
    if (sql == sql_to_collecting) {
        db_bind_int64(st, 4, requests_period_end(now));
    } else if (sql == sql_to_refused) {
        db_bind_text(st, 4, in->reason, -1);
        db_bind_text(st, 5, in->text, -1);
    } else if (sql == sql_to_decided) {
        db_bind_text(st, 4, in->decision, -1);
        db_bind_text(st, 5, in->text, -1);
    } else {
        db_bind_text(st, 4, s->to, -1);
    }
    int rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : -1;
    db_reset(st);
    return changed;
}

/* The public text of the history row: the chosen reason or decision, then the text. */
static const char *history_text(http_req_t *req, const requests_step_t *s, const step_input_t *in)
{
    size_t nreasons, ndecisions;
    const requests_choice_t *reasons = requests_reasons(&nreasons);
    const requests_choice_t *decisions = requests_decisions(&ndecisions);
    const char *label = NULL;
    if (s->with_reason)
        label = requests_choice_label(reasons, nreasons, in->reason);
    else if (s->with_decision)
        label = requests_choice_label(decisions, ndecisions, in->decision);
    if (!label)
        return in->text;
    return *in->text ? arena_printf(req->arena, "%s.\n\n%s", label, in->text) : arena_printf(req->arena, "%s.", label);
}

int requests_office_act(http_req_t *req)
{
    request_t r;
    int rc = load_for_office(req, &r);
    if (rc != 0)
        return rc;
    const char *action = http_form(req, "aktion");
    const requests_step_t *s = requests_step(r.status, action);
    /* clang-format off */
    if (!s)
        return office_page(req, 409, &r, NULL, "warning",
                           N_("Dieser Schritt ist beim jetzigen Stand der Anregung nicht möglich. Die Seite zeigt den aktuellen Stand."));
    /* clang-format on */
    step_input_t in = {.action = s->action, .reason = "", .decision = ""};
    in.e_text =
        requests_check_text(req, http_form(req, "text"), s->text_required ? 1 : 0, REQUESTS_OFFICE_TEXT_MAX, &in.text);
    size_t nreasons, ndecisions;
    const requests_choice_t *reasons = requests_reasons(&nreasons);
    const requests_choice_t *decisions = requests_decisions(&ndecisions);
    if (s->with_reason) {
        const char *v = http_form(req, "grund");
        in.reason = v ? v : "";
        if (!requests_choice_label(reasons, nreasons, in.reason)) {
            in.e_reason = N_("Bitte wählen Sie einen Grund.");
            in.reason = "";
        }
    }
    if (s->with_decision) {
        const char *v = http_form(req, "entscheidung");
        in.decision = v ? v : "";
        if (!requests_choice_label(decisions, ndecisions, in.decision)) {
            in.e_decision = N_("Bitte wählen Sie die Entscheidung des Stadtrats.");
            in.decision = "";
        }
    }
    if (in.e_text || in.e_reason || in.e_decision)
        return office_page(req, 422, &r, &in, NULL, NULL);

    int64_t now = (int64_t)time(NULL);
    int ok = db_begin_write(req->db) == 0;
    int64_t changed = ok ? apply_step(req, &r, s, &in, now) : -1;
    ok = changed >= 0;
    if (ok && changed == 0) {
        db_rollback(req->db);
        if (requests_load(req->db, req->arena, r.id, &r) != 0)
            return requests_db_status(req);
        return office_page(req, 409, &r, NULL, "warning",
                           N_("Jemand hat die Anregung gerade weitergeführt. Die Seite zeigt den aktuellen Stand."));
    }
    const char *subject = NULL, *mail_text = NULL, *news_subject = NULL, *news_text = NULL;
    for (size_t i = 0; i < sizeof(step_mails) / sizeof(step_mails[0]); i++)
        if (!strcmp(step_mails[i].action, s->action)) {
            subject = step_mails[i].subject;
            mail_text = step_mails[i].text;
            news_subject = step_mails[i].news_subject;
            news_text =
                arena_printf(req->arena, "%s%s%s", step_mails[i].news_before, r.title, step_mails[i].news_after);
        }
    const char *path = arena_printf(req->arena, "/beteiligung/anregungen/%lld", (long long)r.id);
    ok = ok && requests_history_add(req->db, r.id, s->to, "office", req->user->id, history_text(req, s, &in), now) == 0;
    if (ok && !strcmp(s->to, "sammlung"))
        ok = requests_schedule_deadline(req->db, r.id, requests_period_end(now)) == 0;
    ok = ok && (!subject || requests_mail_author(req->db, req->cfg, req->arena, &r, subject, mail_text) == 0);
    ok = ok && (!subject ||
                participation_notify_followers(req->db, req->cfg, "request", r.id, news_subject, news_text, path) == 0);
    ok = ok && requests_audit(req->db, req->user->id, "participation.request_step", r.id,
                              json_pack("{s:s,s:s,s:s,s:s,s:s}", "action", s->action, "from", s->from, "to", s->to,
                                        "reason", in.reason, "decision", in.decision),
                              req->client_ip, req->request_id) == 0;
    /* clang-format off */
    if (requests_finish(req->db, ok) != 0)
        return office_page(req, requests_db_status(req), &r, &in, "danger",
                           N_("Der Schritt konnte gerade nicht gespeichert werden. Ihre Eingaben sind noch da: bitte versuchen Sie es gleich noch einmal."));
    /* clang-format on */
    return http_redirect(
        req, 303, arena_printf(req->arena, "/verwaltung/beteiligung/anregungen/%lld?erledigt=1", (long long)r.id));
}
