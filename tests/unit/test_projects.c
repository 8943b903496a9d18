/* test_projects.c — unit tests of the Vorhabenliste's rules (projects_logic.c) and
 * of saving, finding and freezing entries (projects_store.c, projects_model.c) on
 * SQLite and PostgreSQL.
 *
 * The rules a resident would notice: a later end date is a "Verzögerung", higher
 * costs are "Mehrkosten", amounts and dates are read as Germans write them and
 * refused when they are not; titles sort as in a German dictionary; CSV fields
 * survive commas, quotes and line breaks; a return path never leaves the site;
 * the daily digest goes out at 07:00 local time, also across summer time. With a
 * database: "Radwege" finds "Radweg", filters narrow, an edit writes the change
 * log and a stale form is refused, and an edition keeps its snapshot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "modules/participation/projects.h"
#include "web/form.h"

#include "fixture_arena.h"
#include "fixture_db.h"

/* ---- pure rules ------------------------------------------------------------------------ */

static void test_euro_is_written_the_german_way(void **state)
{
    arena_t *a = *state;
    assert_string_equal(projects_euro(a, 0), "0 €");
    assert_string_equal(projects_euro(a, 99), "0,99 €");
    assert_string_equal(projects_euro(a, 1250), "12,50 €");
    assert_string_equal(projects_euro(a, 100000), "1.000 €");
    assert_string_equal(projects_euro(a, 125000000), "1.250.000 €");
    assert_string_equal(projects_euro(a, 5350000001), "53.500.000,01 €");
}

static void test_amounts_are_read_as_people_type_them(void **state)
{
    int64_t c = -1;
    assert_int_equal(projects_parse_euro("1.250.000", &c), 0);
    assert_int_equal(c, 125000000);
    assert_int_equal(projects_parse_euro("1250000,5", &c), 0);
    assert_int_equal(c, 125000050);
    assert_int_equal(projects_parse_euro(" 12,50 € ", &c), 0);
    assert_int_equal(c, 1250);
    assert_int_equal(projects_parse_euro("3 EUR", &c), 0);
    assert_int_equal(c, 300);
    assert_int_equal(projects_parse_euro("480 Euro", &c), 0);
    assert_int_equal(c, 48000);
    assert_int_equal(projects_parse_euro("", &c), 1);
    assert_int_equal(projects_parse_euro("   ", &c), 1);
    /* An English decimal point, a third decimal, broken groups, words: refused. */
    assert_int_equal(projects_parse_euro("12.50", &c), -1);
    assert_int_equal(projects_parse_euro("1,250", &c), -1);
    assert_int_equal(projects_parse_euro("1.25.000", &c), -1);
    assert_int_equal(projects_parse_euro("1250.000", &c), -1);
    assert_int_equal(projects_parse_euro(".250", &c), -1);
    assert_int_equal(projects_parse_euro("12,", &c), -1);
    assert_int_equal(projects_parse_euro("zwölf", &c), -1);
    assert_int_equal(projects_parse_euro("-5", &c), -1);
    /* The cap: 100 billion euro is the most, a cent more is a typo. */
    assert_int_equal(projects_parse_euro("100.000.000.000", &c), 0);
    assert_int_equal(c, PROJECT_COSTS_MAX_CENTS);
    assert_int_equal(projects_parse_euro("100.000.000.000,01", &c), -2);
    assert_int_equal(projects_parse_euro("99999999999999999999999", &c), -2);
}

static void test_dates_must_be_real(void **state)
{
    arena_t *a = *state;
    assert_true(projects_valid_date("2028-02-29"));
    assert_true(projects_valid_date("2000-02-29"));
    assert_false(projects_valid_date("2027-02-29"));
    assert_false(projects_valid_date("2100-02-29"));
    assert_false(projects_valid_date("2027-13-01"));
    assert_false(projects_valid_date("2027-04-31"));
    assert_false(projects_valid_date("2027-4-30"));
    assert_false(projects_valid_date("30.04.2027"));
    assert_false(projects_valid_date(""));
    assert_false(projects_valid_date(NULL));
    assert_string_equal(projects_date_label(a, "2027-06-30"), "30.06.2027");
    assert_string_equal(projects_date_label(a, ""), "");
}

/* A small entry for the diff tests. */
static project_t sample(void)
{
    project_t p;
    memset(&p, 0, sizeof(p));
    p.title = "Radweg";
    p.summary = p.description = p.goals = p.decisions = p.next_steps = p.costs_text = p.affected = "";
    p.participation_form = p.participation_reason = p.contact_name = p.contact_email = p.contact_phone = "";
    p.starts_on = "2026-01-01";
    p.ends_on = "2027-06-30";
    p.status = "in_planung";
    p.obligation = "freiwillig";
    p.topic_id = 1;
    p.topic_name = "Mobilität und Verkehr";
    p.unit_name = "Bauamt";
    p.unit_id = 2;
    p.has_costs = 1;
    p.costs_cents = 100000;
    p.district_count = 2;
    p.districts[0] = (project_district_t){5, "mombach", "Mombach", 0};
    p.districts[1] = (project_district_t){6, "gonsenheim", "Gonsenheim", 0};
    return p;
}

static const project_change_t *find_change(const project_change_t *c, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].field, field))
            return &c[i];
    return NULL;
}

static void test_change_kinds(void **state)
{
    arena_t *a = *state;
    project_change_t c[PROJECT_FIELDS_MAX];
    project_t old = sample(), now = sample();
    assert_int_equal(projects_diff(a, &old, &now, c, PROJECT_FIELDS_MAX), 0);

    /* Later end and higher costs: Verzögerung and Mehrkosten, with the raw values. */
    now.ends_on = "2027-12-31";
    now.costs_cents = 150000;
    size_t n = projects_diff(a, &old, &now, c, PROJECT_FIELDS_MAX);
    assert_int_equal(n, 2);
    assert_string_equal(find_change(c, n, "ends_on")->kind, "verzoegerung");
    assert_string_equal(find_change(c, n, "ends_on")->old_value, "2027-06-30");
    assert_string_equal(find_change(c, n, "ends_on")->new_value, "2027-12-31");
    assert_string_equal(find_change(c, n, "costs_cents")->kind, "mehrkosten");
    assert_string_equal(find_change(c, n, "costs_cents")->new_value, "150000");

    /* Earlier end, lower costs, a first end date, a first amount: news, not a delay or extra cost. */
    now = sample();
    now.ends_on = "2027-01-31";
    now.costs_cents = 50000;
    n = projects_diff(a, &old, &now, c, PROJECT_FIELDS_MAX);
    assert_string_equal(find_change(c, n, "ends_on")->kind, "sonstiges");
    assert_string_equal(find_change(c, n, "costs_cents")->kind, "sonstiges");
    project_t open = sample();
    open.ends_on = "";
    open.has_costs = 0;
    now = sample();
    n = projects_diff(a, &open, &now, c, PROJECT_FIELDS_MAX);
    assert_string_equal(find_change(c, n, "ends_on")->kind, "sonstiges");
    assert_string_equal(find_change(c, n, "costs_cents")->kind, "sonstiges");
    assert_string_equal(find_change(c, n, "costs_cents")->old_value, "");

    /* Decisions, status, participation. */
    now = sample();
    now.decisions = "Stadtratsbeschluss vom 3. Dezember";
    now.status = "in_umsetzung";
    now.participation_planned = 1;
    now.participation_form = "konsultation";
    n = projects_diff(a, &old, &now, c, PROJECT_FIELDS_MAX);
    assert_int_equal(n, 4);
    assert_string_equal(find_change(c, n, "decisions")->kind, "beschluss");
    assert_string_equal(find_change(c, n, "status")->kind, "status");
    assert_string_equal(find_change(c, n, "participation_planned")->new_value, "1");
    assert_string_equal(find_change(c, n, "participation_form")->kind, "sonstiges");

    /* Districts compare as a set; a new one shows all names. */
    now = sample();
    now.districts[0] = old.districts[1];
    now.districts[1] = old.districts[0];
    assert_int_equal(projects_diff(a, &old, &now, c, PROJECT_FIELDS_MAX), 0);
    now.districts[2] = (project_district_t){7, "finthen", "Finthen", 0};
    now.district_count = 3;
    n = projects_diff(a, &old, &now, c, PROJECT_FIELDS_MAX);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].field, "districts");
    assert_string_equal(c[0].old_value, "Mombach, Gonsenheim");
    assert_string_equal(c[0].new_value, "Gonsenheim, Mombach, Finthen");

    /* The cap on rows is kept. */
    now = sample();
    now.title = "Anders";
    now.summary = "Neu";
    now.status = "abgeschlossen";
    assert_int_equal(projects_diff(a, &old, &now, c, 2), 2);
}

static void test_labels(void **state)
{
    assert_string_equal(projects_choice_label(projects_statuses, projects_status_count, "zurueckgestellt"),
                        "zurückgestellt");
    assert_null(projects_choice_label(projects_statuses, projects_status_count, "erfunden"));
    assert_null(projects_choice_label(projects_statuses, projects_status_count, NULL));
    assert_string_equal(projects_field_label("ends_on"), "Voraussichtliches Ende");
    assert_true(projects_field_is_long("description"));
    assert_false(projects_field_is_long("title"));
    assert_null(projects_field_label("password"));
}

static void test_titles_sort_like_a_dictionary(void **state)
{
    arena_t *a = *state;
    assert_string_equal(projects_sort_key(a, "Ärztehaus"), "arztehaus");
    assert_string_equal(projects_sort_key(a, "Straße am Rhein"), "strasse am rhein");
    assert_string_equal(projects_sort_key(a, "ÖPNV"), "opnv");
    assert_true(strcmp(projects_sort_key(a, "Übergang"), projects_sort_key(a, "Umbau")) < 0);
    assert_true(strcmp(projects_sort_key(a, "Ärztehaus"), projects_sort_key(a, "Apotheke")) > 0);
    assert_true(strcmp(projects_sort_key(a, "Zollhafen"), projects_sort_key(a, "Ährenfeld")) > 0);
    /* Other scripts keep their bytes. */
    assert_string_equal(projects_sort_key(a, "Κ"), "Κ");
}

static const char *csv(arena_t *a, const char *s)
{
    buf_t b;
    buf_init(&b, a, 16, 1024);
    assert_int_equal(projects_csv_field(&b, s), 0);
    return buf_cstr(&b);
}

static void test_csv_fields(void **state)
{
    arena_t *a = *state;
    assert_string_equal(csv(a, "Radweg"), "Radweg");
    assert_string_equal(csv(a, ""), "");
    assert_string_equal(csv(a, NULL), "");
    assert_string_equal(csv(a, "Kosten: 1.250.000 €, gefördert"), "\"Kosten: 1.250.000 €, gefördert\"");
    assert_string_equal(csv(a, "der \"Rheinufer\"-Plan"), "\"der \"\"Rheinufer\"\"-Plan\"");
    assert_string_equal(csv(a, "Zeile 1\nZeile 2"), "\"Zeile 1\nZeile 2\"");
    assert_string_equal(csv(a, "a\r\nb"), "\"a\r\nb\"");
}

static void test_return_paths_stay_on_the_site(void **state)
{
    arena_t *a = *state;
    assert_true(projects_local_path("/beteiligung/vorhaben?bezirk=mombach"));
    assert_false(projects_local_path("//evil.example/"));
    assert_false(projects_local_path("/\\evil.example"));
    assert_false(projects_local_path("https://evil.example/"));
    assert_false(projects_local_path("/a\r\nSet-Cookie: x"));
    assert_false(projects_local_path(""));
    assert_false(projects_local_path(NULL));
    assert_string_equal(projects_with_notice(a, "/x", "gefolgt"), "/x?hinweis=gefolgt");
    assert_string_equal(projects_with_notice(a, "/x?bezirk=m&hinweis=alt&q=a", "entfolgt"),
                        "/x?bezirk=m&q=a&hinweis=entfolgt");
    assert_string_equal(projects_with_notice(a, "/x?hinweis=alt", "gefolgt"), "/x?hinweis=gefolgt");
    assert_string_equal(form_url_encode(a, "Rad weg/ä"), "Rad%20weg%2F%C3%A4");
}

/* 2026-11-29 05:00 UTC is 06:00 in Mainz (winter time). */
static void test_digest_goes_out_at_seven_local_time(void **state)
{
    char day[16];
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    const int64_t morning = 1795928400; /* 2026-11-29 05:00:00 UTC */
    assert_int_equal(projects_next_digest_time(morning, day), morning + 3600);
    assert_string_equal(day, "2026-11-29");
    /* At 07:00 exactly or later: tomorrow. */
    assert_int_equal(projects_next_digest_time(morning + 3600, day), morning + 3600 + 86400);
    assert_string_equal(day, "2026-11-30");
    /* The night summer time starts (2027-03-28): 07:00 CEST is 05:00 UTC. */
    const int64_t before_dst = 1806163200;                                    /* 2027-03-27 16:00:00 UTC */
    assert_int_equal(projects_next_digest_time(before_dst, day), 1806210000); /* 2027-03-28 05:00 UTC */
    assert_string_equal(day, "2027-03-28");
    int year, quarter;
    projects_quarter_of(morning, &year, &quarter);
    assert_int_equal(year, 2026);
    assert_int_equal(quarter, 4);
}

/* ---- with a database ----------------------------------------------------------------------- */

/* A stored entry in district slug and topic slug; returns its id. */
static int64_t store_entry(db_t *db, arena_t *a, const project_lists_t *lists, const char *title, const char *district,
                           const char *topic, int64_t now)
{
    project_t p = sample();
    p.title = title;
    p.summary = "Eine sichere Verbindung für den Radverkehr.";
    p.unit_id = 0;
    p.unit_name = "";
    p.district_count = 0;
    for (size_t i = 0; i < lists->district_count; i++)
        if (!strcmp(lists->districts[i].slug, district))
            p.districts[p.district_count++] = lists->districts[i];
    for (size_t i = 0; i < lists->topic_count; i++)
        if (!strcmp(lists->topics[i].slug, topic)) {
            p.topic_id = lists->topics[i].id;
            p.topic_name = lists->topics[i].name;
            p.topic_slug = lists->topics[i].slug;
        }
    assert_int_equal(p.district_count, 1);
    assert_true(p.topic_id > 0);
    size_t changes;
    assert_int_equal(db_begin_write(db), 0);
    assert_int_equal(projects_store(db, a, NULL, &p, NULL, NULL, 0, now, &changes), 0);
    assert_int_equal(db_commit(db), 0);
    assert_true(p.id > 0);
    return p.id;
}

static size_t found(db_t *db, arena_t *a, project_filter_t f)
{
    project_hits_t hits;
    assert_int_equal(projects_find(db, a, &f, &hits), 0);
    return hits.count;
}

static void test_seeded_names_are_translatable(void **state)
{
    fixture_db_t *fx = *state;
    arena_t a;
    arena_init(&a);
    project_lists_t lists;
    assert_int_equal(projects_lists_load(fx->db, &a, &lists), 0);
    assert_int_equal(lists.district_count, 16); /* the 15 Ortsbezirke and "gesamtstädtisch" */
    assert_true(lists.districts[0].citywide);
    assert_true(lists.topic_count >= 10);
    /* Every topic (and the citywide district) is a msgid the translators see. */
    for (size_t i = 0; i < lists.topic_count; i++) {
        int known = 0;
        for (size_t k = 0; k < projects_name_msgid_count && !known; k++)
            known = !strcmp(projects_name_msgids[k], lists.topics[i].name);
        assert_true(known);
    }
    arena_clear(&a);
}

static void test_find_filters_and_german_search(void **state)
{
    fixture_db_t *fx = *state;
    arena_t a;
    arena_init(&a);
    project_lists_t lists;
    assert_int_equal(projects_lists_load(fx->db, &a, &lists), 0);
    int64_t radweg = store_entry(fx->db, &a, &lists, "Radweg an der Rheinallee", "mombach", "mobilitaet", 1000);
    int64_t schule = store_entry(fx->db, &a, &lists, "Schule sanieren", "finthen", "bildung", 2000);
    store_entry(fx->db, &a, &lists, "Ärztehaus im Ortskern", "finthen", "soziales", 3000);

    project_filter_t all = {.planned = -1};
    assert_int_equal(found(fx->db, &a, all), 3);
    project_filter_t f = all;
    f.query = "Radwege";
    assert_int_equal(found(fx->db, &a, f), 1);
    f.query = "radweg rheinallee";
    assert_int_equal(found(fx->db, &a, f), 1);
    f.query = "radweg schule"; /* every word must match */
    assert_int_equal(found(fx->db, &a, f), 0);
    f.query = "und die"; /* only stop words */
    assert_int_equal(found(fx->db, &a, f), 0);
    f.query = "Mombach"; /* district names are searchable */
    assert_int_equal(found(fx->db, &a, f), 1);

    f = all;
    f.district_id = lists.districts[7].id; /* Finthen */
    assert_string_equal(lists.districts[7].slug, "finthen");
    assert_int_equal(found(fx->db, &a, f), 2);
    f.status = "in_planung";
    assert_int_equal(found(fx->db, &a, f), 2);
    f.status = "abgeschlossen";
    assert_int_equal(found(fx->db, &a, f), 0);
    f = all;
    f.planned = 1;
    assert_int_equal(found(fx->db, &a, f), 0);
    f.planned = 0;
    assert_int_equal(found(fx->db, &a, f), 3);

    /* Orders: newest first by default; titles as in a dictionary (Ä as A). */
    project_hits_t hits;
    assert_int_equal(projects_find(fx->db, &a, &all, &hits), 0);
    assert_int_equal(hits.items[2].id, radweg);
    f = all;
    f.sort = "titel";
    assert_int_equal(projects_find(fx->db, &a, &f, &hits), 0);
    assert_int_equal(hits.items[2].id, schule);
    arena_clear(&a);
}

/* Filters run on a copy of every entry's columns kept in memory
 * (projects_listing.c): every save must be seen by the very next request, a save
 * rolled back never. */
static void test_kept_listing_follows_every_save(void **state)
{
    fixture_db_t *fx = *state;
    arena_t a;
    arena_init(&a);
    project_lists_t lists;
    assert_int_equal(projects_lists_load(fx->db, &a, &lists), 0);
    assert_string_equal(lists.districts[5].slug, "mombach");
    assert_string_equal(lists.districts[7].slug, "finthen");
    project_filter_t mombach = {.planned = -1, .district_id = lists.districts[5].id};
    project_filter_t finthen = {.planned = -1, .district_id = lists.districts[7].id};
    assert_int_equal(found(fx->db, &a, mombach), 0); /* the empty list is kept now */

    int64_t id = store_entry(fx->db, &a, &lists, "Spielplatz erneuern", "mombach", "kinder-jugend", 1000);
    assert_int_equal(found(fx->db, &a, mombach), 1);
    assert_int_equal(found(fx->db, &a, finthen), 0);

    project_t old, next;
    assert_int_equal(projects_load_one(fx->db, &a, id, &old), 0);
    next = old;
    next.districts[0] = lists.districts[7];
    next.status = "abgeschlossen";
    size_t changes;
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(projects_store(fx->db, &a, NULL, &next, &old, "Umgezogen.", 0, 2000, &changes), 0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(found(fx->db, &a, mombach), 0);
    assert_int_equal(found(fx->db, &a, finthen), 1);
    project_filter_t done = finthen;
    done.status = "abgeschlossen";
    assert_int_equal(found(fx->db, &a, done), 1);

    /* A save that is rolled back leaves the list as it was. */
    project_t saved;
    assert_int_equal(projects_load_one(fx->db, &a, id, &saved), 0);
    next = saved;
    next.status = "in_planung";
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(projects_store(fx->db, &a, NULL, &next, &saved, "Doch nicht.", 0, 3000, &changes), 0);
    db_rollback(fx->db);
    assert_int_equal(found(fx->db, &a, done), 1);

    /* Forgetting the kept copy changes no answer. */
    projects_listing_forget();
    assert_int_equal(found(fx->db, &a, done), 1);
    assert_int_equal(found(fx->db, &a, mombach), 0);
    arena_clear(&a);
}

static void test_edit_writes_the_change_log_and_refuses_a_stale_form(void **state)
{
    fixture_db_t *fx = *state;
    arena_t a;
    arena_init(&a);
    project_lists_t lists;
    assert_int_equal(projects_lists_load(fx->db, &a, &lists), 0);
    int64_t id = store_entry(fx->db, &a, &lists, "Radweg an der Rheinallee", "mombach", "mobilitaet", 1000);
    project_t old, next;
    assert_int_equal(projects_load_one(fx->db, &a, id, &old), 0);
    assert_int_equal(old.version, 1);
    next = old;
    next.ends_on = "2028-06-30";
    next.title = "Radweg an der Rheinallee und am Winterhafen";
    size_t changes;
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(
        projects_store(fx->db, &a, NULL, &next, &old, "Die Ausschreibung musste wiederholt werden.", 0, 5000, &changes),
        0);
    assert_int_equal(db_commit(fx->db), 0);
    assert_int_equal(changes, 2);

    json_t *log;
    assert_int_equal(projects_changes_json(fx->db, id, &log), 0);
    assert_int_equal(json_array_size(log), 2);
    int delay = 0;
    size_t i;
    json_t *c;
    json_array_foreach(log, i, c)
    {
        assert_string_equal(json_string_value(json_object_get(c, "explanation")),
                            "Die Ausschreibung musste wiederholt werden.");
        if (!strcmp(json_string_value(json_object_get(c, "field")), "ends_on")) {
            delay = 1;
            assert_string_equal(json_string_value(json_object_get(c, "kind")), "verzoegerung");
            assert_string_equal(json_string_value(json_object_get(c, "old_value")), "2027-06-30");
        }
    }
    assert_true(delay);
    json_decref(log);

    /* The new title is found, and the entry shows its last change. */
    project_filter_t f = {.planned = -1, .query = "Winterhafen"};
    assert_int_equal(found(fx->db, &a, f), 1);
    project_t now;
    assert_int_equal(projects_load_one(fx->db, &a, id, &now), 0);
    assert_int_equal(now.version, 2);
    assert_int_equal(now.updated_at, 5000);

    /* A form opened before that save (version 1) must not overwrite it. */
    next = old;
    next.status = "abgeschlossen";
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(projects_store(fx->db, &a, NULL, &next, &old, "zu spät", 0, 6000, &changes), PROJECTS_ECONFLICT);
    db_rollback(fx->db);
    assert_int_equal(projects_load_one(fx->db, &a, id, &now), 0);
    assert_string_equal(now.status, "in_planung");
    arena_clear(&a);
}

static const char sql_snapshot[] = "SELECT snapshot FROM project_editions WHERE id = $1";

static void test_edition_keeps_its_snapshot(void **state)
{
    fixture_db_t *fx = *state;
    arena_t a;
    arena_init(&a);
    project_lists_t lists;
    assert_int_equal(projects_lists_load(fx->db, &a, &lists), 0);
    int64_t id = store_entry(fx->db, &a, &lists, "Radweg an der Rheinallee", "mombach", "mobilitaet", 1000);
    int64_t edition;
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(projects_publish_edition(fx->db, &a, 2026, 4, "Vorwort", 0, 7000, &edition), 0);
    assert_int_equal(db_commit(fx->db), 0);

    project_t old, next;
    assert_int_equal(projects_load_one(fx->db, &a, id, &old), 0);
    next = old;
    next.title = "Ganz anderer Titel";
    size_t changes;
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(projects_store(fx->db, &a, NULL, &next, &old, "Umbenannt", 0, 8000, &changes), 0);
    assert_int_equal(db_commit(fx->db), 0);

    db_stmt_t *st;
    assert_int_equal(db_prepare(fx->db, sql_snapshot, &st), 0);
    db_bind_int64(st, 1, edition);
    assert_int_equal(db_step(st), DB_ROW);
    json_t *snap = json_loads(db_column_text(st, 0), 0, NULL);
    db_reset(st);
    assert_non_null(snap);
    assert_int_equal(json_array_size(snap), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(snap, 0), "title")),
                        "Radweg an der Rheinallee");
    json_decref(snap);

    /* One edition per quarter. */
    int64_t again;
    assert_int_equal(db_begin_write(fx->db), 0);
    assert_int_equal(projects_publish_edition(fx->db, &a, 2026, 4, "", 0, 9000, &again), 1);
    db_rollback(fx->db);
    arena_clear(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test_setup_teardown(test_euro_is_written_the_german_way, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_amounts_are_read_as_people_type_them, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_dates_must_be_real, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_change_kinds, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_labels, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_titles_sort_like_a_dictionary, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_csv_fields, fixture_arena_setup, fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_return_paths_stay_on_the_site, fixture_arena_setup,
                                        fixture_arena_teardown),
        cmocka_unit_test_setup_teardown(test_digest_goes_out_at_seven_local_time, fixture_arena_setup,
                                        fixture_arena_teardown),
    };
    const struct CMUnitTest with_db[] = {
        cmocka_unit_test_setup_teardown(test_seeded_names_are_translatable, fixture_db_setup_migrated,
                                        fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_find_filters_and_german_search, fixture_db_setup_migrated,
                                        fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_kept_listing_follows_every_save, fixture_db_setup_migrated,
                                        fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_edit_writes_the_change_log_and_refuses_a_stale_form,
                                        fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_edition_keeps_its_snapshot, fixture_db_setup_migrated,
                                        fixture_db_teardown),
    };
    int failed = cmocka_run_group_tests_name("projects rules", pure, NULL, NULL);
    failed += fixture_db_run("projects", with_db, with_db);
    return failed ? 1 : 0;
}
