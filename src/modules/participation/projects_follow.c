/* projects_follow.c — following: residents follow an Ortsbezirk, a topic, an
 * entry of the Vorhabenliste, a participation process or an Anregung, and hear
 * by e-mail when something happens there.
 *
 *   GET  /beteiligung/folgen            what I follow; follow a district or topic
 *   POST /beteiligung/folgen            art, id, modus (einzeln | taeglich), zurueck
 *   POST /beteiligung/folgen/beenden    art, id, zurueck
 *
 * participation_notify_followers (internal.h) and projects_notify find the
 * followers of one or several targets. Each person is told once per news, even
 * when they follow the entry and its district: by a mail at once when one of
 * their follows says "einzeln", else by a line in the next daily digest. The
 * job "participation.digest" sends one mail per person with everything queued
 * for them; it marks what it sent in the same transaction that queues the mail,
 * so a run that is repeated sends nothing twice, and it schedules the next day's
 * run (participation_digest_runs lets one node do that once).
 *
 * Only confirmed, unblocked, undeleted accounts get mail. Follows and queued
 * news are part of "Meine Daten" (export) and go with the account (deletion).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/account/account.h"
#include "modules/participation/internal.h"
#include "modules/participation/projects.h"
#include "platform/jobs.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"
#include "web/form.h"

#define FOLLOWS_PER_USER_MAX 500 /* a person follows at most this many things */
#define DIGEST_ITEMS_MAX 100     /* news listed in one digest mail */
#define DIGEST_USERS_PER_RUN 1000
#define FOLLOWERS_MAX 200000 /* followers one news reaches */

/* The follow form's "art" words and the stored kinds. */
static const struct follow_kind {
    const char *art;   /* form value */
    const char *kind;  /* participation_follows.target_kind */
    const char *label; /* msgid */
    const char *url;   /* page of a target: this and its id (districts and topics: its slug) */
} follow_kinds[] = {
    {"bezirk", "district", N_("Ortsbezirk"), "/beteiligung/vorhaben?bezirk="},
    {"thema", "topic", N_("Thema"), "/beteiligung/vorhaben?thema="},
    {"vorhaben", "project", N_("Vorhaben"), "/beteiligung/vorhaben/"},
    {"verfahren", "process", N_("Beteiligungsverfahren"), "/beteiligung/verfahren/"},
    {"anregung", "request", N_("Anregung"), "/beteiligung/anregungen/"},
};
#define FOLLOW_KIND_COUNT (sizeof(follow_kinds) / sizeof(follow_kinds[0]))

static const project_choice_t follow_modes[] = {
    {"einzeln", N_("Bei jeder Neuigkeit eine E-Mail")},
    {"taeglich", N_("Einmal am Tag eine Zusammenfassung")},
};

static const struct follow_kind *kind_by_art(const char *art)
{
    for (size_t i = 0; art && i < FOLLOW_KIND_COUNT; i++)
        if (!strcmp(follow_kinds[i].art, art))
            return &follow_kinds[i];
    return NULL;
}

static const struct follow_kind *kind_by_name(const char *kind)
{
    for (size_t i = 0; kind && i < FOLLOW_KIND_COUNT; i++)
        if (!strcmp(follow_kinds[i].kind, kind))
            return &follow_kinds[i];
    return NULL;
}

static const char sql_followers[] =
    "SELECT f.user_id, f.mode, u.email FROM participation_follows f JOIN users u ON u.id = f.user_id"
    " WHERE f.target_kind = $1 AND f.target_id = $2 AND u.deleted_at IS NULL AND u.blocked_at IS NULL"
    " AND u.email_confirmed_at IS NOT NULL AND u.email <> ''";
static const char sql_digest_add[] =
    "INSERT INTO participation_digest_queue (user_id, subject, body, path, created_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_run_add[] = "INSERT INTO participation_digest_runs (day, run_at, created_at) VALUES ($1, $2, $3)"
                                  " ON CONFLICT (day) DO NOTHING RETURNING day";

/* ---- telling the followers ----------------------------------------------------------- */

typedef struct follower {
    int64_t user_id;
    int at_once; /* one of the follows says einzeln */
    const char *email;
} follower_t;

static int cmp_follower(const void *pa, const void *pb)
{
    const follower_t *a = pa, *b = pb;
    return (a->user_id > b->user_id) - (a->user_id < b->user_id);
}

/* Queues the run of the next digest unless it is queued already. */
static int schedule_digest(db_t *db, int64_t now)
{
    char day[16];
    int64_t run_at = projects_next_digest_time(now, day);
    db_stmt_t *st;
    if (db_prepare(db, sql_run_add, &st) != 0)
        return -1;
    db_bind_text(st, 1, day, -1);
    db_bind_int64(st, 2, run_at);
    db_bind_int64(st, 3, now);
    int rc = db_step(st);
    db_reset(st);
    if (rc == DB_DONE)
        return 0; /* another node, or an earlier news, did it */
    if (rc != DB_ROW)
        return -1;
    return jobs_enqueue(db, "participation.digest", "{}", run_at) > 0 ? 0 : -1;
}

/* The subject on one line: a CR or LF would end the header. */
static const char *one_line(arena_t *a, const char *s)
{
    char *out = arena_strdup(a, s);
    for (char *p = out; *p; p++)
        if (*p == '\r' || *p == '\n' || *p == '\t')
            *p = ' ';
    return out;
}

int projects_notify(db_t *db, const config_t *cfg, const follow_target_t *targets, size_t n, const char *subject,
                    const char *text, const char *path)
{
    arena_t arena;
    arena_init(&arena);
    int rc = -1;
    size_t count = 0, cap = 64;
    follower_t *list = arena_alloc(&arena, cap * sizeof(*list));
    for (size_t t = 0; t < n; t++) {
        db_stmt_t *st;
        if (db_prepare(db, sql_followers, &st) != 0)
            goto out;
        db_bind_text(st, 1, targets[t].kind, -1);
        db_bind_int64(st, 2, targets[t].id);
        int step;
        while ((step = db_step(st)) == DB_ROW && count < FOLLOWERS_MAX) {
            if (count == cap) {
                follower_t *more = arena_alloc(&arena, cap * 2 * sizeof(*more));
                memcpy(more, list, count * sizeof(*list));
                list = more;
                cap *= 2;
            }
            const char *mode = db_column_text(st, 1);
            const char *email = db_column_text(st, 2);
            list[count++] = (follower_t){db_column_int64(st, 0), mode && !strcmp(mode, "einzeln"),
                                         arena_strdup(&arena, email ? email : "")};
        }
        db_reset(st);
        if (step != DB_DONE && step != DB_ROW)
            goto out;
    }
    /* Once per person; a mail at once wins over the digest. */
    if (count > 1)
        qsort(list, count, sizeof(list[0]), cmp_follower);
    size_t m = 0;
    for (size_t i = 0; i < count; i++) {
        if (m > 0 && list[m - 1].user_id == list[i].user_id)
            list[m - 1].at_once |= list[i].at_once;
        else
            list[m++] = list[i];
    }
    const char *line = one_line(&arena, subject);
    const char *body = arena_printf(&arena,
                                    "Guten Tag,\n\n%s\n\nMehr dazu: %s%s\n\n-- \n"
                                    "Sie erhalten diese E-Mail, weil Sie auf der Beteiligungsplattform der Stadt %s "
                                    "einem Ortsbezirk, einem Thema, einem Vorhaben, einem Verfahren oder einer "
                                    "Anregung folgen. Was Sie verfolgen, sehen und ändern Sie hier: "
                                    "%s/beteiligung/folgen\n",
                                    text, cfg->base_url, path, cfg->city_name, cfg->base_url);
    int64_t now = (int64_t)time(NULL);
    int digest = 0;
    for (size_t i = 0; i < m; i++) {
        if (list[i].at_once) {
            /* An address the mailer refuses (-2) cannot be helped here; the others still go. */
            if (mail_queue(db, list[i].email, line, body) == -1)
                goto out;
            continue;
        }
        db_stmt_t *st;
        if (db_prepare(db, sql_digest_add, &st) != 0)
            goto out;
        db_bind_int64(st, 1, list[i].user_id);
        db_bind_text(st, 2, line, -1);
        db_bind_text(st, 3, text, -1);
        db_bind_text(st, 4, path, -1);
        db_bind_int64(st, 5, now);
        int step = db_step(st);
        db_reset(st);
        if (step != DB_DONE)
            goto out;
        digest = 1;
    }
    if (digest && schedule_digest(db, now) != 0)
        goto out;
    if (m > 0)
        jobs_wake();
    rc = 0;
out:
    arena_clear(&arena);
    return rc;
}

int participation_notify_followers(db_t *db, const config_t *cfg, const char *target_kind, int64_t target_id,
                                   const char *subject, const char *text, const char *path)
{
    if (!kind_by_name(target_kind) || !subject || !text || !path)
        return -1;
    follow_target_t t = {target_kind, target_id};
    return projects_notify(db, cfg, &t, 1, subject, text, path);
}

/* ---- the daily digest ------------------------------------------------------------------ */

static const char sql_digest_users[] =
    "SELECT DISTINCT user_id FROM participation_digest_queue WHERE sent_at IS NULL ORDER BY user_id LIMIT 1000";
static const char sql_digest_user[] =
    "SELECT email FROM users WHERE id = $1 AND deleted_at IS NULL AND blocked_at IS NULL"
    " AND email_confirmed_at IS NOT NULL AND email <> ''";
static const char sql_digest_range[] =
    "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM participation_digest_queue WHERE user_id = $1 AND sent_at IS NULL";
static const char sql_digest_items[] =
    "SELECT subject, body, path FROM participation_digest_queue WHERE user_id = $1 AND sent_at IS NULL"
    " AND id <= $2 ORDER BY id LIMIT 100";
static const char sql_digest_done[] =
    "UPDATE participation_digest_queue SET sent_at = $2 WHERE user_id = $1 AND sent_at IS NULL AND id <= $3";

/* One user's digest in one transaction: the mail and the marks go together. */
static int digest_user(db_t *db, const config_t *cfg, int64_t user_id, int64_t now)
{
    arena_t arena;
    arena_init(&arena);
    int rc = -1;
    db_stmt_t *st;
    if (db_begin_write(db) != 0)
        goto out;
    int64_t pending = 0, last = 0;
    if (db_prepare(db, sql_digest_range, &st) != 0)
        goto out;
    db_bind_int64(st, 1, user_id);
    if (db_step(st) == DB_ROW) {
        pending = db_column_int64(st, 0);
        last = db_column_int64(st, 1);
    }
    db_reset(st);
    if (pending == 0) { /* another runner was quicker */
        rc = db_commit(db);
        goto out;
    }
    const char *email = NULL;
    if (db_prepare(db, sql_digest_user, &st) != 0)
        goto out;
    db_bind_int64(st, 1, user_id);
    int step = db_step(st);
    if (step == DB_ROW)
        email = arena_strdup(&arena, db_column_text(st, 0));
    db_reset(st);
    if (step != DB_ROW && step != DB_DONE)
        goto out;
    if (email) {
        buf_t body;
        buf_init(&body, &arena, 4096, 900 * 1024);
        buf_appendf(&body,
                    "Guten Tag,\n\nhier ist Ihre tägliche Zusammenfassung aus der Bürgerbeteiligung der "
                    "Stadt %s.\n",
                    cfg->city_name);
        if (db_prepare(db, sql_digest_items, &st) != 0)
            goto out;
        db_bind_int64(st, 1, user_id);
        db_bind_int64(st, 2, last);
        int64_t shown = 0;
        while ((step = db_step(st)) == DB_ROW) {
            shown++;
            buf_appendf(&body, "\n%lld. %s\n\n%s\n\nMehr dazu: %s%s\n", (long long)shown, db_column_text(st, 0),
                        db_column_text(st, 1), cfg->base_url, db_column_text(st, 2));
        }
        db_reset(st);
        if (step != DB_DONE)
            goto out;
        if (pending > shown)
            buf_appendf(&body,
                        "\nDazu kommen %lld weitere Neuigkeiten. Alles Aktuelle finden Sie unter %s/beteiligung\n",
                        (long long)(pending - shown), cfg->base_url);
        buf_appendf(&body,
                    "\n-- \nSie erhalten diese Zusammenfassung, weil Sie einmal am Tag über das informiert "
                    "werden möchten, dem Sie folgen. Ändern können Sie das hier: %s/beteiligung/folgen\n",
                    cfg->base_url);
        if (body.overflow)
            goto out;
        const char *subject = pending == 1 ? "Ihre tägliche Zusammenfassung: eine Neuigkeit aus der Beteiligung"
                                           : arena_printf(&arena,
                                                          "Ihre tägliche Zusammenfassung: %lld Neuigkeiten aus der "
                                                          "Beteiligung",
                                                          (long long)pending);
        if (mail_queue(db, email, subject, buf_cstr(&body)) == -1)
            goto out;
    }
    /* Without a live address the news are dropped: nobody is left to read them. */
    if (db_prepare(db, sql_digest_done, &st) != 0)
        goto out;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, last);
    step = db_step(st);
    db_reset(st);
    if (step != DB_DONE)
        goto out;
    rc = db_commit(db);
out:
    if (rc != 0)
        db_rollback(db);
    arena_clear(&arena);
    return rc;
}

static int digest_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    int64_t now = jobs_now();
    int64_t users[DIGEST_USERS_PER_RUN];
    size_t n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_digest_users, &st) != 0) {
        snprintf(err, errlen, "digest: %s", db_errmsg(db));
        return JOBS_RETRY;
    }
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < DIGEST_USERS_PER_RUN)
        users[n++] = db_column_int64(st, 0);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW) {
        snprintf(err, errlen, "digest: %s", db_errmsg(db));
        return JOBS_RETRY;
    }
    for (size_t i = 0; i < n; i++) {
        if (digest_user(db, cfg, users[i], now) != 0) {
            snprintf(err, errlen, "digest of user %lld: %s", (long long)users[i], db_errmsg(db));
            return JOBS_RETRY; /* the users done so far stay done */
        }
    }
    /* More people than one run takes: the rest at once, in a run of its own. */
    if (n == DIGEST_USERS_PER_RUN && jobs_enqueue(db, "participation.digest", "{}", now) < 0) {
        snprintf(err, errlen, "digest: cannot queue the continuation");
        return JOBS_RETRY;
    }
    if (schedule_digest(db, now) != 0) {
        snprintf(err, errlen, "digest: cannot schedule the next day");
        return JOBS_RETRY;
    }
    return 0;
}

/* POST /_test/beteiligung/tagesmail — runs the digest now (test routes only). */
int projects_digest_now(http_req_t *req)
{
    int64_t id = jobs_enqueue(req->db, "participation.digest", "{}", 0);
    if (id < 0)
        return 500;
    jobs_wake();
    return http_json(req, 202, json_pack("{s:I}", "job", (json_int_t)id));
}

/* ---- "Meine Daten" ------------------------------------------------------------------------ */

static const char sql_export_follows[] =
    "SELECT target_kind, target_id, mode, created_at FROM participation_follows WHERE user_id = $1 ORDER BY id";
static const char sql_export_digest[] =
    "SELECT subject, path, created_at FROM participation_digest_queue WHERE user_id = $1 AND sent_at IS NULL"
    " ORDER BY id";
static const char sql_erase_follows[] = "DELETE FROM participation_follows WHERE user_id = $1";
static const char sql_erase_digest[] = "DELETE FROM participation_digest_queue WHERE user_id = $1";

static int export_data(db_t *db, int64_t user_id, json_t *out)
{
    json_t *follows = json_array(), *queued = json_array();
    json_object_set_new(out, "follows", follows);
    json_object_set_new(out, "digest_pending", queued);
    db_stmt_t *st;
    if (db_prepare(db, sql_export_follows, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(follows, json_pack("{s:s,s:I,s:s,s:I}", "target_kind", db_column_text(st, 0), "target_id",
                                                 (json_int_t)db_column_int64(st, 1), "mode", db_column_text(st, 2),
                                                 "created_at", (json_int_t)db_column_int64(st, 3)));
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_export_digest, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(queued,
                              json_pack("{s:s,s:s,s:I}", "subject", db_column_text(st, 0), "path",
                                        db_column_text(st, 1), "created_at", (json_int_t)db_column_int64(st, 2)));
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

static int erase_data(db_t *db, int64_t user_id, json_t *kept)
{
    static const char *const sqls[] = {sql_erase_follows, sql_erase_digest};
    for (size_t i = 0; i < 2; i++) {
        db_stmt_t *st;
        if (db_prepare(db, sqls[i], &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    return 0;
}

static const account_data_provider_t follow_provider = {
    .module = "participation_follows",
    .export_data = export_data,
    .erase_data = erase_data,
};

int projects_follow_register(void)
{
    if (jobs_register("participation.digest", digest_job) != 0)
        return -1;
    return account_register_data_provider(&follow_provider);
}

/* ---- the follow box on pages -------------------------------------------------------------- */

static const char sql_follow_mode[] =
    "SELECT mode FROM participation_follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3";

int projects_follow_mode(db_t *db, arena_t *a, int64_t user_id, const char *kind, int64_t id, const char **mode)
{
    *mode = NULL;
    db_stmt_t *st;
    if (db_prepare(db, sql_follow_mode, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    db_bind_text(st, 2, kind, -1);
    db_bind_int64(st, 3, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *mode = arena_strdup(a, db_column_text(st, 0));
    db_reset(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* The two modes as radio options, mode checked (einzeln when NULL). */
static json_t *mode_options(const http_req_t *req, const char *mode)
{
    json_t *opts = json_array();
    for (size_t i = 0; i < 2; i++)
        json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "value", follow_modes[i].value, "label",
                                              projects_tr(req, follow_modes[i].label), "selected",
                                              mode ? !strcmp(mode, follow_modes[i].value) : i == 0));
    return opts;
}

/* The path with the query string of this page (the way back after the POST). */
static const char *page_path(http_req_t *req)
{
    const char *raw = req->h2o->path.base;
    size_t n = req->h2o->path.len;
    const char *path = arena_strndup(req->arena, raw, n);
    return projects_local_path(path) ? path : req->path;
}

json_t *projects_follow_box(http_req_t *req, const char *kind, int64_t id, const char *name)
{
    const struct follow_kind *k = kind_by_name(kind);
    json_t *box = json_object();
    const char *back = page_path(req);
    json_object_set_new(box, "art", json_string(k ? k->art : ""));
    json_object_set_new(box, "id", json_integer(id));
    json_object_set_new(box, "name", json_string(name ? name : ""));
    json_object_set_new(box, "kind_label", json_string(projects_tr(req, k ? k->label : "")));
    json_object_set_new(box, "back", json_string(back));
    json_object_set_new(box, "box_id", json_sprintf("folgen-%s-%lld", k ? k->art : "x", (long long)id));
    /* Both flags always set: a missing key would be looked up in the page around the box. */
    json_object_set_new(box, "signed_in", json_boolean(req->user != NULL));
    json_object_set_new(box, "following", json_false());
    if (!req->user) {
        json_object_set_new(box, "login_url", json_string(auth_login_url(req, back)));
        return box;
    }
    const char *mode = NULL;
    if (projects_follow_mode(req->db, req->arena, req->user->id, kind, id, &mode) > 0) {
        json_object_set_new(box, "following", json_true());
        const char *label = projects_choice_label(follow_modes, 2, mode);
        json_object_set_new(box, "mode_label", json_string(projects_tr(req, label ? label : "")));
    }
    json_object_set_new(box, "modes", mode_options(req, mode));
    return box;
}

/* ---- the pages ------------------------------------------------------------------------------ */

static const char sql_target_district[] = "SELECT id FROM participation_districts WHERE id = $1";
static const char sql_target_topic[] = "SELECT id FROM participation_topics WHERE id = $1";
static const char sql_target_project[] = "SELECT id FROM projects WHERE id = $1";
/* Processes and Anregungen are followed only once they are public: a draft process
 * and an Anregung the office has not yet answered do not exist for the public. */
static const char sql_target_process[] =
    "SELECT id FROM participation_processes WHERE id = $1 AND status <> 'entwurf'";
static const char sql_target_request[] =
    "SELECT id FROM participation_requests WHERE id = $1 AND published_at IS NOT NULL";
static const char sql_follow_count[] = "SELECT COUNT(*) FROM participation_follows WHERE user_id = $1";
static const char sql_follow_add[] =
    "INSERT INTO participation_follows (user_id, target_kind, target_id, mode, created_at) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (user_id, target_kind, target_id) DO UPDATE SET mode = excluded.mode";
static const char sql_follow_remove[] =
    "DELETE FROM participation_follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3";
static const char sql_follows_of[] =
    "SELECT f.target_kind, f.target_id, f.mode, f.created_at, COALESCE(d.name, t.name, p.title, ''),"
    " COALESCE(d.slug, t.slug, '')"
    " FROM participation_follows f"
    " LEFT JOIN participation_districts d ON f.target_kind = 'district' AND d.id = f.target_id"
    " LEFT JOIN participation_topics t ON f.target_kind = 'topic' AND t.id = f.target_id"
    " LEFT JOIN projects p ON f.target_kind = 'project' AND p.id = f.target_id"
    " WHERE f.user_id = $1 ORDER BY f.created_at DESC, f.id DESC";

/* The target of a follow form: 0 with *kind and *id, HTTP_ANSWERED when it has
 * answered (refused), else the status to answer. */
static int read_target(http_req_t *req, const struct follow_kind **kind, int64_t *id)
{
    *kind = kind_by_art(http_form(req, "art"));
    long n = projects_number(http_form(req, "id"), -1, 1, 999999999);
    if (!*kind || n < 1) {
        http_error(req, 400,
                   N_("Wir wissen nicht, wem Sie folgen möchten. Bitte versuchen Sie es auf der Seite noch einmal."));
        return HTTP_ANSWERED;
    }
    *id = n;
    const char *sql = !strcmp((*kind)->kind, "district")  ? sql_target_district
                      : !strcmp((*kind)->kind, "topic")   ? sql_target_topic
                      : !strcmp((*kind)->kind, "project") ? sql_target_project
                      : !strcmp((*kind)->kind, "process") ? sql_target_process
                                                          : sql_target_request;
    int64_t found = 0;
    int rc = db_query_int64_arg(req->db, sql, *id, &found);
    if (rc < 0)
        return 503;
    if (rc == 1) {
        http_error(req, 404, N_("Das gibt es nicht (mehr). Sie können ihm deshalb nicht folgen."));
        return HTTP_ANSWERED;
    }
    return 0;
}

static const char *back_path(http_req_t *req)
{
    const char *back = http_form(req, "zurueck");
    return back && projects_local_path(back) ? back : "/beteiligung/folgen";
}

/* POST /beteiligung/folgen */
int projects_follow(http_req_t *req)
{
    const struct follow_kind *kind;
    int64_t id;
    int rc = read_target(req, &kind, &id);
    if (rc != 0)
        return rc == HTTP_ANSWERED ? 0 : rc;
    const char *mode = http_form(req, "modus");
    if (!mode || !*mode)
        mode = "einzeln";
    if (!projects_choice_label(follow_modes, 2, mode))
        return http_error(req, 400, N_("Bitte wählen Sie, wie oft Sie E-Mails bekommen möchten."));
    int64_t count = 0;
    if (db_query_int64_arg(req->db, sql_follow_count, req->user->id, &count) < 0)
        return 503;
    const char *current = NULL;
    int following = projects_follow_mode(req->db, req->arena, req->user->id, kind->kind, id, &current);
    if (following < 0)
        return 503;
    if (!following && count >= FOLLOWS_PER_USER_MAX)
        return http_error(
            req, 422, N_("Sie folgen schon 500 Dingen. Bitte beenden Sie erst einige davon unter „Was ich verfolge“."));
    db_stmt_t *st;
    if (db_prepare(req->db, sql_follow_add, &st) != 0)
        return 503;
    db_bind_int64(st, 1, req->user->id);
    db_bind_text(st, 2, kind->kind, -1);
    db_bind_int64(st, 3, id);
    db_bind_text(st, 4, mode, -1);
    db_bind_int64(st, 5, (int64_t)time(NULL));
    rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return 503;
    return http_redirect(req, 303, projects_with_notice(req->arena, back_path(req), "gefolgt"));
}

/* POST /beteiligung/folgen/beenden */
int projects_unfollow(http_req_t *req)
{
    const struct follow_kind *kind = kind_by_art(http_form(req, "art"));
    long id = projects_number(http_form(req, "id"), -1, 1, 999999999);
    if (!kind || id < 1)
        return http_error(req, 400,
                          N_("Wir wissen nicht, wem Sie nicht mehr folgen möchten. Bitte versuchen Sie es auf der Seite noch einmal."));
    db_stmt_t *st;
    if (db_prepare(req->db, sql_follow_remove, &st) != 0)
        return 503;
    db_bind_int64(st, 1, req->user->id);
    db_bind_text(st, 2, kind->kind, -1);
    db_bind_int64(st, 3, id);
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return 503;
    return http_redirect(req, 303, projects_with_notice(req->arena, back_path(req), "entfolgt"));
}

/* A select of districts or topics for "folgen" on the follows page. */
static json_t *choice_field(http_req_t *req, const char *name, const char *label, json_t *options)
{
    json_t *f = http_field(name, projects_tr(req, label), "", NULL);
    json_object_set_new(f, "id", json_sprintf("feld-%s", name));
    json_object_set_new(f, "name", json_string("id"));
    json_object_set_new(f, "options", options);
    return f;
}

/* GET /beteiligung/folgen */
int projects_follows_page(http_req_t *req)
{
    project_district_t *districts;
    project_topic_t *topics;
    size_t nd, nt;
    if (projects_districts(req->db, req->arena, &districts, &nd) != 0 ||
        projects_topics(req->db, req->arena, &topics, &nt) != 0)
        return 503;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_follows_of, &st) != 0)
        return 503;
    db_bind_int64(st, 1, req->user->id);
    json_t *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const struct follow_kind *k = kind_by_name(db_column_text(st, 0));
        if (!k)
            continue;
        long long id = (long long)db_column_int64(st, 1);
        const char *mode = db_column_text(st, 2);
        const char *name = db_column_text(st, 4);
        const char *mode_label = projects_choice_label(follow_modes, 2, mode);
        json_t *row = json_object();
        json_object_set_new(row, "art", json_string(k->art));
        json_object_set_new(row, "id", json_integer(id));
        json_object_set_new(row, "kind_label", json_string(projects_tr(req, k->label)));
        /* Districts and topics are translated names; processes and Anregungen are named by number. */
        json_object_set_new(row, "name",
                            name && *name ? json_string(projects_tr(req, name))
                                          : json_sprintf("%s %lld", projects_tr(req, k->label), id));
        const char *slug = db_column_text(st, 5);
        if (slug && *slug)
            json_object_set_new(row, "url", json_sprintf("%s%s", k->url, slug));
        else
            json_object_set_new(row, "url", json_sprintf("%s%lld", k->url, id));
        json_object_set_new(row, "mode", json_string(mode ? mode : ""));
        json_object_set_new(row, "mode_label", json_string(projects_tr(req, mode_label ? mode_label : "")));
        json_object_set_new(row, "other_mode", json_string(mode && !strcmp(mode, "einzeln") ? "taeglich" : "einzeln"));
        json_object_set_new(row, "other_mode_label",
                            json_string(projects_tr(req, mode && !strcmp(mode, "einzeln")
                                                             ? N_("Stattdessen einmal am Tag zusammengefasst")
                                                             : N_("Stattdessen bei jeder Neuigkeit"))));
        json_object_set_new(row, "since", json_string(projects_day(req->arena, db_column_int64(st, 3))));
        json_array_append_new(rows, row);
    }
    db_reset(st);
    if (rc != DB_DONE) {
        json_decref(rows);
        return 503;
    }
    json_t *district_options = json_array(), *topic_options = json_array();
    for (size_t i = 0; i < nd; i++)
        json_array_append_new(district_options, json_pack("{s:I,s:s}", "value", (json_int_t)districts[i].id, "label",
                                                          projects_tr(req, districts[i].name)));
    for (size_t i = 0; i < nt; i++)
        json_array_append_new(topic_options, json_pack("{s:I,s:s}", "value", (json_int_t)topics[i].id, "label",
                                                       projects_tr(req, topics[i].name)));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(projects_tr(req, N_("Was ich verfolge"))));
    json_object_set_new(m, "follows", rows);
    json_object_set_new(m, "f_bezirk", choice_field(req, "bezirk", N_("Ortsbezirk"), district_options));
    json_object_set_new(m, "f_thema", choice_field(req, "thema", N_("Thema"), topic_options));
    json_object_set_new(m, "modes", mode_options(req, NULL));
    json_t *notice = projects_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, 200, "participation/projects/follows", m);
}
