/* test_mail.c — outgoing mail: the message format (quoted-printable, encoded-word
 * subjects, CRLF), refusal of header injection, delivery to an .eml file, and a
 * failed SMTP delivery recorded for retry.
 *
 * Database tests run on SQLite (a temporary file) and, when RATHAUS_TEST_PG_URL is
 * set, on PostgreSQL (a fresh database per test, dropped afterwards). A real SMTP
 * round trip is covered by the HTTP tests.
 */
/* cmocka needs these three first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "db/db.h"
#include "db/migrate.h"
#include "platform/jobs.h"
#include "platform/mail.h"

#include "fixture_db.h" /* a fresh migrated database per test, on both engines */

/* ---- fixture: fixture_db.h, plus the test clock ---- */

static _Atomic int64_t fake_now; /* the test clock */
static int64_t fake_clock(void)
{
    return atomic_load(&fake_now);
}

/* The configuration the tests format with. */
static void test_config(config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->smtp_from, sizeof(cfg->smtp_from), "rathaus@mainz.example");
    snprintf(cfg->base_url, sizeof(cfg->base_url), "https://Buergerportal.Mainz.example:8443/app");
    snprintf(cfg->node_name, sizeof(cfg->node_name), "test");
}

/* cmocka setup: a fresh migrated database (fixture_db.h), f->cfg from test_config
 * pointing at it, the test clock at 1700000000 and the mail job registered. */
static int fixture_setup(void **state)
{
    fixture_db_t *f;
    if (fixture_db_setup_migrated(state) != 0)
        return -1;
    f = *state;
    test_config(&f->cfg);
    snprintf(f->cfg.database_url, sizeof(f->cfg.database_url), "%s", f->url);
    /* Nested and not there yet: the job must create it. */
    snprintf(f->cfg.data_dir, sizeof(f->cfg.data_dir), "%s/var/data", f->dir);
    atomic_store(&fake_now, 1700000000);
    jobs_set_clock(fake_clock);
    mail_register_jobs();
    return 0;
}

static int fixture_teardown(void **state)
{
    jobs_set_clock(NULL);
    return fixture_db_teardown(state);
}

/* ---- checking messages ---- */

/* Fails unless every line of msg ends in CRLF (no bare CR or LF anywhere) and no
 * line is longer than max_line characters. */
static void assert_crlf_lines(const char *msg, size_t max_line)
{
    size_t col = 0;
    for (const char *p = msg; *p; p++) {
        if (*p == '\r') {
            if (p[1] != '\n')
                fail_msg("bare CR at offset %zu", (size_t)(p - msg));
            p++;
            col = 0;
            continue;
        }
        if (*p == '\n')
            fail_msg("bare LF at offset %zu", (size_t)(p - msg));
        if (++col > max_line)
            fail_msg("line longer than %zu at offset %zu", max_line, (size_t)(p - msg));
    }
    assert_true(col == 0); /* ends with CRLF */
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1; /* RFC 2045 requires upper case from an encoder */
}

/* Decodes a quoted-printable body (RFC 2045 §6.7) into out; fails the test on
 * anything a strict decoder would reject. */
static void qp_decode(const char *in, buf_t *out)
{
    for (const char *p = in; *p;) {
        if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
            p += 3; /* soft line break */
        } else if (p[0] == '=') {
            int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
            if (hi < 0 || lo < 0)
                fail_msg("bad QP escape at \"%.8s\"", p);
            buf_putc(out, (char)(hi * 16 + lo));
            p += 3;
        } else if (p[0] == '\r' && p[1] == '\n') {
            buf_puts(out, "\r\n");
            p += 2;
        } else {
            unsigned char c = (unsigned char)*p;
            if (!(c == ' ' || c == '\t' || (c >= 33 && c <= 126)))
                fail_msg("unencoded byte 0x%02x in QP", c);
            if ((c == ' ' || c == '\t') && p[1] == '\r')
                fail_msg("whitespace at the end of a QP line");
            buf_putc(out, (char)c);
            p++;
        }
    }
}

/* What the body must decode to: every line end CRLF, and a final CRLF. */
static void expected_body(const char *body, buf_t *out)
{
    for (const char *p = body; *p; p++) {
        if (*p == '\r' || *p == '\n') {
            buf_puts(out, "\r\n");
            if (*p == '\r' && p[1] == '\n')
                p++;
        } else {
            buf_putc(out, *p);
        }
    }
    if (out->len < 2 || strcmp(out->data + out->len - 2, "\r\n") != 0)
        buf_puts(out, "\r\n");
}

/* Decodes an unfolded Subject value made of Q encoded-words; fails unless each word
 * is at most 75 characters and holds whole UTF-8 characters. */
static void subject_decode(const char *value, buf_t *out)
{
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            break;
        assert_int_equal(strncmp(p, "=?UTF-8?Q?", 10), 0);
        const char *end = strstr(p + 10, "?=");
        assert_non_null(end);
        assert_true((size_t)(end + 2 - p) <= 75);
        size_t start = out->len;
        for (const char *q = p + 10; q < end; q++) {
            if (*q == '_') {
                buf_putc(out, ' ');
            } else if (*q == '=') {
                buf_putc(out, (char)(hexval(q[1]) * 16 + hexval(q[2])));
                q += 2;
            } else {
                buf_putc(out, *q);
            }
        }
        assert_true(utf8_valid(out->data + start, out->len - start));
        p = end + 2;
    }
}

/* Returns the body of a formatted message (after the blank line). */
static const char *body_of(const char *msg)
{
    const char *sep = strstr(msg, "\r\n\r\n");
    assert_non_null(sep);
    return sep + 4;
}

/* ---- format tests (no database) ---- */

static void test_format_message(void **state)
{
    config_t cfg;
    buf_t out;
    test_config(&cfg);
    buf_init(&out, NULL, 1024, MAIL_MESSAGE_MAX);
    assert_int_equal(mail_format(&cfg, 42, "anna@example.org", "Ihr Termin im Bürgeramt",
                                 "Guten Tag,\nIhr Termin ist bestätigt.\nGrüße\n", 1700000000, &out),
                     0);
    static const char expected[] = "From: rathaus@mainz.example\r\n"
                                   "To: anna@example.org\r\n"
                                   "Subject: =?UTF-8?Q?Ihr_Termin_im_B=C3=BCrgeramt?=\r\n"
                                   "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                                   "Message-ID: <42.1700000000@buergerportal.mainz.example>\r\n"
                                   "Auto-Submitted: auto-generated\r\n"
                                   "MIME-Version: 1.0\r\n"
                                   "Content-Type: text/plain; charset=utf-8\r\n"
                                   "Content-Transfer-Encoding: quoted-printable\r\n"
                                   "\r\n"
                                   "Guten Tag,\r\n"
                                   "Ihr Termin ist best=C3=A4tigt.\r\n"
                                   "Gr=C3=BC=C3=9Fe\r\n";
    assert_string_equal(buf_cstr(&out), expected);
    assert_crlf_lines(buf_cstr(&out), 78);

    /* Plain ASCII subjects stay readable. */
    buf_reset(&out);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "Your appointment", "x", 0, &out), 0);
    assert_non_null(strstr(buf_cstr(&out), "\r\nSubject: Your appointment\r\n"));
    assert_non_null(strstr(buf_cstr(&out), "\r\nDate: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
    buf_free(&out);
}

static void test_format_message_id_host(void **state)
{
    static const struct {
        const char *base_url, *host;
    } cases[] = {
        {"http://localhost:8080", "localhost"},    {"https://user:pw@Stadt.Example/", "stadt.example"},
        {"http://[::1]:8080/x", "[::1]"},          {"", "localhost"},
        {"https://bad host.example", "localhost"},
    };
    config_t cfg;
    buf_t out;
    char want[128];
    test_config(&cfg);
    buf_init(&out, NULL, 1024, MAIL_MESSAGE_MAX);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(cfg.base_url, sizeof(cfg.base_url), "%s", cases[i].base_url);
        buf_reset(&out);
        assert_int_equal(mail_format(&cfg, 7, "a@b.example", "s", "b", 99, &out), 0);
        snprintf(want, sizeof(want), "\r\nMessage-ID: <7.99@%s>\r\n", cases[i].host);
        if (!strstr(buf_cstr(&out), want))
            fail_msg("base_url %s: no %s", cases[i].base_url, want);
    }
    buf_free(&out);
}

static void test_qp_long_lines_and_edges(void **state)
{
    config_t cfg;
    buf_t out, decoded, want;
    char body[2048];
    size_t n = 0;
    test_config(&cfg);
    /* A long paragraph of umlauts and '=' (soft breaks must not split an escape),
     * trailing space and tab, a lone ".", a line starting with ".", CRLF, LF and CR
     * line ends, and a last line without a line end. */
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "Grüße=%d ", i);
    n += (size_t)snprintf(body + n, sizeof(body) - n, "trailing space \nand tab\t\r\n.\n.hidden\rEnde ohne Zeilenende");
    buf_init(&out, NULL, 1024, MAIL_MESSAGE_MAX);
    buf_init(&decoded, NULL, 1024, MAIL_MESSAGE_MAX);
    buf_init(&want, NULL, 1024, MAIL_MESSAGE_MAX);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "s", body, 0, &out), 0);
    const char *qp = body_of(buf_cstr(&out));
    assert_crlf_lines(qp, 76);
    assert_null(strstr(qp, "\r\n.\r\n"));   /* never a lone "." line */
    assert_null(strstr(qp, "\r\n.hidden")); /* leading dots escaped */
    assert_non_null(strstr(qp, "trailing space=20\r\n"));
    assert_non_null(strstr(qp, "and tab=09\r\n"));
    qp_decode(qp, &decoded);
    expected_body(body, &want);
    assert_string_equal(buf_cstr(&decoded), buf_cstr(&want));
    buf_free(&out);
    buf_free(&decoded);
    buf_free(&want);
}

/* Random bodies from awkward pieces, each must decode back exactly. */
static void test_qp_roundtrip_random(void **state)
{
    static const char *const pieces[] = {"a", "Z",  " ",    "\t", ".",  "=",   "ä",  "€",
                                         "😀", "\n", "\r\n", "\r", "==", "=3D", "  ", "xxxxxxxxxx"};
    uint32_t seed = 12345;
    config_t cfg;
    buf_t body, out, decoded, want;
    test_config(&cfg);
    buf_init(&body, NULL, 1024, 64 * 1024);
    buf_init(&out, NULL, 1024, MAIL_MESSAGE_MAX);
    buf_init(&decoded, NULL, 1024, MAIL_MESSAGE_MAX);
    buf_init(&want, NULL, 1024, MAIL_MESSAGE_MAX);
    for (int iter = 0; iter < 500; iter++) {
        buf_reset(&body);
        buf_reset(&out);
        buf_reset(&decoded);
        buf_reset(&want);
        seed = seed * 1103515245u + 12345u;
        int count = (int)(seed >> 16) % 300;
        for (int k = 0; k < count; k++) {
            seed = seed * 1103515245u + 12345u;
            buf_puts(&body, pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))]);
        }
        assert_int_equal(mail_format(&cfg, 1, "a@b.example", "s", buf_cstr(&body), 0, &out), 0);
        const char *qp = body_of(buf_cstr(&out));
        assert_crlf_lines(qp, 76);
        qp_decode(qp, &decoded);
        expected_body(buf_cstr(&body), &want);
        if (body.len == 0)
            buf_reset(&want); /* an empty body stays empty */
        assert_string_equal(buf_cstr(&decoded), buf_cstr(&want));
    }
    buf_free(&body);
    buf_free(&out);
    buf_free(&decoded);
    buf_free(&want);
}

static void test_subject_encoding(void **state)
{
    static const char *const subjects[] = {
        /* long, non-ASCII: several words, no character split */
        ("Ihre Anregung zum Vorhaben „Neugestaltung der Ludwigsstraße“ – Bestätigung "
         "und nächste Schritte für Bürgerinnen und Bürger 😀 äöüß ÄÖÜ € Ende"),
        /* ASCII but looks like an encoded-word */
        "Hello =?UTF-8?Q?x?= world",
        /* ASCII but too long for one line */
        "A very long plain ASCII subject line that does not fit on one header line at all",
        "Tab\tinside",
    };
    config_t cfg;
    buf_t out, decoded;
    test_config(&cfg);
    buf_init(&out, NULL, 1024, MAIL_MESSAGE_MAX);
    buf_init(&decoded, NULL, 256, 4096);
    for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
        buf_reset(&out);
        buf_reset(&decoded);
        assert_int_equal(mail_format(&cfg, 1, "a@b.example", subjects[i], "b", 0, &out), 0);
        const char *msg = buf_cstr(&out);
        const char *headers_end = strstr(msg, "\r\n\r\n");
        /* RFC 2047: lines with encoded-words at most 76 characters. */
        char *headers = strndup(msg, (size_t)(headers_end - msg) + 2);
        assert_crlf_lines(headers, 76);
        const char *s = strstr(headers, "Subject: ");
        const char *date = strstr(headers, "\r\nDate: ");
        assert_true(s && date && date > s);
        char *value = strndup(s + 9, (size_t)(date - (s + 9)));
        subject_decode(value, &decoded);
        assert_string_equal(buf_cstr(&decoded), subjects[i]);
        free(value);
        free(headers);
    }
    buf_free(&out);
    buf_free(&decoded);
}

static void test_header_injection_refused(void **state)
{
    config_t cfg;
    buf_t out;
    char addr[300];
    test_config(&cfg);
    buf_init(&out, NULL, 1024, MAIL_MESSAGE_MAX);

    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "Hallo\r\nBcc: evil@x.example", "b", 0, &out), -2);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "Hallo\nBcc: evil@x.example", "b", 0, &out), -2);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "Hallo\rBcc: evil@x.example", "b", 0, &out), -2);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example\r\nBcc: evil@x.example", "s", "b", 0, &out), -2);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "bad \xff utf-8", "b", 0, &out), -2);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "s", "bad \xc3 utf-8", 0, &out), -2);
    assert_int_equal(out.len, 0); /* nothing written for a refused message */
    /* A sender from a broken configuration is refused the same way. */
    snprintf(cfg.smtp_from, sizeof(cfg.smtp_from), "x@y.example\r\nBcc: z@w.example");
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "s", "b", 0, &out), -2);

    static const char *const bad[] = {
        "",
        "plain",
        "@b.example",
        "a@",
        "a@@b.example",
        "a@b@c.example",
        "a b@c.example",
        "<a@b.example>",
        "a@b.example,c@d.example",
        "a@b.example>",
        "jürgen@b.example",
        "a@b.example\n",
        "\"quoted\"@b.example",
        "a;b@c.example",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mail_address_valid(bad[i]))
            fail_msg("accepted address \"%s\"", bad[i]);
    }
    assert_true(mail_address_valid("anna.schmidt+rathaus@stadt-mainz.example"));
    /* 254 bytes are allowed, 255 are not. */
    memset(addr, 'a', sizeof(addr));
    memcpy(addr + 254 - 10, "@b.example", 11);
    assert_int_equal(strlen(addr), 254);
    assert_true(mail_address_valid(addr));
    memset(addr, 'a', sizeof(addr));
    memcpy(addr + 255 - 10, "@b.example", 11);
    assert_false(mail_address_valid(addr));
    buf_free(&out);
}

static void test_format_limits(void **state)
{
    config_t cfg;
    buf_t out;
    char subject[MAIL_SUBJECT_MAX + 2];
    char *body = malloc(MAIL_BODY_MAX + 2);
    test_config(&cfg);
    buf_init(&out, NULL, 1024, MAIL_MESSAGE_MAX);
    memset(subject, 's', sizeof(subject));
    subject[MAIL_SUBJECT_MAX] = '\0';
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", subject, "b", 0, &out), 0);
    subject[MAIL_SUBJECT_MAX] = 's';
    subject[MAIL_SUBJECT_MAX + 1] = '\0';
    buf_reset(&out);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", subject, "b", 0, &out), -2);
    /* The largest body, all escapes (3x), still fits MAIL_MESSAGE_MAX. */
    memset(body, '=', MAIL_BODY_MAX);
    body[MAIL_BODY_MAX] = '\0';
    buf_reset(&out);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "s", body, 0, &out), 0);
    body[MAIL_BODY_MAX] = '=';
    body[MAIL_BODY_MAX + 1] = '\0';
    buf_reset(&out);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "s", body, 0, &out), -2);
    /* A buffer too small for the message reports it. */
    buf_t small;
    buf_init(&small, NULL, 16, 100);
    assert_int_equal(mail_format(&cfg, 1, "a@b.example", "s", "body", 0, &small), -1);
    buf_free(&small);
    buf_free(&out);
    free(body);
}

/* ---- delivery tests (database) ---- */

typedef struct outbox_row {
    int64_t sent_at, attempts, created_at; /* sent_at: -1 when NULL */
    char last_error[600];
} outbox_row_t;

static const char sql_outbox_row[] = "SELECT sent_at, attempts, last_error, created_at FROM mail_outbox WHERE id = $1";

static outbox_row_t get_outbox(db_t *db, int64_t id)
{
    outbox_row_t r;
    db_stmt_t *st = NULL;
    memset(&r, 0, sizeof(r));
    assert_int_equal(db_prepare(db, sql_outbox_row, &st), 0);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    r.sent_at = db_column_is_null(st, 0) ? -1 : db_column_int64(st, 0);
    r.attempts = db_column_int64(st, 1);
    snprintf(r.last_error, sizeof(r.last_error), "%s", db_column_text(st, 2) ? db_column_text(st, 2) : "");
    r.created_at = db_column_int64(st, 3);
    db_reset(st);
    return r;
}

static int64_t count_rows(db_t *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n), 0);
    return n;
}

static const char sql_count_outbox[] = "SELECT count(*) FROM mail_outbox";
static const char sql_count_jobs[] = "SELECT count(*) FROM jobs";

/* Reads a whole file into a malloc'd string, NULL when it cannot. */
static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *data = NULL;
    long n;
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    data = calloc(1, (size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, fp) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(fp);
    return data;
}

static void test_queue_refuses_injection(void **state)
{
    fixture_db_t *f = *state;
    assert_int_equal(mail_queue(f->db, "a@b.example", "Hi\r\nBcc: evil@x.example", "b"), -2);
    assert_int_equal(mail_queue(f->db, "a@b.example\r\nBcc: evil@x.example", "Hi", "b"), -2);
    assert_int_equal(mail_queue(f->db, "a@b.example", "Hi", NULL), -2);
    assert_int_equal(mail_queue(f->db, NULL, "Hi", "b"), -2);
    assert_int_equal(count_rows(f->db, sql_count_outbox), 0);
    assert_int_equal(count_rows(f->db, sql_count_jobs), 0);
}

static void test_eml_written_without_smtp(void **state)
{
    fixture_db_t *f = *state;
    static const char subject[] = "Ihr Antrag auf Zweckentfremdung – Eingangsbestätigung";
    static const char body[] = "Guten Tag,\n\nwir haben Ihren Antrag erhalten.\n\nIhre Stadtverwaltung\n";
    char path[512];
    buf_t want;

    int64_t id = mail_queue(f->db, "anna@example.org", subject, body);
    assert_true(id > 0);
    assert_int_equal(count_rows(f->db, sql_count_jobs), 1);
    atomic_store(&fake_now, 1700000500); /* sent later than queued */
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);

    snprintf(path, sizeof(path), "%s/mail/%lld.eml", f->cfg.data_dir, (long long)id);
    char *got = read_file(path);
    assert_non_null(got);
    /* The file is exactly the formatted message, dated when it was queued. */
    buf_init(&want, NULL, 1024, MAIL_MESSAGE_MAX);
    assert_int_equal(mail_format(&f->cfg, id, "anna@example.org", subject, body, 1700000000, &want), 0);
    assert_string_equal(got, buf_cstr(&want));
    assert_crlf_lines(got, 78);

    outbox_row_t r = get_outbox(f->db, id);
    assert_int_equal(r.sent_at, 1700000500);
    assert_int_equal(r.attempts, 1);
    assert_string_equal(r.last_error, "");
    assert_int_equal(jobs_queue_depth(f->db), 0);

    /* Only the message in the directory (no temporary left), and it is private. */
    char dir[512];
    struct stat sb;
    snprintf(dir, sizeof(dir), "%s/mail", f->cfg.data_dir);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            files++;
    }
    closedir(d);
    assert_int_equal(files, 1);
    free(got);
    buf_free(&want);
}

/* Returns a TCP port on 127.0.0.1 where nothing listens (bound, then closed). */
static int closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_smtp_failure_recorded_and_retried(void **state)
{
    fixture_db_t *f = *state;
    static const char sql_job[] = "SELECT attempts, run_at, done_at, last_error FROM jobs";
    db_stmt_t *st = NULL;
    snprintf(f->cfg.smtp_url, sizeof(f->cfg.smtp_url), "smtp://127.0.0.1:%d", closed_port());

    int64_t id = mail_queue(f->db, "anna@example.org", "Test", "Hallo");
    assert_true(id > 0);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);

    outbox_row_t r = get_outbox(f->db, id);
    assert_int_equal(r.sent_at, -1);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(strncmp(r.last_error, "smtp: ", 6), 0);

    /* The job waits for its retry, with the same reason. */
    assert_int_equal(db_prepare(f->db, sql_job, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int64(st, 0), 1);
    assert_int_equal(db_column_int64(st, 1), 1700000000 + 10);
    assert_true(db_column_is_null(st, 2));
    assert_string_equal(db_column_text(st, 3), r.last_error);
    db_reset(st);

    /* No file fallback when SMTP is configured. */
    char dir[512];
    struct stat sb;
    snprintf(dir, sizeof(dir), "%s/mail", f->cfg.data_dir);
    assert_int_not_equal(stat(dir, &sb), 0);

    /* The next attempt, with no server still, counts up. */
    atomic_store(&fake_now, 1700000000 + 10);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    assert_int_equal(get_outbox(f->db, id).attempts, 2);

    /* A smtp_url that is not SMTP is refused by libcurl, not followed. */
    snprintf(f->cfg.smtp_url, sizeof(f->cfg.smtp_url), "file://%s/leak.txt", f->dir);
    atomic_store(&fake_now, 1700000000 + 10 + 20);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    r = get_outbox(f->db, id);
    assert_int_equal(r.sent_at, -1);
    assert_int_equal(r.attempts, 3);
    assert_non_null(strstr(r.last_error, "smtp: "));
    snprintf(dir, sizeof(dir), "%s/leak.txt", f->dir);
    assert_int_not_equal(access(dir, F_OK), 0);
}

static void test_send_job_edge_cases(void **state)
{
    fixture_db_t *f = *state;
    static const char sql_failed[] = "SELECT count(*) FROM jobs WHERE failed = 1";
    char path[512];

    /* A job for an outbox row that does not exist gives up at once. */
    assert_true(jobs_enqueue(f->db, "mail.send", "{\"id\": 999}", 0) > 0);
    assert_true(jobs_enqueue(f->db, "mail.send", "{}", 0) > 0);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    assert_int_equal(count_rows(f->db, sql_failed), 2);

    /* A row already sent (its worker died before marking the job done) is not sent again. */
    int64_t id = mail_queue(f->db, "anna@example.org", "Test", "Hallo");
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    snprintf(path, sizeof(path), "%s/mail/%lld.eml", f->cfg.data_dir, (long long)id);
    assert_int_equal(unlink(path), 0);
    char payload[64];
    snprintf(payload, sizeof(payload), "{\"id\": %lld}", (long long)id);
    assert_true(jobs_enqueue(f->db, "mail.send", payload, 0) > 0);
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(count_rows(f->db, sql_failed), 2);

    /* A broken sender address in the configuration is retried (the operator can fix
     * it) and shown on the outbox row. */
    snprintf(f->cfg.smtp_from, sizeof(f->cfg.smtp_from), "not an address");
    id = mail_queue(f->db, "anna@example.org", "Test", "Hallo");
    assert_int_equal(jobs_run_once(f->db, &f->cfg, "w1"), 1);
    outbox_row_t r = get_outbox(f->db, id);
    assert_int_equal(r.sent_at, -1);
    assert_non_null(strstr(r.last_error, "smtp_from"));
    assert_int_equal(count_rows(f->db, sql_failed), 2);
}

int main(void)
{
    const struct CMUnitTest format_tests[] = {
        cmocka_unit_test(test_format_message),          cmocka_unit_test(test_format_message_id_host),
        cmocka_unit_test(test_qp_long_lines_and_edges), cmocka_unit_test(test_qp_roundtrip_random),
        cmocka_unit_test(test_subject_encoding),        cmocka_unit_test(test_header_injection_refused),
        cmocka_unit_test(test_format_limits),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_refuses_injection, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_eml_written_without_smtp, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_smtp_failure_recorded_and_retried, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_send_job_edge_cases, fixture_setup, fixture_teardown),
    };
    int failed = cmocka_run_group_tests_name("mail/format", format_tests, NULL, NULL);
    failed += fixture_db_run("mail", db_tests, db_tests);
    return failed ? 1 : 0;
}
