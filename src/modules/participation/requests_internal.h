/* requests_internal.h — what the files of the Anregungen share (requests*.c).
 *
 *   requests.c          the module's route table, start-up (the deadline job, the
 *                       privacy hooks) and participation_is_resident
 *   requests_rules.c    the rules without a database: residency, age, the support
 *                       period, statuses and the office's steps (unit-tested)
 *   requests_model.c    loading an Anregung, its view model, history, e-mails
 *   requests_public.c   the public list and page, supporting, the JSON API
 *   requests_submit.c   the form that submits an Anregung
 *   requests_office.c   the coordination office's queue and steps
 *   requests_privacy.c  the Anregungen's share of "Meine Daten" export and deletion
 *   requests_demo.c     demo data
 *
 * An Anregung moves eingereicht → (abgelehnt | sammlung); sammlung → (erfolgreich at
 * the quorum | nicht_erreicht when the period ends); erfolgreich → vorlage →
 * stadtrat → entschieden. Every step writes a row of the public history.
 */
#ifndef RATHAUS_MODULES_PARTICIPATION_REQUESTS_INTERNAL_H
#define RATHAUS_MODULES_PARTICIPATION_REQUESTS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

#define REQUESTS_QUORUM 200              /* supports an Anregung needs (Leitlinien) */
#define REQUESTS_PERIOD_DAYS 56          /* 8 weeks of collecting */
#define REQUESTS_MIN_AGE 14              /* to submit, and to support (docs/residency.md) */
#define REQUESTS_TITLE_MAX 200           /* characters */
#define REQUESTS_TOPIC_MAX 200           /* characters */
#define REQUESTS_TEXT_MIN 20             /* characters of a justification */
#define REQUESTS_TEXT_MAX 10000          /* characters of a justification */
#define REQUESTS_OFFICE_TEXT_MAX 5000    /* characters of the office's public texts */
#define REQUESTS_PAGE 20                 /* Anregungen per list page */
#define REQUESTS_PAGES_MAX 1000          /* ?seite= beyond this is refused */
#define REQUESTS_PROJECTS_MAX 1000       /* Vorhaben offered in the form's select */
#define REQUESTS_BODY_LIMIT (128 * 1024) /* a form: the longest text in UTF-8 and its escapes */

/* ---- requests_rules.c ------------------------------------------------------------ */

/* 1 when postcode (surrounding blanks ignored) is one of the postcodes of Mainz. */
int requests_postcode_is_mainz(const char *postcode);
/* 1 when city names Mainz: "Mainz", or "Mainz-<Ortsbezirk>" / "Mainz <Ortsbezirk>"
 * for one of the 15 Ortsbezirke (case and surrounding blanks ignored). Mainz-Kastel,
 * -Kostheim and -Amöneburg belong to Wiesbaden and are not Mainz. */
int requests_city_is_mainz(const char *city);
/* Age in whole years on the day y-m-d of a person born on birth_date (yyyy-mm-dd);
 * -1 when birth_date is not a real date or lies after that day. Someone born on
 * 29 February is a year older on 1 March in other years (§ 188 Abs. 3 BGB). */
int requests_age_on(const char *birth_date, int y, int m, int d);
/* The city's calendar date (Europe/Berlin, the server's zone) at Unix time now. */
void requests_local_date(int64_t now, int *y, int *m, int *d);
/* Why an account with these values is no resident of Mainz for Anregungen, as a
 * msgid; NULL when it is one. min_age 0 leaves the age out. */
const char *requests_residency_refusal(int trust_level, const char *postcode, const char *city, const char *birth_date,
                                       int min_age, int64_t now);
/* End of a support period that starts at start (8 weeks later). */
int64_t requests_period_end(int64_t start);
/* Days left until ends_at, counting a started day as a whole one; 0 when over. */
int64_t requests_days_left(int64_t ends_at, int64_t now);
/* The status as it stands at now: a collection whose period ended reads as
 * "nicht_erreicht" even before the deadline job has stored it. */
const char *requests_effective_status(const char *status, int64_t collect_ends_at, int64_t now);
/* 1 when everybody may see an Anregung in status (all but "eingereicht"). */
int requests_status_is_public(const char *status);
/* The German label (msgid) of a status; the status itself when unknown. */
const char *requests_status_label(const char *status);
/* KERN badge kind for a status: info, success, warning, danger. */
const char *requests_status_badge(const char *status);

/* A labelled key of a small fixed list (forms of participation, reasons, decisions). */
typedef struct requests_choice {
    const char *key;
    const char *label; /* msgid */
} requests_choice_t;
/* The forms of participation an author may ask for, in order; *count is set. */
const requests_choice_t *requests_forms(size_t *count);
/* The reasons for which the office refuses an Anregung. */
const requests_choice_t *requests_reasons(size_t *count);
/* The council's decisions. */
const requests_choice_t *requests_decisions(size_t *count);
/* The label of key in list (count entries), or NULL when key is not one of them. */
const char *requests_choice_label(const requests_choice_t *list, size_t count, const char *key);

/* One step the office takes (a button of /verwaltung/beteiligung/anregungen/:id). */
typedef struct requests_step {
    const char *action;     /* form value of "aktion" */
    const char *from;       /* the status it starts from */
    const char *to;         /* the status it leads to */
    const char *label;      /* the button's msgid */
    const char *text_label; /* msgid of the text field */
    const char *text_hint;  /* msgid */
    int text_required;      /* 1: the public text must be given */
    int with_reason;        /* 1: a reason of requests_reasons() is chosen (refusal) */
    int with_decision;      /* 1: a decision of requests_decisions() is chosen */
} requests_step_t;
/* The step action from status from, or NULL when that is not allowed. */
const requests_step_t *requests_step(const char *from, const char *action);
/* The steps that start from status from, in order: up to max into out; returns how many. */
size_t requests_steps_from(const char *from, const requests_step_t **out, size_t max);

/* ---- requests_model.c ------------------------------------------------------------ */

typedef struct request {
    int64_t id;
    int64_t author_id;  /* 0: account deleted */
    int64_t project_id; /* 0: a topic of its own */
    int64_t quorum;
    int64_t support_count;
    int64_t confirmed_count; /* supporters at trust level substantiell or above */
    int64_t submitted_at;
    int64_t published_at;    /* 0: not yet */
    int64_t collect_ends_at; /* 0: not collecting (yet) */
    int64_t quorum_reached_at;
    int64_t updated_at;
    const char *author_name;
    const char *project_title; /* "" without a Vorhaben */
    const char *topic;
    const char *title;
    const char *justification;
    const char *desired_form;
    const char *status; /* as stored */
    const char *refusal_reason;
    const char *refusal_text;
    const char *decision;
    const char *decision_text;
} request_t;

/* The columns requests_read_row reads, and the tables they come from (r, p). */
#define REQUESTS_COLUMNS                                                                                               \
    "r.id, COALESCE(r.author_id, 0), COALESCE(r.project_id, 0), r.quorum, r.support_count,"                            \
    " (SELECT COUNT(*) FROM participation_request_supports s JOIN users u ON u.id = s.user_id"                         \
    "  WHERE s.request_id = r.id AND u.trust_level >= 2),"                                                             \
    " r.submitted_at, COALESCE(r.published_at, 0), COALESCE(r.collect_ends_at, 0),"                                    \
    " COALESCE(r.quorum_reached_at, 0), r.updated_at, r.author_name, COALESCE(p.title, ''), r.topic, r.title,"         \
    " r.justification, r.desired_form, r.status, r.refusal_reason, r.refusal_text, r.decision, r.decision_text"
#define REQUESTS_FROM " FROM participation_requests r LEFT JOIN projects p ON p.id = r.project_id"
/* Fills out from the current row of a query that selects REQUESTS_COLUMNS first. */
void requests_read_row(db_stmt_t *st, arena_t *arena, request_t *out);
/* Loads Anregung id (strings in arena). 0, 1 when there is none, < 0 on a database error. */
int requests_load(db_t *db, arena_t *arena, int64_t id, request_t *out);
/* The view model of an Anregung as the public sees it (also the API object):
 * texts, status with label, counts, progress, days left, links. with_history adds
 * the public history. NULL on a database error. */
json_t *requests_json(http_req_t *req, const request_t *r, int64_t now, int with_history);
/* Adds to o what only the HTML pages show: the justification rendered from
 * Markdown (or as plain paragraphs), the value of the progress bar. */
void requests_json_for_page(http_req_t *req, json_t *o, const request_t *r);
/* Appends a step to the public history (inside the caller's transaction). */
int requests_history_add(db_t *db, int64_t request_id, const char *status, const char *actor_kind, int64_t actor_id,
                         const char *text, int64_t now);
/* E-mails every account holding PERM_REQUESTS about r (inside the caller's
 * transaction): subject and a paragraph, then the link to the office's page. */
int requests_mail_office(db_t *db, const config_t *cfg, arena_t *arena, const request_t *r, const char *subject,
                         const char *text);
/* E-mails the author about r (nothing when the account is gone): a paragraph and
 * the link to the public page. */
int requests_mail_author(db_t *db, const config_t *cfg, arena_t *arena, const request_t *r, const char *subject,
                         const char *text);
/* Writes an audit entry about Anregung id; actor_id 0: the platform itself. */
int requests_audit(db_t *db, int64_t actor_id, const char *action, int64_t id, json_t *detail /* stolen, may be NULL */,
                   const char *ip, const char *request_id);
/* "24.01.2027" or "24.01.2027, 14:30" in the city's zone (arena). */
const char *requests_date(arena_t *arena, int64_t t, int with_time);
/* A positive id from a path or query, else 0. */
int64_t requests_parse_id(const char *s);
/* 503 when the database is down, else 500 (after a failed query). */
int requests_db_status(http_req_t *req);
/* A form field object for templates/form/… (label, hint and error are msgids). */
json_t *requests_field(http_req_t *req, const char *name, const char *label, const char *value, const char *hint,
                       const char *error);
/* Adds error (a msgid) of field to the page's error summary. */
void requests_error(http_req_t *req, json_t *errors, json_t *field);
/* Checks a one-line text: trims it into *out (arena); returns a msgid when it is
 * empty (and required), longer than max characters, or has line breaks. */
const char *requests_check_line(http_req_t *req, const char *in, size_t max, int required, const char **out);
/* The same for a text with paragraphs: min..max characters (min 0: optional). */
const char *requests_check_text(http_req_t *req, const char *in, size_t min, size_t max, const char **out);
/* Finishes a transaction: commit, or roll back after a failure. 0 when committed. */
int requests_finish(db_t *db, int ok);

/* ---- requests_public.c / requests_submit.c / requests_office.c: handlers ---------- */
int requests_list_page(http_req_t *req);
int requests_detail_page(http_req_t *req);
int requests_support(http_req_t *req);
int requests_withdraw(http_req_t *req);
int requests_api_list(http_req_t *req);
int requests_api_detail(http_req_t *req);
int requests_new_page(http_req_t *req);
int requests_new_submit(http_req_t *req);
int requests_office_queue(http_req_t *req);
int requests_office_page(http_req_t *req);
int requests_office_act(http_req_t *req);

/* ---- requests.c / requests_privacy.c ---------------------------------------------- */
/* The job "participation.request_deadline" {"id": N}: ends a collection whose
 * period is over (idempotent). */
int requests_deadline_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen);
/* Queues that job for the end of Anregung id's period (inside the caller's transaction). */
int requests_schedule_deadline(db_t *db, int64_t id, int64_t ends_at);
int requests_privacy_register(void);

#endif
