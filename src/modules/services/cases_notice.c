/* cases_notice.c — notices (Bescheide): a Markdown template per workflow and
 * status under data/services/notices/ ("zweckentfremdung-entschieden.md"),
 * filled with the case's values and rendered as a tagged PDF (platform/pdf.h),
 * which is stored with the application (field 'bescheid') and attached to the
 * Postfach message that tells the citizen (case_set_status in cases.c).
 *
 * Templates name values as {{reference}}, {{name}}, {{greeting}} ("Guten Tag
 * Maria Muster," or "Guten Tag," for an anonymous report), {{service}},
 * {{date}}, {{submitted}}, {{decision}}, {{unit}}, {{unit_address}}, {{fee}},
 * {{city}}, {{status}}, {{registration}} (a Zweckentfremdung permit's flat
 * number) (docs/casework.md). Values are plain text for a PDF, not HTML:
 * each is escaped for Markdown (a name with a '*' stays a name) except
 * {{decision}}, which the caseworker writes and may structure with Markdown
 * lists and paragraphs. A name the template does not know is left as it is,
 * so that a typo shows in the preview instead of vanishing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/utf8.h"
#include "modules/services/internal.h"
#include "platform/files.h"
#include "platform/pdf.h"

#define NOTICES_DIR "data/services/notices"
#define NOTICE_TEMPLATE_MAX (64 * 1024) /* bytes of one template */
#define NOTICE_TEXT_MAX (256 * 1024)    /* bytes of a filled-in notice */
#define NOTICE_NAME_MAX 32              /* bytes of a placeholder's name */

/* ---- the template ------------------------------------------------------------------ */

/* Reads path into the arena: 0 and *out, 1 when there is no such file, < 0 when
 * it is unreadable, too large or not UTF-8. */
static int read_template(arena_t *arena, const char *path, const char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 1 : -1;
    char *data = arena_alloc(arena, NOTICE_TEMPLATE_MAX + 1);
    size_t n = fread(data, 1, NOTICE_TEMPLATE_MAX + 1, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || n > NOTICE_TEMPLATE_MAX || !utf8_valid(data, n)) {
        log_kv(LOG_ERROR, "notice template unusable (unreadable, over 64 KiB or not UTF-8)", "path", path, NULL);
        return -1;
    }
    data[n] = '\0';
    *out = data;
    return 0;
}

/* The template for workflow and status, else the standard workflow's for the
 * same status (a Reisepass refusal reads like any refusal). Both names come
 * from workflow.c's tables, never from a request, so no path can be smuggled in. */
static int load_template(arena_t *arena, const char *workflow, const char *status, const char **out)
{
    if (!workflow_known(workflow, status))
        return 1;
    char path[256];
    snprintf(path, sizeof(path), "%s/%s-%s.md", NOTICES_DIR, workflow, status);
    int rc = read_template(arena, path, out);
    if (rc != 1 || strcmp(workflow, "standard") == 0)
        return rc;
    snprintf(path, sizeof(path), "%s/standard-%s.md", NOTICES_DIR, status);
    return read_template(arena, path, out);
}

/* ---- the values ---------------------------------------------------------------------- */

typedef struct notice_value {
    const char *name;
    const char *value;
    int markdown; /* 1: inserted as it is (the decision text) */
} notice_value_t;

static const char sql_applicant_name[] =
    "SELECT COALESCE(p.given_name, ''), COALESCE(p.family_name, ''), u.display_name"
    " FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = $1";
static const char sql_unit_address[] = "SELECT address FROM units WHERE id = $1";

/* The applicant's name as the letter addresses them: the profile's name, else
 * the account's display name; "" for an anonymous report. NULL on error. */
static const char *applicant_name(db_t *db, arena_t *arena, int64_t user_id)
{
    if (user_id == 0)
        return "";
    db_stmt_t *st;
    if (db_prepare(db, sql_applicant_name, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, user_id);
    const char *name = "";
    int rc = db_step(st);
    if (rc == DB_ROW) {
        const char *given = db_column_text(st, 0), *family = db_column_text(st, 1);
        if (given && family && (*given || *family))
            name = arena_printf(arena, "%s%s%s", given, *given && *family ? " " : "", family);
        else if (db_column_text(st, 2))
            name = arena_strdup(arena, db_column_text(st, 2));
    }
    db_reset(st);
    return rc < 0 ? NULL : name;
}

static const char *unit_address(db_t *db, arena_t *arena, int64_t unit_id)
{
    db_stmt_t *st;
    if (db_prepare(db, sql_unit_address, &st) != 0)
        return NULL;
    db_bind_int64(st, 1, unit_id);
    const char *out = "";
    int rc = db_step(st);
    if (rc == DB_ROW && db_column_text(st, 0))
        out = arena_strdup(arena, db_column_text(st, 0));
    db_reset(st);
    return rc < 0 ? NULL : out;
}

/* Appends value escaped for Markdown, so that a name or a service can never
 * start a heading, list, link, emphasis or HTML: the characters that mark up
 * inline get a backslash (CommonMark allows it for every ASCII punctuation
 * character), and so does what would make a list or heading at the start of a
 * line ("- ", "+ ", "1. "). Line breaks become blanks. Hyphens and full stops
 * elsewhere stay as they are, so that the raw text stays readable. */
static void put_plain(buf_t *b, const char *value)
{
    int line_start = b->len == 0 || b->data[b->len - 1] == '\n';
    const char *p = value;
    if (line_start) {
        if (*p == '-' || *p == '+' || *p == '=') {
            buf_putc(b, '\\');
            buf_putc(b, *p++);
        } else {
            const char *d = p;
            while (*d >= '0' && *d <= '9')
                d++;
            if (d > p && (*d == '.' || *d == ')')) {
                buf_append(b, p, (size_t)(d - p));
                buf_putc(b, '\\');
                buf_putc(b, *d);
                p = d + 1;
            }
        }
    }
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n' || c == '\r' || c == '\t')
            buf_putc(b, ' ');
        else if (c < 0x20 || c == 0x7f)
            continue;
        else if (strchr("\\`*_[]<>#|~&!{}", c)) {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else
            buf_putc(b, (char)c);
    }
}

/* Fills {{name}} in tmpl from values. */
static const char *fill(arena_t *arena, const char *tmpl, const notice_value_t *values, size_t count)
{
    buf_t b;
    buf_init(&b, arena, strlen(tmpl) + 256, NOTICE_TEXT_MAX);
    const char *p = tmpl;
    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        const char *name = open + 2;
        while (*name == ' ')
            name++;
        size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyz_");
        const char *close = name + len;
        while (*close == ' ')
            close++;
        const notice_value_t *v = NULL;
        if (len > 0 && len <= NOTICE_NAME_MAX && strncmp(close, "}}", 2) == 0)
            for (size_t i = 0; i < count && !v; i++)
                if (strlen(values[i].name) == len && memcmp(values[i].name, name, len) == 0)
                    v = &values[i];
        if (!v) {
            buf_append(&b, "{{", 2); /* not ours: left in place for the preview to show */
            p = open + 2;
            continue;
        }
        if (v->markdown)
            buf_puts(&b, v->value);
        else
            put_plain(&b, v->value);
        p = close + 2;
    }
    return b.overflow ? NULL : buf_cstr(&b);
}

int cases_notice_text(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *status,
                      const char *decision, const char **out)
{
    const char *tmpl;
    int rc = load_template(arena, app->workflow, status, &tmpl);
    if (rc != 0)
        return rc;
    const char *name = applicant_name(db, arena, app->user_id);
    const char *address = unit_address(db, arena, app->unit_id);
    if (!name || !address)
        return -1;
    /* A granted permit's flat number (zweck.c makes it in the status hook,
     * which runs before the notice); a preview comes before it exists. */
    const char *registration = "";
    if (strcmp(app->workflow, "zweckentfremdung") == 0) {
        registration = zweck_registration_number(db, arena, app->id);
        if (!registration)
            registration = "(wird mit der Genehmigung vergeben)";
    }
    const notice_value_t values[] = {
        {"reference", app->reference, 0},
        {"name", name, 0},
        {"greeting", *name ? arena_printf(arena, "Guten Tag %s,", name) : "Guten Tag,", 0},
        {"service", app->service_name, 0},
        {"date", application_date(arena, (int64_t)time(NULL), 0), 0},
        {"submitted", application_date(arena, app->submitted_at, 0), 0},
        {"decision", decision ? decision : "", 1},
        {"unit", app->unit_name, 0},
        {"unit_address", address, 0},
        {"fee", application_money(arena, app->fee_cents, "de"), 0},
        {"city", cfg->city_name, 0},
        {"status", workflow_status_label(app->workflow, status), 0},
        {"registration", registration, 0},
    };
    *out = fill(arena, tmpl, values, sizeof(values) / sizeof(values[0]));
    return *out ? 0 : -1;
}

int cases_notice_issue(db_t *db, const config_t *cfg, arena_t *arena, const application_t *app, const char *status,
                       const char *decision, int64_t actor_id, int64_t *file_id)
{
    *file_id = 0;
    const char *text;
    int rc = cases_notice_text(db, cfg, arena, app, status, decision, &text);
    if (rc != 0)
        return rc > 0 ? 0 : -1;

    const char *title = arena_printf(arena, "Bescheid %s", app->reference);
    pdf_doc_t *doc = pdf_new(title, "de");
    if (!doc)
        return -1;
    pdf_letterhead(doc, arena_printf(arena, "Stadt %s – %s", cfg->city_name, app->unit_name));
    pdf_markdown(doc, text);
    unsigned char *pdf = NULL;
    size_t len = 0;
    rc = pdf_finish(doc, &pdf, &len);
    pdf_free(doc);
    if (rc != 0) {
        log_kv(LOG_ERROR, "notice: PDF not rendered", "application", app->reference, "status", status, NULL);
        free(pdf);
        return -1;
    }
    const char *filename = arena_printf(arena, "Bescheid-%s-%s.pdf", app->reference, status);
    rc = files_store(db, app->id, "bescheid", filename, "application/pdf", pdf, len, actor_id, file_id);
    free(pdf);
    if (rc != 0) {
        log_kv(LOG_ERROR, "notice: PDF not stored", "application", app->reference, NULL);
        return -1;
    }
    return 0;
}
