/* fuzz_catalogue.c — libFuzzer target for the check of a catalogue file
 * (catalogue_check.c), which `rathaus services import` runs on the whole file
 * before it writes anything.
 *
 * The input is parsed as JSON (as the importer does) and checked. The check must
 * never crash, must answer 0 or -1, and on -1 must say why in a NUL-terminated
 * message that names something (an entry, a field or the file).
 *
 *   build/fuzz/bin/fuzz_catalogue -max_total_time=60 fuzz/corpus/catalogue
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "modules/services/catalogue_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return 0;
    char err[512];
    memset(err, 'x', sizeof(err));
    err[0] = '\0';
    int rc = catalogue_check_file(root, err, sizeof(err));
    if (rc != 0 && rc != -1)
        abort();
    if (rc == -1 && (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0'))
        abort(); /* a refusal without a reason */
    json_decref(root);
    return 0;
}
