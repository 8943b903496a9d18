/* comments.c — threaded comments: on a proposal (its page is in proposals.c) and
 * on a process itself (its discussion page is here), with replies.
 *
 *   GET  /beteiligung/verfahren/:id/diskussion[?nach|vor|zu]        the process's discussion
 *   POST /beteiligung/verfahren/:id/diskussion                      text, antwort_auf
 *   GET  /beteiligung/verfahren/:id/diskussion/:cid/antworten        the reply form
 *   POST /beteiligung/verfahren/:id/vorschlaege/:pid/kommentare      text, antwort_auf
 *   GET  /beteiligung/verfahren/:id/vorschlaege/:pid/kommentare/:cid/antworten
 *
 * Replying works without JavaScript: "Antworten" leads to a page with the comment
 * and a form; a mistake brings back the page the form was on, with the text kept.
 * Threads go COMMENT_DEPTH_MAX deep; a reply to the deepest level joins it.
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

/* What a discussion is about. */
typedef struct target {
    process_t process;
    const char *kind; /* "proposal" | "process" */
    int64_t id;
    proposal_t proposal; /* kind "proposal" */
    const char *base;    /* the page of the discussion */
} target_t;

/* Loads the process (and the proposal for kind "proposal") of the address. */
static int load_target(http_req_t *req, const char *kind, target_t *t)
{
    memset(t, 0, sizeof *t);
    t->kind = kind;
    long id = processes_number(http_param(req, "id"), -1, 1, 999999999999L);
    int rc = processes_load_visible(req, id, &t->process);
    if (rc != 0)
        return rc;
    if (!strcmp(kind, "process")) {
        t->id = t->process.id;
        t->base = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/diskussion", t->id);
        return 0;
    }
    long pid = processes_number(http_param(req, "pid"), -1, 1, 999999999999L);
    rc = pid < 1 ? 1 : processes_proposal_load(req->db, req->arena, t->process.id, pid, viewer(req), &t->proposal);
    if (rc < 0)
        return 503;
    if (rc == 1 || (t->proposal.held && t->proposal.author_id != viewer(req)))
        return processes_fail(req, 404, N_("Diesen Vorschlag gibt es nicht."));
    t->id = t->proposal.id;
    t->base = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64, t->process.id, t->id);
    return 0;
}

/* Why nobody can comment here now (a msgid), or NULL. */
static const char *closed_reason(const target_t *t)
{
    const char *closed = processes_closed_reason(&t->process, COMPONENT_COMMENTS, processes_now());
    if (closed)
        return closed;
    if (!strcmp(t->kind, "proposal") && (t->proposal.hidden || t->proposal.held || t->proposal.erased))
        return N_("Diesen Vorschlag kann man nicht kommentieren.");
    return NULL;
}

/* Where the reply form posts to. */
static const char *post_url(http_req_t *req, const target_t *t)
{
    return !strcmp(t->kind, "process") ? t->base : arena_printf(req->arena, "%s/kommentare", t->base);
}

/* ---- paging ---------------------------------------------------------------------------------------------- */

/* Reads the discussion's page parameters: nach/vor (a path) or zu (a comment id,
 * the page then starts at its thread). 0, or 400 for a bad one. */
int comments_cursor(http_req_t *req, const char *kind, int64_t target, const char **after, int *backwards)
{
    *after = http_query(req, "nach");
    *backwards = 0;
    const char *before = http_query(req, "vor");
    const char *to = http_query(req, "zu");
    if (before) {
        *after = before;
        *backwards = 1;
    }
    if (*after && !processes_valid_path(*after))
        return 400;
    if (to && !*after) {
        long cid = processes_number(to, -1, 1, 999999999999L);
        comment_t c;
        if (cid < 1)
            return 400;
        int rc = processes_comment_load(req->db, req->arena, kind, target, cid, &c);
        if (rc < 0)
            return 503;
        /* From just before its thread's start: after the last possible path below
         * the thread start one less (that id's own replies included). */
        if (rc == 0 && strlen(c.path) >= 12) {
            int64_t root = 0;
            for (int i = 0; i < 12; i++)
                root = root * 10 + (c.path[i] - '0');
            const char *before_root = NULL;
            if (root > 1) {
                before_root = processes_comment_path(req->arena, "", root - 1);
                for (int d = 1; d < COMMENT_DEPTH_MAX; d++)
                    before_root = processes_comment_path(req->arena, before_root, 999999999999LL);
            }
            *after = before_root;
        }
    }
    return 0;
}

/* ---- the reply page -------------------------------------------------------------------------------- */

static int render_reply(http_req_t *req, const target_t *t, const comment_t *parent, const char *text,
                        const char *error, int status)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(tr(req, N_("Auf einen Kommentar antworten"))));
    json_object_set_new(m, "process", processes_process_json(req->arena, &t->process, req->lang, processes_now()));
    json_object_set_new(m, "back",
                        json_sprintf("%s?zu=%" PRId64 "#kommentar-%" PRId64, t->base, parent->id, parent->id));
    json_object_set_new(m, "about",
                        json_string(!strcmp(t->kind, "process")
                                        ? t->process.title
                                        : (t->proposal.hidden || t->proposal.erased ? "" : t->proposal.title)));
    /* The comment replied to, as a thread of one (no reply links on this page). */
    json_object_set_new(m, "parent_thread", processes_thread_json(req->arena, parent, 1, req->lang, viewer(req), NULL));
    json_object_set_new(m, "action", json_string(post_url(req, t)));
    json_object_set_new(m, "parent_id", json_integer(parent->id));
    json_object_set_new(m, "field", processes_comment_field(req, text, error));
    if (error) {
        json_t *errors = json_array();
        processes_add_error(errors, "feld-text", tr(req, error));
        json_object_set_new(m, "errors", errors);
    }
    return http_render(req, status, "participation/processes/reply", m);
}

/* Loads the comment replied to (:cid or the form's antwort_auf). */
static int load_parent(http_req_t *req, const target_t *t, const char *value, comment_t *parent)
{
    long cid = processes_number(value, -1, 1, 999999999999L);
    int rc = cid < 1 ? 1 : processes_comment_load(req->db, req->arena, t->kind, t->id, cid, parent);
    if (rc < 0)
        return 503;
    if (rc == 1 || (parent->held && parent->author_id != viewer(req)))
        return processes_fail(req, 404, N_("Diesen Kommentar gibt es nicht."));
    if (parent->hidden || parent->erased || parent->held)
        return processes_fail(req, 409, N_("Auf diesen Kommentar kann man nicht antworten."));
    return 0;
}

static int reply_page(http_req_t *req, const char *kind)
{
    target_t t;
    int rc = load_target(req, kind, &t);
    if (rc != 0)
        return processes_status(rc);
    const char *closed = closed_reason(&t);
    if (closed)
        return processes_status(processes_fail(req, 409, closed));
    comment_t parent;
    rc = load_parent(req, &t, http_param(req, "cid"), &parent);
    if (rc != 0)
        return processes_status(rc);
    return render_reply(req, &t, &parent, "", NULL, 200);
}

int comments_proposal_reply_page(http_req_t *req)
{
    return reply_page(req, "proposal");
}

int comments_process_reply_page(http_req_t *req)
{
    return reply_page(req, "process");
}

/* ---- the process's discussion page ------------------------------------------------------------------- */

static int render_discussion(http_req_t *req, const target_t *t, const char *text, const char *error, int status)
{
    const char *after;
    int backwards;
    int rc = comments_cursor(req, t->kind, t->id, &after, &backwards);
    if (rc == 400)
        return http_error(req, 400,
                          N_("Diese Seite der Kommentare gibt es nicht. Bitte beginnen Sie auf der ersten Seite."));
    if (rc != 0)
        return processes_status(rc);
    comment_t *comments;
    size_t n;
    int more;
    if (processes_comment_page(req->db, req->arena, t->kind, t->id, after, backwards, viewer(req), COMMENTS_PAGE,
                               &comments, &n, &more) != 0)
        return 503;
    int64_t total = 0;
    if (processes_comment_count(req->db, t->kind, t->id, &total) != 0)
        return 503;
    const char *closed = closed_reason(t);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", tr(req, N_("Diskussion")), t->process.title));
    json_object_set_new(m, "process", processes_process_json(req->arena, &t->process, req->lang, processes_now()));
    json_object_set_new(m, "total", json_integer(total));
    json_object_set_new(m, "one", json_boolean(total == 1));
    json_object_set_new(
        m, "comments", processes_thread_json(req->arena, comments, n, req->lang, viewer(req), closed ? NULL : t->base));
    if (!closed) {
        if (req->user)
            json_object_set_new(
                m, "comment_form",
                json_pack("{s:o,s:s}", "field", processes_comment_field(req, text, error), "action", t->base));
        else
            json_object_set_new(m, "comment_login", processes_login_url(req, t->base));
    } else if (json_is_true(json_object_get(json_object_get(m, "process"), "has_comments"))) {
        json_object_set_new(m, "comments_closed", json_string(tr(req, closed)));
    }
    if (error) {
        json_t *errors = json_array();
        processes_add_error(errors, "feld-text", tr(req, error));
        json_object_set_new(m, "errors", errors);
    }
    if (more || backwards)
        json_object_set_new(m, "comments_next",
                            n ? json_sprintf("%s?nach=%s#kommentare", t->base, comments[n - 1].path) : json_null());
    if ((after && !backwards) || (backwards && more))
        json_object_set_new(m, "comments_prev",
                            n ? json_sprintf("%s?vor=%s#kommentare", t->base, comments[0].path) : json_null());
    if (after)
        json_object_set_new(m, "comments_first", json_sprintf("%s#kommentare", t->base));
    json_t *notice = processes_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, status, "participation/processes/discussion", m);
}

int comments_process_page(http_req_t *req)
{
    target_t t;
    int rc = load_target(req, "process", &t);
    if (rc != 0)
        return processes_status(rc);
    return render_discussion(req, &t, "", NULL, 200);
}

/* ---- writing a comment ------------------------------------------------------------------------------- */

static int create(http_req_t *req, const char *kind)
{
    target_t t;
    int rc = load_target(req, kind, &t);
    if (rc != 0)
        return processes_status(rc);
    const char *closed = closed_reason(&t);
    if (closed)
        return processes_status(processes_fail(req, 409, closed));
    const char *parent_value = http_form(req, "antwort_auf");
    comment_t parent;
    int has_parent = parent_value && *parent_value;
    if (has_parent) {
        rc = load_parent(req, &t, parent_value, &parent);
        if (rc != 0)
            return processes_status(rc);
    }
    const char *text = processes_trim(req->arena, http_form(req, "text"));
    size_t len = processes_chars(text);
    const char *error = len == 0 ? N_("Bitte schreiben Sie Ihren Kommentar.")
                        : len > COMMENT_BODY_MAX
                            ? N_("Ihr Kommentar ist zu lang. Bitte verwenden Sie höchstens 5.000 Zeichen.")
                            : NULL;
    int status = 422;
    if (!error) {
        const char *message = NULL;
        int why = participation_may_contribute(req, "comment", &message);
        if (why < 0)
            return 503;
        if (why != CONTRIBUTE_OK) {
            error = message ? message : N_("Sie können im Moment keinen Kommentar schreiben.");
            status = why == CONTRIBUTE_RATE ? 429 : 403;
        }
    }
    if (error) {
        /* Back to the page the form was on, with the text kept. */
        if (has_parent)
            return render_reply(req, &t, &parent, text, error, status);
        if (!strcmp(kind, "proposal"))
            return proposals_render(req, &t.process, t.id, status, text, error);
        return render_discussion(req, &t, text, error, status);
    }
    int held = participation_held_by_words(req->db, text);
    if (held < 0)
        return 503;
    int64_t id = 0;
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_store_comment(req->db, req->arena, t.process.id, kind, t.id, has_parent ? &parent : NULL,
                                req->user->id, text, held, processes_now(), &id) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303,
                         arena_printf(req->arena, "%s?zu=%" PRId64 "&hinweis=%s#kommentar-%" PRId64, t.base, id,
                                      held ? "geprueft" : "kommentiert", id));
}

int comments_proposal_create(http_req_t *req)
{
    return create(req, "proposal");
}

int comments_process_create(http_req_t *req)
{
    return create(req, "process");
}
