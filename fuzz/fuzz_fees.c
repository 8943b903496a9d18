/* fuzz_fees.c — libFuzzer target for the fee rule parser and evaluator (fees.c).
 *
 * The input is rule text, optionally followed by a line "---" and the answers
 * as JSON. The rules are checked (fees_check) and computed against the answers
 * (or a fixed set with every kind of value) on two days; whatever is computed
 * must be consistent: the total is the sum of the lines, never negative.
 *
 *   build/fuzz/bin/fuzz_fees -max_total_time=60 fuzz/corpus/fees
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/services/internal.h"

static const char fallback_answers[] =
    "{\"birth_date\": \"2000-02-29\", \"express\": \"1\", \"pages48\": true, \"delivery\": 0,"
    " \"vorlaeufig\": \"\", \"nights\": \"120\", \"art\": \"ferien\", \"extras\": [\"kopie\"]}";

static void run(const char *rules, const json_t *answers, const char *today)
{
    json_t *lines = NULL;
    int64_t total = -1;
    char err[256];
    if (fees_compute(rules, answers, today, &lines, &total, err, sizeof(err)) != 0) {
        if (lines)
            abort(); /* no result on failure */
        return;
    }
    int64_t sum = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (!json_is_string(json_object_get(line, "label")))
            abort();
        sum += json_integer_value(json_object_get(line, "cents"));
    }
    if (sum != total || total < 0)
        abort();
    json_decref(lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* Embedded NUL bytes end the rules early, as a C string from the database would. */
    json_t *answers = NULL;
    char *sep = strstr(text, "\n---\n");
    if (sep) {
        *sep = '\0';
        answers = json_loads(sep + 5, 0, NULL);
    }
    if (!answers)
        answers = json_loads(fallback_answers, 0, NULL);
    char err[256];
    int checked = fees_check(text, err, sizeof(err));
    run(text, answers, "2024-02-28");
    run(text, answers, "2026-11-29");
    (void)checked;
    json_decref(answers);
    free(text);
    return 0;
}
