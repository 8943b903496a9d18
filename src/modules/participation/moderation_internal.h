/* moderation_internal.h — what the files of the moderation share; private to them.
 *
 *   moderation.c           the module (route table), the gate participation_may_contribute:
 *                          sign-in, confirmation, blocks, rate limits; the block page
 *   moderation_words.c     the word list: folding, matching, the per-thread cache,
 *                          participation_held_by_words, the staff page
 *   moderation_markdown.c  participation_markdown: safe Markdown for contributions
 *   moderation_report.c    residents report a contribution
 *   moderation_queue.c     the queue and its actions: hide, release, dismiss
 *   moderation_blocks.c    blocking and unblocking, the rate limit page
 *   moderation_privacy.c   the moderation's share of the GDPR export and deletion
 *
 * Strings in the structs below live in the arena they were loaded into.
 */
#ifndef RATHAUS_MODULES_PARTICIPATION_MODERATION_INTERNAL_H
#define RATHAUS_MODULES_PARTICIPATION_MODERATION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "web/http.h"

/* Limits (STYLE.md rule 5). */
#define MODERATION_MARKDOWN_MAX (64 * 1024)   /* bytes of Markdown rendered; the rest is cut */
#define MODERATION_WORD_MAX 100               /* characters of one word-list entry */
#define MODERATION_WORDS_MAX 2000             /* entries in the word list */
#define MODERATION_WORDS_FORM_MAX (64 * 1024) /* bytes of the word-list form */
#define MODERATION_REPORT_TEXT_MAX 1000       /* characters of a report's own words */
#define MODERATION_BLOCK_REASON_MAX 500       /* characters of a block's reason */
#define MODERATION_QUEUE_MAX 100              /* items on the queue page */
#define MODERATION_BLOCK_DAYS_MAX 3650        /* a block's duration in days */
#define MODERATION_RATE_MAX 100000            /* contributions in one window, as configured */

/* The permissions that open the staff start page /verwaltung/beteiligung. */
#define MODERATION_STAFF_PERMISSIONS                                                                                   \
    "participation.moderate,participation.projects.manage,participation.requests.manage,participation.processes."      \
    "manage"

/* ---- moderation.c -------------------------------------------------------------- */

/* Unix seconds now. */
int64_t moderation_now(void);
/* The actor string of the audit log for the signed-in user ("user:42"). */
const char *moderation_actor(http_req_t *req);
/* The block of user_id in force at now: 1 with *reason and *until_at (0: until
 * lifted) in arena, 0 when there is none, < 0 on a database error. */
int moderation_active_block(db_t *db, arena_t *a, int64_t user_id, int64_t now, const char **reason, int64_t *until_at,
                            int64_t *block_id);
/* Parses a positive decimal id; 0 when s is not one. */
int64_t moderation_parse_id(const char *s);
/* "12.03.2026, 14:05" in Europe/Berlin time (arena). */
const char *moderation_format_time(arena_t *a, int64_t t);
/* msgid in the request's language. */
const char *moderation_tr(http_req_t *req, const char *msgid);
/* A new page model with its translated title. */
json_t *moderation_model(http_req_t *req, const char *title_msgid);
/* Appends {"id": field_id, "message": translated msgid} to the model's "errors". */
void moderation_add_error(http_req_t *req, json_t *model, const char *field_id, const char *msgid);
/* Sets the model's "notice" {kind, text} from ?hinweis=… of a redirect after a
 * POST: the value is looked up in notices (pairs of key and msgid, NULL-ended). */
void moderation_notice(http_req_t *req, json_t *model, const char *const *notices);
/* The name moderators see for an account: its display name, else "Konto <id>". */
const char *moderation_user_name(db_t *db, arena_t *a, int64_t user_id);
/* "proposal" for "vorschlag", "comment" for "kommentar" (the words in addresses
 * and forms); NULL otherwise. moderation_kind_word goes the other way. */
const char *moderation_kind(const char *word);
const char *moderation_kind_word(const char *kind);
/* A JSON string for an audit detail {"key": value, …} built from pairs (NULL-ended). */
const char *moderation_audit_detail(arena_t *a, ...);

/* ---- moderation_words.c ---------------------------------------------------------- */

/* Folds UTF-8 text for matching into out: lower case, ä→ae, ö→oe, ü→ue, ß→ss and
 * accented Latin letters to their base letter, every run of other characters to one
 * space, no space at either end. A '*' is kept when keep_star is set (word-list
 * entries). Returns 0, or < 0 for invalid UTF-8 or when out is full. */
int moderation_fold(const char *text, size_t n, int keep_star, buf_t *out);
/* 1 when folded text (as moderation_fold makes it) contains the folded entry as
 * whole words: each word of the entry equal to the word at its place in the text,
 * or, when it ends in '*', the start of it. */
int moderation_words_match(const char *folded_text, const char *folded_entry);

int moderation_words_page(http_req_t *req); /* GET  /verwaltung/beteiligung/woerter */
int moderation_words_save(http_req_t *req); /* POST /verwaltung/beteiligung/woerter */

/* ---- moderation_report.c ------------------------------------------------------------ */

/* The label (msgid) of a report's category value; NULL for an unknown one. */
const char *moderation_category_label(const char *value);
int moderation_report_form(http_req_t *req);   /* GET  /beteiligung/melden */
int moderation_report_submit(http_req_t *req); /* POST /beteiligung/melden */

/* ---- moderation_queue.c --------------------------------------------------------------- */

int moderation_home(http_req_t *req);    /* GET  /verwaltung/beteiligung */
int moderation_queue(http_req_t *req);   /* GET  /verwaltung/beteiligung/moderation */
int moderation_hide(http_req_t *req);    /* POST …/moderation/ausblenden */
int moderation_unhide(http_req_t *req);  /* POST …/moderation/einblenden */
int moderation_release(http_req_t *req); /* POST …/moderation/freigeben */
int moderation_dismiss(http_req_t *req); /* POST …/moderation/verwerfen */

/* ---- moderation_blocks.c --------------------------------------------------------------- */

int moderation_blocks_page(http_req_t *req); /* GET  /verwaltung/beteiligung/sperren */
int moderation_block(http_req_t *req);       /* POST /verwaltung/beteiligung/sperren */
int moderation_unblock(http_req_t *req);     /* POST /verwaltung/beteiligung/sperren/aufheben */
int moderation_my_block(http_req_t *req);    /* GET  /beteiligung/sperre */
int moderation_limits_page(http_req_t *req); /* GET  /verwaltung/beteiligung/grenzen */
int moderation_limits_save(http_req_t *req); /* POST /verwaltung/beteiligung/grenzen */

/* ---- moderation_privacy.c ---------------------------------------------------------------- */

/* Registers the export and deletion of reports, rate counters and blocks with
 * the account module; once at start-up (participation_init). Returns 0 or < 0. */
int moderation_privacy_register(void);

#endif
