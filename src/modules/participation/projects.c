/* projects.c — the participation module's entry: its start page /beteiligung,
 * the route table of the Vorhabenliste and of following, start-up, and the hook
 * through which an entry shows its participation processes.
 *
 * Public addresses (stable: other parts, tests, bookmarks and open-data users
 * rely on them; docs/participation.md, docs/opendata.md):
 *   /beteiligung                                the Leitlinien in plain words, the ways in
 *   /beteiligung/vorhaben?bezirk&thema&status&beteiligung&q&sortierung&seite   the list
 *   /beteiligung/vorhaben/:id                   one entry with its change log
 *   /beteiligung/vorhaben/ausgaben[/:id[.pdf]]  the quarterly editions
 *   /beteiligung/vorhaben.csv, /api/v1/beteiligung/vorhaben[/:id]   open data
 *   /beteiligung/folgen                         what I follow (signed in)
 *   /verwaltung/beteiligung/vorhaben[/neu|/:id] staff (PERM_PROJECTS)
 */
#include <stdlib.h>
#include <string.h>

#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
#include "modules/participation/projects.h"
#include "view/i18n.h"
#include "web/auth.h"

#define HOME_LATEST 5 /* recently changed entries on the start page */

const char *projects_tr(const http_req_t *req, const char *msgid)
{
    return i18n_translate(req->lang, msgid);
}

long projects_number(const char *s, long fallback, long min, long max)
{
    if (!s)
        return fallback;
    if (!*s || strlen(s) > 12)
        return -1;
    char *end;
    long n = strtol(s, &end, 10);
    return *end || n < min || n > max ? -1 : n;
}

/* What ?hinweis= may name, and what the alert says. */
static const struct notice {
    const char *word, *kind, *text;
} notices[] = {
    {"gefolgt", "success", N_("Sie folgen jetzt. Wir schreiben Ihnen eine E-Mail, wenn es Neuigkeiten gibt.")},
    {"entfolgt", "info", N_("Sie folgen nicht mehr. Dazu bekommen Sie keine E-Mails mehr.")},
    {"angelegt", "success", N_("Das Vorhaben ist angelegt und in der Vorhabenliste veröffentlicht.")},
    {"gespeichert", "success", N_("Die Änderungen sind gespeichert und im Änderungsverlauf veröffentlicht.")},
    {"unveraendert", "info", N_("Sie haben nichts geändert. Es wurde nichts gespeichert.")},
    {"ausgabe", "success", N_("Die Ausgabe ist veröffentlicht. Sie bleibt dauerhaft so abrufbar.")},
};

json_t *projects_notice(http_req_t *req)
{
    const char *word = http_query(req, "hinweis");
    for (size_t i = 0; word && i < sizeof(notices) / sizeof(notices[0]); i++)
        if (!strcmp(notices[i].word, word))
            return json_pack("{s:s,s:s,s:b}", "kind", notices[i].kind, "text", projects_tr(req, notices[i].text),
                             "success", !strcmp(notices[i].kind, "success"));
    return NULL;
}

/* GET /beteiligung — what participation in Mainz means, and where to start. */
static int participation_home(http_req_t *req)
{
    project_filter_t f = {.planned = -1, .sort = "aenderung"};
    project_hits_t hits;
    if (projects_find(req->db, req->arena, &f, &hits) != 0)
        return 503;
    size_t n = hits.count < HOME_LATEST ? hits.count : HOME_LATEST;
    int64_t ids[HOME_LATEST];
    for (size_t i = 0; i < n; i++)
        ids[i] = hits.items[i].id;
    project_t projects[HOME_LATEST]; /* the cards' fields, from the kept listing */
    if (projects_listing_cards(req->db, req->arena, hits.token, ids, n, projects) != 0)
        return 503;
    json_t *latest = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!projects[i].id)
            continue;
        json_array_append_new(latest, projects_card_json(&projects[i], req->arena, req->lang));
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(projects_tr(req, N_("Bürgerbeteiligung"))));
    json_object_set_new(m, "total", json_integer((json_int_t)hits.count));
    json_object_set_new(m, "latest", latest);
    return http_render(req, 200, "participation/projects/home", m);
}

json_t *projects_processes_json(db_t *db, int64_t project_id)
{
    /* The processes of this Vorhaben (processes.c), for the entry's page. */
    return processes_of_project_json(db, project_id);
}

int projects_register_jobs(void)
{
    return projects_follow_register();
}

static const route_t project_routes[] = {
    {"GET", "/beteiligung", participation_home, NULL, 0, 0},
    {"GET", "/beteiligung/vorhaben", projects_list_page, NULL, 0, 0},
    {"GET", "/beteiligung/vorhaben.csv", projects_csv, NULL, 0, 0},
    /* Before /beteiligung/vorhaben/:id: the router takes the first pattern that matches. */
    {"GET", "/beteiligung/vorhaben/ausgaben", projects_editions_page, NULL, 0, 0},
    {"GET", "/beteiligung/vorhaben/ausgaben/:id", projects_edition_page, NULL, 0, 0},
    {"GET", "/beteiligung/vorhaben/:id", projects_entry_page, NULL, 0, 0},
    {"GET", "/beteiligung/folgen", projects_follows_page, AUTH_SIGNED_IN, ROUTE_TRUST_BASIC, 0},
    {"POST", "/beteiligung/folgen", projects_follow, AUTH_SIGNED_IN, ROUTE_TRUST_BASIC, 0},
    {"POST", "/beteiligung/folgen/beenden", projects_unfollow, AUTH_SIGNED_IN, ROUTE_TRUST_BASIC, 0},
    {"GET", "/api/v1/beteiligung/vorhaben", projects_api_list, NULL, ROUTE_API, 0},
    {"GET", "/api/v1/beteiligung/vorhaben/:id", projects_api_entry, NULL, ROUTE_API, 0},
    {"GET", "/verwaltung/beteiligung/vorhaben", projects_staff_list, PERM_PROJECTS, 0, 0},
    {"GET", "/verwaltung/beteiligung/vorhaben/neu", projects_staff_new, PERM_PROJECTS, 0, 0},
    {"POST", "/verwaltung/beteiligung/vorhaben/neu", projects_staff_create, PERM_PROJECTS, 0, PROJECT_FORM_BODY_LIMIT},
    {"POST", "/verwaltung/beteiligung/vorhaben/ausgaben", projects_edition_publish, PERM_PROJECTS, 0, 0},
    {"GET", "/verwaltung/beteiligung/vorhaben/:id", projects_staff_edit, PERM_PROJECTS, 0, 0},
    {"POST", "/verwaltung/beteiligung/vorhaben/:id", projects_staff_update, PERM_PROJECTS, 0, PROJECT_FORM_BODY_LIMIT},
    {"POST", "/_test/beteiligung/tagesmail", projects_digest_now, NULL, ROUTE_TEST | ROUTE_NO_CSRF | ROUTE_API, 0},
};

static const permission_t project_permissions[] = {
    {PERM_PROJECTS, N_("Die Vorhabenliste pflegen und ihre Ausgaben veröffentlichen")},
};

const module_t participation_module = {
    .name = "participation",
    .title = N_("Beteiligung"),
    .summary = N_("Erfahren Sie früh, was die Stadt plant, und reden Sie mit."),
    .home = "/beteiligung",
    .routes = project_routes,
    .route_count = sizeof(project_routes) / sizeof(project_routes[0]),
    .permissions = project_permissions,
    .permission_count = sizeof(project_permissions) / sizeof(project_permissions[0]),
};
