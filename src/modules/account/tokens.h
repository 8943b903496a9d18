/* tokens.h — single-use, expiring tokens for links in e-mails and pending steps.
 *
 * The token (32 random bytes, base64url) goes into the link; the database keeps
 * only its hash, its purpose, its owner and an optional payload (the new e-mail
 * address for a change). Consuming is one UPDATE … WHERE used_at IS NULL, so two
 * clicks at the same moment cannot both succeed.
 */
#ifndef RATHAUS_MODULES_ACCOUNT_TOKENS_H
#define RATHAUS_MODULES_ACCOUNT_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#define TOKEN_CONFIRM "confirm"   /* e-mail confirmation after registration: 24 h */
#define TOKEN_RESET "reset"       /* password reset: 1 h */
#define TOKEN_EMAIL "email"       /* change of e-mail, sent to the new address: 24 h */
#define TOKEN_LOGIN2FA "login2fa" /* password accepted, second factor pending: 10 min */
#define TOKEN_INVITE "invite"     /* staff account created by an admin: set a password, 7 days */

/* Creates a token; out receives the text for the link (48 bytes). Returns 0 or < 0. */
int token_create(db_t *db, int64_t user_id, const char *purpose, const char *payload, int64_t ttl_seconds,
                 char out[48]);
/* Checks a token without using it up (to show the form a link leads to).
 * Returns 0 and the owner, 1 when unknown/used/expired, < 0 on a database error. */
int token_peek(db_t *db, const char *token, const char *purpose, int64_t *user_id);
/* Uses a token up. payload (may be NULL) receives its payload. Returns as token_peek. */
int token_consume(db_t *db, const char *token, const char *purpose, int64_t *user_id, char *payload, size_t n);
/* Voids every open token of user_id with purpose (e.g. older reset links). */
int token_void_all(db_t *db, int64_t user_id, const char *purpose);

#endif
