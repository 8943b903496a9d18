/* files.c — PLACEHOLDER: being written (files). Replace this whole file. */
#include "platform/files.h"
int files_init(char *err, size_t errlen) { return 0; }
void files_shutdown(void) {}
const char *files_sniff(const void *data, size_t len) { return "application/octet-stream"; }
enum files_result files_check(const void *data, size_t len, size_t max_bytes, const char *const *allowed, const char **type) { return FILES_ERROR; }
int files_store(db_t *db, int64_t application_id, const char *field, const char *filename, const char *content_type, const void *data, size_t len, int64_t uploaded_by, int64_t *id_out) { return -1; }
