/* forms_admin.c — /verwaltung/formulare: the form definitions of the online
 * applications, for the editors who hold services.forms.manage.
 *
 *   GET  /verwaltung/formulare                          every form_key: newest version, title, date,
 *                                                       the services that use it; the upload form
 *   POST /verwaltung/formulare                          upload (multipart): a JSON definition or an FIM
 *                                                       XDatenfelder file, told apart by content
 *   GET  /verwaltung/formulare/:key                     the versions of one form
 *   GET  /verwaltung/formulare/:key/:version            preview: steps and fields as a read-only list,
 *                                                       with the importer's notes
 *   GET  /verwaltung/formulare/:key/:version/definition.json   the stored JSON, as a download
 *
 * An upload is checked by formdef (the same check as `rathaus services form`) and
 * stored as the next version of its key; the answer names the place of the first
 * problem, and nothing is stored then. Each stored version is written to the
 * audit log. Loading forms changes what citizens are asked, so like the rest of
 * the administration these pages need the second factor (the user is sent to
 * set it up first).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "modules/services/formdef.h"
#include "modules/services/internal.h"
#include "modules/services/services.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

#define FORMS_LIST_MAX 500                              /* form keys on the list page */
#define FORMS_VERSIONS_MAX 500                          /* versions on a form's page */
#define FORMS_SERVICES_MAX 5000                         /* catalogue entries read for "used by" */
#define FORMS_UPLOAD_MAX (8 * 1024 * 1024)              /* an XDatenfelder file; JSON stops at FORMDEF_MAX_BYTES */
#define FORMS_BODY_LIMIT (FORMS_UPLOAD_MAX + 64 * 1024) /* the file plus the form's other parts */
#define FORMS_KEY_MAX 63
#define FORMS_ERROR_MAX 600 /* bytes of a check's message shown on the page */

/* The longer texts of the pages, each one literal so that scripts/po-check.sh
 * finds it (clang-format would split them). */
/* clang-format off */
static const char *const msg_key_hint = N_("Nur für XDatenfelder-Dateien nötig: 1 bis 63 Kleinbuchstaben, Ziffern oder Bindestriche, zum Beispiel zweckentfremdung. Eine JSON-Datei bringt ihren Schlüssel selbst mit; geben Sie dann hier nichts oder denselben an.");
static const char *const msg_file_hint = N_("Eine Formulardefinition als JSON (höchstens 1 MB) oder ein FIM-Stammdatenschema im Format XDatenfelder 2.0 oder 3.0 (XML, höchstens 8 MB).");
static const char *const msg_key_chars = N_("Der Schlüssel darf nur Kleinbuchstaben a–z, Ziffern und Bindestriche enthalten und höchstens 63 Zeichen lang sein.");
static const char *const msg_key_needed = N_("Für eine XDatenfelder-Datei brauchen wir den Schlüssel, unter dem das Formular gespeichert wird.");
/* clang-format on */

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

/* Sends a user without a second factor to set one up (as admin_guard does for the
 * account administration). Returns HTTP_ANSWERED when it did. */
static int forms_guard(http_req_t *req)
{
    if (req->user && !req->user->totp_enabled) {
        http_redirect(req, 303, "/konto/sicherheit?pflicht=1#zwei-faktor");
        return HTTP_ANSWERED;
    }
    return 0;
}

/* 1 when key is a form_key as docs/forms.md allows: [a-z0-9-], 1–63 bytes. */
static int valid_key(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n < 1 || n > FORMS_KEY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') || key[i] == '-'))
            return 0;
    return 1;
}

/* A version number from the path: 1..999999999, else 0. */
static int64_t parse_version(const char *s)
{
    if (!s || !*s || strlen(s) > 9)
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* An alert for templates/services/forms_admin/alerts.html. */
static void add_alert(json_t *model, const char *kind, const char *text)
{
    json_t *alerts = json_object_get(model, "alerts");
    if (!alerts) {
        alerts = json_array();
        json_object_set_new(model, "alerts", alerts);
    }
    json_array_append_new(alerts,
                          json_pack("{s:s,s:s,s:b}", "kind", kind, "text", text, "danger", !strcmp(kind, "danger")));
}

/* A field for the partials of templates/form/, every key they read present (so
 * that none is looked up in the page around it). Texts are final (translated). */
static json_t *make_field(const char *name, const char *label, const char *value, const char *hint, const char *error)
{
    json_t *f = http_field(name, label, value, error);
    json_object_set_new(f, "hint", hint ? json_string(hint) : json_null());
    if (!error || !*error)
        json_object_set_new(f, "error", json_null());
    json_object_set_new(f, "required", json_false());
    json_object_set_new(f, "type", json_null());
    json_object_set_new(f, "autocomplete", json_null());
    json_object_set_new(f, "inputmode", json_null());
    json_object_set_new(f, "maxlength", json_null());
    json_object_set_new(f, "accept", json_null());
    return f;
}

/* ---------------------------------------------------------------- the list */

static const char sql_forms[] =
    "SELECT f.form_key, f.version, f.title, f.created_at, "
    "(SELECT COUNT(*) FROM form_definitions c WHERE c.form_key = f.form_key) "
    "FROM form_definitions f "
    "WHERE f.version = (SELECT MAX(g.version) FROM form_definitions g WHERE g.form_key = f.form_key) "
    "ORDER BY f.form_key LIMIT $1";
static const char sql_services[] =
    "SELECT form_key, name, slug FROM services WHERE form_key <> '' ORDER BY name, id LIMIT $1";
static const char sql_services_of[] = "SELECT name, slug FROM services WHERE form_key = $1 ORDER BY name, id LIMIT $2";

/* form_key → [{"name", "href"}] of the catalogue entries that use it. NULL on a
 * database error. */
static json_t *services_by_key(http_req_t *req)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_services, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, FORMS_SERVICES_MAX);
    json_t *by_key = json_object();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *key = db_column_text(st, 0);
        json_t *list = json_object_get(by_key, key);
        if (!list) {
            list = json_array();
            json_object_set_new(by_key, key, list);
        }
        json_array_append_new(list, json_pack("{s:s,s:s+}", "name", db_column_text(st, 1), "href", "/leistungen/",
                                              db_column_text(st, 2)));
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(by_key);
        return NULL;
    }
    return by_key;
}

/* The list page with the upload form; key_value and the errors come back after
 * a failed upload (status 422). */
static int list_page(http_req_t *req, int status, const char *key_value, const char *e_key, const char *e_file)
{
    json_t *used = services_by_key(req);
    if (!used)
        return 503;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_forms, &st) != 0) {
        json_decref(used);
        return 503;
    }
    db_bind_int64(st, 1, FORMS_LIST_MAX);
    json_t *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *key = db_column_text(st, 0);
        json_t *services = json_object_get(used, key);
        services = services ? json_incref(services) : json_array();
        json_array_append_new(rows, json_pack("{s:s,s:s,s:I,s:s,s:s,s:I,s:o}", "key", key, "href",
                                              arena_printf(req->arena, "/verwaltung/formulare/%s", key), "version",
                                              (json_int_t)db_column_int64(st, 1), "form_title", db_column_text(st, 2),
                                              "date", application_date(req->arena, db_column_int64(st, 3), 1),
                                              "versions", (json_int_t)db_column_int64(st, 4), "services", services));
    }
    db_reset(st);
    json_decref(used);
    if (rc < 0) {
        json_decref(rows);
        return 503;
    }

    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(tr(req, N_("Formulare"))));
    json_object_set_new(model, "rows", rows);
    json_t *f_key =
        make_field("schluessel", tr(req, N_("Schlüssel des Formulars")), key_value, tr(req, msg_key_hint), e_key);
    json_object_set_new(f_key, "maxlength", json_integer(FORMS_KEY_MAX));
    json_t *f_file = make_field("datei", tr(req, N_("Datei")), "", tr(req, msg_file_hint), e_file);
    json_object_set_new(f_file, "accept", json_string(".json,.xml,application/json,application/xml,text/xml"));
    json_t *errors = json_array();
    if (e_key)
        json_array_append_new(errors, json_pack("{s:s,s:s}", "id", "feld-schluessel", "message", e_key));
    if (e_file)
        json_array_append_new(errors, json_pack("{s:s,s:s}", "id", "feld-datei", "message", e_file));
    json_object_set_new(model, "errors", errors);
    json_object_set_new(model, "f_key", f_key);
    json_object_set_new(model, "f_file", f_file);
    return http_render(req, status, "services/forms_admin/list", model);
}

/* GET /verwaltung/formulare — ?schluessel= fills the key of the upload form. */
static int forms_list(http_req_t *req)
{
    if (forms_guard(req))
        return 0;
    const char *key = http_query(req, "schluessel");
    return list_page(req, 200, key && valid_key(key) ? key : "", NULL, NULL);
}

/* --------------------------------------------------------------- the upload */

/* The text of a check's message cut to what a page shows, in the arena. */
static const char *short_message(http_req_t *req, const char *msg)
{
    size_t n = strlen(msg);
    if (n <= FORMS_ERROR_MAX)
        return arena_strdup(req->arena, msg);
    size_t i = FORMS_ERROR_MAX;
    while (i > 0 && ((unsigned char)msg[i] & 0xC0) == 0x80)
        i--; /* not into the middle of a character */
    return arena_printf(req->arena, "%.*s …", (int)i, msg);
}

/* Stores a checked definition and records it; answers with the redirect to the
 * form's page, or with the list page and the check's message. */
static int store(http_req_t *req, const char *text, size_t len, const char *key, const char *source,
                 const char *filename, const char *key_value)
{
    int64_t form_id = 0, version = 0;
    int unchanged = 0;
    char err[512] = "";
    /* The version and its audit entry are written together, or neither. */
    if (db_begin_write(req->db) != 0)
        return 503;
    int rc = formdef_store_tx(req->db, text, len, req->user->id, &form_id, &version, &unchanged, err, sizeof(err));
    if (rc == 0 && !unchanged) {
        json_t *detail = json_pack("{s:s,s:I,s:I,s:s,s:s,s:I}", "form_key", key, "version", (json_int_t)version,
                                   "form_id", (json_int_t)form_id, "source", source, "filename", filename, "bytes",
                                   (json_int_t)len);
        char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
        json_decref(detail);
        char actor[32];
        snprintf(actor, sizeof(actor), "user:%lld", (long long)req->user->id);
        if (!detail_text || audit_log(req->db, actor, "services.form_stored", arena_printf(req->arena, "form:%s", key),
                                      detail_text, req->client_ip, req->request_id) != 0)
            rc = -2;
        free(detail_text);
    }
    if (rc == 0 && db_commit(req->db) != 0)
        rc = -2;
    if (rc != 0)
        db_rollback(req->db);
    if (rc == -1)
        return list_page(
            req, 422, key_value, NULL,
            arena_printf(req->arena, "%s %s",
                         tr(req, N_("Die Datei ist keine gültige Formulardefinition. Die Prüfung meldet:")),
                         short_message(req, err)));
    if (rc != 0)
        return 503;
    if (unchanged)
        return http_redirect(
            req, 303, arena_printf(req->arena, "/verwaltung/formulare/%s?unveraendert=%lld", key, (long long)version));
    return http_redirect(
        req, 303, arena_printf(req->arena, "/verwaltung/formulare/%s?gespeichert=%lld", key, (long long)version));
}

/* POST /verwaltung/formulare — multipart: schluessel, datei. */
static int forms_upload(http_req_t *req)
{
    if (forms_guard(req))
        return 0;
    const char *key_in = http_form(req, "schluessel");
    key_in = key_in ? key_in : "";
    /* the key as typed, without the blanks a copy and paste brings along */
    size_t kn = strlen(key_in);
    const char *ks = key_in;
    while (kn && isspace((unsigned char)*ks)) {
        ks++;
        kn--;
    }
    while (kn && isspace((unsigned char)ks[kn - 1]))
        kn--;
    const char *key = arena_strndup(req->arena, ks, kn);
    if (*key && !valid_key(key))
        return list_page(req, 422, key_in, tr(req, msg_key_chars), NULL);

    const multipart_file_t *file = NULL;
    for (size_t i = 0; req->multipart && i < req->multipart->file_count; i++)
        if (!strcmp(req->multipart->files[i].field, "datei"))
            file = &req->multipart->files[i];
    if (!file)
        return list_page(req, 422, key_in, NULL, tr(req, N_("Bitte wählen Sie eine Datei aus.")));
    if (file->size > FORMS_UPLOAD_MAX)
        return list_page(req, 422, key_in, NULL, tr(req, N_("Die Datei ist größer als 8 MB.")));

    /* what it is, by content: a byte-order mark and blanks, then '{' or '<' */
    const char *data = (const char *)file->data;
    size_t len = file->size;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        data += 3;
        len -= 3;
    }
    size_t lead = 0;
    while (lead < len && isspace((unsigned char)data[lead]))
        lead++;
    if (lead == len)
        return list_page(req, 422, key_in, NULL, tr(req, N_("Die Datei ist leer.")));
    const char *filename = file->filename ? file->filename : "";

    if (data[lead] == '{') {
        if (len > FORMDEF_MAX_BYTES)
            return list_page(req, 422, key_in, NULL,
                             tr(req, N_("Eine Formulardefinition als JSON darf höchstens 1 MB groß sein.")));
        char err[512] = "";
        json_t *def = formdef_parse(data, len, err, sizeof(err));
        if (!def)
            return list_page(
                req, 422, key_in, NULL,
                arena_printf(req->arena, "%s %s",
                             tr(req, N_("Die Datei ist keine gültige Formulardefinition. Die Prüfung meldet:")),
                             short_message(req, err)));
        const char *file_key = arena_strdup(req->arena, json_string_value(json_object_get(def, "form_key")));
        json_decref(def);
        if (*key && strcmp(key, file_key) != 0)
            return list_page(req, 422, key_in,
                             arena_printf(req->arena, "%s „%s“",
                                          tr(req, N_("Der Schlüssel passt nicht zur Datei. In der Datei steht:")),
                                          file_key),
                             NULL);
        return store(req, data, len, file_key, "json", filename, key_in);
    }
    if (data[lead] == '<') {
        if (!*key)
            return list_page(req, 422, key_in, tr(req, msg_key_needed), NULL);
        char err[512] = "";
        json_t *def = xdf_to_formdef(data, len, key, err, sizeof(err));
        if (!def)
            return list_page(req, 422, key_in, NULL,
                             arena_printf(req->arena, "%s %s",
                                          tr(req, N_("Die XDatenfelder-Datei lässt sich nicht übernehmen:")),
                                          short_message(req, err)));
        char *text = json_dumps(def, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(def);
        if (!text)
            return 500;
        int rc = store(req, text, strlen(text), key, "xdatenfelder", filename, key_in);
        free(text);
        return rc;
    }
    return list_page(
        req, 422, key_in, NULL,
        tr(req, N_("Die Datei ist weder eine Formulardefinition (JSON) noch eine XDatenfelder-Datei (XML).")));
}

/* ------------------------------------------------------------- one form */

static const char sql_versions[] =
    "SELECT f.version, f.title, f.created_at, COALESCE(u.display_name, ''), COALESCE(u.email, ''), "
    "f.created_by IS NULL FROM form_definitions f LEFT JOIN users u ON u.id = f.created_by "
    "WHERE f.form_key = $1 ORDER BY f.version DESC LIMIT $2";

/* [{"name", "href"}] of the catalogue entries using key, or NULL on a database error. */
static json_t *services_of(http_req_t *req, const char *key)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_services_of, &st) != 0)
        return NULL;
    db_bind_text(st, 1, key, -1);
    db_bind_int64(st, 2, FORMS_SERVICES_MAX);
    json_t *list = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(list, json_pack("{s:s,s:s+}", "name", db_column_text(st, 0), "href", "/leistungen/",
                                              db_column_text(st, 1)));
    db_reset(st);
    if (rc < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* GET /verwaltung/formulare/:key */
static int forms_versions(http_req_t *req)
{
    if (forms_guard(req))
        return 0;
    const char *key = http_param(req, "key");
    if (!valid_key(key))
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_versions, &st) != 0)
        return 503;
    db_bind_text(st, 1, key, -1);
    db_bind_int64(st, 2, FORMS_VERSIONS_MAX);
    json_t *rows = json_array();
    const char *form_title = NULL;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t version = db_column_int64(st, 0);
        const char *name = db_column_text(st, 3), *email = db_column_text(st, 4);
        const char *by = db_column_int64(st, 5) ? tr(req, N_("Kommandozeile oder Demodaten")) : *name ? name : email;
        if (!form_title)
            form_title = arena_strdup(req->arena, db_column_text(st, 1));
        json_array_append_new(
            rows,
            json_pack(
                "{s:I,s:s,s:s,s:s,s:s,s:s}", "version", (json_int_t)version, "form_title", db_column_text(st, 1),
                "date", application_date(req->arena, db_column_int64(st, 2), 1), "by", by, "href",
                arena_printf(req->arena, "/verwaltung/formulare/%s/%lld", key, (long long)version), "download",
                arena_printf(req->arena, "/verwaltung/formulare/%s/%lld/definition.json", key, (long long)version)));
    }
    db_reset(st);
    if (rc < 0) {
        json_decref(rows);
        return 503;
    }
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return 404;
    }
    json_t *services = services_of(req, key);
    if (!services) {
        json_decref(rows);
        return 503;
    }
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(form_title));
    json_object_set_new(model, "key", json_string(key));
    json_object_set_new(model, "rows", rows);
    json_object_set_new(model, "services", services);
    json_object_set_new(model, "upload_href",
                        json_string(arena_printf(req->arena, "/verwaltung/formulare?schluessel=%s#hochladen", key)));
    const char *saved = http_query(req, "gespeichert"), *same = http_query(req, "unveraendert");
    if (saved && parse_version(saved))
        add_alert(model, "success",
                  arena_printf(req->arena, "%s %lld.",
                               tr(req, N_("Das Formular ist geprüft und gespeichert als Version")),
                               (long long)parse_version(saved)));
    if (same && parse_version(same))
        add_alert(
            model, "info",
            arena_printf(
                req->arena, "%s %lld.",
                tr(req, N_("Diese Datei ist schon gespeichert; es gibt keine neue Version. Die aktuelle Version ist")),
                (long long)parse_version(same)));
    return http_render(req, 200, "services/forms_admin/form", model);
}

static const char sql_definition[] =
    "SELECT definition, title, created_at FROM form_definitions WHERE form_key = $1 AND version = $2";

/* Loads the definition text of :key/:version into the arena: 0, or the status. */
static int load_version(http_req_t *req, const char **key, int64_t *version, const char **text, const char **form_title,
                        int64_t *created_at)
{
    *key = http_param(req, "key");
    *version = parse_version(http_param(req, "version"));
    if (!valid_key(*key) || *version <= 0)
        return 404;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_definition, &st) != 0)
        return 503;
    db_bind_text(st, 1, *key, -1);
    db_bind_int64(st, 2, *version);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *text = arena_strdup(req->arena, db_column_text(st, 0));
        *form_title = arena_strdup(req->arena, db_column_text(st, 1));
        *created_at = db_column_int64(st, 2);
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 404 : 503;
}

/* GET /verwaltung/formulare/:key/:version/definition.json */
static int forms_download(http_req_t *req)
{
    if (forms_guard(req))
        return 0;
    const char *key, *text, *form_title;
    int64_t version, created_at;
    int rc = load_version(req, &key, &version, &text, &form_title, &created_at);
    if (rc)
        return rc;
    /* the key is [a-z0-9-]: safe inside the quoted filename */
    http_add_header(req, "content-disposition",
                    arena_printf(req->arena, "attachment; filename=\"%s-v%lld.json\"", key, (long long)version));
    return http_send(req, 200, "application/json; charset=utf-8", text, strlen(text));
}

/* ---------------------------------------------------------------- preview */

static const char *const type_labels[] = {
    [FT_TEXT] = N_("Textfeld"),
    [FT_TEXTAREA] = N_("Mehrzeiliges Textfeld"),
    [FT_NUMBER] = N_("Zahl"),
    [FT_DATE] = N_("Datum"),
    [FT_SELECT] = N_("Auswahlliste"),
    [FT_RADIO] = N_("Auswahlknöpfe"),
    [FT_CHECKBOX] = N_("Kästchen zum Ankreuzen"),
    [FT_CHECKBOXES] = N_("Mehrere Kästchen"),
    [FT_FILE] = N_("Datei hochladen"),
    [FT_ADDRESS] = N_("Anschrift"),
    [FT_IBAN] = N_("IBAN"),
    [FT_EMAIL] = N_("E-Mail-Adresse"),
    [FT_PHONE] = N_("Telefonnummer"),
};

/* A JSON value as text for the preview: strings as they are, the rest compact. */
static const char *value_text(http_req_t *req, const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    const char *out = arena_strdup(req->arena, s ? s : "");
    free(s);
    return out;
}

/* Adds {"label", "value"} to details when key is in obj. */
static void detail(http_req_t *req, json_t *details, const json_t *obj, const char *key, const char *label)
{
    const json_t *v = json_object_get(obj, key);
    if (v)
        json_array_append_new(details, json_pack("{s:s,s:s}", "label", tr(req, label), "value", value_text(req, v)));
}

/* Paragraphs of a text with blank lines between them (intro, comment). */
static json_t *paragraphs(const char *text, int by_line)
{
    json_t *list = json_array();
    const char *p = text ? text : "";
    while (*p) {
        const char *end = by_line ? strchr(p, '\n') : strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n)
            json_array_append_new(list, json_stringn(p, n));
        p += n;
        while (*p == '\n')
            p++;
    }
    return list;
}

static json_t *preview_field(http_req_t *req, const json_t *f)
{
    enum formdef_type t = formdef_type(f);
    json_t *details = json_array();
    detail(req, details, f, "hint", N_("Hinweis"));
    detail(req, details, f, "help", N_("Hilfe"));
    detail(req, details, f, "min_length", N_("Mindestens Zeichen"));
    detail(req, details, f, "max_length", N_("Höchstens Zeichen"));
    detail(req, details, f, "pattern", N_("Muster"));
    detail(req, details, f, "pattern_message", N_("Meldung bei falschem Muster"));
    detail(req, details, f, "min", N_("Kleinster Wert"));
    detail(req, details, f, "max", N_("Größter Wert"));
    detail(req, details, f, "decimals", N_("Nachkommastellen"));
    detail(req, details, f, "unit", N_("Einheit"));
    detail(req, details, f, "not_before", N_("Frühestens"));
    detail(req, details, f, "not_after", N_("Spätestens"));
    detail(req, details, f, "min_age", N_("Mindestalter"));
    detail(req, details, f, "max_age", N_("Höchstalter"));
    const json_t *options = json_object_get(f, "options");
    if (json_is_array(options)) {
        buf_t b;
        buf_init(&b, req->arena, 256, 64 * 1024);
        size_t i;
        const json_t *o;
        json_array_foreach(options, i, o)
        {
            buf_appendf(&b, "%s%s (%s)", i ? "; " : "", json_string_value(json_object_get(o, "label")),
                        json_string_value(json_object_get(o, "value")));
        }
        json_array_append_new(details, json_pack("{s:s,s:s}", "label", tr(req, N_("Auswahl")), "value", buf_cstr(&b)));
    }
    detail(req, details, f, "accept", N_("Dateitypen"));
    detail(req, details, f, "max_size", N_("Größe je Datei in Bytes"));
    detail(req, details, f, "max_files", N_("Höchstens Dateien"));
    detail(req, details, f, "autocomplete", N_("Zweck der Eingabe (autocomplete)"));
    detail(req, details, f, "prefill", N_("Vorbelegt aus „Meine Daten“"));
    detail(req, details, f, "show_if", N_("Nur gezeigt, wenn"));
    return json_pack("{s:s,s:s,s:s,s:b,s:o}", "label", json_string_value(json_object_get(f, "label")), "name",
                     json_string_value(json_object_get(f, "name")), "type_label",
                     t < FT_UNKNOWN ? tr(req, type_labels[t]) : json_string_value(json_object_get(f, "type")),
                     "required", json_is_true(json_object_get(f, "required")), "details", details);
}

/* GET /verwaltung/formulare/:key/:version */
static int forms_preview(http_req_t *req)
{
    if (forms_guard(req))
        return 0;
    const char *key, *text, *form_title;
    int64_t version, created_at;
    int rc = load_version(req, &key, &version, &text, &form_title, &created_at);
    if (rc)
        return rc;
    json_t *def = json_loads(text, 0, NULL);
    if (!json_is_object(def)) {
        json_decref(def);
        return 500; /* stored only after the check: cannot happen unless the table was edited by hand */
    }
    json_t *steps = json_array();
    size_t i;
    const json_t *step;
    json_array_foreach(json_object_get(def, "steps"), i, step)
    {
        json_t *fields = json_array();
        size_t k;
        const json_t *f;
        json_array_foreach(json_object_get(step, "fields"), k, f)
        {
            json_array_append_new(fields, preview_field(req, f));
        }
        const json_t *cond = json_object_get(step, "show_if");
        json_array_append_new(steps, json_pack("{s:I,s:s,s:o,s:s?,s:o,s:s}", "number", (json_int_t)(i + 1),
                                               "step_title", json_string_value(json_object_get(step, "title")), "intro",
                                               paragraphs(json_string_value(json_object_get(step, "intro")), 0),
                                               "show_if", cond ? value_text(req, cond) : NULL, "fields", fields,
                                               "table_id", arena_printf(req->arena, "schritt-%zu-felder", i + 1)));
    }
    json_t *model = json_object();
    json_object_set_new(
        model, "title",
        json_string(arena_printf(req->arena, "%s – %s %lld", form_title, tr(req, N_("Version")), (long long)version)));
    json_object_set_new(model, "key", json_string(key));
    json_object_set_new(model, "version", json_integer(version));
    json_object_set_new(model, "date", json_string(application_date(req->arena, created_at, 1)));
    json_object_set_new(model, "intro", paragraphs(json_string_value(json_object_get(def, "intro")), 0));
    /* the comment: its first line says where the file came from, the rest are notes */
    json_t *notes = paragraphs(json_string_value(json_object_get(def, "comment")), 1);
    json_t *first = json_array_get(notes, 0);
    json_object_set_new(model, "notes_intro", first ? json_incref(first) : json_null());
    if (first)
        json_array_remove(notes, 0);
    json_object_set_new(model, "notes", notes);
    json_object_set_new(model, "steps", steps);
    json_object_set_new(model, "form_href", json_string(arena_printf(req->arena, "/verwaltung/formulare/%s", key)));
    json_object_set_new(model, "download",
                        json_string(arena_printf(req->arena, "/verwaltung/formulare/%s/%lld/definition.json", key,
                                                 (long long)version)));
    json_decref(def);
    return http_render(req, 200, "services/forms_admin/preview", model);
}

/* ----------------------------------------------------------------- routes */

/* The list and the upload share their address, so that no form key can be
 * mistaken for a page ("/verwaltung/formulare/neu"). */
static const route_t forms_admin_routes[] = {
    {"GET", "/verwaltung/formulare", forms_list, PERM_FORMS, 0, 0},
    {"POST", "/verwaltung/formulare", forms_upload, PERM_FORMS, 0, FORMS_BODY_LIMIT},
    {"GET", "/verwaltung/formulare/:key", forms_versions, PERM_FORMS, 0, 0},
    {"GET", "/verwaltung/formulare/:key/:version", forms_preview, PERM_FORMS, 0, 0},
    {"GET", "/verwaltung/formulare/:key/:version/definition.json", forms_download, PERM_FORMS, 0, 0},
};

static const permission_t forms_admin_permissions[] = {
    {PERM_FORMS, N_("Formulare der Online-Anträge laden (JSON oder FIM XDatenfelder)")},
};

const module_t forms_admin_module = {
    .name = "forms_admin",
    .title = N_("Formulare"),
    .summary = N_("Formulare für Online-Anträge laden und prüfen: als JSON oder aus FIM XDatenfelder."),
    .home = "/verwaltung/formulare",
    .nav_permission = PERM_FORMS,
    .routes = forms_admin_routes,
    .route_count = sizeof(forms_admin_routes) / sizeof(forms_admin_routes[0]),
    .permissions = forms_admin_permissions,
    .permission_count = sizeof(forms_admin_permissions) / sizeof(forms_admin_permissions[0]),
};
