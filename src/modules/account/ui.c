/* ui.c — form and message pages of the account module (see ui.h). */
#include "modules/account/ui.h"

#include <string.h>

#include "view/i18n.h"

static const char *tr(const page_t *p, const char *msgid) { return i18n_translate(p->req->lang, msgid); }

page_t page_new(http_req_t *req, const char *title)
{
    page_t p = {req, json_object(), json_array(), json_array()};
    json_object_set_new(p.model, "title", json_string(i18n_translate(req->lang, title)));
    json_object_set_new(p.model, "paragraphs", json_array());
    json_object_set_new(p.model, "alerts", json_array());
    json_object_set_new(p.model, "hidden", json_array());
    json_object_set_new(p.model, "links", json_array());
    return p;
}

void page_text(page_t *p, const char *paragraph)
{
    json_array_append_new(json_object_get(p->model, "paragraphs"), json_string(tr(p, paragraph)));
}

void page_raw_text(page_t *p, const char *paragraph)
{
    json_array_append_new(json_object_get(p->model, "paragraphs"), json_string(paragraph));
}

void page_alert(page_t *p, const char *kind, const char *text)
{
    json_array_append_new(json_object_get(p->model, "alerts"),
                          json_pack("{s:s,s:s,s:b}", "kind", kind, "text", tr(p, text), "danger",
                                    !strcmp(kind, "danger")));
}

json_t *page_field(page_t *p, enum field_kind kind, const char *name, const char *label, const char *value,
                   const char *hint, const char *error)
{
    /* Passwords never come back into the page, not even after an error. */
    int secret = kind == FIELD_PASSWORD || kind == FIELD_NEW_PASSWORD;
    json_t *f = http_field(name, tr(p, label), secret ? "" : value, error ? tr(p, error) : NULL);
    static const char *const types[] = {"text", "email", "password", "password", "date", "tel", "text",
                                        "checkbox", "text", "text"};
    static const char *const autocomplete[] = {NULL, "email", "current-password", "new-password", NULL, "tel",
                                               "one-time-code", NULL, NULL, NULL};
    json_object_set_new(f, "type", json_string(types[kind]));
    if (autocomplete[kind])
        json_object_set_new(f, "autocomplete", json_string(autocomplete[kind]));
    if (kind == FIELD_CODE)
        json_object_set_new(f, "inputmode", json_string("numeric"));
    if (kind == FIELD_CHECKBOX) {
        json_object_set_new(f, "checkbox", json_true());
        json_object_set_new(f, "checked", json_boolean(value && *value));
    } else if (kind == FIELD_TEXTAREA) {
        json_object_set_new(f, "textarea", json_true());
    } else if (kind == FIELD_SELECT) {
        json_object_set_new(f, "select", json_true());
        json_object_set_new(f, "options", json_array());
    } else {
        json_object_set_new(f, "input", json_true());
    }
    if (hint)
        json_object_set_new(f, "hint", json_string(tr(p, hint)));
    if (error)
        json_array_append_new(p->errors, json_pack("{s:O,s:s}", "id", json_object_get(f, "id"), "message", tr(p, error)));
    json_array_append_new(p->fields, f);
    return f;
}

void page_option(json_t *field, const char *value, const char *label, int selected)
{
    json_array_append_new(json_object_get(field, "options"),
                          json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "selected", selected));
}

void page_hidden(page_t *p, const char *name, const char *value)
{
    json_array_append_new(json_object_get(p->model, "hidden"), json_pack("{s:s,s:s}", "name", name, "value", value));
}

void page_link(page_t *p, const char *href, const char *label)
{
    json_array_append_new(json_object_get(p->model, "links"), json_pack("{s:s,s:s}", "href", href, "label", tr(p, label)));
}

int page_has_errors(const page_t *p) { return json_array_size(p->errors) > 0; }

json_t *page_take_fields(page_t *p)
{
    json_t *f = p->fields;
    p->fields = json_array();
    return f;
}

void page_set(page_t *p, const char *key, json_t *value) { json_object_set_new(p->model, key, value); }

int page_render(page_t *p, int status, const char *tmpl)
{
    json_object_set_new(p->model, "fields", p->fields);
    if (json_array_size(p->errors))
        json_object_set_new(p->model, "errors", p->errors);
    else
        json_decref(p->errors);
    return http_render(p->req, status, tmpl, p->model);
}

int page_form(page_t *p, int status, const char *action, const char *submit)
{
    json_object_set_new(p->model, "action", json_string(action));
    json_object_set_new(p->model, "submit", json_string(tr(p, submit)));
    return page_render(p, status, "account/form");
}

int page_message(page_t *p, int status) { return page_render(p, status, "account/message"); }

const char *safe_next(const char *next, const char *fallback)
{
    /* Only our own paths: "/x", never "//host" or "/\host" (open redirect). */
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
        return fallback;
    return next;
}
