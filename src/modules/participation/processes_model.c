/* processes_model.c — the queries of participation processes: a process with its
 * phases, the list of processes, pages of proposals, the answered proposals of
 * the results page, and pages of a discussion.
 *
 * Lists page by keyset, never by OFFSET, so that the thousandth page costs what
 * the first does: the proposal list walks one index per sort order (see
 * 003_processes.sql) from the cursor (key, id) on, and a discussion walks
 * comments_target by path. Each page is one query: the author's name and whether
 * the viewer supports a proposal are joined in, never fetched per row.
 *
 * The SQL texts of the proposal list are one per (sort, status filter,
 * direction), so that each can use its index; they are made by macros from one
 * pattern so that they cannot drift apart.
 */
#include "modules/participation/processes.h"

#include <stdint.h>
#include <string.h>

/* ---- processes ------------------------------------------------------------------------- */

#define PROCESS_COLUMNS                                                                                                \
    "p.id, p.title, p.summary, p.description, p.status, p.results_text, COALESCE(p.project_id, 0), "                   \
    "COALESCE(pr.title, ''), COALESCE(p.unit_id, 0), COALESCE(u.name, ''), COALESCE(p.results_at, 0), "                \
    "p.created_at, p.updated_at FROM participation_processes p LEFT JOIN projects pr ON pr.id = p.project_id "         \
    "LEFT JOIN units u ON u.id = p.unit_id "

static const char sql_process[] = "SELECT " PROCESS_COLUMNS "WHERE p.id = $1";
static const char sql_processes[] = "SELECT " PROCESS_COLUMNS "WHERE (p.status = 'veroeffentlicht' OR $1 = 1) "
                                    "ORDER BY COALESCE(p.starts_at, 0) DESC, p.id DESC LIMIT $2";

#define PHASE_COLUMNS                                                                                                  \
    "id, kind, title, description, starts_at, ends_at, position, proposals_on, comments_on, surveys_on, "              \
    "events_on, COALESCE(announced_at, 0), process_id "

static const char sql_phases[] = "SELECT " PHASE_COLUMNS "FROM process_phases WHERE process_id = $1 "
                                 "ORDER BY starts_at, id";
static const char sql_list_phases[] =
    "SELECT " PHASE_COLUMNS "FROM process_phases WHERE process_id IN "
    "(SELECT id FROM participation_processes WHERE status = 'veroeffentlicht' OR $1 = 1) "
    "ORDER BY process_id, starts_at, id";

static const char *text_copy(arena_t *a, db_stmt_t *st, int col)
{
    const char *s = db_column_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static void read_process(arena_t *a, db_stmt_t *st, process_t *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_column_int64(st, 0);
    p->title = text_copy(a, st, 1);
    p->summary = text_copy(a, st, 2);
    p->description = text_copy(a, st, 3);
    p->status = text_copy(a, st, 4);
    p->results_text = text_copy(a, st, 5);
    p->project_id = db_column_int64(st, 6);
    p->project_title = text_copy(a, st, 7);
    p->unit_id = db_column_int64(st, 8);
    p->unit_name = text_copy(a, st, 9);
    p->results_at = db_column_int64(st, 10);
    p->created_at = db_column_int64(st, 11);
    p->updated_at = db_column_int64(st, 12);
}

static void read_phase(arena_t *a, db_stmt_t *st, process_phase_t *ph)
{
    memset(ph, 0, sizeof *ph);
    ph->id = db_column_int64(st, 0);
    ph->kind = text_copy(a, st, 1);
    ph->title = text_copy(a, st, 2);
    ph->description = text_copy(a, st, 3);
    ph->starts_at = db_column_int64(st, 4);
    ph->ends_at = db_column_int64(st, 5);
    ph->position = db_column_int64(st, 6);
    for (int c = 0; c < 4; c++)
        ph->components[c] = db_column_int64(st, 7 + c) != 0;
    ph->announced_at = db_column_int64(st, 11);
}

int processes_load(db_t *db, arena_t *a, int64_t id, process_t *out)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_process, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_process(a, st, out);
    db_reset(st);
    if (rc == DB_DONE)
        return 1;
    if (rc != DB_ROW || db_prepare(db, sql_phases, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    out->phases = arena_alloc(a, sizeof(process_phase_t) * PHASES_MAX);
    out->phase_count = 0;
    while ((rc = db_step(st)) == DB_ROW && out->phase_count < PHASES_MAX)
        read_phase(a, st, &out->phases[out->phase_count++]);
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

int processes_list(db_t *db, arena_t *a, int with_drafts, process_t **out, size_t *n)
{
    size_t cap = 16; /* grows by doubling up to PROCESSES_LIST_MAX (the LIMIT) */
    *out = arena_alloc(a, sizeof(process_t) * cap);
    *n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_processes, &st) != 0)
        return -1;
    db_bind_int64(st, 1, with_drafts ? 1 : 0);
    db_bind_int64(st, 2, PROCESSES_LIST_MAX);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < PROCESSES_LIST_MAX) {
        if (*n == cap) {
            process_t *more = arena_alloc(a, sizeof(process_t) * cap * 2);
            memcpy(more, *out, sizeof(process_t) * cap);
            *out = more;
            cap *= 2;
        }
        read_process(a, st, &(*out)[*n]);
        (*out)[*n].phases = arena_alloc(a, sizeof(process_phase_t) * PHASES_MAX);
        (*n)++;
    }
    db_reset(st);
    if ((rc != DB_DONE && rc != DB_ROW) || db_prepare(db, sql_list_phases, &st) != 0)
        return -1;
    db_bind_int64(st, 1, with_drafts ? 1 : 0);
    /* Both lists are small (PROCESSES_LIST_MAX, PHASES_MAX each): a linear match. */
    size_t hint = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t pid = db_column_int64(st, 12);
        process_t *p = NULL;
        for (size_t k = 0; k < *n && !p; k++) {
            size_t i = (hint + k) % *n;
            if ((*out)[i].id == pid) {
                p = &(*out)[i];
                hint = i;
            }
        }
        if (p && p->phase_count < PHASES_MAX)
            read_phase(a, st, &p->phases[p->phase_count++]);
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* ---- proposals ------------------------------------------------------------------------------ */

/* Columns of a proposal row; $1 process, $2 viewer. */
#define PROPOSAL_SELECT                                                                                                \
    "SELECT p.id, p.process_id, p.author_id, p.title, COALESCE(u.display_name, ''), p.status, p.status_reason, "       \
    "p.support_count, p.comment_count, p.created_at, p.updated_at, COALESCE(p.hidden_at, 0), p.hidden_reason, "        \
    "p.held, COALESCE(p.erased_at, 0), COALESCE(p.answered_at, 0), COALESCE(s.user_id, 0), "                           \
    "COALESCE(u.deleted_at, 0) "
#define PROPOSAL_FROM                                                                                                  \
    "FROM proposals p JOIN users u ON u.id = p.author_id "                                                             \
    "LEFT JOIN proposal_supports s ON s.proposal_id = p.id AND s.user_id = $2 "

/* The list: $3 key, $4 id of the cursor, $5 limit, $6 status (only in the
 * filtered texts). The viewer's own held proposals are in it, no one else's. */
#define LIST_SQL(keycol, status_cond, cmp, dir)                                                                        \
    PROPOSAL_SELECT PROPOSAL_FROM "WHERE p.process_id = $1" status_cond " AND (p.held = 0 OR p.author_id = $2) "       \
                                  "AND (" keycol ", p.id) " cmp " ($3, $4) ORDER BY " keycol " " dir ", p.id " dir     \
                                  " LIMIT $5"
#define STATUS_COND " AND p.status = $6"

static const char *const sql_list[3][2][2] = {
    {{LIST_SQL("p.id", "", "<", "DESC"), LIST_SQL("p.id", "", ">", "ASC")},
     {LIST_SQL("p.id", STATUS_COND, "<", "DESC"), LIST_SQL("p.id", STATUS_COND, ">", "ASC")}},
    {{LIST_SQL("p.support_count", "", "<", "DESC"), LIST_SQL("p.support_count", "", ">", "ASC")},
     {LIST_SQL("p.support_count", STATUS_COND, "<", "DESC"), LIST_SQL("p.support_count", STATUS_COND, ">", "ASC")}},
    {{LIST_SQL("p.comment_count", "", "<", "DESC"), LIST_SQL("p.comment_count", "", ">", "ASC")},
     {LIST_SQL("p.comment_count", STATUS_COND, "<", "DESC"), LIST_SQL("p.comment_count", STATUS_COND, ">", "ASC")}},
};

static const char sql_proposal[] =
    PROPOSAL_SELECT ", p.body, p.answer " PROPOSAL_FROM "WHERE p.process_id = $1 AND p.id = $3";

static const char sql_answered[] =
    PROPOSAL_SELECT ", '', p.answer " PROPOSAL_FROM "WHERE p.process_id = $1 AND p.held = 0 AND p.id > $3 "
                    "AND (p.status <> 'in_pruefung' OR p.answered_at IS NOT NULL) "
                    "ORDER BY p.id LIMIT $4";

/* Kept by processes_store.c with every change (process_proposal_counts). */
static const char sql_status_counts[] = "SELECT status, total FROM process_proposal_counts WHERE process_id = $1";

static void read_proposal(arena_t *a, db_stmt_t *st, proposal_t *p, int full)
{
    memset(p, 0, sizeof *p);
    p->id = db_column_int64(st, 0);
    p->process_id = db_column_int64(st, 1);
    p->author_id = db_column_int64(st, 2);
    p->title = text_copy(a, st, 3);
    p->author_name = text_copy(a, st, 4);
    p->status = text_copy(a, st, 5);
    p->status_reason = text_copy(a, st, 6);
    p->support_count = db_column_int64(st, 7);
    p->comment_count = db_column_int64(st, 8);
    p->created_at = db_column_int64(st, 9);
    p->updated_at = db_column_int64(st, 10);
    p->hidden = db_column_int64(st, 11) != 0;
    p->hidden_reason = text_copy(a, st, 12);
    p->held = db_column_int64(st, 13) != 0;
    p->erased = db_column_int64(st, 14) != 0;
    p->answered_at = db_column_int64(st, 15);
    p->supported = db_column_int64(st, 16) != 0;
    if (db_column_int64(st, 17) != 0)
        p->author_name = ""; /* the account was deleted: no name */
    p->body = full ? text_copy(a, st, 18) : "";
    p->answer = full ? text_copy(a, st, 19) : "";
}

int64_t processes_sort_key(const proposal_t *p, int sort)
{
    return sort == 1 ? p->support_count : sort == 2 ? p->comment_count : p->id;
}

int processes_proposal_page(db_t *db, arena_t *a, const proposal_query_t *q, proposal_t **out, size_t *n, int *more)
{
    *n = 0;
    *more = 0;
    int sort = q->sort >= 0 && q->sort < 3 ? q->sort : 0;
    const char *sql = sql_list[sort][q->status ? 1 : 0][q->backwards ? 1 : 0];
    /* Without a cursor a page starts at the end of the order: beyond every key. */
    int64_t key = q->has_cursor ? q->key : q->backwards ? -1 : INT64_MAX;
    int64_t id = q->has_cursor ? q->id : q->backwards ? -1 : INT64_MAX;
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, q->process_id);
    db_bind_int64(st, 2, q->viewer_id);
    db_bind_int64(st, 3, key);
    db_bind_int64(st, 4, id);
    db_bind_int64(st, 5, (int64_t)q->limit + 1); /* one more: is there a next page? */
    if (q->status)
        db_bind_text(st, 6, q->status, -1);
    proposal_t *rows = arena_alloc(a, sizeof(proposal_t) * (q->limit + 1));
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < q->limit + 1)
        read_proposal(a, st, &rows[(*n)++], 0);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return -1;
    if (*n > q->limit) {
        *more = 1;
        *n = q->limit;
    }
    if (q->backwards) /* read in ascending order: turn the page round */
        for (size_t i = 0; i < *n / 2; i++) {
            proposal_t t = rows[i];
            rows[i] = rows[*n - 1 - i];
            rows[*n - 1 - i] = t;
        }
    *out = rows;
    return 0;
}

int processes_status_counts(db_t *db, int64_t process_id, int64_t *counts, int64_t *total)
{
    memset(counts, 0, sizeof(int64_t) * processes_proposal_status_count);
    *total = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_status_counts, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int i =
            processes_choice_index(processes_proposal_statuses, processes_proposal_status_count, db_column_text(st, 0));
        int64_t c = db_column_int64(st, 1);
        if (i >= 0)
            counts[i] = c;
        *total += c;
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int processes_proposal_load(db_t *db, arena_t *a, int64_t process_id, int64_t id, int64_t viewer_id, proposal_t *out)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_proposal, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_int64(st, 2, viewer_id);
    db_bind_int64(st, 3, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_proposal(a, st, out, 1);
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int processes_answered_page(db_t *db, arena_t *a, int64_t process_id, int64_t after_id, size_t limit, proposal_t **out,
                            size_t *n, int *more)
{
    *n = 0;
    *more = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_answered, &st) != 0)
        return -1;
    db_bind_int64(st, 1, process_id);
    db_bind_int64(st, 2, 0);
    db_bind_int64(st, 3, after_id);
    db_bind_int64(st, 4, (int64_t)limit + 1);
    proposal_t *rows = arena_alloc(a, sizeof(proposal_t) * (limit + 1));
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < limit + 1)
        read_proposal(a, st, &rows[(*n)++], 1);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return -1;
    if (*n > limit) {
        *more = 1;
        *n = limit;
    }
    *out = rows;
    return 0;
}

/* ---- comments ----------------------------------------------------------------------------- */

/* $1 kind, $2 target, $3 viewer (held comments only for their author). */
#define COMMENT_SELECT                                                                                                 \
    "SELECT c.id, COALESCE(c.parent_id, 0), c.author_id, c.depth, c.created_at, c.path, c.body, "                      \
    "COALESCE(u.display_name, ''), c.hidden_reason, COALESCE(c.hidden_at, 0), c.held, "                                \
    "COALESCE(c.erased_at, 0), COALESCE(u.deleted_at, 0) FROM comments c JOIN users u ON u.id = c.author_id "          \
    "WHERE c.target_kind = $1 AND c.target_id = $2 "

static const char sql_comments_after[] = COMMENT_SELECT "AND (c.held = 0 OR c.author_id = $3) AND c.path > $4 "
                                                        "ORDER BY c.path LIMIT $5";
static const char sql_comments_before[] = COMMENT_SELECT "AND (c.held = 0 OR c.author_id = $3) AND c.path < $4 "
                                                         "ORDER BY c.path DESC LIMIT $5";
static const char sql_comment_one[] = COMMENT_SELECT "AND c.id = $3";
static const char sql_comment_count[] =
    "SELECT COUNT(*) FROM comments WHERE target_kind = $1 AND target_id = $2 AND held = 0";

static void read_comment(arena_t *a, db_stmt_t *st, comment_t *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_column_int64(st, 0);
    c->parent_id = db_column_int64(st, 1);
    c->author_id = db_column_int64(st, 2);
    c->depth = db_column_int64(st, 3);
    c->created_at = db_column_int64(st, 4);
    c->path = text_copy(a, st, 5);
    c->body = text_copy(a, st, 6);
    c->author_name = db_column_int64(st, 12) != 0 ? "" : text_copy(a, st, 7);
    c->hidden_reason = text_copy(a, st, 8);
    c->hidden = db_column_int64(st, 9) != 0;
    c->held = db_column_int64(st, 10) != 0;
    c->erased = db_column_int64(st, 11) != 0;
}

int processes_comment_page(db_t *db, arena_t *a, const char *kind, int64_t target_id, const char *after, int backwards,
                           int64_t viewer_id, size_t limit, comment_t **out, size_t *n, int *more)
{
    *n = 0;
    *more = 0;
    db_stmt_t *st;
    if (db_prepare(db, backwards ? sql_comments_before : sql_comments_after, &st) != 0)
        return -1;
    db_bind_text(st, 1, kind, -1);
    db_bind_int64(st, 2, target_id);
    db_bind_int64(st, 3, viewer_id);
    /* "" sorts before every path and thirteen nines after every one (paths are
     * 12-digit groups joined by dots), in any collation. */
    db_bind_text(st, 4, after && *after ? after : backwards ? "9999999999999" : "", -1);
    db_bind_int64(st, 5, (int64_t)limit + 1);
    comment_t *rows = arena_alloc(a, sizeof(comment_t) * (limit + 1));
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < limit + 1)
        read_comment(a, st, &rows[(*n)++]);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return -1;
    if (*n > limit) {
        *more = 1;
        *n = limit;
    }
    if (backwards)
        for (size_t i = 0; i < *n / 2; i++) {
            comment_t t = rows[i];
            rows[i] = rows[*n - 1 - i];
            rows[*n - 1 - i] = t;
        }
    *out = rows;
    return 0;
}

int processes_comment_load(db_t *db, arena_t *a, const char *kind, int64_t target_id, int64_t id, comment_t *out)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_comment_one, &st) != 0)
        return -1;
    db_bind_text(st, 1, kind, -1);
    db_bind_int64(st, 2, target_id);
    db_bind_int64(st, 3, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_comment(a, st, out);
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

int processes_comment_count(db_t *db, const char *kind, int64_t target_id, int64_t *out)
{
    db_stmt_t *st;
    *out = 0;
    if (db_prepare(db, sql_comment_count, &st) != 0)
        return -1;
    db_bind_text(st, 1, kind, -1);
    db_bind_int64(st, 2, target_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *out = db_column_int64(st, 0);
    db_reset(st);
    return rc == DB_ROW ? 0 : -1;
}
