/* projects_editions.c — the quarterly editions ("Ausgaben") of the Vorhabenliste.
 *
 *   GET  /beteiligung/vorhaben/ausgaben           every edition, newest first
 *   GET  /beteiligung/vorhaben/ausgaben/:id       one edition as a printable page
 *   GET  /beteiligung/vorhaben/ausgaben/:id.pdf   the same as a tagged PDF (platform/pdf.h)
 *   POST /verwaltung/beteiligung/vorhaben/ausgaben   publish (PERM_PROJECTS held everywhere)
 *
 * An edition is a frozen JSON snapshot of every entry with its change log, made
 * when it is published; later edits of the list never touch it. The pages and
 * the PDF are made from the snapshot only. The PDF is German (the official
 * document) and is kept in the row once made, since the snapshot cannot change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/projects.h"
#include "platform/audit.h"
#include "platform/pdf.h"
#include "view/i18n.h"
#include "web/auth.h"

#define EDITIONS_MAX 400 /* a hundred years of quarters */

static const char sql_editions[] =
    "SELECT id, title, entry_count, published_at FROM project_editions ORDER BY year DESC, quarter DESC, id DESC"
    " LIMIT 400";
static const char sql_edition[] =
    "SELECT id, year, quarter, title, note, entry_count, snapshot, published_at FROM project_editions WHERE id = $1";
static const char sql_edition_pdf[] = "SELECT pdf FROM project_editions WHERE id = $1 AND pdf IS NOT NULL";
static const char sql_edition_pdf_keep[] = "UPDATE project_editions SET pdf = $1 WHERE id = $2 AND pdf IS NULL";

/* GET /beteiligung/vorhaben/ausgaben */
int projects_editions_page(http_req_t *req)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_editions, &st) != 0)
        return 503;
    json_t *rows = json_array();
    int rc;
    size_t n = 0;
    while ((rc = db_step(st)) == DB_ROW && n++ < EDITIONS_MAX) {
        long long id = (long long)db_column_int64(st, 0);
        json_array_append_new(rows, json_pack("{s:s,s:I,s:s,s:o,s:o}", "title", db_column_text(st, 1), "count",
                                              (json_int_t)db_column_int64(st, 2), "published",
                                              projects_day(req->arena, db_column_int64(st, 3)), "url",
                                              json_sprintf("/beteiligung/vorhaben/ausgaben/%lld", id), "pdf_url",
                                              json_sprintf("/beteiligung/vorhaben/ausgaben/%lld.pdf", id)));
    }
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW) {
        json_decref(rows);
        return 503;
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(projects_tr(req, N_("Ausgaben der Vorhabenliste"))));
    json_object_set_new(m, "editions", rows);
    return http_render(req, 200, "participation/projects/editions", m);
}

typedef struct edition {
    int64_t id, year, quarter, count, published_at;
    const char *title, *note, *snapshot;
} edition_t;

/* Loads edition id: 0, 1 when there is none, < 0 on an error. */
static int load_edition(http_req_t *req, int64_t id, edition_t *e)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_edition, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        e->id = db_column_int64(st, 0);
        e->year = db_column_int64(st, 1);
        e->quarter = db_column_int64(st, 2);
        e->title = arena_strdup(req->arena, db_column_text(st, 3));
        e->note = arena_strdup(req->arena, db_column_text(st, 4) ? db_column_text(st, 4) : "");
        e->count = db_column_int64(st, 5);
        e->snapshot = arena_strdup(req->arena, db_column_text(st, 6) ? db_column_text(st, 6) : "[]");
        e->published_at = db_column_int64(st, 7);
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

/* ---- the PDF ----------------------------------------------------------------------------- */

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* One entry of the snapshot into the document (German: the official text). */
static void pdf_entry(pdf_doc_t *d, arena_t *a, const json_t *e)
{
    pdf_heading(d, 2, str(e, "title"));
    if (*str(e, "summary"))
        pdf_paragraph(d, str(e, "summary"));
    buf_t districts;
    buf_init(&districts, a, 128, 4096);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(e, "districts"), i, x)
        buf_appendf(&districts, "%s%s", i ? ", " : "", str(x, "name"));
    pdf_pair(d, "Ortsbezirke", buf_cstr(&districts));
    pdf_pair(d, "Thema", str(json_object_get(e, "topic"), "name"));
    pdf_pair(d, "Stand", str(e, "status_label"));
    if (*str(e, "starts_on"))
        pdf_pair(d, "Beginn", projects_date_label(a, str(e, "starts_on")));
    if (*str(e, "ends_on"))
        pdf_pair(d, "Voraussichtliches Ende", projects_date_label(a, str(e, "ends_on")));
    json_t *cents = json_object_get(e, "costs_cents");
    if (*str(e, "costs_text") || json_is_integer(cents))
        pdf_pair(d, "Kosten",
                 arena_printf(a, "%s%s%s", json_is_integer(cents) ? projects_euro(a, json_integer_value(cents)) : "",
                              json_is_integer(cents) && *str(e, "costs_text") ? " – " : "", str(e, "costs_text")));
    pdf_pair(d, "Beteiligung",
             json_is_true(json_object_get(e, "participation_planned"))
                 ? arena_printf(a, "geplant: %s", str(e, "participation_form_label"))
                 : "nicht geplant");
    pdf_pair(d, "Art der Aufgabe", str(e, "obligation_label"));
    const json_t *c = json_object_get(e, "contact");
    const char *contact =
        arena_printf(a, "%s%s%s%s%s%s%s", str(c, "unit"), *str(c, "name") ? ", " : "", str(c, "name"),
                     *str(c, "email") ? ", " : "", str(c, "email"), *str(c, "phone") ? ", " : "", str(c, "phone"));
    pdf_pair(d, "Kontakt", contact);
    pdf_pair(d, "Aufgenommen am", projects_day(a, json_integer_value(json_object_get(e, "created_at"))));
    pdf_pair(d, "Zuletzt geändert am", projects_day(a, json_integer_value(json_object_get(e, "updated_at"))));
    static const struct {
        const char *key, *heading;
    } texts[] = {
        {"description", "Beschreibung"},       {"goals", "Ziele"},
        {"decisions", "Bisherige Beschlüsse"}, {"next_steps", "Dauer und nächste Schritte"},
        {"affected", "Wer ist betroffen?"},    {"participation_reason", "Warum keine Beteiligung geplant ist"}};
    for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
        if (!*str(e, texts[k].key))
            continue;
        pdf_heading(d, 3, texts[k].heading);
        pdf_markdown(d, str(e, texts[k].key));
    }
    json_t *changes = json_object_get(e, "changes");
    if (json_array_size(changes) == 0)
        return;
    pdf_heading(d, 3, "Änderungen");
    json_array_foreach(changes, i, x)
    {
        const char *field = str(x, "field");
        const char *label = projects_field_label(field);
        const char *line =
            projects_field_is_long(field)
                ? arena_printf(a, "%s – %s: %s überarbeitet",
                               projects_day(a, json_integer_value(json_object_get(x, "at"))), str(x, "kind_label"),
                               label ? label : field)
                : arena_printf(a, "%s – %s: %s: %s → %s", projects_day(a, json_integer_value(json_object_get(x, "at"))),
                               str(x, "kind_label"), label ? label : field,
                               projects_value_label(a, "de", field, str(x, "old_value")),
                               projects_value_label(a, "de", field, str(x, "new_value")));
        if (*str(x, "explanation"))
            line = arena_printf(a, "%s. Erläuterung: %s", line, str(x, "explanation"));
        pdf_list_item(d, line);
    }
}

/* The PDF of an edition: the kept one, or made now and kept. */
static int edition_pdf(http_req_t *req, const edition_t *e)
{
    db_stmt_t *st;
    if (db_prepare(req->db, sql_edition_pdf, &st) != 0)
        return 503;
    db_bind_int64(st, 1, e->id);
    const void *blob = NULL;
    size_t len = 0;
    void *copy = NULL;
    int rc = db_step(st);
    if (rc == DB_ROW) {
        blob = db_column_blob(st, 0, &len);
        copy = arena_alloc(req->arena, len ? len : 1);
        if (len)
            memcpy(copy, blob, len);
    }
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return 503;
    if (!copy) {
        json_t *entries = json_loads(e->snapshot, 0, NULL);
        if (!json_is_array(entries)) {
            json_decref(entries);
            return 500;
        }
        const char *title = arena_printf(req->arena, "Vorhabenliste der Stadt %s – %s", req->cfg->city_name, e->title);
        pdf_doc_t *d = pdf_new(title, "de");
        if (!d) {
            json_decref(entries);
            return 503;
        }
        pdf_letterhead(d, arena_printf(req->arena, "Stadt %s · Vorhabenliste · %s", req->cfg->city_name, e->title));
        pdf_heading(d, 1, title);
        pdf_paragraph(d, arena_printf(req->arena, "Veröffentlicht am %s. Diese Ausgabe enthält %lld Vorhaben.",
                                      projects_day(req->arena, e->published_at), (long long)e->count));
        if (*e->note)
            pdf_paragraph(d, e->note);
        size_t i;
        json_t *x;
        json_array_foreach(entries, i, x) pdf_entry(d, req->arena, x);
        json_decref(entries);
        unsigned char *bytes = NULL;
        if (pdf_finish(d, &bytes, &len) != 0) {
            log_kv(LOG_ERROR, "edition pdf failed", "edition", arena_printf(req->arena, "%lld", (long long)e->id),
                   "reason", pdf_error(d) ? pdf_error(d) : "", NULL);
            pdf_free(d);
            return http_error(req, 500,
                              N_("Die PDF-Datei dieser Ausgabe lässt sich nicht erstellen, wahrscheinlich ist sie zu groß. Die Ausgabe können Sie als Seite lesen und drucken."));
        }
        pdf_free(d);
        copy = arena_alloc(req->arena, len);
        memcpy(copy, bytes, len);
        free(bytes);
        /* Kept for the next reader; if this fails the next one makes it again. */
        if (db_prepare(req->db, sql_edition_pdf_keep, &st) == 0) {
            db_bind_blob(st, 1, copy, len);
            db_bind_int64(st, 2, e->id);
            db_step(st);
            db_reset(st);
        }
    }
    http_add_header(req, "content-disposition",
                    arena_printf(req->arena, "inline; filename=\"vorhabenliste-ausgabe-%lld-%lld.pdf\"",
                                 (long long)e->quarter, (long long)e->year));
    return http_send(req, 200, "application/pdf", copy, len);
}

/* ---- the page -------------------------------------------------------------------------- */

/* GET /beteiligung/vorhaben/ausgaben/:id and …/:id.pdf */
int projects_edition_page(http_req_t *req)
{
    const char *param = http_param(req, "id");
    size_t n = strlen(param);
    int pdf = n > 4 && !strcmp(param + n - 4, ".pdf");
    const char *digits = pdf ? arena_strndup(req->arena, param, n - 4) : param;
    long id = projects_number(digits, -1, 1, 999999999999L);
    edition_t e;
    int rc = id < 1 ? 1 : load_edition(req, id, &e);
    if (rc == 1)
        return http_error(
            req, 404, N_("Diese Ausgabe gibt es nicht. Alle Ausgaben finden Sie unter „Ausgaben der Vorhabenliste“."));
    if (rc != 0)
        return 503;
    if (pdf)
        return edition_pdf(req, &e);
    json_t *entries = json_loads(e.snapshot, 0, NULL);
    if (!json_is_array(entries)) {
        json_decref(entries);
        return 500;
    }
    size_t i;
    json_t *x;
    json_array_foreach(entries, i, x)
    {
        json_object_set_new(x, "anchor",
                            json_sprintf("vorhaben-%lld", (long long)json_integer_value(json_object_get(x, "id"))));
        if (projects_decorate(x, req->arena, req->lang, 1) != 0) {
            json_decref(entries);
            return 500;
        }
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s – %s", projects_tr(req, N_("Vorhabenliste")), e.title));
    json_object_set_new(m, "edition_title", json_string(e.title));
    json_object_set_new(m, "published", json_string(projects_day(req->arena, e.published_at)));
    json_object_set_new(m, "count", json_integer(e.count));
    json_object_set_new(m, "note", json_string(e.note));
    json_object_set_new(m, "pdf_url", json_sprintf("/beteiligung/vorhaben/ausgaben/%lld.pdf", (long long)e.id));
    json_object_set_new(m, "entries", entries);
    json_t *notice = projects_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, 200, "participation/projects/edition", m);
}

/* ---- publishing ------------------------------------------------------------------------- */

/* POST /verwaltung/beteiligung/vorhaben/ausgaben: quartal, jahr, vorwort */
int projects_edition_publish(http_req_t *req)
{
    if (!auth_has_permission_in_unit(req, PERM_PROJECTS, 0))
        return http_error(req, 403,
                          N_("Eine Ausgabe der Vorhabenliste veröffentlicht die Koordinierungsstelle für die ganze Stadt. Ihnen fehlt dafür das Recht."));
    const char *quarter_text = http_form(req, "quartal");
    const char *year_text = http_form(req, "jahr");
    const char *note = http_form(req, "vorwort");
    quarter_text = quarter_text ? quarter_text : "";
    year_text = year_text ? year_text : "";
    note = note ? note : "";
    json_t *values = json_pack("{s:s,s:s,s:s}", "quartal", quarter_text, "jahr", year_text, "vorwort", note);
    json_t *errors = json_array();
    long quarter = projects_number(quarter_text, -1, 1, 4);
    long year = projects_number(year_text, -1, 2000, 2199);
    if (quarter < 1)
        json_array_append_new(errors, json_pack("{s:s,s:s}", "id", "feld-quartal", "message",
                                                projects_tr(req, N_("Bitte wählen Sie das Quartal, 1 bis 4."))));
    if (year < 1)
        json_array_append_new(
            errors,
            json_pack("{s:s,s:s}", "id", "feld-jahr", "message",
                      projects_tr(req, N_("Bitte geben Sie das Jahr mit vier Ziffern an, zum Beispiel 2026."))));
    if (utf8_length(note, strlen(note)) > PROJECT_NOTE_MAX)
        json_array_append_new(
            errors, json_pack("{s:s,s:s}", "id", "feld-vorwort", "message",
                              projects_tr(req, N_("Bitte kürzen Sie den Text auf höchstens 2.000 Zeichen."))));
    if (json_array_size(errors) > 0)
        return projects_staff_list_render(req, 422, values, errors);
    int64_t id = 0, now = (int64_t)time(NULL);
    if (db_begin_write(req->db) != 0) {
        json_decref(values);
        json_decref(errors);
        return 503;
    }
    int rc = projects_publish_edition(req->db, req->arena, (int)year, (int)quarter, note, req->user->id, now, &id);
    if (rc == 1) {
        db_rollback(req->db);
        json_array_append_new(errors,
                              json_pack("{s:s,s:s}", "id", "feld-quartal", "message",
                                        projects_tr(req, N_("Für dieses Quartal gibt es schon eine Ausgabe. Jede Ausgabe bleibt, wie sie veröffentlicht wurde."))));
        return projects_staff_list_render(req, 422, values, errors);
    }
    json_decref(values);
    json_decref(errors);
    const char *detail = arena_printf(req->arena, "{\"year\":%ld,\"quarter\":%ld}", year, quarter);
    if (rc != 0 ||
        audit_log(req->db, arena_printf(req->arena, "user:%lld", (long long)req->user->id),
                  "participation.edition.publish", arena_printf(req->arena, "edition:%lld", (long long)id), detail,
                  req->client_ip, req->request_id) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(
        req, 303, arena_printf(req->arena, "/beteiligung/vorhaben/ausgaben/%lld?hinweis=ausgabe", (long long)id));
}
