/* search.c — German search terms: split, lower-case, fold, drop stop words, stem.
 *
 * One function turns a text into terms, for the index (catalogue import) and for
 * the query alike, so both sides always agree. The steps, per word:
 *
 *   1. Split: a word is a run of letters and digits. Everything else separates,
 *      except combining marks, the soft hyphen and zero-width joiners, which are
 *      dropped inside a word ("Pa\u0308sse" is "Pässe"). A hyphen between two
 *      words makes a compound: "Kfz-Zulassung" gives kfz, zulassung and the joined
 *      kfzzulassung, so that "Kfz Zulassung" and "Kfzzulassung" both find it.
 *   2. Lower-case and fold: A–Z, Latin-1 and Latin Extended-A letters become
 *      their plain lower-case base letters (ä → a, é → e, ß and ẞ → ss, æ → ae);
 *      Greek and Cyrillic capitals become small letters; other scripts stay.
 *      Folding umlauts is what the Snowball stemmer does at its end anyway; doing
 *      it first lets the transliterations meet too: ae, oe and ue (not after q)
 *      become a, o and u, so "Reisepaesse" and "Reisepässe" are one word (this is
 *      Snowball's "german2" variant, which libstemmer 2.2 lacks).
 *   3. Cap: a word keeps at most SEARCH_MAX_TERM bytes (long compounds are cut at
 *      a character boundary, identically in text and query).
 *   4. Drop one-character words and stop words (der, die, und, für, …).
 *   5. Stem with libstemmer's German (Snowball) algorithm: "reisepasse" and
 *      "reisepass" both give "reisepass", "ferienwohnungen" gives "ferienwohn".
 *
 * A Snowball stemmer keeps state and is not thread-safe, so each thread makes its
 * own on first use (a _Thread_local pointer); a pthread key frees it when the
 * thread ends.
 */
#include "platform/search.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define SEARCH_MIN_CHARS 2    /* shorter words ("z", "b" of "z. B.") say nothing */
#define SEARCH_FIRST_SLOTS 64 /* first size of the duplicate filter (a power of two) */

/* ---- the stemmer of this thread ------------------------------------------------ */

static pthread_key_t stemmer_key; /* frees a thread's stemmer when it ends */
static pthread_once_t stemmer_once = PTHREAD_ONCE_INIT;
static int stemmer_key_made; /* 1 when pthread_key_create worked */
static _Thread_local struct sb_stemmer *thread_stemmer;

static void stemmer_free(void *stemmer)
{
    sb_stemmer_delete(stemmer);
}

static void stemmer_key_make(void)
{
    stemmer_key_made = pthread_key_create(&stemmer_key, stemmer_free) == 0;
}

/* This thread's German stemmer, made on first use; NULL when out of memory. */
static struct sb_stemmer *stemmer_get(void)
{
    if (thread_stemmer)
        return thread_stemmer;
    pthread_once(&stemmer_once, stemmer_key_make);
    struct sb_stemmer *s = sb_stemmer_new("german", "UTF_8");
    if (!s)
        return NULL;
    /* Without the key the stemmer still works; it is then only freed at exit. */
    if (stemmer_key_made)
        pthread_setspecific(stemmer_key, s);
    thread_stemmer = s;
    return s;
}

/* ---- stop words ------------------------------------------------------------------ */

/* Folded as words are (für → fur, über → uber) and sorted by strcmp for bsearch. */
static const char *const stop_words[] = {
    "aber",   "alle",    "allem",   "allen",   "aller",   "alles",  "als",    "also",   "am",       "an",     "ander",
    "andere", "anderem", "anderen", "anderer", "anderes", "auch",   "auf",    "aus",    "bei",      "bin",    "bis",
    "bist",   "da",      "damit",   "dann",    "das",     "dass",   "dein",   "deine",  "dem",      "den",    "denn",
    "der",    "des",     "dich",    "die",     "dies",    "diese",  "diesem", "diesen", "dieser",   "dieses", "dir",
    "doch",   "dort",    "du",      "durch",   "ein",     "eine",   "einem",  "einen",  "einer",    "eines",  "er",
    "es",     "etwa",    "euch",    "fur",     "hab",     "habe",   "haben",  "hat",    "hatte",    "ich",    "ihm",
    "ihn",    "ihnen",   "ihr",     "ihre",    "ihrem",   "ihren",  "ihrer",  "ihres",  "im",       "in",     "ins",
    "ist",    "ja",      "jede",    "jedem",   "jeden",   "jeder",  "jedes",  "kann",   "kein",     "keine",  "keinen",
    "man",    "mein",    "meine",   "meinem",  "meinen",  "meiner", "mich",   "mir",    "mit",      "mochte", "muss",
    "nach",   "nicht",   "noch",    "nun",     "nur",     "ob",     "oder",   "ohne",   "sehr",     "sein",   "seine",
    "sich",   "sie",     "sind",    "so",      "soll",    "uber",   "um",     "und",    "uns",      "unser",  "unter",
    "vom",    "von",     "vor",     "war",     "was",     "weil",   "welche", "wenn",   "wer",      "werden", "wie",
    "will",   "wir",     "wird",    "wo",      "wurde",   "zu",     "zum",    "zur",    "zwischen",
};
#define STOP_WORD_COUNT (sizeof(stop_words) / sizeof(stop_words[0]))

static int stop_word_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

static int is_stop_word(const char *word)
{
    return bsearch(word, stop_words, STOP_WORD_COUNT, sizeof(stop_words[0]), stop_word_cmp) != NULL;
}

/* ---- characters -------------------------------------------------------------------- */

enum char_class {
    CHAR_SEPARATOR, /* ends a word */
    CHAR_WORD,      /* letter or digit */
    CHAR_IGNORED,   /* inside a word, but adds nothing (combining mark, soft hyphen) */
    CHAR_JOINER,    /* hyphen: joins the parts of a compound when a word follows */
};

/* Decodes the code point at s (valid UTF-8, checked before); sets *len. */
static uint32_t decode(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    *len = 4;
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
           (s[3] & 0x3F);
}

/* Sorts a code point into the classes above. Outside ASCII, the ranges of
 * punctuation and symbols separate; every other character counts as a letter,
 * so words of any script can be searched. */
static enum char_class classify(uint32_t c)
{
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            return CHAR_WORD;
        return c == '-' ? CHAR_JOINER : CHAR_SEPARATOR;
    }
    if (c == 0x00AD || (c >= 0x0300 && c <= 0x036F) || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF)
        return CHAR_IGNORED; /* soft hyphen, combining marks, zero-width (non-)joiner, word joiner, BOM */
    if (c == 0x2010 || c == 0x2011)
        return CHAR_JOINER; /* hyphen, non-breaking hyphen */
    if (c <= 0x00BF || c == 0x00D7 || c == 0x00F7)
        return CHAR_SEPARATOR; /* Latin-1 controls and symbols (§ « » ° ²), × ÷ */
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFE10 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFF0F) ||
        (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) || c >= 0xFFF0)
        return CHAR_SEPARATOR; /* punctuation, symbols, arrows, emoji, private use, specials */
    return CHAR_WORD;
}

/* Base letters of U+00C0..U+00FF; '*' marks the multi-letter ones (folded in code). */
static const char latin1_base[] = "aaaaaa*ceeeeiiiidnooooo*ouuuuy**"
                                  "aaaaaa*ceeeeiiiidnooooo*ouuuuy*y";
/* Base letters of U+0100..U+017F (Latin Extended-A); '1' is ij, '2' is oe. */
static const char latin_a_base[] = "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee"          /* U+0100..U+011B */
                                   "gggggggg" "hhhh" "iiiiiiiiii" "11" "jj" "kkk" /* U+011C..U+0138 */
                                   "llllllllll" "nnnnnnnnn" "oooooo" "22"         /* U+0139..U+0153 */
                                   "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu"    /* U+0154..U+0173 */
                                   "ww" "yyy" "zzzzzz" "s";                      /* U+0174..U+017F */
_Static_assert(sizeof(latin1_base) == 64 + 1, "one letter per code point of U+00C0..U+00FF");
_Static_assert(sizeof(latin_a_base) == 128 + 1, "one letter per code point of U+0100..U+017F");

/* Appends the UTF-8 encoding of c to out (room for 4 bytes); returns its length. */
static size_t encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Writes the folded form of a word character c into out (up to 4 bytes); returns
 * the number of bytes. */
static size_t fold(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        return 1;
    }
    if (c >= 0xC0 && c <= 0xFF) {
        char base = latin1_base[c - 0xC0];
        if (base != '*') {
            out[0] = base;
            return 1;
        }
        switch (c) {
        case 0xC6: /* Æ */
        case 0xE6: /* æ */
            memcpy(out, "ae", 2);
            return 2;
        case 0xDE: /* Þ */
        case 0xFE: /* þ */
            memcpy(out, "th", 2);
            return 2;
        default: /* ß (0xDF); × and ÷ never get here */
            memcpy(out, "ss", 2);
            return 2;
        }
    }
    if (c >= 0x100 && c <= 0x17F) {
        char base = latin_a_base[c - 0x100];
        if (base == '1' || base == '2') {
            memcpy(out, base == '1' ? "ij" : "oe", 2);
            return 2;
        }
        out[0] = base;
        return 1;
    }
    if (c == 0x1E9E) { /* capital sharp s */
        memcpy(out, "ss", 2);
        return 2;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        c += 0x20; /* Greek capitals */
    else if (c >= 0x410 && c <= 0x42F)
        c += 0x20; /* Cyrillic А..Я */
    else if (c >= 0x400 && c <= 0x40F)
        c += 0x50; /* Cyrillic Ѐ..Џ */
    return encode(c, out);
}

/* ---- one word -------------------------------------------------------------------- */

/* A word being collected: folded bytes, capped at SEARCH_MAX_TERM. */
typedef struct word {
    char text[SEARCH_MAX_TERM + 1];
    size_t len;
    size_t chars; /* code points (before the digraph folding) */
} word_t;

/* Appends the folded c unless the word would pass its cap; a cut word stays cut,
 * so "very long compound" always ends at the same character. */
static void word_add(word_t *w, uint32_t c)
{
    char folded[4];
    size_t n = fold(c, folded);
    if (w->len + n > SEARCH_MAX_TERM)
        return;
    memcpy(w->text + w->len, folded, n);
    w->len += n;
    w->text[w->len] = '\0';
    w->chars++;
}

/* ae, oe, ue (not after q) → a, o, u, in place: transliterated umlauts meet the
 * real ones, which fold() has already turned into their base vowels. */
static void fold_digraphs(word_t *w)
{
    size_t o = 0;
    for (size_t i = 0; i < w->len; i++) {
        char c = w->text[i];
        if (c == 'e' && o > 0) {
            char prev = w->text[o - 1];
            int after_q = prev == 'u' && o > 1 && w->text[o - 2] == 'q';
            if ((prev == 'a' || prev == 'o' || prev == 'u') && !after_q)
                continue;
        }
        w->text[o++] = c;
    }
    w->len = o;
    w->text[o] = '\0';
}

/* ---- the result: distinct terms in first-seen order --------------------------------- */

typedef struct term_set {
    arena_t *arena;
    const char **terms; /* in first-seen order */
    size_t count, cap;
    const char **slots; /* open addressing over the same strings, for duplicates */
    size_t slot_count;  /* a power of two, more than twice count */
} term_set_t;

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Finds the slot of s[0..n): the one holding it, or the empty one where it goes. */
static const char **term_slot(const term_set_t *set, const char *s, size_t n)
{
    size_t mask = set->slot_count - 1;
    for (size_t i = (size_t)hash(s, n) & mask;; i = (i + 1) & mask) {
        const char *t = set->slots[i];
        if (!t || (strlen(t) == n && memcmp(t, s, n) == 0))
            return &set->slots[i];
    }
}

/* Adds s[0..n) unless it is there already. */
static void term_add(term_set_t *set, const char *s, size_t n)
{
    if (n == 0 || set->count >= SEARCH_MAX_TERMS)
        return;
    if ((set->count + 1) * 2 > set->slot_count) {
        /* Grow the filter; the old table stays in the arena until the request ends. */
        size_t slots = set->slot_count ? set->slot_count * 2 : SEARCH_FIRST_SLOTS;
        const char **old = set->slots;
        size_t old_count = set->slot_count;
        set->slots = arena_alloc(set->arena, slots * sizeof(*set->slots));
        set->slot_count = slots;
        for (size_t i = 0; i < old_count; i++)
            if (old[i])
                *term_slot(set, old[i], strlen(old[i])) = old[i];
    }
    const char **slot = term_slot(set, s, n);
    if (*slot)
        return;
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        const char **terms = arena_alloc(set->arena, cap * sizeof(*terms));
        if (set->count)
            memcpy(terms, set->terms, set->count * sizeof(*terms));
        set->terms = terms;
        set->cap = cap;
    }
    *slot = arena_strndup(set->arena, s, n);
    set->terms[set->count++] = *slot;
}

/* Turns one collected word into its term. Returns 0, or -1 when the stemmer
 * could not get memory. */
static int emit(term_set_t *set, struct sb_stemmer *stemmer, word_t *w)
{
    if (w->chars < SEARCH_MIN_CHARS)
        return 0;
    fold_digraphs(w);
    if (is_stop_word(w->text))
        return 0;
    const sb_symbol *stem = sb_stemmer_stem(stemmer, (const sb_symbol *)w->text, (int)w->len);
    if (!stem)
        return -1;
    size_t n = (size_t)sb_stemmer_length(stemmer);
    /* Stemming only shortens a folded word; keep the cap even if it did not. */
    n = utf8_truncate((const char *)stem, n, SEARCH_MAX_TERM);
    term_add(set, (const char *)stem, n);
    return 0;
}

/* ---- the text -------------------------------------------------------------------- */

int search_terms(arena_t *arena, const char *text, const char ***terms, size_t *count)
{
    *terms = NULL;
    *count = 0;
    if (!text)
        return -1;
    size_t n = strlen(text);
    if (!utf8_valid(text, n))
        return -1;
    struct sb_stemmer *stemmer = stemmer_get();
    if (!stemmer)
        return -1;

    term_set_t set = {.arena = arena};
    const unsigned char *s = (const unsigned char *)text;
    size_t pos = 0;
    word_t part;     /* the part of a compound being read */
    word_t compound; /* all its parts joined ("kfzzulassung") */
    while (pos < n && set.count < SEARCH_MAX_TERMS) {
        size_t len;
        uint32_t c = decode(s + pos, &len);
        if (classify(c) != CHAR_WORD) {
            pos += len; /* separators, and hyphens or marks that start nothing */
            continue;
        }
        /* A compound: parts of word characters, each pair joined by one hyphen. */
        size_t parts = 0;
        compound.len = compound.chars = 0;
        compound.text[0] = '\0';
        for (;;) {
            part.len = part.chars = 0;
            part.text[0] = '\0';
            while (pos < n) {
                c = decode(s + pos, &len);
                enum char_class k = classify(c);
                if (k == CHAR_WORD) {
                    word_add(&part, c);
                    word_add(&compound, c);
                } else if (k != CHAR_IGNORED) {
                    break;
                }
                pos += len;
            }
            parts++;
            if (emit(&set, stemmer, &part) != 0)
                return -1;
            /* Another part follows only when a hyphen stands between word characters. */
            if (pos >= n || classify(c) != CHAR_JOINER || pos + len >= n)
                break;
            size_t next_len;
            if (classify(decode(s + pos + len, &next_len)) != CHAR_WORD)
                break;
            pos += len;
        }
        if (parts > 1 && emit(&set, stemmer, &compound) != 0)
            return -1;
    }
    *terms = set.terms;
    *count = set.count;
    return 0;
}
