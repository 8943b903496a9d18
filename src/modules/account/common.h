/* common.h — what the account handlers share: looking up accounts, e-mails with
 * links, the audit entries of authentication events. */
#ifndef RATHAUS_MODULES_ACCOUNT_COMMON_H
#define RATHAUS_MODULES_ACCOUNT_COMMON_H

#include <stdint.h>

#include "web/http.h"

typedef struct account {
    int64_t id;
    const char *email;
    const char *password_hash; /* NULL: no local password (directory account) */
    int confirmed;
    int is_staff;
    int trust_level;
    int totp_enabled;
    int blocked;
    const char *display_name;
} account_t;

/* Lower-cases and checks an entered e-mail address; NULL with *error (a msgid) when unusable. */
const char *account_email_normalise(http_req_t *req, const char *entered, const char **error);
/* Finds a live (not deleted) account by e-mail: 0 found, 1 none, < 0 database error. */
int account_by_email(http_req_t *req, const char *email, account_t *out);
int account_by_id(http_req_t *req, int64_t id, account_t *out);
/* Queues an e-mail whose body is a greeting, text paragraphs and an optional link;
 * German and English according to lang. Returns 0 or < 0. */
int account_mail(http_req_t *req, const char *to, const char *lang, const char *subject, const char *body,
                 const char *link_path, const char *token);
/* Writes an authentication event to the audit log (actor: the account or "anonymous"). */
void account_audit(http_req_t *req, int64_t user_id, const char *action, const char *detail_json);
/* Checks a new password typed twice (policy of password.h, then equality). Sets
 * *e_pw or *e_pw2 to a msgid for the field that is wrong; returns 0 when both are fine. */
int account_check_new_password(const char *pw, const char *pw2, const char *email, const char **e_pw,
                               const char **e_pw2);
/* Runs a password check against a fixed dummy hash, so that "no such account"
 * takes as long as "wrong password" (no account enumeration by timing). */
void account_burn_verify(const char *password);

#endif
