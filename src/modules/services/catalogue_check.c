/* catalogue_check.c — the rules of a catalogue file (data/services/README.md),
 * checked in full before catalogue_import.c writes anything: every field against
 * the tables below, unknown fields refused so that a typo cannot pass silently,
 * slugs unique per section and none that would hide another page.
 */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "modules/services/catalogue_import.h"

#define UNITS_MAX 500
#define SITUATIONS_MAX 200
#define SERVICES_MAX 10000

/* ---- the rules ----------------------------------------------------------------------- */

enum rule_kind {
    RULE_TEXT,      /* string of at most max characters */
    RULE_SLUG,      /* [a-z0-9-], 1..max, no hyphen at either end */
    RULE_KEY,       /* [a-z0-9_-], 0..max (form_key, workflow) */
    RULE_LEIKA,     /* '' or 14 digits starting with 99 */
    RULE_URL,       /* '' or http(s)://…, at most max characters */
    RULE_EMAIL,     /* '' or something@something, at most max characters */
    RULE_PATH,      /* relative path below the catalogue's folder */
    RULE_BOOL,      /* true/false or 0/1 */
    RULE_INT,       /* whole number 0..max */
    RULE_TEXT_LIST, /* array of at most max strings, each at most item_max characters */
    RULE_SLUG_LIST, /* array of at most max slugs */
};

typedef struct field_rule {
    const char *name;
    enum rule_kind kind;
    long max;      /* characters, items or largest value, by kind */
    long item_max; /* lists of text: characters of one item */
    int required;
} field_rule_t;

static const field_rule_t unit_rules[] = {
    {"slug", RULE_SLUG, SLUG_MAX, 0, 1}, {"name", RULE_TEXT, 200, 0, 1},   {"address", RULE_TEXT, 500, 0, 0},
    {"phone", RULE_TEXT, 100, 0, 0},     {"email", RULE_EMAIL, 200, 0, 0}, {"opening_hours", RULE_TEXT, 2000, 0, 0},
};

static const field_rule_t situation_rules[] = {
    {"slug", RULE_SLUG, SLUG_MAX, 0, 1},
    {"name", RULE_TEXT, 200, 0, 1},
    {"description", RULE_TEXT, 2000, 0, 0},
    {"position", RULE_INT, 100000, 0, 0},
};

static const field_rule_t service_rules[] = {
    {"slug", RULE_SLUG, SLUG_MAX, 0, 1},       {"name", RULE_TEXT, 200, 0, 1},
    {"leika_key", RULE_LEIKA, 14, 0, 0},       {"summary", RULE_TEXT, 500, 0, 0},
    {"description", RULE_TEXT, 20000, 0, 0},   {"easy_language", RULE_TEXT, 20000, 0, 0},
    {"eligibility", RULE_TEXT, 5000, 0, 0},    {"documents", RULE_TEXT_LIST, 50, 500, 0},
    {"fees", RULE_TEXT, 5000, 0, 0},           {"fee_rules_file", RULE_PATH, 200, 0, 0},
    {"processing_time", RULE_TEXT, 500, 0, 0}, {"legal_basis", RULE_TEXT, 2000, 0, 0},
    {"maturity", RULE_INT, 7, 0, 0},           {"unit", RULE_SLUG, SLUG_MAX, 0, 1},
    {"form_key", RULE_KEY, 64, 0, 0},          {"external_url", RULE_URL, 500, 0, 0},
    {"appointments", RULE_BOOL, 0, 0, 0},      {"min_trust", RULE_INT, 3, 0, 0},
    {"workflow", RULE_KEY, 64, 0, 0},          {"four_eyes", RULE_BOOL, 0, 0, 0},
    {"published", RULE_BOOL, 0, 0, 0},         {"life_situations", RULE_SLUG_LIST, 20, 0, 0},
    {"synonyms", RULE_TEXT_LIST, 50, 100, 0},
};

/* Paths of /leistungen/… that a service's slug would hide. */
static const char *const reserved_slugs[] = {"suche", "lebenslagen"};


static int valid_slug(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int valid_key(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

static int valid_leika(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return 1;
    if (n != 14 || s[0] != '9' || s[1] != '9')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* A relative path inside the catalogue's folder: no "..", no absolute path. */
static int valid_path(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || s[0] == '/' || strstr(s, ".."))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '_' || s[i] == '.' || s[i] == '/'))
            return 0;
    return 1;
}

static size_t chars(const char *s)
{
    return utf8_length(s, strlen(s));
}

/* Checks one field's value; NULL when fine, else what is wrong. */
static const char *check_value(const field_rule_t *r, const json_t *v, char *msg, size_t msglen)
{
    switch (r->kind) {
    case RULE_BOOL:
        if (json_is_boolean(v) || (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)))
            return NULL;
        return "must be true or false";
    case RULE_INT:
        if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= r->max)
            return NULL;
        snprintf(msg, msglen, "must be a whole number from 0 to %ld", r->max);
        return msg;
    case RULE_TEXT_LIST:
    case RULE_SLUG_LIST: {
        if (!json_is_array(v))
            return "must be a list";
        if ((long)json_array_size(v) > r->max) {
            snprintf(msg, msglen, "has more than %ld entries", r->max);
            return msg;
        }
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item)) {
                snprintf(msg, msglen, "entry %zu is not text", i);
                return msg;
            }
            const char *s = json_string_value(item);
            if (r->kind == RULE_SLUG_LIST ? !valid_slug(s, SLUG_MAX)
                                          : (chars(s) == 0 || (long)chars(s) > r->item_max)) {
                if (r->kind == RULE_SLUG_LIST)
                    snprintf(msg, msglen, "entry %zu ('%.40s') is not a slug ([a-z0-9-])", i, s);
                else
                    snprintf(msg, msglen, "entry %zu is empty or longer than %ld characters", i, r->item_max);
                return msg;
            }
        }
        return NULL;
    }
    default:
        break;
    }
    if (!json_is_string(v))
        return "must be text";
    const char *s = json_string_value(v);
    switch (r->kind) {
    case RULE_SLUG:
        if (valid_slug(s, (size_t)r->max))
            return NULL;
        snprintf(msg, msglen, "'%.40s' is not a slug: 1 to %ld characters a-z, 0-9 and -, no - at either end", s,
                 r->max);
        return msg;
    case RULE_KEY:
        if (valid_key(s, (size_t)r->max))
            return NULL;
        snprintf(msg, msglen, "'%.40s' may hold only a-z, 0-9, - and _ (at most %ld)", s, r->max);
        return msg;
    case RULE_LEIKA:
        return valid_leika(s) ? NULL : "must be empty or a FIM Leistungsschlüssel: 14 digits starting with 99";
    case RULE_URL:
        if (!*s || ((!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7)) && (long)chars(s) <= r->max &&
                    !strpbrk(s, " \t\r\n\"<>")))
            return NULL;
        return "must be empty or an http(s):// address without spaces";
    case RULE_EMAIL:
        if (!*s || (strchr(s, '@') && strchr(s, '@') != s && !strpbrk(s, " \t\r\n<>\"") && (long)chars(s) <= r->max))
            return NULL;
        return "must be empty or an e-mail address";
    case RULE_PATH:
        return valid_path(s, (size_t)r->max) ? NULL
                                             : "must be a relative path (a-z, 0-9, . _ - /) without '..' below the "
                                               "catalogue's folder";
    default: /* RULE_TEXT */
        if ((long)chars(s) <= r->max)
            return NULL;
        snprintf(msg, msglen, "is longer than %ld characters", r->max);
        return msg;
    }
}

/* Checks obj against rules: known fields only, required ones present, each valid. */
static int check_object(const json_t *obj, const field_rule_t *rules, size_t count, const char *where, char *err,
                        size_t errlen)
{
    if (!json_is_object(obj)) {
        snprintf(err, errlen, "%s: must be an object", where);
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i;
        for (i = 0; i < count && strcmp(rules[i].name, key) != 0; i++)
            ;
        if (i == count) {
            snprintf(err, errlen, "%s: unknown field '%.40s'", where, key);
            return -1;
        }
    }
    for (size_t i = 0; i < count; i++) {
        v = json_object_get(obj, rules[i].name);
        if (!v || json_is_null(v)) {
            if (rules[i].required) {
                snprintf(err, errlen, "%s: '%s' is missing", where, rules[i].name);
                return -1;
            }
            continue;
        }
        char msg[160];
        const char *problem = check_value(&rules[i], v, msg, sizeof(msg));
        if (problem) {
            snprintf(err, errlen, "%s: '%s' %s", where, rules[i].name, problem);
            return -1;
        }
        if (rules[i].required && json_is_string(v) && !*json_string_value(v)) {
            snprintf(err, errlen, "%s: '%s' is empty", where, rules[i].name);
            return -1;
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Checks one section (an array of objects) and that its slugs are unique. */
static int check_section(const json_t *root, const char *section, const field_rule_t *rules, size_t rule_count,
                         size_t max, char *err, size_t errlen)
{
    const json_t *arr = json_object_get(root, section);
    if (!arr)
        return 0;
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "'%s' must be a list", section);
        return -1;
    }
    size_t n = json_array_size(arr);
    if (n > max) {
        snprintf(err, errlen, "'%s' has %zu entries, at most %zu are allowed", section, n, max);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char where[WHERE_MAX];
        const json_t *obj = json_array_get(arr, i);
        describe(where, sizeof(where), section, i, obj);
        if (check_object(obj, rules, rule_count, where, err, errlen) != 0)
            return -1;
    }
    if (n < 2)
        return 0;
    const char **slugs = malloc(n * sizeof(*slugs));
    if (!slugs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        slugs[i] = get_text(json_array_get(arr, i), "slug");
    qsort(slugs, n, sizeof(*slugs), cmp_str);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++)
        if (strcmp(slugs[i - 1], slugs[i]) == 0) {
            snprintf(err, errlen, "%s: the slug '%s' appears twice", section, slugs[i]);
            rc = -1;
        }
    free(slugs);
    return rc;
}

int catalogue_check_file(const json_t *root, char *err, size_t errlen)
{
    if (!json_is_object(root)) {
        snprintf(err, errlen, "the file must hold one JSON object");
        return -1;
    }
    static const char *const sections[] = {"catalogue", "units", "life_situations", "services"};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)root, key, v)
    {
        size_t i;
        for (i = 0; i < COUNT(sections) && strcmp(sections[i], key) != 0; i++)
            ;
        if (i == COUNT(sections)) {
            snprintf(err, errlen, "unknown top-level field '%.40s'", key);
            return -1;
        }
    }
    const json_t *version = json_object_get(root, "catalogue");
    if (!json_is_integer(version) || json_integer_value(version) != 1) {
        snprintf(err, errlen, "'catalogue' must be 1 (the version of this format)");
        return -1;
    }
    if (check_section(root, "units", unit_rules, COUNT(unit_rules), UNITS_MAX, err, errlen) != 0 ||
        check_section(root, "life_situations", situation_rules, COUNT(situation_rules), SITUATIONS_MAX, err, errlen) !=
            0 ||
        check_section(root, "services", service_rules, COUNT(service_rules), SERVICES_MAX, err, errlen) != 0)
        return -1;
    const json_t *services = json_object_get(root, "services");
    size_t i;
    json_t *svc;
    json_array_foreach(services, i, svc)
    {
        const char *slug = get_text(svc, "slug");
        for (size_t r = 0; r < COUNT(reserved_slugs); r++)
            if (!strcmp(slug, reserved_slugs[r])) {
                snprintf(err, errlen, "services[%zu]: the slug '%s' is reserved (/leistungen/%s is another page)", i,
                         slug, slug);
                return -1;
            }
    }
    return 0;
}
