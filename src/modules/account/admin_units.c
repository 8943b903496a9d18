/* admin_units.c — /verwaltung/einheiten: organisation units (Bürgeramt, Bauamt …),
 * their name and contact, and who belongs to them.
 *
 * Holding account.units.manage everywhere, a manager sees every unit and creates
 * new ones; holding it for some units, only those (any other id answers 404).
 * Membership itself is changed on the account's page (/verwaltung/benutzer/:id),
 * where the rules for account.users.manage apply.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/account/admin.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

#define UNITS_MAX 1000   /* units listed on one page: a town has dozens */
#define MEMBERS_MAX 1000 /* members listed on a unit's page */
#define CONTACT_MAX 500  /* characters of the contact text */

static const char sql_units[] = "SELECT u.id, u.slug, u.name, u.contact, (SELECT COUNT(*) FROM unit_members m "
                                "WHERE m.unit_id = u.id) FROM units u ORDER BY u.name LIMIT $1";
static const char sql_unit[] = "SELECT slug, name, contact FROM units WHERE id = $1";
static const char sql_members[] = "SELECT u.id, u.email, u.display_name, u.blocked_at FROM unit_members m "
                                  "JOIN users u ON u.id = m.user_id WHERE m.unit_id = $1 AND u.deleted_at IS NULL "
                                  "ORDER BY u.display_name, u.email LIMIT $2";
static const char sql_update[] = "UPDATE units SET name = $2, contact = $3 WHERE id = $1";

/* GET /verwaltung/einheiten */
int admin_units_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_units, &st) != 0)
        return 503;
    db_bind_int64(st, 1, UNITS_MAX);
    json_t *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        if (!auth_has_permission_in_unit(req, PERM_UNITS, id))
            continue;
        json_array_append_new(rows, json_pack("{s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)id, "slug",
                                              db_column_text(st, 1), "name", db_column_text(st, 2), "contact",
                                              db_column_text(st, 3), "members", (json_int_t)db_column_int64(st, 4)));
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(rows);
        return 503;
    }
    page_t p = page_new(req, N_("Organisationseinheiten"));
    if (http_query(req, "angelegt"))
        page_alert(&p, "success", N_("Die Organisationseinheit ist angelegt."));
    page_set(&p, "rows", rows);
    page_set(&p, "can_create", json_boolean(admin_global(req, PERM_UNITS)));
    return page_render(&p, 200, "admin/units");
}

/* Checks the contact text: at most CONTACT_MAX characters. NULL error when fine. */
static const char *contact_error(const char *contact)
{
    size_t n = strlen(contact);
    if (!utf8_valid(contact, n) || utf8_length(contact, n) > CONTACT_MAX)
        return N_("Die Kontaktangaben sind zu lang (höchstens 500 Zeichen).");
    return NULL;
}

static int new_form(http_req_t *req, int status, const char *slug, const char *name, const char *contact,
                    const char *e_slug, const char *e_name, const char *e_contact)
{
    page_t p = page_new(req, N_("Neue Organisationseinheit"));
    page_field(
        &p, FIELD_TEXT, "kuerzel", N_("Kürzel"), slug,
        N_("2 bis 40 Kleinbuchstaben, Ziffern oder Bindestriche, zum Beispiel buergeramt. Es erscheint in Adressen und lässt sich später nicht ändern."),
        e_slug);
    page_field(&p, FIELD_TEXT, "name", N_("Name"), name, N_("Zum Beispiel: Bürgeramt"), e_name);
    page_field(&p, FIELD_TEXTAREA, "kontakt", N_("Kontakt"), contact,
               N_("Anschrift, Telefon, E-Mail-Adresse – so, wie Bürgerinnen und Bürger sie sehen sollen."), e_contact);
    page_link(&p, "/verwaltung/einheiten", N_("Zurück zur Liste"));
    return page_form(&p, status, "/verwaltung/einheiten/neu", N_("Einheit anlegen"));
}

/* GET /verwaltung/einheiten/neu — only with the permission for the whole administration. */
int admin_unit_new_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (!admin_global(req, PERM_UNITS))
        return 403;
    return new_form(req, 200, "", "", "", NULL, NULL, NULL);
}

/* POST /verwaltung/einheiten/neu — kuerzel, name, kontakt. */
int admin_unit_new_submit(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (!admin_global(req, PERM_UNITS))
        return 403;
    const char *slug_in = http_form(req, "kuerzel");
    const char *name_in = http_form(req, "name");
    const char *contact = http_form(req, "kontakt");
    contact = contact ? contact : "";
    const char *slug = admin_clean(req, slug_in, 64);
    const char *e_slug = NULL, *e_name = NULL;
    const char *e_contact = contact_error(contact);
    if (!admin_valid_slug(slug))
        e_slug = N_("Bitte geben Sie ein Kürzel aus 2 bis 40 Kleinbuchstaben (a–z), Ziffern oder Bindestrichen an.");
    const char *name = admin_name(req, name_in, ADMIN_NAME_MAX, &e_name);
    if (e_slug || e_name || e_contact)
        return new_form(req, 422, slug_in ? slug_in : "", name_in ? name_in : "", contact, e_slug, e_name, e_contact);
    if (db_begin_write(req->db) != 0)
        return 503;
    int64_t id = admin_create_unit(req->db, slug, name, contact, (int64_t)time(NULL));
    if (id > 0) {
        admin_audit_record(req, arena_printf(req->arena, "unit:%lld", (long long)id), "admin.unit_created",
                           admin_detail(req, json_pack("{s:s,s:s}", "slug", slug, "name", name)));
        if (db_commit(req->db) != 0)
            return 503;
        return http_redirect(req, 303, "/verwaltung/einheiten?angelegt=1");
    }
    db_rollback(req->db);
    if (id < 0)
        return 503;
    return new_form(req, 422, slug_in, name_in, contact, N_("Dieses Kürzel hat schon eine andere Einheit."), NULL,
                    NULL);
}

/* The unit of the path when the manager may see it: 0 with its id, else 404/503. */
static int load_unit(http_req_t *req, int64_t *id, const char **slug, const char **name, const char **contact)
{
    *id = admin_parse_id(http_param(req, "id"));
    if (*id <= 0 || !auth_has_permission_in_unit(req, PERM_UNITS, *id))
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_unit, &st) != 0)
        return 503;
    db_bind_int64(st, 1, *id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *slug = arena_strdup(req->arena, db_column_text(st, 0));
        *name = arena_strdup(req->arena, db_column_text(st, 1));
        *contact = arena_strdup(req->arena, db_column_text(st, 2));
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 404 : 503;
}

static int unit_page(http_req_t *req, int status, int64_t id, const char *slug, const char *name, const char *contact,
                     const char *e_name, const char *e_contact)
{
    json_t *members = json_array();
    db_stmt_t *st;
    if (db_prepare(req->db, sql_members, &st) != 0) {
        json_decref(members);
        return 503;
    }
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, MEMBERS_MAX);
    /* Members link to their account page only for who may manage them. */
    int linked = auth_has_permission_in_unit(req, PERM_USERS, id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(members, json_pack("{s:I,s:s,s:s,s:b,s:b}", "id", (json_int_t)db_column_int64(st, 0),
                                                 "email", db_column_text(st, 1), "name", db_column_text(st, 2),
                                                 "blocked", !db_column_is_null(st, 3), "linked", linked));
    db_reset(st);
    page_t p = page_new(req, N_("Organisationseinheit"));
    if (http_query(req, "gespeichert"))
        page_alert(&p, "success", N_("Die Änderungen sind gespeichert."));
    page_set(&p, "unit", json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "slug", slug, "unit_name", name));
    page_field(&p, FIELD_TEXT, "name", N_("Name"), name, NULL, e_name);
    page_field(&p, FIELD_TEXTAREA, "kontakt", N_("Kontakt"), contact, NULL, e_contact);
    page_set(&p, "members", members);
    return page_render(&p, status, "admin/unit");
}

/* GET /verwaltung/einheiten/:id */
int admin_unit_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    int64_t id;
    const char *slug, *name, *contact;
    int rc = load_unit(req, &id, &slug, &name, &contact);
    if (rc)
        return rc;
    return unit_page(req, 200, id, slug, name, contact, NULL, NULL);
}

/* POST /verwaltung/einheiten/:id — name, kontakt. */
int admin_unit_submit(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    int64_t id;
    const char *slug, *old_name, *old_contact;
    int rc = load_unit(req, &id, &slug, &old_name, &old_contact);
    if (rc)
        return rc;
    const char *name_in = http_form(req, "name");
    const char *contact = http_form(req, "kontakt");
    contact = contact ? contact : "";
    const char *e_name = NULL, *e_contact = contact_error(contact);
    const char *name = admin_name(req, name_in, ADMIN_NAME_MAX, &e_name);
    if (e_name || e_contact)
        return unit_page(req, 422, id, slug, name_in ? name_in : "", contact, e_name, e_contact);
    if (db_begin_write(req->db) != 0)
        return 503;
    db_stmt_t *st;
    int ok = db_prepare(req->db, sql_update, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, name, -1);
        db_bind_text(st, 3, contact, -1);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (ok) {
        admin_audit_record(
            req, arena_printf(req->arena, "unit:%lld", (long long)id), "admin.unit_changed",
            admin_detail(req, json_pack("{s:s,s:s,s:s}", "slug", slug, "old_name", old_name, "name", name)));
        ok = db_commit(req->db) == 0;
    } else {
        db_rollback(req->db);
    }
    if (!ok)
        return 503;
    return http_redirect(req, 303, arena_printf(req->arena, "/verwaltung/einheiten/%lld?gespeichert=1", (long long)id));
}
