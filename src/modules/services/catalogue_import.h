/* catalogue_import.h — what the two halves of the catalogue importer share; private to them.
 *
 *   catalogue_check.c    the rules of a catalogue file, checked before anything is written
 *   catalogue_import.c   reading the file, writing it in one transaction, the search index
 *
 * data/services/README.md describes the format.
 */
#ifndef RATHAUS_MODULES_SERVICES_CATALOGUE_IMPORT_H
#define RATHAUS_MODULES_SERVICES_CATALOGUE_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SLUG_MAX 64
#define WHERE_MAX 128 /* "services[123] (reisepass)" */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Checks a whole catalogue file (parsed) against the rules: every field known
 * and valid, slugs unique per section, none reserved. Returns 0, or -1 with err
 * naming the entry and the field. */
int catalogue_check_file(const json_t *root, char *err, size_t errlen);

/* "services[3] (reisepass)" for messages. */
static inline void describe(char *out, size_t outlen, const char *section, size_t i, const json_t *obj)
{
    const json_t *slug = json_is_object(obj) ? json_object_get(obj, "slug") : NULL;
    if (json_is_string(slug))
        snprintf(out, outlen, "%s[%zu] (%.40s)", section, i, json_string_value(slug));
    else
        snprintf(out, outlen, "%s[%zu]", section, i);
}

/* A field's text; "" when it is missing (the check has made sure of its type). */
static inline const char *get_text(const json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s ? s : "";
}

/* A field's whole number (true/false as 1/0); fallback when it is missing. */
static inline int64_t get_int(const json_t *obj, const char *name, int64_t fallback)
{
    const json_t *v = json_object_get(obj, name);
    if (json_is_boolean(v))
        return json_is_true(v);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

#endif
