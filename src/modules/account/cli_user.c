/* cli_user.c — `rathaus user …` and `rathaus unit …`: staff accounts and
 * organisation units from the command line (for the first admin, for scripts),
 * and the demo accounts of `rathaus demo`.
 *
 *   rathaus user add --email E --name N [--role R] [--unit SLUG] [--password-stdin]
 *   rathaus user list
 *   rathaus user grant EMAIL ROLE [UNIT]
 *   rathaus user block EMAIL        (and: user unblock EMAIL)
 *   rathaus unit add SLUG NAME
 *   rathaus unit list
 *
 * A new account is a confirmed staff account. With --password-stdin the first
 * line of standard input is its password (the same policy as on the web);
 * otherwise an invitation link is printed, valid for 7 days. Every change is
 * audited with the actor "cli". Exit codes: 0 done, 1 failed, 2 wrong usage.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "db/migrate.h"
#include "modules/account/admin.h"
#include "modules/account/password.h"
#include "modules/account/tokens.h"
#include "platform/audit.h"
#include "platform/mail.h"

#define EXIT_USAGE 2
#define EMAIL_MAX 254

static const char sql_user_by_email[] = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL";
static const char sql_users[] = "SELECT id, email, is_staff, blocked_at FROM users WHERE deleted_at IS NULL "
                                "ORDER BY id";
static const char sql_grants[] = "SELECT ur.user_id, r.name, COALESCE(u.slug, '') FROM user_roles ur "
                                 "JOIN roles r ON r.id = ur.role_id LEFT JOIN units u ON u.id = ur.unit_id "
                                 "ORDER BY ur.user_id, r.name, u.slug";
static const char sql_units[] = "SELECT u.id, u.slug, u.name, (SELECT COUNT(*) FROM unit_members m "
                                "WHERE m.unit_id = u.id) FROM units u ORDER BY u.slug";

/* Opens the configured database and applies pending migrations (as main.c does). */
static int open_db(const config_t *cfg, db_t **db)
{
    char err[1024];
    if (migrate_open(cfg->database_url, db, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: %s\n", err);
        return -1;
    }
    return 0;
}

/* An address as typed, lower-cased into out; 0, or -1 when it is not one. */
static int normalise_email(const char *in, char out[EMAIL_MAX + 1])
{
    size_t n = in ? strlen(in) : 0;
    if (n == 0 || n > EMAIL_MAX)
        return -1;
    for (size_t i = 0; i <= n; i++)
        out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
    return mail_address_valid(out) ? 0 : -1;
}

/* A display or unit name: 1..ADMIN_NAME_MAX characters of UTF-8 without controls. */
static int valid_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || !utf8_valid(s, n) || utf8_length(s, n) > ADMIN_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* The live account of an address: 0 and *id, 1 none (message printed), < 0 error. */
static int user_id(db_t *db, const char *email_in, int64_t *id)
{
    char email[EMAIL_MAX + 1];
    if (normalise_email(email_in, email) != 0) {
        fprintf(stderr, "rathaus: '%s' is not an e-mail address\n", email_in);
        return 1;
    }
    db_stmt_t *st;
    if (db_prepare(db, sql_user_by_email, &st) != 0)
        return -1;
    db_bind_text(st, 1, email, -1);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_column_int64(st, 0);
    db_reset(st);
    if (rc == DB_DONE)
        fprintf(stderr, "rathaus: no account with the address %s\n", email);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

/* Looks up a role and, when slug is given, a unit; prints what is unknown.
 * 0 found, 1 unknown, < 0 error. */
static int role_and_unit(db_t *db, const char *role, const char *slug, int64_t *role_id, int64_t *unit_id)
{
    *role_id = *unit_id = 0;
    int rc = role ? admin_role_id(db, role, role_id) : 0;
    if (rc == 1)
        fprintf(stderr, "rathaus: no role '%s' (see the roles at /verwaltung/rollen)\n", role);
    if (rc != 0)
        return rc;
    rc = slug ? admin_unit_id(db, slug, unit_id) : 0;
    if (rc == 1)
        fprintf(stderr, "rathaus: no unit '%s' (see: rathaus unit list)\n", slug);
    return rc;
}

/* Reads one line (the password) from stdin into out without its line end.
 * Returns 0, or -1 when there is none or it is longer than PASSWORD_MAX_BYTES. */
static int read_password(char *out, size_t size)
{
    if (!fgets(out, (int)size, stdin))
        return -1;
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[--n] = '\0';
    else if (n == size - 1 && !feof(stdin))
        return -1; /* longer than the buffer */
    if (n && out[n - 1] == '\r')
        out[--n] = '\0';
    return n > PASSWORD_MAX_BYTES ? -1 : 0;
}

/* Writes an audit entry with the actor "cli"; detail (taken over) may be NULL. */
static int audit_cli(db_t *db, const char *action, const char *kind, int64_t id, json_t *detail)
{
    char object[48];
    snprintf(object, sizeof(object), "%s:%lld", kind, (long long)id);
    char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    int rc = audit_log(db, "cli", action, object, text, "", "");
    free(text);
    return rc;
}

/* Commits, or rolls back and prints the database error. Returns the exit code. */
static int finish(db_t *db, int ok)
{
    if (ok && db_commit(db) == 0)
        return 0;
    fprintf(stderr, "rathaus: database error: %s\n", db_errmsg(db));
    db_rollback(db);
    return 1;
}

static int user_add(const config_t *cfg, db_t *db, int argc, char **argv)
{
    const char *email_in = NULL, *name = NULL, *role = NULL, *unit = NULL;
    int from_stdin = 0;
    static const char *const flags[] = {"--email", "--name", "--role", "--unit"};
    const char **slots[] = {&email_in, &name, &role, &unit};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--password-stdin")) {
            from_stdin = 1;
            continue;
        }
        size_t len = strcspn(a, "="); /* "--email=E" as well as "--email E" */
        const char **slot = NULL;
        for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
            if (strlen(flags[k]) == len && !strncmp(a, flags[k], len))
                slot = slots[k];
        if (slot && a[len] == '=') {
            *slot = a + len + 1;
        } else if (slot && i + 1 < argc) {
            *slot = argv[++i];
        } else {
            fprintf(stderr, "rathaus: %s '%s'\n", slot ? "missing value after" : "unknown argument", a);
            return EXIT_USAGE;
        }
    }
    if (!email_in || !name) {
        fprintf(stderr, "usage: rathaus user add --email E --name N [--role R] [--unit SLUG] [--password-stdin]\n");
        return EXIT_USAGE;
    }
    char email[EMAIL_MAX + 1];
    if (normalise_email(email_in, email) != 0) {
        fprintf(stderr, "rathaus: '%s' is not an e-mail address\n", email_in);
        return 1;
    }
    if (!valid_name(name)) {
        fprintf(stderr, "rathaus: the name must be 1 to %d characters without control characters\n", ADMIN_NAME_MAX);
        return 1;
    }
    int64_t role_id, unit_id;
    int rc = role_and_unit(db, role, unit, &role_id, &unit_id);
    if (rc != 0)
        return 1;

    char hash[PASSWORD_HASH_MAX] = "";
    if (from_stdin) {
        char pw[PASSWORD_MAX_BYTES + 3], err[512];
        const char *reason = NULL;
        if (password_list_load(cfg->password_list, err, sizeof(err)) != 0) {
            fprintf(stderr, "rathaus: list of common passwords: %s\n", err);
            return 1;
        }
        if (read_password(pw, sizeof(pw)) != 0) {
            fprintf(stderr, "rathaus: no password on standard input (one line, at most %d bytes)\n",
                    PASSWORD_MAX_BYTES);
            sodium_memzero(pw, sizeof(pw));
            return 1;
        }
        rc = password_check(pw, email, &reason);
        if (rc == 0)
            rc = password_hash(pw, hash);
        sodium_memzero(pw, sizeof(pw));
        password_list_free();
        if (rc != 0) {
            fprintf(stderr, "rathaus: password refused: %s\n", reason ? reason : "could not hash it");
            return 1;
        }
    }
    if (db_begin_write(db) != 0)
        return finish(db, 0);
    int64_t id = admin_create_staff(db, email, name, hash[0] ? hash : NULL, role_id, unit_id, (int64_t)time(NULL));
    if (id == 0) {
        db_rollback(db);
        fprintf(stderr, "rathaus: there is already an account with the address %s\n", email);
        return 1;
    }
    char token[48] = "";
    int ok = id > 0 && (hash[0] || token_create(db, id, TOKEN_INVITE, NULL, ADMIN_INVITE_TTL, token) == 0);
    ok = ok &&
         audit_cli(db, "admin.user_created", "user", id,
                   json_pack("{s:s,s:s,s:s}", "email", email, "role", role ? role : "", "unit", unit ? unit : "")) == 0;
    if ((rc = finish(db, ok)) != 0)
        return rc;
    printf("created staff account %lld: %s\n", (long long)id, email);
    if (!hash[0])
        printf("invitation link (valid 7 days): %s/konto/einladung?token=%s\n", cfg->base_url, token);
    return 0;
}

static int user_list(db_t *db)
{
    /* Accounts and grants, both ordered by user id, read side by side (a merge):
     * no limit on either, nothing held in memory. */
    db_stmt_t *users, *grants;
    if (db_prepare(db, sql_users, &users) != 0 || db_prepare(db, sql_grants, &grants) != 0)
        return 1;
    printf("%-6s %-40s %-5s %-7s %s\n", "ID", "E-MAIL", "STAFF", "BLOCKED", "ROLES");
    int g = db_step(grants), rc;
    while ((rc = db_step(users)) == DB_ROW) {
        int64_t id = db_column_int64(users, 0);
        printf("%-6lld %-40s %-5s %-7s ", (long long)id, db_column_text(users, 1),
               db_column_int64(users, 2) ? "yes" : "no", db_column_is_null(users, 3) ? "no" : "yes");
        while (g == DB_ROW && db_column_int64(grants, 0) < id) /* grants of deleted accounts */
            g = db_step(grants);
        for (int first = 1; g == DB_ROW && db_column_int64(grants, 0) == id; first = 0) {
            const char *unit = db_column_text(grants, 2);
            printf("%s%s%s%s", first ? "" : ", ", db_column_text(grants, 1), unit[0] ? "@" : "", unit);
            g = db_step(grants);
        }
        putchar('\n');
    }
    db_reset(grants);
    db_reset(users);
    return rc < 0 || g < 0 ? 1 : 0;
}

static int user_grant(db_t *db, int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: rathaus user grant EMAIL ROLE [UNIT]\n");
        return EXIT_USAGE;
    }
    int64_t id, role_id, unit_id;
    int rc = user_id(db, argv[0], &id);
    if (rc == 0)
        rc = role_and_unit(db, argv[1], argc == 3 ? argv[2] : NULL, &role_id, &unit_id);
    if (rc != 0)
        return 1;
    if (db_begin_write(db) != 0)
        return finish(db, 0);
    int ok = admin_grant_role(db, id, role_id, unit_id) == 0 &&
             audit_cli(db, "admin.role_granted", "user", id,
                       json_pack("{s:s,s:s}", "role", argv[1], "unit", argc == 3 ? argv[2] : "")) == 0;
    if ((rc = finish(db, ok)) != 0)
        return rc;
    printf("granted role %s to %s%s%s\n", argv[1], argv[0], argc == 3 ? " in unit " : " everywhere",
           argc == 3 ? argv[2] : "");
    return 0;
}

static int user_block(db_t *db, int argc, char **argv, int blocked)
{
    if (argc != 1) {
        fprintf(stderr, "usage: rathaus user %s EMAIL\n", blocked ? "block" : "unblock");
        return EXIT_USAGE;
    }
    int64_t id;
    if (user_id(db, argv[0], &id) != 0)
        return 1;
    if (db_begin_write(db) != 0)
        return finish(db, 0);
    int ok = admin_set_blocked(db, id, blocked, (int64_t)time(NULL)) == 0 &&
             audit_cli(db, blocked ? "admin.user_blocked" : "admin.user_unblocked", "user", id, NULL) == 0;
    int rc = finish(db, ok);
    if (rc == 0)
        printf("%s %s%s\n", blocked ? "blocked" : "unblocked", argv[0], blocked ? "; all its sessions ended" : "");
    return rc;
}

int account_cli_user(const config_t *cfg, int argc, char **argv)
{
    static const char usage[] =
        "usage: rathaus user add --email E --name N [--role R] [--unit SLUG] [--password-stdin]\n"
        "       rathaus user list\n"
        "       rathaus user grant EMAIL ROLE [UNIT]\n"
        "       rathaus user block|unblock EMAIL\n";
    const char *sub = argc > 0 ? argv[0] : "";
    if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "grant") && strcmp(sub, "block") &&
        strcmp(sub, "unblock")) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "list") && argc != 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    db_t *db;
    if (open_db(cfg, &db) != 0)
        return 1;
    int rc = !strcmp(sub, "add")     ? user_add(cfg, db, argc - 1, argv + 1)
             : !strcmp(sub, "list")  ? user_list(db)
             : !strcmp(sub, "grant") ? user_grant(db, argc - 1, argv + 1)
                                     : user_block(db, argc - 1, argv + 1, !strcmp(sub, "block"));
    db_close(db);
    return rc;
}

int account_cli_unit(const config_t *cfg, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    int add = !strcmp(sub, "add") && argc == 3, list = !strcmp(sub, "list") && argc == 1;
    if (!add && !list) {
        fprintf(stderr, "usage: rathaus unit add SLUG NAME\n       rathaus unit list\n");
        return EXIT_USAGE;
    }
    if (add && !admin_valid_slug(argv[1])) {
        fprintf(stderr, "rathaus: the slug must be 2 to 40 characters of a-z, 0-9 and '-'\n");
        return 1;
    }
    if (add && !valid_name(argv[2])) {
        fprintf(stderr, "rathaus: the name must be 1 to %d characters without control characters\n", ADMIN_NAME_MAX);
        return 1;
    }
    db_t *db;
    if (open_db(cfg, &db) != 0)
        return 1;
    int rc = 0;
    if (list) {
        db_stmt_t *st;
        rc = db_prepare(db, sql_units, &st) == 0 ? 0 : 1;
        if (rc == 0) {
            printf("%-6s %-24s %-7s %s\n", "ID", "SLUG", "MEMBERS", "NAME");
            while (db_step(st) == DB_ROW)
                printf("%-6lld %-24s %-7lld %s\n", (long long)db_column_int64(st, 0), db_column_text(st, 1),
                       (long long)db_column_int64(st, 3), db_column_text(st, 2));
            db_reset(st);
        }
    } else if (db_begin_write(db) != 0) {
        rc = finish(db, 0);
    } else {
        int64_t id = admin_create_unit(db, argv[1], argv[2], "", (int64_t)time(NULL));
        if (id == 0) {
            db_rollback(db);
            fprintf(stderr, "rathaus: there is already a unit '%s'\n", argv[1]);
            rc = 1;
        } else {
            int ok = id > 0 && audit_cli(db, "admin.unit_created", "unit", id,
                                         json_pack("{s:s,s:s}", "slug", argv[1], "name", argv[2])) == 0;
            rc = finish(db, ok);
            if (rc == 0)
                printf("created unit %lld: %s (%s)\n", (long long)id, argv[1], argv[2]);
        }
    }
    db_close(db);
    return rc;
}

/* ------------------------------------------------------------------ demo */

#define DEMO_PASSWORD "Rathaus-Demo-2026"

static const char sql_demo_citizen[] =
    "INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at, "
    "updated_at) VALUES ($1, $2, $3, 0, 1, $4, $3, $3) RETURNING id";
static const char sql_demo_profile[] =
    "INSERT INTO profiles (user_id, given_name, family_name, birth_date, birth_place, street, house_number, postcode, "
    "city, phone, updated_at) VALUES ($1, 'Maria', 'Muster', '1984-08-12', 'Mainz', 'Augustinerstraße', '12', "
    "'55116', 'Mainz', '06131 123456', $2)";

/* The demo citizen with a filled-in profile ("Meine Daten"). 0, 1 when she exists, < 0. */
static int demo_citizen(db_t *db, const char *hash, int64_t now)
{
    static const char email[] = "maria.muster@example.org";
    int64_t id = 0;
    db_stmt_t *st;
    if (db_prepare(db, sql_user_by_email, &st) != 0)
        return -1;
    db_bind_text(st, 1, email, -1);
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return rc == DB_ROW ? 1 : -1;
    if (db_prepare(db, sql_demo_citizen, &st) != 0)
        return -1;
    db_bind_text(st, 1, email, -1);
    db_bind_text(st, 2, hash, -1);
    db_bind_int64(st, 3, now);
    db_bind_text(st, 4, "Maria Muster", -1);
    id = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_reset(st);
    if (id <= 0 || db_prepare(db, sql_demo_profile, &st) != 0)
        return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

int account_demo(db_t *db)
{
    static const struct {
        const char *slug, *name, *contact;
    } units[] = {
        {"buergeramt", "Bürgeramt", "Rathausplatz 1, Telefon 0123 456-100, buergeramt@rathaus.test"},
        {"bauamt", "Bauamt", "Rathausplatz 1, Telefon 0123 456-200, bauamt@rathaus.test"},
        {"hauptamt", "Hauptamt", "Rathausplatz 1, Telefon 0123 456-300, hauptamt@rathaus.test"},
        {"stadtforschung", "Amt für Stadtforschung", "Rathausplatz 3, Telefon 0123 456-400"},
    };
    /* Each staff account: role (in unit, or everywhere without one), and a second role. */
    static const struct {
        const char *email, *name, *role, *unit, *role2;
    } staff[] = {
        {"admin@rathaus.test", "Anna Admin", "admin", NULL, NULL},
        {"buergeramt@rathaus.test", "Bernd Bürgeramt", "sachbearbeitung", "buergeramt", "identitaet"},
        {"bauamt@rathaus.test", "Carla Bauamt", "sachbearbeitung", "bauamt", NULL},
        /* The second pair of eyes for Bauamt decisions (role from sql/services/003_roles.sql). */
        {"leitung.bauamt@rathaus.test", "Dieter Leitung", "sachgebietsleitung", "bauamt", NULL},
    };
    const char *reason = NULL;
    if (password_check(DEMO_PASSWORD, NULL, &reason) != 0) {
        fprintf(stderr, "rathaus: the demo password is refused: %s\n", reason ? reason : "");
        return -1;
    }
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(DEMO_PASSWORD, hash) != 0)
        return -1;
    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(db) != 0)
        return -1;
    int ok = 1, made = 0;
    for (size_t i = 0; ok && i < sizeof(units) / sizeof(units[0]); i++) {
        int64_t id = 0;
        int rc = admin_unit_id(db, units[i].slug, &id); /* looked up first: a refused INSERT would use up an id */
        id = rc == 1 ? admin_create_unit(db, units[i].slug, units[i].name, units[i].contact, now) : rc == 0 ? 0 : -1;
        ok = id >= 0 && (id == 0 || audit_cli(db, "admin.unit_created", "unit", id,
                                              json_pack("{s:s,s:s}", "slug", units[i].slug, "demo", "yes")) == 0);
    }
    for (size_t i = 0; ok && i < sizeof(staff) / sizeof(staff[0]); i++) {
        int64_t role = 0, role2 = 0, unit = 0;
        ok = admin_role_id(db, staff[i].role, &role) == 0 &&
             (!staff[i].role2 || admin_role_id(db, staff[i].role2, &role2) == 0) &&
             (!staff[i].unit || admin_unit_id(db, staff[i].unit, &unit) == 0);
        int64_t id = ok ? admin_create_staff(db, staff[i].email, staff[i].name, hash, role, unit, now) : -1;
        ok = id >= 0;
        if (id > 0) {
            ok = (!role2 || admin_grant_role(db, id, role2, unit) == 0) &&
                 audit_cli(db, "admin.user_created", "user", id,
                           json_pack("{s:s,s:s,s:s}", "email", staff[i].email, "role", staff[i].role, "demo", "yes")) ==
                     0;
            printf("demo staff account: %s (%s%s%s%s%s)\n", staff[i].email, staff[i].role, staff[i].role2 ? " + " : "",
                   staff[i].role2 ? staff[i].role2 : "", staff[i].unit ? " in " : " everywhere",
                   staff[i].unit ? staff[i].unit : "");
            made++;
        }
    }
    if (ok) {
        int rc = demo_citizen(db, hash, now);
        ok = rc >= 0;
        if (rc == 0) {
            printf("demo citizen account: maria.muster@example.org (basisregistriert, with profile data)\n");
            made++;
        }
    }
    if (!ok || db_commit(db) != 0) {
        fprintf(stderr, "rathaus: demo accounts failed: %s\n", db_errmsg(db));
        db_rollback(db);
        return -1;
    }
    if (made)
        printf("password of the demo accounts: %s (staff with admin rights must set up two-factor login first)\n",
               DEMO_PASSWORD);
    else
        printf("demo accounts already present; nothing changed\n");
    return 0;
}
