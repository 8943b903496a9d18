/* profile.c — "Meine Daten": name, birth, address and phone, entered once and offered
 * to the forms of every module (once-only principle, OZG). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "modules/account/account.h"
#include "modules/account/common.h"
#include "modules/account/handlers.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

#define FIELD_MAX_CHARS 200

/* The profile fields in the order of the form: name, label, kind, hint. */
static const struct pfield {
    const char *name, *label;
    enum field_kind kind;
    const char *autocomplete;
    const char *hint;
} pfields[] = {
    {"given_name", N_("Vorname(n)"), FIELD_TEXT, "given-name", NULL},
    {"family_name", N_("Familienname"), FIELD_TEXT, "family-name", NULL},
    {"birth_name", N_("Geburtsname"), FIELD_TEXT, NULL, N_("Nur wenn er vom Familiennamen abweicht.")},
    {"doctoral_degree", N_("Doktorgrad"), FIELD_TEXT, "honorific-prefix", N_("Zum Beispiel: Dr.")},
    {"birth_date", N_("Geburtsdatum"), FIELD_DATE, "bday", NULL},
    {"birth_place", N_("Geburtsort"), FIELD_TEXT, NULL, NULL},
    {"street", N_("Straße"), FIELD_TEXT, "address-line1", NULL},
    {"house_number", N_("Hausnummer"), FIELD_TEXT, NULL, NULL},
    {"postcode", N_("Postleitzahl"), FIELD_TEXT, "postal-code", NULL},
    {"city", N_("Ort"), FIELD_TEXT, "address-level2", NULL},
    {"phone", N_("Telefon"), FIELD_TEL, "tel", N_("Für Rückfragen zu Ihren Anträgen.")},
};
#define NPFIELDS (sizeof(pfields) / sizeof(pfields[0]))

static const char sql_get[] = "SELECT given_name, family_name, birth_name, doctoral_degree, birth_date, birth_place, "
                              "street, house_number, postcode, city, phone FROM profiles WHERE user_id = $1";
static const char sql_save[] =
    "INSERT INTO profiles (user_id, given_name, family_name, birth_name, doctoral_degree, birth_date, birth_place, "
    "street, house_number, postcode, city, phone, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12, $13) ON CONFLICT (user_id) DO UPDATE SET given_name = $2, family_name = $3, birth_name = $4, "
    "doctoral_degree = $5, birth_date = $6, birth_place = $7, street = $8, house_number = $9, postcode = $10, "
    "city = $11, phone = $12, updated_at = $13";
static const char sql_name[] = "UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1";

json_t *account_profile_json(db_t *db, int64_t user_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_get, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, user_id);
    json_t *o = json_object();
    int rc = db_step(st);
    for (size_t i = 0; i < NPFIELDS; i++)
        json_object_set_new(o, pfields[i].name, json_string(rc == DB_ROW ? db_column_text(st, (int)i) : ""));
    db_reset(st);
    if (rc < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A valid calendar date yyyy-mm-dd from 1900 until today. */
static int valid_birth_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char today[16];
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    return strcmp(s, today) <= 0;
}

/* The plain-German problem with one value, or NULL. */
static const char *check_value(const char *name, const char *v)
{
    size_t n = strlen(v);
    if (!utf8_valid(v, n) || utf8_length(v, n) > FIELD_MAX_CHARS)
        return N_("Bitte kürzen Sie diese Angabe auf höchstens 200 Zeichen.");
    if (!n)
        return NULL;
    if (!strcmp(name, "birth_date") && !valid_birth_date(v))
        return N_("Bitte geben Sie ein gültiges Datum an, zum Beispiel 1980-04-23.");
    if (!strcmp(name, "postcode")) {
        for (const char *p = v; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != ' ' && *p != '-')
                return N_("Eine Postleitzahl besteht aus Ziffern, zum Beispiel 55116.");
        if (n < 4 || n > 10)
            return N_("Eine Postleitzahl besteht aus Ziffern, zum Beispiel 55116.");
    }
    if (!strcmp(name, "phone")) {
        for (const char *p = v; *p; p++)
            if (!isdigit((unsigned char)*p) && !strchr(" +-/()", *p))
                return N_("Bitte geben Sie nur Ziffern, Leerzeichen und + - / ( ) an, zum Beispiel 06131 12-0.");
        if (n > 30)
            return N_("Die Telefonnummer ist zu lang.");
    }
    return NULL;
}

static int profile_form(http_req_t *req, int status, json_t *values, const char **errors, const char *alert_kind,
                        const char *alert)
{
    page_t p = page_new(req, N_("Meine Daten"));
    if (alert)
        page_alert(&p, alert_kind, alert);
    if (http_query(req, "willkommen"))
        page_alert(&p, "success", N_("Willkommen! Ihr Konto ist bestätigt und Sie sind angemeldet."));
    page_text(&p, N_("Diese Angaben bieten wir Ihnen in allen Formularen an, damit Sie sie nicht jedes Mal neu eingeben müssen. Alle Angaben sind freiwillig."));
    char line[400];
    snprintf(line, sizeof(line), "%s: %s", i18n_translate(req->lang, N_("E-Mail-Adresse")), req->user->email);
    page_raw_text(&p, line);
    for (size_t i = 0; i < NPFIELDS; i++) {
        json_t *f = page_field(&p, pfields[i].kind, pfields[i].name, pfields[i].label,
                               json_string_value(json_object_get(values, pfields[i].name)), pfields[i].hint,
                               errors ? errors[i] : NULL);
        if (pfields[i].autocomplete)
            json_object_set_new(f, "autocomplete", json_string(pfields[i].autocomplete));
    }
    page_link(&p, "/konto/sicherheit", N_("Passwort, E-Mail-Adresse und Anmeldung ändern"));
    page_link(&p, "/konto/daten", N_("Meine Daten herunterladen oder Konto löschen"));
    return page_form(&p, status, "/konto", N_("Speichern"));
}

int account_profile_page(http_req_t *req)
{
    json_t *values = account_profile_json(req->db, req->user->id);
    if (!values)
        return 503;
    int saved = http_query(req, "gespeichert") != NULL;
    int rc = profile_form(req, 200, values, NULL, "success", saved ? N_("Ihre Daten sind gespeichert.") : NULL);
    json_decref(values);
    return rc;
}

int account_profile_submit(http_req_t *req)
{
    json_t *values = json_object();
    const char *errors[NPFIELDS] = {0};
    int bad = 0;
    for (size_t i = 0; i < NPFIELDS; i++) {
        const char *v = http_form(req, pfields[i].name);
        v = v ? v : "";
        json_object_set_new(values, pfields[i].name, json_string(utf8_valid(v, strlen(v)) ? v : ""));
        errors[i] = check_value(pfields[i].name, v);
        bad |= errors[i] != NULL;
    }
    if (bad) {
        int rc = profile_form(req, 422, values, errors, NULL, NULL);
        json_decref(values);
        return rc;
    }
    int64_t now = (int64_t)time(NULL);
    db_stmt_t *st;
    int ok = db_begin_write(req->db) == 0 && db_prepare(req->db, sql_save, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, req->user->id);
        for (size_t i = 0; i < NPFIELDS; i++)
            db_bind_text(st, (int)i + 2, json_string_value(json_object_get(values, pfields[i].name)), -1);
        db_bind_int64(st, (int)NPFIELDS + 2, now);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    char name[420];
    snprintf(name, sizeof(name), "%s %s", json_string_value(json_object_get(values, "given_name")),
             json_string_value(json_object_get(values, "family_name")));
    if (ok && db_prepare(req->db, sql_name, &st) == 0) {
        db_bind_int64(st, 1, req->user->id);
        db_bind_text(st, 2, strcmp(name, " ") ? name : "", -1);
        db_bind_int64(st, 3, now);
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    ok = ok && db_commit(req->db) == 0;
    if (!ok) {
        db_rollback(req->db);
        /* Keep what was typed: the page comes back with the values and a message. */
        int rc = profile_form(req, 503, values, NULL, "danger",
                              N_("Ihre Daten konnten gerade nicht gespeichert werden. Ihre Eingaben sind noch da: bitte versuchen Sie es gleich noch einmal."));
        json_decref(values);
        return rc;
    }
    json_decref(values);
    account_audit(req, req->user->id, "account.profile_saved", NULL);
    return http_redirect(req, 303, "/konto?gespeichert=1");
}
