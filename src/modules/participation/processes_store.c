/* processes_store.c — every write of participation processes: processes and
 * their phases (staff), proposals, supports and comments (residents), status and
 * official answers (staff), and the moderation's hooks of internal.h (hide,
 * unhide, release held, load a contribution). What other parts ask of processes,
 * the phase job and "Meine Daten" are in processes_hooks.c.
 *
 * Everything here runs inside the caller's transaction and keeps the
 * denormalised numbers right in it: proposals.support_count with every row of
 * proposal_supports, proposals.comment_count with every comment that is not
 * held, participation_processes.starts_at/ends_at with the phases. A support is
 * an INSERT … ON CONFLICT DO NOTHING on the primary key (proposal, user): of two
 * requests at the same moment one inserts and counts, the other finds the row
 * (PostgreSQL makes it wait for the first one's commit; SQLite serialises
 * writers), so nobody is counted twice.
 *
 * Every phase save (and publishing a process) queues the job
 * "participation.phase_start" for the phase's start (processes_hooks.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/processes.h"
#include "platform/jobs.h"

/* ---- processes ------------------------------------------------------------------------ */

static const char sql_process_add[] =
    "INSERT INTO participation_processes (title, summary, description, project_id, unit_id, status, created_by, "
    "updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $8) RETURNING id";
static const char sql_process_status[] = "SELECT status FROM participation_processes WHERE id = $1";
static const char sql_process_set[] =
    "UPDATE participation_processes SET title = $2, summary = $3, description = $4, project_id = $5, unit_id = $6, "
    "status = $7, updated_by = $8, updated_at = $9 WHERE id = $1";
static const char sql_results_set[] =
    "UPDATE participation_processes SET results_text = $2, results_at = $3, updated_by = $4, updated_at = $3 "
    "WHERE id = $1";
static const char sql_phase_ids[] = "SELECT id, starts_at FROM process_phases WHERE process_id = $1 "
                                    "ORDER BY starts_at, id";

static void bind_optional_id(db_stmt_t *st, int idx, int64_t id)
{
    if (id > 0)
        db_bind_int64(st, idx, id);
    else
        db_bind_null(st, idx);
}

static int step_done(db_stmt_t *st)
{
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* Queues the announcement of every phase of process id (published just now). */
static int queue_phase_jobs(db_t *db, int64_t process_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_phase_ids, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    int64_t ids[PHASES_MAX], starts[PHASES_MAX];
    size_t n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < PHASES_MAX) {
        ids[n] = db_column_int64(st, 0);
        starts[n++] = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char payload[64];
        snprintf(payload, sizeof payload, "{\"phase\":%" PRId64 "}", ids[i]);
        if (jobs_enqueue(db, "participation.phase_start", payload, starts[i]) <= 0)
            return -1;
    }
    return 0;
}

int processes_store_create(db_t *db, const process_input_t *in, int64_t actor_id, int64_t now, int64_t *id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_process_add, &st) != 0)
        return -1;
    db_bind_text(st, 1, in->title, -1);
    db_bind_text(st, 2, in->summary, -1);
    db_bind_text(st, 3, in->description, -1);
    bind_optional_id(st, 4, in->project_id);
    bind_optional_id(st, 5, in->unit_id);
    db_bind_text(st, 6, in->status, -1);
    bind_optional_id(st, 7, actor_id);
    db_bind_int64(st, 8, now);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_column_int64(st, 0);
    db_reset(st);
    return rc == DB_ROW ? 0 : -1;
}

int processes_store_update(db_t *db, int64_t id, const process_input_t *in, int64_t actor_id, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_process_status, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    int was_public = rc == DB_ROW && !strcmp(db_column_text(st, 0), "veroeffentlicht");
    db_reset(st);
    if (rc != DB_ROW || db_prepare(db, sql_process_set, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, in->title, -1);
    db_bind_text(st, 3, in->summary, -1);
    db_bind_text(st, 4, in->description, -1);
    bind_optional_id(st, 5, in->project_id);
    bind_optional_id(st, 6, in->unit_id);
    db_bind_text(st, 7, in->status, -1);
    bind_optional_id(st, 8, actor_id);
    db_bind_int64(st, 9, now);
    if (step_done(st) != 0)
        return -1;
    if (!was_public && !strcmp(in->status, "veroeffentlicht"))
        return queue_phase_jobs(db, id);
    return 0;
}

int processes_store_results(db_t *db, int64_t id, const char *text, int64_t actor_id, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_results_set, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, text, -1);
    db_bind_int64(st, 3, now);
    bind_optional_id(st, 4, actor_id);
    return step_done(st);
}

/* ---- phases ------------------------------------------------------------------------------ */

static const char sql_phase_add[] =
    "INSERT INTO process_phases (process_id, kind, title, description, starts_at, ends_at, position, proposals_on, "
    "comments_on, surveys_on, events_on, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id";
/* A phase moved to start later is announced again when it begins. */
static const char sql_phase_set[] =
    "UPDATE process_phases SET kind = $3, title = $4, description = $5, starts_at = $6, ends_at = $7, "
    "proposals_on = $8, comments_on = $9, surveys_on = $10, events_on = $11, updated_at = $12, "
    "announced_at = CASE WHEN starts_at <> $6 AND $6 > $12 THEN NULL ELSE announced_at END "
    "WHERE id = $1 AND process_id = $2";
static const char sql_phase_delete[] = "DELETE FROM process_phases WHERE id = $1 AND process_id = $2";
static const char sql_phase_position[] = "UPDATE process_phases SET position = $2 WHERE id = $1";
static const char sql_process_span[] =
    "UPDATE participation_processes SET starts_at = (SELECT MIN(starts_at) FROM process_phases WHERE process_id = $1), "
    "ends_at = (SELECT MAX(ends_at) FROM process_phases WHERE process_id = $1), updated_at = $2 WHERE id = $1";

/* Numbers the phases of a process in time order and keeps its start and end. */
static int phases_renumber(db_t *db, int64_t process_id, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_phase_ids, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    int64_t ids[PHASES_MAX + 1];
    size_t n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < PHASES_MAX + 1)
        ids[n++] = db_column_int64(st, 0);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (db_prepare(db, sql_phase_position, &st) != 0)
            return -1;
        db_bind_int64(st, 1, ids[i]);
        db_bind_int64(st, 2, (int64_t)i);
        if (step_done(st) != 0)
            return -1;
    }
    if (db_prepare(db, sql_process_span, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_int64(st, 2, now);
    return step_done(st);
}

int processes_store_phase(db_t *db, int64_t process_id, process_phase_t *ph, int64_t now)
{
    db_stmt_t *st;
    int is_new = ph->id == 0;
    if (db_prepare(db, is_new ? sql_phase_add : sql_phase_set, &st) != 0)
        return -1;
    if (is_new) {
        db_bind_int64(st, 1, process_id);
        db_bind_text(st, 2, ph->kind, -1);
        db_bind_text(st, 3, ph->title, -1);
        db_bind_text(st, 4, ph->description, -1);
        db_bind_int64(st, 5, ph->starts_at);
        db_bind_int64(st, 6, ph->ends_at);
        db_bind_int64(st, 7, PHASES_MAX); /* renumbered below */
        for (int c = 0; c < 4; c++)
            db_bind_int64(st, 8 + c, ph->components[c] ? 1 : 0);
        db_bind_int64(st, 12, now);
        int rc = db_step(st);
        if (rc == DB_ROW)
            ph->id = db_column_int64(st, 0);
        db_reset(st);
        if (rc != DB_ROW)
            return -1;
    } else {
        db_bind_int64(st, 1, ph->id);
        db_bind_int64(st, 2, process_id);
        db_bind_text(st, 3, ph->kind, -1);
        db_bind_text(st, 4, ph->title, -1);
        db_bind_text(st, 5, ph->description, -1);
        db_bind_int64(st, 6, ph->starts_at);
        db_bind_int64(st, 7, ph->ends_at);
        for (int c = 0; c < 4; c++)
            db_bind_int64(st, 8 + c, ph->components[c] ? 1 : 0);
        db_bind_int64(st, 12, now);
        if (step_done(st) != 0)
            return -1;
    }
    if (phases_renumber(db, process_id, now) != 0)
        return -1;
    char payload[64];
    snprintf(payload, sizeof payload, "{\"phase\":%" PRId64 "}", ph->id);
    return jobs_enqueue(db, "participation.phase_start", payload, ph->starts_at) > 0 ? 0 : -1;
}

int processes_delete_phase(db_t *db, int64_t process_id, int64_t phase_id, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_phase_delete, &st) != 0)
        return -1;
    db_bind_int64(st, 1, phase_id);
    db_bind_int64(st, 2, process_id);
    if (step_done(st) != 0)
        return -1;
    return phases_renumber(db, process_id, now);
}

/* ---- proposals and supports ------------------------------------------------------------------ */

static const char sql_count_add[] =
    "INSERT INTO process_proposal_counts (process_id, status, total) VALUES ($1, $2, $3) "
    "ON CONFLICT (process_id, status) DO UPDATE SET total = process_proposal_counts.total + excluded.total";
static const char sql_proposal_state[] = "SELECT process_id, status, held FROM proposals WHERE id = $1";

/* Adds delta to the published proposals of process_id with status. */
static int count_add(db_t *db, int64_t process_id, const char *status, int64_t delta)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_count_add, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_text(st, 2, status, -1);
    db_bind_int64(st, 3, delta);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* A proposal's process, status (in the arena) and held flag: 0, 1 when none, < 0. */
static int proposal_state(db_t *db, arena_t *a, int64_t id, int64_t *process_id, const char **status, int *held)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_proposal_state, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *process_id = db_column_int64(st, 0);
        *status = arena_strdup(a, db_column_text(st, 1));
        *held = db_column_int64(st, 2) != 0;
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

static const char sql_proposal_add[] =
    "INSERT INTO proposals (process_id, author_id, title, body, held, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
static const char sql_proposal_set[] =
    "UPDATE proposals SET title = $2, body = $3, held = $4, updated_at = $5 WHERE id = $1";
static const char sql_support_add[] =
    "INSERT INTO proposal_supports (proposal_id, user_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (proposal_id, user_id) DO NOTHING RETURNING proposal_id";
static const char sql_support_count_up[] = "UPDATE proposals SET support_count = support_count + 1 WHERE id = $1";
static const char sql_support_remove[] =
    "DELETE FROM proposal_supports WHERE proposal_id = $1 AND user_id = $2 RETURNING proposal_id";
static const char sql_support_count_down[] =
    "UPDATE proposals SET support_count = support_count - 1 WHERE id = $1 AND support_count > 0";
static const char sql_answer_set[] =
    "UPDATE proposals SET status = $2, status_reason = $3, answer = $4, answered_at = $5, answered_by = $6 "
    "WHERE id = $1";

int processes_store_proposal(db_t *db, int64_t process_id, int64_t author_id, const char *title, const char *body,
                             int held, int64_t now, int64_t *id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_proposal_add, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_int64(st, 2, author_id);
    db_bind_text(st, 3, title, -1);
    db_bind_text(st, 4, body, -1);
    db_bind_int64(st, 5, held ? 1 : 0);
    db_bind_int64(st, 6, now);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_column_int64(st, 0);
    db_reset(st);
    if (rc != DB_ROW)
        return -1;
    return held ? 0 : count_add(db, process_id, "in_pruefung", 1);
}

int processes_update_proposal(db_t *db, int64_t id, const char *title, const char *body, int held, int64_t now)
{
    arena_t a;
    arena_init(&a);
    int64_t process_id = 0;
    const char *status = "";
    int was_held = 0, rc = proposal_state(db, &a, id, &process_id, &status, &was_held);
    db_stmt_t *st;
    if (rc == 0 && db_prepare(db, sql_proposal_set, &st) == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, title, -1);
        db_bind_text(st, 3, body, -1);
        db_bind_int64(st, 4, held ? 1 : 0);
        db_bind_int64(st, 5, now);
        rc = step_done(st);
        /* Held by the edit: out of the public numbers until released. */
        if (rc == 0 && held != was_held)
            rc = count_add(db, process_id, status, held ? -1 : 1);
    } else {
        rc = -1;
    }
    arena_clear(&a);
    return rc;
}

/* Runs a RETURNING statement on (a, b[, c]): 1 when it returned a row, 0 when not. */
static int returned_row(db_t *db, const char *sql, int64_t a, int64_t b, int64_t c, int with_c)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, a);
    db_bind_int64(st, 2, b);
    if (with_c)
        db_bind_int64(st, 3, c);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

static int exec_id(db_t *db, const char *sql, int64_t id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    return step_done(st);
}

int processes_support(db_t *db, int64_t proposal_id, int64_t user_id, int64_t now)
{
    int added = returned_row(db, sql_support_add, proposal_id, user_id, now, 1);
    if (added < 0)
        return -1;
    if (!added)
        return 1;
    return exec_id(db, sql_support_count_up, proposal_id);
}

int processes_unsupport(db_t *db, int64_t proposal_id, int64_t user_id)
{
    int removed = returned_row(db, sql_support_remove, proposal_id, user_id, 0, 0);
    if (removed < 0)
        return -1;
    if (!removed)
        return 1;
    return exec_id(db, sql_support_count_down, proposal_id);
}

int processes_answer(db_t *db, int64_t proposal_id, const char *status, const char *reason, const char *answer,
                     int64_t actor_id, int64_t now)
{
    arena_t a;
    arena_init(&a);
    int64_t process_id = 0;
    const char *old = "";
    int held = 0;
    int rc = proposal_state(db, &a, proposal_id, &process_id, &old, &held);
    if (rc == 0 && !held && strcmp(old, status) != 0)
        rc = count_add(db, process_id, old, -1) == 0 && count_add(db, process_id, status, 1) == 0 ? 0 : -1;
    arena_clear(&a);
    if (rc != 0)
        return -1;
    db_stmt_t *st;
    if (db_prepare(db, sql_answer_set, &st) != 0)
        return -1;
    db_bind_int64(st, 1, proposal_id);
    db_bind_text(st, 2, status, -1);
    db_bind_text(st, 3, reason, -1);
    db_bind_text(st, 4, answer, -1);
    /* The results list a proposal once it has an answer or a decided status. */
    if (*answer) {
        db_bind_int64(st, 5, now);
        bind_optional_id(st, 6, actor_id);
    } else {
        db_bind_null(st, 5);
        db_bind_null(st, 6);
    }
    return step_done(st);
}

/* ---- comments ------------------------------------------------------------------------------- */

static const char sql_comment_add[] =
    "INSERT INTO comments (target_kind, target_id, process_id, parent_id, depth, path, author_id, body, held, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $9, $9) RETURNING id";
static const char sql_comment_path[] = "UPDATE comments SET path = $2 WHERE id = $1";
static const char sql_comment_count_up[] = "UPDATE proposals SET comment_count = comment_count + 1 WHERE id = $1";

int processes_store_comment(db_t *db, arena_t *a, int64_t process_id, const char *kind, int64_t target_id,
                            const comment_t *parent, int64_t author_id, const char *body, int held, int64_t now,
                            int64_t *id)
{
    int64_t parent_id = 0, depth = 0;
    const char *parent_path = "";
    if (parent) {
        parent_id = parent->id;
        depth = parent->depth + 1;
        parent_path = parent->path;
        if (depth >= COMMENT_DEPTH_MAX) {
            /* As deep as threads go: the reply joins its parent's replies. */
            parent_id = parent->parent_id;
            depth = parent->depth;
            const char *dot = strrchr(parent->path, '.');
            parent_path = dot ? arena_strndup(a, parent->path, (size_t)(dot - parent->path)) : "";
        }
    }
    db_stmt_t *st;
    if (db_prepare(db, sql_comment_add, &st) != 0)
        return -1;
    db_bind_text(st, 1, kind, -1);
    db_bind_int64(st, 2, target_id);
    db_bind_int64(st, 3, process_id);
    bind_optional_id(st, 4, parent_id);
    db_bind_int64(st, 5, depth);
    db_bind_int64(st, 6, author_id);
    db_bind_text(st, 7, body, -1);
    db_bind_int64(st, 8, held ? 1 : 0);
    db_bind_int64(st, 9, now);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_column_int64(st, 0);
    db_reset(st);
    if (rc != DB_ROW || db_prepare(db, sql_comment_path, &st) != 0)
        return -1;
    db_bind_int64(st, 1, *id);
    db_bind_text(st, 2, processes_comment_path(a, parent_path, *id), -1);
    if (step_done(st) != 0)
        return -1;
    if (!held && !strcmp(kind, "proposal"))
        return exec_id(db, sql_comment_count_up, target_id);
    return 0;
}

/* ---- the moderation's hooks (internal.h) ------------------------------------------------------- */

static const char sql_hide_proposal[] =
    "UPDATE proposals SET hidden_at = $2, hidden_reason = $3, hidden_by = $4 WHERE id = $1 RETURNING id";
static const char sql_hide_comment[] =
    "UPDATE comments SET hidden_at = $2, hidden_reason = $3, hidden_by = $4 WHERE id = $1 RETURNING id";
static const char sql_unhide_proposal[] = "UPDATE proposals SET hidden_at = NULL, hidden_reason = '', hidden_by = NULL "
                                          "WHERE id = $1 AND hidden_at IS NOT NULL RETURNING id";
static const char sql_unhide_comment[] = "UPDATE comments SET hidden_at = NULL, hidden_reason = '', hidden_by = NULL "
                                         "WHERE id = $1 AND hidden_at IS NOT NULL RETURNING id";
static const char sql_release_proposal[] =
    "UPDATE proposals SET held = 0 WHERE id = $1 AND held = 1 RETURNING process_id, status";
static const char sql_release_comment[] =
    "UPDATE comments SET held = 0 WHERE id = $1 AND held = 1 RETURNING target_kind, target_id";
static const char sql_contribution_proposal[] =
    "SELECT id, author_id, process_id, title, body, hidden_reason, held, COALESCE(hidden_at, 0), created_at "
    "FROM proposals WHERE id = $1";
static const char sql_contribution_comment[] =
    "SELECT id, author_id, process_id, '', body, hidden_reason, held, COALESCE(hidden_at, 0), created_at, "
    "target_kind, target_id FROM comments WHERE id = $1";

/* 0 for "proposal", 1 for "comment", -1 otherwise. */
static int contribution_kind(const char *kind)
{
    if (kind && !strcmp(kind, "proposal"))
        return 0;
    if (kind && !strcmp(kind, "comment"))
        return 1;
    return -1;
}

int processes_hide(db_t *db, const char *kind, int64_t id, const char *reason, int64_t moderator_id)
{
    int k = contribution_kind(kind);
    size_t n = reason ? strlen(reason) : 0;
    if (k < 0 || n == 0 || !utf8_valid(reason, n) || utf8_length(reason, n) > PROCESSES_HIDE_REASON_MAX)
        return -2;
    db_stmt_t *st;
    if (db_prepare(db, k == 0 ? sql_hide_proposal : sql_hide_comment, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, (int64_t)time(NULL));
    db_bind_text(st, 3, reason, (ssize_t)n);
    bind_optional_id(st, 4, moderator_id);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int processes_unhide(db_t *db, const char *kind, int64_t id, int64_t moderator_id)
{
    (void)moderator_id; /* the caller's audit entry names the moderator */
    int k = contribution_kind(kind);
    if (k < 0)
        return -2;
    db_stmt_t *st;
    if (db_prepare(db, k == 0 ? sql_unhide_proposal : sql_unhide_comment, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int processes_release_held(db_t *db, const char *kind, int64_t id, int64_t moderator_id)
{
    (void)moderator_id; /* the caller's audit entry names the moderator */
    int k = contribution_kind(kind);
    if (k < 0)
        return -2;
    db_stmt_t *st;
    if (db_prepare(db, k == 0 ? sql_release_proposal : sql_release_comment, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    int on_proposal = 0;
    int64_t target = 0;
    char status[32] = "";
    if (rc == DB_ROW && k == 1) {
        on_proposal = !strcmp(db_column_text(st, 0), "proposal");
        target = db_column_int64(st, 1);
    } else if (rc == DB_ROW) {
        target = db_column_int64(st, 0);
        snprintf(status, sizeof status, "%s", db_column_text(st, 1));
    }
    db_reset(st);
    if (rc == DB_DONE)
        return 1;
    if (rc != DB_ROW)
        return -1;
    /* A held proposal or comment was not counted; now it is. */
    if (k == 0)
        return count_add(db, target, status, 1);
    return on_proposal ? exec_id(db, sql_comment_count_up, target) : 0;
}

int processes_contribution(db_t *db, arena_t *a, const char *kind, int64_t id, processes_contribution_t *out)
{
    int k = contribution_kind(kind);
    if (k < 0)
        return -2;
    db_stmt_t *st;
    if (db_prepare(db, k == 0 ? sql_contribution_proposal : sql_contribution_comment, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof *out);
        out->id = db_column_int64(st, 0);
        out->author_id = db_column_int64(st, 1);
        out->process_id = db_column_int64(st, 2);
        out->title = arena_strdup(a, db_column_text(st, 3) ? db_column_text(st, 3) : "");
        out->text = arena_strdup(a, db_column_text(st, 4) ? db_column_text(st, 4) : "");
        out->hidden_reason = arena_strdup(a, db_column_text(st, 5) ? db_column_text(st, 5) : "");
        out->held = db_column_int64(st, 6) != 0;
        out->hidden = db_column_int64(st, 7) != 0;
        out->created_at = db_column_int64(st, 8);
        if (k == 0)
            out->url =
                arena_printf(a, "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64, out->process_id, out->id);
        else if (!strcmp(db_column_text(st, 9), "proposal"))
            out->url = arena_printf(
                a, "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64 "?zu=%" PRId64 "#kommentar-%" PRId64,
                out->process_id, db_column_int64(st, 10), out->id, out->id);
        else
            out->url =
                arena_printf(a, "/beteiligung/verfahren/%" PRId64 "/diskussion?zu=%" PRId64 "#kommentar-%" PRId64,
                             out->process_id, out->id, out->id);
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}
