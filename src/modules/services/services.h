/* services.h — Online-Dienste (OZG): the public face of the services module.
 *
 * The module is split by what a newcomer would look for (docs/services.md):
 *
 *   catalogue.c      Leistungen A–Z, Lebenslagen, search, /api/v1/leistungen; its queries in
 *                    catalogue_model.c, the kept search rankings in catalogue_cache.c; loading
 *                    a catalogue file: catalogue_check.c (its rules), catalogue_import.c
 *   formdef.c        forms as data: the definition format, its checks, conditions, validation
 *   apply.c          the citizen's way through a form: steps, drafts, uploads, review, submit,
 *                    receipt; "Meine Anträge" and /api/v1/antraege
 *   forms_admin.c    /verwaltung/formulare: loading form definitions (JSON or XDatenfelder)
 *   xdf.c            the FIM XDatenfelder importer (libxml2); xdf_field.c one Datenfeld,
 *                    xdf_pattern.c XML Schema patterns → POSIX (private header xdf.h)
 *   postfach.c       the message thread of each application
 *   cases.c          Vorgangsbearbeitung: the unit's inbox, one case, notices, statistics
 *   workflow.c       the statuses and transitions of each kind of service (declared as data)
 *   fees.c           fees computed from a service's rules; payment.c the payment step
 *   appointments.c   slots, bookings, iCalendar, the day's list
 *   passport.c       Reisepass: fee by age, status lookup without login, expiry reminders
 *   zweck.c          Zweckentfremdung: permits, reports, registration numbers, nights ledger
 *   application.c    what all of them share about one application (load, access, history)
 *   demo.c, cli.c    `rathaus demo` and `rathaus services …`
 */
#ifndef RATHAUS_MODULES_SERVICES_H
#define RATHAUS_MODULES_SERVICES_H

#include <stddef.h>

#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

extern const module_t services_module;      /* catalogue.c: /leistungen */
extern const module_t applications_module;  /* apply.c: /antraege */
extern const module_t postfach_module;      /* postfach.c: /postfach */
extern const module_t appointments_module;  /* appointments.c: /termine */
extern const module_t passport_module;      /* passport.c: /status */
extern const module_t zweck_module;         /* zweck.c: /zweckentfremdung */
extern const module_t cases_module;         /* cases.c: /verwaltung/vorgaenge */
extern const module_t forms_admin_module;   /* forms_admin.c: /verwaltung/formulare */

/* Start-up: registers the module's jobs and its share of the privacy export. */
int services_init(const config_t *cfg, char *err, size_t errlen);
/* `rathaus serve`, once the schema is current: schedules the module's recurring
 * jobs (passport expiry reminders) if none is pending. Returns 0 or < 0. */
int services_start(db_t *db);
/* `rathaus demo`: the catalogue, forms, appointment slots and sample cases,
 * read from data_dir (normally "data/services"). Returns 0 or < 0. */
int services_demo(db_t *db, const char *data_dir);
/* `rathaus services …` */
int services_cli(config_t *cfg, int argc, char **argv);

#endif
