/* account.h — the Nutzerkonto module: one account for citizens and staff.
 *
 * What other modules use: the module itself (registry), the profile for
 * pre-filling forms ("Meine Daten", once-only), and the hooks through which a
 * module adds its records to the privacy export and deletion (GDPR Art. 15/17/20).
 */
#ifndef RATHAUS_MODULES_ACCOUNT_H
#define RATHAUS_MODULES_ACCOUNT_H

#include <jansson.h>
#include <stdint.h>

#include "core/config.h"
#include "db/db.h"
#include "web/http.h"

extern const module_t account_module;
extern const module_t account_admin_module;

/* Start-up: loads the common-password list and installs the session loader. */
int account_init(const config_t *cfg, char *err, size_t errlen);
void account_shutdown(void);

/* The profile of user_id as a JSON object (given_name, family_name, birth_date,
 * street, house_number, postcode, city, phone, email, …) for pre-filling forms;
 * NULL on a database error. The caller owns the result. */
json_t *account_profile_json(db_t *db, int64_t user_id);

/* A module's share of "my data": export adds its records to out (an object the
 * module keys with its name); erase deletes what may go and pseudonymises what a
 * law requires to keep, appending a plain-German line per kept kind of record to
 * kept (an array of strings). Both return 0 or < 0. */
typedef struct account_data_provider {
    const char *module;
    int (*export_data)(db_t *db, int64_t user_id, json_t *out);
    int (*erase_data)(db_t *db, int64_t user_id, json_t *kept);
} account_data_provider_t;
int account_register_data_provider(const account_data_provider_t *p);

#endif
