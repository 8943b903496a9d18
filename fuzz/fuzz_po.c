/* fuzz_po.c — libFuzzer target for the .po parser (i18n.h).
 *
 * The input is a .po text for "en". Whatever loads is looked up a little (so that
 * the hash table is read as well as written), then everything is freed, so a leak
 * in any path shows up at once.
 *
 *   build/fuzz/bin/fuzz_po -max_total_time=60 fuzz/corpus/po
 */
#include <stddef.h>
#include <stdint.h>

#include "view/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    if (i18n_load_po_text("en", (const char *)data, size, "fuzz.po", err, sizeof(err)) == 0) {
        i18n_translate("en", "Anmelden");
        i18n_translate("en", "");
        i18n_translate("en", "a");
    }
    i18n_free();
    return 0;
}
