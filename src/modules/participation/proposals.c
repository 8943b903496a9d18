/* proposals.c — the proposals of a participation process: the list (sorted,
 * filtered, paged by keyset), a proposal's page with its status, the official
 * answer, its supports and its discussion, and the forms to propose, to edit
 * one's own proposal for a short while, and to support.
 *
 * Every contribution passes participation_may_contribute (moderation.c: signed
 * in, confirmed, not blocked, within the rate limits) after its input was found
 * valid, so a form with mistakes costs no rate; and participation_held_by_words
 * decides whether it waits for the moderation (visible only to its author,
 * "wird geprüft"). Forms keep what the person typed on every error.
 */
#include <inttypes.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/processes.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

static int64_t viewer(const http_req_t *req)
{
    return req->user ? req->user->id : 0;
}

static int may_manage(const http_req_t *req, const process_t *p)
{
    if (!req->user)
        return 0;
    /* A process without a unit: only who holds the permission everywhere. */
    return auth_has_permission_in_unit(req, PERM_PROCESSES, p->unit_id);
}

static int load_process(http_req_t *req, process_t *p)
{
    long id = processes_number(http_param(req, "id"), -1, 1, 999999999999L);
    return processes_load_visible(req, id, p);
}

/* The proposal of the address (:pid) as the viewer may see it: 0, or the status answered. */
static int load_proposal(http_req_t *req, const process_t *p, proposal_t *out)
{
    long pid = processes_number(http_param(req, "pid"), -1, 1, 999999999999L);
    int rc = pid < 1 ? 1 : processes_proposal_load(req->db, req->arena, p->id, pid, viewer(req), out);
    if (rc < 0)
        return 503;
    /* A held proposal exists only for its author until the moderation releases it. */
    if (rc == 1 || (out->held && out->author_id != viewer(req)))
        return processes_fail(req, 404, N_("Diesen Vorschlag gibt es nicht."));
    return 0;
}

/* The status to answer and the message for a refusal of the gate. */
static int refusal_status(int why)
{
    return why == CONTRIBUTE_RATE ? 429 : 403;
}

/* ---- GET /beteiligung/verfahren/:id/vorschlaege ------------------------------------------------- */

/* The list's address with the filter and one cursor parameter (arena). */
static const char *list_url(http_req_t *req, int64_t process_id, int sort, const char *status, const char *param,
                            const char *cursor)
{
    const char *s = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/vorschlaege?sortierung=%s", process_id,
                                 processes_sorts[sort].value);
    if (status)
        s = arena_printf(req->arena, "%s&status=%s", s, status);
    if (param)
        s = arena_printf(req->arena, "%s&%s=%s", s, param, cursor);
    return s;
}

int proposals_list_page(http_req_t *req)
{
    process_t p;
    int rc = load_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    const char *sort_word = http_query(req, "sortierung");
    int sort = sort_word && *sort_word ? processes_choice_index(processes_sorts, processes_sort_count, sort_word) : 0;
    const char *status = http_query(req, "status");
    if (status && !*status)
        status = NULL;
    if (sort < 0 ||
        (status && processes_choice_index(processes_proposal_statuses, processes_proposal_status_count, status) < 0))
        return http_error(req, 400,
                          N_("Diese Sortierung oder diesen Status gibt es nicht. Bitte wählen Sie aus der Liste."));
    proposal_query_t q = {
        .process_id = p.id, .sort = sort, .status = status, .viewer_id = viewer(req), .limit = PROPOSALS_PAGE};
    const char *after = http_query(req, "nach"), *before = http_query(req, "vor");
    const char *cursor = after ? after : before;
    if (cursor) {
        if (processes_cursor_parse(cursor, sort != 0, &q.key, &q.id) != 0)
            return http_error(req, 400,
                              N_("Diese Seite der Liste gibt es nicht. Bitte beginnen Sie auf der ersten Seite."));
        q.has_cursor = 1;
        q.backwards = !after;
    }
    proposal_t *rows;
    size_t n;
    int more;
    int64_t counts[8], total = 0;
    if (processes_proposal_page(req->db, req->arena, &q, &rows, &n, &more) != 0 ||
        processes_status_counts(req->db, p.id, counts, &total) != 0)
        return 503;

    int64_t now = processes_now();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, processes_proposal_json(req->arena, &rows[i], req->lang, viewer(req), 0));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", tr(req, N_("Vorschläge")), p.title));
    json_object_set_new(m, "process", processes_process_json(req->arena, &p, req->lang, now));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "total", json_integer(total));
    json_object_set_new(m, "one", json_boolean(total == 1));
    /* Filter and sort: a GET form, so it works without JavaScript and can be bookmarked. */
    json_t *sorts = json_array(), *statuses = json_array();
    for (size_t i = 0; i < processes_sort_count; i++)
        json_array_append_new(sorts, json_pack("{s:s,s:s,s:b}", "value", processes_sorts[i].value, "label",
                                               tr(req, processes_sorts[i].label), "selected", (int)i == sort));
    json_array_append_new(statuses, json_pack("{s:s,s:s,s:b}", "value", "", "label",
                                              arena_printf(req->arena, "%s (%" PRId64 ")", tr(req, N_("Alle")), total),
                                              "selected", status == NULL));
    for (size_t i = 0; i < processes_proposal_status_count; i++)
        json_array_append_new(statuses,
                              json_pack("{s:s,s:s,s:b}", "value", processes_proposal_statuses[i].value, "label",
                                        arena_printf(req->arena, "%s (%" PRId64 ")",
                                                     tr(req, processes_proposal_statuses[i].label), counts[i]),
                                        "selected", status && !strcmp(status, processes_proposal_statuses[i].value)));
    json_object_set_new(m, "sorts", sorts);
    json_object_set_new(m, "statuses", statuses);
    json_object_set_new(m, "filtered", json_boolean(status != NULL));
    if (status) {
        int si = processes_choice_index(processes_proposal_statuses, processes_proposal_status_count, status);
        json_object_set_new(m, "filter_count", json_integer(counts[si]));
        json_object_set_new(m, "filter_label", json_string(tr(req, processes_proposal_statuses[si].label)));
    }
    /* Keyset paging: "nach" the last row of this page, "vor" its first row. */
    int has_next = q.backwards ? 1 : more;
    int has_prev = q.backwards ? more : q.has_cursor;
    if (n > 0 && has_next)
        json_object_set_new(
            m, "next",
            json_string(list_url(
                req, p.id, sort, status, "nach",
                processes_cursor(req->arena, sort != 0, processes_sort_key(&rows[n - 1], sort), rows[n - 1].id))));
    if (n > 0 && has_prev)
        json_object_set_new(m, "prev",
                            json_string(list_url(req, p.id, sort, status, "vor",
                                                 processes_cursor(req->arena, sort != 0,
                                                                  processes_sort_key(&rows[0], sort), rows[0].id))));
    if (q.has_cursor)
        json_object_set_new(m, "first", json_string(list_url(req, p.id, sort, status, NULL, NULL)));
    const char *closed = processes_closed_reason(&p, COMPONENT_PROPOSALS, now);
    json_object_set_new(m, "may_propose", json_boolean(closed == NULL));
    if (closed && json_is_true(json_object_get(json_object_get(m, "process"), "has_proposals")))
        json_object_set_new(m, "closed", json_string(tr(req, closed)));
    json_object_set_new(m, "may_manage", json_boolean(may_manage(req, &p)));
    return http_render(req, 200, "participation/processes/proposals", m);
}

/* ---- the proposal form ------------------------------------------------------------------------------- */

typedef struct proposal_form {
    const char *title, *body;
    const char *title_error, *body_error; /* msgids */
    const char *refusal;                  /* msgid of the gate's refusal */
} proposal_form_t;

static void read_form(http_req_t *req, proposal_form_t *f)
{
    memset(f, 0, sizeof *f);
    f->title = processes_trim(req->arena, http_form(req, "titel"));
    f->body = processes_trim(req->arena, http_form(req, "text"));
    size_t tl = processes_chars(f->title), bl = processes_chars(f->body);
    if (tl == 0)
        f->title_error = N_("Bitte geben Sie Ihrem Vorschlag einen Titel.");
    else if (tl < PROPOSAL_TITLE_MIN)
        f->title_error = N_("Der Titel ist zu kurz. Bitte verwenden Sie mindestens 5 Zeichen.");
    else if (tl > PROPOSAL_TITLE_MAX)
        f->title_error = N_("Der Titel ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen.");
    if (bl == 0)
        f->body_error = N_("Bitte beschreiben Sie Ihren Vorschlag.");
    else if (bl < PROPOSAL_BODY_MIN)
        f->body_error = N_("Die Beschreibung ist zu kurz. Bitte verwenden Sie mindestens 15 Zeichen.");
    else if (bl > PROPOSAL_BODY_MAX)
        f->body_error = N_("Die Beschreibung ist zu lang. Bitte verwenden Sie höchstens 10.000 Zeichen.");
}

/* The form page: new (pid 0) or editing proposal pid. */
static int render_form(http_req_t *req, const process_t *p, int64_t pid, const proposal_form_t *f, int status)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(tr(req, pid ? N_("Vorschlag bearbeiten") : N_("Vorschlag machen"))));
    json_object_set_new(m, "process", processes_process_json(req->arena, p, req->lang, processes_now()));
    json_object_set_new(m, "editing", json_boolean(pid != 0));
    json_object_set_new(
        m, "action",
        pid ? json_sprintf("/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64 "/bearbeiten", p->id, pid)
            : json_sprintf("/beteiligung/verfahren/%" PRId64 "/vorschlaege", p->id));
    json_object_set_new(m, "back",
                        pid ? json_sprintf("/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64, p->id, pid)
                            : json_sprintf("/beteiligung/verfahren/%" PRId64 "/vorschlaege", p->id));
    json_object_set_new(m, "author", json_string(req->user && req->user->display_name ? req->user->display_name : ""));
    json_t *errors = json_array();
    json_t *title =
        http_field("titel", tr(req, N_("Titel")), f->title, f->title_error ? tr(req, f->title_error) : NULL);
    json_object_set_new(title, "hint",
                        json_string(tr(req, N_("Worum geht es? Ein kurzer Satz, höchstens 200 Zeichen."))));
    json_object_set_new(title, "maxlength", json_integer(PROPOSAL_TITLE_MAX));
    json_object_set_new(title, "required", json_true());
    json_t *body =
        http_field("text", tr(req, N_("Ihr Vorschlag")), f->body, f->body_error ? tr(req, f->body_error) : NULL);
    json_object_set_new(
        body, "hint",
        json_string(tr(
            req,
            N_("Was schlagen Sie vor, und warum? Höchstens 10.000 Zeichen. Sie können Markdown verwenden, zum Beispiel *kursiv*, **fett** oder Listen mit „-“."))));
    json_object_set_new(body, "maxlength", json_integer(PROPOSAL_BODY_MAX));
    json_object_set_new(body, "rows", json_integer(12));
    json_object_set_new(body, "required", json_true());
    if (f->refusal)
        processes_add_error(errors, "feld-titel", tr(req, f->refusal));
    if (f->title_error)
        processes_add_error(errors, "feld-titel", tr(req, f->title_error));
    if (f->body_error)
        processes_add_error(errors, "feld-text", tr(req, f->body_error));
    json_object_set_new(m, "f_title", title);
    json_object_set_new(m, "f_body", body);
    if (json_array_size(errors))
        json_object_set_new(m, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "participation/processes/proposal_form", m);
}

/* GET /beteiligung/verfahren/:id/vorschlaege/neu */
int proposals_new_page(http_req_t *req)
{
    process_t p;
    int rc = load_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    const char *closed = processes_closed_reason(&p, COMPONENT_PROPOSALS, processes_now());
    if (closed)
        return processes_status(processes_fail(req, 409, closed));
    proposal_form_t f = {.title = "", .body = ""};
    return render_form(req, &p, 0, &f, 200);
}

/* Asks the moderation's gate; on a refusal fills f->refusal and returns the status. */
static int gate(http_req_t *req, const char *kind, proposal_form_t *f)
{
    const char *message = NULL;
    int why = participation_may_contribute(req, kind, &message);
    if (why < 0)
        return 503;
    if (why == CONTRIBUTE_OK)
        return 0;
    f->refusal = message ? message : N_("Sie können im Moment keinen Beitrag schreiben.");
    return refusal_status(why);
}

/* Whether title and body hit the word list: 1 held, 0 not, < 0 error. */
static int held_by_words(http_req_t *req, const char *title, const char *body)
{
    return participation_held_by_words(req->db, arena_printf(req->arena, "%s\n%s", title, body));
}

/* POST /beteiligung/verfahren/:id/vorschlaege */
int proposals_create(http_req_t *req)
{
    process_t p;
    int rc = load_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    int64_t now = processes_now();
    const char *closed = processes_closed_reason(&p, COMPONENT_PROPOSALS, now);
    if (closed)
        return processes_status(processes_fail(req, 409, closed));
    proposal_form_t f;
    read_form(req, &f);
    if (f.title_error || f.body_error)
        return render_form(req, &p, 0, &f, 422);
    rc = gate(req, "proposal", &f);
    if (rc == 503)
        return processes_status(rc);
    if (rc != 0)
        return render_form(req, &p, 0, &f, rc);
    int held = held_by_words(req, f.title, f.body);
    if (held < 0)
        return 503;
    int64_t id = 0;
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_store_proposal(req->db, p.id, req->user->id, f.title, f.body, held, now, &id) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64 "?hinweis=%s", p.id, id,
                                      held ? "geprueft" : "vorgeschlagen"));
}

/* ---- editing one's own proposal ----------------------------------------------------------------------- */

/* NULL when the viewer may edit pr now, else why not (a msgid). */
static const char *edit_refusal(const http_req_t *req, const proposal_t *pr, int64_t now)
{
    if (!req->user || pr->author_id != req->user->id)
        return N_("Nur wer einen Vorschlag geschrieben hat, kann ihn bearbeiten.");
    if (pr->hidden || pr->erased)
        return N_("Dieser Vorschlag kann nicht mehr bearbeitet werden.");
    if (strcmp(pr->status, "in_pruefung") != 0 || pr->answered_at)
        return N_("Die Verwaltung hat diesen Vorschlag schon beantwortet. Er kann nicht mehr bearbeitet werden.");
    if (now - pr->created_at > PROPOSAL_EDIT_WINDOW)
        return N_("Sie können einen Vorschlag nur in den ersten 30 Minuten nach dem Absenden bearbeiten.");
    return NULL;
}

/* GET /beteiligung/verfahren/:id/vorschlaege/:pid/bearbeiten */
int proposals_edit_page(http_req_t *req)
{
    process_t p;
    proposal_t pr;
    int rc = load_process(req, &p);
    if (rc == 0)
        rc = load_proposal(req, &p, &pr);
    if (rc != 0)
        return processes_status(rc);
    const char *why = edit_refusal(req, &pr, processes_now());
    if (why)
        return http_error(req, 403, why);
    proposal_form_t f = {.title = pr.title, .body = pr.body};
    return render_form(req, &p, pr.id, &f, 200);
}

/* POST /beteiligung/verfahren/:id/vorschlaege/:pid/bearbeiten */
int proposals_update(http_req_t *req)
{
    process_t p;
    proposal_t pr;
    int rc = load_process(req, &p);
    if (rc == 0)
        rc = load_proposal(req, &p, &pr);
    if (rc != 0)
        return processes_status(rc);
    int64_t now = processes_now();
    const char *why = edit_refusal(req, &pr, now);
    if (why)
        return http_error(req, 403, why);
    proposal_form_t f;
    read_form(req, &f);
    if (f.title_error || f.body_error)
        return render_form(req, &p, pr.id, &f, 422);
    rc = gate(req, "proposal", &f);
    if (rc == 503)
        return processes_status(rc);
    if (rc != 0)
        return render_form(req, &p, pr.id, &f, rc);
    int held = held_by_words(req, f.title, f.body);
    if (held < 0)
        return 503;
    /* Once held, it stays held until the moderation releases it. */
    held = held || pr.held;
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_update_proposal(req->db, pr.id, f.title, f.body, held, now) != 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64 "?hinweis=%s", p.id,
                                      pr.id, held ? "geprueft" : "bearbeitet"));
}

/* ---- supports ---------------------------------------------------------------------------------------------- */

/* Common checks of support and its withdrawal: 0, or the status answered. */
static int support_target(http_req_t *req, process_t *p, proposal_t *pr)
{
    int rc = load_process(req, p);
    if (rc == 0)
        rc = load_proposal(req, p, pr);
    if (rc != 0)
        return rc;
    const char *closed = processes_closed_reason(p, COMPONENT_PROPOSALS, processes_now());
    if (closed)
        return processes_fail(req, 409, closed);
    if (pr->hidden || pr->held || pr->erased)
        return processes_fail(req, 409, N_("Diesen Vorschlag kann man nicht unterstützen."));
    return 0;
}

/* POST /beteiligung/verfahren/:id/vorschlaege/:pid/unterstuetzen */
int proposals_support(http_req_t *req)
{
    process_t p;
    proposal_t pr;
    int rc = support_target(req, &p, &pr);
    if (rc != 0)
        return processes_status(rc);
    const char *message = NULL;
    int why = participation_may_contribute(req, "support", &message);
    if (why < 0)
        return 503;
    if (why != CONTRIBUTE_OK)
        return http_error(req, refusal_status(why),
                          message ? message : N_("Sie können im Moment nichts unterstützen."));
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = processes_support(req->db, pr.id, req->user->id, processes_now());
    if (rc < 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64 "?hinweis=%s", p.id,
                                      pr.id, rc == 1 ? "schon-unterstuetzt" : "unterstuetzt"));
}

/* POST /beteiligung/verfahren/:id/vorschlaege/:pid/zuruecknehmen */
int proposals_unsupport(http_req_t *req)
{
    process_t p;
    proposal_t pr;
    int rc = support_target(req, &p, &pr);
    if (rc != 0)
        return processes_status(rc);
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = processes_unsupport(req->db, pr.id, req->user->id);
    if (rc < 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64 "?hinweis=zurueckgenommen",
                     p.id, pr.id));
}

/* ---- GET /beteiligung/verfahren/:id/vorschlaege/:pid -------------------------------------------------------- */

int proposals_render(http_req_t *req, const process_t *p, int64_t pid, int status, const char *comment_text,
                     const char *comment_error)
{
    proposal_t pr;
    int rc = processes_proposal_load(req->db, req->arena, p->id, pid, viewer(req), &pr);
    if (rc < 0)
        return 503;
    if (rc == 1 || (pr.held && pr.author_id != viewer(req)))
        return http_error(req, 404, N_("Diesen Vorschlag gibt es nicht."));
    const char *after;
    int backwards;
    rc = comments_cursor(req, "proposal", pr.id, &after, &backwards);
    if (rc == 400)
        return http_error(req, 400,
                          N_("Diese Seite der Kommentare gibt es nicht. Bitte beginnen Sie auf der ersten Seite."));
    if (rc != 0)
        return processes_status(rc);
    comment_t *comments;
    size_t n;
    int more;
    if (processes_comment_page(req->db, req->arena, "proposal", pr.id, after, backwards, viewer(req), COMMENTS_PAGE,
                               &comments, &n, &more) != 0)
        return 503;
    int64_t now = processes_now();
    const char *base =
        arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64, p->id, pr.id);
    const char *comments_closed = processes_closed_reason(p, COMPONENT_COMMENTS, now);
    const char *support_closed = processes_closed_reason(p, COMPONENT_PROPOSALS, now);
    json_t *m = json_object();
    json_t *o = processes_proposal_json(req->arena, &pr, req->lang, viewer(req), 1);
    json_object_set_new(m, "title", json_string(pr.hidden || pr.erased ? tr(req, N_("Vorschlag")) : pr.title));
    json_object_set_new(m, "process", processes_process_json(req->arena, p, req->lang, now));
    json_object_set_new(m, "proposal", o);
    json_object_set_new(m, "base", json_string(base));
    json_object_set_new(
        m, "comments",
        processes_thread_json(req->arena, comments, n, req->lang, viewer(req),
                              comments_closed ? NULL : arena_printf(req->arena, "%s/kommentare", base)));
    int can_support = !support_closed && !pr.hidden && !pr.held && !pr.erased;
    json_object_set_new(m, "can_support", json_boolean(can_support && req->user));
    json_object_set_new(m, "support_login", can_support && !req->user ? processes_login_url(req, base) : json_null());
    if (support_closed && json_is_true(json_object_get(json_object_get(m, "process"), "has_proposals")))
        json_object_set_new(m, "support_closed", json_string(tr(req, support_closed)));
    json_object_set_new(m, "may_edit", json_boolean(edit_refusal(req, &pr, now) == NULL));
    json_object_set_new(m, "may_manage", json_boolean(may_manage(req, p)));
    if (!comments_closed && !pr.hidden && !pr.held && !pr.erased) {
        if (req->user) {
            json_t *f = processes_comment_field(req, comment_text ? comment_text : "", comment_error);
            json_object_set_new(
                m, "comment_form",
                json_pack("{s:o,s:s}", "field", f, "action", arena_printf(req->arena, "%s/kommentare", base)));
            if (comment_error) {
                json_t *errors = json_array();
                processes_add_error(errors, "feld-text", tr(req, comment_error));
                json_object_set_new(m, "errors", errors);
            }
        } else {
            json_object_set_new(m, "comment_login", processes_login_url(req, base));
        }
    } else if (comments_closed && json_is_true(json_object_get(json_object_get(m, "process"), "has_comments"))) {
        json_object_set_new(m, "comments_closed", json_string(tr(req, comments_closed)));
    }
    if (more || backwards)
        json_object_set_new(m, "comments_next",
                            n ? json_sprintf("%s?nach=%s#kommentare", base, comments[n - 1].path) : json_null());
    if ((after && !backwards) || (backwards && more))
        json_object_set_new(m, "comments_prev",
                            n ? json_sprintf("%s?vor=%s#kommentare", base, comments[0].path) : json_null());
    if (after)
        json_object_set_new(m, "comments_first", json_sprintf("%s#kommentare", base));
    json_t *notice = processes_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, status, "participation/processes/proposal", m);
}

int proposals_page(http_req_t *req)
{
    process_t p;
    int rc = load_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    long pid = processes_number(http_param(req, "pid"), -1, 1, 999999999999L);
    if (pid < 1)
        return http_error(req, 404, N_("Diesen Vorschlag gibt es nicht."));
    return proposals_render(req, &p, pid, 200, NULL, NULL);
}
