/* processes_view.c — the view models the pages of participation processes share:
 * a process with its phases as a timeline, a proposal in a list or on its page,
 * a discussion page as nested threads, notices and form helpers.
 *
 * The JSON API returns the same objects (processes_api.c), so the pages and the
 * API cannot disagree. What the moderation hid or the author erased never gets
 * into an object: such a contribution carries its state and the public reason,
 * not its text. Contribution Markdown is rendered by participation_markdown
 * (moderation.c: no raw HTML, no images); until that exists, the text is shown
 * escaped as plain paragraphs — never raw.
 */
#include <inttypes.h>
#include <string.h>

#include "core/buf.h"
#include "modules/participation/internal.h"
#include "modules/participation/processes.h"
#include "view/i18n.h"
#include "view/markdown.h"
#include "view/tmpl.h"
#include "web/auth.h"
#include "web/form.h"

#define HTML_MAX (512 * 1024) /* bytes of HTML from one Markdown text */

const char *processes_tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

static const char *tr(const char *lang, const char *msgid)
{
    return i18n_translate(lang, msgid);
}

/* ---- text ------------------------------------------------------------------------------- */

const char *processes_contribution_html(arena_t *a, const char *markdown)
{
    if (!markdown || !*markdown)
        return "";
    const char *html = participation_markdown(a, markdown);
    if (html)
        return html;
    /* No safe renderer (yet): the text escaped, a paragraph per blank-line block,
     * line breaks kept. */
    buf_t b;
    buf_init(&b, a, 256, HTML_MAX);
    buf_puts(&b, "<p>");
    const char *s = markdown;
    while (*s) {
        if (s[0] == '\n' && s[1] == '\n') {
            while (*s == '\n' || *s == '\r')
                s++;
            if (*s)
                buf_puts(&b, "</p>\n<p>");
            continue;
        }
        if (*s == '\r') {
            s++;
            continue;
        }
        if (*s == '\n') {
            buf_puts(&b, "<br>\n");
            s++;
            continue;
        }
        size_t n = strcspn(s, "\r\n");
        html_escape(&b, s, n);
        s += n;
    }
    buf_puts(&b, "</p>");
    /* Cut at the cap: the escaped start of the text, still well-formed. */
    return b.overflow ? "<p>…</p>" : buf_cstr(&b);
}

const char *processes_staff_html(arena_t *a, const char *markdown)
{
    if (!markdown || !*markdown)
        return "";
    buf_t b;
    buf_init(&b, a, 1024, HTML_MAX);
    if (markdown_to_html(markdown, strlen(markdown), &b) != 0 || b.overflow)
        return processes_contribution_html(a, markdown);
    return buf_cstr(&b);
}

/* How an author is named: the account's name; a placeholder for an account
 * without a name or one that was deleted (its contributions are erased then). */
static const char *author_label(const char *lang, const char *name, int erased)
{
    if (erased)
        return tr(lang, N_("Gelöschtes Konto"));
    return name && *name ? name : tr(lang, N_("Eine teilnehmende Person"));
}

/* ---- a process ----------------------------------------------------------------------------- */

static json_t *phase_json(arena_t *a, const process_phase_t *ph, size_t index, size_t count, const char *lang,
                          int64_t now)
{
    const char *kind_label = processes_choice_label(processes_phase_kinds, processes_phase_kind_count, ph->kind);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ph->id));
    json_object_set_new(o, "kind", json_string(ph->kind));
    json_object_set_new(o, "kind_label", json_string(tr(lang, kind_label ? kind_label : ph->kind)));
    json_object_set_new(o, "title", json_string(ph->title));
    json_object_set_new(o, "description", json_string(ph->description));
    json_object_set_new(o, "description_html", json_string(processes_staff_html(a, ph->description)));
    json_object_set_new(o, "starts_at", json_integer(ph->starts_at));
    json_object_set_new(o, "ends_at", json_integer(ph->ends_at));
    json_object_set_new(o, "starts_on", json_string(processes_iso_day(a, ph->starts_at)));
    json_object_set_new(o, "ends_on", json_string(processes_iso_day(a, ph->ends_at - 1)));
    json_object_set_new(o, "starts", json_string(processes_day_label(a, ph->starts_at)));
    json_object_set_new(o, "ends", json_string(processes_day_label(a, ph->ends_at - 1)));
    json_object_set_new(o, "number", json_integer((json_int_t)index + 1));
    json_object_set_new(o, "count", json_integer((json_int_t)count));
    int running = ph->starts_at <= now && now < ph->ends_at;
    json_object_set_new(o, "running", json_boolean(running));
    json_object_set_new(o, "past", json_boolean(now >= ph->ends_at));
    json_object_set_new(o, "upcoming", json_boolean(now < ph->starts_at));
    json_t *components = json_array();
    buf_t text; /* the labels joined, for a sentence */
    buf_init(&text, a, 128, 1024);
    for (size_t c = 0; c < processes_component_count; c++)
        if (ph->components[c]) {
            const char *label = tr(lang, processes_components[c].label);
            json_array_append_new(components,
                                  json_pack("{s:s,s:s}", "name", processes_components[c].value, "label", label));
            buf_puts(&text, text.len ? "; " : "");
            buf_puts(&text, label);
        }
    json_object_set_new(o, "components", components);
    json_object_set_new(o, "components_text", json_string(buf_cstr(&text)));
    return o;
}

json_t *processes_process_json(arena_t *a, const process_t *p, const char *lang, int64_t now)
{
    static const char *const state_labels[] = {N_("Noch ohne Zeitplan"), N_("Demnächst"), N_("Läuft"),
                                               N_("Abgeschlossen")};
    process_state_t state = processes_state(p->phases, p->phase_count, now);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "title", json_string(p->title));
    json_object_set_new(o, "summary", json_string(p->summary));
    json_object_set_new(o, "description", json_string(p->description));
    json_object_set_new(o, "description_html", json_string(processes_staff_html(a, p->description)));
    json_object_set_new(o, "url", json_sprintf("/beteiligung/verfahren/%" PRId64, p->id));
    json_object_set_new(o, "status", json_string(p->status));
    json_object_set_new(o, "draft", json_boolean(strcmp(p->status, "veroeffentlicht") != 0));
    json_object_set_new(o, "state", json_string(processes_state_name(state)));
    json_object_set_new(o, "state_label", json_string(tr(lang, state_labels[state])));
    json_object_set_new(o, "is_current", json_boolean(state == PROCESS_CURRENT));
    json_object_set_new(o, "is_finished", json_boolean(state == PROCESS_FINISHED));
    if (p->project_id)
        json_object_set_new(o, "project",
                            json_pack("{s:I,s:s,s:o}", "id", (json_int_t)p->project_id, "title", p->project_title,
                                      "url", json_sprintf("/beteiligung/vorhaben/%" PRId64, p->project_id)));
    else
        json_object_set_new(o, "project", json_null());
    json_object_set_new(o, "unit", json_string(p->unit_name));
    json_object_set_new(o, "results_html", json_string(processes_staff_html(a, p->results_text)));
    json_object_set_new(o, "has_results", json_boolean(*p->results_text != '\0'));
    json_object_set_new(o, "results_on", json_string(processes_day_label(a, p->results_at)));
    if (p->phase_count) {
        json_object_set_new(o, "starts", json_string(processes_day_label(a, p->phases[0].starts_at)));
        int64_t end = p->phases[0].ends_at;
        for (size_t i = 1; i < p->phase_count; i++)
            if (p->phases[i].ends_at > end)
                end = p->phases[i].ends_at;
        json_object_set_new(o, "ends", json_string(processes_day_label(a, end - 1)));
    }
    json_t *phases = json_array();
    int any[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < p->phase_count; i++) {
        json_array_append_new(phases, phase_json(a, &p->phases[i], i, p->phase_count, lang, now));
        for (int c = 0; c < 4; c++)
            any[c] |= p->phases[i].components[c];
    }
    json_object_set_new(o, "phases", phases);
    int running = processes_running_phase(p->phases, p->phase_count, now);
    int next = processes_next_phase(p->phases, p->phase_count, now);
    json_object_set_new(o, "running_phase",
                        running >= 0 ? json_incref(json_array_get(phases, (size_t)running)) : json_null());
    json_object_set_new(o, "next_phase", next >= 0 ? json_incref(json_array_get(phases, (size_t)next)) : json_null());
    static const char *const has_keys[] = {"has_proposals", "has_comments", "has_surveys", "has_events"};
    static const char *const open_keys[] = {"proposals_open", "comments_open", "surveys_open", "events_open"};
    for (int c = 0; c < 4; c++) {
        json_object_set_new(o, has_keys[c], json_boolean(any[c]));
        json_object_set_new(o, open_keys[c], json_boolean(running >= 0 && p->phases[running].components[c]));
    }
    return o;
}

/* ---- proposals ---------------------------------------------------------------------------- */

json_t *processes_proposal_json(arena_t *a, const proposal_t *p, const char *lang, int64_t viewer_id, int full)
{
    const char *status_label =
        processes_choice_label(processes_proposal_statuses, processes_proposal_status_count, p->status);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "url",
                        json_sprintf("/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64, p->process_id, p->id));
    int shown = !p->hidden && !p->erased;
    /* Hidden or erased: the title and text are not public any more. */
    json_object_set_new(o, "title", json_string(shown ? p->title : ""));
    json_object_set_new(o, "author", json_string(author_label(lang, p->author_name, p->erased)));
    json_object_set_new(o, "status", json_string(p->status));
    json_object_set_new(o, "status_label", json_string(tr(lang, status_label ? status_label : p->status)));
    json_object_set_new(o, "status_class",
                        json_string(!strcmp(p->status, "angenommen")  ? "success"
                                    : !strcmp(p->status, "umgesetzt") ? "success"
                                    : !strcmp(p->status, "abgelehnt") ? "danger"
                                                                      : "info"));
    json_object_set_new(o, "status_reason", json_string(p->status_reason));
    json_object_set_new(o, "support_count", json_integer(p->support_count));
    json_object_set_new(o, "comment_count", json_integer(p->comment_count));
    json_object_set_new(o, "one_support", json_boolean(p->support_count == 1));
    json_object_set_new(o, "no_support", json_boolean(p->support_count == 0));
    json_object_set_new(o, "one_comment", json_boolean(p->comment_count == 1));
    json_object_set_new(o, "created_at", json_integer(p->created_at));
    json_object_set_new(o, "created", json_string(processes_day_label(a, p->created_at)));
    json_object_set_new(o, "hidden", json_boolean(p->hidden));
    json_object_set_new(o, "hidden_reason", json_string(p->hidden ? p->hidden_reason : ""));
    json_object_set_new(o, "held", json_boolean(p->held));
    json_object_set_new(o, "erased", json_boolean(p->erased));
    json_object_set_new(o, "answered", json_boolean(p->answered_at != 0));
    json_object_set_new(o, "supported", json_boolean(viewer_id && p->supported));
    json_object_set_new(o, "own", json_boolean(viewer_id && viewer_id == p->author_id));
    if (full) {
        json_object_set_new(o, "report_url", viewer_id && viewer_id != p->author_id && shown && !p->held
                                                 ? json_sprintf("/beteiligung/melden?art=vorschlag&id=%" PRId64, p->id)
                                                 : json_null());
        json_object_set_new(o, "body", json_string(shown ? p->body : ""));
        json_object_set_new(o, "body_html", json_string(shown ? processes_contribution_html(a, p->body) : ""));
        json_object_set_new(o, "answer", json_string(p->answer));
        json_object_set_new(o, "answer_html", json_string(processes_staff_html(a, p->answer)));
        json_object_set_new(o, "answered_on", json_string(processes_day_label(a, p->answered_at)));
    }
    return o;
}

/* ---- discussions ----------------------------------------------------------------------------- */

static json_t *comment_json(arena_t *a, const comment_t *c, const char *lang, int64_t viewer_id, const char *reply_base)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "anchor", json_sprintf("kommentar-%" PRId64, c->id));
    json_object_set_new(o, "author", json_string(author_label(lang, c->author_name, c->erased)));
    json_object_set_new(o, "created", json_string(processes_time_label(a, c->created_at)));
    json_object_set_new(o, "created_iso", json_string(processes_iso_day(a, c->created_at)));
    json_object_set_new(o, "depth", json_integer(c->depth));
    json_object_set_new(o, "hidden", json_boolean(c->hidden));
    json_object_set_new(o, "hidden_reason", json_string(c->hidden ? c->hidden_reason : ""));
    json_object_set_new(o, "held", json_boolean(c->held));
    json_object_set_new(o, "erased", json_boolean(c->erased));
    json_object_set_new(o, "own", json_boolean(viewer_id && viewer_id == c->author_id));
    int shown = !c->hidden && !c->erased;
    json_object_set_new(o, "body_html", json_string(shown ? processes_contribution_html(a, c->body) : ""));
    /* null, not missing: the partial recurses, and a missing name would be found
     * in the parent comment's context. */
    json_object_set_new(o, "reply_url",
                        reply_base && shown && !c->held ? json_sprintf("%s/%" PRId64 "/antworten", reply_base, c->id)
                                                        : json_null());
    /* Anyone signed in may report someone else's visible comment (moderation_report.c). */
    json_object_set_new(o, "report_url", viewer_id && viewer_id != c->author_id && shown && !c->held
                                             ? json_sprintf("/beteiligung/melden?art=kommentar&id=%" PRId64, c->id)
                                             : json_null());
    json_object_set_new(o, "replies", json_array()); /* [] at the leaves: the partial recurses on it */
    json_object_set_new(o, "has_replies", json_false());
    json_object_set_new(o, "continued", json_false());
    return o;
}

json_t *processes_thread_json(arena_t *a, const comment_t *comments, size_t n, const char *lang, int64_t viewer_id,
                              const char *reply_base)
{
    json_t *top = json_array();
    /* stack[d]: the last comment object at depth d on this page (borrowed). */
    json_t *stack[COMMENT_DEPTH_MAX + 1] = {0};
    int64_t stack_ids[COMMENT_DEPTH_MAX + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        const comment_t *c = &comments[i];
        json_t *o = comment_json(a, c, lang, viewer_id, reply_base);
        int64_t d = c->depth < 0 ? 0 : c->depth > COMMENT_DEPTH_MAX ? COMMENT_DEPTH_MAX : c->depth;
        json_t *parent = d > 0 && stack[d - 1] && stack_ids[d - 1] == c->parent_id ? stack[d - 1] : NULL;
        if (parent) {
            json_array_append_new(json_object_get(parent, "replies"), o);
            json_object_set_new(parent, "has_replies", json_true());
        } else {
            /* A reply whose thread began on an earlier page. */
            if (d > 0)
                json_object_set_new(o, "continued", json_true());
            json_array_append_new(top, o);
        }
        stack[d] = o;
        stack_ids[d] = c->id;
        for (int64_t k = d + 1; k <= COMMENT_DEPTH_MAX; k++)
            stack[k] = NULL;
    }
    return top;
}

json_t *processes_comment_field(const http_req_t *req, const char *value, const char *error)
{
    json_t *f =
        http_field("text", processes_tr(req, N_("Ihr Kommentar")), value, error ? processes_tr(req, error) : NULL);
    json_object_set_new(
        f, "hint",
        json_string(processes_tr(
            req,
            N_("Höchstens 5.000 Zeichen. Bleiben Sie sachlich und freundlich. Sie können Markdown verwenden, zum Beispiel *kursiv* oder **fett**."))));
    json_object_set_new(f, "maxlength", json_integer(COMMENT_BODY_MAX));
    json_object_set_new(f, "rows", json_integer(5));
    json_object_set_new(f, "required", json_true());
    return f;
}

/* ---- small helpers ------------------------------------------------------------------------------ */

const char *processes_closed_reason(const process_t *p, int component, int64_t now)
{
    if (strcmp(p->status, "veroeffentlicht") != 0)
        return N_("Das Verfahren ist noch nicht veröffentlicht.");
    if (processes_open_now(p->phases, p->phase_count, component, now))
        return NULL;
    process_state_t s = processes_state(p->phases, p->phase_count, now);
    if (s == PROCESS_FINISHED)
        return N_("Das Verfahren ist abgeschlossen. Beiträge sind nicht mehr möglich.");
    if (component == COMPONENT_PROPOSALS)
        return N_("In der aktuellen Phase können keine Vorschläge gemacht oder unterstützt werden.");
    return N_("In der aktuellen Phase sind keine Kommentare möglich.");
}

int processes_fail(http_req_t *req, int status, const char *msgid)
{
    int rc;
    if (status == 409) {
        /* Not an error of the site: the process does not take this now. Its own
         * page says why, instead of the generic "an error occurred". */
        json_t *m = json_object();
        json_object_set_new(m, "title", json_string(processes_tr(req, N_("Das ist gerade nicht möglich"))));
        json_object_set_new(m, "text", json_string(processes_tr(req, msgid)));
        const char *id = http_param(req, "id");
        if (id)
            json_object_set_new(m, "back", json_sprintf("/beteiligung/verfahren/%s", id));
        rc = http_render(req, status, "participation/processes/closed", m);
    } else {
        rc = http_error(req, status, msgid);
    }
    return rc == 0 ? PROCESSES_ANSWERED : rc;
}

void processes_add_error(json_t *errors, const char *id, const char *message)
{
    json_array_append_new(errors, json_pack("{s:s,s:s}", "id", id, "message", message));
}

json_t *processes_notice(http_req_t *req)
{
    static const struct notice {
        const char *word, *kind, *text;
    } notices[] = {
        {"vorgeschlagen", "success", N_("Vielen Dank! Ihr Vorschlag ist veröffentlicht.")},
        {"geprueft", "info",
         N_("Vielen Dank! Ihr Beitrag wird von der Moderation geprüft, bevor andere ihn sehen. Bis dahin sehen nur Sie ihn.")},
        {"unterstuetzt", "success", N_("Sie unterstützen diesen Vorschlag.")},
        {"schon-unterstuetzt", "info",
         N_("Sie unterstützen diesen Vorschlag bereits. Jede Person kann einen Vorschlag nur einmal unterstützen.")},
        {"zurueckgenommen", "info", N_("Sie unterstützen diesen Vorschlag nicht mehr.")},
        {"kommentiert", "success", N_("Vielen Dank! Ihr Kommentar ist veröffentlicht.")},
        {"bearbeitet", "success", N_("Ihre Änderungen sind gespeichert.")},
        {"gefolgt", "success", N_("Sie folgen jetzt. Wir schreiben Ihnen eine E-Mail, wenn es Neuigkeiten gibt.")},
        {"entfolgt", "info", N_("Sie folgen nicht mehr. Dazu bekommen Sie keine E-Mails mehr.")},
        {"gespeichert", "success", N_("Gespeichert.")},
        {"angelegt", "success", N_("Das Verfahren ist angelegt. Legen Sie jetzt seine Phasen an.")},
        {"beantwortet", "success", N_("Status und Antwort sind gespeichert und veröffentlicht.")},
        {"phase-geloescht", "info", N_("Die Phase ist gelöscht.")},
    };
    const char *word = http_query(req, "hinweis");
    for (size_t i = 0; word && i < sizeof(notices) / sizeof(notices[0]); i++)
        if (!strcmp(notices[i].word, word))
            return json_pack("{s:s,s:s,s:b}", "kind", notices[i].kind, "text", processes_tr(req, notices[i].text),
                             "success", !strcmp(notices[i].kind, "success"));
    return NULL;
}

json_t *processes_login_url(http_req_t *req, const char *path)
{
    return json_string(auth_login_url(req, path));
}
