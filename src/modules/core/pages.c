/* pages.c — start page, text pages, language switch, accessibility feedback (core_module). */
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"
#include "modules/core/core.h"
#include "modules/registry.h"
#include "platform/audit.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

#define FEEDBACK_MAX_CHARS 5000
#define SCREENSHOT_MAX (2 * 1024 * 1024)
#define FEEDBACK_BODY_LIMIT (3 * 1024 * 1024)

/* GET / — current notices of the city, and what this installation offers. */
static int home(http_req_t *req)
{
    static const char sql_notices[] = "SELECT title, body FROM notices WHERE starts_at <= $1 AND ends_at > $1 "
                                       "ORDER BY starts_at DESC, id DESC LIMIT 5";
    json_t *model = json_object();
    json_t *notices = json_array();
    db_stmt_t *st;
    if (db_prepare(req->db, sql_notices, &st) != 0) {
        json_decref(model);
        json_decref(notices);
        return 503;
    }
    db_bind_int64(st, 1, (int64_t)time(NULL));
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(notices, json_pack("{s:s,s:s}", "title", db_column_text(st, 0), "body",
                                                 db_column_text(st, 1)));
    db_reset(st);
    if (rc < 0) {
        json_decref(model);
        json_decref(notices);
        return rc == DB_ECONN ? 503 : 500;
    }
    json_object_set_new(model, "notices", notices);
    json_t *mods = json_array();
    for (size_t i = 0; i < modules_count; i++) {
        const module_t *m = modules_all[i];
        if (!m->home || !strcmp(m->home, "/") || (m->nav_permission && !auth_has_any_permission(req, m->nav_permission)))
            continue;
        json_array_append_new(mods, json_pack("{s:s,s:s,s:s}", "href", m->home, "title",
                                              i18n_translate(req->lang, m->title), "summary",
                                              i18n_translate(req->lang, m->summary)));
    }
    json_object_set_new(model, "modules", mods);
    json_object_set_new(model, "title", json_string(i18n_translate(req->lang, "Digitales Rathaus")));
    /* Our own Markdown, rendered at start-up with raw HTML disabled. */
    json_object_set_new(model, "intro_html", json_string(content_html("start", req->lang)));
    return http_render(req, 200, "core/home", model);
}

/* The text pages share one handler; the page name is the path without '/'. */
static int text_page(http_req_t *req)
{
    const char *name = req->path + 1;
    const char *html = content_html(name, req->lang);
    if (!html)
        return 404;
    static const struct {
        const char *name, *title;
    } titles[] = {{"impressum", N_("Impressum")},
                  {"datenschutz", N_("Datenschutz")},
                  {"leichte-sprache", N_("Leichte Sprache")}};
    const char *title = name;
    for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
        if (!strcmp(titles[i].name, name))
            title = titles[i].title;
    json_t *model = json_pack("{s:s,s:s}", "title", i18n_translate(req->lang, title), "body_html", html);
    return http_render(req, 200, "core/text", model);
}

/* The accessibility statement with its feedback form, filled with values and
 * errors when the form comes back. */
static int feedback_page(http_req_t *req, int status, const char *message, const char *contact, const char *page,
                         const char *err_message, const char *err_contact, const char *err_file)
{
    json_t *model = json_object();
    json_object_set_new(model, "title", json_string(i18n_translate(req->lang, "Erklärung zur Barrierefreiheit")));
    json_object_set_new(model, "body_html", json_string(content_html("barrierefreiheit", req->lang)));
    json_object_set_new(model, "thanks", json_boolean(http_query(req, "danke") != NULL));
    json_t *errors = json_array();
    json_t *f_msg = http_field("nachricht", i18n_translate(req->lang, "Ihre Rückmeldung"), message,
                               err_message ? i18n_translate(req->lang, err_message) : NULL);
    json_object_set_new(f_msg, "hint", json_string(i18n_translate(req->lang, "Beschreiben Sie, was nicht funktioniert hat. Höchstens 5000 Zeichen.")));
    json_object_set_new(f_msg, "required", json_true());
    json_object_set_new(f_msg, "rows", json_integer(6));
    json_object_set_new(f_msg, "maxlength", json_integer(FEEDBACK_MAX_CHARS));
    json_t *f_contact = http_field("kontakt", i18n_translate(req->lang, "Ihre E-Mail-Adresse (freiwillig)"), contact,
                                   err_contact ? i18n_translate(req->lang, err_contact) : NULL);
    json_object_set_new(f_contact, "type", json_string("email"));
    json_object_set_new(f_contact, "autocomplete", json_string("email"));
    json_object_set_new(f_contact, "hint", json_string(i18n_translate(req->lang, "Nur wenn Sie eine Antwort möchten.")));
    json_t *f_file = http_field("bildschirmfoto", i18n_translate(req->lang, "Bildschirmfoto (freiwillig)"), "",
                                err_file ? i18n_translate(req->lang, err_file) : NULL);
    json_object_set_new(f_file, "hint", json_string(i18n_translate(req->lang, "PNG oder JPEG, höchstens 2 MB.")));
    json_object_set_new(f_file, "accept", json_string("image/png,image/jpeg"));
    json_t *fields[] = {f_msg, f_contact, f_file};
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_object_get(fields[i], "error");
        if (e)
            json_array_append_new(errors, json_pack("{s:O,s:O}", "id", json_object_get(fields[i], "id"), "message", e));
    }
    json_object_set_new(model, "f_message", f_msg);
    json_object_set_new(model, "f_contact", f_contact);
    json_object_set_new(model, "f_file", f_file);
    json_object_set_new(model, "page", json_string(page ? page : ""));
    if (json_array_size(errors))
        json_object_set_new(model, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "core/barrierefreiheit", model);
}

static int accessibility(http_req_t *req)
{
    const char *from = http_query(req, "seite");
    return feedback_page(req, 200, "", "", from, NULL, NULL, NULL);
}

/* Checks the magic bytes: the type a browser claims is not evidence. */
static const char *image_type(const unsigned char *d, size_t n)
{
    if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return "image/jpeg";
    return NULL;
}

static int simple_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') && strlen(s) <= 254 && !strpbrk(s, " \r\n<>");
}

/* POST /barrierefreiheit/rueckmeldung */
static int feedback_submit(http_req_t *req)
{
    const char *message = http_form(req, "nachricht");
    const char *contact = http_form(req, "kontakt");
    const char *page = http_form(req, "seite");
    message = message ? message : "";
    contact = contact ? contact : "";
    page = page ? page : "";
    const char *err_message = NULL, *err_contact = NULL, *err_file = NULL;
    size_t chars = utf8_length(message, strlen(message));
    int blank = 1;
    for (const char *p = message; *p; p++)
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
            blank = 0;
    if (blank)
        err_message = N_("Bitte beschreiben Sie das Problem.");
    else if (chars > FEEDBACK_MAX_CHARS)
        err_message = N_("Ihre Rückmeldung ist länger als 5000 Zeichen. Bitte kürzen Sie sie.");
    if (*contact && !simple_email_ok(contact))
        err_contact = N_("Bitte geben Sie eine E-Mail-Adresse wie name@beispiel.de an, oder lassen Sie das Feld leer.");
    const multipart_file_t *shot = NULL;
    const char *shot_type = "";
    if (req->multipart) {
        for (size_t i = 0; i < req->multipart->file_count; i++) {
            const multipart_file_t *f = &req->multipart->files[i];
            if (strcmp(f->field, "bildschirmfoto") != 0 || f->size == 0)
                continue;
            if (f->size > SCREENSHOT_MAX) {
                err_file = N_("Das Bild ist größer als 2 MB. Bitte wählen Sie ein kleineres Bild.");
            } else if (!(shot_type = image_type(f->data, f->size))) {
                err_file = N_("Bitte wählen Sie ein Bild im Format PNG oder JPEG.");
                shot_type = "";
            } else {
                shot = f;
            }
        }
    }
    if (err_message || err_contact || err_file)
        return feedback_page(req, 422, message, contact, page, err_message, err_contact, err_file);

    static const char sql[] = "INSERT INTO accessibility_feedback (page, message, contact, screenshot, "
                              "screenshot_type, lang, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    db_stmt_t *st;
    int64_t id = -1;
    if (db_prepare(req->db, sql, &st) != 0)
        return 503;
    db_bind_text(st, 1, page, -1);
    db_bind_text(st, 2, message, -1);
    db_bind_text(st, 3, contact, -1);
    if (shot)
        db_bind_blob(st, 4, shot->data, shot->size);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, shot_type, -1);
    db_bind_text(st, 6, req->lang, -1);
    db_bind_int64(st, 7, (int64_t)time(NULL));
    int rc = db_step(st);
    if (rc == DB_ROW)
        id = db_column_int64(st, 0);
    db_reset(st);
    if (id < 0) {
        log_kv(LOG_ERROR, "feedback not stored", "error", db_errmsg(req->db), "request_id", req->request_id, NULL);
        return rc == DB_ECONN ? 503 : 500;
    }
    char object[32];
    snprintf(object, sizeof(object), "feedback:%lld", (long long)id);
    audit_log(req->db, "anonymous", "accessibility.feedback", object, NULL, req->client_ip, req->request_id);
    return http_redirect(req, 303, "/barrierefreiheit?danke=1#rueckmeldung");
}

/* POST /sprache — remembers the chosen language and goes back to the page. */
static int switch_language(http_req_t *req)
{
    const char *lang = http_form(req, "lang");
    const char *back = http_form(req, "zurueck");
    if (!lang || (strcmp(lang, "de") != 0 && strcmp(lang, "en") != 0))
        return 400;
    http_set_cookie(req, "lang", lang, 365 * 24 * 3600);
    return http_redirect(req, 303, back && back[0] == '/' ? back : "/");
}

static const route_t core_routes[] = {
    {"GET", "/", home, NULL, 0, 0},
    {"GET", "/impressum", text_page, NULL, ROUTE_NO_DB, 0},
    {"GET", "/datenschutz", text_page, NULL, ROUTE_NO_DB, 0},
    {"GET", "/leichte-sprache", text_page, NULL, ROUTE_NO_DB, 0},
    {"GET", "/barrierefreiheit", accessibility, NULL, ROUTE_NO_DB, 0},
    {"POST", "/barrierefreiheit/rueckmeldung", feedback_submit, NULL, 0, FEEDBACK_BODY_LIMIT},
    {"POST", "/sprache", switch_language, NULL, ROUTE_NO_DB, 0},
};

const module_t core_module = {
    .name = "core",
    .title = N_("Start"),
    .summary = N_("Die Startseite des digitalen Rathauses."),
    .home = NULL,
    .routes = core_routes,
    .route_count = sizeof(core_routes) / sizeof(core_routes[0]),
};
