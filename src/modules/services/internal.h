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
/* Checks and stores it as the next version of its form_key; sets *form_id and
 * *version. Returns 0, -1 for an invalid definition (err says why), < -1 on a
 * database error. */
int formdef_store(db_t *db, const char *json_text, size_t len, int64_t created_by, int64_t *form_id,
                  int64_t *version, char *err, size_t errlen);
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

/* ---- hooks.c: what a service does when its case changes --------------------------- */

/* Called by case_set_status inside its transaction after the status changed. */
int services_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app,
                            const char *from, const char *to);
/* passport.c */
int passport_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app,
                            const char *from, const char *to);
/* zweck.c */
int zweck_status_changed(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app,
                         const char *from, const char *to);

/* ---- fees.c ------------------------------------------------------------------------- */

/* Computes the fee of an application from the service's fee_rules (JSON text,
 * docs/forms.md#fees) and the answers. today is "yyyy-mm-dd" (ages are computed
 * against it). Sets *lines (a new JSON array of {"label","cents"}) and *total.
 * Empty rules: no fee, 0 and an empty array. Returns 0, or -1 with err. */
int fees_compute(const char *rules_json, const json_t *answers, const char *today, json_t **lines,
                 int64_t *total, char *err, size_t errlen);

/* ---- apply.c ---------------------------------------------------------------------- */

/* Start-up: registers the applications' share of the privacy export/deletion
 * (account_register_data_provider). Returns 0 or < 0. */
int apply_init(void);

/* ---- demo data of each part (demo.c calls them in order) -------------------------- */
int appointments_demo(db_t *db, int64_t now);
int passport_register_jobs(void);

#endif
