/* surveys.c — PLACEHOLDER: being written. Replace this whole file. */
#include "modules/participation/internal.h"
#include "modules/participation/participation.h"
const module_t participation_survey_module = {.name = "participation_survey", .title = "participation_survey"};
int surveys_demo(db_t *db) { return 0; }
