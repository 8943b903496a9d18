/* processes_hooks.c — what the rest of the platform asks of participation
 * processes, and what runs outside a request:
 *
 *   the phase job       "participation.phase_start" tells the followers of a process
 *                       that a phase began
 *   internal.h          processes_component_open (surveys, events), processes_visibility,
 *                       processes_of_project_json (the Vorhaben page)
 *   "Meine Daten"       a resident's proposals, comments and supports in the export;
 *                       deleting the account erases their texts and supports
 *
 * Phase starts: every phase save (and publishing a process) queues the job for
 * the phase's start (processes_store.c). The job tells the followers of the
 * process once (announced_at), when the phase has begun and still runs; a job
 * for a start that was moved later finds nothing to do, and the save queued
 * another one for the new start. Phases already over when a process is published
 * are marked as announced without mail. The announcement is a job, not part of
 * the staff action, because a phase is usually saved long before it begins.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "modules/account/account.h"
#include "modules/participation/internal.h"
#include "modules/participation/processes.h"
#include "platform/jobs.h"
#include "view/i18n.h"

static int exec_id(db_t *db, const char *sql, int64_t id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* ---- the phase job ----------------------------------------------------------------------- */

static const char sql_phase_for_job[] =
    "SELECT ph.process_id, ph.kind, ph.title, ph.starts_at, ph.ends_at, COALESCE(ph.announced_at, 0), p.status, "
    "p.title, ph.proposals_on, ph.comments_on, ph.surveys_on, ph.events_on "
    "FROM process_phases ph JOIN participation_processes p ON p.id = ph.process_id WHERE ph.id = $1";
static const char sql_phase_announce[] =
    "UPDATE process_phases SET announced_at = $2 WHERE id = $1 AND announced_at IS NULL RETURNING id";

int processes_phase_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    json_t *v = json_object_get(payload, "phase");
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        snprintf(err, errlen, "payload without a phase id");
        return JOBS_GIVE_UP;
    }
    int64_t phase_id = json_integer_value(v);
    int64_t now = jobs_now();
    arena_t arena;
    arena_init(&arena);
    int result = JOBS_RETRY;
    if (db_begin_write(db) != 0) {
        snprintf(err, errlen, "begin: %s", db_errmsg(db));
        goto out;
    }
    db_stmt_t *st;
    if (db_prepare(db, sql_phase_for_job, &st) != 0)
        goto db_fail;
    db_bind_int64(st, 1, phase_id);
    int rc = db_step(st);
    if (rc == DB_DONE) {
        db_reset(st);
        result = 0; /* the phase was deleted */
        goto done;
    }
    if (rc != DB_ROW) {
        db_reset(st);
        goto db_fail;
    }
    int64_t process_id = db_column_int64(st, 0);
    const char *kind = arena_strdup(&arena, db_column_text(st, 1));
    const char *phase_title = arena_strdup(&arena, db_column_text(st, 2));
    int64_t starts_at = db_column_int64(st, 3), ends_at = db_column_int64(st, 4);
    int announced = db_column_int64(st, 5) != 0;
    int published = !strcmp(db_column_text(st, 6), "veroeffentlicht");
    const char *process_title = arena_strdup(&arena, db_column_text(st, 7));
    int on[4];
    for (int c = 0; c < 4; c++)
        on[c] = db_column_int64(st, 8 + c) != 0;
    db_reset(st);
    /* Announced already; a draft (publishing queues the jobs again); a start moved
     * later (the save queued a job for it): nothing to do now. */
    if (announced || !published || now < starts_at) {
        result = 0;
        goto done;
    }
    if (db_prepare(db, sql_phase_announce, &st) != 0)
        goto db_fail;
    db_bind_int64(st, 1, phase_id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        goto db_fail;
    if (rc == DB_ROW && now < ends_at) {
        /* Mails are German: the followers chose this German platform; the page they
         * link to is in their language. */
        buf_t text;
        buf_init(&text, &arena, 512, 8192);
        const char *kind_label = processes_choice_label(processes_phase_kinds, processes_phase_kind_count, kind);
        buf_appendf(&text, "Im Beteiligungsverfahren „%s“ hat eine neue Phase begonnen: „%s“ (%s) vom %s bis %s.",
                    process_title, phase_title, kind_label ? kind_label : kind, processes_day_label(&arena, starts_at),
                    processes_day_label(&arena, ends_at - 1));
        int any = 0;
        for (int c = 0; c < 4; c++)
            if (on[c]) {
                buf_puts(&text, any ? ", " : "\n\nJetzt können Sie: ");
                buf_puts(&text, processes_components[c].label);
                any = 1;
            }
        if (any)
            buf_puts(&text, ".");
        const char *subject = arena_printf(&arena, "Neue Phase im Beteiligungsverfahren: %s", process_title);
        const char *path = arena_printf(&arena, "/beteiligung/verfahren/%" PRId64, process_id);
        if (text.overflow ||
            participation_notify_followers(db, cfg, "process", process_id, subject, buf_cstr(&text), path) != 0)
            goto db_fail;
    }
    result = 0;
done:
    if (db_commit(db) != 0) {
        snprintf(err, errlen, "commit: %s", db_errmsg(db));
        result = JOBS_RETRY;
    }
    goto out;
db_fail:
    snprintf(err, errlen, "phase %" PRId64 ": %s", phase_id, db_errmsg(db));
    db_rollback(db);
    result = JOBS_RETRY;
out:
    arena_clear(&arena);
    return result;
}

/* ---- questions other parts ask (internal.h) ----------------------------------------------------- */

static const char sql_component_now[] =
    "SELECT ph.proposals_on, ph.comments_on, ph.surveys_on, ph.events_on FROM process_phases ph "
    "JOIN participation_processes p ON p.id = ph.process_id WHERE ph.process_id = $1 "
    "AND p.status = 'veroeffentlicht' AND ph.starts_at <= $2 AND ph.ends_at > $2";
static const char sql_visibility[] = "SELECT status FROM participation_processes WHERE id = $1";
static const char sql_project_processes[] =
    "SELECT p.id, p.title, ph.title, ph.starts_at, ph.ends_at FROM participation_processes p "
    "LEFT JOIN process_phases ph ON ph.process_id = p.id WHERE p.project_id = $1 AND p.status = 'veroeffentlicht' "
    "ORDER BY p.id, ph.starts_at, ph.id";

int processes_component_open(db_t *db, int64_t process_id, const char *component, int64_t now)
{
    int c = processes_choice_index(processes_components, processes_component_count, component);
    if (c < 0)
        return -2;
    db_stmt_t *st;
    if (db_prepare(db, sql_component_now, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_int64(st, 2, now);
    int rc = db_step(st);
    int on = rc == DB_ROW && db_column_int64(st, c) != 0;
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return -1;
    return on;
}

int processes_visibility(db_t *db, int64_t process_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_visibility, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    int rc = db_step(st);
    int v = rc == DB_ROW ? (!strcmp(db_column_text(st, 0), "veroeffentlicht") ? 1 : 2) : 0;
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? v : -1;
}

json_t *processes_of_project_json(db_t *db, int64_t project_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_project_processes, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, project_id);
    int64_t now = (int64_t)time(NULL);
    json_t *out = json_array();
    json_t *cur = NULL;
    int64_t cur_id = 0, first = 0, last = 0;
    int rc;
    /* Rows come per process in phase order: the state needs its first start and last end. */
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        if (!cur || id != cur_id) {
            if (cur)
                json_object_set_new(cur, "state",
                                    json_string(!first        ? "upcoming"
                                                : now < first ? "upcoming"
                                                : now < last  ? "current"
                                                              : "finished"));
            cur = json_pack("{s:I,s:s,s:o,s:s}", "id", (json_int_t)id, "title", db_column_text(st, 1), "url",
                            json_sprintf("/beteiligung/verfahren/%" PRId64, id), "phase", "");
            json_array_append_new(out, cur);
            cur_id = id;
            first = last = 0;
        }
        if (!db_column_is_null(st, 3)) {
            int64_t s = db_column_int64(st, 3), e = db_column_int64(st, 4);
            if (!first || s < first)
                first = s;
            if (e > last)
                last = e;
            if (s <= now && now < e)
                json_object_set_new(cur, "phase", json_string(db_column_text(st, 2)));
        }
    }
    db_reset(st);
    if (cur)
        json_object_set_new(cur, "state",
                            json_string(!first        ? "upcoming"
                                        : now < first ? "upcoming"
                                        : now < last  ? "current"
                                                      : "finished"));
    if (rc != DB_DONE) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* ---- "Meine Daten": export and deletion -------------------------------------------------------- */

static const char sql_export_proposals[] =
    "SELECT id, process_id, title, body, status, created_at FROM proposals WHERE author_id = $1 ORDER BY id";
static const char sql_export_comments[] =
    "SELECT id, target_kind, target_id, body, created_at FROM comments WHERE author_id = $1 ORDER BY id";
static const char sql_export_supports[] =
    "SELECT proposal_id, created_at FROM proposal_supports WHERE user_id = $1 ORDER BY proposal_id";
static const char sql_erase_support_counts[] = "UPDATE proposals SET support_count = support_count - 1 WHERE id IN "
                                               "(SELECT proposal_id FROM proposal_supports WHERE user_id = $1)";
static const char sql_erase_supports[] = "DELETE FROM proposal_supports WHERE user_id = $1";
/* The texts go; the rows stay as "deleted" so that the replies of others keep
 * their place and the counts stay true. */
static const char sql_erase_proposals[] =
    "UPDATE proposals SET title = '', body = '', erased_at = $2 WHERE author_id = $1";
static const char sql_erase_comments[] = "UPDATE comments SET body = '', erased_at = $2 WHERE author_id = $1";

static int export_data(db_t *db, int64_t user_id, json_t *out)
{
    json_t *mine = json_object();
    json_object_set_new(out, "participation_processes", mine);
    static const char *const sqls[] = {sql_export_proposals, sql_export_comments, sql_export_supports};
    static const char *const keys[] = {"proposals", "comments", "supports"};
    for (size_t q = 0; q < 3; q++) {
        json_t *rows = json_array();
        json_object_set_new(mine, keys[q], rows);
        db_stmt_t *st;
        if (db_prepare(db, sqls[q], &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            json_t *row = json_object();
            for (int c = 0; c < db_column_count(st); c++) {
                static const char *const names[3][6] = {
                    {"id", "process_id", "title", "body", "status", "created_at"},
                    {"id", "target_kind", "target_id", "body", "created_at", NULL},
                    {"proposal_id", "created_at", NULL, NULL, NULL, NULL},
                };
                const char *name = names[q][c];
                if (!name)
                    continue;
                int is_text = (q == 0 && (c == 2 || c == 3 || c == 4)) || (q == 1 && (c == 1 || c == 3));
                json_object_set_new(
                    row, name, is_text ? json_string(db_column_text(st, c)) : json_integer(db_column_int64(st, c)));
            }
            json_array_append_new(rows, row);
        }
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    return 0;
}

static int erase_data(db_t *db, int64_t user_id, json_t *kept)
{
    if (exec_id(db, sql_erase_support_counts, user_id) != 0 || exec_id(db, sql_erase_supports, user_id) != 0)
        return -1;
    static const char *const sqls[] = {sql_erase_proposals, sql_erase_comments};
    for (size_t i = 0; i < 2; i++) {
        db_stmt_t *st;
        if (db_prepare(db, sqls[i], &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        db_bind_int64(st, 2, (int64_t)time(NULL));
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    json_array_append_new(
        kept,
        json_string(N_(
            "Ihre Vorschläge und Kommentare in Beteiligungsverfahren: Die Texte sind gelöscht. Eine Markierung „gelöscht“ bleibt an ihrer Stelle, damit die Antworten anderer verständlich bleiben.")));
    return 0;
}

static const account_data_provider_t processes_provider = {
    .module = "participation_processes",
    .export_data = export_data,
    .erase_data = erase_data,
};

int processes_register_jobs(void)
{
    if (jobs_register("participation.phase_start", processes_phase_job) != 0)
        return -1;
    return account_register_data_provider(&processes_provider);
}
