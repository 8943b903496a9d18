/* test_workflow.c — the case workflows (workflow.c) and case_set_status (cases.c).
 *
 * The first group pins the tables down from outside: for every workflow, every
 * pair of statuses (and a draft and an unknown key) is either one of the moves
 * written out below or refused, for the office and for the applicant; the final
 * statuses, the labels a citizen reads, the decision and notice flags, and that
 * every label has an English translation (po/en/services-cases.po).
 *
 * The second group runs case_set_status on a real database, SQLite and
 * PostgreSQL: a move is stored with its history entry and audit entry, a move
 * the workflow does not have changes nothing, a final status closes the case,
 * only the applicant withdraws, four eyes cannot be bypassed (not by the
 * proposer, not without a proposal), a decision yields a PDF notice attached to
 * a Postfach message, an anonymous report gets no message, and each notice
 * template fills every placeholder it uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/config.h"
#include "modules/services/internal.h"
#include "view/i18n.h"

#include "fixture_db.h"

/* ---- the tables, written out a second time ----------------------------------------- */

typedef struct move {
    const char *from, *to;
} move_t;

static const move_t standard_staff[] = {
    {"eingegangen", "in_pruefung"}, {"in_pruefung", "rueckfrage"}, {"rueckfrage", "in_pruefung"},
    {"in_pruefung", "entschieden"}, {"entschieden", "abgeschlossen"}, {"eingegangen", "abgelehnt"},
    {"in_pruefung", "abgelehnt"},   {"rueckfrage", "abgelehnt"},      {NULL, NULL},
};
static const move_t standard_citizen[] = {
    {"eingegangen", "zurueckgezogen"}, {"in_pruefung", "zurueckgezogen"}, {"rueckfrage", "zurueckgezogen"},
    {"entschieden", "zurueckgezogen"}, {NULL, NULL},
};
static const move_t reisepass_staff[] = {
    {"eingegangen", "in_pruefung"}, {"in_pruefung", "in_herstellung"}, {"in_herstellung", "abholbereit"},
    {"abholbereit", "abgeschlossen"}, {"eingegangen", "abgelehnt"},    {"in_pruefung", "abgelehnt"},
    {NULL, NULL},
};
static const move_t reisepass_citizen[] = {
    {"eingegangen", "zurueckgezogen"},    {"in_pruefung", "zurueckgezogen"}, {"in_herstellung", "zurueckgezogen"},
    {"abholbereit", "zurueckgezogen"},    {NULL, NULL},
};
static const move_t meldung_staff[] = {
    {"eingegangen", "in_pruefung"}, {"in_pruefung", "abgeschlossen"}, {"in_pruefung", "abgelehnt"}, {NULL, NULL},
};
static const move_t meldung_citizen[] = {
    {"eingegangen", "zurueckgezogen"}, {"in_pruefung", "zurueckgezogen"}, {NULL, NULL},
};

static const struct {
    const char *workflow;
    const move_t *staff, *citizen;
    const char *finals[4];
    const char *decisions[3];
} expected[] = {
    {"standard", standard_staff, standard_citizen, {"abgeschlossen", "abgelehnt", "zurueckgezogen"},
     {"entschieden", "abgelehnt"}},
    {"zweckentfremdung", standard_staff, standard_citizen, {"abgeschlossen", "abgelehnt", "zurueckgezogen"},
     {"entschieden", "abgelehnt"}},
    {"reisepass", reisepass_staff, reisepass_citizen, {"abgeschlossen", "abgelehnt", "zurueckgezogen"},
     {"abgelehnt"}},
    {"meldung", meldung_staff, meldung_citizen, {"abgeschlossen", "abgelehnt", "zurueckgezogen"}, {NULL}},
};
#define EXPECTED_COUNT (sizeof(expected) / sizeof(expected[0]))

static int listed(const move_t *moves, const char *from, const char *to)
{
    for (const move_t *m = moves; m->from; m++)
        if (strcmp(m->from, from) == 0 && strcmp(m->to, to) == 0)
            return 1;
    return 0;
}

static int in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* Every status key of every workflow, plus a draft and a key nobody knows. */
static size_t all_keys(const char **out, size_t max)
{
    size_t n = workflow_statuses(NULL, out, max - 2);
    out[n++] = "entwurf";
    out[n++] = "gibt_es_nicht";
    return n;
}

static void test_every_move_of_every_workflow(void **state)
{
    (void)state;
    const char *keys[40];
    size_t n = all_keys(keys, 40);
    for (size_t w = 0; w < EXPECTED_COUNT; w++) {
        const char *wf = expected[w].workflow;
        size_t staff_seen = 0, citizen_seen = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n; k++) {
                int staff = listed(expected[w].staff, keys[i], keys[k]);
                int citizen = listed(expected[w].citizen, keys[i], keys[k]);
                if (workflow_may(wf, keys[i], keys[k]) != staff || workflow_citizen_may(wf, keys[i], keys[k]) != citizen)
                    fail_msg("%s: %s → %s: office %d (want %d), applicant %d (want %d)", wf, keys[i], keys[k],
                             workflow_may(wf, keys[i], keys[k]), staff, workflow_citizen_may(wf, keys[i], keys[k]),
                             citizen);
                staff_seen += staff;
                citizen_seen += citizen;
            }
        /* Every written-out move was met among the keys (none is misspelt above). */
        size_t staff_listed = 0, citizen_listed = 0;
        for (const move_t *m = expected[w].staff; m->from; m++)
            staff_listed++;
        for (const move_t *m = expected[w].citizen; m->from; m++)
            citizen_listed++;
        assert_int_equal(staff_seen, staff_listed);
        assert_int_equal(citizen_seen, citizen_listed);
    }
}

static void test_unknown_workflow_allows_nothing(void **state)
{
    (void)state;
    assert_false(workflow_may("gibt_es_nicht", "eingegangen", "in_pruefung"));
    assert_false(workflow_may(NULL, "eingegangen", "in_pruefung"));
    assert_false(workflow_may("standard", NULL, "in_pruefung"));
    assert_false(workflow_may("standard", "eingegangen", NULL));
    assert_false(workflow_citizen_may("gibt_es_nicht", "eingegangen", "zurueckgezogen"));
    assert_false(workflow_is_final("gibt_es_nicht", "abgeschlossen"));
    const char *to[4];
    assert_int_equal(workflow_next("gibt_es_nicht", "eingegangen", to, NULL, 4), 0);
    assert_int_equal(workflow_statuses("gibt_es_nicht", to, 4), 0);
}

static void test_finals_and_decisions(void **state)
{
    (void)state;
    for (size_t w = 0; w < EXPECTED_COUNT; w++) {
        const char *wf = expected[w].workflow;
        const char *st[16];
        size_t n = workflow_statuses(wf, st, 16);
        assert_true(n >= 5);
        for (size_t i = 0; i < n; i++) {
            int final = in_list(expected[w].finals, 4, st[i]);
            if (workflow_is_final(wf, st[i]) != final)
                fail_msg("%s: %s final %d, want %d", wf, st[i], workflow_is_final(wf, st[i]), final);
            if (workflow_is_decision(wf, st[i]) != in_list(expected[w].decisions, 3, st[i]))
                fail_msg("%s: %s decision flag wrong", wf, st[i]);
            assert_true(workflow_known(wf, st[i]));
            assert_true(workflow_citizen_sees(wf, st[i]));
            /* A final status has no way out; any other has one for the office and
             * the applicant's way out (withdrawing). */
            const char *to[16];
            size_t next = workflow_next(wf, st[i], to, NULL, 16);
            if (final) {
                assert_int_equal(next, 0);
                assert_false(workflow_citizen_may(wf, st[i], "zurueckgezogen"));
            } else {
                if (next == 0)
                    fail_msg("%s: %s is a dead end", wf, st[i]);
                assert_true(workflow_citizen_may(wf, st[i], "zurueckgezogen"));
            }
        }
        assert_false(workflow_known(wf, "entwurf"));
    }
    assert_false(workflow_is_final("standard", "entwurf"));
}

static void test_next_in_table_order_with_actions(void **state)
{
    (void)state;
    const char *to[8], *action[8];
    size_t n = workflow_next("standard", "in_pruefung", to, action, 8);
    assert_int_equal(n, 3);
    assert_string_equal(to[0], "rueckfrage");
    assert_string_equal(to[1], "entschieden");
    assert_string_equal(to[2], "abgelehnt");
    assert_string_equal(action[0], "Rückfrage stellen");
    assert_string_equal(action[2], "Ablehnen");
    /* The cap holds. */
    assert_int_equal(workflow_next("standard", "in_pruefung", to, action, 2), 2);
    n = workflow_next("reisepass", "in_herstellung", to, action, 8);
    assert_int_equal(n, 1);
    assert_string_equal(to[0], "abholbereit");
    /* The applicant's move is not offered to the office. */
    n = workflow_next("meldung", "eingegangen", to, action, 8);
    assert_int_equal(n, 1);
    assert_string_equal(to[0], "in_pruefung");
}

static void test_labels(void **state)
{
    (void)state;
    assert_string_equal(workflow_status_label("standard", "in_pruefung"), "In Prüfung");
    assert_string_equal(workflow_status_label("standard", "rueckfrage"), "Rückfrage");
    assert_string_equal(workflow_status_label("reisepass", "in_herstellung"), "Pass wird hergestellt");
    assert_string_equal(workflow_status_label("reisepass", "abholbereit"), "Liegt zur Abholung bereit");
    assert_string_equal(workflow_status_label("reisepass", "abgeschlossen"), "Abgeholt");
    assert_string_equal(workflow_status_label("zweckentfremdung", "entschieden"), "Genehmigt");
    assert_string_equal(workflow_status_label("meldung", "abgeschlossen"), "Geprüft");
    assert_string_equal(workflow_status_label("meldung", "abgelehnt"), "Unbegründet");
    assert_string_equal(workflow_status_label("standard", "entwurf"), "Entwurf");
    /* No or an unknown workflow: the first workflow that knows the key names it. */
    assert_string_equal(workflow_status_label(NULL, "abholbereit"), "Liegt zur Abholung bereit");
    assert_string_equal(workflow_status_label("gibt_es_nicht", "abgeschlossen"), "Abgeschlossen");
    assert_string_equal(workflow_status_label("standard", "gibt_es_nicht"), "gibt_es_nicht");
    assert_string_equal(workflow_status_label("standard", NULL), "");
}

static void test_all_statuses_listed_once(void **state)
{
    (void)state;
    const char *all[40];
    size_t n = workflow_statuses(NULL, all, 40);
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            assert_string_not_equal(all[i], all[k]);
    const char *names[8];
    size_t nw = workflow_names(names, 8);
    assert_int_equal(nw, EXPECTED_COUNT);
    for (size_t w = 0; w < nw; w++) {
        const char *st[16];
        size_t ns = workflow_statuses(names[w], st, 16);
        for (size_t i = 0; i < ns; i++)
            if (!in_list(all, n, st[i]))
                fail_msg("%s: status %s missing from the list of all statuses", names[w], st[i]);
    }
}

/* Every label and button text reads in English too. */
static void test_labels_translated(void **state)
{
    (void)state;
    const char *langs[] = {"en", NULL};
    char err[512] = "";
    if (i18n_load("po", langs, err, sizeof(err)) != 0)
        fail_msg("po/: %s", err);
    const char *names[8];
    size_t nw = workflow_names(names, 8);
    for (size_t w = 0; w < nw; w++) {
        const char *st[16];
        size_t ns = workflow_statuses(names[w], st, 16);
        for (size_t i = 0; i < ns; i++) {
            const char *de = workflow_status_label(names[w], st[i]);
            if (strcmp(i18n_translate("en", de), de) == 0)
                fail_msg("no English for the label \"%s\"", de);
            const char *to[16], *action[16];
            size_t nn = workflow_next(names[w], st[i], to, action, 16);
            for (size_t k = 0; k < nn; k++)
                if (strcmp(i18n_translate("en", action[k]), action[k]) == 0)
                    fail_msg("no English for the button \"%s\"", action[k]);
        }
    }
    i18n_free();
}

/* ---- case_set_status on a database ------------------------------------------------ */

static const char setup_sql[] =
    "INSERT INTO units (slug, name, created_at) VALUES ('amt', 'Testamt', 0);"
    "INSERT INTO users (email, display_name, is_staff, trust_level, created_at, updated_at) VALUES"
    " ('buerger@example.org', 'Maria Muster', 0, 1, 0, 0),"
    " ('eins@rathaus.test', 'Erste Sachbearbeiterin', 1, 1, 0, 0),"
    " ('zwei@rathaus.test', 'Zweiter Sachbearbeiter', 1, 1, 0, 0);"
    "INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES"
    " ('test', 1, 'Test', '{\"form_key\":\"test\",\"title\":\"Test\",\"steps\":[]}', 0);"
    "INSERT INTO services (slug, name, unit_id, workflow, four_eyes, created_at, updated_at) VALUES"
    " ('standard', 'Standardleistung', 1, 'standard', 0, 0, 0),"
    " ('zweck', 'Ferienwohnung genehmigen', 1, 'zweckentfremdung', 1, 0, 0),"
    " ('meldung', 'Zweckentfremdung melden', 1, 'meldung', 0, 0, 0),"
    " ('pass', 'Reisepass', 1, 'reisepass', 0, 0, 0);";

/* Ids the setup makes (each table starts at 1 on both engines). */
enum { CITIZEN = 1, STAFF_A = 2, STAFF_B = 3 };
enum { SVC_STANDARD = 1, SVC_ZWECK = 2, SVC_MELDUNG = 3, SVC_PASS = 4 };

static int setup_cases(void **state)
{
    if (fixture_db_setup_migrated(state) != 0)
        return -1;
    fixture_db_t *fx = *state;
    if (db_exec(fx->db, setup_sql) != 0) {
        print_error("setup: %s\n", db_errmsg(fx->db));
        fixture_db_teardown(state);
        return -1;
    }
    return 0;
}

static const char sql_new_app[] =
    "INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, summary, fee_cents,"
    " created_at, submitted_at, updated_at) VALUES ($1, $2, 1, 1, $3, $4, 'Test', 1250, 100, 100, 100) RETURNING id";

static int64_t new_app(db_t *db, int64_t service, int64_t user, const char *status)
{
    static int counter;
    char ref[32];
    snprintf(ref, sizeof(ref), "MZ-2026-%06d", ++counter);
    db_stmt_t *st;
    assert_int_equal(db_prepare(db, sql_new_app, &st), 0);
    db_bind_text(st, 1, ref, -1);
    db_bind_int64(st, 2, service);
    if (user)
        db_bind_int64(st, 3, user);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, status, -1);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t id = db_column_int64(st, 0);
    db_reset(st);
    return id;
}

static const char sql_status_of[] = "SELECT status FROM applications WHERE id = $1";
static const char sql_closed_of[] = "SELECT COALESCE(closed_at, 0) FROM applications WHERE id = $1";
static const char sql_events_of[] =
    "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'status'";
static const char sql_visible_events_of[] =
    "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'status' AND internal = 0";
static const char sql_messages_of[] = "SELECT COUNT(*) FROM messages WHERE application_id = $1";
static const char sql_message_files_of[] =
    "SELECT COUNT(*) FROM messages m JOIN application_files f ON f.id = m.file_id"
    " WHERE m.application_id = $1 AND f.field = 'bescheid'";
static const char sql_notices_of[] =
    "SELECT COUNT(*) FROM application_files WHERE application_id = $1 AND field = 'bescheid'"
    " AND content_type = 'application/pdf'";
static const char sql_audits_of[] =
    "SELECT COUNT(*) FROM audit_log WHERE action = 'services.case.status' AND object = $1";
static const char sql_propose[] =
    "UPDATE applications SET approval_status = 'offen', approval_requested_by = $2, approval_target = 'entschieden',"
    " decision = 'Genehmigt für 180 Nächte.' WHERE id = $1";
static const char sql_approval_of[] = "SELECT approval_status FROM applications WHERE id = $1";

static const char sql_number_in_message_of[] =
    "SELECT COUNT(*) FROM messages m JOIN zweck_registrations r ON r.application_id = m.application_id"
    " WHERE m.application_id = $1 AND m.from_office = 1 AND m.body LIKE '%' || r.number || '%'";

static int64_t count(db_t *db, const char *sql, int64_t id)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64_arg(db, sql, id, &n), 0);
    return n;
}

static const char *text_of(db_t *db, const char *sql, int64_t id, char *out, size_t len)
{
    db_stmt_t *st;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    snprintf(out, len, "%s", db_column_text(st, 0));
    db_reset(st);
    return out;
}

typedef struct cx {
    config_t cfg;
    arena_t arena;
} cx_t;

static void cx_init(cx_t *c)
{
    config_defaults(&c->cfg);
    arena_init(&c->arena);
}

static void test_move_is_recorded(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    int64_t id = new_app(fx->db, SVC_STANDARD, CITIZEN, "eingegangen");
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "in_pruefung", STAFF_A, ""), 0);
    char buf[64];
    assert_string_equal(text_of(fx->db, sql_status_of, id, buf, sizeof(buf)), "in_pruefung");
    assert_int_equal(count(fx->db, sql_events_of, id), 1);
    assert_int_equal(count(fx->db, sql_visible_events_of, id), 1);
    assert_int_equal(count(fx->db, sql_closed_of, id), 0);
    /* In Prüfung is seen, not told: no message. */
    assert_int_equal(count(fx->db, sql_messages_of, id), 0);
    char object[32];
    snprintf(object, sizeof(object), "application:%lld", (long long)id);
    int64_t audits = -1;
    assert_int_equal(db_query_int64_text(fx->db, sql_audits_of, object, NULL, &audits), 0);
    assert_int_equal(audits, 1);
    arena_clear(&c.arena);
}

static void test_move_not_in_table_changes_nothing(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    int64_t id = new_app(fx->db, SVC_STANDARD, CITIZEN, "eingegangen");
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "entschieden", STAFF_A, "x"), 1);
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "gibt_es_nicht", STAFF_A, ""), 1);
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id + 1000, "in_pruefung", STAFF_A, ""), 1);
    int64_t draft = new_app(fx->db, SVC_STANDARD, CITIZEN, "entwurf");
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, draft, "in_pruefung", STAFF_A, ""), 1);
    char buf[64];
    assert_string_equal(text_of(fx->db, sql_status_of, id, buf, sizeof(buf)), "eingegangen");
    assert_int_equal(count(fx->db, sql_events_of, id), 0);
    arena_clear(&c.arena);
}

static void test_only_the_applicant_withdraws(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    int64_t id = new_app(fx->db, SVC_STANDARD, CITIZEN, "in_pruefung");
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "zurueckgezogen", STAFF_A, ""), 1);
    /* The applicant cannot act as the office on their own case. */
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "rueckfrage", CITIZEN, "Frage"), 1);
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "zurueckgezogen", CITIZEN, ""), 0);
    char buf[64];
    assert_string_equal(text_of(fx->db, sql_status_of, id, buf, sizeof(buf)), "zurueckgezogen");
    assert_true(count(fx->db, sql_closed_of, id) > 0);
    /* Final: nothing moves it any more. */
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "in_pruefung", STAFF_A, ""), 1);
    arena_clear(&c.arena);
}

static void test_question_tells_the_citizen(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    int64_t id = new_app(fx->db, SVC_STANDARD, CITIZEN, "in_pruefung");
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "rueckfrage", STAFF_A, "Bitte Nachweis schicken."), 0);
    assert_int_equal(count(fx->db, sql_messages_of, id), 1);
    arena_clear(&c.arena);
}

static void test_refusal_issues_a_notice(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    int64_t id = new_app(fx->db, SVC_STANDARD, CITIZEN, "in_pruefung");
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "abgelehnt", STAFF_A, "Die Frist ist abgelaufen."), 0);
    assert_true(count(fx->db, sql_closed_of, id) > 0);
    assert_int_equal(count(fx->db, sql_notices_of, id), 1);
    assert_int_equal(count(fx->db, sql_message_files_of, id), 1);
    arena_clear(&c.arena);
}

static void test_four_eyes_cannot_be_bypassed(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    int64_t id = new_app(fx->db, SVC_ZWECK, CITIZEN, "in_pruefung");
    /* No proposal: refused. */
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "entschieden", STAFF_A, "ja"), 1);
    db_stmt_t *st;
    assert_int_equal(db_prepare(fx->db, sql_propose, &st), 0);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, STAFF_A);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    /* The proposer cannot approve; a different decision than proposed neither. */
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "entschieden", STAFF_A, "ja"), 1);
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "abgelehnt", STAFF_B, "nein"), 1);
    char buf[64];
    assert_string_equal(text_of(fx->db, sql_status_of, id, buf, sizeof(buf)), "in_pruefung");
    /* Somebody else approves exactly what was proposed. */
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "entschieden", STAFF_B, "Genehmigt für 180 Nächte."),
                     0);
    assert_string_equal(text_of(fx->db, sql_status_of, id, buf, sizeof(buf)), "entschieden");
    assert_string_equal(text_of(fx->db, sql_approval_of, id, buf, sizeof(buf)), "freigegeben");
    assert_int_equal(count(fx->db, sql_notices_of, id), 1);
    /* The permit's notice names the flat's registration number (made by the hook). */
    application_t app;
    const char *text = NULL;
    assert_int_equal(application_load(fx->db, &c.arena, id, &app), 0);
    assert_int_equal(cases_notice_text(fx->db, &c.cfg, &c.arena, &app, "entschieden", app.decision, &text), 0);
    assert_non_null(strstr(text, "Registriernummer MZ-ZE-"));
    /* One message tells of the decision: the notice attached, the number in its text. */
    assert_int_equal(count(fx->db, sql_messages_of, id), 1);
    assert_int_equal(count(fx->db, sql_message_files_of, id), 1);
    assert_int_equal(count(fx->db, sql_number_in_message_of, id), 1);
    arena_clear(&c.arena);
}

static void test_anonymous_report_gets_no_message(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    int64_t id = new_app(fx->db, SVC_MELDUNG, 0, "eingegangen");
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "in_pruefung", STAFF_A, ""), 0);
    assert_int_equal(case_set_status(fx->db, &c.cfg, &c.arena, id, "abgeschlossen", STAFF_A, "Wir gehen dem nach."), 0);
    assert_int_equal(count(fx->db, sql_messages_of, id), 0);
    assert_int_equal(count(fx->db, sql_notices_of, id), 1); /* kept with the case */
    arena_clear(&c.arena);
}

/* Every notice the workflows issue has a template, and it fills every {{name}}. */
static void test_notice_templates_fill_every_placeholder(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    static const int64_t services[] = {SVC_STANDARD, SVC_ZWECK, SVC_MELDUNG, SVC_PASS};
    int found = 0;
    for (size_t s = 0; s < sizeof(services) / sizeof(services[0]); s++) {
        application_t app;
        int64_t id = new_app(fx->db, services[s], CITIZEN, "in_pruefung");
        assert_int_equal(application_load(fx->db, &c.arena, id, &app), 0);
        const char *st[16];
        size_t n = workflow_statuses(app.workflow, st, 16);
        for (size_t i = 0; i < n; i++) {
            if (!workflow_has_notice(app.workflow, st[i]))
                continue;
            const char *text = NULL;
            int rc = cases_notice_text(fx->db, &c.cfg, &c.arena, &app, st[i], "Der *Text* der Entscheidung.", &text);
            if (rc != 0)
                fail_msg("%s-%s: no notice template (rc %d)", app.workflow, st[i], rc);
            if (strstr(text, "{{"))
                fail_msg("%s-%s: a placeholder is left: %s", app.workflow, st[i], strstr(text, "{{"));
            assert_non_null(strstr(text, app.reference));
            assert_non_null(strstr(text, "Maria Muster"));
            found++;
        }
    }
    assert_true(found >= 6);
    arena_clear(&c.arena);
}

/* A name with Markdown in it stays a name in the notice: nothing of it becomes
 * a heading, emphasis, link or HTML; the caseworker's decision text keeps its
 * Markdown (lists, emphasis). */
static void test_notice_values_are_plain_text(void **state)
{
    fixture_db_t *fx = *state;
    cx_t c;
    cx_init(&c);
    assert_int_equal(db_exec(fx->db, "UPDATE users SET display_name = '- *Anna* [x](http://evil.example) <b>&amp;' WHERE id = 1"),
                     0);
    int64_t id = new_app(fx->db, SVC_STANDARD, CITIZEN, "in_pruefung");
    application_t app;
    assert_int_equal(application_load(fx->db, &c.arena, id, &app), 0);
    const char *text = NULL;
    assert_int_equal(cases_notice_text(fx->db, &c.cfg, &c.arena, &app, "abgelehnt", "- erstens\n- *zweitens*", &text),
                     0);
    assert_non_null(strstr(text, "Guten Tag - \\*Anna\\* \\[x\\](http://evil.example) \\<b\\>\\&amp;,"));
    assert_non_null(strstr(text, "\n- erstens\n- *zweitens*"));
    assert_non_null(strstr(text, app.reference)); /* hyphens stay as they are */
    arena_clear(&c.arena);
}

int main(void)
{
    const struct CMUnitTest tables[] = {
        cmocka_unit_test(test_every_move_of_every_workflow),
        cmocka_unit_test(test_unknown_workflow_allows_nothing),
        cmocka_unit_test(test_finals_and_decisions),
        cmocka_unit_test(test_next_in_table_order_with_actions),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_all_statuses_listed_once),
        cmocka_unit_test(test_labels_translated),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test_setup_teardown(test_move_is_recorded, setup_cases, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_move_not_in_table_changes_nothing, setup_cases, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_only_the_applicant_withdraws, setup_cases, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_question_tells_the_citizen, setup_cases, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_refusal_issues_a_notice, setup_cases, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_four_eyes_cannot_be_bypassed, setup_cases, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_anonymous_report_gets_no_message, setup_cases, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_notice_templates_fill_every_placeholder, setup_cases,
                                        fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_notice_values_are_plain_text, setup_cases, fixture_db_teardown),
    };
    int failed = cmocka_run_group_tests_name("workflow tables", tables, NULL, NULL);
    failed += fixture_db_run("workflow", db_tests, db_tests);
    return failed ? 1 : 0;
}
