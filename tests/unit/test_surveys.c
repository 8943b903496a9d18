/* test_surveys.c — surveys and events of participation processes: the pure rules
 * (surveys_logic.c) and the writes and tallies (surveys_store.c, events_store.c),
 * the latter on SQLite and, with RATHAUS_TEST_PG_URL, on PostgreSQL:
 *
 *   percentages and means rounded the same way everywhere; where a survey and an
 *   event stand at the edges of their dates; calendar days and local times from
 *   form fields (nonsense dates, leap years, summer time); option lines; CSV
 *   quoting (RFC 4180, formula guard) and both CSV files checked cell by cell;
 *   the results view model with its SVG charts; one answer set per account;
 *   questions fixed once answered; hiding a free text; capacity never exceeded,
 *   cancelling frees the place; the share in "Meine Daten" (export, deletion).
 */
#include "fixture_db.h"

#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "modules/participation/surveys_internal.h"

#define DAY 86400

/* ---- figures ------------------------------------------------------------------------------ */

static void test_percent_and_mean(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    assert_int_equal(surveys_permille(1, 3), 333);
    assert_int_equal(surveys_permille(2, 3), 667); /* 666.67 rounds up */
    assert_int_equal(surveys_permille(1, 6), 167);
    assert_int_equal(surveys_permille(1, 8), 125); /* exactly 12.5 % */
    assert_int_equal(surveys_permille(1, 16), 63); /* 62.5 per mille: half up */
    assert_int_equal(surveys_permille(3, 3), 1000);
    assert_int_equal(surveys_permille(0, 3), 0);
    assert_int_equal(surveys_permille(5, 0), 0); /* nobody answered: no division */

    int64_t ratings[5] = {0, 2, 2, 1, 1}; /* 2+2+3+3+4+5 = 19 of 6 = 3.1666 */
    int64_t n = 0;
    assert_int_equal(surveys_mean_tenths(ratings, &n), 32);
    assert_int_equal(n, 6);
    int64_t half[5] = {1, 0, 0, 0, 0}, half2[5] = {0, 0, 0, 0, 0};
    half[1] = 1; /* 1 and 2: 1.5 exactly */
    assert_int_equal(surveys_mean_tenths(half, &n), 15);
    assert_int_equal(surveys_mean_tenths(half2, &n), 0);
    assert_int_equal(n, 0);
    int64_t top[5] = {0, 0, 0, 0, 7};
    assert_int_equal(surveys_mean_tenths(top, NULL), 50);

    assert_string_equal(surveys_tenths_label(&a, "de", 333), "33,3");
    assert_string_equal(surveys_tenths_label(&a, "en", 333), "33.3");
    assert_string_equal(surveys_tenths_label(&a, "de", 1000), "100,0");
    assert_string_equal(surveys_tenths_label(&a, "de", 5), "0,5");
    arena_clear(&a);
}

/* ---- states ------------------------------------------------------------------------------- */

static void test_survey_states(void **state)
{
    (void)state;
    survey_t s = {.status = "veroeffentlicht", .opens_at = 1000, .closes_at = 2000};
    assert_int_equal(surveys_state(&s, 999), SURVEY_UPCOMING);
    assert_int_equal(surveys_state(&s, 1000), SURVEY_OPEN);
    assert_int_equal(surveys_state(&s, 1999), SURVEY_OPEN);
    assert_int_equal(surveys_state(&s, 2000), SURVEY_CLOSED);
    assert_false(surveys_results_public(&s, 1500));
    assert_true(surveys_results_public(&s, 2000));
    s.live_results = 1;
    assert_true(surveys_results_public(&s, 1500));
    assert_false(surveys_results_public(&s, 999)); /* nothing to show before it opens */
    s.closed_at = 1500;                            /* staff closed it early */
    assert_int_equal(surveys_state(&s, 1499), SURVEY_OPEN);
    assert_int_equal(surveys_state(&s, 1500), SURVEY_CLOSED);
    s.status = "entwurf";
    assert_int_equal(surveys_state(&s, 1600), SURVEY_DRAFT);
    assert_false(surveys_results_public(&s, 5000)); /* never for a draft */
    assert_string_equal(surveys_state_name(SURVEY_OPEN), "open");

    event_t e = {.status = "veroeffentlicht",
                 .starts_at = 5000,
                 .ends_at = 6000,
                 .registration_until = 4000,
                 .capacity = 2,
                 .registered_count = 1};
    assert_int_equal(events_state(&e, 3999), EVENT_OPEN);
    e.registered_count = 2;
    assert_int_equal(events_state(&e, 3999), EVENT_FULL);
    assert_int_equal(events_state(&e, 4000), EVENT_CLOSED); /* the deadline passed */
    e.registration_until = 9000;                            /* a deadline after the start counts as the start */
    e.registered_count = 0;
    assert_int_equal(events_state(&e, 5000), EVENT_CLOSED);
    assert_int_equal(events_state(&e, 6000), EVENT_PAST);
    e.status = "entwurf";
    assert_int_equal(events_state(&e, 100), EVENT_DRAFT);
    assert_string_equal(events_state_name(EVENT_FULL), "full");
}

/* ---- days, times, numbers, lines ---------------------------------------------------------------- */

static void test_days_and_times(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    int64_t t, u;
    assert_int_equal(surveys_parse_day("2026-03-01", &t), 0);
    assert_string_equal(surveys_iso_day(&a, t), "2026-03-01");
    assert_string_equal(surveys_day_label(&a, t), "01.03.2026");
    assert_int_equal(surveys_parse_day_end("2026-03-01", &u), 0);
    assert_int_equal(u - t, DAY);
    /* The day summer time begins has 23 hours; the end is still the next midnight. */
    assert_int_equal(surveys_parse_day("2026-03-29", &t), 0);
    assert_int_equal(surveys_parse_day_end("2026-03-29", &u), 0);
    assert_int_equal(u - t, 23 * 3600);
    assert_int_equal(surveys_parse_day("2000-02-29", &t), 0); /* a leap year (divisible by 400) */
    static const char *const bad_days[] = {"2026-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                                           "2026-3-1",   "1999-12-31", "2200-01-01", "26-03-01",   "2026-03-01x",
                                           "",           "2026/03/01", "2026-03-0a"};
    for (size_t i = 0; i < sizeof bad_days / sizeof bad_days[0]; i++)
        assert_int_not_equal(surveys_parse_day(bad_days[i], &t), 0);
    assert_int_not_equal(surveys_parse_day(NULL, &t), 0);

    assert_int_equal(surveys_parse_datetime("2026-03-01T18:30", &t), 0);
    assert_string_equal(surveys_iso_datetime(&a, t), "2026-03-01T18:30");
    assert_string_equal(surveys_time_label(&a, t), "01.03.2026, 18:30");
    assert_string_equal(surveys_clock_label(&a, t), "18:30");
    assert_int_equal(t, 1772386200); /* 17:30 UTC: winter time, UTC+1 */
    assert_int_equal(surveys_parse_datetime("2026-07-01T18:30", &t), 0);
    assert_int_equal(t, 1782923400);                                        /* 16:30 UTC: summer time, UTC+2 */
    assert_int_equal(surveys_parse_datetime("2026-03-01 18:30:15", &u), 0); /* seconds, blank for T */
    assert_int_equal(u, 1772386215);
    static const char *const bad_times[] = {"2026-03-01T24:00", "2026-03-01T12:60",   "2026-03-01T1:00",
                                            "2026-03-01",       "2026-02-30T10:00",   "2026-03-01T10:00Z",
                                            "2026-03-01X10:00", "2026-03-01T10:00:60"};
    for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++)
        assert_int_not_equal(surveys_parse_datetime(bad_times[i], &t), 0);
    assert_string_equal(surveys_iso_day(&a, 0), "");
    arena_clear(&a);
}

static void test_numbers_and_lines(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    assert_int_equal(surveys_number("1", 1, 10000), 1);
    assert_int_equal(surveys_number("10000", 1, 10000), 10000);
    assert_int_equal(surveys_number("10001", 1, 10000), -1);
    assert_int_equal(surveys_number("0", 1, 10000), -1);
    assert_int_equal(surveys_number("-5", 1, 10000), -1);
    assert_int_equal(surveys_number("1e3", 1, 10000), -1);
    assert_int_equal(surveys_number(" 5", 1, 10000), -1);
    assert_int_equal(surveys_number("1234567890123", 1, 9999999999999LL), -1); /* 13 digits */
    assert_int_equal(surveys_number(NULL, 1, 10), -1);
    assert_string_equal(surveys_trim(&a, "  a b \r\n"), "a b");
    assert_string_equal(surveys_trim(&a, NULL), "");
    assert_int_equal(surveys_chars("Straße"), 6);

    const char *lines[4];
    size_t n;
    assert_int_equal(surveys_lines(&a, " Ja \r\n\n  Nein\r\n   \nVielleicht", lines, 3, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(lines[0], "Ja");
    assert_string_equal(lines[1], "Nein");
    assert_string_equal(lines[2], "Vielleicht");
    assert_int_equal(surveys_lines(&a, "a\nb\nc\nd", lines, 3, &n), -1);
    assert_int_equal(n, 4);
    assert_int_equal(surveys_lines(&a, "", lines, 3, &n), 0);
    assert_int_equal(n, 0);
    arena_clear(&a);
}

/* ---- CSV ------------------------------------------------------------------------------------ */

static void test_csv_fields(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    buf_t b;
    buf_init(&b, &a, 64, 4096);
    surveys_csv_text(&b, "Er sagte \"Hallo\", dann\r\nging er");
    assert_string_equal(buf_cstr(&b), "\"Er sagte \"\"Hallo\"\", dann\r\nging er\"");
    buf_reset(&b);
    surveys_csv_text(&b, "=HYPERLINK(\"http://x\")");
    assert_string_equal(buf_cstr(&b), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    buf_reset(&b);
    surveys_csv_text(&b, "-5 Grad");
    assert_string_equal(buf_cstr(&b), "\"'-5 Grad\"");
    buf_reset(&b);
    surveys_csv_text(&b, "");
    assert_string_equal(buf_cstr(&b), "\"\"");
    buf_reset(&b);
    surveys_csv_text(&b, "Bänke am Ufer");
    assert_string_equal(buf_cstr(&b), "\"Bänke am Ufer\"");
    /* The cap: a field that does not fit is refused, not cut. */
    buf_t small;
    buf_init(&small, &a, 8, 8);
    assert_int_equal(surveys_csv_text(&small, "zu lang für acht"), BUF_ETOOBIG);
    arena_clear(&a);
}

/* A survey with tallies as surveys_tally leaves it: 6 answer sets. */
static survey_t tallied_survey(void)
{
    static survey_option_t single[] = {{1, "Ja", 4}, {2, "Nein", 2}};
    static survey_option_t multi[] = {{3, "Rad", 3}, {4, "Bus, Bahn", 2}, {5, "Auto", 0}};
    static survey_text_answer_t texts[] = {{7, "Mehr \"Bänke\"", 0, ""}, {8, "Idiot!", 1, "Beleidigung"}};
    static survey_question_t questions[4];
    questions[0] = (survey_question_t){.id = 10,
                                       .kind = SURVEY_SINGLE,
                                       .text = "Gefällt es Ihnen?",
                                       .required = 1,
                                       .options = single,
                                       .option_count = 2,
                                       .answered = 6};
    questions[1] = (survey_question_t){.id = 11,
                                       .kind = SURVEY_MULTIPLE,
                                       .text = "Womit kommen Sie?",
                                       .options = multi,
                                       .option_count = 3,
                                       .answered = 4};
    questions[2] =
        (survey_question_t){.id = 12, .kind = SURVEY_RATING, .text = "Note", .ratings = {0, 2, 2, 1, 1}, .answered = 6};
    questions[3] = (survey_question_t){
        .id = 13, .kind = SURVEY_TEXT, .text = "Was fehlt?", .texts = texts, .text_count = 2, .answered = 2};
    return (survey_t){.id = 1,
                      .title = "Umfrage",
                      .status = "veroeffentlicht",
                      .response_count = 6,
                      .questions = questions,
                      .question_count = 4};
}

static void test_csv_files(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    survey_t s = tallied_survey();
    buf_t b;
    buf_init(&b, &a, 256, 1 << 20);
    assert_int_equal(surveys_csv_results(&b, &s), 0);
    assert_string_equal(buf_cstr(&b), "frage_nr,frage,art,antwort,anzahl,anteil_prozent,mittelwert\r\n"
                                      "1,\"Gefällt es Ihnen?\",\"einfach\",\"\",6,,\r\n"
                                      "1,\"Gefällt es Ihnen?\",\"einfach\",\"Ja\",4,66.7,\r\n"
                                      "1,\"Gefällt es Ihnen?\",\"einfach\",\"Nein\",2,33.3,\r\n"
                                      "2,\"Womit kommen Sie?\",\"mehrfach\",\"\",4,,\r\n"
                                      "2,\"Womit kommen Sie?\",\"mehrfach\",\"Rad\",3,75.0,\r\n"
                                      "2,\"Womit kommen Sie?\",\"mehrfach\",\"Bus, Bahn\",2,50.0,\r\n"
                                      "2,\"Womit kommen Sie?\",\"mehrfach\",\"Auto\",0,0.0,\r\n"
                                      "3,\"Note\",\"bewertung\",\"\",6,,3.2\r\n"
                                      "3,\"Note\",\"bewertung\",\"1\",0,0.0,\r\n"
                                      "3,\"Note\",\"bewertung\",\"2\",2,33.3,\r\n"
                                      "3,\"Note\",\"bewertung\",\"3\",2,33.3,\r\n"
                                      "3,\"Note\",\"bewertung\",\"4\",1,16.7,\r\n"
                                      "3,\"Note\",\"bewertung\",\"5\",1,16.7,\r\n"
                                      "4,\"Was fehlt?\",\"text\",\"\",2,,\r\n");

    buf_reset(&b);
    assert_int_equal(surveys_csv_answers_header(&b, &s), 0);
    const char *row[4] = {"Ja", "Rad; Bus, Bahn", "4", "Ein Satz\nmit \"Zitat\""};
    assert_int_equal(surveys_csv_answers_row(&b, &s, 1, row), 0);
    const char *empty[4] = {"Nein", NULL, "", NULL};
    assert_int_equal(surveys_csv_answers_row(&b, &s, 2, empty), 0);
    assert_string_equal(buf_cstr(&b),
                        "antwort_nr,\"Gefällt es Ihnen?\",\"Womit kommen Sie?\",\"Note\",\"Was fehlt?\"\r\n"
                        "1,\"Ja\",\"Rad; Bus, Bahn\",\"4\",\"Ein Satz\nmit \"\"Zitat\"\"\"\r\n"
                        "2,\"Nein\",\"\",\"\",\"\"\r\n");
    /* Over the cap: an error, never a file cut in the middle without notice. */
    buf_t small;
    buf_init(&small, &a, 64, 100);
    assert_int_equal(surveys_csv_results(&small, &s), BUF_ETOOBIG);
    arena_clear(&a);
}

/* ---- the results view model ----------------------------------------------------------------- */

static void test_results_json(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    survey_t s = tallied_survey();
    json_t *r = surveys_results_json(&a, "de", &s, 1, 0);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "respondents")), 6);
    json_t *qs = json_object_get(r, "questions");
    assert_int_equal(json_array_size(qs), 4);

    json_t *q1 = json_array_get(qs, 0);
    json_t *rows = json_object_get(q1, "rows");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "label")), "Ja");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "count")), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "percent")), "66,7\u00a0%");
    const char *svg = json_string_value(json_object_get(q1, "chart"));
    assert_non_null(svg);
    assert_true(strncmp(svg, "<svg", 4) == 0);
    assert_non_null(strstr(svg, "</svg>"));
    assert_non_null(strstr(svg, "role=\"img\""));
    assert_non_null(strstr(svg, "Ja: 4")); /* the description states every value */

    json_t *q2 = json_array_get(qs, 1);
    assert_true(json_is_true(json_object_get(q2, "multiple")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(q2, "rows"), 0), "percent")),
                        "75,0\u00a0%");

    json_t *q3 = json_array_get(qs, 2);
    assert_string_equal(json_string_value(json_object_get(q3, "mean")), "3,2");
    assert_int_equal(json_integer_value(json_object_get(q3, "mean_tenths")), 32);
    assert_int_equal(json_array_size(json_object_get(q3, "rows")), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(q3, "rows"), 0), "label")),
                        "1 – sehr schlecht");

    json_t *q4 = json_array_get(qs, 3);
    assert_null(json_object_get(q4, "chart"));
    json_t *texts = json_object_get(q4, "texts");
    assert_string_equal(json_string_value(json_object_get(json_array_get(texts, 0), "answer")), "Mehr \"Bänke\"");
    json_t *hidden = json_array_get(texts, 1);
    assert_true(json_is_true(json_object_get(hidden, "hidden")));
    assert_string_equal(json_string_value(json_object_get(hidden, "reason")), "Beleidigung");
    assert_null(json_object_get(hidden, "answer")); /* the public does not get a hidden text */
    json_decref(r);

    r = surveys_results_json(&a, "en", &s, 0, 1);
    qs = json_object_get(r, "questions");
    assert_null(json_object_get(json_array_get(qs, 0), "chart"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(qs, 2), "mean")), "3.2");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json_array_get(qs, 3), "texts"), 1), "answer")),
                        "Idiot!"); /* staff see it */
    json_decref(r);

    /* Nobody answered yet: no chart, zeros, no division by zero. */
    survey_t none = tallied_survey();
    survey_question_t q = none.questions[0];
    survey_option_t opts[2] = {{1, "Ja", 0}, {2, "Nein", 0}};
    q.options = opts;
    q.answered = 0;
    none.questions = &q;
    none.question_count = 1;
    none.response_count = 0;
    r = surveys_results_json(&a, "de", &none, 1, 0);
    json_t *only = json_array_get(json_object_get(r, "questions"), 0);
    assert_null(json_object_get(only, "chart"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(only, "rows"), 0), "percent")),
                        "0,0\u00a0%");
    json_decref(r);
    arena_clear(&a);
}

/* ---- the database ----------------------------------------------------------------------------- */

static int64_t add_user(db_t *db, const char *email)
{
    static const char sql[] = "INSERT INTO users (email, email_confirmed_at, trust_level, display_name, created_at,"
                              " updated_at) VALUES ($1, 1, 1, $1, 1, 1) RETURNING id";
    int64_t id = 0;
    assert_int_equal(db_query_int64_text(db, sql, email, NULL, &id), 0);
    return id;
}

static int64_t add_process(db_t *db)
{
    static const char sql[] = "INSERT INTO participation_processes (title, status, created_at, updated_at)"
                              " VALUES ($1, 'veroeffentlicht', 1, 1) RETURNING id";
    int64_t id = 0;
    assert_int_equal(db_query_int64_text(db, sql, "Spielplatz", NULL, &id), 0);
    return id;
}

/* Creates the survey of tallied_survey's questions in process pid → its id. */
static int64_t add_survey(db_t *db, int64_t pid)
{
    survey_t model = tallied_survey();
    survey_input_t in = {.title = "Umfrage",
                         .description = "",
                         .status = "veroeffentlicht",
                         .opens_at = 0,
                         .closes_at = 4000000000LL,
                         .replace_questions = 1,
                         .questions = model.questions,
                         .question_count = model.question_count};
    int64_t id = 0;
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(surveys_store_save(db, pid, &in, 0, 100, &id), 0);
    assert_int_equal(db_commit(db), 0);
    return id;
}

static int answer(db_t *db, const survey_t *s, int64_t user, int64_t single, int rating, const char *text)
{
    int64_t multi[2] = {s->questions[1].options[0].id, s->questions[1].options[1].id};
    survey_answer_input_t in[4] = {
        {.option_ids = &single, .option_count = single ? 1 : 0},
        {.option_ids = multi, .option_count = rating > 3 ? 2 : 1},
        {.rating = rating},
        {.text = text},
    };
    assert_int_equal(db_begin_write(db), 0);
    int rc = surveys_store_response(db, s, user, in, 200);
    if (rc == 0)
        assert_int_equal(db_commit(db), 0);
    else
        db_rollback(db);
    return rc;
}

static void test_answers_and_tallies(void **state)
{
    fixture_db_t *fx = *state;
    db_t *db = fx->db;
    arena_t a;
    arena_init(&a);
    int64_t pid = add_process(db);
    int64_t sid = add_survey(db, pid);
    survey_t s;
    assert_int_equal(surveys_load(db, &a, pid, sid, &s), 0);
    assert_int_equal(surveys_load(db, &a, pid + 1, sid, &s), 1); /* another process has no such survey */
    assert_int_equal(surveys_load(db, &a, pid, sid, &s), 0);
    assert_int_equal(s.question_count, 4);
    assert_int_equal(s.questions[1].option_count, 3);
    assert_string_equal(s.questions[1].options[1].label, "Bus, Bahn");
    assert_int_equal(s.questions[2].kind, SURVEY_RATING);

    int64_t anna = add_user(db, "anna@example.org"), ben = add_user(db, "ben@example.org");
    int64_t cem = add_user(db, "cem@example.org");
    int64_t ja = s.questions[0].options[0].id, nein = s.questions[0].options[1].id;
    assert_int_equal(answer(db, &s, anna, ja, 4, "Mehr Bänke, bitte"), 0);
    assert_int_equal(answer(db, &s, anna, nein, 1, "Noch einmal"), 1); /* one answer set per account */
    assert_int_equal(answer(db, &s, ben, nein, 2, NULL), 0);
    assert_int_equal(answer(db, &s, cem, 0, 5, "=1+1"), 0);
    assert_int_equal(surveys_answered(db, sid, anna), 1);
    assert_int_equal(surveys_answered(db, sid, add_user(db, "dora@example.org")), 0);
    assert_int_equal(surveys_response_count(db, sid), 3);

    assert_int_equal(surveys_tally(db, &a, &s, 1), 0);
    assert_int_equal(s.questions[0].answered, 2);
    assert_int_equal(s.questions[0].options[0].count, 1);
    assert_int_equal(s.questions[0].options[1].count, 1);
    assert_int_equal(s.questions[1].answered, 3);
    assert_int_equal(s.questions[1].options[0].count, 3); /* everyone took the first */
    assert_int_equal(s.questions[1].options[1].count, 2); /* ratings above 3 took the second too */
    assert_int_equal(s.questions[2].ratings[1], 1);
    assert_int_equal(s.questions[2].ratings[3], 1);
    assert_int_equal(s.questions[2].ratings[4], 1);
    assert_int_equal(s.questions[3].text_count, 2);
    assert_string_equal(s.questions[3].texts[0].text, "Mehr Bänke, bitte");
    assert_string_equal(s.questions[3].texts[1].text, "=1+1");
    assert_int_equal(s.response_count, 3);

    /* The answers file: one row per set in the order they came; multiple choice in one cell. */
    buf_t b;
    buf_init(&b, &a, 1024, 1 << 20);
    assert_int_equal(surveys_answers_csv(db, &a, &s, 0, &b), 0);
    assert_string_equal(buf_cstr(&b),
                        "antwort_nr,\"Gefällt es Ihnen?\",\"Womit kommen Sie?\",\"Note\",\"Was fehlt?\"\r\n"
                        "1,\"Ja\",\"Rad; Bus, Bahn\",\"4\",\"Mehr Bänke, bitte\"\r\n"
                        "2,\"Nein\",\"Rad\",\"2\",\"\"\r\n"
                        "3,\"\",\"Rad; Bus, Bahn\",\"5\",\"'=1+1\"\r\n");

    /* Hiding a free text: the public file says so, staff still read it. */
    int64_t first_text = s.questions[3].texts[0].id;
    assert_int_equal(surveys_store_hide(db, sid, first_text, "Persönliche Daten", 0, 300), 0);
    assert_int_equal(surveys_store_hide(db, sid, 999999, "x", 0, 300), 1);
    assert_int_equal(surveys_store_hide(db, sid + 1, first_text, "x", 0, 300), 1); /* not of that survey */
    buf_reset(&b);
    assert_int_equal(surveys_answers_csv(db, &a, &s, 0, &b), 0);
    assert_non_null(strstr(buf_cstr(&b), "\"4\",\"[ausgeblendet]\""));
    assert_null(strstr(buf_cstr(&b), "Mehr Bänke"));
    buf_reset(&b);
    assert_int_equal(surveys_answers_csv(db, &a, &s, 1, &b), 0);
    assert_non_null(strstr(buf_cstr(&b), "Mehr Bänke"));
    survey_t again;
    assert_int_equal(surveys_load(db, &a, pid, sid, &again), 0);
    assert_int_equal(surveys_tally(db, &a, &again, 1), 0);
    assert_true(again.questions[3].texts[0].hidden);
    assert_string_equal(again.questions[3].texts[0].hidden_reason, "Persönliche Daten");
    assert_int_equal(surveys_store_hide(db, sid, first_text, NULL, 0, 400), 0); /* shown again */
    assert_int_equal(surveys_store_hide(db, sid, first_text, NULL, 0, 400), 1); /* not hidden any more */

    /* Once answered, the questions stay: a save that would replace them changes nothing. */
    survey_question_t one = {.kind = SURVEY_TEXT, .text = "Neu?"};
    survey_input_t in = {.title = "Umfrage 2",
                         .description = "",
                         .status = "veroeffentlicht",
                         .opens_at = 0,
                         .closes_at = 4000000000LL,
                         .replace_questions = 1,
                         .questions = &one,
                         .question_count = 1};
    int64_t id = sid;
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(surveys_store_save(db, pid, &in, 0, 500, &id), 2);
    db_rollback(db);
    in.replace_questions = 0; /* the rest may change */
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(surveys_store_save(db, pid, &in, 0, 500, &id), 0);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(surveys_load(db, &a, pid, sid, &again), 0);
    assert_string_equal(again.title, "Umfrage 2");
    assert_int_equal(again.question_count, 4);

    /* Closing early: once. */
    assert_int_equal(surveys_store_close(db, sid, 0, 600), 0);
    assert_int_equal(surveys_store_close(db, sid, 0, 700), 1);
    assert_int_equal(surveys_load(db, &a, pid, sid, &again), 0);
    assert_int_equal(again.closed_at, 600);
    assert_int_equal(surveys_state(&again, 600), SURVEY_CLOSED);

    survey_t *list;
    size_t n;
    assert_int_equal(surveys_list(db, &a, pid, 0, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].response_count, 3);
    arena_clear(&a);
}

static void test_event_capacity(void **state)
{
    fixture_db_t *fx = *state;
    db_t *db = fx->db;
    arena_t a;
    arena_init(&a);
    int64_t pid = add_process(db);
    event_t e = {.title = "Werkstatt",
                 .description = "",
                 .status = "veroeffentlicht",
                 .place = "Rathaus",
                 .address = "Jockel-Fuchs-Platz 1, 55116 Mainz",
                 .accessibility_note = "",
                 .features = {1, 0, 1, 0},
                 .starts_at = 5000,
                 .ends_at = 6000,
                 .capacity = 2,
                 .registration_until = 5000};
    int64_t eid = 0;
    assert_int_equal(events_store_save(db, pid, &e, 0, 100, &eid), 0);
    int64_t u[3] = {add_user(db, "a@example.org"), add_user(db, "b@example.org"), add_user(db, "c@example.org")};

    assert_int_equal(events_store_register(db, eid, u[0], 200), 0);
    assert_int_equal(events_store_register(db, eid, u[0], 201), 1); /* once per account */
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(events_store_register(db, eid, u[1], 202), 0);
    assert_int_equal(db_commit(db), 0);
    /* The last place is gone: the third person is refused and the caller rolls back. */
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(events_store_register(db, eid, u[2], 203), 2);
    db_rollback(db);
    event_t got;
    assert_int_equal(events_load(db, &a, pid, eid, &got), 0);
    assert_int_equal(got.registered_count, 2);
    assert_int_equal(events_state(&got, 300), EVENT_FULL);
    assert_int_equal(events_registered(db, eid, u[2]), 0);
    assert_true(got.features[0] && !got.features[1] && got.features[2] && !got.features[3]);

    /* The capacity cannot drop below the places taken. */
    event_t smaller = got;
    smaller.capacity = 1;
    assert_int_equal(events_store_save(db, pid, &smaller, 0, 300, &eid), 2);

    /* Cancelling frees the place for someone else; registering again takes one anew. */
    assert_int_equal(events_store_cancel(db, eid, u[0], 400), 0);
    assert_int_equal(events_store_cancel(db, eid, u[0], 401), 1);
    assert_int_equal(events_store_register(db, eid, u[2], 402), 0);
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(events_store_register(db, eid, u[0], 403), 2); /* full again */
    db_rollback(db);
    assert_int_equal(events_load(db, &a, pid, eid, &got), 0);
    assert_int_equal(got.registered_count, 2);
    assert_int_equal(got.sequence, 0);

    event_registration_t *regs;
    size_t n;
    assert_int_equal(events_registrations(db, &a, eid, &regs, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(regs[0].status, "angemeldet");
    assert_string_equal(regs[1].status, "angemeldet");
    assert_string_equal(regs[2].status, "abgemeldet");
    assert_string_equal(regs[2].email, "a@example.org");

    /* An update raises the sequence (calendars replace the event). */
    got.capacity = 3;
    assert_int_equal(events_store_save(db, pid, &got, 0, 500, &eid), 0);
    assert_int_equal(events_load(db, &a, pid, eid, &got), 0);
    assert_int_equal(got.sequence, 1);
    assert_int_equal(events_store_register(db, eid, u[0], 501), 0); /* the new place */
    arena_clear(&a);
}

static void test_privacy(void **state)
{
    fixture_db_t *fx = *state;
    db_t *db = fx->db;
    arena_t a;
    arena_init(&a);
    int64_t pid = add_process(db);
    int64_t sid = add_survey(db, pid);
    survey_t s;
    assert_int_equal(surveys_load(db, &a, pid, sid, &s), 0);
    int64_t anna = add_user(db, "anna@example.org"), ben = add_user(db, "ben@example.org");
    assert_int_equal(answer(db, &s, anna, s.questions[0].options[1].id, 4, "Mehr Schatten"), 0);
    assert_int_equal(answer(db, &s, ben, s.questions[0].options[0].id, 2, NULL), 0);
    int64_t now = (int64_t)time(NULL);
    event_t coming = {.title = "Bald",
                      .description = "",
                      .status = "veroeffentlicht",
                      .place = "Rathaus",
                      .address = "Mainz",
                      .accessibility_note = "",
                      .starts_at = now + DAY,
                      .ends_at = now + DAY + 3600,
                      .capacity = 5,
                      .registration_until = now + DAY};
    event_t past = coming;
    past.title = "Vorbei";
    past.starts_at = now - 2 * DAY;
    past.ends_at = now - 2 * DAY + 3600;
    int64_t e1 = 0, e2 = 0;
    assert_int_equal(events_store_save(db, pid, &coming, 0, 100, &e1), 0);
    assert_int_equal(events_store_save(db, pid, &past, 0, 100, &e2), 0);
    assert_int_equal(events_store_register(db, e1, anna, 200), 0);
    assert_int_equal(events_store_register(db, e2, anna, 200), 0);
    assert_int_equal(events_store_register(db, e1, ben, 200), 0);

    /* The export: the answer set with every answer, and both registrations. */
    json_t *out = json_object();
    assert_int_equal(surveys_privacy_export(db, anna, out), 0);
    json_t *sets = json_object_get(out, "survey_answers");
    assert_int_equal(json_array_size(sets), 1);
    json_t *answers = json_object_get(json_array_get(sets, 0), "answers");
    assert_string_equal(json_string_value(json_object_get(json_array_get(answers, 0), "option")), "Nein");
    assert_string_equal(json_string_value(json_object_get(json_array_get(answers, 1), "option")), "Rad");
    assert_string_equal(json_string_value(json_object_get(json_array_get(answers, 2), "option")), "Bus, Bahn");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(answers, 3), "rating")), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(answers, 4), "text")), "Mehr Schatten");
    assert_int_equal(json_array_size(json_object_get(out, "event_registrations")), 2);
    json_decref(out);

    /* Deletion: the answers stay without the person; the coming event's place is freed. */
    json_t *kept = json_array();
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(surveys_privacy_erase(db, anna, kept), 0);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(json_array_size(kept), 1);
    json_decref(kept);
    assert_int_equal(surveys_answered(db, sid, anna), 0);
    assert_int_equal(surveys_response_count(db, sid), 2);
    assert_int_equal(surveys_tally(db, &a, &s, 1), 0);
    assert_int_equal(s.questions[0].answered, 2);
    assert_int_equal(s.questions[3].text_count, 1);
    event_t got;
    assert_int_equal(events_load(db, &a, pid, e1, &got), 0);
    assert_int_equal(got.registered_count, 1); /* ben's stays */
    assert_int_equal(events_registered(db, e1, anna), 0);
    assert_int_equal(events_load(db, &a, pid, e2, &got), 0);
    assert_int_equal(got.registered_count, 1); /* a past event keeps its count */
    event_registration_t *regs;
    size_t n;
    assert_int_equal(events_registrations(db, &a, e2, &regs, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(regs[0].user_id, 0);
    out = json_object();
    assert_int_equal(surveys_privacy_export(db, anna, out), 0);
    assert_int_equal(json_array_size(json_object_get(out, "survey_answers")), 0);
    assert_int_equal(json_array_size(json_object_get(out, "event_registrations")), 0);
    json_decref(out);
    arena_clear(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_percent_and_mean), cmocka_unit_test(test_survey_states),
        cmocka_unit_test(test_days_and_times),   cmocka_unit_test(test_numbers_and_lines),
        cmocka_unit_test(test_csv_fields),       cmocka_unit_test(test_csv_files),
        cmocka_unit_test(test_results_json),
    };
    /* Local times are those of Mainz, as main.c sets them for the server. */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    int failed = cmocka_run_group_tests_name("surveys", pure, NULL, NULL);
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test_setup_teardown(test_answers_and_tallies, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_event_capacity, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_privacy, fixture_db_setup_migrated, fixture_db_teardown),
    };
    failed += fixture_db_run("surveys", db_tests, db_tests);
    return failed ? 1 : 0;
}
