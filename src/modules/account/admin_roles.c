/* admin_roles.c — /verwaltung/rollen: roles and the permissions they bundle.
 *
 * Permissions are strings that modules declare (module_t.permissions); the role
 * editor offers every one of them, grouped by module, so a new module's rights
 * appear here without a change to this file. Roles hold for the whole
 * administration, so only a manager holding account.roles.manage everywhere
 * edits them. The built-in role "admin" always keeps account.users.manage and
 * account.roles.manage: without them nobody could repair the roles again.
 * Permissions stored for a role but no longer declared by any module are shown
 * and left alone.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/account/admin.h"
#include "modules/account/ui.h"
#include "modules/registry.h"
#include "view/i18n.h"
#include "web/auth.h"

#define ROLES_MAX 500      /* roles listed */
#define ROLE_PERMS_MAX 256 /* permissions of one role */

static const char sql_roles[] = "SELECT r.id, r.name, r.title, (SELECT COUNT(*) FROM user_roles ur "
                                "WHERE ur.role_id = r.id) FROM roles r ORDER BY r.title LIMIT $1";
static const char sql_all_perms[] = "SELECT role_id, permission FROM role_permissions ORDER BY role_id, permission";
static const char sql_role[] = "SELECT name, title FROM roles WHERE id = $1";
static const char sql_role_perms[] = "SELECT permission FROM role_permissions WHERE role_id = $1 ORDER BY permission";
static const char sql_new_role[] = "INSERT INTO roles (name, title, created_at) VALUES ($1, $2, $3) "
                                   "ON CONFLICT (name) DO NOTHING RETURNING id";
static const char sql_set_title[] = "UPDATE roles SET title = $2 WHERE id = $1";
static const char sql_add_perm[] = "INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2) "
                                   "ON CONFLICT (role_id, permission) DO NOTHING";
static const char sql_del_perm[] = "DELETE FROM role_permissions WHERE role_id = $1 AND permission = $2";

/* The permissions "admin" never loses. */
static const char *const admin_keeps[] = {PERM_USERS, PERM_ROLES};

/* The declaration of permission name by any module, or NULL. */
static const permission_t *declared(const char *name, const module_t **owner)
{
    for (size_t m = 0; m < modules_count; m++)
        for (size_t i = 0; i < modules_all[m]->permission_count; i++)
            if (!strcmp(modules_all[m]->permissions[i].name, name)) {
                if (owner)
                    *owner = modules_all[m];
                return &modules_all[m]->permissions[i];
            }
    return NULL;
}

/* A permission as shown: its translated description, or the bare name. */
static const char *perm_label(http_req_t *req, const char *name)
{
    const permission_t *p = declared(name, NULL);
    return p ? i18n_translate(req->lang, p->title) : name;
}

/* Roles are global: only a manager holding the permission everywhere. */
static int roles_denied(http_req_t *req)
{
    return !admin_global(req, PERM_ROLES);
}

/* GET /verwaltung/rollen */
int admin_roles_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (roles_denied(req))
        return 403;
    json_t *rows = json_array();
    json_t *by_id = json_object(); /* role id as text → its permissions array (borrowed) */
    db_stmt_t *st;
    int rc = db_prepare(req->db, sql_roles, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, ROLES_MAX);
        while ((rc = db_step(st)) == DB_ROW) {
            char key[24];
            snprintf(key, sizeof(key), "%lld", (long long)db_column_int64(st, 0));
            json_t *perms = json_array();
            json_object_set(by_id, key, perms);
            json_array_append_new(rows,
                                  json_pack("{s:I,s:s,s:s,s:I,s:o}", "id", (json_int_t)db_column_int64(st, 0),
                                            "role_name", db_column_text(st, 1), "role_title", db_column_text(st, 2),
                                            "holders", (json_int_t)db_column_int64(st, 3), "perms", perms));
        }
        db_reset(st);
    }
    if (rc >= 0 && (rc = db_prepare(req->db, sql_all_perms, &st)) == 0) {
        while ((rc = db_step(st)) == DB_ROW) {
            char key[24];
            snprintf(key, sizeof(key), "%lld", (long long)db_column_int64(st, 0));
            const char *name = db_column_text(st, 1);
            json_t *perms = json_object_get(by_id, key);
            if (perms)
                json_array_append_new(perms,
                                      json_pack("{s:s,s:s,s:b}", "perm", name, "perm_label", perm_label(req, name),
                                                "declared", declared(name, NULL) != NULL));
        }
        db_reset(st);
    }
    json_decref(by_id);
    if (rc < 0) {
        json_decref(rows);
        return 503;
    }
    page_t p = page_new(req, N_("Rollen und Rechte"));
    if (http_query(req, "angelegt"))
        page_alert(&p, "success", N_("Die Rolle ist angelegt."));
    page_set(&p, "rows", rows);
    return page_render(&p, 200, "admin/roles");
}

static int new_form(http_req_t *req, int status, const char *name, const char *title, const char *e_name,
                    const char *e_title)
{
    page_t p = page_new(req, N_("Neue Rolle"));
    page_text(&p, N_("Nach dem Anlegen wählen Sie die Rechte der Rolle aus."));
    page_field(
        &p, FIELD_TEXT, "name", N_("Kurzname"), name,
        N_("2 bis 40 Kleinbuchstaben, Ziffern, Bindestriche oder Unterstriche, zum Beispiel sachbearbeitung. Er lässt sich später nicht ändern."),
        e_name);
    page_field(&p, FIELD_TEXT, "titel", N_("Bezeichnung"), title, N_("Wie die Rolle in der Verwaltung heißt."),
               e_title);
    page_link(&p, "/verwaltung/rollen", N_("Zurück zur Liste"));
    return page_form(&p, status, "/verwaltung/rollen/neu", N_("Rolle anlegen"));
}

/* GET /verwaltung/rollen/neu */
int admin_role_new_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (roles_denied(req))
        return 403;
    return new_form(req, 200, "", "", NULL, NULL);
}

/* POST /verwaltung/rollen/neu — name, titel. */
int admin_role_new_submit(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (roles_denied(req))
        return 403;
    const char *name_in = http_form(req, "name");
    const char *title_in = http_form(req, "titel");
    const char *name = admin_clean(req, name_in, 64);
    const char *e_name = NULL, *e_title = NULL;
    if (!admin_valid_role_name(name))
        e_name = N_(
            "Bitte geben Sie einen Kurznamen aus 2 bis 40 Kleinbuchstaben (a–z), Ziffern, Bindestrichen oder Unterstrichen an.");
    const char *title = admin_name(req, title_in, ADMIN_NAME_MAX, &e_title);
    if (e_title)
        e_title = N_("Bitte geben Sie eine Bezeichnung an (höchstens 200 Zeichen).");
    if (e_name || e_title)
        return new_form(req, 422, name_in ? name_in : "", title_in ? title_in : "", e_name, e_title);
    if (db_begin_write(req->db) != 0)
        return 503;
    db_stmt_t *st;
    int64_t id = -1;
    if (db_prepare(req->db, sql_new_role, &st) == 0) {
        db_bind_text(st, 1, name, -1);
        db_bind_text(st, 2, title, -1);
        db_bind_int64(st, 3, (int64_t)time(NULL));
        int rc = db_step(st);
        id = rc == DB_ROW ? db_column_int64(st, 0) : rc == DB_DONE ? 0 : -1;
        db_reset(st);
    }
    if (id <= 0) {
        db_rollback(req->db);
        if (id < 0)
            return 503;
        return new_form(req, 422, name_in, title_in, N_("Diesen Kurznamen hat schon eine andere Rolle."), NULL);
    }
    admin_audit_record(req, arena_printf(req->arena, "role:%lld", (long long)id), "admin.role_created",
                       admin_detail(req, json_pack("{s:s,s:s}", "role", name, "title", title)));
    if (db_commit(req->db) != 0)
        return 503;
    return http_redirect(req, 303, arena_printf(req->arena, "/verwaltung/rollen/%lld?angelegt=1", (long long)id));
}

/* The permissions role id holds now (arena strings). Returns the count, or < 0. */
static int current_perms(http_req_t *req, int64_t id, const char **out, int max)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_role_perms, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < max)
        out[n++] = arena_strdup(req->arena, db_column_text(st, 0));
    db_reset(st);
    return rc < 0 ? -1 : n;
}

static int has(const char *const *list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

/* The edit page: title and one checkbox group per module. selected: the
 * permissions to show ticked (held now, or as sent after an error). */
static int role_page(http_req_t *req, int status, int64_t id, const char *name, const char *title,
                     const char *const *selected, int nselected, const char *e_title, const char *e_perms)
{
    page_t p = page_new(req, N_("Rolle bearbeiten"));
    if (http_query(req, "gespeichert"))
        page_alert(&p, "success", N_("Die Rechte der Rolle sind gespeichert."));
    if (http_query(req, "angelegt"))
        page_alert(&p, "success", N_("Die Rolle ist angelegt. Wählen Sie jetzt ihre Rechte aus."));
    page_field(&p, FIELD_TEXT, "titel", N_("Bezeichnung"), title, NULL, e_title);
    json_t *groups = json_array();
    for (size_t m = 0; m < modules_count; m++) {
        const module_t *mod = modules_all[m];
        if (!mod->permission_count)
            continue;
        json_t *options = json_array();
        for (size_t i = 0; i < mod->permission_count; i++) {
            const permission_t *perm = &mod->permissions[i];
            char *label = arena_printf(req->arena, "%s (%s)", i18n_translate(req->lang, perm->title), perm->name);
            json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", perm->name, "label", label, "selected",
                                                     has(selected, nselected, perm->name)));
        }
        const char *error = NULL;
        if (e_perms && !strcmp(mod->name, "account"))
            error = i18n_translate(req->lang, e_perms);
        json_t *g = json_pack("{s:s,s:s,s:s,s:n,s:n,s:o}", "name", "recht", "id",
                              arena_printf(req->arena, "rechte-%s", mod->name), "label",
                              i18n_translate(req->lang, mod->title), "hint", "error", "options", options);
        if (error) {
            json_object_set_new(g, "error", json_string(error));
            json_array_append_new(p.errors, json_pack("{s:O,s:s}", "id", json_object_get(g, "id"), "message", error));
        }
        json_array_append_new(groups, g);
    }
    page_set(&p, "groups", groups);
    json_t *stale = json_array(); /* held, but declared by no module any more */
    for (int i = 0; i < nselected; i++)
        if (!declared(selected[i], NULL))
            json_array_append_new(stale, json_string(selected[i]));
    page_set(&p, "stale", stale);
    page_set(
        &p, "role",
        json_pack("{s:I,s:s,s:b}", "id", (json_int_t)id, "role_name", name, "builtin_admin", !strcmp(name, "admin")));
    return page_render(&p, status, "admin/role");
}

/* The role of the path: 0 with its name and title, else 404/503. */
static int load_role(http_req_t *req, int64_t *id, const char **name, const char **title)
{
    *id = admin_parse_id(http_param(req, "id"));
    if (*id <= 0)
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_role, &st) != 0)
        return 503;
    db_bind_int64(st, 1, *id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *name = arena_strdup(req->arena, db_column_text(st, 0));
        *title = arena_strdup(req->arena, db_column_text(st, 1));
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 404 : 503;
}

/* GET /verwaltung/rollen/:id */
int admin_role_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (roles_denied(req))
        return 403;
    int64_t id;
    const char *name, *title;
    int rc = load_role(req, &id, &name, &title);
    if (rc)
        return rc;
    const char *perms[ROLE_PERMS_MAX];
    int n = current_perms(req, id, perms, ROLE_PERMS_MAX);
    if (n < 0)
        return 503;
    return role_page(req, 200, id, name, title, perms, n, NULL, NULL);
}

/* Runs an INSERT/DELETE of (role, permission). Returns 0 or < 0. */
static int perm_exec(http_req_t *req, const char *sql, int64_t id, const char *perm)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, perm, -1);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* POST /verwaltung/rollen/:id — titel, recht (repeated). */
int admin_role_submit(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (roles_denied(req))
        return 403;
    int64_t id;
    const char *name, *old_title;
    int rc = load_role(req, &id, &name, &old_title);
    if (rc)
        return rc;
    const char *before[ROLE_PERMS_MAX];
    int nbefore = current_perms(req, id, before, ROLE_PERMS_MAX);
    if (nbefore < 0)
        return 503;
    /* What was ticked, limited to declared permissions (anything else is ignored),
     * plus what the role holds that no module declares any more (left alone). */
    const char *wanted[ROLE_PERMS_MAX];
    int nwanted = 0;
    for (size_t i = 0; i < req->form.count && nwanted < ROLE_PERMS_MAX; i++) {
        const form_field_t *f = &req->form.fields[i];
        if (!strcmp(f->name, "recht") && declared(f->value, NULL) && !has(wanted, nwanted, f->value))
            wanted[nwanted++] = f->value;
    }
    for (int i = 0; i < nbefore && nwanted < ROLE_PERMS_MAX; i++)
        if (!declared(before[i], NULL))
            wanted[nwanted++] = before[i];
    const char *title_in = http_form(req, "titel");
    const char *e_title = NULL, *e_perms = NULL;
    const char *title = admin_name(req, title_in, ADMIN_NAME_MAX, &e_title);
    if (e_title)
        e_title = N_("Bitte geben Sie eine Bezeichnung an (höchstens 200 Zeichen).");
    if (!strcmp(name, "admin"))
        for (size_t k = 0; k < sizeof(admin_keeps) / sizeof(admin_keeps[0]); k++)
            if (!has(wanted, nwanted, admin_keeps[k]))
                e_perms = N_(
                    "Die Rolle „admin“ behält immer die Rechte, Benutzerkonten und Rollen zu verwalten – sonst könnte niemand mehr Rechte vergeben.");
    if (e_title || e_perms)
        return role_page(req, 422, id, name, title_in ? title_in : "", wanted, nwanted, e_title, e_perms);

    json_t *added = json_array(), *removed = json_array();
    if (db_begin_write(req->db) != 0) {
        json_decref(added);
        json_decref(removed);
        return 503;
    }
    int ok = 1;
    for (int i = 0; ok && i < nwanted; i++)
        if (!has(before, nbefore, wanted[i])) {
            ok = perm_exec(req, sql_add_perm, id, wanted[i]) == 0;
            json_array_append_new(added, json_string(wanted[i]));
        }
    for (int i = 0; ok && i < nbefore; i++)
        if (!has(wanted, nwanted, before[i])) {
            ok = perm_exec(req, sql_del_perm, id, before[i]) == 0;
            json_array_append_new(removed, json_string(before[i]));
        }
    db_stmt_t *st;
    if (ok && strcmp(title, old_title) != 0 && (ok = db_prepare(req->db, sql_set_title, &st) == 0)) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, title, -1);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok) {
        admin_audit_record(req, arena_printf(req->arena, "role:%lld", (long long)id), "admin.role_changed",
                           admin_detail(req, json_pack("{s:s,s:s,s:o,s:o}", "role", name, "title", title, "added",
                                                       added, "removed", removed)));
        ok = db_commit(req->db) == 0;
    } else {
        json_decref(added);
        json_decref(removed);
        db_rollback(req->db);
    }
    if (!ok)
        return 503;
    return http_redirect(req, 303, arena_printf(req->arena, "/verwaltung/rollen/%lld?gespeichert=1", (long long)id));
}
