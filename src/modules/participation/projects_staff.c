/* projects_staff.c — the staff side of the Vorhabenliste (PERM_PROJECTS):
 *
 *   GET  /verwaltung/beteiligung/vorhaben          (projects_staff_list.c)
 *   GET  /verwaltung/beteiligung/vorhaben/neu      the empty form
 *   POST /verwaltung/beteiligung/vorhaben/neu      create (followers of its districts and topic are told)
 *   GET  /verwaltung/beteiligung/vorhaben/:id      the form with the entry
 *   POST /verwaltung/beteiligung/vorhaben/:id      save: every changed field becomes a public change log
 *                                                  row with the staff member's explanation
 *
 * Per record: the permission must hold for the entry's unit (or everywhere); an
 * entry of another unit does not exist for the staff member (404). Every input
 * has a limit with a plain message, and a form that comes back keeps everything
 * that was typed. Creating and saving are written to the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/projects.h"
#include "platform/audit.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "web/auth.h"

#define UNITS_MAX 500
#define ADMIN_PERMISSIONS                                                                                              \
    "account.users.manage,account.units.manage,account.roles.manage,account.audit.read,account.trust.raise"

/* Administrators need a second factor before they change anything here, as in
 * the account administration. Returns HTTP_ANSWERED when it sent them there. */
int projects_staff_guard(http_req_t *req)
{
    if (req->user && !req->user->totp_enabled && auth_has_any_permission(req, ADMIN_PERMISSIONS)) {
        http_redirect(req, 303, "/konto/sicherheit?pflicht=1#zwei-faktor");
        return HTTP_ANSWERED;
    }
    return 0;
}

/* ---- the fields --------------------------------------------------------------------------- */

/* The texts of the form: where each goes, its limit, and what to say. */
static const struct text_field {
    const char *name;    /* form field */
    const char *label;   /* msgid */
    const char *hint;    /* msgid or NULL */
    size_t offset;       /* const char * in project_t */
    size_t max;          /* characters */
    const char *missing; /* msgid when required, else NULL */
    int multiline;
} text_fields[] = {
    {"titel", N_("Titel"), N_("Kurz und verständlich, zum Beispiel „Radweg an der Rheinallee“."),
     offsetof(project_t, title), PROJECT_TITLE_MAX, N_("Bitte geben Sie einen Titel an."), 0},
    {"kurzbeschreibung", N_("Kurzbeschreibung"), N_("Ein bis drei Sätze für die Liste und die E-Mails."),
     offsetof(project_t, summary), PROJECT_SUMMARY_MAX, N_("Bitte beschreiben Sie das Vorhaben kurz."), 1},
    {"beschreibung", N_("Beschreibung"),
     N_("Was soll geschehen? Sie können Markdown verwenden: Absätze, Listen mit -, **fett**, Links."),
     offsetof(project_t, description), PROJECT_TEXT_MAX, NULL, 1},
    {"ziele", N_("Ziele"), NULL, offsetof(project_t, goals), PROJECT_TEXT_MAX, NULL, 1},
    {"beschluesse", N_("Bisherige Beschlüsse"), N_("Politische Beschlüsse mit Gremium und Datum."),
     offsetof(project_t, decisions), PROJECT_TEXT_MAX, NULL, 1},
    {"naechste_schritte", N_("Dauer und nächste Schritte"), NULL, offsetof(project_t, next_steps), PROJECT_TEXT_MAX,
     NULL, 1},
    {"kosten_text", N_("Kosten"),
     N_("In Worten, zum Beispiel „rund 2,4 Millionen Euro, davon 60 % Fördermittel“. Leer lassen, wenn noch unbekannt."),
     offsetof(project_t, costs_text), PROJECT_COSTS_TEXT_MAX, NULL, 1},
    {"betroffene", N_("Wer ist betroffen?"), NULL, offsetof(project_t, affected), PROJECT_TEXT_MAX, NULL, 1},
    {"begruendung", N_("Warum ist keine Beteiligung geplant?"), N_("Nur nötig, wenn keine Beteiligung geplant ist."),
     offsetof(project_t, participation_reason), PROJECT_TEXT_MAX, NULL, 1},
    {"kontakt_name", N_("Ansprechperson"), NULL, offsetof(project_t, contact_name), PROJECT_NAME_MAX, NULL, 0},
    {"kontakt_telefon", N_("Telefon"), NULL, offsetof(project_t, contact_phone), PROJECT_PHONE_MAX, NULL, 0},
};
#define TEXT_FIELD_COUNT (sizeof(text_fields) / sizeof(text_fields[0]))

/* The message for a text over its limit (one msgid per limit, so each translates whole). */
static const char *too_long(size_t max)
{
    switch (max) {
    case 100:
        return N_("Bitte kürzen Sie den Text auf höchstens 100 Zeichen.");
    case 200:
        return N_("Bitte kürzen Sie den Text auf höchstens 200 Zeichen.");
    case 500:
        return N_("Bitte kürzen Sie den Text auf höchstens 500 Zeichen.");
    case 1000:
        return N_("Bitte kürzen Sie den Text auf höchstens 1.000 Zeichen.");
    case 2000:
        return N_("Bitte kürzen Sie den Text auf höchstens 2.000 Zeichen.");
    default:
        return N_("Bitte kürzen Sie den Text auf höchstens 20.000 Zeichen.");
    }
}

/* What the form holds, as typed, and the errors found in it. */
typedef struct entry_form {
    http_req_t *req;
    project_t p;          /* the values that passed the checks */
    json_t *values;       /* field name → text as typed (kept on errors) */
    json_t *districts;    /* slugs ticked */
    json_t *errors;       /* [{id, message}] for the summary */
    json_t *field_errors; /* field name → message */
} entry_form_t;

static void add_error(entry_form_t *f, const char *field, const char *msgid)
{
    if (json_object_get(f->field_errors, field))
        return; /* one message per field: the first problem */
    const char *text = projects_tr(f->req, msgid);
    json_array_append_new(f->errors,
                          json_pack("{s:s,s:s}", "id", arena_printf(f->req->arena, "feld-%s", field), "message", text));
    json_object_set_new(f->field_errors, field, json_string(text));
}

static const char *value(const entry_form_t *f, const char *name)
{
    const char *s = json_string_value(json_object_get(f->values, name));
    return s ? s : "";
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\r' && *s != '\t')
            return 1;
    return 0;
}

/* Multi-line texts arrive with CRLF from browsers; they are kept with LF. */
static const char *normalise(arena_t *a, const char *s)
{
    char *out = arena_strdup(a, s);
    size_t o = 0;
    for (size_t i = 0; out[i]; i++)
        if (out[i] != '\r')
            out[o++] = out[i];
    out[o] = '\0';
    return out;
}

/* The form's values from the project (to edit it). */
static void values_from_project(entry_form_t *f, const project_t *p)
{
    arena_t *a = f->req->arena;
    for (size_t i = 0; i < TEXT_FIELD_COUNT; i++)
        json_object_set_new(f->values, text_fields[i].name,
                            json_string(*(const char *const *)((const char *)p + text_fields[i].offset)));
    json_object_set_new(f->values, "kontakt_email", json_string(p->contact_email));
    json_object_set_new(f->values, "thema", json_string(p->topic_slug));
    json_object_set_new(f->values, "beginn", json_string(p->starts_on));
    json_object_set_new(f->values, "ende", json_string(p->ends_on));
    json_object_set_new(f->values, "kosten_euro", json_string(p->has_costs ? projects_euro(a, p->costs_cents) : ""));
    json_object_set_new(f->values, "status", json_string(p->status));
    json_object_set_new(f->values, "beteiligung", json_string(p->participation_planned ? "ja" : "nein"));
    json_object_set_new(f->values, "beteiligungsform", json_string(p->participation_form));
    json_object_set_new(f->values, "aufgabe", json_string(p->obligation));
    json_object_set_new(f->values, "einheit",
                        p->unit_id ? json_sprintf("%lld", (long long)p->unit_id) : json_string(""));
    json_object_set_new(f->values, "version", json_sprintf("%lld", (long long)p->version));
    for (size_t i = 0; i < p->district_count; i++)
        json_array_append_new(f->districts, json_string(p->districts[i].slug));
}

/* The units the staff member may file entries under: [{id, slug, name}]. */
typedef struct unit_choice {
    int64_t id;
    const char *slug, *name;
} unit_choice_t;

static const char sql_units[] = "SELECT id, slug, name FROM units ORDER BY name, id LIMIT 500";

static int staff_units(http_req_t *req, unit_choice_t **out, size_t *n)
{
    *out = arena_alloc(req->arena, UNITS_MAX * sizeof(**out));
    *n = 0;
    db_stmt_t *st;
    if (db_prepare(req->db, sql_units, &st) != 0)
        return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < UNITS_MAX) {
        int64_t id = db_column_int64(st, 0);
        if (!auth_has_permission_in_unit(req, PERM_PROJECTS, id))
            continue;
        (*out)[(*n)++] = (unit_choice_t){id, arena_strdup(req->arena, db_column_text(st, 1)),
                                         arena_strdup(req->arena, db_column_text(st, 2))};
    }
    db_reset(st);
    return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

/* Reads and checks the posted form into f->p. */
static void read_form(entry_form_t *f, const project_lists_t *lists, const unit_choice_t *units, size_t unit_count,
                      int editing)
{
    http_req_t *req = f->req;
    arena_t *a = req->arena;
    project_t *p = &f->p;
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < TEXT_FIELD_COUNT; i++) {
        const struct text_field *t = &text_fields[i];
        const char *raw = http_form(req, t->name);
        const char *text = normalise(a, raw ? raw : "");
        json_object_set_new(f->values, t->name, json_string(text));
        *(const char **)((char *)p + t->offset) = text;
        size_t len = utf8_length(text, strlen(text));
        if (t->missing && text[strspn(text, " \t\n")] == '\0')
            add_error(f, t->name, t->missing);
        else if (len > t->max)
            add_error(f, t->name, too_long(t->max));
        else if (has_control(text) || (!t->multiline && strpbrk(text, "\n\t")))
            add_error(f, t->name,
                      N_("Der Text enthält Zeichen, die hier nicht stehen dürfen, zum Beispiel einen Zeilenumbruch. Bitte geben Sie ihn neu ein."));
    }
    static const char *const single[] = {"kontakt_email", "thema",   "beginn",      "ende",
                                         "kosten_euro",   "status",  "beteiligung", "beteiligungsform",
                                         "aufgabe",       "einheit", "version",     "erlaeuterung"};
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        const char *raw = http_form(req, single[i]);
        json_object_set_new(f->values, single[i], json_string(normalise(a, raw ? raw : "")));
    }
    for (size_t i = 0; i < req->form.count; i++)
        if (!strcmp(req->form.fields[i].name, "bezirke"))
            json_array_append_new(f->districts, json_string(req->form.fields[i].value));

    /* Districts: known ones, and either the whole city or Ortsbezirke. */
    size_t i;
    json_t *slug;
    int citywide = 0, unknown = 0;
    json_array_foreach(f->districts, i, slug)
    {
        int found = 0;
        for (size_t k = 0; k < lists->district_count && !found; k++) {
            const project_district_t *d = &lists->districts[k];
            if (strcmp(d->slug, json_string_value(slug)) != 0)
                continue;
            found = 1;
            int seen = 0;
            for (size_t j = 0; j < p->district_count; j++)
                seen |= p->districts[j].id == d->id;
            if (!seen && p->district_count < PROJECT_DISTRICTS_MAX)
                p->districts[p->district_count++] = *d;
            citywide |= d->citywide;
        }
        unknown |= !found;
    }
    if (unknown)
        add_error(f, "bezirke", N_("Bitte wählen Sie nur Ortsbezirke aus der Liste."));
    else if (p->district_count == 0)
        add_error(f, "bezirke", N_("Bitte wählen Sie mindestens einen Ortsbezirk oder „Gesamtstädtisch“."));
    else if (citywide && p->district_count > 1)
        add_error(f, "bezirke", N_("Bitte wählen Sie entweder „Gesamtstädtisch“ oder einzelne Ortsbezirke."));
    /* Keep the list order (the form may send them in any order). */
    project_district_t ordered[PROJECT_DISTRICTS_MAX];
    size_t n = 0;
    for (size_t k = 0; k < lists->district_count; k++)
        for (size_t j = 0; j < p->district_count; j++)
            if (p->districts[j].id == lists->districts[k].id)
                ordered[n++] = lists->districts[k];
    memcpy(p->districts, ordered, n * sizeof(ordered[0]));
    p->district_count = n;

    const char *topic = value(f, "thema");
    for (size_t k = 0; k < lists->topic_count && !p->topic_id; k++)
        if (!strcmp(lists->topics[k].slug, topic)) {
            p->topic_id = lists->topics[k].id;
            p->topic_slug = lists->topics[k].slug;
            p->topic_name = lists->topics[k].name;
        }
    if (!p->topic_id)
        add_error(f, "thema", N_("Bitte wählen Sie ein Thema."));

    p->starts_on = value(f, "beginn");
    p->ends_on = value(f, "ende");
    if (*p->starts_on && !projects_valid_date(p->starts_on))
        add_error(f, "beginn",
                  N_("Bitte geben Sie ein gültiges Datum an, zum Beispiel 2027-03-01, oder lassen Sie das Feld leer."));
    if (*p->ends_on && !projects_valid_date(p->ends_on))
        add_error(f, "ende",
                  N_("Bitte geben Sie ein gültiges Datum an, zum Beispiel 2027-03-01, oder lassen Sie das Feld leer."));
    else if (*p->ends_on && projects_valid_date(p->starts_on) && strcmp(p->ends_on, p->starts_on) < 0)
        add_error(f, "ende", N_("Das Ende liegt vor dem Beginn. Bitte prüfen Sie die beiden Daten."));

    int rc = projects_parse_euro(value(f, "kosten_euro"), &p->costs_cents);
    p->has_costs = rc == 0;
    if (rc == -1)
        add_error(f, "kosten_euro", N_("Bitte schreiben Sie den Betrag in Euro wie 1.250.000 oder 1250000,50."));
    else if (rc == -2)
        add_error(f, "kosten_euro", N_("Dieser Betrag ist zu hoch. Bitte prüfen Sie ihn."));

    p->status = value(f, "status");
    if (!projects_choice_label(projects_statuses, projects_status_count, p->status))
        add_error(f, "status", N_("Bitte wählen Sie den Stand des Vorhabens."));

    const char *planned = value(f, "beteiligung");
    p->participation_planned = !strcmp(planned, "ja");
    p->participation_form = value(f, "beteiligungsform");
    if (strcmp(planned, "ja") != 0 && strcmp(planned, "nein") != 0)
        add_error(f, "beteiligung", N_("Bitte geben Sie an, ob eine Beteiligung geplant ist."));
    else if (p->participation_planned &&
             !projects_choice_label(projects_forms, projects_form_count, p->participation_form))
        add_error(f, "beteiligungsform", N_("Bitte wählen Sie, in welcher Form beteiligt wird."));
    else if (!p->participation_planned && p->participation_reason[strspn(p->participation_reason, " \t\n")] == '\0')
        add_error(f, "begruendung", N_("Bitte erklären Sie, warum keine Beteiligung geplant ist."));
    if (!p->participation_planned)
        p->participation_form = ""; /* a form without participation would contradict itself */

    p->obligation = value(f, "aufgabe");
    if (!projects_choice_label(projects_obligations, projects_obligation_count, p->obligation))
        add_error(f, "aufgabe", N_("Bitte geben Sie an, ob es eine Pflichtaufgabe oder eine freiwillige Aufgabe ist."));

    long unit = projects_number(value(f, "einheit"), -1, 1, 999999999);
    for (size_t k = 0; k < unit_count && !p->unit_id; k++)
        if (units[k].id == unit) {
            p->unit_id = units[k].id;
            p->unit_slug = units[k].slug;
            p->unit_name = units[k].name;
        }
    if (!p->unit_id)
        add_error(f, "einheit", N_("Bitte wählen Sie die zuständige Stelle."));

    p->contact_email = value(f, "kontakt_email");
    if (*p->contact_email && (strlen(p->contact_email) > PROJECT_EMAIL_MAX || !mail_address_valid(p->contact_email)))
        add_error(f, "kontakt_email",
                  N_("Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel stadtplanung@stadt.mainz.de."));

    if (editing) {
        const char *why = value(f, "erlaeuterung");
        if (utf8_length(why, strlen(why)) > PROJECT_EXPLANATION_MAX)
            add_error(f, "erlaeuterung", too_long(PROJECT_EXPLANATION_MAX));
    }
}

/* ---- the form page ------------------------------------------------------------------------- */

static json_t *field(entry_form_t *f, const char *name, const char *label, const char *hint)
{
    json_t *o = http_field(name, projects_tr(f->req, label), value(f, name),
                           json_string_value(json_object_get(f->field_errors, name)));
    if (hint)
        json_object_set_new(o, "hint", json_string(projects_tr(f->req, hint)));
    return o;
}

static json_t *opt(const char *value_, const char *label, int selected)
{
    return json_pack("{s:s,s:s,s:b}", "value", value_, "label", label, "selected", selected);
}

static json_t *choices(entry_form_t *f, const char *name, const project_choice_t *list, size_t n, const char *empty)
{
    json_t *o = json_array();
    const char *current = value(f, name);
    if (empty)
        json_array_append_new(o, opt("", projects_tr(f->req, empty), !*current));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(o,
                              opt(list[i].value, projects_tr(f->req, list[i].label), !strcmp(current, list[i].value)));
    return o;
}

static int render_form(entry_form_t *f, int status, const project_lists_t *lists, const unit_choice_t *units,
                       size_t unit_count, const project_t *existing, const char *conflict)
{
    http_req_t *req = f->req;
    json_t *m = json_object();
    json_object_set_new(m, "title",
                        existing ? json_sprintf("%s: %s", projects_tr(req, N_("Vorhaben bearbeiten")), existing->title)
                                 : json_string(projects_tr(req, N_("Neues Vorhaben"))));
    json_object_set_new(m, "action",
                        existing ? json_sprintf("/verwaltung/beteiligung/vorhaben/%lld", (long long)existing->id)
                                 : json_string("/verwaltung/beteiligung/vorhaben/neu"));
    if (existing) {
        json_object_set_new(m, "editing", json_true());
        json_object_set_new(m, "public_url", json_sprintf("/beteiligung/vorhaben/%lld", (long long)existing->id));
        json_object_set_new(m, "version", json_string(value(f, "version")));
    }
    if (conflict)
        json_object_set_new(m, "conflict", json_string(projects_tr(req, conflict)));
    for (size_t i = 0; i < TEXT_FIELD_COUNT; i++) {
        const struct text_field *t = &text_fields[i];
        json_t *o = field(f, t->name, t->label, t->hint);
        /* Only the counter of a text area (data-maxlength): a hard maxlength on an
         * input would count UTF-16 units and cut silently; the server says it plainly. */
        if (t->multiline)
            json_object_set_new(o, "maxlength", json_integer((json_int_t)t->max));
        if (t->missing)
            json_object_set_new(o, "required", json_true());
        if (t->multiline)
            json_object_set_new(o, "rows", json_integer(t->max > 1000 ? 6 : 3));
        char key[64];
        snprintf(key, sizeof(key), "f_%s", t->name);
        json_object_set_new(m, key, o);
    }
    json_t *o = field(f, "kontakt_email", N_("E-Mail"), NULL);
    json_object_set_new(o, "type", json_string("email"));
    json_object_set_new(m, "f_kontakt_email", o);

    json_t *districts = field(f, "bezirke", N_("Ortsbezirke"),
                              N_("Betrifft das Vorhaben die ganze Stadt, wählen Sie nur „Gesamtstädtisch“."));
    json_t *d_opts = json_array();
    for (size_t i = 0; i < lists->district_count; i++) {
        int ticked = 0;
        size_t k;
        json_t *s;
        json_array_foreach(f->districts, k, s) ticked |= !strcmp(json_string_value(s), lists->districts[i].slug);
        json_array_append_new(d_opts,
                              opt(lists->districts[i].slug, projects_tr(req, lists->districts[i].name), ticked));
    }
    json_object_set_new(districts, "options", d_opts);
    json_object_set_new(m, "f_bezirke", districts);

    json_t *topics = field(f, "thema", N_("Thema"), NULL);
    json_t *t_opts = json_array();
    json_array_append_new(t_opts, opt("", projects_tr(req, N_("Bitte wählen")), !*value(f, "thema")));
    for (size_t i = 0; i < lists->topic_count; i++)
        json_array_append_new(t_opts, opt(lists->topics[i].slug, projects_tr(req, lists->topics[i].name),
                                          !strcmp(value(f, "thema"), lists->topics[i].slug)));
    json_object_set_new(topics, "options", t_opts);
    json_object_set_new(topics, "required", json_true());
    json_object_set_new(m, "f_thema", topics);

    o = field(f, "beginn", N_("Beginn"), N_("Leer lassen, wenn noch offen."));
    json_object_set_new(m, "f_beginn", o);
    o = field(f, "ende", N_("Voraussichtliches Ende"),
              N_("Ein späteres Ende erscheint im Änderungsverlauf als Verzögerung."));
    json_object_set_new(m, "f_ende", o);
    o = field(f, "kosten_euro", N_("Kosten in Euro"),
              N_("Nur die Zahl, zum Beispiel 1.250.000. Höhere Kosten erscheinen im Änderungsverlauf als Mehrkosten."));
    json_object_set_new(o, "inputmode", json_string("decimal"));
    json_object_set_new(m, "f_kosten_euro", o);

    o = field(f, "status", N_("Stand"), NULL);
    json_object_set_new(o, "options",
                        choices(f, "status", projects_statuses, projects_status_count, N_("Bitte wählen")));
    json_object_set_new(o, "required", json_true());
    json_object_set_new(m, "f_status", o);

    static const project_choice_t yes_no[] = {{"ja", N_("Ja, eine Beteiligung ist geplant")},
                                              {"nein", N_("Nein, keine Beteiligung geplant")}};
    o = field(f, "beteiligung", N_("Ist eine Beteiligung geplant?"), NULL);
    json_object_set_new(o, "options", choices(f, "beteiligung", yes_no, 2, NULL));
    json_object_set_new(m, "f_beteiligung", o);
    o = field(f, "beteiligungsform", N_("Form der Beteiligung"), N_("Nur nötig, wenn eine Beteiligung geplant ist."));
    json_object_set_new(o, "options", choices(f, "beteiligungsform", projects_forms, projects_form_count, N_("Keine")));
    json_object_set_new(m, "f_beteiligungsform", o);
    o = field(f, "aufgabe", N_("Art der Aufgabe"), NULL);
    json_object_set_new(o, "options", choices(f, "aufgabe", projects_obligations, projects_obligation_count, NULL));
    json_object_set_new(m, "f_aufgabe", o);

    o = field(f, "einheit", N_("Zuständige Stelle"), NULL);
    json_t *u_opts = json_array();
    json_array_append_new(u_opts, opt("", projects_tr(req, N_("Bitte wählen")), !*value(f, "einheit")));
    for (size_t i = 0; i < unit_count; i++) {
        char id[32];
        snprintf(id, sizeof(id), "%lld", (long long)units[i].id);
        json_array_append_new(u_opts, opt(id, units[i].name, !strcmp(value(f, "einheit"), id)));
    }
    json_object_set_new(o, "options", u_opts);
    json_object_set_new(o, "required", json_true());
    json_object_set_new(m, "f_einheit", o);

    if (existing) {
        o = field(f, "erlaeuterung", N_("Was hat sich geändert und warum?"),
                  N_("Pflicht, wenn Sie etwas ändern. Der Text erscheint öffentlich im Änderungsverlauf, zum Beispiel „Die Ausschreibung musste wiederholt werden.“"));
        json_object_set_new(o, "maxlength", json_integer(PROJECT_EXPLANATION_MAX));
        json_object_set_new(o, "rows", json_integer(3));
        json_object_set_new(m, "f_erlaeuterung", o);
    }
    json_object_set_new(m, "errors", json_incref(f->errors));
    json_t *notice = projects_notice(req);
    if (notice && status == 200)
        json_object_set_new(m, "notice", notice);
    else
        json_decref(notice);
    return http_render(req, status, "participation/projects/staff_form", m);
}

static void form_init(entry_form_t *f, http_req_t *req)
{
    memset(f, 0, sizeof(*f));
    f->req = req;
    f->values = json_object();
    f->districts = json_array();
    f->errors = json_array();
    f->field_errors = json_object();
}

static void form_free(entry_form_t *f)
{
    json_decref(f->values);
    json_decref(f->districts);
    json_decref(f->errors);
    json_decref(f->field_errors);
}

/* Loads the lists and the units for the form; 0 or 503. */
static int form_lists(http_req_t *req, project_lists_t *lists, unit_choice_t **units, size_t *unit_count)
{
    if (projects_lists_load(req->db, req->arena, lists) != 0 || staff_units(req, units, unit_count) != 0)
        return 503;
    return 0;
}

/* The entry of :id if the staff member may edit it: 0, HTTP_ANSWERED when it has
 * answered (404), or the status to answer. */
static int editable(http_req_t *req, project_t *p)
{
    long id = projects_number(http_param(req, "id"), -1, 1, 999999999999L);
    int rc = id < 1 ? 1 : projects_load_one(req->db, req->arena, id, p);
    if (rc < 0)
        return 503;
    /* An entry of another unit does not exist for this staff member. */
    if (rc == 1 || !auth_has_permission_in_unit(req, PERM_PROJECTS, p->unit_id)) {
        http_error(req, 404, N_("Dieses Vorhaben gibt es nicht, oder Sie dürfen es nicht bearbeiten."));
        return HTTP_ANSWERED;
    }
    return 0;
}

static int audit(http_req_t *req, const char *action, int64_t id, json_t *detail)
{
    char *text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    if (!text)
        return -1;
    int rc = audit_log(req->db, arena_printf(req->arena, "user:%lld", (long long)req->user->id), action,
                       arena_printf(req->arena, "project:%lld", (long long)id), text, req->client_ip, req->request_id);
    free(text);
    return rc;
}

/* GET /verwaltung/beteiligung/vorhaben/neu */
int projects_staff_new(http_req_t *req)
{
    if (projects_staff_guard(req))
        return 0;
    project_lists_t lists;
    unit_choice_t *units;
    size_t unit_count;
    if (form_lists(req, &lists, &units, &unit_count) != 0)
        return 503;
    entry_form_t f;
    form_init(&f, req);
    json_object_set_new(f.values, "status", json_string("in_planung"));
    if (unit_count == 1)
        json_object_set_new(f.values, "einheit", json_sprintf("%lld", (long long)units[0].id));
    int rc = render_form(&f, 200, &lists, units, unit_count, NULL, NULL);
    form_free(&f);
    return rc;
}

/* POST /verwaltung/beteiligung/vorhaben/neu */
int projects_staff_create(http_req_t *req)
{
    if (projects_staff_guard(req))
        return 0;
    project_lists_t lists;
    unit_choice_t *units;
    size_t unit_count;
    if (form_lists(req, &lists, &units, &unit_count) != 0)
        return 503;
    entry_form_t f;
    form_init(&f, req);
    read_form(&f, &lists, units, unit_count, 0);
    int rc;
    if (json_array_size(f.errors) > 0) {
        rc = render_form(&f, 422, &lists, units, unit_count, NULL, NULL);
        form_free(&f);
        return rc;
    }
    size_t changes;
    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(req->db) != 0 ||
        projects_store(req->db, req->arena, req->cfg, &f.p, NULL, NULL, req->user->id, now, &changes) != 0 ||
        audit(req, "participation.project.create", 0, json_pack("{s:s}", "title", f.p.title)) != 0 ||
        db_commit(req->db) != 0) {
        db_rollback(req->db);
        form_free(&f);
        return 503;
    }
    form_free(&f);
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/verwaltung/beteiligung/vorhaben/%lld?hinweis=angelegt", (long long)f.p.id));
}

/* GET /verwaltung/beteiligung/vorhaben/:id */
int projects_staff_edit(http_req_t *req)
{
    if (projects_staff_guard(req))
        return 0;
    project_t p;
    int rc = editable(req, &p);
    if (rc != 0)
        return rc == HTTP_ANSWERED ? 0 : rc;
    project_lists_t lists;
    unit_choice_t *units;
    size_t unit_count;
    if (form_lists(req, &lists, &units, &unit_count) != 0)
        return 503;
    entry_form_t f;
    form_init(&f, req);
    values_from_project(&f, &p);
    rc = render_form(&f, 200, &lists, units, unit_count, &p, NULL);
    form_free(&f);
    return rc;
}

/* POST /verwaltung/beteiligung/vorhaben/:id */
int projects_staff_update(http_req_t *req)
{
    if (projects_staff_guard(req))
        return 0;
    project_t old;
    int rc = editable(req, &old);
    if (rc != 0)
        return rc == HTTP_ANSWERED ? 0 : rc;
    project_lists_t lists;
    unit_choice_t *units;
    size_t unit_count;
    if (form_lists(req, &lists, &units, &unit_count) != 0)
        return 503;
    entry_form_t f;
    form_init(&f, req);
    read_form(&f, &lists, units, unit_count, 1);
    /* The form must be saved on top of the version it was opened with. */
    long version = projects_number(value(&f, "version"), -1, 1, 999999999999L);
    const char *conflict = NULL;
    if (version != old.version)
        conflict =
            N_("Jemand anderes hat dieses Vorhaben gespeichert, während Sie es bearbeitet haben. Ihre Eingaben stehen unten noch im Formular. Bitte öffnen Sie das Vorhaben neu und übernehmen Sie Ihre Änderungen dort.");
    project_change_t diff[PROJECT_FIELDS_MAX];
    size_t n = 0;
    if (!conflict && json_array_size(f.errors) == 0) {
        n = projects_diff(req->arena, &old, &f.p, diff, PROJECT_FIELDS_MAX);
        const char *why = value(&f, "erlaeuterung");
        if (n > 0 && why[strspn(why, " \t\n")] == '\0')
            add_error(&f, "erlaeuterung",
                      N_("Bitte erklären Sie kurz, was sich geändert hat und warum. Die Erklärung erscheint öffentlich im Änderungsverlauf."));
    }
    if (conflict || json_array_size(f.errors) > 0) {
        rc = render_form(&f, conflict ? 409 : 422, &lists, units, unit_count, &old, conflict);
        form_free(&f);
        return rc;
    }
    if (n == 0) {
        form_free(&f);
        return http_redirect(
            req, 303,
            arena_printf(req->arena, "/verwaltung/beteiligung/vorhaben/%lld?hinweis=unveraendert", (long long)old.id));
    }
    json_t *fields = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(fields, json_pack("{s:s,s:s}", "field", diff[i].field, "kind", diff[i].kind));
    size_t changes;
    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(req->db) != 0) {
        json_decref(fields);
        form_free(&f);
        return 503;
    }
    rc = projects_store(req->db, req->arena, req->cfg, &f.p, &old, value(&f, "erlaeuterung"), req->user->id, now,
                        &changes);
    if (rc == 0)
        rc = audit(req, "participation.project.update", old.id, json_pack("{s:o}", "changes", fields));
    else
        json_decref(fields);
    if (rc == 0)
        rc = db_commit(req->db);
    if (rc != 0) {
        db_rollback(req->db);
        if (rc == PROJECTS_ECONFLICT) {
            rc = render_form(&f, 409, &lists, units, unit_count, &old,
                             N_("Jemand anderes hat dieses Vorhaben gespeichert, während Sie es bearbeitet haben. Ihre Eingaben stehen unten noch im Formular. Bitte öffnen Sie das Vorhaben neu und übernehmen Sie Ihre Änderungen dort."));
            form_free(&f);
            return rc;
        }
        form_free(&f);
        return 503;
    }
    form_free(&f);
    return http_redirect(
        req, 303,
        arena_printf(req->arena, "/verwaltung/beteiligung/vorhaben/%lld?hinweis=gespeichert", (long long)old.id));
}
