/* i18n.c — gettext .po catalogues and lookup (see i18n.h).
 *
 * A line-oriented parser: comments (# …, with "#, fuzzy" marking the next entry),
 * keyword lines (msgctxt, msgid, msgid_plural, msgstr, msgstr[n]) each followed by
 * a "string", and continuation lines holding only a "string". Parsed entries are
 * staged and merged into the language's catalogue only when the whole text parsed,
 * so a broken file never leaves half a catalogue behind. Entries with a context or
 * plural forms are skipped: our templates use neither, and a missing translation
 * falls back to the German text rather than to a wrong form.
 *
 * Catalogues are open-addressing hash tables keyed by msgid. They are written only
 * while loading, before worker threads start, so lookups need no lock.
 */
#include "view/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/utf8.h"

typedef struct entry {
    uint64_t hash; /* of msgid */
    char *msgid;   /* one allocation: msgid NUL msgstr NUL */
    char *msgstr;  /* points into the msgid allocation */
} entry_t;

typedef struct catalogue {
    char lang[I18N_MAX_LANG + 1];
    entry_t *slots; /* open addressing, msgid NULL means empty; cap a power of 2 */
    size_t cap, n;  /* slots allocated and used */
} catalogue_t;

#define I18N_MAX_FOLDER_FILES 64

static catalogue_t catalogues[I18N_MAX_LANGS];
static size_t n_catalogues;

/* Which string a keyword's strings are appended to. */
typedef enum { FIELD_NONE, FIELD_MSGID, FIELD_MSGSTR, FIELD_IGNORED } field_t;

typedef struct po_parser {
    const char *name; /* for error messages */
    char *err;
    size_t errlen;
    uint32_t line; /* current line */
    /* The entry being read. */
    buf_t msgid, msgstr; /* decoded strings, capped at I18N_MAX_STRING */
    buf_t ignored;       /* msgctxt, msgid_plural and msgstr[n] go here, checked the same */
    field_t field;       /* where continuation lines go */
    uint32_t msgid_line; /* line of the msgid keyword, 0 before it */
    int has_msgstr;      /* msgstr or msgstr[n] seen */
    int plural;          /* msgid_plural seen */
    int skip;            /* context, plural or fuzzy: parse but do not keep */
    int started;         /* a keyword of this entry was seen */
    /* Entries parsed so far, merged into the catalogue at the end. */
    entry_t *staged;
    size_t n_staged, cap_staged;
} po_parser_t;

static int po_fail(po_parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int po_fail(po_parser_t *p, const char *fmt, ...)
{
    char msg[200]; /* message without the "name:line: " prefix */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
    return -1;
}

/* FNV-1a: short keys, no adversary (the .po files ship with the product). */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

static int lang_ok(const char *lang)
{
    size_t n = lang ? strlen(lang) : 0;
    if (n == 0 || n > I18N_MAX_LANG)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = lang[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

static catalogue_t *find_catalogue(const char *lang)
{
    for (size_t i = 0; i < n_catalogues; i++)
        if (strcmp(catalogues[i].lang, lang) == 0)
            return &catalogues[i];
    return NULL;
}

/* Returns the slot holding msgid, or the empty slot where it belongs. cap > n. */
static entry_t *find_slot(const catalogue_t *c, const char *msgid, uint64_t hash)
{
    size_t mask = c->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        entry_t *slot = &c->slots[i];
        if (!slot->msgid || (slot->hash == hash && strcmp(slot->msgid, msgid) == 0))
            return slot;
    }
}

/* Keeps the load factor at or below 1/2, so that probes stay short and a free slot
 * always exists. */
static int grow(catalogue_t *c)
{
    if (c->cap && (c->n + 1) * 2 <= c->cap)
        return 0;
    size_t cap = c->cap ? c->cap * 2 : 64;
    entry_t *old = c->slots;
    size_t old_cap = c->cap;
    c->slots = calloc(cap, sizeof(*c->slots));
    if (!c->slots) {
        c->slots = old;
        return -1;
    }
    c->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].msgid)
            *find_slot(c, old[i].msgid, old[i].hash) = old[i];
    free(old);
    return 0;
}

/* Moves e into c, replacing an entry with the same msgid. */
static int insert(catalogue_t *c, entry_t e)
{
    if (grow(c) < 0)
        return -1;
    entry_t *slot = find_slot(c, e.msgid, e.hash);
    if (slot->msgid)
        free(slot->msgid);
    else
        c->n++;
    *slot = e;
    return 0;
}

static void reset_entry(po_parser_t *p)
{
    buf_reset(&p->msgid);
    buf_reset(&p->msgstr);
    buf_reset(&p->ignored);
    p->field = FIELD_NONE;
    p->msgid_line = 0;
    p->has_msgstr = p->plural = p->skip = p->started = 0;
}

/* Ends the current entry: stages it when it is a real, non-fuzzy translation. */
static int finish_entry(po_parser_t *p)
{
    if (!p->started)
        return 0; /* comments only so far: keep their flags for the entry to come */
    if (!p->has_msgstr) {
        if (p->msgid_line)
            p->line = p->msgid_line;
        return po_fail(p, "msgid without msgstr");
    }
    /* msgid "" is the header; an empty msgstr means "not translated yet". */
    if (!p->skip && p->msgid.len > 0 && p->msgstr.len > 0) {
        if (p->n_staged == p->cap_staged) {
            size_t cap = p->cap_staged ? p->cap_staged * 2 : 64;
            entry_t *staged = realloc(p->staged, cap * sizeof(*staged));
            if (!staged)
                return po_fail(p, "out of memory");
            p->staged = staged;
            p->cap_staged = cap;
        }
        char *pair = malloc(p->msgid.len + p->msgstr.len + 2);
        if (!pair)
            return po_fail(p, "out of memory");
        memcpy(pair, p->msgid.data, p->msgid.len + 1);
        memcpy(pair + p->msgid.len + 1, p->msgstr.data, p->msgstr.len + 1);
        p->staged[p->n_staged++] = (entry_t){.hash = hash_str(pair), .msgid = pair, .msgstr = pair + p->msgid.len + 1};
    }
    reset_entry(p);
    return 0;
}

/* What a backslash escape stands for; 0 for escapes we do not accept. */
static const char unescaped[256] = {['n'] = '\n', ['t'] = '\t', ['"'] = '"', ['\\'] = '\\'};

/* Decodes the "string" at s[0..n) (s[0] is the opening quote) onto the current
 * field; only blanks may follow the closing quote. */
static int parse_string(po_parser_t *p, const char *s, size_t n)
{
    buf_t *to = p->field == FIELD_MSGID ? &p->msgid : p->field == FIELD_MSGSTR ? &p->msgstr : &p->ignored;
    size_t i = 1;
    size_t run = 1; /* start of the bytes not yet copied */
    int rc = 0;
    for (;;) {
        if (i >= n)
            return po_fail(p, "string not closed on this line");
        char c = s[i];
        if (c == '"')
            break;
        if (c != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= n)
            return po_fail(p, "string not closed on this line");
        char decoded = unescaped[(unsigned char)s[i + 1]];
        if (!decoded)
            return po_fail(p, "unknown escape '\\%c' (only \\n \\t \\\" \\\\)",
                           (s[i + 1] >= 0x20 && s[i + 1] < 0x7f) ? s[i + 1] : '?');
        rc = buf_append(to, s + run, i - run);
        if (rc == 0)
            rc = buf_putc(to, decoded);
        if (rc != 0)
            break;
        i += 2;
        run = i;
    }
    if (rc == 0)
        rc = buf_append(to, s + run, i - run);
    if (rc == BUF_ETOOBIG)
        return po_fail(p, "string longer than %d bytes", I18N_MAX_STRING);
    if (rc != 0)
        return po_fail(p, "out of memory");
    for (i++; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return po_fail(p, "text after the closing quote");
    return 0;
}

/* Keywords and what they do to the entry; table order matters only for prefixes
 * ("msgid_plural" before "msgid"). */
enum { KW_MSGCTXT, KW_MSGID_PLURAL, KW_MSGID, KW_MSGSTR_N, KW_MSGSTR };
static const struct {
    const char *word;
    int kw;
} keywords[] = {
    {"msgctxt", KW_MSGCTXT}, {"msgid_plural", KW_MSGID_PLURAL}, {"msgid", KW_MSGID}, {"msgstr[", KW_MSGSTR_N},
    {"msgstr", KW_MSGSTR},
};

/* Handles a keyword line s[0..n); returns the offset of its string in *at. */
static int parse_keyword(po_parser_t *p, const char *s, size_t n, size_t *at)
{
    int kw = -1;
    size_t i = 0;
    for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]) && kw < 0; k++) {
        size_t wl = strlen(keywords[k].word);
        if (n >= wl && memcmp(s, keywords[k].word, wl) == 0) {
            kw = keywords[k].kw;
            i = wl;
        }
    }
    if (kw == KW_MSGSTR_N) {
        size_t digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 3) {
            i++;
            digits++;
        }
        if (digits == 0 || i >= n || s[i] != ']')
            return po_fail(p, "expected msgstr[n]");
        i++;
    }
    if (kw < 0 || i >= n || (s[i] != ' ' && s[i] != '\t'))
        return po_fail(p, "expected msgid, msgstr, a \"string\" or a # comment");
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n || s[i] != '"')
        return po_fail(p, "expected a \"string\" after the keyword");
    *at = i;

    /* A new msgctxt or msgid after a msgstr starts the next entry. */
    if ((kw == KW_MSGCTXT || kw == KW_MSGID) && p->has_msgstr && finish_entry(p) < 0)
        return -1;
    switch (kw) {
    case KW_MSGCTXT:
        if (p->started)
            return po_fail(p, "msgctxt inside an entry");
        p->skip = 1;
        p->field = FIELD_IGNORED;
        break;
    case KW_MSGID:
        if (p->msgid_line)
            return po_fail(p, "msgid again before the msgstr of line %u", p->msgid_line);
        p->msgid_line = p->line;
        p->field = FIELD_MSGID;
        break;
    case KW_MSGID_PLURAL:
        if (!p->msgid_line || p->has_msgstr || p->plural)
            return po_fail(p, "msgid_plural must follow a msgid");
        p->plural = p->skip = 1;
        p->field = FIELD_IGNORED;
        break;
    case KW_MSGSTR:
        if (!p->msgid_line)
            return po_fail(p, "msgstr without a msgid before it");
        if (p->has_msgstr || p->plural)
            return po_fail(p, p->plural ? "plural entry needs msgstr[n]" : "second msgstr");
        p->has_msgstr = 1;
        p->field = FIELD_MSGSTR;
        break;
    case KW_MSGSTR_N:
        if (!p->plural)
            return po_fail(p, "msgstr[n] without msgid_plural");
        p->has_msgstr = 1;
        p->field = FIELD_IGNORED;
        break;
    }
    p->started = 1;
    return 0;
}

/* Handles one line s[0..n) without its newline. */
static int parse_line(po_parser_t *p, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (!utf8_valid(s, n))
        return po_fail(p, "not valid UTF-8 (or a NUL byte)");
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n == 0)
        return finish_entry(p);
    if (s[0] == '#') {
        /* A comment ends an entry that has its msgstr; inside one it is an error,
         * because it would belong to the next entry. */
        if (p->has_msgstr && finish_entry(p) < 0)
            return -1;
        if (p->started)
            return po_fail(p, "comment inside an entry");
        if (n >= 2 && s[1] == ',' && memmem(s, n, "fuzzy", 5))
            p->skip = 1; /* machine-guessed translation, not reviewed: do not show */
        return 0;
    }
    if (s[0] == '"') {
        if (p->field == FIELD_NONE)
            return po_fail(p, "string without msgid or msgstr before it");
        return parse_string(p, s, n);
    }
    size_t at = 0; /* offset of the string on a keyword line */
    if (parse_keyword(p, s, n, &at) < 0)
        return -1;
    return parse_string(p, s + at, n - at);
}

/* Moves the staged entries into lang's catalogue (creating it). */
static int merge(po_parser_t *p, const char *lang)
{
    if (strcmp(lang, "de") == 0)
        return 0; /* German is the source language: msgids are the text */
    catalogue_t *c = find_catalogue(lang);
    p->line = 1; /* errors from here on are about the whole file */
    if (!c) {
        if (n_catalogues == I18N_MAX_LANGS)
            return po_fail(p, "more than %d languages", I18N_MAX_LANGS);
        c = &catalogues[n_catalogues++];
        memset(c, 0, sizeof(*c));
        strcpy(c->lang, lang); /* fits: lang_ok checked the length */
    }
    /* In file order, so that of two entries with one msgid the later one wins. */
    for (size_t i = 0; i < p->n_staged; i++) {
        if (insert(c, p->staged[i]) < 0)
            return po_fail(p, "out of memory");
        p->staged[i].msgid = NULL; /* the catalogue owns it now */
    }
    return 0;
}

int i18n_load_po_text(const char *lang, const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    po_parser_t p = {.name = name ? name : "(po)", .err = err, .errlen = errlen, .line = 1};
    int rc = 0;

    buf_init(&p.msgid, NULL, 0, I18N_MAX_STRING);
    buf_init(&p.msgstr, NULL, 0, I18N_MAX_STRING);
    buf_init(&p.ignored, NULL, 0, I18N_MAX_STRING);
    if (!lang_ok(lang)) {
        rc = po_fail(&p, "the language code must be 1 to %d of [A-Za-z0-9_-]", I18N_MAX_LANG);
        goto out;
    }
    if (!text && len > 0) {
        rc = po_fail(&p, "no text");
        goto out;
    }
    if (len > I18N_MAX_FILE) {
        rc = po_fail(&p, "file larger than %d bytes", I18N_MAX_FILE);
        goto out;
    }
    size_t pos = 0; /* start of the current line */
    /* Some editors start UTF-8 files with a byte order mark; it carries nothing. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        rc = parse_line(&p, text + pos, end - pos);
        if (rc < 0)
            goto out;
        pos = end + 1;
        p.line++;
    }
    rc = finish_entry(&p);
    if (rc < 0)
        goto out;
    rc = merge(&p, lang);
out:
    for (size_t i = 0; i < p.n_staged; i++)
        free(p.staged[i].msgid);
    free(p.staged);
    buf_free(&p.msgid);
    buf_free(&p.msgstr);
    buf_free(&p.ignored);
    return rc;
}

/* Reads path into a malloc'd buffer (at most I18N_MAX_FILE bytes). */
static int read_po(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    int fd = -1;
    char *data = NULL; /* the contents until handed to the caller */
    int rc = -1;
    struct stat st;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    if (st.st_size > I18N_MAX_FILE) {
        snprintf(err, errlen, "%s:1: file larger than %d bytes", path, I18N_MAX_FILE);
        goto out;
    }
    size_t want = (size_t)st.st_size;
    data = malloc(want + 1);
    if (!data) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, data + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(err, errlen, "%s: cannot read: %s", path, r == 0 ? "file shrank while reading" : strerror(errno));
            goto out;
        }
        got += (size_t)r;
    }
    *text = data;
    *len = got;
    data = NULL;
    rc = 0;
out:
    free(data);
    if (fd >= 0)
        close(fd);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every po_dir/lang/NAME.po in name order (a missing folder is fine). */
static int load_po_folder(const char *po_dir, const char *lang, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    int n = snprintf(dir, sizeof(dir), "%s/%s", po_dir, lang);
    if (n < 0 || (size_t)n >= sizeof(dir)) {
        snprintf(err, errlen, "%s: path too long", po_dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[I18N_MAX_FOLDER_FILES];
    size_t count = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || e->d_name[0] == '.' || strcmp(e->d_name + len - 3, ".po") != 0)
            continue;
        if (count == I18N_MAX_FOLDER_FILES) {
            snprintf(err, errlen, "%s: more than %d .po files", dir, I18N_MAX_FOLDER_FILES);
            rc = -1;
            break;
        }
        if (!(names[count] = strdup(e->d_name))) {
            snprintf(err, errlen, "%s: out of memory", dir);
            rc = -1;
            break;
        }
        count++;
    }
    closedir(d);
    qsort(names, count, sizeof(names[0]), name_cmp);
    for (size_t i = 0; i < count && rc == 0; i++) {
        char path[PATH_MAX];
        char *text = NULL;
        size_t len = 0;
        n = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (n < 0 || (size_t)n >= sizeof(path)) {
            snprintf(err, errlen, "%s: path too long", dir);
            rc = -1;
            break;
        }
        rc = read_po(path, &text, &len, err, errlen);
        if (rc == 0)
            rc = i18n_load_po_text(lang, text, len, path, err, errlen);
        free(text);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    return rc < 0 ? -1 : 0;
}

int i18n_load(const char *po_dir, const char *const *langs, char *err, size_t errlen)
{
    char path[PATH_MAX]; /* po_dir/lang.po */
    char *text = NULL;   /* contents of the file being parsed */
    char dummy[1];       /* err when the caller gave none */
    int rc = 0;

    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    for (size_t i = 0; langs && langs[i]; i++) {
        const char *lang = langs[i];
        if (strcmp(lang, "de") == 0)
            continue; /* the source language has no file */
        /* Checked before it becomes part of a path. */
        if (!lang_ok(lang)) {
            snprintf(err, errlen, "%s: '%.16s' is not a language code", po_dir, lang);
            rc = -1;
            goto out;
        }
        int n = snprintf(path, sizeof(path), "%s/%s.po", po_dir, lang);
        if (n < 0 || (size_t)n >= sizeof(path)) {
            snprintf(err, errlen, "%s: path too long", po_dir);
            rc = -1;
            goto out;
        }
        size_t len = 0;
        rc = read_po(path, &text, &len, err, errlen);
        if (rc < 0)
            goto out;
        rc = i18n_load_po_text(lang, text, len, path, err, errlen);
        free(text);
        text = NULL;
        if (rc < 0)
            goto out;
        /* Then every .po file in po_dir/lang/ (one per module), so that modules
         * written side by side never edit the same file. */
        rc = load_po_folder(po_dir, lang, err, errlen);
        if (rc < 0)
            goto out;
    }
out:
    free(text);
    return rc;
}

const char *i18n_translate(const char *lang, const char *msgid)
{
    if (!lang || !msgid || strcmp(lang, "de") == 0)
        return msgid;
    const catalogue_t *c = find_catalogue(lang);
    if (!c || c->n == 0)
        return msgid;
    const entry_t *slot = find_slot(c, msgid, hash_str(msgid));
    return slot->msgid ? slot->msgstr : msgid;
}

void i18n_free(void)
{
    for (size_t i = 0; i < n_catalogues; i++) {
        catalogue_t *c = &catalogues[i];
        for (size_t k = 0; k < c->cap; k++)
            free(c->slots[k].msgid);
        free(c->slots);
        memset(c, 0, sizeof(*c));
    }
    n_catalogues = 0;
}
