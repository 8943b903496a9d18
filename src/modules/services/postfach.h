/* postfach.h — what postfach.c (the thread: storing, reading, its view model)
 * shares with postfach_pages.c (the citizen's pages, the staff reply, the API).
 * Other parts of the services module use the postfach_* declarations in
 * internal.h; this header is for the Postfach's own files only.
 */
#ifndef RATHAUS_MODULES_SERVICES_POSTFACH_H
#define RATHAUS_MODULES_SERVICES_POSTFACH_H

#include <jansson.h>

#include "modules/services/internal.h"

#define POSTFACH_FILE_MAX (10 * 1024 * 1024) /* bytes of one attachment (PDF, JPEG, PNG) */

/* What the reply form shows: the values typed so far and the errors (German
 * msgids, NULL: none). A zeroed struct is the empty form. */
typedef struct postfach_form {
    const char *subject; /* staff only */
    const char *body;
    const char *err_subject;
    const char *err_body;
    const char *err_file;
} postfach_form_t;

/* The "reply" object of the thread view model (see postfach_thread_json in
 * internal.h): the form's action and its fields (f_subject for staff only, else
 * null), filled from form. Texts translated into lang. The caller owns it. */
json_t *postfach_reply_json(const application_t *app, int viewer_is_office, const char *lang,
                            const postfach_form_t *form);

/* Checks a subject and a body as postfach_post will: UTF-8, subject one line of
 * at most POSTFACH_SUBJECT_MAX characters, body not blank and at most
 * POSTFACH_BODY_MAX characters once CRLF counts as one. Sets *err_subject and
 * *err_body to a German msgid saying what is wrong (NULL: fine). Returns 0 when
 * both are fine, else POSTFACH_EINVAL. */
int postfach_check(arena_t *arena, const char *subject, const char *body, const char **err_subject,
                   const char **err_body);

/* 1 when the case of app is over (closed, or in a final status of its workflow). */
int postfach_case_closed(const application_t *app);

#endif
