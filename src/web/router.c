/* router.c — route tables to matches (see router.h).
 *
 * Route counts are small (a few hundred), so a linear scan over pre-split
 * patterns is both simple and fast: matching compares segment pointers and
 * lengths, and only a matching route decodes its parameters.
 */
#include "web/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "web/form.h"

typedef struct seg {
    const char *text; /* literal text, or the parameter name without ':' */
    size_t len;
    int is_param;
} seg_t;

typedef struct entry {
    const route_t *route;
    const char *module;
    seg_t segs[ROUTER_MAX_SEGMENTS];
    size_t nsegs;
    int prefix; /* last parameter takes the rest of the path */
} entry_t;

struct router {
    entry_t *entries;
    size_t count;
};

static int split_pattern(const char *pat, entry_t *e, char *err, size_t errlen)
{
    if (pat[0] != '/') {
        snprintf(err, errlen, "route '%s': pattern must start with /", pat);
        return -1;
    }
    const char *p = pat + 1;
    e->nsegs = 0;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || e->nsegs == ROUTER_MAX_SEGMENTS) {
            snprintf(err, errlen, "route '%s': empty segment or more than %d segments", pat,
                     ROUTER_MAX_SEGMENTS);
            return -1;
        }
        seg_t *s = &e->segs[e->nsegs++];
        s->is_param = p[0] == ':';
        s->text = s->is_param ? p + 1 : p;
        s->len = s->is_param ? len - 1 : len;
        if (s->is_param && s->len == 0) {
            snprintf(err, errlen, "route '%s': parameter without a name", pat);
            return -1;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    return 0;
}

router_t *router_build(const module_t *const *modules, size_t count, int with_test, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t m = 0; m < count; m++)
        total += modules[m]->route_count;
    router_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->entries = calloc(total ? total : 1, sizeof(entry_t));
    if (!r->entries)
        goto fail;
    for (size_t m = 0; m < count; m++) {
        for (size_t i = 0; i < modules[m]->route_count; i++) {
            const route_t *rt = &modules[m]->routes[i];
            if ((rt->flags & ROUTE_TEST) && !with_test)
                continue;
            entry_t *e = &r->entries[r->count];
            e->route = rt;
            e->module = modules[m]->name;
            e->prefix = (rt->flags & ROUTE_PREFIX) != 0;
            if (split_pattern(rt->pattern, e, err, errlen) != 0)
                goto fail;
            size_t params = 0;
            for (size_t s = 0; s < e->nsegs; s++)
                params += e->segs[s].is_param;
            if (params > HTTP_MAX_PARAMS) {
                snprintf(err, errlen, "route '%s': more than %d parameters", rt->pattern, HTTP_MAX_PARAMS);
                goto fail;
            }
            for (size_t k = 0; k < r->count; k++) {
                if (!strcmp(r->entries[k].route->method, rt->method) &&
                    !strcmp(r->entries[k].route->pattern, rt->pattern)) {
                    snprintf(err, errlen, "route %s %s declared twice (modules %s and %s)", rt->method,
                             rt->pattern, r->entries[k].module, e->module);
                    goto fail;
                }
            }
            r->count++;
        }
    }
    return r;
fail:
    router_free(r);
    return NULL;
}

void router_free(router_t *r)
{
    if (!r)
        return;
    free(r->entries);
    free(r);
}

size_t router_count(const router_t *r) { return r->count; }

const route_t *router_route(const router_t *r, size_t i, const char **module)
{
    if (i >= r->count)
        return NULL;
    if (module)
        *module = r->entries[i].module;
    return r->entries[i].route;
}

/* Decodes one raw segment; NULL for a bad escape, NUL, invalid UTF-8 or a dot segment. */
static char *decode_segment(arena_t *a, const char *s, size_t n, size_t *outlen)
{
    size_t o;
    char *out = form_percent_decode(a, s, n, 0, &o);
    if (!out || memchr(out, '\0', o) || !utf8_valid(out, o))
        return NULL;
    if ((o == 1 && out[0] == '.') || (o == 2 && out[0] == '.' && out[1] == '.'))
        return NULL;
    *outlen = o;
    return out;
}

int router_match(const router_t *r, arena_t *a, const char *method, const char *path, size_t path_len,
                 router_match_t *out)
{
    memset(out, 0, sizeof(*out));
    out->index = -1;
    if (path_len == 0 || path[0] != '/')
        return ROUTER_EBADPATH;
    /* A trailing slash names the same page ("/impressum/" is "/impressum"). */
    if (path_len > 1 && path[path_len - 1] == '/')
        path_len--;

    /* Split the request path into raw segments once. */
    const char *raw[ROUTER_MAX_SEGMENTS + 1];
    size_t rawlen[ROUTER_MAX_SEGMENTS + 1];
    const char *rest[ROUTER_MAX_SEGMENTS + 1]; /* where segment i starts, for prefix routes */
    size_t nraw = 0;
    size_t i = 1;
    while (i < path_len) {
        if (nraw == ROUTER_MAX_SEGMENTS + 1)
            return ROUTER_ENOTFOUND; /* deeper than any route */
        size_t start = i;
        while (i < path_len && path[i] != '/')
            i++;
        if (i == start)
            return ROUTER_EBADPATH; /* "//" */
        rest[nraw] = path + start;
        raw[nraw] = path + start;
        rawlen[nraw++] = i - start;
        i++;
    }

    int is_head = !strcmp(method, "HEAD");
    int path_matched = 0;
    size_t allow_len = 0;
    for (size_t k = 0; k < r->count; k++) {
        const entry_t *e = &r->entries[k];
        if (e->prefix ? nraw < e->nsegs : nraw != e->nsegs)
            continue;
        int ok = 1;
        for (size_t s = 0; s < e->nsegs && ok; s++)
            if (!e->segs[s].is_param && (rawlen[s] != e->segs[s].len || memcmp(raw[s], e->segs[s].text, rawlen[s])))
                ok = 0;
        if (!ok)
            continue;
        const char *m = e->route->method;
        if (strcmp(m, method) != 0 && !(is_head && !strcmp(m, "GET"))) {
            if (!path_matched || !strstr(out->allow, m)) {
                int w = snprintf(out->allow + allow_len, sizeof(out->allow) - allow_len, "%s%s%s",
                                 allow_len ? ", " : "", m, !strcmp(m, "GET") ? ", HEAD" : "");
                if (w > 0 && (size_t)w < sizeof(out->allow) - allow_len)
                    allow_len += (size_t)w;
            }
            path_matched = 1;
            continue;
        }
        /* Decode parameters only for the route that matched. */
        for (size_t s = 0; s < e->nsegs; s++) {
            if (!e->segs[s].is_param)
                continue;
            size_t n = rawlen[s];
            if (e->prefix && s == e->nsegs - 1)
                n = (size_t)(path + path_len - rest[s]);
            size_t dl;
            char *v;
            if (e->prefix && s == e->nsegs - 1) {
                /* The rest keeps its slashes; each of its segments is checked. */
                v = h2o_mem_alloc_pool(a, n + 1);
                size_t o = 0;
                for (size_t t = s; t < nraw; t++) {
                    char *d = decode_segment(a, raw[t], rawlen[t], &dl);
                    if (!d || memchr(d, '/', dl))
                        return ROUTER_EBADPATH;
                    if (o)
                        v[o++] = '/';
                    memcpy(v + o, d, dl);
                    o += dl;
                }
                v[o] = '\0';
            } else {
                v = decode_segment(a, raw[s], n, &dl);
                if (!v)
                    return ROUTER_EBADPATH;
            }
            out->names[out->count] = arena_strndup(a, e->segs[s].text, e->segs[s].len);
            out->values[out->count++] = v;
        }
        out->route = e->route;
        out->module = e->module;
        out->index = (int)k;
        return ROUTER_FOUND;
    }
    return path_matched ? ROUTER_ENOMETHOD : ROUTER_ENOTFOUND;
}
