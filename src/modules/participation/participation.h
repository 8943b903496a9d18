/* participation.h — Beteiligung: the city's online participation platform
 * (Leitlinien für Bürgerbeteiligung in Mainz, 6 April 2022; docs/participation.md).
 *
 *   projects.c      Vorhabenliste: entries, change log, filters, search, editions (PDF),
 *                   open data (CSV/JSON), following districts/topics/entries + e-mails
 *   requests.c      Anregungen: residents request participation; office check, supports,
 *                   council steps, public history
 *   processes.c     participation processes: phases, components, proposals with supports
 *                   and answers, threaded comments, results page
 *   surveys.c       surveys (results as SVG and CSV) and events (registration, iCalendar)
 *   moderation.c    reporting, moderation queue, hiding with a reason, blocking, word list,
 *                   rate limits — and who may contribute at all
 */
#ifndef RATHAUS_MODULES_PARTICIPATION_H
#define RATHAUS_MODULES_PARTICIPATION_H

#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

extern const module_t participation_module;      /* projects.c: /beteiligung, /beteiligung/vorhaben */
extern const module_t participation_requests_module; /* requests.c: /beteiligung/anregungen */
extern const module_t participation_process_module;  /* processes.c: /beteiligung/verfahren */
extern const module_t participation_survey_module;   /* surveys.c: surveys and events of processes */
extern const module_t participation_admin_module;    /* moderation.c: /verwaltung/beteiligung */

/* Start-up: jobs (follower e-mails, daily digest, support deadlines). */
int participation_init(const config_t *cfg, char *err, size_t errlen);
/* `rathaus demo`: Vorhaben, a process with phases and contributions. */
int participation_demo(db_t *db, const char *data_dir);

#endif
