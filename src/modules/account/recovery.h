/* recovery.h — one-time recovery codes, for signing in when the phone with the
 * authenticator app is lost.
 *
 * A user gets RECOVERY_CODES codes at once, shown grouped as "XXXXX-XXXXX" from an
 * alphabet without look-alikes (no 0, O, 1, I, and since codes are upper case, no
 * l either). Only a hash of each code is stored; a used code's hash is deleted.
 * What the user types is normalised first (case, spaces and dashes ignored).
 */
#ifndef RATHAUS_MODULES_ACCOUNT_RECOVERY_H
#define RATHAUS_MODULES_ACCOUNT_RECOVERY_H

#define RECOVERY_CODES 10      /* codes per set */
#define RECOVERY_CODE_CHARS 10 /* characters of a code, without the dash */
#define RECOVERY_CODE_LEN 12   /* bytes of the grouped form "XXXXX-XXXXX" with NUL (the normalised form fits) */
#define RECOVERY_HASH_HEX 65   /* bytes of a stored hash: 64 hex digits and NUL */
#define RECOVERY_MAX_INPUT 64  /* bytes of an entered code, spaces and dashes included */

/* Makes a new set: codes[i] is the grouped form to show once ("ABCDE-FGHJK"),
 * hashes[i] the value to store (recovery_hash of the normalised code). The codes
 * are distinct. Returns 0. The caller wipes codes after showing them. */
int recovery_codes_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], char hashes[RECOVERY_CODES][RECOVERY_HASH_HEX]);

/* Normalises an entered code: ASCII letters upper-cased, spaces, tabs and dashes
 * dropped. Writes the RECOVERY_CODE_CHARS characters and NUL to out and returns 0,
 * or returns -1 (out holds "") when the rest is not exactly RECOVERY_CODE_CHARS
 * characters of the alphabet or entered is longer than RECOVERY_MAX_INPUT bytes. */
int recovery_normalise(const char *entered, char out[RECOVERY_CODE_LEN]);

/* Writes the stored form of a normalised code: BLAKE2b-256 of it, as 64 lower-case
 * hex digits and NUL. */
void recovery_hash(const char *normalised, char out[RECOVERY_HASH_HEX]);

#endif
