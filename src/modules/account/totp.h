/* totp.h — time-based one-time passwords (RFC 6238) for two-factor login.
 *
 * The settings every authenticator app understands: HMAC-SHA1, 6 digits, 30-second
 * steps from the Unix epoch. A secret is 20 random bytes (RFC 4226 §4 asks for at
 * least 128 bits, 160 recommended), kept and shown in base32 without padding.
 *
 * A code is accepted for its own step and one step either side (phone clocks
 * drift, and typing takes time), and only once: the caller stores the step of
 * the last accepted code with the account and passes it back, and a code for that
 * step or an earlier one is refused, so a code seen over someone's shoulder cannot
 * be used again.
 *
 * HMAC and truncation come from liboath (initialised once, thread-safe).
 */
#ifndef RATHAUS_MODULES_ACCOUNT_TOTP_H
#define RATHAUS_MODULES_ACCOUNT_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20         /* random bytes of a new secret */
#define TOTP_SECRET_B32_MAX 33       /* base32 of TOTP_SECRET_BYTES (32 characters) and its NUL */
#define TOTP_DIGITS 6                /* digits of a code */
#define TOTP_STEP 30                 /* seconds per step */
#define TOTP_WINDOW 1                /* steps accepted before and after the current one */
#define TOTP_MAX_SECRET_B32 128      /* longest base32 secret accepted (64 bytes) */
#define TOTP_MAX_CODE_INPUT 64       /* bytes of an entered code, spaces included */
#define TOTP_MAX_TIME 253402300799LL /* 9999-12-31T23:59:59Z: later times are refused */

/* Return codes: 0 means success. */
enum {
    TOTP_EWRONG = -1,  /* not a code for the window (or not 6 digits) */
    TOTP_EREPLAY = -2, /* a code of a step already used: log it, it may be an attack */
    TOTP_EINVAL = -3,  /* malformed secret, time out of range, bad arguments */
    TOTP_ETOOBIG = -4, /* totp_uri: out too small */
    TOTP_ERROR = -5,   /* liboath failed (out of memory) */
};

/* Writes a new random secret as base32 (32 characters A-Z2-7, NUL-terminated) to
 * out_base32. Returns 0 or TOTP_ERROR. */
int totp_secret_new(char out_base32[TOTP_SECRET_B32_MAX]);

/* Checks an entered code (6 digits; spaces and tabs anywhere are ignored) against
 * secret_b32 at Unix time now. *last_used_step is the step of the last accepted
 * code (0 for none): codes of that step or earlier are refused; on success it is
 * set to the step of this code, which the caller must store before answering.
 * Returns 0, TOTP_EWRONG, TOTP_EREPLAY, TOTP_EINVAL or TOTP_ERROR. */
int totp_verify(const char *secret_b32, const char *code, int64_t now, int64_t *last_used_step);

/* Writes the code for Unix time now to out (6 digits and NUL). For tests and for
 * showing the first code while setting up. Returns 0, TOTP_EINVAL or TOTP_ERROR. */
int totp_code(const char *secret_b32, int64_t now, char out[TOTP_DIGITS + 1]);

/* Writes the provisioning URI for authenticator apps (Google's Key URI format):
 *   otpauth://totp/<issuer>:<account>?secret=<b32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
 * issuer and account are percent-encoded as UTF-8 (everything but A-Z a-z 0-9 - . _ ~),
 * and may not contain ':' (the label's separator). Returns 0, TOTP_EINVAL or
 * TOTP_ETOOBIG (out holds "" then). */
int totp_uri(const char *secret, const char *issuer, const char *account, char *out, size_t n);

#endif
