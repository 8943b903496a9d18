/* fuzz_pdf_markdown.c — libFuzzer target: Markdown to an accessible PDF (pdf.h).
 *
 * Two oracles beyond "no crash, leak or hang":
 *  - pdf_clean_text, which guards everything pango sees, must return valid UTF-8
 *    without control characters other than tab and newline and without Unicode
 *    noncharacters (cairo refuses them), for any bytes;
 *  - any Markdown up to 8 KiB must become a PDF (below every limit, so failure is
 *    a bug): complete, tagged (a structure tree) and with our catalog update.
 * The input also goes through pdf_pair and pdf_list_item, so the table and list
 * paths see the same bytes.
 *
 * pango and fontconfig keep font caches for the life of the process, and
 * fontconfig leaks a few bytes of its configuration once; those allocations all
 * have fontconfig frames, so LeakSanitizer is told to skip exactly those (our own
 * leaks never run through fontconfig).
 *
 *   build/fuzz/bin/fuzz_pdf_markdown -max_total_time=60 fuzz/corpus/pdf_markdown
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "platform/pdf.h"
#include "platform/pdf_internal.h"

#define STRICT_MAX 8192 /* inputs up to this size must give a PDF */

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static void check_clean_text(const uint8_t *data, size_t size)
{
    size_t len = 0;
    char *clean = pdf_clean_text((const char *)data, size, &len);
    if (!clean)
        abort();
    if (strlen(clean) != len || !utf8_valid(clean, len))
        abort();
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)clean[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
            abort();
        if (c == 0xC2 && i + 1 < len && (unsigned char)clean[i + 1] < 0xA0) /* U+0080..U+009F */
            abort();
        /* No noncharacter: U+FDD0..U+FDEF (EF B7 90..EF B7 AF), U+xxFFFE/U+xxFFFF
         * (their last two bytes are BF BE or BF BF after EF or a 4-byte lead's 8F/9F/…BF). */
        if (c == 0xEF && i + 2 < len && (unsigned char)clean[i + 1] == 0xB7 && (unsigned char)clean[i + 2] >= 0x90 &&
            (unsigned char)clean[i + 2] <= 0xAF)
            abort();
        if (c == 0xEF && i + 2 < len && (unsigned char)clean[i + 1] == 0xBF && ((unsigned char)clean[i + 2] & 0xFE) == 0xBE)
            abort();
        if (c >= 0xF0 && c <= 0xF4 && i + 3 < len && ((unsigned char)clean[i + 1] & 0x0F) == 0x0F &&
            (unsigned char)clean[i + 2] == 0xBF && ((unsigned char)clean[i + 3] & 0xFE) == 0xBE)
            abort();
    }
    free(clean);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_clean_text(data, size);

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* a NUL inside ends the text, as for any C string caller */

    pdf_doc_t *d = pdf_new(text, "de");
    if (!d)
        abort();
    pdf_letterhead(d, text);
    pdf_markdown(d, text);
    pdf_pair(d, text, text);
    pdf_list_item(d, text);
    unsigned char *out = NULL;
    size_t len = 0;
    int rc = pdf_finish(d, &out, &len);
    if (rc != 0 && size <= STRICT_MAX / 4) /* the text is used four times */
        abort();
    if (rc != 0 && !pdf_error(d))
        abort();
    if (rc == 0) {
        if (len < 100 || memcmp(out, "%PDF-", 5) != 0 || memcmp(out + len - 6, "%%EOF\n", 6) != 0)
            abort();
        if (!memmem(out, len, "/StructTreeRoot", 15) || !memmem(out, len, "/Lang (de)", 10))
            abort();
        if (pdf_page_count(d) < 1 || pdf_page_count(d) > PDF_MAX_PAGES)
            abort();
    }
    free(out);
    pdf_free(d);
    free(text);
    return 0;
}
