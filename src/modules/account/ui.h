/* ui.h — building the account pages: a form page or a message page, translated.
 *
 * Every account page is one of two shapes (templates/account/form.html and
 * message.html), so the handlers only say what is on them. Texts are German
 * msgids, translated here; values are the user's own input, kept on errors
 * (passwords excepted).
 */
#ifndef RATHAUS_MODULES_ACCOUNT_UI_H
#define RATHAUS_MODULES_ACCOUNT_UI_H

#include <jansson.h>

#include "web/http.h"

typedef struct page {
    http_req_t *req;
    json_t *model;
    json_t *fields;
    json_t *errors;
} page_t;

/* Field kinds for page_field. */
enum field_kind { FIELD_TEXT, FIELD_EMAIL, FIELD_PASSWORD, FIELD_NEW_PASSWORD, FIELD_DATE, FIELD_TEL, FIELD_CODE,
                  FIELD_CHECKBOX, FIELD_TEXTAREA, FIELD_SELECT };

page_t page_new(http_req_t *req, const char *title);
void page_text(page_t *p, const char *paragraph);            /* translated paragraph */
void page_raw_text(page_t *p, const char *paragraph);        /* already final text (names, numbers) */
void page_alert(page_t *p, const char *kind, const char *text); /* kind: info, success, warning, danger */
/* Adds a field; label, hint and error are msgids (error NULL: none). Returns it for extras. */
json_t *page_field(page_t *p, enum field_kind kind, const char *name, const char *label, const char *value,
                   const char *hint, const char *error);
/* Adds an option to a select field. */
void page_option(json_t *field, const char *value, const char *label, int selected);
void page_hidden(page_t *p, const char *name, const char *value);
void page_link(page_t *p, const char *href, const char *label);
int page_has_errors(const page_t *p);
/* Renders the form page: status (200, or 422 with errors), action path, submit label. */
int page_form(page_t *p, int status, const char *action, const char *submit);
/* Renders the message page. */
int page_message(page_t *p, int status);
/* Hands over the fields added so far (and starts a new list), so that one page
 * can hold several forms, each with its own fields. */
json_t *page_take_fields(page_t *p);
/* Adds a named section (object) to the model for the richer templates. */
void page_set(page_t *p, const char *key, json_t *value);
/* Renders a page with its own template (fields/errors available as with page_form). */
int page_render(page_t *p, int status, const char *tmpl);

/* A local path to go to after a step ("weiter"), or fallback when it is not one. */
const char *safe_next(const char *next, const char *fallback);

#endif
