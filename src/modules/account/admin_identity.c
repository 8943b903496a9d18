/* admin_identity.c — /verwaltung/identitaet: raising a citizen's trust level
 * (Vertrauensniveau) from basisregistriert to substantiell after staff have
 * checked an ID document in person.
 *
 * The audit log records who raised it, when, and the kind of document — never
 * its number: the form does not even ask for it (data minimisation, GDPR Art. 5).
 * Only this one step is offered here: never lowering, never for staff accounts,
 * never for unconfirmed or blocked accounts, never above substantiell (hoch
 * needs an electronic identification, not a look at a card).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/account/admin.h"
#include "modules/account/common.h"
#include "modules/account/ui.h"
#include "view/i18n.h"
#include "web/auth.h"

/* The documents that may be shown; the value goes into the audit log. */
static const struct document {
    const char *value, *label;
} documents[] = {
    {"personalausweis", N_("Personalausweis")},
    {"reisepass", N_("Reisepass")},
    {"aufenthaltstitel", N_("Elektronischer Aufenthaltstitel")},
    {"vorlaeufiger-personalausweis", N_("Vorläufiger Personalausweis")},
};
#define NDOCUMENTS (sizeof(documents) / sizeof(documents[0]))

static const char sql_raise[] = "UPDATE users SET trust_level = 2, updated_at = $2 WHERE id = $1 AND trust_level = 1 "
                                "AND is_staff = 0 AND email_confirmed_at IS NOT NULL AND blocked_at IS NULL "
                                "AND deleted_at IS NULL";

/* Why account a cannot be raised here (a msgid), or NULL when it can. */
static const char *not_raisable(const account_t *a)
{
    if (a->is_staff)
        return N_("Das ist ein Dienstkonto. Dienstkonten werden hier nicht angehoben.");
    if (!a->confirmed)
        return N_("Das Konto ist noch nicht bestätigt. Die Person muss zuerst den Link in ihrer E-Mail öffnen.");
    if (a->blocked)
        return N_("Das Konto ist gesperrt.");
    if (a->trust_level >= TRUST_SUBSTANTIAL)
        return N_("Das Konto hat bereits mindestens das Vertrauensniveau „substantiell“.");
    return NULL;
}

/* What the page shows besides the search: the account found and the raise form. */
typedef struct id_state {
    int status;
    const char *alert_kind, *alert;
    const char *email_value, *e_email;
    const account_t *found;
    const char *document, *checked;     /* kept after an error */
    const char *e_document, *e_checked; /* errors of the raise form */
} id_state_t;

static int identity_page(http_req_t *req, const id_state_t *s)
{
    page_t p = page_new(req, N_("Identität prüfen"));
    if (s->alert)
        page_alert(&p, s->alert_kind, s->alert);
    if (http_query(req, "angehoben"))
        page_alert(&p, "success",
                   N_("Das Vertrauensniveau ist jetzt „substantiell“. Die Person wurde per E-Mail benachrichtigt."));
    json_t *f =
        page_field(&p, FIELD_EMAIL, "email", N_("E-Mail-Adresse des Kontos"), s->email_value ? s->email_value : "",
                   N_("Die Adresse, mit der sich die Person anmeldet."), s->e_email);
    json_object_set_new(f, "autocomplete", json_string("off"));
    page_set(&p, "lookup", json_pack("{s:o}", "fields", page_take_fields(&p)));
    json_t *found = json_null();
    if (s->found) {
        const account_t *a = s->found;
        const char *why = not_raisable(a);
        found = json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:n,s:n}", "id", (json_int_t)a->id, "email", a->email, "name",
                          a->display_name, "trust", admin_trust_label(req, a->trust_level), "staff", a->is_staff,
                          "confirmed", a->confirmed, "reason", "raise");
        if (why) {
            json_object_set_new(found, "reason", json_string(i18n_translate(req->lang, why)));
        } else {
            f = page_field(&p, FIELD_SELECT, "dokument", N_("Vorgelegtes Dokument"), "", NULL, s->e_document);
            for (size_t i = 0; i < NDOCUMENTS; i++)
                page_option(f, documents[i].value, i18n_translate(req->lang, documents[i].label),
                            s->document && !strcmp(s->document, documents[i].value));
            page_field(
                &p, FIELD_CHECKBOX, "geprueft", N_("Ich habe das Dokument persönlich geprüft."), s->checked,
                N_("Das Lichtbild passt zur Person, das Dokument ist gültig, Name und Geburtsdatum stimmen mit dem Konto überein."),
                s->e_checked);
            json_object_set_new(found, "raise", json_pack("{s:o}", "fields", page_take_fields(&p)));
        }
    }
    page_set(&p, "found", found);
    return page_render(&p, s->status ? s->status : 200, "admin/identity");
}

/* GET /verwaltung/identitaet?email=… — the search, and the account when found. */
int admin_identity_page(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    id_state_t s = {0};
    const char *entered = http_query(req, "email");
    account_t a;
    if (entered && *entered) {
        s.email_value = entered;
        const char *email = account_email_normalise(req, entered, &s.e_email);
        int rc = email ? account_by_email(req, email, &a) : 1;
        if (rc < 0)
            return 503;
        if (rc == 0) {
            s.found = &a;
        } else if (!s.e_email) {
            s.alert_kind = "info";
            s.alert = N_("Zu dieser Adresse gibt es kein Konto.");
        }
        if (s.e_email)
            s.status = 422;
    }
    return identity_page(req, &s);
}

/* POST /verwaltung/identitaet/:id — dokument, geprueft. */
int admin_identity_submit(http_req_t *req)
{
    if (admin_guard(req))
        return 0;
    int64_t id = admin_parse_id(http_param(req, "id"));
    account_t a;
    int rc = id > 0 ? account_by_id(req, id, &a) : 1;
    if (rc < 0)
        return 503;
    if (rc != 0 || a.is_staff) /* staff accounts are not this page's business */
        return 404;
    id_state_t s = {0};
    s.found = &a;
    s.email_value = a.email;
    if (not_raisable(&a)) {
        s.status = 409;
        return identity_page(req, &s);
    }
    s.document = http_form(req, "dokument");
    s.checked = http_form(req, "geprueft");
    const struct document *doc = NULL;
    for (size_t i = 0; s.document && i < NDOCUMENTS; i++)
        if (!strcmp(s.document, documents[i].value))
            doc = &documents[i];
    if (!doc)
        s.e_document = N_("Bitte wählen Sie das Dokument, das Ihnen vorgelegt wurde.");
    if (!s.checked || strcmp(s.checked, "1") != 0)
        s.e_checked = N_("Bitte bestätigen Sie, dass Sie das Dokument persönlich geprüft haben.");
    if (s.e_document || s.e_checked) {
        s.status = 422;
        return identity_page(req, &s);
    }
    int64_t now = (int64_t)time(NULL);
    if (db_begin_write(req->db) != 0)
        return 503;
    db_stmt_t *st;
    int changed = -1;
    if (db_prepare(req->db, sql_raise, &st) == 0) {
        db_bind_int64(st, 1, a.id);
        db_bind_int64(st, 2, now);
        if (db_step(st) == DB_DONE)
            changed = (int)db_changes(st);
        db_reset(st);
    }
    if (changed == 1) {
        /* Who and when are the entry's actor and time; the document kind is the detail. */
        account_audit(req, a.id, "admin.trust_raised",
                      admin_detail(req, json_pack("{s:i,s:i,s:s}", "from", 1, "to", 2, "document", doc->value)));
        rc = db_commit(req->db);
    } else {
        db_rollback(req->db);
        rc = changed < 0 ? -1 : 0;
    }
    if (rc != 0)
        return 503;
    if (changed != 1) {
        /* Changed by someone else in the meantime: show how it is now. */
        if (account_by_id(req, a.id, &a) != 0)
            return 404;
        s.status = 409;
        s.document = s.checked = NULL;
        return identity_page(req, &s);
    }
    account_mail(
        req, a.email, "de", N_("Ihr Vertrauensniveau wurde angehoben"),
        N_("Nach der Prüfung Ihres Ausweises hat Ihr Konto jetzt das Vertrauensniveau „substantiell“. Damit können Sie weitere Anliegen online erledigen. Wenn Sie nicht bei uns waren, wenden Sie sich bitte sofort an die Stadtverwaltung."),
        "/konto", NULL);
    return http_redirect(req, 303, "/verwaltung/identitaet?angehoben=1");
}
