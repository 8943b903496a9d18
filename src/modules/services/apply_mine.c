/* apply_mine.c — "Meine Anträge": the list of one's drafts and applications,
 * one application with its status, history, files, fee and Postfach, deleting a
 * draft, withdrawing an application, downloading a file; and the same as JSON
 * (/api/v1/antraege), built from the same view models.
 *
 * Only the owner sees an application; anybody else gets 404 (apply_open).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"
#include "modules/services/apply.h"
#include "view/i18n.h"
#include "web/auth.h"

#define LIST_MAX 200 /* applications listed; older ones stay reachable by their address */
#define WITHDRAW_REASON_MAX 1000

/* ---- the list ----------------------------------------------------------------------------------- */

/* One query: the unread count is a correlated subquery, not a query per row. */
static const char sql_list[] =
    "SELECT a.id, COALESCE(a.reference, ''), a.status, a.step, a.created_at, a.updated_at, COALESCE(a.submitted_at, 0),"
    " s.name, s.workflow,"
    " (SELECT COUNT(*) FROM messages m WHERE m.application_id = a.id AND m.from_office = 1 AND m.read_at IS NULL)"
    " FROM applications a JOIN services s ON s.id = a.service_id WHERE a.user_id = $1"
    " ORDER BY a.updated_at DESC, a.id DESC LIMIT $2";

/* {"drafts": [...], "applications": [...]} of the signed-in citizen, or NULL. */
static json_t *list_model(http_req_t *req)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_list, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, req->user->id);
    db_bind_int64(st, 2, LIST_MAX);
    json_t *drafts = json_array(), *apps = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        long long id = (long long)db_column_int64(st, 0);
        const char *status = db_column_text(st, 2);
        const char *service = db_column_text(st, 7);
        if (!strcmp(status, "entwurf")) {
            json_array_append_new(
                drafts, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)id, "service_name", service, "started",
                                  application_date(req->arena, db_column_int64(st, 4), 0), "updated",
                                  application_date(req->arena, db_column_int64(st, 5), 1), "continue_href",
                                  arena_printf(req->arena, "/antraege/%lld/schritt/%lld", id,
                                               (long long)db_column_int64(st, 3) + 1),
                                  "delete_href", arena_printf(req->arena, "/antraege/%lld/loeschen", id)));
            continue;
        }
        json_int_t unread = (json_int_t)db_column_int64(st, 9);
        json_array_append_new(
            apps, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "id", (json_int_t)id, "reference",
                            db_column_text(st, 1), "service_name", service, "status", status, "status_label",
                            i18n_translate(req->lang, workflow_status_label(db_column_text(st, 8), status)),
                            "submitted", application_date(req->arena, db_column_int64(st, 6), 0), "unread", unread,
                            "href", arena_printf(req->arena, "/antraege/%lld", id), "postfach_href",
                            arena_printf(req->arena, "/postfach/%lld", id)));
    }
    db_reset(st);
    if (rc != DB_DONE) {
        json_decref(drafts);
        json_decref(apps);
        return NULL;
    }
    return json_pack("{s:o,s:o}", "drafts", drafts, "applications", apps);
}

int apply_list_page(http_req_t *req)
{
    json_t *list = list_model(req);
    if (!list)
        return 503;
    json_t *m = apply_model(req, N_("Meine Anträge"));
    json_object_update(m, list);
    json_decref(list);
    if (http_query(req, "gespeichert"))
        apply_alert(req, m, "success", N_("Ihr Entwurf ist gespeichert. Sie können ihn hier jederzeit fortsetzen."));
    if (http_query(req, "geloescht"))
        apply_alert(req, m, "success", N_("Der Entwurf ist gelöscht."));
    return http_render(req, 200, "services/apply/list", m);
}

int apply_api_list(http_req_t *req)
{
    json_t *list = list_model(req);
    if (!list)
        return 503;
    return http_json(req, 200, list);
}

/* ---- one application ------------------------------------------------------------------------------- */

static const char sql_events[] = "SELECT at, kind, to_value, text FROM application_events"
                                 " WHERE application_id = $1 AND internal = 0 ORDER BY id";
static const char sql_all_files[] = "SELECT id, field, filename, size, created_at FROM application_files"
                                    " WHERE application_id = $1 ORDER BY id";
static const char sql_unread[] =
    "SELECT COUNT(*) FROM messages WHERE application_id = $1 AND from_office = 1 AND read_at IS NULL";

static const char *file_kind(const apply_ctx_t *ctx, const char *field)
{
    const char *lang = ctx->req->lang;
    if (!strcmp(field, "quittung"))
        return i18n_translate(lang, N_("Eingangsbestätigung"));
    if (!strcmp(field, "bescheid"))
        return i18n_translate(lang, N_("Bescheid"));
    if (!strcmp(field, "postfach"))
        return i18n_translate(lang, N_("Anhang einer Nachricht"));
    const json_t *f = ctx->def ? formdef_field(ctx->def, field) : NULL;
    return f ? formdef_text(ctx->def, lang, json_string_value(json_object_get(f, "label"))) : field;
}

json_t *apply_detail_model(http_req_t *req, apply_ctx_t *ctx)
{
    const application_t *a = &ctx->app;
    long long id = (long long)a->id;
    const char *lang = req->lang;
    json_t *m = json_object();
    json_object_set_new(m, "id", json_integer(a->id));
    json_object_set_new(m, "reference", json_string(a->reference));
    json_object_set_new(m, "service_name", json_string(a->service_name));
    json_object_set_new(m, "service_slug", json_string(a->service_slug));
    json_object_set_new(m, "unit_name", json_string(a->unit_name));
    json_object_set_new(m, "status", json_string(a->status));
    json_object_set_new(m, "status_label",
                        json_string(i18n_translate(lang, workflow_status_label(a->workflow, a->status))));
    json_object_set_new(m, "is_draft", json_boolean(!strcmp(a->status, "entwurf")));
    json_object_set_new(m, "is_final", json_boolean(workflow_is_final(a->workflow, a->status)));
    json_object_set_new(m, "created", json_string(application_date(req->arena, a->created_at, 1)));
    json_object_set_new(m, "submitted", json_string(application_date(req->arena, a->submitted_at, 1)));
    json_object_set_new(m, "decision", json_string(a->decision));
    /* Fee and payment. */
    json_t *lines = json_loads(a->fee_lines, 0, NULL);
    json_t *fee_lines = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        const char *label = json_string_value(json_object_get(l, "label"));
        json_array_append_new(
            fee_lines, json_pack("{s:s,s:s,s:I}", "label", label ? label : "", "amount",
                                 application_money(req->arena, json_integer_value(json_object_get(l, "cents")), lang),
                                 "cents", json_integer_value(json_object_get(l, "cents"))));
    }
    json_decref(lines);
    const char *payment = a->paid_at                              ? N_("Bezahlt")
                          : a->fee_cents == 0                     ? N_("Keine Gebühr")
                          : !strcmp(a->payment_method, "vor_ort") ? N_("Noch offen: Sie bezahlen vor Ort.")
                                                                  : N_("Noch nicht bezahlt");
    json_object_set_new(m, "fee",
                        json_pack("{s:I,s:s,s:o,s:b,s:s,s:s,s:s}", "cents", (json_int_t)a->fee_cents, "total",
                                  application_money(req->arena, a->fee_cents, lang), "lines", fee_lines, "paid",
                                  a->paid_at != 0, "paid_at", application_date(req->arena, a->paid_at, 0), "method",
                                  a->payment_method, "state", i18n_translate(lang, payment)));
    /* The public history. */
    json_t *history = json_array();
    db_stmt_t *st;
    int rc = -1;
    if (db_prepare(req->db, sql_events, &st) == 0) {
        db_bind_int64(st, 1, a->id);
        while ((rc = db_step(st)) == DB_ROW) {
            const char *kind = db_column_text(st, 1);
            const char *to = db_column_text(st, 2);
            const char *text = db_column_text(st, 3);
            const char *what = !strcmp(kind, "status")
                                   ? arena_printf(req->arena, "%s: %s", i18n_translate(lang, N_("Neuer Stand")),
                                                  i18n_translate(lang, workflow_status_label(a->workflow, to)))
                                   : (text && *text ? "" : kind);
            json_array_append_new(history, json_pack("{s:s,s:s,s:s}", "date",
                                                     application_date(req->arena, db_column_int64(st, 0), 1), "what",
                                                     what, "text", text ? text : ""));
        }
        db_reset(st);
    }
    json_object_set_new(m, "history", history);
    if (rc != DB_DONE) {
        json_decref(m);
        return NULL;
    }
    /* Files: uploads, the receipt, notices, attachments. */
    json_t *files = json_array();
    rc = -1;
    if (db_prepare(req->db, sql_all_files, &st) == 0) {
        db_bind_int64(st, 1, a->id);
        while ((rc = db_step(st)) == DB_ROW) {
            long long fid = (long long)db_column_int64(st, 0);
            int64_t size = db_column_int64(st, 3);
            json_array_append_new(
                files,
                json_pack("{s:I,s:s,s:s,s:I,s:s,s:s}", "id", (json_int_t)fid, "kind",
                          file_kind(ctx, db_column_text(st, 1)), "filename", db_column_text(st, 2), "size",
                          (json_int_t)size, "size_text",
                          size >= 1024 * 1024 ? arena_printf(req->arena, "%lld,%lld MB", (long long)(size / 1048576),
                                                             (long long)(size % 1048576 * 10 / 1048576))
                                              : arena_printf(req->arena, "%lld KB", (long long)((size + 1023) / 1024)),
                          "href", arena_printf(req->arena, "/antraege/%lld/dateien/%lld", id, fid)));
        }
        db_reset(st);
    }
    json_object_set_new(m, "files", files);
    int64_t unread = 0;
    if (rc != DB_DONE || db_query_int64_arg(req->db, sql_unread, a->id, &unread) < 0) {
        json_decref(m);
        return NULL;
    }
    json_object_set_new(m, "unread", json_integer(unread));
    json_object_set_new(m, "postfach_href", json_string(arena_printf(req->arena, "/postfach/%lld", id)));
    json_object_set_new(m, "receipt_href", json_string(arena_printf(req->arena, "/antraege/%lld/quittung.pdf", id)));
    int open_case = strcmp(a->status, "entwurf") && !workflow_is_final(a->workflow, a->status);
    if (a->appointments && open_case)
        json_object_set_new(m, "appointment_href",
                            json_string(arena_printf(req->arena, "/termine/buchen?leistung=%s&antrag=%lld",
                                                     a->service_slug, (long long)id)));
    if (open_case && a->fee_cents > 0 && a->paid_at == 0)
        json_object_set_new(m, "pay_href", json_string(arena_printf(req->arena, "/antraege/%lld/bezahlen", id)));
    int may_withdraw = strcmp(a->status, "entwurf") && !workflow_is_final(a->workflow, a->status);
    json_object_set_new(m, "may_withdraw", json_boolean(may_withdraw));
    json_object_set_new(m, "withdraw_href", json_string(arena_printf(req->arena, "/antraege/%lld/zurueckziehen", id)));
    /* What was submitted, as on the review page. */
    if (ctx->def && ctx->answers) {
        char today[11];
        formdef_today(today);
        formdef_state_t *s = arena_alloc(req->arena, sizeof(*s));
        formdef_state_init(s, ctx->def, ctx->answers, today);
        json_t *lists, *counts;
        if (apply_files(req->db, a->id, &lists, &counts) == 0)
            json_object_set_new(m, "answers", formdef_view_review(s, lists, lang, req->arena));
        json_decref(lists);
        json_decref(counts);
    }
    return m;
}

static int open_own(http_req_t *req, apply_ctx_t *ctx, int with_form)
{
    int rc = apply_open(req, http_param(req, "id"), with_form, APPLY_LOGIN_REDIRECT, ctx);
    if (rc == HTTP_ANSWERED)
        return HTTP_ANSWERED;
    if (rc)
        return rc;
    if (ctx->anonymous) {
        /* The account pages are for accounts; an anonymous report has its receipt page. */
        apply_ctx_free(ctx);
        return 404;
    }
    return 0;
}

int apply_detail_page(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_own(req, &ctx, 1);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    if (!strcmp(ctx.app.status, "entwurf")) {
        apply_ctx_free(&ctx);
        return http_redirect(req, 302,
                             arena_printf(req->arena, "/antraege/%lld/schritt/%lld", (long long)ctx.app.id,
                                          (long long)ctx.app.step + 1));
    }
    json_t *detail = apply_detail_model(req, &ctx);
    apply_ctx_free(&ctx);
    if (!detail)
        return 503;
    json_t *m = apply_model(req, N_("Ihr Antrag"));
    json_object_set_new(m, "title",
                        json_string(arena_printf(req->arena, "%s %s", ctx.app.service_name, ctx.app.reference)));
    json_object_set_new(m, "application", detail);
    if (http_query(req, "zurueckgezogen"))
        apply_alert(req, m, "success", N_("Sie haben Ihren Antrag zurückgezogen."));
    return http_render(req, 200, "services/apply/detail", m);
}

int apply_api_detail(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_own(req, &ctx, 1);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    json_t *detail = apply_detail_model(req, &ctx);
    apply_ctx_free(&ctx);
    if (!detail)
        return 503;
    return http_json(req, 200, detail);
}

/* ---- delete a draft, withdraw an application ------------------------------------------------------------ */

static int confirm_page(http_req_t *req, int status, const char *title, const char *text, const char *action,
                        const char *button, const char *back, int reason, const char *reason_value, const char *error)
{
    json_t *m = apply_model(req, title);
    json_object_set_new(m, "text", json_string(i18n_translate(req->lang, text)));
    json_object_set_new(m, "action", json_string(action));
    json_object_set_new(m, "button", json_string(i18n_translate(req->lang, button)));
    json_object_set_new(m, "back_href", json_string(back));
    json_object_set_new(m, "reason", json_boolean(reason));
    if (reason) {
        json_t *f = http_field("begruendung", i18n_translate(req->lang, N_("Grund (optional)")), reason_value,
                               error ? i18n_translate(req->lang, error) : NULL);
        json_object_set_new(
            f, "hint",
            json_string(i18n_translate(req->lang, N_("Höchstens 1000 Zeichen. Die Behörde sieht den Grund."))));
        json_object_set_new(f, "required", json_false());
        json_object_set_new(f, "rows", json_string("4"));
        json_object_set_new(f, "maxlength", json_string(""));
        json_object_set_new(m, "reason_field", f);
        if (error)
            json_object_set_new(
                m, "errors",
                json_pack("[{s:s,s:s}]", "id", "feld-begruendung", "message", i18n_translate(req->lang, error)));
    }
    return http_render(req, status, "services/apply/confirm", m);
}

int apply_delete_page(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_own(req, &ctx, 0);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    if (strcmp(ctx.app.status, "entwurf") != 0)
        return http_redirect(req, 302, arena_printf(req->arena, "/antraege/%lld", (long long)ctx.app.id));
    return confirm_page(req, 200, N_("Entwurf löschen?"),
                        N_("Wenn Sie den Entwurf löschen, sind alle Angaben und hochgeladenen Dateien dieses Entwurfs "
                           "weg. Das können Sie nicht rückgängig machen."),
                        arena_printf(req->arena, "/antraege/%lld/loeschen", (long long)ctx.app.id),
                        N_("Ja, Entwurf löschen"), "/antraege", 0, NULL, NULL);
}

static const char sql_delete_draft[] = "DELETE FROM applications WHERE id = $1 AND user_id = $2 AND status = 'entwurf'";

int apply_delete(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_own(req, &ctx, 0);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    if (strcmp(ctx.app.status, "entwurf") != 0)
        return http_redirect(req, 303, arena_printf(req->arena, "/antraege/%lld", (long long)ctx.app.id));
    db_stmt_t *st;
    if (db_prepare(req->db, sql_delete_draft, &st) != 0)
        return 503;
    db_bind_int64(st, 1, ctx.app.id);
    db_bind_int64(st, 2, req->user->id);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return 503;
    return http_redirect(req, 303, "/antraege?geloescht=1");
}

int apply_withdraw_page(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_own(req, &ctx, 0);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    const char *back = arena_printf(req->arena, "/antraege/%lld", (long long)ctx.app.id);
    if (!strcmp(ctx.app.status, "entwurf") || workflow_is_final(ctx.app.workflow, ctx.app.status))
        return http_redirect(req, 302, back);
    return confirm_page(req, 200, N_("Antrag zurückziehen?"),
                        N_("Wenn Sie den Antrag zurückziehen, bearbeitet die Behörde ihn nicht weiter. Für eine neue "
                           "Entscheidung müssten Sie einen neuen Antrag stellen."),
                        arena_printf(req->arena, "/antraege/%lld/zurueckziehen", (long long)ctx.app.id),
                        N_("Ja, Antrag zurückziehen"), back, 1, "", NULL);
}

int apply_withdraw(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_own(req, &ctx, 0);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    const char *back = arena_printf(req->arena, "/antraege/%lld", (long long)ctx.app.id);
    const char *action = arena_printf(req->arena, "/antraege/%lld/zurueckziehen", (long long)ctx.app.id);
    if (!strcmp(ctx.app.status, "entwurf") || workflow_is_final(ctx.app.workflow, ctx.app.status))
        return http_redirect(req, 303, back);
    const char *reason = http_form(req, "begruendung");
    reason = reason ? reason : "";
    if (utf8_length(reason, strlen(reason)) > WITHDRAW_REASON_MAX)
        return confirm_page(req, 422, N_("Antrag zurückziehen?"),
                            N_("Wenn Sie den Antrag zurückziehen, bearbeitet die Behörde ihn nicht weiter. Für eine "
                               "neue Entscheidung müssten Sie einen neuen Antrag stellen."),
                            action, N_("Ja, Antrag zurückziehen"), back, 1, reason,
                            N_("Bitte kürzen Sie den Grund auf höchstens 1000 Zeichen."));
    rc = case_set_status(req->db, req->cfg, req->arena, ctx.app.id, "zurueckgezogen", req->user->id, reason);
    if (rc == 0)
        return http_redirect(req, 303, arena_printf(req->arena, "%s?zurueckgezogen=1", back));
    if (rc == 1)
        return confirm_page(req, 409, N_("Antrag zurückziehen?"),
                            N_("Dieser Antrag kann nicht mehr zurückgezogen werden, weil sich sein Stand gerade "
                               "geändert hat. Bitte sehen Sie sich den neuen Stand an."),
                            action, N_("Ja, Antrag zurückziehen"), back, 0, NULL, NULL);
    log_kv(LOG_ERROR, "withdrawal failed", "application", back, "request_id", req->request_id, NULL);
    return confirm_page(
        req, 503, N_("Antrag zurückziehen?"),
        N_("Ihr Antrag konnte gerade nicht zurückgezogen werden. Bitte versuchen Sie es gleich noch einmal."), action,
        N_("Ja, Antrag zurückziehen"), back, 1, reason, NULL);
}

/* ---- downloads -------------------------------------------------------------------------------------------- */

static const char sql_file[] =
    "SELECT filename, content_type, data FROM application_files WHERE id = $1 AND application_id = $2";

/* filename*=UTF-8''… (RFC 6266/5987) with an ASCII fallback for old clients. */
static const char *disposition(arena_t *arena, const char *name)
{
    size_t n = strlen(name);
    char *ascii = arena_alloc(arena, n + 1), *enc = arena_alloc(arena, n * 3 + 1);
    size_t a = 0, e = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        ascii[a++] = (*p < 0x80 && *p >= 0x20 && *p != '"' && *p != '\\') ? (char)*p : '_';
        if (isalnum(*p) || strchr("-._~", *p))
            enc[e++] = (char)*p;
        else
            e += (size_t)sprintf(enc + e, "%%%02X", *p);
    }
    ascii[a] = enc[e] = '\0';
    return arena_printf(arena, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

int apply_file_download(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = apply_open(req, http_param(req, "id"), 0, APPLY_LOGIN_REDIRECT, &ctx);
    if (rc == HTTP_ANSWERED)
        return 0;
    if (rc)
        return rc;
    const char *fid = http_param(req, "file_id");
    char *end;
    long long file_id = fid ? strtoll(fid, &end, 10) : 0;
    if (!fid || !*fid || *end || file_id <= 0)
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_file, &st) != 0)
        return 503;
    db_bind_int64(st, 1, file_id);
    db_bind_int64(st, 2, ctx.app.id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? 404 : 503;
    }
    const char *name = arena_strdup(req->arena, db_column_text(st, 0));
    const char *type = arena_strdup(req->arena, db_column_text(st, 1));
    size_t len = 0;
    const void *p = db_column_blob(st, 2, &len);
    void *bytes = arena_alloc(req->arena, len ? len : 1);
    if (len)
        memcpy(bytes, p, len);
    db_reset(st);
    http_add_header(req, "content-disposition", disposition(req->arena, name));
    http_add_header(req, "cache-control", "private, no-store");
    return http_send(req, 200, type, bytes, len);
}
