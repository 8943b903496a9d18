/* password.c — argon2id hashing, the password policy and the common-password list
 * (see password.h).
 *
 * The list is an open-addressing hash set over one blob holding every entry,
 * lower-cased and NUL-terminated. It is built aside and swapped in only when the
 * whole file was read, and never changes afterwards, so lookups need no lock.
 *
 * Copies of a password made here (lower-cased for the list and e-mail checks) live
 * in stack buffers and are wiped with sodium_memzero before returning.
 */
#include "modules/account/password.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/utf8.h"
#include "view/i18n.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "PASSWORD_HASH_MAX must match libsodium");
_Static_assert(PASSWORD_MEMLIMIT >= 19u * 1024u * 1024u, "below the OWASP minimum for argon2id");

/* ---- messages ------------------------------------------------------------ */

static const char msg_too_short[] = N_("Das Passwort muss mindestens 12 Zeichen lang sein.");
static const char msg_too_long[] = N_("Das Passwort ist zu lang (höchstens 256 Zeichen).");
static const char msg_encoding[] = N_("Das Passwort enthält ungültige Zeichen.");
static const char msg_common[] =
    N_("Dieses Passwort ist zu bekannt und leicht zu erraten. Bitte wählen Sie ein anderes.");
static const char msg_email[] = N_("Das Passwort darf nicht Ihre E-Mail-Adresse enthalten.");

/* ---- concurrency gate ---------------------------------------------------- */

/* Each argon2id computation holds PASSWORD_MEMLIMIT bytes. The HTTP server runs up
 * to 64 threads; without a gate a burst of logins could take 4 GiB. Past the
 * number of cores more parallel hashes bring no throughput, only memory. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_free = PTHREAD_COND_INITIALIZER;
static int gate_running; /* hashes being computed now */

static void gate_enter(void)
{
    pthread_mutex_lock(&gate_lock);
    while (gate_running >= PASSWORD_MAX_PARALLEL)
        pthread_cond_wait(&gate_free, &gate_lock);
    gate_running++;
    pthread_mutex_unlock(&gate_lock);
}

static void gate_leave(void)
{
    pthread_mutex_lock(&gate_lock);
    gate_running--;
    pthread_cond_signal(&gate_free);
    pthread_mutex_unlock(&gate_lock);
}

/* ---- hashing ------------------------------------------------------------- */

int password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
    size_t len = strnlen(password, PASSWORD_MAX_BYTES + 1);
    if (len > PASSWORD_MAX_BYTES)
        return PASSWORD_ETOOLONG;
    gate_enter();
    int rc =
        crypto_pwhash_str_alg(out, password, len, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13);
    gate_leave();
    return rc == 0 ? 0 : PASSWORD_ERROR;
}

int password_verify(const char *hash, const char *password)
{
    size_t len = strnlen(password, PASSWORD_MAX_BYTES + 1);
    if (len > PASSWORD_MAX_BYTES)
        return PASSWORD_EMISMATCH; /* nothing that long can have been hashed */
    /* libsodium reads the string up to its NUL; refuse one that has none where a
     * hash must have ended. */
    if (strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX)
        return PASSWORD_EMISMATCH;
    gate_enter();
    int rc = crypto_pwhash_str_verify(hash, password, len);
    gate_leave();
    return rc == 0 ? 0 : PASSWORD_EMISMATCH;
}

int password_needs_rehash(const char *hash)
{
    if (strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX)
        return 1;
    /* -1 means "not an argon2id string" (an argon2i hash, say): re-hash that too. */
    return crypto_pwhash_argon2id_str_needs_rehash(hash, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0;
}

/* ---- common-password list ------------------------------------------------ */

typedef struct slot {
    uint64_t hash;    /* of word */
    const char *word; /* into the blob; NULL for an empty slot */
} slot_t;

typedef struct wordset {
    char *blob;    /* every word, lower-cased, NUL-terminated */
    slot_t *slots; /* cap entries, at most half used */
    size_t cap;    /* a power of 2 (0 when nothing is loaded) */
    size_t count;  /* distinct words */
} wordset_t;

static wordset_t common_list; /* written only by password_list_load* and _free */

/* FNV-1a: the table is fixed after loading, so a caller cannot make it degrade
 * by choosing keys; short keys and no adversarial inserts need nothing stronger. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = ascii_lower(src[i]);
    dst[n] = '\0';
}

/* The slot holding word, or the empty slot where it would go. */
static slot_t *find_slot(const wordset_t *set, const char *word, uint64_t hash)
{
    size_t mask = set->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        slot_t *slot = &set->slots[i];
        if (!slot->word || (slot->hash == hash && strcmp(slot->word, word) == 0))
            return slot;
    }
}

static void wordset_free(wordset_t *set)
{
    free(set->blob);
    free(set->slots);
    memset(set, 0, sizeof(*set));
}

static int list_fail(char *err, size_t errlen, const char *name, size_t line, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s:%zu: %s", name, line, msg);
    return PASSWORD_ERROR;
}

int password_list_load_text(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    wordset_t set = {0};
    int rc = 0;
    if (len > PASSWORD_LIST_MAX_FILE) {
        rc = list_fail(err, errlen, name, 0, "file too large");
        goto out;
    }
    size_t lines = 1; /* upper bound on entries: one more than the newlines */
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    set.cap = 16;
    while (set.cap < 2 * lines)
        set.cap *= 2;
    set.blob = malloc(len + 1);
    set.slots = calloc(set.cap, sizeof(slot_t));
    if (!set.blob || !set.slots) {
        rc = list_fail(err, errlen, name, 0, "out of memory");
        goto out;
    }
    size_t pos = 0;       /* start of the current line in text */
    size_t lineno = 0;    /* for messages */
    char *dst = set.blob; /* where the next word goes */
    while (pos < len) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n > 0 && text[pos + n - 1] == '\r')
            n--;
        if (n > PASSWORD_MAX_BYTES) {
            rc = list_fail(err, errlen, name, lineno, "line longer than the longest password allowed");
            goto out;
        }
        if (memchr(text + pos, '\0', n)) {
            rc = list_fail(err, errlen, name, lineno, "NUL byte");
            goto out;
        }
        if (n > 0) {
            lower_copy(dst, text + pos, n);
            uint64_t hash = hash_bytes(dst, n);
            slot_t *slot = find_slot(&set, dst, hash);
            if (!slot->word) { /* duplicates ("password", "Password") are kept once */
                if (set.count >= PASSWORD_LIST_MAX_ENTRIES) {
                    rc = list_fail(err, errlen, name, lineno, "too many entries");
                    goto out;
                }
                *slot = (slot_t){.hash = hash, .word = dst};
                set.count++;
                dst += n + 1;
            }
        }
        pos = end + 1;
    }
    wordset_free(&common_list);
    common_list = set;
    set = (wordset_t){0};
out:
    wordset_free(&set);
    return rc;
}

static void load_fail(char *err, size_t errlen, const char *path, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, msg);
}

int password_list_load(const char *path, char *err, size_t errlen)
{
    int rc = PASSWORD_ERROR;
    char *text = NULL; /* the whole file */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        load_fail(err, errlen, path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        load_fail(err, errlen, path, "not a regular file");
        goto out;
    }
    if (st.st_size > PASSWORD_LIST_MAX_FILE) {
        load_fail(err, errlen, path, "file too large");
        goto out;
    }
    size_t size = (size_t)st.st_size;
    text = malloc(size + 1);
    if (!text) {
        load_fail(err, errlen, path, "out of memory");
        goto out;
    }
    size_t got = 0; /* bytes read so far */
    while (got < size) {
        ssize_t r = read(fd, text + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            load_fail(err, errlen, path, r < 0 ? strerror(errno) : "file shrank while reading");
            goto out;
        }
        got += (size_t)r;
    }
    rc = password_list_load_text(text, size, path, err, errlen);
out:
    if (fd >= 0)
        close(fd);
    free(text);
    return rc;
}

/* Looks up the already lower-cased lower[0..n). */
static int list_contains_lower(const char *lower, size_t n)
{
    if (common_list.count == 0)
        return 0;
    return find_slot(&common_list, lower, hash_bytes(lower, n))->word != NULL;
}

int password_list_contains(const char *password)
{
    char lower[PASSWORD_MAX_BYTES + 1]; /* the password, lower-cased: a secret */
    size_t n = strnlen(password, PASSWORD_MAX_BYTES + 1);
    if (n > PASSWORD_MAX_BYTES)
        return 0; /* no entry is that long (the loader refuses such lines) */
    lower_copy(lower, password, n);
    int found = list_contains_lower(lower, n);
    sodium_memzero(lower, sizeof(lower));
    return found;
}

size_t password_list_loaded_count(void)
{
    return common_list.count;
}

void password_list_free(void)
{
    wordset_free(&common_list);
}

/* ---- policy -------------------------------------------------------------- */

/* Whether lower[0..n) contains the e-mail's local part (ASCII case ignored) when
 * that part has at least PASSWORD_EMAIL_MIN_LOCAL characters. */
static int contains_email_local(const char *lower, size_t n, const char *email)
{
    const char *at = strrchr(email, '@'); /* the local part may itself contain a quoted '@' */
    size_t local_len = at ? (size_t)(at - email) : strlen(email);
    if (local_len > n) /* also bounds local_len by PASSWORD_MAX_BYTES */
        return 0;
    size_t chars = utf8_valid(email, local_len) ? utf8_length(email, local_len) : local_len;
    if (chars < PASSWORD_EMAIL_MIN_LOCAL)
        return 0;
    char local[PASSWORD_MAX_BYTES + 1]; /* lower-cased local part */
    lower_copy(local, email, local_len);
    return memmem(lower, n, local, local_len) != NULL;
}

int password_check(const char *password, const char *email_or_null, const char **reason)
{
    const char *why = NULL;             /* message for the failing rule */
    int rc = 0;                         /* 0 or the failing rule's code */
    char lower[PASSWORD_MAX_BYTES + 1]; /* the password, lower-cased: a secret */
    int lower_used = 0;                 /* lower holds a copy that must be wiped */
    size_t n = strnlen(password, PASSWORD_MAX_BYTES + 1);
    if (n > PASSWORD_MAX_BYTES) {
        rc = PASSWORD_ETOOLONG;
        why = msg_too_long;
        goto out;
    }
    if (!utf8_valid(password, n)) {
        rc = PASSWORD_EENCODING;
        why = msg_encoding;
        goto out;
    }
    size_t chars = utf8_length(password, n);
    if (chars < PASSWORD_MIN_CHARS) {
        rc = PASSWORD_ETOOSHORT;
        why = msg_too_short;
        goto out;
    }
    if (chars > PASSWORD_MAX_CHARS) {
        rc = PASSWORD_ETOOLONG;
        why = msg_too_long;
        goto out;
    }
    lower_copy(lower, password, n);
    lower_used = 1;
    if (list_contains_lower(lower, n)) {
        rc = PASSWORD_ECOMMON;
        why = msg_common;
        goto out;
    }
    if (email_or_null && contains_email_local(lower, n, email_or_null)) {
        rc = PASSWORD_EEMAIL;
        why = msg_email;
        goto out;
    }
out:
    if (lower_used)
        sodium_memzero(lower, sizeof(lower));
    if (reason)
        *reason = why;
    return rc;
}
