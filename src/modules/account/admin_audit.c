/* admin_audit.c — /verwaltung/protokoll: reading the audit log, newest first.
 *
 * Read-only (the log is append-only, platform/audit.c is its one writer).
 * Filters: the beginning of the action ("admin.", "account.login"), the actor
 * (an e-mail address, or the stored text such as "user:42" or "cli"), and a date
 * range in local time. Pages of ADMIN_PAGE_SIZE entries, continued by id
 * ("nach"), so a page stays cheap however long the log grows. The log is not
 * divided by unit, so reading it needs the permission for the whole
 * administration.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/account/admin.h"
#include "modules/account/common.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char sql_page[] = "SELECT id, at, actor, action, object, detail, ip FROM audit_log "
                               "WHERE (id < $1 OR $1 = 0) AND action LIKE $2 ESCAPE '\\' AND (actor = $3 OR $3 = '') "
                               "AND (at >= $4 OR $4 = 0) AND (at < $5 OR $5 = 0) ORDER BY id DESC LIMIT $6";
static const char sql_email[] = "SELECT email FROM users WHERE id = $1";

/* Parses yyyy-mm-dd as the start of that day in local time: 0 and *out, or -1. */
static int parse_day(const char *s, int64_t *out)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 || y > 9999 || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || tm.tm_mday != d) /* 31 February rolls over: refuse */
        return -1;
    *out = (int64_t)t;
    return 0;
}

/* "user:42" shown with the account's address, when there is one. cache maps
 * the actor text to what was found, so each account is looked up once. */
static const char *who(http_req_t *req, json_t *cache, const char *ref)
{
    if (strncmp(ref, "user:", 5) != 0)
        return ref;
    json_t *hit = json_object_get(cache, ref);
    if (hit)
        return json_string_value(hit);
    const char *shown = ref;
    int64_t id = admin_parse_id(ref + 5);
    db_stmt_t *st;
    if (id > 0 && db_prepare(req->db, sql_email, &st) == 0) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW && db_column_text(st, 0)[0])
            shown = arena_printf(req->arena, "%s (%s)", db_column_text(st, 0), ref);
        db_reset(st);
    }
    json_object_set_new(cache, ref, json_string(shown));
    return shown;
}

/* GET /verwaltung/protokoll?aktion=…&akteur=…&von=…&bis=…&nach=ID */
int admin_audit_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    if (!admin_global(req, PERM_AUDIT))
        return 403;
    const char *action = admin_clean(req, http_query(req, "aktion"), ADMIN_SEARCH_MAX);
    const char *actor_in = admin_clean(req, http_query(req, "akteur"), ADMIN_SEARCH_MAX);
    const char *from_in = http_query(req, "von"), *to_in = http_query(req, "bis");
    int64_t before = admin_parse_id(http_query(req, "nach"));
    const char *e_actor = NULL, *e_from = NULL, *e_to = NULL;

    /* An e-mail address stands for the account's "user:ID". */
    const char *actor = actor_in;
    if (strchr(actor_in, '@')) {
        account_t a;
        int rc = account_by_email(req, actor_in, &a);
        if (rc < 0)
            return 503;
        if (rc == 0)
            actor = arena_printf(req->arena, "user:%lld", (long long)a.id);
        else
            e_actor = N_("Zu dieser Adresse gibt es kein Konto.");
    }
    int64_t from = 0, to = 0;
    if (from_in && *from_in && parse_day(from_in, &from) != 0)
        e_from = N_("Bitte geben Sie ein Datum an, zum Beispiel 2026-03-01.");
    if (to_in && *to_in) {
        if (parse_day(to_in, &to) != 0)
            e_to = N_("Bitte geben Sie ein Datum an, zum Beispiel 2026-03-31.");
        else
            to += 86400; /* up to the end of that day (a DST day is 1 h off at worst) */
    }
    if (!e_from && !e_to && from && to && to <= from)
        e_to = N_("Das Ende liegt vor dem Anfang.");

    json_t *rows = json_array();
    int64_t last = 0;
    int more = 0;
    if (!e_actor && !e_from && !e_to) {
        buf_t pat;
        buf_init(&pat, req->arena, 128, 512);
        for (const char *c = action; *c; c++) {
            if (*c == '%' || *c == '_' || *c == '\\')
                buf_putc(&pat, '\\');
            buf_putc(&pat, *c);
        }
        buf_putc(&pat, '%');
        db_stmt_t *st;
        if (db_prepare(req->db, sql_page, &st) != 0) {
            json_decref(rows);
            return 503;
        }
        db_bind_int64(st, 1, before);
        db_bind_text(st, 2, buf_cstr(&pat), -1);
        db_bind_text(st, 3, actor, -1);
        db_bind_int64(st, 4, from);
        db_bind_int64(st, 5, to);
        db_bind_int64(st, 6, ADMIN_PAGE_SIZE + 1);
        /* Rows first, names after: who() runs its own statement. */
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            if (json_array_size(rows) == ADMIN_PAGE_SIZE) {
                more = 1;
                break;
            }
            last = db_column_int64(st, 0);
            json_array_append_new(rows,
                                  json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)last, "at",
                                            admin_time(req, db_column_int64(st, 1)), "actor", db_column_text(st, 2),
                                            "action", db_column_text(st, 3), "object", db_column_text(st, 4), "detail",
                                            db_column_text(st, 5), "ip", db_column_text(st, 6)));
        }
        db_reset(st);
        if (rc < 0) {
            json_decref(rows);
            return 503;
        }
        json_t *cache = json_object();
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            const char *a = who(req, cache, json_string_value(json_object_get(row, "actor")));
            const char *o = who(req, cache, json_string_value(json_object_get(row, "object")));
            json_object_set_new(row, "actor", json_string(a));
            json_object_set_new(row, "object", json_string(o));
        }
        json_decref(cache);
    }

    page_t p = page_new(req, N_("Sicherheitsprotokoll"));
    page_field(&p, FIELD_TEXT, "aktion", N_("Aktion beginnt mit"), http_query(req, "aktion"),
               N_("Zum Beispiel: admin. oder account.login"), NULL);
    page_field(&p, FIELD_TEXT, "akteur", N_("Wer"), http_query(req, "akteur"),
               N_("Eine E-Mail-Adresse, oder zum Beispiel user:42 oder cli."), e_actor);
    page_field(&p, FIELD_DATE, "von", N_("Von (Datum)"), from_in, NULL, e_from);
    page_field(&p, FIELD_DATE, "bis", N_("Bis einschließlich (Datum)"), to_in, NULL, e_to);
    page_set(&p, "rows", rows);
    if (more) {
        buf_t next;
        buf_init(&next, req->arena, 256, 2048);
        buf_puts(&next, "/verwaltung/protokoll?");
        static const char *const keys[] = {"aktion", "akteur", "von", "bis"};
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            const char *v = http_query(req, keys[k]);
            if (v && *v) {
                buf_appendf(&next, "%s=", keys[k]);
                admin_url_arg(&next, v);
                buf_putc(&next, '&');
            }
        }
        buf_appendf(&next, "nach=%lld", (long long)last);
        page_set(&p, "next", json_string(buf_cstr(&next)));
    } else {
        page_set(&p, "next", json_null());
    }
    return page_render(&p, (e_actor || e_from || e_to) ? 422 : 200, "admin/audit");
}
