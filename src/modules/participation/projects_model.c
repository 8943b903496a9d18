/* projects_model.c — the Vorhabenliste's queries and the JSON object of an entry.
 *
 * Finding entries is two steps. projects_find returns the ids (with what the
 * orders need) of every entry that passes the filters and, with a search, holds
 * every term of the query; the filters are applied to a copy of every entry's
 * filter columns kept in memory (projects_listing.c), and the order is made here
 * in C, not by the database, so that SQLite and PostgreSQL — whose collations
 * differ — give the same list.
 * projects_load then reads the full rows of the ids a page shows, twenty at a
 * time with a fixed IN list (unused slots NULL), so each SQL text is prepared
 * once per connection.
 *
 * Search: the query's terms come from platform/search.c exactly as
 * projects_store made each entry's project_terms rows; an entry matches when it
 * has every term (at most SEARCH_SLOTS are used), and ranks by their summed
 * weight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/participation/projects.h"
#include "platform/search.h"
#include "view/i18n.h"
#include "view/markdown.h"

#define SEARCH_SLOTS 16           /* query terms used */
#define LOAD_SLOTS 20             /* ids per round trip of projects_load */
#define CHANGES_MAX 1000          /* change log rows shown for one entry */
#define MARKDOWN_MAX (512 * 1024) /* bytes of HTML from one Markdown field */

const project_choice_t projects_sorts[] = {
    {"neueste", N_("Neueste zuerst")},
    {"aenderung", N_("Zuletzt geändert zuerst")},
    {"titel", N_("Titel von A bis Z")},
    {"relevanz", N_("Beste Treffer zuerst")},
};
const size_t projects_sort_count = sizeof(projects_sorts) / sizeof(projects_sorts[0]);

/* Search: the entries holding every term of the query (one project_terms row per
 * term and entry) with their summed weight, from the terms' index alone; the
 * filters are applied to them by projects_listing.c. */
static const char sql_matches[] =
    "SELECT project_id, CAST(SUM(weight) AS BIGINT) FROM project_terms"
    " WHERE term IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    " GROUP BY project_id HAVING COUNT(*) = $17";

#define LOAD_IDS "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"

static const char sql_load[] =
    "SELECT p.id, p.title, p.summary, p.description, p.goals, p.decisions, p.starts_on, p.ends_on, p.next_steps,"
    " p.costs_text, p.costs_cents, p.status, p.affected, p.participation_planned, p.participation_form,"
    " p.participation_reason, p.obligation, p.topic_id, t.slug, t.name, p.unit_id, u.slug, u.name,"
    " p.contact_name, p.contact_email, p.contact_phone, p.version, p.created_at, p.updated_at"
    " FROM projects p JOIN participation_topics t ON t.id = p.topic_id LEFT JOIN units u ON u.id = p.unit_id"
    " WHERE p.id IN " LOAD_IDS;

static const char sql_load_districts[] =
    "SELECT x.project_id, d.id, d.slug, d.name, d.citywide FROM project_districts x"
    " JOIN participation_districts d ON d.id = x.district_id WHERE x.project_id IN " LOAD_IDS
    " ORDER BY d.position, d.id";

static const char sql_districts[] =
    "SELECT id, slug, name, citywide FROM participation_districts ORDER BY position, id";
static const char sql_topics[] = "SELECT id, slug, name FROM participation_topics ORDER BY position, id";

static const char sql_changes[] =
    "SELECT at, kind, field, old_value, new_value, explanation FROM project_changes WHERE project_id = $1"
    " ORDER BY at DESC, id";

static const char *column_copy(arena_t *a, db_stmt_t *st, int col)
{
    const char *s = db_column_text(st, col);
    return arena_strdup(a, s ? s : "");
}

/* ---- finding ----------------------------------------------------------------------------- */

typedef struct hit_vec {
    arena_t *arena;
    project_hit_t *items;
    size_t count, cap;
} hit_vec_t;

static project_hit_t *push_hit(hit_vec_t *v)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 128;
        project_hit_t *items = arena_alloc(v->arena, cap * sizeof(*items));
        if (v->count)
            memcpy(items, v->items, v->count * sizeof(*items));
        v->items = items;
        v->cap = cap;
    }
    return &v->items[v->count++];
}

static int cmp_newest(const void *pa, const void *pb)
{
    const project_hit_t *a = pa, *b = pb;
    if (a->created_at != b->created_at)
        return a->created_at > b->created_at ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

static int cmp_changed(const void *pa, const void *pb)
{
    const project_hit_t *a = pa, *b = pb;
    if (a->updated_at != b->updated_at)
        return a->updated_at > b->updated_at ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

static int cmp_score(const void *pa, const void *pb)
{
    const project_hit_t *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return cmp_changed(pa, pb);
}

/* For the title order the hit's title holds its sort key (see projects_find). */
static int cmp_title(const void *pa, const void *pb)
{
    const project_hit_t *a = pa, *b = pb;
    int c = strcmp(a->title, b->title);
    if (c)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int blank(const char *q)
{
    return !q || q[strspn(q, " \t\r\n")] == '\0';
}

int projects_find(db_t *db, arena_t *a, const project_filter_t *f, project_hits_t *out)
{
    out->items = NULL;
    out->count = 0;
    out->token = 0;
    int searching = !blank(f->query);
    int by_title = f->sort && !strcmp(f->sort, "titel");
    hit_vec_t matches = {.arena = a};
    if (searching) {
        const char **terms;
        size_t term_count;
        if (search_terms(a, f->query, &terms, &term_count) != 0)
            return -1;
        if (term_count == 0)
            return 0; /* only stop words: nothing can match */
        if (term_count > SEARCH_SLOTS)
            term_count = SEARCH_SLOTS;
        db_stmt_t *st;
        if (db_prepare(db, sql_matches, &st) != 0)
            return -2;
        for (int slot = 0; slot < SEARCH_SLOTS; slot++) {
            if ((size_t)slot < term_count)
                db_bind_text(st, slot + 1, terms[slot], -1);
            else
                db_bind_null(st, slot + 1);
        }
        db_bind_int64(st, SEARCH_SLOTS + 1, (int64_t)term_count);
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            project_hit_t *h = push_hit(&matches);
            h->id = db_column_int64(st, 0);
            h->score = db_column_int64(st, 1);
        }
        db_reset(st);
        if (rc != DB_DONE)
            return -2;
        if (matches.count == 0)
            return 0;
    }
    project_hits_t v;
    if (projects_listing_select(db, a, f, searching ? matches.items : NULL, matches.count, by_title, &v) != 0)
        return -2;
    int (*cmp)(const void *, const void *) = searching ? cmp_score : cmp_newest;
    if (f->sort && !strcmp(f->sort, "neueste"))
        cmp = cmp_newest;
    else if (f->sort && !strcmp(f->sort, "aenderung"))
        cmp = cmp_changed;
    else if (by_title)
        cmp = cmp_title;
    if (v.count > 1)
        qsort(v.items, v.count, sizeof(v.items[0]), cmp);
    *out = v;
    return 0;
}

/* ---- loading ----------------------------------------------------------------------------- */

static void read_project(db_stmt_t *st, arena_t *a, project_t *p)
{
    memset(p, 0, sizeof(*p));
    p->id = db_column_int64(st, 0);
    p->title = column_copy(a, st, 1);
    p->summary = column_copy(a, st, 2);
    p->description = column_copy(a, st, 3);
    p->goals = column_copy(a, st, 4);
    p->decisions = column_copy(a, st, 5);
    p->starts_on = column_copy(a, st, 6);
    p->ends_on = column_copy(a, st, 7);
    p->next_steps = column_copy(a, st, 8);
    p->costs_text = column_copy(a, st, 9);
    p->has_costs = !db_column_is_null(st, 10);
    p->costs_cents = p->has_costs ? db_column_int64(st, 10) : 0;
    p->status = column_copy(a, st, 11);
    p->affected = column_copy(a, st, 12);
    p->participation_planned = db_column_int64(st, 13) != 0;
    p->participation_form = column_copy(a, st, 14);
    p->participation_reason = column_copy(a, st, 15);
    p->obligation = column_copy(a, st, 16);
    p->topic_id = db_column_int64(st, 17);
    p->topic_slug = column_copy(a, st, 18);
    p->topic_name = column_copy(a, st, 19);
    p->unit_id = db_column_is_null(st, 20) ? 0 : db_column_int64(st, 20);
    p->unit_slug = column_copy(a, st, 21);
    p->unit_name = column_copy(a, st, 22);
    p->contact_name = column_copy(a, st, 23);
    p->contact_email = column_copy(a, st, 24);
    p->contact_phone = column_copy(a, st, 25);
    p->version = db_column_int64(st, 26);
    p->created_at = db_column_int64(st, 27);
    p->updated_at = db_column_int64(st, 28);
}

static void bind_ids(db_stmt_t *st, const int64_t *ids, size_t n)
{
    for (size_t slot = 0; slot < LOAD_SLOTS; slot++) {
        if (slot < n)
            db_bind_int64(st, (int)slot + 1, ids[slot]);
        else
            db_bind_null(st, (int)slot + 1);
    }
}

/* Loads up to LOAD_SLOTS entries. */
static int load_batch(db_t *db, arena_t *a, const int64_t *ids, size_t n, project_t *out)
{
    for (size_t i = 0; i < n; i++)
        memset(&out[i], 0, sizeof(out[i]));
    db_stmt_t *st;
    if (db_prepare(db, sql_load, &st) != 0)
        return -1;
    bind_ids(st, ids, n);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        for (size_t i = 0; i < n; i++)
            if (ids[i] == id)
                read_project(st, a, &out[i]);
    }
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_load_districts, &st) != 0)
        return -1;
    bind_ids(st, ids, n);
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        for (size_t i = 0; i < n; i++) {
            project_t *p = &out[i];
            if (p->id != id || p->district_count >= PROJECT_DISTRICTS_MAX)
                continue;
            project_district_t *d = &p->districts[p->district_count++];
            d->id = db_column_int64(st, 1);
            d->slug = column_copy(a, st, 2);
            d->name = column_copy(a, st, 3);
            d->citywide = db_column_int64(st, 4) != 0;
        }
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int projects_load(db_t *db, arena_t *a, const int64_t *ids, size_t n, project_t *out)
{
    for (size_t first = 0; first < n; first += LOAD_SLOTS) {
        size_t m = n - first < LOAD_SLOTS ? n - first : LOAD_SLOTS;
        if (load_batch(db, a, ids + first, m, out + first) != 0)
            return -1;
    }
    return 0;
}

int projects_load_one(db_t *db, arena_t *a, int64_t id, project_t *out)
{
    if (projects_load(db, a, &id, 1, out) != 0)
        return -1;
    return out->id == id ? 0 : 1;
}

int projects_districts(db_t *db, arena_t *a, project_district_t **out, size_t *n)
{
    *out = arena_alloc(a, PROJECT_DISTRICTS_MAX * sizeof(**out));
    *n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_districts, &st) != 0)
        return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < PROJECT_DISTRICTS_MAX) {
        project_district_t *d = &(*out)[(*n)++];
        d->id = db_column_int64(st, 0);
        d->slug = column_copy(a, st, 1);
        d->name = column_copy(a, st, 2);
        d->citywide = db_column_int64(st, 3) != 0;
    }
    db_reset(st);
    return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

#define TOPICS_MAX 100

int projects_topics(db_t *db, arena_t *a, project_topic_t **out, size_t *n)
{
    *out = arena_alloc(a, TOPICS_MAX * sizeof(**out));
    *n = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_topics, &st) != 0)
        return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < TOPICS_MAX) {
        project_topic_t *t = &(*out)[(*n)++];
        t->id = db_column_int64(st, 0);
        t->slug = column_copy(a, st, 1);
        t->name = column_copy(a, st, 2);
    }
    db_reset(st);
    return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

/* ---- the JSON object ---------------------------------------------------------------------- */

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static const char *german(const project_choice_t *list, size_t n, const char *value)
{
    const char *label = projects_choice_label(list, n, value);
    return label ? label : "";
}

json_t *projects_json(const project_t *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "url", json_sprintf("/beteiligung/vorhaben/%lld", (long long)p->id));
    json_object_set_new(o, "title", json_string(p->title));
    json_object_set_new(o, "summary", json_string(p->summary));
    json_object_set_new(o, "description", json_string(p->description));
    json_object_set_new(o, "goals", json_string(p->goals));
    json_t *districts = json_array();
    int citywide = 0;
    for (size_t i = 0; i < p->district_count; i++) {
        citywide |= p->districts[i].citywide;
        json_array_append_new(districts,
                              json_pack("{s:s,s:s}", "slug", p->districts[i].slug, "name", p->districts[i].name));
    }
    json_object_set_new(o, "districts", districts);
    json_object_set_new(o, "citywide", json_boolean(citywide));
    json_object_set_new(o, "topic", json_pack("{s:s,s:s}", "slug", p->topic_slug, "name", p->topic_name));
    json_object_set_new(o, "decisions", json_string(p->decisions));
    json_object_set_new(o, "starts_on", text_or_null(p->starts_on));
    json_object_set_new(o, "ends_on", text_or_null(p->ends_on));
    json_object_set_new(o, "next_steps", json_string(p->next_steps));
    json_object_set_new(o, "costs_text", json_string(p->costs_text));
    json_object_set_new(o, "costs_cents", p->has_costs ? json_integer(p->costs_cents) : json_null());
    json_object_set_new(o, "status", json_string(p->status));
    json_object_set_new(o, "status_label", json_string(german(projects_statuses, projects_status_count, p->status)));
    json_object_set_new(o, "affected", json_string(p->affected));
    json_object_set_new(o, "participation_planned", json_boolean(p->participation_planned));
    json_object_set_new(o, "participation_form", text_or_null(p->participation_form));
    json_object_set_new(o, "participation_form_label",
                        *p->participation_form
                            ? json_string(german(projects_forms, projects_form_count, p->participation_form))
                            : json_null());
    json_object_set_new(o, "participation_reason", json_string(p->participation_reason));
    json_object_set_new(o, "obligation", json_string(p->obligation));
    json_object_set_new(o, "obligation_label",
                        json_string(german(projects_obligations, projects_obligation_count, p->obligation)));
    json_object_set_new(o, "contact",
                        json_pack("{s:o,s:o,s:s,s:s,s:s}", "unit", text_or_null(p->unit_name), "unit_slug",
                                  text_or_null(p->unit_slug), "name", p->contact_name, "email", p->contact_email,
                                  "phone", p->contact_phone));
    json_object_set_new(o, "created_at", json_integer(p->created_at));
    json_object_set_new(o, "updated_at", json_integer(p->updated_at));
    return o;
}

int projects_changes_json(db_t *db, int64_t id, json_t **out)
{
    *out = NULL;
    db_stmt_t *st;
    if (db_prepare(db, sql_changes, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    json_t *arr = json_array();
    int rc;
    size_t n = 0;
    while ((rc = db_step(st)) == DB_ROW && n++ < CHANGES_MAX) {
        const char *kind = db_column_text(st, 1);
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "at", (json_int_t)db_column_int64(st, 0),
                                             "kind", kind ? kind : "", "kind_label",
                                             german(projects_change_kinds, projects_change_kind_count, kind), "field",
                                             db_column_text(st, 2) ? db_column_text(st, 2) : "", "old_value",
                                             db_column_text(st, 3) ? db_column_text(st, 3) : "", "new_value",
                                             db_column_text(st, 4) ? db_column_text(st, 4) : "", "explanation",
                                             db_column_text(st, 5) ? db_column_text(st, 5) : ""));
    }
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW) {
        json_decref(arr);
        return -1;
    }
    *out = arr;
    return 0;
}

/* ---- decoration for the pages ------------------------------------------------------------------ */

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Markdown text as HTML (md4c, raw HTML off); NULL when it cannot be rendered. */
static json_t *markdown_json(arena_t *a, const char *md)
{
    size_t n = strlen(md);
    buf_t out;
    buf_init(&out, a, n * 2 + 64, MARKDOWN_MAX);
    if (markdown_to_html(md, n, &out) != 0)
        return NULL;
    return json_stringn(out.data ? out.data : "", out.len);
}

/* A list of names joined by ", " with each name translated (district names). */
static const char *translate_names(arena_t *a, const char *lang, const char *joined)
{
    buf_t b;
    buf_init(&b, a, strlen(joined) + 16, 64 * 1024);
    const char *p = joined;
    while (*p) {
        const char *end = strstr(p, ", ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *name = arena_strndup(a, p, n);
        if (b.len)
            buf_puts(&b, ", ");
        buf_puts(&b, i18n_translate(lang, name));
        p += n;
        if (end)
            p += 2;
    }
    return buf_cstr(&b);
}

const char *projects_value_label(arena_t *a, const char *lang, const char *field, const char *raw)
{
    const char *unknown = i18n_translate(lang, N_("nicht angegeben"));
    if (!strcmp(field, "status")) {
        const char *l = projects_choice_label(projects_statuses, projects_status_count, raw);
        return l ? i18n_translate(lang, l) : raw;
    }
    if (!strcmp(field, "participation_form")) {
        const char *l = projects_choice_label(projects_forms, projects_form_count, raw);
        return l ? i18n_translate(lang, l) : *raw ? raw : unknown;
    }
    if (!strcmp(field, "obligation")) {
        const char *l = projects_choice_label(projects_obligations, projects_obligation_count, raw);
        return l ? i18n_translate(lang, l) : raw;
    }
    if (!strcmp(field, "participation_planned"))
        return i18n_translate(lang, !strcmp(raw, "1") ? N_("ja") : N_("nein"));
    if (!strcmp(field, "costs_cents"))
        return *raw ? projects_euro(a, strtoll(raw, NULL, 10)) : unknown;
    if (!strcmp(field, "starts_on") || !strcmp(field, "ends_on"))
        return *raw ? projects_date_label(a, raw) : unknown;
    if (!strcmp(field, "topic"))
        return i18n_translate(lang, raw);
    if (!strcmp(field, "districts"))
        return translate_names(a, lang, raw);
    return *raw ? raw : unknown;
}

static void set_label(json_t *o, const char *key, const char *lang, const project_choice_t *list, size_t n)
{
    const char *value = str(o, key);
    const char *label = projects_choice_label(list, n, value);
    char name[64];
    snprintf(name, sizeof(name), "%s_label", key);
    json_object_set_new(o, name, label ? json_string(i18n_translate(lang, label)) : json_null());
}

/* A label of list in lang, or JSON null for a value without one. */
static json_t *label_json(const char *lang, const project_choice_t *list, size_t n, const char *value)
{
    const char *label = projects_choice_label(list, n, value);
    return label ? json_string(i18n_translate(lang, label)) : json_null();
}

json_t *projects_card_json(const project_t *p, arena_t *a, const char *lang)
{
    json_t *districts = json_array();
    for (size_t i = 0; i < p->district_count; i++)
        json_array_append_new(districts,
                              json_pack("{s:s,s:s,s:s,s:b}", "slug", p->districts[i].slug, "name", p->districts[i].name,
                                        "label", i18n_translate(lang, p->districts[i].name), "last",
                                        i + 1 == p->district_count));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "url", json_sprintf("/beteiligung/vorhaben/%lld", (long long)p->id));
    json_object_set_new(o, "title", json_string(p->title));
    json_object_set_new(o, "summary", json_string(p->summary));
    json_object_set_new(o, "status", json_string(p->status));
    json_object_set_new(o, "status_label", label_json(lang, projects_statuses, projects_status_count, p->status));
    json_object_set_new(o, "updated_label", json_string(projects_day(a, p->updated_at)));
    json_object_set_new(o, "districts", districts);
    json_object_set_new(o, "topic",
                        json_pack("{s:s,s:s,s:s}", "slug", p->topic_slug, "name", p->topic_name, "label",
                                  i18n_translate(lang, p->topic_name)));
    json_object_set_new(o, "participation_planned", json_boolean(p->participation_planned));
    json_object_set_new(o, "participation_form_label",
                        label_json(lang, projects_forms, projects_form_count, p->participation_form));
    return o;
}

int projects_decorate(json_t *o, arena_t *a, const char *lang, int with_html)
{
    set_label(o, "status", lang, projects_statuses, projects_status_count);
    set_label(o, "participation_form", lang, projects_forms, projects_form_count);
    set_label(o, "obligation", lang, projects_obligations, projects_obligation_count);
    json_t *topic = json_object_get(o, "topic");
    json_object_set_new(topic, "label", json_string(i18n_translate(lang, str(topic, "name"))));
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(o, "districts"), i, d)
    {
        json_object_set_new(d, "label", json_string(i18n_translate(lang, str(d, "name"))));
        json_object_set_new(d, "last", json_boolean(i + 1 == json_array_size(json_object_get(o, "districts"))));
    }
    json_object_set_new(o, "starts_on_label", json_string(projects_date_label(a, str(o, "starts_on"))));
    json_object_set_new(o, "ends_on_label", json_string(projects_date_label(a, str(o, "ends_on"))));
    json_t *cents = json_object_get(o, "costs_cents");
    json_object_set_new(o, "costs_label",
                        json_is_integer(cents) ? json_string(projects_euro(a, json_integer_value(cents)))
                                               : json_null());
    json_object_set_new(o, "created_label",
                        json_string(projects_day(a, json_integer_value(json_object_get(o, "created_at")))));
    json_object_set_new(o, "updated_label",
                        json_string(projects_day(a, json_integer_value(json_object_get(o, "updated_at")))));
    static const char *const markdown_fields[] = {"description", "goals",    "decisions",
                                                  "next_steps",  "affected", "participation_reason"};
    for (size_t k = 0; with_html && k < sizeof(markdown_fields) / sizeof(markdown_fields[0]); k++) {
        json_t *html = markdown_json(a, str(o, markdown_fields[k]));
        if (!html)
            return -1;
        char key[64];
        snprintf(key, sizeof(key), "%s_html", markdown_fields[k]);
        json_object_set_new(o, key, html);
    }
    /* The timeline: the rows one save wrote (same time, same explanation) become
     * one event with the fields it changed, newest event first. */
    json_t *timeline = json_array();
    json_t *event = NULL;
    json_t *c;
    json_array_foreach(json_object_get(o, "changes"), i, c)
    {
        const char *field = str(c, "field");
        const char *kind = str(c, "kind");
        json_int_t at = json_integer_value(json_object_get(c, "at"));
        if (!event || json_integer_value(json_object_get(event, "at")) != at ||
            strcmp(str(event, "explanation"), str(c, "explanation")) != 0) {
            event = json_pack("{s:I,s:s,s:s,s:[],s:[]}", "at", at, "day", projects_day(a, at), "explanation",
                              str(c, "explanation"), "kinds", "items");
            json_array_append_new(timeline, event);
        }
        const char *kind_label = projects_choice_label(projects_change_kinds, projects_change_kind_count, kind);
        const char *field_label = projects_field_label(field);
        /* Each kind once per event, the weightiest first (the order of projects_change_kinds). */
        json_t *kinds = json_object_get(event, "kinds");
        json_int_t rank = (json_int_t)projects_change_kind_count;
        for (size_t r = 0; r < projects_change_kind_count; r++)
            if (!strcmp(projects_change_kinds[r].value, kind))
                rank = (json_int_t)r;
        size_t at_index = json_array_size(kinds), k;
        int seen = 0;
        json_t *x;
        json_array_foreach(kinds, k, x)
        {
            json_int_t other = json_integer_value(json_object_get(x, "rank"));
            seen |= other == rank;
            if (other > rank && at_index == json_array_size(kinds))
                at_index = k;
        }
        if (!seen)
            json_array_insert_new(
                kinds, at_index,
                json_pack("{s:s,s:s,s:s,s:I}", "kind", kind, "label",
                          i18n_translate(lang, kind_label ? kind_label : kind), "class",
                          !strcmp(kind, "verzoegerung") || !strcmp(kind, "mehrkosten") ? "warning" : "info", "rank",
                          rank));
        json_array_append_new(json_object_get(event, "items"),
                              json_pack("{s:s,s:s,s:b,s:s,s:s}", "field", field, "field_label",
                                        i18n_translate(lang, field_label ? field_label : field), "long",
                                        projects_field_is_long(field), "old_label",
                                        projects_value_label(a, lang, field, str(c, "old_value")), "new_label",
                                        projects_value_label(a, lang, field, str(c, "new_value"))));
    }
    json_object_set_new(o, "timeline", timeline);
    return 0;
}
