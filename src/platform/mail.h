/* mail.h — outgoing e-mail: an outbox table, a job that delivers it, the message format.
 *
 * A request never talks to an SMTP server: it calls mail_queue, which stores the
 * message in mail_outbox and queues a "mail.send" job; a job runner delivers it and
 * retries with backoff while the server is down. With smtp_url empty (development,
 * tests) the message is written to <data_dir>/mail/<id>.eml instead.
 *
 *   mail_register_jobs();                    // at start-up, before jobs_start
 *   int64_t id = mail_queue(db, "a@example.org", "Ihr Termin", "Guten Tag …");
 *
 * Messages are plain text, UTF-8, quoted-printable, CRLF line ends (RFC 5322,
 * RFC 2045, RFC 2047 for a non-ASCII subject).
 */
#ifndef RATHAUS_PLATFORM_MAIL_H
#define RATHAUS_PLATFORM_MAIL_H

#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "db/db.h"

#define MAIL_ADDRESS_MAX 254               /* bytes in an address (RFC 5321 path limit) */
#define MAIL_SUBJECT_MAX 512               /* bytes in a subject */
#define MAIL_BODY_MAX (1024 * 1024)        /* bytes in a body */
#define MAIL_MESSAGE_MAX (4 * 1024 * 1024) /* bytes of a formatted message (QP grows ≤ 3x) */

/* Returns 1 when addr is an address we send to: ASCII without spaces, control
 * characters or <>()[],;:"\, exactly one '@' with something on both sides, at most
 * MAIL_ADDRESS_MAX bytes. (Non-ASCII addresses need SMTPUTF8 or punycode, which we
 * do not do; they are refused rather than garbled.) */
int mail_address_valid(const char *addr);

/* Stores a message for `to` in the outbox and queues its delivery. subject must be
 * one line (no CR/LF) of valid UTF-8 — this is what keeps a user-supplied subject
 * from adding headers; body is UTF-8 text with any line ends. Works inside the
 * caller's transaction (recommended: the mail is then sent only if the change it
 * reports is committed). Returns the outbox id (> 0), or < 0 for an invalid
 * argument (-2) or a database error (-1). */
int64_t mail_queue(db_t *db, const char *to, const char *subject, const char *body_text);

/* Registers the "mail.send" job handler (payload {"id": outbox id}). Call once at
 * start-up, before any thread runs jobs: it also initialises libcurl. */
void mail_register_jobs(void);

/* Formats message `id` as an RFC 5322 message, appending to out (caller's buffer;
 * use a cap of at least MAIL_MESSAGE_MAX): From (cfg->smtp_from), To, Subject (as
 * RFC 2047 encoded-words when not plain ASCII), Date (now, UTC), Message-ID
 * <id.now@host of cfg->base_url>, MIME headers, then the body quoted-printable with
 * lines of at most 76 characters. Every line ends in CRLF. Returns 0, -2 for an
 * invalid address, subject or body (nothing appended), -1 when out is full. */
int mail_format(const config_t *cfg, int64_t id, const char *to, const char *subject, const char *body, int64_t now,
                buf_t *out);

#endif
