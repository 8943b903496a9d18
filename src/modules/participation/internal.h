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

/* ---- requests.c: residency ---------------------------------------------------- */

/* Whether user_id counts as a resident of the city for Anregungen and supports:
 * 1 yes, 0 no; *why gets a msgid when not. min_age 14 for submitting. */
int participation_is_resident(db_t *db, int64_t user_id, int min_age, const char **why);

/* ---- start-up and demo data of each part (participation.c calls them) ------------ */
int projects_register_jobs(void);   /* projects.c: follower mails, daily digest */
int requests_register_jobs(void);   /* requests.c: the end of a support period */
int projects_demo(db_t *db, const char *data_dir);   /* Vorhaben, districts, topics */
int requests_demo(db_t *db);
int processes_demo(db_t *db);       /* a process with phases, proposals, comments */
int surveys_demo(db_t *db);         /* a survey and an event of that process */

#endif
