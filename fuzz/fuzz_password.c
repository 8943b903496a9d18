/* fuzz_password.c — libFuzzer target for the account module's input checks:
 * password_check, the common-password list loader, recovery_normalise,
 * totp_verify and totp_uri, each fed the same arbitrary bytes (as a C string).
 *
 * Beyond "no crash", each result is checked against what the contract promises:
 * a password that passes really has 12..256 code points of valid UTF-8 and is not
 * on the list; a normalised recovery code has 10 characters of the alphabet and
 * normalises to itself; an accepted TOTP code is one of the window's codes and
 * cannot be used twice; every line of a list that loaded is found again; a
 * provisioning URI holds only unreserved characters and its own delimiters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/account/password.h"
#include "modules/account/recovery.h"
#include "modules/account/totp.h"

#define SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" /* RFC 6238's SHA1 seed */
#define NOW 1111111109                            /* RFC 6238 test time: code 081804 */

static const char fixed_list[] = "password\nqwerty123456\nGeheimGeheim12\n";

static void load_fixed_list(void)
{
    if (password_list_load_text(fixed_list, sizeof(fixed_list) - 1, "fixed", NULL, 0) != 0)
        abort();
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void check_password(const char *s)
{
    const char *reason = "unset";
    size_t n = strlen(s);
    int rc = password_check(s, NULL, &reason);
    if ((rc == 0) != (reason == NULL))
        abort();
    if (rc == 0) {
        if (n > PASSWORD_MAX_BYTES || !utf8_valid(s, n))
            abort();
        size_t chars = utf8_length(s, n);
        if (chars < PASSWORD_MIN_CHARS || chars > PASSWORD_MAX_CHARS || password_list_contains(s))
            abort();
    } else if (rc != PASSWORD_ETOOSHORT && rc != PASSWORD_ETOOLONG && rc != PASSWORD_EENCODING &&
               rc != PASSWORD_ECOMMON) {
        abort(); /* no e-mail given, so never PASSWORD_EEMAIL */
    }
    /* With an e-mail address: a password that passes does not contain its local part. */
    if (password_check(s, "fuzz.user@example.org", NULL) == 0) {
        char *copy = strdup(s);
        if (!copy)
            return;
        for (char *p = copy; *p; p++)
            *p = lower(*p);
        if (strstr(copy, "fuzz.user"))
            abort();
        free(copy);
    }
    /* The input as the e-mail address: anything may happen but a crash. */
    (void)password_check("EinLangesPasswort!", s, &reason);
}

static void check_list_loader(const uint8_t *data, size_t size, const char *s)
{
    if (password_list_load_text((const char *)data, size, "fuzz", NULL, 0) == 0) {
        /* Every non-empty line of the first few must be found (lines that hold a
         * NUL cannot have loaded). */
        size_t lines = 0;
        const char *p = s;
        while (*p && lines < 32) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            if (len > 0 && p[len - 1] == '\r')
                len--;
            if (len > 0) {
                char *line = strndup(p, len);
                if (!line)
                    break;
                if (!password_list_contains(line))
                    abort();
                free(line);
            }
            lines++;
            if (!nl)
                break;
            p = nl + 1;
        }
        if (password_list_loaded_count() > size)
            abort();
    }
    load_fixed_list();
}

static void check_recovery(const char *s)
{
    char out[RECOVERY_CODE_LEN];
    char again[RECOVERY_CODE_LEN];
    char hash[RECOVERY_HASH_HEX];
    if (recovery_normalise(s, out) != 0) {
        if (out[0] != '\0')
            abort();
        return;
    }
    if (strlen(out) != RECOVERY_CODE_CHARS || strspn(out, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ") != RECOVERY_CODE_CHARS)
        abort();
    if (recovery_normalise(out, again) != 0 || strcmp(out, again) != 0)
        abort();
    recovery_hash(out, hash);
    if (strlen(hash) != 64)
        abort();
}

static void check_totp(const uint8_t *data, size_t size, const char *s)
{
    int64_t last = 0;
    int rc = totp_verify(SECRET, s, NOW, &last);
    if (rc == 0) {
        /* The digits typed are one of the three codes of the window... */
        char digits[TOTP_DIGITS + 1];
        size_t k = 0;
        for (const char *p = s; *p; p++)
            if (*p != ' ' && *p != '\t' && k < TOTP_DIGITS)
                digits[k++] = *p;
        digits[k] = '\0';
        int found = 0;
        for (int d = -1; d <= 1; d++) {
            char code[TOTP_DIGITS + 1];
            if (totp_code(SECRET, NOW + d * TOTP_STEP, code) != 0)
                abort();
            if (strcmp(code, digits) == 0 && last == NOW / TOTP_STEP + d)
                found = 1;
        }
        if (!found)
            abort();
        /* ...and refused the second time. */
        if (totp_verify(SECRET, s, NOW, &last) != TOTP_EREPLAY)
            abort();
    } else if (rc != TOTP_EWRONG || last != 0) {
        abort();
    }
    /* The time taken from the input: out-of-range times are refused, not used. */
    if (size >= sizeof(int64_t)) {
        int64_t now;
        memcpy(&now, data, sizeof(now));
        last = 0;
        rc = totp_verify(SECRET, "081804", now, &last);
        if ((now < 0 || now > TOTP_MAX_TIME) && rc != TOTP_EINVAL)
            abort();
        if (rc == 0 && (last < now / TOTP_STEP - 1 || last > now / TOTP_STEP + 1))
            abort();
    }
    /* The input as a secret: only well-formed secrets are used. */
    last = 0;
    rc = totp_verify(s, "081804", NOW, &last);
    if (rc != 0 && rc != TOTP_EWRONG && rc != TOTP_EINVAL)
        abort();
}

static void check_uri(const char *s)
{
    char uri[4096];
    if (totp_uri(SECRET, "Stadt Müllheim", s, uri, sizeof(uri)) != 0)
        return;
    static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%:/?=&";
    if (strspn(uri, allowed) != strlen(uri))
        abort();
    /* One ':' after "otpauth:" (the label's separator): the input cannot add one. */
    const char *label = uri + strlen("otpauth://totp/");
    const char *colon = strchr(label, ':');
    if (!colon || strchr(colon + 1, ':'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int list_ready;
    if (!list_ready) {
        load_fixed_list();
        list_ready = 1;
    }
    char *s = malloc(size + 1); /* the input as a C string: it ends at its first NUL */
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_password(s);
    check_list_loader(data, size, s);
    check_recovery(s);
    check_totp(data, size, s);
    check_uri(s);
    free(s);
    return 0;
}
