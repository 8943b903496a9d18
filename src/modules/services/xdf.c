/* xdf.c — PLACEHOLDER: being written (xdf). Replace this whole file. */
#include "modules/services/internal.h"
json_t *xdf_to_formdef(const char *xml, size_t len, const char *form_key, char *err, size_t errlen) { return NULL; }
