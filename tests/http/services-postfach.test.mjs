// services-postfach.test.mjs — the Postfach: the message thread of each
// application between citizen and office (src/modules/services/postfach*.c).
//
// What a person would notice: the office writes, the citizen gets an e-mail
// that holds only a link (never the text); the Postfach shows the unread count,
// which drops once the thread is read; the citizen answers with a PDF and the
// office sees it; nobody else sees a thread (another citizen, another unit's
// caseworker: 404); drafts and anonymous reports have no Postfach; a closed case
// still takes messages but says it is closed; every limit (20,000 characters,
// 200 for the subject, 10 MB and PDF/JPEG/PNG for a file) brings the form back
// with the text kept. Applications are made with SQL, because the form engine
// is another part's work. On SQLite and PostgreSQL, against a demo server with
// a real SMTP server.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testCleanExit } from '../lib/server.mjs';
import { findForm } from '../lib/http.mjs';
import {
  accountSuite,
  errorSummary,
  fieldError,
  location,
  mainText,
  registerAndConfirm,
  signInStaff,
  sqlWrite,
  unitId,
  waitForMail,
  mailLinks,
} from '../lib/account.mjs';

const DEMO_PASSWORD = 'Rathaus-Demo-2026';
const MiB = 1024 * 1024;
// Enough for libmagic to call it a PDF (it looks at the "%PDF-" header).
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const pdfOfSize = (n) => Buffer.concat([PDF, Buffer.alloc(n - PDF.length, 0x20)]);
const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const now = () => Math.floor(Date.now() / 1000);

forEachEngine((engine) => {
  let srv;
  let smtp;
  let anna; // the citizen whose applications these are
  let bert; // another citizen
  let office; // buergeramt@rathaus.test (sachbearbeitung in buergeramt)
  let bauamt; // bauamt@rathaus.test (sachbearbeitung in bauamt)
  let refCounter = 0;
  accountSuite(engine, { demo: true, onStart: (s) => ({ srv, smtp } = s) });

  // A service of each unit for the applications below (the catalogue is
  // another part's work; these rows are what its import would make).
  before(async () => {
    const t = now();
    await sqlWrite(
      srv,
      `INSERT INTO form_definitions (form_key, version, title, definition, created_at) VALUES ('postfach-test', 1, 'Test', '{}', ${t})`,
    );
    for (const unit of ['buergeramt', 'bauamt']) {
      const uid = await unitId(srv, unit);
      await sqlWrite(
        srv,
        `INSERT INTO services (slug, name, unit_id, created_at, updated_at) VALUES ('postfach-test-${unit}', 'Testleistung ${unit}', ${uid}, ${t}, ${t})`,
      );
    }
    anna = await registerAndConfirm(srv, smtp, { tag: 'anna' });
    bert = await registerAndConfirm(srv, smtp, { tag: 'bert' });
    office = (await signInStaff(srv, { email: 'buergeramt@rathaus.test', password: DEMO_PASSWORD })).client;
    bauamt = (await signInStaff(srv, { email: 'bauamt@rathaus.test', password: DEMO_PASSWORD })).client;
  });

  // application(userId, {unit, submitted, closed}) → {id, reference}
  async function application(userId, { unit = 'buergeramt', submitted = true, closed = false, submittedAt = now() } = {}) {
    const reference = `MZ-TEST-${engine}-${++refCounter}`;
    const uid = await unitId(srv, unit);
    const t = now();
    await sqlWrite(
      srv,
      `INSERT INTO applications (reference, service_id, form_id, unit_id, user_id, status, summary, created_at, submitted_at, updated_at, closed_at)` +
        ` SELECT ${submitted ? q(reference) : 'NULL'}, s.id, f.id, ${uid}, ${userId ?? 'NULL'}, ${q(submitted ? (closed ? 'abgeschlossen' : 'eingegangen') : 'entwurf')},` +
        ` ${q('Testantrag ' + reference)}, ${t}, ${submitted ? submittedAt : 'NULL'}, ${t}, ${closed ? t : 'NULL'}` +
        ` FROM services s, form_definitions f WHERE s.slug = 'postfach-test-${unit}' AND f.form_key = 'postfach-test'`,
    );
    const rows = await srv.query(`SELECT id FROM applications WHERE summary = ${q('Testantrag ' + reference)}`);
    return { id: Number(rows[0][0]), reference };
  }

  const staffPath = (id) => `/verwaltung/vorgaenge/${id}/nachricht`;

  // Sends the reply form as a browser does (multipart, with the CSRF token).
  async function send(client, path, fields) {
    client.syncCsrf();
    return client.postMultipart(path, fields);
  }

  // The messages of an application as stored; line breaks travel as ⏎, since
  // the query tools answer one row per line.
  async function messages(appId) {
    const rows = await srv.query(
      `SELECT id, from_office, COALESCE(file_id, 0), COALESCE(read_at, 0), subject, REPLACE(body, '\n', '⏎') FROM messages WHERE application_id = ${appId} ORDER BY id`,
    );
    return rows.map(([id, fromOffice, fileId, readAt, subject, ...body]) => ({
      id: Number(id),
      fromOffice: Number(fromOffice),
      fileId: Number(fileId),
      readAt: Number(readAt),
      subject,
      body: body.join('|').replace(/⏎/g, '\n'),
    }));
  }

  async function api(client) {
    const r = await client.fetch('/api/v1/postfach');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.headers['content-type'], /application\/json/);
    return JSON.parse(r.text);
  }

  test('the office writes: the citizen gets an e-mail with only a link, the history records it', async () => {
    const app = await application(anna.id);
    const page = await office.page(staffPath(app.id));
    const form = findForm(page.text, staffPath(app.id));
    assert.ok(form, 'the staff page has the reply form');
    assert.equal(form.enctype, 'multipart/form-data');
    for (const name of ['betreff', 'nachricht', 'anhang']) assert.ok(form.inputs.some((i) => i.name === name), `field ${name}`);

    const since = smtp.messages.length;
    const secret = 'Bitte reichen Sie die Geburtsurkunde nach. Kennwort Rheinufer-4711.';
    const r = await send(office, staffPath(app.id), [
      ['betreff', 'Rückfrage Unterlagen'],
      ['nachricht', secret],
    ]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 300));
    assert.equal(location(r), `/verwaltung/vorgaenge/${app.id}#postfach`);

    const mail = await waitForMail(smtp, anna.email, { since, subject: /Neues zu Ihrem Antrag/ });
    assert.ok(mail.subject.includes(app.reference), `the subject names the application: ${mail.subject}`);
    const paths = mailLinks(mail).map((l) => new URL(l).pathname);
    assert.ok(paths.includes(`/postfach/${app.id}`), `the mail links to /postfach/${app.id}: ${mail.text}`);
    assert.ok(!mail.text.includes('Geburtsurkunde') && !mail.text.includes('Rheinufer-4711'), 'the mail holds no message text');
    assert.ok(!mail.text.includes('Rückfrage Unterlagen') && !mail.subject.includes('Rückfrage'), 'nor the subject');

    // The redirect lands on the case page, at its Postfach section with the message.
    const casePage = await office.page(location(r).split('#')[0]);
    assert.ok(casePage.text.includes('id="postfach"'), 'the case page has the Postfach section');
    assert.ok(mainText(casePage.text).includes('Kennwort Rheinufer-4711'), 'showing the message');
    assert.ok(findForm(casePage.text, staffPath(app.id)), 'and the reply form');

    const [m] = await messages(app.id);
    assert.equal(m.fromOffice, 1);
    assert.equal(m.body, secret);
    assert.equal(m.subject, 'Rückfrage Unterlagen');
    const ev = await srv.query(`SELECT kind, internal, to_value FROM application_events WHERE application_id = ${app.id}`);
    assert.deepEqual(ev, [['message', '0', String(m.id)]], 'one public history entry that names the message');
  });

  test('unread counts on /postfach and in the API; reading the thread clears them', async () => {
    const app = await application(anna.id);
    const before = await api(anna.client);
    for (const text of ['Erste Nachricht vom Amt.', 'Zweite Nachricht vom Amt.']) {
      const r = await send(office, staffPath(app.id), [['nachricht', text]]);
      assert.equal(r.status, 303);
    }
    const list = await anna.client.page('/postfach');
    const thread = (await api(anna.client)).threads.find((t) => t.application_id === app.id);
    assert.ok(thread, 'the thread is listed');
    assert.equal(thread.unread, 2);
    assert.equal(thread.messages, 2);
    assert.equal(thread.reference, app.reference);
    assert.equal(thread.href, `/postfach/${app.id}`);
    const total = (await api(anna.client)).unread;
    assert.equal(total, before.unread + 2);
    assert.match(mainText(list.text), new RegExp(`Postfach ${total} ungelesene Nachrichten`), 'the heading says how many are unread');
    assert.match(list.text, new RegExp(`<title>Postfach \\(${total} ungelesen\\)`), 'so does the page title');
    assert.ok(list.text.includes(`href="/postfach/${app.id}"`), 'the list links to the thread');

    // The thread shows both, marked new this once, and marks them read.
    const page = await anna.client.page(`/postfach/${app.id}`);
    const text = mainText(page.text);
    assert.ok(text.includes('Erste Nachricht vom Amt.') && text.includes('Zweite Nachricht vom Amt.'));
    assert.equal((page.text.match(/>Neu</g) ?? []).length, 2, 'both are marked new');
    assert.ok(text.includes('Bürgeramt'), 'the office is named by its unit');
    assert.ok(!text.includes('Bernd'), 'not by the caseworker');
    assert.equal((await messages(app.id)).filter((m) => m.readAt === 0).length, 0, 'both are read now');
    const after = await api(anna.client);
    assert.equal(after.threads.find((t) => t.application_id === app.id).unread, 0);
    assert.equal(after.unread, before.unread);
    const again = await anna.client.page(`/postfach/${app.id}`);
    assert.ok(!/>Neu</.test(again.text), 'no longer new');
  });

  test('the citizen answers with a PDF; the office sees it and the citizen sees that it was read', async () => {
    const app = await application(anna.id);
    await send(office, staffPath(app.id), [['nachricht', 'Bitte senden Sie uns Ihre Meldebescheinigung.']]);
    const page = await anna.client.page(`/postfach/${app.id}`);
    const form = findForm(page.text, `/postfach/${app.id}`);
    assert.ok(form, 'the thread has a reply form');
    assert.equal(form.enctype, 'multipart/form-data');
    assert.ok(!form.inputs.some((i) => i.name === 'betreff'), 'the citizen needs no subject');
    const file = form.inputs.find((i) => i.name === 'anhang');
    assert.equal(file?.type, 'file');
    assert.match(file.attrs.accept, /application\/pdf/);

    const r = await send(anna.client, `/postfach/${app.id}`, [
      ['nachricht', 'Guten Tag,\r\nanbei die Meldebescheinigung.\r\n\r\nViele Grüße\r\nAnna'],
      ['anhang', { filename: 'meldebescheinigung.pdf', contentType: 'application/pdf', data: PDF }],
    ]);
    assert.equal(r.status, 303, mainText(r.text).slice(0, 400));
    const [, mine] = await messages(app.id);
    assert.equal(location(r), `/postfach/${app.id}?gesendet=1#nachricht-${mine.id}`);
    assert.equal(mine.fromOffice, 0);
    assert.equal(mine.body, 'Guten Tag,\nanbei die Meldebescheinigung.\n\nViele Grüße\nAnna', 'line breaks are kept as LF');
    assert.ok(mine.fileId > 0, 'the message carries the file');
    const [f] = await srv.query(
      `SELECT application_id, field, filename, content_type, size, uploaded_by FROM application_files WHERE id = ${mine.fileId}`,
    );
    assert.deepEqual(f, [String(app.id), 'postfach', 'meldebescheinigung.pdf', 'application/pdf', String(PDF.length), String(anna.id)]);

    const shown = await anna.client.page(location(r).split('#')[0]);
    assert.match(mainText(shown.text), /Ihre Nachricht ist gesendet/);
    assert.ok(shown.text.includes(`href="/antraege/${app.id}/dateien/${mine.fileId}"`), 'the citizen links to their file');
    // Paragraphs and line breaks, from plain text.
    assert.match(shown.text, /<p class="kern-body">Guten Tag,<br>anbei die Meldebescheinigung\.<\/p>\s*<p class="kern-body">Viele Grüße<br>Anna<\/p>/);
    assert.ok(!/gelesen am/.test(mainText(shown.text)), 'not read by the office yet');

    // Staff see the applicant by the name from "Meine Daten".
    await sqlWrite(
      srv,
      `INSERT INTO profiles (user_id, given_name, family_name, updated_at) VALUES (${anna.id}, 'Anna', 'Beispiel', ${now()})` +
        ` ON CONFLICT (user_id) DO UPDATE SET given_name = 'Anna', family_name = 'Beispiel'`,
    );
    const staff = await office.page(staffPath(app.id));
    const st = mainText(staff.text);
    assert.ok(st.includes('Anna Beispiel'), 'the office sees who wrote');
    assert.ok(st.includes('Bernd Bürgeramt'), 'and which colleague');
    assert.ok(st.includes('anbei die Meldebescheinigung.'), 'the office reads the answer');
    assert.ok(st.includes('meldebescheinigung.pdf (PDF, 1 KB)'), `the attachment with type and size: ${st}`);
    assert.ok(staff.text.includes(`href="/verwaltung/vorgaenge/${app.id}/dateien/${mine.fileId}"`), 'staff link to the file');
    assert.ok((await messages(app.id))[1].readAt > 0, 'the office has read it');
    // Both links give the very bytes that were sent (apply.c and cases.c serve them).
    for (const [client, href] of [
      [anna.client, `/antraege/${app.id}/dateien/${mine.fileId}`],
      [office, `/verwaltung/vorgaenge/${app.id}/dateien/${mine.fileId}`],
    ]) {
      const dl = await client.fetch(href);
      assert.equal(dl.status, 200, `GET ${href}`);
      assert.ok(dl.body.equals(PDF), `GET ${href}: the PDF as sent`);
    }
    assert.equal((await bert.client.fetch(`/antraege/${app.id}/dateien/${mine.fileId}`)).status, 404, 'nobody else gets it');
    const seen = await anna.client.page(`/postfach/${app.id}`);
    assert.match(mainText(seen.text), /gelesen am \d\d\.\d\d\.\d{4}/, 'the citizen sees that it was read');
    // A citizen's message sends no mail to anyone: the outbox holds only the
    // one about the office's message.
    const outbox = await srv.query(`SELECT recipient FROM mail_outbox WHERE subject LIKE ${q('%' + app.reference + '%')}`);
    assert.deepEqual(outbox, [[anna.email]]);
  });

  test('newest message first; drafts are not threads', async () => {
    const older = await application(anna.id, { submittedAt: now() - 3600 });
    const newer = await application(anna.id, { submittedAt: now() - 1800 });
    const draft = await application(anna.id, { submitted: false });
    let ids = (await api(anna.client)).threads.map((t) => t.application_id);
    assert.ok(ids.indexOf(newer.id) < ids.indexOf(older.id), 'without messages: the newer submission first');
    await send(office, staffPath(older.id), [['nachricht', 'Neues zum älteren Antrag.']]);
    ids = (await api(anna.client)).threads.map((t) => t.application_id);
    assert.ok(ids.indexOf(older.id) < ids.indexOf(newer.id), 'a new message moves its thread to the top');
    assert.ok(!ids.includes(draft.id), 'a draft has no thread');
    assert.equal((await anna.client.fetch(`/postfach/${draft.id}`)).status, 404);
    assert.equal((await office.fetch(staffPath(draft.id))).status, 404);
  });

  test('another citizen gets 404 and never sees the thread', async () => {
    const app = await application(anna.id);
    await send(office, staffPath(app.id), [['nachricht', 'Nur für Anna bestimmt.']]);
    const r = await bert.client.fetch(`/postfach/${app.id}`);
    assert.equal(r.status, 404);
    assert.ok(!r.text.includes('Nur für Anna'));
    await bert.client.fetch('/postfach');
    const post = await send(bert.client, `/postfach/${app.id}`, [['nachricht', 'Hallo?']]);
    assert.equal(post.status, 404);
    assert.ok(!(await api(bert.client)).threads.some((t) => t.application_id === app.id));
    assert.equal((await messages(app.id)).length, 1, 'nothing was added');
    // Not a thread of anybody's: 404 too, and a non-number is no id.
    assert.equal((await anna.client.fetch('/postfach/987654321')).status, 404);
    assert.equal((await anna.client.fetch('/postfach/abc')).status, 404);
  });

  test('a Bauamt caseworker cannot read or post to a Bürgeramt case; a citizen may not use the staff route', async () => {
    const app = await application(anna.id);
    assert.equal((await bauamt.fetch(staffPath(app.id))).status, 404);
    await bauamt.fetch('/postfach');
    const r = await send(bauamt, staffPath(app.id), [['nachricht', 'Falsches Amt.']]);
    assert.equal(r.status, 404);
    const c = await send(anna.client, staffPath(app.id), [['nachricht', 'Ich bin nicht das Amt.']]);
    assert.equal(c.status, 403);
    assert.equal((await messages(app.id)).length, 0);
    // The Bauamt does write to its own cases.
    const own = await application(anna.id, { unit: 'bauamt' });
    await bauamt.fetch(staffPath(own.id));
    assert.equal((await send(bauamt, staffPath(own.id), [['nachricht', 'Richtiges Amt.']])).status, 303);
  });

  test('without signing in: /postfach asks to sign in, the API answers 401', async () => {
    const c = srv.client();
    const r = await c.fetch('/postfach');
    assert.equal(r.status, 303);
    assert.match(location(r), /^\/konto\/anmelden/);
    assert.equal((await c.fetch('/api/v1/postfach')).status, 401);
  });

  test('limits: 20,000 characters pass, one more comes back with the text kept and a summary', async () => {
    const app = await application(anna.id);
    await anna.client.page(`/postfach/${app.id}`);
    const ok = 'ä'.repeat(20000);
    assert.equal((await send(anna.client, `/postfach/${app.id}`, [['nachricht', ok]])).status, 303);
    const tooLong = 'b'.repeat(20001);
    const r = await send(anna.client, `/postfach/${app.id}`, [['nachricht', tooLong]]);
    assert.equal(r.status, 422);
    assert.deepEqual(
      errorSummary(r.text).map((e) => e.href),
      ['#feld-nachricht'],
    );
    assert.match(fieldError(r.text, 'nachricht'), /länger als 20\.000 Zeichen/);
    const form = findForm(r.text, `/postfach/${app.id}`);
    assert.equal(form.inputs.find((i) => i.name === 'nachricht').value, tooLong, 'the text is kept');
    // CRLF counts as one character, as the browser counts it.
    const lines = Array(10000).fill('x').join('\r\n'); // 10,000 + 9,999 characters
    assert.equal((await send(anna.client, `/postfach/${app.id}`, [['nachricht', lines]])).status, 303);

    const empty = await send(anna.client, `/postfach/${app.id}`, [['nachricht', ' \r\n ']]);
    assert.equal(empty.status, 422);
    assert.match(fieldError(empty.text, 'nachricht'), /Bitte schreiben Sie eine Nachricht/);
    assert.equal((await messages(app.id)).length, 2, 'only the two good ones were stored');
  });

  test('limits on files: 10 MB pass, larger or another type come back with the text kept', async () => {
    const app = await application(anna.id);
    await anna.client.page(`/postfach/${app.id}`);
    const text = 'Hier mein Dokument – mit Umlauten: äöü <b>fett?</b>';
    const tooBig = await send(anna.client, `/postfach/${app.id}`, [
      ['nachricht', text],
      ['anhang', { filename: 'gross.pdf', contentType: 'application/pdf', data: pdfOfSize(10 * MiB + 1) }],
    ]);
    assert.equal(tooBig.status, 422);
    assert.match(fieldError(tooBig.text, 'anhang'), /größer als 10 MB/);
    assert.equal(findForm(tooBig.text, `/postfach/${app.id}`).inputs.find((i) => i.name === 'nachricht').value, text);
    assert.deepEqual(errorSummary(tooBig.text).map((e) => e.href), ['#feld-anhang']);

    const wrong = await send(anna.client, `/postfach/${app.id}`, [
      ['nachricht', text],
      ['anhang', { filename: 'tarnung.pdf', contentType: 'application/pdf', data: Buffer.from('#!/bin/sh\necho hallo\n') }],
    ]);
    assert.equal(wrong.status, 422, 'the type is judged by the content, not by the name or the claimed type');
    assert.match(fieldError(wrong.text, 'anhang'), /PDF, JPEG oder PNG/);
    assert.equal(findForm(wrong.text, `/postfach/${app.id}`).inputs.find((i) => i.name === 'nachricht').value, text);

    // A good file but no text: the text is the error, and the file must be chosen again.
    const noText = await send(anna.client, `/postfach/${app.id}`, [
      ['nachricht', ''],
      ['anhang', { filename: 'bild.png', contentType: 'image/png', data: PNG_1x1 }],
    ]);
    assert.equal(noText.status, 422);
    assert.match(mainText(noText.text), /Bitte wählen Sie Ihre Datei noch einmal aus/);
    assert.equal((await messages(app.id)).length, 0, 'nothing stored so far');

    const exact = await send(anna.client, `/postfach/${app.id}`, [
      ['nachricht', text],
      ['anhang', { filename: 'genau.pdf', contentType: 'application/pdf', data: pdfOfSize(10 * MiB) }],
    ]);
    assert.equal(exact.status, 303, mainText(exact.text).slice(0, 300));
    const [m] = await messages(app.id);
    assert.equal(m.body, text);
    assert.equal(Number((await srv.query(`SELECT size FROM application_files WHERE id = ${m.fileId}`))[0][0]), 10 * MiB);
    const page = await anna.client.page(`/postfach/${app.id}`);
    assert.ok(page.text.includes('&lt;b&gt;fett?&lt;/b&gt;'), 'what a citizen types is shown as text, never as HTML');
    assert.ok(page.text.includes('genau.pdf (PDF, 10,0 MB)'));

    // Beyond what the route reads at all: 413.
    const huge = await send(anna.client, `/postfach/${app.id}`, [
      ['nachricht', text],
      ['anhang', { filename: 'riesig.pdf', contentType: 'application/pdf', data: pdfOfSize(15 * MiB + 1) }],
    ]);
    assert.equal(huge.status, 413);
  });

  test('limits for staff: a subject over 200 characters comes back with subject and text kept', async () => {
    const app = await application(anna.id);
    await office.page(staffPath(app.id));
    const subject = 'S'.repeat(201);
    const r = await send(office, staffPath(app.id), [
      ['betreff', subject],
      ['nachricht', 'Der Text bleibt.'],
    ]);
    assert.equal(r.status, 422);
    const form = findForm(r.text, staffPath(app.id));
    assert.equal(form.inputs.find((i) => i.name === 'betreff').value, subject);
    assert.equal(form.inputs.find((i) => i.name === 'nachricht').value, 'Der Text bleibt.');
    assert.match(fieldError(r.text, 'betreff'), /länger als 200 Zeichen/);
    const line = await send(office, staffPath(app.id), [
      ['betreff', 'Zwei\nZeilen'],
      ['nachricht', 'Text'],
    ]);
    assert.equal(line.status, 422);
    assert.equal((await send(office, staffPath(app.id), [['betreff', 'S'.repeat(200)], ['nachricht', 'Text']])).status, 303);
    assert.equal((await messages(app.id)).length, 1);
  });

  test('a closed case takes messages and says it is closed', async () => {
    const app = await application(anna.id, { closed: true });
    const page = await anna.client.page(`/postfach/${app.id}`);
    assert.match(mainText(page.text), /Dieser Antrag ist abgeschlossen/);
    assert.equal((await send(anna.client, `/postfach/${app.id}`, [['nachricht', 'Eine Frage zum Ergebnis.']])).status, 303);
    const staff = await office.page(staffPath(app.id));
    assert.match(mainText(staff.text), /Dieser Vorgang ist abgeschlossen/);
    assert.equal((await api(anna.client)).threads.find((t) => t.application_id === app.id).closed, true);
  });

  test('an anonymous report has no Postfach: no reply form, and a post is refused', async () => {
    const app = await application(null);
    const page = await office.page(staffPath(app.id));
    assert.match(mainText(page.text), /ohne Konto gestellt/);
    assert.ok(!findForm(page.text, staffPath(app.id)), 'no reply form');
    const r = await send(office, staffPath(app.id), [['nachricht', 'An wen?']]);
    assert.equal(r.status, 409);
    assert.equal((await messages(app.id)).length, 0);
  });

  testCleanExit(() => srv);
});
