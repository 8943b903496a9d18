/* apply.c — the citizen's way through an online form: the route table of
 * "Meine Anträge", the start page of an application and starting a draft.
 *
 * The steps, the review, submitting and "Meine Anträge" live in apply_*.c
 * (apply.h lists them). All addresses are stable (docs/forms.md "The citizen's
 * way"). Routes that an anonymous draft needs (services with min_trust 0) are
 * public in the table and check the owner in the handler (apply_open); the
 * others need a signed-in account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/account.h"
#include "modules/services/apply.h"
#include "modules/services/services.h"
#include "view/i18n.h"
#include "web/auth.h"

int apply_start_page(http_req_t *req);
int apply_start(http_req_t *req);
extern const account_data_provider_t apply_data_provider; /* apply_privacy.c */

static const route_t apply_routes[] = {
    {"GET", "/leistungen/:slug/antrag", apply_start_page, NULL, 0, 0},
    {"POST", "/leistungen/:slug/antrag", apply_start, NULL, 0, 0},
    {"GET", "/antraege", apply_list_page, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/antraege/:id", apply_detail_page, AUTH_SIGNED_IN, 0, 0},
    /* Public: anonymous drafts, and a step sent after the session ended must still
     * arrive so that its values can be kept (apply_step.c). */
    {"GET", "/antraege/:id/schritt/:n", apply_step_page, NULL, 0, 0},
    {"POST", "/antraege/:id/schritt/:n", apply_step_submit, NULL, 0, APPLY_STEP_BODY_LIMIT},
    {"GET", "/antraege/:id/pruefen", apply_review_page, NULL, 0, 0},
    {"POST", "/antraege/:id/absenden", apply_submit, NULL, 0, 0},
    {"GET", "/antraege/:id/eingegangen", apply_received_page, NULL, 0, 0},
    {"GET", "/antraege/:id/quittung.pdf", apply_receipt_pdf, NULL, 0, 0},
    {"GET", "/antraege/:id/dateien/:file_id", apply_file_download, NULL, 0, 0},
    {"GET", "/antraege/:id/loeschen", apply_delete_page, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/antraege/:id/loeschen", apply_delete, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/antraege/:id/zurueckziehen", apply_withdraw_page, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/antraege/:id/zurueckziehen", apply_withdraw, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/api/v1/antraege", apply_api_list, AUTH_SIGNED_IN, ROUTE_API, 0},
    {"GET", "/api/v1/antraege/:id", apply_api_detail, AUTH_SIGNED_IN, ROUTE_API, 0},
};

const module_t applications_module = {
    .name = "applications",
    .title = N_("Meine Anträge"),
    .summary = N_("Ihre Anträge an einem Ort: Entwürfe fortsetzen, den Stand sehen und Nachrichten lesen."),
    .home = "/antraege",
    .nav_permission = AUTH_SIGNED_IN,
    .routes = apply_routes,
    .route_count = sizeof(apply_routes) / sizeof(apply_routes[0]),
};

int apply_init(void)
{
    return account_register_data_provider(&apply_data_provider);
}

/* ---- the start page ------------------------------------------------------------------------ */

typedef struct service_row {
    int64_t id;
    int64_t unit_id;
    int min_trust;
    const char *slug;
    const char *name;
    const char *summary;
    const char *form_key;
    const char *documents; /* JSON array of strings */
} service_row_t;

static const char sql_service[] = "SELECT id, unit_id, min_trust, slug, name, summary, form_key, documents"
                                  " FROM services WHERE slug = $1 AND published = 1";

/* Returns 0, 404 when there is no such service with an online form of ours, 503. */
static int load_service(http_req_t *req, service_row_t *s)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_service, &st) != 0)
        return 503;
    db_bind_text(st, 1, http_param(req, "slug"), -1);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        s->id = db_column_int64(st, 0);
        s->unit_id = db_column_int64(st, 1);
        s->min_trust = (int)db_column_int64(st, 2);
        const char **texts[] = {&s->slug, &s->name, &s->summary, &s->form_key, &s->documents};
        for (int i = 0; i < 5; i++)
            *texts[i] = arena_strdup(req->arena, db_column_text(st, 3 + i) ? db_column_text(st, 3 + i) : "");
    }
    db_reset(st);
    if (rc == DB_DONE || (rc == DB_ROW && !s->form_key[0]))
        return 404;
    return rc == DB_ROW ? 0 : 503;
}

static const char *const trust_names[] = {"", N_("basisregistriert"), N_("substantiell"), N_("hoch")};

static const char sql_drafts_of[] =
    "SELECT id, step, updated_at FROM applications WHERE user_id = $1"
    " AND service_id = $2 AND status = 'entwurf' ORDER BY updated_at DESC, id DESC LIMIT 5";

/* The start page: what the form asks and needs, the trust level, drafts of the
 * same service to continue, and the button that starts a new one. */
static int start_page(http_req_t *req, int status, const service_row_t *s)
{
    int64_t form_id;
    int rc = formdef_newest(req->db, s->form_key, &form_id);
    if (rc != 0)
        return rc == 1 ? 404 : 503;
    int missing;
    json_t *def = formdef_load(req->db, form_id, &missing);
    if (!def)
        return missing ? 404 : 503;
    const char *lang = req->lang;
    json_t *m = apply_model(req, N_("Online-Antrag"));
    json_object_set_new(m, "title",
                        json_string(formdef_text(def, lang, json_string_value(json_object_get(def, "title")))));
    json_object_set_new(m, "service_name", json_string(s->name));
    json_object_set_new(m, "service_slug", json_string(s->slug));
    const char *intro = formdef_text(def, lang, json_string_value(json_object_get(def, "intro")));
    json_object_set_new(m, "intro", json_string(intro ? intro : ""));
    json_t *steps = json_array();
    for (size_t i = 0; i < formdef_step_count(def); i++) {
        const json_t *step = formdef_step(def, i);
        json_array_append_new(steps,
                              json_pack("{s:s,s:b}", "title",
                                        formdef_text(def, lang, json_string_value(json_object_get(step, "title"))),
                                        "conditional", json_object_get(step, "show_if") != NULL));
    }
    json_object_set_new(m, "steps", steps);
    json_t *docs = json_loads(s->documents, 0, NULL);
    json_object_set_new(m, "documents", json_is_array(docs) ? docs : json_array());
    if (!json_is_array(docs))
        json_decref(docs);
    json_decref(def);

    int signed_in = req->user != NULL;
    int trust = signed_in ? req->user->trust_level : 0;
    int need_login = s->min_trust > 0 && !signed_in;
    int need_trust = s->min_trust > 0 && signed_in && trust < s->min_trust;
    json_object_set_new(m, "need_login", json_boolean(need_login));
    json_object_set_new(m, "need_trust", json_boolean(need_trust));
    json_object_set_new(m, "may_start", json_boolean(!need_login && !need_trust));
    json_object_set_new(m, "anonymous_possible", json_boolean(s->min_trust == 0));
    json_object_set_new(m, "offer_anonymous", json_boolean(s->min_trust == 0 && signed_in));
    int level = s->min_trust < 0 ? 0 : s->min_trust > 3 ? 3 : s->min_trust;
    json_object_set_new(m, "needed", json_string(i18n_translate(lang, trust_names[level])));
    json_object_set_new(m, "current",
                        json_string(i18n_translate(lang, trust_names[trust < 0   ? 0
                                                                     : trust > 3 ? 3
                                                                                 : trust])));
    json_object_set_new(m, "substantial", json_boolean(s->min_trust == TRUST_SUBSTANTIAL));
    json_object_set_new(m, "high", json_boolean(s->min_trust >= TRUST_HIGH));
    json_object_set_new(m, "action", json_string(arena_printf(req->arena, "/leistungen/%s/antrag", s->slug)));
    json_object_set_new(m, "login_href",
                        json_string(auth_login_url(req, arena_printf(req->arena, "/leistungen/%s/antrag", s->slug))));

    json_t *drafts = json_array();
    if (signed_in) {
        db_stmt_t *st;
        if (db_prepare(req->db, sql_drafts_of, &st) != 0) {
            json_decref(drafts);
            json_decref(m);
            return 503;
        }
        db_bind_int64(st, 1, req->user->id);
        db_bind_int64(st, 2, s->id);
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t id = db_column_int64(st, 0);
            json_array_append_new(drafts,
                                  json_pack("{s:s,s:s}", "href",
                                            arena_printf(req->arena, "/antraege/%lld/schritt/%lld", (long long)id,
                                                         (long long)db_column_int64(st, 1) + 1),
                                            "updated", application_date(req->arena, db_column_int64(st, 2), 1)));
        }
        db_reset(st);
        if (rc != DB_DONE) {
            json_decref(drafts);
            json_decref(m);
            return 503;
        }
    }
    json_object_set_new(m, "drafts", drafts);
    return http_render(req, status, "services/apply/start", m);
}

int apply_start_page(http_req_t *req)
{
    service_row_t s = {0};
    int rc = load_service(req, &s);
    return rc ? rc : start_page(req, 200, &s);
}

static const char sql_create[] =
    "INSERT INTO applications (service_id, form_id, unit_id, user_id, status, step, data, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, 'entwurf', $5, $6, $7, $7) RETURNING id";

int apply_start(http_req_t *req)
{
    service_row_t s = {0};
    int rc = load_service(req, &s);
    if (rc)
        return rc;
    if (s.min_trust > 0 && !req->user)
        return apply_login_redirect(req, arena_printf(req->arena, "/leistungen/%s/antrag", s.slug)) == HTTP_ANSWERED
                   ? 0
                   : 500;
    if (s.min_trust > 0 && req->user->trust_level < s.min_trust)
        return start_page(req, 403, &s); /* explains how to reach the level */
    int anonymous = s.min_trust == 0 && (!req->user || http_form(req, "anonym"));

    int64_t form_id;
    rc = formdef_newest(req->db, s.form_key, &form_id);
    if (rc != 0)
        return rc == 1 ? 404 : 503;
    int missing;
    json_t *def = formdef_load(req->db, form_id, &missing);
    if (!def)
        return missing ? 404 : 503;
    json_t *answers = json_object();
    if (!anonymous) {
        /* Once-only: what "Meine Daten" knows is offered in the form. */
        json_t *profile = account_profile_json(req->db, req->user->id);
        if (!profile) {
            json_decref(answers);
            json_decref(def);
            return 503;
        }
        json_object_set_new(profile, "email", json_string(req->user->email ? req->user->email : ""));
        formdef_prefill(def, profile, answers);
        json_decref(profile);
    }
    char today[11];
    formdef_today(today);
    formdef_state_t *state = arena_alloc(req->arena, sizeof(*state));
    formdef_state_init(state, def, answers, today);
    int first = formdef_next_step(state, -1, +1);
    if (first < 0)
        first = 0;
    char *data = json_dumps(answers, JSON_COMPACT);
    json_decref(answers);
    json_decref(def);
    if (!data)
        return 503;

    int64_t now = (int64_t)time(NULL), id = 0;
    db_stmt_t *st;
    int ok = db_begin_write(req->db) == 0 && db_prepare(req->db, sql_create, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, s.id);
        db_bind_int64(st, 2, form_id);
        db_bind_int64(st, 3, s.unit_id);
        if (anonymous)
            db_bind_null(st, 4);
        else
            db_bind_int64(st, 4, req->user->id);
        db_bind_int64(st, 5, first);
        db_bind_text(st, 6, data, -1);
        db_bind_int64(st, 7, now);
        ok = db_step(st) == DB_ROW;
        if (ok)
            id = db_column_int64(st, 0);
        db_reset(st);
    }
    free(data);
    if (ok && anonymous)
        ok = apply_token_bind(req, id) == 0;
    if (!ok || db_commit(req->db) != 0) {
        db_rollback(req->db);
        log_kv(LOG_ERROR, "draft not created", "error", db_errmsg(req->db), "request_id", req->request_id, NULL);
        return 503;
    }
    /* After the commit, on its own: a failure here must not cost the new draft. */
    if (anonymous)
        apply_housekeeping(req->db, now);
    return http_redirect(req, 303, arena_printf(req->arena, "/antraege/%lld/schritt/%d", (long long)id, first + 1));
}
