/* admin.c — the administration module: its route table, the overview page at
 * /verwaltung, the helpers every admin page uses, and the database steps that the
 * pages, the command line (cli_user.c) and the demo data share (see admin.h).
 */
#include "modules/account/admin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/account/handlers.h"
#include "modules/account/session.h"
#include "modules/account/ui.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

/* ---------------------------------------------------------------- helpers */

int admin_guard(http_req_t *req)
{
    if (req->user && !req->user->totp_enabled && account_is_admin(req)) {
        http_redirect(req, 303, "/konto/sicherheit?pflicht=1#zwei-faktor");
        return HTTP_ANSWERED;
    }
    return 0;
}

int admin_global(const http_req_t *req, const char *permission)
{
    /* auth_has_permission_in_unit matches grant unit 0 or the unit asked for:
     * asking for unit 0 therefore matches only grants that hold everywhere. */
    return auth_has_permission_in_unit(req, permission, 0);
}

int64_t admin_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 18) /* 18 digits cannot overflow int64 */
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

const char *admin_time(http_req_t *req, int64_t unix_seconds)
{
    if (unix_seconds <= 0)
        return "";
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    char buf[32];
    localtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%d.%m.%Y %H:%M", &tm);
    return arena_strdup(req->arena, buf);
}

void admin_url_arg(buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf_putc(b, (char)*p);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

/* Trims s[0..*n) in place (pointer and length). */
static const char *trim(const char *s, size_t *n)
{
    while (*n && isspace((unsigned char)s[*n - 1]))
        (*n)--;
    while (*n && isspace((unsigned char)*s)) {
        s++;
        (*n)--;
    }
    return s;
}

const char *admin_clean(http_req_t *req, const char *s, size_t max)
{
    if (!s)
        return "";
    size_t n = strlen(s);
    s = trim(s, &n);
    if (n > max)
        n = utf8_truncate(s, n, max);
    char *out = arena_strndup(req->arena, s, n);
    for (unsigned char *p = (unsigned char *)out; *p; p++) {
        if (*p < 0x80)
            *p = (unsigned char)tolower(*p);
        else if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0x9e && p[1] != 0x97)
            *++p += 0x20; /* U+00C0..U+00DE (À..Þ, not ×): the small letter is 0x20 above */
    }
    return out;
}

const char *admin_name(http_req_t *req, const char *s, size_t max, const char **error)
{
    *error = NULL;
    size_t n = s ? strlen(s) : 0;
    s = n ? trim(s, &n) : "";
    if (n == 0) {
        *error = N_("Bitte geben Sie einen Namen an.");
        return NULL;
    }
    if (!utf8_valid(s, n) || utf8_length(s, n) > max) {
        *error = N_("Der Name ist zu lang.");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            *error = N_("Der Name enthält unzulässige Zeichen.");
            return NULL;
        }
    return arena_strndup(req->arena, s, n);
}

const char *admin_trust_label(http_req_t *req, int64_t level)
{
    static const char *const labels[] = {N_("unbestätigt"), N_("basisregistriert"), N_("substantiell"), N_("hoch")};
    if (level < 0 || level > 3)
        level = 0;
    return i18n_translate(req->lang, labels[level]);
}

const char *admin_detail(http_req_t *req, json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!text)
        return "{}";
    char *copy = arena_strdup(req->arena, text);
    free(text);
    return copy;
}

void admin_audit_record(http_req_t *req, const char *object, const char *action, const char *detail_json)
{
    char actor[32];
    snprintf(actor, sizeof(actor), "user:%lld", (long long)(req->user ? req->user->id : 0));
    audit_log(req->db, actor, action, object, detail_json, req->client_ip, req->request_id);
}

/* ------------------------------------------------------- database steps */

/* The administrative permissions, as in account_is_admin (security.c). */
#define ADMIN_PERMS_SQL "('account.users.manage', 'account.units.manage', 'account.roles.manage', 'account.audit.read')"
static const char sql_role_admin[] =
    "SELECT COUNT(*) FROM role_permissions WHERE role_id = $1 AND permission IN " ADMIN_PERMS_SQL;
static const char sql_user_admin[] = "SELECT COUNT(*) FROM user_roles ur JOIN role_permissions rp ON rp.role_id = "
                                     "ur.role_id WHERE ur.user_id = $1 AND rp.permission IN " ADMIN_PERMS_SQL;

int admin_role_is_admin(db_t *db, int64_t role_id)
{
    int64_t n;
    return db_query_int64_arg(db, sql_role_admin, role_id, &n) < 0 ? -1 : n > 0;
}

int admin_user_is_admin(db_t *db, int64_t user_id)
{
    int64_t n;
    return db_query_int64_arg(db, sql_user_admin, user_id, &n) < 0 ? -1 : n > 0;
}

static const char sql_email_taken[] = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL";
static const char sql_new_staff[] =
    "INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at, "
    "updated_at) VALUES ($1, $2, $3, 1, 1, $4, $3, $3) RETURNING id";
static const char sql_new_profile[] = "INSERT INTO profiles (user_id, updated_at) VALUES ($1, $2)";
static const char sql_grant[] = "INSERT INTO user_roles (user_id, role_id, unit_id) VALUES ($1, $2, $3) "
                                "ON CONFLICT (user_id, role_id, unit_id) DO NOTHING";
static const char sql_member[] = "INSERT INTO unit_members (unit_id, user_id) VALUES ($1, $2) "
                                 "ON CONFLICT (unit_id, user_id) DO NOTHING";
static const char sql_block[] = "UPDATE users SET blocked_at = $2, updated_at = $2 WHERE id = $1 "
                                "AND deleted_at IS NULL AND blocked_at IS NULL";
static const char sql_unblock[] = "UPDATE users SET blocked_at = NULL, updated_at = $2 WHERE id = $1 "
                                  "AND deleted_at IS NULL AND blocked_at IS NOT NULL";
static const char sql_exists[] = "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL";
static const char sql_role_by_name[] = "SELECT id FROM roles WHERE name = $1";
static const char sql_unit_by_slug[] = "SELECT id FROM units WHERE slug = $1";
static const char sql_new_unit[] = "INSERT INTO units (slug, name, contact, created_at) VALUES ($1, $2, $3, $4) "
                                   "ON CONFLICT (slug) DO NOTHING RETURNING id";

/* Runs an INSERT/UPDATE with two integer parameters: 0 done, < 0 error. */
static int exec2(db_t *db, const char *sql, int64_t a, int64_t b)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, a);
    db_bind_int64(st, 2, b);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int admin_role_id(db_t *db, const char *name, int64_t *id)
{
    return db_query_int64_text(db, sql_role_by_name, name, NULL, id);
}

int admin_unit_id(db_t *db, const char *slug, int64_t *id)
{
    return db_query_int64_text(db, sql_unit_by_slug, slug, NULL, id);
}

int64_t admin_create_staff(db_t *db, const char *email, const char *name, const char *password_hash, int64_t role_id,
                           int64_t unit_id, int64_t now)
{
    int64_t id = 0;
    int rc = db_query_int64_text(db, sql_email_taken, email, NULL, &id);
    if (rc <= 0)
        return rc == 0 ? 0 : -1;
    db_stmt_t *st;
    if (db_prepare(db, sql_new_staff, &st) != 0)
        return -1;
    db_bind_text(st, 1, email, -1);
    if (password_hash)
        db_bind_text(st, 2, password_hash, -1);
    else
        db_bind_null(st, 2);
    db_bind_int64(st, 3, now);
    db_bind_text(st, 4, name, -1);
    id = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_reset(st);
    if (id <= 0 || exec2(db, sql_new_profile, id, now) != 0)
        return -1;
    if (unit_id > 0 && exec2(db, sql_member, unit_id, id) != 0)
        return -1;
    if (role_id > 0 && admin_grant_role(db, id, role_id, unit_id > 0 ? unit_id : 0) != 0)
        return -1;
    return id;
}

int admin_grant_role(db_t *db, int64_t user_id, int64_t role_id, int64_t unit_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_grant, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, role_id);
    db_bind_int64(st, 3, unit_id);
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return -1;
    return unit_id > 0 ? exec2(db, sql_member, unit_id, user_id) : 0;
}

int admin_set_blocked(db_t *db, int64_t user_id, int blocked, int64_t now)
{
    int64_t one;
    int rc = db_query_int64_arg(db, sql_exists, user_id, &one);
    if (rc != 0)
        return rc;
    if (exec2(db, blocked ? sql_block : sql_unblock, user_id, now) != 0)
        return -1;
    /* A block takes effect at once: every open session of the account ends. */
    return blocked ? session_destroy_all(db, user_id, NULL) : 0;
}

static int valid_name_chars(const char *s, const char *extra)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr(extra, s[i])))
            return 0;
    return 1;
}

int admin_valid_slug(const char *slug)
{
    return valid_name_chars(slug, "-");
}

int admin_valid_role_name(const char *name)
{
    return valid_name_chars(name, "-_");
}

int64_t admin_create_unit(db_t *db, const char *slug, const char *name, const char *contact, int64_t now)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_new_unit, &st) != 0)
        return -1;
    db_bind_text(st, 1, slug, -1);
    db_bind_text(st, 2, name, -1);
    db_bind_text(st, 3, contact ? contact : "", -1);
    db_bind_int64(st, 4, now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_column_int64(st, 0) : rc == DB_DONE ? 0 : -1;
    db_reset(st);
    return id;
}

/* ------------------------------------------------------------- overview */

/* The areas of the administration, each with the permission that opens it. */
static const struct area {
    const char *href, *permission, *title, *text;
} areas[] = {
    {"/verwaltung/benutzer", PERM_USERS, N_("Benutzerkonten"),
     N_("Dienstkonten anlegen, Rollen und Organisationseinheiten zuweisen, Konten sperren.")},
    {"/verwaltung/identitaet", PERM_TRUST, N_("Identität prüfen"),
     N_("Das Vertrauensniveau einer Bürgerin oder eines Bürgers nach Vorlage eines Ausweises anheben.")},
    {"/verwaltung/einheiten", PERM_UNITS, N_("Organisationseinheiten"),
     N_("Ämter und Abteilungen mit ihren Mitgliedern.")},
    {"/verwaltung/rollen", PERM_ROLES, N_("Rollen und Rechte"), N_("Welche Rolle welche Rechte bündelt.")},
    {"/verwaltung/protokoll", PERM_AUDIT, N_("Sicherheitsprotokoll"),
     N_("Wer hat wann was getan: Anmeldungen, Änderungen an Konten und Rechten.")},
    /* The other modules' staff areas (their permissions: sql/services/003_roles.sql). */
    {"/verwaltung/vorgaenge", "services.case.read", N_("Vorgänge"),
     N_("Anträge Ihrer Organisationseinheit bearbeiten: Posteingang, Bescheide, Statistik.")},
    {"/verwaltung/termine", "services.appointments.manage", N_("Termine"),
     N_("Termine anbieten und die Tagesliste sehen.")},
    {"/verwaltung/zweckentfremdung", "services.case.read", N_("Ferienwohnungen"),
     N_("Registrierte Ferienwohnungen und ihre Übernachtungen.")},
    {"/verwaltung/formulare", "services.forms.manage", N_("Formulare"),
     N_("Formulare für Online-Anträge laden und prüfen: als JSON oder aus FIM XDatenfelder.")},
    {"/verwaltung/beteiligung/vorhaben", "participation.projects.manage", N_("Vorhabenliste pflegen"),
     N_("Vorhaben anlegen und ändern, Ausgaben veröffentlichen.")},
};

/* GET /verwaltung — the areas this user may use. Open to every signed-in
 * account; one without any of these permissions is told so plainly. */
int admin_overview(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    json_t *list = json_array();
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        if (auth_has_permission(req, areas[i].permission))
            json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "href", areas[i].href, "label",
                                                  i18n_translate(req->lang, areas[i].title), "text",
                                                  i18n_translate(req->lang, areas[i].text)));
    page_t p = page_new(req, N_("Verwaltung"));
    if (json_array_size(list) == 0)
        page_text(&p, N_("Für Ihr Konto gibt es hier keine Verwaltungsbereiche. Wenn Sie Rechte brauchen, wenden Sie sich an Ihre Administration."));
    page_set(&p, "areas", list);
    return page_render(&p, 200, "admin/overview");
}

/* ---------------------------------------------------------------- routes */

#define SIGNED_IN AUTH_SIGNED_IN

/* Literal paths come before the :id patterns they would otherwise match. */
static const route_t admin_routes[] = {
    {"GET", "/verwaltung", admin_overview, SIGNED_IN, 0, 0},
    {"GET", "/verwaltung/benutzer", admin_users_page, PERM_USERS, 0, 0},
    {"GET", "/verwaltung/benutzer/neu", admin_user_new_page, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/neu", admin_user_new_submit, PERM_USERS, 0, 0},
    {"GET", "/verwaltung/benutzer/:id", admin_user_page, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/:id/rollen", admin_user_role_add, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/:id/rollen/entfernen", admin_user_role_remove, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/:id/einheiten", admin_user_unit_add, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/:id/einheiten/entfernen", admin_user_unit_remove, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/:id/sperren", admin_user_block, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/:id/entsperren", admin_user_unblock, PERM_USERS, 0, 0},
    {"POST", "/verwaltung/benutzer/:id/einladung", admin_user_reinvite, PERM_USERS, 0, 0},
    {"GET", "/konto/einladung", admin_invite_page, NULL, 0, 0},
    {"POST", "/konto/einladung", admin_invite_submit, NULL, 0, 0},
    {"GET", "/verwaltung/identitaet", admin_identity_page, PERM_TRUST, 0, 0},
    {"POST", "/verwaltung/identitaet/:id", admin_identity_submit, PERM_TRUST, 0, 0},
    {"GET", "/verwaltung/einheiten", admin_units_page, PERM_UNITS, 0, 0},
    {"GET", "/verwaltung/einheiten/neu", admin_unit_new_page, PERM_UNITS, 0, 0},
    {"POST", "/verwaltung/einheiten/neu", admin_unit_new_submit, PERM_UNITS, 0, 0},
    {"GET", "/verwaltung/einheiten/:id", admin_unit_page, PERM_UNITS, 0, 0},
    {"POST", "/verwaltung/einheiten/:id", admin_unit_submit, PERM_UNITS, 0, 0},
    {"GET", "/verwaltung/rollen", admin_roles_page, PERM_ROLES, 0, 0},
    {"GET", "/verwaltung/rollen/neu", admin_role_new_page, PERM_ROLES, 0, 0},
    {"POST", "/verwaltung/rollen/neu", admin_role_new_submit, PERM_ROLES, 0, 0},
    {"GET", "/verwaltung/rollen/:id", admin_role_page, PERM_ROLES, 0, 0},
    {"POST", "/verwaltung/rollen/:id", admin_role_submit, PERM_ROLES, 0, 0},
    {"GET", "/verwaltung/protokoll", admin_audit_page, PERM_AUDIT, 0, 0},
};

const module_t account_admin_module = {
    .name = "admin",
    .title = N_("Verwaltung"),
    .summary = N_("Benutzerkonten, Organisationseinheiten, Rollen und das Sicherheitsprotokoll."),
    .home = "/verwaltung",
    .nav_permission = "account.users.manage,account.units.manage,account.roles.manage,account.audit.read,account.trust.raise",
    .routes = admin_routes,
    .route_count = sizeof(admin_routes) / sizeof(admin_routes[0]),
    .permissions = NULL, /* its permissions are declared by the account module */
    .permission_count = 0,
};
