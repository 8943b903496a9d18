/* tmpl.c — template sets: adding, linking partials, loading a directory (see tmpl.h).
 *
 * A set owns its templates, kept sorted by name so that tmpl_get is a binary search
 * and a load is reproducible. Templates are never replaced or removed, so the
 * partial pointers that tmpl_set_link stores in the nodes stay valid for the life
 * of the set. Linking also rejects partial recursion that no section guards: such
 * a template could never render, and start-up is the place to say so.
 * Compiling is in tmpl_parse.c, rendering in tmpl_render.c.
 */
#include "view/tmpl_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tmpl.link_depth while tmpl_set_link runs; values >= 0 are finished depths. */
enum { LINK_UNSEEN = -1, LINK_VISITING = -2 };

/* Directory levels below the template root that tmpl_set_load descends; also what
 * stops a symlink loop. */
#define LOAD_MAX_DIR_DEPTH 16

tmpl_set_t *tmpl_set_new(void)
{
    return calloc(1, sizeof(tmpl_set_t));
}

void tmpl_free_one(tmpl_t *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->origin);
    free(t->src);
    free(t->nodes);
    free(t);
}

/* Frees the set, its templates and their compiled nodes. NULL is allowed. */
void tmpl_set_free(tmpl_set_t *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        tmpl_free_one(set->items[i]);
    free(set->items);
    free(set);
}

/* Returns the index of name in set->items, or the index where it belongs; *found
 * says which. */
static size_t find_slot(const tmpl_set_t *set, const char *name, size_t len, int *found)
{
    size_t lo = 0, hi = set->n; /* the answer is in [lo, hi] */
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *have = set->items[mid]->name;
        int cmp = strncmp(have, name, len);
        if (cmp == 0 && have[len] != '\0')
            cmp = 1; /* have is longer, so it sorts after name */
        if (cmp == 0) {
            *found = 1;
            return mid;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Compiles text under name and inserts it; errors name `origin` (the file path when
 * loading from disk). The set is unchanged on failure. */
static int set_add(tmpl_set_t *set, const char *name, const char *origin, const char *text, size_t len, char *err,
                   size_t errlen)
{
    tmpl_t *t = NULL; /* the new template until it is in the set */
    int rc = 0;
    int found;
    char shown[64]; /* a bad name, made printable */

    if (!set || !name || (!text && len > 0)) {
        tmpl_errorf(err, errlen, "tmpl_set_add: no set, name or text");
        rc = TMPL_EINVAL;
        goto out;
    }
    size_t name_len = strlen(name);
    if (!tmpl_name_ok(name, name_len, 1)) {
        tmpl_quote(shown, sizeof(shown), origin, strlen(origin));
        tmpl_errorf(err, errlen, "%s:1: not a usable template name (letters, digits, _ . - and /)", shown);
        rc = TMPL_ESYNTAX;
        goto out;
    }
    size_t slot = find_slot(set, name, name_len, &found);
    if (found) {
        tmpl_errorf(err, errlen, "%s:1: a template named '%s' exists already (from %s)", origin, name,
                    set->items[slot]->origin);
        rc = TMPL_ESYNTAX;
        goto out;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        tmpl_t **items = realloc(set->items, cap * sizeof(*items));
        if (!items) {
            rc = BUF_ENOMEM;
            goto out;
        }
        set->items = items;
        set->cap = cap;
    }
    t = calloc(1, sizeof(*t));
    if (!t) {
        rc = BUF_ENOMEM;
        goto out;
    }
    t->name = strdup(name);
    t->origin = strdup(origin);
    if (!t->name || !t->origin) {
        rc = BUF_ENOMEM;
        goto out;
    }
    t->set = set;
    t->link_depth = LINK_UNSEEN;
    rc = tmpl_compile(t, text ? text : "", len, err, errlen);
    if (rc < 0)
        goto out;

    memmove(&set->items[slot + 1], &set->items[slot], (set->n - slot) * sizeof(*set->items));
    set->items[slot] = t;
    set->n++;
    set->linked = 0; /* new partial references need resolving */
    t = NULL;

out:
    if (rc == BUF_ENOMEM)
        tmpl_errorf(err, errlen, "%s: out of memory", origin ? origin : "tmpl_set_add");
    tmpl_free_one(t);
    return rc;
}

/* Compiles one template from memory into set (tests, fuzzing); errors are
 * "name:line: message". Call tmpl_set_link before rendering. */
int tmpl_set_add(tmpl_set_t *set, const char *name, const char *text, size_t len, char *err, size_t errlen)
{
    return set_add(set, name, name, text, len, err, errlen);
}

/* Returns the template called name, or NULL. The set keeps ownership. */
tmpl_t *tmpl_get(const tmpl_set_t *set, const char *name)
{
    int found;
    if (!set || !name)
        return NULL;
    size_t slot = find_slot(set, name, strlen(name), &found);
    return found ? set->items[slot] : NULL;
}

/* Sets the hook that {{_ …}} calls at render time; NULL prints msgids unchanged. */
void tmpl_set_translator(tmpl_set_t *set, tmpl_translate_fn fn)
{
    if (set)
        set->translate = fn;
}

/* Returns how many partials deep t renders without passing a section, memoised in
 * link_depth; < 0 with the message in err when that is more than
 * TMPL_MAX_PARTIAL_DEPTH or endless. `level` is t's place in the current chain and
 * bounds the recursion of this function itself. */
static int unguarded_depth(tmpl_t *t, int level, char *err, size_t errlen)
{
    if (t->link_depth >= 0)
        return t->link_depth;
    t->link_depth = LINK_VISITING;
    int depth = 0; /* deepest chain below t found so far */
    for (size_t i = 0; i < t->n_nodes;) {
        const tmpl_node_t *node = &t->nodes[i];
        if (node->kind == TMPL_NODE_SECTION || node->kind == TMPL_NODE_INVERTED) {
            i = node->end; /* a section may be false: what is inside is guarded */
            continue;
        }
        i++;
        if (node->kind != TMPL_NODE_PARTIAL)
            continue;
        tmpl_t *p = (tmpl_t *)node->partial;
        if (p->link_depth == LINK_VISITING) {
            tmpl_errorf(err, errlen,
                        "%s:%u: {{>%s}} includes itself again outside any section "
                        "(endless recursion)",
                        t->origin, node->line, node->str);
            return TMPL_ESYNTAX;
        }
        int below =
            level + 1 > TMPL_MAX_PARTIAL_DEPTH ? TMPL_MAX_PARTIAL_DEPTH : unguarded_depth(p, level + 1, err, errlen);
        if (below < 0)
            return below;
        if (below + 1 > TMPL_MAX_PARTIAL_DEPTH) {
            tmpl_errorf(err, errlen, "%s:%u: {{>%s}} nests partials deeper than %d", t->origin, node->line, node->str,
                        TMPL_MAX_PARTIAL_DEPTH);
            return TMPL_ESYNTAX;
        }
        if (below + 1 > depth)
            depth = below + 1;
    }
    t->link_depth = depth;
    return depth;
}

/* Resolves every {{>name}} to its template and checks unguarded recursion. Returns 0,
 * or TMPL_ESYNTAX with "origin:line: message" in err (the set stays unlinked). */
int tmpl_set_link(tmpl_set_t *set, char *err, size_t errlen)
{
    int rc = 0;
    if (!set) {
        tmpl_errorf(err, errlen, "tmpl_set_link: no set");
        return TMPL_EINVAL;
    }
    set->linked = 0;
    for (size_t i = 0; i < set->n; i++) {
        tmpl_t *t = set->items[i];
        t->link_depth = LINK_UNSEEN;
        for (size_t k = 0; k < t->n_nodes; k++) {
            tmpl_node_t *node = &t->nodes[k];
            if (node->kind != TMPL_NODE_PARTIAL)
                continue;
            node->partial = tmpl_get(set, node->str);
            if (!node->partial) {
                tmpl_errorf(err, errlen, "%s:%u: partial '%s' not found", t->origin, node->line, node->str);
                rc = TMPL_ESYNTAX;
                goto out;
            }
        }
    }
    for (size_t i = 0; i < set->n; i++) {
        rc = unguarded_depth(set->items[i], 0, err, errlen);
        if (rc < 0)
            goto out;
    }
    rc = 0;
    set->linked = 1;
out:
    return rc;
}

/* ---- loading from a directory ---- */

typedef struct path_list {
    char **items; /* paths relative to the root, "core/home.html" */
    size_t n, cap;
} path_list_t;

static void path_list_free(path_list_t *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
}

static int path_list_push(path_list_t *list, const char *path)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        char **items = realloc(list->items, cap * sizeof(*items));
        if (!items)
            return BUF_ENOMEM;
        list->items = items;
        list->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy)
        return BUF_ENOMEM;
    list->items[list->n++] = copy;
    return 0;
}

/* Writes a "/" b into dst, without the slash when either is empty; -1 when it
 * does not fit. */
static int join_path(char *dst, size_t dstlen, const char *a, const char *b)
{
    size_t alen = strlen(a), blen = strlen(b);
    size_t sep = alen && blen ? 1 : 0; /* the slash between them */
    if (alen + sep + blen >= dstlen)
        return -1;
    memcpy(dst, a, alen);
    if (sep)
        dst[alen] = '/';
    memcpy(dst + alen + sep, b, blen + 1);
    return 0;
}

static int ends_with_html(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".html") == 0;
}

/* Adds every *.html below root/rel (rel "" is the root) to list. Hidden entries
 * (editor backups, .git) are skipped. */
static int collect(const char *root, const char *rel, int depth, path_list_t *list, char *err, size_t errlen)
{
    char dir_path[PATH_MAX];   /* root/rel */
    char child_rel[PATH_MAX];  /* rel/name */
    char child_path[PATH_MAX]; /* root/rel/name */
    DIR *dir = NULL;
    int rc = 0;

    if (join_path(dir_path, sizeof(dir_path), root, rel) < 0) {
        tmpl_errorf(err, errlen, "%s/%s: path too long", root, rel);
        rc = TMPL_ESYNTAX;
        goto out;
    }
    dir = opendir(dir_path);
    if (!dir) {
        tmpl_errorf(err, errlen, "%s: cannot open directory: %s", dir_path, strerror(errno));
        rc = TMPL_ESYNTAX;
        goto out;
    }
    for (;;) {
        errno = 0;
        struct dirent *entry = readdir(dir);
        if (!entry) {
            if (errno != 0) {
                tmpl_errorf(err, errlen, "%s: cannot read directory: %s", dir_path, strerror(errno));
                rc = TMPL_ESYNTAX;
            }
            break;
        }
        if (entry->d_name[0] == '.')
            continue;
        if (join_path(child_rel, sizeof(child_rel), rel, entry->d_name) < 0 ||
            join_path(child_path, sizeof(child_path), dir_path, entry->d_name) < 0) {
            tmpl_errorf(err, errlen, "%s/%s: path too long", dir_path, entry->d_name);
            rc = TMPL_ESYNTAX;
            goto out;
        }
        struct stat st;
        if (stat(child_path, &st) != 0) {
            tmpl_errorf(err, errlen, "%s: %s", child_path, strerror(errno));
            rc = TMPL_ESYNTAX;
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth >= LOAD_MAX_DIR_DEPTH) {
                tmpl_errorf(err, errlen, "%s: directories nested deeper than %d", child_path, LOAD_MAX_DIR_DEPTH);
                rc = TMPL_ESYNTAX;
                goto out;
            }
            rc = collect(root, child_rel, depth + 1, list, err, errlen);
        } else if (S_ISREG(st.st_mode) && ends_with_html(entry->d_name)) {
            rc = path_list_push(list, child_rel);
            if (rc < 0)
                tmpl_errorf(err, errlen, "%s: out of memory", child_path);
        }
        if (rc < 0)
            goto out;
    }
out:
    if (dir)
        closedir(dir);
    return rc;
}

/* Reads path (at most TMPL_MAX_SIZE bytes) into a malloc'd buffer in *text. */
static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    int fd = -1;
    char *data = NULL; /* the contents until handed to the caller */
    int rc = 0;
    struct stat st;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        tmpl_errorf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        rc = TMPL_ESYNTAX;
        goto out;
    }
    if (st.st_size > TMPL_MAX_SIZE) {
        tmpl_errorf(err, errlen, "%s:1: template larger than %d bytes", path, TMPL_MAX_SIZE);
        rc = TMPL_ESYNTAX;
        goto out;
    }
    size_t want = (size_t)st.st_size;
    data = malloc(want + 1);
    if (!data) {
        tmpl_errorf(err, errlen, "%s: out of memory", path);
        rc = BUF_ENOMEM;
        goto out;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, data + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            tmpl_errorf(err, errlen, "%s: cannot read: %s", path,
                        r == 0 ? "file shrank while reading" : strerror(errno));
            rc = TMPL_ESYNTAX;
            goto out;
        }
        got += (size_t)r;
    }
    *text = data;
    *len = got;
    data = NULL;
out:
    free(data);
    if (fd >= 0)
        close(fd);
    return rc;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

tmpl_set_t *tmpl_set_load(const char *dir, char *err, size_t errlen)
{
    tmpl_set_t *set = NULL;
    path_list_t files = {0}; /* *.html below dir, relative to it */
    char *text = NULL;       /* the file being compiled */
    char path[PATH_MAX];     /* dir/relative */
    char name[PATH_MAX];     /* relative without .html */
    int rc = 0;

    if (!dir) {
        tmpl_errorf(err, errlen, "tmpl_set_load: no directory");
        return NULL;
    }
    set = tmpl_set_new();
    if (!set) {
        tmpl_errorf(err, errlen, "%s: out of memory", dir);
        rc = BUF_ENOMEM;
        goto out;
    }
    rc = collect(dir, "", 0, &files, err, errlen);
    if (rc < 0)
        goto out;
    /* Sorted, so that the first error reported is the same on every machine. */
    qsort(files.items, files.n, sizeof(*files.items), compare_paths);
    for (size_t i = 0; i < files.n; i++) {
        const char *rel = files.items[i];
        size_t rel_len = strlen(rel);
        join_path(path, sizeof(path), dir, rel); /* fits: collect checked it */
        memcpy(name, rel, rel_len - 5);
        name[rel_len - 5] = '\0';
        size_t len = 0;
        rc = read_file(path, &text, &len, err, errlen);
        if (rc < 0)
            goto out;
        rc = set_add(set, name, path, text, len, err, errlen);
        free(text);
        text = NULL;
        if (rc < 0)
            goto out;
    }
    rc = tmpl_set_link(set, err, errlen);
out:
    free(text);
    path_list_free(&files);
    if (rc < 0) {
        tmpl_set_free(set);
        set = NULL;
    }
    return set;
}
