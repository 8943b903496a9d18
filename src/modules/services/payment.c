/* payment.c — the payment step of an application (docs/payment.md): the table
 * of payment providers, the citizen's page /antraege/:id/bezahlen, the return
 * from a provider, and what the case page needs (payment_state,
 * payment_mark_paid for "Zahlung vor Ort").
 *
 * The citizen chooses a method; a payment row ('offen') records the request
 * with its own reference. "vor_ort" needs nothing more online: the citizen
 * pays at the counter and a caseworker records it (payment_mark_paid). A
 * provider with a payment page redirects the citizen there and back to
 * /antraege/:id/bezahlen/zurueck, where the portal asks the provider itself
 * whether the payment went through: the returning request proves nothing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/services/appointments.h"
#include "modules/services/internal.h"
#include "modules/services/payment.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

/* ---- the providers ------------------------------------------------------------- */

/* Zahlung vor Ort: nothing happens online; the counter records the payment. */
static int vor_ort_start(const config_t *cfg, arena_t *arena, const payment_t *payment, payment_start_t *out, char *err,
                         size_t errlen)
{
    out->redirect_url = NULL;
    out->provider_ref = NULL;
    return 0;
}

/* Our table is the only record of a payment at the counter, so its state is
 * what the caseworker recorded. */
static int vor_ort_status(const config_t *cfg, arena_t *arena, const payment_t *payment, const char *stored,
                          const char **status, int64_t *paid_at, char *err, size_t errlen)
{
    *status = stored;
    *paid_at = 0;
    return 0;
}

static const payment_provider_t provider_vor_ort = {
    .name = "vor_ort",
    .title = N_("Zahlung vor Ort"),
    .description = N_("Sie bezahlen bei Ihrem Termin im Amt, bar oder mit Karte."),
    .start = vor_ort_start,
    .status = vor_ort_status,
};

/* Every provider offered to citizens, in the order shown. An XBezahldienste
 * provider is added here (docs/payment.md). */
static const payment_provider_t *const providers[] = {&provider_vor_ort};

const payment_provider_t *payment_provider(const char *name)
{
    for (size_t i = 0; name && i < sizeof(providers) / sizeof(providers[0]); i++)
        if (!strcmp(providers[i]->name, name))
            return providers[i];
    return NULL;
}

size_t payment_providers(const payment_provider_t *const **list)
{
    *list = providers;
    return sizeof(providers) / sizeof(providers[0]);
}

/* ---- the state of an application's payment ------------------------------------- */

static const char sql_latest[] = "SELECT status, provider, reference, COALESCE(paid_at, 0), COALESCE(marked_by, 0),"
                                 " provider_ref, id, amount_cents"
                                 " FROM payments WHERE application_id = $1 ORDER BY id DESC LIMIT 1";

/* The latest payment of an application (status "" when there is none). */
typedef struct stored_payment {
    int64_t id;
    int64_t amount_cents;
    int64_t paid_at;
    int64_t marked_by;
    const char *status;
    const char *provider;
    const char *reference;
    const char *provider_ref;
} stored_payment_t;

static int latest_payment(db_t *db, arena_t *arena, int64_t app_id, stored_payment_t *out)
{
    memset(out, 0, sizeof(*out));
    out->status = out->provider = out->reference = out->provider_ref = "";
    db_stmt_t *st;
    if (db_prepare(db, sql_latest, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->status = arena_strdup(arena, db_column_text(st, 0));
        out->provider = arena_strdup(arena, db_column_text(st, 1));
        out->reference = arena_strdup(arena, db_column_text(st, 2));
        out->paid_at = db_column_int64(st, 3);
        out->marked_by = db_column_int64(st, 4);
        out->provider_ref = arena_strdup(arena, db_column_text(st, 5));
        out->id = db_column_int64(st, 6);
        out->amount_cents = db_column_int64(st, 7);
    }
    db_reset(st);
    return rc < 0 ? -1 : 0;
}

int payment_state(db_t *db, arena_t *arena, const application_t *app, payment_state_t *out)
{
    memset(out, 0, sizeof(*out));
    stored_payment_t p;
    if (latest_payment(db, arena, app->id, &p) != 0)
        return -1;
    const payment_provider_t *prov = payment_provider(app->payment_method[0] ? app->payment_method : p.provider);
    out->method = app->payment_method[0] ? app->payment_method : p.provider;
    out->method_title = prov ? prov->title : "";
    out->amount_cents = app->fee_cents;
    out->paid_at = app->paid_at;
    out->marked_by = p.marked_by;
    if (app->fee_cents <= 0) {
        out->status = "keine";
        out->status_label = N_("Keine Gebühr");
    } else if (app->paid_at > 0) {
        out->status = PAYMENT_PAID;
        out->status_label = N_("Bezahlt");
    } else if (!strcmp(p.status, PAYMENT_FAILED)) {
        out->status = PAYMENT_FAILED;
        out->status_label = N_("Zahlung fehlgeschlagen");
    } else {
        out->status = PAYMENT_OPEN;
        out->status_label = N_("Noch nicht bezahlt");
    }
    out->staff_may_mark_paid = app->fee_cents > 0 && app->paid_at == 0;
    return 0;
}

json_t *payment_state_json(db_t *db, arena_t *arena, const application_t *app, const char *lang)
{
    payment_state_t s;
    if (payment_state(db, arena, app, &s) != 0)
        return NULL;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "status", s.status, "status_label",
                     i18n_translate(lang, s.status_label), "method_title",
                     s.method_title[0] ? i18n_translate(lang, s.method_title) : "", "amount",
                     application_money(arena, s.amount_cents, lang), "paid_date", application_date(arena, s.paid_at, 0),
                     "may_mark_paid", s.staff_may_mark_paid, "action",
                     arena_printf(arena, "/verwaltung/vorgaenge/%lld/bezahlt", (long long)app->id));
}

/* ---- recording a payment ----------------------------------------------------------- */

static const char sql_app_paid[] = "UPDATE applications SET paid_at = $2, payment_method = $3, updated_at = $2"
                                   " WHERE id = $1 AND paid_at IS NULL AND fee_cents > 0 AND submitted_at IS NOT NULL";
static const char sql_pay_open_paid[] = "UPDATE payments SET status = 'bezahlt', paid_at = $3, marked_by = $4"
                                        " WHERE application_id = $1 AND status = 'offen' AND provider = $2";
static const char sql_pay_open_fail[] =
    "UPDATE payments SET status = 'fehlgeschlagen' WHERE application_id = $1 AND status = 'offen'";
static const char sql_pay_count[] = "SELECT count(*) FROM payments WHERE application_id = $1";
static const char sql_pay_insert[] =
    "INSERT INTO payments (application_id, provider, amount_cents, status, reference, provider_ref, created_at,"
    " paid_at, marked_by) VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8) RETURNING id";

/* Inserts a payment of app; paid_at 0: open. Inside the caller's transaction. */
static int64_t insert_payment(db_t *db, arena_t *arena, const application_t *app, const char *provider,
                              const char *status, int64_t now, int64_t paid_at, int64_t marked_by)
{
    int64_t count = 0;
    if (db_query_int64_arg(db, sql_pay_count, app->id, &count) < 0)
        return -1;
    /* The application's reference and a running number: unique, and what the
     * citizen writes as the purpose of a transfer. */
    const char *reference = arena_printf(arena, "%s-%lld", app->reference, (long long)count + 1);
    db_stmt_t *st;
    if (db_prepare(db, sql_pay_insert, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app->id);
    db_bind_text(st, 2, provider, -1);
    db_bind_int64(st, 3, app->fee_cents);
    db_bind_text(st, 4, status, -1);
    db_bind_text(st, 5, reference, -1);
    db_bind_int64(st, 6, now);
    if (paid_at > 0)
        db_bind_int64(st, 7, paid_at);
    else
        db_bind_null(st, 7);
    if (marked_by > 0)
        db_bind_int64(st, 8, marked_by);
    else
        db_bind_null(st, 8);
    int64_t id = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_reset(st);
    return id;
}

static int exec_app(db_t *db, const char *sql, int64_t app_id, int64_t *changed)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app_id);
    int rc = db_step(st);
    if (changed)
        *changed = db_changes(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int payment_mark_paid(db_t *db, const application_t *app, int64_t actor_id, const char *ip, const char *request_id)
{
    arena_t arena;
    arena_init(&arena);
    int rc = -1;
    int64_t now = (int64_t)time(NULL);
    db_stmt_t *st;
    if (db_begin_write(db) != 0)
        goto out;
    /* The conditional UPDATE decides, under the write lock, whether there is
     * still something to pay: two caseworkers pressing the button at once
     * record one payment. */
    if (db_prepare(db, sql_app_paid, &st) != 0)
        goto out;
    db_bind_int64(st, 1, app->id);
    db_bind_int64(st, 2, now);
    db_bind_text(st, 3, provider_vor_ort.name, -1);
    int step = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    if (step != DB_DONE)
        goto out;
    if (changed == 0) {
        rc = 1;
        goto out;
    }
    if (db_prepare(db, sql_pay_open_paid, &st) != 0)
        goto out;
    db_bind_int64(st, 1, app->id);
    db_bind_text(st, 2, provider_vor_ort.name, -1);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, actor_id);
    step = db_step(st);
    changed = db_changes(st);
    db_reset(st);
    if (step != DB_DONE)
        goto out;
    if (changed == 0) {
        /* Paid at the counter without choosing it online first, or instead of
         * an online payment that never arrived: that one is over. */
        if (exec_app(db, sql_pay_open_fail, app->id, NULL) != 0 ||
            insert_payment(db, &arena, app, provider_vor_ort.name, PAYMENT_PAID, now, now, actor_id) < 0)
            goto out;
    }
    const char *amount = application_money(&arena, app->fee_cents, "de");
    if (application_event(db, app->id, actor_id, "payment", "", PAYMENT_PAID,
                          arena_printf(&arena, "Zahlung vor Ort erhalten: %s", amount), 0) != 0)
        goto out;
    char detail[160];
    snprintf(detail, sizeof(detail), "{\"provider\":\"vor_ort\",\"amount_cents\":%lld}", (long long)app->fee_cents);
    char actor[32], object[40];
    snprintf(actor, sizeof(actor), "user:%lld", (long long)actor_id);
    snprintf(object, sizeof(object), "application:%lld", (long long)app->id);
    if (audit_log(db, actor, "services.payment.paid", object, detail, ip, request_id) != 0)
        goto out;
    rc = db_commit(db) == 0 ? 0 : -1;
out:
    if (rc != 0)
        db_rollback(db);
    arena_clear(&arena);
    return rc;
}

/* ---- the citizen's pages ----------------------------------------------------------- */

/* Loads the application named by :id for its owner: 0, or the status to answer
 * (404 for anything that is not the citizen's own submitted application). */
static int load_own(http_req_t *req, application_t *app)
{
    int64_t id = appt_parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    int rc = application_load(req->db, req->arena, id, app);
    if (rc < 0)
        return 503;
    if (rc > 0 || !application_is_own(req, app) || app->submitted_at == 0)
        return 404;
    return 0;
}

/* The fee lines stored with the application at submission, formatted. */
static json_t *fee_lines(http_req_t *req, const application_t *app)
{
    json_t *out = json_array();
    json_t *lines = json_loads(app->fee_lines, 0, NULL);
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        const char *label = json_string_value(json_object_get(line, "label"));
        json_t *cents = json_object_get(line, "cents");
        if (!label || !json_is_integer(cents))
            continue;
        json_array_append_new(out, json_pack("{s:s,s:s}", "label", i18n_translate(req->lang, label), "amount",
                                             application_money(req->arena, json_integer_value(cents), req->lang)));
    }
    json_decref(lines);
    return out;
}

/* Renders the payment page of app; chosen: the provider to preselect. */
static int render_pay(http_req_t *req, int status, const application_t *app, json_t *model, const char *chosen)
{
    stored_payment_t p;
    if (latest_payment(req->db, req->arena, app->id, &p) != 0) {
        json_decref(model);
        return 503;
    }
    json_object_set_new(model, "reference", json_string(app->reference));
    json_object_set_new(model, "service", json_string(app->service_name));
    json_object_set_new(model, "lines", fee_lines(req, app));
    json_object_set_new(model, "total", json_string(application_money(req->arena, app->fee_cents, req->lang)));
    json_object_set_new(model, "back", json_sprintf("/antraege/%lld", (long long)app->id));
    if (app->fee_cents <= 0) {
        json_object_set_new(model, "no_fee", json_true());
    } else if (app->paid_at > 0) {
        json_object_set_new(model, "paid", json_true());
        json_object_set_new(model, "paid_date", json_string(application_date(req->arena, app->paid_at, 0)));
    } else {
        const payment_provider_t *open = !strcmp(p.status, PAYMENT_OPEN) ? payment_provider(p.provider) : NULL;
        if (open)
            json_object_set_new(model, "open",
                                json_pack("{s:s,s:s,s:s}", "title", appt_tr(req, open->title), "description",
                                          appt_tr(req, open->description), "reference", p.reference));
        if (!strcmp(p.status, PAYMENT_FAILED))
            json_object_set_new(model, "failed", json_true());
        const payment_provider_t *const *list;
        size_t n = payment_providers(&list);
        json_t *options = json_array();
        for (size_t i = 0; i < n; i++) {
            int selected = chosen ? !strcmp(chosen, list[i]->name) : (open ? open == list[i] : i == 0);
            json_array_append_new(options, json_pack("{s:s,s:s,s:s,s:b}", "value", list[i]->name, "label",
                                                     appt_tr(req, list[i]->title), "hint",
                                                     appt_tr(req, list[i]->description), "selected", selected));
        }
        json_object_set_new(model, "field",
                            json_pack("{s:s,s:s,s:s,s:o}", "name", "zahlart", "id", "feld-zahlart", "label",
                                      appt_tr(req, N_("Wie möchten Sie bezahlen?")), "options", options));
        json_object_set_new(model, "action", json_sprintf("/antraege/%lld/bezahlen", (long long)app->id));
    }
    return http_render(req, status, "services/appointments/pay", model);
}

int payment_page(http_req_t *req)
{
    application_t app;
    int rc = load_own(req, &app);
    if (rc)
        return rc;
    json_t *model = appt_model(req, N_("Gebühr bezahlen"));
    if (http_query(req, "gewaehlt"))
        appt_alert(req, model, "success", N_("Ihre Wahl ist gespeichert."));
    return render_pay(req, 200, &app, model, NULL);
}

static const char sql_open_same[] =
    "SELECT id FROM payments WHERE application_id = $1 AND status = 'offen' AND provider = $2";
static const char sql_set_method[] = "UPDATE applications SET payment_method = $2, updated_at = $3 WHERE id = $1";
static const char sql_set_provider_ref[] = "UPDATE payments SET provider_ref = $2 WHERE id = $1";
static const char sql_pay_failed_one[] =
    "UPDATE payments SET status = 'fehlgeschlagen' WHERE id = $1 AND status = 'offen'";

/* Builds the provider's view of payment id of app. */
static payment_t payment_of(http_req_t *req, const application_t *app, int64_t id, const char *reference)
{
    payment_t p = {
        .id = id,
        .application_id = app->id,
        .amount_cents = app->fee_cents,
        .currency = "EUR",
        .reference = reference,
        /* At most 200 bytes of the name, cut on a character boundary: the
         * whole text stays within PAYMENT_PURPOSE_MAX characters. */
        .purpose = arena_printf(req->arena, "%.*s, Antrag %s",
                                (int)utf8_truncate(app->service_name, strlen(app->service_name), 200),
                                app->service_name, app->reference),
        .return_url =
            arena_printf(req->arena, "%s/antraege/%lld/bezahlen/zurueck", req->cfg->base_url, (long long)app->id),
        .provider_ref = "",
    };
    return p;
}

int payment_submit(http_req_t *req)
{
    application_t app;
    int rc = load_own(req, &app);
    if (rc)
        return rc;
    json_t *model = appt_model(req, N_("Gebühr bezahlen"));
    if (app.fee_cents <= 0 || app.paid_at > 0) {
        appt_alert(req, model, "warning",
                   app.paid_at > 0 ? N_("Diese Gebühr ist schon bezahlt.")
                                   : N_("Für diesen Antrag fällt keine Gebühr an."));
        return render_pay(req, 409, &app, model, NULL);
    }
    const char *chosen = http_form(req, "zahlart");
    const payment_provider_t *prov = payment_provider(chosen);
    if (!prov) {
        appt_error(req, model, "feld-zahlart", N_("Bitte wählen Sie, wie Sie bezahlen möchten."));
        return render_pay(req, 422, &app, model, NULL);
    }
    int64_t now = (int64_t)time(NULL);
    int64_t pay_id = 0;
    if (db_begin_write(req->db) != 0) {
        json_decref(model);
        return 503;
    }
    db_stmt_t *st;
    if (db_prepare(req->db, sql_open_same, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, app.id);
    db_bind_text(st, 2, prov->name, -1);
    int step = db_step(st);
    if (step == DB_ROW)
        pay_id = db_column_int64(st, 0);
    db_reset(st);
    if (step < 0)
        goto fail;
    if (pay_id == 0) {
        /* Another method chosen before: that request is over. */
        if (exec_app(req->db, sql_pay_open_fail, app.id, NULL) != 0)
            goto fail;
        pay_id = insert_payment(req->db, req->arena, &app, prov->name, PAYMENT_OPEN, now, 0, 0);
        if (pay_id < 0)
            goto fail;
        if (application_event(req->db, app.id, req->user->id, "payment", "", PAYMENT_OPEN,
                              arena_printf(req->arena, "Zahlart gewählt: %s", prov->title), 0) != 0)
            goto fail;
    }
    if (db_prepare(req->db, sql_set_method, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, app.id);
    db_bind_text(st, 2, prov->name, -1);
    db_bind_int64(st, 3, now);
    step = db_step(st);
    db_reset(st);
    if (step != DB_DONE || db_commit(req->db) != 0)
        goto fail;

    stored_payment_t stored;
    if (latest_payment(req->db, req->arena, app.id, &stored) != 0) {
        json_decref(model);
        return 503;
    }
    /* The provider is asked outside the transaction: it may be another server. */
    payment_t p = payment_of(req, &app, pay_id, stored.reference);
    payment_start_t start = {NULL, NULL};
    char err[256] = "";
    if (prov->start(req->cfg, req->arena, &p, &start, err, sizeof(err)) != 0) {
        /* The request is over; if even this fails, the next choice replaces it. */
        if (db_prepare(req->db, sql_pay_failed_one, &st) == 0) {
            db_bind_int64(st, 1, pay_id);
            db_step(st);
            db_reset(st);
        }
        appt_alert(req, model, "danger",
                   N_("Die Zahlung konnte gerade nicht begonnen werden. Bitte versuchen Sie es später noch einmal."));
        return render_pay(req, 502, &app, model, prov->name);
    }
    if (start.provider_ref && db_prepare(req->db, sql_set_provider_ref, &st) == 0) {
        db_bind_int64(st, 1, pay_id);
        db_bind_text(st, 2, start.provider_ref, -1);
        db_step(st);
        db_reset(st);
    }
    json_decref(model);
    if (start.redirect_url) {
        /* The provider's payment page: an address from our own provider code,
         * never from the request, so this is no open redirect. */
        http_add_header(req, "location", start.redirect_url);
        http_add_header(req, "cache-control", "no-store");
        return http_send(req, 303, "text/plain; charset=utf-8", "", 0);
    }
    return http_redirect(req, 303, arena_printf(req->arena, "/antraege/%lld/bezahlen?gewaehlt=1", (long long)app.id));
fail:
    db_rollback(req->db);
    json_decref(model);
    return 503;
}

static const char sql_pay_result[] = "UPDATE payments SET status = $2, paid_at = $3 WHERE id = $1 AND status = 'offen'";

int payment_return(http_req_t *req)
{
    application_t app;
    int rc = load_own(req, &app);
    if (rc)
        return rc;
    stored_payment_t stored;
    if (latest_payment(req->db, req->arena, app.id, &stored) != 0)
        return 503;
    const payment_provider_t *prov = payment_provider(stored.provider);
    if (!prov || strcmp(stored.status, PAYMENT_OPEN) != 0 || app.paid_at > 0)
        return http_redirect(req, 303, arena_printf(req->arena, "/antraege/%lld/bezahlen", (long long)app.id));
    payment_t p = payment_of(req, &app, stored.id, stored.reference);
    p.provider_ref = stored.provider_ref;
    const char *status = PAYMENT_OPEN;
    int64_t paid_at = 0;
    char err[256] = "";
    json_t *model = appt_model(req, N_("Gebühr bezahlen"));
    if (prov->status(req->cfg, req->arena, &p, stored.status, &status, &paid_at, err, sizeof(err)) != 0) {
        appt_alert(
            req, model, "warning",
            N_("Wir konnten den Stand Ihrer Zahlung gerade nicht abfragen. Bitte sehen Sie später noch einmal nach."));
        return render_pay(req, 200, &app, model, NULL);
    }
    if (!strcmp(status, PAYMENT_OPEN))
        return render_pay(req, 200, &app, model, NULL);
    int paid = !strcmp(status, PAYMENT_PAID);
    int64_t now = (int64_t)time(NULL);
    if (paid && paid_at <= 0)
        paid_at = now;
    if (db_begin_write(req->db) != 0)
        goto fail;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_pay_result, &st) != 0)
        goto fail;
    db_bind_int64(st, 1, stored.id);
    db_bind_text(st, 2, paid ? PAYMENT_PAID : PAYMENT_FAILED, -1);
    if (paid)
        db_bind_int64(st, 3, paid_at);
    else
        db_bind_null(st, 3);
    int step = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    if (step != DB_DONE)
        goto fail;
    if (changed > 0 && paid) {
        if (db_prepare(req->db, sql_app_paid, &st) != 0)
            goto fail;
        db_bind_int64(st, 1, app.id);
        db_bind_int64(st, 2, paid_at);
        db_bind_text(st, 3, prov->name, -1);
        step = db_step(st);
        db_reset(st);
        if (step != DB_DONE)
            goto fail;
    }
    if (changed > 0 &&
        application_event(req->db, app.id, 0, "payment", PAYMENT_OPEN, paid ? PAYMENT_PAID : PAYMENT_FAILED,
                          arena_printf(req->arena, "%s: %s", prov->title, paid ? "bezahlt" : "fehlgeschlagen"), 0) != 0)
        goto fail;
    if (db_commit(req->db) != 0)
        goto fail;
    json_decref(model);
    return http_redirect(req, 303, arena_printf(req->arena, "/antraege/%lld/bezahlen", (long long)app.id));
fail:
    db_rollback(req->db);
    json_decref(model);
    return 503;
}
