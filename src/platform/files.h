/* files.h — uploaded files: limits, type checked by content (libmagic), stored in the
 * database (application_files) so that every node serves them.
 *
 * The type a browser claims is ignored; libmagic looks at the bytes. A form field
 * says which types it takes ("pdf", "jpeg", "png") and how large a file may be.
 */
#ifndef RATHAUS_PLATFORM_FILES_H
#define RATHAUS_PLATFORM_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

enum files_result {
    FILES_OK = 0,
    FILES_EMPTY = 1,        /* no bytes */
    FILES_TOO_LARGE = 2,    /* over max_bytes */
    FILES_TYPE_REFUSED = 3, /* the content is none of the allowed types */
    FILES_ERROR = -1,
};

/* Start-up: opens the libmagic database (one handle per thread is made lazily).
 * Returns 0 or -1 with err. */
int files_init(char *err, size_t errlen);
void files_shutdown(void);

/* The MIME type of data by its content ("application/pdf"); a static string,
 * "application/octet-stream" when unknown. */
const char *files_sniff(const void *data, size_t len);
/* Checks data against max_bytes and the allowed MIME types (NULL-terminated;
 * NULL: any). Sets *type to the sniffed type. */
enum files_result files_check(const void *data, size_t len, size_t max_bytes, const char *const *allowed,
                              const char **type);
/* Stores a file for an application; *id_out gets its id. The file name is
 * cleaned (path parts, control characters removed; ≤ 200 bytes). Returns 0 or -1. */
int files_store(db_t *db, int64_t application_id, const char *field, const char *filename,
                const char *content_type, const void *data, size_t len, int64_t uploaded_by, int64_t *id_out);

#endif
