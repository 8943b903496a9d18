/* module.c — the account module's routes, permissions and start-up.
 *
 * Public addresses (stable: tests and bookmarks rely on them): /konto/registrieren,
 * /konto/anmelden, /konto/abmelden, /konto/passwort-vergessen, /konto (Meine
 * Daten), /konto/sicherheit, /konto/daten; the administration is in admin_*.c
 * under /verwaltung/.
 */
#include <stdio.h>

#include "modules/account/account.h"
#include "modules/account/handlers.h"
#include "modules/account/idp.h"
#include "modules/account/password.h"
#include "modules/account/session.h"
#include "view/i18n.h"
#include "web/auth.h"

#define SIGNED_IN AUTH_SIGNED_IN

static const route_t account_routes[] = {
    {"GET", "/konto/registrieren", account_register_page, NULL, 0, 0},
    {"POST", "/konto/registrieren", account_register_submit, NULL, 0, 0},
    {"GET", "/konto/bestaetigen", account_confirm_page, NULL, 0, 0},
    {"POST", "/konto/bestaetigen", account_confirm_submit, NULL, 0, 0},
    {"GET", "/konto/bestaetigen/neu", account_resend_page, NULL, 0, 0},
    {"POST", "/konto/bestaetigen/neu", account_resend_submit, NULL, 0, 0},
    {"GET", "/konto/anmelden", account_login_page, NULL, 0, 0},
    {"POST", "/konto/anmelden", account_login_submit, NULL, 0, 0},
    {"GET", "/konto/anmelden/code", account_login_code_page, NULL, 0, 0},
    {"GET", "/konto/anmelden/mit/:provider", account_idp_start, NULL, 0, 0},
    {"GET", "/konto/anmelden/mit/:provider/antwort", account_idp_finish, NULL, 0, 0},
    /* SAML's HTTP-POST binding arrives from the provider's site: no CSRF token of ours,
     * the finish function checks the signed assertion instead. */
    {"POST", "/konto/anmelden/mit/:provider/antwort", account_idp_finish, NULL, ROUTE_NO_CSRF, 256 * 1024},
    {"POST", "/konto/anmelden/code", account_login_code_submit, NULL, 0, 0},
    {"POST", "/konto/abmelden", account_logout, NULL, 0, 0},
    {"GET", "/konto/passwort-vergessen", account_forgot_page, NULL, 0, 0},
    {"POST", "/konto/passwort-vergessen", account_forgot_submit, NULL, 0, 0},
    {"GET", "/konto/passwort-neu", account_reset_page, NULL, 0, 0},
    {"POST", "/konto/passwort-neu", account_reset_submit, NULL, 0, 0},
    {"GET", "/konto/email-bestaetigen", account_email_confirm_page, NULL, 0, 0},
    {"POST", "/konto/email-bestaetigen", account_email_confirm_submit, NULL, 0, 0},
    {"GET", "/konto", account_profile_page, SIGNED_IN, 0, 0},
    {"POST", "/konto", account_profile_submit, SIGNED_IN, 0, 0},
    {"GET", "/konto/sitzung", account_session_page, SIGNED_IN, 0, 0},
    {"POST", "/konto/sitzung", account_session_extend, SIGNED_IN, 0, 0},
    {"GET", "/konto/sicherheit", account_security_page, SIGNED_IN, 0, 0},
    {"POST", "/konto/sicherheit/passwort", account_password_submit, SIGNED_IN, 0, 0},
    {"POST", "/konto/sicherheit/email", account_email_submit, SIGNED_IN, 0, 0},
    {"POST", "/konto/sicherheit/2fa/start", account_totp_start, SIGNED_IN, 0, 0},
    {"GET", "/konto/sicherheit/2fa", account_totp_confirm, SIGNED_IN, 0, 0},
    {"POST", "/konto/sicherheit/2fa/bestaetigen", account_totp_confirm, SIGNED_IN, 0, 0},
    {"POST", "/konto/sicherheit/2fa/deaktivieren", account_totp_disable, SIGNED_IN, 0, 0},
    {"POST", "/konto/sicherheit/sitzungen/beenden", account_sessions_end, SIGNED_IN, 0, 0},
    {"GET", "/konto/daten", account_data_page, SIGNED_IN, 0, 0},
    {"GET", "/konto/daten/export.json", account_data_export, SIGNED_IN, 0, 0},
    {"POST", "/konto/daten/loeschen", account_data_delete, SIGNED_IN, 0, 0},
};

static const permission_t account_permissions[] = {
    {"account.users.manage", N_("Benutzerkonten verwalten (anlegen, Rollen, Einheiten, sperren)")},
    {"account.units.manage", N_("Organisationseinheiten verwalten")},
    {"account.roles.manage", N_("Rollen und ihre Rechte verwalten")},
    {"account.audit.read", N_("Das Sicherheitsprotokoll lesen")},
    {"account.trust.raise", N_("Vertrauensniveau nach Prüfung eines Ausweises anheben")},
    {"account.staff", N_("Als Mitarbeitende der Verwaltung arbeiten")},
};

const module_t account_module = {
    .name = "account",
    .title = N_("Mein Konto"),
    .summary = N_("Ihre Daten, Ihre Anmeldung und Ihre Sicherheit an einem Ort."),
    .home = "/konto",
    .nav_permission = AUTH_SIGNED_IN,
    .routes = account_routes,
    .route_count = sizeof(account_routes) / sizeof(account_routes[0]),
    .permissions = account_permissions,
    .permission_count = sizeof(account_permissions) / sizeof(account_permissions[0]),
};

int account_init(const config_t *cfg, char *err, size_t errlen)
{
    if (password_list_load(cfg->password_list, err, errlen) != 0)
        return -1;
    auth_set_session_loader(session_load);
    return 0;
}

void account_shutdown(void) { password_list_free(); }
