/* recovery.c — recovery codes (see recovery.h).
 *
 * Why a fast hash is enough here: a code is 10 characters from 32, so 50 random
 * bits, not a password a person chose, and online guessing is limited by the
 * login throttle. Slow hashing protects weak secrets against someone who has
 * stolen the database; that someone also holds the TOTP secret the recovery code
 * stands in for, so a slow hash would protect nothing while costing every login
 * attempt up to ten argon2id runs (one per stored code). BLAKE2b without a key
 * keeps the codes out of the database in readable form, which is what matters.
 */
#include "modules/account/recovery.h"

#include <string.h>

#include <sodium.h>

/* 32 symbols, so one random byte & 31 picks one without bias. */
static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
_Static_assert(sizeof(alphabet) - 1 == 32, "the alphabet must have 32 symbols");
_Static_assert(RECOVERY_CODE_LEN >= RECOVERY_CODE_CHARS + 2, "room for the dash and the NUL");

static int in_alphabet(char c)
{
    return c != '\0' && strchr(alphabet, c) != NULL;
}

void recovery_hash(const char *normalised, char out[RECOVERY_HASH_HEX])
{
    unsigned char digest[32]; /* BLAKE2b-256 */
    crypto_generichash(digest, sizeof(digest), (const unsigned char *)normalised,
                       strnlen(normalised, RECOVERY_CODE_LEN), NULL, 0);
    sodium_bin2hex(out, RECOVERY_HASH_HEX, digest, sizeof(digest));
}

int recovery_normalise(const char *entered, char out[RECOVERY_CODE_LEN])
{
    size_t n = strnlen(entered, RECOVERY_MAX_INPUT + 1);
    size_t count = 0; /* characters of the code kept so far */
    out[0] = '\0';
    if (n > RECOVERY_MAX_INPUT)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = entered[i];
        if (c == ' ' || c == '\t' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!in_alphabet(c) || count == RECOVERY_CODE_CHARS) {
            sodium_memzero(out, RECOVERY_CODE_LEN);
            return -1;
        }
        out[count++] = c;
    }
    if (count != RECOVERY_CODE_CHARS) {
        sodium_memzero(out, RECOVERY_CODE_LEN);
        return -1;
    }
    out[count] = '\0';
    return 0;
}

/* A new random code, normalised (RECOVERY_CODE_CHARS characters and NUL). */
static void code_new(char out[RECOVERY_CODE_CHARS + 1])
{
    unsigned char rnd[RECOVERY_CODE_CHARS];
    randombytes_buf(rnd, sizeof(rnd));
    for (size_t i = 0; i < RECOVERY_CODE_CHARS; i++)
        out[i] = alphabet[rnd[i] & 31];
    out[RECOVERY_CODE_CHARS] = '\0';
    sodium_memzero(rnd, sizeof(rnd));
}

int recovery_codes_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], char hashes[RECOVERY_CODES][RECOVERY_HASH_HEX])
{
    char plain[RECOVERY_CODES][RECOVERY_CODE_CHARS + 1]; /* the normalised codes: secrets */
    for (size_t i = 0; i < RECOVERY_CODES; i++) {
        int unique;
        /* Two equal codes in a set (chance about 4e-14) would leave the user one
         * code short without knowing it; draw again. */
        do {
            code_new(plain[i]);
            unique = 1;
            for (size_t k = 0; k < i; k++)
                if (strcmp(plain[k], plain[i]) == 0)
                    unique = 0;
        } while (!unique);
        recovery_hash(plain[i], hashes[i]);
        size_t half = RECOVERY_CODE_CHARS / 2;
        memcpy(codes[i], plain[i], half);
        codes[i][half] = '-';
        memcpy(codes[i] + half + 1, plain[i] + half, RECOVERY_CODE_CHARS - half);
        codes[i][RECOVERY_CODE_CHARS + 1] = '\0';
    }
    sodium_memzero(plain, sizeof(plain));
    return 0;
}
