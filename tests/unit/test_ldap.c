/* test_ldap.c — unit tests for staff login against LDAP (modules/account/ldap_login.c).
 *
 * What staff and operators would notice: the right person gets in with their
 * name, mail and roles (umlauts intact); a wrong password and an unknown login
 * get the same answer; no login name can widen the search (RFC 4515 escaping);
 * a dead or hanging directory answers "unavailable" within the timeout instead
 * of blocking a worker; a wrong service password is the operator's problem, not
 * the user's.
 *
 * The directory is the throwaway slapd of scripts/ldap-test.sh with
 * tests/ldap/seed.ldif; its URL comes in RATHAUS_TEST_LDAP_URL (tests/run-all.sh
 * sets it). Without it only the tests that need no directory run: the escaper,
 * the ldap_group_roles parser, refusals before any traffic, closed and silent ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "modules/account/ldap_login.h"

#define BASE "dc=rathaus,dc=test"
#define SERVICE_DN "cn=rathaus-service,ou=system," BASE
#define SERVICE_PW "Dienst-Konto-2026!"
#define MARIA_PW "Rathaus-Test-2026!"
#define KLAUS_PW "Bauamt-Test-2026!"
#define JOERG_PW "Ohne-Mail-2026!"
#define SONJA_PW "Klammer-Test-2026!"
#define SONJA_LOGIN "s\\o(tt)*" /* the 8 bytes  s \ o ( t t ) *  */

/* The mapping the server tests use: with and without unit, one DN spelt with
 * other case and spaces, one groupOfUniqueNames, one DN full of escapes. */
static const char group_roles[] = "cn=buergeramt-sachbearbeitung,ou=groups," BASE "=sachbearbeitung@buergeramt;"
                                  " CN=IT-Admins, OU=Groups, DC=rathaus, DC=test = admin ;"
                                  "cn=bauamt,ou=groups," BASE "=sachbearbeitung@bauamt;"
                                  "cn=ordnungsamt,ou=groups," BASE "=identitaet@ordnungsamt;"
                                  "cn=sonderzeichen,ou=groups," BASE "=sachbearbeitung;";

static const char *server_url; /* RATHAUS_TEST_LDAP_URL, or NULL */

/* A configuration for url as an operator would write it for the test directory. */
static void test_config(config_t *c, const char *url)
{
    config_defaults(c);
    snprintf(c->ldap_url, sizeof(c->ldap_url), "%s", url);
    snprintf(c->ldap_base_dn, sizeof(c->ldap_base_dn), "ou=people,%s", BASE);
    snprintf(c->ldap_bind_dn, sizeof(c->ldap_bind_dn), "%s", SERVICE_DN);
    snprintf(c->ldap_bind_password, sizeof(c->ldap_bind_password), "%s", SERVICE_PW);
    snprintf(c->ldap_group_roles, sizeof(c->ldap_group_roles), "%s", group_roles);
}

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void closed_url(char *url, size_t cap)
{
    snprintf(url, cap, "ldap://127.0.0.1:%d", closed_port());
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int has_grant(const ldap_identity_t *id, const char *role, const char *unit)
{
    for (int i = 0; i < id->grant_count; i++)
        if (strcmp(id->grants[i].role, role) == 0 && strcmp(id->grants[i].unit, unit) == 0)
            return 1;
    return 0;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

/* ---- filter escaping (RFC 4515) ----------------------------------------- */

static void expect_escape(const char *in, size_t n, const char *want)
{
    char out[128];
    assert_int_equal(ldap_login_filter_escape(in, n, out, sizeof(out)), 0);
    assert_string_equal(out, want);
}

static void test_escape_metacharacters(void **state)
{
    (void)state;
    expect_escape("*", 1, "\\2a");
    expect_escape("(", 1, "\\28");
    expect_escape(")", 1, "\\29");
    expect_escape("\\", 1, "\\5c");
    expect_escape("a\0b", 3, "a\\00b"); /* NUL inside the value */
    expect_escape("\0", 1, "\\00");
    expect_escape("tab\there\n", 9, "tab\\09here\\0a");
    expect_escape("mmueller)(|(uid=*", 17, "mmueller\\29\\28|\\28uid=\\2a");
    expect_escape(SONJA_LOGIN, 8, "s\\5co\\28tt\\29\\2a");
    expect_escape("M\xc3\xbcller", 7, "M\xc3\xbcller"); /* UTF-8 stays readable */
    expect_escape("m.mueller@stadt.test", 20, "m.mueller@stadt.test");
    expect_escape("", 0, "");
}

static void test_escape_limit(void **state)
{
    (void)state;
    char out[8];
    /* "ab*" needs a, b, \2a and the NUL: 6 bytes. */
    assert_int_equal(ldap_login_filter_escape("ab*", 3, out, 6), 0);
    assert_string_equal(out, "ab\\2a");
    memset(out, 'x', sizeof(out));
    assert_int_equal(ldap_login_filter_escape("ab*", 3, out, 5), -1);
    assert_string_equal(out, "");
    assert_int_equal(ldap_login_filter_escape("abcd", 4, out, 4), -1);
    assert_int_equal(ldap_login_filter_escape("abc", 3, out, 4), 0);
    assert_int_equal(ldap_login_filter_escape("", 0, out, 0), -1);
}

/* ---- ldap_group_roles ---------------------------------------------------- */

static void test_group_roles_parse(void **state)
{
    (void)state;
    ldap_group_role_t m[LDAP_GROUP_ROLES_MAX];
    char err[256] = "";
    int n = ldap_group_roles_parse(group_roles, m, LDAP_GROUP_ROLES_MAX, err, sizeof(err));
    assert_int_equal(n, 5);
    assert_string_equal(m[0].group_dn, "cn=buergeramt-sachbearbeitung,ou=groups,dc=rathaus,dc=test");
    assert_string_equal(m[0].role, "sachbearbeitung");
    assert_string_equal(m[0].unit, "buergeramt");
    /* Spaces after commas and around '=' go; case stays (matching ignores it). */
    assert_string_equal(m[1].group_dn, "CN=IT-Admins,OU=Groups,DC=rathaus,DC=test");
    assert_string_equal(m[1].role, "admin");
    assert_string_equal(m[1].unit, "");
    assert_string_equal(m[3].role, "identitaet");
    assert_string_equal(m[3].unit, "ordnungsamt");
    assert_string_equal(m[4].unit, "");

    /* ';' and '=' inside a DN value, escaped, belong to the DN. */
    n = ldap_group_roles_parse("cn=a\\;b,dc=x=admin;cn=c\\=d,dc=x=sachbearbeitung@bauamt", m, 4, err, sizeof(err));
    assert_int_equal(n, 2);
    assert_string_equal(m[0].group_dn, "cn=a\\3Bb,dc=x");
    assert_string_equal(m[0].role, "admin");
    assert_string_equal(m[1].group_dn, "cn=c\\3Dd,dc=x");
    assert_string_equal(m[1].unit, "bauamt");

    /* Nothing configured is no error. */
    assert_int_equal(ldap_group_roles_parse("", m, 4, err, sizeof(err)), 0);
    assert_int_equal(ldap_group_roles_parse(" ; ;\n", m, 4, err, sizeof(err)), 0);
    assert_int_equal(ldap_group_roles_parse(NULL, m, 4, err, sizeof(err)), 0);
}

static void expect_parse_error(const char *spec, int max, const char *needle)
{
    ldap_group_role_t m[LDAP_GROUP_ROLES_MAX + 1];
    char err[256] = "";
    assert_int_equal(ldap_group_roles_parse(spec, m, max, err, sizeof(err)), -1);
    if (strstr(err, needle) == NULL)
        fail_msg("spec \"%.60s…\": error \"%s\" does not mention \"%s\"", spec, err, needle);
}

static void test_group_roles_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("cn=x,dc=y=", 4, "entry 1: role");
    expect_parse_error("cn=x,dc=y=Admin", 4, "entry 1: role");
    expect_parse_error("cn=x,dc=y=admin@", 4, "entry 1: unit");
    expect_parse_error("cn=x,dc=y=admin@Bau Amt", 4, "entry 1: unit");
    expect_parse_error("cn=x,dc=y=admin;=admin", 4, "entry 2: expected GROUP-DN=role");
    expect_parse_error("cn=x,dc=y=admin;notadn=admin", 4, "entry 2: \"notadn\" is not a DN");
    expect_parse_error("cn=x,dc=y", 4, "not a DN"); /* the role is missing: "y" is no role of "cn=x,dc" */

    /* Limits: role and unit 63 bytes, 32 entries, group DN 511 bytes normalised. */
    char spec[1200];
    snprintf(spec, sizeof(spec), "cn=x,dc=y=%.*s", 63,
             "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr");
    ldap_group_role_t m[LDAP_GROUP_ROLES_MAX + 1];
    char err[256];
    assert_int_equal(ldap_group_roles_parse(spec, m, 4, err, sizeof(err)), 1);
    strcat(spec, "r");
    expect_parse_error(spec, 4, "entry 1: role");

    size_t len = 0;
    for (int i = 0; i < LDAP_GROUP_ROLES_MAX; i++)
        len += (size_t)snprintf(spec + len, sizeof(spec) - len, "cn=g%d,dc=y=admin;", i);
    assert_int_equal(ldap_group_roles_parse(spec, m, LDAP_GROUP_ROLES_MAX, err, sizeof(err)), LDAP_GROUP_ROLES_MAX);
    snprintf(spec + len, sizeof(spec) - len, "cn=one-more,dc=y=admin");
    expect_parse_error(spec, LDAP_GROUP_ROLES_MAX, "entry 33: more than 32 entries");

    /* "cn=" + value + ",dc=y" = 511 bytes fits; one more does not. */
    char value[520];
    memset(value, 'v', sizeof(value));
    snprintf(spec, sizeof(spec), "cn=%.*s,dc=y=admin", 511 - 8, value);
    assert_int_equal(ldap_group_roles_parse(spec, m, 4, err, sizeof(err)), 1);
    assert_int_equal(strlen(m[0].group_dn), 511);
    snprintf(spec, sizeof(spec), "cn=%.*s,dc=y=admin", 512 - 8, value);
    expect_parse_error(spec, 4, "longer than 511 bytes");
}

/* ---- refusals before any traffic, misconfiguration, dead directories ------ */

/* With a URL where nothing listens, EDENIED proves nothing was sent (a bind would
 * have failed with EUNAVAILABLE). */
static void expect_refused_unsent(const char *login, const char *password)
{
    config_t c;
    char url[64], err[256];
    ldap_identity_t id;
    closed_url(url, sizeof(url));
    test_config(&c, url);
    memset(&id, 0x55, sizeof(id));
    assert_int_equal(ldap_login(&c, login, password, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
    assert_true(all_zero(&id, sizeof(id)));
    assert_true(err[0] != '\0');
}

static void expect_sent(const char *login, const char *password)
{
    config_t c;
    char url[64], err[256];
    ldap_identity_t id;
    closed_url(url, sizeof(url));
    test_config(&c, url);
    assert_int_equal(ldap_login(&c, login, password, &id, err, sizeof(err)), LDAP_LOGIN_EUNAVAILABLE);
}

static void test_refused_before_asking(void **state)
{
    (void)state;
    char name[LDAP_LOGIN_NAME_MAX + 2];
    char password[LDAP_LOGIN_PASSWORD_MAX + 2];

    /* Empty password: an unauthenticated bind would "succeed". */
    expect_refused_unsent("mmueller", "");
    expect_refused_unsent("mmueller", NULL);
    expect_refused_unsent("", MARIA_PW);
    expect_refused_unsent(NULL, MARIA_PW);
    expect_refused_unsent("m\xc3\x28ller", MARIA_PW); /* not UTF-8 */
    expect_refused_unsent("\xed\xa0\x80", MARIA_PW);  /* a surrogate */

    memset(name, 'a', sizeof(name));
    name[LDAP_LOGIN_NAME_MAX + 1] = '\0'; /* 129 bytes */
    expect_refused_unsent(name, MARIA_PW);
    name[LDAP_LOGIN_NAME_MAX] = '\0'; /* 128 bytes: asked */
    expect_sent(name, MARIA_PW);

    memset(password, 'p', sizeof(password));
    password[LDAP_LOGIN_PASSWORD_MAX + 1] = '\0';
    expect_refused_unsent("mmueller", password);
    password[LDAP_LOGIN_PASSWORD_MAX] = '\0';
    expect_sent("mmueller", password);
}

static void expect_misconfigured(config_t *c, const char *needle)
{
    char err[256];
    ldap_identity_t id;
    assert_int_equal(ldap_login(c, "mmueller", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EUNAVAILABLE);
    if (strstr(err, needle) == NULL)
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_misconfiguration_is_unavailable(void **state)
{
    (void)state;
    config_t c;
    char url[64];
    closed_url(url, sizeof(url));

    test_config(&c, url);
    c.ldap_url[0] = '\0';
    expect_misconfigured(&c, "ldap_url is empty");
    test_config(&c, url);
    c.ldap_base_dn[0] = '\0';
    expect_misconfigured(&c, "ldap_base_dn is empty");
    test_config(&c, url);
    snprintf(c.ldap_user_attr, sizeof(c.ldap_user_attr), "uid)(cn=*");
    expect_misconfigured(&c, "ldap_user_attr");
    test_config(&c, url);
    c.ldap_bind_password[0] = '\0';
    expect_misconfigured(&c, "ldap_bind_password is empty");
    test_config(&c, url);
    c.ldap_bind_dn[0] = '\0';
    expect_misconfigured(&c, "ldap_bind_dn is empty");
    test_config(&c, url);
    snprintf(c.ldap_group_roles, sizeof(c.ldap_group_roles), "cn=x,dc=y=Admin");
    expect_misconfigured(&c, "ldap_group_roles: entry 1: role");
    test_config(&c, "http://127.0.0.1:1");
    expect_misconfigured(&c, "ldap_url \"http://127.0.0.1:1\"");
}

static void test_closed_port_is_unavailable_at_once(void **state)
{
    (void)state;
    config_t c;
    char url[64], err[256];
    ldap_identity_t id;
    closed_url(url, sizeof(url));
    test_config(&c, url);
    double t0 = now_seconds();
    assert_int_equal(ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EUNAVAILABLE);
    assert_true(now_seconds() - t0 < LDAP_LOGIN_TIMEOUT_SECONDS);
    assert_non_null(strstr(err, "Can't contact LDAP server"));
    assert_true(all_zero(&id, sizeof(id)));
}

/* A directory that accepts the connection and then never answers: the worker
 * must get its thread back after the operation timeout. */
static void test_silent_server_times_out(void **state)
{
    (void)state;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 8), 0); /* the kernel completes the handshake; nobody reads */
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);

    config_t c;
    char url[64], err[256];
    ldap_identity_t id;
    snprintf(url, sizeof(url), "ldap://127.0.0.1:%d", ntohs(a.sin_port));
    test_config(&c, url);
    double t0 = now_seconds();
    int rc = ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err));
    double took = now_seconds() - t0;
    close(fd);
    assert_int_equal(rc, LDAP_LOGIN_EUNAVAILABLE);
    assert_true(took >= LDAP_LOGIN_TIMEOUT_SECONDS - 0.5);
    assert_true(took < 2 * LDAP_LOGIN_TIMEOUT_SECONDS);
    assert_non_null(strstr(err, "Timed out"));
}

/* ---- against the test directory ----------------------------------------- */

static int login_as(const char *login, const char *password, ldap_identity_t *id, char *err, size_t errlen)
{
    config_t c;
    test_config(&c, server_url);
    return ldap_login(&c, login, password, id, err, errlen);
}

static void test_login_fills_identity(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    int rc = login_as("mmueller", MARIA_PW, &id, err, sizeof(err));
    if (rc != 0)
        fail_msg("login failed (%d): %s", rc, err);
    assert_string_equal(id.dn, "uid=mmueller,ou=people,dc=rathaus,dc=test");
    assert_string_equal(id.login, "mmueller");
    assert_string_equal(id.email, "m.mueller@stadt.test");
    assert_string_equal(id.display_name, "Maria M\xc3\xbcller");
    assert_string_equal(id.given_name, "Maria");
    assert_string_equal(id.family_name, "M\xc3\xbcller");
    /* buergeramt-sachbearbeitung and it-admins (spelt otherwise in the mapping);
     * kantine is in no mapping. */
    assert_int_equal(id.grant_count, 2);
    assert_true(has_grant(&id, "sachbearbeitung", "buergeramt"));
    assert_true(has_grant(&id, "admin", ""));
}

static void test_login_name_case_is_the_directorys(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    assert_int_equal(login_as("MMueller", MARIA_PW, &id, err, sizeof(err)), 0);
    assert_string_equal(id.login, "mmueller");
    assert_string_equal(id.dn, "uid=mmueller,ou=people,dc=rathaus,dc=test");
}

static void test_cn_and_unique_member(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    assert_int_equal(login_as("kschmidt", KLAUS_PW, &id, err, sizeof(err)), 0);
    assert_string_equal(id.display_name, "Klaus Schmidt"); /* no displayName: cn */
    assert_int_equal(id.grant_count, 2);
    assert_true(has_grant(&id, "sachbearbeitung", "bauamt"));
    assert_true(has_grant(&id, "identitaet", "ordnungsamt")); /* groupOfUniqueNames */
}

static void test_no_mail_no_groups(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    assert_int_equal(login_as("jneumann", JOERG_PW, &id, err, sizeof(err)), 0);
    assert_string_equal(id.email, "");
    assert_string_equal(id.display_name, "J\xc3\xb6rg Neumann");
    assert_string_equal(id.given_name, "J\xc3\xb6rg");
    assert_int_equal(id.grant_count, 0);
}

static void test_wrong_password_and_unknown_login_look_alike(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    memset(&id, 0x55, sizeof(id));
    assert_int_equal(login_as("mmueller", "Rathaus-Test-2025!", &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
    assert_true(all_zero(&id, sizeof(id)));
    assert_non_null(strstr(err, "Invalid credentials")); /* the log may tell them apart */
    assert_int_equal(login_as("niemand", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
    assert_non_null(strstr(err, "no entry"));
    assert_int_equal(login_as("kschmidt", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
    /* The service account is no staff login: it is outside ldap_base_dn. */
    assert_int_equal(login_as("rathaus-service", SERVICE_PW, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
}

static void test_empty_password_denied_with_server(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    assert_int_equal(login_as("mmueller", "", &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
    assert_non_null(strstr(err, "not sent"));
}

/* Each of these, put into the filter unescaped, would find exactly Maria's (or
 * Sonja's) entry, and her password would then let the attacker in. */
static void test_login_cannot_widen_the_search(void **state)
{
    (void)state;
    static const char *const maria[] = {
        "*", "mmuel*", "*ller", "mmueller)(|(uid=*", "*)(uid=mmueller", "mmueller)(objectClass=*", "mm\\75eller"};
    ldap_identity_t id;
    char err[256];
    for (size_t i = 0; i < sizeof(maria) / sizeof(maria[0]); i++) {
        int rc = login_as(maria[i], MARIA_PW, &id, err, sizeof(err));
        if (rc != LDAP_LOGIN_EDENIED)
            fail_msg("login \"%s\": %d, want EDENIED", maria[i], rc);
    }
    assert_int_equal(login_as("s\\o(t*", SONJA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
    assert_int_equal(login_as("s*", SONJA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
}

/* Escaping must not break logins that really contain the metacharacters, nor
 * group searches for DNs that do. */
static void test_metacharacters_in_a_real_login(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    int rc = login_as(SONJA_LOGIN, SONJA_PW, &id, err, sizeof(err));
    if (rc != 0)
        fail_msg("login failed (%d): %s", rc, err);
    assert_string_equal(id.login, SONJA_LOGIN);
    assert_string_equal(id.display_name, "Sonja Otto");
    assert_int_equal(id.grant_count, 1);
    assert_true(has_grant(&id, "sachbearbeitung", ""));
}

static void test_two_entries_for_one_login_denied(void **state)
{
    (void)state;
    ldap_identity_t id;
    char err[256] = "";
    assert_int_equal(login_as("doppelt", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
    assert_non_null(strstr(err, "several entries"));
}

static void test_group_mapping_rules(void **state)
{
    (void)state;
    config_t c;
    ldap_identity_t id;
    char err[256] = "";
    test_config(&c, server_url);
    /* One group, two roles; a duplicate line; a mapping for a group she is not in. */
    snprintf(c.ldap_group_roles, sizeof(c.ldap_group_roles),
             "cn=it-admins,ou=groups,%s=admin;cn=it-admins,ou=groups,%s=identitaet@buergeramt;"
             "cn=IT-ADMINS,ou=groups,%s=admin;cn=bauamt,ou=groups,%s=sachbearbeitung@bauamt",
             BASE, BASE, BASE, BASE);
    assert_int_equal(ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err)), 0);
    assert_int_equal(id.grant_count, 2);
    assert_true(has_grant(&id, "admin", ""));
    assert_true(has_grant(&id, "identitaet", "buergeramt"));
    assert_false(has_grant(&id, "sachbearbeitung", "bauamt"));

    /* No mapping: no grants, and no group search needed. */
    c.ldap_group_roles[0] = '\0';
    assert_int_equal(ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err)), 0);
    assert_int_equal(id.grant_count, 0);
}

static void test_other_user_attribute(void **state)
{
    (void)state;
    config_t c;
    ldap_identity_t id;
    char err[256] = "";
    test_config(&c, server_url);
    snprintf(c.ldap_user_attr, sizeof(c.ldap_user_attr), "mail");
    assert_int_equal(ldap_login(&c, "m.mueller@stadt.test", MARIA_PW, &id, err, sizeof(err)), 0);
    assert_string_equal(id.dn, "uid=mmueller,ou=people,dc=rathaus,dc=test");
    assert_string_equal(id.login, "m.mueller@stadt.test");
    assert_int_equal(ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EDENIED);
}

static void test_wrong_service_password_is_unavailable(void **state)
{
    (void)state;
    config_t c;
    ldap_identity_t id;
    char err[256] = "";
    test_config(&c, server_url);
    snprintf(c.ldap_bind_password, sizeof(c.ldap_bind_password), "Dienst-Konto-2025!");
    assert_int_equal(ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EUNAVAILABLE);
    assert_non_null(strstr(err, "bind as ldap_bind_dn"));
    assert_non_null(strstr(err, "Invalid credentials"));

    /* Anonymous, as the test directory allows it nothing: the base is invisible. */
    c.ldap_bind_dn[0] = '\0';
    c.ldap_bind_password[0] = '\0';
    assert_int_equal(ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EUNAVAILABLE);
    assert_non_null(strstr(err, "No such object"));
}

static void test_missing_base_dn_is_unavailable(void **state)
{
    (void)state;
    config_t c;
    ldap_identity_t id;
    char err[256] = "";
    test_config(&c, server_url);
    snprintf(c.ldap_base_dn, sizeof(c.ldap_base_dn), "ou=nirgendwo,%s", BASE);
    assert_int_equal(ldap_login(&c, "mmueller", MARIA_PW, &id, err, sizeof(err)), LDAP_LOGIN_EUNAVAILABLE);
    assert_non_null(strstr(err, "No such object"));
}

/* Worker threads log in at the same time; each call has its own handles. */
enum { THREADS = 4, LOGINS_PER_THREAD = 12 };

static void *login_loop(void *arg)
{
    int *failures = arg;
    for (int i = 0; i < LOGINS_PER_THREAD; i++) {
        ldap_identity_t id;
        char err[256];
        int right = i % 3 != 2;
        int rc = login_as(i % 2 ? "kschmidt" : "mmueller", right ? (i % 2 ? KLAUS_PW : MARIA_PW) : "falsch", &id, err,
                          sizeof(err));
        if (rc != (right ? 0 : LDAP_LOGIN_EDENIED) || (right && id.grant_count != 2))
            (*failures)++;
    }
    return NULL;
}

static void test_concurrent_logins(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    int failures[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, login_loop, &failures[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(failures[i], 0);
    }
}

int main(void)
{
    const struct CMUnitTest offline[] = {
        cmocka_unit_test(test_escape_metacharacters),
        cmocka_unit_test(test_escape_limit),
        cmocka_unit_test(test_group_roles_parse),
        cmocka_unit_test(test_group_roles_parse_errors),
        cmocka_unit_test(test_refused_before_asking),
        cmocka_unit_test(test_misconfiguration_is_unavailable),
        cmocka_unit_test(test_closed_port_is_unavailable_at_once),
        cmocka_unit_test(test_silent_server_times_out),
    };
    const struct CMUnitTest directory[] = {
        cmocka_unit_test(test_login_fills_identity),
        cmocka_unit_test(test_login_name_case_is_the_directorys),
        cmocka_unit_test(test_cn_and_unique_member),
        cmocka_unit_test(test_no_mail_no_groups),
        cmocka_unit_test(test_wrong_password_and_unknown_login_look_alike),
        cmocka_unit_test(test_empty_password_denied_with_server),
        cmocka_unit_test(test_login_cannot_widen_the_search),
        cmocka_unit_test(test_metacharacters_in_a_real_login),
        cmocka_unit_test(test_two_entries_for_one_login_denied),
        cmocka_unit_test(test_group_mapping_rules),
        cmocka_unit_test(test_other_user_attribute),
        cmocka_unit_test(test_wrong_service_password_is_unavailable),
        cmocka_unit_test(test_missing_base_dn_is_unavailable),
        cmocka_unit_test(test_concurrent_logins),
    };
    int failed = cmocka_run_group_tests_name("ldap_offline", offline, NULL, NULL);
    server_url = getenv("RATHAUS_TEST_LDAP_URL");
    if (server_url == NULL || server_url[0] == '\0') {
        printf("test_ldap: RATHAUS_TEST_LDAP_URL not set, skipped\n");
        return failed;
    }
    failed += cmocka_run_group_tests_name("ldap_directory", directory, NULL, NULL);
    return failed;
}
