/* test_requests.c — unit tests for the rules of the Anregungen
 * (src/modules/participation/requests_rules.c) and for the parts that touch the
 * database without HTTP: participation_is_resident and the job that ends a
 * support period (requests.c), on SQLite and PostgreSQL.
 *
 * What residents and the coordination office rely on: every Mainz postcode and
 * only those count (Mainz-Kastel is Wiesbaden), the town may name an Ortsbezirk,
 * a person is 14 from the start of the 14th birthday — one day before is not
 * enough, and someone born on 29 February turns older on 1 March —, a support
 * period is 8 weeks and its last day counts as a day left, a collection that ran
 * out reads as "not reached" before the job has stored it, the office can only
 * take the steps of the table, and the job ends a period exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fixture_db.h"
#include "modules/participation/internal.h"
#include "modules/participation/requests_internal.h"
#include "platform/jobs.h"

#define DAY 86400

/* ---- residency ----------------------------------------------------------------------- */

static void test_postcodes_of_mainz(void **state)
{
    (void)state;
    static const char *const mainz[] = {"55116", "55118", "55120", "55122", "55124", "55126",
                                        "55127", "55128", "55129", "55130", "55131"};
    for (size_t i = 0; i < sizeof(mainz) / sizeof(mainz[0]); i++)
        assert_true(requests_postcode_is_mainz(mainz[i]));
    assert_true(requests_postcode_is_mainz(" 55116 "));
    /* Kastel, Kostheim (Wiesbaden), Wiesbaden itself, neighbours, near misses. */
    static const char *const others[] = {"55252", "55246",  "65183",  "55119", "55132", "55117",
                                         "5511",  "551160", "55 116", "",      "abcde", "55116a"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        if (requests_postcode_is_mainz(others[i]))
            fail_msg("postcode '%s' taken for Mainz", others[i]);
    }
    assert_false(requests_postcode_is_mainz(NULL));
}

static void test_town_is_mainz(void **state)
{
    (void)state;
    static const char *const yes[] = {"Mainz",
                                      " mainz ",
                                      "MAINZ",
                                      "Mainz-Gonsenheim",
                                      "Mainz Finthen",
                                      "mainz-bretzenheim",
                                      "Mainz-Hartenberg-Münchfeld",
                                      "Mainz-Laubenheim"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!requests_city_is_mainz(yes[i]))
            fail_msg("'%s' not taken for Mainz", yes[i]);
    }
    static const char *const no[] = {"Mainz-Kastel",    "Mainz-Kostheim", "Mainz-Amöneburg", "Wiesbaden", "Mainzer",
                                     "Mainz-",          "Mainz -Finthen", "Mainz-Mainz",     "Budenheim", "",
                                     "Mainz am Rhein x"};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        if (requests_city_is_mainz(no[i]))
            fail_msg("'%s' taken for Mainz", no[i]);
    }
    assert_false(requests_city_is_mainz(NULL));
}

static void test_age_in_whole_years(void **state)
{
    (void)state;
    assert_int_equal(requests_age_on("2010-06-15", 2024, 6, 14), 13);
    assert_int_equal(requests_age_on("2010-06-15", 2024, 6, 15), 14);
    assert_int_equal(requests_age_on("2010-06-15", 2024, 12, 31), 14);
    assert_int_equal(requests_age_on("2010-06-15", 2025, 1, 1), 14);
    assert_int_equal(requests_age_on("2010-06-15", 2010, 6, 15), 0);
    /* 29 February: in other years the new year of life starts on 1 March. */
    assert_int_equal(requests_age_on("2008-02-29", 2022, 2, 28), 13);
    assert_int_equal(requests_age_on("2008-02-29", 2022, 3, 1), 14);
    assert_int_equal(requests_age_on("2008-02-29", 2024, 2, 28), 15);
    assert_int_equal(requests_age_on("2008-02-29", 2024, 2, 29), 16);
    /* Not a date, or after the day asked about. */
    static const char *const bad[] = {"2010-02-30",  "2009-02-29", "2010-13-01", "2010-00-10",
                                      "2010-04-31",  "15.06.2010", "2010-6-15",  "2010-06-1",
                                      "2010-06-150", "",           "abcd-ef-gh", "1799-01-01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (requests_age_on(bad[i], 2024, 6, 15) != -1)
            fail_msg("birth date '%s' accepted", bad[i]);
    }
    assert_int_equal(requests_age_on("2024-06-16", 2024, 6, 15), -1);
    assert_int_equal(requests_age_on(NULL, 2024, 6, 15), -1);
}

/* The local date of now shifted by years and days, as yyyy-mm-dd (mktime normalises). */
static void date_from_today(int64_t now, int years, int days, char out[16])
{
    int y, m, d;
    requests_local_date(now, &y, &m, &d);
    struct tm tm = {.tm_year = y + years - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12, .tm_isdst = -1};
    if (m == 2 && d == 29 && years % 4 != 0)
        tm.tm_mday = 28; /* the same day years ago did not exist: take the 28th */
    mktime(&tm);
    tm.tm_mday += days;
    tm.tm_isdst = -1;
    mktime(&tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static void test_residency_refusals(void **state)
{
    (void)state;
    int64_t now = (int64_t)time(NULL);
    char fourteen[16], almost[16], twelve[16];
    date_from_today(now, -14, 0, fourteen); /* 14 today */
    date_from_today(now, -14, 1, almost);   /* 13 years and 364 (or 365) days: 14 tomorrow */
    date_from_today(now, -13, 364, twelve); /* today minus 13 years plus 364 days: 12 */
    assert_null(requests_residency_refusal(1, "55116", "Mainz", fourteen, 14, now));
    assert_null(requests_residency_refusal(2, "55131", "Mainz-Hechtsheim", "1970-01-01", 14, now));
    const char *why = requests_residency_refusal(1, "55116", "Mainz", almost, 14, now);
    assert_non_null(why);
    assert_non_null(strstr(why, "ab 14 Jahren"));
    assert_non_null(requests_residency_refusal(1, "55116", "Mainz", twelve, 14, now));
    /* Without an age limit the birth date does not matter, not even a missing one. */
    assert_null(requests_residency_refusal(1, "55116", "Mainz", "", 0, now));
    assert_null(requests_residency_refusal(1, "55116", "Mainz", almost, 0, now));
    /* Each reason has its own message. */
    const char *unconfirmed = requests_residency_refusal(0, "55116", "Mainz", fourteen, 14, now);
    const char *no_address = requests_residency_refusal(1, "", "", fourteen, 14, now);
    const char *elsewhere = requests_residency_refusal(1, "65183", "Wiesbaden", fourteen, 14, now);
    const char *kastel = requests_residency_refusal(1, "55116", "Mainz-Kastel", fourteen, 14, now);
    const char *no_birth = requests_residency_refusal(1, "55116", "Mainz", "", 14, now);
    assert_non_null(strstr(unconfirmed, "E-Mail-Adresse"));
    assert_non_null(strstr(no_address, "Adresse in Mainz ein"));
    assert_non_null(strstr(elsewhere, "nicht in Mainz"));
    assert_string_equal(kastel, elsewhere);
    assert_non_null(strstr(no_birth, "Geburtsdatum ein"));
    assert_non_null(requests_residency_refusal(1, "55116", "", fourteen, 14, now));
    /* Another minimum age gets the general message. */
    assert_non_null(strstr(requests_residency_refusal(1, "55116", "Mainz", fourteen, 16, now), "Mindestalter"));
}

/* ---- the support period, statuses, steps ----------------------------------------------- */

static void test_support_period(void **state)
{
    (void)state;
    int64_t start = 1767225600; /* 2026-01-01T00:00:00Z */
    assert_int_equal(requests_period_end(start), start + 56 * DAY);
    int64_t end = requests_period_end(start);
    assert_int_equal(requests_days_left(end, start), 56);
    assert_int_equal(requests_days_left(end, end - 1), 1);
    assert_int_equal(requests_days_left(end, end - DAY), 1);
    assert_int_equal(requests_days_left(end, end - DAY - 1), 2);
    assert_int_equal(requests_days_left(end, end), 0);
    assert_int_equal(requests_days_left(end, end + DAY), 0);
    assert_string_equal(requests_effective_status("sammlung", end, end - 1), "sammlung");
    assert_string_equal(requests_effective_status("sammlung", end, end), "nicht_erreicht");
    assert_string_equal(requests_effective_status("erfolgreich", end, end + DAY), "erfolgreich");
    assert_string_equal(requests_effective_status("eingereicht", 0, end), "eingereicht");
}

static void test_statuses_and_steps(void **state)
{
    (void)state;
    static const char *const all[] = {"eingereicht",    "abgelehnt", "sammlung", "erfolgreich",
                                      "nicht_erreicht", "vorlage",   "stadtrat", "entschieden"};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        assert_true(strcmp(requests_status_label(all[i]), all[i]) != 0); /* each has a label */
        assert_int_equal(requests_status_is_public(all[i]), i != 0);     /* all but the office's check */
    }
    assert_false(requests_status_is_public("unbekannt"));
    assert_string_equal(requests_status_label("unbekannt"), "unbekannt");

    /* The office's way from a new Anregung to the council's decision. */
    const requests_step_t *s = requests_step("eingereicht", "annehmen");
    assert_non_null(s);
    assert_string_equal(s->to, "sammlung");
    assert_false(s->text_required);
    s = requests_step("eingereicht", "ablehnen");
    assert_non_null(s);
    assert_string_equal(s->to, "abgelehnt");
    assert_true(s->text_required && s->with_reason);
    const char *path[][2] = {{"erfolgreich", "vorlage"}, {"vorlage", "stadtrat"}, {"stadtrat", "entscheidung"}};
    const char *expect[] = {"vorlage", "stadtrat", "entschieden"};
    for (size_t i = 0; i < 3; i++) {
        s = requests_step(path[i][0], path[i][1]);
        assert_non_null(s);
        assert_string_equal(s->to, expect[i]);
    }
    assert_true(requests_step("stadtrat", "entscheidung")->with_decision);
    /* The platform's own moves are no office steps, and nothing goes back. */
    const requests_step_t *none[4];
    assert_int_equal(requests_steps_from("sammlung", none, 4), 0);
    assert_int_equal(requests_steps_from("entschieden", none, 4), 0);
    assert_int_equal(requests_steps_from("abgelehnt", none, 4), 0);
    assert_int_equal(requests_steps_from("eingereicht", none, 4), 2);
    assert_int_equal(requests_steps_from("eingereicht", none, 1), 1);
    assert_null(requests_step("sammlung", "annehmen"));
    assert_null(requests_step("erfolgreich", "entscheidung"));
    assert_null(requests_step("entschieden", "vorlage"));
    assert_null(requests_step("eingereicht", NULL));

    size_t n;
    const requests_choice_t *reasons = requests_reasons(&n);
    assert_true(n >= 2);
    assert_non_null(requests_choice_label(reasons, n, "zustaendigkeit"));
    assert_non_null(requests_choice_label(reasons, n, "zu_spaet"));
    assert_null(requests_choice_label(reasons, n, "gefaellt_nicht"));
    const requests_choice_t *forms = requests_forms(&n);
    assert_int_equal(n, 4);
    assert_non_null(requests_choice_label(forms, n, "mitentscheidung"));
}

/* ---- with a database ------------------------------------------------------------------------ */

static int64_t insert_user(db_t *db, const char *email, int trust, const char *postcode, const char *city,
                           const char *birth)
{
    static const char sql_user[] = "INSERT INTO users (email, email_confirmed_at, trust_level, created_at, updated_at)"
                                   " VALUES ($1, 1, $2, 1, 1) RETURNING id";
    static const char sql_profile[] = "INSERT INTO profiles (user_id, given_name, family_name, birth_date, postcode,"
                                      " city, updated_at) VALUES ($1, 'Test', 'Person', $2, $3, $4, 1)";
    db_stmt_t *st;
    assert_int_equal(db_prepare(db, sql_user, &st), 0);
    db_bind_text(st, 1, email, -1);
    db_bind_int64(st, 2, trust);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t id = db_column_int64(st, 0);
    db_reset(st);
    if (!postcode)
        return id;
    assert_int_equal(db_prepare(db, sql_profile, &st), 0);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, birth, -1);
    db_bind_text(st, 3, postcode, -1);
    db_bind_text(st, 4, city, -1);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    return id;
}

static void test_is_resident_reads_the_profile(void **state)
{
    fixture_db_t *fx = *state;
    int64_t now = (int64_t)time(NULL);
    char fourteen[16], almost[16];
    date_from_today(now, -14, 0, fourteen);
    date_from_today(now, -14, 1, almost);
    int64_t ok = insert_user(fx->db, "a@example.org", 1, "55116", "Mainz", fourteen);
    int64_t young = insert_user(fx->db, "b@example.org", 1, "55116", "Mainz", almost);
    int64_t away = insert_user(fx->db, "c@example.org", 2, "65183", "Wiesbaden", "1980-01-01");
    int64_t bare = insert_user(fx->db, "d@example.org", 1, NULL, NULL, NULL); /* no profile at all */
    const char *why = "unchanged";
    assert_int_equal(participation_is_resident(fx->db, ok, 14, &why), 1);
    assert_null(why);
    assert_int_equal(participation_is_resident(fx->db, young, 14, &why), 0);
    assert_non_null(strstr(why, "ab 14 Jahren"));
    assert_int_equal(participation_is_resident(fx->db, young, 0, &why), 1);
    assert_int_equal(participation_is_resident(fx->db, away, 14, &why), 0);
    assert_non_null(strstr(why, "nicht in Mainz"));
    assert_int_equal(participation_is_resident(fx->db, bare, 14, &why), 0);
    assert_non_null(strstr(why, "Adresse in Mainz ein"));
    assert_int_equal(participation_is_resident(fx->db, 999999, 14, &why), 0);
    /* A deleted or blocked account is no resident any more. */
    assert_int_equal(db_exec(fx->db, "UPDATE users SET deleted_at = 5 WHERE email = 'a@example.org'"), 0);
    assert_int_equal(participation_is_resident(fx->db, ok, 14, &why), 0);
    assert_int_equal(db_exec(fx->db, "UPDATE users SET blocked_at = 5 WHERE email = 'b@example.org'"), 0);
    assert_int_equal(participation_is_resident(fx->db, young, 0, &why), 0);
}

static int64_t query_int(db_t *db, const char *sql, int64_t arg)
{
    int64_t v = -1;
    assert_true(db_query_int64_arg(db, sql, arg, &v) >= 0);
    return v;
}

static int64_t collecting_request(db_t *db, int64_t author, int64_t ends_at)
{
    static const char sql[] =
        "INSERT INTO participation_requests (author_id, author_name, topic, title, justification, desired_form,"
        " status, quorum, support_count, submitted_at, published_at, collect_ends_at, updated_at)"
        " VALUES ($1, 'Test Person', 'Thema', 'Titel', 'Eine ausreichend lange Begründung.', 'konsultation',"
        " 'sammlung', 200, 12, 1, 2, $2, 2) RETURNING id";
    db_stmt_t *st;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    db_bind_int64(st, 1, author);
    db_bind_int64(st, 2, ends_at);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t id = db_column_int64(st, 0);
    db_reset(st);
    return id;
}

static const char sql_status_is[] =
    "SELECT COUNT(*) FROM participation_requests WHERE id = $1 AND status = 'nicht_erreicht'";
static const char sql_history_count[] = "SELECT COUNT(*) FROM participation_request_history WHERE request_id = $1";
static const char sql_deadline_jobs[] =
    "SELECT COUNT(*) FROM jobs WHERE kind = 'participation.request_deadline' AND run_at = $1";
static const char sql_mails[] = "SELECT COUNT(*) FROM mail_outbox WHERE id > $1";

static void test_deadline_job_ends_a_period_once(void **state)
{
    fixture_db_t *fx = *state;
    int64_t now = (int64_t)time(NULL);
    int64_t author = insert_user(fx->db, "autorin@example.org", 1, "55116", "Mainz", "1980-01-01");
    int64_t over = collecting_request(fx->db, author, now - 10);
    int64_t running = collecting_request(fx->db, author, now + 3 * DAY);
    char err[256] = "";

    json_t *payload = json_pack("{s:I}", "id", (json_int_t)over);
    assert_int_equal(requests_deadline_job(fx->db, &fx->cfg, payload, err, sizeof(err)), 0);
    assert_int_equal(query_int(fx->db, sql_status_is, over), 1);
    assert_int_equal(query_int(fx->db, sql_history_count, over), 1);
    assert_int_equal(query_int(fx->db, sql_mails, 0), 1); /* the author is told */
    /* A second run (a job run twice after a crash) changes nothing. */
    assert_int_equal(requests_deadline_job(fx->db, &fx->cfg, payload, err, sizeof(err)), 0);
    assert_int_equal(query_int(fx->db, sql_history_count, over), 1);
    assert_int_equal(query_int(fx->db, sql_mails, 0), 1);
    json_decref(payload);

    /* Too early: the collection goes on, and the job waits for the end. */
    payload = json_pack("{s:I}", "id", (json_int_t)running);
    assert_int_equal(requests_deadline_job(fx->db, &fx->cfg, payload, err, sizeof(err)), 0);
    assert_int_equal(query_int(fx->db, sql_status_is, running), 0);
    assert_int_equal(query_int(fx->db, sql_deadline_jobs, now + 3 * DAY), 1);
    json_decref(payload);

    /* A gone Anregung is done with; a bad payload is given up. */
    payload = json_pack("{s:I}", "id", (json_int_t)987654);
    assert_int_equal(requests_deadline_job(fx->db, &fx->cfg, payload, err, sizeof(err)), 0);
    json_decref(payload);
    payload = json_pack("{s:s}", "id", "x");
    assert_int_equal(requests_deadline_job(fx->db, &fx->cfg, payload, err, sizeof(err)), JOBS_GIVE_UP);
    json_decref(payload);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_postcodes_of_mainz), cmocka_unit_test(test_town_is_mainz),
        cmocka_unit_test(test_age_in_whole_years), cmocka_unit_test(test_residency_refusals),
        cmocka_unit_test(test_support_period),     cmocka_unit_test(test_statuses_and_steps),
    };
    const struct CMUnitTest with_db[] = {
        cmocka_unit_test_setup_teardown(test_is_resident_reads_the_profile, fixture_db_setup_migrated,
                                        fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_deadline_job_ends_a_period_once, fixture_db_setup_migrated,
                                        fixture_db_teardown),
    };
    int failed = cmocka_run_group_tests_name("requests rules", pure, NULL, NULL);
    failed += fixture_db_run("requests", with_db, with_db);
    return failed ? 1 : 0;
}
