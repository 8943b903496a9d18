/* processes_staff.c — running participation processes (PERM_PROCESSES):
 *
 *   GET       /verwaltung/beteiligung/verfahren                     the processes one may manage
 *   GET|POST  /verwaltung/beteiligung/verfahren/neu                 a new process
 *   GET|POST  /verwaltung/beteiligung/verfahren/:id                 edit it; its phases listed
 *   GET|POST  /verwaltung/beteiligung/verfahren/:id/ergebnisse      the results text
 *   GET|POST  /verwaltung/beteiligung/verfahren/:id/phasen/neu      a new phase
 *   GET|POST  /verwaltung/beteiligung/verfahren/:id/phasen/:phase   edit a phase
 *   POST      /verwaltung/beteiligung/verfahren/:id/phasen/:phase/loeschen
 *   GET|POST  /verwaltung/beteiligung/verfahren/:id/vorschlaege/:pid  status, reason, official answer
 *
 * The permission may be granted for a unit: a process belongs to its unit, and
 * staff of another unit get 404 for it, as for a process that does not exist.
 * Every change is audited; an answer to a proposal tells the followers of the
 * process by e-mail (participation_notify_followers), in the same transaction.
 * A new phase is announced to them when it begins (the job in processes_store.c),
 * not when it is saved: saving a phase long before it starts tells nobody yet.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/processes.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

#define UNITS_MAX 500
#define PROJECTS_MAX 2000

static const char *tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

static int may_manage(const http_req_t *req, const process_t *p)
{
    /* A process without a unit: only who holds the permission everywhere. */
    return auth_has_permission_in_unit(req, PERM_PROCESSES, p->unit_id);
}

/* The process of :id that the user manages: 0, or the status answered (404). */
static int managed_process(http_req_t *req, process_t *p)
{
    long id = processes_number(http_param(req, "id"), -1, 1, 999999999999L);
    int rc = id < 1 ? 1 : processes_load(req->db, req->arena, id, p);
    if (rc < 0)
        return 503;
    if (rc == 1 || !may_manage(req, p))
        return processes_fail(req, 404, N_("Dieses Beteiligungsverfahren gibt es nicht."));
    return 0;
}

static int audit(http_req_t *req, const char *action, const char *object, json_t *detail)
{
    char *text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    if (!text)
        return -1;
    int rc = audit_log(req->db, arena_printf(req->arena, "user:%" PRId64, req->user->id), action, object, text,
                       req->client_ip, req->request_id);
    free(text);
    return rc;
}

static const char *staff_url(http_req_t *req, int64_t id, const char *rest, const char *notice)
{
    return arena_printf(req->arena, "/verwaltung/beteiligung/verfahren/%" PRId64 "%s%s%s", id, rest,
                        notice ? "?hinweis=" : "", notice ? notice : "");
}

/* A form field with its error (msgid) added to the page's error summary. */
static json_t *field(http_req_t *req, json_t *errors, const char *name, const char *label, const char *value,
                     const char *hint, const char *error)
{
    json_t *f = http_field(name, tr(req, label), value, error ? tr(req, error) : NULL);
    if (hint)
        json_object_set_new(f, "hint", json_string(tr(req, hint)));
    if (error)
        processes_add_error(errors, json_string_value(json_object_get(f, "id")), tr(req, error));
    return f;
}

/* Checks a text's length: NULL or the msgid for it. */
static const char *length_error(const char *s, size_t min, size_t max, const char *empty, const char *too_long)
{
    size_t n = processes_chars(s);
    if (n < min)
        return empty;
    return n > max ? too_long : NULL;
}

/* ---- the list ----------------------------------------------------------------------------------- */

int processes_staff_list(http_req_t *req)
{
    process_t *list;
    size_t n;
    if (processes_list(req->db, req->arena, 1, &list, &n) != 0)
        return 503;
    int64_t now = processes_now();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!may_manage(req, &list[i]))
            continue;
        json_t *o = processes_process_json(req->arena, &list[i], req->lang, now);
        json_object_set_new(o, "edit_url", json_string(staff_url(req, list[i].id, "", NULL)));
        json_array_append_new(items, o);
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(tr(req, N_("Beteiligungsverfahren verwalten"))));
    json_object_set_new(m, "items", items);
    return http_render(req, 200, "participation/processes/staff_list", m);
}

/* ---- the process form --------------------------------------------------------------------------------- */

static const char sql_units[] = "SELECT id, name FROM units ORDER BY name, id";
static const char sql_projects[] = "SELECT id, title FROM projects ORDER BY title, id LIMIT 2000";
static const char sql_project_exists[] = "SELECT id FROM projects WHERE id = $1";
static const char sql_unit_exists[] = "SELECT id FROM units WHERE id = $1";

/* A select of id/name rows (the first option: none). */
static json_t *id_select(http_req_t *req, json_t *errors, const char *name, const char *label, const char *hint,
                         const char *sql, int64_t selected, int units_only_mine, const char *none, const char *error)
{
    json_t *f = field(req, errors, name, label, "", hint, error);
    json_t *options = json_array();
    json_array_append_new(options,
                          json_pack("{s:s,s:s,s:b}", "value", "", "label", tr(req, none), "selected", selected == 0));
    db_stmt_t *st;
    if (db_prepare(req->db, sql, &st) == 0) {
        size_t count = 0;
        while (db_step(st) == DB_ROW && count < PROJECTS_MAX) {
            int64_t id = db_column_int64(st, 0);
            if (units_only_mine && !auth_has_permission_in_unit(req, PERM_PROCESSES, id))
                continue;
            json_array_append_new(options, json_pack("{s:o,s:s,s:b}", "value", json_sprintf("%" PRId64, id), "label",
                                                     db_column_text(st, 1), "selected", id == selected));
            count++;
        }
        db_reset(st);
    }
    json_object_set_new(f, "options", options);
    return f;
}

typedef struct process_form {
    process_input_t in;
    const char *project_value, *unit_value;
    const char *e_title, *e_summary, *e_description, *e_project, *e_unit, *e_status;
} process_form_t;

/* An id from a select: 0 for none, -1 when it is not a number. */
static int64_t select_id(const char *v)
{
    if (!v || !*v)
        return 0;
    long n = processes_number(v, 0, 1, 999999999999L);
    return n < 1 ? -1 : n;
}

static int read_process_form(http_req_t *req, process_form_t *f)
{
    memset(f, 0, sizeof *f);
    f->in.title = processes_trim(req->arena, http_form(req, "titel"));
    f->in.summary = processes_trim(req->arena, http_form(req, "kurz"));
    f->in.description = processes_trim(req->arena, http_form(req, "beschreibung"));
    f->in.status = http_form(req, "status");
    f->project_value = http_form(req, "vorhaben");
    f->unit_value = http_form(req, "einheit");
    f->e_title = length_error(f->in.title, 1, PROCESS_TITLE_MAX, N_("Bitte geben Sie einen Titel ein."),
                              N_("Der Titel ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen."));
    f->e_summary = length_error(f->in.summary, 1, PROCESS_SUMMARY_MAX,
                                N_("Bitte fassen Sie das Verfahren in ein bis zwei Sätzen zusammen."),
                                N_("Die Kurzbeschreibung ist zu lang. Bitte verwenden Sie höchstens 500 Zeichen."));
    f->e_description = length_error(f->in.description, 0, PROCESS_TEXT_MAX, NULL,
                                    N_("Die Beschreibung ist zu lang. Bitte verwenden Sie höchstens 20.000 Zeichen."));
    if (processes_choice_index(processes_statuses, processes_status_count, f->in.status) < 0) {
        f->in.status = "entwurf";
        f->e_status = N_("Bitte wählen Sie, ob das Verfahren veröffentlicht ist.");
    }
    f->in.project_id = select_id(f->project_value);
    f->in.unit_id = select_id(f->unit_value);
    int64_t found;
    if (f->in.project_id < 0)
        f->e_project = N_("Dieses Vorhaben gibt es nicht. Bitte wählen Sie aus der Liste.");
    else if (f->in.project_id > 0) {
        int rc = db_query_int64_arg(req->db, sql_project_exists, f->in.project_id, &found);
        if (rc < 0)
            return -1;
        if (rc == 1)
            f->e_project = N_("Dieses Vorhaben gibt es nicht. Bitte wählen Sie aus der Liste.");
    }
    if (f->in.unit_id < 0)
        f->e_unit = N_("Diese Organisationseinheit gibt es nicht. Bitte wählen Sie aus der Liste.");
    else if (f->in.unit_id > 0) {
        int rc = db_query_int64_arg(req->db, sql_unit_exists, f->in.unit_id, &found);
        if (rc < 0)
            return -1;
        if (rc == 1)
            f->e_unit = N_("Diese Organisationseinheit gibt es nicht. Bitte wählen Sie aus der Liste.");
        else if (!auth_has_permission_in_unit(req, PERM_PROCESSES, f->in.unit_id))
            f->e_unit =
                N_("Für diese Organisationseinheit dürfen Sie keine Verfahren anlegen. Bitte wählen Sie Ihre eigene.");
    } else if (!auth_has_permission_in_unit(req, PERM_PROCESSES, 0)) {
        /* Only who may manage every process may leave it without a unit. */
        f->e_unit = N_("Bitte wählen Sie die zuständige Organisationseinheit.");
    }
    return 0;
}

static int has_errors(const process_form_t *f)
{
    return f->e_title || f->e_summary || f->e_description || f->e_project || f->e_unit || f->e_status;
}

/* The process form page: new (p NULL) or editing p (with its phases and links). */
static int render_process_form(http_req_t *req, const process_t *p, const process_form_t *f, int status)
{
    json_t *errors = json_array();
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(p ? p->title : tr(req, N_("Neues Beteiligungsverfahren"))));
    json_object_set_new(m, "editing", json_boolean(p != NULL));
    json_object_set_new(m, "action",
                        p ? json_string(staff_url(req, p->id, "", NULL))
                          : json_string("/verwaltung/beteiligung/verfahren/neu"));
    json_t *t = field(req, errors, "titel", N_("Titel"), f->in.title, N_("Höchstens 200 Zeichen."), f->e_title);
    json_object_set_new(t, "maxlength", json_integer(PROCESS_TITLE_MAX));
    json_t *s = field(req, errors, "kurz", N_("Kurzbeschreibung"), f->in.summary,
                      N_("Ein bis zwei Sätze für Listen und E-Mails, höchstens 500 Zeichen."), f->e_summary);
    json_object_set_new(s, "rows", json_integer(3));
    json_t *d = field(req, errors, "beschreibung", N_("Beschreibung"), f->in.description,
                      N_("Worum geht es, was ist offen, was passiert mit den Beiträgen? Markdown ist möglich."),
                      f->e_description);
    json_object_set_new(d, "rows", json_integer(12));
    json_t *project = id_select(req, errors, "vorhaben", N_("Vorhaben"),
                                N_("Gehört das Verfahren zu einem Vorhaben der Vorhabenliste?"), sql_projects,
                                f->in.project_id, 0, N_("Kein Vorhaben (eigenständiges Verfahren)"), f->e_project);
    json_t *unit = id_select(req, errors, "einheit", N_("Zuständige Organisationseinheit"), NULL, sql_units,
                             f->in.unit_id, 1, N_("Keine"), f->e_unit);
    json_t *st = field(req, errors, "status", N_("Sichtbarkeit"), "", NULL, f->e_status);
    json_t *options = json_array();
    for (size_t i = 0; i < processes_status_count; i++)
        json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", processes_statuses[i].value, "label",
                                                 tr(req, processes_statuses[i].label), "selected",
                                                 !strcmp(f->in.status, processes_statuses[i].value)));
    json_object_set_new(st, "options", options);
    json_object_set_new(m, "f_title", t);
    json_object_set_new(m, "f_summary", s);
    json_object_set_new(m, "f_description", d);
    json_object_set_new(m, "f_project", project);
    json_object_set_new(m, "f_unit", unit);
    json_object_set_new(m, "f_status", st);
    if (p) {
        json_t *o = processes_process_json(req->arena, p, req->lang, processes_now());
        json_t *phases = json_object_get(o, "phases");
        for (size_t i = 0; i < json_array_size(phases); i++) {
            json_t *ph = json_array_get(phases, i);
            json_object_set_new(
                ph, "edit_url",
                json_string(staff_url(req, p->id,
                                      arena_printf(req->arena, "/phasen/%" PRId64,
                                                   (int64_t)json_integer_value(json_object_get(ph, "id"))),
                                      NULL)));
        }
        json_object_set_new(m, "process", o);
        json_object_set_new(m, "phase_new_url", json_string(staff_url(req, p->id, "/phasen/neu", NULL)));
        json_object_set_new(m, "results_url", json_string(staff_url(req, p->id, "/ergebnisse", NULL)));
        json_object_set_new(m, "phases_full", json_boolean(p->phase_count >= PHASES_MAX));
    }
    if (json_array_size(errors))
        json_object_set_new(m, "errors", errors);
    else
        json_decref(errors);
    json_t *notice = processes_notice(req);
    if (notice)
        json_object_set_new(m, "notice", notice);
    return http_render(req, status, "participation/processes/staff_process", m);
}

int processes_staff_new(http_req_t *req)
{
    process_form_t f = {.in = {.title = "", .summary = "", .description = "", .status = "entwurf"}};
    /* Staff of one unit: their unit is the likely one. */
    if (req->user->unit_count == 1)
        f.in.unit_id = req->user->unit_ids[0];
    return render_process_form(req, NULL, &f, 200);
}

static json_t *process_detail(const process_input_t *in)
{
    return json_pack("{s:s,s:s,s:I,s:I}", "title", in->title, "status", in->status, "project_id",
                     (json_int_t)in->project_id, "unit_id", (json_int_t)in->unit_id);
}

int processes_staff_create(http_req_t *req)
{
    process_form_t f;
    if (read_process_form(req, &f) != 0)
        return 503;
    if (has_errors(&f))
        return render_process_form(req, NULL, &f, 422);
    int64_t id = 0;
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_store_create(req->db, &f.in, req->user->id, processes_now(), &id) != 0 ||
        audit(req, "participation.process.create", arena_printf(req->arena, "process:%" PRId64, id),
              process_detail(&f.in)) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, staff_url(req, id, "", "angelegt"));
}

int processes_staff_edit(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    process_form_t f = {.in = {.title = p.title,
                               .summary = p.summary,
                               .description = p.description,
                               .status = p.status,
                               .project_id = p.project_id,
                               .unit_id = p.unit_id}};
    return render_process_form(req, &p, &f, 200);
}

int processes_staff_update(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    process_form_t f;
    if (read_process_form(req, &f) != 0)
        return 503;
    if (has_errors(&f))
        return render_process_form(req, &p, &f, 422);
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_store_update(req->db, p.id, &f.in, req->user->id, processes_now()) != 0 ||
        audit(req, "participation.process.update", arena_printf(req->arena, "process:%" PRId64, p.id),
              process_detail(&f.in)) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, staff_url(req, p.id, "", "gespeichert"));
}

/* ---- the results text ---------------------------------------------------------------------------------- */

static int render_results_form(http_req_t *req, const process_t *p, const char *text, const char *error, int status)
{
    json_t *errors = json_array();
    json_t *m = json_object();
    json_object_set_new(m, "title", json_sprintf("%s: %s", tr(req, N_("Ergebnisse")), p->title));
    json_object_set_new(m, "process", processes_process_json(req->arena, p, req->lang, processes_now()));
    json_object_set_new(m, "action", json_string(staff_url(req, p->id, "/ergebnisse", NULL)));
    json_object_set_new(m, "back", json_string(staff_url(req, p->id, "", NULL)));
    json_t *f = field(
        req, errors, "ergebnisse", N_("Was wurde entschieden, und warum?"), text,
        N_("Erscheint auf der Ergebnisseite des Verfahrens. Markdown ist möglich, höchstens 20.000 Zeichen."), error);
    json_object_set_new(f, "rows", json_integer(16));
    json_object_set_new(m, "f_results", f);
    if (json_array_size(errors))
        json_object_set_new(m, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "participation/processes/staff_results", m);
}

int processes_staff_results(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    return render_results_form(req, &p, p.results_text, NULL, 200);
}

int processes_staff_results_save(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    const char *text = processes_trim(req->arena, http_form(req, "ergebnisse"));
    const char *error = length_error(text, 0, PROCESS_TEXT_MAX, NULL,
                                     N_("Der Text ist zu lang. Bitte verwenden Sie höchstens 20.000 Zeichen."));
    if (error)
        return render_results_form(req, &p, text, error, 422);
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_store_results(req->db, p.id, text, req->user->id, processes_now()) != 0 ||
        audit(req, "participation.process.results", arena_printf(req->arena, "process:%" PRId64, p.id),
              json_pack("{s:I}", "length", (json_int_t)processes_chars(text))) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, staff_url(req, p.id, "", "gespeichert"));
}

/* ---- phases ---------------------------------------------------------------------------------------------------- */

typedef struct phase_form {
    process_phase_t phase;
    const char *starts_value, *ends_value;
    const char *e_kind, *e_title, *e_description, *e_starts, *e_ends;
} phase_form_t;

/* The phase of :phase in p, or NULL. */
static process_phase_t *phase_of(http_req_t *req, process_t *p)
{
    long id = processes_number(http_param(req, "phase"), -1, 1, 999999999999L);
    for (size_t i = 0; id > 0 && i < p->phase_count; i++)
        if (p->phases[i].id == id)
            return &p->phases[i];
    return NULL;
}

static void read_phase_form(http_req_t *req, const process_t *p, int64_t id, phase_form_t *f)
{
    memset(f, 0, sizeof *f);
    f->phase.id = id;
    f->phase.kind = http_form(req, "art");
    f->phase.title = processes_trim(req->arena, http_form(req, "titel"));
    f->phase.description = processes_trim(req->arena, http_form(req, "beschreibung"));
    f->starts_value = processes_trim(req->arena, http_form(req, "beginn"));
    f->ends_value = processes_trim(req->arena, http_form(req, "ende"));
    if (processes_choice_index(processes_phase_kinds, processes_phase_kind_count, f->phase.kind) < 0) {
        f->phase.kind = "";
        f->e_kind = N_("Bitte wählen Sie die Art der Phase.");
    }
    f->e_title = length_error(f->phase.title, 1, PHASE_TITLE_MAX, N_("Bitte geben Sie der Phase einen Titel."),
                              N_("Der Titel ist zu lang. Bitte verwenden Sie höchstens 200 Zeichen."));
    f->e_description = length_error(f->phase.description, 0, PROCESS_TEXT_MAX, NULL,
                                    N_("Die Beschreibung ist zu lang. Bitte verwenden Sie höchstens 20.000 Zeichen."));
    if (!*f->starts_value)
        f->e_starts = N_("Bitte geben Sie an, wann die Phase beginnt.");
    else if (processes_parse_day(f->starts_value, &f->phase.starts_at) != 0)
        f->e_starts = N_("Bitte geben Sie ein gültiges Datum ein, zum Beispiel 2026-03-01.");
    if (!*f->ends_value)
        f->e_ends = N_("Bitte geben Sie an, wann die Phase endet.");
    else if (processes_parse_day_end(f->ends_value, &f->phase.ends_at) != 0)
        f->e_ends = N_("Bitte geben Sie ein gültiges Datum ein, zum Beispiel 2026-03-31.");
    for (size_t c = 0; c < processes_component_count; c++) {
        const char *v = http_form(req, arena_printf(req->arena, "komponente_%s", processes_components[c].value));
        f->phase.components[c] = v && !strcmp(v, "1");
    }
    if (f->e_starts || f->e_ends)
        return;
    if (f->phase.ends_at <= f->phase.starts_at) {
        f->e_ends = N_("Das Ende der Phase darf nicht vor ihrem Beginn liegen.");
        return;
    }
    /* Does it fit between the other phases? */
    process_phase_t all[PHASES_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < p->phase_count; i++)
        if (p->phases[i].id != id)
            all[n++] = p->phases[i];
    all[n++] = f->phase;
    processes_phases_sort(all, n);
    size_t bad;
    const char *why = processes_phases_check(all, n, &bad);
    if (why)
        f->e_starts = why;
}

static int phase_form_errors(const phase_form_t *f)
{
    return f->e_kind || f->e_title || f->e_description || f->e_starts || f->e_ends;
}

static int render_phase_form(http_req_t *req, const process_t *p, const phase_form_t *f, int status)
{
    json_t *errors = json_array();
    json_t *m = json_object();
    int editing = f->phase.id != 0;
    json_object_set_new(m, "title", json_string(tr(req, editing ? N_("Phase bearbeiten") : N_("Neue Phase"))));
    json_object_set_new(m, "process_title", json_string(p->title));
    json_object_set_new(m, "back", json_string(staff_url(req, p->id, "", NULL)));
    json_object_set_new(m, "editing", json_boolean(editing));
    json_object_set_new(
        m, "action",
        json_string(editing ? staff_url(req, p->id, arena_printf(req->arena, "/phasen/%" PRId64, f->phase.id), NULL)
                            : staff_url(req, p->id, "/phasen/neu", NULL)));
    if (editing)
        json_object_set_new(
            m, "delete_action",
            json_string(
                staff_url(req, p->id, arena_printf(req->arena, "/phasen/%" PRId64 "/loeschen", f->phase.id), NULL)));
    json_t *kind = field(req, errors, "art", N_("Art der Phase"), "", NULL, f->e_kind);
    json_t *kinds = json_array();
    for (size_t i = 0; i < processes_phase_kind_count; i++)
        json_array_append_new(kinds,
                              json_pack("{s:s,s:s,s:b}", "value", processes_phase_kinds[i].value, "label",
                                        tr(req, processes_phase_kinds[i].label), "selected",
                                        f->phase.kind && !strcmp(f->phase.kind, processes_phase_kinds[i].value)));
    json_object_set_new(kind, "options", kinds);
    json_t *title = field(req, errors, "titel", N_("Titel der Phase"), f->phase.title,
                          N_("Zum Beispiel: „Ideen sammeln“. Höchstens 200 Zeichen."), f->e_title);
    json_object_set_new(title, "maxlength", json_integer(PHASE_TITLE_MAX));
    json_t *desc = field(req, errors, "beschreibung", N_("Beschreibung (freiwillig)"), f->phase.description,
                         N_("Was passiert in dieser Phase? Markdown ist möglich."), f->e_description);
    json_t *starts = field(req, errors, "beginn", N_("Beginn"), f->starts_value,
                           N_("Der erste Tag der Phase, zum Beispiel 2026-03-01."), f->e_starts);
    json_t *ends = field(req, errors, "ende", N_("Ende"), f->ends_value,
                         N_("Der letzte Tag der Phase, zum Beispiel 2026-03-31."), f->e_ends);
    json_t *components = json_array();
    for (size_t c = 0; c < processes_component_count; c++) {
        const char *name = arena_printf(req->arena, "komponente_%s", processes_components[c].value);
        json_t *cb = http_field(name, tr(req, processes_components[c].label), "1", NULL);
        json_object_set_new(cb, "checked", json_boolean(f->phase.components[c]));
        json_array_append_new(components, cb);
    }
    json_object_set_new(m, "f_kind", kind);
    json_object_set_new(m, "f_title", title);
    json_object_set_new(m, "f_description", desc);
    json_object_set_new(m, "f_starts", starts);
    json_object_set_new(m, "f_ends", ends);
    json_object_set_new(m, "components", components);
    if (json_array_size(errors))
        json_object_set_new(m, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "participation/processes/staff_phase", m);
}

int processes_staff_phase_new(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    if (p.phase_count >= PHASES_MAX)
        return processes_status(processes_fail(req, 409, N_("Ein Verfahren hat höchstens 12 Phasen.")));
    phase_form_t f = {.phase = {.kind = "", .title = "", .description = ""}, .starts_value = "", .ends_value = ""};
    /* A new phase most often follows the last one. */
    if (p.phase_count) {
        f.starts_value = processes_iso_day(req->arena, p.phases[p.phase_count - 1].ends_at);
    }
    return render_phase_form(req, &p, &f, 200);
}

static json_t *phase_detail(const process_phase_t *ph)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:I,s:[b,b,b,b]}", "phase", (json_int_t)ph->id, "kind", ph->kind, "title",
                     ph->title, "starts_at", (json_int_t)ph->starts_at, "ends_at", (json_int_t)ph->ends_at,
                     "components", ph->components[0], ph->components[1], ph->components[2], ph->components[3]);
}

static int save_phase(http_req_t *req, process_t *p, int64_t id, const char *action)
{
    if (!id && p->phase_count >= PHASES_MAX)
        return processes_status(processes_fail(req, 409, N_("Ein Verfahren hat höchstens 12 Phasen.")));
    phase_form_t f;
    read_phase_form(req, p, id, &f);
    if (phase_form_errors(&f))
        return render_phase_form(req, p, &f, 422);
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_store_phase(req->db, p->id, &f.phase, processes_now()) != 0 ||
        audit(req, action, arena_printf(req->arena, "process:%" PRId64, p->id), phase_detail(&f.phase)) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, staff_url(req, p->id, "", "gespeichert"));
}

int processes_staff_phase_create(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    return save_phase(req, &p, 0, "participation.phase.create");
}

int processes_staff_phase_edit(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    process_phase_t *ph = phase_of(req, &p);
    if (!ph)
        return http_error(req, 404, N_("Diese Phase gibt es nicht."));
    phase_form_t f = {.phase = *ph,
                      .starts_value = processes_iso_day(req->arena, ph->starts_at),
                      .ends_value = processes_iso_day(req->arena, ph->ends_at - 1)};
    return render_phase_form(req, &p, &f, 200);
}

int processes_staff_phase_update(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    process_phase_t *ph = phase_of(req, &p);
    if (!ph)
        return http_error(req, 404, N_("Diese Phase gibt es nicht."));
    return save_phase(req, &p, ph->id, "participation.phase.update");
}

int processes_staff_phase_delete(http_req_t *req)
{
    process_t p;
    int rc = managed_process(req, &p);
    if (rc != 0)
        return processes_status(rc);
    process_phase_t *ph = phase_of(req, &p);
    if (!ph)
        return http_error(req, 404, N_("Diese Phase gibt es nicht."));
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_delete_phase(req->db, p.id, ph->id, processes_now()) != 0 ||
        audit(req, "participation.phase.delete", arena_printf(req->arena, "process:%" PRId64, p.id),
              phase_detail(ph)) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, staff_url(req, p.id, "", "phase-geloescht"));
}

/* ---- status and official answer of a proposal ------------------------------------------------------------------- */

typedef struct answer_form {
    const char *status, *reason, *answer;
    const char *e_status, *e_reason, *e_answer;
} answer_form_t;

static int render_answer_form(http_req_t *req, const process_t *p, const proposal_t *pr, const answer_form_t *f,
                              int status)
{
    json_t *errors = json_array();
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(tr(req, N_("Vorschlag beantworten"))));
    json_object_set_new(m, "process_title", json_string(p->title));
    json_object_set_new(m, "proposal", processes_proposal_json(req->arena, pr, req->lang, 0, 1));
    json_object_set_new(
        m, "action",
        json_string(staff_url(req, p->id, arena_printf(req->arena, "/vorschlaege/%" PRId64, pr->id), NULL)));
    json_t *st = field(req, errors, "status", N_("Status"), "", NULL, f->e_status);
    json_t *options = json_array();
    for (size_t i = 0; i < processes_proposal_status_count; i++)
        json_array_append_new(options,
                              json_pack("{s:s,s:s,s:b}", "value", processes_proposal_statuses[i].value, "label",
                                        tr(req, processes_proposal_statuses[i].label), "selected",
                                        f->status && !strcmp(f->status, processes_proposal_statuses[i].value)));
    json_object_set_new(st, "options", options);
    json_t *reason = field(
        req, errors, "begruendung", N_("Begründung des Status"), f->reason,
        N_("Öffentlich. Bei „Abgelehnt“ nötig: Warum wird der Vorschlag nicht umgesetzt? Höchstens 2.000 Zeichen."),
        f->e_reason);
    json_object_set_new(reason, "rows", json_integer(4));
    json_t *answer = field(
        req, errors, "antwort", N_("Offizielle Antwort"), f->answer,
        N_("Öffentlich, mit Datum. Markdown ist möglich, höchstens 10.000 Zeichen. Wer dem Verfahren folgt, bekommt eine E-Mail."),
        f->e_answer);
    json_object_set_new(answer, "rows", json_integer(10));
    json_object_set_new(m, "f_status", st);
    json_object_set_new(m, "f_reason", reason);
    json_object_set_new(m, "f_answer", answer);
    if (json_array_size(errors))
        json_object_set_new(m, "errors", errors);
    else
        json_decref(errors);
    return http_render(req, status, "participation/processes/staff_answer", m);
}

/* The proposal of :pid in p. */
static int managed_proposal(http_req_t *req, const process_t *p, proposal_t *pr)
{
    long pid = processes_number(http_param(req, "pid"), -1, 1, 999999999999L);
    int rc = pid < 1 ? 1 : processes_proposal_load(req->db, req->arena, p->id, pid, 0, pr);
    if (rc < 0)
        return 503;
    if (rc == 1)
        return processes_fail(req, 404, N_("Diesen Vorschlag gibt es nicht."));
    return 0;
}

int processes_staff_answer_page(http_req_t *req)
{
    process_t p;
    proposal_t pr;
    int rc = managed_process(req, &p);
    if (rc == 0)
        rc = managed_proposal(req, &p, &pr);
    if (rc != 0)
        return processes_status(rc);
    answer_form_t f = {.status = pr.status, .reason = pr.status_reason, .answer = pr.answer};
    return render_answer_form(req, &p, &pr, &f, 200);
}

int processes_staff_answer_save(http_req_t *req)
{
    process_t p;
    proposal_t pr;
    int rc = managed_process(req, &p);
    if (rc == 0)
        rc = managed_proposal(req, &p, &pr);
    if (rc != 0)
        return processes_status(rc);
    answer_form_t f = {.status = http_form(req, "status"),
                       .reason = processes_trim(req->arena, http_form(req, "begruendung")),
                       .answer = processes_trim(req->arena, http_form(req, "antwort"))};
    if (processes_choice_index(processes_proposal_statuses, processes_proposal_status_count, f.status) < 0) {
        f.status = "";
        f.e_status = N_("Bitte wählen Sie einen Status.");
    }
    f.e_reason = length_error(f.reason, 0, STATUS_REASON_MAX, NULL,
                              N_("Die Begründung ist zu lang. Bitte verwenden Sie höchstens 2.000 Zeichen."));
    if (!f.e_reason && !strcmp(f.status, "abgelehnt") && !*f.reason)
        f.e_reason = N_("Bitte begründen Sie, warum der Vorschlag abgelehnt wird.");
    f.e_answer = length_error(f.answer, 0, ANSWER_MAX, NULL,
                              N_("Die Antwort ist zu lang. Bitte verwenden Sie höchstens 10.000 Zeichen."));
    if (f.e_status || f.e_reason || f.e_answer)
        return render_answer_form(req, &p, &pr, &f, 422);
    int changed =
        strcmp(f.status, pr.status) != 0 || strcmp(f.reason, pr.status_reason) != 0 || strcmp(f.answer, pr.answer) != 0;
    if (!changed)
        return http_redirect(
            req, 303, arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64, p.id, pr.id));
    const char *status_label =
        processes_choice_label(processes_proposal_statuses, processes_proposal_status_count, f.status);
    /* Followers read about it in German, like every mail of the platform. */
    const char *subject = arena_printf(req->arena, "Antwort auf einen Vorschlag: %s", p.title);
    const char *title = pr.hidden || pr.erased ? "(ausgeblendet)" : pr.title;
    const char *text = arena_printf(req->arena,
                                    "Die Verwaltung hat im Beteiligungsverfahren „%s“ auf den Vorschlag „%s“ "
                                    "geantwortet. Status: %s.%s%s%s%s",
                                    p.title, title, status_label, *f.reason ? "\n\nBegründung: " : "", f.reason,
                                    *f.answer ? "\n\nAntwort:\n" : "", f.answer);
    const char *path = arena_printf(req->arena, "/beteiligung/verfahren/%" PRId64 "/vorschlaege/%" PRId64, p.id, pr.id);
    if (db_begin_write(req->db) != 0)
        return 503;
    if (processes_answer(req->db, pr.id, f.status, f.reason, f.answer, req->user->id, processes_now()) != 0 ||
        audit(req, "participation.proposal.answer", arena_printf(req->arena, "proposal:%" PRId64, pr.id),
              json_pack("{s:I,s:s,s:s,s:b}", "process", (json_int_t)p.id, "old_status", pr.status, "status", f.status,
                        "answer", *f.answer != '\0')) != 0 ||
        (!strcmp(p.status, "veroeffentlicht") && !pr.held &&
         participation_notify_followers(req->db, req->cfg, "process", p.id, subject, text, path) != 0) ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, arena_printf(req->arena, "%s?hinweis=beantwortet", path));
}
