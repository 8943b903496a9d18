/* moderation_words.c — the word list: contributions that contain one of its
 * entries are held for review instead of being published (internal.h:
 * participation_held_by_words), and the staff page that edits it.
 *
 * Matching is on whole words after folding (moderation_fold): lower case, umlauts
 * spelt out (ä → ae, so "Ärger" and "Aerger" meet), accents dropped, soft
 * hyphens and zero-width characters removed (they would otherwise split a word
 * unseen), everything else a word boundary. An entry may be several words (they
 * must follow each other), and each word may end in '*' to take any ending
 * ("idiot*" holds "Idioten"). No stemming: a list of words to hold is better exact and explicit.
 *
 * Each thread keeps the folded list in memory with the version it was loaded at;
 * every change raises participation_words_version.version in the same
 * transaction, and every check reads that one row, so an edit applies at once on
 * every thread and node.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"
#include "platform/audit.h"
#include "view/i18n.h"
#include "web/auth.h"

/* ---- folding ------------------------------------------------------------------------ */

/* Latin-1 letters U+00C0..U+00FF folded to ASCII (ä, ö, ü, ß spelt out; × and ÷
 * are no letters: a space). */
static const char *const latin1_fold[64] = {
    "a", "a", "a", "a", "ae", "a", "ae", "c", "e",  "e", "e", "e", "i",  "i", "i",  "i",  /* C0 */
    "d", "n", "o", "o", "o",  "o", "oe", " ", "oe", "u", "u", "u", "ue", "y", "th", "ss", /* D0 */
    "a", "a", "a", "a", "ae", "a", "ae", "c", "e",  "e", "e", "e", "i",  "i", "i",  "i",  /* E0 */
    "d", "n", "o", "o", "o",  "o", "oe", " ", "oe", "u", "u", "u", "ue", "y", "th", "y",  /* F0 */
};

/* Decodes the code point at s[*i] of valid UTF-8 and advances *i. */
static uint32_t next_codepoint(const char *s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    uint32_t cp;
    size_t len;
    if (p[0] < 0x80) {
        cp = p[0];
        len = 1;
    } else if (p[0] < 0xE0) {
        cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        len = 2;
    } else if (p[0] < 0xF0) {
        cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        len = 3;
    } else {
        cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
             (p[3] & 0x3F);
        len = 4;
    }
    *i += len;
    return cp;
}

/* Characters that are dropped without a trace: soft hyphen, zero-width space,
 * joiners, word joiner, byte order mark. */
static int invisible(uint32_t cp)
{
    return cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

/* Non-ASCII characters that separate words: Latin-1 symbols, general and
 * supplemental punctuation, spaces, CJK punctuation, specials. */
static int separator(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) ||
           (cp >= 0x2E00 && cp <= 0x2E7F) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFFF0 && cp <= 0xFFFF);
}

int moderation_fold(const char *text, size_t n, int keep_star, buf_t *out)
{
    if (!utf8_valid(text, n))
        return -1;
    int pending_space = 0; /* a boundary seen since the last word character */
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        uint32_t cp = next_codepoint(text, &i);
        const char *piece = NULL;
        size_t piece_len = 0;
        char one;
        if (invisible(cp))
            continue;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (keep_star && cp == '*')) {
            one = (char)cp;
            piece = &one;
            piece_len = 1;
        } else if (cp >= 'A' && cp <= 'Z') {
            one = (char)(cp - 'A' + 'a');
            piece = &one;
            piece_len = 1;
        } else if (cp >= 0xC0 && cp <= 0xFF) {
            piece = latin1_fold[cp - 0xC0];
            piece_len = strlen(piece);
        } else if (cp == 0x1E9E) { /* capital sharp s */
            piece = "ss";
            piece_len = 2;
        } else if (cp >= 0x80 && !separator(cp)) {
            piece = text + at; /* another script's letter: kept as it is */
            piece_len = i - at;
        }
        if (!piece || (piece_len == 1 && piece[0] == ' ')) {
            pending_space = out->len > 0;
            continue;
        }
        if (pending_space && buf_putc(out, ' ') != 0)
            return -1;
        pending_space = 0;
        if (buf_append(out, piece, piece_len) != 0)
            return -1;
    }
    return out->overflow ? -1 : 0;
}

/* Length of the word starting at s (up to a space or the end). */
static size_t word_length(const char *s)
{
    const char *e = strchr(s, ' ');
    return e ? (size_t)(e - s) : strlen(s);
}

/* 1 when the words of entry match the words of text starting at t. */
static int match_at(const char *t, const char *entry)
{
    for (;;) {
        size_t ew = word_length(entry);
        size_t tw = word_length(t);
        int last = entry[ew] == '\0';
        if (ew > 1 && entry[ew - 1] == '*') {
            /* Prefix: the word of the text starts with the entry's word. */
            if (tw < ew - 1 || memcmp(t, entry, ew - 1) != 0)
                return 0;
        } else if (tw != ew || memcmp(t, entry, ew) != 0) {
            return 0;
        }
        if (last)
            return 1;
        if (t[tw] == '\0')
            return 0; /* the text ends before the entry does */
        t += tw + 1;
        entry += ew + 1;
    }
}

int moderation_words_match(const char *folded_text, const char *folded_entry)
{
    if (!folded_entry || !*folded_entry || !strcmp(folded_entry, "*"))
        return 0;
    for (const char *t = folded_text; *t;) {
        if (*t == folded_entry[0] && match_at(t, folded_entry))
            return 1;
        const char *space = strchr(t, ' ');
        if (!space)
            break;
        t = space + 1;
    }
    return 0;
}

/* ---- the per-thread cache --------------------------------------------------------------- */

typedef struct word_cache {
    const db_t *db;  /* the connection it was loaded from (one per thread) */
    int64_t version; /* participation_words_version.version at loading */
    char **entries;  /* folded entries, malloc'd */
    size_t count;
} word_cache_t;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    word_cache_t *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++)
        free(c->entries[i]);
    free(c->entries);
    free(c);
}

static void cache_key_create(void)
{
    (void)pthread_key_create(&cache_key, cache_free);
}

static const char sql_version[] = "SELECT version FROM participation_words_version WHERE id = 1";
static const char sql_entries[] = "SELECT term FROM participation_words ORDER BY id LIMIT 2000";

/* The thread's list, reloaded when its version is not the database's. NULL on
 * a database error or when memory runs out. */
static const word_cache_t *words_current(db_t *db)
{
    if (pthread_once(&cache_once, cache_key_create) != 0)
        return NULL;
    int64_t version = 0;
    if (db_query_int64(db, sql_version, &version) < 0)
        return NULL;
    word_cache_t *c = pthread_getspecific(cache_key);
    if (c && c->db == db && c->version == version)
        return c;

    word_cache_t *fresh = calloc(1, sizeof(*fresh));
    if (!fresh)
        return NULL;
    fresh->db = db;
    fresh->version = version;
    db_stmt_t *st;
    if (db_prepare(db, sql_entries, &st) != 0) {
        cache_free(fresh);
        return NULL;
    }
    size_t cap = 0;
    int rc;
    int failed = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *term = db_column_text(st, 0);
        if (!term || !*term)
            continue;
        if (fresh->count == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **grown = realloc(fresh->entries, ncap * sizeof(*grown));
            if (!grown) {
                failed = 1;
                break;
            }
            fresh->entries = grown;
            cap = ncap;
        }
        char *copy = strdup(term);
        if (!copy) {
            failed = 1;
            break;
        }
        fresh->entries[fresh->count++] = copy;
    }
    db_reset(st);
    if (failed || rc < 0) {
        cache_free(fresh);
        return NULL;
    }
    if (pthread_setspecific(cache_key, fresh) != 0) {
        cache_free(fresh);
        return NULL;
    }
    cache_free(c);
    return fresh;
}

int participation_held_by_words(db_t *db, const char *text)
{
    if (!text)
        return 0;
    const word_cache_t *c = words_current(db);
    if (!c)
        return -1;
    if (c->count == 0)
        return 0;
    size_t n = strlen(text);
    buf_t folded;
    /* Folding never makes a character longer than two bytes per input byte. */
    buf_init(&folded, NULL, n + 1, n * 2 + 16);
    int held = -1;
    if (moderation_fold(text, n, 0, &folded) == 0) {
        held = 0;
        const char *t = buf_cstr(&folded);
        for (size_t i = 0; i < c->count && !held; i++)
            held = moderation_words_match(t, c->entries[i]);
    } else if (!utf8_valid(text, n)) {
        held = 1; /* not text we can read: a person should look at it */
    }
    buf_free(&folded);
    return held;
}

/* ---- the staff page ------------------------------------------------------------------------ */

static const char sql_list[] = "SELECT id, term FROM participation_words ORDER BY term LIMIT 2000";
static const char sql_insert[] =
    "INSERT INTO participation_words (term, created_by, created_at) VALUES ($1, $2, $3) ON CONFLICT (term) DO NOTHING";
static const char sql_delete[] = "DELETE FROM participation_words WHERE id = $1";
static const char sql_bump[] = "UPDATE participation_words_version SET version = version + 1 WHERE id = 1";

typedef struct stored_word {
    int64_t id;
    const char *term;
} stored_word_t;

/* The stored entries in *out (arena), sorted by term. Returns the count, or -1. */
static long load_stored(http_req_t *req, stored_word_t **out)
{
    *out = arena_alloc(req->arena, sizeof(**out) * MODERATION_WORDS_MAX);
    db_stmt_t *st;
    if (db_prepare(req->db, sql_list, &st) != 0)
        return -1;
    long n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < MODERATION_WORDS_MAX) {
        (*out)[n].id = db_column_int64(st, 0);
        (*out)[n].term = arena_strdup(req->arena, db_column_text(st, 1) ? db_column_text(st, 1) : "");
        n++;
    }
    db_reset(st);
    return rc < 0 ? -1 : n;
}

static const char *const words_notices[] = {
    "gespeichert",
    N_("Die Wortliste ist gespeichert. Sie gilt ab sofort für alle neuen Beiträge."),
    NULL,
};

static int render_words(http_req_t *req, int status, const char *typed, json_t *model)
{
    long count = 0;
    if (!typed) {
        stored_word_t *stored;
        count = load_stored(req, &stored);
        if (count < 0) {
            json_decref(model);
            return 503;
        }
        buf_t b;
        buf_init(&b, req->arena, 256, (size_t)MODERATION_WORDS_MAX * (MODERATION_WORD_MAX * 4 + 1) + 1);
        for (long i = 0; i < count; i++) {
            buf_puts(&b, stored[i].term);
            buf_putc(&b, '\n');
        }
        typed = buf_cstr(&b);
    }
    moderation_notice(req, model, words_notices);
    json_t *errors = json_object_get(model, "errors");
    json_t *field = http_field(
        "woerter", moderation_tr(req, N_("Wörter und Wendungen, eine pro Zeile")), typed,
        json_array_size(errors) ? moderation_tr(req, N_("Bitte korrigieren Sie die genannten Zeilen.")) : NULL);
    json_object_set_new(field, "rows", json_integer(16));
    json_object_set_new(
        field, "hint",
        json_string(moderation_tr(
            /* clang-format off */
            req, N_("Groß- und Kleinschreibung und Umlaute spielen keine Rolle („Ärger“ = „aerger“). Es zählen nur ganze Wörter. Ein Sternchen am Wortende steht für jede Endung: „idiot*“ trifft auch „Idioten“. Mehrere Wörter in einer Zeile müssen direkt aufeinander folgen."))));
    /* clang-format on */
    json_object_set_new(model, "field", field);
    if (count > 0)
        json_object_set_new(model, "count", json_integer(count));
    return http_render(req, status, "participation/moderation/words", model);
}

int moderation_words_page(http_req_t *req)
{
    return render_words(req, 200, NULL, moderation_model(req, N_("Wortliste der Moderation")));
}

/* Checks one folded entry: NULL when fine, else the msgid of the problem. */
static const char *entry_problem(const char *folded)
{
    if (!*folded)
        return N_("Die Zeile enthält keine Buchstaben oder Ziffern.");
    if (utf8_length(folded, strlen(folded)) > MODERATION_WORD_MAX)
        return N_("Die Zeile ist zu lang. Bitte verwenden Sie höchstens 100 Zeichen.");
    /* '*' only at a word's end, after at least three characters of the word. */
    size_t word_start = 0;
    for (size_t i = 0; folded[i]; i++) {
        if (folded[i] == ' ') {
            word_start = i + 1;
        } else if (folded[i] == '*') {
            if (folded[i + 1] != '\0' && folded[i + 1] != ' ')
                return N_("Ein Sternchen darf nur am Ende eines Wortes stehen.");
            if (i - word_start < 3)
                return N_("Vor einem Sternchen müssen mindestens drei Buchstaben stehen.");
        }
    }
    return NULL;
}

static int compare_terms(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compare_stored(const void *a, const void *b)
{
    return strcmp(((const stored_word_t *)a)->term, ((const stored_word_t *)b)->term);
}

int moderation_words_save(http_req_t *req)
{
    const char *typed = http_form(req, "woerter");
    typed = typed ? typed : "";
    json_t *model = moderation_model(req, N_("Wortliste der Moderation"));

    /* Fold and check every line; the list is what remains, without repeats. */
    const char **terms = arena_alloc(req->arena, sizeof(*terms) * (MODERATION_WORDS_MAX + 1));
    size_t nterms = 0;
    int line = 0;
    int too_many = 0;
    for (const char *p = typed; *p;) {
        size_t len = strcspn(p, "\n");
        line++;
        buf_t folded;
        buf_init(&folded, req->arena, len + 1, len * 2 + 16);
        const char *problem = NULL;
        size_t blank = strspn(p, " \t\r");
        if (moderation_fold(p, len, 1, &folded) != 0)
            problem = N_("Die Zeile ist zu lang. Bitte verwenden Sie höchstens 100 Zeichen.");
        else if (blank < len) /* an empty line is just space between entries */
            problem = entry_problem(buf_cstr(&folded));
        if (problem) {
            json_t *e = json_object();
            json_object_set_new(e, "id", json_string("feld-woerter"));
            json_object_set_new(
                e, "message",
                json_sprintf("%s %d: %s", moderation_tr(req, N_("Zeile")), line, moderation_tr(req, problem)));
            json_array_append_new(json_object_get(model, "errors"), e);
        } else if (folded.len > 0) {
            if (nterms == MODERATION_WORDS_MAX)
                too_many = 1;
            else
                terms[nterms++] = buf_cstr(&folded);
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    if (too_many)
        moderation_add_error(req, model, "feld-woerter",
                             N_("Die Wortliste ist zu lang. Bitte verwenden Sie höchstens 2.000 Einträge."));
    if (json_array_size(json_object_get(model, "errors")) > 0)
        return render_words(req, 422, typed, model);
    json_decref(model);
    qsort(terms, nterms, sizeof(*terms), compare_terms);

    if (db_begin_write(req->db) != 0)
        return 503;
    stored_word_t *stored;
    long nstored = load_stored(req, &stored);
    int ok = nstored >= 0;
    long added = 0, removed = 0;
    int64_t now = moderation_now();
    /* Stored entries not in the form go, new ones come: both lists sorted by
     * strcmp (not by the database's collation) and searched by halving. */
    if (ok)
        qsort(stored, (size_t)nstored, sizeof(*stored), compare_stored);
    db_stmt_t *st;
    for (long i = 0; ok && i < nstored; i++) {
        if (nterms > 0 && bsearch(&stored[i].term, terms, nterms, sizeof(*terms), compare_terms))
            continue;
        ok = db_prepare(req->db, sql_delete, &st) == 0;
        if (ok) {
            db_bind_int64(st, 1, stored[i].id);
            ok = db_step(st) == DB_DONE;
            db_reset(st);
            removed++;
        }
    }
    for (size_t i = 0; ok && i < nterms; i++) {
        if (i > 0 && !strcmp(terms[i], terms[i - 1]))
            continue;
        stored_word_t key = {0, terms[i]};
        if (nstored > 0 && bsearch(&key, stored, (size_t)nstored, sizeof(*stored), compare_stored))
            continue;
        ok = db_prepare(req->db, sql_insert, &st) == 0;
        if (ok) {
            db_bind_text(st, 1, terms[i], -1);
            db_bind_int64(st, 2, req->user->id);
            db_bind_int64(st, 3, now);
            ok = db_step(st) == DB_DONE;
            db_reset(st);
            added++;
        }
    }
    if (ok && (added || removed)) {
        ok = db_exec(req->db, sql_bump) == 0 &&
             audit_log(req->db, moderation_actor(req), "participation.words", "participation_words",
                       moderation_audit_detail(req->arena, "added", arena_printf(req->arena, "%ld", added), "removed",
                                               arena_printf(req->arena, "%ld", removed), NULL),
                       req->client_ip, req->request_id) == 0;
    }
    if (!ok || db_commit(req->db) != 0) {
        db_rollback(req->db);
        return 503;
    }
    return http_redirect(req, 303, "/verwaltung/beteiligung/woerter?hinweis=gespeichert");
}
