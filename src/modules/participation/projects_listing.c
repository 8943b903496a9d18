/* projects_listing.c — what the Vorhabenliste filters, sorts and shows on its
 * cards, of every entry, kept in this node's memory for one generation of the list.
 *
 * A list page used to ask the database for the entries passing its filters.
 * Because any of the four filters may be unset, one prepared statement carries
 * them all as "$n = 0 OR column = $n"; PostgreSQL's generic plan for it cannot
 * tell which are set and scanned every entry, which made the district filter
 * cost more than the rest of the page. The list changes only through
 * projects_store (projects_store.c), which bumps the generation "projects"
 * (platform/generation.h) in its transaction. So a request reads that token and
 * filters the kept rows here, in C: the same code on both engines, a few
 * microseconds for thousands of entries. A search still asks the database which
 * entries hold every term (the terms' index) and filters those the same way.
 * The cards of a list page (title, summary, status, topic, districts, planned
 * participation) come from the same copy, so a list page needs no further query;
 * only an entry's own page reads its full row. The districts and topics (written
 * by migrations only) are kept alongside.
 *
 * Thread-safe: a read-write lock; a new listing is loaded outside it and swapped
 * in. If two threads load at once the later swap wins, and a listing older than
 * the token a request reads is simply loaded again.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "modules/participation/projects.h"
#include "platform/generation.h"

typedef struct listing_row {
    int64_t id, topic_id, created_at, updated_at;
    int planned;
    const char *status;
    const char *title, *summary, *participation_form;
    const char *sort_key;     /* the title in German dictionary order (projects_sort_key) */
    const int64_t *districts; /* the entry's district ids */
    size_t district_count;
} listing_row_t;

typedef struct listing {
    arena_t arena; /* holds everything below */
    int64_t token;
    listing_row_t *rows; /* by id, ascending */
    size_t count;
    project_lists_t lists; /* every district and topic in list order */
} listing_t;

static const char sql_rows[] = "SELECT id, title, status, topic_id, participation_planned, created_at, updated_at,"
                               " summary, participation_form FROM projects ORDER BY id";
static const char sql_row_districts[] =
    "SELECT project_id, district_id FROM project_districts ORDER BY project_id, district_id";

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static listing_t *current;

static void listing_free(listing_t *l)
{
    if (!l)
        return;
    arena_clear(&l->arena);
    free(l);
}

/* Reads every entry's filter columns and districts. NULL on a database error. */
static listing_t *listing_load(db_t *db, int64_t token)
{
    listing_t *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    arena_init(&l->arena);
    l->token = token;
    size_t cap = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_rows, &st) != 0)
        goto fail;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (l->count == cap) {
            size_t grown = cap ? cap * 2 : 256;
            listing_row_t *rows = arena_alloc(&l->arena, grown * sizeof(*rows));
            if (l->count)
                memcpy(rows, l->rows, l->count * sizeof(*rows));
            l->rows = rows;
            cap = grown;
        }
        const char *title = db_column_text(st, 1), *status = db_column_text(st, 2);
        const char *summary = db_column_text(st, 7), *form = db_column_text(st, 8);
        l->rows[l->count++] = (listing_row_t){
            .id = db_column_int64(st, 0),
            .topic_id = db_column_int64(st, 3),
            .planned = db_column_int64(st, 4) != 0,
            .created_at = db_column_int64(st, 5),
            .updated_at = db_column_int64(st, 6),
            .status = arena_strdup(&l->arena, status ? status : ""),
            .title = arena_strdup(&l->arena, title ? title : ""),
            .summary = arena_strdup(&l->arena, summary ? summary : ""),
            .participation_form = arena_strdup(&l->arena, form ? form : ""),
            .sort_key = projects_sort_key(&l->arena, title ? title : ""),
        };
    }
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;

    /* Districts come ordered by entry, as the rows do: one pass pairs them up. */
    if (db_prepare(db, sql_row_districts, &st) != 0)
        goto fail;
    size_t row = 0, dcap = 0, dcount = 0;
    int64_t *ids = NULL;
    listing_row_t *open = NULL; /* the row whose districts are being collected */
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t project = db_column_int64(st, 0), district = db_column_int64(st, 1);
        while (row < l->count && l->rows[row].id < project)
            row++;
        if (row == l->count || l->rows[row].id != project)
            continue; /* an entry saved after the rows were read: the next token reloads */
        if (dcount == dcap) {
            /* A new block; the open row's districts move along, so they stay contiguous. */
            size_t grown = dcap ? dcap * 2 : 512;
            int64_t *bigger = arena_alloc(&l->arena, grown * sizeof(*bigger));
            if (dcount)
                memcpy(bigger, ids, dcount * sizeof(*bigger));
            for (size_t i = 0; i < l->count && ids; i++)
                if (l->rows[i].district_count)
                    l->rows[i].districts = bigger + (l->rows[i].districts - ids);
            ids = bigger;
            dcap = grown;
        }
        listing_row_t *r = &l->rows[row];
        if (r != open) {
            r->districts = ids + dcount;
            r->district_count = 0;
            open = r;
        }
        ids[dcount++] = district;
        r->district_count++;
    }
    db_reset(st);
    if (rc != DB_DONE)
        goto fail;
    if (projects_districts(db, &l->arena, &l->lists.districts, &l->lists.district_count) != 0 ||
        projects_topics(db, &l->arena, &l->lists.topics, &l->lists.topic_count) != 0)
        goto fail;
    return l;
fail:
    listing_free(l);
    return NULL;
}

/* Makes sure a listing at least as new as token is kept. Returns 0 or < 0. */
static int listing_ensure(db_t *db, int64_t token)
{
    pthread_rwlock_rdlock(&lock);
    int fresh = current && current->token == token;
    pthread_rwlock_unlock(&lock);
    if (fresh)
        return 0;
    listing_t *l = listing_load(db, token);
    if (!l)
        return -2;
    pthread_rwlock_wrlock(&lock);
    listing_t *old = current;
    current = l;
    pthread_rwlock_unlock(&lock);
    listing_free(old); /* no reader holds it: they hold the lock while they read */
    return 0;
}

static int listing_current(db_t *db);

static int passes(const listing_row_t *r, const project_filter_t *f)
{
    if (f->topic_id && r->topic_id != f->topic_id)
        return 0;
    if (f->status && *f->status && strcmp(r->status, f->status) != 0)
        return 0;
    if (f->planned >= 0 && r->planned != f->planned)
        return 0;
    if (!f->district_id)
        return 1;
    for (size_t i = 0; i < r->district_count; i++)
        if (r->districts[i] == f->district_id)
            return 1;
    return 0;
}

static const listing_row_t *find_row(const listing_t *l, int64_t id)
{
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->rows[mid].id < id)
            lo = mid + 1;
        else if (l->rows[mid].id > id)
            hi = mid;
        else
            return &l->rows[mid];
    }
    return NULL;
}

int projects_listing_select(db_t *db, arena_t *a, const project_filter_t *f, const project_hit_t *matches,
                            size_t match_count, int with_sort_keys, project_hits_t *out)
{
    out->items = NULL;
    out->count = 0;
    out->token = 0;
    if (listing_current(db) != 0)
        return -2;
    pthread_rwlock_rdlock(&lock);
    const listing_t *l = current; /* ours, or one a moment newer */
    size_t candidates = matches ? match_count : l->count;
    project_hit_t *hits = arena_alloc(a, (candidates ? candidates : 1) * sizeof(*hits));
    size_t n = 0;
    for (size_t i = 0; i < candidates; i++) {
        const listing_row_t *r = matches ? find_row(l, matches[i].id) : &l->rows[i];
        if (!r || !passes(r, f))
            continue;
        hits[n++] = (project_hit_t){
            .id = r->id,
            .title = with_sort_keys ? arena_strdup(a, r->sort_key) : "",
            .created_at = r->created_at,
            .updated_at = r->updated_at,
            .score = matches ? matches[i].score : 0,
        };
    }
    out->token = l->token;
    pthread_rwlock_unlock(&lock);
    out->items = hits;
    out->count = n;
    return 0;
}

/* Reads the token and makes sure a listing for it is kept. Returns 0 or < 0. */
static int listing_current(db_t *db)
{
    int64_t token;
    if (generation_read(db, "projects", &token) != 0 || listing_ensure(db, token) != 0)
        return -2;
    return 0;
}

int projects_listing_lists(db_t *db, arena_t *a, project_lists_t *out)
{
    memset(out, 0, sizeof(*out));
    if (listing_current(db) != 0)
        return -2;
    pthread_rwlock_rdlock(&lock);
    const project_lists_t *k = &current->lists;
    out->districts = arena_alloc(a, (k->district_count ? k->district_count : 1) * sizeof(*out->districts));
    for (size_t i = 0; i < k->district_count; i++)
        out->districts[i] = (project_district_t){k->districts[i].id, arena_strdup(a, k->districts[i].slug),
                                                 arena_strdup(a, k->districts[i].name), k->districts[i].citywide};
    out->district_count = k->district_count;
    out->topics = arena_alloc(a, (k->topic_count ? k->topic_count : 1) * sizeof(*out->topics));
    for (size_t i = 0; i < k->topic_count; i++)
        out->topics[i] =
            (project_topic_t){k->topics[i].id, arena_strdup(a, k->topics[i].slug), arena_strdup(a, k->topics[i].name)};
    out->topic_count = k->topic_count;
    pthread_rwlock_unlock(&lock);
    return 0;
}

/* The card fields of row r into p (strings copied into a); every other field empty. */
static void fill_card(const listing_t *l, const listing_row_t *r, arena_t *a, project_t *p)
{
    memset(p, 0, sizeof(*p));
    p->description = p->goals = p->decisions = p->starts_on = p->ends_on = p->next_steps = p->costs_text = "";
    p->affected = p->participation_reason = p->obligation = p->unit_slug = p->unit_name = "";
    p->contact_name = p->contact_email = p->contact_phone = p->topic_slug = p->topic_name = "";
    p->id = r->id;
    p->title = arena_strdup(a, r->title);
    p->summary = arena_strdup(a, r->summary);
    p->status = arena_strdup(a, r->status);
    p->participation_planned = r->planned;
    p->participation_form = arena_strdup(a, r->participation_form);
    p->topic_id = r->topic_id;
    for (size_t i = 0; i < l->lists.topic_count; i++)
        if (l->lists.topics[i].id == r->topic_id) {
            p->topic_slug = arena_strdup(a, l->lists.topics[i].slug);
            p->topic_name = arena_strdup(a, l->lists.topics[i].name);
        }
    /* In the districts' list order, as projects_load gives them. */
    for (size_t i = 0; i < l->lists.district_count && p->district_count < PROJECT_DISTRICTS_MAX; i++)
        for (size_t k = 0; k < r->district_count; k++)
            if (r->districts[k] == l->lists.districts[i].id) {
                const project_district_t *d = &l->lists.districts[i];
                p->districts[p->district_count++] =
                    (project_district_t){d->id, arena_strdup(a, d->slug), arena_strdup(a, d->name), d->citywide};
            }
    p->created_at = r->created_at;
    p->updated_at = r->updated_at;
}

int projects_listing_cards(db_t *db, arena_t *a, int64_t token, const int64_t *ids, size_t n, project_t *out)
{
    if (n == 0)
        return 0;
    if (listing_ensure(db, token) != 0)
        return -2;
    pthread_rwlock_rdlock(&lock);
    const listing_t *l = current; /* the hits' own listing, or one a moment newer */
    for (size_t i = 0; i < n; i++) {
        const listing_row_t *r = find_row(l, ids[i]);
        if (r)
            fill_card(l, r, a, &out[i]);
        else
            memset(&out[i], 0, sizeof(out[i])); /* id 0: gone */
    }
    pthread_rwlock_unlock(&lock);
    return 0;
}

void projects_listing_forget(void)
{
    pthread_rwlock_wrlock(&lock);
    listing_t *old = current;
    current = NULL;
    pthread_rwlock_unlock(&lock);
    listing_free(old);
}
