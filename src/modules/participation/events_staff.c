/* events_staff.c — staff of a process create and edit its events (title,
 * description, start and end, place with address, the accessibility of the
 * place as checkboxes, capacity, registration deadline) and see who registered.
 *
 * Only staff holding PERM_PROCESSES for the process's unit (or everywhere) get
 * here; others get 404. The capacity can never drop below the places taken:
 * the update says so in its condition, so a registration arriving meanwhile
 * is not overbooked either. Every save is audited; the registration list is
 * personal data and audited when read.
 */
#include <inttypes.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/surveys_internal.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

static const char *tr(const http_req_t *req, const char *msgid)
{
    return surveys_tr(req, msgid);
}

typedef struct event_form {
    const char *title, *description, *status, *phase, *starts, *ends, *place, *address, *note, *capacity, *until;
    int features[4];
    const char *title_error, *description_error, *status_error, *phase_error, *starts_error, *ends_error, *place_error,
        *address_error, *note_error, *capacity_error, *until_error; /* msgids */
} event_form_t;

/* ---- the form page ------------------------------------------------------------------------- */

/* A field with its error in the summary; prefix for the error's id "feld-<name>". */
static json_t *field(http_req_t *req, json_t *errors, const char *name, const char *label, const char *value,
                     const char *error)
{
    if (error)
        surveys_add_error(errors, arena_printf(req->arena, "feld-%s", name), tr(req, error));
    return http_field(name, label, value, error ? tr(req, error) : NULL);
}

static int render_form(http_req_t *req, const survey_process_t *p, int64_t eid, const event_form_t *f, int status)
{
    json_t *m = json_object();
    json_t *errors = json_array();
    const char *base = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/veranstaltungen", p->id);
    json_object_set_new(m, "title",
                        json_string(tr(req, eid ? N_("Veranstaltung bearbeiten") : N_("Neue Veranstaltung"))));
    json_object_set_new(m, "process", surveys_process_json(p));
    json_object_set_new(m, "editing", json_boolean(eid != 0));
    json_object_set_new(m, "action",
                        eid ? json_sprintf("%s/%" PRId64 "/bearbeiten", base, eid) : json_sprintf("%s/neu", base));
    json_object_set_new(m, "back", eid ? json_sprintf("%s/%" PRId64, base, eid) : json_string(base));

    json_t *f_title = field(req, errors, "titel", tr(req, N_("Titel der Veranstaltung")), f->title, f->title_error);
    json_object_set_new(f_title, "maxlength", json_integer(SURVEY_TITLE_MAX));
    json_object_set_new(f_title, "required", json_true());
    json_object_set_new(m, "f_title", f_title);
    json_t *desc =
        field(req, errors, "beschreibung", tr(req, N_("Beschreibung")), f->description, f->description_error);
    json_object_set_new(
        desc, "hint",
        json_string(tr(req, N_("Was erwartet die Teilnehmenden? Höchstens 20.000 Zeichen. Markdown ist möglich."))));
    json_object_set_new(desc, "rows", json_integer(6));
    json_object_set_new(m, "f_description", desc);
    json_t *starts = field(req, errors, "beginn", tr(req, N_("Beginn")), f->starts, f->starts_error);
    json_object_set_new(starts, "required", json_true());
    json_object_set_new(starts, "hint", json_string(tr(req, N_("Datum und Uhrzeit, zum Beispiel 2026-03-01T18:30."))));
    json_object_set_new(m, "f_starts", starts);
    json_t *ends = field(req, errors, "ende", tr(req, N_("Ende")), f->ends, f->ends_error);
    json_object_set_new(ends, "required", json_true());
    json_object_set_new(m, "f_ends", ends);
    json_t *place = field(req, errors, "ort", tr(req, N_("Ort")), f->place, f->place_error);
    json_object_set_new(place, "hint", json_string(tr(req, N_("Gebäude und Raum, zum Beispiel Rathaus, Ratssaal."))));
    json_object_set_new(place, "maxlength", json_integer(EVENT_PLACE_MAX));
    json_object_set_new(place, "required", json_true());
    json_object_set_new(m, "f_place", place);
    json_t *address = field(req, errors, "adresse", tr(req, N_("Adresse")), f->address, f->address_error);
    json_object_set_new(address, "hint", json_string(tr(req, N_("Straße, Hausnummer, Postleitzahl und Ort."))));
    json_object_set_new(address, "maxlength", json_integer(EVENT_ADDRESS_MAX));
    json_object_set_new(address, "required", json_true());
    json_object_set_new(m, "f_address", address);
    json_t *features = json_array();
    for (int i = 0; i < 4; i++)
        json_array_append_new(features, json_pack("{s:s,s:s,s:s,s:b}", "id",
                                                  arena_printf(req->arena, "feld-%s", events_features[i].field), "name",
                                                  events_features[i].field, "label", tr(req, events_features[i].label),
                                                  "checked", f->features[i]));
    json_object_set_new(m, "features", features);
    json_t *note =
        field(req, errors, "hinweise", tr(req, N_("Weitere Hinweise zur Barrierefreiheit")), f->note, f->note_error);
    json_object_set_new(
        note, "hint",
        json_string(
            tr(req, N_("Zum Beispiel: Eingang an der Rückseite, Aufzug bis 1,10 m Breite. Höchstens 1.000 Zeichen."))));
    json_object_set_new(note, "rows", json_integer(3));
    json_object_set_new(m, "f_note", note);
    json_t *capacity = field(req, errors, "plaetze", tr(req, N_("Plätze")), f->capacity, f->capacity_error);
    json_object_set_new(capacity, "hint",
                        json_string(tr(req, N_("Wie viele Personen können sich anmelden? 1 bis 10.000."))));
    json_object_set_new(capacity, "inputmode", json_string("numeric"));
    json_object_set_new(capacity, "required", json_true());
    json_object_set_new(m, "f_capacity", capacity);
    json_t *until = field(req, errors, "anmeldung_bis", tr(req, N_("Anmeldung möglich bis")), f->until, f->until_error);
    json_object_set_new(until, "hint", json_string(tr(req, N_("Leer lassen: bis zum Beginn."))));
    json_object_set_new(m, "f_until", until);
    int64_t phase_id = surveys_number(f->phase, 1, 999999999999LL);
    json_t *phases = surveys_phase_options(req, p->id, phase_id > 0 ? phase_id : 0);
    if (!phases) {
        json_decref(errors);
        json_decref(m);
        return 503;
    }
    json_t *phase = field(req, errors, "phase", tr(req, N_("Phase des Verfahrens")), f->phase, f->phase_error);
    json_object_set_new(
        phase, "hint",
        json_string(tr(
            req,
            N_("Anmeldungen sind nur möglich, solange eine Phase läuft, in der Veranstaltungen eingeschaltet sind."))));
    json_object_set_new(phase, "options", phases);
    json_object_set_new(m, "f_phase", phase);
    json_t *status_field = field(req, errors, "status", tr(req, N_("Sichtbarkeit")), f->status, f->status_error);
    json_t *options = json_array();
    for (size_t i = 0; i < 2; i++)
        json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", surveys_statuses[i].value, "label",
                                                 tr(req, surveys_statuses[i].label), "selected",
                                                 !strcmp(f->status, surveys_statuses[i].value)));
    json_object_set_new(status_field, "options", options);
    json_object_set_new(m, "f_status", status_field);
    if (json_array_size(errors))
        json_object_set_new(m, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "participation/surveys/staff_event", m);
}

/* ---- reading and checking ------------------------------------------------------------------------ */

static void read_form(http_req_t *req, event_form_t *f)
{
    memset(f, 0, sizeof *f);
    f->title = surveys_trim(req->arena, http_form(req, "titel"));
    f->description = surveys_trim(req->arena, http_form(req, "beschreibung"));
    f->status = surveys_trim(req->arena, http_form(req, "status"));
    f->phase = surveys_trim(req->arena, http_form(req, "phase"));
    f->starts = surveys_trim(req->arena, http_form(req, "beginn"));
    f->ends = surveys_trim(req->arena, http_form(req, "ende"));
    f->place = surveys_trim(req->arena, http_form(req, "ort"));
    f->address = surveys_trim(req->arena, http_form(req, "adresse"));
    f->note = surveys_trim(req->arena, http_form(req, "hinweise"));
    f->capacity = surveys_trim(req->arena, http_form(req, "plaetze"));
    f->until = surveys_trim(req->arena, http_form(req, "anmeldung_bis"));
    for (int i = 0; i < 4; i++)
        f->features[i] = http_form(req, events_features[i].field) != NULL;
}

/* A required one-line text of at most max characters: the error msgid or NULL. */
static const char *check_text(const char *s, size_t max, const char *missing, const char *too_long)
{
    size_t n = surveys_chars(s);
    if (n == 0)
        return missing;
    if (n > max)
        return too_long;
    for (const char *c = s; *c; c++)
        if (*c == '\r' || *c == '\n')
            return N_("Bitte schreiben Sie dies in eine Zeile.");
    return NULL;
}

/* Checks f into e; registered: places taken already (edit). Returns the number
 * of mistakes, or < 0 on a database error. */
static int check_form(http_req_t *req, const survey_process_t *p, event_form_t *f, event_t *e, int64_t registered)
{
    memset(e, 0, sizeof *e);
    f->title_error = check_text(f->title, SURVEY_TITLE_MAX, N_("Bitte geben Sie der Veranstaltung einen Titel."),
                                N_("Der Titel ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen."));
    if (surveys_chars(f->description) > SURVEY_TEXT_MAX)
        f->description_error = N_("Die Beschreibung ist zu lang. Bitte verwenden Sie höchstens 20.000 Zeichen.");
    f->place_error = check_text(f->place, EVENT_PLACE_MAX, N_("Bitte geben Sie den Ort an."),
                                N_("Der Ort ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen."));
    f->address_error = check_text(f->address, EVENT_ADDRESS_MAX, N_("Bitte geben Sie die Adresse an."),
                                  N_("Die Adresse ist zu lang. Bitte verwenden Sie höchstens 300 Zeichen."));
    if (surveys_chars(f->note) > EVENT_NOTE_MAX)
        f->note_error = N_("Die Hinweise sind zu lang. Bitte verwenden Sie höchstens 1.000 Zeichen.");
    if (surveys_choice_index(surveys_statuses, 2, f->status) < 0)
        f->status_error = N_("Bitte wählen Sie, ob die Veranstaltung ein Entwurf oder veröffentlicht ist.");
    if (!*f->starts)
        f->starts_error = N_("Bitte geben Sie an, wann die Veranstaltung beginnt.");
    else if (surveys_parse_datetime(f->starts, &e->starts_at) != 0)
        f->starts_error = N_("Bitte geben Sie Datum und Uhrzeit so ein: 2026-03-01T18:30.");
    if (!*f->ends)
        f->ends_error = N_("Bitte geben Sie an, wann die Veranstaltung endet.");
    else if (surveys_parse_datetime(f->ends, &e->ends_at) != 0)
        f->ends_error = N_("Bitte geben Sie Datum und Uhrzeit so ein: 2026-03-01T20:30.");
    else if (!f->starts_error && e->ends_at <= e->starts_at)
        f->ends_error = N_("Das Ende muss nach dem Beginn liegen.");
    e->capacity = surveys_number(f->capacity, 1, EVENT_CAPACITY_MAX);
    if (!*f->capacity)
        f->capacity_error = N_("Bitte geben Sie an, wie viele Plätze es gibt.");
    else if (e->capacity < 0)
        f->capacity_error = N_("Bitte geben Sie eine ganze Zahl von 1 bis 10.000 ein.");
    else if (e->capacity < registered)
        f->capacity_error = N_("Es sind schon mehr Personen angemeldet. Die Zahl der Plätze darf nicht kleiner sein "
                               "als die Zahl der Anmeldungen.");
    if (!*f->until)
        e->registration_until = e->starts_at;
    else if (surveys_parse_datetime(f->until, &e->registration_until) != 0)
        f->until_error = N_("Bitte geben Sie Datum und Uhrzeit so ein: 2026-02-28T12:00.");
    else if (!f->starts_error && e->registration_until > e->starts_at)
        f->until_error = N_("Die Anmeldung muss spätestens mit dem Beginn enden.");
    if (*f->phase) {
        e->phase_id = surveys_number(f->phase, 1, 999999999999LL);
        int64_t from, to;
        int found = e->phase_id > 0 ? surveys_phase_dates(req->db, p->id, e->phase_id, &from, &to) : 0;
        if (found < 0)
            return -1;
        if (!found) {
            f->phase_error = N_("Diese Phase gibt es in diesem Verfahren nicht. Bitte wählen Sie aus der Liste.");
            e->phase_id = 0;
        }
    }
    e->title = f->title;
    e->description = f->description;
    e->status = f->status;
    e->place = f->place;
    e->address = f->address;
    e->accessibility_note = f->note;
    memcpy(e->features, f->features, sizeof e->features);
    return !!f->title_error + !!f->description_error + !!f->place_error + !!f->address_error + !!f->note_error +
           !!f->status_error + !!f->starts_error + !!f->ends_error + !!f->capacity_error + !!f->until_error +
           !!f->phase_error;
}

/* Saves with its audit entry: 0, 2 (capacity below the places taken), 503. */
static int save(http_req_t *req, const survey_process_t *p, const event_t *e, int64_t *eid)
{
    int creating = *eid == 0;
    if (db_begin_write(req->db) != 0)
        return 503;
    int rc = events_store_save(req->db, p->id, e, req->user->id, surveys_now(), eid);
    if (rc == 0)
        rc = audit_log(
            req->db, surveys_actor(req), creating ? "participation.event.create" : "participation.event.update",
            arena_printf(req->arena, "event:%" PRId64, *eid),
            arena_printf(req->arena, "{\"process\":%" PRId64 ",\"capacity\":%" PRId64 "}", p->id, e->capacity),
            req->client_ip, req->request_id);
    if (rc == 0 && db_commit(req->db) == 0)
        return 0;
    db_rollback(req->db);
    return rc == 2 ? 2 : 503;
}

/* ---- handlers ---------------------------------------------------------------------------------------- */

/* GET /beteiligung/verfahren/:id/veranstaltungen/neu */
int events_staff_new(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 1, &p);
    if (rc != 0)
        return surveys_status(rc);
    event_form_t f = {.title = "",
                      .description = "",
                      .status = "entwurf",
                      .phase = "",
                      .starts = "",
                      .ends = "",
                      .place = "",
                      .address = "",
                      .note = "",
                      .capacity = "",
                      .until = ""};
    return render_form(req, &p, 0, &f, 200);
}

/* POST /beteiligung/verfahren/:id/veranstaltungen/neu */
int events_staff_create(http_req_t *req)
{
    survey_process_t p;
    int rc = surveys_process_of_request(req, 1, &p);
    if (rc != 0)
        return surveys_status(rc);
    event_form_t f;
    event_t e;
    read_form(req, &f);
    int bad = check_form(req, &p, &f, &e, 0);
    if (bad < 0)
        return 503;
    if (bad)
        return render_form(req, &p, 0, &f, 422);
    int64_t eid = 0;
    if (save(req, &p, &e, &eid) != 0)
        return 503;
    return http_redirect(req, 303,
                         arena_printf(req->arena,
                                      "/beteiligung/verfahren/%" PRId64 "/veranstaltungen/%" PRId64 "?hinweis=angelegt",
                                      p.id, eid));
}

static int staff_event(http_req_t *req, survey_process_t *p, event_t *e)
{
    int rc = surveys_process_of_request(req, 1, p);
    if (rc == 0)
        rc = events_of_request(req, p, e);
    return rc;
}

/* GET /beteiligung/verfahren/:id/veranstaltungen/:eid/bearbeiten */
int events_staff_edit(http_req_t *req)
{
    survey_process_t p;
    event_t e;
    int rc = staff_event(req, &p, &e);
    if (rc != 0)
        return surveys_status(rc);
    event_form_t f = {
        .title = e.title,
        .description = e.description,
        .status = e.status,
        .phase = e.phase_id ? arena_printf(req->arena, "%" PRId64, e.phase_id) : "",
        .starts = surveys_iso_datetime(req->arena, e.starts_at),
        .ends = surveys_iso_datetime(req->arena, e.ends_at),
        .place = e.place,
        .address = e.address,
        .note = e.accessibility_note,
        .capacity = arena_printf(req->arena, "%" PRId64, e.capacity),
        .until = surveys_iso_datetime(req->arena, e.registration_until),
    };
    memcpy(f.features, e.features, sizeof f.features);
    return render_form(req, &p, e.id, &f, 200);
}

/* POST /beteiligung/verfahren/:id/veranstaltungen/:eid/bearbeiten */
int events_staff_update(http_req_t *req)
{
    survey_process_t p;
    event_t old, e;
    int rc = staff_event(req, &p, &old);
    if (rc != 0)
        return surveys_status(rc);
    event_form_t f;
    read_form(req, &f);
    int bad = check_form(req, &p, &f, &e, old.registered_count);
    if (bad < 0)
        return 503;
    if (bad)
        return render_form(req, &p, old.id, &f, 422);
    int64_t eid = old.id;
    rc = save(req, &p, &e, &eid);
    if (rc == 2) {
        f.capacity_error = N_("Es sind schon mehr Personen angemeldet. Die Zahl der Plätze darf nicht kleiner sein als "
                              "die Zahl der Anmeldungen.");
        return render_form(req, &p, old.id, &f, 409);
    }
    if (rc != 0)
        return 503;
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/veranstaltungen/%" PRId64 "?hinweis=gespeichert",
                     p.id, old.id));
}

/* GET /beteiligung/verfahren/:id/veranstaltungen/:eid/anmeldungen */
int events_staff_registrations(http_req_t *req)
{
    survey_process_t p;
    event_t e;
    int rc = staff_event(req, &p, &e);
    if (rc != 0)
        return surveys_status(rc);
    event_registration_t *list;
    size_t n;
    if (events_registrations(req->db, req->arena, e.id, &list, &n) != 0)
        return 503;
    /* A list of names and addresses: who looked at it is recorded. */
    if (audit_log(req->db, surveys_actor(req), "participation.event.registrations.read",
                  arena_printf(req->arena, "event:%" PRId64, e.id), NULL, req->client_ip, req->request_id) != 0)
        return 503;
    json_t *active = json_array(), *cancelled = json_array();
    for (size_t i = 0; i < n; i++) {
        const event_registration_t *r = &list[i];
        int on = !strcmp(r->status, "angemeldet");
        json_array_append_new(on ? active : cancelled,
                              json_pack("{s:I,s:s,s:s,s:s,s:s}", "number",
                                        (json_int_t)(json_array_size(on ? active : cancelled) + 1), "name",
                                        *r->name ? r->name : tr(req, N_("(ohne Namen)")), "email",
                                        *r->email ? r->email : tr(req, N_("(Konto gelöscht)")), "registered_at",
                                        surveys_time_label(req->arena, r->created_at), "cancelled_at",
                                        on ? "" : surveys_time_label(req->arena, r->updated_at)));
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", tr(req, N_("Anmeldungen")), e.title));
    json_object_set_new(m, "event", events_json(req, &p, &e, surveys_now()));
    json_object_set_new(m, "process", surveys_process_json(&p));
    json_object_set_new(m, "active", active);
    json_object_set_new(m, "cancelled", cancelled);
    return http_render(req, 200, "participation/surveys/registrations", m);
}
