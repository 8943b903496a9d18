/* test_files.c — uploaded files (platform/files.h): the type by content with
 * libmagic on real PDF, PNG and JPEG bytes, a PDF renamed to .png refused where
 * only PNG is taken, the size cap from both sides, one libmagic handle per
 * thread, and the row files_store writes with a cleaned file name (SQLite and,
 * with RATHAUS_TEST_PG_URL, PostgreSQL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "platform/files.h"

#include "fixture_db.h"

static const char pdf[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                          "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                          "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
                          "trailer<</Root 1 0 R>>\n%%EOF\n";

/* A 1×1 PNG and a 1×1 JPEG, byte for byte as image programs write them. */
static const unsigned char png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
    0xe2, 0x21, 0xbc, 0x33, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
static const unsigned char jpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07, 0x07, 0x09,
    0x09, 0x08, 0x0a, 0x0c, 0x14, 0x0d, 0x0c, 0x0b, 0x0b, 0x0c, 0x19, 0x12, 0x13, 0x0f, 0x14, 0x1d, 0x1a, 0x1f,
    0x1e, 0x1d, 0x1a, 0x1c, 0x1c, 0x20, 0x24, 0x2e, 0x27, 0x20, 0x22, 0x2c, 0x23, 0x1c, 0x1c, 0x28, 0x37, 0x29,
    0x2c, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1f, 0x27, 0x39, 0x3d, 0x38, 0x32, 0x3c, 0x2e, 0x33, 0x34, 0x32, 0xff,
    0xc0, 0x00, 0x0b, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x2a, 0x9f, 0xff, 0xd9,
};

static const char *const only_png[] = {"image/png", NULL};
static const char *const documents[] = {"application/pdf", "image/jpeg", "image/png", NULL};

static int files_setup(void **state)
{
    (void)state;
    char err[256];
    if (files_init(err, sizeof(err)) != 0) {
        print_error("files_init: %s\n", err);
        return -1;
    }
    return 0;
}

static int files_teardown(void **state)
{
    (void)state;
    files_shutdown();
    return 0;
}

static void test_sniff_real_bytes(void **state)
{
    (void)state;
    assert_string_equal(files_sniff(pdf, sizeof(pdf) - 1), "application/pdf");
    assert_string_equal(files_sniff(png, sizeof(png)), "image/png");
    assert_string_equal(files_sniff(jpeg, sizeof(jpeg)), "image/jpeg");
    assert_string_equal(files_sniff("Hallo, das ist Text.\n", 21), "text/plain");
    assert_string_equal(files_sniff("", 0), "inode/x-empty");
    /* Bytes libmagic has no name for. */
    static const unsigned char noise[] = {0x00, 0x13, 0x37, 0xfe, 0x01, 0x02, 0x99, 0x00, 0x00, 0xaa};
    assert_string_equal(files_sniff(noise, sizeof(noise)), "application/octet-stream");
}

static void test_check_by_content_not_name(void **state)
{
    (void)state;
    const char *type = NULL;
    /* A PDF called "foto.png" is a PDF: refused where only PNG is taken. */
    assert_int_equal(files_check(pdf, sizeof(pdf) - 1, 1024, only_png, &type), FILES_TYPE_REFUSED);
    assert_string_equal(type, "application/pdf");
    assert_int_equal(files_check(png, sizeof(png), 1024, only_png, &type), FILES_OK);
    assert_string_equal(type, "image/png");
    assert_int_equal(files_check(jpeg, sizeof(jpeg), 1024, documents, &type), FILES_OK);
    assert_string_equal(type, "image/jpeg");
    assert_int_equal(files_check("<html><script>alert(1)</script></html>", 38, 1024, documents, &type),
                     FILES_TYPE_REFUSED);
    assert_int_equal(files_check("", 0, 1024, documents, &type), FILES_EMPTY);
    assert_int_equal(files_check(png, sizeof(png), 1024, NULL, &type), FILES_OK); /* any type */
}

static void test_size_cap(void **state)
{
    (void)state;
    size_t n = sizeof(png);
    const char *type;
    assert_int_equal(files_check(png, n, n, only_png, &type), FILES_OK);
    assert_int_equal(files_check(png, n, n - 1, only_png, &type), FILES_TOO_LARGE);
    /* A large PDF: 5 MiB exactly passes a 5 MiB cap, one byte more does not. */
    size_t big = 5 * 1024 * 1024;
    char *data = calloc(1, big + 1);
    memcpy(data, pdf, sizeof(pdf) - 1);
    assert_int_equal(files_check(data, big, big, documents, &type), FILES_OK);
    assert_string_equal(type, "application/pdf");
    assert_int_equal(files_check(data, big + 1, big, documents, &type), FILES_TOO_LARGE);
    free(data);
}

static void *sniff_in_thread(void *arg)
{
    (void)arg;
    const char *t = files_sniff(png, sizeof(png));
    files_shutdown();
    return (void *)t;
}

/* Each thread gets its own libmagic handle (a handle is not thread-safe). */
static void test_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, sniff_in_thread, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *res;
        assert_int_equal(pthread_join(th[i], &res), 0);
        assert_string_equal((const char *)res, "image/png");
    }
    assert_string_equal(files_sniff(jpeg, sizeof(jpeg)), "image/jpeg");
}

/* ---- stored in the database ------------------------------------------------------------------ */

static int64_t make_application(db_t *db)
{
    static const char *const sql[] = {
        "INSERT INTO units (slug, name, created_at) VALUES ('amt', 'Amt', 0)",
        "INSERT INTO services (slug, name, unit_id, created_at, updated_at) SELECT 'probe', 'Probe', id, 0, 0 FROM "
        "units",
        "INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('probe', 1, 'P', "
        "'{}', 0)",
        "INSERT INTO applications (service_id, form_id, unit_id, created_at, updated_at)"
        " SELECT s.id, f.id, s.unit_id, 0, 0 FROM services s, form_definitions f",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
        if (db_exec(db, sql[i]) != 0)
            return -1;
    int64_t id;
    static const char q[] = "SELECT id FROM applications";
    return db_query_int64(db, q, &id) == 0 ? id : -1;
}

static const char sql_file[] = "SELECT filename, content_type, size, data, field FROM application_files WHERE id = $1";

/* The stored name of a file stored under name. */
static char *stored_name(db_t *db, int64_t app, const char *name)
{
    int64_t id;
    assert_int_equal(files_store(db, app, "doc", name, "image/png", png, sizeof(png), 0, &id), 0);
    db_stmt_t *st;
    assert_int_equal(db_prepare(db, sql_file, &st), 0);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    char *out = strdup(db_column_text(st, 0));
    db_reset(st);
    return out;
}

static void test_store(void **state)
{
    fixture_db_t *fx = *state;
    int64_t app = make_application(fx->db);
    assert_true(app > 0);
    int64_t id;
    assert_int_equal(
        files_store(fx->db, app, "id_document", "ausweis.pdf", "application/pdf", pdf, sizeof(pdf) - 1, 0, &id), 0);
    db_stmt_t *st;
    assert_int_equal(db_prepare(fx->db, sql_file, &st), 0);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 0), "ausweis.pdf");
    assert_string_equal(db_column_text(st, 1), "application/pdf");
    assert_int_equal(db_column_int64(st, 2), (int64_t)(sizeof(pdf) - 1));
    size_t n;
    const void *data = db_column_blob(st, 3, &n);
    assert_int_equal(n, sizeof(pdf) - 1);
    assert_memory_equal(data, pdf, n);
    assert_string_equal(db_column_text(st, 4), "id_document");
    db_reset(st);

    char *name = stored_name(fx->db, app, "../../etc/passwd");
    assert_string_equal(name, "passwd");
    free(name);
    name = stored_name(fx->db, app, "C:\\Users\\maria\\Foto \"neu\";.png");
    assert_string_equal(name, "Foto neu.png");
    free(name);
    name = stored_name(fx->db, app, "zeile\r\nX-Evil: 1.png");
    assert_string_equal(name, "zeileX-Evil: 1.png");
    free(name);
    name = stored_name(fx->db, app, "...");
    assert_string_equal(name, "datei");
    free(name);
    /* 150 two-byte characters: cut to at most 200 bytes, never inside a character. */
    char longname[400] = "";
    for (int i = 0; i < 150; i++)
        strcat(longname, "ä");
    name = stored_name(fx->db, app, longname);
    assert_int_equal(strlen(name), 200);
    assert_true(utf8_valid(name, strlen(name)));
    free(name);
    /* An odd cut: one ASCII byte first, so byte 200 falls inside a character. */
    longname[0] = 'x';
    memmove(longname + 1, longname + 2, strlen(longname + 2) + 1); /* "x" + the rest of the first "ä" removed */
    name = stored_name(fx->db, app, longname);
    assert_true(strlen(name) <= 200);
    assert_true(utf8_valid(name, strlen(name)));
    free(name);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_sniff_real_bytes),
        cmocka_unit_test(test_check_by_content_not_name),
        cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_threads),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test_setup_teardown(test_store, fixture_db_setup_migrated, fixture_db_teardown),
    };
    int failed = cmocka_run_group_tests_name("files", pure, files_setup, files_teardown);
    failed += fixture_db_run("files_store", db_tests, db_tests);
    return failed ? 1 : 0;
}
