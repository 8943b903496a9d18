/* projects.h — what the files of the Vorhabenliste (projects*.c) share; private to them.
 *
 *   projects.c           the module: route table, /beteiligung, start-up, the process hook
 *   projects_logic.c     pure rules: labels, the change log's kinds, money, dates, CSV, sort keys
 *   projects_model.c     queries: filters, search, loading entries, the JSON objects
 *   projects_listing.c   every entry's filter columns, kept in memory per generation
 *   projects_store.c     saving an entry: change log rows, search terms, followers told
 *   projects_pages.c     the public list and entry pages
 *   projects_staff.c     the staff forms (new entry, edit)
 *   projects_staff_list.c  the staff list and the edition form
 *   projects_editions.c  quarterly editions: publish, list, printable page, PDF
 *   projects_opendata.c  CSV and the JSON API
 *   projects_follow.c    following, e-mails to followers, the daily digest job
 *   projects_demo.c      demo data from data/participation/projects.json
 *
 * Entries are read into project_t (strings in the request's arena). The JSON
 * object of an entry (projects_json) is the one thing the API returns, the CSV
 * flattens, an edition freezes and the pages decorate (projects_decorate), so
 * none of them can disagree about a field.
 */
#ifndef RATHAUS_MODULES_PARTICIPATION_PROJECTS_H
#define RATHAUS_MODULES_PARTICIPATION_PROJECTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

/* Limits (STYLE.md rule 5), in characters unless said otherwise. */
#define PROJECT_TITLE_MAX 200
#define PROJECT_SUMMARY_MAX 500
#define PROJECT_TEXT_MAX 20000 /* description, goals, decisions, next steps, … */
#define PROJECT_COSTS_TEXT_MAX 1000
#define PROJECT_NAME_MAX 200 /* contact person */
#define PROJECT_PHONE_MAX 100
#define PROJECT_EMAIL_MAX 254 /* bytes, as mail.h */
#define PROJECT_EXPLANATION_MAX 2000
#define PROJECT_NOTE_MAX 2000    /* an edition's foreword */
#define PROJECT_QUERY_MAX 200    /* a search */
#define PROJECT_DISTRICTS_MAX 16 /* the 15 Ortsbezirke and "gesamtstädtisch" */
#define PROJECT_PAGE_SIZE 20     /* entries on one list page */
#define PROJECT_PAGES_MAX 1000   /* highest ?seite= */
#define PROJECT_API_MAX 100      /* entries on one API page */
#define PROJECT_OFFSET_MAX 100000
#define PROJECT_FIELDS_MAX 24                    /* tracked fields (projects_diff) */
#define PROJECT_COSTS_MAX_CENTS 10000000000000LL /* 100 billion euro: larger is a typo */
#define PROJECT_FORM_BODY_LIMIT (1024 * 1024)    /* the staff form: seven long texts and more */

/* The answer of projects_store when someone else saved the entry in between. */
#define PROJECTS_ECONFLICT (-10)

typedef struct project_district {
    int64_t id;
    const char *slug, *name;
    int citywide;
} project_district_t;

typedef struct project_topic {
    int64_t id;
    const char *slug, *name;
} project_topic_t;

/* Every district and topic, in list order. */
typedef struct project_lists {
    project_district_t *districts;
    size_t district_count;
    project_topic_t *topics;
    size_t topic_count;
} project_lists_t;

typedef struct project {
    int64_t id; /* 0: not stored yet */
    const char *title, *summary, *description, *goals, *decisions;
    const char *starts_on, *ends_on; /* yyyy-mm-dd or "" */
    const char *next_steps, *costs_text;
    int has_costs; /* costs_cents is known */
    int64_t costs_cents;
    const char *status; /* projects_statuses */
    const char *affected;
    int participation_planned;
    const char *participation_form; /* projects_forms, "" when none is planned */
    const char *participation_reason;
    const char *obligation; /* pflicht | freiwillig */
    int64_t topic_id;
    const char *topic_slug, *topic_name;
    int64_t unit_id; /* 0: none */
    const char *unit_slug, *unit_name;
    const char *contact_name, *contact_email, *contact_phone;
    size_t district_count;
    project_district_t districts[PROJECT_DISTRICTS_MAX]; /* in their list order */
    int64_t version, created_at, updated_at;
} project_t;

/* One row of the change log as projects_diff finds it. */
typedef struct project_change {
    const char *field;                 /* "ends_on", … (static) */
    const char *kind;                  /* verzoegerung | mehrkosten | beschluss | status | sonstiges (static) */
    const char *old_value, *new_value; /* raw values (slugs, cents, ISO dates, names, text) */
} project_change_t;

/* A value and its German label (a msgid), for select boxes and labels. */
typedef struct project_choice {
    const char *value;
    const char *label;
} project_choice_t;

/* ---- projects_logic.c: pure rules (tests/unit/test_projects.c) ---------------------- */

extern const project_choice_t projects_statuses[];
extern const size_t projects_status_count;
extern const project_choice_t projects_forms[];
extern const size_t projects_form_count;
extern const project_choice_t projects_obligations[];
extern const size_t projects_obligation_count;
extern const project_choice_t projects_change_kinds[];
extern const size_t projects_change_kind_count;
/* The names of the topics and of the citywide district, as msgids. */
extern const char *const projects_name_msgids[];
extern const size_t projects_name_msgid_count;

/* The label (msgid) of value in list, or NULL when value is not one of them. */
const char *projects_choice_label(const project_choice_t *list, size_t n, const char *value);
/* The label (msgid) of a tracked field ("ends_on" → "Voraussichtliches Ende"), NULL if unknown. */
const char *projects_field_label(const char *field);
/* 1 when the field holds long Markdown text (the change log shows it folded). */
int projects_field_is_long(const char *field);
/* The change log rows between old and now (each tracked field that differs), in
 * field order, at most max. Kinds: a later end date is a Verzögerung, higher
 * costs are Mehrkosten, new decisions a Beschluss, the status a status change,
 * everything else sonstiges. Values live in a. Returns the number of rows. */
size_t projects_diff(arena_t *a, const project_t *old, const project_t *now, project_change_t *out, size_t max);
/* The raw value of field in p, as the change log stores it ("" for unknown). */
const char *projects_field_value(arena_t *a, const project_t *p, const char *field);

/* "1.250.000 €", "12,50 €" (German grouping; cents only when there are some). */
const char *projects_euro(arena_t *a, int64_t cents);
/* Parses an amount as people type it ("1.250.000", "1250000,50", "12,5 €"):
 * 0 with *cents, 1 for an empty text (no amount), -1 malformed, -2 too large. */
int projects_parse_euro(const char *s, int64_t *cents);
/* 1 when s is a real calendar date yyyy-mm-dd (years 1900–2199). */
int projects_valid_date(const char *s);
/* "2027-06-30" → "30.06.2027"; "" for "". */
const char *projects_date_label(arena_t *a, const char *iso);
/* A Unix time as the local date "29.11.2026" / ISO "2026-11-29"; "" for t <= 0. */
const char *projects_day(arena_t *a, int64_t t);
const char *projects_iso_day(arena_t *a, int64_t t);
/* The title's key for German dictionary order (ä as a, ß as ss, case ignored). */
const char *projects_sort_key(arena_t *a, const char *title);
/* Appends s as one CSV field (RFC 4180: quoted when it holds a comma, quote, CR
 * or LF; quotes doubled). Returns what buf_* returns. */
int projects_csv_field(buf_t *out, const char *s);
/* 1 when p is a path on this site ("/…", not "//…", no backslash or control
 * characters, at most 1000 bytes) that may be redirected to. */
int projects_local_path(const char *p);
/* path with "hinweis=<notice>" as its last query parameter (an earlier hinweis
 * dropped), for the alert on the page a POST returns to. */
const char *projects_with_notice(arena_t *a, const char *path, const char *notice);
/* The quarter (1–4) and year of a Unix time in local time. */
void projects_quarter_of(int64_t t, int *year, int *quarter);
/* The next local 07:00 strictly after now; day gets its date "yyyy-mm-dd". */
int64_t projects_next_digest_time(int64_t now, char day[16]);

/* ---- projects_model.c: queries and objects ------------------------------------------ */

typedef struct project_filter {
    int64_t district_id; /* 0: any */
    const char *district_slug;
    int64_t topic_id; /* 0: any */
    const char *topic_slug;
    const char *status; /* NULL: any */
    int planned;        /* -1 any, 0 no participation planned, 1 planned */
    const char *query;  /* NULL or blank: no search */
    const char *sort;   /* neueste | titel | aenderung | relevanz (default: relevanz with a query, else neueste) */
} project_filter_t;

typedef struct project_hit {
    int64_t id;
    const char *title;
    int64_t created_at, updated_at, score;
} project_hit_t;

typedef struct project_hits {
    project_hit_t *items;
    size_t count;
    int64_t token; /* the kept listing they came from (projects_listing_cards) */
} project_hits_t;

/* The sort orders (value: the ?sortierung= word). */
extern const project_choice_t projects_sorts[];
extern const size_t projects_sort_count;

/* The entries matching f, in f's order. Returns 0, -1 for a query that is not
 * valid UTF-8, < -1 on a database error. */
int projects_find(db_t *db, arena_t *a, const project_filter_t *f, project_hits_t *out);
/* projects_listing.c: the entries passing f's filters (district, topic, status,
 * planned; not the query), among all entries or — when matches is not NULL —
 * among matches[0..match_count) (search hits; their scores are kept). out gets
 * hits in no particular order, in arena; with_sort_keys fills each hit's title
 * with its sort key (else ""). Returns 0 or < 0 on a database error. */
int projects_listing_select(db_t *db, arena_t *a, const project_filter_t *f, const project_hit_t *matches,
                            size_t match_count, int with_sort_keys, project_hits_t *out);
/* The card fields (title, summary, status, topic, districts, participation
 * planned and its form, created and updated) of ids[0..n) into out[0..n) from the
 * kept listing the hits with token came from; every other field is "". out[i].id
 * is 0 for an id that is gone. Returns 0 or < 0. */
int projects_listing_cards(db_t *db, arena_t *a, int64_t token, const int64_t *ids, size_t n, project_t *out);
/* Every district and topic in list order (written by migrations only), copied
 * into a from the kept listing. Returns 0 or < 0. */
int projects_listing_lists(db_t *db, arena_t *a, project_lists_t *out);
/* Forgets the kept entries (tests; the next request loads them again). */
void projects_listing_forget(void);
/* Loads the entries ids[0..n) into out[0..n) (out[i].id = 0 for an id that does
 * not exist). Returns 0 or < 0. */
int projects_load(db_t *db, arena_t *a, const int64_t *ids, size_t n, project_t *out);
/* One entry: 0, 1 when there is none, < 0 on an error. */
int projects_load_one(db_t *db, arena_t *a, int64_t id, project_t *out);
/* Every district / topic in list order. Return 0 or < 0. */
int projects_districts(db_t *db, arena_t *a, project_district_t **out, size_t *n);
int projects_topics(db_t *db, arena_t *a, project_topic_t **out, size_t *n);
/* The entry as the API and editions carry it: raw values and German labels.
 * A new reference. */
json_t *projects_json(const project_t *p);
/* The view model of an entry's card in a list (templates/participation/projects/
 * card.html): the fields of projects_json a card shows, with labels in lang as
 * projects_decorate makes them. A new reference. */
json_t *projects_card_json(const project_t *p, arena_t *a, const char *lang);
/* The change log of an entry, newest first, as JSON objects (at, kind, field,
 * old_value, new_value, explanation). 0 with *out (a new array) or < 0. */
int projects_changes_json(db_t *db, int64_t id, json_t **out);
/* Adds what a page shows to an entry object made by projects_json (also one
 * read back from an edition's snapshot): labels in lang, dates as dd.mm.yyyy,
 * costs in euro, the change log as a timeline, and with with_html the Markdown
 * fields as HTML (<field>_html; lists of entries show none of them). Returns 0,
 * or -1 when a Markdown text could not be rendered. */
int projects_decorate(json_t *obj, arena_t *a, const char *lang, int with_html);
/* How pages and e-mails show a raw value of the change log in lang ("30.06.2027",
 * "1.250.000 €", "in Umsetzung", "nicht angegeben" for an empty one). */
const char *projects_value_label(arena_t *a, const char *lang, const char *field, const char *raw);

/* ---- projects_store.c --------------------------------------------------------------- */

/* Saves p inside the caller's transaction: inserts it when old is NULL (p->id is
 * set), else updates it if nobody saved it since old->version was read
 * (PROJECTS_ECONFLICT otherwise), writes one change log row per changed field
 * with explanation, rebuilds its search terms and tells the followers (cfg NULL:
 * nobody is told, for demo data). *changes gets the number of change rows.
 * Returns 0 or < 0. */
int projects_store(db_t *db, arena_t *a, const config_t *cfg, project_t *p, const project_t *old,
                   const char *explanation, int64_t actor_id, int64_t now, size_t *changes);
/* Publishes the edition of year/quarter with a snapshot of every entry as it is
 * now: 0 with *id, 1 when that quarter has an edition already, < 0 on an error. */
int projects_publish_edition(db_t *db, arena_t *a, int year, int quarter, const char *note, int64_t actor_id,
                             int64_t now, int64_t *id);

/* ---- projects_follow.c ------------------------------------------------------------------ */

typedef struct follow_target {
    const char *kind; /* district | topic | project | process | request */
    int64_t id;
} follow_target_t;

int projects_follow_register(void);

/* ---- handlers ------------------------------------------------------------------------- */

/* projects_pages.c */
int projects_list_page(http_req_t *req);
int projects_entry_page(http_req_t *req);
/* projects_staff.c: administrators need a second factor first; HTTP_ANSWERED
 * when it sent them to set one up. */
int projects_staff_guard(http_req_t *req);
/* projects_staff_list.c */
int projects_staff_list(http_req_t *req);
int projects_staff_new(http_req_t *req);
int projects_staff_create(http_req_t *req);
int projects_staff_edit(http_req_t *req);
int projects_staff_update(http_req_t *req);
/* The staff list with the edition form; edition_values/errors (owned, may be
 * NULL) refill that form after a refused publish. */
int projects_staff_list_render(http_req_t *req, int status, json_t *edition_values, json_t *edition_errors);
/* projects_editions.c */
int projects_editions_page(http_req_t *req);
int projects_edition_page(http_req_t *req);
int projects_edition_publish(http_req_t *req);
/* projects_opendata.c */
int projects_csv(http_req_t *req);
int projects_api_list(http_req_t *req);
int projects_api_entry(http_req_t *req);
/* projects_follow.c */
int projects_follows_page(http_req_t *req);
int projects_follow(http_req_t *req);
int projects_unfollow(http_req_t *req);
int projects_digest_now(http_req_t *req); /* test route */

/* Shared by the handlers (projects_pages.c). Every district and topic
 * (projects_listing_lists, from the kept listing). Returns 0 or < 0. */
int projects_lists_load(db_t *db, arena_t *a, project_lists_t *out);
/* The filter of the request's query string (bezirk, thema, status, beteiligung,
 * q, sortierung) checked against the lists: 0, or the HTTP status of a bad one
 * with *error set to a msgid (422 for a query that is too long: the page shows
 * it on the search field). */
int projects_filter_from_query(http_req_t *req, const project_lists_t *lists, project_filter_t *f, const char **error);
/* The query string that reproduces f ("bezirk=…&thema=…"), "" when f is empty. */
const char *projects_filter_query(http_req_t *req, const project_filter_t *f);
/* A whole number in [min, max] from s; fallback when s is NULL; -1 when invalid. */
long projects_number(const char *s, long fallback, long min, long max);
/* The "hinweis" alert named by ?hinweis=… on a page after a POST (NULL: none). */
json_t *projects_notice(http_req_t *req);
/* The translated msgid. */
const char *projects_tr(const http_req_t *req, const char *msgid);

/* Tells the followers of any of targets (each user once: a mail at once when one
 * of their follows says einzeln, else a line in the daily digest). */
int projects_notify(db_t *db, const config_t *cfg, const follow_target_t *targets, size_t n, const char *subject,
                    const char *text, const char *path);
/* The signed-in user's follow of kind/id: 1 with *mode ("einzeln"/"taeglich"),
 * 0 when not followed, < 0 on an error. */
int projects_follow_mode(db_t *db, arena_t *a, int64_t user_id, const char *kind, int64_t id, const char **mode);
/* projects_follow_box: declared in internal.h (other parts show the follow box too). */

#endif
