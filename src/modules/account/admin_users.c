/* admin_users.c — /verwaltung/benutzer: the list of accounts with search, new staff
 * accounts with an invitation, the page of one account (roles, units, block,
 * sessions), and /konto/einladung, where an invited person sets a password.
 *
 * Scope (admin.h): holding account.users.manage everywhere, a manager sees every
 * account; holding it for some units only, the members of those units, and then
 * grants and takes away only roles without administrative rights, only for those
 * units, and blocks nobody who holds administrative rights. Nobody blocks
 * themselves or takes away their own roles, so that nobody locks themselves out.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "modules/account/admin.h"
#include "modules/account/common.h"
#include "modules/account/handlers.h"
#include "modules/account/password.h"
#include "modules/account/session.h"
#include "modules/account/tokens.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

#define SESSIONS_SHOWN 10

/* Case-insensitive search, the same on both engines: SQLite's LOWER() folds only
 * ASCII, PostgreSQL's all of Unicode; folding Ä, Ö and Ü by hand as well makes
 * German names match alike (other capitals beyond ASCII still differ). The
 * search text is folded the same way in C (admin_clean); addresses are stored
 * in lower case already. */
#define FOLD(col) "REPLACE(REPLACE(REPLACE(LOWER(" col "), 'Ä', 'ä'), 'Ö', 'ö'), 'Ü', 'ü')"
static const char sql_list[] =
    "SELECT u.id, u.email, u.display_name, u.is_staff, u.trust_level, u.blocked_at, u.email_confirmed_at "
    "FROM users u WHERE u.id > $1 AND u.deleted_at IS NULL "
    "AND (u.email LIKE $2 ESCAPE '\\' OR " FOLD(
        "u.display_name") " LIKE $2 ESCAPE '\\') "
                          "AND ($3 = 1 OR EXISTS (SELECT 1 FROM unit_members m JOIN user_roles ur ON ur.unit_id = m.unit_id "
                          "JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE m.user_id = u.id AND ur.user_id = $4 "
                          "AND rp.permission = 'account.users.manage')) ORDER BY u.id LIMIT $5";
static const char sql_member_units[] = "SELECT unit_id FROM unit_members WHERE user_id = $1";
static const char sql_all_units[] = "SELECT id, name FROM units ORDER BY name";
static const char sql_all_roles[] = "SELECT id, name, title FROM roles ORDER BY title";
static const char sql_user_times[] = "SELECT created_at, blocked_at FROM users WHERE id = $1";
static const char sql_user_roles[] =
    "SELECT ur.role_id, ur.unit_id, r.name, r.title, COALESCE(u.name, '') FROM user_roles ur "
    "JOIN roles r ON r.id = ur.role_id LEFT JOIN units u ON u.id = ur.unit_id WHERE ur.user_id = $1 "
    "ORDER BY r.title, ur.unit_id";
static const char sql_user_units[] = "SELECT u.id, u.name FROM unit_members m JOIN units u ON u.id = m.unit_id "
                                     "WHERE m.user_id = $1 ORDER BY u.name";
static const char sql_user_sessions[] = "SELECT created_at, last_seen_at, ip, user_agent FROM sessions "
                                        "WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT $2";
static const char sql_role_name[] = "SELECT name FROM roles WHERE id = $1";
static const char sql_unit_slug[] = "SELECT slug FROM units WHERE id = $1";
static const char sql_revoke[] = "DELETE FROM user_roles WHERE user_id = $1 AND role_id = $2 AND unit_id = $3";
static const char sql_add_member[] = "INSERT INTO unit_members (unit_id, user_id) VALUES ($1, $2) "
                                     "ON CONFLICT (unit_id, user_id) DO NOTHING";
static const char sql_remove_member[] = "DELETE FROM unit_members WHERE unit_id = $1 AND user_id = $2";
static const char sql_set_password[] = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1 "
                                       "AND deleted_at IS NULL";

/* ------------------------------------------------------------- helpers */

/* Whether the signed-in manager may see account id: 1 yes, 0 no (also when
 * there is no such account), < 0 on a database error. */
static int in_scope(http_req_t *req, int64_t id, account_t *a)
{
    int rc = account_by_id(req, id, a);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (admin_global(req, PERM_USERS))
        return 1;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_member_units, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int seen = 0;
    while ((rc = db_step(st)) == DB_ROW)
        if (auth_has_permission_in_unit(req, PERM_USERS, db_column_int64(st, 0)))
            seen = 1;
    db_reset(st);
    return rc < 0 ? -1 : seen;
}

/* The account named by the path (:id), when in scope: 0, else 404 or 503. */
static int load_target(http_req_t *req, account_t *a)
{
    int64_t id = admin_parse_id(http_param(req, "id"));
    if (id <= 0)
        return 404;
    int rc = in_scope(req, id, a);
    return rc < 0 ? 503 : rc == 0 ? 404 : 0;
}

/* A text column of the row with id ($1), copied into the arena; "" when none. */
static const char *text_by_id(http_req_t *req, const char *sql, int64_t id)
{
    db_stmt_t *st;
    const char *out = "";
    if (db_prepare(req->db, sql, &st) != 0)
        return out;
    db_bind_int64(st, 1, id);
    if (db_step(st) == DB_ROW)
        out = arena_strdup(req->arena, db_column_text(st, 0));
    db_reset(st);
    return out;
}

/* Adds the unit options a manager may choose: every unit for a global manager
 * (with "none"/"everywhere" first when none_label is given), else only their
 * units. skip_member_of > 0 leaves out units that account is already in. */
static void unit_options(http_req_t *req, json_t *field, const char *none_label, int64_t selected,
                         int64_t skip_member_of)
{
    int global = admin_global(req, PERM_USERS);
    if (global && none_label)
        page_option(field, "", i18n_translate(req->lang, none_label), selected == 0);
    int64_t member[64];
    size_t nmember = 0;
    db_stmt_t *st;
    if (skip_member_of > 0 && db_prepare(req->db, sql_member_units, &st) == 0) {
        db_bind_int64(st, 1, skip_member_of);
        while (nmember < 64 && db_step(st) == DB_ROW)
            member[nmember++] = db_column_int64(st, 0);
        db_reset(st);
    }
    if (db_prepare(req->db, sql_all_units, &st) != 0)
        return;
    while (db_step(st) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        int skip = !global && !auth_has_permission_in_unit(req, PERM_USERS, id);
        for (size_t i = 0; i < nmember; i++)
            skip |= member[i] == id;
        if (skip)
            continue;
        char value[24];
        snprintf(value, sizeof(value), "%lld", (long long)id);
        page_option(field, value, db_column_text(st, 1), id == selected);
    }
    db_reset(st);
}

/* Adds the roles a manager may grant: all for a global manager, else only roles
 * without administrative rights. */
static void role_options(http_req_t *req, json_t *field, const char *none_label, int64_t selected)
{
    int global = admin_global(req, PERM_USERS);
    if (none_label)
        page_option(field, "", i18n_translate(req->lang, none_label), selected == 0);
    int64_t ids[256];
    const char *titles[256];
    size_t n = 0;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_all_roles, &st) != 0)
        return;
    while (n < 256 && db_step(st) == DB_ROW) {
        ids[n] = db_column_int64(st, 0);
        titles[n++] = arena_strdup(req->arena, db_column_text(st, 2));
    }
    db_reset(st);
    for (size_t i = 0; i < n; i++) {
        if (!global && admin_role_is_admin(req->db, ids[i]) != 0)
            continue;
        char value[24];
        snprintf(value, sizeof(value), "%lld", (long long)ids[i]);
        page_option(field, value, titles[i], ids[i] == selected);
    }
}

/* Whether the manager may grant or take away role_id for unit_id (0: everywhere). */
static int may_handle_role(http_req_t *req, int64_t role_id, int64_t unit_id)
{
    if (admin_global(req, PERM_USERS))
        return 1;
    return unit_id > 0 && auth_has_permission_in_unit(req, PERM_USERS, unit_id) &&
           admin_role_is_admin(req->db, role_id) == 0;
}

/* A form value naming a unit: 0 for "" (none / everywhere), the id, or -1 when unknown. */
static int64_t unit_value(http_req_t *req, const char *v)
{
    if (!v || !*v)
        return 0;
    int64_t id = admin_parse_id(v);
    return id > 0 && text_by_id(req, sql_unit_slug, id)[0] ? id : -1;
}

/* ----------------------------------------------------------------- list */

/* GET /verwaltung/benutzer?q=…&nach=ID */
int admin_users_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    const char *q = admin_clean(req, http_query(req, "q"), ADMIN_SEARCH_MAX);
    int64_t after = admin_parse_id(http_query(req, "nach"));
    /* The search text as a LIKE pattern, its wildcards taken literally. */
    buf_t pat;
    buf_init(&pat, req->arena, 128, 512);
    buf_putc(&pat, '%');
    for (const char *c = q; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            buf_putc(&pat, '\\');
        buf_putc(&pat, *c);
    }
    buf_putc(&pat, '%');
    db_stmt_t *st;
    if (db_prepare(req->db, sql_list, &st) != 0)
        return 503;
    db_bind_int64(st, 1, after);
    db_bind_text(st, 2, buf_cstr(&pat), -1);
    db_bind_int64(st, 3, admin_global(req, PERM_USERS));
    db_bind_int64(st, 4, req->user->id);
    db_bind_int64(st, 5, ADMIN_PAGE_SIZE + 1);
    json_t *rows = json_array();
    int64_t last = 0;
    int more = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (json_array_size(rows) == ADMIN_PAGE_SIZE) {
            more = 1;
            break;
        }
        last = db_column_int64(st, 0);
        json_array_append_new(rows, json_pack("{s:I,s:s,s:s,s:b,s:s,s:b,s:b}", "id", (json_int_t)last, "email",
                                              db_column_text(st, 1), "name", db_column_text(st, 2), "staff",
                                              db_column_int64(st, 3) != 0, "trust",
                                              admin_trust_label(req, db_column_int64(st, 4)), "blocked",
                                              !db_column_is_null(st, 5), "confirmed", !db_column_is_null(st, 6)));
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(rows);
        return 503;
    }
    page_t p = page_new(req, N_("Benutzerkonten"));
    page_field(&p, FIELD_TEXT, "q", N_("Suche nach E-Mail-Adresse oder Name"), http_query(req, "q"), NULL, NULL);
    page_set(&p, "rows", rows);
    page_set(&p, "caption", json_string(i18n_translate(req->lang, q[0] ? N_("Gefundene Konten") : N_("Alle Konten"))));
    if (more) {
        buf_t next;
        buf_init(&next, req->arena, 128, 1024);
        buf_puts(&next, "/verwaltung/benutzer?");
        if (q[0]) {
            buf_puts(&next, "q=");
            admin_url_arg(&next, q);
            buf_putc(&next, '&');
        }
        buf_appendf(&next, "nach=%lld", (long long)last);
        page_set(&p, "next", json_string(buf_cstr(&next)));
    } else {
        page_set(&p, "next", json_null());
    }
    return page_render(&p, 200, "admin/users");
}

/* ------------------------------------------------------ new staff account */

static int new_form(http_req_t *req, int status, const char *email, const char *name, int64_t unit, int64_t role,
                    const char *e_email, const char *e_name, const char *e_unit, const char *e_role)
{
    page_t p = page_new(req, N_("Neues Dienstkonto"));
    page_text(
        &p,
        N_("Die Person bekommt eine E-Mail mit einem Link, über den sie ihr Passwort festlegt. Der Link gilt 7 Tage."));
    json_t *f = page_field(&p, FIELD_EMAIL, "email", N_("Dienstliche E-Mail-Adresse"), email, NULL, e_email);
    json_object_set_new(f, "autocomplete", json_string("off"));
    f = page_field(&p, FIELD_TEXT, "name", N_("Name"), name,
                   N_("Vor- und Familienname, wie er anderen angezeigt wird."), e_name);
    json_object_set_new(f, "autocomplete", json_string("off"));
    f = page_field(&p, FIELD_SELECT, "einheit", N_("Organisationseinheit"), "", NULL, e_unit);
    unit_options(req, f, N_("– keine –"), unit, 0);
    f = page_field(&p, FIELD_SELECT, "rolle", N_("Rolle"), "",
                   N_("Mit einer Einheit gilt die Rolle nur dort, sonst überall."), e_role);
    role_options(req, f, N_("– keine –"), role);
    page_link(&p, "/verwaltung/benutzer", N_("Zurück zur Liste"));
    return page_form(&p, status, "/verwaltung/benutzer/neu", N_("Konto anlegen und einladen"));
}

int admin_user_new_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    return new_form(req, 200, "", "", 0, 0, NULL, NULL, NULL, NULL);
}

/* Sends the invitation for user id to email. Returns 0 or < 0. */
static int send_invite(http_req_t *req, int64_t id, const char *email)
{
    char token[48];
    if (token_void_all(req->db, id, TOKEN_INVITE) != 0 ||
        token_create(req->db, id, TOKEN_INVITE, NULL, ADMIN_INVITE_TTL, token) != 0)
        return -1;
    /* Staff of a German town hall: the invitation is written in German. */
    return account_mail(
        req, email, "de", N_("Ihr Dienstkonto im digitalen Rathaus"),
        N_("Für Sie wurde ein Dienstkonto im digitalen Rathaus angelegt. Bitte legen Sie mit diesem Link Ihr Passwort fest (gültig 7 Tage):"),
        "/konto/einladung", token);
}

int admin_user_new_submit(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    const char *e_email = NULL, *e_name = NULL, *e_unit = NULL, *e_role = NULL;
    const char *entered = http_form(req, "email");
    const char *name_in = http_form(req, "name");
    const char *email = account_email_normalise(req, entered, &e_email);
    const char *name = admin_name(req, name_in, ADMIN_NAME_MAX, &e_name);
    int64_t unit = unit_value(req, http_form(req, "einheit"));
    const char *role_in = http_form(req, "rolle");
    int64_t role = admin_parse_id(role_in);
    int global = admin_global(req, PERM_USERS);
    if (unit < 0 || (unit == 0 && !global) || (unit > 0 && !auth_has_permission_in_unit(req, PERM_USERS, unit))) {
        e_unit = N_("Bitte wählen Sie eine Ihrer Organisationseinheiten.");
        unit = 0;
    }
    if (role_in && *role_in &&
        (role <= 0 || !text_by_id(req, sql_role_name, role)[0] || !may_handle_role(req, role, unit))) {
        e_role = N_("Bitte wählen Sie eine Rolle aus der Liste.");
        role = 0;
    }
    if (e_email || e_name || e_unit || e_role)
        return new_form(req, 422, entered ? entered : "", name_in ? name_in : "", unit, role, e_email, e_name, e_unit,
                        e_role);

    if (db_begin_write(req->db) != 0)
        return 503;
    int64_t id = admin_create_staff(req->db, email, name, NULL, role, unit, (int64_t)time(NULL));
    if (id == 0) {
        db_rollback(req->db);
        return new_form(req, 422, entered, name_in, unit, role, N_("Zu dieser Adresse gibt es schon ein Konto."), NULL,
                        NULL, NULL);
    }
    int ok = id > 0 && send_invite(req, id, email) == 0;
    if (ok) {
        account_audit(req, id, "admin.user_created",
                      admin_detail(req, json_pack("{s:s,s:s,s:s}", "email", email, "role",
                                                  role ? text_by_id(req, sql_role_name, role) : "", "unit",
                                                  unit ? text_by_id(req, sql_unit_slug, unit) : "")));
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    if (!ok) {
        log_kv(LOG_ERROR, "staff account not created", "error", db_errmsg(req->db), "request_id", req->request_id,
               NULL);
        return 503;
    }
    char *loc = arena_printf(req->arena, "/verwaltung/benutzer/%lld?angelegt=1", (long long)id);
    return http_redirect(req, 303, loc);
}

/* ------------------------------------------------------------ invitation */

static int invite_invalid(http_req_t *req)
{
    page_t p = page_new(req, N_("Dieser Link ist nicht mehr gültig"));
    page_text(
        &p,
        N_("Die Einladung ist abgelaufen oder wurde schon benutzt. Bitte wenden Sie sich an Ihre Administration, damit sie Ihnen eine neue schickt."));
    page_link(&p, "/konto/anmelden", N_("Zur Anmeldung"));
    return page_message(&p, 410);
}

static int invite_form(http_req_t *req, int status, const char *token, const char *e_pw, const char *e_pw2)
{
    page_t p = page_new(req, N_("Passwort für Ihr Dienstkonto festlegen"));
    page_text(
        &p, N_("Willkommen im digitalen Rathaus. Legen Sie jetzt Ihr Passwort fest; danach melden Sie sich damit an."));
    page_hidden(&p, "token", token);
    page_field(&p, FIELD_NEW_PASSWORD, "passwort", N_("Passwort"), "",
               N_("Mindestens 12 Zeichen. Ein Satz, den Sie sich gut merken können, ist ein gutes Passwort."), e_pw);
    page_field(&p, FIELD_NEW_PASSWORD, "passwort2", N_("Passwort wiederholen"), "", NULL, e_pw2);
    return page_form(&p, status, "/konto/einladung", N_("Passwort festlegen"));
}

/* GET /konto/einladung?token=… — the form; the token is only looked at. */
int admin_invite_page(http_req_t *req)
{
    const char *token = http_query(req, "token");
    int64_t uid;
    int rc = token_peek(req->db, token, TOKEN_INVITE, &uid);
    if (rc < 0)
        return 503;
    return rc ? invite_invalid(req) : invite_form(req, 200, token, NULL, NULL);
}

/* POST /konto/einladung */
int admin_invite_submit(http_req_t *req)
{
    const char *token = http_form(req, "token");
    const char *pw = http_form(req, "passwort");
    const char *pw2 = http_form(req, "passwort2");
    int64_t uid;
    int rc = token_peek(req->db, token, TOKEN_INVITE, &uid);
    if (rc < 0)
        return 503;
    account_t a;
    if (rc || account_by_id(req, uid, &a) != 0)
        return invite_invalid(req);
    const char *e_pw = NULL, *e_pw2 = NULL;
    account_check_new_password(pw, pw2, a.email, &e_pw, &e_pw2);
    if (e_pw || e_pw2)
        return invite_form(req, 422, token, e_pw, e_pw2);
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(pw, hash) != 0)
        return 500;
    if (db_begin_write(req->db) != 0)
        return 503;
    /* Consumed in the transaction that sets the password: two clicks, one password. */
    int ok = token_consume(req->db, token, TOKEN_INVITE, &uid, NULL, 0) == 0;
    db_stmt_t *st;
    if (ok && db_prepare(req->db, sql_set_password, &st) == 0) {
        db_bind_int64(st, 1, uid);
        db_bind_text(st, 2, hash, -1);
        db_bind_int64(st, 3, (int64_t)time(NULL));
        ok = db_step(st) == DB_DONE && db_changes(st) == 1;
        db_reset(st);
    } else {
        ok = 0;
    }
    ok = ok && token_void_all(req->db, uid, TOKEN_INVITE) == 0;
    if (ok) {
        account_audit(req, uid, "account.invite_accepted", NULL);
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    if (!ok)
        return invite_invalid(req);
    return http_redirect(req, 303, "/konto/anmelden?passwort=1");
}

/* ------------------------------------------------------------ one account */

/* What a POST on the account page left to show: its status, a message, field errors. */
typedef struct user_state {
    int status;
    const char *alert_kind, *alert;
    const char *e_role, *e_role_unit, *e_unit;
    int64_t role, role_unit, unit; /* values to keep in the forms */
} user_state_t;

/* The messages after a successful change (?ok=…), keyed by the redirect. */
static const struct done_msg {
    const char *key, *text;
} done_msgs[] = {
    {"angelegt", N_("Das Konto ist angelegt, die Einladung ist verschickt.")},
    {"rolle", N_("Die Rolle ist zugewiesen.")},
    {"rolle-entfernt", N_("Die Rolle ist entfernt.")},
    {"einheit", N_("Das Konto ist jetzt Mitglied der Einheit.")},
    {"einheit-entfernt", N_("Das Konto ist nicht mehr Mitglied der Einheit.")},
    {"gesperrt", N_("Das Konto ist gesperrt; alle Sitzungen sind beendet.")},
    {"entsperrt", N_("Das Konto ist entsperrt.")},
    {"einladung", N_("Eine neue Einladung ist verschickt.")},
};

static int user_page(http_req_t *req, const account_t *a, const user_state_t *s)
{
    int global = admin_global(req, PERM_USERS);
    int self = a->id == req->user->id;
    int target_admin = admin_user_is_admin(req->db, a->id);
    if (target_admin < 0)
        return 503;
    page_t p = page_new(req, N_("Benutzerkonto"));
    if (s->alert)
        page_alert(&p, s->alert_kind, s->alert);
    for (size_t i = 0; i < sizeof(done_msgs) / sizeof(done_msgs[0]); i++)
        if (http_query(req, done_msgs[i].key))
            page_alert(&p, "success", done_msgs[i].text);

    int64_t created = 0, blocked_at = 0;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_user_times, &st) != 0)
        return 503;
    db_bind_int64(st, 1, a->id);
    if (db_step(st) == DB_ROW) {
        created = db_column_int64(st, 0);
        blocked_at = db_column_int64(st, 1);
    }
    db_reset(st);
    page_set(&p, "account",
             json_pack("{s:I,s:s,s:s,s:b,s:s,s:b,s:b,s:b,s:s,s:s,s:b}", "id", (json_int_t)a->id, "email", a->email,
                       "name", a->display_name, "staff", a->is_staff, "trust", admin_trust_label(req, a->trust_level),
                       "confirmed", a->confirmed, "totp", a->totp_enabled, "blocked", a->blocked, "blocked_at",
                       admin_time(req, blocked_at), "created", admin_time(req, created), "invite_pending",
                       a->is_staff && !a->password_hash));

    /* Roles, each with whether this manager may take it away. */
    json_t *roles = json_array();
    if (db_prepare(req->db, sql_user_roles, &st) != 0) {
        json_decref(roles);
        return 503;
    }
    db_bind_int64(st, 1, a->id);
    struct {
        int64_t role, unit;
    } held[64];
    size_t nheld = 0;
    while (db_step(st) == DB_ROW && nheld < 64) {
        held[nheld].role = db_column_int64(st, 0);
        held[nheld].unit = db_column_int64(st, 1);
        const char *where = held[nheld].unit ? db_column_text(st, 4) : i18n_translate(req->lang, N_("überall"));
        json_array_append_new(roles,
                              json_pack("{s:I,s:I,s:s,s:s,s:s,s:b}", "role_id", (json_int_t)held[nheld].role, "unit_id",
                                        (json_int_t)held[nheld].unit, "role_name", db_column_text(st, 2), "role_title",
                                        db_column_text(st, 3), "where", where, "removable", 0));
        nheld++;
    }
    db_reset(st);
    for (size_t i = 0; i < nheld; i++)
        json_object_set_new(json_array_get(roles, i), "removable",
                            json_boolean(!self && may_handle_role(req, held[i].role, held[i].unit)));
    page_set(&p, "roles", roles);

    json_t *units = json_array();
    if (db_prepare(req->db, sql_user_units, &st) == 0) {
        db_bind_int64(st, 1, a->id);
        while (db_step(st) == DB_ROW) {
            int64_t uid = db_column_int64(st, 0);
            json_array_append_new(units, json_pack("{s:I,s:s,s:b}", "unit_id", (json_int_t)uid, "unit_name",
                                                   db_column_text(st, 1), "removable",
                                                   global || auth_has_permission_in_unit(req, PERM_USERS, uid)));
        }
        db_reset(st);
    }
    page_set(&p, "units", units);

    json_t *sessions = json_array();
    if (db_prepare(req->db, sql_user_sessions, &st) == 0) {
        db_bind_int64(st, 1, a->id);
        db_bind_int64(st, 2, SESSIONS_SHOWN);
        while (db_step(st) == DB_ROW)
            json_array_append_new(sessions,
                                  json_pack("{s:s,s:s,s:s,s:s}", "created", admin_time(req, db_column_int64(st, 0)),
                                            "last_seen", admin_time(req, db_column_int64(st, 1)), "ip",
                                            db_column_text(st, 2), "agent", db_column_text(st, 3)));
        db_reset(st);
    }
    page_set(&p, "sessions", sessions);

    /* The forms: add a role, add a unit membership. */
    json_t *f = page_field(&p, FIELD_SELECT, "rolle", N_("Rolle"), "", NULL, s->e_role);
    role_options(req, f, NULL, s->role);
    f = page_field(&p, FIELD_SELECT, "rolle_einheit", N_("Gilt für"), "",
                   N_("Eine Organisationseinheit, oder überall."), s->e_role_unit);
    unit_options(req, f, N_("überall"), s->role_unit, 0);
    page_set(&p, "role_form", json_pack("{s:o}", "fields", page_take_fields(&p)));
    f = page_field(&p, FIELD_SELECT, "einheit", N_("Organisationseinheit"), "", NULL, s->e_unit);
    unit_options(req, f, NULL, s->unit, a->id);
    page_set(&p, "unit_form",
             json_pack("{s:o,s:b}", "fields", page_take_fields(&p), "any",
                       json_array_size(json_object_get(f, "options")) > 0));
    page_set(&p, "can_block", json_boolean(!self && (global || !target_admin)));
    page_set(&p, "can_change_roles", json_boolean(!self));
    return page_render(&p, s->status ? s->status : 200, "admin/user");
}

/* GET /verwaltung/benutzer/:id */
int admin_user_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    account_t a;
    int rc = load_target(req, &a);
    if (rc)
        return rc;
    user_state_t s = {0};
    return user_page(req, &a, &s);
}

/* Redirects back to the account page with a success message. */
static int back(http_req_t *req, int64_t id, const char *what)
{
    return http_redirect(req, 303, arena_printf(req->arena, "/verwaltung/benutzer/%lld?%s=1", (long long)id, what));
}

/* Refuses a change with a message on the account page. */
static int refuse(http_req_t *req, const account_t *a, int status, const char *msg)
{
    user_state_t s = {0};
    s.status = status;
    s.alert_kind = "danger";
    s.alert = msg;
    return user_page(req, a, &s);
}

/* Runs one statement with three integer parameters inside a write transaction,
 * audits it and commits. Returns the rows changed (0 or 1), or < 0. */
static int change(http_req_t *req, const char *sql, int64_t p1, int64_t p2, int64_t p3, int nparams, int64_t target,
                  const char *action, json_t *detail)
{
    if (db_begin_write(req->db) != 0) {
        json_decref(detail);
        return -1;
    }
    db_stmt_t *st;
    int changed = -1;
    if (db_prepare(req->db, sql, &st) == 0) {
        db_bind_int64(st, 1, p1);
        db_bind_int64(st, 2, p2);
        if (nparams > 2)
            db_bind_int64(st, 3, p3);
        if (db_step(st) == DB_DONE)
            changed = (int)db_changes(st);
        db_reset(st);
    }
    if (changed > 0)
        account_audit(req, target, action, admin_detail(req, detail));
    else
        json_decref(detail);
    if (changed < 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return -1;
    }
    return changed;
}

/* POST /verwaltung/benutzer/:id/rollen — rolle, rolle_einheit ("" = everywhere). */
int admin_user_role_add(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    account_t a;
    int rc = load_target(req, &a);
    if (rc)
        return rc;
    if (a.id == req->user->id)
        return refuse(req, &a, 403,
                      N_("Ihre eigenen Rollen kann nur eine andere Person mit Verwaltungsrechten ändern."));
    user_state_t s = {0};
    s.role = admin_parse_id(http_form(req, "rolle"));
    s.role_unit = unit_value(req, http_form(req, "rolle_einheit"));
    const char *role_name = s.role > 0 ? text_by_id(req, sql_role_name, s.role) : "";
    if (!role_name[0])
        s.e_role = N_("Bitte wählen Sie eine Rolle aus der Liste.");
    if (s.role_unit < 0)
        s.e_role_unit = N_("Bitte wählen Sie eine Organisationseinheit aus der Liste.");
    else if (!s.e_role && !may_handle_role(req, s.role, s.role_unit))
        s.e_role_unit = N_("Diese Rolle dürfen Sie für diese Einheit nicht vergeben.");
    if (s.e_role || s.e_role_unit) {
        s.status = 422;
        s.role_unit = s.role_unit < 0 ? 0 : s.role_unit;
        return user_page(req, &a, &s);
    }
    if (db_begin_write(req->db) != 0)
        return 503;
    int ok = admin_grant_role(req->db, a.id, s.role, s.role_unit) == 0;
    if (ok) {
        account_audit(req, a.id, "admin.role_granted",
                      admin_detail(req, json_pack("{s:s,s:s}", "role", role_name, "unit",
                                                  s.role_unit ? text_by_id(req, sql_unit_slug, s.role_unit) : "")));
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    return ok ? back(req, a.id, "rolle") : 503;
}

/* POST /verwaltung/benutzer/:id/rollen/entfernen — rolle, einheit of the grant. */
int admin_user_role_remove(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    account_t a;
    int rc = load_target(req, &a);
    if (rc)
        return rc;
    if (a.id == req->user->id)
        return refuse(req, &a, 403,
                      N_("Ihre eigenen Rollen kann nur eine andere Person mit Verwaltungsrechten ändern."));
    int64_t role = admin_parse_id(http_form(req, "rolle"));
    const char *unit_in = http_form(req, "einheit");
    int64_t unit = unit_in && !strcmp(unit_in, "0") ? 0 : admin_parse_id(unit_in);
    if (role <= 0 || (unit == 0 && !(unit_in && !strcmp(unit_in, "0"))))
        return 400;
    if (!may_handle_role(req, role, unit))
        return refuse(req, &a, 403, N_("Diese Rolle dürfen Sie nicht entfernen."));
    json_t *detail = json_pack("{s:s,s:s}", "role", text_by_id(req, sql_role_name, role), "unit",
                               unit ? text_by_id(req, sql_unit_slug, unit) : "");
    rc = change(req, sql_revoke, a.id, role, unit, 3, a.id, "admin.role_revoked", detail);
    return rc < 0 ? 503 : back(req, a.id, "rolle-entfernt");
}

/* POST /verwaltung/benutzer/:id/einheiten — einheit. */
int admin_user_unit_add(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    account_t a;
    int rc = load_target(req, &a);
    if (rc)
        return rc;
    user_state_t s = {0};
    s.unit = unit_value(req, http_form(req, "einheit"));
    if (s.unit <= 0 || !auth_has_permission_in_unit(req, PERM_USERS, s.unit)) {
        s.status = 422;
        s.unit = 0;
        s.e_unit = N_("Bitte wählen Sie eine Organisationseinheit aus der Liste.");
        return user_page(req, &a, &s);
    }
    json_t *detail = json_pack("{s:s}", "unit", text_by_id(req, sql_unit_slug, s.unit));
    rc = change(req, sql_add_member, s.unit, a.id, 0, 2, a.id, "admin.unit_member_added", detail);
    return rc < 0 ? 503 : back(req, a.id, "einheit");
}

/* POST /verwaltung/benutzer/:id/einheiten/entfernen — einheit. */
int admin_user_unit_remove(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    account_t a;
    int rc = load_target(req, &a);
    if (rc)
        return rc;
    int64_t unit = admin_parse_id(http_form(req, "einheit"));
    if (unit <= 0)
        return 400;
    if (!auth_has_permission_in_unit(req, PERM_USERS, unit))
        return refuse(req, &a, 403, N_("Mitgliedschaften in dieser Einheit dürfen Sie nicht ändern."));
    json_t *detail = json_pack("{s:s}", "unit", text_by_id(req, sql_unit_slug, unit));
    rc = change(req, sql_remove_member, unit, a.id, 0, 2, a.id, "admin.unit_member_removed", detail);
    return rc < 0 ? 503 : back(req, a.id, "einheit-entfernt");
}

/* Blocks (1) or unblocks (0) the account of the path. */
static int set_block(http_req_t *req, int blocked)
{
    if (admin_guard(req))
        return 0;
    account_t a;
    int rc = load_target(req, &a);
    if (rc)
        return rc;
    if (a.id == req->user->id)
        return refuse(req, &a, 403, N_("Ihr eigenes Konto können Sie nicht sperren."));
    if (!admin_global(req, PERM_USERS) && admin_user_is_admin(req->db, a.id) != 0)
        return refuse(
            req, &a, 403,
            N_("Konten mit Verwaltungsrechten kann nur sperren, wer diese Rechte für die ganze Verwaltung hat."));
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = admin_set_blocked(req->db, a.id, blocked, (int64_t)time(NULL));
    if (rc == 0) {
        account_audit(req, a.id, blocked ? "admin.user_blocked" : "admin.user_unblocked", NULL);
        rc = db_commit(req->db);
    } else {
        db_rollback(req->db);
    }
    if (rc != 0)
        return 503;
    return back(req, a.id, blocked ? "gesperrt" : "entsperrt");
}

/* POST /verwaltung/benutzer/:id/sperren and …/entsperren */
int admin_user_block(http_req_t *req)
{
    return set_block(req, 1);
}

int admin_user_unblock(http_req_t *req)
{
    return set_block(req, 0);
}

/* POST /verwaltung/benutzer/:id/einladung — a new invitation while no password is set. */
int admin_user_reinvite(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    account_t a;
    int rc = load_target(req, &a);
    if (rc)
        return rc;
    if (!a.is_staff || a.password_hash)
        return refuse(req, &a, 409, N_("Dieses Konto hat schon ein Passwort. Eine Einladung ist nicht mehr nötig."));
    if (db_begin_write(req->db) != 0)
        return 503;
    int ok = send_invite(req, a.id, a.email) == 0;
    if (ok) {
        account_audit(req, a.id, "admin.user_reinvited", NULL);
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    return ok ? back(req, a.id, "einladung") : 503;
}
