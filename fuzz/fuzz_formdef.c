/* fuzz_formdef.c — libFuzzer target for the form definition check and everything
 * that works on a checked definition (formdef*.c): conditions, step counting,
 * taking answers out of a POST, checking them, and the page and review models.
 *
 * The input is a definition, optionally followed by a line "---" and answers as
 * JSON. When the check accepts the definition, the answers (or a fixed set with a
 * value of every kind) go through every step as a POST would bring them; the
 * invariants are the ones the pages rely on: "Schritt k von n" with 1 <= k <= n,
 * an error only for a field that is shown, and answers that stay a JSON object.
 *
 *   build/fuzz/bin/fuzz_formdef -max_total_time=60 fuzz/corpus/formdef
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "modules/services/formdef.h"
#include "modules/services/internal.h"

static const char fallback_answers[] =
    "{\"a\": \"x\", \"name\": \"Maria\", \"birth_date\": \"2010-02-28\", \"express\": true, \"n\": \"1,5\","
    " \"list\": [\"a\", \"b\", 3], \"address\": {\"street\": \"R\", \"postcode\": \"551\"}, \"iban\": \"DE02 x\","
    " \"d\": \"31.12.1999\", \"kind\": \"alt\"}";

/* The answers as form fields: strings as they are, arrays as repeated names,
 * objects as name.part, true as "1". */
static void to_form(arena_t *arena, const json_t *answers, form_t *form)
{
    size_t cap = 256, n = 0;
    form_field_t *f = arena_alloc(arena, cap * sizeof(*f));
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)answers, key, v)
    {
        if (n + 8 >= cap)
            break;
        if (json_is_string(v)) {
            f[n++] = (form_field_t){key, json_string_value(v), json_string_length(v)};
        } else if (json_is_true(v)) {
            f[n++] = (form_field_t){key, "1", 1};
        } else if (json_is_array(v)) {
            for (size_t i = 0; i < json_array_size(v) && n + 1 < cap; i++)
                if (json_is_string(json_array_get(v, i)))
                    f[n++] = (form_field_t){key, json_string_value(json_array_get(v, i)),
                                            json_string_length(json_array_get(v, i))};
        } else if (json_is_object(v)) {
            const char *part;
            const json_t *pv;
            json_object_foreach((json_t *)v, part, pv)
            {
                if (json_is_string(pv) && n + 1 < cap)
                    f[n++] = (form_field_t){arena_printf(arena, "%s.%s", key, part), json_string_value(pv),
                                            json_string_length(pv)};
            }
        }
    }
    form->fields = f;
    form->count = n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    json_t *sent = NULL;
    char *sep = strstr(text, "\n---\n");
    if (sep) {
        *sep = '\0';
        sent = json_loads(sep + 5, 0, NULL);
    }
    if (!json_is_object(sent)) {
        json_decref(sent);
        sent = json_loads(fallback_answers, 0, NULL);
    }
    char err[512];
    json_t *def = formdef_parse(text, strlen(text), err, sizeof(err));
    if (!def) {
        if (!err[0])
            abort(); /* a refusal always says why */
        goto out;
    }
    if (formdef_check(text, strlen(text), err, sizeof(err)) != 0)
        abort(); /* parse and check agree */
    arena_t arena;
    arena_init(&arena);
    form_t form;
    to_form(&arena, sent, &form);
    json_t *answers = json_object();
    json_t *files = json_pack("{s:i}", "a", 1);
    static formdef_state_t shown, now;
    for (size_t step = 0; step < formdef_step_count(def); step++) {
        formdef_state_init(&shown, def, answers, "2026-03-01");
        formdef_collect_step(&shown, step, &form, answers);
        if (!json_is_object(answers))
            abort();
        formdef_state_init(&now, def, answers, "2026-03-01");
        int pos, total;
        formdef_progress(&now, step, &pos, &total);
        if (pos < 1 || total < 1 || pos > total)
            abort();
        json_t *errors = json_object();
        formdef_check_step(&now, step, files, errors, &arena);
        const char *name;
        json_t *e;
        json_object_foreach(errors, name, e)
        {
            if (!formdef_field_visible(&now, name) || !json_is_string(json_object_get(e, "message")))
                abort();
        }
        json_t *summary = json_array();
        json_t *view = formdef_view_fields(&now, step, errors, NULL, step % 2 ? "en" : "de", summary, &arena);
        if (json_array_size(summary) != json_object_size(errors))
            abort(); /* every error is in the summary, once */
        json_decref(view);
        json_decref(summary);
        json_decref(errors);
    }
    json_t *review = formdef_view_review(&now, NULL, "de", &arena);
    json_decref(review);
    json_t *visible = formdef_visible_answers(&now);
    json_decref(visible);
    json_decref(files);
    json_decref(answers);
    arena_clear(&arena);
    json_decref(def);
out:
    json_decref(sent);
    free(text);
    return 0;
}
