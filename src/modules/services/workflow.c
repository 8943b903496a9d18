/* workflow.c — the statuses of a case and the moves between them, declared as
 * data: one table of statuses and one of transitions per kind of service
 * (services.workflow). Reading a workflow's two tables tells the whole story;
 * the functions below only look things up in them.
 *
 * A status carries its German label (translated where shown) and flags:
 *   WF_FINAL    the case ends there (closed_at is set, no further moves)
 *   WF_VISIBLE  the citizen sees the change in the history of "Meine Anträge"
 *   WF_NOTIFY   the citizen gets a Postfach message (and the e-mail link) about it
 *   WF_DECISION a decision: needs a second person's approval where the service
 *               asks for four eyes (services.four_eyes)
 *   WF_NOTICE   a notice (Bescheid) is issued as a PDF when a template exists
 *               (data/services/notices/<workflow>-<status>.md, cases_notice.c)
 * A transition says who may make it: the office (WF_BY_STAFF) or the applicant
 * (WF_BY_CITIZEN: withdrawing the application), and the label of its button.
 * Statuses are ASCII keys stored in applications.status; 'entwurf' (a draft)
 * comes before every workflow and is not part of any table.
 */
#include <string.h>

#include "modules/services/internal.h"
#include "view/i18n.h"

enum {
    WF_FINAL = 1u << 0,
    WF_VISIBLE = 1u << 1,
    WF_NOTIFY = 1u << 2,
    WF_DECISION = 1u << 3,
    WF_NOTICE = 1u << 4,
};

enum { WF_BY_STAFF = 1, WF_BY_CITIZEN = 2 };

typedef struct wf_status {
    const char *name;  /* applications.status */
    const char *label; /* German, N_() */
    unsigned flags;
} wf_status_t;

typedef struct wf_transition {
    const char *from;
    const char *to;
    int by;             /* WF_BY_STAFF or WF_BY_CITIZEN */
    const char *action; /* the button's German label, N_() */
} wf_transition_t;

typedef struct wf_workflow {
    const char *name; /* services.workflow */
    const wf_status_t *statuses;
    size_t status_count;
    const wf_transition_t *transitions;
    size_t transition_count;
} wf_workflow_t;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SEEN WF_VISIBLE
#define TOLD (WF_VISIBLE | WF_NOTIFY)

/* ---- standard: most services ------------------------------------------------------ */

static const wf_status_t standard_statuses[] = {
    {"eingegangen", N_("Eingegangen"), SEEN},
    {"in_pruefung", N_("In Prüfung"), SEEN},
    {"rueckfrage", N_("Rückfrage"), TOLD},
    {"entschieden", N_("Entschieden"), TOLD | WF_DECISION | WF_NOTICE},
    {"abgeschlossen", N_("Abgeschlossen"), TOLD | WF_FINAL},
    {"abgelehnt", N_("Abgelehnt"), TOLD | WF_DECISION | WF_NOTICE | WF_FINAL},
    {"zurueckgezogen", N_("Zurückgezogen"), SEEN | WF_FINAL},
};

static const wf_transition_t standard_transitions[] = {
    {"eingegangen", "in_pruefung", WF_BY_STAFF, N_("Prüfung beginnen")},
    {"in_pruefung", "rueckfrage", WF_BY_STAFF, N_("Rückfrage stellen")},
    {"rueckfrage", "in_pruefung", WF_BY_STAFF, N_("Prüfung fortsetzen")},
    {"in_pruefung", "entschieden", WF_BY_STAFF, N_("Entscheiden")},
    {"entschieden", "abgeschlossen", WF_BY_STAFF, N_("Abschließen")},
    {"eingegangen", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"in_pruefung", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"rueckfrage", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"eingegangen", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"in_pruefung", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"rueckfrage", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"entschieden", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
};

/* ---- reisepass: applied for in person, then produced and collected ---------------- */

static const wf_status_t reisepass_statuses[] = {
    {"eingegangen", N_("Eingegangen"), SEEN},
    {"in_pruefung", N_("In Prüfung"), SEEN},
    {"in_herstellung", N_("Pass wird hergestellt"), TOLD},
    /* Not TOLD: passport.c's hook sends the one message, with the office's opening
     * hours and a booking link; a second, generic one would only repeat it. */
    {"abholbereit", N_("Liegt zur Abholung bereit"), SEEN},
    {"abgeschlossen", N_("Abgeholt"), SEEN | WF_FINAL},
    {"abgelehnt", N_("Abgelehnt"), TOLD | WF_DECISION | WF_NOTICE | WF_FINAL},
    {"zurueckgezogen", N_("Zurückgezogen"), SEEN | WF_FINAL},
};

static const wf_transition_t reisepass_transitions[] = {
    {"eingegangen", "in_pruefung", WF_BY_STAFF, N_("Prüfung beginnen")},
    {"in_pruefung", "in_herstellung", WF_BY_STAFF, N_("Pass bestellen")},
    {"in_herstellung", "abholbereit", WF_BY_STAFF, N_("Pass ist da: zur Abholung bereit")},
    {"abholbereit", "abgeschlossen", WF_BY_STAFF, N_("Pass wurde abgeholt")},
    {"eingegangen", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"in_pruefung", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"eingegangen", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"in_pruefung", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"in_herstellung", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"abholbereit", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
};

/* ---- zweckentfremdung: the permit; a decision always needs four eyes where the
 * service says so (the demo service does) ----------------------------------------- */

static const wf_status_t zweck_statuses[] = {
    {"eingegangen", N_("Eingegangen"), SEEN},
    {"in_pruefung", N_("In Prüfung"), SEEN},
    {"rueckfrage", N_("Rückfrage"), TOLD},
    {"entschieden", N_("Genehmigt"), TOLD | WF_DECISION | WF_NOTICE},
    {"abgeschlossen", N_("Abgeschlossen"), TOLD | WF_FINAL},
    {"abgelehnt", N_("Abgelehnt"), TOLD | WF_DECISION | WF_NOTICE | WF_FINAL},
    {"zurueckgezogen", N_("Zurückgezogen"), SEEN | WF_FINAL},
};

static const wf_transition_t zweck_transitions[] = {
    {"eingegangen", "in_pruefung", WF_BY_STAFF, N_("Prüfung beginnen")},
    {"in_pruefung", "rueckfrage", WF_BY_STAFF, N_("Rückfrage stellen")},
    {"rueckfrage", "in_pruefung", WF_BY_STAFF, N_("Prüfung fortsetzen")},
    {"in_pruefung", "entschieden", WF_BY_STAFF, N_("Genehmigen")},
    {"entschieden", "abgeschlossen", WF_BY_STAFF, N_("Abschließen")},
    {"eingegangen", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"in_pruefung", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"rueckfrage", "abgelehnt", WF_BY_STAFF, N_("Ablehnen")},
    {"eingegangen", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"in_pruefung", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"rueckfrage", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
    {"entschieden", "zurueckgezogen", WF_BY_CITIZEN, N_("Antrag zurückziehen")},
};

/* ---- meldung: a report (of misuse, of a defect); may be anonymous ----------------- */

static const wf_status_t meldung_statuses[] = {
    {"eingegangen", N_("Eingegangen"), SEEN},
    {"in_pruefung", N_("In Prüfung"), SEEN},
    {"abgeschlossen", N_("Geprüft"), TOLD | WF_NOTICE | WF_FINAL},
    {"abgelehnt", N_("Unbegründet"), TOLD | WF_FINAL},
    {"zurueckgezogen", N_("Zurückgezogen"), SEEN | WF_FINAL},
};

static const wf_transition_t meldung_transitions[] = {
    {"eingegangen", "in_pruefung", WF_BY_STAFF, N_("Prüfung beginnen")},
    {"in_pruefung", "abgeschlossen", WF_BY_STAFF, N_("Geprüft: abschließen")},
    {"in_pruefung", "abgelehnt", WF_BY_STAFF, N_("Als unbegründet abschließen")},
    {"eingegangen", "zurueckgezogen", WF_BY_CITIZEN, N_("Meldung zurückziehen")},
    {"in_pruefung", "zurueckgezogen", WF_BY_CITIZEN, N_("Meldung zurückziehen")},
};

static const wf_workflow_t workflows[] = {
    {"standard", standard_statuses, COUNT(standard_statuses), standard_transitions, COUNT(standard_transitions)},
    {"reisepass", reisepass_statuses, COUNT(reisepass_statuses), reisepass_transitions,
     COUNT(reisepass_transitions)},
    {"zweckentfremdung", zweck_statuses, COUNT(zweck_statuses), zweck_transitions, COUNT(zweck_transitions)},
    {"meldung", meldung_statuses, COUNT(meldung_statuses), meldung_transitions, COUNT(meldung_transitions)},
};

/* Every status key of every workflow, once, in the order an inbox filter lists
 * them (the order a case moves through). Kept by hand next to the tables; the
 * unit test checks that it holds each status of each table. */
static const char *const all_statuses[] = {
    "eingegangen",   "in_pruefung", "rueckfrage", "in_herstellung", "abholbereit",
    "entschieden",   "abgeschlossen", "abgelehnt", "zurueckgezogen",
};

/* The label of a draft, which comes before any workflow. */
static const char draft_status[] = "entwurf";
static const char *const draft_label = N_("Entwurf");

/* ---- lookups ---------------------------------------------------------------------- */

static const wf_workflow_t *find_workflow(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < COUNT(workflows); i++)
        if (strcmp(workflows[i].name, name) == 0)
            return &workflows[i];
    return NULL;
}

static const wf_status_t *find_status(const wf_workflow_t *w, const char *status)
{
    if (!w || !status)
        return NULL;
    for (size_t i = 0; i < w->status_count; i++)
        if (strcmp(w->statuses[i].name, status) == 0)
            return &w->statuses[i];
    return NULL;
}

static const wf_transition_t *find_transition(const char *workflow, const char *from, const char *to, int by)
{
    const wf_workflow_t *w = find_workflow(workflow);
    if (!w || !from || !to)
        return NULL;
    for (size_t i = 0; i < w->transition_count; i++) {
        const wf_transition_t *t = &w->transitions[i];
        if (t->by == by && strcmp(t->from, from) == 0 && strcmp(t->to, to) == 0)
            return t;
    }
    return NULL;
}

static int has_flag(const char *workflow, const char *status, unsigned flag)
{
    const wf_status_t *s = find_status(find_workflow(workflow), status);
    return s && (s->flags & flag);
}

const char *workflow_status_label(const char *workflow, const char *status)
{
    if (!status)
        return "";
    const wf_status_t *s = find_status(find_workflow(workflow), status);
    if (s)
        return s->label;
    if (strcmp(status, draft_status) == 0)
        return draft_label;
    /* No workflow (a list across services) or an unknown one (a service
     * misconfigured by hand): the first workflow that knows the status names
     * it, the standard one first; anything else shows the key itself rather
     * than nothing. */
    for (size_t i = 0; i < COUNT(workflows) && !s; i++)
        s = find_status(&workflows[i], status);
    return s ? s->label : status;
}

int workflow_may(const char *workflow, const char *from, const char *to)
{
    return find_transition(workflow, from, to, WF_BY_STAFF) != NULL;
}

int workflow_citizen_may(const char *workflow, const char *from, const char *to)
{
    return find_transition(workflow, from, to, WF_BY_CITIZEN) != NULL;
}

int workflow_is_final(const char *workflow, const char *status)
{
    return has_flag(workflow, status, WF_FINAL);
}

int workflow_citizen_sees(const char *workflow, const char *status)
{
    return has_flag(workflow, status, WF_VISIBLE);
}

int workflow_notifies(const char *workflow, const char *status)
{
    return has_flag(workflow, status, WF_NOTIFY);
}

int workflow_is_decision(const char *workflow, const char *status)
{
    return has_flag(workflow, status, WF_DECISION);
}

int workflow_has_notice(const char *workflow, const char *status)
{
    return has_flag(workflow, status, WF_NOTICE);
}

int workflow_known(const char *workflow, const char *status)
{
    return find_status(find_workflow(workflow), status) != NULL;
}

size_t workflow_next(const char *workflow, const char *from, const char **to, const char **action, size_t max)
{
    const wf_workflow_t *w = find_workflow(workflow);
    size_t n = 0;
    if (!w || !from)
        return 0;
    for (size_t i = 0; i < w->transition_count && n < max; i++) {
        const wf_transition_t *t = &w->transitions[i];
        if (t->by != WF_BY_STAFF || strcmp(t->from, from) != 0)
            continue;
        to[n] = t->to;
        if (action)
            action[n] = t->action;
        n++;
    }
    return n;
}

size_t workflow_statuses(const char *workflow, const char **out, size_t max)
{
    size_t n = 0;
    if (!workflow) {
        for (size_t i = 0; i < COUNT(all_statuses) && n < max; i++)
            out[n++] = all_statuses[i];
        return n;
    }
    const wf_workflow_t *w = find_workflow(workflow);
    for (size_t i = 0; w && i < w->status_count && n < max; i++)
        out[n++] = w->statuses[i].name;
    return n;
}

size_t workflow_names(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < COUNT(workflows) && n < max; i++)
        out[n++] = workflows[i].name;
    return n;
}
