/* mail.c — the mail outbox, its "mail.send" job, and the RFC 5322 message format.
 *
 * Design: mail_queue only writes rows (outbox + job), so it is as fast and as
 * transactional as any other insert. The job formats the message when it runs,
 * from the stored row, and delivers it with libcurl's SMTP client, or writes it to
 * a file when no SMTP server is configured. The message's Date and Message-ID come
 * from the row's created_at, so every retry sends the very same message and a
 * receiver can recognise a duplicate after a crash between "sent" and "marked sent".
 *
 * Everything that goes into a header is checked first: addresses are plain ASCII
 * without specials, the subject has no line breaks and is RFC 2047-encoded when it
 * is not plain ASCII, so no user input can add a header or a recipient.
 */
#include "platform/mail.h"

#include "core/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/utf8.h"
#include "platform/jobs.h"

#define QP_LINE_MAX 76   /* RFC 2045 §6.7 (5): encoded lines at most 76 characters */
#define WORD_LINE_MAX 76 /* RFC 2047 §2: a header line with encoded-words, at most 76 */

/* ---- validation -------------------------------------------------------------------- */

int mail_address_valid(const char *addr)
{
    size_t n = addr ? strlen(addr) : 0;
    const char *at;
    if (n == 0 || n > MAIL_ADDRESS_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)addr[i];
        /* Controls (CR/LF above all), space and non-ASCII are never allowed; the
         * specials would change the meaning of a header or of SMTP's RCPT TO:<…>. */
        if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\"\\", c))
            return 0;
    }
    at = strchr(addr, '@');
    if (!at || at == addr || at[1] == '\0' || strchr(at + 1, '@'))
        return 0;
    return 1;
}

/* One line of UTF-8: no CR/LF (they would start a new header) and no other control
 * characters except tab. */
static int subject_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > MAIL_SUBJECT_MAX || !utf8_valid(s ? s : "", n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

static int body_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return s && n <= MAIL_BODY_MAX && utf8_valid(s, n);
}

/* ---- format -------------------------------------------------------------------------- */

static const char hex_digits[] = "0123456789ABCDEF";

/* The host part of base_url ("https://user@Rathaus.example:8443/x" → "rathaus.example"),
 * for the right side of Message-ID; "localhost" when there is none we can use. */
static void host_of_url(const char *url, char *out, size_t outlen)
{
    const char *p = strstr(url, "://");
    const char *end;
    size_t n;
    int ok = 1;

    p = p ? p + 3 : url;
    end = p + strcspn(p, "/?#");
    /* Skip user information: the last '@' before the path. */
    for (const char *q = p; q < end; q++) {
        if (*q == '@')
            p = q + 1;
    }
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        end = close ? close + 1 : p; /* keep the brackets: a valid no-fold-literal */
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon)
            end = colon;
    }
    n = (size_t)(end - p);
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(".-[]:", c)))
            ok = 0;
    }
    if (n == 0 || n >= outlen || !ok) {
        snprintf(out, outlen, "localhost");
        return;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] - 'A' + 'a') : p[i];
    out[n] = '\0';
}

/* RFC 5322 date-time in UTC, with English names whatever the locale. */
static void format_date(int64_t t, char *out, size_t outlen)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Whether a subject can go into the header as it is: printable ASCII only, no
 * "=?" that a reader would take for an encoded-word, and short enough for one line. */
static int subject_is_plain(const char *s)
{
    size_t n = strlen(s);
    if (strlen("Subject: ") + n > 78 || strstr(s, "=?"))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return 0;
    }
    return 1;
}

/* Byte length of the UTF-8 sequence starting with lead (input is validated). */
static size_t utf8_seq_len(unsigned char lead)
{
    return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

/* Writes the Subject header as RFC 2047 Q encoded-words ("=?UTF-8?Q?…?="), folded
 * so that no line passes 76 characters and no character is split across words
 * (RFC 2047 §5). Only letters, digits and !*+-/ stay literal: that set is safe in
 * every header context; space becomes '_'. */
static void put_encoded_subject(buf_t *out, const char *s)
{
    static const char open[] = "=?UTF-8?Q?";
    char word[WORD_LINE_MAX + 1]; /* the encoded-word being built, without open/close */
    size_t wlen = 0;
    size_t line_used = strlen("Subject: "); /* columns taken before the word on this line */
    size_t n = strlen(s);

    buf_puts(out, "Subject: ");
    for (size_t i = 0; i < n;) {
        size_t clen = utf8_seq_len((unsigned char)s[i]);
        char enc[16]; /* one character encoded: at most 4 bytes · 3 */
        size_t elen = 0;
        for (size_t k = 0; k < clen && i + k < n; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!*+-/", c)) {
                enc[elen++] = (char)c;
            } else if (c == ' ') {
                enc[elen++] = '_';
            } else {
                enc[elen++] = '=';
                enc[elen++] = hex_digits[c >> 4];
                enc[elen++] = hex_digits[c & 15];
            }
        }
        if (line_used + strlen(open) + wlen + elen + 2 > WORD_LINE_MAX && wlen > 0) {
            /* Close this word and fold: the space before the next word is ignored by
             * decoders between two encoded-words, so the text stays unbroken. */
            buf_appendf(out, "%s%.*s?=\r\n ", open, (int)wlen, word);
            wlen = 0;
            line_used = 1;
        }
        memcpy(word + wlen, enc, elen);
        wlen += elen;
        i += clen;
    }
    buf_appendf(out, "%s%.*s?=\r\n", open, (int)wlen, word);
}

/* Appends one encoded token to a QP line, with a soft line break first when it
 * would not fit. is_last: nothing follows on this line, so it may use column 76. */
static void qp_put(buf_t *out, size_t *col, const char *tok, size_t len, int is_last)
{
    size_t limit = is_last ? QP_LINE_MAX : QP_LINE_MAX - 1; /* room for the soft break '=' */
    if (*col + len > limit) {
        buf_puts(out, "=\r\n");
        *col = 0;
    }
    buf_append(out, tok, len);
    *col += len;
}

/* Quoted-printable (RFC 2045 §6.7) of body. Any line end in the input (CRLF, LF or
 * a lone CR) becomes a CRLF hard break; the output always ends with CRLF. Trailing
 * space and tab are encoded, because transports strip them. A '.' at the start of a
 * line is encoded too, so that no line is a lone "." to SMTP whatever the transport
 * does about dot-stuffing. */
static void qp_encode(buf_t *out, const char *body)
{
    size_t col = 0;
    const unsigned char *p = (const unsigned char *)body;
    while (*p) {
        unsigned char c = *p;
        if (c == '\r' || c == '\n') {
            buf_puts(out, "\r\n");
            col = 0;
            p += (c == '\r' && p[1] == '\n') ? 2 : 1;
            continue;
        }
        int is_last = p[1] == '\0' || p[1] == '\r' || p[1] == '\n';
        int literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !is_last);
        char tok[3];
        if (literal && c == '.') {
            /* Decide after a possible soft break: only column 0 needs the escape. */
            size_t limit = is_last ? QP_LINE_MAX : QP_LINE_MAX - 1;
            if (col == 0 || col + 1 > limit)
                literal = 0;
        }
        if (literal) {
            tok[0] = (char)c;
            qp_put(out, &col, tok, 1, is_last);
        } else {
            tok[0] = '=';
            tok[1] = hex_digits[c >> 4];
            tok[2] = hex_digits[c & 15];
            qp_put(out, &col, tok, 3, is_last);
        }
        p++;
    }
    if (col > 0)
        buf_puts(out, "\r\n");
}

int mail_format(const config_t *cfg, int64_t id, const char *to, const char *subject, const char *body, int64_t now,
                buf_t *out)
{
    char host[256]; /* Message-ID right side */
    char date[64];

    if (!mail_address_valid(to) || !mail_address_valid(cfg->smtp_from) || !subject_valid(subject) || !body_valid(body))
        return -2;
    host_of_url(cfg->base_url, host, sizeof(host));
    format_date(now, date, sizeof(date));

    buf_appendf(out, "From: %s\r\n", cfg->smtp_from);
    buf_appendf(out, "To: %s\r\n", to);
    if (subject_is_plain(subject))
        buf_appendf(out, "Subject: %s\r\n", subject);
    else
        put_encoded_subject(out, subject);
    buf_appendf(out, "Date: %s\r\n", date);
    buf_appendf(out, "Message-ID: <%lld.%lld@%s>\r\n", (long long)id, (long long)now, host);
    /* RFC 3834: tells auto-responders not to answer a machine. */
    buf_puts(out, "Auto-Submitted: auto-generated\r\n");
    buf_puts(out, "MIME-Version: 1.0\r\n");
    buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\n");
    buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n");
    buf_puts(out, "\r\n");
    qp_encode(out, body);
    return out->overflow ? -1 : 0;
}

/* ---- queue --------------------------------------------------------------------------- */

static const char sql_outbox_insert[] = "INSERT INTO mail_outbox (recipient, subject, body_text, created_at) "
                                        "VALUES ($1, $2, $3, $4) RETURNING id";
static const char sql_outbox_delete[] = "DELETE FROM mail_outbox WHERE id = $1";

int64_t mail_queue(db_t *db, const char *to, const char *subject, const char *body_text)
{
    int64_t id = -1; /* outbox id, the result */
    db_stmt_t *st = NULL;
    char payload[64]; /* {"id":N} */

    if (!mail_address_valid(to) || !subject_valid(subject) || !body_valid(body_text))
        return -2;
    if (db_prepare(db, sql_outbox_insert, &st) != 0)
        return -1;
    db_bind_text(st, 1, to, -1);
    db_bind_text(st, 2, subject, -1);
    db_bind_text(st, 3, body_text, -1);
    db_bind_int64(st, 4, jobs_now());
    if (db_step(st) == DB_ROW)
        id = db_column_int64(st, 0);
    db_reset(st);
    if (id <= 0)
        return -1;

    snprintf(payload, sizeof(payload), "{\"id\":%lld}", (long long)id);
    if (jobs_enqueue(db, "mail.send", payload, 0) > 0)
        return id;
    /* Without a job the row would never be sent; outside a transaction remove it
     * (inside one the caller rolls back anyway). */
    if (db_prepare(db, sql_outbox_delete, &st) == 0) {
        db_bind_int64(st, 1, id);
        db_step(st);
        db_reset(st);
    }
    return -1;
}

/* ---- delivery -------------------------------------------------------------------------- */

/* Creates dir and its parents (like mkdir -p) with mode for the new ones. */
static int mkdir_p(const char *dir, mode_t mode)
{
    char path[512];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path))
        return -1;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, mode) != 0 && errno != EEXIST)
            return -1;
        path[i] = saved;
    }
    return 0;
}

/* Writes the message to <data_dir>/mail/<id>.eml: into a temporary file first, then
 * renamed, so a reader of the directory never sees half a message. The directory
 * is private (0700): messages carry personal data. */
static int write_eml(const config_t *cfg, int64_t id, const buf_t *msg, char *err, size_t errlen)
{
    char dir[400];
    char tmp[512];
    char path[512];
    int fd = -1;
    int rc = -1;
    size_t off = 0;

    if ((size_t)snprintf(dir, sizeof(dir), "%s/mail", cfg->data_dir[0] ? cfg->data_dir : ".") >= sizeof(dir)) {
        snprintf(err, errlen, "mail: data_dir too long");
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%lld.eml", dir, (long long)id);
    snprintf(tmp, sizeof(tmp), "%s/.%lld.eml.XXXXXX", dir, (long long)id);
    if (mkdir_p(dir, 0700) != 0) {
        snprintf(err, errlen, "mail: cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "mail: cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    while (off < msg->len) {
        ssize_t w = write(fd, msg->data + off, msg->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "mail: cannot write %s: %s", tmp, strerror(errno));
            goto cleanup;
        }
        off += (size_t)w;
    }
    /* fsync before rename: after a crash the name must not point at an empty file. */
    if (fsync(fd) != 0) {
        snprintf(err, errlen, "mail: cannot write %s: %s", tmp, strerror(errno));
        goto cleanup;
    }
    int closed = close(fd);
    fd = -1;
    if (closed != 0) {
        snprintf(err, errlen, "mail: cannot write %s: %s", tmp, strerror(errno));
        goto cleanup;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "mail: cannot rename to %s: %s", path, strerror(errno));
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    return rc;
}

typedef struct upload {
    const char *p; /* next byte to hand to libcurl */
    size_t left;
} upload_t;

static size_t upload_read(char *dst, size_t size, size_t nitems, void *userdata)
{
    upload_t *u = userdata;
    size_t n = size * nitems;
    if (n > u->left)
        n = u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

/* Sends msg over SMTP to cfg->smtp_url. libcurl does the dialogue, STARTTLS when the
 * server offers it on smtp:// (CURLUSESSL_TRY: a local relay often has no TLS) and
 * the dot-stuffing. */
static int send_smtp(const config_t *cfg, const char *to, const buf_t *msg, char *err, size_t errlen)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    char curl_err[CURL_ERROR_SIZE] = "";
    char from[MAIL_ADDRESS_MAX + 3];
    char to_path[MAIL_ADDRESS_MAX + 3];
    upload_t up = {msg->data, msg->len};
    CURLcode res;
    int rc = -1;

    if (!curl) {
        snprintf(err, errlen, "smtp: cannot initialise libcurl");
        return -1;
    }
    snprintf(from, sizeof(from), "<%s>", cfg->smtp_from);
    snprintf(to_path, sizeof(to_path), "<%s>", to);
    rcpt = curl_slist_append(NULL, to_path);
    if (!rcpt) {
        snprintf(err, errlen, "smtp: out of memory");
        goto cleanup;
    }
    curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
    /* smtp_url comes from configuration, yet a typo must not make us read a file:// */
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    /* Runner threads must not get SIGALRM from libcurl's resolver timeouts. */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    if (strncmp(cfg->smtp_url, "smtp://", 7) == 0)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    if (cfg->smtp_user[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    res = curl_easy_perform(curl);
    if (res != CURLE_OK) {
        snprintf(err, errlen, "smtp: %s", curl_err[0] ? curl_err : curl_easy_strerror(res));
        goto cleanup;
    }
    rc = 0;
cleanup:
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return rc;
}

/* ---- the job ----------------------------------------------------------------------------- */

static const char sql_outbox_get[] =
    "SELECT recipient, subject, body_text, created_at, sent_at FROM mail_outbox WHERE id = $1";
static const char sql_outbox_sent[] = "UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL "
                                      "WHERE id = $1";
static const char sql_outbox_failed[] = "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1";

/* Records the outcome of one delivery attempt on the outbox row. */
static void outbox_record(db_t *db, int64_t id, const char *error)
{
    db_stmt_t *st = NULL;
    int ok;
    if (error) {
        ok = db_prepare(db, sql_outbox_failed, &st) == 0;
        if (ok) {
            db_bind_int64(st, 1, id);
            db_bind_text(st, 2, error, -1);
        }
    } else {
        ok = db_prepare(db, sql_outbox_sent, &st) == 0;
        if (ok) {
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, jobs_now());
        }
    }
    if (ok) {
        ok = db_step(st) == DB_DONE;
        db_reset(st);
    }
    if (!ok)
    {
        char idtext[24];
        snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
        log_kv(LOG_ERROR, "cannot update mail_outbox", "mail", idtext, "error", db_errmsg(db), NULL);
    }
}

/* Job "mail.send", payload {"id": outbox id}: delivers one outbox row. */
static int mail_send_job(db_t *db, const config_t *cfg, json_t *payload, char *err, size_t errlen)
{
    json_t *jid = json_object_get(payload, "id");
    int64_t id = json_is_integer(jid) ? (int64_t)json_integer_value(jid) : 0;
    db_stmt_t *st = NULL;
    char *to = NULL, *subject = NULL, *body = NULL; /* copies of the row */
    int64_t created_at = 0;
    int already_sent = 0;
    int found = 0;
    int delivered; /* 0 when the message left */
    buf_t msg;     /* the formatted message */
    int rc = JOBS_RETRY;

    buf_init(&msg, NULL, 4096, MAIL_MESSAGE_MAX);
    if (id <= 0) {
        snprintf(err, errlen, "mail.send: payload has no outbox id");
        rc = JOBS_GIVE_UP;
        goto cleanup;
    }
    if (db_prepare(db, sql_outbox_get, &st) != 0) {
        snprintf(err, errlen, "mail.send: %s", db_errmsg(db));
        goto cleanup;
    }
    db_bind_int64(st, 1, id);
    if (db_step(st) == DB_ROW) {
        found = 1;
        to = strdup(db_column_text(st, 0) ? db_column_text(st, 0) : "");
        subject = strdup(db_column_text(st, 1) ? db_column_text(st, 1) : "");
        body = strdup(db_column_text(st, 2) ? db_column_text(st, 2) : "");
        created_at = db_column_int64(st, 3);
        already_sent = !db_column_is_null(st, 4);
    }
    db_reset(st);
    if (!found) {
        snprintf(err, errlen, "mail.send: outbox row %lld not found", (long long)id);
        rc = JOBS_GIVE_UP;
        goto cleanup;
    }
    if (already_sent) {
        /* A worker died between sending and marking the job done: do not send twice. */
        rc = 0;
        goto cleanup;
    }
    if (!to || !subject || !body) {
        snprintf(err, errlen, "mail.send: out of memory");
        goto cleanup;
    }
    if (!mail_address_valid(cfg->smtp_from)) {
        /* A configuration error: retry, the operator may fix it and restart. */
        snprintf(err, errlen, "mail.send: smtp_from is not a valid address");
        outbox_record(db, id, err);
        goto cleanup;
    }
    if (mail_format(cfg, id, to, subject, body, created_at, &msg) != 0) {
        snprintf(err, errlen, "mail.send: cannot format message (invalid or too large)");
        outbox_record(db, id, err);
        rc = JOBS_GIVE_UP;
        goto cleanup;
    }
    /* No SMTP server configured (development, tests): the message goes to a file. */
    delivered = cfg->smtp_url[0] ? send_smtp(cfg, to, &msg, err, errlen) : write_eml(cfg, id, &msg, err, errlen);
    if (delivered != 0) {
        outbox_record(db, id, err);
        goto cleanup;
    }
    outbox_record(db, id, NULL);
    rc = 0;
cleanup:
    free(to);
    free(subject);
    free(body);
    buf_free(&msg);
    return rc;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void mail_register_jobs(void)
{
    /* curl_global_init is not safe to race with other threads: do it here, at start-up. */
    pthread_once(&curl_once, curl_init_once);
    jobs_register("mail.send", mail_send_job);
}
