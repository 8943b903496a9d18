/* config.c — defaults, rathaus.conf, RATHAUS_* environment and flags (see config.h).
 *
 * One table describes every key: its name, its type and where it lives in
 * config_t. File, environment and flags all go through config_set, so a key
 * is spelt, parsed and checked the same way wherever it comes from.
 */
#include "core/config.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum key_type { KEY_STR, KEY_INT, KEY_SIZE, KEY_BOOL };

typedef struct key {
    const char *name;   /* as in the file: lower case with underscores */
    enum key_type type;
    size_t offset;      /* into config_t */
    size_t size;        /* for KEY_STR: capacity of the char array */
    int secret;         /* masked by config_print */
    const char *help;   /* one line for `rathaus config --help` and docs */
} key_t_;

#define STR(f, h) {#f, KEY_STR, offsetof(config_t, f), sizeof(((config_t *)0)->f), 0, h}
#define SECRET(f, h) {#f, KEY_STR, offsetof(config_t, f), sizeof(((config_t *)0)->f), 1, h}
#define INT(f, h) {#f, KEY_INT, offsetof(config_t, f), 0, 0, h}
#define SIZE(f, h) {#f, KEY_SIZE, offsetof(config_t, f), 0, 0, h}
#define BOOL(f, h) {#f, KEY_BOOL, offsetof(config_t, f), 0, 0, h}

static const key_t_ keys[] = {
    STR(listen, "address and port to listen on"),
    STR(database_url, "sqlite:PATH or postgresql://…"),
    STR(data_dir, "directory for the SQLite file, mail files and backups"),
    STR(base_url, "public URL used in e-mails"),
    STR(city_name, "name of the city shown in the header"),
    STR(city_logo, "logo file under static/ (empty: the name only)"),
    STR(node_name, "name of this node when several share one PostgreSQL"),
    INT(threads, "HTTP worker threads"),
    INT(job_threads, "background job threads (0: this node runs no jobs)"),
    STR(tls_cert, "PEM certificate chain; with tls_key rathaus serves HTTPS"),
    STR(tls_key, "PEM private key"),
    BOOL(trust_proxy, "take client address and scheme from X-Forwarded-For/-Proto"),
    STR(smtp_url, "smtp://host:port or smtps://…; empty: write .eml files"),
    STR(smtp_from, "sender address of e-mails"),
    STR(smtp_user, "SMTP user name"),
    SECRET(smtp_password, "SMTP password"),
    STR(templates_dir, "template directory"),
    STR(static_dir, "our static files"),
    STR(kern_dir, "KERN UX distribution (npm @kern-ux/native/dist)"),
    STR(content_dir, "Markdown pages (Impressum, Datenschutz, …) per language"),
    STR(po_dir, "translations (.po)"),
    STR(log_level, "debug, info, warn or error"),
    BOOL(access_log, "one logfmt line per request"),
    BOOL(test_routes, "enable /_test/… routes (tests only, never in production)"),
    INT(session_idle_minutes, "sign out after this many minutes without a request"),
    INT(session_max_hours, "sign out after this many hours in any case"),
    STR(password_list, "file of common passwords that are refused"),
    STR(ldap_url, "ldap://… of the directory for staff login (empty: no LDAP)"),
    STR(ldap_base_dn, "base DN under which staff entries are searched"),
    STR(ldap_bind_dn, "DN of the service account for the search (empty: anonymous)"),
    SECRET(ldap_bind_password, "password of that service account"),
    STR(ldap_user_attr, "attribute that holds the login name (uid, sAMAccountName)"),
    STR(ldap_group_roles, "GROUP-DN=role[@unit];… maps directory groups to roles"),
    SIZE(max_header_bytes, "limit for all request headers together (431 above)"),
    SIZE(max_header_count, "limit for the number of request headers (431 above)"),
    SIZE(max_url_bytes, "limit for the request target (414 above)"),
    SIZE(max_body_bytes, "largest request body any route accepts (413 above)"),
    INT(io_timeout_ms, "idle connection timeout in milliseconds"),
    INT(shutdown_timeout_ms, "grace period for requests in flight on shutdown"),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void config_defaults(config_t *c)
{
    memset(c, 0, sizeof(*c));
    strcpy(c->listen, "127.0.0.1:8080");
    strcpy(c->database_url, "sqlite:var/rathaus.db");
    strcpy(c->data_dir, "var");
    strcpy(c->base_url, "http://localhost:8080");
    strcpy(c->city_name, "Mainz");
    if (gethostname(c->node_name, sizeof(c->node_name) - 1) != 0 || !c->node_name[0])
        strcpy(c->node_name, "rathaus");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    /* Handlers block on the database; a few threads per core keep one slow query
     * from stalling every other request. */
    c->threads = (int)(cores * 4 > 64 ? 64 : cores * 4);
    c->job_threads = 1;
    strcpy(c->smtp_from, "rathaus@localhost");
    strcpy(c->templates_dir, "templates");
    strcpy(c->static_dir, "static");
    strcpy(c->kern_dir, "node_modules/@kern-ux/native/dist");
    strcpy(c->content_dir, "content");
    strcpy(c->po_dir, "po");
    strcpy(c->log_level, "info");
    c->access_log = 1;
    c->session_idle_minutes = 30;
    c->session_max_hours = 12;
    strcpy(c->password_list, "data/common-passwords.txt");
    strcpy(c->ldap_user_attr, "uid");
    c->max_header_bytes = 16 * 1024;
    c->max_header_count = 64;
    c->max_url_bytes = 4096;
    c->max_body_bytes = 16 * 1024 * 1024;
    c->io_timeout_ms = 10000;
    c->shutdown_timeout_ms = 10000;
}

/* Finds a key by name; '-' and '_' are the same so that flags read naturally. */
static const key_t_ *find_key(const char *name)
{
    char norm[64];
    size_t i = 0;
    for (; name[i] && i < sizeof(norm) - 1; i++)
        norm[i] = name[i] == '-' ? '_' : (char)tolower((unsigned char)name[i]);
    norm[i] = '\0';
    for (size_t k = 0; k < NKEYS; k++)
        if (strcmp(keys[k].name, norm) == 0)
            return &keys[k];
    return NULL;
}

int config_key_known(const char *name) { return find_key(name) != NULL; }

int config_set(config_t *c, const char *name, const char *value, char *err, size_t errlen)
{
    const key_t_ *k = find_key(name);
    if (!k) {
        snprintf(err, errlen, "unknown setting '%s'", name);
        return -1;
    }
    char *field = (char *)c + k->offset;
    char *end = NULL;
    switch (k->type) {
    case KEY_STR:
        if (strlen(value) >= k->size) {
            snprintf(err, errlen, "%s: value longer than %zu bytes", k->name, k->size - 1);
            return -1;
        }
        strcpy(field, value);
        return 0;
    case KEY_INT: {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < 0 || v > 1000000000) {
            snprintf(err, errlen, "%s: '%s' is not a whole number from 0 to 10^9", k->name, value);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    }
    case KEY_SIZE: {
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        unsigned long long mult = 1;
        if (end && (*end == 'k' || *end == 'K'))
            mult = 1024, end++;
        else if (end && (*end == 'm' || *end == 'M'))
            mult = 1024 * 1024, end++;
        if (errno || end == value || *end || value[0] == '-' || v > SIZE_MAX / mult / 2) {
            snprintf(err, errlen, "%s: '%s' is not a size (like 4096, 64k or 16M)", k->name, value);
            return -1;
        }
        *(size_t *)field = (size_t)(v * mult);
        return 0;
    }
    case KEY_BOOL:
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on"))
            *(int *)field = 1;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off"))
            *(int *)field = 0;
        else {
            snprintf(err, errlen, "%s: '%s' is not a yes/no value (1, 0, true, false)", k->name, value);
            return -1;
        }
        return 0;
    }
    return -1;
}

/* Trims white space at both ends, in place. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int config_load_file(config_t *c, const char *path, int optional, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (optional && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
            rc = -1;
            goto out;
        }
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
            rc = -1;
            goto out;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        char msg[256];
        if (config_set(c, key, value, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
            rc = -1;
            goto out;
        }
    }
out:
    fclose(f);
    return rc;
}

int config_load_env(config_t *c, char *err, size_t errlen)
{
    for (size_t k = 0; k < NKEYS; k++) {
        char var[80] = "RATHAUS_";
        size_t i = 8;
        for (const char *p = keys[k].name; *p && i < sizeof(var) - 1; p++)
            var[i++] = (char)toupper((unsigned char)*p);
        var[i] = '\0';
        const char *v = getenv(var);
        if (!v)
            continue;
        char msg[256];
        if (config_set(c, keys[k].name, v, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s: %s", var, msg);
            return -1;
        }
    }
    return 0;
}

int config_validate(const config_t *c, char *err, size_t errlen)
{
    if (strncmp(c->database_url, "sqlite:", 7) != 0 && strncmp(c->database_url, "postgresql://", 13) != 0 &&
        strncmp(c->database_url, "postgres://", 11) != 0) {
        snprintf(err, errlen, "database_url: '%s' must start with sqlite: or postgresql://", c->database_url);
        return -1;
    }
    if (!!c->tls_cert[0] != !!c->tls_key[0]) {
        snprintf(err, errlen, "tls_cert and tls_key: give both files for HTTPS, or neither");
        return -1;
    }
    const char *colon = strrchr(c->listen, ':');
    if (!colon || !colon[1]) {
        snprintf(err, errlen, "listen: '%s' needs a port, like 127.0.0.1:8080", c->listen);
        return -1;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) {
        snprintf(err, errlen, "listen: port '%s' must be 1 to 65535", colon + 1);
        return -1;
    }
    if (c->threads < 1 || c->threads > 256) {
        snprintf(err, errlen, "threads: %d must be 1 to 256", c->threads);
        return -1;
    }
    if (c->job_threads > 16) {
        snprintf(err, errlen, "job_threads: %d must be 0 to 16", c->job_threads);
        return -1;
    }
    if (c->max_header_bytes < 1024 || c->max_header_count < 8 || c->max_url_bytes < 256) {
        snprintf(err, errlen, "limits: max_header_bytes ≥ 1024, max_header_count ≥ 8, max_url_bytes ≥ 256");
        return -1;
    }
    if (c->smtp_url[0] && strncmp(c->smtp_url, "smtp://", 7) && strncmp(c->smtp_url, "smtps://", 8)) {
        snprintf(err, errlen, "smtp_url: '%s' must start with smtp:// or smtps://", c->smtp_url);
        return -1;
    }
    if (!log_level_known(c->log_level)) {
        snprintf(err, errlen, "log_level: '%s' must be debug, info, warn or error", c->log_level);
        return -1;
    }
    return 0;
}

void config_print(const config_t *c, FILE *out)
{
    for (size_t k = 0; k < NKEYS; k++) {
        const char *field = (const char *)c + keys[k].offset;
        fprintf(out, "%-20s = ", keys[k].name);
        switch (keys[k].type) {
        case KEY_STR:
            fprintf(out, "%s\n", keys[k].secret && *field ? "********" : field);
            break;
        case KEY_INT:
        case KEY_BOOL:
            fprintf(out, "%d\n", *(const int *)field);
            break;
        case KEY_SIZE:
            fprintf(out, "%zu\n", *(const size_t *)field);
            break;
        }
    }
}

void config_print_help(FILE *out)
{
    for (size_t k = 0; k < NKEYS; k++)
        fprintf(out, "  --%-20s %s\n", keys[k].name, keys[k].help);
}
