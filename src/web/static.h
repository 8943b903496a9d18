/* static.h — static files (our CSS/JS/images and KERN UX), held in memory.
 *
 * At start-up every file under static/ and the KERN UX distribution is read,
 * hashed (BLAKE2b) and, where it compresses, gzipped once. URLs carry the hash:
 * /static/<hash>/<path>. A request with the current hash is cached for a year
 * (immutable); any other hash still gets the file, with a short cache, so that
 * relative references inside CSS (fonts) resolve. ETag is the hash; a matching
 * If-None-Match gets 304.
 */
#ifndef RATHAUS_WEB_STATIC_H
#define RATHAUS_WEB_STATIC_H

#include <stddef.h>

typedef struct static_assets static_assets_t;

typedef struct static_file {
    const char *path;         /* "css/rathaus.css", "kern/kern.min.css" */
    const char *content_type;
    const unsigned char *data;
    size_t size;
    const unsigned char *gz;  /* NULL when gzip does not pay */
    size_t gz_size;
    char hash[17];            /* 16 hex digits */
    char etag[21];            /* "\"<hash>\"" */
    char url[560];            /* /static/<hash>/<path>; paths are at most 511 bytes */
} static_file_t;

/* Loads dir (mounted at "") and kern_dir (mounted at "kern/"); kern_dir may be
 * missing (a warning, pages then lack the KERN styles). NULL with err on failure. */
static_assets_t *static_load(const char *dir, const char *kern_dir, char *err, size_t errlen);
void static_free(static_assets_t *s);
const static_file_t *static_find(const static_assets_t *s, const char *path);
/* The hashed URL of a file, or "/static/missing/<path>" when unknown. */
const char *static_url(const static_assets_t *s, const char *path);
size_t static_count(const static_assets_t *s);
/* The i-th file (0 ≤ i < static_count), in path order. */
const static_file_t *static_at(const static_assets_t *s, size_t i);

#endif
