/* formdef.c — PLACEHOLDER: being written (formdef). Replace this whole file. */
#include "modules/services/internal.h"
int formdef_check(const char *json_text, size_t len, char *err, size_t errlen) { return -1; }
int formdef_store(db_t *db, const char *json_text, size_t len, int64_t created_by, int64_t *form_id, int64_t *version, char *err, size_t errlen) { return -1; }
int formdef_load_dir(db_t *db, const char *dir, char *err, size_t errlen) { return 0; }
