/* test_fees.c — unit tests for fees computed from rules (src/modules/services/fees.c).
 *
 * The real rule files under data/services/fees/ (run from the repository root,
 * as tests/run-all.sh does) with the fees a citizen sees: the passport by age
 * with the 24th birthday exactly on both sides, leap-day birthdays, the options,
 * the temporary passport; answers that keep a fee from being computed (missing,
 * impossible or future birth dates) with the message the citizen reads; every
 * operator of the format; and every limit of the rule parser at its value and
 * one past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/services/internal.h"

/* ---- helpers -------------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(FEES_MAX_RULES_BYTES + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, FEES_MAX_RULES_BYTES, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

typedef struct result {
    int rc;
    int64_t total;
    json_t *lines;
    char err[512];
} result_t;

/* Computes rules against answers (JSON text) on today. */
static result_t compute(const char *rules, const char *answers_json, const char *today)
{
    result_t r;
    memset(&r, 0, sizeof(r));
    json_t *answers = json_loads(answers_json, 0, NULL);
    assert_non_null(answers);
    r.rc = fees_compute(rules, answers, today, &r.lines, &r.total, r.err, sizeof(r.err));
    json_decref(answers);
    if (r.rc == 0)
        assert_non_null(r.lines);
    else
        assert_null(r.lines);
    return r;
}

static void done(result_t *r)
{
    json_decref(r->lines);
}

static const char *label_at(const result_t *r, size_t i)
{
    return json_string_value(json_object_get(json_array_get(r->lines, i), "label"));
}

static int64_t cents_at(const result_t *r, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(r->lines, i), "cents"));
}

/* The passport fee for a birth date on a day, with no options. */
static int64_t passport_fee(const char *rules, const char *birth, const char *today)
{
    char answers[128];
    snprintf(answers, sizeof(answers), "{\"birth_date\": \"%s\"}", birth);
    result_t r = compute(rules, answers, today);
    assert_int_equal(r.rc, 0);
    assert_int_equal(json_array_size(r.lines), 1);
    int64_t total = r.total;
    done(&r);
    return total;
}

static int setup_reisepass(void **state)
{
    *state = read_file("data/services/fees/reisepass.json");
    return 0;
}

static int teardown_rules(void **state)
{
    free(*state);
    return 0;
}

/* ---- the passport (data/services/fees/reisepass.json) ------------------------------- */

static void test_passport_adult_and_young(void **state)
{
    const char *rules = *state;
    result_t r = compute(rules, "{\"birth_date\": \"1980-06-15\"}", "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 7000);
    assert_string_equal(label_at(&r, 0), "Reisepass (ab 24 Jahre, 10 Jahre gültig)");
    done(&r);

    r = compute(rules, "{\"birth_date\": \"2005-01-01\"}", "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 3750);
    assert_string_equal(label_at(&r, 0), "Reisepass (unter 24 Jahre, 6 Jahre gültig)");
    done(&r);
}

static void test_passport_24th_birthday_boundary(void **state)
{
    const char *rules = *state;
    /* Born 10 May 2002: 23 on 9 May 2026, 24 on 10 May 2026. */
    assert_int_equal(passport_fee(rules, "2002-05-10", "2026-05-09"), 3750);
    assert_int_equal(passport_fee(rules, "2002-05-10", "2026-05-10"), 7000);
    assert_int_equal(passport_fee(rules, "2002-05-10", "2026-05-11"), 7000);
    /* The year turns over between the two days. */
    assert_int_equal(passport_fee(rules, "2002-01-01", "2025-12-31"), 3750);
    assert_int_equal(passport_fee(rules, "2002-01-01", "2026-01-01"), 7000);
    /* The German way of writing the same date gives the same fee. */
    assert_int_equal(passport_fee(rules, "10.05.2002", "2026-05-09"), 3750);
    assert_int_equal(passport_fee(rules, "10.05.2002", "2026-05-10"), 7000);
}

static void test_passport_leap_day_birthdays(void **state)
{
    const char *rules = *state;
    /* Born 29 Feb 2000: turns 24 on 29 Feb 2024 (a leap year). */
    assert_int_equal(passport_fee(rules, "2000-02-29", "2024-02-28"), 3750);
    assert_int_equal(passport_fee(rules, "2000-02-29", "2024-02-29"), 7000);
    /* Born 29 Feb 2076: the 24th birthday falls in 2100, which is no leap year,
     * so the year of life is complete at the end of 28 Feb and counts from 1 March. */
    assert_int_equal(passport_fee(rules, "2076-02-29", "2100-02-28"), 3750);
    assert_int_equal(passport_fee(rules, "2076-02-29", "2100-03-01"), 7000);

    int age = -1;
    assert_int_equal(fees_age_on("2000-02-29", "2025-02-28", &age), 0);
    assert_int_equal(age, 24);
    assert_int_equal(fees_age_on("2000-02-29", "2025-03-01", &age), 0);
    assert_int_equal(age, 25);
    assert_int_equal(fees_age_on("2000-02-29", "2000-02-29", &age), 0);
    assert_int_equal(age, 0);
}

static void test_passport_options(void **state)
{
    const char *rules = *state;
    result_t r =
        compute(rules, "{\"birth_date\": \"1980-06-15\", \"express\": \"1\", \"pages48\": \"on\", \"delivery\": true}",
                "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(json_array_size(r.lines), 4);
    assert_int_equal(r.total, 7000 + 3200 + 2200 + 1500);
    assert_string_equal(label_at(&r, 1), "Expressverfahren");
    assert_int_equal(cents_at(&r, 1), 3200);
    assert_string_equal(label_at(&r, 2), "Reisepass mit 48 Seiten");
    assert_int_equal(cents_at(&r, 2), 2200);
    assert_string_equal(label_at(&r, 3), "Zusendung per Post");
    assert_int_equal(cents_at(&r, 3), 1500);
    done(&r);

    /* Young, express only. */
    r = compute(rules, "{\"birth_date\": \"2010-03-01\", \"express\": \"ja\"}", "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 3750 + 3200);
    done(&r);

    /* Unchecked boxes in every form they arrive in add nothing. */
    r = compute(rules, "{\"birth_date\": \"1980-06-15\", \"express\": \"0\", \"pages48\": \"\", \"delivery\": false}",
                "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 7000);
    assert_int_equal(json_array_size(r.lines), 1);
    done(&r);
}

static void test_passport_temporary(void **state)
{
    const char *rules = *state;
    /* The temporary passport costs the same at any age, has no options, and
     * needs no birth date for its fee. */
    result_t r = compute(rules, "{\"vorlaeufig\": \"1\", \"express\": \"1\", \"pages48\": \"1\"}", "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 2600);
    assert_int_equal(json_array_size(r.lines), 1);
    assert_string_equal(label_at(&r, 0), "Vorläufiger Reisepass (bis 1 Jahr gültig)");
    done(&r);
}

static void test_passport_birth_date_problems(void **state)
{
    const char *rules = *state;
    struct {
        const char *answers;
        const char *message_part;
    } cases[] = {
        {"{}", "Bitte geben Sie das Geburtsdatum an"},
        {"{\"birth_date\": \"\"}", "Bitte geben Sie das Geburtsdatum an"},
        {"{\"birth_date\": \"   \"}", "Bitte geben Sie das Geburtsdatum an"},
        {"{\"birth_date\": null}", "Bitte geben Sie das Geburtsdatum an"},
        {"{\"birth_date\": 19800615}", "Bitte geben Sie das Geburtsdatum an"},
        {"{\"birth_date\": \"2001-02-29\"}", "kein gültiges Datum"}, /* 2001 is no leap year */
        {"{\"birth_date\": \"31.02.2000\"}", "kein gültiges Datum"},
        {"{\"birth_date\": \"2000-13-01\"}", "kein gültiges Datum"},
        {"{\"birth_date\": \"2000-1-1\"}", "kein gültiges Datum"},
        {"{\"birth_date\": \"gestern\"}", "kein gültiges Datum"},
        {"{\"birth_date\": \"1799-12-31\"}", "kein gültiges Datum"},
        {"{\"birth_date\": \"2026-11-30\"}", "in der Zukunft"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        result_t r = compute(rules, cases[i].answers, "2026-11-29");
        assert_int_equal(r.rc, -1);
        if (!strstr(r.err, cases[i].message_part))
            fail_msg("answers %s: message '%s' lacks '%s'", cases[i].answers, r.err, cases[i].message_part);
        assert_int_equal(r.total, 0);
    }
    /* Born today: age 0, a valid (young) passport. */
    assert_int_equal(passport_fee(rules, "2026-11-29", "2026-11-29"), 3750);
}

/* ---- the other rule files -------------------------------------------------------------- */

static void test_other_services(void **state)
{
    (void)state;
    char *rules = read_file("data/services/fees/meldebescheinigung.json");
    result_t r = compute(rules, "{}", "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 1000);
    assert_string_equal(label_at(&r, 0), "Meldebescheinigung");
    done(&r);
    free(rules);

    rules = read_file("data/services/fees/zweckentfremdung.json");
    r = compute(rules, "{\"nights\": \"120\"}", "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 15000);
    done(&r);
    char err[256] = "";
    assert_int_equal(fees_check(rules, err, sizeof(err)), 0);
    free(rules);
}

static void test_no_rules_no_fee(void **state)
{
    (void)state;
    const char *blank[] = {NULL, "", "  \n\t", "{}", "{\"version\": 1, \"base\": [], \"addons\": [], \"fixed\": []}"};
    for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
        result_t r = compute(blank[i], "{\"birth_date\": \"1980-01-01\"}", "2026-11-29");
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.total, 0);
        assert_int_equal(json_array_size(r.lines), 0);
        done(&r);
    }
}

/* ---- operators -------------------------------------------------------------------------- */

static void test_operators(void **state)
{
    (void)state;
    const char *rules =
        "{\"base\": ["
        " {\"when\": {\"field\": \"art\", \"equals\": \"gewerblich\"}, \"label\": \"G\", \"cents\": 500},"
        " {\"when\": {\"field\": \"art\", \"in\": [\"ferien\", \"leer\"]}, \"label\": \"F\", \"cents\": 300},"
        " {\"label\": \"S\", \"cents\": 100}],"
        " \"addons\": ["
        " {\"when\": {\"field\": \"extras\", \"contains\": \"kopie\"}, \"label\": \"K\", \"cents\": 10},"
        " {\"when\": {\"field\": \"nights\", \"at_least\": 90}, \"label\": \"N\", \"cents\": 20},"
        " {\"when\": {\"field\": \"nights\", \"under\": 10}, \"label\": \"W\", \"cents\": 40},"
        " {\"when\": {\"any\": [{\"field\": \"a\", \"checked\": true}, {\"field\": \"b\", \"checked\": true}]},"
        "  \"label\": \"AB\", \"cents\": 1},"
        " {\"when\": {\"field\": \"a\", \"checked\": false}, \"label\": \"notA\", \"cents\": 2}],"
        " \"fixed\": [{\"label\": \"X\", \"cents\": 7}]}";
    char err[256];
    assert_int_equal(fees_check(rules, err, sizeof(err)), 0);
    struct {
        const char *answers;
        int64_t total;
    } cases[] = {
        {"{\"art\": \"gewerblich\", \"nights\": 5}", 500 + 40 + 2 + 7},
        {"{\"art\": \"leer\", \"nights\": \"90\"}", 300 + 20 + 2 + 7},
        {"{\"art\": \"sonst\", \"nights\": \" 89 \", \"b\": \"on\"}", 100 + 1 + 2 + 7},
        {"{\"art\": \"ferien\", \"nights\": 10, \"a\": 1, \"extras\": [\"kopie\", \"post\"]}", 300 + 10 + 1 + 7},
        {"{\"nights\": 200, \"extras\": \"kopie\", \"a\": [\"x\"]}", 100 + 10 + 20 + 1 + 7},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        result_t r = compute(rules, cases[i].answers, "2026-11-29");
        if (r.rc != 0 || r.total != cases[i].total)
            fail_msg("answers %s: rc %d, total %lld, expected %lld (%s)", cases[i].answers, r.rc, (long long)r.total,
                     (long long)cases[i].total, r.err);
        done(&r);
    }
    /* A number rule with a missing or wrong number is an error the citizen can fix. */
    result_t r = compute(rules, "{\"art\": \"leer\"}", "2026-11-29");
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err, "ganze Zahl"));
    r = compute(rules, "{\"art\": \"leer\", \"nights\": \"viele\"}", "2026-11-29");
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err, "ganze Zahl"));
}

static void test_no_base_applies(void **state)
{
    (void)state;
    const char *rules =
        "{\"base\": [{\"when\": {\"field\": \"x\", \"checked\": true}, \"label\": \"X\", \"cents\": 1}]}";
    result_t r = compute(rules, "{}", "2026-11-29");
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err, "base"));
    r = compute(rules, "{\"x\": \"1\"}", "2026-11-29");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.total, 1);
    done(&r);
}

static void test_today_must_be_iso(void **state)
{
    const char *rules = *state;
    const char *bad[] = {NULL, "", "29.11.2026", "2026-02-30", "2026-11-29T10:00"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        result_t r = compute(rules, "{\"birth_date\": \"1980-01-01\"}", bad[i]);
        assert_int_equal(r.rc, -1);
        assert_non_null(strstr(r.err, "today"));
    }
}

/* ---- the rule format: errors and limits ---------------------------------------------------- */

/* fees_check must refuse rules and name the place in its message. */
static void expect_refused(const char *rules, const char *message_part)
{
    char err[512] = "";
    if (fees_check(rules, err, sizeof(err)) != -1)
        fail_msg("accepted: %.200s", rules);
    if (!strstr(err, message_part))
        fail_msg("rules %.200s: message '%s' lacks '%s'", rules, err, message_part);
    /* fees_compute refuses the same rules with the same message. */
    result_t r = compute(rules, "{}", "2026-11-29");
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.err, err);
}

static void expect_accepted(const char *rules)
{
    char err[512] = "";
    if (fees_check(rules, err, sizeof(err)) != 0)
        fail_msg("refused (%s): %.200s", err, rules);
}

static void test_format_errors(void **state)
{
    (void)state;
    expect_refused("{\"base\": [", "not JSON");
    expect_refused("[]", "must be a JSON object");
    expect_refused("{\"base\": [], \"base\": []}", "not JSON"); /* duplicate key */
    expect_refused("{\"basis\": []}", "unknown key 'basis'");
    expect_refused("{\"version\": 2}", "version");
    expect_refused("{\"source\": 5}", "source");
    expect_refused("{\"base\": {}}", "base");
    expect_refused("{\"base\": [5]}", "base[0]");
    expect_refused("{\"base\": [{\"cents\": 1}]}", "base[0]: \"label\"");
    expect_refused("{\"base\": [{\"label\": \"\", \"cents\": 1}]}", "\"label\"");
    expect_refused("{\"base\": [{\"label\": \"A\"}]}", "\"cents\"");
    expect_refused("{\"base\": [{\"label\": \"A\", \"cents\": -1}]}", "\"cents\"");
    expect_refused("{\"base\": [{\"label\": \"A\", \"cents\": 1.5}]}", "\"cents\"");
    expect_refused("{\"base\": [{\"label\": \"A\", \"cents\": \"1\"}]}", "\"cents\"");
    expect_refused("{\"base\": [{\"label\": \"A\", \"cents\": 1, \"preis\": 2}]}", "unknown key 'preis'");
    expect_refused("{\"fixed\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"a\", \"checked\": true}}]}",
                   "fixed[0]: unknown key 'when'");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"a\", \"is\": true}}]}",
                   "addons[0].when: unknown operator 'is'");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"a\"}}]}",
                   "exactly one operator");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"a\", \"checked\": true, "
                   "\"equals\": \"x\"}}]}",
                   "exactly one operator");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"checked\": true}}]}",
                   "needs \"field\"");
    expect_refused(
        "{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"Groß\", \"checked\": true}}]}",
        "field name");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"a\", \"checked\": 1}}]}",
                   "true or false");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"a\", \"in\": []}}]}",
                   "'in'");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"a\", \"in\": [1]}}]}",
                   "'in'[0]");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"b\", \"age_under\": -1}}]}",
                   "'age_under'");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"all\": []}}]}", "'all'");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"any\": [{}], \"not\": {}}}]}",
                   "needs \"field\"");
    expect_refused("{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": [1]}]}", "must be an object");
}

static void test_limits(void **state)
{
    (void)state;
    char *buf = malloc(FEES_MAX_RULES_BYTES + 64);
    assert_non_null(buf);

    /* Size: exactly FEES_MAX_RULES_BYTES passes, one byte more is refused. */
    memset(buf, ' ', FEES_MAX_RULES_BYTES);
    buf[0] = '{';
    buf[FEES_MAX_RULES_BYTES - 1] = '}';
    buf[FEES_MAX_RULES_BYTES] = '\0';
    expect_accepted(buf);
    buf[FEES_MAX_RULES_BYTES - 1] = ' ';
    buf[FEES_MAX_RULES_BYTES] = '}';
    buf[FEES_MAX_RULES_BYTES + 1] = '\0';
    expect_refused(buf, "larger than");

    /* Cents: the maximum per line passes, one cent more is refused. */
    snprintf(buf, 256, "{\"fixed\": [{\"label\": \"A\", \"cents\": %lld}]}", (long long)FEES_MAX_CENTS);
    expect_accepted(buf);
    snprintf(buf, 256, "{\"fixed\": [{\"label\": \"A\", \"cents\": %lld}]}", (long long)FEES_MAX_CENTS + 1);
    expect_refused(buf, "\"cents\"");

    /* Label length. */
    char label[FEES_MAX_LABEL + 2];
    memset(label, 'x', sizeof(label));
    label[FEES_MAX_LABEL] = '\0';
    snprintf(buf, 1024, "{\"fixed\": [{\"label\": \"%s\", \"cents\": 1}]}", label);
    expect_accepted(buf);
    label[FEES_MAX_LABEL] = 'x';
    label[FEES_MAX_LABEL + 1] = '\0';
    snprintf(buf, 1024, "{\"fixed\": [{\"label\": \"%s\", \"cents\": 1}]}", label);
    expect_refused(buf, "\"label\"");

    /* Field name length. */
    char field[FEES_MAX_FIELD + 2];
    memset(field, 'f', sizeof(field));
    field[FEES_MAX_FIELD] = '\0';
    snprintf(buf, 1024,
             "{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"%s\", \"checked\": true}}]}",
             field);
    expect_accepted(buf);
    field[FEES_MAX_FIELD] = 'f';
    field[FEES_MAX_FIELD + 1] = '\0';
    snprintf(buf, 1024,
             "{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"%s\", \"checked\": true}}]}",
             field);
    expect_refused(buf, "field name");

    /* Numbers in comparisons. */
    snprintf(buf, 256,
             "{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"n\", \"at_least\": %d}}]}",
             FEES_MAX_NUMBER);
    expect_accepted(buf);
    snprintf(buf, 256,
             "{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": {\"field\": \"n\", \"at_least\": %d}}]}",
             FEES_MAX_NUMBER + 1);
    expect_refused(buf, "'at_least'");

    /* Entries per list: FEES_MAX_ENTRIES pass, one more is refused; each pays. */
    for (int n = FEES_MAX_ENTRIES; n <= FEES_MAX_ENTRIES + 1; n++) {
        size_t len = (size_t)snprintf(buf, 64, "{\"fixed\": [");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(buf + len, 64, "%s{\"label\": \"L%d\", \"cents\": 100}", i ? "," : "", i);
        snprintf(buf + len, 8, "]}");
        if (n == FEES_MAX_ENTRIES) {
            expect_accepted(buf);
            result_t r = compute(buf, "{}", "2026-11-29");
            assert_int_equal(r.rc, 0);
            assert_int_equal(r.total, 100 * FEES_MAX_ENTRIES);
            assert_int_equal(json_array_size(r.lines), FEES_MAX_ENTRIES);
            done(&r);
        } else {
            expect_refused(buf, "fixed");
        }
    }

    /* Nesting: FEES_MAX_DEPTH levels of conditions pass, one more is refused. */
    for (int depth = FEES_MAX_DEPTH; depth <= FEES_MAX_DEPTH + 1; depth++) {
        size_t len = (size_t)snprintf(buf, 64, "{\"addons\": [{\"label\": \"A\", \"cents\": 1, \"when\": ");
        for (int i = 1; i < depth; i++)
            len += (size_t)snprintf(buf + len, 16, "{\"not\": ");
        len += (size_t)snprintf(buf + len, 64, "{\"field\": \"a\", \"checked\": true}");
        for (int i = 1; i < depth; i++)
            len += (size_t)snprintf(buf + len, 4, "}");
        snprintf(buf + len, 8, "}]}");
        if (depth == FEES_MAX_DEPTH) {
            expect_accepted(buf);
            /* Seven nots around "a is checked": an unchecked a makes it true. */
            result_t r = compute(buf, "{}", "2026-11-29");
            assert_int_equal(r.rc, 0);
            assert_int_equal(r.total, (FEES_MAX_DEPTH - 1) % 2 ? 1 : 0);
            done(&r);
        } else {
            expect_refused(buf, "nested deeper");
        }
    }
    free(buf);
}

static void test_rule_files_check(void **state)
{
    (void)state;
    const char *files[] = {"data/services/fees/reisepass.json", "data/services/fees/meldebescheinigung.json",
                           "data/services/fees/zweckentfremdung.json"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *rules = read_file(files[i]);
        char err[512] = "";
        if (fees_check(rules, err, sizeof(err)) != 0)
            fail_msg("%s: %s", files[i], err);
        free(rules);
    }
}

static void test_parse_date(void **state)
{
    (void)state;
    int y, m, d;
    assert_int_equal(fees_parse_date("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    assert_int_equal(fees_parse_date("01.03.2000", &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20000301);
    assert_int_equal(fees_parse_date("2000-02-29", &y, &m, &d), 0);  /* divisible by 400: leap */
    assert_int_equal(fees_parse_date("1900-02-29", &y, &m, &d), -1); /* divisible by 100: not */
    assert_int_equal(fees_parse_date("2024-04-31", &y, &m, &d), -1);
    assert_int_equal(fees_parse_date("2024-00-10", &y, &m, &d), -1);
    assert_int_equal(fees_parse_date("2024-01-00", &y, &m, &d), -1);
    assert_int_equal(fees_parse_date("2024-01-01 ", &y, &m, &d), -1);
    assert_int_equal(fees_parse_date("+024-01-01", &y, &m, &d), -1);
    assert_int_equal(fees_parse_date(NULL, &y, &m, &d), -1);
    int age;
    assert_int_equal(fees_age_on("2027-01-01", "2026-12-31", &age), -2);
    assert_int_equal(fees_age_on("x", "2026-12-31", &age), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_passport_adult_and_young, setup_reisepass, teardown_rules),
        cmocka_unit_test_setup_teardown(test_passport_24th_birthday_boundary, setup_reisepass, teardown_rules),
        cmocka_unit_test_setup_teardown(test_passport_leap_day_birthdays, setup_reisepass, teardown_rules),
        cmocka_unit_test_setup_teardown(test_passport_options, setup_reisepass, teardown_rules),
        cmocka_unit_test_setup_teardown(test_passport_temporary, setup_reisepass, teardown_rules),
        cmocka_unit_test_setup_teardown(test_passport_birth_date_problems, setup_reisepass, teardown_rules),
        cmocka_unit_test_setup_teardown(test_today_must_be_iso, setup_reisepass, teardown_rules),
        cmocka_unit_test(test_other_services),
        cmocka_unit_test(test_no_rules_no_fee),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_no_base_applies),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_rule_files_check),
        cmocka_unit_test(test_parse_date),
    };
    return cmocka_run_group_tests_name("fees", tests, NULL, NULL);
}
