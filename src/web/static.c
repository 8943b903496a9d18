/* static.c — in-memory static files with content hashes and gzip (see static.h). */
#include "web/static.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/log.h"

#define STATIC_MAX_FILE (8u * 1024 * 1024) /* a single asset larger than this is a mistake */
#define STATIC_MAX_FILES 4096
#define STATIC_MAX_DEPTH 8

struct static_assets {
    static_file_t *files; /* sorted by path for bsearch */
    size_t count;
};

static const struct {
    const char *ext;
    const char *type;
    int compress; /* text formats gain from gzip; fonts and images are compressed already */
} types[] = {
    {".css", "text/css; charset=utf-8", 1},
    {".js", "text/javascript; charset=utf-8", 1},
    {".mjs", "text/javascript; charset=utf-8", 1},
    {".svg", "image/svg+xml", 1},
    {".json", "application/json", 1},
    {".webmanifest", "application/manifest+json", 1},
    {".txt", "text/plain; charset=utf-8", 1},
    {".html", "text/html; charset=utf-8", 1},
    {".ico", "image/x-icon", 1},
    {".png", "image/png", 0},
    {".jpg", "image/jpeg", 0},
    {".webp", "image/webp", 0},
    {".woff2", "font/woff2", 0},
    {".woff", "font/woff", 0},
    {".ttf", "font/ttf", 1},
};

static int type_of(const char *path, const char **ctype)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(dot, types[i].ext) == 0) {
            *ctype = types[i].type;
            return types[i].compress;
        }
    }
    *ctype = "application/octet-stream";
    return 0;
}

/* gzip (RFC 1952) of data; NULL when it does not make the file at least 10 % smaller. */
static unsigned char *gzip_bytes(const unsigned char *data, size_t n, size_t *outn)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, (uLong)n) + 32;
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&zs);
        return NULL;
    }
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t produced = cap - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END || produced * 10 > n * 9) {
        free(out);
        return NULL;
    }
    *outn = produced;
    return out;
}

static int add_file(static_assets_t *s, const char *fs_path, const char *url_path, char *err, size_t errlen)
{
    if (s->count == STATIC_MAX_FILES) {
        snprintf(err, errlen, "more than %u static files", STATIC_MAX_FILES);
        return -1;
    }
    FILE *f = fopen(fs_path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", fs_path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (size_t)st.st_size > STATIC_MAX_FILE) {
        fclose(f);
        snprintf(err, errlen, "%s: larger than %u bytes or unreadable", fs_path, STATIC_MAX_FILE);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *data = malloc(n ? n : 1);
    if (!data || fread(data, 1, n, f) != n) {
        free(data);
        fclose(f);
        snprintf(err, errlen, "%s: read failed", fs_path);
        return -1;
    }
    fclose(f);

    static_file_t *sf = &s->files[s->count++];
    memset(sf, 0, sizeof(*sf));
    sf->path = strdup(url_path);
    sf->data = data;
    sf->size = n;
    int compress = type_of(url_path, &sf->content_type);
    if (compress && n > 256)
        sf->gz = gzip_bytes(data, n, &sf->gz_size);
    unsigned char h[8];
    crypto_generichash(h, sizeof(h), data, n, NULL, 0);
    for (int i = 0; i < 8; i++)
        snprintf(sf->hash + 2 * i, 3, "%02x", h[i]);
    snprintf(sf->etag, sizeof(sf->etag), "\"%s\"", sf->hash);
    snprintf(sf->url, sizeof(sf->url), "/static/%s/%s", sf->hash, url_path);
    return 0;
}

/* Whether the stylesheet css names the file name in a url(…/name): a font
 * folder holds more files than its stylesheet uses. */
static int referenced(const char *css, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(css, name); p; p = strstr(p + 1, name))
        if (p > css && p[-1] == '/' && (p[n] == '"' || p[n] == '\'' || p[n] == ')'))
            return 1;
    return 0;
}

/* Adds every file below fs_dir (URL prefix + name); with only_in, just the files
 * that stylesheet text references. */
static int walk(static_assets_t *s, const char *fs_dir, const char *prefix, int depth, const char *only_in, char *err,
                size_t errlen)
{
    if (depth > STATIC_MAX_DEPTH)
        return 0;
    DIR *d = opendir(fs_dir);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden files and . / .. are never served */
        char fs[1024], url[512];
        if (snprintf(fs, sizeof(fs), "%s/%s", fs_dir, de->d_name) >= (int)sizeof(fs) ||
            snprintf(url, sizeof(url), "%s%s", prefix, de->d_name) >= (int)sizeof(url))
            continue;
        struct stat st;
        if (stat(fs, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            char sub[520];
            snprintf(sub, sizeof(sub), "%s/", url);
            rc = walk(s, fs, sub, depth + 1, only_in, err, errlen);
            if (rc < 0 && !err[0])
                rc = 0; /* an unreadable sub-directory is skipped */
        } else if (S_ISREG(st.st_mode) && (!only_in || referenced(only_in, de->d_name))) {
            rc = add_file(s, fs, url, err, errlen);
        }
    }
    closedir(d);
    return rc;
}

/* Only the parts of the KERN UX distribution that pages use: the minified CSS,
 * the Fira Sans font and the component scripts. The rest (unminified CSS, other
 * fonts) would only cost memory and start-up time. Of the font folder only the
 * files its stylesheet (the part before it) references: 10 of 33, 3 MB less. */
static const char *const kern_parts[] = {"kern.min.css", "fonts/fira-sans.css", "fonts/fira-sans", "js"};
#define KERN_FONT_CSS "kern/fonts/fira-sans.css"
#define KERN_FONT_DIR "fonts/fira-sans"

/* The text of an already loaded file, NUL-terminated (malloc'd), or NULL. */
static char *loaded_text(const static_assets_t *s, const char *path)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return strndup((const char *)s->files[i].data, s->files[i].size);
    return NULL;
}

static int load_kern(static_assets_t *s, const char *kern_dir, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(kern_parts) / sizeof(kern_parts[0]); i++) {
        char fs[512], url[300];
        snprintf(fs, sizeof(fs), "%s/%s", kern_dir, kern_parts[i]);
        snprintf(url, sizeof(url), "kern/%s", kern_parts[i]);
        struct stat st;
        if (stat(fs, &st) != 0) {
            log_kv(LOG_WARN, "KERN UX file missing; pages will lack its styles", "path", fs, "fix", "npm ci", NULL);
            continue;
        }
        int rc;
        if (S_ISDIR(st.st_mode)) {
            char prefix[310];
            snprintf(prefix, sizeof(prefix), "%s/", url);
            err[0] = '\0';
            char *only_in = strcmp(kern_parts[i], KERN_FONT_DIR) == 0 ? loaded_text(s, KERN_FONT_CSS) : NULL;
            rc = walk(s, fs, prefix, 1, only_in, err, errlen);
            free(only_in);
        } else {
            rc = add_file(s, fs, url, err, errlen);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const static_file_t *)a)->path, ((const static_file_t *)b)->path);
}

static_assets_t *static_load(const char *dir, const char *kern_dir, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not start");
        return NULL;
    }
    static_assets_t *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->files = calloc(STATIC_MAX_FILES, sizeof(static_file_t));
    if (!s->files)
        goto fail;
    err[0] = '\0';
    if (walk(s, dir, "", 0, NULL, err, errlen) != 0) {
        if (!err[0])
            snprintf(err, errlen, "static directory %s: %s", dir, strerror(errno));
        goto fail;
    }
    if (kern_dir && kern_dir[0] && load_kern(s, kern_dir, err, errlen) != 0)
        goto fail;
    qsort(s->files, s->count, sizeof(static_file_t), cmp_file);
    return s;
fail:
    static_free(s);
    return NULL;
}

void static_free(static_assets_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->files && i < s->count; i++) {
        free((void *)s->files[i].path);
        free((void *)s->files[i].data);
        free((void *)s->files[i].gz);
    }
    free(s->files);
    free(s);
}

const static_file_t *static_find(const static_assets_t *s, const char *path)
{
    static_file_t key;
    key.path = path;
    return bsearch(&key, s->files, s->count, sizeof(static_file_t), cmp_file);
}

const char *static_url(const static_assets_t *s, const char *path)
{
    const static_file_t *f = static_find(s, path);
    return f ? f->url : "/static/missing/";
}

size_t static_count(const static_assets_t *s) { return s->count; }

const static_file_t *static_at(const static_assets_t *s, size_t i) { return i < s->count ? &s->files[i] : NULL; }
