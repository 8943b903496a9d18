/* throttle.h — slowing down guessing: growing delays and short locks per key.
 *
 * Keys are "account:<e-mail>" (guessing one password from anywhere),
 * "ip:<address>" (one address trying many accounts) and "register:<address>"
 * (floods of registrations). Each failure inside the window raises the count;
 * past the free attempts every further try must wait twice as long as the last
 * (up to max_delay); at lock_after the key is locked for lock_seconds. Nothing
 * here sleeps: a request that comes too early is answered at once with the time
 * to wait. Locks are temporary and per key, so an attacker can slow one account
 * or one address down, but never lock everyone out; a password reset still works
 * for a locked account.
 */
#ifndef RATHAUS_MODULES_ACCOUNT_THROTTLE_H
#define RATHAUS_MODULES_ACCOUNT_THROTTLE_H

#include <stdint.h>

#include "db/db.h"

typedef struct throttle_policy {
    int64_t window_seconds; /* failures older than this are forgotten */
    int64_t free_attempts;  /* failures without any delay */
    int64_t max_delay;      /* cap of the growing delay, seconds */
    int64_t lock_after;     /* failures that lock the key */
    int64_t lock_seconds;
} throttle_policy_t;

extern const throttle_policy_t throttle_account; /* 3 free, delay to 60 s, lock at 10 for 15 min */
extern const throttle_policy_t throttle_address; /* 20 free, delay to 30 s, lock at 100 for 15 min */
extern const throttle_policy_t throttle_register; /* 10 registrations an hour per address */

/* Seconds the key must still wait (0: may try now). < 0 on a database error. */
int64_t throttle_wait(db_t *db, const char *key, int64_t now);
/* Records a failure. *locked_now is set when this failure locked the key. */
int throttle_fail(db_t *db, const char *key, const throttle_policy_t *p, int64_t now, int *locked_now);
/* Forgets the key (after a successful login). */
int throttle_clear(db_t *db, const char *key);
/* Marks that the owner was told of the lock; returns 1 the first time per lock. */
int throttle_claim_notice(db_t *db, const char *key, int64_t now);

#endif
