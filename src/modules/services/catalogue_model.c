/* catalogue_model.c — queries and view models of the service catalogue (see
 * catalogue_model.h).
 *
 * Search: the query is turned into terms by platform/search.c, exactly as the
 * importer turned each service's texts into service_terms rows; the rows whose
 * term equals a query term are summed per service. The SQL compares terms with
 * "=" only (an IN list with a fixed number of slots, the unused ones NULL), so
 * both engines find the same rows, and the order is made in C. A common word
 * matches a large part of a big catalogue, and ordering the matches needs all
 * their names; so the full ranking (ids and scores, best first) is computed once
 * per catalogue generation and query and kept (catalogue_cache.c). A page then
 * costs the generation lookup (platform/generation.h) and one read of its own services' details.
 *
 * The life situations' counts are kept the same way.
 */
#include "modules/services/catalogue_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "modules/services/catalogue_cache.h"
#include "modules/services/internal.h"
#include "platform/generation.h"
#include "platform/search.h"
#include "view/i18n.h"
#include "view/markdown.h"

#define SEARCH_SLOTS 16           /* query terms per SQL round trip */
#define DETAIL_SLOTS 32           /* services whose details one round trip reads */
#define MARKDOWN_MAX (512 * 1024) /* bytes of HTML from one Markdown field */
#define DOCUMENTS_MAX 100         /* documents shown for one service */

static const char sql_all[] = "SELECT id, slug, name, summary, published FROM services WHERE published >= $1";

/* Search, when no ranking is kept for the query: the rows of its terms (the
 * index service_terms_search) with the names that break ties. */
static const char sql_match[] =
    "SELECT t.service_id, t.weight, s.name, s.slug FROM service_terms t JOIN services s ON s.id = t.service_id "
    "WHERE t.term IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";

/* Search: the details of the services a result page shows. */
static const char sql_details[] =
    "SELECT id, slug, name, summary, published FROM services WHERE id IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, "
    "$32)";

static const char sql_situation_services[] =
    "SELECT s.id, s.slug, s.name, s.summary, s.published FROM service_life_situations x "
    "JOIN services s ON s.id = x.service_id WHERE x.situation_id = $1 AND s.published >= $2";

static const char sql_situations[] =
    "SELECT l.slug, l.name, l.description, (SELECT COUNT(*) FROM service_life_situations x "
    "JOIN services s ON s.id = x.service_id WHERE x.situation_id = l.id AND s.published = 1) "
    "FROM life_situations l ORDER BY l.position, l.id";

static const char sql_situation[] = "SELECT id, slug, name, description FROM life_situations WHERE slug = $1";

static const char sql_service[] =
    "SELECT s.id, s.slug, s.name, s.leika_key, s.summary, s.description, s.easy_language, s.eligibility, "
    "s.documents, s.fees, s.processing_time, s.legal_basis, s.maturity, s.form_key, s.external_url, "
    "s.appointments, s.min_trust, s.published, s.updated_at, u.slug, u.name, u.address, u.phone, u.email, "
    "u.opening_hours FROM services s JOIN units u ON u.id = s.unit_id WHERE s.slug = $1";

static const char sql_service_situations[] =
    "SELECT l.slug, l.name FROM service_life_situations x JOIN life_situations l ON l.id = x.situation_id "
    "WHERE x.service_id = $1 ORDER BY l.position, l.id";

/* OZG maturity levels (Reifegrad 0–7) in plain words. */
static const char *const maturity_labels[] = {
    N_("Offline: Informationen gibt es nur vor Ort."),
    N_("Information: Sie finden alle Informationen online."),
    N_("Formular online: Sie bereiten den Antrag online vor und schließen ihn vor Ort oder per Post ab."),
    N_("Online-Antrag: Sie stellen den Antrag vollständig online und erhalten das Ergebnis digital."),
    N_("Digitale Bearbeitung: Auch die Verwaltung bearbeitet Ihren Antrag ohne Papier."),
    N_("Durchgängig digital: vom Antrag bis zum Bescheid ohne Medienbruch, auch zwischen Behörden."),
    N_("Einmal-Prinzip: Nachweise holt die Verwaltung mit Ihrem Einverständnis selbst aus Registern."),
    N_("Proaktiv: Die Verwaltung wird von sich aus tätig, ein Antrag ist nicht nötig."),
};

/* What an online application needs (services.min_trust, the trust levels of web/auth.h). */
static const char *const trust_labels[] = {
    N_("Kein Nutzerkonto nötig, auch anonym möglich"),
    N_("Nutzerkonto (Vertrauensniveau basisregistriert)"),
    N_("Nutzerkonto mit Vertrauensniveau substantiell, zum Beispiel mit der Online-Ausweisfunktion"),
    N_("Nutzerkonto mit Vertrauensniveau hoch (Online-Ausweisfunktion)"),
};

static const char *text_or_empty(const char *s)
{
    return s ? s : "";
}

/* ---- German dictionary order ------------------------------------------------------ */

/* Base letters of U+00C0..U+00FF for sorting ('*': several letters, see below). */
static const char sort_latin1[] = "aaaaaa*ceeeeiiiidnooooo*ouuuuy**"
                                  "aaaaaa*ceeeeiiiidnooooo*ouuuuy*y";
_Static_assert(sizeof(sort_latin1) == 64 + 1, "one letter per code point of U+00C0..U+00FF");

const char *catalogue_sort_key(arena_t *a, const char *name)
{
    size_t n = strlen(name);
    char *key = arena_alloc(a, n * 2 + 1); /* ß → ss at most doubles */
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            key[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        if (c == 0xC3 && i + 1 < n) {
            unsigned cp = 0xC0 + (s[i + 1] & 0x3F);
            char base = sort_latin1[cp - 0xC0];
            if (base != '*') {
                key[o++] = base;
            } else if (cp == 0xC6 || cp == 0xE6) { /* Æ æ */
                key[o++] = 'a';
                key[o++] = 'e';
            } else if (cp == 0xDF) { /* ß */
                key[o++] = 's';
                key[o++] = 's';
            } else if (cp == 0xDE || cp == 0xFE) { /* Þ þ */
                key[o++] = 't';
                key[o++] = 'h';
            } else { /* × ÷ keep their bytes */
                key[o++] = (char)s[i];
                key[o++] = (char)s[i + 1];
            }
            i += 2;
            continue;
        }
        /* Other characters keep their bytes (and so sort after the Latin letters). */
        key[o++] = (char)c;
        i++;
    }
    key[o] = '\0';
    return key;
}

char catalogue_letter(const char *sort_key)
{
    char c = sort_key[0];
    return c >= 'a' && c <= 'z' ? (char)(c - 32) : '#';
}

/* A–Z: sort key, then the name's bytes, then the slug (unique). */
static int cmp_name(const void *pa, const void *pb)
{
    const catalogue_item_t *a = pa, *b = pb;
    int c = strcmp(a->sort_key, b->sort_key);
    if (c == 0)
        c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->slug, b->slug);
}

/* ---- lists -------------------------------------------------------------------------- */

/* A growing array of items in the arena. */
typedef struct item_vec {
    arena_t *arena;
    catalogue_item_t *items;
    size_t count, cap;
} item_vec_t;

static catalogue_item_t *vec_push(item_vec_t *v)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        catalogue_item_t *items = arena_alloc(v->arena, cap * sizeof(*items));
        if (v->count)
            memcpy(items, v->items, v->count * sizeof(*items));
        v->items = items;
        v->cap = cap;
    }
    return &v->items[v->count++];
}

/* Reads the columns id, slug, name, summary, published of the current row. */
static void read_item(db_stmt_t *st, arena_t *a, catalogue_item_t *it)
{
    it->id = db_column_int64(st, 0);
    it->slug = arena_strdup(a, text_or_empty(db_column_text(st, 1)));
    it->name = arena_strdup(a, text_or_empty(db_column_text(st, 2)));
    it->summary = arena_strdup(a, text_or_empty(db_column_text(st, 3)));
    it->published = db_column_int64(st, 4) != 0;
    it->sort_key = catalogue_sort_key(a, it->name);
    it->score = 0;
}

/* Runs a prepared statement that yields item rows and sorts them A–Z. */
static int collect_sorted(db_stmt_t *st, arena_t *a, catalogue_list_t *out)
{
    item_vec_t v = {.arena = a};
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        read_item(st, a, vec_push(&v));
    db_reset(st);
    if (rc != DB_DONE)
        return rc < 0 ? rc : DB_ERROR;
    if (v.count)
        qsort(v.items, v.count, sizeof(v.items[0]), cmp_name);
    out->items = v.items;
    out->count = v.count;
    return 0;
}

int catalogue_all(db_t *db, arena_t *a, int with_unpublished, catalogue_list_t *out)
{
    db_stmt_t *st;
    out->items = NULL;
    out->count = 0;
    if (db_prepare(db, sql_all, &st) != 0)
        return DB_ERROR;
    db_bind_int64(st, 1, with_unpublished ? 0 : 1);
    return collect_sorted(st, a, out);
}

int catalogue_situation_services(db_t *db, arena_t *a, int64_t situation_id, int with_unpublished,
                                 catalogue_list_t *out)
{
    db_stmt_t *st;
    out->items = NULL;
    out->count = 0;
    if (db_prepare(db, sql_situation_services, &st) != 0)
        return DB_ERROR;
    db_bind_int64(st, 1, situation_id);
    db_bind_int64(st, 2, with_unpublished ? 0 : 1);
    return collect_sorted(st, a, out);
}

/* ---- search ------------------------------------------------------------------------ */

/* A matching service while its ranking is computed. */
typedef struct match {
    int64_t id;
    int64_t score; /* summed weight of its rows */
    const char *name;
    const char *slug;
} match_t;

static int cmp_match_id(const void *pa, const void *pb)
{
    const match_t *a = pa, *b = pb;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Higher score first (sort_ties then orders equal scores A–Z). */
static int cmp_match_rank(const void *pa, const void *pb)
{
    const match_t *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return 0;
}

static int cmp_text(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* The cache key of a query: its terms sorted and joined by newlines, so that
 * the same words in another order share one ranking. */
static const char *ranking_key(arena_t *a, const char **terms, size_t n)
{
    const char **sorted = arena_alloc(a, n * sizeof(*sorted));
    memcpy(sorted, terms, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_text);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(sorted[i]) + 1;
    char *key = arena_alloc(a, len + 1), *o = key;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(sorted[i]);
        memcpy(o, sorted[i], l);
        o += l;
        *o++ = '\n';
    }
    *o = '\0';
    return key;
}

/* Orders a run of equal scores A–Z (German dictionary order, then the name's
 * bytes, then the slug: as cmp_name). */
static void sort_ties(arena_t *a, match_t *run, size_t n)
{
    if (n < 2)
        return;
    catalogue_item_t *items = arena_alloc(a, n * sizeof(*items));
    for (size_t i = 0; i < n; i++)
        items[i] = (catalogue_item_t){.id = run[i].id,
                                      .score = run[i].score,
                                      .name = run[i].name,
                                      .slug = run[i].slug,
                                      .sort_key = catalogue_sort_key(a, run[i].name)};
    qsort(items, n, sizeof(*items), cmp_name);
    for (size_t i = 0; i < n; i++)
        run[i] = (match_t){items[i].id, items[i].score, items[i].name, items[i].slug};
}

/* The full ranking of the query's terms: every matching service, best first.
 * Sets *hits (arena) and *count. Returns 0 or < 0 on a database error. */
static int rank_terms(db_t *db, arena_t *a, const char **terms, size_t term_count, catalogue_hit_t **hits,
                      size_t *count)
{
    *hits = NULL;
    *count = 0;
    size_t n = 0, cap = 0;
    match_t *rows = NULL;
    /* One round trip per SEARCH_SLOTS terms. */
    for (size_t first = 0; first < term_count; first += SEARCH_SLOTS) {
        db_stmt_t *st;
        if (db_prepare(db, sql_match, &st) != 0)
            return DB_ERROR;
        for (int slot = 0; slot < SEARCH_SLOTS; slot++) {
            size_t i = first + (size_t)slot;
            if (i < term_count)
                db_bind_text(st, slot + 1, terms[i], -1);
            else
                db_bind_null(st, slot + 1);
        }
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            if (n == cap) {
                size_t grown = cap ? cap * 2 : 256;
                match_t *bigger = arena_alloc(a, grown * sizeof(*bigger));
                if (n)
                    memcpy(bigger, rows, n * sizeof(*rows));
                rows = bigger;
                cap = grown;
            }
            rows[n++] = (match_t){db_column_int64(st, 0), db_column_int64(st, 1),
                                  arena_strdup(a, text_or_empty(db_column_text(st, 2))),
                                  arena_strdup(a, text_or_empty(db_column_text(st, 3)))};
        }
        db_reset(st);
        if (rc != DB_DONE)
            return DB_ERROR;
    }
    /* One match per service, its rows' weights summed: a single term has one row
     * per service (the primary key), several terms need their rows merged. */
    if (n > 1 && term_count > 1) {
        qsort(rows, n, sizeof(*rows), cmp_match_id);
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            if (o > 0 && rows[o - 1].id == rows[i].id)
                rows[o - 1].score += rows[i].score;
            else
                rows[o++] = rows[i];
        }
        n = o;
    }
    if (n > 1) {
        qsort(rows, n, sizeof(*rows), cmp_match_rank);
        for (size_t from = 0; from < n;) {
            size_t to = from + 1;
            while (to < n && rows[to].score == rows[from].score)
                to++;
            sort_ties(a, rows + from, to - from);
            from = to;
        }
    }
    catalogue_hit_t *out = arena_alloc(a, (n ? n : 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = (catalogue_hit_t){rows[i].id, rows[i].score};
    *hits = out;
    *count = n;
    return 0;
}

/* Reads slug, name and summary of the given hits (DETAIL_SLOTS ids per round
 * trip) into items, in the hits' order; a service deleted since the ranking
 * was made is left out. Returns 0 or < 0. */
static int read_hits(db_t *db, arena_t *a, const catalogue_hit_t *hits, size_t n, catalogue_item_t *items, size_t *read)
{
    *read = 0;
    unsigned char *present = arena_alloc(a, n ? n : 1);
    memset(present, 0, n ? n : 1);
    for (size_t first = 0; first < n; first += DETAIL_SLOTS) {
        size_t last = first + DETAIL_SLOTS < n ? first + DETAIL_SLOTS : n;
        db_stmt_t *st;
        if (db_prepare(db, sql_details, &st) != 0)
            return DB_ERROR;
        for (int slot = 0; slot < DETAIL_SLOTS; slot++) {
            size_t i = first + (size_t)slot;
            if (i < n)
                db_bind_int64(st, slot + 1, hits[i].id);
            else
                db_bind_null(st, slot + 1);
        }
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t id = db_column_int64(st, 0);
            for (size_t i = first; i < last; i++) {
                if (hits[i].id != id || present[i])
                    continue;
                read_item(st, a, &items[i]);
                items[i].score = hits[i].score;
                present[i] = 1;
                break;
            }
        }
        db_reset(st);
        if (rc != DB_DONE)
            return DB_ERROR;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (present[i])
            items[o++] = items[i];
    *read = o;
    return 0;
}

int catalogue_search(db_t *db, arena_t *a, const char *query, size_t offset, size_t limit, catalogue_list_t *page,
                     size_t *total)
{
    page->items = NULL;
    page->count = 0;
    *total = 0;
    const char **terms;
    size_t term_count;
    if (search_terms(a, query, &terms, &term_count) != 0)
        return -1;
    if (term_count == 0)
        return 0;
    int64_t generation;
    if (generation_read(db, "catalogue", &generation) != 0)
        return -2;
    const char *key = ranking_key(a, terms, term_count);
    catalogue_hit_t *hits;
    size_t count;
    if (!catalogue_cache_ranking_get(generation, key, offset, limit, a, &hits, &count, total)) {
        catalogue_hit_t *all;
        size_t n;
        if (rank_terms(db, a, terms, term_count, &all, &n) != 0)
            return -2;
        catalogue_cache_ranking_put(generation, key, all, n);
        *total = n;
        hits = all + (offset < n ? offset : n);
        count = offset < n ? (n - offset < limit ? n - offset : limit) : 0;
    }
    if (count == 0)
        return 0;
    catalogue_item_t *items = arena_alloc(a, count * sizeof(*items));
    size_t read;
    if (read_hits(db, a, hits, count, items, &read) != 0)
        return -2;
    page->items = items;
    page->count = read;
    return 0;
}

json_t *catalogue_item_json(const catalogue_item_t *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "slug", json_string(it->slug));
    json_object_set_new(o, "name", json_string(it->name));
    json_object_set_new(o, "summary", json_string(it->summary));
    json_object_set_new(o, "url", json_sprintf("/leistungen/%s", it->slug));
    if (it->score > 0)
        json_object_set_new(o, "score", json_integer(it->score));
    if (!it->published)
        json_object_set_new(o, "unpublished", json_true()); /* only editors see such items */
    return o;
}

json_t *catalogue_items_json(const catalogue_list_t *list, size_t offset, size_t limit)
{
    json_t *arr = json_array();
    for (size_t i = offset; i < list->count && i - offset < limit; i++)
        json_array_append_new(arr, catalogue_item_json(&list->items[i]));
    return arr;
}

/* ---- life situations ------------------------------------------------------------------ */

/* Markdown text as HTML (md4c, raw HTML off), or NULL when it cannot be rendered. */
static json_t *markdown_json(arena_t *a, const char *md)
{
    size_t n = strlen(md);
    buf_t out;
    buf_init(&out, a, n * 2 + 64, MARKDOWN_MAX);
    if (markdown_to_html(md, n, &out) != 0)
        return NULL;
    return json_stringn(out.data ? out.data : "", out.len);
}

/* Sets key to the HTML of md; returns 0, or -1 when rendering failed. */
static int set_markdown(json_t *o, arena_t *a, const char *key, const char *md)
{
    json_t *html = markdown_json(a, md);
    if (!html)
        return -1;
    json_object_set_new(o, key, html);
    return 0;
}

int catalogue_situations(db_t *db, json_t **out)
{
    db_stmt_t *st;
    *out = NULL;
    int64_t generation;
    if (generation_read(db, "catalogue", &generation) != 0)
        return DB_ERROR;
    if ((*out = catalogue_cache_situations_get(generation)) != NULL)
        return 0;
    if (db_prepare(db, sql_situations, &st) != 0)
        return DB_ERROR;
    json_t *arr = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *slug = text_or_empty(db_column_text(st, 0));
        json_t *o = json_object();
        json_object_set_new(o, "slug", json_string(slug));
        json_object_set_new(o, "name", json_string(text_or_empty(db_column_text(st, 1))));
        json_object_set_new(o, "description", json_string(text_or_empty(db_column_text(st, 2))));
        json_object_set_new(o, "url", json_sprintf("/leistungen/lebenslagen/%s", slug));
        json_object_set_new(o, "count", json_integer(db_column_int64(st, 3)));
        json_array_append_new(arr, o);
    }
    db_reset(st);
    if (rc != DB_DONE) {
        json_decref(arr);
        return DB_ERROR;
    }
    catalogue_cache_situations_put(generation, arr);
    *out = arr;
    return 0;
}

int catalogue_situation(db_t *db, arena_t *a, const char *slug, json_t **out, int64_t *id)
{
    db_stmt_t *st;
    *out = NULL;
    if (db_prepare(db, sql_situation, &st) != 0)
        return DB_ERROR;
    db_bind_text(st, 1, slug, -1);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? 1 : DB_ERROR;
    }
    *id = db_column_int64(st, 0);
    const char *description = arena_strdup(a, text_or_empty(db_column_text(st, 3)));
    json_t *o = json_object();
    json_object_set_new(o, "slug", json_string(text_or_empty(db_column_text(st, 1))));
    json_object_set_new(o, "name", json_string(text_or_empty(db_column_text(st, 2))));
    json_object_set_new(o, "description", json_string(description));
    json_object_set_new(o, "url", json_sprintf("/leistungen/lebenslagen/%s", slug));
    db_reset(st);
    if (set_markdown(o, a, "description_html", description) != 0) {
        json_decref(o);
        return -1;
    }
    *out = o;
    return 0;
}

/* ---- one service ------------------------------------------------------------------------- */

/* "06131 12-0" → "tel:06131120": the digits (and a leading +) for a tel: link. */
static json_t *tel_href(arena_t *a, const char *phone)
{
    size_t n = strlen(phone);
    char *out = arena_alloc(a, n + 5);
    size_t o = 0;
    memcpy(out, "tel:", 4);
    o = 4;
    for (size_t i = 0; i < n; i++)
        if ((phone[i] >= '0' && phone[i] <= '9') || (phone[i] == '+' && o == 4))
            out[o++] = phone[i];
    out[o] = '\0';
    return o > 4 ? json_string(out) : json_null();
}

/* The documents column (a JSON array of strings) as an array; [] when unreadable. */
static json_t *documents_json(const char *text)
{
    json_t *docs = json_loads(text, 0, NULL);
    json_t *out = json_array();
    size_t i;
    json_t *d;
    if (json_is_array(docs)) {
        json_array_foreach(docs, i, d)
        {
            if (json_is_string(d) && i < DOCUMENTS_MAX)
                json_array_append(out, d);
        }
    }
    json_decref(docs);
    return out;
}

/* Reads the unit columns (from col) of the service row into a unit object. */
static json_t *unit_json(db_stmt_t *st, arena_t *a, int col, int *failed)
{
    const char *phone = text_or_empty(db_column_text(st, col + 2));
    const char *email = text_or_empty(db_column_text(st, col + 3));
    const char *hours = text_or_empty(db_column_text(st, col + 4));
    json_t *u = json_object();
    json_object_set_new(u, "slug", json_string(text_or_empty(db_column_text(st, col - 1))));
    json_object_set_new(u, "name", json_string(text_or_empty(db_column_text(st, col))));
    json_object_set_new(u, "address", json_string(text_or_empty(db_column_text(st, col + 1))));
    json_object_set_new(u, "phone", json_string(phone));
    json_object_set_new(u, "phone_href", tel_href(a, phone));
    json_object_set_new(u, "email", json_string(email));
    json_object_set_new(u, "email_href", *email ? json_sprintf("mailto:%s", email) : json_null());
    json_object_set_new(u, "opening_hours", json_string(hours));
    if (set_markdown(u, a, "opening_hours_html", hours) != 0)
        *failed = 1;
    return u;
}

int catalogue_service(db_t *db, arena_t *a, const char *slug, const char *lang, int with_unpublished, json_t **out)
{
    db_stmt_t *st;
    *out = NULL;
    if (db_prepare(db, sql_service, &st) != 0)
        return DB_ERROR;
    db_bind_text(st, 1, slug, -1);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? 1 : DB_ERROR;
    }
    int published = db_column_int64(st, 17) != 0;
    if (!published && !with_unpublished) {
        db_reset(st);
        return 1;
    }
    int failed = 0;
    int64_t id = db_column_int64(st, 0);
    const char *service_slug = arena_strdup(a, text_or_empty(db_column_text(st, 1)));
    const char *form_key = text_or_empty(db_column_text(st, 13));
    const char *external_url = text_or_empty(db_column_text(st, 14));
    const char *easy = text_or_empty(db_column_text(st, 6));
    int appointments = db_column_int64(st, 15) != 0;
    int64_t maturity = db_column_int64(st, 12);
    int64_t min_trust = db_column_int64(st, 16);
    if (maturity < 0 || maturity > 7)
        maturity = 0;
    if (min_trust < 0 || min_trust > 3)
        min_trust = 1;

    json_t *o = json_object();
    json_object_set_new(o, "slug", json_string(service_slug));
    json_object_set_new(o, "name", json_string(text_or_empty(db_column_text(st, 2))));
    json_object_set_new(o, "leika_key", json_string(text_or_empty(db_column_text(st, 3))));
    json_object_set_new(o, "summary", json_string(text_or_empty(db_column_text(st, 4))));
    static const struct {
        const char *key; /* field name in the model; "<key>_html" holds its HTML */
        int col;
    } markdown_fields[] = {{"description", 5}, {"easy_language", 6}, {"eligibility", 7}, {"fees", 9}};
    for (size_t i = 0; i < sizeof(markdown_fields) / sizeof(markdown_fields[0]); i++) {
        const char *md = text_or_empty(db_column_text(st, markdown_fields[i].col));
        json_object_set_new(o, markdown_fields[i].key, json_string(md));
        char key[32];
        snprintf(key, sizeof(key), "%s_html", markdown_fields[i].key);
        if (set_markdown(o, a, key, md) != 0)
            failed = 1;
    }
    json_object_set_new(o, "documents", documents_json(text_or_empty(db_column_text(st, 8))));
    json_object_set_new(o, "processing_time", json_string(text_or_empty(db_column_text(st, 10))));
    json_object_set_new(o, "legal_basis", json_string(text_or_empty(db_column_text(st, 11))));
    json_object_set_new(o, "maturity", json_integer(maturity));
    json_object_set_new(o, "maturity_label", json_string(i18n_translate(lang, maturity_labels[maturity])));
    json_object_set_new(o, "ozg_compliant", json_boolean(maturity >= 3));
    json_object_set_new(o, "min_trust", json_integer(min_trust));
    json_object_set_new(o, "min_trust_label", json_string(i18n_translate(lang, trust_labels[min_trust])));
    json_object_set_new(o, "published", json_boolean(published));
    json_object_set_new(o, "updated_at", json_integer(db_column_int64(st, 18)));
    json_object_set_new(o, "url", json_sprintf("/leistungen/%s", service_slug));
    json_object_set_new(o, "online_application", json_boolean(*form_key != '\0'));
    json_object_set_new(o, "apply_url", *form_key ? json_sprintf("/leistungen/%s/antrag", service_slug) : json_null());
    json_object_set_new(o, "external_url", *external_url ? json_string(external_url) : json_null());
    json_object_set_new(o, "appointments", json_boolean(appointments));
    json_object_set_new(o, "appointment_url",
                        appointments ? json_sprintf("/termine?leistung=%s", service_slug) : json_null());
    json_object_set_new(o, "easy_language_url",
                        *easy ? json_sprintf("/leistungen/%s/leichte-sprache", service_slug) : json_null());
    json_object_set_new(o, "unit", unit_json(st, a, 20, &failed));
    db_reset(st);
    if (failed) {
        json_decref(o);
        return -1;
    }

    json_t *situations = json_array();
    if (db_prepare(db, sql_service_situations, &st) != 0) {
        json_decref(situations);
        json_decref(o);
        return DB_ERROR;
    }
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *s = text_or_empty(db_column_text(st, 0));
        json_array_append_new(situations,
                              json_pack("{s:s,s:s,s:o}", "slug", s, "name", text_or_empty(db_column_text(st, 1)), "url",
                                        json_sprintf("/leistungen/lebenslagen/%s", s)));
    }
    db_reset(st);
    json_object_set_new(o, "life_situations", situations);
    if (rc != DB_DONE) {
        json_decref(o);
        return DB_ERROR;
    }
    *out = o;
    return 0;
}

const char *catalogue_url_component(arena_t *a, const char *q)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(q);
    char *out = arena_alloc(a, n * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)q[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}
