/* requests_demo.c — `rathaus demo` for the Anregungen: one Anregung in each stage
 * (in the office's check, collecting, at the quorum, before the council, decided,
 * missed, not admitted), with authors and supporters as plain accounts of Mainz
 * residents. The supporters have no password (nobody signs in as them); every
 * fourth is at substantiell, so that "davon bestätigt" shows a number. Runs once:
 * a database that has Anregungen is left as it is.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/participation/internal.h"
#include "modules/participation/requests_internal.h"

#define DEMO_SUPPORTERS REQUESTS_QUORUM
#define DAY 86400

static const char sql_any[] = "SELECT COUNT(*) FROM participation_requests";
static const char sql_user_id[] = "SELECT id FROM users WHERE email = $1";
static const char sql_user[] =
    "INSERT INTO users (email, password_hash, email_confirmed_at, is_staff, trust_level, display_name, created_at,"
    " updated_at) VALUES ($1, NULL, $2, 0, $3, $4, $2, $2) RETURNING id";
static const char sql_profile[] =
    "INSERT INTO profiles (user_id, given_name, family_name, birth_date, street, house_number, postcode, city,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'Mainz', $8)";
static const char sql_first_project[] = "SELECT id FROM projects ORDER BY id LIMIT 1";
static const char sql_request[] =
    "INSERT INTO participation_requests (author_id, author_name, project_id, topic, title, justification,"
    " desired_form, status, refusal_reason, refusal_text, decision, decision_text, quorum, support_count,"
    " submitted_at, published_at, collect_ends_at, quorum_reached_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id";
/* The first n demo supporters support Anregung $1. */
static const char sql_supports[] =
    "INSERT INTO participation_request_supports (request_id, user_id, created_at)"
    " SELECT $1, id, $2 FROM users WHERE email LIKE 'unterstuetzung-%@demo.rathaus.test' ORDER BY id LIMIT $3";

/* Creates (or finds) a resident's account with a profile in Mainz; 0 or < 0. */
static int demo_resident(db_t *db, const char *email, const char *given, const char *family, int trust,
                         const char *postcode, int64_t now, int64_t *id)
{
    int rc = db_query_int64_text(db, sql_user_id, email, NULL, id);
    if (rc <= 0)
        return rc;
    db_stmt_t *st;
    if (db_prepare(db, sql_user, &st) != 0)
        return -1;
    char name[128];
    snprintf(name, sizeof(name), "%s %s", given, family);
    db_bind_text(st, 1, email, -1);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, trust);
    db_bind_text(st, 4, name, -1);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (*id <= 0 || db_prepare(db, sql_profile, &st) != 0)
        return -1;
    db_bind_int64(st, 1, *id);
    db_bind_text(st, 2, given, -1);
    db_bind_text(st, 3, family, -1);
    db_bind_text(st, 4, "1990-05-17", -1);
    db_bind_text(st, 5, "Große Bleiche", -1);
    db_bind_text(st, 6, "1", -1);
    db_bind_text(st, 7, postcode, -1);
    db_bind_int64(st, 8, now);
    rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

/* One demo Anregung; times are days before (negative: after) now. */
typedef struct demo_request {
    int author;       /* index into authors[] */
    int with_project; /* 1: about the first Vorhaben, when there is one */
    const char *topic;
    const char *title;
    const char *justification;
    const char *form;
    const char *status;
    const char *reason, *reason_text;
    const char *decision, *decision_text;
    int supports;
    int submitted_days, published_days, ends_days, reached_days;
    /* The office's steps after the platform's: status and public text. */
    struct {
        const char *status, *text;
        int days;
    } steps[3];
} demo_request_t;

static const struct {
    const char *email, *given, *family, *postcode;
} authors[] = {
    {"maria.muster@example.org", "Maria", "Muster", "55116"},
    {"jonas.becker@demo.rathaus.test", "Jonas", "Becker", "55118"},
    {"aylin.demir@demo.rathaus.test", "Aylin", "Demir", "55122"},
    {"petra.schmitt@demo.rathaus.test", "Petra", "Schmitt", "55124"},
    {"luca.romano@demo.rathaus.test", "Luca", "Romano", "55131"},
};

/* clang-format off */
static const demo_request_t demo[] = {
    {0, 0, "Fahrradparken am Hauptbahnhof", "Mehr sichere Fahrradstellplätze am Hauptbahnhof",
     "Am Hauptbahnhof fehlen überdachte und sichere Stellplätze für Fahrräder. Viele Räder stehen an Geländern und versperren Wege.\n\nWir möchten mitreden, wo neue Stellplätze entstehen und wie ein Fahrradparkhaus aussehen könnte.",
     "konsultation", "eingereicht", "", "", "", "", 0, 2, 0, 0, 0, {{NULL, NULL, 0}}},
    {1, 0, "Rheinufer", "Mehr Bänke und Schatten am Rheinufer",
     "Im Sommer ist es am Rheinufer zwischen Theodor-Heuss-Brücke und Winterhafen sehr heiß. Es gibt zu wenige Bänke und kaum Schatten.\n\nDie Menschen, die dort spazieren gehen, sollen mitentscheiden, wo Bäume gepflanzt und Bänke aufgestellt werden.",
     "kooperation", "sammlung", "", "", "", "", 137, 24, 20, -36, 0, {{NULL, NULL, 0}}},
    {2, 1, "Planung im Quartier", "Beteiligung bei der Planung dieses Vorhabens",
     "Das Vorhaben betrifft viele Menschen in ihrem Alltag. Bevor die Planung fertig ist, sollen die Anwohnerinnen und Anwohner ihre Erfahrungen einbringen können.",
     "konsultation", "erfolgreich", "", "", "", "", REQUESTS_QUORUM, 60, 55, -1, 3, {{NULL, NULL, 0}}},
    {3, 0, "Schulwege in Gonsenheim", "Sichere Schulwege in Gonsenheim",
     "Viele Kinder gehen zu Fuß zur Grundschule. An mehreren Kreuzungen fehlen Zebrastreifen, und Autos fahren zu schnell.\n\nEltern und Kinder kennen die gefährlichen Stellen am besten. Sie sollen bei der Planung der Schulwege mitwirken.",
     "kooperation", "stadtrat", "", "", "", "", REQUESTS_QUORUM, 120, 115, 59, 80,
     {{"vorlage", "Das Amt für Verkehrswesen bereitet mit der Koordinierungsstelle die Beschlussvorlage vor.", 70},
      {"stadtrat", "Die Vorlage steht auf der Tagesordnung der nächsten Sitzung des Stadtrats.", 10},
      {NULL, NULL, 0}}},
    {4, 0, "Jugendtreff Neustadt", "Ein Jugendtreff für die Neustadt",
     "In der Neustadt gibt es keinen offenen Treffpunkt für Jugendliche. Jugendliche sollen selbst mitplanen, wo und wie ein Jugendtreff entsteht.",
     "mitentscheidung", "entschieden", "", "", "angenommen",
     "Der Stadtrat hat beschlossen, ein Beteiligungsverfahren mit Jugendlichen aus der Neustadt durchzuführen. Das Jugendamt lädt im nächsten Quartal zu Werkstätten ein.",
     REQUESTS_QUORUM, 240, 235, 179, 200,
     {{"vorlage", "Das Jugendamt bereitet die Beschlussvorlage vor.", 190},
      {"stadtrat", "Sitzung des Stadtrats, Tagesordnungspunkt 12.", 150},
      {"entschieden", "Angenommen.\n\nDer Stadtrat hat beschlossen, ein Beteiligungsverfahren mit Jugendlichen aus der Neustadt durchzuführen.", 140}}},
    {1, 0, "Öffentliche Toiletten", "Öffentliche Toiletten in der Altstadt",
     "In der Altstadt gibt es zu wenige öffentliche Toiletten, besonders am Wochenende. Wir wünschen eine Befragung der Menschen, die die Altstadt besuchen.",
     "konsultation", "nicht_erreicht", "", "", "", "", 64, 80, 66, 10, 0, {{NULL, NULL, 0}}},
    {2, 0, "Tempo 30 auf der Rheinallee", "Tempo 30 auf der Bundesstraße",
     "Auf der Bundesstraße vor unserem Haus ist es sehr laut. Wir möchten über ein Tempolimit mitentscheiden.",
     "mitentscheidung", "abgelehnt", "zustaendigkeit",
     "Über Geschwindigkeiten auf Bundesstraßen entscheidet die Straßenverkehrsbehörde nach Bundesrecht, nicht der Stadtrat. Die Stadt prüft den Lärmschutz im Lärmaktionsplan; dazu gibt es eine eigene Beteiligung.",
     "", "", 0, 30, 25, 0, 0, {{NULL, NULL, 0}}},
};
/* clang-format on */

/* The history of d, which its status implies: submitted, the office's check, the
 * platform's end of the collection, then the office's later steps. */
static int demo_history(db_t *db, int64_t id, const demo_request_t *d, int64_t now)
{
    int ok = requests_history_add(db, id, "eingereicht", "author", 0, "", now - d->submitted_days * DAY) == 0;
    if (ok && !strcmp(d->status, "abgelehnt"))
        ok = requests_history_add(db, id, "abgelehnt", "office", 0,
                                  "Außerhalb der Zuständigkeit der Stadt.\n\nÜber Geschwindigkeiten auf Bundesstraßen "
                                  "entscheidet die Straßenverkehrsbehörde nach Bundesrecht.",
                                  now - d->published_days * DAY) == 0;
    else if (ok && d->published_days > 0)
        ok = requests_history_add(db, id, "sammlung", "office", 0, "", now - d->published_days * DAY) == 0;
    if (ok && d->reached_days > 0)
        ok = requests_history_add(db, id, "erfolgreich", "platform", 0, "", now - d->reached_days * DAY) == 0;
    if (ok && !strcmp(d->status, "nicht_erreicht"))
        ok = requests_history_add(db, id, "nicht_erreicht", "platform", 0, "", now - d->ends_days * DAY) == 0;
    for (size_t i = 0; ok && i < sizeof(d->steps) / sizeof(d->steps[0]) && d->steps[i].status; i++)
        ok = requests_history_add(db, id, d->steps[i].status, "office", 0, d->steps[i].text,
                                  now - d->steps[i].days * DAY) == 0;
    return ok ? 0 : -1;
}

static int demo_insert(db_t *db, const demo_request_t *d, int64_t author, int64_t project, int64_t now)
{
    const int64_t unset = -1; /* a time that is not set: NULL */
    int64_t times[] = {now - d->submitted_days * DAY, d->published_days ? now - d->published_days * DAY : unset,
                       d->published_days && strcmp(d->status, "abgelehnt") ? now - d->ends_days * DAY : unset,
                       d->reached_days ? now - d->reached_days * DAY : unset};
    db_stmt_t *st;
    if (db_prepare(db, sql_request, &st) != 0)
        return -1;
    char name[128];
    snprintf(name, sizeof(name), "%s %s", authors[d->author].given, authors[d->author].family);
    db_bind_int64(st, 1, author);
    db_bind_text(st, 2, name, -1);
    if (d->with_project && project > 0)
        db_bind_int64(st, 3, project);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, d->with_project && project > 0 ? "" : d->topic, -1);
    db_bind_text(st, 5, d->title, -1);
    db_bind_text(st, 6, d->justification, -1);
    db_bind_text(st, 7, d->form, -1);
    db_bind_text(st, 8, d->status, -1);
    db_bind_text(st, 9, d->reason, -1);
    db_bind_text(st, 10, d->reason_text, -1);
    db_bind_text(st, 11, d->decision, -1);
    db_bind_text(st, 12, d->decision_text, -1);
    db_bind_int64(st, 13, REQUESTS_QUORUM);
    db_bind_int64(st, 14, d->supports);
    for (int i = 0; i < 4; i++) {
        if (times[i] == unset)
            db_bind_null(st, 15 + i);
        else
            db_bind_int64(st, 15 + i, times[i]);
    }
    db_bind_int64(st, 19, now - (d->steps[0].status ? 1 : 2) * DAY);
    int64_t id = db_step(st) == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (id <= 0 || demo_history(db, id, d, now) != 0)
        return -1;
    if (d->supports > 0) {
        if (db_prepare(db, sql_supports, &st) != 0)
            return -1;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, now - DAY);
        db_bind_int64(st, 3, d->supports);
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    if (!strcmp(d->status, "sammlung"))
        return requests_schedule_deadline(db, id, now - d->ends_days * DAY);
    return 0;
}

int requests_demo(db_t *db)
{
    int64_t existing = 0;
    if (db_query_int64(db, sql_any, &existing) < 0)
        return -1;
    if (existing > 0)
        return 0;
    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(db) != 0)
        return -1;
    int ok = 1;
    int64_t author_ids[sizeof(authors) / sizeof(authors[0])];
    for (size_t i = 0; ok && i < sizeof(authors) / sizeof(authors[0]); i++)
        ok = demo_resident(db, authors[i].email, authors[i].given, authors[i].family, 1, authors[i].postcode, now,
                           &author_ids[i]) == 0;
    static const char *const postcodes[] = {"55116", "55118", "55120", "55122", "55124", "55126",
                                            "55127", "55128", "55129", "55130", "55131"};
    for (int i = 1; ok && i <= DEMO_SUPPORTERS; i++) {
        char email[64], family[32];
        snprintf(email, sizeof(email), "unterstuetzung-%03d@demo.rathaus.test", i);
        snprintf(family, sizeof(family), "Nummer %d", i);
        int64_t id = 0;
        ok = demo_resident(db, email, "Demo", family, i % 4 == 0 ? 2 : 1, postcodes[i % 11], now, &id) == 0;
    }
    int64_t project = 0;
    ok = ok && db_query_int64(db, sql_first_project, &project) >= 0;
    for (size_t i = 0; ok && i < sizeof(demo) / sizeof(demo[0]); i++)
        ok = demo_insert(db, &demo[i], author_ids[demo[i].author], project, now) == 0;
    if (requests_finish(db, ok) != 0)
        return -1;
    printf("demo Anregungen: %zu in every stage, %d supporters\n", sizeof(demo) / sizeof(demo[0]), DEMO_SUPPORTERS);
    return 0;
}
