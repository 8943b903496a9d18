/* registry.c — every module of this binary, in the order they appear on the start page. */
#include "modules/registry.h"

#include "modules/account/account.h"
#include "modules/core/core.h"
#include "modules/participation/participation.h"
#include "modules/services/services.h"
#include "modules/testing/testing.h"

const module_t *const modules_all[] = {
    &core_module,
    &services_module,
    &applications_module,
    &postfach_module,
    &appointments_module,
    &passport_module,
    &zweck_module,
    &participation_module,
    &participation_requests_module,
    &participation_process_module,
    &participation_survey_module,
    &account_module,
    &cases_module,
    &forms_admin_module,
    &participation_admin_module,
    &account_admin_module,
    &system_module,
    &testing_module,
};
const size_t modules_count = sizeof(modules_all) / sizeof(modules_all[0]);
