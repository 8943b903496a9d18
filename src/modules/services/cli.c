/* cli.c — `rathaus services …`: load the catalogue and forms from files, convert
 * XDatenfelder, run the passport expiry reminders by hand.
 *
 *   rathaus services import FILE.json        catalogue (data/services/catalogue.json format)
 *   rathaus services form FILE.json          a form definition (next version of its key)
 *   rathaus services xdf FILE.xml KEY [OUT]  XDatenfelder → form definition (printed or stored)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"
#include "modules/services/internal.h"
#include "modules/services/services.h"

#define EXIT_USAGE 2
#define CLI_MAX_FILE (16 * 1024 * 1024)

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(CLI_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, CLI_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n > CLI_MAX_FILE) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int usage(void)
{
    fprintf(stderr, "usage: rathaus services import FILE.json | form FILE.json | xdf FILE.xml KEY [--store]\n");
    return EXIT_USAGE;
}

int services_cli(config_t *cfg, int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *verb = argv[0], *file = argv[1];
    char err[512] = "";
    if (!strcmp(verb, "xdf") && argc >= 3 && (argc == 3 || !strcmp(argv[3], "--store"))) {
        size_t len = 0;
        char *xml = read_file(file, &len);
        if (!xml) {
            fprintf(stderr, "rathaus: cannot read %s (or larger than 16 MiB)\n", file);
            return 1;
        }
        json_t *def = xdf_to_formdef(xml, len, argv[2], err, sizeof(err));
        free(xml);
        if (!def) {
            fprintf(stderr, "rathaus: %s: %s\n", file, err);
            return 1;
        }
        char *text = json_dumps(def, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(def);
        if (!text)
            return 1;
        int rc = 0;
        if (argc == 3) {
            printf("%s\n", text);
        } else {
            db_t *db;
            int applied;
            if (migrate_open(cfg->database_url, &db, &applied, err, sizeof(err)) != 0) {
                fprintf(stderr, "rathaus: %s\n", err);
                free(text);
                return 1;
            }
            int64_t id = 0, version = 0;
            rc = formdef_store(db, text, strlen(text), 0, &id, &version, err, sizeof(err)) == 0 ? 0 : 1;
            if (rc == 0)
                printf("form %s stored as version %lld\n", argv[2], (long long)version);
            else
                fprintf(stderr, "rathaus: %s\n", err);
            db_close(db);
        }
        free(text);
        return rc;
    }
    if (argc != 2 || (strcmp(verb, "import") != 0 && strcmp(verb, "form") != 0))
        return usage();
    db_t *db;
    int applied;
    if (migrate_open(cfg->database_url, &db, &applied, err, sizeof(err)) != 0) {
        fprintf(stderr, "rathaus: %s\n", err);
        return 1;
    }
    int rc;
    if (!strcmp(verb, "import")) {
        rc = catalogue_import_file(db, file, err, sizeof(err));
        if (rc == 0)
            printf("catalogue %s imported\n", file);
    } else {
        size_t len = 0;
        char *text = read_file(file, &len);
        int64_t id = 0, version = 0;
        if (!text) {
            snprintf(err, sizeof(err), "cannot read %s (or larger than 16 MiB)", file);
            rc = -1;
        } else {
            rc = formdef_store(db, text, len, 0, &id, &version, err, sizeof(err));
            if (rc == 0)
                printf("form stored as version %lld\n", (long long)version);
        }
        free(text);
    }
    if (rc != 0)
        fprintf(stderr, "rathaus: %s: %s\n", file, err);
    db_close(db);
    return rc == 0 ? 0 : 1;
}
