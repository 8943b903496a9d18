/* ldap_login.h — optional staff login against the city's directory (LDAP).
 *
 * When ldap_url is set, city staff sign in with their directory login name and
 * password instead of a rathaus password. ldap_login() checks the password with
 * the directory and returns who the person is (DN, mail, names) and which rathaus
 * roles their directory groups grant (ldap_group_roles). The caller links the DN
 * to a rathaus account (identity_links, provider 'ldap') and applies the grants.
 *
 * Every call opens its own connections and closes them before it returns, so
 * worker threads may call it at the same time; nothing is cached between calls.
 */
#ifndef RATHAUS_ACCOUNT_LDAP_LOGIN_H
#define RATHAUS_ACCOUNT_LDAP_LOGIN_H

#include <stddef.h>

#include "core/config.h"

#define LDAP_LOGIN_EDENIED (-1)      /* wrong login name or password: one answer for both */
#define LDAP_LOGIN_EUNAVAILABLE (-2) /* directory unreachable, too slow, or misconfigured */

#define LDAP_LOGIN_NAME_MAX 128      /* bytes of a login name (valid UTF-8, no NUL) */
#define LDAP_LOGIN_PASSWORD_MAX 1024 /* bytes of a password; longer ones are refused unsent */
#define LDAP_LOGIN_TIMEOUT_SECONDS 5 /* connect timeout and per-operation timeout */
#define LDAP_GROUP_ROLES_MAX 32      /* entries in ldap_group_roles, and grants per person */

typedef struct ldap_identity {
    char dn[512];                        /* the person's entry, as the directory spells it: the stable link */
    char login[LDAP_LOGIN_NAME_MAX + 1]; /* the login name as the directory spells it (its case) */
    char email[256];                     /* mail; "" when the entry has none (or none that fits or is UTF-8) */
    char display_name[256];              /* displayName, else cn; cut at a character boundary when too long */
    char given_name[128];                /* givenName or "" */
    char family_name[128];               /* sn or "" */
    struct {
        char role[64]; /* rathaus role name ("sachbearbeitung") */
        char unit[64]; /* organisation unit slug, "" = the role holds everywhere */
    } grants[LDAP_GROUP_ROLES_MAX];
    int grant_count; /* distinct (role, unit) pairs from the person's groups */
} ldap_identity_t;

/* Checks login/password against the directory in cfg (ldap_url, ldap_base_dn,
 * ldap_bind_dn, ldap_bind_password, ldap_user_attr, ldap_group_roles).
 *
 * Returns 0 with *out filled when the password is right; LDAP_LOGIN_EDENIED for
 * an unknown login, a wrong password, a login that matches several entries, and
 * any login or password refused before asking (empty, longer than the limits,
 * not UTF-8); LDAP_LOGIN_EUNAVAILABLE when the directory cannot answer (down,
 * timeout, service account refused, base DN missing, config unusable). On
 * failure *out is all zeros and err (may be NULL) says why, for the operator's
 * log only: it tells an unknown login from a wrong password, so it must never
 * reach the person signing in. Blocks for at most a few multiples of
 * LDAP_LOGIN_TIMEOUT_SECONDS (per server listed in ldap_url).
 *
 *   ldap_identity_t id;
 *   char why[256];
 *   int rc = ldap_login(cfg, form_login, form_password, &id, why, sizeof(why));
 *   if (rc == LDAP_LOGIN_EUNAVAILABLE) log_kv(LOG_ERROR, "ldap login", "why", why, NULL);
 */
int ldap_login(const config_t *cfg, const char *login, const char *password, ldap_identity_t *out, char *err,
               size_t errlen);

/* One entry of ldap_group_roles. */
typedef struct ldap_group_role {
    char group_dn[512]; /* normalised (RFC 4514 string form); matched ignoring ASCII case */
    char role[64];      /* [a-z0-9_-], 1..63 bytes */
    char unit[64];      /* [a-z0-9-], 0..63 bytes; "" = everywhere */
} ldap_group_role_t;

/* Parses "GROUP-DN=role[@unit];GROUP-DN=role…" into out[0..max). The role follows
 * the last '=' of an entry (the DN has '=' of its own); a ';' or '=' inside a DN
 * value is written escaped ("\;", "\3B"). Spaces around entries are ignored, so
 * are empty entries. Returns the number of entries (0 for an empty spec) or -1
 * with "entry N: …" in err (not a DN, bad role or unit, too long, more than max).
 * Also meant for checking the configuration at start-up. */
int ldap_group_roles_parse(const char *spec, ldap_group_role_t *out, int max, char *err, size_t errlen);

/* Escapes value[0..n) for use inside an LDAP search filter (RFC 4515): '*', '(',
 * ')', '\', NUL and the other ASCII control characters become "\2a" etc.; UTF-8
 * passes unchanged. Writes a NUL-terminated string to out. Returns 0, or -1 when
 * it does not fit in cap bytes (out is then ""). */
int ldap_login_filter_escape(const char *value, size_t n, char *out, size_t cap);

#endif
