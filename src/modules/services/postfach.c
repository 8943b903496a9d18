/* postfach.c — the Postfach's core: every submitted application has one thread
 * of messages between the citizen and the office (table messages), each with
 * an optional document (application_files, field 'postfach').
 *
 * postfach_post stores a message inside the caller's transaction, records it in
 * the case history and, when the office wrote, e-mails the citizen nothing but a
 * link (the content stays behind the login: e-mail is no safe channel for case
 * content). postfach_thread_json builds the thread as the pages show it, for the
 * citizen (postfach_pages.c) and for the staff case page (cases.c) alike, so the
 * two sides cannot drift apart. Message bodies are plain text: they are split
 * into paragraphs and lines here and escaped by the template like any value,
 * so no HTML a user typed ever reaches a page. docs/postfach.md has the rest.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"
#include "modules/services/internal.h"
#include "modules/services/postfach.h"
#include "view/i18n.h"

/* The newest messages a thread shows; older ones are counted but not listed
 * (a real thread has a few dozen; the cap keeps one page bounded). */
#define POSTFACH_THREAD_MAX 500

static const char *tr(const char *lang, const char *msgid)
{
    return i18n_translate(lang ? lang : "de", msgid);
}

int postfach_case_closed(const application_t *app)
{
    return app->closed_at != 0 || workflow_is_final(app->workflow, app->status);
}

/* ---- storing a message ---------------------------------------------------------- */

/* Copies text into the arena with CRLF and lone CR turned into LF, as a
 * browser's textarea means them; the characters are counted after this. */
static char *normalise_newlines(arena_t *arena, const char *text)
{
    size_t n = strlen(text);
    char *out = arena_alloc(arena, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\r') {
            out[o++] = '\n';
            if (text[i + 1] == '\n')
                i++;
        } else {
            out[o++] = text[i];
        }
    }
    out[o] = '\0';
    return out;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

/* A subject is one line: no control characters at all. */
static int subject_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

int postfach_check(arena_t *arena, const char *subject, const char *body, const char **err_subject,
                   const char **err_body)
{
    *err_subject = NULL;
    *err_body = NULL;
    subject = subject ? subject : "";
    body = body ? body : "";
    if (!utf8_valid(subject, strlen(subject)))
        *err_subject = N_("Der Betreff enthält Zeichen, die wir nicht lesen können.");
    else if (!subject_ok(subject))
        *err_subject = N_("Der Betreff darf nur eine Zeile lang sein.");
    else if (utf8_length(subject, strlen(subject)) > POSTFACH_SUBJECT_MAX)
        *err_subject = N_("Der Betreff ist länger als 200 Zeichen. Bitte kürzen Sie ihn.");
    if (!utf8_valid(body, strlen(body))) {
        *err_body = N_("Die Nachricht enthält Zeichen, die wir nicht lesen können.");
    } else {
        const char *text = normalise_newlines(arena, body);
        if (is_blank(text))
            *err_body = N_("Bitte schreiben Sie eine Nachricht.");
        else if (utf8_length(text, strlen(text)) > POSTFACH_BODY_MAX)
            *err_body = N_("Ihre Nachricht ist länger als 20.000 Zeichen. Bitte kürzen Sie sie.");
    }
    return *err_subject || *err_body ? POSTFACH_EINVAL : 0;
}

static const char sql_file_of_app[] = "SELECT 1 FROM application_files WHERE id = $1 AND application_id = $2";

static const char sql_insert_message[] =
    "INSERT INTO messages (application_id, from_office, sender_id, subject, body, file_id, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

int64_t postfach_post(db_t *db, const config_t *cfg, arena_t *arena, int64_t app_id, int from_office, int64_t sender_id,
                      const char *subject, const char *body, int64_t file_id)
{
    subject = subject ? subject : "";
    const char *err_subject, *err_body;
    if (postfach_check(arena, subject, body, &err_subject, &err_body) != 0)
        return POSTFACH_EINVAL;
    const char *text = normalise_newlines(arena, body);

    application_t app;
    int rc = application_load(db, arena, app_id, &app);
    if (rc < 0)
        return -1;
    if (rc > 0 || app.submitted_at == 0)
        return POSTFACH_ENOAPP; /* a draft has no thread yet: nobody in the office sees it */

    db_stmt_t *st;
    if (file_id > 0) {
        /* The document must belong to this application: a message must never
         * hand out a link to another case's file. */
        int64_t found = 0;
        if (db_prepare(db, sql_file_of_app, &st) != 0)
            return -1;
        db_bind_int64(st, 1, file_id);
        db_bind_int64(st, 2, app_id);
        rc = db_step(st);
        if (rc == DB_ROW)
            found = 1;
        db_reset(st);
        if (rc < 0)
            return -1;
        if (!found)
            return POSTFACH_ENOAPP;
    }

    if (db_prepare(db, sql_insert_message, &st) != 0)
        return -1;
    db_bind_int64(st, 1, app_id);
    db_bind_int64(st, 2, from_office ? 1 : 0);
    if (sender_id > 0)
        db_bind_int64(st, 3, sender_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, subject, -1);
    db_bind_text(st, 5, text, -1);
    if (file_id > 0)
        db_bind_int64(st, 6, file_id);
    else
        db_bind_null(st, 6);
    db_bind_int64(st, 7, (int64_t)time(NULL));
    int64_t id = -1;
    if (db_step(st) == DB_ROW)
        id = db_column_int64(st, 0);
    db_reset(st);
    if (id <= 0)
        return -1;

    /* The history says that a message went which way, not what it said: the
     * text lives in the thread alone. */
    char id_text[24];
    snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
    if (application_event(db, app_id, sender_id, "message", from_office ? "office" : "citizen", id_text, subject, 0) !=
        0)
        return -1;

    if (from_office && cfg) {
        const char *path = arena_printf(arena, "/postfach/%lld", (long long)app_id);
        if (application_notify(db, cfg, &app, path) != 0)
            return -1;
    }
    return id;
}

/* ---- reading a thread ------------------------------------------------------------ */

static const char sql_mark_read[] = "UPDATE messages SET read_at = $1"
                                    " WHERE application_id = $2 AND from_office = $3 AND read_at IS NULL";

int postfach_mark_read(db_t *db, int64_t app_id, int reader_is_office)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_mark_read, &st) != 0)
        return -1;
    db_bind_int64(st, 1, (int64_t)time(NULL));
    db_bind_int64(st, 2, app_id);
    /* The office reads what the citizen wrote, and the other way round. */
    db_bind_int64(st, 3, reader_is_office ? 0 : 1);
    int rc = db_step(st);
    int64_t changed = rc == DB_DONE ? db_changes(st) : -1;
    db_reset(st);
    return changed < 0 ? -1 : (int)changed;
}

/* Plain text as paragraphs of lines: blank lines separate paragraphs, single
 * line breaks stay line breaks ({{#br}}<br>{{/br}} in the template; the text
 * itself is escaped there like every value). */
static json_t *paragraphs_of(const char *body)
{
    json_t *paragraphs = json_array();
    json_t *lines = NULL;
    const char *p = body;
    for (;;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int blank = 1;
        for (size_t i = 0; i < n; i++)
            if (p[i] != ' ' && p[i] != '\t')
                blank = 0;
        if (blank) {
            lines = NULL; /* the next text line starts a new paragraph */
        } else {
            if (!lines) {
                lines = json_array();
                json_array_append_new(paragraphs, json_pack("{s:o}", "lines", lines));
            }
            json_array_append_new(lines, json_pack("{s:s%,s:b}", "text", p, n, "br", 0));
        }
        if (!end)
            break;
        p = end + 1;
    }
    /* Every line but the last of its paragraph ends with a break. */
    size_t pi;
    json_t *para;
    json_array_foreach(paragraphs, pi, para)
    {
        json_t *ls = json_object_get(para, "lines");
        for (size_t i = 0; i + 1 < json_array_size(ls); i++)
            json_object_set_new(json_array_get(ls, i), "br", json_true());
    }
    return paragraphs;
}

/* "1,3 MB" / "1.3 MB", "24 KB": how big an attachment is, for the link text. */
static const char *size_text(arena_t *arena, int64_t bytes, const char *lang)
{
    int en = lang && strcmp(lang, "en") == 0;
    if (bytes >= 1024 * 1024) {
        long long tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        return arena_printf(arena, "%lld%c%lld MB", tenths / 10, en ? '.' : ',', tenths % 10);
    }
    return arena_printf(arena, "%lld KB", (long long)((bytes + 1023) / 1024));
}

static const char *type_text(const char *content_type)
{
    static const struct {
        const char *mime, *label;
    } types[] = {{"application/pdf", "PDF"}, {"image/jpeg", "JPEG"}, {"image/png", "PNG"}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(types[i].mime, content_type) == 0)
            return types[i].label;
    return content_type;
}

static const char *iso_time(arena_t *arena, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char out[32];
    strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(arena, out);
}

/* The messages, newest first (so that the cap keeps the newest), with the
 * sender's name (a citizen's comes from "Meine Daten" when the account has no
 * display name) and the attachment's name, type and size. */
static const char sql_thread[] =
    "SELECT m.id, m.from_office, COALESCE(m.sender_id, 0), m.subject, m.body, COALESCE(m.file_id, 0),"
    " m.created_at, COALESCE(m.read_at, 0),"
    " CASE WHEN COALESCE(u.display_name, '') <> '' THEN u.display_name"
    " ELSE TRIM(COALESCE(p.given_name, '') || ' ' || COALESCE(p.family_name, '')) END,"
    " COALESCE(f.filename, ''), COALESCE(f.content_type, ''), COALESCE(f.size, 0)"
    " FROM messages m LEFT JOIN users u ON u.id = m.sender_id LEFT JOIN profiles p ON p.user_id = m.sender_id"
    " LEFT JOIN application_files f ON f.id = m.file_id"
    " WHERE m.application_id = $1 ORDER BY m.id DESC LIMIT $2";

static const char sql_thread_count[] = "SELECT COUNT(*) FROM messages WHERE application_id = $1";

static json_t *message_json(db_stmt_t *st, arena_t *arena, const application_t *app, int viewer_is_office,
                            const char *lang, int *unread)
{
    int64_t id = db_column_int64(st, 0);
    int from_office = db_column_int64(st, 1) != 0;
    int64_t sender_id = db_column_int64(st, 2);
    const char *subject = db_column_text(st, 3);
    const char *body = db_column_text(st, 4);
    int64_t file_id = db_column_int64(st, 5);
    int64_t created_at = db_column_int64(st, 6);
    int64_t read_at = db_column_int64(st, 7);
    const char *sender_name = db_column_text(st, 8);
    int mine = from_office == (viewer_is_office != 0);

    /* Who wrote it, as the viewer knows them: the citizen sees the office by
     * its unit's name and themselves as "Sie"; the office sees colleagues and
     * the applicant by name. */
    const char *sender;
    if (!viewer_is_office)
        sender = from_office ? app->unit_name : tr(lang, N_("Sie"));
    else if (from_office)
        sender = sender_id && *sender_name ? sender_name : app->unit_name;
    else
        sender = *sender_name ? sender_name : tr(lang, N_("Antragstellende Person"));

    *unread = !mine && read_at == 0;
    json_t *m = json_object();
    json_object_set_new(m, "id", json_integer(id));
    json_object_set_new(m, "anchor", json_sprintf("nachricht-%lld", (long long)id));
    json_object_set_new(m, "from_office", json_boolean(from_office));
    json_object_set_new(m, "mine", json_boolean(mine));
    json_object_set_new(m, "sender", json_string(sender));
    json_object_set_new(m, "date", json_string(application_date(arena, created_at, 1)));
    json_object_set_new(m, "datetime", json_string(iso_time(arena, created_at)));
    json_object_set_new(m, "created_at", json_integer(created_at));
    json_object_set_new(m, "subject", json_string(subject ? subject : ""));
    json_object_set_new(m, "body", json_string(body ? body : ""));
    json_object_set_new(m, "paragraphs", paragraphs_of(body ? body : ""));
    json_object_set_new(m, "unread", json_boolean(*unread));
    json_object_set_new(m, "read_date", json_string(mine && read_at ? application_date(arena, read_at, 1) : ""));
    if (file_id > 0) {
        const char *href =
            viewer_is_office
                ? arena_printf(arena, "/verwaltung/vorgaenge/%lld/dateien/%lld", (long long)app->id, (long long)file_id)
                : arena_printf(arena, "/antraege/%lld/dateien/%lld", (long long)app->id, (long long)file_id);
        json_object_set_new(m, "attachment",
                            json_pack("{s:s,s:s,s:s,s:s}", "name", db_column_text(st, 9), "href", href, "type",
                                      type_text(db_column_text(st, 10)), "size",
                                      size_text(arena, db_column_int64(st, 11), lang)));
    } else {
        json_object_set_new(m, "attachment", json_null());
    }
    return m;
}

json_t *postfach_thread_json(db_t *db, arena_t *arena, const application_t *app, int viewer_is_office, const char *lang)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_thread, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, app->id);
    db_bind_int64(st, 2, POSTFACH_THREAD_MAX);
    json_t *messages = json_array();
    int64_t unread = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int is_unread = 0;
        /* Rows come newest first; the thread reads oldest first. */
        json_array_insert_new(messages, 0, message_json(st, arena, app, viewer_is_office, lang, &is_unread));
        unread += is_unread;
    }
    db_reset(st);
    int64_t total = 0;
    if (rc < 0 || db_query_int64_arg(db, sql_thread_count, app->id, &total) < 0) {
        log_kv(LOG_ERROR, "postfach thread not read", "error", db_errmsg(db), NULL);
        json_decref(messages);
        return NULL;
    }

    json_t *t = json_object();
    json_object_set_new(t, "application_id", json_integer(app->id));
    json_object_set_new(t, "reference", json_string(app->reference));
    json_object_set_new(t, "closed", json_boolean(postfach_case_closed(app)));
    json_object_set_new(t, "anonymous", json_boolean(app->user_id == 0));
    json_object_set_new(t, "count", json_integer(total));
    json_object_set_new(t, "unread", json_integer(unread));
    json_object_set_new(t, "truncated", json_boolean(total > (int64_t)json_array_size(messages)));
    json_object_set_new(t, "messages", messages);
    /* Nobody could read an answer to an application made without an account. */
    if (app->user_id == 0)
        json_object_set_new(t, "reply", json_null());
    else
        json_object_set_new(t, "reply", postfach_reply_json(app, viewer_is_office, lang, &(postfach_form_t){0}));
    return t;
}

/* ---- the reply form ------------------------------------------------------------- */

/* A field object for the form partials with every key they read present, so
 * that no name is looked up in the page around it (tmpl.h). */
static json_t *field(const char *lang, const char *name, const char *label, const char *value, const char *hint,
                     const char *error)
{
    json_t *f = http_field(name, tr(lang, label), value, NULL);
    json_object_set_new(f, "hint", hint ? json_string(tr(lang, hint)) : json_null());
    json_object_set_new(f, "error", error ? json_string(tr(lang, error)) : json_null());
    json_object_set_new(f, "required", json_false());
    json_object_set_new(f, "maxlength", json_null());
    json_object_set_new(f, "type", json_null());
    json_object_set_new(f, "autocomplete", json_null());
    json_object_set_new(f, "inputmode", json_null());
    json_object_set_new(f, "rows", json_null());
    json_object_set_new(f, "accept", json_null());
    return f;
}

json_t *postfach_reply_json(const application_t *app, int viewer_is_office, const char *lang,
                            const postfach_form_t *form)
{
    json_t *r = json_object();
    char action[96];
    if (viewer_is_office)
        snprintf(action, sizeof(action), "/verwaltung/vorgaenge/%lld/nachricht", (long long)app->id);
    else
        snprintf(action, sizeof(action), "/postfach/%lld", (long long)app->id);
    json_object_set_new(r, "action", json_string(action));

    if (viewer_is_office) {
        json_t *s = field(lang, "betreff", N_("Betreff (freiwillig)"), form->subject ? form->subject : "",
                          N_("Zum Beispiel: Rückfrage zu Ihren Unterlagen. Höchstens 200 Zeichen."), form->err_subject);
        json_object_set_new(s, "maxlength", json_integer(POSTFACH_SUBJECT_MAX));
        json_object_set_new(r, "f_subject", s);
    } else {
        json_object_set_new(r, "f_subject", json_null());
    }

    /* Each text on one line, so that scripts/po-check.sh finds it. */
    /* clang-format off */
    const char *body_hint = viewer_is_office
        ? N_("Die antragstellende Person bekommt eine E-Mail mit einem Link, aber ohne den Text. Höchstens 20.000 Zeichen.")
        : N_("Das Amt liest Ihre Nachricht im Vorgang. Höchstens 20.000 Zeichen.");
    /* clang-format on */
    json_t *b = field(lang, "nachricht", N_("Ihre Nachricht"), form->body ? form->body : "", body_hint, form->err_body);
    json_object_set_new(b, "required", json_true());
    json_object_set_new(b, "rows", json_integer(6));
    json_object_set_new(b, "maxlength", json_integer(POSTFACH_BODY_MAX));
    json_object_set_new(r, "f_body", b);

    json_t *f = field(lang, "anhang", N_("Dokument anhängen (freiwillig)"), "",
                      N_("Eine Datei als PDF, JPEG oder PNG, höchstens 10 MB."), form->err_file);
    json_object_set_new(f, "accept", json_string("application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"));
    json_object_set_new(r, "f_file", f);
    return r;
}
