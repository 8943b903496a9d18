/* moderation.c — the moderation of the participation module: its route table and
 * the gate every contribution passes (participation_may_contribute).
 *
 * The gate refuses, in this order: nobody signed in; an account whose e-mail
 * address is not confirmed (trust level 0, the door of spam accounts); an account
 * a moderator blocked; an account over the rate limit of that kind of contribution.
 * Rate limits are rows of participation_rate_limits (staff edit them), each "at
 * most N in a fixed window of S seconds"; a kind may have several. Counting is one
 * conditional upsert per window, so parallel requests never both take the last
 * slot; a later window's refusal gives back the slots taken in earlier ones.
 * Moderation pages and their handlers live in moderation_*.c (moderation_internal.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"
#include "modules/participation/participation.h"
#include "view/i18n.h"
#include "web/auth.h"

int64_t moderation_now(void)
{
    return (int64_t)time(NULL);
}

const char *moderation_actor(http_req_t *req)
{
    return arena_printf(req->arena, "user:%lld", req->user ? (long long)req->user->id : 0LL);
}

int64_t moderation_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 18)
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

const char *moderation_format_time(arena_t *a, int64_t t)
{
    /* The city's local time; TZ is not changed by any thread, so localtime_r with
     * the process's zone would depend on the server's setting: compute Berlin
     * time explicitly (CET/CEST, EU rule: last Sunday of March/October, 01:00 UTC). */
    time_t tt = (time_t)t;
    struct tm utc;
    if (!gmtime_r(&tt, &utc))
        return "";
    int year = utc.tm_year + 1900;
    /* Last Sunday of a month at 01:00 UTC. */
    int64_t change[2];
    for (int i = 0; i < 2; i++) {
        struct tm m = {.tm_year = year - 1900, .tm_mon = i == 0 ? 2 : 9, .tm_mday = 31, .tm_hour = 1};
        time_t last = timegm(&m);
        struct tm lt;
        gmtime_r(&last, &lt);
        change[i] = (int64_t)last - (int64_t)lt.tm_wday * 86400;
    }
    int64_t offset = (t >= change[0] && t < change[1]) ? 7200 : 3600;
    time_t local = (time_t)(t + offset);
    struct tm l;
    if (!gmtime_r(&local, &l))
        return "";
    return arena_printf(a, "%02d.%02d.%04d, %02d:%02d", l.tm_mday, l.tm_mon + 1, l.tm_year + 1900, l.tm_hour, l.tm_min);
}

const char *moderation_tr(http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang ? req->lang : "de", msgid);
}

json_t *moderation_model(http_req_t *req, const char *title_msgid)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(moderation_tr(req, title_msgid)));
    json_object_set_new(m, "errors", json_array());
    return m;
}

void moderation_add_error(http_req_t *req, json_t *model, const char *field_id, const char *msgid)
{
    json_t *errors = json_object_get(model, "errors");
    json_t *e = json_object();
    json_object_set_new(e, "id", json_string(field_id));
    json_object_set_new(e, "message", json_string(moderation_tr(req, msgid)));
    json_array_append_new(errors, e);
}

void moderation_notice(http_req_t *req, json_t *model, const char *const *notices)
{
    const char *key = http_query(req, "hinweis");
    if (!key)
        return;
    for (size_t i = 0; notices[i]; i += 2) {
        if (!strcmp(notices[i], key)) {
            json_t *n = json_object();
            json_object_set_new(n, "kind", json_string("success"));
            json_object_set_new(n, "text", json_string(moderation_tr(req, notices[i + 1])));
            json_object_set_new(model, "notice", n);
            return;
        }
    }
}

static const char sql_user_name[] = "SELECT display_name FROM users WHERE id = $1";

const char *moderation_user_name(db_t *db, arena_t *a, int64_t user_id)
{
    db_stmt_t *st;
    const char *name = NULL;
    if (db_prepare(db, sql_user_name, &st) == 0) {
        db_bind_int64(st, 1, user_id);
        if (db_step(st) == DB_ROW && db_column_text(st, 0) && *db_column_text(st, 0))
            name = arena_strdup(a, db_column_text(st, 0));
        db_reset(st);
    }
    return name ? name : arena_printf(a, "Konto %lld", (long long)user_id);
}

const char *moderation_kind(const char *word)
{
    if (word && !strcmp(word, "vorschlag"))
        return "proposal";
    if (word && !strcmp(word, "kommentar"))
        return "comment";
    return NULL;
}

const char *moderation_kind_word(const char *kind)
{
    return kind && !strcmp(kind, "proposal") ? "vorschlag" : "kommentar";
}

const char *moderation_audit_detail(arena_t *a, ...)
{
    json_t *o = json_object();
    va_list ap;
    va_start(ap, a);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key)
            break;
        const char *value = va_arg(ap, const char *);
        json_object_set_new(o, key, json_string(value ? value : ""));
    }
    va_end(ap);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    const char *copy = arena_strdup(a, text ? text : "{}");
    free(text);
    return copy;
}

/* ---- blocks ------------------------------------------------------------------------ */

static const char sql_active_block[] =
    "SELECT id, reason, until_at FROM participation_blocks WHERE user_id = $1 AND lifted_at IS NULL "
    "AND (until_at IS NULL OR until_at > $2) ORDER BY until_at IS NULL DESC, until_at DESC LIMIT 1";

int moderation_active_block(db_t *db, arena_t *a, int64_t user_id, int64_t now, const char **reason, int64_t *until_at,
                            int64_t *block_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_active_block, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, now);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        if (block_id)
            *block_id = db_column_int64(st, 0);
        if (reason)
            *reason = arena_strdup(a, db_column_text(st, 1) ? db_column_text(st, 1) : "");
        if (until_at)
            *until_at = db_column_is_null(st, 2) ? 0 : db_column_int64(st, 2);
    }
    db_reset(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* ---- rate limits --------------------------------------------------------------------- */

/* The most windows one kind may have (the limits page offers two per kind). */
#define RATE_WINDOWS_MAX 4

static const char sql_limits[] = "SELECT window_seconds, max_count FROM participation_rate_limits WHERE kind = $1 "
                                 "AND window_seconds > 0 ORDER BY window_seconds LIMIT 4";
/* Takes one slot of the current window unless it is full: no row comes back then. */
static const char sql_take[] =
    "INSERT INTO participation_rate (user_id, kind, window_seconds, window_start, count) "
    "VALUES ($1, $2, $3, $4, 1) "
    "ON CONFLICT (user_id, kind, window_seconds, window_start) DO UPDATE SET count = participation_rate.count + 1 "
    "WHERE participation_rate.count < $5 RETURNING count";
static const char sql_give_back[] =
    "UPDATE participation_rate SET count = count - 1 WHERE user_id = $1 AND kind = $2 AND window_seconds = $3 "
    "AND window_start = $4 AND count > 0";
static const char sql_forget_old[] =
    "DELETE FROM participation_rate WHERE user_id = $1 AND kind = $2 AND window_start + window_seconds <= $3";

typedef struct rate_window {
    int64_t seconds, max;
} rate_window_t;

/* Takes a slot in every window of kind for user_id: 1 taken, 0 over a limit
 * (nothing taken), < 0 on a database error. */
static int rate_take(db_t *db, int64_t user_id, const char *kind, int64_t now)
{
    rate_window_t windows[RATE_WINDOWS_MAX];
    size_t n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_limits, &st) != 0)
        return -1;
    db_bind_text(st, 1, kind, -1);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < RATE_WINDOWS_MAX) {
        windows[n].seconds = db_column_int64(st, 0);
        windows[n].max = db_column_int64(st, 1);
        n++;
    }
    db_reset(st);
    if (rc < 0)
        return -1;

    if (db_prepare(db, sql_forget_old, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    db_bind_text(st, 2, kind, -1);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return -1;

    size_t taken = 0;
    int result = 1;
    for (; taken < n; taken++) {
        const rate_window_t *w = &windows[taken];
        if (w->max <= 0) {
            result = 0;
            break;
        }
        if (db_prepare(db, sql_take, &st) != 0) {
            result = -1;
            break;
        }
        db_bind_int64(st, 1, user_id);
        db_bind_text(st, 2, kind, -1);
        db_bind_int64(st, 3, w->seconds);
        db_bind_int64(st, 4, now - now % w->seconds);
        db_bind_int64(st, 5, w->max);
        rc = db_step(st);
        db_reset(st);
        if (rc < 0) {
            result = -1;
            break;
        }
        if (rc != DB_ROW) {
            result = 0;
            break;
        }
    }
    if (result == 1)
        return 1;
    /* Give back what the earlier windows took: the attempt did not count. */
    for (size_t i = 0; i < taken; i++) {
        if (db_prepare(db, sql_give_back, &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        db_bind_text(st, 2, kind, -1);
        db_bind_int64(st, 3, windows[i].seconds);
        db_bind_int64(st, 4, now - now % windows[i].seconds);
        rc = db_step(st);
        db_reset(st);
        if (rc < 0)
            return -1;
    }
    return result;
}

/* ---- the gate ---------------------------------------------------------------------------- */

/* The kinds of contribution, each with its own limit and the message of a refusal. */
static const struct {
    const char *kind;
    const char *rate_message;
} contribution_kinds[] = {
    /* clang-format off */
    {"comment", N_("Sie haben in kurzer Zeit sehr viele Kommentare geschrieben. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.")},
    {"proposal", N_("Sie haben in kurzer Zeit sehr viele Vorschläge eingereicht. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.")},
    {"support", N_("Sie haben in kurzer Zeit sehr viele Beiträge unterstützt. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.")},
    {"request", N_("Sie haben in kurzer Zeit sehr viele Anregungen eingereicht. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.")},
    {"survey", N_("Sie haben in kurzer Zeit sehr viele Umfragen beantwortet. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.")},
    {"event", N_("Sie haben sich in kurzer Zeit sehr oft angemeldet. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.")},
    {"report", N_("Sie haben in kurzer Zeit sehr viele Beiträge gemeldet. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.")},
    /* clang-format on */
};

int participation_may_contribute(http_req_t *req, const char *kind, const char **message)
{
    const char *ignored;
    if (!message)
        message = &ignored;
    *message = NULL;
    size_t k = 0;
    size_t nkinds = sizeof(contribution_kinds) / sizeof(contribution_kinds[0]);
    while (k < nkinds && (!kind || strcmp(contribution_kinds[k].kind, kind) != 0))
        k++;
    if (k == nkinds)
        return -1; /* a programming error of the caller: refuse rather than let it through unlimited */

    if (!req->user) {
        *message = N_("Bitte melden Sie sich an, um sich zu beteiligen.");
        return CONTRIBUTE_SIGN_IN;
    }
    if (req->user->trust_level < TRUST_BASIC) {
        /* clang-format off */
        *message = N_("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse. Erst dann können Sie sich beteiligen. Den Link dazu haben wir Ihnen per E-Mail geschickt.");
        /* clang-format on */
        return CONTRIBUTE_UNCONFIRMED;
    }
    int64_t now = moderation_now();
    int blocked = moderation_active_block(req->db, req->arena, req->user->id, now, NULL, NULL, NULL);
    if (blocked < 0)
        return -1;
    if (blocked) {
        /* clang-format off */
        *message = N_("Die Moderation hat Ihr Konto für Beiträge gesperrt. Den Grund und die Dauer finden Sie auf der Seite „Meine Sperre“ unter /beteiligung/sperre.");
        /* clang-format on */
        return CONTRIBUTE_BLOCKED;
    }
    int taken = rate_take(req->db, req->user->id, kind, now);
    if (taken < 0)
        return -1;
    if (!taken) {
        *message = contribution_kinds[k].rate_message;
        return CONTRIBUTE_RATE;
    }
    return CONTRIBUTE_OK;
}

/* ---- the module ------------------------------------------------------------------------------ */

static const route_t routes[] = {
    /* Staff only; the page links each person to the parts of the participation
     * their permissions open (a route names a single permission). */
    {"GET", "/verwaltung/beteiligung", moderation_home, "account.staff", 0, 0},
    {"GET", "/verwaltung/beteiligung/moderation", moderation_queue, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/moderation/ausblenden", moderation_hide, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/moderation/einblenden", moderation_unhide, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/moderation/freigeben", moderation_release, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/moderation/verwerfen", moderation_dismiss, PERM_MODERATE, 0, 0},
    {"GET", "/verwaltung/beteiligung/woerter", moderation_words_page, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/woerter", moderation_words_save, PERM_MODERATE, 0, MODERATION_WORDS_FORM_MAX},
    {"GET", "/verwaltung/beteiligung/sperren", moderation_blocks_page, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/sperren", moderation_block, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/sperren/aufheben", moderation_unblock, PERM_MODERATE, 0, 0},
    {"GET", "/verwaltung/beteiligung/grenzen", moderation_limits_page, PERM_MODERATE, 0, 0},
    {"POST", "/verwaltung/beteiligung/grenzen", moderation_limits_save, PERM_MODERATE, 0, 0},
    {"GET", "/beteiligung/melden", moderation_report_form, AUTH_SIGNED_IN, 0, 0},
    {"POST", "/beteiligung/melden", moderation_report_submit, AUTH_SIGNED_IN, 0, 0},
    {"GET", "/beteiligung/sperre", moderation_my_block, AUTH_SIGNED_IN, 0, 0},
};

/* The route table is below the handlers it names; the list of permissions is the
 * module's own (000_roles.sql grants them to the roles). */
static const permission_t permissions[] = {
    {PERM_MODERATE, N_("Beiträge der Beteiligung moderieren: ausblenden, freigeben, Personen sperren")},
};

const module_t participation_admin_module = {
    .name = "participation_admin",
    .title = N_("Moderation"),
    .summary =
        N_("Gemeldete und zurückgehaltene Beiträge der Beteiligung prüfen, Personen sperren, die Wortliste pflegen."),
    .home = "/verwaltung/beteiligung",
    .nav_permission = MODERATION_STAFF_PERMISSIONS,
    .routes = routes,
    .route_count = sizeof(routes) / sizeof(routes[0]),
    .permissions = permissions,
    .permission_count = sizeof(permissions) / sizeof(permissions[0]),
};
