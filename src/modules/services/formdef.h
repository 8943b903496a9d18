/* formdef.h — forms as data, inside the services module (docs/forms.md).
 *
 * A form definition is kept as the jansson object it was written as; once
 * formdef_parse has accepted it, the functions below trust its structure. They
 * are split by concern:
 *
 *   formdef.c          the strict check of a definition
 *   formdef_store.c    storing it as the next version, loading it, the demo folder
 *   formdef_eval.c     dates relative to today, IBAN, conditions, which steps and
 *                      fields are shown, the answers taken from a POST, pre-fill
 *   formdef_answers.c  each answer's check against its field
 *   formdef_view.c     the view models of a step page and of the review page
 *
 * Nothing here touches a request: the page code (apply_*.c) passes in the form
 * values, the language and "today", which is also what makes it testable.
 */
#ifndef RATHAUS_MODULES_SERVICES_FORMDEF_H
#define RATHAUS_MODULES_SERVICES_FORMDEF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"
#include "web/form.h"

/* Limits of a definition (docs/forms.md#limits); each is hit by a unit test. */
#define FORMDEF_MAX_BYTES (1024 * 1024)
#define FORMDEF_MAX_STEPS 30
#define FORMDEF_MAX_FIELDS 200
#define FORMDEF_MAX_OPTIONS 100
#define FORMDEF_MAX_NAME 63
#define FORMDEF_MAX_TITLE 200
#define FORMDEF_MAX_LABEL 300
#define FORMDEF_MAX_HINT 1000
#define FORMDEF_MAX_TEXT 4000 /* intro, help */
#define FORMDEF_MAX_PATTERN 200
#define FORMDEF_MAX_COND_DEPTH 8
#define FORMDEF_MAX_COND_LIST 20
#define FORMDEF_MAX_IN_VALUES 50
#define FORMDEF_MAX_TRANSLATIONS 2000
#define FORMDEF_MAX_SUMMARY_FIELDS 5
#define FORMDEF_TEXT_MAX_CHARS 1000      /* text-like: largest max_length */
#define FORMDEF_TEXTAREA_MAX_CHARS 10000 /* textarea: largest max_length */
#define FORMDEF_FILE_MAX_BYTES (10 * 1024 * 1024)
#define FORMDEF_FILE_DEFAULT_BYTES (5 * 1024 * 1024)
#define FORMDEF_MAX_FILES 5

/* The field types (docs/forms.md#field-types). */
enum formdef_type {
    FT_TEXT,
    FT_TEXTAREA,
    FT_NUMBER,
    FT_DATE,
    FT_SELECT,
    FT_RADIO,
    FT_CHECKBOX,
    FT_CHECKBOXES,
    FT_FILE,
    FT_ADDRESS,
    FT_IBAN,
    FT_EMAIL,
    FT_PHONE,
    FT_UNKNOWN,
};

/* The parts of an address field, in their order on the page. */
extern const char *const formdef_address_parts[4];

/* ---- formdef.c ------------------------------------------------------------------ */

/* The type of a field of a checked definition (FT_UNKNOWN for anything else). */
enum formdef_type formdef_type(const json_t *field);
/* The type's name ("text") for a type, or NULL. */
enum formdef_type formdef_type_by_name(const char *name);

/* Parses and checks a definition; returns it (the caller owns it) or NULL with a
 * message naming the place in err. formdef_check in internal.h is this without
 * the result. */
json_t *formdef_parse(const char *json_text, size_t len, char *err, size_t errlen);
/* ---- formdef_store.c (and formdef_store / formdef_load_dir in internal.h) ---------- */

/* The definition of form_definitions row form_id (new reference), or NULL when
 * there is none or on a database error (*missing tells which). */
json_t *formdef_load(db_t *db, int64_t form_id, int *missing);
/* The id of the newest version of form_key. Returns 0, 1 when there is none, < 0. */
int formdef_newest(db_t *db, const char *form_key, int64_t *form_id);

/* ---- formdef_eval.c ---------------------------------------------------------------- */

/* Today's date as "yyyy-mm-dd" (local time of the server: Europe/Berlin), in out[11]. */
void formdef_today(char out[11]);
/* 1 when s is a real calendar date "yyyy-mm-dd" (years 1000–9999); sets y, m, d. */
int formdef_parse_date(const char *s, int *y, int *m, int *d);
/* Resolves a date rule ("today", "+14d", "-6m", "+1y", "2026-01-01") against
 * today into out[11]. Returns 0, or -1 when the rule is not one. */
int formdef_resolve_date(const char *rule, const char *today, char out[11]);
/* Age in full years on today of a person born on birth; -1 when birth is not a
 * date or lies after today. */
int formdef_age(const char *birth, const char *today);
/* 1 when iban (spaces allowed, any case) passes the ISO 13616 checks. */
int formdef_iban_valid(const char *iban);

/* Which steps and fields are shown for a set of answers. Built in one pass in
 * definition order: conditions refer only to earlier fields, and a hidden field
 * counts as empty for the conditions that look at it. */
typedef struct formdef_state {
    const json_t *def;
    const json_t *answers;
    char today[11];
    size_t step_count;
    size_t field_count;
    struct {
        const json_t *field;
        const char *name;
        size_t step;
        int visible;
    } fields[FORMDEF_MAX_FIELDS];
    int step_visible[FORMDEF_MAX_STEPS];
} formdef_state_t;

void formdef_state_init(formdef_state_t *s, const json_t *def, const json_t *answers, const char *today);
/* 1 when the field named name is shown (0 also when there is no such field). */
int formdef_field_visible(const formdef_state_t *s, const char *name);
/* The field named name, or NULL. */
const json_t *formdef_field(const json_t *def, const char *name);
/* Number of steps in the definition. */
size_t formdef_step_count(const json_t *def);
const json_t *formdef_step(const json_t *def, size_t index);
/* "Schritt pos von total": the position of step index (0-based) among the shown
 * steps (1-based) and how many are shown. A hidden step gets the position the
 * next shown one would have. */
void formdef_progress(const formdef_state_t *s, size_t index, int *pos, int *total);
/* The next shown step after index (dir +1) or before it (dir -1); -1 when none.
 * from = -1 with dir +1 gives the first shown step. */
int formdef_next_step(const formdef_state_t *s, int from, int dir);

/* Takes the values of the fields that were on step index (shown for the answers
 * the page was built from) out of a POST into answers: trimmed strings, true/false
 * for a checkbox, arrays for checkboxes, objects for an address. Fields not on
 * the page keep their answers. */
void formdef_collect_step(const formdef_state_t *shown, size_t index, const form_t *form, json_t *answers);

/* Fills answers from the profile (account_profile_json plus "email") for every
 * field with "prefill". */
void formdef_prefill(const json_t *def, const json_t *profile, json_t *answers);

/* ---- formdef_answers.c ------------------------------------------------------------- */

/* Checks one field's answer. files: object field name → number of files stored
 * (NULL: none). Returns NULL when it is fine, else the problem as a German text
 * (a msgid), with *arg set to a value to show after it (or NULL). */
const char *formdef_check_answer(const json_t *field, const json_t *answers, const json_t *files, const char *today,
                                 const char **arg, arena_t *arena);
/* Checks every shown field of step index. Adds name → {"message", "arg"} to
 * errors for each problem. Returns the number of problems. */
int formdef_check_step(const formdef_state_t *s, size_t index, const json_t *files, json_t *errors, arena_t *arena);
/* The answers without those of hidden fields (new reference): what is submitted. */
json_t *formdef_visible_answers(const formdef_state_t *s);

/* ---- formdef_view.c ----------------------------------------------------------------- */

/* The translation of a German text of the form into lang (the definition's
 * "translations"), or the text itself. */
const char *formdef_text(const json_t *def, const char *lang, const char *text);
/* The view model of the fields of step index for templates/services/apply/step.html:
 * an array of field objects (see that template). errors as from formdef_check_step;
 * files: object field name → array of {"file_id", "filename", "size_text"} (may be
 * NULL). Error messages, translated and prefixed with the label, are appended to
 * summary ({"id", "message"}) for the error summary; id is the input a message
 * links to. */
json_t *formdef_view_fields(const formdef_state_t *s, size_t index, const json_t *errors, const json_t *files,
                            const char *lang, json_t *summary, arena_t *arena);
/* The answers of every shown step for the review page: [{"number", "title",
 * "items": [{"label", "value", "lines"}]}]. */
json_t *formdef_view_review(const formdef_state_t *s, const json_t *files, const char *lang, arena_t *arena);
/* One answer as display text ("ja", "15.03.1990", "Brief, E-Mail", an address
 * on one line); "" when unanswered. */
const char *formdef_display_value(const json_t *def, const json_t *field, const json_t *answers, const char *lang,
                                  arena_t *arena);
/* The file types of a field as "PDF, JPEG oder PNG" and its size limit as "5 MB". */
const char *formdef_accept_text(const json_t *field, const char *lang, arena_t *arena);

#endif
