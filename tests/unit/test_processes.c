/* test_processes.c — the rules of participation processes (processes_logic.c) and
 * the counts their writes keep (processes_store.c), the latter on SQLite and, with
 * RATHAUS_TEST_PG_URL, on PostgreSQL:
 *
 *   where a process stands and which phase runs at a moment, at the edges of a
 *   phase; which phases fit together; calendar days (leap years, nonsense dates,
 *   summer time); keyset cursors and comment paths, including hostile input;
 *   supports counted once; the numbers per status kept through answers, holds and
 *   releases; comments counted unless held, released ones counted
 *   then; replies nested no deeper than COMMENT_DEPTH_MAX; hiding with a reason;
 *   the component switch of the running phase.
 */
#include "fixture_db.h"

#include <time.h>

#include "core/arena.h"
#include "modules/participation/internal.h"
#include "modules/participation/processes.h"

#define DAY 86400

static process_phase_t phase(int64_t from, int64_t to, int proposals)
{
    process_phase_t p = {.kind = "consultation", .title = "t", .description = "", .starts_at = from, .ends_at = to};
    p.components[COMPONENT_PROPOSALS] = proposals;
    return p;
}

/* ---- pure rules ----------------------------------------------------------------------- */

static void test_state_and_running_phase(void **state)
{
    (void)state;
    process_phase_t ph[3] = {phase(100, 200, 0), phase(200, 300, 1), phase(400, 500, 1)};
    assert_int_equal(processes_state(ph, 0, 150), PROCESS_NO_PHASES);
    assert_int_equal(processes_state(ph, 3, 99), PROCESS_UPCOMING);
    assert_int_equal(processes_state(ph, 3, 100), PROCESS_CURRENT);
    assert_int_equal(processes_state(ph, 3, 350), PROCESS_CURRENT); /* a gap between phases */
    assert_int_equal(processes_state(ph, 3, 499), PROCESS_CURRENT);
    assert_int_equal(processes_state(ph, 3, 500), PROCESS_FINISHED);
    assert_string_equal(processes_state_name(PROCESS_FINISHED), "finished");

    /* The start belongs to a phase, its end to the next. */
    assert_int_equal(processes_running_phase(ph, 3, 99), -1);
    assert_int_equal(processes_running_phase(ph, 3, 100), 0);
    assert_int_equal(processes_running_phase(ph, 3, 199), 0);
    assert_int_equal(processes_running_phase(ph, 3, 200), 1);
    assert_int_equal(processes_running_phase(ph, 3, 350), -1);
    assert_int_equal(processes_next_phase(ph, 3, 350), 2);
    assert_int_equal(processes_next_phase(ph, 3, 450), -1);

    assert_false(processes_open_now(ph, 3, COMPONENT_PROPOSALS, 150));
    assert_true(processes_open_now(ph, 3, COMPONENT_PROPOSALS, 250));
    assert_false(processes_open_now(ph, 3, COMPONENT_PROPOSALS, 350));
    assert_false(processes_open_now(ph, 3, COMPONENT_COMMENTS, 250));
    assert_false(processes_open_now(ph, 3, 7, 250)); /* no such component */
}

static void test_phases_fit(void **state)
{
    (void)state;
    size_t bad = 99;
    process_phase_t ok[2] = {phase(100, 200, 0), phase(200, 300, 0)};
    assert_null(processes_phases_check(ok, 2, &bad));
    process_phase_t overlap[2] = {phase(100, 201, 0), phase(200, 300, 0)};
    assert_non_null(processes_phases_check(overlap, 2, &bad));
    assert_int_equal(bad, 1);
    process_phase_t backwards[1] = {phase(300, 300, 0)};
    assert_non_null(processes_phases_check(backwards, 1, &bad));
    assert_int_equal(bad, 0);
    process_phase_t many[PHASES_MAX + 1];
    for (int i = 0; i <= PHASES_MAX; i++)
        many[i] = phase(i * 10, i * 10 + 10, 0);
    assert_null(processes_phases_check(many, PHASES_MAX, &bad));
    assert_non_null(processes_phases_check(many, PHASES_MAX + 1, &bad));

    /* Sorting numbers the positions; a new phase (id 0) after stored ones at the same start. */
    process_phase_t s[3] = {phase(300, 400, 0), phase(100, 200, 0), phase(100, 150, 0)};
    s[0].id = 5;
    s[1].id = 0;
    s[2].id = 9;
    processes_phases_sort(s, 3);
    assert_int_equal(s[0].id, 9);
    assert_int_equal(s[1].id, 0);
    assert_int_equal(s[2].id, 5);
    assert_int_equal(s[2].position, 2);
}

static void test_days(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    int64_t start, end;
    assert_int_equal(processes_parse_day("2028-02-29", &start), 0);
    assert_string_equal(processes_iso_day(&a, start), "2028-02-29");
    assert_string_equal(processes_day_label(&a, start), "29.02.2028");
    assert_int_equal(processes_parse_day_end("2028-02-29", &end), 0);
    assert_string_equal(processes_iso_day(&a, end), "2028-03-01");
    assert_string_equal(processes_iso_day(&a, end - 1), "2028-02-29");
    /* The day summer time begins (Europe) is still one calendar day. */
    assert_int_equal(processes_parse_day("2027-03-28", &start), 0);
    assert_int_equal(processes_parse_day_end("2027-03-28", &end), 0);
    assert_string_equal(processes_iso_day(&a, end - 1), "2027-03-28");
    assert_true(end - start == DAY || end - start == DAY - 3600);
    static const char *const bad[] = {"2027-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "1999-12-31",
                                      "2200-01-01", "2026-1-01",  "26-01-01",   "2026/01/01", "2026-01-01x",
                                      "",           "2026-01-0a", "+026-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(processes_parse_day(bad[i], &start), 0);
    assert_int_not_equal(processes_parse_day(NULL, &start), 0);
    assert_string_equal(processes_day_label(&a, 0), "");
    arena_clear(&a);
}

static void test_cursors(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    int64_t key, id;
    assert_int_equal(processes_cursor_parse("12345", 0, &key, &id), 0);
    assert_int_equal(id, 12345);
    assert_int_equal(key, 12345);
    assert_int_equal(processes_cursor_parse("17.12345", 1, &key, &id), 0);
    assert_int_equal(key, 17);
    assert_int_equal(id, 12345);
    assert_int_equal(processes_cursor_parse("0.3", 1, &key, &id), 0); /* no supports yet */
    static const char *const bad_single[] = {"", "0", "-1", "1.2", "1 ", "abc", "1234567890123456789", "1e3"};
    for (size_t i = 0; i < sizeof bad_single / sizeof bad_single[0]; i++)
        assert_int_not_equal(processes_cursor_parse(bad_single[i], 0, &key, &id), 0);
    static const char *const bad_pair[] = {"12", "1.", ".1", "1.2.3", "-1.2", "1.-2", "1.0", "a.b", "1;DROP"};
    for (size_t i = 0; i < sizeof bad_pair / sizeof bad_pair[0]; i++)
        assert_int_not_equal(processes_cursor_parse(bad_pair[i], 1, &key, &id), 0);
    assert_int_not_equal(processes_cursor_parse(NULL, 1, &key, &id), 0);
    const char *c = processes_cursor(&a, 1, 42, 7);
    assert_string_equal(c, "42.7");
    assert_int_equal(processes_cursor_parse(c, 1, &key, &id), 0);
    assert_int_equal(key, 42);
    assert_int_equal(id, 7);
    arena_clear(&a);
}

static void test_comment_paths(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    const char *root = processes_comment_path(&a, "", 12);
    assert_string_equal(root, "000000000012");
    const char *child = processes_comment_path(&a, root, 15);
    assert_string_equal(child, "000000000012.000000000015");
    assert_true(processes_valid_path(root));
    assert_true(processes_valid_path(child));
    /* Thread order: a thread's replies sort after it and before the next thread. */
    assert_true(strcmp(root, child) < 0);
    assert_true(strcmp(child, processes_comment_path(&a, "", 13)) < 0);
    const char *deep = root;
    for (int d = 1; d < COMMENT_DEPTH_MAX; d++)
        deep = processes_comment_path(&a, deep, d);
    assert_true(processes_valid_path(deep));
    assert_false(processes_valid_path(processes_comment_path(&a, deep, 1))); /* deeper than threads go */
    static const char *const bad[] = {"",
                                      "12",
                                      "00000000001a",
                                      "000000000012.",
                                      "000000000012.00000000015",
                                      "000000000012,000000000015",
                                      "'; DROP TABLE comments; --"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(processes_valid_path(bad[i]));
    assert_false(processes_valid_path(NULL));
    arena_clear(&a);
}

static void test_text_helpers(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    assert_string_equal(processes_trim(&a, " \r\n Titel \t"), "Titel");
    assert_string_equal(processes_trim(&a, NULL), "");
    assert_int_equal(processes_chars("äöü"), 3);
    assert_int_equal(processes_number(NULL, 7, 1, 9), 7);
    assert_int_equal(processes_number("3", 7, 1, 9), 3);
    assert_int_equal(processes_number("10", 7, 1, 9), -1);
    assert_int_equal(processes_number("-3", 7, 1, 9), -1);
    assert_int_equal(processes_number("3a", 7, 1, 9), -1);
    assert_int_equal(processes_number("", 7, 1, 9), -1);
    assert_string_equal(
        processes_choice_label(processes_proposal_statuses, processes_proposal_status_count, "abgelehnt"), "Abgelehnt");
    assert_null(processes_choice_label(processes_proposal_statuses, processes_proposal_status_count, "egal"));
    arena_clear(&a);
}

/* ---- writes, on both engines ------------------------------------------------------------------ */

static int64_t add_user(db_t *db, const char *email)
{
    static const char sql[] = "INSERT INTO users (email, email_confirmed_at, trust_level, display_name, created_at, "
                              "updated_at) VALUES ($1, 1, 1, 'Test', 1, 1) RETURNING id";
    db_stmt_t *st;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    db_bind_text(st, 1, email, -1);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t id = db_column_int64(st, 0);
    db_reset(st);
    return id;
}

static int64_t count_of(db_t *db, const char *sql, int64_t id)
{
    int64_t v = -1;
    assert_int_equal(db_query_int64_arg(db, sql, id, &v), 0);
    return v;
}

static const char sql_supports[] = "SELECT support_count FROM proposals WHERE id = $1";
static const char sql_comments[] = "SELECT comment_count FROM proposals WHERE id = $1";

/* A published process with one running phase (proposals and comments on). */
static int64_t add_process(db_t *db, int64_t now, int64_t *proposal, int64_t author)
{
    process_input_t in = {.title = "Test", .summary = "s", .description = "", .status = "veroeffentlicht"};
    int64_t id = 0;
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(processes_store_create(db, &in, 0, now, &id), 0);
    process_phase_t ph = phase(now - DAY, now + DAY, 1);
    ph.components[COMPONENT_COMMENTS] = 1;
    assert_int_equal(processes_store_phase(db, id, &ph, now), 0);
    assert_int_equal(processes_store_proposal(db, id, author, "Ein Vorschlag", "Text", 0, now, proposal), 0);
    assert_int_equal(db_commit(db), 0);
    return id;
}

static void test_supports_counted_once(void **state)
{
    fixture_db_t *fx = *state;
    int64_t now = (int64_t)time(NULL), proposal = 0;
    int64_t anna = add_user(fx->db, "anna@example.org"), ben = add_user(fx->db, "ben@example.org");
    add_process(fx->db, now, &proposal, anna);
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(processes_support(fx->db, proposal, anna, now), 0);
    assert_int_equal(processes_support(fx->db, proposal, anna, now), 1);
    assert_int_equal(processes_support(fx->db, proposal, ben, now), 0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(count_of(fx->db, sql_supports, proposal), 2);
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(processes_unsupport(fx->db, proposal, ben), 0);
    assert_int_equal(processes_unsupport(fx->db, proposal, ben), 1);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(count_of(fx->db, sql_supports, proposal), 1);
}

static const char sql_status_total[] =
    "SELECT COALESCE(SUM(total), 0) FROM process_proposal_counts WHERE process_id = $1 AND status = $2";

static int64_t status_total(db_t *db, int64_t process_id, const char *status)
{
    db_stmt_t *st;
    assert_int_equal(db_prepare(db, sql_status_total, &st), 0);
    db_bind_int64(st, 1, process_id);
    db_bind_text(st, 2, status, -1);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_column_int64(st, 0);
    db_reset(st);
    return v;
}

static void test_status_counts_kept(void **state)
{
    fixture_db_t *fx = *state;
    int64_t now = (int64_t)time(NULL), first = 0, held = 0;
    int64_t anna = add_user(fx->db, "anna@example.org");
    int64_t pid = add_process(fx->db, now, &first, anna);
    assert_int_equal(status_total(fx->db, pid, "in_pruefung"), 1);
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(processes_store_proposal(fx->db, pid, anna, "Gehalten", "Text", 1, now, &held), 0);
    assert_int_equal(processes_answer(fx->db, first, "angenommen", "", "Ja.", 0, now), 0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(status_total(fx->db, pid, "in_pruefung"), 0);
    assert_int_equal(status_total(fx->db, pid, "angenommen"), 1);
    /* Answering a held proposal changes no public number; releasing it counts it. */
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(processes_answer(fx->db, held, "abgelehnt", "Nein.", "", 0, now), 0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(status_total(fx->db, pid, "abgelehnt"), 0);
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(processes_release_held(fx->db, "proposal", held, 0), 0);
    /* An edit that the word list holds takes it out again. */
    assert_int_equal(processes_update_proposal(fx->db, first, "Neu", "Neuer Text", 1, now), 0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(status_total(fx->db, pid, "abgelehnt"), 1);
    assert_int_equal(status_total(fx->db, pid, "angenommen"), 0);
    int64_t counts[8], total = 0;
    assert_int_equal(processes_status_counts(fx->db, pid, counts, &total), 0);
    assert_int_equal(total, 1);
    assert_int_equal(counts[2], 1); /* abgelehnt: the third status */
}

static void test_comments_threads_and_moderation(void **state)
{
    fixture_db_t *fx = *state;
    arena_t a;
    arena_init(&a);
    int64_t now = (int64_t)time(NULL), proposal = 0;
    int64_t anna = add_user(fx->db, "anna@example.org");
    int64_t pid = add_process(fx->db, now, &proposal, anna);
    assert_int_equal(processes_component_open(fx->db, pid, "comments", now), 1);
    assert_int_equal(processes_component_open(fx->db, pid, "surveys", now), 0);
    assert_int_equal(processes_component_open(fx->db, pid, "comments", now + 2 * DAY), 0);
    assert_int_equal(processes_component_open(fx->db, pid, "nonsense", now), -2);
    assert_int_equal(processes_visibility(fx->db, pid), 1);
    assert_int_equal(processes_visibility(fx->db, pid + 100), 0);

    /* A chain of replies: depth grows up to COMMENT_DEPTH_MAX - 1 and stays there. */
    assert_int_equal(db_begin_write(fx->db), 0);
    int64_t id = 0;
    comment_t parent;
    assert_int_equal(processes_store_comment(fx->db, &a, pid, "proposal", proposal, NULL, anna, "Anfang", 0, now, &id),
                     0);
    for (int i = 0; i < COMMENT_DEPTH_MAX + 2; i++) {
        assert_int_equal(processes_comment_load(fx->db, &a, "proposal", proposal, id, &parent), 0);
        assert_int_equal(
            processes_store_comment(fx->db, &a, pid, "proposal", proposal, &parent, anna, "Antwort", 0, now, &id), 0);
    }
    comment_t last;
    assert_int_equal(processes_comment_load(fx->db, &a, "proposal", proposal, id, &last), 0);
    assert_int_equal(last.depth, COMMENT_DEPTH_MAX - 1);
    assert_true(processes_valid_path(last.path));
    /* A held comment is not counted until it is released. */
    int64_t held = 0;
    assert_int_equal(
        processes_store_comment(fx->db, &a, pid, "proposal", proposal, NULL, anna, "Gehalten", 1, now, &held), 0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(count_of(fx->db, sql_comments, proposal), COMMENT_DEPTH_MAX + 3);

    /* The page: in thread order, the held one only for its author. */
    comment_t *rows;
    size_t n;
    int more;
    assert_int_equal(processes_comment_page(fx->db, &a, "proposal", proposal, NULL, 0, 0, 50, &rows, &n, &more), 0);
    assert_int_equal(n, COMMENT_DEPTH_MAX + 3);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(rows[i - 1].path, rows[i].path) < 0);
    assert_int_equal(processes_comment_page(fx->db, &a, "proposal", proposal, NULL, 0, anna, 50, &rows, &n, &more), 0);
    assert_int_equal(n, COMMENT_DEPTH_MAX + 4);
    assert_int_equal(processes_comment_page(fx->db, &a, "proposal", proposal, NULL, 0, 0, 3, &rows, &n, &more), 0);
    assert_int_equal(n, 3);
    assert_true(more);

    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(processes_release_held(fx->db, "comment", held, 1), 0);
    assert_int_equal(processes_release_held(fx->db, "comment", held, 1), 1);
    assert_int_equal(processes_hide(fx->db, "comment", held, "Beleidigung", 0), 0);
    assert_int_equal(processes_hide(fx->db, "comment", held, "", 0), -2);
    assert_int_equal(processes_hide(fx->db, "poll", held, "x", 0), -2);
    assert_int_equal(processes_hide(fx->db, "proposal", proposal + 99, "x", 0), 1);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(count_of(fx->db, sql_comments, proposal), COMMENT_DEPTH_MAX + 4);

    processes_contribution_t c;
    assert_int_equal(processes_contribution(fx->db, &a, "comment", held, &c), 0);
    assert_true(c.hidden);
    assert_false(c.held);
    assert_string_equal(c.hidden_reason, "Beleidigung");
    assert_int_equal(c.author_id, anna);
    assert_non_null(strstr(c.url, "#kommentar-"));
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(processes_unhide(fx->db, "comment", held, 0), 0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(processes_contribution(fx->db, &a, "comment", held, &c), 0);
    assert_false(c.hidden);
    assert_int_equal(processes_contribution(fx->db, &a, "proposal", proposal, &c), 0);
    assert_string_equal(c.title, "Ein Vorschlag");
    arena_clear(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_state_and_running_phase),
        cmocka_unit_test(test_phases_fit),
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_cursors),
        cmocka_unit_test(test_comment_paths),
        cmocka_unit_test(test_text_helpers),
    };
    /* The days of summer time are those of Mainz. */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    int failed = cmocka_run_group_tests_name("processes", pure, NULL, NULL);
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test_setup_teardown(test_supports_counted_once, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_status_counts_kept, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_comments_threads_and_moderation, fixture_db_setup_migrated,
                                        fixture_db_teardown),
    };
    failed += fixture_db_run("processes", db_tests, db_tests);
    return failed ? 1 : 0;
}
