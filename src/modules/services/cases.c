/* cases.c — Vorgangsbearbeitung: the route table of /verwaltung/vorgaenge, the
 * checks every case page shares, and case_set_status, the one way a case
 * changes its status (docs/casework.md).
 *
 * The other parts live next to it: cases_inbox.c (the unit's inbox),
 * cases_page.c (one case), cases_actions.c (what staff do to a case),
 * cases_notice.c (notices as PDF), cases_stats.c (statistics). The statuses
 * and their moves are data in workflow.c.
 *
 * Who may do what: a route needs services.case.read (look), .process (act) or
 * .approve (second pair of eyes) somewhere; each handler then checks the grant
 * for the case's own unit, and a case of a unit one may not read is answered
 * 404, exactly like a case that does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/services/internal.h"
#include "modules/services/services.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

/* A text of CASES_TEXT_MAX characters is at most 4 bytes each, 12 when
 * URL-encoded: the forms that carry one may be that large. */
#define CASES_BODY_LIMIT (CASES_TEXT_MAX * 12 + 4096)

/* Order matters: the router takes the first match, so the fixed address
 * /statistik comes before /:id. */
static const route_t cases_routes[] = {
    {"GET", "/verwaltung/vorgaenge", cases_inbox_page, PERM_CASE_READ, 0, 0},
    {"GET", "/verwaltung/vorgaenge/statistik", cases_stats_page, PERM_CASE_READ, 0, 0},
    {"GET", "/verwaltung/vorgaenge/:id", cases_case_page, PERM_CASE_READ, 0, 0},
    {"GET", "/verwaltung/vorgaenge/:id/dateien/:file", cases_file_download, PERM_CASE_READ, 0, 0},
    {"POST", "/verwaltung/vorgaenge/:id/status", cases_status_submit, PERM_CASE_PROCESS, 0, CASES_BODY_LIMIT},
    {"POST", "/verwaltung/vorgaenge/:id/freigabe", cases_approve_submit, PERM_CASE_APPROVE, 0, 0},
    {"POST", "/verwaltung/vorgaenge/:id/zurueckgeben", cases_return_submit, PERM_CASE_APPROVE, 0, CASES_BODY_LIMIT},
    {"POST", "/verwaltung/vorgaenge/:id/zuweisen", cases_assign_submit, PERM_CASE_PROCESS, 0, 0},
    {"POST", "/verwaltung/vorgaenge/:id/notiz", cases_note_submit, PERM_CASE_PROCESS, 0, CASES_BODY_LIMIT},
    {"POST", "/verwaltung/vorgaenge/:id/termine", cases_dates_submit, PERM_CASE_PROCESS, 0, 0},
    {"POST", "/verwaltung/vorgaenge/:id/bezahlt", cases_paid_submit, PERM_CASE_PROCESS, 0, 0},
};

static const permission_t cases_permissions[] = {
    {PERM_CASE_READ, N_("Vorgänge der eigenen Einheit sehen")},
    {PERM_CASE_PROCESS, N_("Vorgänge bearbeiten (Status, Zuweisung, Notizen, Fristen)")},
    {PERM_CASE_APPROVE, N_("Entscheidungen freigeben (Vier-Augen-Prinzip)")},
};

const module_t cases_module = {
    .name = "cases",
    .title = N_("Vorgänge"),
    .summary = N_("Anträge und Meldungen Ihrer Einheit bearbeiten: Eingang, Prüfung, Bescheid."),
    .home = "/verwaltung/vorgaenge",
    .nav_permission = PERM_CASE_READ,
    .routes = cases_routes,
    .route_count = sizeof(cases_routes) / sizeof(cases_routes[0]),
    .permissions = cases_permissions,
    .permission_count = sizeof(cases_permissions) / sizeof(cases_permissions[0]),
};

/* ---- shared by the case pages ----------------------------------------------------- */

int64_t cases_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 18) /* 18 digits cannot overflow int64 */
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

int cases_load(http_req_t *req, const char *permission, application_t *app)
{
    int64_t id = cases_parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    int rc = application_load(req->db, req->arena, id, app);
    if (rc < 0)
        return 503;
    /* A draft is the citizen's alone; a case of another unit does not exist
     * for this caseworker (404, not 403: not even its number leaks). */
    if (rc > 0 || app->submitted_at == 0 || strcmp(app->status, "entwurf") == 0 ||
        !application_staff_may(req, app, PERM_CASE_READ))
        return 404;
    if (permission && strcmp(permission, PERM_CASE_READ) != 0 && !application_staff_may(req, app, permission))
        return 403;
    return 0;
}

void cases_scope(const http_req_t *req, const char *permission, cases_scope_t *scope)
{
    memset(scope, 0, sizeof(*scope));
    const http_user_t *u = req->user;
    for (size_t i = 0; u && i < u->grant_count; i++) {
        if (strcmp(u->grants[i].permission, permission) != 0)
            continue;
        if (u->grants[i].unit_id == 0) {
            scope->all = 1;
            continue;
        }
        int seen = 0;
        for (size_t k = 0; k < scope->count; k++)
            seen |= scope->units[k] == u->grants[i].unit_id;
        if (!seen && scope->count < CASES_MAX_UNITS)
            scope->units[scope->count++] = u->grants[i].unit_id;
        else if (!seen)
            scope->more = 1;
    }
}

int cases_scope_has(const cases_scope_t *scope, int64_t unit_id)
{
    if (scope->all)
        return 1;
    for (size_t i = 0; i < scope->count; i++)
        if (scope->units[i] == unit_id)
            return 1;
    return 0;
}

const char *cases_tr(const http_req_t *req, const char *msgid) { return i18n_translate(req->lang, msgid); }

json_t *cases_field(const http_req_t *req, const char *name, const char *label, const char *value,
                    const char *hint, const char *error)
{
    json_t *f = http_field(name, cases_tr(req, label), value ? value : "", NULL);
    json_object_set_new(f, "hint", hint ? json_string(cases_tr(req, hint)) : json_null());
    json_object_set_new(f, "error", error ? json_string(cases_tr(req, error)) : json_null());
    static const char *const absent[] = {"required", "maxlength", "type",    "autocomplete", "inputmode",
                                         "rows",     "accept",    "checked", "options",      "input",
                                         "select",   "textarea",  "checkbox", "date"};
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        json_object_set_new(f, absent[i], json_null());
    return f;
}

void cases_option(json_t *field, const char *value, const char *label, int selected)
{
    json_t *options = json_object_get(field, "options");
    if (!json_is_array(options)) {
        options = json_array();
        json_object_set_new(field, "options", options);
    }
    json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "selected", selected));
}

/* ---- case_set_status ---------------------------------------------------------------- */

static const char sql_approval_target[] = "SELECT approval_target FROM applications WHERE id = $1";

/* The status moves only from the status it was loaded in: a second caseworker
 * who acted meanwhile makes this one change nothing (0 rows), never both. */
static const char sql_set_status[] =
    "UPDATE applications SET status = $2, updated_at = $3, closed_at = $4, decision = $5,"
    " approval_status = $6, approval_target = $7 WHERE id = $1 AND status = $8";

/* Reads applications.approval_target of app_id into the arena; NULL on error. */
static const char *approval_target(db_t *db, arena_t *arena, int64_t app_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_approval_target, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, app_id);
    const char *out = NULL;
    if (db_step(st) == DB_ROW)
        out = arena_strdup(arena, db_column_text(st, 0) ? db_column_text(st, 0) : "");
    db_reset(st);
    return out;
}

/* The Postfach message that tells the citizen about the new status, with the
 * notice attached when there is one. German: the account's language is not
 * stored, and the office's letters are German. */
static int tell_citizen(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *to,
                        int64_t actor_id, const char *text, const char *note, int64_t notice_file)
{
    const char *label = workflow_status_label(app->workflow, to);
    const char *subject = arena_printf(arena, "Neuer Stand zu Ihrem Antrag %s: %s", app->reference, label);
    const char *body = arena_printf(
        arena, "Guten Tag,\n\nIhr Antrag „%s“ (%s) hat einen neuen Stand: %s.%s%s%s%s%s\n\nMit freundlichen Grüßen\n%s",
        app->service_name, app->reference, label, text && *text ? "\n\n" : "", text ? text : "",
        note ? "\n\n" : "", note ? note : "",
        notice_file > 0 ? "\n\nDen Bescheid finden Sie als PDF-Dokument bei dieser Nachricht." : "", app->unit_name);
    int64_t id = postfach_post(db, cfg, arena, app->id, 1, actor_id, subject, body, notice_file);
    if (id <= 0) {
        log_kv(LOG_ERROR, "case status: Postfach message not stored", "application", app->reference, "status", to,
               NULL);
        return -1;
    }
    return 0;
}

int case_set_status(db_t *db, const config_t *cfg, arena_t *arena, int64_t app_id, const char *to,
                    int64_t actor_id, const char *text)
{
    int result = -1; /* what we return: 0 done, 1 refused, < 0 failed */
    text = text ? text : "";
    if (!to || db_begin_write(db) != 0)
        return -1;

    application_t app;
    int rc = application_load(db, arena, app_id, &app);
    if (rc != 0) {
        result = rc > 0 ? 1 : -1;
        goto out;
    }
    const char *from = app.status;
    if (app.submitted_at == 0 || !workflow_known(app.workflow, to)) {
        result = 1;
        goto out;
    }
    /* The applicant acting on their own case withdraws it; anybody else is the
     * office. A caseworker's own application therefore never passes through
     * their own hands as an office move (conflict of interest). */
    int by_citizen = actor_id > 0 && actor_id == app.user_id;
    if (by_citizen ? !workflow_citizen_may(app.workflow, from, to) : !workflow_may(app.workflow, from, to)) {
        result = 1;
        goto out;
    }

    /* Four eyes: a decision of such a service runs only as the approval of a
     * proposal someone else made for exactly this status. */
    const char *target = approval_target(db, arena, app.id);
    if (!target)
        goto out;
    int proposal_open = strcmp(app.approval_status, "offen") == 0;
    int approved = 0;
    if (!by_citizen && app.four_eyes && workflow_is_decision(app.workflow, to)) {
        if (!proposal_open || strcmp(target, to) != 0 || app.approval_requested_by == actor_id) {
            result = 1;
            goto out;
        }
        approved = 1;
    }
    /* Any other move ends an open proposal: what it proposed no longer fits. */
    const char *approval_status = approved ? "freigegeben" : proposal_open ? "" : app.approval_status;
    const char *decision = workflow_is_decision(app.workflow, to) ? text : app.decision;

    int64_t now = (int64_t)time(NULL);
    int final = workflow_is_final(app.workflow, to);
    db_stmt_t *st;
    if (db_prepare(db, sql_set_status, &st) != 0)
        goto out;
    db_bind_int64(st, 1, app.id);
    db_bind_text(st, 2, to, -1);
    db_bind_int64(st, 3, now);
    if (final)
        db_bind_int64(st, 4, now);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, decision, -1);
    db_bind_text(st, 6, approval_status, -1);
    db_bind_text(st, 7, "", -1); /* decided, moved on or never proposed: nothing is pending */
    db_bind_text(st, 8, from, -1);
    rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
    db_reset(st);
    if (rc != DB_DONE)
        goto out;
    if (changed == 0) {
        result = 1; /* somebody else moved it first */
        goto out;
    }

    int visible = workflow_citizen_sees(app.workflow, to);
    if (application_event(db, app.id, actor_id, "status", from, to, text, !visible) != 0)
        goto out;

    /* The service's own reaction first (a permit gets its registration number),
     * so that the notice can name what the hook made. */
    application_t after = app;
    after.status = to;
    after.decision = decision;
    after.approval_status = approval_status;
    after.updated_at = now;
    after.closed_at = final ? now : 0;
    const char *note = NULL;
    if (services_status_changed(db, cfg, arena, &after, from, to, &note) != 0) {
        log_kv(LOG_ERROR, "case status: the service's hook failed", "application", app.reference, "status", to,
               NULL);
        goto out;
    }

    int64_t notice_file = 0;
    if (workflow_has_notice(app.workflow, to) &&
        cases_notice_issue(db, cfg, arena, &after, to, text, actor_id, &notice_file) < 0)
        goto out;

    /* Nobody can read a message to an anonymous report: it gets none. A hook's
     * note is told even at a status that otherwise tells nothing. */
    if ((workflow_notifies(app.workflow, to) || note) && app.user_id != 0 &&
        tell_citizen(db, cfg, arena, &after, to, actor_id, text, note, notice_file) != 0)
        goto out;

    char actor[32], object[32];
    snprintf(actor, sizeof(actor), "user:%lld", (long long)actor_id);
    snprintf(object, sizeof(object), "application:%lld", (long long)app.id);
    json_t *detail = json_pack("{s:s,s:s,s:s,s:b}", "reference", app.reference, "from", from, "to", to,
                               "approved", approved);
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    rc = audit_log(db, actor, "services.case.status", object, detail_text, NULL, NULL);
    free(detail_text);
    if (rc != 0)
        goto out;

    if (db_commit(db) != 0)
        goto out;
    cases_counts_forget(app.unit_id);
    return 0;

out:
    db_rollback(db);
    return result;
}
