/* internal.h — what the parts of the participation module call of each other.
 * Each function is implemented in the file named above it. */
#ifndef RATHAUS_MODULES_PARTICIPATION_INTERNAL_H
#define RATHAUS_MODULES_PARTICIPATION_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

/* Permissions (sql/participation/000_roles.sql grants them). */
#define PERM_PROJECTS "participation.projects.manage"  /* edit the Vorhabenliste, publish editions */
#define PERM_REQUESTS "participation.requests.manage"  /* the coordination office: check Anregungen */
#define PERM_PROCESSES "participation.processes.manage"/* run processes: phases, components, answers */
#define PERM_MODERATE "participation.moderate"          /* moderation queue, hiding, blocking */

/* ---- moderation.c: who may contribute, and what is held back ------------------- */

enum contribute_refusal {
    CONTRIBUTE_OK = 0,
    CONTRIBUTE_SIGN_IN = 1,     /* not signed in */
    CONTRIBUTE_UNCONFIRMED = 2, /* the account's e-mail is not confirmed (trust level 0) */
    CONTRIBUTE_BLOCKED = 3,     /* blocked by the moderation */
    CONTRIBUTE_RATE = 4,        /* too many contributions in a short time */
};
/* Whether the signed-in user may contribute now (kind: "comment", "proposal",
 * "support", "request", "survey", "event" — each has its own rate limit).
 * *message gets a plain German msgid explaining a refusal. Records the attempt
 * for the rate limit when it returns CONTRIBUTE_OK. < 0 on a database error. */
int participation_may_contribute(http_req_t *req, const char *kind, const char **message);
/* 1 when text contains a word of the configurable word list: the contribution
 * is held for review instead of being published. < 0 on a database error. */
int participation_held_by_words(db_t *db, const char *text);
/* Renders a contribution's Markdown safely: md4c without raw HTML, without images
 * (no tracking pixels), links rel="nofollow ugc noopener"; NULL on error. */
const char *participation_markdown(arena_t *arena, const char *markdown);

/* ---- projects.c: the Vorhabenliste, districts, topics and following ------------ */

/* Sends the followers of a target an e-mail (or queues it for their daily digest):
 * target_kind "district" | "topic" | "project" | "process" | "request". path is
 * the page the mail links to. Works inside the caller's transaction. */
int participation_notify_followers(db_t *db, const config_t *cfg, const char *target_kind, int64_t target_id,
                                   const char *subject, const char *text, const char *path);
/* The participation processes of Vorhaben project_id for its page: a JSON array
 * of {"id", "title", "url", "phase"} (a new reference; NULL on a database error).
 * Returns [] until processes.c provides the list (the integrator wires it). */
json_t *projects_processes_json(db_t *db, int64_t project_id);

/* projects_follow.c: the follow form's model for kind/id ("project", "request",
 * "process"; signed in or not, following or not), for any page with a follow box. */
json_t *projects_follow_box(http_req_t *req, const char *kind, int64_t id, const char *name);

/* ---- requests.c: residency ---------------------------------------------------- */

/* Whether user_id counts as a resident of the city for Anregungen and supports:
 * 1 yes, 0 no; *why gets a msgid when not. min_age 14 for submitting. */
int participation_is_resident(db_t *db, int64_t user_id, int min_age, const char **why);

/* ---- processes.c: participation processes, proposals, comments ------------------- */

/* Contributions the moderation acts on: kind "proposal" (table proposals) or
 * "comment" (table comments); both have author_id, held, hidden_at, hidden_reason,
 * hidden_by (sql/participation/003_processes.sql). The functions below work inside
 * the caller's transaction and write no audit entry: the caller audits its action. */
#define PROCESSES_HIDE_REASON_MAX 500 /* characters of a public hiding reason */

/* Hides a contribution: its page shows "Von der Moderation ausgeblendet: <reason>"
 * instead of the text (reason: plain text, 1..PROCESSES_HIDE_REASON_MAX characters,
 * public). Hiding a hidden one again replaces the reason. Counts stay (a hidden
 * comment still stands in its thread). Returns 0, 1 when there is no such
 * contribution, -2 for a bad kind or reason, -1 on a database error. */
int processes_hide(db_t *db, const char *kind, int64_t id, const char *reason, int64_t moderator_id);
/* Shows a hidden contribution again. Returns 0, 1 when there is no such hidden
 * contribution, -2 for a bad kind, -1 on a database error. */
int processes_unhide(db_t *db, const char *kind, int64_t id, int64_t moderator_id);
/* Publishes a contribution the word list held (held = 0) and counts it: a comment
 * in its proposal's comment_count, a proposal in its process's numbers per
 * status. Returns 0, 1 when there is no such held
 * contribution, -2 for a bad kind, -1 on a database error. */
int processes_release_held(db_t *db, const char *kind, int64_t id, int64_t moderator_id);

/* One contribution as the moderation queue shows it (strings in the arena). */
typedef struct processes_contribution {
    int64_t id;
    int64_t author_id;
    int64_t process_id;
    const char *title;         /* a proposal's title; "" for a comment */
    const char *text;          /* Markdown as the author wrote it */
    const char *url;           /* its public page, with #anchor for a comment */
    const char *hidden_reason; /* "" when not hidden */
    int held, hidden;
    int64_t created_at;
} processes_contribution_t;
/* Loads a contribution: 0 with *out, 1 when there is none, -2 for a bad kind, -1
 * on a database error. */
int processes_contribution(db_t *db, arena_t *a, const char *kind, int64_t id, processes_contribution_t *out);

/* Whether component "proposals" | "comments" | "surveys" | "events" is switched on
 * in the phase of process_id that runs at now (Unix seconds): 1 yes; 0 no, also for
 * an unknown or unpublished process or when no phase runs; -2 for an unknown
 * component; -1 on a database error. */
int processes_component_open(db_t *db, int64_t process_id, const char *component, int64_t now);
/* Whether the process exists and is public (1), exists only as a draft (2), or
 * not at all (0); < 0 on a database error. */
int processes_visibility(db_t *db, int64_t process_id);

/* The published processes of Vorhaben project_id, oldest first: a JSON array of
 * {"id", "title", "url", "phase" (the running phase's title, or ""), "state"
 * ("upcoming" | "current" | "finished")}, the shape projects_processes_json
 * promises. A new reference; NULL on a database error. */
json_t *processes_of_project_json(db_t *db, int64_t project_id);

/* Start-up of the processes part (participation_init must call it): registers the
 * job "participation.phase_start", which tells the followers of a process that a
 * phase began (queued by every phase save for the phase's start), and the "Meine
 * Daten" provider (export; erasing texts and supports with the account). */
int processes_register_jobs(void);

/* ---- start-up and demo data of each part (participation.c calls them) ------------ */
int projects_register_jobs(void);   /* projects.c: follower mails, daily digest */
int requests_init(void);            /* requests.c: the end of a support period job, privacy hooks */
int surveys_register(void);         /* surveys_privacy.c: surveys' and events' share of "Meine Daten" */
int projects_demo(db_t *db, const char *data_dir);   /* Vorhaben, districts, topics */
int requests_demo(db_t *db);
int processes_demo(db_t *db);       /* a process with phases, proposals, comments */
int surveys_demo(db_t *db);         /* a survey and an event of that process */

#endif
