/* moderation_report.c — residents report a contribution to the moderation.
 *
 *   GET  /beteiligung/melden?art=kommentar&id=5   the form (or "you reported it")
 *   POST /beteiligung/melden                      art, id, grund, text
 *
 * Any signed-in person may report a proposal or comment they can see, once per
 * contribution (the unique key of participation_reports makes a second report,
 * also one sent at the same moment, impossible). A report passes the same gate
 * as a contribution (participation_may_contribute, kind "report"), so blocked or
 * unconfirmed accounts cannot flood the queue. Open reports put the contribution
 * into the moderation queue (moderation_queue.c).
 */
#include <string.h>

#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"
#include "view/i18n.h"
#include "web/auth.h"

/* The reasons a report may give (value, label). */
static const struct {
    const char *value;
    const char *label;
} categories[] = {
    {"beleidigung", N_("Beleidigung oder Hetze")},
    {"spam", N_("Werbung oder Spam")},
    {"datenschutz", N_("Persönliche Daten anderer Menschen")},
    {"sonstiges", N_("Anderer Grund")},
};
#define CATEGORY_COUNT (sizeof(categories) / sizeof(categories[0]))

const char *moderation_category_label(const char *value)
{
    for (size_t i = 0; i < CATEGORY_COUNT; i++)
        if (value && !strcmp(categories[i].value, value))
            return categories[i].label;
    return NULL;
}

static const char sql_reported_at[] =
    "SELECT created_at FROM participation_reports WHERE target_kind = $1 AND target_id = $2 AND reporter_id = $3";
static const char sql_insert[] =
    "INSERT INTO participation_reports (target_kind, target_id, reporter_id, category, text, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (target_kind, target_id, reporter_id) DO NOTHING RETURNING id";

/* What the form is about, loaded and checked: the contribution must be one the
 * reporter can see (a public process, published, not held back). */
typedef struct target {
    const char *kind; /* proposal | comment */
    const char *word; /* vorschlag | kommentar */
    int64_t id;
    processes_contribution_t c;
} target_t;

/* 0 with t filled; else the HTTP status to answer (404, 503). */
static int load_target(http_req_t *req, const char *word, const char *id_text, target_t *t)
{
    memset(t, 0, sizeof(*t));
    t->kind = moderation_kind(word);
    t->id = moderation_parse_id(id_text);
    if (!t->kind || t->id <= 0)
        return 404;
    t->word = moderation_kind_word(t->kind);
    int rc = processes_contribution(req->db, req->arena, t->kind, t->id, &t->c);
    if (rc < 0)
        return 503;
    if (rc != 0)
        return 404;
    int visible = processes_visibility(req->db, t->c.process_id);
    if (visible < 0)
        return 503;
    /* A draft's contributions and held-back ones are not public: nothing to report. */
    if (visible != 1 || (t->c.held && t->c.author_id != req->user->id))
        return 404;
    return 0;
}

/* 1 when the user reported it already (*when set), 0 if not, < 0 on error. */
static int reported_at(http_req_t *req, const target_t *t, int64_t *when)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_reported_at, &st) != 0)
        return -1;
    db_bind_text(st, 1, t->kind, -1);
    db_bind_int64(st, 2, t->id);
    db_bind_int64(st, 3, req->user->id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *when = db_column_int64(st, 0);
    db_reset(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Renders the page: the contribution quoted, then the form (values kept), or the
 * state that makes a form pointless. */
static int render(http_req_t *req, int status, const target_t *t, const char *category, const char *text, json_t *model)
{
    json_t *item = json_object();
    json_object_set_new(
        item, "kind_label",
        json_string(moderation_tr(req, !strcmp(t->kind, "proposal") ? N_("Vorschlag") : N_("Kommentar"))));
    json_object_set_new(item, "heading", json_string(t->c.title));
    const char *html = participation_markdown(req->arena, t->c.text);
    if (html)
        json_object_set_new(item, "text_html", json_string(html)); /* safe: participation_markdown's contract */
    json_object_set_new(item, "url", json_string(t->c.url));
    json_object_set_new(model, "item", item);
    json_object_set_new(model, "back", json_string(t->c.url));

    int64_t when = 0;
    int already = reported_at(req, t, &when);
    if (already < 0) {
        json_decref(model);
        return 503;
    }
    if (t->c.hidden) {
        json_object_set_new(
            model, "state",
            json_string(moderation_tr(req, N_("Die Moderation hat diesen Beitrag bereits ausgeblendet."))));
    } else if (t->c.author_id == req->user->id) {
        json_object_set_new(
            model, "state",
            json_string(moderation_tr(req, N_("Das ist Ihr eigener Beitrag. Sie können ihn nicht melden."))));
    } else if (already) {
        json_object_set_new(model, "state",
                            json_string(moderation_tr(
                                req, N_("Sie haben diesen Beitrag gemeldet. Die Moderation prüft ihn. Vielen Dank!"))));
        json_object_set_new(model, "reported_at", json_string(moderation_format_time(req->arena, when)));
    } else {
        json_t *form = json_object();
        json_object_set_new(form, "kind", json_string(t->word));
        json_object_set_new(form, "id", json_integer(t->id));

        json_t *reason = http_field("grund", moderation_tr(req, N_("Warum melden Sie diesen Beitrag?")), "", NULL);
        json_t *options = json_array();
        for (size_t i = 0; i < CATEGORY_COUNT; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "value", json_string(categories[i].value));
            json_object_set_new(o, "label", json_string(moderation_tr(req, categories[i].label)));
            json_object_set_new(o, "selected", json_boolean(category && !strcmp(category, categories[i].value)));
            json_array_append_new(options, o);
        }
        json_object_set_new(reason, "options", options);
        json_t *errors = json_object_get(model, "errors");
        for (size_t i = 0; i < json_array_size(errors); i++) {
            json_t *e = json_array_get(errors, i);
            if (!strcmp(json_string_value(json_object_get(e, "id")), "feld-grund"))
                json_object_set(reason, "error", json_object_get(e, "message"));
        }
        json_object_set_new(form, "reason", reason);

        json_t *note = http_field("text", moderation_tr(req, N_("Was sollte die Moderation noch wissen? (freiwillig)")),
                                  text ? text : "", NULL);
        json_object_set_new(note, "hint",
                            /* clang-format off */
                            json_string(moderation_tr(req, N_("Höchstens 1.000 Zeichen. Die Person, die den Beitrag geschrieben hat, sieht Ihre Meldung nicht."))));
        /* clang-format on */
        json_object_set_new(note, "rows", json_integer(4));
        for (size_t i = 0; i < json_array_size(errors); i++) {
            json_t *e = json_array_get(errors, i);
            if (!strcmp(json_string_value(json_object_get(e, "id")), "feld-text"))
                json_object_set(note, "error", json_object_get(e, "message"));
        }
        json_object_set_new(form, "note", note);
        json_object_set_new(model, "form", form);
    }
    return http_render(req, status, "participation/moderation/report", model);
}

int moderation_report_form(http_req_t *req)
{
    target_t t;
    int rc = load_target(req, http_query(req, "art"), http_query(req, "id"), &t);
    if (rc != 0)
        return rc;
    return render(req, 200, &t, NULL, NULL, moderation_model(req, N_("Beitrag melden")));
}

int moderation_report_submit(http_req_t *req)
{
    target_t t;
    int rc = load_target(req, http_form(req, "art"), http_form(req, "id"), &t);
    if (rc != 0)
        return rc;
    const char *category = http_form(req, "grund");
    const char *text = http_form(req, "text");
    if (!text)
        text = "";
    json_t *model = moderation_model(req, N_("Beitrag melden"));
    if (!moderation_category_label(category))
        moderation_add_error(req, model, "feld-grund", N_("Bitte wählen Sie aus, warum Sie den Beitrag melden."));
    if (utf8_length(text, strlen(text)) > MODERATION_REPORT_TEXT_MAX)
        moderation_add_error(req, model, "feld-text",
                             N_("Ihr Hinweis ist zu lang. Bitte schreiben Sie höchstens 1.000 Zeichen."));
    if (json_array_size(json_object_get(model, "errors")) > 0)
        return render(req, 422, &t, category, text, model);

    /* Nothing to do for one's own, a hidden, or an already reported contribution:
     * the page explains which. */
    int64_t when = 0;
    int already = reported_at(req, &t, &when);
    if (already < 0) {
        json_decref(model);
        return 503;
    }
    if (already || t.c.hidden || t.c.author_id == req->user->id)
        return render(req, 409, &t, category, text, model);

    const char *message = NULL;
    int gate = participation_may_contribute(req, "report", &message);
    if (gate < 0) {
        json_decref(model);
        return 503;
    }
    if (gate != CONTRIBUTE_OK) {
        json_object_set_new(model, "refusal", json_string(moderation_tr(req, message)));
        return render(req, gate == CONTRIBUTE_RATE ? 429 : 403, &t, category, text, model);
    }
    json_decref(model);

    db_stmt_t *st;
    if (db_prepare(req->db, sql_insert, &st) != 0)
        return 503;
    db_bind_text(st, 1, t.kind, -1);
    db_bind_int64(st, 2, t.id);
    db_bind_int64(st, 3, req->user->id);
    db_bind_text(st, 4, category, -1);
    db_bind_text(st, 5, text, -1);
    db_bind_int64(st, 6, moderation_now());
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return 503;
    /* A report sent twice at the same moment finds the first one: the same page. */
    return http_redirect(req, 303,
                         arena_printf(req->arena, "/beteiligung/melden?art=%s&id=%lld", t.word, (long long)t.id));
}
