/* catalogue_import.c — loads a catalogue file (data/services/README.md describes
 * the format) into units, life_situations, services and the search index.
 *
 * The whole file is read and checked first (catalogue_check.c: every field
 * against its rule, unknown fields refused so that a typo cannot pass silently)
 * and only then written, in one write transaction: a file either goes in whole
 * or not at all. Entries are matched by slug, so importing the same file again
 * updates in place; services missing from the file are left as they are.
 *
 * After a service is written its rows in service_terms are rebuilt: the terms of
 * each text (platform/search.c) with a weight per field, summed when a term
 * appears in several — name 8, summary 4, synonyms 4, and 1 for the rest
 * (description, documents, the unit's name, the life situations' names).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/services/catalogue_import.h"
#include "modules/services/internal.h"
#include "platform/generation.h"
#include "platform/search.h"

#define IMPORT_FILE_MAX (32 * 1024 * 1024) /* bytes of a catalogue file */
#define FEE_RULES_MAX (256 * 1024)         /* bytes of one fee rules file */

#define WEIGHT_NAME 8
#define WEIGHT_SUMMARY 4
#define WEIGHT_SYNONYMS 4
#define WEIGHT_TEXT 1

#define TERM_ROWS 32           /* rows of one INSERT into service_terms */
#define INDEX_ROWS_MAX 1000000 /* index rows held in memory before they are written */

/* ---- files ------------------------------------------------------------------------------- */

/* Reads a whole file of at most max bytes (malloc'd, NUL-terminated). NULL with
 * errno set (EFBIG when larger). */
static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed || n > max) {
        free(buf);
        errno = failed ? EIO : EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The fee rules of a service as compact JSON text (malloc'd); "" (malloc'd) when
 * the file does not exist yet. NULL with err on any other problem. */
static char *load_fee_rules(const char *dir, const char *rel, const char *where, char *err, size_t errlen)
{
    size_t plen = strlen(dir) + strlen(rel) + 2;
    char *path = malloc(plen);
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(path, plen, "%s/%s", dir, rel);
    size_t len = 0;
    char *text = read_file(path, FEE_RULES_MAX, &len);
    if (!text) {
        int e = errno;
        free(path);
        if (e == ENOENT)
            return strdup(""); /* written later by the fees part; the service works without */
        snprintf(err, errlen, "%s: cannot read fee_rules_file '%s'%s", where, rel,
                 e == EFBIG ? " (larger than 256 KiB)" : "");
        return NULL;
    }
    json_error_t jerr;
    json_t *rules = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    free(path);
    if (!rules) {
        snprintf(err, errlen, "%s: fee_rules_file '%s' is not valid JSON (line %d: %s)", where, rel, jerr.line,
                 jerr.text);
        return NULL;
    }
    char *compact = json_dumps(rules, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(rules);
    if (!compact)
        snprintf(err, errlen, "out of memory");
    return compact;
}

/* ---- writing ------------------------------------------------------------------------------ */

static const char sql_unit_find[] = "SELECT id FROM units WHERE slug = $1";
static const char sql_unit_update[] =
    "UPDATE units SET address = $2, phone = $3, email = $4, opening_hours = $5 WHERE id = $1";
static const char sql_unit_insert[] =
    "INSERT INTO units (slug, name, contact, created_at, address, phone, email, opening_hours) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

static const char sql_situation_find[] = "SELECT id FROM life_situations WHERE slug = $1";
static const char sql_situation_update[] =
    "UPDATE life_situations SET name = $2, description = $3, position = $4 WHERE id = $1";
static const char sql_situation_insert[] =
    "INSERT INTO life_situations (slug, name, description, position) VALUES ($1, $2, $3, $4) RETURNING id";

static const char sql_service_find[] = "SELECT id FROM services WHERE slug = $1";
static const char sql_service_update[] =
    "UPDATE services SET name = $2, leika_key = $3, summary = $4, description = $5, easy_language = $6, "
    "eligibility = $7, documents = $8, fees = $9, fee_rules = $10, processing_time = $11, legal_basis = $12, "
    "maturity = $13, unit_id = $14, form_key = $15, external_url = $16, appointments = $17, min_trust = $18, "
    "workflow = $19, four_eyes = $20, published = $21, updated_at = $22 WHERE id = $1";
static const char sql_service_insert[] =
    "INSERT INTO services (slug, name, leika_key, summary, description, easy_language, eligibility, documents, "
    "fees, fee_rules, processing_time, legal_basis, maturity, unit_id, form_key, external_url, appointments, "
    "min_trust, workflow, four_eyes, published, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22) RETURNING id";

static const char sql_links_clear[] = "DELETE FROM service_life_situations WHERE service_id = $1";
static const char sql_link_add[] = "INSERT INTO service_life_situations (service_id, situation_id) VALUES ($1, $2)";
static const char sql_terms_clear[] = "DELETE FROM service_terms WHERE service_id = $1";
static const char sql_term_add[] = "INSERT INTO service_terms (term, service_id, weight) VALUES ($1, $2, $3)";
/* TERM_ROWS rows at once: one round trip instead of 32 (PostgreSQL over a network). */
static const char sql_terms_add[] =
    "INSERT INTO service_terms (term, service_id, weight) VALUES "
    "($1,$2,$3),($4,$5,$6),($7,$8,$9),($10,$11,$12),($13,$14,$15),($16,$17,$18),($19,$20,$21),($22,$23,$24),"
    "($25,$26,$27),($28,$29,$30),($31,$32,$33),($34,$35,$36),($37,$38,$39),($40,$41,$42),($43,$44,$45),"
    "($46,$47,$48),($49,$50,$51),($52,$53,$54),($55,$56,$57),($58,$59,$60),($61,$62,$63),($64,$65,$66),"
    "($67,$68,$69),($70,$71,$72),($73,$74,$75),($76,$77,$78),($79,$80,$81),($82,$83,$84),($85,$86,$87),"
    "($88,$89,$90),($91,$92,$93),($94,$95,$96)";

/* Looks up an id by slug with sql; 0 with *id, 1 when absent, < 0 on an error. */
static int find_id(db_t *db, const char *sql, const char *slug, int64_t *id)
{
    return db_query_int64_text(db, sql, slug, NULL, id);
}

/* Runs a prepared, bound statement that returns nothing (or one id into *id). */
static int run(db_stmt_t *st, int64_t *id)
{
    int rc = db_step(st);
    if (id && rc == DB_ROW)
        *id = db_column_int64(st, 0);
    int ok = id ? rc == DB_ROW : rc == DB_DONE;
    db_reset(st);
    return ok ? 0 : -1;
}

static int write_unit(db_t *db, const json_t *u, int64_t now)
{
    const char *slug = get_text(u, "slug");
    int64_t id = 0;
    int found = find_id(db, sql_unit_find, slug, &id);
    if (found < 0)
        return -1;
    db_stmt_t *st;
    if (found == 0) {
        /* An existing unit keeps the name its administrators gave it. */
        if (db_prepare(db, sql_unit_update, &st) != 0)
            return -1;
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, get_text(u, "address"), -1);
        db_bind_text(st, 3, get_text(u, "phone"), -1);
        db_bind_text(st, 4, get_text(u, "email"), -1);
        db_bind_text(st, 5, get_text(u, "opening_hours"), -1);
        return run(st, NULL);
    }
    /* The free-text contact of the administration pages, from the same data. */
    size_t clen = strlen(get_text(u, "address")) + strlen(get_text(u, "phone")) + strlen(get_text(u, "email")) + 4;
    char *contact = malloc(clen);
    if (!contact)
        return -1;
    snprintf(contact, clen, "%s\n%s\n%s", get_text(u, "address"), get_text(u, "phone"), get_text(u, "email"));
    int rc = db_prepare(db, sql_unit_insert, &st);
    if (rc == 0) {
        db_bind_text(st, 1, slug, -1);
        db_bind_text(st, 2, get_text(u, "name"), -1);
        db_bind_text(st, 3, contact, -1);
        db_bind_int64(st, 4, now);
        db_bind_text(st, 5, get_text(u, "address"), -1);
        db_bind_text(st, 6, get_text(u, "phone"), -1);
        db_bind_text(st, 7, get_text(u, "email"), -1);
        db_bind_text(st, 8, get_text(u, "opening_hours"), -1);
        rc = run(st, &id);
    }
    free(contact);
    return rc;
}

static int write_situation(db_t *db, const json_t *s, int64_t position)
{
    int64_t id = 0;
    int found = find_id(db, sql_situation_find, get_text(s, "slug"), &id);
    if (found < 0)
        return -1;
    db_stmt_t *st;
    if (db_prepare(db, found == 0 ? sql_situation_update : sql_situation_insert, &st) != 0)
        return -1;
    if (found == 0)
        db_bind_int64(st, 1, id);
    else
        db_bind_text(st, 1, get_text(s, "slug"), -1);
    db_bind_text(st, 2, get_text(s, "name"), -1);
    db_bind_text(st, 3, get_text(s, "description"), -1);
    db_bind_int64(st, 4, get_int(s, "position", position));
    return run(st, found == 0 ? NULL : &id);
}

/* One term of a service with its summed weight. */
typedef struct weighted_term {
    const char *term;
    int64_t weight;
} weighted_term_t;

typedef struct term_list {
    arena_t *arena;
    weighted_term_t *items;
    size_t count, cap;
} term_list_t;

/* Adds the terms of text, each with weight. Returns 0 or -1. */
static int add_terms(term_list_t *list, const char *text, int64_t weight)
{
    const char **terms;
    size_t n;
    if (search_terms(list->arena, text, &terms, &n) != 0)
        return -1;
    if (list->count + n > list->cap) {
        size_t cap = (list->count + n) * 2 + 64;
        weighted_term_t *items = arena_alloc(list->arena, cap * sizeof(*items));
        if (list->count)
            memcpy(items, list->items, list->count * sizeof(*items));
        list->items = items;
        list->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        list->items[list->count++] = (weighted_term_t){terms[i], weight};
    return 0;
}

static int cmp_weighted(const void *a, const void *b)
{
    return strcmp(((const weighted_term_t *)a)->term, ((const weighted_term_t *)b)->term);
}

/* Joins the strings of a JSON array with newlines (arena). */
static const char *join_list(arena_t *a, const json_t *arr)
{
    size_t total = 1, i;
    json_t *item;
    json_array_foreach(arr, i, item) total += strlen(json_string_value(item)) + 1;
    char *out = arena_alloc(a, total);
    size_t o = 0;
    json_array_foreach(arr, i, item)
    {
        size_t n = strlen(json_string_value(item));
        memcpy(out + o, json_string_value(item), n);
        o += n;
        out[o++] = '\n';
    }
    out[o] = '\0';
    return out;
}

/* The index rows of the import, written after the services (flush_terms). */
typedef struct index_row {
    const char *term;
    int64_t service_id;
    int64_t weight;
} index_row_t;

typedef struct index_rows {
    arena_t arena;     /* the terms' text, for the whole import */
    index_row_t *rows; /* malloc'd */
    size_t count, cap;
} index_rows_t;

static int cmp_index_row(const void *pa, const void *pb)
{
    const index_row_t *a = pa, *b = pb;
    int c = strcmp(a->term, b->term);
    if (c)
        return c;
    return a->service_id < b->service_id ? -1 : a->service_id > b->service_id;
}

/* Writes the collected rows sorted by term, so that the rows of one term lie
 * next to each other in the table too (the search reads all rows of a term:
 * with the rows of a term on a few pages instead of one page per service, a
 * search over thousands of services stays a few page reads). Returns 0 or -1. */
static int flush_terms(db_t *db, index_rows_t *ix)
{
    if (ix->count > 1)
        qsort(ix->rows, ix->count, sizeof(ix->rows[0]), cmp_index_row);
    db_stmt_t *st;
    size_t i = 0;
    for (; i + TERM_ROWS <= ix->count; i += TERM_ROWS) {
        if (db_prepare(db, sql_terms_add, &st) != 0)
            return -1;
        for (int r = 0; r < TERM_ROWS; r++) {
            const index_row_t *row = &ix->rows[i + (size_t)r];
            db_bind_text(st, r * 3 + 1, row->term, -1);
            db_bind_int64(st, r * 3 + 2, row->service_id);
            db_bind_int64(st, r * 3 + 3, row->weight);
        }
        if (run(st, NULL) != 0)
            return -1;
    }
    for (; i < ix->count; i++) {
        if (db_prepare(db, sql_term_add, &st) != 0)
            return -1;
        db_bind_text(st, 1, ix->rows[i].term, -1);
        db_bind_int64(st, 2, ix->rows[i].service_id);
        db_bind_int64(st, 3, ix->rows[i].weight);
        if (run(st, NULL) != 0)
            return -1;
    }
    ix->count = 0;
    arena_clear(&ix->arena);
    return 0;
}

/* Removes the service's rows from service_terms and collects its new ones in ix
 * (none when it is unpublished). situation_names and unit_name join the
 * weight-1 text. Returns 0 or -1. */
static int index_service(db_t *db, arena_t *a, int64_t id, const json_t *svc, int published, const char *unit_name,
                         const char *situation_names, index_rows_t *ix)
{
    term_list_t list = {.arena = a};
    db_stmt_t *st;
    if (db_prepare(db, sql_terms_clear, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    if (run(st, NULL) != 0)
        return -1;
    /* An unpublished service is not searchable at all: no terms. */
    if (!published)
        return 0;
    const json_t *docs = json_object_get(svc, "documents");
    const json_t *synonyms = json_object_get(svc, "synonyms");
    const char *text = arena_printf(a, "%s\n%s\n%s\n%s", get_text(svc, "description"),
                                    json_is_array(docs) ? join_list(a, docs) : "", unit_name, situation_names);
    if (add_terms(&list, get_text(svc, "name"), WEIGHT_NAME) != 0 ||
        add_terms(&list, get_text(svc, "summary"), WEIGHT_SUMMARY) != 0 ||
        add_terms(&list, json_is_array(synonyms) ? join_list(a, synonyms) : "", WEIGHT_SYNONYMS) != 0 ||
        add_terms(&list, text, WEIGHT_TEXT) != 0)
        return -1;
    /* One row per term, the weights of its fields summed. */
    size_t n = 0;
    if (list.count) {
        qsort(list.items, list.count, sizeof(list.items[0]), cmp_weighted);
        for (size_t i = 0; i < list.count; i++) {
            if (n > 0 && strcmp(list.items[n - 1].term, list.items[i].term) == 0)
                list.items[n - 1].weight += list.items[i].weight;
            else
                list.items[n++] = list.items[i];
        }
    }
    if (ix->count + n > ix->cap) {
        size_t cap = (ix->count + n) * 2;
        index_row_t *rows = realloc(ix->rows, cap * sizeof(*rows));
        if (!rows)
            return -1;
        ix->rows = rows;
        ix->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        ix->rows[ix->count++] = (index_row_t){arena_strdup(&ix->arena, list.items[i].term), id, list.items[i].weight};
    /* A huge file is written in parts, so that memory stays bounded. */
    return ix->count >= INDEX_ROWS_MAX ? flush_terms(db, ix) : 0;
}

static const char sql_unit_name[] = "SELECT id, name FROM units WHERE slug = $1";
static const char sql_situation_name[] = "SELECT id, name FROM life_situations WHERE slug = $1";

/* Looks up id and name by slug: 0, 1 when absent, < 0 on an error. */
static int find_named(db_t *db, arena_t *a, const char *sql, const char *slug, int64_t *id, const char **name)
{
    db_stmt_t *st;
    if (db_prepare(db, sql, &st) != 0)
        return -1;
    db_bind_text(st, 1, slug, -1);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_column_int64(st, 0);
        *name = arena_strdup(a, db_column_text(st, 1) ? db_column_text(st, 1) : "");
    }
    db_reset(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

static int write_service(db_t *db, index_rows_t *ix, const json_t *svc, const char *fee_rules, int64_t now,
                         const char *where, char *err, size_t errlen)
{
    arena_t a;
    arena_init(&a);
    int rc = -1;
    int64_t unit_id = 0, id = 0;
    const char *unit_name = "";
    int found = find_named(db, &a, sql_unit_name, get_text(svc, "unit"), &unit_id, &unit_name);
    if (found == 1) {
        snprintf(err, errlen, "%s: unit '%s' is neither in the file nor in the database", where, get_text(svc, "unit"));
        goto out;
    }
    if (found < 0)
        goto db_fail;
    const json_t *docs = json_object_get(svc, "documents");
    const char *documents_text = "[]";
    if (json_is_array(docs)) {
        char *documents = json_dumps(docs, JSON_COMPACT);
        if (!documents) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        documents_text = arena_strdup(&a, documents);
        free(documents);
    }
    int exists = find_id(db, sql_service_find, get_text(svc, "slug"), &id);
    if (exists < 0)
        goto db_fail;
    db_stmt_t *st;
    if (db_prepare(db, exists == 0 ? sql_service_update : sql_service_insert, &st) != 0)
        goto db_fail;
    if (exists == 0)
        db_bind_int64(st, 1, id);
    else
        db_bind_text(st, 1, get_text(svc, "slug"), -1);
    static const struct {
        int param;
        const char *field;
    } texts[] = {{2, "name"},          {3, "leika_key"},   {4, "summary"},      {5, "description"},
                 {6, "easy_language"}, {7, "eligibility"}, {9, "fees"},         {11, "processing_time"},
                 {12, "legal_basis"},  {15, "form_key"},   {16, "external_url"}};
    for (size_t i = 0; i < COUNT(texts); i++)
        db_bind_text(st, texts[i].param, get_text(svc, texts[i].field), -1);
    const char *workflow = get_text(svc, "workflow");
    db_bind_text(st, 8, documents_text, -1);
    db_bind_text(st, 10, fee_rules, -1);
    db_bind_int64(st, 13, get_int(svc, "maturity", 0));
    db_bind_int64(st, 14, unit_id);
    db_bind_int64(st, 17, get_int(svc, "appointments", 0));
    db_bind_int64(st, 18, get_int(svc, "min_trust", 1));
    db_bind_text(st, 19, *workflow ? workflow : "standard", -1);
    db_bind_int64(st, 20, get_int(svc, "four_eyes", 0));
    db_bind_int64(st, 21, get_int(svc, "published", 1));
    db_bind_int64(st, 22, now);
    if (run(st, exists == 0 ? NULL : &id) != 0)
        goto db_fail;

    /* Life situations: the links as the file says, and their names for the index. */
    if (db_prepare(db, sql_links_clear, &st) != 0)
        goto db_fail;
    db_bind_int64(st, 1, id);
    if (run(st, NULL) != 0)
        goto db_fail;
    const json_t *situations = json_object_get(svc, "life_situations");
    const char *situation_names = "";
    size_t i;
    json_t *slug;
    json_array_foreach(situations, i, slug)
    {
        int64_t situation_id = 0;
        const char *name = "";
        /* The same situation named twice would break the primary key: once is enough. */
        int twice = 0;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(json_string_value(json_array_get(situations, k)), json_string_value(slug)))
                twice = 1;
        if (twice)
            continue;
        found = find_named(db, &a, sql_situation_name, json_string_value(slug), &situation_id, &name);
        if (found == 1) {
            snprintf(err, errlen, "%s: life situation '%s' is neither in the file nor in the database", where,
                     json_string_value(slug));
            goto out;
        }
        if (found < 0 || db_prepare(db, sql_link_add, &st) != 0)
            goto db_fail;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, situation_id);
        if (run(st, NULL) != 0)
            goto db_fail;
        situation_names = arena_printf(&a, "%s\n%s", situation_names, name);
    }
    if (index_service(db, &a, id, svc, get_int(svc, "published", 1) != 0, unit_name, situation_names, ix) != 0)
        goto db_fail;
    rc = 0;
    goto out;
db_fail:
    snprintf(err, errlen, "%s: database error: %s", where, db_errmsg(db));
out:
    arena_clear(&a);
    return rc;
}

/* ---- the import ------------------------------------------------------------------------------ */

int catalogue_import_file(db_t *db, const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = read_file(path, IMPORT_FILE_MAX, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read %s%s", path, errno == EFBIG ? " (larger than 32 MiB)" : "");
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!root) {
        snprintf(err, errlen, "not valid JSON: line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        return -1;
    }
    int rc = -1;
    char **fee_rules = NULL;
    index_rows_t ix = {0};
    arena_init(&ix.arena);
    const json_t *services = json_object_get(root, "services");
    size_t service_count = json_array_size(services);
    /* The folder fee_rules_file paths are relative to. */
    char *dir = strdup(path);
    if (!dir) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    if (catalogue_check_file(root, err, errlen) != 0)
        goto out;

    /* Fee rules are read before the transaction, so it holds no file work. */
    fee_rules = calloc(service_count ? service_count : 1, sizeof(*fee_rules));
    if (!fee_rules) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < service_count; i++) {
        const json_t *svc = json_array_get(services, i);
        const char *rel = get_text(svc, "fee_rules_file");
        char where[WHERE_MAX];
        describe(where, sizeof(where), "services", i, svc);
        fee_rules[i] = *rel ? load_fee_rules(dir, rel, where, err, errlen) : strdup("");
        if (!fee_rules[i]) {
            if (!*rel)
                snprintf(err, errlen, "out of memory");
            goto out;
        }
    }

    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(db) != 0) {
        snprintf(err, errlen, "database error: %s", db_errmsg(db));
        goto out;
    }
    const json_t *units = json_object_get(root, "units");
    for (size_t i = 0; i < json_array_size(units); i++) {
        if (write_unit(db, json_array_get(units, i), now) != 0) {
            char where[WHERE_MAX];
            describe(where, sizeof(where), "units", i, json_array_get(units, i));
            snprintf(err, errlen, "%s: database error: %s", where, db_errmsg(db));
            goto rollback;
        }
    }
    const json_t *situations = json_object_get(root, "life_situations");
    for (size_t i = 0; i < json_array_size(situations); i++) {
        if (write_situation(db, json_array_get(situations, i), (int64_t)i + 1) != 0) {
            char where[WHERE_MAX];
            describe(where, sizeof(where), "life_situations", i, json_array_get(situations, i));
            snprintf(err, errlen, "%s: database error: %s", where, db_errmsg(db));
            goto rollback;
        }
    }
    for (size_t i = 0; i < service_count; i++) {
        const json_t *svc = json_array_get(services, i);
        char where[WHERE_MAX];
        describe(where, sizeof(where), "services", i, svc);
        if (write_service(db, &ix, svc, fee_rules[i], now, where, err, errlen) != 0)
            goto rollback;
    }
    if (flush_terms(db, &ix) != 0) {
        snprintf(err, errlen, "search index: database error: %s", db_errmsg(db));
        goto rollback;
    }
    /* Tells every node's catalogue cache (catalogue_cache.c) that the catalogue changed. */
    if (generation_bump(db, "catalogue") != 0) {
        snprintf(err, errlen, "catalogue generation: database error: %s", db_errmsg(db));
        goto rollback;
    }
    if (db_commit(db) != 0) {
        snprintf(err, errlen, "database error at commit: %s", db_errmsg(db));
        goto out;
    }
    rc = 0;
    goto out;
rollback:
    db_rollback(db);
out:
    if (fee_rules)
        for (size_t i = 0; i < service_count; i++)
            free(fee_rules[i]);
    free(fee_rules);
    free(ix.rows);
    arena_clear(&ix.arena);
    free(dir);
    json_decref(root);
    return rc;
}
