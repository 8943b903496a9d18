/* totp.c — RFC 6238 one-time passwords on top of liboath (see totp.h).
 *
 * Verification does not use oath_totp_validate: that stops at the first step in
 * the window whose code matches, and we need to know every step that matches to
 * tell a replay from a fresh code. So the (at most three) codes of the window are
 * generated and compared here, in constant time, and all of them are always
 * computed so the timing does not tell which step matched.
 *
 * The decoded secret and the generated codes are wiped before returning;
 * liboath's base32 decoder returns heap memory, which is wiped before free.
 */
#include "modules/account/totp.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#define TOTP_MIN_SECRET_B32 26 /* 128 bits, RFC 4226 §4 requirement R6 */

_Static_assert(TOTP_SECRET_B32_MAX == (TOTP_SECRET_BYTES * 8 + 4) / 5 + 1, "base32 size of a secret");

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_status = OATH_CRYPTO_ERROR; /* result of oath_init, set once */

static void oath_start(void)
{
    oath_status = oath_init();
}

static int oath_ready(void)
{
    pthread_once(&oath_once, oath_start);
    return oath_status == OATH_OK;
}

static int is_base32_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
}

/* Whether s is a secret we accept: upper-case base32 without padding, of a length
 * between TOTP_MIN_SECRET_B32 and TOTP_MAX_SECRET_B32. */
static int secret_valid(const char *s)
{
    size_t n = strnlen(s, TOTP_MAX_SECRET_B32 + 1);
    if (n < TOTP_MIN_SECRET_B32 || n > TOTP_MAX_SECRET_B32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_base32_char(s[i]))
            return 0;
    return 1;
}

/* Decodes secret_b32 into key (TOTP_MAX_SECRET_B32 * 5 / 8 bytes); sets *key_len.
 * Returns 0, TOTP_EINVAL or TOTP_ERROR. The caller wipes key. */
static int secret_decode(const char *secret_b32, char key[TOTP_MAX_SECRET_B32 * 5 / 8], size_t *key_len)
{
    if (!secret_valid(secret_b32))
        return TOTP_EINVAL;
    if (!oath_ready())
        return TOTP_ERROR;
    char *decoded = NULL; /* malloc'd by liboath */
    size_t len = 0;
    int rc = oath_base32_decode(secret_b32, strlen(secret_b32), &decoded, &len);
    if (rc != OATH_OK || len == 0 || len > TOTP_MAX_SECRET_B32 * 5 / 8) {
        rc = rc == OATH_MALLOC_ERROR ? TOTP_ERROR : TOTP_EINVAL;
        goto out;
    }
    memcpy(key, decoded, len);
    *key_len = len;
    rc = 0;
out:
    if (decoded) {
        sodium_memzero(decoded, len);
        free(decoded);
    }
    return rc;
}

/* The code of time step `step` (>= 0) into out. Returns 0 or TOTP_ERROR. */
static int code_at_step(const char *key, size_t key_len, int64_t step, char out[TOTP_DIGITS + 1])
{
    int rc = oath_totp_generate(key, key_len, (time_t)(step * TOTP_STEP), TOTP_STEP, 0, TOTP_DIGITS, out);
    return rc == OATH_OK ? 0 : TOTP_ERROR;
}

int totp_secret_new(char out_base32[TOTP_SECRET_B32_MAX])
{
    unsigned char key[TOTP_SECRET_BYTES]; /* the new secret */
    char *encoded = NULL;                 /* malloc'd by liboath */
    size_t len = 0;
    int rc = TOTP_ERROR;
    if (!oath_ready())
        goto out;
    randombytes_buf(key, sizeof(key));
    if (oath_base32_encode((const char *)key, sizeof(key), &encoded, &len) != OATH_OK)
        goto out;
    /* 20 bytes are 160 bits, exactly 32 base32 characters: no '=' padding. */
    if (len != TOTP_SECRET_B32_MAX - 1)
        goto out;
    memcpy(out_base32, encoded, len);
    out_base32[len] = '\0';
    rc = 0;
out:
    sodium_memzero(key, sizeof(key));
    if (encoded) {
        sodium_memzero(encoded, len);
        free(encoded);
    }
    return rc;
}

int totp_code(const char *secret_b32, int64_t now, char out[TOTP_DIGITS + 1])
{
    char key[TOTP_MAX_SECRET_B32 * 5 / 8]; /* the decoded secret */
    size_t key_len = 0;
    int rc = TOTP_EINVAL;
    if (now < 0 || now > TOTP_MAX_TIME)
        goto out;
    rc = secret_decode(secret_b32, key, &key_len);
    if (rc != 0)
        goto out;
    rc = code_at_step(key, key_len, now / TOTP_STEP, out);
out:
    sodium_memzero(key, sizeof(key));
    return rc;
}

/* Collects the digits of an entered code into digits, skipping spaces and tabs.
 * Returns 0 when there are exactly TOTP_DIGITS digits and nothing else. */
static int code_digits(const char *code, char digits[TOTP_DIGITS + 1])
{
    size_t n = strnlen(code, TOTP_MAX_CODE_INPUT + 1);
    if (n > TOTP_MAX_CODE_INPUT)
        return -1;
    size_t count = 0; /* digits seen */
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (c == ' ' || c == '\t')
            continue;
        if (c < '0' || c > '9' || count == TOTP_DIGITS)
            return -1;
        digits[count++] = c;
    }
    digits[count] = '\0';
    return count == TOTP_DIGITS ? 0 : -1;
}

int totp_verify(const char *secret_b32, const char *code, int64_t now, int64_t *last_used_step)
{
    char key[TOTP_MAX_SECRET_B32 * 5 / 8]; /* the decoded secret */
    size_t key_len = 0;
    char entered[TOTP_DIGITS + 1];  /* the digits typed */
    char expected[TOTP_DIGITS + 1]; /* the code of one step of the window */
    int64_t fresh_step = -1;        /* earliest matching step after *last_used_step */
    int replayed = 0;               /* a step at or before *last_used_step matched */
    int rc = TOTP_EINVAL;
    if (!secret_b32 || !code || !last_used_step || now < 0 || now > TOTP_MAX_TIME)
        goto out;
    rc = secret_decode(secret_b32, key, &key_len);
    if (rc != 0)
        goto out;
    if (code_digits(code, entered) != 0) {
        rc = TOTP_EWRONG;
        goto out;
    }
    int64_t step = now / TOTP_STEP;
    for (int64_t s = step - TOTP_WINDOW; s <= step + TOTP_WINDOW; s++) {
        if (s < 0)
            continue;
        rc = code_at_step(key, key_len, s, expected);
        if (rc != 0)
            goto out;
        if (sodium_memcmp(expected, entered, TOTP_DIGITS) != 0)
            continue;
        if (s <= *last_used_step)
            replayed = 1;
        else if (fresh_step < 0)
            fresh_step = s;
    }
    if (fresh_step >= 0) {
        *last_used_step = fresh_step;
        rc = 0;
    } else {
        rc = replayed ? TOTP_EREPLAY : TOTP_EWRONG;
    }
out:
    sodium_memzero(key, sizeof(key));
    sodium_memzero(entered, sizeof(entered));
    sodium_memzero(expected, sizeof(expected));
    return rc;
}

/* ---- provisioning URI ---------------------------------------------------- */

/* Appends to a fixed buffer; remembers when it ran out of room. */
typedef struct writer {
    char *out;
    size_t cap; /* bytes of out, NUL included */
    size_t len; /* bytes written, without the NUL */
    int full;   /* something did not fit */
} writer_t;

static void put(writer_t *w, const char *s, size_t n)
{
    if (w->full || n >= w->cap - w->len) {
        w->full = 1;
        return;
    }
    memcpy(w->out + w->len, s, n);
    w->len += n;
    w->out[w->len] = '\0';
}

static void put_str(writer_t *w, const char *s)
{
    put(w, s, strlen(s));
}

/* RFC 3986 unreserved characters pass; every other byte becomes %XX. */
static void put_encoded(writer_t *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '~';
        if (plain) {
            put(w, (const char *)p, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(w, esc, sizeof(esc));
        }
    }
}

int totp_uri(const char *secret, const char *issuer, const char *account, char *out, size_t n)
{
    if (!out || n == 0)
        return TOTP_ETOOBIG;
    out[0] = '\0';
    /* The label is "issuer:account"; a ':' inside either would make it ambiguous
     * (apps also accept %3A as the separator). */
    if (!secret || !issuer || !account || !secret_valid(secret) || !*issuer || !*account || strchr(issuer, ':') ||
        strchr(account, ':'))
        return TOTP_EINVAL;
    writer_t w = {.out = out, .cap = n};
    put_str(&w, "otpauth://totp/");
    put_encoded(&w, issuer);
    put_str(&w, ":");
    put_encoded(&w, account);
    put_str(&w, "?secret=");
    put_str(&w, secret); /* base32 characters need no encoding */
    put_str(&w, "&issuer=");
    put_encoded(&w, issuer);
    put_str(&w, "&algorithm=SHA1&digits=6&period=30");
    if (w.full) {
        out[0] = '\0';
        return TOTP_ETOOBIG;
    }
    return 0;
}
