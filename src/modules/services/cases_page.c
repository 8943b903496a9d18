/* cases_page.c — GET /verwaltung/vorgaenge/:id: one case as the office sees it,
 * and the download of its files.
 *
 * The page shows the facts (service, status, applicant, assignment, dates,
 * fee), the answers step by step with the labels of the form definition the
 * application was made with, the files, the full history (internal notes too),
 * the Postfach thread (postfach.c builds it, with the reply form), and the
 * forms of what the caseworker may do next: a button per allowed status with a
 * text for the reason or decision and a preview of the notice, the four-eyes
 * approval, assignment, deadline and resubmission, an internal note, payment
 * at the counter. A POST that fails comes back here through cases_render_case
 * with its errors and what was typed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "modules/services/internal.h"
#include "view/i18n.h"
#include "view/markdown.h"
#include "web/auth.h"

#define HISTORY_MAX 500   /* events the page lists (newest kept when there are more) */
#define FILES_MAX 200     /* files the page lists */
#define COLLEAGUES_MAX 200

static const char sql_files[] =
    "SELECT id, field, filename, content_type, size, created_at FROM application_files"
    " WHERE application_id = $1 ORDER BY id LIMIT $2";
static const char sql_history[] =
    "SELECT e.at, e.kind, e.from_value, e.to_value, e.text, e.internal, COALESCE(u.display_name, '')"
    " FROM application_events e LEFT JOIN users u ON u.id = e.actor_id"
    " WHERE e.application_id = $1 ORDER BY e.id DESC LIMIT $2";
static const char sql_form_definition[] = "SELECT definition FROM form_definitions WHERE id = $1";
static const char sql_applicant[] = "SELECT email, display_name FROM users WHERE id = $1";
static const char sql_user_name[] = "SELECT display_name, email FROM users WHERE id = $1";
/* The colleagues a case can be given to: whoever may process the unit's cases. */
static const char sql_colleagues[] =
    "SELECT DISTINCT u.id, u.display_name, u.email FROM users u JOIN user_roles ur ON ur.user_id = u.id"
    " JOIN role_permissions rp ON rp.role_id = ur.role_id"
    " WHERE rp.permission = 'services.case.process' AND ur.unit_id = $1"
    " AND u.deleted_at IS NULL AND u.blocked_at IS NULL ORDER BY u.display_name, u.email, u.id LIMIT $2";
static const char sql_approval_target[] = "SELECT approval_target FROM applications WHERE id = $1";
static const char sql_file[] =
    "SELECT filename, content_type, data FROM application_files WHERE id = $1 AND application_id = $2";

/* What a history entry of each kind is called. */
static const struct {
    const char *kind;
    const char *label;
} event_kinds[] = {
    {"status", N_("Status geändert")},  {"assign", N_("Zuweisung")},
    {"note", N_("Interne Notiz")},      {"deadline", N_("Frist")},
    {"resubmit", N_("Wiedervorlage")},  {"fee", N_("Gebühr")},
    {"payment", N_("Zahlung")},         {"approval", N_("Vier-Augen-Freigabe")},
    {"message", N_("Nachricht im Postfach")}, {"submit", N_("Antrag eingereicht")},
    {"registrierung", N_("Registriernummer")},
};

/* What an approval entry did (its from_value). */
static const struct {
    const char *action;
    const char *label;
} approval_actions[] = {
    {"vorgeschlagen", N_("Entscheidung zur Freigabe vorgeschlagen")},
    {"zurueckgegeben", N_("Vorschlag zurückgegeben")},
};

/* The success message after a POST (?erledigt=…): fixed texts only, nothing
 * from the address is shown. */
static const struct {
    const char *key;
    const char *text;
} done_messages[] = {
    {"status", N_("Der Status wurde geändert.")},
    {"vorgeschlagen", N_("Ihr Vorschlag liegt jetzt zur Freigabe vor. Eine zweite Person muss ihn freigeben.")},
    {"freigegeben", N_("Die Entscheidung ist freigegeben.")},
    {"zurueckgegeben", N_("Der Vorschlag wurde zurückgegeben.")},
    {"zugewiesen", N_("Die Zuweisung wurde gespeichert.")},
    {"notiz", N_("Die Notiz wurde gespeichert.")},
    {"termine", N_("Frist und Wiedervorlage wurden gespeichert.")},
    {"bezahlt", N_("Die Zahlung vor Ort wurde eingetragen.")},
};

/* The files' field names that are not form fields. */
static const struct {
    const char *field;
    const char *label;
} file_kinds[] = {
    {"bescheid", N_("Bescheid")},
    {"postfach", N_("Postfach")},
    {"quittung", N_("Eingangsbestätigung")},
};

static const char *tr(const http_req_t *req, const char *msgid) { return i18n_translate(req->lang, msgid); }

/* Text with line breaks as [{"text", "br"}] for {{#lines}}{{text}}{{#br}}<br>{{/br}}{{/lines}}:
 * the template escapes each line, and only the <br> between them is markup. */
static json_t *lines(const char *text)
{
    json_t *out = json_array();
    const char *p = text ? text : "";
    for (;;) {
        size_t n = strcspn(p, "\n");
        size_t shown = n && p[n - 1] == '\r' ? n - 1 : n;
        json_array_append_new(out, json_pack("{s:s%,s:b}", "text", p, shown, "br", p[n] == '\n'));
        if (!p[n])
            break;
        p += n + 1;
    }
    return out;
}

static void fact(json_t *facts, const char *key, const char *value)
{
    json_array_append_new(facts, json_pack("{s:s,s:o}", "key", key, "lines", lines(value)));
}

/* A text column of the first row for id, copied into the arena ("" when none). */
static const char *text_by_id(http_req_t *req, const char *sql, int64_t id, int col)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql, &st) != 0)
        return "";
    db_bind_int64(st, 1, id);
    const char *out = "";
    if (db_step(st) == DB_ROW && db_column_text(st, col))
        out = arena_strdup(req->arena, db_column_text(st, col));
    db_reset(st);
    return out;
}

static const char *user_name(http_req_t *req, int64_t id)
{
    if (id <= 0)
        return "";
    const char *name = text_by_id(req, sql_user_name, id, 0);
    return *name ? name : text_by_id(req, sql_user_name, id, 1);
}

/* ---- the answers, by step ------------------------------------------------------------ */

/* A text of the form in the page's language: the form's own translations. */
static const char *form_text(http_req_t *req, json_t *def, json_t *text)
{
    const char *s = json_string_value(text);
    if (!s)
        return "";
    json_t *t = json_object_get(json_object_get(json_object_get(def, "translations"), req->lang), s);
    return json_is_string(t) ? json_string_value(t) : s;
}

/* "2026-11-29" → "29.11.2026"; anything else as it is. */
static const char *date_text(http_req_t *req, const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
        return arena_printf(req->arena, "%02d.%02d.%04d", d, m, y);
    return s;
}

static const char *option_label(http_req_t *req, json_t *def, json_t *field, const char *value)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(field, "options"), i, o)
    {
        if (json_is_string(o) && strcmp(json_string_value(o), value) == 0)
            return value;
        if (strcmp(json_string_value(json_object_get(o, "value")) ? json_string_value(json_object_get(o, "value")) : "",
                   value) == 0)
            return form_text(req, def, json_object_get(o, "label"));
    }
    return value;
}

/* The answer as one line of text; NULL when there is none to show. */
static const char *answer_text(http_req_t *req, json_t *def, json_t *field, json_t *answer)
{
    const char *type = json_string_value(json_object_get(field, "type"));
    type = type ? type : "";
    if (!answer || json_is_null(answer))
        return NULL;
    if (json_is_true(answer))
        return tr(req, N_("Ja"));
    if (json_is_false(answer))
        return tr(req, N_("Nein"));
    if (json_is_string(answer)) {
        const char *s = json_string_value(answer);
        if (!*s)
            return NULL;
        if (strcmp(type, "select") == 0 || strcmp(type, "radio") == 0)
            return option_label(req, def, field, s);
        if (strcmp(type, "date") == 0)
            return date_text(req, s);
        return s;
    }
    if (json_is_integer(answer))
        return arena_printf(req->arena, "%lld", (long long)json_integer_value(answer));
    if (json_is_real(answer))
        return arena_printf(req->arena, "%g", json_real_value(answer));
    buf_t b;
    buf_init(&b, req->arena, 64, 64 * 1024);
    if (json_is_array(answer)) {
        size_t i;
        json_t *v;
        json_array_foreach(answer, i, v)
        {
            if (!json_is_string(v))
                continue;
            buf_puts(&b, b.len ? ", " : "");
            buf_puts(&b, option_label(req, def, field, json_string_value(v)));
        }
        return b.len ? buf_cstr(&b) : NULL;
    }
    if (json_is_object(answer)) {
        /* An address: "Straße 1, 55116 Mainz". */
        const char *street = json_string_value(json_object_get(answer, "street"));
        const char *number = json_string_value(json_object_get(answer, "house_number"));
        const char *postcode = json_string_value(json_object_get(answer, "postcode"));
        const char *city = json_string_value(json_object_get(answer, "city"));
        if (street || number || postcode || city) {
            buf_appendf(&b, "%s %s, %s %s", street ? street : "", number ? number : "", postcode ? postcode : "",
                        city ? city : "");
            return buf_cstr(&b);
        }
        const char *key;
        json_t *v;
        json_object_foreach(answer, key, v)
        {
            if (json_is_string(v))
                buf_appendf(&b, "%s%s: %s", b.len ? "; " : "", key, json_string_value(v));
        }
        return b.len ? buf_cstr(&b) : NULL;
    }
    return NULL;
}

/* The steps with their answered fields: [{title, answers: [{label, value}]}];
 * answers no field of the definition names go to a last step "Weitere Angaben". */
static json_t *answers_model(http_req_t *req, const application_t *app)
{
    json_t *steps = json_array();
    json_t *data = json_loads(app->data ? app->data : "{}", 0, NULL);
    if (!json_is_object(data)) {
        json_decref(data);
        return steps;
    }
    const char *def_text = text_by_id(req, sql_form_definition, app->form_id, 0);
    json_t *def = json_loads(def_text, 0, NULL);
    json_t *shown = json_object(); /* field names a step showed */
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(def, "steps"), i, step)
    {
        json_t *answers = json_array();
        size_t k;
        json_t *field;
        json_array_foreach(json_object_get(step, "fields"), k, field)
        {
            const char *name = json_string_value(json_object_get(field, "name"));
            if (!name)
                continue;
            json_object_set_new(shown, name, json_true());
            const char *value = answer_text(req, def, field, json_object_get(data, name));
            if (value)
                json_array_append_new(answers, json_pack("{s:s,s:o}", "label",
                                                         form_text(req, def, json_object_get(field, "label")),
                                                         "lines", lines(value)));
        }
        if (json_array_size(answers) == 0) {
            json_decref(answers);
            continue;
        }
        json_array_append_new(steps, json_pack("{s:s,s:o}", "title", form_text(req, def, json_object_get(step, "title")),
                                               "answers", answers));
    }
    json_t *rest = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(data, key, v)
    {
        if (json_object_get(shown, key))
            continue;
        const char *value = answer_text(req, def, NULL, v);
        if (value)
            json_array_append_new(rest, json_pack("{s:s,s:o}", "label", key, "lines", lines(value)));
    }
    if (json_array_size(rest))
        json_array_append_new(steps, json_pack("{s:s,s:o}", "title", tr(req, N_("Weitere Angaben")), "answers", rest));
    else
        json_decref(rest);
    json_decref(shown);
    json_decref(def);
    json_decref(data);
    return steps;
}

/* The label of a file's field: the form field's label, or what the office made. */
static const char *file_field_label(http_req_t *req, json_t *def, const char *field)
{
    for (size_t i = 0; i < sizeof(file_kinds) / sizeof(file_kinds[0]); i++)
        if (strcmp(file_kinds[i].field, field) == 0)
            return tr(req, file_kinds[i].label);
    size_t s, k;
    json_t *step, *f;
    json_array_foreach(json_object_get(def, "steps"), s, step)
    {
        json_array_foreach(json_object_get(step, "fields"), k, f)
        {
            const char *name = json_string_value(json_object_get(f, "name"));
            if (name && strcmp(name, field) == 0)
                return form_text(req, def, json_object_get(f, "label"));
        }
    }
    return field;
}

static json_t *files_model(http_req_t *req, const application_t *app)
{
    json_t *files = json_array();
    json_t *def = json_loads(text_by_id(req, sql_form_definition, app->form_id, 0), 0, NULL);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_files, &st) == 0) {
        db_bind_int64(st, 1, app->id);
        db_bind_int64(st, 2, FILES_MAX);
        while (db_step(st) == DB_ROW) {
            int64_t size = db_column_int64(st, 4);
            json_array_append_new(
                files, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "href",
                                 arena_printf(req->arena, "/verwaltung/vorgaenge/%lld/dateien/%lld", (long long)app->id,
                                              (long long)db_column_int64(st, 0)),
                                 "name", db_column_text(st, 2), "field",
                                 file_field_label(req, def, db_column_text(st, 1)), "type", db_column_text(st, 3),
                                 "size",
                                 size >= 1024 * 1024 ? arena_printf(req->arena, "%.1f MB", (double)size / (1024 * 1024))
                                 : size >= 1024      ? arena_printf(req->arena, "%lld KB", (long long)(size / 1024))
                                                     : arena_printf(req->arena, "%lld B", (long long)size),
                                 "date", application_date(req->arena, db_column_int64(st, 5), 1)));
        }
        db_reset(st);
    }
    json_decref(def);
    return files;
}

/* One history entry's "what" in words. */
static const char *event_what(http_req_t *req, const application_t *app, const char *kind, const char *from,
                              const char *to)
{
    if (strcmp(kind, "status") == 0)
        return arena_printf(req->arena, "%s: %s → %s", tr(req, N_("Status")),
                            tr(req, workflow_status_label(app->workflow, from)),
                            tr(req, workflow_status_label(app->workflow, to)));
    if (strcmp(kind, "approval") == 0) {
        for (size_t i = 0; i < sizeof(approval_actions) / sizeof(approval_actions[0]); i++)
            if (strcmp(approval_actions[i].action, from) == 0)
                return arena_printf(req->arena, "%s: %s", tr(req, approval_actions[i].label),
                                    tr(req, workflow_status_label(app->workflow, to)));
    }
    const char *label = kind;
    for (size_t i = 0; i < sizeof(event_kinds) / sizeof(event_kinds[0]); i++)
        if (strcmp(event_kinds[i].kind, kind) == 0)
            label = tr(req, event_kinds[i].label);
    if (strcmp(kind, "assign") == 0 || strcmp(kind, "deadline") == 0 || strcmp(kind, "resubmit") == 0 ||
        strcmp(kind, "registrierung") == 0 || strcmp(kind, "payment") == 0)
        return arena_printf(req->arena, "%s: %s", label, *to ? to : tr(req, N_("keine")));
    return label;
}

static json_t *history_model(http_req_t *req, const application_t *app)
{
    json_t *events = json_array();
    db_stmt_t *st;
    if (db_prepare(req->db, sql_history, &st) != 0)
        return events;
    db_bind_int64(st, 1, app->id);
    db_bind_int64(st, 2, HISTORY_MAX);
    while (db_step(st) == DB_ROW) {
        const char *kind = db_column_text(st, 1);
        const char *who = db_column_text(st, 6);
        json_array_append_new(
            events, json_pack("{s:s,s:s,s:s,s:o,s:b}", "date", application_date(req->arena, db_column_int64(st, 0), 1),
                              "who", *who ? who : tr(req, N_("System")), "what",
                              event_what(req, app, kind, db_column_text(st, 2), db_column_text(st, 3)), "lines",
                              lines(db_column_text(st, 4)), "internal", db_column_int64(st, 5) != 0));
    }
    db_reset(st);
    return events;
}

/* ---- the forms ---------------------------------------------------------------------- */

/* The value the failed form sent back for name, else fallback. */
static const char *sent(json_t *form, const char *name, const char *fallback)
{
    const char *v = json_string_value(json_object_get(json_object_get(form, "values"), name));
    return v ? v : fallback;
}

/* The error of field name in the failed form, else NULL. */
static const char *error_of(json_t *form, const char *name)
{
    return json_string_value(json_object_get(json_object_get(form, "field_errors"), name));
}

/* The errors of form for the summary, if form is the one called which. */
static json_t *form_errors(json_t *form, const char *which)
{
    const char *name = json_string_value(json_object_get(form, "name"));
    json_t *errors = json_object_get(form, "errors");
    return name && strcmp(name, which) == 0 && errors ? json_incref(errors) : json_array();
}

static json_t *textarea(http_req_t *req, const char *name, const char *label, const char *value, const char *hint,
                        const char *error)
{
    json_t *f = cases_field(req, name, label, value, hint, error);
    json_object_set_new(f, "textarea", json_true());
    json_object_set_new(f, "rows", json_integer(5));
    json_object_set_new(f, "maxlength", json_integer(CASES_TEXT_MAX));
    return f;
}

static const char *iso_date(http_req_t *req, int64_t t)
{
    if (t <= 0)
        return "";
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return arena_printf(req->arena, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The status form: a text and a button per allowed next status, and a preview
 * button per next status that issues a notice. NULL when nothing is allowed. */
static json_t *status_form(http_req_t *req, const application_t *app, json_t *form)
{
    const char *to[16], *action[16];
    size_t n = workflow_next(app->workflow, app->status, to, action, 16);
    if (n == 0)
        return NULL;
    json_t *buttons = json_array(), *previews = json_array();
    for (size_t i = 0; i < n; i++) {
        int four_eyes = app->four_eyes && workflow_is_decision(app->workflow, to[i]);
        const char *label = four_eyes ? arena_printf(req->arena, "%s (%s)", tr(req, action[i]),
                                                     tr(req, N_("zur Freigabe vorschlagen")))
                                      : tr(req, action[i]);
        json_array_append_new(buttons, json_pack("{s:s,s:s}", "value", to[i], "label", label));
        if (workflow_has_notice(app->workflow, to[i]))
            json_array_append_new(previews,
                                  json_pack("{s:s,s:s}", "value", to[i], "label",
                                            arena_printf(req->arena, "%s: %s", tr(req, N_("Bescheid ansehen")),
                                                         tr(req, workflow_status_label(app->workflow, to[i])))));
    }
    json_t *fields = json_array();
    json_array_append_new(
        fields, textarea(req, "text", N_("Begründung, Rückfrage oder Text der Entscheidung"), sent(form, "text", ""),
                         N_("Die antragstellende Person sieht diesen Text in ihrem Antrag und im Bescheid. Für eine Rückfrage, eine Ablehnung und eine Entscheidung ist er nötig. Höchstens 5000 Zeichen."),
                         error_of(form, "text")));
    return json_pack("{s:o,s:o,s:o,s:o}", "fields", fields, "buttons", buttons, "previews", previews, "errors",
                     form_errors(form, "status"));
}

static json_t *assign_form(http_req_t *req, const application_t *app, json_t *form)
{
    json_t *field = cases_field(req, "an", N_("Zuweisen an"), "", NULL, error_of(form, "an"));
    json_object_set_new(field, "select", json_true());
    cases_option(field, "", tr(req, N_("niemand")), app->assigned_to == 0);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_colleagues, &st) == 0) {
        db_bind_int64(st, 1, app->unit_id);
        db_bind_int64(st, 2, COLLEAGUES_MAX);
        while (db_step(st) == DB_ROW) {
            int64_t id = db_column_int64(st, 0);
            const char *name = db_column_text(st, 1);
            char value[24];
            snprintf(value, sizeof(value), "%lld", (long long)id);
            cases_option(field, value, *name ? name : db_column_text(st, 2), id == app->assigned_to);
        }
        db_reset(st);
    }
    json_t *fields = json_array();
    json_array_append_new(fields, field);
    return json_pack("{s:o,s:b,s:o}", "fields", fields, "assign_me", app->assigned_to != req->user->id, "errors",
                     form_errors(form, "assign"));
}

static json_t *dates_form(http_req_t *req, const application_t *app, json_t *form)
{
    json_t *fields = json_array();
    json_t *deadline = cases_field(req, "frist", N_("Frist"), sent(form, "frist", iso_date(req, app->deadline_at)),
                                   N_("Bis wann der Vorgang erledigt sein muss. Leer lassen: keine Frist."),
                                   error_of(form, "frist"));
    json_object_set_new(deadline, "date", json_true());
    json_array_append_new(fields, deadline);
    json_t *resubmit = cases_field(req, "wiedervorlage", N_("Wiedervorlage"),
                                   sent(form, "wiedervorlage", iso_date(req, app->resubmit_at)),
                                   N_("An diesem Tag erscheint der Vorgang im Filter „Wiedervorlage fällig“."),
                                   error_of(form, "wiedervorlage"));
    json_object_set_new(resubmit, "date", json_true());
    json_array_append_new(fields, resubmit);
    return json_pack("{s:o,s:o}", "fields", fields, "errors", form_errors(form, "dates"));
}

static json_t *note_form(http_req_t *req, json_t *form)
{
    json_t *fields = json_array();
    json_array_append_new(fields, textarea(req, "notiz", N_("Interne Notiz"), sent(form, "notiz", ""),
                                           N_("Nur für die Verwaltung sichtbar. Höchstens 5000 Zeichen."),
                                           error_of(form, "notiz")));
    return json_pack("{s:o,s:o}", "fields", fields, "errors", form_errors(form, "note"));
}

/* The four-eyes box while a proposal is open. */
static json_t *approval_box(http_req_t *req, const application_t *app, json_t *form)
{
    if (strcmp(app->approval_status, "offen") != 0)
        return json_null();
    const char *target = text_by_id(req, sql_approval_target, app->id, 0);
    int own = app->approval_requested_by == req->user->id;
    int may = !own && application_staff_may(req, app, PERM_CASE_APPROVE);
    json_t *fields = json_array();
    json_array_append_new(fields, textarea(req, "grund", N_("Warum geben Sie den Vorschlag zurück?"),
                                           sent(form, "grund", ""),
                                           N_("Nur für die Verwaltung sichtbar. Nötig, wenn Sie zurückgeben."),
                                           error_of(form, "grund")));
    return json_pack("{s:s,s:s,s:o,s:b,s:b,s:o,s:o}", "target", tr(req, workflow_status_label(app->workflow, target)),
                     "proposer", user_name(req, app->approval_requested_by), "lines", lines(app->decision), "own", own,
                     "may_approve", may, "fields", fields, "errors", form_errors(form, "approval"));
}

/* The notice preview asked for by the status form: {status, html} or null. */
static json_t *notice_preview(http_req_t *req, const application_t *app, json_t *form)
{
    const char *status = json_string_value(json_object_get(form, "preview"));
    if (!status)
        return json_null();
    const char *text;
    int rc = cases_notice_text(req->db, req->cfg, req->arena, app, status, sent(form, "text", ""), &text);
    if (rc != 0)
        return json_pack("{s:s,s:n,s:b}", "status", tr(req, workflow_status_label(app->workflow, status)), "html",
                         "missing", 1);
    buf_t html;
    buf_init(&html, req->arena, 4096, 512 * 1024);
    if (markdown_to_html(text, strlen(text), &html) != 0)
        return json_null();
    return json_pack("{s:s,s:s,s:b}", "status", tr(req, workflow_status_label(app->workflow, status)), "html",
                     buf_cstr(&html), "missing", 0);
}

int cases_render_case(http_req_t *req, const application_t *app, int status, json_t *form)
{
    int may_process = application_staff_may(req, app, PERM_CASE_PROCESS);
    int proposal_open = strcmp(app->approval_status, "offen") == 0;
    int final = workflow_is_final(app->workflow, app->status);
    json_t *model = json_object();
    json_object_set_new(model, "title", json_sprintf("%s %s", tr(req, N_("Vorgang")), app->reference));
    json_object_set_new(model, "reference", json_string(app->reference));
    json_object_set_new(model, "base", json_sprintf("/verwaltung/vorgaenge/%lld", (long long)app->id));
    json_t *errors = json_object_get(form, "errors");
    json_object_set_new(model, "errors", errors ? json_incref(errors) : json_array());

    const char *done = http_query(req, "erledigt");
    json_object_set_new(model, "done", json_null());
    for (size_t i = 0; done && !form && i < sizeof(done_messages) / sizeof(done_messages[0]); i++)
        if (strcmp(done, done_messages[i].key) == 0)
            json_object_set_new(model, "done", json_string(tr(req, done_messages[i].text)));
    const char *general = json_string_value(json_object_get(form, "general"));
    json_object_set_new(model, "problem", general ? json_string(tr(req, general)) : json_null());

    json_t *facts = json_array();
    fact(facts, tr(req, N_("Leistung")), app->service_name);
    fact(facts, tr(req, N_("Status")), tr(req, workflow_status_label(app->workflow, app->status)));
    fact(facts, tr(req, N_("Eingegangen am")), application_date(req->arena, app->submitted_at, 1));
    if (app->user_id) {
        const char *name = text_by_id(req, sql_applicant, app->user_id, 1);
        const char *email = text_by_id(req, sql_applicant, app->user_id, 0);
        fact(facts, tr(req, N_("Antragstellende Person")),
             *name ? arena_printf(req->arena, "%s (%s)", name, email) : email);
    } else {
        fact(facts, tr(req, N_("Antragstellende Person")), tr(req, N_("anonym (ohne Konto)")));
    }
    if (*app->summary)
        fact(facts, tr(req, N_("Worum es geht")), app->summary);
    fact(facts, tr(req, N_("Zuständige Einheit")), app->unit_name);
    fact(facts, tr(req, N_("Bearbeitung")),
         app->assigned_to ? user_name(req, app->assigned_to) : tr(req, N_("noch niemand zugewiesen")));
    fact(facts, tr(req, N_("Frist")), app->deadline_at ? application_date(req->arena, app->deadline_at, 0)
                                                       : tr(req, N_("keine")));
    fact(facts, tr(req, N_("Wiedervorlage")), app->resubmit_at ? application_date(req->arena, app->resubmit_at, 0)
                                                               : tr(req, N_("keine")));
    if (app->closed_at)
        fact(facts, tr(req, N_("Abgeschlossen am")), application_date(req->arena, app->closed_at, 1));
    if (*app->decision && !proposal_open)
        fact(facts, tr(req, N_("Entscheidung")), app->decision);
    json_object_set_new(model, "facts", facts);

    /* Fee and payment (payment.c), and the appointments booked for it
     * (appointments_booking.c). Only who may process the case gets the
     * button that records a payment at the counter. */
    json_t *payment = app->fee_cents > 0 ? payment_state_json(req->db, req->arena, app, req->lang) : json_null();
    json_t *appointments = appointments_for_application_json(req->db, req->arena, app->id, req->lang);
    if (!payment || !appointments) {
        json_decref(payment);
        json_decref(appointments);
        json_decref(model);
        return 503;
    }
    if (!may_process && json_is_object(payment))
        json_object_set_new(payment, "may_mark_paid", json_false());
    json_object_set_new(model, "payment", payment);
    json_object_set_new(model, "appointments", appointments);

    json_object_set_new(model, "approval", approval_box(req, app, form));
    json_t *statuses = may_process && !final && !proposal_open ? status_form(req, app, form) : NULL;
    json_object_set_new(model, "status_form", statuses ? statuses : json_null());
    json_object_set_new(model, "preview", notice_preview(req, app, form));
    json_object_set_new(model, "assign_form", may_process ? assign_form(req, app, form) : json_null());
    json_object_set_new(model, "dates_form", may_process && !final ? dates_form(req, app, form) : json_null());
    json_object_set_new(model, "note_form", may_process ? note_form(req, form) : json_null());
    json_object_set_new(model, "steps", answers_model(req, app));
    json_object_set_new(model, "files", files_model(req, app));
    json_object_set_new(model, "history", history_model(req, app));

    json_t *thread = postfach_thread_json(req->db, req->arena, app, 1, req->lang);
    if (!thread) {
        json_decref(model);
        return 503;
    }
    if (!may_process)
        json_object_set_new(thread, "reply", json_null());
    json_object_set_new(model, "postfach", thread);
    return http_render(req, status, "services/cases/case", model);
}

/* GET /verwaltung/vorgaenge/:id */
int cases_case_page(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_READ, &app);
    if (rc != 0)
        return rc;
    return cases_render_case(req, &app, 200, NULL);
}

/* GET /verwaltung/vorgaenge/:id/dateien/:file — always as a download: the
 * bytes came from citizens, and the browser must not render them in our origin. */
int cases_file_download(http_req_t *req)
{
    application_t app;
    int rc = cases_load(req, PERM_CASE_READ, &app);
    if (rc != 0)
        return rc;
    int64_t file_id = cases_parse_id(http_param(req, "file"));
    if (file_id <= 0)
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_file, &st) != 0)
        return 503;
    db_bind_int64(st, 1, file_id);
    db_bind_int64(st, 2, app.id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? 404 : 503;
    }
    size_t len = 0;
    const void *blob = db_column_blob(st, 2, &len);
    void *copy = arena_alloc(req->arena, len ? len : 1);
    if (len)
        memcpy(copy, blob, len);
    const char *type = arena_strdup(req->arena, db_column_text(st, 1));
    /* The name was cleaned when it was stored (files.h); here it becomes an
     * ASCII fallback (quotes, backslashes and other bytes replaced) and the
     * exact UTF-8 name percent-encoded (RFC 6266, RFC 8187). */
    buf_t ascii, exact;
    buf_init(&ascii, req->arena, 64, 1024);
    buf_init(&exact, req->arena, 64, 4096);
    for (const unsigned char *p = (const unsigned char *)db_column_text(st, 0); p && *p; p++) {
        int plain = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    *p == '.' || *p == '-' || *p == '_';
        buf_putc(&ascii, plain || *p == ' ' ? (char)*p : '_');
        if (plain)
            buf_putc(&exact, (char)*p);
        else
            buf_appendf(&exact, "%%%02X", *p);
    }
    db_reset(st);
    http_add_header(req, "Content-Disposition",
                    arena_printf(req->arena, "attachment; filename=\"%s\"; filename*=UTF-8''%s", buf_cstr(&ascii),
                                 buf_cstr(&exact)));
    http_add_header(req, "Cache-Control", "private, no-store");
    return http_send(req, 200, type, copy, len);
}
