/* moderation_blocks.c — blocking people from contributing, and the rate limits.
 *
 *   GET  /verwaltung/beteiligung/sperren           the block form and the blocks in force
 *   POST /verwaltung/beteiligung/sperren           block an account (reason, duration)
 *   POST /verwaltung/beteiligung/sperren/aufheben  lift a block
 *   GET  /beteiligung/sperre                       the blocked person sees why and how long
 *   GET  /verwaltung/beteiligung/grenzen           the rate limits per kind of contribution
 *   POST /verwaltung/beteiligung/grenzen           change them
 *
 * A block is a row of participation_blocks; participation_may_contribute
 * (moderation.c) refuses while one is in force. The blocked person gets a mail
 * with the reason, and the page /beteiligung/sperre says the same, so a block is
 * never a silent one. Every change is audited.
 */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"
#include "platform/audit.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

#define DAY 86400

/* The durations a moderator chooses from (value in days; 0: until lifted). */
static const struct {
    const char *value;
    int days;
    const char *label;
} durations[] = {
    {"1", 1, N_("1 Tag")},     {"7", 7, N_("7 Tage")},     {"30", 30, N_("30 Tage")},
    {"90", 90, N_("90 Tage")}, {"365", 365, N_("1 Jahr")}, {"0", 0, N_("Bis die Sperre aufgehoben wird")},
};
#define DURATION_COUNT (sizeof(durations) / sizeof(durations[0]))

static const char sql_user_by_id[] = "SELECT id, display_name, email FROM users WHERE id = $1 AND deleted_at IS NULL";
static const char sql_user_by_email[] =
    "SELECT id, display_name, email FROM users WHERE email = $1 AND deleted_at IS NULL";
static const char sql_insert_block[] =
    "INSERT INTO participation_blocks (user_id, reason, until_at, blocked_by, created_at) VALUES ($1, $2, $3, $4, $5) "
    "RETURNING id";
static const char sql_lift[] = "UPDATE participation_blocks SET lifted_at = $2, lifted_by = $3 WHERE id = $1 "
                               "AND lifted_at IS NULL RETURNING user_id";
static const char sql_active[] =
    "SELECT b.id, b.user_id, b.reason, b.until_at, b.created_at, b.blocked_by FROM participation_blocks b "
    "WHERE b.lifted_at IS NULL AND (b.until_at IS NULL OR b.until_at > $1) ORDER BY b.created_at DESC, b.id DESC "
    "LIMIT 200";

typedef struct account {
    int64_t id;
    const char *name;
    const char *email;
} account_t;

/* Finds an account by its number or e-mail address: 1 found, 0 not, -1 error. */
static int find_account(http_req_t *req, const char *which, account_t *out)
{
    int64_t id = moderation_parse_id(which);
    db_stmt_t *st;
    if (db_prepare(req->db, id > 0 ? sql_user_by_id : sql_user_by_email, &st) != 0)
        return -1;
    if (id > 0) {
        db_bind_int64(st, 1, id);
    } else {
        /* Addresses are stored in lower case (sql/account/001_accounts.sql). */
        char *lower = arena_strdup(req->arena, which);
        for (char *p = lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        db_bind_text(st, 1, lower, -1);
    }
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_column_int64(st, 0);
        const char *name = db_column_text(st, 1);
        out->name =
            name && *name ? arena_strdup(req->arena, name) : arena_printf(req->arena, "Konto %lld", (long long)out->id);
        out->email = arena_strdup(req->arena, db_column_text(st, 2) ? db_column_text(st, 2) : "");
    }
    db_reset(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* The typed values of the block form. */
typedef struct block_form {
    const char *account, *reason, *duration;
    const char *account_error, *reason_error, *duration_error; /* msgids */
} block_form_t;

static const char *const block_notices[] = {
    "gesperrt",   N_("Die Person ist gesperrt. Sie bekommt eine E-Mail mit dem Grund."),
    "aufgehoben", N_("Die Sperre ist aufgehoben."),
    NULL,
};

static int render_blocks(http_req_t *req, int status, const block_form_t *f, json_t *model)
{
    moderation_notice(req, model, block_notices);
    json_t *account = http_field("konto", moderation_tr(req, N_("Konto-Nummer oder E-Mail-Adresse")), f->account,
                                 f->account_error ? moderation_tr(req, f->account_error) : NULL);
    json_object_set_new(account, "input", json_true());
    json_t *reason = http_field("grund", moderation_tr(req, N_("Grund der Sperre")), f->reason,
                                f->reason_error ? moderation_tr(req, f->reason_error) : NULL);
    json_object_set_new(
        reason, "hint",
        json_string(moderation_tr(req, N_("Die gesperrte Person sieht diesen Grund. Höchstens 500 Zeichen."))));
    json_object_set_new(reason, "rows", json_integer(3));
    json_t *duration = http_field("dauer", moderation_tr(req, N_("Dauer")), f->duration,
                                  f->duration_error ? moderation_tr(req, f->duration_error) : NULL);
    json_t *options = json_array();
    for (size_t i = 0; i < DURATION_COUNT; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "value", json_string(durations[i].value));
        json_object_set_new(o, "label", json_string(moderation_tr(req, durations[i].label)));
        json_object_set_new(o, "selected", json_boolean(f->duration && !strcmp(f->duration, durations[i].value)));
        json_array_append_new(options, o);
    }
    json_object_set_new(duration, "options", options);
    json_object_set_new(model, "f_account", account);
    json_object_set_new(model, "f_reason", reason);
    json_object_set_new(model, "f_duration", duration);

    /* Who the form is about, when the queue sent the moderator here. */
    account_t who;
    if (f->account && *f->account && !f->account_error) {
        int found = find_account(req, f->account, &who);
        if (found < 0) {
            json_decref(model);
            return 503;
        }
        if (found)
            json_object_set_new(model, "who", json_string(who.name));
    }

    int64_t now = moderation_now();
    db_stmt_t *st;
    if (db_prepare(req->db, sql_active, &st) != 0) {
        json_decref(model);
        return 503;
    }
    db_bind_int64(st, 1, now);
    json_t *blocks = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *b = json_object();
        json_object_set_new(b, "id", json_integer(db_column_int64(st, 0)));
        json_object_set_new(b, "user_id", json_integer(db_column_int64(st, 1)));
        json_object_set_new(b, "reason", json_string(db_column_text(st, 2) ? db_column_text(st, 2) : ""));
        json_object_set_new(b, "until",
                            json_string(db_column_is_null(st, 3)
                                            ? moderation_tr(req, N_("bis auf Weiteres"))
                                            : moderation_format_time(req->arena, db_column_int64(st, 3))));
        json_object_set_new(b, "since", json_string(moderation_format_time(req->arena, db_column_int64(st, 4))));
        json_object_set_new(b, "by_id", json_integer(db_column_int64(st, 5)));
        json_array_append_new(blocks, b);
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(blocks);
        json_decref(model);
        return 503;
    }
    /* Names after the loop: one statement at a time per connection. */
    for (size_t i = 0; i < json_array_size(blocks); i++) {
        json_t *b = json_array_get(blocks, i);
        json_object_set_new(
            b, "name",
            json_string(moderation_user_name(req->db, req->arena, json_integer_value(json_object_get(b, "user_id")))));
        int64_t by = json_integer_value(json_object_get(b, "by_id"));
        json_object_set_new(b, "by", json_string(by ? moderation_user_name(req->db, req->arena, by) : "–"));
    }
    json_object_set_new(model, "blocks", blocks);
    return http_render(req, status, "participation/moderation/blocks", model);
}

int moderation_blocks_page(http_req_t *req)
{
    const char *account = http_query(req, "konto");
    block_form_t f = {.account = account ? account : "", .reason = "", .duration = "7"};
    return render_blocks(req, 200, &f, moderation_model(req, N_("Personen sperren")));
}

/* Trims blanks at both ends into the arena. */
static const char *trimmed(arena_t *a, const char *s)
{
    s = s ? s : "";
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

/* Queues the mail that tells the person about the block (inside the transaction). */
static int mail_blocked(http_req_t *req, const account_t *who, const char *reason, int64_t until_at)
{
    if (!who->email[0] || !mail_address_valid(who->email))
        return 0;
    const char *until = until_at ? arena_printf(req->arena, "bis zum %s", moderation_format_time(req->arena, until_at))
                                 : "bis die Moderation die Sperre aufhebt";
    const char *body = arena_printf(req->arena,
                                    "Guten Tag,\n\n"
                                    "die Moderation der Bürgerbeteiligung hat Ihr Konto für Beiträge gesperrt, %s.\n\n"
                                    "Grund: %s\n\n"
                                    "In dieser Zeit können Sie keine Vorschläge, Kommentare oder Anregungen schreiben "
                                    "und nichts unterstützen. Lesen können Sie weiterhin alles.\n"
                                    "%s/beteiligung/sperre\n\n"
                                    "Wenn Sie Fragen dazu haben, wenden Sie sich an die Koordinierungsstelle "
                                    "Bürgerbeteiligung.\n\n"
                                    "Mit freundlichen Grüßen\n"
                                    "Ihre Stadtverwaltung\n",
                                    until, reason, req->cfg ? req->cfg->base_url : "");
    return mail_queue(req->db, who->email, "Ihr Konto ist für Beiträge gesperrt", body) > 0 ? 0 : -1;
}

int moderation_block(http_req_t *req)
{
    block_form_t f = {
        .account = trimmed(req->arena, http_form(req, "konto")),
        .reason = trimmed(req->arena, http_form(req, "grund")),
        .duration = http_form(req, "dauer") ? http_form(req, "dauer") : "",
    };
    json_t *model = moderation_model(req, N_("Personen sperren"));
    account_t who = {0};
    if (!*f.account) {
        f.account_error = N_("Bitte geben Sie die Konto-Nummer oder die E-Mail-Adresse an.");
    } else {
        int found = strlen(f.account) > 254 ? 0 : find_account(req, f.account, &who);
        if (found < 0) {
            json_decref(model);
            return 503;
        }
        if (!found)
            f.account_error = N_("Dieses Konto gibt es nicht. Bitte prüfen Sie die Angabe.");
        else if (who.id == req->user->id)
            f.account_error = N_("Sie können sich nicht selbst sperren.");
    }
    if (!*f.reason)
        f.reason_error = N_("Bitte schreiben Sie den Grund der Sperre. Die Person sieht ihn.");
    else if (utf8_length(f.reason, strlen(f.reason)) > MODERATION_BLOCK_REASON_MAX)
        f.reason_error = N_("Der Grund ist zu lang. Bitte schreiben Sie höchstens 500 Zeichen.");
    int days = -1;
    for (size_t i = 0; i < DURATION_COUNT; i++)
        if (!strcmp(f.duration, durations[i].value))
            days = durations[i].days;
    if (days < 0)
        f.duration_error = N_("Bitte wählen Sie, wie lange die Sperre gilt.");
    if (f.account_error)
        moderation_add_error(req, model, "feld-konto", f.account_error);
    if (f.reason_error)
        moderation_add_error(req, model, "feld-grund", f.reason_error);
    if (f.duration_error)
        moderation_add_error(req, model, "feld-dauer", f.duration_error);
    if (f.account_error || f.reason_error || f.duration_error)
        return render_blocks(req, 422, &f, model);
    json_decref(model);

    int64_t now = moderation_now();
    int64_t until_at = days ? now + (int64_t)days * DAY : 0;
    if (db_begin_write(req->db) != 0)
        return 503;
    db_stmt_t *st;
    int ok = db_prepare(req->db, sql_insert_block, &st) == 0;
    int64_t block_id = 0;
    if (ok) {
        db_bind_int64(st, 1, who.id);
        db_bind_text(st, 2, f.reason, -1);
        if (until_at)
            db_bind_int64(st, 3, until_at);
        else
            db_bind_null(st, 3);
        db_bind_int64(st, 4, req->user->id);
        db_bind_int64(st, 5, now);
        ok = db_step(st) == DB_ROW;
        if (ok)
            block_id = db_column_int64(st, 0);
        db_reset(st);
    }
    ok = ok && mail_blocked(req, &who, f.reason, until_at) == 0 &&
         audit_log(req->db, moderation_actor(req), "participation.block",
                   arena_printf(req->arena, "user:%lld", (long long)who.id),
                   moderation_audit_detail(req->arena, "reason", f.reason, "days", arena_printf(req->arena, "%d", days),
                                           "block", arena_printf(req->arena, "%lld", (long long)block_id), NULL),
                   req->client_ip, req->request_id) == 0;
    if (!ok || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, "/verwaltung/beteiligung/sperren?hinweis=gesperrt");
}

int moderation_unblock(http_req_t *req)
{
    int64_t id = moderation_parse_id(http_form(req, "sperre"));
    if (id <= 0)
        return 404;
    if (db_begin_write(req->db) != 0)
        return 503;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_lift, &st) != 0) {
        db_rollback(req->db);
        return 503;
    }
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, moderation_now());
    db_bind_int64(st, 3, req->user->id);
    int rc = db_step(st);
    int64_t user_id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc == DB_DONE) {
        /* Lifted already, perhaps by a colleague a moment ago. */
        db_rollback(req->db);
        return http_redirect(req, 303, "/verwaltung/beteiligung/sperren");
    }
    if (rc != DB_ROW ||
        audit_log(req->db, moderation_actor(req), "participation.unblock",
                  arena_printf(req->arena, "user:%lld", (long long)user_id),
                  moderation_audit_detail(req->arena, "block", arena_printf(req->arena, "%lld", (long long)id), NULL),
                  req->client_ip, req->request_id) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, "/verwaltung/beteiligung/sperren?hinweis=aufgehoben");
}

int moderation_my_block(http_req_t *req)
{
    const char *reason = NULL;
    int64_t until_at = 0;
    int blocked =
        moderation_active_block(req->db, req->arena, req->user->id, moderation_now(), &reason, &until_at, NULL);
    if (blocked < 0)
        return 503;
    json_t *model = moderation_model(req, N_("Meine Sperre"));
    if (blocked) {
        json_object_set_new(model, "reason", json_string(reason));
        json_object_set_new(model, "until",
                            json_string(until_at ? moderation_format_time(req->arena, until_at)
                                                 : moderation_tr(req, N_("bis auf Weiteres"))));
    }
    json_object_set_new(model, "blocked", json_boolean(blocked));
    return http_render(req, 200, "participation/moderation/my_block", model);
}

/* ---- rate limits ----------------------------------------------------------------------- */

static const struct {
    const char *kind;
    const char *label;
} kind_labels[] = {
    {"comment", N_("Kommentare")},
    {"proposal", N_("Vorschläge")},
    {"support", N_("Unterstützungen")},
    {"request", N_("Anregungen")},
    {"survey", N_("Antworten auf Umfragen")},
    {"event", N_("Anmeldungen zu Veranstaltungen")},
    {"report", N_("Meldungen an die Moderation")},
};

static const char sql_limits_all[] =
    "SELECT kind, window_seconds, max_count FROM participation_rate_limits ORDER BY kind, window_seconds LIMIT 100";
static const char sql_limit_update[] =
    "UPDATE participation_rate_limits SET max_count = $3 WHERE kind = $1 AND window_seconds = $2";

/* "10 Minuten", "1 Stunde", "24 Stunden" (translated; a day is said in hours,
 * which reads the same for any number). */
static const char *window_label(http_req_t *req, int64_t seconds)
{
    if (seconds % 3600 == 0)
        return arena_printf(req->arena, "%lld %s", (long long)(seconds / 3600),
                            moderation_tr(req, seconds == 3600 ? N_("Stunde") : N_("Stunden")));
    if (seconds % 60 == 0)
        return arena_printf(req->arena, "%lld %s", (long long)(seconds / 60),
                            moderation_tr(req, seconds == 60 ? N_("Minute") : N_("Minuten")));
    return arena_printf(req->arena, "%lld %s", (long long)seconds, moderation_tr(req, N_("Sekunden")));
}

typedef struct limit_row {
    const char *kind;
    int64_t seconds, max;
    const char *typed; /* the form's value, or NULL */
    const char *error; /* msgid */
} limit_row_t;

#define LIMIT_ROWS_MAX 100

/* Loads the limits into rows; returns the count or -1. */
static int load_limits(http_req_t *req, limit_row_t *rows)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_limits_all, &st) != 0)
        return -1;
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < LIMIT_ROWS_MAX) {
        rows[n] = (limit_row_t){.kind = arena_strdup(req->arena, db_column_text(st, 0)),
                                .seconds = db_column_int64(st, 1),
                                .max = db_column_int64(st, 2)};
        n++;
    }
    db_reset(st);
    return rc < 0 ? -1 : n;
}

static const char *const limit_notices[] = {
    "gespeichert",
    N_("Die Grenzen sind gespeichert und gelten ab sofort."),
    NULL,
};

static int render_limits(http_req_t *req, int status, const limit_row_t *rows, int n, json_t *model)
{
    moderation_notice(req, model, limit_notices);
    json_t *fields = json_array();
    for (int i = 0; i < n; i++) {
        const char *kind_label = rows[i].kind;
        for (size_t k = 0; k < sizeof(kind_labels) / sizeof(kind_labels[0]); k++)
            if (!strcmp(kind_labels[k].kind, rows[i].kind))
                kind_label = moderation_tr(req, kind_labels[k].label);
        const char *name = arena_printf(req->arena, "max-%s-%lld", rows[i].kind, (long long)rows[i].seconds);
        const char *label =
            arena_printf(req->arena, "%s: %s %s", kind_label, moderation_tr(req, N_("höchstens so viele in")),
                         window_label(req, rows[i].seconds));
        json_t *f = http_field(name, label,
                               rows[i].typed ? rows[i].typed : arena_printf(req->arena, "%lld", (long long)rows[i].max),
                               rows[i].error ? moderation_tr(req, rows[i].error) : NULL);
        json_object_set_new(f, "input", json_true());
        json_object_set_new(f, "inputmode", json_string("numeric"));
        json_array_append_new(fields, f);
    }
    json_object_set_new(model, "fields", fields);
    return http_render(req, status, "participation/moderation/limits", model);
}

int moderation_limits_page(http_req_t *req)
{
    limit_row_t rows[LIMIT_ROWS_MAX];
    int n = load_limits(req, rows);
    if (n < 0)
        return 503;
    return render_limits(req, 200, rows, n, moderation_model(req, N_("Grenzen gegen Spam")));
}

int moderation_limits_save(http_req_t *req)
{
    limit_row_t rows[LIMIT_ROWS_MAX];
    int n = load_limits(req, rows);
    if (n < 0)
        return 503;
    json_t *model = moderation_model(req, N_("Grenzen gegen Spam"));
    int errors = 0;
    for (int i = 0; i < n; i++) {
        const char *name = arena_printf(req->arena, "max-%s-%lld", rows[i].kind, (long long)rows[i].seconds);
        const char *value = trimmed(req->arena, http_form(req, name));
        rows[i].typed = value;
        int64_t v = !strcmp(value, "0") ? 0 : moderation_parse_id(value);
        if ((v == 0 && strcmp(value, "0") != 0) || v > MODERATION_RATE_MAX) {
            rows[i].error = N_(
                "Bitte geben Sie eine ganze Zahl von 0 bis 100.000 ein. 0 schließt diese Art von Beiträgen ganz aus.");
            moderation_add_error(req, model, arena_printf(req->arena, "feld-%s", name), rows[i].error);
            errors++;
        } else {
            rows[i].max = v;
        }
    }
    if (errors)
        return render_limits(req, 422, rows, n, model);
    json_decref(model);

    if (db_begin_write(req->db) != 0)
        return 503;
    int ok = 1;
    json_t *detail = json_object();
    for (int i = 0; ok && i < n; i++) {
        db_stmt_t *st;
        ok = db_prepare(req->db, sql_limit_update, &st) == 0;
        if (!ok)
            break;
        db_bind_text(st, 1, rows[i].kind, -1);
        db_bind_int64(st, 2, rows[i].seconds);
        db_bind_int64(st, 3, rows[i].max);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
        json_object_set_new(detail, arena_printf(req->arena, "%s/%lld", rows[i].kind, (long long)rows[i].seconds),
                            json_integer(rows[i].max));
    }
    char *detail_text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    ok = ok && audit_log(req->db, moderation_actor(req), "participation.rate_limits", "participation_rate_limits",
                         detail_text, req->client_ip, req->request_id) == 0;
    free(detail_text);
    if (!ok || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, "/verwaltung/beteiligung/grenzen?hinweis=gespeichert");
}
