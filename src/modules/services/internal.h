/* internal.h — what the parts of the services module call of each other.
 *
 * Each function is implemented in the file named above it. Other modules use
 * services.h only.
 */
#ifndef RATHAUS_MODULES_SERVICES_INTERNAL_H
#define RATHAUS_MODULES_SERVICES_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

/* Permissions (granted per unit through user_roles.unit_id; 0 = everywhere). */
#define PERM_CASE_READ "services.case.read"            /* see the unit's cases */
#define PERM_CASE_PROCESS "services.case.process"      /* act on them */
#define PERM_CASE_APPROVE "services.case.approve"      /* second pair of eyes */
#define PERM_APPOINTMENTS "services.appointments.manage" /* publish slots, day list */
#define PERM_FORMS "services.forms.manage"             /* load form definitions */
#define PERM_CATALOGUE "services.catalogue.manage"     /* edit the catalogue */

/* ---- application.c: one application, as every part sees it ------------------- */

typedef struct application {
    int64_t id;
    int64_t service_id;
    int64_t form_id;
    int64_t unit_id;
    int64_t user_id;          /* 0: anonymous */
    int64_t assigned_to;      /* 0: nobody */
    int64_t fee_cents;
    int64_t paid_at;          /* 0: unpaid */
    int64_t deadline_at;      /* 0: none */
    int64_t resubmit_at;      /* 0: none */
    int64_t created_at;
    int64_t submitted_at;     /* 0: still a draft */
    int64_t updated_at;
    int64_t closed_at;        /* 0: open */
    int64_t step;
    int64_t approval_requested_by; /* 0: none */
    int four_eyes;            /* the service asks for a second person's approval */
    int appointments;         /* the service is booked with an appointment at the office */
    int min_trust;
    const char *reference;    /* "" while a draft */
    const char *status;       /* 'entwurf', 'eingegangen', … (workflow.c) */
    const char *data;         /* JSON text of the answers */
    const char *summary;
    const char *birth_date;
    const char *fee_lines;    /* JSON text */
    const char *payment_method;
    const char *decision;
    const char *approval_status;
    const char *service_slug;
    const char *service_name;
    const char *workflow;     /* services.workflow */
    const char *unit_name;
} application_t;

/* Loads application id with its service; strings live in arena. Returns 0, 1 when
 * there is no such application, < 0 on a database error. */
int application_load(db_t *db, arena_t *arena, int64_t id, application_t *out);
/* The same, found by its reference number (MZ-2026-000123). */
int application_load_by_reference(db_t *db, arena_t *arena, const char *reference, application_t *out);
/* 1 when the signed-in citizen owns it. */
int application_is_own(const http_req_t *req, const application_t *app);
/* 1 when the signed-in user holds permission for the application's unit. */
int application_staff_may(const http_req_t *req, const application_t *app, const char *permission);
/* Appends to the case history (application_events). internal = 1: staff only. */
int application_event(db_t *db, int64_t app_id, int64_t actor_id, const char *kind, const char *from,
                      const char *to, const char *text, int internal);
/* The next reference number for the year of now: "MZ-2026-000123" (arena).
 * Must run inside the caller's write transaction. NULL on a database error. */
const char *application_next_reference(db_t *db, arena_t *arena, int64_t now);
/* E-mails the applicant that something new is waiting, with only a link to
 * path (no content: the content stays behind the login). Anonymous
 * applications get no mail. Returns 0 or < 0. */
int application_notify(db_t *db, const config_t *cfg, const application_t *app, const char *path);
/* Formats cents as "37,50 €" (de) or "€37.50" (en), in arena. */
const char *application_money(arena_t *arena, int64_t cents, const char *lang);
/* Formats a Unix time as "29.11.2026" or "29.11.2026, 14:30" (Europe/Berlin). */
const char *application_date(arena_t *arena, int64_t t, int with_time);

/* ---- formdef.c: forms as data (docs/forms.md) --------------------------------- */

/* Checks a form definition (JSON text); on failure writes a plain message naming
 * the place ("steps[1].fields[3]: unknown type 'colour'"). Returns 0 or -1. */
int formdef_check(const char *json_text, size_t len, char *err, size_t errlen);
/* Checks and stores it as the next version of its form_key in its own
 * transaction; sets *form_id and *version. Returns 0, -1 for an invalid
 * definition (err says why), < -1 on a database error. */
int formdef_store(db_t *db, const char *json_text, size_t len, int64_t created_by, int64_t *form_id,
                  int64_t *version, char *err, size_t errlen);
/* The same inside the caller's write transaction (so that, say, the audit entry
 * is written with it or not at all). *unchanged: 1 when the text equals the
 * newest version, which is then not stored again (*version is that one). */
int formdef_store_tx(db_t *db, const char *json_text, size_t len, int64_t created_by, int64_t *form_id,
                     int64_t *version, int *unchanged, char *err, size_t errlen);
/* Loads every *.json in dir as a form definition (demo data). */
int formdef_load_dir(db_t *db, const char *dir, char *err, size_t errlen);

/* ---- xdf.c: FIM XDatenfelder → our form format --------------------------------- */

/* Converts an XDatenfelder 2.0 or 3.0 Stammdatenschema to a form definition
 * (new reference), using form_key for its key. NULL with err on failure. */
json_t *xdf_to_formdef(const char *xml, size_t len, const char *form_key, char *err, size_t errlen);

/* ---- catalogue.c ----------------------------------------------------------------- */

/* Loads a catalogue file (data/services/catalogue.json: units' contact data, life
 * situations, services) and indexes it for search. Existing services (by slug)
 * are updated. Returns 0 or < 0 with err. */
int catalogue_import_file(db_t *db, const char *path, char *err, size_t errlen);

/* ---- workflow.c: statuses and transitions ---------------------------------------- */

/* The German label of status in workflow ("In Prüfung"); the status itself if unknown. */
const char *workflow_status_label(const char *workflow, const char *status);
/* 1 when a caseworker may move a case of workflow from → to. */
int workflow_may(const char *workflow, const char *from, const char *to);
/* 1 when status ends the case (abgeschlossen, abgelehnt, zurueckgezogen, …). */
int workflow_is_final(const char *workflow, const char *status);
/* 1 when the applicant may move their own case from → to (withdrawing it:
 * → zurueckgezogen from any status that is not final). case_set_status uses
 * this table when the actor is the applicant, workflow_may otherwise. */
int workflow_citizen_may(const char *workflow, const char *from, const char *to);
/* 1 when the citizen sees a change to status in their history. */
int workflow_citizen_sees(const char *workflow, const char *status);
/* 1 when a change to status is told to the citizen (Postfach message + e-mail link). */
int workflow_notifies(const char *workflow, const char *status);
/* 1 when status is a decision (entschieden, abgelehnt): it needs a second
 * person's approval where the service asks for four eyes. */
int workflow_is_decision(const char *workflow, const char *status);
/* 1 when a notice (Bescheid) is issued on reaching status (if a template exists). */
int workflow_has_notice(const char *workflow, const char *status);
/* 1 when status belongs to workflow. */
int workflow_known(const char *workflow, const char *status);
/* The statuses a caseworker may move a case of workflow to from `from`, in the
 * table's order: up to max keys into to[] and their German button labels into
 * action[] (may be NULL). Returns how many. */
size_t workflow_next(const char *workflow, const char *from, const char **to, const char **action, size_t max);
/* The status keys of workflow in order (NULL: every key of every workflow,
 * once). Returns how many were written to out (at most max). */
size_t workflow_statuses(const char *workflow, const char **out, size_t max);
/* The names of all workflows ("standard", "reisepass", …). */
size_t workflow_names(const char **out, size_t max);

/* ---- cases.c / postfach.c ---------------------------------------------------------- */

/* Moves a case to status `to` (checked against the workflow), records it in the
 * history, tells the citizen (Postfach message + e-mail link) when the change is
 * visible to them, and runs the service's own hook (services_status_changed).
 * Runs its own write transaction. Returns 0, 1 when the transition is not
 * allowed, < 0 on a database error. */
int case_set_status(db_t *db, const config_t *cfg, arena_t *arena, int64_t app_id, const char *to,
                    int64_t actor_id, const char *text);
/* Adds a message to an application's thread and, when the office wrote it,
 * e-mails the citizen a link. file_id 0: no attachment. Works inside the
 * caller's transaction. Returns the message id (> 0) or < 0. */
int64_t postfach_post(db_t *db, const config_t *cfg, arena_t *arena, int64_t app_id, int from_office,
                      int64_t sender_id, const char *subject, const char *body, int64_t file_id);

/* ---- cases*.c: the parts of the case work (docs/casework.md) ---------------------- */

/* case_set_status above, in detail: when actor_id is the applicant, only the
 * applicant's moves (workflow_citizen_may: withdrawing) are allowed, else only
 * the office's (workflow_may). For a service with four eyes a decision status
 * is allowed only as the approval of an open proposal for exactly that status
 * by someone other than the proposer. A status with a notice gets its PDF
 * (cases_notice_issue), attached to the Postfach message of a notifying status. */

#define CASES_MAX_UNITS 8      /* units one inbox query names at once (more: pick a unit) */
#define CASES_TEXT_MAX 5000    /* characters of a reason, decision text or note */

/* The units a user holds a permission for: all (a grant everywhere), or the
 * list (more = 1 when there were more than CASES_MAX_UNITS). */
typedef struct cases_scope {
    int all;
    int more;
    int64_t units[CASES_MAX_UNITS];
    size_t count;
} cases_scope_t;

/* cases.c */
int64_t cases_parse_id(const char *s); /* decimal id, 0 when not one */
/* Loads the case named by :id for a caseworker: 0, or the status to answer
 * (404 no such case, a draft, or another unit's; 403 readable but permission
 * missing for its unit; 503 database). */
int cases_load(http_req_t *req, const char *permission, application_t *app);
void cases_scope(const http_req_t *req, const char *permission, cases_scope_t *scope);
int cases_scope_has(const cases_scope_t *scope, int64_t unit_id);
const char *cases_tr(const http_req_t *req, const char *msgid);
/* A field object for the form partials (templates/form/…) with every key
 * they read present, so that none is found in the page around it. label, hint
 * and error are msgids (hint, error NULL: none). */
json_t *cases_field(const http_req_t *req, const char *name, const char *label, const char *value,
                    const char *hint, const char *error);
/* Adds an option to a select field made by cases_field (the field gains "options"). */
void cases_option(json_t *field, const char *value, const char *label, int selected);
/* Handlers (routes in cases.c) */
int cases_inbox_page(http_req_t *req);    /* cases_inbox.c */
/* cases_inbox.c: forgets the inbox's kept counts of unit_id (after a status change). */
void cases_counts_forget(int64_t unit_id);
int cases_stats_page(http_req_t *req);    /* cases_stats.c */
int cases_case_page(http_req_t *req);     /* cases_page.c */
int cases_file_download(http_req_t *req); /* cases_page.c */
int cases_status_submit(http_req_t *req); /* cases_actions.c, and the rest below */
int cases_approve_submit(http_req_t *req);
int cases_return_submit(http_req_t *req);
int cases_assign_submit(http_req_t *req);
int cases_note_submit(http_req_t *req);
int cases_dates_submit(http_req_t *req);
int cases_paid_submit(http_req_t *req);
/* cases_page.c: renders the case page with status. form (NULL: none) is what a
 * failed or previewing POST sends back: {"name": which form, "errors": [{id,
 * message}], "field_errors": {field: msgid}, "values": {field: text},
 * "general": msgid for the whole page, "preview": status whose notice to show}. */
int cases_render_case(http_req_t *req, const application_t *app, int status, json_t *form);

/* cases_notice.c: notices (Bescheide) from data/services/notices/<workflow>-<status>.md */
/* The notice's Markdown text for app reaching status with decision text, in
 * arena: 0 and *out, 1 when there is no template for it, < 0 on error. */
int cases_notice_text(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *status,
                      const char *decision, const char **out);
/* Renders that notice as a tagged PDF and stores it as the application's file
 * 'bescheid' (*file_id; 0 when there is no template). Inside the caller's
 * transaction. Returns 0 or < 0. */
int cases_notice_issue(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *status,
                       const char *decision, int64_t actor_id, int64_t *file_id);

/* ---- postfach.c: the thread of each application (docs/postfach.md) ----------------- */

#define POSTFACH_SUBJECT_MAX 200  /* characters of a subject */
#define POSTFACH_BODY_MAX 20000   /* characters of a message */
/* postfach_post's refusals besides a database error (-1): */
#define POSTFACH_EINVAL (-2) /* subject/body too long, not UTF-8, or the body is blank */
#define POSTFACH_ENOAPP (-3) /* no submitted application app_id, or file_id is not one of its files */

/* The thread of app as a view model, oldest message first (jansson; the caller
 * owns it; texts translated into lang). viewer_is_office picks the sender names
 * and the file links (/verwaltung/vorgaenge/:id/dateien/:file_id for staff,
 * /antraege/:id/dateien/:file_id for the citizen) and what counts as unread
 * (the other side's messages not yet read). Every key is always present:
 *   {"application_id", "reference", "closed": bool, "count" (all messages),
 *    "unread", "truncated": bool (only the newest 500 are listed),
 *    "anonymous": bool (nobody can read the office's messages),
 *    "messages": [{"id", "anchor", "from_office": bool, "mine": bool, "sender",
 *                  "date", "datetime" (ISO 8601 UTC), "created_at", "subject", "body",
 *                  "paragraphs": [{"lines": [{"text", "br": bool}]}], "unread": bool,
 *                  "read_date" ("" when the other side has not read it),
 *                  "attachment": {"name", "href", "type", "size"} | null}],
 *    "reply": {"action", "f_subject" (staff only, else null), "f_body", "f_file"}
 *             | null (anonymous application)}
 * On a case page: {{#postfach}}{{>services/postfach/section}}{{/postfach}} shows it
 * with its heading (id="postfach") and the reply form; set "reply" to null for a
 * viewer who may not write. It does not mark anything read (postfach_mark_read).
 * NULL on a database error. */
json_t *postfach_thread_json(db_t *db, arena_t *arena, const application_t *app, int viewer_is_office,
                             const char *lang);
/* Marks the other side's messages of app_id read (the citizen reads the
 * office's, the office the citizen's). Returns how many it marked, or < 0. */
int postfach_mark_read(db_t *db, int64_t app_id, int reader_is_office);

/* ---- hooks.c: what a service does when its case changes --------------------------- */

/* Called by case_set_status inside its transaction after the status changed.
 * *note (in arena) may get a paragraph for the citizen: case_set_status puts it
 * into the one message that tells of the new status (a permit's registration
 * number), so that one change never sends two messages. */
int services_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app,
                            const char *from, const char *to, const char **note);
/* passport.c (sends its own message: "abholbereit" is not a notifying status) */
int passport_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app,
                            const char *from, const char *to);
/* zweck.c */
int zweck_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app,
                         const char *from, const char *to, const char **note);

/* ---- zweck*.c: Zweckentfremdung — registration numbers and the nights ledger ------ */

/* zweck.c: start-up — registers the registrations and stays with the privacy
 * export and deletion (account_register_data_provider). Returns 0 or < 0. */
int zweck_init(void);
/* zweck.c: the registration number ("MZ-ZE-2026-0042", in arena) that the
 * permit app_id received when it was granted; NULL when it has none or on a
 * database error. For the notice (Bescheid). */
const char *zweck_registration_number(db_t *db, arena_t *arena, int64_t app_id);

/* zweck_ledger.c: the handlers of the ledger (routes in zweck.c). */
int zweck_ledger_page(http_req_t *req);   /* GET /zweckentfremdung/:number */
int zweck_stay_add(http_req_t *req);      /* POST /zweckentfremdung/:number/aufenthalte */
int zweck_stay_delete(http_req_t *req);   /* POST …/aufenthalte/:id/loeschen */
int zweck_ledger_api(http_req_t *req);    /* GET /api/v1/zweckentfremdung/:number */

/* zweck_nights.c: calendar arithmetic. A day is a count of days since 1970-01-01;
 * a stay from arrival to departure holds the nights arrival … departure - 1, each
 * counted in the calendar year of its evening. */
#define ZWECK_YEAR_MIN 1900
#define ZWECK_YEAR_MAX 9999
#define ZWECK_DAY_TEXT 11       /* "29.12.2026" or "2026-12-29" and NUL */
#define ZWECK_DAYS_AHEAD 365    /* stays may be recorded up to a year ahead */
int64_t zweck_day_from_civil(int year, int month, int day);
void zweck_civil_from_day(int64_t days, int *year, int *month, int *day);
/* "yyyy-mm-dd" or "dd.mm.yyyy" (a real date, years ZWECK_YEAR_MIN … MAX) → 0
 * and *out, else -1. */
int zweck_parse_day(const char *text, int64_t *out);
/* "dd.mm.yyyy" when german, else "yyyy-mm-dd". */
void zweck_day_format(int64_t days, int german, char out[ZWECK_DAY_TEXT]);
int zweck_year_of_day(int64_t days);
/* Nights of the stay [arrival, departure) whose evening falls in year. */
int64_t zweck_nights_in_year(int64_t arrival, int64_t departure, int year);
/* One stay of the ledger: the nights [arrival, departure). */
typedef struct zweck_stay {
    int64_t arrival;
    int64_t departure;
} zweck_stay_t;
/* The nights of all stays[0..count) whose evening falls in year. */
int64_t zweck_nights_total(const zweck_stay_t *stays, size_t count, int year);
/* A registration number as typed ("  mz-ze-2026-0042 ") in its one spelling
 * ("MZ-ZE-2026-0042", in arena); NULL when it cannot be one. */
#define ZWECK_NUMBER_MAX 24
const char *zweck_number_normalise(arena_t *arena, const char *text);
/* The calendar day in the server's time zone (Europe/Berlin) of a Unix time. */
int64_t zweck_day_of_time(int64_t unix_seconds);
/* Checks a new stay against the dates alone: departure after arrival, not more
 * than a year ahead of today, inside the permit's validity [valid_from,
 * valid_until]. NULL when it is fine; else a German msgid, and *field names the
 * form field it belongs to ("anreise" or "abreise"). */
const char *zweck_stay_check(int64_t arrival, int64_t departure, int64_t today, int64_t valid_from,
                             int64_t valid_until, const char **field);

/* ---- fees.c ------------------------------------------------------------------------- */

/* Computes the fee of an application from the service's fee_rules (JSON text,
 * docs/fees.md) and the answers. today is "yyyy-mm-dd" (ages are computed
 * against it). Sets *lines (a new JSON array of {"label","cents"}) and *total.
 * Empty rules: no fee, 0 and an empty array. Returns 0, or -1 with err. */
int fees_compute(const char *rules_json, const json_t *answers, const char *today, json_t **lines,
                 int64_t *total, char *err, size_t errlen);

/* ---- fees.c, payment.c, appointments.c, passport.c: more of their contracts ------- */

/* Limits of fee rules (docs/fees.md; tests/unit/test_fees.c hits each). */
#define FEES_MAX_RULES_BYTES (64 * 1024) /* bytes of one service's rules */
#define FEES_MAX_ENTRIES 32              /* entries in base, addons, fixed; conditions in all/any/in */
#define FEES_MAX_DEPTH 8                 /* conditions nested in all/any/not */
#define FEES_MAX_LABEL 200               /* bytes of a label or a compared value */
#define FEES_MAX_FIELD 64                /* bytes of a field name */
#define FEES_MAX_NUMBER 1000000          /* largest number in a comparison */
#define FEES_MAX_CENTS ((int64_t)10000000) /* one line: 100,000 euros */

/* Checks fee rules without answers (when a catalogue is loaded). Blank rules
 * are fine (no fee). Returns 0, or -1 with err naming the place
 * ("addons[1].when: unknown operator 'is'"). fees_compute's own err for an
 * answer it cannot use (a missing birth date) is a German sentence marked N_():
 * show it through i18n_translate(lang, err). */
int fees_check(const char *rules_json, char *err, size_t errlen);
/* Reads a calendar date "yyyy-mm-dd" or "dd.mm.yyyy" (year from 1800). 0 or -1. */
int fees_parse_date(const char *s, int *year, int *month, int *day);
/* Completed years of life on today (§§ 187, 188 BGB: a 29 February birthday
 * counts on 1 March in common years). 0, -1 for an invalid date, -2 when the
 * birth date is after today. */
int fees_age_on(const char *birth_date, const char *today, int *age);

/* payment.c (docs/payment.md): what the case page shows about paying. */
typedef struct payment_state {
    const char *status;       /* "keine" (no fee), "offen", "bezahlt", "fehlgeschlagen" */
    const char *status_label; /* German msgid: "Keine Gebühr", "Noch nicht bezahlt", "Bezahlt", … */
    const char *method;       /* provider name ("vor_ort") or "" */
    const char *method_title; /* German msgid ("Zahlung vor Ort") or "" */
    int64_t amount_cents;     /* the application's fee */
    int64_t paid_at;          /* 0: unpaid */
    int64_t marked_by;        /* users.id of the caseworker who recorded it; 0: none or the provider */
    int staff_may_mark_paid;  /* fee > 0 and unpaid: a form to POST /verwaltung/vorgaenge/:id/bezahlt */
} payment_state_t;
/* Fills out for app (strings static or in arena). Returns 0 or < 0. */
int payment_state(db_t *db, arena_t *arena, const application_t *app, payment_state_t *out);
/* The same as a view model in lang for the case page: {"status", "status_label",
 * "method_title", "amount", "paid_date", "may_mark_paid", "action"}. The
 * partial {{#payment}}{{>services/appointments/payment_case}}{{/payment}} shows
 * it with the button. NULL on a database error; the caller owns it. */
json_t *payment_state_json(db_t *db, arena_t *arena, const application_t *app, const char *lang);
/* Records that app's fee was paid at the counter ("Zahlung vor Ort"), as the
 * route POST /verwaltung/vorgaenge/:id/bezahlt (cases.c: cases_paid_submit,
 * after its PERM_CASE_PROCESS check for the unit) asks: the open payment (or a
 * new 'vor_ort' one) becomes 'bezahlt' with marked_by, applications.paid_at and
 * payment_method are set, the history (kind 'payment', visible to the citizen)
 * and the audit log record it. Runs its own write transaction. Returns 0, 1
 * when there is nothing to pay (no fee, or paid already), < 0 on a database error. */
int payment_mark_paid(db_t *db, const application_t *app, int64_t actor_id, const char *ip, const char *request_id);

/* appointments.c: the bookings linked to an application, for the case page:
 * [{"date", "time", "counter", "status", "cancelled": bool}], oldest first.
 * NULL on a database error; the caller owns it. */
json_t *appointments_for_application_json(db_t *db, arena_t *arena, int64_t app_id, const char *lang);

/* passport.c: expiry reminders (job "passport.remind", daily). */
/* Schedules the daily job unless one is already pending (idempotent across
 * restarts and nodes). Returns 0 or < 0. */
int passport_schedule_reminders(db_t *db, int64_t now);
/* One run of the reminders as of now: imports the expiry dates of submitted
 * passport applications, then mails everyone whose stored passport expires in at
 * most 4 months (and once more at most 1 month). Idempotent. Sets *sent to the
 * number of mails queued. Returns 0 or < 0. */
int passport_remind_run(db_t *db, const config_t *cfg, int64_t now, int *sent);

/* ---- apply.c ---------------------------------------------------------------------- */

/* Start-up: registers the applications' share of the privacy export/deletion
 * (account_register_data_provider). Returns 0 or < 0. */
int apply_init(void);

/* Start-up: registers the passport's expiry reminder job and its share of the
 * privacy export/deletion. Returns 0 or < 0. */
int passport_init(void);

/* ---- demo data of each part (demo.c calls them in order) -------------------------- */
int appointments_demo(db_t *db, int64_t now);

#endif
