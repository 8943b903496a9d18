/* processes.h — what the files of the participation processes share; private to them.
 *
 *   processes.c          the module: route table, the list of processes, a process
 *                        page, its discussion and its results page
 *   processes_logic.c    pure rules: phase kinds, statuses, dates, the running phase,
 *                        phase checks, cursors, comment paths (tests/unit/test_processes.c)
 *   processes_model.c    queries: processes with phases, proposal pages, comment pages
 *   processes_store.c    writes: processes, phases, proposals, supports, comments,
 *                        answers; the moderation hooks of internal.h
 *   processes_hooks.c    what other parts ask (internal.h), the phase job, "Meine Daten"
 *   processes_view.c     view models shared by the pages (phases, threads, forms)
 *   proposals.c          the proposal pages and forms (propose, support, edit)
 *   comments.c           the comment and reply forms
 *   processes_staff.c    staff: processes, phases, answers, results text
 *   processes_api.c      /api/v1/beteiligung/verfahren…
 *   processes_demo.c     demo data from data/participation/processes.json
 *
 * Strings of the structs below live in the arena they were loaded into.
 */
#ifndef RATHAUS_MODULES_PARTICIPATION_PROCESSES_H
#define RATHAUS_MODULES_PARTICIPATION_PROCESSES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

/* Limits (STYLE.md rule 5), in characters unless said otherwise. */
#define PROCESS_TITLE_MAX 200
#define PROCESS_SUMMARY_MAX 500
#define PROCESS_TEXT_MAX 20000 /* description, results text, a phase's description */
#define PHASE_TITLE_MAX 200
#define PHASES_MAX 12 /* phases of one process */
#define PROPOSAL_TITLE_MAX 200
#define PROPOSAL_BODY_MAX 10000
#define PROPOSAL_TITLE_MIN 5 /* a title says what the proposal is about */
#define PROPOSAL_BODY_MIN 15
#define COMMENT_BODY_MAX 5000
#define STATUS_REASON_MAX 2000
#define ANSWER_MAX 10000
#define PROPOSALS_PAGE 20                        /* proposals on one list page */
#define COMMENTS_PAGE 50                         /* comments on one page of a discussion */
#define RESULTS_PAGE 50                          /* answered proposals on one page of the results */
#define PROCESSES_LIST_MAX 500                   /* processes on the list page */
#define PROCESSES_API_MAX 100                    /* proposals on one API page */
#define COMMENT_DEPTH_MAX 6                      /* a reply to a deeper comment joins its parent's replies */
#define PROPOSAL_EDIT_WINDOW (30 * 60)           /* seconds in which the author may still edit */
#define PROCESSES_FORM_BODY_LIMIT (256 * 1024)   /* the staff forms: several long texts */
#define PROCESSES_CONTRIB_BODY_LIMIT (64 * 1024) /* a proposal or comment form */

/* ---- processes_logic.c: pure rules ------------------------------------------------- */

/* A value and its German label (a msgid). */
typedef struct process_choice {
    const char *value;
    const char *label;
} process_choice_t;

extern const process_choice_t processes_phase_kinds[]; /* information … results */
extern const size_t processes_phase_kind_count;
extern const process_choice_t processes_proposal_statuses[]; /* in_pruefung … umgesetzt */
extern const size_t processes_proposal_status_count;
extern const process_choice_t processes_statuses[]; /* entwurf | veroeffentlicht */
extern const size_t processes_status_count;
extern const process_choice_t processes_sorts[]; /* neueste | unterstuetzt | kommentiert */
extern const size_t processes_sort_count;
extern const process_choice_t processes_components[]; /* proposals comments surveys events */
extern const size_t processes_component_count;

/* The label (msgid) of value in list; NULL when value is not one of them. */
const char *processes_choice_label(const process_choice_t *list, size_t n, const char *value);
/* The index of value in list, or -1. */
int processes_choice_index(const process_choice_t *list, size_t n, const char *value);

typedef struct process_phase {
    int64_t id;
    const char *kind; /* processes_phase_kinds */
    const char *title;
    const char *description; /* Markdown */
    int64_t starts_at;       /* first second of the phase */
    int64_t ends_at;         /* first second after it */
    int64_t position;
    int components[4];    /* switched on: proposals, comments, surveys, events */
    int64_t announced_at; /* 0: followers not told yet */
} process_phase_t;

enum { COMPONENT_PROPOSALS = 0, COMPONENT_COMMENTS = 1, COMPONENT_SURVEYS = 2, COMPONENT_EVENTS = 3 };

/* Where a process stands at a moment, from its phases. */
typedef enum process_state {
    PROCESS_NO_PHASES = 0,
    PROCESS_UPCOMING = 1, /* before the first phase */
    PROCESS_CURRENT = 2,  /* from the first phase's start to the last one's end */
    PROCESS_FINISHED = 3, /* after the last phase */
} process_state_t;

/* The state of a process with phases[0..n) (in time order) at now. */
process_state_t processes_state(const process_phase_t *phases, size_t n, int64_t now);
/* "upcoming" | "current" | "finished" | "none". */
const char *processes_state_name(process_state_t s);
/* The index of the phase running at now, or -1 (none yet, a gap, or over). */
int processes_running_phase(const process_phase_t *phases, size_t n, int64_t now);
/* The index of the next phase to start after now, or -1. */
int processes_next_phase(const process_phase_t *phases, size_t n, int64_t now);
/* Whether component (COMPONENT_*) is switched on in the phase running at now. */
int processes_open_now(const process_phase_t *phases, size_t n, int component, int64_t now);
/* Checks phases[0..n) sorted by start: each ends after it starts, none overlaps
 * the next. Returns NULL when they fit, else a msgid; *bad gets the index of the
 * phase at fault. */
const char *processes_phases_check(const process_phase_t *phases, size_t n, size_t *bad);
/* Sorts phases by start (then id) in place and numbers their positions 0, 1, … */
void processes_phases_sort(process_phase_t *phases, size_t n);

/* Local calendar days: "2026-03-01" → the first second of that day (0 with *t),
 * -1 for anything that is not a real date of the years 2000–2199. */
int processes_parse_day(const char *iso, int64_t *t);
/* The first second of the day after iso's (a phase's end, stored exclusive). */
int processes_parse_day_end(const char *iso, int64_t *t);
/* A Unix time as the local day "2026-03-01" / "01.03.2026" (arena). */
const char *processes_iso_day(arena_t *a, int64_t t);
const char *processes_day_label(arena_t *a, int64_t t);
/* "01.03.2026, 14:05" (arena). */
const char *processes_time_label(arena_t *a, int64_t t);

/* Keyset cursors of the proposal list: "12345" (newest) or "17.12345" (a count and
 * the id). Parses s into *key and *id (key = id for a single number); 0 when valid,
 * -1 otherwise. */
int processes_cursor_parse(const char *s, int with_key, int64_t *key, int64_t *id);
const char *processes_cursor(arena_t *a, int with_key, int64_t key, int64_t id);
/* A comment's path (see 003_processes.sql): parent_path "" for a new thread. */
const char *processes_comment_path(arena_t *a, const char *parent_path, int64_t id);
/* 1 when s is a comment path as processes_comment_path makes them (a page cursor). */
int processes_valid_path(const char *s);

/* Length of s in characters (s must be valid UTF-8: form values are). */
size_t processes_chars(const char *s);
/* s without leading and trailing white space (arena). */
const char *processes_trim(arena_t *a, const char *s);
/* A whole number in [min, max] from s; fallback when s is NULL; -1 when invalid. */
long processes_number(const char *s, long fallback, long min, long max);

/* ---- processes_model.c: queries ------------------------------------------------------- */

typedef struct process {
    int64_t id;
    const char *title, *summary, *description, *status, *results_text;
    int64_t project_id;        /* 0: stands alone */
    const char *project_title; /* "" when none */
    int64_t unit_id;           /* 0: none */
    const char *unit_name;
    int64_t results_at, created_at, updated_at;
    process_phase_t *phases; /* in time order */
    size_t phase_count;
} process_t;

/* One process with its phases: 0, 1 when there is none, < 0 on an error. */
int processes_load(db_t *db, arena_t *a, int64_t id, process_t *out);
/* The processes for the list (only published ones unless with_drafts), with their
 * phases, ordered by start (those without phases last). Returns 0 or < 0. */
int processes_list(db_t *db, arena_t *a, int with_drafts, process_t **out, size_t *n);

typedef struct proposal {
    int64_t id, process_id, author_id;
    const char *title, *body, *author_name;
    const char *status, *status_reason, *answer;
    int64_t answered_at, support_count, comment_count, created_at, updated_at;
    int hidden, held, erased, supported; /* supported: by the viewer */
    const char *hidden_reason;
} proposal_t;

typedef struct proposal_query {
    int64_t process_id;
    int sort;           /* index in processes_sorts */
    const char *status; /* NULL: any */
    int64_t viewer_id;  /* 0: nobody signed in (sees held proposals of nobody) */
    int backwards;      /* the page before the cursor */
    int has_cursor;
    int64_t key, id; /* the cursor */
    size_t limit;
} proposal_query_t;

/* A page of proposals in the query's order: out[0..*n), *more when there are more
 * in the direction read. One query (authors and the viewer's support joined).
 * Returns 0 or < 0. */
int processes_proposal_page(db_t *db, arena_t *a, const proposal_query_t *q, proposal_t **out, size_t *n, int *more);
/* The sort key of p under sort (for cursors). */
int64_t processes_sort_key(const proposal_t *p, int sort);
/* Public proposals per status: counts[i] for processes_proposal_statuses[i], *total. */
int processes_status_counts(db_t *db, int64_t process_id, int64_t *counts, int64_t *total);
/* One proposal of process_id (viewer for "supported"): 0, 1 when none, < 0. */
int processes_proposal_load(db_t *db, arena_t *a, int64_t process_id, int64_t id, int64_t viewer_id, proposal_t *out);
/* The answered proposals (status not in_pruefung, or an answer given) after id
 * after_id, by id: a page for the results. */
int processes_answered_page(db_t *db, arena_t *a, int64_t process_id, int64_t after_id, size_t limit, proposal_t **out,
                            size_t *n, int *more);

typedef struct comment {
    int64_t id, parent_id, author_id, depth, created_at;
    const char *path, *body, *author_name, *hidden_reason;
    int hidden, held, erased;
} comment_t;

/* A page of the discussion of target ("proposal"/"process", id) in thread order:
 * after path after ("" from the start) or, backwards, before it. Held comments
 * only for their author viewer_id. Returns 0 or < 0. */
int processes_comment_page(db_t *db, arena_t *a, const char *kind, int64_t target_id, const char *after, int backwards,
                           int64_t viewer_id, size_t limit, comment_t **out, size_t *n, int *more);
/* One comment of target: 0, 1 when none, < 0. */
int processes_comment_load(db_t *db, arena_t *a, const char *kind, int64_t target_id, int64_t id, comment_t *out);
/* Public comments of a target (for the process discussion's count). */
int processes_comment_count(db_t *db, const char *kind, int64_t target_id, int64_t *out);

/* ---- processes_store.c: writes --------------------------------------------------------- */

/* The process fields a staff form edits. */
typedef struct process_input {
    const char *title, *summary, *description, *status;
    int64_t project_id, unit_id; /* 0: none */
} process_input_t;

/* Creates a process (0 with *id) or updates one; inside the caller's transaction.
 * Publishing queues the announcement of a running phase. Returns 0 or < 0. */
int processes_store_create(db_t *db, const process_input_t *in, int64_t actor_id, int64_t now, int64_t *id);
int processes_store_update(db_t *db, int64_t id, const process_input_t *in, int64_t actor_id, int64_t now);
int processes_store_results(db_t *db, int64_t id, const char *text, int64_t actor_id, int64_t now);
/* Saves a phase (phase->id 0: new, set on return), renumbers the positions, keeps
 * the process's start and end, and queues the job that tells the followers when
 * the phase begins. The caller checked that the phases fit. Returns 0 or < 0. */
int processes_store_phase(db_t *db, int64_t process_id, process_phase_t *phase, int64_t now);
int processes_delete_phase(db_t *db, int64_t process_id, int64_t phase_id, int64_t now);

/* A new proposal (held: by the word list); 0 with *id. */
int processes_store_proposal(db_t *db, int64_t process_id, int64_t author_id, const char *title, const char *body,
                             int held, int64_t now, int64_t *id);
int processes_update_proposal(db_t *db, int64_t id, const char *title, const char *body, int held, int64_t now);
/* Adds the user's support: 0 added, 1 there was one already (the count is kept
 * right in the same transaction; parallel requests add one at most). < 0 error. */
int processes_support(db_t *db, int64_t proposal_id, int64_t user_id, int64_t now);
/* Takes it back: 0 removed, 1 there was none. */
int processes_unsupport(db_t *db, int64_t proposal_id, int64_t user_id);
/* Sets status, reason and official answer (answer "" keeps none). */
int processes_answer(db_t *db, int64_t proposal_id, const char *status, const char *reason, const char *answer,
                     int64_t actor_id, int64_t now);
/* A comment on kind/target_id of process_id, replying to parent (NULL: a new
 * thread; a parent deeper than COMMENT_DEPTH_MAX - 1 passes the reply to its own
 * parent). Counts it in the proposal unless held. 0 with *id. */
int processes_store_comment(db_t *db, arena_t *a, int64_t process_id, const char *kind, int64_t target_id,
                            const comment_t *parent, int64_t author_id, const char *body, int held, int64_t now,
                            int64_t *id);

/* processes_hooks.c: the job that tells followers of a process that a phase began. */
int processes_phase_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen);

/* ---- processes_view.c: view models ------------------------------------------------------ */

const char *processes_tr(const http_req_t *req, const char *msgid);
/* The process as pages and the API show it: id, title, summary, url, state, state
 * label, dates, phases (with "running", labels, components), the running phase
 * and what one can do now. lang: labels in it. A new reference. */
json_t *processes_process_json(arena_t *a, const process_t *p, const char *lang, int64_t now);
/* A proposal in a list or on its page (the text only when full). */
json_t *processes_proposal_json(arena_t *a, const proposal_t *p, const char *lang, int64_t viewer_id, int full);
/* Contribution Markdown as HTML: participation_markdown, or the text escaped as
 * paragraphs when that is not there yet. Never NULL. */
const char *processes_contribution_html(arena_t *a, const char *markdown);
/* Staff Markdown (descriptions, answers, results) as HTML; "" for "". */
const char *processes_staff_html(arena_t *a, const char *markdown);
/* A discussion page as nested threads: comments[0..n) in path order become
 * {"comments": [ … {"replies": [ … ]} ]}. reply_base: the path to which
 * "/<id>/antworten" is appended for reply links; NULL: no reply links. */
json_t *processes_thread_json(arena_t *a, const comment_t *comments, size_t n, const char *lang, int64_t viewer_id,
                              const char *reply_base);
/* The comment form field ("text") with value and error (a msgid or NULL). */
json_t *processes_comment_field(const http_req_t *req, const char *value, const char *error);
/* Why the viewer cannot contribute now (a msgid), or NULL: not signed in is not
 * asked here (the forms then show a sign-in link). */
const char *processes_closed_reason(const process_t *p, int component, int64_t now);
/* An error summary array entry for field id. */
void processes_add_error(json_t *errors, const char *id, const char *message);
/* The "hinweis" alert named by ?hinweis= after a POST, or NULL. */
json_t *processes_notice(http_req_t *req);
/* The sign-in link back to path. */
json_t *processes_login_url(http_req_t *req, const char *path);

/* Helpers that have answered with an error page return PROCESSES_ANSWERED (a
 * handler must return 0 then, not a status): they call processes_fail, and the
 * handler returns processes_status(rc). */
#define PROCESSES_ANSWERED 1
/* Answers the error page for status with a msgid; returns PROCESSES_ANSWERED. */
int processes_fail(http_req_t *req, int status, const char *msgid);
static inline int processes_status(int rc)
{
    return rc == PROCESSES_ANSWERED ? 0 : rc;
}

/* ---- handlers ---------------------------------------------------------------------------- */

/* processes.c */
int processes_load_visible(http_req_t *req, int64_t id, process_t *out); /* 0, or the status (404) */
int64_t processes_now(void);
/* proposals.c */
int proposals_list_page(http_req_t *req);
int proposals_new_page(http_req_t *req);
int proposals_create(http_req_t *req);
int proposals_page(http_req_t *req);
int proposals_edit_page(http_req_t *req);
int proposals_update(http_req_t *req);
int proposals_support(http_req_t *req);
int proposals_unsupport(http_req_t *req);
/* comments.c */
int comments_proposal_create(http_req_t *req);
int comments_proposal_reply_page(http_req_t *req);
int comments_process_page(http_req_t *req);
int comments_process_create(http_req_t *req);
int comments_process_reply_page(http_req_t *req);
/* The page of a discussion the query asks for: nach=<path> (after it), vor=<path>
 * (before it, *backwards), zu=<comment id> (from the start of its thread).
 * 0 with *after (NULL: from the start), 400 for a bad parameter, 503. */
int comments_cursor(http_req_t *req, const char *kind, int64_t target, const char **after, int *backwards);
/* Renders a proposal page (proposals.c) with a comment form error. */
int proposals_render(http_req_t *req, const process_t *p, int64_t pid, int status, const char *comment_text,
                     const char *comment_error);
/* processes_staff.c */
int processes_staff_list(http_req_t *req);
int processes_staff_new(http_req_t *req);
int processes_staff_create(http_req_t *req);
int processes_staff_edit(http_req_t *req);
int processes_staff_update(http_req_t *req);
int processes_staff_results(http_req_t *req);
int processes_staff_results_save(http_req_t *req);
int processes_staff_phase_new(http_req_t *req);
int processes_staff_phase_create(http_req_t *req);
int processes_staff_phase_edit(http_req_t *req);
int processes_staff_phase_update(http_req_t *req);
int processes_staff_phase_delete(http_req_t *req);
int processes_staff_answer_page(http_req_t *req);
int processes_staff_answer_save(http_req_t *req);
/* processes_api.c */
int processes_api_list(http_req_t *req);
int processes_api_process(http_req_t *req);
int processes_api_proposals(http_req_t *req);

#endif
