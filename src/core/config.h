/* config.h — rathaus configuration: defaults, then rathaus.conf, then RATHAUS_* environment,
 * then command-line flags; the last one wins.
 *
 * The file is "key = value" lines with # comments; keys are the names below
 * (listen, database_url, …); the environment spells them RATHAUS_LISTEN,
 * RATHAUS_DATABASE_URL, …; flags --listen, --database-url, …. With no
 * configuration at all rathaus runs on SQLite under var/ on 127.0.0.1:8080.
 */
#ifndef RATHAUS_CORE_CONFIG_H
#define RATHAUS_CORE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef struct config {
    char listen[128];        /* "127.0.0.1:8080"; "[::1]:8080"; ":8080" for all addresses */
    char database_url[512];  /* "sqlite:var/rathaus.db" or "postgresql://…" */
    char data_dir[256];      /* var/ — SQLite file, mail/, uploads if any */
    char base_url[256];      /* public URL, for links in e-mails ("http://localhost:8080") */
    char city_name[128];     /* "Mainz" */
    char city_logo[256];     /* path under static/ or empty */
    char node_name[64];      /* distinguishes nodes sharing one PostgreSQL (default: hostname) */
    int threads;             /* HTTP worker threads (default 4 x cores, at most 64) */
    int job_threads;         /* job worker threads (default 1) */
    char tls_cert[256];      /* PEM file; with tls_key, rathaus serves HTTPS itself */
    char tls_key[256];
    int trust_proxy;         /* 1: take client address and scheme from X-Forwarded-* */
    char smtp_url[256];      /* "smtp://127.0.0.1:2525"; empty: write .eml under data_dir/mail */
    char smtp_from[128];     /* "rathaus@localhost" */
    char smtp_user[128];
    char smtp_password[128];
    char templates_dir[256]; /* "templates" */
    char static_dir[256];    /* "static" */
    char kern_dir[256];      /* "node_modules/@kern-ux/native/dist" */
    char content_dir[256];   /* "content": Markdown pages per language */
    char po_dir[256];        /* "po" */
    char log_level[16];      /* "info"; "debug", "warn", "error" */
    int access_log;          /* 1: one logfmt line per request (default 1) */
    int test_routes;         /* 1: /_test/… routes for the test suites; never in production */
    /* Accounts (Nutzerkonto): */
    int session_idle_minutes;   /* sign out after this long without a request (default 30) */
    int session_max_hours;      /* sign out after this long in any case (default 12) */
    char password_list[256];    /* the common passwords refused ("data/common-passwords.txt") */
    char ldap_url[256];         /* "ldap://dc.example.de"; empty: no LDAP login for staff */
    char ldap_base_dn[256];     /* where user entries live: "ou=people,dc=example,dc=de" */
    char ldap_bind_dn[256];     /* service account for the search (empty: anonymous) */
    char ldap_bind_password[128];
    char ldap_user_attr[64];    /* attribute matched against the login name (default "uid") */
    char ldap_group_roles[1024];/* "GROUP-DN=role[@unit];…": LDAP groups to rathaus roles */
    /* Limits (see docs/operations.md): */
    size_t max_header_bytes; /* all request headers together (default 16384) → 431 */
    size_t max_header_count; /* (default 64) → 431 */
    size_t max_url_bytes;    /* (default 4096) → 414 */
    size_t max_body_bytes;   /* largest body any route accepts (default 16 MiB) → 413 */
    int io_timeout_ms;       /* idle connection timeout (default 10000) */
    int shutdown_timeout_ms; /* grace period for requests in flight (default 10000) */
} config_t;

/* Fills c with the defaults. */
void config_defaults(config_t *c);
/* Reads a file into c. A missing file is fine when optional is 1. Returns 0 or < 0
 * with "file:line: message" in err (unknown key, bad number, value too long). */
int config_load_file(config_t *c, const char *path, int optional, char *err, size_t errlen);
/* Applies RATHAUS_* variables from environ. */
int config_load_env(config_t *c, char *err, size_t errlen);
/* Sets one key ("listen", "database-url" or "database_url") to value. */
int config_set(config_t *c, const char *key, const char *value, char *err, size_t errlen);
/* 1 when name (with '-' or '_') is a configuration key. */
int config_key_known(const char *name);
/* Checks the whole configuration for consistency (both TLS files or none, a
 * known database scheme, a parseable listen address, …). */
int config_validate(const config_t *c, char *err, size_t errlen);
/* Writes every key with its value (passwords masked) as "key = value" lines. */
void config_print(const config_t *c, FILE *out);
/* Lists every key with one line of help (for --help). */
void config_print_help(FILE *out);

#endif
