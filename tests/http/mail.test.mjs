// mail.test.mjs — outgoing mail through a real SMTP server: a queued mail is
// delivered by the job worker to the right recipient with its German subject
// intact (RFC 2047), its body in UTF-8, proper headers, no way to inject
// headers or recipients, and the outbox records that it was sent.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, forEachEngine, testCleanExit } from '../lib/server.mjs';
import { startSmtp } from '../lib/smtp.mjs';
import { waitFor, sleep } from '../lib/http.mjs';

forEachEngine((engine) => {
  let srv;
  let smtp;
  before(async () => {
    smtp = await startSmtp();
    srv = await startServer({ engine, smtpUrl: smtp.url });
  });
  after(async () => {
    try {
      if (srv) await srv.stopAndCheck();
    } finally {
      if (smtp) await smtp.close();
    }
  });

  async function queue(mail) {
    const res = await srv.client().postJSON('/_test/mail', mail);
    return res;
  }

  test('a queued mail arrives with its umlaut subject and UTF-8 body', async () => {
    const tag = randomBytes(4).toString('hex');
    const subject = `Ihr Antrag auf Überprüfung – Größe ändern (${tag})`;
    const body = `Guten Tag Frau Müller,\n\nwir haben Ihren Antrag erhalten. Grüße aus Mainz\n`;
    const res = await queue({ to: 'buergerin@example.org', subject, body });
    assert.equal(res.status, 202, `POST /_test/mail: ${res.status} ${res.text}`);
    const msg = await smtp.waitForMessage((m) => m.subject?.includes(tag), 10000);
    assert.deepEqual(msg.to, ['buergerin@example.org']);
    assert.equal(msg.subject, subject);
    assert.ok(msg.text.replace(/\r\n/g, '\n').includes('Grüße aus Mainz'), `body: ${msg.text.slice(0, 300)}`);
    assert.ok(!/[^\x00-\x7f]/.test(msg.raw.split(/\r?\n\r?\n/)[0]), 'raw 8-bit bytes in the header block (needs RFC 2047)');
    for (const h of ['from', 'to', 'date', 'message-id', 'mime-version']) assert.ok(msg.headers[h], `no ${h} header`);
    assert.match(msg.headers['content-type'] ?? '', /charset="?utf-8"?/i, `Content-Type: ${msg.headers['content-type']}`);
    assert.ok(msg.from, 'envelope sender');
  });

  test('a long subject is folded and still decodes to the same text', async () => {
    const tag = randomBytes(4).toString('hex');
    const subject = `Bestätigung: Ihr Termin im Bürgeramt für die Beantragung eines Reisepasses am Donnerstag, den 12. März, um 10:30 Uhr (${tag})`;
    assert.equal((await queue({ to: 'a@example.org', subject, body: 'x' })).status, 202);
    const msg = await smtp.waitForMessage((m) => m.subject?.includes(tag), 10000);
    assert.equal(msg.subject, subject);
    const headerLines = msg.raw.split(/\r?\n\r?\n/)[0].split(/\r?\n/);
    for (const l of headerLines) assert.ok(l.length <= 998, `header line of ${l.length} characters`);
  });

  test('a subject with CR LF cannot add headers or recipients', async () => {
    const tag = randomBytes(4).toString('hex');
    const res = await queue({ to: 'opfer@example.org', subject: `Hallo ${tag}\r\nBcc: angreifer@example.org`, body: 'x' });
    if (res.status === 400 || res.status === 422) return; // refused outright: fine
    assert.equal(res.status, 202);
    const msg = await smtp.waitForMessage((m) => m.raw.includes(tag) || m.subject?.includes(tag), 10000);
    assert.deepEqual(msg.to, ['opfer@example.org'], 'an injected recipient got the mail');
    assert.equal(msg.headers.bcc, undefined, 'an injected Bcc header');
  });

  test('a recipient with CR LF is refused or never sent', async () => {
    const tag = randomBytes(4).toString('hex');
    const res = await queue({ to: `x@example.org\r\nRCPT TO:<angreifer-${tag}@example.org>`, subject: `s ${tag}`, body: 'x' });
    assert.ok([202, 400, 422].includes(res.status), `status ${res.status}`);
    await sleep(2000);
    assert.ok(!smtp.messages.some((m) => m.to.some((t) => t.includes('angreifer'))), 'mail sent to an injected recipient');
  });

  test('the outbox records the sent mail', async () => {
    const tag = randomBytes(4).toString('hex');
    assert.equal((await queue({ to: 'c@example.org', subject: `Outbox ${tag}`, body: 'x' })).status, 202);
    await smtp.waitForMessage((m) => m.subject?.includes(tag), 10000);
    const rows = await waitFor(
      async () => {
        const r = await srv.query(`SELECT sent_at FROM mail_outbox WHERE subject = 'Outbox ${tag}'`);
        return r.length && r[0][0] ? r : null;
      },
      { timeout: 5000, what: 'mail_outbox.sent_at' },
    );
    assert.equal(rows.length, 1, 'one outbox row');
    assert.ok(Number(rows[0][0]) > 1.6e9, `sent_at ${rows[0][0]}`);
  });

  testCleanExit(() => srv);
});
