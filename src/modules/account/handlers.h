/* handlers.h — the account module's request handlers, one group per file
 * (register.c, login.c, recover.c, profile.c, security.c, privacy.c, admin_*.c),
 * joined into route tables in module.c. */
#ifndef RATHAUS_MODULES_ACCOUNT_HANDLERS_H
#define RATHAUS_MODULES_ACCOUNT_HANDLERS_H

#include "modules/account/ldap_login.h"
#include "web/http.h"

/* register.c */
int account_register_page(http_req_t *req);
int account_register_submit(http_req_t *req);
int account_confirm_page(http_req_t *req);
int account_confirm_submit(http_req_t *req);
int account_resend_page(http_req_t *req);
int account_resend_submit(http_req_t *req);
/* login.c */
int account_login_page(http_req_t *req);
int account_login_submit(http_req_t *req);
int account_login_code_page(http_req_t *req);
int account_login_code_submit(http_req_t *req);
int account_logout(http_req_t *req);
int account_session_page(http_req_t *req);
int account_session_extend(http_req_t *req);
/* recover.c */
int account_forgot_page(http_req_t *req);
int account_forgot_submit(http_req_t *req);
int account_reset_page(http_req_t *req);
int account_reset_submit(http_req_t *req);
/* profile.c */
int account_profile_page(http_req_t *req);
int account_profile_submit(http_req_t *req);
/* security.c */
int account_security_page(http_req_t *req);
int account_password_submit(http_req_t *req);
int account_email_submit(http_req_t *req);
int account_email_confirm_page(http_req_t *req);
int account_email_confirm_submit(http_req_t *req);
int account_totp_start(http_req_t *req);
int account_totp_confirm(http_req_t *req);
int account_totp_disable(http_req_t *req);
int account_sessions_end(http_req_t *req);
/* 1 when the user holds an administrative permission (these require a second factor). */
int account_is_admin(const http_req_t *req);
/* privacy.c */
int account_data_page(http_req_t *req);
int account_data_export(http_req_t *req);
int account_data_delete(http_req_t *req);
/* directory.c: find or create the account for a directory login, sync its roles. */
int account_sync_directory_user(http_req_t *req, const ldap_identity_t *id, int64_t now, int64_t *user_id);

#endif
