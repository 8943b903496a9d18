/* test_i18n.c — .po catalogues as a translator writes them and an operator loads
 * them: multi-line strings, escapes, fuzzy and untranslated entries, fallbacks,
 * errors with their line, the size limits and loading from a po directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view/i18n.h"

static char err[512]; /* the last error message */

/* malloc that cannot return NULL (the compiler then knows it, too). */
static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        abort();
    return p;
}

static int teardown(void **state)
{
    i18n_free();
    return 0;
}

static int load(const char *lang, const char *po)
{
    err[0] = '\0';
    return i18n_load_po_text(lang, po, strlen(po), "en.po", err, sizeof(err));
}

static void load_ok(const char *lang, const char *po)
{
    if (load(lang, po) != 0)
        fail_msg("%s", err);
}

static void test_basic_and_multiline(void **state)
{
    load_ok("en", "# Übersetzung für rathaus\n"
                  "msgid \"\"\n"
                  "msgstr \"\"\n"
                  "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
                  "\n"
                  "#: templates/core/home.html:3\n"
                  "msgid \"Anmelden\"\n"
                  "msgstr \"Sign in\"\n"
                  "\n"
                  "msgid \"\"\n"
                  "\"Ihr Antrag wurde \"\n"
                  "\"eingereicht.\"\n"
                  "msgstr \"\"\n"
                  "\"Your application \"\n"
                  "  \"was submitted.\"   \n");
    assert_string_equal(i18n_translate("en", "Anmelden"), "Sign in");
    assert_string_equal(i18n_translate("en", "Ihr Antrag wurde eingereicht."), "Your application was submitted.");
    /* The header is not a translation of the empty text. */
    assert_string_equal(i18n_translate("en", ""), "");
}

static void test_escapes(void **state)
{
    load_ok("en", "msgid \"Zeile\\nzwei\\t\\\"zitiert\\\" \\\\ Ende\"\n"
                  "msgstr \"Line\\ntwo\\t\\\"quoted\\\" \\\\ end\"\n");
    assert_string_equal(i18n_translate("en", "Zeile\nzwei\t\"zitiert\" \\ Ende"), "Line\ntwo\t\"quoted\" \\ end");
}

static void test_fuzzy_and_empty_are_skipped(void **state)
{
    load_ok("en", "#, fuzzy\n"
                  "msgid \"Bescheid\"\n"
                  "msgstr \"Notice (guess)\"\n"
                  "\n"
                  "#, c-format, fuzzy\n"
                  "msgid \"Frist\"\n"
                  "msgstr \"Deadline?\"\n"
                  "\n"
                  "msgid \"Anregung\"\n"
                  "msgstr \"\"\n"
                  "\n"
                  "#, c-format\n"
                  "msgid \"Vorhaben\"\n"
                  "msgstr \"Project\"\n");
    assert_string_equal(i18n_translate("en", "Bescheid"), "Bescheid");
    assert_string_equal(i18n_translate("en", "Frist"), "Frist");
    assert_string_equal(i18n_translate("en", "Anregung"), "Anregung");
    /* The fuzzy flag belonged to its own entry only. */
    assert_string_equal(i18n_translate("en", "Vorhaben"), "Project");
}

static void test_context_and_plurals_are_skipped(void **state)
{
    load_ok("en", "msgctxt \"Menü\"\n"
                  "msgid \"Öffnen\"\n"
                  "msgstr \"Open\"\n"
                  "\n"
                  "msgid \"ein Antrag\"\n"
                  "msgid_plural \"%d Anträge\"\n"
                  "msgstr[0] \"one application\"\n"
                  "msgstr[1] \"%d applications\"\n"
                  "msgid \"Start\"\n" /* no blank line: a new msgid starts the next entry */
                  "msgstr \"Home\"\n"
                  "#~ msgid \"Alt\"\n"
                  "#~ msgstr \"Old\"\n");
    assert_string_equal(i18n_translate("en", "Öffnen"), "Öffnen");
    assert_string_equal(i18n_translate("en", "ein Antrag"), "ein Antrag");
    assert_string_equal(i18n_translate("en", "Start"), "Home");
    assert_string_equal(i18n_translate("en", "Alt"), "Alt");
}

static void test_fallbacks(void **state)
{
    load_ok("en", "msgid \"Rathaus\"\nmsgstr \"Town hall\"\n");
    const char *msgid = "Unbekannter Text";
    assert_ptr_equal(i18n_translate("en", msgid), msgid);
    assert_string_equal(i18n_translate("de", "Rathaus"), "Rathaus");
    assert_string_equal(i18n_translate("fr", "Rathaus"), "Rathaus");
    assert_string_equal(i18n_translate(NULL, "Rathaus"), "Rathaus");
    assert_null(i18n_translate("en", NULL));
    i18n_free();
    assert_string_equal(i18n_translate("en", "Rathaus"), "Rathaus");
}

static void test_later_entry_wins_crlf_and_bom(void **state)
{
    load_ok("en", "msgid \"Amt\"\r\nmsgstr \"Office\"\r\n\r\nmsgid \"Amt\"\r\nmsgstr \"Department\"\r\n");
    assert_string_equal(i18n_translate("en", "Amt"), "Department");
    load_ok("en", "\xEF\xBB\xBFmsgid \"Amt\"\nmsgstr \"Authority\"\n"); /* with a BOM */
    assert_string_equal(i18n_translate("en", "Amt"), "Authority");
}

static void test_many_entries(void **state)
{
    /* Enough to make the table grow several times. */
    size_t cap = 1000 * 64;
    char *po = xmalloc(cap);
    size_t k = 0;
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(po + k, cap - k, "msgid \"Text %d\"\nmsgstr \"text %d\"\n\n", i, i);
    load_ok("en", po);
    free(po);
    char msgid[32], want[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(msgid, sizeof(msgid), "Text %d", i);
        snprintf(want, sizeof(want), "text %d", i);
        assert_string_equal(i18n_translate("en", msgid), want);
    }
}

static void test_errors_name_the_line(void **state)
{
    static const struct {
        const char *po;
        const char *want;
    } cases[] = {
        {"msgid \"a\"\nmsgstr \"b\n", "en.po:2: string not closed"},
        {"msgid \"a\"\nmsgstr \"b\\\"\n", "en.po:2: string not closed"},
        {"\n\nmsgid \"a\\x\"\nmsgstr \"b\"\n", "en.po:3: unknown escape '\\x'"},
        {"msgstr \"b\"\n", "en.po:1: msgstr without a msgid"},
        {"#\n\nmsgid \"a\"\n\n# c\n", "en.po:3: msgid without msgstr"},
        {"msgid \"a\"\n", "en.po:1: msgid without msgstr"},
        {"msgid \"a\"\nmsgid \"b\"\n", "en.po:2: msgid again before the msgstr of line 1"},
        {"msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"\n", "en.po:3: second msgstr"},
        {"msgid \"a\" x\nmsgstr \"b\"\n", "en.po:1: text after the closing quote"},
        {"msgid \"a\"\nmsgstr \"b\"\nhallo\n", "en.po:3: expected msgid, msgstr"},
        {"msgid\"a\"\n", "en.po:1: expected msgid, msgstr"},
        {"msgid a\n", "en.po:1: expected a \"string\""},
        {"\"frei\"\n", "en.po:1: string without msgid or msgstr"},
        {"msgid \"a\"\n# mitten\nmsgstr \"b\"\n", "en.po:2: comment inside an entry"},
        {"msgid \"a\"\nmsgstr[0] \"b\"\n", "en.po:2: msgstr[n] without msgid_plural"},
        {"msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n", "en.po:3: plural entry needs msgstr[n]"},
        {"msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[x] \"b\"\n", "en.po:3: expected msgstr[n]"},
        {"msgid \"a\"\nmsgctxt \"k\"\n", "en.po:2: msgctxt inside an entry"},
        {"msgid \"ok\"\nmsgstr \"ok\"\n\nmsgid \"\xc3\x28\"\n", "en.po:4: not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = load("en", cases[i].po);
        if (rc >= 0 || !strstr(err, cases[i].want))
            fail_msg("case %zu: expected \"%s\", got rc %d \"%s\"", i, cases[i].want, rc, err);
    }
    assert_true(i18n_load_po_text("en", "msgid \"a\0\"", 10, "en.po", err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "en.po:1: not valid UTF-8 (or a NUL byte)"));
    assert_true(load("../en", "") < 0);
    assert_non_null(strstr(err, "language code"));
}

static void test_broken_file_leaves_catalogue_unchanged(void **state)
{
    load_ok("en", "msgid \"Rathaus\"\nmsgstr \"Town hall\"\n");
    assert_true(load("en", "msgid \"Rathaus\"\nmsgstr \"City hall\"\n\nmsgid \"Amt\"\nmsgstr \"Office\"\n"
                           "\nkaputt\n") < 0);
    assert_string_equal(err, "en.po:7: expected msgid, msgstr, a \"string\" or a # comment");
    assert_string_equal(i18n_translate("en", "Rathaus"), "Town hall");
    assert_string_equal(i18n_translate("en", "Amt"), "Amt");
}

/* Appends s to the text being built at *end. */
static void put(char **end, const char *s)
{
    size_t n = strlen(s);
    memcpy(*end, s, n + 1);
    *end += n;
}

/* Appends n copies of c at *end. */
static void put_repeated(char **end, char c, size_t n)
{
    memset(*end, c, n);
    *end += n;
    **end = '\0';
}

/* A .po text whose msgstr decodes to exactly n bytes. */
static char *po_with_msgstr_of(size_t n)
{
    char *po = xmalloc(n + 64);
    char *end = po;
    put(&end, "msgid \"lang\"\nmsgstr \"");
    put_repeated(&end, 'x', n);
    put(&end, "\"\n");
    return po;
}

static void test_limits(void **state)
{
    char *po = po_with_msgstr_of(I18N_MAX_STRING);
    load_ok("en", po);
    assert_int_equal(strlen(i18n_translate("en", "lang")), I18N_MAX_STRING);
    free(po);
    po = po_with_msgstr_of(I18N_MAX_STRING + 1);
    assert_true(load("en", po) < 0);
    assert_string_equal(err, "en.po:2: string longer than 65536 bytes");
    free(po);

    /* The limit is on the decoded string, across continuation lines. */
    size_t half = I18N_MAX_STRING / 2 + 1;
    po = xmalloc(2 * half + 64);
    char *end = po;
    put(&end, "msgid \"\"\n\"");
    put_repeated(&end, 'y', half);
    put(&end, "\"\n\"");
    put_repeated(&end, 'y', half);
    put(&end, "\"\nmsgstr \"z\"\n");
    assert_true(load("en", po) < 0);
    assert_string_equal(err, "en.po:3: string longer than 65536 bytes");
    free(po);

    size_t big = I18N_MAX_FILE + 1;
    po = xmalloc(big);
    memset(po, '\n', big);
    assert_true(i18n_load_po_text("en", po, big, "en.po", err, sizeof(err)) < 0);
    assert_string_equal(err, "en.po:1: file larger than 4194304 bytes");
    assert_int_equal(i18n_load_po_text("en", po, big - 1, "en.po", err, sizeof(err)), 0);
    free(po);

    i18n_free();
    char lang[16];
    for (int i = 0; i < I18N_MAX_LANGS; i++) {
        snprintf(lang, sizeof(lang), "l%d", i);
        load_ok(lang, "msgid \"a\"\nmsgstr \"b\"\n");
    }
    assert_true(load("zz", "msgid \"a\"\nmsgstr \"b\"\n") < 0);
    assert_non_null(strstr(err, "more than 16 languages"));
    assert_string_equal(i18n_translate("l15", "a"), "b");
}

static void test_load_directory(void **state)
{
    char dir[] = "/tmp/test_i18n_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof(path), "%s/en.po", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("msgid \"Gleitzeit\"\nmsgstr \"Flexitime\"\n\nmsgid \"Kaputt\"\n", f);
    fclose(f);

    const char *langs[] = {"de", "en", NULL};
    assert_true(i18n_load(dir, langs, err, sizeof(err)) < 0);
    char want[700];
    snprintf(want, sizeof(want), "%s/en.po:4: msgid without msgstr", dir);
    assert_string_equal(err, want);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("msgid \"Gleitzeit\"\nmsgstr \"Flexitime\"\n", f);
    fclose(f);
    assert_int_equal(i18n_load(dir, langs, err, sizeof(err)), 0);
    assert_string_equal(i18n_translate("en", "Gleitzeit"), "Flexitime");

    const char *missing[] = {"fr", NULL};
    assert_true(i18n_load(dir, missing, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "/fr.po: cannot open"));
    const char *evil[] = {"../etc/passwd", NULL};
    assert_true(i18n_load(dir, evil, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "is not a language code"));

    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_basic_and_multiline, teardown),
        cmocka_unit_test_teardown(test_escapes, teardown),
        cmocka_unit_test_teardown(test_fuzzy_and_empty_are_skipped, teardown),
        cmocka_unit_test_teardown(test_context_and_plurals_are_skipped, teardown),
        cmocka_unit_test_teardown(test_fallbacks, teardown),
        cmocka_unit_test_teardown(test_later_entry_wins_crlf_and_bom, teardown),
        cmocka_unit_test_teardown(test_many_entries, teardown),
        cmocka_unit_test_teardown(test_errors_name_the_line, teardown),
        cmocka_unit_test_teardown(test_broken_file_leaves_catalogue_unchanged, teardown),
        cmocka_unit_test_teardown(test_limits, teardown),
        cmocka_unit_test_teardown(test_load_directory, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
