/* test_account_crypto.c — unit tests for the account module's security primitives:
 * argon2id hashing and the password policy, TOTP, the QR code SVG and recovery codes.
 *
 * TOTP is checked against the SHA1 vectors of RFC 6238 Appendix B, the QR code by
 * reading the SVG path back into a module grid and comparing it with libqrencode's
 * matrix, and the recovery hash against BLAKE2b-256 computed by Python's hashlib.
 * The policy tests load data/common-passwords.txt, so run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <sodium.h>

#include "core/buf.h"
#include "modules/account/password.h"
#include "modules/account/qrsvg.h"
#include "modules/account/recovery.h"
#include "modules/account/totp.h"

#define COMMON_PASSWORDS "data/common-passwords.txt"

/* "12345678901234567890", the RFC 6238 SHA1 seed, in base32. */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* A string of `count` copies of `unit`, on the heap (the caller frees it). */
static char *repeat(const char *unit, size_t count)
{
    size_t n = strlen(unit);
    char *s = malloc(n * count + 1);
    assert_non_null(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * n, unit, n);
    s[n * count] = '\0';
    return s;
}

/* ---- argon2id ------------------------------------------------------------ */

static void test_hash_verify_round_trip(void **state)
{
    char hash[PASSWORD_HASH_MAX];
    char again[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("Korrekt Pferd Batterie Heftklammer", hash), 0);
    assert_int_equal(password_verify(hash, "Korrekt Pferd Batterie Heftklammer"), 0);
    assert_int_equal(password_verify(hash, "korrekt Pferd Batterie Heftklammer"), PASSWORD_EMISMATCH);
    assert_int_equal(password_verify(hash, "Korrekt Pferd Batterie Heftklammer "), PASSWORD_EMISMATCH);
    assert_int_equal(password_verify(hash, ""), PASSWORD_EMISMATCH);
    /* A fresh salt each time: equal passwords give different strings. */
    assert_int_equal(password_hash("Korrekt Pferd Batterie Heftklammer", again), 0);
    assert_string_not_equal(hash, again);
    assert_int_equal(password_verify(again, "Korrekt Pferd Batterie Heftklammer"), 0);
}

static void test_hash_carries_parameters(void **state)
{
    char hash[PASSWORD_HASH_MAX];
    char prefix[64];
    assert_int_equal(password_hash("Ärgerlich12!", hash), 0);
    snprintf(prefix, sizeof(prefix), "$argon2id$v=19$m=%u,t=%u,p=1$", PASSWORD_MEMLIMIT / 1024u, PASSWORD_OPSLIMIT);
    assert_memory_equal(hash, prefix, strlen(prefix));
    assert_string_equal(prefix, "$argon2id$v=19$m=65536,t=2,p=1$"); /* what password.h documents */
    assert_int_equal(password_needs_rehash(hash), 0);
}

static void test_rehash_for_old_parameters(void **state)
{
    char old[PASSWORD_HASH_MAX];
    /* An argon2id hash made with the OWASP minimum, as an older release might have. */
    assert_int_equal(crypto_pwhash_str_alg(old, "Ärgerlich12!", strlen("Ärgerlich12!"), 2, 19u * 1024 * 1024,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    assert_int_equal(password_verify(old, "Ärgerlich12!"), 0);
    assert_int_equal(password_needs_rehash(old), 1);
    /* argon2i (another algorithm) verifies but must be replaced. */
    assert_int_equal(crypto_pwhash_str_alg(old, "Ärgerlich12!", strlen("Ärgerlich12!"), 3, 8u * 1024 * 1024,
                                           crypto_pwhash_ALG_ARGON2I13),
                     0);
    assert_memory_equal(old, "$argon2i$", 9);
    assert_int_equal(password_verify(old, "Ärgerlich12!"), 0);
    assert_int_equal(password_needs_rehash(old), 1);
    assert_int_equal(password_needs_rehash("kein Hash"), 1);
}

static void test_hash_limits_and_malformed(void **state)
{
    char hash[PASSWORD_HASH_MAX];
    char *max = repeat("x", PASSWORD_MAX_BYTES);
    char *over = repeat("x", PASSWORD_MAX_BYTES + 1);
    assert_int_equal(password_hash(over, hash), PASSWORD_ETOOLONG);
    assert_int_equal(password_hash(max, hash), 0);
    assert_int_equal(password_verify(hash, max), 0);
    assert_int_equal(password_verify(hash, over), PASSWORD_EMISMATCH);
    /* Not a hash, and a "hash" without a NUL where one must be. */
    assert_int_equal(password_verify("$argon2id$v=19$m=65536,t=2,p=1$kaputt", "x"), PASSWORD_EMISMATCH);
    assert_int_equal(password_verify("", ""), PASSWORD_EMISMATCH);
    char *long_hash = repeat("$", PASSWORD_HASH_MAX + 10);
    assert_int_equal(password_verify(long_hash, "x"), PASSWORD_EMISMATCH);
    free(long_hash);
    free(max);
    free(over);
}

/* One login: hash and verify, as a worker thread does. */
static void *hash_in_thread(void *arg)
{
    char hash[PASSWORD_HASH_MAX];
    int *ok = arg;
    *ok = password_hash("Paralleles Passwort 42", hash) == 0 && password_verify(hash, "Paralleles Passwort 42") == 0;
    return NULL;
}

static void test_hash_parallel(void **state)
{
    /* More logins at once than PASSWORD_MAX_PARALLEL: the gate makes some wait,
     * and every one of them must finish (a lost wake-up would hang here). */
    enum { LOGINS = PASSWORD_MAX_PARALLEL + 3 };
    pthread_t threads[LOGINS];
    int ok[LOGINS] = {0};
    for (int i = 0; i < LOGINS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, hash_in_thread, &ok[i]), 0);
    for (int i = 0; i < LOGINS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_true(ok[i]);
    }
}

/* ---- policy -------------------------------------------------------------- */

static int load_common_list(void **state)
{
    char err[256];
    int rc = password_list_load(COMMON_PASSWORDS, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "%s (run from the repository root)\n", err);
    return rc;
}

static int free_common_list(void **state)
{
    password_list_free();
    return 0;
}

static void test_policy_counts_code_points(void **state)
{
    const char *reason = "unverändert";
    /* 12 characters, 13 bytes: passes on characters... */
    assert_int_equal(strlen("Ärgerlich12!"), 13);
    assert_int_equal(password_check("Ärgerlich12!", NULL, &reason), 0);
    assert_null(reason);
    /* ...and 11 characters in 12 bytes must not pass on bytes. */
    assert_int_equal(strlen("Ärgerlich1!"), 12);
    assert_int_equal(password_check("Ärgerlich1!", NULL, &reason), PASSWORD_ETOOSHORT);
    assert_string_equal(reason, "Das Passwort muss mindestens 12 Zeichen lang sein.");
    assert_int_equal(password_check("", NULL, &reason), PASSWORD_ETOOSHORT);
    assert_int_equal(password_check("abcdefghijk", NULL, NULL), PASSWORD_ETOOSHORT); /* reason may be NULL */
    /* No composition rules: twelve lower-case letters are fine. */
    assert_int_equal(password_check("zwoelfbuchst", NULL, NULL), 0);
}

static void test_policy_too_long(void **state)
{
    const char *reason = NULL;
    char *s;
    /* 256 two-byte characters (512 bytes) pass; 257 do not. */
    s = repeat("ä", PASSWORD_MAX_CHARS);
    assert_int_equal(password_check(s, NULL, &reason), 0);
    free(s);
    s = repeat("ä", PASSWORD_MAX_CHARS + 1);
    assert_int_equal(password_check(s, NULL, &reason), PASSWORD_ETOOLONG);
    assert_string_equal(reason, "Das Passwort ist zu lang (höchstens 256 Zeichen).");
    free(s);
    /* 256 four-byte characters are exactly 1024 bytes: the byte cap allows them. */
    s = repeat("\xF0\x9F\x94\x91", PASSWORD_MAX_CHARS); /* U+1F511 KEY */
    assert_int_equal(strlen(s), PASSWORD_MAX_BYTES);
    assert_int_equal(password_check(s, NULL, &reason), 0);
    free(s);
    /* 1025 bytes are refused before anything else is looked at. */
    s = repeat("a", PASSWORD_MAX_BYTES + 1);
    assert_int_equal(password_check(s, NULL, &reason), PASSWORD_ETOOLONG);
    free(s);
}

static void test_policy_invalid_utf8(void **state)
{
    static const char *const bad[] = {
        "Passwort12345\xFF",         /* never valid */
        "Passwort12345\xC3",         /* truncated two-byte sequence */
        "Passwort12345\xC0\xAF",     /* overlong '/' */
        "Passwort12345\xED\xA0\x80", /* surrogate U+D800 */
        "Passwort1234\xC3\x28xxxx",  /* lead byte without continuation */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *reason = NULL;
        assert_int_equal(password_check(bad[i], NULL, &reason), PASSWORD_EENCODING);
        assert_string_equal(reason, "Das Passwort enthält ungültige Zeichen.");
    }
}

static void test_policy_common_passwords(void **state)
{
    const char *reason = NULL;
    /* The list has 10,000 lines with case variants ("password", "Password", "PASSWORD")
     * kept once, and one empty line skipped. */
    assert_in_range(password_list_loaded_count(), 9000, 9999);
    /* qwerty123456 and 1qaz2wsx3edc are on the list in lower case, PolniyPizdec0211 in
     * mixed case: every case variant is refused. */
    static const char *const common[] = {"qwerty123456",     "QWERTY123456",     "Qwerty123456",    "1QAZ2WSX3EDC",
                                         "PolniyPizdec0211", "polniypizdec0211", "POLNIYPIZDEC0211"};
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        reason = NULL;
        assert_int_equal(password_check(common[i], NULL, &reason), PASSWORD_ECOMMON);
        assert_string_equal(reason,
                            "Dieses Passwort ist zu bekannt und leicht zu erraten. Bitte wählen Sie ein anderes.");
        assert_int_equal(password_list_contains(common[i]), 1);
    }
    /* One character more and it is not on the list. */
    assert_int_equal(password_check("qwerty1234567", NULL, &reason), 0);
    assert_int_equal(password_list_contains("qwerty1234567"), 0);
    assert_int_equal(password_list_contains("password"), 1); /* short entries are there too */
}

static void test_policy_email_local_part(void **state)
{
    const char *reason = NULL;
    const char *email = "Max.Mustermann@example.org";
    assert_int_equal(password_check("max.mustermann2024", email, &reason), PASSWORD_EEMAIL);
    assert_string_equal(reason, "Das Passwort darf nicht Ihre E-Mail-Adresse enthalten.");
    assert_int_equal(password_check("ichbinMAX.MUSTERMANN!", email, &reason), PASSWORD_EEMAIL);
    assert_int_equal(password_check("Max.Mustermann@example.org", email, &reason), PASSWORD_EEMAIL);
    assert_int_equal(password_check("max-mustermann2024", email, &reason), 0);
    /* Equal to a long local part. */
    assert_int_equal(password_check("annabelle.schmidt", "annabelle.schmidt@example.org", &reason), PASSWORD_EEMAIL);
    /* Four characters are checked, three are not (they would refuse too much). */
    assert_int_equal(password_check("xxAnnaxxxxxxxx", "anna@example.org", &reason), PASSWORD_EEMAIL);
    assert_int_equal(password_check("xxBobxxxxxxxxx", "bob@example.org", &reason), 0);
    /* Characters are code points: "jörg" (5 bytes) is checked, "jör" (4 bytes) is not. */
    assert_int_equal(password_check("wirsindjörgs!", "jörg@example.org", &reason), PASSWORD_EEMAIL);
    assert_int_equal(password_check("wirsindjörgs!", "jör@example.org", &reason), 0);
    /* No e-mail address, or one without '@'. */
    assert_int_equal(password_check("max.mustermann2024", NULL, &reason), 0);
    assert_int_equal(password_check("max.mustermann2024", "mustermann", &reason), PASSWORD_EEMAIL);
}

static void test_list_loader(void **state)
{
    char err[256] = "";
    static const char text[] = "\nPassword\r\npassword\n\n\nGeheim-Geheim-1\nlast-line-without-newline";
    assert_int_equal(password_list_load_text(text, sizeof(text) - 1, "t.txt", err, sizeof(err)), 0);
    assert_int_equal(password_list_loaded_count(), 3);
    assert_int_equal(password_list_contains("PASSWORD"), 1);
    assert_int_equal(password_list_contains("password\r"), 0);
    assert_int_equal(password_list_contains("geheim-geheim-1"), 1);
    assert_int_equal(password_list_contains("LAST-LINE-WITHOUT-NEWLINE"), 1);
    assert_int_equal(password_list_contains(""), 0);
    assert_int_equal(password_check("Geheim-Geheim-1", NULL, NULL), PASSWORD_ECOMMON);
    assert_int_equal(password_check("qwerty123456", NULL, NULL), 0); /* only the small list now */

    /* Errors name the line, and the list in use stays as it was. */
    static const char with_nul[] = "eins\nzw\0ei\n";
    assert_int_equal(password_list_load_text(with_nul, sizeof(with_nul) - 1, "n.txt", err, sizeof(err)),
                     PASSWORD_ERROR);
    assert_string_equal(err, "n.txt:2: NUL byte");
    char *too_long = repeat("y", PASSWORD_MAX_BYTES + 1);
    too_long[0] = '\n';
    assert_int_equal(password_list_load_text(too_long, PASSWORD_MAX_BYTES + 1, "l.txt", err, sizeof(err)), 0);
    too_long[0] = 'y';
    assert_int_equal(password_list_load_text(too_long, PASSWORD_MAX_BYTES + 1, "l.txt", err, sizeof(err)),
                     PASSWORD_ERROR);
    assert_string_equal(err, "l.txt:1: line longer than the longest password allowed");
    free(too_long);
    assert_int_equal(password_list_load("does/not/exist.txt", err, sizeof(err)), PASSWORD_ERROR);
    assert_non_null(strstr(err, "does/not/exist.txt"));
    assert_int_equal(password_list_load("data", err, sizeof(err)), PASSWORD_ERROR); /* a directory */
    assert_int_equal(password_list_loaded_count(), 1);                              /* from the last good load */

    /* Back to the real list for the tests that follow. */
    assert_int_equal(load_common_list(state), 0);
}

/* ---- TOTP ---------------------------------------------------------------- */

static void test_totp_rfc6238_vectors(void **state)
{
    /* RFC 6238 Appendix B, SHA1: 8-digit values, of which a 6-digit code is the
     * last six digits (the truncation takes the value mod 10^digits). */
    static const struct {
        int64_t time;
        const char *code;
    } vectors[] = {
        {59, "287082"},          /* 94287082 */
        {1111111109, "081804"},  /* 07081804 */
        {1111111111, "050471"},  /* 14050471 */
        {1234567890, "005924"},  /* 89005924 */
        {2000000000, "279037"},  /* 69279037 */
        {20000000000, "353130"}, /* 65353130 */
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        char code[TOTP_DIGITS + 1];
        assert_int_equal(totp_code(RFC_SECRET, vectors[i].time, code), 0);
        assert_string_equal(code, vectors[i].code);
        int64_t last = 0;
        assert_int_equal(totp_verify(RFC_SECRET, vectors[i].code, vectors[i].time, &last), 0);
        assert_int_equal(last, vectors[i].time / 30);
    }
}

static void test_totp_window(void **state)
{
    const int64_t now = 1111111109; /* step 37037036, 29 s into it */
    char code[TOTP_DIGITS + 1];
    for (int d = -3; d <= 3; d++) {
        assert_int_equal(totp_code(RFC_SECRET, now + d * 30, code), 0);
        int64_t last = 0;
        int rc = totp_verify(RFC_SECRET, code, now, &last);
        if (d >= -1 && d <= 1) {
            assert_int_equal(rc, 0);
            assert_int_equal(last, now / 30 + d);
        } else {
            assert_int_equal(rc, TOTP_EWRONG);
            assert_int_equal(last, 0); /* untouched */
        }
    }
    /* Near the epoch there is no step -1 to look at. */
    int64_t last = 0;
    assert_int_equal(totp_verify(RFC_SECRET, "287082", 0, &last), 0);
    assert_int_equal(last, 1);
}

static void test_totp_replay(void **state)
{
    const int64_t now = 1234567890;
    int64_t last = 0;
    assert_int_equal(totp_verify(RFC_SECRET, "005924", now, &last), 0);
    assert_int_equal(last, now / 30);
    /* The same code again, in the same step and in the next. */
    assert_int_equal(totp_verify(RFC_SECRET, "005924", now, &last), TOTP_EREPLAY);
    assert_int_equal(totp_verify(RFC_SECRET, "005924", now + 30, &last), TOTP_EREPLAY);
    assert_int_equal(last, now / 30);
    /* After the code of the next step, the previous step's code is a replay too. */
    char code[TOTP_DIGITS + 1];
    char earlier[TOTP_DIGITS + 1];
    assert_int_equal(totp_code(RFC_SECRET, now + 30, code), 0);
    assert_int_equal(totp_code(RFC_SECRET, now - 30, earlier), 0);
    assert_int_equal(totp_verify(RFC_SECRET, earlier, now, &last), TOTP_EREPLAY);
    assert_int_equal(totp_verify(RFC_SECRET, code, now, &last), 0);
    assert_int_equal(last, now / 30 + 1);
    /* A wrong code is wrong, not a replay. */
    assert_int_equal(totp_verify(RFC_SECRET, "000000", now, &last), TOTP_EWRONG);
}

static void test_totp_input_forms(void **state)
{
    const int64_t now = 59;
    static const char *const accepted[] = {"287 082", " 287082 ", "2 8 7 0 8 2", "\t287082"};
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        int64_t last = 0;
        assert_int_equal(totp_verify(RFC_SECRET, accepted[i], now, &last), 0);
    }
    static const char *const refused[] = {"", "28708", "2870820", "287-082", "28708a", "287082\n", "   "};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        int64_t last = 0;
        assert_int_equal(totp_verify(RFC_SECRET, refused[i], now, &last), TOTP_EWRONG);
        assert_int_equal(last, 0);
    }
    /* Longer than TOTP_MAX_CODE_INPUT, even if only spaces around the digits. */
    char *padded = repeat(" ", TOTP_MAX_CODE_INPUT);
    memcpy(padded, "287082", 6);
    int64_t last = 0;
    assert_int_equal(totp_verify(RFC_SECRET, padded, now, &last), 0);
    free(padded);
    padded = repeat(" ", TOTP_MAX_CODE_INPUT + 1);
    memcpy(padded, "287082", 6);
    last = 0;
    assert_int_equal(totp_verify(RFC_SECRET, padded, now, &last), TOTP_EWRONG);
    free(padded);
    /* Bad secrets and times. */
    char code[TOTP_DIGITS + 1];
    assert_int_equal(totp_verify("GEZDGNBVGY3TQOJQ", "287082", now, &last), TOTP_EINVAL);                 /* 80 bits */
    assert_int_equal(totp_verify("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "287082", now, &last), TOTP_EINVAL); /* lower */
    assert_int_equal(totp_verify("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", "287082", now, &last), TOTP_EINVAL); /* '1' */
    assert_int_equal(totp_verify(RFC_SECRET, "287082", -1, &last), TOTP_EINVAL);
    assert_int_equal(totp_verify(RFC_SECRET, "287082", TOTP_MAX_TIME + 1, &last), TOTP_EINVAL);
    assert_int_equal(totp_verify(RFC_SECRET, "287082", now, NULL), TOTP_EINVAL);
    assert_int_equal(totp_code(RFC_SECRET, TOTP_MAX_TIME, code), 0);
}

static void test_totp_secret_new(void **state)
{
    char a[TOTP_SECRET_B32_MAX];
    char b[TOTP_SECRET_B32_MAX];
    assert_int_equal(totp_secret_new(a), 0);
    assert_int_equal(totp_secret_new(b), 0);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
    assert_string_not_equal(a, b);
    /* A new secret works with the rest of the module. */
    char code[TOTP_DIGITS + 1];
    int64_t last = 0;
    assert_int_equal(totp_code(a, 1700000000, code), 0);
    assert_int_equal(totp_verify(a, code, 1700000000, &last), 0);
}

static void test_totp_uri(void **state)
{
    char uri[512];
    assert_int_equal(totp_uri(RFC_SECRET, "Stadt Müllheim", "anna.schmidt@example.org", uri, sizeof(uri)), 0);
    static const char want[] = "otpauth://totp/Stadt%20M%C3%BCllheim:anna.schmidt%40example.org"
                               "?secret=" RFC_SECRET "&issuer=Stadt%20M%C3%BCllheim&algorithm=SHA1&digits=6&period=30";
    assert_string_equal(uri, want);
    /* Exactly enough room, and one byte less. */
    char small[sizeof(want)];
    assert_int_equal(totp_uri(RFC_SECRET, "Stadt Müllheim", "anna.schmidt@example.org", small, sizeof(small)), 0);
    assert_string_equal(small, want);
    assert_int_equal(totp_uri(RFC_SECRET, "Stadt Müllheim", "anna.schmidt@example.org", small, sizeof(small) - 1),
                     TOTP_ETOOBIG);
    assert_string_equal(small, "");
    /* Reserved characters are encoded; a ':' cannot be, it is the label separator. */
    assert_int_equal(totp_uri(RFC_SECRET, "A&B=C?/#", "x+y", uri, sizeof(uri)), 0);
    assert_non_null(strstr(uri, "totp/A%26B%3DC%3F%2F%23:x%2By?"));
    assert_int_equal(totp_uri(RFC_SECRET, "Stadt:Amt", "anna", uri, sizeof(uri)), TOTP_EINVAL);
    assert_int_equal(totp_uri(RFC_SECRET, "Stadt", "a:b", uri, sizeof(uri)), TOTP_EINVAL);
    assert_int_equal(totp_uri("not base32!", "Stadt", "anna", uri, sizeof(uri)), TOTP_EINVAL);
    assert_int_equal(totp_uri(RFC_SECRET, "", "anna", uri, sizeof(uri)), TOTP_EINVAL);
}

/* ---- QR code SVG --------------------------------------------------------- */

/* Reads the SVG back: checks the frame and fills grid (size x size, viewBox units)
 * from the path, failing the test on anything but "M<x> <y>h<n>v1h-<n>z" runs,
 * overlapping runs or runs that should have been merged. Returns the side. */
static int svg_to_grid(const char *svg, unsigned char *grid, int grid_max)
{
    int size = 0;
    assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 53), 0);
    assert_int_equal(sscanf(svg + 53, "%d", &size), 1);
    assert_in_range(size, 21 + 8, grid_max);
    assert_non_null(strstr(svg, " role=\"img\""));
    assert_non_null(strstr(svg, " aria-label=\"QR-Code\""));
    assert_non_null(strstr(svg, " shape-rendering=\"crispEdges\""));
    assert_null(strstr(svg, "style="));
    char rect[80];
    snprintf(rect, sizeof(rect), "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", size, size);
    assert_non_null(strstr(svg, rect));
    const char *d = strstr(svg, "<path fill=\"#000\" d=\"");
    assert_non_null(d);
    d += strlen("<path fill=\"#000\" d=\"");
    assert_null(strstr(d, "<path")); /* one path */
    const char *end = strchr(d, '"');
    assert_non_null(end);
    assert_string_equal(end, "\"/></svg>");
    assert_int_equal(strspn(d, "Mhvz0123456789 -"), (size_t)(end - d));
    memset(grid, 0, (size_t)size * (size_t)size);
    while (d < end) {
        int x, y, n, n2, used = 0;
        assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used), 4);
        assert_true(used > 0);
        assert_int_equal(n, n2);
        assert_true(n >= 1 && x >= 0 && y >= 0 && x + n <= size && y < size);
        /* Maximal runs: the modules left and right of a run are light. */
        if (x > 0)
            assert_int_equal(grid[y * size + x - 1], 0);
        for (int i = 0; i < n; i++) {
            assert_int_equal(grid[y * size + x + i], 0); /* no overlap */
            grid[y * size + x + i] = 1;
        }
        d += used;
        /* The next run in the same row may not start right after this one. */
        int nx, ny;
        if (d < end && sscanf(d, "M%d %d", &nx, &ny) == 2 && ny == y)
            assert_true(nx > x + n);
    }
    return size;
}

static void check_qr_matches(const char *text)
{
    buf_t b;
    buf_init(&b, NULL, 0, 64 * 1024);
    assert_int_equal(qr_svg(text, &b), 0);
    static unsigned char grid[200 * 200];
    int size = svg_to_grid(buf_cstr(&b), grid, 200);
    /* libqrencode's own matrix for the same input and settings. */
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    assert_int_equal(size, qr->width + 2 * QR_SVG_QUIET);
    for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
            int inside = x >= QR_SVG_QUIET && y >= QR_SVG_QUIET && x < size - QR_SVG_QUIET && y < size - QR_SVG_QUIET;
            int dark = inside ? (qr->data[(y - QR_SVG_QUIET) * qr->width + (x - QR_SVG_QUIET)] & 1) : 0;
            assert_int_equal(grid[y * size + x], dark);
        }
    }
    QRcode_free(qr);
    buf_free(&b);
}

static void test_qr_svg_matches_matrix(void **state)
{
    /* "HELLO" fits version 1: 21 modules, 29 with the quiet zone. */
    buf_t b;
    buf_init(&b, NULL, 0, 64 * 1024);
    assert_int_equal(qr_svg("HELLO", &b), 0);
    assert_non_null(strstr(buf_cstr(&b), "viewBox=\"0 0 29 29\""));
    /* The finder pattern's top row: 7 dark modules at the quiet zone's corner. */
    assert_non_null(strstr(buf_cstr(&b), "d=\"M4 4h7v1h-7z"));
    buf_free(&b);
    check_qr_matches("HELLO");
    check_qr_matches("otpauth://totp/Stadt%20M%C3%BCllheim:anna.schmidt%40example.org?secret=" RFC_SECRET
                     "&issuer=Stadt%20M%C3%BCllheim&algorithm=SHA1&digits=6&period=30");
    check_qr_matches("Grüße aus dem Rathaus");
}

static void test_qr_svg_limits(void **state)
{
    buf_t b;
    buf_init(&b, NULL, 0, 1024 * 1024);
    assert_int_equal(qr_svg("", &b), -1);
    char *max = repeat("a", QR_SVG_MAX_TEXT);
    char *over = repeat("a", QR_SVG_MAX_TEXT + 1);
    assert_int_equal(qr_svg(over, &b), -1);
    assert_int_equal(b.len, 0);
    assert_int_equal(qr_svg(max, &b), 0);
    assert_true(b.len > 1000);
    free(max);
    free(over);
    buf_free(&b);
    /* A buffer too small for the SVG. */
    buf_init(&b, NULL, 0, 300);
    assert_int_equal(qr_svg("HELLO", &b), BUF_ETOOBIG);
    buf_free(&b);
}

/* ---- recovery codes ------------------------------------------------------ */

static void test_recovery_codes_new(void **state)
{
    char codes[RECOVERY_CODES][RECOVERY_CODE_LEN];
    char hashes[RECOVERY_CODES][RECOVERY_HASH_HEX];
    assert_int_equal(recovery_codes_new(codes, hashes), 0);
    for (int i = 0; i < RECOVERY_CODES; i++) {
        assert_int_equal(strlen(codes[i]), 11);
        assert_int_equal(codes[i][5], '-');
        assert_int_equal(strspn(codes[i], "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"), 5);
        assert_int_equal(strspn(codes[i] + 6, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"), 5);
        assert_int_equal(strlen(hashes[i]), 64);
        assert_int_equal(strspn(hashes[i], "0123456789abcdef"), 64);
        /* The stored hash is that of the code as the user will type it. */
        char norm[RECOVERY_CODE_LEN];
        char hash[RECOVERY_HASH_HEX];
        assert_int_equal(recovery_normalise(codes[i], norm), 0);
        recovery_hash(norm, hash);
        assert_string_equal(hash, hashes[i]);
        for (int k = 0; k < i; k++) {
            assert_string_not_equal(codes[k], codes[i]);
            assert_string_not_equal(hashes[k], hashes[i]);
        }
    }
    /* A second set shares nothing with the first. */
    char codes2[RECOVERY_CODES][RECOVERY_CODE_LEN];
    char hashes2[RECOVERY_CODES][RECOVERY_HASH_HEX];
    assert_int_equal(recovery_codes_new(codes2, hashes2), 0);
    for (int i = 0; i < RECOVERY_CODES; i++)
        for (int k = 0; k < RECOVERY_CODES; k++)
            assert_string_not_equal(codes[i], codes2[k]);
}

static void test_recovery_normalise(void **state)
{
    static const char *const same[] = {"abcde fghjk",         "ABCDE-FGHJK", " abcde-FGHJK ",
                                       "a-b-c-d-e-f-g-h-j-k", "ABCDEFGHJK",  "\tAbCdE--fGhJk"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        char out[RECOVERY_CODE_LEN];
        assert_int_equal(recovery_normalise(same[i], out), 0);
        assert_string_equal(out, "ABCDEFGHJK");
    }
    static const char *const refused[] = {
        "ABCDE-FGHJI",  /* I */
        "ABCDE-FGHJ0",  /* zero */
        "ABCDE-FGHJO",  /* O */
        "ABCDE-FGHJ1",  /* one */
        "ABCDE-FGHJ",   /* 9 characters */
        "ABCDE-FGHJKM", /* 11 characters */
        "ÄBCDE-FGHJK",  /* not ASCII */
        "ABCDE_FGHJK",  /* only spaces and dashes are dropped */
        "",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char out[RECOVERY_CODE_LEN] = "unchanged";
        assert_int_equal(recovery_normalise(refused[i], out), -1);
        assert_string_equal(out, "");
    }
    /* RECOVERY_MAX_INPUT bytes are read; one more is refused. */
    char *s = repeat(" ", RECOVERY_MAX_INPUT);
    memcpy(s, "ABCDE-FGHJK", 11);
    char out[RECOVERY_CODE_LEN];
    assert_int_equal(recovery_normalise(s, out), 0);
    free(s);
    s = repeat(" ", RECOVERY_MAX_INPUT + 1);
    memcpy(s, "ABCDE-FGHJK", 11);
    assert_int_equal(recovery_normalise(s, out), -1);
    free(s);
}

static void test_recovery_hash_stable(void **state)
{
    char hash[RECOVERY_HASH_HEX];
    recovery_hash("ABCDEFGHJK", hash);
    /* python3 -c "import hashlib; print(hashlib.blake2b(b'ABCDEFGHJK', digest_size=32).hexdigest())" */
    assert_string_equal(hash, "68ae44ad407dfcc15a3739d07365429d3b8864e2cf70c1c3c0a72a1d25622e4d");
    char again[RECOVERY_HASH_HEX];
    recovery_hash("ABCDEFGHJK", again);
    assert_string_equal(hash, again);
    recovery_hash("ABCDEFGHJL", again);
    assert_string_not_equal(hash, again);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_verify_round_trip),
        cmocka_unit_test(test_hash_carries_parameters),
        cmocka_unit_test(test_rehash_for_old_parameters),
        cmocka_unit_test(test_hash_limits_and_malformed),
        cmocka_unit_test(test_hash_parallel),
        cmocka_unit_test(test_policy_counts_code_points),
        cmocka_unit_test(test_policy_too_long),
        cmocka_unit_test(test_policy_invalid_utf8),
        cmocka_unit_test(test_policy_common_passwords),
        cmocka_unit_test(test_policy_email_local_part),
        cmocka_unit_test(test_list_loader),
        cmocka_unit_test(test_totp_rfc6238_vectors),
        cmocka_unit_test(test_totp_window),
        cmocka_unit_test(test_totp_replay),
        cmocka_unit_test(test_totp_input_forms),
        cmocka_unit_test(test_totp_secret_new),
        cmocka_unit_test(test_totp_uri),
        cmocka_unit_test(test_qr_svg_matches_matrix),
        cmocka_unit_test(test_qr_svg_limits),
        cmocka_unit_test(test_recovery_codes_new),
        cmocka_unit_test(test_recovery_normalise),
        cmocka_unit_test(test_recovery_hash_stable),
    };
    return cmocka_run_group_tests(tests, load_common_list, free_common_list);
}
