/* apply_submit.c — the end of the way: the review page (WCAG 3.3.4), submitting,
 * the receipt page and the receipt as PDF.
 *
 * Submitting checks every shown step again, then in one write transaction gives
 * the reference number, moves the draft to 'eingegangen' with what the office
 * needs (answers of shown fields only, summary line, birth date for the status
 * lookup, fee), records the history, stores the receipt PDF and queues the
 * confirmation mail (a link only). A PDF that cannot be made does not stop the
 * submission: the receipt is made again when it is first asked for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/services/apply.h"
#include "platform/files.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "platform/pdf.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char sql_service_extra[] = "SELECT fee_rules, processing_time FROM services WHERE id = $1";

/* The service's fee rules and processing time (arena). Returns 0 or < 0. */
static int service_extra(http_req_t *req, int64_t service_id, const char **rules, const char **processing)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_service_extra, &st) != 0)
        return -1;
    db_bind_int64(st, 1, service_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *rules = arena_strdup(req->arena, db_column_text(st, 0) ? db_column_text(st, 0) : "");
        *processing = arena_strdup(req->arena, db_column_text(st, 1) ? db_column_text(st, 1) : "");
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : -1;
}

typedef struct fee {
    int ok;        /* computed */
    int64_t total; /* cents */
    json_t *lines; /* [{"label","cents"}] as fees_compute gives them (owned) */
} fee_t;

static void compute_fee(http_req_t *req, const char *rules, const json_t *answers, const char *today, fee_t *fee)
{
    char err[256] = "";
    fee->lines = NULL;
    fee->total = 0;
    fee->ok = fees_compute(rules, answers, today, &fee->lines, &fee->total, err, sizeof(err)) == 0;
    if (!fee->ok) {
        log_kv(LOG_ERROR, "fee not computed", "error", err, "request_id", req->request_id, NULL);
        json_decref(fee->lines);
        fee->lines = json_array();
        fee->total = 0;
    }
}

/* The fee as the pages show it. */
static json_t *fee_model(http_req_t *req, const fee_t *fee)
{
    json_t *lines = json_array();
    size_t i;
    const json_t *l;
    json_array_foreach(fee->lines, i, l)
    {
        const char *label = json_string_value(json_object_get(l, "label"));
        json_array_append_new(
            lines,
            json_pack("{s:s,s:s}", "label", label ? label : "", "amount",
                      application_money(req->arena, json_integer_value(json_object_get(l, "cents")), req->lang)));
    }
    return json_pack("{s:b,s:o,s:s,s:b}", "computed", fee->ok, "lines", lines, "total",
                     application_money(req->arena, fee->total, req->lang), "free", fee->ok && fee->total == 0);
}

/* Checks every shown step; returns [{"href","text"}] for each step with problems. */
static json_t *problems_of(apply_ctx_t *ctx, const formdef_state_t *s, const json_t *counts)
{
    http_req_t *req = ctx->req;
    json_t *out = json_array();
    for (size_t st = 0; st < s->step_count; st++) {
        if (!s->step_visible[st])
            continue;
        json_t *errors = json_object();
        int n = formdef_check_step(s, st, counts, errors, req->arena);
        json_decref(errors);
        if (!n)
            continue;
        const char *title =
            formdef_text(ctx->def, req->lang, json_string_value(json_object_get(formdef_step(ctx->def, st), "title")));
        int pos, total;
        formdef_progress(s, st, &pos, &total);
        json_array_append_new(
            out,
            json_pack("{s:s,s:s}", "href",
                      arena_printf(req->arena, "/antraege/%lld/schritt/%zu?fehler=1", (long long)ctx->app.id, st + 1),
                      "text",
                      arena_printf(req->arena, "%s %d (%s): %s", i18n_translate(req->lang, N_("Schritt")), pos, title,
                                   i18n_translate(req->lang, N_("Hier fehlt etwas oder ist nicht richtig.")))));
    }
    return out;
}

/* The review steps with their "Ändern" links. */
static json_t *review_steps(apply_ctx_t *ctx, const formdef_state_t *s, const json_t *lists)
{
    json_t *steps = formdef_view_review(s, lists, ctx->req->lang, ctx->req->arena);
    size_t i;
    json_t *step;
    json_array_foreach(steps, i, step)
    {
        json_object_set_new(
            step, "change_href",
            json_string(arena_printf(ctx->req->arena, "/antraege/%lld/schritt/%lld", (long long)ctx->app.id,
                                     (long long)json_integer_value(json_object_get(step, "number")))));
    }
    return steps;
}

static int render_review(apply_ctx_t *ctx, int status, const formdef_state_t *s, const json_t *lists, json_t *problems)
{
    http_req_t *req = ctx->req;
    const char *rules = "", *processing = "";
    if (service_extra(req, ctx->app.service_id, &rules, &processing) != 0) {
        json_decref(problems);
        return 503;
    }
    json_t *visible = formdef_visible_answers(s);
    fee_t fee;
    compute_fee(req, rules, visible, s->today, &fee);
    json_decref(visible);
    json_t *m = apply_model(req, N_("Bitte prüfen Sie Ihre Angaben"));
    const char *form_title = formdef_text(ctx->def, req->lang, json_string_value(json_object_get(ctx->def, "title")));
    if (json_array_size(problems))
        json_object_set_new(m, "title",
                            json_string(arena_printf(req->arena, "%s%s", i18n_translate(req->lang, N_("Fehler: ")),
                                                     i18n_translate(req->lang, N_("Bitte prüfen Sie Ihre Angaben")))));
    json_object_set_new(m, "heading", json_string(i18n_translate(req->lang, N_("Bitte prüfen Sie Ihre Angaben"))));
    json_object_set_new(m, "form_title", json_string(form_title));
    json_object_set_new(m, "steps", review_steps(ctx, s, lists));
    json_object_set_new(m, "problems", problems);
    json_object_set_new(m, "fee", fee_model(req, &fee));
    json_object_set_new(m, "anonymous", json_boolean(ctx->anonymous));
    json_object_set_new(m, "action",
                        json_string(arena_printf(req->arena, "/antraege/%lld/absenden", (long long)ctx->app.id)));
    json_decref(fee.lines);
    return http_render(req, status, "services/apply/review", m);
}

static int open_draft(http_req_t *req, apply_ctx_t *ctx)
{
    int rc = apply_open(req, http_param(req, "id"), 1, APPLY_LOGIN_REDIRECT, ctx);
    if (rc == HTTP_ANSWERED)
        return HTTP_ANSWERED;
    if (rc)
        return rc;
    if (strcmp(ctx->app.status, "entwurf") != 0) {
        http_redirect(req, 303, arena_printf(req->arena, "/antraege/%lld/eingegangen", (long long)ctx->app.id));
        apply_ctx_free(ctx);
        return HTTP_ANSWERED;
    }
    return 0;
}

int apply_review_page(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_draft(req, &ctx);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    char today[11];
    formdef_today(today);
    formdef_state_t *s = arena_alloc(req->arena, sizeof(*s));
    formdef_state_init(s, ctx.def, ctx.answers, today);
    json_t *lists, *counts;
    if (apply_files(req->db, ctx.app.id, &lists, &counts) != 0)
        rc = 503;
    else
        rc = render_review(&ctx, 200, s, lists, problems_of(&ctx, s, counts));
    json_decref(lists);
    json_decref(counts);
    apply_ctx_free(&ctx);
    return rc;
}

/* ---- the receipt ------------------------------------------------------------------------------ */

/* Builds the receipt PDF of a submitted application (answers = what was submitted).
 * Returns 0 with *out malloc'd, or -1. */
static int receipt_pdf(apply_ctx_t *ctx, const formdef_state_t *s, const json_t *lists, unsigned char **out,
                       size_t *len)
{
    http_req_t *req = ctx->req;
    const char *lang = req->lang;
    const application_t *a = &ctx->app;
    const char *title =
        arena_printf(req->arena, "%s %s", i18n_translate(lang, N_("Eingangsbestätigung")), a->reference);
    pdf_doc_t *d = pdf_new(title, lang);
    if (!d)
        return -1;
    pdf_letterhead(d, arena_printf(req->arena, "%s %s – %s", i18n_translate(lang, N_("Stadtverwaltung")),
                                   req->cfg->city_name, a->unit_name));
    pdf_heading(d, 1, i18n_translate(lang, N_("Eingangsbestätigung")));
    pdf_paragraph(
        d, i18n_translate(lang,
                          N_("Wir haben Ihren Antrag erhalten. Bitte nennen Sie bei Fragen immer das Aktenzeichen.")));
    pdf_pair(d, i18n_translate(lang, N_("Aktenzeichen")), a->reference);
    pdf_pair(d, i18n_translate(lang, N_("Leistung")), a->service_name);
    pdf_pair(d, i18n_translate(lang, N_("Eingegangen am")), application_date(req->arena, a->submitted_at, 1));
    pdf_pair(d, i18n_translate(lang, N_("Zuständig")), a->unit_name);
    if (a->fee_cents > 0)
        pdf_pair(d, i18n_translate(lang, N_("Gebühr")), application_money(req->arena, a->fee_cents, lang));
    pdf_heading(d, 2, i18n_translate(lang, N_("Ihre Angaben")));
    json_t *steps = formdef_view_review(s, lists, lang, req->arena);
    size_t i, j;
    json_t *step, *item;
    json_array_foreach(steps, i, step)
    {
        pdf_heading(d, 3, json_string_value(json_object_get(step, "title")));
        json_array_foreach(json_object_get(step, "items"), j, item)
        {
            const char *v = json_string_value(json_object_get(item, "value"));
            pdf_pair(d, json_string_value(json_object_get(item, "label")),
                     *v ? v : i18n_translate(lang, N_("Keine Angabe")));
        }
    }
    json_decref(steps);
    pdf_paragraph(
        d, i18n_translate(lang, N_("Diese Bestätigung wurde maschinell erstellt und ist ohne Unterschrift gültig.")));
    int rc = pdf_finish(d, out, len);
    pdf_free(d);
    return rc == 0 ? 0 : -1;
}

static int store_receipt(apply_ctx_t *ctx, const unsigned char *pdf, size_t len)
{
    int64_t file_id;
    const char *name = arena_printf(ctx->req->arena, "Eingangsbestaetigung-%s.pdf", ctx->app.reference);
    return files_store(ctx->req->db, ctx->app.id, "quittung", name, "application/pdf", pdf, len, 0, &file_id);
}

/* ---- submitting ----------------------------------------------------------------------------------- */

static const char sql_submit[] =
    "UPDATE applications SET reference = $2, status = 'eingegangen', submitted_at = $3, updated_at = $3, data = $4,"
    " summary = $5, birth_date = $6, fee_cents = $7, fee_lines = $8 WHERE id = $1 AND status = 'entwurf'";

/* "Reisepass beantragen – Maria Muster": the service and the summary fields. */
static const char *summary_line(apply_ctx_t *ctx, const json_t *answers)
{
    http_req_t *req = ctx->req;
    char *line = arena_strdup(req->arena, ctx->app.service_name);
    const char *sep = " – ";
    size_t i;
    const json_t *name;
    json_array_foreach(json_object_get(ctx->def, "summary_fields"), i, name)
    {
        const json_t *field = formdef_field(ctx->def, json_string_value(name));
        const char *v = field ? formdef_display_value(ctx->def, field, answers, "de", req->arena) : "";
        if (*v) {
            line = arena_printf(req->arena, "%s%s%s", line, sep, v);
            sep = " ";
        }
    }
    return line;
}

static int confirmation_mail(apply_ctx_t *ctx, const char *reference)
{
    http_req_t *req = ctx->req;
    if (ctx->anonymous || !req->user || !req->user->email || !*req->user->email)
        return 0; /* no account, no mail: the receipt page says so */
    const config_t *cfg = req->cfg;
    /* Only the reference and a link: the content stays behind the login. */
    const char *body =
        arena_printf(req->arena,
                     "Guten Tag,\n\nwir haben Ihren Antrag erhalten. Ihr Aktenzeichen ist %s.\n\n"
                     "Den Stand Ihres Antrags und Ihre Eingangsbestätigung finden Sie hier:\n%s/antraege/%lld\n\n"
                     "Mit freundlichen Grüßen\nIhr digitales Rathaus %s\n\n"
                     "-- \nWe have received your application %s. Its status and your receipt: %s/antraege/%lld\n",
                     reference, cfg->base_url, (long long)ctx->app.id, cfg->city_name, reference, cfg->base_url,
                     (long long)ctx->app.id);
    const char *subject =
        arena_printf(req->arena, "Ihr Antrag ist eingegangen: %s – Digitales Rathaus %s", reference, cfg->city_name);
    return mail_queue(req->db, req->user->email, subject, body) > 0 ? 0 : -1;
}

int apply_submit(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_draft(req, &ctx);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    if (!ctx.anonymous && req->user->trust_level < ctx.app.min_trust) {
        apply_ctx_free(&ctx);
        return http_redirect(req, 303, arena_printf(req->arena, "/leistungen/%s/antrag", ctx.app.service_slug));
    }
    char today[11];
    formdef_today(today);
    formdef_state_t *s = arena_alloc(req->arena, sizeof(*s));
    formdef_state_init(s, ctx.def, ctx.answers, today);
    json_t *lists = NULL, *counts = NULL;
    if (apply_files(req->db, ctx.app.id, &lists, &counts) != 0) {
        rc = 503;
        goto out;
    }
    json_t *problems = problems_of(&ctx, s, counts);
    if (json_array_size(problems)) {
        rc = render_review(&ctx, 422, s, lists, problems);
        goto out;
    }
    json_decref(problems);

    /* What is submitted: the answers of the fields shown, nothing left over from
     * questions the citizen answered and then made irrelevant. */
    json_t *visible = formdef_visible_answers(s);
    const char *rules = "", *processing = "";
    fee_t fee = {0};
    char *data = NULL, *fee_lines = NULL;
    if (service_extra(req, ctx.app.service_id, &rules, &processing) != 0) {
        json_decref(visible);
        rc = 503;
        goto out;
    }
    compute_fee(req, rules, visible, today, &fee);
    const char *birth = json_string_value(json_object_get(visible, "birth_date"));
    int y, mo, d;
    if (!birth || !formdef_parse_date(birth, &y, &mo, &d))
        birth = "";
    const char *summary = summary_line(&ctx, visible);
    data = json_dumps(visible, JSON_COMPACT);
    fee_lines = json_dumps(fee.lines, JSON_COMPACT);
    int64_t now = (int64_t)time(NULL);
    const char *reference = NULL;
    int ok = data && fee_lines && db_begin_write(req->db) == 0;
    if (ok)
        ok = (reference = application_next_reference(req->db, req->arena, now)) != NULL;
    db_stmt_t *st;
    if (ok && (ok = db_prepare(req->db, sql_submit, &st) == 0)) {
        db_bind_int64(st, 1, ctx.app.id);
        db_bind_text(st, 2, reference, -1);
        db_bind_int64(st, 3, now);
        db_bind_text(st, 4, data, -1);
        db_bind_text(st, 5, summary, -1);
        db_bind_text(st, 6, birth, -1);
        db_bind_int64(st, 7, fee.total);
        db_bind_text(st, 8, fee_lines, -1);
        ok = db_step(st) == DB_DONE && db_changes(st) == 1;
        db_reset(st);
    }
    if (ok)
        ok = application_event(req->db, ctx.app.id, req->user ? req->user->id : 0, "status", "entwurf", "eingegangen",
                               "", 0) == 0;
    if (ok) {
        /* The receipt shows exactly what was submitted. */
        ctx.app.reference = reference;
        ctx.app.submitted_at = now;
        ctx.app.fee_cents = fee.total;
        ctx.app.status = "eingegangen";
        formdef_state_t *sent = arena_alloc(req->arena, sizeof(*sent));
        formdef_state_init(sent, ctx.def, visible, today);
        unsigned char *pdf = NULL;
        size_t len = 0;
        if (receipt_pdf(&ctx, sent, lists, &pdf, &len) == 0)
            ok = store_receipt(&ctx, pdf, len) == 0;
        else
            log_kv(LOG_ERROR, "receipt PDF not made; it is made again when asked for", "reference", reference,
                   "request_id", req->request_id, NULL);
        free(pdf);
    }
    if (ok)
        ok = confirmation_mail(&ctx, reference) == 0;
    if (ok)
        ok = db_commit(req->db) == 0;
    if (!ok) {
        db_rollback(req->db);
        log_kv(LOG_ERROR, "submission failed", "error", db_errmsg(req->db), "request_id", req->request_id, NULL);
        /* The draft is untouched: the review page says so and offers the button again. */
        json_t *again = json_array();
        json_array_append_new(
            again,
            json_pack("{s:s,s:s}", "href", arena_printf(req->arena, "/antraege/%lld/pruefen", (long long)ctx.app.id),
                      "text",
                      i18n_translate(req->lang, N_("Ihr Antrag konnte gerade nicht abgeschickt werden. Ihr Entwurf ist "
                                                   "gespeichert: bitte versuchen Sie es gleich noch einmal."))));
        rc = render_review(&ctx, 503, s, lists, again);
    } else {
        jobs_wake();
        rc = http_redirect(req, 303, arena_printf(req->arena, "/antraege/%lld/eingegangen", (long long)ctx.app.id));
    }
    free(data);
    free(fee_lines);
    json_decref(fee.lines);
    json_decref(visible);
out:
    json_decref(lists);
    json_decref(counts);
    apply_ctx_free(&ctx);
    return rc;
}

/* ---- after submitting ------------------------------------------------------------------------------- */

static int open_submitted(http_req_t *req, apply_ctx_t *ctx, int with_form)
{
    int rc = apply_open(req, http_param(req, "id"), with_form, APPLY_LOGIN_REDIRECT, ctx);
    if (rc == HTTP_ANSWERED)
        return HTTP_ANSWERED;
    if (rc)
        return rc;
    if (!strcmp(ctx->app.status, "entwurf")) {
        http_redirect(req, 302, arena_printf(req->arena, "/antraege/%lld/pruefen", (long long)ctx->app.id));
        apply_ctx_free(ctx);
        return HTTP_ANSWERED;
    }
    return 0;
}

int apply_received_page(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_submitted(req, &ctx, 0);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    const char *rules = "", *processing = "";
    if (service_extra(req, ctx.app.service_id, &rules, &processing) != 0)
        return 503;
    json_t *m = apply_model(req, N_("Ihr Antrag ist eingegangen"));
    long long id = (long long)ctx.app.id;
    json_object_set_new(m, "reference", json_string(ctx.app.reference));
    json_object_set_new(m, "service_name", json_string(ctx.app.service_name));
    json_object_set_new(m, "unit_name", json_string(ctx.app.unit_name));
    json_object_set_new(m, "submitted", json_string(application_date(req->arena, ctx.app.submitted_at, 1)));
    json_object_set_new(m, "processing_time", json_string(processing));
    json_object_set_new(
        m, "fee",
        json_string(ctx.app.fee_cents > 0 ? application_money(req->arena, ctx.app.fee_cents, req->lang) : ""));
    json_object_set_new(m, "anonymous", json_boolean(ctx.anonymous));
    json_object_set_new(m, "receipt_href", json_string(arena_printf(req->arena, "/antraege/%lld/quittung.pdf", id)));
    json_object_set_new(m, "detail_href", json_string(arena_printf(req->arena, "/antraege/%lld", id)));
    json_object_set_new(m, "postfach_href", json_string(arena_printf(req->arena, "/postfach/%lld", id)));
    /* Services done in person (the passport): book the visit for this very application. */
    if (ctx.app.appointments && !ctx.anonymous)
        json_object_set_new(m, "appointment_href",
                            json_string(arena_printf(req->arena, "/termine/buchen?leistung=%s&antrag=%lld",
                                                     ctx.app.service_slug, (long long)id)));
    return http_render(req, 200, "services/apply/received", m);
}

static const char sql_receipt[] =
    "SELECT data FROM application_files WHERE application_id = $1 AND field = 'quittung' ORDER BY id DESC LIMIT 1";

int apply_receipt_pdf(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = open_submitted(req, &ctx, 1);
    if (rc)
        return rc == HTTP_ANSWERED ? 0 : rc;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_receipt, &st) != 0) {
        apply_ctx_free(&ctx);
        return 503;
    }
    db_bind_int64(st, 1, ctx.app.id);
    unsigned char *bytes = NULL;
    size_t len = 0;
    rc = db_step(st);
    if (rc == DB_ROW) {
        const void *p = db_column_blob(st, 0, &len);
        bytes = arena_alloc(req->arena, len ? len : 1);
        if (len)
            memcpy(bytes, p, len);
    }
    db_reset(st);
    if (rc < 0) {
        apply_ctx_free(&ctx);
        return 503;
    }
    if (rc == DB_DONE) {
        /* Not made at submission (the PDF part failed then): made now, and kept. */
        char today[11];
        formdef_today(today);
        formdef_state_t *s = arena_alloc(req->arena, sizeof(*s));
        formdef_state_init(s, ctx.def, ctx.answers, today);
        json_t *lists = NULL, *counts = NULL;
        unsigned char *pdf = NULL;
        int ok = apply_files(req->db, ctx.app.id, &lists, &counts) == 0 && receipt_pdf(&ctx, s, lists, &pdf, &len) == 0;
        json_decref(lists);
        json_decref(counts);
        if (ok) {
            bytes = arena_alloc(req->arena, len ? len : 1);
            memcpy(bytes, pdf, len);
            if (store_receipt(&ctx, pdf, len) != 0)
                log_kv(LOG_WARN, "receipt PDF made but not stored", "reference", ctx.app.reference, NULL);
        }
        free(pdf);
        if (!ok) {
            apply_ctx_free(&ctx);
            req->error_message = N_("Die Eingangsbestätigung kann gerade nicht erstellt werden. Ihr Antrag ist "
                                    "trotzdem eingegangen. Bitte versuchen Sie es später noch einmal.");
            return 503;
        }
    }
    http_add_header(req, "content-disposition",
                    arena_printf(req->arena, "inline; filename=\"Eingangsbestaetigung-%s.pdf\"", ctx.app.reference));
    http_add_header(req, "cache-control", "private, no-store");
    apply_ctx_free(&ctx);
    return http_send(req, 200, "application/pdf", bytes, len);
}
