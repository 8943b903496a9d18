/* test_formdef.c — forms as data (docs/forms.md): the strict check of a
 * definition with messages that name the place, its limits, every field type's
 * check of an answer (IBAN included), dates relative to today, conditions and
 * the steps they hide ("Schritt 2 von 5"), the answers taken out of a POST, and
 * storing versions in the database (SQLite and, with RATHAUS_TEST_PG_URL,
 * PostgreSQL).
 *
 * Run from the repository root: the example of docs/forms.md and the forms under
 * data/services/forms are checked as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "modules/services/formdef.h"
#include "modules/services/internal.h"
#include "web/form.h"

#include "fixture_db.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

/* Checks text and returns the message ("" when valid). */
static const char *check(const char *text)
{
    static char err[512];
    err[0] = '\0';
    if (formdef_check(text, strlen(text), err, sizeof(err)) == 0)
        return "";
    return err;
}

static void assert_invalid(const char *text, const char *message_part)
{
    const char *err = check(text);
    if (!*err || !strstr(err, message_part)) {
        print_error("definition:\n%s\nexpected a message with \"%s\", got \"%s\"\n", text, message_part, err);
        fail();
    }
}

/* A definition with one step holding fields (JSON text of the array's inside). */
static char *one_step(const char *fields)
{
    static char buf[16384];
    snprintf(buf, sizeof(buf), "{\"form_key\":\"t\",\"title\":\"T\",\"steps\":[{\"title\":\"S\",\"fields\":[%s]}]}",
             fields);
    return buf;
}

static json_t *parse_ok(const char *text)
{
    char err[512] = "";
    json_t *def = formdef_parse(text, strlen(text), err, sizeof(err));
    if (!def) {
        print_error("expected valid, got: %s\n%s\n", err, text);
        fail();
    }
    return def;
}

/* The message of one field's check for an answer given as JSON ("null": none). */
static const char *answer_problem(const char *field_json, const char *answer_json, const char *today)
{
    static char out[512];
    json_t *def = parse_ok(one_step(field_json));
    const json_t *field = json_array_get(json_object_get(formdef_step(def, 0), "fields"), 0);
    json_t *answers = json_object();
    json_t *v = json_loads(answer_json, JSON_DECODE_ANY, NULL);
    if (v && !json_is_null(v))
        json_object_set_new(answers, json_string_value(json_object_get(field, "name")), v);
    else
        json_decref(v);
    arena_t arena;
    arena_init(&arena);
    const char *arg = NULL;
    const char *msg = formdef_check_answer(field, answers, NULL, today, &arg, &arena);
    snprintf(out, sizeof(out), "%s%s%s", msg ? msg : "", arg ? " " : "", arg ? arg : "");
    arena_clear(&arena);
    json_decref(answers);
    json_decref(def);
    return out;
}

#define OK(field, answer) assert_string_equal(answer_problem(field, answer, "2026-06-15"), "")
#define BAD(field, answer, part)                                                                                       \
    do {                                                                                                               \
        const char *p_ = answer_problem(field, answer, "2026-06-15");                                                  \
        if (!*p_ || !strstr(p_, part)) {                                                                               \
            print_error("field %s answer %s: expected \"%s\", got \"%s\"\n", field, answer, part, p_);                 \
            fail();                                                                                                    \
        }                                                                                                              \
    } while (0)

/* ---- definitions ------------------------------------------------------------------------------- */

/* The complete example in docs/forms.md is valid (the documentation does not lie). */
static void test_docs_example_is_valid(void **state)
{
    (void)state;
    size_t len;
    char *doc = read_all("docs/forms.md", &len);
    assert_non_null(doc);
    char *start = strstr(doc, "## Complete example");
    assert_non_null(start);
    start = strstr(start, "```json\n");
    assert_non_null(start);
    start += 8;
    char *end = strstr(start, "```");
    assert_non_null(end);
    *end = '\0';
    assert_string_equal(check(start), "");
    free(doc);
}

static void test_shipped_forms_are_valid(void **state)
{
    (void)state;
    DIR *d = opendir("data/services/forms");
    assert_non_null(d);
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json"))
            continue;
        char path[512];
        snprintf(path, sizeof(path), "data/services/forms/%s", e->d_name);
        size_t len;
        char *text = read_all(path, &len);
        assert_non_null(text);
        char err[512] = "";
        if (formdef_check(text, len, err, sizeof(err)) != 0) {
            print_error("%s: %s\n", path, err);
            fail();
        }
        free(text);
        seen++;
    }
    closedir(d);
    assert_true(seen >= 2);
}

static void test_invalid_definitions_name_the_place(void **state)
{
    (void)state;
    assert_invalid("", "empty");
    assert_invalid("{", "not valid JSON");
    assert_invalid("[]", "JSON object");
    assert_invalid("{\"form_key\":\"t\",\"title\":\"T\",\"steps\":[],\"x\":1}", "unknown key 'x'");
    assert_invalid("{\"form_key\":\"T!\",\"title\":\"T\",\"steps\":[{\"title\":\"S\",\"intro\":\"i\",\"fields\":[]}]}",
                   "'form_key' may only");
    assert_invalid("{\"form_key\":\"t\",\"title\":\"T\",\"steps\":[]}", "at least one step");
    assert_invalid("{\"form_key\":\"t\",\"title\":\"T\",\"steps\":[{\"title\":\"S\",\"fields\":[]}]}",
                   "steps[0]: a step without fields needs an 'intro'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"colour\",\"label\":\"A\"}"),
                   "steps[0].fields[0]: unknown type 'colour'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\"}"), "steps[0].fields[0]: 'label' is missing");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"lable\":\"x\"}"),
                   "unknown key 'lable'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"options\":[]}"),
                   "'options' does not fit the type text");
    assert_invalid(
        one_step(
            "{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\"},{\"name\":\"a\",\"type\":\"text\",\"label\":\"B\"}"),
        "steps[0].fields[1]: the name 'a' is used twice");
    assert_invalid(one_step("{\"name\":\"Name\",\"type\":\"text\",\"label\":\"A\"}"), "must start with a letter a-z");
    assert_invalid(one_step("{\"name\":\"quittung\",\"type\":\"text\",\"label\":\"A\"}"), "reserved");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\\u0007\"}"), "control character");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"required\":\"yes\"}"),
                   "'required' must be true or false");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"pattern\":\"[0-9\"}"),
                   "not a valid POSIX");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"pattern\":\"(a)\\\\1\"}"),
                   "back references");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"min_length\":5,\"max_length\":2}"),
                   "larger than 'max_length'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"max_length\":1001}"),
                   "'max_length' must be between");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"autocomplete\":\"vorname\"}"),
                   "'autocomplete'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"prefill\":\"shoe_size\"}"),
                   "'prefill'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"address\",\"label\":\"A\",\"prefill\":\"street\"}"),
                   "'prefill' must be \"address\"");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"number\",\"label\":\"A\",\"min\":5,\"max\":1}"),
                   "'min' is larger than 'max'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"number\",\"label\":\"A\",\"decimals\":5}"), "'decimals'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"date\",\"label\":\"A\",\"not_after\":\"morgen\"}"),
                   "'not_after' must be");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"date\",\"label\":\"A\",\"min_age\":30,\"max_age\":20}"),
                   "'min_age' is larger");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"radio\",\"label\":\"A\"}"), "'options' must be a list");
    assert_invalid(
        one_step("{\"name\":\"a\",\"type\":\"radio\",\"label\":\"A\",\"options\":[{\"value\":\"X\",\"label\":\"x\"}]}"),
        "steps[0].fields[0].options[0]: 'value' may only");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"radio\",\"label\":\"A\",\"options\":[{\"value\":\"x\","
                            "\"label\":\"x\"},{\"value\":\"x\",\"label\":\"y\"}]}"),
                   "the value 'x' is there twice");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"file\",\"label\":\"A\"}"), "'accept' must list");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"file\",\"label\":\"A\",\"accept\":[\"gif\"]}"),
                   "'accept' knows only");
    assert_invalid(
        one_step("{\"name\":\"a\",\"type\":\"file\",\"label\":\"A\",\"accept\":[\"pdf\"],\"max_size\":10485761}"),
        "'max_size'");
    assert_invalid(one_step("{\"name\":\"a\",\"type\":\"file\",\"label\":\"A\",\"accept\":[\"pdf\"],\"max_files\":6}"),
                   "'max_files'");
    assert_invalid("{\"form_key\":\"t\",\"title\":\"T\",\"summary_fields\":[\"nope\"],\"steps\":[{\"title\":\"S\","
                   "\"intro\":\"i\",\"fields\":[]}]}",
                   "summary_fields: 'nope' is not a field");
    assert_invalid("{\"form_key\":\"t\",\"title\":\"T\",\"translations\":{\"eng\":{}},\"steps\":[{\"title\":\"S\","
                   "\"intro\":\"i\",\"fields\":[]}]}",
                   "two-letter language code");
    assert_invalid("{\"form_key\":\"t\",\"title\":\"T\",\"translations\":{\"en\":{\"a\":1}},\"steps\":[{\"title\":"
                   "\"S\",\"intro\":\"i\",\"fields\":[]}]}",
                   "translations.en");
}

static void test_invalid_conditions(void **state)
{
    (void)state;
    /* A condition may only look back. */
    assert_invalid(
        one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"show_if\":{\"field\":\"b\",\"filled\":true}},"
                 "{\"name\":\"b\",\"type\":\"text\",\"label\":\"B\"}"),
        "steps[0].fields[0].show_if: field 'b' must be defined before 'a'");
    assert_invalid(
        one_step("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"show_if\":{\"field\":\"a\",\"filled\":true}}"),
        "cannot depend on itself");
    assert_invalid(
        "{\"form_key\":\"t\",\"title\":\"T\",\"steps\":[{\"title\":\"S\",\"show_if\":{\"field\":\"a\",\"filled\":true},"
        "\"fields\":[{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\"}]}]}",
        "steps[0].show_if: field 'a' must be defined before this step");
    const char *base =
        "{\"name\":\"c\",\"type\":\"checkbox\",\"label\":\"C\"},{\"name\":\"r\",\"type\":\"radio\",\"label\":\"R\","
        "\"options\":[{\"value\":\"x\",\"label\":\"X\"}]},{\"name\":\"d\",\"type\":\"date\",\"label\":\"D\"},";
    char buf[2048];
    snprintf(buf, sizeof(buf),
             "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":{\"field\":\"r\",\"checked\":true}}",
             base);
    assert_invalid(one_step(buf), "'checked' needs a checkbox");
    snprintf(buf, sizeof(buf),
             "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":{\"field\":\"r\",\"equals\":\"y\"}}",
             base);
    assert_invalid(one_step(buf), "'y' is not an option of 'r'");
    snprintf(buf, sizeof(buf),
             "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":{\"field\":\"c\",\"age_under\":18}}",
             base);
    assert_invalid(one_step(buf), "'age_under' needs a date field");
    snprintf(buf, sizeof(buf),
             "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":{\"field\":\"c\",\"equals\":\"ja\"}}",
             base);
    assert_invalid(one_step(buf), "must be true or false");
    snprintf(buf, sizeof(buf),
             "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":{\"field\":\"d\",\"filled\":true,\"age_"
             "under\":3}}",
             base);
    assert_invalid(one_step(buf), "exactly one test");
    snprintf(buf, sizeof(buf),
             "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":{\"field\":\"d\",\"older\":3}}", base);
    assert_invalid(one_step(buf), "unknown test 'older'");
    snprintf(buf, sizeof(buf), "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":{\"all\":[]}}", base);
    assert_invalid(one_step(buf), "'all' must be a list of 1 to");
    /* Nine levels of "not" are one too many. */
    snprintf(buf, sizeof(buf),
             "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":"
             "{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"field\":\"c\",\"checked\":"
             "true}}}}}}}}}}",
             base);
    assert_invalid(one_step(buf), "deeper than 8");
    snprintf(
        buf, sizeof(buf),
        "%s{\"name\":\"z\",\"type\":\"text\",\"label\":\"Z\",\"show_if\":"
        "{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"not\":{\"field\":\"c\",\"checked\":true}}}}}}}}}",
        base);
    assert_string_equal(check(one_step(buf)), "");
}

/* Builds a definition with steps steps of fields_each text fields each. */
static char *many(int steps, int fields_each)
{
    buf_t b;
    buf_init(&b, NULL, 1024, 4 * 1024 * 1024);
    buf_puts(&b, "{\"form_key\":\"viel\",\"title\":\"Viel\",\"steps\":[");
    int n = 0;
    for (int s = 0; s < steps; s++) {
        buf_appendf(&b, "%s{\"title\":\"S%d\",\"intro\":\"i\",\"fields\":[", s ? "," : "", s);
        for (int f = 0; f < fields_each; f++)
            buf_appendf(&b, "%s{\"name\":\"f%d\",\"type\":\"text\",\"label\":\"F\"}", f ? "," : "", n++);
        buf_puts(&b, "]}");
    }
    buf_puts(&b, "]}");
    char *out = strdup(buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void test_limits(void **state)
{
    (void)state;
    char *t = many(30, 0);
    assert_string_equal(check(t), "");
    free(t);
    t = many(31, 0);
    assert_invalid(t, "at most 30 steps");
    free(t);
    t = many(20, 10);
    assert_string_equal(check(t), "");
    free(t);
    t = many(21, 10); /* 210 fields */
    assert_invalid(t, "at most 200 fields");
    free(t);
    /* 1 MiB of JSON is the most a definition may be. */
    size_t big = FORMDEF_MAX_BYTES + 1;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    memcpy(huge, "{}", 2);
    huge[big] = '\0';
    char err[256];
    assert_int_equal(formdef_check(huge, big, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "larger than"));
    free(huge);
    /* A label of 300 bytes passes, 301 do not. */
    char label[400], field[600];
    memset(label, 'a', 300);
    label[300] = '\0';
    snprintf(field, sizeof(field), "{\"name\":\"a\",\"type\":\"text\",\"label\":\"%s\"}", label);
    assert_string_equal(check(one_step(field)), "");
    memset(label, 'a', 301);
    label[301] = '\0';
    snprintf(field, sizeof(field), "{\"name\":\"a\",\"type\":\"text\",\"label\":\"%s\"}", label);
    assert_invalid(one_step(field), "longer than 300 bytes");
    /* A 200-byte pattern compiles, 201 bytes are refused. */
    char pat[300];
    memset(pat, 'a', 201);
    pat[201] = '\0';
    snprintf(field, sizeof(field), "{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"pattern\":\"%s\"}", pat);
    assert_invalid(one_step(field), "'pattern' is longer than 200");
    pat[200] = '\0';
    snprintf(field, sizeof(field), "{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"pattern\":\"%s\"}", pat);
    assert_string_equal(check(one_step(field)), "");
}

/* ---- answers ------------------------------------------------------------------------------------- */

static void test_text_email_phone(void **state)
{
    (void)state;
    const char *req =
        "{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"required\":true,\"min_length\":2,\"max_length\":5}";
    BAD(req, "null", "Bitte machen Sie hier eine Angabe.");
    BAD(req, "\"x\"", "Mindestzahl der Zeichen: 2");
    OK(req, "\"äöü\""); /* characters, not bytes */
    BAD(req, "\"abcdef\"", "Höchstzahl der Zeichen: 5");
    OK("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\"}", "null");
    BAD("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\"}", "[1]", "Angabe");
    const char *pat = "{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"pattern\":\"[0-9]{5}\",\"pattern_message\":"
                      "\"Fünf Ziffern.\"}";
    OK(pat, "\"55116\"");
    BAD(pat, "\"551160\"", "Fünf Ziffern."); /* anchored: the whole answer must match */
    BAD(pat, "\"x55116\"", "Fünf Ziffern.");
    BAD("{\"name\":\"a\",\"type\":\"text\",\"label\":\"A\",\"pattern\":\"[a-z]+\"}", "\"A\"", "Format");
    const char *mail = "{\"name\":\"a\",\"type\":\"email\",\"label\":\"A\"}";
    OK(mail, "\"maria@example.org\"");
    BAD(mail, "\"maria at example.org\"", "E-Mail-Adresse");
    BAD(mail, "\"a@b@c\"", "E-Mail-Adresse");
    const char *phone = "{\"name\":\"a\",\"type\":\"phone\",\"label\":\"A\"}";
    OK(phone, "\"+49 6131 12-0\"");
    OK(phone, "\"(06131) 12/0\"");
    BAD(phone, "\"call me\"", "Ziffern");
    BAD(phone, "\"12\"", "Ziffern");
    const char *area = "{\"name\":\"a\",\"type\":\"textarea\",\"label\":\"A\"}";
    char *long_text = malloc(4002 + 2 + 1);
    long_text[0] = '"';
    memset(long_text + 1, 'x', 4001);
    strcpy(long_text + 4002, "\"");
    BAD(area, long_text, "Höchstzahl der Zeichen: 4000");
    long_text[4001] = '"';
    long_text[4002] = '\0';
    OK(area, long_text);
    free(long_text);
}

static void test_number(void **state)
{
    (void)state;
    const char *n = "{\"name\":\"a\",\"type\":\"number\",\"label\":\"A\",\"min\":40,\"max\":250}";
    OK(n, "\"172\"");
    OK(n, "\"40\"");
    OK(n, "\"250\"");
    BAD(n, "\"39\"", "Kleinster erlaubter Wert: 40");
    BAD(n, "\"251\"", "Größter erlaubter Wert: 250");
    BAD(n, "\"1,5\"", "ganze Zahl");
    BAD(n, "\"zwölf\"", "Zahl");
    BAD(n, "\"1e3\"", "Zahl");
    BAD(n, "\"1.\"", "Zahl");
    const char *d = "{\"name\":\"a\",\"type\":\"number\",\"label\":\"A\",\"decimals\":2,\"min\":0.5}";
    OK(d, "\"1,25\"");
    OK(d, "\"1.25\"");
    BAD(d, "\"1,255\"", "Höchstzahl: 2");
    BAD(d, "\"0,4\"", "Kleinster erlaubter Wert: 0,5");
}

static void test_dates(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(formdef_resolve_date("today", "2026-06-15", out), 0);
    assert_string_equal(out, "2026-06-15");
    assert_int_equal(formdef_resolve_date("+14d", "2026-12-25", out), 0);
    assert_string_equal(out, "2027-01-08");
    assert_int_equal(formdef_resolve_date("-1d", "2024-03-01", out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(formdef_resolve_date("-6m", "2024-03-31", out), 0);
    assert_string_equal(out, "2023-09-30"); /* the 31st of a 30-day month is its 30th */
    assert_int_equal(formdef_resolve_date("+1y", "2024-02-29", out), 0);
    assert_string_equal(out, "2025-02-28");
    assert_int_equal(formdef_resolve_date("-120y", "2026-06-15", out), 0);
    assert_string_equal(out, "1906-06-15");
    assert_int_equal(formdef_resolve_date("2026-02-28", "2000-01-01", out), 0);
    assert_int_equal(formdef_resolve_date("2026-02-29", "2000-01-01", out), -1);
    assert_int_equal(formdef_resolve_date("+14w", "2026-06-15", out), -1);
    assert_int_equal(formdef_resolve_date("+12345d", "2026-06-15", out), -1);
    assert_int_equal(formdef_resolve_date("tomorrow", "2026-06-15", out), -1);
    /* Ages: a year older on the birthday (§ 187 (2) BGB); 29 February on 1 March. */
    assert_int_equal(formdef_age("2008-06-15", "2026-06-15"), 18);
    assert_int_equal(formdef_age("2008-06-16", "2026-06-15"), 17);
    assert_int_equal(formdef_age("2008-02-29", "2026-02-28"), 17);
    assert_int_equal(formdef_age("2008-02-29", "2026-03-01"), 18);
    assert_int_equal(formdef_age("2030-01-01", "2026-06-15"), -1);
    assert_int_equal(formdef_age("kein Datum", "2026-06-15"), -1);

    const char *birth = "{\"name\":\"a\",\"type\":\"date\",\"label\":\"A\",\"not_after\":\"today\",\"max_age\":120}";
    OK(birth, "\"1985-04-23\"");
    OK(birth, "\"2026-06-15\"");
    BAD(birth, "\"2026-06-16\"", "Spätestes erlaubtes Datum: 15.06.2026");
    BAD(birth, "\"1900-01-01\"", "Höchstalter in Jahren: 120");
    BAD(birth, "\"2026-02-30\"", "gültiges Datum");
    BAD(birth, "\"23.04.1985\"", "gültiges Datum"); /* made ISO by formdef_collect_step, not here */
    const char *soon = "{\"name\":\"a\",\"type\":\"date\",\"label\":\"A\",\"not_before\":\"+14d\"}";
    BAD(soon, "\"2026-06-28\"", "Frühestes erlaubtes Datum: 29.06.2026");
    OK(soon, "\"2026-06-29\"");
    const char *adult = "{\"name\":\"a\",\"type\":\"date\",\"label\":\"A\",\"min_age\":18}";
    OK(adult, "\"2008-06-15\"");
    BAD(adult, "\"2008-06-16\"", "Mindestalter in Jahren: 18");
}

static void test_choices_and_checkboxes(void **state)
{
    (void)state;
    const char *sel = "{\"name\":\"a\",\"type\":\"select\",\"label\":\"A\",\"required\":true,"
                      "\"options\":[{\"value\":\"x\",\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}]}";
    OK(sel, "\"y\"");
    BAD(sel, "null", "Bitte wählen Sie eine Möglichkeit aus.");
    BAD(sel, "\"z\"", "angebotenen");
    const char *group = "{\"name\":\"a\",\"type\":\"checkboxes\",\"label\":\"A\",\"required\":true,"
                        "\"options\":[{\"value\":\"x\",\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}]}";
    OK(group, "[\"x\",\"y\"]");
    BAD(group, "[]", "mindestens eine");
    BAD(group, "[\"x\",\"x\"]", "angebotenen");
    BAD(group, "[\"z\"]", "angebotenen");
    const char *box = "{\"name\":\"a\",\"type\":\"checkbox\",\"label\":\"A\",\"required\":true}";
    OK(box, "true");
    BAD(box, "false", "bestätigen");
    BAD(box, "null", "bestätigen");
    OK("{\"name\":\"a\",\"type\":\"checkbox\",\"label\":\"A\"}", "false");
}

static void test_iban_and_address(void **state)
{
    (void)state;
    assert_true(formdef_iban_valid("DE02120300000000202051"));
    assert_true(formdef_iban_valid("de02 1203 0000 0000 2020 51"));
    assert_true(formdef_iban_valid("AT611904300234573201"));
    assert_true(formdef_iban_valid("GB29NWBK60161331926819"));
    assert_false(formdef_iban_valid("DE02120300000000202052")); /* one digit wrong */
    assert_false(formdef_iban_valid("DE0212030000000020205"));  /* DE has 22 characters */
    assert_false(formdef_iban_valid("DE02-1203-0000-0000-2020-51"));
    assert_false(formdef_iban_valid(""));
    assert_false(formdef_iban_valid("DE02120300000000202051000000000000000000000"));
    const char *iban = "{\"name\":\"a\",\"type\":\"iban\",\"label\":\"A\",\"required\":true}";
    OK(iban, "\"DE02 1203 0000 0000 2020 51\"");
    BAD(iban, "\"DE02 1203 0000 0000 2020 52\"", "IBAN");

    const char *addr = "{\"name\":\"a\",\"type\":\"address\",\"label\":\"A\",\"required\":true}";
    OK(addr, "{\"street\":\"Rheinstraße\",\"house_number\":\"12a\",\"postcode\":\"55116\",\"city\":\"Mainz\"}");
    BAD(addr, "null", "Straße, Hausnummer, Postleitzahl und Ort");
    BAD(addr, "{\"street\":\"Rheinstraße\",\"postcode\":\"55116\",\"city\":\"Mainz\"}", "vollständige Anschrift");
    BAD(addr, "{\"street\":\"Rheinstraße\",\"house_number\":\"12\",\"postcode\":\"5511\",\"city\":\"Mainz\"}",
        "fünf Ziffern");
    OK("{\"name\":\"a\",\"type\":\"address\",\"label\":\"A\"}", "null");
    BAD("{\"name\":\"a\",\"type\":\"address\",\"label\":\"A\"}", "{\"city\":\"Mainz\"}", "vollständige");
}

static void test_files_counted(void **state)
{
    (void)state;
    json_t *def = parse_ok(one_step(
        "{\"name\":\"doc\",\"type\":\"file\",\"label\":\"D\",\"required\":true,\"accept\":[\"pdf\"],\"max_files\":2}"));
    const json_t *field = json_array_get(json_object_get(formdef_step(def, 0), "fields"), 0);
    json_t *answers = json_object();
    arena_t arena;
    arena_init(&arena);
    const char *arg;
    json_t *files = json_object();
    assert_string_equal(formdef_check_answer(field, answers, files, "2026-06-15", &arg, &arena),
                        "Bitte laden Sie eine Datei hoch.");
    json_object_set_new(files, "doc", json_integer(2));
    assert_null(formdef_check_answer(field, answers, files, "2026-06-15", &arg, &arena));
    json_object_set_new(files, "doc", json_integer(3));
    assert_non_null(formdef_check_answer(field, answers, files, "2026-06-15", &arg, &arena));
    assert_string_equal(arg, "2");
    arena_clear(&arena);
    json_decref(files);
    json_decref(answers);
    json_decref(def);
}

/* ---- conditions and steps ------------------------------------------------------------------------------ */

static const char cond_form[] =
    "{\"form_key\":\"c\",\"title\":\"C\",\"steps\":["
    "{\"title\":\"Eins\",\"fields\":["
    "  {\"name\":\"birth\",\"type\":\"date\",\"label\":\"B\"},"
    "  "
    "{\"name\":\"kind\",\"type\":\"radio\",\"label\":\"K\",\"options\":[{\"value\":\"neu\",\"label\":\"N\"},{\"value\":"
    "\"alt\",\"label\":\"A\"}]},"
    "  "
    "{\"name\":\"old\",\"type\":\"text\",\"label\":\"O\",\"required\":true,\"show_if\":{\"field\":\"kind\",\"equals\":"
    "\"alt\"}},"
    "  {\"name\":\"oldnote\",\"type\":\"text\",\"label\":\"ON\",\"show_if\":{\"field\":\"old\",\"filled\":true}},"
    "  "
    "{\"name\":\"extras\",\"type\":\"checkboxes\",\"label\":\"E\",\"options\":[{\"value\":\"a\",\"label\":\"A\"},{"
    "\"value\":\"b\",\"label\":\"B\"}]},"
    "  {\"name\":\"bnote\",\"type\":\"text\",\"label\":\"BN\",\"show_if\":{\"field\":\"extras\",\"contains\":\"b\"}},"
    "  {\"name\":\"agree\",\"type\":\"checkbox\",\"label\":\"AG\"},"
    "  "
    "{\"name\":\"why\",\"type\":\"text\",\"label\":\"W\",\"show_if\":{\"not\":{\"field\":\"agree\",\"checked\":true}}},"
    "  "
    "{\"name\":\"both\",\"type\":\"text\",\"label\":\"BO\",\"show_if\":{\"all\":[{\"field\":\"agree\",\"checked\":true}"
    ",{\"field\":\"kind\",\"in\":[\"alt\"]}]}},"
    "  "
    "{\"name\":\"either\",\"type\":\"text\",\"label\":\"EI\",\"show_if\":{\"any\":[{\"field\":\"agree\",\"checked\":"
    "true},{\"field\":\"kind\",\"equals\":\"neu\"}]}}"
    "]},"
    "{\"title\":\"Eltern\",\"show_if\":{\"field\":\"birth\",\"age_under\":18},\"fields\":[{\"name\":\"consent\","
    "\"type\":\"checkbox\",\"label\":\"C\",\"required\":true}]},"
    "{\"title\":\"Alt\",\"show_if\":{\"field\":\"oldnote\",\"filled\":true},\"intro\":\"nur mit Notiz\",\"fields\":[]},"
    "{\"title\":\"Ende\",\"fields\":[{\"name\":\"done\",\"type\":\"checkbox\",\"label\":\"D\"}]}"
    "]}";

static formdef_state_t *state_for(json_t *def, const char *answers_json)
{
    static formdef_state_t s;
    json_t *answers = json_loads(answers_json, 0, NULL);
    assert_non_null(answers);
    formdef_state_init(&s, def, answers, "2026-06-15");
    json_decref(answers); /* the state keeps a borrowed pointer: re-made per call in these tests */
    return &s;
}

static void test_conditions(void **state)
{
    (void)state;
    json_t *def = parse_ok(cond_form);
    json_t *answers = json_loads("{\"kind\":\"neu\",\"old\":\"MZ-1\",\"extras\":[\"b\"],\"agree\":false}", 0, NULL);
    formdef_state_t s;
    formdef_state_init(&s, def, answers, "2026-06-15");
    assert_false(formdef_field_visible(&s, "old"));     /* kind is not "alt" */
    assert_false(formdef_field_visible(&s, "oldnote")); /* old is hidden, so it counts as empty */
    assert_true(formdef_field_visible(&s, "bnote"));
    assert_true(formdef_field_visible(&s, "why"));
    assert_false(formdef_field_visible(&s, "both"));
    assert_true(formdef_field_visible(&s, "either"));
    assert_false(s.step_visible[1]); /* no birth date: neither young nor old */
    assert_false(s.step_visible[2]);
    /* Hidden fields are not checked and not submitted. */
    json_t *errors = json_object();
    arena_t arena;
    arena_init(&arena);
    assert_int_equal(formdef_check_step(&s, 0, NULL, errors, &arena), 0);
    json_t *sent = formdef_visible_answers(&s);
    assert_null(json_object_get(sent, "old"));
    assert_non_null(json_object_get(sent, "kind"));
    json_decref(sent);
    json_decref(answers);

    answers = json_loads("{\"kind\":\"alt\",\"agree\":true,\"birth\":\"2010-01-01\"}", 0, NULL);
    formdef_state_init(&s, def, answers, "2026-06-15");
    assert_true(formdef_field_visible(&s, "old"));
    assert_false(formdef_field_visible(&s, "why"));
    assert_true(formdef_field_visible(&s, "both"));
    assert_true(formdef_field_visible(&s, "either"));
    assert_true(s.step_visible[1]); /* 16 years old */
    assert_int_equal(formdef_check_step(&s, 0, NULL, errors, &arena), 1);
    assert_non_null(json_object_get(errors, "old"));
    json_decref(answers);
    json_decref(errors);
    arena_clear(&arena);
    json_decref(def);
}

static void test_step_counting(void **state)
{
    (void)state;
    json_t *def = parse_ok(cond_form);
    int pos, total;
    /* An adult without a note: steps 1 and 4 of 4 are shown. */
    formdef_state_t *s = state_for(def, "{\"birth\":\"1980-01-01\"}");
    formdef_progress(s, 0, &pos, &total);
    assert_int_equal(pos, 1);
    assert_int_equal(total, 2);
    formdef_progress(s, 3, &pos, &total);
    assert_int_equal(pos, 2);
    assert_int_equal(total, 2);
    assert_int_equal(formdef_next_step(s, 0, +1), 3);
    assert_int_equal(formdef_next_step(s, 3, -1), 0);
    assert_int_equal(formdef_next_step(s, 3, +1), -1);
    assert_int_equal(formdef_next_step(s, -1, +1), 0);
    /* A minor with a note: all four; "Schritt 3 von 4" for the third. */
    s = state_for(def, "{\"birth\":\"2015-01-01\",\"kind\":\"alt\",\"old\":\"x\",\"oldnote\":\"y\"}");
    formdef_progress(s, 2, &pos, &total);
    assert_int_equal(pos, 3);
    assert_int_equal(total, 4);
    assert_int_equal(formdef_next_step(s, 0, +1), 1);
    /* A hidden step gets the place the next shown one has. */
    s = state_for(def, "{\"birth\":\"1980-01-01\"}");
    formdef_progress(s, 1, &pos, &total);
    assert_int_equal(pos, 2);
    assert_int_equal(total, 2);
    json_decref(def);
}

static void test_collect_step(void **state)
{
    (void)state;
    json_t *def = parse_ok(
        "{\"form_key\":\"c\",\"title\":\"C\",\"steps\":[{\"title\":\"S\",\"fields\":["
        "{\"name\":\"t\",\"type\":\"text\",\"label\":\"T\"},"
        "{\"name\":\"ta\",\"type\":\"textarea\",\"label\":\"TA\"},"
        "{\"name\":\"d\",\"type\":\"date\",\"label\":\"D\"},"
        "{\"name\":\"c\",\"type\":\"checkbox\",\"label\":\"C\"},"
        "{\"name\":\"cs\",\"type\":\"checkboxes\",\"label\":\"CS\",\"options\":[{\"value\":\"a\",\"label\":\"A\"},{"
        "\"value\":\"b\",\"label\":\"B\"}]},"
        "{\"name\":\"ad\",\"type\":\"address\",\"label\":\"AD\"},"
        "{\"name\":\"ib\",\"type\":\"iban\",\"label\":\"IB\"},"
        "{\"name\":\"hidden\",\"type\":\"text\",\"label\":\"H\",\"show_if\":{\"field\":\"c\",\"checked\":true}}"
        "]},{\"title\":\"Z\",\"fields\":[{\"name\":\"later\",\"type\":\"text\",\"label\":\"L\"}]}]}");
    json_t *answers =
        json_loads("{\"c\":true,\"hidden\":\"bleibt\",\"later\":\"auch\",\"t\":\"alt\",\"ta\":\"alt\"}", 0, NULL);
    formdef_state_t shown;
    formdef_state_init(&shown, def, answers, "2026-06-15");
    form_field_t fields[] = {
        {"t", "  Maria  ", 9},
        {"ta", "Zeile 1\r\nZeile 2", 16},
        {"d", "23.04.1985", 10},
        {"cs", "a", 1},
        {"cs", "b", 1},
        {"ad.street", "Rheinstraße ", 13},
        {"ad.house_number", "12", 2},
        {"ad.postcode", "55116", 5},
        {"ad.city", "Mainz", 5},
        {"ib", "de02 1203 0000 0000 2020 51", 27},
        {"hidden", "neu", 3},
        {"later", "nicht von dieser Seite", 22},
    };
    form_t form = {fields, sizeof(fields) / sizeof(fields[0])};
    formdef_collect_step(&shown, 0, &form, answers);
    assert_string_equal(json_string_value(json_object_get(answers, "t")), "Maria");
    assert_string_equal(json_string_value(json_object_get(answers, "ta")), "Zeile 1\nZeile 2");
    assert_string_equal(json_string_value(json_object_get(answers, "d")), "1985-04-23");
    assert_true(json_is_false(json_object_get(answers, "c"))); /* not sent: unticked */
    assert_int_equal(json_array_size(json_object_get(answers, "cs")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(answers, "ad"), "street")), "Rheinstraße");
    assert_string_equal(json_string_value(json_object_get(answers, "ib")), "DE02120300000000202051");
    assert_string_equal(json_string_value(json_object_get(answers, "hidden")), "neu"); /* it was on the page */
    assert_string_equal(json_string_value(json_object_get(answers, "later")), "auch"); /* another step's field */
    /* An emptied field is removed. */
    form_field_t empty[] = {{"t", "   ", 3}};
    form_t form2 = {empty, 1};
    formdef_state_init(&shown, def, answers, "2026-06-15");
    formdef_collect_step(&shown, 0, &form2, answers);
    assert_null(json_object_get(answers, "t"));
    /* The checkbox was unticked by the first POST, so "hidden" was not on this
     * page: a draft keeps the answer of a hidden field. */
    assert_string_equal(json_string_value(json_object_get(answers, "hidden")), "neu");
    json_decref(answers);
    json_decref(def);
}

static void test_prefill_and_display(void **state)
{
    (void)state;
    json_t *def = parse_ok(one_step(
        "{\"name\":\"g\",\"type\":\"text\",\"label\":\"G\",\"prefill\":\"given_name\"},"
        "{\"name\":\"mail\",\"type\":\"email\",\"label\":\"M\",\"prefill\":\"email\"},"
        "{\"name\":\"ad\",\"type\":\"address\",\"label\":\"AD\",\"prefill\":\"address\"},"
        "{\"name\":\"b\",\"type\":\"date\",\"label\":\"B\",\"prefill\":\"birth_date\"},"
        "{\"name\":\"s\",\"type\":\"radio\",\"label\":\"S\",\"options\":[{\"value\":\"w\",\"label\":\"weiblich\"}]}"));
    json_t *profile =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "given_name", "Maria", "email", "m@example.org", "street",
                  "Rheinstraße", "house_number", "12", "postcode", "55116", "city", "Mainz", "birth_date", "");
    json_t *answers = json_object();
    formdef_prefill(def, profile, answers);
    assert_string_equal(json_string_value(json_object_get(answers, "g")), "Maria");
    assert_string_equal(json_string_value(json_object_get(answers, "mail")), "m@example.org");
    assert_string_equal(json_string_value(json_object_get(json_object_get(answers, "ad"), "city")), "Mainz");
    assert_null(json_object_get(answers, "b")); /* empty in the profile: nothing */
    arena_t arena;
    arena_init(&arena);
    json_object_set_new(answers, "b", json_string("1985-04-23"));
    json_object_set_new(answers, "s", json_string("w"));
    assert_string_equal(formdef_display_value(def, formdef_field(def, "b"), answers, "de", &arena), "23.04.1985");
    assert_string_equal(formdef_display_value(def, formdef_field(def, "s"), answers, "de", &arena), "weiblich");
    assert_string_equal(formdef_display_value(def, formdef_field(def, "ad"), answers, "de", &arena),
                        "Rheinstraße 12, 55116 Mainz");
    arena_clear(&arena);
    json_decref(answers);
    json_decref(profile);
    json_decref(def);
}

/* ---- storing ------------------------------------------------------------------------------------------ */

static void test_store_versions(void **state)
{
    fixture_db_t *fx = *state;
    const char *v1 =
        "{\"form_key\":\"probe\",\"title\":\"Probe\",\"steps\":[{\"title\":\"S\",\"intro\":\"i\",\"fields\":[]}]}";
    const char *v2 =
        "{\"form_key\":\"probe\",\"title\":\"Probe 2\",\"steps\":[{\"title\":\"S\",\"intro\":\"i\",\"fields\":[]}]}";
    int64_t id1, id2, id3, version;
    char err[256];
    assert_int_equal(formdef_store(fx->db, v1, strlen(v1), 0, &id1, &version, err, sizeof(err)), 0);
    assert_int_equal(version, 1);
    assert_int_equal(formdef_store(fx->db, v1, strlen(v1), 0, &id2, &version, err, sizeof(err)), 0);
    assert_int_equal(version, 1); /* the same text again is no new version */
    assert_int_equal(id2, id1);
    assert_int_equal(formdef_store(fx->db, v2, strlen(v2), 0, &id3, &version, err, sizeof(err)), 0);
    assert_int_equal(version, 2);
    int64_t newest;
    assert_int_equal(formdef_newest(fx->db, "probe", &newest), 0);
    assert_int_equal(newest, id3);
    assert_int_equal(formdef_newest(fx->db, "keins", &newest), 1);
    int missing;
    json_t *def = formdef_load(fx->db, id1, &missing);
    assert_non_null(def);
    assert_string_equal(json_string_value(json_object_get(def, "title")), "Probe");
    json_decref(def);
    assert_null(formdef_load(fx->db, 999999, &missing));
    assert_int_equal(missing, 1);
    assert_int_equal(formdef_store(fx->db, "{\"form_key\":\"x\"}", 16, 0, &id1, &version, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "'title' is missing"));
}

static void test_load_dir(void **state)
{
    fixture_db_t *fx = *state;
    char err[512] = "";
    assert_int_equal(formdef_load_dir(fx->db, "data/services/forms", err, sizeof(err)), 0);
    int64_t id;
    assert_int_equal(formdef_newest(fx->db, "reisepass", &id), 0);
    assert_int_equal(formdef_newest(fx->db, "meldebescheinigung", &id), 0);
    /* Loading again adds nothing. */
    assert_int_equal(formdef_load_dir(fx->db, "data/services/forms", err, sizeof(err)), 0);
    int64_t versions;
    static const char sql[] = "SELECT MAX(version) FROM form_definitions";
    assert_int_equal(db_query_int64(fx->db, sql, &versions), 0);
    assert_int_equal(versions, 1);
    assert_int_equal(formdef_load_dir(fx->db, "data/gibt-es-nicht", err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_docs_example_is_valid),
        cmocka_unit_test(test_shipped_forms_are_valid),
        cmocka_unit_test(test_invalid_definitions_name_the_place),
        cmocka_unit_test(test_invalid_conditions),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_text_email_phone),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_choices_and_checkboxes),
        cmocka_unit_test(test_iban_and_address),
        cmocka_unit_test(test_files_counted),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_step_counting),
        cmocka_unit_test(test_collect_step),
        cmocka_unit_test(test_prefill_and_display),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test_setup_teardown(test_store_versions, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_load_dir, fixture_db_setup_migrated, fixture_db_teardown),
    };
    int failed = cmocka_run_group_tests_name("formdef", pure, NULL, NULL);
    failed += fixture_db_run("formdef_store", db_tests, db_tests);
    return failed ? 1 : 0;
}
