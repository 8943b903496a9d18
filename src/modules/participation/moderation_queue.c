/* moderation_queue.c — the moderation queue and what moderators do with an item.
 *
 *   GET  /verwaltung/beteiligung                 the staff start page of the participation
 *   GET  /verwaltung/beteiligung/moderation      reported and held contributions, newest first
 *   POST …/moderation/ausblenden                 hide with a public reason (mail to the author)
 *   POST …/moderation/einblenden                 show a hidden contribution again
 *   POST …/moderation/freigeben                  publish what the word list held
 *   POST …/moderation/verwerfen                  dismiss the open reports (nothing wrong)
 *
 * The contributions themselves belong to processes*.c and change only through
 * its hooks (internal.h: processes_hide, processes_release_held …); this file
 * keeps the reports' state, writes the audit entry of every action and queues the
 * author's mail, all in the action's transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"
#include "platform/audit.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

#define HIDDEN_SHOWN 20 /* recently hidden contributions listed for "show again" */

/* ---- loading the queue ------------------------------------------------------------------ */

static const char sql_open_reports[] =
    "SELECT target_kind, target_id, COUNT(*), MAX(created_at) FROM participation_reports "
    "WHERE resolved_at IS NULL AND dismissed_at IS NULL GROUP BY target_kind, target_id "
    "ORDER BY MAX(created_at) DESC, target_id DESC LIMIT 100";
static const char sql_held[] =
    "SELECT 'proposal', id, created_at FROM proposals WHERE held = 1 AND hidden_at IS NULL "
    "UNION ALL SELECT 'comment', id, created_at FROM comments WHERE held = 1 AND hidden_at IS NULL "
    "ORDER BY 3 DESC, 2 DESC LIMIT 100";
static const char sql_hidden[] = "SELECT 'proposal', id, hidden_at FROM proposals WHERE hidden_at IS NOT NULL "
                                 "UNION ALL SELECT 'comment', id, hidden_at FROM comments WHERE hidden_at IS NOT NULL "
                                 "ORDER BY 3 DESC, 2 DESC LIMIT 20";
static const char sql_reports_of[] =
    "SELECT category, text, created_at FROM participation_reports WHERE target_kind = $1 AND target_id = $2 "
    "AND resolved_at IS NULL AND dismissed_at IS NULL ORDER BY id LIMIT 50";

typedef struct entry {
    const char *kind;
    int64_t id;
    int64_t latest;  /* newest report, or when a held one was written */
    int64_t reports; /* open reports */
} entry_t;

static int newest_first(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    if (x->latest != y->latest)
        return x->latest < y->latest ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* Reads rows (kind, id, time[, count]) of sql into entries, merging with those
 * already there. Returns 0 or -1. */
static int collect(db_t *db, arena_t *a, const char *sql, int has_count, entry_t *entries, size_t *n, size_t cap)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *kind = db_column_text(st, 0);
        int64_t id = db_column_int64(st, 1);
        int64_t count = has_count ? db_column_int64(st, 2) : 0;
        int64_t when = db_column_int64(st, has_count ? 3 : 2);
        size_t i = 0;
        while (i < *n && !(entries[i].id == id && !strcmp(entries[i].kind, kind)))
            i++;
        if (i == *n) {
            if (*n == cap)
                continue;
            entries[i] = (entry_t){.kind = arena_strdup(a, kind), .id = id};
            (*n)++;
        }
        entries[i].reports += count;
        if (when > entries[i].latest)
            entries[i].latest = when;
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* The item's open reports as [{category, text, created}] and a summary of the
 * categories ("Spam (2), Beleidigung (1)"). */
static int load_reports(http_req_t *req, const entry_t *e, json_t *item)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_reports_of, &st) != 0)
        return -1;
    db_bind_text(st, 1, e->kind, -1);
    db_bind_int64(st, 2, e->id);
    json_t *list = json_array();
    json_t *counts = json_object();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *category = db_column_text(st, 0);
        const char *label = moderation_category_label(category);
        json_t *r = json_object();
        json_object_set_new(r, "category", json_string(moderation_tr(req, label ? label : N_("Anderer Grund"))));
        json_object_set_new(r, "text", json_string(db_column_text(st, 1) ? db_column_text(st, 1) : ""));
        json_object_set_new(r, "created", json_string(moderation_format_time(req->arena, db_column_int64(st, 2))));
        json_array_append_new(list, r);
        json_int_t c = json_integer_value(json_object_get(counts, category)) + 1;
        json_object_set_new(counts, category, json_integer(c));
    }
    db_reset(st);
    json_t *summary = json_array();
    const char *key;
    json_t *value;
    json_object_foreach(counts, key, value)
    {
        const char *label = moderation_category_label(key);
        json_t *s = json_object();
        json_object_set_new(s, "label", json_string(moderation_tr(req, label ? label : N_("Anderer Grund"))));
        json_object_set(s, "count", value);
        json_array_append_new(summary, s);
    }
    json_decref(counts);
    json_object_set_new(item, "reports", list);
    json_object_set_new(item, "summary", summary);
    return rc == DB_DONE ? 0 : -1;
}

/* The error a failed action left on one item's form (re-rendered with 422). */
typedef struct failed_action {
    const char *kind;
    int64_t id;
    const char *reason; /* as typed */
    const char *error;  /* msgid */
} failed_action_t;

/* The view of one contribution; NULL when it is gone (deleted with its process). */
static json_t *item_json(http_req_t *req, const entry_t *e, const failed_action_t *failed, int *db_error)
{
    processes_contribution_t c;
    int rc = processes_contribution(req->db, req->arena, e->kind, e->id, &c);
    if (rc != 0) {
        *db_error = rc < 0;
        return NULL;
    }
    int is_proposal = !strcmp(e->kind, "proposal");
    const char *word = moderation_kind_word(e->kind);
    json_t *item = json_object();
    json_object_set_new(item, "kind", json_string(word));
    json_object_set_new(item, "kind_label",
                        json_string(moderation_tr(req, is_proposal ? N_("Vorschlag") : N_("Kommentar"))));
    json_object_set_new(item, "id", json_integer(e->id));
    json_object_set_new(item, "key", json_sprintf("%s-%lld", word, (long long)e->id));
    json_object_set_new(item, "heading", json_string(c.title));
    const char *html = participation_markdown(req->arena, c.text);
    /* safe: participation_markdown's contract; the text escaped if it cannot render */
    json_object_set_new(item, "text_html", json_string(html ? html : ""));
    json_object_set_new(item, "url", json_string(c.url));
    json_object_set_new(item, "author", json_string(moderation_user_name(req->db, req->arena, c.author_id)));
    json_object_set_new(item, "author_id", json_integer(c.author_id));
    json_object_set_new(item, "created", json_string(moderation_format_time(req->arena, c.created_at)));
    json_object_set_new(item, "held", json_boolean(c.held && !c.hidden));
    json_object_set_new(item, "hidden", json_boolean(c.hidden));
    json_object_set_new(item, "hidden_reason", json_string(c.hidden_reason));
    json_object_set_new(item, "report_count", json_integer(e->reports));
    if (e->reports > 0 && load_reports(req, e, item) != 0) {
        json_decref(item);
        *db_error = 1;
        return NULL;
    }
    int this_failed = failed && failed->id == e->id && !strcmp(failed->kind, e->kind);
    json_t *field =
        http_field("grund", moderation_tr(req, N_("Grund für das Ausblenden (wird öffentlich angezeigt)")),
                   this_failed ? failed->reason : "", this_failed ? moderation_tr(req, failed->error) : NULL);
    json_object_set_new(field, "id", json_sprintf("grund-%s-%lld", word, (long long)e->id));
    json_object_set_new(field, "rows", json_integer(2));
    json_object_set_new(item, "reason_field", field);
    return item;
}

static const char *const queue_notices[] = {
    "ausgeblendet",
    N_("Der Beitrag ist ausgeblendet. Die Person, die ihn geschrieben hat, bekommt eine E-Mail mit dem Grund."),
    "eingeblendet",
    N_("Der Beitrag ist wieder sichtbar."),
    "freigegeben",
    N_("Der Beitrag ist freigegeben und jetzt öffentlich."),
    "verworfen",
    N_("Die Meldungen sind erledigt. Der Beitrag bleibt sichtbar."),
    NULL,
};

static int render_queue(http_req_t *req, int status, const failed_action_t *failed)
{
    entry_t entries[2 * MODERATION_QUEUE_MAX];
    size_t n = 0;
    if (collect(req->db, req->arena, sql_open_reports, 1, entries, &n, 2 * MODERATION_QUEUE_MAX) != 0 ||
        collect(req->db, req->arena, sql_held, 0, entries, &n, 2 * MODERATION_QUEUE_MAX) != 0)
        return 503;
    qsort(entries, n, sizeof(entries[0]), newest_first);

    json_t *model = moderation_model(req, N_("Moderation der Beteiligung"));
    moderation_notice(req, model, queue_notices);
    json_t *items = json_array();
    int db_error = 0;
    int64_t reported = 0, held = 0;
    for (size_t i = 0; i < n && json_array_size(items) < MODERATION_QUEUE_MAX; i++) {
        json_t *item = item_json(req, &entries[i], failed, &db_error);
        if (db_error) {
            json_decref(items);
            json_decref(model);
            return 503;
        }
        if (!item)
            continue;
        reported += entries[i].reports > 0;
        held += json_is_true(json_object_get(item, "held"));
        json_array_append_new(items, item);
    }
    json_object_set_new(model, "items", items);
    json_object_set_new(model, "reported_count", json_integer(reported));
    json_object_set_new(model, "held_count", json_integer(held));

    /* Recently hidden ones, to show again after a mistake. */
    entry_t hidden[HIDDEN_SHOWN];
    size_t nh = 0;
    if (collect(req->db, req->arena, sql_hidden, 0, hidden, &nh, HIDDEN_SHOWN) != 0) {
        json_decref(model);
        return 503;
    }
    json_t *hidden_items = json_array();
    for (size_t i = 0; i < nh; i++) {
        json_t *item = item_json(req, &hidden[i], NULL, &db_error);
        if (db_error) {
            json_decref(hidden_items);
            json_decref(model);
            return 503;
        }
        if (item)
            json_array_append_new(hidden_items, item);
    }
    json_object_set_new(model, "hidden_items", hidden_items);
    if (failed) {
        moderation_add_error(
            req, model,
            arena_printf(req->arena, "grund-%s-%lld", moderation_kind_word(failed->kind), (long long)failed->id),
            failed->error);
    }
    return http_render(req, status, "participation/moderation/queue", model);
}

int moderation_queue(http_req_t *req)
{
    return render_queue(req, 200, NULL);
}

/* ---- actions ------------------------------------------------------------------------------- */

static const char sql_resolve_reports[] =
    "UPDATE participation_reports SET resolved_at = $3, handled_by = $4 WHERE target_kind = $1 AND target_id = $2 "
    "AND resolved_at IS NULL AND dismissed_at IS NULL";
static const char sql_dismiss_reports[] =
    "UPDATE participation_reports SET dismissed_at = $3, handled_by = $4 WHERE target_kind = $1 AND target_id = $2 "
    "AND resolved_at IS NULL AND dismissed_at IS NULL";
static const char sql_author_email[] = "SELECT email FROM users WHERE id = $1 AND deleted_at IS NULL";

/* Sets the open reports of a contribution resolved or dismissed; returns how many, or -1. */
static int64_t close_reports(http_req_t *req, const char *sql, const char *kind, int64_t id)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql, &st) != 0)
        return -1;
    db_bind_text(st, 1, kind, -1);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, moderation_now());
    db_bind_int64(st, 4, req->user->id);
    int rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : -1;
    db_reset(st);
    return changed;
}

/* The kind and id a moderation form names; 0, or 404 when they name nothing. */
static int form_target(http_req_t *req, const char **kind, int64_t *id)
{
    *kind = moderation_kind(http_form(req, "art"));
    *id = moderation_parse_id(http_form(req, "id"));
    return *kind && *id > 0 ? 0 : 404;
}

/* Queues the author's mail about the hiding (inside the transaction). A missing
 * or unusable address is no error: the account may be deleted. */
static int mail_author(http_req_t *req, const processes_contribution_t *c, const char *kind, const char *reason)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_author_email, &st) != 0)
        return -1;
    db_bind_int64(st, 1, c->author_id);
    int rc = db_step(st);
    const char *email = rc == DB_ROW && db_column_text(st, 0) ? arena_strdup(req->arena, db_column_text(st, 0)) : NULL;
    db_reset(st);
    if (rc < 0)
        return -1;
    if (!email || !mail_address_valid(email))
        return 0;
    int is_proposal = !strcmp(kind, "proposal");
    const char *body =
        arena_printf(req->arena,
                     "Guten Tag,\n\n"
                     "die Moderation der Bürgerbeteiligung hat Ihren %s vom %s ausgeblendet.\n\n"
                     "Grund: %s\n\n"
                     "Auf der Seite steht jetzt an seiner Stelle: „Von der Moderation ausgeblendet: %s“\n"
                     "%s%s\n\n"
                     "Bitte halten Sie sich an die Regeln für ein respektvolles Miteinander. Wenn Sie Fragen "
                     "zu dieser Entscheidung haben, wenden Sie sich an die Koordinierungsstelle Bürgerbeteiligung.\n\n"
                     "Mit freundlichen Grüßen\n"
                     "Ihre Stadtverwaltung\n",
                     is_proposal ? "Vorschlag" : "Kommentar", moderation_format_time(req->arena, c->created_at), reason,
                     reason, req->cfg ? req->cfg->base_url : "", c->url);
    int64_t queued = mail_queue(
        req->db, email, is_proposal ? "Ihr Vorschlag wurde ausgeblendet" : "Ihr Kommentar wurde ausgeblendet", body);
    return queued > 0 ? 0 : -1;
}

int moderation_hide(http_req_t *req)
{
    const char *kind;
    int64_t id;
    if (form_target(req, &kind, &id) != 0)
        return 404;
    const char *reason = http_form(req, "grund");
    reason = reason ? reason : "";
    /* Leading and trailing blanks say nothing in public. */
    while (*reason == ' ' || *reason == '\t' || *reason == '\r' || *reason == '\n')
        reason++;
    size_t len = strlen(reason);
    while (len > 0 &&
           (reason[len - 1] == ' ' || reason[len - 1] == '\t' || reason[len - 1] == '\r' || reason[len - 1] == '\n'))
        len--;
    reason = arena_strndup(req->arena, reason, len);
    const char *error = NULL;
    if (len == 0)
        error = N_("Bitte schreiben Sie, warum Sie den Beitrag ausblenden. Der Grund wird öffentlich angezeigt.");
    else if (utf8_length(reason, len) > PROCESSES_HIDE_REASON_MAX)
        error = N_("Der Grund ist zu lang. Bitte schreiben Sie höchstens 500 Zeichen.");
    if (error) {
        failed_action_t f = {kind, id, http_form(req, "grund"), error};
        return render_queue(req, 422, &f);
    }

    processes_contribution_t c;
    int rc = processes_contribution(req->db, req->arena, kind, id, &c);
    if (rc != 0)
        return rc < 0 ? 503 : 404;
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = processes_hide(req->db, kind, id, reason, req->user->id);
    if (rc != 0) {
        db_rollback(req->db);
        return rc == 1 ? 404 : rc == -2 ? 400 : 503;
    }
    const char *object = arena_printf(req->arena, "%s:%lld", kind, (long long)id);
    if (close_reports(req, sql_resolve_reports, kind, id) < 0 || mail_author(req, &c, kind, reason) != 0 ||
        audit_log(req->db, moderation_actor(req), "participation.hide", object,
                  moderation_audit_detail(req->arena, "reason", reason, "author",
                                          arena_printf(req->arena, "user:%lld", (long long)c.author_id), NULL),
                  req->client_ip, req->request_id) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, "/verwaltung/beteiligung/moderation?hinweis=ausgeblendet");
}

/* The actions without a text: one hook, one audit entry. */
static int simple_action(http_req_t *req, const char *action, const char *notice)
{
    const char *kind;
    int64_t id;
    if (form_target(req, &kind, &id) != 0)
        return 404;
    if (db_begin_write(req->db) != 0)
        return 503;
    int64_t rc;
    if (!strcmp(action, "participation.unhide"))
        rc = processes_unhide(req->db, kind, id, req->user->id);
    else if (!strcmp(action, "participation.release"))
        rc = processes_release_held(req->db, kind, id, req->user->id);
    else {
        int64_t closed = close_reports(req, sql_dismiss_reports, kind, id);
        rc = closed < 0 ? -1 : closed == 0 ? 1 : 0;
    }
    if (rc != 0) {
        db_rollback(req->db);
        /* Already done by someone else, or nothing of the kind: back to the queue. */
        return rc == 1 ? http_redirect(req, 303, "/verwaltung/beteiligung/moderation") : rc == -2 ? 400 : 503;
    }
    const char *object = arena_printf(req->arena, "%s:%lld", kind, (long long)id);
    if (audit_log(req->db, moderation_actor(req), action, object, NULL, req->client_ip, req->request_id) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, arena_printf(req->arena, "/verwaltung/beteiligung/moderation?hinweis=%s", notice));
}

int moderation_unhide(http_req_t *req)
{
    return simple_action(req, "participation.unhide", "eingeblendet");
}

int moderation_release(http_req_t *req)
{
    return simple_action(req, "participation.release", "freigegeben");
}

int moderation_dismiss(http_req_t *req)
{
    return simple_action(req, "participation.dismiss_reports", "verworfen");
}

/* ---- the staff start page --------------------------------------------------------------------- */

static const char sql_open_report_count[] =
    "SELECT COUNT(*) FROM (SELECT DISTINCT target_kind, target_id FROM participation_reports "
    "WHERE resolved_at IS NULL AND dismissed_at IS NULL) AS open_items";
static const char sql_held_count[] = "SELECT (SELECT COUNT(*) FROM proposals WHERE held = 1 AND hidden_at IS NULL) + "
                                     "(SELECT COUNT(*) FROM comments WHERE held = 1 AND hidden_at IS NULL)";

/* One link of the start page, when the user holds its permission. */
static void add_link(http_req_t *req, json_t *links, const char *permission, const char *href, const char *label,
                     const char *text)
{
    if (!auth_has_permission(req, permission))
        return;
    json_t *l = json_object();
    json_object_set_new(l, "href", json_string(href));
    json_object_set_new(l, "label", json_string(moderation_tr(req, label)));
    json_object_set_new(l, "text", json_string(text));
    json_array_append_new(links, l);
}

int moderation_home(http_req_t *req)
{
    /* Open to all staff (the route names one permission); the links below
     * depend on the user's own permissions, and without any there are none. */
    json_t *model = moderation_model(req, N_("Beteiligung verwalten"));
    json_t *links = json_array();
    add_link(req, links, PERM_PROJECTS, "/verwaltung/beteiligung/vorhaben", N_("Vorhabenliste"),
             moderation_tr(req, N_("Vorhaben eintragen und ändern, die Ausgabe des Quartals veröffentlichen.")));
    add_link(req, links, PERM_REQUESTS, "/verwaltung/beteiligung/anregungen", N_("Anregungen"),
             moderation_tr(req, N_("Anregungen prüfen und bis zur Entscheidung des Stadtrats begleiten.")));
    add_link(
        req, links, PERM_PROCESSES, "/verwaltung/beteiligung/verfahren", N_("Beteiligungsverfahren"),
        moderation_tr(req, N_("Verfahren mit Phasen anlegen, Vorschläge beantworten, Ergebnisse veröffentlichen.")));
    if (auth_has_permission(req, PERM_MODERATE)) {
        int64_t reported = 0, held = 0;
        if (db_query_int64(req->db, sql_open_report_count, &reported) < 0 ||
            db_query_int64(req->db, sql_held_count, &held) < 0) {
            json_decref(links);
            json_decref(model);
            return 503;
        }
        add_link(req, links, PERM_MODERATE, "/verwaltung/beteiligung/moderation", N_("Moderation"),
                 arena_printf(req->arena, "%s %lld · %s %lld", moderation_tr(req, N_("Gemeldete Beiträge:")),
                              (long long)reported, moderation_tr(req, N_("Zurückgehaltene Beiträge:")),
                              (long long)held));
        add_link(req, links, PERM_MODERATE, "/verwaltung/beteiligung/woerter", N_("Wortliste"),
                 moderation_tr(req, N_("Wörter, bei denen ein Beitrag erst nach Prüfung erscheint.")));
        add_link(req, links, PERM_MODERATE, "/verwaltung/beteiligung/sperren", N_("Sperren"),
                 moderation_tr(req, N_("Personen für Beiträge sperren und Sperren aufheben.")));
        add_link(req, links, PERM_MODERATE, "/verwaltung/beteiligung/grenzen", N_("Grenzen gegen Spam"),
                 moderation_tr(req, N_("Wie viele Beiträge eine Person in welcher Zeit schreiben darf.")));
    }
    json_object_set_new(model, "links", links);
    return http_render(req, 200, "participation/moderation/home", model);
}
