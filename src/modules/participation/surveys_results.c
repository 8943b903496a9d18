/* surveys_results.c — what a survey found: the results page (per choice or
 * rating question an SVG chart and a table with counts and percentages, a
 * rating's mean, the free texts), the two CSV files (the aggregated results,
 * and one row per answer set), the JSON API, and the moderation's hiding of a
 * free-text answer ("Von der Moderation ausgeblendet: <Grund>").
 *
 * Everyone sees the results once the survey is closed, or while it runs when
 * the survey says so; staff of the process and moderators always. Percentages
 * are of the answer sets that answered the question (a multiple choice
 * question's add up to more than 100 %). The answers file leaves out who
 * answered; hidden free texts appear in it only for staff.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/surveys_internal.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char *tr(const http_req_t *req, const char *msgid)
{
    return surveys_tr(req, msgid);
}

static int may_moderate(const http_req_t *req)
{
    return req->user && auth_has_permission(req, PERM_MODERATE);
}

/* The process and survey of the address, with the results visible to the viewer:
 * 0, or what to return. */
static int results_of_request(http_req_t *req, survey_process_t *p, survey_t *s)
{
    int rc = surveys_process_of_request(req, 0, p);
    if (rc == 0)
        rc = surveys_of_request(req, p, s);
    if (rc != 0)
        return rc;
    if (!surveys_results_public(s, surveys_now()) && !p->manage && !may_moderate(req))
        return surveys_fail(req, 403,
                            N_("Die Ergebnisse dieser Umfrage werden veröffentlicht, sobald die Umfrage beendet ist."));
    return 0;
}

static const survey_choice_t results_notices[] = {
    {"ausgeblendet", N_("Die Antwort ist ausgeblendet. Der Grund steht an ihrer Stelle.")},
    {"eingeblendet", N_("Die Antwort ist wieder sichtbar.")},
};

/* The results page; error_answer: the free text whose hiding form has the
 * mistake error (a msgid), with the reason typed kept. */
static int render_results(http_req_t *req, const survey_process_t *p, survey_t *s, int status, int64_t error_answer,
                          const char *reason, const char *error)
{
    if (surveys_tally(req->db, req->arena, s, 1) != 0)
        return 503;
    int64_t now = surveys_now();
    int moderate = may_moderate(req);
    json_t *results = surveys_results_json(req->arena, req->lang, s, 1, p->manage || moderate);
    json_t *item = surveys_item_json(req, p, s, now);
    const char *url = json_string_value(json_object_get(item, "url"));
    /* The moderation's forms next to each free text. */
    json_t *questions = json_object_get(results, "questions"), *q;
    size_t i;
    json_array_foreach(questions, i, q)
    {
        json_t *texts = json_object_get(q, "texts"), *t;
        size_t k;
        json_array_foreach(texts, k, t)
        {
            json_int_t id = json_integer_value(json_object_get(t, "id"));
            if (moderate) {
                int hidden = json_is_true(json_object_get(t, "hidden"));
                json_object_set_new(t, "action",
                                    json_sprintf("%s/antworten/%" JSON_INTEGER_FORMAT "/%s", url, id,
                                                 hidden ? "einblenden" : "ausblenden"));
                json_object_set_new(t, "field_id", json_sprintf("grund-%" JSON_INTEGER_FORMAT, id));
                if (id == error_answer) {
                    json_object_set_new(t, "reason_value", json_string(reason ? reason : ""));
                    json_object_set_new(t, "error", json_string(tr(req, error)));
                }
            }
        }
        if (json_integer_value(json_object_get(q, "answered")) > (json_int_t)json_array_size(texts) &&
            json_is_true(json_object_get(q, "is_text")))
            json_object_set_new(q, "more_in_csv", json_true());
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", tr(req, N_("Ergebnisse")), s->title));
    json_object_set_new(m, "survey", item);
    json_object_set_new(m, "process", surveys_process_json(p));
    json_object_set_new(m, "results", results);
    json_object_set_new(m, "live", json_boolean(surveys_state(s, now) != SURVEY_CLOSED));
    json_object_set_new(m, "may_manage", json_boolean(p->manage));
    json_object_set_new(m, "may_moderate", json_boolean(moderate));
    json_object_set_new(m, "csv_results", json_sprintf("%s/ergebnisse.csv", url));
    json_object_set_new(m, "csv_answers", json_sprintf("%s/antworten.csv", url));
    if (error_answer) {
        json_t *errors = json_array();
        surveys_add_error(errors, arena_printf(req->arena, "grund-%" PRId64, error_answer), tr(req, error));
        json_object_set_new(m, "errors", errors);
    }
    json_t *notice =
        surveys_notice(req, results_notices, sizeof results_notices / sizeof results_notices[0], "success");
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, status, "participation/surveys/results", m);
}

/* GET /beteiligung/verfahren/:id/umfragen/:sid/ergebnisse */
int surveys_results_page(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = results_of_request(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    return render_results(req, &p, &s, 200, 0, NULL, NULL);
}

/* ---- CSV ------------------------------------------------------------------------------------------- */

static int send_csv(http_req_t *req, const buf_t *b, const char *filename)
{
    http_add_header(req, "content-disposition", arena_printf(req->arena, "attachment; filename=\"%s\"", filename));
    http_add_header(req, "cache-control", "no-cache");
    return http_send(req, 200, "text/csv; charset=utf-8; header=present", b->data ? b->data : "", b->len);
}

/* GET /beteiligung/verfahren/:id/umfragen/:sid/ergebnisse.csv */
int surveys_results_csv(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = results_of_request(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    if (surveys_tally(req->db, req->arena, &s, 0) != 0)
        return 503;
    buf_t b;
    buf_init(&b, req->arena, 4096, SURVEY_CSV_MAX);
    if (surveys_csv_results(&b, &s) != 0)
        return http_error(req, 503, N_("Die Ergebnisse sind zu groß für eine CSV-Datei."));
    return send_csv(req, &b, arena_printf(req->arena, "umfrage-%" PRId64 "-ergebnisse.csv", s.id));
}

/* GET /beteiligung/verfahren/:id/umfragen/:sid/antworten.csv */
int surveys_answers_csv_download(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = results_of_request(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    buf_t b;
    buf_init(&b, req->arena, 64 * 1024, SURVEY_CSV_MAX);
    rc = surveys_answers_csv(req->db, req->arena, &s, p.manage, &b);
    if (rc == BUF_ETOOBIG)
        return http_error(
            req, 503, N_("Die Antworten sind zu viele für eine CSV-Datei. Bitte wenden Sie sich an die Verwaltung."));
    if (rc != 0)
        return 503;
    return send_csv(req, &b, arena_printf(req->arena, "umfrage-%" PRId64 "-antworten.csv", s.id));
}

/* ---- hiding a free text --------------------------------------------------------------------------------- */

static int hide_or_show(http_req_t *req, int hide)
{
    survey_process_t p;
    survey_t s;
    int rc = results_of_request(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    int64_t aid = surveys_param_id(req, "aid");
    const char *reason = NULL;
    if (hide) {
        reason = surveys_trim(req->arena, http_form(req, "grund"));
        size_t n = surveys_chars(reason);
        const char *error = n == 0 ? N_("Bitte geben Sie einen Grund an. Er wird an Stelle der Antwort gezeigt.")
                            : n > SURVEY_HIDE_REASON_MAX
                                ? N_("Der Grund ist zu lang. Bitte verwenden Sie höchstens 500 Zeichen.")
                                : NULL;
        if (error && aid)
            return render_results(req, &p, &s, 422, aid, reason, error);
    }
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = aid ? surveys_store_hide(req->db, s.id, aid, reason, req->user->id, surveys_now()) : 1;
    if (rc == 0) {
        json_t *detail = json_pack("{s:I,s:s}", "survey", (json_int_t)s.id, "reason", reason ? reason : "");
        char *text = json_dumps(detail, JSON_COMPACT);
        json_decref(detail);
        rc = text ? audit_log(req->db, surveys_actor(req),
                              hide ? "participation.survey_answer.hide" : "participation.survey_answer.unhide",
                              arena_printf(req->arena, "survey_answer:%" PRId64, aid), text, req->client_ip,
                              req->request_id)
                  : -1;
        free(text);
    }
    if (rc != 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return rc == 1 ? http_error(req, 404, N_("Diese Antwort gibt es nicht.")) : 503;
    }
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/umfragen/%" PRId64
                                      "/ergebnisse?hinweis=%s#antwort-%" PRId64,
                                      p.id, s.id, hide ? "ausgeblendet" : "eingeblendet", aid));
}

/* POST …/umfragen/:sid/antworten/:aid/ausblenden */
int surveys_hide(http_req_t *req)
{
    return hide_or_show(req, 1);
}
/* POST …/umfragen/:sid/antworten/:aid/einblenden */
int surveys_unhide(http_req_t *req)
{
    return hide_or_show(req, 0);
}

/* ---- JSON ------------------------------------------------------------------------------------------------ */

/* A survey for the API: times as Unix seconds and as days. */
static json_t *api_survey(http_req_t *req, const survey_process_t *p, const survey_t *s, int64_t now)
{
    survey_state_t st = surveys_state(s, now);
    int public = surveys_results_public(s, now);
    json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:I,s:s,s:s,s:I,s:b,s:b}", "id", (json_int_t)s->id, "title", s->title,
                          "state", surveys_state_name(st), "opens_at", (json_int_t)s->opens_at, "closes_at",
                          (json_int_t)(s->closed_at && s->closed_at < s->closes_at ? s->closed_at : s->closes_at),
                          "first_day", surveys_iso_day(req->arena, s->opens_at), "last_day",
                          surveys_iso_day(req->arena, s->closes_at - 1), "responses", (json_int_t)s->response_count,
                          "live_results", s->live_results, "results_public", public);
    const char *url = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/umfragen/%" PRId64, p->id, s->id);
    json_object_set_new(o, "url", json_string(url));
    if (public || p->manage) {
        json_object_set_new(o, "results_url", json_sprintf("/api/v1%s/ergebnisse", url));
        json_object_set_new(o, "results_csv", json_sprintf("%s/ergebnisse.csv", url));
        json_object_set_new(o, "answers_csv", json_sprintf("%s/antworten.csv", url));
    }
    return o;
}

/* GET /api/v1/beteiligung/verfahren/:id/umfragen */
int surveys_api_list(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc != 0)
        return surveys_status(rc);
    survey_t *list;
    size_t n;
    if (surveys_list(req->db, req->arena, p.id, p.manage, &list, &n) != 0)
        return 503;
    int64_t now = surveys_now();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, api_survey(req, &p, &list[i], now));
    json_t *m = json_object();
    json_object_set_new(m, "process", surveys_process_json(&p));
    json_object_set_new(m, "surveys", items);
    return http_json(req, 200, m);
}

/* GET /api/v1/beteiligung/verfahren/:id/umfragen/:sid/ergebnisse */
int surveys_api_results(http_req_t *req)
{
    survey_process_t p;
    survey_t s;
    int rc = results_of_request(req, &p, &s);
    if (rc != 0)
        return surveys_status(rc);
    if (surveys_tally(req->db, req->arena, &s, 1) != 0)
        return 503;
    json_t *m = json_object();
    json_object_set_new(m, "survey", api_survey(req, &p, &s, surveys_now()));
    json_object_set_new(m, "results", surveys_results_json(req->arena, req->lang, &s, 0, 0));
    return http_json(req, 200, m);
}
