/* apply_step.c — one step of an online application: the page, and what a POST
 * of it does.
 *
 * Every POST saves what was typed first, valid or not, and only then decides
 * where to go: "Weiter" checks the step and goes on or shows the errors on top
 * and at each field; "Zurück" and "Entwurf speichern" go without checking.
 * Uploads are checked one by one in the handler (type by content, size, count)
 * so that a file that is too large or of the wrong type costs only itself, never
 * the text fields sent with it. A POST that arrives after the session ended keeps
 * its values for the login (apply_draft.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "modules/services/apply.h"
#include "platform/files.h"
#include "view/i18n.h"
#include "web/auth.h"

/* ---- the page --------------------------------------------------------------------------------- */

/* Paragraphs of an intro text: a blank line starts a new one. */
static json_t *paragraphs(const char *text)
{
    json_t *out = json_array();
    if (!text)
        return out;
    const char *p = text;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n)
            json_array_append_new(out, json_stringn(p, n));
        if (!end)
            break;
        p = end + 2;
        while (*p == '\n')
            p++;
    }
    return out;
}

static int step_has_files(const formdef_state_t *s, size_t index)
{
    for (size_t i = 0; i < s->field_count; i++)
        if (s->fields[i].step == index && s->fields[i].visible && formdef_type(s->fields[i].field) == FT_FILE)
            return 1;
    return 0;
}

/* Renders step index with the answers of state; errors and alerts as given. */
static int render_step(apply_ctx_t *ctx, int status, const formdef_state_t *state, size_t index, const json_t *errors,
                       const json_t *file_lists, json_t *model)
{
    http_req_t *req = ctx->req;
    const char *lang = req->lang;
    const json_t *step = formdef_step(ctx->def, index);
    const char *form_title = formdef_text(ctx->def, lang, json_string_value(json_object_get(ctx->def, "title")));
    const char *heading = formdef_text(ctx->def, lang, json_string_value(json_object_get(step, "title")));
    int pos, total;
    formdef_progress(state, index, &pos, &total);
    const char *progress = arena_printf(req->arena, "%s %d %s %d", i18n_translate(lang, N_("Schritt")), pos,
                                        i18n_translate(lang, N_("von")), total);
    json_t *summary = json_array();
    json_t *fields = formdef_view_fields(state, index, errors, file_lists, lang, summary, req->arena);
    int has_errors = json_array_size(summary) > 0;
    /* The window title says first that something is wrong (read out on load). */
    json_object_set_new(
        model, "title",
        json_string(arena_printf(req->arena, "%s%s: %s – %s", has_errors ? i18n_translate(lang, N_("Fehler: ")) : "",
                                 progress, heading, form_title)));
    json_object_set_new(model, "heading", json_string(heading));
    json_object_set_new(model, "form_title", json_string(form_title));
    json_object_set_new(model, "progress_text", json_string(progress));
    json_object_set_new(model, "pos", json_integer(pos));
    json_object_set_new(model, "total", json_integer(total));
    json_object_set_new(model, "intro",
                        paragraphs(formdef_text(ctx->def, lang, json_string_value(json_object_get(step, "intro")))));
    json_object_set_new(model, "fields", fields);
    if (has_errors)
        json_object_set_new(model, "errors", summary);
    else
        json_decref(summary);
    json_object_set_new(
        model, "action",
        json_string(arena_printf(req->arena, "/antraege/%lld/schritt/%zu", (long long)ctx->app.id, index + 1)));
    json_object_set_new(model, "multipart", json_boolean(step_has_files(state, index)));
    json_object_set_new(model, "has_back", json_boolean(formdef_next_step(state, (int)index, -1) >= 0));
    json_object_set_new(model, "anonymous", json_boolean(ctx->anonymous));
    return http_render(req, status, "services/apply/step", model);
}

/* Where a finished or hidden step leads: the next shown step, or the review. */
static const char *next_address(apply_ctx_t *ctx, const formdef_state_t *s, size_t index)
{
    int next = formdef_next_step(s, (int)index, +1);
    if (next < 0)
        return arena_printf(ctx->req->arena, "/antraege/%lld/pruefen", (long long)ctx->app.id);
    return arena_printf(ctx->req->arena, "/antraege/%lld/schritt/%d", (long long)ctx->app.id, next + 1);
}

/* A submitted application has no steps any more: its page instead. */
static int not_a_draft(apply_ctx_t *ctx)
{
    const char *to = ctx->anonymous ? "eingegangen" : "";
    return http_redirect(
        ctx->req, 303, arena_printf(ctx->req->arena, "/antraege/%lld%s%s", (long long)ctx->app.id, *to ? "/" : "", to));
}

int apply_step_page(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = apply_open(req, http_param(req, "id"), 1, APPLY_LOGIN_REDIRECT, &ctx);
    if (rc == HTTP_ANSWERED)
        return 0;
    if (rc)
        return rc;
    if (strcmp(ctx.app.status, "entwurf") != 0) {
        apply_ctx_free(&ctx);
        return not_a_draft(&ctx);
    }
    int index = apply_step_index(http_param(req, "n"), ctx.def);
    if (index < 0) {
        apply_ctx_free(&ctx);
        return 404;
    }
    json_t *model = apply_model(req, N_("Online-Antrag"));
    /* Values typed before the session ended come back now, with a word about it. */
    int merged = ctx.anonymous ? 0 : apply_pending_merge(req, ctx.app.id, ctx.answers);
    if (merged < 0) {
        json_decref(model);
        apply_ctx_free(&ctx);
        return 503;
    }
    if (merged)
        apply_alert(req, model, "warning",
                    N_("Sie waren abgemeldet, als Sie die Seite abgeschickt haben. Ihre Eingaben haben wir aufbewahrt "
                       "und in den Entwurf übernommen. Bitte prüfen Sie sie. Eine Datei, die Sie dabei hochladen "
                       "wollten, laden Sie bitte noch einmal hoch."));
    char today[11];
    formdef_today(today);
    formdef_state_t *state = arena_alloc(req->arena, sizeof(*state));
    formdef_state_init(state, ctx.def, ctx.answers, today);
    if (!state->step_visible[index]) {
        const char *to = next_address(&ctx, state, (size_t)index);
        json_decref(model);
        apply_ctx_free(&ctx);
        return http_redirect(req, 302, to);
    }
    json_t *lists, *counts;
    if (apply_files(req->db, ctx.app.id, &lists, &counts) != 0) {
        json_decref(lists);
        json_decref(counts);
        json_decref(model);
        apply_ctx_free(&ctx);
        return 503;
    }
    json_t *errors = json_object();
    /* Sent here from the review page or a refused submission: show what is missing. */
    if (http_query(req, "fehler"))
        formdef_check_step(state, (size_t)index, counts, errors, req->arena);
    if (http_query(req, "gespeichert"))
        apply_alert(
            req, model, "success",
            ctx.anonymous
                ? N_("Ihr Entwurf ist gespeichert. Sie können ihn in diesem Browser innerhalb von 7 Tagen fortsetzen.")
                : N_("Ihr Entwurf ist gespeichert."));
    if (http_query(req, "entfernt"))
        apply_alert(req, model, "success", N_("Die Datei ist entfernt."));
    if (http_query(req, "hochgeladen"))
        apply_alert(req, model, "success", N_("Die Datei ist hochgeladen."));
    rc = render_step(&ctx, 200, state, (size_t)index, errors, lists, model);
    json_decref(errors);
    json_decref(lists);
    json_decref(counts);
    apply_ctx_free(&ctx);
    return rc;
}

/* ---- saving a step --------------------------------------------------------------------------------- */

/* The MIME types a field's "accept" stands for, NULL-terminated, in out[4]. */
static void accepted_types(const json_t *field, const char *out[4])
{
    size_t n = 0, i;
    const json_t *v;
    json_array_foreach(json_object_get(field, "accept"), i, v)
    {
        const char *t = json_string_value(v);
        if (n < 3)
            out[n++] = !strcmp(t, "pdf") ? "application/pdf" : !strcmp(t, "jpeg") ? "image/jpeg" : "image/png";
    }
    out[n] = NULL;
}

static void set_error(json_t *errors, const char *field, const char *message, const char *arg)
{
    if (json_object_get(errors, field))
        return; /* the first problem of a field is the one to fix first */
    json_t *e = json_pack("{s:s}", "message", message);
    if (arg)
        json_object_set_new(e, "arg", json_string(arg));
    json_object_set_new(errors, field, e);
}

static const char *limit_text(arena_t *arena, json_int_t bytes)
{
    const json_int_t mib = 1024 * 1024;
    if (bytes % mib == 0)
        return arena_printf(arena, "%lld MB", (long long)(bytes / mib));
    return arena_printf(arena, "%lld KB", (long long)((bytes + 1023) / 1024));
}

/* Stores the files sent for the file fields shown on step index; what cannot be
 * taken becomes an error of its field in upload_errors. counts is updated. */
static int store_uploads(apply_ctx_t *ctx, const formdef_state_t *s, size_t index, json_t *counts,
                         json_t *upload_errors, int *stored)
{
    http_req_t *req = ctx->req;
    *stored = 0;
    if (!req->multipart)
        return 0;
    for (size_t i = 0; i < req->multipart->file_count; i++) {
        const multipart_file_t *f = &req->multipart->files[i];
        const json_t *field = formdef_field(ctx->def, f->field);
        if (!field || formdef_type(field) != FT_FILE || !formdef_field_visible(s, f->field))
            continue; /* not a file field of this page: ignored */
        int on_step = 0;
        for (size_t k = 0; k < s->field_count; k++)
            if (!strcmp(s->fields[k].name, f->field))
                on_step = s->fields[k].step == index;
        if (!on_step)
            continue;
        const json_t *ms = json_object_get(field, "max_size");
        const json_t *mf = json_object_get(field, "max_files");
        json_int_t max_size = ms ? json_integer_value(ms) : FORMDEF_FILE_DEFAULT_BYTES;
        json_int_t max_files = mf ? json_integer_value(mf) : 1;
        json_int_t have = json_integer_value(json_object_get(counts, f->field));
        if (have >= max_files) {
            set_error(upload_errors, f->field,
                      N_("Sie haben schon so viele Dateien hochgeladen, wie hier möglich sind. Bitte entfernen Sie "
                         "zuerst eine Datei. Höchstzahl:"),
                      arena_printf(req->arena, "%lld", (long long)max_files));
            continue;
        }
        const char *allowed[4];
        accepted_types(field, allowed);
        const char *type = NULL;
        switch (files_check(f->data, f->size, (size_t)max_size, allowed, &type)) {
        case FILES_OK:
            break;
        case FILES_EMPTY:
            set_error(upload_errors, f->field, N_("Die Datei ist leer. Bitte wählen Sie eine andere Datei."), NULL);
            continue;
        case FILES_TOO_LARGE:
            set_error(upload_errors, f->field, N_("Die Datei ist zu groß. Größe höchstens:"),
                      limit_text(req->arena, max_size));
            continue;
        case FILES_TYPE_REFUSED:
            set_error(upload_errors, f->field,
                      N_("Diese Datei hat ein Format, das wir hier nicht annehmen. Erlaubt sind:"),
                      formdef_accept_text(field, req->lang, req->arena));
            continue;
        default:
            return -1;
        }
        int64_t file_id;
        if (files_store(req->db, ctx->app.id, f->field, f->filename, type, f->data, f->size,
                        req->user ? req->user->id : 0, &file_id) != 0)
            return -1;
        json_object_set_new(counts, f->field, json_integer(have + 1));
        (*stored)++;
    }
    return 0;
}

static const char sql_remove_file[] =
    "DELETE FROM application_files WHERE id = $1 AND application_id = $2 AND field = $3";

/* Removes file id (text of the "_entfernen" button) when it belongs to a file
 * field of step index of this draft. Returns 1 when removed, 0 when not, < 0. */
static int remove_file(apply_ctx_t *ctx, const formdef_state_t *s, size_t index, const char *id_text)
{
    char *end;
    long long id = strtoll(id_text, &end, 10);
    if (*end || id <= 0)
        return 0;
    for (size_t i = 0; i < s->field_count; i++) {
        if (s->fields[i].step != index || formdef_type(s->fields[i].field) != FT_FILE)
            continue;
        db_stmt_t *st;
        if (db_prepare(ctx->req->db, sql_remove_file, &st) != 0)
            return -1;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, ctx->app.id);
        db_bind_text(st, 3, s->fields[i].name, -1);
        int rc = db_step(st);
        int64_t changed = db_changes(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
        if (changed)
            return 1;
    }
    return 0;
}

/* The session ended before this POST arrived: keep the step's values (null for a
 * field emptied on the page) for the login, then send the citizen there. */
static int keep_for_login(apply_ctx_t *ctx, int index)
{
    http_req_t *req = ctx->req;
    char today[11];
    formdef_today(today);
    formdef_state_t *shown = arena_alloc(req->arena, sizeof(*shown));
    formdef_state_init(shown, ctx->def, ctx->answers, today);
    json_t *sent = json_object();
    formdef_collect_step(shown, (size_t)index, &req->form, sent);
    json_t *values = json_object();
    for (size_t i = 0; i < shown->field_count; i++) {
        if (shown->fields[i].step != (size_t)index || !shown->fields[i].visible ||
            formdef_type(shown->fields[i].field) == FT_FILE)
            continue;
        json_t *v = json_object_get(sent, shown->fields[i].name);
        json_object_set(values, shown->fields[i].name, v ? v : json_null());
    }
    json_decref(sent);
    int rc = apply_pending_keep(req, ctx->app.id, (size_t)index, values);
    json_decref(values);
    if (rc != 0)
        return 503;
    apply_login_redirect(req, arena_printf(req->arena, "/antraege/%lld/schritt/%d", (long long)ctx->app.id, index + 1));
    return 0;
}

static const char sql_set_step[] = "UPDATE applications SET step = $2 WHERE id = $1 AND status = 'entwurf'";

/* Remembers the step to resume at (a failure costs only that convenience). */
static void set_resume_step(db_t *db, int64_t id, int step)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_set_step, &st) != 0)
        return;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, step);
    db_step(st);
    db_reset(st);
}

int apply_step_submit(http_req_t *req)
{
    apply_ctx_t ctx;
    int rc = apply_open(req, http_param(req, "id"), 1, APPLY_LOGIN_RETURN, &ctx);
    if (rc && rc != 401) {
        apply_ctx_free(&ctx);
        return rc;
    }
    int index = apply_step_index(http_param(req, "n"), ctx.def);
    if (index < 0) {
        apply_ctx_free(&ctx);
        return 404;
    }
    if (strcmp(ctx.app.status, "entwurf") != 0) {
        apply_ctx_free(&ctx);
        return not_a_draft(&ctx);
    }
    if (rc == 401) {
        rc = keep_for_login(&ctx, index);
        apply_ctx_free(&ctx);
        return rc;
    }

    char today[11];
    formdef_today(today);
    /* What the page showed (the stored answers), and the answers after this POST. */
    formdef_state_t *shown = arena_alloc(req->arena, sizeof(*shown));
    formdef_state_init(shown, ctx.def, ctx.answers, today);
    json_t *answers = json_deep_copy(ctx.answers);
    formdef_collect_step(shown, (size_t)index, &req->form, answers);
    formdef_state_t *now = arena_alloc(req->arena, sizeof(*now));
    formdef_state_init(now, ctx.def, answers, today);

    json_t *lists = NULL, *counts = NULL;
    json_t *upload_errors = json_object();
    const char *remove = http_form(req, "_entfernen");
    int removed = 0, stored = 0;
    int ok = db_begin_write(req->db) == 0 && apply_files(req->db, ctx.app.id, &lists, &counts) == 0;
    if (ok && remove)
        ok = (removed = remove_file(&ctx, now, (size_t)index, remove)) >= 0;
    if (ok && removed) {
        json_decref(lists);
        json_decref(counts);
        ok = apply_files(req->db, ctx.app.id, &lists, &counts) == 0;
    }
    if (ok)
        ok = store_uploads(&ctx, now, (size_t)index, counts, upload_errors, &stored) == 0;
    if (ok)
        ok = apply_save_answers(req->db, ctx.app.id, answers, index) == 0;
    if (ok && db_commit(req->db) != 0)
        ok = 0;
    if (!ok) {
        db_rollback(req->db);
        log_kv(LOG_ERROR, "draft step not saved", "error", db_errmsg(req->db), "request_id", req->request_id, NULL);
        /* Nothing was saved, but what was typed is still on the page. */
        json_t *model = apply_model(req, N_("Online-Antrag"));
        apply_alert(req, model, "danger",
                    N_("Ihre Eingaben konnten gerade nicht gespeichert werden. Sie stehen noch auf dieser Seite: bitte "
                       "versuchen Sie es gleich noch einmal."));
        json_t *empty = json_object();
        rc = render_step(&ctx, 503, now, (size_t)index, empty, lists, model);
        json_decref(empty);
        goto out;
    }
    if (stored || removed) {
        /* The list of files changed: read it again for the page. */
        json_decref(lists);
        json_decref(counts);
        if (apply_files(req->db, ctx.app.id, &lists, &counts) != 0) {
            rc = 503;
            goto out;
        }
    }

    const char *action = http_form(req, "_aktion");
    action = action ? action : "weiter";
    json_t *model = apply_model(req, N_("Online-Antrag"));
    if (json_object_size(upload_errors)) {
        /* A refused file is shown at once, whichever button was pressed. */
        apply_alert(req, model, "info", N_("Ihre anderen Eingaben auf dieser Seite sind gespeichert."));
        rc = render_step(&ctx, 422, now, (size_t)index, upload_errors, lists, model);
        goto out;
    }
    if (remove) {
        /* The "Entfernen" button of a file: back to the same page. */
        json_decref(model);
        rc = http_redirect(req, 303,
                           arena_printf(req->arena, "/antraege/%lld/schritt/%d%s", (long long)ctx.app.id, index + 1,
                                        removed ? "?entfernt=1" : ""));
        goto out;
    }
    if (!strcmp(action, "zurueck")) {
        int prev = formdef_next_step(now, index, -1);
        json_decref(model);
        if (prev >= 0)
            set_resume_step(req->db, ctx.app.id, prev);
        rc = http_redirect(req, 303,
                           arena_printf(req->arena, "/antraege/%lld/schritt/%d", (long long)ctx.app.id,
                                        (prev >= 0 ? prev : index) + 1));
        goto out;
    }
    if (!strcmp(action, "speichern")) {
        json_decref(model);
        rc = http_redirect(
            req, 303,
            ctx.anonymous
                ? arena_printf(req->arena, "/antraege/%lld/schritt/%d?gespeichert=1", (long long)ctx.app.id, index + 1)
                : arena_printf(req->arena, "/antraege?gespeichert=%lld", (long long)ctx.app.id));
        goto out;
    }
    if (!strcmp(action, "hochladen")) {
        json_decref(model);
        rc = http_redirect(req, 303,
                           arena_printf(req->arena, "/antraege/%lld/schritt/%d%s", (long long)ctx.app.id, index + 1,
                                        stored ? "?hochgeladen=1" : ""));
        goto out;
    }
    /* "Weiter": check the step as it is now. A question that appeared because of
     * an answer on this very page (without JavaScript nothing shows it sooner) is
     * not an error yet: the page comes back with a note instead. */
    json_t *errors = json_object();
    formdef_check_step(now, (size_t)index, counts, errors, req->arena);
    int appeared = 0;
    for (size_t i = 0; i < now->field_count; i++) {
        if (now->fields[i].step != (size_t)index || !now->fields[i].visible || shown->fields[i].visible)
            continue;
        appeared = 1;
        json_object_del(errors, now->fields[i].name);
    }
    if (json_object_size(errors) || appeared) {
        if (appeared)
            apply_alert(req, model, "info",
                        N_("Nach Ihrer Antwort brauchen wir noch weitere Angaben. Sie stehen jetzt auf dieser Seite."));
        rc = render_step(&ctx, json_object_size(errors) ? 422 : 200, now, (size_t)index, errors, lists, model);
        json_decref(errors);
        goto out;
    }
    json_decref(errors);
    json_decref(model);
    int next = formdef_next_step(now, index, +1);
    if (next >= 0)
        set_resume_step(req->db, ctx.app.id, next);
    rc = http_redirect(req, 303, next_address(&ctx, now, (size_t)index));
out:
    json_decref(upload_errors);
    json_decref(lists);
    json_decref(counts);
    json_decref(answers);
    apply_ctx_free(&ctx);
    return rc;
}
