/* ldap_login.c — staff login against the city's directory (see ldap_login.h).
 *
 * One login, in this order:
 *   1. refuse, without any network traffic, an empty or oversized password and a
 *      login name that is empty, longer than 128 bytes or not UTF-8. An empty
 *      password matters most: a simple bind with a DN and no password is an
 *      "unauthenticated bind" (RFC 4513 5.1.2) that many servers answer with
 *      success, which would let anyone in under any name;
 *   2. connect to ldap_url, bind as ldap_bind_dn (or stay anonymous) and search
 *      under ldap_base_dn for (&(objectClass=*)(<ldap_user_attr>=<login>)), the
 *      login escaped per RFC 4515; anything but exactly one entry is a denial;
 *   3. bind as that entry's DN with the password on a fresh connection, so the
 *      search connection never changes identity and keeps its rights;
 *   4. read mail, displayName/cn, givenName and sn from the search result, and
 *      the groups the DN is a member of: memberOf values if the entry has them,
 *      plus a search for (|(member=DN)(uniqueMember=DN)) under the naming context
 *      that holds ldap_base_dn (groupOfNames, groupOfUniqueNames, AD groups);
 *      groups map to roles by ldap_group_roles. Only direct membership counts.
 *
 * Every call has its own LDAP handles (libldap handles are not shared between
 * threads here) and releases them on every path through one cleanup label. Each
 * handle has a connect timeout and an operation timeout of
 * LDAP_LOGIN_TIMEOUT_SECONDS, so a hanging directory blocks a worker thread for
 * seconds, not forever. Referrals are not chased.
 *
 * Transport security. ldap:// sends the password in clear text: fine on loopback
 * (the tests), not across a network. In production use
 *     ldap_url = ldaps://dc1.stadt.example ldaps://dc2.stadt.example
 * (port 636; several URLs separated by spaces are tried in turn). libldap checks
 * the server certificate against TLS_CACERT in /etc/ldap/ldap.conf — on Debian
 * /etc/ssl/certs/ca-certificates.crt — or the file named by the environment
 * variable LDAPTLS_CACERT; put the city's internal CA there. TLS_REQCERT must
 * stay at its default "demand". StartTLS on ldap:// is not attempted.
 */
#include "modules/account/ldap_login.h"

#include "core/log.h"
#include "core/utf8.h"

#include <ldap.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Bytes of an escaped DN in a filter: every byte may become three. */
#define ESCAPED_DN_MAX (3 * sizeof(((ldap_identity_t *)0)->dn))

static pthread_once_t global_init_once = PTHREAD_ONCE_INIT;

/* Makes libldap read ldap.conf and set its global defaults once, before any
 * handle exists; newer libldap versions lock this themselves, older ones did not. */
static void global_init(void)
{
    int version = 0;
    ldap_get_option(NULL, LDAP_OPT_PROTOCOL_VERSION, &version);
}

/* printf into err when the caller gave one. */
__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* "what: <libldap text for rc> (<server's diagnostic message>)" into err. */
static void set_ldap_err(char *err, size_t errlen, LDAP *ld, int rc, const char *what)
{
    char *diag = NULL; /* owned by us once returned; freed with ldap_memfree */
    if (ld != NULL)
        ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    if (diag != NULL && diag[0] != '\0')
        set_err(err, errlen, "%s: %s (%s)", what, ldap_err2string(rc), diag);
    else
        set_err(err, errlen, "%s: %s", what, ldap_err2string(rc));
    if (diag != NULL)
        ldap_memfree(diag);
}

int ldap_login_filter_escape(const char *value, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0; /* bytes written to out so far */
    if (cap == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        int special = c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c == 0x7f;
        size_t need = special ? 3 : 1;
        if (o + need >= cap) {
            out[0] = '\0';
            return -1;
        }
        if (special) {
            out[o++] = '\\';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return 0;
}

/* Writes the RFC 4514 form of dn into out (libldap's normaliser: no spaces
 * around separators, one escaping style). Returns 0, or -1 when dn is not a DN,
 * is empty, or does not fit. */
static int dn_normalize(const char *dn, char *out, size_t cap)
{
    char *norm = NULL; /* from libldap, freed with ldap_memfree */
    int rc = -1;
    if (ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAP, &norm, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || norm == NULL)
        goto out;
    size_t len = strlen(norm);
    if (len == 0 || len >= cap)
        goto out;
    memcpy(out, norm, len + 1);
    rc = 0;
out:
    if (norm != NULL)
        ldap_memfree(norm);
    return rc;
}

/* 1 when normalised DN dn ends with the whole RDNs of normalised DN suffix
 * (ASCII case ignored): "ou=people,dc=a,dc=b" has suffix "dc=a,dc=b", not "c=a,dc=b". */
static int dn_has_suffix(const char *dn, const char *suffix)
{
    size_t n = strlen(dn), s = strlen(suffix);
    if (s > n || strcasecmp(dn + (n - s), suffix) != 0)
        return 0;
    if (s == n)
        return 1;
    if (dn[n - s - 1] != ',')
        return 0;
    size_t backslashes = 0; /* an escaped "\," is part of a value, not a separator */
    for (size_t i = n - s - 1; i > 0 && dn[i - 1] == '\\'; i--)
        backslashes++;
    return backslashes % 2 == 0;
}

static int role_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
static int unit_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Copies s[0..n) into out[cap] when every byte passes ok() and 1 <= n < cap. */
static int copy_name(const char *s, size_t n, char *out, size_t cap, int (*ok)(char))
{
    if (n == 0 || n >= cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i]))
            return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* Parses one trimmed entry s[0..n) "GROUP-DN=role[@unit]" into *e. */
static int parse_group_role(const char *s, size_t n, ldap_group_role_t *e, int number, char *err, size_t errlen)
{
    char dn[1024]; /* the DN as written; ldap_group_roles has 1024 bytes in all */
    size_t eq = n; /* index of the last unescaped '=' */
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '=')
            eq = i;
    }
    if (eq == n || eq == 0) {
        set_err(err, errlen, "entry %d: expected GROUP-DN=role[@unit]", number);
        return -1;
    }
    size_t dn_len = eq;
    while (dn_len > 0 && (s[dn_len - 1] == ' ' || s[dn_len - 1] == '\t'))
        dn_len--;
    const char *rs = s + eq + 1; /* role[@unit] */
    size_t rn = n - eq - 1;
    while (rn > 0 && (*rs == ' ' || *rs == '\t')) {
        rs++;
        rn--;
    }
    const char *at = memchr(rs, '@', rn);
    size_t role_len = at != NULL ? (size_t)(at - rs) : rn;
    memset(e, 0, sizeof(*e));
    if (copy_name(rs, role_len, e->role, sizeof(e->role), role_char) != 0) {
        set_err(err, errlen, "entry %d: role must be 1-%zu of a-z 0-9 _ -", number, sizeof(e->role) - 1);
        return -1;
    }
    if (at != NULL && copy_name(at + 1, rn - role_len - 1, e->unit, sizeof(e->unit), unit_char) != 0) {
        set_err(err, errlen, "entry %d: unit after '@' must be 1-%zu of a-z 0-9 -", number, sizeof(e->unit) - 1);
        return -1;
    }
    if (dn_len >= sizeof(dn)) {
        set_err(err, errlen, "entry %d: group DN too long", number);
        return -1;
    }
    memcpy(dn, s, dn_len);
    dn[dn_len] = '\0';
    if (dn_normalize(dn, e->group_dn, sizeof(e->group_dn)) != 0) {
        set_err(err, errlen, "entry %d: \"%.200s\" is not a DN (or longer than %zu bytes)", number, dn,
                sizeof(e->group_dn) - 1);
        return -1;
    }
    return 0;
}

int ldap_group_roles_parse(const char *spec, ldap_group_role_t *out, int max, char *err, size_t errlen)
{
    int count = 0;  /* entries parsed into out */
    int number = 0; /* entries seen, for messages (1-based) */
    if (spec == NULL)
        return 0;
    const char *p = spec;
    while (*p != '\0') {
        const char *start = p; /* this entry: up to the next unescaped ';' */
        while (*p != '\0' && *p != ';') {
            if (*p == '\\' && p[1] != '\0')
                p++;
            p++;
        }
        const char *end = p;
        if (*p == ';')
            p++;
        while (start < end && (*start == ' ' || *start == '\t' || *start == '\n'))
            start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
            end--;
        if (start == end)
            continue;
        number++;
        if (count >= max) {
            set_err(err, errlen, "entry %d: more than %d entries", number, max);
            return -1;
        }
        if (parse_group_role(start, (size_t)(end - start), &out[count], number, err, errlen) != 0)
            return -1;
        count++;
    }
    return count;
}

/* 1 when name can stand for an attribute in a filter: a descriptor
 * ("uid", "sAMAccountName") or a numeric OID. */
static int attr_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= 64)
        return 0;
    int alpha = (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z');
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= '0' && c <= '9') ||
                 (alpha ? ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') : c == '.');
        if (!ok)
            return 0;
    }
    return 1;
}

/* A new handle for url with our options; no traffic until the first operation. */
static int conn_open(const char *url, LDAP **out, char *err, size_t errlen)
{
    LDAP *ld = NULL; /* the handle; ours until stored in *out */
    int version = LDAP_VERSION3;
    struct timeval timeout = {LDAP_LOGIN_TIMEOUT_SECONDS, 0};
    int rc = ldap_initialize(&ld, url);
    if (rc != LDAP_SUCCESS || ld == NULL) {
        set_err(err, errlen, "ldap_url \"%s\": %s", url, ldap_err2string(rc));
        return -1;
    }
    if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS) {
        set_err(err, errlen, "cannot set LDAP options");
        ldap_unbind_ext_s(ld, NULL, NULL);
        return -1;
    }
    *out = ld;
    return 0;
}

/* Simple bind; password must not be empty (checked by the callers). */
static int simple_bind(LDAP *ld, const char *dn, const char *password)
{
    struct berval cred = {.bv_len = strlen(password), .bv_val = (char *)password};
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

/* Copies the first value of attr (UTF-8 only) into out[cap]. With cut, a value
 * too long is cut at a character boundary; without, it is left out. */
static void copy_attr(LDAP *ld, LDAPMessage *entry, const char *attr, char *out, size_t cap, int cut)
{
    struct berval **vals = ldap_get_values_len(ld, entry, attr); /* freed below */
    out[0] = '\0';
    if (vals == NULL)
        return;
    if (vals[0] != NULL && utf8_valid(vals[0]->bv_val, vals[0]->bv_len)) {
        size_t len = vals[0]->bv_len;
        if (len >= cap)
            len = cut ? utf8_truncate(vals[0]->bv_val, len, cap - 1) : 0;
        memcpy(out, vals[0]->bv_val, len);
        out[len] = '\0';
    }
    ldap_value_free_len(vals);
}

/* The login name as the directory stores it: the value of attr equal to the typed
 * login up to ASCII case, else the typed login itself. */
static void copy_login(LDAP *ld, LDAPMessage *entry, const char *attr, const char *login, char *out, size_t cap)
{
    struct berval **vals = ldap_get_values_len(ld, entry, attr); /* freed below */
    size_t n = strlen(login);
    snprintf(out, cap, "%s", login);
    for (size_t i = 0; vals != NULL && vals[i] != NULL; i++) {
        if (vals[i]->bv_len == n && strncasecmp(vals[i]->bv_val, login, n) == 0 && utf8_valid(vals[i]->bv_val, n)) {
            memcpy(out, vals[i]->bv_val, n);
            out[n] = '\0';
            break;
        }
    }
    if (vals != NULL)
        ldap_value_free_len(vals);
}

/* Adds the grants of every mapping for group_dn (any spelling) to id, once each. */
static void grant_group(ldap_identity_t *id, const char *group_dn, const ldap_group_role_t *map, int map_count)
{
    char norm[sizeof(map[0].group_dn)]; /* group_dn normalised */
    if (dn_normalize(group_dn, norm, sizeof(norm)) != 0)
        return;
    for (int m = 0; m < map_count; m++) {
        if (strcasecmp(norm, map[m].group_dn) != 0)
            continue;
        int have = 0;
        for (int g = 0; g < id->grant_count && !have; g++)
            have = strcmp(id->grants[g].role, map[m].role) == 0 && strcmp(id->grants[g].unit, map[m].unit) == 0;
        if (have || id->grant_count >= LDAP_GROUP_ROLES_MAX)
            continue;
        memcpy(id->grants[id->grant_count].role, map[m].role, sizeof(map[m].role));
        memcpy(id->grants[id->grant_count].unit, map[m].unit, sizeof(map[m].unit));
        id->grant_count++;
    }
}

/* Where groups are searched: the longest naming context of the server (root DSE)
 * that contains base_dn; when the root DSE says nothing usable, base_dn from its
 * first dc= RDN on; else base_dn itself. Writes a normalised DN to out. */
static void group_search_base(LDAP *ld, const char *base_dn, char *out, size_t cap)
{
    char *attrs[] = {"namingContexts", NULL};
    struct timeval timeout = {LDAP_LOGIN_TIMEOUT_SECONDS, 0};
    LDAPMessage *res = NULL;     /* the root DSE; freed below */
    struct berval **vals = NULL; /* its namingContexts; freed below */
    char base[512];              /* base_dn normalised */
    char nc[512];                /* one naming context normalised */
    size_t best = 0;             /* length of the best naming context so far */

    if (dn_normalize(base_dn, base, sizeof(base)) != 0) {
        snprintf(out, cap, "%s", base_dn);
        return;
    }
    snprintf(out, cap, "%s", base);
    int rc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL, &timeout, 1, &res);
    LDAPMessage *entry = rc == LDAP_SUCCESS ? ldap_first_entry(ld, res) : NULL;
    if (entry != NULL)
        vals = ldap_get_values_len(ld, entry, "namingContexts");
    for (size_t i = 0; vals != NULL && vals[i] != NULL; i++) {
        if (vals[i]->bv_len == 0 || vals[i]->bv_len >= sizeof(nc))
            continue;
        memcpy(nc, vals[i]->bv_val, vals[i]->bv_len);
        nc[vals[i]->bv_len] = '\0';
        if (dn_normalize(nc, nc, sizeof(nc)) == 0 && strlen(nc) > best && dn_has_suffix(base, nc) && strlen(nc) < cap) {
            best = strlen(nc);
            memcpy(out, nc, best + 1);
        }
    }
    if (best == 0) {
        for (size_t i = 0; base[i] != '\0'; i++) {
            if ((i == 0 || base[i - 1] == ',') && strncasecmp(base + i, "dc=", 3) == 0 &&
                dn_has_suffix(base, base + i)) {
                snprintf(out, cap, "%s", base + i);
                break;
            }
        }
    }
    if (vals != NULL)
        ldap_value_free_len(vals);
    if (res != NULL)
        ldap_msgfree(res);
}

/* Grants from the groups id->dn belongs to: the entry's memberOf values and a
 * search for groups listing the DN. Returns 0 or LDAP_LOGIN_EUNAVAILABLE: a person
 * whose groups cannot be read must not sign in with fewer (or stale) roles. */
static int read_groups(LDAP *ld, LDAPMessage *entry, const config_t *cfg, ldap_identity_t *id,
                       const ldap_group_role_t *map, int map_count, char *err, size_t errlen)
{
    char *attrs[] = {LDAP_NO_ATTRS, NULL}; /* "1.1": the DNs are all we need */
    struct timeval timeout = {LDAP_LOGIN_TIMEOUT_SECONDS, 0};
    struct berval **member_of = NULL; /* memberOf values; freed below */
    LDAPMessage *res = NULL;          /* the group search; freed below */
    char escaped[ESCAPED_DN_MAX];     /* id->dn escaped for the filter */
    char filter[2 * ESCAPED_DN_MAX + 64];
    char base[512]; /* the naming context searched */
    int result = LDAP_LOGIN_EUNAVAILABLE;

    member_of = ldap_get_values_len(ld, entry, "memberOf");
    for (size_t i = 0; member_of != NULL && member_of[i] != NULL; i++) {
        char dn[512];
        if (member_of[i]->bv_len >= sizeof(dn))
            continue;
        memcpy(dn, member_of[i]->bv_val, member_of[i]->bv_len);
        dn[member_of[i]->bv_len] = '\0';
        grant_group(id, dn, map, map_count);
    }

    if (ldap_login_filter_escape(id->dn, strlen(id->dn), escaped, sizeof(escaped)) != 0)
        goto out; /* cannot happen: escaped holds three bytes per byte of dn */
    snprintf(filter, sizeof(filter), "(|(member=%s)(uniqueMember=%s))", escaped, escaped);
    group_search_base(ld, cfg->ldap_base_dn, base, sizeof(base));
    int rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL, &timeout, 0, &res);
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        char what[600];
        snprintf(what, sizeof(what), "group search under \"%s\"", base);
        set_ldap_err(err, errlen, ld, rc, what);
        goto out;
    }
    if (rc == LDAP_SIZELIMIT_EXCEEDED)
        log_kv(LOG_WARN, "ldap group search hit the server's size limit; later groups are ignored", "dn", id->dn, NULL);
    for (LDAPMessage *g = ldap_first_entry(ld, res); g != NULL; g = ldap_next_entry(ld, g)) {
        char *dn = ldap_get_dn(ld, g); /* freed with ldap_memfree */
        if (dn != NULL) {
            grant_group(id, dn, map, map_count);
            ldap_memfree(dn);
        }
    }
    result = 0;
out:
    if (member_of != NULL)
        ldap_value_free_len(member_of);
    if (res != NULL)
        ldap_msgfree(res);
    return result;
}

/* Checks the directory settings before anything is sent. */
static int check_config(const config_t *cfg, char *err, size_t errlen)
{
    if (cfg->ldap_url[0] == '\0') {
        set_err(err, errlen, "ldap_url is empty: LDAP login is not configured");
        return -1;
    }
    if (cfg->ldap_base_dn[0] == '\0') {
        set_err(err, errlen, "ldap_base_dn is empty");
        return -1;
    }
    if (!attr_name_ok(cfg->ldap_user_attr)) {
        set_err(err, errlen, "ldap_user_attr \"%.64s\" is not an attribute name", cfg->ldap_user_attr);
        return -1;
    }
    /* A DN without password is an unauthenticated bind: it "succeeds" as anonymous
     * and hides the mistake until searches come back empty. */
    if (cfg->ldap_bind_dn[0] != '\0' && cfg->ldap_bind_password[0] == '\0') {
        set_err(err, errlen, "ldap_bind_dn is set but ldap_bind_password is empty");
        return -1;
    }
    if (cfg->ldap_bind_dn[0] == '\0' && cfg->ldap_bind_password[0] != '\0') {
        set_err(err, errlen, "ldap_bind_password is set but ldap_bind_dn is empty");
        return -1;
    }
    return 0;
}

int ldap_login(const config_t *cfg, const char *login, const char *password, ldap_identity_t *out, char *err,
               size_t errlen)
{
    int result = LDAP_LOGIN_EUNAVAILABLE;        /* what we return; 0 only at the very end */
    LDAP *search = NULL;                         /* service connection: search, attributes, groups */
    LDAP *check = NULL;                          /* fresh connection for the person's own bind */
    LDAPMessage *res = NULL;                     /* the user search result */
    char *dn = NULL;                             /* the entry's DN from libldap */
    ldap_group_role_t map[LDAP_GROUP_ROLES_MAX]; /* ldap_group_roles parsed */
    char escaped[3 * LDAP_LOGIN_NAME_MAX + 1];   /* the login escaped for the filter */
    char filter[sizeof(escaped) + 128];
    char map_err[256]; /* why ldap_group_roles does not parse */
    char what[700];    /* the operation, for messages */
    char *attrs[] = {(char *)cfg->ldap_user_attr, "mail", "displayName", "cn", "givenName", "sn", "memberOf", NULL};
    struct timeval timeout = {LDAP_LOGIN_TIMEOUT_SECONDS, 0};
    LDAPMessage *entry = NULL; /* the one entry in res */
    size_t login_len, password_len;
    int map_count, entries, rc;

    memset(out, 0, sizeof(*out));
    set_err(err, errlen, "%s", "");

    /* 1. Refuse what needs no directory to refuse. */
    login_len = login != NULL ? strnlen(login, LDAP_LOGIN_NAME_MAX + 1) : 0;
    if (login_len == 0 || login_len > LDAP_LOGIN_NAME_MAX || !utf8_valid(login, login_len)) {
        set_err(err, errlen, "login name empty, longer than %d bytes or not UTF-8", LDAP_LOGIN_NAME_MAX);
        result = LDAP_LOGIN_EDENIED;
        goto out;
    }
    password_len = password != NULL ? strnlen(password, LDAP_LOGIN_PASSWORD_MAX + 1) : 0;
    if (password_len == 0 || password_len > LDAP_LOGIN_PASSWORD_MAX) {
        set_err(err, errlen, "password empty or longer than %d bytes: not sent", LDAP_LOGIN_PASSWORD_MAX);
        result = LDAP_LOGIN_EDENIED;
        goto out;
    }
    if (check_config(cfg, err, errlen) != 0)
        goto out;
    map_count = ldap_group_roles_parse(cfg->ldap_group_roles, map, LDAP_GROUP_ROLES_MAX, map_err, sizeof(map_err));
    if (map_count < 0) {
        set_err(err, errlen, "ldap_group_roles: %s", map_err);
        goto out;
    }
    pthread_once(&global_init_once, global_init);

    /* 2. Find the one entry for this login. */
    if (conn_open(cfg->ldap_url, &search, err, errlen) != 0)
        goto out;
    if (cfg->ldap_bind_dn[0] != '\0') {
        rc = simple_bind(search, cfg->ldap_bind_dn, cfg->ldap_bind_password);
        if (rc != LDAP_SUCCESS) {
            snprintf(what, sizeof(what), "%s: bind as ldap_bind_dn \"%.256s\"", cfg->ldap_url, cfg->ldap_bind_dn);
            set_ldap_err(err, errlen, search, rc, what);
            goto out;
        }
    }
    if (ldap_login_filter_escape(login, login_len, escaped, sizeof(escaped)) != 0)
        goto out; /* cannot happen: three bytes per byte fit */
    snprintf(filter, sizeof(filter), "(&(objectClass=*)(%s=%s))", cfg->ldap_user_attr, escaped);
    /* Size limit 2: one entry is the answer, a second one is all we need to know. */
    rc = ldap_search_ext_s(search, cfg->ldap_base_dn, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL, &timeout, 2,
                           &res);
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        snprintf(what, sizeof(what), "%s: search under ldap_base_dn \"%.256s\"", cfg->ldap_url, cfg->ldap_base_dn);
        set_ldap_err(err, errlen, search, rc, what);
        goto out;
    }
    entries = ldap_count_entries(search, res);
    if (entries != 1 || rc == LDAP_SIZELIMIT_EXCEEDED) {
        set_err(err, errlen, entries == 0 ? "no entry with %s=%s" : "several entries with %s=%s", cfg->ldap_user_attr,
                escaped);
        result = LDAP_LOGIN_EDENIED;
        goto out;
    }
    entry = ldap_first_entry(search, res);
    dn = entry != NULL ? ldap_get_dn(search, entry) : NULL;
    if (dn == NULL || dn[0] == '\0' || strlen(dn) >= sizeof(out->dn)) {
        set_err(err, errlen, "entry for %s=%s has no usable DN (empty or longer than %zu bytes)", cfg->ldap_user_attr,
                escaped, sizeof(out->dn) - 1);
        goto out;
    }

    /* 3. The password, on a connection of its own. */
    if (conn_open(cfg->ldap_url, &check, err, errlen) != 0)
        goto out;
    rc = simple_bind(check, dn, password);
    if (rc != LDAP_SUCCESS) {
        snprintf(what, sizeof(what), "bind as \"%.512s\"", dn);
        set_ldap_err(err, errlen, check, rc, what);
        /* 49 is the usual answer; 48 (no password attribute) and 53 (account
         * disabled, unauthenticated bind refused) also speak about this person. */
        if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INAPPROPRIATE_AUTH || rc == LDAP_UNWILLING_TO_PERFORM)
            result = LDAP_LOGIN_EDENIED;
        goto out;
    }
    ldap_unbind_ext_s(check, NULL, NULL);
    check = NULL;

    /* 4. Who it is and what their groups grant. */
    memcpy(out->dn, dn, strlen(dn) + 1);
    copy_login(search, entry, cfg->ldap_user_attr, login, out->login, sizeof(out->login));
    copy_attr(search, entry, "mail", out->email, sizeof(out->email), 0);
    copy_attr(search, entry, "displayName", out->display_name, sizeof(out->display_name), 1);
    if (out->display_name[0] == '\0')
        copy_attr(search, entry, "cn", out->display_name, sizeof(out->display_name), 1);
    copy_attr(search, entry, "givenName", out->given_name, sizeof(out->given_name), 1);
    copy_attr(search, entry, "sn", out->family_name, sizeof(out->family_name), 1);
    if (map_count > 0 && read_groups(search, entry, cfg, out, map, map_count, err, errlen) != 0)
        goto out;
    result = 0;

out:
    if (dn != NULL)
        ldap_memfree(dn);
    if (res != NULL)
        ldap_msgfree(res);
    if (check != NULL)
        ldap_unbind_ext_s(check, NULL, NULL);
    if (search != NULL)
        ldap_unbind_ext_s(search, NULL, NULL);
    if (result != 0)
        memset(out, 0, sizeof(*out));
    return result;
}
