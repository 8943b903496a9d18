/* throttle.c — growing delays and temporary locks (see throttle.h). */
#include "modules/account/throttle.h"

const throttle_policy_t throttle_account = {15 * 60, 3, 60, 10, 15 * 60};
const throttle_policy_t throttle_address = {15 * 60, 20, 30, 100, 15 * 60};
const throttle_policy_t throttle_register = {3600, 10, 0, 10, 3600};

static const char sql_get[] = "SELECT next_allowed_at, locked_until FROM login_throttle WHERE key = $1";
static const char sql_bump[] =
    "INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2) "
    "ON CONFLICT (key) DO UPDATE SET "
    "failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END, "
    "window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END "
    "RETURNING failures, locked_until";
static const char sql_set[] = "UPDATE login_throttle SET next_allowed_at = $2, locked_until = $3 WHERE key = $1";
static const char sql_clear[] = "DELETE FROM login_throttle WHERE key = $1";
static const char sql_notice[] = "UPDATE login_throttle SET notified_at = $2 WHERE key = $1 AND notified_at < "
                                 "locked_until - $3";

int64_t throttle_wait(db_t *db, const char *key, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_get, &st) != 0)
        return -1;
    db_bind_text(st, 1, key, -1);
    int rc = db_step(st);
    int64_t wait = 0;
    if (rc == DB_ROW) {
        int64_t next = db_column_int64(st, 0), locked = db_column_int64(st, 1);
        int64_t until = next > locked ? next : locked;
        wait = until > now ? until - now : 0;
    }
    db_reset(st);
    return rc < 0 ? -1 : wait;
}

int throttle_fail(db_t *db, const char *key, const throttle_policy_t *p, int64_t now, int *locked_now)
{
    db_stmt_t *st;
    *locked_now = 0;
    if (db_prepare(db, sql_bump, &st) != 0)
        return -1;
    db_bind_text(st, 1, key, -1);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, now - p->window_seconds);
    int rc = db_step(st);
    int64_t failures = 0, locked_until = 0;
    if (rc == DB_ROW) {
        failures = db_column_int64(st, 0);
        locked_until = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != DB_ROW)
        return -1;
    int64_t next = now, lock = locked_until;
    if (failures > p->free_attempts && p->max_delay > 0) {
        /* 1, 2, 3 … → 2, 4, 8 … seconds. Times are whole seconds, so a 1-second
         * delay could end the moment it starts; 2 seconds always leave at least one. */
        int64_t over = failures - p->free_attempts;
        int64_t delay = over >= 16 ? p->max_delay : ((int64_t)1 << over);
        next = now + (delay > p->max_delay ? p->max_delay : delay);
    }
    if (failures >= p->lock_after && locked_until <= now) {
        lock = now + p->lock_seconds;
        *locked_now = 1;
    }
    if (db_prepare(db, sql_set, &st) != 0)
        return -1;
    db_bind_text(st, 1, key, -1);
    db_bind_int64(st, 2, next);
    db_bind_int64(st, 3, lock);
    rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int throttle_clear(db_t *db, const char *key)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_clear, &st) != 0)
        return -1;
    db_bind_text(st, 1, key, -1);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int throttle_claim_notice(db_t *db, const char *key, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_notice, &st) != 0)
        return -1;
    db_bind_text(st, 1, key, -1);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, throttle_account.lock_seconds);
    int rc = db_step(st);
    int64_t changed = db_changes(st);
    db_reset(st);
    return rc == DB_DONE && changed > 0 ? 1 : 0;
}
