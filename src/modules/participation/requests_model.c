/* requests_model.c — one Anregung as every part of requests*.c sees it: loading it,
 * the view model that the public page, the office's page and the JSON API share,
 * its public history, the e-mails to the office and to the author, and the small
 * helpers of forms (fields, checks of texts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/requests_internal.h"
#include "platform/audit.h"
#include "platform/mail.h"
#include "view/i18n.h"

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

/* ---- loading -------------------------------------------------------------------------- */

/* The confirmed supporters are counted when read (REQUESTS_COLUMNS): an account
 * raised to substantiell after supporting counts as confirmed from then on. */
static const char sql_load[] = "SELECT " REQUESTS_COLUMNS REQUESTS_FROM " WHERE r.id = $1";

void requests_read_row(db_stmt_t *st, arena_t *arena, request_t *out)
{
    memset(out, 0, sizeof(*out));
    int64_t *ints[] = {&out->id,
                       &out->author_id,
                       &out->project_id,
                       &out->quorum,
                       &out->support_count,
                       &out->confirmed_count,
                       &out->submitted_at,
                       &out->published_at,
                       &out->collect_ends_at,
                       &out->quorum_reached_at,
                       &out->updated_at};
    int nints = (int)(sizeof(ints) / sizeof(ints[0]));
    for (int i = 0; i < nints; i++)
        *ints[i] = db_column_int64(st, i);
    const char **texts[] = {&out->author_name,   &out->project_title, &out->topic,        &out->title,
                            &out->justification, &out->desired_form,  &out->status,       &out->refusal_reason,
                            &out->refusal_text,  &out->decision,      &out->decision_text};
    for (int i = 0; i < (int)(sizeof(texts) / sizeof(texts[0])); i++)
        *texts[i] = arena_strdup(arena, db_column_text(st, nints + i));
}

int requests_load(db_t *db, arena_t *arena, int64_t id, request_t *out)
{
    memset(out, 0, sizeof(*out));
    db_stmt_t *st;
    if (db_prepare(db, sql_load, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        requests_read_row(st, arena, out);
    db_reset(st);
    if (rc == DB_ROW)
        return 0;
    return rc == DB_DONE ? 1 : -1;
}

/* ---- the view model ---------------------------------------------------------------------- */

/* What a history row's status says as a step ("Zur Sammlung freigegeben"). */
static const struct {
    const char *status, *label;
} history_labels[] = {
    {"eingereicht", N_("Eingereicht")},
    {"sammlung", N_("Zur Sammlung freigegeben")},
    {"abgelehnt", N_("Nicht zugelassen")},
    {"erfolgreich", N_("Quorum erreicht")},
    {"nicht_erreicht", N_("Sammlung beendet, Quorum nicht erreicht")},
    {"vorlage", N_("Beschlussvorlage in Vorbereitung")},
    {"stadtrat", N_("Dem Stadtrat vorgelegt")},
    {"entschieden", N_("Der Stadtrat hat entschieden")},
};

static const char *history_label(const char *status)
{
    for (size_t i = 0; i < sizeof(history_labels) / sizeof(history_labels[0]); i++)
        if (!strcmp(history_labels[i].status, status))
            return history_labels[i].label;
    return requests_status_label(status);
}

static const char sql_history[] = "SELECT status, actor_kind, text, created_at FROM participation_request_history"
                                  " WHERE request_id = $1 ORDER BY created_at, id";

/* The public history, oldest first; NULL on a database error. */
static json_t *history_json(http_req_t *req, const request_t *r)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_history, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, r->id);
    json_t *list = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *status = db_column_text(st, 0);
        const char *kind = db_column_text(st, 1);
        int64_t at = db_column_int64(st, 3);
        const char *who = !strcmp(kind, "office") ? tr(req, N_("Koordinierungsstelle Bürgerbeteiligung"))
                          : !strcmp(kind, "author")
                              ? (*r->author_name ? r->author_name : tr(req, N_("Verfasserin oder Verfasser")))
                              : tr(req, N_("Beteiligungsplattform (automatisch)"));
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "status", status, "label",
                                              tr(req, history_label(status)), "actor", kind, "actor_label", who, "text",
                                              db_column_text(st, 2), "at", (json_int_t)at, "date",
                                              requests_date(req->arena, at, 1)));
    }
    db_reset(st);
    if (rc != DB_DONE) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* The justification as paragraphs of plain text: the fallback when Markdown
 * cannot be rendered. */
static json_t *paragraphs(const char *text)
{
    json_t *list = json_array();
    const char *p = text;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        const char *next = end ? end + 2 : p + strlen(p);
        size_t n = (size_t)((end ? end : next) - p);
        while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        if (n > 0)
            json_array_append_new(list, json_stringn(p, n));
        p = next;
        while (*p == '\n' || *p == '\r')
            p++;
    }
    return list;
}

json_t *requests_json(http_req_t *req, const request_t *r, int64_t now, int with_history)
{
    const char *status = requests_effective_status(r->status, r->collect_ends_at, now);
    int collecting = !strcmp(status, "sammlung");
    size_t nforms, nreasons, ndecisions;
    const requests_choice_t *forms = requests_forms(&nforms);
    const requests_choice_t *reasons = requests_reasons(&nreasons);
    const requests_choice_t *decisions = requests_decisions(&ndecisions);
    const char *form_label = requests_choice_label(forms, nforms, r->desired_form);

    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "href", json_sprintf("/beteiligung/anregungen/%lld", (long long)r->id));
    json_object_set_new(o, "title", json_string(r->title));
    json_object_set_new(o, "author_name", json_string(r->author_name));
    json_object_set_new(
        o, "project",
        r->project_id ? json_pack("{s:I,s:s,s:s}", "id", (json_int_t)r->project_id, "title", r->project_title, "href",
                                  arena_printf(req->arena, "/beteiligung/vorhaben/%lld", (long long)r->project_id))
                      : json_null());
    json_object_set_new(o, "topic", json_string(r->topic));
    json_object_set_new(o, "justification", json_string(r->justification));
    json_object_set_new(o, "desired_form", json_string(r->desired_form));
    json_object_set_new(o, "desired_form_label", json_string(form_label ? tr(req, form_label) : r->desired_form));
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "status_label", json_string(tr(req, requests_status_label(status))));
    json_object_set_new(o, "status_badge", json_string(requests_status_badge(status)));
    json_object_set_new(o, "quorum", json_integer(r->quorum));
    json_object_set_new(o, "supports", json_integer(r->support_count));
    json_object_set_new(o, "confirmed_supports", json_integer(r->confirmed_count));
    json_object_set_new(o, "supports_missing",
                        json_integer(r->support_count < r->quorum ? r->quorum - r->support_count : 0));
    json_object_set_new(o, "collecting", json_boolean(collecting));
    /* Supports are a matter once an Anregung has been admitted to collect them. */
    json_object_set_new(o, "shows_supports",
                        json_boolean(strcmp(status, "eingereicht") != 0 && strcmp(status, "abgelehnt") != 0));
    json_object_set_new(o, "in_check", json_boolean(!strcmp(status, "eingereicht")));
    json_object_set_new(o, "quorum_reached", json_boolean(r->quorum_reached_at > 0));
    json_object_set_new(o, "submitted_at", json_integer(r->submitted_at));
    json_object_set_new(o, "published_at", r->published_at ? json_integer(r->published_at) : json_null());
    json_object_set_new(o, "published_date", json_string(requests_date(req->arena, r->published_at, 0)));
    json_object_set_new(o, "collect_ends_at", r->collect_ends_at ? json_integer(r->collect_ends_at) : json_null());
    json_object_set_new(o, "collect_ends_date", json_string(requests_date(req->arena, r->collect_ends_at, 1)));
    json_object_set_new(o, "days_left", json_integer(collecting ? requests_days_left(r->collect_ends_at, now) : 0));
    json_object_set_new(o, "quorum_reached_at",
                        r->quorum_reached_at ? json_integer(r->quorum_reached_at) : json_null());
    if (!strcmp(r->status, "abgelehnt")) {
        const char *reason = requests_choice_label(reasons, nreasons, r->refusal_reason);
        json_object_set_new(o, "refusal",
                            json_pack("{s:s,s:s,s:s}", "reason", r->refusal_reason, "reason_label",
                                      reason ? tr(req, reason) : r->refusal_reason, "text", r->refusal_text));
    } else {
        json_object_set_new(o, "refusal", json_null());
    }
    if (*r->decision) {
        const char *label = requests_choice_label(decisions, ndecisions, r->decision);
        json_object_set_new(o, "decision",
                            json_pack("{s:s,s:s,s:s}", "key", r->decision, "label",
                                      label ? tr(req, label) : r->decision, "text", r->decision_text));
    } else {
        json_object_set_new(o, "decision", json_null());
    }
    if (with_history) {
        json_t *history = history_json(req, r);
        if (!history) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "history", history);
    }
    return o;
}

void requests_json_for_page(http_req_t *req, json_t *o, const request_t *r)
{
    const char *html = participation_markdown(req->arena, r->justification);
    if (html)
        json_object_set_new(o, "justification_html", json_string(html)); /* safe: participation_markdown's contract */
    else
        json_object_set_new(o, "paragraphs", paragraphs(r->justification));
    int64_t shown = r->support_count < r->quorum ? r->support_count : r->quorum;
    json_object_set_new(o, "progress_value", json_integer(shown));
    /* The office's texts keep their paragraphs on the page. */
    json_t *refusal = json_object_get(o, "refusal");
    if (json_is_object(refusal))
        json_object_set_new(refusal, "paragraphs", paragraphs(json_string_value(json_object_get(refusal, "text"))));
    json_t *decision = json_object_get(o, "decision");
    if (json_is_object(decision))
        json_object_set_new(decision, "paragraphs", paragraphs(json_string_value(json_object_get(decision, "text"))));
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(o, "history"), i, step)
    {
        json_object_set_new(step, "paragraphs", paragraphs(json_string_value(json_object_get(step, "text"))));
    }
}

/* ---- history, mails, audit ------------------------------------------------------------------ */

static const char sql_history_add[] = "INSERT INTO participation_request_history (request_id, status, actor_kind,"
                                      " actor_id, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

int requests_history_add(db_t *db, int64_t request_id, const char *status, const char *actor_kind, int64_t actor_id,
                         const char *text, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_history_add, &st) != 0)
        return -1;
    db_bind_int64(st, 1, request_id);
    db_bind_text(st, 2, status, -1);
    db_bind_text(st, 3, actor_kind, -1);
    if (actor_id > 0)
        db_bind_int64(st, 4, actor_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, text ? text : "", -1);
    db_bind_int64(st, 6, now);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* Everyone who may act for the coordination office, once each. */
static const char sql_office_addresses[] =
    "SELECT DISTINCT u.email FROM users u JOIN user_roles ur ON ur.user_id = u.id"
    " JOIN role_permissions rp ON rp.role_id = ur.role_id"
    " WHERE rp.permission = $1 AND u.deleted_at IS NULL AND u.blocked_at IS NULL AND u.email <> ''"
    " ORDER BY u.email";

static const char *mail_body(arena_t *arena, const config_t *cfg, const char *text, const request_t *r,
                             const char *path)
{
    return arena_printf(arena,
                        "Guten Tag,\n\n%s\n\nAnregung: %s\n%s%s\n\n"
                        "Diese E-Mail wurde automatisch verschickt. Bitte antworten Sie nicht darauf.\n",
                        text, r->title, cfg->base_url, path);
}

int requests_mail_office(db_t *db, const config_t *cfg, arena_t *arena, const request_t *r, const char *subject,
                         const char *text)
{
    const char *body = mail_body(arena, cfg, text, r,
                                 arena_printf(arena, "/verwaltung/beteiligung/anregungen/%lld", (long long)r->id));
    /* Addresses first, then the mails: mail_queue uses the connection too. */
    db_stmt_t *st;
    if (db_prepare(db, sql_office_addresses, &st) != 0)
        return -1;
    db_bind_text(st, 1, PERM_REQUESTS, -1);
    json_t *to = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(to, json_string(db_column_text(st, 0)));
    db_reset(st);
    size_t i;
    json_t *addr;
    json_array_foreach(to, i, addr)
    {
        if (rc != DB_DONE)
            break;
        const char *a = json_string_value(addr);
        if (!mail_address_valid(a))
            continue; /* an address we cannot send to must not stop the step */
        if (mail_queue(db, a, subject, body) < 0)
            rc = DB_ERROR;
    }
    json_decref(to);
    return rc == DB_DONE ? 0 : -1;
}

static const char sql_author_address[] = "SELECT email FROM users WHERE id = $1 AND deleted_at IS NULL";

int requests_mail_author(db_t *db, const config_t *cfg, arena_t *arena, const request_t *r, const char *subject,
                         const char *text)
{
    if (r->author_id <= 0)
        return 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_author_address, &st) != 0)
        return -1;
    db_bind_int64(st, 1, r->author_id);
    const char *to = NULL;
    int rc = db_step(st);
    if (rc == DB_ROW)
        to = arena_strdup(arena, db_column_text(st, 0));
    db_reset(st);
    if (rc < 0)
        return -1;
    if (!to || !mail_address_valid(to))
        return 0;
    const char *body =
        mail_body(arena, cfg, text, r, arena_printf(arena, "/beteiligung/anregungen/%lld", (long long)r->id));
    return mail_queue(db, to, subject, body) < 0 ? -1 : 0;
}

int requests_audit(db_t *db, int64_t actor_id, const char *action, int64_t id, json_t *detail, const char *ip,
                   const char *request_id)
{
    char actor[32], object[48];
    if (actor_id > 0)
        snprintf(actor, sizeof(actor), "user:%lld", (long long)actor_id);
    else
        snprintf(actor, sizeof(actor), "system");
    snprintf(object, sizeof(object), "participation_request:%lld", (long long)id);
    char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    int rc = audit_log(db, actor, action, object, text, ip, request_id);
    free(text);
    return rc;
}

/* ---- small helpers ------------------------------------------------------------------------ */

const char *requests_date(arena_t *arena, int64_t t, int with_time)
{
    if (t <= 0)
        return "";
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return "";
    char out[32];
    strftime(out, sizeof(out), with_time ? "%d.%m.%Y, %H:%M" : "%d.%m.%Y", &tm);
    return arena_strdup(arena, out);
}

int64_t requests_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 18) /* 18 digits cannot overflow int64 */
        return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int requests_db_status(http_req_t *req)
{
    log_kv(LOG_ERROR, "participation requests: database error", "error", db_errmsg(req->db), "request_id",
           req->request_id, NULL);
    return db_ping(req->db) == 0 ? 500 : 503;
}

json_t *requests_field(http_req_t *req, const char *name, const char *label, const char *value, const char *hint,
                       const char *error)
{
    json_t *f = http_field(name, tr(req, label), value, error ? tr(req, error) : NULL);
    if (hint)
        json_object_set_new(f, "hint", json_string(tr(req, hint)));
    return f;
}

void requests_error(http_req_t *req, json_t *errors, json_t *field)
{
    (void)req;
    json_t *e = json_object_get(field, "error");
    if (json_is_string(e))
        json_array_append_new(errors, json_pack("{s:O,s:O}", "id", json_object_get(field, "id"), "message", e));
}

/* in without the white space around it, copied into the arena. */
static const char *trim_copy(http_req_t *req, const char *in)
{
    if (!in)
        return "";
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    size_t n = strlen(in);
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' || in[n - 1] == '\n'))
        n--;
    return arena_strndup(req->arena, in, n);
}

const char *requests_check_line(http_req_t *req, const char *in, size_t max, int required, const char **out)
{
    const char *v = trim_copy(req, in);
    *out = v;
    size_t n = strlen(v);
    if (!utf8_valid(v, n))
        return N_("Dieser Text enthält Zeichen, die wir nicht speichern können.");
    if (!n)
        return required ? N_("Bitte füllen Sie dieses Feld aus.") : NULL;
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20)
            return N_("Bitte schreiben Sie diese Angabe in eine Zeile.");
    if (utf8_length(v, n) > max)
        return max == 200 ? N_("Bitte kürzen Sie diese Angabe auf höchstens 200 Zeichen.")
                          : N_("Dieser Text ist zu lang.");
    return NULL;
}

const char *requests_check_text(http_req_t *req, const char *in, size_t min, size_t max, const char **out)
{
    const char *v = trim_copy(req, in);
    *out = v;
    size_t n = strlen(v);
    if (!utf8_valid(v, n))
        return N_("Dieser Text enthält Zeichen, die wir nicht speichern können.");
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
            return N_("Dieser Text enthält Steuerzeichen. Bitte entfernen Sie sie.");
    size_t chars = utf8_length(v, n);
    if (!chars && min > 0)
        return N_("Bitte füllen Sie dieses Feld aus.");
    if (chars < min)
        return N_("Bitte schreiben Sie etwas ausführlicher: mindestens 20 Zeichen.");
    if (chars > max)
        return max == REQUESTS_TEXT_MAX ? N_("Bitte kürzen Sie den Text auf höchstens 10.000 Zeichen.")
                                        : N_("Bitte kürzen Sie den Text auf höchstens 5.000 Zeichen.");
    return NULL;
}

int requests_finish(db_t *db, int ok)
{
    if (ok && db_commit(db) == 0)
        return 0;
    db_rollback(db);
    return -1;
}
