/* session.h — sessions of signed-in accounts (DESIGN §4).
 *
 * The cookie holds 32 random bytes (base64url); the database holds only their
 * BLAKE2b hash, so a leaked table cannot be replayed as cookies. A session ends
 * after session_idle_minutes without a request (the page warns two minutes
 * before and offers to extend), after session_max_hours in any case, on logout,
 * on "überall abmelden", and when the password changes. The id is new on every
 * login (no fixation) and the CSRF token is renewed with it.
 */
#ifndef RATHAUS_MODULES_ACCOUNT_SESSION_H
#define RATHAUS_MODULES_ACCOUNT_SESSION_H

#include <stdint.h>

#include "web/http.h"

#define SESSION_COOKIE "sid"
#define SESSION_HASH_HEX 65

/* Starts a session for user_id, sets the cookie, renews the CSRF token. */
int session_create(http_req_t *req, int64_t user_id);
/* Ends the current session and clears the cookie. */
int session_destroy(http_req_t *req);
/* Ends every session of user_id except the one with except_hash (may be NULL). */
int session_destroy_all(db_t *db, int64_t user_id, const char *except_hash);
/* The session loader installed into web/auth (fills req->user). */
int session_load(http_req_t *req);
/* Moves the idle deadline of the current session to now + idle time. */
int session_extend(http_req_t *req);
/* Hex BLAKE2b-256 of a cookie value or token. */
void session_hash(const char *value, char out[SESSION_HASH_HEX]);
/* 32 random bytes as base64url without padding (43 characters + NUL). */
void session_random_token(char out[48]);

#endif
