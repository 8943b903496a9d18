/* apply.h — what the parts of the citizen's way through a form share
 * (apply*.c; addresses in docs/forms.md "The citizen's way").
 *
 *   apply.c          the route table, the start page, starting a draft, privacy hooks
 *   apply_draft.c    who may open a draft (account, cookie token), the tokens,
 *                    the answers and files of a draft, values kept after a session ended
 *   apply_step.c     one step: show, save, uploads, "Weiter", "Zurück", "Entwurf speichern"
 *   apply_submit.c   the review page, submitting, the receipt page and PDF
 *   apply_mine.c     "Meine Anträge", one application, delete, withdraw, downloads, JSON API
 */
#ifndef RATHAUS_MODULES_SERVICES_APPLY_H
#define RATHAUS_MODULES_SERVICES_APPLY_H

#include <jansson.h>
#include <stdint.h>

#include "modules/services/formdef.h"
#include "modules/services/internal.h"
#include "web/http.h"

#define APPLY_TOKEN_COOKIE "entwurf"             /* anonymous drafts: the token that owns them */
#define APPLY_PENDING_COOKIE "entwurf_zurueck"   /* values sent after the session had ended */
#define APPLY_TOKEN_TTL (7 * 86400)              /* an anonymous draft lives a week */
#define APPLY_PENDING_TTL 86400                  /* kept values wait a day for the login */
#define APPLY_STEP_BODY_LIMIT (16 * 1024 * 1024) /* a step with uploads: the server's maximum */

/* A draft or application opened by its owner, with its form. */
typedef struct apply_ctx {
    http_req_t *req;
    application_t app;
    json_t *def;     /* the form definition (owned) */
    json_t *answers; /* the answers (owned) */
    int anonymous;   /* opened through the cookie token, not an account */
} apply_ctx_t;

/* How apply_open answers when nobody is signed in for an account's draft. */
enum apply_login { APPLY_LOGIN_REDIRECT, APPLY_LOGIN_RETURN };

/* Opens application :id of the request for its owner: the signed-in account that
 * owns it, or the holder of the cookie token of an anonymous draft. Returns 0;
 * 404 when it does not exist or is not theirs; 503 on a database error;
 * HTTP_ANSWERED after sending the login redirect (APPLY_LOGIN_REDIRECT) or, with
 * APPLY_LOGIN_RETURN, 401 with ctx filled (the form too, when asked) so that the
 * caller can keep what was sent first (free ctx then as well).
 * with_form: also load the definition and the answers. */
int apply_open(http_req_t *req, const char *id_param, int with_form, enum apply_login login, apply_ctx_t *ctx);
void apply_ctx_free(apply_ctx_t *ctx);

/* The login page that comes back to path (?weiter=, percent-encoded), noting an
 * ended session. Returns HTTP_ANSWERED. */
int apply_login_redirect(http_req_t *req, const char *path);

/* The files of an application uploaded into form fields: *lists gets
 * name → [{"id","filename","size","size_text"}], *counts name → number. Both new. */
int apply_files(db_t *db, int64_t app_id, json_t **lists, json_t **counts);
/* Saves the answers of a draft and the step to resume at (step < 0: unchanged).
 * Returns 0 or < 0. */
int apply_save_answers(db_t *db, int64_t app_id, const json_t *answers, int64_t step);

/* A random token (base64url, 43 characters) in out[48] and the hex hash of it we
 * store in hash[65]. */
void apply_token_new(char out[48], char hash[65]);
void apply_token_hash(const char *token, char hash[65]);
/* Gives the anonymous draft app_id to the browser's token (a new one when it has
 * none). Returns 0 or < 0. */
int apply_token_bind(http_req_t *req, int64_t app_id);
/* Keeps the values of a step sent without a valid session; sets the cookie. */
int apply_pending_keep(http_req_t *req, int64_t app_id, size_t step, const json_t *values);
/* Merges values kept for app_id by this browser into answers (and the database);
 * returns 1 when there were some, 0 when none, < 0 on a database error. */
int apply_pending_merge(http_req_t *req, int64_t app_id, json_t *answers);
/* Drops expired tokens, kept values and anonymous drafts nobody can reach any more. */
void apply_housekeeping(db_t *db, int64_t now);

/* The page model every page of the flow starts from: title (translated), service. */
json_t *apply_model(http_req_t *req, const char *title);
/* Adds an alert {kind, text, danger} (text translated) to model["alerts"]. */
void apply_alert(http_req_t *req, json_t *model, const char *kind, const char *text);
/* Parses the 1-based step number :n of a form; -1 when it is not one. */
int apply_step_index(const char *param, const json_t *def);

/* The newest form version of a service (its form_key). */
int apply_service_form(db_t *db, int64_t service_id, int64_t *form_id);

/* apply_step.c */
int apply_step_page(http_req_t *req);
int apply_step_submit(http_req_t *req);
/* apply_submit.c */
int apply_review_page(http_req_t *req);
int apply_submit(http_req_t *req);
int apply_received_page(http_req_t *req);
int apply_receipt_pdf(http_req_t *req);
/* apply_mine.c */
int apply_list_page(http_req_t *req);
int apply_detail_page(http_req_t *req);
int apply_delete_page(http_req_t *req);
int apply_delete(http_req_t *req);
int apply_withdraw_page(http_req_t *req);
int apply_withdraw(http_req_t *req);
int apply_file_download(http_req_t *req);
int apply_api_list(http_req_t *req);
int apply_api_detail(http_req_t *req);
/* The application model of "Meine Anträge" and the API (new reference). */
json_t *apply_detail_model(http_req_t *req, apply_ctx_t *ctx);

#endif
