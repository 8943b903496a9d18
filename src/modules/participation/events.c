/* events.c — the events (Veranstaltungen) of a participation process as
 * residents use them: the list, an event's page (when, where, how accessible
 * the place is, places left), registration and cancellation with a
 * confirmation mail, the iCalendar file, and the JSON API.
 *
 * Registration needs an account with a confirmed e-mail address that passes
 * the moderation's gate (kind "event"), an event that is published, before its
 * registration deadline and start, with a place free, in a phase of the process
 * with events switched on. One registration per account; the capacity holds
 * under parallel requests (events_store.c says how). A cancelled registration
 * frees its place and may be taken up again.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/surveys_internal.h"
#include "platform/ical.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char *tr(const http_req_t *req, const char *msgid)
{
    return surveys_tr(req, msgid);
}

int events_of_request(http_req_t *req, const survey_process_t *p, event_t *out)
{
    int64_t eid = surveys_param_id(req, "eid");
    int rc = eid ? events_load(req->db, req->arena, p->id, eid, out) : 1;
    if (rc < 0)
        return 503;
    if (rc == 1 || (events_state(out, surveys_now()) == EVENT_DRAFT && !p->manage))
        return surveys_fail(req, 404, N_("Diese Veranstaltung gibt es nicht."));
    return 0;
}

/* "01.03.2026, 18:30 bis 20:30 Uhr", or with both days when it spans more than one. */
static const char *when_label(http_req_t *req, const event_t *e)
{
    const char *from = surveys_time_label(req->arena, e->starts_at);
    const char *same_day = surveys_day_label(req->arena, e->starts_at);
    if (!strcmp(same_day, surveys_day_label(req->arena, e->ends_at)))
        return arena_printf(req->arena, "%s %s %s %s", from, tr(req, N_("bis")),
                            surveys_clock_label(req->arena, e->ends_at), tr(req, N_("Uhr")));
    return arena_printf(req->arena, "%s %s %s %s", from, tr(req, N_("Uhr bis")),
                        surveys_time_label(req->arena, e->ends_at), tr(req, N_("Uhr")));
}

json_t *events_json(http_req_t *req, const survey_process_t *p, const event_t *e, int64_t now)
{
    event_state_t st = events_state(e, now);
    const char *url =
        arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/veranstaltungen/%" PRId64, p->id, e->id);
    int64_t left = e->capacity > e->registered_count ? e->capacity - e->registered_count : 0;
    json_t *o = json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:b,s:b}", "id", (json_int_t)e->id, "title", e->title,
        "url", url, "state", events_state_name(st), "state_label", tr(req, events_state_label(st)), "when",
        when_label(req, e), "day", surveys_day_label(req->arena, e->starts_at), "place", e->place, "address",
        e->address, "capacity", (json_int_t)e->capacity, "registered", (json_int_t)e->registered_count, "places_left",
        (json_int_t)left, "registration_until", surveys_time_label(req->arena, e->registration_until), "is_open",
        st == EVENT_OPEN, "is_full", st == EVENT_FULL);
    json_object_set_new(o, "ics_url", json_sprintf("%s/kalender.ics", url));
    json_t *features = json_array();
    for (int i = 0; i < 4; i++)
        if (e->features[i])
            json_array_append_new(features, json_pack("{s:s}", "label", tr(req, events_features[i].label)));
    json_object_set_new(o, "features", features);
    if (*e->accessibility_note)
        json_object_set_new(o, "accessibility_note", json_string(e->accessibility_note));
    return o;
}

/* ---- GET /beteiligung/verfahren/:id/veranstaltungen ---------------------------------------- */

int events_list_page(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc != 0)
        return surveys_status(rc);
    event_t *list;
    size_t n;
    if (events_list(req->db, req->arena, p.id, p.manage, &list, &n) != 0)
        return 503;
    int64_t now = surveys_now();
    json_t *coming = json_array(), *past = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(events_state(&list[i], now) == EVENT_PAST ? past : coming,
                              events_json(req, &p, &list[i], now));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", tr(req, N_("Veranstaltungen")), p.title));
    json_object_set_new(m, "process", surveys_process_json(&p));
    json_object_set_new(m, "coming", coming);
    json_object_set_new(m, "past", past);
    json_object_set_new(m, "none", json_boolean(n == 0));
    json_object_set_new(m, "may_manage", json_boolean(p.manage));
    return http_render(req, 200, "participation/surveys/events", m);
}

/* ---- GET /beteiligung/verfahren/:id/veranstaltungen/:eid ---------------------------------------- */

static const survey_choice_t event_notices[] = {
    {"angemeldet", N_("Sie sind angemeldet. Wir haben Ihnen eine Bestätigung per E-Mail geschickt.")},
    {"schon-angemeldet", N_("Sie sind für diese Veranstaltung schon angemeldet.")},
    {"abgemeldet", N_("Sie sind abgemeldet. Ihr Platz ist wieder frei.")},
    {"angelegt", N_("Die Veranstaltung ist angelegt.")},
    {"gespeichert", N_("Die Änderungen sind gespeichert.")},
};

int events_page(http_req_t *req)
{
    survey_process_t p;
    event_t e;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc == 0)
        rc = events_of_request(req, &p, &e);
    if (rc != 0)
        return surveys_status(rc);
    int64_t now = surveys_now();
    event_state_t st = events_state(&e, now);
    json_t *o = events_json(req, &p, &e, now);
    json_object_set_new(o, "description_html", json_string(surveys_markdown(req->arena, e.description)));
    const char *url = json_string_value(json_object_get(o, "url"));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(e.title));
    json_object_set_new(m, "event", o);
    json_object_set_new(m, "process", surveys_process_json(&p));
    json_object_set_new(m, "may_manage", json_boolean(p.manage));
    json_t *notice = surveys_notice(req, event_notices, sizeof event_notices / sizeof event_notices[0], "success");
    if (notice)
        json_object_set_new(m, "notice", notice);
    int registered = 0;
    if (req->user) {
        registered = events_registered(req->db, e.id, req->user->id);
        if (registered < 0)
            return 503;
    }
    int open = processes_component_open(req->db, p.id, "events", now);
    if (open < 0)
        return 503;
    if (registered) {
        json_object_set_new(m, "registered", json_true());
        if (now < e.starts_at)
            json_object_set_new(m, "cancel_action", json_sprintf("%s/abmelden", url));
    } else if (st == EVENT_OPEN && open == 1) {
        if (req->user)
            json_object_set_new(m, "register_action", json_sprintf("%s/anmelden", url));
        else
            json_object_set_new(m, "login_url", json_string(surveys_login_url(req, url)));
    } else if (st == EVENT_OPEN) {
        json_object_set_new(
            m, "closed",
            json_string(tr(req, N_("In der jetzigen Phase des Verfahrens sind keine Anmeldungen vorgesehen."))));
    }
    return http_render(req, 200, "participation/surveys/event", m);
}

/* ---- the calendar file --------------------------------------------------------------------------- */

/* The host of base_url, which makes the UID globally unique. */
static const char *host_of(http_req_t *req)
{
    const char *host = strstr(req->cfg->base_url, "://");
    host = host ? host + 3 : req->cfg->base_url;
    return arena_strndup(req->arena, host, strcspn(host, ":/"));
}

/* GET /beteiligung/verfahren/:id/veranstaltungen/:eid/kalender.ics */
int events_ics(http_req_t *req)
{
    survey_process_t p;
    event_t e;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc == 0)
        rc = events_of_request(req, &p, &e);
    if (rc != 0)
        return surveys_status(rc);
    const char *page = arena_printf(req->arena, "%s/beteiligung/verfahren/%" PRId64 "/veranstaltungen/%" PRId64,
                                    req->cfg->base_url, p.id, e.id);
    ical_event_t ev = {
        .uid = arena_printf(req->arena, "veranstaltung-%" PRId64 "@%s", e.id, host_of(req)),
        .start = e.starts_at,
        .end = e.ends_at,
        .summary = e.title,
        .location = arena_printf(req->arena, "%s, %s", e.place, e.address),
        .description = arena_printf(req->arena, "%s\n\n%s: %s\n%s", e.description, tr(req, N_("Beteiligungsverfahren")),
                                    p.title, page),
        .url = page,
        .sequence = e.sequence,
    };
    char *text = ical_event_text(&ev);
    if (!text)
        return http_error(req, 503, N_("Die Kalenderdatei kann gerade nicht erstellt werden."));
    char *copy = arena_strdup(req->arena, text);
    free(text);
    http_add_header(req, "content-disposition",
                    arena_printf(req->arena, "attachment; filename=\"veranstaltung-%" PRId64 ".ics\"", e.id));
    http_add_header(req, "cache-control", "no-cache");
    return http_send(req, 200, "text/calendar; charset=utf-8", copy, strlen(copy));
}

/* ---- registration --------------------------------------------------------------------------------- */

/* s on one line: a title with line breaks must not break the mail's subject. */
static const char *one_line(arena_t *a, const char *s)
{
    char *c = arena_strdup(a, s);
    for (char *x = c; *x; x++)
        if (*x == '\r' || *x == '\n' || *x == '\t')
            *x = ' ';
    return c;
}

/* Queues the confirmation of a registration (registered 1) or a cancellation,
 * inside the caller's transaction: 0 or < 0. */
static int queue_mail(http_req_t *req, const survey_process_t *p, const event_t *e, int registered)
{
    const char *page = arena_printf(req->arena, "%s/beteiligung/verfahren/%" PRId64 "/veranstaltungen/%" PRId64,
                                    req->cfg->base_url, p->id, e->id);
    buf_t b;
    buf_init(&b, req->arena, 2048, MAIL_BODY_MAX);
    buf_appendf(&b, "%s\n\n%s\n\n", tr(req, N_("Guten Tag,")),
                tr(req, registered ? N_("Sie haben sich zu dieser Veranstaltung angemeldet:")
                                   : N_("Sie haben sich von dieser Veranstaltung abgemeldet:")));
    buf_appendf(&b, "%s\n%s: %s\n%s: %s, %s\n", e->title, tr(req, N_("Wann")), when_label(req, e), tr(req, N_("Wo")),
                e->place, e->address);
    if (registered) {
        int any = 0;
        for (int i = 0; i < 4; i++)
            if (e->features[i])
                buf_appendf(&b, "%s %s\n",
                            any++ ? "  -" : arena_printf(req->arena, "%s:\n  -", tr(req, N_("Barrierefreiheit"))),
                            tr(req, events_features[i].label));
        buf_appendf(
            &b, "\n%s „%s“.\n%s %s\n%s %s/kalender.ics\n\n%s\n",
            tr(req, N_("Die Veranstaltung gehört zum Beteiligungsverfahren")), p->title,
            tr(req, N_("Alles zur Veranstaltung und zum Abmelden:")), page, tr(req, N_("Für Ihren Kalender:")), page,
            tr(req,
               N_("Wenn Sie nicht kommen können, melden Sie sich bitte ab. Dann bekommt jemand anderes Ihren Platz.")));
    } else {
        buf_appendf(&b, "\n%s %s\n", tr(req, N_("Sie können sich wieder anmelden, solange Plätze frei sind:")), page);
    }
    buf_appendf(&b, "\n%s\n", tr(req, N_("Ihre Stadtverwaltung")));
    if (b.overflow)
        return -1;
    const char *subject =
        arena_printf(req->arena, "%s: %s", tr(req, registered ? N_("Anmeldung bestätigt") : N_("Abmeldung bestätigt")),
                     one_line(req->arena, e->title));
    return mail_queue(req->db, req->user->email, subject, buf_cstr(&b)) > 0 ? 0 : -1;
}

/* The process and event of a registration or cancellation: 0, or what to return. */
static int registration_target(http_req_t *req, survey_process_t *p, event_t *e)
{
    int rc = surveys_process_of_request(req, 0, p);
    if (rc == 0)
        rc = events_of_request(req, p, e);
    return rc;
}

static const char *event_url(http_req_t *req, const survey_process_t *p, const event_t *e, const char *notice)
{
    return arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/veranstaltungen/%" PRId64 "?hinweis=%s", p->id,
                        e->id, notice);
}

/* POST /beteiligung/verfahren/:id/veranstaltungen/:eid/anmelden */
int events_register(http_req_t *req)
{
    survey_process_t p;
    event_t e;
    int rc = registration_target(req, &p, &e);
    if (rc != 0)
        return surveys_status(rc);
    int64_t now = surveys_now();
    event_state_t st = events_state(&e, now);
    if (st != EVENT_OPEN && st != EVENT_FULL)
        return http_error(req, 409, N_("Für diese Veranstaltung ist keine Anmeldung mehr möglich."));
    int open = processes_component_open(req->db, p.id, "events", now);
    if (open < 0)
        return 503;
    if (open == 0)
        return http_error(req, 409, N_("In der jetzigen Phase des Verfahrens sind keine Anmeldungen vorgesehen."));
    const char *message = NULL;
    int gate = participation_may_contribute(req, "event", &message);
    if (gate < 0)
        return 503;
    if (gate != CONTRIBUTE_OK)
        return http_error(req, gate == CONTRIBUTE_RATE ? 429 : 403,
                          message ? message : N_("Sie können sich im Moment nicht anmelden."));
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = events_store_register(req->db, e.id, req->user->id, now);
    if (rc == 0 && queue_mail(req, &p, &e, 1) != 0)
        rc = -1;
    if (rc != 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        if (rc == 1)
            return http_redirect(req, 303, event_url(req, &p, &e, "schon-angemeldet"));
        if (rc == 2)
            return http_error(req, 409, N_("Leider sind alle Plätze vergeben. Sie konnten nicht angemeldet werden."));
        return 503;
    }
    return http_redirect(req, 303, event_url(req, &p, &e, "angemeldet"));
}

/* POST /beteiligung/verfahren/:id/veranstaltungen/:eid/abmelden */
int events_cancel(http_req_t *req)
{
    survey_process_t p;
    event_t e;
    int rc = registration_target(req, &p, &e);
    if (rc != 0)
        return surveys_status(rc);
    int64_t now = surveys_now();
    if (now >= e.starts_at)
        return http_error(req, 409, N_("Die Veranstaltung hat schon begonnen. Eine Abmeldung ist nicht mehr möglich."));
    if (db_begin_write(req->db) != 0)
        return 503;
    rc = events_store_cancel(req->db, e.id, req->user->id, now);
    if (rc == 0 && queue_mail(req, &p, &e, 0) != 0)
        rc = -1;
    if (rc != 0 || db_commit(req->db) != 0) {
        db_rollback(req->db);
        if (rc == 1)
            return http_error(req, 409, N_("Sie sind für diese Veranstaltung nicht angemeldet."));
        return 503;
    }
    return http_redirect(req, 303, event_url(req, &p, &e, "abgemeldet"));
}

/* ---- GET /api/v1/beteiligung/verfahren/:id/veranstaltungen ------------------------------------------ */

int events_api_list(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 0, &p);
    if (rc != 0)
        return surveys_status(rc);
    event_t *list;
    size_t n;
    if (events_list(req->db, req->arena, p.id, p.manage, &list, &n) != 0)
        return 503;
    int64_t now = surveys_now();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const event_t *e = &list[i];
        const char *url =
            arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/veranstaltungen/%" PRId64, p.id, e->id);
        json_t *access = json_object();
        for (int k = 0; k < 4; k++)
            json_object_set_new(access, events_features[k].column, json_boolean(e->features[k]));
        json_object_set_new(access, "note", json_string(e->accessibility_note));
        int64_t left = e->capacity > e->registered_count ? e->capacity - e->registered_count : 0;
        json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:o,s:I,s:I,s:I,s:I,s:s}",
                                               "id", (json_int_t)e->id, "title", e->title, "url", url, "ics_url",
                                               arena_printf(req->arena, "%s/kalender.ics", url), "state",
                                               events_state_name(events_state(e, now)), "starts_at",
                                               (json_int_t)e->starts_at, "ends_at", (json_int_t)e->ends_at, "start",
                                               surveys_iso_datetime(req->arena, e->starts_at), "place", e->place,
                                               "address", e->address, "accessibility", access, "capacity",
                                               (json_int_t)e->capacity, "registered", (json_int_t)e->registered_count,
                                               "places_left", (json_int_t)left, "registration_until",
                                               (json_int_t)e->registration_until, "description", e->description));
    }
    json_t *m = json_object();
    json_object_set_new(m, "process", surveys_process_json(&p));
    json_object_set_new(m, "events", items);
    return http_json(req, 200, m);
}
