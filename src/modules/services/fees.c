/* fees.c — PLACEHOLDER: being written (fees). Replace this whole file. */
#include "modules/services/internal.h"
int fees_compute(const char *rules_json, const json_t *answers, const char *today, json_t **lines, int64_t *total, char *err, size_t errlen) { *lines = json_array(); *total = 0; return 0; }
