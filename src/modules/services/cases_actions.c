/* cases_actions.c — what a caseworker does to a case (POST under
 * /verwaltung/vorgaenge/:id/…): change the status (or propose a decision for
 * four eyes, or preview its notice), approve or return a proposal, assign,
 * write an internal note, set deadline and resubmission, record a payment at
 * the counter.
 *
 * Each handler loads the case with the permission it needs for the case's own
 * unit (cases_load: 404 for another unit's case, 403 without the right), checks
 * the form, changes the database in one transaction with a history entry, and
 * answers 303 back to the case page with a fixed success message. A form with
 * errors comes back as the case page (422, or 409 when the case changed
 * meanwhile) with the errors on top and everything typed still there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/services/internal.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char sql_propose[] =
    "UPDATE applications SET approval_status = 'offen', approval_requested_by = $2, approval_target = $3,"
    " decision = $4, updated_at = $5 WHERE id = $1 AND status = $6 AND approval_status <> 'offen'";
static const char sql_return[] =
    "UPDATE applications SET approval_status = '', approval_target = '', approval_requested_by = NULL,"
    " updated_at = $2 WHERE id = $1 AND approval_status = 'offen'";
static const char sql_target[] = "SELECT approval_target FROM applications WHERE id = $1";
static const char sql_assign[] = "UPDATE applications SET assigned_to = $2, updated_at = $3 WHERE id = $1";
static const char sql_is_colleague[] =
    "SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN role_permissions rp ON rp.role_id = ur.role_id"
    " WHERE u.id = $1 AND ur.unit_id = $2 AND rp.permission = 'services.case.process'"
    " AND u.deleted_at IS NULL AND u.blocked_at IS NULL";
static const char sql_user_name[] = "SELECT display_name, email FROM users WHERE id = $1";
static const char sql_dates[] =
    "UPDATE applications SET deadline_at = $2, resubmit_at = $3, updated_at = $4 WHERE id = $1";

/* ---- helpers ---------------------------------------------------------------------- */

/* The model of a form that failed: its name, errors and values (cases_page.c). */
static json_t *form_new(const char *name)
{
    return json_pack("{s:s,s:[],s:{},s:{}}", "name", name, "errors", "field_errors", "values");
}

static void form_value(json_t *form, const char *field, const char *value)
{
    json_object_set_new(json_object_get(form, "values"), field, json_string(value ? value : ""));
}

static void form_error(http_req_t *req, json_t *form, const char *field, const char *msgid)
{
    json_object_set_new(json_object_get(form, "field_errors"), field, json_string(msgid));
    json_array_append_new(json_object_get(form, "errors"),
                          json_pack("{s:s,s:s}", "id", arena_printf(req->arena, "feld-%s", field), "message",
                                    cases_tr(req, msgid)));
}

/* A message for the whole page (no field): shown as an alert on top. */
static void form_problem(json_t *form, const char *msgid) { json_object_set_new(form, "general", json_string(msgid)); }

static int has_errors(json_t *form) { return json_array_size(json_object_get(form, "errors")) > 0; }

static int blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static int too_long(const char *s) { return s && utf8_length(s, strlen(s)) > CASES_TEXT_MAX; }

/* Renders the case again (reloaded: it may have changed) with the failed form.
 * Takes form. */
static int again(http_req_t *req, int64_t app_id, int status, json_t *form)
{
    application_t app;
    int rc = application_load(req->db, req->arena, app_id, &app);
    if (rc != 0) {
        json_decref(form);
        return rc < 0 ? 503 : 404;
    }
    rc = cases_render_case(req, &app, status, form);
    json_decref(form);
    return rc;
}

/* The case again with a message for the whole page (form_problem). Takes form. */
static int problem(http_req_t *req, int64_t app_id, int status, json_t *form, const char *msgid)
{
    form_problem(form, msgid);
    return again(req, app_id, status, form);
}

/* After a failed write: undoes the transaction and shows the case again with
 * what was typed kept in the form. Takes form. */
static int failed(http_req_t *req, int64_t app_id, json_t *form)
{
    db_rollback(req->db);
    return problem(req, app_id, 500, form, N_("Das hat nicht geklappt. Bitte versuchen Sie es noch einmal."));
}

/* A text the action needs: an error at the field when it is blank (missing) or
 * longer than CASES_TEXT_MAX characters. */
static void require_text(http_req_t *req, json_t *form, const char *name, const char *value, const char *missing)
{
    if (blank(value))
        form_error(req, form, name, missing);
    else if (too_long(value))
        form_error(req, form, name, N_("Der Text ist zu lang: höchstens 5000 Zeichen."));
}

static int done(http_req_t *req, const application_t *app, const char *what)
{
    return http_redirect(req, 303,
                         arena_printf(req->arena, "/verwaltung/vorgaenge/%lld?erledigt=%s", (long long)app->id, what));
}

/* Writes an audit entry for an action on app (inside the open transaction). */
static int audit(http_req_t *req, const application_t *app, const char *action, json_t *detail)
{
    char actor[32], object[32];
    snprintf(actor, sizeof(actor), "user:%lld", (long long)req->user->id);
    snprintf(object, sizeof(object), "application:%lld", (long long)app->id);
    json_object_set_new(detail, "reference", json_string(app->reference));
    char *text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    int rc = audit_log(req->db, actor, action, object, text, req->client_ip, req->request_id);
    free(text);
    return rc;
}

static const char *user_name(http_req_t *req, int64_t id)
{
    if (id <= 0)
        return "";
    db_stmt_t *st;
    if (db_prepare(req->db, sql_user_name, &st) != 0)
        return "";
    db_bind_int64(st, 1, id);
    const char *out = "";
    if (db_step(st) == DB_ROW) {
        const char *name = db_column_text(st, 0);
        out = arena_strdup(req->arena, name && *name ? name : db_column_text(st, 1));
    }
    db_reset(st);
    return out;
}

/* ---- status ----------------------------------------------------------------------- */

/* Four eyes: records the proposal; someone else approves it (cases_approve_submit). */
static int propose(http_req_t *req, const application_t *app, const char *to, const char *text)
{
    if (db_begin_write(req->db) != 0)
        return -1;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_propose, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, app->id);
    db_bind_int64(st, 2, req->user->id);
    db_bind_text(st, 3, to, -1);
    db_bind_text(st, 4, text, -1);
    db_bind_int64(st, 5, (int64_t)time(NULL));
    db_bind_text(st, 6, app->status, -1);
    int rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (changed == 0) {
        db_rollback(req->db);
        return 1;
    }
    if (application_event(req->db, app->id, req->user->id, "approval", "vorgeschlagen", to, text, 1) != 0 ||
        audit(req, app, "services.case.propose", json_pack("{s:s}", "to", to)) != 0 || db_commit(req->db) != 0)
        goto fail;
    return 0;
fail:
    db_rollback(req->db);
    return -1;
}

/* POST /verwaltung/vorgaenge/:id/status — status (the button pressed) and text;
 * or vorschau (a status) to see the notice first. */
int cases_status_submit(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_PROCESS, &app);
    if (rc != 0)
        return rc;
    const char *text = http_form(req, "text");
    text = text ? text : "";
    const char *preview = http_form(req, "vorschau");
    const char *to = http_form(req, "status");
    json_t *form = form_new("status");
    form_value(form, "text", text);
    if (too_long(text))
        form_error(req, form, "text", N_("Der Text ist zu lang: höchstens 5000 Zeichen."));

    if (preview && *preview) {
        if (!workflow_may(app.workflow, app.status, preview))
            form_problem(form, N_("Dieser Schritt ist jetzt nicht möglich. Der Vorgang wurde vielleicht gerade geändert."));
        else
            json_object_set_new(form, "preview", json_string(preview));
        return again(req, app.id, has_errors(form) ? 422 : 200, form);
    }
    if (strcmp(app.approval_status, "offen") == 0) {
        return problem(req, app.id, 409, form, N_("Eine Entscheidung liegt schon zur Freigabe vor. Erst nach der Freigabe oder Rückgabe geht es weiter."));
    }
    if (!to || !workflow_may(app.workflow, app.status, to)) {
        return problem(req, app.id, 409, form, N_("Dieser Schritt ist jetzt nicht möglich. Der Vorgang wurde vielleicht gerade geändert."));
    }
    /* A refusal and a decision need their reasons, a question its text. */
    if ((workflow_is_decision(app.workflow, to) || strcmp(to, "rueckfrage") == 0) && blank(text))
        form_error(req, form, "text", N_("Bitte schreiben Sie eine Begründung, die Rückfrage oder den Text der Entscheidung."));
    if (has_errors(form))
        return again(req, app.id, 422, form);

    if (app.four_eyes && workflow_is_decision(app.workflow, to)) {
        rc = propose(req, &app, to, text);
        if (rc == 0) {
            json_decref(form);
            return done(req, &app, "vorgeschlagen");
        }
    } else {
        rc = case_set_status(req->db, req->cfg, req->arena, app.id, to, req->user->id, text);
        if (rc == 0) {
            json_decref(form);
            return done(req, &app, "status");
        }
    }
    if (rc == 1) {
        return problem(req, app.id, 409, form, N_("Dieser Schritt ist jetzt nicht möglich. Der Vorgang wurde vielleicht gerade geändert."));
    }
    return problem(req, app.id, 500, form, N_("Der Status konnte nicht geändert werden. Bitte versuchen Sie es noch einmal. Ihr Text ist unten erhalten."));
}

/* ---- four eyes -------------------------------------------------------------------- */

/* The checks approve and return share: 0, or the answer already sent. */
static int proposal_checks(http_req_t *req, const application_t *app, json_t *form, int *answered)
{
    *answered = 0;
    if (strcmp(app->approval_status, "offen") != 0) {
        form_problem(form, N_("Zu diesem Vorgang liegt kein Vorschlag zur Freigabe vor."));
        *answered = 1;
        return again(req, app->id, 409, form);
    }
    if (app->approval_requested_by == req->user->id) {
        form_problem(form, N_("Sie können Ihren eigenen Vorschlag nicht freigeben oder zurückgeben. Das muss eine zweite Person tun."));
        *answered = 1;
        return again(req, app->id, 403, form);
    }
    return 0;
}

/* POST /verwaltung/vorgaenge/:id/freigabe */
int cases_approve_submit(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_APPROVE, &app);
    if (rc != 0)
        return rc;
    json_t *form = form_new("approval");
    int answered;
    rc = proposal_checks(req, &app, form, &answered);
    if (answered)
        return rc;
    const char *target = NULL;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_target, &st) == 0) {
        db_bind_int64(st, 1, app.id);
        if (db_step(st) == DB_ROW)
            target = arena_strdup(req->arena, db_column_text(st, 0));
        db_reset(st);
    }
    if (!target) {
        json_decref(form);
        return 503;
    }
    rc = case_set_status(req->db, req->cfg, req->arena, app.id, target, req->user->id, app.decision);
    if (rc == 0) {
        json_decref(form);
        return done(req, &app, "freigegeben");
    }
    form_problem(form, rc == 1 ? N_("Dieser Schritt ist jetzt nicht möglich. Der Vorgang wurde vielleicht gerade geändert.")
                               : N_("Die Freigabe ist nicht gelungen. Bitte versuchen Sie es noch einmal."));
    return again(req, app.id, rc == 1 ? 409 : 500, form);
}

/* POST /verwaltung/vorgaenge/:id/zurueckgeben — grund: why. */
int cases_return_submit(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_APPROVE, &app);
    if (rc != 0)
        return rc;
    const char *reason = http_form(req, "grund");
    reason = reason ? reason : "";
    json_t *form = form_new("approval");
    form_value(form, "grund", reason);
    int answered;
    rc = proposal_checks(req, &app, form, &answered);
    if (answered)
        return rc;
    require_text(req, form, "grund", reason, N_("Bitte schreiben Sie, warum Sie den Vorschlag zurückgeben."));
    if (has_errors(form))
        return again(req, app.id, 422, form);

    const char *target = "";
    db_stmt_t *st;
    if (db_begin_write(req->db) != 0)
        goto fail;
    if (db_prepare(req->db, sql_target, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, app.id);
    if (db_step(st) == DB_ROW)
        target = arena_strdup(req->arena, db_column_text(st, 0));
    db_reset(st);
    if (db_prepare(req->db, sql_return, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, app.id);
    db_bind_int64(st, 2, (int64_t)time(NULL));
    rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (changed == 0) {
        db_rollback(req->db);
        return problem(req, app.id, 409, form, N_("Zu diesem Vorgang liegt kein Vorschlag zur Freigabe vor."));
    }
    if (application_event(req->db, app.id, req->user->id, "approval", "zurueckgegeben", target, reason, 1) != 0 ||
        audit(req, &app, "services.case.return", json_pack("{s:s}", "target", target)) != 0 ||
        db_commit(req->db) != 0)
        goto fail;
    json_decref(form);
    return done(req, &app, "zurueckgegeben");
fail:
    return failed(req, app.id, form);
}

/* ---- assignment, note, dates, payment ---------------------------------------------- */

/* POST /verwaltung/vorgaenge/:id/zuweisen — an: "" (nobody), "ich" or a user id. */
int cases_assign_submit(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_PROCESS, &app);
    if (rc != 0)
        return rc;
    const char *to = http_form(req, "an");
    to = to ? to : "";
    json_t *form = form_new("assign");
    int64_t target = 0;
    if (strcmp(to, "ich") == 0) {
        target = req->user->id;
    } else if (*to) {
        target = cases_parse_id(to);
        int64_t found = 0;
        db_stmt_t *st;
        if (target > 0 && db_prepare(req->db, sql_is_colleague, &st) == 0) {
            db_bind_int64(st, 1, target);
            db_bind_int64(st, 2, app.unit_id);
            found = db_step(st) == DB_ROW;
            db_reset(st);
        }
        if (!found) {
            form_error(req, form, "an", N_("Bitte wählen Sie eine Person aus der Liste."));
            return again(req, app.id, 422, form);
        }
    }
    if (target == app.assigned_to) {
        json_decref(form);
        return done(req, &app, "zugewiesen");
    }
    db_stmt_t *st;
    if (db_begin_write(req->db) != 0 || db_prepare(req->db, sql_assign, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, app.id);
    if (target > 0)
        db_bind_int64(st, 2, target);
    else
        db_bind_null(st, 2);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE ||
        application_event(req->db, app.id, req->user->id, "assign", user_name(req, app.assigned_to),
                          user_name(req, target), "", 1) != 0 ||
        audit(req, &app, "services.case.assign", json_pack("{s:I}", "to", (json_int_t)target)) != 0 ||
        db_commit(req->db) != 0)
        goto fail;
    json_decref(form);
    return done(req, &app, "zugewiesen");
fail:
    return failed(req, app.id, form);
}

/* POST /verwaltung/vorgaenge/:id/notiz — notiz: staff only. */
int cases_note_submit(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_PROCESS, &app);
    if (rc != 0)
        return rc;
    const char *note = http_form(req, "notiz");
    note = note ? note : "";
    json_t *form = form_new("note");
    form_value(form, "notiz", note);
    require_text(req, form, "notiz", note, N_("Bitte schreiben Sie eine Notiz."));
    if (has_errors(form))
        return again(req, app.id, 422, form);
    if (application_event(req->db, app.id, req->user->id, "note", "", "", note, 1) != 0) {
        return problem(req, app.id, 500, form, N_("Das hat nicht geklappt. Bitte versuchen Sie es noch einmal."));
    }
    json_decref(form);
    return done(req, &app, "notiz");
}

/* "yyyy-mm-dd" or "dd.mm.yyyy" → the start of that day (Europe/Berlin), else -1;
 * "" → 0 (none). Years 2000–2199: anything else is a typing mistake. */
static int64_t parse_day(const char *s)
{
    if (!s || !*s)
        return 0;
    int y, m, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || (size_t)n != strlen(s)) {
        n = 0;
        if (sscanf(s, "%2d.%2d.%4d%n", &d, &m, &y, &n) != 3 || (size_t)n != strlen(s))
            return -1;
    }
    if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    time_t t = mktime(&tm);
    /* mktime moves 31 April to 1 May: such a day does not exist. */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1)
        return -1;
    return (int64_t)t;
}

/* POST /verwaltung/vorgaenge/:id/termine — frist, wiedervorlage (dates, may be empty). */
int cases_dates_submit(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_PROCESS, &app);
    if (rc != 0)
        return rc;
    const char *deadline_text = http_form(req, "frist");
    const char *resubmit_text = http_form(req, "wiedervorlage");
    json_t *form = form_new("dates");
    form_value(form, "frist", deadline_text);
    form_value(form, "wiedervorlage", resubmit_text);
    int64_t deadline = parse_day(deadline_text), resubmit = parse_day(resubmit_text);
    if (deadline < 0)
        form_error(req, form, "frist", N_("Bitte geben Sie ein gültiges Datum an, zum Beispiel 29.11.2026."));
    if (resubmit < 0)
        form_error(req, form, "wiedervorlage", N_("Bitte geben Sie ein gültiges Datum an, zum Beispiel 29.11.2026."));
    if (has_errors(form))
        return again(req, app.id, 422, form);

    db_stmt_t *st;
    if (db_begin_write(req->db) != 0 || db_prepare(req->db, sql_dates, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, app.id);
    if (deadline > 0)
        db_bind_int64(st, 2, deadline);
    else
        db_bind_null(st, 2);
    if (resubmit > 0)
        db_bind_int64(st, 3, resubmit);
    else
        db_bind_null(st, 3);
    db_bind_int64(st, 4, (int64_t)time(NULL));
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (deadline != app.deadline_at &&
        application_event(req->db, app.id, req->user->id, "deadline", application_date(req->arena, app.deadline_at, 0),
                          application_date(req->arena, deadline, 0), "", 1) != 0)
        goto fail;
    if (resubmit != app.resubmit_at &&
        application_event(req->db, app.id, req->user->id, "resubmit", application_date(req->arena, app.resubmit_at, 0),
                          application_date(req->arena, resubmit, 0), "", 1) != 0)
        goto fail;
    if (db_commit(req->db) != 0)
        goto fail;
    json_decref(form);
    return done(req, &app, "termine");
fail:
    return failed(req, app.id, form);
}

/* POST /verwaltung/vorgaenge/:id/bezahlt — the fee was paid at the counter;
 * payment.c records it (payment, application, history, audit). */
int cases_paid_submit(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_PROCESS, &app);
    if (rc != 0)
        return rc;
    rc = payment_mark_paid(req->db, &app, req->user->id, req->client_ip, req->request_id);
    if (rc == 0)
        return done(req, &app, "bezahlt");
    json_t *form = form_new("payment");
    if (rc == 1)
        form_problem(form, app.fee_cents <= 0 ? N_("Für diesen Antrag ist keine Gebühr zu zahlen.")
                                              : N_("Die Gebühr ist schon als bezahlt eingetragen."));
    else
        form_problem(form, N_("Das hat nicht geklappt. Bitte versuchen Sie es noch einmal."));
    return again(req, app.id, rc == 1 ? 409 : 500, form);
}
