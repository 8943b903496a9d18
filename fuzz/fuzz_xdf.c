/* fuzz_xdf.c — libFuzzer target for the XDatenfelder importer (services/xdf.c).
 *
 * The input is an uploaded file. Besides the sanitizers (and libxml2 running
 * under them), the target checks the importer's promise: whatever it returns is
 * a definition formdef_check accepts, because the upload page stores what the
 * importer made; and when it refuses, it says why.
 *
 *   build/fuzz/bin/fuzz_xdf -max_total_time=60 fuzz/corpus/xdf
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/services/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    json_t *def = xdf_to_formdef((const char *)data, size, "fuzz", err, sizeof(err));
    if (!def) {
        if (!err[0])
            abort(); /* refused without a reason */
        return 0;
    }
    char *text = json_dumps(def, JSON_COMPACT);
    json_decref(def);
    if (!text)
        abort();
    char check[512] = "";
    if (formdef_check(text, strlen(text), check, sizeof(check)) != 0) {
        fprintf(stderr, "the importer made a definition formdef_check refuses: %s\n%s\n", check, text);
        abort();
    }
    free(text);
    return 0;
}
