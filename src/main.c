/* main.c — the rathaus command line: serve, migrate, demo, backup, restore, user, config, version.
 *
 * Every command reads the configuration the same way (defaults, rathaus.conf or
 * --config FILE, RATHAUS_* environment, --key value flags) and answers with a
 * clear message and an exit code: 0 done, 1 failed, 2 wrong usage.
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/config.h"
#include "core/path.h"
#include "core/log.h"
#include "db/db.h"
#include "db/migrate.h"
#include "modules/account/account.h"
#include "modules/account/admin.h"
#include "modules/core/core.h"
#include "modules/registry.h"
#include "modules/participation/participation.h"
#include "modules/services/services.h"
#include "modules/testing/testing.h"
#include "platform/mail.h"
#include "view/i18n.h"
#include "view/tmpl.h"
#include "web/app.h"
#include "web/metrics.h"

#define RATHAUS_VERSION "0.1.0"
#define EXIT_USAGE 2

typedef struct command {
    const char *name;
    int (*run)(config_t *cfg, int argc, char **argv);
    const char *const *own_flags; /* flags the command reads itself; "*": any (subcommands parse them) */
    const char *args;    /* what follows the command */
    const char *summary; /* one line for `rathaus help` */
} command_t;

static int prepare_data_dir(const config_t *cfg)
{
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/", cfg->data_dir);
    if (path_make_parents(dir) != 0) {
        fprintf(stderr, "rathaus: cannot create data directory %s: %s\n", cfg->data_dir, strerror(errno));
        return -1;
    }
    if (!strncmp(cfg->database_url, "sqlite:", 7) && strcmp(cfg->database_url, "sqlite::memory:") != 0)
        path_make_parents(cfg->database_url + 7);
    return 0;
}

/* Opens the database and applies pending migrations. */
static int open_migrated(const config_t *cfg, db_t **db, int *applied)
{
    char err[1024];
    if (prepare_data_dir(cfg) != 0)
        return -1;
    if (migrate_open(cfg->database_url, db, applied, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: %s\n", err);
        return -1;
    }
    return 0;
}

static int cmd_serve(config_t *cfg, int argc, char **argv)
{
    char err[512];
    int rc = 1;
    db_t *db = NULL;
    http_app_t *app = calloc(1, sizeof(*app));
    int applied = 0;
    if (!app || open_migrated(cfg, &db, &applied) != 0)
        goto out;
    if (services_start(db) != 0) {
        fprintf(stderr, "rathaus: services: cannot schedule the reminder job: %s\n", db_errmsg(db));
        db_close(db);
        goto out;
    }
    db_close(db);
    db = NULL;
    app->cfg = *cfg;
    static const char *const langs[] = {"en", NULL};
    if (i18n_load(cfg->po_dir, langs, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: translations: %s\n", err);
        goto out;
    }
    app->templates = tmpl_set_load(cfg->templates_dir, err, sizeof(err));
    if (!app->templates) {
        fprintf(stderr, "rathaus: templates: %s\n", err);
        goto out;
    }
    tmpl_set_translator(app->templates, i18n_translate);
    if (content_load(cfg->content_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: content: %s\n", err);
        goto out;
    }
    app->assets = static_load(cfg->static_dir, cfg->kern_dir, err, sizeof(err));
    if (!app->assets) {
        fprintf(stderr, "rathaus: static files: %s\n", err);
        goto out;
    }
    if (account_init(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: accounts: %s\n", err);
        goto out;
    }
    if (services_init(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: services: %s\n", err);
        goto out;
    }
    if (participation_init(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: participation: %s\n", err);
        goto out;
    }
    http_page_globals_init(app);
    app->modules = modules_all;
    app->module_count = modules_count;
    app->router = router_build(modules_all, modules_count, cfg->test_routes, err, sizeof(err));
    if (!app->router) {
        fprintf(stderr, "rathaus: routes: %s\n", err);
        goto out;
    }
    if (metrics_init(app->router) != 0)
        goto out;
    unsigned char rnd[3];
    randombytes_buf(rnd, sizeof(rnd));
    snprintf(app->node_id, sizeof(app->node_id), "%02x%02x%02x", rnd[0], rnd[1], rnd[2]);
    mail_register_jobs();
    if (cfg->test_routes) {
        testing_register_jobs();
        log_kv(LOG_WARN, "test routes enabled: never do this in production", NULL);
    }
    char n[16];
    snprintf(n, sizeof(n), "%d", applied);
    log_kv(LOG_INFO, "database ready", "migrations_applied", n, NULL);
    rc = server_run(app) == 0 ? 0 : 1;
out:
    if (app) {
        http_page_globals_free(app);
        router_free(app->router);
        static_free(app->assets);
        tmpl_set_free(app->templates);
        free(app->workers);
    }
    metrics_free();
    account_shutdown();
    content_free();
    i18n_free();
    free(app);
    return rc;
}

static int cmd_migrate(config_t *cfg, int argc, char **argv)
{
    db_t *db;
    char err[512];
    if (argc > 0 && !strcmp(argv[0], "--status")) {
        if (prepare_data_dir(cfg) != 0 || db_open(cfg->database_url, &db, err, sizeof(err)) != 0) {
            fprintf(stderr, "rathaus: cannot open database: %s\n", err);
            return 1;
        }
        int pending = migrate_pending(db, migrations_builtin, err, sizeof(err));
        db_close(db);
        if (pending < 0) {
            fprintf(stderr, "rathaus: %s\n", err);
            return 1;
        }
        printf("%d migration(s) pending\n", pending);
        return 0;
    }
    int applied;
    if (open_migrated(cfg, &db, &applied) != 0)
        return 1;
    db_close(db);
    printf("%d migration(s) applied; the schema is up to date\n", applied);
    return 0;
}

/* Demo data: notices for the start page now; each module adds its own below. */
static int cmd_demo(config_t *cfg, int argc, char **argv)
{
    int if_empty = argc > 0 && !strcmp(argv[0], "--if-empty");
    db_t *db;
    if (open_migrated(cfg, &db, NULL) != 0)
        return 1;
    int64_t count = 0;
    static const char sql_count[] = "SELECT COUNT(*) FROM notices";
    db_query_int64(db, sql_count, &count);
    if (if_empty && count > 0) {
        printf("demo data already present; nothing changed\n");
        db_close(db);
        return 0;
    }
    static const char sql_notice[] =
        "INSERT INTO notices (title, body, starts_at, ends_at, created_at) VALUES ($1, $2, $3, $4, $3)";
    static const struct {
        const char *title, *body;
    } notices[] = {
        {"Neues digitales Rathaus", "Viele Anliegen können Sie jetzt online erledigen – rund um die Uhr."},
        {"Bürgeramt am 24. und 31. Dezember geschlossen",
         "An Heiligabend und Silvester bleiben alle Bürgerämter geschlossen."},
    };
    int64_t now = (int64_t)time(NULL);
    int rc = db_begin_write(db);
    for (size_t i = 0; rc == 0 && i < sizeof(notices) / sizeof(notices[0]); i++) {
        db_stmt_t *st;
        rc = db_prepare(db, sql_notice, &st);
        if (rc != 0)
            break;
        db_bind_text(st, 1, notices[i].title, -1);
        db_bind_text(st, 2, notices[i].body, -1);
        db_bind_int64(st, 3, now);
        db_bind_int64(st, 4, now + 365 * 86400);
        rc = db_step(st) == DB_DONE ? 0 : -1;
        db_reset(st);
    }
    if (rc == 0)
        rc = db_commit(db);
    else
        db_rollback(db);
    if (rc == 0 && account_demo(db) != 0)
        rc = -1;
    if (rc == 0 && services_demo(db, "data/services") != 0)
        rc = -1;
    if (rc == 0 && participation_demo(db, "data/participation") != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "rathaus: demo data failed: %s\n", db_errmsg(db));
    else
        printf("demo data loaded\n");
    db_close(db);
    return rc == 0 ? 0 : 1;
}

static int cmd_backup(config_t *cfg, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: rathaus backup FILE\n");
        return EXIT_USAGE;
    }
    if (strncmp(cfg->database_url, "sqlite:", 7) != 0) {
        fprintf(stderr, "rathaus: on PostgreSQL use pg_dump (see docs/operations.md)\n");
        return EXIT_USAGE;
    }
    db_t *db;
    char err[512];
    if (db_open(cfg->database_url, &db, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: cannot open database: %s\n", err);
        return 1;
    }
    int rc = db_backup(db, argv[0], err, sizeof(err));
    db_close(db);
    if (rc != 0) {
        fprintf(stderr, "rathaus: backup failed: %s\n", err);
        return 1;
    }
    printf("backup written to %s\n", argv[0]);
    return 0;
}

/* Restores an SQLite backup into the configured database (the server must be stopped). */
static int cmd_restore(config_t *cfg, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: rathaus restore FILE\n");
        return EXIT_USAGE;
    }
    if (strncmp(cfg->database_url, "sqlite:", 7) != 0) {
        fprintf(stderr, "rathaus: on PostgreSQL use pg_restore (see docs/operations.md)\n");
        return EXIT_USAGE;
    }
    char url[600], err[512];
    snprintf(url, sizeof(url), "sqlite:%s", argv[0]);
    struct stat st;
    if (stat(argv[0], &st) != 0) {
        fprintf(stderr, "rathaus: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    db_t *src;
    if (db_open(url, &src, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: cannot open backup: %s\n", err);
        return 1;
    }
    /* A backup from a newer rathaus would be refused on the next start: refuse now. */
    int pending = migrate_pending(src, migrations_builtin, err, sizeof(err));
    if (pending < 0) {
        fprintf(stderr, "rathaus: backup not usable: %s\n", err);
        db_close(src);
        return 1;
    }
    prepare_data_dir(cfg);
    int rc = db_backup(src, cfg->database_url + 7, err, sizeof(err));
    db_close(src);
    if (rc != 0) {
        fprintf(stderr, "rathaus: restore failed: %s\n", err);
        return 1;
    }
    printf("restored %s into %s (%d migration(s) will be applied on the next start)\n", argv[0],
           cfg->database_url + 7, pending);
    return 0;
}

static int cmd_config(config_t *cfg, int argc, char **argv)
{
    char err[512];
    if (argc == 0 || !strcmp(argv[0], "check")) {
        if (config_validate(cfg, err, sizeof(err)) != 0) {
            fprintf(stderr, "rathaus: configuration invalid: %s\n", err);
            return 1;
        }
        printf("configuration ok\n");
        return 0;
    }
    if (!strcmp(argv[0], "show")) {
        config_print(cfg, stdout);
        return 0;
    }
    fprintf(stderr, "usage: rathaus config [check|show]\n");
    return EXIT_USAGE;
}

static int cmd_user(config_t *cfg, int argc, char **argv) { return account_cli_user(cfg, argc, argv); }

static int cmd_unit(config_t *cfg, int argc, char **argv) { return account_cli_unit(cfg, argc, argv); }

static int cmd_services(config_t *cfg, int argc, char **argv) { return services_cli(cfg, argc, argv); }

static int cmd_version(config_t *cfg, int argc, char **argv)
{
    printf("rathaus %s (SQLite %s, libpq, h2o, jansson %s)\n", RATHAUS_VERSION, "3", JANSSON_VERSION);
    return 0;
}

static int cmd_help(config_t *cfg, int argc, char **argv);

static const char *const flags_any[] = {"*", NULL};
static const char *const flags_migrate[] = {"--status", NULL};
static const char *const flags_demo[] = {"--if-empty", NULL};

static const command_t commands[] = {
    {"serve", cmd_serve, NULL, "", "apply migrations and serve HTTP(S) until SIGTERM"},
    {"migrate", cmd_migrate, flags_migrate, "[--status]", "apply pending migrations (or count them)"},
    {"demo", cmd_demo, flags_demo, "[--if-empty]", "load demo data (skip when data exists)"},
    {"backup", cmd_backup, NULL, "FILE", "online backup of the SQLite database"},
    {"restore", cmd_restore, NULL, "FILE", "restore an SQLite backup (server stopped)"},
    {"user", cmd_user, flags_any, "add|list|grant|block", "manage staff accounts"},
    {"unit", cmd_unit, flags_any, "add|list", "manage organisation units"},
    {"services", cmd_services, flags_any, "import|form|xdf|remind", "load catalogue and forms, run reminders"},
    {"config", cmd_config, NULL, "[check|show]", "check or show the configuration"},
    {"version", cmd_version, NULL, "", "print the version"},
    {"help", cmd_help, NULL, "[COMMAND]", "this text"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    fprintf(out, "rathaus — das digitale Rathaus / the digital town hall\n\n"
                 "usage: rathaus COMMAND [--config FILE] [--KEY VALUE …] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-8s %-14s %s\n", commands[i].name, commands[i].args, commands[i].summary);
    fprintf(out, "\nsettings (rathaus.conf keys, RATHAUS_KEY variables, --key flags):\n");
    config_print_help(out);
}

static int cmd_help(config_t *cfg, int argc, char **argv)
{
    usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    config_t cfg;
    char err[512];
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const command_t *cmd = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name))
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "rathaus: unknown command '%s' (see: rathaus help)\n", argv[1]);
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "rathaus: libsodium could not start\n");
        return 1;
    }
    /* Times on pages and in e-mails are the city's local time; an operator may set TZ. */
    setenv("TZ", "Europe/Berlin", 0);
    tzset();
    config_defaults(&cfg);
    /* --config first, so that flags given after it override the file. */
    const char *file = "rathaus.conf";
    int optional = 1;
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--config")) {
            file = argv[i + 1];
            optional = 0;
        }
    if (config_load_file(&cfg, file, optional, err, sizeof(err)) != 0 || config_load_env(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: %s\n", err);
        return 1;
    }
    char *rest[64];
    int nrest = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: rathaus %s %s\n  %s\n\nsettings:\n", cmd->name, cmd->args, cmd->summary);
            config_print_help(stdout);
            return 0;
        }
        if (!strcmp(a, "--config")) {
            i++;
            continue;
        }
        if (!strncmp(a, "--", 2)) {
            /* --key=value or --key value for configuration keys; other flags belong
             * to the command, which must declare them. */
            const char *eq = strchr(a, '=');
            char key[64];
            snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - a - 2) : (int)strlen(a + 2), a + 2);
            if (config_key_known(key)) {
                const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (!value || config_set(&cfg, key, value, err, sizeof(err)) != 0) {
                    fprintf(stderr, "rathaus: %s\n", value ? err : "a setting flag needs a value");
                    return EXIT_USAGE;
                }
                continue;
            }
            int own = 0;
            for (const char *const *f = cmd->own_flags; f && *f; f++)
                own |= !strcmp(*f, "*") || !strcmp(*f, a);
            if (!own) {
                fprintf(stderr, "rathaus: unknown flag %s (see: rathaus %s --help)\n", a, cmd->name);
                return EXIT_USAGE;
            }
        }
        if (nrest < 64)
            rest[nrest++] = argv[i];
    }
    if (strcmp(cmd->name, "config") != 0 && strcmp(cmd->name, "help") != 0 && strcmp(cmd->name, "version") != 0 &&
        config_validate(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: configuration invalid: %s\n", err);
        return 1;
    }
    log_set_level(cfg.log_level);
    return cmd->run(&cfg, nrest, rest);
}
