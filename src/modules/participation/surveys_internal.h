/* surveys_internal.h — what the files of surveys and events share; private to them.
 *
 *   surveys.c          the module: route table, the process a page belongs to, the
 *                      list of surveys, a survey's page with its answer form
 *   surveys_logic.c    pure rules: states, dates, limits, percentages and means, the
 *                      results as a view model with charts, CSV (tests/unit/test_surveys.c)
 *   surveys_store.c    queries and writes of surveys, questions, answer sets, tallies
 *   surveys_staff.c    staff: create and edit a survey with its questions, close it
 *   surveys_results.c  the results page, the two CSV files, the JSON API of surveys,
 *                      hiding a free-text answer (moderation)
 *   surveys_demo.c     demo data (data/participation/surveys.json)
 *   surveys_privacy.c  the share of surveys and events in "Meine Daten" (export, deletion)
 *   events.c           events: list, page, registration and cancellation, iCalendar,
 *                      confirmation mails, the JSON API of events
 *   events_store.c     queries and writes of events and registrations
 *   events_staff.c     staff: create and edit an event, the list of registrations
 *
 * Surveys and events belong to a participation process (003_processes.sql) and
 * take answers or registrations only while a phase of it runs with the
 * component switched on (processes_component_open, internal.h). Strings of the
 * structs below live in the arena they were loaded into.
 */
#ifndef RATHAUS_MODULES_PARTICIPATION_SURVEYS_INTERNAL_H
#define RATHAUS_MODULES_PARTICIPATION_SURVEYS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "web/http.h"

/* Limits (STYLE.md rule 5), in characters unless said otherwise. The form
 * parser takes at most 200 fields per request (web/dispatch.c): the staff form
 * has 4 per question, the answer form one per option or question, hence the
 * caps on questions and on options of a whole survey. */
#define SURVEY_TITLE_MAX 200
#define SURVEY_TEXT_MAX 20000 /* a survey's or event's description */
#define SURVEY_QUESTIONS_MAX 30
#define SURVEY_QUESTION_MAX 500      /* the text of a question */
#define SURVEY_OPTIONS_MAX 12        /* options of one choice question */
#define SURVEY_OPTIONS_TOTAL_MAX 150 /* options of all questions of a survey */
#define SURVEY_OPTION_MAX 200        /* the label of an option */
#define SURVEY_ANSWER_MAX 2000       /* a free-text answer */
#define SURVEY_HIDE_REASON_MAX 500   /* the public reason for hiding a free text */
#define SURVEY_LIST_MAX 200          /* surveys or events listed for one process */
#define SURVEY_CSV_MAX (32u << 20)   /* bytes of a CSV file */
#define SURVEY_STAFF_BODY_LIMIT (256 * 1024)
#define SURVEY_ANSWER_BODY_LIMIT (1024 * 1024) /* 30 free texts of 2000 characters, percent-encoded */
#define EVENT_PLACE_MAX 200
#define EVENT_ADDRESS_MAX 300
#define EVENT_NOTE_MAX 1000 /* more words on the accessibility of the place */
#define EVENT_CAPACITY_MAX 10000
#define EVENT_REGISTRATIONS_MAX 10000 /* rows of the staff list */

/* A value and its German label (a msgid). */
typedef struct survey_choice {
    const char *value;
    const char *label;
} survey_choice_t;

/* ---- surveys_logic.c: pure rules ------------------------------------------------------- */

enum survey_kind { SURVEY_SINGLE = 0, SURVEY_MULTIPLE = 1, SURVEY_TEXT = 2, SURVEY_RATING = 3, SURVEY_KIND_COUNT = 4 };
extern const survey_choice_t surveys_kinds[SURVEY_KIND_COUNT]; /* einfach mehrfach text bewertung */
extern const survey_choice_t surveys_statuses[2];              /* entwurf veroeffentlicht */
#define SURVEY_RATING_STEPS 5
/* The labels of the rating steps 1..5 (msgids: "1 – sehr schlecht" … "5 – sehr gut"). */
extern const char *const surveys_rating_labels[SURVEY_RATING_STEPS];

/* The index of value in list[0..n), or -1. */
int surveys_choice_index(const survey_choice_t *list, size_t n, const char *value);

typedef struct survey_option {
    int64_t id;
    const char *label;
    int64_t count; /* answer sets that chose it (tallies) */
} survey_option_t;

typedef struct survey_text_answer {
    int64_t id;
    const char *text;
    int hidden;
    const char *hidden_reason; /* "" unless hidden */
} survey_text_answer_t;

typedef struct survey_question {
    int64_t id;
    int kind; /* enum survey_kind */
    const char *text;
    int required;
    survey_option_t *options; /* choice questions */
    size_t option_count;
    int64_t ratings[SURVEY_RATING_STEPS]; /* tallies of a rating question: ratings[0] counts 1 */
    int64_t answered;                     /* answer sets that answered it (tallies) */
    survey_text_answer_t *texts;          /* free texts, oldest first (tallies with texts) */
    size_t text_count;
} survey_question_t;

typedef struct survey {
    int64_t id, process_id, phase_id; /* phase_id 0: none */
    const char *title, *description, *status;
    int64_t opens_at, closes_at, closed_at; /* closed_at 0: not closed early */
    int live_results;
    int64_t created_at, updated_at;
    int64_t response_count; /* answer sets (lists and tallies) */
    survey_question_t *questions;
    size_t question_count;
} survey_t;

typedef enum survey_state {
    SURVEY_DRAFT = 0,    /* not published */
    SURVEY_UPCOMING = 1, /* published, before opens_at */
    SURVEY_OPEN = 2,     /* taking answers (if the process's phase allows) */
    SURVEY_CLOSED = 3,   /* after closes_at, or closed early */
} survey_state_t;

survey_state_t surveys_state(const survey_t *s, int64_t now);
/* "draft" | "upcoming" | "open" | "closed", and the German label (msgid). */
const char *surveys_state_name(survey_state_t st);
const char *surveys_state_label(survey_state_t st);
/* Whether everyone may see the results now: after closing, or while it runs
 * when the survey says so (never for a draft). */
int surveys_results_public(const survey_t *s, int64_t now);

/* count of base in tenths of a percent, rounded half up (0 when base is 0). */
int64_t surveys_permille(int64_t count, int64_t base);
/* The mean of a rating tally in tenths (37 for 3.7), rounded half up; *n gets
 * the number of ratings (0 → mean 0). */
int64_t surveys_mean_tenths(const int64_t ratings[SURVEY_RATING_STEPS], int64_t *n);
/* Tenths as the language writes them: "33,3" (de) or "33.3" (en); "" on NULL lang
 * gives the German form. In the arena. */
const char *surveys_tenths_label(arena_t *a, const char *lang, int64_t tenths);

/* Calendar days and local times (the server runs in Europe/Berlin, main.c):
 * "2026-03-01" → the first second of that day, or of the next one (_end, for an
 * inclusive last day); "2026-03-01T18:30" (an <input type="datetime-local">,
 * seconds allowed) → that local time. 0 with *t, -1 for anything else (years
 * 2000–2199 only, real dates only). */
int surveys_parse_day(const char *iso, int64_t *t);
int surveys_parse_day_end(const char *iso, int64_t *t);
int surveys_parse_datetime(const char *iso, int64_t *t);
/* A Unix time as "2026-03-01", "2026-03-01T18:30", "01.03.2026", "01.03.2026, 18:30"
 * or "18:30", local time, in the arena ("" for t <= 0). */
const char *surveys_iso_day(arena_t *a, int64_t t);
const char *surveys_iso_datetime(arena_t *a, int64_t t);
const char *surveys_day_label(arena_t *a, int64_t t);
const char *surveys_time_label(arena_t *a, int64_t t);
const char *surveys_clock_label(arena_t *a, int64_t t);

/* Characters of valid UTF-8 s; s without surrounding white space (arena; "" for NULL). */
size_t surveys_chars(const char *s);
const char *surveys_trim(arena_t *a, const char *s);
/* A whole number of at most 12 digits in [min, max] from s, or -1. */
int64_t surveys_number(const char *s, int64_t min, int64_t max);
/* The non-empty lines of text, trimmed, into out[0..*n) (arena). Returns 0, or -1
 * when there are more than max (then *n = max + 1). */
int surveys_lines(arena_t *a, const char *text, const char **out, size_t max, size_t *n);

/* CSV (RFC 4180): a field in double quotes, inner quotes doubled. A text that a
 * spreadsheet would run as a formula (it starts with = + - @, a tab or a CR) gets
 * a leading apostrophe (OWASP "CSV injection"). Returns 0 or the buffer's error. */
int surveys_csv_text(buf_t *b, const char *s);
/* The aggregated results of a survey with tallies: one row per option, rating
 * step, mean and free-text count, after a header row; CRLF line ends. */
int surveys_csv_results(buf_t *b, const survey_t *s);
/* The header of the answers file: "antwort_nr" and one column per question. */
int surveys_csv_answers_header(buf_t *b, const survey_t *s);
/* One answer set: its number and cells[0..s->question_count) ("" unanswered). */
int surveys_csv_answers_row(buf_t *b, const survey_t *s, int64_t number, const char *const *cells);

/* The results of a survey with tallies as the results page and the API show them:
 * {"respondents", "questions": [{"number", "text", "kind", "kind_label",
 * "answered", "is_choice", "multiple", "is_rating", "is_text", "rows": [{"label",
 * "count", "percent", "permille"}], "mean", "mean_tenths", "chart" (SVG, with_charts),
 * "texts": [{"id", "answer", "hidden", "reason"}]}]}. Hidden free texts keep their
 * text only when with_hidden (staff). A new reference. */
json_t *surveys_results_json(arena_t *a, const char *lang, const survey_t *s, int with_charts, int with_hidden);

/* Events: where registration stands at now. */
typedef enum event_state {
    EVENT_DRAFT = 0,
    EVENT_OPEN = 1,   /* registration open, places free */
    EVENT_FULL = 2,   /* registration open, no place left */
    EVENT_CLOSED = 3, /* registration over, the event still to come or running */
    EVENT_PAST = 4,   /* the event has ended */
} event_state_t;

typedef struct event {
    int64_t id, process_id, phase_id;
    const char *title, *description, *status, *place, *address, *accessibility_note;
    int features[4]; /* events_features order: step-free, toilet, hearing loop, sign language */
    int64_t starts_at, ends_at, capacity, registered_count, registration_until, sequence;
    int64_t created_at, updated_at;
} event_t;

/* The accessibility features of a place: form field, column, label (msgid). */
typedef struct event_feature {
    const char *field;
    const char *column;
    const char *label;
} event_feature_t;
extern const event_feature_t events_features[4];

event_state_t events_state(const event_t *e, int64_t now);
const char *events_state_name(event_state_t st); /* draft open full closed past */
const char *events_state_label(event_state_t st);

/* ---- surveys.c: the process a page belongs to ---------------------------------------------- */

typedef struct survey_process {
    int64_t id;
    const char *title;
    int published;
    int64_t unit_id; /* 0: none */
    int manage;      /* the viewer holds PERM_PROCESSES for its unit */
} survey_process_t;

/* Helpers that answered with an error page return SURVEYS_ANSWERED: the handler
 * returns surveys_status(rc) (0 then, else the status for the standard page). */
#define SURVEYS_ANSWERED 1
int surveys_fail(http_req_t *req, int status, const char *msgid);
static inline int surveys_status(int rc)
{
    return rc == SURVEYS_ANSWERED ? 0 : rc;
}

/* The process of the address (:id), visible to the viewer: 0, or what to return
 * (404 for a draft of another unit, as for one that does not exist). With staff
 * set, only who may manage it passes (404 for others). */
int surveys_process_of_request(http_req_t *req, int staff, survey_process_t *out);
/* The phases of a process as select options [{value, label, selected}] with a
 * first "keine Phase" entry (value ""); NULL on a database error. */
json_t *surveys_phase_options(http_req_t *req, int64_t process_id, int64_t selected);
/* Whether phase_id is a phase of process_id: 1 with its first second and the
 * first second after it, 0 if not, < 0 on error. */
int surveys_phase_dates(db_t *db, int64_t process_id, int64_t phase_id, int64_t *starts, int64_t *ends);
/* The process as the pages show it: {"id", "title", "url"}. */
json_t *surveys_process_json(const survey_process_t *p);
/* The alert after a POST named by ?hinweis= among notices[0..n) ({value, text
 * msgid, kind}); NULL when there is none. */
json_t *surveys_notice(http_req_t *req, const survey_choice_t *notices, size_t n, const char *kind);
/* Translates msgid into the request's language. */
const char *surveys_tr(const http_req_t *req, const char *msgid);
/* Staff Markdown as HTML (md4c, raw HTML off); "" for "". */
const char *surveys_markdown(arena_t *a, const char *markdown);
/* An error summary entry. */
void surveys_add_error(json_t *errors, const char *id, const char *message);
/* "user:<id>" of the signed-in user (audit actor). */
const char *surveys_actor(http_req_t *req);
/* The sign-in page's address, coming back to path. */
const char *surveys_login_url(http_req_t *req, const char *path);
int64_t surveys_now(void);
/* :name of the address as an id, or 0. */
int64_t surveys_param_id(const http_req_t *req, const char *name);

/* ---- surveys_store.c --------------------------------------------------------------------- */

/* A survey with its questions and options (no tallies): 0, 1 when process_id has
 * no such survey, < 0 on error. */
int surveys_load(db_t *db, arena_t *a, int64_t process_id, int64_t id, survey_t *out);
/* The surveys of a process with their answer counts, by opening then id
 * (drafts only with_drafts); at most SURVEY_LIST_MAX. 0 or < 0. */
int surveys_list(db_t *db, arena_t *a, int64_t process_id, int with_drafts, survey_t **out, size_t *n);
/* Fills the tallies of a loaded survey: response_count, per question answered,
 * option counts, ratings, and (with_texts) the free texts. 0 or < 0. */
int surveys_tally(db_t *db, arena_t *a, survey_t *s, int with_texts);
/* Appends the answers file (header and one row per answer set, in the order
 * they came). Hidden free texts are written as "[ausgeblendet]" unless
 * with_hidden. 0, BUF_ETOOBIG when it does not fit, < 0 on error. */
int surveys_answers_csv(db_t *db, arena_t *a, const survey_t *s, int with_hidden, buf_t *b);
/* Whether user_id answered the survey: 1, 0, < 0. */
int surveys_answered(db_t *db, int64_t survey_id, int64_t user_id);
/* Answer sets of a survey (0 when none), or < 0. */
int64_t surveys_response_count(db_t *db, int64_t survey_id);

/* The fields staff edit; questions only replace the stored ones when
 * replace_questions (the survey has no answers yet). */
typedef struct survey_input {
    const char *title, *description, *status;
    int64_t phase_id, opens_at, closes_at;
    int live_results;
    int replace_questions;
    const survey_question_t *questions; /* kind, text, required, options[].label */
    size_t question_count;
} survey_input_t;
/* Creates (*id 0 → the new id) or updates survey *id of process_id, inside the
 * caller's transaction. 0 or < 0. */
int surveys_store_save(db_t *db, int64_t process_id, const survey_input_t *in, int64_t actor_id, int64_t now,
                       int64_t *id);
/* Closes a survey now (closed_at); 0, 1 when it was closed already, < 0. */
int surveys_store_close(db_t *db, int64_t survey_id, int64_t actor_id, int64_t now);

/* One question's answer as the resident gave it. */
typedef struct survey_answer_input {
    const int64_t *option_ids; /* chosen options */
    size_t option_count;
    int rating;       /* 1..5, 0: none */
    const char *text; /* NULL or "": none */
} survey_answer_input_t;
/* Stores an answer set of user_id (answers[i] for s->questions[i]) inside the
 * caller's transaction: 0, 1 when the user has answered before (nothing stored;
 * also when a parallel request got there first), < 0 on error. */
int surveys_store_response(db_t *db, const survey_t *s, int64_t user_id, const survey_answer_input_t *answers,
                           int64_t now);
/* Hides a free-text answer of survey_id with a public reason, or shows it again
 * (reason NULL). 0, 1 when there is no such free text, < 0. */
int surveys_store_hide(db_t *db, int64_t survey_id, int64_t answer_id, const char *reason, int64_t actor_id,
                       int64_t now);

/* ---- handlers ------------------------------------------------------------------------------ */

/* surveys.c */
int surveys_list_page(http_req_t *req);
int surveys_page(http_req_t *req);
int surveys_answer(http_req_t *req);
/* surveys_staff.c */
int surveys_staff_new(http_req_t *req);
int surveys_staff_create(http_req_t *req);
int surveys_staff_edit(http_req_t *req);
int surveys_staff_update(http_req_t *req);
int surveys_staff_close(http_req_t *req);
/* surveys_results.c */
int surveys_results_page(http_req_t *req);
int surveys_results_csv(http_req_t *req);
int surveys_answers_csv_download(http_req_t *req);
int surveys_api_list(http_req_t *req);
int surveys_api_results(http_req_t *req);
int surveys_hide(http_req_t *req); /* moderation: hide a free-text answer with a reason */
int surveys_unhide(http_req_t *req);
/* The survey of the address (:sid) in process p as the viewer may see it
 * (drafts only for staff): 0, or what to return. */
int surveys_of_request(http_req_t *req, const survey_process_t *p, survey_t *out);
/* A survey in a list: {"id", "title", "url", "state", "state_label", "opens",
 * "closes", "responses", "results_url" (when public or staff)}. */
json_t *surveys_item_json(http_req_t *req, const survey_process_t *p, const survey_t *s, int64_t now);

/* events.c */
int events_list_page(http_req_t *req);
int events_page(http_req_t *req);
int events_ics(http_req_t *req);
int events_register(http_req_t *req);
int events_cancel(http_req_t *req);
int events_api_list(http_req_t *req);
/* The event of the address (:eid) in process p as the viewer may see it. */
int events_of_request(http_req_t *req, const survey_process_t *p, event_t *out);
/* An event as pages and the API show it. */
json_t *events_json(http_req_t *req, const survey_process_t *p, const event_t *e, int64_t now);
/* events_staff.c */
int events_staff_new(http_req_t *req);
int events_staff_create(http_req_t *req);
int events_staff_edit(http_req_t *req);
int events_staff_update(http_req_t *req);
int events_staff_registrations(http_req_t *req);

/* ---- events_store.c ------------------------------------------------------------------------- */

/* One event of process_id: 0, 1 when none, < 0. */
int events_load(db_t *db, arena_t *a, int64_t process_id, int64_t id, event_t *out);
/* The events of a process by start (drafts only with_drafts). 0 or < 0. */
int events_list(db_t *db, arena_t *a, int64_t process_id, int with_drafts, event_t **out, size_t *n);
/* Creates (*id 0) or updates an event (fields of e; raises its sequence), inside
 * the caller's transaction. 0; 2 when an update would take the capacity below
 * the places taken (nothing changed); < 0 on error. */
int events_store_save(db_t *db, int64_t process_id, const event_t *e, int64_t actor_id, int64_t now, int64_t *id);
/* Registers user_id inside the caller's transaction: 0 registered, 1 registered
 * already (nothing written), 2 no place left, < 0 on error. After 2 and < 0 the
 * caller rolls back: the registration row was written before the place was
 * refused. */
int events_store_register(db_t *db, int64_t event_id, int64_t user_id, int64_t now);
/* Cancels user_id's registration: 0 cancelled, 1 there was none, < 0. */
int events_store_cancel(db_t *db, int64_t event_id, int64_t user_id, int64_t now);
/* Whether user_id is registered: 1, 0, < 0. */
int events_registered(db_t *db, int64_t event_id, int64_t user_id);

typedef struct event_registration {
    int64_t id, user_id;
    const char *name, *email, *status;
    int64_t created_at, updated_at;
} event_registration_t;
/* Registrations of an event (registered first, then cancelled; by time). 0 or < 0. */
int events_registrations(db_t *db, arena_t *a, int64_t event_id, event_registration_t **out, size_t *n);

/* ---- surveys_privacy.c ------------------------------------------------------------------------ */

/* Registers the share of surveys and events in "Meine Daten" (account.h): export
 * of one's answer sets and registrations; on deletion answer sets stay without
 * the person, registrations for coming events are cancelled. 0 or < 0. */
int surveys_register(void);
/* The two hooks it registers (account.h's export_data and erase_data): 0 or < 0. */
int surveys_privacy_export(db_t *db, int64_t user_id, json_t *out);
int surveys_privacy_erase(db_t *db, int64_t user_id, json_t *kept);

#endif
