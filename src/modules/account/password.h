/* password.h — password hashing (argon2id) and the password policy of user accounts.
 *
 * Hashing goes through libsodium's argon2id with the parameters below; the stored
 * string ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash") carries them, so hashes made
 * with older parameters still verify and password_needs_rehash says when to
 * re-hash one after a successful login.
 *
 * Parameters: t=2, m=64 MiB, p=1 (libsodium's INTERACTIVE). OWASP's 2023 floor for
 * argon2id is m=19 MiB, t=2; we take 64 MiB because memory is what makes GPU and
 * ASIC guessing expensive, and at 64 MiB x 2 passes an attacker pays about 2.2 times
 * what m=19 MiB, t=3 costs them, while a login still takes well under 100 ms.
 * Measured on the 2-core target (bench/account_bench.c, AMD EPYC): about 70 ms per
 * hash, about 27 logins/s on 2 cores; 8 logins arriving at once finish within
 * about 0.3 s. At most PASSWORD_MAX_PARALLEL hashes run at once (others wait), so a
 * burst of logins on 64 HTTP threads needs 4 x 64 MiB = 256 MiB, not 4 GiB.
 *
 * Policy (NIST SP 800-63B §5.1.1.2): length only, no composition rules. 12 to 256
 * characters counted as Unicode code points, at most 1024 bytes, valid UTF-8
 * without NUL, not on the list of common passwords, not containing the local part
 * of the user's e-mail address. Passwords are compared as entered (no Unicode
 * normalisation): what was typed at registration must be typed at login.
 *
 * libsodium must be initialised (sodium_init, done in main) before hashing.
 */
#ifndef RATHAUS_MODULES_ACCOUNT_PASSWORD_H
#define RATHAUS_MODULES_ACCOUNT_PASSWORD_H

#include <stddef.h>

/* Hash parameters (see above). */
#define PASSWORD_OPSLIMIT 2u                    /* argon2id passes (t) */
#define PASSWORD_MEMLIMIT (64u * 1024u * 1024u) /* bytes of memory per hash (m) */
#define PASSWORD_MAX_PARALLEL 4                 /* hashes computed at once; more wait */
#define PASSWORD_HASH_MAX 128                   /* bytes of a stored hash with its NUL (crypto_pwhash_STRBYTES) */

/* Limits (STYLE.md rule 5). */
#define PASSWORD_MIN_CHARS 12                     /* code points */
#define PASSWORD_MAX_CHARS 256                    /* code points */
#define PASSWORD_MAX_BYTES 1024                   /* bytes of UTF-8, without the NUL */
#define PASSWORD_EMAIL_MIN_LOCAL 4                /* shorter e-mail local parts are not checked */
#define PASSWORD_LIST_MAX_FILE (16 * 1024 * 1024) /* bytes of the common-password file */
#define PASSWORD_LIST_MAX_ENTRIES 1000000         /* lines of the common-password file */

/* Return codes: 0 means success. */
enum {
    PASSWORD_ETOOSHORT = -1, /* fewer than PASSWORD_MIN_CHARS code points */
    PASSWORD_ETOOLONG = -2,  /* more than PASSWORD_MAX_CHARS code points or PASSWORD_MAX_BYTES bytes */
    PASSWORD_EENCODING = -3, /* not valid UTF-8, or contains NUL */
    PASSWORD_ECOMMON = -4,   /* on the common-password list */
    PASSWORD_EEMAIL = -5,    /* contains the local part of the e-mail address */
    PASSWORD_EMISMATCH = -6, /* password_verify: wrong password (or not a hash we can read) */
    PASSWORD_ERROR = -7,     /* out of memory, unreadable list file, bad arguments */
};

/* Hashes password with argon2id into out (NUL-terminated, < PASSWORD_HASH_MAX bytes).
 * Does not apply the policy: call password_check first. Returns 0, or
 * PASSWORD_ETOOLONG for more than PASSWORD_MAX_BYTES bytes, or PASSWORD_ERROR
 * (out of memory). Blocks for about 70 ms; longer when PASSWORD_MAX_PARALLEL
 * hashes are already running. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/* Checks password against a stored hash (argon2id or argon2i, any parameters).
 * Returns 0 when it matches, PASSWORD_EMISMATCH otherwise (also for a malformed
 * hash or a password over PASSWORD_MAX_BYTES). Constant time in the password. */
int password_verify(const char *hash, const char *password);

/* Returns 1 when hash was made with other parameters or another algorithm than
 * the current ones (re-hash it after the next successful login), 0 when current. */
int password_needs_rehash(const char *hash);

/* Applies the policy to a new password. email_or_null is the user's address (its
 * local part must not occur in the password) or NULL. Returns 0, or one of
 * PASSWORD_ETOOSHORT, _ETOOLONG, _EENCODING, _ECOMMON, _EEMAIL with *reason set to
 * a German message for the form (a static msgid, to be passed through
 * i18n_translate). reason may be NULL. Without a loaded list the list check is
 * skipped: main loads it at start-up and refuses to start when that fails. */
int password_check(const char *password, const char *email_or_null, const char **reason);

/* Loads the common-password list (one password per line; empty lines skipped;
 * "\r\n" accepted; compared case-insensitively for ASCII) and replaces the list
 * in use. All or nothing: on error (< 0, "path:line: message" in err) the old list
 * stays. Call at start-up before worker threads run: lookups take no lock. */
int password_list_load(const char *path, char *err, size_t errlen);

/* Same from text[0..len) (for tests and fuzzing); name is used in messages. */
int password_list_load_text(const char *text, size_t len, const char *name, char *err, size_t errlen);

/* Returns 1 when password is on the loaded list (ASCII case ignored), else 0. */
int password_list_contains(const char *password);

/* Number of distinct entries in the loaded list (0 before loading). */
size_t password_list_loaded_count(void);

/* Frees the list; password_list_load may be called again afterwards. */
void password_list_free(void);

#endif
