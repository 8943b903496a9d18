/* test_config.c — unit tests for configuration (core/config.c).
 *
 * An operator sees configuration through its errors: a typo in a key, a port out
 * of range, half a TLS set-up must each stop the start with a message that names
 * the file, line and key. And the order file < environment < flag must hold.
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

#include "core/config.h"

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/rathaus-test-config-%d.conf", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_defaults_run_without_configuration(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.database_url, "sqlite:var/rathaus.db");
    assert_true(c.threads >= 1 && c.threads <= 64);
    assert_int_equal(c.max_header_bytes, 16 * 1024);
    assert_int_equal(c.test_routes, 0);
    assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
}

static void test_file_values_comments_and_quotes(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    const char *path = write_temp("# comment\n\n  listen = 0.0.0.0:9000  \ncity_name = \"Mainz am Rhein\"\n"
                                  "max_body_bytes = 2M\nmax_header_bytes=32k\naccess_log = off\n");
    assert_int_equal(config_load_file(&c, path, 0, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_string_equal(c.city_name, "Mainz am Rhein");
    assert_int_equal(c.max_body_bytes, 2 * 1024 * 1024);
    assert_int_equal(c.max_header_bytes, 32 * 1024);
    assert_int_equal(c.access_log, 0);
    unlink(path);
}

static void test_file_errors_name_file_and_line(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    const char *path = write_temp("listen = 127.0.0.1:1\nlistn = 127.0.0.1:2\n");
    assert_int_not_equal(config_load_file(&c, path, 0, err, sizeof(err)), 0);
    assert_non_null(strstr(err, ":2:"));
    assert_non_null(strstr(err, "listn"));

    config_defaults(&c);
    path = write_temp("threads = many\n");
    assert_int_not_equal(config_load_file(&c, path, 0, err, sizeof(err)), 0);
    assert_non_null(strstr(err, ":1:"));
    assert_non_null(strstr(err, "threads"));

    config_defaults(&c);
    path = write_temp("just words\n");
    assert_int_not_equal(config_load_file(&c, path, 0, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "key = value"));
    unlink(path);

    /* Missing file: fine when optional, an error when named explicitly. */
    assert_int_equal(config_load_file(&c, "/nonexistent/rathaus.conf", 1, err, sizeof(err)), 0);
    assert_int_not_equal(config_load_file(&c, "/nonexistent/rathaus.conf", 0, err, sizeof(err)), 0);
}

static void test_value_too_long_is_refused(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    char big[600];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_not_equal(config_set(&c, "city_name", big, err, sizeof(err)), 0);
    assert_string_equal(c.city_name, "Mainz"); /* unchanged */
}

static void test_env_overrides_file_and_flags_override_env(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    const char *path = write_temp("listen = 127.0.0.1:1111\ncity_name = Worms\n");
    assert_int_equal(config_load_file(&c, path, 0, err, sizeof(err)), 0);
    setenv("RATHAUS_LISTEN", "127.0.0.1:2222", 1);
    assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "127.0.0.1:2222");
    assert_string_equal(c.city_name, "Worms");
    assert_int_equal(config_set(&c, "listen", "127.0.0.1:3333", err, sizeof(err)), 0);
    assert_string_equal(c.listen, "127.0.0.1:3333");
    /* Flags spell keys with dashes. */
    assert_int_equal(config_set(&c, "database-url", "postgresql://x@y/z", err, sizeof(err)), 0);
    assert_string_equal(c.database_url, "postgresql://x@y/z");
    setenv("RATHAUS_THREADS", "-4", 1);
    assert_int_not_equal(config_load_env(&c, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "RATHAUS_THREADS"));
    unsetenv("RATHAUS_THREADS");
    unsetenv("RATHAUS_LISTEN");
    unlink(path);
}

static void test_validate_catches_inconsistencies(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    strcpy(c.tls_cert, "/etc/cert.pem");
    assert_int_not_equal(config_validate(&c, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "tls"));

    config_defaults(&c);
    strcpy(c.listen, "127.0.0.1:70000");
    assert_int_not_equal(config_validate(&c, err, sizeof(err)), 0);
    strcpy(c.listen, "127.0.0.1");
    assert_int_not_equal(config_validate(&c, err, sizeof(err)), 0);

    config_defaults(&c);
    strcpy(c.database_url, "mysql://x");
    assert_int_not_equal(config_validate(&c, err, sizeof(err)), 0);

    config_defaults(&c);
    strcpy(c.smtp_url, "file:///etc/passwd");
    assert_int_not_equal(config_validate(&c, err, sizeof(err)), 0);

    config_defaults(&c);
    strcpy(c.log_level, "chatty");
    assert_int_not_equal(config_validate(&c, err, sizeof(err)), 0);
}

static void test_print_masks_secrets(void **state)
{
    (void)state;
    config_t c;
    config_defaults(&c);
    strcpy(c.smtp_password, "geheim123");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    config_print(&c, f);
    fclose(f);
    assert_null(strstr(text, "geheim123"));
    assert_non_null(strstr(text, "********"));
    assert_non_null(strstr(text, "listen"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_run_without_configuration),
        cmocka_unit_test(test_file_values_comments_and_quotes),
        cmocka_unit_test(test_file_errors_name_file_and_line),
        cmocka_unit_test(test_value_too_long_is_refused),
        cmocka_unit_test(test_env_overrides_file_and_flags_override_env),
        cmocka_unit_test(test_validate_catches_inconsistencies),
        cmocka_unit_test(test_print_masks_secrets),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
